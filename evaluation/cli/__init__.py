"""The command line: ``python -m evaluation <command>``; one module per sub-command.

Each sub-command module defines ``register(subparsers)``, which adds its parser and sets
``run=function(args) -> int``. Exit codes everywhere: 0 success/valid, 1 invalid data,
2 unreadable file or bad usage. No traceback ever reaches the user.

``--help`` imports every sub-command module, so their tops import only the standard library,
``evaluation.columns`` and ``evaluation.cli._common``; pandas, SciPy and the store are imported
inside ``run`` (or through ``lazy_module``) when the command runs. ``tests/test_cli_startup.py``
checks this, ``benchmarks/bench_cli.py`` times it against ``import pandas``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any

from evaluation.cli._common import return_large_blocks

__all__ = ["COMMANDS", "INSTALLED_COMMAND", "build_parser", "main", "program_name"]

# Sub-command modules, in the order they appear in --help.
COMMANDS = (
    "evaluation.cli.validate",
    "evaluation.cli.compare",
    "evaluation.cli.national",
    "evaluation.cli.sample",
    "evaluation.cli.store",
    "evaluation.cli.report",
    "evaluation.cli.themes",
    "evaluation.cli.impact",
    "evaluation.cli.mdes",
)


INSTALLED_COMMAND = "maths-hubs-impact"  # [project.scripts] in pyproject.toml


def program_name() -> str:
    """How the user started the command line, for its help: the installed command or ``-m``.

    Examples
    --------
    >>> program_name() in ("python -m evaluation", INSTALLED_COMMAND)
    True
    """
    invoked = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return INSTALLED_COMMAND if invoked == INSTALLED_COMMAND else "python -m evaluation"


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every available sub-command registered."""
    parser = argparse.ArgumentParser(
        prog=program_name(),
        description="Maths Hubs Impact: check survey and pupil files and measure what changed.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMANDS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:  # not written yet; every other import error is a bug
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code.

    Examples
    --------
    >>> main(["no-such-command"])
    2
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed by argparse
        return int(exc.code or 0)
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return 2
    return_large_blocks()  # national files: freed columns go back to the system
    try:
        with warnings.catch_warnings():
            warnings.showwarning = show_warning
            return int(args.run(args))
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the promise: no traceback ever reaches a user
        print(
            f"Sorry, something went wrong that we did not expect: {type(exc).__name__}: {exc}. "
            "Please report this with the command you ran.",
            file=sys.stderr,
        )
        return 2


def show_warning(message: Warning | str, *_args: Any, **_kwargs: Any) -> None:
    """Print a warning as the plain sentence it is, without Python's source path and category.

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stderr(io.StringIO()) as err:
    ...     show_warning(UserWarning("IMPACT_MIN_N='abc' is not a whole number"))
    >>> err.getvalue().splitlines()
    ["IMPACT_MIN_N='abc' is not a whole number"]
    """
    print(str(message), file=sys.stderr)
