"""The one colour palette every chart uses: Okabe-Ito, safe for common colour-vision deficiencies.

Diverging Likert colours run from vermillion (disagree) through grey (neutral) to blue (agree).
"""

from __future__ import annotations

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
GREY = "#BBBBBB"

# Series colours in order of use.
SEQUENCE = [
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["yellow"],
    OKABE_ITO["black"],
]
PRE = OKABE_ITO["orange"]
POST = OKABE_ITO["blue"]
POOLED = OKABE_ITO["black"]
NATIONAL = OKABE_ITO["reddish_purple"]
SUPPRESSED = GREY


def diverging(n_points: int) -> list[str]:
    """Colours for an ``n_points`` Likert scale, most negative first, neutral grey in the middle.

    Examples
    --------
    >>> diverging(5)
    ['#D55E00', '#F0B27F', '#BBBBBB', '#7FB8D8', '#0072B2']
    """
    negative = [OKABE_ITO["vermillion"], "#F0B27F", "#F7D8BF"]
    positive = [OKABE_ITO["blue"], "#7FB8D8", "#BFDCEC"]
    half = n_points // 2
    if half > len(negative):
        raise ValueError("at most 7 scale points are supported")
    low = negative[:half]  # strongest first
    high = list(reversed(positive[:half]))  # strongest last
    middle = [GREY] if n_points % 2 else []
    return low + middle + high
