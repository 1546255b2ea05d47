"""Likert answers: turning labels ("Strongly agree") and numbers given as text into scores.

Mapping works on a column's distinct values only, so a million answers cost one dictionary
look-up per distinct answer; it also tells which label set (agreement, confidence, frequency) a
column of answers uses, which is how items are detected in a file with no instrument.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from schemas import reference

__all__ = ["NOT_ANSWERED", "ScoredColumn", "label_key", "label_sets", "profile", "score_column"]

# Answers that mean "no answer", not a wrong answer.
NOT_ANSWERED = frozenset(
    {"", "n a", "na", "not applicable", "prefer not to say", "don t know", "dont know", "skip"}
)


def label_key(value: object) -> str:
    """Comparison key for an answer: casefolded, inner spaces collapsed, punctuation dropped.

    Examples
    --------
    >>> label_key("  Strongly   AGREE ")
    'strongly agree'
    """
    text = "".join(ch if ch.isalnum() else " " for ch in str(value).casefold())
    return " ".join(text.split())


@cache
def label_sets() -> dict[str, dict[str, int]]:
    """Label set name -> {answer key: score} from the reference table.

    Examples
    --------
    >>> label_sets()["agreement"]["strongly agree"]
    5
    >>> label_sets()["frequency"]["never"]
    1
    """
    table = reference.likert_labels()
    out: dict[str, dict[str, int]] = {}
    for label_set, score, label in zip(
        table["label_set"], table["score"], table["label"], strict=True
    ):
        out.setdefault(str(label_set), {})[label_key(label)] = int(score)
    return out


def _number(value: object) -> float | None:
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if np.isfinite(number) else None


@dataclass(frozen=True)
class ScoredColumn:
    """Scores for one column of answers.

    Attributes
    ----------
    scores : numpy.ndarray
        float64 score per row; NaN where unanswered or not recognised.
    unrecognised : numpy.ndarray
        bool per row: an answer was given but is neither a label of the set nor a number.
    label_set : str
        The label set the answers were read with.
    """

    scores: np.ndarray
    unrecognised: np.ndarray
    label_set: str


def profile(values: pd.Series) -> tuple[str | None, float, float]:
    """Which label set a column of answers uses and how well it fits.

    Returns ``(label_set, label_share, integer_share)``: the best-fitting label set (None when no
    answer is a label), the share of non-empty answers that are its labels, and the share that are
    whole numbers 1-5. Both shares are 0 for a column with no answers.

    Examples
    --------
    >>> profile(pd.Series(["Agree", "strongly agree", "Disagree", ""]))
    ('agreement', 1.0, 0.0)
    >>> profile(pd.Series(["4", "5", "2"]))[2]
    1.0
    """
    counts = values.value_counts(dropna=True)
    raw = list(counts.index)
    keys = [label_key(v) for v in raw]
    weights = counts.to_numpy()
    answered = np.array([k not in NOT_ANSWERED for k in keys], dtype=bool)
    total = weights[answered].sum() if len(weights) else 0
    if total == 0:
        return None, 0.0, 0.0
    best, best_share = None, 0.0
    for name, labels in label_sets().items():
        share = weights[np.array([k in labels for k in keys], dtype=bool)].sum() / total
        if share > best_share:
            best, best_share = name, float(share)
    ints = np.array([(n := _number(v)) is not None and n in (1, 2, 3, 4, 5) for v in raw])
    int_share = float(weights[ints].sum() / total) if len(ints) else 0.0
    return best, best_share, int_share


def score_column(values: pd.Series, label_set: str | None) -> ScoredColumn:
    """Scores for a column of answers written as labels of ``label_set`` or as numbers.

    Numbers are kept as they are (range checks happen in validation); labels of the set map to
    their scores; empty answers and "N/A"-like answers are NaN; anything else is NaN and flagged.

    Examples
    --------
    >>> col = score_column(pd.Series(["Strongly agree ", "4", "", "Agreee", None]), "agreement")
    >>> col.scores.tolist()
    [5.0, 4.0, nan, nan, nan]
    >>> col.unrecognised.tolist()
    [False, False, False, True, False]
    """
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        scores = values.to_numpy(dtype=float, na_value=np.nan)
        return ScoredColumn(scores, np.zeros(len(scores), dtype=bool), label_set or "")
    labels = label_sets().get(label_set or "", {})
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = np.full(len(uniques) + 1, np.nan)
    bad = np.zeros(len(uniques) + 1, dtype=bool)
    for i, value in enumerate(uniques):
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            mapped[i] = float(value)
            continue
        key = label_key(value)
        if key in labels:
            mapped[i] = labels[key]
        elif (number := _number(value)) is not None:
            mapped[i] = number
        elif key not in NOT_ANSWERED:
            bad[i] = True
    return ScoredColumn(scores=mapped[codes], unrecognised=bad[codes], label_set=label_set or "")
