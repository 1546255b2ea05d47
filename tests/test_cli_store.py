"""Tests for ``python -m evaluation store``: add, list, withdraw, replace, audit and exit codes.

Run against SQLite and PostgreSQL through DATABASE_URL, as a user would.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import read_only_store

from evaluation.cli import main
from evaluation.store import SAMPLE_FILES

ROOT = Path(__file__).resolve().parents[1]
HEADER = "respondent_id,phase,academic_year,hub,ncp,work_group,conf_1,conf_2,know_1\n"
VALID = HEADER + (
    "AB1,pre,2024/25,Solent Maths Hub,Mastering Number at KS2,WG-1,2,3,3\n"
    "AB1,post,2024/25,Solent Maths Hub,Mastering Number at KS2,WG-1,4,4,5\n"
    "CD2,pre,2024/25,Solent Maths Hub,Mastering Number at KS2,WG-1,3,3,2\n"
    "CD2,post,2024/25,Solent Maths Hub,Mastering Number at KS2,WG-1,4,5,4\n"
)


@pytest.fixture
def cli_env(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """DATABASE_URL pointing at a fresh store; IMPACT_HOME and USER set; files go in tmp_path."""
    monkeypatch.setenv("DATABASE_URL", store_url)
    monkeypatch.setenv("IMPACT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("USER", "cli-user")
    monkeypatch.delenv("IMPACT_SECRET", raising=False)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["store", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code, out, _ = run(capsys, *argv, "--json")
    return code, json.loads(out)


def write(directory: Path, name: str, text: str | bytes) -> Path:
    path = directory / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_add_prints_stored_then_duplicate_and_list_shows_one_dataset(cli_env: Path, capsys) -> None:
    path = write(cli_env, "wg1.csv", VALID)
    code, first = run_json(capsys, "add", str(path))
    assert code == 0
    assert (first["status"], first["n_rows"]) == ("stored", 4)
    assert isinstance(first["dataset_id"], int)
    code, second = run_json(capsys, "add", str(path))
    assert code == 0
    assert (second["status"], second["dataset_id"]) == ("duplicate", first["dataset_id"])
    code, listed = run_json(capsys, "list")
    assert code == 0
    [dataset] = listed["datasets"]
    assert dataset["dataset_id"] == first["dataset_id"]
    assert (dataset["kind"], dataset["status"], dataset["n_rows"]) == ("survey", "active", 4)
    assert dataset["sha256"] == hashlib.sha256(VALID.encode()).hexdigest()
    assert dataset["uploader"] == "cli-user"
    assert dataset["hubs"] == ["Solent Maths Hub"]
    assert dataset["file_name"] == "wg1.csv"


def test_invalid_file_exits_1_with_the_report_and_stores_nothing(cli_env: Path, capsys) -> None:
    path = write(cli_env, "bad.csv", VALID.replace("Solent Maths Hub", "Solent Maths Hubb"))
    code, out, _ = run(capsys, "add", str(path))
    assert code == 1
    assert "Row 2, column 'hub'" in out
    assert "nothing was stored" in out
    code, document = run_json(capsys, "add", str(path))
    assert code == 1
    assert document["status"] == "invalid" and document["dataset_id"] is None
    assert document["report"]["valid"] is False
    assert {e["row"] for e in document["report"]["errors"]} == {2, 3, 4, 5}
    assert run_json(capsys, "list")[1] == {"datasets": []}


def test_unreadable_or_missing_file_exits_2_and_stores_nothing(cli_env: Path, capsys) -> None:
    binary = write(cli_env, "picture.csv", bytes(range(256)) * 4)
    assert run(capsys, "add", str(binary))[0] == 2
    assert run(capsys, "add", str(cli_env / "no-such-file.csv"))[0] == 2
    assert run_json(capsys, "list")[1] == {"datasets": []}


def test_file_level_values_come_from_the_options(cli_env: Path, capsys) -> None:
    path = write(cli_env, "export.csv", "Participant code,conf_1,conf_2\nAB1,3,4\nCD2,2,5\n")
    code, added = run_json(
        capsys,
        "add",
        str(path),
        "--hub",
        "Solent",
        "--ncp",
        "MN-KS2",
        "--phase",
        "pre",
        "--year",
        "2024",
        "--work-group",
        "WG-9",
        "--uploader",
        "Lena Lead",
    )
    assert (code, added["status"]) == (0, "stored")
    [dataset] = run_json(capsys, "list")[1]["datasets"]
    assert dataset["hubs"] == ["Solent Maths Hub"]
    assert dataset["ncps"] == ["Mastering Number at KS2"]
    assert dataset["academic_years"] == ["2024/25"]
    assert dataset["phases"] == ["pre"]
    assert dataset["work_groups"] == ["WG-9"]
    assert dataset["uploader"] == "Lena Lead"


def test_withdraw_with_a_reason_is_listed_and_audited(cli_env: Path, capsys) -> None:
    path = write(cli_env, "wg1.csv", VALID)
    dataset_id = run_json(capsys, "add", str(path))[1]["dataset_id"]
    assert run(capsys, "withdraw", str(dataset_id))[0] == 2  # --reason is required
    code, out, _ = run(capsys, "withdraw", str(dataset_id), "--reason", "wrong Work Group")
    assert code == 0 and f"Withdrew dataset {dataset_id}" in out
    [dataset] = run_json(capsys, "list")[1]["datasets"]
    assert (dataset["status"], dataset["status_reason"]) == ("withdrawn", "wrong Work Group")
    code, audit = run_json(capsys, "audit")
    assert [(e["action"], e["who"], e["reason"]) for e in audit["entries"]] == [
        ("add", "cli-user", None),
        ("withdraw", "cli-user", "wrong Work Group"),
    ]
    code, _, err = run(capsys, "withdraw", str(dataset_id), "--reason", "again")
    assert code == 2 and "already withdrawn" in err
    assert run(capsys, "withdraw", "999", "--reason", "typo")[0] == 2


def test_replace_stores_the_new_file_and_marks_the_old_one_replaced(cli_env: Path, capsys) -> None:
    old_id = run_json(capsys, "add", str(write(cli_env, "wg1.csv", VALID)))[1]["dataset_id"]
    corrected = write(cli_env, "wg1-fixed.csv", VALID.replace(",2,3,3\n", ",1,3,3\n"))
    code, replaced = run_json(capsys, "replace", str(old_id), str(corrected), "--reason", "typo")
    assert code == 0 and replaced["status"] == "stored"
    datasets = {d["dataset_id"]: d for d in run_json(capsys, "list")[1]["datasets"]}
    assert datasets[old_id]["status"] == "replaced"
    assert datasets[old_id]["replaced_by"] == replaced["dataset_id"]
    assert datasets[replaced["dataset_id"]]["replaces"] == old_id
    entries = run_json(capsys, "audit")[1]["entries"]
    assert (entries[-1]["action"], entries[-1]["dataset_id"], entries[-1]["reason"]) == (
        "replace",
        old_id,
        "typo",
    )
    invalid = write(cli_env, "worse.csv", VALID.replace("pre,", "sometime,"))
    assert run(capsys, "replace", str(replaced["dataset_id"]), str(invalid))[0] == 1


def test_list_and_audit_say_so_when_empty(cli_env: Path, capsys) -> None:
    assert "No datasets stored yet" in run(capsys, "list")[1]
    assert "audit log is empty" in run(capsys, "audit")[1]


def sample_files(sample_dir: Path) -> list[tuple[str, str, int]]:
    """(file, kind, rows) of each CSV file of the committed sample, in the order it is seeded.

    The kind is read from the file (pupil files have a ``pupil_id`` column) and so are the rows.
    """
    names = [name for name, _ in SAMPLE_FILES]
    assert sorted(names) == sorted(path.name for path in sample_dir.glob("*.csv"))
    files = []
    for name in names:
        frame = pd.read_csv(sample_dir / name)
        files.append((name, "pupil" if "pupil_id" in frame else "survey", len(frame)))
    return files


@pytest.fixture(scope="module")
def seeded_by_nadia(module_store_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """What ``store seed --uploader Nadia`` did to a new store, one per backend, read only.

    Seeding takes seconds, so the tests that only check what one seeding did share it. Under the
    environment of ``cli_env``, on a store that never held data, in this order: ``seed --uploader
    Nadia --json`` (``"seeded"``), then ``audit --json`` (``"audit"``), then ``seed --json`` again
    (``"again"``), then ``list --json`` (``"listed"``); ``"codes"`` holds each command's exit
    code. No test may write to this store (checked when the module ends).
    """
    home = tmp_path_factory.mktemp("seeded_by_nadia")
    with read_only_store(module_store_url, home / "home") as (_, seal):
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DATABASE_URL", module_store_url)
            patch.setenv("IMPACT_HOME", str(home / "home"))
            patch.setenv("USER", "cli-user")
            patch.delenv("IMPACT_SECRET", raising=False)
            outputs, codes = {}, {}
            steps = (
                ("seeded", ["seed", "--uploader", "Nadia"]),
                ("audit", ["audit"]),
                ("again", ["seed"]),
                ("listed", ["list"]),
            )
            for name, argv in steps:
                out = io.StringIO()
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                    codes[name] = main(["store", *argv, "--json"])
                outputs[name] = json.loads(out.getvalue())
        seal()
        yield {**outputs, "codes": codes}


def test_seed_adds_the_sample_marked_synthetic_once(seeded_by_nadia: dict, sample_dir) -> None:
    files = sample_files(sample_dir)
    code, seeded = seeded_by_nadia["codes"]["seeded"], seeded_by_nadia["seeded"]
    assert code == 0
    assert [d["status"] for d in seeded["datasets"]] == ["stored"] * len(files)
    assert [d["n_rows"] for d in seeded["datasets"]] == [rows for _, _, rows in files]
    again = seeded_by_nadia["again"]["datasets"]
    assert [d["status"] for d in again] == ["duplicate"] * len(files)
    listed = seeded_by_nadia["listed"]["datasets"]
    assert [(d["kind"], d["synthetic"]) for d in listed] == [(kind, True) for _, kind, _ in files]


def test_seed_if_empty_adds_the_sample_only_to_a_store_that_never_held_data(
    cli_env: Path, capsys, sample_dir
) -> None:
    seeded = run_json(capsys, "seed", "--if-empty")[1]["datasets"]
    assert [d["status"] for d in seeded] == ["stored"] * len(sample_files(sample_dir))
    for dataset in run_json(capsys, "list")[1]["datasets"]:
        run(capsys, "withdraw", str(dataset["dataset_id"]), "--reason", "not wanted")
    # A withdrawn sample stays withdrawn: the store is not empty, so nothing is added again.
    assert run_json(capsys, "seed", "--if-empty")[1] == {"datasets": []}
    code, out, _ = run(capsys, "seed", "--if-empty")
    assert (code, out.strip()) == (0, "The store already holds data: the sample was not added.")


def test_without_database_url_the_store_is_a_sqlite_file_in_impact_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("IMPACT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("IMPACT_SECRET", raising=False)
    path = write(tmp_path, "wg1.csv", VALID)
    assert run_json(capsys, "add", str(path))[1]["status"] == "stored"
    assert (tmp_path / "home" / "impact.sqlite").exists()
    assert (tmp_path / "home" / "secret.key").exists()


def test_python_dash_m_honours_a_plain_postgresql_database_url(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    url = store_url.replace("postgresql+psycopg://", "postgresql://")
    path = write(tmp_path, "wg1.csv", VALID)
    env = {**os.environ, "DATABASE_URL": url, "IMPACT_HOME": str(tmp_path / "home")}
    env.pop("IMPACT_SECRET", None)
    command = [sys.executable, "-m", "evaluation", "store", "add", str(path), "--json"]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "stored"
    # The process boundary is crossed above; the listing, under the same plain URL and home,
    # runs in this process (a second interpreter would only import everything again).
    for name, value in (("DATABASE_URL", url), ("IMPACT_HOME", env["IMPACT_HOME"])):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("IMPACT_SECRET", raising=False)
    code, listed = run_json(capsys, "list")
    assert code == 0
    assert len(listed["datasets"]) == 1


# --- Issue 16: uploads that look the same, names, scoped actors, configuration errors ----------

EXPORT = "Participant code,conf_1,conf_2\nAB1,3,4\nCD2,2,5\n"
WHOLE_FILE = ["--hub", "Solent", "--ncp", "MN-KS2", "--year", "2024/25"]


def test_same_file_with_another_phase_is_refused_with_the_relabel_command_which_works(
    cli_env: Path, capsys
) -> None:
    path = str(write(cli_env, "export.csv", EXPORT))
    first = run_json(capsys, "add", path, *WHOLE_FILE, "--phase", "pre")[1]["dataset_id"]
    code, out, err = run(capsys, "add", path, *WHOLE_FILE, "--phase", "post")
    assert code == 2 and out == ""
    assert f"already stored as dataset {first}" in err
    assert f"python -m evaluation store relabel {first} --phase 'post'" in err
    code, relabelled = run_json(
        capsys,
        "relabel",
        str(first),
        "--phase",
        "post",
        "--reason",
        "was post",
        "--uploader",
        "Lena",
    )
    assert (code, relabelled["dataset_id"], relabelled["status"]) == (0, first, "relabelled")
    [dataset] = [d for d in run_json(capsys, "list")[1]["datasets"] if d["status"] == "active"]
    assert dataset["phases"] == ["post"] and dataset["hubs"] == ["Solent Maths Hub"]
    entry = run_json(capsys, "audit")[1]["entries"][-1]
    assert (entry["action"], entry["who"], entry["reason"]) == ("relabel", "Lena", "was post")
    again = run_json(capsys, "add", path, *WHOLE_FILE, "--phase", "post")[1]
    assert (again["status"], again["dataset_id"]) == ("duplicate", relabelled["new_dataset_id"])


def test_relabel_without_a_value_or_of_an_unknown_dataset_exits_2(cli_env: Path, capsys) -> None:
    code, _, err = run(capsys, "relabel", "1", "--reason", "x")
    assert code == 2 and "Say what to change: --phase" in err
    code, _, err = run(
        capsys, "relabel", "99999999999999999999", "--phase", "post", "--reason", "x"
    )
    assert code == 2 and "There is no dataset 99999999999999999999." in err


def test_a_huge_dataset_id_is_a_plain_message_with_exit_2(cli_env: Path, capsys) -> None:
    for action in (["withdraw", "99999999999999999999", "--reason", "x"],):
        code, out, err = run(capsys, *action)
        assert (code, out) == (2, "")
        assert err.strip() == "There is no dataset 99999999999999999999."


def test_name_columns_are_listed_as_not_stored(cli_env: Path, capsys) -> None:
    text = "Participant code,What is your name?,conf_1\nAB1,Alice Quenby,3\nCD2,Bert Ogilvy,2\n"
    path = str(write(cli_env, "named.csv", text))
    code, out, _ = run(capsys, "add", path, *WHOLE_FILE, "--phase", "pre")
    assert code == 0 and "Not stored, as they hold people's names: What is your name?" in out
    path = str(write(cli_env, "named2.csv", text.replace("3\n", "4\n")))
    added = run_json(capsys, "add", path, *WHOLE_FILE, "--phase", "pre")[1]
    assert {
        "column": "What is your name?",
        "reason": "personal data: people's names are never stored",
    } in added["dropped"]


def test_seed_names_the_person_in_the_audit_log(seeded_by_nadia: dict, sample_dir) -> None:
    entries = seeded_by_nadia["audit"]["entries"]  # read right after `seed --uploader Nadia`
    assert [e["who"] for e in entries] == ["Nadia"] * len(sample_files(sample_dir))


@pytest.mark.postgres
def test_an_unreachable_database_is_named_by_host_and_port(
    cli_env: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5999/test")
    code, _, err = run(capsys, "list")
    assert code == 2
    assert "Cannot reach the PostgreSQL server at 127.0.0.1:5999" in err
    assert "Sorry" not in err


def test_a_nonsense_impact_min_n_is_a_plain_sentence_not_a_python_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, sample_dir: Path
) -> None:
    monkeypatch.setenv("IMPACT_MIN_N", "abc")
    code = main(["national", str(sample_dir / "surveys.csv"), "--ncp", "MN-KS2", "--json"])
    err = capsys.readouterr().err
    assert code == 0
    assert "IMPACT_MIN_N='abc' is not a whole number of at least 1; using 5." in err
    assert "UserWarning" not in err and ".py:" not in err


PUPILS = (
    "pupil_id,school_urn,hub,ncp,academic_year,phase,score\n"
    "P1,123456,Solent Maths Hub,Mastering Number at KS2,2024/25,pre,20\n"
    "P2,123456,Solent Maths Hub,Mastering Number at KS2,2024/25,pre,17\n"
)


def test_add_without_kind_stores_a_pupil_file_as_pupil_scores(cli_env: Path, capsys) -> None:
    path = write(cli_env, "mtc.csv", PUPILS)
    code, out, err = run(capsys, "add", str(path))
    assert code == 0, out + err
    assert "Read as pupil scores (the file has score and pupil columns)" in err
    code, listed = run_json(capsys, "list")
    [dataset] = listed["datasets"]
    assert (dataset["kind"], dataset["n_rows"]) == ("pupil", 2)
    survey = write(cli_env, "survey.csv", PUPILS.replace("pupil_id", "respondent_id"))
    assert run(capsys, "add", str(survey), "--kind", "survey")[0] == 1  # no questions
    code, out, err = run(capsys, "add", str(path), "--kind", "survey")
    assert code == 1 and "--kind pupil" in out and "Read as" not in err  # as told
