"""The Pandera contract for a participant survey table (wide: one row per respondent per phase).

Item columns depend on the instrument, so :func:`survey_schema` adds them to :class:`SurveyTable`;
hub and project names are checked against the reference data loaded once at import.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from evaluation import columns as c
from schemas import reference
from schemas.coding import all_in, distinct_values, in_range, missing_count, passes, repeated

__all__ = [
    "ACADEMIC_YEAR_PATTERN",
    "HUB_NAMES",
    "KNOWN_NAMES",
    "NCP_NAMES",
    "PHASES",
    "RESPONSE_KEYS",
    "SharedColumns",
    "SurveyTable",
    "academic_year_ok",
    "item_column",
    "survey_schema",
]

PHASES = c.PHASES
ACADEMIC_YEAR_PATTERN = r"^\d{4}/\d{2}$"
HUB_NAMES = tuple(reference.hubs()["name"])
NCP_NAMES = tuple(reference.ncps()["name"])
KNOWN_NAMES = {
    c.PHASE: frozenset(PHASES),
    c.HUB: frozenset(HUB_NAMES),
    c.NCP: frozenset(NCP_NAMES),
    c.GROUP: frozenset(c.GROUPS),
}
# Rows that describe the same respondent answering the same survey.
RESPONSE_KEYS = (c.RESPONDENT_ID, c.PHASE, c.ACADEMIC_YEAR, c.HUB, c.NCP, c.WORK_GROUP)


def academic_year_ok(years: pd.Series) -> pd.Series:
    """True where a value is an academic year in 2024/25 form (consecutive years).

    Examples
    --------
    >>> academic_year_ok(pd.Series(["2024/25", "2024/26", "2024-25", "1999/00"])).tolist()
    [True, False, False, True]
    """
    text = pd.Series(distinct_values(years), dtype="str")  # a few years in a long column
    form = text.str.fullmatch(ACADEMIC_YEAR_PATTERN).fillna(False).astype(bool)
    start = pd.to_numeric(text.str.slice(0, 4).where(form), errors="coerce")
    end = pd.to_numeric(text.str.slice(5, 7).where(form), errors="coerce")
    good = set(text[(form & ((start + 1) % 100 == end)).to_numpy(dtype=bool)])
    if len(good) == len(text) and not years.isna().any():
        return pd.Series(True, index=years.index)
    return years.isin(list(good))  # missing -> False


class SharedColumns(pa.DataFrameModel):
    """The columns every table shares: phase, academic year, hub and project (NCP).

    Examples
    --------
    >>> frame = pd.DataFrame({"phase": ["pre", "mid"], "academic_year": ["2024/25"] * 2,
    ...                       "hub": ["Solent Maths Hub"] * 2, "ncp": ["MN"] * 2})
    >>> try:
    ...     SharedColumns.validate(frame, lazy=True)
    ... except pa.errors.SchemaErrors as exc:
    ...     exc.failure_cases[["column", "index"]].values.tolist()
    [['phase', 1], ['ncp', 0], ['ncp', 1]]
    """

    phase: Series[str] = pa.Field(alias=c.PHASE)
    academic_year: Series[str] = pa.Field(alias=c.ACADEMIC_YEAR)
    hub: Series[str] = pa.Field(alias=c.HUB)
    ncp: Series[str] = pa.Field(alias=c.NCP)
    group: Series[str] | None = pa.Field(nullable=True, alias=c.GROUP)

    @pa.check(c.PHASE, c.HUB, c.NCP, c.GROUP, name="isin")
    def known_name(cls, names: Series[str]) -> Series[bool] | bool:
        """A phase is pre or post; a hub or project is one in the reference data; a group is
        intervention or comparison (or blank)."""
        return passes(all_in(names, KNOWN_NAMES[str(names.name)]))

    @pa.check(c.ACADEMIC_YEAR, name="academic_year_form")
    def academic_year_form(cls, years: Series[str]) -> Series[bool] | bool:
        """An academic year is written 2024/25: a start year and the next year's last two digits."""
        return passes(academic_year_ok(years))


class SurveyTable(SharedColumns):
    """Participant survey answers: one row per respondent per phase, one float column per item.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "respondent_id": ["ab12", "ab12"], "phase": ["pre", "pre"],
    ...     "academic_year": ["2024/25"] * 2, "hub": ["Solent Maths Hub"] * 2,
    ...     "ncp": ["Mastering Number at KS2"] * 2, "work_group": ["WG1"] * 2,
    ...     "school_urn": pd.array([123456, None], dtype="Int64"), "school_phase": [None] * 2,
    ...     "role": [None] * 2, "submitted_at": pd.to_datetime([None, None]), "source_row": [2, 3],
    ... }).astype({"school_phase": "str", "role": "str"})
    >>> try:
    ...     SurveyTable.validate(frame, lazy=True)
    ... except pa.errors.SchemaErrors as exc:
    ...     sorted(set(exc.failure_cases["check"]))
    ['one_response_per_respondent_per_phase']
    """

    respondent_id: Series[str] = pa.Field(nullable=True, alias=c.RESPONDENT_ID)
    work_group: Series[str] = pa.Field(nullable=True, alias=c.WORK_GROUP)
    school_urn: Series[pd.Int64Dtype] = pa.Field(
        ge=100000, le=999999, nullable=True, alias=c.SCHOOL_URN
    )
    school_phase: Series[str] = pa.Field(nullable=True, alias=c.SCHOOL_PHASE)
    role: Series[str] = pa.Field(nullable=True, alias=c.ROLE)
    submitted_at: Series[pa.DateTime] = pa.Field(nullable=True, alias=c.SUBMITTED_AT)
    source_row: Series[int] = pa.Field(ge=2, alias=c.SOURCE_ROW)

    @pa.dataframe_check
    @classmethod
    def one_response_per_respondent_per_phase(cls, df: pd.DataFrame) -> Series[bool] | bool:
        """A respondent answers each survey (pre or post) once."""
        if c.RESPONDENT_ID not in df:
            return True
        twice = repeated(df, [k for k in RESPONSE_KEYS if k in df])
        return passes(~twice | df[c.RESPONDENT_ID].isna())

    @pa.dataframe_check
    @classmethod
    def every_row_identified(cls, df: pd.DataFrame) -> Series[bool] | bool:
        """When a file identifies respondents (code or email), every row has an identifier."""
        if c.RESPONDENT_ID not in df:
            return True
        missing = missing_count(df[c.RESPONDENT_ID])
        return missing in (0, len(df)) or df[c.RESPONDENT_ID].notna()  # all, or an anonymous file

    class Config:
        strict = False  # item and open-text columns are added per instrument
        coerce = False


def item_column(scale_min: int, scale_max: int) -> pa.Column:
    """The schema of one Likert item column: float scores within the scale, empty allowed.

    Examples
    --------
    >>> item_column(1, 5).checks[0].error
    'in_range(1, 5)'
    """
    check = pa.Check(
        lambda scores: in_range(scores, scale_min, scale_max),
        name="in_range",
        error=f"in_range({scale_min}, {scale_max})",
        ignore_na=False,  # in_range lets empty answers pass itself, without a copy of the rest
    )
    return pa.Column(float, check, nullable=True)


def survey_schema(
    items: Iterable[str],
    *,
    scale_min: int = 1,
    scale_max: int = 5,
    skip: Iterable[str] = (),
) -> pa.DataFrameSchema:
    """The survey schema for these item columns, without the columns named in ``skip``.

    ``skip`` holds required columns already reported missing, so one missing column gives one
    problem, not one per row.

    Examples
    --------
    >>> schema = survey_schema(["conf_1"], skip=["hub"])
    >>> "conf_1" in schema.columns, "hub" in schema.columns
    (True, False)
    """
    schema = SurveyTable.to_schema()
    skip = [s for s in skip if s in schema.columns]
    if skip:
        schema = schema.remove_columns(skip)
    return schema.add_columns({item: item_column(scale_min, scale_max) for item in items})
