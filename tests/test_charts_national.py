"""Tests for evaluation.presentation.charts.national: figures build, read right and never leak
hidden numbers."""

from __future__ import annotations

import base64
import json
import math
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.utils import PlotlyJSONEncoder

from evaluation.presentation.charts import palette
from evaluation.presentation.charts.national import (
    forest_plot,
    funnel_plot,
    overview_heatmap,
    trend_plot,
)
from evaluation.stats.national import cross_ncp_overview, hub_effects, pool_hubs, trends

ALLOWED_COLOURS = {
    *(v.upper() for v in palette.ACCESSIBLE.values()),
    *(v.upper() for v in palette.diverging(7)),
    palette.GREY.upper(),
    "WHITE",
}


@pytest.fixture(autouse=True)
def _no_env_threshold(monkeypatch):
    monkeypatch.delenv("IMPACT_MIN_N", raising=False)


def hub_table() -> pd.DataFrame:
    n = np.array([12.0, 60.0, 30.0, 3.0, 25.0])
    d = np.array([0.9, 0.3, 0.55, 1.7, 0.5])
    se = np.sqrt(1 / n + d**2 / (2 * n))
    results = pd.DataFrame(
        {"hub": ["Solent Maths Hub", "Sussex Maths Hub", "Jurassic Maths Hub",
                 "Mobius Maths Hub", "Boolean Maths Hub"],
         "ncp": "Mastering Number at KS2", "item": "confidence", "design": "paired",
         "n_paired": n, "mean_change": d * 0.8, "sd_change": 0.8,
         "ci_low": d * 0.8 - 0.3, "ci_high": d * 0.8 + 0.3, "d_z": d, "d_z_se": se}
    )  # fmt: skip
    return hub_effects(results, secondary=False)


def walk(obj):
    """Every leaf of a figure's JSON, decoding plotly's base64 typed arrays."""
    if isinstance(obj, dict):
        if "bdata" in obj and "dtype" in obj:
            yield from np.frombuffer(base64.b64decode(obj["bdata"]), dtype=obj["dtype"]).tolist()
            return
        for value in obj.values():
            yield from walk(value)
    elif isinstance(obj, (list, tuple, np.ndarray)):
        for value in obj:
            yield from walk(value)
    else:
        yield obj


def colours(fig: go.Figure) -> set[str]:
    found = set()

    def visit(obj, key=""):
        if isinstance(obj, dict):
            for k, v in obj.items():
                visit(v, k)
        elif isinstance(obj, list):
            for v in obj:
                visit(v, key)
        elif isinstance(obj, str) and "color" in key.lower() and obj.startswith(("#", "w")):
            found.add(obj.upper())

    data = fig.to_plotly_json()
    visit(data["data"])
    visit({k: v for k, v in data["layout"].items() if k != "template"})
    return found


def test_forest_plot_sorts_hubs_and_shows_hidden_hubs_as_labelled_rows():
    table = hub_table()
    fig = forest_plot(table, pool_hubs(table))
    labels = list(fig.layout.yaxis.ticktext)
    assert labels[:4] == [
        "Solent Maths Hub (n = 12)",
        "Jurassic Maths Hub (n = 30)",
        "Boolean Maths Hub (n = 25)",
        "Sussex Maths Hub (n = 60)",
    ]
    assert labels[4] == "Mobius Maths Hub [c]"
    assert labels[5].startswith("Pooled (REML), 4 hubs, n = 127")
    assert labels[6] == "Prediction interval"
    hidden = next(t for t in fig.data if t.mode == "text" and "[c]" in t.name)
    assert list(hidden.text) == ["[c] fewer than 5 respondents"]
    hubs = next(t for t in fig.data if t.name == "Hub (95% CI)")
    sizes = dict(zip(hubs.x, hubs.marker.size, strict=True))
    assert sizes[0.3] > sizes[0.55] > sizes[0.5] > sizes[0.9]  # bigger hubs, bigger markers
    assert any("1 hub hidden" in a.text for a in fig.layout.annotations)
    assert colours(fig) <= ALLOWED_COLOURS


def test_forest_plot_draws_the_pooled_diamond_and_prediction_interval():
    table = hub_table()
    pooled = pool_hubs(table)
    fig = forest_plot(table, pooled, title="Confidence after Mastering Number")
    diamond = next(t for t in fig.data if t.fill == "toself")
    assert min(diamond.x) == pytest.approx(pooled.ci_low)
    assert max(diamond.x) == pytest.approx(pooled.ci_high)
    bar = next(t for t in fig.data if t.name == "95% prediction interval")
    assert list(bar.x) == pytest.approx([pooled.pi_low, pooled.pi_high])
    assert fig.layout.title.text == "Confidence after Mastering Number"


def test_forest_plot_with_two_hubs_says_the_prediction_interval_needs_three():
    table = hub_table().iloc[:2]
    fig = forest_plot(table, pool_hubs(table))
    assert any(t.mode == "text" and "needs at least 3 hubs" in t.text for t in fig.data)


def test_funnel_plot_labels_hubs_outside_the_limits_and_hovers_with_hub_n_and_effect():
    table = hub_table()
    fig = funnel_plot(table, {"estimate": 0.5, "tau2": 0.0})
    names = [t.name for t in fig.data]
    assert "95% limits" in names and "99.8% limits" in names
    outside = [t for t in fig.data if str(t.name).startswith("Outside")]
    labelled = {label for t in outside for label in t.text}
    assert "Solent Maths Hub" not in labelled  # n = 12, 0.9 is within the limits
    within = next(t for t in fig.data if t.name == "Within limits")
    assert any(
        "Sussex Maths Hub" in h and "60 respondents" in h and "0.30" in h for h in within.hovertext
    )
    assert any("1 hub not shown" in a.text for a in fig.layout.annotations)
    assert colours(fig) <= ALLOWED_COLOURS


def test_funnel_plot_labels_an_outlying_hub():
    table = hub_table()
    table.loc[table.hub == "Sussex Maths Hub", "d_z"] = 1.5
    fig = funnel_plot(table, {"estimate": 0.5, "tau2": 0.0})
    outside = next(t for t in fig.data if t.name == "Outside 99.8% limits")
    assert list(outside.text) == ["Sussex Maths Hub"]


def test_trend_plot_draws_the_national_line_and_marks_hidden_years():
    table = pd.DataFrame(
        {"academic_year": ["2023/24", "2023/24", "2024/25", "2024/25"],
         "series": ["Solent Maths Hub", "National"] * 2, "level": ["hub", "national"] * 2,
         "estimate": [0.5, 0.4, np.nan, 0.45], "ci_low": [0.2, 0.3, np.nan, 0.35],
         "ci_high": [0.8, 0.5, np.nan, 0.55], "n": [40.0, 300.0, np.nan, 320.0],
         "suppressed": [False, False, True, False],
         "suppression_reason": [None, None, "fewer than 5 respondents", None]}
    )  # fmt: skip
    fig = trend_plot(table)
    hub, national = fig.data
    assert list(hub.y) == [0.5, None]
    assert national.line.dash == "dash" and national.line.color == palette.NATIONAL
    assert any("[c] Solent Maths Hub, 2024/25" in a.text for a in fig.layout.annotations)
    assert len(trend_plot(table, national=False).data) == 1
    assert colours(fig) <= ALLOWED_COLOURS


def test_overview_heatmap_colours_pooled_effects_and_marks_all_hidden_cells():
    overview = pd.DataFrame(
        {"ncp": ["P", "P", "Q", "Q"], "item": ["confidence", "practice"] * 2,
         "estimate": [0.5, 0.2, -0.1, np.nan], "ci_low": [0.3, 0.0, -0.4, np.nan],
         "ci_high": [0.7, 0.4, 0.2, np.nan], "k": [10, 9, 4, 0], "k_suppressed": [1, 0, 2, 3],
         "n_respondents": [300, 280, 60, 0]}
    )  # fmt: skip
    fig = overview_heatmap(overview)
    heat = fig.data[0]
    assert list(heat.y) == ["Q", "P"] and list(heat.x) == ["Confidence", "Practice"]
    assert [list(r) for r in heat.z] == [[-0.1, None], [0.5, 0.2]]
    assert heat.text[0][1] == "[c]"
    assert heat.zmid == 0
    assert colours(fig) <= ALLOWED_COLOURS


def test_overview_heatmap_names_outcomes_in_words_and_by_their_question_text():
    from evaluation.instruments import Instrument, Item

    instrument = Instrument(
        "demo",
        (
            Item("conf_1", "I feel confident teaching fractions", "confidence"),
            Item("know_1", "I know <why> methods work & when", "subject_knowledge"),
        ),
    )
    overview = pd.DataFrame(
        {"ncp": "P", "item": ["conf_1", "subject_knowledge", "know_1", "prac_9"],
         "estimate": [0.5, 0.2, 0.1, 0.3], "ci_low": 0.0, "ci_high": 0.9, "k": 6,
         "k_suppressed": 0, "n_respondents": 120}
    )  # fmt: skip
    heat = overview_heatmap(overview, instrument=instrument).data[0]
    assert list(heat.x) == [
        '"I feel confident teaching fractions"',
        "Subject knowledge",
        '"I know &lt;why&gt; methods work &amp; when"',
        "Prac 9",
    ]
    assert "Subject knowledge: 0.20" in heat.hovertext[0][1]
    assert list(overview_heatmap(overview).data[0].x) == [
        "Conf 1", "Subject knowledge", "Know 1", "Prac 9"
    ]  # fmt: skip
    axis = overview_heatmap(overview, instrument=instrument).layout.xaxis
    assert list(axis.tickvals) == list(heat.x)
    assert axis.ticktext[0] == "&quot;I feel confident<br>teaching<br>fractions&quot;"
    same_words = overview.assign(item=["conf_1", "conf 1", "know_1", "prac_9"])
    assert list(overview_heatmap(same_words).data[0].x)[:2] == [
        "Conf 1 (conf_1)",
        "Conf 1 (conf 1)",
    ]


def test_charts_build_from_the_national_tables():
    rows = []
    for year in ("2023/24", "2024/25"):
        for h, n in enumerate([3, 20, 35, 50]):
            rows.append(
                {"academic_year": year, "hub": f"Hub {h}", "ncp": "P", "item": "confidence",
                 "n_paired": n, "mean_change": 0.4 + 0.05 * h, "sd_change": 0.9,
                 "ci_low": 0.1, "ci_high": 0.8, "d_z": (0.4 + 0.05 * h) / 0.9}
            )  # fmt: skip
    res = pd.DataFrame(rows)
    assert isinstance(trend_plot(trends(res, outcome="confidence", hub="Hub 2")), go.Figure)
    overview = cross_ncp_overview(res)
    assert isinstance(overview_heatmap(overview[overview.academic_year == "2024/25"]), go.Figure)
    with pytest.raises(ValueError, match="one row per NCP"):
        overview_heatmap(overview)


def _hidden_values(raw: pd.DataFrame) -> list[float]:
    cols = ["mean_pre", "mean_post", "mean_change", "sd_change", "mean_change_ci_low",
            "mean_change_ci_high", "d_z", "d_z_se", "d_z_ci_low", "d_z_ci_high"]  # fmt: skip
    values = raw[cols].to_numpy(dtype=float).ravel()
    # Short numbers (a mean of 4.0, a change of 0.5) can't be told apart from axis ticks,
    # offsets or another hub's count; the count itself is checked through the text and the
    # number of points drawn.
    return [float(v) for v in values if math.isfinite(v) and round(v, 4) != round(v, 2)]


def test_no_suppressed_number_leaks_into_any_forest_or_funnel_figure(sample_dir):
    from evaluation.instruments import default_instrument
    from evaluation.stats.paired import paired_change
    from evaluation.stats.scoring import to_long

    surveys = pd.read_csv(sample_dir / "surveys.csv")
    long = to_long(surveys, default_instrument(), keys=("hub", "ncp"))
    long = long[long["item"].isin(["confidence", "conf_1"])]
    paired = paired_change(long, by=["hub", "ncp"])
    hubs = hub_effects(paired)
    raw = hub_effects(paired, min_n=1, secondary=False).set_index(["ncp", "item", "hub"])
    assert hubs.suppressed.sum() >= 10  # the sample really has small hubs to protect
    small_count = re.compile(r"(n = [0-4]\b|\b[0-4] respondents)")
    checked = 0
    for (ncp, item), table in hubs.groupby(["ncp", "item"]):
        hidden = table[table.suppressed]
        pooled = pool_hubs(table)
        shown_raw = raw.loc[(ncp, item)].loc[table.loc[~table.suppressed, "hub"]]
        # A hidden value that is also one of a shown hub's own numbers is a coincidence
        # (small integer answers make these common), not a leak.
        legit = set(_hidden_values(shown_raw)) | {round(v, 4) for v in _hidden_values(shown_raw)}
        for fig in (forest_plot(table, pooled), funnel_plot(table, pooled)):
            drawn = fig.to_plotly_json()
            drawn["layout"].pop("template", None)  # plotly's constant theme, not our data
            text = json.dumps(drawn, cls=PlotlyJSONEncoder)
            # The limit curves depend only on the pooled value and a grid of sizes; their
            # hundreds of points would match any number by chance, so they are left out here.
            drawn["data"] = [t for t in drawn["data"] if not str(t.get("name")).endswith("limits")]
            leaves = list(walk(drawn))
            numbers = {float(v) for v in leaves if isinstance(v, (int, float))}
            strings = [v for v in leaves if isinstance(v, str)]
            assert not any(small_count.search(s) for s in strings)
            for hub in hidden.hub:
                secret = raw.loc[(ncp, item, hub)]
                for value in _hidden_values(secret.to_frame().T):
                    if value in legit or round(value, 4) in legit:
                        continue
                    assert value not in numbers and round(value, 4) not in numbers
                    assert repr(value) not in text
                # Anything that names a hidden hub carries no digits at all.
                assert not any(hub in s and re.search(r"\d", s) for s in strings)
            points = [t for t in fig.data if t.name in ("Hub (95% CI)", "Within limits")
                      or str(t.name).startswith("Outside")]  # fmt: skip
            shown = table[~table.suppressed & table.d_z.notna()]
            assert sum(len(t.x) for t in points) == len(shown)
            checked += 1
    assert checked == 2 * hubs.groupby(["ncp", "item"]).ngroups
