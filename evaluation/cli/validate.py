"""``python -m evaluation validate FILE``: check a survey or pupil file and list what to fix.

Exit codes: 0 valid (warnings allowed), 1 invalid (errors listed), 2 unreadable file or bad usage.
``--json`` prints exactly one JSON document on stdout, also for unreadable files: the report
(``valid``, ``kind``, ``n_rows``, ``errors``, ``warnings``) and ``ignored_columns``, every column
not used with why (``[{"column": ..., "reason": ...}]``). Without ``--kind`` a file is checked as
the kind it shows.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evaluation.cli._common import add_file_defaults, file_defaults

if TYPE_CHECKING:
    from evaluation.validation import CheckedFile, Problem, ValidationReport

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``validate`` sub-command to the top-level parser.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    >>> parser.parse_args(["validate", "x.csv", "--kind", "pupil"]).kind
    'pupil'
    """
    parser = subparsers.add_parser(
        "validate",
        help="check a survey or pupil file (CSV or Excel) and list what to fix",
        description=(
            "Check a survey or pupil file and list every problem with its spreadsheet row. "
            "Exit code 0: valid (warnings allowed); 1: errors found; 2: unreadable file or "
            "bad usage."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="the .csv or .xlsx file to check")
    parser.add_argument(
        "--kind",
        choices=("survey", "pupil"),
        help="survey or pupil (default: the kind the file shows, a survey unless it has pupil "
        "IDs and scores)",
    )
    add_file_defaults(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(run=run)


def _line(problem: Problem) -> str:
    return " ".join(problem.describe().split())  # one line, whatever the cell held


def run(args: argparse.Namespace) -> int:
    """Check ``args.file`` and print the report; returns the exit code.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "empty.csv")
    >>> _ = open(path, "w").close()
    >>> args = argparse.Namespace(file=path, kind="survey", hub=None, ncp=None, phase=None,
    ...                           year=None, work_group=None, json=False)
    >>> run(args)
    2
    """
    from evaluation.validation.columns import ignored_columns  # here: --help skips pandas

    path = Path(args.file)
    checked = check_as_shown(path, args.kind, file_name=path.name, defaults=file_defaults(args))
    unreadable = checked.frame is None
    code = EXIT_UNREADABLE if unreadable else (EXIT_VALID if checked.report.valid else EXIT_INVALID)
    if args.json:
        document = checked.report.to_dict()
        document["ignored_columns"] = ignored_columns(checked.column_map)
        json.dump(document, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return code
    if unreadable:
        reason = checked.report.errors[0].message if checked.report.errors else "unknown reason"
        print(f"The file could not be checked: {' '.join(reason.split())}", file=sys.stderr)
        return code
    _print_human(checked, path.name)
    return code


def shows_pupil_scores(report: ValidationReport | None) -> bool:
    """True when a file checked as a survey turned out to hold pupil scores (its headers name
    pupil IDs and scores), so it should be checked as pupil scores instead.

    Examples
    --------
    >>> from evaluation.validation import check
    >>> shows_pupil_scores(check(b"Pupil ID,Score\\nP1,20\\n").report)
    True
    """
    return report is not None and any(p.code == "looks_like_pupil_scores" for p in report.errors)


def check_as_shown(path: Path, kind: str | None, **options: Any) -> CheckedFile:
    """Check a file as ``kind``; without one, as the kind the file shows (a survey unless it
    has pupil IDs and scores), saying on stderr when that is pupil scores.

    Examples
    --------
    >>> import tempfile, os
    >>> path = Path(tempfile.mkdtemp()) / "mtc.csv"
    >>> _ = path.write_text("Pupil ID,URN,Score\\nP1,123456,20\\n")
    >>> check_as_shown(path, None).report.kind
    'pupil'
    """
    from evaluation.validation import check  # here, not at the top: --help skips pandas
    from evaluation.validation.messages import KIND_SHOWN

    checked = check(path, kind=kind or "survey", **options)
    if kind is None and shows_pupil_scores(checked.report):
        print(KIND_SHOWN["pupil"], file=sys.stderr)
        checked = check(path, kind="pupil", **options)
    return checked


def _print_human(checked: CheckedFile, name: str) -> None:
    report = checked.report
    rows = f"{report.n_rows:,} row{'s' if report.n_rows != 1 else ''}"
    if report.valid:
        print(f"{name}: valid {report.kind} file ({rows}).")
    else:
        count = len(report.errors)
        print(f"{name}: {count} problem{'s' if count != 1 else ''} to fix ({rows}).")
        for problem in report.errors:
            print(f"  {_line(problem)}")
    if report.warnings:
        print(f"Warnings ({len(report.warnings)}):")
        for problem in report.warnings:
            print(f"  {_line(problem)}")
    for note in checked.notes:
        print(f"Note: {note}")
    from evaluation.validation.columns import ignored_columns  # here: --help skips pandas

    ignored = ignored_columns(checked.column_map)
    if ignored:
        print(f"Columns not used ({len(ignored)}):")
        for entry in ignored:
            print(f"  '{entry['column']}': {entry['reason']}")
