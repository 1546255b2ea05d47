"""Tests for evaluation/presentation/charts/survey.py: the survey figures draw exactly the numbers
given.

Expected values are counted by hand (collections.Counter) or written out in the test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.analysis.survey import likert_distribution
from evaluation.instruments import Instrument, Item, default_instrument
from evaluation.presentation.charts import palette
from evaluation.presentation.charts import survey as charts

INSTRUMENT = default_instrument()


def _long(answers: dict[tuple[str, str], list[float]]) -> pd.DataFrame:
    rows = [
        {"respondent_id": f"r{k}", "phase": phase, "item": item, "score": score}
        for (item, phase), scores in answers.items()
        for k, score in enumerate(scores)
    ]
    return pd.DataFrame(rows)


ANSWERS = {
    ("conf_1", "pre"): [1, 2, 2, 3, 4, 4, 5, 3],
    ("conf_1", "post"): [3, 4, 4, 5, 5, 4, 4, 2],
    ("conf_2", "pre"): [2, 2, 3, 3, 3, 4, 1, 2],
    ("conf_2", "post"): [3, 3, 4, 4, 4, 2, 5, 3],
    ("conf_3", "pre"): [4, 4, 5, 3, 2, 4, 4, 5],
    ("conf_3", "post"): [2, 3, 3, 4, 2, 1, 2, 3],
}


@pytest.fixture
def distribution() -> pd.DataFrame:
    return likert_distribution(_long(ANSWERS), INSTRUMENT)


def _bars(figure, phase_axis: str, score_name: str):
    return [t for t in figure.data if t.xaxis == phase_axis and t.name == score_name]


def test_likert_bars_show_pre_and_post_side_by_side(distribution):
    figure = charts.likert_bars(distribution, INSTRUMENT)
    titles = [a.text for a in figure.layout.annotations]
    assert titles == ["Before (pre)", "After (post)"]
    assert {t.xaxis for t in figure.data} == {"x", "x2"}


def test_likert_bars_centre_the_neutral_answer(distribution):
    figure = charts.likert_bars(distribution, INSTRUMENT)
    post = [t for t in figure.data if t.xaxis == "x2"]
    labels = list(post[0].y)
    item_row = labels.index(charts.item_label(INSTRUMENT, "conf_1"))
    scores = ANSWERS[("conf_1", "post")]
    left = sum(float(t.x[item_row]) for t in post if float(t.x[item_row]) < 0)
    right = sum(float(t.x[item_row]) for t in post if float(t.x[item_row]) > 0)
    neutral = 100 * scores.count(3) / len(scores)
    assert left == pytest.approx(-(100 * sum(s < 3 for s in scores) / len(scores) + neutral / 2))
    assert right == pytest.approx(100 * sum(s > 3 for s in scores) / len(scores) + neutral / 2)


def test_likert_bars_sort_items_by_net_agreement_after(distribution):
    figure = charts.likert_bars(distribution, INSTRUMENT)
    net = {
        item: (
            sum(s > 3 for s in ANSWERS[(item, "post")])
            - sum(s < 3 for s in ANSWERS[(item, "post")])
        )
        for item in ("conf_1", "conf_2", "conf_3")
    }
    expected = [charts.item_label(INSTRUMENT, i) for i in sorted(net, key=net.get)]
    # plotly draws the first category at the bottom: the most agreement ends up on top
    assert list(figure.data[0].y) == expected


def test_likert_bars_use_the_colour_blind_safe_diverging_palette(distribution):
    figure = charts.likert_bars(distribution, INSTRUMENT)
    colours = {t.name: t.marker.color for t in figure.data}
    labels = INSTRUMENT.point_labels("agreement")
    assert [colours[label] for label in labels] == palette.diverging(5)


def test_likert_bars_show_each_answer_once_in_the_legend(distribution):
    figure = charts.likert_bars(distribution, INSTRUMENT)
    shown = [t.name for t in figure.data if t.showlegend]
    assert sorted(shown) == sorted(INSTRUMENT.point_labels("agreement"))


def test_reversed_items_are_marked_in_their_label():
    assert "(reversed)" in charts.item_label(INSTRUMENT, "conf_3")
    assert "(reversed)" not in charts.item_label(INSTRUMENT, "conf_1")


def test_question_text_from_a_file_is_escaped_not_rendered():
    instrument = Instrument(
        name="file",
        items=(Item(item="q1", text="<b>bold</b> & <script>x</script>", construct="o"),),
    )
    label = charts.item_label(instrument, "q1")
    assert "<script>" not in label and "<b>" not in label
    assert "&lt;script&gt;" in label


def test_label_sets_follow_the_instrument():
    assert charts.label_sets(INSTRUMENT) == ("agreement", "frequency")


def _results() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "item": ["conf_1", "conf_2", "conf_3", "confidence", "practice"],
            "n_paired": [20, 20, 20, 20, 18],
            "mean_pre": [2.9, 3.1, 3.8, 3.0, 2.5],
            "mean_post": [3.9, 3.4, 2.6, 3.6, 3.1],
            "mean_change": [1.0, 0.3, -1.2, 0.6, 0.6],
            "ci_low": [0.6, -0.1, -1.6, 0.35, 0.1],
            "ci_high": [1.4, 0.7, -0.8, 0.85, 1.1],
            "g_av": [0.9, 0.3, -1.0, 0.7, 0.5],
        }
    )


def test_dumbbell_draws_the_item_means_before_and_after():
    figure = charts.item_dumbbell(_results(), INSTRUMENT)
    pre = next(t for t in figure.data if t.name == "Before (pre)")
    post = next(t for t in figure.data if t.name == "After (post)")
    by_label = dict(zip(pre.y, pre.x, strict=True))
    assert by_label[charts.item_label(INSTRUMENT, "conf_1")] == 2.9
    assert dict(zip(post.y, post.x, strict=True))[charts.item_label(INSTRUMENT, "conf_3")] == 2.6
    assert len(pre.x) == 3  # constructs are not items
    assert pre.marker.color == palette.PRE and post.marker.color == palette.POST


def test_construct_chart_error_bars_are_the_confidence_interval():
    figure = charts.construct_change_chart(_results(), INSTRUMENT)
    trace = figure.data[0]
    labels = list(trace.y)
    k = labels.index("Practice")
    assert trace.x[k] == 0.6
    assert trace.error_x.array[k] == pytest.approx(1.1 - 0.6)
    assert trace.error_x.arrayminus[k] == pytest.approx(0.6 - 0.1)
    assert set(labels) == {"Confidence", "Practice"}


def test_histogram_splits_declines_same_and_rises():
    changes = [-1.0, -1.0, 0.0, 0.5, 1.0, 1.0, 1.0, 2.0]
    figure = charts.change_histogram(changes)
    counts = {t.name: dict(zip(t.x, t.y, strict=True)) for t in figure.data}
    assert counts["Declined"] == {-1.0: 2}
    assert counts["Same"] == {0.0: 1}
    assert counts["Improved"] == {0.5: 1, 1.0: 3, 2.0: 1}


def test_attrition_panel_splits_leavers_completers_and_joiners():
    figure = charts.attrition_chart(
        pd.DataFrame({"n_pre": [40], "n_post": [33], "n_completers": [30]})
    )
    segments = {t.name: list(t.x) for t in figure.data}
    assert segments["Matched: answered both"] == [30, 30]
    assert segments["Before only: no answer after"] == [10, 0]
    assert segments["After only: no answer before"] == [0, 3]


def test_participation_chart_stacks_years_and_marks_hidden_projects():
    table = pd.DataFrame(
        {
            "academic_year": ["2023/24", "2023/24", "2024/25", "2024/25"],
            "ncp": ["A project", "B project", "A project", "B project"],
            "participants": [40.0, np.nan, 52.0, 12.0],
            "schools": [10.0, np.nan, 14.0, 4.0],
            "work_groups": [2.0, np.nan, 3.0, 1.0],
            "suppressed": [False, True, False, False],
        }
    )
    figure = charts.participation_chart(table)
    first, second = figure.data
    assert (first.name, second.name) == ("2023/24", "2024/25")
    assert figure.layout.barmode == "stack"
    assert list(first.y) == ["A project", "B project [c]"]
    assert first.x.tolist() == [40.0, 0.0]  # the hidden count adds nothing
    assert second.x.tolist() == [52.0, 12.0]
    assert list(first.text) == ["40", ""]
