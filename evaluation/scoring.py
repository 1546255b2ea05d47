"""Scoring survey answers: reverse-coding, construct scores and the long (tidy) response table.

Every statistic starts from :func:`to_long`; a construct score is the mean of its items after
reverse-coding, and appears in the long table as an ``item`` named after the construct.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from evaluation import columns as c
from evaluation.instruments import Instrument


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
    parts = [frame[id_cols + items]]
    within = [k for k in pair_within if k in frame]
    if within:
        respondent = frame[c.RESPONDENT_ID].astype("str")
        qualified = respondent.str.cat([frame[k].astype("str") for k in within], sep="|")
        parts[0] = parts[0].assign(
            **{c.RESPONDENT_ID: qualified.where(frame[c.RESPONDENT_ID].notna())}
        )
    if constructs:
        parts.append(construct_scores(frame[items], instrument))
    wide = pd.concat(parts, axis=1)
    long = wide.melt(id_vars=id_cols, var_name=c.ITEM, value_name=c.SCORE)
    long = long.dropna(subset=[c.SCORE])
    long[c.SCORE] = long[c.SCORE].astype("float64")
    return long.reset_index(drop=True)
