"""Simulated coverage of our confidence intervals (for the acceptance test and the benchmark).

Many groups are generated at once and passed through the same vectorised functions the toolkit
uses (:func:`evaluation.stats.paired.paired_statistics`,
:func:`evaluation.stats.pooling.pooled_by`), so a simulation of thousands of groups takes
seconds. Each function returns the share of intervals that contain the true value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.stats.paired import paired_statistics
from evaluation.stats.pooling import Method, Test, pooled_by

__all__ = ["paired_coverage", "pooled_coverage"]


def paired_coverage(
    rho: float,
    n: int,
    *,
    runs: int = 2000,
    seed: int = 0,
    sd_pre: float = 1.0,
    sd_post: float = 1.3,
    delta_av: float = 0.5,
    level: float = 0.95,
) -> dict[str, float]:
    """Coverage of the ``g_av`` and ``d_z`` intervals for bivariate normal pre/post answers.

    Parameters
    ----------
    rho : float
        Correlation between the pre and post answers.
    n : int
        Pairs per group.
    runs : int
        Number of simulated groups.
    seed : int
        Seed of the random generator.
    sd_pre, sd_post : float
        Population SDs of the answers.
    delta_av : float
        True mean change in units of the average SD, :math:`(\\sigma_1 + \\sigma_2)/2`.
    level : float
        Confidence level.

    Returns
    -------
    dict
        ``g_av`` and ``d_z``: share of intervals containing the true :math:`\\delta_{av}` and
        :math:`\\delta_z = \\mu_d / \\sigma_d`; ``runs``.

    Examples
    --------
    >>> out = paired_coverage(0.6, 20, runs=200, seed=1)
    >>> sorted(out), 0.85 < out["g_av"] <= 1.0
    (['d_z', 'g_av', 'runs'], True)
    """
    rng = np.random.default_rng(seed)
    mean_change = delta_av * (sd_pre + sd_post) / 2
    sd_change = np.sqrt(sd_pre**2 + sd_post**2 - 2 * rho * sd_pre * sd_post)
    z1 = rng.standard_normal((runs, n))
    z2 = rho * z1 + np.sqrt(1 - rho**2) * rng.standard_normal((runs, n))
    pre = sd_pre * z1
    post = mean_change + sd_post * z2
    group = np.repeat(np.arange(runs), n)
    out = paired_statistics(group, pre.ravel(), post.ravel(), runs, level=level)
    delta_z = mean_change / sd_change
    g_cover = (out["g_av_ci_low"] <= delta_av) & (delta_av <= out["g_av_ci_high"])
    z_cover = (out["d_z_ci_low"] <= delta_z) & (delta_z <= out["d_z_ci_high"])
    return {"g_av": float(np.mean(g_cover)), "d_z": float(np.mean(z_cover)), "runs": runs}


def pooled_coverage(
    k: int,
    tau2: float,
    *,
    runs: int = 2000,
    seed: int = 0,
    mu: float = 0.3,
    n_range: tuple[int, int] = (10, 80),
    method: Method = "REML",
    test: Test = "knha",
    level: float = 0.95,
) -> dict[str, float]:
    """Coverage of the pooled random-effects interval for ``k`` hubs.

    Each hub's true effect is drawn from N(mu, tau2); its estimate from N(true, v) with
    v = 1/n + mu^2/(2n), the ``d_z`` sampling variance of a hub of n people (n uniform in
    ``n_range``), and v is known, as in the model.

    Parameters
    ----------
    k : int
        Hubs per pool.
    tau2 : float
        Between-hub variance of the true effects.
    runs, seed : int
        Simulated pools and the seed.
    mu : float
        The true pooled effect.
    n_range : (int, int)
        Range of hub sizes.
    method, test : str
        As :func:`evaluation.stats.pooling.pooled_by`.
    level : float
        Confidence level.

    Returns
    -------
    dict
        ``coverage`` (share of intervals containing ``mu``), ``runs``.

    Examples
    --------
    >>> out = pooled_coverage(5, 0.05, runs=200, seed=1)
    >>> 0.85 < out["coverage"] <= 1.0
    True
    """
    rng = np.random.default_rng(seed)
    n = rng.integers(n_range[0], n_range[1] + 1, size=(runs, k)).astype(float)
    v = 1 / n + mu**2 / (2 * n)
    truth = mu + np.sqrt(tau2) * rng.standard_normal((runs, k))
    y = truth + np.sqrt(v) * rng.standard_normal((runs, k))
    table = pd.DataFrame(
        {
            "pool": np.repeat(np.arange(runs), k),
            "d_z": y.ravel(),
            "d_z_se": np.sqrt(v).ravel(),
            "n_paired": n.ravel(),
        }
    )
    out = pooled_by(table, ["pool"], method=method, test=test, level=level)
    cover = (out["ci_low"] <= mu) & (mu <= out["ci_high"])
    return {"coverage": float(np.mean(cover)), "runs": runs}
