"""Synthetic teacher surveys and pupil MTC scores: realistic, reproducible, never real people.

Owns the generator behind ``python -m evaluation sample`` and the committed ``sample_data/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from evaluation import columns as c
from evaluation.instruments import Instrument, default_instrument
from schemas import reference

Scale = Literal["small", "national"]

TEXT_COLUMNS = ("text_what_changed", "text_support_needed")
SCHOOL_PHASES = ("Primary", "Secondary", "Post-16", "All-through")
ROLES = (
    "Class teacher",
    "Maths lead",
    "Teaching assistant",
    "Senior leader",
    "Early career teacher",
)
MTC_NCP = "Mastering Number at KS2"


@dataclass(frozen=True)
class SyntheticData:
    """A synthetic data set: participant surveys and pupil scores, as canonical frames.

    Attributes
    ----------
    surveys : pandas.DataFrame
        One row per respondent per phase: the canonical survey key columns, one float column per
        default-instrument item (1-5, NaN = not answered) and the open-text columns
        ``text_what_changed`` and ``text_support_needed``.
    pupils : pandas.DataFrame
        One row per pupil per assessment (MTC, Mastering Number at KS2 schools, Year 4).
    """

    surveys: pd.DataFrame
    pupils: pd.DataFrame


@dataclass(frozen=True)
class _Size:
    schools_per_hub: int  # schools in an average hub
    work_groups_per_hub_year: float  # average Work Groups a hub runs in a year
    pupil_school_years: int  # school x year cohorts that return MTC scores


_SIZES: dict[str, _Size] = {
    "small": _Size(schools_per_hub=60, work_groups_per_hub_year=6.0, pupil_school_years=180),
    "national": _Size(schools_per_hub=520, work_groups_per_hub_year=320.0, pupil_school_years=4400),
}

# Per project: share of Work Groups, latent effect on teachers (in SD units of the latent scale),
# which schools take part ("P" primary, "S" secondary, "16" post-16, "X" primary and secondary,
# "A" any), and the mix of roles. Codes not listed here (the LLME development programmes) are not
# run as Work Groups and so have no surveys in the synthetic data.
_NCP_PLAN: dict[str, tuple[float, float, str, str]] = {
    "PTM-R": (0.06, 0.55, "P", "teacher"),
    "PTM-D": (0.10, 0.60, "P", "teacher"),
    "PTM-E": (0.07, 0.40, "P", "teacher"),
    "PTM-S": (0.11, 0.12, "P", "lead"),
    "MN-RKS1": (0.09, 0.55, "P", "teacher"),
    "MN-KS2": (0.10, 0.60, "P", "teacher"),
    "MN-EI": (0.03, 0.25, "P", "lead"),
    "SKTM-EY": (0.02, 0.80, "P", "teacher"),
    "SKTM-PT": (0.06, 0.90, "P", "teacher"),
    "SKTM-PTA": (0.03, 0.95, "P", "ta"),
    "SKTM-PECT": (0.04, 0.85, "P", "ect"),
    "SKTM-SECT": (0.02, 0.80, "S", "ect"),
    "SKTM-SNS": (0.03, 1.00, "S", "teacher"),
    "SKTM-STA": (0.01, 0.85, "S", "ta"),
    "STM-D": (0.025, 0.45, "S", "teacher"),
    "STM-E": (0.015, 0.35, "S", "teacher"),
    "STM-S": (0.02, 0.12, "S", "lead"),
    "Y5-8": (0.03, 0.35, "X", "teacher"),
    "MT-GCSE": (0.015, 0.40, "S", "teacher"),
    "Y7-11": (0.015, 0.35, "S", "teacher"),
    "SF-Y7": (0.01, 0.40, "S", "teacher"),
    "SSL": (0.01, 0.30, "S", "leader"),
    "SMAT": (0.005, 0.25, "S", "leader"),
    "P16-RESIT": (0.01, 0.40, "16", "teacher"),
    "CM-NEW": (0.005, 0.50, "16", "teacher"),
    "CM-PED": (0.005, 0.35, "16", "teacher"),
    "AL-PED": (0.005, 0.30, "16", "teacher"),
    "L2-QUAL": (0.005, 0.35, "X", "teacher"),
    "RIWG": (0.02, 0.20, "A", "lead"),
    "TSM": (0.01, 0.45, "X", "teacher"),
}
# Projects that only ran in some years (first academic year offered).
_FIRST_YEAR = {"SF-Y7": "2024/25"}

# Which school phases each participation group draws from.
_PHASE_GROUPS = {
    "P": ("Primary", "All-through"),
    "S": ("Secondary", "All-through"),
    "16": ("Post-16", "Secondary"),
    "X": ("Primary", "Secondary", "All-through"),
    "A": SCHOOL_PHASES,
}
_SCHOOL_PHASE_P = (0.76, 0.17, 0.04, 0.03)

# Role probabilities, in the order of ROLES, and the baseline latent offset of each role.
_ROLE_MIX = {
    "teacher": (0.66, 0.14, 0.05, 0.06, 0.09),
    "lead": (0.35, 0.45, 0.0, 0.18, 0.02),
    "leader": (0.05, 0.70, 0.0, 0.25, 0.0),
    "ta": (0.02, 0.0, 0.98, 0.0, 0.0),
    "ect": (0.04, 0.0, 0.0, 0.0, 0.96),
}
_ROLE_BASELINE = np.array([0.0, 0.55, -0.45, 0.45, -0.40])

# Per-construct multiplier of a project's effect: confidence, subject knowledge, practice.
_CONSTRUCT_EFFECT = {"default": (1.0, 0.85, 0.7), "SKTM": (1.0, 1.15, 0.6), "TfM": (0.9, 0.8, 1.0)}
# Ordinal thresholds on the latent response scale (4 cut points -> answers 1..5).
_THRESHOLDS = np.array([-1.85, -0.95, 0.05, 1.15])
_ITEM_NOISE_SD = 0.72
# How easy each default-instrument item is to endorse (conf_1 ... prac_3), on the latent scale.
_ITEM_SHIFT = np.array([0.15, -0.1, 0.0, 0.1, -0.2, 0.0, 0.05, -0.25, -0.15])
# MTC: logit of the chance of each of the 25 answers being right = intercept + slope x ability.
_MTC_PRE = 1.9
_MTC_POST = 3.1
_MTC_SLOPE = 2.2

_ALPHABET = np.frombuffer(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789", dtype=np.uint8)

_WHAT_CHANGED = (
    "I use the bar model much more",
    "My questioning is sharper and I give more thinking time",
    "We now start every lesson with a short fluency session",
    "I plan in smaller steps",
    "Pupils explain their reasoning in full sentences, which has surprised me",
    "More use of concrete resources, especially in Year 4",
    "I am more confident teaching fractions",
    "Stem sentences are used across the school now",
    "Not much yet, we only had two sessions",
    "I think more carefully about variation in the practice I set",
    "Times tables practice is daily, short and low stakes",
    'We talk about "same surface, different depth" tasks in planning',
    "I anticipate misconceptions before teaching a unit",
    "Teaching assistants join in with the representations we use",
    "Less rushing through the scheme; more depth",
    "I listen to how pupils count and spot who is still counting in ones",
    "Our maths lead runs a short staff meeting every half term",
    "Number facts are practised in class, not just sent home",
    "My subject knowledge of place value is much stronger",
    "I model with the rekenrek and tens frames",
    "Honestly, not a great deal",
    "Whole-class feedback instead of marking every book",
    "Children are less anxious about the times tables check",
    "I use the NCETM materials for planning every week",
    "We changed our calculation policy",
)
_WHAT_CHANGED_PRE = (
    "Nothing yet",
    "We are just starting",
    "N/A",
    "I hope to get better at teaching fractions",
    "Looking forward to it",
    "Too early to say",
)
_SUPPORT = (
    "More time to plan with colleagues",
    "Release time to observe other schools",
    "Support for teaching assistants",
    "Help with mixed-age classes",
    "Ideas for pupils who are well behind, especially in Year 6",
    "Materials for the Year 5 curriculum",
    "A follow-up session next year, please",
    "None",
    "Not sure",
    "Better access to manipulatives; we share one box between three classes",
    "Advice on how to keep this going when staff change",
    "More examples of intelligent practice",
    "Training for the whole staff, not just me",
    "Time, time and time",
    "Support from senior leaders to protect fluency time",
    "Help to use the assessment data",
)
# Answers that exercise export safety and the reader (quotes, commas, line breaks, formulas).
_AWKWARD = (
    'The phrase "I can explain why" is on every working wall, and the pupils use it',
    "- daily fluency\n- stem sentences\n- more talk",
    "Planning together, then teaching, then reviewing: it works",
    "Two things:\r\nmore time; and more manipulatives",
    "+1 to what my colleague said",
    "@maths lead please share the slides",
)
_FORMULA_ANSWER = '=HYPERLINK("http://example.com","more support")'


def generate(scale: Scale = "small", seed: int = 2024) -> SyntheticData:
    """Generate synthetic surveys and pupil MTC scores for every hub and several years.

    Parameters
    ----------
    scale : {"small", "national"}
        ``small`` is about 20,000 survey rows and 15,000 pupil rows (the committed sample);
        ``national`` is about 1,000,000 survey rows and 250,000 pupil rows.
    seed : int
        Seed of the random number generator; the same seed gives identical data.

    Returns
    -------
    SyntheticData
        ``surveys`` with columns respondent_id, phase, academic_year, hub, ncp, work_group,
        school_urn (Int64), school_phase, role, submitted_at (datetime64), conf_1 ... prac_3
        (float64, 1-5, NaN = not answered), text_what_changed, text_support_needed;
        ``pupils`` with columns pupil_id, school_urn (Int64), hub, ncp, academic_year,
        year_group (Int64), phase, assessed_on (datetime64), measure, score (float64, integers
        0-25), disadvantaged, sex, sen, eal.

    Notes
    -----
    Each teacher has latent confidence, subject knowledge and practice (correlated). An item's
    answer is the latent plus item noise, cut into 1-5 at fixed thresholds (so answers pile up at
    5 as they do in real surveys); reverse-coded items are answered reversed. The change from pre
    to post is a project effect plus a hub effect (a few hubs well above or below), a Work Group
    effect and individual noise. About 20% of teachers do not answer the post survey, about 4%
    of post answers come from new joiners, about 2% of answers are missing and about 1.5% of
    responses are straight-lined. Pupil MTC scores are binomial out of 25 with a logit-normal
    success rate clustered by school, so scores are left-skewed with a pile-up at 25.

    Examples
    --------
    >>> data = generate("small", seed=1)
    >>> data.surveys["hub"].nunique()
    40
    >>> int(data.pupils["score"].max())
    25
    """
    if scale not in _SIZES:
        raise ValueError(f"scale must be 'small' or 'national', not {scale!r}")
    rng = np.random.default_rng(seed)
    size = _SIZES[scale]
    instrument = default_instrument()
    world = _world(rng, size)
    teachers = _teachers(rng, world, size)
    surveys = _surveys(rng, teachers, world, instrument)
    pupils = _pupils(rng, teachers, world, size)
    return SyntheticData(surveys=surveys, pupils=pupils)


def write(out_dir: str | Path, *, scale: Scale = "small", seed: int = 2024) -> list[Path]:
    """Generate a data set and write ``surveys.csv``, ``pupils.csv`` and ``README.md``.

    Parameters
    ----------
    out_dir : str or Path
        Folder to write into (created if missing).
    scale : {"small", "national"}
        See :func:`generate`.
    seed : int
        See :func:`generate`.

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     [p.name for p in write(tmp, seed=3)]
    ['surveys.csv', 'pupils.csv', 'README.md']
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = generate(scale, seed)
    survey_path, pupil_path, readme_path = (
        out / "surveys.csv",
        out / "pupils.csv",
        out / "README.md",
    )
    survey_path.write_bytes(surveys_csv(data.surveys))
    pupil_path.write_bytes(pupils_csv(data.pupils))
    readme_path.write_text(_readme(data, scale, seed), encoding="utf-8")
    return [survey_path, pupil_path, readme_path]


def surveys_csv(surveys: pd.DataFrame) -> bytes:
    """The survey frame as UTF-8 CSV bytes, exactly as committed in ``sample_data``.

    Examples
    --------
    >>> surveys_csv(generate(seed=1).surveys).splitlines()[0].decode()[:32]
    'respondent_id,phase,academic_yea'
    """
    return surveys.to_csv(
        index=False, float_format="%g", date_format="%Y-%m-%d %H:%M:%S", lineterminator="\n"
    ).encode("utf-8")


def pupils_csv(pupils: pd.DataFrame) -> bytes:
    """The pupil frame as UTF-8 CSV bytes, exactly as committed in ``sample_data``.

    Examples
    --------
    >>> pupils_csv(generate(seed=1).pupils).splitlines()[0].decode()[:24]
    'pupil_id,school_urn,hub,'
    """
    return pupils.to_csv(
        index=False, float_format="%g", date_format="%Y-%m-%d", lineterminator="\n"
    ).encode("utf-8")


# --------------------------------------------------------------------------------------------
# The world: hubs, schools, years and their random effects
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _World:
    hub_names: np.ndarray
    hub_codes: np.ndarray
    hub_size: np.ndarray
    hub_survey_effect: np.ndarray
    hub_mtc_effect: np.ndarray
    years: tuple[str, ...]
    ncp_codes: tuple[str, ...]
    ncp_names: np.ndarray
    school_urn: np.ndarray
    school_hub: np.ndarray
    school_phase: np.ndarray  # index into SCHOOL_PHASES
    school_mtc_effect: np.ndarray
    # per participation group: school indices sorted by hub, with offset/count per hub
    pools: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]


def hub_code(short_name: str) -> str:
    """A short upper-case code for a hub, used in Work Group ids.

    Examples
    --------
    >>> hub_code("Solent"), hub_code("London South East+"), hub_code("Archimedes NE")
    ('SOL', 'LSE', 'ANE')
    """
    words = [
        w
        for w in re.split(r"[\s\-]+", short_name.replace("+", ""))
        if w and w.lower() not in ("and", "the")
    ]
    if len(words) == 1:
        return words[0][:3].upper()
    return "".join(w if w.isupper() else w[0] for w in words).upper()[:4]


def _world(rng: np.random.Generator, size: _Size) -> _World:
    hubs = reference.hubs()
    n_hubs = len(hubs)
    hub_size = np.exp(rng.normal(0.0, 0.3, n_hubs))
    hub_size /= hub_size.mean()
    # Hub effects: most hubs near the national picture, two clearly above and two below, so
    # funnel plots show genuine outliers.
    order = rng.permutation(n_hubs)
    survey_effect = rng.normal(0.0, 0.08, n_hubs)
    survey_effect[order[:2]] += 0.45
    survey_effect[order[2:4]] -= 0.40
    mtc_effect = rng.normal(0.0, 0.10, n_hubs)
    mtc_effect[order[4:6]] += 0.45
    mtc_effect[order[6:8]] -= 0.45

    n_per_hub = np.maximum(12, np.round(size.schools_per_hub * hub_size)).astype(int)
    school_hub = np.repeat(np.arange(n_hubs), n_per_hub)
    n_schools = len(school_hub)
    urn = rng.choice(900_000, size=n_schools, replace=False) + 100_000
    phase = rng.choice(len(SCHOOL_PHASES), size=n_schools, p=_SCHOOL_PHASE_P)
    # every hub has at least one school of each phase, so every project can recruit
    first = np.concatenate([[0], np.cumsum(n_per_hub)[:-1]])
    for k in range(len(SCHOOL_PHASES)):
        phase[first + k] = k
    school_mtc = rng.normal(0.0, 0.3, n_schools)

    pools = {}
    for group, phases in _PHASE_GROUPS.items():
        members = np.flatnonzero(np.isin(phase, [SCHOOL_PHASES.index(p) for p in phases]))
        members = members[np.argsort(school_hub[members], kind="stable")]
        counts = np.bincount(school_hub[members], minlength=n_hubs)
        offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
        pools[group] = (members, offsets, counts)

    ncp_table = reference.ncps().set_index("code")
    codes = tuple(code for code in _NCP_PLAN if code in ncp_table.index)
    return _World(
        hub_names=hubs["name"].to_numpy(dtype=object),
        hub_codes=np.array([hub_code(s) for s in hubs["short_name"]], dtype=object),
        hub_size=hub_size,
        hub_survey_effect=survey_effect,
        hub_mtc_effect=mtc_effect,
        years=tuple(reference.mtc_national()["academic_year"]),
        ncp_codes=codes,
        ncp_names=ncp_table.loc[list(codes), "name"].to_numpy(dtype=object),
        school_urn=urn,
        school_hub=school_hub,
        school_phase=phase,
        school_mtc_effect=school_mtc,
        pools=pools,
    )


# --------------------------------------------------------------------------------------------
# Work Groups and the teachers in them
# --------------------------------------------------------------------------------------------


def _teachers(rng: np.random.Generator, world: _World, size: _Size) -> pd.DataFrame:
    """One row per teacher enrolment: hub, year, project, Work Group, school, role, latents."""
    n_hubs, n_years, n_ncps = len(world.hub_names), len(world.years), len(world.ncp_codes)
    share = np.array([_NCP_PLAN[code][0] for code in world.ncp_codes])
    # hub x year cells; each project is offered with a probability that grows with its share,
    # so small projects run in some hubs some years only.
    cell_hub = np.repeat(np.arange(n_hubs), n_years)
    cell_year = np.tile(np.arange(n_years), n_hubs)
    offer_p = np.clip(0.35 + 6.0 * share, 0.0, 0.97)
    offered = rng.random((len(cell_hub), n_ncps)) < offer_p
    for code, first_year in _FIRST_YEAR.items():
        column = world.ncp_codes.index(code)
        offered[cell_year < world.years.index(first_year), column] = False
    weights = offered * share
    weights /= weights.sum(axis=1, keepdims=True)
    n_groups = rng.poisson(size.work_groups_per_hub_year * world.hub_size[cell_hub])
    n_groups = np.maximum(n_groups, 2)
    group_cell = np.repeat(np.arange(len(cell_hub)), n_groups)
    cumulative = np.cumsum(weights, axis=1)[group_cell]
    group_ncp = np.minimum(
        (rng.random(len(group_cell))[:, None] > cumulative).sum(axis=1), n_ncps - 1
    )
    group_hub, group_year = cell_hub[group_cell], cell_year[group_cell]
    group_effect = rng.normal(0.0, 0.12, len(group_cell))

    # Work Group ids like SOL-MNKS2-2324-01, numbered within hub x project x year.
    groups = pd.DataFrame({"hub": group_hub, "year": group_year, "ncp": group_ncp})
    number = groups.groupby(["hub", "year", "ncp"], sort=False).cumcount().to_numpy() + 1
    code_part = np.array([code.replace("-", "") for code in world.ncp_codes], dtype=object)
    year_part = np.array([y[2:4] + y[5:7] for y in world.years], dtype=object)
    group_id = (
        world.hub_codes[group_hub]
        + "-"
        + code_part[group_ncp]
        + "-"
        + year_part[group_year]
        + "-"
        + pd.Series(number).map("{:02d}".format).to_numpy(dtype=object)
    )

    group_size = np.clip(np.round(rng.normal(11.0, 2.8, len(group_cell))), 6, 16).astype(int)
    t_group = np.repeat(np.arange(len(group_cell)), group_size)
    n = len(t_group)
    t_hub, t_ncp, t_year = group_hub[t_group], group_ncp[t_group], group_year[t_group]

    # school: uniform draw from the hub's schools of a phase the project recruits from
    pool_of_ncp = np.array([_NCP_PLAN[code][2] for code in world.ncp_codes], dtype=object)
    t_school = np.empty(n, dtype=np.int64)
    u = rng.random(n)
    for group, (members, offsets, counts) in world.pools.items():
        mask = pool_of_ncp[t_ncp] == group
        hub = t_hub[mask]
        t_school[mask] = members[offsets[hub] + (u[mask] * counts[hub]).astype(np.int64)]

    # role from the project's role mix
    mix_of_ncp = [_NCP_PLAN[code][3] for code in world.ncp_codes]
    role_cum = np.cumsum(np.array([_ROLE_MIX[m] for m in mix_of_ncp]), axis=1)[t_ncp]
    t_role = np.minimum((rng.random(n)[:, None] > role_cum).sum(axis=1), len(ROLES) - 1)

    return pd.DataFrame(
        {
            "group": t_group,
            "hub": t_hub,
            "ncp": t_ncp,
            "year": t_year,
            "school": t_school,
            "role": t_role,
            "work_group": group_id[t_group],
            "group_effect": group_effect[t_group],
        }
    )


def _codes(rng: np.random.Generator, n: int, prefix: str, length: int) -> np.ndarray:
    """``n`` unique random codes like ``MH-7Q2K9X`` (no 0/O or 1/I to misread)."""
    space = len(_ALPHABET) ** length
    values = rng.integers(0, space, n)
    while True:
        _, first = np.unique(values, return_index=True)
        duplicate = np.ones(n, dtype=bool)
        duplicate[first] = False
        if not duplicate.any():
            break
        values[duplicate] = rng.integers(0, space, int(duplicate.sum()))
    digits = np.empty((n, length), dtype=np.uint8)
    for k in range(length - 1, -1, -1):
        digits[:, k] = _ALPHABET[values % len(_ALPHABET)]
        values = values // len(_ALPHABET)
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    raw = np.hstack([np.broadcast_to(head, (n, len(head))), digits])
    return np.ascontiguousarray(raw).view(f"S{raw.shape[1]}").ravel().astype(str).astype(object)


# --------------------------------------------------------------------------------------------
# Surveys
# --------------------------------------------------------------------------------------------


def _construct_multipliers(code: str) -> tuple[float, float, float]:
    if code.startswith("SKTM"):
        return _CONSTRUCT_EFFECT["SKTM"]
    if code.startswith(("PTM", "STM")):
        return _CONSTRUCT_EFFECT["TfM"]
    return _CONSTRUCT_EFFECT["default"]


def _answers(
    rng: np.random.Generator, latent: np.ndarray, instrument: Instrument, item_shift: np.ndarray
) -> np.ndarray:
    """Ordinal 1-5 answers (float) for each row of ``latent`` (n x constructs)."""
    n = latent.shape[0]
    construct_index = {name: k for k, name in enumerate(instrument.constructs)}
    item_construct = np.array([construct_index[i.construct] for i in instrument.items])
    # a shared occasion effect (mood, acquiescence) correlates the noise across items
    occasion = rng.normal(0.0, 0.25, (n, 1))
    noise = rng.normal(0.0, _ITEM_NOISE_SD, (n, len(instrument.items)))
    star = latent[:, item_construct] + item_shift + occasion + noise
    ordinal = 1.0 + (star[:, :, None] > _THRESHOLDS).sum(axis=2)
    reverse = np.array([i.reverse for i in instrument.items])
    ordinal[:, reverse] = instrument.scale_min + instrument.scale_max - ordinal[:, reverse]
    return ordinal


def _surveys(
    rng: np.random.Generator, teachers: pd.DataFrame, world: _World, instrument: Instrument
) -> pd.DataFrame:
    n = len(teachers)
    ncp = teachers["ncp"].to_numpy()
    hub = teachers["hub"].to_numpy()
    year = teachers["year"].to_numpy()
    role = teachers["role"].to_numpy()
    code_of = np.array(world.ncp_codes, dtype=object)

    # baseline latents: general maths confidence plus construct-specific parts
    baseline = _ROLE_BASELINE[role] + np.where(
        np.isin(code_of[ncp], ["PTM-E", "PTM-S", "STM-E", "STM-S", "MN-EI"]), 0.35, 0.0
    )
    baseline = baseline - np.where(code_of[ncp] == "SKTM-SNS", 0.5, 0.0)
    general = rng.normal(0.0, 1.0, (n, 1))
    n_constructs = len(instrument.constructs)
    pre = baseline[:, None] + 0.75 * general + 0.66 * rng.normal(0.0, 1.0, (n, n_constructs))

    effect = np.array([_NCP_PLAN[code][1] for code in world.ncp_codes])[ncp]
    multipliers = np.array([_construct_multipliers(code) for code in world.ncp_codes])[ncp]
    change = (
        effect[:, None] * multipliers
        + world.hub_survey_effect[hub][:, None]
        + teachers["group_effect"].to_numpy()[:, None]
        + rng.normal(0.0, 0.35, (n, 1))
        + rng.normal(0.0, 0.30, (n, n_constructs))
    )
    post = pre + change

    answers_pre = _answers(rng, pre, instrument, _ITEM_SHIFT)
    answers_post = _answers(rng, post, instrument, _ITEM_SHIFT)

    # who answered what: both (76%), pre only (drop-outs, a little likelier for the least
    # confident), post only (new joiners, 3.5%)
    u = rng.random(n) - 0.03 * pre.mean(axis=1).clip(-2, 2)
    pre_only = u < 0.205
    post_only = (u >= 0.205) & (u < 0.24)
    has_pre, has_post = ~post_only, ~pre_only

    respondent = _codes(rng, n, "MH-", 6)
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
    what, support = _open_text(rng, is_post)
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
    frame.loc[int(np.flatnonzero(answered)[0]), TEXT_COLUMNS[1]] = _FORMULA_ANSWER
    return frame


def _submitted_at(
    rng: np.random.Generator,
    teachers: pd.DataFrame,
    world: _World,
    rows: np.ndarray,
    is_post: np.ndarray,
) -> np.ndarray:
    """Pre answers in the autumn term, post answers in the summer term, per Work Group."""
    group = teachers["group"].to_numpy()
    n_groups = int(group.max()) + 1
    start_year = np.array([int(y[:4]) for y in world.years])[teachers["year"].to_numpy()[rows]]
    launch = rng.integers(0, 60, n_groups)  # days after 15 September
    close = rng.integers(0, 60, n_groups)  # days after 1 May
    autumn = _dates(start_year, "-09-15")
    summer = _dates(start_year + 1, "-05-01")
    day = np.where(is_post, summer + close[group[rows]], autumn + launch[group[rows]])
    day = day + np.floor(rng.exponential(2.5, len(rows))).astype("timedelta64[D]")
    hour = rng.choice(
        np.arange(7, 23),
        p=np.array([1, 3, 3, 3, 4, 6, 5, 3, 5, 8, 9, 8, 7, 7, 5, 3], dtype=float) / 80,
        size=len(rows),
    )
    seconds = hour * 3600 + rng.integers(0, 3600, len(rows))
    return (day.astype("datetime64[s]") + seconds.astype("timedelta64[s]")).astype("datetime64[us]")


def _dates(years: np.ndarray, month_day: str) -> np.ndarray:
    """The date ``month_day`` (``"-09-15"``) of each year, as datetime64[D]."""
    unique, inverse = np.unique(years, return_inverse=True)
    return np.array([f"{y}{month_day}" for y in unique], dtype="datetime64[D]")[inverse]


def _open_text(rng: np.random.Generator, is_post: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Short teacher-like answers; many left blank, as in real surveys."""
    m = len(is_post)
    what_pool = np.array([*_WHAT_CHANGED, *_AWKWARD], dtype=object)
    pre_pool = np.array(_WHAT_CHANGED_PRE, dtype=object)
    support_pool = np.array([*_SUPPORT, *_AWKWARD[:3]], dtype=object)
    what = np.where(
        is_post,
        what_pool[rng.integers(0, len(what_pool), m)],
        pre_pool[rng.integers(0, len(pre_pool), m)],
    )
    what_answered = rng.random(m) < np.where(is_post, 0.45, 0.12)
    support = support_pool[rng.integers(0, len(support_pool), m)]
    support_answered = rng.random(m) < np.where(is_post, 0.35, 0.25)
    # numpy's stubs reject None in np.where; at runtime it gives an object array.
    return (
        np.where(what_answered, what, None),  # type: ignore[call-overload]
        np.where(support_answered, support, None),  # type: ignore[call-overload]
    )


# --------------------------------------------------------------------------------------------
# Pupils
# --------------------------------------------------------------------------------------------


def _pupils(
    rng: np.random.Generator, teachers: pd.DataFrame, world: _World, size: _Size
) -> pd.DataFrame:
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
    logit_pre = _MTC_PRE + base + _MTC_SLOPE * (ability + rng.normal(0.0, 0.3, n))
    logit_post = (
        _MTC_POST
        + base
        + world.hub_mtc_effect[hub][p_cohort]
        + school_growth[p_cohort]
        + _MTC_SLOPE * (ability + rng.normal(0.0, 0.3, n))
    )
    score_pre = rng.binomial(c.MTC_MAX, 1.0 / (1.0 + np.exp(-logit_pre)))
    score_post = rng.binomial(c.MTC_MAX, 1.0 / (1.0 + np.exp(-logit_post)))

    # a few pupils absent on the day of either check
    took_pre = rng.random(n) >= 0.015
    took_post = rng.random(n) >= 0.035
    start_year = np.array([int(y[:4]) for y in world.years])[year]
    october = _dates(start_year, "-10-01")
    june = _dates(start_year + 1, "-06-01")
    pre_day = np.busday_offset(october, rng.integers(0, 35, k), roll="forward")
    post_day = np.busday_offset(june, rng.integers(0, 14, k), roll="forward")

    pupil_id = _codes(rng, n, "P-", 7)
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


def _readme(data: SyntheticData, scale: str, seed: int) -> str:
    surveys, pupils = data.surveys, data.pupils
    years = sorted(surveys[c.ACADEMIC_YEAR].unique())
    return (
        f"# Synthetic data ({scale}, seed {seed})\n\n"
        "Made up by `evaluation.synthetic`; no real teacher, pupil or school is in these files.\n"
        "Regenerate with:\n\n"
        f"    python -m evaluation sample --out DIR --scale {scale} --seed {seed}\n\n"
        f"- `surveys.csv`: {len(surveys):,} participant survey rows (one per teacher per phase), "
        f"{surveys[c.HUB].nunique()} hubs, {surveys[c.NCP].nunique()} projects, "
        f"{surveys[c.WORK_GROUP].nunique():,} Work Groups, academic years {years[0]} to "
        f"{years[-1]}. Items conf_1 ... prac_3 are answers 1-5 (blank = not answered; conf_3 "
        "and know_3 are reverse-worded and stored as answered).\n"
        f"- `pupils.csv`: {len(pupils):,} Multiplication Tables Check scores (0-25) of Year 4 "
        f"pupils in {pupils[c.SCHOOL_URN].nunique():,} Mastering Number at KS2 schools, "
        "pre (autumn practice check) and post (June).\n"
    )


# --------------------------------------------------------------------------------------------
# Example exports for one Work Group (upload demo and browser tests)
# --------------------------------------------------------------------------------------------

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
    world = _world(np.random.default_rng(seed), _SIZES["small"])
    hub = int(np.flatnonzero(world.hub_names == EXAMPLE_HUB)[0])
    members, offsets, counts = world.pools["P"]
    n_schools = 6
    schools = members[offsets[hub] + rng.choice(counts[hub], n_schools, replace=False)]

    # 12 teachers, two from each school; one drops out, one more never answers the post survey, and
    # one joins late (post only)
    n = 12
    role = np.tile([0, 1], n_schools)  # a Year 4 class teacher and the school's maths lead
    role[[3, 8]] = 4  # two early career teachers
    pre_latent = _ROLE_BASELINE[role][:, None] + 0.75 * rng.normal(0, 1, (n, 1))
    pre_latent = pre_latent + 0.66 * rng.normal(0, 1, (n, 3))
    change = (
        _NCP_PLAN["MN-KS2"][1] * np.array(_construct_multipliers("MN-KS2"))
        + world.hub_survey_effect[hub]
        + rng.normal(0, 0.35, (n, 1))
        + rng.normal(0, 0.3, (n, 3))
    )
    answers_pre = _answers(rng, pre_latent, instrument, _ITEM_SHIFT)
    answers_post = _answers(rng, pre_latent + change, instrument, _ITEM_SHIFT)
    answers_pre[4, 7] = np.nan  # a question left blank
    answers_post[6, 2] = np.nan
    has_pre = np.ones(n, dtype=bool)
    has_post = np.ones(n, dtype=bool)
    has_pre[11] = False  # a new joiner
    has_post[[5, 9]] = False  # two did not answer the post survey

    codes = _codes(rng, n, "MH-", 6)
    first = rng.choice(len(_FIRST_NAMES), n, replace=False)
    last = rng.choice(len(_LAST_NAMES), n, replace=False)
    names = np.array(
        [f"{_FIRST_NAMES[f]} {_LAST_NAMES[s]}" for f, s in zip(first, last, strict=True)]
    )
    numbers = rng.choice(np.arange(1, 200), n, replace=False)
    emails = np.array([f"teacher{k:03d}@example.sch.uk" for k in numbers])

    what_pool = np.array(_WHAT_CHANGED[:12], dtype=object)
    support_pool = np.array(_SUPPORT[:12], dtype=object)
    texts_post = (
        what_pool[rng.permutation(len(what_pool))[:n]],
        support_pool[rng.integers(0, len(support_pool), n)],
    )
    texts_pre = (
        np.array(_WHAT_CHANGED_PRE, dtype=object)[rng.integers(0, len(_WHAT_CHANGED_PRE), n)],
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
    rng: np.random.Generator, world: _World, hub: int, schools: np.ndarray
) -> pd.DataFrame:
    """Year 4 MTC scores, pre and post, for the example Work Group's schools."""
    cohort_size = rng.integers(18, 61, len(schools))
    school = np.repeat(schools, cohort_size)
    n = len(school)
    ability = world.school_mtc_effect[school] + rng.normal(0.0, 0.95, n)
    ability = ability - 0.6 * (rng.random(n) < 0.25)
    logit_pre = _MTC_PRE + 0.33 + _MTC_SLOPE * (ability + rng.normal(0, 0.3, n))
    logit_post = (
        _MTC_POST
        + 0.33
        + world.hub_mtc_effect[hub]
        + _MTC_SLOPE * (ability + rng.normal(0, 0.3, n))
    )
    score_pre = rng.binomial(c.MTC_MAX, 1.0 / (1.0 + np.exp(-logit_pre)))
    score_post = rng.binomial(c.MTC_MAX, 1.0 / (1.0 + np.exp(-logit_post)))
    pupil_id = _codes(rng, n, "P-", 7)
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
