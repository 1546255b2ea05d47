"""``python -m evaluation impact FILE... --comparison FILE...``: impact against a comparison group.

Checks the files, labels the rows of the ``--comparison`` files as the comparison arm (other rows
are in the arm their ``group`` column says, else intervention) and prints
the EEF model's result per project x year (x ``--by``) x outcome, with its evidence strength.
Exit codes: 0 done; 1 a file has errors, there is no comparison group, the comparison data are
for another project or year, or no impact could be estimated (the reasons are listed); 2 a file
cannot be read, or bad usage.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evaluation import columns as c
from evaluation.cli._common import add_file_defaults, err, file_defaults, lazy_module
from evaluation.cli.compare import BY_KEYS

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")  # imported on first use, so that --help does not load pandas

__all__ = ["EXIT_INVALID", "EXIT_OK", "EXIT_UNREADABLE", "JSON_FIELDS", "document", "register"]

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2

GROUP, COMPARISON = c.GROUP, c.COMPARISON
# Keys of each result in the --json document, after the group keys (the public contract).
JSON_FIELDS = (
    "outcome",
    "n_intervention",
    "n_comparison",
    "n_clusters",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "p",
    "g",
    "g_ci_low",
    "g_ci_high",
    "icc",
    "months",
    "security",
    "security_reason",
    "reason",
)
INTEGER_FIELDS = ("n_intervention", "n_comparison", "n_clusters", "months", "security")
# Every result is for one project in one year: a comparison group only means something there.
ALWAYS_BY = (c.NCP, c.ACADEMIC_YEAR)
# --design on the command line -> the design named in evaluation.stats.security (kept as text here
# so that --help does not import it; a test checks the two agree).
DESIGNS = {"comparison": "comparison_pretest", "randomised": "randomised"}


def _by(text: str) -> list[str]:
    keys: list[str] = []
    for part in text.split(","):
        name = part.strip().lower()
        if not name:
            continue
        if name not in BY_KEYS:
            choices = ", ".join(sorted({k for k in BY_KEYS if "-" not in k}))
            raise argparse.ArgumentTypeError(f"cannot split by {part!r}; choose from {choices}")
        if BY_KEYS[name] not in keys and BY_KEYS[name] not in ALWAYS_BY:
            keys.append(BY_KEYS[name])
    return keys


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``impact`` sub-command to the command line.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    >>> args = parser.parse_args(["impact", "a.csv", "--comparison", "b.csv", "--kind", "pupil"])
    >>> args.files, args.comparison, args.kind
    (['a.csv'], ['b.csv'], 'pupil')
    """
    parser = subparsers.add_parser(
        "impact",
        help="impact against a comparison group (the EEF multilevel model), with its security",
        description=(
            "Estimate what the programme did: post-test against a comparison group, allowing "
            "for the pre-test, with a random intercept per school (pupils) or Work Group "
            "(teachers), as EEF evaluations do. Give the project's files, then the comparison "
            "group's files after --comparison (same project and year), or files with a "
            "group column (intervention or comparison). Exit code 0: done; 1: a file has "
            "errors, there is no comparison group, the comparison data do not match, or no "
            "impact could be estimated (reasons listed); 2: a file cannot be read, or bad usage."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="the project's files")
    parser.add_argument(
        "--comparison",
        nargs="+",
        default=[],
        metavar="FILE",
        help="files of the comparison group (schools or teachers not in the project)",
    )
    parser.add_argument("--kind", choices=("pupil", "survey"), default="pupil")
    parser.add_argument(
        "--by",
        type=_by,
        default=[],
        metavar="KEYS",
        help="split the results, e.g. hub (results are always per project and year)",
    )
    parser.add_argument(
        "--outcome",
        action="append",
        metavar="NAME",
        help="survey construct or item to model (repeatable; default every construct); "
        "for pupils the measure (default MTC)",
    )
    parser.add_argument(
        "--design",
        choices=tuple(DESIGNS),
        default="comparison",
        help="how the comparison group was chosen: comparison (default; not at random) or "
        "randomised; sets the evidence-strength rating",
    )
    add_file_defaults(parser)
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="one JSON document on stdout")
    output.add_argument("--csv", action="store_true", help="CSV on stdout")
    parser.set_defaults(run=run)


def _check_all(args: argparse.Namespace) -> tuple[pd.DataFrame | None, Any, int]:
    """Check every file and label its arm; returns (frame, instrument, exit code).

    Rows of a ``--comparison`` file are comparison rows (a row saying otherwise is an error in
    that row); rows of the other files are in the arm their ``group`` column or ``--group``
    says; rows that do not say are the project's (intervention, see
    :func:`evaluation.stats.impact.impact`).
    """
    import dataclasses

    from evaluation.io.reader import FileDefaults
    from evaluation.validation import check

    defaults = file_defaults(args) or FileDefaults()
    marked = dataclasses.replace(defaults, group=COMPARISON)
    frames, instrument, code = [], None, EXIT_OK
    named = [(name, defaults) for name in args.files]
    named += [(name, marked) for name in args.comparison]
    for name, given in named:
        label = Path(name).name
        checked = check(name, kind=args.kind, file_name=label, defaults=given)
        if checked.frame is None:
            err(f"{label}: cannot be read.")
            code = EXIT_UNREADABLE
        elif not checked.report.valid:
            count = len(checked.report.errors)
            err(f"{label}: {count} problem{'s' if count != 1 else ''} must be fixed first:")
            code = max(code, EXIT_INVALID)
        else:
            rows = checked.frame
            arm = rows[GROUP] if GROUP in rows else pd.Series(None, index=rows.index, dtype=object)
            frames.append(rows.assign(**{GROUP: arm, "_file": label}))
            instrument = instrument or checked.instrument
            continue
        for problem in checked.report.errors:
            err(f"  {' '.join(problem.describe().split())}")
    if code:
        return None, None, code
    return pd.concat(frames, ignore_index=True), instrument, EXIT_OK


def _mismatches(frame: pd.DataFrame) -> list[str]:
    """A sentence per comparison file whose project or year has no project data to match."""
    from evaluation.analysis.impact import arm_keys
    from evaluation.presentation.readings.impact import comparison_mismatch

    project = arm_keys(frame, c.INTERVENTION)
    lines = []
    for name, rows in frame.groupby("_file", sort=False):
        for found in arm_keys(rows, COMPARISON):
            if found not in project:
                lines.append(comparison_mismatch(str(name), found, project))
    return lines


def _with_comparison(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Only the projects and years the comparison files cover (the others are listed on stderr)."""
    if not keys:
        return frame
    index = pd.MultiIndex.from_frame(frame[list(keys)].astype(str))
    covered = index.isin(index[frame[GROUP].to_numpy() == COMPARISON])
    left_out = index[~covered].unique()
    if len(left_out):
        names = "; ".join(" in ".join(map(str, key)) for key in left_out[:5])
        more = f" and {len(left_out) - 5} more" if len(left_out) > 5 else ""
        err(f"Left out (no comparison data): {names}{more}.")
    return frame[covered]


def _clean(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def document(results: pd.DataFrame, *, keys: Sequence[str]) -> dict:
    """The ``--json`` document: ``{"design": "comparison", "model", "by", "results": [...]}``.

    ``model`` is the model every result used (several joined by " | " when they differ; the
    OLS fallback is used where clusters are few).

    Examples
    --------
    >>> res = pd.DataFrame({"hub": ["A"], "outcome": ["MTC"], "n_intervention": [40],
    ...                     "estimate": [float("nan")], "model": [None],
    ...                     "reason": ["There is no comparison group here."]})
    >>> doc = document(res, keys=["hub"])
    >>> doc["design"], doc["model"], doc["results"][0]["estimate"], doc["results"][0]["hub"]
    ('comparison', None, None, 'A')
    """
    models = [
        m
        for m in dict.fromkeys(results.get("model", pd.Series(dtype=object)))
        if isinstance(m, str)
    ]
    rows = []
    for record in results.to_dict("records"):
        row = {key: _clean(record.get(key)) for key in [*keys, *JSON_FIELDS]}
        for key in INTEGER_FIELDS:
            if row.get(key) is not None:
                row[key] = int(row[key])
        rows.append(row)
    return {
        "design": "comparison",
        "model": " | ".join(models) if models else None,
        "by": list(keys),
        "results": rows,
    }


def _number(value: object, digits: int = 2) -> str:
    number = pd.to_numeric(value, errors="coerce")
    return "–" if pd.isna(number) else f"{number:.{digits}f}"


def text_table(results: pd.DataFrame, *, keys: Sequence[str], unit: str) -> str:
    """A readable table, one line per group x outcome, reasons and notes underneath.

    Examples
    --------
    >>> res = pd.DataFrame({"outcome": ["MTC"], "n_intervention": [300], "n_comparison": [280],
    ...     "n_clusters": [30], "estimate": [0.8], "ci_low": [0.2], "ci_high": [1.4],
    ...     "g": [0.2], "g_ci_low": [0.05], "g_ci_high": [0.35], "months": [3],
    ...     "security": [2], "security_reason": ["pre-test only"], "reason": [None],
    ...     "model": ["mixed model"]})
    >>> print(text_table(res, keys=[], unit="pupils").splitlines()[3])
    MTC      300/280   30        0.80 (0.20 to 1.40)  0.20 (0.05 to 0.35)  3       2/5 [1]
    """
    header = [*(k.replace("_", " ").capitalize() for k in keys), "Outcome", f"n {unit}"]
    header += ["Clusters", "Impact (95% CI)", "g (95% CI)", "Months", "Security"]
    notes: dict[str, int] = {}
    lines = []
    for _, row in results.iterrows():
        mark = ""
        note = row.get("reason") if isinstance(row.get("reason"), str) else None
        note = note or (row.get("security_reason") or None)
        if note:
            notes.setdefault(note, len(notes) + 1)
            mark = f" [{notes[note]}]"
        impact = _number(row["estimate"])
        if pd.notna(row["ci_low"]):
            impact += f" ({_number(row['ci_low'])} to {_number(row['ci_high'])})"
        g = _number(row["g"])
        if pd.notna(row["g_ci_low"]):
            g += f" ({_number(row['g_ci_low'])} to {_number(row['g_ci_high'])})"
        security = "–" if pd.isna(row["security"]) else f"{int(row['security'])}/5"
        lines.append(
            [
                *(str(row[k]) for k in keys),
                str(row["outcome"]),
                f"{int(row['n_intervention'])}/{int(row['n_comparison'])}",
                str(int(row["n_clusters"])),
                impact,
                g,
                "–" if pd.isna(row["months"]) else str(int(row["months"])),
                security + mark,
            ]
        )
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(cells, widths, strict=True)).rstrip()

    out = [
        "Impact against a comparison group: the difference after allowing for the pre-test "
        "(intervention minus comparison).",
        f"n = {unit} with both scores (intervention/comparison); g = impact in standard "
        "deviations; security = evidence strength on the EEF scale (0-5).",
        fmt(header),
        *(fmt(line) for line in lines),
    ]
    models = [m for m in dict.fromkeys(results["model"]) if isinstance(m, str)]
    out += ["", *(f"Model: {m}." for m in models)]
    out += [f"[{number}] {note}" for note, number in notes.items()]
    from evaluation.stats.security import NOT_ASSESSED  # here: --help skips pandera and SciPy

    out.append(NOT_ASSESSED)
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    """Run ``impact``; see the module docstring for the exit codes."""
    frame, instrument, code = _check_all(args)
    if code:
        return code
    assert frame is not None
    if not frame[GROUP].eq(COMPARISON).any():
        err(
            "impact needs a comparison group: give the comparison group's files after "
            "--comparison (schools or teachers not in the project, or a waiting-list cohort), "
            "or files with a group column saying which rows are comparison rows."
        )
        return EXIT_INVALID
    mismatches = _mismatches(frame)
    if mismatches:
        for line in mismatches:
            err(line)
        return EXIT_INVALID
    from evaluation.stats.impact import pupil_impact, survey_impact

    keys = [k for k in ALWAYS_BY if k in frame] + list(args.by)
    frame = _with_comparison(frame, [k for k in ALWAYS_BY if k in frame])
    design = DESIGNS[args.design]
    frame = frame.drop(columns="_file")
    if args.kind == "pupil":
        measure = args.outcome[0] if args.outcome else c.DEFAULT_MEASURE
        results = pupil_impact(frame, by=keys, measure=measure, design=design)
        unit = "pupils"
    else:
        if instrument is None:
            from evaluation.instruments import default_instrument

            instrument = default_instrument()
        results = survey_impact(frame, instrument, by=keys, outcomes=args.outcome, design=design)
        unit = "teachers"
    if args.json:
        print(json.dumps(document(results, keys=keys), allow_nan=False))
    elif args.csv:
        from evaluation.io.exports import neutralise

        neutralise(results).to_csv(sys.stdout, index=False)
    elif results.empty:
        print("There is nothing to compare.")
    else:
        print(text_table(results, keys=keys, unit=unit))
    if results.empty or results["estimate"].isna().all():
        for reason in dict.fromkeys(results.get("reason", pd.Series(dtype=object)).dropna()):
            err(f"No impact could be estimated: {reason}")
        return EXIT_INVALID
    return EXIT_OK
