"""Tests of evaluation.io.reader: any table written as CSV or Excel reads back cell for cell."""

from __future__ import annotations

import csv
import io
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation.io.reader import column_letter, decode, read_headers, read_table

FIXTURES = Path(__file__).parent / "fixtures"

# Letters whose Windows-1252 bytes can never form valid UTF-8 next to ASCII, so a cp1252 file is
# never mistaken for UTF-8 (a real, unavoidable ambiguity for other byte sequences).
CP1252_TEXT = "abcXYZ019 -_.,;:!?'\"\t\néèàçöüñÉ"
UTF8_ONLY = "ŁŻ€–’ 中文✓"
HEADER_TEXT = "abcdefghijklmnopqrstuvwxyz ABC0123456789éü"


def cells(alphabet: str) -> st.SearchStrategy[str]:
    text = st.text(alphabet=alphabet, max_size=12)
    ints = st.integers(-10_000, 10_000).map(str)
    padded = st.integers(0, 999).map(lambda n: f"{n:05d}")  # codes with leading zeros
    # A cell spelling a SurveyMonkey sub-header would (rightly) be read as a second header row.
    return st.one_of(text, ints, padded).filter(lambda s: s.strip().lower() != "response")


@st.composite
def tables(draw, alphabet: str) -> tuple[list[str], list[list[str]]]:
    n_columns = draw(st.integers(2, 5))
    headers = draw(
        st.lists(
            st.text(alphabet=HEADER_TEXT, min_size=1, max_size=10).map(str.strip).filter(bool),
            min_size=n_columns,
            max_size=n_columns,
            unique_by=str.casefold,
        )
    )
    rows = draw(
        st.lists(
            st.lists(cells(alphabet), min_size=n_columns, max_size=n_columns).filter(
                lambda row: any(row)  # an all-empty row is a blank line, dropped by design
            ),
            min_size=1,
            max_size=8,
        )
    )
    return headers, rows


def as_strings(frame: pd.DataFrame) -> list[list[str]]:
    return frame.fillna("").astype(str).to_numpy().tolist()


@given(
    data=st.data(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
    line_end=st.sampled_from(["\n", "\r\n"]),
)
def test_any_table_written_as_csv_reads_back_equal(data, encoding, delimiter, line_end):
    alphabet = CP1252_TEXT if encoding == "cp1252" else CP1252_TEXT + UTF8_ONLY
    headers, rows = data.draw(tables(alphabet))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    writer.writerow(headers)
    writer.writerows(rows)
    raw = read_table(buffer.getvalue().encode(encoding))
    assert raw.problem is None
    assert raw.headers == tuple(headers)
    assert raw.delimiter == delimiter
    assert as_strings(raw.frame) == rows
    assert raw.source_rows.tolist() == list(range(2, len(rows) + 2))


@given(data=st.data())
def test_any_table_written_as_xlsx_reads_back_equal(data):
    alphabet = (CP1252_TEXT + UTF8_ONLY).replace("\t", "")
    headers, rows = data.draw(tables(alphabet))
    buffer = io.BytesIO()
    pd.DataFrame(rows, columns=headers).to_excel(buffer, index=False)
    raw = read_table(buffer.getvalue())
    assert raw.problem is None
    assert raw.file_format == "xlsx"
    assert raw.headers == tuple(headers)
    assert as_strings(raw.frame) == rows


def test_excel_numbers_and_dates_read_as_the_text_a_user_sees():
    buffer = io.BytesIO()
    frame = pd.DataFrame(
        {"Score": [4, 4.5], "When": [pd.Timestamp("2024-09-18 15:01"), pd.Timestamp("2024-09-19")]}
    )
    frame.to_excel(buffer, index=False)
    raw = read_table(buffer.getvalue())
    assert as_strings(raw.frame) == [["4", "2024-09-18 15:01:00"], ["4.5", "2024-09-19 00:00:00"]]


def test_excel_detected_by_content_whatever_the_file_is_called(tmp_path):
    path = tmp_path / "looks_like.csv"
    path.write_bytes((FIXTURES / "ms_forms_pre.xlsx").read_bytes())
    raw = read_table(path)
    assert raw.file_format == "xlsx"
    assert raw.headers[0] == "ID"


def test_rows_above_the_header_in_excel_keep_spreadsheet_row_numbers():
    buffer = io.BytesIO()
    pd.DataFrame([["Hub", "Score"], ["Solent", 3]]).to_excel(
        buffer, index=False, header=False, startrow=2
    )
    raw = read_table(buffer.getvalue())
    assert raw.headers == ("Hub", "Score")
    assert raw.source_rows.tolist() == [4]  # header on row 3, first answer on row 4


def test_windows_1252_semicolon_file_from_excel():
    raw = read_table(FIXTURES / "excel_cp1252_semicolon.csv")
    assert (raw.encoding, raw.delimiter) == ("cp1252", ";")
    assert raw.frame[0].tolist() == ["zoë-01", "zoë-02", "ZOË-03"]
    # The quoted comment spans two lines of text but is one spreadsheet row.
    assert raw.frame[8].iloc[0] == "Café chat – very useful\r\nthanks"
    assert raw.source_rows.tolist() == [2, 3, 4]


def test_windows_1252_byte_after_a_long_utf8_looking_start_still_decodes():
    body = "".join(f"p{i},{i % 5 + 1}\n" for i in range(20_000))
    data = ("code,score\n" + body + "zoë,3\n").encode("cp1252")
    assert len(data) > 65_536
    raw = read_table(data)
    assert raw.encoding == "cp1252"
    assert raw.frame[0].iloc[-1] == "zoë"


def test_utf16_with_bom_from_excel_unicode_text():
    raw = read_table("Hub\tScore\nSolent\t4\n".encode("utf-16"))
    assert (raw.encoding, raw.delimiter) == ("utf-16", "\t")
    assert as_strings(raw.frame) == [["Solent", "4"]]


def test_blank_lines_are_dropped_but_rows_keep_their_spreadsheet_numbers():
    raw = read_table(b"Hub,Score\nSolent,4\n\n,\nSussex,5\n")
    assert as_strings(raw.frame) == [["Solent", "4"], ["Sussex", "5"]]
    assert raw.source_rows.tolist() == [2, 5]


def test_trailing_delimiters_without_values_are_repaired():
    raw = read_table(b"Hub,Score,\nSolent,4,,\nSussex,5,\n")
    assert raw.problem is None
    assert raw.headers == ("Hub", "Score")
    assert as_strings(raw.frame) == [["Solent", "4"], ["Sussex", "5"]]


def test_surveymonkey_second_header_row_is_merged_and_data_starts_on_row_3():
    raw = read_table(FIXTURES / "surveymonkey.csv")
    assert raw.header_rows == 2
    assert raw.headers[9] == "What is your participant code?"
    assert raw.headers[10] == (
        "How much do you agree with each statement? - "
        "I feel confident teaching mathematics to my class"
    )
    assert raw.headers[12] == "Any other comments?"
    assert raw.source_rows.tolist() == [3, 4]


def test_text_columns_keep_leading_zeros_while_others_are_numbers():
    raw = read_table(b"code,score\n007,4\n010,\n", text_columns=lambda h: h == "code")
    assert raw.frame[0].tolist() == ["007", "010"]
    assert raw.frame[1].dtype == np.float64


def test_decode_prefers_utf8_then_windows_1252():
    assert decode("£5".encode()) == ("£5", "utf-8-sig")
    assert decode("£5".encode("cp1252")) == ("£5", "cp1252")


def test_column_letters_follow_spreadsheet_naming():
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 701, 702)] == [
        "A", "B", "Z", "AA", "AB", "ZZ", "AAA",
    ]  # fmt: skip


def test_blank_header_gets_its_column_letter():
    raw = read_table(b"Hub,,Score\nSolent,x,4\n")
    assert raw.headers == ("Hub", "Column B", "Score")


def _corrupt_xlsx() -> bytes:
    return (FIXTURES / "ms_forms_pre.xlsx").read_bytes()[:700]


def _zip_not_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return buffer.getvalue()


def _xlsx_with_broken_sheet() -> bytes:
    source = zipfile.ZipFile(io.BytesIO((FIXTURES / "ms_forms_pre.xlsx").read_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                data = b"<worksheet><sheetData><row><c r='A1'"
            archive.writestr(info, data)
    return buffer.getvalue()


BAD_FILES = {
    "empty": (b"", "empty"),
    "only spaces": (b"  \n\n ", "empty"),
    "header only": (b"Participant code,Q1\n", "no data rows"),
    "binary": (bytes(range(256)) * 4, "not a table"),
    "pdf": (b"%PDF-1.7\n" + bytes(300), "PDF"),
    "old excel": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), ".xls"),
    "ragged": (b"a,b\n1,2\n3,4,5,6\n", "Row 3 has 4 values"),
    "unclosed quote": (b'a,b\n1,"2\n3,4\n', "never closed"),
    "corrupt xlsx": (_corrupt_xlsx(), "damaged"),
    "broken sheet xml": (_xlsx_with_broken_sheet(), "damaged"),
    "zip not workbook": (_zip_not_workbook(), "not an Excel workbook"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_file_that_is_not_a_table_gets_one_plain_reason(name):
    data, phrase = BAD_FILES[name]
    raw = read_table(data)
    assert raw.frame is None
    assert phrase in raw.problem
    assert "\n" not in raw.problem and "Traceback" not in raw.problem


@pytest.mark.parametrize("where", ["header", "data"])
def test_a_two_megabyte_cell_makes_the_file_unreadable(where):
    huge = "x" * 2_000_000
    text = f"{huge},b\n1,2\n" if where == "header" else f"a,b\n1,{huge}\n"
    raw = read_table(text.encode())
    assert raw.frame is None
    assert "100,000 characters" in raw.problem


def test_missing_file_is_reported_not_raised(tmp_path):
    raw = read_table(tmp_path / "nope.csv")
    assert raw.frame is None
    assert "There is no file called" in raw.problem


def test_headers_of_a_long_file_in_memory_come_from_its_start_only():
    # Issue 16 (memory): report --data found each file's kind by decoding the whole file's bytes
    # (about 1 GB for the 189 MB national file); only the first bytes are needed, as from a path.
    data = b"Participant code,conf_1\n" + b"abcdefgh,4\n" * 6_000_000  # 62 MB
    tracemalloc.start()
    try:
        headers = read_headers(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert headers == ("Participant code", "conf_1")
    assert peak < len(data) / 2
