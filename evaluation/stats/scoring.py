"""Scoring survey answers: reverse-coding, construct scores and the long (tidy) response table.

Every statistic starts from :func:`to_long`; a construct score is the mean of its items after
reverse-coding (at least ``Instrument.min_item_share`` of them answered; for a matched pair, on
the items answered both before and after), and appears in the long table as an ``item`` named
after the construct.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import cast

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


TOO_FEW_ITEMS = (
    "Answered {answered} of the {total} {construct} questions; a construct score needs at "
    "least {needed}."
)
TOO_FEW_COMMON = (
    "Answered {answered} of the {total} {construct} questions both before and after; a "
    "construct score needs at least {needed} answered both times."
)
COMMON_ITEMS = (
    "Scored before and after on the {answered} of {total} {construct} questions answered both "
    "times."
)


def items_needed(total: int, share: float) -> int:
    """The fewest answered items out of ``total`` that make at least ``share`` of them.

    Examples
    --------
    >>> items_needed(3, 0.5), items_needed(4, 0.5), items_needed(1, 0.5)
    (2, 2, 1)
    """
    return max(1, int(np.ceil(total * share - 1e-9)))


def construct_scores(
    frame: pd.DataFrame,
    instrument: Instrument,
    *,
    respondent: pd.Series | None = None,
    phase: pd.Series | None = None,
    with_reasons: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Construct score per row: the mean of the construct's answered items after reverse-coding.

    Parameters
    ----------
    frame : DataFrame
        Wide survey frame with one column per item id.
    instrument : Instrument
        Items, constructs and ``min_item_share`` (default 0.5).
    respondent, phase : Series, optional
        Identifier and ``"pre"``/``"post"`` of each row (same index as ``frame``). When given,
        a respondent with both a pre and a post row is scored in both phases on the items
        answered both times, so a change never comes from a change of questions.
    with_reasons : bool
        Also return a frame (same shape) of plain-English reasons: None, or why a score is
        missing or was worked out on fewer items.

    Returns
    -------
    DataFrame, or (DataFrame, DataFrame)
        One column per construct (same index as ``frame``). A score needs at least
        ``min_item_share`` of the construct's items (those present in ``frame``) answered,
        for a pair answered both before and after; otherwise it is NaN.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> df = pd.DataFrame({"conf_1": [4.0], "conf_2": [5.0], "conf_3": [3.0]})
    >>> construct_scores(df, default_instrument())["confidence"].tolist()
    [4.0]
    >>> one = pd.DataFrame({"conf_1": [5.0], "conf_2": [np.nan], "conf_3": [np.nan]})
    >>> construct_scores(one, default_instrument())["confidence"].tolist()  # 1 of 3 < half
    [nan]
    """
    scored = reverse_code(frame, instrument)
    share = float(instrument.min_item_share)
    pair_code, both, is_pre, is_post = _pair_codes(frame.index, respondent, phase)
    out: dict[str, pd.Series] = {}
    reasons: dict[str, pd.Series] = {}
    for construct in instrument.constructs:
        items = [i for i in instrument.items_of(construct) if i in scored]
        if not items:
            continue
        values = np.column_stack(
            [scored[i].to_numpy(dtype="float64", na_value=np.nan) for i in items]
        )
        answered = ~np.isnan(values)
        use = answered.copy()
        paired = np.zeros(len(frame), dtype=bool)
        if both is not None and both.any():
            n_keys = len(both)
            common = np.ones((n_keys, len(items)), dtype=bool)
            for mask in (is_pre, is_post):
                rows = mask & (pair_code >= 0)
                for j in range(len(items)):
                    hits = np.bincount(pair_code[rows], weights=answered[rows, j], minlength=n_keys)
                    common[:, j] &= hits > 0
            paired = (pair_code >= 0) & both[np.maximum(pair_code, 0)] & (is_pre | is_post)
            use[paired] &= common[pair_code[paired]]
        n_used = use.sum(axis=1)
        needed = items_needed(len(items), share)
        enough = n_used >= needed
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.where(use, values, 0.0).sum(axis=1) / n_used
        out[construct] = pd.Series(np.where(enough, score, np.nan), index=frame.index)
        if with_reasons:
            reason = np.full(len(frame), None, dtype=object)
            words = {"total": len(items), "construct": construct.replace("_", " ")}
            n_answered = answered.sum(axis=1)
            fewer = paired & (n_used < n_answered)
            for i in np.flatnonzero((n_answered > 0) & ~enough | fewer):
                template = (
                    TOO_FEW_ITEMS
                    if not paired[i] or n_answered[i] < needed
                    else TOO_FEW_COMMON
                    if not enough[i]
                    else COMMON_ITEMS
                )
                count = n_answered[i] if template is TOO_FEW_ITEMS else n_used[i]
                reason[i] = template.format(answered=int(count), needed=needed, **words)
            reasons[construct] = pd.Series(reason, index=frame.index, dtype=object)
    scores = pd.DataFrame(out, index=frame.index)
    if with_reasons:
        return scores, pd.DataFrame(reasons, index=frame.index)
    return scores


def _pair_codes(
    index: pd.Index, respondent: pd.Series | None, phase: pd.Series | None
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """Respondent code per row (-1: none), which codes have both phases, pre and post masks."""
    n = len(index)
    if respondent is None or phase is None:
        empty = np.zeros(n, dtype=bool)
        return np.full(n, -1, dtype=np.int64), None, empty, empty
    code, uniques = pd.factorize(respondent.reindex(index))
    code = code.astype(np.int64)
    phases = phase.reindex(index)
    is_pre = phases.eq("pre").to_numpy(dtype=bool, na_value=False)
    is_post = phases.eq("post").to_numpy(dtype=bool, na_value=False)
    known = code >= 0
    has_pre = np.bincount(code[known & is_pre], minlength=len(uniques)) > 0
    has_post = np.bincount(code[known & is_post], minlength=len(uniques)) > 0
    return code, has_pre & has_post, is_pre, is_post


def to_long(
    frame: pd.DataFrame,
    instrument: Instrument,
    *,
    keys: Sequence[str] = (c.HUB, c.NCP, c.ACADEMIC_YEAR, c.WORK_GROUP),
    constructs: bool = True,
    pair_within: Sequence[str] = (c.NCP, c.ACADEMIC_YEAR),
    outcomes: Collection[str] | None = None,
    categorical: bool = False,
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
    outcomes : collection of str, optional
        Keep only these items and construct scores (the rows of the whole table whose ``item``
        is one of them, in the same order, on a new index); construct scores are still worked
        out from every item. Default: all of them.
    categorical : bool
        Return the keys, ``respondent_id``, ``phase`` and ``item`` as categories (sorted
        categories of the same dtype as the values), about ten times smaller at national scale.
        The statistics (:class:`evaluation.stats.responses.Responses`) give the same results for
        either, with their keys in the values' dtype.

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
    >>> small = to_long(wide, default_instrument(), outcomes=["confidence"], categorical=True)
    >>> small["item"].tolist(), str(small["hub"].dtype)
    (['confidence', 'confidence'], 'category')
    """
    id_cols = [k for k in keys if k in frame] + [c.RESPONDENT_ID, c.PHASE]
    items = [i for i in instrument.item_ids if i in frame]
    # melt rebuilds object columns from tiled NumPy arrays, which infers ``str`` for text.
    ids = {k: _infer(frame[k]) if frame[k].dtype == object and items else frame[k] for k in id_cols}
    within = [k for k in pair_within if k in frame]
    if within:
        ids[c.RESPONDENT_ID] = _qualify(frame[c.RESPONDENT_ID], [frame[k] for k in within])
    construct = (
        cast(
            pd.DataFrame,
            construct_scores(
                frame[items],
                instrument,
                respondent=pd.Series(ids[c.RESPONDENT_ID], index=frame.index),
                phase=frame[c.PHASE],
            ),
        )
        if constructs
        else pd.DataFrame()
    )
    scores = [frame[i] for i in items] + [construct[k] for k in construct]
    kept = np.array([outcomes is None or s.name in outcomes for s in scores], dtype=bool)
    scores = [s for s, keep in zip(scores, kept, strict=True) if keep]

    # Melting a zero-row copy of the wide frame fixes the columns, the item names and their
    # dtype, and runs melt's own checks; the rows are built with NumPy and Arrow instead, several
    # times faster than melt at national scale (benchmarks/bench_to_long.py).
    empty = frame.iloc[:0][id_cols + items].assign(**{k: v.iloc[:0] for k, v in ids.items()})
    if constructs:
        empty = pd.concat([empty, construct.iloc[:0]], axis=1)
    columns = empty.melt(id_vars=id_cols, var_name=c.ITEM, value_name=c.SCORE).columns
    names = pd.Series(empty.drop(columns=id_cols).columns)[kept].reset_index(drop=True)

    values = np.empty((len(scores), len(frame)), dtype="float64")
    for row, column in zip(values, scores, strict=True):
        row[:] = column.to_numpy(dtype="float64", na_value=np.nan)
    del construct, scores
    answered = ~np.isnan(values)
    # Item-major, then the wide frame's row order (melt's order), unanswered items dropped.
    if categorical:
        long = _categorical_rows(ids, names, answered)
    else:
        item_of, row_of = np.nonzero(answered)
        long = {k: _take(v, row_of) for k, v in ids.items()}
        del row_of
        long[c.ITEM] = _take(names, item_of)
        del item_of
    long[c.SCORE] = values[answered]
    del values, answered
    return pd.DataFrame(long, columns=columns, copy=False)


def _categorical_rows(
    ids: dict[str, pd.Series], names: pd.Series, answered: np.ndarray
) -> dict[str, pd.Categorical]:
    """The id and ``item`` columns of the long table as categories, item after item.

    ``answered`` is items x wide rows; each column is filled item by item from its category codes,
    never through an index of every long row (at national scale that index alone is 190 MB).
    """
    counts = answered.sum(axis=1)
    long: dict[str, pd.Categorical] = {}
    for key, column in ids.items():
        category = pd.Categorical(column)
        codes = np.empty(int(counts.sum()), dtype=category.codes.dtype)
        start = 0
        for mask, count in zip(answered, counts, strict=True):
            codes[start : start + count] = category.codes[mask]
            start += count
        long[key] = pd.Categorical.from_codes(codes, dtype=category.dtype, validate=False)
    item = pd.Categorical(names)
    long[c.ITEM] = pd.Categorical.from_codes(
        np.repeat(item.codes, counts), dtype=item.dtype, validate=False
    )
    return long


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
