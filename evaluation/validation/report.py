"""The report of one check: each :class:`Problem` found, the :class:`ValidationReport` of a file
and its JSON and table forms, and the :class:`CheckedFile` a check returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from evaluation.instruments import Instrument

__all__ = [
    "MAX_PER_KIND",
    "VALUE_CHARS",
    "CheckedFile",
    "Collector",
    "Problem",
    "ValidationReport",
    "in_order",
    "short",
    "show",
    "unreadable_result",
]

# At most this many problems of one kind in one column are listed row by row; the rest are counted.
MAX_PER_KIND = 50
VALUE_CHARS = 60


@dataclass(frozen=True)
class Problem:
    """One thing wrong (error) or worth a look (warning) in an uploaded file.

    Attributes
    ----------
    severity : {"error", "warning"}
        Errors stop a file being stored; warnings do not.
    code : str
        Stable machine-readable kind, e.g. ``unknown_hub``, ``not_a_likert_answer``.
    row : int or None
        Spreadsheet row the user sees (header = row 1); None for whole-file problems.
    column : str or None
        The column header as written in the file.
    value : str or None
        The offending value as written (at most 60 characters).
    message : str
        What is wrong, in plain English.
    fix : str or None
        What to do about it, where we can say.
    """

    severity: Literal["error", "warning"]
    code: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    fix: str | None = None

    def describe(self) -> str:
        """One line for people: ``Row 7, column 'Maths Hub': ... Did you mean ...?``.

        Examples
        --------
        >>> problem = Problem("error", "unknown_hub", 7, "Maths Hub", "Solent Maths Hubb",
        ...                   "'Solent Maths Hubb' is not a Maths Hub.", "Did you mean 'Solent'?")
        >>> problem.describe()
        "Row 7, column 'Maths Hub': 'Solent Maths Hubb' is not a Maths Hub. Did you mean 'Solent'?"
        """
        where = []
        if self.row is not None:
            where.append(f"Row {self.row}")
        if self.column is not None:
            where.append(f"column '{short(self.column, 80)}'")
        prefix = ", ".join(where)
        text = f"{prefix}: {self.message}" if prefix else self.message
        return f"{text} {self.fix}" if self.fix else text

    def brief(self) -> str:
        """The message with where it is, without the fix: ``row 7, column Maths Hub: ...``.

        Examples
        --------
        >>> Problem("error", "unknown_hub", 7, "Maths Hub", "Solnet",
        ...         "'Solnet' is not a Maths Hub.", "Did you mean 'Solent'?").brief()
        "row 7, column Maths Hub: 'Solnet' is not a Maths Hub."
        >>> Problem("error", "no_items", None, None, None, "No questions.").brief()
        'No questions.'
        """
        where = f"row {self.row}, " if self.row else ""
        column = f"column {self.column}: " if self.column else ""
        return f"{where}{column}{self.message}"


@dataclass(frozen=True)
class ValidationReport:
    """Everything found wrong with one file.

    Examples
    --------
    >>> report = ValidationReport("survey", 3, (), ())
    >>> report.valid, report.to_dict()["n_rows"]
    (True, 3)
    """

    kind: Literal["survey", "pupil"]
    n_rows: int
    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()

    @property
    def valid(self) -> bool:
        """True when there are no errors (warnings allowed)."""
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        """``{"valid", "kind", "n_rows", "errors": [...], "warnings": [...]}``, JSON-ready."""

        def entries(problems: tuple[Problem, ...]) -> list[dict[str, Any]]:
            keys = ("row", "column", "value", "message", "fix")
            return [{k: getattr(p, k) for k in keys} for p in problems]

        return {
            "valid": self.valid,
            "kind": self.kind,
            "n_rows": int(self.n_rows),
            "errors": entries(self.errors),
            "warnings": entries(self.warnings),
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per problem: severity, row, column, value, message, fix (errors first).

        Examples
        --------
        >>> ValidationReport("pupil", 0).to_frame().columns.tolist()
        ['severity', 'row', 'column', 'value', 'message', 'fix']
        """
        columns = ["severity", "row", "column", "value", "message", "fix"]
        rows = [[getattr(p, k) for k in columns] for p in (*self.errors, *self.warnings)]
        frame = pd.DataFrame(rows, columns=columns)
        frame["row"] = frame["row"].astype("Int64")
        return frame


@dataclass(frozen=True)
class CheckedFile:
    """The result of checking one file: the report, and the canonical frame when it could be read.

    Attributes
    ----------
    report : ValidationReport
    frame : DataFrame or None
        Canonical frame (rows kept even when invalid, for previews); None if unreadable.
    instrument : Instrument or None
        Survey items found (survey files only).
    column_map : dict
        Header as written -> what we understood (a canonical column, an item id, ``text:<name>``
        or ``ignored: <why>``).
    identifier : str or None
        Header used to match pre and post (participant code, else email); None => unpaired.
    notes : tuple of str
        Plain-English notes about how the file was read.
    """

    report: ValidationReport
    frame: pd.DataFrame | None
    instrument: Instrument | None = None
    column_map: dict[str, str] = field(default_factory=dict)
    identifier: str | None = None
    notes: tuple[str, ...] = ()


def short(value: object, limit: int = VALUE_CHARS) -> str:
    """A value as text, cut to ``limit`` characters with an ellipsis.

    Examples
    --------
    >>> short("Solent Maths Hub", 8)
    'Solent \u2026'
    """
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def show(value: object) -> str | None:
    """A cell as shown in a problem: None when empty, 4 for 4.0, cut to VALUE_CHARS characters.

    Examples
    --------
    >>> show(4.0), show(float("nan")), show("Agree")
    ('4', None, 'Agree')
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return short(value)


def in_order(problems: list[Problem], headers: tuple[str, ...] = ()) -> tuple[Problem, ...]:
    """Whole-file problems first, then by spreadsheet row, then left to right."""
    position = {h: i for i, h in enumerate(headers)}
    return tuple(
        sorted(
            problems,
            key=lambda p: (
                p.row is not None,
                p.row or 0,
                position.get(p.column or "", len(position)),
            ),
        )
    )


class Collector:
    """Gathers problems, listing at most MAX_PER_KIND per (code, column) row by row."""

    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def report(
        self, kind: Literal["survey", "pupil"], n_rows: int, headers: tuple[str, ...] = ()
    ) -> ValidationReport:
        return ValidationReport(
            kind, n_rows, in_order(self.errors, headers), in_order(self.warnings, headers)
        )

    def add(self, problem: Problem) -> None:
        (self.errors if problem.severity == "error" else self.warnings).append(problem)

    def rows(
        self,
        severity: Literal["error", "warning"],
        code: str,
        rows: np.ndarray,
        column: str | None,
        values: list[object] | np.ndarray,
        message: Callable[[object], str],
        fix: str | Callable[[object], str | None] | None,
    ) -> None:
        """One problem per row (the first MAX_PER_KIND), then one line counting the rest."""
        n = len(rows)
        for row, value in zip(rows[:MAX_PER_KIND], values[:MAX_PER_KIND], strict=False):
            self.add(
                Problem(
                    severity,
                    code,
                    int(row),
                    column,
                    show(value),
                    message(value),
                    fix(value) if callable(fix) else fix,
                )
            )
        if n > MAX_PER_KIND:
            self.add(
                Problem(
                    severity,
                    code,
                    None,
                    column,
                    None,
                    f"{n - MAX_PER_KIND:,} more rows have the same problem (first rows listed).",
                    fix if isinstance(fix, str) else None,
                )
            )


def unreadable_result(kind: str, reason: str) -> CheckedFile:
    """The result of a file that could not be read: no frame, one whole-file error.

    Examples
    --------
    >>> unreadable_result("survey", "The file is empty.").report.errors[0].code
    'unreadable'
    """
    problem = Problem("error", "unreadable", None, None, None, reason, None)
    return CheckedFile(report=ValidationReport(kind, 0, (problem,)), frame=None)  # type: ignore[arg-type]
