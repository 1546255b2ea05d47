"""Decoding and sniffing CSV text: encodings (UTF-8, UTF-16 with or without BOM, Windows-1252),
binary files, NUL bytes, delimiters, and title lines above the header.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import mmap
import os
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "DELIMITERS",
    "HEAD_BYTES",
    "TITLE_SCAN_ROWS",
    "decode",
    "decode_sample",
    "first_rows",
    "looks_binary",
    "nul_message",
    "nul_offset",
    "nul_row",
    "sniff_delimiter",
    "title_rows",
    "utf16_encoding",
    "utf8_csv",
]

DELIMITERS = (",", ";", "\t", "|")
HEAD_BYTES = 65536  # bytes first read to detect the format, encoding and delimiter
TITLE_SCAN_ROWS = 20  # rows looked at for title lines above the header
_MAX_NULS = 8  # more NUL bytes than this in a file's start: a binary file, not a table
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def utf16_encoding(head: bytes) -> str | None:
    """``utf-16`` (with a BOM), ``utf-16-le`` or ``utf-16-be`` (without), or None if not UTF-16.

    Without a BOM, UTF-16 text of mostly Latin letters has a NUL byte in every other position.

    Examples
    --------
    >>> utf16_encoding("Hub,Score\\n".encode("utf-16-le")), utf16_encoding(b"Hub,Score")
    ('utf-16-le', None)
    >>> utf16_encoding("Hub,Score\\n".encode("utf-16-be")), utf16_encoding(codecs.BOM_UTF16_LE)
    ('utf-16-be', 'utf-16')
    """
    if head.startswith(_UTF16_BOMS):
        return "utf-16"
    sample = head[: min(len(head), 8192) // 2 * 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    for encoding, zeros, others in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) >= 0.4 * len(zeros) and others.count(0) <= 0.05 * len(others):
            try:
                codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
            except UnicodeDecodeError:
                continue
            return encoding
    return None


def looks_binary(data: bytes) -> str | None:
    """Why the start of a file is not a table (an old Excel file, a PDF, binary), or None.

    A few NUL bytes are not enough: those are reported by row (:func:`nul_row`).

    Examples
    --------
    >>> looks_binary(b"%PDF-1.4")
    'This is a PDF, not a table. Upload the CSV or Excel export instead.'
    >>> looks_binary(b"Hub\\nSol\\x00ent\\n") is None
    True
    """
    head = data[:8192]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return (
            "This is an old-style Excel (.xls) or other Office file. "
            "Open it in Excel and save it as .xlsx or .csv."
        )
    if head.startswith(b"%PDF"):
        return "This is a PDF, not a table. Upload the CSV or Excel export instead."
    if utf16_encoding(head):
        return None
    if head.count(0) > _MAX_NULS:
        return (
            "This file is not a table (it looks like a binary file). Upload a .csv or .xlsx file."
        )
    return None


def utf8_csv(head: bytes) -> bool:
    """Whether the start of a file is UTF-8 text (no NUL byte) that is not a workbook.

    Examples
    --------
    >>> utf8_csv(b"Hub,Score\\n"), utf8_csv("Hub".encode("utf-16-le")), utf8_csv(b"PK\\x03\\x04")
    (True, False, False)
    """
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")) or b"\x00" in head:
        return False
    if utf16_encoding(head) or looks_binary(head):
        return False
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def decode(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-16 (BOM or not), else strict UTF-8 (BOM optional), else Windows-1252.

    Returns the text and the encoding used.

    Examples
    --------
    >>> decode("caf\\u00e9".encode("cp1252"))
    ('café', 'cp1252')
    >>> decode(b"\\xef\\xbb\\xbfhub")
    ('hub', 'utf-8-sig')
    >>> decode("hub,caf\\u00e9".encode("utf-16-le"))
    ('hub,café', 'utf-16-le')
    """
    encoding = utf16_encoding(data)
    if encoding:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def decode_sample(data: bytes, size: int, total: int) -> tuple[str, str, str | None]:
    """Decode the start of a CSV: (sample of about ``size`` characters, encoding, whole text).

    UTF-8 is decoded by pandas itself, so a large UTF-8 file is never held twice as text: the
    whole text is None then. ``total`` is the file's length when ``data`` is only its start.

    Examples
    --------
    >>> decode_sample(b"a,b\\n1,2\\n", 4, 8)
    ('a,b\\n', 'utf-8-sig', None)
    """
    if utf16_encoding(data[:8192]):
        text, encoding = decode(data)
        return text[:size], encoding, text
    head = data[:size]
    try:
        sample = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=total <= size)
        return sample, "utf-8-sig", sample if total <= size else None
    except UnicodeDecodeError:
        text, encoding = decode(data)
        return text[:size], encoding, text


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def title_rows(rows: Sequence[Sequence[str | None]]) -> int:
    """How many rows at the top are a title (and blank lines) above the header row.

    A title is a row of at most one filled cell above the first row at least half as wide as
    the widest of the first rows (and two cells or more), with no number in it (a header).

    Examples
    --------
    >>> title_rows([["Survey export"], [], ["Hub", "Phase", "Q1"], ["Solent", "pre", "4"]])
    2
    >>> title_rows([["Hub", "", "Score"], ["Solent", "x", "4"]])
    0
    >>> title_rows([[], ["Hub", "Score"]]), title_rows([["Hub"], ["Solent"]])
    (1, 0)
    >>> title_rows([["Export"], ["Pupil ID", "Score"]]), title_rows([["Hub", ""], ["Solent", "4"]])
    (1, 0)
    """
    rows = rows[:TITLE_SCAN_ROWS]
    filled = [[cell.strip() for cell in row if cell and cell.strip()] for row in rows]
    widths = [len(cells) for cells in filled]
    widest = max(widths, default=0)
    first = next((i for i, width in enumerate(widths) if width), 0)
    if widest < 2:
        return first
    wide = max(2, math.ceil(widest / 2))
    header = next(i for i, width in enumerate(widths) if width >= wide)
    if any(width > 1 for width in widths[:header]) or any(map(_number, filled[header])):
        return first
    return header


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the first rows (below any title) into the most, consistent,
    columns.

    Examples
    --------
    >>> sniff_delimiter("Survey export\\n\\nHub;Score;Phase\\nSolent;4;pre\\n")
    ';'
    """
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        try:
            split = [row for row in first_rows(sample, delimiter, 2 * TITLE_SCAN_ROWS) if row]
        except csv.Error:
            continue
        rows = [len(row) for row in split[title_rows(split) :]]
        if not rows or rows[0] < 2:
            continue
        consistent = sum(1 for n in rows if n == rows[0])
        score = (consistent, rows[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def first_rows(sample: str, delimiter: str, n: int = 2) -> list[list[str]]:
    """The first ``n`` rows of CSV text (a blank line is an empty row).

    Examples
    --------
    >>> first_rows('a,"b\\nc"\\n\\nd\\n', ",", 5)
    [['a', 'b\\nc'], [], ['d']]
    """
    rows: list[list[str]] = []
    for row in csv.reader(io.StringIO(sample), delimiter=delimiter):
        rows.append(row)
        if len(rows) >= n:
            break
    return rows


def nul_offset(source: bytes | Path) -> int:
    """Where the first NUL byte of a file (bytes or a path) is, or -1.

    A path is searched through a memory map, without reading it into memory.

    Examples
    --------
    >>> nul_offset(b"ab\\x00c"), nul_offset(b"abc")
    (2, -1)
    """
    if isinstance(source, bytes):
        return source.find(b"\x00")
    with source.open("rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return -1
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return mapped.find(b"\x00")


def nul_row(before: str, delimiter: str) -> int:
    """The spreadsheet row holding a NUL character, from the text before it.

    Examples
    --------
    >>> nul_row("Hub,Score\\nSolent,4\\nSol", ","), nul_row("Hub\\n", ",")
    (3, 2)
    """
    try:
        rows = sum(1 for _ in csv.reader(io.StringIO(before), delimiter=delimiter))
    except csv.Error:
        rows = before.count("\n") + 1
    return rows + 1 if not before or before.endswith(("\n", "\r")) else rows


def nul_message(row: int) -> str:
    """What to say about a NUL character in a row.

    Examples
    --------
    >>> nul_message(7)
    'Row 7 contains a NUL character (an invisible control byte); remove it or re-export the file.'
    """
    return (
        f"Row {row} contains a NUL character (an invisible control byte); remove it or "
        "re-export the file."
    )
