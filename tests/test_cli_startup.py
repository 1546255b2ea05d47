"""``python -m evaluation`` starts without the heavy libraries (issue 14, an instant CLI).

One fresh interpreter runs ``--help``, every ``<command> --help`` and ``validate`` of a small file
through :func:`evaluation.cli.main`, noting after each which top-level packages are loaded.
How long start-up takes is measured by ``benchmarks/bench_cli.py``, never asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from evaluation.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[1]

# Never loaded by --help, by a command's --help, or by validate.
HEAVY = {"scipy", "statsmodels", "sklearn", "plotly", "sqlalchemy", "alembic"}
# Also never loaded by any --help: they take longer to import than the whole --help should.
DATA = {"numpy", "pandas", "pandera", "pyarrow", "openpyxl"}

# Runs each argv through main() with stdout and stderr captured, then records the exit code and
# the top-level packages loaded so far (runs are cumulative: later ones may only add packages).
SCRIPT = """
import contextlib, io, json, sys
from evaluation.cli import main
runs = []
for argv in json.loads(sys.argv[1]):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(argv)
    runs.append([argv, code, sorted({name.split(".")[0] for name in sys.modules})])
print(json.dumps(runs))
"""

HELPS = [
    ["--help"],
    *([name.rsplit(".", 1)[1], "--help"] for name in COMMANDS),
    ["store", "add", "--help"],
    ["store", "role", "set", "--help"],
    ["no-such-command"],
]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[list[str], int, set[str]]]:
    """Every --help, then validate of a small survey file (plain and --json), in one process."""
    path = tmp_path_factory.mktemp("startup") / "pre.csv"
    path.write_text("Participant code,conf_1,conf_2,conf_3,know_1\na,4,4,4,4\nb,3,2,5,5\n")
    whole_file = ["--hub", "Solent", "--ncp", "MN-KS2", "--year", "2024/25", "--phase", "pre"]
    argvs = [
        *HELPS,
        ["validate", str(path), *whole_file],
        ["validate", str(path), *whole_file, "--json"],
    ]
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(argvs)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return [(argv, code, set(loaded)) for argv, code, loaded in json.loads(done.stdout)]


def test_help_and_every_command_help_load_no_data_or_statistics_library(runs):
    helps = [run for run in runs if run[0] in HELPS]
    assert [argv for argv, _, _ in helps] == HELPS
    for argv, code, loaded in helps:
        assert code == (2 if argv == ["no-such-command"] else 0), argv
        assert not loaded & (HEAVY | DATA), (
            f"{' '.join(argv)} loaded {sorted(loaded & (HEAVY | DATA))}"
        )


def test_validate_of_a_small_file_loads_neither_scipy_nor_the_store(runs):
    validates = [run for run in runs if run[0][0] == "validate" and "--help" not in run[0]]
    assert [code for _, code, _ in validates] == [0, 0]  # valid, warnings allowed
    for argv, _, loaded in validates:
        assert "pandas" in loaded  # the check really ran
        assert not loaded & HEAVY, f"{' '.join(argv)} loaded {sorted(loaded & HEAVY)}"


def test_the_installed_command_names_itself_in_its_help() -> None:
    """Issue 15 item 8: `maths-hubs-impact --help` says maths-hubs-impact, not python -m."""
    command = Path(sys.executable).parent / "maths-hubs-impact"
    assert command.exists(), "the project is installed with its console script"
    shown = subprocess.run(
        [str(command), "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert shown.startswith("usage: maths-hubs-impact ")
