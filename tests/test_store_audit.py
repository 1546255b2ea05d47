"""Tests for scoped counts and named actors (issue 16, items 4 and 5).

A hub or lead viewer must never learn how many rows other hubs have in a shared file (audit log,
dataset list, their downloads); only national users load the sample; every entry names a person.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import read_only_store

from evaluation import columns as c
from evaluation.access import Viewer
from evaluation.store import Store, StoreError

NATIONAL = Viewer.national("Nadia")
SOLENT, SUSSEX = "Solent Maths Hub", "Sussex Maths Hub"
# Rows per hub and Work Group in one shared file: Solent 3 codes in WG-1, Sussex 7 in WG-2,
# and 2 Solent codes in WG-3.
SHARE = ((SOLENT, "WG-1", 3), (SUSSEX, "WG-2", 7), (SOLENT, "WG-3", 2))


def shared_file() -> pd.DataFrame:
    records = []
    for hub, work_group, n_codes in SHARE:
        for i in range(n_codes):
            for phase in ("pre", "post"):
                records.append(
                    {
                        c.RESPONDENT_ID: f"{work_group}-{i}",
                        c.PHASE: phase,
                        c.ACADEMIC_YEAR: "2024/25",
                        c.HUB: hub,
                        c.NCP: "Mastering Number at KS2",
                        c.WORK_GROUP: work_group,
                        "conf_1": 3.0,
                    }
                )
    return pd.DataFrame(records)


def own_rows(hub: str, work_groups: tuple[str, ...] | None = None) -> int:
    return sum(
        2 * n for h, wg, n in SHARE if h == hub and (work_groups is None or wg in work_groups)
    )


@pytest.fixture(scope="module")
def shared_then_withdrawn(module_store_url: str, tmp_path_factory: pytest.TempPathFactory):
    """A store (one per backend, read only) holding the shared file, stored then withdrawn."""
    home = tmp_path_factory.mktemp("shared_home")
    with read_only_store(module_store_url, home) as (store, seal):
        added = store.add_frame(
            shared_file(), kind="survey", file_name="shared.csv", uploader="Nadia"
        )
        store.withdraw(added.dataset_id, reason="testing", by="Nadia")
        seal()
        yield store


@pytest.mark.parametrize(
    "viewer",
    [
        Viewer(role="hub", hub=SOLENT, name="sol@example.org"),
        Viewer(role="lead", hub=SOLENT, work_groups=("WG-3",), name="lee@example.org"),
    ],
    ids=["hub", "lead"],
)
def test_hub_and_lead_viewers_see_only_their_own_row_counts(
    shared_then_withdrawn: Store, viewer: Viewer
) -> None:
    store = shared_then_withdrawn
    own = own_rows(SOLENT, viewer.work_groups or None)
    total = len(shared_file())
    assert own < total
    listed = store.list_datasets(viewer)
    assert listed["n_rows"].tolist() == [own]
    audit = store.audit_log(viewer)
    counts = [d["n_rows"] for d in audit["detail"] if isinstance(d, dict) and "n_rows" in d]
    assert counts == [own]
    # National users see the whole file's count.
    assert store.audit_log(NATIONAL)["detail"].iloc[0]["n_rows"] == total
    assert store.list_datasets(NATIONAL)["n_rows"].tolist() == [total]


def test_only_national_users_may_load_the_sample(store: Store) -> None:
    hub = Viewer(role="hub", hub=SOLENT, name="sol@example.org")
    lead = Viewer(role="lead", hub=SOLENT, work_groups=("WG-1",), name="lee@example.org")
    for viewer in (hub, lead):
        with pytest.raises(StoreError, match="Only national users can load the synthetic sample"):
            store.seed_sample(by=viewer)
    assert store.is_empty()


def test_every_audit_entry_names_the_person_including_the_sample_load(
    store: Store, sample_dir
) -> None:
    store.seed_sample(by=Viewer.national("nadia@ncetm.org.uk"))
    files = sorted(path.name for path in sample_dir.glob("*.csv"))  # every sample file is loaded
    audit = store.audit_log(NATIONAL)
    assert sorted(detail["file_name"] for detail in audit["detail"]) == files
    assert audit["who"].tolist() == ["nadia@ncetm.org.uk"] * len(files)
    assert all(detail.get("synthetic") for detail in audit["detail"])
    listed = store.list_datasets(NATIONAL)
    assert listed["uploader"].tolist() == ["nadia@ncetm.org.uk"] * len(files)
    assert listed["synthetic"].tolist() == [True] * len(files)
