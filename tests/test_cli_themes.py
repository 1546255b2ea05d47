"""``python -m evaluation themes`` (evaluation.cli.themes): survey files in, themes out.

The survey files carry the planted answers of tests/test_themes.py; expected memberships come
from the planted labels. Exit codes and JSON keys are the contract in issue 17.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from evaluation.cli import main
from tests.test_themes import CODEBOOK, PLANTED, planted_answers

OPTIONS = ["--hub", "Solent", "--ncp", "MN-KS2", "--year", "2024/25"]
THEME_KEYS = {"theme", "source", "n", "share", "rows", "examples", "top_terms"}
QUESTION = "What has changed in your classroom?"


def write_survey(path: Path, answers: pd.Series) -> Path:
    """A survey file: one row per answer, alternately post and pre, plus one Likert question."""
    n = len(answers)
    pd.DataFrame(
        {
            "Participant code": [f"P{i:03d}" for i in range(n)],
            "Phase": ["post" if i % 2 == 0 else "pre" for i in range(n)],
            "I feel confident teaching mathematics to my class": ["Agree"] * n,
            QUESTION: answers,
            "What further support would help you?": ["More time"] * n,
        }
    ).to_csv(path, index=False)
    return path


@pytest.fixture
def planted(tmp_path: Path) -> tuple[Path, pd.Series]:
    """The planted survey file and each spreadsheet row's planted theme (header = row 1)."""
    answers, truth = planted_answers()
    path = write_survey(tmp_path / "survey.csv", answers)
    return path, pd.Series(truth.to_numpy(), index=truth.index + 2, dtype=object)


def run_json(capsys, *args: str) -> tuple[int, dict]:
    code = main(["themes", *args, *OPTIONS, "--json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, json.loads(captured.out)


def test_suggest_3_with_an_empty_codebook_finds_the_planted_themes(planted, tmp_path, capsys):
    path, truth = planted
    empty = tmp_path / "empty.csv"
    empty.write_text("theme,keywords\n")
    code, doc = run_json(
        capsys, str(path), "--codebook", str(empty), "--suggest", "3", "--column", QUESTION
    )
    assert code == 0
    assert set(doc) == {"themes", "n_answers", "n_uncoded"}
    assert doc["n_answers"] == doc["n_uncoded"] == len(truth)
    assert [t["source"] for t in doc["themes"]] == ["suggested"] * 3
    for theme in doc["themes"]:
        assert set(theme) >= THEME_KEYS
        assert theme["n"] == len(theme["rows"])
        assert theme["share"] == pytest.approx(theme["n"] / len(truth))
        assert theme["top_terms"] and theme["examples"]
    for name in PLANTED:
        planted_rows = set(truth.index[truth.eq(name)])
        best = max(len(planted_rows & set(t["rows"])) for t in doc["themes"])
        assert best / len(planted_rows) >= 0.8, name


def test_a_codebook_that_names_the_planted_themes_tags_them(planted, tmp_path, capsys):
    path, truth = planted
    book = tmp_path / "book.csv"
    book.write_bytes(CODEBOOK)
    code, doc = run_json(capsys, str(path), "--codebook", str(book), "--column", "changed")
    assert code == 0
    by_theme = {t["theme"]: t for t in doc["themes"]}
    assert list(by_theme) == list(PLANTED)
    assert doc["n_uncoded"] == int(truth.isna().sum())
    found = {(row, t["theme"]) for t in doc["themes"] for row in t["rows"]}
    expected = {(row, name) for row, name in truth.items() if name is not None}
    assert len(found & expected) / len(expected) >= 0.9
    assert len(found & expected) / len(found) >= 0.9
    for theme in by_theme.values():
        assert theme["source"] == "codebook"
        assert {"n_pre", "share_pre", "n_post", "share_post"} <= set(theme)
        assert set(theme["examples"]) <= set(pd.read_csv(path)[QUESTION])


def test_every_open_question_is_read_without_column(planted, capsys):
    path, truth = planted
    code, doc = run_json(capsys, str(path), "--min-n", "1")
    assert code == 0
    assert doc["n_answers"] == 2 * len(truth)  # both open questions
    workload = next(t for t in doc["themes"] if t["theme"] == "Time and workload")
    assert workload["n"] >= len(truth)  # every "More time" answer


def test_small_themes_are_suppressed_in_the_json(planted, capsys, monkeypatch):
    path, _ = planted
    monkeypatch.setenv("IMPACT_MIN_N", "1000")
    code, doc = run_json(capsys, str(path), "--column", QUESTION)
    assert code == 0
    for theme in doc["themes"]:
        assert theme["suppressed"] and theme["n"] is None and theme["share"] is None
        assert theme["rows"] == [] and theme["examples"] == []


def test_text_output_lists_themes_with_quotes(planted, capsys):
    path, _ = planted
    assert main(["themes", str(path), *OPTIONS, "--column", QUESTION]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{len(planted[1])} answers;")
    assert "Representations and the bar model (codebook)" in out


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        (["--codebook", "{tmp}/missing.csv"], 2, "cannot be read"),
        (["--codebook", "{tmp}/bad.csv"], 1, "Row 2: no keywords"),
        (["--column", "favourite colour"], 2, "not an open question"),
        (["--suggest", "0"], 2, "at least 1"),
    ],
)
def test_exit_codes_and_messages(planted, tmp_path, capsys, extra, code, message):
    path, _ = planted
    (tmp_path / "bad.csv").write_text("theme,keywords\nTalk,\n")
    args = [part.format(tmp=tmp_path) for part in extra]
    assert main(["themes", str(path), *OPTIONS, *args]) == code
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err


def test_unreadable_and_invalid_files(tmp_path, capsys):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a spreadsheet")
    assert main(["themes", str(broken), *OPTIONS, "--phase", "post"]) == 2
    no_hub = write_survey(tmp_path / "no_hub.csv", pd.Series(["bar model"] * 3))
    assert main(["themes", str(no_hub), "--ncp", "MN-KS2", "--year", "2024/25"]) == 1
    assert "Traceback" not in capsys.readouterr().err
