"""The store the dashboard reads: where it lives, opened once per location, and its version.

Every cached loader is keyed on :func:`store_location` and :func:`data_version`.
"""

from __future__ import annotations

import getpass
import logging
import os
from typing import Any

import streamlit as st

from evaluation.store import Store

__all__ = [
    "data_version",
    "get_store",
    "local_user",
    "open_store",
    "store_location",
    "uses_default_store",
]

log = logging.getLogger("maths_hubs_impact.app")


def store_location() -> str:
    """Where the store lives, as far as the environment says (the cache key for the store)."""
    return os.environ.get("DATABASE_URL") or f"home:{os.environ.get('IMPACT_HOME', '')}"


def uses_default_store() -> bool:
    """True when no DATABASE_URL is set: the local SQLite store the app may seed."""
    return not os.environ.get("DATABASE_URL")


@st.cache_resource(show_spinner=False)
def open_store(location: str) -> Any:
    """The store at ``location``, opened once (seeded with the sample on a first local run)."""
    store = Store.open()
    may_seed = uses_default_store() and os.environ.get("IMPACT_SEED_SAMPLE", "1") != "0"
    if may_seed and store.is_empty():
        log.info("Empty default store at %s: loading the synthetic sample", location)
        store.seed_sample(by=f"{local_user()} (first start of the dashboard)")
    return store


def local_user() -> str:
    """The operating-system user running the dashboard: who the first-start sample load names."""
    try:
        return os.environ.get("USER") or getpass.getuser() or "local user"
    except Exception:  # getpass fails when no user name is known (some containers)
        return "local user"


def get_store() -> Any:
    """The store, opened once per location (and seeded with the sample on a first local run)."""
    return open_store(store_location())


def data_version() -> str:
    """The store's version: every cached loader is keyed on it, so new uploads show at once."""
    return str(get_store().version())
