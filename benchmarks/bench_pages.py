"""Each dashboard page with the national sample loaded: cold, after an upload, and cached.

Times AppTest runs of every page (through app.py, as a user navigates): the first visit of a
fresh process (cold), the first visit after one Work Group's pre and post files are uploaded
(every cache is keyed on the store version, so this is what users meet after any upload), and a
cached visit; each as a ratio to ``pandas.read_csv`` of the national survey CSV in the same run
(and the cached visit also against a bare page). Not a test: run it by hand, once:

    .venv/bin/python benchmarks/bench_pages.py [--scale national|small] [--repeat 3] [--home DIR]

``--home DIR`` keeps the filled store between runs (see ``bench_upload.py``).
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import streamlit.testing.v1.app_test as app_test_module  # noqa: E402
from streamlit.runtime.pages_manager import PagesManager  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_upload import (  # noqa: E402
    add_home_argument,
    load_store,
    read_csv_time,
    upload_pair,
    work_group_files,
)

APP = str(ROOT / "app.py")
TIMEOUT = 1800
BARE = "import streamlit as st\nst.title('Bare page')\nst.write('Nothing else.')\n"


class _NavigationPagesManager(PagesManager):
    """As in tests/test_pages.py: AppTest reruns go through app.py, as the server's do."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


def time_runs(at: AppTest, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        if at.exception:
            raise RuntimeError(at.exception[0].message)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("small", "national"), default="national")
    parser.add_argument("--repeat", type=int, default=3)
    add_home_argument(parser)
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="bench_pages_")
    atexit.register(shutil.rmtree, home, ignore_errors=True)  # a national store is GBs
    os.environ["IMPACT_HOME"] = home
    os.environ.pop("DATABASE_URL", None)
    os.environ["IMPACT_SEED_SAMPLE"] = "0"
    app_test_module.PagesManager = _NavigationPagesManager

    store, surveys, csv = load_store(args.scale, Path(home), args.home)

    bare = AppTest.from_string(BARE, default_timeout=60)
    bare.run()
    bare_time = statistics.median(time_runs(bare, args.repeat * 3))

    import app_support as ui

    visits = {}
    for key, (path, title, _icon) in ui.PAGES.items():
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.run()
        if key != "home":
            at.switch_page(path)
        start = time.perf_counter()
        at.run()  # first visit: fills the caches
        cold = time.perf_counter() - start
        if at.exception:
            raise RuntimeError(f"{path}: {at.exception[0].message}")
        warm = statistics.median(time_runs(at, args.repeat))
        visits[title] = (at, cold, warm)

    upload = upload_pair(store, work_group_files(surveys, Path(home)))
    results = []
    for title, (at, cold, warm) in visits.items():
        after = time_runs(at, 1)[0]  # first visit after the upload: a new store version
        results.append((title, cold, after, warm))
    read = read_csv_time(csv)

    print(f"\nBare page (st.title + st.write): {bare_time * 1000:.0f} ms per AppTest run")
    print(f"pandas.read_csv of the survey CSV ({len(surveys):,} rows): {read:.3f} s")
    print(f"Upload of one Work Group's pre and post files: {upload:.2f} s ({upload / read:.2f}x)\n")
    header = ("page", "cold (s)", "x csv", "after upload (s)", "x csv", "cached (s)", "x csv")
    print("{:<24} {:>9} {:>7} {:>17} {:>7} {:>11} {:>7}".format(*header))
    for title, cold, after, warm in results:
        print(
            f"{title:<24} {cold:>9.2f} {cold / read:>6.2f}x {after:>17.2f} {after / read:>6.2f}x "
            f"{warm:>11.3f} {warm / read:>6.2f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
