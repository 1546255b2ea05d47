"""What a stored dataset holds: the kept columns, pseudonymised rows, row counts per group, and
the survey instrument as JSON (and back).

Ingest turns a validated frame into this form; the reads turn it back.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from evaluation import columns as c
from evaluation import privacy
from evaluation.instruments import Instrument, Item, default_instrument
from evaluation.store import payload
from evaluation.store.errors import StoreError

__all__ = [
    "GROUP_COLUMNS",
    "TEXT_PREFIX",
    "Kind",
    "NAME_REASON",
    "NOT_KEPT_REASON",
    "Prepared",
    "content_digest",
    "instrument_from_json",
    "instrument_json",
    "prepare",
    "row_groups",
    "union_instrument",
    "upload_bytes",
    "work_group_pseudonym",
]

Kind = Literal["survey", "pupil"]
# Columns that decide who may see a row and what a load may filter on.
GROUP_COLUMNS = (c.HUB, c.NCP, c.ACADEMIC_YEAR, c.PHASE, c.WORK_GROUP)
TEXT_PREFIX = "text_"
NAME_REASON = "personal data: people's names are never stored"
NOT_KEPT_REASON = "not a column the store keeps"
# Canonical columns checked against reference lists (never free text) and the identifier.
_CHECKED_COLUMNS = (c.HUB, c.NCP, c.ACADEMIC_YEAR, c.PHASE, c.RESPONDENT_ID, c.PUPIL_ID)


@dataclass(frozen=True)
class Prepared:
    """A frame ready to store.

    Attributes
    ----------
    frame : pandas.DataFrame
        The kept columns, identifiers pseudonymised, emails and phone numbers removed from
        every free-text column.
    blob : bytes
        ``frame`` encoded by :func:`evaluation.store.payload.encode`.
    groups : list of dict
        One per distinct hub x NCP x year x phase x Work Group, with its ``n_rows``.
    dropped : tuple of str
        Columns not kept.
    reasons : tuple of (str, str)
        Each dropped column with why (:data:`NAME_REASON` or :data:`NOT_KEPT_REASON`).
    content_digest : str
        :func:`content_digest` of ``frame``: equal for the same rows in any file format.
    """

    frame: pd.DataFrame
    blob: bytes
    groups: list[dict[str, Any]]
    dropped: tuple[str, ...]
    reasons: tuple[tuple[str, str], ...] = ()
    content_digest: str = ""


def prepare(
    frame: pd.DataFrame,
    *,
    kind: Kind,
    instrument: Instrument | None,
    defaults: Mapping[str, Any],
    secret: bytes,
) -> Prepared:
    """Pseudonymise, drop names, remove contact details, keep canonical columns; list the groups.

    A survey's open-text (``text_*``) or role column is dropped when its header asks for a name
    (:func:`evaluation.privacy.is_name_header`) or its answers look like people's names
    (:func:`evaluation.privacy.looks_like_person_names`). Emails and phone numbers are removed
    from every other free-text column; a Work Group written with contact details in it becomes
    its pseudonym (:func:`work_group_pseudonym`).

    Raises
    ------
    StoreError
        The frame is empty or lacks a required column.

    Examples
    --------
    >>> rows = pd.DataFrame({"pupil_id": ["p1", "p2"], "school_urn": [100001] * 2,
    ...     "hub": ["Solent Maths Hub"] * 2,
    ...     "ncp": ["Mastering Number at KS2"] * 2, "academic_year": ["2024/25"] * 2,
    ...     "phase": ["pre", "post"], "score": [20.0, 23.0], "teacher": ["Ann", "Ann"]})
    >>> prepared = prepare(rows, kind="pupil", instrument=None, defaults={}, secret=b"k")
    >>> prepared.dropped, [group["phase"] for group in prepared.groups]
    (('teacher',), ['post', 'pre'])
    """
    if frame.empty:
        raise StoreError("The file has no rows to store.")
    reasons: dict[str, str] = {}
    if kind == "survey":
        assert instrument is not None
        required: tuple[str, ...] = c.SURVEY_REQUIRED
        id_column = c.RESPONDENT_ID
        allowed: list[str] = [*c.SURVEY_KEY_COLUMNS, c.GROUP, c.SOURCE_ROW, *instrument.item_ids]
        keep = [col for col in frame.columns if col in allowed or str(col).startswith(TEXT_PREFIX)]
        for col in keep:
            if (str(col).startswith(TEXT_PREFIX) or col == c.ROLE) and (
                privacy.is_name_header(col) or privacy.looks_like_person_names(frame[col])
            ):
                reasons[str(col)] = NAME_REASON
        keep = [col for col in keep if str(col) not in reasons]
    else:
        required = c.PUPIL_REQUIRED
        id_column = c.PUPIL_ID
        allowed = [*c.PUPIL_COLUMNS, c.WORK_GROUP, c.GROUP, c.SOURCE_ROW]
        keep = [col for col in frame.columns if col in allowed]
    missing = [col for col in required if col not in frame.columns]
    if missing:
        raise StoreError(f"The {kind} data lack required column(s): {', '.join(missing)}.")
    for col in frame.columns:
        if col not in keep:
            reasons.setdefault(str(col), NOT_KEPT_REASON)
    dropped = tuple(str(col) for col in frame.columns if col not in keep)
    clean = frame.loc[:, keep].reset_index(drop=True)
    if kind == "pupil" and c.WORK_GROUP not in clean and defaults.get(c.WORK_GROUP):
        clean[c.WORK_GROUP] = str(defaults[c.WORK_GROUP])
    updates: dict[str, pd.Series] = {
        id_column: privacy.pseudonymise_series(clean[id_column], secret)
    }
    for column in clean.columns:
        if column == c.WORK_GROUP:
            updates[column] = _work_groups(clean[column], secret)
        elif column in GROUP_COLUMNS:
            updates[column] = clean[column].astype("str")
        elif column not in _CHECKED_COLUMNS and _is_text(clean[column]):
            updates[column] = privacy.scrub_contact_series(clean[column])
    clean = clean.assign(**updates)
    return Prepared(
        clean,
        payload.encode(clean),
        row_groups(clean),
        dropped,
        tuple((col, reasons[col]) for col in dropped),
        content_digest(clean),
    )


def _is_text(values: pd.Series) -> bool:
    return not (
        pd.api.types.is_numeric_dtype(values)
        or pd.api.types.is_bool_dtype(values)
        or pd.api.types.is_datetime64_any_dtype(values)
    )


def work_group_pseudonym(value: str, secret: bytes) -> str:
    """What is stored for a Work Group written with an email or phone number in it.

    ``wg-`` and the first 12 characters of its keyed hash: the same Work Group keeps one
    pseudonym across files, and the address is not kept.

    Examples
    --------
    >>> name = work_group_pseudonym("lead@school.org", b"k")
    >>> name.startswith("wg-"), len(name), name == work_group_pseudonym("LEAD@school.org", b"k")
    (True, 15, True)
    """
    return "wg-" + privacy.pseudonymise(value, secret)[:12]


def _work_groups(values: pd.Series, secret: bytes) -> pd.Series:
    text = values.astype("str")
    present = text.dropna().unique()
    mapping = {
        value: work_group_pseudonym(value, secret)
        for value in present
        if privacy.has_contact_details(value)
    }
    return text.map(lambda v: mapping.get(v, v)).astype("str") if mapping else text


def row_groups(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """One entry per distinct hub x NCP x year x phase x Work Group, with its ``n_rows``.

    Examples
    --------
    >>> row_groups(pd.DataFrame({"hub": ["A", "A", "B"], "phase": ["pre"] * 3}))[0]["n_rows"]
    2
    """
    present = [col for col in GROUP_COLUMNS if col in frame.columns]
    counts = frame.groupby(present, dropna=False, sort=True).size().reset_index(name="n_rows")
    groups = []
    for record in counts.to_dict("records"):
        group: dict[str, Any] = {
            col: (None if pd.isna(record.get(col)) else str(record[col])) for col in GROUP_COLUMNS
        }
        group["n_rows"] = int(record["n_rows"])
        groups.append(group)
    return groups


def content_digest(frame: pd.DataFrame) -> str:
    """A digest of a frame's rows that ignores how the file was written.

    Numbers are compared as numbers (``3`` equals ``3.0``), text as text, missing as missing;
    the order of columns and rows and the file row numbers (``source_row``) do not matter. The
    same rows saved as .xlsx, UTF-16 or with other line endings give the same digest.

    Examples
    --------
    >>> one = pd.DataFrame({"hub": ["A", "B"], "score": [1, 2], "source_row": [2, 3]})
    >>> two = pd.DataFrame({"score": [2.0, 1.0], "hub": ["B", "A"], "source_row": [9, 8]})
    >>> content_digest(one) == content_digest(two)
    True
    >>> content_digest(one) == content_digest(one.assign(score=[1, 3]))
    False
    """
    columns = sorted(str(col) for col in frame.columns if col not in (c.SOURCE_ROW, c.DATASET_ID))
    combined = np.zeros(len(frame), dtype="uint64")
    for column in columns:
        combined = combined * np.uint64(1_000_003) ^ _column_hashes(frame[column])
    digest = hashlib.sha256("\x1f".join(columns).encode("utf-8"))
    digest.update(np.sort(combined).tobytes())
    return digest.hexdigest()


def _column_hashes(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        normal = pd.Series(pd.to_numeric(values, errors="coerce"), dtype="float64")
        normal = normal.astype("object").where(normal.notna(), "\x00missing")
    elif pd.api.types.is_datetime64_any_dtype(values):
        normal = values.astype("object").where(values.notna(), "\x00missing").astype(str)
    else:
        normal = values.astype("object").where(values.notna(), "\x00missing").astype(str)
    return pd.util.hash_pandas_object(normal.reset_index(drop=True), index=False).to_numpy()


def instrument_json(instrument: Instrument | None) -> dict[str, Any] | None:
    """The instrument as JSON-ready data, stored with a survey dataset.

    Examples
    --------
    >>> instrument_from_json(instrument_json(default_instrument())) == default_instrument()
    True
    """
    if instrument is None:
        return None
    return {
        "name": instrument.name,
        "scale_min": instrument.scale_min,
        "scale_max": instrument.scale_max,
        "items": [dataclasses.asdict(item) for item in instrument.items],
        "labels": {key: list(value) for key, value in instrument.labels.items()},
    }


def instrument_from_json(data: Mapping[str, Any]) -> Instrument:
    """The instrument stored by :func:`instrument_json`.

    Examples
    --------
    >>> instrument_from_json(instrument_json(default_instrument())).name
    'default'
    """
    return Instrument(
        name=str(data["name"]),
        items=tuple(Item(**item) for item in data["items"]),
        scale_min=int(data["scale_min"]),
        scale_max=int(data["scale_max"]),
        labels={key: tuple(value) for key, value in data.get("labels", {}).items()},
    )


def union_instrument(stored: Sequence[Mapping[str, Any] | None]) -> Instrument:
    """One instrument covering several datasets' (first definition of an item wins).

    Examples
    --------
    >>> union_instrument([]) == default_instrument()
    True
    """
    instruments = [instrument_from_json(data) for data in stored if data]
    if not instruments:
        return default_instrument()
    first = instruments[0]
    if all(inst == first for inst in instruments):
        return first
    items: dict[str, Item] = {}
    labels: dict[str, tuple[str, ...]] = {}
    for inst in instruments:
        for item in inst.items:
            items.setdefault(item.item, item)
        for key, value in inst.labels.items():
            labels.setdefault(key, value)
    names = list(dict.fromkeys(inst.name for inst in instruments))
    return Instrument(
        name=names[0] if len(names) == 1 else "combined",
        items=tuple(items.values()),
        scale_min=min(inst.scale_min for inst in instruments),
        scale_max=max(inst.scale_max for inst in instruments),
        labels=labels,
    )


def upload_bytes(source: Any, file_name: str | None) -> tuple[bytes | None, str]:
    """An upload's bytes and its file name (None for a path that cannot be read).

    Parameters
    ----------
    source : bytes, path or file-like
        A file-like object (such as Streamlit's upload) is read whole.
    file_name : str, optional
        The original file name (defaults to the path's or the file object's name).

    Examples
    --------
    >>> upload_bytes(b"a,b", None)
    (b'a,b', 'upload')
    """
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), file_name or "upload"
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            return path.read_bytes(), file_name or path.name
        except OSError:
            return None, file_name or path.name  # validation reports it as unreadable
    for method in ("getvalue", "read"):
        if hasattr(source, method):
            data = getattr(source, method)()
            name = file_name or getattr(source, "name", None) or "upload"
            return (data.encode("utf-8") if isinstance(data, str) else bytes(data)), str(name)
    raise TypeError(f"cannot read an upload from {type(source).__name__}")
