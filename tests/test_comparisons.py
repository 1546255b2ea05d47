"""compare() (evaluation.stats.comparisons): design chosen per group x item, adjustment across rows.

Expected values come from ``paired_change`` / ``unpaired_change`` (themselves checked against
SciPy in test_paired.py and test_unpaired.py), SciPy 1.17 directly, and statsmodels'
``multipletests``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from evaluation.instruments import default_instrument
from evaluation.stats.comparisons import ONE_MATCHED, compare, overall_design
from evaluation.stats.paired import RESULT_COLUMNS, individual_change, paired_change
from evaluation.stats.scoring import to_long
from evaluation.stats.unpaired import unpaired_change


def mixed_long() -> pd.DataFrame:
    """Hub A: five people matched; hub B: no codes; hub C: one person matched."""
    rng = np.random.default_rng(31)
    rows = []
    for i in range(5):
        for phase in ("pre", "post"):
            for item in ("conf_1", "conf_2"):
                rows.append(("A", f"a{i}", phase, item, float(rng.integers(1, 6))))
    for i in range(7):
        phase = "pre" if i < 4 else "post"
        rows.append(("B", None, phase, "conf_1", float(rng.integers(1, 6))))
    for rid, phase, score in (
        ("c1", "pre", 2.0),
        ("c1", "post", 4.0),
        ("c2", "pre", 3.0),
        ("c3", "post", 5.0),
        ("c4", "post", 3.0),
    ):
        rows.append(("C", rid, phase, "conf_1", score))
    return pd.DataFrame(rows, columns=["hub", "respondent_id", "phase", "item", "score"])


def test_auto_pairs_where_people_match_and_labels_every_row():
    result = compare(mixed_long(), by=["hub"])
    assert list(result.columns) == ["hub", *RESULT_COLUMNS]
    assert result[["hub", "item", "design"]].values.tolist() == [
        ["A", "conf_1", "paired"],
        ["A", "conf_2", "paired"],
        ["B", "conf_1", "unpaired"],
        ["C", "conf_1", "unpaired"],
    ]
    assert result.loc[result.hub == "C", "reason"].iloc[0].startswith(ONE_MATCHED[:40])
    assert result["n_pre"].dtype == np.int64


def test_rows_equal_the_paired_and_unpaired_tables():
    long = mixed_long()
    auto = compare(long, by=["hub"], adjust=None).set_index(["hub", "item"])
    paired = paired_change(long, by=["hub"], adjust=None).set_index(["hub", "item"])
    unpaired = unpaired_change(long, by=["hub"], adjust=None).set_index(["hub", "item"])
    numbers = [c for c in RESULT_COLUMNS if c not in ("item", "design", "reason")]
    pd.testing.assert_frame_equal(
        auto.loc[[("A", "conf_1"), ("A", "conf_2")], numbers],
        paired.loc[[("A", "conf_1"), ("A", "conf_2")], numbers],
    )
    pd.testing.assert_frame_equal(
        auto.loc[[("B", "conf_1"), ("C", "conf_1")], numbers],
        unpaired.loc[[("B", "conf_1"), ("C", "conf_1")], numbers],
    )


def test_forced_designs_apply_to_every_row():
    long = mixed_long()
    assert set(compare(long, by=["hub"], design="paired")["design"]) == {"paired"}
    assert set(compare(long, by=["hub"], design="unpaired")["design"]) == {"unpaired"}
    with pytest.raises(ValueError):
        compare(long, design="matched")


def test_adjustment_runs_over_the_chosen_rows_of_each_group():
    long = mixed_long()
    result = compare(long, by=["hub"], adjust="bh")
    hub_a = result[result.hub == "A"]
    expected = multipletests(hub_a["p_t"], method="fdr_bh")[1]
    np.testing.assert_allclose(hub_a["p_adj"], expected, atol=1e-15)


def test_small_sample_every_hub_and_ncp_matches_scipy(sample_dir):
    surveys = pd.read_csv(sample_dir / "surveys.csv")
    surveys = surveys[surveys["hub"].isin(sorted(surveys["hub"].unique())[:2])]
    long = to_long(surveys, default_instrument(), keys=("hub", "ncp"))
    result = compare(long, by=["hub", "ncp"]).set_index(["hub", "ncp", "item"])
    changes = individual_change(long, by=["hub", "ncp"])
    checked = 0
    for key, part in changes.groupby(["hub", "ncp", "item"]):
        row = result.loc[key]
        assert row["design"] == "paired"
        assert row["n_paired"] == len(part)
        if len(part) >= 2 and np.ptp(part["change"]) > 0:
            expected = stats.ttest_rel(part["post"], part["pre"])
            assert row["t"] == pytest.approx(expected.statistic, abs=1e-9)
            assert row["p_t"] == pytest.approx(expected.pvalue, abs=1e-9)
            w = stats.wilcoxon(part["post"], part["pre"])
            assert row["p_w"] == pytest.approx(w.pvalue, abs=1e-9)
            checked += 1
    assert checked > 30
    assert overall_design(result) == "paired"
