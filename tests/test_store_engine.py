"""Tests for configuration errors (issue 16, item 9): each names the setting and the fix.

An unreachable PostgreSQL server, a missing database, a malformed DATABASE_URL, an unwritable
IMPACT_HOME, an empty key file and an impossible dataset id each get their own message.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evaluation.access import Viewer
from evaluation.store import ConfigurationError, Store, StoreError
from evaluation.store.engine import configuration_error

ROWS = pd.DataFrame(
    {
        "respondent_id": ["a", "a"],
        "phase": ["pre", "post"],
        "academic_year": ["2024/25"] * 2,
        "hub": ["Solent Maths Hub"] * 2,
        "ncp": ["Mastering Number at KS2"] * 2,
        "conf_1": [2.0, 4.0],
    }
)


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPACT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("IMPACT_SECRET", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)


@pytest.mark.postgres
def test_an_unreachable_postgresql_server_is_named_by_host_and_port() -> None:
    with pytest.raises(ConfigurationError) as refused:
        Store.open("postgresql://postgres@127.0.0.1:5999/test")
    message = str(refused.value)
    assert "Cannot reach the PostgreSQL server at 127.0.0.1:5999" in message
    assert "DATABASE_URL" in message


@pytest.mark.postgres
def test_a_missing_database_gives_the_createdb_command() -> None:
    with pytest.raises(ConfigurationError) as refused:
        Store.open("postgresql://postgres@127.0.0.1:5432/impact_no_such_database")
    message = str(refused.value)
    assert 'database "impact_no_such_database" does not exist' in message
    assert "createdb -h 127.0.0.1 -p 5432 -U postgres impact_no_such_database" in message


@pytest.mark.parametrize(
    "url", ["postgresql://u:secret@db.example:port/impact", "not a url", "nosuchdb://x@h/d"]
)
def test_a_malformed_database_url_says_how_to_write_one(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ConfigurationError) as refused:
        Store.open()
    message = str(refused.value)
    assert message.startswith("DATABASE_URL is not a database address")
    assert "postgresql://USER:PASSWORD@HOST:5432/DATABASE" in message
    assert "secret" not in message  # a password is never echoed


def test_an_unwritable_impact_home_is_named_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    monkeypatch.setenv("IMPACT_HOME", str(blocked / "home"))
    with pytest.raises(ConfigurationError, match="Set IMPACT_HOME to a folder you can write to"):
        Store.open()


def test_an_empty_key_file_is_a_configuration_error_naming_the_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "secret.key").write_text("")
    with (
        Store.open(f"sqlite:///{tmp_path / 'db.sqlite'}") as store,
        pytest.raises(ConfigurationError, match=r"secret\.key is empty"),
    ):
        store.add_frame(ROWS, kind="survey")


def test_an_impossible_dataset_id_is_a_plain_no_such_dataset(store: Store) -> None:
    for change in (
        lambda: store.withdraw(99999999999999999999, reason="x", by="Nadia"),
        lambda: store.replace(99999999999999999999, b"x", by="Nadia"),
        lambda: store.withdraw(-1, reason="x", by=Viewer.national("Nadia")),
    ):
        with pytest.raises(StoreError, match=r"^There is no dataset -?\d+\.$"):
            change()


def test_other_errors_are_not_dressed_up_as_configuration_errors() -> None:
    assert configuration_error(KeyError("x"), "sqlite:///x.sqlite") is None
    assert configuration_error(RuntimeError("x"), "postgresql://h/d") is None
