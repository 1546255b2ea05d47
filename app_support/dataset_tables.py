"""The datasets list and the audit log as people read them: plain headers, lists as text.

Used by the Datasets page; the store returns the raw tables.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

__all__ = ["DATASET_COLUMNS", "audit_display", "dataset_display", "dataset_label"]

DATASET_COLUMNS = {
    "dataset_id": "Dataset",
    "kind": "Kind",
    "status": "Status",
    "synthetic": "Synthetic sample",
    "file_name": "File",
    "n_rows": "Rows",
    "hubs": "Hubs",
    "ncps": "Projects",
    "academic_years": "Years",
    "phases": "Pre/post",
    "work_groups": "Work Groups",
    "uploader": "Uploaded by",
    "uploaded_at": "Uploaded at (UTC)",
    "replaces": "Replaces",
    "replaced_by": "Replaced by",
    "status_changed_by": "Changed by",
    "status_reason": "Reason",
}


def _joined(values: object) -> str:
    if isinstance(values, list | tuple | set):
        return ", ".join(str(v) for v in values)
    return "" if values is None or (isinstance(values, float) and values != values) else str(values)


def dataset_display(table: pd.DataFrame) -> pd.DataFrame:
    """The datasets table with readable headers and list cells joined into text.

    Examples
    --------
    >>> listed = pd.DataFrame({"dataset_id": [1], "kind": ["pupil"], "hubs": [["A", "B"]]})
    >>> dataset_display(listed).to_dict("records")
    [{'Dataset': 1, 'Kind': 'Pupil scores', 'Hubs': 'A, B'}]
    """
    out = table[[col for col in DATASET_COLUMNS if col in table]].copy()
    for column in ("hubs", "ncps", "academic_years", "phases", "work_groups"):
        if column in out:
            out[column] = out[column].map(_joined)
    if "kind" in out:
        out["kind"] = out["kind"].map({"survey": "Teacher survey", "pupil": "Pupil scores"})
    return out.rename(columns=DATASET_COLUMNS)


def dataset_label(table: pd.DataFrame) -> Callable[[Any], str]:
    """A format_func naming a dataset by id, file, kind and size."""
    rows = table.set_index("dataset_id")

    def label(dataset_id: Any) -> str:
        row = rows.loc[dataset_id]
        kind = "survey" if row["kind"] == "survey" else "pupil scores"
        return f"#{dataset_id} {row['file_name']} ({kind}, {int(row['n_rows'])} rows)"

    return label


def audit_display(entries: pd.DataFrame) -> pd.DataFrame:
    """The audit log with readable headers; the detail column as text."""
    out = entries.copy()
    if "detail" in out:
        out["detail"] = out["detail"].map(
            lambda d: ", ".join(f"{k}: {v}" for k, v in d.items()) if isinstance(d, dict) else d
        )
    return out.rename(
        columns={
            "entry_id": "Entry",
            "at": "When (UTC)",
            "who": "Who",
            "action": "Action",
            "dataset_id": "Dataset",
            "new_dataset_id": "New dataset",
            "reason": "Reason",
            "detail": "Detail",
        }
    )
