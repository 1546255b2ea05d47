"""Pupil outcomes (Multiplication Tables Check): summaries, score distributions and paired change.

Paired change uses a standard error that respects the clustering of pupils in schools (CR1
cluster-robust, :func:`evaluation.stats.clustering.cluster_robust_mean`) and compares with the
national mean for the year. The table keeps ``eef_months`` for exports, but a pre/post change
has no comparison group, so the readings never show it as progress (see
:data:`evaluation.presentation.readings.MONTHS_NOT_SHOWN`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from evaluation import columns as c
from evaluation.stats import effect_sizes
from evaluation.stats.clustering import cluster_robust_mean
from evaluation.stats.groups import group_index, project_rows
from schemas import reference

__all__ = [
    "CHANGE_COLUMNS",
    "DISTRIBUTION_COLUMNS",
    "HIGH_SCORE",
    "SUMMARY_COLUMNS",
    "eef_months",
    "pupil_change",
    "pupil_summary",
    "score_distribution",
]

SUMMARY_COLUMNS = (
    "phase",
    "n",
    "mean",
    "sd",
    "median",
    "q1",
    "q3",
    "pct_full_marks",
    "pct_20_plus",
    "reason",
)
DISTRIBUTION_COLUMNS = ("phase", "score", "count", "pct")
CHANGE_COLUMNS = (
    "n_paired",
    "n_schools",
    "mean_pre",
    "mean_post",
    "sd_pre",
    "sd_post",
    "mean_change",
    "sd_change",
    "d_z",
    "g_av",
    "g_av_ci_low",
    "g_av_ci_high",
    "eef_months",
    "se_naive",
    "se_cluster",
    "ci_low",
    "ci_high",
    "df",
    "p",
    "design_effect",
    "icc",
    "national_year",
    "national_mean",
    "diff_from_national",
    "reason",
)

# MTC marks at or above which a pupil is counted in pct_20_plus.
HIGH_SCORE = 20

_ONE_PUPIL = "Only one pupil has a score here, so there is no spread to report."
_NO_PAIRS = "No pupil has both a first (pre) and a second (post) score in this group."
_ONE_PAIR = "Only one pupil has both scores; at least two are needed."
_TWO_PAIRS = (
    "Only two pupils have both scores; the effect size g_av needs at least three (with two, its "
    "small-sample correction is 0)."
)
_ONE_SCHOOL = (
    "All pupils are from one school, so a standard error that allows for schools cannot be "
    "computed."
)
_SAME_CHANGE = "Every pupil's score changed by exactly the same amount, so there is no spread."
_SEVERAL_YEARS = "Pupils from several academic years: no single national figure to compare with."
_NO_NATIONAL = "No national MTC figure for this academic year in the reference data."


def pupil_summary(
    pupils: pd.DataFrame,
    *,
    by: Sequence[str] = (),
    measure: str = c.DEFAULT_MEASURE,
    max_score: float = c.MTC_MAX,
) -> pd.DataFrame:
    """Mean, spread and share at full marks of pupil scores, per group x phase.

    Parameters
    ----------
    pupils : DataFrame
        Canonical pupil frame (``phase``, ``score``, ``measure`` and the ``by`` columns).
    by : sequence of str
        Grouping columns (e.g. ``["hub", "academic_year"]``).
    measure : str
        Only rows of this measure are used (when the frame has a ``measure`` column).
    max_score : float
        Full marks (25 for the MTC).

    Returns
    -------
    DataFrame
        One row per group x phase (pre before post), columns ``*by, phase, n, mean, sd,
        median, q1, q3, pct_full_marks, pct_20_plus, reason``: ``sd`` with denominator n - 1,
        quartiles by linear interpolation (NumPy's default), ``pct_full_marks`` the % of
        pupils scoring ``max_score``, ``pct_20_plus`` the % scoring 20 or more; ``reason``
        says why ``sd`` is NaN (one pupil).

    Examples
    --------
    >>> pupils = pd.DataFrame({"phase": ["pre"] * 4 + ["post"] * 4,
    ...                        "score": [10.0, 18, 20, 25, 15, 22, 25, 25]})
    >>> table = pupil_summary(pupils)
    >>> table[["phase", "n", "mean", "median", "pct_full_marks", "pct_20_plus"]].values.tolist()
    [['pre', 4, 18.25, 19.0, 25.0, 50.0], ['post', 4, 21.75, 23.5, 50.0, 75.0]]
    """
    pupils = project_rows(pupils)  # comparison pupils take part in impact only
    by = list(by)
    data = _select(pupils, measure)
    data = data[data[c.SCORE].notna()]
    keys = [*by, c.PHASE]
    score = data[c.SCORE].astype("float64")
    work = data[keys].assign(
        score=score,
        full=(score == max_score).astype("float64"),
        high=(score >= HIGH_SCORE).astype("float64"),
    )
    grouped = work.groupby(keys, sort=False, dropna=False, observed=True)
    table = grouped["score"].agg(["count", "mean", "std", "median"])
    table["q1"] = grouped["score"].quantile(0.25)
    table["q3"] = grouped["score"].quantile(0.75)
    table["pct_full_marks"] = 100 * grouped["full"].mean()
    table["pct_20_plus"] = 100 * grouped["high"].mean()
    table = table.rename(columns={"count": "n", "std": "sd"}).reset_index()
    table["n"] = table["n"].astype("int64")
    # numpy's stubs reject None in np.where; at runtime it gives an object array.
    reason = np.where(table["n"] < 2, _ONE_PUPIL, None)  # type: ignore[call-overload]
    table["reason"] = pd.Series(reason, index=table.index, dtype=object)
    table = _sort(table, by)
    return table[[*by, *SUMMARY_COLUMNS]]


def score_distribution(
    pupils: pd.DataFrame,
    *,
    by: Sequence[str] = (),
    measure: str = c.DEFAULT_MEASURE,
    max_score: int = c.MTC_MAX,
) -> pd.DataFrame:
    """How many pupils got each mark 0..max_score, per group x phase (for histograms).

    Parameters
    ----------
    pupils : DataFrame
        Canonical pupil frame.
    by : sequence of str
        Grouping columns.
    measure : str
        Only rows of this measure are used (when the frame has a ``measure`` column).
    max_score : int
        Highest mark (25 for the MTC).

    Returns
    -------
    DataFrame
        ``*by, phase, score, count, pct``: one row for every mark 0..max_score (zero counts
        included) of every group x phase present; ``pct`` is the % of that group x phase's
        pupils. Scores that are not whole marks in range are not counted.

    Examples
    --------
    >>> pupils = pd.DataFrame({"phase": ["pre", "pre", "post"], "score": [25.0, 24, 25]})
    >>> dist = score_distribution(pupils)
    >>> len(dist), dist.loc[dist["score"] == 25, ["phase", "count", "pct"]].values.tolist()
    (52, [['pre', 1, 50.0], ['post', 1, 100.0]])
    """
    pupils = project_rows(pupils)  # comparison pupils take part in impact only
    by = list(by)
    data = _select(pupils, measure)
    score = data[c.SCORE].astype("float64")
    valid = score.between(0, max_score) & (score == np.floor(score))
    data = data.loc[valid, [*by, c.PHASE]].assign(score=score[valid].astype("int64"))
    keys = [*by, c.PHASE]
    counts = data.groupby([*keys, "score"], sort=False, dropna=False, observed=True).size()
    groups = data[keys].drop_duplicates()
    full = groups.merge(pd.DataFrame({"score": np.arange(max_score + 1)}), how="cross")
    full = full.merge(counts.rename("count").reset_index(), on=[*keys, "score"], how="left")
    full["count"] = full["count"].fillna(0).astype("int64")
    totals = full.groupby(keys, dropna=False, observed=True, sort=False)["count"].transform("sum")
    full["pct"] = 100.0 * full["count"] / totals
    full = _sort(full, by, extra=["score"])
    return full[[*by, *DISTRIBUTION_COLUMNS]]


def pupil_change(
    pupils: pd.DataFrame,
    *,
    by: Sequence[str] = (),
    measure: str = c.DEFAULT_MEASURE,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Paired pre-to-post change in pupil scores with a school-clustered standard error.

    Parameters
    ----------
    pupils : DataFrame
        Canonical pupil frame: ``pupil_id``, ``school_urn``, ``phase``, ``score`` and the ``by``
        columns (``academic_year`` for the national comparison).
    by : sequence of str
        Grouping columns (e.g. ``["hub", "academic_year"]``).
    measure : str
        Only rows of this measure are used (when the frame has a ``measure`` column).
    confidence : float
        Coverage of the intervals.

    Returns
    -------
    DataFrame
        One row per group, columns ``*by`` then

        - ``n_paired`` pupils with a pre and a post score, ``n_schools`` their schools;
        - ``mean_pre``, ``mean_post``, ``sd_pre``, ``sd_post``, ``mean_change``, ``sd_change``
          over those pupils;
        - ``d_z`` = mean change / SD of change; ``g_av`` = Hedges-corrected mean change / average
          SD, with ``g_av_ci_low``, ``g_av_ci_high``; ``eef_months`` from ``g_av``
          (:func:`eef_months`; nullable integer);
        - ``se_naive`` = sd_change / sqrt(n), ``se_cluster`` (CR1, schools as clusters),
          ``ci_low``, ``ci_high`` (mean change +/- t quantile with ``df`` = schools - 1 times
          ``se_cluster``), ``p`` (two-sided, same t), ``design_effect`` =
          (se_cluster / se_naive)^2, ``icc`` the one-way intraclass correlation of the change
          between schools;
        - ``national_year``, ``national_mean`` (reference MTC mean for the group's single
          academic year, else NaN) and ``diff_from_national`` = mean_post - national_mean;
        - ``reason``: None, or plain English saying why values are NaN.

    Notes
    -----
    Pupils are matched on ``pupil_id`` within school, academic year, measure and group; repeated
    scores of one pupil in one phase are averaged. Pupils with no ``school_urn`` form one
    cluster. With differences :math:`d_i`, mean :math:`\\bar d`, residuals
    :math:`e_i = d_i - \\bar d`, :math:`N` pupils in :math:`G` schools and :math:`E_s` the sum
    of residuals in school :math:`s`, the CR1 cluster-robust variance of :math:`\\bar d` (an
    intercept-only regression, as ``statsmodels`` OLS with ``cov_type="cluster"``) is

    .. math:: V = \\frac{G}{G-1}\\,\\frac{N-1}{N-1}\\,\\frac{\\sum_s E_s^2}{N^2}
              = \\frac{G}{G-1}\\,\\frac{\\sum_s E_s^2}{N^2}

    and inference uses Student's t with :math:`G-1` degrees of freedom (Cameron & Miller 2015).
    ``d_z`` and ``g_av`` are :func:`evaluation.stats.effect_sizes.cohens_d_z` and
    :func:`~evaluation.stats.effect_sizes.hedges_g_av` (:math:`J(N-1)\\,\\bar d / \\bar s`, with
    :math:`\\bar s = (s_{pre} + s_{post})/2`), as for teacher surveys; the interval of
    ``g_av`` is the clustered interval of the mean change put on the same scale,
    :math:`J(N-1)/\\bar s` (the SDs treated as known). ``icc`` is ICC(1) from a one-way
    ANOVA of the changes on school, :math:`(MSB - MSW)/(MSB + (n_0 - 1) MSW)` with
    :math:`n_0 = (N - \\sum n_s^2/N)/(G-1)`; it can be negative.

    A pre/post change with no comparison group includes the progress pupils make anyway over
    the year; EEF months are a rough translation of the effect size, not a causal estimate.

    References
    ----------
    Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust
    inference. Journal of Human Resources, 50(2), 317-372.
    Lakens, D. (2013). Calculating and reporting effect sizes to facilitate cumulative
    science. Frontiers in Psychology, 4, 863.

    Examples
    --------
    >>> pupils = pd.DataFrame({
    ...     "pupil_id": ["a", "b", "c", "d"] * 2,
    ...     "school_urn": [100001, 100001, 100002, 100002] * 2,
    ...     "academic_year": "2024/25", "phase": ["pre"] * 4 + ["post"] * 4,
    ...     "score": [15.0, 18, 20, 12, 19, 20, 24, 17]})
    >>> row = pupil_change(pupils, by=["academic_year"]).iloc[0]
    >>> int(row["n_paired"]), int(row["n_schools"]), float(row["mean_change"])
    (4, 2, 3.75)
    >>> float(row["national_mean"]), round(float(row["diff_from_national"]), 2)
    (21.0, -1.0)
    """
    pupils = project_rows(pupils)  # comparison pupils take part in impact only
    by = list(by)
    data = _select(pupils, measure)
    data = data[data[c.SCORE].notna()]
    codes, keys = group_index(data, by)
    n_groups = len(keys)
    pairs = _pairs(data, codes)
    g = pairs["_g"].to_numpy(dtype=np.intp)
    pre = pairs["pre"].to_numpy(dtype="float64")
    post = pairs["post"].to_numpy(dtype="float64")
    diff = post - pre
    school_code, school_group = _clusters(pairs)

    with np.errstate(invalid="ignore", divide="ignore"):
        n = np.bincount(g, minlength=n_groups)
        nf = n.astype("float64")
        mean_pre, var_pre = _mean_var(pre, g, nf)
        mean_post, var_post = _mean_var(post, g, nf)
        mean_change, var_change = _mean_var(diff, g, nf)
        sd_change = np.sqrt(var_change)
        resid = diff - mean_change[g]
        school_sum = np.bincount(school_code, resid)
        school_n = np.bincount(school_code).astype("float64")
        n_schools = np.bincount(school_group, minlength=n_groups)
        gf = n_schools.astype("float64")
        # CR1 by school: the one implementation (stats.clustering); pupils with no school
        # form one cluster of their own, as before.
        robust = cluster_robust_mean(g, school_code, diff, n_groups, level=confidence)
        se_cluster = robust["se_cluster"]
        se_naive = robust["se_naive"]
        df = gf - 1
        t = mean_change / se_cluster
        p = 2 * stats.t.sf(np.abs(t), np.where(df >= 1, df, np.nan))
        d_z = np.asarray(effect_sizes.cohens_d_z(mean_change, sd_change), dtype="float64")
        g_av = np.asarray(
            effect_sizes.hedges_g_av(mean_change, np.sqrt(var_pre), np.sqrt(var_post), nf),
            dtype="float64",
        )
        # g_av = J * mean_change / sd_av, so the same factor carries the clustered CI across.
        scale = np.asarray(effect_sizes.hedges_correction(nf - 1), dtype="float64")
        scale = scale / ((np.sqrt(var_pre) + np.sqrt(var_post)) / 2)
        ci_low = robust["ci_low_cluster"]
        ci_high = robust["ci_high_cluster"]
        design_effect = (se_cluster / se_naive) ** 2
        # ICC(1) from the one-way ANOVA of changes on school.
        school_mean = school_sum / school_n  # residual means: school mean minus group mean
        ss_between = np.bincount(school_group, school_n * school_mean**2, minlength=n_groups)
        ss_total = np.bincount(g, resid**2, minlength=n_groups)
        ms_between = ss_between / (gf - 1)
        ms_within = (ss_total - ss_between) / (nf - gf)
        sum_n2 = np.bincount(school_group, school_n**2, minlength=n_groups)
        n0 = (nf - sum_n2 / nf) / (gf - 1)
        icc = (ms_between - ms_within) / (ms_between + (n0 - 1) * ms_within)

    reason = np.full(n_groups, None, dtype=object)
    no_spread = _same_change(diff, g, n_groups)
    reason[no_spread] = _SAME_CHANGE
    reason[(n_schools < 2) & (n >= 2)] = _ONE_SCHOOL
    reason[n == 2] = np.where(
        pd.isna(reason[n == 2]),
        _TWO_PAIRS,
        np.char.add(reason[n == 2].astype(str), " " + _TWO_PAIRS),
    )
    reason[n == 1] = _ONE_PAIR
    reason[n == 0] = _NO_PAIRS
    for arr in (se_cluster, ci_low, ci_high, p, design_effect, icc, df):
        arr[n_schools < 2] = np.nan
    for arr in (t, p, d_z, design_effect):
        arr[no_spread] = np.nan
    ci_low[no_spread] = ci_high[no_spread] = mean_change[no_spread]
    icc[~np.isfinite(icc) | (nf <= gf)] = np.nan
    g_av[~np.isfinite(g_av)] = np.nan
    g_ci_low = ci_low * scale
    g_ci_high = ci_high * scale
    g_ci_low[~np.isfinite(g_av)] = g_ci_high[~np.isfinite(g_av)] = np.nan

    out = keys.copy()
    out["n_paired"] = n
    out["n_schools"] = n_schools
    out["mean_pre"] = mean_pre
    out["mean_post"] = mean_post
    out["sd_pre"] = np.sqrt(var_pre)
    out["sd_post"] = np.sqrt(var_post)
    out["mean_change"] = mean_change
    out["sd_change"] = sd_change
    out["d_z"] = d_z
    out["g_av"] = g_av
    out["g_av_ci_low"] = g_ci_low
    out["g_av_ci_high"] = g_ci_high
    out["eef_months"] = pd.array(_months(g_av), dtype="Int64")
    out["se_naive"] = se_naive
    out["se_cluster"] = se_cluster
    out["ci_low"] = ci_low
    out["ci_high"] = ci_high
    out["df"] = df
    out["p"] = p
    out["design_effect"] = design_effect
    out["icc"] = icc
    year, national, year_reason = _national(data, codes, n_groups)
    out["national_year"] = pd.Series(year.to_numpy(dtype=object), index=out.index, dtype=object)
    out["national_mean"] = national
    out["diff_from_national"] = mean_post - national
    reason = np.where(pd.isna(reason) & (n > 0), year_reason, reason)
    out["reason"] = pd.Series(reason, index=out.index, dtype=object)
    return out[[*by, *CHANGE_COLUMNS]]


def eef_months(effect_size: float) -> int:
    """Months' additional progress for an effect size, from the EEF Toolkit bands.

    Parameters
    ----------
    effect_size : float
        A pupil-attainment effect size (never a teacher-survey one). Negative effects give
        negative months; sizes above the top band give its months (12).

    Returns
    -------
    int
        Months, from :func:`schemas.reference.eef_months`: the band containing the size's
        absolute value rounded to two decimals (the table's precision), half-way values away
        from zero (0.445 gives the 0.45 row: 6 months).

    Raises
    ------
    ValueError
        If ``effect_size`` is NaN (there is nothing to convert).

    Examples
    --------
    >>> eef_months(0.0), eef_months(0.05), eef_months(0.45), eef_months(-0.3), eef_months(1.4)
    (0, 1, 6, -4, 12)
    >>> eef_months(0.445), eef_months(-0.445)
    (6, -6)
    """
    if effect_size is None or np.isnan(effect_size):
        raise ValueError("effect_size is NaN; check for a missing effect size before converting")
    return int(_months(np.array([effect_size], dtype="float64"))[0])


def _months(effect_sizes: np.ndarray) -> np.ndarray:
    """EEF months for an array of effect sizes (float array, NaN where the size is NaN)."""
    bands = reference.eef_months()
    # Half-way values round up, as the EEF table reads (0.445 -> 0.45 -> 6 months); np.round
    # would round half to even (0.44). The 1e-9 absorbs binary error (0.445 * 100 = 44.4999...).
    with np.errstate(invalid="ignore"):
        size = np.floor(np.abs(effect_sizes) * 100 + 0.5 + 1e-9) / 100
    # +1e-9 so a size equal to a band's lower bound lands in that band despite float rounding
    position = np.searchsorted(bands["effect_size_min"].to_numpy(), size + 1e-9, side="right")
    months = bands["months"].to_numpy(dtype="float64")[np.clip(position - 1, 0, None)]
    months = np.where(effect_sizes < 0, -months, months) + 0.0  # + 0.0 turns -0.0 into 0.0
    return np.where(np.isnan(effect_sizes), np.nan, months)


def _select(pupils: pd.DataFrame, measure: str) -> pd.DataFrame:
    if c.MEASURE in pupils:
        return pupils[pupils[c.MEASURE].fillna(c.DEFAULT_MEASURE) == measure]
    return pupils


def _pairs(data: pd.DataFrame, codes: np.ndarray) -> pd.DataFrame:
    """One row per matched pupil: group code, school, pre and post score (duplicates averaged)."""
    extra = [k for k in (c.ACADEMIC_YEAR, c.MEASURE) if k in data]
    keys = ["_g", c.SCHOOL_URN, *extra, c.PUPIL_ID]
    work = data[[c.SCHOOL_URN, *extra, c.PUPIL_ID, c.PHASE, c.SCORE]].assign(_g=codes)
    work[c.SCORE] = work[c.SCORE].astype("float64")
    means = work.groupby([*keys, c.PHASE], sort=False, dropna=False, observed=True)[c.SCORE].mean()
    wide = means.unstack(c.PHASE).reindex(columns=list(c.PHASES)).dropna()
    return wide.reset_index()


def _clusters(pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Cluster code per pair (group x school) and the group of each cluster."""
    # Clusters numbered in order of first appearance (as factorising the (group, school) pairs
    # would), a missing school being one school of its group; integer codes, not tuples.
    group = pairs["_g"].to_numpy()
    group_code, _ = pd.factorize(group, use_na_sentinel=False)
    school_code, _ = pd.factorize(pairs[c.SCHOOL_URN], use_na_sentinel=False)
    width = int(school_code.max()) + 1 if len(school_code) else 1
    code, _ = pd.factorize(group_code.astype(np.int64) * width + school_code)
    _, first = np.unique(code, return_index=True)
    return code.astype(np.intp), group[first].astype(np.intp)


def _mean_var(
    values: np.ndarray, codes: np.ndarray, n: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    mean = np.bincount(codes, values, minlength=len(n)) / n
    dev = values - mean[codes]
    return mean, np.bincount(codes, dev * dev, minlength=len(n)) / (n - 1)


def _same_change(diff: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """True for groups of two or more pairs whose changes are all identical."""
    grouped = pd.Series(diff).groupby(codes)
    spread = (grouped.max() - grouped.min()).reindex(range(n_groups))
    count = np.bincount(codes, minlength=n_groups)
    return (spread.to_numpy() == 0) & (count >= 2)


def _national(
    data: pd.DataFrame, codes: np.ndarray, n_groups: int
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """The group's single academic year, its national MTC mean, and why it is missing."""
    reason = np.full(n_groups, None, dtype=object)
    if c.ACADEMIC_YEAR not in data:
        return pd.Series([None] * n_groups, dtype=object), np.full(n_groups, np.nan), reason
    years = data[c.ACADEMIC_YEAR].groupby(codes)
    n_years = years.nunique().reindex(range(n_groups), fill_value=0).to_numpy()
    year = years.first().reindex(range(n_groups)).astype(object)
    year[n_years != 1] = None
    table = reference.mtc_national().set_index(c.ACADEMIC_YEAR)["mean_score"]
    national = year.map(table).to_numpy(dtype="float64")
    reason[(n_years == 1) & np.isnan(national)] = _NO_NATIONAL
    reason[n_years > 1] = _SEVERAL_YEARS
    return year.reset_index(drop=True), national, reason


def _sort(table: pd.DataFrame, by: list[str], extra: Sequence[str] = ()) -> pd.DataFrame:
    """Sort by the group keys, then pre before post, then ``extra``."""
    order = table[c.PHASE].map({p: i for i, p in enumerate(c.PHASES)}).fillna(len(c.PHASES))
    table = table.assign(_phase_order=order)
    table = table.sort_values([*by, "_phase_order", *extra], kind="stable", na_position="last")
    return table.drop(columns="_phase_order").reset_index(drop=True)
