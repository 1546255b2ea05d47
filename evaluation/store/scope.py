"""Who may see and change which stored rows: a viewer's scope as SQL conditions and row filters.

National viewers see every row; hub viewers their hub's rows; leads their hub's rows in their
Work Groups. Every read applies both: SQL picks the datasets, the row filter the rows in them.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation import columns as c
from evaluation.access import Viewer
from evaluation.store.tables import dataset_groups

__all__ = [
    "Filter",
    "filter_conditions",
    "filter_values",
    "may_change",
    "require_viewer",
    "row_scope",
    "rows_outside_scope",
    "scope_conditions",
    "scope_fix",
    "visible_ids",
]

Filter = str | Sequence[str] | None


def require_viewer(viewer: Viewer) -> None:
    """Refuse a read without a :class:`~evaluation.access.Viewer` (a programmer error).

    Examples
    --------
    >>> require_viewer("national")
    Traceback (most recent call last):
    ...
    TypeError: every read needs a Viewer (evaluation.access.Viewer)
    """
    if not isinstance(viewer, Viewer):
        raise TypeError("every read needs a Viewer (evaluation.access.Viewer)")


def scope_conditions(viewer: Viewer) -> list[sa.ColumnElement[bool]]:
    """Conditions on ``dataset_groups`` for the rows this viewer may see (none for national).

    Examples
    --------
    >>> scope_conditions(Viewer.national())
    []
    >>> len(scope_conditions(Viewer(role="lead", hub="Solent Maths Hub", work_groups=("WG1",))))
    2
    """
    if viewer.role == "national":
        return []
    conditions = [dataset_groups.c.hub == viewer.hub]
    if viewer.role == "lead":
        if viewer.work_groups:
            conditions.append(dataset_groups.c.work_group.in_(viewer.work_groups))
        else:
            conditions.append(sa.false())
    return conditions


def visible_ids(viewer: Viewer) -> sa.Select:
    """A query of the dataset ids holding at least one row this viewer may see.

    Examples
    --------
    >>> visible_ids(Viewer.national()).whereclause is None  # national: every dataset
    True
    """
    return sa.select(dataset_groups.c.dataset_id).where(*scope_conditions(viewer))


def filter_values(value: Filter) -> tuple[str, ...] | None:
    """A filter as a tuple of values (None keeps every value).

    Examples
    --------
    >>> filter_values("2024/25"), filter_values(["A", "B"]), filter_values(None)
    (('2024/25',), ('A', 'B'), None)
    """
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def filter_conditions(
    academic_year: Filter, hub: Filter, ncp: Filter
) -> list[sa.ColumnElement[bool]]:
    """Conditions on ``dataset_groups`` keeping only the chosen years, hubs and NCPs.

    Examples
    --------
    >>> len(filter_conditions("2024/25", None, ["Mastering Number at KS2"]))
    2
    """
    conditions: list[sa.ColumnElement[bool]] = []
    for column, value in (
        (dataset_groups.c.academic_year, academic_year),
        (dataset_groups.c.hub, hub),
        (dataset_groups.c.ncp, ncp),
    ):
        values = filter_values(value)
        if values is not None:
            conditions.append(column.in_(values))
    return conditions


def row_scope(
    viewer: Viewer, academic_year: Filter, hub: Filter, ncp: Filter
) -> dict[str, tuple[str, ...] | None]:
    """The scope and filters of :func:`scope_conditions` and :func:`filter_conditions`, for rows.

    Returns
    -------
    dict
        Column -> allowed values (None = any), as :func:`evaluation.store.payload.decode` takes.

    Examples
    --------
    >>> row_scope(Viewer(role="hub", hub="Solent Maths Hub"), None, None, None)
    {'academic_year': None, 'hub': ('Solent Maths Hub',), 'ncp': None}
    """
    allowed: dict[str, tuple[str, ...] | None] = {
        c.ACADEMIC_YEAR: filter_values(academic_year),
        c.HUB: filter_values(hub),
        c.NCP: filter_values(ncp),
    }
    if viewer.role != "national":
        own = str(viewer.hub)
        hubs = allowed[c.HUB]
        allowed[c.HUB] = tuple(h for h in (hubs if hubs is not None else (own,)) if h == own)
    if viewer.role == "lead":
        allowed[c.WORK_GROUP] = tuple(viewer.work_groups)
    return allowed


def rows_outside_scope(frame: pd.DataFrame, viewer: Viewer | None) -> list[int]:
    """File row numbers of the rows this viewer may not upload (none without a viewer).

    Examples
    --------
    >>> rows = pd.DataFrame({"hub": ["Solent Maths Hub", "Sussex Maths Hub"]})
    >>> rows_outside_scope(rows, Viewer(role="hub", hub="Solent Maths Hub"))
    [3]
    """
    if viewer is None or viewer.role == "national":
        return []
    inside = (
        frame[c.HUB].eq(viewer.hub).fillna(False)
        if c.HUB in frame
        else pd.Series(False, index=frame.index)
    )
    if viewer.role == "lead":
        if c.WORK_GROUP in frame:
            inside &= frame[c.WORK_GROUP].isin(viewer.work_groups)
        else:
            inside &= False
    outside = frame.loc[~inside.astype(bool)]
    if c.SOURCE_ROW in outside:
        return [int(r) for r in outside[c.SOURCE_ROW]]
    return [int(i) + 2 for i in range(len(frame)) if not bool(inside.iloc[i])]


def scope_fix(viewer: Viewer | None) -> str:
    """What a viewer whose upload strays outside their scope should upload instead.

    Examples
    --------
    >>> scope_fix(Viewer(role="hub", hub="Solent Maths Hub"))
    'Upload only rows of Solent Maths Hub.'
    """
    if viewer is None:
        return ""
    if viewer.role == "lead":
        groups = ", ".join(viewer.work_groups) or "none"
        return f"Upload only rows of {viewer.hub}, Work Groups: {groups}."
    return f"Upload only rows of {viewer.hub}."


def may_change(connection: Connection, dataset_id: int, viewer: Viewer) -> bool:
    """True when every row of the dataset lies within the viewer's scope (always for national).

    Examples
    --------
    >>> from evaluation.store.engine import make_engine, upgrade
    >>> engine = make_engine("sqlite://")
    >>> upgrade(engine)
    >>> with engine.connect() as connection:
    ...     may_change(connection, 1, Viewer(role="hub", hub="Solent Maths Hub"))
    False
    """
    if viewer.role == "national":
        return True
    groups = connection.execute(
        sa.select(dataset_groups.c.hub, dataset_groups.c.work_group).where(
            dataset_groups.c.dataset_id == dataset_id
        )
    ).all()
    return bool(groups) and all(
        g.hub == viewer.hub and (viewer.role == "hub" or g.work_group in viewer.work_groups)
        for g in groups
    )
