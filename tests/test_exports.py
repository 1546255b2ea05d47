"""Exports open in a spreadsheet as text, never as formulas."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from evaluation.io.exports import FORMULA_PREFIXES, to_csv_bytes, to_xlsx_bytes

DANGEROUS = ['=HYPERLINK("http://evil.example","x")', "+1+2", "-2+3", "@SUM(A1:A2)", "=1+1"]


def test_text_answer_beginning_with_equals_is_written_as_text_in_xlsx():
    table = pd.DataFrame({"answer": DANGEROUS, "score": [1, -2, 3, 4, 5]})
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(table))).active
    for row, text in enumerate(DANGEROUS, start=2):
        cell = sheet.cell(row=row, column=1)
        assert cell.data_type == "s"
        assert cell.value == text
        assert cell.quotePrefix
    # numbers, including negative ones, stay numbers
    assert sheet.cell(row=3, column=2).value == -2
    assert sheet.cell(row=3, column=2).data_type == "n"


def test_csv_prefixes_formula_text_with_an_apostrophe_and_leaves_numbers():
    table = pd.DataFrame({"answer": DANGEROUS, "score": [1.5, -2.0, 3.0, 4.0, 5.0]})
    rows = list(csv.reader(io.StringIO(to_csv_bytes(table).decode("utf-8-sig"))))
    assert rows[0] == ["answer", "score"]
    assert [r[0] for r in rows[1:]] == ["'" + text for text in DANGEROUS]
    assert rows[2][1] == "-2.0"


def test_header_that_looks_like_a_formula_is_neutralised_in_csv():
    rows = to_csv_bytes(pd.DataFrame({"=cmd": ["x"]})).decode("utf-8-sig").splitlines()
    assert rows[0] == "'=cmd"


@given(st.lists(st.text(max_size=20), min_size=1, max_size=8))
def test_no_csv_cell_ever_starts_a_formula(texts):
    raw = to_csv_bytes(pd.DataFrame({"answer": texts})).decode("utf-8-sig")
    cells = [row[0] for row in csv.reader(io.StringIO(raw, newline=""))][1:]
    assert len(cells) == len(texts)
    for cell, text in zip(cells, texts, strict=True):
        assert not cell.startswith(FORMULA_PREFIXES)
        expected = "'" + text if text.startswith(FORMULA_PREFIXES) else text
        assert cell == expected


def test_time_zone_aware_datetimes_are_written_as_utc():
    when = pd.Timestamp("2025-06-12 09:30", tz="Europe/London")
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(pd.DataFrame({"at": [when]})))).active
    assert sheet["A2"].value == pd.Timestamp("2025-06-12 08:30").to_pydatetime()
