"""The table of numbers behind every chart (evaluation.presentation.charts.tables).

Expected values come from the data given to the chart builders, not from the figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from evaluation.analysis.survey import likert_distribution
from evaluation.instruments import default_instrument
from evaluation.presentation.charts import pupils, survey
from evaluation.presentation.charts.survey import construct_label
from evaluation.presentation.charts.tables import chart_table, plain_label

INSTRUMENT = default_instrument()


def test_likert_table_gives_each_answers_share_once_without_sign():
    long = pd.DataFrame(
        {
            "phase": ["pre"] * 4 + ["post"] * 4,
            "item": ["conf_1"] * 8,
            "score": [1.0, 2.0, 3.0, 3.0, 4.0, 4.0, 5.0, 3.0],
        }
    )
    figure = survey.likert_bars(likert_distribution(long, INSTRUMENT), INSTRUMENT)
    table = chart_table(figure)
    labels = INSTRUMENT.point_labels("agreement")
    got = {(row.Panel, row.Series): row.Value for row in table.itertuples()}
    # Before: 1, 2, 3, 3 -> 25% strongly disagree, 25% disagree, 50% neutral (drawn in halves).
    assert got[("Before (pre)", labels[0])] == pytest.approx(25)
    assert got[("Before (pre)", labels[1])] == pytest.approx(25)
    assert got[("Before (pre)", labels[2])] == pytest.approx(50)
    assert got[("After (post)", labels[3])] == pytest.approx(50)
    assert got[("After (post)", labels[4])] == pytest.approx(25)
    assert len(table) == 2 * 5  # one row per answer and phase, the neutral once
    assert (table["Value"] >= 0).all()


def test_interval_chart_table_has_the_estimate_and_its_confidence_interval():
    results = pd.DataFrame(
        {
            "item": ["confidence", "practice"],
            "mean_change": [0.5, -0.1],
            "ci_low": [0.2, -0.4],
            "ci_high": [0.8, 0.2],
            "n_paired": [20, 20],
        }
    )
    table = chart_table(survey.construct_change_chart(results, INSTRUMENT))
    value = [col for col in table.columns if col.startswith("Change in score")][0]
    by_outcome = table.set_index("Category")
    assert by_outcome.loc[construct_label("confidence"), value] == pytest.approx(0.5)
    assert by_outcome.loc[construct_label("confidence"), "Lower"] == pytest.approx(0.2)
    assert by_outcome.loc[construct_label("confidence"), "Upper"] == pytest.approx(0.8)
    assert by_outcome.loc[construct_label("practice"), "Lower"] == pytest.approx(-0.4)


def test_bar_labels_and_counts_come_through():
    table = chart_table(survey.attrition_chart({"n_pre": 30, "n_post": 24, "n_completers": 20}))
    matched = table[table["Series"].eq("Matched: answered both")]
    assert matched["People"].tolist() == [20, 20]
    before_only = table[table["Series"].eq("Before only: no answer after")]
    assert before_only["People"].tolist() == [10, 0]
    assert "Label" in table


def test_histogram_table_counts_people_per_change():
    change = [-1.0, 0.0, 0.5, 1.0, 1.0]
    table = chart_table(survey.change_histogram(change))
    counts = pd.Series(change).value_counts()
    for row in table.itertuples(index=False):
        assert row[2] == counts[row[1]]


def test_multi_panel_chart_names_each_panel_and_keeps_a_neutral_value_heading():
    change = pd.DataFrame(
        {"academic_year": ["2024/25"], "n_paired": [300], "n_schools": [12],
         "mean_change": [2.0], "ci_low": [1.4], "ci_high": [2.6], "mean_post": [20.1],
         "national_mean": [20.6]}
    )  # fmt: skip
    table = chart_table(pupils.pupil_change_chart(change))
    assert set(table["Panel"]) == {"Change in average mark", "Average mark after vs national"}
    assert "Value" in table.columns  # two panels, two scales: no single axis title
    assert sorted(table["Value"]) == [2.0, 20.1, 20.6]


def test_numeric_positions_are_shown_as_their_tick_labels_and_text_marks_kept():
    figure = go.Figure(
        [
            go.Scatter(x=[0.3], y=[1], mode="markers", name="Hub A"),
            go.Scatter(x=[0], y=[2], mode="text", text=["[c]"], name="Hidden", hoverinfo="skip"),
            go.Scatter(x=[0, 1], y=[1, 1], mode="lines", hoverinfo="skip", name="guide"),
        ]
    )
    figure.update_yaxes(tickvals=[1, 2], ticktext=["Solent<br>Maths Hub", "Sussex"])
    table = chart_table(figure)
    assert table["Category"].tolist() == ["Solent Maths Hub", "Sussex"]
    assert table["Label"].tolist() == ["", "[c]"]
    assert np.isnan(table["Value"].iloc[1])  # a text mark's position is not a number drawn
    assert "guide" not in set(table["Series"])


def test_heatmap_table_lists_every_cell():
    figure = go.Figure(go.Heatmap(z=[[0.1, None], [0.3, 0.4]], x=["a", "b"], y=["P", "Q"],
                                  text=[["0.10", "[c]"], ["0.30", "0.40"]]))  # fmt: skip
    table = chart_table(figure)
    assert table.columns.tolist() == ["Row", "Column", "Value", "Label"]
    assert len(table) == 4
    assert table.loc[1, "Label"] == "[c]" and np.isnan(table.loc[1, "Value"])


def test_plain_label_unescapes_and_drops_markup():
    assert plain_label("A &amp; B<br><i>(reversed)</i>") == "A & B (reversed)"
