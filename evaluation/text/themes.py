"""Themes in open answers: suggested new themes for uncoded answers, and a summary per theme.

Suggestions come from TF-IDF and non-negative matrix factorisation (scikit-learn; nothing is
downloaded). The summary gives each theme's count, share, spreadsheet rows and example quotes,
before and after, with small themes suppressed (``IMPACT_MIN_N``).
"""

from __future__ import annotations

import hashlib
import os
import warnings
from collections import Counter
from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from evaluation import columns as c
from evaluation.privacy import scrub_emails
from evaluation.stats.disclosure import resolve_min_n, suppress
from evaluation.text.codebook import stem, tokens

__all__ = [
    "CODEBOOK",
    "DEFAULT_SUGGEST_AT_ONCE",
    "SUGGESTED",
    "SUGGEST_AT_ONCE_ENV",
    "SUGGESTION_COLUMNS",
    "SUMMARY_COLUMNS",
    "answer_terms",
    "suggest_at_once_limit",
    "suggest_themes",
    "summarise_themes",
]

CODEBOOK, SUGGESTED = "codebook", "suggested"
SUGGESTION_COLUMNS = ("theme", "top_terms", "answer_ids", "n", "examples")
SUMMARY_COLUMNS = (
    "theme",
    "source",
    "n",
    "share",
    "rows",
    "examples",
    "top_terms",
    "suppressed",
    "suppression_reason",
)
# A word must occur in at least this many answers to shape a suggestion (one-off words are noise).
MIN_ANSWERS_PER_TERM = 2
# Words of a suggestion's name (its top terms, joined).
NAME_TERMS = 3
MIN_TERM_LETTERS = 3
# Above this many uncoded answers a dashboard works out suggestions only when asked (they take
# seconds at national scale); ``$IMPACT_SUGGEST_AT_ONCE`` changes it.
SUGGEST_AT_ONCE_ENV = "IMPACT_SUGGEST_AT_ONCE"
DEFAULT_SUGGEST_AT_ONCE = 20_000


def suggest_at_once_limit() -> int:
    """How many uncoded answers a view suggests themes for without being asked.

    ``$IMPACT_SUGGEST_AT_ONCE`` when it is a whole number of at least 0, else 20,000.

    Examples
    --------
    >>> os.environ.pop("IMPACT_SUGGEST_AT_ONCE", None) and None
    >>> suggest_at_once_limit()
    20000
    """
    raw = os.environ.get(SUGGEST_AT_ONCE_ENV, "").strip()
    try:
        value = int(raw) if raw else DEFAULT_SUGGEST_AT_ONCE
    except ValueError:
        value = DEFAULT_SUGGEST_AT_ONCE
    return value if value >= 0 else DEFAULT_SUGGEST_AT_ONCE


def answer_terms(text: str) -> list[str]:
    """The terms of an answer that shape suggestions: stems of its words, English stop words out.

    Stop words are scikit-learn's English list; numbers and words under three letters are left
    out too.

    Examples
    --------
    >>> answer_terms("The children are explaining their reasoning in sentences")
    ['children', 'explain', 'reason', 'sentenc']
    """
    return [
        stem(word)
        for word in tokens(text)
        if word not in ENGLISH_STOP_WORDS and len(word) >= MIN_TERM_LETTERS and not word.isdigit()
    ]


def _surface_forms(texts: Sequence[str]) -> dict[str, str]:
    """Each stem's most common written word (ties: alphabetical), to show readable top terms."""
    counts: Counter[tuple[str, str]] = Counter()
    for text, times in Counter(texts).items():
        for word in tokens(text):
            counts[(stem(word), word)] += times
    best: dict[str, tuple[int, str]] = {}
    for (term, word), count in counts.items():
        current = best.get(term)
        if current is None or (-count, word) < (-current[0], current[1]):
            best[term] = (count, word)
    return {term: word for term, (_, word) in best.items()}


def _empty_suggestions() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in SUGGESTION_COLUMNS})


def suggest_themes(
    uncoded_answers: pd.Series,
    k: int,
    *,
    seed: int = 0,
    n_terms: int = 8,
    n_examples: int = 3,
) -> pd.DataFrame:
    """Suggest up to ``k`` new themes for answers the codebook leaves uncoded.

    Each answer becomes a TF-IDF vector of its word stems (English stop words removed, words in
    fewer than two answers ignored); non-negative matrix factorisation finds ``k`` themes, and
    each answer joins the theme with its largest weight (answers sharing no word with any other
    answer join none). A person then accepts, renames, merges or rejects each suggestion.

    Parameters
    ----------
    uncoded_answers : Series of str
        The answers; the index identifies each (missing and empty answers are skipped).
    k : int
        How many themes to look for (fewer when there are too few answers or words).
    seed : int
        Random state of the factorisation; the same answers and seed give the same suggestions.
    n_terms : int
        Top terms kept per suggestion.
    n_examples : int
        Example answers kept per suggestion (the most typical first, email addresses removed).

    Returns
    -------
    DataFrame
        One row per suggested theme, largest first: ``theme`` (a provisional name made of its
        top terms), ``top_terms`` (tuple of words), ``answer_ids`` (tuple of index labels, most
        typical first), ``n`` (answers) and ``examples`` (tuple of answers). Empty when nothing
        can be suggested.

    Notes
    -----
    TF-IDF uses scikit-learn's smoothed idf and sublinear term frequency with unit-length rows;
    NMF minimises the Frobenius norm ``||X - WH||`` from an NNDSVDa start, so the result depends
    only on the data and ``seed``.

    References
    ----------
    Lee, D. D. and Seung, H. S. (1999). Learning the parts of objects by non-negative matrix
    factorization. Nature 401, 788-791.

    Examples
    --------
    >>> answers = pd.Series(["bar models every lesson", "we draw bar models", "bar models help",
    ...                      "times tables quiz daily", "times tables are quicker",
    ...                      "daily times tables"])
    >>> ideas = suggest_themes(answers, 2, seed=1)
    >>> [sorted(ids) for ids in ideas["answer_ids"]]
    [[0, 1, 2], [3, 4, 5]]
    >>> ideas.loc[0, "top_terms"][:2]
    ('bar', 'models')
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    present = uncoded_answers.dropna().astype(str)
    present = present[present.str.strip().ne("")]
    if len(present) < 2:
        return _empty_suggestions()
    terms_of: dict[str, list[str]] = {}  # answers repeat: each distinct text is read once

    def analyse(text: str) -> list[str]:
        found = terms_of.get(text)
        if found is None:
            found = terms_of[text] = answer_terms(text)
        return found

    vectoriser = TfidfVectorizer(analyzer=analyse, min_df=MIN_ANSWERS_PER_TERM, sublinear_tf=True)
    try:
        matrix = vectoriser.fit_transform(present.tolist())
    except ValueError:  # no word occurs in two answers
        return _empty_suggestions()
    terms = vectoriser.get_feature_names_out()
    n_components = min(k, matrix.shape[0], matrix.shape[1])
    model = NMF(n_components=n_components, init="nndsvda", random_state=seed, max_iter=1000)
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        # A rough factorisation still ranks answers; the user sees suggestions, not a fit.
        warnings.simplefilter("ignore", ConvergenceWarning)
        weights = model.fit_transform(matrix)
    best = weights.argmax(axis=1)
    strength = weights.max(axis=1)
    surface = _surface_forms(present.tolist())
    ids = present.index.to_numpy()
    texts = present.to_numpy()
    rows = []
    for component in range(n_components):
        members = np.flatnonzero((best == component) & (strength > 0))
        if members.size == 0:
            continue
        members = members[np.argsort(-strength[members], kind="stable")]
        loading = model.components_[component]
        ranked = [i for i in np.argsort(-loading, kind="stable") if loading[i] > 0]
        top_terms = tuple(dict.fromkeys(surface.get(terms[i], terms[i]) for i in ranked))
        top_terms = top_terms[:n_terms]
        examples = _distinct(scrub_emails(pd.Series(texts[members])).tolist(), n_examples)
        rows.append(
            {
                "theme": ", ".join(top_terms[:NAME_TERMS]),
                "top_terms": top_terms,
                "answer_ids": tuple(ids[members].tolist()),
                "n": int(members.size),
                "examples": examples,
            }
        )
    if not rows:
        return _empty_suggestions()
    out = pd.DataFrame(rows, columns=list(SUGGESTION_COLUMNS))
    out = out.sort_values("n", ascending=False, kind="stable").reset_index(drop=True)
    out["theme"] = _unique_names(out["theme"].tolist())
    return out.astype({"theme": object, "n": "int64"})


def _unique_names(names: list[str]) -> list[str]:
    seen: Counter[str] = Counter()
    out = []
    for name in names:
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _distinct(texts: Sequence[str], limit: int) -> tuple[str, ...]:
    out: list[str] = []
    for text in texts:
        text = " ".join(str(text).split())
        if text and text not in out:
            out.append(text)
        if len(out) == limit:
            break
    return tuple(out)


def _examples(texts: pd.Series, limit: int, *, stable: bool) -> tuple[str, ...]:
    """The first ``limit`` distinct answers, email addresses removed, in the order quoted.

    ``stable``: in a fixed pseudo-random order (by each text's SHA-256: no favourite quotes);
    else as given. Each distinct text is looked at once, and only until enough quotes are found
    (the same quotes as scrubbing and ordering every answer).
    """
    return _quotes(pd.unique(texts.astype(str).to_numpy(dtype=object)), limit, stable=stable)


def _sha_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _quotes(
    values: np.ndarray, limit: int, *, stable: bool, keys: np.ndarray | None = None
) -> tuple[str, ...]:
    """:func:`_examples` of distinct texts in order of first appearance (``keys``: their SHA-256
    keys when already known)."""
    if stable:
        if keys is None:
            keys = np.array([_sha_key(text) for text in values], dtype=object)
        values = values[np.argsort(keys, kind="stable")]
    quotes: tuple[str, ...] = ()
    for start in range(0, len(values), 64):
        chunk = scrub_emails(pd.Series(values[start : start + 64], dtype=object)).tolist()
        quotes = _distinct([*quotes, *chunk], limit)
        if len(quotes) == limit:
            break
    return quotes


class _Distinct:
    """The distinct texts of the answers (each text's SHA-256 worked out once, when needed).

    Answers repeat, and an answer can have several themes: each theme's quotes start from the
    distinct texts among its answers, looked up by position instead of hashing texts again.
    """

    def __init__(self, present: pd.Series) -> None:
        codes, uniques = pd.factorize(present)
        self.codes = codes
        self.texts = np.asarray(uniques.to_numpy(dtype=object), dtype=object)
        self.keys = np.full(len(self.texts), None, dtype=object)

    def quotes(self, where: np.ndarray, limit: int, *, stable: bool) -> tuple[str, ...]:
        """:func:`_examples` of the answers at positions ``where``."""
        picked = pd.unique(self.codes[where])
        keys = None
        if stable:
            missing = picked[[key is None for key in self.keys[picked]]]
            self.keys[missing] = [_sha_key(text) for text in self.texts[missing]]
            keys = self.keys[picked]
        return _quotes(self.texts[picked], limit, stable=stable, keys=keys)


def _integer_ids(values: pd.Series) -> np.ndarray | None:
    """``values`` as int64 when every one is an integer (not a bool), else None."""
    if values.dtype.kind == "i":
        return values.to_numpy(dtype=np.int64)
    if values.dtype != object or pd.api.types.infer_dtype(values, skipna=False) != "integer":
        return None
    try:  # Python integers: exact, or too large (OverflowError)
        return values.to_numpy(dtype=object).astype(np.int64)
    except (OverflowError, TypeError, ValueError):
        return None


def _most_common(codes: np.ndarray, uniques: np.ndarray) -> tuple[str, ...]:
    """The values coded ``codes`` (-1: missing, left out), most common first, ties in order of
    first appearance: ``Counter.most_common`` of the values."""
    codes = codes[codes >= 0]
    seen = pd.unique(codes)
    counts = np.bincount(codes, minlength=len(uniques))[seen]
    return tuple(uniques[seen[np.argsort(-counts, kind="stable")]].tolist())


def _codebook_members(
    present: pd.Index, tags: pd.DataFrame, *, positions: bool
) -> dict[str, tuple[str, list[Hashable] | np.ndarray, tuple[str, ...]]]:
    """Per theme found in ``tags`` (in order of first appearance): its answers and top terms.

    The answers are positions in ``present`` when ``positions`` (its labels are unique), else
    labels; each answer once, in order of its first tag.
    """
    known = tags[tags["answer_id"].isin(present)]
    ids = _integer_ids(known["answer_id"]) if positions and present.dtype.kind in "iu" else None
    members: dict[str, tuple[str, list[Hashable] | np.ndarray, tuple[str, ...]]] = {}
    if ids is None:  # labels of any kind: looked up one by one
        for theme, group in known.groupby("theme", sort=False):
            labels = list(dict.fromkeys(group["answer_id"]))
            found = Counter(group["keyword"].dropna()) if "keyword" in group else Counter()
            top = tuple(word for word, _ in found.most_common())
            members[str(theme)] = (
                CODEBOOK,
                present.get_indexer(labels) if positions else labels,
                top,
            )
        return members
    where = present.get_indexer(ids)
    keywords = None
    if "keyword" in known:
        keyword_codes, keyword_values = pd.factorize(known["keyword"].to_numpy(dtype=object))
        keywords = (keyword_codes, np.asarray(keyword_values, dtype=object))
    codes, names = pd.factorize(known["theme"])  # as groupby(sort=False): first appearance
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    for group, theme in enumerate(names):
        rows = order[bounds[group] : bounds[group + 1]]
        top = _most_common(keywords[0][rows], keywords[1]) if keywords is not None else ()
        members[str(theme)] = (CODEBOOK, pd.unique(where[rows]), top)
    return members


def summarise_themes(
    answers: pd.Series,
    tags: pd.DataFrame,
    *,
    suggestions: pd.DataFrame | None = None,
    themes: Sequence[str] = (),
    phases: pd.Series | None = None,
    source_rows: pd.Series | None = None,
    min_n: int | None = None,
    n_examples: int = 3,
) -> pd.DataFrame:
    """Per theme: how many answers, their share, spreadsheet rows, quotes; before and after.

    Parameters
    ----------
    answers : Series of str
        Every open answer considered; the index identifies each (missing answers are skipped).
    tags : DataFrame
        Codebook tags from :func:`evaluation.text.codebook.tag_answers` (``answer_id, theme,
        keyword``).
    suggestions : DataFrame, optional
        From :func:`suggest_themes`; each becomes a theme with source ``suggested``.
    themes : sequence of str
        Codebook themes to list even when no answer has them (in this order, first).
    phases : Series, optional
        ``pre``/``post`` per answer (same index as ``answers``): adds ``n_pre, share_pre, n_post,
        share_post``, each share out of that phase's answers.
    source_rows : Series, optional
        Spreadsheet row per answer (same index); default the index labels.
    min_n : int, optional
        Themes with fewer answers are suppressed (count, shares, rows, quotes and top terms
        blanked) and suggestions with fewer are left out, since their names are words from the
        answers; default ``$IMPACT_MIN_N`` or 5. A phase count below it is blanked with its
        share.
    n_examples : int
        Quotes per theme: answers exactly as written, email addresses removed, chosen in a fixed
        pseudo-random order for codebook themes and most typical first for suggestions.

    Returns
    -------
    DataFrame
        One row per theme: ``theme, source`` ("codebook" or "suggested"), ``n`` (answers with
        the theme), ``share`` (of all answers), ``rows`` (tuple of spreadsheet rows),
        ``examples`` (tuple of str), ``top_terms`` (the keywords found most often, or a
        suggestion's top words), then ``n_pre, share_pre, n_post, share_post`` when ``phases``
        is given, and ``suppressed, suppression_reason``.

    Examples
    --------
    >>> answers = pd.Series(["more talk", "talk partners", "bar model", "lots of talk",
    ...                      "talk and more talk", "pupils talk", "nothing"])
    >>> tags = pd.DataFrame({"answer_id": [0, 1, 3, 4, 5, 2], "theme": ["Talk"] * 5 + ["Bar"],
    ...                      "keyword": ["talk"] * 5 + ["bar model"]})
    >>> out = summarise_themes(answers, tags, min_n=5)
    >>> out[["theme", "n", "share", "suppressed"]]
      theme    n     share  suppressed
    0  Talk  5.0  0.714286       False
    1   Bar  NaN       NaN        True
    >>> out.loc[0, "rows"]
    (0, 1, 3, 4, 5)
    """
    present = answers.dropna().astype(str)
    present = present[present.str.strip().ne("")]
    n_answers = len(present)
    rows_of = (source_rows if source_rows is not None else present.index.to_series()).reindex(
        present.index
    )
    members: dict[str, tuple[str, list[Hashable] | np.ndarray, tuple[str, ...]]] = {}
    for theme in themes:
        members[str(theme)] = (CODEBOOK, [], ())
    positions = present.index.is_unique  # then labels are looked up once, as positions
    members.update(_codebook_members(present.index, tags, positions=positions))
    if suggestions is not None:
        for record in suggestions.to_dict("records"):
            ids = [i for i in record["answer_ids"] if i in present.index]
            name = str(record["theme"])
            if name in members:  # a suggestion never hides a codebook theme of the same name
                name = f"{name} (suggested)"
            members[name] = (SUGGESTED, ids, tuple(record["top_terms"]))
    in_phase = None if phases is None else _phase_masks(phases.reindex(present.index))
    distinct: _Distinct | None = None
    # Whole-number rows (the default: the answers' labels) are picked by position, once.
    whole = isinstance(rows_of.dtype, np.dtype) and rows_of.dtype.kind in "iu"
    row_values = rows_of.to_numpy() if positions and whole else None
    records = []
    for theme, (source, ids, top) in members.items():
        where = ids  # positions already (see _codebook_members), or labels
        if positions and not isinstance(ids, np.ndarray):
            where = present.index.get_indexer(ids)
        stable = source != SUGGESTED
        quotes: tuple[str, ...] = ()
        if len(ids) and positions:
            distinct = distinct or _Distinct(present)
            quotes = distinct.quotes(np.asarray(where), n_examples, stable=stable)
        elif len(ids):
            quotes = _examples(present.loc[ids], n_examples, stable=stable)
        record = {
            "theme": theme,
            "source": source,
            "n": len(ids),
            "share": len(ids) / n_answers if n_answers else np.nan,
            "rows": _row_numbers(rows_of, where, positions=positions, values=row_values),
            "examples": quotes,
            "top_terms": top,
        }
        if in_phase is not None:
            record.update(_phase_shares(where, in_phase, positions=positions))
        records.append(record)
    phase_columns = [f"{kind}_{phase}" for phase in c.PHASES for kind in ("n", "share")]
    if phases is None:
        phase_columns = []
    base = [column for column in SUMMARY_COLUMNS if not column.startswith("suppress")]
    table = pd.DataFrame(records, columns=[*base, *phase_columns])
    table = suppress(
        table,
        n_col="n",
        min_n=min_n,
        columns=["n", "share", "rows", "examples", "top_terms", *phase_columns],
    )
    # A suggestion's name is made of its answers' words: below the threshold it is not listed.
    table = table[~(table["suppressed"] & table["source"].eq(SUGGESTED))].reset_index(drop=True)
    threshold = resolve_min_n(min_n)
    for phase in c.PHASES:
        n_col, share_col = f"n_{phase}", f"share_{phase}"
        if n_col in table:
            small = ~(pd.to_numeric(table[n_col], errors="coerce") >= threshold)
            table[n_col] = table[n_col].astype("float64").mask(small)
            table[share_col] = table[share_col].astype("float64").mask(small)
    return table[[*base, *phase_columns, "suppressed", "suppression_reason"]]


def _phase_masks(phases: pd.Series) -> dict[str, pd.Series]:
    """Per phase, which answers were given in it (phase labels trimmed, any case).

    Text labels are trimmed and case-folded once per distinct label.
    """
    if isinstance(phases.dtype, pd.StringDtype):
        codes, uniques = pd.factorize(phases)
        labels = pd.Series(uniques).astype("string").str.strip().str.casefold()
        out = {}
        for phase in c.PHASES:
            hit = np.append(labels.eq(phase).fillna(False).to_numpy(dtype=bool), False)
            out[phase] = pd.Series(hit[codes], index=phases.index, dtype=bool)
        return out
    labels = phases.astype("string").str.strip().str.casefold()
    return {phase: labels.eq(phase).fillna(False).astype(bool) for phase in c.PHASES}


def _row_numbers(
    rows_of: pd.Series,
    where: Sequence[Hashable] | np.ndarray,
    *,
    positions: bool,
    values: np.ndarray | None = None,
) -> tuple[int, ...]:
    """The sorted distinct spreadsheet rows of the answers at ``where`` (``values``: the
    whole-number rows of every answer, when they are)."""
    if values is not None:
        picked = values[np.asarray(where, dtype=np.intp)]
        low = int(values.min()) if len(values) else 0
        if len(picked) and int(values.max()) - low <= 4 * len(values):  # marked, not sorted
            marks = np.zeros(int(values.max()) - low + 1, dtype=bool)
            marks[picked - low] = True
            return tuple((np.flatnonzero(marks) + low).tolist())
        return tuple(np.unique(picked).tolist())
    rows = rows_of.iloc[where] if positions else rows_of.loc[where]
    row_numbers = pd.to_numeric(rows, errors="coerce").dropna().to_numpy()
    if row_numbers.dtype.kind in "iuf":  # sorted distinct numbers, without Python sets
        row_numbers = np.unique(row_numbers)
    else:
        row_numbers = sorted(set(row_numbers.tolist()))
    return tuple(int(r) for r in row_numbers)


def _phase_shares(
    where: Sequence[Hashable] | np.ndarray, in_phase: dict[str, pd.Series], *, positions: bool
) -> dict[str, float]:
    """Answers of a theme (``where``: positions, or labels) per phase, and their shares."""
    out: dict[str, float] = {}
    for phase in c.PHASES:
        mask = in_phase[phase]
        total = int(mask.sum())
        if not len(where):
            count = 0
        elif positions:
            count = int(mask.to_numpy()[np.asarray(where)].sum())
        else:
            count = int(mask.loc[list(where)].sum())
        out[f"n_{phase}"] = count
        out[f"share_{phase}"] = count / total if total else np.nan
    return out
