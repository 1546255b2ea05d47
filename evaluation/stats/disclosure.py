"""Disclosure control for every shared view: hide statistics for groups with too few respondents.

Primary suppression (:func:`suppress`), secondary suppression against recovery by subtraction
(:func:`secondary_suppress`) and display with the Government Statistical Service symbol ``[c]``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_MIN_N",
    "MIN_N_ENV",
    "SECONDARY_REASON",
    "SUPPRESSED_SYMBOL",
    "display_table",
    "resolve_min_n",
    "secondary_suppress",
    "suppress",
    "suppression_reason",
]

# The one place the default threshold lives; override per call or with IMPACT_MIN_N.
DEFAULT_MIN_N = 5
MIN_N_ENV = "IMPACT_MIN_N"
# GSS symbol for "confidential" (suppressed) values.
SUPPRESSED_SYMBOL = "[c]"
SECONDARY_REASON = "hidden so that a small group cannot be worked out from the total"


def resolve_min_n(min_n: int | None = None) -> int:
    """The threshold to use: the argument if given, else ``$IMPACT_MIN_N``, else 5.

    Examples
    --------
    >>> resolve_min_n(10)
    10
    >>> import os; os.environ.pop("IMPACT_MIN_N", None) and None
    >>> resolve_min_n()
    5
    """
    if min_n is not None:
        value = int(min_n)
        if value < 1:
            raise ValueError(f"min_n must be at least 1, not {min_n}")
        return value
    raw = os.environ.get(MIN_N_ENV, "").strip()
    if not raw:
        return DEFAULT_MIN_N
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        warnings.warn(
            f"{MIN_N_ENV}={raw!r} is not a whole number of at least 1; using {DEFAULT_MIN_N}.",
            stacklevel=2,
        )
        return DEFAULT_MIN_N
    return value


def suppression_reason(min_n: int | None = None) -> str:
    """Plain-English reason for primary suppression.

    Examples
    --------
    >>> suppression_reason(5)
    'fewer than 5 respondents'
    """
    return f"fewer than {resolve_min_n(min_n)} respondents"


def _statistic_columns(
    table: pd.DataFrame, n_col: str, columns: Sequence[str] | None, keep: Sequence[str]
) -> list[str]:
    if columns is not None:
        cols = list(dict.fromkeys([*columns, n_col]))
    else:
        cols = [
            col
            for col in table.columns
            if pd.api.types.is_numeric_dtype(table[col]) or pd.api.types.is_bool_dtype(table[col])
        ]
        if "reason" in table:  # free text can quote the numbers it explains
            cols.append("reason")
    skip = {"suppressed", "suppression_reason", *keep}
    return [col for col in cols if col in table and col not in skip]


def _blank(table: pd.DataFrame, rows: np.ndarray, columns: list[str]) -> pd.DataFrame:
    out = table.copy()
    hide = bool(np.any(rows))  # no row to hide: only the column types change
    for col in columns:
        series = out[col]
        if pd.api.types.is_bool_dtype(series):
            series = series.astype("boolean")
        elif pd.api.types.is_integer_dtype(series):
            series = series.astype("float64")
        elif not pd.api.types.is_numeric_dtype(series):
            series = series.astype(object)
        elif not hide:
            continue  # a float column stays as it is
        out[col] = series.mask(rows) if hide else series
    return out


def suppress(
    table: pd.DataFrame,
    *,
    n_col: str = "n_paired",
    min_n: int | None = None,
    columns: Sequence[str] | None = None,
    keep: Sequence[str] = (),
) -> pd.DataFrame:
    """Blank every statistic (and the count) of rows with fewer than ``min_n`` respondents.

    Parameters
    ----------
    table : DataFrame
        A results table with one row per group and a respondent count column.
    n_col : str
        The count that decides suppression (``n_paired`` for paired change).
    min_n : int, optional
        Threshold; default :data:`DEFAULT_MIN_N` (5) or ``$IMPACT_MIN_N``.
    columns : sequence of str, optional
        Statistic columns to blank; default every numeric or boolean column plus the free-text
        ``reason`` column (which can quote numbers). ``n_col`` is always blanked.
    keep : sequence of str
        Numeric identifier columns never blanked (e.g. ``school_urn``).

    Returns
    -------
    DataFrame
        Copy of ``table`` with blanked values (NaN / NA) in suppressed rows, integer columns
        turned to float, plus ``suppressed`` (bool) and ``suppression_reason`` (str or None).
        Rows already marked ``suppressed`` stay suppressed; a missing count counts as small.

    Examples
    --------
    >>> t = pd.DataFrame({"hub": ["A", "B"], "n_paired": [3, 12], "mean_change": [0.9, 0.4]})
    >>> out = suppress(t, min_n=5)
    >>> out["suppressed"].tolist(), out["mean_change"].isna().tolist()
    ([True, False], [True, False])
    >>> out.loc[0, "suppression_reason"]
    'fewer than 5 respondents'
    """
    threshold = resolve_min_n(min_n)
    n = pd.to_numeric(table[n_col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    small = ~(n >= threshold)  # NaN counts as small: nothing is shown we can't vouch for
    before = (
        table["suppressed"].fillna(False).to_numpy(dtype=bool)
        if "suppressed" in table
        else np.zeros(len(table), dtype=bool)
    )
    rows = small | before
    out = _blank(table, rows, _statistic_columns(table, n_col, columns, keep))
    reasons = (
        out["suppression_reason"].astype(object)
        if "suppression_reason" in out
        else pd.Series([None] * len(out), index=out.index, dtype=object)
    )
    reasons = reasons.where(~(small & ~before), suppression_reason(threshold))
    out["suppressed"] = rows
    out["suppression_reason"] = reasons.where(rows, None)
    return out


def secondary_suppress(
    table: pd.DataFrame,
    *,
    total: Sequence[str] | Sequence[Sequence[str]],
    n_col: str = "n_paired",
    columns: Sequence[str] | None = None,
    keep: Sequence[str] = (),
) -> pd.DataFrame:
    """Protect suppressed rows from recovery by subtraction from a shown total.

    Within each group that has a total shown (e.g. every NCP x item when the NCP total is
    published), a single suppressed row could be worked out as total minus the others. So
    wherever exactly one row of a group is suppressed, the smallest other row is suppressed
    too (ties: first in table order). With several totals (e.g. by NCP and by hub) this repeats
    until no group has exactly one suppressed row.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`suppress` (needs ``suppressed``). The original counts are read from
        ``n_col`` before blanking, so pass the table with its counts intact in unsuppressed
        rows (blanked rows are never chosen, they are already hidden).
    total : sequence of str, or sequence of sequences
        The grouping (or groupings) for which a total is shown; ``[]`` means one grand total.
    n_col, columns, keep
        As in :func:`suppress`.

    Returns
    -------
    DataFrame
        Same columns; newly hidden rows have ``suppression_reason`` =
        ``"hidden so that a small group cannot be worked out from the total"``.

    Examples
    --------
    >>> t = pd.DataFrame({"ncp": ["P"] * 3, "hub": ["A", "B", "C"], "n_paired": [3, 9, 40],
    ...                   "d_z": [1.2, 0.5, 0.4]})
    >>> out = secondary_suppress(suppress(t, min_n=5), total=["ncp"])
    >>> out["suppressed"].tolist()
    [True, True, False]
    >>> out.loc[1, "suppression_reason"]
    'hidden so that a small group cannot be worked out from the total'
    """
    if "suppressed" not in table:
        raise ValueError("run suppress() first: the table has no 'suppressed' column")
    groupings: list[list[str]]
    if len(total) and not isinstance(total[0], str):
        groupings = [list(g) for g in total]  # type: ignore[arg-type]
    else:
        groupings = [list(total)]  # type: ignore[arg-type]
    frame = table.reset_index(drop=True)
    hidden = frame["suppressed"].fillna(False).to_numpy(dtype=bool).copy()
    n = pd.to_numeric(frame[n_col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    newly = np.zeros(len(frame), dtype=bool)
    changed = True
    while changed:
        changed = False
        for keys in groupings:
            codes = (
                frame.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
                if keys
                else np.zeros(len(frame), dtype=np.intp)
            )
            for code in np.unique(codes):
                members = np.flatnonzero(codes == code)
                if hidden[members].sum() != 1:
                    continue
                candidates = members[~hidden[members]]
                if len(candidates) == 0:
                    continue
                order = np.argsort(np.nan_to_num(n[candidates], nan=np.inf), kind="stable")
                pick = candidates[order[0]]
                hidden[pick] = True
                newly[pick] = True
                changed = True
    cols = _statistic_columns(frame, n_col, columns, keep)
    out = _blank(frame, newly, cols)
    out["suppressed"] = hidden
    reasons = out["suppression_reason"].astype(object)
    out["suppression_reason"] = reasons.where(~newly, SECONDARY_REASON)
    out.index = table.index
    return out


def display_table(table: pd.DataFrame, *, digits: int | None = None) -> pd.DataFrame:
    """A copy for people to read: blanked cells of suppressed rows show ``[c]``.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`suppress` / :func:`secondary_suppress`.
    digits : int, optional
        Round floats in unsuppressed cells to this many decimals.

    Returns
    -------
    DataFrame
        Object-typed copy; the ``suppressed`` flag and reason columns are kept.

    Examples
    --------
    >>> t = suppress(pd.DataFrame({"hub": ["A", "B"], "n_paired": [2, 8], "d_z": [0.1, 0.3]}),
    ...              min_n=5)
    >>> display_table(t)[["hub", "n_paired", "d_z"]].values.tolist()
    [['A', '[c]', '[c]'], ['B', 8.0, 0.3]]
    """
    out = table.copy()
    rows = (
        out["suppressed"].fillna(False).to_numpy(dtype=bool)
        if "suppressed" in out
        else np.zeros(len(out), dtype=bool)
    )
    hide = bool(rows.any())
    # Unique column names: the new columns go into one new frame at the end, which is much
    # faster than replacing them one at a time (and gives the same frame).
    at_once = out.columns.is_unique and len(out.columns) > 0
    shown: dict = {}
    for col in out.columns:
        series = out[col]
        if col in ("suppressed", "suppression_reason"):
            shown[col] = series.reset_index(drop=True)
            continue
        if digits is not None and pd.api.types.is_float_dtype(series):
            series = series.round(digits)
        series = series.astype(object)
        series = series.mask(rows & series.isna().to_numpy(), SUPPRESSED_SYMBOL) if hide else series
        if at_once:
            shown[col] = series.reset_index(drop=True)
        else:
            out[col] = series
    if not at_once:
        return out
    frame = pd.DataFrame(shown, columns=out.columns)
    frame.index = out.index
    return frame.__finalize__(out)
