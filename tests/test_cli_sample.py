"""Tests of ``python -m evaluation sample`` (evaluation/cli/sample.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from evaluation.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_writes_surveys_pupils_and_readme_and_lists_them_with_row_counts(tmp_path, capsys):
    assert main(["sample", "--out", str(tmp_path / "out"), "--seed", "11"]) == 0
    out = capsys.readouterr().out
    surveys = pd.read_csv(tmp_path / "out" / "surveys.csv")
    pupils = pd.read_csv(tmp_path / "out" / "pupils.csv")
    assert f"surveys.csv ({len(surveys):,} rows)" in out
    assert f"pupils.csv ({len(pupils):,} rows)" in out
    assert (tmp_path / "out" / "README.md").read_text(encoding="utf-8").startswith("# Synthetic")


def test_same_seed_writes_identical_files_and_another_seed_does_not(tmp_path):
    for name, seed in (("a", "3"), ("b", "3"), ("c", "4")):
        assert main(["sample", "--out", str(tmp_path / name), "--seed", seed]) == 0
    a, b, c = ((tmp_path / n / "surveys.csv").read_bytes() for n in "abc")
    assert a == b
    assert a != c
    assert (tmp_path / "a" / "pupils.csv").read_bytes() == (
        tmp_path / "b" / "pupils.csv"
    ).read_bytes()


def test_default_seed_reproduces_the_committed_sample(tmp_path, sample_dir):
    assert main(["sample", "--out", str(tmp_path)]) == 0
    for name in ("surveys.csv", "pupils.csv"):
        assert (tmp_path / name).read_bytes() == (sample_dir / name).read_bytes()


def test_examples_flag_writes_the_work_group_exports(tmp_path, capsys):
    assert main(["sample", "--out", str(tmp_path), "--examples"]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "google_forms_post.csv",
        "ms_forms_post.xlsx",
        "ms_forms_pre.xlsx",
        "mtc_scores.csv",
    ]
    assert "mtc_scores.csv" in capsys.readouterr().out


def test_a_folder_that_cannot_be_written_is_a_one_line_usage_error(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["sample", "--out", str(blocker / "inside")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("Cannot write to")
    assert "Traceback" not in err[0]


@pytest.mark.parametrize(
    "arguments",
    [
        ["sample", "--out", "x", "--scale", "huge"],
        ["sample", "--out", "x", "--seed", "-1"],
        ["sample", "--out", "x", "--seed", "many"],
        ["sample"],
    ],
)
def test_bad_usage_exits_2(arguments, capsys):
    assert main(arguments) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_command_line_exit_code_and_no_traceback_in_a_real_process(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = subprocess.run(
        [sys.executable, "-m", "evaluation", "sample", "--out", str(blocker / "x")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
