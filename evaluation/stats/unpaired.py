"""Unpaired change when pre and post answers cannot be matched: Welch t, Mann-Whitney U, Hedges' g.

Vectorised over every group x item like :mod:`evaluation.stats.paired`, with the same result
columns;
values equal SciPy's ``ttest_ind(equal_var=False)`` and ``mannwhitneyu`` defaults to 1e-9.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import lru_cache
from typing import cast

import numpy as np
import pandas as pd
from scipy import special, stats

from evaluation.stats import effect_sizes as es
from evaluation.stats.multiplicity import adjust_table
from evaluation.stats.paired import RESULT_COLUMNS
from evaluation.stats.responses import Responses, join_reasons

__all__ = ["ALL_SAME", "TOO_FEW", "UNMATCHED", "mann_whitney", "unpaired_change", "unpaired_table"]

# scipy.stats.mannwhitneyu(method="auto") uses the exact null distribution unless both groups
# are larger than this, or there are ties.
MWU_EXACT_MAX = 8

TOO_FEW = (
    "Fewer than two people answered before, or fewer than two after, so the two groups cannot "
    "be compared."
)
ALL_SAME = "Everyone gave the same answer before and after, so there is no difference to test."
UNMATCHED = (
    "Answers could not be matched person by person, so this compares two separate groups "
    "(weaker evidence): there are no individual changes (sd_change, d_z, % improved)."
)


@lru_cache(maxsize=256)
def _mwu_sf(n_small: int, n_large: int) -> np.ndarray:
    """P(U >= u), u = 0 .. n_small * n_large, for U of two groups with no ties.

    Built from the Mann & Whitney (1947) recurrence on probabilities,
    P_{m,n}(u) = n/(m+n) P_{m,n-1}(u) + m/(m+n) P_{m-1,n}(u - n), which stays accurate for
    large groups (no huge counts are formed).
    """
    m = n_small
    row = [np.ones(1) for _ in range(m + 1)]  # n = 0: U is 0 whatever m is
    for n in range(1, n_large + 1):
        new = [np.ones(1)]
        for k in range(1, m + 1):
            pmf = np.zeros(k * n + 1)
            pmf[: row[k].size] += n / (k + n) * row[k]
            pmf[n : n + new[k - 1].size] += k / (k + n) * new[k - 1]
            new.append(pmf)
        row = new
    return np.cumsum(row[m][::-1])[::-1]


def mann_whitney(
    group: np.ndarray, value: np.ndarray, is_x: np.ndarray, n_groups: int
) -> dict[str, np.ndarray]:
    """Mann-Whitney U test of ``x`` against ``y`` in every group at once.

    Parameters
    ----------
    group : ndarray of int
        Group id (0 .. n_groups - 1) of each value.
    value : ndarray of float
        Values of both samples, no NaN.
    is_x : ndarray of bool
        True for values of the first sample (``x``), False for ``y``.
    n_groups : int
        Number of groups.

    Returns
    -------
    dict of ndarray
        ``u`` (U of ``x``, SciPy's statistic), ``p`` (two-sided), ``method`` ("exact" or
        "asymptotic"), ``n_x``, ``n_y`` and ``n_distinct`` (distinct values per group).

    Notes
    -----
    Reproduces ``scipy.stats.mannwhitneyu(x, y)`` with its defaults (SciPy 1.17:
    ``use_continuity=True``, ``method="auto"``): exact null distribution when a group has at
    most 8 values and there are no ties, else the normal approximation with tie correction and
    continuity correction, :math:`z = (\\max(U_x, U_y) - n_x n_y / 2 - 0.5) / \\sigma` and
    :math:`p = 2\\Phi(-z)`, clipped to 1. Ranks come from counting each distinct value per
    group, as in :func:`evaluation.stats.paired.signed_rank`.

    Examples
    --------
    >>> import scipy.stats
    >>> x, y = np.array([3.0, 4.5, 5.0, 6.0]), np.array([1.0, 2.0, 3.5])
    >>> out = mann_whitney(np.zeros(7, dtype=int), np.r_[x, y], np.r_[[True] * 4, [False] * 3], 1)
    >>> float(out["u"][0]), round(float(out["p"][0]), 6)
    (11.0, 0.114286)
    >>> res = scipy.stats.mannwhitneyu(x, y)
    >>> float(res.statistic), round(float(res.pvalue), 6)
    (11.0, 0.114286)
    """
    group = np.asarray(group, dtype=np.int64)
    value = np.asarray(value, dtype="float64")
    is_x = np.asarray(is_x, dtype=bool)
    n_x = np.bincount(group, weights=is_x, minlength=n_groups)
    n_y = np.bincount(group, minlength=n_groups) - n_x

    value_code, values = pd.factorize(value)
    value_rank = np.empty(len(values), dtype=np.int64)
    value_rank[np.argsort(np.asarray(values), kind="stable")] = np.arange(len(values))
    n_values = max(len(values), 1)
    cell_code, cells = pd.factorize(group * n_values + value_rank[value_code])
    cells = np.asarray(cells, dtype=np.int64)
    cell_order = np.argsort(cells, kind="stable")
    remap = np.empty_like(cell_order)
    remap[cell_order] = np.arange(cell_order.size)
    cells, code = cells[cell_order], remap[cell_code]
    count = np.bincount(code, minlength=cells.size).astype("float64")
    count_x = np.bincount(code, weights=is_x, minlength=cells.size)
    cell_group = cells // n_values
    n_all = n_x + n_y
    start = np.cumsum(n_all) - n_all
    avg_rank = np.cumsum(count) - count - start[cell_group] + (count + 1) / 2
    rank_sum_x = np.bincount(cell_group, weights=count_x * avg_rank, minlength=n_groups)
    u_x = rank_sum_x - n_x * (n_x + 1) / 2
    u_big = np.maximum(u_x, n_x * n_y - u_x)
    ties = np.bincount(cell_group, weights=count**3 - count, minlength=n_groups)
    has_ties = np.bincount(cell_group, weights=count > 1, minlength=n_groups) > 0
    n_distinct = np.bincount(cell_group, minlength=n_groups)

    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.sqrt(n_x * n_y / 12 * ((n_all + 1) - ties / (n_all * (n_all - 1))))
        z = (u_big - n_x * n_y / 2 - 0.5) / sigma
    p = np.clip(2 * special.ndtr(-z), 0.0, 1.0)
    exact = ~((n_x > MWU_EXACT_MAX) & (n_y > MWU_EXACT_MAX)) & ~has_ties
    exact &= (n_x > 0) & (n_y > 0)
    for i in np.flatnonzero(exact):
        small, large = sorted((int(n_x[i]), int(n_y[i])))
        p[i] = min(1.0, 2 * _mwu_sf(small, large)[int(round(u_big[i]))])
    empty = (n_x == 0) | (n_y == 0)
    p[empty] = np.nan
    u_x[empty] = np.nan
    return {
        "u": u_x,
        "p": p,
        "method": np.where(exact, "exact", "asymptotic"),
        "n_x": n_x,
        "n_y": n_y,
        "n_distinct": n_distinct,
    }


def unpaired_table(responses: Responses, *, level: float = 0.95) -> pd.DataFrame:
    """Welch t, Mann-Whitney U and Hedges' g per group (no adjustment).

    The table of :func:`unpaired_change` before ``p_adj`` is filled in
    (:func:`evaluation.stats.multiplicity.adjust_table`), one row per ``responses.groups``.

    Examples
    --------
    >>> long = pd.DataFrame({"respondent_id": None, "item": "conf_1",
    ...                      "phase": ["pre"] * 3 + ["post"] * 3, "score": [2.0, 3, 3, 3, 4, 5]})
    >>> row = unpaired_table(Responses.from_long(long, [])).iloc[0]
    >>> row["design"], int(row["n_pre"]), int(row["n_post"]), round(float(row["mean_change"]), 4)
    ('unpaired', 3, 3, 1.3333)
    """
    n_groups = responses.n_groups

    def moments(group: np.ndarray, x: np.ndarray):
        n = np.bincount(group, minlength=n_groups).astype("float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.bincount(group, weights=x, minlength=n_groups) / n
            dev = x - mean[group]
            var = np.bincount(group, weights=dev * dev, minlength=n_groups) / (n - 1)
        # Identical values: variance exactly 0, not a rounding residue such as 1e-33.
        high, low = np.full(n_groups, -np.inf), np.full(n_groups, np.inf)
        np.maximum.at(high, group, x)
        np.minimum.at(low, group, x)
        var[(high == low) & (n >= 2)] = 0.0
        return n, mean, var

    pre_group, pre_score = responses.phase(post=False)
    post_group, post_score = responses.phase(post=True)
    n_pre, mean_pre, var_pre = moments(pre_group, pre_score)
    n_post, mean_post, var_post = moments(post_group, post_score)
    diff = mean_post - mean_pre
    with np.errstate(divide="ignore", invalid="ignore"):
        vn_pre, vn_post = var_pre / n_pre, var_post / n_post
        se = np.sqrt(vn_pre + vn_post)
        t = diff / se
        df = (vn_pre + vn_post) ** 2 / (vn_pre**2 / (n_pre - 1) + vn_post**2 / (n_post - 1))
        half = stats.t.ppf(0.5 + level / 2, df) * se
    enough = (n_pre >= 2) & (n_post >= 2)
    no_spread = enough & (se == 0)
    bad = ~enough | no_spread
    t[bad] = df[bad] = half[bad] = np.nan
    p_t = 2 * stats.t.sf(np.abs(t), df)

    rank = mann_whitney(
        responses.group,
        responses.score,
        responses.post,
        n_groups,
    )
    all_same = enough & (rank["n_distinct"] == 1)
    u, p_w = rank["u"], rank["p"]
    u[~enough | all_same] = p_w[~enough | all_same] = np.nan
    r_rb = es.rank_biserial_unpaired(u, n_post, n_pre)

    # Casts: es.* return ``ndarray | float``; these 1-d group inputs always give arrays.
    g = cast(
        np.ndarray,
        es.hedges_g(mean_post, mean_pre, np.sqrt(var_post), np.sqrt(var_pre), n_post, n_pre),
    )
    g_low, g_high = cast(
        "tuple[np.ndarray, np.ndarray]", es.hedges_g_ci(g, n_post, n_pre, level=level)
    )
    for arr in (g, g_low, g_high):
        arr[~enough] = np.nan

    nan = np.full(n_groups, np.nan)
    reason = join_reasons(
        (~enough, TOO_FEW), (all_same, ALL_SAME), (np.ones(n_groups, bool), UNMATCHED)
    )
    values = {
        "design": np.full(n_groups, "unpaired", dtype=object),
        "n_pre": n_pre.astype(np.int64),
        "n_post": n_post.astype(np.int64),
        "n_paired": np.zeros(n_groups, dtype=np.int64),
        "mean_pre": mean_pre,
        "mean_post": mean_post,
        "mean_change": diff,
        "sd_change": nan,
        "ci_low": diff - half,
        "ci_high": diff + half,
        "t": t,
        "df": df,
        "p_t": p_t,
        "w": u,
        "p_w": p_w,
        "d_z": nan.copy(),
        "d_z_ci_low": nan.copy(),
        "d_z_ci_high": nan.copy(),
        "g_av": g,
        "g_av_ci_low": g_low,
        "g_av_ci_high": g_high,
        "r_rb": r_rb,
        "pct_improved": nan.copy(),
        "pct_same": nan.copy(),
        "pct_declined": nan.copy(),
        "p_adj": nan.copy(),
        "reason": reason,
    }
    # One frame beside the keys: quicker than adding its columns one by one (same table).
    groups = responses.groups
    return pd.concat([groups, pd.DataFrame(values, index=groups.index)], axis=1)


def unpaired_change(
    long: pd.DataFrame,
    *,
    by: Sequence[str] = (),
    adjust: str | None = "holm",
    constructs: Collection[str] | None = None,
) -> pd.DataFrame:
    """Pre against post as two independent groups, per group x item.

    Parameters
    ----------
    long : DataFrame
        ``[*by, respondent_id, phase, item, score]`` from :func:`evaluation.stats.scoring.to_long`.
        ``respondent_id`` may be missing (each row is then a person of its own); a respondent
        with several scores in one phase counts once, with their mean.
    by : sequence of str
        Group keys.
    adjust : {"holm", "bh"} or None
        Multiplicity adjustment of ``p_t`` (see :func:`evaluation.stats.paired.paired_change`).
    constructs : collection of str, optional
        Which ``item`` values are construct scores (their own multiplicity family).

    Returns
    -------
    DataFrame
        The columns of :func:`evaluation.stats.paired.paired_change`, with ``design = "unpaired"``,
        ``n_paired = 0`` and:

        - ``mean_pre``, ``mean_post``: means of everyone who answered; ``mean_change`` their
          difference, ``ci_low``/``ci_high`` its Welch 95% interval
        - ``t``, ``df``, ``p_t``: Welch's t-test (``scipy.stats.ttest_ind(post, pre,
          equal_var=False)``)
        - ``w``, ``p_w``: Mann-Whitney U of the post answers and its p
          (``scipy.stats.mannwhitneyu(post, pre)``)
        - ``g_av``, ``g_av_ci_low``, ``g_av_ci_high``: Hedges' g (pooled SD) and its
          CI (:func:`~evaluation.stats.effect_sizes.hedges_g`,
          :func:`~evaluation.stats.effect_sizes.hedges_g_ci`)
        - ``r_rb``: rank-biserial correlation 2U/(n_post n_pre) - 1
        - ``sd_change``, ``d_z``, ``pct_*``: NaN (there are no individual changes)
        - ``reason``: always says the comparison is unmatched, and why any other value is NaN

    Examples
    --------
    >>> long = pd.DataFrame({"respondent_id": None, "item": "conf_1",
    ...     "phase": ["pre"] * 4 + ["post"] * 5,
    ...     "score": [2.0, 3.0, 3.0, 4.0, 3.0, 4.0, 5.0, 4.0, 5.0]})
    >>> row = unpaired_change(long).iloc[0]
    >>> row["design"], int(row["n_pre"]), int(row["n_post"]), round(float(row["t"]), 4)
    ('unpaired', 4, 5, 2.1669)
    >>> import scipy.stats
    >>> post, pre = [3, 4, 5, 4, 5], [2, 3, 3, 4]
    >>> round(float(scipy.stats.ttest_ind(post, pre, equal_var=False).statistic), 4)
    2.1669
    """
    by = list(by)
    table = unpaired_table(Responses.from_long(long, by))
    return adjust_table(table, by, adjust, constructs)[[*by, *RESULT_COLUMNS]]
