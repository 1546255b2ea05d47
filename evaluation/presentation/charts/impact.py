"""The impact chart: the adjusted difference from the comparison group with its 95% CI per row.

Accessible by construction: every chart is drawn beside its reading
(:mod:`evaluation.presentation.readings.impact`) and its data table.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from evaluation.presentation.charts import palette
from evaluation.presentation.charts.layout import error_bars, finish, reference_line, wrap

__all__ = ["IMPACT_TRACE", "impact_chart"]

IMPACT_TRACE = "Impact against comparison with 95% CI"


def impact_chart(
    table: pd.DataFrame,
    *,
    by: Sequence[str] = (),
    effect: str = "estimate",
    title: str | None = None,
) -> go.Figure:
    """Adjusted difference (or Hedges' g) per group x outcome, with its 95% CI, against zero.

    Parameters
    ----------
    table : DataFrame
        Rows of :func:`evaluation.stats.impact.impact`: ``outcome``, the ``by`` columns,
        ``n_intervention``, ``n_comparison``, ``effect`` and its CI.
    by : sequence of str
        Columns naming each row beside the outcome (e.g. ``["hub"]``).
    effect : {"estimate", "g"}
        The adjusted difference in outcome units, or Hedges' g.

    Examples
    --------
    >>> t = pd.DataFrame({"outcome": ["MTC"], "n_intervention": [300], "n_comparison": [280],
    ...     "estimate": [1.2], "ci_low": [0.4], "ci_high": [2.0]})
    >>> fig = impact_chart(t)
    >>> fig.data[0].name, [round(float(v), 1) for v in fig.data[0].error_x.array]
    ('Impact against comparison with 95% CI', [0.8])
    """
    rows = table[pd.to_numeric(table[effect], errors="coerce").notna()].reset_index(drop=True)
    low, high = ("ci_low", "ci_high") if effect == "estimate" else ("g_ci_low", "g_ci_high")
    labels = []
    for _, row in rows.iterrows():
        name = " · ".join(str(row[k]) for k in [*by, "outcome"])
        labels.append(
            f"{wrap(name, 30)} ({int(row['n_intervention']):,} vs {int(row['n_comparison']):,})"
        )
    value = rows[effect].astype(float)
    figure = go.Figure(
        go.Scatter(
            x=value,
            y=labels,
            mode="markers",
            name=IMPACT_TRACE,
            marker={"color": palette.POST, "size": 13},
            error_x=error_bars(value, rows[low], rows[high], color=palette.POST),
            hovertemplate="Impact %{x:+.2f}<extra></extra>",
        )
    )
    reference_line(figure, x=0, line={"color": "#444444", "width": 1, "dash": "dot"})
    axis = "Hedges' g" if effect == "g" else "Difference from comparison"
    figure.update_xaxes(title=f"{axis}, allowing for the first score", gridcolor="#EEEEEE")
    figure.update_yaxes(autorange="reversed", automargin=True)
    figure.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.3, "x": 0})
    return finish(figure, height=200 + 50 * max(len(rows), 1), title=title)
