"""``python -m evaluation impact`` and ``mdes`` (evaluation.cli.impact, evaluation.cli.mdes).

The JSON keys and exit codes are the contract of issue 13 item 6; expected numbers come from
statsmodels MixedLM fitted here on the same rows, and from the MDES formula with SciPy.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from evaluation.cli import main

RESULT_KEYS = [
    "ncp", "academic_year", "outcome", "n_intervention", "n_comparison", "n_clusters",
    "estimate", "se", "ci_low", "ci_high", "p", "g", "g_ci_low", "g_ci_high", "icc", "months",
    "security", "security_reason", "reason",
]  # fmt: skip
HUB = "Solent Maths Hub"


def pupil_rows(
    seed: int, *, schools: int, first_urn: int, effect: float, year: str = "2024/25"
) -> pd.DataFrame:
    """Pupil file rows: MTC pre and post, clustered by school, with ``effect`` marks added."""
    rng = np.random.default_rng(seed)
    school = np.repeat(np.arange(schools), 15)
    n = school.size
    pre = np.clip(np.round(rng.normal(15, 4, n)), 0, 25)
    post = pre + 2 + effect + rng.normal(0, 1.2, schools)[school] + rng.normal(0, 2.5, n)
    post = np.clip(np.round(post), 0, 25)
    ids = [f"S{seed}-{i}" for i in range(n)]
    return pd.DataFrame(
        {
            "pupil_id": ids * 2,
            "school_urn": np.tile(school + first_urn, 2),
            "hub": HUB,
            "ncp": "Mastering Number at KS2",
            "academic_year": year,
            "phase": ["pre"] * n + ["post"] * n,
            "score": np.concatenate([pre, post]).astype(int),
        }
    )


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    project = tmp_path / "project.csv"
    comparison = tmp_path / "comparison.csv"
    pupil_rows(1, schools=16, first_urn=200000, effect=1.5).to_csv(project, index=False)
    pupil_rows(2, schools=16, first_urn=300000, effect=0.0).to_csv(comparison, index=False)
    return project, comparison


def test_json_document_has_the_contracted_keys_and_the_mixedlm_estimate(files, capsys):
    project, comparison = files
    code = main(["impact", str(project), "--comparison", str(comparison), "--kind", "pupil",
                 "--json"])  # fmt: skip
    assert code == 0
    document = json.loads(capsys.readouterr().out)
    assert document["design"] == "comparison"
    assert document["model"].startswith("mixed model (REML)")
    (result,) = document["results"]
    assert list(result) == RESULT_KEYS
    assert result["n_clusters"] == 32 and result["n_intervention"] == 240
    data = pd.concat(
        [pd.read_csv(project).assign(treated=1.0), pd.read_csv(comparison).assign(treated=0.0)]
    )
    wide = data.pivot_table(
        index=["pupil_id", "school_urn", "treated"], columns="phase", values="score"
    ).reset_index()
    fitted = smf.mixedlm("post ~ treated + pre", wide, groups=wide["school_urn"]).fit(
        reml=True, method="powell", ftol=1e-12
    )
    assert result["estimate"] == pytest.approx(fitted.fe_params["treated"], rel=1e-4)
    assert result["se"] == pytest.approx(fitted.bse_fe["treated"], rel=1e-4)
    assert isinstance(result["months"], int) and isinstance(result["security"], int)
    assert result["security"] <= 2 and result["reason"] is None


def test_text_output_says_impact_and_security(files, capsys):
    project, comparison = files
    assert main(["impact", str(project), "--comparison", str(comparison)]) == 0
    out = capsys.readouterr().out
    assert "Impact against a comparison group" in out and "/5" in out
    assert "not assessed" in out


def test_comparison_file_for_another_year_is_refused_with_a_reason(files, tmp_path, capsys):
    project, _ = files
    other = tmp_path / "other_year.csv"
    pupil_rows(3, schools=16, first_urn=300000, effect=0, year="2023/24").to_csv(other, index=False)
    assert main(["impact", str(project), "--comparison", str(other), "--json"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "other_year.csv: comparison data for Mastering Number at KS2 in 2023/24" in captured.err
    assert "same project and academic year" in captured.err


def test_comparison_file_for_another_project_is_refused(files, tmp_path, capsys):
    project, _ = files
    other = tmp_path / "other_project.csv"
    rows = pupil_rows(4, schools=16, first_urn=300000, effect=0)
    rows.assign(ncp="Mastering Number at Reception and KS1").to_csv(other, index=False)
    assert main(["impact", str(project), "--comparison", str(other)]) == 1
    assert "comparison data for Mastering Number at Reception and KS1" in capsys.readouterr().err


def test_comparison_arm_with_one_school_gives_the_reason_and_exit_1(files, tmp_path, capsys):
    project, _ = files
    one = tmp_path / "one_school.csv"
    pupil_rows(5, schools=1, first_urn=300000, effect=0).to_csv(one, index=False)
    assert main(["impact", str(project), "--comparison", str(one), "--json"]) == 1
    captured = capsys.readouterr()
    (result,) = json.loads(captured.out)["results"]
    assert result["estimate"] is None and result["security"] is None
    assert "only 1 school" in result["reason"]
    assert "No impact could be estimated: The comparison group has pupils from only 1 school" in (
        captured.err
    )


def test_no_comparison_group_is_said_with_exit_1(files, capsys):
    project, _ = files
    assert main(["impact", str(project)]) == 1
    assert "--comparison" in capsys.readouterr().err


def test_a_group_column_marks_comparison_rows_in_one_file(files, tmp_path, capsys):
    project, comparison = files
    both = tmp_path / "both.csv"
    rows = pd.concat(
        [
            pd.read_csv(project).assign(Arm="Work Group"),
            pd.read_csv(comparison).assign(Arm="not in Work Group"),
        ]
    )
    rows.to_csv(both, index=False)
    assert main(["impact", str(project), "--comparison", str(comparison), "--json"]) == 0
    separate = json.loads(capsys.readouterr().out)["results"]
    assert main(["impact", str(both), "--json"]) == 0
    together = json.loads(capsys.readouterr().out)["results"]
    assert together == separate


def test_a_comparison_file_whose_rows_say_intervention_is_refused(files, tmp_path, capsys):
    project, comparison = files
    said = tmp_path / "said.csv"
    pd.read_csv(comparison).assign(group="treatment").to_csv(said, index=False)
    assert main(["impact", str(project), "--comparison", str(said)]) == 1
    err = capsys.readouterr().err
    assert "column 'group'" in err and "'comparison' was chosen for the whole file" in err


def test_unreadable_file_exits_2_without_traceback(files, tmp_path, capsys):
    project, _ = files
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert main(["impact", str(project), "--comparison", str(empty)]) == 2
    err = capsys.readouterr().err
    assert "empty.csv: cannot be read" in err and "Traceback" not in err


def test_mdes_json_equals_the_formula(capsys):
    args = ["mdes", "--clusters", "40", "--per-cluster", "25", "--icc", "0.15",
            "--r2-individual", "0.5", "--r2-cluster", "0.3", "--share", "0.4",
            "--json"]  # fmt: skip
    assert main(args) == 0
    document = json.loads(capsys.readouterr().out)
    m = stats.t.ppf(0.975, 38) + stats.t.ppf(0.8, 38)
    pq = 0.4 * 0.6
    expected = m * np.sqrt(0.15 * 0.7 / (pq * 40) + 0.85 * 0.5 / (pq * 40 * 25))
    assert document["mdes"] == pytest.approx(expected, rel=1e-9)
    assert document["clusters"] == 40 and document["df"] == 38


@pytest.mark.parametrize(
    "bad", [["--clusters", "2"], ["--icc", "1.5"], ["--share", "1"], ["--clusters", "forty"]]
)
def test_mdes_out_of_range_inputs_are_bad_usage(bad, capsys):
    args = {"--clusters": "40", "--per-cluster": "25", "--icc": "0.1"}
    args[bad[0]] = bad[1]
    assert main(["mdes", *(x for pair in args.items() for x in pair)]) == 2
    assert bad[0] in capsys.readouterr().err


def test_the_cli_design_names_are_the_security_module_s() -> None:
    """The CLI keeps the design name as text (a fast --help); it must be the module's own."""
    from evaluation.cli.impact import DESIGNS
    from evaluation.stats.security import IMPACT_DESIGN

    assert DESIGNS["comparison"] == IMPACT_DESIGN


@pytest.fixture
def cli_store(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """DATABASE_URL at a fresh store (SQLite and PostgreSQL), as ``store add`` uses it."""
    monkeypatch.setenv("DATABASE_URL", store_url)
    monkeypatch.setenv("IMPACT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("USER", "cli-user")
    monkeypatch.delenv("IMPACT_SECRET", raising=False)
    return store_url


def test_store_add_of_comparison_data_for_another_year_says_which_and_computes_nothing(
    files, tmp_path, cli_store, capsys
):
    from evaluation.access import Viewer
    from evaluation.analysis.impact import pupil_impact_analysis
    from evaluation.store import Store

    project, matching = files
    other = tmp_path / "other_year.csv"
    pupil_rows(3, schools=16, first_urn=400000, effect=0, year="2023/24").to_csv(other, index=False)
    assert main(["store", "add", str(project), "--kind", "pupil"]) == 0
    capsys.readouterr()
    args = ["store", "add", str(other), "--kind", "pupil", "--group", "comparison", "--json"]
    assert main(args) == 0  # valid data: stored, with the reason nothing will come of it yet
    captured = capsys.readouterr()
    (warning,) = json.loads(captured.out)["warnings"]
    assert warning.startswith(
        "other_year.csv: comparison data for Mastering Number at KS2 in 2023/24, but the project "
        "data in the store are for Mastering Number at KS2 in 2024/25."
    )
    assert "no impact is computed from it" in warning and warning in captured.err
    # Nothing is computed wrongly: no year has both arms, so no estimate, and each says why.
    with Store.open() as store:
        rows = store.load_pupils(Viewer.national())
    table = pupil_impact_analysis(rows, by=["ncp", "academic_year"]).table
    assert table["academic_year"].tolist() == ["2023/24", "2024/25"]
    assert table["estimate"].isna().all()
    assert table["reason"].str.contains("group").all()
    # The matching comparison file gets no warning, and then the impact is estimated.
    assert main(["store", "add", str(matching), "--kind", "pupil", "--group", "comparison"]) == 0
    assert "comparison data for" not in capsys.readouterr().err
    with Store.open() as store:
        rows = store.load_pupils(Viewer.national())
    table = pupil_impact_analysis(rows, by=["ncp", "academic_year"]).table.set_index(
        "academic_year"
    )
    assert np.isfinite(table.loc["2024/25", "estimate"])
    assert np.isnan(table.loc["2023/24", "estimate"])


def test_store_add_checks_comparison_rows_marked_by_a_group_column_too(
    files, tmp_path, cli_store, capsys
):
    project, _ = files
    marked = tmp_path / "marked.csv"
    rows = pupil_rows(4, schools=6, first_urn=500000, effect=0, year="2023/24")
    rows.assign(group="comparison").to_csv(marked, index=False)
    assert main(["store", "add", str(project), "--kind", "pupil"]) == 0
    capsys.readouterr()
    assert main(["store", "add", str(marked), "--kind", "pupil", "--json"]) == 0  # no --group
    captured = capsys.readouterr()
    (warning,) = json.loads(captured.out)["warnings"]
    assert warning.startswith(
        "marked.csv: comparison data for Mastering Number at KS2 in 2023/24, but the project "
        "data in the store are for Mastering Number at KS2 in 2024/25."
    )
    # A project file (no comparison rows) is not checked: nothing to warn about.
    assert main(["store", "add", str(project).replace("project", "comparison"), "--kind",
                 "pupil", "--json"]) == 0  # fmt: skip
    assert "warnings" not in json.loads(capsys.readouterr().out)
