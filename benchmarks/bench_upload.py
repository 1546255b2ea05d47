"""How long one Work Group's upload takes in a national store, kept results recomputed included.

Fills a fresh SQLite store with the synthetic sample at ``--scale``, then uploads one new Work
Group's pre and post survey files (validation, storing, and the recompute of the groups they
touch, in the same transactions) and prints the time as a ratio to ``pandas.read_csv`` of the
national survey CSV in the same run. Not a test: run it by hand, once:

    .venv/bin/python benchmarks/bench_upload.py [--scale national|small] [--home DIR]

Filling a national store takes minutes. With ``--home DIR`` the filled store (and the survey CSV)
is kept in DIR the first time and copied from there on later runs, so each run starts from the
same store: the upload and everything timed after it are the same work every time.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluation import columns as c  # noqa: E402

__all__ = [
    "add_home_argument",
    "load_store",
    "read_csv_time",
    "upload_pair",
    "warm_up",
    "work_group_files",
]

NEW_WORK_GROUP = "Benchmark upload WG"


def read_csv_time(path: Path, repeat: int = 3) -> float:
    """Median wall time of ``pandas.read_csv(path)``: the yardstick of every ratio."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        pd.read_csv(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def work_group_files(surveys: pd.DataFrame, directory: Path, tag: str = "") -> tuple[Path, Path]:
    """Pre and post CSV files of one new Work Group, made from the first Work Group's rows.

    The rows keep their hub, NCP and year (so the upload touches one hub level of the national
    data) under a new Work Group name and new participant codes.
    """
    first = surveys[c.WORK_GROUP].dropna().iloc[0]
    rows = surveys[surveys[c.WORK_GROUP].eq(first)].copy()
    rows[c.WORK_GROUP] = f"{NEW_WORK_GROUP}{tag}"
    rows[c.RESPONDENT_ID] = rows[c.RESPONDENT_ID].astype(str) + f"-B{tag}"
    paths = []
    for phase in ("pre", "post"):
        path = directory / f"work_group{tag}_{phase}.csv"
        rows[rows[c.PHASE].eq(phase)].to_csv(path, index=False)
        paths.append(path)
    return paths[0], paths[1]


def warm_up(store, surveys: pd.DataFrame) -> None:
    """What a running dashboard has done before anyone uploads: its pages have imported the
    statistics and read rows from the store. Those one-off costs of a fresh process (seconds
    of SciPy imports, Arrow's first read) are not the upload's, so they are not timed.
    """
    import evaluation.store.kept  # noqa: F401
    from evaluation.access import Viewer

    first = surveys.iloc[0]
    store.load_surveys(
        Viewer.national(), hub=str(first[c.HUB]), academic_year=str(first[c.ACADEMIC_YEAR])
    )


def upload_pair(store, files: tuple[Path, Path]) -> float:
    """Upload the pre and post files as the Upload page does; the wall time of both."""
    start = time.perf_counter()
    for path in files:
        result = store.add_file(path, kind="survey", uploader="benchmark", synthetic=True)
        if result.status != "stored":
            raise RuntimeError(f"{path.name}: {result.message}")
    return time.perf_counter() - start


def add_home_argument(parser: argparse.ArgumentParser) -> None:
    """The ``--home DIR`` option: where a filled store is kept between runs."""
    parser.add_argument(
        "--home",
        type=Path,
        help="keep the filled store and the survey CSV in DIR (filled on the first run) and "
        "copy them from there on later runs",
    )


STORE_FILE = "impact.sqlite"
KEPT_FILES = ("secret.key", "surveys.csv")


def load_store(scale: str, directory: Path, saved: Path | None = None):
    """A default store in ``directory`` holding the sample at ``scale``: (store, surveys, csv).

    With ``saved``, a store filled there before (at the same scale) is copied into ``directory``
    instead of filling a new one; when ``saved`` holds none yet, it is filled there first.
    ``surveys`` is the sample's survey frame (read back from the CSV when copied).
    """
    from evaluation.store import Store

    if saved is not None:
        saved = saved.resolve()
        marker = saved / "scale.txt"
        if not (saved / STORE_FILE).exists():
            saved.mkdir(parents=True, exist_ok=True)
            store, surveys, _ = _fill(scale, saved)
            store.close()
            marker.write_text(scale)
        if marker.read_text().strip() != scale:
            raise SystemExit(f"{saved} holds the {marker.read_text().strip()} sample, not {scale}")
        start = time.perf_counter()
        _copy_store(saved / STORE_FILE, directory / STORE_FILE)
        for name in KEPT_FILES:
            shutil.copy2(saved / name, directory / name)
        csv = directory / "surveys.csv"
        surveys = pd.read_csv(csv, low_memory=False)
        took = time.perf_counter() - start
        print(f"Copied the stored {scale} sample from {saved} in {took:.1f} s")
        return Store.open(), surveys, csv
    return _fill(scale, directory)


def _copy_store(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite store (its write-ahead log included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def _fill(scale: str, directory: Path):
    from evaluation.store import Store
    from evaluation.synthetic import generate

    previous = os.environ.get("IMPACT_HOME")
    os.environ["IMPACT_HOME"] = str(directory)
    try:
        start = time.perf_counter()
        data = generate(scale)
        generated = time.perf_counter() - start
        csv = directory / "surveys.csv"
        data.surveys.to_csv(csv, index=False)
        store = Store.open()
        start = time.perf_counter()
        for frame, kind in ((data.surveys, "survey"), (data.pupils, "pupil")):
            store.add_frame(
                frame, kind=kind, file_name=f"{scale} {kind}s", synthetic=True, uploader="benchmark"
            )
        loaded = time.perf_counter() - start
    finally:
        if previous is None:
            os.environ.pop("IMPACT_HOME", None)
        else:
            os.environ["IMPACT_HOME"] = previous
    print(
        f"Generated the {scale} sample in {generated:.1f} s; stored {len(data.surveys):,} survey "
        f"and {len(data.pupils):,} pupil rows, kept results computed, in {loaded:.1f} s"
    )
    return store, data.surveys, csv


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("small", "national"), default="national")
    add_home_argument(parser)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="bench_upload_"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)  # a national store is GBs
    os.environ["IMPACT_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    store, surveys, csv = load_store(args.scale, home, args.home)
    files = work_group_files(surveys, home)
    warm_up(store, surveys)
    upload = upload_pair(store, files)
    read = read_csv_time(csv)
    print(f"\npandas.read_csv of the survey CSV ({len(surveys):,} rows): {read:.2f} s")
    print(f"Upload of one Work Group's pre and post files:  {upload:.2f} s = {upload / read:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
