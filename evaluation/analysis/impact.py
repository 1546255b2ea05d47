"""What an impact view shows: impact against a comparison group, its evidence strength, pooling.

Pure (no streamlit). The model is :mod:`evaluation.stats.impact`'s (the EEF mixed model), the
rating :func:`evaluation.stats.security.rate_security`'s, the pooling of per-hub impact estimates
:func:`evaluation.stats.pooling.pooled_by`'s (Knapp-Hartung), the masking for hub and lead
viewers :func:`evaluation.access.mask_thin_pooled`'s. Sentences about these tables live in
:mod:`evaluation.presentation.readings.impact`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation import columns as c
from evaluation.access import Viewer, mask_thin_pooled
from evaluation.analysis.national import POOLING_METHOD
from evaluation.instruments import Instrument
from evaluation.stats.disclosure import resolve_min_n, suppression_reason
from evaluation.stats.groups import arm_of
from evaluation.stats.impact import IMPACT_COLUMNS, pupil_impact, survey_impact
from evaluation.stats.pooling import Test, pooled_by
from evaluation.stats.security import rate_security

__all__ = [
    "CHANGE_DESIGN",
    "IMPACT_DISPLAY_COLUMNS",
    "IMPACT_POOLING_TEST",
    "IMPACT_KEYS",
    "ImpactAnalysis",
    "arm_keys",
    "change_security",
    "has_comparison",
    "impact_display",
    "national_impact",
    "pupil_impact_analysis",
    "survey_impact_analysis",
]

# The design of every before-and-after result: no comparator, so it rates 0 (never above 1).
CHANGE_DESIGN = "change"
# A comparison group only means something within one project and year: every impact is per
# project and year, and a comparison file must match its project data on these columns.
IMPACT_KEYS = (c.NCP, c.ACADEMIC_YEAR)
# Per-hub impact estimates are pooled with the Knapp-Hartung interval (few hubs, honest width).
IMPACT_POOLING_TEST: Test = "knha"
# What a reader sees of an impact table (the download keeps these too).
IMPACT_DISPLAY_COLUMNS = (
    "outcome",
    "n_intervention",
    "n_comparison",
    "n_clusters",
    "estimate",
    "ci_low",
    "ci_high",
    "p",
    "g",
    "g_ci_low",
    "g_ci_high",
    "months",
    "did",
    "icc",
    "security",
    "security_reason",
    "model",
    "reason",
)


@dataclass(frozen=True)
class ImpactAnalysis:
    """The impact view of one selection.

    Attributes
    ----------
    table : DataFrame
        One row per group x outcome with the :data:`~evaluation.stats.impact.IMPACT_COLUMNS`
        (empty when there is no comparison group).
    available : bool
        True when the selection holds both an intervention and a comparison group.
    unit : str
        Who was measured ("pupils" or "teachers").
    """

    table: pd.DataFrame
    available: bool
    unit: str


def has_comparison(frame: pd.DataFrame) -> bool:
    """True when ``frame`` has a ``group`` column and rows of both arms (a blank is the project's).

    Examples
    --------
    >>> has_comparison(pd.DataFrame({"group": ["intervention", "comparison"]}))
    True
    >>> has_comparison(pd.DataFrame({"group": ["intervention"]}))
    False
    >>> has_comparison(pd.DataFrame({"group": [None, "comparison"]}))
    True
    >>> has_comparison(pd.DataFrame({"score": [1]}))
    False
    """
    if c.GROUP not in frame:
        return False
    return set(c.GROUPS) <= set(arm_of(frame))


def arm_keys(
    frame: pd.DataFrame, arm: str, keys: Sequence[str] = IMPACT_KEYS
) -> list[tuple[str, ...]]:
    """The distinct ``keys`` values (project, year) of the rows in ``arm``, sorted.

    A row without a group is the project's (intervention), as in
    :func:`evaluation.stats.groups.arm_of`. A comparison file whose keys are not among the
    intervention rows' is for another project or year than the data it is compared with.

    Examples
    --------
    >>> rows = pd.DataFrame({"ncp": ["P", "P", "P"], "academic_year": ["2024/25", "2023/24",
    ...     "2024/25"], "group": [None, "comparison", "comparison"]})
    >>> arm_keys(rows, "intervention"), arm_keys(rows, "comparison")
    ([('P', '2024/25')], [('P', '2023/24'), ('P', '2024/25')])
    """
    present = [k for k in keys if k in frame]
    rows = frame.loc[arm_of(frame).eq(arm).to_numpy(), present].astype(str).drop_duplicates()
    return sorted(tuple(values) for values in rows.itertuples(index=False))


def _empty(by: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=[*by, *IMPACT_COLUMNS])


def pupil_impact_analysis(pupils: pd.DataFrame, *, by: Sequence[str] = ()) -> ImpactAnalysis:
    """Impact on pupils' scores against the comparison pupils in ``pupils``, if any.

    Parameters
    ----------
    pupils : DataFrame
        Canonical pupil rows, already narrowed to what the view shows, with a ``group`` column
        (``intervention`` / ``comparison``) where comparison data was loaded.
    by : sequence of str
        Grouping columns, e.g. ``["hub"]``.

    Returns
    -------
    ImpactAnalysis
        :func:`evaluation.stats.impact.pupil_impact` of the rows (with its security rating);
        an empty table and ``available=False`` without a comparison group.

    Examples
    --------
    >>> rows = pd.DataFrame({"pupil_id": ["a", "a"], "school_urn": 1,
    ...     "phase": ["pre", "post"], "score": [15.0, 20]})
    >>> view = pupil_impact_analysis(rows)
    >>> view.available, len(view.table)
    (False, 0)
    """
    if not has_comparison(pupils):
        return ImpactAnalysis(_empty(by), False, "pupils")
    frame = pupils.assign(**{c.GROUP: arm_of(pupils)})
    return ImpactAnalysis(pupil_impact(frame, by=by), True, "pupils")


def survey_impact_analysis(
    frame: pd.DataFrame,
    instrument: Instrument,
    *,
    by: Sequence[str] = (),
    outcomes: Sequence[str] | None = None,
) -> ImpactAnalysis:
    """Impact on teachers' answers (per construct) against the comparison teachers, if any.

    Parameters
    ----------
    frame : DataFrame
        Wide survey rows, already narrowed to what the view shows, with a ``group`` column
        where comparison data was loaded.
    instrument : Instrument
        Names the constructs.
    by : sequence of str
        Grouping columns, e.g. ``["hub"]``.
    outcomes : sequence of str, optional
        Constructs or items; default every construct.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> view = survey_impact_analysis(pd.DataFrame({"conf_1": [3.0]}), default_instrument())
    >>> view.available, view.unit
    (False, 'teachers')
    """
    if not has_comparison(frame):
        return ImpactAnalysis(_empty(by), False, "teachers")
    frame = frame.assign(**{c.GROUP: arm_of(frame)})
    table = survey_impact(frame, instrument, by=by, outcomes=outcomes)
    return ImpactAnalysis(table, True, "teachers")


def change_security(results: pd.DataFrame, *, unit: str = "teachers") -> pd.DataFrame:
    """A before-and-after results table with its evidence strength (no comparator: 0 of 5).

    Parameters
    ----------
    results : DataFrame
        Change rows (paired or pupil change).
    unit : str
        Who was measured, for the reason.

    Examples
    --------
    >>> rated = change_security(pd.DataFrame({"n_pre": [40], "n_paired": [30]}))
    >>> int(rated["security"].iloc[0])
    0
    """
    return rate_security(results, design=CHANGE_DESIGN, unit=unit)


def impact_display(table: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """The columns of an impact table a reader sees (``by`` first), rows in order.

    Examples
    --------
    >>> impact_display(pd.DataFrame({"outcome": ["MTC"], "g": [0.2], "df": [30]})).columns.tolist()
    ['outcome', 'g']
    """
    keep = [col for col in (*by, *IMPACT_DISPLAY_COLUMNS) if col in table]
    return table.loc[:, keep].reset_index(drop=True)


def national_impact(
    per_hub: pd.DataFrame,
    *,
    by: Sequence[str] = ("outcome",),
    viewer: Viewer | None = None,
    min_n: int | None = None,
) -> pd.DataFrame:
    """Pool the per-hub impact estimates (Hedges' g) per outcome, as ``viewer`` may see them.

    Parameters
    ----------
    per_hub : DataFrame
        Impact rows by hub (``hub``, the ``by`` columns, ``g``, ``g_se``, ``n_intervention``,
        ``n_comparison``), e.g. ``pupil_impact_analysis(rows, by=["hub"]).table``.
    by : sequence of str
        What is pooled separately (default each outcome).
    viewer : Viewer, optional
        Default a national viewer. Hub and lead viewers get values pooling fewer than
        :data:`evaluation.access.MIN_POOLED_HUBS` hubs as ``[c]`` and no pooled head counts.
    min_n : int, optional
        Disclosure threshold: a hub whose smaller arm has fewer people is not pooled (default
        ``$IMPACT_MIN_N`` or 5).

    Returns
    -------
    DataFrame
        :func:`evaluation.stats.pooling.pooled_by` with ``effect="g"``, ``se="g_se"``,
        ``method=POOLING_METHOD`` and ``test=IMPACT_POOLING_TEST`` (``k`` hubs pooled,
        ``k_suppressed`` hidden as too small), only groups with at least 2 hubs with an impact
        estimate; plus ``suppressed, suppression_reason`` for hub and lead viewers.

    Examples
    --------
    >>> hubs = pd.DataFrame({"hub": ["A", "B", "C"], "outcome": "MTC", "g": [0.2, 0.3, 0.1],
    ...     "g_se": [0.1, 0.12, 0.09], "n_intervention": [60, 50, 70],
    ...     "n_comparison": [55, 40, 3]})
    >>> out = national_impact(hubs, min_n=5)
    >>> out[["outcome", "k", "k_suppressed", "test"]].values.tolist()
    [['MTC', 2, 1, 'knha']]
    """
    by = list(by)
    columns = [*by, "method", "test", "k", "k_suppressed", "k_excluded", "n_respondents"]
    if per_hub.empty or "g" not in per_hub:
        return pd.DataFrame(columns=[*columns, "estimate", "se", "ci_low", "ci_high"])
    threshold = resolve_min_n(min_n)
    rows = per_hub.reset_index(drop=True).copy()
    smaller = np.fmin(
        pd.to_numeric(rows["n_intervention"], errors="coerce").to_numpy(dtype="float64"),
        pd.to_numeric(rows["n_comparison"], errors="coerce").to_numpy(dtype="float64"),
    )
    small = np.nan_to_num(smaller, nan=0.0) < threshold
    rows["suppressed"] = small
    rows["suppression_reason"] = np.where(small, suppression_reason(threshold), None)
    pooled = pooled_by(
        rows,
        by,
        effect="g",
        se="g_se",
        n_col="n_intervention",
        method=POOLING_METHOD,
        test=IMPACT_POOLING_TEST,
    )
    pooled = pooled[pooled["k"].ge(2)].reset_index(drop=True)
    return mask_thin_pooled(pooled, viewer or Viewer.national())
