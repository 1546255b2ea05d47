"""Maths Hubs Impact toolkit: read, validate, store and analyse Work Group evaluation data.

Importable without Streamlit. The public API is re-exported here as each part lands.
"""

from __future__ import annotations

from evaluation.pooling import random_effects

__version__ = "0.1.0"

__all__ = ["random_effects"]
