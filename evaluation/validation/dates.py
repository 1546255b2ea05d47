"""Reading dates and times as spreadsheets and survey tools write them (ISO, UK or US order, with
or without a time zone), in bulk.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa_arrow
import pyarrow.compute as pc

from evaluation.validation.cells import blank_to_na, cell_starts

__all__ = [
    "exact_iso",
    "one_datetime",
    "parse_datetimes",
]

_YEAR_FIRST = re.compile(r"\s*\d{4}[-/.]")
_ZONE = re.compile(r"\s*(?:GMT|UTC|BST|Z)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?$", re.IGNORECASE)


def one_datetime(text: str, dayfirst: bool) -> pd.Timestamp:
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


def exact_iso(text: pd.Series) -> pd.Series | None:
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
    starts = cell_starts(given)
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


def parse_datetimes(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Datetimes from text in ISO, UK or US order; returns (datetimes, unparseable mask)."""
    if isinstance(values.dtype, pd.StringDtype):  # exact cells need no stripping
        exact = exact_iso(values.reset_index(drop=True))
        if exact is not None:
            return exact, np.zeros(len(values), dtype=bool)
    text = blank_to_na(values).reset_index(drop=True)
    codes, uniques = pd.factorize(text)  # each distinct time stamp is read once
    distinct = pd.Series(uniques, dtype="str")
    dayfirst = _day_first(distinct)
    found = _common_layouts(distinct, dayfirst)
    odd = found.isna().to_numpy()  # month names, time zones, ...: one at a time
    found[odd] = [one_datetime(v, dayfirst) for v in distinct[odd]]
    stamps = np.append(found.to_numpy(dtype="datetime64[us]"), np.datetime64("NaT", "us"))
    parsed = pd.Series(stamps[codes], index=text.index)  # code -1 (blank) -> NaT
    bad = (text.notna() & parsed.isna()).to_numpy()
    return parsed, bad
