"""Exports of results tables as CSV and XLSX bytes, safe to open in a spreadsheet.

Text that a spreadsheet would run as a formula is neutralised (OWASP "CSV injection").
"""

from __future__ import annotations

import io

import pandas as pd

# A cell starting with one of these is treated as a formula by Excel, LibreOffice and Google
# Sheets; tab and carriage return also start a formula when they precede one of them.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """Return ``value`` made safe for a spreadsheet: text that starts a formula gets a ``'`` prefix.

    Numbers (including negative numbers) are left alone; only text is changed.

    Parameters
    ----------
    value : object
        One cell.

    Returns
    -------
    object
        The same value, or the text with a leading apostrophe.

    Examples
    --------
    >>> neutralise_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_cell(-0.5)
    -0.5
    >>> neutralise_cell("Confidence rose")
    'Confidence rose'
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise(table: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``table`` with every text cell and header neutralised.

    Examples
    --------
    >>> neutralise(pd.DataFrame({"answer": ["=1+1", "fine"]}))["answer"].tolist()
    ["'=1+1", 'fine']
    """
    out = table.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise_cell, na_action="ignore")
    out.columns = [neutralise_cell(str(name)) for name in out.columns]
    return out


def to_csv_bytes(table: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV (BOM so Excel reads accents; CRLF rows per RFC 4180), formula-safe.

    Examples
    --------
    >>> to_csv_bytes(pd.DataFrame({"a": ["@SUM(A1)"]})).decode("utf-8-sig").splitlines()
    ['a', "'@SUM(A1)"]
    """
    return neutralise(table).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def to_xlsx_bytes(table: pd.DataFrame, *, sheet_name: str = "results") -> bytes:
    """The table as an .xlsx workbook in which no cell is ever a formula.

    Text that looks like a formula is stored as a text cell with Excel's "quote prefix" flag, so
    it shows exactly as written (no visible apostrophe) and is never calculated. Time-zone-aware
    datetimes are written in UTC, since Excel cells have no time zone.

    Examples
    --------
    >>> import openpyxl
    >>> data = to_xlsx_bytes(pd.DataFrame({"answer": ["=1+1"]}))
    >>> cell = openpyxl.load_workbook(io.BytesIO(data)).active["A2"]
    >>> cell.value, cell.data_type, cell.quotePrefix
    ('=1+1', 's', True)
    """
    buffer = io.BytesIO()
    sheet_name = sheet_name[:31]
    table = table.copy()
    for column in table.columns:
        if isinstance(table[column].dtype, pd.DatetimeTZDtype):  # Excel has no time zones
            table[column] = table[column].dt.tz_convert("UTC").dt.tz_localize(None)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        table.to_excel(writer, index=False, sheet_name=sheet_name)
        for row in writer.sheets[sheet_name].iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
                    cell.data_type = "s"  # openpyxl stores text starting "=" as a formula
                    cell.quotePrefix = True
    return buffer.getvalue()
