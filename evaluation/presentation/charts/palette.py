"""The one colour palette every chart uses: Okabe-Ito, safe for common colour-vision deficiencies.

Every colour a chart draws with meets WCAG 2.2 non-text contrast (3:1) against the white plot
background (:data:`BACKGROUND`): Okabe-Ito colours that are too light on white (orange, sky
blue, yellow) are used in darker variants of the same hue (:data:`ACCESSIBLE`). Colour is never
the only carrier of meaning: series also differ by marker symbol (:data:`SYMBOLS`) or bar
pattern (:data:`PATTERNS`, :func:`bar_pattern`) and are named in the legend or labelled.

Diverging Likert colours run from dark vermillion (disagree) through grey (neutral) to dark blue
(agree); the disagreeing side is also hatched.
"""

from __future__ import annotations

__all__ = [
    "ACCESSIBLE",
    "BACKGROUND",
    "GREY",
    "NATIONAL",
    "OKABE_ITO",
    "PATTERNS",
    "POOLED",
    "POST",
    "PRE",
    "SEQUENCE",
    "SUPPRESSED",
    "SYMBOLS",
    "bar_pattern",
    "contrast_ratio",
    "diverging",
    "relative_luminance",
]

# Okabe & Ito (2008), "Color Universal Design": the reference hues.
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
# The same hues, darkened where needed to reach 3:1 against white (tests/test_charts_palette.py).
ACCESSIBLE = {
    "black": "#000000",
    "orange": "#B87700",
    "sky_blue": "#2E86C1",
    "bluish_green": "#008F68",
    "yellow": "#8A7F00",
    "blue": "#0072B2",
    "vermillion": "#C65400",
    "reddish_purple": "#A8578A",
}
BACKGROUND = "#FFFFFF"
GREY = "#767676"

# Series colours in order of use.
SEQUENCE = [
    ACCESSIBLE["blue"],
    ACCESSIBLE["orange"],
    ACCESSIBLE["bluish_green"],
    ACCESSIBLE["vermillion"],
    ACCESSIBLE["sky_blue"],
    ACCESSIBLE["reddish_purple"],
    ACCESSIBLE["yellow"],
    ACCESSIBLE["black"],
]
# Marker symbols in the same order, so series differ by shape as well as colour.
SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "star", "triangle-down", "cross"]
# Bar fill patterns in the same order ("" = solid).
PATTERNS = ["", "/", ".", "x", "\\", "+", "-", "|"]
PRE = ACCESSIBLE["orange"]
POST = ACCESSIBLE["blue"]
POOLED = ACCESSIBLE["black"]
NATIONAL = ACCESSIBLE["reddish_purple"]
SUPPRESSED = GREY


def bar_pattern(shape: str) -> dict:
    """A plotly ``marker.pattern`` drawn in white over the bar's own colour (``""`` = solid).

    Overlaying keeps the bar's colour (and so its contrast); the hatching tells bars apart
    without colour.

    Examples
    --------
    >>> bar_pattern("/")["shape"], bar_pattern("/")["fillmode"]
    ('/', 'overlay')
    """
    return {
        "shape": shape,
        "fillmode": "overlay",
        "fgcolor": "white",
        "fgopacity": 0.7,
        "size": 7,
        "solidity": 0.25,
    }


def relative_luminance(colour: str) -> float:
    """WCAG 2.2 relative luminance of a ``#RRGGBB`` colour (0 black to 1 white).

    Examples
    --------
    >>> relative_luminance("#FFFFFF"), relative_luminance("#000000")
    (1.0, 0.0)
    """
    value = colour.lstrip("#")
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4 for x in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str = BACKGROUND) -> float:
    """WCAG contrast ratio of two colours, from 1 (same) to 21 (black on white).

    Examples
    --------
    >>> round(contrast_ratio("#767676"), 2)
    4.54
    """
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def diverging(n_points: int) -> list[str]:
    """Colours for an ``n_points`` Likert scale, most negative first, neutral grey in the middle.

    Examples
    --------
    >>> diverging(5)
    ['#9E4400', '#C65400', '#767676', '#0072B2', '#00466E']
    """
    negative = ["#9E4400", ACCESSIBLE["vermillion"], "#E36C1F"]
    positive = ["#00466E", ACCESSIBLE["blue"], "#3A89C9"]
    half = n_points // 2
    if half > len(negative):
        raise ValueError("at most 7 scale points are supported")
    low = negative[:half]  # strongest first
    high = list(reversed(positive[:half]))  # strongest last
    middle = [GREY] if n_points % 2 else []
    return low + middle + high
