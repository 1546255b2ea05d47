"""The shared sidebar filters as a value: year, hub, project, phase; and what they select.

:mod:`app_support.sidebar` draws them; every loader and page reads them through :func:`filters`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from evaluation import columns as c
from evaluation.access import Viewer
from schemas import reference

__all__ = [
    "CROSS_PHASE",
    "EDUCATION_PHASES",
    "FILTER_KEYS",
    "Filters",
    "all_label",
    "filters",
    "hubs_for",
    "ncps_in_phase",
    "phase_filter",
    "restrict",
]

# Phase of education, as offered in the sidebar; an NCP belongs to a phase when the reference
# table's phase names it ("Early Years and Primary" is in both). Cross-phase and all-phase
# projects sit under their own heading rather than inflating every phase.
EDUCATION_PHASES = ("Early Years", "Primary", "Secondary", "Post-16", "Cross-phase")
CROSS_PHASE = ("Cross-phase", "All phases")

# Session-state keys of the sidebar widgets, per filter.
FILTER_KEYS = {
    "academic_year": "filter_year",
    "education_phase": "filter_phase",
    "ncp": "filter_ncp",
    "hub": "filter_hub",
}


@dataclass(frozen=True)
class Filters:
    """The shared sidebar filters; ``None`` means "all".

    Examples
    --------
    >>> Filters(academic_year="2024/25").describe()
    '2024/25 · all hubs · all projects'
    """

    academic_year: str | None = None
    hub: str | None = None
    ncp: str | None = None
    education_phase: str | None = None

    def key(self) -> tuple[str | None, ...]:
        """A hashable key for caches."""
        return (self.academic_year, self.hub, self.ncp, self.education_phase)

    def describe(self) -> str:
        """One line for captions: what the page is showing."""
        parts = [
            self.academic_year or "all years",
            self.hub or "all hubs",
            self.ncp or "all projects",
        ]
        if self.education_phase:
            parts.append(f"{self.education_phase} phase")
        return " · ".join(parts)


def filters() -> Filters:
    """The filters chosen in the sidebar (all data when the sidebar has not run)."""
    chosen = st.session_state.get("filters")
    return chosen if isinstance(chosen, Filters) else Filters()


def ncps_in_phase(education_phase: str | None) -> list[str]:
    """NCP names offered under a phase of education (all NCPs when ``None``)."""
    table = reference.ncps()
    if education_phase is None:
        return table["name"].tolist()
    phase = table["phase"].astype(str)
    if education_phase == "Cross-phase":
        keep = phase.isin(CROSS_PHASE)
    else:
        keep = phase.str.contains(education_phase, regex=False)
    return table.loc[keep, "name"].tolist()


def hubs_for(viewer: Viewer) -> list[str]:
    """Hub names the viewer may pick from."""
    names = reference.hubs()["name"].tolist()
    return [h for h in names if viewer.can_see_hub(h)]


def all_label(label: str) -> Callable[[Any], str]:
    """A select box's ``format_func`` that shows ``None`` (the "all" choice) as ``label``.

    Examples
    --------
    >>> show = all_label("All hubs")
    >>> show(None), show("North")
    ('All hubs', 'North')
    """
    return lambda value: label if value is None else str(value)


def phase_filter(frame: pd.DataFrame, education_phase: str | None) -> pd.DataFrame:
    """Rows of ``frame`` whose NCP is offered under ``education_phase`` (all rows when None)."""
    if education_phase is None or frame.empty or c.NCP not in frame:
        return frame
    return frame[frame[c.NCP].isin(ncps_in_phase(education_phase))].reset_index(drop=True)


def restrict(
    table: pd.DataFrame, chosen: Filters | None = None, *, skip: Sequence[str] = ()
) -> pd.DataFrame:
    """Keep the rows of a results table that match the filters (columns it lacks are ignored).

    ``skip`` names filters not to apply (e.g. ``("hub",)`` on a page comparing hubs).
    """
    chosen = chosen or filters()
    keep = pd.Series(True, index=table.index)
    for column, value in (
        (c.ACADEMIC_YEAR, chosen.academic_year),
        (c.HUB, chosen.hub),
        (c.NCP, chosen.ncp),
    ):
        if value is not None and column in table and column not in skip:
            keep &= table[column].eq(value)
    if chosen.education_phase and c.NCP in table and "education_phase" not in skip:
        keep &= table[c.NCP].isin(ncps_in_phase(chosen.education_phase))
    return table[keep].reset_index(drop=True)
