"""Errors the store raises: a request it cannot carry out, a busy store, or a setting to fix.

Their messages are plain English, shown to the user as they are.
"""

from __future__ import annotations

__all__ = ["ConfigurationError", "StoreBusy", "StoreError"]


class StoreError(Exception):
    """A request the store cannot carry out; the message is plain English for the user."""


class StoreBusy(StoreError):
    """Another upload held the store for too long; trying again shortly will work."""


class ConfigurationError(StoreError):
    """A setting is wrong (DATABASE_URL, IMPACT_HOME, the key file).

    The message names the setting and the fix, and is shown to the user as it is.
    """
