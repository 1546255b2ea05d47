"""``python -m evaluation sample``: write the synthetic data sets (or the example exports).

Prints each file written with its row count; a folder that cannot be written is a usage error.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``sample`` sub-command to the command line.

    Examples
    --------
    >>> from evaluation.cli import main
    >>> main(["sample", "--scale", "huge", "--out", "x"])
    2
    """
    parser = subparsers.add_parser(
        "sample",
        help="write synthetic survey and pupil data (never real people)",
        description=(
            "Write synthetic participant surveys (surveys.csv) and pupil MTC scores (pupils.csv) "
            "for every Maths Hub, or with --examples the exports of one Work Group as a lead "
            "would download them (Microsoft Forms, Google Forms, a pupil file)."
        ),
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write into")
    parser.add_argument(
        "--scale",
        choices=("small", "national"),
        default="small",
        help="small: about 20,000 survey rows (default); national: about 1,000,000",
    )
    parser.add_argument(
        "--seed", type=_seed, default=2024, help="random seed; the same seed gives the same data"
    )
    parser.add_argument(
        "--examples",
        action="store_true",
        help="write the example exports for one Work Group instead of the data sets",
    )
    parser.set_defaults(run=run)


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"the seed must be a whole number, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"the seed must be 0 or more, not {value}")
    return value


def run(args: argparse.Namespace) -> int:
    """Write the files and list them; 0 on success, 2 if the folder cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> from evaluation.cli import main
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     main(["sample", "--out", tmp, "--seed", "5"])  # doctest: +ELLIPSIS
    Wrote .../surveys.csv (... rows)
    Wrote .../pupils.csv (... rows)
    Wrote .../README.md
    Wrote .../pupils_comparison.csv (... rows)
    Wrote .../surveys_comparison.csv (... rows)
    Wrote .../COMPARISON.md
    0
    """
    from evaluation import synthetic  # here, not at the top: --help skips pandas

    out = Path(args.out)
    started = time.perf_counter()
    try:
        if args.examples:
            paths = synthetic.write_examples(out, seed=args.seed)
        else:
            paths = synthetic.write(out, scale=args.scale, seed=args.seed)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        print(
            f"Cannot write to {out}: {reason}. Choose a folder you can write to.", file=sys.stderr
        )
        return 2
    for path in paths:
        rows = _rows(path)
        print(f"Wrote {path}" + ("" if rows is None else f" ({rows:,} rows)"))
    print(f"Done in {time.perf_counter() - started:.1f} s.", file=sys.stderr)
    return 0


def _rows(path: Path) -> int | None:
    """Data rows in a CSV written by the generator (quoted line breaks counted correctly)."""
    if path.suffix != ".csv":
        return None
    import pandas as pd

    return len(pd.read_csv(path, usecols=[0]))
