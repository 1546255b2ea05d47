"""The Pandera contract for a pupil assessment table (one row per pupil per assessment).

MTC scores are whole numbers 0-25; other measures are only checked to be numbers until their own
range is registered.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from evaluation import columns as c
from evaluation.columns import MTC_MAX
from schemas.coding import passes, repeated
from schemas.survey import SharedColumns

# MTC_MAX is defined once, in evaluation.columns; re-exported here beside the check that uses it.
__all__ = ["MEASURE_RANGES", "MTC", "MTC_MAX", "SCORE_KEYS", "PupilTable", "pupil_schema"]

MTC = "MTC"
# Ranges of the measures we know; a score of another measure is only checked to be a number.
MEASURE_RANGES = {MTC: (0, MTC_MAX)}
SCORE_KEYS = (c.PUPIL_ID, c.PHASE, c.MEASURE, c.ACADEMIC_YEAR)


class PupilTable(SharedColumns):
    """Pupil assessment scores: one row per pupil per phase per measure.

    Examples
    --------
    >>> frame = pd.DataFrame({
    ...     "pupil_id": ["p1", "p2"], "school_urn": pd.array([123456, 123456], dtype="Int64"),
    ...     "hub": ["Solent Maths Hub"] * 2, "ncp": ["Mastering Number at KS2"] * 2,
    ...     "academic_year": ["2024/25"] * 2, "year_group": pd.array([4, 4], dtype="Int64"),
    ...     "phase": ["pre", "pre"], "assessed_on": pd.to_datetime([None, None]),
    ...     "measure": ["MTC", "MTC"], "score": [25.0, 26.0], "source_row": [2, 3],
    ... })
    >>> try:
    ...     PupilTable.validate(frame, lazy=True)
    ... except pa.errors.SchemaErrors as exc:
    ...     sorted(set(exc.failure_cases["check"]))
    ['mtc_scores_are_whole_numbers_0_to_25']
    """

    pupil_id: Series[str] = pa.Field(alias=c.PUPIL_ID)
    school_urn: Series[pd.Int64Dtype] = pa.Field(ge=100000, le=999999, alias=c.SCHOOL_URN)
    year_group: Series[pd.Int64Dtype] = pa.Field(ge=-1, le=14, nullable=True, alias=c.YEAR_GROUP)
    assessed_on: Series[pa.DateTime] = pa.Field(nullable=True, alias=c.ASSESSED_ON)
    measure: Series[str] = pa.Field(alias=c.MEASURE)
    score: Series[float] = pa.Field(alias=c.SCORE)
    source_row: Series[int] = pa.Field(ge=2, alias=c.SOURCE_ROW)

    @pa.dataframe_check
    @classmethod
    def mtc_scores_are_whole_numbers_0_to_25(cls, df: pd.DataFrame) -> Series[bool] | bool:
        """A Multiplication Tables Check score is a whole number from 0 to 25."""
        score = df[c.SCORE]
        ok = score.between(0, MTC_MAX) & (np.floor(score) == score)
        return passes((df[c.MEASURE] != MTC) | score.isna() | ok)

    @pa.dataframe_check
    @classmethod
    def one_score_per_pupil_per_phase(cls, df: pd.DataFrame) -> Series[bool] | bool:
        """A pupil has one score per measure in each phase (pre or post) of a year."""
        keys = [k for k in SCORE_KEYS if k in df]
        return passes(df[c.PUPIL_ID].isna() | ~repeated(df, keys))

    class Config:
        strict = False
        coerce = False


def pupil_schema(*, skip: Iterable[str] = ()) -> pa.DataFrameSchema:
    """The pupil schema without the columns named in ``skip`` (already reported missing).

    Examples
    --------
    >>> "hub" in pupil_schema(skip=["hub"]).columns
    False
    """
    schema = PupilTable.to_schema()
    skip = [s for s in skip if s in schema.columns]
    return schema.remove_columns(skip) if skip else schema
