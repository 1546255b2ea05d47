"""What a national view shows: the pooled effect of every project and outcome for a year.

Pure (no streamlit); the pooling is :func:`evaluation.stats.national.cross_ncp_overview`, the
masking for hub and lead viewers :func:`evaluation.access.mask_thin_pooled`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from evaluation.access import Viewer, mask_thin_pooled
from evaluation.stats.national import cross_ncp_overview
from evaluation.stats.pooling import Method

__all__ = ["POOLING_METHOD", "national_overview"]

# The tau^2 estimator of every pooled value the dashboard and the board pack show.
POOLING_METHOD: Method = "REML"


def national_overview(
    results: pd.DataFrame,
    *,
    effect: str = "d_z",
    viewer: Viewer | None = None,
    min_n: int | None = None,
    outcomes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Pooled effect per project x outcome over every hub, as ``viewer`` may see it.

    Parameters
    ----------
    results : DataFrame
        Paired results by hub and NCP (every hub) for the year(s) to pool.
    effect : {"d_z", "mean_change"}
        The per-hub effect pooled.
    viewer : Viewer, optional
        Default a national viewer (nothing hidden). Hub and lead viewers get values pooling
        fewer than :data:`evaluation.access.MIN_POOLED_HUBS` hubs as ``[c]`` and no pooled
        head counts.
    min_n : int, optional
        Disclosure threshold per hub (default ``$IMPACT_MIN_N`` or 5).
    outcomes : sequence of str, optional
        Outcomes to pool; default every outcome.

    Returns
    -------
    DataFrame
        The columns of :func:`evaluation.stats.national.cross_ncp_overview` (pooled with
        :data:`POOLING_METHOD`), plus ``suppressed, suppression_reason`` for hub and lead
        viewers.

    Examples
    --------
    >>> res = pd.DataFrame({"hub": ["A", "B"], "ncp": "P", "item": "confidence",
    ...     "n_paired": [40, 30], "mean_change": [0.5, 0.4], "sd_change": [1.0, 0.8],
    ...     "d_z": [0.5, 0.5]})
    >>> national_overview(res)["k"].tolist()
    [2]
    >>> national_overview(res, viewer=Viewer(role="hub", hub="A"))["suppressed"].tolist()
    [True]
    """
    overview = cross_ncp_overview(
        results, min_n=min_n, effect=effect, method=POOLING_METHOD, outcomes=outcomes
    )
    return mask_thin_pooled(overview, viewer or Viewer.national())
