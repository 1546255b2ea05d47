"""The dataset store: uploads with provenance, audit log and scoped reads (SQLite or PostgreSQL).

``Store.open()`` creates or upgrades the database. Where each job lives: ``engine`` (connection,
migrations, write transactions), ``ingest`` (adding, replacing, withdrawing), ``relabel``
(correcting whole-file values), ``contents`` (what a
stored dataset holds), ``scope`` (who may see what), ``reads``, ``roles``, ``audit``; ``store``
puts them together as :class:`Store`.
"""

from evaluation.store.contents import GROUP_COLUMNS, TEXT_PREFIX, Kind
from evaluation.store.engine import LOCK_TIMEOUT
from evaluation.store.errors import ConfigurationError, StoreBusy, StoreError
from evaluation.store.ingest import (
    SAMPLE_DIR,
    SAMPLE_FILES,
    AddResult,
    LabelConflict,
)
from evaluation.store.reads import DATASET_COLUMNS, LIST_COLUMNS
from evaluation.store.scope import Filter
from evaluation.store.store import Store

__all__ = [
    "DATASET_COLUMNS",
    "GROUP_COLUMNS",
    "LIST_COLUMNS",
    "LOCK_TIMEOUT",
    "SAMPLE_DIR",
    "SAMPLE_FILES",
    "TEXT_PREFIX",
    "AddResult",
    "ConfigurationError",
    "Filter",
    "Kind",
    "LabelConflict",
    "Store",
    "StoreBusy",
    "StoreError",
]
