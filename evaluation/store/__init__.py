"""The dataset store: uploads with provenance, audit log and scoped reads (SQLite or PostgreSQL).

``Store.open()`` creates or upgrades the database; see :mod:`evaluation.store.datasets`.
"""

from evaluation.store.datasets import AddResult, Store, StoreBusy, StoreError

__all__ = ["AddResult", "Store", "StoreBusy", "StoreError"]
