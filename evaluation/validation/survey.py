"""The canonical frame of a participant survey export: identifier, questions, file-wide columns,
and the survey-only warnings (blank rows, straight-lining, post without pre).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from evaluation import columns as c
from evaluation.instruments import Instrument, canonical_labels, default_instrument
from evaluation.io.headers import norm_key
from evaluation.io.likert import label_sets, profile, score_column
from evaluation.io.platforms import not_an_email
from evaluation.io.reader import FileDefaults, RawTable
from evaluation.validation.cells import blank_to_na, casefold, tidy_labels
from evaluation.validation.columns import ITEM_SHARE, build_instrument, classify, match_item
from evaluation.validation.context import (
    DEFAULTABLE,
    Context,
    assemble,
    background,
    datetime_column,
    in_background,
    keyed_column,
    look_ahead,
    urn_column,
    year_from_times,
)
from evaluation.validation.failures import schema_problems
from evaluation.validation.kinds import pupil_headers
from evaluation.validation.messages import file_problem
from evaluation.validation.pairing import post_without_pre
from evaluation.validation.report import short, show
from schemas.coding import value_codes
from schemas.survey import survey_schema

__all__ = [
    "STRAIGHT_LINE_MIN_ITEMS",
    "survey_frame",
]

STRAIGHT_LINE_MIN_ITEMS = 4


def _looks_like_pupil_scores(raw: RawTable) -> bool:
    """True when a file's headers name pupil IDs and scores (read from the headers only)."""
    return pupil_headers(raw.headers)


def _identifier(ctx: Context) -> tuple[pd.Series, str | None, list[str]]:
    """respondent_id per row from the code column, else email; None when neither exists."""
    notes: list[str] = []
    assert ctx.raw.frame is not None
    for column in (c.RESPONDENT_ID, "email"):
        position = ctx.columns.canonical.get(column)
        if position is None:
            continue
        values = casefold(blank_to_na(ctx.raw.frame[position]))
        if column == "email":
            values = values.where(~values.isin(not_an_email()), None)
            if values.isna().all():
                header = ctx.raw.headers[position]
                ctx.columns.column_map[header] = "ignored: no email addresses (anonymous form)"
                notes.append(
                    f"The '{ctx.raw.headers[position]}' column holds no email addresses "
                    "(an anonymous form), so it cannot link pre and post."
                )
                continue
        header = ctx.raw.headers[position]
        email = ctx.columns.canonical.get("email")
        if column == c.RESPONDENT_ID and email is not None:
            ctx.columns.column_map[ctx.raw.headers[email]] = (
                "ignored: personal data (email; the participant code is used)"
            )
        ctx.written[c.RESPONDENT_ID] = header
        ctx.columns.canonical[c.RESPONDENT_ID] = position
        ctx.columns.column_map[header] = c.RESPONDENT_ID
        if column == "email":
            notes.append(
                f"No participant code column: pre and post are matched by '{header}'. "
                "Email addresses are replaced by a private code when stored."
            )
        return values.astype("str"), header, notes
    notes.append(
        "No participant code or email column: pre and post cannot be matched, so results "
        "will be unpaired (a weaker comparison)."
    )
    return pd.Series(None, index=range(ctx.n), dtype="str"), None, notes


@cache
def _labels_like_numbers() -> bool:
    """True if some answer label could be the text of a number (then numbers may fit labels)."""
    number_chars = set("0123456789 einf")  # label_key() of e.g. 3.0, 1e+20, inf
    return any(set(key) <= number_chars for labels in label_sets().values() for key in labels)


def _numbers_fit_no_label(values: pd.Series) -> bool:
    """True for a column read as numbers, none of which can be an answer label."""
    return is_numeric_dtype(values) and not is_bool_dtype(values) and not _labels_like_numbers()


def _survey_items(ctx: Context, instrument: Instrument) -> dict[str, np.ndarray]:
    scores: dict[str, np.ndarray] = {}
    low, high = instrument.scale_min, instrument.scale_max
    for item in instrument.items:
        position = ctx.columns.items.get(item.item)
        if position is None:
            scores[item.item] = np.full(ctx.n, np.nan)
            continue
        assert ctx.raw.frame is not None
        values = ctx.raw.frame[position]
        label_set = ctx.columns.item_sets.get(item.item)
        if label_set is None and _numbers_fit_no_label(values):
            label_set = item.label_set  # what profile() would choose, without counting answers
        if label_set is None:
            fitted, share, _ = profile(values)
            label_set = fitted if fitted and share >= ITEM_SHARE else item.label_set
        scored = score_column(values, label_set)
        scores[item.item] = scored.scores
        if scored.unrecognised.any():
            try:
                options = ", ".join(canonical_labels(label_set, low, high))
            except KeyError:
                options = ""
            fix = (
                f"Use one of: {options}; or a number from {low} to {high}."
                if options
                else (f"Use a number from {low} to {high}.")
            )
            ctx.flag(
                "error",
                "not_a_likert_answer",
                scored.unrecognised,
                ctx.raw.headers[position],
                values,
                lambda v: f"'{show(v)}' is not an answer we recognise for this question.",
                fix,
            )
    return scores


def _survey_warnings(ctx: Context, frame: pd.DataFrame, instrument: Instrument) -> None:
    present = [i for i in instrument.item_ids if i in ctx.columns.items]
    if not present:
        return
    matrix = frame[present].to_numpy(dtype=float)
    given = ~np.isnan(matrix)
    answered = given.sum(axis=1)
    empty = answered == 0
    ctx.flag(
        "warning",
        "empty_response",
        empty,
        None,
        None,
        lambda v: "This row has no answers to any question.",
        "Delete the row if it is a blank or test response.",
    )
    if len(present) >= STRAIGHT_LINE_MIN_ITEMS:
        # Only rows answering every question count, so "all the same" is "all equal the first".
        same = np.logical_and.reduce([matrix[:, j] == matrix[:, 0] for j in range(len(present))])
        ctx.flag(
            "warning",
            "straight_lining",
            same & (answered == len(present)),
            None,
            matrix[:, 0],
            lambda v: f"Gave the same answer ({show(v)}) to all {len(present)} questions.",
            "Check this response is genuine; it is kept in the results.",
        )
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an item nobody answered
        lowest, highest = np.nanmin(matrix, axis=0), np.nanmax(matrix, axis=0)
    counts = given.sum(axis=0)
    for j in np.flatnonzero(counts == 0):  # a question nobody answered
        ctx.problems.add(file_problem("warning", "no_answers", column=ctx.header(present[j])))
    for j in np.flatnonzero((lowest == highest) & (counts >= 2)):
        ctx.problems.add(
            file_problem(
                "warning",
                "same_answer_for_everyone",
                column=ctx.header(present[j]),
                value=show(lowest[j]),
                answer=show(lowest[j]),
            )
        )
    is_pre = (frame[c.PHASE] == "pre").to_numpy(dtype=bool, na_value=False)
    is_post = (frame[c.PHASE] == "post").to_numpy(dtype=bool, na_value=False)
    if is_pre.any() and is_post.any() and frame[c.RESPONDENT_ID].notna().any():
        # Integer codes for every id (shared with the schema's duplicate check): fast for 1M rows.
        codes, n_ids = value_codes(frame[c.RESPONDENT_ID])
        in_pre = np.zeros(n_ids + 1, dtype=bool)
        in_pre[codes[is_pre]] = True
        in_pre[-1] = True  # code -1: no id, so nothing to match
        unmatched = np.flatnonzero(is_post & ~in_pre[codes])
        for problem in post_without_pre(
            frame[c.SOURCE_ROW].to_numpy()[unmatched],
            frame[c.RESPONDENT_ID].take(unmatched).to_numpy(),  # only these become strings
            ctx.header(c.RESPONDENT_ID),
        ):
            ctx.problems.add(problem)


def survey_frame(
    raw: RawTable,
    defaults: FileDefaults,
    instrument: Instrument | None,
    overrides: Mapping[str, str] | None,
) -> tuple[Context, pd.DataFrame, dict[str, Any]]:
    """The canonical survey frame, with what else a survey's CheckedFile holds."""
    assert raw.frame is not None
    base = instrument
    if base is None:
        keys = [norm_key(h) for h in raw.headers]
        default = default_instrument()
        if any(match_item(k, default) for k in keys):
            base = default
    columns = classify(raw, "survey", base, overrides)
    if instrument is None and base is not None:
        matched = [i for i in base.items if i.item in columns.items]
        base = Instrument(
            name=base.name,
            items=tuple(matched),
            scale_min=base.scale_min,
            scale_max=base.scale_max,
            labels=base.labels,
        )
        if len(matched) == len(default_instrument().items):
            base = default_instrument()
    found = build_instrument(columns, base)
    ctx = Context(raw, columns, "survey")
    notes = list(columns.notes)
    for problem in columns.problems:
        ctx.problems.add(problem)
    if not overrides and _looks_like_pupil_scores(raw):
        ctx.problems.add(file_problem("error", "looks_like_pupil_scores"))
    if found is None or not found.items:
        ctx.problems.add(file_problem("error", "no_items"))
        found = Instrument(name="empty", items=())
    if instrument is not None:
        for item in instrument.items:
            if item.item not in columns.items:
                ctx.problems.add(
                    file_problem("warning", "missing_item", question=short(item.text, 80))
                )
    ahead = look_ahead(ctx, (*DEFAULTABLE, c.SCHOOL_PHASE, c.ROLE))
    respondent, identifier, id_notes = _identifier(ctx)
    # Coding a long id column takes a while and frees the interpreter, so it runs on another core
    # while the other columns are read; the schema's duplicate check then finds the codes ready.
    coding = (
        background().submit(value_codes, respondent)
        if in_background(len(respondent)) and identifier
        else None
    )
    notes.extend(id_notes)
    parts: dict[str, Any] = {c.RESPONDENT_ID: respondent}
    # Columns that need no look-up tables first, while other threads find the distinct values.
    parts[c.SCHOOL_URN] = urn_column(ctx, required=False)
    parts[c.SUBMITTED_AT] = datetime_column(
        ctx,
        c.SUBMITTED_AT,
        "a date and time",
        "Write dates like 2024-09-14 10:05; the time of this response is left blank.",
    )
    parts[c.SOURCE_ROW] = raw.source_rows.astype(np.int64)
    parts.update(_survey_items(ctx, found))
    for name, position in columns.texts.items():
        parts[name] = blank_to_na(raw.frame[position]).astype("str")
    for future in ahead:
        future.result()
    if c.ACADEMIC_YEAR not in columns.canonical and not (defaults.academic_year or "").strip():
        year, note = year_from_times(ctx, parts[c.SUBMITTED_AT])
        if year is not None:
            defaults = replace(defaults, academic_year=year)
        if note is not None:
            notes.append(note)
    for column in DEFAULTABLE:
        parts[column] = keyed_column(
            ctx, column, getattr(defaults, column), required=column in c.SURVEY_REQUIRED
        )
    for column in (c.SCHOOL_PHASE, c.ROLE):
        parts[column] = ctx.optional(column, tidy_labels)
    if c.GROUP in ctx.columns.canonical or defaults.group:
        parts[c.GROUP] = keyed_column(ctx, c.GROUP, defaults.group, required=False)
    order = [*c.SURVEY_KEY_COLUMNS, c.GROUP, c.SOURCE_ROW, *found.item_ids, *columns.texts]
    frame = assemble(ctx, parts, order)
    schema = survey_schema(
        found.item_ids, scale_min=found.scale_min, scale_max=found.scale_max, skip=ctx.skip
    )
    if coding is not None:
        coding.result()
    schema_problems(ctx, frame, schema, scale=(found.scale_min, found.scale_max))
    _survey_warnings(ctx, frame, found)
    extras = {
        "instrument": found if found.items else None,
        "identifier": identifier,
        "notes": tuple(notes),
    }
    return ctx, frame, extras
