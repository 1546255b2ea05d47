"""Hubs and projects beside the national pool: overview, per-hub comparison, trends, headline.

Hub and lead viewers get pooled values computed from every hub (hidden when too few hubs are
pooled) but only their own rows; national viewers get every hub. Each call is cached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pandas as pd

from app_support.auth import current_viewer, viewer_key
from app_support.caching import cache_key, cached, cached_pooling_rows, lasting
from app_support.data import results_by
from app_support.filtering import Filters, filters, restrict
from evaluation import access
from evaluation import columns as c
from evaluation.access import Viewer

__all__ = [
    "hub_comparison",
    "hub_trend",
    "hub_trend_key",
    "national_overview",
    "ncp_trend",
]

BY_HUB = (c.ACADEMIC_YEAR, c.HUB, c.NCP)


def _comparison_source(by: Sequence[str]) -> pd.DataFrame:
    """Every hub's results: the viewer's own for national users, else the pooling rows."""
    if current_viewer().is_national:
        return results_by(by)
    location, version, _ = cache_key()
    return cached_pooling_rows(location, version, tuple(by)).copy(deep=False)


def _year_rows(table: pd.DataFrame, year: str, chosen: Filters) -> pd.DataFrame:
    rows = restrict(table, chosen, skip=("hub", "ncp", "academic_year"))
    return rows[rows[c.ACADEMIC_YEAR].eq(year)] if c.ACADEMIC_YEAR in rows else rows


def _all_years(table: pd.DataFrame, chosen: Filters) -> pd.DataFrame:
    return restrict(table, chosen, skip=("hub", "ncp", "academic_year"))


def _national_overview(year: str, effect: str, chosen: Filters) -> pd.DataFrame:
    # The analysis layer (and SciPy behind it) is imported on first use: a fast first page.
    from evaluation.analysis import national_overview as overview

    rows = _year_rows(_comparison_source(BY_HUB), year, chosen)
    return overview(rows, effect=effect, viewer=current_viewer())


def national_overview(year: str, effect: str, chosen: Filters | None = None) -> pd.DataFrame:
    """Pooled effect per NCP x outcome for ``year`` (every hub; thin pools hidden from hubs).

    Hub and lead viewers get the same pooled values as national users, except that a value
    pooling fewer than :data:`evaluation.access.MIN_POOLED_HUBS` hubs is ``[c]``.
    """
    chosen = chosen or filters()
    return cached(
        f"national_overview:{year}:{effect}:{chosen.key()}",
        _national_overview,
        year,
        effect,
        chosen,
    )


def _hub_comparison(
    year: str, ncp: str, outcome: str, effect: str, chosen: Filters
) -> tuple[pd.DataFrame, pd.Series]:
    from evaluation.stats import national

    viewer = current_viewer()
    everyone = national.hub_effects(
        _year_rows(_comparison_source(BY_HUB), year, chosen), outcome=outcome, ncp=ncp
    )
    pooled = national.pool_hubs(everyone, effect=effect)
    if viewer.is_national:
        return everyone, pooled
    # The viewer's own row comes from their own rows (a lead: their Work Groups only).
    own = national.hub_effects(
        _year_rows(results_by(BY_HUB), year, chosen), outcome=outcome, ncp=ncp, secondary=False
    )
    return access.own_hub_rows(own, viewer), access.mask_thin_pooled_row(pooled, viewer)


def hub_comparison(
    year: str, ncp: str, outcome: str, effect: str, chosen: Filters | None = None
) -> tuple[pd.DataFrame, pd.Series]:
    """Per-hub effects (``national.hub_effects``) and the pooled row for one NCP and outcome.

    National viewers get every hub; hub and lead viewers only their own hub's row (from their
    own rows) and the pooled value as :func:`evaluation.access.mask_thin_pooled` leaves it.
    """
    chosen = chosen or filters()
    name = f"hub_comparison:{year}:{ncp}:{outcome}:{effect}:{chosen.key()}"
    return cached(name, _hub_comparison, year, ncp, outcome, effect, chosen)


def _mask_levels(
    trend: pd.DataFrame, viewer: Viewer, levels: Sequence[str], effect: str
) -> pd.DataFrame:
    if trend.empty or "level" not in trend:
        return trend
    # "hubs" counts different hubs (k counts hub x project results in the national line).
    return access.mask_thin_pooled(
        trend, viewer, k_col="hubs", rows=trend["level"].isin(levels), effect=effect
    )


def _ncp_trend(outcome: str, ncp: str, effect: str, chosen: Filters) -> pd.DataFrame:
    from evaluation.stats import national

    rows = _all_years(_comparison_source(BY_HUB), chosen)
    trend = national.trends(rows, outcome=outcome, ncp=ncp, effect=effect)
    return _mask_levels(trend, current_viewer(), ("ncp", "national"), effect)


def ncp_trend(outcome: str, ncp: str, effect: str, chosen: Filters | None = None) -> pd.DataFrame:
    """An NCP's pooled effect by year with the national line (``national.trends``)."""
    chosen = chosen or filters()
    return cached(
        f"ncp_trend:{outcome}:{ncp}:{effect}:{chosen.key()}",
        _ncp_trend,
        outcome,
        ncp,
        effect,
        chosen,
    )


def _hub_trend(hub: str, outcome: str, ncp: str, chosen: Filters) -> pd.DataFrame:
    from evaluation.stats import national

    viewer = current_viewer()
    own_rows = _all_years(results_by(BY_HUB), chosen)
    trend = national.trends(own_rows, outcome=outcome, hub=hub, ncp=ncp)
    if viewer.is_national:
        return trend
    everyone = _all_years(_comparison_source(BY_HUB), chosen)
    line = national.trends(everyone, outcome=outcome, hub=hub, ncp=ncp)
    line = _mask_levels(line[line["level"].eq("national")], viewer, ("national",), "d_z")
    out = pd.concat([trend[trend["level"].ne("national")], line], ignore_index=True)
    order = {"hub": 0, "ncp": 0, "national": 1}
    out = out.sort_values(
        [c.ACADEMIC_YEAR, "level"], key=lambda s: s.map(order) if s.name == "level" else s
    )
    return out.reset_index(drop=True)


def _digest(rows: pd.DataFrame) -> str:
    """A digest of a frame's columns, types and values, row by row in order."""
    digest = hashlib.sha256(repr((list(rows.columns), [str(t) for t in rows.dtypes])).encode())
    digest.update(pd.util.hash_pandas_object(rows, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def _hub_trend_key(hub: str, outcome: str, ncp: str, chosen: Filters) -> str:
    # ``national.trends`` (``hub_effects``) reads only the outcome's rows of the NCP.
    def read(table: pd.DataFrame) -> pd.DataFrame:
        rows = _all_years(table, chosen)
        return rows[rows[c.ITEM].eq(outcome) & rows[c.NCP].eq(ncp)]

    viewer = current_viewer()
    parts = [_digest(read(results_by(BY_HUB)))]
    if not viewer.is_national:
        parts.append(_digest(read(_comparison_source(BY_HUB))))
    whole = repr((viewer_key(viewer), hub, outcome, ncp, chosen.key(), parts))
    return hashlib.sha256(whole.encode("utf-8")).hexdigest()


def hub_trend_key(hub: str, outcome: str, ncp: str, chosen: Filters | None = None) -> str:
    """A digest of everything :func:`hub_trend` is computed from (worked out once per version).

    An upload that changes no result of ``ncp`` and ``outcome`` leaves it as it was, and with
    it the trend: keep what is drawn from the trend under it (:func:`app_support.lasting`).
    """
    chosen = chosen or filters()
    name = f"hub_trend_key:{hub}:{outcome}:{ncp}:{chosen.key()}"
    return cached(name, _hub_trend_key, hub, outcome, ncp, chosen)


def hub_trend(hub: str, outcome: str, ncp: str, chosen: Filters | None = None) -> pd.DataFrame:
    """A hub's effect by year for one NCP beside the national line (``national.trends``).

    The hub series comes from the viewer's own rows; the national line from every hub (for
    hub and lead viewers: hidden in years pooling fewer than ``MIN_POOLED_HUBS`` hubs). Kept
    under :func:`hub_trend_key`, across store versions; the caller must not change it.
    """
    chosen = chosen or filters()
    key = hub_trend_key(hub, outcome, ncp, chosen)
    return lasting(f"hub_trend:{key}", _hub_trend, hub, outcome, ncp, chosen)
