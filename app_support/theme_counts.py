"""The Themes page's counts: open answers tagged once, kept across uploads, shares per theme.

The viewer's open answers (:func:`app_support.survey_text` for the filters, narrowed to the
codebook's hub) are tagged by the codebook with
:func:`evaluation.text.tagged.tag_open_answers`. The last tagged answers of each viewer,
filters and codebook scope are kept across store versions, so after an upload only the new
datasets' answers are tagged (and after a codebook change the answers are only tagged again);
the shares and suggestions are then worked out from all of them, exactly as from scratch.
"""

from __future__ import annotations

import pandas as pd

from app_support.caching import cache_key, cached, holder, shared
from app_support.filtering import filters
from evaluation.text.tagged import TaggedAnswers, tag_open_answers
from evaluation.text.themes import suggest_themes, summarise_themes

__all__ = ["theme_counts", "theme_suggestions"]


def _tag_keeping(frame: pd.DataFrame, book: pd.DataFrame, scope: str | None) -> TaggedAnswers:
    """Tag ``frame``'s answers, starting from the last result for the same viewer, filters and
    scope (those determine each stored dataset's rows in ``frame``)."""
    _, _, who = cache_key()
    kept = holder(f"themes_kept:{who}:{filters().key()}:{scope}")
    result = tag_open_answers(frame, book, previous=kept.get("last"))
    kept["last"] = result
    return result


def _tagged(frame: pd.DataFrame, book: pd.DataFrame, scope: str | None) -> TaggedAnswers:
    return shared(f"themes_tagged:{scope}", _tag_keeping, frame, book, scope)


def _counted(frame: pd.DataFrame, book: pd.DataFrame, scope: str | None, min_n: int) -> dict:
    found = _tagged(frame, book, scope)
    answers, tags = found.answers, found.tags
    themes = book["theme"].tolist()
    summary = summarise_themes(answers, tags, themes=themes, phases=found.phases, min_n=min_n)
    return {"n_answers": len(answers), "n_coded": found.n_coded, "summary": summary}


def theme_counts(frame: pd.DataFrame, book: pd.DataFrame, scope: str | None, min_n: int) -> dict:
    """How many open answers, how many have a theme, and the share per theme.

    Cached per store version, filters and viewer; the tagged answers behind it are kept across
    store versions (only new datasets' answers are tagged after an upload).

    Parameters
    ----------
    frame : DataFrame
        The viewer's open answers (:func:`app_support.survey_text`) for the current filters
        with the hub set to ``scope``.
    book : DataFrame
        The codebook of ``scope`` (the store's ``codebook``).
    scope : str or None
        The codebook's hub (None: the national codebook, every hub the viewer may see).
    min_n : int
        Themes with fewer answers are suppressed.

    Returns
    -------
    dict
        ``n_answers``, ``n_coded`` (answers with at least one theme) and ``summary``
        (:func:`evaluation.text.themes.summarise_themes`, with shares before and after).

    Examples
    --------
    On a page: ``count = theme_counts(ui.survey_text(chosen), book, None, 5)``, then
    ``count["summary"]``.
    """
    return cached(f"themes_counted:{scope}:{min_n}", _counted, frame, book, scope, min_n)


def _suggested(
    frame: pd.DataFrame, book: pd.DataFrame, scope: str | None, k: int
) -> tuple[int, pd.DataFrame]:
    found = _tagged(frame, book, scope)
    answers = found.answers
    uncoded = answers[~answers.index.isin(found.tags["answer_id"])]
    return len(uncoded), suggest_themes(uncoded, k, seed=0)


def theme_suggestions(
    frame: pd.DataFrame, book: pd.DataFrame, scope: str | None, k: int
) -> tuple[int, pd.DataFrame]:
    """How many answers no theme covers, and up to ``k`` themes suggested for them.

    Parameters
    ----------
    frame, book, scope
        As for :func:`theme_counts`.
    k : int
        How many themes to look for.

    Returns
    -------
    tuple of (int, DataFrame)
        The number of uncoded answers and :func:`evaluation.text.themes.suggest_themes` of
        them; cached as :func:`theme_counts` is.

    Examples
    --------
    On a page: ``n_uncoded, ideas = theme_suggestions(ui.survey_text(chosen), book, None, 3)``.
    """
    return cached(f"themes_suggested:{scope}:{int(k)}", _suggested, frame, book, scope, int(k))
