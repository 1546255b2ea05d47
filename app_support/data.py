"""What the viewer may see, read through the caches: survey and pupil rows, datasets, audit.

Each loader applies the current viewer and (where it says so) the sidebar filters.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from app_support.auth import current_viewer
from app_support.caching import (
    cache_key,
    cached_audit,
    cached_comparison_rows,
    cached_datasets,
    cached_pupils,
    cached_results_by,
    cached_rows_key,
    cached_survey_text,
    cached_surveys,
)
from app_support.filtering import Filters, filters
from evaluation import columns as c
from evaluation.instruments import Instrument
from evaluation.stats.groups import project_rows
from schemas import reference

__all__ = [
    "DataSummary",
    "active_datasets",
    "audit_log",
    "comparison_rows",
    "available_years",
    "data_summary",
    "datasets",
    "has_project_rows",
    "pupils",
    "rows_cache_key",
    "results_by",
    "survey_text",
    "surveys",
]

log = logging.getLogger("maths_hubs_impact.app")


def rows_cache_key(kind: str, chosen: Filters | None = None) -> tuple[str, str, str, tuple]:
    """(store location, rows key, viewer key, filters key): the cache key of a row load.

    The rows key (:func:`app_support.caching.cached_rows_key`) stands for the store version:
    it changes only when the datasets the load reads do. Anything computed from those rows
    alone may be kept under it across store versions (:func:`app_support.lasting`).
    """
    chosen = chosen or filters()
    location, version, who = cache_key()
    rows = cached_rows_key(location, version, who, kind, chosen.key(), current_viewer())
    return location, rows, who, chosen.key()


def surveys(chosen: Filters | None = None) -> tuple[pd.DataFrame, Instrument]:
    """Canonical wide survey rows the viewer may see, after the filters, and their instrument."""
    chosen = chosen or filters()
    frame, instrument = cached_surveys(*rows_cache_key("survey", chosen), current_viewer())
    return frame.copy(deep=False), instrument


def survey_text(chosen: Filters | None = None) -> pd.DataFrame:
    """The open answers (NCP, phase, row, ``text_*`` columns) of :func:`surveys`' rows."""
    chosen = chosen or filters()
    key = rows_cache_key("survey", chosen)
    return cached_survey_text(*key, current_viewer()).copy(deep=False)


def pupils(chosen: Filters | None = None) -> pd.DataFrame:
    """Canonical pupil rows the viewer may see, after the filters."""
    chosen = chosen or filters()
    return cached_pupils(*rows_cache_key("pupil", chosen), current_viewer()).copy(deep=False)


def datasets() -> pd.DataFrame:
    """Every dataset the viewer may see, with provenance (one row per file)."""
    return cached_datasets(*cache_key(), current_viewer())


def audit_log() -> pd.DataFrame:
    """The audit log the viewer may see."""
    return cached_audit(*cache_key(), current_viewer())


def results_by(by: Sequence[str]) -> pd.DataFrame:
    """Change per group (``compare(long, by=by)``) over ALL data the viewer may see.

    Hub and national views compare groups with each other, so they start from every group and
    narrow the rows with :func:`app_support.filtering.restrict`; cached per store version, not
    per filter.
    """
    return cached_results_by(*cache_key(), tuple(by), current_viewer()).copy(deep=False)


def comparison_rows(kind: str) -> int:
    """How many of the active ``kind`` rows the viewer may see are comparison rows."""
    return cached_comparison_rows(*cache_key(), kind, current_viewer())


def active_datasets() -> pd.DataFrame:
    """Datasets currently in use (not withdrawn or replaced)."""
    listed = datasets()
    if listed.empty or "status" not in listed:
        return listed
    return listed[listed["status"].eq("active")].reset_index(drop=True)


def available_years() -> list[str]:
    """Academic years with data (newest first); the reference years when the store is empty."""
    years: list[str] = []
    try:
        listed = active_datasets()
        if "academic_years" in listed:
            years = [str(y) for y in listed["academic_years"].explode().dropna().unique()]
    except Exception:  # the sidebar must draw even when the store cannot be read
        log.exception("Could not list academic years")
    if not years:
        years = reference.mtc_national()[c.ACADEMIC_YEAR].tolist()
    return sorted(set(years), reverse=True)


@dataclass(frozen=True)
class DataSummary:
    """What is loaded, for the Home page (counts of datasets and rows, not statistics).

    ``survey_rows`` and ``pupil_rows`` are the project's own; the comparison groups' rows are
    counted apart (``*_comparison_rows``).
    """

    n_datasets: int
    n_synthetic: int
    survey_rows: int
    pupil_rows: int
    n_hubs: int
    n_ncps: int
    n_years: int
    years: str
    survey_comparison_rows: int = 0
    pupil_comparison_rows: int = 0

    @property
    def all_synthetic(self) -> bool:
        """True when every active dataset is the synthetic sample."""
        return self.n_datasets > 0 and self.n_synthetic == self.n_datasets


def has_project_rows(frame: pd.DataFrame) -> bool:
    """True when ``frame`` holds a row of the project's own (not only comparison-group rows)."""
    return not project_rows(frame).empty


def data_summary() -> DataSummary:
    """Counts of the active datasets the viewer may see, the comparison groups' rows apart.

    The dataset listing counts rows, not arms; the store counts the comparison rows from their
    ``group`` column alone (no other column is read).
    """
    listed = active_datasets()
    if listed.empty:
        return DataSummary(0, 0, 0, 0, 0, 0, 0, "")

    def distinct(column: str) -> list[str]:
        return sorted({str(v) for v in listed[column].explode().dropna()})

    rows = listed.groupby("kind")["n_rows"].sum()
    years = distinct("academic_years")
    survey_comparison = comparison_rows("survey") if "survey" in rows else 0
    pupil_comparison = comparison_rows("pupil") if "pupil" in rows else 0
    return DataSummary(
        n_datasets=len(listed),
        n_synthetic=int(listed["synthetic"].fillna(False).astype(bool).sum()),
        survey_rows=int(rows.get("survey", 0)) - survey_comparison,
        pupil_rows=int(rows.get("pupil", 0)) - pupil_comparison,
        survey_comparison_rows=survey_comparison,
        pupil_comparison_rows=pupil_comparison,
        n_hubs=len(distinct("hubs")),
        n_ncps=len(distinct("ncps")),
        n_years=len(years),
        years=f"{years[0]} to {years[-1]}" if len(years) > 1 else "".join(years),
    )
