"""Reading Excel workbooks in bounded memory and time, and choosing the sheet that holds the data.

Rows are streamed (openpyxl's read-only mode) and the used range comes from the cells themselves,
never from the size a workbook declares: trailing empty cells and empty rows cost nothing, and the
limits below are checked while streaming, before anything large is made.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from evaluation.io.headers import header_meaning
from evaluation.io.likert import label_key, label_sets
from evaluation.io.text_files import TITLE_SCAN_ROWS, title_rows

__all__ = [
    "DAMAGED",
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_UNCOMPRESSED",
    "SheetRows",
    "cell_text",
    "read_workbook",
]

MAX_ROWS = 2_000_000  # rows with something in them
MAX_COLUMNS = 1_000  # columns up to the last one used in any row
MAX_CELLS = 100_000_000  # cells streamed (row widths summed): bounds the time spent
MAX_UNCOMPRESSED = 500_000_000  # bytes of the workbook once unzipped
_SAMPLE_ROWS = 30  # rows of each sheet read to choose the sheet
_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})

DAMAGED = (
    "This Excel file is damaged and cannot be opened. Open it in Excel and save it again, "
    "or export it as .csv."
)
_TOO_LARGE = (
    "{what}, so it is too large to read. Delete the empty or unused rows and columns (or save "
    "the sheet with the responses as .csv) and upload it again."
)


@dataclass(frozen=True)
class SheetRows:
    """The rows of one sheet that have something in them, as text.

    Attributes
    ----------
    rows : list of tuple
        Each row's cells as text (None when empty), trailing empty cells cut off.
    numbers : list of int
        The spreadsheet row of each (row 1 is the sheet's first row).
    sheet : str
        The sheet read.
    sheets : tuple of str
        Every sheet of the workbook, in order.
    rivals : tuple of str
        The other sheets that looked as much like data as the one read (not read).
    """

    rows: list[tuple[str | None, ...]]
    numbers: list[int]
    sheet: str
    sheets: tuple[str, ...]
    rivals: tuple[str, ...] = ()


def cell_text(value: object) -> str | None:
    """A cell's value as text (None when empty): 4 for 4.0, dates in ISO form, errors empty.

    Examples
    --------
    >>> cell_text(4.0), cell_text(dt.datetime(2024, 9, 1, 8, 30)), cell_text("#N/A")
    ('4', '2024-09-01 08:30:00', None)
    """
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, dt.datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
        if text in _ERRORS:
            return None
    return text or None


def _empty(value: object) -> bool:
    return value is None or value == ""


def _too_large(what: str) -> str:
    return _TOO_LARGE.format(what=what)


def _archive_problem(data: bytes) -> str | None:
    """Why the bytes are not a workbook we will open, checked from the zip directory alone."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return DAMAGED
    if "xl/workbook.xml" not in {entry.filename for entry in entries}:
        return "This is a zip file but not an Excel workbook. Upload a .xlsx or .csv file."
    unzipped = sum(entry.file_size for entry in entries)
    if unzipped > MAX_UNCOMPRESSED:
        return _too_large(
            f"This workbook holds {unzipped / 1e6:,.0f} MB once unzipped (we read at most "
            f"{MAX_UNCOMPRESSED / 1e6:,.0f} MB)"
        )
    return None


def _stream(sheet: Any, limit: int | None) -> Iterator[tuple[int, tuple[str | None, ...]] | str]:
    """(spreadsheet row, cells as text) for each row with something in it, or one reason the
    sheet is too large (then nothing more). ``limit`` stops after that many rows."""
    sheet.reset_dimensions()  # the declared size may be anything: the cells say what is used
    streamed = kept = 0
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        streamed += len(values)
        if streamed > MAX_CELLS:
            yield _too_large(f"Sheet '{sheet.title}' has more than {MAX_CELLS:,} cells")
            return
        end = len(values)
        while end and _empty(values[end - 1]):
            end -= 1
        if not end:
            continue
        if end > MAX_COLUMNS:
            from openpyxl.utils import get_column_letter

            yield _too_large(
                f"Sheet '{sheet.title}' uses {end:,} columns (row {number:,} reaches column "
                f"{get_column_letter(end)}; we read at most {MAX_COLUMNS:,})"
            )
            return
        kept += 1
        if kept > MAX_ROWS:
            yield _too_large(f"Sheet '{sheet.title}' has more than {MAX_ROWS:,} rows")
            return
        yield number, tuple(cell_text(value) for value in values[:end])
        if limit is not None and kept >= limit:
            return


@cache
def _answers() -> frozenset[str]:
    return frozenset(key for labels in label_sets().values() for key in labels)


def _data_score(rows: list[tuple[str | None, ...]]) -> tuple[int, bool]:
    """How much the first rows of a sheet look like a survey or pupil file: headers we know plus
    columns of Likert answers below a header that is not an answer itself (a list of answers is
    not data); then whether the header has two cells or more (a table, not a note)."""
    top = title_rows(rows)
    if top >= len(rows):
        return 0, False
    header, below = rows[top], rows[top + 1 :]
    known = sum(
        1
        for cell in header
        if cell and (header_meaning(cell, "survey") or header_meaning(cell, "pupil"))
    )
    answers = _answers()
    likert = 0
    for position, name in enumerate(header):
        if not name or label_key(name) in answers:
            continue
        cells = [row[position] for row in below if position < len(row) and row[position]]
        if cells and sum(label_key(cell) in answers for cell in cells) * 2 >= len(cells):
            likert += 1
    return known + likert, sum(cell is not None for cell in header) >= 2


def read_workbook(data: bytes, *, sample_only: bool = False) -> SheetRows | str:
    """The rows of the sheet holding the data, or why the workbook cannot be read.

    The sheet whose first rows look most like a survey or pupil file (known headers, columns of
    Likert answers; a table rather than a note) is read; on a tie, the first, and the others
    tied are named in :attr:`SheetRows.rivals`. A sheet over the limits is passed over when
    another clearly holds data; else the workbook is refused. ``sample_only`` reads only the
    first rows.

    Examples
    --------
    >>> import openpyxl
    >>> book = openpyxl.Workbook()
    >>> book.active.title = "Read me"
    >>> book.active.append(["This workbook holds the survey responses."])
    >>> book.create_sheet("Responses").append(["Participant code", "Maths Hub"])
    >>> book["Responses"].append(["ab12", "Solent"])
    >>> buffer = io.BytesIO()
    >>> book.save(buffer)
    >>> sheet = read_workbook(buffer.getvalue())
    >>> sheet.sheet, sheet.sheets, sheet.rows, sheet.numbers
    ('Responses', ('Read me', 'Responses'), [('Participant code', 'Maths Hub'), ('ab12', 'Solent')], [1, 2])
    """  # noqa: E501
    # openpyxl is imported here: reading CSV files (and every CLI start) need not pay for it.
    import openpyxl

    problem = _archive_problem(data)
    if problem:
        return problem
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
        try:
            book = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
        except Exception:  # openpyxl raises many types on damaged workbooks
            return DAMAGED
        try:
            return _read_book(book, sample_only)
        except Exception:  # damage found only while streaming the cells
            return DAMAGED
        finally:
            book.close()


def _read_book(book: Any, sample_only: bool) -> SheetRows | str:
    names = tuple(book.sheetnames)
    scores: dict[str, tuple[int, bool]] = {}
    samples: dict[str, list[tuple[int, tuple[str | None, ...]]]] = {}
    refused: list[str] = []
    for sheet in book.worksheets:
        rows = []
        for item in _stream(sheet, _SAMPLE_ROWS):
            if isinstance(item, str):
                refused.append(item)
                break
            rows.append(item)
        else:
            if rows:
                samples[sheet.title] = rows
                scores[sheet.title] = _data_score([cells for _, cells in rows[:TITLE_SCAN_ROWS]])
    best = max(scores.values(), default=(0, False))
    if refused and best[0] == 0:  # a sheet too large to read, and no other that is clearly data
        return refused[0]
    if not samples:
        return "The workbook is empty."
    chosen = next(name for name in samples if scores[name] == best)
    rivals = tuple(name for name in samples if scores[name] == best and name != chosen)
    if sample_only or len(samples[chosen]) < _SAMPLE_ROWS:
        rows = samples[chosen]
    else:
        rows = []
        for item in _stream(book[chosen], None):
            if isinstance(item, str):
                return item
            rows.append(item)
    return SheetRows(
        rows=[cells for _, cells in rows],
        numbers=[number for number, _ in rows],
        sheet=chosen,
        sheets=names,
        rivals=rivals,
    )
