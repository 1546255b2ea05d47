"""Kept results (evaluation.store.results): the same bits as computing from the rows, scoped.

The reference is computed here, in the test, from the rows a viewer may load: the statistics
called directly, as the dashboard called them before results were kept.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from evaluation import columns as c
from evaluation.access import Viewer
from evaluation.analysis.survey import compare_clustered, likert_distribution
from evaluation.stats.attrition import attrition
from evaluation.stats.groups import project_rows
from evaluation.stats.paired import individual_change
from evaluation.stats.reliability import cronbach_alpha
from evaluation.stats.scoring import to_long
from evaluation.store import Store
from evaluation.store.results import GROUP_KEYS, HUB_KEYS

SECRET = b"kept results test key"
HUBS = ("Solent Maths Hub", "Sussex Maths Hub")
NCPS = ("Mastering Number at KS2", "SKTM Primary Teachers")
YEARS = ("2023/24", "2024/25")
WORK_GROUPS = ("WG-1", "WG-2", None)
ITEMS = ("conf_1", "conf_2", "know_1", "know_2", "prac_1")
NATIONAL = Viewer.national()
HUB_VIEWER = Viewer(role="hub", hub=HUBS[0], name="hub viewer")
LEAD = Viewer(role="lead", hub=HUBS[0], work_groups=("WG-1",), name="lead")


def survey_frame(rows: list[tuple], seed: int) -> pd.DataFrame:
    """A canonical survey frame from (hub, ncp, year, work group, person, phase) picks."""
    rng = np.random.default_rng(seed)
    records = []
    for n, (hub, ncp, year, group, person, phase) in enumerate(rows):
        scores = rng.integers(1, 6, len(ITEMS)).astype(float)
        scores[rng.random(len(ITEMS)) < 0.15] = np.nan
        records.append(
            {
                # A code belongs to one Work Group of a project and year (clusters assume so),
                # but the same code may appear in other hubs, projects and years.
                c.RESPONDENT_ID: None if person is None else f"P{person:02d}-{group}",
                c.PHASE: phase,
                c.ACADEMIC_YEAR: YEARS[year],
                c.HUB: HUBS[hub],
                c.NCP: NCPS[ncp],
                c.WORK_GROUP: WORK_GROUPS[group],
                c.SOURCE_ROW: n + 2,
                **dict(zip(ITEMS, scores, strict=True)),
                "text_comment": None if n % 3 == 0 else f"answer {seed}-{n}",
            }
        )
    return pd.DataFrame(records)


def by_hub_from_rows(store: Store, viewer: Viewer) -> pd.DataFrame:
    """``compare_clustered`` by year, hub and NCP of the viewer's rows, one hub level at a time.

    One hub level at a time, because construct scores match a person's answers across all the
    rows they are given: the same code in two hubs (same NCP and year) is one person to them.
    """
    frame, instrument = store.load_surveys(viewer)
    if frame.empty:
        return pd.DataFrame()
    parts = []
    for _, rows in frame.groupby(list(HUB_KEYS), sort=True, dropna=False):
        long = to_long(rows, instrument, keys=(*HUB_KEYS, c.WORK_GROUP))
        parts.append(compare_clustered(long, by=list(HUB_KEYS), constructs=instrument.constructs))
    return pd.concat(parts, ignore_index=True)


def group_tables_from_rows(
    store: Store, viewer: Viewer, done: dict[tuple, tuple] | None = None
) -> dict[tuple, dict[str, pd.DataFrame]]:
    """Each participation group's impact tables, computed from that group's rows alone.

    Groups of the project's rows only: a group holding nothing but a comparison group's rows
    has no one whose change is measured, so nothing is kept for it. ``done`` remembers, per
    group, the rows and instrument already computed from (for another viewer of the same
    store): the tables are reused only when this viewer's rows of the group are the very same
    values, columns and types (``DataFrame.equals``, row labels aside) under the same instrument.
    """
    frame, instrument = store.load_surveys(viewer)
    done = {} if done is None else done
    out = {}
    present = project_rows(frame)[list(GROUP_KEYS)].astype(object)
    found = {tuple(None if pd.isna(v) else v for v in row) for row in present.to_numpy()}
    for key in sorted(found, key=lambda k: [(v is None, v or "") for v in k]):
        mask = np.ones(len(frame), dtype=bool)
        for column, value in zip(GROUP_KEYS, key, strict=True):
            same = frame[column].isna() if value is None else frame[column].eq(value)
            mask &= same.fillna(False).to_numpy(dtype=bool)
        rows = frame[mask]
        same = rows.reset_index(drop=True)
        if key in done and done[key][1] == instrument and done[key][0].equals(same):
            out[key] = done[key][2]
            continue
        long = to_long(rows, instrument)
        out[key] = {
            "results": compare_clustered(long, constructs=instrument.constructs),
            "distribution": likert_distribution(long, instrument),
            "changes": individual_change(long),
            "attrition": attrition(rows, instrument),
            "reliability": cronbach_alpha(rows, instrument, by=[c.PHASE]),
        }
        done[key] = (same, instrument, out[key])
    return out


def assert_reads_without_rows_equal_reads_of_rows(store: Store, viewer: Viewer) -> None:
    """The group list, open answers and instrument read without the item answers are exactly
    what the viewer's rows give (so they are scoped as the rows are)."""
    frame, instrument = store.load_surveys(viewer)
    # Groups of the project's rows: a group of comparison rows alone has no results to list.
    present = project_rows(frame)[list(GROUP_KEYS)].astype(object)
    keys = {tuple(None if pd.isna(v) else v for v in row) for row in present.to_numpy()}
    assert store.kept_groups(viewer) == sorted(
        keys, key=lambda k: [(v is None, v or "") for v in k]
    )
    text = store.load_survey_text(viewer)
    expected = frame[[col for col in frame.columns if col in text.columns]]
    assert [col for col in text.columns if col not in expected.columns] == []
    assert {"text_comment", c.PHASE, c.NCP} <= set(text.columns) or frame.empty
    pd.testing.assert_frame_equal(text, expected, check_exact=True)
    assert store.survey_instrument(viewer) == instrument
    # Each active dataset's listing (remembered per dataset once worked out) counts its rows.
    every, _ = store.load_surveys(viewer, synthetic=True)
    listed = store.list_datasets(viewer, kind="survey")
    listed = listed[listed["status"].eq("active")]
    for dataset_id, n_rows, hubs, groups in listed[
        ["dataset_id", "n_rows", "hubs", "work_groups"]
    ].itertuples(index=False):
        rows = every[every[c.DATASET_ID].eq(dataset_id)]
        assert n_rows == len(rows)
        assert hubs == sorted(rows[c.HUB].dropna().unique())
        assert groups == sorted(rows[c.WORK_GROUP].dropna().unique())


def assert_kept_equal_rows(store: Store) -> None:
    for viewer in (NATIONAL, HUB_VIEWER):
        expected = by_hub_from_rows(store, viewer)
        kept = store.kept_table(viewer)
        if expected.empty:
            assert kept.empty
        else:
            pd.testing.assert_frame_equal(kept, expected, check_exact=True)
    computed: dict[tuple, tuple] = {}  # a group's tables, computed once from the same rows
    for viewer in (NATIONAL, HUB_VIEWER, LEAD):
        assert_reads_without_rows_equal_reads_of_rows(store, viewer)
        expected = group_tables_from_rows(store, viewer, computed)
        for name in ("results", "distribution", "changes", "attrition", "reliability"):
            kept = dict(store.kept_results(viewer, level="group", name=name))
            assert sorted(kept, key=str) == sorted(expected, key=str), name
            for key, tables in expected.items():
                pd.testing.assert_frame_equal(
                    kept[key], tables[name], check_exact=True, obj=f"{name} {key}"
                )


row_picks = st.tuples(
    st.integers(0, 1),  # hub
    st.integers(0, 1),  # ncp
    st.integers(0, 1),  # year
    st.integers(0, 2),  # work group (2: none)
    st.one_of(st.none(), st.integers(0, 7)),  # person (None: no code)
    st.sampled_from(["pre", "post"]),
)
upload = st.tuples(
    st.lists(row_picks, min_size=1, max_size=14), st.integers(0, 10_000), st.booleans()
)
step = st.one_of(
    st.tuples(st.just("add"), upload),
    st.tuples(st.just("withdraw"), st.integers(0, 5)),
    st.tuples(st.just("replace"), st.tuples(st.integers(0, 5), upload)),
)


def apply(store: Store, steps: list[tuple]) -> None:
    """Run adds, withdrawals and replacements (a step naming no active dataset does nothing)."""
    for n, (action, detail) in enumerate(steps):
        active = store.list_datasets(NATIONAL)
        active = active.loc[active["status"].eq("active"), "dataset_id"].tolist()
        if action == "add":
            rows, seed, synthetic = detail
            store.add_frame(
                survey_frame(rows, seed),
                kind="survey",
                file_name=f"step {n}",
                synthetic=synthetic,
                file_bytes=f"step {n} {seed} {rows}".encode(),
            )
        elif active and action == "withdraw":
            store.withdraw(active[detail % len(active)], reason="test", by="tester")
        elif active and action == "replace":
            which, (rows, seed, _synthetic) = detail
            store.add_frame(
                survey_frame(rows, seed),
                kind="survey",
                file_name=f"step {n}",
                file_bytes=f"step {n} {seed} {rows}".encode(),
                replaces=active[which % len(active)],
                reason="corrected",
            )


@settings(
    max_examples=7,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(first=upload, steps=st.lists(step, min_size=1, max_size=3))
def test_kept_results_equal_results_from_rows_after_any_sequence_of_changes(first, steps) -> None:
    with Store.open("sqlite://", secret=SECRET) as store:
        apply(store, [("add", first), *steps])
        assert_kept_equal_rows(store)


@pytest.mark.postgres
@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_kept_results_equal_results_from_rows_on_postgresql(
    store_url: str, tmp_path, monkeypatch
) -> None:
    # SQLite is covered by the property test above; this runs one long sequence on PostgreSQL.
    monkeypatch.setenv("IMPACT_HOME", str(tmp_path / "home"))
    every = [
        (h, n, y, g, p, ph)
        for h in (0, 1)
        for n in (0, 1)
        for y in (0, 1)
        for g in (0, 1, 2)
        for p in (0, 1, 2, None)
        for ph in ("pre", "post")
    ]
    steps = [
        ("add", (every, 1, False)),
        ("add", (every[:40], 2, True)),
        ("add", (every[30:90], 3, False)),
        ("replace", (1, (every[10:50], 4, False))),
        ("withdraw", 0),
        ("add", (every[::3], 5, False)),
    ]
    with Store.open(store_url, secret=SECRET) as store:
        apply(store, steps)
        assert_kept_equal_rows(store)


def test_comparison_rows_change_no_kept_result_and_their_own_groups_keep_none() -> None:
    phases = ("pre", "post")
    every = [
        (h, 0, 1, g, p, ph) for h in (0, 1) for g in (0, 1) for p in (0, 1, 2) for ph in phases
    ]
    # A waiting-list cohort, marked comparison: beside the project's people in WG-1, and in a
    # group with no project rows (no Work Group); other people (codes P05-P07).
    cohort = [
        (h, 0, 1, g, p, ph) for h in (0, 1) for g in (0, 2) for p in (5, 6, 7) for ph in phases
    ]
    names = ("results", "changes", "attrition", "reliability")
    with Store.open("sqlite://", secret=SECRET) as store:
        apply(store, [("add", (every, 1, False))])
        hub_level = store.kept_table(NATIONAL)
        before = {name: store.kept_results(NATIONAL, level="group", name=name) for name in names}
        added = store.add_frame(
            survey_frame(cohort, 9).assign(**{c.GROUP: c.COMPARISON}),
            kind="survey",
            file_name="waiting list",
        )
        assert added.status == "stored"
        pd.testing.assert_frame_equal(store.kept_table(NATIONAL), hub_level, check_exact=True)
        for name, tables in before.items():
            after = store.kept_results(NATIONAL, level="group", name=name)
            assert [key for key, _ in after] == [key for key, _ in tables], name
            for (key, old), (_, new) in zip(tables, after, strict=True):
                pd.testing.assert_frame_equal(new, old, check_exact=True, obj=f"{name} {key}")
        assert_kept_equal_rows(store)
        store.withdraw(added.dataset_id, reason="test", by="tester")
        assert_kept_equal_rows(store)


def test_hub_viewer_gets_only_their_hub_and_leads_no_hub_level() -> None:
    with Store.open("sqlite://", secret=SECRET) as store:
        every = [
            (h, 0, 1, g, p, ph)
            for h in (0, 1)
            for g in (0, 1)
            for p in (0, 1, 2)
            for ph in ("pre", "post")
        ]
        apply(store, [("add", (every, 7, False))])
        assert set(store.kept_table(NATIONAL)[c.HUB]) == set(HUBS)
        assert set(store.kept_table(HUB_VIEWER)[c.HUB]) == {HUBS[0]}
        assert {key[1] for key, _ in store.kept_results(HUB_VIEWER, level="group")} == {HUBS[0]}
        assert store.kept_results(HUB_VIEWER, hub=HUBS[1]) == []
        assert store.kept_table(LEAD) is None  # a hub level holds other Work Groups' people
        assert {key[1] for key in store.kept_groups(HUB_VIEWER)} == {HUBS[0]}
        assert store.kept_groups(HUB_VIEWER, hub=HUBS[1]) == []
        assert {key[3] for key in store.kept_groups(LEAD)} == {"WG-1"}
        assert store.load_survey_text(HUB_VIEWER, hub=HUBS[1]).empty
        shown = store.load_survey_text(LEAD)
        assert len(shown) and len(shown) == len(store.load_surveys(LEAD)[0])
        assert [key[3] for key, _ in store.kept_results(LEAD, level="group")] == ["WG-1"]
        with pytest.raises(TypeError):
            store.kept_table("national")  # type: ignore[arg-type]


def test_real_data_hides_the_synthetic_sample_as_raw_reads_do() -> None:
    with Store.open("sqlite://", secret=SECRET) as store:
        synthetic = [(0, 0, 0, 0, p, ph) for p in (0, 1, 2) for ph in ("pre", "post")]
        real = [(1, 1, 1, 1, p, ph) for p in (0, 1, 2) for ph in ("pre", "post")]
        apply(store, [("add", (synthetic, 1, True))])
        assert set(store.kept_table(NATIONAL)[c.HUB]) == {HUBS[0]}
        apply(store, [("add", (real, 2, False))])
        assert set(store.kept_table(NATIONAL)[c.HUB]) == {HUBS[1]}
        assert set(store.kept_table(NATIONAL, synthetic=True)[c.HUB]) == set(HUBS)
        assert store.kept_table(HUB_VIEWER).empty is False  # this hub sees no real data: sample


def test_a_store_upgraded_with_data_rebuilds_its_kept_results_on_first_read(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    with Store.open(url, secret=SECRET) as store:
        every = [(0, 0, 0, g, p, ph) for g in (0, 1) for p in (0, 1, 2) for ph in ("pre", "post")]
        apply(store, [("add", (every, 3, False))])
        expected = store.kept_table(NATIONAL)
        with store.engine.begin() as connection:  # as after upgrading a store holding data
            connection.exec_driver_sql("DELETE FROM kept_results")
            connection.exec_driver_sql("UPDATE kept_state SET complete = 0")
    with Store.open(url, secret=SECRET) as store:
        pd.testing.assert_frame_equal(store.kept_table(NATIONAL), expected, check_exact=True)
