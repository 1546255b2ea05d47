"""The differencing attack of issue 16: can a hub viewer work out another hub from pooled values?

A hub knows its own result exactly (n, mean change and SD of change, per outcome). The pooled
values it receives are documented functions of every pooled hub's n, mean change and SD: the
per-hub effects (d_z = mean / SD with variance 1/n + d_z^2 / 2n; the mean change with variance
SD^2 / n), pooled by REML with the Knapp-Hartung interval, with tau², I², Q, the prediction
interval and the respondent count beside them. So the attacker writes those formulas down
(here, independently of :mod:`evaluation.stats.pooling`), treats every other hub's n, mean
changes and SDs as unknowns, and fits them by least squares (``scipy.optimize.least_squares``)
to every pooled number received, at the precision it was received, from several starting
points.

The attack *recovers* a value when every fit that reproduces what was received agrees with the
truth: n within 5, a mean change within 0.1. Against the national viewer's output (everything,
unrounded; also without the respondent count, which is what a hub viewer got before) it does.
Against what a hub viewer receives through the real code path (the analysis layer the
dashboard pages call, and the hub board pack) it must not, for any other hub; and, so that a
lucky guess is not mistaken for knowledge, :func:`undecided` shows for every other hub's n and
mean change that hubs differing from the truth by twice the tolerance reproduce exactly the
same received numbers (on the national output it finds no such hubs).
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pytest
from scipy import optimize
from scipy import stats as scipy_stats

from evaluation import analysis
from evaluation import columns as c
from evaluation.access import POOLED_STEPS, Viewer
from evaluation.instruments import default_instrument
from evaluation.presentation.reports import Analysis, ReportInputs, analyse, build_board_pack

NCP = "Mastering Number at KS2"
YEAR = "2024/25"
OUTCOMES = ("confidence", "knowledge")
HUB_NAMES = (
    "Solent Maths Hub",  # the viewer's own
    "Sussex Maths Hub",
    "Jurassic Maths Hub",
    "Great North Maths Hub",
    "Abacus NW Maths Hub",
)
VIEWER = Viewer(role="hub", hub=HUB_NAMES[0], name="board clerk")
N_TOLERANCE, CHANGE_TOLERANCE = 5.0, 0.1
# What the attacker models: every pooled statistic a pooled row can carry.
MODELLED = ("estimate", "se", "ci_low", "ci_high", "tau2", "i2", "q", "q_p", "pi_low", "pi_high")
# How precisely an unrounded number is read (the National page shows three decimals).
PRINTED = 0.001
EXACT = 1e-6  # a number passed on unrounded (relative precision the attack asks of itself)
NFEV = 300


# ------------------------------------------------------------------------------ the scenario


@dataclass(frozen=True)
class Hubs:
    """Every hub's true n, and mean change and SD of change per outcome (hub 0: the viewer's)."""

    n: np.ndarray  # (k,)
    mean: np.ndarray  # (k, outcomes)
    sd: np.ndarray  # (k, outcomes)
    outcomes: tuple[str, ...] = OUTCOMES


def make_hubs(k: int, seed: int) -> Hubs:
    rng = np.random.default_rng(seed)
    outcomes = len(OUTCOMES)
    return Hubs(
        n=rng.integers(12, 120, size=k).astype(float),
        mean=rng.uniform(0.1, 0.9, size=(k, outcomes)).round(3),
        sd=rng.uniform(0.6, 1.3, size=(k, outcomes)).round(3),
    )


def paired_results(hubs: Hubs) -> pd.DataFrame:
    """The paired results table by hub, NCP and outcome (as ``paired_change`` gives it)."""
    rows = []
    for h in range(len(hubs.n)):
        for o, outcome in enumerate(OUTCOMES):
            n, mean, sd = hubs.n[h], hubs.mean[h, o], hubs.sd[h, o]
            half = scipy_stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
            rows.append(
                {
                    c.HUB: HUB_NAMES[h],
                    c.NCP: NCP,
                    c.ITEM: outcome,
                    "n_paired": int(n),
                    "mean_pre": 3.0,
                    "mean_post": 3.0 + mean,
                    "mean_change": mean,
                    "sd_change": sd,
                    "ci_low": mean - half,
                    "ci_high": mean + half,
                    "d_z": mean / sd,
                }
            )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------ what is received


@dataclass(frozen=True)
class Received:
    """One number a viewer received: which statistic of which pool, and how it was rounded."""

    effect: str
    outcome: int
    statistic: str
    value: float
    rounding: str  # "nearest", "down", "up" (to the effect's step) or "printed"


def _on_grid(value: float, step: float) -> bool:
    return abs(value / step - round(value / step)) < 1e-6


def read_pooled(
    rows: pd.DataFrame, effect: str, columns: dict[str, str], outcomes: tuple[str, ...] = OUTCOMES
) -> list[Received]:
    """The finite pooled numbers in ``rows`` (one per outcome), with the precision they show.

    A value on the documented grid for its effect is read as rounded to it (estimate to the
    nearest step, the interval outwards); any other value as printed to three decimals.
    Every finite pooled number must be one the attack models, so none slips past it.
    """
    out = []
    step = POOLED_STEPS[effect]
    for _, row in rows.iterrows():
        o = outcomes.index(str(row[c.ITEM]))
        for statistic, column in columns.items():
            value = pd.to_numeric(row.get(column), errors="coerce")
            if value is None or not np.isfinite(value):
                continue
            assert statistic in (*MODELLED, "n_respondents"), statistic
            shape = {"estimate": "nearest", "ci_low": "down", "ci_high": "up"}.get(statistic)
            rounded = shape is not None and _on_grid(float(value), step)
            out.append(
                Received(effect, o, statistic, float(value), shape if rounded else "printed")
            )
    return out


POOLED = {name: name for name in (*MODELLED, "n_respondents")}
# Numbers of hubs pooled, hidden or left out: nothing about any hub's n or answers.
HUB_COUNTS = {"k", "q_df", "k_suppressed", "k_excluded"}


# The national values of the hub-beside-national table (hub page and board pack; d_z).
BESIDE = {
    "estimate": "national_estimate",
    "ci_low": "national_ci_low",
    "ci_high": "national_ci_high",
    "pi_low": "national_pi_low",
    "pi_high": "national_pi_high",
    "n_respondents": "national_n",
}


def received_from_analysis(hubs: Hubs, viewer: Viewer) -> list[Received]:
    """Everything pooled the analysis layer gives ``viewer`` (the dashboard's page data).

    :func:`evaluation.analysis.national_overview` for both effects (the National page, its
    download and the hub page's source), and :func:`evaluation.analysis.hub_beside_national`
    (the hub page and the board pack).
    """
    results = paired_results(hubs)
    got: list[Received] = []
    for effect in ("d_z", "mean_change"):
        overview = analysis.national_overview(results, effect=effect, viewer=viewer)
        numeric = [col for col in overview if col in POOLED]
        extra = set(overview.select_dtypes("number").columns) - set(POOLED) - HUB_COUNTS
        assert not extra, f"unmodelled pooled numbers: {extra}"
        got += read_pooled(overview, effect, {col: col for col in numeric})
        if effect == "d_z":
            beside = analysis.hub_beside_national(
                results, overview, hub=HUB_NAMES[0], viewer=viewer
            )
            got += read_pooled(beside, "d_z", BESIDE)
    return got


def survey_answers(k: int, seed: int) -> pd.DataFrame:
    """Teachers' answers before and after, in ``k`` hubs of one project (hub 0: the viewer's)."""
    rng = np.random.default_rng(seed)
    items = default_instrument().item_ids
    rows = []
    for h in range(k):
        shift = rng.uniform(0.2, 0.9)
        for i in range(int(rng.integers(15, 60))):
            before = rng.integers(1, 5, size=len(items)).astype(float)
            after = np.clip(np.round(before + shift + rng.normal(0, 0.8, len(items))), 1, 5)
            for phase, values in (("pre", before), ("post", after)):
                rows.append(
                    {
                        "respondent_id": f"h{h}-{i}",
                        "phase": phase,
                        c.ACADEMIC_YEAR: YEAR,
                        c.HUB: HUB_NAMES[h],
                        c.NCP: NCP,
                        **dict(zip(items, values, strict=True)),
                    }
                )
    return pd.DataFrame(rows)


@functools.cache
def analysed_answers(k: int, seed: int) -> tuple[ReportInputs, Analysis]:
    """:func:`survey_answers` as report inputs and their analysis, once per scenario.

    The analysis does not depend on the viewer (packs built from it share its memo, as the
    session-wide ``sample_analysis`` fixture does), so each viewer's pack is built from it.
    """
    inputs = ReportInputs(survey_answers(k, seed), default_instrument())
    return inputs, analyse(inputs)


def received_from_board_pack(k: int, seed: int, viewer: Viewer) -> tuple[Hubs, list[Received]]:
    """The true hubs (from the answers) and the pooled numbers in ``viewer``'s hub board pack."""
    inputs, evidence = analysed_answers(k, seed)
    constructs = tuple(default_instrument().constructs)
    paired = evidence.paired.set_index([c.HUB, c.ITEM])
    table = [[paired.loc[(HUB_NAMES[h], o)] for o in constructs] for h in range(k)]
    truth = Hubs(
        n=np.array([row[0]["n_paired"] for row in table], dtype=float),
        mean=np.array([[cell["mean_change"] for cell in row] for row in table], dtype=float),
        sd=np.array([[cell["sd_change"] for cell in row] for row in table], dtype=float),
        outcomes=constructs,
    )
    pack = build_board_pack(
        inputs, viewer=viewer, hub=HUB_NAMES[0], academic_year=YEAR, analysis=evidence, pdf=False
    )
    assert pack.ok, pack.problem
    comparison = pack.tables["national_comparison"]
    return truth, read_pooled(comparison, "d_z", BESIDE, constructs)


# ------------------------------------------------------------------------------ the attack


def pooled_statistics(n: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> dict[str, np.ndarray]:
    """Every pooled statistic, by (effect: d_z then mean change) x outcome, from the formulas.

    ``n`` is (..., k), ``mean`` and ``sd`` (..., k, outcomes); leading axes are a batch.
    REML tau² by Fisher scoring (Viechtbauer 2005), Knapp-Hartung SE and t interval on k - 1
    df, I² with the typical within-hub variance (Higgins & Thompson 2002), the prediction
    interval with the Knapp-Hartung SE and t on k - 1 df (metafor's ``predict``).
    """
    size = n[..., :, None]
    d = mean / sd
    y = np.stack([np.swapaxes(d, -1, -2), np.swapaxes(mean, -1, -2)], axis=-3)
    v = np.stack(
        [np.swapaxes(1.0 / size + d**2 / (2.0 * size), -1, -2), np.swapaxes(sd**2 / size, -1, -2)],
        axis=-3,
    )  # (..., effect, outcome, k)
    k = y.shape[-1]
    w = 1.0 / v
    sw, sw2 = w.sum(-1), (w * w).sum(-1)
    mu_fe = (w * y).sum(-1) / sw
    q = (w * (y - mu_fe[..., None]) ** 2).sum(-1)
    tau2_dl = np.maximum(0.0, (q - (k - 1)) / (sw - sw2 / sw))

    def deviance(t: np.ndarray) -> np.ndarray:
        wt = 1.0 / (v + t[..., None])
        mu = (wt * y).sum(-1) / wt.sum(-1)
        return (
            np.log(v + t[..., None]).sum(-1)
            + np.log(wt.sum(-1))
            + (wt * (y - mu[..., None]) ** 2).sum(-1)
        )

    best, tau2 = np.full(tau2_dl.shape, np.inf), tau2_dl
    for start in (tau2_dl, np.zeros_like(tau2_dl)):
        t = start
        for _ in range(40):
            wt = 1.0 / (v + t[..., None])
            s1, s2, s3 = wt.sum(-1), (wt * wt).sum(-1), (wt**3).sum(-1)
            mu = (wt * y).sum(-1) / s1
            score = ((wt * (y - mu[..., None])) ** 2).sum(-1) - (s1 - s2 / s1)
            info = s2 - 2.0 * s3 / s1 + (s2 / s1) ** 2
            t = np.maximum(0.0, t + score / info)
        dev = deviance(t)
        tau2, best = np.where(dev < best, t, tau2), np.minimum(dev, best)
    ws = 1.0 / (v + tau2[..., None])
    estimate = (ws * y).sum(-1) / ws.sum(-1)
    s2w = (ws * (y - estimate[..., None]) ** 2).sum(-1) / (k - 1)
    se = np.sqrt(s2w / ws.sum(-1))
    crit = scipy_stats.t.ppf(0.975, k - 1)
    half_pi = crit * np.sqrt(tau2 + se**2)
    typical = (k - 1) * sw / (sw**2 - sw2)
    return {
        "estimate": estimate,
        "se": se,
        "ci_low": estimate - crit * se,
        "ci_high": estimate + crit * se,
        "tau2": tau2,
        "i2": 100.0 * tau2 / (tau2 + typical),
        "q": q,
        "q_p": scipy_stats.chi2.sf(q, k - 1),
        "pi_low": estimate - half_pi,
        "pi_high": estimate + half_pi,
        "n_respondents": np.broadcast_to(n.sum(-1)[..., None, None], estimate.shape),
    }


EFFECTS = ("d_z", "mean_change")


def _target(item: Received) -> tuple[float, float]:
    """The centre of the values that print as ``item`` and the width of that range."""
    if item.statistic == "n_respondents":
        return item.value, 1.0
    if item.rounding == "printed":
        return item.value, PRINTED
    if item.rounding == "exact":
        return item.value, EXACT * max(1.0, abs(item.value))
    step = POOLED_STEPS[item.effect]
    shift = {"nearest": 0.0, "down": step / 2, "up": -step / 2}[item.rounding]
    return item.value + shift, step


@dataclass(frozen=True)
class Fit:
    n: np.ndarray  # (unknown hubs,)
    mean: np.ndarray  # (unknown hubs, outcomes)
    worst: float  # largest miss of a received number, in units of its precision


def _fitter(received: list[Received], own: Hubs, k: int):
    """A least-squares fit of the other hubs to ``received``, from a start, some value held."""
    unknown, outcomes = k - 1, own.mean.shape[1]
    centres, widths = np.array([_target(r) for r in received]).T
    where = [(EFFECTS.index(r.effect), r.outcome, r.statistic) for r in received]
    low = np.concatenate([np.full(unknown, 5.0), np.full(unknown * outcomes, -3.0),
                          np.full(unknown * outcomes, 0.05)])  # fmt: skip
    high = np.concatenate([np.full(unknown, 2000.0), np.full(unknown * outcomes, 3.0),
                           np.full(unknown * outcomes, 5.0)])  # fmt: skip

    def unpack(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Parameters (..., size) -> every hub's n, mean changes and SDs (own hub first)."""
        batch = x.shape[:-1]
        mine = [np.broadcast_to(a[:1], (*batch, *a[:1].shape)) for a in (own.n, own.mean, own.sd)]
        n = np.concatenate([mine[0], x[..., :unknown]], axis=-1)
        split = unknown * (1 + outcomes)
        mean = x[..., unknown:split].reshape(*batch, unknown, outcomes)
        sd = x[..., split:].reshape(*batch, unknown, outcomes)
        return n, np.concatenate([mine[1], mean], axis=-2), np.concatenate([mine[2], sd], axis=-2)

    def misses(x: np.ndarray) -> np.ndarray:
        pooled = pooled_statistics(*unpack(x))
        predicted = np.stack([pooled[s][..., e, o] for e, o, s in where], axis=-1)
        return (predicted - centres) / widths

    def fit(x0: np.ndarray, hold: tuple[int, float] | None = None) -> Fit:
        free = np.ones(x0.size, dtype=bool)
        if hold is not None:
            free[hold[0]] = False
            x0 = x0.copy()
            x0[hold[0]] = hold[1]

        def full(z: np.ndarray) -> np.ndarray:
            x = np.broadcast_to(x0, (*z.shape[:-1], x0.size)).copy()
            x[..., free] = z
            return x

        def residuals(z: np.ndarray) -> np.ndarray:
            return misses(full(z))

        def jacobian(z: np.ndarray) -> np.ndarray:
            """Forward differences, every parameter at once (one batched evaluation)."""
            h = 1e-7 * np.maximum(1.0, np.abs(z))
            h = np.where(z + h > high[free], -h, h)  # stay inside the bounds
            values = residuals(np.vstack([z, z + np.diag(h)]))
            return ((values[1:] - values[0]) / h[:, None]).T

        solution = optimize.least_squares(
            residuals, np.clip(x0[free], low[free], high[free]), jac=jacobian,
            bounds=(low[free], high[free]), x_scale="jac", max_nfev=NFEV,
            ftol=1e-12, xtol=1e-12, gtol=1e-12,
        )  # fmt: skip
        x = full(solution.x)
        n, mean, _ = unpack(x)
        return Fit(n=n[1:], mean=mean[1:], worst=float(np.max(np.abs(misses(x)))))

    return fit


def as_vector(hubs: Hubs) -> np.ndarray:
    """The other hubs (not hub 0) as the attack's parameters: n, then mean changes, then SDs."""
    return np.concatenate([hubs.n[1:], hubs.mean[1:].ravel(), hubs.sd[1:].ravel()])


def attack(received: list[Received], own: Hubs, k: int, *, starts: int, seed: int) -> list[Fit]:
    """Least-squares fits of the other hubs to ``received`` from ``starts`` random guesses."""
    if not received:  # nothing to fit: every guess is as good as any other
        return []
    fit = _fitter(received, own, k)
    unknown, outcomes = k - 1, own.mean.shape[1]
    rng = np.random.default_rng(seed)
    fits = []
    for _ in range(starts):
        x0 = np.concatenate(
            [
                rng.uniform(10, 150, unknown),
                rng.uniform(-0.2, 1.2, unknown * outcomes),
                rng.uniform(0.5, 1.5, unknown * outcomes),
            ]
        )
        fits.append(fit(x0))
    return fits


def undecided(received: list[Received], truth: Hubs) -> dict[str, list[bool]]:
    """Per other hub: do other hubs, as consistent with ``received``, differ by > tolerance?

    For each other hub's n and each of its mean changes, the value is held at the truth plus
    (then minus) twice the tolerance and every other unknown fitted again, from the truth. The
    value is undecided when such hubs reproduce every received number exactly as it prints.
    """
    k = len(truth.n)
    unknown, outcomes = k - 1, truth.mean.shape[1]
    fit, x = _fitter(received, truth, k), as_vector(truth)
    out: dict[str, list[bool]] = {"n": [], "mean": []}
    for i in range(unknown * (1 + outcomes)):
        key, delta = ("n", 2 * N_TOLERANCE) if i < unknown else ("mean", 2 * CHANGE_TOLERANCE)
        found = False
        for target in (x[i] + delta, x[i] - delta):
            if key == "n" and target < 5:
                continue
            found = fit(x, hold=(i, target)).worst <= 0.5 + 1e-6
            if found:
                break
        out[key].append(found)
    return out


def recovered(fits: list[Fit], truth: Hubs, *, slack: float) -> dict[str, list[bool]]:
    """Per other hub: are its n and each mean change pinned down by the fits?

    The fits considered are those missing no received number by more than ``slack`` units of
    its precision (0.5: they print exactly as received). Pooled values do not say which hub is
    which, so each fit is matched to the true hubs in its closest order. A value is pinned when
    at least one fit is considered and every one is within the tolerance of the truth.
    """
    unknown = len(truth.n) - 1
    good = [f for f in fits if f.worst <= slack]
    if not good:
        return {"n": [False] * unknown, "mean": [False] * truth.mean[1:].size}
    n_errors, mean_errors = [], []
    for fit in good:

        def error(order: tuple[int, ...], fit: Fit = fit) -> tuple[np.ndarray, np.ndarray]:
            index = list(order)
            return (
                np.abs(fit.n[index] - truth.n[1:]),
                np.abs(fit.mean[index] - truth.mean[1:]).ravel(),
            )

        def badness(order: tuple[int, ...]) -> float:
            n_err, mean_err = error(order)
            return float((n_err / N_TOLERANCE).sum() + (mean_err / CHANGE_TOLERANCE).sum())

        best = min(itertools.permutations(range(unknown)), key=badness)
        n_err, mean_err = error(best)
        n_errors.append(n_err)
        mean_errors.append(mean_err)
    return {
        "n": (np.array(n_errors) <= N_TOLERANCE).all(axis=0).tolist(),
        "mean": (np.array(mean_errors) <= CHANGE_TOLERANCE).all(axis=0).tolist(),
    }


# ------------------------------------------------------------------------------ the tests


def test_the_attack_model_reproduces_the_national_output():
    """The attacker's formulas give what the code gives (else a failed attack proves nothing)."""
    truth = make_hubs(4, seed=3)
    received = received_from_analysis(truth, Viewer.national())
    pooled = pooled_statistics(truth.n, truth.mean, truth.sd)
    for item in received:
        if item.statistic in pooled:
            expected = pooled[item.statistic][EFFECTS.index(item.effect), item.outcome]
            assert item.value == pytest.approx(expected, rel=1e-6, abs=1e-8), item


@pytest.mark.parametrize(
    ("seed", "counts"),
    [(13, True), (21, True), (22, False)],
    ids=["national", "national-2", "national-without-counts"],
)
def test_the_attack_recovers_the_other_hubs_from_the_national_viewers_output(seed, counts):
    """What the issue found: with everything a national viewer gets, 3 hubs give away two.

    Before this change a hub viewer got the same numbers but the respondent count (the
    ``without-counts`` case). Two hubs' pooled values do not say which hub is which, and one
    outcome can have two exact solutions, so a mean change is not always pinned; the sizes are.
    """
    k = 3
    truth = make_hubs(k, seed=seed)
    received = received_from_analysis(truth, Viewer.national())
    assert {"tau2", "q", "pi_low", "n_respondents"} <= {r.statistic for r in received}
    exact = [
        r if r.statistic == "n_respondents" else replace(r, rounding="exact")
        for r in received
        if counts or r.statistic != "n_respondents"
    ]
    fits = attack(exact, truth, k, starts=8, seed=k)
    pinned = recovered(fits, truth, slack=1.0)
    assert all(pinned["n"]), pinned
    assert sum(pinned["mean"]) >= len(pinned["mean"]) / 2, pinned


def test_given_the_national_output_no_other_hub_could_be_much_different():
    """The check a hub viewer's numbers pass (:func:`undecided`) fails on the national output."""
    truth = make_hubs(3, seed=13)
    received = received_from_analysis(truth, Viewer.national())
    exact = [
        r if r.statistic == "n_respondents" else replace(r, rounding="exact") for r in received
    ]
    open_values = undecided(exact, truth)
    assert not any(open_values["n"]) and not any(open_values["mean"]), open_values


@pytest.mark.parametrize("k", [3, 4, 5])
def test_the_attack_recovers_no_other_hub_from_what_a_hub_viewer_receives(k):
    truth = make_hubs(k, seed=10 + k)
    received = received_from_analysis(truth, VIEWER)
    if k < 4:
        assert received == [], "a pool of 3 hubs leaves 2 besides the viewer's: nothing shown"
    else:
        assert {r.statistic for r in received} == {"estimate", "ci_low", "ci_high"}
        assert all(r.rounding != "printed" for r in received), "pooled values are rounded"
    fits = attack(received, truth, k, starts=6, seed=k)
    pinned = recovered(fits, truth, slack=0.5 + 1e-6)
    assert not any(pinned["n"]), pinned
    if received:
        # The fits do reproduce what was received: the attack ran, the data just do not decide.
        assert sum(f.worst <= 0.5 + 1e-6 for f in fits) >= 2
        # And for every other hub, hubs quite unlike it reproduce the same numbers exactly.
        open_values = undecided(received, truth)
        assert all(open_values["n"]) and all(open_values["mean"]), open_values


@pytest.mark.parametrize("k", [4, 5])
def test_the_attack_recovers_no_other_hub_from_a_hub_board_pack(k):
    truth, received = received_from_board_pack(k, seed=30 + k, viewer=VIEWER)
    assert {r.statistic for r in received} == {"estimate", "ci_low", "ci_high"}
    assert all(r.rounding != "printed" for r in received), "pooled values are rounded"
    fits = attack(received, truth, k, starts=6, seed=k)
    pinned = recovered(fits, truth, slack=0.5 + 1e-6)
    assert not any(pinned["n"]), pinned
    assert sum(f.worst <= 0.5 + 1e-6 for f in fits) >= 2
    open_values = undecided(received, truth)
    assert all(open_values["n"]) and all(open_values["mean"]), open_values


def test_a_board_pack_of_three_hubs_gives_a_hub_viewer_no_pooled_number():
    _, received = received_from_board_pack(3, seed=33, viewer=VIEWER)
    assert received == []
    _, everything = received_from_board_pack(3, seed=33, viewer=Viewer.national())
    assert {"estimate", "pi_low", "n_respondents"} <= {r.statistic for r in everything}
