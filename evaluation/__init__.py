"""Maths Hubs Impact toolkit: read, validate, store and analyse Work Group evaluation data.

Importable without Streamlit. The public API is re-exported here as each part lands.
"""

from __future__ import annotations

__version__ = "0.1.0"
