"""Ingest: validating and storing uploads, replacing and withdrawing datasets; one transaction each.

A file is stored only when valid; every change is audited. Duplicates: the same rows (by
:func:`~evaluation.store.contents.content_digest`, whatever the file format) are "already stored";
the same file (SHA-256) given other whole-file values is refused with the ``store relabel``
command that corrects the stored dataset (:class:`LabelConflict`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation import columns as c
from evaluation import privacy, validation
from evaluation.access import Viewer
from evaluation.instruments import Instrument, default_instrument
from evaluation.io.reader import FileDefaults
from evaluation.store import payload
from evaluation.store.audit import actor_name, now, record, required_reason
from evaluation.store.contents import (
    GROUP_COLUMNS,
    NAME_REASON,
    Kind,
    instrument_json,
    prepare,
    upload_bytes,
)
from evaluation.store.engine import StoreBase
from evaluation.store.errors import StoreError
from evaluation.store.results import recompute_for
from evaluation.store.scope import may_change, rows_outside_scope, scope_fix
from evaluation.store.tables import dataset_groups, datasets, payloads, store_state

__all__ = [
    "SAMPLE_DIR",
    "SAMPLE_FILES",
    "AddResult",
    "Ingest",
    "LabelConflict",
    "MAX_DATASET_ID",
    "RELABEL_OPTIONS",
    "active_dataset",
    "set_status",
]

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data" / "small"
# The project's surveys and pupils, then the comparison group's (their ``group`` column says
# ``comparison``: pupils in schools not in the project, a waiting-list cohort of teachers; see
# :mod:`evaluation.synthetic.comparison`), so every impact view has something to show.
SAMPLE_FILES: tuple[tuple[str, Kind], ...] = (
    ("surveys.csv", "survey"),
    ("pupils.csv", "pupil"),
    ("pupils_comparison.csv", "pupil"),
    ("surveys_comparison.csv", "survey"),
)
# The command-line option that sets each whole-file value (``store add``, ``store relabel``).
RELABEL_OPTIONS = {
    c.HUB: "hub",
    c.NCP: "ncp",
    c.ACADEMIC_YEAR: "year",
    c.PHASE: "phase",
    c.WORK_GROUP: "work-group",
    c.GROUP: "group",
}
# The largest id a dataset can have (a signed 64-bit integer in both databases).
MAX_DATASET_ID = 2**63 - 1


@dataclass(frozen=True)
class AddResult:
    """What happened to an upload.

    Attributes
    ----------
    status : {"stored", "duplicate", "invalid"}
        ``duplicate``: the same rows are already stored, from this file or another one holding
        the same rows (``dataset_id`` names that dataset).
    dataset_id : int or None
        The new (or existing) dataset; None when nothing was stored.
    n_rows : int
        Rows in the file.
    report : ValidationReport or None
        The validation report (None for frames added directly with :meth:`Store.add_frame`).
    message : str
        One plain-English sentence saying what happened.
    unreadable : bool
        True when the file could not be read as a table at all.
    dropped : tuple of (str, str)
        Columns not stored, each with why (people's names are never stored).
    """

    status: Literal["stored", "duplicate", "invalid"]
    dataset_id: int | None
    n_rows: int
    report: validation.ValidationReport | None = None
    message: str = ""
    unreadable: bool = False
    dropped: tuple[tuple[str, str], ...] = ()


class LabelConflict(StoreError):
    """The same file is stored already with other whole-file values (phase, hub, year, ...).

    Attributes
    ----------
    dataset_id : int
        The stored dataset holding the file.
    """

    def __init__(self, message: str, dataset_id: int) -> None:
        super().__init__(message)
        self.dataset_id = dataset_id


class _Duplicate(Exception):
    def __init__(self, dataset_id: int) -> None:
        super().__init__(dataset_id)
        self.dataset_id = dataset_id


class Ingest(StoreBase):
    """Adding, replacing and withdrawing datasets (part of :class:`~evaluation.store.Store`)."""

    def seed_sample(self, by: Viewer | str = "local user") -> tuple[AddResult, ...]:
        """Store the committed small synthetic sample, marked synthetic: :data:`SAMPLE_FILES`.

        The project's surveys and pupils, and a comparison group's (comparison schools' pupils
        and a waiting-list cohort of teachers, each row's ``group`` saying ``comparison``), so
        that the impact views have a comparison. It is stored whole or not at all, in one
        transaction; storing it twice changes nothing (each file is then a duplicate).

        Parameters
        ----------
        by : Viewer or str
            Who loads it, named as the uploader in the audit log. Only a national viewer (or a
            plain name: the local user of the command line) may: the sample holds every hub.

        Returns
        -------
        tuple of AddResult
            One per sample file.

        Raises
        ------
        StoreError
            ``by`` is a hub or lead viewer, or a sample file is missing or invalid.
        """
        if isinstance(by, Viewer) and by.role != "national":
            raise StoreError(
                "Only national users can load the synthetic sample: it holds made-up rows for "
                "every hub. Ask a national user to load it, or upload your own files."
            )
        who = actor_name(by)
        paths = [SAMPLE_DIR / file_name for file_name, _ in SAMPLE_FILES]
        for path in paths:
            if not path.exists():
                raise StoreError(f"The sample file {path} is missing from this installation.")
        results: list[AddResult] = []
        try:
            with self._write() as connection:
                for path, (file_name, kind) in zip(paths, SAMPLE_FILES, strict=True):
                    result = self._add_upload(
                        path,
                        kind,
                        file_name,
                        defaults=None,
                        overrides=None,
                        instrument=None,
                        viewer=None,
                        who=who,
                        synthetic=True,
                        connection=connection,
                    )
                    if result.status == "invalid":
                        raise StoreError(f"The sample file {file_name} did not pass its checks.")
                    results.append(result)
                if all(result.status == "duplicate" for result in results):
                    raise _Duplicate(0)  # nothing new: undone, so the store's version stays
        except _Duplicate:
            pass
        return tuple(results)

    def add_file(
        self,
        source: bytes | str | os.PathLike[str] | Any,
        *,
        kind: Kind = "survey",
        file_name: str | None = None,
        defaults: FileDefaults | None = None,
        uploader: str = "local user",
        viewer: Viewer | None = None,
        overrides: Mapping[str, str] | None = None,
        instrument: Instrument | None = None,
        synthetic: bool = False,
    ) -> AddResult:
        """Validate a file and, only if it is valid, store it (one transaction).

        Parameters
        ----------
        source : bytes, path or file-like
            The uploaded file (a file-like object such as Streamlit's upload is read whole).
        kind : {"survey", "pupil"}
        file_name : str, optional
            The original file name (defaults to the path's name).
        defaults : FileDefaults, optional
            Hub, NCP, phase, year, Work Group for a whole file whose rows lack them.
        uploader : str
            Who uploaded (recorded with the dataset and in the audit log).
        viewer : Viewer, optional
            When given and not national, every row must belong to the viewer's hub (and, for a
            lead, their Work Groups); otherwise the file is reported invalid.
        overrides : mapping, optional
            Column mapping corrections passed to validation.
        instrument : Instrument, optional
            Survey instrument passed to validation.
        synthetic : bool
            Mark the dataset as synthetic (made-up) data.

        Returns
        -------
        AddResult
            ``stored``, ``duplicate`` (same bytes already stored) or ``invalid`` (nothing stored;
            ``report`` lists the problems).
        """
        if viewer is not None and uploader == "local user":
            uploader = viewer.name
        return self._add_upload(
            source,
            kind,
            file_name,
            defaults,
            overrides,
            instrument,
            viewer,
            who=uploader,
            synthetic=synthetic,
        )

    def add_frame(
        self,
        frame: pd.DataFrame,
        *,
        kind: Kind,
        instrument: Instrument | None = None,
        file_bytes: bytes | None = None,
        file_name: str = "data frame",
        defaults: FileDefaults | Mapping[str, Any] | None = None,
        uploader: str = "local user",
        synthetic: bool = False,
        viewer: Viewer | None = None,
        replaces: int | None = None,
        reason: str | None = None,
    ) -> AddResult:
        """Store an already validated canonical frame (what :meth:`add_file` calls).

        Identifiers are pseudonymised, only canonical columns are kept (item columns of the
        instrument and ``text_*`` answers), columns of people's names are dropped, emails and
        phone numbers are removed from free text (see :func:`~evaluation.store.contents.prepare`),
        and the rows are written as one columnar payload, all in one transaction. Rows already
        stored (the same file, or the same rows in another file) are not stored again.

        Parameters
        ----------
        frame : pandas.DataFrame
            Canonical survey or pupil frame with raw identifiers.
        kind : {"survey", "pupil"}
        instrument : Instrument, optional
            Survey instrument (default: :func:`~evaluation.instruments.default_instrument`).
        file_bytes : bytes, optional
            The original file, whose SHA-256 identifies duplicates (default: the frame's CSV).
        file_name, uploader, synthetic
            Provenance recorded with the dataset.
        defaults : FileDefaults or mapping, optional
            Recorded (a later replacement reuses them); a default Work Group is added to pupil
            rows, which have no such column of their own.
        viewer : Viewer, optional
            When given and not national, rows outside the viewer's scope raise StoreError (and
            a replaced dataset must lie wholly within it).
        replaces : int, optional
            An active dataset this frame replaces (see :meth:`replace`); ``reason`` says why.

        Returns
        -------
        AddResult
            ``stored`` or ``duplicate``; ``report`` is None.

        Raises
        ------
        StoreError
            Empty frame, missing required columns, rows outside the viewer's scope, or a
            database filled using a different secret key.
        StoreBusy
            Another writer kept the store locked for too long; retry.
        """
        return self._store(
            frame,
            kind=kind,
            instrument=instrument,
            file_bytes=file_bytes,
            file_name=file_name,
            defaults=defaults,
            who=uploader,
            synthetic=synthetic,
            viewer=viewer,
            replaces=replaces,
            reason=required_reason(reason) if replaces is not None else reason,
            by=viewer if viewer is not None else uploader,
        )

    def withdraw(self, dataset_id: int, *, reason: str, by: Viewer | str) -> None:
        """Withdraw an active dataset: its rows stop being loaded; an audit entry records why.

        Parameters
        ----------
        dataset_id : int
        reason : str
            Why (required, recorded in the audit log).
        by : Viewer or str
            Who. A hub or lead viewer may only withdraw a dataset all of whose rows they may see;
            a plain name acts as the local national user.

        Raises
        ------
        StoreError
            Unknown or inactive dataset, missing reason, or not allowed.
        """
        reason = required_reason(reason)
        who = actor_name(by)
        with self._write() as connection:
            at = now()
            old = self._active_dataset(connection, dataset_id, by)
            set_status(connection, old.dataset_id, "withdrawn", at=at, who=who, reason=reason)
            record(
                connection,
                at=at,
                who=who,
                action="withdraw",
                dataset_id=dataset_id,
                reason=reason,
                detail={"file_name": old.file_name},
            )
            recompute_for(connection, [dataset_id])

    def replace(
        self,
        dataset_id: int,
        source: bytes | str | os.PathLike[str] | Any,
        *,
        file_name: str | None = None,
        by: Viewer | str,
        reason: str = "Replaced with a corrected file",
        defaults: FileDefaults | None = None,
        overrides: Mapping[str, str] | None = None,
        instrument: Instrument | None = None,
    ) -> AddResult:
        """Replace an active dataset with a corrected file, in one transaction.

        The new file is validated as the same kind; the old dataset's whole-file values (hub,
        project, phase, year, Work Group) are kept unless ``defaults`` gives a new one. The old
        dataset becomes ``replaced`` (kept, no longer loaded) and the audit log records who, when
        and why.

        Returns
        -------
        AddResult
            ``stored`` (the new dataset), ``invalid`` (nothing changed) or ``duplicate`` (the new
            file is already stored; nothing changed).

        Raises
        ------
        StoreError
            Unknown or inactive dataset, or not allowed.
        """
        reason = required_reason(reason)
        with self._engine.connect() as connection:
            old = self._active_dataset(connection, dataset_id, by)
        merged = {**(old.defaults or {}), **_defaults_dict(defaults)}
        defaults = _file_defaults(merged) if merged else None
        viewer = by if isinstance(by, Viewer) else None
        return self._add_upload(
            source,
            old.kind,
            file_name,
            defaults,
            overrides,
            instrument,
            viewer,
            who=actor_name(by),
            synthetic=False,
            replaces=dataset_id,
            reason=reason,
            by=by,
        )

    def _add_upload(
        self,
        source: Any,
        kind: Kind,
        file_name: str | None,
        defaults: FileDefaults | None,
        overrides: Mapping[str, str] | None,
        instrument: Instrument | None,
        viewer: Viewer | None,
        *,
        who: str,
        synthetic: bool,
        replaces: int | None = None,
        reason: str | None = None,
        by: Viewer | str | None = None,
        connection: Connection | None = None,
    ) -> AddResult:
        """Validate an upload and, only if it is valid (and within ``viewer``'s scope), store it."""
        data, name = upload_bytes(source, file_name)
        options: dict[str, Any] = {"kind": kind, "file_name": name, "defaults": defaults}
        if overrides is not None:
            options["overrides"] = overrides
        if instrument is not None and kind == "survey":
            options["instrument"] = instrument
        checked = validation.check(data if data is not None else source, **options)
        report = checked.report
        if checked.frame is None:
            return _invalid(
                report,
                "The file could not be read as a table; nothing was stored.",
                unreadable=True,
            )
        if not report.valid:
            return _invalid(
                report, f"The file has {len(report.errors)} problem(s) to fix; nothing was stored."
            )
        outside = rows_outside_scope(checked.frame, viewer)
        if outside:
            problems = tuple(
                validation.Problem(
                    severity="error",
                    code="outside_your_scope",
                    row=row,
                    column=c.HUB,
                    value=None,
                    message=f"Row {row} belongs to a hub or Work Group you cannot upload for.",
                    fix=scope_fix(viewer),
                )
                for row in outside[:50]
            )
            report = dataclasses.replace(report, errors=report.errors + problems)
            return _invalid(
                report,
                f"{len(outside)} row(s) are outside what you may upload; nothing was stored.",
            )
        result = self._store(
            checked.frame,
            kind=kind,
            instrument=checked.instrument,
            file_bytes=data,
            file_name=name,
            defaults=defaults,
            who=who,
            synthetic=synthetic,
            viewer=viewer,
            replaces=replaces,
            reason=reason,
            by=by,
            connection=connection,
            not_read=tuple(
                (header, NAME_REASON)
                for header, meaning in checked.column_map.items()
                if meaning.startswith(validation.columns.PERSONAL_DATA_MEANING)
            ),
        )
        return dataclasses.replace(result, report=checked.report)

    def _store(
        self,
        frame: pd.DataFrame,
        *,
        kind: Kind,
        instrument: Instrument | None,
        file_bytes: bytes | None,
        file_name: str,
        defaults: FileDefaults | Mapping[str, Any] | None,
        who: str,
        synthetic: bool,
        viewer: Viewer | None,
        replaces: int | None = None,
        reason: str | None = None,
        by: Viewer | str | None = None,
        not_read: tuple[tuple[str, str], ...] = (),
        connection: Connection | None = None,
    ) -> AddResult:
        """Store a checked frame and its kept results in one write transaction (``connection``:
        the caller's, which an error then undoes whole)."""
        if kind not in ("survey", "pupil"):
            raise ValueError(f"kind must be 'survey' or 'pupil', not {kind!r}")
        defaults_dict = _defaults_dict(defaults)
        if kind == "survey":
            instrument = instrument or default_instrument()
        outside = rows_outside_scope(frame, viewer)
        if outside:
            raise StoreError(
                f"{len(outside)} row(s) are outside what you may upload (first: row {outside[0]})."
            )
        secret = self._secret
        prepared = prepare(
            frame, kind=kind, instrument=instrument, defaults=defaults_dict, secret=secret
        )
        if not_read:  # columns of names the check never read: listed with those dropped here
            prepared = dataclasses.replace(
                prepared,
                dropped=tuple(col for col, _ in not_read) + prepared.dropped,
                reasons=not_read + prepared.reasons,
            )
        digest = hashlib.sha256(
            file_bytes if file_bytes is not None else frame.to_csv(index=False).encode("utf-8")
        ).hexdigest()
        n_rows = len(prepared.frame)
        own = connection is None
        try:
            with self._write() if own else contextlib.nullcontext(connection) as connection:
                at = now()
                _check_secret(connection, secret)
                if replaces is not None:
                    old = active_dataset(connection, replaces, by if by is not None else who)
                    if old.kind != kind:
                        raise StoreError(
                            f"Dataset {replaces} holds {old.kind} data; replace it with a "
                            f"{old.kind} file."
                        )
                same_rows = _active_with_content(connection, prepared.content_digest)
                if same_rows is not None:
                    raise _Duplicate(same_rows)
                same_file = _active_with_digest(connection, digest)
                if same_file is not None and same_file != replaces:
                    raise _label_conflict(connection, same_file, prepared.groups)
                if replaces is not None:
                    # First, so that a corrected copy of the same file may take its place.
                    set_status(connection, replaces, "replaced", at=at, who=who, reason=reason)
                dataset_id = connection.execute(
                    datasets.insert()
                    .values(
                        kind=kind,
                        status="active",
                        synthetic=synthetic,
                        sha256=digest,
                        n_rows=n_rows,
                        file_name=file_name,
                        uploader=who,
                        uploaded_at=at,
                        defaults=defaults_dict,
                        instrument=instrument_json(instrument) if kind == "survey" else None,
                        replaces=replaces,
                        content_digest=prepared.content_digest,
                    )
                    .returning(datasets.c.dataset_id)
                ).scalar_one()
                connection.execute(
                    dataset_groups.insert(),
                    [{"dataset_id": dataset_id, **g} for g in prepared.groups],
                )
                connection.execute(
                    payloads.insert().values(
                        dataset_id=dataset_id, format=payload.FORMAT, data=prepared.blob
                    )
                )
                detail: dict[str, Any] = {
                    "file_name": file_name,
                    "kind": kind,
                    "n_rows": n_rows,
                    "sha256": digest,
                }
                if synthetic:
                    detail["synthetic"] = True
                if prepared.dropped:
                    detail["columns_not_kept"] = list(prepared.dropped)
                names = [col for col, why in prepared.reasons if why == NAME_REASON]
                if names:
                    detail["names_not_stored"] = names
                ids = {"dataset_id": dataset_id}
                if replaces is not None:
                    connection.execute(
                        datasets.update()
                        .where(datasets.c.dataset_id == replaces)
                        .values(replaced_by=dataset_id)
                    )
                    detail["replaced_file_name"] = old.file_name
                    ids = {"dataset_id": replaces, "new_dataset_id": dataset_id}
                action = "add" if replaces is None else "replace"
                record(
                    connection, at=at, who=who, action=action, reason=reason, detail=detail, **ids
                )
                recompute_for(connection, [dataset_id, replaces])
        except _Duplicate as duplicate:
            return _duplicate_result(duplicate.dataset_id, n_rows, prepared.reasons)
        except sa.exc.IntegrityError:
            if not own:  # the caller's transaction failed: nothing of it is stored
                raise
            # Another process stored the same bytes between our check and our insert.
            with self._engine.connect() as connection:
                existing = _active_with_digest(connection, digest)
            if existing is None:
                raise
            return _duplicate_result(existing, n_rows, prepared.reasons)
        verb = "Stored" if replaces is None else f"Replaced dataset {replaces} with"
        return AddResult(
            "stored",
            dataset_id,
            n_rows,
            None,
            f"{verb} dataset {dataset_id} ({n_rows} rows from {file_name})."
            + _names_sentence(prepared.reasons),
            dropped=prepared.reasons,
        )

    def _active_dataset(self, connection: Connection, dataset_id: int, by: Viewer | str) -> Any:
        return active_dataset(connection, dataset_id, by)


def active_dataset(connection: Connection, dataset_id: int, by: Viewer | str) -> Any:
    """The active dataset ``dataset_id`` as a row, when ``by`` may change it.

    Raises
    ------
    StoreError
        No such dataset (any id out of range included), not allowed, or not active.

    Examples
    --------
    >>> from evaluation.store.engine import make_engine, upgrade
    >>> engine = make_engine("sqlite://")
    >>> upgrade(engine)
    >>> with engine.connect() as connection:
    ...     active_dataset(connection, 99999999999999999999, "ann")
    Traceback (most recent call last):
    ...
    evaluation.store.errors.StoreError: There is no dataset 99999999999999999999.
    """
    if not 0 < int(dataset_id) <= MAX_DATASET_ID:
        raise StoreError(f"There is no dataset {dataset_id}.")
    row = connection.execute(
        sa.select(datasets).where(datasets.c.dataset_id == int(dataset_id))
    ).one_or_none()
    viewer = by if isinstance(by, Viewer) else None
    if row is None or (viewer is not None and not may_change(connection, row.dataset_id, viewer)):
        raise StoreError(f"There is no dataset {dataset_id} that you may change.")
    if row.status != "active":
        raise StoreError(f"Dataset {dataset_id} is already {row.status}; nothing was changed.")
    return row


def _label_conflict(
    connection: Connection, dataset_id: int, groups: list[dict[str, Any]]
) -> LabelConflict:
    """The refusal for the same file given other whole-file values than when it was stored."""
    stored = (
        connection.execute(
            sa.select(dataset_groups).where(dataset_groups.c.dataset_id == dataset_id)
        )
        .mappings()
        .all()
    )
    differences = []
    for column in GROUP_COLUMNS:
        before = sorted({str(g[column]) for g in stored if g[column] is not None})
        after = sorted({str(g[column]) for g in groups if g[column] is not None})
        if before != after:
            option = RELABEL_OPTIONS.get(column, column)
            differences.append((column, before, after, option))
    changes = "; ".join(
        f"{column} {', '.join(before) or 'none'} there, {', '.join(after) or 'none'} now"
        for column, before, after, _ in differences
    )
    options = " ".join(
        f"--{option} '{after[0]}'" for _, _, after, option in differences if len(after) == 1
    )
    return LabelConflict(
        f"This file is already stored as dataset {dataset_id}, with other whole-file values "
        f"({changes}). Nothing was stored. To correct the stored dataset, relabel it: "
        f"python -m evaluation store relabel {dataset_id} {options} --reason TEXT",
        dataset_id,
    )


def _check_secret(connection: Connection, secret: bytes) -> None:
    fingerprint = privacy.secret_fingerprint(secret)
    stored = connection.execute(
        sa.select(store_state.c.secret_check).where(store_state.c.state_id == 1)
    ).scalar()
    if stored is None:
        connection.execute(
            store_state.update().where(store_state.c.state_id == 1).values(secret_check=fingerprint)
        )
    elif stored != fingerprint:
        raise StoreError(
            "This database was filled using a different secret key, so the same person would "
            "not match across files. Set IMPACT_SECRET (or restore the secret.key file) used "
            "when it was created."
        )


def set_status(
    connection: Connection,
    dataset_id: int,
    status: str,
    *,
    at: datetime,
    who: str,
    reason: str | None,
    replaced_by: int | None = None,
) -> None:
    """Retire an active dataset (withdrawn or replaced), recording who, when and why.

    Examples
    --------
    >>> from evaluation.store.engine import make_engine, upgrade, write_transaction
    >>> engine = make_engine("sqlite://")
    >>> upgrade(engine)
    >>> with write_transaction(engine) as connection:  # no dataset 1: nothing to change
    ...     set_status(connection, 1, "withdrawn", at=now(), who="ann", reason="test")
    """
    connection.execute(
        datasets.update()
        .where(datasets.c.dataset_id == dataset_id)
        .values(
            status=status,
            status_changed_at=at,
            status_changed_by=who,
            status_reason=reason,
            replaced_by=replaced_by,
        )
    )


def _active_with_digest(connection: Connection, digest: str) -> int | None:
    """The active dataset holding a file with this SHA-256, if any."""
    return connection.execute(
        sa.select(datasets.c.dataset_id).where(
            datasets.c.sha256 == digest, datasets.c.status == "active"
        )
    ).scalar()


def _active_with_content(connection: Connection, digest: str) -> int | None:
    """The active dataset holding the same rows (by their content digest), if any."""
    return connection.execute(
        sa.select(datasets.c.dataset_id)
        .where(datasets.c.content_digest == digest, datasets.c.status == "active")
        .order_by(datasets.c.dataset_id)
        .limit(1)
    ).scalar()


def _names_sentence(reasons: tuple[tuple[str, str], ...]) -> str:
    names = [column for column, why in reasons if why == NAME_REASON]
    if not names:
        return ""
    return f" Not stored, as they hold people's names: {', '.join(names)}."


def _invalid(report: Any, message: str, *, unreadable: bool = False) -> AddResult:
    return AddResult("invalid", None, report.n_rows, report, message, unreadable=unreadable)


def _duplicate_result(
    dataset_id: int, n_rows: int, reasons: tuple[tuple[str, str], ...] = ()
) -> AddResult:
    return AddResult(
        "duplicate",
        dataset_id,
        n_rows,
        None,
        f"This file (or one with the same rows) is already stored as dataset {dataset_id}; "
        "nothing new was added.",
        dropped=reasons,
    )


def _defaults_dict(defaults: Any) -> dict[str, Any]:
    if defaults is None:
        return {}
    if dataclasses.is_dataclass(defaults) and not isinstance(defaults, type):
        return {k: v for k, v in dataclasses.asdict(defaults).items() if v is not None}
    values = dict(defaults)
    return {key: value for key, value in values.items() if value is not None}


def _file_defaults(values: Mapping[str, Any]) -> FileDefaults:
    return FileDefaults(**values)
