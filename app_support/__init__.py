"""Shared dashboard plumbing: who is viewing, the store, cached loaders, sidebar filters, errors.

Pages import this module and stay thin; nothing here computes a statistic (that is evaluation/).
"""

from __future__ import annotations

import functools
import html
import logging
import os
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_support import auth
from evaluation import access
from evaluation import columns as c
from evaluation.access import Viewer
from evaluation.instruments import Instrument, default_instrument
from evaluation.io import exports
from schemas import reference

log = logging.getLogger("maths_hubs_impact.app")

P = ParamSpec("P")
R = TypeVar("R")

ROOT = Path(__file__).resolve().parent.parent

# Page files, in navigation order: (file, title, icon). app.py builds st.navigation from this and
# pages link to each other through it, so a renamed file breaks in one place only.
PAGES: dict[str, tuple[str, str, str]] = {
    "home": ("pages/home.py", "Home", ":material/home:"),
    "upload": ("pages/upload.py", "Upload & check", ":material/upload_file:"),
    "impact": ("pages/impact.py", "Work Group impact", ":material/insights:"),
    "hub": ("pages/hub_overview.py", "Hub overview", ":material/hub:"),
    "national": ("pages/national.py", "National comparison", ":material/public:"),
    "pupils": ("pages/pupils.py", "Pupil outcomes (MTC)", ":material/school:"),
    "datasets": ("pages/datasets.py", "Datasets", ":material/database:"),
    "methods": ("pages/methods.py", "Methods", ":material/menu_book:"),
    "roles": ("pages/roles.py", "Roles", ":material/manage_accounts:"),
}

# Pages only national users are offered (and which refuse anyone else).
NATIONAL_ONLY_PAGES = ("roles",)


def pages_for(viewer: Viewer) -> list[str]:
    """Keys of :data:`PAGES` this viewer is offered, in navigation order."""
    return [key for key in PAGES if viewer.is_national or key not in NATIONAL_ONLY_PAGES]


# Phase of education, as offered in the sidebar; an NCP belongs to a phase when the reference
# table's phase names it ("Early Years and Primary" is in both). Cross-phase and all-phase
# projects sit under their own heading rather than inflating every phase.
EDUCATION_PHASES = ("Early Years", "Primary", "Secondary", "Post-16", "Cross-phase")
_CROSS_PHASE = ("Cross-phase", "All phases")

FILTER_KEYS = {
    "academic_year": "filter_year",
    "education_phase": "filter_phase",
    "ncp": "filter_ncp",
    "hub": "filter_hub",
}


# --------------------------------------------------------------------------------------------
# Who is viewing
# --------------------------------------------------------------------------------------------


def current_access() -> auth.Access:
    """Who is viewing this run, or why nobody is (see :mod:`app_support.auth`)."""
    return auth.current_access()


def current_viewer() -> Viewer:
    """The person viewing the dashboard: the one place every page and loader asks.

    Locally (no sign-in configured) a single national user; deployed, the signed-in person's
    role from the store. With no viewer (not signed in, or no role) this draws the sign-in or
    "ask your hub" page instead and stops the run, so no data is ever read without a viewer.
    """
    access = auth.current_access()
    if access.viewer is None:
        auth.draw_gate(access)
        st.stop()
    return access.viewer


def _viewer_key(viewer: Viewer) -> str:
    groups = ",".join(viewer.work_groups)
    return f"{viewer.role}|{viewer.hub}|{groups}|{int(viewer.sees_open_text)}"


# --------------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The shared sidebar filters; ``None`` means "all"."""

    academic_year: str | None = None
    hub: str | None = None
    ncp: str | None = None
    education_phase: str | None = None

    def key(self) -> tuple[str | None, ...]:
        """A hashable key for caches."""
        return (self.academic_year, self.hub, self.ncp, self.education_phase)

    def describe(self) -> str:
        """One line for captions: what the page is showing."""
        parts = [
            self.academic_year or "all years",
            self.hub or "all hubs",
            self.ncp or "all projects",
        ]
        if self.education_phase:
            parts.append(f"{self.education_phase} phase")
        return " · ".join(parts)


def ncps_in_phase(education_phase: str | None) -> list[str]:
    """NCP names offered under a phase of education (all NCPs when ``None``)."""
    table = reference.ncps()
    if education_phase is None:
        return table["name"].tolist()
    phase = table["phase"].astype(str)
    if education_phase == "Cross-phase":
        keep = phase.isin(_CROSS_PHASE)
    else:
        keep = phase.str.contains(education_phase, regex=False)
    return table.loc[keep, "name"].tolist()


def hubs_for(viewer: Viewer) -> list[str]:
    """Hub names the viewer may pick from."""
    names = reference.hubs()["name"].tolist()
    return [h for h in names if viewer.can_see_hub(h)]


def _all(label: str) -> Callable[[Any], str]:
    return lambda value: label if value is None else str(value)


def _reset_ncp_if_outside_phase() -> None:
    allowed = ncps_in_phase(st.session_state.get(FILTER_KEYS["education_phase"]))
    if st.session_state.get(FILTER_KEYS["ncp"]) not in [None, *allowed]:
        st.session_state[FILTER_KEYS["ncp"]] = None


def sidebar_filters() -> Filters:
    """Draw the shared filters in the sidebar and remember them for every page.

    app.py calls this on every run, before the page, so the widgets (and their values) live for
    the whole session and the filters carry across pages.
    """
    viewer = current_viewer()
    years = available_years()
    hubs = hubs_for(viewer)
    with st.sidebar:
        st.subheader("Filters")
        year = st.selectbox(
            "Academic year",
            [None, *years],
            format_func=_all("All years"),
            key=FILTER_KEYS["academic_year"],
        )
        education_phase = st.selectbox(
            "Phase of education",
            [None, *EDUCATION_PHASES],
            format_func=_all("All phases"),
            key=FILTER_KEYS["education_phase"],
            on_change=_reset_ncp_if_outside_phase,
        )
        ncp = st.selectbox(
            "Project (NCP)",
            [None, *ncps_in_phase(education_phase)],
            format_func=_all("All projects"),
            key=FILTER_KEYS["ncp"],
        )
        if len(hubs) == 1:
            hub = hubs[0]
            st.caption(f"Maths Hub: **{hub}**")
        else:
            hub = st.selectbox(
                "Maths Hub", [None, *hubs], format_func=_all("All hubs"), key=FILTER_KEYS["hub"]
            )
        if viewer.role == "lead":
            st.caption("Your Work Groups: " + (", ".join(viewer.work_groups) or "none yet"))
        access = current_access()
        st.caption(access.caption())
        if access.signed_in:
            auth.sign_out_button("sidebar_sign_out")
    chosen = Filters(academic_year=year, hub=hub, ncp=ncp, education_phase=education_phase)
    st.session_state["filters"] = chosen
    return chosen


def filters() -> Filters:
    """The filters chosen in the sidebar (all data when the sidebar has not run)."""
    chosen = st.session_state.get("filters")
    return chosen if isinstance(chosen, Filters) else Filters()


# --------------------------------------------------------------------------------------------
# The store, opened once
# --------------------------------------------------------------------------------------------


def store_location() -> str:
    """Where the store lives, as far as the environment says (the cache key for the store)."""
    return os.environ.get("DATABASE_URL") or f"home:{os.environ.get('IMPACT_HOME', '')}"


def uses_default_store() -> bool:
    """True when no DATABASE_URL is set: the local SQLite store the app may seed."""
    return not os.environ.get("DATABASE_URL")


@st.cache_resource(show_spinner=False)
def _open_store(location: str) -> Any:
    from evaluation.store import Store

    store = Store.open()
    may_seed = uses_default_store() and os.environ.get("IMPACT_SEED_SAMPLE", "1") != "0"
    if may_seed and store.is_empty():
        log.info("Empty default store at %s: loading the synthetic sample", location)
        store.seed_sample()
    return store


def get_store() -> Any:
    """The store, opened once per location (and seeded with the sample on a first local run)."""
    return _open_store(store_location())


def data_version() -> str:
    """The store's version: every cached loader is keyed on it, so new uploads show at once."""
    return str(get_store().version())


def _key() -> tuple[str, str, str]:
    return store_location(), data_version(), _viewer_key(current_viewer())


# --------------------------------------------------------------------------------------------
# Cached loaders (keyed on store location, store version, viewer and filters)
# --------------------------------------------------------------------------------------------


def _phase_filter(frame: pd.DataFrame, education_phase: str | None) -> pd.DataFrame:
    if education_phase is None or frame.empty or c.NCP not in frame:
        return frame
    return frame[frame[c.NCP].isin(ncps_in_phase(education_phase))].reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=64)
def _surveys(
    location: str, version: str, viewer_key: str, fkey: tuple, _viewer: Viewer
) -> tuple[pd.DataFrame, Instrument]:
    academic_year, hub, ncp, education_phase = fkey
    frame, instrument = _open_store(location).load_surveys(
        _viewer, academic_year=academic_year, hub=hub, ncp=ncp
    )
    frame = access.without_open_text(frame, _viewer)
    return _phase_filter(frame, education_phase), instrument


def surveys(chosen: Filters | None = None) -> tuple[pd.DataFrame, Instrument]:
    """Canonical wide survey rows the viewer may see, after the filters, and their instrument."""
    chosen = chosen or filters()
    return _surveys(*_key(), chosen.key(), current_viewer())


@st.cache_data(show_spinner=False, max_entries=64)
def _pupils(location: str, version: str, viewer_key: str, fkey: tuple, _viewer: Viewer):
    academic_year, hub, ncp, education_phase = fkey
    frame = _open_store(location).load_pupils(
        _viewer, academic_year=academic_year, hub=hub, ncp=ncp
    )
    return _phase_filter(frame, education_phase)


def pupils(chosen: Filters | None = None) -> pd.DataFrame:
    """Canonical pupil rows the viewer may see, after the filters."""
    chosen = chosen or filters()
    return _pupils(*_key(), chosen.key(), current_viewer())


@st.cache_data(show_spinner=False, max_entries=16)
def _datasets(location: str, version: str, viewer_key: str, _viewer: Viewer) -> pd.DataFrame:
    return _open_store(location).list_datasets(_viewer)


def datasets() -> pd.DataFrame:
    """Every dataset the viewer may see, with provenance (one row per file)."""
    return _datasets(*_key(), current_viewer())


@st.cache_data(show_spinner=False, max_entries=16)
def _audit(location: str, version: str, viewer_key: str, _viewer: Viewer) -> pd.DataFrame:
    return _open_store(location).audit_log(_viewer)


def audit_log() -> pd.DataFrame:
    """The audit log the viewer may see."""
    return _audit(*_key(), current_viewer())


def available_years() -> list[str]:
    """Academic years with data (newest first); the reference years when the store is empty."""
    years: list[str] = []
    try:
        listed = active_datasets()
        if "academic_years" in listed:
            years = [str(y) for y in listed["academic_years"].explode().dropna().unique()]
    except Exception:  # the sidebar must draw even when the store cannot be read
        log.exception("Could not list academic years")
    if not years:
        years = reference.mtc_national()[c.ACADEMIC_YEAR].tolist()
    return sorted(set(years), reverse=True)


def active_datasets() -> pd.DataFrame:
    """Datasets currently in use (not withdrawn or replaced)."""
    listed = datasets()
    if listed.empty or "status" not in listed:
        return listed
    return listed[listed["status"].eq("active")].reset_index(drop=True)


@dataclass(frozen=True)
class DataSummary:
    """What is loaded, for the Home page (counts of datasets and rows, not statistics)."""

    n_datasets: int
    n_synthetic: int
    survey_rows: int
    pupil_rows: int
    n_hubs: int
    n_ncps: int
    n_years: int
    years: str

    @property
    def all_synthetic(self) -> bool:
        """True when every active dataset is the synthetic sample."""
        return self.n_datasets > 0 and self.n_synthetic == self.n_datasets


def data_summary() -> DataSummary:
    """Counts of the active datasets the viewer may see."""
    listed = active_datasets()
    if listed.empty:
        return DataSummary(0, 0, 0, 0, 0, 0, 0, "")

    def distinct(column: str) -> list[str]:
        return sorted({str(v) for v in listed[column].explode().dropna()})

    rows = listed.groupby("kind")["n_rows"].sum()
    years = distinct("academic_years")
    return DataSummary(
        n_datasets=len(listed),
        n_synthetic=int(listed["synthetic"].fillna(False).astype(bool).sum()),
        survey_rows=int(rows.get("survey", 0)),
        pupil_rows=int(rows.get("pupil", 0)),
        n_hubs=len(distinct("hubs")),
        n_ncps=len(distinct("ncps")),
        n_years=len(years),
        years=f"{years[0]} to {years[-1]}" if len(years) > 1 else "".join(years),
    )


@st.cache_data(show_spinner=False, max_entries=8)
def _results_by(
    location: str, version: str, viewer_key: str, by: tuple[str, ...], _viewer: Viewer
) -> pd.DataFrame:
    from evaluation.stats.comparisons import compare
    from evaluation.stats.scoring import to_long

    frame, instrument = _open_store(location).load_surveys(_viewer)
    if frame.empty:
        return pd.DataFrame()
    long = to_long(frame, instrument, keys=by)
    return compare(long, by=list(by), constructs=instrument.constructs)


def results_by(by: Sequence[str]) -> pd.DataFrame:
    """Change per group (``compare(long, by=by)``) over ALL data the viewer may see.

    Hub and national views compare groups with each other, so they start from every group and
    narrow the rows with :func:`restrict`; cached per store version, not per filter.
    """
    return _results_by(*_key(), tuple(by), current_viewer())


@st.cache_data(show_spinner=False, max_entries=4)
def _pooling_rows(location: str, version: str, by: tuple[str, ...]) -> pd.DataFrame:
    """Every hub's results (read as the internal national pooling viewer), for pooled values.

    Private: hub and lead viewers only ever receive aggregates computed from this table (see
    :func:`national_overview`, :func:`hub_comparison`, :func:`ncp_trend`, :func:`hub_trend`,
    :func:`hub_headline`), never its rows.
    """
    pooling = Viewer.national(name="national pooling (internal)")
    return _results_by(location, version, "national|pooling", by, pooling)


def _comparison_source(by: Sequence[str]) -> pd.DataFrame:
    viewer = current_viewer()
    if viewer.is_national:
        return results_by(by)
    location, version, _ = _key()
    return _pooling_rows(location, version, tuple(by))


def _year_rows(table: pd.DataFrame, year: str, chosen: Filters) -> pd.DataFrame:
    rows = restrict(table, chosen, skip=("hub", "ncp", "academic_year"))
    return rows[rows[c.ACADEMIC_YEAR].eq(year)] if c.ACADEMIC_YEAR in rows else rows


def _national_overview(year: str, effect: str, chosen: Filters) -> pd.DataFrame:
    from evaluation.stats import national

    rows = _year_rows(_comparison_source([c.ACADEMIC_YEAR, c.HUB, c.NCP]), year, chosen)
    overview = national.cross_ncp_overview(rows, effect=effect)
    return access.mask_thin_pooled(overview, current_viewer())


def national_overview(year: str, effect: str, chosen: Filters | None = None) -> pd.DataFrame:
    """Pooled effect per NCP x outcome for ``year`` (every hub; thin pools hidden from hubs).

    Hub and lead viewers get the same pooled values as national users, except that a value
    pooling fewer than :data:`evaluation.access.MIN_POOLED_HUBS` hubs is ``[c]``.
    """
    chosen = chosen or filters()
    return cached(
        f"national_overview:{year}:{effect}:{chosen.key()}",
        _national_overview,
        year,
        effect,
        chosen,
    )


def _hub_comparison(
    year: str, ncp: str, outcome: str, effect: str, chosen: Filters
) -> tuple[pd.DataFrame, pd.Series]:
    from evaluation.stats import national

    viewer = current_viewer()
    by = [c.ACADEMIC_YEAR, c.HUB, c.NCP]
    everyone = national.hub_effects(
        _year_rows(_comparison_source(by), year, chosen), outcome=outcome, ncp=ncp
    )
    pooled = national.pool_hubs(everyone, effect=effect)
    if viewer.is_national:
        return everyone, pooled
    # The viewer's own row comes from their own rows (a lead: their Work Groups only).
    own = national.hub_effects(
        _year_rows(results_by(by), year, chosen), outcome=outcome, ncp=ncp, secondary=False
    )
    return access.own_hub_rows(own, viewer), access.mask_thin_pooled_row(pooled, viewer)


def hub_comparison(
    year: str, ncp: str, outcome: str, effect: str, chosen: Filters | None = None
) -> tuple[pd.DataFrame, pd.Series]:
    """Per-hub effects (``national.hub_effects``) and the pooled row for one NCP and outcome.

    National viewers get every hub; hub and lead viewers only their own hub's row (from their
    own rows) and the pooled value (hidden when fewer than three hubs are pooled).
    """
    chosen = chosen or filters()
    name = f"hub_comparison:{year}:{ncp}:{outcome}:{effect}:{chosen.key()}"
    return cached(name, _hub_comparison, year, ncp, outcome, effect, chosen)


def _mask_levels(trend: pd.DataFrame, viewer: Viewer, levels: Sequence[str]) -> pd.DataFrame:
    if trend.empty or "level" not in trend:
        return trend
    return access.mask_thin_pooled(trend, viewer, rows=trend["level"].isin(levels))


def _ncp_trend(outcome: str, ncp: str, effect: str, chosen: Filters) -> pd.DataFrame:
    from evaluation.stats import national

    rows = restrict(
        _comparison_source([c.ACADEMIC_YEAR, c.HUB, c.NCP]),
        chosen,
        skip=("hub", "ncp", "academic_year"),
    )
    trend = national.trends(rows, outcome=outcome, ncp=ncp, effect=effect)
    return _mask_levels(trend, current_viewer(), ("ncp", "national"))


def ncp_trend(outcome: str, ncp: str, effect: str, chosen: Filters | None = None) -> pd.DataFrame:
    """An NCP's pooled effect by year with the national line (``national.trends``)."""
    chosen = chosen or filters()
    return cached(
        f"ncp_trend:{outcome}:{ncp}:{effect}:{chosen.key()}",
        _ncp_trend,
        outcome,
        ncp,
        effect,
        chosen,
    )


def _hub_trend(hub: str, outcome: str, ncp: str, chosen: Filters) -> pd.DataFrame:
    from evaluation.stats import national

    viewer = current_viewer()
    by = [c.ACADEMIC_YEAR, c.HUB, c.NCP]
    own_rows = restrict(results_by(by), chosen, skip=("hub", "ncp", "academic_year"))
    trend = national.trends(own_rows, outcome=outcome, hub=hub, ncp=ncp)
    if viewer.is_national:
        return trend
    everyone = restrict(_comparison_source(by), chosen, skip=("hub", "ncp", "academic_year"))
    line = national.trends(everyone, outcome=outcome, hub=hub, ncp=ncp)
    line = _mask_levels(line[line["level"].eq("national")], viewer, ("national",))
    out = pd.concat([trend[trend["level"].ne("national")], line], ignore_index=True)
    order = {"hub": 0, "ncp": 0, "national": 1}
    out = out.sort_values(
        [c.ACADEMIC_YEAR, "level"], key=lambda s: s.map(order) if s.name == "level" else s
    )
    return out.reset_index(drop=True)


def hub_trend(hub: str, outcome: str, ncp: str, chosen: Filters | None = None) -> pd.DataFrame:
    """A hub's effect by year for one NCP beside the national line (``national.trends``).

    The hub series comes from the viewer's own rows; the national line from every hub (for
    hub and lead viewers: hidden in years pooling fewer than three hubs).
    """
    chosen = chosen or filters()
    return cached(
        f"hub_trend:{hub}:{outcome}:{ncp}:{chosen.key()}", _hub_trend, hub, outcome, ncp, chosen
    )


def _hub_headline(hub: str, year: str, outcome: str, chosen: Filters) -> pd.DataFrame:
    from app_support import views
    from evaluation.stats import national

    viewer = current_viewer()
    by = [c.ACADEMIC_YEAR, c.HUB, c.NCP]
    headline = views.hub_headline(
        _year_rows(results_by(by), year, chosen), hub=hub, outcome=outcome
    )
    if viewer.is_national or headline.empty:
        return headline
    pooled = national.cross_ncp_overview(
        _year_rows(_comparison_source(by), year, chosen), outcomes=[outcome]
    )
    pooled = access.mask_thin_pooled(pooled, viewer)
    hidden = pooled["suppressed"] if "suppressed" in pooled else pd.Series(False, pooled.index)
    pooled["national_note"] = pooled["suppression_reason"].where(hidden.astype(bool), None)
    pooled = pooled.rename(
        columns={
            "estimate": "national",
            "ci_low": "national_ci_low",
            "ci_high": "national_ci_high",
            "k": "hubs_pooled",
        }
    )[[c.NCP, "national", "national_ci_low", "national_ci_high", "hubs_pooled", "national_note"]]
    national_cols = ["national", "national_ci_low", "national_ci_high", "hubs_pooled"]
    own = headline.drop(columns=[col for col in national_cols if col in headline])
    return own.merge(pooled, on=c.NCP, how="left").reset_index(drop=True)


def headline_display(headline: pd.DataFrame) -> pd.DataFrame:
    """The headline table for people and downloads: hidden hubs and hidden national values [c]."""
    from evaluation.stats.disclosure import SUPPRESSED_SYMBOL, display_table

    out = display_table(headline, digits=3)
    if "national_note" in headline:
        hidden = headline["national_note"].notna().to_numpy()
        for col in ("national", "national_ci_low", "national_ci_high"):
            if col in out:
                out.loc[hidden, col] = SUPPRESSED_SYMBOL
    return out


def hub_headline(hub: str, year: str, outcome: str, chosen: Filters | None = None) -> pd.DataFrame:
    """The hub's effect per NCP beside the national pooled value (``views.hub_headline``).

    For hub and lead viewers the hub's values come from their own rows and the national
    value from every hub (``[c]`` when fewer than three hubs are pooled).
    """
    chosen = chosen or filters()
    return cached(
        f"hub_headline:{hub}:{year}:{outcome}:{chosen.key()}",
        _hub_headline,
        hub,
        year,
        outcome,
        chosen,
    )


def chromium_available() -> bool:
    """True when a Chromium browser is installed to print board packs as PDF."""
    from evaluation.presentation.reports.pdf import find_chromium

    return find_chromium() is not None


@st.cache_data(show_spinner=False, max_entries=8)
def _board_pack(
    location: str,
    version: str,
    viewer_key: str,
    hub: str | None,
    ncp: str | None,
    year: str,
    pdf: bool,
    _viewer: Viewer,
) -> dict[str, Any]:
    from evaluation.presentation.reports import build_board_pack, load_inputs

    inputs = load_inputs(_open_store(location), _viewer, hub=hub, ncp=ncp)
    pack = build_board_pack(inputs, viewer=_viewer, academic_year=year, hub=hub, ncp=ncp, pdf=pdf)
    return {
        "problem": pack.problem,
        "title": pack.title,
        "html": pack.html,
        "pdf": pack.pdf,
        "pdf_note": pack.pdf_note,
    }


def may_build_board_pack(viewer: Viewer, *, hub: str | None = None) -> bool:
    """Hub users may build their own hub's board pack; national users any hub's or NCP's."""
    if viewer.is_national:
        return True
    return viewer.role == "hub" and hub is not None and hub == viewer.hub


def board_pack(*, year: str, hub: str | None = None, ncp: str | None = None) -> dict[str, Any]:
    """A hub board pack (``hub``) or national project report (``ncp``) as HTML (and PDF).

    Returns ``{"problem", "title", "html", "pdf", "pdf_note"}``; ``problem`` is a plain-English
    reason when there is no report. Built by ``evaluation.presentation.reports`` with the current
    viewer,
    cached per store version; the PDF only when Chromium is installed.
    """
    viewer = current_viewer()
    if not may_build_board_pack(viewer, hub=hub):
        return {
            "problem": "Board packs are for hub boards and the national team.",
            "title": "",
            "html": "",
            "pdf": None,
            "pdf_note": None,
        }
    return _board_pack(*_key(), hub, ncp, year, chromium_available(), viewer)


def board_pack_downloads(
    *, year: str, hub: str | None = None, ncp: str | None = None, key: str
) -> None:
    """A "Prepare" button, then HTML (and, with Chromium, PDF) downloads of a board pack."""
    if st.button("Prepare the report", key=f"{key}_build", icon=":material/description:"):
        st.session_state[f"{key}_for"] = (hub, ncp, year)
    if st.session_state.get(f"{key}_for") != (hub, ncp, year):
        return
    with st.spinner("Writing the report (this can take a little while)..."):
        pack = board_pack(year=year, hub=hub, ncp=ncp)
    if pack["problem"]:
        st.info(pack["problem"], icon=":material/info:")
        return
    stem = "board_pack_" + "_".join(str(part) for part in (hub or ncp, year))
    stem = "".join(ch if ch.isalnum() else "_" for ch in stem)
    left, right = st.columns(2)
    with left:
        st.download_button(
            "Report (HTML)",
            pack["html"].encode("utf-8"),
            file_name=f"{stem}.html",
            mime="text/html",
            key=f"{key}_html",
            on_click="ignore",
            icon=":material/download:",
            help="Opens in any web browser, also offline; the charts are interactive.",
        )
    with right:
        if pack["pdf"] is not None:
            st.download_button(
                "Report (PDF)",
                pack["pdf"],
                file_name=f"{stem}.pdf",
                mime="application/pdf",
                key=f"{key}_pdf",
                on_click="ignore",
                icon=":material/download:",
            )
        else:
            st.caption(
                "No PDF here: "
                + plain(pack["pdf_note"] or "this server cannot print PDFs.")
                + " Open the HTML and print it from your browser instead."
            )


def restrict(
    table: pd.DataFrame, chosen: Filters | None = None, *, skip: Sequence[str] = ()
) -> pd.DataFrame:
    """Keep the rows of a results table that match the filters (columns it lacks are ignored).

    ``skip`` names filters not to apply (e.g. ``("hub",)`` on a page comparing hubs).
    """
    chosen = chosen or filters()
    keep = pd.Series(True, index=table.index)
    for column, value in (
        (c.ACADEMIC_YEAR, chosen.academic_year),
        (c.HUB, chosen.hub),
        (c.NCP, chosen.ncp),
    ):
        if value is not None and column in table and column not in skip:
            keep &= table[column].eq(value)
    if chosen.education_phase and c.NCP in table and "education_phase" not in skip:
        keep &= table[c.NCP].isin(ncps_in_phase(chosen.education_phase))
    return table[keep].reset_index(drop=True)


def cached(name: str, func: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """Call ``func(*args, **kwargs)`` once per store version, filters and viewer.

    ``name`` plus the current filters identify the call: use it for analyses of the data the
    loaders above return for the current filters (the arguments themselves are not hashed).
    """
    return _cached_call(*_key(), filters().key(), name, repr(kwargs), func, args, kwargs)


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_call(
    location: str,
    version: str,
    viewer_key: str,
    fkey: tuple,
    name: str,
    kwargs_key: str,
    _func: Callable[..., Any],
    _args: tuple,
    _kwargs: dict,
) -> Any:
    return _func(*_args, **_kwargs)


def clear_caches() -> None:
    """Forget cached data (the store version normally makes this unnecessary)."""
    st.cache_data.clear()


# --------------------------------------------------------------------------------------------
# Friendly errors
# --------------------------------------------------------------------------------------------

FRIENDLY_MESSAGE = (
    "Sorry, something went wrong while {doing}. Your data are safe. Try changing the filters "
    "or reloading the page; if it keeps happening, send the details below to the support team."
)


def error_details(exc: BaseException) -> str:
    """A short description of an exception for the support team: type, message, where.

    Never the raw traceback: the last frame's file (relative to the project) and line only.
    """
    where = ""
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        try:
            file_name = str(Path(last.filename).resolve().relative_to(ROOT))
        except ValueError:
            file_name = Path(last.filename).name
        where = f"\nWhere: {file_name}, line {last.lineno} ({last.name})"
    message = str(exc).strip() or "(no message)"
    return f"{type(exc).__name__}: {message[:500]}{where}"


def show_error(doing: str, exc: BaseException) -> None:
    """Show a friendly message for ``exc`` with a details expander (logged in full)."""
    log.error("Error while %s", doing, exc_info=exc)
    st.error(FRIENDLY_MESSAGE.format(doing=doing), icon=":material/error:")
    with st.expander("Details for the support team"):
        st.text(error_details(exc))


@contextmanager
def friendly_errors(doing: str) -> Iterator[None]:
    """Turn any exception in the block into a friendly message (Streamlit's stop/rerun pass).

    Examples
    --------
    ``with friendly_errors("drawing the hub overview"): ...``
    """
    try:
        yield
    except Exception as exc:  # a page must never show a raw traceback
        show_error(doing, exc)


def friendly(doing: str) -> Callable[[Callable[P, R]], Callable[P, R | None]]:
    """Decorator form of :func:`friendly_errors`; the function returns None after an error."""

    def decorate(func: Callable[P, R]) -> Callable[P, R | None]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
            with friendly_errors(doing):
                return func(*args, **kwargs)
            return None

        return wrapper

    return decorate


# --------------------------------------------------------------------------------------------
# Drawing helpers
# --------------------------------------------------------------------------------------------

PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def run_through_app() -> None:
    """Rerun through app.py when Streamlit ran a page file on its own.

    Streamlit treats an app with a ``pages/`` folder as an old-style multipage app until some
    run calls ``st.navigation``. So on a freshly started server, a first visitor who opens a
    link to a page (``/national``) gets ``pages/national.py`` run by itself: raw file names in
    the sidebar, no filters, narrow layout. Switching that mode off and rerunning sends the
    same page through app.py's navigation, sign-in and sidebar.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def page_header(title: str, intro: str) -> None:
    """The page title, a one-line purpose and what the filters currently select."""
    run_through_app()
    st.title(title)
    st.write(intro)


def filters_caption(chosen: Filters | None = None) -> None:
    """A caption saying which data the page shows."""
    st.caption(f"Showing: {(chosen or filters()).describe()}. Change this in the sidebar.")


def link(page: str, label: str | None = None) -> None:
    """A link to another page of the app, by its key in :data:`PAGES`."""
    path, title, icon = PAGES[page]
    st.page_link(path, label=label or title, icon=icon)


def empty_state(message: str, *, go_to: Sequence[str] = ("upload",)) -> None:
    """Say there is nothing to show, what to do about it, and link to where to do it."""
    st.info(message, icon=":material/info:")
    for page in go_to:
        link(page)


def show_chart(figure: go.Figure, *, key: str) -> None:
    """Draw a plotly figure at the container's width."""
    st.plotly_chart(figure, key=key, config=PLOTLY_CONFIG, theme=None)


def download_table(table: pd.DataFrame, name: str, *, key: str, label: str = "data") -> None:
    """CSV and Excel download buttons for ``table`` (formula-safe, built only when clicked)."""
    st.caption(f"Download the {label}:")
    left, right = st.columns(2, gap="small")
    with left:
        st.download_button(
            "CSV",
            functools.partial(exports.to_csv_bytes, table),
            file_name=f"{name}.csv",
            mime="text/csv",
            key=f"{key}_csv",
            on_click="ignore",
            icon=":material/download:",
            help=f"The {label} as a CSV file",
        )
    with right:
        st.download_button(
            "Excel",
            functools.partial(exports.to_xlsx_bytes, table),
            file_name=f"{name}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}_xlsx",
            on_click="ignore",
            icon=":material/download:",
            help=f"The {label} as an Excel workbook",
        )


def chart_with_reading(
    figure: go.Figure,
    reading: str | Sequence[str],
    data: pd.DataFrame,
    *,
    key: str,
    name: str,
    wide: bool = False,
) -> None:
    """A chart with its plain-English reading beside it (below when ``wide``) and its data."""
    lines = [reading] if isinstance(reading, str) else list(reading)
    if wide:
        show_chart(figure, key=key)
        words, download = st.columns([3, 1], gap="medium")
        with words:
            for line in lines:
                st.markdown(plain(line))
        with download:
            download_table(data, name, key=f"{key}_download")
        return
    chart, words = st.columns([3, 1], gap="medium")
    with chart:
        show_chart(figure, key=key)
    with words:
        for line in lines:
            st.markdown(plain(line))
        download_table(data, name, key=f"{key}_download")


def plain(text: object) -> str:
    """Text made safe to pass to ``st.markdown``: HTML and markdown markup are escaped.

    Used for our own readings (which may quote hub or item names from uploaded files).
    """
    escaped = html.escape(str(text), quote=False)
    for char in "\\`*_{}[]()#+!|~>":
        escaped = escaped.replace(char, "\\" + char)
    return escaped


# --------------------------------------------------------------------------------------------
# Upload templates
# --------------------------------------------------------------------------------------------


def survey_template(instrument: Instrument | None = None) -> pd.DataFrame:
    """An empty-but-for-two-examples survey file with the headers the reader knows best."""
    instrument = instrument or default_instrument()
    hub = _example_hub()
    ncp = reference.ncps()["name"].iloc[0]
    rows = []
    for phase, answer in (("pre", 3), ("post", 4)):
        row: dict[str, object] = {
            c.RESPONDENT_ID: "T001",
            c.PHASE: phase,
            c.ACADEMIC_YEAR: "2025/26",
            c.HUB: hub,
            c.NCP: ncp,
            c.WORK_GROUP: "WG-01",
            c.SCHOOL_URN: 100000,
        }
        for item in instrument.items:
            row[item.item] = answer
        row["text_comments"] = ""
        rows.append(row)
    return pd.DataFrame(rows)


def _example_hub() -> str:
    """The hub named in templates: the viewer's own (never another hub's name)."""
    viewer = current_viewer()
    return viewer.hub if viewer.hub else str(reference.hubs()["name"].iloc[0])


def pupil_template() -> pd.DataFrame:
    """A pupil MTC file with the expected headers and two example rows."""
    hub = _example_hub()
    return pd.DataFrame(
        {
            c.PUPIL_ID: ["P001", "P001"],
            c.SCHOOL_URN: [100000, 100000],
            c.HUB: [hub, hub],
            c.NCP: ["Mastering Number at KS2"] * 2,
            c.ACADEMIC_YEAR: ["2025/26"] * 2,
            c.YEAR_GROUP: [4, 4],
            c.PHASE: ["pre", "post"],
            c.MEASURE: ["MTC", "MTC"],
            c.SCORE: [18, 22],
            c.DISADVANTAGED: [False, False],
            c.SEX: ["F", "F"],
            c.SEN: [False, False],
            c.EAL: [False, False],
        }
    )


def instrument_table(instrument: Instrument) -> pd.DataFrame:
    """The instrument's items with their question text (for the template's second download)."""
    return instrument.to_table()


# --------------------------------------------------------------------------------------------
# Datasets and audit tables for people
# --------------------------------------------------------------------------------------------

DATASET_COLUMNS = {
    "dataset_id": "Dataset",
    "kind": "Kind",
    "status": "Status",
    "synthetic": "Synthetic sample",
    "file_name": "File",
    "n_rows": "Rows",
    "hubs": "Hubs",
    "ncps": "Projects",
    "academic_years": "Years",
    "phases": "Pre/post",
    "work_groups": "Work Groups",
    "uploader": "Uploaded by",
    "uploaded_at": "Uploaded at (UTC)",
    "replaces": "Replaces",
    "replaced_by": "Replaced by",
    "status_changed_by": "Changed by",
    "status_reason": "Reason",
}


def _joined(values: object) -> str:
    if isinstance(values, list | tuple | set):
        return ", ".join(str(v) for v in values)
    return "" if values is None or (isinstance(values, float) and values != values) else str(values)


def dataset_display(table: pd.DataFrame) -> pd.DataFrame:
    """The datasets table with readable headers and list cells joined into text."""
    out = table[[col for col in DATASET_COLUMNS if col in table]].copy()
    for column in ("hubs", "ncps", "academic_years", "phases", "work_groups"):
        if column in out:
            out[column] = out[column].map(_joined)
    if "kind" in out:
        out["kind"] = out["kind"].map({"survey": "Teacher survey", "pupil": "Pupil scores"})
    return out.rename(columns=DATASET_COLUMNS)


def dataset_label(table: pd.DataFrame) -> Callable[[Any], str]:
    """A format_func naming a dataset by id, file, kind and size."""
    rows = table.set_index("dataset_id")

    def label(dataset_id: Any) -> str:
        row = rows.loc[dataset_id]
        kind = "survey" if row["kind"] == "survey" else "pupil scores"
        return f"#{dataset_id} {row['file_name']} ({kind}, {int(row['n_rows'])} rows)"

    return label


def audit_display(entries: pd.DataFrame) -> pd.DataFrame:
    """The audit log with readable headers; the detail column as text."""
    out = entries.copy()
    if "detail" in out:
        out["detail"] = out["detail"].map(
            lambda d: ", ".join(f"{k}: {v}" for k, v in d.items()) if isinstance(d, dict) else d
        )
    return out.rename(
        columns={
            "entry_id": "Entry",
            "at": "When (UTC)",
            "who": "Who",
            "action": "Action",
            "dataset_id": "Dataset",
            "new_dataset_id": "New dataset",
            "reason": "Reason",
            "detail": "Detail",
        }
    )
