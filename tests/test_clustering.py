"""Cluster-robust SE of a mean (evaluation.stats.clustering) against statsmodels, and its use for
teachers nested in Work Groups (paired_change(..., cluster=...), national.hub_effects)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from evaluation.stats.clustering import MIN_CLUSTERS, cluster_robust_mean
from evaluation.stats.national import hub_effects, pool_hubs
from evaluation.stats.paired import CLUSTER_COLUMNS, RESULT_COLUMNS, paired_change


def _teachers(seed: int, n_groups: int = 12, per_group: int = 6, icc: float = 0.4):
    """Long table: two hubs of teachers in Work Groups whose changes share a group effect."""
    rng = np.random.default_rng(seed)
    rows = []
    for hub in ("A", "B"):
        for w in range(n_groups):
            shared = rng.normal(0, np.sqrt(icc))
            for t in range(per_group):
                pre = rng.normal(3, 1)
                change = 0.4 + shared + rng.normal(0, np.sqrt(1 - icc))
                rid = f"{hub}{w}-{t}"
                for phase, score in (("pre", pre), ("post", pre + change)):
                    rows.append({"hub": hub, "ncp": "P", "work_group": f"{hub}W{w}",
                                 "respondent_id": rid, "phase": phase, "item": "confidence",
                                 "score": score})  # fmt: skip
    return pd.DataFrame(rows)


def test_cr1_equals_statsmodels_cluster_robust_intercept_per_group():
    rng = np.random.default_rng(4)
    group = np.repeat([0, 1, 2], [30, 45, 20])
    cluster = rng.integers(0, 7, size=group.size)
    x = rng.normal(size=group.size) + cluster * 0.2
    out = cluster_robust_mean(group, cluster, x, 3)
    for g in range(3):
        rows = group == g
        fit = sm.OLS(x[rows], np.ones(rows.sum())).fit(
            cov_type="cluster", cov_kwds={"groups": cluster[rows]}
        )
        assert out["se_cluster"][g] == pytest.approx(fit.bse[0], abs=1e-12)
        n_g = len(np.unique(cluster[rows]))
        assert out["n_clusters"][g] == n_g
        half = stats.t.ppf(0.975, n_g - 1) * fit.bse[0]
        assert out["ci_high_cluster"][g] == pytest.approx(x[rows].mean() + half, abs=1e-12)
        assert out["se_naive"][g] == pytest.approx(x[rows].std(ddof=1) / np.sqrt(rows.sum()))
    assert all(isinstance(n, str) and str(MIN_CLUSTERS) in n for n in out["note"])


def test_one_cluster_gives_no_clustered_interval_and_says_why():
    out = cluster_robust_mean(np.zeros(4, int), np.array(["w"] * 4), np.array([1.0, 2, 3, 5]), 1)
    assert np.isnan(out["se_cluster"][0]) and "one Work Group" in out["note"][0]


def test_paired_change_adds_clustered_columns_only_when_asked():
    long = _teachers(1)
    plain = paired_change(long, by=["hub"])
    assert list(plain.columns) == ["hub", *RESULT_COLUMNS]
    clustered = paired_change(long, by=["hub"], cluster="work_group")
    assert list(clustered.columns) == ["hub", *RESULT_COLUMNS, *CLUSTER_COLUMNS]
    pd.testing.assert_frame_equal(clustered[plain.columns], plain)
    row = clustered.iloc[0]
    changes = long[long.hub.eq("A")].pivot(index="respondent_id", columns="phase", values="score")
    groups = changes.index.str.split("-").str[0]
    d = (changes["post"] - changes["pre"]).to_numpy()
    fit = sm.OLS(d, np.ones(len(d))).fit(cov_type="cluster", cov_kwds={"groups": groups})
    assert row["n_clusters"] == 12 and row["se_cluster"] == pytest.approx(fit.bse[0], abs=1e-12)
    assert row["design_effect"] > 1  # changes shared within Work Groups
    assert row["cluster_note"] is None  # 12 Work Groups are enough


def test_hub_effects_and_pooling_use_the_clustered_standard_error():
    paired = paired_change(
        _teachers(2), by=["hub", "ncp"], cluster="work_group", constructs=["confidence"]
    )
    hubs = hub_effects(paired, min_n=5)
    for _, hub in hubs.iterrows():
        source = paired[paired.hub.eq(hub["hub"])].iloc[0]
        assert hub["mean_change_se"] == pytest.approx(source["se_cluster"], abs=1e-12)
        n, d, deff = source["n_paired"], source["d_z"], max(source["design_effect"], 1.0)
        assert hub["d_z_se"] == pytest.approx(np.sqrt(deff / n + d**2 / (2 * n)), abs=1e-12)
        assert hub["n_clusters"] == 12
    naive = hub_effects(paired.drop(columns=list(CLUSTER_COLUMNS)), min_n=5)
    assert (hubs["d_z_se"] > naive["d_z_se"]).all()
    assert float(pool_hubs(hubs)["se"]) != float(pool_hubs(naive)["se"])
