"""Who is looking: the viewer whose role decides which rows every store read returns.

National users see everything, hub users their hub, leads their hub's own Work Groups.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import pandas as pd

from evaluation import columns as c

Role = Literal["national", "hub", "lead"]
ROLES: tuple[Role, ...] = ("national", "hub", "lead")

# A pooled value reaches a hub or lead viewer only when it combines at least this many hubs:
# with two, a hub's own result and the pooled value would give away the other hub's.
MIN_POOLED_HUBS = 3

LOCAL_USER = "local national user"
OPEN_TEXT_ENV = "IMPACT_OPEN_TEXT_ROLES"


@dataclass(frozen=True)
class Viewer:
    """The person viewing data, and what they may see.

    ``open_text`` is this person's permission to read open-text answers (on rows they may
    see at all); :func:`with_open_text_rule` turns it off for roles the deployment excludes.

    Examples
    --------
    >>> Viewer.national().can_see_hub("Solent Maths Hub")
    True
    >>> Viewer(role="hub", hub="Sussex Maths Hub").can_see_hub("Solent Maths Hub")
    False
    >>> Viewer(role="lead", hub="Sussex Maths Hub", work_groups=("WG-1",)).sees_open_text
    True
    """

    role: Role
    hub: str | None = None
    work_groups: tuple[str, ...] = ()
    name: str = "local user"
    # Kept out of the repr so that a viewer prints as it always has; it still counts for ==.
    open_text: bool = field(default=True, repr=False)

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if self.role in ("hub", "lead") and not self.hub:
            raise ValueError(f"a {self.role} viewer needs a hub")

    @classmethod
    def national(cls, name: str = "local user") -> Viewer:
        """A viewer who may see all data (the local default)."""
        return cls(role="national", name=name)

    @property
    def sees_open_text(self) -> bool:
        """Whether open-text answers (of rows this viewer may see) may be shown.

        Examples
        --------
        >>> Viewer(role="hub", hub="Solent Maths Hub", open_text=False).sees_open_text
        False
        """
        return self.open_text

    @property
    def is_national(self) -> bool:
        """True for a national viewer (all hubs, every hub's rows)."""
        return self.role == "national"

    def can_see_hub(self, hub: str) -> bool:
        """Whether rows of ``hub`` are visible to this viewer."""
        return self.role == "national" or hub == self.hub

    def can_see_work_group(self, hub: str, work_group: str | None) -> bool:
        """Whether rows of ``work_group`` in ``hub`` are visible to this viewer.

        Examples
        --------
        >>> lead = Viewer(role="lead", hub="Solent Maths Hub", work_groups=("WG-1",))
        >>> lead.can_see_work_group("Solent Maths Hub", "WG-1")
        True
        >>> lead.can_see_work_group("Solent Maths Hub", "WG-2")
        False
        """
        if not self.can_see_hub(hub):
            return False
        return self.role != "lead" or work_group in self.work_groups

    def describe(self) -> str:
        """What this viewer sees, in a few words (for the sidebar and the Roles page).

        Examples
        --------
        >>> Viewer(role="lead", hub="Solent Maths Hub", work_groups=("WG-1", "WG-2")).describe()
        'lead: Solent Maths Hub, Work Groups WG-1, WG-2'
        """
        if self.role == "national":
            return "national: every hub"
        if self.role == "hub":
            return f"hub: {self.hub}"
        groups = ", ".join(self.work_groups) or "none yet"
        return f"lead: {self.hub}, Work Groups {groups}"


def normalise_identity(who: str) -> str:
    """The key a person is recorded under in the role table: their email, trimmed, lower case.

    Examples
    --------
    >>> normalise_identity("  Ann.Smith@School.ORG ")
    'ann.smith@school.org'
    """
    return str(who).strip().casefold()


def open_text_roles(value: str | None = None) -> frozenset[str]:
    """Roles allowed to read open-text answers: ``$IMPACT_OPEN_TEXT_ROLES`` (default all).

    A comma-separated list of ``national``, ``hub``, ``lead``; ``none`` (or an empty value)
    allows nobody. Unknown words are ignored.

    Examples
    --------
    >>> sorted(open_text_roles("lead, hub"))
    ['hub', 'lead']
    >>> sorted(open_text_roles("none"))
    []
    """
    raw = os.environ.get(OPEN_TEXT_ENV) if value is None else value
    if raw is None:
        return frozenset(ROLES)
    words = {word.strip().casefold() for word in raw.split(",")}
    return frozenset(word for word in words if word in ROLES)


def with_open_text_rule(viewer: Viewer, roles: Iterable[str] | None = None) -> Viewer:
    """``viewer`` with open text allowed only if both the person and their role may read it.

    Examples
    --------
    >>> hub = Viewer(role="hub", hub="Solent Maths Hub")
    >>> with_open_text_rule(hub, roles=["lead"]).sees_open_text
    False
    >>> with_open_text_rule(hub, roles=["hub", "lead"]).sees_open_text
    True
    """
    allowed = open_text_roles() if roles is None else frozenset(roles)
    return replace(viewer, open_text=viewer.open_text and viewer.role in allowed)


def without_open_text(frame: pd.DataFrame, viewer: Viewer) -> pd.DataFrame:
    """``frame`` without its ``text_*`` columns unless the viewer may read open text.

    Examples
    --------
    >>> rows = pd.DataFrame({"hub": ["A"], "text_comments": ["good"]})
    >>> without_open_text(rows, Viewer(role="hub", hub="A", open_text=False)).columns.tolist()
    ['hub']
    """
    if viewer.sees_open_text:
        return frame
    return frame.drop(columns=[col for col in frame.columns if str(col).startswith("text_")])


def own_hub_rows(table: pd.DataFrame, viewer: Viewer, *, hub_col: str = "hub") -> pd.DataFrame:
    """The rows of a per-hub table this viewer may see (all of them for national viewers).

    Examples
    --------
    >>> t = pd.DataFrame({"hub": ["A", "B"], "n_paired": [10, 20]})
    >>> own_hub_rows(t, Viewer(role="hub", hub="B"))["n_paired"].tolist()
    [20]
    """
    if viewer.is_national or hub_col not in table:
        return table
    return table[table[hub_col].astype(str).eq(str(viewer.hub))].reset_index(drop=True)


# Pooled head counts are never shown to hub or lead viewers, however many hubs are pooled: counts
# from two overlapping pools (all projects, all but one) subtract to another hub's count.
POOLED_COUNTS: tuple[str, ...] = ("n_respondents", "n")
# What is blanked when a pooled value combines too few hubs: the estimates and the counts.
POOLED_STATISTICS: tuple[str, ...] = (*c.POOLED_ESTIMATES, *POOLED_COUNTS)


def pooled_hidden_reason(min_hubs: int = MIN_POOLED_HUBS) -> str:
    """Why a pooled value is hidden from a hub or lead viewer, in plain English."""
    return f"fewer than {min_hubs} hubs pooled"


def mask_thin_pooled(
    table: pd.DataFrame,
    viewer: Viewer,
    *,
    k_col: str = "k",
    columns: Sequence[str] = POOLED_STATISTICS,
    rows: pd.Series | None = None,
    min_hubs: int = MIN_POOLED_HUBS,
) -> pd.DataFrame:
    """Blank pooled values combining fewer than ``min_hubs`` hubs, for hub and lead viewers.

    National viewers get ``table`` unchanged. Otherwise every row (or those flagged in
    ``rows``) whose ``k`` is below ``min_hubs`` has ``columns`` blanked and is marked
    ``suppressed`` with a reason, so :func:`evaluation.stats.disclosure.display_table` shows
    ``[c]``; and the pooled head counts (:data:`POOLED_COUNTS`) of every such row are blanked
    whatever its ``k``.

    Examples
    --------
    >>> t = pd.DataFrame({"ncp": ["P", "Q"], "k": [2, 5], "estimate": [0.4, 0.3],
    ...                   "n_respondents": [40, 90]})
    >>> out = mask_thin_pooled(t, Viewer(role="hub", hub="A"))
    >>> out["estimate"].tolist(), out["suppressed"].tolist(), out["n_respondents"].tolist()
    ([nan, 0.3], [True, False], [nan, nan])
    >>> mask_thin_pooled(t, Viewer.national()) is t
    True
    """
    if viewer.is_national or table.empty or k_col not in table:
        return table
    out = table.copy()
    k = pd.to_numeric(out[k_col], errors="coerce").fillna(0)
    pooled_rows = pd.Series(True, index=out.index)
    if rows is not None:
        pooled_rows = rows.reindex(out.index).fillna(False).astype(bool)
    thin = k.lt(min_hubs) & pooled_rows
    if "suppressed" not in out:
        out["suppressed"] = False
    if "suppression_reason" not in out:
        out["suppression_reason"] = None
    out["suppressed"] = out["suppressed"].fillna(False).astype(bool) | thin
    out["suppression_reason"] = out["suppression_reason"].astype(object)
    out.loc[thin, "suppression_reason"] = pooled_hidden_reason(min_hubs)
    for col in columns:
        if col in out and col != k_col:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
            out.loc[thin, col] = math.nan
    for col in POOLED_COUNTS:
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
            out.loc[pooled_rows, col] = math.nan
    return out


def mask_thin_pooled_row(
    pooled: pd.Series, viewer: Viewer, *, min_hubs: int = MIN_POOLED_HUBS
) -> pd.Series:
    """:func:`mask_thin_pooled` for one pooled row (``evaluation.stats.national.pool_hubs``).

    Examples
    --------
    >>> row = pd.Series({"k": 2, "estimate": 0.4, "note": ""})
    >>> out = mask_thin_pooled_row(row, Viewer(role="hub", hub="A"))
    >>> math.isnan(out["estimate"]), bool(out["suppressed"])
    (True, True)
    """
    if viewer.is_national:
        return pooled
    masked = mask_thin_pooled(pooled.to_frame().T, viewer, min_hubs=min_hubs)
    return masked.iloc[0]
