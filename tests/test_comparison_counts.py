"""Store.comparison_rows: the Home page's count of comparison rows, scoped like raw rows."""

from __future__ import annotations

import pandas as pd

from evaluation import columns as c
from evaluation.access import Viewer

HUBS = ("Solent Maths Hub", "Jurassic Maths Hub")


def survey_rows(hub: str, arms: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            c.RESPONDENT_ID: [f"{hub[:3]}-{i}" for i in range(len(arms))],
            c.PHASE: "post",
            c.ACADEMIC_YEAR: "2024/25",
            c.HUB: hub,
            c.NCP: "Mastering Number at KS2",
            "conf_1": 4.0,
            c.GROUP: arms,
        }
    )


def test_comparison_rows_count_the_group_column_within_the_viewers_scope(store):
    first = survey_rows(HUBS[0], ["comparison", "Comparison", "intervention", None])
    second = survey_rows(HUBS[1], ["comparison", "comparison", "comparison"])
    both = pd.concat([first, second], ignore_index=True)  # one file spanning two hubs
    store.add_frame(both, kind="survey")
    store.add_frame(survey_rows(HUBS[1], ["intervention"]), kind="survey")

    # Expected from the raw column, not from the store's own reading of it.
    raw = both[c.GROUP].str.lower().eq("comparison")
    assert store.comparison_rows(Viewer.national(), "survey") == int(raw.sum())
    for hub in HUBS:
        expected = int((raw & both[c.HUB].eq(hub)).sum())
        assert (
            store.comparison_rows(Viewer(role="hub", hub=hub, name="hub lead"), "survey")
            == expected
        )
    assert store.comparison_rows(Viewer.national(), "pupil") == 0


def test_a_withdrawn_dataset_no_longer_counts(store):
    stored = store.add_frame(survey_rows(HUBS[0], ["comparison"] * 3), kind="survey")
    assert store.comparison_rows(Viewer.national(), "survey") == 3
    store.withdraw(stored.dataset_id, reason="uploaded twice", by="tester")
    assert store.comparison_rows(Viewer.national(), "survey") == 0


def test_a_file_without_a_group_column_counts_none_for_every_viewer(store):
    rows = survey_rows(HUBS[0], [None, None]).drop(columns=[c.GROUP])
    store.add_frame(rows, kind="survey")
    assert store.comparison_rows(Viewer.national(), "survey") == 0
    hub_viewer = Viewer(role="hub", hub=HUBS[0], name="hub lead")
    assert store.comparison_rows(hub_viewer, "survey") == 0
    lead = Viewer(role="lead", hub=HUBS[0], work_groups=("WG-1",), name="lead")
    assert store.comparison_rows(lead, "survey") == 0
