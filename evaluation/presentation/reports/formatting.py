"""How a board pack prints numbers and sizes its charts: cells, intervals, years, page fit.

Pure helpers shared by every report section (no data, no statistics).
"""

from __future__ import annotations

import math
import re
from typing import Any

from evaluation.presentation.readings.words import num
from evaluation.presentation.readings.words import outcome_name as outcome_label
from evaluation.stats.disclosure import SUPPRESSED_SYMBOL

__all__ = [
    "DASH",
    "PAGE_CHART_HEIGHT",
    "fit_page",
    "fmt",
    "fmt_ci",
    "fmt_count",
    "normalise_year",
    "num",
    "outcome_label",
    "slug",
    "untitled",
]

DASH = "–"
# Tallest chart that fits on one A4 page under its caption (CSS px at 96 dpi).
PAGE_CHART_HEIGHT = 900


def fmt(value: object, digits: int = 2, *, sign: bool = False) -> str:
    """A number for a table cell; ``[c]`` stays ``[c]``, missing is a dash.

    Examples
    --------
    >>> fmt(0.456), fmt(0.456, sign=True), fmt(-0.001), fmt("[c]"), fmt(float("nan"))
    ('0.46', '+0.46', '0.00', '[c]', '–')
    """
    if isinstance(value, str):
        return value
    number = num(value)
    if not math.isfinite(number):
        return DASH
    if round(number, digits) == 0:
        number = 0.0  # never print "-0.00"
    return f"{number:+.{digits}f}" if sign else f"{number:.{digits}f}"


def fmt_count(value: object) -> str:
    """A whole number with thousands separators.

    Examples
    --------
    >>> fmt_count(12345.0), fmt_count("[c]"), fmt_count(None)
    ('12,345', '[c]', '–')
    """
    if isinstance(value, str):
        return value
    number = num(value)
    return DASH if not math.isfinite(number) else f"{int(round(number)):,}"


def fmt_ci(low: object, high: object, digits: int = 2) -> str:
    """``0.12 to 0.80`` (or ``[c]`` when suppressed).

    Examples
    --------
    >>> fmt_ci(0.123, 0.8), fmt_ci("[c]", "[c]")
    ('0.12 to 0.80', '[c]')
    """
    if isinstance(low, str) or isinstance(high, str):
        return SUPPRESSED_SYMBOL if SUPPRESSED_SYMBOL in (low, high) else DASH
    lo, hi = num(low), num(high)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return DASH
    return f"{lo:.{digits}f} to {hi:.{digits}f}"


def normalise_year(text: str) -> str | None:
    """``2024/25`` from ``2024/25``, ``2024-25``, ``2024-2025`` or ``2024``; None if not a year.

    Examples
    --------
    >>> normalise_year("2024-25"), normalise_year("2024"), normalise_year("next year")
    ('2024/25', '2024/25', None)
    """
    match = re.fullmatch(r"\s*(\d{4})(?:\s*[/-]\s*(\d{2}|\d{4}))?\s*", str(text))
    if not match:
        return None
    start = int(match.group(1))
    end = match.group(2)
    if end is not None and int(end[-2:]) != (start + 1) % 100:
        return None
    return f"{start}/{(start + 1) % 100:02d}"


def slug(text: str) -> str:
    """A file-name-safe name for a table or chart.

    Examples
    --------
    >>> slug("Mastering Number at KS2!")
    'mastering_number_at_ks2'
    """
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "table"


def untitled(figure: Any, *, height: int | None = None) -> Any:
    """Drop a chart's own title (the report's caption names it) and optionally set its height."""
    figure.update_layout(title={"text": ""})
    if height is not None:
        figure.update_layout(height=height)
    return figure


def fit_page(figure: Any) -> Any:
    """Shrink a very tall chart (e.g. a forest plot of 40 hubs) to fit on one printed page."""
    height = figure.layout.height
    if height is not None and height > PAGE_CHART_HEIGHT:
        figure.update_layout(height=PAGE_CHART_HEIGHT)
    return figure
