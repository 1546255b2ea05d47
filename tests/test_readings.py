"""Plain-English readings of result rows and the effect-size wording
(evaluation.presentation.readings)."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation.instruments import default_instrument
from evaluation.presentation.readings import (
    EFFECT_BANDS,
    MONTHS_NOT_SHOWN,
    attrition_reading,
    could_be_chance,
    effect_label,
    humanise,
    months_sentence,
    pooled_reading,
    pupil_reading,
    reading,
    reliability_reading,
)
from evaluation.stats.comparisons import compare

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


def test_pupil_reading_gives_marks_schools_and_national_gap_but_no_months():
    row = {"n_paired": 812, "n_schools": 24, "mean_pre": 17.3, "mean_post": 19.4,
           "mean_change": 2.1, "ci_low": 1.6, "ci_high": 2.6, "g_av": 0.52,
           "g_av_ci_low": 0.4, "g_av_ci_high": 0.64, "eef_months": 6, "national_year": "2024/25",
           "national_mean": 21.0}  # fmt: skip
    text = pupil_reading(pd.Series(row))
    assert text.startswith("MTC scores rose by 2.1 marks out of 25 (from 17.3 to 19.4")
    assert "a medium change (effect size 0.52" in text
    assert "among 812 pupils in 24 schools" in text
    assert "progress pupils make anyway" in text
    assert "1.6 marks below the national average for 2024/25 (21.0)" in text
    down = pupil_reading({**row, "mean_change": -0.5, "eef_months": -1, "mean_post": 21.5})
    assert "0.5 marks above" in down


def test_pre_post_pupil_change_never_shows_months_or_additional_progress():
    # Item 4: without a comparison group, no months and no "additional progress"; one sentence
    # says why. (Before: "about 6 months' additional progress on the EEF scale".)
    row = {"n_paired": 40, "n_schools": 4, "mean_pre": 17.0, "mean_post": 19.0,
           "mean_change": 2.0, "ci_low": 1.0, "ci_high": 3.0, "g_av": 0.45,
           "g_av_ci_low": 0.3, "g_av_ci_high": 0.6, "eef_months": 6, "national_year": "2024/25",
           "national_mean": 21.0}  # fmt: skip
    text = pupil_reading(row)
    assert "additional progress" not in text
    assert "6 months" not in text
    assert text.endswith(MONTHS_NOT_SHOWN)
    assert MONTHS_NOT_SHOWN == "Months' progress needs a comparison group; see Methods."
    assert "below the national average for 2024/25" in text


def test_months_sentence_for_a_comparison_group_uses_the_eef_rating_not_cohen():
    # D8: "a small change" next to "6 months" (EEF: high impact) can no longer be written.
    text = months_sentence(0.45, (0.3, 0.6))
    assert "6 months' additional progress" in text and "high impact" in text
    assert not any(f" {word} " in text for _, word in EFFECT_BANDS)
    # Months are not given when the interval includes zero.
    assert "no months' progress" in months_sentence(0.45, (-0.05, 0.95))
    assert "2 months' less progress" in months_sentence(-0.15, (-0.25, -0.05))


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
    assert "in 1 school." in text and "All pupils are from one school." in text


def test_one_pupil_and_one_teacher_are_singular():
    # D8: "among 1 pupils".
    one = {"n_paired": 1, "n_schools": 1, "mean_pre": 15.0, "mean_post": 18.0,
           "mean_change": 3.0}  # fmt: skip
    assert "among 1 pupil in 1 school" in pupil_reading(one)
    assert "among 1 teacher who answered both surveys" in reading({**PAIRED, "n_paired": 1})
    assert "among 2 pupils in 2 schools" in pupil_reading({**one, "n_paired": 2, "n_schools": 2})


def test_about_the_same_is_never_paired_with_a_bigger_effect_size():
    # D8: "stayed about the same ..., a small change (effect size 0.45)".
    text = reading({**PAIRED, "mean_change": 0.04, "mean_post": 2.94, "g_av": 0.45,
                    "g_av_ci_low": 0.2, "g_av_ci_high": 0.7})  # fmt: skip
    assert "stayed about the same" not in text
    assert text.startswith("Confidence rose by 0.04 points") and "a small change" in text
    same = reading({**PAIRED, "mean_change": 0.02, "mean_post": 2.92, "g_av": 0.05,
                    "g_av_ci_low": -0.2, "g_av_ci_high": 0.3})  # fmt: skip
    assert "stayed about the same" in same and "a very small change" in same


def test_unpaired_weaker_evidence_is_said_once():
    # D8: a real unpaired row with no effect size (its reason already says "weaker evidence").
    long = pd.DataFrame({"respondent_id": [None] * 4, "phase": ["pre"] * 2 + ["post"] * 2,
                         "item": "confidence", "score": [3.0, 3, 3, 3]})  # fmt: skip
    row = compare(long).iloc[0]
    assert row["design"] == "unpaired" and not np.isfinite(row["g_av"])
    assert reading(row).count("weaker evidence") == 1
    assert reading({**row.to_dict(), "g_av": 0.3}).count("weaker evidence") == 1


def test_reliability_reading_words_each_band():
    row = {"construct": "subject_knowledge", "n": 80, "k": 3, "alpha": 0.55, "ci_low": 0.35,
           "ci_high": 0.7}  # fmt: skip
    text = reliability_reading(row)
    assert text.startswith("Subject knowledge: Cronbach's alpha is 0.55 (95% CI 0.35 to 0.70)")
    assert "poor" in text and "one by one" in text
    assert "redundant" in reliability_reading({**row, "alpha": 0.95})
    missing = reliability_reading({**row, "alpha": np.nan, "reason": "Only one question."})
    assert missing == "Subject knowledge: no result. Only one question."


def test_attrition_reading_follows_the_verdict_of_its_interval():
    row = {
        "construct": "confidence",
        "n_pre": 50,
        "n_completers": 42,
        "pct_retained": 84.0,
        "mean_completers": 3.40,
        "mean_leavers": 3.38,
        "difference": 0.02,
        "g": 0.03,
        "g_ci_low": -0.7,
        "g_ci_high": 0.8,
        "verdict": "no clear difference",
    }
    text = attrition_reading(row)
    assert text.startswith("Of 50 teachers who answered the first survey, 42 (84%)")
    assert "about the same on Confidence" in text and "could be chance" in text
    assert "may not represent" not in text
    different = attrition_reading({**row, "mean_leavers": 2.4, "difference": 1.0, "g": -0.9,
                                   "g_ci_low": -1.6, "g_ci_high": -0.2,
                                   "verdict": "different"})  # fmt: skip
    assert "scored 1.0 point lower" in different and "may not represent" in different
    no_leavers = attrition_reading({**row, "g": np.nan, "reason": "no one left."})
    assert no_leavers.endswith("answered the second. no one left.")
    assert attrition_reading({"pct_retained": np.nan, "reason": "No codes."}) == "No codes."


def test_two_leavers_give_no_attrition_verdict():
    # Before: "may not represent everyone who started" from the point estimate with 2 leavers.
    from evaluation.stats.attrition import attrition

    ids = [f"p{i}" for i in range(12)]
    wide = pd.DataFrame({
        "respondent_id": ids + ids[:10],
        "phase": ["pre"] * 12 + ["post"] * 10,
        "conf_1": [4.0, 4, 5, 4, 5, 4, 4, 5, 4, 5, 1, 2] + [4.0] * 10,
        "conf_2": [4.0, 5, 4, 4, 5, 4, 5, 4, 4, 5, 1, 1] + [4.0] * 10,
        "conf_3": [5.0, 4, 4, 5, 4, 4, 5, 4, 5, 4, 2, 1] + [4.0] * 10,
    })  # fmt: skip
    table = attrition(wide, default_instrument(), min_n=5)
    row = table[table["construct"].eq("confidence")].iloc[0]
    assert row["n_leavers"] == 2 and row["verdict"] is None
    text = attrition_reading(row)
    assert "may not represent" not in text and "much like" not in text
    assert "Too few people who left" in text


def test_alpha_from_two_people_is_not_labelled():
    # Before: "Cronbach's alpha is ... from 2 people, poor: ..." (CI -37.5 to 0.999).
    from evaluation.stats.reliability import ALPHA_MIN_N, cronbach_alpha

    wide = pd.DataFrame({"respondent_id": ["a", "b"], "phase": "pre",
                         "conf_1": [2.0, 4], "conf_2": [3.0, 5], "conf_3": [4.0, 1]})  # fmt: skip
    row = cronbach_alpha(wide, default_instrument()).iloc[0]
    text = reliability_reading(row)
    assert "answered by 2 people." in text
    assert f"at least {ALPHA_MIN_N}" in text
    for band in ("excellent", "good", "acceptable", "questionable", "poor"):
        assert band not in text


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
    elif round(change, 2) == 0 or g is None or not math.isfinite(g) or abs(g) < 0.2:
        assert "stayed about the same" in text
    else:  # a change below 0.05 points that is not a very small effect: two decimals, signed
        assert (" rose by 0.0" if change > 0 else " fell by 0.0") in text
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


def test_the_pooled_effect_has_one_wording_that_names_d_z_and_counts_hubs():
    row = {"k": 4, "estimate": 0.55, "ci_low": 0.3, "ci_high": 0.8, "effect": "d_z"}
    (line,) = pooled_reading(row, outcome="subject_knowledge", ncp="P")
    assert line == (
        "Pooling 4 hubs, the standardised change (d_z) in subject knowledge in P is 0.55 "
        "(95% CI 0.30 to 0.80)."
    )
    assert pooled_reading({"k": 0}, outcome="confidence", ncp="P") == [
        "No hub in P has enough matched respondents to show."
    ]


def test_pooled_i2_is_already_a_percentage():
    # D3: i2 = 0.3 (%) was shown as "I² = 30%".
    row = {"k": 3, "estimate": 0.4, "ci_low": 0.1, "ci_high": 0.7}
    lines = pooled_reading({**row, "i2": 0.3}, outcome="confidence", ncp="P")
    assert "I² = 0%: " in lines[1]
    lines = pooled_reading({**row, "i2": 45.2}, outcome="confidence", ncp="P")
    assert "I² = 45%: " in lines[1]


COHEN_WORDS = [word for _, word in EFFECT_BANDS]


def _has_cohen_word(text: str) -> bool:
    return any(re.search(rf"\b{word}\b", text) for word in COHEN_WORDS)


@pytest.mark.parametrize("effect", ["d_z", "mean_change"])
def test_no_cohen_words_on_pooled_d_z_or_on_scale_points(effect):
    # D4: "changed by 0.60: medium" on raw points, and Cohen's words on pooled d_z.
    row = {"k": 5, "estimate": 0.6, "ci_low": 0.3, "ci_high": 0.9, "effect": effect}
    text = " ".join(pooled_reading(row, outcome="confidence", ncp="P"))
    assert not _has_cohen_word(text), text
    assert ("d_z" in text) == (effect == "d_z")
    assert ("scale points" in text) == (effect == "mean_change")
    from evaluation.presentation.readings import overview_reading

    overview = pd.DataFrame({"ncp": ["P"], "item": ["confidence"], "estimate": [0.6],
                             "ci_low": [0.3], "ci_high": [0.9], "k": [4],
                             "effect": [effect]})  # fmt: skip
    assert not _has_cohen_word(" ".join(overview_reading(overview)))


def test_could_be_chance_follows_the_adjusted_p_then_the_interval():
    # D2/D4: the sentences never used p_adj. The interval excludes 0, but the family-adjusted
    # p says chance: the reading must say so; and the other way round.
    adjusted = {**PAIRED, "g_av_ci_low": 0.05, "g_av_ci_high": 1.1, "p_adj": 0.2}
    assert "could be chance" in reading(adjusted) and "adjusted p = 0.20" in reading(adjusted)
    clear = {**PAIRED, "g_av_ci_low": -0.05, "g_av_ci_high": 1.1, "p_adj": 0.01}
    assert "could be chance" not in reading(clear)
    assert could_be_chance(clear) == (False, "p_adj")
    # No family adjustment: the interval quoted decides.
    assert "could be chance" in reading({**PAIRED, "g_av_ci_low": -0.05})
    # Teachers in Work Groups: the clustered interval of the change counts too.
    clustered = {**PAIRED, "p_adj": 0.01, "ci_low_cluster": -0.1, "ci_high_cluster": 1.7,
                 "cluster_note": "Only 3 Work Groups here: rough guide."}  # fmt: skip
    text = reading(clustered)
    assert "could be chance" in text and "allowing for Work Groups" in text
    assert text.endswith("Only 3 Work Groups here: rough guide.")
    # The pooled value uses the same rule.
    pooled = {"k": 3, "estimate": 0.3, "ci_low": -0.1, "ci_high": 0.7}
    assert "could be chance" in pooled_reading(pooled, outcome="confidence", ncp="P")[0]


def test_hidden_hubs_tell_small_and_secondary_reasons_apart(monkeypatch):
    # D7 wording: "N hubs hidden: fewer than 5 people" also counted hubs of 5+ hidden for a
    # secondary reason.
    from evaluation.presentation.readings import funnel_reading
    from evaluation.stats.national import hub_effects, pool_hubs

    monkeypatch.setenv("IMPACT_MIN_N", "5")
    res = pd.DataFrame({"hub": ["A", "B", "C", "D"], "ncp": "P", "item": "confidence",
                        "n_paired": [3, 30, 40, 50], "mean_change": [0.5, 0.4, 0.2, 0.3],
                        "sd_change": [1.0, 0.8, 0.9, 1.0],
                        "d_z": [0.5, 0.5, 0.22, 0.3]})  # fmt: skip
    hubs = hub_effects(res, min_n=5)
    pooled = pool_hubs(hubs)
    lines = pooled_reading(pooled, outcome="confidence", ncp="P", hubs=hubs)
    assert lines[0].startswith("Pooling 3 hubs,")
    assert "1 hub hidden [c]: fewer than 5 people." in lines
    assert any("hidden [c] as well, so the smaller hidden hubs cannot be worked out" in line
               for line in lines)  # fmt: skip
    funnel = funnel_reading(hubs, pooled, effect="d_z")
    assert "1 hub not drawn [c]: fewer than 5 people." in funnel
    assert sum("fewer than" in line for line in funnel) == 1


def test_methods_page_names_the_methods_and_reads_thresholds_from_configuration(monkeypatch):
    from evaluation.presentation.readings.methods import METHODS_REFERENCES, methods_sections
    from evaluation.stats.clustering import MIN_CLUSTERS

    monkeypatch.setenv("IMPACT_MIN_N", "7")
    text = " ".join(body for _, body in methods_sections())
    # One word for the lowest band, the one the readings use (D8: "negligible").
    assert "negligible" not in text and f"{EFFECT_BANDS[0][1]} (below 0.2)" in text
    # g_av: Lakens' average SD, Bonett's interval (D8: it cited Cumming 2012).
    assert "Cumming" not in text + METHODS_REFERENCES
    assert "Lakens 2013" in text and "Bonett's (2015)" in text
    assert "Bonett, D. G. (2015)" in METHODS_REFERENCES
    for method in ("noncentral t", "Knapp-Hartung", "k - 1 degrees", "CR1",
                   f"fewer than {MIN_CLUSTERS} Work Groups", "Months' progress needs a",
                   "fewer than 7 people", "questions they answered **both times**"):  # fmt: skip
        assert method in text, method
    assert "fewer than 5 " not in text


def test_impact_readings_name_the_project_only_when_the_table_holds_more_than_one():
    from evaluation.presentation.readings.impact import impact_readings, named_keys

    row = {"outcome": "MTC", "n_intervention": 40, "n_comparison": 38, "n_clusters": 8,
           "estimate": 1.0, "ci_low": 0.2, "ci_high": 1.8, "security": 2,
           "security_reason": "comparison group not chosen at random"}  # fmt: skip
    by = ["ncp", "academic_year"]
    projects = ["Mastering Number at KS2", "Primary Mastery Readiness", "Mastering Number at KS2"]
    years = ["2024/25", "2024/25", "2023/24"]
    several = pd.DataFrame([{**row, "ncp": p, "academic_year": y} for p, y in zip(
        projects, years, strict=True)])  # fmt: skip
    lines = impact_readings(several, by=named_keys(several, by))
    starts = [f"{p} · {y} · MTC: impact against" for p, y in zip(projects, years, strict=True)]
    assert [line[: len(s)] for line, s in zip(lines, starts, strict=True)] == starts
    one = several[several["ncp"].eq(projects[0])]
    lines = impact_readings(one, by=named_keys(one, by))
    assert [line.split(": ")[0] for line in lines] == ["2024/25 · MTC", "2023/24 · MTC"]
