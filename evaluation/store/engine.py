"""Where the store lives and how we connect: URL, engine settings, migrations, write transactions.

SQLite by default (a file under IMPACT_HOME), PostgreSQL when ``DATABASE_URL`` is set; the
dialect-specific parts of the store (locking, fetching payload bytes) live here.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Self

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from evaluation import privacy
from evaluation.store.errors import ConfigurationError, StoreBusy, StoreError
from evaluation.store.tables import datasets, payloads, store_state

__all__ = [
    "BUSY_TIMEOUT",
    "DATABASE_URL_ENV",
    "DEFAULT_FILE_NAME",
    "LOCK_TIMEOUT",
    "MIGRATIONS",
    "WRITE",
    "StoreBase",
    "configuration_error",
    "UnknownRevision",
    "current_revision",
    "default_url",
    "fetch_payloads",
    "head_revision",
    "is_busy",
    "known_revisions",
    "make_engine",
    "resolve_url",
    "upgrade",
    "write_transaction",
]

DATABASE_URL_ENV = "DATABASE_URL"
DEFAULT_FILE_NAME = "impact.sqlite"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# How long a writer waits for another writer before giving up (seconds).
BUSY_TIMEOUT = 30.0
# Execution option marking a connection that will write (SQLite: BEGIN IMMEDIATE).
WRITE = "impact_write"
# PostgreSQL: how long a writer waits for another before reporting that the store is busy.
LOCK_TIMEOUT = "30s"
# Seconds to wait for a PostgreSQL server before saying it cannot be reached.
CONNECT_TIMEOUT = 10
# Any fixed number: the PostgreSQL advisory lock taken while migrating.
_MIGRATION_LOCK = 7_405_511


def resolve_url(url: str | None = None) -> str:
    """The database URL to use: ``url``, else ``$DATABASE_URL``, else the default SQLite file.

    ``postgresql://`` and ``postgres://`` URLs are rewritten to use the psycopg 3 driver.

    Examples
    --------
    >>> resolve_url("postgresql://u@db.example/impact")
    'postgresql+psycopg://u@db.example/impact'
    >>> resolve_url("sqlite:///x.sqlite")
    'sqlite:///x.sqlite'
    """
    chosen = url or os.environ.get(DATABASE_URL_ENV) or default_url()
    for prefix in ("postgresql://", "postgres://"):
        if chosen.startswith(prefix):
            return "postgresql+psycopg://" + chosen[len(prefix) :]
    return chosen


def default_url() -> str:
    """``sqlite:///<IMPACT_HOME>/impact.sqlite`` (the directory is made when first connected).

    Examples
    --------
    >>> default_url().endswith("/impact.sqlite")
    True
    """
    return f"sqlite:///{(privacy.impact_home() / DEFAULT_FILE_NAME).resolve()}"


def make_engine(url: str) -> Engine:
    """An engine configured for the store (SQLite: WAL, foreign keys, busy timeout).

    SQLite's driver is told not to manage transactions, so that the store can say ``BEGIN
    IMMEDIATE`` for writes: a writer takes the write lock at the start, waits up to
    ``BUSY_TIMEOUT`` for another writer, and never fails half-way on an upgrade from read to write.

    Examples
    --------
    >>> engine = make_engine("sqlite://")
    >>> with engine.connect() as connection:
    ...     connection.exec_driver_sql("select 1").scalar()
    1
    """
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        arguments = {"connect_timeout": CONNECT_TIMEOUT} if "psycopg" in parsed.drivername else {}
        return sa.create_engine(url, pool_pre_ping=True, connect_args=arguments)
    database = parsed.database
    in_memory = not database or database == ":memory:"
    if in_memory:
        engine = sa.create_engine(
            url, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    else:
        _create_private_file(Path(str(database)).expanduser().resolve())
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if not in_memory:
            _set_wal(cursor)
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        writes = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    return engine


def _create_private_file(path: Path) -> None:
    """Create an empty SQLite file readable by its owner only (0600), unless it exists.

    SQLite gives its ``-wal`` and ``-shm`` files the database file's permissions, so they are
    private too. An empty file is a valid, empty SQLite database.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.chmod(path, 0o600)  # in case a umask or filesystem widened it


def _set_wal(cursor: sqlite3.Cursor) -> None:
    """Switch a SQLite file to write-ahead logging, waiting out another process doing the same.

    Changing the journal mode needs an exclusive lock for which SQLite does not call its busy
    handler, so two processes opening a new database together can get "database is locked" at
    once; retry for up to ``BUSY_TIMEOUT`` instead of failing.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT
    delay = 0.01
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def _alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _without_password(url: str) -> str:
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


def configuration_error(exc: BaseException, url: str) -> ConfigurationError | None:
    """The plain-English message for a store that cannot be opened because of a setting.

    Names the setting (``DATABASE_URL``, ``IMPACT_HOME``) and the fix: an unreachable server's
    host and port, the ``createdb`` command for a missing database, a folder that cannot be
    written. None when the error is not one of these.

    Examples
    --------
    >>> error = configuration_error(ValueError("invalid literal for int()"), "postgresql://h:x/d")
    >>> str(error).startswith("DATABASE_URL is not a database address")
    True
    >>> configuration_error(KeyError("x"), "sqlite://") is None
    True
    """
    shown = _without_password(url)
    if isinstance(exc, sa.exc.ArgumentError | ValueError | ModuleNotFoundError):
        return ConfigurationError(
            f"DATABASE_URL is not a database address this toolkit can use ({shown}: {exc}). "
            "Write it as postgresql://USER:PASSWORD@HOST:5432/DATABASE, or unset DATABASE_URL "
            "to use the local SQLite file."
        )
    try:
        parsed = sa.make_url(url)
    except Exception:  # the URL itself was the problem
        return None
    text = str(getattr(exc, "orig", None) or exc)
    if parsed.get_backend_name() == "sqlite":
        if isinstance(exc, OSError) or "unable to open" in text or "readonly" in text:
            folder = Path(str(parsed.database)).expanduser().resolve().parent
            return ConfigurationError(
                f"The store cannot be written in {folder} ({text.strip()}). Set IMPACT_HOME to "
                "a folder you can write to (it holds the SQLite store and the key file), or "
                "fix that folder's permissions."
            )
        return None
    if not isinstance(exc, sa.exc.OperationalError):
        return None
    host, port = parsed.host or "localhost", parsed.port or 5432
    missing = re.search(r'database "([^"]+)" does not exist', text)
    if missing:
        user = f" -U {parsed.username}" if parsed.username else ""
        return ConfigurationError(
            f'The database "{missing.group(1)}" does not exist on the PostgreSQL server at '
            f"{host}:{port}. Create it with: createdb -h {host} -p {port}{user} "
            f"{missing.group(1)} (or correct the database name in DATABASE_URL)."
        )
    if "password authentication failed" in text or ('role "' in text and "does not exist" in text):
        return ConfigurationError(
            f"The PostgreSQL server at {host}:{port} refused the user "
            f"{parsed.username or '(none)'}: check the user and password in DATABASE_URL."
        )
    unreachable = (
        "connection refused",
        "could not connect",
        "timeout expired",
        "failed to resolve host",
        "name or service not known",
        "no route to host",
        "connection to server",
    )
    if any(marker in text.lower() for marker in unreachable):
        return ConfigurationError(
            f"Cannot reach the PostgreSQL server at {host}:{port} (DATABASE_URL). Check that "
            "it is running and that the host and port in DATABASE_URL are right."
        )
    return None


class UnknownRevision(RuntimeError):
    """The database was migrated by a newer version of the toolkit than this one."""


@functools.cache
def known_revisions() -> frozenset[str]:
    """Every migration revision id this version of the toolkit ships.

    Examples
    --------
    >>> sorted(known_revisions())
    ['0001', '0002', '0003', '0005', '0006', '0007']
    """
    script = ScriptDirectory.from_config(_alembic_config())
    return frozenset(rev.revision for rev in script.walk_revisions())


@functools.cache
def head_revision() -> str:
    """The newest migration's revision id.

    Examples
    --------
    >>> head_revision()
    '0007'
    """
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database).

    Examples
    --------
    >>> current_revision(make_engine("sqlite://")) is None
    True
    """
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` in one transaction (no-op when already there).

    Concurrent callers are serialised (SQLite write lock, PostgreSQL advisory lock), so two
    processes opening a new database together create it once.

    Examples
    --------
    >>> engine = make_engine("sqlite://")
    >>> upgrade(engine)
    >>> current_revision(engine) == head_revision()
    True
    """
    target = head_revision() if revision == "head" else revision
    current = current_revision(engine)
    if current == target:
        return
    if current is not None and current not in known_revisions():
        raise UnknownRevision(
            f"This database is at schema version {current}, which this copy of the toolkit does "
            "not know: it was probably made by a newer version. Upgrade the toolkit to use it."
        )
    with engine.connect().execution_options(**{WRITE: True}) as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(
                sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
            )
        command.upgrade(_alembic_config(connection), target)


def is_busy(exc: sa.exc.OperationalError) -> bool:
    """True when a database error means another writer held a lock for too long.

    Examples
    --------
    >>> locked = sqlite3.OperationalError("database is locked")
    >>> is_busy(sa.exc.OperationalError("BEGIN IMMEDIATE", {}, locked))
    True
    """
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in ("40001", "40P01", "55P03"):
        return True
    text = str(exc.orig).lower()
    return "database is locked" in text or "database is busy" in text


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction: serialised with other writers, the store's version bumped first.

    Raises
    ------
    StoreBusy
        Another writer kept the store locked for longer than ``BUSY_TIMEOUT`` (SQLite) or
        ``LOCK_TIMEOUT`` (PostgreSQL).

    Examples
    --------
    >>> engine = make_engine("sqlite://")
    >>> upgrade(engine)
    >>> with write_transaction(engine) as connection:
    ...     connection.execute(sa.select(store_state.c.version)).scalar()
    1
    """
    try:
        with (
            engine.connect().execution_options(**{WRITE: True}) as connection,
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
        if is_busy(exc):
            raise StoreBusy(
                "The data store is busy with another upload. Please try again in a moment."
            ) from exc
        raise


def fetch_payloads(connection: Connection, ids: Sequence[int]) -> dict[int, bytes]:
    """Payload bytes by dataset id.

    On PostgreSQL the bytes are fetched in binary format: the default text format sends bytea
    as hex, which doubles the transfer and costs more than decoding the Parquet itself.

    Examples
    --------
    >>> engine = make_engine("sqlite://")
    >>> upgrade(engine)
    >>> with engine.connect() as connection:
    ...     fetch_payloads(connection, [1, 2])
    {}
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


class StoreBase:
    """What every part of the store shares: the engine, the secret key, write transactions.

    :class:`~evaluation.store.Store` adds ingest, scoped reads, roles and the audit log to it.
    """

    def __init__(self, engine: Engine, *, secret: bytes | None = None) -> None:
        self._engine = engine
        self._secret_value = secret

    @classmethod
    def open(cls, url: str | None = None, *, secret: bytes | None = None) -> Self:
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
        >>> from evaluation.store import Store
        >>> Store.open("sqlite://").is_empty()
        True
        """
        resolved = resolve_url(url)
        try:
            engine = make_engine(resolved)
        except Exception as exc:
            problem = configuration_error(exc, resolved)
            if problem is None:
                raise
            raise problem from exc
        try:
            upgrade(engine)
        except UnknownRevision as exc:
            engine.dispose()
            raise StoreError(str(exc)) from exc
        except Exception as exc:
            engine.dispose()
            problem = configuration_error(exc, resolved)
            if problem is None:
                raise
            raise problem from exc
        return cls(engine, secret=secret)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for tests and maintenance, not for pages)."""
        return self._engine

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def version(self) -> str:
        """A token that changes on every write: use it as a cache key.

        Examples
        --------
        >>> from evaluation.store import Store
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
        >>> from evaluation.store import Store
        >>> Store.open("sqlite://").is_empty()
        True
        """
        with self._engine.connect() as connection:
            count = connection.execute(sa.select(sa.func.count()).select_from(datasets)).scalar()
        return not count

    @property
    def _secret(self) -> bytes:
        if self._secret_value is None:
            try:
                self._secret_value = privacy.load_secret()
            except privacy.SecretKeyError as exc:
                raise ConfigurationError(str(exc)) from exc
        return self._secret_value

    def _write(self) -> contextlib.AbstractContextManager[Connection]:
        """One write transaction (see :func:`write_transaction`)."""
        return write_transaction(self._engine)
