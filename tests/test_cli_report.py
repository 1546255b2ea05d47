"""``python -m evaluation report``: files written, exit codes, plain-English messages."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from pypdf import PdfReader

from evaluation.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "small"
DATA = [str(SAMPLE / "surveys.csv"), str(SAMPLE / "pupils.csv")]


def test_hub_report_writes_html_and_pdf(tmp_path, capsys):
    out = tmp_path / "pack"
    code = main(
        ["report", "--hub", "Solent", "--year", "2024-25", "--out", str(out), "--data", *DATA]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Solent Maths Hub: board pack 2024/25" in html
    assert "Synthetic sample" in html
    reader = PdfReader(io.BytesIO((out / "report.pdf").read_bytes()))
    assert len(reader.pages) >= 10
    assert str(out / "report.pdf") in captured.out


def test_national_project_report_from_ncp_code(tmp_path, capsys):
    out = tmp_path / "ncp"
    code = main(
        ["report", "--ncp", "MN-KS2", "--year", "2024/25", "--out", str(out), "--no-pdf"]
        + ["--no-slides", "--data", *DATA]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Mastering Number at KS2: national project report 2024/25" in html
    assert not (out / "report.pdf").exists() and not (out / "report.pptx").exists()
    assert captured.out.split() == [str(out / "report.html")]


def test_without_chromium_only_html_is_written_and_stderr_says_why(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("IMPACT_CHROMIUM", str(tmp_path / "no-browser"))
    code = main(
        [
            "report",
            "--hub",
            "Sussex Maths Hub",
            "--year",
            "2024/25",
            "--out",
            str(tmp_path),
            "--data",
            *DATA,
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert (tmp_path / "report.html").exists() and not (tmp_path / "report.pdf").exists()
    assert "PDF needs Chromium; the HTML report has the same content." in captured.err


def test_unknown_hub_exits_2_with_did_you_mean_and_no_traceback(tmp_path, capsys):
    # In-process: the real-process exit path is tested once, in tests/test_cli_validate.py.
    code = main(
        [
            "report",
            "--hub",
            "Solant Maths Hub",
            "--year",
            "2024/25",
            "--out",
            str(tmp_path),
            "--data",
            *DATA,
        ]
    )
    stderr = capsys.readouterr().err
    assert code == 2
    assert "'Solant Maths Hub' is not a Maths Hub. Did you mean 'Solent Maths Hub'?" in stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "report.html").exists()


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["report", "--year", "2024/25", "--out", str(tmp_path)]) == 2
    assert "Give --hub NAME" in capsys.readouterr().err
    assert main(["report", "--hub", "Solent", "--year", "soon", "--out", str(tmp_path)]) == 2
    assert "not an academic year" in capsys.readouterr().err
    assert main(["report", "--ncp", "Knitting", "--year", "2024/25", "--out", str(tmp_path)]) == 2
    assert main(["report", "--hub", "Solent", "--out", str(tmp_path)]) == 2  # --year missing


def test_unreadable_file_exits_2_and_invalid_file_exits_1(tmp_path, capsys):
    missing = tmp_path / "nope.csv"
    code = main(
        [
            "report",
            "--hub",
            "Solent",
            "--year",
            "2024/25",
            "--out",
            str(tmp_path),
            "--data",
            str(missing),
        ]
    )
    assert code == 2
    assert "nope.csv" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "respondent_id,phase,academic_year,hub,ncp,conf_1\n"
        "a,pre,2024/25,Solent Maths Hub,Mastering Number at KS2,9\n",
        encoding="utf-8",
    )
    code = main(
        [
            "report",
            "--hub",
            "Solent",
            "--year",
            "2024/25",
            "--out",
            str(tmp_path),
            "--data",
            str(bad),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1, err
    assert "row 2" in err


def test_year_without_data_exits_1_and_lists_years(tmp_path, capsys):
    code = main(
        [
            "report",
            "--hub",
            "Solent",
            "--year",
            "2019/20",
            "--out",
            str(tmp_path),
            "--no-pdf",
            "--data",
            *DATA,
        ]
    )
    assert code == 1
    assert "Years with data: 2021/22, 2022/23, 2023/24, 2024/25." in capsys.readouterr().err


def test_report_from_the_store(tmp_path, capsys, monkeypatch, seeded_home):
    # A store holding the sample: a copy of the one seeded once for the session (conftest).
    home = shutil.copytree(seeded_home, tmp_path / "home")
    monkeypatch.setenv("IMPACT_HOME", str(home))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = f"sqlite:///{home / 'impact.sqlite'}"
    assert (home / "impact.sqlite").exists()
    out = tmp_path / "out"
    code = main(
        [
            "report",
            "--hub",
            "Solent",
            "--year",
            "2024/25",
            "--out",
            str(out),
            "--store",
            url,
            "--no-pdf",
            "--no-slides",
        ]
    )
    assert code == 0, capsys.readouterr().err
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "surveys.csv" in html and "sample data (synthetic)" in html


def test_with_a_larger_suppression_minimum_no_output_says_fewer_than_5(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("IMPACT_MIN_N", "10")
    out = tmp_path / "pack"
    code = main(
        ["report", "--hub", "Solent", "--year", "2024/25", "--out", str(out), "--no-pdf"]
        + ["--no-slides", "--data", *DATA]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "fewer than 10" in html
    code = main(["national", DATA[0], "--ncp", "MN-KS2", "--year", "2024/25"])
    national = capsys.readouterr()
    assert code == 0, national.err
    assert "fewer than 10" in national.out
    for text in (html, captured.out, captured.err, national.out, national.err):
        assert "fewer than 5" not in text
