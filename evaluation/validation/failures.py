"""Turning Pandera schema failures into problems that name the spreadsheet row and column."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pandera.pandas as pa

from evaluation.validation.context import Context
from evaluation.validation.messages import FRAME_CHECKS, check_code, message_for
from evaluation.validation.report import show

__all__ = [
    "schema_problems",
]


def schema_problems(
    ctx: Context,
    frame: pd.DataFrame,
    schema: pa.DataFrameSchema,
    *,
    scale: tuple[int, int] = (1, 5),
) -> None:
    """Validate the canonical frame and report each failure at its spreadsheet row and column.

    A missing value already reported as unreadable is not reported again.
    """
    try:
        schema.validate(frame, lazy=True, inplace=True)  # nothing is coerced: no copy needed
        return
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    except pa.errors.SchemaError as exc:  # pragma: no cover - lazy=True collects everything
        cases = exc.failure_cases if isinstance(exc.failure_cases, pd.DataFrame) else None
        if cases is None:
            raise
    column_checks = cases[cases["schema_context"] == "Column"]
    frame_checks = cases[cases["schema_context"] == "DataFrameSchema"]
    for (column, check), group in column_checks.groupby(["column", "check"], sort=False):
        if check.startswith(("dtype", "column_in_dataframe", "coerce")):
            raise RuntimeError(f"canonical frame has wrong type in {column}: {check}")
        index = np.sort(group["index"].dropna().astype(np.int64).to_numpy())
        if check == "not_nullable" and column in ctx.reported:
            index = index[~ctx.reported[column][index]]
            if not len(index):
                continue
        _column_check_problems(
            ctx, frame, str(column), check_code(column, check, ctx.kind), index, scale
        )
    for check, group in frame_checks.groupby("check", sort=False):
        index = np.sort(group["index"].dropna().astype(np.int64).unique())
        _frame_check_problems(ctx, frame, str(check), index)


def _column_check_problems(
    ctx: Context,
    frame: pd.DataFrame,
    column: str,
    code: str,
    index: np.ndarray,
    scale: tuple[int, int],
) -> None:
    _errors_at(
        ctx,
        frame,
        code,
        column,
        index,
        lambda v: message_for(code, column, v, scale)[0],
        lambda v: message_for(code, column, v, scale)[1],
    )


def _errors_at(
    ctx: Context,
    frame: pd.DataFrame,
    code: str,
    column: str,
    index: np.ndarray,
    message: Callable[[object], str],
    fix: str | Callable[[object], str | None],
    *,
    show_value: bool = True,
) -> None:
    """One error per frame position in ``index``, showing the column's value as written."""
    values: list[object] | np.ndarray = [None] * len(index)
    if show_value:
        values = ctx.as_written(frame, column, index)
    ctx.problems.rows("error", code, ctx.rows[index], ctx.header(column), values, message, fix)


def _frame_check_problems(ctx: Context, frame: pd.DataFrame, check: str, index: np.ndarray) -> None:
    if check not in FRAME_CHECKS:  # pragma: no cover - every check in schemas/ is listed above
        raise RuntimeError(f"no message for check {check}")
    code, column, shown, message, fix = FRAME_CHECKS[check]
    _errors_at(
        ctx,
        frame,
        code,
        column,
        index,
        lambda v: message.format(value=show(v)),
        fix,
        show_value=shown,
    )
