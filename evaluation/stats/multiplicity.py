"""Adjusting p-values for testing many items at once: Holm (default) and Benjamini-Hochberg.

Adjustment happens within a *family* of tests, vectorised across every family in one pass. Our
family is the items of one instrument within one group; construct scores form a family of their own.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from evaluation import columns as c
from evaluation.instruments import default_instrument

__all__ = [
    "METHODS",
    "adjust_pvalues",
    "adjust_table",
    "adjust_within",
    "default_constructs",
    "family_ids",
    "resolve_method",
]

# Accepted spellings of each method -> canonical name; None / "none" switches adjustment off.
METHODS = {
    "holm": "holm",
    "bh": "bh",
    "fdr_bh": "bh",
    "benjamini-hochberg": "bh",
    "benjamini_hochberg": "bh",
    "none": "none",
}


def resolve_method(method: str | None) -> str:
    """Canonical method name: ``"holm"``, ``"bh"`` or ``"none"``.

    Examples
    --------
    >>> resolve_method("fdr_bh"), resolve_method(None)
    ('bh', 'none')
    """
    if method is None:
        return "none"
    key = str(method).strip().lower()
    if key not in METHODS:
        raise ValueError(f"adjust must be one of {sorted(METHODS)} or None, not {method!r}")
    return METHODS[key]


def adjust_within(p: ArrayLike, family: ArrayLike, *, method: str | None = "holm") -> np.ndarray:
    """Adjusted p-values, each family of tests adjusted separately, all families at once.

    Parameters
    ----------
    p : array
        Unadjusted p-values; NaN means "no test" and is left out of its family's count.
    family : array
        Family label (any hashable) or integer id per p-value, same length as ``p``.
    method : {"holm", "bh"} or None
        Holm's step-down family-wise error control (default) or the Benjamini-Hochberg false
        discovery rate; None returns ``p`` unchanged.

    Returns
    -------
    ndarray
        Adjusted p-values in the order given; NaN where ``p`` is NaN.

    Notes
    -----
    Within a family of :math:`m` tests with sorted p-values :math:`p_{(1)} \\le \\dots \\le
    p_{(m)}`:

    .. math:: \\text{Holm:}\\quad \\tilde p_{(i)} = \\max_{j \\le i}
              \\min\\{1, (m - j + 1)\\, p_{(j)}\\}

    .. math:: \\text{BH:}\\quad \\tilde p_{(i)} = \\min_{j \\ge i}
              \\min\\{1, m\\, p_{(j)} / j\\}

    the values ``statsmodels.stats.multitest.multipletests`` gives for ``"holm"`` and
    ``"fdr_bh"``. The running maximum / minimum is a grouped cumulative operation, so any
    number of families costs one sort.

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scandinavian
    Journal of Statistics*, 6(2), 65-70.
    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate. *Journal of the
    Royal Statistical Society B*, 57(1), 289-300.

    Examples
    --------
    >>> adjust_within([0.01, 0.04, 0.03, 0.2], ["a", "a", "a", "b"]).round(4).tolist()
    [0.03, 0.06, 0.06, 0.2]
    >>> adjust_within([0.01, 0.04, 0.03], [1, 1, 1], method="bh").round(4).tolist()
    [0.03, 0.04, 0.04]
    """
    method = resolve_method(method)
    p = np.asarray(p, dtype="float64")
    if method == "none":
        return p.copy()
    codes = np.asarray(pd.factorize(np.asarray(family, dtype=object), use_na_sentinel=False)[0])
    out = np.full(p.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    if tested.size == 0:
        return out
    fam, pv = codes[tested], p[tested]
    order = np.lexsort((pv, fam))
    fam, pv = fam[order], pv[order]
    m = np.bincount(fam)
    start = np.cumsum(m) - m
    rank = np.arange(fam.size) - start[fam] + 1  # 1-based position within the family
    size = m[fam]
    groups = pd.Series(fam)
    if method == "holm":
        raw = np.minimum(1.0, (size - rank + 1) * pv)
        adjusted = pd.Series(raw).groupby(groups).cummax().to_numpy()
    else:
        raw = np.minimum(1.0, size / rank * pv)
        backwards = pd.Series(raw[::-1]).groupby(groups.iloc[::-1].to_numpy()).cummin()
        adjusted = backwards.to_numpy()[::-1]
    out[tested[order]] = adjusted
    return out


def adjust_pvalues(p: ArrayLike, *, method: str | None = "holm") -> np.ndarray:
    """Adjust one family of p-values (see :func:`adjust_within`).

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.02, 0.03]).round(4).tolist()
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(p, dtype="float64")
    return adjust_within(p, np.zeros(p.shape, dtype=int), method=method)


def family_ids(results: pd.DataFrame, by: Sequence[str], constructs: Collection[str]) -> np.ndarray:
    """The multiplicity family of each result row: its group, and item or construct.

    Parameters
    ----------
    results : DataFrame
        Result table with the ``by`` columns and ``item``.
    by : sequence of str
        Group keys: each combination of their values is a separate family.
    constructs : collection of str
        Names of the construct scores; rows for them form their own family within each group
        (a construct is built from its items, so testing both in one family would count the
        same evidence twice).

    Returns
    -------
    ndarray of int
        Family id per row.

    Examples
    --------
    >>> res = pd.DataFrame({"hub": ["A", "A", "A", "B"],
    ...                     "item": ["conf_1", "conf_2", "confidence", "conf_1"]})
    >>> family_ids(res, ["hub"], {"confidence"}).tolist()
    [0, 0, 1, 2]
    """
    kind = results[c.ITEM].isin(list(constructs)).to_numpy()
    keys = pd.DataFrame({k: results[k].to_numpy() for k in by})
    keys["_construct"] = kind
    return keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup().to_numpy()


def default_constructs() -> tuple[str, ...]:
    """Construct names of the default instrument (they form their own multiplicity family).

    Examples
    --------
    >>> default_constructs()
    ('confidence', 'subject_knowledge', 'practice')
    """
    return tuple(default_instrument().constructs)


def adjust_table(
    table: pd.DataFrame, by: Sequence[str], adjust: str | None, constructs: Collection[str] | None
) -> pd.DataFrame:
    """Fill ``p_adj`` of a change table from ``p_t``, family by family, and tidy ``reason``.

    Parameters
    ----------
    table : DataFrame
        A results table of :mod:`evaluation.stats.paired` / :mod:`evaluation.stats.unpaired`
        (``by`` columns, ``item``, ``p_t``, ``reason``); changed in place and returned.
    by : sequence of str
        Group keys (each group is a family, see :func:`family_ids`).
    adjust : {"holm", "bh"} or None
        Method (:func:`resolve_method`); None copies ``p_t`` to ``p_adj``.
    constructs : collection of str, optional
        Which ``item`` values are construct scores (default: :func:`default_constructs`).

    Returns
    -------
    DataFrame
        ``table``, with ``p_adj`` and with ``reason`` None (not NaN) where nothing is explained.

    Examples
    --------
    >>> table = pd.DataFrame({"item": ["conf_1", "conf_2", "confidence"],
    ...                       "p_t": [0.01, 0.04, 0.03], "reason": [None, None, None]})
    >>> adjust_table(table, [], "holm", None)["p_adj"].round(4).tolist()
    [0.02, 0.04, 0.03]
    """
    method = resolve_method(adjust)
    if method == "none":
        table["p_adj"] = table["p_t"].to_numpy(dtype="float64")
    else:
        names = default_constructs() if constructs is None else tuple(constructs)
        families = family_ids(table, list(by), names)
        table["p_adj"] = adjust_within(
            table["p_t"].to_numpy(dtype="float64"), families, method=method
        )
    # None (not NaN) where there is nothing to explain.
    given = table["reason"]
    if isinstance(given.dtype, pd.StringDtype):  # text or missing: converted in one step
        reasons = given.to_numpy(dtype=object, na_value=None)
    else:
        reasons = [r if isinstance(r, str) else None for r in given]
    table["reason"] = pd.Series(reasons, index=table.index, dtype=object)
    return table
