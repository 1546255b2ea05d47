"""Shared test fixtures and the Hypothesis profile."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]

settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _keep_main_module():
    """Put ``__main__`` back after each test.

    Streamlit's AppTest runs the page as ``__main__`` and leaves it there; a later test that
    starts processes with the "spawn" method would then make every child re-run that page.
    """
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The committed small synthetic sample."""
    return ROOT / "sample_data" / "small"


# ---------------------------------------------------------------------------------------------
# Store fixtures (engineer St): the same store tests run against SQLite and PostgreSQL.

POSTGRES_URL = os.environ.get(
    "IMPACT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL for a fresh, empty store: a SQLite file, or a new PostgreSQL schema.

    Each PostgreSQL test gets its own schema (dropped afterwards), so parallel runs and reruns
    never collide. An unreachable server fails the test: it never skips silently.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'impact.sqlite'}"
        return
    import uuid

    import sqlalchemy as sa

    schema = f"impact_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_URL} ({exc.orig}). Start it with "
            "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`.",
            pytrace=False,
        )
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def store(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An open, empty store (both backends) with its own IMPACT_HOME and secret key file."""
    from evaluation.store import Store

    monkeypatch.setenv("IMPACT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("IMPACT_SECRET", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    opened = Store.open(store_url)
    yield opened
    opened.close()
