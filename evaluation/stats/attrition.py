"""Attrition: who answered the first survey but not the second, and were they different?

Counts completers, leavers and joiners per group and compares completers with leavers on each
construct's pre score (difference, Hedges' g with CI, Welch t-test), for every group at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from evaluation import columns as c
from evaluation.instruments import Instrument
from evaluation.stats import effect_sizes
from evaluation.stats.disclosure import resolve_min_n
from evaluation.stats.groups import group_index
from evaluation.stats.scoring import construct_scores

__all__ = ["ATTRITION_COLUMNS", "attrition"]

ATTRITION_COLUMNS = (
    "construct",
    "n_pre",
    "n_post",
    "n_completers",
    "n_leavers",
    "n_joiners",
    "n_no_id",
    "pct_retained",
    "n_completers_scored",
    "n_leavers_scored",
    "mean_completers",
    "mean_leavers",
    "sd_completers",
    "sd_leavers",
    "difference",
    "g",
    "g_ci_low",
    "g_ci_high",
    "t",
    "df",
    "p",
    "verdict",
    "reason",
)
# verdict: the interval of g excludes 0 with enough people in both groups ("different"), it
# includes 0 ("no clear difference"), or there are too few people to judge (None).
DIFFERENT, NO_CLEAR_DIFFERENCE = "different", "no clear difference"

_NO_PRE = "No one answered the first (pre) survey in this group."
_NO_IDS = "Nobody has a participant code or email, so first and second surveys cannot be matched."
_NO_LEAVERS = "Everyone who answered the first survey also answered the second: no one left."
_NO_COMPLETERS = "No one who answered the first survey answered the second."
_FEW_COMPLETERS = "Fewer than two people who stayed have a score here, too few to compare."
_FEW_LEAVERS = "Fewer than two people who left have a score here, too few to compare."
_NO_SPREAD = "Everyone who stayed and everyone who left had the same score, so no effect size."
_TOO_FEW_TO_JUDGE = (
    "Too few people who {who} have a score here ({n}) to judge whether those who stayed "
    "represent everyone who started (at least {min_n} are needed)."
)


def attrition(
    frame: pd.DataFrame,
    instrument: Instrument,
    *,
    by: Sequence[str] = (),
    confidence: float = 0.95,
    min_n: int | None = None,
) -> pd.DataFrame:
    """Retention and the baseline difference between completers and leavers, per group x construct.

    Parameters
    ----------
    frame : DataFrame
        Wide canonical survey frame with ``respondent_id``, ``phase`` and item columns.
    instrument : Instrument
        Constructs and reverse-coding used for the construct scores.
    by : sequence of str
        Grouping columns (e.g. ``["hub", "ncp"]``); people are matched within a group. Do not
        include ``phase``.
    confidence : float
        Coverage of the interval for Hedges' g.
    min_n : int, optional
        Fewest scored completers and leavers for a ``verdict`` (default the disclosure
        minimum, 5 or ``$IMPACT_MIN_N``).

    Returns
    -------
    DataFrame
        One row per group x construct. The counts are the same on every construct row of a group:
        ``n_pre`` / ``n_post`` distinct people with an identifier who answered the pre / post
        survey, ``n_completers`` pre people with a post, ``n_leavers = n_pre - n_completers``,
        ``n_joiners`` post people with no pre, ``n_no_id`` rows without an identifier (left out
        of everything else), ``pct_retained = 100 * n_completers / n_pre``. Then, on the pre
        construct score: ``n_completers_scored``, ``n_leavers_scored``, ``mean_completers``,
        ``mean_leavers``, ``sd_completers``, ``sd_leavers``, ``difference`` (completers minus
        leavers), ``g`` Hedges' g with ``g_ci_low``, ``g_ci_high``, Welch's ``t``, ``df``, ``p``
        (two-sided), ``verdict`` (``"different"`` when the interval of g excludes 0,
        ``"no clear difference"`` when it includes 0, None with a reason when fewer than
        ``min_n`` completers or leavers have a score) and ``reason`` (None, or why values are
        NaN or there is no verdict).

    Notes
    -----
    A person is identified by ``respondent_id`` within the group; several rows of one person in
    one phase count once and their construct scores are averaged. Construct scores are the mean
    of the answered items after reverse-coding (:func:`evaluation.stats.scoring.construct_scores`).

    With completers (1) and leavers (2), pooled SD
    :math:`s_p = \\sqrt{((n_1-1)s_1^2 + (n_2-1)s_2^2)/(n_1+n_2-2)}`,
    :math:`g = \\frac{\\bar x_1 - \\bar x_2}{s_p}\\left(1 - \\frac{3}{4(n_1+n_2)-9}\\right)`
    (Hedges & Olkin 1985 approximation), and its interval
    :math:`g \\pm t_{n_1+n_2-2}\\sqrt{\\frac{n_1+n_2}{n_1 n_2} + \\frac{g^2}{2(n_1+n_2)}}`,
    as ``pingouin.compute_effsize`` / ``compute_esci`` do (computed by
    :func:`evaluation.stats.effect_sizes.hedges_g` and
    :func:`~evaluation.stats.effect_sizes.hedges_g_ci`).
    The test is Welch's t-test
    (``scipy.stats.ttest_ind(equal_var=False)``).

    References
    ----------
    Hedges, L. V., & Olkin, I. (1985). Statistical methods for meta-analysis. Academic Press.
    Welch, B. L. (1947). The generalization of "Student's" problem when several different
    population variances are involved. Biometrika, 34(1-2), 28-35.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> wide = pd.DataFrame({
    ...     "respondent_id": ["a", "b", "c", "d", "a", "b", "e"],
    ...     "phase": ["pre"] * 4 + ["post"] * 3,
    ...     "conf_1": [4.0, 5, 2, 1, 5, 5, 3], "conf_2": [4.0, 4, 2, 2, 5, 4, 3],
    ... })
    >>> row = attrition(wide, default_instrument()).iloc[0]
    >>> [int(row[k]) for k in ("n_pre", "n_post", "n_completers", "n_leavers", "n_joiners")]
    [4, 3, 2, 2, 1]
    >>> float(row["pct_retained"]), float(row["difference"])
    (50.0, 2.5)
    """
    by = list(by)
    threshold = resolve_min_n(min_n)
    constructs = list(instrument.constructs)
    codes, keys = group_index(frame, by)
    n_groups = len(keys)
    scores = construct_scores(frame, instrument).reindex(columns=constructs)
    people = pd.concat([scores, frame[[c.RESPONDENT_ID, c.PHASE]]], axis=1)
    people["_g"] = codes
    identified = people[c.RESPONDENT_ID].notna()
    n_no_id = np.bincount(codes[~identified.to_numpy()], minlength=n_groups)
    people = people[identified]
    pre = people[people[c.PHASE] == "pre"].groupby(["_g", c.RESPONDENT_ID], sort=False)
    pre = pre[constructs].mean()
    post_ids = people[people[c.PHASE] == "post"].groupby(["_g", c.RESPONDENT_ID], sort=False)
    post_ids = post_ids.size().index
    pre_group = pre.index.get_level_values("_g").to_numpy(dtype=np.intp)
    post_group = post_ids.get_level_values("_g").to_numpy(dtype=np.intp)
    stayed = pre.index.isin(post_ids)

    n_pre = np.bincount(pre_group, minlength=n_groups)
    n_post = np.bincount(post_group, minlength=n_groups)
    n_completers = np.bincount(pre_group[stayed], minlength=n_groups)
    n_leavers = n_pre - n_completers
    n_joiners = n_post - n_completers
    with np.errstate(invalid="ignore", divide="ignore"):
        pct_retained = np.where(n_pre > 0, 100.0 * n_completers / n_pre, np.nan)

    group_reason = np.full(n_groups, None, dtype=object)
    group_reason[n_completers == 0] = _NO_COMPLETERS
    group_reason[n_leavers == 0] = _NO_LEAVERS
    group_reason[n_pre == 0] = _NO_PRE
    group_reason[(n_no_id > 0) & (n_pre == 0) & (n_post == 0)] = _NO_IDS

    parts = []
    for construct in constructs:
        values = pre[construct].to_numpy(dtype="float64")
        scored = ~np.isnan(values)
        first = _moments(values[scored & stayed], pre_group[scored & stayed], n_groups)
        second = _moments(values[scored & ~stayed], pre_group[scored & ~stayed], n_groups)
        result = _compare_independent(first, second, confidence)
        reason = group_reason.copy()
        free = pd.isna(reason)
        reason[free & (second[0] < 2)] = _FEW_LEAVERS
        reason[free & (first[0] < 2)] = _FEW_COMPLETERS
        reason[pd.isna(reason) & ~np.isfinite(result["g"])] = _NO_SPREAD
        enough = (first[0] >= threshold) & (second[0] >= threshold)
        verdict = np.where(
            (result["g_ci_low"] > 0) | (result["g_ci_high"] < 0), DIFFERENT, NO_CLEAR_DIFFERENCE
        ).astype(object)
        verdict[~enough | ~np.isfinite(result["g_ci_low"])] = None
        for i in np.flatnonzero(pd.isna(reason) & ~enough):
            short_leavers = second[0][i] < threshold
            reason[i] = _TOO_FEW_TO_JUDGE.format(
                who="left" if short_leavers else "stayed",
                n=int(second[0][i] if short_leavers else first[0][i]),
                min_n=threshold,
            )
        part = keys.copy()
        part["construct"] = construct
        part["n_pre"] = n_pre
        part["n_post"] = n_post
        part["n_completers"] = n_completers
        part["n_leavers"] = n_leavers
        part["n_joiners"] = n_joiners
        part["n_no_id"] = n_no_id
        part["pct_retained"] = pct_retained
        part["n_completers_scored"] = first[0]
        part["n_leavers_scored"] = second[0]
        part["mean_completers"] = first[1]
        part["mean_leavers"] = second[1]
        part["sd_completers"] = np.sqrt(first[2])
        part["sd_leavers"] = np.sqrt(second[2])
        for name, column in result.items():
            part[name] = column
        part["verdict"] = pd.Series(verdict, index=part.index, dtype=object)
        part["reason"] = pd.Series(reason, index=part.index, dtype=object)
        parts.append(part)
    cols = [*keys.columns, *ATTRITION_COLUMNS]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


def _moments(
    values: np.ndarray, codes: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-group count, mean and sample variance (NaN where undefined), two-pass."""
    n = np.bincount(codes, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(codes, values, minlength=n_groups) / n
        dev = values - mean[codes]
        var = np.bincount(codes, dev * dev, minlength=n_groups) / (n - 1)
    var[n < 2] = np.nan
    mean[n < 1] = np.nan
    return n, mean, var


def _compare_independent(
    first: tuple[np.ndarray, np.ndarray, np.ndarray],
    second: tuple[np.ndarray, np.ndarray, np.ndarray],
    confidence: float,
) -> dict[str, np.ndarray]:
    """Difference, Hedges' g with CI and Welch's t-test for two independent samples per group."""
    n1, m1, v1 = first
    n2, m2, v2 = second
    size = len(n1)
    out = {name: np.full(size, np.nan) for name in ("g", "g_ci_low", "g_ci_high", "t", "df", "p")}
    out = {"difference": m1 - m2, **out}
    ok = (n1 >= 2) & (n2 >= 2) & ((v1 > 0) | (v2 > 0))
    n1, n2, m1, m2, v1, v2 = (a[ok].astype("float64") for a in (n1, n2, m1, m2, v1, v2))
    g = effect_sizes.hedges_g(m1, m2, np.sqrt(v1), np.sqrt(v2), n1, n2)
    g_low, g_high = effect_sizes.hedges_g_ci(g, n1, n2, level=confidence)
    a1, a2 = v1 / n1, v2 / n2
    t = (m1 - m2) / np.sqrt(a1 + a2)
    with np.errstate(invalid="ignore", divide="ignore"):
        df = (a1 + a2) ** 2 / (a1**2 / (n1 - 1) + a2**2 / (n2 - 1))
    out["g"][ok] = g
    out["g_ci_low"][ok] = g_low
    out["g_ci_high"][ok] = g_high
    out["t"][ok] = t
    out["df"][ok] = df
    out["p"][ok] = 2 * stats.t.sf(np.abs(t), df)
    return out
