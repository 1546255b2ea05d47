"""Checking an uploaded survey or pupil file and saying, in plain English, what to fix and where.

Reads the file (evaluation.io.reader), works out what each column means, builds the canonical frame,
runs the Pandera schemas in ``schemas/`` and turns every failure into a :class:`Problem` that names
the spreadsheet row and the column as the user wrote it. Never raises on bad data.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as pa_arrow
import pyarrow.compute as pc
from pandas.api.types import (
    is_bool_dtype,
    is_integer_dtype,
    is_numeric_dtype,
    is_string_dtype,
)

from evaluation import columns as c
from evaluation.instruments import Instrument, Item, canonical_labels, default_instrument
from evaluation.io.headers import (
    academic_year,
    did_you_mean,
    header_meaning,
    hub_name,
    map_unique,
    ncp_name,
    norm_key,
    phase_name,
    slug,
)
from evaluation.io.likert import label_sets, profile, score_column
from evaluation.io.reader import FileDefaults, RawTable, read_table
from schemas.coding import arrow_text, distinct_values, value_codes
from schemas.pupil import MEASURE_RANGES, MTC, MTC_MAX, pupil_schema
from schemas.reference import HEADER_ALIAS_TARGETS
from schemas.survey import survey_schema

__all__ = [
    "CheckedFile",
    "FileDefaults",
    "Problem",
    "ValidationReport",
    "check",
    "check_pupils",
    "check_survey",
    "pairing_problems",
]

Source = bytes | str | os.PathLike
# At most this many problems of one kind in one column are listed row by row; the rest are counted.
MAX_PER_KIND = 50
VALUE_CHARS = 60
# An item is detected when at least this share of its answers are labels of one set (or 1-5).
ITEM_SHARE = 0.75
STRAIGHT_LINE_MIN_ITEMS = 4

# How a canonical column is named in a message to a user.
LABELS = {
    c.RESPONDENT_ID: "participant code",
    c.PHASE: "phase (pre or post)",
    c.ACADEMIC_YEAR: "academic year",
    c.HUB: "Maths Hub",
    c.NCP: "project (NCP)",
    c.WORK_GROUP: "Work Group",
    c.SCHOOL_URN: "school URN",
    c.PUPIL_ID: "pupil ID",
    c.SCORE: "score",
    c.YEAR_GROUP: "year group",
    c.MEASURE: "measure",
}
# The header we suggest when a required column is missing, and the matching CLI option.
SUGGESTED_HEADER = {
    c.PHASE: ("Phase", "--phase"),
    c.ACADEMIC_YEAR: ("Academic year", "--year"),
    c.HUB: ("Maths Hub", "--hub"),
    c.NCP: ("Project", "--ncp"),
    c.PUPIL_ID: ("Pupil ID", None),
    c.SCHOOL_URN: ("URN", None),
    c.SCORE: ("Score", None),
}
# Read on the upload page and on the command line alike, so it names both ways of choosing.
_FOR_WHOLE_FILE = "for the whole file when you upload it (command line: {option})."
DEFAULTABLE = (c.HUB, c.NCP, c.PHASE, c.ACADEMIC_YEAR, c.WORK_GROUP)
_NORMALISERS: dict[str, Callable[[object], str | None]] = {
    c.HUB: hub_name,
    c.NCP: ncp_name,
    c.PHASE: phase_name,
    c.ACADEMIC_YEAR: academic_year,
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong (error) or worth a look (warning) in an uploaded file.

    Attributes
    ----------
    severity : {"error", "warning"}
        Errors stop a file being stored; warnings do not.
    code : str
        Stable machine-readable kind, e.g. ``unknown_hub``, ``not_a_likert_answer``.
    row : int or None
        Spreadsheet row the user sees (header = row 1); None for whole-file problems.
    column : str or None
        The column header as written in the file.
    value : str or None
        The offending value as written (at most 60 characters).
    message : str
        What is wrong, in plain English.
    fix : str or None
        What to do about it, where we can say.
    """

    severity: Literal["error", "warning"]
    code: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    fix: str | None = None

    def describe(self) -> str:
        """One line for people: ``Row 7, column 'Maths Hub': ... Did you mean ...?``.

        Examples
        --------
        >>> problem = Problem("error", "unknown_hub", 7, "Maths Hub", "Solent Maths Hubb",
        ...                   "'Solent Maths Hubb' is not a Maths Hub.", "Did you mean 'Solent'?")
        >>> problem.describe()
        "Row 7, column 'Maths Hub': 'Solent Maths Hubb' is not a Maths Hub. Did you mean 'Solent'?"
        """
        where = []
        if self.row is not None:
            where.append(f"Row {self.row}")
        if self.column is not None:
            where.append(f"column '{_short(self.column, 80)}'")
        prefix = ", ".join(where)
        text = f"{prefix}: {self.message}" if prefix else self.message
        return f"{text} {self.fix}" if self.fix else text


@dataclass(frozen=True)
class ValidationReport:
    """Everything found wrong with one file.

    Examples
    --------
    >>> report = ValidationReport("survey", 3, (), ())
    >>> report.valid, report.to_dict()["n_rows"]
    (True, 3)
    """

    kind: Literal["survey", "pupil"]
    n_rows: int
    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()

    @property
    def valid(self) -> bool:
        """True when there are no errors (warnings allowed)."""
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        """``{"valid", "kind", "n_rows", "errors": [...], "warnings": [...]}``, JSON-ready."""

        def entries(problems: tuple[Problem, ...]) -> list[dict[str, Any]]:
            keys = ("row", "column", "value", "message", "fix")
            return [{k: getattr(p, k) for k in keys} for p in problems]

        return {
            "valid": self.valid,
            "kind": self.kind,
            "n_rows": int(self.n_rows),
            "errors": entries(self.errors),
            "warnings": entries(self.warnings),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per problem: severity, row, column, value, message, fix (errors first).

        Examples
        --------
        >>> ValidationReport("pupil", 0).to_frame().columns.tolist()
        ['severity', 'row', 'column', 'value', 'message', 'fix']
        """
        columns = ["severity", "row", "column", "value", "message", "fix"]
        rows = [[getattr(p, k) for k in columns] for p in (*self.errors, *self.warnings)]
        frame = pd.DataFrame(rows, columns=columns)
        frame["row"] = frame["row"].astype("Int64")
        return frame


@dataclass(frozen=True)
class CheckedFile:
    """The result of checking one file: the report, and the canonical frame when it could be read.

    Attributes
    ----------
    report : ValidationReport
    frame : DataFrame or None
        Canonical frame (rows kept even when invalid, for previews); None if unreadable.
    instrument : Instrument or None
        Survey items found (survey files only).
    column_map : dict
        Header as written -> what we understood (a canonical column, an item id, ``text:<name>``
        or ``ignored: <why>``).
    identifier : str or None
        Header used to match pre and post (participant code, else email); None => unpaired.
    notes : tuple of str
        Plain-English notes about how the file was read.
    """

    report: ValidationReport
    frame: pd.DataFrame | None
    instrument: Instrument | None = None
    column_map: dict[str, str] = field(default_factory=dict)
    identifier: str | None = None
    notes: tuple[str, ...] = ()


# --- small helpers -----------------------------------------------------------------------------


def _short(value: object, limit: int = VALUE_CHARS) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _show(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _short(value)


_ARROW_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)
# Bytes that may start or end a cell str.strip() would change: ASCII spaces and controls, and any
# byte of a non-ASCII character (a few of which are spaces).
_MAY_STRIP = np.zeros(256, dtype=bool)
_MAY_STRIP[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_MAY_STRIP[128:] = True


def _cell_starts(chunk: pa_arrow.Array) -> np.ndarray:
    """Where each cell of an Arrow string array starts in its data buffer, then where the last
    one ends (len + 1 byte offsets, read in place)."""
    _, offsets, _ = chunk.buffers()
    width = np.int64 if pa_arrow.types.is_large_string(chunk.type) else np.int32
    starts: np.ndarray = np.frombuffer(offsets, dtype=width)
    return starts[chunk.offset : chunk.offset + len(chunk) + 1]


def _already_tidy(values: pd.Series) -> bool:
    """True when no cell of an Arrow text column is empty or starts or ends with a space.

    Looks only at each cell's first and last byte, so it is several times faster than stripping.
    """
    data_of = arrow_text(values)
    if data_of is None:
        return False
    for chunk in data_of.chunks:
        data = chunk.buffers()[2]
        if len(chunk) == 0:
            continue
        starts = _cell_starts(chunk)
        first, after = starts[:-1], starts[1:]
        if chunk.null_count:
            given = pc.is_valid(chunk).to_numpy(zero_copy_only=False)
            first, after = first[given], after[given]
        if not len(first):
            continue
        if (after <= first).any() or data is None:  # an empty cell becomes missing
            return False
        text = np.frombuffer(data, dtype=np.uint8)
        if _MAY_STRIP[text[first]].any() or _MAY_STRIP[text[after - 1]].any():
            return False
    return True


def _blank_to_na(values: pd.Series) -> pd.Series:
    """Text with surrounding spaces removed and empty cells missing (numbers become text)."""
    if values.dtype == _ARROW_TEXT and _already_tidy(values):
        return values
    if not (is_string_dtype(values) or values.dtype == object):
        values = values.map(_show, na_action="ignore")
    stripped = values.astype("str").str.strip()
    return stripped.where(stripped != "", None)


def _in_order(problems: list[Problem], headers: tuple[str, ...] = ()) -> tuple[Problem, ...]:
    """Whole-file problems first, then by spreadsheet row, then left to right."""
    position = {h: i for i, h in enumerate(headers)}
    return tuple(
        sorted(
            problems,
            key=lambda p: (
                p.row is not None,
                p.row or 0,
                position.get(p.column or "", len(position)),
            ),
        )
    )


class _Collector:
    """Gathers problems, listing at most MAX_PER_KIND per (code, column) row by row."""

    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def report(
        self, kind: Literal["survey", "pupil"], n_rows: int, headers: tuple[str, ...] = ()
    ) -> ValidationReport:
        return ValidationReport(
            kind, n_rows, _in_order(self.errors, headers), _in_order(self.warnings, headers)
        )

    def add(self, problem: Problem) -> None:
        (self.errors if problem.severity == "error" else self.warnings).append(problem)

    def rows(
        self,
        severity: Literal["error", "warning"],
        code: str,
        rows: np.ndarray,
        column: str | None,
        values: list[object] | np.ndarray,
        message: Callable[[object], str],
        fix: str | Callable[[object], str | None] | None,
    ) -> None:
        """One problem per row (the first MAX_PER_KIND), then one line counting the rest."""
        n = len(rows)
        for row, value in zip(rows[:MAX_PER_KIND], values[:MAX_PER_KIND], strict=False):
            self.add(
                Problem(
                    severity,
                    code,
                    int(row),
                    column,
                    _show(value),
                    message(value),
                    fix(value) if callable(fix) else fix,
                )
            )
        if n > MAX_PER_KIND:
            self.add(
                Problem(
                    severity,
                    code,
                    None,
                    column,
                    None,
                    f"{n - MAX_PER_KIND:,} more rows have the same problem (first rows listed).",
                    fix if isinstance(fix, str) else None,
                )
            )


def _unreadable_result(kind: str, reason: str) -> CheckedFile:
    problem = Problem("error", "unreadable", None, None, None, reason, None)
    return CheckedFile(report=ValidationReport(kind, 0, (problem,)), frame=None)  # type: ignore[arg-type]


# --- what each column means --------------------------------------------------------------------


@dataclass
class _Columns:
    """Positions of the file's columns by meaning."""

    canonical: dict[str, int] = field(default_factory=dict)  # canonical column -> position
    items: dict[str, int] = field(default_factory=dict)  # item id -> position
    item_sets: dict[str, str] = field(default_factory=dict)  # item id -> label set used
    texts: dict[str, int] = field(default_factory=dict)  # text_<slug> -> position
    column_map: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    detected: list[Item] = field(default_factory=list)


_IGNORE_REASONS = {
    "id": "ignored: response number (not a person)",
    "respondent id": "ignored: response number (not a person)",
    "name": "ignored: personal data (name)",
    "your name": "ignored: personal data (name)",
    "full name": "ignored: personal data (name)",
    "first name": "ignored: personal data (name)",
    "last name": "ignored: personal data (name)",
    "surname": "ignored: personal data (name)",
}


def _match_item(key: str, instrument: Instrument | None) -> str | None:
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


def _classify(
    raw: RawTable,
    kind: str,
    instrument: Instrument | None,
    overrides: Mapping[str, str] | None,
) -> _Columns:
    out = _Columns()
    overrides = {norm_key(k): v for k, v in (overrides or {}).items()}
    assert raw.frame is not None
    surveymonkey = raw.header_rows == 2
    for position, header in enumerate(raw.headers):
        key = norm_key(header)
        target = overrides.get(key)
        if target is None:
            target = header_meaning(header, kind)
            if surveymonkey and key in ("respondent id", "collector id"):
                target = "ignore"
        if target is None and kind == "survey":
            target = _match_item(key, instrument)
        if target == c.YEAR_GROUP and _holds_academic_years(raw.frame[position]):
            target = c.ACADEMIC_YEAR  # a pupil file's "Year" column holding 2024/25
        if target == "ignore":
            out.column_map[header] = _IGNORE_REASONS.get(key, "ignored: export metadata")
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


def _build_instrument(columns: _Columns, instrument: Instrument | None) -> Instrument | None:
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


# --- column conversions ------------------------------------------------------------------------


_YEAR_FIRST = re.compile(r"\s*\d{4}[-/.]")
_ZONE = re.compile(r"\s*(?:GMT|UTC|BST|Z)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?$", re.IGNORECASE)


def _one_datetime(text: str, dayfirst: bool) -> pd.Timestamp:
    """One date-time in local clock time (a zone suffix such as 'GMT+1' is dropped)."""
    try:
        year_first = _YEAR_FIRST.match(text) is not None  # 2024-09-14 is never 9 December
        with warnings.catch_warnings():  # "12/25/2024" in a UK file: read as it can only be
            warnings.simplefilter("ignore", UserWarning)
            stamp = pd.to_datetime(_ZONE.sub("", text), dayfirst=dayfirst and not year_first)
    except (ValueError, TypeError, OverflowError):
        return pd.NaT
    return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp


# Each byte of "2024-09-14 10:05:00" minus _ISO_LOW is at most _ISO_SPAN (the middle is checked
# apart: a space or "T").
_ISO_LOW = np.frombuffer(b"0000-00-00 00:00:00", dtype=np.uint8)
_ISO_SPAN = np.array([9, 9, 9, 9, 0, 9, 9, 0, 9, 9, 255, 9, 9, 0, 9, 9, 0, 9, 9], dtype=np.uint8)
_ISO_LENGTH = 19


def _exact_iso(text: pd.Series) -> pd.Series | None:
    """Every date-time when each non-empty cell is exactly ``YYYY-MM-DD HH:MM:SS`` (or with "T")
    and a real date and time, else None: read from the bytes, far faster than pandas.
    """
    arrow = pa_arrow.array(text)
    if isinstance(arrow, pa_arrow.ChunkedArray):
        arrow = arrow.combine_chunks()
    if not (pa_arrow.types.is_string(arrow.type) or pa_arrow.types.is_large_string(arrow.type)):
        return None
    given = arrow.drop_null()
    if not len(given) or pc.any(pc.not_equal(pc.binary_length(given), _ISO_LENGTH)).as_py():
        return None
    data = given.buffers()[2]
    if data is None:
        return None
    starts = _cell_starts(given)
    chars = np.frombuffer(data, dtype=np.uint8)[starts[0] : starts[-1]].reshape(-1, _ISO_LENGTH)
    middle = chars[:, 10]
    if not (
        ((chars - _ISO_LOW) <= _ISO_SPAN).all()  # digits and separators in place (wraps below)
        and ((middle == ord(" ")).all() or (middle == ord("T")).all())
    ):
        return None
    try:  # NumPy parses this exact layout itself and refuses e.g. 31 February or 24:00
        stamps = chars.view(f"S{_ISO_LENGTH}").ravel().astype("datetime64[us]")
    except ValueError:
        return None
    if len(stamps) and stamps.min() < np.datetime64("0001-01-01"):  # year 0000 is not a date
        return None
    out = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[us]")
    out[text.notna().to_numpy()] = stamps
    return pd.Series(out, index=text.index)


def _date_layouts(dayfirst: bool) -> list[str]:
    """Layouts of date-times as spreadsheets and survey tools write them, in one day order."""
    layouts = ["ISO8601"]
    for sep in "/-.":
        day_month = f"%d{sep}%m" if dayfirst else f"%m{sep}%d"
        for year in ("%Y", "%y"):
            for clock in (" %H:%M:%S", " %H:%M", ""):
                layouts.append(f"{day_month}{sep}{year}{clock}")
    return layouts


def _in_layout(text: pd.Series, layout: str) -> pd.Series:
    """pandas' reading of text in one layout (NaT where it does not fit), in local clock time."""
    try:
        found = pd.to_datetime(text, format=layout, errors="coerce")
    except (ValueError, TypeError):  # e.g. mixed time zones
        return pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    if getattr(found.dt, "tz", None) is not None:
        found = found.dt.tz_localize(None)
    return found.astype("datetime64[us]")


def _common_layouts(text: pd.Series, dayfirst: bool) -> pd.Series:
    """Date-times of text in ISO or a common day/month/year layout, NaT for the rest.

    Vectorised: the layout that reads most of a sample is applied to every value still unread,
    then the next, so a national export's million distinct time stamps take one pass.

    Examples
    --------
    >>> _common_layouts(pd.Series(["14/09/2024 10:05", "1/2/24", "14 Sept", None]), True).tolist()
    [Timestamp('2024-09-14 10:05:00'), Timestamp('2024-02-01 00:00:00'), NaT, NaT]
    """
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    todo = text.notna().to_numpy(copy=True)
    layouts = _date_layouts(dayfirst)
    while todo.any() and layouts:
        rows = np.flatnonzero(todo)
        sample = text.iloc[rows[:_LAYOUT_SAMPLE]]
        fits = [int(_in_layout(sample, layout).notna().sum()) for layout in layouts]
        if max(fits) == 0:
            break
        layout = layouts.pop(int(np.argmax(fits)))
        found = _in_layout(text.iloc[rows], layout)
        hit = found.notna().to_numpy()
        out.iloc[rows[hit]] = found.to_numpy()[hit]
        todo[rows[hit]] = False
    return out


_LAYOUT_SAMPLE = 200
_DAY_MONTH = r"^(?P<first>\d{1,2})[/.-](?P<second>\d{1,2})"


def _day_first(text: pd.Series) -> bool:
    """UK order (day first) unless some value can only be US order (a day above 12 second)."""
    parts = pc.extract_regex(pa_arrow.array(text.astype("str")), _DAY_MONTH)
    first = pc.cast(pc.struct_field(parts, "first"), pa_arrow.int32())
    second = pc.cast(pc.struct_field(parts, "second"), pa_arrow.int32())
    first_big = bool(pc.any(pc.greater(first, 12)).as_py())
    second_big = bool(pc.any(pc.greater(second, 12)).as_py())
    return first_big or not second_big


def _parse_datetimes(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Datetimes from text in ISO, UK or US order; returns (datetimes, unparseable mask)."""
    if isinstance(values.dtype, pd.StringDtype):  # exact cells need no stripping
        exact = _exact_iso(values.reset_index(drop=True))
        if exact is not None:
            return exact, np.zeros(len(values), dtype=bool)
    text = _blank_to_na(values).reset_index(drop=True)
    codes, uniques = pd.factorize(text)  # each distinct time stamp is read once
    distinct = pd.Series(uniques, dtype="str")
    dayfirst = _day_first(distinct)
    found = _common_layouts(distinct, dayfirst)
    odd = found.isna().to_numpy()  # month names, time zones, ...: one at a time
    found[odd] = [_one_datetime(v, dayfirst) for v in distinct[odd]]
    stamps = np.append(found.to_numpy(dtype="datetime64[us]"), np.datetime64("NaT", "us"))
    parsed = pd.Series(stamps[codes], index=text.index)  # code -1 (blank) -> NaT
    bad = (text.notna() & parsed.isna()).to_numpy()
    return parsed, bad


def _integers(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Whole numbers from text ("123456", "123456.0"); returns (Int64, not-a-whole-number mask)."""
    if is_integer_dtype(values) and not is_bool_dtype(values):  # read as whole numbers already
        return values.astype("Int64"), np.zeros(len(values), dtype=bool)
    if is_numeric_dtype(values):
        numbers = values.astype(float)
        given = values.notna()
    else:
        text = _blank_to_na(values)
        numbers = pd.to_numeric(text, errors="coerce").astype(float)
        given = text.notna()
    bad = (given & (numbers.isna() | (numbers % 1 != 0))).to_numpy()
    whole = numbers.where(~bad & numbers.notna())
    return whole.round().astype("Int64"), bad


_YEAR_GROUP_WORDS = {"r": 0, "reception": 0, "rec": 0, "n": -1, "nursery": -1}


def _year_group(value: object) -> int | None:
    key = norm_key(value)
    if key in _YEAR_GROUP_WORDS:
        return _YEAR_GROUP_WORDS[key]
    for prefix in ("year ", "yr ", "y"):
        if key.startswith(prefix):
            key = key[len(prefix) :].strip()
    try:
        number = float(key.replace(" ", "."))
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


_FLAGS = {
    "y": True,
    "yes": True,
    "true": True,
    "1": True,
    "t": True,
    "n": False,
    "no": False,
    "false": False,
    "0": False,
    "f": False,
}


def _flag(value: object) -> bool | None:
    return _FLAGS.get(norm_key(value))


_SEX = {"m": "M", "male": "M", "boy": "M", "f": "F", "female": "F", "girl": "F"}


# --- the shared part of both checks ------------------------------------------------------------


class _Context:
    """State of one check: the raw table, the columns understood, problems found so far."""

    def __init__(self, raw: RawTable, columns: _Columns, kind: str) -> None:
        assert raw.frame is not None
        self.raw = raw
        self.columns = columns
        self.kind = kind
        self.problems = _Collector()
        self.rows = raw.source_rows
        self.n = len(raw.frame)
        self.skip: list[str] = []  # required columns reported missing once
        # Rows whose value in a column was already reported as unreadable (now missing), so
        # the schema's "missing value" is not reported again for them.
        self.reported: dict[str, np.ndarray] = {}
        # canonical/item column -> header as written
        self.written: dict[str, str | None] = {
            meaning: header
            for header, meaning in columns.column_map.items()
            if not meaning.startswith(("ignored", "text:"))
        }

    def mark_reported(self, column: str, mask: np.ndarray) -> None:
        self.reported[column] = mask

    def header(self, column: str) -> str | None:
        return self.written.get(column)

    def raw_values(self, column: str) -> pd.Series | None:
        position = self.columns.canonical.get(column, self.columns.items.get(column))
        if position is None:
            return None
        assert self.raw.frame is not None
        return self.raw.frame[position]

    def blank(self, dtype: str) -> pd.Series:
        """An all-missing column, for a column the file does not have."""
        return pd.Series(None, index=range(self.n), dtype=dtype)

    def as_written(self, frame: pd.DataFrame, column: str, index: np.ndarray) -> np.ndarray:
        """A column's values at frame positions ``index`` as written (else as in the frame)."""
        raw = self.raw_values(column)
        return (raw if raw is not None else frame[column]).to_numpy()[index]

    def flag(
        self,
        severity: Literal["error", "warning"],
        code: str,
        bad: np.ndarray,
        column: str | None,
        values: pd.Series | np.ndarray | None,
        message: Callable[[object], str],
        fix: str | Callable[[object], str | None] | None,
    ) -> None:
        """One problem per row where ``bad`` is True, showing ``values`` (one per file row)."""
        index = np.flatnonzero(bad)
        if not len(index):
            return
        shown: list[object] | np.ndarray = [None] * len(index)
        if values is not None:
            shown = (values.to_numpy() if isinstance(values, pd.Series) else values)[index]
        self.problems.rows(severity, code, self.rows[index], column, shown, message, fix)

    def optional(
        self, column: str, convert: Callable[[pd.Series], pd.Series], dtype: str = "str"
    ) -> pd.Series:
        """``convert`` of a column as written, or an all-missing column when the file has none."""
        values = self.raw_values(column)
        return self.blank(dtype) if values is None else convert(values)

    def required(self, column: str) -> pd.Series | None:
        """A column as written; reported missing (None) when the file has none."""
        values = self.raw_values(column)
        if values is None:
            _missing_column(self, column)
        return values


def _default_problem(column: str, value: str) -> Problem:
    label = LABELS.get(column, column)
    option = SUGGESTED_HEADER.get(column, ("", None))[1]
    fix = None
    if column in (c.HUB, c.NCP):
        guess = did_you_mean(value, column)
        fix = f"Did you mean '{guess}'?" if guess else None
    message = f"The {label} chosen for the whole file, '{_short(value)}', is not one we know."
    if column == c.PHASE:
        fix = "Choose 'pre' (start of the Work Group) or 'post' (end)."
    if column == c.ACADEMIC_YEAR:
        fix = "Write the academic year like 2024/25."
    if fix is None and option:
        fix = f"Check the {option} choice."
    return Problem("error", f"bad_default_{column}", None, None, _short(value), message, fix)


def _tidy_labels(
    values: pd.Series, normaliser: Callable[[object], str | None] | None = None
) -> pd.Series:
    """A low-cardinality text column stripped (and normalised), working per distinct value.

    A value the normaliser does not know is kept as written, for the schema to report.
    """

    def tidy(value: object) -> str | None:
        text = _show(value) if not isinstance(value, str) else value.strip()
        if not text:
            return None
        return (normaliser(text) or text) if normaliser else text

    return map_unique(values, tidy)


def _keyed_column(ctx: _Context, column: str, default: str | None, required: bool) -> pd.Series:
    """A hub/ncp/phase/year/work-group column: normalised, filled from the file's default."""
    position = ctx.columns.canonical.get(column)
    normaliser = _NORMALISERS.get(column)
    default_value = None
    if default is not None and str(default).strip():
        default_value = normaliser(default) if normaliser else str(default).strip()
        if default_value is None:
            ctx.problems.add(_default_problem(column, str(default)))
    if position is None:
        if default_value is not None:
            return pd.Series(default_value, index=range(ctx.n), dtype="str")
        if required and not (default is not None and default_value is None):
            _missing_column(ctx, column)
        elif required:
            ctx.skip.append(column)
        return pd.Series(None, index=range(ctx.n), dtype="str")
    assert ctx.raw.frame is not None
    values = _tidy_labels(ctx.raw.frame[position], normaliser)
    if default_value is not None:
        label = LABELS.get(column, column)
        ctx.flag(
            "error",
            "conflicts_with_default",
            (values.notna() & (values != default_value)).to_numpy(),
            ctx.header(column),
            ctx.raw.frame[position],
            lambda v: (
                f"This row says {label} '{_short(v)}' but '{default_value}' was chosen for "
                "the whole file."
            ),
            "Correct the row, or choose the right value for the file.",
        )
        values = values.fillna(default_value)
    return values


def _missing_column(ctx: _Context, column: str) -> None:
    label = LABELS.get(column, column)
    header, option = SUGGESTED_HEADER.get(column, (column, None))
    article = "an" if header[:1] in "AEIOaeio" else "a"  # a URN, an Academic year
    fix = f"Add {article} '{header}' column"
    fix += f", or choose the {label} {_FOR_WHOLE_FILE.format(option=option)}" if option else "."
    ctx.problems.add(
        Problem(
            "error", "missing_column", None, None, None, f"The file has no {label} column.", fix
        )
    )
    ctx.skip.append(column)


def _urn_column(ctx: _Context, *, required: bool) -> pd.Series:
    values = ctx.required(c.SCHOOL_URN) if required else ctx.raw_values(c.SCHOOL_URN)
    if values is None:
        return ctx.blank("Int64")
    urns, bad = _integers(values)
    ctx.mark_reported(c.SCHOOL_URN, bad)
    ctx.flag(
        "error",
        "bad_urn",
        bad,
        ctx.header(c.SCHOOL_URN),
        values,
        lambda v: f"'{_show(v)}' is not a school URN.",
        URN_FIX,
    )
    return urns


def _datetime_column(ctx: _Context, column: str, message: str, fix: str) -> pd.Series:
    """Date-times of an optional column; an unreadable one is left blank with a warning."""

    def parse(values: pd.Series) -> pd.Series:
        parsed, bad = _parse_datetimes(values)
        ctx.flag(
            "warning",
            "bad_date",
            bad,
            ctx.header(column),
            values,
            lambda v: f"'{_show(v)}' is not {message} we can read.",
            fix,
        )
        return parsed

    return ctx.optional(column, parse, "datetime64[us]")


def _coded_column(
    ctx: _Context,
    column: str,
    reading: Callable[[object], object],
    dtype: str,
    message: str,
    fix: str,
) -> pd.Series:
    """An optional column of codes (year groups, yes/no): an unknown code is an error."""

    def read(values: pd.Series) -> pd.Series:
        text = _blank_to_na(values)
        mapped = map_unique(text, reading, dtype=dtype)
        ctx.flag(
            "error",
            f"bad_{column}",
            (text.notna() & mapped.isna()).to_numpy(),
            ctx.header(column),
            values,
            lambda v: f"'{_show(v)}' is not {message}.",
            fix,
        )
        return mapped

    return ctx.optional(column, read, dtype)


URN_FIX = (
    "A school's URN is a 6-digit number from 100000 to 999999 (look it up on Get Information "
    "about Schools)."
)


# --- Pandera failures -> problems --------------------------------------------------------------


# Problem codes of a schema check failing in a column: a missing value, else any other check.
_MISSING_CODES = {
    c.PUPIL_ID: "missing_pupil_id",
    c.SCORE: "missing_score",
    c.SCHOOL_URN: "missing_urn",
}
_BAD_VALUE_CODES = {
    c.HUB: "unknown_hub",
    c.NCP: "unknown_ncp",
    c.PHASE: "bad_phase",
    c.ACADEMIC_YEAR: "bad_year",
    c.SCHOOL_URN: "bad_urn",
    c.YEAR_GROUP: "bad_year_group",
}


def _check_code(column: str, check: str, kind: str) -> str:
    if check == "not_nullable":
        return _MISSING_CODES.get(column, "missing_value")
    if column in _BAD_VALUE_CODES:
        return _BAD_VALUE_CODES[column]
    return "score_out_of_range" if kind == "survey" else f"bad_{column}"


# A name we do not know: code -> (list to guess from, what it should be, fix without a guess).
_UNKNOWN_NAMES = {
    "unknown_hub": (
        "hub",
        "a Maths Hub",
        "Use the hub's name as on the Maths Hubs website, e.g. 'Solent Maths Hub'.",
    ),
    "unknown_ncp": (
        "ncp",
        "a project (NCP)",
        "Use the project's name or code, e.g. 'Mastering Number at KS2' or 'MN-KS2'.",
    ),
}


def _message(
    code: str, column: str, value: object, ctx: _Context, scale: tuple[int, int]
) -> tuple[str, str | None]:
    shown = _short(value) if value is not None else ""
    label = LABELS.get(column, column)
    if code in _UNKNOWN_NAMES:
        kind, what, fallback = _UNKNOWN_NAMES[code]
        guess = did_you_mean(str(value), kind)
        return (
            f"'{shown}' is not {what} we know.",
            f"Did you mean '{guess}'?" if guess else fallback,
        )
    if code == "bad_phase":
        return (
            f"'{shown}' is not a survey phase.",
            "Write 'pre' (start of the Work Group) or 'post' (end).",
        )
    if code == "bad_year":
        return f"'{shown}' is not an academic year.", "Write the academic year like 2024/25."
    if code == "bad_urn":
        return f"'{shown}' is not a school URN.", URN_FIX
    if code == "bad_year_group":
        return f"'{shown}' is not a year group.", "Write the year group as a number, e.g. 4."
    if code == "missing_pupil_id":
        return "This row has no pupil ID.", "Fill in the pupil's ID (the same one in pre and post)."
    if code == "missing_score":
        return "This row has no score.", (
            "Fill in the score, or delete the row if the pupil did not take the check."
        )
    if code == "missing_urn":
        return "This row has no school URN.", URN_FIX
    if code == "missing_value":
        option = SUGGESTED_HEADER.get(column, ("", None))[1]
        fix = f"Fill in the {label}" + (
            f", or choose it {_FOR_WHOLE_FILE.format(option=option)}" if option else "."
        )
        return f"This row has no {label}.", fix
    if code == "score_out_of_range":
        low, high = scale
        return (
            f"'{shown}' is outside the {low} to {high} scale of this question.",
            f"Use a number from {low} to {high} or one of the answer labels.",
        )
    return f"'{shown}' is not a valid {label}.", None


def _schema_problems(
    ctx: _Context,
    frame: pd.DataFrame,
    schema: pa.DataFrameSchema,
    *,
    scale: tuple[int, int] = (1, 5),
) -> None:
    try:
        schema.validate(frame, lazy=True, inplace=True)  # nothing is coerced: no copy needed
        return
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    except pa.errors.SchemaError as exc:  # pragma: no cover - lazy=True collects everything
        cases = exc.failure_cases if isinstance(exc.failure_cases, pd.DataFrame) else None
        if cases is None:
            raise
    column_checks = cases[cases["schema_context"] == "Column"]
    frame_checks = cases[cases["schema_context"] == "DataFrameSchema"]
    for (column, check), group in column_checks.groupby(["column", "check"], sort=False):
        if check.startswith(("dtype", "column_in_dataframe", "coerce")):
            raise RuntimeError(f"canonical frame has wrong type in {column}: {check}")
        index = np.sort(group["index"].dropna().astype(np.int64).to_numpy())
        if check == "not_nullable" and column in ctx.reported:
            index = index[~ctx.reported[column][index]]
            if not len(index):
                continue
        _column_check_problems(
            ctx, frame, str(column), _check_code(column, check, ctx.kind), index, scale
        )
    for check, group in frame_checks.groupby("check", sort=False):
        index = np.sort(group["index"].dropna().astype(np.int64).unique())
        _frame_check_problems(ctx, frame, str(check), index)


def _column_check_problems(
    ctx: _Context,
    frame: pd.DataFrame,
    column: str,
    code: str,
    index: np.ndarray,
    scale: tuple[int, int],
) -> None:
    _errors_at(
        ctx,
        frame,
        code,
        column,
        index,
        lambda v: _message(code, column, v, ctx, scale)[0],
        lambda v: _message(code, column, v, ctx, scale)[1],
    )


def _errors_at(
    ctx: _Context,
    frame: pd.DataFrame,
    code: str,
    column: str,
    index: np.ndarray,
    message: Callable[[object], str],
    fix: str | Callable[[object], str | None],
    *,
    show: bool = True,
) -> None:
    """One error per frame position in ``index``, showing the column's value as written."""
    values: list[object] | np.ndarray = [None] * len(index)
    if show:
        values = ctx.as_written(frame, column, index)
    ctx.problems.rows("error", code, ctx.rows[index], ctx.header(column), values, message, fix)


# Checks across columns (schemas/): check name -> (problem code, column shown, whether the value
# as written is shown, message, fix).
_FRAME_CHECKS: dict[str, tuple[str, str, bool, str, str]] = {
    "one_response_per_respondent_per_phase": (
        "duplicate_response",
        c.RESPONDENT_ID,
        True,
        "This person answered the same survey more than once.",
        "Keep one response per person per survey (pre or post) and delete the others.",
    ),
    "every_row_identified": (
        "missing_identifier",
        c.RESPONDENT_ID,
        False,
        "This row has no participant code, but other rows do.",
        "Fill in the participant's code (the same one they use in the pre and post surveys).",
    ),
    "mtc_scores_are_whole_numbers_0_to_25": (
        "mtc_score",
        c.SCORE,
        True,
        "'{value}' is not a Multiplication Tables Check score.",
        f"An MTC score is a whole number from 0 to {MTC_MAX}.",
    ),
    "one_score_per_pupil_per_phase": (
        "duplicate_pupil",
        c.PUPIL_ID,
        True,
        "This pupil has more than one score for the same check and phase.",
        "Keep one score per pupil per phase and delete the others.",
    ),
}


def _frame_check_problems(
    ctx: _Context, frame: pd.DataFrame, check: str, index: np.ndarray
) -> None:
    if check not in _FRAME_CHECKS:  # pragma: no cover - every check in schemas/ is listed above
        raise RuntimeError(f"no message for check {check}")
    code, column, show, message, fix = _FRAME_CHECKS[check]
    _errors_at(
        ctx, frame, code, column, index, lambda v: message.format(value=_show(v)), fix, show=show
    )


# --- survey ------------------------------------------------------------------------------------


def _ascii_bytes(buffer: pa_arrow.Buffer | None) -> bool:
    """True when an Arrow data buffer holds only ASCII bytes."""
    return buffer is None or np.frombuffer(buffer, np.uint8).max(initial=0) < 128


def _casefold(values: pd.Series) -> pd.Series:
    """Casefolded text; vectorised lower-casing, Python's casefold only for non-ASCII values."""
    lowered = values.str.lower()
    data = arrow_text(lowered)
    if data is not None and all(_ascii_bytes(chunk.buffers()[2]) for chunk in data.chunks):
        return lowered  # all ASCII: lower-casing is case-folding
    arrow = pa_arrow.array(lowered)
    not_ascii = ~pc.fill_null(pc.string_is_ascii(arrow), True).to_numpy(zero_copy_only=False)
    if not_ascii.any():
        lowered = lowered.copy()
        lowered[not_ascii] = [str(v).casefold() for v in values[not_ascii]]
    return lowered


def _identifier(ctx: _Context) -> tuple[pd.Series, str | None, list[str]]:
    """respondent_id per row from the code column, else email; None when neither exists."""
    notes: list[str] = []
    assert ctx.raw.frame is not None
    for column in (c.RESPONDENT_ID, "email"):
        position = ctx.columns.canonical.get(column)
        if position is None:
            continue
        values = _casefold(_blank_to_na(ctx.raw.frame[position]))
        if column == "email":
            values = values.where(values != "anonymous", None)
            if values.isna().all():
                header = ctx.raw.headers[position]
                ctx.columns.column_map[header] = "ignored: no email addresses (anonymous form)"
                notes.append(
                    f"The '{ctx.raw.headers[position]}' column holds no email addresses "
                    "(an anonymous form), so it cannot link pre and post."
                )
                continue
        header = ctx.raw.headers[position]
        email = ctx.columns.canonical.get("email")
        if column == c.RESPONDENT_ID and email is not None:
            ctx.columns.column_map[ctx.raw.headers[email]] = (
                "ignored: personal data (email; the participant code is used)"
            )
        ctx.written[c.RESPONDENT_ID] = header
        ctx.columns.canonical[c.RESPONDENT_ID] = position
        ctx.columns.column_map[header] = c.RESPONDENT_ID
        if column == "email":
            notes.append(
                f"No participant code column: pre and post are matched by '{header}'. "
                "Email addresses are replaced by a private code when stored."
            )
        return values.astype("str"), header, notes
    notes.append(
        "No participant code or email column: pre and post cannot be matched, so results "
        "will be unpaired (a weaker comparison)."
    )
    return pd.Series(None, index=range(ctx.n), dtype="str"), None, notes


@cache
def _labels_like_numbers() -> bool:
    """True if some answer label could be the text of a number (then numbers may fit labels)."""
    number_chars = set("0123456789 einf")  # label_key() of e.g. 3.0, 1e+20, inf
    return any(set(key) <= number_chars for labels in label_sets().values() for key in labels)


def _numbers_fit_no_label(values: pd.Series) -> bool:
    """True for a column read as numbers, none of which can be an answer label."""
    return is_numeric_dtype(values) and not is_bool_dtype(values) and not _labels_like_numbers()


def _survey_items(ctx: _Context, instrument: Instrument) -> dict[str, np.ndarray]:
    scores: dict[str, np.ndarray] = {}
    low, high = instrument.scale_min, instrument.scale_max
    for item in instrument.items:
        position = ctx.columns.items.get(item.item)
        if position is None:
            scores[item.item] = np.full(ctx.n, np.nan)
            continue
        assert ctx.raw.frame is not None
        values = ctx.raw.frame[position]
        label_set = ctx.columns.item_sets.get(item.item)
        if label_set is None and _numbers_fit_no_label(values):
            label_set = item.label_set  # what profile() would choose, without counting answers
        if label_set is None:
            fitted, share, _ = profile(values)
            label_set = fitted if fitted and share >= ITEM_SHARE else item.label_set
        scored = score_column(values, label_set)
        scores[item.item] = scored.scores
        if scored.unrecognised.any():
            try:
                options = ", ".join(canonical_labels(label_set, low, high))
            except KeyError:
                options = ""
            fix = (
                f"Use one of: {options}; or a number from {low} to {high}."
                if options
                else (f"Use a number from {low} to {high}.")
            )
            ctx.flag(
                "error",
                "not_a_likert_answer",
                scored.unrecognised,
                ctx.raw.headers[position],
                values,
                lambda v: f"'{_show(v)}' is not an answer we recognise for this question.",
                fix,
            )
    return scores


def _survey_warnings(ctx: _Context, frame: pd.DataFrame, instrument: Instrument) -> None:
    present = [i for i in instrument.item_ids if i in ctx.columns.items]
    if not present:
        return
    matrix = frame[present].to_numpy(dtype=float)
    given = ~np.isnan(matrix)
    answered = given.sum(axis=1)
    empty = answered == 0
    ctx.flag(
        "warning",
        "empty_response",
        empty,
        None,
        None,
        lambda v: "This row has no answers to any question.",
        "Delete the row if it is a blank or test response.",
    )
    if len(present) >= STRAIGHT_LINE_MIN_ITEMS:
        # Only rows answering every question count, so "all the same" is "all equal the first".
        same = np.logical_and.reduce([matrix[:, j] == matrix[:, 0] for j in range(len(present))])
        ctx.flag(
            "warning",
            "straight_lining",
            same & (answered == len(present)),
            None,
            matrix[:, 0],
            lambda v: f"Gave the same answer ({_show(v)}) to all {len(present)} questions.",
            "Check this response is genuine; it is kept in the results.",
        )
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an item nobody answered
        lowest, highest = np.nanmin(matrix, axis=0), np.nanmax(matrix, axis=0)
    counts = given.sum(axis=0)
    for j in np.flatnonzero((lowest == highest) & (counts >= 2)):
        ctx.problems.add(
            Problem(
                "warning",
                "same_answer_for_everyone",
                None,
                ctx.header(present[j]),
                _show(lowest[j]),
                f"Everyone who answered gave the same answer ({_show(lowest[j])}), "
                "so this question cannot show a difference.",
                None,
            )
        )
    is_pre = (frame[c.PHASE] == "pre").to_numpy(dtype=bool, na_value=False)
    is_post = (frame[c.PHASE] == "post").to_numpy(dtype=bool, na_value=False)
    if is_pre.any() and is_post.any() and frame[c.RESPONDENT_ID].notna().any():
        # Integer codes for every id (shared with the schema's duplicate check): fast for 1M rows.
        codes, n_ids = value_codes(frame[c.RESPONDENT_ID])
        in_pre = np.zeros(n_ids + 1, dtype=bool)
        in_pre[codes[is_pre]] = True
        in_pre[-1] = True  # code -1: no id, so nothing to match
        unmatched = np.flatnonzero(is_post & ~in_pre[codes])
        for problem in _post_without_pre(
            frame[c.SOURCE_ROW].to_numpy()[unmatched],
            frame[c.RESPONDENT_ID].take(unmatched).to_numpy(),  # only these become strings
            ctx.header(c.RESPONDENT_ID),
        ):
            ctx.problems.add(problem)


def _unmatched_post(pre: pd.DataFrame, post: pd.DataFrame, column: str | None) -> list[Problem]:
    # Integer codes for every id, then a look-up table: fast for a million rows.
    both = pd.concat([pre[c.RESPONDENT_ID], post[c.RESPONDENT_ID]], ignore_index=True)
    codes, uniques = pd.factorize(both)
    in_pre = np.zeros(len(uniques) + 1, dtype=bool)
    in_pre[codes[: len(pre)]] = True
    in_pre[-1] = True  # code -1: no id, so nothing to match
    unmatched = pd.Series(~in_pre[codes[len(pre) :]], index=post.index)
    return _post_without_pre(
        post.loc[unmatched, c.SOURCE_ROW].to_numpy(),
        post.loc[unmatched, c.RESPONDENT_ID].to_numpy(),
        column,
    )


def _post_without_pre(rows: np.ndarray, ids: np.ndarray, column: str | None) -> list[Problem]:
    """A warning for each post response (spreadsheet ``rows``) with no pre response."""
    collector = _Collector()
    if len(rows):
        collector.rows(
            "warning",
            "post_without_pre",
            rows,
            column or c.RESPONDENT_ID,
            ids,
            lambda v: "This post-survey response has no matching pre-survey response.",
            "Check the participant code is written the same way in both surveys; "
            "unmatched responses count only in the unpaired comparison.",
        )
    return collector.warnings


def _assemble(
    ctx: _Context, parts: dict[str, pd.Series | np.ndarray], order: list[str]
) -> pd.DataFrame:
    data = {name: parts[name] for name in order if name in parts}
    frame = pd.DataFrame(
        {k: (v.reset_index(drop=True) if isinstance(v, pd.Series) else v) for k, v in data.items()}
    )
    return frame


# Columns whose cells must stay exactly as written (codes keep leading zeros); every other column
# may be read as numbers, which is much faster for a long file.
_TEXT_MEANINGS = frozenset(HEADER_ALIAS_TARGETS) - {c.SCHOOL_URN, c.SCORE, c.YEAR_GROUP, "ignore"}


def _text_columns(kind: str, overrides: Mapping[str, str] | None) -> Callable[[str], bool]:
    """The rule telling the reader which headers hold text (codes, names, years)."""
    chosen = {norm_key(k): v for k, v in (overrides or {}).items()}

    def is_text(header: str) -> bool:
        meaning = chosen.get(norm_key(header)) or header_meaning(header, kind)
        return meaning is not None and (meaning in _TEXT_MEANINGS or meaning == "text")

    return is_text


# Files at least this long have their ids coded, and the distinct values of their short text
# columns found, on other threads (see _survey_frame).
_BACKGROUND_ROWS = 100_000


@cache
def _background() -> ThreadPoolExecutor:
    """The worker threads that do Arrow's long passes over a column alongside the main check."""
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="evaluation-codes")


def _look_ahead(ctx: _Context, columns: tuple[str, ...]) -> list[Future]:
    """For a long file, start finding the distinct values of these short text columns on other
    threads (Arrow frees the interpreter); the tidying later finds them ready.
    """
    if ctx.n < _BACKGROUND_ROWS:
        return []
    assert ctx.raw.frame is not None
    positions = [ctx.columns.canonical.get(column) for column in columns]
    return [
        _background().submit(distinct_values, ctx.raw.frame[position])
        for position in positions
        if position is not None
    ]


def _survey_frame(
    raw: RawTable,
    defaults: FileDefaults,
    instrument: Instrument | None,
    overrides: Mapping[str, str] | None,
) -> tuple[_Context, pd.DataFrame, dict[str, Any]]:
    """The canonical survey frame, with what else a survey's CheckedFile holds."""
    assert raw.frame is not None
    base = instrument
    if base is None:
        keys = [norm_key(h) for h in raw.headers]
        default = default_instrument()
        if any(_match_item(k, default) for k in keys):
            base = default
    columns = _classify(raw, "survey", base, overrides)
    if instrument is None and base is not None:
        matched = [i for i in base.items if i.item in columns.items]
        base = Instrument(
            name=base.name,
            items=tuple(matched),
            scale_min=base.scale_min,
            scale_max=base.scale_max,
            labels=base.labels,
        )
        if len(matched) == len(default_instrument().items):
            base = default_instrument()
    found = _build_instrument(columns, base)
    ctx = _Context(raw, columns, "survey")
    notes = list(columns.notes)
    if not overrides and _looks_like_pupil_scores(raw):
        ctx.problems.add(
            Problem(
                "error",
                "looks_like_pupil_scores",
                None,
                None,
                None,
                "This looks like a file of pupil scores (it has pupil IDs and scores), not a "
                "teacher survey.",
                "Check it as pupil scores instead: choose 'Pupil scores (MTC)' in the app, or "
                "add --kind pupil on the command line.",
            )
        )
    if found is None or not found.items:
        ctx.problems.add(
            Problem(
                "error",
                "no_items",
                None,
                None,
                None,
                "We found no survey questions in this file (columns of answers such as "
                "'Agree' or 1 to 5).",
                "Check you uploaded the survey responses, with one column per question.",
            )
        )
        found = Instrument(name="empty", items=())
    if instrument is not None:
        for item in instrument.items:
            if item.item not in columns.items:
                ctx.problems.add(
                    Problem(
                        "warning",
                        "missing_item",
                        None,
                        None,
                        None,
                        f"The question '{_short(item.text, 80)}' is not in this file.",
                        "Check the column heading matches the question, or ignore this if the "
                        "question was not asked.",
                    )
                )
    ahead = _look_ahead(ctx, (*DEFAULTABLE, c.SCHOOL_PHASE, c.ROLE))
    respondent, identifier, id_notes = _identifier(ctx)
    # Coding a long id column takes a while and frees the interpreter, so it runs on another core
    # while the other columns are read; the schema's duplicate check then finds the codes ready.
    coding = (
        _background().submit(value_codes, respondent)
        if len(respondent) >= _BACKGROUND_ROWS and identifier
        else None
    )
    notes.extend(id_notes)
    parts: dict[str, Any] = {c.RESPONDENT_ID: respondent}
    # Columns that need no look-up tables first, while other threads find the distinct values.
    parts[c.SCHOOL_URN] = _urn_column(ctx, required=False)
    parts[c.SUBMITTED_AT] = _datetime_column(
        ctx,
        c.SUBMITTED_AT,
        "a date and time",
        "Write dates like 2024-09-14 10:05; the time of this response is left blank.",
    )
    parts[c.SOURCE_ROW] = raw.source_rows.astype(np.int64)
    parts.update(_survey_items(ctx, found))
    for name, position in columns.texts.items():
        parts[name] = _blank_to_na(raw.frame[position]).astype("str")
    for future in ahead:
        future.result()
    for column in DEFAULTABLE:
        parts[column] = _keyed_column(
            ctx, column, getattr(defaults, column), required=column in c.SURVEY_REQUIRED
        )
    for column in (c.SCHOOL_PHASE, c.ROLE):
        parts[column] = ctx.optional(column, _tidy_labels)
    order = [*c.SURVEY_KEY_COLUMNS, c.SOURCE_ROW, *found.item_ids, *columns.texts]
    frame = _assemble(ctx, parts, order)
    schema = survey_schema(
        found.item_ids, scale_min=found.scale_min, scale_max=found.scale_max, skip=ctx.skip
    )
    if coding is not None:
        coding.result()
    _schema_problems(ctx, frame, schema, scale=(found.scale_min, found.scale_max))
    _survey_warnings(ctx, frame, found)
    extras = {
        "instrument": found if found.items else None,
        "identifier": identifier,
        "notes": tuple(notes),
    }
    return ctx, frame, extras


def _check_file(
    kind: Literal["survey", "pupil"],
    source: Source,
    file_name: str | None,
    defaults: FileDefaults | None,
    instrument: Instrument | None,
    overrides: Mapping[str, str] | None,
) -> CheckedFile:
    """Read and check a file; an unexpected failure becomes a one-line 'unreadable' report."""
    try:
        raw = read_table(source, file_name=file_name, text_columns=_text_columns(kind, overrides))
        if raw.frame is None:
            return _unreadable_result(kind, raw.problem or "The file could not be read.")
        defaults = defaults or FileDefaults()
        ctx, frame, extras = (
            _survey_frame(raw, defaults, instrument, overrides)
            if kind == "survey"
            else _pupil_frame(raw, defaults, overrides)
        )
        report = ctx.problems.report(kind, ctx.n, raw.headers)
        return CheckedFile(report, frame, column_map=dict(ctx.columns.column_map), **extras)
    except MemoryError:
        return _unreadable_result(kind, "The file is too large to check in memory.")
    except Exception as exc:  # the promise: never raise on bad data
        if os.environ.get("EVALUATION_DEBUG"):  # developers see the traceback
            raise
        return _unreadable_result(
            kind,
            f"We could not read this file because of an unexpected problem ({type(exc).__name__}). "
            "Please report it with the file.",
        )


def check_survey(
    source: Source,
    *,
    file_name: str | None = None,
    defaults: FileDefaults | None = None,
    instrument: Instrument | None = None,
    overrides: Mapping[str, str] | None = None,
) -> CheckedFile:
    """Read and check a participant survey export (CSV or Excel, any common survey tool).

    Parameters
    ----------
    source : bytes, str or PathLike
        The file's bytes or its path.
    file_name : str, optional
        The name the user gave the file (only for messages; content decides the format).
    defaults : FileDefaults, optional
        Hub, project, phase, academic year and Work Group for the whole file.
    instrument : Instrument, optional
        The survey's questions. Without one, the default instrument is used when its questions
        are in the file, and other columns of Likert answers become items of construct "overall"
        with ids made from the question text.
    overrides : mapping, optional
        Header as written -> what it means (a canonical column, ``email``, ``ignore``,
        ``text``, ``item`` or an item id), to correct our guess.

    Returns
    -------
    CheckedFile
        ``frame`` is the canonical wide survey frame: respondent_id, phase, academic_year, hub,
        ncp, work_group, school_urn, school_phase, role, submitted_at, source_row, one float
        column per item id, then ``text_<slug>`` open-text columns.

    Examples
    --------
    >>> question = b"I feel confident teaching mathematics to my class"
    >>> data = (b"ID,Participant code,Maths Hub," + question + b"\\n"
    ...         b"1,AB12,Solent,Agree\\n2,CD34,Solent Maths Hubb,strongly agree \\n")
    >>> checked = check_survey(data, defaults=FileDefaults(ncp="MN-KS2", phase="pre",
    ...                                                    academic_year="2024-25"))
    >>> checked.frame[["respondent_id", "hub", "conf_1"]].values.tolist()
    [['ab12', 'Solent Maths Hub', 4.0], ['cd34', 'Solent Maths Hubb', 5.0]]
    >>> error = checked.report.errors[0]
    >>> error.row, error.column, error.value, error.fix
    (3, 'Maths Hub', 'Solent Maths Hubb', "Did you mean 'Solent Maths Hub'?")
    >>> checked.column_map["ID"], checked.identifier
    ('ignored: response number (not a person)', 'Participant code')
    """
    return _check_file("survey", source, file_name, defaults, instrument, overrides)


# --- pupils ------------------------------------------------------------------------------------


def _looks_like_pupil_scores(raw: RawTable) -> bool:
    """True when a file's headers name pupil IDs and scores (read from the headers only)."""
    meanings = {header_meaning(header, "pupil") for header in raw.headers}
    return {c.PUPIL_ID, c.SCORE} <= meanings


def _looks_like_survey(raw: RawTable) -> bool:
    """True when a file has columns of survey answers (read as a survey, some are questions)."""
    return bool(_classify(raw, "survey", default_instrument(), None).items)


def _pupil_frame(
    raw: RawTable, defaults: FileDefaults, overrides: Mapping[str, str] | None
) -> tuple[_Context, pd.DataFrame, dict[str, Any]]:
    """The canonical pupil frame (pupil files have no instrument, identifier or notes)."""
    ctx = _Context(raw, _classify(raw, "pupil", None, overrides), "pupil")
    if c.SCORE not in ctx.columns.canonical and not overrides and _looks_like_survey(raw):
        ctx.problems.add(
            Problem(
                "error",
                "looks_like_survey",
                None,
                None,
                None,
                "This looks like a teacher survey (it has survey questions and no score "
                "column), not a file of pupil scores.",
                "Check it as a survey instead: choose 'Teacher survey' in the app, or add "
                "--kind survey on the command line.",
            )
        )
    parts: dict[str, Any] = {}
    ids = ctx.required(c.PUPIL_ID)
    parts[c.PUPIL_ID] = ctx.blank("str") if ids is None else _blank_to_na(ids).astype("str")
    parts[c.SCHOOL_URN] = _urn_column(ctx, required=True)
    for column in (c.HUB, c.NCP, c.ACADEMIC_YEAR, c.PHASE):  # rows are not kept per Work Group
        parts[column] = _keyed_column(ctx, column, getattr(defaults, column), required=True)
    parts[c.YEAR_GROUP] = _coded_column(
        ctx,
        c.YEAR_GROUP,
        _year_group,
        "Int64",
        "a year group",
        "Write the year group as a number, e.g. 4 (or 'Year 4').",
    )
    parts[c.ASSESSED_ON] = _datetime_column(
        ctx, c.ASSESSED_ON, "a date", "Write dates like 2025-06-10; this date is left blank."
    )
    parts[c.MEASURE] = _measure_column(ctx)
    parts[c.SCORE] = _score_column(ctx)
    for column in (c.DISADVANTAGED, c.SEN, c.EAL):
        parts[column] = _coded_column(
            ctx,
            column,
            _flag,
            "boolean",
            "yes or no",
            "Write Y or N (or leave it blank if not known).",
        )
    parts[c.SEX] = ctx.optional(
        c.SEX,
        lambda sexes: map_unique(_blank_to_na(sexes), lambda v: _SEX.get(norm_key(v), str(v))),
    )
    parts[c.SOURCE_ROW] = raw.source_rows.astype(np.int64)
    frame = _assemble(ctx, parts, [*c.PUPIL_COLUMNS, c.SOURCE_ROW])
    _schema_problems(ctx, frame, pupil_schema(skip=ctx.skip))
    return ctx, frame, {}


_MTC_WORDS = {"mtc", "multiplication tables check", "multiplication table check"}


def _measure_column(ctx: _Context) -> pd.Series:
    """The measure of each score ("MTC" when not given); an unknown measure gets a warning."""
    measures = ctx.raw_values(c.MEASURE)
    if measures is None:
        return pd.Series(MTC, index=range(ctx.n), dtype="str")
    text = _blank_to_na(measures)
    mapped = map_unique(text, lambda v: MTC if norm_key(v) in _MTC_WORDS else str(v)).fillna(MTC)
    for measure in sorted(set(mapped.unique()) - set(MEASURE_RANGES)):
        ctx.problems.add(
            Problem(
                "warning",
                "unknown_measure",
                None,
                ctx.header(c.MEASURE),
                _short(measure),
                f"'{_short(measure)}' is not a measure we know, so its scores are only "
                "checked to be numbers.",
                None,
            )
        )
    return mapped


def _score_column(ctx: _Context) -> np.ndarray:
    """Scores as numbers; a score that is not a number is reported once and left missing."""
    scores = ctx.required(c.SCORE)
    if scores is None:
        return np.full(ctx.n, np.nan)
    text = scores if is_numeric_dtype(scores) else _blank_to_na(scores)
    numbers = pd.to_numeric(text, errors="coerce").astype(float)
    bad = (text.notna() & numbers.isna()).to_numpy()
    ctx.flag(
        "error",
        "score_not_a_number",
        bad,
        ctx.header(c.SCORE),
        scores,
        lambda v: f"'{_show(v)}' is not a score.",
        f"Write the score as a number (for the MTC, a whole number from 0 to {MTC_MAX}).",
    )
    ctx.mark_reported(c.SCORE, bad)
    return numbers.to_numpy()


def check_pupils(
    source: Source,
    *,
    file_name: str | None = None,
    defaults: FileDefaults | None = None,
    overrides: Mapping[str, str] | None = None,
) -> CheckedFile:
    """Read and check a pupil assessment file (e.g. Multiplication Tables Check scores).

    Returns
    -------
    CheckedFile
        ``frame`` is the canonical pupil frame: pupil_id, school_urn (Int64), hub, ncp,
        academic_year, year_group (Int64), phase, assessed_on, measure ("MTC" when absent),
        score (float64), disadvantaged (boolean), sex, sen, eal (boolean; missing when the
        file does not give them), source_row.

    Examples
    --------
    >>> data = (b"Pupil ID,URN,Maths Hub,Score\\n"
    ...         b"P1,123456,Solent,24\\n,123456,Solnet,26\\nP3,123456,Solent,twenty\\n")
    >>> checked = check_pupils(data, defaults=FileDefaults(ncp="MN-KS2", phase="pre",
    ...                                                    academic_year="2024/25"))
    >>> sorted((p.row, p.code) for p in checked.report.errors)
    [(3, 'missing_pupil_id'), (3, 'mtc_score'), (3, 'unknown_hub'), (4, 'score_not_a_number')]
    """
    return _check_file("pupil", source, file_name, defaults, None, overrides)


def check(source: Source, *, kind: Literal["survey", "pupil"] = "survey", **kw: Any) -> CheckedFile:
    """Check a survey (default) or pupil file; keyword arguments go to the specific check.

    Examples
    --------
    >>> check(b"", kind="pupil").report.errors[0].code
    'unreadable'
    """
    if kind == "pupil":
        kw.pop("instrument", None)
        return check_pupils(source, **kw)
    return check_survey(source, **kw)


def pairing_problems(pre: pd.DataFrame, post: pd.DataFrame) -> tuple[Problem, ...]:
    """Warnings about matching a pre-survey frame with a post-survey frame (canonical frames).

    Post responses with no pre response are listed by their ``source_row`` in the post file;
    pre responses with no post are counted once (attrition); files that cannot be paired (no
    identifier) or that describe different projects get one warning each.

    Examples
    --------
    >>> pre = pd.DataFrame({"respondent_id": ["a", "b"], "source_row": [2, 3],
    ...                     "ncp": ["Mastering Number at KS2"] * 2})
    >>> post = pre.assign(respondent_id=["a", "c"])
    >>> [(p.code, p.row) for p in pairing_problems(pre, post)]
    [('post_without_pre', 3), ('pre_without_post', None)]
    """
    problems: list[Problem] = []
    if pre[c.RESPONDENT_ID].isna().all() or post[c.RESPONDENT_ID].isna().all():
        return (
            Problem(
                "warning",
                "unpaired",
                None,
                None,
                None,
                "Pre and post responses cannot be matched because a file has no participant "
                "codes or emails; the comparison will be unpaired (weaker).",
                "Ask participants for the same code in both surveys.",
            ),
        )
    problems.extend(_unmatched_post(pre, post, c.RESPONDENT_ID))
    post_ids = set(post[c.RESPONDENT_ID].dropna())
    pre_ids = pre[c.RESPONDENT_ID].dropna().unique()
    leavers = sum(1 for rid in pre_ids if rid not in post_ids)
    if leavers:
        problems.append(
            Problem(
                "warning",
                "pre_without_post",
                None,
                None,
                None,
                f"{leavers} of {len(pre_ids)} people who answered the pre survey have no post "
                f"response ({leavers / len(pre_ids):.0%} did not complete).",
                None,
            )
        )
    for column in (c.HUB, c.NCP, c.ACADEMIC_YEAR):
        if column in pre and column in post:
            a, b = set(pre[column].dropna()), set(post[column].dropna())
            if a and b and not a & b:
                problems.append(
                    Problem(
                        "warning",
                        "different_files",
                        None,
                        None,
                        None,
                        f"The pre and post files name different {LABELS.get(column, column)}s "
                        f"({', '.join(sorted(a))} / {', '.join(sorted(b))}).",
                        "Check you chose the pre and post files of the same Work Group.",
                    )
                )
    return tuple(problems)
