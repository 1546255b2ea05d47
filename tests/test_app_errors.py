"""Tests for app_support.errors: a store error's own message reaches the page, not "Sorry"."""

from __future__ import annotations

from app_support.errors import FRIENDLY_MESSAGE, user_message
from evaluation.store import ConfigurationError, StoreError


def test_a_configuration_error_is_shown_as_its_own_message() -> None:
    problem = ConfigurationError(
        "Cannot reach the PostgreSQL server at db.example:5432 (DATABASE_URL)."
    )
    assert user_message("listing the datasets", problem) == str(problem)


def test_a_plain_store_error_is_shown_as_it_is() -> None:
    assert user_message("changing a dataset", StoreError("There is no dataset 7.")) == (
        "There is no dataset 7."
    )


def test_any_other_error_gets_the_generic_message() -> None:
    assert user_message("drawing", ValueError("x")) == FRIENDLY_MESSAGE.format(doing="drawing")
