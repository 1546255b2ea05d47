"""Retention and completer-versus-leaver baseline differences (evaluation.stats.attrition)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from evaluation.instruments import default_instrument
from evaluation.stats.attrition import ATTRITION_COLUMNS, attrition

INSTRUMENT = default_instrument()
ITEMS = list(INSTRUMENT.item_ids)


def _surveys(seed: int, n_hubs: int = 5) -> pd.DataFrame:
    """Pre answers for everyone; a post for a random ~70%; a few joiners with only a post."""
    rng = np.random.default_rng(seed)
    rows = []
    for h in range(n_hubs):
        n = int(rng.integers(3, 40))
        for i in range(n):
            pid = f"h{h}-p{i}"
            answers = np.clip(np.round(rng.normal(3, 1.1, 9)), 1, 5)
            rows.append(
                {
                    "hub": f"Hub {h}",
                    "respondent_id": pid,
                    "phase": "pre",
                    **dict(zip(ITEMS, answers, strict=True)),
                }
            )
            if rng.random() < 0.7:
                rows.append(
                    {
                        "hub": f"Hub {h}",
                        "respondent_id": pid,
                        "phase": "post",
                        **dict(zip(ITEMS, np.clip(answers + 1, 1, 5), strict=True)),
                    }
                )
        for j in range(int(rng.integers(0, 3))):
            rows.append(
                {
                    "hub": f"Hub {h}",
                    "respondent_id": f"h{h}-new{j}",
                    "phase": "post",
                    **dict(zip(ITEMS, [4.0] * 9, strict=True)),
                }
            )
    return pd.DataFrame(rows)


def _construct(frame: pd.DataFrame, construct: str) -> pd.Series:
    """Construct score written out: mean of answered items, reverse-coded ones flipped 6 - x."""
    items = INSTRUMENT.items_of(construct)
    scored = frame[list(items)].copy()
    for item in items:
        if INSTRUMENT.item(item).reverse:
            scored[item] = 6 - scored[item]
    return scored.mean(axis=1)


def test_counts_for_a_hand_built_group():
    frame = pd.DataFrame(
        {
            "respondent_id": ["a", "b", "c", "d", "a", "b", "e", "e", None],
            "phase": ["pre", "pre", "pre", "pre", "post", "post", "post", "post", "pre"],
            "conf_1": [4.0, 5, 2, 1, 5, 5, 3, 3, 2],
        }
    )
    row = attrition(frame, INSTRUMENT).set_index("construct").loc["confidence"]
    assert (row["n_pre"], row["n_post"], row["n_completers"]) == (4, 3, 2)
    assert (row["n_leavers"], row["n_joiners"], row["n_no_id"]) == (2, 1, 1)
    assert row["pct_retained"] == 50.0
    assert row["mean_completers"] == 4.5 and row["mean_leavers"] == 1.5
    assert row["difference"] == 3.0
    assert list(attrition(frame, INSTRUMENT).columns) == list(ATTRITION_COLUMNS)


def test_baseline_difference_matches_pingouin_and_scipy_in_every_group():
    surveys = _surveys(seed=7)
    result = attrition(surveys, INSTRUMENT, by=["hub"]).set_index(["hub", "construct"])
    checked = 0
    for hub, group in surveys.groupby("hub"):
        pre = group[group["phase"] == "pre"]
        post_ids = set(group.loc[group["phase"] == "post", "respondent_id"])
        stayed = pre["respondent_id"].isin(post_ids)
        for construct in INSTRUMENT.constructs:
            score = _construct(pre, construct)
            x, y = score[stayed].to_numpy(), score[~stayed].to_numpy()
            row = result.loc[(hub, construct)]
            assert row["n_completers"] == stayed.sum() and row["n_leavers"] == (~stayed).sum()
            if len(x) < 2 or len(y) < 2:
                assert np.isnan(row["g"]) and row["reason"]
                continue
            # pingouin 0.5+: compute_effsize / compute_esci (Hedges' g, t-based CI)
            g = pg.compute_effsize(x, y, paired=False, eftype="hedges")
            ci = pg.compute_esci(g, len(x), len(y), eftype="hedges", decimals=12)
            welch = stats.ttest_ind(x, y, equal_var=False)  # SciPy 1.17
            assert row["g"] == pytest.approx(g, abs=1e-9)
            assert row[["g_ci_low", "g_ci_high"]].to_numpy(float) == pytest.approx(ci, abs=1e-9)
            assert row["t"] == pytest.approx(welch.statistic, abs=1e-9)
            assert row["df"] == pytest.approx(welch.df, abs=1e-9)
            assert row["p"] == pytest.approx(welch.pvalue, abs=1e-9)
            assert row["difference"] == pytest.approx(x.mean() - y.mean(), abs=1e-12)
            checked += 1
    assert checked >= 6


def test_repeated_rows_of_one_person_count_once_and_are_averaged():
    frame = pd.DataFrame(
        {
            "respondent_id": ["a", "a", "b", "c", "d", "a", "b"],
            "phase": ["pre", "pre", "pre", "pre", "pre", "post", "post"],
            "conf_1": [2.0, 4, 4, 1, 2, 5, 5],
        }
    )
    row = attrition(frame, INSTRUMENT).iloc[0]
    assert row["n_pre"] == 4 and row["n_completers"] == 2 and row["n_post"] == 2
    assert row["mean_completers"] == pytest.approx((3.0 + 4.0) / 2)


def test_degenerate_groups_explain_themselves_without_warnings():
    frame = pd.DataFrame(
        {
            "hub": ["All stay"] * 4 + ["All leave"] * 2 + ["No codes"] * 2 + ["Post only"],
            "respondent_id": ["a", "b", "a", "b", "c", "d", None, None, "e"],
            "phase": ["pre", "pre", "post", "post", "pre", "pre", "pre", "post", "post"],
            "conf_1": [3.0, 4, 4, 4, 2, 3, 3, 4, 5],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = attrition(frame, INSTRUMENT, by=["hub"])
    rows = result[result["construct"] == "confidence"].set_index("hub")
    assert "no one left" in rows.loc["All stay", "reason"]
    assert rows.loc["All stay", "pct_retained"] == 100.0
    assert (
        "No one who answered the first survey answered the second"
        in rows.loc["All leave", "reason"]
    )
    assert rows.loc["All leave", "pct_retained"] == 0.0
    assert "participant code" in rows.loc["No codes", "reason"]
    assert np.isnan(rows.loc["No codes", "pct_retained"])
    assert "first (pre) survey" in rows.loc["Post only", "reason"]
    assert result["g"].isna().all()
    # a construct nobody answered: counts still there, comparison explained
    practice = result[result["construct"] == "practice"].set_index("hub")
    assert practice.loc["All stay", "n_pre"] == 2


def test_too_few_scored_leavers_or_no_spread_is_explained():
    frame = pd.DataFrame(
        {
            "hub": ["One leaver"] * 5 + ["Flat"] * 6,
            "respondent_id": ["a", "b", "c", "a", "b", "p", "q", "r", "s", "p", "q"],
            "phase": ["pre"] * 3 + ["post"] * 2 + ["pre"] * 4 + ["post"] * 2,
            "conf_1": [3.0, 4, 2, 4, 4, 3, 3, 3, 3, 4, 4],
        }
    )
    rows = attrition(frame, INSTRUMENT, by=["hub"]).set_index(["hub", "construct"])
    assert "Fewer than two people who left" in rows.loc[("One leaver", "confidence"), "reason"]
    flat = rows.loc[("Flat", "confidence")]
    assert flat["difference"] == 0.0 and np.isnan(flat["g"])
    assert "same score" in flat["reason"]


@given(st.randoms(use_true_random=False))
def test_row_order_never_matters(rnd):
    surveys = _surveys(seed=11, n_hubs=3)
    rows = list(range(len(surveys)))
    rnd.shuffle(rows)
    base = attrition(surveys, INSTRUMENT, by=["hub"])
    again = attrition(surveys.iloc[rows], INSTRUMENT, by=["hub"])
    pd.testing.assert_frame_equal(base, again, check_exact=False, atol=1e-9, rtol=0)


@given(
    st.lists(
        st.tuples(st.integers(0, 12), st.sampled_from(["pre", "post"]), st.integers(1, 5)),
        min_size=1,
        max_size=40,
    )
)
def test_counts_always_add_up(records):
    frame = pd.DataFrame(records, columns=["respondent_id", "phase", "conf_1"])
    frame["respondent_id"] = frame["respondent_id"].astype(str)
    frame["conf_1"] = frame["conf_1"].astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        row = attrition(frame, INSTRUMENT).iloc[0]
    pre = set(frame.loc[frame["phase"] == "pre", "respondent_id"])
    post = set(frame.loc[frame["phase"] == "post", "respondent_id"])
    assert row["n_completers"] == len(pre & post)
    assert row["n_leavers"] + row["n_completers"] == row["n_pre"] == len(pre)
    assert row["n_joiners"] + row["n_completers"] == row["n_post"] == len(post)
    if pre:
        assert row["pct_retained"] == pytest.approx(100 * len(pre & post) / len(pre))
    assert np.isnan(row["g"]) or row["g_ci_low"] <= row["g"] <= row["g_ci_high"]


def test_committed_sample_counts_add_up_per_work_group(sample_dir):
    surveys = pd.read_csv(sample_dir / "surveys.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = attrition(surveys, INSTRUMENT, by=["hub", "ncp", "academic_year", "work_group"])
    assert (result["n_completers"] + result["n_leavers"] == result["n_pre"]).all()
    assert result["pct_retained"].between(0, 100).all()
    assert (result["g"].notna() | result["reason"].notna()).all()


def _stay_and_leave(stay_scores, leave_scores):
    """Pre rows for everyone (conf_1 and conf_2 equal to the score), post rows for stayers."""
    ids = [f"s{i}" for i in range(len(stay_scores))] + [f"l{i}" for i in range(len(leave_scores))]
    pre = np.r_[stay_scores, leave_scores].astype(float)
    return pd.DataFrame(
        {
            "respondent_id": ids + ids[: len(stay_scores)],
            "phase": ["pre"] * len(ids) + ["post"] * len(stay_scores),
            "conf_1": np.r_[pre, np.full(len(stay_scores), 3.0)],
            "conf_2": np.r_[pre, np.full(len(stay_scores), 3.0)],
        }
    )


def test_two_leavers_give_no_verdict_and_say_why():
    # failed before: a point estimate from 2 leavers was enough for "may not represent everyone"
    rng = np.random.default_rng(1)
    frame = _stay_and_leave(rng.integers(3, 6, 30), [1, 2])
    row = attrition(frame, INSTRUMENT, min_n=5).iloc[0]
    assert np.isfinite(row["g"]) and abs(row["g"]) > 0.8
    assert row["verdict"] is None
    assert "left" in row["reason"] and "(2)" in row["reason"] and "at least 5" in row["reason"]


def test_verdict_follows_the_interval_of_g():
    rng = np.random.default_rng(2)
    stay = rng.integers(3, 6, 40)
    for leave, expected in ((rng.integers(1, 4, 30), "different"), (rng.integers(3, 6, 30), None)):
        row = attrition(_stay_and_leave(stay, leave), INSTRUMENT, min_n=5).iloc[0]
        g = pg.compute_effsize(stay.astype(float), leave.astype(float), eftype="hedges")
        low, high = pg.compute_esci(g, nx=len(stay), ny=len(leave), eftype="cohen", decimals=10)
        excludes = low > 0 or high < 0
        assert row["verdict"] == ("different" if excludes else "no clear difference")
        if expected == "different":
            assert excludes
