"""Relabelling: correcting a stored dataset's whole-file values (phase, hub, project, year, Work
Group) without uploading it again.

The old dataset is kept as ``replaced``; a new one holds the same rows with the corrected values,
and the audit log records who changed what, when and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import sqlalchemy as sa

from evaluation import columns as c
from evaluation import privacy
from evaluation.access import Viewer
from evaluation.io import headers
from evaluation.store import payload
from evaluation.store.audit import actor_name, now, record, required_reason
from evaluation.store.contents import content_digest, row_groups, work_group_pseudonym
from evaluation.store.engine import StoreBase, fetch_payloads
from evaluation.store.errors import StoreError
from evaluation.store.ingest import RELABEL_OPTIONS, active_dataset, set_status
from evaluation.store.results import recompute_for
from evaluation.store.scope import rows_outside_scope
from evaluation.store.tables import dataset_groups, datasets, payloads

__all__ = ["Relabel", "checked_labels"]

_CHECKS = {
    c.HUB: headers.hub_name,
    c.NCP: headers.ncp_name,
    c.PHASE: headers.phase_name,
    c.ACADEMIC_YEAR: headers.academic_year,
    c.GROUP: headers.group_name,
}


def checked_labels(values: Mapping[str, str | None]) -> dict[str, str]:
    """Whole-file values in their reference form; unknown names are refused with the fix.

    Parameters
    ----------
    values : mapping
        Column (hub, ncp, phase, academic_year, work_group) -> new value; None is skipped.

    Examples
    --------
    >>> checked_labels({"phase": "Post", "hub": "solent", "ncp": None})
    {'phase': 'post', 'hub': 'Solent Maths Hub'}
    >>> checked_labels({"phase": "later"})
    Traceback (most recent call last):
    ...
    evaluation.store.errors.StoreError: 'later' is not a phase; give pre or post.
    """
    checked: dict[str, str] = {}
    for column, value in values.items():
        if value is None:
            continue
        if column not in RELABEL_OPTIONS:
            raise StoreError(f"{column} is not a whole-file value that can be relabelled.")
        text = str(value).strip()
        check = _CHECKS.get(column)
        reference = check(text) if check is not None else text or None
        if reference is None:
            raise StoreError(f"'{text}' is not {_WHAT[column]}; {_FIX[column]}.")
        checked[column] = str(reference)
    return checked


_WHAT = {
    c.HUB: "a Maths Hub",
    c.NCP: "a project (NCP)",
    c.PHASE: "a phase",
    c.ACADEMIC_YEAR: "an academic year",
    c.WORK_GROUP: "a Work Group",
    c.GROUP: "a group",
}
_FIX = {
    c.HUB: "give the hub's name as in the hub list",
    c.NCP: "give the project's name or code",
    c.PHASE: "give pre or post",
    c.ACADEMIC_YEAR: "give it as 2024/25",
    c.WORK_GROUP: "give the Work Group id",
    c.GROUP: "give intervention or comparison",
}


class Relabel(StoreBase):
    """Correcting a dataset's whole-file values (part of :class:`~evaluation.store.Store`)."""

    def relabel(
        self, dataset_id: int, values: Mapping[str, str | None], *, by: Viewer | str, reason: str
    ) -> int:
        """Give every row of an active dataset new whole-file values, in one transaction.

        For a file uploaded with the wrong ``--phase``, ``--hub``, ``--ncp``, ``--year`` or
        ``--work-group``, or to mark a stored file as comparison data (``--group``): the rows
        stay as they are apart from the values given. The old dataset
        becomes ``replaced`` (kept, no longer loaded) by a new one; the audit log records who,
        when, why and what changed (action ``relabel``).

        Parameters
        ----------
        dataset_id : int
        values : mapping
            Column (hub, ncp, phase, academic_year, work_group, group) -> new value.
        by : Viewer or str
            Who. A hub or lead viewer may only relabel a dataset wholly within their scope,
            and only to values within it.
        reason : str
            Why (required).

        Returns
        -------
        int
            The new dataset's id.

        Raises
        ------
        StoreError
            No values given, an unknown value, a dataset that holds several values of a column
            given (replace it with a corrected file instead), or not allowed.

        Examples
        --------
        >>> from evaluation.store import Store
        >>> store = Store.open("sqlite://", secret=b"k")
        >>> rows = pd.DataFrame({"respondent_id": ["a"], "phase": ["pre"],
        ...     "academic_year": ["2024/25"], "hub": ["Solent Maths Hub"],
        ...     "ncp": ["Mastering Number at KS2"], "conf_1": [2.0]})
        >>> first = store.add_frame(rows, kind="survey").dataset_id
        >>> new = store.relabel(first, {"phase": "post"}, by="ann", reason="was post")
        >>> store.load_surveys(Viewer.national())[0]["phase"].tolist()
        ['post']
        """
        reason = required_reason(reason)
        who = actor_name(by)
        labels = checked_labels(values)
        if not labels:
            raise StoreError(
                "Say what to change: --phase, --hub, --ncp, --year, --work-group or --group."
            )
        viewer = by if isinstance(by, Viewer) else None
        with self._write() as connection:
            at = now()
            old = active_dataset(connection, dataset_id, by)
            blob = fetch_payloads(connection, [old.dataset_id])[old.dataset_id]
            frame = payload.decode([(old.dataset_id, blob)]).drop(columns=[c.DATASET_ID])
            changes = _changes(frame, labels, old.dataset_id, old.kind)
            for column, value in labels.items():
                if column == c.WORK_GROUP:
                    value = _stored_work_group(value, self._secret)
                frame[column] = pd.Series(value, index=frame.index, dtype="str")
            outside = rows_outside_scope(frame, viewer)
            if outside:
                raise StoreError(
                    "The new values would put the rows outside what you may upload; "
                    "nothing was changed."
                )
            new_id = _insert_copy(connection, old, frame, labels)
            set_status(
                connection,
                old.dataset_id,
                "replaced",
                at=at,
                who=who,
                reason=reason,
                replaced_by=new_id,
            )
            record(
                connection,
                at=at,
                who=who,
                action="relabel",
                reason=reason,
                detail={"file_name": old.file_name, "n_rows": len(frame), "changes": changes},
                dataset_id=old.dataset_id,
                new_dataset_id=new_id,
            )
            recompute_for(connection, [old.dataset_id, new_id])
        return int(new_id)


def _stored_work_group(value: str, secret: bytes) -> str:
    return work_group_pseudonym(value, secret) if privacy.has_contact_details(value) else value


def _changes(
    frame: pd.DataFrame, labels: Mapping[str, str], dataset_id: int, kind: str
) -> dict[str, list[Any]]:
    """What each value was and becomes; refuses a column that holds several values."""
    changes: dict[str, list[Any]] = {}
    for column, value in labels.items():
        before = sorted({str(v) for v in frame[column].dropna()}) if column in frame.columns else []
        if len(before) > 1:
            raise StoreError(
                f"Dataset {dataset_id} holds several values of {column} ({', '.join(before)}), "
                "so they did not come from one whole-file value. Replace it with a corrected "
                f"file instead: python -m evaluation store replace {dataset_id} FILE"
            )
        changes[column] = [before[0] if before else None, value]
    if all(old == new for old, new in changes.values()):
        raise StoreError(f"Dataset {dataset_id} already has these values; nothing was changed.")
    return changes


def _insert_copy(
    connection: sa.Connection,
    old: Any,
    frame: pd.DataFrame,
    labels: Mapping[str, str],
) -> int:
    """Store the relabelled rows as a new active dataset replacing ``old``; its new id."""
    digest = content_digest(frame)
    same = connection.execute(
        sa.select(datasets.c.dataset_id).where(
            datasets.c.content_digest == digest, datasets.c.status == "active"
        )
    ).scalar()
    if same is not None:
        raise StoreError(
            f"Dataset {same} already holds these rows with these values, so relabelling would "
            f"count them twice. Withdraw dataset {old.dataset_id} instead."
        )
    defaults = {**(old.defaults or {}), **labels}
    # The old dataset's file is the same, so it must stop being active before the copy is.
    connection.execute(
        datasets.update().where(datasets.c.dataset_id == old.dataset_id).values(status="replaced")
    )
    new_id = connection.execute(
        datasets.insert()
        .values(
            kind=old.kind,
            status="active",
            synthetic=old.synthetic,
            sha256=old.sha256,
            n_rows=len(frame),
            file_name=old.file_name,
            uploader=old.uploader,
            uploaded_at=old.uploaded_at,
            defaults=defaults,
            instrument=old.instrument,
            replaces=old.dataset_id,
            content_digest=digest,
        )
        .returning(datasets.c.dataset_id)
    ).scalar_one()
    connection.execute(
        dataset_groups.insert(), [{"dataset_id": new_id, **g} for g in row_groups(frame)]
    )
    connection.execute(
        payloads.insert().values(
            dataset_id=new_id, format=payload.FORMAT, data=payload.encode(frame)
        )
    )
    return int(new_id)
