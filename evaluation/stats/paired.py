"""Paired change for respondents matched before and after: t-test, Wilcoxon, effect sizes.

Every group x item is computed in one vectorised pass (grouped sums, grouped ranks, exact null
distributions built once per shape and cached); the values equal SciPy's ``ttest_rel`` and
``wilcoxon`` (with its defaults) to 1e-9.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import lru_cache
from typing import cast

import numpy as np
import pandas as pd
from scipy import special, stats

from evaluation import columns as c
from evaluation.stats import effect_sizes as es
from evaluation.stats.clustering import cluster_robust_mean
from evaluation.stats.multiplicity import adjust_table
from evaluation.stats.responses import Responses, join_reasons

__all__ = [
    "CLUSTER_COLUMNS",
    "RESULT_COLUMNS",
    "ZERO_METHODS",
    "individual_change",
    "paired_change",
    "paired_statistics",
    "paired_table",
    "signed_rank",
    "with_cluster_columns",
]

# Columns after the group keys, in order (the contract in notes/contracts.md and the README).
RESULT_COLUMNS = (
    c.ITEM,
    "design",
    "n_pre",
    "n_post",
    "n_paired",
    "mean_pre",
    "mean_post",
    "mean_change",
    "sd_change",
    "ci_low",
    "ci_high",
    "t",
    "df",
    "p_t",
    "w",
    "p_w",
    "d_z",
    "d_z_ci_low",
    "d_z_ci_high",
    "g_av",
    "g_av_ci_low",
    "g_av_ci_high",
    "r_rb",
    "pct_improved",
    "pct_same",
    "pct_declined",
    "p_adj",
    "reason",
)

# Added after RESULT_COLUMNS by paired_change(..., cluster=...): the mean change's standard
# error allowing for people nested in clusters (Work Groups), see stats.clustering.
CLUSTER_COLUMNS = (
    "n_clusters",
    "se_naive",
    "se_cluster",
    "design_effect",
    "ci_low_cluster",
    "ci_high_cluster",
    "cluster_note",
)

# SciPy's ``wilcoxon(method="auto")`` switches to the normal approximation above this many
# differences (zeros included), and uses an exhaustive sign-flip permutation test up to
# PERMUTATION_MAX differences when there are ties or zeros (2**13 < its 9999 resamples).
EXACT_MAX = 50
PERMUTATION_MAX = 13
ZERO_METHODS = ("wilcox", "pratt", "zsplit")

NO_PAIRS = "No one answered this question both before and after, so there is no paired change."
ONE_PAIR = "Only one person answered both before and after; at least two are needed for a test."
TWO_PAIRS = (
    "Only two people answered both before and after; g_av needs at least three (with two, its "
    "small-sample correction is 0, which would wrongly read as no change)."
)
NO_CHANGE = "Everyone gave the same answer before and after, so there is no change to test."
SAME_CHANGE = (
    "Everyone changed by exactly the same amount, so the t-test, its interval and d_z "
    "cannot be worked out."
)
NO_SPREAD = (
    "Everyone gave the same answer before, and the same answer after, so the change cannot be "
    "put on the scale of the answers (g_av)."
)
NO_CORRELATION = (
    "Everyone gave the same answer before or everyone gave the same answer after, so the "
    "interval for g_av cannot be worked out."
)


# --------------------------------------------------------------------------------------------
# From the long table to respondents and pairs
# --------------------------------------------------------------------------------------------


def _pairs(responses: Responses) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(group, respondent key, pre, post) for respondents with both phases in a group."""
    person, post = responses.person, responses.post
    first = np.flatnonzero(~post[:-1] & (person[1:] == person[:-1]))  # pre cell, post follows
    return (
        responses.group[first],
        person[first],
        responses.score[first],
        responses.score[first + 1],
    )


def individual_change(long: pd.DataFrame, *, by: Sequence[str] = ()) -> pd.DataFrame:
    """Each matched respondent's pre score, post score and change, per group x item.

    Parameters
    ----------
    long : DataFrame
        ``[*by, respondent_id, phase, item, score]`` from :func:`evaluation.stats.scoring.to_long`.
    by : sequence of str
        Group keys.

    Returns
    -------
    DataFrame
        ``*by, item, respondent_id, pre, post, change`` (change = post - pre), one row per
        respondent who answered the item before and after; sorted by group and respondent.

    Examples
    --------
    >>> long = pd.DataFrame({"respondent_id": ["a", "a", "b"], "phase": ["pre", "post", "pre"],
    ...                      "item": "conf_1", "score": [2.0, 4.0, 3.0]})
    >>> individual_change(long)[["respondent_id", "pre", "post", "change"]].values.tolist()
    [['a', 2.0, 4.0, 2.0]]
    """
    responses = Responses.from_long(long, by)
    group, key, pre, post = _pairs(responses)
    # Paired keys always carry a real identifier (anonymous rows are never matched).
    respondent = key % responses.n_respondents
    # Pairs come in group order (groups sorted by their keys, item last); within a group, order
    # them by identifier: what sorting the table by its keys and identifier gives, with no
    # sort of text columns (a person is paired at most once per group, so there are no ties).
    rank = np.empty(len(responses.labels), dtype=np.int64)
    rank[np.argsort(responses.labels, kind="stable")] = np.arange(len(responses.labels))
    order = np.lexsort((rank[respondent], group))
    group, respondent, pre, post = group[order], respondent[order], pre[order], post[order]
    out = responses.groups.iloc[group].reset_index(drop=True)
    out[c.RESPONDENT_ID] = responses.labels[respondent]
    out["pre"], out["post"], out["change"] = pre, post, post - pre
    return out


# --------------------------------------------------------------------------------------------
# Wilcoxon signed-rank test, every group at once
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _signed_rank_null(offset: int, n_nonzero: int, cuts: int) -> tuple[np.ndarray, np.ndarray]:
    """P(S <= k) and P(S >= k) of twice the signed-rank sum under random signs.

    The non-zero |differences| fall in tie blocks given by ``cuts`` (bit i set: a new block
    starts after the i-th smallest); each block's members share the average rank, shifted by
    ``offset`` (the number of zeros when zeros are ranked). With no ties this is the exact
    Wilcoxon distribution; with ties or zeros it is the full sign-flip permutation distribution.
    """
    starts = [0] + [i for i in range(1, n_nonzero) if cuts >> i & 1] + [n_nonzero]
    pmf = np.ones(1)
    for lo, hi in zip(starts[:-1], starts[1:], strict=True):
        size = hi - lo
        rank2 = lo + hi + 1 + 2 * offset  # twice the average rank of positions lo+1 .. hi
        kernel = np.zeros(size * rank2 + 1)
        kernel[::rank2] = special.comb(size, np.arange(size + 1)) / 2.0**size
        pmf = np.convolve(pmf, kernel)
    return np.cumsum(pmf), np.cumsum(pmf[::-1])[::-1]


def _small_sample_p(
    offset: np.ndarray, n_nonzero: np.ndarray, cuts: np.ndarray, observed2: np.ndarray
) -> np.ndarray:
    """Two-sided exact/permutation p-value for each group (arrays, one entry per group)."""
    p = np.full(offset.shape, np.nan)
    if offset.size == 0:
        return p
    shapes, which = np.unique(
        np.stack([offset, n_nonzero, cuts], axis=1), axis=0, return_inverse=True
    )
    order = np.argsort(which, kind="stable")
    bounds = np.searchsorted(which[order], np.arange(len(shapes) + 1))
    for s, (off, nz, cut) in enumerate(shapes):
        members = order[bounds[s] : bounds[s + 1]]
        cdf, sf = _signed_rank_null(int(off), int(nz), int(cut))
        k = observed2[members]
        p[members] = np.minimum(1.0, 2 * np.minimum(cdf[k], sf[k]))
    return p


def signed_rank(
    group: np.ndarray, d: np.ndarray, n_groups: int, *, zero_method: str = "wilcox"
) -> dict[str, np.ndarray]:
    """Wilcoxon signed-rank test of the differences ``d`` in every group at once.

    Parameters
    ----------
    group : ndarray of int
        Group id (0 .. n_groups - 1) of each difference.
    d : ndarray of float
        Differences (post minus pre), no NaN.
    n_groups : int
        Number of groups.
    zero_method : {"wilcox", "pratt", "zsplit"}
        Treatment of zero differences, as in :func:`scipy.stats.wilcoxon`.

    Returns
    -------
    dict of ndarray
        ``w`` (``min(R+, R-)``, SciPy's two-sided statistic), ``p_w``, ``r_plus_w`` and
        ``r_minus_w`` (rank sums with zeros dropped, for the rank-biserial r), ``n_positive``,
        ``n_zero``, ``n_negative`` and ``method`` ("exact", "permutation" or "asymptotic").

    Notes
    -----
    Reproduces ``scipy.stats.wilcoxon(post, pre)`` with its defaults (SciPy 1.17:
    ``correction=False``, ``method="auto"``): more than 50 differences -> normal
    approximation with tie (and zero) corrections; otherwise exact null distribution when there
    are no ties and no zeros; otherwise, up to 13 differences, the exhaustive sign-flip
    permutation test SciPy runs; otherwise the normal approximation. Ranks are average ranks of
    ``|d|`` within the group, found by counting each distinct ``|d|`` per group, so no group is
    ever sorted on its own.

    Examples
    --------
    >>> import scipy.stats
    >>> d = np.array([1.0, 2.0, -0.5, 3.0, 4.0, 2.0, 0.0])
    >>> out = signed_rank(np.zeros(7, dtype=int), d, 1)
    >>> float(out["w"][0]), round(float(out["p_w"][0]), 6)
    (1.0, 0.0625)
    >>> res = scipy.stats.wilcoxon(d)
    >>> float(res.statistic), round(float(res.pvalue), 6)
    (1.0, 0.0625)
    """
    if zero_method not in ZERO_METHODS:
        raise ValueError(f"zero_method must be one of {ZERO_METHODS}, not {zero_method!r}")
    group = np.asarray(group, dtype=np.int64)
    d = np.asarray(d, dtype="float64")
    n_all = np.bincount(group, minlength=n_groups).astype("float64")
    nonzero = d != 0
    g, a, positive = group[nonzero], np.abs(d[nonzero]), d[nonzero] > 0
    n_pos = np.bincount(g, weights=positive, minlength=n_groups)
    nz = np.bincount(g, minlength=n_groups).astype("float64")
    n_neg = nz - n_pos
    n0 = n_all - nz

    # Distinct |d| values (exact float equality, as SciPy's ranking), numbered in sorted order.
    value_code, values = pd.factorize(a)
    value_rank = np.empty(len(values), dtype=np.int64)
    value_rank[np.argsort(np.asarray(values), kind="stable")] = np.arange(len(values))
    n_values = max(len(values), 1)
    cell_code, cells = pd.factorize(g * n_values + value_rank[value_code])
    cells = np.asarray(cells, dtype=np.int64)
    cell_order = np.argsort(cells, kind="stable")
    cell_sorted = np.empty_like(cell_order)
    cell_sorted[cell_order] = np.arange(cell_order.size)
    cells = cells[cell_order]
    code = cell_sorted[cell_code]
    count = np.bincount(code, minlength=cells.size).astype("float64")
    count_pos = np.bincount(code, weights=positive, minlength=cells.size)
    cell_group = cells // n_values
    start = np.cumsum(nz) - nz
    less = np.cumsum(count) - count - start[cell_group]  # non-zero |d| below this cell
    avg_rank = less + (count + 1) / 2
    r_plus_w = np.bincount(cell_group, weights=count_pos * avg_rank, minlength=n_groups)
    r_minus_w = nz * (nz + 1) / 2 - r_plus_w
    ties = np.bincount(cell_group, weights=count**3 - count, minlength=n_groups)
    has_ties = np.bincount(cell_group, weights=count > 1, minlength=n_groups) > 0

    if zero_method == "wilcox":  # zeros dropped before ranking
        offset = np.zeros(n_groups)
        r_plus, r_minus = r_plus_w, r_minus_w
        mean = nz * (nz + 1) / 4
        var24 = nz * (nz + 1) * (2 * nz + 1) - ties / 2
    else:  # zeros ranked first, so every non-zero rank moves up by the number of zeros
        offset = n0
        r_plus, r_minus = r_plus_w + n0 * n_pos, r_minus_w + n0 * n_neg
        mean = n_all * (n_all + 1) / 4
        var24 = n_all * (n_all + 1) * (2 * n_all + 1)
        if zero_method == "pratt":  # Cureton's correction; zeros left out of the tie term
            mean = mean - n0 * (n0 + 1) / 4
            var24 = var24 - n0 * (n0 + 1) * (2 * n0 + 1) - ties / 2
        else:  # zsplit: the zeros' ranks are shared equally by R+ and R-
            half_zero_ranks = n0 * (n0 + 1) / 4
            r_plus, r_minus = r_plus + half_zero_ranks, r_minus + half_zero_ranks
            var24 = var24 - (ties + n0**3 - n0) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (r_plus - mean) / np.sqrt(var24 / 24)
    p = 2 * special.ndtr(-np.abs(z))

    small = (n_all <= EXACT_MAX) & ~(((n0 > 0) | has_ties) & (n_all > PERMUTATION_MAX))
    small &= nz > 0
    method = np.where(small, np.where((n0 > 0) | has_ties, "permutation", "exact"), "asymptotic")
    if small.any():
        cut_weights = np.where(less > 0, np.exp2(np.minimum(less, 62)), 0.0)
        cuts = np.bincount(cell_group, weights=cut_weights, minlength=n_groups)
        ranks2 = 2 * avg_rank + 2 * offset[cell_group]
        observed2 = np.bincount(cell_group, weights=count_pos * ranks2, minlength=n_groups)
        p[small] = _small_sample_p(
            offset[small].astype(np.int64),
            nz[small].astype(np.int64),
            np.rint(cuts[small]).astype(np.int64),
            np.rint(observed2[small]).astype(np.int64),
        )
    p[nz == 0] = np.nan
    w = np.minimum(r_plus, r_minus)
    w[nz == 0] = np.nan
    return {
        "w": w,
        "p_w": p,
        "r_plus_w": r_plus_w,
        "r_minus_w": r_minus_w,
        "n_positive": n_pos,
        "n_zero": n0,
        "n_negative": n_neg,
        "method": method,
    }


# --------------------------------------------------------------------------------------------
# The results table
# --------------------------------------------------------------------------------------------


def _grouped_moments(group: np.ndarray, x: np.ndarray, n: np.ndarray, n_groups: int):
    """Mean and sample variance per group (two-pass, so no cancellation)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(group, weights=x, minlength=n_groups) / n
        dev = x - mean[group]
        var = np.bincount(group, weights=dev * dev, minlength=n_groups) / (n - 1)
    return mean, var, dev


def _all_equal(x: np.ndarray, starts: np.ndarray, present: np.ndarray, n_groups: int):
    """True for groups whose values are all identical (exactly; groups are contiguous)."""
    out = np.zeros(n_groups, dtype=bool)
    if starts.size:
        out[present] = np.maximum.reduceat(x, starts) == np.minimum.reduceat(x, starts)
    return out


def paired_statistics(
    group: np.ndarray,
    pre: np.ndarray,
    post: np.ndarray,
    n_groups: int,
    *,
    zero_method: str = "wilcox",
    level: float = 0.95,
) -> dict[str, np.ndarray]:
    """Every paired statistic for every group at once, from matched pairs.

    Parameters
    ----------
    group : ndarray of int
        Group id (0 .. n_groups - 1) of each pair.
    pre, post : ndarray of float
        The pair's answers (no NaN).
    n_groups : int
        Number of groups (groups without pairs get NaN and a reason).
    zero_method : {"wilcox", "pratt", "zsplit"}
        Zero differences in the Wilcoxon test.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    dict of ndarray
        One array per numeric result column of :func:`paired_change` from ``n_paired`` to
        ``pct_declined``, plus ``reason`` (object array).

    Examples
    --------
    >>> out = paired_statistics(np.array([0, 0, 0]), np.array([1.0, 2, 3]),
    ...                         np.array([2.0, 4, 4]), 1)
    >>> round(float(out["mean_change"][0]), 4), round(float(out["t"][0]), 4)
    (1.3333, 4.0)
    """
    group = np.asarray(group, dtype=np.int64)
    pre, post = np.asarray(pre, dtype="float64"), np.asarray(post, dtype="float64")
    if group.size and np.any(group[1:] < group[:-1]):
        order = np.argsort(group, kind="stable")
        group, pre, post = group[order], pre[order], post[order]
    d = post - pre
    counts = np.bincount(group, minlength=n_groups)
    n = counts.astype("float64")
    present = np.flatnonzero(counts)
    starts = (np.cumsum(counts) - counts)[present]
    mean_pre, var_pre, _ = _grouped_moments(group, pre, n, n_groups)
    mean_post, var_post, _ = _grouped_moments(group, post, n, n_groups)
    mean_d, var_d, _ = _grouped_moments(group, d, n, n_groups)
    same_d = _all_equal(d, starts, present, n_groups) & (n >= 2)
    same_pre = _all_equal(pre, starts, present, n_groups) & (n >= 2)
    same_post = _all_equal(post, starts, present, n_groups) & (n >= 2)
    var_pre[same_pre] = var_post[same_post] = var_d[same_d] = 0.0  # not 1e-33 from rounding
    with np.errstate(divide="ignore", invalid="ignore"):
        sd_pre, sd_post, sd_d = np.sqrt(var_pre), np.sqrt(var_post), np.sqrt(var_d)
        # Pre-post correlation from var_d = var_pre + var_post - 2 r sd_pre sd_post: 1 - r is
        # then exactly 0 when everyone changed by the same amount (a direct r would give
        # 1 - 1e-16, and its square root in the g_av interval an error of 1e-8).
        one_minus_r = (var_d - (sd_pre - sd_post) ** 2) / (2 * sd_pre * sd_post)
        r = np.where(same_pre | same_post, np.nan, 1 - one_minus_r)
        df = np.where(n >= 2, n - 1, np.nan)
        t = np.where(same_d, np.nan, mean_d / (sd_d / np.sqrt(n)))
    p_t = 2 * stats.t.sf(np.abs(t), df)
    ci_low, ci_high = es.mean_change_ci(mean_d, sd_d, n, level=level)
    d_z = es.cohens_d_z(mean_d, sd_d)
    dz_low, dz_high = cast("tuple[np.ndarray, np.ndarray]", es.cohens_d_z_ci(d_z, n, level=level))
    # Casts: es.* return ``ndarray | float``; these 1-d group inputs always give arrays.
    g_av = cast(np.ndarray, es.hedges_g_av(mean_d, sd_pre, sd_post, n))
    g_low, g_high = cast(
        "tuple[np.ndarray, np.ndarray]",
        es.hedges_g_av_ci(g_av, n, r, level=level, sd_pre=sd_pre, sd_post=sd_post),
    )
    rank = signed_rank(group, d, n_groups, zero_method=zero_method)
    r_rb = cast(np.ndarray, es.rank_biserial_paired(rank["r_plus_w"], rank["r_minus_w"]))
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = {k: 100 * rank[k] / n for k in ("n_positive", "n_zero", "n_negative")}

    no_change = (n >= 2) & (rank["n_zero"] == n)
    same_change = same_d & ~no_change
    no_answer_spread = same_pre & same_post & ~no_change
    no_r = (same_pre | same_post) & ~no_change & ~no_answer_spread
    for arr in (g_av, g_low, g_high, rank["w"], rank["p_w"], r_rb):
        arr[n < 2] = np.nan
    g_low[np.isnan(g_av)] = g_high[np.isnan(g_av)] = np.nan
    reason = join_reasons(
        (n == 0, NO_PAIRS),
        (n == 1, ONE_PAIR),
        (n == 2, TWO_PAIRS),
        (no_change, NO_CHANGE),
        (same_change, SAME_CHANGE),
        (no_answer_spread, NO_SPREAD),
        (no_r, NO_CORRELATION),
    )
    return {
        "n_paired": counts.astype(np.int64),
        "mean_pre": mean_pre,
        "mean_post": mean_post,
        "mean_change": mean_d,
        "sd_change": sd_d,
        "ci_low": ci_low,
        "ci_high": ci_high,
        "t": t,
        "df": df,
        "p_t": p_t,
        "w": rank["w"],
        "p_w": rank["p_w"],
        "d_z": d_z,
        "d_z_ci_low": dz_low,
        "d_z_ci_high": dz_high,
        "g_av": g_av,
        "g_av_ci_low": g_low,
        "g_av_ci_high": g_high,
        "r_rb": r_rb,
        "pct_improved": pct["n_positive"],
        "pct_same": pct["n_zero"],
        "pct_declined": pct["n_negative"],
        "reason": reason,
    }


def paired_table(responses: Responses, *, zero_method: str, level: float = 0.95) -> pd.DataFrame:
    """All paired statistics for every group (no adjustment); rows as ``responses.groups``.

    The table of :func:`paired_change` before ``p_adj`` is filled in
    (:func:`evaluation.stats.multiplicity.adjust_table`);
    :func:`evaluation.stats.comparisons.compare` builds it once and mixes it with
    :func:`evaluation.stats.unpaired.unpaired_table`.

    Examples
    --------
    >>> long = pd.DataFrame({"respondent_id": list("abc") * 2, "phase": ["pre"] * 3 + ["post"] * 3,
    ...                      "item": "conf_1", "score": [2.0, 3, 3, 3, 4, 5]})
    >>> row = paired_table(Responses.from_long(long, []), zero_method="wilcox").iloc[0]
    >>> row["design"], int(row["n_paired"]), round(float(row["mean_change"]), 4)
    ('paired', 3, 1.3333)
    """
    n_groups = responses.n_groups
    group, _, pre, post = _pairs(responses)
    values = paired_statistics(group, pre, post, n_groups, zero_method=zero_method, level=level)
    columns = {
        "design": np.full(n_groups, "paired", dtype=object),
        "n_pre": responses.n_pre,
        "n_post": responses.n_post,
        **values,
        "p_adj": np.full(n_groups, np.nan),
    }
    # One frame beside the keys: quicker than adding its columns one by one (same table).
    groups = responses.groups
    return pd.concat([groups, pd.DataFrame(columns, index=groups.index)], axis=1)


def paired_change(
    long: pd.DataFrame,
    *,
    by: Sequence[str] = (),
    zero_method: str = "wilcox",
    adjust: str | None = "holm",
    constructs: Collection[str] | None = None,
    cluster: str | None = None,
) -> pd.DataFrame:
    """Paired pre/post change per group x item for respondents matched by ``respondent_id``.

    Parameters
    ----------
    long : DataFrame
        ``[*by, respondent_id, phase, item, score]`` from :func:`evaluation.stats.scoring.to_long`;
        ``phase`` is ``"pre"`` or ``"post"`` (other rows are ignored). A missing
        ``respondent_id`` is never matched. If a respondent has more than one score for a phase
        in a group (validation normally prevents this) their mean is used.
    by : sequence of str
        Group keys, e.g. ``["hub", "ncp"]``; ``()`` analyses everyone together.
    zero_method : {"wilcox", "pratt", "zsplit"}
        Zero differences in the Wilcoxon test, as ``scipy.stats.wilcoxon`` (default drops them).
    adjust : {"holm", "bh"} or None
        Multiplicity adjustment of ``p_t`` within each family (the items of one group; construct
        scores are a family of their own). None copies ``p_t`` to ``p_adj``.
    constructs : collection of str, optional
        Which ``item`` values are construct scores (default: the default instrument's).
    cluster : str, optional
        Column of ``long`` naming the cluster each person belongs to (``"work_group"``). When
        given and present, the columns of :data:`CLUSTER_COLUMNS` are added: ``n_clusters``,
        ``se_naive`` (sd_change / sqrt(n)), ``se_cluster`` (CR1, clusters of the pre answer),
        ``design_effect`` (their squared ratio), ``ci_low_cluster``, ``ci_high_cluster`` (t on
        n_clusters - 1 df) and ``cluster_note`` (fewer than 10 clusters, or one); see
        :func:`evaluation.stats.clustering.cluster_robust_mean`. People without a cluster
        count as clusters of their own.

    Returns
    -------
    DataFrame
        One row per group x item, sorted by the keys, with columns ``*by`` then:

        - ``item``: item id, or construct name for construct scores
        - ``design``: ``"paired"``
        - ``n_pre``, ``n_post``: respondents with a pre / post answer; ``n_paired``: with both
        - ``mean_pre``, ``mean_post``: means of the matched respondents' answers
        - ``mean_change``, ``sd_change``: mean and SD (n - 1) of post minus pre
        - ``ci_low``, ``ci_high``: 95% t interval of the mean change
        - ``t``, ``df``, ``p_t``: paired t-test (``scipy.stats.ttest_rel(post, pre)``)
        - ``w``, ``p_w``: Wilcoxon signed-rank ``min(R+, R-)`` and p
          (``scipy.stats.wilcoxon(post, pre, zero_method=...)``, other arguments default)
        - ``d_z``, ``d_z_ci_low``, ``d_z_ci_high``: Cohen's d_z and its 95% CI from the
          noncentral t (:func:`~evaluation.stats.effect_sizes.cohens_d_z_ci`)
        - ``g_av``, ``g_av_ci_low``, ``g_av_ci_high``: Hedges' g_av (NaN with a reason for two
          pairs) and its 95% CI with Bonett's paired-design variance and a t quantile
          (:func:`~evaluation.stats.effect_sizes.hedges_g_av_ci`)
        - ``r_rb``: matched-pairs rank-biserial correlation (zeros dropped)
        - ``pct_improved``, ``pct_same``, ``pct_declined``: % of matched respondents whose
          answer went up / stayed / went down (0-100)
        - ``p_adj``: ``p_t`` adjusted for multiplicity
        - ``reason``: None, or plain English saying why some values are NaN

    Notes
    -----
    Degenerate groups never raise or warn: fewer than two pairs, no change at all, everyone
    changing by the same amount or no spread in the answers give NaN for the statistics that
    cannot be worked out, and ``reason`` says why. When every difference is zero, SciPy's
    Wilcoxon returns ``p = 1`` (13 pairs or fewer) or NaN; we return NaN for both. See
    :func:`signed_rank` for how the Wilcoxon method is chosen.

    Examples
    --------
    >>> long = pd.DataFrame({
    ...     "respondent_id": list("abcd") * 2, "phase": ["pre"] * 4 + ["post"] * 4,
    ...     "item": "conf_1", "score": [2.0, 3.0, 3.0, 4.0, 3.0, 4.0, 5.0, 4.0]})
    >>> row = paired_change(long).iloc[0]
    >>> int(row["n_paired"]), float(row["mean_change"]), round(float(row["t"]), 4)
    (4, 1.0, 2.4495)
    >>> import scipy.stats
    >>> round(float(scipy.stats.ttest_rel([3, 4, 5, 4], [2, 3, 3, 4]).statistic), 4)
    2.4495
    """
    if zero_method not in ZERO_METHODS:
        raise ValueError(f"zero_method must be one of {ZERO_METHODS}, not {zero_method!r}")
    by = list(by)
    use_cluster = cluster if cluster is not None and cluster in long else None
    responses = Responses.from_long(long, by, use_cluster)
    table = paired_table(responses, zero_method=zero_method)
    out = adjust_table(table, by, adjust, constructs)[[*by, *RESULT_COLUMNS]]
    if cluster is None:
        return out
    return with_cluster_columns(out, responses)


def with_cluster_columns(table: pd.DataFrame, responses: Responses) -> pd.DataFrame:
    """A copy of ``table`` with the :data:`CLUSTER_COLUMNS` of every group of ``responses``.

    Parameters
    ----------
    table : DataFrame
        One row per group of ``responses``, in the order of ``responses.groups`` (a table of
        :func:`paired_change` or :func:`evaluation.stats.comparisons.compare` built from them).
    responses : Responses
        Built with a cluster column (:meth:`Responses.from_long`); without one, everyone is a
        cluster of their own.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> long = pd.DataFrame({"respondent_id": list("abcd") * 2, "work_group": list("WWXY") * 2,
    ...                      "phase": ["pre"] * 4 + ["post"] * 4, "item": "conf_1",
    ...                      "score": [2.0, 3, 3, 4, 3, 4, 5, 4]})
    >>> responses = Responses.from_long(long, [], "work_group")
    >>> table = with_cluster_columns(responses.groups, responses)
    >>> int(table["n_clusters"].iloc[0])
    3
    """
    group, _, pre, post = _pairs(responses)
    if responses.cluster is None:
        labels = np.full(len(group), -1)  # no cluster column: everyone on their own
    else:
        person, is_post = responses.person, responses.post
        first = np.flatnonzero(~is_post[:-1] & (person[1:] == person[:-1]))
        labels = responses.cluster[first]
    values = cluster_robust_mean(group, labels, post - pre, responses.n_groups)
    table = table.copy()
    for name in CLUSTER_COLUMNS[:-1]:
        table[name] = values[name]
    table["cluster_note"] = pd.Series(values["note"], index=table.index, dtype=object)
    return table
