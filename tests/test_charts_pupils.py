"""Tests for evaluation/presentation/charts/pupils.py: MTC figures draw the given numbers and
national lines.

Expected values are written out in each test (or read from the reference CSV directly).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from evaluation.presentation.charts import palette
from evaluation.presentation.charts import pupils as charts
from evaluation.stats.pupils import pupil_change, pupil_summary, score_distribution

REFERENCE = Path(__file__).resolve().parent.parent / "schemas" / "reference" / "mtc_national.csv"


def _national(year: str) -> dict[str, str]:
    with REFERENCE.open(encoding="utf-8") as handle:
        return next(row for row in csv.DictReader(handle) if row["academic_year"] == year)


PUPILS = pd.DataFrame(
    {
        "pupil_id": ["a", "b", "c", "d", "e", "f"] * 2,
        "school_urn": [100001, 100001, 100001, 100002, 100002, 100002] * 2,
        "academic_year": "2024/25",
        "phase": ["pre"] * 6 + ["post"] * 6,
        "measure": "MTC",
        "score": [12.0, 18, 25, 20, 15, 22, 17, 21, 25, 25, 18, 24],
    }
)


def test_distribution_bars_are_the_share_of_pupils_at_each_mark():
    figure = charts.score_distribution_chart(score_distribution(PUPILS))
    post = next(t for t in figure.data if t.name == "After (post)")
    by_mark = dict(zip(post.x.tolist(), post.y.tolist(), strict=True))
    # post marks: 17, 21, 25, 25, 18, 24 -> two of six at 25
    assert by_mark[25] == pytest.approx(100 * 2 / 6)
    assert by_mark[17] == pytest.approx(100 / 6)
    assert by_mark[0] == 0
    assert post.marker.color == palette.POST


def test_distribution_marks_the_national_average_for_the_year():
    national = float(_national("2024/25")["mean_score"])
    figure = charts.score_distribution_chart(
        score_distribution(PUPILS), national_mean=national, national_year="2024/25"
    )
    line = figure.layout.shapes[0]
    assert line.x0 == line.x1 == national
    assert line.line.color == palette.NATIONAL
    assert "2024/25" in figure.layout.annotations[0].text


def test_full_marks_bars_match_a_hand_count_and_show_the_national_share():
    national = float(_national("2024/25")["pct_full_marks"])
    figure = charts.full_marks_chart(pupil_summary(PUPILS), national_pct=national)
    bars = figure.data[0]
    # pre: one of six at 25; post: two of six
    assert bars.x.tolist() == pytest.approx([100 / 6, 200 / 6])
    assert list(bars.y) == ["Before (pre)", "After (post)"]
    assert figure.layout.shapes[0].x0 == national


def test_change_chart_shows_the_school_clustered_interval():
    change = pupil_change(PUPILS, by=["academic_year"])
    figure = charts.pupil_change_chart(change)
    dots = figure.data[0]
    # changes: 5, 3, 0, 5, 3, 2 -> mean 3
    assert dots.x.tolist() == [pytest.approx(3.0)]
    row = change.iloc[0]
    assert dots.error_x.array[0] == pytest.approx(row["ci_high"] - 3.0)
    assert dots.error_x.arrayminus[0] == pytest.approx(3.0 - row["ci_low"])
    assert "6 pupils, 2 schools" in dots.y[0]


def test_change_chart_draws_the_national_average_beside_the_mean_after():
    change = pupil_change(PUPILS, by=["academic_year"])
    figure = charts.pupil_change_chart(change)
    after = next(t for t in figure.data if t.name == "Average mark after")
    national = next(t for t in figure.data if t.name == "National average")
    assert after.x.tolist() == [pytest.approx((17 + 21 + 25 + 25 + 18 + 24) / 6)]
    assert national.x.tolist() == [float(_national("2024/25")["mean_score"])]
    assert national.marker.color == palette.NATIONAL


def test_no_national_line_when_the_year_has_no_figure():
    figure = charts.score_distribution_chart(score_distribution(PUPILS), national_mean=None)
    assert not figure.layout.shapes
