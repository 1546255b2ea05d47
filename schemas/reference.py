"""Reference data: the hubs, projects, Likert label sets and national MTC figures.

The CSV files beside this module are the source of truth; each is checked by a Pandera model
when it is loaded, and loading is cached so every caller shares one copy.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

REFERENCE_DIR = Path(__file__).parent / "reference"

REGIONS = (
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)


class HubTable(pa.DataFrameModel):
    """The Maths Hubs: one row per hub."""

    name: Series[str] = pa.Field(unique=True, str_length={"min_value": 3})
    short_name: Series[str] = pa.Field(unique=True)
    region: Series[str] = pa.Field(isin=REGIONS)
    status: Series[str] = pa.Field(isin=["confirmed", "unconfirmed"])
    note: Series[str] = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True


class NcpTable(pa.DataFrameModel):
    """The Network Collaborative Projects: one row per project."""

    code: Series[str] = pa.Field(unique=True, str_matches=r"^[A-Z0-9][A-Z0-9-]*$")
    name: Series[str] = pa.Field(unique=True)
    phase: Series[str]
    note: Series[str] = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True


class LikertLabelTable(pa.DataFrameModel):
    """Answer labels and their scores, one row per (label set, label)."""

    label_set: Series[str]
    score: Series[int] = pa.Field(ge=0, le=10)
    label: Series[str]
    canonical: Series[bool]

    @pa.dataframe_check
    @classmethod
    def one_canonical_label_per_score(cls, df: pd.DataFrame) -> bool:
        """Each score of a label set has exactly one canonical label."""
        counts = df[df["canonical"]].groupby(["label_set", "score"]).size()
        return bool((counts == 1).all())

    @pa.dataframe_check
    @classmethod
    def labels_unique_within_set(cls, df: pd.DataFrame) -> bool:
        """A label (ignoring case and spaces) means one score within its set."""
        key = df["label"].str.casefold().str.split().str.join(" ")
        return not pd.concat([df["label_set"], key], axis=1).duplicated().any()

    class Config:
        strict = True
        coerce = True


class MtcNationalTable(pa.DataFrameModel):
    """National Multiplication Tables Check results, one row per academic year."""

    academic_year: Series[str] = pa.Field(unique=True, str_matches=r"^\d{4}/\d{2}$")
    mean_score: Series[float] = pa.Field(ge=0, le=25)
    pct_full_marks: Series[float] = pa.Field(ge=0, le=100)
    mean_boys: Series[float] = pa.Field(ge=0, le=25, nullable=True)
    mean_girls: Series[float] = pa.Field(ge=0, le=25, nullable=True)
    mean_disadvantaged: Series[float] = pa.Field(ge=0, le=25, nullable=True)
    mean_not_disadvantaged: Series[float] = pa.Field(ge=0, le=25, nullable=True)
    status: Series[str]
    source: Series[str]

    class Config:
        strict = True
        coerce = True


class EefMonthsTable(pa.DataFrameModel):
    """EEF conversion of effect sizes to months' additional progress."""

    months: Series[int] = pa.Field(ge=0, unique=True)
    effect_size_min: Series[float]
    effect_size_max: Series[float]
    label: Series[str]

    @pa.dataframe_check
    @classmethod
    def bands_ordered(cls, df: pd.DataFrame) -> bool:
        """Bands are ordered and do not overlap."""
        return bool(
            (df["effect_size_min"] <= df["effect_size_max"]).all()
            and df["effect_size_min"].is_monotonic_increasing
        )

    class Config:
        strict = True
        coerce = True


class EefSecurityTable(pa.DataFrameModel):
    """EEF security rating ("padlocks"): design, MDES and attrition thresholds per rating."""

    padlocks: Series[int] = pa.Field(ge=0, le=5, unique=True)
    design_key: Series[str] = pa.Field(unique=True, str_matches=r"^[a-z_]+$")
    design: Series[str]
    mdes_max: Series[float] = pa.Field(gt=0, nullable=True)
    attrition_max_pct: Series[int] = pa.Field(ge=0, le=100)

    @pa.dataframe_check
    @classmethod
    def stricter_for_more_padlocks(cls, df: pd.DataFrame) -> bool:
        """More padlocks never allow a larger MDES or more attrition."""
        ordered = df.sort_values("padlocks", ascending=False)
        mdes = ordered["mdes_max"].fillna(float("inf"))
        return bool(
            mdes.is_monotonic_increasing and ordered["attrition_max_pct"].is_monotonic_increasing
        )

    class Config:
        strict = True
        coerce = True


class InstrumentTable(pa.DataFrameModel):
    """A survey instrument: one row per Likert item."""

    item: Series[str] = pa.Field(unique=True, str_matches=r"^[A-Za-z_][A-Za-z0-9_]*$")
    text: Series[str]
    construct: Series[str]
    reverse: Series[bool]
    label_set: Series[str]

    class Config:
        strict = True
        coerce = True


def _load(file_name: str, model: type[pa.DataFrameModel]) -> pd.DataFrame:
    frame = pd.read_csv(REFERENCE_DIR / file_name, dtype=str, keep_default_na=False)
    frame = frame.replace({"": None})
    for column in ("canonical", "reverse"):
        if column in frame:
            flags = frame[column].str.strip().str.lower()
            frame[column] = flags.map({"true": True, "false": False})
    return model.validate(frame)


@cache
def hubs() -> pd.DataFrame:
    """The 40 Maths Hubs with short name and region.

    Examples
    --------
    >>> len(hubs())
    40
    >>> hubs().set_index("name").loc["Solent Maths Hub", "region"]
    'South East'
    """
    return _load("maths_hubs.csv", HubTable)


@cache
def ncps() -> pd.DataFrame:
    """The Network Collaborative Projects with code, name and phase.

    Examples
    --------
    >>> ncps().set_index("code").loc["MN-KS2", "name"]
    'Mastering Number at KS2'
    """
    return _load("ncps.csv", NcpTable)


@cache
def likert_labels() -> pd.DataFrame:
    """Likert answer labels with their scores (agreement, confidence, frequency).

    Examples
    --------
    >>> sorted(likert_labels()["label_set"].unique())
    ['agreement', 'confidence', 'frequency']
    """
    return _load("likert_labels.csv", LikertLabelTable)


@cache
def mtc_national() -> pd.DataFrame:
    """National MTC mean score and % full marks by academic year.

    Examples
    --------
    >>> float(mtc_national().set_index("academic_year").loc["2022/23", "mean_score"])
    20.2
    """
    return _load("mtc_national.csv", MtcNationalTable)


@cache
def eef_months() -> pd.DataFrame:
    """EEF months' additional progress bands (pupil attainment only).

    Examples
    --------
    >>> int(eef_months()["months"].max())
    12
    """
    return _load("eef_months_progress.csv", EefMonthsTable)


@cache
def eef_security() -> pd.DataFrame:
    """EEF security rating thresholds: one row per number of padlocks (5 down to 0).

    ``design_key`` names the kind of design (``randomised`` ... ``none``); ``mdes_max`` is the
    largest MDES (2 d.p.) and ``attrition_max_pct`` the largest attrition (whole %) for the
    rating; a missing ``mdes_max`` means no limit.

    Examples
    --------
    >>> int(eef_security().set_index("design_key").loc["comparison_pretest", "padlocks"])
    2
    """
    return _load("eef_security.csv", EefSecurityTable)


@cache
def default_instrument_table() -> pd.DataFrame:
    """The default teacher survey instrument as a table (one row per item).

    Examples
    --------
    >>> default_instrument_table()["construct"].nunique()
    3
    """
    return _load("default_instrument.csv", InstrumentTable)


HEADER_ALIAS_TARGETS = (
    "respondent_id",
    "email",
    "phase",
    "academic_year",
    "hub",
    "ncp",
    "work_group",
    "school_urn",
    "school_phase",
    "role",
    "submitted_at",
    "pupil_id",
    "year_group",
    "assessed_on",
    "measure",
    "score",
    "disadvantaged",
    "sex",
    "sen",
    "eal",
    "group",
    "ignore",
)


class HeaderAliasTable(pa.DataFrameModel):
    """Column headers seen in real exports and the canonical column each one means."""

    alias: Series[str] = pa.Field(str_length={"min_value": 1})
    column: Series[str] = pa.Field(isin=HEADER_ALIAS_TARGETS)
    kind: Series[str] = pa.Field(isin=["survey", "pupil", "any"])
    match: Series[str] = pa.Field(isin=["exact", "contains"])

    @pa.dataframe_check
    @classmethod
    def alias_means_one_thing_per_kind(cls, df: pd.DataFrame) -> bool:
        """An alias (ignoring case, spaces and punctuation) means one column per kind of file."""
        key = df["alias"].str.casefold().str.replace(r"[\W_]+", " ", regex=True).str.strip()
        for kind in ("survey", "pupil"):
            mask = df["kind"].isin([kind, "any"])
            if key[mask].duplicated().any():
                return False
        return True

    class Config:
        strict = True
        coerce = True


@cache
def header_aliases() -> pd.DataFrame:
    """Header aliases: the canonical ``column`` a heading in an export means, by ``kind`` of file.

    ``kind`` is survey, pupil or any; ``column`` ``ignore`` marks metadata that is never kept;
    ``match`` ``contains`` also matches a short heading containing the alias ("What is your
    participant code?").

    Examples
    --------
    >>> table = header_aliases().set_index("alias")
    >>> table.loc["participant code", "column"]
    'respondent_id'
    >>> table.loc["maths hub", "column"]
    'hub'
    """
    return _load("header_aliases.csv", HeaderAliasTable)


PLATFORMS = ("surveymonkey", "microsoft_forms", "google_forms", "qualtrics", "any")
PLATFORM_MEANINGS = ("ignore", "second_header", "not_an_email")


class PlatformColumnTable(pa.DataFrameModel):
    """Quirks of survey platforms' exports: headings and cells that mean something special."""

    platform: Series[str] = pa.Field(isin=PLATFORMS)
    text: Series[str] = pa.Field(str_length={"min_value": 1})
    meaning: Series[str] = pa.Field(isin=PLATFORM_MEANINGS)
    reason: Series[str] = pa.Field(str_length={"min_value": 1})

    @pa.dataframe_check
    @classmethod
    def one_reason_per_ignored_heading(cls, df: pd.DataFrame) -> bool:
        """A heading (ignoring case, spaces and punctuation) is ignored for one reason."""
        key = df["text"].str.casefold().str.replace(r"[\W_]+", " ", regex=True).str.strip()
        ignored = df["meaning"] == "ignore"
        return not key[ignored].duplicated().any()

    class Config:
        strict = True
        coerce = True


@cache
def platform_columns() -> pd.DataFrame:
    """Export-platform quirks: ``text`` (a heading or cell as the platform writes it), what it
    ``meaning`` is and the ``reason`` (for ``ignore``, the words shown to users).

    ``ignore`` headings of a platform are dropped in that platform's exports; ``second_header``
    cells mark SurveyMonkey's second header row; ``not_an_email`` is a cell of an email column
    that holds no address.

    Examples
    --------
    >>> table = platform_columns().set_index("text")
    >>> table.loc["ID", "reason"]
    'response number (not a person)'
    """
    return _load("platform_columns.csv", PlatformColumnTable)
