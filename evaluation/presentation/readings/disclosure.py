"""What hub and lead users are not shown of national pooled values, and why, in plain English.

The rule is :func:`evaluation.access.mask_thin_pooled`; its thresholds and rounding steps come
from there (:data:`~evaluation.access.MIN_POOLED_HUBS`, :data:`~evaluation.access.MIN_OTHER_HUBS`,
:data:`~evaluation.access.POOLED_STEPS`), never a literal. The Methods page shows
:func:`pooled_values_withheld`; a hub board pack's suppression notes :func:`pooled_values_note`.
"""

from __future__ import annotations

from evaluation.access import MIN_OTHER_HUBS, MIN_POOLED_HUBS, POOLED_STEPS
from evaluation.stats.disclosure import SUPPRESSED_SYMBOL

__all__ = ["pooled_values_note", "pooled_values_withheld"]

# What hub and lead users never see of a pooled value (evaluation.access.POOLED_COUNTS and the
# pooled statistics other than evaluation.access.POOLED_SHOWN).
WITHHELD = (
    "the number of people pooled",
    "the standard error",
    "the between-hub variation (tau-squared, I-squared, Cochran's Q)",
    "the prediction interval",
)


def _listed(joiner: str) -> str:
    return f"{', '.join(WITHHELD[:-1])} {joiner} {WITHHELD[-1]}"


def _steps() -> str:
    return (
        f"{POOLED_STEPS['d_z']:g} for a standardised change and "
        f"{POOLED_STEPS['mean_change']:g} for a change in scale points"
    )


def pooled_values_withheld() -> str:
    """The Methods page's account of what hub and lead users see of pooled values, and why.

    Examples
    --------
    >>> text = pooled_values_withheld()
    >>> text.startswith("Hub and Work Group lead users see a national pooled value only when it "
    ...                 "combines at least 4 hubs")
    True
    >>> "rounded to 0.05 for a standardised change and 0.1 for a change in scale points" in text
    True
    """
    return (
        "Hub and Work Group lead users see a national pooled value only when it combines at "
        f"least {MIN_POOLED_HUBS} hubs, so that at least {MIN_OTHER_HUBS} remain besides their "
        f"own; otherwise it appears as {SUPPRESSED_SYMBOL}. They see the pooled effect and its "
        f"95% confidence interval only, rounded to {_steps()} (the interval outwards, so that "
        f"it still covers the computed one), and never {_listed('or')}. A hub knows its own "
        "results exactly, and each further pooled number is one more equation in the other "
        "hubs' sizes and changes: with all of them, the other hubs of a small pool could be "
        "worked out by solving the published formulas. A test in the toolkit's suite runs that "
        "calculation against what a hub user receives and checks that it cannot recover any "
        "other hub's size or average change."
    )


def pooled_values_note() -> str:
    """The hub board pack's note on its national values (hub and lead readers).

    Examples
    --------
    >>> pooled_values_note().split(": ")[0]
    'National values in this pack'
    """
    return (
        "National values in this pack: a national pooled value that combines fewer than "
        f"{MIN_POOLED_HUBS} hubs is shown as {SUPPRESSED_SYMBOL}, because with this hub's own "
        "result it could give away the other hubs' results. Otherwise the pooled value and its "
        f"95% confidence interval are shown, rounded to {_steps()}; {_listed('and')} of a "
        "national pool are never shown here, because with this hub's own results they would "
        "let the other hubs' sizes and results be worked out."
    )
