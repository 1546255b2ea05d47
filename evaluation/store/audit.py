"""The append-only audit log: who changed what, when and why, and who may read which entries.

Every change (add, replace, withdraw, roles) writes one entry in the same transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation.access import Viewer
from evaluation.store.engine import StoreBase
from evaluation.store.errors import StoreError
from evaluation.store.scope import require_viewer, scope_conditions, visible_ids
from evaluation.store.tables import audit_log, dataset_groups

__all__ = ["AuditLog", "actor_name", "now", "record", "required_reason"]


def now() -> datetime:
    """The time to record, in UTC.

    Examples
    --------
    >>> now().tzinfo
    datetime.timezone.utc
    """
    return datetime.now(UTC)


def actor_name(by: Viewer | str) -> str:
    """The name recorded for whoever makes a change.

    Examples
    --------
    >>> actor_name(" ann "), actor_name(Viewer.national())
    ('ann', 'local user')
    """
    name = by.name if isinstance(by, Viewer) else str(by)
    if not name.strip():
        raise StoreError("Please say who is making this change.")
    return name.strip()


def required_reason(reason: str | None) -> str:
    """The reason for a change, which must be given.

    Examples
    --------
    >>> required_reason(" corrected file ")
    'corrected file'
    >>> required_reason("")
    Traceback (most recent call last):
    ...
    evaluation.store.errors.StoreError: Please give a reason; it is kept in the audit log.
    """
    if not reason or not str(reason).strip():
        raise StoreError("Please give a reason; it is kept in the audit log.")
    return str(reason).strip()


def record(
    connection: Connection,
    *,
    at: datetime,
    who: str,
    action: str,
    reason: str | None,
    detail: dict[str, Any] | None,
    dataset_id: int | None = None,
    new_dataset_id: int | None = None,
) -> None:
    """Append one audit entry, inside the caller's write transaction.

    Examples
    --------
    >>> from evaluation.store.engine import make_engine, upgrade, write_transaction
    >>> engine = make_engine("sqlite://")
    >>> upgrade(engine)
    >>> with write_transaction(engine) as connection:
    ...     record(connection, at=now(), who="ann", action="withdraw", reason="test", detail=None)
    >>> with engine.connect() as connection:
    ...     connection.execute(sa.select(audit_log.c.who)).scalars().all()
    ['ann']
    """
    connection.execute(
        audit_log.insert().values(
            at=at,
            who=who,
            action=action,
            dataset_id=dataset_id,
            new_dataset_id=new_dataset_id,
            reason=reason,
            detail=detail,
        )
    )


class AuditLog(StoreBase):
    """The audit log read with a viewer's scope (part of :class:`~evaluation.store.Store`)."""

    def audit_log(self, viewer: Viewer) -> pd.DataFrame:
        """Audit entries this viewer may see, oldest first (national: all, including roles).

        A hub or lead viewer sees each entry's row count (``detail["n_rows"]``) as the number of
        rows of that dataset they may see, never the whole file's: a file spanning several hubs
        must not tell one hub how many rows the others have.

        Returns
        -------
        pandas.DataFrame
            entry_id, at (UTC), who, action (add, replace, withdraw, set_role), dataset_id,
            new_dataset_id, reason, detail (dict).
        """
        require_viewer(viewer)
        query = sa.select(audit_log).order_by(audit_log.c.entry_id)
        if viewer.role != "national":
            visible = visible_ids(viewer)
            query = query.where(
                sa.or_(audit_log.c.dataset_id.in_(visible), audit_log.c.new_dataset_id.in_(visible))
            )
        with self._engine.connect() as connection:
            entries = pd.DataFrame(
                connection.execute(query).mappings().all(),
                columns=[col.name for col in audit_log.c],
            )
            if viewer.role != "national":
                own = dict(
                    connection.execute(
                        sa.select(dataset_groups.c.dataset_id, sa.func.sum(dataset_groups.c.n_rows))
                        .where(*scope_conditions(viewer))
                        .group_by(dataset_groups.c.dataset_id)
                    ).all()
                )
                entries["detail"] = [
                    _own_count(detail, new if pd.notna(new) else old, own)
                    for detail, old, new in zip(
                        entries["detail"],
                        entries["dataset_id"],
                        entries["new_dataset_id"],
                        strict=True,
                    )
                ]
        entries["at"] = pd.to_datetime(entries["at"], utc=True)
        for column in ("dataset_id", "new_dataset_id"):
            entries[column] = entries[column].astype("Int64")
        return entries


def _own_count(detail: Any, dataset_id: Any, own: dict[int, int]) -> Any:
    """An entry's detail with its row count replaced by the rows the viewer may see."""
    if not isinstance(detail, dict) or "n_rows" not in detail:
        return detail
    return {**detail, "n_rows": int(own.get(int(dataset_id), 0))}
