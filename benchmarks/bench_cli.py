"""Benchmark: ``python -m evaluation --help`` against ``python -c "import pandas"``.

Target (issue 14): the command line's help takes no longer than importing pandas, so the ratio
printed last is at most 1. Both are timed in the same run, as fresh processes started with the
same interpreter, alternately, best of ``--repeats``; ``<command> --help`` and ``validate`` of
a small file are timed too, for information. Run:
``.venv/bin/python benchmarks/bench_cli.py [--repeats K]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

__all__ = ["best_of", "main"]

ROOT = Path(__file__).resolve().parents[1]


def best_of(commands: dict[str, Sequence[str]], repeats: int) -> dict[str, float]:
    """Fastest wall-clock seconds of each command over ``repeats`` rounds.

    Each round runs every command once, in turn, so a busy spell of the machine slows all of
    them alike. A command that fails stops the benchmark.

    Examples
    --------
    >>> times = best_of({"true": [sys.executable, "-c", "pass"]}, repeats=2)
    >>> list(times), times["true"] > 0
    (['true'], True)
    """
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    best = dict.fromkeys(commands, float("inf"))
    for _ in range(repeats):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
            best[name] = min(best[name], time.perf_counter() - started)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10, help="rounds; the best is kept")
    args = parser.parse_args(argv)

    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "pre.csv"
        small.write_text("Participant code,conf_1,conf_2,conf_3,know_1\na,4,4,4,4\nb,3,2,5,5\n")
        whole = ["--hub", "Solent", "--ncp", "MN-KS2", "--year", "2024/25", "--phase", "pre"]
        evaluation = [python, "-m", "evaluation"]
        commands = {
            "python -c 'import pandas'": [python, "-c", "import pandas"],
            "python -m evaluation --help": [*evaluation, "--help"],
            "python -m evaluation national --help": [*evaluation, "national", "--help"],
            "python -m evaluation store add --help": [*evaluation, "store", "add", "--help"],
            "python -m evaluation validate (2 rows)": [*evaluation, "validate", str(small), *whole],
        }
        times = best_of(commands, args.repeats)

    baseline = times["python -c 'import pandas'"]
    width = max(map(len, times))
    print(f"best of {args.repeats} runs each, {python}")
    for name, seconds in times.items():
        print(f"  {name:<{width}}  {seconds:6.3f} s  {seconds / baseline:5.2f}x import pandas")
    ratio = times["python -m evaluation --help"] / baseline
    print(f"--help / import pandas = {ratio:.2f} (target: at most 1)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
