"""Tests for evaluation/presentation/charts/hub.py: the hub-beside-national chart draws exactly
the numbers it is given, in the one layout font."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluation.presentation.charts import layout, palette
from evaluation.presentation.charts.hub import hub_against_national


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ncp": ["P", "Q"],
            "item": ["confidence"] * 2,
            "hub_n": [30.0, 25.0],
            "hub_estimate": [0.6, 0.1],
            "hub_ci_low": [0.2, -0.3],
            "hub_ci_high": [1.0, 0.5],
            "hub_suppressed": [False, False],
            "national_estimate": [0.4, 0.35],
            "national_ci_low": [0.3, 0.2],
            "national_ci_high": [0.5, 0.5],
            "hubs_pooled": [12, 9],
        }
    )


def test_the_hub_chart_puts_the_hub_beside_the_national_value():
    hub, national = hub_against_national(_table(), hub="Solent Maths Hub").data
    assert list(hub.x) == [0.6, 0.1]
    assert list(national.x) == [0.4, 0.35]
    assert list(hub.error_x.arrayminus) == pytest.approx([0.4, 0.4])
    assert national.marker.color == palette.POOLED


def test_every_chart_uses_the_one_font():
    figure = hub_against_national(_table(), hub="A")
    assert figure.layout.font.family == layout.FONT_FAMILY
    assert figure.layout.font.size == layout.FONT_SIZE
