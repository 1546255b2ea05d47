"""Random-effects pooling of hub effects (REML and DerSimonian-Laird) and funnel-plot limits.

One grouped implementation serves both a single pool (:func:`random_effects`) and every group
of a results table at once (:func:`pooled_by`), so the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, cast

import numpy as np
import pandas as pd
from scipy import optimize, stats

from evaluation.columns import POOLED_COLUMNS
from evaluation.stats.groups import group_index

__all__ = [
    "METHODS",
    "POOLED_COLUMNS",
    "Method",
    "RandomEffectsResult",
    "control_limits",
    "funnel_band",
    "pooled_by",
    "random_effects",
]

Method = Literal["REML", "DL"]
METHODS: tuple[str, ...] = ("REML", "DL")
Test = Literal["z", "knha"]
TESTS: tuple[str, ...] = ("z", "knha")
# How each test is named in tables and notes.
TEST_LABELS = {"z": "normal (z)", "knha": "Knapp–Hartung"}
KNHA_NOTE = (
    "Interval by the Knapp–Hartung method (t distribution on k - 1 degrees of freedom), which "
    "allows for the uncertainty in the between-hub variance when there are few hubs."
)


_MAX_ITER = 200
_TOL = 1e-10


@dataclass(frozen=True)
class RandomEffectsResult:
    """A random-effects pooled estimate with its heterogeneity statistics.

    Attributes
    ----------
    estimate, se, ci_low, ci_high : float
        Pooled effect, its standard error and confidence interval (normal quantile for
        ``test="z"``; Knapp–Hartung standard error and t quantile on k - 1 df for ``"knha"``).
    tau2 : float
        Between-hub variance of the true effects (NaN when only one hub).
    i2 : float
        Share of the total variation due to between-hub differences, as a percentage.
    q, q_p : float
        Cochran's Q (df = k - 1) and its chi-squared p-value.
    pi_low, pi_high : float
        95% prediction interval for a new hub's true effect (NaN for k < 3).
    k : int
        Number of hubs pooled.
    method : str
        ``"REML"`` or ``"DL"``.
    k_excluded : int
        Hubs left out because their effect or variance was missing or their variance was 0.
    note : str or None
        Plain-English remarks (hubs left out, too few hubs for a prediction interval, ...).
    test : str
        ``"z"`` or ``"knha"`` (Knapp–Hartung).
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    tau2: float
    i2: float
    q: float
    q_p: float
    pi_low: float
    pi_high: float
    k: int
    method: str = "REML"
    k_excluded: int = 0
    note: str | None = None
    test: str = "z"


def _check_test(test: str) -> Test:
    test = str(test).lower()
    if test not in TESTS:
        raise ValueError(f"test must be one of {TESTS}, not {test!r}")
    return cast(Test, test)


def _check_method(method: str) -> Method:
    method = str(method).upper()
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    return cast(Method, method)


def _fisher_scoring(
    y: np.ndarray, v: np.ndarray, g: np.ndarray, gsum, t0: np.ndarray, active: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """REML tau^2 per group by Fisher scoring from ``t0``; returns (tau2, converged).

    A full scoring step can overshoot and oscillate around the maximum (e.g. one precise hub
    among several imprecise ones), so each time the step changes direction it is damped by half,
    and a step that would make the restricted likelihood worse is halved until it does not.
    """
    converged = ~active
    t = t0
    damping = np.ones_like(t0, dtype=float)
    previous = np.zeros_like(t0, dtype=float)
    for _ in range(_MAX_ITER):
        if converged.all():
            break
        wt = 1.0 / (v + t[g])
        s1, s2, s3 = gsum(wt), gsum(wt * wt), gsum(wt**3)
        with np.errstate(invalid="ignore", divide="ignore"):
            mu = gsum(wt * y) / s1
            ypp_y = gsum((wt * (y - mu[g])) ** 2)
            tr_p = s1 - s2 / s1
            tr_pp = s2 - 2.0 * s3 / s1 + (s2 / s1) ** 2
            step = np.where(converged, 0.0, np.nan_to_num((ypp_y - tr_p) / tr_pp))
        damping = np.where(step * previous < 0, damping / 2.0, damping)
        previous = step
        step = step * damping
        new = np.maximum(0.0, t + step)
        with np.errstate(invalid="ignore", over="ignore"):  # groups of one hub give inf/nan
            current = _reml_deviance(y, v, g, gsum, t)
            for _ in range(50):
                worse = _reml_deviance(y, v, g, gsum, new) > current + 1e-12 * np.abs(current)
                if not worse.any():
                    break
                step = np.where(worse, step / 2.0, step)
                new = np.maximum(0.0, t + step)
        done = np.abs(new - t) <= _TOL * np.maximum(1.0, t)
        t = np.where(converged, t, new)
        converged = converged | done
    return t, converged & active


def _reml_deviance(y: np.ndarray, v: np.ndarray, g: np.ndarray, gsum, t: np.ndarray) -> np.ndarray:
    """Twice the negative restricted log-likelihood per group (up to a constant) at tau^2 = t."""
    wt = 1.0 / (v + t[g])
    sw = gsum(wt)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = gsum(wt * y) / sw
        return gsum(np.log(v + t[g])) + np.log(sw) + gsum(wt * (y - mu[g]) ** 2)


def _bounded_reml(y: np.ndarray, v: np.ndarray) -> tuple[float, bool]:
    """REML tau^2 of one group by bounded Brent search on [0, upper]; returns (tau2, found).

    ``upper`` (10 x (variance of the effects + largest within-hub variance) + 1) lies beyond
    any maximum of the restricted likelihood for effects on a standardised scale.
    """
    one = np.zeros(len(y), dtype=int)

    def gsum(values: np.ndarray) -> np.ndarray:
        return np.bincount(one, weights=values, minlength=1)

    def deviance(tau2: float) -> float:
        return float(_reml_deviance(y, v, one, gsum, np.array([tau2]))[0])

    upper = 10.0 * (float(np.var(y)) + float(v.max())) + 1.0
    found = optimize.minimize_scalar(
        deviance, bounds=(0.0, upper), method="bounded", options={"xatol": 1e-12}
    )
    if not found.success or not np.isfinite(found.fun):
        return float("nan"), False
    return (0.0, True) if deviance(0.0) <= found.fun else (float(found.x), True)


def _grouped(
    y: np.ndarray,
    v: np.ndarray,
    g: np.ndarray,
    n_groups: int,
    method: str,
    level: float,
    test: str = "z",
) -> dict[str, np.ndarray]:
    """Pool effects ``y`` with variances ``v`` within groups ``g`` (0..n_groups-1), vectorised.

    Inputs must already be cleaned (finite y, finite v > 0).
    """

    def gsum(values: np.ndarray) -> np.ndarray:
        return np.bincount(g, weights=values, minlength=n_groups)

    k = np.bincount(g, minlength=n_groups).astype(float)
    # Fixed-effect quantities: Cochran's Q and the DL moment estimator.
    w = 1.0 / v
    sw, sw2 = gsum(w), gsum(w * w)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu_fe = gsum(w * y) / sw
        q = gsum(w * (y - mu_fe[g]) ** 2)
        c = sw - sw2 / sw
        tau2_dl = np.maximum(0.0, (q - (k - 1)) / c)
    tau2 = np.where(k >= 2, tau2_dl, np.nan)
    converged = np.ones(n_groups, dtype=bool)

    if method == "REML":
        # Fisher scoring for the intercept-only model (Viechtbauer 2005; as metafor's rma.uni),
        # projected onto tau2 >= 0. The restricted likelihood can have two maxima (one on the
        # boundary tau2 = 0), so scoring starts from 0, from the DL value and from the spread of
        # the effects, and the start reaching the highest likelihood wins.
        active = k >= 2
        mean_y = gsum(y) / np.maximum(k, 1)
        spread = gsum((y - mean_y[g]) ** 2) / np.maximum(k - 1, 1)
        t, converged = np.zeros(n_groups), np.zeros(n_groups, dtype=bool)
        best = np.full(n_groups, np.inf)
        for start in (tau2_dl, np.zeros(n_groups), spread):
            fit, ok = _fisher_scoring(y, v, g, gsum, np.where(active, start, 0.0), active)
            with np.errstate(invalid="ignore", over="ignore"):
                deviance = np.where(ok, _reml_deviance(y, v, g, gsum, fit), np.inf)
            wins = deviance < best  # ties keep the earlier start (DL first)
            t, converged, best = np.where(wins, fit, t), converged | ok, np.minimum(best, deviance)
        # Where the likelihood is very flat, scoring creeps (steps of 1e-3 for hundreds of
        # iterations); those groups are finished by a bounded one-dimensional search instead.
        for group in np.flatnonzero(active & ~converged):
            t[group], converged[group] = _bounded_reml(y[g == group], v[g == group])
        converged = converged | ~active
        tau2 = np.where(active, np.where(converged, t, tau2_dl), np.nan)

    t_eff = np.nan_to_num(tau2, nan=0.0)  # k = 1: the hub's own result
    ws = 1.0 / (v + t_eff[g])
    sws = gsum(ws)
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = gsum(ws * y) / sws
        se = np.sqrt(1.0 / sws)
        # Typical within-hub variance, as in metafor (Higgins & Thompson 2002).
        s2_typical = (k - 1) * sw / (sw**2 - sw2)
        i2 = np.where(k >= 2, 100.0 * tau2 / (tau2 + s2_typical), np.nan)
        i2 = np.where((k >= 2) & (tau2 == 0), 0.0, i2)
    z = stats.norm.ppf(0.5 + level / 2)
    df = k - 1
    q = np.where(k >= 1, q, np.nan)
    q_p = np.where(df >= 1, stats.chi2.sf(q, np.maximum(df, 1)), np.nan)
    crit = np.full(n_groups, z)
    if test == "knha":
        # Knapp & Hartung (2003), as metafor's test="knha": the variance is scaled by the
        # weighted residual mean square (not truncated at 1) and the quantile is t on k - 1 df.
        # One hub keeps its own (z) interval.
        with np.errstate(invalid="ignore", divide="ignore"):
            s2w = gsum(ws * (y - estimate[g]) ** 2) / df
            se = np.where(k >= 2, np.sqrt(s2w) * se, se)
        crit = np.where(k >= 2, stats.t.ppf(0.5 + level / 2, np.maximum(df, 1)), z)
        # metafor's predict(): the same t (k - 1 df) and the Knapp-Hartung SE in the PI.
        t_crit = np.where(k >= 3, crit, np.nan)
    else:
        # Prediction interval: Higgins, Thompson & Spiegelhalter (2009), t with k - 2 df.
        t_crit = np.where(k >= 3, stats.t.ppf(0.5 + level / 2, np.maximum(k - 2, 1)), np.nan)
    half = t_crit * np.sqrt(t_eff + se**2)
    return {
        "k": k.astype(int),
        "estimate": estimate,
        "se": se,
        "ci_low": estimate - crit * se,
        "ci_high": estimate + crit * se,
        "tau2": tau2,
        "i2": i2,
        "q": q,
        "q_df": df,
        "q_p": q_p,
        "pi_low": estimate - half,
        "pi_high": estimate + half,
        "converged": converged,
    }


def _notes(
    k: int, excluded_zero: int, excluded_missing: int, converged: bool, test: str = "z"
) -> str | None:
    notes = []
    if test == "knha" and k >= 2:
        notes.append(KNHA_NOTE)
    if excluded_missing:
        notes.append(f"{_hubs(excluded_missing)} left out because there was no result to pool.")
    if excluded_zero:
        notes.append(
            f"{_hubs(excluded_zero)} left out because every respondent changed by the same "
            "amount (standard error 0), so the result cannot be weighted."
        )
    if k == 0:
        notes.append("No hubs to pool.")
    elif k == 1:
        notes.append(
            "Only one hub: its own result is shown; variation between hubs cannot be estimated."
        )
    elif k == 2:
        notes.append("A prediction interval needs at least 3 hubs.")
    if not converged:
        notes.append("REML did not settle, so the DerSimonian-Laird estimate of tau^2 is used.")
    return " ".join(notes) or None


def _hubs(n: int) -> str:
    return "1 hub" if n == 1 else f"{n} hubs"


def _clean(y: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Masks: usable rows, rows without a result, rows with zero variance."""
    missing = ~np.isfinite(y) | ~np.isfinite(v) | (v < 0)
    zero = ~missing & (v == 0)
    return ~missing & ~zero, missing, zero


def random_effects(
    effects: Sequence[float] | np.ndarray | pd.Series,
    variances: Sequence[float] | np.ndarray | pd.Series,
    method: Method = "REML",
    test: Test = "z",
    *,
    level: float = 0.95,
) -> RandomEffectsResult:
    """Random-effects meta-analysis of ``k`` effects with known sampling variances.

    Parameters
    ----------
    effects : array-like of float
        One effect per hub (e.g. each hub's standardised paired change ``d_z``).
    variances : array-like of float
        The sampling variance of each effect (squared standard error).
    method : {"REML", "DL"}
        Estimator of the between-hub variance tau^2: restricted maximum likelihood (default)
        or DerSimonian-Laird.
    test : {"z", "knha"}
        ``"z"``: normal quantile and SE sqrt(1 / sum w*). ``"knha"``: the Knapp-Hartung (HKSJ)
        adjustment, as metafor's ``rma(..., test="knha")``.
    level : float
        Confidence level for the pooled CI and the prediction interval.

    Returns
    -------
    RandomEffectsResult
        ``estimate, se, ci_low, ci_high, tau2, i2 (percent), q, q_p, pi_low, pi_high, k,
        method, k_excluded, note, test``.

    Notes
    -----
    With weights w_i = 1 / v_i, Cochran's Q = sum w_i (y_i - y_FE)^2 on k - 1 df.
    DL: tau^2 = max(0, (Q - (k - 1)) / (sum w - sum w^2 / sum w)).
    REML: Fisher scoring, tau^2 <- tau^2 + (y'PPy - tr P) / tr(PP) with
    P = W - W 1 1' W / sum W and W = diag(1 / (v_i + tau^2)), kept at tau^2 >= 0, until the
    change is below 1e-10 (Viechtbauer 2005, as in metafor's ``rma``).
    Pooled estimate: mu = sum w*_i y_i / sum w*_i with w*_i = 1 / (v_i + tau^2),
    SE = sqrt(1 / sum w*_i), CI = mu +/- z SE.
    I^2 = 100 tau^2 / (tau^2 + s^2), s^2 = (k - 1) sum w / ((sum w)^2 - sum w^2).
    Prediction interval: mu +/- t_{k-2} sqrt(tau^2 + SE^2); undefined (NaN) for k < 3.

    Knapp-Hartung (``test="knha"``): SE_KH^2 = SE^2 * sum w*_i (y_i - mu)^2 / (k - 1) and
    CI = mu +/- t_{k-1} SE_KH; the prediction interval then uses t_{k-1} and SE_KH, as metafor's
    ``predict()`` does for such a model. With one hub the hub's own z interval is kept.
    Simulated coverage of the 95% CI with tau^2 > 0 is at least 0.93 for k = 3-10 hubs,
    where the z interval falls to 0.84 (``benchmarks/coverage.py``).
    Effects with a missing value or a zero variance are left out (``k_excluded``, with a
    note): a zero variance would give one hub infinite weight. With k = 1 the hub's own
    result is returned and tau^2, I^2 are NaN.

    References
    ----------
    DerSimonian R, Laird N (1986). Meta-analysis in clinical trials. Controlled Clinical
    Trials 7:177-188. Viechtbauer W (2005). Bias and efficiency of meta-analytic variance
    estimators in the random-effects model. J Educ Behav Stat 30:261-293. Higgins JPT,
    Thompson SG, Spiegelhalter DJ (2009). A re-evaluation of random-effects meta-analysis.
    J R Stat Soc A 172:137-159. Knapp G, Hartung J (2003). Improved tests for a random effects
    meta-regression with a single covariate. Stat Med 22:2693-2710.

    Examples
    --------
    >>> res = random_effects([0.2, 0.5, 0.9], [0.04, 0.02, 0.05], method="DL")
    >>> round(res.estimate, 4), res.k
    (0.5201, 3)
    >>> kh = random_effects([0.2, 0.5, 0.9], [0.04, 0.02, 0.05], method="DL", test="knha")
    >>> round(kh.estimate, 4), kh.test
    (0.5201, 'knha')
    >>> random_effects([0.3, 0.3], [0.01, 0.02]).tau2
    0.0
    """
    method = _check_method(method)
    test = _check_test(test)
    y = np.asarray(effects, dtype=float)
    v = np.asarray(variances, dtype=float)
    if y.shape != v.shape or y.ndim != 1:
        raise ValueError("effects and variances must be 1-D and the same length")
    use, missing, zero = _clean(y, v)
    yu, vu = y[use], v[use]
    k = int(use.sum())
    if k == 0:
        nan = float("nan")
        return RandomEffectsResult(
            nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, 0, method,
            int(missing.sum() + zero.sum()), _notes(0, int(zero.sum()), int(missing.sum()), True),
            test,
        )  # fmt: skip
    out = _grouped(yu, vu, np.zeros(k, dtype=np.intp), 1, method, level, test)
    return RandomEffectsResult(
        estimate=float(out["estimate"][0]),
        se=float(out["se"][0]),
        ci_low=float(out["ci_low"][0]),
        ci_high=float(out["ci_high"][0]),
        tau2=float(out["tau2"][0]),
        i2=float(out["i2"][0]),
        q=float(out["q"][0]),
        q_p=float(out["q_p"][0]),
        pi_low=float(out["pi_low"][0]),
        pi_high=float(out["pi_high"][0]),
        k=k,
        method=method,
        k_excluded=int(missing.sum() + zero.sum()),
        note=_notes(k, int(zero.sum()), int(missing.sum()), bool(out["converged"][0]), test),
        test=test,
    )


def pooled_by(
    table: pd.DataFrame,
    by: Sequence[str] = ("ncp", "item"),
    *,
    effect: str = "d_z",
    se: str | None = None,
    n_col: str = "n_paired",
    method: Method = "REML",
    level: float = 0.95,
    test: Test = "knha",
) -> pd.DataFrame:
    """Pool every group of a per-hub effects table at once (one row per group).

    Parameters
    ----------
    table : DataFrame
        One row per hub x group with columns ``effect``, ``se`` and ``n_col``; rows with
        ``suppressed == True`` (see :mod:`evaluation.stats.disclosure`) are never pooled.
    by : sequence of str
        Grouping columns, e.g. ``["ncp", "item"]``; empty for a single pool.
    effect : str
        Column holding each hub's effect (``d_z`` or ``mean_change``).
    se : str, optional
        Column holding its standard error; default ``f"{effect}_se"``.
    n_col : str
        Respondent count summed into ``n_respondents`` (unsuppressed hubs only).
    method : {"REML", "DL"}
        tau^2 estimator.
    level : float
        Confidence level.
    test : {"knha", "z"}
        Knapp-Hartung interval (default) or the normal one (see :func:`random_effects`).

    Returns
    -------
    DataFrame
        ``*by, method, test, k, k_suppressed, k_excluded, n_respondents, estimate, se, ci_low,
        ci_high, tau2, i2, q, q_df, q_p, pi_low, pi_high, note``. ``k`` counts hubs pooled,
        ``k_suppressed`` hubs hidden by disclosure control, ``k_excluded`` hubs with no usable
        result. Same numbers as :func:`random_effects` on each group.

    Examples
    --------
    >>> t = pd.DataFrame({"ncp": ["A", "A", "A", "B"], "d_z": [0.2, 0.5, 0.9, 0.4],
    ...                   "d_z_se": [0.2, 0.1414, 0.2236, 0.1], "n_paired": [30, 60, 25, 80]})
    >>> out = pooled_by(t, ["ncp"], method="DL")
    >>> out[["ncp", "test", "k", "n_respondents"]].values.tolist()
    [['A', 'knha', 3, 115], ['B', 'knha', 1, 80]]
    """
    method = _check_method(method)
    test = _check_test(test)
    se = se or f"{effect}_se"
    by = list(by)
    frame = table.reset_index(drop=True)
    suppressed = (
        frame["suppressed"].fillna(False).to_numpy(dtype=bool)
        if "suppressed" in frame
        else np.zeros(len(frame), dtype=bool)
    )
    if by:
        codes, keys = group_index(frame, by)
    else:
        codes = np.zeros(len(frame), dtype=np.intp)
        keys = pd.DataFrame(index=[0])
    n_groups = len(keys)
    y = frame[effect].to_numpy(dtype=float, na_value=np.nan)
    v = frame[se].to_numpy(dtype=float, na_value=np.nan) ** 2
    use, missing, zero = _clean(y, v)
    use &= ~suppressed
    missing &= ~suppressed
    zero &= ~suppressed
    n = frame[n_col].to_numpy(dtype=float, na_value=np.nan) if n_col in frame else None

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(codes[mask], minlength=n_groups).astype(int)

    out = _grouped(y[use], v[use], codes[use], n_groups, method, level, test)
    k = out.pop("k")
    converged = out.pop("converged")
    n_missing, n_zero, k_supp = count(missing), count(zero), count(suppressed)
    result = keys.reset_index(drop=True).copy()
    result["method"] = method
    result["test"] = test
    result["k"] = k
    result["k_suppressed"] = k_supp
    result["k_excluded"] = n_missing + n_zero
    if n is not None:
        result["n_respondents"] = (
            np.bincount(codes[use], weights=np.nan_to_num(n[use]), minlength=n_groups)
            .round()
            .astype("int64")
        )
    else:
        result["n_respondents"] = pd.array([pd.NA] * n_groups, dtype="Int64")
    for name, values in out.items():
        result[name] = np.where(k >= 1, values, np.nan) if name != "q_df" else values
    result["q_df"] = np.maximum(k - 1, 0)
    notes = []
    for i in range(n_groups):
        note = _notes(int(k[i]), int(n_zero[i]), int(n_missing[i]), bool(converged[i]), test)
        if k_supp[i]:
            hidden = (
                f"{_hubs(int(k_supp[i]))} not included: results hidden to protect small groups."
            )
            note = f"{hidden} {note}" if note else hidden
        notes.append(note)
    result["note"] = pd.Series(notes, dtype=object)
    return result[[*by, *POOLED_COLUMNS]]


def control_limits(target: float, se: np.ndarray | float, level: float) -> tuple:
    """Funnel-plot control limits ``target -/+ z se`` for a two-sided ``level``.

    Spiegelhalter (2005) uses 95% (z = 1.96) and 99.8% (z = 3.09) limits, drawn around the
    target (here the pooled effect) as a function of each unit's standard error.

    References
    ----------
    Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance.
    Statistics in Medicine 24:1185-1202.

    Examples
    --------
    >>> low, high = control_limits(0.0, 1.0, 0.998)
    >>> round(float(high), 3)
    3.09
    """
    z = stats.norm.ppf(0.5 + level / 2)
    se = np.asarray(se, dtype=float)
    return target - z * se, target + z * se


def funnel_band(value: np.ndarray, target: np.ndarray | float, se: np.ndarray) -> np.ndarray:
    """Where each value falls against its funnel limits (:func:`control_limits`).

    ``"outside 99.8%"`` beyond the 99.8% limits, ``"outside 95%"`` beyond the 95% ones, else
    ``"within"``.

    Parameters
    ----------
    value : ndarray
        The estimates (e.g. each hub's effect).
    target : ndarray or float
        The value the limits are drawn around, per estimate or shared.
    se : ndarray
        The standard error each estimate's limits use.

    Returns
    -------
    ndarray of str
        The band of each estimate.

    Examples
    --------
    >>> funnel_band(np.array([0.1, 2.5, 4.0]), 0.0, np.array([1.0, 1.0, 1.0])).tolist()
    ['within', 'outside 95%', 'outside 99.8%']
    """
    low_95, high_95 = control_limits(target, se, 0.95)
    low_998, high_998 = control_limits(target, se, 0.998)
    return np.where(
        (value < low_998) | (value > high_998),
        "outside 99.8%",
        np.where((value < low_95) | (value > high_95), "outside 95%", "within"),
    )
