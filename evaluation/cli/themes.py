"""``python -m evaluation themes FILE...``: what teachers wrote, in themes.

Tags every open answer with the codebook's themes (the Maths Hubs default unless ``--codebook``)
and, with ``--suggest K``, suggests up to K new themes for the answers no theme covers.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from typing import TYPE_CHECKING

from evaluation import columns as c
from evaluation.cli._common import add_min_n, err, lazy_module
from evaluation.cli.compare import load_surveys, phase_list

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")  # imported on first use, so that --help does not load pandas

__all__ = ["EXIT_INVALID", "EXIT_OK", "EXIT_UNREADABLE", "document", "register", "run"]

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
TEXT_PREFIX = "text_"
# Keys of each theme in the --json document (the public contract), then before/after keys.
THEME_FIELDS = ("theme", "source", "n", "share", "rows", "examples", "top_terms")
PHASE_FIELDS = ("n_pre", "share_pre", "n_post", "share_post")


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--suggest takes a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("--suggest must be at least 1")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``themes`` sub-command to the command line.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    >>> parser.parse_args(["themes", "post.csv", "--suggest", "3"]).suggest
    3
    """
    parser = subparsers.add_parser(
        "themes",
        help="what teachers wrote in the open questions, in themes",
        description=(
            "Read the survey files, tag every open answer with the themes of a codebook (the "
            "Maths Hubs default unless --codebook) and, with --suggest K, suggest up to K new "
            "themes for the answers no theme covers, each with its top words and example "
            "answers. Themes with too few answers are suppressed. Exit code 0: done; 1: a file "
            "or the codebook has errors (listed); 2: a file cannot be read, or bad usage."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="survey files (.csv or .xlsx)")
    parser.add_argument(
        "--codebook",
        metavar="CSV",
        help="codebook CSV: theme, keywords (separated by ;), optional description, examples",
    )
    parser.add_argument(
        "--suggest",
        type=_count,
        default=0,
        metavar="K",
        help="suggest up to K new themes for the answers the codebook leaves uncoded",
    )
    parser.add_argument(
        "--column",
        metavar="COL",
        help="only this open question (its heading or part of it); default every open question",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the suggestions (default 0)")
    parser.add_argument(
        "--phase",
        type=phase_list,
        metavar="PHASES",
        help="phase of each file without a phase column, in file order, e.g. pre,post",
    )
    parser.add_argument("--hub", help="Maths Hub for rows that do not name one")
    parser.add_argument("--ncp", help="project (NCP) name or code for rows that do not name one")
    parser.add_argument("--year", help="academic year for rows that do not give one, e.g. 2024/25")
    parser.add_argument("--work-group", dest="work_group", help="Work Group for every row")
    add_min_n(parser, help="hide themes with fewer answers than this (default 5, or $IMPACT_MIN_N)")
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout")
    parser.set_defaults(run=run)


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", str(text).casefold())


def text_columns(frame: pd.DataFrame, wanted: str | None) -> list[str] | str:
    """The open-text columns to read, or a sentence saying why ``wanted`` names none.

    Examples
    --------
    >>> frame = pd.DataFrame(columns=["hub", "text_what_changed", "text_support"])
    >>> text_columns(frame, None)
    ['text_what_changed', 'text_support']
    >>> text_columns(frame, "What changed")
    ['text_what_changed']
    """
    available = [col for col in frame.columns if str(col).startswith(TEXT_PREFIX)]
    if wanted is None:
        return available
    key = _key(wanted)
    exact = [col for col in available if key in (_key(col), _key(col.removeprefix(TEXT_PREFIX)))]
    partial = [col for col in available if key and key in _key(col)]
    found = exact or partial
    if len(found) == 1:
        return found
    names = ", ".join(col.removeprefix(TEXT_PREFIX) for col in available) or "none"
    if found:
        return f"--column {wanted!r} fits several open questions ({names}); be more specific."
    return f"--column {wanted!r} is not an open question of these files (open questions: {names})."


def _clean(value: object) -> object:
    if isinstance(value, tuple | list):
        return [_clean(v) for v in value]
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def document(summary: pd.DataFrame, *, n_answers: int, n_uncoded: int) -> dict:
    """The ``--json`` document: ``{"themes": [...], "n_answers", "n_uncoded"}``.

    Suppressed themes have ``n`` and ``share`` None and no rows or examples.

    Examples
    --------
    >>> summary = pd.DataFrame({"theme": ["Talk"], "source": ["codebook"], "n": [6.0],
    ...     "share": [0.5], "rows": [(2, 3)], "examples": [("more talk",)],
    ...     "top_terms": [("talk",)], "suppressed": [False]})
    >>> document(summary, n_answers=12, n_uncoded=6)["themes"][0]["n"]
    6
    """
    themes = []
    fields = [*THEME_FIELDS, *(f for f in PHASE_FIELDS if f in summary)]
    for record in summary.to_dict("records"):
        entry = {key: _clean(record.get(key)) for key in fields}
        for key in ("rows", "examples", "top_terms"):
            entry[key] = entry[key] or []
        for key in ("n", "n_pre", "n_post"):
            if entry.get(key) is not None:
                entry[key] = int(entry[key])
        entry["suppressed"] = bool(record.get("suppressed", False))
        themes.append(entry)
    return {"themes": themes, "n_answers": int(n_answers), "n_uncoded": int(n_uncoded)}


def _answers(frame: pd.DataFrame, columns: list[str]) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Every non-empty answer of ``columns`` (one per cell), its spreadsheet row and phase."""
    parts = []
    for column in columns:
        text = frame[column].astype("string").str.strip()
        keep = text.notna() & text.ne("")
        parts.append(
            pd.DataFrame(
                {
                    "answer": text[keep].astype(str),
                    "row": frame.loc[keep, c.SOURCE_ROW],
                    "phase": frame.loc[keep, c.PHASE],
                }
            )
        )
    long = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame({"answer": [], "row": [], "phase": []})
    )
    return long["answer"], long["row"], long["phase"]


def _text(summary: pd.DataFrame, *, n_answers: int, n_uncoded: int) -> str:
    lines = [f"{n_answers} answers; {n_uncoded} match no codebook theme."]
    for record in summary.to_dict("records"):
        label = f"{record['theme']} ({record['source']})"
        if record["suppressed"]:
            lines.append(f"- {label}: {record['suppression_reason']}, not shown")
            continue
        line = f"- {label}: {int(record['n'])} answers ({record['share']:.0%})"
        if pd.notna(record.get("share_pre")) and pd.notna(record.get("share_post")):
            line += f"; before {record['share_pre']:.0%}, after {record['share_post']:.0%}"
        lines.append(line)
        if record["source"] == "suggested" and record["top_terms"]:
            lines.append(f"    top words: {', '.join(record['top_terms'])}")
        lines += [f'    "{quote}"' for quote in record["examples"]]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run ``themes``; 0 done, 1 a file or the codebook has errors, 2 unreadable or bad usage."""
    # Imported here, not at the top, so that --help does not load pandas and scikit-learn.
    from evaluation.text.codebook import (
        CodebookError,
        default_codebook,
        read_codebook,
        tag_answers,
    )
    from evaluation.text.themes import suggest_themes, summarise_themes

    try:
        codebook = read_codebook(args.codebook) if args.codebook else default_codebook()
    except CodebookError as exc:
        err(f"{args.codebook}: {exc}")
        return EXIT_UNREADABLE if exc.unreadable else EXIT_INVALID
    frame, _instrument, _identifiers, code = load_surveys(args)
    if code:
        return code
    columns = text_columns(frame, args.column)
    if isinstance(columns, str):
        err(columns)
        return EXIT_UNREADABLE
    if not columns:
        err("These files have no open questions (columns of written answers).")
    answers, rows, phases = _answers(frame, columns)
    tags = tag_answers(answers, codebook)
    uncoded = answers[~answers.index.isin(tags["answer_id"])]
    suggestions = suggest_themes(uncoded, args.suggest, seed=args.seed) if args.suggest else None
    has_phases = phases.nunique() > 1
    summary = summarise_themes(
        answers,
        tags,
        suggestions=suggestions,
        themes=codebook["theme"].tolist(),
        phases=phases if has_phases else None,
        source_rows=rows,
        min_n=args.min_n,
    )
    if args.json:
        doc = document(summary, n_answers=len(answers), n_uncoded=len(uncoded))
        print(json.dumps(doc, allow_nan=False, ensure_ascii=False))
    else:
        print(_text(summary, n_answers=len(answers), n_uncoded=len(uncoded)))
    return EXIT_OK
