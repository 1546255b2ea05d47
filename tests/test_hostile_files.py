"""Hostile and awkward files (issue 16, items 6 and 8): bounded reading of workbooks, the sheet
that holds the data, title lines above the header, long header lines, UTF-16 without a BOM, NUL
bytes, and the kind of file ``report --data`` reads.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pandas as pd
import pytest

from evaluation.cli import main
from evaluation.io import workbooks
from evaluation.io.reader import read_headers, read_table
from evaluation.io.text_files import nul_message
from evaluation.presentation.reports import inputs_from_files
from evaluation.store import SAMPLE_DIR
from evaluation.validation import check_survey
from evaluation.validation.kinds import file_kind

ROOT = Path(__file__).resolve().parents[1]
MEMORY_LIMIT_MB = 300  # the bound the issue asks for when reading a hostile file


# --- building workbooks by hand (a few KB whatever they declare) ------------------------------


def _letters(column: int) -> str:
    letters = ""
    while column:
        column, rem = divmod(column - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _sheet_xml(cells: dict[tuple[int, int], str], dimension: str | None) -> str:
    """A worksheet's XML with inline-string cells at (row, column), both 1-based."""
    rows: dict[int, list[tuple[int, str]]] = {}
    for (row, column), value in sorted(cells.items()):
        rows.setdefault(row, []).append((column, value))
    body = "".join(
        f'<row r="{row}">'
        + "".join(
            f'<c r="{_letters(column)}{row}" t="inlineStr"><is><t xml:space="preserve">'
            f"{escape(value)}</t></is></c>"
            for column, value in values
        )
        + "</row>"
        for row, values in rows.items()
    )
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{body}</sheetData></worksheet>"
    )


def workbook_bytes(sheets: dict[str, str]) -> bytes:
    """An .xlsx from sheet name -> worksheet XML (no styles, no shared strings)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet_type = f"{rel}/worksheet"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org'
            '/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        entries = "".join(
            f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, name in enumerate(sheets, start=1)
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            f"<sheets>{entries}</sheets></workbook>",
        )
        links = "".join(
            f'<Relationship Id="rId{i}" Type="{sheet_type}" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            f'openxmlformats.org/package/2006/relationships">{links}</Relationships>',
        )
        for i, xml in enumerate(sheets.values(), start=1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", xml)
    return buffer.getvalue()


SURVEY_CELLS = {
    (1, 1): "Participant code",
    (1, 2): "Maths Hub",
    (1, 3): "I feel confident teaching mathematics to my class",
    (2, 1): "ab12",
    (2, 2): "Solent",
    (2, 3): "Agree",
    (3, 1): "cd34",
    (3, 2): "Solent",
    (3, 3): "Strongly agree",
}
EVERYTHING = "A1:XFD1048576"


def peak_read_mb(path: Path) -> tuple[float, dict]:
    """Read a file with read_table in a fresh Python; (peak resident MB, what was read).

    The peak is the child's own high-water mark (VmHWM): ``getrusage``'s ru_maxrss would keep
    the larger peak of the forking test process.
    """
    script = (
        "import json, sys\n"
        "from evaluation.io.reader import read_table\n"
        "raw = read_table(sys.argv[1])\n"
        "status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
        "peak = int(status.split()[0]) / 1024\n"
        "rows = None if raw.frame is None else len(raw.frame)\n"
        "last = int(raw.source_rows[-1]) if len(raw.source_rows) else None\n"
        "print(json.dumps({'peak': peak, 'problem': raw.problem, 'rows': rows,"
        " 'last_row': last, 'headers': list(raw.headers)}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=600,
        check=True,
    )
    result = json.loads(done.stdout)
    return result.pop("peak"), result


# --- bounded reading --------------------------------------------------------------------------


def test_one_cell_at_xfd1048576_is_refused_in_bounded_memory(tmp_path):
    # Before: the declared and real used range made pandas build a 1,048,576 x 16,384 frame
    # (4.5 GB), then the file was called damaged.
    data = workbook_bytes({"Sheet1": _sheet_xml({(1048576, 16384): "x"}, EVERYTHING)})
    assert len(data) < 5_000
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(data)
    peak, read = peak_read_mb(path)
    assert peak < MEMORY_LIMIT_MB
    assert read["rows"] is None
    assert "16,384 columns" in read["problem"] and "XFD" in read["problem"]
    assert "too large to read" in read["problem"]


def test_a_space_in_a1048576_costs_little_and_keeps_its_row(tmp_path):
    # Before: 37 s and 860 MB (every empty row in between was made).
    cells = {**SURVEY_CELLS, (1048576, 1): " "}
    path = tmp_path / "space.xlsx"
    path.write_bytes(workbook_bytes({"Sheet1": _sheet_xml(cells, "A1:C1048576")}))
    peak, read = peak_read_mb(path)
    assert peak < MEMORY_LIMIT_MB
    assert read["problem"] is None and read["rows"] == 3
    assert read["last_row"] == 1048576  # a cell as written is data, where the user can find it


def test_a_value_far_down_keeps_its_spreadsheet_row():
    cells = {**SURVEY_CELLS, (1048576, 1): "ef56"}
    raw = read_table(workbook_bytes({"Sheet1": _sheet_xml(cells, EVERYTHING)}))
    assert raw.problem is None
    assert raw.source_rows.tolist() == [2, 3, 1048576]
    assert raw.frame[0].tolist() == ["ab12", "cd34", "ef56"]


def test_declared_dimension_is_ignored():
    raw = read_table(workbook_bytes({"Sheet1": _sheet_xml(SURVEY_CELLS, EVERYTHING)}))
    assert raw.problem is None and raw.frame.shape == (2, 3)


@pytest.mark.parametrize(
    ("limit", "value", "cells", "expected"),
    [
        ("MAX_ROWS", 2, SURVEY_CELLS, "more than 2 rows"),
        ("MAX_COLUMNS", 2, SURVEY_CELLS, "3 columns"),
        ("MAX_CELLS", 4, SURVEY_CELLS, "more than 4 cells"),
    ],
)
def test_limits_are_checked_while_streaming(monkeypatch, limit, value, cells, expected):
    monkeypatch.setattr(workbooks, limit, value)
    raw = read_table(workbook_bytes({"Sheet1": _sheet_xml(cells, None)}))
    assert raw.frame is None
    assert expected in raw.problem and "too large to read" in raw.problem


def test_uncompressed_size_is_checked_before_opening(monkeypatch):
    # A sheet of 2 MB of spaces zips to a few KB: refused from the zip directory alone.
    padding = " " * 2_000_000
    xml = _sheet_xml(SURVEY_CELLS, None).replace("<sheetData>", f"{padding}<sheetData>")
    data = workbook_bytes({"Sheet1": xml})
    assert len(data) < 20_000
    monkeypatch.setattr(workbooks, "MAX_UNCOMPRESSED", 1_000_000)
    import openpyxl  # workbooks imports it when it opens a workbook

    monkeypatch.setattr(openpyxl, "load_workbook", None)  # never reached
    raw = read_table(data)
    assert "MB once unzipped" in raw.problem and "too large to read" in raw.problem


# --- the sheet that holds the data ------------------------------------------------------------


def _book(*sheets: tuple[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


READ_ME = (
    "Read me",
    [["This workbook holds the responses to the Maths Hub survey."], ["Do not edit it."]],
)
RESPONSES = [
    ["Participant code", "Maths Hub", "I feel confident teaching mathematics to my class"],
    ["ab12", "Solent", "Agree"],
    ["cd34", "Solent", "Strongly agree"],
]


def test_the_data_sheet_is_read_not_the_read_me_and_the_report_says_which():
    # Before: the "Read me" sheet was read as the table and nothing was said about sheets.
    data = _book(READ_ME, ("Responses", RESPONSES))
    raw = read_table(data)
    assert raw.sheet == "Responses" and raw.sheets == ("Read me", "Responses")
    assert raw.headers[0] == "Participant code" and len(raw.frame) == 2
    checked = check_survey(data)
    assert "Read sheet 'Responses' (of 'Read me', 'Responses')." in checked.notes
    assert not [p for p in checked.report.warnings if p.code == "sheet_ambiguous"]


def test_two_sheets_of_data_read_the_first_and_warn_naming_the_other():
    data = _book(("2024", RESPONSES), ("2023", RESPONSES))
    checked = check_survey(data)
    assert "Read sheet '2024' (of '2024', '2023')." in checked.notes
    [warning] = [p for p in checked.report.warnings if p.code == "sheet_ambiguous"]
    assert "'2023'" in warning.message and "'2024'" in warning.message


def test_validate_prints_which_sheet_was_read(tmp_path, capsys):
    path = tmp_path / "export.xlsx"
    path.write_bytes(_book(READ_ME, ("Responses", RESPONSES)))
    main(["validate", str(path), "--phase", "pre", "--year", "2024/25", "--ncp", "MN-KS2"])
    assert "Read sheet 'Responses' (of 'Read me', 'Responses')." in capsys.readouterr().out


def test_a_sheet_listing_the_answers_is_not_taken_for_the_data():
    answers = ("Lists", [["Strongly agree"], ["Agree"], ["Disagree"], ["Strongly disagree"]])
    raw = read_table(_book(answers, ("Responses", RESPONSES)))
    assert raw.sheet == "Responses" and raw.sheet_rivals == ()


def test_a_sheet_over_the_limits_beside_the_data_sheet_is_passed_over():
    hostile = _sheet_xml({(1048576, 16384): "x"}, EVERYTHING)
    data = workbook_bytes({"Junk": hostile, "Responses": _sheet_xml(SURVEY_CELLS, None)})
    raw = read_table(data)
    assert raw.problem is None and raw.sheet == "Responses" and len(raw.frame) == 2
    alone = read_table(workbook_bytes({"Junk": hostile, "Notes": _sheet_xml({(1, 1): "x"}, None)}))
    assert "16,384 columns" in alone.problem


def test_a_single_sheet_says_nothing_about_sheets():
    checked = check_survey(_book(("Responses", RESPONSES)))
    assert not any("sheet" in note.lower() for note in checked.notes)


# --- title lines above the header -------------------------------------------------------------

TITLED_CSV = (
    b"Maths Hub survey export\n\n"
    b"Participant code,Maths Hub,I feel confident teaching mathematics to my class\n"
    b"ab12,Solent,Agree\ncd34,Solent Maths Hubb,Strongly agree\n"
)


def test_title_line_above_the_header_in_a_csv():
    # Before: "Row 3 has 3 values but the header has 1 columns ... stray comma or missing quote".
    raw = read_table(TITLED_CSV)
    assert raw.problem is None
    assert raw.headers[:2] == ("Participant code", "Maths Hub")
    assert raw.header_row == 3 and raw.titles == ("Maths Hub survey export",)
    assert raw.source_rows.tolist() == [4, 5]  # the rows the user sees in Excel
    checked = check_survey(TITLED_CSV)
    [error] = [p for p in checked.report.errors if p.code == "unknown_hub"]
    assert error.row == 5
    assert any("row 3" in note and "Maths Hub survey export" in note for note in checked.notes)


def test_title_line_above_the_header_in_a_workbook():
    rows = [["Maths Hub survey export"], [], *RESPONSES]
    raw = read_table(_book(("Responses", rows)))
    assert raw.problem is None and raw.header_row == 3
    assert raw.source_rows.tolist() == [4, 5]
    assert raw.titles == ("Maths Hub survey export",)


def test_a_title_line_of_a_tab_separated_file_does_not_hide_the_delimiter():
    data = TITLED_CSV.replace(b",", b"\t")
    raw = read_table(data)
    assert raw.delimiter == "\t" and raw.problem is None and len(raw.headers) == 3


# --- long header lines ------------------------------------------------------------------------


def _wide_csv(columns: int = 5000) -> bytes:
    headers = [f"Question number {i:05d} about teaching" for i in range(columns)]
    rows = [",".join(headers), ",".join(["Agree"] * columns), ",".join(["Disagree"] * columns)]
    return ("\n".join(rows) + "\n").encode()


def test_a_header_line_over_64_kb_is_read_whole(tmp_path):
    # Before: the header was cut at 64 KB, so "Row 2 has 5000 values but the header has ...".
    data = _wide_csv()
    assert data.index(b"\n") > 65536
    for source in (data, tmp_path / "wide.csv"):
        if isinstance(source, Path):
            source.write_bytes(data)
        raw = read_table(source)
        assert raw.problem is None
        assert len(raw.headers) == 5000 and raw.frame.shape == (2, 5000)


# --- encodings and NUL bytes ------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_read(encoding):
    # Before: "This file is not a table (it looks like a binary file)".
    text = TITLED_CSV.decode().replace("Solent", "Sólent")
    raw = read_table(text.encode(encoding))
    assert raw.problem is None and raw.encoding == encoding
    expected = read_table(text.encode("utf-8"))
    assert raw.headers == expected.headers
    pd.testing.assert_frame_equal(raw.frame, expected.frame)


def test_a_nul_byte_is_reported_by_its_row(tmp_path):
    # Before: "This file is not a table (it looks like a binary file)", with no row.
    lines = [b"Participant code,Maths Hub"] + [b"p%d,Solent" % i for i in range(2, 12)]
    lines[6] = b"p7,Sol\x00ent"  # spreadsheet row 7
    raw = read_table(b"\n".join(lines) + b"\n")
    assert raw.frame is None and raw.problem == nul_message(7)
    assert raw.problem.startswith("Row 7 contains a NUL character")


def test_a_nul_byte_far_into_a_long_file_read_from_disk(tmp_path):
    rows = [b"Participant code,Maths Hub"] + [b"p%d,Solent" % i for i in range(2, 20001)]
    rows[15000 - 1] = b'"p15000\nsecond line",Sol\x00ent'  # a quoted newline: still row 15000
    path = tmp_path / "nul.csv"
    path.write_bytes(b"\n".join(rows) + b"\n")
    assert path.stat().st_size > 65536
    assert read_table(path).problem == nul_message(15000)


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252"])
def test_a_nul_character_in_other_encodings_is_reported_by_its_row(encoding):
    text = "Participant code,Maths Hub\nab12,Sol\u00e9nt\ncd34,Sol\x00ent\n"
    assert read_table(text.encode(encoding)).problem == nul_message(3)


def test_many_nul_bytes_are_still_a_binary_file():
    assert "binary file" in read_table(b"Hub,Score\n" + b"\x00\x01" * 500).problem


# --- the kind of file report --data reads -----------------------------------------------------

FORM_HEADERS = [
    "Timestamp",
    "Participant code",
    "How often do pupils explain their reasoning in maths lessons?",
]


def test_file_kind_recognises_as_validate_does(tmp_path):
    survey = (",".join(FORM_HEADERS) + "\n2024-09-01 10:00,ab12,Often\n").encode()
    assert file_kind(survey) == "survey"
    assert file_kind(b"Pupil ID,URN,Score\nP1,123456,20\n") == "pupil"
    assert file_kind(_book(READ_ME, ("Scores", [["Pupil ID", "Score"], ["P1", 20]]))) == "pupil"
    path = tmp_path / "pupils.csv"
    path.write_bytes(b"Export of MTC scores\n\nPupil ID,URN,Score\nP1,123456,20\n")
    assert read_headers(path) == ("Pupil ID", "URN", "Score") and file_kind(path) == "pupil"


def test_report_data_reads_a_survey_with_pupils_in_a_question_as_a_survey(tmp_path):
    # Before: any header mentioning "pupil" made the file a pupil file (and it failed as one).
    frame = pd.read_csv(SAMPLE_DIR / "surveys.csv", dtype=str)
    frame["How often do pupils explain their reasoning in maths lessons?"] = "Often"
    path = tmp_path / "form.csv"
    frame.to_csv(path, index=False)
    inputs = inputs_from_files([path])
    assert not hasattr(inputs, "lines"), getattr(inputs, "lines", None)
    assert inputs.datasets["kind"].tolist() == ["survey"]
