"""Page sections drawn on more than one page: a Work Group's survey impact, hub and national
views, pupil outcomes.

Each section gets its numbers from :mod:`evaluation.analysis` (through the cached loaders of
:mod:`app_support`), its sentences from :mod:`evaluation.presentation.readings` and its figures
from :mod:`evaluation.presentation.charts`; it only lays them out.
"""

from __future__ import annotations

import functools
import hashlib
import html
from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st

import app_support as ui
from evaluation import analysis
from evaluation import columns as c
from evaluation.instruments import Instrument, default_instrument
from evaluation.presentation import readings
from evaluation.presentation.charts import hub as hub_charts
from evaluation.presentation.charts import pupils as pupil_charts
from evaluation.presentation.charts import survey as survey_charts
from evaluation.presentation.readings import REVERSED_MARK
from evaluation.store.results import decode_tables
from schemas import reference

R = TypeVar("R")

__all__ = [
    "REVERSED_NOTE",
    "forest_title",
    "headline_metrics",
    "hub_beside_national",
    "hub_beside_national_chart",
    "default_work_group",
    "group_rows",
    "impact_bundle",
    "impact_groups",
    "is_reversed",
    "ncps_of",
    "open_text_examples",
    "open_text_question",
    "outcome_label",
    "outcomes_of",
    "overview_outcomes",
    "participation_view",
    "pupil_outcomes",
    "reversed_caption",
    "survey_impact",
    "year_in_view",
]


def impact_groups(chosen: ui.Filters) -> list[tuple]:
    """The participation groups (year, hub, NCP, Work Group) of the viewer's selection.

    Read from the kept results (no survey rows): the groups of the rows :func:`app_support.surveys`
    returns for the same filters. Cache it with :func:`app_support.cached`.
    """
    keys = ui.get_store().kept_groups(
        ui.current_viewer(),
        academic_year=chosen.academic_year,
        hub=chosen.hub,
        ncp=chosen.ncp,
    )
    if chosen.education_phase:
        offered = set(ui.ncps_in_phase(chosen.education_phase))
        keys = [key for key in keys if key[2] in offered]
    return keys


def default_work_group(keys: list[tuple]) -> str | None:
    """The Work Group the impact page opens on, or None to open on the whole selection.

    A selection of one participation group opens on it; a larger one on its latest academic
    year's first Work Group (by name), so that the page draws one Work Group's results (kept,
    not recomputed) until the user picks another or the whole selection.

    Examples
    --------
    >>> keys = [("2023/24", "H", "P", "A"), ("2024/25", "H", "P", "C"), ("2024/25", "H", "Q", "B")]
    >>> default_work_group(keys), default_work_group(keys[:1])
    ('B', None)
    """
    named = [key for key in keys if key[3] is not None]
    if len(keys) <= 1 or not named:
        return None
    years = sorted({key[0] for key in named if key[0] is not None})
    latest = [key for key in named if not years or key[0] == years[-1]]
    return str(min(key[3] for key in latest))


def _decoded(blobs: dict[str, bytes]) -> analysis.SurveyAnalysis:
    return analysis.SurveyAnalysis(
        **{name: decode_tables([blob]) for name, blob in blobs.items()}  # type: ignore[arg-type]
    )


def _kept_analysis(key: tuple, instrument: Instrument) -> tuple[str, analysis.SurveyAnalysis]:
    """The kept tables of one participation group (what ``survey_analysis`` of its rows gives),
    and a digest of them and the instrument: what the page draws from them depends on nothing
    else, so it is kept under the digest across store versions."""
    blobs = ui.get_store().kept_group_tables(ui.current_viewer(), key)
    digest = hashlib.sha256(repr(instrument).encode("utf-8"))
    for name in sorted(blobs):
        digest.update(name.encode("utf-8"))
        digest.update(hashlib.sha256(blobs[name]).digest())
    name = digest.hexdigest()
    return name, ui.lasting(f"kept_analysis:{name}", _decoded, blobs)


def impact_bundle(chosen: ui.Filters, work_group: str | None) -> dict:
    """Everything the impact page shows for the filters (and a Work Group), in one cacheable call.

    Returns ``{"instrument", "work_groups", "groups", "tables", "digest"}``: the Work Groups of
    the selection, the participation groups shown (year, hub, NCP, Work Group), the
    :class:`evaluation.analysis.SurveyAnalysis` (None when they hold no survey rows) and, for
    one participation group, whose tables are read from the kept results, a digest of them
    (else None: a wider selection is computed from its survey rows). Caching this (not the
    raw rows) keeps a cached page fast at national scale: the million survey rows are never
    copied out of the cache on a rerun.
    """
    keys = ui.cached("impact:groups", impact_groups, chosen)
    names = sorted({str(key[3]) for key in keys if key[3] is not None})
    shown = [key for key in keys if work_group is None or key[3] == work_group]
    bundle = {"work_groups": names, "groups": shown, "tables": None, "digest": None}
    if len(shown) == 1:
        instrument = ui.get_store().survey_instrument(
            ui.current_viewer(),
            academic_year=chosen.academic_year,
            hub=chosen.hub,
            ncp=chosen.ncp,
        )
        bundle["instrument"] = instrument
        bundle["digest"], bundle["tables"] = _kept_analysis(shown[0], instrument)
        return bundle
    frame, instrument = ui.surveys(chosen)
    if work_group is not None:
        frame = frame[frame[c.WORK_GROUP].eq(work_group)]
    bundle["instrument"] = instrument
    bundle["tables"] = analysis.survey_analysis(frame, instrument) if len(frame) else None
    return bundle


def group_rows(chosen: ui.Filters, key: tuple) -> tuple[pd.DataFrame, Instrument]:
    """The survey rows of one participation group (for what needs people, not tables).

    Reads only the group's year, hub and project where they are known.
    """
    narrow = ui.Filters(
        academic_year=key[0] or chosen.academic_year,
        hub=key[1] or chosen.hub,
        ncp=key[2] or chosen.ncp,
        education_phase=chosen.education_phase,
    )
    frame, instrument = ui.surveys(narrow)
    mask = pd.Series(True, index=frame.index)
    for column, value in zip((c.ACADEMIC_YEAR, c.HUB, c.NCP, c.WORK_GROUP), key, strict=True):
        if column in frame:
            mask &= frame[column].isna() if value is None else frame[column].eq(value)
    return frame[mask.fillna(False).astype(bool)], instrument


def headline_metrics(tables: analysis.SurveyAnalysis) -> None:
    """Who answered: before, after, matched (from the attrition table's counts)."""
    counts = tables.participation()
    if not counts:
        return
    cols = st.columns(4)
    cols[0].metric("Answered before", f"{int(counts['n_pre']):,}")
    cols[1].metric("Answered after", f"{int(counts['n_post']):,}")
    cols[2].metric("Matched (both)", f"{int(counts['n_completers']):,}")
    retained = counts.get("pct_retained", float("nan"))
    cols[3].metric("Stayed to the end", "–" if pd.isna(retained) else f"{retained:.0f}%")


def _built(cache: str | None, name: str, build: Callable[[], R], *, lasting: bool) -> R:
    """``build()``, kept as one shared object under ``cache``: per store version and filters,
    or (``lasting``: ``cache`` is a digest of everything it is built from) across versions."""
    if cache is None:
        return build()
    keep = ui.lasting if lasting else ui.shared
    return keep(f"{cache}:{name}", build)


def _likert(
    distribution: pd.DataFrame, instrument: Instrument, label_set: str
) -> tuple[object, str | list[str]]:
    return (
        survey_charts.likert_bars(distribution, instrument, label_set=label_set),
        readings.likert_reading(distribution, instrument, label_set=label_set),
    )


def survey_impact(
    tables: analysis.SurveyAnalysis,
    instrument: Instrument,
    *,
    key: str,
    cache: str | None = None,
    lasting: bool = False,
) -> None:
    """Draw the impact charts for one group of respondents, each with its reading and data.

    With ``cache`` (a name telling ``tables`` apart under the current filters) the figures and
    readings are built once per store version and shared: a rerun only draws them. With
    ``lasting``, ``cache`` is a digest of ``tables`` and ``instrument`` and they are kept
    across store versions.
    """

    def built(name: str, build: Callable[[], R]) -> R:
        return _built(cache, name, build, lasting=lasting)

    results = tables.results
    if results.empty:
        ui.empty_state(
            "There are no answers to compare yet: the selection has no survey items with "
            "answers before and after."
        )
        return
    headline_metrics(tables)
    constructs = analysis.construct_changes(results, instrument)
    if "design" in results and (results["design"] == "unpaired").any():
        st.warning(
            "Some answers could not be matched before and after (no participant code or email), "
            "so those results compare two different groups of people. Treat them as weaker "
            "evidence.",
            icon=":material/link_off:",
        )

    st.subheader("What changed, scale by scale")
    figure, lines = built(
        "constructs",
        lambda: (
            survey_charts.construct_change_chart(results, instrument),
            [readings.reading(row, instrument=instrument) for _, row in constructs.iterrows()],
        ),
    )
    ui.chart_with_reading(
        figure, lines, constructs, key=f"{key}_constructs", name="construct_change"
    )

    st.subheader("Answers before and after, question by question")
    st.caption(
        "Each bar is one question: disagreement to the left of the line, agreement to the "
        "right, the neutral answer split across it. Questions are sorted by agreement after "
        "the programme. Reversed questions are worded so that agreeing is a bad sign."
    )
    distribution = tables.distribution
    for label_set in survey_charts.label_sets(instrument):
        figure, lines = built(
            f"likert:{label_set}",
            functools.partial(_likert, distribution, instrument, label_set),
        )
        ui.chart_with_reading(
            figure,
            lines,
            distribution[distribution["label_set"] == label_set],
            key=f"{key}_likert_{label_set}",
            name=f"answers_{label_set}",
        )

    st.subheader("Average answer to each question")
    figure, lines, means = built(
        "dumbbell",
        lambda: (
            survey_charts.item_dumbbell(results, instrument),
            readings.items_reading(results, instrument),
            analysis.item_means(results, instrument),
        ),
    )
    ui.chart_with_reading(figure, lines, means, key=f"{key}_dumbbell", name="item_means")

    st.subheader("How individual people changed")
    construct_names = [str(name) for name in constructs[c.ITEM]]
    if construct_names:
        chosen = st.selectbox(
            "Scale",
            construct_names,
            format_func=survey_charts.construct_label,
            key=f"{key}_change_scale",
        )
        changes = tables.changes
        mine = changes[changes[c.ITEM] == chosen]
        row = constructs[constructs[c.ITEM] == chosen].iloc[0]
        label = f"{survey_charts.construct_label(chosen).lower()} score"
        figure = built(
            f"histogram:{chosen}",
            functools.partial(survey_charts.change_histogram, mine["change"], label=label),
        )
        ui.chart_with_reading(
            figure,
            readings.spread_reading(row),
            mine,
            key=f"{key}_histogram",
            name="individual_change",
        )

    st.subheader("Who answered both surveys")
    attrition = tables.attrition
    if len(attrition):
        ui.chart_with_reading(
            built("attrition", functools.partial(survey_charts.attrition_chart, attrition)),
            [readings.attrition_reading(row) for _, row in attrition.iterrows()][:1],
            attrition,
            key=f"{key}_attrition",
            name="attrition",
        )

    with st.expander("How consistent are the scales? (reliability)"):
        reliability = tables.reliability
        for _, row in reliability.iterrows():
            st.markdown(
                ui.plain(f"{row[c.PHASE].capitalize()}: ")
                + ui.plain(readings.reliability_reading(row, instrument=instrument))
            )
        st.dataframe(reliability, hide_index=True, key=f"{key}_reliability_table")
        ui.download_table(reliability, "reliability", key=f"{key}_reliability", label="table")

    with st.expander("All results in one table"):
        st.dataframe(results, hide_index=True, key=f"{key}_results_table")
        ui.download_table(results, "results", key=f"{key}_results", label="results")


# --------------------------------------------------------------------------------------------
# Hub and national pages
# --------------------------------------------------------------------------------------------


def year_in_view(results: pd.DataFrame, chosen: ui.Filters) -> str:
    """The academic year a comparison shows: the chosen one, else the latest with data."""
    if chosen.academic_year is not None:
        return chosen.academic_year
    return str(max(results[c.ACADEMIC_YEAR].dropna().unique()))


def outcomes_of(results: pd.DataFrame, instrument: Instrument | None = None) -> list[str]:
    """Outcomes in a results table: scales first (instrument order), then single questions."""
    instrument = instrument or default_instrument()
    present = set(results[c.ITEM].dropna().unique())
    order = [*instrument.constructs, *instrument.item_ids]
    return [o for o in order if o in present] + sorted(present - set(order))


REVERSED_NOTE = "reversed: a fall is good"


def _instrument(instrument: Instrument | None) -> Instrument:
    return instrument or default_instrument()


def is_reversed(outcome: str, instrument: Instrument | None = None) -> bool:
    """True when ``outcome`` is a reverse-worded question (agreeing is a bad sign)."""
    instrument = _instrument(instrument)
    return outcome in instrument.item_ids and instrument.item(outcome).reverse


def forest_title(ncp: str, outcome: str) -> str:
    """The forest plot's title: the project, then the outcome in words on a smaller line.

    Examples
    --------
    >>> forest_title("Mastering Number at KS2", "confidence")
    'Change in each hub: Mastering Number at KS2<br><sup>Confidence</sup>'
    """
    label = html.escape(outcome_label(outcome), quote=False)  # question text is not markup
    return f"Change in each hub: {html.escape(ncp, quote=False)}<br><sup>{label}</sup>"


def outcome_label(outcome: str, instrument: Instrument | None = None) -> str:
    """An outcome for a picker: scales by name, questions with their words, reversed marked.

    Scale (construct) scores are already reverse-coded, so only raw reversed questions need
    the "(reversed: a fall is good)" mark: for them a fall in the average is good news.
    """
    instrument = _instrument(instrument)
    name = survey_charts.construct_label(outcome)
    if outcome not in instrument.item_ids:
        return name
    item = instrument.item(outcome)
    text = item.text.strip()
    words = text if len(text) <= 60 else text[:57].rstrip() + "..."
    label = f'{name}: "{words}"'
    return f"{label} ({REVERSED_NOTE})" if item.reverse else label


def reversed_caption(outcome: str, instrument: Instrument | None = None) -> str | None:
    """A warning to show under charts of a reversed question (None for anything else)."""
    return readings.reversed_note(outcome, _instrument(instrument))


def overview_outcomes(
    overview: pd.DataFrame, *, questions: bool, instrument: Instrument | None = None
) -> pd.DataFrame:
    """The heatmap's rows: scale scores first, single questions only when asked for.

    Reversed questions keep their raw direction (a fall is good), so their name is marked
    "(reversed)" where the heatmap colours a fall orange; the reading says what that means.
    """
    instrument = _instrument(instrument)
    order = outcomes_of(overview, instrument)
    keep = [o for o in order if questions or o not in instrument.item_ids]
    if not keep and len(order):  # a custom instrument with no scales: show its questions
        keep = order
    shown = overview[overview[c.ITEM].isin(keep)].copy()
    rank = {o: i for i, o in enumerate(keep)}
    shown = shown.sort_values(c.ITEM, key=lambda s: s.map(rank), kind="stable")
    shown[c.ITEM] = [
        f"{o} ({REVERSED_MARK})" if is_reversed(o, instrument) else o for o in shown[c.ITEM]
    ]
    return shown.reset_index(drop=True)


def ncps_of(results: pd.DataFrame) -> list[str]:
    """NCPs with results, in reference-table order."""
    present = set(results[c.NCP].dropna().unique())
    order = reference.ncps()["name"].tolist()
    return [n for n in order if n in present] + sorted(present - set(order))


def _hub_beside_national(hub: str, year: str, outcome: str, chosen: ui.Filters) -> pd.DataFrame:
    own = ui.restrict(
        ui.results_by([c.ACADEMIC_YEAR, c.HUB, c.NCP]),
        chosen,
        skip=("hub", "ncp", "academic_year"),
    )
    own = own[own[c.ACADEMIC_YEAR].eq(year)]
    pooled = ui.national_overview(year, "d_z", chosen)
    return analysis.hub_beside_national(
        own, pooled, hub=hub, outcomes=[outcome], viewer=ui.current_viewer()
    )


def hub_beside_national(
    hub: str, year: str, outcome: str, chosen: ui.Filters | None = None
) -> pd.DataFrame:
    """The hub's effect per project beside the national pooled value, for the viewer.

    :func:`evaluation.analysis.hub_beside_national` (the board pack's table too) over the
    viewer's own rows and the national pooled values (:func:`app_support.national_overview`:
    every hub, thin pools hidden from hub and lead viewers); cached per store version.
    """
    chosen = chosen or ui.filters()
    return ui.cached(
        f"hub_beside_national:{hub}:{year}:{outcome}:{chosen.key()}",
        _hub_beside_national,
        hub,
        year,
        outcome,
        chosen,
    )


def participation_view(frame: pd.DataFrame, hub: str) -> tuple[pd.DataFrame, object, str]:
    """Who took part in a hub's rows: the table, its chart and its reading."""
    participation = analysis.hub_participation(frame)
    return (
        participation,
        survey_charts.participation_chart(participation),
        readings.participation_reading(participation, hub=hub),
    )


def hub_beside_national_chart(table: pd.DataFrame, *, hub: str):
    """The board pack's hub-against-national chart, titled for the page."""
    labels = {o: outcome_label(o) for o in table[c.ITEM].unique()}
    return hub_charts.hub_against_national(table, hub=hub, outcome_labels=labels)


def open_text_question(column: str) -> str:
    """The question of an open-text column, from its stored id.

    Long questions are stored cut short with a six-character tag that keeps them apart
    (``text_what_if_anything_has_changed_in_your_teaching_d51761``); the tag means nothing
    to a reader, so it becomes "...".
    """
    words = str(column).removeprefix("text_")
    stem, _, tag = words.rpartition("_")
    hashed = (
        len(tag) == 6
        and all(ch in "0123456789abcdef" for ch in tag)
        and (any(ch.isdigit() for ch in tag) or len(words) > 48)
    )
    if hashed and stem:
        words = stem
    text = words.replace("_", " ").strip().capitalize()
    return f"{text}..." if hashed and stem else text


def open_text_examples(frame: pd.DataFrame, *, n: int = 5) -> pd.DataFrame:
    """A few open-text answers given after the programme, picked at random (fixed seed)."""
    text_columns = [col for col in frame.columns if str(col).startswith("text_")]
    if not text_columns:
        return pd.DataFrame(columns=["question", "answer"])
    post = frame[frame[c.PHASE].eq("post")] if c.PHASE in frame else frame
    long = post[text_columns].melt(var_name="question", value_name="answer")
    long = long[long["answer"].notna() & long["answer"].astype(str).str.strip().ne("")]
    if long.empty:
        return pd.DataFrame(columns=["question", "answer"])
    picked = long.sample(n=min(n, len(long)), random_state=2024)
    picked["question"] = picked["question"].map(open_text_question)
    picked["answer"] = picked["answer"].astype(str)
    return picked[["question", "answer"]].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Pupil outcomes
# --------------------------------------------------------------------------------------------


def pupil_outcomes(pupils: pd.DataFrame, *, key: str, cache: bool = False) -> None:
    """Draw MTC outcomes for a set of pupils: distribution, full marks, change by year.

    With ``cache`` the tables are cached per store version and filters (the pupils must then
    be exactly what :func:`app_support.pupils` returns for the current filters).
    """
    if pupils.empty:
        ui.empty_state("No pupil scores in this selection.")
        return
    years = sorted(pupils[c.ACADEMIC_YEAR].dropna().unique())
    year = str(years[-1])
    if len(years) > 1:
        year = st.selectbox("Academic year for the detail", years[::-1], key=f"{key}_year")
    if cache:
        view = ui.cached(f"pupils:analysis:{year}", analysis.pupil_analysis, pupils, year)
    else:
        view = analysis.pupil_analysis(pupils, year)
    national = view.national

    st.subheader(f"What changed in {year}")
    if len(view.change):
        st.markdown(ui.plain(readings.pupil_reading(view.change.iloc[0])))

    ui.chart_with_reading(
        pupil_charts.score_distribution_chart(
            view.distribution, national_mean=national.mean_score, national_year=year
        ),
        readings.distribution_reading(year=year, national_mean=national.mean_score),
        view.distribution,
        key=f"{key}_distribution",
        name=f"mtc_distribution_{year.replace('/', '-')}",
    )

    ui.chart_with_reading(
        pupil_charts.full_marks_chart(
            view.summary, national_pct=national.pct_full_marks, national_year=year
        ),
        readings.full_marks_reading(view.summary, national_pct=national.pct_full_marks, year=year),
        view.summary,
        key=f"{key}_full_marks",
        name=f"mtc_summary_{year.replace('/', '-')}",
    )

    st.subheader("Year by year")
    ui.chart_with_reading(
        pupil_charts.pupil_change_chart(view.by_year),
        readings.by_year_reading(),
        view.by_year,
        key=f"{key}_change",
        name="mtc_change_by_year",
    )
