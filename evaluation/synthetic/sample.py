"""The whole synthetic sample: surveys and pupils for every hub and year, and its files.

Behind ``python -m evaluation sample`` and the committed ``sample_data/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from evaluation import columns as c
from evaluation.instruments import default_instrument
from evaluation.synthetic.comparison import (
    COMPARISON_FILES,
    comparison_readme,
    generate_comparison,
)
from evaluation.synthetic.pupils import pupil_frame
from evaluation.synthetic.surveys import survey_frame
from evaluation.synthetic.world import SIZES, build_world, work_group_teachers

__all__ = [
    "Scale",
    "SyntheticData",
    "generate",
    "pupils_csv",
    "surveys_csv",
    "write",
]

Scale = Literal["small", "national"]


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
    if scale not in SIZES:
        raise ValueError(f"scale must be 'small' or 'national', not {scale!r}")
    rng = np.random.default_rng(seed)
    size = SIZES[scale]
    instrument = default_instrument()
    world = build_world(rng, size)
    teachers = work_group_teachers(rng, world, size)
    surveys = survey_frame(rng, teachers, world, instrument)
    pupils = pupil_frame(rng, teachers, world, size)
    return SyntheticData(surveys=surveys, pupils=pupils)


def write(out_dir: str | Path, *, scale: Scale = "small", seed: int = 2024) -> list[Path]:
    """Generate a data set and write ``surveys.csv``, ``pupils.csv`` and ``README.md``.

    Then the comparison data of :mod:`evaluation.synthetic.comparison` beside them, in their
    own files (``pupils_comparison.csv``, ``surveys_comparison.csv``, ``COMPARISON.md``).

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
    ...     print(*(p.name for p in write(tmp, seed=3)))
    surveys.csv pupils.csv README.md pupils_comparison.csv surveys_comparison.csv COMPARISON.md
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
    extra = generate_comparison(data.pupils, data.surveys, scale=scale, seed=seed)
    extra_paths = [out / name for name in COMPARISON_FILES]
    extra_paths[0].write_bytes(pupils_csv(extra.pupils))
    extra_paths[1].write_bytes(surveys_csv(extra.surveys))
    extra_paths[2].write_text(comparison_readme(extra), encoding="utf-8")
    return [survey_path, pupil_path, readme_path, *extra_paths]


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
