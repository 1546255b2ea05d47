"""Reading cells as they were meant: text tidied (spaces, blanks, case), whole numbers, year
groups, yes/no and sex codes, fast on long Arrow text columns.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa_arrow
import pyarrow.compute as pc
from pandas.api.types import is_bool_dtype, is_integer_dtype, is_numeric_dtype, is_string_dtype

from evaluation.io.headers import map_unique, norm_key
from evaluation.validation.report import show
from schemas.coding import arrow_text

__all__ = [
    "SEX_CODES",
    "blank_to_na",
    "casefold",
    "cell_starts",
    "integers",
    "read_year_group",
    "read_yes_no",
    "tidy_labels",
]

_ARROW_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)
# Bytes that may start or end a cell str.strip() would change: ASCII spaces and controls, and any
# byte of a non-ASCII character (a few of which are spaces).
_MAY_STRIP = np.zeros(256, dtype=bool)
_MAY_STRIP[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_MAY_STRIP[128:] = True


def cell_starts(chunk: pa_arrow.Array) -> np.ndarray:
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
        starts = cell_starts(chunk)
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


def blank_to_na(values: pd.Series) -> pd.Series:
    """Text with surrounding spaces removed and empty cells missing (numbers become text)."""
    if values.dtype == _ARROW_TEXT and _already_tidy(values):
        return values
    if not (is_string_dtype(values) or values.dtype == object):
        values = values.map(show, na_action="ignore")
    stripped = values.astype("str").str.strip()
    return stripped.where(stripped != "", None)


def _ascii_bytes(buffer: pa_arrow.Buffer | None) -> bool:
    """True when an Arrow data buffer holds only ASCII bytes."""
    return buffer is None or np.frombuffer(buffer, np.uint8).max(initial=0) < 128


def casefold(values: pd.Series) -> pd.Series:
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


def integers(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Whole numbers from text ("123456", "123456.0"); returns (Int64, not-a-whole-number mask)."""
    if is_integer_dtype(values) and not is_bool_dtype(values):  # read as whole numbers already
        return values.astype("Int64"), np.zeros(len(values), dtype=bool)
    if is_numeric_dtype(values):
        numbers = values.astype(float)
        given = values.notna()
    else:
        text = blank_to_na(values)
        numbers = pd.to_numeric(text, errors="coerce").astype(float)
        given = text.notna()
    bad = (given & (numbers.isna() | (numbers % 1 != 0))).to_numpy()
    whole = numbers.where(~bad & numbers.notna())
    return whole.round().astype("Int64"), bad


_YEAR_GROUP_WORDS = {"r": 0, "reception": 0, "rec": 0, "n": -1, "nursery": -1}


def read_year_group(value: object) -> int | None:
    """A year group as a number (Reception 0, Nursery -1), or None when it is not one.

    Examples
    --------
    >>> [read_year_group(v) for v in ["4", "Year 4", "Y6", "Reception", "4.0", "four"]]
    [4, 4, 6, 0, 4, None]
    """
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


def read_yes_no(value: object) -> bool | None:
    """True or False for the usual ways of writing yes and no, else None.

    Examples
    --------
    >>> [read_yes_no(v) for v in ["Y", "no", "TRUE", "0", "maybe"]]
    [True, False, True, False, None]
    """
    return _FLAGS.get(norm_key(value))


SEX_CODES = {"m": "M", "male": "M", "boy": "M", "f": "F", "female": "F", "girl": "F"}


def tidy_labels(
    values: pd.Series, normaliser: Callable[[object], str | None] | None = None
) -> pd.Series:
    """A low-cardinality text column stripped (and normalised), working per distinct value.

    A value the normaliser does not know is kept as written, for the schema to report.
    """

    def tidy(value: object) -> str | None:
        text = show(value) if not isinstance(value, str) else value.strip()
        if not text:
            return None
        return (normaliser(text) or text) if normaliser else text

    return map_unique(values, tidy)
