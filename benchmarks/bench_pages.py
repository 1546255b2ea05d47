"""How long each dashboard page takes to run with the national sample loaded and cached.

Times AppTest runs of every page (through app.py, as a user navigates) against a bare page, and
prints the ratios. Not a test: run it by hand, once:

    .venv/bin/python benchmarks/bench_pages.py [--scale national|small] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
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

APP = str(ROOT / "app.py")
TIMEOUT = 1800
BARE = "import streamlit as st\nst.title('Bare page')\nst.write('Nothing else.')\n"


class _NavigationPagesManager(PagesManager):
    """As in tests/test_pages.py: AppTest reruns go through app.py, as the server's do."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


def load_national(scale: str) -> dict[str, int]:
    """Fill a fresh default store with the synthetic sample at ``scale``; rows stored by kind."""
    from evaluation.store import Store
    from evaluation.synthetic import generate

    data = generate(scale)
    store = Store.open()
    store.add_frame(
        data.surveys,
        kind="survey",
        file_name=f"{scale} surveys",
        synthetic=True,
        uploader="benchmark",
    )
    store.add_frame(
        data.pupils,
        kind="pupil",
        file_name=f"{scale} pupils",
        synthetic=True,
        uploader="benchmark",
    )
    return {"survey": len(data.surveys), "pupil": len(data.pupils)}


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
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="bench_pages_")
    os.environ["IMPACT_HOME"] = home
    os.environ.pop("DATABASE_URL", None)
    os.environ["IMPACT_SEED_SAMPLE"] = "0"
    app_test_module.PagesManager = _NavigationPagesManager

    start = time.perf_counter()
    rows = load_national(args.scale)
    print(
        f"Stored the {args.scale} sample: {rows['survey']:,} survey rows, {rows['pupil']:,} "
        f"pupil rows in {time.perf_counter() - start:.1f} s"
    )

    bare = AppTest.from_string(BARE, default_timeout=60)
    bare.run()
    bare_time = statistics.median(time_runs(bare, args.repeat * 3))

    import app_support as ui

    results = []
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
        results.append((title, cold, warm))

    print(f"\nBare page (st.title + st.write): {bare_time * 1000:.0f} ms per AppTest run\n")
    print(f"{'page':<24} {'first visit (s)':>16} {'cached (s)':>11} {'cached / bare':>14}")
    for title, cold, warm in results:
        print(f"{title:<24} {cold:>16.2f} {warm:>11.3f} {warm / bare_time:>13.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
