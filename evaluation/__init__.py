"""Maths Hubs Impact toolkit: read, validate, store and analyse Work Group evaluation data.

Importable without Streamlit. The public API is re-exported here; it is loaded on first use so that
``import evaluation.columns`` (and every CLI start) does not pay for SciPy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evaluation.pooling import random_effects

__version__ = "0.1.0"

__all__ = ["random_effects"]


def __getattr__(name: str) -> Any:
    if name == "random_effects":
        from evaluation.pooling import random_effects

        return random_effects
    raise AttributeError(f"module 'evaluation' has no attribute {name!r}")
