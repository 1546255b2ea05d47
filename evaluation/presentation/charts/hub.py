"""A hub's change beside the national pooled value, one panel per outcome (board pack).

A forest-style plot with one row per project and one panel per outcome; it draws numbers it is
given (from :mod:`evaluation.stats.national`) and never shows another hub.
"""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from evaluation import columns as c
from evaluation.presentation.charts.layout import FONT, FONT_SIZE, wrap
from evaluation.presentation.charts.palette import GREY, POOLED, SEQUENCE
from evaluation.stats.disclosure import SUPPRESSED_SYMBOL
from evaluation.stats.national import EFFECT_LABELS

__all__ = ["hub_against_national"]


def _finite(value: object) -> bool:
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def hub_against_national(
    comparison: pd.DataFrame,
    *,
    hub: str,
    outcome_labels: dict[str, str] | None = None,
    effect: str = "d_z",
) -> go.Figure:
    """Forest plot of one hub's change per project against each project's national pooled value.

    Parameters
    ----------
    comparison : DataFrame
        One row per NCP x outcome: ``ncp, item, hub_estimate, hub_ci_low, hub_ci_high, hub_n,
        hub_suppressed, national_estimate, national_ci_low, national_ci_high, hubs_pooled``
        (:func:`evaluation.analysis.hub_beside_national`; optionally
        ``national_suppressed, national_suppression_reason``).
    hub : str
        The hub's name, for the legend.
    outcome_labels : dict, optional
        Panel titles by outcome (``item``); default the outcome names.
    effect : str
        Axis label key from :data:`evaluation.stats.national.EFFECT_LABELS`.

    Returns
    -------
    plotly.graph_objects.Figure
        One panel per outcome; the hub as squares with 95% CIs, the national pooled value as
        open diamonds with 95% CIs; a suppressed hub result is the text ``[c]``, and so is a
        national value flagged ``national_suppressed`` (optional column; its values blank).

    Examples
    --------
    >>> t = pd.DataFrame({"ncp": ["P", "Q"], "item": ["confidence"] * 2,
    ...     "hub_estimate": [0.5, np.nan], "hub_ci_low": [0.2, np.nan],
    ...     "hub_ci_high": [0.8, np.nan], "hub_n": [30, np.nan], "hub_suppressed": [False, True],
    ...     "national_estimate": [0.4, 0.6], "national_ci_low": [0.3, 0.5],
    ...     "national_ci_high": [0.5, 0.7], "hubs_pooled": [20, 12]})
    >>> fig = hub_against_national(t, hub="Solent Maths Hub")
    >>> [trace.name for trace in fig.data]
    ['Solent Maths Hub (95% CI)', 'National pooled value (95% CI)', 'Hidden [c]']
    """
    labels = outcome_labels or {}
    outcomes = list(dict.fromkeys(comparison[c.ITEM].tolist()))
    projects = sorted(comparison[c.NCP].unique().tolist(), reverse=True)
    figure = make_subplots(
        rows=1,
        cols=max(len(outcomes), 1),
        shared_yaxes=True,
        horizontal_spacing=0.03,
        subplot_titles=[html.escape(labels.get(o, o)) for o in outcomes] or [""],
    )
    # Numeric rows so the hub (above) and the national value (below) never hide each other.
    row_of = {p: i for i, p in enumerate(projects)}
    values = pd.concat(
        [comparison[col] for col in ("hub_ci_low", "hub_ci_high", "national_ci_low")]
        + [comparison["national_ci_high"]]
    ).astype(float)
    finite = values[np.isfinite(values)]
    low = min(0.0, float(finite.min())) if len(finite) else -1.0
    high = max(0.0, float(finite.max())) if len(finite) else 1.0
    pad = 0.08 * (high - low or 1.0)
    # Traces are added as dicts: plotly validates a dict once, a go.Scatter twice.
    for col, outcome in enumerate(outcomes, start=1):
        rows = comparison[comparison[c.ITEM] == outcome]
        shown = rows[~rows["hub_suppressed"].fillna(False).astype(bool)]
        shown = shown.loc[np.array([_finite(v) for v in shown["hub_estimate"]], dtype=bool)]
        hidden = rows[rows["hub_suppressed"].fillna(False).astype(bool)]
        national_hidden = (
            rows[rows["national_suppressed"].fillna(False).astype(bool)]
            if "national_suppressed" in rows
            else rows.iloc[0:0]
        )
        nat = rows.loc[np.array([_finite(v) for v in rows["national_estimate"]], dtype=bool)]
        figure.add_trace(
            dict(
                type="scatter",
                x=shown["hub_estimate"].astype(float).round(4).tolist(),
                y=[row_of[p] + 0.14 for p in shown[c.NCP]],
                mode="markers",
                name=f"{html.escape(hub)} (95% CI)",
                legendgroup="hub",
                showlegend=col == 1,
                marker={"symbol": "square", "size": 10, "color": SEQUENCE[0]},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": (shown["hub_ci_high"] - shown["hub_estimate"]).astype(float).tolist(),
                    "arrayminus": (shown["hub_estimate"] - shown["hub_ci_low"])
                    .astype(float)
                    .tolist(),
                    "color": SEQUENCE[0],
                    "thickness": 2,
                    "width": 0,
                },
                hovertext=[
                    f"{html.escape(hub)}<br>{html.escape(p)}<br>{e:.2f} "
                    f"(95% CI {lo:.2f} to {hi:.2f}), {n:.0f} matched"
                    for p, e, lo, hi, n in zip(
                        shown[c.NCP],
                        shown["hub_estimate"].astype(float),
                        shown["hub_ci_low"].astype(float),
                        shown["hub_ci_high"].astype(float),
                        shown["hub_n"].astype(float),
                        strict=True,
                    )
                ],
                hoverinfo="text",
            ),
            row=1,
            col=col,
        )
        figure.add_trace(
            dict(
                type="scatter",
                x=nat["national_estimate"].astype(float).round(4).tolist(),
                y=[row_of[p] - 0.14 for p in nat[c.NCP]],
                mode="markers",
                name="National pooled value (95% CI)",
                legendgroup="national",
                showlegend=col == 1,
                marker={
                    "symbol": "diamond-open",
                    "size": 11,
                    "color": POOLED,
                    "line": {"width": 2},
                },
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": (nat["national_ci_high"] - nat["national_estimate"])
                    .astype(float)
                    .tolist(),
                    "arrayminus": (nat["national_estimate"] - nat["national_ci_low"])
                    .astype(float)
                    .tolist(),
                    "color": POOLED,
                    "thickness": 1,
                    "width": 6,
                },
                hovertext=[
                    f"National pooled value<br>{html.escape(p)}<br>{e:.2f} "
                    f"(95% CI {lo:.2f} to {hi:.2f}), {int(k)} hubs"
                    for p, e, lo, hi, k in zip(
                        nat[c.NCP],
                        nat["national_estimate"].astype(float),
                        nat["national_ci_low"].astype(float),
                        nat["national_ci_high"].astype(float),
                        nat["hubs_pooled"].astype(float).fillna(0),
                        strict=True,
                    )
                ],
                hoverinfo="text",
            ),
            row=1,
            col=col,
        )
        if len(hidden):
            figure.add_trace(
                dict(
                    type="scatter",
                    x=[low - pad * 0.5] * len(hidden),
                    y=[row_of[p] + 0.14 for p in hidden[c.NCP]],
                    mode="text",
                    text=[SUPPRESSED_SYMBOL] * len(hidden),
                    textposition="middle right",
                    textfont={"color": "#555555"},
                    name=f"Hidden {SUPPRESSED_SYMBOL}",
                    legendgroup="hidden",
                    showlegend=col == 1,
                    hoverinfo="skip",
                ),
                row=1,
                col=col,
            )
        if len(national_hidden):
            figure.add_trace(
                dict(
                    type="scatter",
                    x=[low - pad * 0.5] * len(national_hidden),
                    y=[row_of[p] - 0.14 for p in national_hidden[c.NCP]],
                    mode="text",
                    text=[SUPPRESSED_SYMBOL] * len(national_hidden),
                    textposition="middle right",
                    textfont={"color": POOLED},
                    name=f"National value hidden {SUPPRESSED_SYMBOL}",
                    legendgroup="national_hidden",
                    showlegend=col == 1,
                    hovertext=[
                        html.escape(f"National pooled value {SUPPRESSED_SYMBOL}: {reason}")
                        for reason in national_hidden.get(
                            "national_suppression_reason",
                            pd.Series("hidden", index=national_hidden.index),
                        ).fillna("hidden")
                    ],
                    hoverinfo="text",
                ),
                row=1,
                col=col,
            )
        figure.add_vline(x=0, line={"color": GREY, "width": 1}, row=1, col=col)
        # As update_xaxes(row=1, col=col), without looking the axis up in the subplot grid.
        figure.layout["xaxis" if col == 1 else f"xaxis{col}"].update(
            range=[low - pad, high + pad], gridcolor="#EEEEEE", zeroline=False
        )
    figure.update_yaxes(
        tickmode="array",
        tickvals=list(range(len(projects))),
        ticktext=[wrap(p, 26) for p in projects],
        range=[-0.6, len(projects) - 0.4],
        automargin=True,
        showgrid=False,
        zeroline=False,
    )
    figure.update_layout(
        height=150 + (44 if len(projects) < 8 else 32) * max(len(projects), 1),
        font=FONT,
        plot_bgcolor="white",
        paper_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 80, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.12, "x": 0},
    )
    figure.add_annotation(
        text=html.escape(EFFECT_LABELS.get(effect, effect)),
        xref="paper",
        yref="paper",
        x=0.5,
        y=-0.08,
        yanchor="top",
        showarrow=False,
        font={"size": FONT_SIZE, "color": "#444444"},
    )
    return figure
