"""The synthetic world: hubs, schools, years, projects and the Work Groups teachers join.

Sizes, project plans and random effects live here; surveys and pupils are drawn from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from schemas import reference

__all__ = [
    "CODE_ALPHABET",
    "FIRST_YEAR",
    "NCP_PLAN",
    "PHASE_GROUPS",
    "ROLES",
    "ROLE_BASELINE",
    "ROLE_MIX",
    "SCHOOL_PHASES",
    "SCHOOL_PHASE_P",
    "SIZES",
    "Size",
    "World",
    "build_world",
    "hub_code",
    "random_codes",
    "work_group_teachers",
    "yearly_dates",
]

SCHOOL_PHASES = ("Primary", "Secondary", "Post-16", "All-through")
ROLES = (
    "Class teacher",
    "Maths lead",
    "Teaching assistant",
    "Senior leader",
    "Early career teacher",
)


@dataclass(frozen=True)
class Size:
    """How big a synthetic data set is (see :data:`SIZES`)."""

    schools_per_hub: int  # schools in an average hub
    work_groups_per_hub_year: float  # average Work Groups a hub runs in a year
    pupil_school_years: int  # school x year cohorts that return MTC scores


SIZES: dict[str, Size] = {
    "small": Size(schools_per_hub=60, work_groups_per_hub_year=6.0, pupil_school_years=180),
    "national": Size(schools_per_hub=520, work_groups_per_hub_year=320.0, pupil_school_years=4400),
}

# Per project: share of Work Groups, latent effect on teachers (in SD units of the latent scale),
# which schools take part ("P" primary, "S" secondary, "16" post-16, "X" primary and secondary,
# "A" any), and the mix of roles. Codes not listed here (the LLME development programmes) are not
# run as Work Groups and so have no surveys in the synthetic data.
NCP_PLAN: dict[str, tuple[float, float, str, str]] = {
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
FIRST_YEAR = {"SF-Y7": "2024/25"}

# Which school phases each participation group draws from.
PHASE_GROUPS = {
    "P": ("Primary", "All-through"),
    "S": ("Secondary", "All-through"),
    "16": ("Post-16", "Secondary"),
    "X": ("Primary", "Secondary", "All-through"),
    "A": SCHOOL_PHASES,
}
SCHOOL_PHASE_P = (0.76, 0.17, 0.04, 0.03)

# Role probabilities, in the order of ROLES, and the baseline latent offset of each role.
ROLE_MIX = {
    "teacher": (0.66, 0.14, 0.05, 0.06, 0.09),
    "lead": (0.35, 0.45, 0.0, 0.18, 0.02),
    "leader": (0.05, 0.70, 0.0, 0.25, 0.0),
    "ta": (0.02, 0.0, 0.98, 0.0, 0.0),
    "ect": (0.04, 0.0, 0.0, 0.0, 0.96),
}
ROLE_BASELINE = np.array([0.0, 0.55, -0.45, 0.45, -0.40])

CODE_ALPHABET = np.frombuffer(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789", dtype=np.uint8)


@dataclass(frozen=True)
class World:
    """The hubs, schools, years and projects of a synthetic data set, with their random effects."""

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


def build_world(rng: np.random.Generator, size: Size) -> World:
    """Draw the hubs' sizes and effects and their schools (every hub has schools of every phase).

    Examples
    --------
    >>> world = build_world(np.random.default_rng(1), SIZES["small"])
    >>> len(world.hub_names), world.ncp_codes[:2]
    (40, ('PTM-R', 'PTM-D'))
    """
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
    phase = rng.choice(len(SCHOOL_PHASES), size=n_schools, p=SCHOOL_PHASE_P)
    # every hub has at least one school of each phase, so every project can recruit
    first = np.concatenate([[0], np.cumsum(n_per_hub)[:-1]])
    for k in range(len(SCHOOL_PHASES)):
        phase[first + k] = k
    school_mtc = rng.normal(0.0, 0.3, n_schools)

    pools = {}
    for group, phases in PHASE_GROUPS.items():
        members = np.flatnonzero(np.isin(phase, [SCHOOL_PHASES.index(p) for p in phases]))
        members = members[np.argsort(school_hub[members], kind="stable")]
        counts = np.bincount(school_hub[members], minlength=n_hubs)
        offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
        pools[group] = (members, offsets, counts)

    ncp_table = reference.ncps().set_index("code")
    codes = tuple(code for code in NCP_PLAN if code in ncp_table.index)
    return World(
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


def work_group_teachers(rng: np.random.Generator, world: World, size: Size) -> pd.DataFrame:
    """One row per teacher enrolment: hub, year, project, Work Group, school, role, latents.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> teachers = work_group_teachers(rng, build_world(rng, SIZES["small"]), SIZES["small"])
    >>> list(teachers.columns[-2:])
    ['work_group', 'group_effect']
    """
    n_hubs, n_years, n_ncps = len(world.hub_names), len(world.years), len(world.ncp_codes)
    share = np.array([NCP_PLAN[code][0] for code in world.ncp_codes])
    # hub x year cells; each project is offered with a probability that grows with its share,
    # so small projects run in some hubs some years only.
    cell_hub = np.repeat(np.arange(n_hubs), n_years)
    cell_year = np.tile(np.arange(n_years), n_hubs)
    offer_p = np.clip(0.35 + 6.0 * share, 0.0, 0.97)
    offered = rng.random((len(cell_hub), n_ncps)) < offer_p
    for code, first_year in FIRST_YEAR.items():
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
    pool_of_ncp = np.array([NCP_PLAN[code][2] for code in world.ncp_codes], dtype=object)
    t_school = np.empty(n, dtype=np.int64)
    u = rng.random(n)
    for group, (members, offsets, counts) in world.pools.items():
        mask = pool_of_ncp[t_ncp] == group
        hub = t_hub[mask]
        t_school[mask] = members[offsets[hub] + (u[mask] * counts[hub]).astype(np.int64)]

    # role from the project's role mix
    mix_of_ncp = [NCP_PLAN[code][3] for code in world.ncp_codes]
    role_cum = np.cumsum(np.array([ROLE_MIX[m] for m in mix_of_ncp]), axis=1)[t_ncp]
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


def random_codes(rng: np.random.Generator, n: int, prefix: str, length: int) -> np.ndarray:
    """``n`` unique random codes like ``MH-7Q2K9X`` (no 0/O or 1/I to misread).

    Examples
    --------
    >>> [len(code) for code in random_codes(np.random.default_rng(1), 3, "MH-", 6)]
    [9, 9, 9]
    """
    space = len(CODE_ALPHABET) ** length
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
        digits[:, k] = CODE_ALPHABET[values % len(CODE_ALPHABET)]
        values = values // len(CODE_ALPHABET)
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    raw = np.hstack([np.broadcast_to(head, (n, len(head))), digits])
    return np.ascontiguousarray(raw).view(f"S{raw.shape[1]}").ravel().astype(str).astype(object)


def yearly_dates(years: np.ndarray, month_day: str) -> np.ndarray:
    """The date ``month_day`` (``"-09-15"``) of each year, as datetime64[D].

    Examples
    --------
    >>> yearly_dates(np.array([2024, 2023]), "-09-15").tolist()
    [datetime.date(2024, 9, 15), datetime.date(2023, 9, 15)]
    """
    unique, inverse = np.unique(years, return_inverse=True)
    return np.array([f"{y}{month_day}" for y in unique], dtype="datetime64[D]")[inverse]
