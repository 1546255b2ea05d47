"""Synthetic teacher surveys and pupil MTC scores: realistic, reproducible, never real people.

Owns the generator behind ``python -m evaluation sample`` and the committed ``sample_data/``:
``world`` (hubs, schools, Work Groups), ``surveys``, ``texts`` (open answers), ``pupils``,
``sample`` (the whole data set and its files), ``examples`` (one Work Group's form exports),
``comparison`` (comparison schools and a waiting-list cohort with a known true effect).
"""

from evaluation.synthetic.comparison import ComparisonData, generate_comparison
from evaluation.synthetic.examples import (
    EXAMPLE_HUB,
    EXAMPLE_NCP,
    EXAMPLE_YEAR,
    OPEN_QUESTIONS,
    example_exports,
    write_examples,
)
from evaluation.synthetic.pupils import MTC_NCP
from evaluation.synthetic.sample import (
    Scale,
    SyntheticData,
    generate,
    pupils_csv,
    surveys_csv,
    write,
)
from evaluation.synthetic.surveys import TEXT_COLUMNS
from evaluation.synthetic.world import ROLES, SCHOOL_PHASES, hub_code

__all__ = [
    "EXAMPLE_HUB",
    "EXAMPLE_NCP",
    "EXAMPLE_YEAR",
    "MTC_NCP",
    "OPEN_QUESTIONS",
    "ROLES",
    "SCHOOL_PHASES",
    "TEXT_COLUMNS",
    "ComparisonData",
    "Scale",
    "SyntheticData",
    "example_exports",
    "generate",
    "generate_comparison",
    "hub_code",
    "pupils_csv",
    "surveys_csv",
    "write",
    "write_examples",
]
