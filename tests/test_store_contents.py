"""Tests for what a stored dataset holds: no person's name, email or phone number, anywhere.

Hostile files go in through the whole upload path on both backends; then the raw SQLite bytes
(with its WAL), a ``pg_dump`` of the PostgreSQL schema and every decoded cell are searched for
each planted name, email and phone number.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest
import sqlalchemy as sa

from evaluation import columns as c
from evaluation import privacy
from evaluation.access import Viewer
from evaluation.instruments import default_instrument
from evaluation.store import Store
from evaluation.store.contents import NAME_REASON, content_digest, prepare

NATIONAL = Viewer.national("Nadia")
HEADER = (
    "respondent_id,phase,academic_year,hub,ncp,work_group,role,conf_1,"
    "What is your name?,Teacher name (optional),Your full name,Name (optional),"
    "Who ran the session?,Any other comments?\n"
)
# id, phase, Work Group, role, four name columns, a column of names under a neutral header, text.
ROWS = [
    (
        "AB1",
        "pre",
        "WG-1",
        "Class teacher",
        "Alice Quenby",
        "Mrs Quenby",
        "Alice Marie Quenby",
        "Ali Quenby",
        "Rowan Pettifer",
        "write to planta@school",
    ),
    (
        "AB1",
        "post",
        "WG-1",
        "Class teacher",
        "Alice Quenby",
        "Mrs Quenby",
        "Alice Marie Quenby",
        "Ali Quenby",
        "Rowan Pettifer",
        "plantb\uff20school.org said hi",
    ),
    (
        "CD2",
        "pre",
        "plantwg@school.org",
        "Maths lead plantrole@school.org",
        "Bertram Ogilvy",
        "Mr Ogilvy",
        "Bertram Ogilvy",
        "Bert Ogilvy",
        "Selina Marchbank",
        "plantc@\u200bschool.org",
    ),
    (
        "CD2",
        "post",
        "plantwg@school.org",
        "Maths lead",
        "Bertram Ogilvy",
        "Mr Ogilvy",
        "Bertram Ogilvy",
        "Bert Ogilvy",
        "Selina Marchbank",
        "plantd @ school.org",
    ),
    (
        "EF3",
        "pre",
        "WG-1",
        "Class teacher",
        "Cressida Fairweather",
        "Ms Fairweather",
        "Cressida Fairweather",
        "Cress Fairweather",
        "Tobias Hinchcliffe",
        "plante(at)school.org or 07700 900461",
    ),
    (
        "EF3",
        "post",
        "WG-1",
        "Class teacher",
        "Cressida Fairweather",
        "Ms Fairweather",
        "Cressida Fairweather",
        "Cress Fairweather",
        "Tobias Hinchcliffe",
        "plantf [at] school dot org, +44 7700 900462",
    ),
    (
        "GH4",
        "pre",
        "WG-1",
        "Class teacher",
        "Dorian Blackwood",
        "Mr Blackwood",
        "Dorian Blackwood",
        "Dor Blackwood",
        "Imogen Thistlewood",
        "ring 01632 900463",
    ),
]
HOSTILE = HEADER + "".join(
    f"{r[0]},{r[1]},2024/25,Solent Maths Hub,Mastering Number at KS2,{r[2]},{r[3]},3,"
    f'{",".join(r[4:9])},"{r[9]}"\n'
    for r in ROWS
)
PUPILS = (
    "pupil_id,school_urn,hub,ncp,academic_year,phase,score,work_group\n"
    "P1,100001,Solent Maths Hub,Mastering Number at KS2,2024/25,pre,20,plantpwg@school.org\n"
    "P1,100001,Solent Maths Hub,Mastering Number at KS2,2024/25,post,23,plantpwg@school.org\n"
)
# Every word that must never reach the database.
PLANTED = sorted(
    {part for row in ROWS for cell in row[4:9] for part in cell.split() if len(part) > 3}
    | {"planta", "plantb", "plantc", "plantd", "plante", "plantf", "plantwg", "plantrole"}
    | {"plantpwg", "900461", "900462", "900463"}
)


def _stored_bytes(store_url: str) -> bytes:
    """Everything the database holds, as bytes: the SQLite files, or a pg_dump of the schema."""
    if store_url.startswith("sqlite"):
        database = Path(sa.make_url(store_url).database)
        files = [database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))]
        return b"".join(f.read_bytes() for f in files if f.exists())
    schema = unquote(store_url).split("search_path=")[1]
    return subprocess.run(
        ["/usr/bin/pg_dump", "-h", "127.0.0.1", "-U", "postgres", "-n", schema, "test"],
        check=True,
        capture_output=True,
    ).stdout


def _all_cells(store: Store) -> str:
    surveys, _ = store.load_surveys(NATIONAL)
    pupils = store.load_pupils(NATIONAL)
    audit = store.audit_log(NATIONAL)
    listed = store.list_datasets(NATIONAL)
    return "\n".join(
        frame.astype(str).to_csv(index=False) for frame in (surveys, pupils, audit, listed)
    )


def test_no_planted_name_email_or_phone_is_stored_anywhere(store: Store, store_url: str) -> None:
    result = store.add_file(HOSTILE.encode(), kind="survey", file_name="hostile.csv")
    assert result.status == "stored", result.message
    assert store.add_file(PUPILS.encode(), kind="pupil", file_name="pupils.csv").status == "stored"
    store.close()  # checkpoint nothing away: the WAL is read as it is
    with Store.open(store_url) as reopened:
        cells = _all_cells(reopened)
    raw = _stored_bytes(store_url)
    for word in PLANTED:
        assert word.encode() not in raw, word
        assert word not in cells, word
    assert "[email removed]" in cells and "[phone removed]" in cells


def test_name_columns_are_dropped_and_listed_with_why(store: Store) -> None:
    result = store.add_file(HOSTILE.encode(), kind="survey", file_name="hostile.csv")
    names = [column for column, why in result.dropped if why == NAME_REASON]
    # Named as written in the file: the check never reads them, so they never get a column name.
    assert names == [
        "What is your name?",
        "Teacher name (optional)",
        "Your full name",
        "Name (optional)",
        "Who ran the session?",
    ]
    assert "people's names" in result.message and "Who ran the session?" in result.message
    frame, _ = store.load_surveys(NATIONAL)
    assert not set(names) & set(frame.columns)
    assert "text_any_other_comments" in frame
    [entry] = store.audit_log(NATIONAL)["detail"].tolist()
    assert entry["names_not_stored"] == names


def test_a_work_group_given_as_an_email_becomes_its_pseudonym(store: Store) -> None:
    store.add_file(HOSTILE.encode(), kind="survey", file_name="hostile.csv")
    expected = "wg-" + privacy.pseudonymise("plantwg@school.org", privacy.load_secret())[:12]
    groups = set(store.list_datasets(NATIONAL)["work_groups"].iloc[0])
    assert groups == {"WG-1", expected}


def test_the_sqlite_file_and_its_wal_are_private_to_their_owner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMPACT_HOME", str(tmp_path / "home"))
    old = os.umask(0o022)
    try:
        database = tmp_path / "db" / "impact.sqlite"
        with Store.open(f"sqlite:///{database}", secret=b"k") as store:
            store.add_file(HOSTILE.encode(), kind="survey", file_name="hostile.csv")
            files = [database, database.with_name("impact.sqlite-wal")]
            files.append(database.with_name("impact.sqlite-shm"))
            modes = {f.name: stat.S_IMODE(f.stat().st_mode) for f in files if f.exists()}
    finally:
        os.umask(old)
    assert set(modes) >= {"impact.sqlite", "impact.sqlite-wal"}
    assert set(modes.values()) == {0o600}


def test_same_rows_in_another_order_or_format_have_the_same_content_digest() -> None:
    rows = pd.DataFrame(
        {
            c.RESPONDENT_ID: ["a", "b"],
            c.PHASE: ["pre", "pre"],
            c.ACADEMIC_YEAR: ["2024/25"] * 2,
            c.HUB: ["Solent Maths Hub"] * 2,
            c.NCP: ["Mastering Number at KS2"] * 2,
            "conf_1": [2.0, 4.0],
            c.SOURCE_ROW: [2, 3],
        }
    )
    one = prepare(rows, kind="survey", instrument=default_instrument(), defaults={}, secret=b"k")
    shuffled = rows.iloc[::-1].assign(conf_1=pd.array([4, 2], dtype="Int64"), source_row=[8, 9])
    two = prepare(
        shuffled, kind="survey", instrument=default_instrument(), defaults={}, secret=b"k"
    )
    assert one.content_digest == two.content_digest == content_digest(one.frame)
    relabelled = rows.assign(phase="post")
    three = prepare(
        relabelled, kind="survey", instrument=default_instrument(), defaults={}, secret=b"k"
    )
    assert three.content_digest != one.content_digest
