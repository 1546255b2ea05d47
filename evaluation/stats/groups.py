"""The group index every statistic shares (an integer code per row, one row of keys per group),
and which rows are the project's own (comparison-group rows take part in impact only).

Each statistics function is vectorised across groups: it turns its ``by`` columns into group codes
once (here), then works with ``np.bincount`` and friends on those codes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from evaluation import columns as c

__all__ = ["NO_ARM_REASON", "NO_COMPARISON_REASON", "arm_of", "group_index", "project_rows"]

# Why a group has no impact estimate when one arm has no rows (stats.impact's ``reason``).
NO_ARM_REASON = (
    "There is no {arm} group here: impact needs both an intervention and a comparison group."
)
# The ``reason`` of a group with project rows and no comparison rows: its results are change only.
NO_COMPARISON_REASON = NO_ARM_REASON.format(arm=c.COMPARISON)

# Combined codes stay below this, so that they never overflow int64.
_MAX_CODE = 2**62


def group_index(frame: pd.DataFrame, by: Sequence[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer group code per row, and the key table (row ``g`` holds the keys of group ``g``).

    Groups are sorted by their keys, a missing key after every value, like
    ``frame.groupby(by, sort=True, dropna=False, observed=True).ngroup()``; only combinations that
    occur are groups. The key table keeps the dtypes of ``frame``. With no ``by``, every row is in
    group 0 and the key table has one row and no columns.

    Parameters
    ----------
    frame : DataFrame
        The rows to group.
    by : sequence of str
        Key columns of ``frame``.

    Returns
    -------
    codes : ndarray of int64
        The group of each row of ``frame`` (0 .. number of groups - 1).
    keys : DataFrame
        One row per group, with the ``by`` columns, on a default index.

    Examples
    --------
    >>> frame = pd.DataFrame({"hub": ["B", "A", None, "B"], "year": [1, 2, 1, 1]})
    >>> codes, keys = group_index(frame, ["hub", "year"])
    >>> codes.tolist()
    [1, 0, 2, 1]
    >>> keys.values.tolist()
    [['A', 2], ['B', 1], [nan, 1]]
    >>> frame.groupby(["hub", "year"], dropna=False).ngroup().tolist()
    [1, 0, 2, 1]
    """
    keys = list(by)
    if not keys:
        return np.zeros(len(frame), dtype=np.int64), pd.DataFrame(index=range(1))
    combined = np.zeros(len(frame), dtype=np.int64)
    size = 1
    for key in keys:
        # pd.factorize works on Arrow strings directly (no Python objects), hence fast.
        codes, uniques = pd.factorize(frame[key], sort=True)
        codes = codes.astype(np.int64)  # a copy of its own, changed in place below
        codes[codes < 0] = len(uniques)
        if size * (len(uniques) + 1) > _MAX_CODE:  # renumber what occurs (order kept)
            _, combined = np.unique(combined, return_inverse=True)
            size = int(combined.max()) + 1 if len(combined) else 1
        combined *= len(uniques) + 1  # in place: each copy of a national long table's is 90 MB
        combined += codes
        del codes
        size *= len(uniques) + 1
    if size <= 4 * len(frame) + 1_000_000:  # few possible groups: count, don't sort
        present = np.flatnonzero(np.bincount(combined, minlength=size))
        lookup = np.zeros(size, dtype=np.int64)
        lookup[present] = np.arange(len(present))
        gid = lookup[combined]
    else:
        present, gid = np.unique(combined, return_inverse=True)
    first = np.zeros(len(present), dtype=np.int64)
    first[gid[::-1]] = np.arange(len(gid) - 1, -1, -1)  # first row of each group
    groups = frame[keys].iloc[first].reset_index(drop=True)
    return gid.astype(np.int64), groups


def project_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of the project's own participants: comparison-group rows left out.

    Change (before and after) is about the people in the programme; a comparison group's rows
    (``group == "comparison"``, see :mod:`evaluation.stats.impact`) only take part in impact.
    A frame without a ``group`` column is returned as it is (no copy).

    Examples
    --------
    >>> rows = pd.DataFrame({"group": ["intervention", "comparison", None], "score": [1, 2, 3]})
    >>> project_rows(rows)["score"].tolist()
    [1, 3]
    >>> plain = pd.DataFrame({"score": [1]})
    >>> project_rows(plain) is plain
    True
    """
    if c.GROUP not in frame:
        return frame
    return frame[arm_of(frame).ne(c.COMPARISON).to_numpy(dtype=bool)]


def arm_of(frame: pd.DataFrame) -> pd.Series:
    """Each row's arm, ``"intervention"`` or ``"comparison"`` (lower case).

    A row that does not say (no ``group`` column, or a blank in it, as in a file uploaded
    without one) is the project's own: ``"intervention"``.

    Examples
    --------
    >>> arm_of(pd.DataFrame({"group": ["Comparison", None]})).tolist()
    ['comparison', 'intervention']
    >>> arm_of(pd.DataFrame({"score": [1]})).tolist()
    ['intervention']
    """
    if c.GROUP not in frame:
        return pd.Series(c.INTERVENTION, index=frame.index, dtype=object)
    arm = frame[c.GROUP].astype("string").str.lower()
    return arm.fillna(c.INTERVENTION).astype(object)
