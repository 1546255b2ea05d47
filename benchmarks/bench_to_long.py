"""Benchmark: ``to_long`` (NumPy and Arrow) against the ``DataFrame.melt`` route it replaced.

Run: ``.venv/bin/python benchmarks/bench_to_long.py [--scale national|small] [--repeats N]``.
Builds the synthetic sample (national: about 1,000,000 survey rows, 11.7 million long rows),
times both routes in the same process (N alternating calls each) and prints every time, the
ratios of the best and of the median times, and whether the two long tables are identical
(``DataFrame.equals`` plus the dtypes). Not a test.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evaluation import columns as c
from evaluation.instruments import Instrument, default_instrument
from evaluation.stats.scoring import construct_scores, to_long
from evaluation.synthetic import generate

KEYS = (c.HUB, c.NCP, c.ACADEMIC_YEAR, c.WORK_GROUP)


def melt_to_long(
    frame: pd.DataFrame,
    instrument: Instrument,
    *,
    keys: Sequence[str] = KEYS,
    pair_within: Sequence[str] = (c.NCP, c.ACADEMIC_YEAR),
) -> pd.DataFrame:
    """The previous ``to_long``: qualify the code, add construct scores, ``melt``, drop NaN."""
    id_cols = [k for k in keys if k in frame] + [c.RESPONDENT_ID, c.PHASE]
    items = [i for i in instrument.item_ids if i in frame]
    wide = frame[id_cols + items]
    within = [k for k in pair_within if k in frame]
    if within:
        respondent = frame[c.RESPONDENT_ID].astype("str")
        qualified = respondent.str.cat([frame[k].astype("str") for k in within], sep="|")
        wide = wide.assign(**{c.RESPONDENT_ID: qualified.where(frame[c.RESPONDENT_ID].notna())})
    wide = pd.concat([wide, construct_scores(frame[items], instrument)], axis=1)
    long = wide.melt(id_vars=id_cols, var_name=c.ITEM, value_name=c.SCORE)
    long = long.dropna(subset=[c.SCORE])
    long[c.SCORE] = long[c.SCORE].astype("float64")
    return long.reset_index(drop=True)


def timed(func: Callable[[], pd.DataFrame]) -> tuple[float, pd.DataFrame]:
    """Wall time of one call, and its result."""
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def main() -> int:
    """Time both routes, alternating calls, and check that they agree."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("small", "national"), default="national")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    surveys = generate(args.scale).surveys
    instrument = default_instrument()
    for keys in ((c.HUB, c.NCP), KEYS):
        fast_s, melt_s = [], []
        for _ in range(args.repeats):  # alternate, so neither route always runs on a cold heap
            seconds, slow = timed(lambda k=keys: melt_to_long(surveys, instrument, keys=k))
            melt_s.append(seconds)
            del slow
            seconds, fast = timed(lambda k=keys: to_long(surveys, instrument, keys=k))
            fast_s.append(seconds)
        slow = melt_to_long(surveys, instrument, keys=keys)
        same = fast.equals(slow) and fast.dtypes.equals(slow.dtypes)
        print(
            f"keys={list(keys)}: {len(surveys):,} wide -> {len(fast):,} long rows, "
            f"identical: {same}\n"
            f"  to_long s: {' '.join(f'{s:.2f}' for s in fast_s)} | "
            f"melt s: {' '.join(f'{s:.2f}' for s in melt_s)} | "
            f"ratio of best {min(melt_s) / min(fast_s):.1f}x, "
            f"of medians {sorted(melt_s)[len(melt_s) // 2] / sorted(fast_s)[len(fast_s) // 2]:.1f}x"
        )
        del fast, slow
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
