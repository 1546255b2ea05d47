"""The analysis layer: what each view shows, from already scoped frames and result tables.

Pure (no streamlit). The dashboard (``app_support.views``), the board pack
(``evaluation.presentation.reports``) and the CLI call these functions, so a hub, national or
Work Group view shows the same numbers wherever it is drawn; sentences about them are written in
:mod:`evaluation.presentation.readings`, figures in :mod:`evaluation.presentation.charts`.

- :mod:`~evaluation.analysis.survey`: the survey analysis bundle (participation, change per
  construct and item, attrition, reliability, Likert distributions).
- :mod:`~evaluation.analysis.hub`: who took part, the hub beside the national pooled value.
- :mod:`~evaluation.analysis.national`: the national overview (pooled effect per project).
- :mod:`~evaluation.analysis.pupils`: the pupil summary view.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers see; at run time __getattr__ imports each module on use
    from evaluation.analysis.hub import (
        HUB_BESIDE_NATIONAL_COLUMNS,
        hub_beside_national,
        hub_beside_national_display,
        hub_participation,
    )
    from evaluation.analysis.national import POOLING_METHOD, national_overview
    from evaluation.analysis.pupils import NationalMtc, PupilAnalysis, national_mtc, pupil_analysis
    from evaluation.analysis.survey import (
        SurveyAnalysis,
        compare_clustered,
        construct_changes,
        item_means,
        likert_distribution,
        net_agreement,
        survey_analysis,
    )

# Public name -> its module. Loaded on first use, so that importing one module (a store write
# needs ``analysis.survey`` only) does not import the hub, national and pupil views.
_MODULES = {
    **dict.fromkeys(
        (
            "HUB_BESIDE_NATIONAL_COLUMNS",
            "hub_beside_national",
            "hub_beside_national_display",
            "hub_participation",
        ),
        "evaluation.analysis.hub",
    ),
    **dict.fromkeys(("POOLING_METHOD", "national_overview"), "evaluation.analysis.national"),
    **dict.fromkeys(
        ("NationalMtc", "PupilAnalysis", "national_mtc", "pupil_analysis"),
        "evaluation.analysis.pupils",
    ),
    **dict.fromkeys(
        (
            "SurveyAnalysis",
            "compare_clustered",
            "construct_changes",
            "item_means",
            "likert_distribution",
            "net_agreement",
            "survey_analysis",
        ),
        "evaluation.analysis.survey",
    ),
}


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_MODULES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "HUB_BESIDE_NATIONAL_COLUMNS",
    "POOLING_METHOD",
    "NationalMtc",
    "PupilAnalysis",
    "SurveyAnalysis",
    "compare_clustered",
    "construct_changes",
    "hub_beside_national",
    "hub_beside_national_display",
    "hub_participation",
    "item_means",
    "likert_distribution",
    "national_mtc",
    "national_overview",
    "net_agreement",
    "pupil_analysis",
    "survey_analysis",
]
