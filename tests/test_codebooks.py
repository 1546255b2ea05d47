"""Codebooks kept in the store (evaluation/store/codebooks.py), on SQLite and PostgreSQL.

National users change the national codebook or any hub's copy; a hub user changes their hub's own
copy, which then overrides the national one for that hub only; leads read only. Every change is
in the audit log with who, what and why.
"""

from __future__ import annotations

import csv

import pandas as pd
import pytest
import sqlalchemy as sa

from evaluation.access import Viewer
from evaluation.store import Store, StoreError
from evaluation.store.tables import codebooks
from evaluation.text.codebook import DEFAULT_CODEBOOK_FILE, tag_answers

NATIONAL = Viewer.national("nadia@ncetm.example")
SOLENT, SUSSEX = "Solent Maths Hub", "Sussex Maths Hub"
HUB = Viewer(role="hub", hub=SOLENT, name="board@solent.example")
OTHER_HUB = Viewer(role="hub", hub=SUSSEX, name="board@sussex.example")
LEAD = Viewer(role="lead", hub=SOLENT, work_groups=("WG-1",), name="lead@solent.example")


def reference_themes() -> list[str]:
    with DEFAULT_CODEBOOK_FILE.open(encoding="utf-8-sig", newline="") as handle:
        return [row["theme"] for row in csv.DictReader(handle)]


def codebook_entries(store: Store) -> pd.DataFrame:
    log = store.audit_log(NATIONAL)
    return log[log["action"].str.startswith("codebook_")].reset_index(drop=True)


def test_an_empty_store_reads_the_reference_default(store: Store) -> None:
    book = store.codebook(NATIONAL)
    assert book["theme"].tolist() == reference_themes()
    assert set(book["status"]) == {"active"} and set(book["version"]) == {0}
    assert store.codebook_source(NATIONAL) == "default"
    assert store.codebook(HUB)["theme"].tolist() == reference_themes()
    assert store.codebook(LEAD, "another instrument")["theme"].tolist() == reference_themes()
    assert codebook_entries(store).empty


def test_adding_a_theme_is_stored_audited_and_tags_answers(store: Store) -> None:
    theme = {"theme": "Homework", "keywords": "homework; home learning", "description": "At home"}
    assert store.save_theme(NATIONAL, theme, "asked for by hubs") == 1
    book = store.codebook(NATIONAL)
    assert book["theme"].tolist() == [*reference_themes(), "Homework"]
    assert book.iloc[-1]["keywords"] == ("homework", "home learning")
    tags = tag_answers(pd.Series(["More home learning now"]), book)
    assert tags["theme"].tolist() == ["Homework"]
    entries = codebook_entries(store)
    assert entries["action"].tolist() == ["codebook_start", "codebook_add"]
    assert set(entries["who"]) == {NATIONAL.name}
    assert set(entries["reason"]) == {"asked for by hubs"}
    assert entries.loc[0, "detail"]["copied_from"] == "default"
    assert entries.loc[1, "detail"]["theme"] == "Homework"
    assert entries.loc[1, "detail"]["after"]["keywords"] == ["homework", "home learning"]
    # Saving the same theme again changes nothing and writes nothing.
    assert store.save_theme(NATIONAL, theme, "again") == 1
    assert len(codebook_entries(store)) == 2


def test_changing_a_theme_bumps_its_version_and_keeps_before_and_after(store: Store) -> None:
    store.save_theme(NATIONAL, {"theme": "Homework", "keywords": "homework"}, "new")
    changed = {"theme": "Homework", "keywords": ["homework", "home learning"]}
    assert store.save_theme(NATIONAL, changed, "more words") == 2
    row = store.codebook(NATIONAL).set_index("theme").loc["Homework"]
    assert row["keywords"] == ("homework", "home learning") and row["version"] == 2
    last = codebook_entries(store).iloc[-1]
    assert last["action"] == "codebook_update"
    assert last["detail"]["before"]["keywords"] == ["homework"]
    assert last["detail"]["after"]["keywords"] == ["homework", "home learning"]


def test_rename_keeps_the_keywords_and_refuses_a_name_in_use(store: Store) -> None:
    store.rename_theme(NATIONAL, "Time and workload", "Workload", "shorter name")
    book = store.codebook(NATIONAL).set_index("theme")
    assert "Time and workload" not in book.index
    assert "workload" in book.loc["Workload", "keywords"]
    last = codebook_entries(store).iloc[-1]
    assert (last["action"], last["detail"]["theme"], last["detail"]["renamed_to"]) == (
        "codebook_rename",
        "Time and workload",
        "Workload",
    )
    with pytest.raises(StoreError, match='already has a theme "Reasoning and talk"'):
        store.rename_theme(NATIONAL, "Workload", "reasoning and talk", "clash")
    with pytest.raises(StoreError, match='no theme "Nothing like it"'):
        store.rename_theme(NATIONAL, "Nothing like it", "New", "missing")


def test_merge_joins_keywords_and_retires_the_others(store: Store) -> None:
    before = store.codebook(NATIONAL).set_index("theme")
    talk, attitudes = "Reasoning and talk", "Pupils' attitudes"
    store.merge_themes(NATIONAL, [talk, attitudes], into="Talk and attitudes", reason="overlap")
    book = store.codebook(NATIONAL, include_retired=True).set_index("theme")
    merged = book.loc["Talk and attitudes"]
    expected = list(
        dict.fromkeys([*before.loc[talk, "keywords"], *before.loc[attitudes, "keywords"]])
    )
    assert list(merged["keywords"]) == expected
    assert merged["status"] == "active"
    assert book.loc[attitudes, "status"] == "retired"
    assert len(store.codebook(NATIONAL)) == len(reference_themes()) - 1
    actions = codebook_entries(store)["action"].tolist()
    assert actions == ["codebook_start", "codebook_merge", "codebook_merge"]
    with pytest.raises(StoreError, match="at least two"):
        store.merge_themes(NATIONAL, [talk], into=talk, reason="one")


def test_retire_and_bring_back(store: Store) -> None:
    store.retire_theme(NATIONAL, "Time and workload", "not about teaching")
    assert "Time and workload" not in store.codebook(NATIONAL)["theme"].tolist()
    retired = store.codebook(NATIONAL, include_retired=True).set_index("theme")
    assert retired.loc["Time and workload", "status"] == "retired"
    store.save_theme(NATIONAL, {"theme": "Time and workload", "keywords": "workload"}, "back")
    assert store.codebook(NATIONAL)["theme"].iloc[-1] == "Time and workload"
    with store.engine.connect() as connection:
        n_rows = connection.execute(sa.select(sa.func.count()).select_from(codebooks)).scalar()
    assert n_rows == len(reference_themes())  # the retired row came back, none was added
    assert codebook_entries(store)["action"].tolist()[-2:] == ["codebook_retire", "codebook_add"]


def test_saving_an_edited_table_adds_changes_and_retires(store: Store) -> None:
    book = store.codebook(NATIONAL).iloc[:2].copy()
    book.loc[0, "description"] = "Bar models above all"
    new = pd.DataFrame([{"theme": "Homework", "keywords": "homework", "description": ""}])
    edited = pd.concat([book, new], ignore_index=True)
    done = store.save_codebook(NATIONAL, edited, "tidy up")
    themes = reference_themes()
    assert done == [
        f'Changed "{themes[0]}".',
        'Added "Homework".',
        *[f'Retired "{theme}".' for theme in themes[2:]],
    ]
    assert store.codebook(NATIONAL)["theme"].tolist() == [*themes[:2], "Homework"]
    assert store.save_codebook(NATIONAL, store.codebook(NATIONAL), "nothing") == []
    with pytest.raises(StoreError, match="more than once"):
        store.save_codebook(NATIONAL, pd.concat([edited, edited]), "twice")


def test_a_hub_copy_overrides_the_national_codebook_for_that_hub_only(store: Store) -> None:
    store.save_theme(NATIONAL, {"theme": "National extra", "keywords": "extra"}, "national")
    store.save_theme(HUB, {"theme": "Solent coastal", "keywords": "coast"}, "our theme")
    national = store.codebook(NATIONAL)["theme"].tolist()
    own = store.codebook(HUB)["theme"].tolist()
    assert own == [*national, "Solent coastal"]
    assert store.codebook_source(HUB) == "hub"
    # The hub's lead reads the hub's copy; another hub and the national team keep the national one.
    assert store.codebook(LEAD)["theme"].tolist() == own
    assert store.codebook(OTHER_HUB)["theme"].tolist() == national
    assert store.codebook_source(OTHER_HUB) == "national"
    assert "Solent coastal" not in national
    assert store.codebook(NATIONAL, hub=SOLENT)["theme"].tolist() == own
    # Later national changes do not reach the copy.
    store.save_theme(NATIONAL, {"theme": "Later", "keywords": "later"}, "national again")
    assert "Later" not in store.codebook(HUB)["theme"].tolist()
    entry = codebook_entries(store).query("action == 'codebook_start'").iloc[-1]
    assert entry["detail"]["hub"] == SOLENT and entry["detail"]["copied_from"] == "national"
    history = store.codebook_history(HUB)
    assert "Solent coastal" in history["theme"].tolist()
    assert "National extra" in history["theme"].tolist()
    assert store.codebook_history(OTHER_HUB)["theme"].isin(["Solent coastal"]).sum() == 0


def test_national_may_change_a_hubs_copy(store: Store) -> None:
    store.retire_theme(NATIONAL, "Time and workload", "not for Solent", hub=SOLENT)
    assert "Time and workload" not in store.codebook(HUB)["theme"].tolist()
    assert "Time and workload" in store.codebook(NATIONAL)["theme"].tolist()


def test_leads_and_other_hubs_are_refused(store: Store) -> None:
    theme = {"theme": "Homework", "keywords": "homework"}
    with pytest.raises(StoreError, match="leads can read it"):
        store.save_theme(LEAD, theme, "try")
    with pytest.raises(StoreError, match="leads can read it"):
        store.retire_theme(LEAD, "Time and workload", "try")
    with pytest.raises(StoreError, match="only their own hub"):
        store.save_theme(HUB, theme, "try", hub=SUSSEX)
    with pytest.raises(StoreError, match="only your own hub"):
        store.codebook(HUB, hub=SUSSEX)
    assert codebook_entries(store).empty
    assert store.codebook_source(HUB) == "default"


def test_a_change_needs_a_reason_keywords_and_a_name(store: Store) -> None:
    with pytest.raises(StoreError, match="reason"):
        store.save_theme(NATIONAL, {"theme": "Homework", "keywords": "homework"}, " ")
    with pytest.raises(StoreError, match="no keywords"):
        store.save_theme(NATIONAL, {"theme": "Homework", "keywords": " ; "}, "why")
    with pytest.raises(StoreError, match="name"):
        store.save_theme(NATIONAL, {"theme": "", "keywords": "homework"}, "why")
    assert codebook_entries(store).empty


def test_codebook_entries_stay_append_only(store: Store) -> None:
    store.save_theme(NATIONAL, {"theme": "Homework", "keywords": "homework"}, "new")
    with pytest.raises(sa.exc.DatabaseError), store.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM audit_log WHERE action LIKE 'codebook_%'"))


def test_a_save_that_changes_nothing_starts_no_copy_and_keeps_the_version(store: Store) -> None:
    version = store.version()
    assert store.save_codebook(HUB, store.codebook(HUB), "looked") == []
    assert store.codebook_source(HUB) == "default"
    assert store.version() == version
    assert codebook_entries(store).empty
