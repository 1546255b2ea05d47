"""Cluster-robust standard errors of a mean, for every group at once (teachers in Work Groups).

Teachers who meet in the same Work Group (or school) tend to change alike, so their changes are
not independent and the usual ``s / sqrt(n)`` understates the uncertainty. The CR1 sandwich
estimator allows for any correlation within a cluster.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["FEW_CLUSTERS", "MIN_CLUSTERS", "ONE_CLUSTER", "cluster_robust_mean"]

# Below this many clusters the CR1 standard error is itself too uncertain to rely on.
MIN_CLUSTERS = 10
FEW_CLUSTERS = (
    "Only {g} Work Groups here: the interval allows for teachers in the same Work Group "
    "changing alike, but with fewer than {min_clusters} Work Groups it is only a rough guide."
)
ONE_CLUSTER = (
    "Everyone is in one Work Group, so the interval cannot allow for teachers in the same Work "
    "Group changing alike; it treats them as independent."
)


def cluster_robust_mean(
    group: np.ndarray,
    cluster: np.ndarray,
    x: np.ndarray,
    n_groups: int,
    *,
    level: float = 0.95,
    min_clusters: int = MIN_CLUSTERS,
) -> dict[str, np.ndarray]:
    """CR1 standard error and t interval of the mean of ``x`` in every group.

    Parameters
    ----------
    group : ndarray of int
        Group id (0 .. n_groups - 1) of each value.
    cluster : ndarray
        Cluster label of each value (any hashable; -1 or NaN: a cluster of its own).
    x : ndarray of float
        The values (no NaN), e.g. each teacher's change.
    n_groups : int
        Number of groups.
    level : float
        Confidence level.
    min_clusters : int
        Fewest clusters for the interval to be trusted without a note.

    Returns
    -------
    dict of ndarray
        ``n_clusters``; ``se_naive`` (s / sqrt(n)); ``se_cluster`` (CR1);
        ``design_effect`` = (se_cluster / se_naive)^2; ``ci_low_cluster``, ``ci_high_cluster``
        (mean -/+ t on G - 1 df times se_cluster; NaN for one cluster); ``note`` (object: None,
        or why the clustered interval is rough or missing).

    Notes
    -----
    With residuals :math:`e_i = x_i - \\bar x` and cluster sums :math:`S_c = \\sum_{i \\in c} e_i`,

    .. math:: SE_{CR1} = \\sqrt{\\frac{G}{G - 1} \\frac{\\sum_c S_c^2}{n^2}}

    the sandwich estimator of a mean with the small-sample factor :math:`G/(G-1)` (as
    ``statsmodels`` OLS with ``cov_type="cluster"`` on an intercept-only model up to its
    :math:`(n-1)/(n-k)` factor, which is 1 here), and a t quantile on :math:`G - 1` df.

    References
    ----------
    Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust
    inference. *Journal of Human Resources*, 50(2), 317-372.

    Examples
    --------
    >>> out = cluster_robust_mean(np.zeros(6, int), np.array([1, 1, 2, 2, 3, 3]),
    ...                           np.array([1.0, 1.2, 0.1, 0.0, 0.6, 0.5]), 1)
    >>> int(out["n_clusters"][0]), round(float(out["se_cluster"][0]), 4)
    (3, 0.3032)
    """
    group = np.asarray(group, dtype=np.int64)
    x = np.asarray(x, dtype="float64")
    labels = pd.Series(np.asarray(cluster, dtype=object))
    own = labels.isna().to_numpy() | labels.eq(-1).to_numpy()
    code, _ = pd.factorize(labels.where(~own, None))
    code = code.astype(np.int64)
    code[own] = code.max(initial=-1) + 1 + np.arange(int(own.sum()))
    cell, cell_group_codes = pd.factorize(group * (int(code.max(initial=0)) + 1) + code)
    cell_group = np.asarray(cell_group_codes, dtype=np.int64) // (int(code.max(initial=0)) + 1)
    n = np.bincount(group, minlength=n_groups).astype("float64")
    g = np.bincount(cell_group, minlength=n_groups).astype("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(group, weights=x, minlength=n_groups) / n
        resid = x - mean[group]
        sd = np.sqrt(np.bincount(group, weights=resid**2, minlength=n_groups) / (n - 1))
        sums = np.bincount(cell, weights=resid)
        meat = np.bincount(cell_group, weights=sums**2, minlength=n_groups)
        se_cluster = np.where(g >= 2, np.sqrt(g / (g - 1) * meat / n**2), np.nan)
        se_naive = sd / np.sqrt(n)
        design_effect = (se_cluster / se_naive) ** 2
        crit = stats.t.ppf(0.5 + level / 2, np.where(g >= 2, g - 1, np.nan))
    design_effect = np.where(np.isfinite(design_effect), design_effect, np.nan)
    note = np.full(n_groups, None, dtype=object)
    for i in np.flatnonzero((g >= 2) & (g < min_clusters)):
        note[i] = FEW_CLUSTERS.format(g=int(g[i]), min_clusters=min_clusters)
    note[(g == 1) & (n >= 2)] = ONE_CLUSTER
    return {
        "n_clusters": g.astype(np.int64),
        "se_naive": se_naive,
        "se_cluster": se_cluster,
        "design_effect": design_effect,
        "ci_low_cluster": mean - crit * se_cluster,
        "ci_high_cluster": mean + crit * se_cluster,
        "note": note,
    }
