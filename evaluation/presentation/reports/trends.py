"""The trends section of a board pack: the hub's or project's effect by year, national line.

For hub and lead viewers the national line hides years pooling fewer than
:data:`evaluation.access.MIN_POOLED_HUBS` different hubs and never shows a pooled head count.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from evaluation import columns as c
from evaluation.access import Viewer, mask_thin_pooled
from evaluation.analysis.national import POOLING_METHOD
from evaluation.instruments import Instrument
from evaluation.presentation.charts.national import NATIONAL_NAME, trend_plot
from evaluation.presentation.reports.document import Chart, Paragraph, Part
from evaluation.presentation.reports.formatting import outcome_label, untitled
from evaluation.presentation.reports.model import Analysis, Scope, SuppressionNotes
from evaluation.stats.national import national_trend, trends

__all__ = ["trend_parts"]


def _hubs_pooled_by_year(rows: pd.DataFrame) -> pd.Series:
    """Distinct hubs with a poolable (shown, finite) result per academic year.

    ``rows`` are every hub's effects (:attr:`evaluation.stats.national.NationalTrend.shown`).
    The national trend line of a whole-hub pack pools hub x project results, so its ``k`` can
    count one hub several times; the thin-pool rule needs the number of different hubs.
    """
    usable = (
        ~rows["suppressed"].fillna(False).astype(bool)
        & np.isfinite(pd.to_numeric(rows["d_z"], errors="coerce").to_numpy(dtype=float))
        & np.isfinite(pd.to_numeric(rows["d_z_se"], errors="coerce").to_numpy(dtype=float))
    )
    return rows[usable].groupby(c.ACADEMIC_YEAR)[c.HUB].nunique()


def _hide_thin_national_line(
    table: pd.DataFrame, hubs_by_year: pd.Series, viewer: Viewer
) -> pd.DataFrame:
    """Trend rows as a hub or lead viewer may see them (national viewers: unchanged).

    National-line years pooling fewer than ``MIN_POOLED_HUBS`` different hubs become ``[c]``
    with the reason; the national line's respondent counts are dropped in every year.
    """
    if viewer.is_national or table.empty:
        return table
    national = table["level"].eq("national")
    hubs = table[c.ACADEMIC_YEAR].astype(str).map(hubs_by_year).fillna(0)
    # Never more hubs than pooled units: the stricter count decides.
    pooled_hubs = np.minimum(hubs.to_numpy(dtype=float), table["k"].fillna(0).to_numpy(float))
    out = mask_thin_pooled(
        table.assign(hubs_pooled=pooled_hubs),
        viewer,
        k_col="hubs_pooled",
        columns=("estimate", "ci_low", "ci_high", "n"),
        rows=national,
        effect="d_z",
    )
    out.loc[national, "n"] = np.nan
    return out.drop(columns=["hubs_pooled"])


def _without_pooled_counts(figure: Any) -> Any:
    """Drop the (blanked) respondent count from the national line's hover text."""
    for trace in figure.data:
        if trace.name == NATIONAL_NAME and trace.hovertext is not None:
            trace.hovertext = [
                re.sub(r"<br>(nan|–) respondents", "", str(text)) for text in trace.hovertext
            ]
    return figure


def trend_parts(
    analysis: Analysis,
    scope: Scope,
    instrument: Instrument,
    notes: SuppressionNotes,
    viewer: Viewer | None = None,
) -> list[Part]:
    """The trends section: one chart per construct of the hub's or project's effect by year.

    For a hub pack only the hub's own line and the national line are drawn, the national line
    as ``viewer`` may see it.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> analysis = Analysis(paired=pd.DataFrame({"academic_year": ["2024/25"], "hub": ["A"],
    ...     "ncp": ["P"], "item": ["confidence"]}), min_n=5)
    >>> parts = trend_parts(analysis, Scope("2024/25", hub="A"), default_instrument(),
    ...                     SuppressionNotes())
    >>> parts[0].text.split(":")[0]
    'Only one academic year of results so far'
    """
    viewer = viewer or Viewer.national()

    paired = scope.up_to_year(analysis.paired)
    if scope.hub:
        mine = paired[paired[c.HUB].astype(str).eq(scope.hub)]
        if scope.ncp:
            mine = mine[mine[c.NCP].astype(str).eq(scope.ncp)]
    else:
        mine = paired[paired[c.NCP].astype(str).eq(scope.ncp)]
    years = sorted(mine[c.ACADEMIC_YEAR].astype(str).unique().tolist())
    if len(years) < 2:
        return [
            Paragraph(
                "Only one academic year of results so far: trends appear from the second year.",
                kind="note",
            )
        ]
    parts: list[Part] = []
    series = scope.hub or scope.ncp
    # The national lines are the same for every pack of the year: computed once per analysis.
    shared = analysis.shared(("trends", scope.academic_year), dict)
    for construct in instrument.constructs:
        line = {"outcome": construct, "method": POOLING_METHOD, "min_n": analysis.min_n}
        table = trends(paired, hub=scope.hub, ncp=scope.ncp, shared=shared, **line)
        if scope.hub:  # only the hub's own line and the national line, never another hub
            table = table[table["level"].isin(["hub", "national"])]
            national = national_trend(paired, ncp=scope.ncp, shared=shared, **line)
            hubs = _hubs_pooled_by_year(national.shown)
            table = _hide_thin_national_line(table.reset_index(drop=True), hubs, viewer)
        own = table[table["level"].ne("national")]
        notes.count(f"Trends, {outcome_label(construct).lower()}", own, what="years")
        if not viewer.is_national:
            notes.count(
                f"Trends, {outcome_label(construct).lower()}, national line",
                table[table["level"].eq("national")],
                what="years",
            )
        figure = trend_plot(table)
        if not viewer.is_national:
            figure = _without_pooled_counts(figure)
        parts.append(
            Chart(
                untitled(figure, height=330),
                caption=f"{outcome_label(construct)}: {series} against the national value, by year",
                reading=(
                    "Standardised change (d_z) each year with its 95% confidence interval; the "
                    "dashed line pools every hub nationally."
                ),
                name=f"trend_{construct}",
            )
        )
    return parts
