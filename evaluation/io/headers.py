"""Understanding what a file means: header aliases and the normalising of hub, project, year, phase.

Headers and values are compared ignoring case, spaces and punctuation; the vocabularies (aliases,
hubs, projects) are reference data in ``schemas/reference/`` so they can be edited without code.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype
from rapidfuzz import fuzz, process

from evaluation import columns as c
from schemas import reference
from schemas.coding import distinct_values

__all__ = [
    "MAX_CONTAINS_WORDS",
    "MAX_VALUE_KINDS",
    "academic_year",
    "alias_map",
    "did_you_mean",
    "header_meaning",
    "hub_name",
    "map_unique",
    "ncp_name",
    "norm_key",
    "group_name",
    "phase_name",
    "slug",
    "value_meaning",
]

_NON_WORD = re.compile(r"[\W_]+")


def norm_key(text: object) -> str:
    """Comparison key for a header or value: casefolded, punctuation and spacing collapsed.

    Examples
    --------
    >>> norm_key("  Participant_Code: ")
    'participant code'
    >>> norm_key("E-mail\\u00a0address")
    'e mail address'
    """
    return _NON_WORD.sub(" ", str(text).casefold()).strip()


def slug(text: str, *, max_length: int = 48) -> str:
    """A Python-identifier-safe id for a question or header; the same text gives the same id.

    Long texts are cut at a word boundary and given a short hash so that two long questions that
    start the same way still get different ids.

    Examples
    --------
    >>> slug("I feel confident teaching maths!")
    'i_feel_confident_teaching_maths'
    >>> slug("conf_1")
    'conf_1'
    >>> slug("2. How often?")
    'q_2_how_often'
    """
    key = norm_key(text)
    words = key.split()
    out = "_".join(words) or "blank"
    if len(out) > max_length:
        cut = out[:max_length].rsplit("_", 1)[0] or out[:max_length]
        out = f"{cut}_{hashlib.sha1(key.encode()).hexdigest()[:6]}"
    if not out[0].isalpha():
        out = f"q_{out}"
    return out


@cache
def alias_map(kind: str) -> dict[str, str]:
    """Header key -> canonical column (or ``ignore``/``email``) for a kind of file.

    Examples
    --------
    >>> alias_map("survey")["maths hub"]
    'hub'
    >>> alias_map("pupil")["year"]
    'year_group'
    >>> alias_map("survey")["id"]
    'ignore'
    """
    table = reference.header_aliases()
    rows = table[table["kind"].isin([kind, "any"])]
    mapping = {norm_key(a): col for a, col in zip(rows["alias"], rows["column"], strict=True)}
    for column in set(rows["column"]) - {"ignore"}:
        mapping.setdefault(norm_key(column), column)
    return mapping


MAX_CONTAINS_WORDS = 10


@cache
def _contains_rules(kind: str) -> tuple[tuple[str, str], ...]:
    table = reference.header_aliases()
    rows = table[table["kind"].isin([kind, "any"]) & (table["match"] == "contains")]
    rules = [
        (f" {norm_key(a)} ", col) for a, col in zip(rows["alias"], rows["column"], strict=True)
    ]
    return tuple(sorted(rules, key=lambda rule: -len(rule[0])))


def header_meaning(header: str, kind: str) -> str | None:
    """What a heading means for a kind of file: a canonical column, ``email``, ``ignore`` or None.

    Exact aliases first; then, for short headings, aliases marked ``contains`` anywhere in them.

    Examples
    --------
    >>> header_meaning("Maths Hub", "survey")
    'hub'
    >>> header_meaning("What is your participant code?", "survey")
    'respondent_id'
    >>> header_meaning("I feel confident teaching fractions", "survey") is None
    True
    """
    key = norm_key(header)
    exact = alias_map(kind).get(key)
    if exact is not None or len(key.split()) > MAX_CONTAINS_WORDS:
        return exact
    padded = f" {key} "
    for phrase, column in _contains_rules(kind):
        if phrase in padded:
            return column
    return None


# --- hubs and projects -----------------------------------------------------------------------

_HUB_SUFFIX = re.compile(r"\s*\b(maths?|mathematics)?\s*hub$")


def _hub_key(text: object) -> str:
    return _HUB_SUFFIX.sub("", norm_key(text)).strip()


@cache
def _hub_lookup() -> dict[str, str]:
    table = reference.hubs()
    lookup: dict[str, str] = {}
    for name, short in zip(table["name"], table["short_name"], strict=True):
        for key in (norm_key(name), _hub_key(name), norm_key(short), _hub_key(short)):
            lookup.setdefault(key, name)
    return lookup


def hub_name(value: object) -> str | None:
    """The reference name of a hub given by name or short name, any case, "Maths Hub" optional.

    Examples
    --------
    >>> hub_name("solent")
    'Solent Maths Hub'
    >>> hub_name("London South East+ maths hub")
    'London South East+ Maths Hub'
    >>> hub_name("Atlantis") is None
    True
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return _hub_lookup().get(_hub_key(value)) or _hub_lookup().get(norm_key(value))


_NCP_STOP = {"at", "the", "and", "to", "for", "of", "in"}


def _ncp_key(text: object) -> str:
    words = norm_key(str(text).replace("&", " and ")).split()
    return " ".join(w for w in words if w not in _NCP_STOP)


@cache
def _ncp_lookup() -> dict[str, str]:
    table = reference.ncps()
    lookup: dict[str, str] = {}
    for code, name in zip(table["code"], table["name"], strict=True):
        for key in (norm_key(code), norm_key(name), _ncp_key(name)):
            lookup.setdefault(key, name)
    return lookup


def ncp_name(value: object) -> str | None:
    """The reference name of a project written as its code or name (any case).

    Examples
    --------
    >>> ncp_name("mn-ks2")
    'Mastering Number at KS2'
    >>> ncp_name("Mastering number KS2")
    'Mastering Number at KS2'
    >>> ncp_name("Underwater basket weaving") is None
    True
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return _ncp_lookup().get(norm_key(value)) or _ncp_lookup().get(_ncp_key(value))


def did_you_mean(value: str, kind: str) -> str | None:
    """The closest hub (``kind="hub"``) or project (``kind="ncp"``) name to a near-miss, or None.

    Examples
    --------
    >>> did_you_mean("Solent Maths Hubb", "hub")
    'Solent Maths Hub'
    >>> did_you_mean("Mastring Number at KS2", "ncp")
    'Mastering Number at KS2'
    >>> did_you_mean("zzzz", "hub") is None
    True
    """
    lookup = _hub_lookup() if kind == "hub" else _ncp_lookup()
    key = _hub_key(value) if kind == "hub" else norm_key(value)
    if not key:
        return None
    match = process.extractOne(key, list(lookup), scorer=fuzz.ratio, score_cutoff=75)
    return lookup[match[0]] if match else None


# --- phase and academic year -------------------------------------------------------------------

_PHASE_WORDS = {
    "pre": "pre",
    "before": "pre",
    "start": "pre",
    "baseline": "pre",
    "beginning": "pre",
    "initial": "pre",
    "pre course": "pre",
    "pre survey": "pre",
    "post": "post",
    "after": "post",
    "end": "post",
    "final": "post",
    "exit": "post",
    "follow up": "post",
    "post course": "post",
    "post survey": "post",
}


def phase_name(value: object) -> str | None:
    """``pre`` or ``post`` for the usual ways of writing them, else None.

    Examples
    --------
    >>> [phase_name(v) for v in ["Pre", "before", "START", "Post-course", "after", "later"]]
    ['pre', 'pre', 'pre', 'post', 'post', None]
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    key = norm_key(value)
    if key in _PHASE_WORDS:
        return _PHASE_WORDS[key]
    first = key.split(" ", 1)[0] if key else ""
    if first in ("pre", "post"):
        return first
    return None


# The ways exports say which arm of a comparison a row is in (compared by norm_key).
_GROUP_WORDS = {
    **dict.fromkeys(
        (
            "intervention",
            "intervention group",
            "treatment",
            "treatment group",
            "treated",
            "participant",
            "participants",
            "participating",
            "taking part",
            "work group",
            "in work group",
            "in the work group",
            "programme",
            "program",
        ),
        "intervention",
    ),
    **dict.fromkeys(
        (
            "comparison",
            "comparison group",
            "control",
            "control group",
            "non participant",
            "non participants",
            "nonparticipant",
            "not participating",
            "not taking part",
            "not in work group",
            "not in the work group",
            "not in a work group",
            "waiting list",
            "wait list",
            "waitlist",
            "business as usual",
        ),
        "comparison",
    ),
}


def group_name(value: object) -> str | None:
    """``intervention`` or ``comparison`` for the usual ways of writing them, else None.

    Examples
    --------
    >>> [group_name(v) for v in ["Treatment", "control", "Non-participant", "Work Group",
    ...                          "Not in Work Group", "waiting list", "maybe"]]
    ['intervention', 'comparison', 'comparison', 'intervention', 'comparison', 'comparison', None]
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return _GROUP_WORDS.get(norm_key(value))


_YEAR = re.compile(r"^(\d{2}|\d{4})(?:\s*[-/\u2013]\s*(\d{2}|\d{4}))?$")


def academic_year(value: object) -> str | None:
    """An academic year in ``2024/25`` form, or None when it cannot be one.

    Examples
    --------
    >>> [academic_year(v) for v in ["2024", "2024-25", "2024/2025", "24/25", " 2024/25 "]]
    ['2024/25', '2024/25', '2024/25', '2024/25', '2024/25']
    >>> academic_year("2024/26") is None, academic_year("next year") is None
    (True, True)
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    match = _YEAR.match(text)
    if not match:
        return None
    start_text, end_text = match.groups()
    if len(start_text) == 2:
        if end_text is None:
            return None
        start = 2000 + int(start_text)
    else:
        start = int(start_text)
    if end_text is not None:
        end = int(end_text)
        if (end % 100) != (start + 1) % 100 or (len(end_text) == 4 and end != start + 1):
            return None
    if not 1990 <= start <= 2100:
        return None
    return f"{start}/{(start + 1) % 100:02d}"


def map_unique(values: pd.Series, func: Callable[[Any], object], dtype: str = "str") -> pd.Series:
    """Apply ``func`` once per distinct value of ``values``; missing stays missing.

    Fast on long, repetitive columns: the work is one call per distinct value and a ``take``.

    Examples
    --------
    >>> map_unique(pd.Series(["pre", "Pre", "pre", None]), phase_name).tolist()
    ['pre', 'pre', 'pre', nan]
    >>> map_unique(pd.Series(["4", "Y4"]), lambda v: int(v[-1]), dtype="Int64").tolist()
    [4, 4]
    """
    done: dict[Any, object] = {}
    if dtype == "str" and values.dtype == pd.StringDtype("pyarrow", na_value=np.nan):
        # Arrow finds the distinct values fastest; when each is already as wanted, nothing to do.
        done = {u: func(u) for u in distinct_values(values)}
        if all(type(r) is str and r == u for u, r in done.items()):
            return values.rename(None)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    results = [done[u] if u in done else func(u) for u in uniques]
    mapped = pd.array([*results, None], dtype=dtype)
    codes = np.where(codes < 0, len(uniques), codes)
    return pd.Series(mapped.take(codes), index=values.index)


# --- recognising a column by the values it holds ---------------------------------------------

# A column is recognised by its values only when it has at most this many distinct answers.
MAX_VALUE_KINDS = 100
# Rows looked at first: a free-text column is turned down on them without a pass over the file.
_VALUE_SAMPLE = 1000


def _written_academic_year(value: object) -> str | None:
    """An academic year written with both years (2024/25, 2024-2025); a bare 2024 is not one."""
    text = str(value).strip()
    return academic_year(text) if not text.replace(".", "").isdigit() else None


def _near_hub(value: object) -> str | None:
    return did_you_mean(str(value), "hub")


def _near_ncp(value: object) -> str | None:
    return did_you_mean(str(value), "ncp")


# What a column's values can show it to be: (meaning, reader, near-miss reader or None). A column
# whose answers are all read, or near misses (a typo is then reported in its row), takes the
# meaning, as long as one answer at least is read exactly.
_VALUE_READERS: tuple[
    tuple[str, Callable[[object], str | None], Callable[[object], str | None] | None], ...
] = (
    (c.HUB, hub_name, _near_hub),
    (c.NCP, ncp_name, _near_ncp),
    (c.PHASE, phase_name, None),
    (c.ACADEMIC_YEAR, _written_academic_year, None),
)


def value_meaning(values: pd.Series, taken: frozenset[str] = frozenset()) -> str | None:
    """The canonical column a column's values show it to be, whatever its header: ``hub`` when
    every answer is a Maths Hub (or a near miss of one, such as a typo), else ``ncp``, ``phase``
    or ``academic_year``; None otherwise.

    Only the distinct values are read (a free-text column is turned down on its first rows), and
    meanings in ``taken`` are not considered.

    Examples
    --------
    >>> value_meaning(pd.Series(["Solent", "solent maths hub", None]))
    'hub'
    >>> value_meaning(pd.Series(["Pre", "post"])), value_meaning(pd.Series(["2024/25"]))
    ('phase', 'academic_year')
    >>> value_meaning(pd.Series(["More time to plan", "Solent"])) is None
    True
    >>> value_meaning(pd.Series(["Solent"]), frozenset({"hub"})) is None
    True
    >>> value_meaning(pd.Series(["Solent", "Solnet"])), value_meaning(pd.Series(["Solnet"]))
    ('hub', None)
    """
    if is_numeric_dtype(values):
        return None
    readers = [reader for reader in _VALUE_READERS if reader[0] not in taken]

    def fitting(distinct: list[object]) -> list[Any]:
        written = [v for v in distinct if str(v).strip()]
        if not written or len(written) > MAX_VALUE_KINDS:
            return []
        found = []
        for meaning, read, near in readers:
            exact = [read(v) is not None for v in written]
            if any(exact) and all(
                known or (near is not None and near(v) is not None)
                for v, known in zip(written, exact, strict=True)
            ):
                found.append((meaning, read, near))
        return found

    readers = fitting(values.iloc[:_VALUE_SAMPLE].dropna().unique().tolist())
    if readers and len(values) > _VALUE_SAMPLE:
        readers = fitting(distinct_values(values))
    return readers[0][0] if readers else None
