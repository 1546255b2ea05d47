"""Maths Hubs Impact toolkit: read, validate, store and analyse Work Group evaluation data.

Importable without Streamlit. The public API is re-exported here, pingouin style
(``from evaluation import paired_change``); each name is loaded on first use so that
``import evaluation.columns`` (and every CLI start) does not pay for SciPy.

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

if TYPE_CHECKING:
    from evaluation.stats.pooling import random_effects

__version__ = "0.1.0"

# Public name -> module that defines it. Extended as the analysis layer grows.
_PUBLIC: dict[str, str] = {
    "random_effects": "evaluation.stats.pooling",
}

__all__ = ["random_effects"]

# Import paths the README documented before the package was split into subpackages; they keep
# working as aliases of the module's new home (the same module object, not a copy).
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
