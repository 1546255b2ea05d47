"""The role table: who may see what when the app runs with a login (national, hub or lead).

Only a national user changes roles; every change is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import pandas as pd
import sqlalchemy as sa

from evaluation.access import Viewer
from evaluation.store.audit import actor_name, now, record
from evaluation.store.engine import StoreBase
from evaluation.store.errors import StoreError
from evaluation.store.scope import require_viewer
from evaluation.store.tables import roles

__all__ = ["Roles"]


class Roles(StoreBase):
    """Recorded roles: set, get, remove, list (part of :class:`~evaluation.store.Store`)."""

    def set_role(
        self,
        who: str,
        role: Literal["national", "hub", "lead"],
        *,
        hub: str | None = None,
        work_groups: Sequence[str] = (),
        by: Viewer | str,
    ) -> None:
        """Record (or change) what ``who`` may see when logged in; audited.

        Only a national user (or the local user, given as a name) may change roles.
        """
        Viewer(role=role, hub=hub, work_groups=tuple(work_groups), name=who)  # checks the values
        actor = _role_changer(by)
        with self._write() as connection:
            at = now()
            values = {
                "role": role,
                "hub": hub,
                "work_groups": list(work_groups),
                "updated_at": at,
                "updated_by": actor,
            }
            changed = connection.execute(roles.update().where(roles.c.who == who).values(**values))
            if not changed.rowcount:
                connection.execute(roles.insert().values(who=who, **values))
            record(
                connection,
                at=at,
                who=actor,
                action="set_role",
                reason=None,
                detail={"who": who, "role": role, "hub": hub, "work_groups": list(work_groups)},
            )

    def get_role(self, who: str) -> Viewer | None:
        """The viewer recorded for ``who`` (None when they have no role).

        Examples
        --------
        >>> from evaluation.store import Store
        >>> store = Store.open("sqlite://")
        >>> store.set_role("bo", "hub", hub="Solent Maths Hub", by="admin")
        >>> store.get_role("bo")
        Viewer(role='hub', hub='Solent Maths Hub', work_groups=(), name='bo')
        """
        with self._engine.connect() as connection:
            row = connection.execute(sa.select(roles).where(roles.c.who == who)).one_or_none()
        if row is None:
            return None
        return Viewer(role=row.role, hub=row.hub, work_groups=tuple(row.work_groups), name=who)

    def remove_role(self, who: str, *, by: Viewer | str, reason: str | None = None) -> bool:
        """Take away ``who``'s access (their role row is deleted); audited.

        Only a national user (or the local user, given as a name) may do this. Returns False
        when ``who`` had no role (nothing changes, nothing is audited).

        Examples
        --------
        >>> from evaluation.store import Store
        >>> store = Store.open("sqlite://")
        >>> store.set_role("bo", "hub", hub="Solent Maths Hub", by="admin")
        >>> store.remove_role("bo", by="admin"), store.get_role("bo")
        (True, None)
        """
        actor = _role_changer(by)
        with self._write() as connection:
            removed = connection.execute(roles.delete().where(roles.c.who == who)).rowcount
            if removed:
                record(
                    connection,
                    at=now(),
                    who=actor,
                    action="remove_role",
                    reason=reason,
                    detail={"who": who},
                )
        return bool(removed)

    def list_roles(self, viewer: Viewer) -> pd.DataFrame:
        """Recorded roles this viewer may see (national: all; hub: its hub's; lead: its own).

        Returns
        -------
        pandas.DataFrame
            who, role, hub, work_groups, updated_at, updated_by.
        """
        require_viewer(viewer)
        query = sa.select(roles).order_by(roles.c.who)
        if viewer.role == "hub":
            query = query.where(roles.c.hub == viewer.hub)
        elif viewer.role == "lead":
            query = query.where(roles.c.who == viewer.name)
        with self._engine.connect() as connection:
            return pd.DataFrame(
                connection.execute(query).mappings().all(), columns=[col.name for col in roles.c]
            )


def _role_changer(by: Viewer | str) -> str:
    if isinstance(by, Viewer) and by.role != "national":
        raise StoreError("Only a national user can change who may see what.")
    return actor_name(by)
