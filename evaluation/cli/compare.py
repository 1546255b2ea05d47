"""``python -m evaluation compare FILE...``: what changed between the pre and post surveys.

Reads and checks the files, matches people by participant code (or email, never by a form's
response number) and prints the paired result table (unpaired when no one can be matched).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evaluation import columns as c
from evaluation.cli._common import lazy_module

if TYPE_CHECKING:
    import pandas as pd

    from evaluation.instruments import Instrument
else:
    pd = lazy_module("pandas")  # imported on first use, so that --help does not load pandas

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2

# Keys a table can be split by (--by), with the friendly spellings accepted on the command line.
BY_KEYS = {
    "hub": c.HUB,
    "ncp": c.NCP,
    "project": c.NCP,
    "year": c.ACADEMIC_YEAR,
    "academic_year": c.ACADEMIC_YEAR,
    "work_group": c.WORK_GROUP,
    "work-group": c.WORK_GROUP,
    "school_phase": c.SCHOOL_PHASE,
    "role": c.ROLE,
}

INTEGER_FIELDS = ("n_pre", "n_post", "n_paired")
ADJUST_NAMES = {"holm": "Holm", "bh": "Benjamini-Hochberg", "none": "no"}


def json_fields() -> tuple[str, ...]:
    """Keys of each result in the ``--json`` document, after the group keys (the public contract).

    Every result column but ``design``, which the document states once at the top.

    Examples
    --------
    >>> json_fields()[:3]
    ('item', 'n_pre', 'n_post')
    """
    from evaluation.stats.paired import RESULT_COLUMNS  # here, not at the top: --help skips SciPy

    return tuple(column for column in RESULT_COLUMNS if column != "design")


def _by(text: str) -> list[str]:
    keys = []
    for part in text.split(","):
        name = part.strip().lower()
        if not name:
            continue
        if name not in BY_KEYS:
            choices = ", ".join(sorted({k for k in BY_KEYS if "-" not in k}))
            raise argparse.ArgumentTypeError(f"cannot split by {part!r}; choose from {choices}")
        if BY_KEYS[name] not in keys:
            keys.append(BY_KEYS[name])
    return keys


def phase_list(text: str) -> list[str]:
    phases = [p.strip().lower() for p in text.split(",")]
    if not phases or any(p not in ("pre", "post") for p in phases):
        raise argparse.ArgumentTypeError("--phase takes pre or post per file, e.g. pre,post")
    return phases


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``compare`` sub-command to the command line.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    >>> parser.parse_args(["compare", "pre.csv", "post.csv", "--by", "hub,ncp"]).by
    ['hub', 'ncp']
    """
    parser = subparsers.add_parser(
        "compare",
        help="what changed between the pre and post surveys, item by item",
        description=(
            "Check the survey files, match each person's pre and post answers by participant "
            "code (or email; never by a form's response number) and print the change for "
            "every item and scale. Give a pre file and a post file (in that order when they "
            "have no phase column), or files with a phase column. Exit code 0: done; 1: a "
            "file has errors (listed); 2: a file cannot be read, or bad usage."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="survey files (.csv or .xlsx)")
    parser.add_argument(
        "--by",
        type=_by,
        default=[],
        metavar="KEYS",
        help="split the results, e.g. hub,ncp (also year, work_group, school_phase, role)",
    )
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
    parser.add_argument(
        "--design",
        choices=("auto", "paired", "unpaired"),
        default="auto",
        help="auto (default): paired when people can be matched, else unpaired",
    )
    parser.add_argument(
        "--adjust",
        choices=("holm", "bh", "none"),
        default="holm",
        help="multiplicity adjustment within each group's items (default holm)",
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="one JSON document on stdout")
    output.add_argument("--csv", action="store_true", help="CSV on stdout")
    parser.set_defaults(run=run)


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _has_phase_column(checked) -> bool:
    return c.PHASE in checked.column_map.values()


def load_surveys(args: argparse.Namespace):
    """Check every file; returns (frame, instrument, identifiers, exit code)."""
    from evaluation.validation import FileDefaults, check_files

    def check(names: list[str], phases: list[str | None]):
        defaults = [
            FileDefaults(
                hub=args.hub,
                ncp=args.ncp,
                phase=phase,
                academic_year=args.year,
                work_group=args.work_group,
            )
            for phase in phases
        ]
        return check_files(names, file_names=[Path(n).name for n in names], defaults=defaults)

    files = list(args.files)
    if args.phase is not None and len(args.phase) != len(files):
        _err(f"--phase gives {len(args.phase)} phase(s) for {len(files)} file(s); give one each.")
        return None, None, (), EXIT_UNREADABLE
    phases = list(args.phase) if args.phase else [None] * len(files)
    result = check(files, phases)
    checked = result.files
    if args.phase is None:
        missing = [i for i, ch in enumerate(checked) if ch.frame is not None]
        missing = [i for i in missing if not _has_phase_column(checked[i])]
        if missing:
            if len(files) == 2 and missing == [0, 1]:
                # Two files without a phase column: the documented order is pre, then post.
                result = check(files, ["pre", "post"])
                checked = result.files
            else:
                names = ", ".join(Path(files[i]).name for i in missing)
                _err(
                    f"{names}: no phase column, so we cannot tell pre from post. Give the pre "
                    "file then the post file, or say which is which with --phase pre,post."
                )
                return None, None, (), EXIT_UNREADABLE

    code = EXIT_OK
    for name, ch in zip(files, checked, strict=True):
        label = Path(name).name
        if ch.frame is None:
            _err(f"{label}: cannot be read.")
            for problem in ch.report.errors:
                _err(f"  {' '.join(problem.describe().split())}")
            code = EXIT_UNREADABLE
        elif not ch.report.valid:
            count = len(ch.report.errors)
            _err(f"{label}: {count} problem{'s' if count != 1 else ''} must be fixed first:")
            for problem in ch.report.errors:
                _err(f"  {' '.join(problem.describe().split())}")
            code = max(code, EXIT_INVALID)
        else:
            for note in ch.notes:
                _err(f"{label}: {note}")
            if ch.report.warnings:
                count = len(ch.report.warnings)
                _err(
                    f"{label}: {count} warning{'s' if count != 1 else ''} "
                    f"(see: python -m evaluation validate {name})."
                )
    if code:
        return None, None, (), code
    return result.surveys, result.instrument, result.identifiers, EXIT_OK


def _clean(value: object) -> object:
    """A JSON-ready value: NaN and missing values become None, NumPy scalars Python ones."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def document(results: pd.DataFrame, *, design: str, by: Sequence[str]) -> dict:
    """The ``--json`` document: ``{"design", "by", "results": [...]}`` with NaN as None.

    Examples
    --------
    >>> res = pd.DataFrame({"hub": ["A"], "item": ["conf_1"], "n_pre": [3], "t": [float("nan")]})
    >>> document(res, design="paired", by=["hub"])["results"][0]["t"] is None
    True
    """
    fields = [*by, *json_fields()]
    rows = []
    for record in results.to_dict("records"):
        row: dict[str, Any] = {key: _clean(record.get(key)) for key in fields}
        for key in INTEGER_FIELDS:
            if row.get(key) is not None:
                row[key] = int(row[key])
        rows.append(row)
    return {"design": design, "by": list(by), "results": rows}


def _number(value: object, digits: int = 2) -> str:
    """A number to ``digits`` places; one that rounds to zero is 0.00, never -0.00.

    Examples
    --------
    >>> _number(-0.001), _number(-0.5), _number(None)
    ('0.00', '-0.50', '–')
    """
    number = pd.to_numeric(value, errors="coerce")
    if pd.isna(number):
        return "–"
    text = f"{number:.{digits}f}"
    return f"{0:.{digits}f}" if float(text) == 0 else text


def _p(value: object) -> str:
    number = pd.to_numeric(value, errors="coerce")
    if pd.isna(number):
        return "–"
    return "<0.001" if number < 0.001 else f"{number:.3f}"


# Questions are wrapped in the text table to lines of this many characters, at most
# QUESTION_LINES lines (the last cut short with an ellipsis).
QUESTION_CHARS = 50
QUESTION_LINES = 3
REVERSED_MARK = "(reversed: a fall is good)"


def question_label(item: str, instrument: Instrument | None) -> list[str]:
    """How a result row is named in the text table, as lines: the question as asked (wrapped),
    with a last line marking a reversed question; a construct score as "Scale: <name>".

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> for line in question_label("conf_3", default_instrument()):
    ...     print(line)
    I feel anxious when I have to teach a mathematical
    topic I have not taught before
    (reversed: a fall is good)
    >>> question_label("subject_knowledge", default_instrument())
    ['Scale: subject knowledge']
    """
    if instrument is None:
        return [item]
    if item in instrument.item_ids:
        question = instrument.item(item)
        lines = textwrap.wrap(question.text, QUESTION_CHARS) or [item]
        if len(lines) > QUESTION_LINES:
            rest = " ".join(lines[QUESTION_LINES - 1 :])
            from evaluation.validation.report import short  # here: --help skips pandera

            lines = [*lines[: QUESTION_LINES - 1], short(rest, QUESTION_CHARS)]
        return [*lines, REVERSED_MARK] if question.reverse else lines
    if item in instrument.constructs:
        return [f"Scale: {item.replace('_', ' ')}"]
    return [item]


def question_column(results: pd.DataFrame, instrument: Instrument | None) -> pd.Series:
    """The question as asked for each result row (None for a construct score).

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> question_column(pd.DataFrame({"item": ["conf_1", "confidence"]}),
    ...                 default_instrument()).tolist()
    ['I feel confident teaching mathematics to my class', nan]
    """
    texts = {i.item: i.text for i in instrument.items} if instrument is not None else {}
    return results[c.ITEM].map(lambda item: texts.get(item)).astype(object)


def text_table(
    results: pd.DataFrame,
    *,
    design: str,
    by: Sequence[str],
    adjust: str,
    instrument: Instrument | None = None,
) -> str:
    """A readable table of the results, one line per group x question, notes underneath.

    Examples
    --------
    >>> res = pd.DataFrame({"item": ["conf_1"], "design": ["paired"], "n_pre": [3], "n_post": [3],
    ...     "n_paired": [3], "mean_pre": [2.0], "mean_post": [3.0], "mean_change": [1.0],
    ...     "ci_low": [-0.001], "ci_high": [1.5], "p_adj": [0.02], "g_av": [0.9], "reason": [None]})
    >>> lines = text_table(res, design="paired", by=[], adjust="holm").splitlines()
    >>> print(lines[1])
    Question  n  Before  After  Change (95% CI)      p (adj.)  g_av
    >>> print(lines[3])
    conf_1    3  2.00    3.00   1.00 (0.00 to 1.50)  0.020     0.90
    """
    header = [*(k.replace("_", " ").capitalize() for k in by), "Question", "n", "Before", "After"]
    header += ["Change (95% CI)", "p (adj.)", "g_av"]
    notes: dict[str, int] = {}
    lines = []
    for _, row in results.iterrows():
        if row["design"] == "paired":
            n = f"{int(row['n_paired'])}"
        else:
            n = f"{int(row['n_pre'])}/{int(row['n_post'])}"
        change = _number(row["mean_change"])
        if pd.notna(row["ci_low"]) and pd.notna(row["ci_high"]):
            change += f" ({_number(row['ci_low'])} to {_number(row['ci_high'])})"
        mark = ""
        if isinstance(row.get("reason"), str) and row["reason"]:
            notes.setdefault(row["reason"], len(notes) + 1)
            mark = f" [{notes[row['reason']]}]"
        question = question_label(str(row[c.ITEM]), instrument)
        lines.append(
            [
                *(str(row[k]) for k in by),
                question[0],
                n,
                _number(row["mean_pre"]),
                _number(row["mean_post"]),
                change,
                _p(row["p_adj"]),
                _number(row["g_av"]) + mark,
            ]
        )
        for more in question[1:]:  # the rest of a long question, under its first line
            lines.append([*("" for _ in by), more, *("" for _ in range(6))])
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(cells, widths, strict=True)).rstrip()

    if design == "paired":
        title = "Paired change: each person's post answers against their own pre answers."
        n_note = "n = people who answered both surveys"
    else:
        title = (
            "Unpaired change: no one could be matched before and after, so everyone's answers "
            "are compared as two groups (weaker evidence)."
        )
        n_note = "n = people who answered before / after"
    scale = f" ({instrument.scale_min} to {instrument.scale_max})" if instrument else ""
    out = [
        title,
        fmt(header),
        fmt(["-" * w for w in widths]),
        *(fmt(line) for line in lines),
        "",
        f"{n_note}; Before and After = the average answer{scale}; p (adj.) = how likely a "
        "change this large would be by chance alone, adjusted "
        f"({ADJUST_NAMES[adjust]}) because many questions are tested at once; g_av = the "
        "change in standard deviations of the answers (Hedges' g); a scale is the average of "
        "its questions with reversed ones turned round.",
    ]
    if notes:
        out.append("")
        out += [f"[{number}] {reason}" for reason, number in notes.items()]
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    """Run ``compare``; 0 done, 1 a file has errors, 2 unreadable file or bad usage."""
    frame, instrument, identifiers, code = load_surveys(args)
    if code:
        return code
    from evaluation.io.exports import neutralise
    from evaluation.stats.comparisons import compare
    from evaluation.stats.scoring import to_long

    by = list(args.by)
    long = to_long(frame, instrument, keys=by, categorical=True)  # categories: a tenth the size
    del frame  # only the long table is needed from here
    adjust = None if args.adjust == "none" else args.adjust
    design = args.design
    if design == "auto":
        results = compare(long, by=by, design="paired", adjust=adjust)
        design = "paired" if results["n_paired"].ge(2).any() else "unpaired"
        if design == "unpaired":
            results = compare(long, by=by, design="unpaired", adjust=adjust)
    else:
        results = compare(long, by=by, design=design, adjust=adjust)
    # Items in questionnaire order, then the construct scores.
    order = {name: i for i, name in enumerate([*instrument.item_ids, *instrument.constructs])}
    position = results[c.ITEM].map(order).fillna(len(order))
    results = (
        results.assign(_position=position)
        .sort_values([*by, "_position"], kind="stable")
        .drop(columns="_position")
        .reset_index(drop=True)
    )
    if design == "paired" and identifiers:
        _err(f"People matched by: {', '.join(identifiers)}.")
    if args.json:
        print(json.dumps(document(results, design=design, by=by), allow_nan=False))
    elif args.csv:
        table = results[[*by, c.ITEM, "design", *json_fields()[1:]]]
        table.insert(len(by) + 1, "question", question_column(results, instrument))
        neutralise(table).to_csv(sys.stdout, index=False)
    elif results.empty:
        print("There are no answers to compare.")
    else:
        print(text_table(results, design=design, by=by, adjust=args.adjust, instrument=instrument))
    return EXIT_OK
