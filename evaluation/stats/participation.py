"""Participation: how many schools, participants and Work Groups took part, per group.

Distinct counts only (no statistic), shared by the hub overview page and the board pack; the
small-number disclosure control is :mod:`evaluation.stats.disclosure`'s.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from evaluation import columns as c
from evaluation.stats.disclosure import suppress
from evaluation.stats.groups import project_rows

__all__ = [
    "COUNTED",
    "DEFAULT_BY",
    "PARTICIPATION_COLUMNS",
    "participation",
    "participation_counts",
]

DEFAULT_BY = (c.ACADEMIC_YEAR, c.NCP)
# Result column -> the column whose distinct values it counts.
COUNTED = {"schools": c.SCHOOL_URN, "participants": c.RESPONDENT_ID, "work_groups": c.WORK_GROUP}
PARTICIPATION_COLUMNS = tuple(COUNTED)


def participation_counts(frame: pd.DataFrame, *, by: Sequence[str] = DEFAULT_BY) -> pd.DataFrame:
    """Distinct schools, participants and Work Groups per group, nothing hidden.

    Use :func:`participation` for anything shown outside the team that owns the data; this
    unsuppressed version is for callers that apply their own disclosure control.

    Parameters
    ----------
    frame : DataFrame
        Survey rows (one per respondent per phase) with ``respondent_id`` and the ``by``
        columns; ``school_urn`` and ``work_group`` are optional (counted as 0 when absent).
        A comparison group's rows (``group == "comparison"``) are not counted: those people
        did not take part (:func:`~evaluation.stats.groups.project_rows`).
    by : sequence of str
        Grouping columns, default ``academic_year, ncp``. Empty: one row for the whole frame.

    Returns
    -------
    DataFrame
        One row per group (sorted; rows with a missing key are left out): ``*by, schools,
        participants, work_groups``, each the number of distinct non-missing values, so a
        person who answered before and after counts once. Answers without a participant code
        are not counted as participants.

    Examples
    --------
    >>> frame = pd.DataFrame({"academic_year": "2024/25", "ncp": ["A", "A", "A", "B"],
    ...     "respondent_id": ["p1", "p1", "p2", "p3"], "phase": ["pre", "post", "pre", "pre"],
    ...     "school_urn": [100001, 100001, 100002, 100003], "work_group": ["W1", "W1", "W2", "W3"]})
    >>> participation_counts(frame)
      academic_year ncp  schools  participants  work_groups
    0       2024/25   A        2             2            2
    1       2024/25   B        1             1            1
    >>> participation_counts(frame, by=[]).to_dict("records")
    [{'schools': 3, 'participants': 3, 'work_groups': 3}]
    """
    frame = project_rows(frame)
    keys = list(by)
    if not keys:
        return pd.DataFrame(
            [
                {
                    name: int(frame[col].nunique()) if col in frame else 0
                    for name, col in COUNTED.items()
                }
            ]
        )
    grouped = frame.groupby(keys, sort=True, observed=True)
    index = grouped.size().index
    counts = {
        name: grouped[col].nunique() if col in frame else pd.Series(0, index=index)
        for name, col in COUNTED.items()
    }
    return pd.DataFrame(counts, index=index).reset_index()


def participation(
    frame: pd.DataFrame, *, by: Sequence[str] = DEFAULT_BY, min_n: int | None = None
) -> pd.DataFrame:
    """Schools, participants and Work Groups per group, with small groups hidden.

    Parameters
    ----------
    frame : DataFrame
        Survey rows, as for :func:`participation_counts`.
    by : sequence of str
        Grouping columns, default ``academic_year, ncp``.
    min_n : int, optional
        Groups with fewer participants are hidden; default
        :data:`evaluation.stats.disclosure.DEFAULT_MIN_N` (5) or ``$IMPACT_MIN_N``.

    Returns
    -------
    DataFrame
        ``*by, schools, participants, work_groups, suppressed, suppression_reason``: the
        counts of :func:`participation_counts`, blanked (NaN) in every group with fewer than
        ``min_n`` participants (:func:`evaluation.stats.disclosure.suppress`).

    Examples
    --------
    >>> frame = pd.DataFrame({"academic_year": "2024/25", "ncp": ["A"] * 6 + ["B"] * 2,
    ...     "respondent_id": [f"p{i}" for i in range(8)], "phase": "pre",
    ...     "school_urn": [100001, 100001, 100002, 100002, 100003, 100003, 100004, 100005],
    ...     "work_group": ["W1"] * 6 + ["W2"] * 2})
    >>> table = participation(frame, min_n=5)
    >>> table[["ncp", "schools", "participants", "suppressed"]]
      ncp  schools  participants  suppressed
    0   A      3.0           6.0       False
    1   B      NaN           NaN        True
    """
    return suppress(
        participation_counts(frame, by=by),
        n_col="participants",
        min_n=min_n,
        columns=list(PARTICIPATION_COLUMNS),
    )
