"""Page sections of impact against a comparison group and of evidence strength.

Numbers from :mod:`evaluation.analysis.impact`, sentences from
:mod:`evaluation.presentation.readings.impact`, the figure from
:mod:`evaluation.presentation.charts.impact`; this module only lays them out.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from app_support.caching import cache_key, cached, cached_pooling_pupils
from app_support.filtering import Filters, filters
from app_support.widgets import chart_with_reading, download_table, plain
from evaluation import columns as c
from evaluation.access import Viewer
from evaluation.analysis import impact as analysis
from evaluation.instruments import Instrument
from evaluation.presentation.charts.impact import impact_chart
from evaluation.presentation.readings import impact as words
from evaluation.stats.disclosure import display_table

__all__ = [
    "IMPACT_BY",
    "IMPACT_HEADING",
    "evidence_caption",
    "impact_section",
    "national_impact_section",
    "pupil_impact_section",
    "survey_impact_section",
]

IMPACT_HEADING = "Impact against comparison"
# One model per project and year: a comparison group only means something there.
IMPACT_BY = (c.NCP, c.ACADEMIC_YEAR)


def evidence_caption(rated: pd.DataFrame | None = None) -> None:
    """The evidence-strength line of a before-and-after headline (0 of 5: no comparator)."""
    st.caption(words.change_evidence_line(rated))


def _by(frame: pd.DataFrame, extra: Sequence[str] = ()) -> list[str]:
    return [k for k in (*extra, *IMPACT_BY) if k in frame]


def impact_section(
    view: analysis.ImpactAnalysis, *, key: str, by: Sequence[str] = (), points: str = "marks"
) -> None:
    """The "Impact against comparison" view: chart, readings, evidence line, data (or the note)."""
    st.subheader(IMPACT_HEADING)
    if not view.available:
        st.info(words.NO_COMPARISON_NOTE, icon=":material/compare_arrows:")
        return
    table = view.table
    named = words.named_keys(table, by)  # the project too when the table holds two or more
    lines = words.impact_readings(table, unit=view.unit, points=points, by=named)
    shown = analysis.impact_display(table, by)
    if pd.to_numeric(table["estimate"], errors="coerce").notna().any():
        chart_with_reading(
            impact_chart(table, by=named),
            lines,
            display_table(shown, digits=3),
            key=key,
            name="impact_against_comparison",
        )
    else:
        for line in lines:
            st.markdown(plain(line))
        st.dataframe(display_table(shown, digits=3), hide_index=True, key=f"{key}_table")


def _pupil_view(pupils: pd.DataFrame) -> analysis.ImpactAnalysis:
    return analysis.pupil_impact_analysis(pupils, by=_by(pupils))


def pupil_impact_section(pupils: pd.DataFrame, *, key: str, name: str = "pupil_impact") -> None:
    """Impact on pupils' scores against the comparison pupils in the selection (cached)."""
    view = cached(name, _pupil_view, pupils)
    impact_section(view, key=key, by=_by(pupils))


def _survey_view(frame: pd.DataFrame, instrument: Instrument) -> analysis.ImpactAnalysis:
    return analysis.survey_impact_analysis(frame, instrument, by=_by(frame))


def survey_impact_section(
    frame: pd.DataFrame, instrument: Instrument, *, key: str, name: str = "survey_impact"
) -> None:
    """Impact on teachers' answers against the comparison teachers in the selection (cached)."""
    view = cached(name, _survey_view, frame, instrument)
    impact_section(view, key=key, by=_by(frame), points="points")


# What a hub or lead viewer is handed of the pooled impact: the pooled values as
# analysis.national_impact masks them for the viewer, never a hub's row, count or note.
POOLED_FOR_HUBS = ("k", "estimate", "ci_low", "ci_high", "suppressed", "suppression_reason")


def _national(pupils: pd.DataFrame, viewer: Viewer) -> pd.DataFrame:
    by = _by(pupils, (c.HUB,))
    per_hub = analysis.pupil_impact_analysis(pupils, by=by).table
    pool_by = [k for k in by if k != c.HUB] + ["outcome"]
    pooled = analysis.national_impact(per_hub, by=pool_by, viewer=viewer)
    if viewer.is_national:
        return pooled
    return pooled.loc[:, [col for col in (*pool_by, *POOLED_FOR_HUBS) if col in pooled]]


def national_impact_section(
    pupils: pd.DataFrame, viewer: Viewer, *, key: str, chosen: Filters | None = None
) -> None:
    """Per-hub impact on pupils pooled across hubs (Knapp-Hartung), when 2+ hubs have it.

    A national viewer's ``pupils`` hold every hub. A hub or lead viewer's hold only their own
    hub's, so for them the per-hub impacts come from every hub's rows for the filters
    ``chosen`` (read as the internal pooling viewer, :func:`cached_pooling_pupils`), and only
    the pooled rows reach the page: a value pooling fewer than
    :data:`evaluation.access.MIN_POOLED_HUBS` hubs is hidden [c] with its reason (beside the
    viewer's own hub a smaller pool could give another hub's figure away), the others are
    rounded, without their counts.
    """
    st.subheader("Impact against comparison, pooled across hubs")
    chosen = chosen or filters()
    if not viewer.is_national:
        location, version, _ = cache_key()
        pupils = cached_pooling_pupils(location, version, chosen.key())
    if not analysis.has_comparison(pupils):
        st.info(words.NO_COMPARISON_NOTE, icon=":material/compare_arrows:")
        return
    pooled = cached(f"national_impact:{chosen.key()}", _national, pupils, viewer)
    if pooled.empty:
        st.info(words.TOO_FEW_HUBS_NOTE, icon=":material/compare_arrows:")
        return
    for _, row in pooled.iterrows():
        named = [k for k in pooled.columns if k in IMPACT_BY]
        st.markdown(plain(words.pooled_impact_reading(row, by=named)))
    table = display_table(pooled, digits=3)
    st.dataframe(table, hide_index=True, key=f"{key}_table")
    download_table(table, "pooled_impact", key=f"{key}_download")
