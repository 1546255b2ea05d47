"""Tests for uploads that look the same but are not (issue 16, item 7), and for relabelling.

The same bytes with other whole-file values are refused with the relabel command; the same rows
in another file format are recognised as stored; ``replace`` keeps the old whole-file values.
"""

from __future__ import annotations

import dataclasses
import io

import pandas as pd
import pytest
from conftest import BACKENDS, fresh_store_url, read_only_store

from evaluation import columns as c
from evaluation.access import Viewer
from evaluation.io.reader import FileDefaults
from evaluation.store import LabelConflict, Store, StoreError

NATIONAL = Viewer.national("Nadia")
EXPORT = b"Participant code,conf_1,conf_2\nAB1,3,4\nCD2,2,5\nEF3,4,4\n"
PRE = FileDefaults(hub="Solent", ncp="MN-KS2", phase="pre", academic_year="2024/25")
PUPILS = "pupil_id,school_urn,hub,ncp,academic_year,phase,score\n" + "".join(
    f"P{i},100001,Solent Maths Hub,Mastering Number at KS2,2024/25,{phase},{10 + i % 7}\n"
    for i in range(30)
    for phase in ("pre", "post")
)


@pytest.fixture(scope="module", params=BACKENDS)
def export_stored(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """(store, result): EXPORT stored as wg.csv with PRE in a new store, one per backend.

    For the tests that store this one file and then only read, or try uploads and changes the
    store must refuse or find already stored. Read only: a test that changes it fails when the
    module ends.
    """
    directory = tmp_path_factory.mktemp("export_stored")
    with (
        fresh_store_url(request.param, directory) as url,
        read_only_store(url, directory / "home") as (store, seal),
    ):
        result = store.add_file(EXPORT, kind="survey", file_name="wg.csv", defaults=PRE)
        assert result.status == "stored", result
        seal()
        yield store, result


def test_same_bytes_with_another_phase_is_refused_with_the_relabel_command(export_stored) -> None:
    store, first = export_stored  # EXPORT stored as wg.csv with PRE in a new store
    post = FileDefaults(hub="Solent", ncp="MN-KS2", phase="post", academic_year="2024/25")
    with pytest.raises(LabelConflict) as refused:
        store.add_file(EXPORT, kind="survey", file_name="wg.csv", defaults=post)
    message = str(refused.value)
    assert f"already stored as dataset {first.dataset_id}" in message
    assert f"store relabel {first.dataset_id} --phase 'post'" in message
    assert refused.value.dataset_id == first.dataset_id
    assert len(store.list_datasets(NATIONAL)) == 1


def test_same_bytes_with_the_same_values_is_still_a_plain_duplicate(export_stored) -> None:
    store, first = export_stored  # EXPORT stored as wg.csv with PRE in a new store
    again = store.add_file(EXPORT, kind="survey", file_name="copy.csv", defaults=PRE)
    assert (again.status, again.dataset_id) == ("duplicate", first.dataset_id)


def test_relabel_corrects_the_phase_keeps_the_rows_and_is_audited(store: Store) -> None:
    first = store.add_file(EXPORT, kind="survey", file_name="wg.csv", defaults=PRE)
    before, _ = store.load_surveys(NATIONAL)
    new_id = store.relabel(first.dataset_id, {"phase": "Post"}, by="Nadia", reason="was post")
    after, _ = store.load_surveys(NATIONAL)
    assert set(after[c.DATASET_ID]) == {new_id}
    assert after[c.PHASE].unique().tolist() == ["post"]
    keep = [c.RESPONDENT_ID, c.HUB, c.NCP, c.ACADEMIC_YEAR, "conf_1", "conf_2"]
    pd.testing.assert_frame_equal(after[keep], before[keep])
    listed = store.list_datasets(NATIONAL).set_index("dataset_id")
    assert listed.loc[first.dataset_id, "status"] == "replaced"
    assert listed.loc[first.dataset_id, "replaced_by"] == new_id
    entry = store.audit_log(NATIONAL).iloc[-1]
    assert (entry["action"], entry["who"], entry["reason"]) == ("relabel", "Nadia", "was post")
    assert entry["detail"]["changes"] == {"phase": ["pre", "post"]}
    # Now the file given as post is the stored one: a plain duplicate.
    post = FileDefaults(hub="Solent", ncp="MN-KS2", phase="post", academic_year="2024/25")
    assert store.add_file(EXPORT, kind="survey", defaults=post).dataset_id == new_id


def test_relabel_refuses_a_column_with_several_values_and_unknown_values(store: Store) -> None:
    both = b"Participant code,Phase,conf_1\nAB1,pre,3\nAB1,post,4\n"
    first = store.add_file(both, kind="survey", defaults=dataclasses.replace(PRE, phase=None))
    assert first.status == "stored", first.report and first.report.errors
    with pytest.raises(StoreError, match="several values of phase.*store replace"):
        store.relabel(first.dataset_id, {"phase": "post"}, by="Nadia", reason="x")
    with pytest.raises(StoreError, match="'Atlantis' is not a Maths Hub"):
        store.relabel(first.dataset_id, {"hub": "Atlantis"}, by="Nadia", reason="x")
    with pytest.raises(StoreError, match="There is no dataset 99999999999999999999"):
        store.relabel(99999999999999999999, {"phase": "post"}, by="Nadia", reason="x")


def test_a_hub_viewer_cannot_relabel_rows_into_another_hub(export_stored) -> None:
    store, first = export_stored  # EXPORT (Solent rows) stored with PRE in a new store
    solent = Viewer(role="hub", hub="Solent Maths Hub", name="sol@example.org")
    with pytest.raises(StoreError, match="outside what you may upload"):
        store.relabel(first.dataset_id, {"hub": "Sussex"}, by=solent, reason="x")
    assert store.list_datasets(NATIONAL)["status"].tolist() == ["active"]


def _re_exports(text: str) -> dict[str, bytes]:
    frame = pd.read_csv(io.StringIO(text), dtype=str)
    workbook = io.BytesIO()
    pd.read_csv(io.StringIO(text)).to_excel(workbook, index=False)
    return {
        "crlf.csv": text.replace("\n", "\r\n").encode(),
        "utf16.csv": text.encode("utf-16"),
        "bom.csv": text.encode("utf-8-sig"),
        "book.xlsx": workbook.getvalue(),
        "reordered.csv": frame.iloc[::-1].to_csv(index=False).encode(),
    }


def test_the_same_rows_in_other_files_are_already_stored_and_never_counted_twice(
    store: Store,
) -> None:
    first = store.add_file(PUPILS.encode(), kind="pupil", file_name="pupils.csv")
    assert first.status == "stored"
    for name, data in _re_exports(PUPILS).items():
        again = store.add_file(data, kind="pupil", file_name=name)
        assert (name, again.status, again.dataset_id) == (name, "duplicate", first.dataset_id)
        assert f"already stored as dataset {first.dataset_id}" in again.message
    assert len(store.load_pupils(NATIONAL)) == 60
    assert len(store.list_datasets(NATIONAL)) == 1


def test_replace_with_only_a_new_phase_keeps_the_old_hub_project_and_year(store: Store) -> None:
    first = store.add_file(EXPORT, kind="survey", file_name="wg.csv", defaults=PRE)
    corrected = EXPORT + b"GH4,5,5\n"
    second = store.replace(
        first.dataset_id, corrected, by="Nadia", defaults=FileDefaults(phase="post")
    )
    assert second.status == "stored", second.report and second.report.errors
    frame, _ = store.load_surveys(NATIONAL)
    assert frame[[c.HUB, c.NCP, c.ACADEMIC_YEAR, c.PHASE]].drop_duplicates().values.tolist() == [
        ["Solent Maths Hub", "Mastering Number at KS2", "2024/25", "post"]
    ]


def test_replace_with_the_same_bytes_and_a_corrected_phase_is_allowed(store: Store) -> None:
    first = store.add_file(EXPORT, kind="survey", file_name="wg.csv", defaults=PRE)
    second = store.replace(
        first.dataset_id, EXPORT, by="Nadia", defaults=FileDefaults(phase="post")
    )
    assert second.status == "stored"
    frame, _ = store.load_surveys(NATIONAL)
    assert frame[c.PHASE].unique().tolist() == ["post"]
