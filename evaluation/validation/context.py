"""The state of one check and the builders of its canonical columns (hub, project, phase, year,
URN, dates, codes), each reporting the rows it cannot read.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from typing import Literal

import numpy as np
import pandas as pd

from evaluation import columns as c
from evaluation.io.headers import (
    academic_year,
    group_name,
    hub_name,
    map_unique,
    ncp_name,
    norm_key,
    phase_name,
)
from evaluation.io.reader import RawTable
from evaluation.validation.cells import blank_to_na, integers, tidy_labels
from evaluation.validation.columns import Columns
from evaluation.validation.dates import parse_datetimes
from evaluation.validation.messages import (
    FOR_WHOLE_FILE,
    LABELS,
    SUGGESTED_HEADER,
    URN_FIX,
    default_problem,
    file_problem,
    year_from_times_note,
)
from evaluation.validation.report import Collector, Problem, short, show
from schemas.coding import distinct_values

__all__ = [
    "BACKGROUND_ROWS",
    "DEFAULTABLE",
    "NORMALISERS",
    "STARTED_AT_KEYS",
    "Context",
    "assemble",
    "background",
    "coded_column",
    "datetime_column",
    "in_background",
    "keyed_column",
    "look_ahead",
    "missing_column",
    "school_year_of",
    "urn_column",
    "year_from_times",
]

DEFAULTABLE = (c.HUB, c.NCP, c.PHASE, c.ACADEMIC_YEAR, c.WORK_GROUP)
NORMALISERS: dict[str, Callable[[object], str | None]] = {
    c.HUB: hub_name,
    c.NCP: ncp_name,
    c.PHASE: phase_name,
    c.ACADEMIC_YEAR: academic_year,
    c.GROUP: group_name,
}


class Context:
    """State of one check: the raw table, the columns understood, problems found so far."""

    def __init__(self, raw: RawTable, columns: Columns, kind: str) -> None:
        assert raw.frame is not None
        self.raw = raw
        self.columns = columns
        self.kind = kind
        self.problems = Collector()
        self.rows = raw.source_rows
        self.n = len(raw.frame)
        self.skip: list[str] = []  # required columns reported missing once
        # Rows whose value in a column was already reported as unreadable (now missing), so
        # the schema's "missing value" is not reported again for them.
        self.reported: dict[str, np.ndarray] = {}
        # canonical/item column -> header as written
        self.written: dict[str, str | None] = {
            meaning: header
            for header, meaning in columns.column_map.items()
            if not meaning.startswith(("ignored", "text:"))
        }

    def mark_reported(self, column: str, mask: np.ndarray) -> None:
        self.reported[column] = mask

    def header(self, column: str) -> str | None:
        return self.written.get(column)

    def raw_values(self, column: str) -> pd.Series | None:
        position = self.columns.canonical.get(column, self.columns.items.get(column))
        if position is None:
            return None
        assert self.raw.frame is not None
        return self.raw.frame[position]

    def blank(self, dtype: str) -> pd.Series:
        """An all-missing column, for a column the file does not have."""
        return pd.Series(None, index=range(self.n), dtype=dtype)

    def as_written(self, frame: pd.DataFrame, column: str, index: np.ndarray) -> np.ndarray:
        """A column's values at frame positions ``index`` as written (else as in the frame)."""
        raw = self.raw_values(column)
        return (raw if raw is not None else frame[column]).to_numpy()[index]

    def flag(
        self,
        severity: Literal["error", "warning"],
        code: str,
        bad: np.ndarray,
        column: str | None,
        values: pd.Series | np.ndarray | None,
        message: Callable[[object], str],
        fix: str | Callable[[object], str | None] | None,
    ) -> None:
        """One problem per row where ``bad`` is True, showing ``values`` (one per file row)."""
        index = np.flatnonzero(bad)
        if not len(index):
            return
        shown: list[object] | np.ndarray = [None] * len(index)
        if values is not None:
            shown = (values.to_numpy() if isinstance(values, pd.Series) else values)[index]
        self.problems.rows(severity, code, self.rows[index], column, shown, message, fix)

    def optional(
        self, column: str, convert: Callable[[pd.Series], pd.Series], dtype: str = "str"
    ) -> pd.Series:
        """``convert`` of a column as written, or an all-missing column when the file has none."""
        values = self.raw_values(column)
        return self.blank(dtype) if values is None else convert(values)

    def required(self, column: str) -> pd.Series | None:
        """A column as written; reported missing (None) when the file has none."""
        values = self.raw_values(column)
        if values is None:
            missing_column(self, column)
        return values


def keyed_column(ctx: Context, column: str, default: str | None, required: bool) -> pd.Series:
    """A hub/ncp/phase/year/work-group column: normalised, filled from the file's default."""
    position = ctx.columns.canonical.get(column)
    normaliser = NORMALISERS.get(column)
    default_value = None
    if default is not None and str(default).strip():
        default_value = normaliser(default) if normaliser else str(default).strip()
        if default_value is None:
            ctx.problems.add(default_problem(column, str(default)))
    if position is None:
        if default_value is not None:
            return pd.Series(default_value, index=range(ctx.n), dtype="str")
        if column in ctx.skip:  # already reported (e.g. responses from several years)
            return pd.Series(None, index=range(ctx.n), dtype="str")
        if required and not (default is not None and default_value is None):
            missing_column(ctx, column)
        elif required:
            ctx.skip.append(column)
        return pd.Series(None, index=range(ctx.n), dtype="str")
    assert ctx.raw.frame is not None
    values = tidy_labels(ctx.raw.frame[position], normaliser)
    if default_value is not None:
        label = LABELS.get(column, column)
        ctx.flag(
            "error",
            "conflicts_with_default",
            (values.notna() & (values != default_value)).to_numpy(),
            ctx.header(column),
            ctx.raw.frame[position],
            lambda v: (
                f"This row says {label} '{short(v)}' but '{default_value}' was chosen for "
                "the whole file."
            ),
            "Correct the row, or choose the right value for the file.",
        )
        values = values.fillna(default_value)
    return values


def missing_column(ctx: Context, column: str) -> None:
    """Report a required column the file does not have (once; its checks are then skipped)."""
    label = LABELS.get(column, column)
    header, option = SUGGESTED_HEADER.get(column, (column, None))
    article = "an" if header[:1] in "AEIOaeio" else "a"  # a URN, an Academic year
    fix = f"Add {article} '{header}' column"
    fix += f", or choose the {label} {FOR_WHOLE_FILE.format(option=option)}" if option else "."
    ctx.problems.add(
        Problem(
            "error", "missing_column", None, None, None, f"The file has no {label} column.", fix
        )
    )
    ctx.skip.append(column)


def urn_column(ctx: Context, *, required: bool) -> pd.Series:
    """School URNs as whole numbers; a URN that is not a whole number is reported."""
    values = ctx.required(c.SCHOOL_URN) if required else ctx.raw_values(c.SCHOOL_URN)
    if values is None:
        return ctx.blank("Int64")
    urns, bad = integers(values)
    ctx.mark_reported(c.SCHOOL_URN, bad)
    ctx.flag(
        "error",
        "bad_urn",
        bad,
        ctx.header(c.SCHOOL_URN),
        values,
        lambda v: f"'{show(v)}' is not a school URN.",
        URN_FIX,
    )
    return urns


def datetime_column(ctx: Context, column: str, message: str, fix: str) -> pd.Series:
    """Date-times of an optional column; an unreadable one is left blank with a warning."""

    def parse(values: pd.Series) -> pd.Series:
        parsed, bad = parse_datetimes(values)
        ctx.flag(
            "warning",
            "bad_date",
            bad,
            ctx.header(column),
            values,
            lambda v: f"'{show(v)}' is not {message} we can read.",
            fix,
        )
        return parsed

    return ctx.optional(column, parse, "datetime64[us]")


# Headings of the time a response was started (Microsoft Forms' "Start time"): not kept, but it
# dates the response when the file has no submission time.
STARTED_AT_KEYS = ("start time",)


def school_year_of(stamps: pd.Series) -> pd.Series:
    """The academic year (September to August) each date-time falls in, as its first calendar year.

    Examples
    --------
    >>> school_year_of(pd.Series(pd.to_datetime(["2024-08-31", "2024-09-01"]))).tolist()
    [2023, 2024]
    """
    return stamps.dt.year - (stamps.dt.month < 9).astype(int)


def year_from_times(ctx: Context, submitted: pd.Series) -> tuple[str | None, str | None]:
    """The academic year of a file without one, from when its responses were submitted (else
    started): ``(year, note)`` when every response falls in one academic year; ``(None,
    None)`` when the file has no times; when they span years, an error asks for the year.
    """
    stamps, header = submitted.dropna(), ctx.header(c.SUBMITTED_AT)
    if stamps.empty:
        assert ctx.raw.frame is not None
        for position, written in enumerate(ctx.raw.headers):
            if norm_key(written) in STARTED_AT_KEYS:
                stamps, header = parse_datetimes(ctx.raw.frame[position])[0].dropna(), written
                break
    if stamps.empty or header is None:
        return None, None
    years = sorted(int(y) for y in school_year_of(stamps).unique())
    named = [academic_year(str(y)) or str(y) for y in years]
    if len(years) == 1:
        return named[0], year_from_times_note(named[0], header)
    ctx.problems.add(
        file_problem(
            "error",
            "year_from_times_ambiguous",
            column=header,
            years=" and ".join([", ".join(named[:-1]), named[-1]]),
            source=short(header, 80),
            option=SUGGESTED_HEADER[c.ACADEMIC_YEAR][1],
        )
    )
    ctx.skip.append(c.ACADEMIC_YEAR)
    return None, None


def coded_column(
    ctx: Context,
    column: str,
    reading: Callable[[object], object],
    dtype: str,
    message: str,
    fix: str,
) -> pd.Series:
    """An optional column of codes (year groups, yes/no): an unknown code is an error."""

    def read(values: pd.Series) -> pd.Series:
        text = blank_to_na(values)
        mapped = map_unique(text, reading, dtype=dtype)
        ctx.flag(
            "error",
            f"bad_{column}",
            (text.notna() & mapped.isna()).to_numpy(),
            ctx.header(column),
            values,
            lambda v: f"'{show(v)}' is not {message}.",
            fix,
        )
        return mapped

    return ctx.optional(column, read, dtype)


def assemble(
    ctx: Context, parts: dict[str, pd.Series | np.ndarray], order: list[str]
) -> pd.DataFrame:
    """The canonical frame from its columns, in ``order`` (columns not built are left out)."""
    data = {name: parts[name] for name in order if name in parts}
    frame = pd.DataFrame(
        {k: (v.reset_index(drop=True) if isinstance(v, pd.Series) else v) for k, v in data.items()}
    )
    return frame


# Files at least this long have their ids coded, and the distinct values of their short text
# columns found, on other threads (see survey_frame).
BACKGROUND_ROWS = 100_000


def in_background(n_rows: int) -> bool:
    """Whether a file of ``n_rows`` rows has its long passes done on other threads.

    Examples
    --------
    >>> in_background(10), in_background(BACKGROUND_ROWS)
    (False, True)
    """
    return n_rows >= BACKGROUND_ROWS


@cache
def background() -> ThreadPoolExecutor:
    """The worker threads that do Arrow's long passes over a column alongside the main check."""
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="evaluation-codes")


def look_ahead(ctx: Context, columns: tuple[str, ...]) -> list[Future]:
    """For a long file, start finding the distinct values of these short text columns on other
    threads (Arrow frees the interpreter); the tidying later finds them ready.
    """
    if not in_background(ctx.n):
        return []
    assert ctx.raw.frame is not None
    positions = [ctx.columns.canonical.get(column) for column in columns]
    return [
        background().submit(distinct_values, ctx.raw.frame[position])
        for position in positions
        if position is not None
    ]
