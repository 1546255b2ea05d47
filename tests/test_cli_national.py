"""Tests for ``python -m evaluation national``: per-hub table, pooled row, [c] and exit codes."""

from __future__ import annotations

import csv
import io
import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from evaluation.cli import main
from evaluation.stats.pooling import random_effects

NCP = "Mathematical Thinking for GCSE"


@pytest.fixture(autouse=True)
def _no_env_threshold(monkeypatch):
    monkeypatch.delenv("IMPACT_MIN_N", raising=False)


@pytest.fixture(scope="module")
def surveys(tmp_path_factory, sample_dir):
    """The committed sample, as a file (the CLI reads files)."""
    return str(sample_dir / "surveys.csv")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["national", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_table_shows_hidden_hubs_as_c_and_a_pooled_row(capsys, surveys):
    code, out, err = run(capsys, surveys, "--ncp", "MT-GCSE")
    assert code == 0, err
    assert f"Confidence — {NCP}" in out
    assert "[c]" in out and "fewer than 5 respondents" in out
    assert re.search(r"Pooled \(REML, Knapp–Hartung\): \d+ hubs used, \d+ hidden", out)
    assert "95% prediction interval" in out
    hidden_lines = [line for line in out.splitlines() if line.endswith("fewer than 5 respondents")]
    assert hidden_lines
    for line in hidden_lines:  # a hidden hub's line has its name, [c] and no number at all
        assert "[c]" in line
        assert not re.search(r"\d", line.removesuffix("fewer than 5 respondents"))


def test_json_pooled_row_matches_random_effects_on_the_shown_hubs(capsys, surveys):
    code, out, _ = run(capsys, surveys, "--ncp", NCP, "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["ncp"] == NCP and doc["outcome"] == "confidence" and doc["min_n"] == 5
    hubs = pd.DataFrame(doc["hubs"])
    shown, hidden = hubs[~hubs.suppressed], hubs[hubs.suppressed]
    assert len(hidden) > 0
    assert hidden[["n_paired", "d_z", "mean_change"]].isna().all().all()
    assert (shown.n_paired >= 5).all()
    pooled = doc["pooled"]
    assert pooled["k"] == len(shown) and pooled["k_suppressed"] == len(hidden)
    assert pooled["n_respondents"] == shown.n_paired.sum()
    # Rebuild each hub's variance from its d_z and n: 1/n + d^2/(2n).
    n, d = shown.n_paired.to_numpy(float), shown.d_z.to_numpy(float)
    ref = random_effects(d, 1 / n + d**2 / (2 * n))
    assert pooled["estimate"] == pytest.approx(ref.estimate, abs=1e-12)
    assert pooled["tau2"] == pytest.approx(ref.tau2, abs=1e-12)


def test_csv_output_has_c_for_hidden_cells_and_dl_on_request(capsys, surveys):
    code, out, _ = run(capsys, surveys, "--ncp", NCP, "--csv", "--method", "dl")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    hidden = [r for r in rows if r["suppressed"] == "True"]
    assert hidden and all(r["n_paired"] == "[c]" and r["d_z"] == "[c]" for r in hidden)
    assert rows[-1]["row"] == "pooled" and rows[-1]["hub"].startswith("Pooled (DL, Knapp–Hartung)")


def test_min_n_from_option_and_environment(capsys, surveys, monkeypatch):
    _, out, _ = run(capsys, surveys, "--ncp", NCP, "--json", "--min-n", "12")
    strict = json.loads(out)
    assert strict["min_n"] == 12
    assert all(h["n_paired"] is None or h["n_paired"] >= 12 for h in strict["hubs"])
    monkeypatch.setenv("IMPACT_MIN_N", "12")
    _, out, _ = run(capsys, surveys, "--ncp", NCP, "--json")
    assert json.loads(out)["pooled"] == strict["pooled"]


def test_year_and_outcome_options_narrow_the_comparison(capsys, surveys):
    _, all_years, _ = run(capsys, surveys, "--ncp", "MN-KS2", "--json", "--outcome", "conf_2")
    _, one_year, _ = run(
        capsys, surveys, "--ncp", "MN-KS2", "--json", "--outcome", "conf_2", "--year", "2024/25"
    )
    a, b = json.loads(all_years), json.loads(one_year)
    assert a["outcome"] == b["outcome"] == "conf_2" and b["academic_year"] == "2024/25"
    assert b["pooled"]["n_respondents"] < a["pooled"]["n_respondents"]
    assert not math.isclose(a["pooled"]["estimate"], b["pooled"]["estimate"])


def test_bad_requests_exit_2_with_a_plain_message(capsys, surveys, tmp_path):
    code, _, err = run(capsys, surveys, "--ncp", "Underwater Basket Weaving")
    assert code == 2 and "not an NCP name or code we know" in err and NCP in err
    code, _, err = run(capsys, surveys, "--ncp", NCP, "--outcome", "happiness")
    assert code == 2 and "confidence" in err
    code, _, err = run(capsys, str(tmp_path / "missing.csv"), "--ncp", NCP)
    assert code == 2 and "missing.csv" in err
    code, _, err = run(capsys, surveys, "--ncp", NCP, "--year", "1999/00")
    assert code == 2 and "1999/00" in err
    assert main(["national", surveys]) == 2  # --ncp is required


def test_a_file_with_errors_exits_1_naming_row_and_column(capsys, sample_dir, tmp_path):
    frame = pd.read_csv(sample_dir / "surveys.csv", dtype=str, nrows=200)
    frame.loc[4, "conf_1"] = "banana"
    bad = tmp_path / "bad.csv"
    frame.to_csv(bad, index=False)
    code, out, err = run(capsys, str(bad), "--ncp", NCP)
    assert code == 1 and out == ""
    assert "row 6" in err and "conf_1" in err


def test_pre_and_post_in_separate_files_are_paired_across_files(capsys, sample_dir, tmp_path):
    frame = pd.read_csv(sample_dir / "surveys.csv", dtype=str)
    pre, post = tmp_path / "pre.csv", tmp_path / "post.csv"
    frame[frame.phase == "pre"].to_csv(pre, index=False)
    frame[frame.phase == "post"].to_csv(post, index=False)
    _, split, _ = run(capsys, str(pre), str(post), "--ncp", NCP, "--json")
    _, whole, _ = run(capsys, str(sample_dir / "surveys.csv"), "--ncp", NCP, "--json")
    assert np.isclose(
        json.loads(split)["pooled"]["estimate"], json.loads(whole)["pooled"]["estimate"]
    )
