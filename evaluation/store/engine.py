"""Where the store lives and how we connect: URL resolution, engine settings, migrations.

SQLite by default (a file under IMPACT_HOME), PostgreSQL when ``DATABASE_URL`` is set.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import time
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from evaluation.privacy import impact_home

DATABASE_URL_ENV = "DATABASE_URL"
DEFAULT_FILE_NAME = "impact.sqlite"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# How long a writer waits for another writer before giving up (seconds).
BUSY_TIMEOUT = 30.0
# Execution option marking a connection that will write (SQLite: BEGIN IMMEDIATE).
WRITE = "impact_write"
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
    return f"sqlite:///{(impact_home() / DEFAULT_FILE_NAME).resolve()}"


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
        return sa.create_engine(url, pool_pre_ping=True)
    database = parsed.database
    in_memory = not database or database == ":memory:"
    if in_memory:
        engine = sa.create_engine(
            url, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    else:
        Path(str(database)).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
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


class UnknownRevision(RuntimeError):
    """The database was migrated by a newer version of the toolkit than this one."""


@functools.cache
def known_revisions() -> frozenset[str]:
    """Every migration revision id this version of the toolkit ships.

    Examples
    --------
    >>> sorted(known_revisions())
    ['0001', '0002']
    """
    script = ScriptDirectory.from_config(_alembic_config())
    return frozenset(rev.revision for rev in script.walk_revisions())


@functools.cache
def head_revision() -> str:
    """The newest migration's revision id.

    Examples
    --------
    >>> head_revision()
    '0002'
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
