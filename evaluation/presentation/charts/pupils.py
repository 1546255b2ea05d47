"""Plotly figures for pupil MTC outcomes: score distributions, full marks, change with CIs.

Pure builders over tables from :mod:`evaluation.stats.pupils`; national figures come from reference
data.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from evaluation import columns as c
from evaluation.presentation.charts import palette
from evaluation.presentation.charts.layout import error_bars, finish, wrap
from evaluation.presentation.charts.survey import PHASE_TITLES

PHASE_COLOURS = {"pre": palette.PRE, "post": palette.POST}


def _national_line(figure: go.Figure, value: float | None, text: str, **where: object) -> None:
    if value is None or not np.isfinite(value):
        return
    figure.add_vline(
        x=value,
        line={"color": palette.NATIONAL, "width": 2, "dash": "dash"},
        annotation={"text": html.escape(text), "font": {"color": palette.NATIONAL}},
        annotation_position="top",
        **where,
    )


def score_distribution_chart(
    distribution: pd.DataFrame,
    *,
    national_mean: float | None = None,
    national_year: str | None = None,
    max_score: int = 25,
    title: str | None = None,
) -> go.Figure:
    """Share of pupils at each mark before and after, with the national average marked.

    Parameters
    ----------
    distribution : DataFrame
        ``phase, score, pct`` (and ``count``) from ``evaluation.stats.pupils.score_distribution``.
    national_mean : float, optional
        The national average mark for the year (dashed line).
    national_year : str, optional
        Its academic year, for the label.

    Examples
    --------
    >>> d = pd.DataFrame({"phase": ["pre", "pre", "post", "post"], "score": [24, 25, 24, 25],
    ...                   "count": [3, 1, 1, 3], "pct": [75.0, 25.0, 25.0, 75.0]})
    >>> fig = score_distribution_chart(d, national_mean=21.0, national_year="2024/25")
    >>> [(t.name, t.y.tolist()) for t in fig.data]
    [('Before (pre)', [75.0, 25.0]), ('After (post)', [25.0, 75.0])]
    >>> fig.layout.shapes[0].x0
    21.0
    """
    figure = go.Figure()
    for phase in ("pre", "post"):
        rows = distribution[distribution[c.PHASE].eq(phase)].sort_values(c.SCORE)
        if rows.empty:
            continue
        counts = rows["count"] if "count" in rows else pd.Series(np.nan, index=rows.index)
        figure.add_trace(
            go.Bar(
                x=rows[c.SCORE].to_numpy(),
                y=rows["pct"].to_numpy(),
                name=PHASE_TITLES[phase],
                marker={
                    "color": PHASE_COLOURS[phase],
                    "pattern": palette.bar_pattern("/" if phase == "pre" else ""),
                },
                customdata=counts.to_numpy(),
                hovertemplate=(
                    f"{PHASE_TITLES[phase]}: %{{y:.1f}}% of pupils scored %{{x}} "
                    "(%{customdata:.0f})<extra></extra>"
                ),
            )
        )
    label = "National average" + (f" {national_year}" if national_year else "")
    _national_line(figure, national_mean, label)
    figure.update_xaxes(
        title=f"Mark (out of {max_score})",
        range=[-0.5, max_score + 0.5],
        dtick=5,
        gridcolor="#EEEEEE",
    )
    figure.update_yaxes(title="% of pupils", gridcolor="#EEEEEE", rangemode="tozero")
    figure.update_layout(
        barmode="group",
        bargap=0.15,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    )
    return finish(figure, height=360, title=title)


def full_marks_chart(
    summary: pd.DataFrame,
    *,
    national_pct: float | None = None,
    national_year: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """% of pupils at full marks before and after, beside the national % for the year.

    Parameters
    ----------
    summary : DataFrame
        ``phase, n, pct_full_marks`` from ``evaluation.stats.pupils.pupil_summary`` (one row per
        phase).

    Examples
    --------
    >>> s = pd.DataFrame({"phase": ["pre", "post"], "n": [80, 78],
    ...                   "pct_full_marks": [20.0, 35.0]})
    >>> fig = full_marks_chart(s, national_pct=37.0, national_year="2024/25")
    >>> list(fig.data[0].y), fig.data[0].x.tolist()
    (['Before (pre)', 'After (post)'], [20.0, 35.0])
    """
    rows = summary.set_index(c.PHASE).reindex(
        [p for p in ("pre", "post") if p in set(summary[c.PHASE])]
    )
    labels = [PHASE_TITLES[p] for p in rows.index]
    values = rows["pct_full_marks"].astype(float).to_numpy()
    n = rows["n"].astype(float).to_numpy() if "n" in rows else np.full(len(rows), np.nan)
    figure = go.Figure(
        go.Bar(
            y=labels,
            x=values,
            orientation="h",
            marker={"color": [PHASE_COLOURS[p] for p in rows.index]},
            text=[f"{v:.0f}%" for v in values],
            textposition="outside",
            customdata=n,
            hovertemplate="%{x:.1f}% of %{customdata:.0f} pupils scored full marks<extra></extra>",
            showlegend=False,
        )
    )
    label = "National" + (f" {national_year}" if national_year else "")
    _national_line(figure, national_pct, f"{label}: {national_pct:.0f}%" if national_pct else "")
    figure.update_xaxes(
        title="% of pupils with full marks (25)", range=[0, 100], gridcolor="#EEEEEE"
    )
    figure.update_yaxes(autorange="reversed")
    return finish(figure, height=230, title=title)


def pupil_change_chart(
    change: pd.DataFrame, *, group: str = c.ACADEMIC_YEAR, title: str | None = None
) -> go.Figure:
    """Change in mean mark with its school-clustered 95% CI, and the mean after vs national.

    Parameters
    ----------
    change : DataFrame
        Rows of ``evaluation.stats.pupils.pupil_change`` with ``group`` as a column: ``n_paired,
        n_schools, mean_change, ci_low, ci_high, mean_post, national_mean``.
    group : str
        The column naming each row (default academic year).

    Examples
    --------
    >>> ch = pd.DataFrame({"academic_year": ["2023/24", "2024/25"], "n_paired": [300, 320],
    ...     "n_schools": [12, 13], "mean_change": [2.0, 2.5], "ci_low": [1.4, 1.9],
    ...     "ci_high": [2.6, 3.1], "mean_post": [20.1, 20.8], "national_mean": [20.6, 21.0]})
    >>> fig = pupil_change_chart(ch)
    >>> [t.name for t in fig.data]
    ['Change with 95% CI (allowing for schools)', 'Average mark after', 'National average']
    >>> [round(float(v), 1) for v in fig.data[0].error_x.array]
    [0.6, 0.6]
    """
    rows = change.reset_index(drop=True)
    labels = [
        f"{wrap(g, 30)} ({_n(n)} pupils, {_n(s)} schools)"
        for g, n, s in zip(
            rows[group].astype(str), rows.get("n_paired"), rows.get("n_schools"), strict=True
        )
    ]
    figure = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.05,
        subplot_titles=["Change in average mark", "Average mark after vs national"],
    )
    mean_change = rows["mean_change"].astype(float)
    figure.add_trace(
        go.Scatter(
            x=mean_change,
            y=labels,
            mode="markers",
            name="Change with 95% CI (allowing for schools)",
            marker={"color": palette.POST, "size": 13},
            error_x=error_bars(mean_change, rows["ci_low"], rows["ci_high"], color=palette.POST),
            hovertemplate="Change %{x:+.2f} marks<extra></extra>",
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Scatter(
            x=rows["mean_post"].astype(float),
            y=labels,
            mode="markers",
            name="Average mark after",
            marker={"color": palette.POST, "size": 13, "symbol": "circle"},
            hovertemplate="After: %{x:.1f} marks<extra></extra>",
        ),
        row=1,
        col=2,
    )
    national = rows["national_mean"].astype(float) if "national_mean" in rows else None
    figure.add_trace(
        go.Scatter(
            x=national if national is not None else [],
            y=labels if national is not None else [],
            mode="markers",
            name="National average",
            marker={
                "color": palette.NATIONAL,
                "size": 16,
                "symbol": "line-ns-open",
                "line": {"width": 3},
            },
            hovertemplate="National: %{x:.1f} marks<extra></extra>",
        ),
        row=1,
        col=2,
    )
    figure.add_vline(x=0, line={"color": "#444444", "width": 1, "dash": "dot"}, row=1, col=1)
    figure.update_xaxes(title="Marks (after minus before)", gridcolor="#EEEEEE", row=1, col=1)
    figure.update_xaxes(title="Marks out of 25", gridcolor="#EEEEEE", row=1, col=2)
    figure.update_yaxes(autorange="reversed", automargin=True)
    figure.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.25, "x": 0})
    return finish(figure, height=190 + 50 * max(len(rows), 1), title=title)


def _n(value: object) -> str:
    number = pd.to_numeric(value, errors="coerce")
    return "?" if pd.isna(number) else f"{int(number):,}"
