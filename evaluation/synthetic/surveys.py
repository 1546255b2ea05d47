"""Synthetic participant surveys: latent confidence, knowledge and practice cut into 1-5 answers.

One row per teacher per phase, pre and post, with drop-outs, joiners and missing answers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation import columns as c
from evaluation.instruments import Instrument
from evaluation.synthetic.texts import FORMULA_ANSWER, open_text
from evaluation.synthetic.world import (
    NCP_PLAN,
    ROLE_BASELINE,
    ROLES,
    SCHOOL_PHASES,
    World,
    random_codes,
    yearly_dates,
)

__all__ = [
    "CONSTRUCT_EFFECT",
    "ITEM_NOISE_SD",
    "ITEM_SHIFT",
    "OCCASION_SD",
    "TEXT_COLUMNS",
    "THRESHOLDS",
    "construct_multipliers",
    "expected_scores",
    "likert_answers",
    "survey_frame",
]

TEXT_COLUMNS = ("text_what_changed", "text_support_needed")

# Per-construct multiplier of a project's effect: confidence, subject knowledge, practice.
CONSTRUCT_EFFECT = {"default": (1.0, 0.85, 0.7), "SKTM": (1.0, 1.15, 0.6), "TfM": (0.9, 0.8, 1.0)}
# Ordinal thresholds on the latent response scale (4 cut points -> answers 1..5).
THRESHOLDS = np.array([-1.85, -0.95, 0.05, 1.15])
ITEM_NOISE_SD = 0.72
# SD of the shared "occasion" effect (mood, acquiescence) added to every item of one response.
OCCASION_SD = 0.25
# How easy each default-instrument item is to endorse (conf_1 ... prac_3), on the latent scale.
ITEM_SHIFT = np.array([0.15, -0.1, 0.0, 0.1, -0.2, 0.0, 0.05, -0.25, -0.15])


def construct_multipliers(code: str) -> tuple[float, float, float]:
    """How a project's effect splits over confidence, subject knowledge and practice.

    Examples
    --------
    >>> construct_multipliers("SKTM-PT")
    (1.0, 1.15, 0.6)
    """
    if code.startswith("SKTM"):
        return CONSTRUCT_EFFECT["SKTM"]
    if code.startswith(("PTM", "STM")):
        return CONSTRUCT_EFFECT["TfM"]
    return CONSTRUCT_EFFECT["default"]


def likert_answers(
    rng: np.random.Generator, latent: np.ndarray, instrument: Instrument, item_shift: np.ndarray
) -> np.ndarray:
    """Ordinal 1-5 answers (float) for each row of ``latent`` (n x constructs).

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> answers = likert_answers(
    ...     np.random.default_rng(1), np.zeros((4, 3)), default_instrument(), ITEM_SHIFT
    ... )
    >>> answers.shape, set(np.unique(answers)) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    ((4, 9), True)
    """
    n = latent.shape[0]
    construct_index = {name: k for k, name in enumerate(instrument.constructs)}
    item_construct = np.array([construct_index[i.construct] for i in instrument.items])
    # a shared occasion effect (mood, acquiescence) correlates the noise across items
    occasion = rng.normal(0.0, OCCASION_SD, (n, 1))
    noise = rng.normal(0.0, ITEM_NOISE_SD, (n, len(instrument.items)))
    star = latent[:, item_construct] + item_shift + occasion + noise
    ordinal = 1.0 + (star[:, :, None] > THRESHOLDS).sum(axis=2)
    reverse = np.array([i.reverse for i in instrument.items])
    ordinal[:, reverse] = instrument.scale_min + instrument.scale_max - ordinal[:, reverse]
    return ordinal


def expected_scores(
    latent: np.ndarray, instrument: Instrument, item_shift: np.ndarray
) -> np.ndarray:
    """Expected construct scores (n x constructs) of the answers :func:`likert_answers` gives.

    A construct's score is the mean of its items, reverse-worded ones reverse-coded back (as
    :func:`evaluation.stats.scoring.to_long` scores them), so an item's expected contribution is
    ``1 + sum_k P(latent + shift + occasion + noise > threshold_k)``, a sum of normal CDFs.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> scores = expected_scores(np.zeros((1, 3)), default_instrument(), ITEM_SHIFT)
    >>> scores.shape, bool(((1 < scores) & (scores < 5)).all())
    ((1, 3), True)
    """
    from scipy.stats import norm  # here: the generator's other functions need only NumPy

    construct_index = {name: k for k, name in enumerate(instrument.constructs)}
    item_construct = np.array([construct_index[i.construct] for i in instrument.items])
    spread = np.hypot(OCCASION_SD, ITEM_NOISE_SD)
    centre = latent[:, item_construct] + item_shift
    per_item = 1.0 + norm.cdf((centre[:, :, None] - THRESHOLDS) / spread).sum(axis=2)
    counts = np.bincount(item_construct, minlength=len(instrument.constructs))
    sums = np.stack(
        [per_item[:, item_construct == k].sum(axis=1) for k in range(len(counts))], axis=1
    )
    return sums / counts


def survey_frame(
    rng: np.random.Generator, teachers: pd.DataFrame, world: World, instrument: Instrument
) -> pd.DataFrame:
    """Pre and post answers of the enrolled teachers, as canonical survey rows.

    See :func:`evaluation.synthetic.generate` for the model and the columns.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> from evaluation.synthetic.world import SIZES, build_world, work_group_teachers
    >>> rng = np.random.default_rng(1)
    >>> world = build_world(rng, SIZES["small"])
    >>> teachers = work_group_teachers(rng, world, SIZES["small"])
    >>> sorted(survey_frame(rng, teachers, world, default_instrument())["phase"].unique())
    ['post', 'pre']
    """
    n = len(teachers)
    ncp = teachers["ncp"].to_numpy()
    hub = teachers["hub"].to_numpy()
    year = teachers["year"].to_numpy()
    role = teachers["role"].to_numpy()
    code_of = np.array(world.ncp_codes, dtype=object)

    # baseline latents: general maths confidence plus construct-specific parts
    baseline = ROLE_BASELINE[role] + np.where(
        np.isin(code_of[ncp], ["PTM-E", "PTM-S", "STM-E", "STM-S", "MN-EI"]), 0.35, 0.0
    )
    baseline = baseline - np.where(code_of[ncp] == "SKTM-SNS", 0.5, 0.0)
    general = rng.normal(0.0, 1.0, (n, 1))
    n_constructs = len(instrument.constructs)
    pre = baseline[:, None] + 0.75 * general + 0.66 * rng.normal(0.0, 1.0, (n, n_constructs))

    effect = np.array([NCP_PLAN[code][1] for code in world.ncp_codes])[ncp]
    multipliers = np.array([construct_multipliers(code) for code in world.ncp_codes])[ncp]
    change = (
        effect[:, None] * multipliers
        + world.hub_survey_effect[hub][:, None]
        + teachers["group_effect"].to_numpy()[:, None]
        + rng.normal(0.0, 0.35, (n, 1))
        + rng.normal(0.0, 0.30, (n, n_constructs))
    )
    post = pre + change

    answers_pre = likert_answers(rng, pre, instrument, ITEM_SHIFT)
    answers_post = likert_answers(rng, post, instrument, ITEM_SHIFT)

    # who answered what: both (76%), pre only (drop-outs, a little likelier for the least
    # confident), post only (new joiners, 3.5%)
    u = rng.random(n) - 0.03 * pre.mean(axis=1).clip(-2, 2)
    pre_only = u < 0.205
    post_only = (u >= 0.205) & (u < 0.24)
    has_pre, has_post = ~post_only, ~pre_only

    respondent = random_codes(rng, n, "MH-", 6)
    rows = np.concatenate([np.flatnonzero(has_pre), np.flatnonzero(has_post)])
    phase = np.repeat(np.array(["pre", "post"], dtype=object), [has_pre.sum(), has_post.sum()])
    is_post = phase == "post"
    items = np.where(is_post[:, None], answers_post[rows], answers_pre[rows])

    # straight-liners and missing answers
    m = len(rows)
    straight = rng.random(m) < 0.015
    items[straight] = rng.choice([3.0, 4.0, 5.0], p=[0.3, 0.5, 0.2], size=int(straight.sum()))[
        :, None
    ]
    items[rng.random(items.shape) < 0.02] = np.nan

    submitted = _submitted_at(rng, teachers, world, rows, is_post)
    school = teachers["school"].to_numpy()[rows]
    frame = pd.DataFrame(
        {
            c.RESPONDENT_ID: respondent[rows],
            c.PHASE: phase,
            c.ACADEMIC_YEAR: np.array(world.years, dtype=object)[year[rows]],
            c.HUB: world.hub_names[hub[rows]],
            c.NCP: world.ncp_names[ncp[rows]],
            c.WORK_GROUP: teachers["work_group"].to_numpy()[rows],
            c.SCHOOL_URN: pd.array(world.school_urn[school], dtype="Int64"),
            c.SCHOOL_PHASE: np.array(SCHOOL_PHASES, dtype=object)[world.school_phase[school]],
            c.ROLE: np.array(ROLES, dtype=object)[role[rows]],
            c.SUBMITTED_AT: submitted,
        }
    )
    for k, item_id in enumerate(instrument.item_ids):
        frame[item_id] = items[:, k]
    what, support = open_text(rng, is_post)
    frame[TEXT_COLUMNS[0]] = pd.array(what, dtype="str")
    frame[TEXT_COLUMNS[1]] = pd.array(support, dtype="str")
    for column in (c.RESPONDENT_ID, c.PHASE, c.ACADEMIC_YEAR, c.HUB, c.NCP, c.WORK_GROUP):
        frame[column] = frame[column].astype("str")
    for column in (c.SCHOOL_PHASE, c.ROLE):
        frame[column] = frame[column].astype("str")

    order = np.lexsort(
        (
            frame[c.SUBMITTED_AT].to_numpy(),
            is_post,
            frame[c.WORK_GROUP].to_numpy(),
            year[rows],
        )
    )
    frame = frame.iloc[order].reset_index(drop=True)
    # one answer that a spreadsheet would run as a formula, to exercise export safety
    answered = frame[TEXT_COLUMNS[1]].notna().to_numpy()
    frame.loc[int(np.flatnonzero(answered)[0]), TEXT_COLUMNS[1]] = FORMULA_ANSWER
    return frame


def _submitted_at(
    rng: np.random.Generator,
    teachers: pd.DataFrame,
    world: World,
    rows: np.ndarray,
    is_post: np.ndarray,
) -> np.ndarray:
    """Pre answers in the autumn term, post answers in the summer term, per Work Group."""
    group = teachers["group"].to_numpy()
    n_groups = int(group.max()) + 1
    start_year = np.array([int(y[:4]) for y in world.years])[teachers["year"].to_numpy()[rows]]
    launch = rng.integers(0, 60, n_groups)  # days after 15 September
    close = rng.integers(0, 60, n_groups)  # days after 1 May
    autumn = yearly_dates(start_year, "-09-15")
    summer = yearly_dates(start_year + 1, "-05-01")
    day = np.where(is_post, summer + close[group[rows]], autumn + launch[group[rows]])
    day = day + np.floor(rng.exponential(2.5, len(rows))).astype("timedelta64[D]")
    hour = rng.choice(
        np.arange(7, 23),
        p=np.array([1, 3, 3, 3, 4, 6, 5, 3, 5, 8, 9, 8, 7, 7, 5, 3], dtype=float) / 80,
        size=len(rows),
    )
    seconds = hour * 3600 + rng.integers(0, 3600, len(rows))
    return (day.astype("datetime64[s]") + seconds.astype("timedelta64[s]")).astype("datetime64[us]")
