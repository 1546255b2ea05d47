"""Synthetic pupil scores: Year 4 Multiplication Tables Check, pre and post, clustered by school.

Scores are binomial out of 25 with a logit-normal success rate, so they pile up at 25.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation import columns as c
from evaluation.synthetic.world import Size, World, random_codes, yearly_dates
from schemas import reference

__all__ = [
    "MTC_NCP",
    "MTC_POST",
    "MTC_PRE",
    "MTC_SLOPE",
    "pupil_frame",
]

MTC_NCP = "Mastering Number at KS2"
# MTC: logit of the chance of each of the 25 answers being right = intercept + slope x ability.
MTC_PRE = 1.9
MTC_POST = 3.1
MTC_SLOPE = 2.2


def pupil_frame(
    rng: np.random.Generator, teachers: pd.DataFrame, world: World, size: Size
) -> pd.DataFrame:
    """MTC scores of Year 4 pupils in the schools taking part in Mastering Number at KS2.

    See :func:`evaluation.synthetic.generate` for the model and the columns.

    Examples
    --------
    >>> from evaluation.synthetic.world import SIZES, build_world, work_group_teachers
    >>> rng = np.random.default_rng(1)
    >>> world = build_world(rng, SIZES["small"])
    >>> teachers = work_group_teachers(rng, world, SIZES["small"])
    >>> int(pupil_frame(rng, teachers, world, SIZES["small"])["score"].max())
    25
    """
    mn = world.ncp_codes.index("MN-KS2")
    cohorts = (
        teachers.loc[teachers["ncp"] == mn, ["school", "year", "hub"]]
        .drop_duplicates()
        .sort_values(["year", "school"], kind="stable")
    )
    # not every participating school returns MTC scores
    keep = rng.permutation(len(cohorts))[: size.pupil_school_years]
    cohorts = cohorts.iloc[np.sort(keep)]
    school = cohorts["school"].to_numpy()
    year = cohorts["year"].to_numpy()
    hub = cohorts["hub"].to_numpy()
    k = len(cohorts)
    cohort_size = np.clip(np.round(np.exp(rng.normal(3.35, 0.45, k))), 6, 120).astype(int)
    p_cohort = np.repeat(np.arange(k), cohort_size)
    n = len(p_cohort)

    disadvantaged = rng.random(n) < np.repeat(rng.beta(2.5, 7.5, k), cohort_size)
    sen = rng.random(n) < 0.15
    eal = rng.random(n) < np.repeat(rng.beta(1.2, 4.8, k), cohort_size)
    male = rng.random(n) < 0.51
    ability = (
        world.school_mtc_effect[school][p_cohort]
        + rng.normal(0.0, 0.95, n)
        - 0.60 * disadvantaged
        - 0.45 * sen
        + 0.05 * male
    )
    national = reference.mtc_national().set_index("academic_year")["mean_score"]
    year_shift = (np.array([national[y] for y in world.years]) - 20.2) / 2.4
    school_growth = rng.normal(0.0, 0.12, k)
    base = year_shift[year][p_cohort]
    logit_pre = MTC_PRE + base + MTC_SLOPE * (ability + rng.normal(0.0, 0.3, n))
    logit_post = (
        MTC_POST
        + base
        + world.hub_mtc_effect[hub][p_cohort]
        + school_growth[p_cohort]
        + MTC_SLOPE * (ability + rng.normal(0.0, 0.3, n))
    )
    score_pre = rng.binomial(c.MTC_MAX, 1.0 / (1.0 + np.exp(-logit_pre)))
    score_post = rng.binomial(c.MTC_MAX, 1.0 / (1.0 + np.exp(-logit_post)))

    # a few pupils absent on the day of either check
    took_pre = rng.random(n) >= 0.015
    took_post = rng.random(n) >= 0.035
    start_year = np.array([int(y[:4]) for y in world.years])[year]
    october = yearly_dates(start_year, "-10-01")
    june = yearly_dates(start_year + 1, "-06-01")
    pre_day = np.busday_offset(october, rng.integers(0, 35, k), roll="forward")
    post_day = np.busday_offset(june, rng.integers(0, 14, k), roll="forward")

    pupil_id = random_codes(rng, n, "P-", 7)
    rows = np.concatenate([np.flatnonzero(took_pre), np.flatnonzero(took_post)])
    is_post = np.repeat([False, True], [took_pre.sum(), took_post.sum()])
    cohort = p_cohort[rows]
    frame = pd.DataFrame(
        {
            c.PUPIL_ID: pd.array(pupil_id[rows], dtype="str"),
            c.SCHOOL_URN: pd.array(world.school_urn[school[cohort]], dtype="Int64"),
            c.HUB: pd.array(world.hub_names[hub[cohort]], dtype="str"),
            c.NCP: pd.array(np.full(len(rows), MTC_NCP, dtype=object), dtype="str"),
            c.ACADEMIC_YEAR: pd.array(
                np.array(world.years, dtype=object)[year[cohort]], dtype="str"
            ),
            c.YEAR_GROUP: pd.array(np.full(len(rows), 4), dtype="Int64"),
            c.PHASE: pd.array(np.where(is_post, "post", "pre").astype(object), dtype="str"),
            c.ASSESSED_ON: np.where(is_post, post_day[cohort], pre_day[cohort]).astype(
                "datetime64[us]"
            ),
            c.MEASURE: pd.array(np.full(len(rows), c.DEFAULT_MEASURE, dtype=object), dtype="str"),
            c.SCORE: np.where(is_post, score_post[rows], score_pre[rows]).astype(float),
            c.DISADVANTAGED: pd.array(disadvantaged[rows], dtype="boolean"),
            c.SEX: pd.array(np.where(male[rows], "M", "F").astype(object), dtype="str"),
            c.SEN: pd.array(sen[rows], dtype="boolean"),
            c.EAL: pd.array(eal[rows], dtype="boolean"),
        }
    )
    order = np.lexsort((pupil_id[rows], is_post, world.school_urn[school[cohort]], year[cohort]))
    return frame.iloc[order].reset_index(drop=True)
