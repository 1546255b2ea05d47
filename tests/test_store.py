"""Tests for evaluation.store: provenance, duplicates, atomicity, audit, privacy and scoping.

Every test runs against SQLite and the real PostgreSQL server (the ``store`` fixture).
"""

from __future__ import annotations

import hashlib
import hmac
import io
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import BACKENDS, fresh_store_url, read_only_store

from evaluation import columns as c
from evaluation.access import Viewer
from evaluation.instruments import Instrument, Item, default_instrument
from evaluation.store import Store, StoreError, payload
from evaluation.store import engine as engines
from evaluation.store.tables import metadata

SOLENT = "Solent Maths Hub"
SUSSEX = "Sussex Maths Hub"
KENT = "Kent and Medway Maths Hub"
MN = "Mastering Number at KS2"
SKTM = "Specialist Knowledge for Teaching Mathematics (Primary)"
NATIONAL = Viewer.national("Nadia National")
RAW_CODES = ("XY12 ", "xy12", "QR34", "ST56", "UV78")  # not hex, so no hash can contain them
RAW_EMAILS = ("jo.bloggs@school.org", "sam.smith@academy.sch.uk")
RAW_NAMES = ("Josephine Bloggs", "Samuel Smith")


def survey_rows(
    *,
    hubs: tuple[str, ...] = (SOLENT, SUSSEX),
    year: str = "2024/25",
    ncp: str = MN,
    codes: tuple[str, ...] = ("AB12 ", "CD34"),
    work_groups: tuple[str, ...] = ("WG-1", "WG-2"),
    shift: float = 0.0,
) -> pd.DataFrame:
    """A canonical survey frame: each code answers pre and post, one hub/Work Group per code."""
    records = []
    row = 2
    for i, code in enumerate(codes):
        for phase, base in (("pre", 2.0), ("post", 4.0)):
            records.append(
                {
                    c.RESPONDENT_ID: code,
                    c.PHASE: phase,
                    c.ACADEMIC_YEAR: year,
                    c.HUB: hubs[i % len(hubs)],
                    c.NCP: ncp,
                    c.WORK_GROUP: work_groups[i % len(work_groups)],
                    c.SCHOOL_URN: 100000 + i,
                    c.SUBMITTED_AT: pd.Timestamp("2024-10-01 09:00") + pd.Timedelta(days=row),
                    c.SOURCE_ROW: row,
                    "conf_1": base + shift,
                    "know_1": np.nan if i == 0 and phase == "post" else base + 1,
                    "text_what_changed": f"row {row}",
                }
            )
            row += 1
    frame = pd.DataFrame(records)
    frame[c.SCHOOL_URN] = frame[c.SCHOOL_URN].astype("Int64")
    return frame


def pupil_rows(hub: str = SOLENT) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            c.PUPIL_ID: ["P-001", "P-002", "P-001"],
            c.SCHOOL_URN: pd.array([123456, 123456, 123456], dtype="Int64"),
            c.HUB: [hub] * 3,
            c.NCP: [MN] * 3,
            c.ACADEMIC_YEAR: ["2024/25"] * 3,
            c.YEAR_GROUP: pd.array([4, 4, 4], dtype="Int64"),
            c.PHASE: ["pre", "pre", "post"],
            c.MEASURE: ["MTC"] * 3,
            c.SCORE: [12.0, 20.0, 18.0],
            c.DISADVANTAGED: pd.array([True, None, True], dtype="boolean"),
            c.SEX: ["F", "M", "F"],
            c.SOURCE_ROW: [2, 3, 4],
        }
    )
    return frame


def expected_hash(code: str, secret: bytes) -> str:
    """HMAC-SHA256 of the normalised code, written out independently of evaluation.privacy."""
    normalised = " ".join(code.split()).lower()
    return hmac.new(secret, normalised.encode(), hashlib.sha256).hexdigest()[:32]


def snapshot(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: what 'the store exactly as it was' means."""
    reflected = sa.MetaData()
    reflected.reflect(store.engine)
    with store.engine.connect() as connection:
        return {
            name: sorted(tuple(map(repr, row)) for row in connection.execute(table.select()))
            for name, table in reflected.tables.items()
        }


def add(store: Store, frame: pd.DataFrame, **kw) -> int:
    kw.setdefault("kind", "survey")
    kw.setdefault("file_name", "upload.csv")
    result = store.add_frame(frame, **kw)
    assert result.status == "stored", result
    return result.dataset_id


@pytest.fixture(scope="module", params=BACKENDS)
def one_survey(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """(store, dataset_id): a new store given ``add(store, survey_rows())``, one per backend.

    For the tests that add exactly that one dataset and then only read it, or try changes the store
    must refuse. Read only: a test that changes it fails when the module ends.
    """
    directory = tmp_path_factory.mktemp("one_survey")
    with (
        fresh_store_url(request.param, directory) as url,
        read_only_store(url, directory / "home") as (store, seal),
    ):
        dataset_id = add(store, survey_rows())
        seal()
        yield store, dataset_id


# ------------------------------------------------------------------------------- migrations


def test_new_store_is_empty_and_at_the_newest_migration(store: Store) -> None:
    assert store.is_empty()
    assert engines.current_revision(store.engine) == engines.head_revision()
    assert store.list_datasets(NATIONAL).empty
    assert store.audit_log(NATIONAL).empty


def test_existing_database_at_first_revision_is_upgraded_in_place_on_open(
    store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setenv("IMPACT_HOME", str(tmp_path / "home"))
    engine = engines.make_engine(store_url)
    engines.upgrade(engine, "0001")
    assert engines.current_revision(engine) == "0001"
    with engine.begin() as connection:  # data written by the first release
        connection.execute(
            sa.text(
                "INSERT INTO audit_log (at, who, action, reason) "
                "VALUES (:at, 'old release', 'note', 'kept')"
            ),
            {"at": datetime(2025, 1, 1, tzinfo=UTC)},
        )
    engine.dispose()

    with Store.open(store_url) as store:
        assert engines.current_revision(store.engine) == engines.head_revision()
        assert store.audit_log(NATIONAL)["who"].tolist() == ["old release"]
        # 0002's guarantee now holds for the old row too.
        with pytest.raises(sa.exc.DatabaseError), store.engine.begin() as connection:
            connection.execute(sa.text("UPDATE audit_log SET who = 'someone else'"))


def test_database_from_a_newer_toolkit_is_refused_with_a_clear_message(
    store: Store, store_url: str
) -> None:
    with store.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match="newer version"):
        Store.open(store_url)


def test_table_definitions_match_what_the_migrations_create(store: Store) -> None:
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_opening_twice_leaves_one_schema_and_keeps_data(store: Store, store_url: str) -> None:
    dataset_id = add(store, survey_rows())
    with Store.open(store_url) as again:
        assert again.list_datasets(NATIONAL)["dataset_id"].tolist() == [dataset_id]


# ------------------------------------------------------------------------------- provenance


def test_stored_dataset_records_its_provenance(store: Store) -> None:
    file_bytes = b"the original file's bytes"
    before = datetime.now(UTC)
    result = store.add_frame(
        survey_rows(),
        kind="survey",
        file_bytes=file_bytes,
        file_name="wg1 pre.csv",
        uploader="Lena Lead",
    )
    assert (result.status, result.n_rows) == ("stored", 4)
    listed = store.list_datasets(NATIONAL)
    assert len(listed) == 1
    row = listed.iloc[0]
    assert row["dataset_id"] == result.dataset_id
    assert row["kind"] == "survey"
    assert row["status"] == "active"
    assert not row["synthetic"]
    assert row["n_rows"] == 4
    assert row["hubs"] == [SOLENT, SUSSEX]
    assert row["ncps"] == [MN]
    assert row["academic_years"] == ["2024/25"]
    assert row["phases"] == ["post", "pre"]
    assert row["work_groups"] == ["WG-1", "WG-2"]
    assert row["file_name"] == "wg1 pre.csv"
    assert row["sha256"] == hashlib.sha256(file_bytes).hexdigest()
    assert row["uploader"] == "Lena Lead"
    assert before <= row["uploaded_at"].to_pydatetime() <= datetime.now(UTC)
    assert pd.isna(row["replaces"]) and pd.isna(row["replaced_by"])
    audit = store.audit_log(NATIONAL)
    assert audit[["who", "action", "dataset_id"]].values.tolist() == [
        ["Lena Lead", "add", result.dataset_id]
    ]
    assert audit["detail"].iloc[0]["file_name"] == "wg1 pre.csv"


def test_same_bytes_uploaded_twice_are_stored_once(store: Store) -> None:
    first = store.add_frame(survey_rows(), kind="survey", file_bytes=b"abc", file_name="a.csv")
    version = store.version()
    second = store.add_frame(survey_rows(), kind="survey", file_bytes=b"abc", file_name="b.csv")
    assert first.status == "stored"
    assert second.status == "duplicate"
    assert second.dataset_id == first.dataset_id
    assert "already stored" in second.message
    assert len(store.list_datasets(NATIONAL)) == 1
    assert len(store.load_surveys(NATIONAL)[0]) == 4
    assert store.version() == version
    with store.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM payloads")).scalar() == 1


def test_different_bytes_are_separate_datasets(store: Store) -> None:
    first = add(store, survey_rows(), file_bytes=b"one")
    second = add(store, survey_rows(year="2025/26"), file_bytes=b"two")
    assert store.list_datasets(NATIONAL)["dataset_id"].tolist() == [first, second]


def test_withdrawn_file_can_be_uploaded_again(store: Store) -> None:
    first = add(store, survey_rows(), file_bytes=b"same")
    store.withdraw(first, reason="uploaded by mistake", by="Nadia")
    again = store.add_frame(survey_rows(), kind="survey", file_bytes=b"same", file_name="x.csv")
    assert again.status == "stored" and again.dataset_id != first


def test_version_changes_on_every_write_and_not_on_reads(store: Store) -> None:
    seen = [store.version()]
    first = add(store, survey_rows(), file_bytes=b"1")
    seen.append(store.version())
    store.load_surveys(NATIONAL)
    store.list_datasets(NATIONAL)
    assert store.version() == seen[-1]
    second = add(store, survey_rows(shift=0.5), file_bytes=b"2", replaces=first, reason="fix")
    seen.append(store.version())
    store.withdraw(second, reason="wrong project", by="Nadia")
    seen.append(store.version())
    store.set_role("lena", "lead", hub=SOLENT, work_groups=["WG-1"], by="Nadia")
    seen.append(store.version())
    assert len(set(seen)) == len(seen)


# ------------------------------------------------------------------------------- load


def test_loaded_rows_equal_the_stored_rows_with_pseudonymised_codes(one_survey) -> None:
    store, dataset_id = one_survey  # survey_rows() added to a new store
    frame = survey_rows()
    loaded, instrument = store.load_surveys(NATIONAL)
    assert loaded.columns[0] == c.DATASET_ID
    assert (loaded[c.DATASET_ID] == dataset_id).all()
    secret = store._secret
    expected = frame.assign(respondent_id=[expected_hash(x, secret) for x in frame.respondent_id])
    pd.testing.assert_frame_equal(
        loaded.drop(columns=c.DATASET_ID), expected, check_dtype=True, check_like=False
    )
    assert instrument == default_instrument()


def test_same_code_in_different_case_and_spacing_matches_across_files(store: Store) -> None:
    add(store, survey_rows(codes=("AB12 ",)), file_bytes=b"1")
    add(store, survey_rows(codes=(" ab  12",), year="2025/26"), file_bytes=b"2")
    add(store, survey_rows(codes=("ab 12",), year="2026/27"), file_bytes=b"3")
    loaded, _ = store.load_surveys(NATIONAL)
    assert loaded[c.RESPONDENT_ID].nunique() == 2  # "ab12" and "ab 12"
    assert set(loaded[c.RESPONDENT_ID]) == {
        expected_hash("ab12", store._secret),
        expected_hash("ab 12", store._secret),
    }


def test_load_filters_by_year_hub_and_project(store: Store) -> None:
    add(store, survey_rows(year="2024/25"), file_bytes=b"1")
    add(store, survey_rows(year="2025/26", ncp=SKTM), file_bytes=b"2")
    assert len(store.load_surveys(NATIONAL, academic_year="2025/26")[0]) == 4
    assert len(store.load_surveys(NATIONAL, hub=SOLENT)[0]) == 4
    one = store.load_surveys(NATIONAL, hub=[SOLENT], ncp=SKTM, academic_year=["2025/26"])[0]
    assert set(one[c.HUB]) == {SOLENT} and set(one[c.NCP]) == {SKTM} and len(one) == 2
    assert store.load_surveys(NATIONAL, academic_year="1999/00")[0].empty


def test_empty_load_has_the_canonical_columns(store: Store) -> None:
    frame, instrument = store.load_surveys(NATIONAL)
    assert frame.empty
    assert [c.DATASET_ID, *c.SURVEY_KEY_COLUMNS] == list(frame.columns[:11])
    assert set(instrument.item_ids) <= set(frame.columns)
    pupils = store.load_pupils(NATIONAL)
    assert pupils.empty and c.SCORE in pupils and c.PUPIL_ID in pupils


def test_instruments_of_different_datasets_are_united(store: Store) -> None:
    custom = Instrument(
        name="wg survey",
        items=(Item("belief_1", "Every pupil can learn maths", "beliefs"),),
    )
    first = survey_rows().rename(columns={"know_1": "belief_1"})
    add(store, first, instrument=custom, file_bytes=b"custom")
    add(store, survey_rows(year="2025/26"), file_bytes=b"default")
    loaded, instrument = store.load_surveys(NATIONAL)
    assert instrument.item_ids == ("belief_1", *default_instrument().item_ids)
    assert loaded["belief_1"].notna().sum() == 3 and loaded["know_1"].notna().sum() == 3
    assert loaded[c.DATASET_ID].is_monotonic_increasing


def test_pupil_rows_round_trip_with_a_default_work_group(store: Store) -> None:
    frame = pupil_rows()
    dataset_id = add(
        store, frame, kind="pupil", defaults={"work_group": "WG-1"}, file_bytes=b"pupils"
    )
    loaded = store.load_pupils(NATIONAL)
    expected = frame.assign(
        pupil_id=[expected_hash(x, store._secret) for x in frame.pupil_id],
        work_group="WG-1",
    )
    pd.testing.assert_frame_equal(loaded.drop(columns=c.DATASET_ID), expected)
    assert (loaded[c.DATASET_ID] == dataset_id).all()
    lead = Viewer(role="lead", hub=SOLENT, work_groups=("WG-1",))
    assert len(store.load_pupils(lead)) == 3
    assert store.load_surveys(NATIONAL)[0].empty


def test_synthetic_sample_is_shown_only_until_real_data_arrive(store: Store) -> None:
    sample = add(store, survey_rows(year="2020/21"), synthetic=True, file_bytes=b"sample")
    assert set(store.load_surveys(NATIONAL)[0][c.DATASET_ID]) == {sample}
    assert bool(store.list_datasets(NATIONAL)["synthetic"].iloc[0])
    real = add(store, survey_rows(), file_bytes=b"real")
    assert set(store.load_surveys(NATIONAL)[0][c.DATASET_ID]) == {real}
    both = store.load_surveys(NATIONAL, synthetic=True)[0]
    assert set(both[c.DATASET_ID]) == {sample, real}
    assert set(store.load_surveys(NATIONAL, synthetic=False)[0][c.DATASET_ID]) == {real}


def test_payload_is_one_columnar_blob_per_dataset(one_survey) -> None:
    store, dataset_id = one_survey  # survey_rows() added to a new store
    with store.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT dataset_id, format, data FROM payloads")).all()
    assert [(r.dataset_id, r.format) for r in rows] == [(dataset_id, payload.FORMAT)]
    parquet = pq.ParquetFile(io.BytesIO(rows[0].data))
    assert parquet.metadata.num_rows == 4
    assert parquet.metadata.row_group(0).column(0).compression == "ZSTD"


# ------------------------------------------------------------------------------- replace, withdraw


def test_withdraw_hides_the_rows_and_is_audited(store: Store) -> None:
    keep = add(store, survey_rows(year="2023/24"), file_bytes=b"keep")
    gone = add(store, survey_rows(), file_bytes=b"gone")
    store.withdraw(gone, reason="Wrong Work Group", by=Viewer.national("Nadia"))
    assert set(store.load_surveys(NATIONAL)[0][c.DATASET_ID]) == {keep}
    listed = store.list_datasets(NATIONAL).set_index("dataset_id")
    assert listed.loc[gone, "status"] == "withdrawn"
    assert listed.loc[gone, "status_reason"] == "Wrong Work Group"
    assert listed.loc[gone, "status_changed_by"] == "Nadia"
    entry = store.audit_log(NATIONAL).iloc[-1]
    assert (entry["action"], entry["who"], entry["dataset_id"], entry["reason"]) == (
        "withdraw",
        "Nadia",
        gone,
        "Wrong Work Group",
    )
    with pytest.raises(StoreError, match="already withdrawn"):
        store.withdraw(gone, reason="again", by="Nadia")


def test_withdraw_needs_a_reason_and_an_existing_dataset(one_survey) -> None:
    store, dataset_id = one_survey  # survey_rows() added to a new store
    before = snapshot(store)
    with pytest.raises(StoreError, match="reason"):
        store.withdraw(dataset_id, reason="  ", by="Nadia")
    with pytest.raises(StoreError, match="no dataset 999"):
        store.withdraw(999, reason="typo", by="Nadia")
    assert snapshot(store) == before


def test_replace_marks_the_old_dataset_replaced_and_audits_it(store: Store) -> None:
    old = add(store, survey_rows(), file_bytes=b"old", file_name="wrong.csv")
    new = add(
        store,
        survey_rows(shift=1.0),
        file_bytes=b"new",
        file_name="right.csv",
        uploader="Lena",
        replaces=old,
        reason="scores were shifted",
    )
    listed = store.list_datasets(NATIONAL).set_index("dataset_id")
    assert listed.loc[old, "status"] == "replaced"
    assert listed.loc[old, "replaced_by"] == new
    assert listed.loc[new, "replaces"] == old
    assert listed.loc[new, "status"] == "active"
    loaded = store.load_surveys(NATIONAL)[0]
    assert set(loaded[c.DATASET_ID]) == {new}
    assert loaded["conf_1"].tolist() == [3.0, 5.0, 3.0, 5.0]
    audit = store.audit_log(NATIONAL)
    assert audit["action"].tolist() == ["add", "replace"]
    replace = audit.iloc[-1]
    assert (replace["who"], replace["dataset_id"], replace["new_dataset_id"]) == ("Lena", old, new)
    assert replace["reason"] == "scores were shifted"
    assert replace["detail"]["replaced_file_name"] == "wrong.csv"
    with pytest.raises(StoreError, match="already replaced"):
        store.add_frame(
            survey_rows(), kind="survey", file_bytes=b"third", replaces=old, reason="again"
        )


def test_replace_with_the_same_bytes_changes_nothing(store: Store) -> None:
    old = add(store, survey_rows(), file_bytes=b"same")
    before = snapshot(store)
    result = store.add_frame(
        survey_rows(), kind="survey", file_bytes=b"same", replaces=old, reason="oops"
    )
    assert (result.status, result.dataset_id) == ("duplicate", old)
    assert snapshot(store) == before


def test_audit_log_cannot_be_updated_or_deleted(one_survey) -> None:
    store, _ = one_survey  # survey_rows() added to a new store
    for statement in ("UPDATE audit_log SET who = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):  # noqa: SIM117
            with store.engine.begin() as connection:
                connection.execute(sa.text(statement))
    assert store.audit_log(NATIONAL)["who"].tolist() == ["local user"]


# ------------------------------------------------------------------------------- atomicity


def _raise(*_args, **_kwargs):
    raise RuntimeError("injected failure")


def test_failure_while_encoding_the_payload_leaves_no_trace(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(store, survey_rows(), file_bytes=b"existing")
    before = snapshot(store)
    version = store.version()
    monkeypatch.setattr(payload, "encode", _raise)
    with pytest.raises(RuntimeError, match="injected"):
        store.add_frame(survey_rows(year="2025/26"), kind="survey", file_bytes=b"new")
    assert snapshot(store) == before
    assert store.version() == version


@pytest.mark.parametrize(
    "failing_statement",
    ["INSERT INTO dataset_groups", "INSERT INTO payloads", "INSERT INTO audit_log"],
)
@pytest.mark.parametrize("replacing", [False, True], ids=["add", "replace"])
def test_failure_at_any_statement_of_a_store_leaves_no_trace(
    store: Store, failing_statement: str, replacing: bool
) -> None:
    existing = add(store, survey_rows(), file_bytes=b"existing")
    before = snapshot(store)
    version = store.version()

    def fail_on(_conn, _cursor, statement, *_rest) -> None:
        if statement.lstrip().upper().startswith(failing_statement.upper()):
            raise RuntimeError(f"injected failure at {failing_statement}")

    sa.event.listen(store.engine, "before_cursor_execute", fail_on)
    try:
        with pytest.raises(RuntimeError, match="injected"):
            store.add_frame(
                survey_rows(year="2025/26"),
                kind="survey",
                file_bytes=b"new",
                replaces=existing if replacing else None,
                reason="fix" if replacing else None,
            )
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", fail_on)
    assert snapshot(store) == before
    assert store.version() == version
    assert store.add_frame(
        survey_rows(year="2025/26"), kind="survey", file_bytes=b"new"
    ).status == ("stored")


def test_failed_withdraw_leaves_no_trace(one_survey) -> None:
    store, dataset_id = one_survey  # survey_rows() added to a new store
    before = snapshot(store)

    def fail_on(_conn, _cursor, statement, *_rest) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_LOG"):
            raise RuntimeError("injected failure")

    sa.event.listen(store.engine, "before_cursor_execute", fail_on)
    try:
        with pytest.raises(RuntimeError):
            store.withdraw(dataset_id, reason="test", by="Nadia")
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", fail_on)
    assert snapshot(store) == before


def test_frame_without_required_columns_stores_nothing(store: Store) -> None:
    before = snapshot(store)
    with pytest.raises(StoreError, match="hub"):
        store.add_frame(survey_rows().drop(columns=c.HUB), kind="survey")
    with pytest.raises(StoreError, match="no rows"):
        store.add_frame(survey_rows().iloc[0:0], kind="survey")
    assert snapshot(store) == before


# ------------------------------------------------------------------------------- privacy


def test_no_name_email_or_raw_code_is_anywhere_in_the_database(store: Store, store_url) -> None:
    with_codes = survey_rows(codes=RAW_CODES[:3], work_groups=("WG-1",))
    with_codes["name"] = RAW_NAMES[0]  # a column the reader should have dropped
    with_codes["email"] = RAW_EMAILS[0]
    with_codes["text_what_changed"] = f"Ask {RAW_EMAILS[1]} about it"
    by_email = survey_rows(codes=RAW_EMAILS, year="2025/26")
    add(store, with_codes, file_bytes=b"codes")
    add(store, by_email, file_bytes=b"emails")
    add(store, pupil_rows(), kind="pupil", file_bytes=b"pupils")
    secrets_in_input = [
        *(code.strip() for code in RAW_CODES),
        *RAW_EMAILS,
        *RAW_NAMES,
        "P-001",
        "P-002",
    ]
    needles = {s.casefold() for s in secrets_in_input}

    cells: list[str] = []
    reflected = sa.MetaData()
    reflected.reflect(store.engine)
    with store.engine.connect() as connection:
        for table in reflected.tables.values():
            for row in connection.execute(table.select()):
                for value in row:
                    if isinstance(value, bytes):
                        frame = (  # payloads are Parquet, kept results Arrow IPC
                            pq.read_table(io.BytesIO(value))
                            if value[:4] == b"PAR1"
                            else pa.ipc.open_stream(value).read_all()
                        ).to_pandas()
                        cells.extend(map(str, frame.columns))
                        cells.extend(map(str, frame.to_numpy().ravel()))
                    else:
                        cells.append(str(value))
    assert len(cells) > 100
    found = [(needle, cell) for cell in cells for needle in needles if needle in cell.casefold()]
    assert found == []
    if store_url.startswith("sqlite"):
        store.close()
        path = store_url.removeprefix("sqlite:///")
        raw = b"".join(
            Path(p).read_bytes() for p in (path, path + "-wal") if Path(p).exists()
        ).lower()
        assert [n for n in needles if n.encode() in raw] == []


def test_a_database_filled_with_another_secret_refuses_new_data(store_url, monkeypatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with Store.open(store_url, secret=b"first key") as first:
        add(first, survey_rows(), file_bytes=b"1")
    with Store.open(store_url, secret=b"another key") as second:
        before = snapshot(second)
        with pytest.raises(StoreError, match="different secret key"):
            second.add_frame(survey_rows(year="2025/26"), kind="survey", file_bytes=b"2")
        assert snapshot(second) == before


# ------------------------------------------------------------------------------- scoping


def three_hub_store(store: Store) -> tuple[int, int]:
    spanning = add(
        store,
        survey_rows(hubs=(SOLENT, SUSSEX, KENT), codes=("A1", "B2", "C3", "D4")),
        file_bytes=b"spanning",
    )
    kent_only = add(
        store, survey_rows(hubs=(KENT,), year="2025/26"), file_bytes=b"kent", uploader="Kim"
    )
    return spanning, kent_only


@pytest.fixture(scope="module")
def three_hubs(module_store_url: str, tmp_path_factory: pytest.TempPathFactory):
    """(store, spanning, kent_only): :func:`three_hub_store` built once per backend, read only."""
    home = tmp_path_factory.mktemp("three_hubs_home")
    with read_only_store(module_store_url, home) as (store, seal):
        spanning, kent_only = three_hub_store(store)
        seal()
        yield store, spanning, kent_only


def test_hub_viewer_reads_only_its_own_hubs_rows_from_a_multi_hub_dataset(three_hubs) -> None:
    store, spanning, _ = three_hubs
    solent = Viewer(role="hub", hub=SOLENT, name="Sol")
    frame, _ = store.load_surveys(solent)
    assert set(frame[c.HUB]) == {SOLENT}
    assert len(frame) == 4  # codes A1 and D4, pre and post
    assert set(frame[c.DATASET_ID]) == {spanning}
    assert store.load_surveys(solent, hub=SUSSEX)[0].empty
    assert store.load_surveys(solent, hub=[SUSSEX, SOLENT])[0][c.HUB].unique().tolist() == [SOLENT]
    national = store.load_surveys(NATIONAL)[0]
    assert set(national[c.HUB]) == {SOLENT, SUSSEX, KENT}


def test_lead_viewer_reads_only_its_work_groups_in_its_hub(three_hubs) -> None:
    store, _, _ = three_hubs
    lead = Viewer(role="lead", hub=KENT, work_groups=("WG-2",), name="Lee")
    frame, _ = store.load_surveys(lead)
    assert set(zip(frame[c.HUB], frame[c.WORK_GROUP], strict=True)) == {(KENT, "WG-2")}
    assert len(frame) == 2  # only the 2025/26 Kent dataset's second code
    nobody = Viewer(role="lead", hub=KENT, work_groups=(), name="New")
    assert store.load_surveys(nobody)[0].empty
    assert store.list_datasets(nobody).empty


def test_dataset_list_and_audit_log_are_scoped(three_hubs) -> None:
    store, spanning, kent_only = three_hubs
    solent = Viewer(role="hub", hub=SOLENT)
    listed = store.list_datasets(solent)
    assert listed["dataset_id"].tolist() == [spanning]
    assert listed["hubs"].iloc[0] == [SOLENT]
    assert listed["n_rows"].iloc[0] == 4
    assert store.audit_log(solent)["dataset_id"].tolist() == [spanning]
    kent = Viewer(role="hub", hub=KENT)
    assert store.list_datasets(kent)["dataset_id"].tolist() == [spanning, kent_only]
    other = Viewer(role="hub", hub="Great North Maths Hub")
    assert store.list_datasets(other).empty and store.audit_log(other).empty
    assert store.load_pupils(other).empty


def test_hub_viewer_cannot_change_another_hubs_or_a_shared_dataset(store: Store) -> None:
    spanning, kent_only = three_hub_store(store)
    before = snapshot(store)
    solent = Viewer(role="hub", hub=SOLENT)
    for dataset_id in (spanning, kent_only):
        with pytest.raises(StoreError, match="no dataset"):
            store.withdraw(dataset_id, reason="not mine", by=solent)
    assert snapshot(store) == before
    store.withdraw(kent_only, reason="mine", by=Viewer(role="hub", hub=KENT, name="Kim"))


def test_hub_viewer_cannot_store_rows_of_another_hub(store: Store) -> None:
    before = snapshot(store)
    with pytest.raises(StoreError, match="outside"):
        store.add_frame(survey_rows(), kind="survey", viewer=Viewer(role="hub", hub=SOLENT))
    assert snapshot(store) == before
    only_solent = survey_rows(hubs=(SOLENT,))
    assert store.add_frame(only_solent, kind="survey", viewer=Viewer(role="hub", hub=SOLENT))


def test_every_read_requires_a_viewer(store: Store) -> None:
    for read in (store.load_surveys, store.load_pupils, store.list_datasets, store.audit_log):
        with pytest.raises(TypeError):
            read()
        with pytest.raises(TypeError, match="Viewer"):
            read("national")


# ------------------------------------------------------------------------------- roles


def test_roles_are_recorded_changed_and_scoped(store: Store) -> None:
    store.set_role("lena@school.org", "lead", hub=SOLENT, work_groups=["WG-1"], by="Nadia")
    store.set_role("sol", "hub", hub=SOLENT, by="Nadia")
    store.set_role("sol", "hub", hub=SUSSEX, by="Nadia")
    assert store.get_role("sol") == Viewer(role="hub", hub=SUSSEX, name="sol")
    assert store.get_role("lena@school.org") == Viewer(
        role="lead", hub=SOLENT, work_groups=("WG-1",), name="lena@school.org"
    )
    assert store.get_role("nobody") is None
    assert store.list_roles(NATIONAL)["who"].tolist() == ["lena@school.org", "sol"]
    assert store.list_roles(Viewer(role="hub", hub=SOLENT))["who"].tolist() == ["lena@school.org"]
    assert [a for a in store.audit_log(NATIONAL)["action"]] == ["set_role"] * 3
    with pytest.raises(StoreError):
        store.set_role("x", "national", by=Viewer(role="hub", hub=SOLENT))
    with pytest.raises(ValueError):
        store.set_role("x", "hub", by="Nadia")  # a hub role needs a hub
