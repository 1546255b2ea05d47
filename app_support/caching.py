"""Every cache of the dashboard, keyed on store location, store version and viewer.

A new upload changes the store's version, so every cached read and analysis is redone at once,
except what is keyed on the data it is computed from: row loads (:func:`cached_rows_key`, the
datasets they read), :func:`lasting` results (digests of their inputs), the hub-level kept
tables (only the changed ones are decoded again, :func:`decode_tables_since`) and what a
:func:`holder` keeps (a result the next one is updated from, as the Themes page's tags).
The ``_viewer`` arguments are not hashed: the ``viewer_key`` beside them stands for them.

Rows and kept tables are ``st.cache_resource``: one shared frame, handed out without the copy
``st.cache_data`` makes on every hit (a national frame takes seconds to unpickle). Callers get
them through :mod:`app_support.data`, which hands out shallow copies (with pandas'
copy-on-write, changing one never changes the cached frame).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from app_support.auth import current_viewer, viewer_key
from app_support.filtering import filters, phase_filter
from app_support.store_access import data_version, open_store, store_location
from evaluation import access
from evaluation.access import Viewer
from evaluation.instruments import Instrument
from evaluation.store.decoded import decode_tables_since
from evaluation.store.results import HUB_KEYS

__all__ = [
    "POOLING_VIEWER_KEY",
    "cache_key",
    "cached",
    "cached_audit",
    "cached_board_pack",
    "cached_comparison_rows",
    "cached_datasets",
    "cached_pooling_pupils",
    "cached_pooling_rows",
    "cached_pupils",
    "cached_results_by",
    "cached_rows_key",
    "cached_survey_text",
    "cached_surveys",
    "clear_caches",
    "holder",
    "lasting",
    "shared",
]

R = TypeVar("R")

# The cache key of the internal national viewer that reads every hub's rows for pooled values.
POOLING_VIEWER_KEY = "national|pooling"


def cache_key() -> tuple[str, str, str]:
    """(store location, store version, viewer key) for the current run: every cache's prefix."""
    return store_location(), data_version(), viewer_key(current_viewer())


def cached(name: str, func: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """Call ``func(*args, **kwargs)`` once per store version, filters and viewer.

    ``name`` plus the current filters identify the call: use it for analyses of the data the
    loaders return for the current filters (the arguments themselves are not hashed).
    """
    return _cached_call(*cache_key(), filters().key(), name, repr(kwargs), func, args, kwargs)


def shared(name: str, func: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """As :func:`cached`, but the result is kept as one shared object (``st.cache_resource``).

    For large intermediate results that several cached analyses start from: they are never
    pickled. The caller must not change what it gets (pandas' copy-on-write makes derived
    frames safe).
    """
    return _shared_call(*cache_key(), filters().key(), name, repr(kwargs), func, args, kwargs)


def lasting(name: str, func: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """``func(*args, **kwargs)`` kept as one shared object across store versions.

    Only for results that ``name`` fully determines, such as a digest of the kept tables they
    are drawn from (an upload elsewhere leaves those bytes, and so the result, unchanged).
    The caller must not change what it gets.
    """
    return _lasting_call(store_location(), name, repr(kwargs), func, args, kwargs)


@st.cache_resource(show_spinner=False, max_entries=64)
def _lasting_call(
    location: str,
    name: str,
    kwargs_key: str,
    _func: Callable[..., Any],
    _args: tuple,
    _kwargs: dict,
) -> Any:
    return _func(*_args, **_kwargs)


def holder(name: str) -> dict[str, Any]:
    """A dict kept across store versions under ``name``: where a result is left for the next
    store version's result to start from (see :mod:`app_support.theme_counts`).

    ``name`` must tell apart everything but the data that the result depends on (the viewer
    key and filters, say); its own 16 places, so other caches filling up never push it out.
    """
    return _holder(store_location(), name)


@st.cache_resource(show_spinner=False, max_entries=16)
def _holder(location: str, name: str) -> dict[str, Any]:
    return {}


@st.cache_resource(show_spinner=False, max_entries=16)
def _shared_call(
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
    shared = (cached_surveys, cached_survey_text, cached_pupils, cached_results_by)
    lasting_ones = (_lasting_call, _decoded_holder, _holder, cached_rows_key)
    for function in (*shared, cached_pooling_rows, _shared_call, *lasting_ones):
        function.clear()


@st.cache_resource(show_spinner=False, max_entries=16)
def cached_surveys(
    location: str, version: str, viewer_key: str, fkey: tuple, _viewer: Viewer
) -> tuple[pd.DataFrame, Instrument]:
    """Survey rows ``_viewer`` may see for the filters ``fkey`` (open text as they may)."""
    academic_year, hub, ncp, education_phase = fkey
    frame, instrument = open_store(location).load_surveys(
        _viewer, academic_year=academic_year, hub=hub, ncp=ncp
    )
    frame = access.without_open_text(frame, _viewer)
    return phase_filter(frame, education_phase), instrument


@st.cache_resource(show_spinner=False, max_entries=16)
def cached_pupils(
    location: str, version: str, viewer_key: str, fkey: tuple, _viewer: Viewer
) -> pd.DataFrame:
    """Pupil rows ``_viewer`` may see for the filters ``fkey``."""
    academic_year, hub, ncp, education_phase = fkey
    frame = open_store(location).load_pupils(_viewer, academic_year=academic_year, hub=hub, ncp=ncp)
    return phase_filter(frame, education_phase)


@st.cache_resource(show_spinner=False, max_entries=8)
def cached_survey_text(
    location: str, version: str, viewer_key: str, fkey: tuple, _viewer: Viewer
) -> pd.DataFrame:
    """Open answers (NCP, phase, row, ``text_*``) of the survey rows of :func:`cached_surveys`."""
    academic_year, hub, ncp, education_phase = fkey
    frame = open_store(location).load_survey_text(
        _viewer, academic_year=academic_year, hub=hub, ncp=ncp
    )
    return phase_filter(access.without_open_text(frame, _viewer), education_phase)


@st.cache_data(show_spinner=False, max_entries=16)
def cached_datasets(location: str, version: str, viewer_key: str, _viewer: Viewer) -> pd.DataFrame:
    """Every dataset ``_viewer`` may see, with provenance."""
    return open_store(location).list_datasets(_viewer)


@st.cache_data(show_spinner=False, max_entries=16)
def cached_audit(location: str, version: str, viewer_key: str, _viewer: Viewer) -> pd.DataFrame:
    """The audit log ``_viewer`` may see."""
    return open_store(location).audit_log(_viewer)


@st.cache_data(show_spinner=False, max_entries=16)
def cached_comparison_rows(
    location: str, version: str, viewer_key: str, kind: str, _viewer: Viewer
) -> int:
    """How many active ``kind`` rows ``_viewer`` may see are comparison rows (Home's counts)."""
    return open_store(location).comparison_rows(_viewer, kind)


@st.cache_resource(show_spinner=False, max_entries=8)
def cached_results_by(
    location: str, version: str, viewer_key: str, by: tuple[str, ...], _viewer: Viewer
) -> pd.DataFrame:
    """Change per group over every survey row ``_viewer`` may see, paired rows allowing for
    teachers in the same Work Group (:func:`evaluation.analysis.compare_clustered`).

    By academic year, hub and NCP it is read from the store's kept results (computed when the
    data changed), except for a lead, whose rows are only part of each hub's.
    """
    store = open_store(location)
    if tuple(by) == HUB_KEYS:
        found = store.kept_table_bytes(_viewer)
        if found is not None:
            # Only the tables an upload changed are decoded again (the rest are reused).
            holder = _decoded_holder(location, viewer_key)
            decoded = decode_tables_since([blob for _, blob in found], holder.get("last"))
            holder["last"] = decoded
            return decoded.frame
    # Imported on first use: SciPy and the statistics cost seconds at start-up, which the
    # sign-in page and Home need not wait for.
    from evaluation import columns as c
    from evaluation.analysis.survey import compare_clustered
    from evaluation.stats.scoring import to_long

    frame, instrument = store.load_surveys(_viewer)
    if frame.empty:
        return pd.DataFrame()
    long = to_long(frame, instrument, keys=tuple(dict.fromkeys((*by, c.WORK_GROUP))))
    return compare_clustered(long, by=list(by), constructs=instrument.constructs)


@st.cache_resource(show_spinner=False, max_entries=16)
def _decoded_holder(location: str, viewer_key: str) -> dict:
    """The last hub-level kept tables decoded for a viewer (reused across store versions)."""
    return {}


@st.cache_data(show_spinner=False, max_entries=64)
def cached_rows_key(
    location: str, version: str, viewer_key: str, kind: str, fkey: tuple, _viewer: Viewer
) -> str:
    """A digest of what a load of ``kind`` rows for the filters ``fkey`` returns ``_viewer``.

    Stored rows never change, so the viewer, the filters and the ids of the datasets the load
    decodes determine the rows: an upload into another hub leaves this key as it was. The
    loaders of :mod:`app_support.data` are kept under it instead of the store version.
    """
    academic_year, hub, ncp, _ = fkey
    ids = open_store(location).read_datasets(
        kind,  # type: ignore[arg-type]
        _viewer,
        academic_year=academic_year,
        hub=hub,
        ncp=ncp,
    )
    return hashlib.sha256(repr((kind, viewer_key, fkey, ids)).encode("utf-8")).hexdigest()


@st.cache_resource(show_spinner=False, max_entries=4)
def cached_pooling_rows(location: str, version: str, by: tuple[str, ...]) -> pd.DataFrame:
    """Every hub's results (read as the internal national pooling viewer), for pooled values.

    Hub and lead viewers only ever receive aggregates computed from this table (see
    :mod:`app_support.comparisons`), never its rows.
    """
    pooling = Viewer.national(name="national pooling (internal)")
    return cached_results_by(location, version, POOLING_VIEWER_KEY, by, pooling)


@st.cache_data(show_spinner=False, max_entries=8)
def cached_board_pack(
    location: str,
    version: str,
    viewer_key: str,
    hub: str | None,
    ncp: str | None,
    year: str,
    pdf: bool,
    _viewer: Viewer,
) -> dict[str, Any]:
    """A board pack built for ``_viewer``, as a dict (see :mod:`app_support.board_packs`)."""
    # Imported on first use, like the statistics above: the report builder is heavy.
    from evaluation.presentation.reports import build_board_pack, load_inputs

    inputs = load_inputs(open_store(location), _viewer, hub=hub, ncp=ncp)
    pack = build_board_pack(
        inputs, viewer=_viewer, academic_year=year, hub=hub, ncp=ncp, pdf=pdf, slides=True
    )
    return {
        "problem": pack.problem,
        "title": pack.title,
        "html": pack.html,
        "pdf": pack.pdf,
        "pdf_note": pack.pdf_note,
        "pptx": pack.pptx,
    }


def cached_pooling_pupils(location: str, version: str, fkey: tuple) -> pd.DataFrame:
    """Every hub's pupil rows for the filters ``fkey`` (read as the internal pooling viewer).

    For pooled impact: hub and lead viewers only ever receive pooled values computed from
    these rows (see :func:`app_support.impact_views.national_impact_section`), never the rows.
    """
    pooling = Viewer.national(name="national pooling (internal)")
    return cached_pupils(location, version, POOLING_VIEWER_KEY, fkey, pooling)
