"""The Pandera contract for a participant survey table (wide: one row per respondent per phase).

Item columns depend on the instrument, so :func:`survey_schema` adds them to :class:`SurveyTable`;
hub and project names are checked against the reference data loaded once at import.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas import reference

PHASES = ("pre", "post")
ACADEMIC_YEAR_PATTERN = r"^\d{4}/\d{2}$"
HUB_NAMES = tuple(reference.hubs()["name"])
NCP_NAMES = tuple(reference.ncps()["name"])
# Rows that describe the same respondent answering the same survey.
RESPONSE_KEYS = ("respondent_id", "phase", "academic_year", "hub", "ncp", "work_group")


def repeated(df: pd.DataFrame, keys: list[str]) -> pd.Series:
    """True for every row whose ``keys`` (first one an id) also appear in another row.

    Rows are first compared on the id and the phase as integer codes (fast on a million rows);
    only the few rows that repeat those are compared on every key.

    Examples
    --------
    >>> df = pd.DataFrame({"id": ["a", "a", "b"], "phase": ["pre", "pre", "pre"],
    ...                    "ncp": ["x", "y", "x"]})
    >>> repeated(df, ["id", "phase"]).tolist(), repeated(df, ["id", "phase", "ncp"]).tolist()
    ([True, True, False], [False, False, False])
    """
    first, _ = pd.factorize(df[keys[0]])
    code = first.astype(np.int64)
    if len(keys) > 1:
        second, levels = pd.factorize(df[keys[1]])
        code = code * (len(levels) + 1) + second
    candidate = pd.Series(code).duplicated(keep=False).to_numpy()
    result = np.zeros(len(df), dtype=bool)
    if candidate.any():
        result[candidate] = df.loc[candidate, keys].duplicated(keep=False).to_numpy()
    return pd.Series(result, index=df.index)


def academic_year_ok(years: pd.Series) -> pd.Series:
    """True where a value is an academic year in 2024/25 form (consecutive years).

    Examples
    --------
    >>> academic_year_ok(pd.Series(["2024/25", "2024/26", "2024-25", "1999/00"])).tolist()
    [True, False, False, True]
    """
    codes, uniques = pd.factorize(years)  # a few distinct years in a long column
    text = pd.Series(uniques, dtype="str")
    form = text.str.fullmatch(ACADEMIC_YEAR_PATTERN).fillna(False).astype(bool)
    start = pd.to_numeric(text.str.slice(0, 4).where(form), errors="coerce")
    end = pd.to_numeric(text.str.slice(5, 7).where(form), errors="coerce")
    ok = np.append((form & ((start + 1) % 100 == end)).to_numpy(dtype=bool), False)
    return pd.Series(ok[codes], index=years.index)  # code -1 (missing) -> False


class SurveyTable(pa.DataFrameModel):
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

    respondent_id: Series[str] = pa.Field(nullable=True)
    phase: Series[str] = pa.Field(isin=PHASES)
    academic_year: Series[str]
    hub: Series[str] = pa.Field(isin=HUB_NAMES)
    ncp: Series[str] = pa.Field(isin=NCP_NAMES)
    work_group: Series[str] = pa.Field(nullable=True)
    school_urn: Series[pd.Int64Dtype] = pa.Field(ge=100000, le=999999, nullable=True)
    school_phase: Series[str] = pa.Field(nullable=True)
    role: Series[str] = pa.Field(nullable=True)
    submitted_at: Series[pa.DateTime] = pa.Field(nullable=True)
    source_row: Series[int] = pa.Field(ge=2)

    @pa.check("academic_year", name="academic_year_form")
    def academic_year_form(cls, years: Series[str]) -> Series[bool]:
        """An academic year is written 2024/25: a start year and the next year's last two digits."""
        return academic_year_ok(years)

    @pa.dataframe_check
    @classmethod
    def one_response_per_respondent_per_phase(cls, df: pd.DataFrame) -> Series[bool]:
        """A respondent answers each survey (pre or post) once."""
        if "respondent_id" not in df:
            return pd.Series(True, index=df.index)
        return ~repeated(df, [k for k in RESPONSE_KEYS if k in df]) | df["respondent_id"].isna()

    @pa.dataframe_check
    @classmethod
    def every_row_identified(cls, df: pd.DataFrame) -> Series[bool]:
        """When a file identifies respondents (code or email), every row has an identifier."""
        if "respondent_id" not in df:
            return pd.Series(True, index=df.index)
        present = df["respondent_id"].notna()
        return present | (not present.any())

    class Config:
        strict = False  # item and open-text columns are added per instrument
        coerce = False


def item_column(scale_min: int, scale_max: int) -> pa.Column:
    """The schema of one Likert item column: float scores within the scale, empty allowed.

    Examples
    --------
    >>> item_column(1, 5).checks[0].name
    'in_range'
    """
    return pa.Column(float, pa.Check.in_range(scale_min, scale_max), nullable=True)


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
