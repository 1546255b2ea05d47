"""The chart palette (evaluation.presentation.charts.palette): contrast, hue, non-colour cues.

Contrast is computed here from the WCAG 2.2 definitions (relative luminance of sRGB, ratio
(L1 + 0.05) / (L2 + 0.05)), independently of the palette module's own helper.
"""

from __future__ import annotations

import colorsys

import pytest

from evaluation.presentation.charts import palette

WHITE = "#FFFFFF"


def luminance(colour: str) -> float:
    red, green, blue = (int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))

    def linear(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(a: str, b: str = WHITE) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def every_chart_colour() -> dict[str, str]:
    colours = {f"ACCESSIBLE[{k}]": v for k, v in palette.ACCESSIBLE.items()}
    colours |= {f"SEQUENCE[{i}]": v for i, v in enumerate(palette.SEQUENCE)}
    colours |= {
        name: getattr(palette, name)
        for name in ("GREY", "PRE", "POST", "POOLED", "NATIONAL", "SUPPRESSED")
    }
    for n in range(2, 8):
        colours |= {f"diverging({n})[{i}]": v for i, v in enumerate(palette.diverging(n))}
    return colours


def test_the_plot_background_is_white():
    assert palette.BACKGROUND.upper() == WHITE


@pytest.mark.parametrize("name, colour", sorted(every_chart_colour().items()))
def test_every_palette_colour_has_3_to_1_contrast_on_the_plot_background(name, colour):
    assert contrast(colour, palette.BACKGROUND) >= 3.0, f"{name} {colour}"


def test_known_contrast_values():
    # WebAIM's checker: #767676 on white is 4.54:1; black on white 21:1.
    assert palette.contrast_ratio("#767676") == pytest.approx(4.54, abs=0.01)
    assert palette.contrast_ratio("#000000") == pytest.approx(21.0)
    for colour in every_chart_colour().values():
        assert palette.contrast_ratio(colour) == pytest.approx(contrast(colour), rel=1e-3)


def hue(colour: str) -> float:
    red, green, blue = (int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return 360 * colorsys.rgb_to_hls(red, green, blue)[0]


@pytest.mark.parametrize("name", sorted(set(palette.OKABE_ITO) - {"black"}))
def test_darkened_colours_keep_their_okabe_ito_hue(name):
    """Colour-blind safety comes from the Okabe-Ito hues: the darker variants keep them."""
    gap = abs(hue(palette.ACCESSIBLE[name]) - hue(palette.OKABE_ITO[name]))
    assert min(gap, 360 - gap) <= 12, name


def test_series_colours_are_distinct_and_each_has_its_own_symbol_and_pattern():
    assert len(set(palette.SEQUENCE)) == len(palette.SEQUENCE)
    assert len(set(palette.SYMBOLS)) == len(palette.SEQUENCE)
    assert len(set(palette.PATTERNS)) == len(palette.SEQUENCE)


def test_diverging_colours_get_darker_towards_the_extremes():
    five = palette.diverging(5)
    assert luminance(five[0]) < luminance(five[1]) and luminance(five[4]) < luminance(five[3])
    assert five[2] == palette.GREY
