"""Text analysis of open answers: a codebook of themes, tagging by it and suggested new themes.

:mod:`evaluation.text.codebook` reads and checks codebooks and tags answers by their keywords;
:mod:`evaluation.text.themes` suggests themes for uncoded answers and summarises them.
"""

from __future__ import annotations

__all__: list[str] = []
