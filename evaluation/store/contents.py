"""What a stored dataset holds: the kept columns, pseudonymised rows, row counts per group, and
the survey instrument as JSON (and back).

Ingest turns a validated frame into this form; the reads turn it back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

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
    "Prepared",
    "instrument_from_json",
    "instrument_json",
    "prepare",
    "union_instrument",
]

Kind = Literal["survey", "pupil"]
# Columns that decide who may see a row and what a load may filter on.
GROUP_COLUMNS = (c.HUB, c.NCP, c.ACADEMIC_YEAR, c.PHASE, c.WORK_GROUP)
TEXT_PREFIX = "text_"


@dataclass(frozen=True)
class Prepared:
    """A frame ready to store.

    Attributes
    ----------
    frame : pandas.DataFrame
        The kept columns, identifiers pseudonymised, emails removed from open text.
    blob : bytes
        ``frame`` encoded by :func:`evaluation.store.payload.encode`.
    groups : list of dict
        One per distinct hub x NCP x year x phase x Work Group, with its ``n_rows``.
    dropped : tuple of str
        Columns not kept.
    """

    frame: pd.DataFrame
    blob: bytes
    groups: list[dict[str, Any]]
    dropped: tuple[str, ...]


def prepare(
    frame: pd.DataFrame,
    *,
    kind: Kind,
    instrument: Instrument | None,
    defaults: Mapping[str, Any],
    secret: bytes,
) -> Prepared:
    """Pseudonymise and keep only canonical columns; encode; list the row groups.

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
    if kind == "survey":
        assert instrument is not None
        required: tuple[str, ...] = c.SURVEY_REQUIRED
        id_column = c.RESPONDENT_ID
        allowed: list[str] = [*c.SURVEY_KEY_COLUMNS, c.SOURCE_ROW, *instrument.item_ids]
        keep = [col for col in frame.columns if col in allowed or str(col).startswith(TEXT_PREFIX)]
    else:
        required = c.PUPIL_REQUIRED
        id_column = c.PUPIL_ID
        allowed = [*c.PUPIL_COLUMNS, c.WORK_GROUP, c.SOURCE_ROW]
        keep = [col for col in frame.columns if col in allowed]
    missing = [col for col in required if col not in frame.columns]
    if missing:
        raise StoreError(f"The {kind} data lack required column(s): {', '.join(missing)}.")
    dropped = tuple(str(col) for col in frame.columns if col not in keep)
    clean = frame.loc[:, keep].reset_index(drop=True)
    if kind == "pupil" and c.WORK_GROUP not in clean and defaults.get(c.WORK_GROUP):
        clean[c.WORK_GROUP] = str(defaults[c.WORK_GROUP])
    updates: dict[str, pd.Series] = {
        id_column: privacy.pseudonymise_series(clean[id_column], secret)
    }
    for column in clean.columns:
        if column in GROUP_COLUMNS:
            updates[column] = clean[column].astype("str")
        elif str(column).startswith(TEXT_PREFIX):
            updates[column] = privacy.scrub_emails(clean[column])
    clean = clean.assign(**updates)
    present = [col for col in GROUP_COLUMNS if col in clean.columns]
    counts = clean.groupby(present, dropna=False, sort=True).size().reset_index(name="n_rows")
    groups = []
    for record in counts.to_dict("records"):
        group: dict[str, Any] = {
            col: (None if pd.isna(record.get(col)) else str(record[col])) for col in GROUP_COLUMNS
        }
        group["n_rows"] = int(record["n_rows"])
        groups.append(group)
    return Prepared(clean, payload.encode(clean), groups, dropped)


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
