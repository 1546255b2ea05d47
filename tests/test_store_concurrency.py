"""Two processes writing to one store at the same moment (SQLite file and PostgreSQL).

Each either stores its file or gets a clear retryable StoreBusy; nothing is half-written.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from evaluation import columns as c
from evaluation.access import Viewer
from evaluation.store import Store, StoreBusy
from evaluation.store import engine as engines

ROUNDS = 3


def _frame(writer: int, round_: int) -> pd.DataFrame:
    n = 200
    return pd.DataFrame(
        {
            c.RESPONDENT_ID: [f"W{writer}R{round_}-{i}" for i in range(n)],
            c.PHASE: ["pre"] * n,
            c.ACADEMIC_YEAR: ["2024/25"] * n,
            c.HUB: ["Solent Maths Hub"] * n,
            c.NCP: ["Mastering Number at KS2"] * n,
            c.WORK_GROUP: [f"WG-{writer}"] * n,
            c.SOURCE_ROW: range(2, n + 2),
            "conf_1": [float(1 + i % 5) for i in range(n)],
        }
    )


def _writer(url: str, home: str, writer: int, same_bytes: bool, barrier, results) -> None:
    """Runs in a child process: open the store, wait for the other writer, then store."""
    import os

    os.environ["IMPACT_HOME"] = home
    store = Store.open(url)
    outcomes = []
    for round_ in range(ROUNDS):
        frame = _frame(0 if same_bytes else writer, round_)
        file_bytes = f"round {round_} writer {0 if same_bytes else writer}".encode()
        barrier.wait(timeout=60)
        try:
            result = store.add_frame(
                frame, kind="survey", file_bytes=file_bytes, file_name=f"w{writer}.csv"
            )
            outcomes.append((result.status, result.dataset_id))
        except StoreBusy as exc:
            outcomes.append(("busy", str(exc)))
    store.close()
    results.put((writer, outcomes))


def _run_two_writers(context, url: str, home: Path, *, same_bytes: bool) -> dict[int, list]:
    barrier = context.Barrier(2)
    results = context.Queue()
    processes = [
        context.Process(target=_writer, args=(url, str(home), w, same_bytes, barrier, results))
        for w in (1, 2)
    ]
    for process in processes:
        process.start()
    collected = dict(results.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return collected


@pytest.fixture
def shared_store(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("IMPACT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("IMPACT_SECRET", raising=False)
    store = Store.open(store_url)  # created (migrated) once, before the writers start
    yield store
    store.close()


def test_two_processes_storing_different_files_at_once_both_succeed_or_are_told_to_retry(
    shared_store: Store, store_url: str, tmp_path: Path, process_context
) -> None:
    outcomes = _run_two_writers(process_context, store_url, tmp_path / "home", same_bytes=False)
    stored = [o for writer in (1, 2) for o in outcomes[writer] if o[0] == "stored"]
    busy = [o for writer in (1, 2) for o in outcomes[writer] if o[0] == "busy"]
    assert len(stored) + len(busy) == 2 * ROUNDS
    assert all("try again" in message for _, message in busy)
    listed = shared_store.list_datasets(Viewer.national())
    assert sorted(listed["dataset_id"]) == sorted(dataset_id for _, dataset_id in stored)
    assert (listed["n_rows"] == 200).all()
    frame, _ = shared_store.load_surveys(Viewer.national())
    assert len(frame) == 200 * len(stored)
    assert frame.groupby(c.DATASET_ID).size().eq(200).all()  # nothing half-written
    audit = shared_store.audit_log(Viewer.national())
    assert sorted(audit["dataset_id"]) == sorted(listed["dataset_id"])


def test_two_processes_storing_the_same_file_at_once_store_it_once(
    shared_store: Store, store_url: str, tmp_path: Path, process_context
) -> None:
    outcomes = _run_two_writers(process_context, store_url, tmp_path / "home", same_bytes=True)
    for round_ in range(ROUNDS):
        pair = sorted(outcomes[writer][round_][0] for writer in (1, 2))
        assert pair in (["duplicate", "stored"], ["busy", "stored"], ["busy", "busy"])
        ids = {outcomes[w][round_][1] for w in (1, 2) if outcomes[w][round_][0] != "busy"}
        assert len(ids) <= 1  # the duplicate names the stored dataset
    listed = shared_store.list_datasets(Viewer.national())
    stored = sum(o[0] == "stored" for writer in (1, 2) for o in outcomes[writer])
    assert len(listed) == stored == listed["sha256"].nunique()


def test_two_processes_opening_a_new_database_together_create_it_once(
    store_url: str, tmp_path: Path, process_context
) -> None:
    context = process_context
    barrier = context.Barrier(2)
    results = context.Queue()
    processes = [
        context.Process(target=_opener, args=(store_url, str(tmp_path / "home"), barrier, results))
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    versions = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert versions == [engines.head_revision()] * 2


def _opener(url: str, home: str, barrier, results) -> None:
    import os

    from evaluation.store import engine as engines

    os.environ["IMPACT_HOME"] = home
    barrier.wait(timeout=60)
    store = Store.open(url)
    results.put(engines.current_revision(store.engine))
    store.close()


def test_a_writer_kept_waiting_too_long_gets_a_retryable_error_and_changes_nothing(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evaluation.store import engine as engines

    monkeypatch.setenv("IMPACT_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(engines, "BUSY_TIMEOUT", 0.2)
    monkeypatch.setattr(engines, "LOCK_TIMEOUT", "200ms")
    store = Store.open(store_url)
    holder = engines.make_engine(store_url)
    with holder.connect().execution_options(**{engines.WRITE: True}) as other:
        transaction = other.begin()  # another writer holds the store's write lock
        other.exec_driver_sql("UPDATE store_state SET version = version + 1")
        with pytest.raises(StoreBusy, match="try again"):
            store.add_frame(_frame(1, 0), kind="survey", file_bytes=b"waiting")
        transaction.rollback()
    holder.dispose()
    assert store.list_datasets(Viewer.national()).empty
    assert store.add_frame(_frame(1, 0), kind="survey", file_bytes=b"waiting").status == "stored"
    store.close()
