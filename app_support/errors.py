"""Friendly errors: a page never shows a raw traceback, only what happened and details to send.

The full exception goes to the log; the page shows its type, message and last frame. A store
error (:class:`evaluation.store.StoreError`: a setting to fix, an unknown dataset, a busy store)
is shown as its own plain-English message, which says what to do.
"""

from __future__ import annotations

import functools
import logging
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

import streamlit as st

from evaluation.store import StoreError

__all__ = [
    "FRIENDLY_MESSAGE",
    "ROOT",
    "error_details",
    "friendly",
    "friendly_errors",
    "show_error",
    "user_message",
]

log = logging.getLogger("maths_hubs_impact.app")

P = ParamSpec("P")
R = TypeVar("R")

# The project root: error details name files relative to it.
ROOT = Path(__file__).resolve().parent.parent

FRIENDLY_MESSAGE = (
    "Sorry, something went wrong while {doing}. Your data are safe. Try changing the filters "
    "or reloading the page; if it keeps happening, send the details below to the support team."
)


def error_details(exc: BaseException) -> str:
    """A short description of an exception for the support team: type, message, where.

    Never the raw traceback: the last frame's file (relative to the project) and line only.

    Examples
    --------
    >>> error_details(ValueError("bad value"))
    'ValueError: bad value'
    """
    where = ""
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        try:
            file_name = str(Path(last.filename).resolve().relative_to(ROOT))
        except ValueError:
            file_name = Path(last.filename).name
        where = f"\nWhere: {file_name}, line {last.lineno} ({last.name})"
    message = str(exc).strip() or "(no message)"
    return f"{type(exc).__name__}: {message[:500]}{where}"


def user_message(doing: str, exc: BaseException) -> str:
    """What the page says about ``exc``: a store error's own message, else the generic one.

    Examples
    --------
    >>> user_message("listing the datasets", StoreError("There is no dataset 7."))
    'There is no dataset 7.'
    >>> user_message("listing the datasets", KeyError("x")).startswith("Sorry")
    True
    """
    if isinstance(exc, StoreError) and str(exc).strip():
        return str(exc).strip()
    return FRIENDLY_MESSAGE.format(doing=doing)


def show_error(doing: str, exc: BaseException) -> None:
    """Show a friendly message for ``exc`` with a details expander (logged in full)."""
    log.error("Error while %s", doing, exc_info=exc)
    st.error(user_message(doing, exc), icon=":material/error:")
    with st.expander("Details for the support team"):
        st.text(error_details(exc))


@contextmanager
def friendly_errors(doing: str) -> Iterator[None]:
    """Turn any exception in the block into a friendly message (Streamlit's stop/rerun pass).

    Examples
    --------
    ``with friendly_errors("drawing the hub overview"): ...``
    """
    try:
        yield
    except Exception as exc:  # a page must never show a raw traceback
        show_error(doing, exc)


def friendly(doing: str) -> Callable[[Callable[P, R]], Callable[P, R | None]]:
    """Decorator form of :func:`friendly_errors`; the function returns None after an error."""

    def decorate(func: Callable[P, R]) -> Callable[P, R | None]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
            with friendly_errors(doing):
                return func(*args, **kwargs)
            return None

        return wrapper

    return decorate
