"""Every sentence a teacher, board or national team reads about a result, written once.

Split by view: :mod:`~.results` (one result row: change, pupils, reliability, attrition, and the
effect-size words), :mod:`~.survey` (the Work Group impact view), :mod:`~.national` (hub and
national views: pooled effects, funnels, trends, the hub beside the national value,
participation), :mod:`~.pupils` (the pupil view), :mod:`~.methods` (the Methods page) and
:mod:`~.words` (shared wording helpers and the small-number note). The dashboard, the board
pack and the CLI all call these, so a threshold such as the suppression minimum comes from
configuration, never a literal.
"""

from evaluation.presentation.readings.methods import effect_bands_text, methods_sections
from evaluation.presentation.readings.national import (
    EFFECT_NAMES,
    REVERSED_MARK,
    band_reading,
    effect_name,
    funnel_reading,
    hub_beside_national_reading,
    national_value_hidden_note,
    overview_reading,
    own_hub_view_note,
    participation_reading,
    pooled_reading,
    trend_reading,
)
from evaluation.presentation.readings.pupils import (
    by_year_reading,
    distribution_reading,
    full_marks_reading,
)
from evaluation.presentation.readings.results import (
    CHANCE_ALPHA,
    EFFECT_BANDS,
    MONTHS_NOT_SHOWN,
    attrition_reading,
    chance_clause,
    could_be_chance,
    effect_label,
    humanise,
    months_sentence,
    pupil_reading,
    reading,
    reliability_reading,
    result_readings,
)
from evaluation.presentation.readings.survey import (
    items_reading,
    likert_reading,
    reversed_note,
    spread_reading,
)
from evaluation.presentation.readings.words import (
    count_of,
    hidden_hubs_note,
    hidden_note,
    outcome_name,
    suppression_rule,
)

__all__ = [
    "CHANCE_ALPHA",
    "EFFECT_BANDS",
    "EFFECT_NAMES",
    "MONTHS_NOT_SHOWN",
    "REVERSED_MARK",
    "attrition_reading",
    "band_reading",
    "by_year_reading",
    "chance_clause",
    "could_be_chance",
    "count_of",
    "distribution_reading",
    "effect_bands_text",
    "effect_label",
    "effect_name",
    "full_marks_reading",
    "funnel_reading",
    "hidden_hubs_note",
    "hidden_note",
    "hub_beside_national_reading",
    "humanise",
    "items_reading",
    "likert_reading",
    "methods_sections",
    "months_sentence",
    "national_value_hidden_note",
    "outcome_name",
    "overview_reading",
    "own_hub_view_note",
    "participation_reading",
    "pooled_reading",
    "pupil_reading",
    "reading",
    "reliability_reading",
    "result_readings",
    "reversed_note",
    "spread_reading",
    "suppression_rule",
    "trend_reading",
]
