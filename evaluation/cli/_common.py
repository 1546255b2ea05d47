"""Options and small helpers shared by the sub-commands, written once.

The values-for-the-whole-file options (``FileDefaults``), ``--min-n``, ``--json``/``--csv``,
the one way diagnostics reach stderr, and :func:`lazy_module`, which lets a command module name
pandas at its top while ``--help`` never loads it.

This module and the top of every command module import only the standard library and
``evaluation.columns``: ``python -m evaluation --help`` imports them all, and must start faster
than pandas does (``tests/test_cli_startup.py``, ``benchmarks/bench_cli.py``).
"""

from __future__ import annotations

import argparse
import ctypes
import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evaluation.io.reader import FileDefaults

__all__ = [
    "GROUP_HELP",
    "LazyModule",
    "add_file_defaults",
    "add_min_n",
    "add_output_options",
    "err",
    "file_defaults",
    "lazy_module",
    "min_n",
    "return_large_blocks",
]


class LazyModule(types.ModuleType):
    """Stands for the module ``name`` and imports it on first attribute access.

    Unlike :class:`importlib.util.LazyLoader` it leaves ``sys.modules`` alone: the module is
    imported normally, by whoever first reads one of its attributes through this object.
    """

    def __getattr__(self, attribute: str) -> Any:
        # Called only for names not set on this object; import_module is a dict look-up once the
        # module is loaded.
        return getattr(importlib.import_module(self.__name__), attribute)


def lazy_module(name: str) -> types.ModuleType:
    """The module ``name``, imported when one of its attributes is first read.

    For command modules that use pandas in many helpers: ``pd = lazy_module("pandas")`` at the
    top (with ``import pandas as pd`` under ``TYPE_CHECKING``) keeps ``--help`` from loading it.

    Examples
    --------
    >>> json = lazy_module("json")
    >>> json.dumps([1])
    '[1]'
    """
    return LazyModule(name)


def err(message: str) -> None:
    """Print a diagnostic line on stderr (stdout is kept for the result).

    Examples
    --------
    >>> err("checked 3 files")  # goes to stderr, so nothing shows here
    """
    print(message, file=sys.stderr)


def min_n(text: str) -> int:
    """Read ``--min-n``: a whole number of at least 1 (an ``argparse`` type).

    Examples
    --------
    >>> min_n("10")
    10
    >>> min_n("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: --min-n must be at least 1
    """
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--min-n must be a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("--min-n must be at least 1")
    return value


def add_min_n(parser: argparse.ArgumentParser, *, help: str) -> None:
    """Add ``--min-n N`` (default None: 5, or ``$IMPACT_MIN_N``) to ``parser``.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_min_n(parser, help="hide groups smaller than this")
    >>> parser.parse_args(["--min-n", "8"]).min_n, parser.parse_args([]).min_n
    (8, None)
    """
    parser.add_argument("--min-n", type=min_n, default=None, metavar="N", help=help)


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--json`` or ``--csv`` (at most one) to ``parser``; without either, a text table.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_output_options(parser)
    >>> args = parser.parse_args(["--csv"])
    >>> args.json, args.csv
    (False, True)
    """
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="one JSON document on stdout")
    output.add_argument("--csv", action="store_true", help="CSV on stdout")


# The help of --group, wherever a command reads files of one arm of a comparison.
GROUP_HELP = (
    "mark the whole file as intervention or comparison data (a comparison group: schools or "
    "teachers not in the project, or a waiting-list cohort)"
)


def add_file_defaults(parser: argparse.ArgumentParser) -> None:
    """Add ``--hub --ncp --phase --year --work-group --group``: values for rows that lack them.

    Read them back with :func:`file_defaults`.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_file_defaults(parser)
    >>> parser.parse_args(["--work-group", "WG1", "--year", "2024/25"]).work_group
    'WG1'
    """
    group = parser.add_argument_group("values for the whole file (when its rows lack them)")
    group.add_argument("--hub", metavar="H", help="Maths Hub for rows that do not name one")
    group.add_argument("--ncp", metavar="P", help="project (NCP) name or code, for every row")
    group.add_argument("--phase", metavar="pre|post", help="pre or post, for every row")
    group.add_argument("--year", metavar="Y", help="academic year for every row, e.g. 2024/25")
    group.add_argument(
        "--work-group", dest="work_group", metavar="WG", help="Work Group for every row"
    )
    group.add_argument("--group", metavar="G", help=GROUP_HELP)


def file_defaults(args: argparse.Namespace) -> FileDefaults | None:
    """The :class:`~evaluation.io.reader.FileDefaults` the options asked for; None if none.

    Examples
    --------
    >>> args = argparse.Namespace(hub="Solent", ncp=None, phase="pre", year=None,
    ...                           work_group=None, group="comparison")
    >>> file_defaults(args)  # doctest: +NORMALIZE_WHITESPACE
    FileDefaults(hub='Solent', ncp=None, phase='pre', academic_year=None, work_group=None,
                 group='comparison')
    >>> file_defaults(argparse.Namespace(hub=None, ncp=None, phase=None, year=None,
    ...                                  work_group=None)) is None
    True
    """
    from evaluation.io.reader import FileDefaults  # here, not at the top: --help skips pandas

    values = {
        "hub": args.hub,
        "ncp": args.ncp,
        "phase": args.phase,
        "academic_year": args.year,
        "work_group": args.work_group,
        "group": getattr(args, "group", None),
    }
    if not any(values.values()):
        return None
    return FileDefaults(**values)


# glibc's mallopt parameter for the size from which blocks are mapped on their own (malloc.h).
M_MMAP_THRESHOLD = -3
# Blocks from this size on come straight from the system and go straight back when freed.
MMAP_THRESHOLD = 128 * 1024


def return_large_blocks() -> bool:
    """Make freed large blocks go back to the system at once (glibc on Linux; elsewhere nothing).

    glibc raises its mapping threshold each time a mapped block is freed (up to 32 MB), after
    which the 8 MB columns of a national file are carved from the heap, and memory freed there
    mostly stays with the process. A command reading the national survey file then peaked at
    over 1.6 GB instead of 1.3 GB. Fixing the threshold (at glibc's own starting value) keeps
    large blocks mapped, at no measurable cost in time. Returns True when the setting was made.

    Examples
    --------
    >>> return_large_blocks() in (True, False)
    True
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (or no C library to ask)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
