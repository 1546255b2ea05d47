"""Tests of ``python -m evaluation validate``: exit codes, one-line reasons, one JSON document.

Most run the command in-process through :func:`evaluation.cli.main` (stdout and stderr captured by
``capsys``); ``test_in_a_real_process_*`` start ``python -m evaluation`` to check what only a real
process shows: the exit status, no traceback, and nothing but the JSON document on stdout.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from evaluation.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
WHOLE_FILE = ["--hub", "Solent", "--ncp", "MN-KS2", "--year", "2024/25"]


def run_process(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m evaluation validate ARGS`` in a new process."""
    return subprocess.run(
        [sys.executable, "-m", "evaluation", "validate", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> subprocess.CompletedProcess[str]:
    """``validate ARGS`` through :func:`main` in this process, reported as a process would be."""
    code = main(["validate", *args])
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(["validate", *args], code, captured.out, captured.err)


def test_valid_microsoft_forms_file_exits_0(capsys):
    result = run_cli(capsys, str(FIXTURES / "ms_forms_post.csv"), *WHOLE_FILE, "--phase", "post")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ms_forms_post.csv: valid survey file (4 rows).")


def test_invalid_file_exits_1_and_lists_errors_by_row_and_column(tmp_path, capsys):
    path = tmp_path / "pre.csv"
    path.write_text("Participant code,Maths Hub,conf_1\nA1,Solent,4\nB2,Solent Maths Hubb,4\n")
    result = run_cli(capsys, str(path), "--ncp", "MN-KS2", "--year", "2024", "--phase", "pre")
    assert result.returncode == 1
    assert (
        "Row 3, column 'Maths Hub': 'Solent Maths Hubb' is not a Maths Hub we know. "
        "Did you mean 'Solent Maths Hub'?"
    ) in result.stdout.splitlines()[1]
    assert "Traceback" not in result.stdout + result.stderr


BAD = {
    "empty.csv": b"",
    "header_only.csv": b"Participant code,conf_1\n",
    "binary.csv": bytes(range(256)) * 8,
    "ragged.csv": b"a,b\n1,2\n3,4,5,6,7\n",
    "corrupt.xlsx": b"PK\x03\x04" + bytes(200),
    "huge_cell.csv": b"a,b\n1," + b"x" * 2_000_000 + b"\n",
}


@pytest.mark.parametrize("name", ["empty.csv", "binary.csv", "huge_cell.csv", "corrupt.xlsx"])
def test_unreadable_file_exits_2_with_one_line_and_no_traceback(tmp_path, capsys, name):
    path = tmp_path / name
    path.write_bytes(BAD[name])
    result = run_cli(capsys, str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("The file could not be checked: ")
    assert "Traceback" not in result.stderr


def test_missing_file_and_unknown_option_are_usage_errors_without_traceback(tmp_path, capsys):
    missing = run_cli(capsys, str(tmp_path / "nope.csv"))
    assert missing.returncode == 2
    assert missing.stderr.strip() == (
        f"The file could not be checked: There is no file called '{tmp_path / 'nope.csv'}'."
    )
    unknown = run_cli(capsys, str(FIXTURES / "google_forms.csv"), "--colour", "blue")
    assert unknown.returncode == 2
    assert "unrecognized arguments: --colour blue" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_in_a_real_process_an_unreadable_file_exits_2_with_one_line_and_no_traceback(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(BAD["binary.csv"])
    result = run_process(str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("The file could not be checked: ")
    assert "Traceback" not in result.stderr


def test_in_a_real_process_json_stdout_is_one_document_and_stderr_is_empty(tmp_path):
    path = tmp_path / "pre.csv"
    path.write_text("Participant code,conf_1,conf_2,conf_3,know_1\na,4,4,4,4\nb,3,2,5,5\n")
    valid = run_process(str(path), *WHOLE_FILE, "--phase", "pre", "--json")
    unreadable = run_process(str(tmp_path / "nope.csv"), "--json")
    for result, code in ((valid, 0), (unreadable, 2)):
        assert result.returncode == code, result.stderr
        assert result.stderr == ""
        assert result.stdout.count("\n") == 1
        assert json.loads(result.stdout)["valid"] is (code == 0)


@pytest.mark.parametrize("name", sorted(BAD))
def test_every_bad_file_kind_gets_exit_2_and_one_json_document(tmp_path, capsys, name):
    path = tmp_path / name
    path.write_bytes(BAD[name])
    assert main(["validate", str(path), "--json"]) == 2
    out = capsys.readouterr().out
    document = json.loads(out)
    assert document["valid"] is False
    assert document["n_rows"] == 0
    assert len(document["errors"]) == 1
    assert set(document["errors"][0]) == {"row", "column", "value", "message", "fix"}
    assert out.count("\n") == 1


def test_json_for_pupil_file_lists_errors_with_rows(capsys):
    code = main(["validate", str(FIXTURES / "pupils_bad.csv"), "--kind", "pupil", "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 1
    assert document["kind"] == "pupil"
    assert document["n_rows"] == 5
    assert [(e["row"], e["column"], e["value"]) for e in document["errors"]] == [
        (3, "MTC score", "26"),
        (4, "Pupil ID", None),
        (5, "Maths Hub", "Solent Maths Hubb"),
        (5, "MTC score", "12.5"),
    ]


def test_json_for_valid_file_with_warnings_exits_0(tmp_path, capsys):
    path = tmp_path / "pre.csv"
    path.write_text("Participant code,conf_1,conf_2,conf_3,know_1\na,4,4,4,4\nb,3,2,5,5\n")
    code = main(["validate", str(path), *WHOLE_FILE, "--phase", "pre", "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert document["valid"] is True
    assert [w["row"] for w in document["warnings"]] == [2]


def test_whole_file_options_fill_missing_columns(capsys):
    path = FIXTURES / "ms_forms_pre.xlsx"
    assert main(["validate", str(path), "--json"]) == 1
    missing = json.loads(capsys.readouterr().out)["errors"]
    # hub, project and phase; the year comes from the completion times (all in 2024/25)
    assert len(missing) == 3
    assert not any("academic year" in problem["message"] for problem in missing)
    assert main(["validate", str(path), *WHOLE_FILE, "--phase", "pre", "--work-group", "WG-7"]) == 0


EXAMPLES = ROOT / "sample_data" / "examples"


def test_pupil_scores_checked_as_a_survey_say_to_use_kind_pupil(capsys):
    code = main(["validate", str(EXAMPLES / "mtc_scores.csv"), "--kind", "survey", "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 1 and not document["valid"]
    first = document["errors"][0]
    assert first["row"] is None and "pupil scores" in first["message"]
    assert "--kind pupil" in first["fix"]
    assert main(["validate", str(EXAMPLES / "mtc_scores.csv"), "--kind", "pupil"]) == 0


def test_a_survey_checked_as_pupil_scores_says_to_use_kind_survey(capsys):
    code = main(["validate", str(EXAMPLES / "google_forms_post.csv"), "--kind", "pupil"])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert "looks like a teacher survey" in out[1] and "--kind survey" in out[1]
    assert main(["validate", str(EXAMPLES / "google_forms_post.csv"), "--kind", "survey"]) != 2


def test_without_kind_a_pupil_file_is_read_as_pupil_scores(capsys):
    assert main(["validate", str(EXAMPLES / "mtc_scores.csv")]) == 0
    captured = capsys.readouterr()
    assert "Read as pupil scores (the file has score and pupil columns)" in captured.err
    assert "valid pupil file" in captured.out


THREE_ROWS = "Participant code,conf_1,q1\nA1,4,3\nB2,5,7\nC3,3,0\n"
DEFAULTS = [*WHOLE_FILE, "--phase", "pre"]


def test_numbers_outside_the_scale_are_reported_with_their_rows(tmp_path, capsys):
    path = tmp_path / "three.csv"
    path.write_text(THREE_ROWS)
    code = main(["validate", str(path), *DEFAULTS, "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 1 or any(w["column"] == "q1" for w in document["warnings"])
    warning = next(w for w in document["warnings"] if w["column"] == "q1")
    assert "rows 3, 4" in warning["message"]
    assert main(["validate", str(path), *DEFAULTS]) in (0, 1)
    out = capsys.readouterr().out
    assert "column 'q1'" in out and "rows 3, 4" in out


def test_ignored_columns_are_listed_with_their_reason(tmp_path, capsys):
    path = tmp_path / "forms.csv"
    path.write_text("ID,Name,Participant code,conf_1,Notes\n1,Ann Smith,A1,4,\n2,Bob Jones,B2,5,\n")
    assert main(["validate", str(path), *DEFAULTS, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["ignored_columns"] == [
        {"column": "ID", "reason": "response number (not a person)"},
        {"column": "Name", "reason": "personal data (name)"},
        {"column": "Notes", "reason": "no answers in any row"},
    ]
    assert [w["column"] for w in document["warnings"]] == ["Notes"]
    assert main(["validate", str(path), *DEFAULTS]) == 0
    out = capsys.readouterr().out
    assert "Columns not used (3):" in out and "'Name': personal data (name)" in out


def test_an_unreadable_file_lists_no_ignored_columns(tmp_path, capsys):
    path = tmp_path / "empty.csv"
    path.write_text("")
    assert main(["validate", str(path), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["ignored_columns"] == []
