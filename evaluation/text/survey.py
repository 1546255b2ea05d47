"""Themes in a survey's open answers: what the dashboard and the board pack show.

"What teachers wrote": every open answer (``text_*`` columns) tagged by the default Maths Hubs
codebook, each theme's share of the answers before and after the programme, small themes
suppressed below the minimum group size. The same table feeds the hub page and the board pack.
"""

from __future__ import annotations

import pandas as pd

from evaluation import columns as c
from evaluation.text.codebook import default_codebook, tag_answers
from evaluation.text.themes import summarise_themes

__all__ = ["TEXT_PREFIX", "THEME_TABLE_COLUMNS", "open_answers", "survey_themes", "themes_table"]

TEXT_PREFIX = c.TEXT_PREFIX
THEME_TABLE_COLUMNS = ("Theme", "Answers", "Share before (%)", "Share after (%)")


def open_answers(frame: pd.DataFrame) -> pd.DataFrame:
    """Every non-empty open answer of ``frame``, one row per cell: ``answer, phase, row``.

    ``row`` is the spreadsheet row (``source_row``) when the frame has it.

    Examples
    --------
    >>> frame = pd.DataFrame({"phase": ["pre", "post"], "text_why": ["More talk", " "],
    ...                       "text_how": [None, "Bar models"]})
    >>> open_answers(frame)
           answer phase  row
    0   More talk   pre    0
    1  Bar models  post    1
    """
    columns = [col for col in frame.columns if str(col).startswith(TEXT_PREFIX)]
    parts = []
    for column in columns:
        text = frame[column].astype("string").str.strip()
        keep = (text.notna() & text.ne("")).to_numpy(dtype=bool)
        rows = frame[c.SOURCE_ROW] if c.SOURCE_ROW in frame else pd.Series(frame.index, frame.index)
        phase = frame[c.PHASE] if c.PHASE in frame else pd.Series(pd.NA, index=frame.index)
        parts.append(
            pd.DataFrame(
                {"answer": text[keep].astype(str), "phase": phase[keep], "row": rows[keep]}
            )
        )
    if not parts:
        return pd.DataFrame({"answer": [], "phase": [], "row": []})
    return pd.concat(parts, ignore_index=True)


def survey_themes(
    frame: pd.DataFrame, *, codebook: pd.DataFrame | None = None, min_n: int | None = None
) -> pd.DataFrame:
    """Each codebook theme's answers and share before and after, suppressed below ``min_n``.

    Parameters
    ----------
    frame : DataFrame
        Survey rows (the viewer's rows only) with ``text_*`` columns and ``phase``.
    codebook : DataFrame, optional
        Default :func:`evaluation.text.codebook.default_codebook`.
    min_n : int, optional
        Minimum group size (default ``$IMPACT_MIN_N`` or 5).

    Returns
    -------
    DataFrame
        :func:`evaluation.text.themes.summarise_themes` with ``n_pre, share_pre, n_post,
        share_post``; empty when there are no open answers.

    Examples
    --------
    >>> frame = pd.DataFrame({"phase": ["pre"] * 6 + ["post"] * 6,
    ...     "text_changed": ["nothing much"] * 6 + ["we use the bar model a lot"] * 6})
    >>> out = survey_themes(frame, min_n=5)
    >>> bar = out[out["theme"].eq("Representations and the bar model")].iloc[0]
    >>> float(bar["share_post"]), bool(pd.isna(bar["share_pre"]))  # fewer than 5: hidden
    (1.0, True)
    """
    answers = open_answers(frame)
    if answers.empty:
        return pd.DataFrame()
    book = default_codebook() if codebook is None else codebook
    tags = tag_answers(answers["answer"], book)
    return summarise_themes(
        answers["answer"],
        tags,
        themes=[str(theme) for theme in book["theme"]],
        phases=answers["phase"],
        source_rows=answers["row"],
        min_n=min_n,
    )


def _percent(value: object) -> str:
    number = pd.to_numeric(value, errors="coerce")
    return "" if pd.isna(number) else f"{100 * float(number):.0f}"


def themes_table(summary: pd.DataFrame, *, quotes: bool) -> pd.DataFrame:
    """The themes as a table for people: answers, share before and after (blank = hidden).

    With ``quotes`` (viewers allowed to see open text) an ``Example`` column quotes one answer
    per theme, exactly as written with email addresses removed.

    Examples
    --------
    >>> summary = pd.DataFrame({"theme": ["Talk"], "n": [8.0], "share_pre": [0.25],
    ...     "share_post": [0.5], "examples": [("We talk more",)], "suppressed": [False]})
    >>> themes_table(summary, quotes=True).iloc[0].tolist()
    ['Talk', '8', '25', '50', 'We talk more']
    """
    blank = pd.Series(None, index=summary.index, dtype=object)
    counts = pd.to_numeric(summary["n"], errors="coerce")
    table = pd.DataFrame(
        {
            "Theme": summary["theme"].astype(str),
            "Answers": ["" if pd.isna(n) else f"{n:.0f}" for n in counts],
            "Share before (%)": [_percent(v) for v in summary.get("share_pre", blank)],
            "Share after (%)": [_percent(v) for v in summary.get("share_post", blank)],
        }
    )
    if quotes:
        table["Example"] = [
            str(examples[0]) if isinstance(examples, tuple) and examples else ""
            for examples in summary["examples"]
        ]
    return table.reset_index(drop=True)
