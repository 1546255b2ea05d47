"""``python -m evaluation compare`` (evaluation.cli.compare): files in, one result table out.

Expected numbers come from SciPy 1.17 ``ttest_rel`` on answers matched by participant code with a
plain pandas merge of the checked files; exit codes and the JSON keys are the contract in
issue 3 item 9.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluation.cli import main
from evaluation.validation import FileDefaults, check_survey

EXAMPLES = Path(__file__).resolve().parents[1] / "sample_data" / "examples"
OPTIONS = ["--hub", "Solent", "--ncp", "MN-KS2", "--year", "2024/25"]
RESULT_KEYS = [
    "item", "n_pre", "n_post", "n_paired", "mean_pre", "mean_post", "mean_change", "sd_change",
    "ci_low", "ci_high", "t", "df", "p_t", "w", "p_w", "d_z", "d_z_ci_low", "d_z_ci_high", "g_av",
    "g_av_ci_low", "g_av_ci_high", "r_rb", "pct_improved", "pct_same", "pct_declined", "p_adj",
    "reason",
]  # fmt: skip


@pytest.fixture(scope="module")
def forms_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """MS Forms pre and post exports whose ID columns number different people.

    The post file's rows are reversed and renumbered, so ID 1 in the pre file and ID 1 in the
    post file are different teachers; only the participant code links them. Written once for
    the module: the tests only read them.
    """
    tmp_path = tmp_path_factory.mktemp("forms_pair")
    pre = pd.read_excel(EXAMPLES / "ms_forms_pre.xlsx")
    post = pd.read_excel(EXAMPLES / "ms_forms_post.xlsx").iloc[::-1].reset_index(drop=True)
    post["ID"] = np.arange(1, len(post) + 1)
    pre["ID"] = np.arange(1, len(pre) + 1)
    paths = tmp_path / "pre.xlsx", tmp_path / "post.xlsx"
    pre.to_excel(paths[0], index=False)
    post.to_excel(paths[1], index=False)
    return paths


def checked_frames(pre: Path, post: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    defaults = dict(hub="Solent", ncp="MN-KS2", academic_year="2024/25")
    return (
        check_survey(pre, defaults=FileDefaults(phase="pre", **defaults)).frame,
        check_survey(post, defaults=FileDefaults(phase="post", **defaults)).frame,
    )


def run_json(capsys, *args: str) -> tuple[int, dict]:
    code = main(["compare", *args, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_people_are_matched_by_participant_code_not_by_form_id(forms_pair, capsys):
    code, doc = run_json(capsys, *map(str, forms_pair), *OPTIONS)
    assert code == 0
    assert doc["design"] == "paired" and doc["by"] == []
    row = next(r for r in doc["results"] if r["item"] == "conf_1")

    pre, post = checked_frames(*forms_pair)
    by_code = pre.merge(post, on="respondent_id", suffixes=("_pre", "_post")).dropna(
        subset=["conf_1_pre", "conf_1_post"]
    )
    expected = stats.ttest_rel(by_code["conf_1_post"], by_code["conf_1_pre"])
    assert row["n_paired"] == len(by_code)
    assert row["t"] == pytest.approx(expected.statistic, abs=1e-9)
    assert row["p_t"] == pytest.approx(expected.pvalue, abs=1e-9)

    raw_pre = pd.read_excel(forms_pair[0])
    raw_post = pd.read_excel(forms_pair[1])
    by_id = raw_pre.merge(raw_post, on="ID")
    same_code = (
        by_id["Participant code_x"].str.strip().str.casefold()
        == by_id["Participant code_y"].str.strip().str.casefold()
    )
    assert not same_code.all()  # matching by ID would pair different people


def test_json_document_has_exactly_the_contract_keys_and_null_for_nan(tmp_path, capsys):
    frame = pd.DataFrame(
        {
            "respondent_id": ["a", "b", "c", "a", "b", "c"],
            "phase": ["pre"] * 3 + ["post"] * 3,
            "academic_year": "2024/25",
            "hub": "Solent Maths Hub",
            "ncp": "Mastering Number at KS2",
            "conf_1": [2, 3, 4, 2, 3, 4],  # no change at all: t is NaN
            "conf_2": [2, 3, 4, 3, 5, 4],
        }
    )
    path = tmp_path / "surveys.csv"
    frame.to_csv(path, index=False)
    code, doc = run_json(capsys, str(path), "--by", "hub,ncp")
    assert code == 0
    assert list(doc) == ["design", "by", "results"]
    assert doc["by"] == ["hub", "ncp"]
    for row in doc["results"]:
        assert list(row) == ["hub", "ncp", *RESULT_KEYS]
        assert all(not (isinstance(v, float) and math.isnan(v)) for v in row.values())
    flat = next(r for r in doc["results"] if r["item"] == "conf_1")
    assert flat["t"] is None and flat["mean_change"] == 0 and isinstance(flat["n_paired"], int)
    assert "same answer" in flat["reason"]


def test_one_file_with_a_phase_column_and_a_readable_table(sample_dir, tmp_path, capsys):
    surveys = pd.read_csv(sample_dir / "surveys.csv")
    one_group = surveys[surveys["work_group"] == surveys["work_group"].iloc[0]]
    path = tmp_path / "group.csv"
    one_group.to_csv(path, index=False)
    assert main(["compare", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Paired change")
    assert "Change (95% CI)" in out and "confidence" in out


def test_csv_output_has_one_row_per_item(forms_pair, capsys):
    assert main(["compare", *map(str, forms_pair), *OPTIONS, "--csv"]) == 0
    from io import StringIO

    table = pd.read_csv(StringIO(capsys.readouterr().out))
    assert len(table) == 12  # nine items and three constructs
    assert {"item", "design", "p_adj", "g_av"} <= set(table.columns)


def test_invalid_file_exits_1_and_lists_the_problems(forms_pair, capsys):
    assert main(["compare", *map(str, forms_pair)]) == 1  # no hub, project or year given
    err = capsys.readouterr().err
    assert "Maths Hub" in err and "--hub" in err


def test_unreadable_file_exits_2(tmp_path, capsys):
    path = tmp_path / "garbage.xlsx"
    path.write_bytes(b"\x00\x01 not a spreadsheet")
    assert main(["compare", str(path), str(path)]) == 2
    assert "cannot be read" in capsys.readouterr().err


def test_files_without_phase_need_a_pre_post_order_or_phase_option(forms_pair, capsys):
    files = [str(p) for p in forms_pair]
    assert main(["compare", files[0], *OPTIONS]) == 2
    assert "--phase" in capsys.readouterr().err
    assert main(["compare", *files, *OPTIONS, "--phase", "pre"]) == 2
    code, doc = run_json(capsys, files[1], files[0], *OPTIONS, "--phase", "post,pre")
    _, in_order = run_json(capsys, *files, *OPTIONS)
    assert code == 0
    for swapped, ordered in zip(doc["results"], in_order["results"], strict=True):
        assert swapped == pytest.approx(ordered, abs=1e-12)  # sums run in another order


def test_unknown_split_key_is_a_usage_error(forms_pair, capsys):
    assert main(["compare", *map(str, forms_pair), "--by", "colour"]) == 2
    assert "cannot split by" in capsys.readouterr().err


HUB_QUESTION = "Which Maths Hub are you working with?"


@pytest.fixture
def forms_with_hub_question(tmp_path: Path) -> tuple[Path, Path]:
    """Microsoft Forms pre and post exports (``Start time``/``Completion time`` stamps, all in
    2024/25) asking which Maths Hub the teacher works with; no hub, project or year column."""
    from evaluation.synthetic.examples import example_exports

    pre, post, _, _ = example_exports()
    paths = tmp_path / "pre.xlsx", tmp_path / "post.xlsx"
    for frame, answer, path in zip((pre, post), ("Solent Maths Hub", "Solent"), paths, strict=True):
        frame.insert(7, HUB_QUESTION, answer)
        frame.to_excel(path, index=False)
    return paths


def test_a_forms_pair_compares_with_only_the_project_given(forms_with_hub_question, capsys):
    files = [str(p) for p in forms_with_hub_question]
    code = main(["compare", *files, "--phase", "pre,post", "--ncp", "MN-KS2"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert f"'{HUB_QUESTION}' is read as the Maths Hub" in captured.err
    assert "academic year 2024/25 is taken from the 'Completion time'" in captured.err
    assert captured.out.startswith("Paired change")
    # The same numbers as when hub and year are given.
    _, read = run_json(capsys, *files, "--phase", "pre,post", "--ncp", "MN-KS2", "--by", "hub")
    _, given = run_json(capsys, *files, "--phase", "pre,post", *OPTIONS)
    assert {r["hub"] for r in read["results"]} == {"Solent Maths Hub"}
    for found, told in zip(read["results"], given["results"], strict=True):
        assert {k: v for k, v in found.items() if k != "hub"} == told


def test_the_text_table_shows_questions_marks_reversed_ones_and_explains_its_columns(
    forms_pair, capsys
):
    assert main(["compare", *map(str, forms_pair), *OPTIONS]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[1].split()[0] == "Question"
    assert "I feel confident teaching mathematics to my class" in out
    assert not any(line.startswith(("conf_", "know_", "prac_")) for line in lines)
    anxious = next(i for i, line in enumerate(lines) if line.startswith("I feel anxious"))
    assert lines[anxious + 2].strip() == "(reversed: a fall is good)"
    assert "Scale: confidence" in out
    explained = lines[lines.index("") + 1]
    assert "Holm" in explained and "g_av = " in explained and "p (adj.) = " in explained
    assert "-0.00" not in out and "\u22120.00" not in out


def test_csv_output_names_each_question(forms_pair, capsys):
    assert main(["compare", *map(str, forms_pair), *OPTIONS, "--csv"]) == 0
    from io import StringIO

    table = pd.read_csv(StringIO(capsys.readouterr().out))
    assert list(table.columns[:3]) == ["item", "question", "design"]
    conf_1 = table.loc[table["item"] == "conf_1", "question"].item()
    assert conf_1 == "I feel confident teaching mathematics to my class"
    assert table.loc[table["item"] == "confidence", "question"].isna().all()
