"""Recognising what each column of a file is: a canonical column, a survey question, open text or
a column we ignore (and why).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from evaluation import columns as c
from evaluation.instruments import Instrument, Item
from evaluation.io.headers import academic_year, header_meaning, norm_key, slug, value_meaning
from evaluation.io.likert import profile
from evaluation.io.platforms import export_platform, ignore_reason, platform_meaning
from evaluation.io.reader import RawTable
from evaluation.privacy import is_name_header, looks_like_person_names
from evaluation.validation.messages import (
    EMPTY_COLUMN_REASON,
    PUPIL_UNUSED_REASON,
    file_problem,
    read_by_values_note,
)
from evaluation.validation.report import Problem, short
from schemas.reference import HEADER_ALIAS_TARGETS

__all__ = [
    "ITEM_SHARE",
    "NAME_HEADER_REASON",
    "NAME_SAMPLE",
    "NAME_VALUES_REASON",
    "PERSONAL_DATA_MEANING",
    "Columns",
    "build_instrument",
    "classify",
    "ignored_columns",
    "match_item",
    "text_columns",
]

# An item is detected when at least this share of its answers are labels of one set (or 1-5).
ITEM_SHARE = 0.75


@dataclass
class Columns:
    """Positions of the file's columns by meaning."""

    canonical: dict[str, int] = field(default_factory=dict)  # canonical column -> position
    items: dict[str, int] = field(default_factory=dict)  # item id -> position
    item_sets: dict[str, str] = field(default_factory=dict)  # item id -> label set used
    texts: dict[str, int] = field(default_factory=dict)  # text_<slug> -> position
    column_map: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    detected: list[Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # about whole columns, found here


def match_item(key: str, instrument: Instrument | None) -> str | None:
    """The id of the instrument's question a heading key names (its id or its text), or None.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> match_item("i feel confident teaching mathematics to my class", default_instrument())
    'conf_1'
    """
    if instrument is None:
        return None
    for item in instrument.items:
        text = norm_key(item.text)
        if key == norm_key(item.item) or key == text:
            return item.item
        if len(text) >= 12 and text in key:
            return item.item
    return None


# Why a column that asks for, or holds, people's names is never read or stored (DESIGN §7).
PERSONAL_DATA_MEANING = "ignored: personal data"
NAME_HEADER_REASON = f"{PERSONAL_DATA_MEANING} (name)"
NAME_VALUES_REASON = f"{PERSONAL_DATA_MEANING} (its answers look like people's names)"
NAME_SAMPLE = 2_000


def _personal_names(raw: RawTable, header: str, position: int) -> str | None:
    """Why an open-text column is dropped as personal data, or None to keep it."""
    if is_name_header(header):
        return NAME_HEADER_REASON
    # A sample decides: a column of names shows it in its first answers (and a million-row
    # file is not converted to Python strings for it).
    if looks_like_person_names(raw.frame[position].dropna().head(NAME_SAMPLE)):
        return NAME_VALUES_REASON
    return None


def _text_name(header: str) -> str:
    """Column name for an open-text answer: ``text_<slug>`` (canonical names are kept)."""
    name = slug(header)
    return name if name.startswith("text_") else f"text_{name}"


def _holds_academic_years(values: pd.Series) -> bool:
    """True when a column's values are academic years (2024/25 or 2024), not year groups (4)."""

    def is_year(text: str) -> bool:
        return academic_year(text) is not None and (not text.isdigit() or len(text) == 4)

    sample = values.dropna().astype(str).str.strip().unique()[:50]
    return bool(len(sample)) and all(is_year(v) for v in sample)


def classify(
    raw: RawTable,
    kind: str,
    instrument: Instrument | None,
    overrides: Mapping[str, str] | None,
) -> Columns:
    """What each column of a file means: the user's corrections first, then the export
    platform's quirks, the header aliases, the instrument's questions and, for a survey, the
    answers a column holds (Likert answers make a question, anything else open text).
    """
    out = Columns()
    unread: list[int] = []  # columns not understood by their header: their values may tell
    overrides = {norm_key(k): v for k, v in (overrides or {}).items()}
    assert raw.frame is not None
    platform = export_platform(raw.header_rows)
    for position, header in enumerate(raw.headers):
        key = norm_key(header)
        target = overrides.get(key)
        if target is None:
            target = platform_meaning(header, platform) or header_meaning(header, kind)
        if target is None and kind == "survey":
            target = match_item(key, instrument)
        if target == c.YEAR_GROUP and _holds_academic_years(raw.frame[position]):
            target = c.ACADEMIC_YEAR  # a pupil file's "Year" column holding 2024/25
        if target == "ignore":
            out.column_map[header] = ignore_reason(header)
            continue
        if target in out.canonical or target in out.items:
            taken = raw.headers[out.canonical.get(target, out.items.get(target, 0))]
            out.column_map[header] = f"ignored: same meaning as column '{taken}'"
            continue
        if target is not None and target.startswith("text"):
            if (dropped := _personal_names(raw, header, position)) is not None:
                out.column_map[header] = dropped
                continue
            name = _text_name(header)
            out.texts[name] = position
            out.column_map[header] = f"text:{name}"
            continue
        if target is not None and (
            instrument is not None and target in instrument.item_ids or target == "item"
        ):
            item_id = target if target != "item" else slug(header)
            out.items[item_id] = position
            out.column_map[header] = item_id
            continue
        if target is not None and target in HEADER_ALIAS_TARGETS:
            out.canonical[target] = position
            out.column_map[header] = target
            continue
        if target is not None:  # an override we do not understand
            out.column_map[header] = f"ignored: unknown meaning '{target}'"
            continue
        if kind == "pupil":
            out.column_map[header] = PUPIL_UNUSED_REASON
            unread.append(position)
            continue
        label_set, label_share, int_share = profile(raw.frame[position])
        if label_share + int_share == 0 and raw.frame[position].isna().all():
            out.column_map[header] = EMPTY_COLUMN_REASON
            out.problems.append(file_problem("warning", "empty_column", column=header))
            continue
        if label_share + int_share >= ITEM_SHARE:  # labels and numbers 1-5 never overlap
            item_id = slug(header)
            while item_id in out.items or (
                instrument is not None and item_id in instrument.item_ids
            ):
                item_id = f"{item_id}_2"
            out.items[item_id] = position
            out.item_sets[item_id] = (
                label_set if label_set is not None and label_share >= int_share else "agreement"
            )
            out.detected.append(
                Item(
                    item=item_id,
                    text=header,
                    construct="overall",
                    label_set=out.item_sets[item_id],
                )
            )
            out.column_map[header] = item_id
        elif (dropped := _personal_names(raw, header, position)) is not None:
            out.column_map[header] = dropped
        else:
            name = _text_name(header)
            while name in out.texts:
                name = f"{name}_2"
            out.texts[name] = position
            out.column_map[header] = f"text:{name}"
            unread.append(position)
            if int_share:
                out.problems.extend(_numbers_off_scale(raw, position, instrument))
    _read_by_values(raw, out, unread)
    return out


def _read_by_values(raw: RawTable, out: Columns, positions: list[int]) -> None:
    """Give a column not understood by its header the meaning its values show (a hub, project,
    phase or year column under any header), and say so in the notes."""
    assert raw.frame is not None
    for position in positions:
        meaning = value_meaning(raw.frame[position], frozenset(out.canonical))
        if meaning is None:
            continue
        header = raw.headers[position]
        was = out.column_map[header]
        if was.startswith("text:"):
            del out.texts[was[len("text:") :]]
        out.canonical[meaning] = position
        out.column_map[header] = meaning
        out.notes.append(read_by_values_note(short(header, 80), meaning))


# Rows listed by number in a whole-column problem; more are counted.
LISTED_ROWS = 10


def _numbers_off_scale(
    raw: RawTable, position: int, instrument: Instrument | None
) -> list[Problem]:
    """A warning for a column of whole numbers that looks like a question's answers but has some
    outside the scale (so it is read as text), naming the rows; none for any other column."""
    assert raw.frame is not None
    values = raw.frame[position]
    if not is_numeric_dtype(values) or is_bool_dtype(values):
        values = pd.to_numeric(values, errors="coerce").where(values.notna())
        if values.notna().sum() != raw.frame[position].notna().sum():
            return []  # some answers are not numbers: open text
    numbers = values.to_numpy(dtype=float, na_value=np.nan)
    given = ~np.isnan(numbers)
    low, high = (instrument.scale_min, instrument.scale_max) if instrument else (1, 5)
    if not given.any() or np.any(numbers[given] % 1) or len(np.unique(numbers[given])) > 11:
        return []
    outside = given & ((numbers < low) | (numbers > high))
    if not outside.any():
        return []
    rows = raw.source_rows[outside]
    listed = ", ".join(str(int(r)) for r in rows[:LISTED_ROWS])
    if len(rows) > LISTED_ROWS:
        listed += f" and {len(rows) - LISTED_ROWS:,} more"
    return [
        file_problem(
            "warning",
            "numbers_off_scale",
            column=raw.headers[position],
            outside=int(outside.sum()),
            answered=int(given.sum()),
            low=low,
            high=high,
            rows=listed,
        )
    ]


def ignored_columns(column_map: Mapping[str, str]) -> list[dict[str, str]]:
    """Every column not used, with why: ``[{"column": header, "reason": why}]`` in file order.

    Examples
    --------
    >>> ignored_columns({"ID": "ignored: response number (not a person)", "Hub": "hub"})
    [{'column': 'ID', 'reason': 'response number (not a person)'}]
    """
    return [
        {"column": header, "reason": meaning.removeprefix("ignored").lstrip(": ")}
        for header, meaning in column_map.items()
        if meaning.startswith("ignored")
    ]


def build_instrument(columns: Columns, instrument: Instrument | None) -> Instrument | None:
    """The instrument of a file: the given one plus the questions detected in the file."""
    if instrument is not None:
        if columns.detected:
            return Instrument(
                name=instrument.name,
                items=(*instrument.items, *columns.detected),
                scale_min=instrument.scale_min,
                scale_max=instrument.scale_max,
                labels=instrument.labels,
            )
        return instrument
    if not columns.detected:
        return None
    return Instrument(name="from file", items=tuple(columns.detected))


# Columns whose cells must stay exactly as written (codes keep leading zeros); every other column
# may be read as numbers, which is much faster for a long file.
_TEXT_MEANINGS = frozenset(HEADER_ALIAS_TARGETS) - {c.SCHOOL_URN, c.SCORE, c.YEAR_GROUP, "ignore"}


def text_columns(kind: str, overrides: Mapping[str, str] | None) -> Callable[[str], bool]:
    """The rule telling the reader which headers hold text (codes, names, years)."""
    chosen = {norm_key(k): v for k, v in (overrides or {}).items()}

    def is_text(header: str) -> bool:
        meaning = chosen.get(norm_key(header)) or header_meaning(header, kind)
        return meaning is not None and (meaning in _TEXT_MEANINGS or meaning == "text")

    return is_text
