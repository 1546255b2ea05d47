"""Plotly figures for teacher surveys: Likert bars, item dumbbells, change histograms, constructs.

Pure builders: tidy data in, figure out. Colours come from
:mod:`evaluation.presentation.charts.palette`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from evaluation import columns as c
from evaluation.analysis.survey import construct_changes, item_means, net_agreement
from evaluation.instruments import Instrument
from evaluation.presentation.charts import palette
from evaluation.presentation.charts.layout import error_bars, finish, reference_line, wrap
from evaluation.presentation.readings.words import outcome_name as construct_label

__all__ = [
    "PHASE_TITLES",
    "attrition_chart",
    "change_histogram",
    "construct_change_chart",
    "construct_label",
    "item_dumbbell",
    "item_label",
    "label_sets",
    "likert_bars",
    "participation_chart",
]

PHASE_TITLES = {"pre": "Before (pre)", "post": "After (post)"}


def item_label(instrument: Instrument, item_id: str, width: int = 42) -> str:
    """The axis label of an item: its question text, wrapped, marked when reverse-coded."""
    try:
        item = instrument.item(item_id)
    except KeyError:
        return wrap(item_id, width)
    text = wrap(item.text, width)
    return f"{text} <i>(reversed)</i>" if item.reverse else text


def label_sets(instrument: Instrument) -> tuple[str, ...]:
    """The answer-label sets the instrument uses, in order (one Likert chart each).

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> label_sets(default_instrument())
    ('agreement', 'frequency')
    """
    return tuple(dict.fromkeys(item.label_set for item in instrument.items))


def likert_bars(
    distribution: pd.DataFrame,
    instrument: Instrument,
    *,
    label_set: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Diverging stacked bars, centred on the neutral answer, pre and post side by side.

    Items are sorted by net agreement after the programme (most agreement at the top), as
    Heiberger and Robbins (2014) recommend; the neutral answer is split across the centre line.

    Parameters
    ----------
    distribution : DataFrame
        From :func:`evaluation.analysis.survey.likert_distribution`.
    instrument : Instrument
        Scale and labels.
    label_set : str, optional
        Draw only the items using this label set (one legend per chart); default the first.
    title : str, optional
        Figure title.

    References
    ----------
    Heiberger, R. M. and Robbins, N. B. (2014). Design of diverging stacked bar charts for
    Likert scales and other applications. Journal of Statistical Software 57(5).

    Examples
    --------
    >>> from evaluation.analysis.survey import likert_distribution
    >>> from evaluation.instruments import default_instrument
    >>> long = pd.DataFrame({"phase": ["pre", "post"], "item": ["conf_1"] * 2,
    ...                      "score": [2.0, 4.0]})
    >>> inst = default_instrument()
    >>> fig = likert_bars(likert_distribution(long, inst), inst)
    >>> len(fig.data)  # 2 phases x (5 points + the neutral's second half)
    12
    """
    scores = list(range(instrument.scale_min, instrument.scale_max + 1))
    if label_set is None and len(distribution):
        label_set = str(distribution["label_set"].iloc[0])
    data = distribution[distribution["label_set"] == label_set] if label_set else distribution
    phases = [p for p in ("pre", "post") if p in set(data[c.PHASE])]
    colours = palette.diverging(len(scores))
    middle = (instrument.scale_min + instrument.scale_max) / 2

    net = net_agreement(data, instrument)
    order_phase = "post" if "post" in phases else (phases[0] if phases else "pre")
    order = (
        net[net[c.PHASE] == order_phase]
        .sort_values("net_agreement", kind="stable")[c.ITEM]
        .tolist()
    )
    labels = [item_label(instrument, i) for i in order]
    point_labels = instrument.point_labels(label_set) if label_set else tuple(map(str, scores))

    figure = make_subplots(
        rows=1,
        cols=max(len(phases), 1),
        shared_yaxes=True,
        horizontal_spacing=0.06,
        subplot_titles=[PHASE_TITLES[p] for p in phases] or [""],
    )
    # Traces stack outwards from zero in the order added: neutral halves first, then each side
    # from the point nearest neutral to the extreme.
    near_to_far = sorted(scores, key=lambda s: (abs(s - middle), s))
    for col, phase in enumerate(phases, start=1):
        rows = data[data[c.PHASE] == phase]
        # (item, score) -> share and count: one answer option of one question in this phase.
        pct = dict(zip(zip(rows[c.ITEM], rows[c.SCORE], strict=True), rows["pct"], strict=True))
        n = dict(zip(zip(rows[c.ITEM], rows[c.SCORE], strict=True), rows["n"], strict=True))
        if len(pct) != len(rows):
            raise ValueError("likert_bars needs one row per item, phase and answer")
        # Traces as plain dicts, added in one call: plotly validates each once, not twice.
        traces: list[dict] = []
        for score in near_to_far:
            share = np.array([pct.get((i, score), 0.0) for i in order], dtype=float)
            counts = [int(n.get((i, score), 0)) for i in order]
            colour = colours[score - instrument.scale_min]
            name = point_labels[score - instrument.scale_min]
            if score == middle:
                halves = [(-share / 2, True), (share / 2, False)]
            else:
                halves = [(-share if score < middle else share, True)]
            # Colour is not the only cue: disagreeing answers are hatched (the most negative
            # cross-hatched), neutral ones dotted.
            pattern = "/" if score < middle else ("." if score == middle else "")
            if score == instrument.scale_min and score < middle:
                pattern = "x"
            for x, first in halves:
                traces.append(
                    {
                        "type": "bar",
                        "x": x,
                        "y": labels,
                        "orientation": "h",
                        "name": html.escape(name),
                        "legendgroup": str(score),
                        "legendrank": score,
                        "showlegend": col == 1 and first,
                        "marker": {
                            "color": colour,
                            "line": {"width": 0},
                            "pattern": palette.bar_pattern(pattern),
                        },
                        "customdata": np.column_stack([share, counts]) if len(order) else None,
                        "hovertemplate": (
                            f"{html.escape(name)}: %{{customdata[0]:.0f}}% "
                            "(%{customdata[1]:.0f} answers)<extra></extra>"
                        ),
                    }
                )
        figure.add_traces(traces, rows=1, cols=col)
        # The same as update_xaxes(row=1, col=col), without looking the axis up in the grid.
        figure.layout["xaxis" if col == 1 else f"xaxis{col}"].update(
            range=[-100, 100],
            tickvals=[-50, 0, 50],
            ticktext=["50%", "0", "50%"],
            zeroline=True,
            zerolinecolor="#444444",
            zerolinewidth=1,
            gridcolor="#EEEEEE",
        )
    figure.update_yaxes(automargin=True)
    figure.update_layout(
        barmode="relative",
        bargap=0.3,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.08, "x": 0, "title": None},
    )
    return finish(figure, height=140 + 48 * max(len(order), 1), title=title)


def item_dumbbell(results: pd.DataFrame, instrument: Instrument, *, title: str | None = None):
    """Mean answer per item before and after, joined by a line (a dumbbell chart).

    Parameters
    ----------
    results : DataFrame
        A comparison table (``evaluation.stats.comparisons.compare``) with ``item, mean_pre,
        mean_post``; one row per item (construct rows are ignored).

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> res = pd.DataFrame({"item": ["conf_1", "conf_2"], "mean_pre": [2.5, 3.0],
    ...                     "mean_post": [3.5, 3.2], "mean_change": [1.0, 0.2]})
    >>> [t.name for t in item_dumbbell(res, default_instrument()).data]
    ['change', 'Before (pre)', 'After (post)']
    """
    table = item_means(results, instrument).sort_values("mean_post", kind="stable")
    labels = [item_label(instrument, i) for i in table[c.ITEM]]
    xs: list[float | None] = []
    ys: list[str | None] = []
    for label, low, high in zip(labels, table["mean_pre"], table["mean_post"], strict=True):
        xs += [low, high, None]
        ys += [label, label, None]
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            line={"color": palette.GREY, "width": 4},
            name="change",
            showlegend=False,
            hoverinfo="skip",
        )
    )
    for phase, column, colour, symbol in (
        ("pre", "mean_pre", palette.PRE, "circle-open"),
        ("post", "mean_post", palette.POST, "circle"),
    ):
        figure.add_trace(
            go.Scatter(
                x=table[column],
                y=labels,
                mode="markers",
                name=PHASE_TITLES[phase],
                marker={"color": colour, "size": 13, "symbol": symbol, "line": {"width": 2.5}},
                hovertemplate=f"{PHASE_TITLES[phase]}: mean %{{x:.2f}}<extra></extra>",
            )
        )
    figure.update_xaxes(
        range=[instrument.scale_min - 0.2, instrument.scale_max + 0.2],
        dtick=1,
        title=f"Mean answer ({instrument.scale_min} = lowest, {instrument.scale_max} = highest)",
        gridcolor="#EEEEEE",
    )
    figure.update_yaxes(automargin=True)
    figure.update_layout(legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0})
    return finish(figure, height=120 + 44 * max(len(table), 1), title=title)


def construct_change_chart(
    results: pd.DataFrame, instrument: Instrument, *, title: str | None = None
) -> go.Figure:
    """Mean change per construct score with its 95% confidence interval, against no change.

    Parameters
    ----------
    results : DataFrame
        A comparison table with ``item`` (construct names), ``mean_change, ci_low, ci_high``
        and, when present, ``n_paired, g_av, design`` for the hover text.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> res = pd.DataFrame({"item": ["confidence"], "mean_change": [0.5], "ci_low": [0.2],
    ...                     "ci_high": [0.8], "n_paired": [20], "g_av": [0.6]})
    >>> fig = construct_change_chart(res, default_instrument())
    >>> [round(float(v), 2) for v in fig.data[0].error_x.array]
    [0.3]
    """
    table = construct_changes(results, instrument).iloc[::-1]
    labels = [construct_label(str(name)) for name in table[c.ITEM]]
    change = table["mean_change"].astype(float)
    n = table["n_paired"] if "n_paired" in table else pd.Series(np.nan, index=table.index)
    g = table["g_av"] if "g_av" in table else pd.Series(np.nan, index=table.index)
    figure = go.Figure(
        go.Scatter(
            x=change,
            y=labels,
            mode="markers",
            name="Mean change with 95% CI",
            marker={"color": palette.POST, "size": 14},
            error_x=error_bars(
                change, table["ci_low"], table["ci_high"], color=palette.POST, width=8
            ),
            customdata=np.column_stack(
                [table["ci_low"], table["ci_high"], n.astype(float), g.astype(float)]
            ),
            hovertemplate=(
                "Change %{x:.2f} (95% CI %{customdata[0]:.2f} to %{customdata[1]:.2f})<br>"
                "%{customdata[2]:.0f} matched people · g = %{customdata[3]:.2f}<extra></extra>"
            ),
        )
    )
    reference_line(figure, x=0, line={"color": "#444444", "width": 1, "dash": "dot"})
    ends = pd.concat([table["ci_low"], table["ci_high"]]).astype(float)
    # Always show no change (0); otherwise fit the intervals, so small changes stay readable.
    low = min(0.0, float(np.nanmin(ends)) if ends.notna().any() else -0.5)
    high = max(0.0, float(np.nanmax(ends)) if ends.notna().any() else 0.5)
    pad = max(0.1 * (high - low), 0.05)
    figure.update_xaxes(
        range=[low - pad, high + pad],
        title=f"Change in score, after minus before ({instrument.scale_min}-"
        f"{instrument.scale_max} scale)",
        zeroline=False,
        gridcolor="#EEEEEE",
    )
    figure.update_yaxes(automargin=True)
    figure.update_layout(showlegend=False)
    return finish(figure, height=110 + 60 * max(len(table), 1), title=title)


def change_histogram(
    change: pd.Series | Sequence[float], *, label: str = "score", title: str | None = None
) -> go.Figure:
    """How many people's scores fell, stayed the same or rose, and by how much.

    Parameters
    ----------
    change : Series or sequence of float
        One value per matched person: after minus before.
    label : str
        What changed, for the axis title (e.g. "confidence score").

    Examples
    --------
    >>> fig = change_histogram([-1.0, 0.0, 0.5, 1.0, 1.0])
    >>> [t.name for t in fig.data]
    ['Declined', 'Same', 'Improved']
    >>> [int(sum(t.y)) for t in fig.data]
    [1, 1, 3]
    """
    values = pd.Series(change, dtype="float64").dropna().round(2)
    counts = values.value_counts().sort_index()
    figure = go.Figure()
    for name, mask, colour, pattern in (
        ("Declined", counts.index < 0, palette.ACCESSIBLE["vermillion"], "/"),
        ("Same", counts.index == 0, palette.GREY, "."),
        ("Improved", counts.index > 0, palette.POST, ""),
    ):
        part = counts[mask]
        figure.add_trace(
            go.Bar(
                x=part.index.to_numpy(),
                y=part.to_numpy(),
                name=name,
                marker={"color": colour, "pattern": palette.bar_pattern(pattern)},
                hovertemplate="change %{x:+.2f}: %{y} people<extra>" + name + "</extra>",
            )
        )
    steps = np.diff(counts.index.to_numpy()) if len(counts) > 1 else np.array([1.0])
    width = float(np.min(steps)) if len(steps) else 1.0
    figure.update_traces(width=width * 0.85)
    reference_line(figure, x=0, line={"color": "#444444", "width": 1, "dash": "dot"})
    figure.update_xaxes(title=f"Change in {label} (after minus before)", gridcolor="#EEEEEE")
    figure.update_yaxes(
        title="People", gridcolor="#EEEEEE", rangemode="tozero", tickformat="d", automargin=True
    )
    figure.update_layout(
        bargap=0.05, legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0}
    )
    return finish(figure, height=340, title=title)


def _count(value: object) -> int:
    number = pd.to_numeric(value, errors="coerce")
    return 0 if pd.isna(number) else int(number)


def attrition_chart(
    counts: pd.DataFrame | dict[str, float], *, title: str | None = None
) -> go.Figure:
    """Who answered before, after, and both: the attrition panel.

    Parameters
    ----------
    counts : DataFrame (first row used) or mapping
        ``n_pre`` (answered before), ``n_post`` (answered after) and ``n_completers`` (answered
        both, matched by their code; ``n_paired`` is accepted too), as in
        ``evaluation.stats.attrition.attrition``. Other columns are ignored.

    Examples
    --------
    >>> fig = attrition_chart({"n_pre": 30, "n_post": 24, "n_completers": 20})
    >>> [(t.name, list(t.x)) for t in fig.data]  # doctest: +NORMALIZE_WHITESPACE
    [('Matched: answered both', [20, 20]), ('Before only: no answer after', [10, 0]),
     ('After only: no answer before', [0, 4])]
    """
    row = counts.iloc[0].to_dict() if isinstance(counts, pd.DataFrame) else dict(counts)
    matched = "n_completers" if "n_completers" in row else "n_paired"
    n_pre, n_post, n_paired = (_count(row.get(k)) for k in ("n_pre", "n_post", matched))
    bars = ["Answered before", "Answered after"]
    figure = go.Figure()
    for name, values, colour, pattern in (
        ("Matched: answered both", [n_paired, n_paired], palette.POST, ""),
        ("Before only: no answer after", [n_pre - n_paired, 0], palette.PRE, "/"),
        ("After only: no answer before", [0, n_post - n_paired], palette.GREY, "."),
    ):
        figure.add_trace(
            go.Bar(
                y=bars,
                x=values,
                orientation="h",
                name=name,
                marker={"color": colour, "pattern": palette.bar_pattern(pattern)},
                text=[v if v else "" for v in values],
                textposition="inside",
                hovertemplate="%{x} people<extra>" + html.escape(name) + "</extra>",
            )
        )
    figure.update_layout(
        barmode="stack",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "traceorder": "normal"},
    )
    figure.update_xaxes(title="People", gridcolor="#EEEEEE", rangemode="tozero")
    figure.update_yaxes(autorange="reversed", automargin=True)
    return finish(figure, height=250, title=title)


def participation_chart(table: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Participants per project, stacked by academic year; hidden counts listed as ``[c]``.

    Parameters
    ----------
    table : DataFrame
        ``academic_year, ncp, participants`` and optionally ``schools, work_groups,
        suppressed`` (suppressed rows have blank counts: they add nothing to a bar and their
        project is labelled ``[c]``).

    Examples
    --------
    >>> t = pd.DataFrame({"academic_year": ["2024/25", "2024/25"], "ncp": ["P", "Q"],
    ...     "participants": [40.0, None], "schools": [12.0, None], "work_groups": [3.0, None],
    ...     "suppressed": [False, True]})
    >>> fig = participation_chart(t)
    >>> list(fig.data[0].y), fig.data[0].x.tolist()
    (['P', 'Q [c]'], [40.0, 0.0])
    """
    years = sorted(table[c.ACADEMIC_YEAR].dropna().unique())
    ncps = sorted(table[c.NCP].dropna().unique())
    hidden = (
        table["suppressed"].fillna(False).astype(bool)
        if "suppressed" in table
        else pd.Series(False, index=table.index)
    )
    hidden_ncps = set(table.loc[hidden, c.NCP])
    labels = [f"{wrap(n, 40)} [c]" if n in hidden_ncps else wrap(n, 40) for n in ncps]
    figure = go.Figure()
    for k, year in enumerate(years):
        rows = table[table[c.ACADEMIC_YEAR].eq(year)].set_index(c.NCP).reindex(ncps)
        people = pd.to_numeric(rows["participants"], errors="coerce")
        schools = pd.to_numeric(rows.get("schools", people * np.nan), errors="coerce")
        groups = pd.to_numeric(rows.get("work_groups", people * np.nan), errors="coerce")
        figure.add_trace(
            go.Bar(
                y=labels,
                x=people.fillna(0).to_numpy(dtype=float),
                orientation="h",
                name=str(year),
                showlegend=True,
                marker={
                    "color": palette.SEQUENCE[k % len(palette.SEQUENCE)],
                    "pattern": palette.bar_pattern(palette.PATTERNS[k % len(palette.PATTERNS)]),
                },
                text=["" if np.isnan(v) else f"{v:.0f}" for v in people],
                textposition="inside",
                insidetextanchor="middle",
                customdata=np.column_stack([schools.to_numpy(), groups.to_numpy()]),
                hovertemplate=(
                    f"{html.escape(str(year))}: %{{x:.0f}} participants, "
                    "%{customdata[0]:.0f} schools, %{customdata[1]:.0f} Work Groups"
                    "<extra></extra>"
                ),
            )
        )
    figure.update_layout(
        barmode="stack",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "traceorder": "normal"},
    )
    figure.update_xaxes(title="Participants", gridcolor="#EEEEEE", rangemode="tozero")
    figure.update_yaxes(autorange="reversed", automargin=True)
    return finish(figure, height=130 + 34 * max(len(ncps), 1), title=title)
