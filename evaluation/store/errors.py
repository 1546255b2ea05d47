"""Errors the store raises: a request it cannot carry out, or a store busy with another writer.

Their messages are plain English, shown to the user as they are.
"""

from __future__ import annotations

__all__ = ["ConfigurationError", "StoreBusy", "StoreError"]


class StoreError(Exception):
    """A request the store cannot carry out; the message is plain English for the user."""


class StoreBusy(StoreError):
    """Another upload held the store for too long; trying again shortly will work."""


class ConfigurationError(StoreError):
    """A setting is wrong (DATABASE_URL, IMPACT_HOME, the key file): the message names the setting
    and the fix, and is meant to be shown as it is."""
