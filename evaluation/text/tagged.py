"""Open answers tagged by a codebook, kept between uploads: only new datasets are tagged again.

A stored dataset's rows never change, and an answer's tags depend only on its text and the
codebook's themes and keywords. So when a dashboard has tagged a viewer's open answers once,
an upload adds the new datasets' answers and tags to those it has; a withdrawn or replaced
dataset's answers are dropped; a changed codebook tags the answers it has again (without
reading them again). The result is the same, to the last value, as reading and tagging every
answer from scratch: :func:`tag_open_answers` with no ``previous``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation import columns as c
from evaluation.text.codebook import TAG_COLUMNS, tag_answers

__all__ = ["TaggedAnswers", "codebook_key", "tag_open_answers"]

Runs = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class _Part:
    """One open question's answers (one ``text_*`` column), their phases, datasets and tags.

    ``tag_rows`` are positions in ``answers``; ``themes`` and ``keywords`` go with them.
    """

    answers: np.ndarray
    phases: pd.Series
    datasets: np.ndarray
    tag_rows: np.ndarray
    themes: np.ndarray
    keywords: np.ndarray


@dataclass(frozen=True)
class TaggedAnswers:
    """Every open answer of a frame, its phase and the codebook's tags on them.

    ``answers`` (object, one per non-empty ``text_*`` cell, question by question, rows in the
    frame's order) and ``phases`` have the same default index; ``tags`` is
    :func:`evaluation.text.codebook.tag_answers` of ``answers``. ``codebook`` is the
    :func:`codebook_key` the tags were made with; ``runs`` the frame's ``(dataset_id, rows)``
    in order (None without dataset ids), which tell a later call what it may keep.
    """

    answers: pd.Series
    phases: pd.Series
    tags: pd.DataFrame
    codebook: str
    runs: Runs | None
    parts: Mapping[str, _Part]

    @property
    def n_coded(self) -> int:
        """How many answers have at least one tag.

        Examples
        --------
        >>> from evaluation.text.codebook import read_codebook
        >>> frame = pd.DataFrame({"phase": ["pre", "post"], "text_why": ["talk", "nothing"]})
        >>> tag_open_answers(frame, read_codebook(b"theme,keywords\\nTalk,talk\\n")).n_coded
        1
        """
        coded = 0
        for part in self.parts.values():
            marks = np.zeros(len(part.answers), dtype=bool)
            marks[part.tag_rows] = True
            coded += int(marks.sum())
        return coded


def codebook_key(codebook: pd.DataFrame) -> str:
    """A digest of what tagging by ``codebook`` depends on: its themes' names and keywords.

    Examples
    --------
    >>> from evaluation.text.codebook import read_codebook
    >>> one = read_codebook(b"theme,keywords,description\\nTalk,talk,Pupils talk\\n")
    >>> two = read_codebook(b"theme,keywords,description\\nTalk,talk,Talking more\\n")
    >>> codebook_key(one) == codebook_key(two)
    True
    """
    pairs = [
        (str(theme), [str(keyword) for keyword in keywords])
        for theme, keywords in zip(codebook["theme"], codebook["keywords"], strict=True)
    ]
    return hashlib.sha256(repr(pairs).encode("utf-8")).hexdigest()


def _runs(frame: pd.DataFrame) -> Runs | None:
    """``(dataset_id, rows)`` of each run of the frame's rows, or None when a dataset's rows
    are not together (or there are no dataset ids)."""
    if c.DATASET_ID not in frame:
        return None
    ids = frame[c.DATASET_ID].to_numpy()
    if ids.dtype.kind not in "iu":
        return None
    starts = np.flatnonzero(np.diff(ids)) + 1 if len(ids) else np.array([], dtype=np.intp)
    bounds = np.concatenate([[0], starts, [len(ids)]]) if len(ids) else np.array([0])
    runs = tuple(
        (int(ids[bounds[i]]), int(bounds[i + 1] - bounds[i])) for i in range(len(bounds) - 1)
    )
    return runs if len({dataset for dataset, _ in runs}) == len(runs) else None


def _kept_rows(previous: Runs | None, runs: Runs | None) -> tuple[int, set[int]] | None:
    """How many leading rows of the frame ``previous`` already holds, and their datasets.

    Only when the frame is ``previous``'s datasets still present, with the same rows in the
    same order, followed by datasets ``previous`` never saw; else None (tag from scratch).
    """
    if previous is None or runs is None:
        return None
    before = dict(previous)
    kept = 0
    while kept < len(runs) and runs[kept][0] in before:
        if before[runs[kept][0]] != runs[kept][1]:
            return None
        kept += 1
    if any(dataset in before for dataset, _ in runs[kept:]):
        return None
    ids = [dataset for dataset, _ in runs[:kept]]
    still = set(ids)
    if ids != [dataset for dataset, _ in previous if dataset in still]:
        return None
    return sum(rows for _, rows in runs[:kept]), still


def _tagged(answers: np.ndarray, codebook: pd.DataFrame) -> tuple[np.ndarray, ...]:
    tags = tag_answers(pd.Series(answers, dtype=object), codebook)
    return (
        tags["answer_id"].to_numpy(dtype=np.int64),
        tags["theme"].to_numpy(dtype=object),
        tags["keyword"].to_numpy(dtype=object),
    )


def _read(frame: pd.DataFrame, columns: list[str], codebook: pd.DataFrame) -> dict[str, _Part]:
    """Each question's non-empty answers in ``frame`` (trimmed), their phases, datasets, tags."""
    phase = frame[c.PHASE].reset_index(drop=True)
    if c.DATASET_ID in frame:
        datasets = frame[c.DATASET_ID].to_numpy(dtype=np.int64)
    else:
        datasets = np.zeros(len(frame), dtype=np.int64)
    parts = {}
    for column in columns:
        text = frame[column].astype("string").str.strip()
        keep = (text.notna() & text.ne("")).to_numpy(dtype=bool)
        answers = text.to_numpy(dtype=object)[keep]
        rows, themes, keywords = _tagged(answers, codebook)
        phases = phase[keep].reset_index(drop=True)
        parts[column] = _Part(answers, phases, datasets[keep], rows, themes, keywords)
    return parts


def _select(part: _Part, keep: np.ndarray) -> _Part:
    """The answers where ``keep``, with their tags."""
    position = np.cumsum(keep) - 1
    tagged = keep[part.tag_rows]
    return _Part(
        part.answers[keep],
        part.phases[keep].reset_index(drop=True),
        part.datasets[keep],
        position[part.tag_rows[tagged]],
        part.themes[tagged],
        part.keywords[tagged],
    )


def _concat(series: list[pd.Series]) -> pd.Series:
    """The values one after another (kept in their dtype when they share it)."""
    return pd.concat(series, ignore_index=True) if len(series) > 1 else series[0]


def _retagged(part: _Part, codebook: pd.DataFrame) -> _Part:
    rows, themes, keywords = _tagged(part.answers, codebook)
    return _Part(part.answers, part.phases, part.datasets, rows, themes, keywords)


def _joined(first: _Part, second: _Part) -> _Part:
    return _Part(
        np.concatenate([first.answers, second.answers]),
        _concat([first.phases, second.phases]),
        np.concatenate([first.datasets, second.datasets]),
        np.concatenate([first.tag_rows, second.tag_rows + len(first.answers)]),
        np.concatenate([first.themes, second.themes]),
        np.concatenate([first.keywords, second.keywords]),
    )


def _kept_parts(
    previous: TaggedAnswers, datasets: set[int], columns: list[str], codebook: pd.DataFrame
) -> dict[str, _Part] | None:
    """``previous``'s answers of ``datasets`` per question (tagged again if the codebook
    changed); None when a question the frame no longer has still has answers."""
    same_book = previous.codebook == codebook_key(codebook)
    wanted = np.fromiter(datasets, dtype=np.int64, count=len(datasets))
    out = {}
    for column, part in previous.parts.items():
        kept = _select(part, np.isin(part.datasets, wanted))
        if column not in columns:
            if len(kept.answers):
                return None
            continue
        out[column] = kept if same_book else _retagged(kept, codebook)
    return out


def tag_open_answers(
    frame: pd.DataFrame, codebook: pd.DataFrame, previous: TaggedAnswers | None = None
) -> TaggedAnswers:
    """Every non-empty open answer of ``frame`` (trimmed), its phase, and the codebook's tags.

    Parameters
    ----------
    frame : DataFrame
        Survey rows with ``phase`` and ``text_*`` columns (one answer per non-empty cell), and
        ``dataset_id`` for ``previous`` to be of use (as the store's ``load_survey_text``
        returns them: each dataset's rows together).
    codebook : DataFrame
        From :func:`evaluation.text.codebook.read_codebook` or the store.
    previous : TaggedAnswers, optional
        An earlier result for the same viewer and filters (an earlier store version): the
        answers of its datasets still in ``frame`` are kept, not read and tagged again, when
        ``frame`` holds those datasets' rows first, in the same order, then new datasets only
        (else everything is read again). The caller must not pass a result computed for
        other rows of the same datasets (another viewer, other filters).

    Returns
    -------
    TaggedAnswers
        The same answers, phases and tags whether or not ``previous`` is given.

    Examples
    --------
    >>> from evaluation.text.codebook import read_codebook
    >>> book = read_codebook(b"theme,keywords\\nTalk,talk\\n")
    >>> first = pd.DataFrame({"dataset_id": [1, 1], "phase": ["pre", "post"],
    ...                       "text_why": ["Talk more", " "]})
    >>> kept = tag_open_answers(first, book)
    >>> later = pd.concat([first, pd.DataFrame({"dataset_id": [2], "phase": ["post"],
    ...                                         "text_why": ["More talk"]})])
    >>> tag_open_answers(later, book, previous=kept).tags
      answer_id theme keyword
    0         0  Talk    talk
    1         1  Talk    talk
    """
    columns = [column for column in frame.columns if str(column).startswith(c.TEXT_PREFIX)]
    runs = _runs(frame)
    found = None if previous is None else _kept_rows(previous.runs, runs)
    kept = None
    if previous is not None and found is not None:
        kept = _kept_parts(previous, found[1], columns, codebook)
    if kept is None:
        parts = _read(frame, columns, codebook)
    else:
        added = _read(frame.iloc[found[0] :], columns, codebook)
        parts = {
            column: _joined(kept[column], added[column]) if column in kept else added[column]
            for column in columns
        }
    return _assembled(frame, columns, parts, codebook, runs)


def _assembled(
    frame: pd.DataFrame,
    columns: list[str],
    parts: dict[str, _Part],
    codebook: pd.DataFrame,
    runs: Runs | None,
) -> TaggedAnswers:
    """The answers, phases and tags of every question, question by question."""
    key = codebook_key(codebook)
    if not columns:
        answers, phases = pd.Series(dtype=object), pd.Series(dtype=object)
        return TaggedAnswers(answers, phases, tag_answers(answers, codebook), key, runs, {})
    ordered = [parts[column] for column in columns]
    offsets = np.cumsum([0, *(len(part.answers) for part in ordered)])[:-1]
    answers = pd.Series(np.concatenate([p.answers for p in ordered]), dtype=object, name="answer")
    phases = _concat([p.phases for p in ordered]).astype(frame[c.PHASE].dtype).rename("phase")
    ids = np.concatenate(
        [p.tag_rows + offset for p, offset in zip(ordered, offsets, strict=True)]
    ).astype(np.int64)
    tags = pd.DataFrame(
        {
            "answer_id": ids.astype(object),
            "theme": np.concatenate([p.themes for p in ordered]),
            "keyword": np.concatenate([p.keywords for p in ordered]),
        },
        columns=list(TAG_COLUMNS),
        dtype=object,  # as tag_answers: Python values, no text dtype inferred and undone
    )
    return TaggedAnswers(answers, phases, tags, key, runs, dict(parts))
