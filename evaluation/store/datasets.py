"""The dataset store: validated uploads with provenance, an append-only audit log, scoped reads.

Every read takes a :class:`~evaluation.access.Viewer`; every write is one transaction.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from evaluation import columns as c
from evaluation import privacy
from evaluation.access import Viewer
from evaluation.instruments import Instrument, Item, default_instrument
from evaluation.store import engine as engines
from evaluation.store import payload
from evaluation.store.tables import (
    audit_log,
    dataset_groups,
    datasets,
    payloads,
    roles,
    store_state,
)

if TYPE_CHECKING:
    from evaluation.io.reader import FileDefaults
    from evaluation.validation import ValidationReport

Kind = Literal["survey", "pupil"]
Filter = str | Sequence[str] | None

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data" / "small"
SAMPLE_FILES: tuple[tuple[str, Kind], ...] = (("surveys.csv", "survey"), ("pupils.csv", "pupil"))
SAMPLE_UPLOADER = "sample data (synthetic)"
# Columns that decide who may see a row and what a load may filter on.
GROUP_COLUMNS = (c.HUB, c.NCP, c.ACADEMIC_YEAR, c.PHASE, c.WORK_GROUP)
TEXT_PREFIX = "text_"
# PostgreSQL: how long a writer waits for another before reporting that the store is busy.
LOCK_TIMEOUT = "30s"


class StoreError(Exception):
    """A request the store cannot carry out; the message is plain English for the user."""


class StoreBusy(StoreError):
    """Another upload held the store for too long; trying again shortly will work."""


@dataclass(frozen=True)
class AddResult:
    """What happened to an upload.

    Attributes
    ----------
    status : {"stored", "duplicate", "invalid"}
        ``duplicate``: the same bytes are already stored (``dataset_id`` names that dataset).
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
    """

    status: Literal["stored", "duplicate", "invalid"]
    dataset_id: int | None
    n_rows: int
    report: ValidationReport | None = None
    message: str = ""
    unreadable: bool = False


class _Duplicate(Exception):
    def __init__(self, dataset_id: int) -> None:
        super().__init__(dataset_id)
        self.dataset_id = dataset_id


@dataclass(frozen=True)
class _Prepared:
    frame: pd.DataFrame
    blob: bytes
    groups: list[dict[str, Any]]
    dropped: tuple[str, ...]


class Store:
    """Stored datasets with provenance, behind SQLAlchemy (SQLite file or PostgreSQL).

    Open with :meth:`open`, which creates or upgrades the database. Reads need a viewer and
    return only what that viewer may see; there is no unscoped read.

    Examples
    --------
    >>> import pandas as pd
    >>> from evaluation.access import Viewer
    >>> store = Store.open("sqlite://", secret=b"example key")
    >>> rows = pd.DataFrame({
    ...     "respondent_id": ["ab12", "ab12"], "phase": ["pre", "post"],
    ...     "academic_year": ["2024/25"] * 2, "hub": ["Solent Maths Hub"] * 2,
    ...     "ncp": ["Mastering Number at KS2"] * 2, "conf_1": [2.0, 4.0]})
    >>> store.add_frame(rows, kind="survey", file_name="wg1.csv").status
    'stored'
    >>> store.add_frame(rows, kind="survey", file_name="again.csv").status
    'duplicate'
    >>> frame, instrument = store.load_surveys(Viewer.national())
    >>> frame["conf_1"].tolist(), "ab12" in set(frame["respondent_id"])
    ([2.0, 4.0], False)
    >>> len(store.load_surveys(Viewer(role="hub", hub="Sussex Maths Hub"))[0])
    0
    """

    def __init__(self, engine: Engine, *, secret: bytes | None = None) -> None:
        self._engine = engine
        self._secret_value = secret

    # ------------------------------------------------------------------ opening and state

    @classmethod
    def open(cls, url: str | None = None, *, secret: bytes | None = None) -> Store:
        """Open (creating or upgrading in place) the store at ``url``.

        Parameters
        ----------
        url : str, optional
            SQLAlchemy URL. None means ``$DATABASE_URL`` or, when unset, the SQLite file
            ``<IMPACT_HOME>/impact.sqlite``. ``postgresql://`` URLs use psycopg 3.
        secret : bytes, optional
            Pseudonymisation key; None means :func:`evaluation.privacy.load_secret` when first
            needed (``$IMPACT_SECRET`` or the installation's key file).

        Returns
        -------
        Store

        Examples
        --------
        >>> Store.open("sqlite://").is_empty()
        True
        """
        engine = engines.make_engine(engines.resolve_url(url))
        try:
            engines.upgrade(engine)
        except engines.UnknownRevision as exc:
            engine.dispose()
            raise StoreError(str(exc)) from exc
        except Exception:
            engine.dispose()
            raise
        return cls(engine, secret=secret)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for tests and maintenance, not for pages)."""
        return self._engine

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def version(self) -> str:
        """A token that changes on every write: use it as a cache key.

        Examples
        --------
        >>> store = Store.open("sqlite://", secret=b"k")
        >>> before = store.version()
        >>> store.set_role("ann", "national", by="admin")
        >>> store.version() != before
        True
        """
        with self._engine.connect() as connection:
            row = connection.execute(
                sa.select(store_state.c.version, store_state.c.token).where(
                    store_state.c.state_id == 1
                )
            ).one()
        return f"{row.version}-{row.token}"

    def is_empty(self) -> bool:
        """True when nothing has ever been stored (the dashboard then seeds the sample).

        Examples
        --------
        >>> Store.open("sqlite://").is_empty()
        True
        """
        with self._engine.connect() as connection:
            count = connection.execute(sa.select(sa.func.count()).select_from(datasets)).scalar()
        return not count

    def seed_sample(self) -> tuple[AddResult, ...]:
        """Store the committed small synthetic sample (surveys and pupils), marked synthetic.

        Storing it twice changes nothing (the second time each file is a duplicate).

        Returns
        -------
        tuple of AddResult
            One per sample file.
        """
        results = []
        for file_name, kind in SAMPLE_FILES:
            path = SAMPLE_DIR / file_name
            if not path.exists():
                raise StoreError(f"The sample file {path} is missing from this installation.")
            result = self.add_file(
                path, kind=kind, file_name=file_name, uploader=SAMPLE_UPLOADER, synthetic=True
            )
            if result.status == "invalid":
                raise StoreError(f"The sample file {file_name} did not pass its checks.")
            results.append(result)
        return tuple(results)

    # ------------------------------------------------------------------ adding

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
        instrument and ``text_*`` answers with email addresses removed), and the rows are
        written as one columnar payload, all in one transaction.

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
            reason=_required_reason(reason) if replaces is not None else reason,
            by=viewer if viewer is not None else uploader,
        )

    # ------------------------------------------------------------------ replace and withdraw

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
        reason = _required_reason(reason)
        who = _who(by)
        with self._write() as connection:
            now = _now()
            old = self._active_dataset(connection, dataset_id, by)
            _set_status(connection, old.dataset_id, "withdrawn", at=now, who=who, reason=reason)
            _audit(
                connection,
                at=now,
                who=who,
                action="withdraw",
                dataset_id=dataset_id,
                reason=reason,
                detail={"file_name": old.file_name},
            )

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

        The new file is validated as the same kind; with no ``defaults`` the old dataset's are
        reused. The old dataset becomes ``replaced`` (kept, no longer loaded) and the audit log
        records who, when and why.

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
        reason = _required_reason(reason)
        with self._engine.connect() as connection:
            old = self._active_dataset(connection, dataset_id, by)
        if defaults is None and old.defaults:
            defaults = _file_defaults(old.defaults)
        viewer = by if isinstance(by, Viewer) else None
        return self._add_upload(
            source,
            old.kind,
            file_name,
            defaults,
            overrides,
            instrument,
            viewer,
            who=_who(by),
            synthetic=False,
            replaces=dataset_id,
            reason=reason,
            by=by,
        )

    # ------------------------------------------------------------------ scoped reads

    def list_datasets(self, viewer: Viewer, *, kind: Kind | None = None) -> pd.DataFrame:
        """The datasets this viewer may see (any status), oldest first.

        A hub or lead viewer sees a dataset when it holds at least one row they may see, and its
        summary (row count, hubs, NCPs, ...) counts only those rows.

        Returns
        -------
        pandas.DataFrame
            dataset_id, kind, status, synthetic, n_rows, hubs, ncps, academic_years, phases,
            work_groups (lists), file_name, sha256, uploader, uploaded_at (UTC), replaces,
            replaced_by, status_changed_at, status_changed_by, status_reason.
        """
        _require_viewer(viewer)
        group_query = sa.select(dataset_groups).where(*_scope(viewer))
        with self._engine.connect() as connection:
            groups = pd.DataFrame(connection.execute(group_query).mappings().all())
            query = sa.select(
                *[col for col in datasets.c if col.name not in ("defaults", "instrument")]
            )
            if viewer.role != "national":
                query = query.where(datasets.c.dataset_id.in_(_visible_ids(viewer)))
            if kind is not None:
                query = query.where(datasets.c.kind == kind)
            rows = pd.DataFrame(
                connection.execute(query.order_by(datasets.c.dataset_id)).mappings().all()
            )
        return _dataset_table(rows, groups)

    def audit_log(self, viewer: Viewer) -> pd.DataFrame:
        """Audit entries this viewer may see, oldest first (national: all, including roles).

        Returns
        -------
        pandas.DataFrame
            entry_id, at (UTC), who, action (add, replace, withdraw, set_role), dataset_id,
            new_dataset_id, reason, detail (dict).
        """
        _require_viewer(viewer)
        query = sa.select(audit_log).order_by(audit_log.c.entry_id)
        if viewer.role != "national":
            visible = _visible_ids(viewer)
            query = query.where(
                sa.or_(audit_log.c.dataset_id.in_(visible), audit_log.c.new_dataset_id.in_(visible))
            )
        with self._engine.connect() as connection:
            entries = pd.DataFrame(
                connection.execute(query).mappings().all(),
                columns=[col.name for col in audit_log.c],
            )
        entries["at"] = pd.to_datetime(entries["at"], utc=True)
        for column in ("dataset_id", "new_dataset_id"):
            entries[column] = entries[column].astype("Int64")
        return entries

    def load_surveys(
        self,
        viewer: Viewer,
        *,
        academic_year: Filter = None,
        hub: Filter = None,
        ncp: Filter = None,
        synthetic: bool | None = None,
    ) -> tuple[pd.DataFrame, Instrument]:
        """Active survey rows this viewer may see, for analysis, and the instrument covering them.

        Parameters
        ----------
        viewer : Viewer
            Required: national sees all rows; hub its hub's rows; lead its hub's rows in its
            Work Groups (also when one dataset spans several hubs).
        academic_year, hub, ncp : str or sequence of str, optional
            Keep only rows with these values.
        synthetic : bool, optional
            Include synthetic (sample) datasets: True always, False never, None (default) only
            while the viewer can see no real survey data, so the sample never mixes with real
            uploads.

        Returns
        -------
        frame : pandas.DataFrame
            ``dataset_id`` then the canonical wide survey columns (respondent_id pseudonymised),
            item columns of every dataset loaded.
        instrument : Instrument
            The union of the loaded datasets' instruments (first definition of an item wins);
            the default instrument when nothing is loaded.
        """
        rows, frame = self._payload_rows("survey", viewer, academic_year, hub, ncp, synthetic)
        instrument = _union_instrument([row.instrument for row in rows])
        if not rows:
            frame = _empty_survey_frame(instrument)
        return frame, instrument

    def load_pupils(
        self,
        viewer: Viewer,
        *,
        academic_year: Filter = None,
        hub: Filter = None,
        ncp: Filter = None,
        synthetic: bool | None = None,
    ) -> pd.DataFrame:
        """Active pupil rows this viewer may see (same scoping and filters as :meth:`load_surveys`).

        Returns
        -------
        pandas.DataFrame
            ``dataset_id`` then the canonical pupil columns (pupil_id pseudonymised).
        """
        rows, frame = self._payload_rows("pupil", viewer, academic_year, hub, ncp, synthetic)
        if not rows:
            frame = _empty_pupil_frame()
        return frame

    # ------------------------------------------------------------------ roles

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
            now = _now()
            values = {
                "role": role,
                "hub": hub,
                "work_groups": list(work_groups),
                "updated_at": now,
                "updated_by": actor,
            }
            changed = connection.execute(roles.update().where(roles.c.who == who).values(**values))
            if not changed.rowcount:
                connection.execute(roles.insert().values(who=who, **values))
            _audit(
                connection,
                at=now,
                who=actor,
                action="set_role",
                reason=None,
                detail={"who": who, "role": role, "hub": hub, "work_groups": list(work_groups)},
            )

    def get_role(self, who: str) -> Viewer | None:
        """The viewer recorded for ``who`` (None when they have no role).

        Examples
        --------
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
        >>> store = Store.open("sqlite://")
        >>> store.set_role("bo", "hub", hub="Solent Maths Hub", by="admin")
        >>> store.remove_role("bo", by="admin"), store.get_role("bo")
        (True, None)
        """
        actor = _role_changer(by)
        with self._write() as connection:
            removed = connection.execute(roles.delete().where(roles.c.who == who)).rowcount
            if removed:
                _audit(
                    connection,
                    at=_now(),
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
        _require_viewer(viewer)
        query = sa.select(roles).order_by(roles.c.who)
        if viewer.role == "hub":
            query = query.where(roles.c.hub == viewer.hub)
        elif viewer.role == "lead":
            query = query.where(roles.c.who == viewer.name)
        with self._engine.connect() as connection:
            return pd.DataFrame(
                connection.execute(query).mappings().all(), columns=[col.name for col in roles.c]
            )

    # ------------------------------------------------------------------ internals

    @property
    def _secret(self) -> bytes:
        if self._secret_value is None:
            self._secret_value = privacy.load_secret()
        return self._secret_value

    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction: serialised with other writers, version bumped first."""
        try:
            with (
                self._engine.connect().execution_options(**{engines.WRITE: True}) as connection,
                connection.begin(),
            ):
                if connection.dialect.name == "postgresql":
                    connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                # Updating the single state row first makes PostgreSQL writers queue here,
                # as SQLite's BEGIN IMMEDIATE does.
                connection.execute(
                    store_state.update()
                    .where(store_state.c.state_id == 1)
                    .values(version=store_state.c.version + 1, token=secrets.token_hex(8))
                )
                yield connection
        except sa.exc.OperationalError as exc:
            if _is_busy(exc):
                raise StoreBusy(
                    "The data store is busy with another upload. Please try again in a moment."
                ) from exc
            raise

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
    ) -> AddResult:
        """Validate an upload and, only if it is valid (and within ``viewer``'s scope), store it."""
        from evaluation import validation  # engineer R's module; imported when first needed

        data, name = _read_source(source, file_name)
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
        outside = _rows_outside_scope(checked.frame, viewer)
        if outside:
            from evaluation.validation import Problem

            problems = tuple(
                Problem(
                    severity="error",
                    code="outside_your_scope",
                    row=row,
                    column=c.HUB,
                    value=None,
                    message=f"Row {row} belongs to a hub or Work Group you cannot upload for.",
                    fix=_scope_fix(viewer),
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
    ) -> AddResult:
        if kind not in ("survey", "pupil"):
            raise ValueError(f"kind must be 'survey' or 'pupil', not {kind!r}")
        defaults_dict = _defaults_dict(defaults)
        if kind == "survey":
            instrument = instrument or default_instrument()
        outside = _rows_outside_scope(frame, viewer)
        if outside:
            raise StoreError(
                f"{len(outside)} row(s) are outside what you may upload (first: row {outside[0]})."
            )
        secret = self._secret
        prepared = _prepare(
            frame, kind=kind, instrument=instrument, defaults=defaults_dict, secret=secret
        )
        digest = hashlib.sha256(
            file_bytes if file_bytes is not None else frame.to_csv(index=False).encode("utf-8")
        ).hexdigest()
        n_rows = len(prepared.frame)
        try:
            with self._write() as connection:
                now = _now()
                _check_secret(connection, secret)
                if replaces is not None:
                    old = self._active_dataset(connection, replaces, by if by is not None else who)
                    if old.kind != kind:
                        raise StoreError(
                            f"Dataset {replaces} holds {old.kind} data; replace it with a "
                            f"{old.kind} file."
                        )
                existing = _active_with_digest(connection, digest)
                if existing is not None:
                    raise _Duplicate(existing)
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
                        uploaded_at=now,
                        defaults=defaults_dict,
                        instrument=_instrument_json(instrument) if kind == "survey" else None,
                        replaces=replaces,
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
                detail = {"file_name": file_name, "kind": kind, "n_rows": n_rows, "sha256": digest}
                if prepared.dropped:
                    detail["columns_not_kept"] = list(prepared.dropped)
                ids = {"dataset_id": dataset_id}
                if replaces is not None:
                    _set_status(
                        connection,
                        replaces,
                        "replaced",
                        at=now,
                        who=who,
                        reason=reason,
                        replaced_by=dataset_id,
                    )
                    detail["replaced_file_name"] = old.file_name
                    ids = {"dataset_id": replaces, "new_dataset_id": dataset_id}
                action = "add" if replaces is None else "replace"
                _audit(
                    connection, at=now, who=who, action=action, reason=reason, detail=detail, **ids
                )
        except _Duplicate as duplicate:
            return _duplicate_result(duplicate.dataset_id, n_rows)
        except sa.exc.IntegrityError:
            # Another process stored the same bytes between our check and our insert.
            with self._engine.connect() as connection:
                existing = _active_with_digest(connection, digest)
            if existing is None:
                raise
            return _duplicate_result(existing, n_rows)
        verb = "Stored" if replaces is None else f"Replaced dataset {replaces} with"
        return AddResult(
            "stored",
            dataset_id,
            n_rows,
            None,
            f"{verb} dataset {dataset_id} ({n_rows} rows from {file_name}).",
        )

    def _active_dataset(self, connection: Connection, dataset_id: int, by: Viewer | str) -> Any:
        row = connection.execute(
            sa.select(datasets).where(datasets.c.dataset_id == int(dataset_id))
        ).one_or_none()
        viewer = by if isinstance(by, Viewer) else None
        if row is None or (viewer is not None and not self._may_change(connection, row, viewer)):
            raise StoreError(f"There is no dataset {dataset_id} that you may change.")
        if row.status != "active":
            raise StoreError(f"Dataset {dataset_id} is already {row.status}; nothing was changed.")
        return row

    @staticmethod
    def _may_change(connection: Connection, row: Any, viewer: Viewer) -> bool:
        if viewer.role == "national":
            return True
        groups = connection.execute(
            sa.select(dataset_groups.c.hub, dataset_groups.c.work_group).where(
                dataset_groups.c.dataset_id == row.dataset_id
            )
        ).all()
        return bool(groups) and all(
            g.hub == viewer.hub and (viewer.role == "hub" or g.work_group in viewer.work_groups)
            for g in groups
        )

    def _payload_rows(
        self,
        kind: Kind,
        viewer: Viewer,
        academic_year: Filter,
        hub: Filter,
        ncp: Filter,
        synthetic: bool | None,
    ) -> tuple[list[_Loaded], pd.DataFrame]:
        """The chosen datasets and their rows this viewer may see, decoded into one frame."""
        _require_viewer(viewer)
        active = sa.and_(datasets.c.status == "active", datasets.c.kind == kind)
        wanted = sa.select(dataset_groups.c.dataset_id).where(
            *_scope(viewer), *_filters(academic_year, hub, ncp)
        )
        query = (
            sa.select(datasets.c.dataset_id, datasets.c.instrument)
            .where(active, datasets.c.dataset_id.in_(wanted))
            .order_by(datasets.c.dataset_id)
        )
        with self._engine.connect() as connection:
            if synthetic is None:
                real = connection.execute(
                    sa.select(datasets.c.dataset_id)
                    .where(
                        active,
                        ~datasets.c.synthetic,
                        datasets.c.dataset_id.in_(_visible_ids(viewer)),
                    )
                    .limit(1)
                ).first()
                synthetic = real is None
            if not synthetic:
                query = query.where(~datasets.c.synthetic)
            chosen = connection.execute(query).all()
            blobs = _fetch_payloads(connection, [row.dataset_id for row in chosen])
        rows = [_Loaded(row.dataset_id, row.instrument, blobs[row.dataset_id]) for row in chosen]
        frame = payload.decode(
            [(row.dataset_id, row.data) for row in rows],
            allowed=_row_scope(viewer, academic_year, hub, ncp),
        )
        return rows, frame


# ---------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class _Loaded:
    dataset_id: int
    instrument: dict[str, Any] | None
    data: bytes


def _fetch_payloads(connection: Connection, ids: Sequence[int]) -> dict[int, bytes]:
    """Payload bytes by dataset id.

    On PostgreSQL the bytes are fetched in binary format: the default text format sends bytea
    as hex, which doubles the transfer and costs more than decoding the Parquet itself.
    """
    if not ids:
        return {}
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        with driver.cursor(binary=True) as cursor:  # type: ignore[union-attr]
            cursor.execute(
                "SELECT dataset_id, data FROM payloads WHERE dataset_id = ANY(%s)", [list(ids)]
            )
            return {int(i): bytes(data) for i, data in cursor.fetchall()}
    query = sa.select(payloads.c.dataset_id, payloads.c.data).where(payloads.c.dataset_id.in_(ids))
    return {int(row.dataset_id): row.data for row in connection.execute(query)}


def _now() -> datetime:
    return datetime.now(UTC)


def _who(by: Viewer | str) -> str:
    name = by.name if isinstance(by, Viewer) else str(by)
    if not name.strip():
        raise StoreError("Please say who is making this change.")
    return name.strip()


def _role_changer(by: Viewer | str) -> str:
    if isinstance(by, Viewer) and by.role != "national":
        raise StoreError("Only a national user can change who may see what.")
    return _who(by)


def _required_reason(reason: str | None) -> str:
    if not reason or not str(reason).strip():
        raise StoreError("Please give a reason; it is kept in the audit log.")
    return str(reason).strip()


def _require_viewer(viewer: Viewer) -> None:
    if not isinstance(viewer, Viewer):
        raise TypeError("every read needs a Viewer (evaluation.access.Viewer)")


def _is_busy(exc: sa.exc.OperationalError) -> bool:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in ("40001", "40P01", "55P03"):
        return True
    text = str(exc.orig).lower()
    return "database is locked" in text or "database is busy" in text


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


def _set_status(
    connection: Connection,
    dataset_id: int,
    status: str,
    *,
    at: datetime,
    who: str,
    reason: str | None,
    replaced_by: int | None = None,
) -> None:
    """Retire an active dataset (withdrawn or replaced), recording who, when and why."""
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


def _audit(
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


def _active_with_digest(connection: Connection, digest: str) -> int | None:
    """The active dataset holding a file with this SHA-256, if any."""
    return connection.execute(
        sa.select(datasets.c.dataset_id).where(
            datasets.c.sha256 == digest, datasets.c.status == "active"
        )
    ).scalar()


def _invalid(report: Any, message: str, *, unreadable: bool = False) -> AddResult:
    return AddResult("invalid", None, report.n_rows, report, message, unreadable=unreadable)


def _duplicate_result(dataset_id: int, n_rows: int) -> AddResult:
    return AddResult(
        "duplicate",
        dataset_id,
        n_rows,
        None,
        f"This file is already stored as dataset {dataset_id}; nothing new was added.",
    )


def _read_source(source: Any, file_name: str | None) -> tuple[bytes | None, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), file_name or "upload"
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            return path.read_bytes(), file_name or path.name
        except OSError:
            return None, file_name or path.name  # validation reports it as unreadable
    for method in ("getvalue", "read"):
        if hasattr(source, method):
            data = getattr(source, method)()
            name = file_name or getattr(source, "name", None) or "upload"
            return (data.encode("utf-8") if isinstance(data, str) else bytes(data)), str(name)
    raise TypeError(f"cannot read an upload from {type(source).__name__}")


def _defaults_dict(defaults: Any) -> dict[str, Any]:
    if defaults is None:
        return {}
    if dataclasses.is_dataclass(defaults) and not isinstance(defaults, type):
        return {k: v for k, v in dataclasses.asdict(defaults).items() if v is not None}
    values = dict(defaults)
    return {key: value for key, value in values.items() if value is not None}


def _file_defaults(values: Mapping[str, Any]) -> Any:
    from evaluation.io.reader import FileDefaults

    return FileDefaults(**values)


def _rows_outside_scope(frame: pd.DataFrame, viewer: Viewer | None) -> list[int]:
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


def _scope_fix(viewer: Viewer | None) -> str:
    if viewer is None:
        return ""
    if viewer.role == "lead":
        groups = ", ".join(viewer.work_groups) or "none"
        return f"Upload only rows of {viewer.hub}, Work Groups: {groups}."
    return f"Upload only rows of {viewer.hub}."


def _prepare(
    frame: pd.DataFrame,
    *,
    kind: Kind,
    instrument: Instrument | None,
    defaults: Mapping[str, Any],
    secret: bytes,
) -> _Prepared:
    """Pseudonymise and keep only canonical columns; encode; list the row groups."""
    if frame.empty:
        raise StoreError("The file has no rows to store.")
    if kind == "survey":
        assert instrument is not None
        required: tuple[str, ...] = c.SURVEY_REQUIRED
        id_column = c.RESPONDENT_ID
        allowed: list[str] = [*c.SURVEY_KEY_COLUMNS, c.SOURCE_ROW, *instrument.item_ids]
        keep = [col for col in frame.columns if col in allowed or str(col).startswith(TEXT_PREFIX)]
    else:
        required = c.PUPIL_REQUIRED
        id_column = c.PUPIL_ID
        allowed = [*c.PUPIL_COLUMNS, c.WORK_GROUP, c.SOURCE_ROW]
        keep = [col for col in frame.columns if col in allowed]
    missing = [col for col in required if col not in frame.columns]
    if missing:
        raise StoreError(f"The {kind} data lack required column(s): {', '.join(missing)}.")
    dropped = tuple(str(col) for col in frame.columns if col not in keep)
    clean = frame.loc[:, keep].reset_index(drop=True)
    if kind == "pupil" and c.WORK_GROUP not in clean and defaults.get(c.WORK_GROUP):
        clean[c.WORK_GROUP] = str(defaults[c.WORK_GROUP])
    updates: dict[str, pd.Series] = {
        id_column: privacy.pseudonymise_series(clean[id_column], secret)
    }
    for column in clean.columns:
        if column in GROUP_COLUMNS:
            updates[column] = clean[column].astype("str")
        elif str(column).startswith(TEXT_PREFIX):
            updates[column] = privacy.scrub_emails(clean[column])
    clean = clean.assign(**updates)
    present = [col for col in GROUP_COLUMNS if col in clean.columns]
    counts = clean.groupby(present, dropna=False, sort=True).size().reset_index(name="n_rows")
    groups = []
    for record in counts.to_dict("records"):
        group: dict[str, Any] = {
            col: (None if pd.isna(record.get(col)) else str(record[col])) for col in GROUP_COLUMNS
        }
        group["n_rows"] = int(record["n_rows"])
        groups.append(group)
    return _Prepared(clean, payload.encode(clean), groups, dropped)


def _scope(viewer: Viewer) -> list[sa.ColumnElement[bool]]:
    """Conditions on dataset_groups for the rows this viewer may see."""
    if viewer.role == "national":
        return []
    conditions = [dataset_groups.c.hub == viewer.hub]
    if viewer.role == "lead":
        if viewer.work_groups:
            conditions.append(dataset_groups.c.work_group.in_(viewer.work_groups))
        else:
            conditions.append(sa.false())
    return conditions


def _visible_ids(viewer: Viewer) -> sa.Select:
    return sa.select(dataset_groups.c.dataset_id).where(*_scope(viewer))


def _values(value: Filter) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _filters(academic_year: Filter, hub: Filter, ncp: Filter) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    for column, value in (
        (dataset_groups.c.academic_year, academic_year),
        (dataset_groups.c.hub, hub),
        (dataset_groups.c.ncp, ncp),
    ):
        values = _values(value)
        if values is not None:
            conditions.append(column.in_(values))
    return conditions


def _row_scope(
    viewer: Viewer, academic_year: Filter, hub: Filter, ncp: Filter
) -> dict[str, tuple[str, ...] | None]:
    """The same scope and filters as :func:`_scope` + :func:`_filters`, applied to rows."""
    allowed: dict[str, tuple[str, ...] | None] = {
        c.ACADEMIC_YEAR: _values(academic_year),
        c.HUB: _values(hub),
        c.NCP: _values(ncp),
    }
    if viewer.role != "national":
        own = str(viewer.hub)
        hubs = allowed[c.HUB]
        allowed[c.HUB] = tuple(h for h in (hubs if hubs is not None else (own,)) if h == own)
    if viewer.role == "lead":
        allowed[c.WORK_GROUP] = tuple(viewer.work_groups)
    return allowed


def _instrument_json(instrument: Instrument | None) -> dict[str, Any] | None:
    if instrument is None:
        return None
    return {
        "name": instrument.name,
        "scale_min": instrument.scale_min,
        "scale_max": instrument.scale_max,
        "items": [dataclasses.asdict(item) for item in instrument.items],
        "labels": {key: list(value) for key, value in instrument.labels.items()},
    }


def _instrument_from_json(data: Mapping[str, Any]) -> Instrument:
    return Instrument(
        name=str(data["name"]),
        items=tuple(Item(**item) for item in data["items"]),
        scale_min=int(data["scale_min"]),
        scale_max=int(data["scale_max"]),
        labels={key: tuple(value) for key, value in data.get("labels", {}).items()},
    )


def _union_instrument(stored: Sequence[Mapping[str, Any] | None]) -> Instrument:
    instruments = [_instrument_from_json(data) for data in stored if data]
    if not instruments:
        return default_instrument()
    first = instruments[0]
    if all(inst == first for inst in instruments):
        return first
    items: dict[str, Item] = {}
    labels: dict[str, tuple[str, ...]] = {}
    for inst in instruments:
        for item in inst.items:
            items.setdefault(item.item, item)
        for key, value in inst.labels.items():
            labels.setdefault(key, value)
    names = list(dict.fromkeys(inst.name for inst in instruments))
    return Instrument(
        name=names[0] if len(names) == 1 else "combined",
        items=tuple(items.values()),
        scale_min=min(inst.scale_min for inst in instruments),
        scale_max=max(inst.scale_max for inst in instruments),
        labels=labels,
    )


def _empty_survey_frame(instrument: Instrument) -> pd.DataFrame:
    frame = pd.DataFrame({c.DATASET_ID: pd.Series(dtype="int64")})
    for column in c.SURVEY_KEY_COLUMNS:
        if column == c.SCHOOL_URN:
            frame[column] = pd.Series(dtype="Int64")
        elif column == c.SUBMITTED_AT:
            frame[column] = pd.Series(dtype="datetime64[ns]")
        else:
            frame[column] = pd.Series(dtype="str")
    frame[c.SOURCE_ROW] = pd.Series(dtype="int64")
    for item in instrument.item_ids:
        frame[item] = pd.Series(dtype="float64")
    return frame


def _empty_pupil_frame() -> pd.DataFrame:
    dtypes = {
        c.SCHOOL_URN: "Int64",
        c.YEAR_GROUP: "Int64",
        c.ASSESSED_ON: "datetime64[ns]",
        c.SCORE: "float64",
        c.DISADVANTAGED: "boolean",
        c.SEN: "boolean",
        c.EAL: "boolean",
    }
    frame = pd.DataFrame({c.DATASET_ID: pd.Series(dtype="int64")})
    for column in c.PUPIL_COLUMNS:
        frame[column] = pd.Series(dtype=dtypes.get(column, "str"))
    frame[c.SOURCE_ROW] = pd.Series(dtype="int64")
    return frame


LIST_COLUMNS = {
    "hubs": c.HUB,
    "ncps": c.NCP,
    "academic_years": c.ACADEMIC_YEAR,
    "phases": c.PHASE,
    "work_groups": c.WORK_GROUP,
}
DATASET_COLUMNS = (
    "dataset_id",
    "kind",
    "status",
    "synthetic",
    "n_rows",
    *LIST_COLUMNS,
    "file_name",
    "sha256",
    "uploader",
    "uploaded_at",
    "replaces",
    "replaced_by",
    "status_changed_at",
    "status_changed_by",
    "status_reason",
)


def _dataset_table(rows: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    if rows.empty:
        return pd.DataFrame(columns=list(DATASET_COLUMNS))
    rows = rows.drop(columns=["n_rows"]).set_index("dataset_id")
    if groups.empty:
        groups = pd.DataFrame(columns=["dataset_id", *GROUP_COLUMNS, "n_rows"])
    by_dataset = groups.groupby("dataset_id")
    summary = pd.DataFrame({"n_rows": by_dataset["n_rows"].sum()})
    for name, column in LIST_COLUMNS.items():
        summary[name] = by_dataset[column].agg(lambda s: sorted({str(v) for v in s.dropna()}))
    table = rows.join(summary, how="left").reset_index()
    table["n_rows"] = table["n_rows"].fillna(0).astype("int64")
    for name in LIST_COLUMNS:
        table[name] = [v if isinstance(v, list) else [] for v in table[name]]
    for column in ("uploaded_at", "status_changed_at"):
        table[column] = pd.to_datetime(table[column], utc=True)
    for column in ("replaces", "replaced_by"):
        table[column] = table[column].astype("Int64")
    table["synthetic"] = table["synthetic"].astype(bool)
    return table.loc[:, list(DATASET_COLUMNS)]
