"""Alembic environment: runs migrations on the connection the store hands over.

Used programmatically (``config.attributes["connection"]``); with the ``alembic`` command line
it connects to ``sqlalchemy.url`` or, failing that, the store's default URL.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from evaluation.store import tables


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=tables.metadata,
        # SQLite does support transactional DDL; saying so keeps an upgrade all-or-nothing.
        transactional_ddl=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from evaluation.store.engine import make_engine, resolve_url

    engine = make_engine(resolve_url(config.get_main_option("sqlalchemy.url")))
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


# Importing this module outside Alembic (pytest's doctest collection does) must do nothing.
if hasattr(context, "config"):
    _main()
