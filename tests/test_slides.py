"""The board pack as PowerPoint (evaluation.presentation.reports.slides).

Each deck is read back with python-pptx, independently of how it was written: slide titles,
pictures and their ``descr`` alternative text, native charts' numbers.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from evaluation.access import Viewer
from evaluation.presentation.reports import build_board_pack
from evaluation.presentation.reports.document import (
    BulletList,
    Chart,
    Document,
    Paragraph,
    Section,
    Table,
)
from evaluation.presentation.reports.pdf import find_chromium
from evaluation.presentation.reports.slides import document_to_pptx

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "small"
NO_BROWSER = "/no/such/browser"


def descr(shape) -> str | None:
    return shape._element.xpath("./*[1]/p:cNvPr")[0].get("descr")


def charts_of(document: Document) -> list[Chart]:
    return [part for s in document.sections for part in s.parts if isinstance(part, Chart)]


def titles(deck) -> list[str]:
    return [slide.shapes.title.text for slide in deck.slides]


@pytest.fixture(scope="module")
def solent_document(sample_inputs, sample_analysis) -> Document:
    pack = build_board_pack(
        sample_inputs,
        viewer=Viewer.national(),
        hub="Solent Maths Hub",
        academic_year="2024/25",
        analysis=sample_analysis,
        pdf=False,
    )
    assert pack.ok, pack.problem
    return pack.document


def test_board_pack_deck_has_a_slide_per_chart_each_picture_with_alt_text(solent_document):
    assert find_chromium() is not None  # the machine's Debian Chromium draws the pictures
    charts = charts_of(solent_document)
    assert len(charts) >= 5
    deck = Presentation(io.BytesIO(document_to_pptx(solent_document)))
    slides = list(deck.slides)
    assert titles(deck)[0] == solent_document.title
    pictures = [
        (slide, shape)
        for slide in slides
        for shape in slide.shapes
        if shape.shape_type == MSO_SHAPE_TYPE.PICTURE
    ]
    assert len(pictures) == len(charts)
    assert len({id(slide) for slide, _ in pictures}) == len(charts)  # one chart per slide
    for (slide, picture), chart in zip(pictures, charts, strict=True):
        assert slide.shapes.title.text == chart.caption
        assert descr(picture) and chart.caption in descr(picture)
        text = " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
        assert chart.reading is None or chart.reading in text
        assert picture.image.content_type == "image/png" and picture.image.size[0] >= 1000
    shown = titles(deck)
    # After the title: the headline's sentences (with the evidence-strength line), then charts.
    assert shown[1] == "Headline results"
    opening = " ".join(
        shape.text_frame.text
        for slide in slides
        if slide.shapes.title.text.startswith("Headline results")
        for shape in slide.shapes
        if shape.has_text_frame
    )
    assert "Evidence strength" in opening
    closing = shown[shown.index(charts[-1].caption) + 1 :]
    assert closing[0] == "Methods" and "Data provenance" in closing


PAIRED = (Paragraph("Paired t-tests."),)


def small_document(*charts: Chart, methods: tuple = PAIRED) -> Document:
    return Document(
        title="Solent: board pack 2024/25",
        subtitle="Impact of professional development",
        facts=(("Academic year", "2024/25"), ("Prepared for", "the hub board")),
        sections=(
            Section("headline", "Headline results", tuple(charts)),
            Section("methods", "Methods", tuple(methods)),
            Section("provenance", "Data provenance", (Paragraph("surveys.csv, 2 files."),)),
        ),
        banner="Synthetic data: not real results.",
        summary=("Confidence rose.",),
    )


def test_without_a_browser_charts_are_native_with_alt_text():
    bars = Chart(
        go.Figure(
            [
                go.Bar(x=["Before", "After"], y=[3.1, 3.8], name="Confidence"),
                go.Bar(x=["Before", "After"], y=[2.9, None], name="Practice"),
            ]
        ),
        caption="Average answer before and after",
        reading="Answers rose after the Work Group.",
    )
    line = Chart(go.Figure(go.Scatter(x=["2023/24", "2024/25"], y=[0.2, 0.4])), caption="Trend")
    heatmap = Chart(go.Figure(go.Heatmap(z=[[1, 2], [3, 4]])), caption="Heat", reading="Hot.")
    deck = Presentation(
        io.BytesIO(document_to_pptx(small_document(bars, line, heatmap), chromium=NO_BROWSER))
    )
    assert titles(deck) == [
        "Solent: board pack 2024/25",
        "Summary",
        "Average answer before and after",
        "Trend",
        "Heat",
        "Methods",
        "Data provenance",
    ]
    slides = list(deck.slides)
    frames = [shape for shape in slides[2].shapes if shape.has_chart]
    assert len(frames) == 1 and descr(frames[0]).startswith("Chart: Average answer")
    plot = frames[0].chart.plots[0]
    assert list(plot.categories) == ["Before", "After"]
    assert [list(s.values) for s in plot.series] == [[3.1, 3.8], [2.9, None]]
    assert [shape for shape in slides[3].shapes if shape.has_chart]
    assert descr(next(s for s in slides[3].shapes if s.has_chart)) == "Chart: Trend."
    heat_text = " ".join(s.text_frame.text for s in slides[4].shapes if s.has_text_frame)
    assert "numbers are in the HTML report" in heat_text
    cover = " ".join(s.text_frame.text for s in slides[0].shapes if s.has_text_frame)
    assert "Synthetic data" in cover and "Academic year: 2024/25" in cover


def test_long_methods_continue_on_more_slides_and_small_tables_become_tables():
    long_text = "A sentence about the method that goes on for a while. " * 6
    methods = (
        *(Paragraph(long_text) for _ in range(8)),
        BulletList(("one", "two")),
        Table(frame=pd.DataFrame({"Outcome": ["Confidence"], "Items": ["3"]}), caption="Items",
              name="items"),
    )  # fmt: skip
    deck = Presentation(
        io.BytesIO(document_to_pptx(small_document(methods=methods), chromium=NO_BROWSER))
    )
    names = titles(deck)
    assert names.count("Methods (continued)") >= 1
    table_slide = list(deck.slides)[names.index("Items")]
    tables = [shape for shape in table_slide.shapes if shape.has_table]
    assert tables and tables[0].table.cell(1, 0).text == "Confidence"
    assert descr(tables[0]) == "Table: Items"
    every_line = " ".join(
        s.text_frame.text for slide in deck.slides for s in slide.shapes if s.has_text_frame
    )
    assert every_line.count("A sentence about the method") == 8 * 6


def test_a_chart_without_a_reading_still_has_alt_text_and_slide_text():
    chart = Chart(go.Figure(go.Bar(x=["a"], y=[1])), caption="Counts")
    deck = Presentation(io.BytesIO(document_to_pptx(small_document(chart), chromium=NO_BROWSER)))
    slide = list(deck.slides)[2]
    frame = next(shape for shape in slide.shapes if shape.has_chart)
    assert descr(frame) == "Chart: Counts."
    text = " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
    assert "Headline results" in text


def test_the_report_command_writes_a_deck_with_a_slide_per_chart_and_alt_text(tmp_path, capsys):
    from evaluation.cli import main

    out = tmp_path / "pack"
    data = [str(SAMPLE / "surveys.csv"), str(SAMPLE / "pupils.csv")]
    code = main(
        ["report", "--hub", "Solent", "--year", "2024/25", "--out", str(out), "--no-pdf",
         "--data", *data]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert str(out / "report.pptx") in capsys.readouterr().out
    page = (out / "report.html").read_text(encoding="utf-8")
    n_charts = page.count('<figure class="chart">')
    assert n_charts >= 5
    deck = Presentation(str(out / "report.pptx"))
    drawn = [
        (slide, shape)
        for slide in deck.slides
        for shape in slide.shapes
        if shape.shape_type == MSO_SHAPE_TYPE.PICTURE or getattr(shape, "has_chart", False)
    ]
    assert len(drawn) == n_charts
    assert len({id(slide) for slide, _ in drawn}) == n_charts  # one chart per slide
    for _slide, shape in drawn:
        assert (descr(shape) or "").strip().startswith("Chart: ")
