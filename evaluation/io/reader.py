"""Reading uploaded files: CSV or Excel bytes -> a table of text cells with the rows a user sees.

Copes with UTF-8 (with or without BOM), UTF-16 (with or without BOM) and Windows-1252; commas,
semicolons, tabs; quoted newlines; title lines above the header; NUL bytes (reported by row); see
:mod:`evaluation.io.text_files`. SurveyMonkey's two header rows (:mod:`evaluation.io.platforms`).
Excel workbooks, detected by content, not by name, are streamed in bounded memory from the sheet
holding the data (:mod:`evaluation.io.workbooks`).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import is_string_dtype

from evaluation.io.platforms import merge_header_rows
from evaluation.io.text_files import (
    HEAD_BYTES,
    TITLE_SCAN_ROWS,
    decode,
    decode_sample,
    first_rows,
    looks_binary,
    nul_message,
    nul_offset,
    nul_row,
    sniff_delimiter,
    title_rows,
    utf8_csv,
)
from evaluation.io.workbooks import read_workbook

__all__ = [
    "MAX_CELL_CHARS",
    "FileDefaults",
    "RawTable",
    "TextColumns",
    "column_letter",
    "decode",
    "load_bytes",
    "read_csv_bytes",
    "read_headers",
    "read_table",
    "read_xlsx_bytes",
]

MAX_CELL_CHARS = 100_000
HEADER_BYTES = 1 << 22  # read_headers looks no further into a file than this
TextColumns = Callable[[str], bool] | None


@dataclass(frozen=True)
class FileDefaults:
    """Values supplied once for a whole file (upload form or CLI options).

    A default fills a column the file does not have, and fills empty cells of a column it has;
    a cell that says something different from the default is an error in that row.

    Examples
    --------
    >>> FileDefaults(hub="Solent", phase="pre").phase
    'pre'
    """

    hub: str | None = None
    ncp: str | None = None
    phase: str | None = None
    academic_year: str | None = None
    work_group: str | None = None
    group: str | None = None  # intervention or comparison, for a whole file of one arm


@dataclass(frozen=True)
class RawTable:
    """A file read as text cells, before any meaning is given to its columns.

    Attributes
    ----------
    frame : DataFrame or None
        One column per file column (labelled 0..n-1), cells as text (or numbers, see
        :func:`read_table`), empty cells missing; blank rows dropped. None when not a table.
    headers : tuple of str
        Column headers as written (SurveyMonkey's two rows merged; blank ones named "Column C").
    source_rows : numpy.ndarray
        The spreadsheet row of each frame row (header = row 1).
    header_rows : int
        1, or 2 for SurveyMonkey exports.
    file_format : str
        ``csv`` or ``xlsx``.
    encoding, delimiter : str or None
        What the CSV was read with.
    problem : str or None
        Why the file could not be read as a table (plain English), None when it could.
    header_row : int
        The spreadsheet row of the (first) header row: 1 unless title lines are above it.
    titles : tuple of str
        The text of the title lines above the header row, each once.
    sheet : str or None
        The workbook sheet read (None for a CSV).
    sheets : tuple of str
        Every sheet of the workbook.
    sheet_rivals : tuple of str
        Other sheets that looked as much like data as the one read.
    """

    frame: pd.DataFrame | None
    headers: tuple[str, ...] = ()
    source_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    header_rows: int = 1
    file_format: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    problem: str | None = None
    header_row: int = 1
    titles: tuple[str, ...] = ()
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    sheet_rivals: tuple[str, ...] = ()


def _unreadable(reason: str, **kw) -> RawTable:
    return RawTable(frame=None, problem=reason, **kw)


def column_letter(position: int) -> str:
    """Spreadsheet column letter for a 0-based position.

    Examples
    --------
    >>> column_letter(0), column_letter(25), column_letter(26)
    ('A', 'Z', 'AA')
    """
    letters = ""
    position += 1
    while position:
        position, rem = divmod(position - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def load_bytes(source: bytes | str | os.PathLike) -> tuple[bytes | None, str | None]:
    """The bytes of ``source`` (bytes, or a path), or ``(None, reason)`` if it cannot be opened.

    Examples
    --------
    >>> load_bytes(b"a,b")
    (b'a,b', None)
    >>> load_bytes("/no/such/file.csv")[1]
    "There is no file called '/no/such/file.csv'."
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), None
    path = Path(source)
    try:
        return path.read_bytes(), None
    except FileNotFoundError:
        return None, f"There is no file called '{path}'."
    except IsADirectoryError:
        return None, f"'{path}' is a folder, not a file."
    except OSError as exc:
        return None, f"The file '{path}' could not be opened ({exc.strerror or exc})."


def _load_head(path: Path, size: int = HEAD_BYTES) -> tuple[bytes, int] | None:
    """The first bytes of a file and its size, or None if it cannot be opened."""
    try:
        with path.open("rb") as handle:
            return handle.read(size), os.fstat(handle.fileno()).st_size
    except OSError:
        return None


def _name_headers(headers: list[str]) -> tuple[str, ...]:
    return tuple(h if h else f"Column {column_letter(i)}" for i, h in enumerate(headers))


def _blank(values: pd.Series) -> np.ndarray:
    """True where a cell is empty."""
    if is_string_dtype(values) or values.dtype == object:
        return (values.isna() | (values == "")).to_numpy(dtype=bool)
    return values.isna().to_numpy(dtype=bool)


def _short_cells(values: pd.Series) -> bool:
    """True when no cell of a text column can hold more than MAX_CELL_CHARS characters.

    Counts bytes (never fewer than characters), which Arrow does without making Python strings.
    """
    if not isinstance(values.dtype, pd.StringDtype):
        return False
    longest = pc.max(pc.binary_length(pa.array(values))).as_py()
    return longest is None or longest <= MAX_CELL_CHARS


def _finish(
    frame: pd.DataFrame,
    headers: list[str],
    header_rows: int,
    source_rows: np.ndarray | None = None,
    **meta,
) -> RawTable:
    """Drop blank rows and empty unnamed columns, check cell sizes, number rows as a user sees.

    ``source_rows`` is each row's spreadsheet row; by default the rows follow the header rows.
    """
    size = meta.pop("size", MAX_CELL_CHARS + 1)
    n = len(headers)
    if frame.shape[1] < n:
        for i in range(frame.shape[1], n):
            frame[i] = ""
    frame = frame.iloc[:, :n]
    frame.columns = range(n)
    if source_rows is None:
        source_rows = np.arange(len(frame), dtype=np.int64) + meta.get("header_row", 1)
        source_rows += header_rows
    if len(frame):
        blank = _blank(frame[0])
        if blank.any():
            candidates = np.flatnonzero(blank)
            sub = frame.iloc[candidates]
            all_blank = np.logical_and.reduce([_blank(sub[i]) for i in sub.columns])
            if all_blank.any():
                keep = np.ones(len(frame), dtype=bool)
                keep[candidates[all_blank]] = False
                frame = frame.iloc[keep]
                source_rows = source_rows[keep]
    keep_columns = [i for i in range(n) if headers[i] or not _blank(frame[i]).all()]
    frame = frame[keep_columns]
    frame.columns = range(len(keep_columns))
    named = _name_headers([headers[i] for i in keep_columns])
    if not named:
        return _unreadable("The file has no columns.", **meta)
    if max(len(h) for h in named) > MAX_CELL_CHARS:
        return _unreadable(
            f"A heading is longer than {MAX_CELL_CHARS:,} characters, so this is not a table "
            "we can read. Check you exported the right file.",
            **meta,
        )
    if len(frame) == 0:
        return _unreadable(
            "The file has a header row but no data rows. Check you exported the responses.",
            **meta,
        )
    if size > MAX_CELL_CHARS:
        for position in range(frame.shape[1]):
            if not is_string_dtype(frame[position]) or _short_cells(frame[position]):
                continue
            lengths = frame[position].str.len().fillna(0)
            if lengths.max() > MAX_CELL_CHARS:
                row = int(source_rows[int(np.argmax(lengths.to_numpy()))])
                return _unreadable(
                    f"Row {row}, column '{named[position]}' holds more than "
                    f"{MAX_CELL_CHARS:,} characters, so this is not a table we can read. "
                    "Check you exported the right file.",
                    **meta,
                )
    return RawTable(
        frame=frame.reset_index(drop=True),
        headers=named,
        source_rows=source_rows,
        header_rows=header_rows,
        **meta,
    )


_LINE = re.compile(r"line (\d+)")


def _few_lines(sample: str, limit: int) -> bool:
    """Whether a sample holds too few lines to find the header and delimiter (read more)."""
    lines = sample.count("\n")
    return lines < 3 or (lines < TITLE_SCAN_ROWS + 2 and limit < (1 << 22))


def _csv_layout(sample: str) -> tuple[str, int, tuple[str, ...], list[str], int] | str:
    """Delimiter, rows above the header, their text, headers and header rows of a CSV's start;
    or why there is no table."""
    delimiter = sniff_delimiter(sample)
    try:
        first = first_rows(sample, delimiter, TITLE_SCAN_ROWS + 2)
    except csv.Error:
        return (
            f"A cell in the first rows is longer than {MAX_CELL_CHARS:,} characters, so this is "
            "not a table we can read."
        )
    top = title_rows(first)
    if top >= len(first):
        return "The file is empty."
    second = first[top + 1] if len(first) > top + 1 else None
    headers, header_rows = merge_header_rows(first[top], second)
    return delimiter, top, _titles(first[:top]), headers, header_rows


def _titles(rows: list[list[str]] | list[tuple[str | None, ...]]) -> tuple[str, ...]:
    """The text of title rows above a header, each row's cells joined."""
    texts = (" ".join(cell.strip() for cell in row if cell and cell.strip()) for row in rows)
    return tuple(text for text in texts if text)


def read_csv_bytes(data: bytes, *, text_columns: TextColumns = None) -> RawTable:
    """Read CSV bytes as cells (encoding, delimiter and header rows detected).

    ``text_columns(header)`` says which columns stay text; the others may be read as numbers
    (much faster for long files). By default every column stays text.

    Examples
    --------
    >>> raw = read_csv_bytes("Hub;Score\\nSolent;4\\n\\n\\"Caf\\u00e9\\";5\\n".encode("cp1252"))
    >>> raw.headers, raw.delimiter, raw.encoding, raw.source_rows.tolist()
    (('Hub', 'Score'), ';', 'cp1252', [2, 4])
    >>> raw.frame[0].tolist()
    ['Solent', 'Café']
    """
    return _read_csv(data, None, len(data), text_columns)


def _read_csv(data: bytes, path: Path | None, size: int, text_columns: TextColumns) -> RawTable:
    """Read a CSV from its bytes, or from its path when ``data`` is only the start of the file.

    A path is read by pandas straight from disk (UTF-8); the whole file is only loaded into
    memory when it turns out not to be UTF-8 or its rows cannot be split.
    """

    def whole() -> bytes:
        nonlocal data, path
        if path is not None:
            data, path = path.read_bytes(), None
        return data

    limit = HEAD_BYTES
    sample, encoding, text = decode_sample(data, limit, size)
    while size > limit and _few_lines(sample, limit):  # e.g. a header line over 64 KB
        limit *= 8
        opened = _load_head(path, limit) if path is not None else None
        data = opened[0] if opened is not None else data
        sample, encoding, text = decode_sample(data, limit, size)
    if text is not None and (not text or text.isspace()):
        return _unreadable("The file is empty.", encoding=encoding)
    controls = sum(1 for ch in sample[:8192] if ord(ch) < 32 and ch not in "\t\r\n\x00")
    if controls > 8:
        return _unreadable(
            "This file is not a table (it looks like a binary file). Upload a .csv or .xlsx file.",
            encoding=encoding,
        )
    if (text is None or len(text) > len(sample)) and "\n" in sample:
        sample = sample[: sample.rfind("\n") + 1]  # whole rows only
    layout = _csv_layout(sample)
    if isinstance(layout, str):
        return _unreadable(layout, encoding=encoding)
    delimiter, top, titles, headers, header_rows = layout
    meta = {
        "encoding": encoding,
        "delimiter": delimiter,
        "file_format": "csv",
        "header_row": top + 1,
        "titles": titles,
    }
    if text is not None:
        before = text[: text.find("\x00")] if "\x00" in text else None
    else:  # UTF-8 read by pandas: look for the byte, on disk when reading from a path
        offset = nul_offset(data if path is None else path)
        before = whole()[:offset].decode(encoding, errors="replace") if offset >= 0 else None
    if before is not None:
        return _unreadable(nul_message(nul_row(before, delimiter)), **meta)
    skip = top + header_rows
    n = len(headers)
    named = _name_headers(headers)
    # Forcing text is slow in pandas' parser, so with a text_columns rule every column is read with
    # type inference and only text columns that came out as numbers are read again as text.
    dtype: Any = str if text_columns is None else None
    kwargs = dict(
        sep=delimiter,
        header=None,
        skiprows=skip,
        dtype=dtype,
        keep_default_na=False,
        na_values=[""],
        skip_blank_lines=False,
    )

    def parse(**extra: Any) -> pd.DataFrame:
        options = {**kwargs, **extra}
        if text is None:  # UTF-8: pandas decodes (strictly) from the bytes, BOM removed here
            utf8 = {"encoding": "utf-8", "encoding_errors": "strict"}
            if path is not None:  # pandas reads a path fastest itself, and drops a BOM
                return pd.read_csv(path, **utf8, **options)
            body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
            return pd.read_csv(io.BytesIO(body), **utf8, **options)
        return pd.read_csv(io.StringIO(text), **options)

    def by_header() -> pd.DataFrame | None:
        """The rows read below pandas' own header row (faster than naming the columns), or None
        when that is not certainly the same as reading them by position."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", pd.errors.ParserWarning)
                warnings.simplefilter("ignore", pd.errors.DtypeWarning)
                quick = parse(header=skip - 1, skiprows=None, index_col=False)
        except UnicodeDecodeError:
            raise
        except (ValueError, pd.errors.ParserWarning):  # parser and empty-data errors too
            return None
        if quick.shape[1] != n:
            return None
        quick.columns = range(n)
        return quick

    try:
        fast = by_header()
    except UnicodeDecodeError:  # not UTF-8 after all: the rest of the file is Windows-1252
        text, encoding = decode(whole())
        meta["encoding"] = encoding
        fast = by_header()
    try:
        if fast is not None:
            frame = fast
        else:
            try:
                with warnings.catch_warnings():
                    # pandas only warns when rows are longer than the header; we say which row.
                    warnings.simplefilter("error", pd.errors.ParserWarning)
                    warnings.simplefilter("ignore", pd.errors.DtypeWarning)
                    frame = parse(names=range(n), index_col=False)
            except UnicodeDecodeError:  # not UTF-8 after all: the rest is Windows-1252
                text, encoding = decode(whole())
                meta["encoding"] = encoding
                with warnings.catch_warnings():
                    warnings.simplefilter("error", pd.errors.ParserWarning)
                    warnings.simplefilter("ignore", pd.errors.DtypeWarning)
                    frame = parse(names=range(n), index_col=False)
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        if text is None:
            text, _ = decode(whole())
        reason = _ragged_reason(text, delimiter, n, skip, str(exc))
        if reason:
            return _unreadable(reason, **meta)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", pd.errors.DtypeWarning)
                frame = parse(usecols=range(n))
        except (pd.errors.ParserError, ValueError) as exc2:
            return _unreadable(f"The rows could not be split into columns ({exc2}).", **meta)
    except pd.errors.EmptyDataError:
        return _unreadable(
            "The file has a header row but no data rows. Check you exported the responses.",
            **meta,
        )
    except ValueError as exc:
        return _unreadable(f"The rows could not be split into columns ({exc}).", **meta)
    if text_columns is not None:
        numeric = [
            i
            for i in range(min(n, frame.shape[1]))
            if text_columns(named[i])
            and not (is_string_dtype(frame[i]) or frame[i].dtype == object)
        ]
        if numeric:  # e.g. codes like 00123 must keep their zeros
            kwargs["dtype"] = str
            again = parse(names=range(n), index_col=False, usecols=numeric)
            for i in numeric:
                frame[i] = again[i]
    return _finish(frame, headers, header_rows, size=size, **meta)


def _ragged_reason(text: str, delimiter: str, n: int, skip: int, message: str) -> str | None:
    """Why rows cannot be split into the header's columns, or None if only empty extras exist.

    ``skip`` counts the rows down to the last header row. A header of one or two columns just
    above wider rows may be a title line we did not recognise, so the message says so too.
    """
    if "EOF inside string" in message or "EOF" in message:
        match = _LINE.search(message)
        where = f" starting near line {match.group(1)}" if match else ""
        return (
            f'A quoted cell{where} is never closed (a " is missing), so the rows cannot be '
            "split into columns. Re-export the file or fix the quote."
        )
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        for index, row in enumerate(reader):
            if index >= skip and len(row) > n and any(cell.strip() for cell in row[n:]):
                title = (
                    f" If row {skip} is a title above the column headings, delete it."
                    if n <= 2 and index < skip + TITLE_SCAN_ROWS
                    else ""
                )
                return (
                    f"Row {index + 1} has {len(row)} values but the header has {n} columns, so "
                    "the columns cannot be lined up. Check for a stray "
                    f"{_delimiter_name(delimiter)} or a missing quote in that row.{title}"
                )
    except csv.Error:
        return f"A cell is longer than {MAX_CELL_CHARS:,} characters, so this is not a table."
    return None


def _delimiter_name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}.get(delimiter, delimiter)


def read_xlsx_bytes(data: bytes) -> RawTable:
    """Read the sheet of an Excel workbook that holds the data as text cells.

    The used range comes from the cells, not the size the workbook declares; rows are streamed
    and the limits of :mod:`evaluation.io.workbooks` checked before anything large is made.

    Examples
    --------
    >>> buffer = io.BytesIO()
    >>> pd.DataFrame({"Hub": ["Solent"], "Score": [4]}).to_excel(buffer, index=False)
    >>> raw = read_xlsx_bytes(buffer.getvalue())
    >>> raw.headers, raw.frame[1].tolist(), raw.source_rows.tolist(), raw.sheet
    (('Hub', 'Score'), ['4'], [2], 'Sheet1')
    """
    sheet = read_workbook(data)
    if isinstance(sheet, str):
        return _unreadable(sheet, file_format="xlsx")
    return _sheet_table(sheet.rows, sheet.numbers, _sheet_meta(sheet))


def _sheet_meta(sheet: Any) -> dict[str, Any]:
    return {
        "file_format": "xlsx",
        "sheet": sheet.sheet,
        "sheets": sheet.sheets,
        "sheet_rivals": sheet.rivals,
    }


def _sheet_layout(
    rows: list[tuple[str | None, ...]], numbers: list[int]
) -> tuple[int, list[str], int]:
    """Rows above the header (titles), headers and header rows of a sheet's non-empty rows."""
    top = title_rows(rows)

    def text(row: tuple[str | None, ...]) -> list[str]:
        return ["" if cell is None else cell for cell in row]

    # SurveyMonkey's second header row is the very next row of the sheet.
    adjacent = len(rows) > top + 1 and numbers[top + 1] == numbers[top] + 1
    headers, header_rows = merge_header_rows(
        text(rows[top]), text(rows[top + 1]) if adjacent else None
    )
    return top, headers, header_rows


def _sheet_table(
    rows: list[tuple[str | None, ...]], numbers: list[int], meta: dict[str, Any]
) -> RawTable:
    top, headers, header_rows = _sheet_layout(rows, numbers)
    meta = {**meta, "header_row": numbers[top], "titles": _titles(rows[:top])}
    body = rows[top + header_rows :]
    width = max((len(row) for row in body), default=0)
    padded = [row + (None,) * (width - len(row)) for row in body]
    frame = pd.DataFrame(padded, dtype=object).astype("str")  # empty cells stay missing
    source_rows = np.asarray(numbers[top + header_rows :], dtype=np.int64)
    return _finish(frame, headers, header_rows, source_rows, size=MAX_CELL_CHARS + 1, **meta)


def read_headers(source: bytes | str | os.PathLike) -> tuple[str, ...]:
    """The column headers of a CSV or Excel file, read from its first rows only; () if none.

    Found as :func:`read_table` finds them (title lines skipped, the sheet holding the data).

    Examples
    --------
    >>> read_headers(b"Survey export\\n\\nPupil ID,Score\\nP1,20\\n")
    ('Pupil ID', 'Score')
    >>> read_headers(b"")
    ()
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        # The first bytes only, as from a path: decoding a national file whole took 1 GB.
        head, size = bytes(source[:HEADER_BYTES]), len(source)
    else:
        opened = _load_head(Path(source), HEADER_BYTES)
        if opened is None:
            return ()
        head, size = opened
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if size > len(head):
            head = load_bytes(source)[0] or b""
        sheet = read_workbook(head, sample_only=True)
        if isinstance(sheet, str):
            return ()
        _, headers, _ = _sheet_layout(sheet.rows, sheet.numbers)
        return _name_headers(headers)
    if looks_binary(head):
        return ()
    sample, _, text = decode_sample(head, len(head), size)
    if (text is None or len(text) > len(sample)) and "\n" in sample:
        sample = sample[: sample.rfind("\n") + 1]
    layout = _csv_layout(sample)
    return () if isinstance(layout, str) else _name_headers(layout[3])


def read_table(
    source: bytes | str | os.PathLike,
    *,
    file_name: str | None = None,
    text_columns: TextColumns = None,
) -> RawTable:
    """Read a CSV or Excel file (bytes or a path) as cells; never raises on bad data.

    Excel is recognised by content (a zip holding a workbook), whatever the file is called.
    Every cell is text unless ``text_columns(header)`` is given and is False for its column,
    in which case a CSV column of numbers is read as numbers; empty cells are missing (NaN).

    Examples
    --------
    >>> raw = read_table(b"Participant code,Q1\\nab12,Agree\\n")
    >>> raw.headers, raw.problem
    (('Participant code', 'Q1'), None)
    >>> read_table(b"").problem
    'The file is empty.'
    """
    if not isinstance(source, (bytes, bytearray, memoryview)):
        opened = _load_head(Path(source))
        if opened is not None and opened[1] > len(opened[0]) and utf8_csv(opened[0]):
            # A long UTF-8 CSV: pandas reads it from disk, without a copy of it in memory.
            return _read_csv(opened[0], Path(source), opened[1], text_columns)
    data, reason = load_bytes(source)
    if data is None:
        return _unreadable(reason or "The file could not be opened.")
    if not data or (len(data) < 65536 and data.isspace()):
        return _unreadable("The file is empty.")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return read_xlsx_bytes(data)
    binary = looks_binary(data)
    if binary:
        return _unreadable(binary)
    return read_csv_bytes(data, text_columns=text_columns)
