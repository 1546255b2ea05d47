"""Shared dashboard plumbing, one module per role; pages write ``import app_support as ui``.

This file only re-exports. Where things live:

- :mod:`~app_support.store_access`: the store, opened once, and its version.
- :mod:`~app_support.auth`: who is viewing (sign-in, roles, the gate page).
- :mod:`~app_support.navigation`: the pages, their sections, who is offered which, links.
- :mod:`~app_support.filtering`: the sidebar filters as a value; :mod:`~app_support.sidebar`
  draws them.
- :mod:`~app_support.caching`: every ``st.cache_data``, keyed on store version and viewer.
- :mod:`~app_support.data`: rows, datasets and audit the viewer may see.
- :mod:`~app_support.comparisons`: hubs and projects beside the national pool.
- :mod:`~app_support.board_packs`: building and downloading board packs.
- :mod:`~app_support.widgets`, :mod:`~app_support.errors`: drawing helpers, friendly errors.
- :mod:`~app_support.templates`, :mod:`~app_support.dataset_tables`: upload templates, the
  datasets and audit tables for people.

Nothing here computes a statistic (that is evaluation/). :mod:`~app_support.views` (page
sections), :mod:`~app_support.upload` (the upload flow) and :mod:`~app_support.theme_counts` (the
Themes page's counts, kept across uploads) are imported by the pages that use them.
"""

from app_support.auth import current_access, current_viewer
from app_support.board_packs import (
    board_pack,
    board_pack_downloads,
    chromium_available,
    may_build_board_pack,
)
from app_support.caching import cached, clear_caches, lasting, shared
from app_support.comparisons import (
    hub_comparison,
    hub_trend,
    hub_trend_key,
    national_overview,
    ncp_trend,
)
from app_support.data import (
    DataSummary,
    active_datasets,
    audit_log,
    available_years,
    comparison_rows,
    data_summary,
    datasets,
    has_project_rows,
    pupils,
    results_by,
    rows_cache_key,
    survey_text,
    surveys,
)
from app_support.dataset_tables import (
    DATASET_COLUMNS,
    audit_display,
    dataset_display,
    dataset_label,
)
from app_support.errors import (
    FRIENDLY_MESSAGE,
    ROOT,
    error_details,
    friendly,
    friendly_errors,
    show_error,
)
from app_support.filtering import (
    EDUCATION_PHASES,
    FILTER_KEYS,
    Filters,
    all_label,
    filters,
    hubs_for,
    ncps_in_phase,
    restrict,
)
from app_support.navigation import (
    NATIONAL_ONLY_PAGES,
    PAGES,
    SECTIONS,
    link,
    pages_for,
    run_through_app,
    sections_for,
)
from app_support.sidebar import sidebar_filters
from app_support.store_access import data_version, get_store, store_location, uses_default_store
from app_support.templates import instrument_table, pupil_template, survey_template
from app_support.widgets import (
    PLOTLY_CONFIG,
    chart_with_reading,
    download_table,
    empty_state,
    filters_caption,
    page_header,
    plain,
    show_chart,
    table_toggle_key,
)

__all__ = [
    "DATASET_COLUMNS",
    "EDUCATION_PHASES",
    "FILTER_KEYS",
    "FRIENDLY_MESSAGE",
    "NATIONAL_ONLY_PAGES",
    "PAGES",
    "PLOTLY_CONFIG",
    "ROOT",
    "SECTIONS",
    "DataSummary",
    "Filters",
    "active_datasets",
    "all_label",
    "audit_display",
    "audit_log",
    "comparison_rows",
    "available_years",
    "board_pack",
    "board_pack_downloads",
    "cached",
    "chart_with_reading",
    "chromium_available",
    "clear_caches",
    "current_access",
    "current_viewer",
    "data_summary",
    "data_version",
    "dataset_display",
    "dataset_label",
    "datasets",
    "download_table",
    "has_project_rows",
    "empty_state",
    "error_details",
    "filters",
    "filters_caption",
    "friendly",
    "friendly_errors",
    "get_store",
    "hub_comparison",
    "hub_trend",
    "hub_trend_key",
    "hubs_for",
    "instrument_table",
    "lasting",
    "link",
    "may_build_board_pack",
    "national_overview",
    "ncp_trend",
    "ncps_in_phase",
    "page_header",
    "pages_for",
    "plain",
    "pupil_template",
    "pupils",
    "restrict",
    "results_by",
    "rows_cache_key",
    "run_through_app",
    "sections_for",
    "shared",
    "show_chart",
    "table_toggle_key",
    "show_error",
    "sidebar_filters",
    "store_location",
    "survey_template",
    "survey_text",
    "surveys",
    "uses_default_store",
]
