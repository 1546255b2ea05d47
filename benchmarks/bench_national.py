"""Benchmark: the whole cross-NCP overview at national scale, relative to the paired results.

Run: ``.venv/bin/python benchmarks/bench_national.py [--scale national|small]``. Prints the time
for ``paired_change(by=["hub", "ncp"])``, for ``cross_ncp_overview`` (REML and DL) and for a
plain loop of ``random_effects`` over the same groups, and the ratios. Not a test.
"""

from __future__ import annotations

import argparse
import time

from evaluation.instruments import default_instrument
from evaluation.stats.national import cross_ncp_overview, hub_effects
from evaluation.stats.paired import paired_change
from evaluation.stats.pooling import random_effects
from evaluation.stats.scoring import to_long
from evaluation.synthetic import generate


def best_of(repeats: int, func):
    """Smallest wall time of ``repeats`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=("small", "national"), default="national")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    surveys = generate(args.scale).surveys
    long = to_long(surveys, default_instrument(), keys=("hub", "ncp"))
    print(f"data: {len(surveys):,} survey rows, {len(long):,} long rows "
          f"({time.perf_counter() - start:.1f} s to generate and reshape)")  # fmt: skip

    t_paired, paired = best_of(1, lambda: paired_change(long, by=["hub", "ncp"]))
    print(f"paired_change by hub x NCP:        {t_paired:8.3f} s  ({len(paired):,} result rows)")

    t_reml, overview = best_of(args.repeats, lambda: cross_ncp_overview(paired))
    t_dl, _ = best_of(args.repeats, lambda: cross_ncp_overview(paired, method="DL"))
    print(f"cross_ncp_overview (REML):         {t_reml:8.3f} s  ({len(overview):,} NCP x outcome)")
    print(f"cross_ncp_overview (DL):           {t_dl:8.3f} s")

    hubs = hub_effects(paired)

    def loop() -> int:
        count = 0
        for _, group in hubs[~hubs.suppressed].groupby(["ncp", "item"]):
            random_effects(group["d_z"], group["d_z_se"] ** 2)
            count += 1
        return count

    t_loop, groups = best_of(args.repeats, loop)
    print(f"loop of random_effects per group:  {t_loop:8.3f} s  ({groups} groups)")
    print(f"overview / paired results time:    {t_reml / t_paired:8.4f}")
    print(f"loop / vectorised pooling time:    {t_loop / t_reml:8.2f}x")


if __name__ == "__main__":
    main()
