"""Impact against a comparison group: the EEF model, per group and outcome, as one tidy table.

Pupils: post-test ~ group + pre-test with a random intercept per school; teacher surveys: the same
per construct or item with Work Group (else school) as the cluster, or a stated OLS fallback.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from evaluation import columns as c
from evaluation.instruments import Instrument
from evaluation.stats.groups import NO_ARM_REASON, arm_of
from evaluation.stats.mdes import mdes as mdes_formula
from evaluation.stats.multilevel import (
    MIN_CLUSTERS_MIXED,
    MIN_CLUSTERS_PER_ARM,
    fit_ancova,
    variance_components,
)
from evaluation.stats.pupils import eef_months
from evaluation.stats.scoring import to_long
from evaluation.stats.security import IMPACT_DESIGN, rate_security

__all__ = [
    "IMPACT_COLUMNS",
    "impact",
    "pupil_impact",
    "survey_impact",
]

GROUP, INTERVENTION, COMPARISON = c.GROUP, c.INTERVENTION, c.COMPARISON

IMPACT_COLUMNS = (
    "outcome",
    "n_intervention",
    "n_comparison",
    "n_clusters",
    "n_clusters_intervention",
    "n_clusters_comparison",
    "estimate",
    "se",
    "df",
    "ci_low",
    "ci_high",
    "p",
    "g",
    "g_se",
    "g_ci_low",
    "g_ci_high",
    "icc",
    "months",
    "did",
    "attrition",
    "mdes",
    "model",
    "security",
    "security_reason",
    "reason",
)

# Names of the cluster for the model description and the messages.
_CLUSTER_NAMES = {c.SCHOOL_URN: "school", c.WORK_GROUP: "Work Group"}
_PLURALS = {"school": "schools", "Work Group": "Work Groups"}
_MIXED = "mixed model (REML): post ~ group + pre, random intercept per {cluster}"
_OLS = (
    "OLS ANCOVA: post ~ group + pre, cluster-robust (CR1) errors by {cluster} "
    "(fewer than {minimum} {clusters}, too few for a mixed model)"
)
_OLS_PEOPLE = (
    "OLS ANCOVA: post ~ group + pre, robust errors (no Work Group or school for everyone, so "
    "people are not clustered)"
)
_NO_PRE = (
    "No one here has a first (pre) score, so the groups cannot be compared after allowing for "
    "where they started."
)
_NO_PAIRS = "No one here has both a first (pre) and a second (post) score."
_NO_ARM = NO_ARM_REASON
_FEW_PEOPLE = "The {arm} group has {n} {unit} with both scores; at least 2 are needed."
_FEW_CLUSTERS = (
    "The {arm} group has {unit} from only {n} {cluster}; at least {minimum} {clusters} per group "
    "are needed to tell the programme apart from differences between {clusters}."
)
_NO_SPREAD = "Every score is the same, so there is nothing to model."
_FAILED = "The model could not be fitted to these data ({error})."


def impact(
    wide: pd.DataFrame,
    *,
    by: Sequence[str] = (),
    cluster: str | None = c.SCHOOL_URN,
    unit: str = "pupils",
    months: bool = True,
    design: str = IMPACT_DESIGN,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Impact per group x outcome from one row per person: the EEF model, security and all.

    Parameters
    ----------
    wide : DataFrame
        One row per person x outcome: the ``by`` columns, ``outcome``, ``group``
        (``intervention`` or ``comparison``; missing = intervention, the project's own data;
        any other value takes no part), the ``cluster`` column, ``pre`` and ``post`` (NaN where
        the person lacks that score).
    by : sequence of str
        Grouping columns; one model per group x outcome.
    cluster : str or None
        Column of the cluster (``school_urn``, ``work_group``); None = not clustered (OLS with
        robust errors).
    unit : str
        Who was measured ("pupils", "teachers"), for messages and the security reason.
    months : bool
        Convert g to EEF months' additional progress (pupil attainment only).
    design : str
        The ``design_key`` of the security table; ``comparison_pretest`` unless the arms were
        randomised (``randomised``).
    confidence : float
        Level of the confidence intervals.

    Returns
    -------
    DataFrame
        One row per group x outcome: ``*by`` and the :data:`IMPACT_COLUMNS`:

        - ``n_intervention``, ``n_comparison``: people with both scores in each arm;
          ``n_clusters`` (all), ``n_clusters_intervention``, ``n_clusters_comparison``;
        - ``estimate``, ``se``, ``df``, ``ci_low``, ``ci_high``, ``p``: adjusted difference
          (intervention minus comparison, outcome units) from :func:`~evaluation.stats.
          multilevel.fit_ancova` (t with ``J - 2`` df for the mixed model, ``G - 1`` for OLS);
        - ``g``, ``g_se``, ``g_ci_low``, ``g_ci_high``: the estimate, its SE and its CI divided
          by the SD of the unconditional model (``post ~ 1``, random intercept per cluster,
          fitted to the same people): ``sqrt(cluster variance + residual variance)``; ``icc``
          of that model. Per-hub rows pool across hubs with
          ``pooling.pooled_by(table, by, effect="g", se="g_se", n_col="n_intervention")``;
        - ``months``: EEF months from ``g`` (nullable Int64; missing when ``months`` is False);
        - ``did``: difference-in-differences of the raw changes, mean (post - pre) of the
          intervention arm minus that of the comparison arm;
        - ``attrition``: share of the people with a pre score who lack a post score;
        - ``mdes``: the achieved design's MDES (:func:`~evaluation.stats.mdes.mdes` with J
          clusters, mean cluster size, the ICC, R² at each level from the variance the pre-test
          removes, and the share of clusters in the intervention arm);
        - ``model``: which model was fitted; ``security`` (Int64, 0-5) and ``security_reason``
          from :func:`~evaluation.stats.security.rate_security`;
        - ``reason``: why the numbers are missing, in plain English (None when computed).

    Notes
    -----
    The model is the one EEF evaluators use: ``post = b0 + b1 group + b2 pre + u_cluster + e``,
    REML (statsmodels ``MixedLM``). Hedges' g is ``b1 / sqrt(σ²_u + σ²_e)`` from the unconditional
    model, as the EEF statistical analysis guidance asks. With fewer than
    ``MIN_CLUSTERS_MIXED`` clusters the mixed model's variances are unreliable and an OLS
    ANCOVA with CR1 errors is fitted instead (stated in ``model``); an arm with fewer than
    ``MIN_CLUSTERS_PER_ARM`` clusters gets no estimate.

    References
    ----------
    .. [1] Education Endowment Foundation (2022). Statistical analysis guidance for EEF
       evaluations.
    .. [2] Hedges, L. V. (2007). Effect sizes in cluster-randomized designs. Journal of
       Educational and Behavioral Statistics, 32(4), 341-370.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> school = np.repeat(np.arange(24), 12)
    >>> group = np.where(school % 2 == 0, "intervention", "comparison")
    >>> pre = rng.normal(15, 4, school.size)
    >>> post = pre + 2 + 1.5 * (group == "intervention") + rng.normal(0, 2, 24)[school]
    >>> post = post + rng.normal(0, 3, school.size)
    >>> wide = pd.DataFrame({"outcome": "MTC", "group": group, "school_urn": school,
    ...                      "pre": pre, "post": post})
    >>> row = impact(wide).iloc[0]
    >>> int(row["n_clusters"]), bool(row["ci_low"] < 1.5 < row["ci_high"]), row["model"][:11]
    (24, True, 'mixed model')
    """
    by = list(by)
    keys = [*by, "outcome"]
    rows = []
    for key, part in wide.groupby(keys, sort=True, dropna=False, observed=True):
        values = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        values.update(_one(part, cluster, unit, months, confidence))
        rows.append(values)
    columns = [*by, *IMPACT_COLUMNS]
    if not rows:
        return pd.DataFrame(columns=columns)
    out = pd.DataFrame(rows)
    out["months"] = pd.array(out["months"], dtype="Int64")
    rated = rate_security(out.assign(design=design), unit=unit)
    computed = out["reason"].isna() & out["estimate"].notna()
    out["security"] = pd.array(rated["security"].where(computed), dtype="Int64")
    out["security_reason"] = rated["security_reason"].where(computed, None)
    for column in ("n_intervention", "n_comparison", "n_clusters"):
        out[column] = out[column].astype("int64")
    return out[columns]


def _one(
    part: pd.DataFrame, cluster: str | None, unit: str, months: bool, confidence: float
) -> dict:
    """Every impact column for one group x outcome."""
    arms = part[GROUP].fillna(INTERVENTION)  # rows that do not say are the project's
    part = part[arms.isin(c.GROUPS)]  # rows of neither arm take no part
    arm = arms[arms.isin(c.GROUPS)].to_numpy(dtype=object)
    pre = part["pre"].to_numpy(dtype="float64")
    post = part["post"].to_numpy(dtype="float64")
    with_pre = ~np.isnan(pre)
    both = with_pre & ~np.isnan(post)
    treated = (arm == INTERVENTION)[both].astype("float64")
    if cluster is None:
        clusters = np.arange(int(both.sum()))
        cluster_name = "person"
    else:
        clusters = part[cluster].to_numpy(dtype=object)[both]
        cluster_name = _CLUSTER_NAMES.get(cluster, cluster)
    out: dict = dict.fromkeys(IMPACT_COLUMNS[1:], np.nan)
    n_int, n_comp = int(treated.sum()), int((1 - treated).sum())
    j_int = len(set(clusters[treated == 1])) if cluster else n_int
    j_comp = len(set(clusters[treated == 0])) if cluster else n_comp
    j_all = len(set(clusters)) if cluster else n_int + n_comp
    out.update(
        n_intervention=n_int,
        n_comparison=n_comp,
        n_clusters=j_all,
        n_clusters_intervention=j_int,
        n_clusters_comparison=j_comp,
        model=None,
        security=None,
        security_reason=None,
        reason=None,
        months=pd.NA,
    )
    n_pre = int(with_pre.sum())
    out["attrition"] = 1.0 - both.sum() / n_pre if n_pre else np.nan
    out["did"] = _did(post[both] - pre[both], treated)
    reason = _problem(arm, with_pre, both, n_int, n_comp, j_int, j_comp, cluster_name, unit)
    if reason is not None:
        out["reason"] = reason
        return out
    y, x = post[both], pre[both]
    if np.ptp(y) == 0:
        out["reason"] = _NO_SPREAD
        return out
    mixed = cluster is not None and j_all >= MIN_CLUSTERS_MIXED
    plural = _PLURALS.get(cluster_name, f"{cluster_name}s")
    if cluster is None:
        out["model"] = _OLS_PEOPLE
    elif mixed:
        out["model"] = _MIXED.format(cluster=cluster_name)
    else:
        out["model"] = _OLS.format(
            cluster=cluster_name, minimum=MIN_CLUSTERS_MIXED, clusters=plural
        )
    try:
        fit = fit_ancova(y, treated, x, clusters, mixed=mixed, confidence=confidence)
        if cluster is None:
            total, icc, r2_cluster = float(np.var(y, ddof=1)), 0.0, 0.0
        else:
            parts = variance_components(y, clusters)
            total, icc = parts.total, parts.icc
            kept = fit.conditional.cluster / parts.cluster if parts.cluster > 0 else 1.0
            r2_cluster = 1.0 - kept if mixed else 0.0
    except (np.linalg.LinAlgError, ValueError) as error:
        out["reason"] = _FAILED.format(error=error)
        return out
    residual = total * (1.0 - icc)
    r2_individual = 1.0 - fit.conditional.residual / residual if residual > 0 else 0.0
    scale = np.sqrt(total)
    out.update(
        estimate=fit.estimate,
        se=fit.se,
        df=fit.df,
        ci_low=fit.ci_low,
        ci_high=fit.ci_high,
        p=fit.p,
        g=fit.estimate / scale,
        g_se=fit.se / scale,
        g_ci_low=fit.ci_low / scale,
        g_ci_high=fit.ci_high / scale,
        icc=icc if cluster is not None else np.nan,
    )
    if months and np.isfinite(out["g"]):
        out["months"] = eef_months(out["g"])
    out["mdes"] = mdes_formula(
        j_all,
        len(y) / j_all,
        icc,
        float(np.clip(r2_individual, 0.0, 0.99)),
        float(np.clip(r2_cluster, 0.0, 0.99)),
        j_int / (j_int + j_comp),
    )
    return out


def _did(change: np.ndarray, treated: np.ndarray) -> float:
    """Mean change of the intervention arm minus mean change of the comparison arm."""
    if not (treated == 1).any() or not (treated == 0).any():
        return float("nan")
    return float(change[treated == 1].mean() - change[treated == 0].mean())


def _problem(
    arm: np.ndarray,
    with_pre: np.ndarray,
    both: np.ndarray,
    n_int: int,
    n_comp: int,
    j_int: int,
    j_comp: int,
    cluster_name: str,
    unit: str,
) -> str | None:
    """The plain-English reason no estimate can be given, or None."""
    for name in c.GROUPS:
        if not (arm == name).any():
            return _NO_ARM.format(arm=name)
    if not with_pre.any():
        return _NO_PRE
    if not both.any():
        return _NO_PAIRS
    for name, n in ((INTERVENTION, n_int), (COMPARISON, n_comp)):
        if n < 2:
            return _FEW_PEOPLE.format(arm=name, n=n, unit=_singular(unit) if n == 1 else unit)
    if cluster_name != "person":
        plural = _PLURALS.get(cluster_name, f"{cluster_name}s")
        for name, j in ((INTERVENTION, j_int), (COMPARISON, j_comp)):
            if j < MIN_CLUSTERS_PER_ARM:
                return _FEW_CLUSTERS.format(
                    arm=name,
                    unit=unit,
                    n=j,
                    cluster=cluster_name if j == 1 else plural,
                    minimum=MIN_CLUSTERS_PER_ARM,
                    clusters=plural,
                )
    return None


def _with_arm(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a ``group`` on every row; rows that do not say are the project's."""
    return frame.assign(**{GROUP: arm_of(frame)})


def _singular(unit: str) -> str:
    return unit[:-1] if unit.endswith("s") else unit


def pupil_impact(
    pupils: pd.DataFrame,
    *,
    by: Sequence[str] = (),
    measure: str = c.DEFAULT_MEASURE,
    design: str = IMPACT_DESIGN,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Impact on pupils' scores against comparison schools (the EEF model).

    Parameters
    ----------
    pupils : DataFrame
        Canonical pupil frame (one row per pupil per assessment): ``pupil_id``,
        ``school_urn``, ``phase``, ``score``, the ``by`` columns and ``group``
        (``intervention`` or ``comparison``; rows without one, or a frame without the column,
        are the project's: intervention).
    by : sequence of str
        Grouping columns, e.g. ``["hub"]``.
    measure : str
        Only rows of this measure (when the frame has a ``measure`` column); it is the
        ``outcome``.
    design : str
        See :func:`impact`.
    confidence : float
        Level of the confidence intervals.

    Returns
    -------
    DataFrame
        See :func:`impact`; ``outcome`` is the measure, clusters are schools, ``months`` is
        given.

    Examples
    --------
    >>> rng = np.random.default_rng(5)
    >>> school = np.repeat(np.arange(20), 10)
    >>> pre = rng.normal(18, 3, 200)
    >>> post = pre + 1 + (school < 10) + rng.normal(0, 1, 20)[school] + rng.normal(0, 2, 200)
    >>> pupils = pd.DataFrame({
    ...     "pupil_id": np.tile(np.arange(200), 2), "school_urn": np.tile(school, 2),
    ...     "phase": np.repeat(["pre", "post"], 200), "score": np.concatenate([pre, post]),
    ...     "group": np.tile(np.where(school < 10, "intervention", "comparison"), 2)})
    >>> row = pupil_impact(pupils).iloc[0]
    >>> row["outcome"], int(row["n_intervention"]), int(row["n_clusters"])
    ('MTC', 100, 20)
    """
    by = list(by)
    data = _with_arm(pupils)
    if c.MEASURE in data:
        data = data[data[c.MEASURE].fillna(c.DEFAULT_MEASURE) == measure]
    qualify = [k for k in (c.NCP, c.ACADEMIC_YEAR) if k in data and k not in by]
    keys = [*by, GROUP, c.SCHOOL_URN, *qualify, c.PUPIL_ID]
    work = data[[*keys, c.PHASE]].assign(_score=data[c.SCORE].astype("float64"))
    means = work.groupby([*keys, c.PHASE], dropna=False, observed=True)["_score"].mean()
    wide = means.unstack(c.PHASE).reindex(columns=list(c.PHASES)).reset_index()
    wide = wide.assign(outcome=measure)
    return impact(
        wide, by=by, cluster=c.SCHOOL_URN, unit="pupils", design=design, confidence=confidence
    )


def survey_impact(
    frame: pd.DataFrame,
    instrument: Instrument,
    *,
    by: Sequence[str] = (),
    outcomes: Sequence[str] | None = None,
    design: str = IMPACT_DESIGN,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Impact on teachers' survey answers against a comparison group, per construct or item.

    Parameters
    ----------
    frame : DataFrame
        Wide survey frame (one row per respondent per phase) with a ``group`` column (rows
        without one are intervention, as in :func:`pupil_impact`).
    instrument : Instrument
        Names the items and constructs.
    by : sequence of str
        Grouping columns, e.g. ``["hub"]``.
    outcomes : sequence of str, optional
        Constructs and/or items to model; default every construct of the instrument.
    design : str
        See :func:`impact`.
    confidence : float
        Level of the confidence intervals.

    Returns
    -------
    DataFrame
        See :func:`impact`; ``outcome`` is the construct or item; ``months`` is always missing
        (EEF months are for pupil attainment only).

    Notes
    -----
    The cluster is the Work Group when every respondent in the group has one (a waiting-list
    cohort carries its future Work Group), else the school when everyone has a school URN,
    else none (OLS with robust errors, stated in ``model``).

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> frame = pd.DataFrame({"respondent_id": ["a", "a", "b", "b"],
    ...                       "phase": ["pre", "post"] * 2,
    ...                       "group": ["intervention"] * 2 + ["comparison"] * 2,
    ...                       "conf_1": [2.0, 4.0, 3.0, 3.0]})
    >>> survey_impact(frame, default_instrument(), outcomes=["conf_1"])["reason"].iloc[0]
    'The intervention group has 1 teacher with both scores; at least 2 are needed.'
    """
    by = list(by)
    wanted = list(outcomes) if outcomes is not None else list(instrument.constructs)
    carry = [k for k in (c.WORK_GROUP, c.SCHOOL_URN) if k in frame]
    long = to_long(_with_arm(frame), instrument, keys=[*by, GROUP, *carry], include_comparison=True)
    long = long[long[c.ITEM].isin(wanted)]
    people = [*by, c.ITEM, c.RESPONDENT_ID]
    # a person's group and cluster are those of their first row (pre, then post)
    first = long.sort_values(c.PHASE, key=lambda p: p.ne("pre"), kind="stable")
    attributes = first.groupby(people, dropna=False, observed=True)[[GROUP, *carry]].first()
    scores = long.groupby([*people, c.PHASE], dropna=False, observed=True)[c.SCORE].mean()
    wide = scores.unstack(c.PHASE).reindex(columns=list(c.PHASES))
    wide = wide.join(attributes).reset_index().rename(columns={c.ITEM: "outcome"})
    wide = wide[wide[c.RESPONDENT_ID].notna()]
    tables = []
    for cluster, part in _by_cluster(wide, by, carry):
        tables.append(
            impact(
                part,
                by=by,
                cluster=cluster,
                unit="teachers",
                months=False,
                design=design,
                confidence=confidence,
            )
        )
    if not tables:
        return impact(wide.iloc[:0], by=by, cluster=None, unit="teachers", months=False)
    out = pd.concat(tables, ignore_index=True)
    return out.sort_values([*by, "outcome"], kind="stable").reset_index(drop=True)


def _by_cluster(
    wide: pd.DataFrame, by: Sequence[str], carry: Sequence[str]
) -> list[tuple[str | None, pd.DataFrame]]:
    """Split the people by the cluster each group x outcome can use (Work Group, school, none)."""
    keys = [*by, "outcome"]
    choice = pd.Series("", index=wide.index, dtype=object)
    grouped = wide.groupby(keys, dropna=False, observed=True, sort=False)
    for column in reversed(list(carry)):  # Work Group wins over school
        complete = grouped[column].transform(lambda s: s.notna().all())
        choice = choice.mask(complete, column)
    out = []
    for name, part in wide.groupby(choice, sort=False):
        out.append((name or None, part))
    return out
