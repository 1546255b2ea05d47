"""Figures for the fair national comparison: forest, funnel, trend and NCP x outcome heatmap.

Pure plotly builders (data in, figure out) over tables from :mod:`evaluation.stats.national`; they
never compute statistics and never draw a number for a suppressed hub.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from evaluation import columns as c
from evaluation.instruments import Instrument
from evaluation.presentation.charts.layout import FONT, FONT_SIZE, reference_line, wrap
from evaluation.presentation.charts.palette import (
    ACCESSIBLE,
    GREY,
    NATIONAL,
    POOLED,
    SEQUENCE,
    SUPPRESSED,
    SYMBOLS,
    diverging,
)
from evaluation.presentation.readings import humanise
from evaluation.stats.disclosure import SUPPRESSED_SYMBOL
from evaluation.stats.national import EFFECT_LABELS, Effect, funnel_data
from evaluation.stats.pooling import RandomEffectsResult

_ROW_HEIGHT = 26
_LEGEND = {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left"}


def _title(text: str) -> dict:
    # Pinned to the top of the figure so the legend (just above the plot) never overlaps it.
    return {
        "text": text,
        "x": 0.01,
        "xanchor": "left",
        "y": 1.0,
        "yref": "container",
        "yanchor": "top",
        "pad": {"t": 14},
    }


def _pooled_dict(pooled: RandomEffectsResult | pd.Series | Mapping) -> dict:
    if isinstance(pooled, RandomEffectsResult):
        out = {f: getattr(pooled, f) for f in pooled.__dataclass_fields__}
        out.setdefault("k_suppressed", 0)
        return out
    return dict(pooled)


def _num(value: object) -> float:
    try:
        value = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")
    return value


def _int(value: object) -> int:
    number = _num(value)
    return int(number) if math.isfinite(number) else 0


def _fmt(value: float, digits: int = 2) -> str:
    return "–" if not math.isfinite(value) else f"{value:.{digits}f}"


def _describe(table: pd.DataFrame, column: str) -> str | None:
    if column in table and table[column].nunique() == 1:
        return str(table[column].iloc[0])
    return None


def _hidden_label(reason: object) -> str:
    text = str(reason) if isinstance(reason, str) and reason else "hidden"
    return f"{SUPPRESSED_SYMBOL} {text}"


def forest_plot(
    hub_table: pd.DataFrame,
    pooled: RandomEffectsResult | pd.Series | Mapping,
    *,
    effect: str = "d_z",
    title: str | None = None,
) -> go.Figure:
    """Forest plot: each hub's effect with its CI, the pooled diamond and prediction interval.

    Parameters
    ----------
    hub_table : DataFrame
        One NCP x outcome from :func:`evaluation.stats.national.hub_effects`.
    pooled : RandomEffectsResult or row of :func:`evaluation.stats.pooling.pooled_by`
        The pooled result for the same hubs.
    effect : {"d_z", "mean_change"}
        Which effect to draw.
    title : str, optional
        Plain-English title; a default names the outcome and NCP.

    Returns
    -------
    plotly.graph_objects.Figure
        Hubs sorted by effect (largest at the top), marker size by respondents, ``n`` in each
        label; suppressed hubs as labelled rows with ``[c]`` and no numbers; then the pooled
        diamond and the prediction-interval bar.

    Examples
    --------
    >>> t = pd.DataFrame({"hub": ["A", "B", "C"], "ncp": "P", "item": "confidence",
    ...     "n_paired": [30.0, 50.0, np.nan], "d_z": [0.4, 0.7, np.nan],
    ...     "d_z_ci_low": [0.03, 0.4, np.nan], "d_z_ci_high": [0.77, 1.0, np.nan],
    ...     "suppressed": [False, False, True],
    ...     "suppression_reason": [None, None, "fewer than 5 respondents"]})
    >>> pooled = {"estimate": 0.6, "ci_low": 0.35, "ci_high": 0.85, "pi_low": float("nan"),
    ...     "pi_high": float("nan"), "k": 2, "k_suppressed": 1, "method": "REML",
    ...     "n_respondents": 80, "tau2": 0.0, "i2": 0.0}
    >>> fig = forest_plot(t, pooled)
    >>> list(fig.layout.yaxis.ticktext)[:3]
    ['B (n = 50)', 'A (n = 30)', 'C [c]']
    """
    p = _pooled_dict(pooled)
    hidden_mask = hub_table["suppressed"].fillna(False).astype(bool)
    shown = hub_table[~hidden_mask].copy()
    shown = shown[np.isfinite(shown[effect].to_numpy(dtype=float, na_value=np.nan))]
    no_result = hub_table[~hidden_mask].drop(shown.index)
    shown = shown.sort_values(effect, ascending=False, kind="stable")
    hidden = hub_table[hidden_mask]

    labels: list[str] = []
    labels += [f"{h} (n = {int(n)})" for h, n in zip(shown[c.HUB], shown["n_paired"], strict=True)]
    labels += [f"{h} (no result)" for h in no_result[c.HUB]]
    labels += [f"{h} {SUPPRESSED_SYMBOL}" for h in hidden[c.HUB]]
    k, k_hidden = _int(p.get("k", 0)), _int(p.get("k_suppressed", 0))
    method = p.get("method", "REML")
    pooled_label = f"Pooled ({method}), {k} hub{'s' if k != 1 else ''}"
    n_resp = _num(p.get("n_respondents"))
    if k == 0:
        pooled_label = "Pooled: no hubs to pool"
    elif math.isfinite(n_resp):
        pooled_label += f", n = {int(n_resp)}"
    labels += [pooled_label, "Prediction interval"]
    rows = len(labels)
    ypos = list(range(rows - 1, -1, -1))
    y_of = dict(zip(range(rows), ypos, strict=True))

    est, lo_p, hi_p = _num(p.get("estimate")), _num(p.get("ci_low")), _num(p.get("ci_high"))
    pi_lo, pi_hi = _num(p.get("pi_low")), _num(p.get("pi_high"))
    x = shown[effect].to_numpy(dtype=float)
    lo = shown[f"{effect}_ci_low"].to_numpy(dtype=float)
    hi = shown[f"{effect}_ci_high"].to_numpy(dtype=float)
    finite = [v for v in [*lo, *hi, lo_p, hi_p, pi_lo, pi_hi, 0.0] if math.isfinite(v)]
    x_min, x_max = min(finite), max(finite)
    pad = 0.05 * (x_max - x_min or 1.0)
    x_range = [x_min - pad, x_max + pad]

    fig = go.Figure()
    reference_line(fig, x=0, line={"color": GREY, "width": 1})
    if len(shown):
        n = shown["n_paired"].to_numpy(dtype=float)
        sizes = (7 + 13 * np.sqrt(n / n.max())).round(1).tolist()
        hover = [
            f"{h}<br>{n_i:.0f} respondents<br>{EFFECT_LABELS[effect]}: {xi:.2f}"
            f"<br>95% CI {li:.2f} to {hi_i:.2f}"
            for h, n_i, xi, li, hi_i in zip(shown[c.HUB], n, x, lo, hi, strict=True)
        ]
        fig.add_trace(
            go.Scatter(
                x=x.tolist(),
                y=[y_of[i] for i in range(len(shown))],
                mode="markers",
                name="Hub (95% CI)",
                marker={"size": sizes, "color": SEQUENCE[0], "symbol": "square"},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": (hi - x).tolist(),
                    "arrayminus": (x - lo).tolist(),
                    "color": SEQUENCE[0],
                    "thickness": 1.5,
                    "width": 0,
                },
                hovertext=hover,
                hoverinfo="text",
            )
        )
    if len(hidden):
        start = len(shown) + len(no_result)
        fig.add_trace(
            go.Scatter(
                x=[x_range[0] + pad] * len(hidden),
                y=[y_of[start + i] for i in range(len(hidden))],
                mode="text",
                text=[_hidden_label(r) for r in hidden.get("suppression_reason", [None])],
                textposition="middle right",
                name=f"Hidden {SUPPRESSED_SYMBOL}",
                showlegend=False,
                hoverinfo="skip",
                marker={"color": SUPPRESSED},
            )
        )
    y_pool, y_pi = y_of[rows - 2], y_of[rows - 1]
    if math.isfinite(est):
        fig.add_trace(
            go.Scatter(
                x=[lo_p, est, hi_p, est, lo_p],
                y=[y_pool, y_pool + 0.35, y_pool, y_pool - 0.35, y_pool],
                fill="toself",
                mode="lines",
                line={"color": POOLED},
                fillcolor=POOLED,
                name="Pooled effect (95% CI)",
                hovertext=f"Pooled: {est:.2f} (95% CI {lo_p:.2f} to {hi_p:.2f})",
                hoverinfo="text",
            )
        )
        reference_line(fig, x=est, line={"color": POOLED, "width": 1, "dash": "dot"})
    if math.isfinite(pi_lo) and math.isfinite(pi_hi):
        fig.add_trace(
            go.Scatter(
                x=[pi_lo, pi_hi],
                y=[y_pi, y_pi],
                mode="lines+markers",
                line={"color": POOLED, "width": 3},
                marker={"symbol": "line-ns-open", "size": 12, "color": POOLED},
                name="95% prediction interval",
                hovertext=f"A new hub's effect would likely lie between {pi_lo:.2f} and "
                f"{pi_hi:.2f}",
                hoverinfo="text",
            )
        )
    else:
        fig.add_trace(
            go.Scatter(
                x=[x_range[0] + pad],
                y=[y_pi],
                mode="text",
                text=["needs at least 3 hubs"],
                textposition="middle right",
                showlegend=False,
                hoverinfo="skip",
            )
        )
    outcome, ncp = _describe(hub_table, c.ITEM), _describe(hub_table, c.NCP)
    default = "Change in each hub"
    if outcome:
        default = f"Change in {outcome.replace('_', ' ')} in each hub"
    if ncp:
        default += f": {ncp}"
    notes = []
    if k_hidden:
        notes.append(
            f"{SUPPRESSED_SYMBOL} {k_hidden} hub{'s' if k_hidden != 1 else ''} hidden to protect "
            "small groups; not included in the pooled effect."
        )
    tau2, i2 = _num(p.get("tau2")), _num(p.get("i2"))
    if math.isfinite(tau2):
        notes.append(f"Between-hub variation: tau² = {tau2:.3f}, I² = {_fmt(i2, 0)}%.")
    fig.update_layout(
        title=_title(title or default),
        font=FONT,
        height=max(320, 140 + _ROW_HEIGHT * rows),
        margin={"l": 10, "r": 20, "t": 90, "b": 70 + 18 * len(notes)},
        xaxis={"title": {"text": EFFECT_LABELS[effect]}, "range": x_range, "zeroline": False},
        yaxis={
            "tickmode": "array",
            "tickvals": ypos,
            "ticktext": labels,
            "range": [-0.7, rows - 0.3],
            "automargin": True,
            "showgrid": False,
        },
        legend=_LEGEND,
        plot_bgcolor="white",
        showlegend=True,
    )
    _add_notes(fig, notes)
    return fig


def _add_notes(fig: go.Figure, notes: list[str]) -> None:
    """Plain-English notes under the x-axis title, one per line (pixel offsets, any height)."""
    for i, text in enumerate(notes):
        fig.add_annotation(
            text=text,
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            yanchor="top",
            yshift=-58 - 18 * i,
            showarrow=False,
            xanchor="left",
            font={"size": FONT_SIZE},
        )


def funnel_plot(
    hub_table: pd.DataFrame,
    pooled: RandomEffectsResult | pd.Series | Mapping,
    *,
    effect: Effect = "d_z",
    title: str | None = None,
    overdispersion: bool = False,
) -> go.Figure:
    """Funnel plot: hub effect against respondents, with 95% and 99.8% control limits.

    Limits are drawn around the pooled effect (Spiegelhalter 2005; computed by
    :func:`evaluation.stats.national.funnel_data`); hubs outside the 95% limits are labelled and
    hover shows hub, n and effect. Suppressed hubs are not drawn; a note says how many.

    Examples
    --------
    >>> t = pd.DataFrame({"hub": ["A", "B", "C"], "n_paired": [20.0, 80.0, 40.0],
    ...     "d_z": [0.3, 0.5, 1.6], "d_z_se": [0.23, 0.12, 0.24], "sd_change": [1, 1, 1],
    ...     "suppressed": [False] * 3})
    >>> fig = funnel_plot(t, {"estimate": 0.5, "tau2": 0.0})
    >>> [tr.name for tr in fig.data][-1]
    'Outside 99.8% limits'
    """
    data = funnel_data(hub_table, pooled, effect=effect, overdispersion=overdispersion)
    lim = data.limits
    fig = go.Figure()
    grid = lim["n"].round(2).tolist()
    for low, high, dash, name in (
        ("low_998", "high_998", "dot", "99.8% limits"),
        ("low_95", "high_95", "dash", "95% limits"),
    ):
        for col, show in ((low, True), (high, False)):
            fig.add_trace(
                go.Scatter(
                    x=grid,
                    y=lim[col].round(4).tolist(),
                    mode="lines",
                    line={"color": GREY if "998" in name else POOLED, "dash": dash, "width": 1},
                    name=name,
                    legendgroup=name,
                    showlegend=show,
                    hoverinfo="skip",
                )
            )
    if math.isfinite(data.target):
        fig.add_trace(
            go.Scatter(
                x=[grid[0], grid[-1]],
                y=[data.target, data.target],
                mode="lines",
                line={"color": POOLED, "width": 1.5},
                name=f"Pooled effect ({data.target:.2f})",
                hoverinfo="skip",
            )
        )
    styles = {
        "within": ("Within limits", SEQUENCE[0], "markers", "circle"),
        "outside 95%": ("Outside 95% limits", ACCESSIBLE["orange"], "markers+text", "diamond"),
        "outside 99.8%": ("Outside 99.8% limits", ACCESSIBLE["vermillion"], "markers+text", "x"),
    }
    for band, (name, colour, mode, symbol) in styles.items():
        pts = data.points[data.points["band"].eq(band)]
        if pts.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=pts["n"].tolist(),
                y=pts["effect"].round(4).tolist(),
                mode=mode,
                text=pts[c.HUB].tolist() if "text" in mode else None,
                textposition=[
                    "top center" if e >= data.target else "bottom center" for e in pts["effect"]
                ],
                marker={
                    "size": 9,
                    "color": colour,
                    "symbol": symbol,
                    "line": {"color": "white", "width": 1},
                },
                name=name,
                hovertext=[
                    f"{h}<br>{n:.0f} respondents<br>{EFFECT_LABELS[effect]}: {e:.2f}"
                    for h, n, e in zip(pts[c.HUB], pts["n"], pts["effect"], strict=True)
                ],
                hoverinfo="text",
            )
        )
    outcome, ncp = _describe(hub_table, c.ITEM), _describe(hub_table, c.NCP)
    default = "Which hubs differ by more than chance?"
    if outcome and ncp:
        default = f"Which hubs differ by more than chance? {outcome.replace('_', ' ')}, {ncp}"
    if data.hidden:
        k = len(data.hidden)
        _add_notes(
            fig,
            [
                f"{SUPPRESSED_SYMBOL} {k} hub{'s' if k != 1 else ''} not shown: results hidden "
                "to protect small groups."
            ],
        )
    fig.update_layout(
        title=_title(title or default),
        font=FONT,
        height=480,
        margin={"l": 10, "r": 20, "t": 90, "b": 90},
        xaxis={"title": {"text": "Respondents with a pre and post answer"}, "automargin": True},
        yaxis={"title": {"text": EFFECT_LABELS[effect]}, "automargin": True},
        plot_bgcolor="white",
        legend=_LEGEND,
    )
    return fig


def trend_plot(
    by_year_table: pd.DataFrame,
    *,
    national: pd.DataFrame | bool = True,
    title: str | None = None,
    effect: str = "d_z",
) -> go.Figure:
    """An outcome by academic year with 95% CIs, and the national line.

    Parameters
    ----------
    by_year_table : DataFrame
        Output of :func:`evaluation.stats.national.trends` (``academic_year, series, level,
        estimate, ci_low, ci_high, n, suppressed, suppression_reason``).
    national : DataFrame or bool
        True draws the table's ``level == "national"`` rows as the national line; a frame
        supplies them; False leaves the line out.
    title : str, optional
        Plain-English title.
    effect : {"d_z", "mean_change"}
        Axis label only.

    Examples
    --------
    >>> t = pd.DataFrame({"academic_year": ["2023/24", "2023/24", "2024/25", "2024/25"],
    ...     "series": ["A", "National", "A", "National"],
    ...     "level": ["hub", "national", "hub", "national"],
    ...     "estimate": [0.5, 0.4, np.nan, 0.45], "ci_low": [0.2, 0.3, np.nan, 0.35],
    ...     "ci_high": [0.8, 0.5, np.nan, 0.55], "n": [40.0, 300.0, np.nan, 320.0],
    ...     "suppressed": [False, False, True, False],
    ...     "suppression_reason": [None, None, "fewer than 5 respondents", None]})
    >>> [tr.name for tr in trend_plot(t).data]
    ['A', 'National']
    """
    table = by_year_table
    if isinstance(national, pd.DataFrame):
        lines = table[table["level"].ne("national")]
        nat = national
    else:
        lines = table[table["level"].ne("national")]
        nat = table[table["level"].eq("national")] if national else table.iloc[0:0]
    years = sorted(pd.concat([lines[c.ACADEMIC_YEAR], nat[c.ACADEMIC_YEAR]]).unique().tolist())
    fig = go.Figure()
    notes: list[str] = []
    groups = [(name, g, False) for name, g in lines.groupby("series", sort=False)]
    if len(nat):
        groups.append((NATIONAL_NAME, nat, True))
    for i, (name, rows, is_national) in enumerate(groups):
        rows = rows.set_index(c.ACADEMIC_YEAR).reindex(years)
        hidden = rows["suppressed"].fillna(False).astype(bool)
        est = rows["estimate"].where(~hidden)
        lo, hi = rows["ci_low"].where(~hidden), rows["ci_high"].where(~hidden)
        colour = NATIONAL if is_national else SEQUENCE[i % len(SEQUENCE)]
        hover = [
            f"{name}, {y}<br>{EFFECT_LABELS[effect]}: {e:.2f} (95% CI {a:.2f} to {b:.2f})"
            f"<br>{n_i:.0f} respondents"
            if math.isfinite(e)
            else f"{name}, {y}: {SUPPRESSED_SYMBOL if h else 'no result'}"
            for y, e, a, b, n_i, h in zip(
                years, est, lo, hi, rows["n"].where(~hidden), hidden, strict=True
            )
        ]
        fig.add_trace(  # a dict is validated once; a go.Scatter would be validated twice
            dict(
                type="scatter",
                x=years,
                y=[None if not math.isfinite(v) else round(v, 4) for v in est],
                mode="lines+markers",
                name=str(name),
                line={"color": colour, "dash": "dash" if is_national else "solid"},
                marker={
                    "size": 8,
                    "color": colour,
                    "symbol": "diamond-open" if is_national else SYMBOLS[i % len(SYMBOLS)],
                },
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [None if not math.isfinite(v) else round(v, 4) for v in hi - est],
                    "arrayminus": [None if not math.isfinite(v) else round(v, 4) for v in est - lo],
                    "color": colour,
                },
                hovertext=hover,
                hoverinfo="text",
                connectgaps=False,
            )
        )
        for y, h, r in zip(years, hidden, rows["suppression_reason"], strict=True):
            if h:
                notes.append(f"{SUPPRESSED_SYMBOL} {name}, {y}: {r or 'hidden'}")
    reference_line(fig, y=0, line={"color": GREY, "width": 1})
    _add_notes(fig, notes)
    series = ", ".join(str(s) for s in lines["series"].unique())
    fig.update_layout(
        title=_title(title or f"Change by academic year: {series}"),
        font=FONT,
        height=420 + 20 * len(notes),
        margin={"l": 10, "r": 20, "t": 90, "b": 70 + 18 * len(notes)},
        xaxis={"title": {"text": "Academic year"}, "type": "category"},
        yaxis={"title": {"text": EFFECT_LABELS[effect]}, "automargin": True},
        plot_bgcolor="white",
        legend=_LEGEND,
    )
    return fig


NATIONAL_NAME = "National"


def _outcome_names(items: list[str], instrument: Instrument | None) -> list[str]:
    # Two outcomes that read the same keep their ids, so the heatmap never merges their columns.
    names = [humanise(item, instrument) for item in items]
    repeated = {name for name in names if names.count(name) > 1}
    return [
        f"{name} ({item})" if name in repeated else name
        for name, item in zip(names, items, strict=True)
    ]


def overview_heatmap(
    overview: pd.DataFrame, *, title: str | None = None, instrument: Instrument | None = None
) -> go.Figure:
    """Heatmap of the pooled effect by NCP (rows) and outcome (columns).

    Colour is the pooled effect on a diverging scale centred on 0 (no change); each cell shows
    the estimate and the number of hubs pooled; empty cells had no hub to pool.

    Parameters
    ----------
    overview : DataFrame
        One year of :func:`evaluation.stats.national.cross_ncp_overview`: one row per ``ncp`` x
        ``item`` with ``estimate, ci_low, ci_high, k, n_respondents`` (``k_suppressed``
        optional).
    title : str, optional
        Plain-English title; a default says what the colours show.
    instrument : Instrument, optional
        Gives the question text of item outcomes; construct names (``subject_knowledge``) and
        items it does not know are shown as words ("Subject knowledge").

    Returns
    -------
    plotly.graph_objects.Figure
        One heatmap trace: ``y`` the NCPs, ``x`` the readable outcome names (long names are
        wrapped in the axis labels only).

    Examples
    --------
    >>> ov = pd.DataFrame({"ncp": ["P", "P", "Q"], "item": ["confidence", "subject_knowledge",
    ...     "confidence"], "estimate": [0.5, 0.2, -0.1], "ci_low": [0.3, 0.0, -0.4],
    ...     "ci_high": [0.7, 0.4, 0.2], "k": [10, 9, 4], "k_suppressed": [1, 0, 2],
    ...     "n_respondents": [300, 280, 60]})
    >>> fig = overview_heatmap(ov)
    >>> list(fig.data[0].y), list(fig.data[0].x)
    (['Q', 'P'], ['Confidence', 'Subject knowledge'])
    """
    if overview.duplicated([c.NCP, c.ITEM]).any():
        raise ValueError("the overview needs one row per NCP and outcome (filter to one year)")
    ncps = sorted(overview[c.NCP].unique().tolist(), reverse=True)
    items = list(dict.fromkeys(overview[c.ITEM].tolist()))
    readable = _outcome_names(items, instrument)
    # Question text is user text and plotly renders a little HTML, so it is escaped.
    names = [html.escape(name, quote=False) for name in readable]
    cells = overview.set_index([c.NCP, c.ITEM])
    z, text, hover = [], [], []
    for ncp in ncps:
        z_row: list[float | None] = []
        t_row: list[str] = []
        h_row: list[str] = []
        for item, name in zip(items, names, strict=True):
            if (ncp, item) in cells.index:
                row = cells.loc[(ncp, item)]
                est = _num(row["estimate"])
                k = _int(row["k"])
                k_hidden = _int(row.get("k_suppressed", 0))
            else:
                est, k, k_hidden, row = float("nan"), 0, 0, None
            if math.isfinite(est) and row is not None:
                z_row.append(round(est, 4))
                t_row.append(f"{est:.2f}<br>k={k}")
                n_resp = _num(row.get("n_respondents"))
                h_row.append(
                    f"{ncp}<br>{name}: {est:.2f} (95% CI {_num(row['ci_low']):.2f} to "
                    f"{_num(row['ci_high']):.2f})<br>{k} hubs"
                    + (f", {int(n_resp)} respondents" if math.isfinite(n_resp) else "")
                    + (f"<br>{k_hidden} hubs hidden {SUPPRESSED_SYMBOL}" if k_hidden else "")
                )
            elif k_hidden:
                z_row.append(None)
                t_row.append(SUPPRESSED_SYMBOL)
                h_row.append(f"{ncp}<br>{name}: {SUPPRESSED_SYMBOL} every hub hidden (too few)")
            else:
                z_row.append(None)
                t_row.append("–")
                h_row.append(f"{ncp}<br>{name}: no hubs to pool")
        z.append(z_row)
        text.append(t_row)
        hover.append(h_row)
    finite = [abs(v) for r in z for v in r if v is not None]
    bound = max(finite) if finite else 1.0
    colours = diverging(7)
    scale = [[i / (len(colours) - 1), colour] for i, colour in enumerate(colours)]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=names,
            y=ncps,
            text=text,
            texttemplate="%{text}",
            hovertext=hover,
            hoverinfo="text",
            colorscale=scale,
            zmid=0,
            zmin=-bound,
            zmax=bound,
            colorbar={"title": {"text": "Pooled<br>effect"}},
            xgap=2,
            ygap=2,
        )
    )
    fig.update_layout(
        title=_title(title or "Pooled change by project and outcome"),
        font=FONT,
        height=max(360, 120 + 34 * len(ncps)),
        margin={"l": 10, "r": 10, "t": 100, "b": 40},
        xaxis={
            "side": "top",
            "automargin": True,
            "tickmode": "array",
            "tickvals": names,
            "ticktext": [wrap(name, 18) for name in readable],
        },
        yaxis={"automargin": True},
        plot_bgcolor="white",
    )
    return fig
