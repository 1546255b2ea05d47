"""Small wording helpers every reading shares: numbers, counts, plurals, the hidden-[c] note.

The suppression minimum in a sentence is always :func:`evaluation.stats.disclosure.resolve_min_n`
(``$IMPACT_MIN_N``, default 5) unless the caller passes the one its result tables used.
"""

from __future__ import annotations

import math
from typing import Any, TypeGuard

import pandas as pd

from evaluation.stats.disclosure import SUPPRESSED_SYMBOL, resolve_min_n

__all__ = [
    "amount",
    "count_of",
    "count_text",
    "hidden_hubs_note",
    "hidden_note",
    "is_number",
    "num",
    "outcome_name",
    "plural",
    "suppression_rule",
    "text_of",
]


def is_number(value: Any) -> TypeGuard[float]:
    """True for a finite number (not None, text, NaN or infinity).

    Examples
    --------
    >>> is_number(0.5), is_number(float("nan")), is_number("1"), is_number(None)
    (True, False, False, False)
    """
    # A TypeGuard so the type checker knows float(value) is safe after the check.
    if value is None or isinstance(value, (str, bytes)):
        return False
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    return math.isfinite(number)


def num(value: object) -> float:
    """``value`` as a float, NaN when it is not a number.

    Examples
    --------
    >>> num("0.25"), math.isnan(num(None))
    (0.25, True)
    """
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def count_text(value: Any) -> str:
    """A head count with thousands separators, as the annual report writes them.

    Examples
    --------
    >>> count_text(7770.0), count_text(None)
    ('7,770', 'an unknown number of')
    """
    return f"{int(value):,}" if is_number(value) else "an unknown number of"


def text_of(value: Any) -> str:
    """A cell as stripped text; missing is ``""``.

    Examples
    --------
    >>> text_of("  why "), text_of(float("nan"))
    ('why', '')
    """
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    return str(value).strip()


def amount(value: float, unit: str, *, digits: int = 1) -> str:
    """``|value|`` to ``digits`` decimals with its unit, singular for exactly 1 ("1.0 point").

    Examples
    --------
    >>> amount(-1.04, "points"), amount(2.35, "marks"), amount(0.04, "points", digits=2)
    ('1.0 point', '2.4 marks', '0.04 points')
    """
    text = f"{abs(float(value)):.{digits}f}"
    return f"{text} {unit[:-1] if float(text) == 1 else unit}"


# Plural nouns for people whose singular is not the plural without its "s".
_SINGULAR = {"people": "person", "matched people": "matched person"}


def count_of(value: Any, noun: str) -> str:
    """A head count (thousands separators) with its plural noun, singular for exactly one.

    ``noun`` is the plural ("pupils", "teachers", "people").

    Examples
    --------
    >>> count_of(1, "pupils"), count_of(1, "people"), count_of(7770.0, "teachers")
    ('1 pupil', '1 person', '7,770 teachers')
    >>> count_of(None, "schools")
    'an unknown number of schools'
    """
    text = count_text(value)
    if text != "1":
        return f"{text} {noun}"
    return f"1 {_SINGULAR.get(noun, noun[:-1] if noun.endswith('s') else noun)}"


def plural(n: int, word: str) -> str:
    """``n`` and ``word``, with an ``s`` unless ``n`` is 1.

    Examples
    --------
    >>> plural(1, "hub"), plural(3, "hub")
    ('1 hub', '3 hubs')
    """
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def outcome_name(name: str) -> str:
    """An outcome (construct or item id) as a name: ``subject_knowledge`` -> ``Subject knowledge``.

    Examples
    --------
    >>> outcome_name("subject_knowledge")
    'Subject knowledge'
    """
    return str(name).replace("_", " ").capitalize()


def hidden_note(
    n: int,
    what: str,
    *,
    who: str = "people",
    verb: str = "hidden",
    min_n: int | None = None,
) -> str:
    """The note under a chart that hides small groups: how many and why.

    Parameters
    ----------
    n : int
        How many rows (hubs, years, projects) are hidden.
    what : str
        What a row is, singular ("hub").
    who : str
        Who is counted ("people", "matched people", "participants").
    verb : str
        "hidden" or "not drawn".
    min_n : int, optional
        The suppression minimum the table used; default ``$IMPACT_MIN_N`` (or 5).

    Examples
    --------
    >>> hidden_note(2, "hub", min_n=10)
    '2 hubs hidden [c]: fewer than 10 people.'
    """
    return f"{plural(n, what)} {verb} {SUPPRESSED_SYMBOL}: fewer than {resolve_min_n(min_n)} {who}."


def hidden_hubs_note(
    hubs: pd.DataFrame, *, verb: str = "hidden", min_n: int | None = None
) -> list[str]:
    """Why hubs of a hub table are hidden, primary and secondary reasons apart.

    Parameters
    ----------
    hubs : DataFrame
        A hub table with ``suppressed`` and, when known, ``suppression_kind`` (``"small"``:
        fewer respondents than the minimum; ``"secondary"``: hidden so that a small hub cannot
        be worked out from the others), as :func:`evaluation.stats.national.hub_effects`.
        Hidden rows without a kind count as small.
    verb : str
        "hidden" or "not drawn".
    min_n : int, optional
        The suppression minimum; default ``$IMPACT_MIN_N`` (or 5).

    Examples
    --------
    >>> t = pd.DataFrame({"suppressed": [True, True, False],
    ...                   "suppression_kind": ["small", "secondary", None]})
    >>> for line in hidden_hubs_note(t, min_n=10):
    ...     print(line)
    1 hub hidden [c]: fewer than 10 people.
    1 hub with enough people hidden [c] as well, so the smaller hidden hubs cannot be worked out from the others.
    """  # noqa: E501
    if "suppressed" not in hubs:
        return []
    hidden = hubs["suppressed"].fillna(False).astype(bool)
    kind = hubs.get("suppression_kind", pd.Series(None, index=hubs.index, dtype=object))
    secondary = int((hidden & kind.astype(object).eq("secondary")).sum())
    small = int(hidden.sum()) - secondary
    lines = []
    if small:
        lines.append(hidden_note(small, "hub", verb=verb, min_n=min_n))
    if secondary:
        lines.append(
            f"{plural(secondary, 'hub')} with enough people {verb} {SUPPRESSED_SYMBOL} as well, "
            "so the smaller hidden hubs cannot be worked out from the others."
        )
    return lines


def suppression_rule(min_n: int | None = None) -> str:
    """The small-number rule in one sentence, for a reader's guide.

    Examples
    --------
    >>> suppression_rule(8)
    'Groups of fewer than 8 people are hidden as [c] so no one can be identified.'
    """
    return (
        f"Groups of fewer than {resolve_min_n(min_n)} people are hidden as {SUPPRESSED_SYMBOL} "
        "so no one can be identified."
    )
