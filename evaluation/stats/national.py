"""Fair national comparison: per-hub effects, pooled NCP effects, funnel data, trends, overview.

Starts from the paired results table (``evaluation.stats.paired.paired_change`` by hub and NCP);
every
table that leaves this module has passed disclosure control (:mod:`evaluation.stats.disclosure`).
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Literal, cast

import numpy as np
import pandas as pd
from scipy import stats

from evaluation import columns as c
from evaluation.stats.disclosure import (
    SECONDARY_REASON,
    resolve_min_n,
    secondary_suppress,
    suppress,
)
from evaluation.stats.effect_sizes import d_z_standard_error
from evaluation.stats.pooling import (
    TEST_LABELS,
    Method,
    RandomEffectsResult,
    Test,
    control_limits,
    funnel_band,
    pooled_by,
)

__all__ = [
    "EFFECT_LABELS",
    "HUB_EFFECT_COLUMNS",
    "NATIONAL",
    "Effect",
    "FunnelData",
    "NationalTrend",
    "cross_ncp_overview",
    "d_z_funnel_se",
    "d_z_standard_error",
    "funnel_data",
    "hub_effects",
    "national_table",
    "national_trend",
    "pool_hubs",
    "trends",
]

Effect = Literal["d_z", "mean_change"]
EFFECT_LABELS = c.EFFECT_LABELS  # defined with the column names, which import no SciPy
NATIONAL = "National"

# Columns of hub_effects, after any extra grouping keys such as academic_year.
HUB_EFFECT_COLUMNS = (
    c.NCP,
    c.HUB,
    c.ITEM,
    "n_paired",
    "mean_pre",
    "mean_post",
    "mean_change",
    "sd_change",
    "mean_change_se",
    "mean_change_ci_low",
    "mean_change_ci_high",
    "d_z",
    "d_z_se",
    "d_z_ci_low",
    "d_z_ci_high",
    "n_clusters",
    "design_effect",
    "reason",
    "suppressed",
    "suppression_reason",
    "suppression_kind",
)
# suppression_kind: "small" (fewer respondents than the minimum) or "secondary" (hidden so that
# a small hub cannot be worked out from a total); None when shown.
SMALL = "small"
SECONDARY = "secondary"
# hub_effects keeps, in DataFrame.attrs, the table with only the small hubs hidden: pooled
# values combine every hub with enough respondents, also those hidden for secondary reasons.
POOLING_ATTR = "hubs_for_pooling"


class _Kept(tuple):
    """Kept values: a tuple (pandas compares attrs); deep copies (per frame operation) skip it."""

    def __deepcopy__(self, memo: dict) -> _Kept:
        return self


def _check_effect(effect: str) -> Effect:
    if effect not in EFFECT_LABELS:
        raise ValueError(f"effect must be one of {tuple(EFFECT_LABELS)}, not {effect!r}")
    return cast(Effect, effect)


def d_z_funnel_se(target: np.ndarray | float, n: np.ndarray, tau2: float = 0.0) -> np.ndarray:
    """Standard error of the funnel limits for d_z around ``target`` with ``n`` pairs.

    sqrt(se(target, n)^2 + tau2), se from :func:`d_z_standard_error`; ``tau2`` > 0 widens
    them by the between-hub variance (Spiegelhalter 2005). Used by :func:`funnel_data`.

    References
    ----------
    Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. Statistics
    in Medicine 24(8):1185-1202.

    Examples
    --------
    >>> d_z_funnel_se(0.0, np.array([4.0, 16.0])).tolist()
    [0.5, 0.25]
    """
    return np.sqrt(d_z_standard_error(target, n) ** 2 + tau2)


def hub_effects(
    paired_results: pd.DataFrame,
    *,
    outcome: str | Sequence[str] | None = None,
    ncp: str | Sequence[str] | None = None,
    min_n: int | None = None,
    secondary: bool = True,
    level: float = 0.95,
) -> pd.DataFrame:
    """Each hub's paired change for an outcome, with standard errors, CIs and suppression.

    Parameters
    ----------
    paired_results : DataFrame
        Paired results by hub and NCP (columns as ``paired_change(long, by=["hub", "ncp"])``;
        extra keys such as ``academic_year`` are carried along). Only ``design == "paired"``
        rows are used when a ``design`` column is present.
    outcome : str or sequence, optional
        Item id or construct name (``item`` column); default every outcome.
    ncp : str or sequence, optional
        NCP name(s); default every NCP.
    min_n : int, optional
        Disclosure threshold on ``n_paired`` (default 5 or ``$IMPACT_MIN_N``).
    secondary : bool
        Also apply secondary suppression within each NCP x outcome (and any extra keys), so a
        hidden hub cannot be recovered from an NCP total shown elsewhere.
    level : float
        Confidence level for the ``d_z`` interval.

    Returns
    -------
    DataFrame
        ``*extra keys, ncp, hub, item, n_paired, mean_pre, mean_post, mean_change, sd_change,
        mean_change_se, mean_change_ci_low, mean_change_ci_high, d_z, d_z_se, d_z_ci_low,
        d_z_ci_high, n_clusters, design_effect, reason, suppressed, suppression_reason,
        suppression_kind``, sorted by NCP,
        outcome and hub. ``suppression_kind`` is ``"small"`` (fewer respondents than
        ``min_n``), ``"secondary"`` (hidden so a small hub cannot be worked out from a total;
        a hub with no matched respondents never causes this) or None.
        ``mean_change_se`` = sd_change / sqrt(n); the mean-change CI is the paired t interval
        from the results table. ``d_z_se`` = sqrt(1/n + d_z^2/(2n)) (see
        :func:`d_z_standard_error`) and the ``d_z`` CI is d_z -/+ z SE. When the results carry
        the clustered columns of ``paired_change(..., cluster="work_group")``,
        ``mean_change_se`` and its CI are the cluster-robust (CR1) ones and ``d_z_se`` is
        sqrt(max(1, design_effect)/n + d_z^2/(2n)); ``n_clusters``, ``design_effect`` and the
        cluster note (in ``reason``) say so; otherwise those two are NaN. Suppressed rows have
        every number blanked, the count included.

    Examples
    --------
    >>> res = pd.DataFrame({"hub": ["A", "B"], "ncp": ["P", "P"], "item": ["confidence"] * 2,
    ...     "n_paired": [40, 3], "mean_pre": [3.0, 2.0], "mean_post": [3.5, 3.0],
    ...     "mean_change": [0.5, 1.0], "sd_change": [1.0, 0.5], "ci_low": [0.18, 0.0],
    ...     "ci_high": [0.82, 2.0], "d_z": [0.5, 2.0]})
    >>> out = hub_effects(res, outcome="confidence", min_n=5, secondary=False)
    >>> out[["hub", "n_paired", "d_z", "suppressed"]].values.tolist()
    [['A', 40.0, 0.5, False], ['B', nan, nan, True]]
    >>> round(float(out.loc[0, "d_z_se"]), 4)
    0.1677
    """
    frame = paired_results
    if "design" in frame:
        frame = frame[frame["design"].eq("paired")]
    if outcome is not None:
        outcomes = [outcome] if isinstance(outcome, str) else list(outcome)
        frame = frame[frame[c.ITEM].isin(outcomes)]
    if ncp is not None:
        ncps = [ncp] if isinstance(ncp, str) else list(ncp)
        frame = frame[frame[c.NCP].isin(ncps)]
    extra = [k for k in (c.ACADEMIC_YEAR, c.WORK_GROUP) if k in frame]
    out = pd.DataFrame({k: frame[k].to_numpy() for k in [*extra, c.NCP, c.HUB, c.ITEM]})
    n = frame["n_paired"].to_numpy(dtype=float, na_value=np.nan)
    out["n_paired"] = n
    for col in ("mean_pre", "mean_post", "mean_change", "sd_change"):
        out[col] = _floats(frame, col)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_change_se"] = out["sd_change"] / np.sqrt(n)
    out["mean_change_ci_low"] = _floats(frame, "ci_low")
    out["mean_change_ci_high"] = _floats(frame, "ci_high")
    d = _floats(frame, "d_z")
    d = np.where(np.isfinite(d), d, np.nan)  # all changes equal: d_z is undefined, not infinite
    out["d_z"] = d
    out["d_z_se"] = d_z_standard_error(d, n)
    z = stats.norm.ppf(0.5 + level / 2)
    out["d_z_ci_low"] = out["d_z"] - z * out["d_z_se"]
    out["d_z_ci_high"] = out["d_z"] + z * out["d_z_se"]
    # Teachers nested in Work Groups (paired_change(..., cluster="work_group")): the CR1
    # standard error replaces s / sqrt(n), and the d_z variance's 1/n term grows by the design
    # effect (never below 1), so pooled hub weights allow for the clustering too.
    out["n_clusters"] = _floats(frame, "n_clusters")
    deff = _floats(frame, "design_effect")
    out["design_effect"] = deff
    clustered = np.isfinite(_floats(frame, "se_cluster")) & np.isfinite(deff)
    if clustered.any():
        inflate = np.where(clustered, np.maximum(deff, 1.0), 1.0)
        out["mean_change_se"] = np.where(
            clustered, _floats(frame, "se_cluster"), out["mean_change_se"]
        )
        for side in ("low", "high"):
            out[f"mean_change_ci_{side}"] = np.where(
                clustered, _floats(frame, f"ci_{side}_cluster"), out[f"mean_change_ci_{side}"]
            )
        with np.errstate(invalid="ignore", divide="ignore"):
            out["d_z_se"] = np.where(
                clustered, np.sqrt(inflate / n + d**2 / (2.0 * n)), out["d_z_se"]
            )
        out["d_z_ci_low"] = out["d_z"] - z * out["d_z_se"]
        out["d_z_ci_high"] = out["d_z"] + z * out["d_z_se"]
    reason = (
        frame["reason"].astype(object).to_numpy() if "reason" in frame else np.full(len(out), None)
    )
    if "cluster_note" in frame:
        note = frame["cluster_note"].astype(object).to_numpy()
        reason = np.array(
            [
                " ".join(str(p) for p in (r, m) if isinstance(p, str)) or None
                for r, m in zip(reason, note, strict=True)
            ],
            dtype=object,
        )
    out["reason"] = reason
    out = out.sort_values([*extra, c.NCP, c.ITEM, c.HUB], kind="stable").reset_index(drop=True)
    statistic_cols = [col for col in HUB_EFFECT_COLUMNS[3:-3]]
    no_one = (np.nan_to_num(out["n_paired"].to_numpy(dtype=float)) == 0).tolist()
    out = suppress(out, n_col="n_paired", min_n=min_n, columns=statistic_cols)
    out["suppression_kind"] = _kinds(out)
    primary = out.copy()
    if secondary:
        # A hub nobody answered in has nothing to protect, so it never makes another hidden.
        empty = np.asarray(no_one, dtype=bool)
        protected = secondary_suppress(
            out[~empty], total=[*extra, c.NCP, c.ITEM], n_col="n_paired", columns=statistic_cols
        )
        out = pd.concat([protected, out[empty]]).sort_index()
        out["suppression_kind"] = _kinds(out)
    result = out[[*extra, *HUB_EFFECT_COLUMNS]]
    kept = np.flatnonzero(result["suppression_kind"].eq(SECONDARY).to_numpy())
    numbers = [col for col in statistic_cols if col != "reason"]
    values = primary[numbers].to_numpy(dtype=float, na_value=np.nan)
    rows = tuple((result.index[i], result.iloc[i][c.HUB], tuple(values[i].tolist())) for i in kept)
    result.attrs[POOLING_ATTR] = _Kept((tuple(numbers), rows))
    return result


def _kinds(table: pd.DataFrame) -> np.ndarray:
    """ "small", "secondary" or None per row, from ``suppressed`` and ``suppression_reason``."""
    hidden = table["suppressed"].fillna(False).to_numpy(dtype=bool)
    secondary = table["suppression_reason"].astype(object).eq(SECONDARY_REASON).to_numpy()
    kinds = np.where(secondary, SECONDARY, SMALL).astype(object)
    kinds[~hidden] = None
    return kinds


def _conceal_counts(pooled: pd.DataFrame, shown: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Blank ``n_respondents`` of pools that combine a hub hidden for a secondary reason.

    Its count, added to the shown hubs', would let a small hub's size be worked out from the
    total; the pooled effect itself reveals nothing about the small hub.
    """
    kind = shown.get("suppression_kind")
    if kind is None or not kind.eq(SECONDARY).any():
        return pooled
    out = pooled.copy()
    counts = out["n_respondents"].astype("Int64")
    if by:
        flagged = shown.loc[kind.eq(SECONDARY), by].drop_duplicates()
        hit = out[by].merge(flagged, on=by, how="left", indicator=True)["_merge"].eq("both")
        counts[hit.to_numpy()] = pd.NA
    else:
        counts[:] = pd.NA
    out["n_respondents"] = counts
    return out


def hubs_for_pooling(hub_table: pd.DataFrame) -> pd.DataFrame:
    """The hubs a pooled value combines: every hub except those with too few respondents.

    Hubs hidden only for a secondary reason (so that a small hub cannot be worked out from a
    total) are pooled: their own results are not shown, but nothing about the small hub can be
    recovered from a pooled effect. Uses the values :func:`hub_effects` keeps for this in
    ``DataFrame.attrs``; a table without them is returned as it is.

    Examples
    --------
    >>> res = pd.DataFrame({"hub": ["A", "B", "C"], "ncp": ["P"] * 3, "item": ["x"] * 3,
    ...     "n_paired": [3, 30, 40], "mean_change": [0.5, 0.4, 0.2],
    ...     "sd_change": [1.0, 0.8, 0.9], "d_z": [0.5, 0.5, 0.22]})
    >>> hubs = hub_effects(res, min_n=5)
    >>> [k if isinstance(k, str) else None for k in hubs["suppression_kind"]]
    ['small', 'secondary', None]
    >>> hubs_for_pooling(hubs)["suppressed"].tolist()
    [True, False, False]
    """
    kept = hub_table.attrs.get(POOLING_ATTR)
    if not isinstance(kept, tuple) or len(kept) != 2 or not kept[1]:
        return hub_table
    columns, rows = kept
    out = hub_table.copy()
    out.attrs = {}
    for label, hub, values in rows:
        if label not in out.index or out.at[label, c.HUB] != hub:
            continue  # the table was filtered or re-indexed: leave that hub out
        for column, value in zip(columns, values, strict=True):
            if column in out:
                out.at[label, column] = value
        out.at[label, "suppressed"] = False
    return out


def _floats(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def pool_hubs(
    hub_table: pd.DataFrame,
    *,
    effect: Effect = "d_z",
    method: Method = "REML",
    test: Test = "knha",
) -> pd.Series:
    """Pool one NCP x outcome's hubs into one pooled row (``k`` says how many).

    Every hub with enough respondents is pooled, also one hidden for a secondary reason
    (:func:`hubs_for_pooling`); hubs with too few respondents never are (``k_suppressed``).

    Returns the single row of :func:`evaluation.stats.pooling.pooled_by` with ``by=[]`` (columns
    ``method, test, k, k_suppressed, k_excluded, n_respondents, estimate, se, ci_low, ci_high,
    tau2, i2, q, q_df, q_p, pi_low, pi_high, note``), plus ``effect``. ``test`` is
    ``"knha"`` (Knapp-Hartung, the default) or ``"z"``.

    Examples
    --------
    >>> t = pd.DataFrame({"hub": list("ABC"), "d_z": [0.2, 0.5, 0.9],
    ...     "d_z_se": [0.2, 0.1414, 0.2236], "n_paired": [30.0, 60.0, 25.0],
    ...     "suppressed": [False, False, False]})
    >>> row = pool_hubs(t)
    >>> int(row["k"]), int(row["n_respondents"])
    (3, 115)
    """
    effect = _check_effect(effect)
    table = hubs_for_pooling(hub_table)
    pooled = pooled_by(table, [], effect=effect, method=method, test=test)
    row = _conceal_counts(pooled, hub_table, []).iloc[0].copy()
    row["effect"] = effect
    return row


def cross_ncp_overview(
    paired_results: pd.DataFrame,
    *,
    min_n: int | None = None,
    effect: Effect = "d_z",
    method: Method = "REML",
    outcomes: Sequence[str] | None = None,
    test: Test = "knha",
) -> pd.DataFrame:
    """Pooled effect for every NCP x outcome at once (random effects across hubs).

    Parameters
    ----------
    paired_results : DataFrame
        Paired results by hub and NCP (all NCPs).
    min_n : int, optional
        Disclosure threshold (default 5 or ``$IMPACT_MIN_N``).
    effect : {"d_z", "mean_change"}
        Which per-hub effect is pooled.
    method : {"REML", "DL"}
        tau^2 estimator.
    outcomes : sequence of str, optional
        Items / constructs to include; default all.
    test : {"knha", "z"}
        Knapp-Hartung interval (default) or the normal one.

    Returns
    -------
    DataFrame
        ``ncp, item, effect, method, test, k, k_suppressed, k_excluded, n_respondents, estimate, se,
        ci_low, ci_high, tau2, i2, q, q_df, q_p, pi_low, pi_high, note``; ``k`` = hubs used,
        ``k_suppressed`` = hubs hidden by disclosure control, ``n_respondents`` = respondents
        in the hubs used.

    Examples
    --------
    >>> res = pd.DataFrame({"hub": ["A", "B", "A"], "ncp": ["P", "P", "Q"],
    ...     "item": ["confidence"] * 3, "n_paired": [40, 30, 20], "mean_change": [0.5, 0.4, 0.2],
    ...     "sd_change": [1.0, 0.8, 0.9], "d_z": [0.5, 0.5, 0.22]})
    >>> out = cross_ncp_overview(res, method="DL")
    >>> out[["ncp", "k", "n_respondents"]].values.tolist()
    [['P', 2, 70], ['Q', 1, 20]]
    """
    effect = _check_effect(effect)
    hubs = hub_effects(paired_results, outcome=outcomes, min_n=min_n, secondary=False)
    by = [k for k in (c.ACADEMIC_YEAR,) if k in hubs] + [c.NCP, c.ITEM]
    out = pooled_by(hubs, by, effect=effect, method=method, test=test)
    shown = hub_effects(paired_results, outcome=outcomes, min_n=min_n)
    out = _conceal_counts(out, shown, by)
    out.insert(len(by), "effect", effect)
    return out


def trends(
    paired_results_by_year: pd.DataFrame,
    *,
    outcome: str,
    hub: str | None = None,
    ncp: str | None = None,
    effect: Effect = "d_z",
    method: Method = "REML",
    min_n: int | None = None,
    test: Test = "knha",
    shared: MutableMapping | None = None,
) -> pd.DataFrame:
    """An outcome by academic year for one hub or one NCP, with the national line.

    Parameters
    ----------
    paired_results_by_year : DataFrame
        Paired results by ``academic_year``, hub and NCP.
    outcome : str
        Item id or construct.
    hub : str, optional
        Show this hub (within ``ncp`` if given, else its single NCP per year must be unique:
        when the hub ran several NCPs, their results are pooled).
    ncp : str, optional
        Restrict to this NCP. Without ``hub`` the NCP's pooled effect is the series.
    effect : {"d_z", "mean_change"}
        Which effect is shown.
    method : {"REML", "DL"}
        tau^2 estimator for pooled values.
    min_n : int, optional
        Disclosure threshold.
    test : {"knha", "z"}
        Knapp-Hartung interval (default) or the normal one for pooled values.
    shared : mutable mapping, optional
        Keeps the parts that do not depend on ``hub`` (:func:`national_trend`) for later calls
        on the same ``paired_results_by_year``: many hubs' trends cost one national line.

    Returns
    -------
    DataFrame
        One row per academic year and series: ``academic_year, series, level ("hub", "ncp" or
        "national"), estimate, ci_low, ci_high, n, k, hubs, suppressed, suppression_reason``;
        ``hubs`` is the number of different hubs pooled (``k`` counts hub x project results).
        The national line pools every hub of the NCP (``ncp`` given) or every hub x NCP.
        A hub's own row for a year is its result when it ran one NCP that year (suppressed
        rows keep no numbers); an NCP's row is its pooled effect.

    Examples
    --------
    >>> res = pd.DataFrame({"academic_year": ["2023/24"] * 3 + ["2024/25"] * 3,
    ...     "hub": ["A", "B", "C"] * 2, "ncp": ["P"] * 6, "item": ["confidence"] * 6,
    ...     "n_paired": [40, 30, 20, 3, 30, 25], "mean_change": [0.5, 0.4, 0.2, 0.9, 0.3, 0.4],
    ...     "sd_change": [1.0, 0.8, 0.9, 0.5, 0.9, 1.0], "d_z": [0.5, 0.5, 0.22, 1.8, 0.33, 0.4]})
    >>> out = trends(res, outcome="confidence", hub="A", ncp="P", method="DL")
    >>> out[["academic_year", "series", "suppressed"]].values.tolist()
    [['2023/24', 'A', False], ['2023/24', 'National', False], \
['2024/25', 'A', True], ['2024/25', 'National', False]]
    """
    effect = _check_effect(effect)
    line = {"outcome": outcome, "effect": effect, "method": method, "min_n": min_n, "test": test}
    national = national_trend(paired_results_by_year, ncp=ncp, shared=shared, **line)
    shown, national_rows = national.shown, national.rows
    if hub is not None:
        mine = shown[shown[c.HUB].eq(hub)]
        per_year = mine.groupby(c.ACADEMIC_YEAR, sort=True).size()
        single = mine[mine[c.ACADEMIC_YEAR].map(per_year).eq(1)]
        unit = pd.DataFrame(
            {
                c.ACADEMIC_YEAR: single[c.ACADEMIC_YEAR].to_numpy(),
                "series": hub,
                "level": "hub",
                "estimate": single[effect].to_numpy(),
                "ci_low": single[f"{effect}_ci_low"].to_numpy(),
                "ci_high": single[f"{effect}_ci_high"].to_numpy(),
                "n": single["n_paired"].to_numpy(),
                "k": np.where(single["suppressed"], np.nan, 1.0),
                "hubs": np.where(single["suppressed"], np.nan, 1.0),
                "suppressed": single["suppressed"].to_numpy(dtype=bool),
                "suppression_reason": single["suppression_reason"].to_numpy(),
            }
        )
        several = mine[mine[c.ACADEMIC_YEAR].map(per_year).gt(1)]
        if len(several):
            pooled = pooled_by(several, [c.ACADEMIC_YEAR], effect=effect, method=method, test=test)
            unit = pd.concat([unit, _trend_rows(pooled, hub, "hub")], ignore_index=True)
    elif ncp is not None:
        unit = _trend_rows(national.pooled, ncp, "ncp", national.hubs)
        national_rows = national_trend(paired_results_by_year, shared=shared, **line).rows
    else:
        raise ValueError("give a hub or an NCP")
    out = pd.concat([unit, national_rows], ignore_index=True)
    order = {"hub": 0, "ncp": 0, "national": 1}
    out = out.sort_values(
        [c.ACADEMIC_YEAR, "level"], key=lambda s: s.map(order) if s.name == "level" else s
    )
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class NationalTrend:
    """The national line of :func:`trends`: the same for every hub's trend (treat as read-only).

    Attributes
    ----------
    shown : DataFrame
        :func:`hub_effects` of every hub by year (secondary suppression applied).
    pooled : DataFrame
        The pooled value per academic year (counts concealed as :func:`trends` says).
    hubs : Series
        Different hubs pooled per academic year.
    rows : DataFrame
        The national line in the columns of :func:`trends`.
    """

    shown: pd.DataFrame
    pooled: pd.DataFrame
    hubs: pd.Series
    rows: pd.DataFrame


def national_trend(
    paired_results_by_year: pd.DataFrame,
    *,
    outcome: str,
    ncp: str | None = None,
    effect: Effect = "d_z",
    method: Method = "REML",
    min_n: int | None = None,
    test: Test = "knha",
    shared: MutableMapping | None = None,
) -> NationalTrend:
    """The national line of an outcome by year: every hub of ``ncp`` (or every hub x NCP).

    Parameters are those of :func:`trends`; with ``shared`` the result is kept there (keyed by
    the other arguments) and returned again for the same ``paired_results_by_year``.

    Examples
    --------
    >>> res = pd.DataFrame({"academic_year": ["2024/25"] * 2, "hub": ["A", "B"],
    ...     "ncp": "P", "item": "confidence", "n_paired": [40, 30],
    ...     "mean_change": [0.5, 0.4], "sd_change": [1.0, 0.8], "d_z": [0.5, 0.5]})
    >>> national_trend(res, outcome="confidence", method="DL").rows[["series", "k"]].values.tolist()
    [['National', 2.0]]
    """
    effect = _check_effect(effect)
    if c.ACADEMIC_YEAR not in paired_results_by_year:
        raise ValueError("trends need results by academic_year (paired_change by=[year, ...])")
    key = ("national_trend", outcome, ncp, effect, method, test, resolve_min_n(min_n))
    if shared is not None and key in shared:
        return shared[key]
    full = hub_effects(paired_results_by_year, outcome=outcome, ncp=ncp, min_n=min_n)
    shown = full.drop(columns=[c.WORK_GROUP], errors="ignore")
    hubs = hubs_for_pooling(full).drop(columns=[c.WORK_GROUP], errors="ignore")
    se = f"{effect}_se"
    pooled = pooled_by(hubs, [c.ACADEMIC_YEAR], effect=effect, se=se, method=method, test=test)
    pooled = _conceal_counts(pooled, shown, [c.ACADEMIC_YEAR])
    distinct = _distinct_hubs(hubs, effect)
    rows = _trend_rows(pooled, NATIONAL, "national", distinct)
    result = NationalTrend(shown=shown, pooled=pooled, hubs=distinct, rows=rows)
    if shared is not None:
        shared[key] = result
    return result


def _distinct_hubs(units: pd.DataFrame, effect: Effect) -> pd.Series:
    """Different hubs with a poolable result (shown, finite effect and SE) per academic year.

    A pool of hub x project results can count one hub several times in ``k``; the rule on
    what a hub or lead viewer may see needs the number of different hubs.
    """
    usable = (
        ~units["suppressed"].fillna(False).astype(bool)
        & np.isfinite(_floats(units, effect))
        & (_floats(units, f"{effect}_se") > 0)
    )
    return units[usable].groupby(c.ACADEMIC_YEAR)[c.HUB].nunique()


def _trend_rows(
    pooled: pd.DataFrame, series: str, level: str, hubs: pd.Series | None = None
) -> pd.DataFrame:
    empty = pooled["k"].eq(0).to_numpy()
    if hubs is None:  # a hub's own projects pooled: one hub
        different = np.where(empty, 0.0, 1.0)
    else:
        different = pooled[c.ACADEMIC_YEAR].map(hubs).fillna(0).to_numpy(dtype=float)
    return pd.DataFrame(
        {
            c.ACADEMIC_YEAR: pooled[c.ACADEMIC_YEAR].to_numpy(),
            "series": series,
            "level": level,
            "estimate": pooled["estimate"].to_numpy(),
            "ci_low": pooled["ci_low"].to_numpy(),
            "ci_high": pooled["ci_high"].to_numpy(),
            "n": np.where(
                empty, np.nan, pooled["n_respondents"].to_numpy(dtype=float, na_value=np.nan)
            ),
            "k": pooled["k"].to_numpy(dtype=float),
            "hubs": different,
            "suppressed": empty & pooled["k_suppressed"].gt(0).to_numpy(),
            # numpy's stubs reject None in np.where; at runtime it gives an object array.
            "suppression_reason": np.where(  # type: ignore[call-overload]
                empty & pooled["k_suppressed"].gt(0).to_numpy(),
                "every hub had too few respondents",
                None,
            ),
        }
    )


@dataclass(frozen=True)
class FunnelData:
    """What a funnel plot draws: hub points and the control-limit curves.

    Attributes
    ----------
    points : DataFrame
        Unsuppressed hubs with a result: ``hub, n, effect, se, band`` where ``band`` is
        ``"within"``, ``"outside 95%"`` or ``"outside 99.8%"``.
    limits : DataFrame
        ``n, low_95, high_95, low_998, high_998`` on a grid of respondent counts.
    target : float
        The pooled effect the limits are drawn around.
    hidden : tuple of str
        Hubs not drawn because their results are suppressed.
    """

    points: pd.DataFrame
    limits: pd.DataFrame
    target: float
    hidden: tuple[str, ...]


def funnel_data(
    hub_table: pd.DataFrame,
    pooled: RandomEffectsResult | pd.Series | Mapping,
    *,
    effect: Effect = "d_z",
    overdispersion: bool = False,
    grid_points: int = 120,
) -> FunnelData:
    """Control limits around the pooled effect by hub size, and where each hub falls.

    Notes
    -----
    Spiegelhalter (2005): a hub of size n is compared with the target theta_0 (the pooled
    effect) using the standard error expected *under the target*: for ``d_z``,
    se_0(n) = sqrt(1/n + theta_0^2/(2n)); for the mean change, se_0(n) = s / sqrt(n) with s the
    pooled SD of change (root of the n-weighted mean variance). Limits are
    theta_0 -/+ z se_0(n) with z = 1.96 (95%) and 3.09 (99.8%). With ``overdispersion`` the
    between-hub variance tau^2 is added, se = sqrt(se_0^2 + tau^2) (random-effects limits).

    Examples
    --------
    >>> t = pd.DataFrame({"hub": ["A", "B", "C"], "n_paired": [20.0, 80.0, 40.0],
    ...     "d_z": [0.3, 0.5, 1.6], "d_z_se": [0.23, 0.12, 0.24], "sd_change": [1, 1, 1],
    ...     "suppressed": [False] * 3})
    >>> fd = funnel_data(t, {"estimate": 0.5, "tau2": 0.0})
    >>> fd.points[["hub", "band"]].values.tolist()
    [['A', 'within'], ['B', 'within'], ['C', 'outside 99.8%']]
    """
    effect = _check_effect(effect)
    target, tau2 = _pooled_value(pooled, "estimate"), _pooled_value(pooled, "tau2")
    shown = hub_table[~hub_table["suppressed"].fillna(False).astype(bool)]
    hidden = tuple(hub_table.loc[hub_table["suppressed"].fillna(False).astype(bool), c.HUB])
    shown = shown[np.isfinite(shown[effect].to_numpy(dtype=float, na_value=np.nan))]
    n = shown["n_paired"].to_numpy(dtype=float)
    extra = tau2 if overdispersion and np.isfinite(tau2) else 0.0
    if effect == "d_z":

        def se0(m: np.ndarray) -> np.ndarray:
            return d_z_funnel_se(target, m, extra)
    else:
        sd = shown["sd_change"].to_numpy(dtype=float)
        pooled_sd = float(np.sqrt(np.sum((n - 1) * sd**2) / max(np.sum(n - 1), 1)))

        def se0(m: np.ndarray) -> np.ndarray:
            return np.sqrt(pooled_sd**2 / m + extra)

    y = shown[effect].to_numpy(dtype=float)
    band = funnel_band(y, target, se0(n))
    points = pd.DataFrame(
        {
            c.HUB: shown[c.HUB].to_numpy(),
            "n": n,
            "effect": y,
            "se": shown[f"{effect}_se"].to_numpy(dtype=float),
            "band": band,
        }
    )
    if len(n):
        lo_n, hi_n = max(2.0, float(n.min()) * 0.8), float(n.max()) * 1.1
    else:
        lo_n, hi_n = 5.0, 100.0
    grid = np.unique(np.geomspace(lo_n, max(hi_n, lo_n + 1), grid_points))
    l95, h95 = control_limits(target, se0(grid), 0.95)
    l998, h998 = control_limits(target, se0(grid), 0.998)
    limits = pd.DataFrame(
        {"n": grid, "low_95": l95, "high_95": h95, "low_998": l998, "high_998": h998}
    )
    return FunnelData(points=points, limits=limits, target=target, hidden=hidden)


def _pooled_value(pooled: RandomEffectsResult | pd.Series | Mapping, name: str) -> float:
    value = getattr(pooled, name) if isinstance(pooled, RandomEffectsResult) else pooled[name]
    return float(value) if value is not None and not pd.isna(value) else float("nan")


def national_table(
    hub_table: pd.DataFrame, pooled: pd.Series, *, effect: Effect = "d_z"
) -> pd.DataFrame:
    """The per-hub rows followed by the pooled row, in one table (for the CLI and downloads).

    Columns: ``row ("hub" | "pooled"), hub, n_paired, mean_change, mean_change_ci_low,
    mean_change_ci_high, d_z, d_z_ci_low, d_z_ci_high, suppressed, suppression_reason, note``.
    The pooled row puts the pooled estimate and CI in the ``effect`` columns and the
    respondents of the hubs used in ``n_paired``; its label says how many hubs were used and
    hidden. Hubs are sorted by effect, largest first; suppressed hubs last.

    Examples
    --------
    >>> t = pd.DataFrame({"hub": ["A", "B"], "n_paired": [30.0, np.nan],
    ...     "d_z": [0.4, np.nan], "d_z_se": [0.19, np.nan], "suppressed": [False, True]})
    >>> table = national_table(t, pool_hubs(t))
    >>> table["hub"].tolist()
    ['A', 'B', 'Pooled (REML, Knapp–Hartung): 1 hub used, 1 hidden']
    """
    effect = _check_effect(effect)
    cols = [
        c.HUB,
        "n_paired",
        "mean_change",
        "mean_change_ci_low",
        "mean_change_ci_high",
        "d_z",
        "d_z_ci_low",
        "d_z_ci_high",
        "suppressed",
        "suppression_reason",
    ]
    hubs = hub_table.reindex(columns=cols).copy()
    hubs["suppressed"] = hubs["suppressed"].fillna(False).astype(bool)
    hubs = hubs.sort_values(["suppressed", effect], ascending=[True, False], kind="stable")
    hubs.insert(0, "row", "hub")
    hubs["note"] = ""
    k = int(pooled["k"])
    # Hub and lead viewers are not told how many hubs were hidden (blank).
    k_hidden = 0 if pd.isna(pooled.get("k_suppressed")) else int(pooled["k_suppressed"])
    method = pooled["method"]
    if pooled.get("test") == "knha":
        method = f"{method}, {TEST_LABELS['knha']}"
    label = f"Pooled ({method}): {k} hub{'s' if k != 1 else ''} used"
    if k_hidden:
        label += f", {k_hidden} hidden"
    pooled_row = {
        "row": "pooled",
        c.HUB: label,
        "n_paired": np.nan if pd.isna(pooled["n_respondents"]) else float(pooled["n_respondents"]),
        effect: pooled["estimate"],
        f"{effect}_ci_low": pooled["ci_low"],
        f"{effect}_ci_high": pooled["ci_high"],
        "suppressed": False,
        "suppression_reason": None,
        "note": pooled["note"],
    }
    out = pd.concat([hubs, pd.DataFrame([pooled_row])], ignore_index=True)
    return out
