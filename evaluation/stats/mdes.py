"""Minimum detectable effect size (MDES) of a two-level cluster design: pupils in schools.

What effect a planned or achieved comparison could reliably detect, as PowerUp! computes it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

__all__ = ["MDES_COLUMNS", "Mdes", "design_mdes", "mdes", "mdes_table"]

MDES_COLUMNS = (
    "clusters",
    "per_cluster",
    "icc",
    "r2_individual",
    "r2_cluster",
    "share",
    "df",
    "multiplier",
    "mdes",
)


@dataclass(frozen=True)
class Mdes:
    """The MDES of one design with the inputs that gave it.

    Attributes
    ----------
    mdes : float
        Minimum detectable effect size in standard deviations (NaN when ``clusters <= 2``).
    multiplier : float
        ``M = t(1 - alpha/2, J - 2) + t(power, J - 2)``.
    df : float
        Degrees of freedom, ``J - 2``.
    clusters, per_cluster, icc, r2_individual, r2_cluster, share, alpha, power : float
        The design, as given.
    """

    mdes: float
    multiplier: float
    df: float
    clusters: float
    per_cluster: float
    icc: float
    r2_individual: float
    r2_cluster: float
    share: float
    alpha: float
    power: float


def _multiplier(df: np.ndarray, alpha: float, power: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        safe = np.where(df > 0, df, np.nan)
        return stats.t.ppf(1.0 - alpha / 2.0, safe) + stats.t.ppf(power, safe)


def mdes(
    clusters: ArrayLike,
    per_cluster: ArrayLike,
    icc: ArrayLike,
    r2_individual: ArrayLike = 0.0,
    r2_cluster: ArrayLike = 0.0,
    share: ArrayLike = 0.5,
    *,
    alpha: float = 0.05,
    power: float = 0.80,
) -> np.ndarray | float:
    """Minimum detectable effect size of a two-level cluster design (arrays broadcast).

    Parameters
    ----------
    clusters : array_like
        ``J``, the number of clusters (schools or Work Groups) in both arms together.
    per_cluster : array_like
        ``n``, the (average) number of pupils or teachers analysed per cluster.
    icc : array_like
        Intra-cluster correlation of the outcome, between 0 and 1.
    r2_individual : array_like, default 0
        ``R²₁``, share of the pupil-level variance explained by the covariates (the pre-test).
    r2_cluster : array_like, default 0
        ``R²₂``, share of the cluster-level variance explained by the covariates.
    share : array_like, default 0.5
        ``P``, the share of clusters in the intervention arm.
    alpha : float, default 0.05
        Two-sided significance level.
    power : float, default 0.80
        Power.

    Returns
    -------
    float or ndarray
        The MDES in standard deviations of the outcome; NaN where ``J <= 2`` or an input is
        out of range. A float when every input is a scalar.

    Notes
    -----
    .. math::

        MDES = M \\sqrt{\\frac{\\rho (1 - R_2^2)}{P (1 - P) J}
               + \\frac{(1 - \\rho)(1 - R_1^2)}{P (1 - P) J n}},
        \\quad M = t_{1-\\alpha/2,\\,J-2} + t_{1-\\beta,\\,J-2}

    with treatment assigned to whole clusters (Bloom 2006, eq. 4.13; PowerUp!'s ``CRA2_2r``).
    PowerUp! also subtracts the number of cluster-level covariates ``g*`` from the degrees of
    freedom; like DESIGN §6 we use ``J - 2`` (``g* = 0``), which differs from PowerUp! by one
    degree of freedom when ``R²₂`` comes from a cluster-level covariate.

    References
    ----------
    .. [1] Bloom, H. S. (2006). The core analytics of randomized experiments for social research.
       MDRC Working Papers on Research Methodology.
    .. [2] Dong, N., & Maynard, R. (2013). PowerUp!: A tool for calculating minimum detectable
       effect sizes and minimum required sample sizes for experimental and quasi-experimental
       design studies. Journal of Research on Educational Effectiveness, 6(1), 24-67.

    Examples
    --------
    >>> round(mdes(40, 25, 0.15, r2_individual=0.5, r2_cluster=0.5), 3)
    0.276
    >>> mdes([20, 40], 25, 0.15).round(2).tolist()
    [0.57, 0.39]
    """
    j, n, rho, r1, r2, p = np.broadcast_arrays(
        *(
            np.asarray(v, dtype="float64")
            for v in (clusters, per_cluster, icc, r2_individual, r2_cluster, share)
        )
    )
    df = j - 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        pq_j = p * (1.0 - p) * j
        variance = rho * (1.0 - r2) / pq_j + (1.0 - rho) * (1.0 - r1) / (pq_j * n)
        out = _multiplier(df, alpha, power) * np.sqrt(variance)
    bad = (
        (df <= 0)
        | ~(n > 0)
        | ~((rho >= 0) & (rho <= 1))
        | ~((p > 0) & (p < 1))
        | ~((r1 >= 0) & (r1 < 1))
        | ~((r2 >= 0) & (r2 < 1))
    )
    out = np.where(bad, np.nan, out)
    return float(out) if out.ndim == 0 else out


def mdes_table(
    clusters: ArrayLike,
    per_cluster: ArrayLike,
    icc: ArrayLike,
    r2_individual: ArrayLike = 0.0,
    r2_cluster: ArrayLike = 0.0,
    share: ArrayLike = 0.5,
    *,
    alpha: float = 0.05,
    power: float = 0.80,
) -> pd.DataFrame:
    """The MDES of every design in a grid of inputs, as a tidy table (one row per design).

    Parameters are as for :func:`mdes`; inputs broadcast against each other.

    Returns
    -------
    DataFrame
        Columns ``clusters, per_cluster, icc, r2_individual, r2_cluster, share, df,
        multiplier, mdes`` (``df = J - 2``; ``multiplier`` is ``M``).

    Examples
    --------
    >>> mdes_table([30, 60], 20, 0.1)[["clusters", "mdes"]].round(3).values.tolist()
    [[30.0, 0.404], [60.0, 0.28]]
    """
    inputs = np.broadcast_arrays(
        *(
            np.atleast_1d(np.asarray(v, dtype="float64"))
            for v in (clusters, per_cluster, icc, r2_individual, r2_cluster, share)
        )
    )
    flat = [v.ravel() for v in inputs]
    df = flat[0] - 2.0
    table = pd.DataFrame(dict(zip(MDES_COLUMNS[:6], flat, strict=True)))
    table["df"] = np.where(df > 0, df, np.nan)
    table["multiplier"] = _multiplier(df, alpha, power)
    table["mdes"] = mdes(*flat, alpha=alpha, power=power)
    return table


def design_mdes(
    clusters: float,
    per_cluster: float,
    icc: float,
    r2_individual: float = 0.0,
    r2_cluster: float = 0.0,
    share: float = 0.5,
    *,
    alpha: float = 0.05,
    power: float = 0.80,
) -> Mdes:
    """The MDES of one design as a frozen :class:`Mdes` (what the CLI and planner show).

    Examples
    --------
    >>> result = design_mdes(40, 25, 0.15, 0.5, 0.5)
    >>> round(result.mdes, 3), result.df
    (0.276, 38.0)
    """
    table = mdes_table(
        clusters, per_cluster, icc, r2_individual, r2_cluster, share, alpha=alpha, power=power
    )
    row = table.iloc[0]
    return Mdes(
        mdes=float(row["mdes"]),
        multiplier=float(row["multiplier"]),
        df=float(row["df"]),
        clusters=float(clusters),
        per_cluster=float(per_cluster),
        icc=float(icc),
        r2_individual=float(r2_individual),
        r2_cluster=float(r2_cluster),
        share=float(share),
        alpha=alpha,
        power=power,
    )
