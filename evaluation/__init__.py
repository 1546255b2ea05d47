"""Maths Hubs Impact toolkit: read, validate, store and analyse Work Group evaluation data.

Importable without Streamlit. The public API is re-exported here, pingouin style
(``from evaluation import paired_change, compare, cronbach_alpha, reading``); each name is loaded
on first use so that ``import evaluation`` and ``import evaluation.columns`` (and every CLI start)
do not pay for SciPy. ``__all__`` lists every public name.

Where things live: ``io`` reads files, ``validation`` checks them, ``stats`` computes, ``store``
keeps data with provenance, ``analysis`` turns stored data into what each view shows,
``presentation`` words, draws and packs it, ``cli`` is the command line.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ loads each name
    from evaluation.instruments import Instrument, default_instrument
    from evaluation.presentation.readings import (
        attrition_reading,
        pupil_reading,
        reading,
        reliability_reading,
    )
    from evaluation.stats.attrition import attrition
    from evaluation.stats.comparisons import compare
    from evaluation.stats.disclosure import display_table, secondary_suppress, suppress
    from evaluation.stats.effect_sizes import (
        cohens_d_z,
        hedges_correction,
        hedges_g,
        hedges_g_av,
        hedges_g_av_ci,
        hedges_g_ci,
        mean_change_ci,
        rank_biserial_paired,
        rank_biserial_unpaired,
    )
    from evaluation.stats.impact import pupil_impact, survey_impact
    from evaluation.stats.mdes import design_mdes, mdes, mdes_table
    from evaluation.stats.multiplicity import adjust_pvalues, adjust_within
    from evaluation.stats.national import cross_ncp_overview, hub_effects, national_trend, trends
    from evaluation.stats.paired import paired_change
    from evaluation.stats.participation import participation_counts
    from evaluation.stats.pooling import random_effects
    from evaluation.stats.pupils import pupil_change, pupil_summary, score_distribution
    from evaluation.stats.reliability import cronbach_alpha, item_total_correlations
    from evaluation.stats.scoring import construct_scores, to_long
    from evaluation.stats.security import rate_security
    from evaluation.stats.unpaired import unpaired_change
    from evaluation.store import Store
    from evaluation.validation import check_pupils, check_survey

__version__ = "0.1.0"

# Public name -> the module it is imported from (the same object as there). Extended as the
# analysis layer grows; keep __all__ and the TYPE_CHECKING block above in step
# (tests/test_public_api.py checks all three).
_PUBLIC: dict[str, str] = {
    "Instrument": "evaluation.instruments",
    "default_instrument": "evaluation.instruments",
    "attrition_reading": "evaluation.presentation.readings",
    "pupil_reading": "evaluation.presentation.readings",
    "reading": "evaluation.presentation.readings",
    "reliability_reading": "evaluation.presentation.readings",
    "attrition": "evaluation.stats.attrition",
    "compare": "evaluation.stats.comparisons",
    "display_table": "evaluation.stats.disclosure",
    "secondary_suppress": "evaluation.stats.disclosure",
    "suppress": "evaluation.stats.disclosure",
    "cohens_d_z": "evaluation.stats.effect_sizes",
    "hedges_correction": "evaluation.stats.effect_sizes",
    "hedges_g": "evaluation.stats.effect_sizes",
    "hedges_g_av": "evaluation.stats.effect_sizes",
    "hedges_g_av_ci": "evaluation.stats.effect_sizes",
    "hedges_g_ci": "evaluation.stats.effect_sizes",
    "mean_change_ci": "evaluation.stats.effect_sizes",
    "rank_biserial_paired": "evaluation.stats.effect_sizes",
    "rank_biserial_unpaired": "evaluation.stats.effect_sizes",
    "pupil_impact": "evaluation.stats.impact",
    "survey_impact": "evaluation.stats.impact",
    "design_mdes": "evaluation.stats.mdes",
    "mdes": "evaluation.stats.mdes",
    "mdes_table": "evaluation.stats.mdes",
    "adjust_pvalues": "evaluation.stats.multiplicity",
    "adjust_within": "evaluation.stats.multiplicity",
    "cross_ncp_overview": "evaluation.stats.national",
    "hub_effects": "evaluation.stats.national",
    "national_trend": "evaluation.stats.national",
    "trends": "evaluation.stats.national",
    "paired_change": "evaluation.stats.paired",
    "participation_counts": "evaluation.stats.participation",
    "random_effects": "evaluation.stats.pooling",
    "pupil_change": "evaluation.stats.pupils",
    "pupil_summary": "evaluation.stats.pupils",
    "score_distribution": "evaluation.stats.pupils",
    "cronbach_alpha": "evaluation.stats.reliability",
    "item_total_correlations": "evaluation.stats.reliability",
    "construct_scores": "evaluation.stats.scoring",
    "to_long": "evaluation.stats.scoring",
    "rate_security": "evaluation.stats.security",
    "unpaired_change": "evaluation.stats.unpaired",
    "Store": "evaluation.store",
    "check_pupils": "evaluation.validation",
    "check_survey": "evaluation.validation",
}

__all__ = [
    "Instrument",
    "Store",
    "adjust_pvalues",
    "adjust_within",
    "attrition",
    "attrition_reading",
    "check_pupils",
    "check_survey",
    "cohens_d_z",
    "compare",
    "construct_scores",
    "cronbach_alpha",
    "cross_ncp_overview",
    "default_instrument",
    "design_mdes",
    "display_table",
    "hedges_correction",
    "hedges_g",
    "hedges_g_av",
    "hedges_g_av_ci",
    "hedges_g_ci",
    "hub_effects",
    "item_total_correlations",
    "mdes",
    "mdes_table",
    "mean_change_ci",
    "national_trend",
    "paired_change",
    "participation_counts",
    "pupil_change",
    "pupil_impact",
    "pupil_reading",
    "pupil_summary",
    "random_effects",
    "rank_biserial_paired",
    "rank_biserial_unpaired",
    "rate_security",
    "reading",
    "reliability_reading",
    "score_distribution",
    "secondary_suppress",
    "suppress",
    "survey_impact",
    "to_long",
    "trends",
    "unpaired_change",
]

# Import paths the README documented before the package was split into subpackages; they keep
# working as aliases of the module's new home (the same module object, not a copy).
# ``attrition`` is both an old module path and a public function: ``from evaluation import
# attrition`` gives the function, but once old code runs ``import evaluation.attrition`` Python
# binds the package attribute to the module for the rest of that process.
MOVED_MODULES: dict[str, str] = {
    "evaluation.paired": "evaluation.stats.paired",
    "evaluation.unpaired": "evaluation.stats.unpaired",
    "evaluation.comparisons": "evaluation.stats.comparisons",
    "evaluation.reliability": "evaluation.stats.reliability",
    "evaluation.attrition": "evaluation.stats.attrition",
    "evaluation.pupils": "evaluation.stats.pupils",
    "evaluation.national": "evaluation.stats.national",
    "evaluation.pooling": "evaluation.stats.pooling",
    "evaluation.readings": "evaluation.presentation.readings",
}


class _MovedModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolve an old module path to the module at its new path."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None):
        if fullname not in MOVED_MODULES:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return importlib.import_module(MOVED_MODULES[spec.name])

    def exec_module(self, module: types.ModuleType) -> None:
        # The module was executed when imported at its new path.
        return None


if not any(isinstance(finder, _MovedModuleFinder) for finder in sys.meta_path):
    sys.meta_path.append(_MovedModuleFinder())


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'evaluation' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
