"""Example exports for one Work Group: Microsoft Forms and Google Forms surveys, MTC scores.

What a lead downloads and uploads; used by the upload demo and the browser tests.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from evaluation import columns as c
from evaluation.instruments import Instrument, default_instrument
from evaluation.synthetic.pupils import MTC_NCP, MTC_POST, MTC_PRE, MTC_SLOPE
from evaluation.synthetic.surveys import ITEM_SHIFT, construct_multipliers, likert_answers
from evaluation.synthetic.texts import SUPPORT, WHAT_CHANGED, WHAT_CHANGED_PRE
from evaluation.synthetic.world import (
    NCP_PLAN,
    ROLE_BASELINE,
    SIZES,
    World,
    build_world,
    random_codes,
)

__all__ = [
    "EXAMPLE_HUB",
    "EXAMPLE_NCP",
    "EXAMPLE_YEAR",
    "OPEN_QUESTIONS",
    "example_exports",
    "write_examples",
]

EXAMPLE_HUB = "Solent Maths Hub"
EXAMPLE_NCP = MTC_NCP
EXAMPLE_YEAR = "2024/25"
OPEN_QUESTIONS = (
    "What, if anything, has changed in your teaching of maths since this Work Group started?",
    "What further support would help you?",
)
_FIRST_NAMES = (
    "Amira", "Ben", "Chloe", "Dev", "Ellie", "Femi", "Grace", "Harry", "Isla", "Jamal",
    "Katie", "Liam", "Maya", "Noah", "Olivia", "Priya", "Sam", "Tom",
)  # fmt: skip
_LAST_NAMES = (
    "Ahmed", "Brown", "Clarke", "Davies", "Evans", "Foster", "Green", "Hughes", "Iqbal",
    "Jones", "Khan", "Lewis", "Morgan", "Patel", "Roberts", "Shaw", "Taylor", "Wilson",
)  # fmt: skip


def write_examples(out_dir: str | Path, *, seed: int = 2024) -> list[Path]:
    """Write realistic survey and pupil exports for one Work Group.

    The Work Group is Solent Maths Hub, Mastering Number at KS2, 2024/25. The files look like
    what a lead downloads: Microsoft Forms pre and post (question text as headers, answers as
    labels, a response-number ``ID`` that differs between the two forms for the same person), the
    post survey as a Google Forms CSV, and the Work Group's pupil MTC scores. Hub, project and
    year are not in the survey files, as in reality: the lead supplies them at upload.

    Parameters
    ----------
    out_dir : str or Path
        Folder to write into (created if missing).
    seed : int
        Seed of the random number generator.

    Returns
    -------
    list of Path
        ``ms_forms_pre.xlsx``, ``ms_forms_post.xlsx``, ``google_forms_post.csv``,
        ``mtc_scores.csv``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in write_examples(tmp)]
    ['ms_forms_pre.xlsx', 'ms_forms_post.xlsx', 'google_forms_post.csv', 'mtc_scores.csv']
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pre, post, google, pupils = example_exports(seed=seed)
    paths = [out / name for name in _EXAMPLE_FILES]
    pre.to_excel(paths[0], index=False, sheet_name="Sheet1")
    post.to_excel(paths[1], index=False, sheet_name="Sheet1")
    paths[2].write_bytes(google.to_csv(index=False, lineterminator="\r\n").encode("utf-8"))
    paths[3].write_bytes(pupils.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    return paths


_EXAMPLE_FILES = (
    "ms_forms_pre.xlsx",
    "ms_forms_post.xlsx",
    "google_forms_post.csv",
    "mtc_scores.csv",
)


def example_exports(
    seed: int = 2024,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The four example exports of :func:`write_examples` as frames (pre, post, Google, pupils).

    Examples
    --------
    >>> pre, post, google, pupils = example_exports()
    >>> list(pre.columns[:4])
    ['ID', 'Start time', 'Completion time', 'Email']
    >>> pre.columns[6]
    'Participant code'
    >>> sorted(pupils["Phase"].unique())
    ['post', 'pre']
    """
    rng = np.random.default_rng(seed)
    instrument = default_instrument()
    world = build_world(np.random.default_rng(seed), SIZES["small"])
    hub = int(np.flatnonzero(world.hub_names == EXAMPLE_HUB)[0])
    members, offsets, counts = world.pools["P"]
    n_schools = 6
    schools = members[offsets[hub] + rng.choice(counts[hub], n_schools, replace=False)]

    # 12 teachers, two from each school; one drops out, one more never answers the post survey, and
    # one joins late (post only)
    n = 12
    role = np.tile([0, 1], n_schools)  # a Year 4 class teacher and the school's maths lead
    role[[3, 8]] = 4  # two early career teachers
    pre_latent = ROLE_BASELINE[role][:, None] + 0.75 * rng.normal(0, 1, (n, 1))
    pre_latent = pre_latent + 0.66 * rng.normal(0, 1, (n, 3))
    change = (
        NCP_PLAN["MN-KS2"][1] * np.array(construct_multipliers("MN-KS2"))
        + world.hub_survey_effect[hub]
        + rng.normal(0, 0.35, (n, 1))
        + rng.normal(0, 0.3, (n, 3))
    )
    answers_pre = likert_answers(rng, pre_latent, instrument, ITEM_SHIFT)
    answers_post = likert_answers(rng, pre_latent + change, instrument, ITEM_SHIFT)
    answers_pre[4, 7] = np.nan  # a question left blank
    answers_post[6, 2] = np.nan
    has_pre = np.ones(n, dtype=bool)
    has_post = np.ones(n, dtype=bool)
    has_pre[11] = False  # a new joiner
    has_post[[5, 9]] = False  # two did not answer the post survey

    codes = random_codes(rng, n, "MH-", 6)
    first = rng.choice(len(_FIRST_NAMES), n, replace=False)
    last = rng.choice(len(_LAST_NAMES), n, replace=False)
    names = np.array(
        [f"{_FIRST_NAMES[f]} {_LAST_NAMES[s]}" for f, s in zip(first, last, strict=True)]
    )
    numbers = rng.choice(np.arange(1, 200), n, replace=False)
    emails = np.array([f"teacher{k:03d}@example.sch.uk" for k in numbers])

    what_pool = np.array(WHAT_CHANGED[:12], dtype=object)
    support_pool = np.array(SUPPORT[:12], dtype=object)
    texts_post = (
        what_pool[rng.permutation(len(what_pool))[:n]],
        support_pool[rng.integers(0, len(support_pool), n)],
    )
    texts_pre = (
        np.array(WHAT_CHANGED_PRE, dtype=object)[rng.integers(0, len(WHAT_CHANGED_PRE), n)],
        support_pool[rng.integers(0, len(support_pool), n)],
    )

    pre = _ms_forms(
        rng, instrument, answers_pre, has_pre, codes, names, emails, texts_pre,
        start=np.datetime64("2024-10-02T15:45"), order=None,
    )  # fmt: skip
    # The post form numbers its responses from 1 in its own order: the same teacher has a
    # different ID in the two files (a derangement of the pre order).
    post_people = np.flatnonzero(has_post)
    pre_id = {person: k + 1 for k, person in enumerate(np.flatnonzero(has_pre))}
    while True:
        order = rng.permutation(post_people)
        if all(pre_id.get(person) != k + 1 for k, person in enumerate(order)):
            break
    post_codes = codes.copy()
    post_codes[order[2]] = codes[order[2]].lower() + " "  # typed by hand, as people do
    post = _ms_forms(
        rng, instrument, answers_post, has_post, post_codes, names, emails, texts_post,
        start=np.datetime64("2025-06-18T15:30"), order=order,
    )  # fmt: skip

    google = pd.DataFrame(
        {
            "Timestamp": pd.to_datetime(post["Completion time"]).dt.strftime("%d/%m/%Y %H:%M:%S"),
            "Email address": post["Email"],
            "Participant code": post["Participant code"],
        }
    )
    for column in post.columns[7:]:
        google[column] = post[column]

    pupils = _example_pupils(rng, world, hub, schools)
    return pre, post, google, pupils


def _ms_forms(
    rng: np.random.Generator,
    instrument: Instrument,
    answers: np.ndarray,
    answered: np.ndarray,
    codes: np.ndarray,
    names: np.ndarray,
    emails: np.ndarray,
    texts: tuple[np.ndarray, np.ndarray],
    *,
    start: np.datetime64,
    order: np.ndarray | None,
) -> pd.DataFrame:
    """A Microsoft Forms export: one row per response, numbered in the order received."""
    people = np.flatnonzero(answered) if order is None else order
    m = len(people)
    # most answer during the session, the rest over the following days, in the daytime
    in_session = np.arange(m) < (m + 1) // 2
    later_day = rng.integers(1, 6, m).astype("timedelta64[D]")
    later_time = rng.integers(7 * 60, 22 * 60, m).astype("timedelta64[m]")
    session_day = start.astype("datetime64[D]")
    begun = np.where(
        in_session,
        start + rng.integers(0, 25, m).astype("timedelta64[m]"),
        session_day + later_day + later_time,
    ).astype("datetime64[s]")
    begun = np.sort(begun + rng.integers(0, 60, m).astype("timedelta64[s]"))
    finished = begun + rng.integers(150, 600, m).astype("timedelta64[s]")
    frame = pd.DataFrame(
        {
            "ID": np.arange(1, m + 1),
            "Start time": begun.astype("datetime64[us]"),
            "Completion time": finished.astype("datetime64[us]"),
            "Email": emails[people],
            "Name": names[people],
            "Last modified time": np.full(m, np.nan),
            "Participant code": codes[people],
        }
    )
    for k, item in enumerate(instrument.items):
        labels = np.array([None, *instrument.point_labels(item.label_set)], dtype=object)
        values = answers[people, k]
        index = np.where(np.isnan(values), 0, values).astype(int)
        frame[item.text] = labels[index]
    for question, text in zip(OPEN_QUESTIONS, texts, strict=True):
        frame[question] = text[people]
    return frame


def _example_pupils(
    rng: np.random.Generator, world: World, hub: int, schools: np.ndarray
) -> pd.DataFrame:
    """Year 4 MTC scores, pre and post, for the example Work Group's schools."""
    cohort_size = rng.integers(18, 61, len(schools))
    school = np.repeat(schools, cohort_size)
    n = len(school)
    ability = world.school_mtc_effect[school] + rng.normal(0.0, 0.95, n)
    ability = ability - 0.6 * (rng.random(n) < 0.25)
    logit_pre = MTC_PRE + 0.33 + MTC_SLOPE * (ability + rng.normal(0, 0.3, n))
    logit_post = (
        MTC_POST + 0.33 + world.hub_mtc_effect[hub] + MTC_SLOPE * (ability + rng.normal(0, 0.3, n))
    )
    score_pre = rng.binomial(c.MTC_MAX, 1.0 / (1.0 + np.exp(-logit_pre)))
    score_post = rng.binomial(c.MTC_MAX, 1.0 / (1.0 + np.exp(-logit_post)))
    pupil_id = random_codes(rng, n, "P-", 7)
    took_post = rng.random(n) >= 0.03
    rows = np.concatenate([np.arange(n), np.flatnonzero(took_post)])
    is_post = np.arange(len(rows)) >= n
    return pd.DataFrame(
        {
            "Pupil ID": pupil_id[rows],
            "School URN": world.school_urn[school[rows]],
            "Maths Hub": EXAMPLE_HUB,
            "Project": EXAMPLE_NCP,
            "Academic year": EXAMPLE_YEAR,
            "Year group": 4,
            "Phase": np.where(is_post, "post", "pre"),
            "Score": np.where(is_post, score_post[rows], score_pre[rows]),
        }
    )
