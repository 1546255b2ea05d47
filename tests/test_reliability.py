"""Cronbach's alpha, its Feldt interval and item-total correlations
(evaluation.stats.reliability)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from evaluation.instruments import Instrument, Item, default_instrument
from evaluation.stats.reliability import (
    ALPHA_ADEQUATE,
    ALPHA_BANDS,
    ALPHA_MIN_N,
    alpha_label,
    cronbach_alpha,
    item_total_correlations,
)

INSTRUMENT = default_instrument()  # conf_3 and know_3 reverse-coded, scale 1-5


def _random_surveys(seed: int, n_groups: int = 6, missing: float = 0.0) -> pd.DataFrame:
    """Correlated 1-5 answers for several hubs; group sizes from 2 to 40."""
    rng = np.random.default_rng(seed)
    frames = []
    for g in range(n_groups):
        n = int(rng.integers(2, 41))
        latent = rng.normal(0, 1, (n, 1))
        answers = np.clip(np.round(3 + latent + rng.normal(0, 1, (n, 9))), 1, 5)
        frame = pd.DataFrame(answers, columns=INSTRUMENT.item_ids)
        if missing:
            frame = frame.mask(rng.random(frame.shape) < missing)
        frame["hub"] = f"Hub {g}"
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _scored(frame: pd.DataFrame, items: tuple[str, ...]) -> pd.DataFrame:
    """Items with reverse-coded ones flipped by hand (6 - x on a 1-5 scale)."""
    out = frame[list(items)].copy()
    for item in items:
        if INSTRUMENT.item(item).reverse:
            out[item] = 6 - out[item]
    return out


def test_alpha_equals_pingouin_on_every_random_group():
    surveys = _random_surveys(seed=1)
    result = cronbach_alpha(surveys, INSTRUMENT, by=["hub"]).set_index(["hub", "construct"])
    checked = 0
    for hub, group in surveys.groupby("hub"):
        for construct in INSTRUMENT.constructs:
            items = INSTRUMENT.items_of(construct)
            data = _scored(group, items)
            row = result.loc[(hub, construct)]
            if data.var().sum() == 0 or data.sum(axis=1).var() == 0:
                assert np.isnan(row["alpha"])
                continue
            # pingouin 0.5+: cronbach_alpha; alpha unrounded, CI rounded to 3 decimals
            expected, ci = pg.cronbach_alpha(data)
            assert row["alpha"] == pytest.approx(expected, abs=1e-9)
            assert row[["ci_low", "ci_high"]].to_numpy(float) == pytest.approx(ci, abs=5.1e-4)
            assert row["n"] == len(group) and row["k"] == 3
            checked += 1
    assert checked >= 12


def test_feldt_interval_equals_the_written_formula():
    surveys = _random_surveys(seed=2)
    result = cronbach_alpha(surveys, INSTRUMENT, by=["hub"], confidence=0.9)
    ok = result[result["alpha"].notna()]
    n, k, alpha = ok["n"].to_numpy(float), ok["k"].to_numpy(float), ok["alpha"].to_numpy()
    df1, df2 = n - 1, (n - 1) * (k - 1)
    # Feldt, Woodruff & Salih (1987): lower uses the upper 5% point of F, upper the lower 5%.
    lower = 1 - (1 - alpha) * stats.f.ppf(0.95, df1, df2)
    upper = 1 - (1 - alpha) * stats.f.ppf(0.05, df1, df2)
    np.testing.assert_allclose(ok["ci_low"], lower, rtol=0, atol=1e-9)
    np.testing.assert_allclose(ok["ci_high"], upper, rtol=0, atol=1e-9)
    assert (ok["ci_low"] <= ok["alpha"]).all() and (ok["alpha"] <= ok["ci_high"]).all()


def test_listwise_deletion_matches_pingouin_listwise():
    surveys = _random_surveys(seed=3, n_groups=3, missing=0.1)
    result = cronbach_alpha(surveys, INSTRUMENT, by=["hub"]).set_index(["hub", "construct"])
    for hub, group in surveys.groupby("hub"):
        for construct in INSTRUMENT.constructs:
            data = _scored(group, INSTRUMENT.items_of(construct))
            complete = data.dropna()
            row = result.loc[(hub, construct)]
            assert row["n"] == len(complete)
            if len(complete) >= 2 and complete.sum(axis=1).var() > 0:
                expected, _ = pg.cronbach_alpha(data, nan_policy="listwise")
                assert row["alpha"] == pytest.approx(expected, abs=1e-9)


def _instrument_for(columns: list[str], construct: str = "scale") -> Instrument:
    return Instrument("test", tuple(Item(col, col, construct) for col in columns), 0, 5)


def test_published_example_binary_items_with_missing_answers():
    # pingouin's `cronbach_wide_missing` data (real-statistics.com); R psych::alpha(data,
    # use = "complete.obs") gives 0.8016949 (value quoted in pingouin's documentation).
    data = pg.read_dataset("cronbach_wide_missing")
    data.columns = [col.strip("\ufeff") for col in data.columns]
    row = cronbach_alpha(data, _instrument_for(list(data.columns))).iloc[0]
    assert row["alpha"] == pytest.approx(0.8016949152542373, abs=1e-9)
    assert row["n"] == len(data.dropna()) and row["k"] == 11


def test_published_example_likert_long_format():
    # pingouin's `cronbach_alpha` data (real-statistics.com): psych::alpha gives 0.5917188,
    # 95% CI 0.195 to 0.840.
    long = pg.read_dataset("cronbach_alpha")
    wide = long.pivot(index="Subj", columns="Items", values="Scores").astype(float)
    row = cronbach_alpha(wide, _instrument_for(list(wide.columns))).iloc[0]
    assert row["alpha"] == pytest.approx(0.5917188485995826, abs=1e-9)
    assert row["ci_low"] == pytest.approx(0.195, abs=5e-4)
    assert row["ci_high"] == pytest.approx(0.840, abs=5e-4)


def test_alpha_equals_the_average_covariance_form():
    # Equivalent textbook form: alpha = k c / (v + (k - 1) c), with v the mean item variance
    # and c the mean inter-item covariance.
    data = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 1, 4, 3], "c": [1.0, 3, 2, 4]})
    cov = data.cov().to_numpy()
    k = 3
    v = np.diag(cov).mean()
    c = cov[np.triu_indices(k, 1)].mean()
    row = cronbach_alpha(data, _instrument_for(["a", "b", "c"])).iloc[0]
    assert row["alpha"] == pytest.approx(k * c / (v + (k - 1) * c), abs=1e-12)


def test_reverse_coded_items_are_flipped_before_alpha():
    frame = pd.DataFrame(
        {"conf_1": [1.0, 2, 3, 4, 5], "conf_2": [1.0, 2, 3, 4, 5], "conf_3": [5.0, 4, 3, 2, 1]}
    )
    row = cronbach_alpha(frame, INSTRUMENT).iloc[0]
    assert row["alpha"] == pytest.approx(1.0, abs=1e-12)  # identical after flipping conf_3


def test_groups_are_all_reported_even_with_missing_keys():
    surveys = _random_surveys(seed=4, n_groups=2)
    surveys.loc[:4, "hub"] = None
    result = cronbach_alpha(surveys, INSTRUMENT, by=["hub"])
    assert len(result) == 3 * 3
    assert result["hub"].isna().sum() == 3
    assert list(result.columns[:2]) == ["hub", "construct"]


def test_degenerate_constructs_give_nan_with_reason_and_no_warnings():
    inst = Instrument(
        "t",
        (
            Item("solo", "solo", "lonely"),
            Item("a", "a", "flat"),
            Item("b", "b", "flat"),
            Item("x", "x", "tiny"),
            Item("y", "y", "tiny"),
            Item("p", "p", "absent"),
            Item("q", "q", "absent"),
        ),
    )
    frame = pd.DataFrame(
        {
            "solo": [1.0, 2, 3],
            "a": [3.0, 3, 3],
            "b": [4.0, 4, 4],
            "x": [1.0, np.nan, np.nan],
            "y": [2.0, 3, np.nan],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = cronbach_alpha(frame, inst).set_index("construct")
        items = item_total_correlations(frame, inst)
    assert result["alpha"].isna().all()
    assert "at least two questions" in result.loc["lonely", "reason"]
    assert result.loc["lonely", "k"] == 1
    assert "same total" in result.loc["flat", "reason"]
    assert "Fewer than two people" in result.loc["tiny", "reason"]
    assert result.loc["tiny", "n"] == 1
    assert "None of this construct's questions" in result.loc["absent", "reason"]
    assert result["interpretation"].isna().all()
    assert items["r_item_rest"].isna().all() and items["reason"].notna().all()


def test_zero_variance_in_one_item_still_gives_alpha():
    frame = pd.DataFrame({"a": [3.0, 3, 3, 3], "b": [1.0, 2, 4, 5], "c": [2.0, 2, 5, 4]})
    row = cronbach_alpha(frame, _instrument_for(["a", "b", "c"]), min_n=2).iloc[0]
    expected, _ = pg.cronbach_alpha(frame)
    assert row["alpha"] == pytest.approx(expected, abs=1e-12) and row["reason"] is None
    items = item_total_correlations(frame, _instrument_for(["a", "b", "c"])).set_index("item")
    assert np.isnan(items.loc["a", "r_item_rest"])
    assert "same answer" in items.loc["a", "reason"]


def test_item_rest_correlations_equal_numpy_per_group():
    surveys = _random_surveys(seed=5, n_groups=4, missing=0.05)
    table = item_total_correlations(surveys, INSTRUMENT, by=["hub"]).set_index(["hub", "item"])
    for hub, group in surveys.groupby("hub"):
        for construct in INSTRUMENT.constructs:
            items = INSTRUMENT.items_of(construct)
            data = _scored(group, items).dropna()
            for item in items:
                rest = data.drop(columns=item).sum(axis=1)
                row = table.loc[(hub, item)]
                if len(data) < 2 or data[item].var() == 0 or rest.var() == 0:
                    assert np.isnan(row["r_item_rest"])
                    continue
                expected = np.corrcoef(data[item], rest)[0, 1]
                assert row["r_item_rest"] == pytest.approx(expected, abs=1e-9)
                alpha_without, _ = pg.cronbach_alpha(data.drop(columns=item))
                assert row["alpha_if_deleted"] == pytest.approx(alpha_without, abs=1e-9)


def test_alpha_if_deleted_is_not_shown_for_two_item_constructs():
    frame = pd.DataFrame({"a": [1.0, 2, 3, 5], "b": [2.0, 2, 4, 5]})
    table = item_total_correlations(frame, _instrument_for(["a", "b"]))
    assert table["alpha_if_deleted"].isna().all()
    assert table["r_item_rest"].notna().all()
    assert table["reason"].str.contains("only one question").all()


@pytest.mark.parametrize(
    ("alpha", "label"),
    [(0.95, "excellent"), (0.9, "excellent"), (0.85, "good"), (0.7, "acceptable"),
     (0.65, "questionable"), (0.2, "poor"), (-3.0, "poor")],
)  # fmt: skip
def test_alpha_bands_follow_the_one_threshold_table(alpha, label):
    assert alpha_label(alpha).startswith(label)
    assert [t for t, _ in ALPHA_BANDS][:4] == [0.9, 0.8, 0.7, 0.6]


answers = st.lists(
    st.lists(st.integers(1, 5), min_size=4, max_size=4), min_size=3, max_size=25
).map(lambda rows: pd.DataFrame(rows, columns=["a", "b", "c", "d"], dtype="float64"))


@given(answers, st.permutations(["a", "b", "c", "d"]), st.randoms(use_true_random=False))
def test_alpha_ignores_item_and_row_order_and_never_exceeds_one(frame, order, rnd):
    base = cronbach_alpha(frame, _instrument_for(["a", "b", "c", "d"])).iloc[0]
    rows = list(range(len(frame)))
    rnd.shuffle(rows)
    shuffled = frame.iloc[rows][order]
    again = cronbach_alpha(shuffled, _instrument_for(order)).iloc[0]
    if np.isnan(base["alpha"]):
        assert np.isnan(again["alpha"]) and again["reason"] == base["reason"]
    else:
        assert again["alpha"] == pytest.approx(base["alpha"], abs=1e-9)
        assert base["alpha"] <= 1 + 1e-12
        assert base["ci_low"] <= base["alpha"] <= base["ci_high"]


def test_committed_sample_gives_alpha_for_every_phase_and_construct(sample_dir):
    surveys = pd.read_csv(sample_dir / "surveys.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = cronbach_alpha(surveys, INSTRUMENT, by=["phase"])
        items = item_total_correlations(surveys, INSTRUMENT, by=["phase"])
    assert len(result) == 6 and result["alpha"].between(0, 1).all()
    assert result["reason"].isna().all() and len(items) == 18


def test_alpha_is_not_labelled_for_a_handful_of_people():
    # failed before: n = 2 was labelled although its interval ran from -37.5 to 0.999
    frame = pd.DataFrame({"a": [1.0, 4], "b": [2.0, 5], "c": [1.0, 5]})
    row = cronbach_alpha(frame, _instrument_for(["a", "b", "c"])).iloc[0]
    assert np.isfinite(row["alpha"]) and np.isfinite(row["ci_low"])
    assert row["interpretation"] is None and row["verdict"] is None
    assert "only 2 people" in row["reason"] and str(ALPHA_MIN_N) in row["reason"]


def test_alpha_verdict_follows_the_feldt_interval():
    rng = np.random.default_rng(3)
    true = rng.normal(size=(200, 1))
    strong = pd.DataFrame(true + 0.4 * rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    weak = pd.DataFrame(true + 3.0 * rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    middling = pd.DataFrame(true[:12] + 0.9 * rng.normal(size=(12, 3)), columns=["a", "b", "c"])
    inst = _instrument_for(["a", "b", "c"])
    for frame, expected in ((strong, "reliable"), (weak, "unreliable")):
        row = cronbach_alpha(frame, inst).iloc[0]
        _, (low, high) = pg.cronbach_alpha(frame)
        assert row["verdict"] == expected
        assert (low >= ALPHA_ADEQUATE) == (expected == "reliable")
        assert (high < ALPHA_ADEQUATE) == (expected == "unreliable")
    row = cronbach_alpha(middling, inst).iloc[0]
    if row["ci_low"] < ALPHA_ADEQUATE <= row["ci_high"]:
        assert row["verdict"] == "uncertain"
