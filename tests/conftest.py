"""Shared test fixtures and the Hypothesis profile."""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]

settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


# The longest test files, longest first (summed durations of a quiet run: 128 to 25 seconds):
# scripts/run-tests.sh hands out whole files (pytest-xdist --dist loadfile) in collection order,
# and one of these left for the end would keep the whole run waiting on one worker. Only the
# order of files changes, never the order of tests within a file; a name no longer collected does
# nothing.
RUN_FIRST = (
    "test_browser.py",
    "test_reports.py",
    "test_cli_store.py",
    "test_store.py",
    "test_pages.py",
    "test_cli_report.py",
    "test_results_store.py",
    "test_paired.py",
    "test_reconstruction.py",
    "test_scoping_pages.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Move the files of :data:`RUN_FIRST` to the front in its order, the rest keeping theirs."""
    rank = {name: place for place, name in enumerate(RUN_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(RUN_FIRST)))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Take everything loaded so far out of the garbage collector's sight (``gc.freeze``).

    After collection the process holds every imported library and every test item, alive until
    the end anyway; each full collection would walk all of them again. That is slow where a
    library calls ``gc.collect()`` itself (statsmodels' ``multipletests`` does, on every call:
    0.15 s each with the suite loaded). Objects the tests create are collected as before.
    """
    gc.collect()
    gc.freeze()


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


@pytest.fixture(scope="session")
def sample_inputs(sample_dir: Path):
    """The small sample's survey and pupil files read for a report, once per test process.

    Shared by every board-pack test; no test may change it (the frames are not copied).
    """
    from evaluation.presentation.reports import ReportInputs, inputs_from_files

    inputs = inputs_from_files([sample_dir / "surveys.csv", sample_dir / "pupils.csv"])
    assert isinstance(inputs, ReportInputs), inputs
    return inputs


@pytest.fixture(scope="session")
def sample_analysis(sample_inputs):
    """``analyse(sample_inputs)``, once per test process (packs built from it share its memo)."""
    from evaluation.presentation.reports import analyse

    return analyse(sample_inputs)


@pytest.fixture(scope="session")
def seeded_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An IMPACT_HOME whose default store holds the sample as the dashboard's first start left it.

    Made once per test process by the app's own first-start code (``open_store`` without its
    cache: open the default store, seed it, name the local user), because seeding takes seconds
    (validation, then the kept results). Tests that change the data copy the whole folder
    (``shutil.copytree``): the key file goes with the store, whose pseudonyms were made with it.
    Do not write here.
    """
    from app_support.store_access import open_store

    home = tmp_path_factory.mktemp("seeded_home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMPACT_HOME", str(home))
        for name in ("DATABASE_URL", "IMPACT_SEED_SAMPLE", "IMPACT_SECRET"):
            patch.delenv(name, raising=False)
        store = open_store.__wrapped__(f"home:{home}")
        assert not store.is_empty(), "the first start seeds the sample"
        store.close()  # closed, so the files hold the whole store
    return home


@pytest.fixture(scope="session")
def process_context():
    """How tests that race separate processes start them: forked from a clean server process.

    Python's "forkserver": one fresh interpreter (not a copy of this test process, which may hold
    open stores and Streamlit's state) imports the store and statistics once, then forks each
    child. The children are separate processes with their own connections and files, as with
    "spawn", but do not each spend seconds importing pandas, SciPy and the store.
    """
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(
        ["pytest", "evaluation.privacy", "evaluation.store", "evaluation.store.kept"]
    )
    return context


# ---------------------------------------------------------------------------------------------
# Store fixtures (engineer St): the same store tests run against SQLite and PostgreSQL.

POSTGRES_URL = os.environ.get(
    "IMPACT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def postgres_fix(reason: str, url: str) -> str:
    """The one command (or edit) that fixes why PostgreSQL refused a connection to ``url``.

    On the default local set-up ``bash scripts/run-tests.sh`` does every one of these itself.
    """
    import sqlalchemy as sa

    parsed = sa.make_url(url)
    host, port = parsed.host or "127.0.0.1", parsed.port or 5432
    user, database = parsed.username or "postgres", parsed.database or "test"
    clusters = sorted(
        (path for path in Path("/etc/postgresql").glob("*/main") if path.parent.name.isdigit()),
        key=lambda path: int(path.parent.name),
    )
    version = clusters[-1].parent.name if clusters else "<version>"
    text = reason.lower()
    if f'database "{database}" does not exist' in text:
        return f"create the database: `createdb -h {host} -p {port} -U {user} {database}`"
    if f'role "{user}" does not exist' in text:
        return f"create the role, as the postgres system user: `createuser -s {user}`"
    local = host in ("127.0.0.1", "localhost", "::1")
    if any(word in text for word in ("password", "authentication failed", "pg_hba.conf")):
        if not local:
            return f"check the user and password in IMPACT_TEST_POSTGRES_URL ({user}@{host})"
        loopback = "::1/128" if host == "::1" else "127.0.0.1/32"
        return (
            f"let the tests in without a password, from this machine only: as root, put the line "
            f"`host {database} {user} {loopback} trust` above the other rules of "
            f"/etc/postgresql/{version}/main/pg_hba.conf, then "
            f"`pg_ctlcluster --skip-systemctl-redirect {version} main reload`"
        )
    if not local:
        return f"check that the server at {host}:{port} is up (IMPACT_TEST_POSTGRES_URL names it)"
    if not clusters:
        return "install and start PostgreSQL with its test database: `bash scripts/run-tests.sh`"
    return (
        f"start the server, as root: `pg_ctlcluster --skip-systemctl-redirect {version} main start`"
        " (`bash scripts/run-tests.sh` also creates the test database if it is missing)"
    )


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@contextlib.contextmanager
def fresh_store_url(backend: str, directory: Path) -> Iterator[str]:
    """A database URL for a fresh, empty store: a SQLite file in ``directory``, or a new
    PostgreSQL schema.

    Each PostgreSQL store gets its own schema (dropped afterwards), so parallel runs and reruns
    never collide. An unreachable server fails the test: it never skips silently.
    """
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'impact.sqlite'}"
        return
    import uuid

    import sqlalchemy as sa

    schema = f"impact_test_{uuid.uuid4().hex[:12]}"
    missing = None
    try:
        admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    except ImportError as exc:
        missing = str(exc)
    if missing is not None:
        pytest.fail(
            f"The PostgreSQL driver is missing ({missing}). Fix: install it with "
            "`.venv/bin/python -m pip install -e '.[test]'`.",
            pytrace=False,
        )
    reason = None
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        reason = str(exc.orig).strip()
    if reason is not None:  # failed outside the except block: no chained traceback
        pytest.fail(
            f"PostgreSQL is not ready for the tests. Fix: {postgres_fix(reason, POSTGRES_URL)}.\n"
            f"({POSTGRES_URL} said: {reason})",
            pytrace=False,
        )
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for a fresh, empty store (:func:`fresh_store_url`), per test."""
    with fresh_store_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="module", params=BACKENDS)
def module_store_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """As ``store_url``, one per test module and backend: for a store built once, read only."""
    with fresh_store_url(request.param, tmp_path_factory.mktemp("module_store")) as url:
        yield url


@contextlib.contextmanager
def read_only_store(url: str, home: Path) -> Iterator:
    """A store a module fills once and its tests only read (``module_store_url``'s ``url``).

    Opened with its own IMPACT_HOME and no secret or URL from the environment; the caller fills
    it inside the ``with`` and then calls the yielded ``seal()``. Fails at the end if a test
    changed the store after it was sealed.
    """
    from evaluation.store import Store

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMPACT_HOME", str(home))
        patch.delenv("IMPACT_SECRET", raising=False)
        patch.delenv("DATABASE_URL", raising=False)
        with Store.open(url) as store:
            sealed: list = []
            yield store, lambda: sealed.append(store.version())
            assert sealed, "read_only_store: seal() was never called"
            assert store.version() == sealed[0], "a test changed the shared store"


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


# ---------------------------------------------------------------------------------------------
# Dashboard (Streamlit AppTest) fixtures.


@functools.cache
def _navigation_pages_manager() -> type:
    """Streamlit's PagesManager as the real server has it once app.py has called st.navigation.

    AppTest resets ``uses_pages_directory`` before every run, so with a ``pages/`` folder beside
    app.py its reruns take Streamlit's old folder-based path and run the page file without
    app.py (no sidebar, no filters). The server never does that: st.navigation turns the folder
    mode off for good on the first run. This class puts AppTest in the same state.
    """
    from streamlit.runtime.pages_manager import PagesManager

    class NavigationPagesManager(PagesManager):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    return NavigationPagesManager


@functools.cache
def _installed_components() -> tuple:
    """Streamlit's scan of the installed packages for components, made once per test process.

    Each new AppTest scans every installed distribution's metadata for custom components (about
    0.1 s of CPU each time); the installed packages do not change while the tests run.
    """
    from streamlit.components.v2 import manifest_scanner

    return tuple(manifest_scanner.scan_component_manifests())


@pytest.fixture
def empty_store(tmp_path, monkeypatch) -> str:
    """A store named by DATABASE_URL: not the default one, so the sample is not loaded."""
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    monkeypatch.setenv("IMPACT_HOME", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def app_like_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest as the dashboard's server runs it (navigation mode, see below), for page tests.

    Its ``PagesManager`` is the one the server has once ``st.navigation`` ran; the scan of
    installed Streamlit components is done once per process instead of once per AppTest.
    """
    import streamlit.testing.v1.app_test as app_test_module
    from streamlit.components.v2 import manifest_scanner

    monkeypatch.setattr(app_test_module, "PagesManager", _navigation_pages_manager())
    monkeypatch.setattr(
        manifest_scanner, "scan_component_manifests", lambda *a, **k: list(_installed_components())
    )


def _point_at_default_store(patch: pytest.MonkeyPatch, home: Path) -> None:
    """Make ``home`` the IMPACT_HOME of the app's default store (no DATABASE_URL, no reseed)."""
    patch.setenv("IMPACT_HOME", str(home))
    for name in ("DATABASE_URL", "IMPACT_SEED_SAMPLE", "IMPACT_SECRET"):
        patch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def _read_only_sample(seeded_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of :func:`seeded_home` (store and key file) that every :func:`sample_home` reads."""
    home = tmp_path_factory.mktemp("sample_home")
    shutil.copytree(seeded_home, home, dirs_exist_ok=True)
    return home


def _store_version() -> str:
    from evaluation.store import Store

    with Store.open() as store:
        return store.version()


@pytest.fixture(scope="module")
def sample_home(_read_only_sample: Path) -> Iterator[Path]:
    """The default store holding the sample, for tests that only read it.

    One store for the whole test process, so the dashboard's caches (keyed on the store's
    location and version) are shared by every module's tests, as a running dashboard shares
    them between visits: the sample's results are computed once, not once per module. A test
    that writes fails here, at the end of its module: it must take :func:`fresh_sample`.
    """
    with pytest.MonkeyPatch.context() as patch:
        _point_at_default_store(patch, _read_only_sample)
        before = _store_version()
        yield _read_only_sample
        after = _store_version()
    assert after == before, "a test changed the shared sample store: give it fresh_sample"


@pytest.fixture
def fresh_sample(seeded_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A default store of this test's own holding the sample (for tests that change the data).

    A copy of :func:`seeded_home` (store and key file, which go together): seeding it again for
    each test would take seconds. Its location is new, so no cached result of another store's
    is reused.
    """
    shutil.copytree(seeded_home, tmp_path, dirs_exist_ok=True)
    _point_at_default_store(monkeypatch, tmp_path)
    return tmp_path
