"""Benchmark: paired change for every hub x NCP x item, vectorised against a loop of SciPy calls.

Run ``python benchmarks/bench_paired.py`` (a few minutes, nearly all in the SciPy loop; builds the
national synthetic sample, about 1,000,000 survey rows). Prints the speed ratios and the largest
absolute differences of t, p_t, w and p_w between ``evaluation.stats.paired`` and
``scipy.stats.ttest_rel`` / ``scipy.stats.wilcoxon`` (defaults) run group by group in the same
process. Targets: statistics ratio >= 20, difference <= 1e-9.

Two timings, both reported:

- statistics: from the same matched pairs, ``paired_statistics`` (all columns: t-test,
  Wilcoxon, CIs, effect sizes) against the SciPy loop over the groups;
- end to end: ``paired_change`` from the long table (pairing included) against pandas pairing
  (an inner join on group and respondent) followed by the same loop.

The pairs the loop uses come from the pandas join, so our own pairing is checked too.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evaluation import columns as c
from evaluation.instruments import default_instrument
from evaluation.stats.paired import paired_change, paired_statistics
from evaluation.stats.scoring import to_long
from evaluation.synthetic import generate

BY = [c.HUB, c.NCP]
KEYS = [*BY, c.ITEM]


def pandas_pairs(long: pd.DataFrame) -> pd.DataFrame:
    """Matched pairs by an independent route: a pandas inner join of pre and post answers."""
    index = [*KEYS, c.RESPONDENT_ID]
    pre = long[long[c.PHASE] == "pre"].groupby(index, observed=True)[c.SCORE].mean()
    post = long[long[c.PHASE] == "post"].groupby(index, observed=True)[c.SCORE].mean()
    pairs = pd.concat({"pre": pre, "post": post}, axis=1, join="inner").reset_index()
    return pairs.sort_values(KEYS, kind="stable").reset_index(drop=True)


def scipy_loop(pairs: pd.DataFrame) -> pd.DataFrame:
    """ttest_rel and wilcoxon (SciPy defaults) for each group, one call each per group."""
    codes = pairs.groupby(KEYS, sort=False, observed=True).ngroup().to_numpy()
    bounds = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1], True])
    pre, post = pairs["pre"].to_numpy(), pairs["post"].to_numpy()
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degenerate groups warn in SciPy
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            x, y = post[lo:hi], pre[lo:hi]
            t = stats.ttest_rel(x, y)
            w = stats.wilcoxon(x, y)
            rows.append(
                (lo, float(t.statistic), float(t.pvalue), float(w.statistic), float(w.pvalue))
            )
    out = pd.DataFrame(rows, columns=["row", "t", "p_t", "w", "p_w"])
    keys = pairs.loc[out["row"], KEYS].reset_index(drop=True)
    return pd.concat([keys, out.drop(columns="row")], axis=1)


def largest_difference(ours: pd.DataFrame, theirs: pd.DataFrame) -> tuple[dict, pd.Series, int]:
    """Largest |ours - SciPy| per statistic where both are numbers, and why any NaN differs."""
    merged = ours.merge(theirs, on=KEYS, suffixes=("", "_scipy"), validate="one_to_one")
    worst, differs = {}, np.zeros(len(merged), dtype=bool)
    for name in ("t", "p_t", "w", "p_w"):
        a, b = merged[name].to_numpy(float), merged[f"{name}_scipy"].to_numpy(float)
        both = np.isfinite(a) & np.isfinite(b)
        worst[name] = float(np.max(np.abs(a[both] - b[both]), initial=0.0))
        differs |= np.isfinite(a) != np.isfinite(b)
    reasons = merged.loc[differs, "reason"].fillna("(no reason given)").value_counts()
    return worst, reasons, len(merged)


def main() -> int:
    """Build the national sample, time both routes and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="best of N for the fast route")
    args = parser.parse_args()

    surveys = generate("national").surveys
    long = to_long(surveys, default_instrument(), keys=BY)
    print(f"survey rows: {len(surveys):,}; long rows: {len(long):,}")

    start = time.perf_counter()
    pairs = pandas_pairs(long)
    pandas_pairing = time.perf_counter() - start
    group = pairs.groupby(KEYS, sort=False, observed=True).ngroup().to_numpy()
    n_groups = int(group.max()) + 1
    print(f"matched pairs: {len(pairs):,} in {n_groups:,} hub x NCP x item groups")

    start = time.perf_counter()
    theirs = scipy_loop(pairs)
    loop = time.perf_counter() - start

    stats_time = end_to_end = np.inf
    pre, post = pairs["pre"].to_numpy(), pairs["post"].to_numpy()
    for _ in range(args.repeats):
        start = time.perf_counter()
        paired_statistics(group, pre, post, n_groups)
        stats_time = min(stats_time, time.perf_counter() - start)
        start = time.perf_counter()
        ours = paired_change(long, by=BY)
        end_to_end = min(end_to_end, time.perf_counter() - start)

    worst, reasons, n_rows = largest_difference(ours, theirs)
    print(f"SciPy loop (ttest_rel + wilcoxon per group): {loop:8.2f} s")
    print(f"paired_statistics (same pairs, all columns): {stats_time:8.3f} s")
    print(
        f"  speed ratio, statistics:                   {loop / stats_time:8.1f} x  (target >= 20)"
    )
    print(f"pandas pairing + SciPy loop:                 {pandas_pairing + loop:8.2f} s")
    print(f"paired_change from the long table:           {end_to_end:8.3f} s")
    ratio_end = (pandas_pairing + loop) / end_to_end
    print(f"  speed ratio, end to end:                   {ratio_end:8.1f} x")
    print(f"groups compared: {n_rows:,}; NaN in one result but not the other: {reasons.sum()}")
    for reason, count in reasons.items():
        print(f"  {count:5d} x by design: {reason}")
    for name, value in worst.items():
        print(f"largest |difference| {name:4s}: {value:.3e}")
    largest = max(worst.values())
    print(f"largest absolute difference overall: {largest:.3e}  (target <= 1e-9)")
    return 0 if largest <= 1e-9 else 1


if __name__ == "__main__":
    sys.exit(main())
