"""Fast facts about long text columns: their distinct values and integer codes.

A national file has a million rows but only 40 hubs, a few projects, two phases and four years, so
checks look at the distinct values first and only touch every row when one of them is wrong.
Pandas keeps text in immutable Arrow arrays, so what was found for one array stays true while it
exists: the reader's tidying, the schema's checks and the pairing warnings share one pass.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Collection
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


class _PerArray:
    """Results remembered per Arrow array, while the array exists (its data cannot change).

    Keeps at most ``size`` arrays' results, dropping the oldest; thread-safe.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._entries: dict[int, tuple[weakref.ref, Any]] = {}

    def get(self, data: pa.ChunkedArray, compute: Callable[[], Any]) -> Any:
        key = id(data)
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0]() is data:
                return found[1]
        result = compute()

        def forget(_: weakref.ref) -> None:
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None and entry[0]() is None:
                    del self._entries[key]

        with self._lock:
            if len(self._entries) >= self._size:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (weakref.ref(data, forget), result)
        return result


# Distinct values are short lists; codes are as long as their column, so one at a time.
_distinct = _PerArray(32)
_codes = _PerArray(1)


def arrow_text(values: pd.Series) -> pa.ChunkedArray | None:
    """The immutable Arrow data behind a pandas text column, or None for any other column.

    Examples
    --------
    >>> arrow_text(pd.Series(["a"], dtype="str")).type, arrow_text(pd.Series([1.0]))
    (DataType(large_string), None)
    """
    data = getattr(values.array, "_pa_array", None)
    if not isinstance(data, pa.ChunkedArray) or not (
        pa.types.is_string(data.type) or pa.types.is_large_string(data.type)
    ):
        return None
    return data


def distinct_values(values: pd.Series) -> list[Any]:
    """The distinct non-missing values of a column, in order of first appearance.

    Examples
    --------
    >>> distinct_values(pd.Series(["pre", "post", None, "pre"], dtype="str"))
    ['pre', 'post']
    >>> distinct_values(pd.Series([2.0, None, 2.0]))
    [2.0]
    """
    data = arrow_text(values)
    if data is None:
        return values.dropna().unique().tolist()
    return _distinct.get(data, lambda: pc.unique(data).drop_null().to_pylist())


def all_in(values: pd.Series, allowed: Collection[Any]) -> pd.Series:
    """True where a value is one of ``allowed``; missing values pass (checked elsewhere).

    Only the distinct values are looked at unless one of them is not allowed.

    Examples
    --------
    >>> all_in(pd.Series(["pre", "post", "mid", None], dtype="str"), {"pre", "post"}).tolist()
    [True, True, False, True]
    """
    if all(value in allowed for value in distinct_values(values)):
        return pd.Series(True, index=values.index)
    return values.isin(list(allowed)) | values.isna()


def missing_count(values: pd.Series) -> int:
    """How many values are missing (read from Arrow's own count when the column has one).

    Examples
    --------
    >>> missing_count(pd.Series(["a", None, None], dtype="str")), missing_count(pd.Series([1.0]))
    (2, 0)
    """
    data = arrow_text(values)
    return int(data.null_count) if data is not None else int(values.isna().sum())


def passes(mask: pd.Series) -> bool | pd.Series:
    """A Pandera check's result: True when every row passes, else the row-by-row ``mask``.

    Pandera gathers failure cases from a mask even when none fails, which costs time on a long
    table; a plain True tells it there is nothing to gather.

    Examples
    --------
    >>> passes(pd.Series([True, True])), passes(pd.Series([True, False])).tolist()
    (True, [True, False])
    """
    return True if bool(mask.all()) else mask


def in_range(values: pd.Series, low: float, high: float) -> bool | pd.Series:
    """A Pandera check that numbers lie within ``low`` to ``high`` (missing ones pass).

    Looks at the smallest and largest number first, so a column that fits costs two passes.

    Examples
    --------
    >>> in_range(pd.Series([1.0, None, 5.0]), 1, 5), in_range(pd.Series([0.0, 3.0]), 1, 5).tolist()
    (True, [False, True])
    """
    smallest, largest = values.min(), values.max()
    if pd.isna(smallest) or (smallest >= low and largest <= high):
        return True
    return values.between(low, high) | values.isna()


def value_codes(values: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes of a column's values (-1 for missing) and how many distinct values it has.

    Coding a million distinct ids is the slow part of the duplicate check and of matching pre to
    post, so the codes of the last Arrow-backed column coded are kept while that column exists and
    a second caller gets them for free.

    Examples
    --------
    >>> codes, n = value_codes(pd.Series(["b", "a", None, "b"], dtype="str"))
    >>> codes.tolist(), n
    ([0, 1, -1, 0], 2)
    """

    def code() -> tuple[np.ndarray, int]:
        codes, uniques = pd.factorize(values)
        return codes, len(uniques)

    data = arrow_text(values)
    return code() if data is None else _codes.get(data, code)


def few_codes(values: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes (-1 for missing) of a column with few distinct values, such as a phase.

    Compares the column with each distinct value, which beats hashing every row when there are
    only a handful.

    Examples
    --------
    >>> codes, n = few_codes(pd.Series(["pre", "post", None, "pre"], dtype="str"))
    >>> codes.tolist(), n
    ([0, 1, -1, 0], 2)
    """
    levels = distinct_values(values)
    if len(levels) > 4:
        codes, uniques = pd.factorize(values)
        return codes, len(uniques)
    codes = np.full(len(values), -1, dtype=np.int64)
    for code, level in enumerate(levels):
        codes[(values == level).to_numpy(dtype=bool, na_value=False)] = code
    return codes, len(levels)


def repeated(df: pd.DataFrame, keys: list[str]) -> pd.Series:
    """True for every row whose ``keys`` (first one an id) also appear in another row.

    Rows are first compared on the id and the second key as integer codes, counted with
    ``numpy.bincount`` (fast on a million rows); only the few rows that repeat those are compared
    on every key.

    Examples
    --------
    >>> df = pd.DataFrame({"id": ["a", "a", "b"], "phase": ["pre", "pre", "pre"],
    ...                    "ncp": ["x", "y", "x"]})
    >>> repeated(df, ["id", "phase"]).tolist(), repeated(df, ["id", "phase", "ncp"]).tolist()
    ([True, True, False], [False, False, False])
    """
    first, n_first = value_codes(df[keys[0]])
    code = first.astype(np.int64) + 1  # 0: missing
    size = n_first + 1
    if len(keys) > 1:
        second, n_second = few_codes(df[keys[1]])
        code = code * (n_second + 1) + (second + 1)
        size *= n_second + 1
    if size <= 4 * len(df) + 1024:
        candidate = np.bincount(code, minlength=size)[code] > 1
    else:  # many distinct second keys: hash instead of counting
        candidate = pd.Series(code).duplicated(keep=False).to_numpy()
    result = np.zeros(len(df), dtype=bool)
    if candidate.any():
        result[candidate] = df.loc[candidate, keys].duplicated(keep=False).to_numpy()
    return pd.Series(result, index=df.index)
