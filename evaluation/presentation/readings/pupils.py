"""Readings of the pupil view: full marks, the score distribution, change year by year."""

from __future__ import annotations

import pandas as pd

from evaluation import columns as c

__all__ = ["by_year_reading", "distribution_reading", "full_marks_reading"]


def full_marks_reading(summary: pd.DataFrame, *, national_pct: float | None, year: str) -> str:
    """The share at full marks before and after, beside the national share, in words.

    Examples
    --------
    >>> s = pd.DataFrame({"phase": ["pre", "post"], "pct_full_marks": [20.0, 31.0]})
    >>> full_marks_reading(s, national_pct=34.0, year="2024/25")
    '20% of pupils had full marks before and 31% after. Nationally in 2024/25, 34% of pupils scored full marks.'
    """  # noqa: E501
    rows = summary.set_index(c.PHASE)["pct_full_marks"]
    parts = []
    if "pre" in rows:
        parts.append(f"{rows['pre']:.0f}% of pupils had full marks before")
    if "post" in rows:
        parts.append(f"{rows['post']:.0f}% after")
    sentence = " and ".join(parts) + "."
    if national_pct is not None:
        sentence += f" Nationally in {year}, {national_pct:.0f}% of pupils scored full marks."
    return sentence


def distribution_reading(*, year: str, national_mean: float | None) -> list[str]:
    """What the score distribution chart shows, with the national average for the year.

    Examples
    --------
    >>> distribution_reading(year="2024/25", national_mean=None)[1]
    'The dashed line is the national average mark for 2024/25 (not published).'
    """
    return [
        "Bars show the share of pupils at each mark, before (orange) and after (blue).",
        f"The dashed line is the national average mark for {year}"
        + (f" ({national_mean:.1f})." if national_mean is not None else " (not published)."),
    ]


def by_year_reading() -> list[str]:
    """What the change-by-year chart shows (its caveat included).

    Examples
    --------
    >>> by_year_reading()[-1]
    'With no comparison group, a rise includes the progress pupils make anyway.'
    """
    return [
        "Left: the average rise in marks with its 95% confidence interval, widened to "
        "allow for pupils in the same school being alike.",
        "Right: the average mark at the end against the national average for that year.",
        "With no comparison group, a rise includes the progress pupils make anyway.",
    ]
