"""Tests for storing whole files: validation first, nothing stored unless valid, sample seeding.

Both backends (the ``store`` fixture); files go through evaluation.validation.check.
"""

from __future__ import annotations

import hashlib
import io

import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import BACKENDS, fresh_store_url, read_only_store

from evaluation import columns as c
from evaluation.access import Viewer
from evaluation.io.reader import FileDefaults
from evaluation.store import SAMPLE_FILES, Store, StoreError, ingest

NATIONAL = Viewer.national("Nadia")
SAMPLE_NAMES = [name for name, _ in SAMPLE_FILES]
HEADER = "respondent_id,phase,academic_year,hub,ncp,work_group,conf_1,know_1,Full name,Email\n"
VALID = HEADER + (
    "XY1,pre,2024/25,Solent Maths Hub,Mastering Number at KS2,WG-1,2,3,Jo Bloggs,jo@x.org\n"
    "XY1,post,2024/25,Solent Maths Hub,Mastering Number at KS2,WG-1,4,4,Jo Bloggs,jo@x.org\n"
    "QZ2,pre,2024/25,Sussex Maths Hub,Mastering Number at KS2,WG-2,3,3,Sam Smith,sam@y.org\n"
)


def count_rows(store: Store) -> dict[str, int]:
    reflected = sa.MetaData()
    reflected.reflect(store.engine)
    with store.engine.connect() as connection:
        return {
            name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            for name, table in reflected.tables.items()
        }


@pytest.fixture(scope="module", params=BACKENDS)
def valid_stored(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """(store, result): VALID stored as wg.csv by Lena in a new store, one per backend, read only.

    For the tests that store this one file and then only read, or try changes the store must
    refuse. A test that changes it fails when the module ends.
    """
    directory = tmp_path_factory.mktemp("valid_stored")
    with (
        fresh_store_url(request.param, directory) as url,
        read_only_store(url, directory / "home") as (store, seal),
    ):
        result = store.add_file(VALID.encode(), kind="survey", file_name="wg.csv", uploader="Lena")
        seal()
        yield store, result


def test_valid_file_is_stored_with_its_hash_and_report(valid_stored) -> None:
    store, result = valid_stored  # VALID stored as wg.csv by Lena in a new store
    assert (result.status, result.n_rows) == ("stored", 3)
    assert result.report is not None and result.report.valid
    [dataset] = store.list_datasets(NATIONAL).to_dict("records")
    assert dataset["sha256"] == hashlib.sha256(VALID.encode()).hexdigest()
    assert (dataset["file_name"], dataset["uploader"]) == ("wg.csv", "Lena")
    frame, _ = store.load_surveys(NATIONAL)
    assert frame["conf_1"].tolist() == [2.0, 4.0, 3.0]
    assert "Full name" not in frame and "Email" not in frame


def test_invalid_file_stores_nothing_at_all(store: Store) -> None:
    before = count_rows(store)
    version = store.version()
    bad = VALID.replace("Sussex Maths Hub", "Atlantis Maths Hub")
    result = store.add_file(bad.encode(), kind="survey", file_name="bad.csv")
    assert result.status == "invalid" and result.dataset_id is None
    assert [p.row for p in result.report.errors] == [4]
    assert count_rows(store) == before
    assert store.version() == version
    assert store.is_empty()


def test_unreadable_file_is_reported_not_raised(store: Store) -> None:
    result = store.add_file(b"\x00\x01\x02\x03" * 100, kind="pupil", file_name="x.csv")
    assert (result.status, result.unreadable) == ("invalid", True)
    assert store.is_empty()


def test_file_can_be_a_path_or_a_file_like_upload(store: Store, tmp_path) -> None:
    path = tmp_path / "wg.csv"
    path.write_text(VALID)
    from_path = store.add_file(path, kind="survey")
    assert from_path.status == "stored"
    assert store.list_datasets(NATIONAL)["file_name"].tolist() == ["wg.csv"]
    upload = io.BytesIO(VALID.encode())
    upload.name = "upload.csv"
    assert store.add_file(upload, kind="survey").status == "duplicate"


def test_defaults_fill_what_the_file_lacks_and_are_reused_on_replace(store: Store) -> None:
    export = b"Participant code,conf_1\nAB1,3\nCD2,4\n"
    defaults = FileDefaults(
        hub="Solent", ncp="MN-KS2", phase="pre", academic_year="2024/25", work_group="WG-7"
    )
    first = store.add_file(export, kind="survey", file_name="pre.csv", defaults=defaults)
    assert first.status == "stored"
    corrected = b"Participant code,conf_1\nAB1,3\nCD2,5\n"
    second = store.replace(first.dataset_id, corrected, file_name="pre2.csv", by="Nadia")
    assert second.status == "stored"
    frame, _ = store.load_surveys(NATIONAL)
    assert set(frame[c.DATASET_ID]) == {second.dataset_id}
    assert frame[[c.HUB, c.PHASE, c.WORK_GROUP]].drop_duplicates().values.tolist() == [
        ["Solent Maths Hub", "pre", "WG-7"]
    ]
    assert frame["conf_1"].tolist() == [3.0, 5.0]


def test_invalid_replacement_changes_nothing(valid_stored) -> None:
    store, first = valid_stored  # VALID stored as wg.csv (by Lena) in a new store
    before = count_rows(store)
    result = store.replace(
        first.dataset_id, VALID.replace("2024/25", "sometime").encode(), by="Nadia"
    )
    assert result.status == "invalid"
    assert count_rows(store) == before
    assert store.list_datasets(NATIONAL)["status"].tolist() == ["active"]


def test_hub_user_cannot_upload_rows_of_another_hub(store: Store) -> None:
    solent = Viewer(role="hub", hub="Solent Maths Hub", name="Sol")
    result = store.add_file(VALID.encode(), kind="survey", viewer=solent)
    assert result.status == "invalid"
    assert [(p.code, p.row) for p in result.report.errors] == [("outside_your_scope", 4)]
    assert store.is_empty()
    only_solent = "\n".join(VALID.splitlines()[:3]) + "\n"
    stored = store.add_file(only_solent.encode(), kind="survey", viewer=solent)
    assert stored.status == "stored"
    assert store.list_datasets(NATIONAL)["uploader"].tolist() == ["Sol"]


def test_hub_user_cannot_replace_another_hubs_dataset(valid_stored) -> None:
    store, first = valid_stored  # VALID (rows of two hubs) stored in a new store
    with pytest.raises(StoreError, match="no dataset"):
        store.replace(
            first.dataset_id, VALID.encode(), by=Viewer(role="hub", hub="Solent Maths Hub")
        )


@pytest.fixture(scope="module")
def seeded(module_store_url: str, tmp_path_factory: pytest.TempPathFactory):
    """(store, empty before seeding, what seeding returned): a new store seeded once per backend.

    Seeding takes seconds; the tests below read what it stored (the first also seeds again,
    which stores nothing), so they share one seeded store per backend.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMPACT_HOME", str(tmp_path_factory.mktemp("seeded_files_home")))
        patch.delenv("IMPACT_SECRET", raising=False)
        patch.delenv("DATABASE_URL", raising=False)
        with Store.open(module_store_url) as opened:
            empty = opened.is_empty()
            yield opened, empty, opened.seed_sample()


def test_first_run_is_empty_then_seeded_with_the_synthetic_sample(seeded, sample_dir) -> None:
    store, empty_before, results = seeded
    files = {name: pd.read_csv(sample_dir / name) for name in SAMPLE_NAMES}
    assert empty_before
    assert [r.status for r in results] == ["stored"] * len(files)
    assert not store.is_empty()
    listed = store.list_datasets(NATIONAL)
    assert listed["synthetic"].tolist() == [True] * len(files)
    assert listed["kind"].tolist() == [kind for _, kind in SAMPLE_FILES]
    assert listed["file_name"].tolist() == list(files)
    assert listed["n_rows"].tolist() == [len(frame) for frame in files.values()]
    surveys, instrument = store.load_surveys(NATIONAL)
    pupils = store.load_pupils(NATIONAL)
    for loaded, kind in ((surveys, "survey"), (pupils, "pupil")):
        of_kind = [files[name] for name, k in SAMPLE_FILES if k == kind]
        assert len(loaded) == sum(len(frame) for frame in of_kind)
        # Each file's rows keep the arm its ``group`` column gives (no column: the project's).
        arms = pd.concat(
            [frame.get(c.GROUP, pd.Series(None, index=frame.index)) for frame in of_kind]
        )
        assert (loaded[c.GROUP].fillna("-").value_counts()).to_dict() == (
            arms.fillna("-").value_counts().to_dict()
        )
    assert set(instrument.item_ids) <= set(surveys.columns)
    version = store.version()
    assert [r.status for r in store.seed_sample()] == ["duplicate"] * len(files)
    assert store.version() == version  # nothing new: undone, so caches keyed on it stay valid


def test_a_sample_file_failing_its_checks_leaves_nothing_of_the_sample_stored(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The surveys are stored first, then the same file read as pupils fails: all is undone.
    sample = (("surveys.csv", "survey"), ("surveys.csv", "pupil"))
    monkeypatch.setattr(ingest, "SAMPLE_FILES", sample)
    before = count_rows(store), store.version()
    with pytest.raises(StoreError, match="did not pass its checks"):
        store.seed_sample()
    assert store.is_empty()
    assert (count_rows(store), store.version()) == before


def test_the_seeded_sample_holds_a_comparison_group_of_pupils_and_of_teachers(seeded) -> None:
    store, _, results = seeded
    assert [r.status for r in results] == ["stored"] * len(SAMPLE_NAMES)
    for loaded in (store.load_surveys(NATIONAL)[0], store.load_pupils(NATIONAL)):
        assert set(loaded[c.GROUP].dropna()) == {c.COMPARISON}
        assert loaded[c.GROUP].isna().any()
