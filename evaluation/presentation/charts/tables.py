"""The table of numbers a chart draws: the "show as table" view of every chart.

:func:`chart_table` reads the numbers back from the figure itself (its traces' x, y, z, error
bars and text labels), so the table holds exactly what is drawn, for every chart builder, on the
dashboard and in the board pack, and can never drift from the picture.

Rules, written once here:

- one row per drawn point: the series (trace name), the panel (subplot title) when the chart
  has several, the category and the value;
- the category is the axis that carries labels (y for horizontal bars and dot plots, x
  otherwise); numeric positions that the axis labels with tick text are shown as that text;
- diverging bars (``barmode="relative"``) are drawn either side of zero but read as shares, so
  their values are shown without sign and a series split across the centre line (the neutral
  answer) is shown once, summed;
- confidence intervals drawn as error bars become ``Lower`` and ``Upper`` columns;
- text labels drawn on the chart (counts, hidden-value marks) become a ``Label`` column;
- traces marked ``hoverinfo="skip"`` that draw lines only (connectors, limit curves) are
  decoration and are left out; repeated identical rows (a closed outline) appear once.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

__all__ = ["chart_table", "plain_label"]

_TAG = re.compile(r"<[^>]+>")


def plain_label(text: object) -> str:
    """Chart label text as plain words: ``<br>`` becomes a space, other tags go, entities decode.

    Examples
    --------
    >>> plain_label("I can explain<br>&lt;why&gt; <i>(reversed)</i>")
    'I can explain <why> (reversed)'
    """
    if text is None:
        return ""
    words = re.sub(r"<br\s*/?>", " ", str(text), flags=re.IGNORECASE)
    return " ".join(html.unescape(_TAG.sub("", words)).split())


def _values(data: Any) -> list:
    if data is None:
        return []
    if isinstance(data, str | bytes):
        return [data]
    return list(np.asarray(data, dtype=object).ravel()) if np.ndim(data) > 1 else list(data)


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


class _Axes:
    """A figure's axes, each read once per chart.

    Plotly's property access is slow, and every point of a chart asks the same few axes for
    their titles and tick labels.
    """

    def __init__(self, figure: go.Figure) -> None:
        self.figure = figure
        self.found: dict[str, Any] = {}
        self.titles: dict[str, str] = {}
        self.ticks: dict[str, list[tuple[float, Any]]] = {}

    def name(self, trace: Any, letter: str) -> str:
        ref = getattr(trace, f"{letter}axis", None) or letter
        return ref.replace(letter, f"{letter}axis", 1)

    def axis(self, trace: Any, letter: str) -> Any:
        name = self.name(trace, letter)
        if name not in self.found:
            layout = self.figure.layout
            self.found[name] = layout[name] if name in layout else None  # noqa: SIM401
        return self.found[name]

    def title(self, trace: Any, letter: str) -> str:
        name = self.name(trace, letter)
        if name not in self.titles:
            axis = self.axis(trace, letter)
            self.titles[name] = (
                plain_label(axis.title.text) if axis is not None and axis.title else ""
            )
        return self.titles[name]

    def tick_labels(self, trace: Any, letter: str) -> list[tuple[float, Any]]:
        """The axis's numeric tick positions with their text (empty when it has none)."""
        name = self.name(trace, letter)
        if name not in self.ticks:
            axis = self.axis(trace, letter)
            ticks: list[tuple[float, Any]] = []
            if axis is not None and axis.tickvals is not None and axis.ticktext is not None:
                pairs = [
                    (_number(v), t) for v, t in zip(axis.tickvals, axis.ticktext, strict=False)
                ]
                ticks = [(v, t) for v, t in pairs if v is not None]
            self.ticks[name] = ticks
        return self.ticks[name]


def _category(value: object, ticks: list[tuple[float, Any]]) -> object:
    """A position on a labelled axis as its label (numeric positions mapped to tick text)."""
    if isinstance(value, str):
        return plain_label(value)
    number = _number(value)
    if number is not None and ticks:
        where, text = min(ticks, key=lambda tick: abs(tick[0] - number))
        if abs(where - number) <= 0.5:
            return plain_label(text)
    return value if number is None else number


def _panels(figure: go.Figure) -> dict[str, str]:
    """Subplot titles by x axis reference ("x", "x2", ...), for charts with several panels."""
    axes = sorted(
        (key for key in figure.layout.to_plotly_json() if re.fullmatch(r"xaxis\d*", key)),
        key=lambda key: int(key[5:] or 1),
    )
    titles = [a.text for a in figure.layout.annotations if a.xref == "paper" and a.yref == "paper"]
    if len(axes) < 2 or len(titles) < len(axes):
        return {}
    pairs = zip(axes, titles, strict=False)
    return {key.replace("axis", ""): plain_label(title) for key, title in pairs}


def _labelled(axis: Any) -> bool:
    return axis is not None and axis.ticktext is not None and axis.tickvals is not None


def _categorical_y(axes: _Axes, trace: Any) -> bool:
    """Whether y carries the categories: horizontal bars, text on y, or y labelled by ticks."""
    if getattr(trace, "orientation", None) == "h":
        return True
    ys = [v for v in _values(trace.y) if v is not None]
    if ys and all(isinstance(v, str) for v in ys):
        return True
    return _labelled(axes.axis(trace, "y")) and not _labelled(axes.axis(trace, "x"))


def _interval(error: Any, values: Sequence[float | None]) -> tuple[list, list] | None:
    if error is None or not error.visible and error.visible is not None:
        return None
    if error.array is None:
        return None
    plus = _values(error.array)
    minus = plus if error.symmetric in (None, True) and error.arrayminus is None else None
    minus = _values(error.arrayminus) if minus is None else minus
    lower, upper = [], []
    for i, value in enumerate(values):
        up = _number(plus[i]) if i < len(plus) else None
        down = _number(minus[i]) if i < len(minus) else None
        lower.append(None if value is None or down is None else value - down)
        upper.append(None if value is None or up is None else value + up)
    return lower, upper


def _heatmap_rows(axes: _Axes, trace: Any) -> list[dict]:
    xs, ys = _values(trace.x), _values(trace.y)
    x_ticks, y_ticks = axes.tick_labels(trace, "x"), axes.tick_labels(trace, "y")
    texts = trace.text if trace.text is not None else None
    rows = []
    for i, row in enumerate(trace.z if trace.z is not None else []):
        for j, value in enumerate(row):
            label = plain_label(texts[i][j]) if texts is not None else ""
            rows.append(
                {
                    "Row": _category(ys[i] if i < len(ys) else i, y_ticks),
                    "Column": _category(xs[j] if j < len(xs) else j, x_ticks),
                    "Value": _number(value),
                    "Label": label,
                }
            )
    return rows


def chart_table(figure: go.Figure) -> pd.DataFrame:
    """The numbers ``figure`` draws, one row per point (see the module notes for the rules).

    Parameters
    ----------
    figure : plotly Figure
        Any chart of :mod:`evaluation.presentation.charts`.

    Returns
    -------
    DataFrame
        Columns ``Series`` (and ``Panel`` for charts with several panels), the category axis
        (named by its axis title, else ``Category``), the value axis (named by its title, else
        ``Value``), and ``Lower``/``Upper``/``Label`` when the chart draws intervals or labels.
        Columns that would be empty are left out.

    Examples
    --------
    >>> fig = go.Figure(go.Scatter(x=[0.5, 0.2], y=["Confidence", "Fluency"], name="Change",
    ...     error_x={"type": "data", "array": [0.3, 0.1], "arrayminus": [0.2, 0.1]}))
    >>> chart_table(fig).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'Series': 'Change', 'Category': 'Confidence', 'Value': 0.5, 'Lower': 0.3, 'Upper': 0.8},
     {'Series': 'Change', 'Category': 'Fluency', 'Value': 0.2, 'Lower': 0.1,
      'Upper': 0.30000000000000004}]
    """
    panels = _panels(figure)
    axes = _Axes(figure)
    relative = figure.layout.barmode == "relative"
    rows: list[dict] = []
    titles: list[tuple[str, str]] = []
    for trace in figure.data:
        if trace.visible is False:
            continue
        if isinstance(trace, go.Heatmap):
            rows.extend(_heatmap_rows(axes, trace))
            continue
        mode = getattr(trace, "mode", None) or ""
        if trace.hoverinfo == "skip" and "text" not in mode and "markers" not in mode:
            continue
        horizontal = _categorical_y(axes, trace)
        cat_letter, val_letter = ("y", "x") if horizontal else ("x", "y")
        titles.append((axes.title(trace, cat_letter), axes.title(trace, val_letter)))
        ticks = axes.tick_labels(trace, cat_letter)
        categories = _values(getattr(trace, cat_letter))
        raw = [_number(v) for v in _values(getattr(trace, val_letter))]
        text_only = mode == "text"
        values: list[float | None] = [None] * len(categories) if text_only else raw
        error = getattr(trace, f"error_{val_letter}", None)
        interval = None if text_only else _interval(error, values)
        labels = _values(trace.text) if trace.text is not None else []
        if len(labels) == 1 and len(categories) > 1:
            labels = labels * len(categories)
        series = plain_label(trace.name) or "Values"
        panel = panels.get(getattr(trace, "xaxis", None) or "x", "")
        for i, category in enumerate(categories):
            value = values[i] if i < len(values) else None
            if relative and isinstance(trace, go.Bar) and value is not None:
                value = abs(value)
            row = {
                "Panel": panel,
                "Series": series,
                "Category": _category(category, ticks),
                "Value": value,
                "Lower": interval[0][i] if interval else None,
                "Upper": interval[1][i] if interval else None,
                "Label": plain_label(labels[i]) if i < len(labels) else "",
            }
            if category is None and value is None:
                continue  # a gap between line segments
            rows.append(row)
    table = pd.DataFrame(
        rows, columns=["Panel", "Series", "Category", "Value", "Lower", "Upper", "Label"]
    )
    if any(isinstance(t, go.Heatmap) for t in figure.data):
        table = pd.DataFrame(rows, columns=["Row", "Column", "Value", "Label"])
    if relative and len(table):
        keys = ["Panel", "Series", "Category"]
        label = table.groupby(keys, sort=False)["Label"].first()
        table = table.groupby(keys, sort=False, dropna=False)["Value"].sum(min_count=1)
        table = table.reset_index().assign(Lower=None, Upper=None, Label=label.to_numpy())
    table = table.drop_duplicates().reset_index(drop=True)
    for column in list(table.columns):
        if column in ("Category", "Value", "Row", "Column"):
            continue
        filled = table[column].map(lambda v: v is not None and v == v and v != "")
        if not filled.any():
            table = table.drop(columns=column)
    # Axis titles name the columns only when every trace shares them (one panel, one scale).
    category = titles[0][0] if titles and len({t[0] for t in titles}) == 1 else ""
    value = titles[0][1] if titles and len({t[1] for t in titles}) == 1 else ""
    category, value = category or "Category", value or "Value"
    if value == category:
        value = f"{value} (value)"
    return table.rename(columns={"Category": category, "Value": value})
