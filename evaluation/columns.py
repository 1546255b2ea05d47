"""Canonical column names shared by every part of the toolkit (the data contracts of DESIGN §3).

Readers produce these names, schemas check them, the store keeps them and statistics group by them.
"""

from __future__ import annotations

# Participant survey, wide: one row per respondent per phase, one column per item.
RESPONDENT_ID = "respondent_id"
PHASE = "phase"
ACADEMIC_YEAR = "academic_year"
HUB = "hub"
NCP = "ncp"
WORK_GROUP = "work_group"
SCHOOL_URN = "school_urn"
SCHOOL_PHASE = "school_phase"
ROLE = "role"
SUBMITTED_AT = "submitted_at"
# The spreadsheet row a value came from (header = row 1, first data row = row 2); kept through
# reading and validation so every message can point at the row the user sees.
SOURCE_ROW = "source_row"
# Open-text answers sit in columns named with this prefix (``text_what_changed``).
TEXT_PREFIX = "text_"
# Added by the store when data are loaded for analysis.
DATASET_ID = "dataset_id"
# Comparison data: which arm a row belongs to (impact against a comparison group). An optional
# column of survey and pupil files, kept after the key columns only when a file has it or is
# marked as one arm as a whole (upload form, CLI --group); rows without it are the project's.
GROUP = "group"
INTERVENTION = "intervention"
COMPARISON = "comparison"
GROUPS = (INTERVENTION, COMPARISON)

SURVEY_KEY_COLUMNS = (
    RESPONDENT_ID,
    PHASE,
    ACADEMIC_YEAR,
    HUB,
    NCP,
    WORK_GROUP,
    SCHOOL_URN,
    SCHOOL_PHASE,
    ROLE,
    SUBMITTED_AT,
)
SURVEY_REQUIRED = (RESPONDENT_ID, PHASE, ACADEMIC_YEAR, HUB, NCP)

# Pupil assessment: one row per pupil per assessment.
PUPIL_ID = "pupil_id"
YEAR_GROUP = "year_group"
ASSESSED_ON = "assessed_on"
MEASURE = "measure"
SCORE = "score"
DISADVANTAGED = "disadvantaged"
SEX = "sex"
SEN = "sen"
EAL = "eal"

PUPIL_COLUMNS = (
    PUPIL_ID,
    SCHOOL_URN,
    HUB,
    NCP,
    ACADEMIC_YEAR,
    YEAR_GROUP,
    PHASE,
    ASSESSED_ON,
    MEASURE,
    SCORE,
    DISADVANTAGED,
    SEX,
    SEN,
    EAL,
)
PUPIL_REQUIRED = (PUPIL_ID, SCHOOL_URN, HUB, NCP, ACADEMIC_YEAR, PHASE, SCORE)

# Long (tidy) survey responses used by the statistics: one row per respondent x phase x item.
ITEM = "item"
CONSTRUCT = "construct"

PHASES = ("pre", "post")
DEFAULT_MEASURE = "MTC"
MTC_MAX = 25

# A random-effects pooled table (evaluation.stats.pooling.pooled_by), after the group keys: the
# estimates, and around them how many hubs were pooled, hidden or left out and a note.
POOLED_ESTIMATES = (
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "tau2",
    "i2",
    "q",
    "q_df",
    "q_p",
    "pi_low",
    "pi_high",
)
POOLED_COLUMNS = (
    "method",
    "test",
    "k",
    "k_suppressed",
    "k_excluded",
    "n_respondents",
    *POOLED_ESTIMATES,
    "note",
)

# The effects a national comparison can pool (columns of evaluation.stats.national.hub_effects)
# and how tables and charts label them. Here rather than in that module so that the command
# line can offer them as choices without importing SciPy.
EFFECT_LABELS = {
    "d_z": "Standardised change (d_z)",
    "mean_change": "Mean change (scale points)",
}
