"""The dataset store as one object: ingest, scoped reads, roles and the audit log together.

Each part lives in its own module; :class:`Store` is what callers open.
"""

from __future__ import annotations

from evaluation.store.audit import AuditLog
from evaluation.store.codebooks import CodebookStore
from evaluation.store.ingest import Ingest
from evaluation.store.reads import Reads
from evaluation.store.relabel import Relabel
from evaluation.store.results import KeptResults
from evaluation.store.roles import Roles

__all__ = ["Store"]


class Store(Ingest, Relabel, Reads, KeptResults, Roles, CodebookStore, AuditLog):
    """Stored datasets with provenance, behind SQLAlchemy (SQLite file or PostgreSQL).

    Open with :meth:`open`, which creates or upgrades the database. Reads need a viewer and
    return only what that viewer may see; there is no unscoped read.

    Examples
    --------
    >>> import pandas as pd
    >>> from evaluation.access import Viewer
    >>> store = Store.open("sqlite://", secret=b"example key")
    >>> rows = pd.DataFrame({
    ...     "respondent_id": ["ab12", "ab12"], "phase": ["pre", "post"],
    ...     "academic_year": ["2024/25"] * 2, "hub": ["Solent Maths Hub"] * 2,
    ...     "ncp": ["Mastering Number at KS2"] * 2, "conf_1": [2.0, 4.0]})
    >>> store.add_frame(rows, kind="survey", file_name="wg1.csv").status
    'stored'
    >>> store.add_frame(rows, kind="survey", file_name="again.csv").status
    'duplicate'
    >>> frame, instrument = store.load_surveys(Viewer.national())
    >>> frame["conf_1"].tolist(), "ab12" in set(frame["respondent_id"])
    ([2.0, 4.0], False)
    >>> len(store.load_surveys(Viewer(role="hub", hub="Sussex Maths Hub"))[0])
    0
    """
