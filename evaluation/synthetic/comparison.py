"""Synthetic comparison data: pupils in schools not in the project, and a waiting-list cohort.

Made alongside a sample (same seed, its own random stream, new files), with a known true effect,
so every impact view has something to show; the sample's own files are not changed. Every row's
``group`` is ``comparison``, and ``store seed`` stores them with the sample
(:data:`evaluation.store.SAMPLE_FILES`).

The known true effects:

- **Pupils** (``pupils_comparison.csv``): the programme adds :data:`TRUE_EFFECT_LOGIT` (0.35)
  to the logit of each of the 25 MTC answers being right; comparison pupils are generated as
  the project's but without it. In marks that is about 0.8 on average
  (:attr:`ComparisonData.true_effect_marks`; 0.78 for the committed sample, seed 2024).
- **Teachers** (``surveys_comparison.csv``): a waiting-list cohort of
  :data:`WAITING_LIST_NCP`, whose latents drift by :data:`WAITING_LIST_DRIFT` in a year without
  the programme; the programme adds the project's planned effect (0.60 SD for Mastering Number
  at KS2, split over the constructs 1 : 0.85 : 0.7) plus the hub's effect, less that drift
  (:attr:`ComparisonData.true_effect_latent`), which is about 0.3-0.45 points on the 1-5
  construct scores (:attr:`ComparisonData.true_effect_points`).

``COMPARISON.md`` beside the files states the values for their seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation import columns as c
from evaluation.instruments import Instrument, default_instrument
from evaluation.synthetic.pupils import MTC_POST, MTC_PRE, MTC_SLOPE
from evaluation.synthetic.surveys import (
    ITEM_SHIFT,
    construct_multipliers,
    expected_scores,
    likert_answers,
)
from evaluation.synthetic.world import (
    NCP_PLAN,
    ROLE_BASELINE,
    ROLES,
    SIZES,
    World,
    build_world,
    random_codes,
)
from schemas import reference

__all__ = [
    "COMPARISON_FILES",
    "ComparisonData",
    "TRUE_EFFECT_LOGIT",
    "WAITING_LIST_NCP",
    "comparison_pupils",
    "comparison_readme",
    "generate_comparison",
    "waiting_list_surveys",
]

# The programme's effect on the logit of each MTC answer being right (every pupil, every hub):
# comparison pupils' post-test is generated exactly as the project pupils' but without it.
TRUE_EFFECT_LOGIT = 0.35
# The project whose Work Groups get a waiting-list cohort (next year's teachers, surveyed twice
# in the year before they start); their change is the change without the programme.
WAITING_LIST_NCP = "MN-KS2"
# Change of the waiting-list teachers' latents over the year without the programme.
WAITING_LIST_DRIFT = 0.05
COMPARISON_FILES = ("pupils_comparison.csv", "surveys_comparison.csv", "COMPARISON.md")
# Random stream of the comparison data: the sample's seed plus this, so the sample is unchanged.
_SEED_OFFSET = 7919


@dataclass(frozen=True)
class ComparisonData:
    """Comparison pupils and a waiting-list teacher cohort, with the true effects they imply.

    Attributes
    ----------
    pupils : DataFrame
        Pupil rows (the sample's pupil columns) of comparison schools, for every hub and year
        with project pupils.
    surveys : DataFrame
        Survey rows (the canonical key columns and the default items) of the waiting-list cohort.
    true_effect_marks : float
        The MTC marks the programme would have added, on average, to the comparison pupils'
        post-test: mean of ``25 (σ(l + δ) - σ(l))`` over their post-test logits ``l``, with
        ``δ`` = :data:`TRUE_EFFECT_LOGIT`.
    true_effect_latent : dict
        The programme's effect on each construct's latent score (SD units of the latent
        scale) for the waiting-list project: what it adds to a year's change beyond the
        waiting list's drift, averaged over the cohort's hubs.
    true_effect_points : dict
        The same effect on each construct's score (mean of its items, 1-5), the scale the
        impact model's ``estimate`` is on: mean over the cohort of the expected post score with
        the programme minus without it.
    """

    pupils: pd.DataFrame
    surveys: pd.DataFrame
    true_effect_marks: float
    true_effect_latent: dict[str, float]
    true_effect_points: dict[str, float]


def comparison_pupils(
    rng: np.random.Generator, project_pupils: pd.DataFrame, world: World
) -> tuple[pd.DataFrame, float]:
    """MTC scores of Year 4 pupils in schools not in the project, matched by hub and year.

    For each hub x year with project pupils, as many comparison schools as project schools
    (at least 2), drawn from the same model as the project pupils
    (:func:`evaluation.synthetic.pupils.pupil_frame`) but without the programme's effect.

    Returns
    -------
    (DataFrame, float)
        The pupil rows, and the true effect in marks (see :class:`ComparisonData`).

    Examples
    --------
    >>> from evaluation.synthetic.sample import generate
    >>> data = generate(seed=1)
    >>> world = build_world(np.random.default_rng(1), SIZES["small"])
    >>> frame, marks = comparison_pupils(np.random.default_rng(2), data.pupils, world)
    >>> bool(set(frame["school_urn"]).isdisjoint(data.pupils["school_urn"])), 0 < marks < 3
    (True, True)
    """
    cells = project_pupils.groupby([c.HUB, c.ACADEMIC_YEAR], sort=True)[c.SCHOOL_URN].nunique()
    schools_per_cell = np.maximum(cells.to_numpy(), 2)
    hub_index = {name: k for k, name in enumerate(world.hub_names)}
    cell_hub = np.array([hub_index[h] for h in cells.index.get_level_values(0)])
    cell_year = cells.index.get_level_values(1).to_numpy(dtype=object)
    school_hub = np.repeat(cell_hub, schools_per_cell)
    school_year = np.repeat(cell_year, schools_per_cell)
    k = len(school_hub)
    taken = set(world.school_urn.tolist()) | set(project_pupils[c.SCHOOL_URN].dropna().tolist())
    pool = np.setdiff1d(rng.choice(900_000, size=k * 3, replace=False) + 100_000, list(taken))
    urn = pool[:k]

    cohort_size = np.clip(np.round(np.exp(rng.normal(3.35, 0.45, k))), 6, 120).astype(int)
    p_school = np.repeat(np.arange(k), cohort_size)
    n = len(p_school)
    disadvantaged = rng.random(n) < np.repeat(rng.beta(2.5, 7.5, k), cohort_size)
    sen = rng.random(n) < 0.15
    eal = rng.random(n) < np.repeat(rng.beta(1.2, 4.8, k), cohort_size)
    male = rng.random(n) < 0.51
    ability = (
        rng.normal(0.0, 0.3, k)[p_school]
        + rng.normal(0.0, 0.95, n)
        - 0.60 * disadvantaged
        - 0.45 * sen
        + 0.05 * male
    )
    national = reference.mtc_national().set_index("academic_year")["mean_score"]
    base = ((national.reindex(school_year).to_numpy() - 20.2) / 2.4)[p_school]
    logit_pre = MTC_PRE + base + MTC_SLOPE * (ability + rng.normal(0.0, 0.3, n))
    logit_post = (
        MTC_POST
        - TRUE_EFFECT_LOGIT
        + base
        + world.hub_mtc_effect[school_hub][p_school]
        + rng.normal(0.0, 0.12, k)[p_school]
        + MTC_SLOPE * (ability + rng.normal(0.0, 0.3, n))
    )
    score_pre = rng.binomial(c.MTC_MAX, 1.0 / (1.0 + np.exp(-logit_pre)))
    score_post = rng.binomial(c.MTC_MAX, 1.0 / (1.0 + np.exp(-logit_post)))
    with_programme = 1.0 / (1.0 + np.exp(-(logit_post + TRUE_EFFECT_LOGIT)))
    true_marks = float(np.mean(c.MTC_MAX * (with_programme - 1.0 / (1.0 + np.exp(-logit_post)))))

    took_pre = rng.random(n) >= 0.015
    took_post = rng.random(n) >= 0.035
    start = np.array([int(y[:4]) for y in school_year])
    pre_day = pd.to_datetime([f"{y}-10-15" for y in start]).to_numpy()
    post_day = pd.to_datetime([f"{y + 1}-06-10" for y in start]).to_numpy()
    pupil_id = random_codes(rng, n, "PC-", 7)
    rows = np.concatenate([np.flatnonzero(took_pre), np.flatnonzero(took_post)])
    is_post = np.repeat([False, True], [took_pre.sum(), took_post.sum()])
    school = p_school[rows]
    frame = pd.DataFrame(
        {
            c.PUPIL_ID: pd.array(pupil_id[rows], dtype="str"),
            c.SCHOOL_URN: pd.array(urn[school], dtype="Int64"),
            c.HUB: pd.array(world.hub_names[school_hub[school]], dtype="str"),
            c.NCP: pd.array(np.full(len(rows), project_pupils[c.NCP].iloc[0]), dtype="str"),
            c.ACADEMIC_YEAR: pd.array(school_year[school], dtype="str"),
            c.YEAR_GROUP: pd.array(np.full(len(rows), 4), dtype="Int64"),
            c.PHASE: pd.array(np.where(is_post, "post", "pre").astype(object), dtype="str"),
            c.ASSESSED_ON: np.where(is_post, post_day[school], pre_day[school]).astype(
                "datetime64[us]"
            ),
            c.MEASURE: pd.array(np.full(len(rows), c.DEFAULT_MEASURE), dtype="str"),
            c.SCORE: np.where(is_post, score_post[rows], score_pre[rows]).astype(float),
            c.DISADVANTAGED: pd.array(disadvantaged[rows], dtype="boolean"),
            c.SEX: pd.array(np.where(male[rows], "M", "F").astype(object), dtype="str"),
            c.SEN: pd.array(sen[rows], dtype="boolean"),
            c.EAL: pd.array(eal[rows], dtype="boolean"),
            c.GROUP: pd.array(np.full(len(rows), c.COMPARISON), dtype="str"),
        }
    )
    order = np.lexsort((pupil_id[rows], is_post, urn[school], school_year[school]))
    return frame.iloc[order].reset_index(drop=True), true_marks


def waiting_list_surveys(
    rng: np.random.Generator,
    project_surveys: pd.DataFrame,
    world: World,
    instrument: Instrument,
) -> tuple[pd.DataFrame, dict[str, float], dict[str, float]]:
    """Pre and post survey answers of next year's teachers, in the year before they start.

    For every Work Group of :data:`WAITING_LIST_NCP` in the latest year with project surveys, a
    waiting-list Work Group in the same hub (its future id, suffix ``-WL``), 4 to 12 teachers,
    answering both surveys with the project teachers' baseline and no programme effect.

    Returns
    -------
    (DataFrame, dict, dict)
        Survey rows; the programme's true effect per construct on the latent scale (what it
        adds to a year's change beyond the drift without it, averaged over the cohort's hubs);
        and the same effect in construct-score points (1-5): the mean over the cohort of the
        expected score with it minus without it
        (:func:`~evaluation.synthetic.surveys.expected_scores`).

    Examples
    --------
    >>> from evaluation.synthetic.sample import generate
    >>> data = generate(seed=1)
    >>> world = build_world(np.random.default_rng(1), SIZES["small"])
    >>> frame, effect, points = waiting_list_surveys(np.random.default_rng(2), data.surveys,
    ...                                              world, default_instrument())
    >>> sorted(frame["phase"].unique()), sorted(effect), sorted(points) == sorted(effect)
    (['post', 'pre'], ['confidence', 'practice', 'subject_knowledge'], True)
    """
    ncp_name = world.ncp_names[world.ncp_codes.index(WAITING_LIST_NCP)]
    project = project_surveys[project_surveys[c.NCP] == ncp_name]
    year = max(project[c.ACADEMIC_YEAR])
    groups = (
        project[project[c.ACADEMIC_YEAR] == year][[c.WORK_GROUP, c.HUB]]
        .drop_duplicates(c.WORK_GROUP)
        .sort_values(c.WORK_GROUP)
    )
    size = rng.integers(4, 13, len(groups))
    g_of = np.repeat(np.arange(len(groups)), size)
    n = len(g_of)
    hub_index = {name: k for k, name in enumerate(world.hub_names)}
    hub = np.array([hub_index[h] for h in groups[c.HUB]])[g_of]
    roles = project[c.ROLE].dropna().to_numpy(dtype=object)
    role = rng.choice(roles, size=n)
    role_code = np.array([ROLES.index(r) for r in role])
    k = len(instrument.constructs)
    general = rng.normal(0.0, 1.0, (n, 1))
    pre = ROLE_BASELINE[role_code][:, None] + 0.75 * general + 0.66 * rng.normal(0.0, 1.0, (n, k))
    change = (
        WAITING_LIST_DRIFT
        + rng.normal(0.0, 0.12, len(groups))[g_of][:, None]
        + rng.normal(0.0, 0.35, (n, 1))
        + rng.normal(0.0, 0.30, (n, k))
    )
    post = pre + change
    answers = np.vstack(
        [
            likert_answers(rng, pre, instrument, ITEM_SHIFT),
            likert_answers(rng, post, instrument, ITEM_SHIFT),
        ]
    )
    answers[rng.random(answers.shape) < 0.02] = np.nan
    urn = np.array([rng.choice(world.school_urn[world.school_hub == h]) for h in hub])
    respondent = random_codes(rng, n, "WL-", 6)
    both = np.concatenate([np.arange(n), np.arange(n)])
    frame = pd.DataFrame(
        {
            c.RESPONDENT_ID: respondent[both],
            c.PHASE: np.repeat(["pre", "post"], n),
            c.ACADEMIC_YEAR: year,
            c.HUB: world.hub_names[hub[both]],
            c.NCP: ncp_name,
            c.WORK_GROUP: (groups[c.WORK_GROUP].to_numpy(dtype=object) + "-WL")[g_of[both]],
            c.SCHOOL_URN: pd.array(urn[both], dtype="Int64"),
            c.ROLE: role[both],
            c.GROUP: c.COMPARISON,
        }
    )
    for column, item_id in enumerate(instrument.item_ids):
        frame[item_id] = answers[:, column]
    # The programme's effect on each teacher's latents: what it adds to a year's change over
    # the change without it (the drift), as in the project teachers' hubs.
    plan_effect = NCP_PLAN[WAITING_LIST_NCP][1]
    multipliers = np.array(construct_multipliers(WAITING_LIST_NCP))
    added = plan_effect * multipliers + world.hub_survey_effect[hub][:, None] - WAITING_LIST_DRIFT
    points = expected_scores(post + added, instrument, ITEM_SHIFT) - expected_scores(
        post, instrument, ITEM_SHIFT
    )
    names = instrument.constructs
    latent = dict(zip(names, added.mean(axis=0).tolist(), strict=True))
    return frame, latent, dict(zip(names, points.mean(axis=0).tolist(), strict=True))


def generate_comparison(
    project_pupils: pd.DataFrame,
    project_surveys: pd.DataFrame,
    *,
    scale: str = "small",
    seed: int = 2024,
) -> ComparisonData:
    """Comparison pupils and a waiting-list cohort for a sample made with the same scale and seed.

    Parameters
    ----------
    project_pupils, project_surveys : DataFrame
        The sample's pupils and surveys (:func:`evaluation.synthetic.generate`).
    scale : {"small", "national"}
        The sample's scale.
    seed : int
        The sample's seed; the comparison data use their own random stream from it, so the
        sample itself is unchanged.

    Examples
    --------
    >>> from evaluation.synthetic.sample import generate
    >>> data = generate(seed=1)
    >>> extra = generate_comparison(data.pupils, data.surveys, seed=1)
    >>> extra.pupils["hub"].nunique() > 5, round(extra.true_effect_marks, 1) > 0
    (True, True)
    """
    world = build_world(np.random.default_rng(seed), SIZES[scale])
    rng = np.random.default_rng(seed + _SEED_OFFSET)
    pupils, marks = comparison_pupils(rng, project_pupils, world)
    surveys, latent, points = waiting_list_surveys(
        rng, project_surveys, world, default_instrument()
    )
    return ComparisonData(
        pupils=pupils,
        surveys=surveys,
        true_effect_marks=marks,
        true_effect_latent=latent,
        true_effect_points=points,
    )


def comparison_readme(extra: ComparisonData) -> str:
    """``COMPARISON.md``: what the comparison files hold and their true effects.

    Examples
    --------
    >>> from evaluation.synthetic.sample import generate
    >>> data = generate(seed=1)
    >>> comparison_readme(generate_comparison(data.pupils, data.surveys, seed=1)).splitlines()[0]
    '# Synthetic comparison data'
    """
    pupils, surveys = extra.pupils, extra.surveys
    latent = ", ".join(f"{k} {v:.2f}" for k, v in extra.true_effect_latent.items())
    points = ", ".join(f"{k} {v:.2f}" for k, v in extra.true_effect_points.items())
    return (
        "# Synthetic comparison data\n\n"
        "Made up by `evaluation.synthetic.comparison`; no real teacher, pupil or school. Every "
        "row's `group` column says `comparison`; `python -m evaluation store seed` (and the "
        "dashboard's first start) stores these files with the sample, so every impact view has "
        "a comparison group.\n\n"
        f"- `pupils_comparison.csv`: {len(pupils):,} MTC scores of Year 4 pupils in "
        f"{pupils[c.SCHOOL_URN].nunique():,} schools not in Mastering Number at KS2 (at least "
        "two per hub and year with project pupils), generated as the project pupils but without "
        f"the programme: its true effect is {TRUE_EFFECT_LOGIT} on the logit of each answer, "
        f"about {extra.true_effect_marks:.2f} marks on average.\n"
        f"- `surveys_comparison.csv`: a waiting-list cohort of {surveys[c.RESPONDENT_ID].nunique()}"
        f" teachers in {surveys[c.WORK_GROUP].nunique()} future Work Groups of "
        f"{surveys[c.NCP].iloc[0]} ({surveys[c.ACADEMIC_YEAR].iloc[0]}), surveyed at the start "
        "and end of the year before they join; the programme's true effect (what it adds to a "
        "year's change beyond the waiting list's own) is, on the latent constructs (SD units), "
        f"{latent}; on the construct scores (points on the 1-5 scale), {points}.\n\n"
        "Try: `python -m evaluation impact pupils.csv --comparison pupils_comparison.csv "
        "--kind pupil --by hub`.\n"
    )
