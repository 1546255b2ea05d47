"""Plain-English readings of result rows and the effect-size wording
(evaluation.presentation.readings)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation.instruments import default_instrument
from evaluation.presentation.readings import (
    EFFECT_BANDS,
    attrition_reading,
    effect_label,
    humanise,
    pupil_reading,
    reading,
    reliability_reading,
)

PAIRED = {
    "item": "confidence",
    "design": "paired",
    "n_pre": 50,
    "n_post": 45,
    "n_paired": 42,
    "mean_pre": 2.9,
    "mean_post": 3.7,
    "mean_change": 0.8,
    "d_z": 0.95,
    "g_av": 0.9,
    "g_av_ci_low": 0.7,
    "g_av_ci_high": 1.1,
    "reason": None,
}


@pytest.mark.parametrize(
    ("d", "label"),
    [(0.0, "very small"), (0.1999, "very small"), (0.2, "small"), (-0.2, "small"),
     (0.4999, "small"), (0.5, "medium"), (-0.79, "medium"), (0.8, "large"), (-2.5, "large"),
     (float("nan"), "unknown"), (None, "unknown")],
)  # fmt: skip
def test_effect_words_follow_cohen_1988_thresholds(d, label):
    # Cohen (1988): 0.2 small, 0.5 medium, 0.8 large, applied to the absolute value
    assert effect_label(d) == label
    assert [t for t, _ in EFFECT_BANDS][:3] == [0.2, 0.5, 0.8]


def test_paired_reading_is_the_sentence_in_the_brief():
    assert reading(pd.Series(PAIRED)) == (
        "Confidence rose by 0.8 points on the 1-5 scale (from 2.9 to 3.7), a large change "
        "(effect size 0.90, 95% CI 0.70 to 1.10), among 42 teachers who answered both surveys."
    )


def test_unpaired_reading_says_it_is_weaker_evidence():
    row = {**PAIRED, "design": "unpaired", "n_paired": 0}
    text = reading(row, subject="participants")
    assert "comparing 50 participants before with 45 after" in text
    assert "different groups of people before and after, so this is weaker evidence" in text
    assert "answered both" not in text


def test_falls_and_no_change_are_worded_and_chance_is_flagged():
    fell = reading({**PAIRED, "mean_change": -0.34, "mean_post": 2.56, "g_av": -0.3,
                    "g_av_ci_low": -0.6, "g_av_ci_high": 0.05})  # fmt: skip
    assert fell.startswith("Confidence fell by 0.3 points")
    assert "a small change" in fell and "could be chance" in fell
    same = reading({**PAIRED, "mean_change": 0.02, "mean_post": 2.92, "g_av": 0.02})
    assert same.startswith("Confidence stayed about the same on the 1-5 scale")
    one = reading({**PAIRED, "mean_change": 1.0})
    assert "rose by 1.0 point on" in one


def test_rows_without_a_result_give_their_reason():
    row = {**PAIRED, "mean_change": float("nan"), "g_av": float("nan"),
           "reason": "Only one person answered both surveys."}  # fmt: skip
    assert reading(row) == "Confidence: no result. Only one person answered both surveys."
    no_spread = {**PAIRED, "mean_change": 0.0, "g_av": np.nan, "g_av_ci_low": np.nan,
                 "reason": "Everyone changed by the same amount."}  # fmt: skip
    text = reading(no_spread)
    assert text.endswith("No effect size: Everyone changed by the same amount.")
    assert reading({"item": "practice", "mean_change": pd.NA}).endswith("enough data for a result.")


def test_items_are_named_by_their_question_and_constructs_humanised():
    instrument = default_instrument()
    item = reading({**PAIRED, "item": "conf_1"}, instrument=instrument)
    assert item.startswith(f'"{instrument.item("conf_1").text.strip()}" rose by')
    assert humanise("subject_knowledge") == "Subject knowledge"
    assert humanise("subject_knowledge", instrument) == "Subject knowledge"
    assert reading(PAIRED, measure_name="Confidence in teaching").startswith(
        "Confidence in teaching rose"
    )
    assert "on the 0-10 scale" in reading(PAIRED, scale_min=0, scale_max=10)


def test_pupil_reading_gives_marks_schools_months_and_national_gap():
    row = {"n_paired": 812, "n_schools": 24, "mean_pre": 17.3, "mean_post": 19.4,
           "mean_change": 2.1, "ci_low": 1.6, "ci_high": 2.6, "g_av": 0.52,
           "g_av_ci_low": 0.4, "g_av_ci_high": 0.64, "eef_months": 6, "national_year": "2024/25",
           "national_mean": 21.0}  # fmt: skip
    text = pupil_reading(pd.Series(row))
    assert text.startswith("MTC scores rose by 2.1 marks out of 25 (from 17.3 to 19.4")
    assert "a medium change (effect size 0.52" in text
    assert "among 812 pupils in 24 schools" in text
    assert "about 6 months' additional progress on the EEF scale" in text
    assert "progress pupils make anyway" in text
    assert "1.6 marks below the national average for 2024/25 (21.0)" in text
    down = pupil_reading({**row, "mean_change": -0.5, "eef_months": -1, "mean_post": 21.5})
    assert "about 1 month's less progress" in down and "0.5 marks above" in down


def test_pupil_reading_without_pairs_or_schools_explains_why():
    assert (
        pupil_reading(
            {"mean_change": np.nan, "reason": "No pupil has both a first (pre) and a second score."}
        )
        == "MTC scores: no result. No pupil has both a first (pre) and a second score."
    )
    one_school = {"n_paired": 20, "n_schools": 1, "mean_pre": 15.0, "mean_post": 18.0,
                  "mean_change": 3.0, "ci_low": np.nan, "ci_high": np.nan, "g_av": 0.5,
                  "eef_months": 6, "national_mean": np.nan,
                  "reason": "All pupils are from one school."}  # fmt: skip
    text = pupil_reading(one_school)
    assert "in 1 school" in text and text.endswith("All pupils are from one school.")


def test_reliability_reading_words_each_band():
    row = {"construct": "subject_knowledge", "n": 80, "k": 3, "alpha": 0.55, "ci_low": 0.35,
           "ci_high": 0.7}  # fmt: skip
    text = reliability_reading(row)
    assert text.startswith("Subject knowledge: Cronbach's alpha is 0.55 (95% CI 0.35 to 0.70)")
    assert "poor" in text and "one by one" in text
    assert "redundant" in reliability_reading({**row, "alpha": 0.95})
    missing = reliability_reading({**row, "alpha": np.nan, "reason": "Only one question."})
    assert missing == "Subject knowledge: no result. Only one question."


def test_attrition_reading_says_whether_leavers_differed():
    row = {
        "construct": "confidence",
        "n_pre": 50,
        "n_completers": 42,
        "pct_retained": 84.0,
        "mean_completers": 3.40,
        "mean_leavers": 3.38,
        "difference": 0.02,
        "g": 0.03,
    }
    text = attrition_reading(row)
    assert text.startswith("Of 50 teachers who answered the first survey, 42 (84%)")
    assert "about the same on Confidence" in text and "much like those who stayed" in text
    different = attrition_reading({**row, "mean_leavers": 2.4, "difference": 1.0, "g": -0.9})
    assert "scored 1.0 point lower" in different and "may not represent" in different
    no_leavers = attrition_reading({**row, "g": np.nan, "reason": "no one left."})
    assert no_leavers.endswith("answered the second. no one left.")
    assert attrition_reading({"pct_retained": np.nan, "reason": "No codes."}) == "No codes."


def test_counts_in_every_reading_have_thousands_separators():
    # Written out as the NCETM annual report writes them ("7,576 primary schools").
    big = {**PAIRED, "n_paired": 7770.0}
    assert "among 7,770 teachers who answered both surveys" in reading(big)
    unpaired = {**PAIRED, "design": "unpaired", "n_pre": 12345, "n_post": 1000}
    assert "comparing 12,345 teachers before with 1,000 after" in reading(unpaired)
    pupils = {"n_paired": 98765, "n_schools": 1111, "mean_pre": 17.3, "mean_post": 19.4,
              "mean_change": 2.1, "g_av": 0.45}  # fmt: skip
    assert "among 98,765 pupils in 1,111 schools" in pupil_reading(pupils)
    alpha = {"construct": "confidence", "n": 4582, "k": 3, "alpha": 0.82}
    assert "3 questions answered by 4,582 people" in reliability_reading(alpha)
    leavers = {"construct": "confidence", "n_pre": 2037, "n_completers": 1500,
               "pct_retained": 73.6, "mean_completers": 3.4, "mean_leavers": 3.38,
               "difference": 0.02, "g": 0.03}  # fmt: skip
    assert attrition_reading(leavers).startswith(
        "Of 2,037 teachers who answered the first survey, 1,500 (74%)"
    )
    assert "among 999 teachers" in reading({**PAIRED, "n_paired": 999})


numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=False, width=32), st.none())


@given(numbers, numbers, numbers, numbers, numbers, st.sampled_from(["paired", "unpaired"]))
def test_reading_never_fails_and_direction_matches_the_sign(change, pre, post, g, low, design):
    row = {"item": "practice", "design": design, "n_pre": 10, "n_post": 9, "n_paired": 8,
           "mean_change": change, "mean_pre": pre, "mean_post": post, "g_av": g,
           "g_av_ci_low": low, "g_av_ci_high": None if low is None else abs(low)}  # fmt: skip
    text = reading(row)
    assert text.startswith("Practice")
    if change is None or not math.isfinite(change):
        assert "no result" in text
    elif round(change, 1) > 0:
        assert " rose by " in text
    elif round(change, 1) < 0:
        assert " fell by " in text
    else:
        assert "stayed about the same" in text
    assert "nan" not in text.lower()


# ------------------------------------------------------------------ view readings


def _hidden_views() -> dict[str, list[str]]:
    """Every reading that mentions hidden groups, each given one hidden row."""
    from evaluation.presentation import readings

    pooled = {"k": 3, "k_suppressed": 1, "estimate": 0.4, "ci_low": 0.2, "ci_high": 0.6}
    hubs = pd.DataFrame(
        {
            "hub": ["A", "B"],
            "n_paired": [20.0, np.nan],
            "d_z": [0.3, np.nan],
            "d_z_se": [0.23, np.nan],
            "sd_change": [1.0, np.nan],
            "suppressed": [False, True],
        }
    )
    trend = pd.DataFrame(
        {
            "level": ["hub", "hub"],
            "series": "A",
            "estimate": [0.3, np.nan],
            "academic_year": ["2023/24", "2024/25"],
            "suppressed": [False, True],
        }
    )
    counts = pd.DataFrame(
        {
            "academic_year": "2024/25",
            "ncp": ["P", "Q"],
            "participants": [12.0, np.nan],
            "schools": [3.0, np.nan],
            "work_groups": [1.0, np.nan],
            "suppressed": [False, True],
        }
    )
    beside = pd.DataFrame(
        {
            "ncp": ["P", "Q"],
            "item": "confidence",
            "hub_estimate": [0.5, np.nan],
            "national_estimate": [0.4, 0.3],
            "hub_suppressed": [False, True],
            "band": ["within", None],
        }
    )
    return {
        "pooled": readings.pooled_reading(pooled, outcome="confidence", ncp="P"),
        "funnel": readings.funnel_reading(
            hubs, pd.Series({"estimate": 0.3, "tau2": 0.0}), effect="d_z"
        ),
        "trend": readings.trend_reading(trend),
        "participation": readings.participation_reading(counts, hub="A"),
        "hub_beside_national": readings.hub_beside_national_reading(beside, hub="A"),
        "rule": [readings.suppression_rule()],
    }


def test_every_hidden_group_note_quotes_the_configured_minimum(monkeypatch):
    monkeypatch.setenv("IMPACT_MIN_N", "10")
    for view, lines in _hidden_views().items():
        text = " ".join(lines)
        assert "fewer than 10" in text, view
        assert "fewer than 5" not in text, view


def test_without_configuration_the_notes_quote_the_default_minimum(monkeypatch):
    from evaluation.stats.disclosure import DEFAULT_MIN_N

    monkeypatch.delenv("IMPACT_MIN_N", raising=False)
    for view, lines in _hidden_views().items():
        assert f"fewer than {DEFAULT_MIN_N} " in " ".join(lines), view


def test_the_pooled_effect_has_one_wording_with_the_effect_size_words():
    from evaluation.presentation.readings import pooled_reading

    row = {"k": 4, "estimate": 0.55, "ci_low": 0.3, "ci_high": 0.8}
    (line,) = pooled_reading(row, outcome="subject_knowledge", ncp="P")
    assert line == (
        "Across 4 hubs, subject knowledge in P changed by 0.55 (95% CI 0.30 to 0.80): "
        f"{effect_label(0.55)}."
    )
    assert pooled_reading({"k": 0}, outcome="confidence", ncp="P") == [
        "No hub in P has enough matched respondents to show."
    ]
