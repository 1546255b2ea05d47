"""The canonical frame of a pupil assessment file (e.g. Multiplication Tables Check scores)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype

from evaluation import columns as c
from evaluation.instruments import default_instrument
from evaluation.io.headers import map_unique, norm_key
from evaluation.io.reader import FileDefaults, RawTable
from evaluation.validation.cells import SEX_CODES, blank_to_na, read_year_group, read_yes_no
from evaluation.validation.columns import classify
from evaluation.validation.context import (
    Context,
    assemble,
    coded_column,
    datetime_column,
    keyed_column,
    urn_column,
)
from evaluation.validation.failures import schema_problems
from evaluation.validation.messages import file_problem
from evaluation.validation.report import short, show
from schemas.pupil import MEASURE_RANGES, MTC, MTC_MAX, pupil_schema

__all__ = [
    "pupil_frame",
]


def _looks_like_survey(raw: RawTable) -> bool:
    """True when a file has columns of survey answers (read as a survey, some are questions)."""
    return bool(classify(raw, "survey", default_instrument(), None).items)


def pupil_frame(
    raw: RawTable, defaults: FileDefaults, overrides: Mapping[str, str] | None
) -> tuple[Context, pd.DataFrame, dict[str, Any]]:
    """The canonical pupil frame (pupil files have no instrument, identifier or notes)."""
    ctx = Context(raw, classify(raw, "pupil", None, overrides), "pupil")
    if c.SCORE not in ctx.columns.canonical and not overrides and _looks_like_survey(raw):
        ctx.problems.add(file_problem("error", "looks_like_survey"))
    parts: dict[str, Any] = {}
    ids = ctx.required(c.PUPIL_ID)
    parts[c.PUPIL_ID] = ctx.blank("str") if ids is None else blank_to_na(ids).astype("str")
    parts[c.SCHOOL_URN] = urn_column(ctx, required=True)
    for column in (c.HUB, c.NCP, c.ACADEMIC_YEAR, c.PHASE):  # rows are not kept per Work Group
        parts[column] = keyed_column(ctx, column, getattr(defaults, column), required=True)
    parts[c.YEAR_GROUP] = coded_column(
        ctx,
        c.YEAR_GROUP,
        read_year_group,
        "Int64",
        "a year group",
        "Write the year group as a number, e.g. 4 (or 'Year 4').",
    )
    parts[c.ASSESSED_ON] = datetime_column(
        ctx, c.ASSESSED_ON, "a date", "Write dates like 2025-06-10; this date is left blank."
    )
    parts[c.MEASURE] = _measure_column(ctx)
    parts[c.SCORE] = _score_column(ctx)
    for column in (c.DISADVANTAGED, c.SEN, c.EAL):
        parts[column] = coded_column(
            ctx,
            column,
            read_yes_no,
            "boolean",
            "yes or no",
            "Write Y or N (or leave it blank if not known).",
        )
    parts[c.SEX] = ctx.optional(
        c.SEX,
        lambda sexes: map_unique(blank_to_na(sexes), lambda v: SEX_CODES.get(norm_key(v), str(v))),
    )
    if c.GROUP in ctx.columns.canonical or defaults.group:  # only comparison data say
        parts[c.GROUP] = keyed_column(ctx, c.GROUP, defaults.group, required=False)
    parts[c.SOURCE_ROW] = raw.source_rows.astype(np.int64)
    frame = assemble(ctx, parts, [*c.PUPIL_COLUMNS, c.GROUP, c.SOURCE_ROW])
    schema_problems(ctx, frame, pupil_schema(skip=ctx.skip))
    return ctx, frame, {"notes": tuple(ctx.columns.notes)}


_MTC_WORDS = {"mtc", "multiplication tables check", "multiplication table check"}


def _measure_column(ctx: Context) -> pd.Series:
    """The measure of each score ("MTC" when not given); an unknown measure gets a warning."""
    measures = ctx.raw_values(c.MEASURE)
    if measures is None:
        return pd.Series(MTC, index=range(ctx.n), dtype="str")
    text = blank_to_na(measures)
    mapped = map_unique(text, lambda v: MTC if norm_key(v) in _MTC_WORDS else str(v)).fillna(MTC)
    for measure in sorted(set(mapped.unique()) - set(MEASURE_RANGES)):
        ctx.problems.add(
            file_problem(
                "warning",
                "unknown_measure",
                column=ctx.header(c.MEASURE),
                value=short(measure),
                measure=short(measure),
            )
        )
    return mapped


def _score_column(ctx: Context) -> np.ndarray:
    """Scores as numbers; a score that is not a number is reported once and left missing."""
    scores = ctx.required(c.SCORE)
    if scores is None:
        return np.full(ctx.n, np.nan)
    text = scores if is_numeric_dtype(scores) else blank_to_na(scores)
    numbers = pd.to_numeric(text, errors="coerce").astype(float)
    bad = (text.notna() & numbers.isna()).to_numpy()
    ctx.flag(
        "error",
        "score_not_a_number",
        bad,
        ctx.header(c.SCORE),
        scores,
        lambda v: f"'{show(v)}' is not a score.",
        f"Write the score as a number (for the MTC, a whole number from 0 to {MTC_MAX}).",
    )
    ctx.mark_reported(c.SCORE, bad)
    return numbers.to_numpy()
