"""What a hub view shows: who took part, and the hub beside the national pooled value.

Pure (no streamlit). :func:`hub_beside_national` is the one hub-beside-national table: the
dashboard's hub page and the board pack both call it, so they show the same numbers under the
same column names (:data:`HUB_BESIDE_NATIONAL_COLUMNS`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from evaluation import columns as c
from evaluation.access import Viewer, mask_thin_pooled
from evaluation.stats.disclosure import SUPPRESSED_SYMBOL
from evaluation.stats.national import d_z_funnel_se, hub_effects
from evaluation.stats.participation import participation
from evaluation.stats.pooling import funnel_band

__all__ = [
    "HUB_BESIDE_NATIONAL_COLUMNS",
    "HUB_VALUES",
    "NATIONAL_VALUES",
    "hub_beside_national",
    "hub_beside_national_display",
    "hub_participation",
]

# The pooled national statistics of a row (blanked together when a thin pool is hidden).
NATIONAL_VALUES = (
    "national_estimate",
    "national_ci_low",
    "national_ci_high",
    "national_pi_low",
    "national_pi_high",
    "national_n",
)

HUB_BESIDE_NATIONAL_COLUMNS = (
    c.NCP,
    c.ITEM,
    "hub_n",
    "hub_estimate",
    "hub_ci_low",
    "hub_ci_high",
    "hub_suppressed",
    "hub_suppression_reason",
    *NATIONAL_VALUES,
    "hubs_pooled",
    "band",
    "national_suppressed",
    "national_suppression_reason",
)


def _num(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def hub_participation(frame: pd.DataFrame, *, min_n: int | None = None) -> pd.DataFrame:
    """Schools, participants and Work Groups by academic year and project, small groups hidden.

    The counting and the disclosure control are :func:`evaluation.stats.participation
    .participation`'s; this is the table a hub view shows.

    Examples
    --------
    >>> frame = pd.DataFrame({"academic_year": "2024/25", "ncp": "P",
    ...     "respondent_id": [f"p{i}" for i in range(6)], "phase": "pre",
    ...     "school_urn": range(6), "work_group": "W"})
    >>> hub_participation(frame)[["ncp", "participants", "suppressed"]].values.tolist()
    [['P', 6.0, False]]
    """
    return participation(frame, by=[c.ACADEMIC_YEAR, c.NCP], min_n=min_n)


def hub_beside_national(
    results: pd.DataFrame,
    pooled: pd.DataFrame,
    *,
    hub: str,
    outcomes: Sequence[str] | None = None,
    ncp: str | None = None,
    viewer: Viewer | None = None,
    min_n: int | None = None,
) -> pd.DataFrame:
    """The hub's standardised change per project and outcome beside the national pooled value.

    Parameters
    ----------
    results : DataFrame
        Paired results by hub and NCP for ONE academic year (``compare`` or ``paired_change``
        by ``academic_year, hub, ncp``); only ``hub``'s rows are used.
    pooled : DataFrame
        The national pooled values for the same year
        (:func:`evaluation.stats.national.cross_ncp_overview` over every hub, possibly masked
        already by :func:`evaluation.access.mask_thin_pooled`).
    hub : str
        The hub.
    outcomes : sequence of str, optional
        Outcomes (``item``) to show, in this order; default every outcome in ``pooled``.
    ncp : str, optional
        Only this project.
    viewer : Viewer, optional
        Who sees the table (default a national viewer). For hub and lead viewers a national
        value pooling fewer than :data:`evaluation.access.MIN_POOLED_HUBS` hubs is blanked and
        flagged ``national_suppressed``, with no funnel band; otherwise only the national
        estimate and its interval are kept, rounded
        (:func:`evaluation.access.mask_thin_pooled`), and ``national_n`` is dropped.
    min_n : int, optional
        Disclosure threshold for the hub's own result (default ``$IMPACT_MIN_N`` or 5).

    Returns
    -------
    DataFrame
        :data:`HUB_BESIDE_NATIONAL_COLUMNS` (without ``national_n`` for hub and lead viewers),
        one row per project x outcome the hub has a result row for, sorted by project then
        outcome. ``hub_*`` is the hub's ``d_z`` with its 95% CI (no secondary suppression: no
        total of hubs is shown beside it); ``band`` is where the hub falls against the funnel
        limits around the national value (``within``, ``outside 95%``, ``outside 99.8%``;
        Spiegelhalter 2005), None when either value is hidden.

    Examples
    --------
    >>> res = pd.DataFrame({"hub": ["A", "B", "C"], "ncp": "P", "item": "confidence",
    ...     "n_paired": [40, 30, 20], "mean_change": [0.5, 0.4, 0.2],
    ...     "sd_change": [1.0, 0.8, 0.9], "d_z": [0.5, 0.5, 0.22]})
    >>> from evaluation.stats.national import cross_ncp_overview
    >>> table = hub_beside_national(res, cross_ncp_overview(res), hub="A")
    >>> table[["ncp", "hub_n", "hub_estimate", "hubs_pooled", "band"]].values.tolist()
    [['P', 40.0, 0.5, 3, 'within']]
    """
    viewer = viewer or Viewer.national()
    # What the viewer may see of the national values, before the funnel band is read from them.
    pooled = mask_thin_pooled(pooled, viewer)
    mine = results[results[c.HUB].astype(str).eq(hub)]
    if ncp is not None:
        mine = mine[mine[c.NCP].astype(str).eq(ncp)]
    wanted = list(outcomes) if outcomes is not None else list(dict.fromkeys(pooled[c.ITEM]))
    own = hub_effects(mine, outcome=wanted, min_n=min_n, secondary=False) if len(mine) else None
    if own is None or own.empty or pooled.empty:
        return pd.DataFrame(columns=list(HUB_BESIDE_NATIONAL_COLUMNS))
    # The first national row of each project x outcome.
    first: dict[tuple, int] = {}
    for i, key in enumerate(zip(pooled[c.NCP], pooled[c.ITEM], strict=True)):
        if not any(pd.isna(k) for k in key):
            first.setdefault(key, i)
    rows, banded = [], []
    for _, hub_row in own.iterrows():
        key = (hub_row[c.NCP], hub_row[c.ITEM])
        if any(pd.isna(k) for k in key) or key not in first:
            continue
        national = pooled.iloc[first[key]]
        hidden = bool(national.get("suppressed", False) or False)
        target = _num(national["estimate"])
        if not hub_row["suppressed"] and not hidden and math.isfinite(target):
            hub_d_z, hub_n = _num(hub_row["d_z"]), _num(hub_row["n_paired"])
            if math.isfinite(hub_d_z):  # a hub without a finite d_z has no band
                banded.append((len(rows), hub_d_z, hub_n, target))
        rows.append(
            {
                c.NCP: hub_row[c.NCP],
                c.ITEM: hub_row[c.ITEM],
                "hub_n": _num(hub_row["n_paired"]),
                "hub_estimate": _num(hub_row["d_z"]),
                "hub_ci_low": _num(hub_row["d_z_ci_low"]),
                "hub_ci_high": _num(hub_row["d_z_ci_high"]),
                "hub_suppressed": bool(hub_row["suppressed"]),
                "hub_suppression_reason": hub_row["suppression_reason"],
                "national_estimate": _num(national["estimate"]),
                "national_ci_low": _num(national["ci_low"]),
                "national_ci_high": _num(national["ci_high"]),
                "national_pi_low": _num(national.get("pi_low")),
                "national_pi_high": _num(national.get("pi_high")),
                "national_n": _num(national.get("n_respondents")),
                "hubs_pooled": national["k"],
                "band": None,
                "national_suppressed": hidden,
                "national_suppression_reason": national.get("suppression_reason")
                if hidden
                else None,
            }
        )
    if banded:
        at, d_z, n, target = (np.array(v) for v in zip(*banded, strict=True))
        # For d_z the funnel limits depend only on the national value and the hub's size:
        # those of evaluation.stats.national.funnel_data (no overdispersion), for every row.
        se = d_z_funnel_se(target, n)
        for i, band in zip(
            at, funnel_band(d_z.astype(float), target.astype(float), se), strict=True
        ):
            rows[i]["band"] = str(band)
    table = pd.DataFrame(rows, columns=list(HUB_BESIDE_NATIONAL_COLUMNS))
    order = {name: i for i, name in enumerate(wanted)}
    table = table.sort_values(
        [c.NCP, c.ITEM], key=lambda s: s.map(order) if s.name == c.ITEM else s.astype(str)
    ).reset_index(drop=True)
    return _as_viewer_sees(table, viewer)


def _as_viewer_sees(table: pd.DataFrame, viewer: Viewer) -> pd.DataFrame:
    """Hub and lead viewers: thin national pools blanked (``[c]``), no pooled head counts.

    A national value pooling fewer than ``MIN_POOLED_HUBS`` hubs would give away the other
    hubs' results with the viewer's own; pooled respondent counts are never shown (subtracting
    pools, or one's own count, would give another hub's count).
    """
    if viewer.is_national or table.empty:
        return table
    out = table.copy()
    masked = mask_thin_pooled(
        table[["hubs_pooled", *NATIONAL_VALUES]],
        viewer,
        k_col="hubs_pooled",
        columns=NATIONAL_VALUES,
        shown=NATIONAL_VALUES[:3],
        effect="d_z",
    )
    for col in NATIONAL_VALUES:
        out[col] = masked[col]
    thin = masked["suppressed"].astype(bool)
    out["national_suppressed"] = out["national_suppressed"].astype(bool) | thin
    reason = out["national_suppression_reason"].astype(object)
    out["national_suppression_reason"] = reason.where(~thin, masked["suppression_reason"])
    out["band"] = out["band"].astype(object).where(~out["national_suppressed"], None)
    return out.drop(columns=["national_n"])


HUB_VALUES = ("hub_n", "hub_estimate", "hub_ci_low", "hub_ci_high")


def hub_beside_national_display(table: pd.DataFrame, *, digits: int = 3) -> pd.DataFrame:
    """The hub-beside-national table for people and downloads: hidden values shown as ``[c]``.

    Examples
    --------
    >>> t = pd.DataFrame({"ncp": ["P"], "hub_n": [float("nan")], "hub_estimate": [float("nan")],
    ...     "hub_suppressed": [True], "national_estimate": [0.41234],
    ...     "national_suppressed": [False]})
    >>> hub_beside_national_display(t)[["hub_n", "national_estimate"]].values.tolist()
    [['[c]', 0.412]]
    """
    out = table.copy()
    for flag, columns in (("hub_suppressed", HUB_VALUES), ("national_suppressed", NATIONAL_VALUES)):
        hidden = (
            out[flag].fillna(False).to_numpy(dtype=bool)
            if flag in out
            else np.zeros(len(out), dtype=bool)
        )
        for col in columns:
            if col not in out:
                continue
            series = pd.to_numeric(out[col], errors="coerce").round(digits).astype(object)
            out[col] = series.mask(hidden & series.isna().to_numpy(), SUPPRESSED_SYMBOL)
    return out
