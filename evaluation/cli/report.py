"""``python -m evaluation report``: a hub's board pack (or a project's national report) to files.

Writes ``report.html``, ``report.pdf`` and ``report.pptx`` (slides) into ``--out``; without
Chromium there is no PDF (exit 0, stderr says so) and the slides carry native charts.
``--no-pdf`` and ``--no-slides`` leave out the PDF and the slides (each costs a Chromium run).
Exit 1 invalid data, 2 unknown hub/NCP or bad usage.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from evaluation.cli._common import add_min_n, err


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` sub-command to the command line.

    Examples
    --------
    >>> from evaluation.cli import main
    >>> main(["report", "--year", "2024/25", "--out", "x"])  # neither --hub nor --ncp
    2
    """
    parser = subparsers.add_parser(
        "report",
        help="board pack for a hub (or a national project report) as HTML, PDF and slides",
        description=(
            "Build a hub's board pack (--hub) or a project's national report (--ncp alone) "
            "for one academic year: headline results with plain-English readings, charts, "
            "participation, trends, comparison with the national pooled value, methods, data "
            "provenance and suppression notes. Writes report.html (self-contained, works "
            "offline), report.pdf (needs Chromium) and report.pptx (one slide per chart) "
            "into --out."
        ),
    )
    parser.add_argument("--hub", metavar="NAME", help="hub name or short name")
    parser.add_argument(
        "--ncp",
        metavar="NAME",
        help="project code or name: alone, the national report; with --hub, that project only",
    )
    parser.add_argument("--year", required=True, metavar="Y", help="academic year, e.g. 2024/25")
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write into")
    parser.add_argument(
        "--data",
        nargs="+",
        metavar="FILE",
        help="survey and pupil files (.csv/.xlsx) instead of the store",
    )
    parser.add_argument(
        "--store",
        metavar="URL",
        help="database URL of the store (default $DATABASE_URL or the local SQLite store)",
    )
    add_min_n(parser, help="hide results for fewer people than this (default 5, or $IMPACT_MIN_N)")
    parser.add_argument(
        "--synthetic",
        action="store_true",
        help="mark the report as built from synthetic data (detected for the sample files)",
    )
    parser.add_argument(
        "--no-pdf", action="store_true", help="do not write report.pdf (saves a Chromium run)"
    )
    parser.add_argument(
        "--no-slides",
        action="store_true",
        help="do not write report.pptx (saves the chart pictures' Chromium run)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Build the report and write it; return the exit code."""
    from evaluation.access import Viewer
    from evaluation.presentation.reports import (
        FileProblem,
        build_board_pack,
        inputs_from_files,
        load_inputs,
        resolve_hub,
        resolve_ncp,
        write_pack,
    )
    from evaluation.presentation.reports.formatting import normalise_year

    if not args.hub and not args.ncp:
        err("Give --hub NAME (a hub's board pack) or --ncp NAME (a project's national report).")
        return 2
    hub = ncp = None
    if args.hub:
        hub, suggestion = resolve_hub(args.hub)
        if hub is None:
            hint = f" Did you mean '{suggestion}'?" if suggestion else ""
            err(f"'{args.hub}' is not a Maths Hub.{hint}")
            return 2
    if args.ncp:
        ncp, suggestion = resolve_ncp(args.ncp)
        if ncp is None:
            hint = f" Did you mean '{suggestion}'?" if suggestion else ""
            err(f"'{args.ncp}' is not a project (NCP).{hint}")
            return 2
    year = normalise_year(args.year)
    if year is None:
        err(f"'{args.year}' is not an academic year; write it like 2024/25.")
        return 2
    viewer = Viewer.national()
    started = time.perf_counter()
    if args.data:
        inputs = inputs_from_files(args.data, synthetic=True if args.synthetic else None)
        if isinstance(inputs, FileProblem):
            where = f"{inputs.file}: " if inputs.file else ""
            err(f"{where}{'cannot be read' if inputs.code == 2 else 'has problems to fix first'}:")
            for line in inputs.lines:
                err(f"  {line}")
            return inputs.code
    else:
        from evaluation.store import Store, StoreError

        try:
            store = Store.open(args.store)
        except StoreError as exc:
            err(f"The store cannot be opened: {exc}")
            return 2
        try:
            inputs = load_inputs(store, viewer, hub=hub, ncp=ncp)
        finally:
            store.close()
        if args.synthetic:
            from dataclasses import replace

            inputs = replace(inputs, synthetic=True)
    pack = build_board_pack(
        inputs,
        viewer=viewer,
        hub=hub,
        ncp=ncp,
        academic_year=year,
        min_n=args.min_n,
        pdf=not args.no_pdf,
        slides=not args.no_slides,
    )
    if not pack.ok:
        err(pack.problem or "The report could not be built.")
        return 2 if pack.problem_code in ("unknown_hub", "unknown_ncp", "usage", "bad_year") else 1
    try:
        written = write_pack(pack, Path(args.out))
    except OSError as exc:
        err(f"Cannot write into {args.out}: {exc.strerror or exc}.")
        return 2
    for path in written:
        print(path)
    if pack.pdf is None and not args.no_pdf:
        err(pack.pdf_note or "No PDF was made; the HTML report has the same content.")
    err(f"Built '{pack.title}' in {time.perf_counter() - started:.1f} s.")
    return 0
