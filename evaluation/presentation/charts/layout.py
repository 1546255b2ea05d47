"""The one layout of every chart: font, wrapped labels, CI error bars, the shared finish.

One look for every chart a lead, board or national team sees, on the dashboard and in the board
pack, written once (pure helpers, no data). :data:`FONT_FAMILY` and :data:`FONT_SIZE` are the
only font settings; the board pack's page text uses the same family.
"""

from __future__ import annotations

import html
import textwrap

import pandas as pd
import plotly.graph_objects as go

__all__ = ["FONT", "FONT_FAMILY", "FONT_SIZE", "error_bars", "finish", "reference_line", "wrap"]

# The one font of every chart and of the board pack (CSS font-family syntax).
FONT_FAMILY = "Source Sans Pro, Arial, sans-serif"
FONT_SIZE = 13
FONT = {"family": FONT_FAMILY, "size": FONT_SIZE}


def wrap(text: str, width: int = 42) -> str:
    """Escape user text for plotly (which renders a little HTML) and wrap it with ``<br>``.

    Examples
    --------
    >>> wrap("I can explain <why> a method works", 16)
    'I can explain<br>&lt;why&gt; a method<br>works'
    """
    return "<br>".join(html.escape(line) for line in textwrap.wrap(str(text), width) or [""])


def finish(figure: go.Figure, *, height: int, title: str | None = None) -> go.Figure:
    """Give ``figure`` the shared look: font, white background, margins that fit long labels.

    Examples
    --------
    >>> fig = finish(go.Figure(), height=300, title="Before & after")
    >>> fig.layout.height, fig.layout.title.text
    (300, 'Before &amp; after')
    """
    figure.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 70 if title else 40, "b": 40},
        font=FONT,
        plot_bgcolor="white",
        paper_bgcolor="white",
        title={"text": html.escape(title), "x": 0, "xanchor": "left"} if title else None,
        hoverlabel={"font_size": FONT_SIZE},
    )
    # Long question texts and axis titles must push the plot over, never be cut off.
    figure.update_xaxes(automargin=True)
    figure.update_yaxes(automargin=True)
    return figure


def reference_line(
    figure: go.Figure, *, line: dict, x: float | None = None, y: float | None = None
) -> go.Figure:
    """A line across a one-panel figure: full height at ``x``, or full width at ``y``.

    The same shape as plotly's ``add_vline`` / ``add_hline`` on a figure without subplots,
    added directly: plotly's versions first search the subplot grid, which costs more than
    the rest of a small chart.

    Parameters
    ----------
    figure : plotly Figure
        A figure without subplots (drawn on axes ``x`` and ``y``); changed in place.
    line : dict
        The line's style (``color``, ``width``, ``dash``).
    x, y : float, optional
        Exactly one: where the vertical (``x``) or horizontal (``y``) line crosses its axis.

    Returns
    -------
    plotly Figure
        ``figure``.

    Examples
    --------
    >>> fig = reference_line(go.Figure(), x=0, line={"color": "#444444", "width": 1})
    >>> fig.layout.shapes[0].xref, fig.layout.shapes[0].yref
    ('x', 'y domain')
    """
    if (x is None) == (y is None):
        raise ValueError("give x (a vertical line) or y (a horizontal line)")
    if x is not None:
        return figure.add_shape(
            type="line", x0=x, x1=x, xref="x", y0=0, y1=1, yref="y domain", line=line
        )
    return figure.add_shape(
        type="line", x0=0, x1=1, xref="x domain", y0=y, y1=y, yref="y", line=line
    )


def error_bars(
    estimate: pd.Series,
    low: pd.Series,
    high: pd.Series,
    *,
    color: str,
    thickness: float = 2.5,
    width: float | None = None,
) -> dict:
    """A scatter trace's ``error_x`` for a confidence interval that need not be symmetric.

    Examples
    --------
    >>> bars = error_bars(pd.Series([0.5]), pd.Series([0.2]), pd.Series([1.0]), color="#000")
    >>> bars["array"].tolist(), bars["arrayminus"].tolist()
    ([0.5], [0.3])
    """
    bars = {
        "type": "data",
        "symmetric": False,
        "array": (high.astype(float) - estimate).to_numpy(),
        "arrayminus": (estimate - low.astype(float)).to_numpy(),
        "color": color,
        "thickness": thickness,
    }
    if width is not None:
        bars["width"] = width
    return bars
