"""What a pupil view shows: MTC scores of one academic year beside the national figures.

Pure (no streamlit); every statistic is :mod:`evaluation.stats.pupils`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from evaluation import columns as c
from evaluation.stats.pupils import pupil_change, pupil_summary, score_distribution
from schemas.reference import mtc_national

__all__ = ["NationalMtc", "PupilAnalysis", "national_mtc", "pupil_analysis"]


@dataclass(frozen=True)
class NationalMtc:
    """The published national MTC figures for one academic year (None when unpublished)."""

    year: str
    mean_score: float | None
    pct_full_marks: float | None

    @property
    def published(self) -> bool:
        """True when the year has national figures."""
        return self.mean_score is not None


def national_mtc(year: str) -> NationalMtc:
    """The national MTC mean and share at full marks for ``year`` (reference data).

    Examples
    --------
    >>> national_mtc("2022/23").mean_score
    20.2
    >>> national_mtc("1999/00").published
    False
    """
    table = mtc_national().set_index(c.ACADEMIC_YEAR)
    if year not in table.index:
        return NationalMtc(year, None, None)
    row = table.loc[year]
    return NationalMtc(year, float(row["mean_score"]), float(row["pct_full_marks"]))


@dataclass(frozen=True)
class PupilAnalysis:
    """The pupil summary view of one academic year (and the change in every year)."""

    year: str
    change: pd.DataFrame
    distribution: pd.DataFrame
    summary: pd.DataFrame
    by_year: pd.DataFrame
    national: NationalMtc


def pupil_analysis(pupils: pd.DataFrame, year: str | None = None) -> PupilAnalysis:
    """Change, score distribution and summary for ``year`` (default the latest), change by year.

    Parameters
    ----------
    pupils : DataFrame
        Canonical pupil rows, already narrowed to what the view shows.
    year : str, optional
        The academic year of the detail; default the latest in ``pupils``.

    Examples
    --------
    >>> rows = pd.DataFrame({"pupil_id": ["a", "a", "b", "b"], "school_urn": 1,
    ...     "academic_year": "2022/23", "phase": ["pre", "post"] * 2, "measure": "MTC",
    ...     "score": [15.0, 20, 18, 22]})
    >>> view = pupil_analysis(rows)
    >>> view.year, view.national.mean_score, view.summary["phase"].tolist()
    ('2022/23', 20.2, ['pre', 'post'])
    """
    years = sorted(pupils[c.ACADEMIC_YEAR].dropna().astype(str).unique())
    year = year or years[-1]
    one_year = pupils[pupils[c.ACADEMIC_YEAR].astype(str).eq(year)]
    return PupilAnalysis(
        year=year,
        change=pupil_change(one_year, by=[c.ACADEMIC_YEAR]),
        distribution=score_distribution(one_year),
        summary=pupil_summary(one_year),
        by_year=pupil_change(pupils, by=[c.ACADEMIC_YEAR]),
        national=national_mtc(year),
    )
