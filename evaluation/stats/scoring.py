"""Scoring survey answers: reverse-coding, construct scores and the long (tidy) response table.

Every statistic starts from :func:`to_long`; a construct score is the mean of its items after
reverse-coding, and appears in the long table as an ``item`` named after the construct.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evaluation import columns as c
from evaluation.instruments import Instrument

__all__ = ["construct_scores", "reverse_code", "to_long"]


def reverse_code(frame: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Return a copy of ``frame`` with reverse-coded items scored ``min + max - x``.

    Parameters
    ----------
    frame : DataFrame
        Wide survey frame with one column per item id.
    instrument : Instrument
        Says which items are reversed and the scale's end points.

    Returns
    -------
    DataFrame
        Same shape; only reverse-coded item columns change.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> df = pd.DataFrame({"conf_3": [1.0, 5.0, None]})
    >>> reverse_code(df, default_instrument())["conf_3"].tolist()
    [5.0, 1.0, nan]
    """
    out = frame.copy()
    flip = instrument.scale_min + instrument.scale_max
    for item in instrument.reverse_items:
        if item in out:
            out[item] = flip - out[item]
    return out


def construct_scores(frame: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Construct score per row: the mean of the construct's answered items after reverse-coding.

    Returns a frame with one column per construct (same index as ``frame``). A respondent who
    answered none of a construct's items gets NaN for it.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> df = pd.DataFrame({"conf_1": [4.0], "conf_2": [5.0], "conf_3": [3.0]})
    >>> construct_scores(df, default_instrument())["confidence"].tolist()
    [4.0]
    """
    scored = reverse_code(frame, instrument)
    out = {}
    for construct in instrument.constructs:
        items = [i for i in instrument.items_of(construct) if i in scored]
        if items:
            out[construct] = scored[items].mean(axis=1, skipna=True)
    return pd.DataFrame(out, index=frame.index)


def to_long(
    frame: pd.DataFrame,
    instrument: Instrument,
    *,
    keys: Sequence[str] = (c.HUB, c.NCP, c.ACADEMIC_YEAR, c.WORK_GROUP),
    constructs: bool = True,
    pair_within: Sequence[str] = (c.NCP, c.ACADEMIC_YEAR),
) -> pd.DataFrame:
    """Reshape a wide survey frame to one row per respondent x phase x item.

    Parameters
    ----------
    frame : DataFrame
        Wide survey frame (canonical columns plus one column per item id).
    instrument : Instrument
        Names the item columns and constructs.
    keys : sequence of str
        Grouping columns to carry along (those absent from ``frame`` are skipped).
    constructs : bool
        Also add each construct score as an ``item`` named after the construct.
    pair_within : sequence of str
        A pre and a post answer belong together only within one participation: the same person
        in two projects, or in two years, is two pairs, not one. The ``respondent_id`` of the long
        table is therefore qualified by these columns (those present in ``frame``), whatever
        ``keys`` are. A missing identifier stays missing (unpaired).

    Returns
    -------
    DataFrame
        Columns ``*keys, respondent_id, phase, item, score``, with ``respondent_id`` qualified
        by ``pair_within`` (``"code|project|year"``); raw item scores are *not*
        reverse-coded (so they read as answered); construct scores are. Unanswered items
        are dropped.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> wide = pd.DataFrame({"respondent_id": ["a", "a"], "phase": ["pre", "post"],
    ...                      "hub": ["Solent Maths Hub"] * 2, "conf_1": [2.0, 4.0]})
    >>> long = to_long(wide, default_instrument(), constructs=False)
    >>> long[["phase", "item", "score"]].values.tolist()
    [['pre', 'conf_1', 2.0], ['post', 'conf_1', 4.0]]
    """
    id_cols = [k for k in keys if k in frame] + [c.RESPONDENT_ID, c.PHASE]
    items = [i for i in instrument.item_ids if i in frame]
    construct = construct_scores(frame[items], instrument) if constructs else pd.DataFrame()
    scores = [frame[i] for i in items] + [construct[k] for k in construct]
    # melt rebuilds object columns from tiled NumPy arrays, which infers ``str`` for text.
    ids = {
        k: _infer(frame[k]) if frame[k].dtype == object and scores else frame[k] for k in id_cols
    }
    within = [k for k in pair_within if k in frame]
    if within:
        ids[c.RESPONDENT_ID] = _qualify(frame[c.RESPONDENT_ID], [frame[k] for k in within])

    # Melting a zero-row copy of the wide frame fixes the columns, the item names and their
    # dtype, and runs melt's own checks; the rows are built with NumPy and Arrow instead, several
    # times faster than melt at national scale (benchmarks/bench_to_long.py).
    empty = frame.iloc[:0][id_cols + items].assign(**{k: v.iloc[:0] for k, v in ids.items()})
    if constructs:
        empty = pd.concat([empty, construct.iloc[:0]], axis=1)
    columns = empty.melt(id_vars=id_cols, var_name=c.ITEM, value_name=c.SCORE).columns
    names = pd.Series(empty.drop(columns=id_cols).columns)

    values = np.empty((len(scores), len(frame)), dtype="float64")
    for row, column in zip(values, scores, strict=True):
        row[:] = column.to_numpy(dtype="float64", na_value=np.nan)
    answered = ~np.isnan(values)
    # Item-major, then the wide frame's row order (melt's order), unanswered items dropped.
    item_of, row_of = np.nonzero(answered)
    long = {k: _take(v, row_of) for k, v in ids.items()}
    long[c.ITEM] = _take(names, item_of)
    long[c.SCORE] = values[answered]
    return pd.DataFrame(long, columns=columns)


def _qualify(respondent: pd.Series, within: list[pd.Series]) -> pd.Series:
    """``"code|project|year"`` per row; missing when the code (or any qualifier) is missing."""
    parts = [respondent.astype("str"), *(k.astype("str") for k in within)]
    if all(isinstance(p.array, pd.arrays.ArrowStringArray) for p in parts):
        arrays = [pa.array(p.array) for p in parts]
        joined = pc.binary_join_element_wise(*arrays, pa.scalar("|", arrays[0].type))
        qualified = pd.Series(pd.array(joined, dtype=parts[0].dtype), index=respondent.index)
    else:
        qualified = parts[0].str.cat(parts[1:], sep="|")
    return qualified.where(respondent.notna())


def _infer(column: pd.Series) -> pd.Series:
    """An object column as a DataFrame built from its values would type it (text -> ``str``)."""
    return pd.DataFrame({column.name: column.to_numpy()}, index=column.index)[column.name]


def _take(column: pd.Series, rows: np.ndarray) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """``column`` at positions ``rows``, keeping its dtype (Arrow's take for Arrow strings)."""
    if isinstance(column.array, pd.arrays.ArrowStringArray):
        taken = pa.array(column.array).take(pa.array(rows))
        return pd.array(taken, dtype=column.dtype)
    return column.array.take(rows)
