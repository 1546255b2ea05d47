"""Recognising what each column of a file is: a canonical column, a survey question, open text or
a column we ignore (and why).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from evaluation import columns as c
from evaluation.instruments import Instrument, Item
from evaluation.io.headers import academic_year, header_meaning, norm_key, slug
from evaluation.io.likert import profile
from evaluation.io.platforms import export_platform, ignore_reason, platform_meaning
from evaluation.io.reader import RawTable
from schemas.reference import HEADER_ALIAS_TARGETS

__all__ = [
    "ITEM_SHARE",
    "Columns",
    "build_instrument",
    "classify",
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
            out.column_map[header] = "ignored: not a pupil data column we use"
            continue
        label_set, label_share, int_share = profile(raw.frame[position])
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
        else:
            name = _text_name(header)
            while name in out.texts:
                name = f"{name}_2"
            out.texts[name] = position
            out.column_map[header] = f"text:{name}"
    return out


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
