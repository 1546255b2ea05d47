"""Codebooks of themes for open answers, and tagging answers by a codebook's keywords.

A codebook is a table with one row per theme: ``theme, description, keywords, examples``, keywords
and examples separated by semicolons in the CSV. The Maths Hubs default is reference data
(``schemas/reference/codebook_default.csv``).
"""

from __future__ import annotations

import functools
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from schemas.reference import REFERENCE_DIR

__all__ = [
    "CODEBOOK_COLUMNS",
    "DEFAULT_CODEBOOK_FILE",
    "SEPARATOR",
    "TAG_COLUMNS",
    "CodebookError",
    "Keyword",
    "check_codebook",
    "default_codebook",
    "empty_codebook",
    "parse_keyword",
    "read_codebook",
    "stem",
    "tag_answers",
    "tokens",
]

CODEBOOK_COLUMNS = ("theme", "description", "keywords", "examples")
REQUIRED_COLUMNS = ("theme", "keywords")
SEPARATOR = ";"
DEFAULT_CODEBOOK_FILE = REFERENCE_DIR / "codebook_default.csv"
TAG_COLUMNS = ("answer_id", "theme", "keyword")

# Word endings removed by :func:`stem`, longest first; a stem keeps at least MIN_STEM letters.
SUFFIXES = tuple(
    sorted(
        ("isations", "izations", "isation", "ization", "ations", "ation", "ments", "ment", "ness",
         "ings", "ing", "ities", "ity", "ers", "er", "ies", "ied", "ed", "es", "ly", "s", "e"),
        key=len,
        reverse=True,
    )
)  # fmt: skip
MIN_STEM = 3
_WORD = re.compile(r"[0-9a-z]+(?:['\u2019][a-z]+)*")
_DOUBLE = re.compile(r"([b-df-hj-np-rt-z])\1$")  # a final doubled consonant other than "ss"


class CodebookError(ValueError):
    """A codebook that cannot be used; the message lists every problem in plain English.

    ``unreadable`` is True when the file itself could not be read (rather than a row being
    unusable).
    """

    def __init__(self, message: str, *, unreadable: bool = False) -> None:
        super().__init__(message)
        self.unreadable = unreadable


@functools.lru_cache(maxsize=1 << 17)
def stem(word: str) -> str:
    """A word cut to its stem, so "representations", "representing" and "represent" match.

    A light suffix stripper (not a full Porter stemmer): lower-case, drop a possessive ``'s``,
    remove the longest listed ending that leaves at least three letters, then undouble a final
    consonant ("planning" -> "plan", "modelling" -> "model"). Both the codebook's keywords and
    the answers go through the same function, so a keyword matches its own variants.

    Parameters
    ----------
    word : str
        One word.

    Returns
    -------
    str
        The stem.

    Examples
    --------
    >>> [stem(w) for w in ("represent", "representations", "Representing")]
    ['represent', 'represent', 'represent']
    >>> stem("planning") == stem("plan"), stem("tables") == stem("table")
    (True, True)
    >>> stem("classes") == stem("class")
    True
    """
    word = word.casefold().replace("\u2019", "'")
    if word.endswith("'s"):
        word = word[:-2]
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            if suffix == "s" and word.endswith("ss"):
                continue
            word = word[: -len(suffix)]
            break
    return _DOUBLE.sub(r"\1", word)


def tokens(text: str) -> list[str]:
    """The words of a text, lower-case; hyphens and punctuation separate words.

    Examples
    --------
    >>> tokens("Part-whole models: pupils' talk!")
    ['part', 'whole', 'models', 'pupils', 'talk']
    """
    return _WORD.findall(str(text).casefold())


@dataclass(frozen=True)
class Keyword:
    """A codebook keyword or phrase ready to match: one (kind, value) pair per word.

    ``kind`` is ``"stem"`` (the word's stem must match) or ``"prefix"`` (written with a final
    ``*``: any word starting with the value matches, e.g. ``anxi*``).
    """

    text: str
    parts: tuple[tuple[str, str], ...]

    def matches(self, words: list[str], stems: list[str]) -> bool:
        """Whether the phrase occurs, word for word, in an answer's words (and their stems).

        Examples
        --------
        >>> key = parse_keyword("bar model")
        >>> words = tokens("We use bar models daily")
        >>> key.matches(words, [stem(w) for w in words])
        True
        """
        size = len(self.parts)
        for start in range(len(words) - size + 1):
            for offset, (kind, value) in enumerate(self.parts):
                position = start + offset
                if kind == "prefix":
                    if not words[position].startswith(value):
                        break
                elif stems[position] != value:
                    break
            else:
                return True
        return False


def parse_keyword(text: str) -> Keyword:
    """A keyword or phrase as written in a codebook, ready to match answers.

    Examples
    --------
    >>> parse_keyword("Times tables").parts
    (('stem', 'tim'), ('stem', 'tabl'))
    >>> parse_keyword("anxi*").parts
    (('prefix', 'anxi'),)
    """
    parts: list[tuple[str, str]] = []
    for raw in str(text).split():
        if raw.endswith("*") and tokens(raw):
            parts.append(("prefix", "".join(tokens(raw))))
        else:
            parts += [("stem", stem(word)) for word in tokens(raw)]
    return Keyword(text=str(text).strip(), parts=tuple(parts))


def _split(cell: object) -> tuple[str, ...]:
    if cell is None or (isinstance(cell, float) and pd.isna(cell)):
        return ()
    if isinstance(cell, list | tuple):
        return tuple(str(v).strip() for v in cell if str(v).strip())
    return tuple(part.strip() for part in str(cell).split(SEPARATOR) if part.strip())


def empty_codebook() -> pd.DataFrame:
    """A codebook with no themes (every answer is then uncoded).

    Examples
    --------
    >>> list(empty_codebook().columns)
    ['theme', 'description', 'keywords', 'examples']
    """
    return pd.DataFrame({column: pd.Series(dtype=object) for column in CODEBOOK_COLUMNS})


def check_codebook(table: pd.DataFrame) -> list[str]:
    """Every problem that stops a codebook table being used, in plain English (empty if none).

    Rows are named by their spreadsheet row (header = row 1).

    Parameters
    ----------
    table : DataFrame
        The codebook as read from its CSV (text cells).

    Returns
    -------
    list of str
        One sentence per problem.

    Examples
    --------
    >>> check_codebook(pd.DataFrame({"theme": ["Talk", "Talk"], "keywords": ["talk", ""]}))
    ['Row 3: the theme "Talk" is already on row 2; give each theme one row.', 'Row 3: no \
keywords; give at least one word or phrase, separated by semicolons.']
    >>> check_codebook(pd.DataFrame({"name": ["x"]}))
    ['The codebook has no column theme, keywords (it needs theme, keywords, and may have \
description, examples).']
    """
    missing = [column for column in REQUIRED_COLUMNS if column not in table.columns]
    if missing:
        optional = ", ".join(c for c in CODEBOOK_COLUMNS if c not in REQUIRED_COLUMNS)
        return [
            f"The codebook has no column {', '.join(missing)} (it needs "
            f"{', '.join(REQUIRED_COLUMNS)}, and may have {optional})."
        ]
    problems: list[str] = []
    first_row: dict[str, int] = {}
    for position, (theme, keywords) in enumerate(
        zip(table["theme"], table["keywords"], strict=True)
    ):
        row = position + 2
        name = "" if theme is None or pd.isna(theme) else str(theme).strip()
        if not name:
            problems.append(f"Row {row}: no theme name; give every row a name.")
        elif name.casefold() in first_row:
            problems.append(
                f'Row {row}: the theme "{name}" is already on row {first_row[name.casefold()]}; '
                "give each theme one row."
            )
        else:
            first_row[name.casefold()] = row
        if not any(parse_keyword(k).parts for k in _split(keywords)):
            problems.append(
                f"Row {row}: no keywords; give at least one word or phrase, separated by "
                "semicolons."
            )
    return problems


def _tidy(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    for column in CODEBOOK_COLUMNS:
        if column not in out:
            out[column] = ""
    out = out[list(CODEBOOK_COLUMNS)].reset_index(drop=True)
    out["theme"] = out["theme"].astype(str).str.strip()
    out["description"] = out["description"].fillna("").astype(str).str.strip()
    out["keywords"] = [_split(cell) for cell in out["keywords"]]
    out["examples"] = [_split(cell) for cell in out["examples"]]
    return out.astype(object)


def read_codebook(source: str | os.PathLike[str] | bytes | pd.DataFrame) -> pd.DataFrame:
    """Read and check a codebook: a CSV file (path or bytes) or a table already in memory.

    Parameters
    ----------
    source : path, bytes or DataFrame
        Columns ``theme`` and ``keywords`` (words and phrases separated by semicolons; a word
        ending in ``*`` matches any word it starts), optionally ``description`` and
        ``examples`` (separated by semicolons). An empty file is an empty codebook.

    Returns
    -------
    DataFrame
        ``theme, description`` (str) and ``keywords, examples`` (tuples of str), one row per
        theme in the file's order.

    Raises
    ------
    CodebookError
        When the file cannot be read or a row is unusable; the message lists every problem.

    Examples
    --------
    >>> book = read_codebook(b"theme,keywords\\nTalk,talk; stem sentence\\n")
    >>> book.loc[0, "keywords"]
    ('talk', 'stem sentence')
    >>> read_codebook(b"").empty
    True
    """
    if isinstance(source, pd.DataFrame):
        table = source
    else:
        try:
            data = source if isinstance(source, bytes) else Path(source).read_bytes()
        except OSError as exc:
            raise CodebookError(
                f"The codebook cannot be read: {exc.strerror or exc}.", unreadable=True
            ) from None
        if not data.strip():
            return empty_codebook()
        try:
            text = data.decode("utf-8-sig")
            table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        except (UnicodeDecodeError, pd.errors.ParserError) as exc:
            detail = " ".join(str(exc).split())
            raise CodebookError(
                f"The codebook is not a readable CSV file ({detail}).", unreadable=True
            ) from None
        table.columns = [str(column).strip().casefold() for column in table.columns]
    problems = check_codebook(table)
    if problems:
        raise CodebookError("The codebook cannot be used:\n" + "\n".join(problems))
    return _tidy(table)


def default_codebook() -> pd.DataFrame:
    """The Maths Hubs default codebook (eight themes), from the reference data.

    Examples
    --------
    >>> book = default_codebook()
    >>> len(book), book.loc[0, "theme"]
    (8, 'Representations and the bar model')
    """
    return read_codebook(DEFAULT_CODEBOOK_FILE)


def tag_answers(answers: pd.Series, codebook: pd.DataFrame) -> pd.DataFrame:
    """Tag every answer with the codebook's themes whose keywords or phrases it contains.

    Matching ignores case, works on whole words (so "cover" does not match "discover") and on
    stems (:func:`stem`), so a keyword matches its plural, -ing, -ed and -ation forms; a phrase
    matches its words in order, each by stem. An answer can have zero, one or several themes.

    Parameters
    ----------
    answers : Series of str
        Open answers; the index identifies each answer (missing answers are skipped).
    codebook : DataFrame
        From :func:`read_codebook` or :func:`default_codebook`.

    Returns
    -------
    DataFrame
        One row per answer x theme found: ``answer_id`` (the answer's index label), ``theme``
        and ``keyword`` (the first of the theme's keywords found, as written in the codebook),
        in the answers' order, then the codebook's.

    Examples
    --------
    >>> book = read_codebook(b"theme,keywords\\nBar model,bar model; represent\\n"
    ...                      b"Talk,talk; explain\\n")
    >>> answers = pd.Series(["More representations and bar models", "Pupils explain more",
    ...                      "Nothing yet"])
    >>> tag_answers(answers, book)
      answer_id      theme    keyword
    0         0  Bar model  bar model
    1         1       Talk    explain
    """
    themes = [
        (str(theme), [parse_keyword(k) for k in keywords])
        for theme, keywords in zip(codebook["theme"], codebook["keywords"], strict=True)
    ]
    present = answers.dropna()
    texts = np.array([str(text) for text in present.to_numpy(dtype=object)], dtype=object)
    # Each distinct text is tagged once (answers repeat, and so do their words).
    codes, uniques = pd.factorize(texts)
    stems: dict[str, str] = {}
    found_themes: list[str] = []
    found_keywords: list[str] = []
    counts = np.zeros(len(uniques), dtype=np.intp)
    for position, text in enumerate(uniques):
        words = tokens(text)
        if not words:
            continue
        word_stems = [stems.get(word) or stems.setdefault(word, stem(word)) for word in words]
        for theme, keywords in themes:
            found = _first_match(keywords, words, word_stems)
            if found is not None:
                found_themes.append(theme)
                found_keywords.append(found)
                counts[position] += 1
    # Every answer's tags in the answers' order: its text's tags, in the codebook's order.
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]) if len(counts) else counts
    per_answer = counts[codes]
    first = np.repeat(starts[codes], per_answer)
    within = np.arange(int(per_answer.sum())) - np.repeat(
        np.cumsum(per_answer) - per_answer, per_answer
    )
    picked = first + within
    # Labels as a frame's object column holds them (text labels: missing ones as NaN).
    ids = pd.Series(np.repeat(present.index.to_numpy(dtype=object), per_answer)).astype(object)
    return pd.DataFrame(
        {
            "answer_id": ids.to_numpy(dtype=object),
            "theme": np.array(found_themes, dtype=object)[picked],
            "keyword": np.array(found_keywords, dtype=object)[picked],
        },
        columns=list(TAG_COLUMNS),
        dtype=object,  # Python values as they are (no text dtype inferred)
    )


def _first_match(keywords: Iterable[Keyword], words: list[str], stems: list[str]) -> str | None:
    present = set(stems)
    for keyword in keywords:
        if not keyword.parts:
            continue
        kind, value = keyword.parts[0]
        if kind == "stem" and value not in present:
            continue
        if keyword.matches(words, stems):
            return keyword.text
    return None
