"""Who is looking: the viewer whose role decides which rows every store read returns.

National users see everything, hub users their hub, leads their hub's own Work Groups.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd

from evaluation import columns as c

Role = Literal["national", "hub", "lead"]
ROLES: tuple[Role, ...] = ("national", "hub", "lead")

# A pooled value reaches a hub or lead viewer only when it combines at least MIN_OTHER_HUBS hubs
# besides any one hub (so besides the viewer's own): MIN_POOLED_HUBS in all. See
# mask_thin_pooled for what such a viewer then sees of it, and why.
MIN_OTHER_HUBS = 3
MIN_POOLED_HUBS = MIN_OTHER_HUBS + 1
# The steps a pooled estimate and its interval are rounded to for hub and lead viewers, by the
# effect pooled: standardised changes (d_z) to 0.05, changes in scale points to 0.1.
POOLED_STEPS: dict[str, float] = {"d_z": 0.05, "mean_change": 0.1}

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
POOLED_COUNTS: tuple[str, ...] = ("n_respondents", "n", "k_suppressed", "k_excluded")
# What is blanked when a pooled value combines too few hubs: the estimates and the counts.
POOLED_STATISTICS: tuple[str, ...] = (*c.POOLED_ESTIMATES, *POOLED_COUNTS)
# What a hub or lead viewer sees of a pooled value that combines enough hubs (rounded to
# POOLED_STEPS): the estimate, and the low and high ends of its 95% interval, in that order;
# every other pooled statistic is withheld.
POOLED_SHOWN: tuple[str, ...] = ("estimate", "ci_low", "ci_high")


def pooled_hidden_reason(min_hubs: int = MIN_POOLED_HUBS) -> str:
    """Why a pooled value is hidden from a hub or lead viewer, in plain English.

    Examples
    --------
    >>> pooled_hidden_reason()
    'fewer than 4 hubs pooled'
    """
    return f"fewer than {min_hubs} hubs pooled"


def round_to_step(
    values: pd.Series | np.ndarray | float,
    step: pd.Series | np.ndarray | float,
    *,
    how: Literal["nearest", "down", "up"] = "nearest",
) -> np.ndarray:
    """``values`` rounded to a multiple of ``step`` (to the nearest one, down or up).

    Examples
    --------
    >>> round_to_step([0.4123, 0.3, -0.07], 0.05).tolist()
    [0.4, 0.3, -0.05]
    >>> round_to_step([0.3, 0.31], 0.05, how="down").tolist()
    [0.3, 0.3]
    >>> float(round_to_step(0.31, 0.1, how="up"))
    0.4
    """
    x = np.asarray(values, dtype=float)
    unit = np.asarray(step, dtype=float)
    ratio = x / unit
    # A hair of slack so that a value already on a step (0.3 / 0.05 = 5.999...) stays there.
    if how == "down":
        steps = np.floor(ratio + 1e-9)
    elif how == "up":
        steps = np.ceil(ratio - 1e-9)
    else:
        steps = np.round(ratio)
    return np.round(steps * unit, 6) + 0.0  # + 0.0: no "-0.0"


def _steps(out: pd.DataFrame, effect: str | None) -> np.ndarray:
    """The rounding step of every row: by ``effect``, else the row's ``effect``, else coarsest."""
    coarsest = max(POOLED_STEPS.values())
    if effect is not None:
        return np.full(len(out), POOLED_STEPS.get(effect, coarsest))
    if "effect" in out:
        return out["effect"].map(POOLED_STEPS).fillna(coarsest).to_numpy(dtype=float)
    return np.full(len(out), coarsest)


def mask_thin_pooled(
    table: pd.DataFrame,
    viewer: Viewer,
    *,
    k_col: str = "k",
    columns: Sequence[str] = POOLED_STATISTICS,
    rows: pd.Series | None = None,
    min_hubs: int = MIN_POOLED_HUBS,
    shown: Sequence[str] = POOLED_SHOWN,
    effect: str | None = None,
) -> pd.DataFrame:
    """Pooled values as a hub or lead viewer may see them: few, coarse, never thin.

    National viewers get ``table`` unchanged. For hub and lead viewers, in every pooled row (or
    those flagged in ``rows``):

    - a value combining fewer than ``min_hubs`` hubs (:data:`MIN_POOLED_HUBS`, that is at
      least :data:`MIN_OTHER_HUBS` besides the viewer's own) has ``columns`` blanked and is
      marked ``suppressed`` with a reason, so
      :func:`evaluation.stats.disclosure.display_table` shows ``[c]``;
    - otherwise only ``shown`` (the estimate, then the low and high ends of its 95%
      confidence interval) is kept,
      rounded to :data:`POOLED_STEPS` for the ``effect`` pooled (or the row's ``effect``
      column; the coarsest step when neither says): the estimate to the nearest step, the
      interval outwards, so that it still covers the computed one;
    - every other column in ``columns`` (standard error, tau², I², Q and its p-value, the
      prediction interval) and every count (:data:`POOLED_COUNTS`: respondents, hubs hidden
      or left out) is blanked.

    Why: a hub knows its own n, mean change and SD exactly. Each further pooled number is
    one more equation in the other hubs' unknowns (n, mean change and SD per hub, the same n
    for every outcome), and with the full set (estimate, standard error, tau², Q, I², the
    prediction interval, for both effects, to three decimals) two or three other hubs can be
    solved for by least squares; a head count gives their total by subtraction. Keeping two
    coarse numbers per effect and at least three unknown hubs (at least nine unknowns per
    outcome) leaves the other hubs unidentifiable: many quite different hubs give the same
    rounded values. ``tests/test_reconstruction.py`` runs that attack against what a hub viewer
    receives and checks that it recovers no other hub's n within 5 or mean change within 0.1.

    Examples
    --------
    >>> t = pd.DataFrame({"ncp": ["P", "Q"], "effect": "d_z", "k": [3, 5],
    ...     "estimate": [0.4, 0.3123], "ci_low": [0.1, 0.2123], "ci_high": [0.7, 0.4123],
    ...     "tau2": [0.01, 0.02], "n_respondents": [40, 90]})
    >>> out = mask_thin_pooled(t, Viewer(role="hub", hub="A"))
    >>> out[["estimate", "ci_low", "ci_high"]].values.tolist()
    [[nan, nan, nan], [0.3, 0.2, 0.45]]
    >>> out["suppressed"].tolist(), out["tau2"].tolist(), out["n_respondents"].tolist()
    ([True, False], [nan, nan], [nan, nan])
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
    kept = [col for col in shown if col in out]
    withheld = [col for col in (*columns, *POOLED_COUNTS) if col in out and col != k_col]
    for col in dict.fromkeys(withheld):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
        out.loc[thin | (pooled_rows & (col not in kept)), col] = math.nan
    steps = _steps(out, effect)
    rounded = pooled_rows.to_numpy() & ~thin.to_numpy()
    directions: tuple[Literal["nearest", "down", "up"], ...] = ("nearest", "down", "up")
    for col, how in zip(shown, directions, strict=False):
        if col not in out:
            continue
        values = pd.to_numeric(out[col], errors="coerce").to_numpy(dtype=float).copy()
        values[rounded] = round_to_step(values[rounded], steps[rounded], how=how)
        out[col] = values
    return out


def mask_thin_pooled_row(
    pooled: pd.Series, viewer: Viewer, *, min_hubs: int = MIN_POOLED_HUBS
) -> pd.Series:
    """:func:`mask_thin_pooled` for one pooled row (``evaluation.stats.national.pool_hubs``).

    Examples
    --------
    >>> row = pd.Series({"k": 3, "estimate": 0.4, "note": ""})
    >>> out = mask_thin_pooled_row(row, Viewer(role="hub", hub="A"))
    >>> math.isnan(out["estimate"]), bool(out["suppressed"])
    (True, True)
    """
    if viewer.is_national:
        return pooled
    masked = mask_thin_pooled(pooled.to_frame().T, viewer, min_hubs=min_hubs)
    return masked.iloc[0]
