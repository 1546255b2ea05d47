"""Print the simulated coverage of the g_av, d_z and pooled 95% intervals (issue 12).

Run: ``PYTHONPATH=. python benchmarks/coverage.py [runs]`` (default 20,000 groups per cell).
Paired: bivariate normal answers, pre SD 1, post SD 1.3, true delta_av 0.5. Pooled: hub effects
from N(0.3, tau^2), hub sizes 10-80, REML; Knapp–Hartung against the normal (z) interval.
"""

from __future__ import annotations

import sys
import time

from evaluation.stats.coverage import paired_coverage, pooled_coverage


def main(runs: int = 20_000) -> None:
    start = time.perf_counter()
    print(f"Paired intervals, {runs} groups per cell")
    print(f"{'rho':>5} {'n':>5} {'g_av':>7} {'d_z':>7}")
    for rho in (0.3, 0.6, 0.9):
        for n in (5, 10, 20, 50, 200):
            out = paired_coverage(rho, n, runs=runs, seed=int(1000 * rho) + n)
            print(f"{rho:>5} {n:>5} {out['g_av']:>7.4f} {out['d_z']:>7.4f}")
    print(f"\nPooled intervals (REML), {runs} pools per cell")
    print(f"{'k':>3} {'tau2':>6} {'knha':>7} {'z':>7}")
    for k in (2, 3, 5, 10):
        for tau2 in (0.02, 0.05, 0.2):
            knha = pooled_coverage(k, tau2, runs=runs, seed=10 * k)
            z = pooled_coverage(k, tau2, runs=runs, seed=10 * k, test="z")
            print(f"{k:>3} {tau2:>6} {knha['coverage']:>7.4f} {z['coverage']:>7.4f}")
    print(f"\n{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
