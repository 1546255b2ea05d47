"""Reliability of survey constructs: Cronbach's alpha with a Feldt confidence interval.

Also the corrected item-total (item-rest) correlations and alpha-if-item-deleted, computed for
every group at once from per-group covariance matrices (no loop over groups).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.instruments import Instrument
from evaluation.stats.groups import group_index
from evaluation.stats.scoring import reverse_code

__all__ = [
    "ALPHA_BANDS",
    "ALPHA_COLUMNS",
    "ITEM_TOTAL_COLUMNS",
    "alpha_label",
    "cronbach_alpha",
    "item_total_correlations",
]

# The one table of wording for alpha, highest band first: a value gets the first label whose
# threshold it reaches. After George & Mallery (2003), with their "poor" and "unacceptable"
# bands merged: below 0.6 the construct should not be reported as one score.
ALPHA_BANDS: tuple[tuple[float, str], ...] = (
    (0.9, "excellent (items may be redundant)"),
    (0.8, "good"),
    (0.7, "acceptable"),
    (0.6, "questionable"),
    (-np.inf, "poor"),
)

ALPHA_COLUMNS = (
    "construct",
    "n",
    "k",
    "alpha",
    "ci_low",
    "ci_high",
    "interpretation",
    "verdict",
    "reason",
)
# Fewest people for alpha to be labelled (below it the Feldt interval is far too wide to read).
ALPHA_MIN_N = 10
# Below this alpha a construct should not be reported as one score (the "poor" band).
ALPHA_ADEQUATE = 0.6
# verdict: the whole interval at or above ALPHA_ADEQUATE, the whole interval below it, or not.
RELIABLE, UNRELIABLE, UNCERTAIN = "reliable", "unreliable", "uncertain"
ITEM_TOTAL_COLUMNS = ("construct", "item", "n", "k", "r_item_rest", "alpha_if_deleted", "reason")

_NO_ITEMS = "None of this construct's questions are in the data."
_ONE_ITEM = "Alpha needs at least two questions in a construct; this one has only one."
_FEW_PEOPLE = "Fewer than two people answered every question of this construct."
_SAME_TOTAL = "Everyone had the same total on these questions, so alpha cannot be computed."
_SAME_ITEM = "Everyone gave the same answer to this question, so it cannot correlate with the rest."
_SAME_REST = (
    "Everyone had the same total on the other questions, so no correlation can be computed."
)
_FEW_FOR_LABEL = (
    "Alpha comes from only {n} people, too few to say how reliable the scale is (at least "
    "{min_n} are needed)."
)
_TWO_ITEMS_LEFT = "Alpha without this question is not shown: only one question would be left."


def alpha_label(alpha: float) -> str | None:
    """The interpretation band of ``alpha`` from :data:`ALPHA_BANDS` (None when NaN).

    Examples
    --------
    >>> alpha_label(0.83), alpha_label(0.95), alpha_label(0.41), alpha_label(float("nan"))
    ('good', 'excellent (items may be redundant)', 'poor', None)
    """
    if alpha is None or np.isnan(alpha):
        return None
    for threshold, label in ALPHA_BANDS:
        if alpha >= threshold:
            return label
    return ALPHA_BANDS[-1][1]


def cronbach_alpha(
    frame: pd.DataFrame,
    instrument: Instrument,
    *,
    by: Sequence[str] = (),
    confidence: float = 0.95,
    min_n: int = ALPHA_MIN_N,
) -> pd.DataFrame:
    """Cronbach's alpha with a Feldt confidence interval, per group x construct.

    Parameters
    ----------
    frame : DataFrame
        Wide canonical survey frame (one row per respondent per phase, one column per item id).
    instrument : Instrument
        Says which items form each construct and which are reverse-coded.
    by : sequence of str
        Grouping columns (e.g. ``["hub", "phase"]``). Rows of all phases are pooled unless
        ``phase`` is one of them; computing pre and post separately is usually what you want.
    confidence : float
        Coverage of the interval (0.95 for a 95% CI).
    min_n : int
        Fewest people for ``interpretation`` and ``verdict`` (default :data:`ALPHA_MIN_N`).

    Returns
    -------
    DataFrame
        One row per group x construct, columns ``*by, construct, n, k, alpha, ci_low, ci_high,
        interpretation, verdict, reason``: ``n`` people who answered every item of the
        construct (listwise deletion), ``k`` items, ``interpretation`` the band from
        :data:`ALPHA_BANDS` (None below ``min_n`` people), ``verdict`` from the interval:
        ``"reliable"`` (``ci_low`` >= :data:`ALPHA_ADEQUATE`), ``"unreliable"`` (``ci_high``
        below it), ``"uncertain"`` (the interval straddles it), None below ``min_n`` people;
        ``reason`` None or plain English saying why alpha or its label is missing.

    Notes
    -----
    Items are reverse-coded first (:func:`evaluation.stats.scoring.reverse_code`). Items whose
    column
    is absent or entirely empty are left out of ``k``. Within each group and construct, people
    missing any of its items are dropped (listwise deletion), then with item covariance matrix
    :math:`C` (denominator :math:`n-1`)

    .. math::
        \\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\operatorname{tr} C}{\\sum_{ij} C_{ij}}\\right)

    The interval is Feldt's F-based one (Feldt, Woodruff & Salih 1987), as in
    ``pingouin.cronbach_alpha`` and R ``psych::alpha``: with :math:`F_q` the upper-:math:`q`
    quantile of :math:`F(n-1, (n-1)(k-1))` and :math:`a = 1 - \\text{confidence}`,
    :math:`\\text{low} = 1 - (1-\\alpha) F_{a/2}` and
    :math:`\\text{high} = 1 - (1-\\alpha) F_{1-a/2}`.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika, 16(3), 297-334.
    Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for coefficient
    alpha. Applied Psychological Measurement, 11(1), 93-103.
    George, D., & Mallery, P. (2003). SPSS for Windows step by step (4th ed.). Allyn & Bacon.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> wide = pd.DataFrame({"conf_1": [1.0, 2, 3, 4, 5], "conf_2": [2.0, 2, 3, 5, 5],
    ...                      "conf_3": [5.0, 4, 3, 2, 1]})  # conf_3 is reverse-coded
    >>> row = cronbach_alpha(wide, default_instrument(), min_n=5).iloc[0]
    >>> row["construct"], int(row["n"]), int(row["k"]), round(float(row["alpha"]), 3)
    ('confidence', 5, 3, 0.986)
    >>> row["interpretation"]
    'excellent (items may be redundant)'
    """
    by = list(by)
    codes, keys = group_index(frame, by)
    n_groups = len(keys)
    parts = []
    for construct in instrument.constructs:
        stats_ = _construct_stats(frame, instrument, construct, codes, n_groups)
        n, k, cov = stats_.n, stats_.k, stats_.cov
        total_var = cov.sum(axis=(1, 2))
        trace = np.trace(cov, axis1=1, axis2=2)
        reason = np.full(n_groups, None, dtype=object)
        reason[stats_.same_total] = _SAME_TOTAL
        reason[n < 2] = _FEW_PEOPLE
        if k < 2:
            reason[:] = _ONE_ITEM if k == 1 else _NO_ITEMS
        ok = pd.isna(reason)
        alpha = np.full(n_groups, np.nan)
        if k >= 2:
            alpha[ok] = k / (k - 1) * (1 - trace[ok] / total_var[ok])
        ci_low, ci_high = _feldt_interval(alpha, n, k, ok, confidence)
        part = keys.copy()
        part["construct"] = construct
        part["n"] = n
        part["k"] = k
        part["alpha"] = alpha
        part["ci_low"] = ci_low
        part["ci_high"] = ci_high
        labelled = np.isfinite(alpha) & (n >= min_n)
        few = np.isfinite(alpha) & (n < min_n)
        for i in np.flatnonzero(few):
            reason[i] = _FEW_FOR_LABEL.format(n=int(n[i]), min_n=min_n)
        part["interpretation"] = pd.array(
            [alpha_label(a) if ok_ else None for a, ok_ in zip(alpha, labelled, strict=True)],
            dtype=object,
        )
        verdict = np.where(
            ci_low >= ALPHA_ADEQUATE,
            RELIABLE,
            np.where(ci_high < ALPHA_ADEQUATE, UNRELIABLE, UNCERTAIN),
        ).astype(object)
        verdict[~labelled | ~np.isfinite(ci_low)] = None
        part["verdict"] = pd.Series(verdict, index=part.index, dtype=object)
        part["reason"] = pd.Series(reason, index=part.index, dtype=object)
        parts.append(part)
    return _stack(parts, keys, ALPHA_COLUMNS)


def item_total_correlations(
    frame: pd.DataFrame, instrument: Instrument, *, by: Sequence[str] = ()
) -> pd.DataFrame:
    """Corrected item-total correlation and alpha-if-deleted for every item, per group.

    Parameters
    ----------
    frame : DataFrame
        Wide canonical survey frame (one column per item id).
    instrument : Instrument
        Constructs, items and reverse-coding.
    by : sequence of str
        Grouping columns; as for :func:`cronbach_alpha`.

    Returns
    -------
    DataFrame
        One row per group x item, columns ``*by, construct, item, n, k, r_item_rest,
        alpha_if_deleted, reason``: ``r_item_rest`` is the Pearson correlation of the
        (reverse-coded) item with the sum of the *other* items of its construct,
        ``alpha_if_deleted`` the construct's alpha without the item (NaN when fewer than
        three items), ``n`` and ``k`` as in :func:`cronbach_alpha` (same listwise deletion).

    Notes
    -----
    From the group's item covariance matrix :math:`C` with row sums :math:`s_j` and total
    :math:`S = \\sum_{ij} C_{ij}`: :math:`\\operatorname{cov}(x_j, R_j) = s_j - C_{jj}` and
    :math:`\\operatorname{var}(R_j) = S - 2 s_j + C_{jj}`, where :math:`R_j` is the rest score.
    A low or negative value flags an item that does not measure what the others measure (or a
    reverse-coded item that was not marked as such).

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> wide = pd.DataFrame({"conf_1": [1.0, 2, 3, 4, 5], "conf_2": [2.0, 2, 3, 5, 5],
    ...                      "conf_3": [5.0, 4, 3, 2, 1]})
    >>> table = item_total_correlations(wide, default_instrument())
    >>> table[["item", "r_item_rest"]].round(3).values.tolist()
    [['conf_1', 0.985], ['conf_2', 0.938], ['conf_3', 0.985]]
    """
    by = list(by)
    codes, keys = group_index(frame, by)
    n_groups = len(keys)
    parts = []
    for construct in instrument.constructs:
        st = _construct_stats(frame, instrument, construct, codes, n_groups)
        n, k, cov = st.n, st.k, st.cov
        total_var = cov.sum(axis=(1, 2))
        trace = np.trace(cov, axis1=1, axis2=2)
        for j, item in enumerate(st.items):
            item_var = cov[:, j, j]
            row_sum = cov[:, j, :].sum(axis=1)
            rest_var = total_var - 2 * row_sum + item_var
            reason = np.full(n_groups, None, dtype=object)
            reason[st.same_rest[:, j]] = _SAME_REST
            reason[st.same_item[:, j]] = _SAME_ITEM
            reason[n < 2] = _FEW_PEOPLE
            if k < 2:
                reason[:] = _ONE_ITEM
            ok = pd.isna(reason)
            r = np.full(n_groups, np.nan)
            r[ok] = (row_sum[ok] - item_var[ok]) / np.sqrt(item_var[ok] * rest_var[ok])
            alpha_del = np.full(n_groups, np.nan)
            ok_del = (n >= 2) & ~st.same_rest[:, j]
            if k >= 3:
                alpha_del[ok_del] = (
                    (k - 1) / (k - 2) * (1 - (trace[ok_del] - item_var[ok_del]) / rest_var[ok_del])
                )
            elif k == 2:
                reason[ok] = _TWO_ITEMS_LEFT
            part = keys.copy()
            part["construct"] = construct
            part["item"] = item
            part["n"] = n
            part["k"] = k
            part["r_item_rest"] = r
            part["alpha_if_deleted"] = alpha_del
            part["reason"] = pd.Series(reason, index=part.index, dtype=object)
            parts.append(part)
    return _stack(parts, keys, ITEM_TOTAL_COLUMNS)


class _ConstructStats:
    """Per-group sample size and item covariance matrices of one construct."""

    def __init__(
        self,
        items: list[str],
        n: np.ndarray,
        cov: np.ndarray,
        same_total: np.ndarray,
        same_item: np.ndarray,
        same_rest: np.ndarray,
    ) -> None:
        self.items, self.n, self.cov = items, n, cov
        self.same_total, self.same_item, self.same_rest = same_total, same_item, same_rest

    @property
    def k(self) -> int:
        return len(self.items)


def _construct_stats(
    frame: pd.DataFrame,
    instrument: Instrument,
    construct: str,
    codes: np.ndarray,
    n_groups: int,
) -> _ConstructStats:
    items = [i for i in instrument.items_of(construct) if i in frame and frame[i].notna().any()]
    k = len(items)
    scored = reverse_code(frame[items], instrument).to_numpy(dtype="float64")
    complete = ~np.isnan(scored).any(axis=1) if k else np.zeros(len(frame), dtype=bool)
    x = scored[complete]
    g = codes[complete]
    n = np.bincount(g, minlength=n_groups)
    cov = np.zeros((n_groups, k, k))
    with np.errstate(invalid="ignore", divide="ignore"):
        sums = np.zeros((n_groups, k))
        for j in range(k):
            sums[:, j] = np.bincount(g, x[:, j], minlength=n_groups)
        dev = x - (sums / n[:, None])[g]  # two-pass: centre first, for accuracy
        for a in range(k):
            for b in range(a, k):
                cross = np.bincount(g, dev[:, a] * dev[:, b], minlength=n_groups) / (n - 1)
                cov[:, a, b] = cov[:, b, a] = cross
    # "Everyone the same" is decided exactly from each group's range, not from a float variance.
    total = x.sum(axis=1)
    spread = _group_range(np.column_stack([total, x, total[:, None] - x]), g, n_groups) == 0
    same_total = spread[:, 0]
    same_item = spread[:, 1 : 1 + k]
    same_rest = spread[:, 1 + k :]
    return _ConstructStats(items, n, cov, same_total, same_item, same_rest)


def _group_range(values: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Per-group max - min of each column (NaN for empty groups)."""
    table = pd.DataFrame(values).groupby(codes)
    spread = (table.max() - table.min()).reindex(range(n_groups))
    return spread.to_numpy(dtype="float64")


def _feldt_interval(
    alpha: np.ndarray, n: np.ndarray, k: int, ok: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    low = np.full(len(alpha), np.nan)
    high = np.full(len(alpha), np.nan)
    if k < 2 or not ok.any():
        return low, high
    tail = 1 - confidence
    df1 = n[ok] - 1.0
    df2 = df1 * (k - 1)
    low[ok] = 1 - (1 - alpha[ok]) * stats.f.isf(tail / 2, df1, df2)
    high[ok] = 1 - (1 - alpha[ok]) * stats.f.isf(1 - tail / 2, df1, df2)
    return low, high


def _stack(parts: list[pd.DataFrame], keys: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    cols = [*keys.columns, *columns]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)[cols]
    for col in ("n", "k"):
        out[col] = out[col].astype("int64")
    return out
