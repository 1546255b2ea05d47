"""The board pack as PowerPoint slides: a title slide, one slide per chart, methods and sources.

Charts become pictures drawn by headless Chromium (the browser that prints the PDF); without it,
native PowerPoint charts built from the figure's numbers. Every picture and chart has alt text.
"""

from __future__ import annotations

import io
import math
import os
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
from PIL import Image
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
from pptx.presentation import Presentation as PresentationType
from pptx.shapes.graphfrm import GraphicFrame
from pptx.slide import Slide
from pptx.util import Inches, Pt

from evaluation.presentation.reports.document import (
    BulletList,
    Chart,
    Document,
    Heading,
    KeyFigures,
    Paragraph,
    Part,
    Table,
)
from evaluation.presentation.reports.html import plotly_js
from evaluation.presentation.reports.pdf import CHROMIUM_ARGS, DEFAULT_TIMEOUT, find_chromium

__all__ = [
    "CLOSING_SECTIONS",
    "alt_text",
    "chart_pictures",
    "document_to_pptx",
    "set_alt_text",
]

# Sections shown as text slides at the end, in this order (keys of the board pack's sections).
CLOSING_SECTIONS = ("methods", "provenance")
# Sections whose sentences (the headline readings and the evidence-strength line) get a text
# slide of their own after the title: a board reads the claim and how strong it is first.
OPENING_SECTIONS = ("impact", "headline")
# 16:9 slides.
SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
TITLE_HEIGHT = Inches(1.0)
# Text at 18 pt across the slide: about this many characters a line, this tall a line.
CHARS_PER_LINE, LINE_HEIGHT = 100, Inches(0.36)
# Charts are drawn at this CSS size (unless the figure sets its own) at twice the pixel density.
CHART_WIDTH_PX, CHART_HEIGHT_PX, PIXEL_RATIO = 1100, 560, 2
# Chromium draws several charts per screenshot, stacked, up to this many CSS pixels tall.
MAX_SHOT_HEIGHT_PX = 6000
# Text slides: at most this many (wrapped) lines before a "continued" slide.
LINES_PER_SLIDE = 14
# Tables up to this size become slide tables; larger ones are named, with where to find them.
MAX_TABLE_ROWS, MAX_TABLE_COLUMNS = 12, 6
FONT = "Arial"
NO_PICTURE = "The chart could not be drawn here; its numbers are in the HTML report."


def alt_text(chart: Chart) -> str:
    """The alternative text of a chart: its caption and plain-English reading.

    Examples
    --------
    >>> alt_text(Chart(go.Figure(), caption="Confidence", reading="Confidence rose."))
    'Chart: Confidence. Confidence rose.'
    """
    caption = " ".join(str(chart.caption).split()).rstrip(".")
    reading = " ".join(str(chart.reading or "").split())
    return f"Chart: {caption}." + (f" {reading}" if reading else "")


def set_alt_text(shape: object, text: str) -> None:
    """Set a picture's, chart's or table's alternative text (``descr`` of its ``cNvPr``).

    Examples
    --------
    >>> deck = Presentation()
    >>> slide = deck.slides.add_slide(deck.slide_layouts[6])
    >>> box = slide.shapes.add_textbox(0, 0, 100, 100)
    >>> set_alt_text(box, "A box")
    >>> box._element.xpath("./*[1]/p:cNvPr")[0].get("descr")
    'A box'
    """
    if not str(text).strip():
        raise ValueError("alternative text must not be empty")
    element = shape._element  # type: ignore[attr-defined]
    element.xpath("./*[1]/p:cNvPr")[0].set("descr", str(text))


def _size(figure: go.Figure) -> tuple[int, int]:
    width = figure.layout.width or CHART_WIDTH_PX
    height = figure.layout.height or CHART_HEIGHT_PX
    return int(width), int(height)


def _page(figures: Sequence[go.Figure]) -> tuple[str, list[tuple[int, int, int]]]:
    """One HTML page with the figures stacked; returns it and each figure's (top, width, height)."""
    blocks, boxes, top = [], [], 0
    for figure in figures:
        width, height = _size(figure)
        div = pio.to_html(
            figure,
            full_html=False,
            include_plotlyjs=False,
            config={"staticPlot": True, "displayModeBar": False},
            default_width=f"{width}px",
            default_height=f"{height}px",
        )
        blocks.append(
            f'<div style="position:absolute;left:0;top:{top}px;width:{width}px;'
            f'height:{height}px;overflow:hidden">{div}</div>'
        )
        boxes.append((top, width, height))
        top += height
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<script>{plotly_js()}</script>"
        "<style>html,body{margin:0;padding:0;background:#fff;overflow:hidden}</style>"
        f"</head><body>{''.join(blocks)}</body></html>"
    )
    return page, boxes


def _batches(figures: Sequence[go.Figure]) -> list[list[int]]:
    batches: list[list[int]] = [[]]
    height = 0
    for index, figure in enumerate(figures):
        figure_height = _size(figure)[1]
        if batches[-1] and height + figure_height > MAX_SHOT_HEIGHT_PX:
            batches.append([])
            height = 0
        batches[-1].append(index)
        height += figure_height
    return [batch for batch in batches if batch]


def _screenshot(
    figures: Sequence[go.Figure], browser: str, timeout: float, folder: Path
) -> list[bytes] | None:
    page, boxes = _page(figures)
    width = max(box[1] for box in boxes)
    height = boxes[-1][0] + boxes[-1][2]
    html_file, png_file = folder / "charts.html", folder / "charts.png"
    html_file.write_text(page, encoding="utf-8")
    png_file.unlink(missing_ok=True)
    command = [
        browser,
        "--headless",
        *CHROMIUM_ARGS,
        "--disable-extensions",
        "--hide-scrollbars",
        f"--user-data-dir={folder / 'profile'}",
        f"--window-size={width},{height}",
        f"--force-device-scale-factor={PIXEL_RATIO}",
        "--virtual-time-budget=15000",
        f"--screenshot={png_file}",
        html_file.resolve().as_uri(),
    ]
    try:
        subprocess.run(
            command, capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL
        )
    except (subprocess.TimeoutExpired, OSError):
        return None
    if not png_file.exists() or png_file.stat().st_size == 0:
        return None
    pictures = []
    with Image.open(png_file) as shot:
        scale = shot.width / width
        for top, box_width, box_height in boxes:
            area = (
                0,
                round(top * scale),
                round(box_width * scale),
                round((top + box_height) * scale),
            )
            if area[3] > shot.height:
                return None
            out = io.BytesIO()
            shot.crop(area).save(out, format="PNG")  # optimize=True: 2-3% smaller, 4x the CPU
            pictures.append(out.getvalue())
    return pictures


def chart_pictures(
    figures: Sequence[go.Figure], *, chromium: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> list[bytes] | None:
    """PNG pictures of plotly figures, drawn by headless Chromium; None without a browser.

    The figures are stacked on one page per batch and photographed once, then cut apart, so a
    board pack's charts take one or two browser runs rather than one each.

    Parameters
    ----------
    figures : sequence of plotly Figure
        Drawn at their own width and height, or 1100 x 560 CSS pixels, at twice that density.
    chromium : str, optional
        Browser executable; default :func:`evaluation.presentation.reports.pdf.find_chromium`.
    timeout : float
        Seconds per browser run before giving up.

    Returns
    -------
    list of bytes or None
        One PNG per figure, in order; None when there is no browser or it failed.

    Examples
    --------
    >>> chart_pictures([go.Figure()], chromium="/no/such/browser") is None
    True
    >>> chart_pictures([])
    []
    """
    if not figures:
        return []
    browser = chromium or find_chromium()
    if not browser or not os.access(browser, os.X_OK):
        return None
    pictures: list[bytes] = []
    with tempfile.TemporaryDirectory(prefix="slides-") as tmp:
        for batch in _batches(figures):
            drawn = _screenshot([figures[i] for i in batch], browser, timeout, Path(tmp))
            if drawn is None:
                return None
            pictures += drawn
    return pictures


# ------------------------------------------------------------------------------- the deck


def _deck() -> PresentationType:
    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    return deck


def _titled_slide(deck: PresentationType, title: str) -> Slide:
    """A slide with a real title placeholder (screen readers announce it), sized for 16:9."""
    slide = deck.slides.add_slide(deck.slide_layouts[5])  # "Title Only"
    shape = slide.shapes.title
    shape.left, shape.top = MARGIN, Inches(0.3)
    shape.width, shape.height = SLIDE_WIDTH - 2 * MARGIN, TITLE_HEIGHT
    shape.text = title
    frame = shape.text_frame
    frame.word_wrap = True
    for paragraph in frame.paragraphs:
        paragraph.alignment = PP_ALIGN.LEFT
        for run in paragraph.runs:
            run.font.size, run.font.bold, run.font.name = Pt(28), True, FONT
    return slide


def _text_box(
    slide: Slide,
    lines: Iterable[tuple[str, int, bool]],
    *,
    top: int,
    height: int,
    size: int = 18,
) -> None:
    """A text box of (text, indent level, bold) lines, shrinking its text to fit if need be."""
    box = slide.shapes.add_textbox(MARGIN, top, SLIDE_WIDTH - 2 * MARGIN, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE  # shrink on overflow
    first = True
    for text, level, bold in lines:
        paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
        first = False
        run = paragraph.add_run()
        run.text = ("\u2022 " if level else "") + text
        paragraph.level = level
        run.font.size, run.font.bold, run.font.name = Pt(size - 2 * level), bold, FONT
        paragraph.space_after = Pt(6)


def _wrapped_lines(text: str) -> int:
    return max(1, math.ceil(len(text) / CHARS_PER_LINE))


def _title_slide(deck: PresentationType, document: Document) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[0])  # "Title Slide"
    title, subtitle = slide.shapes.title, slide.placeholders[1]
    title.left, title.top = MARGIN, Inches(1.6)
    title.width, title.height = SLIDE_WIDTH - 2 * MARGIN, Inches(1.6)
    title.text = document.title
    subtitle.left, subtitle.top = MARGIN, Inches(3.3)
    subtitle.width, subtitle.height = SLIDE_WIDTH - 2 * MARGIN, Inches(0.9)
    subtitle.text = document.subtitle
    lines = [(f"{label}: {value}", 0, False) for label, value in document.facts]
    if document.banner:
        lines.insert(0, (document.banner, 0, True))
    if lines:
        _text_box(slide, lines, top=Inches(4.4), height=Inches(2.7), size=16)


def _chart_slide(
    deck: PresentationType, chart: Chart, section_title: str, picture: bytes | None
) -> None:
    slide = _titled_slide(deck, chart.caption or section_title)
    reading = chart.reading or f"From the section {section_title}."
    top = Inches(0.3) + TITLE_HEIGHT
    reading_height = Inches(0.2) + LINE_HEIGHT * min(_wrapped_lines(reading), 5)
    _text_box(slide, [(reading, 0, False)], top=top, height=reading_height)
    area_top = top + reading_height + Inches(0.1)
    area_width = SLIDE_WIDTH - 2 * MARGIN
    area_height = SLIDE_HEIGHT - area_top - Inches(0.3)
    if picture is not None:
        with Image.open(io.BytesIO(picture)) as image:
            ratio = image.width / image.height
        width = min(area_width, int(area_height * ratio))
        height = int(width / ratio)
        left = int((SLIDE_WIDTH - width) / 2)
        shape = slide.shapes.add_picture(io.BytesIO(picture), left, area_top, width, height)
        set_alt_text(shape, alt_text(chart))
        return
    frame = _native_chart(slide, chart.figure, area_top, area_width, area_height)
    if frame is None:
        _text_box(slide, [(NO_PICTURE, 0, False)], top=area_top, height=Inches(1))
    else:
        set_alt_text(frame, alt_text(chart))


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _native_chart(
    slide: Slide, figure: go.Figure, top: int, width: int, height: int
) -> GraphicFrame | None:
    """A PowerPoint chart of the figure's bar or line traces; None for any other kind."""
    traces = [trace for trace in figure.data if trace.type in ("bar", "scatter")]
    if not traces or len(traces) != len(figure.data):
        return None
    horizontal = traces[0].type == "bar" and traces[0].orientation == "h"
    series: list[tuple[str, dict[str, float | None]]] = []
    categories: list[str] = []
    for number, trace in enumerate(traces, start=1):
        labels, values = (trace.y, trace.x) if horizontal else (trace.x, trace.y)
        if labels is None or values is None:
            return None
        points = {str(label): _number(value) for label, value in zip(labels, values, strict=False)}
        categories += [label for label in points if label not in categories]
        series.append((str(trace.name or f"Series {number}"), points))
    data = CategoryChartData()
    data.categories = categories
    for name, points in series:
        data.add_series(name, [points.get(label) for label in categories])
    if traces[0].type == "scatter":
        kind = XL_CHART_TYPE.LINE_MARKERS
    else:
        kind = XL_CHART_TYPE.BAR_CLUSTERED if horizontal else XL_CHART_TYPE.COLUMN_CLUSTERED
    frame = slide.shapes.add_chart(kind, MARGIN, top, width, height, data)
    chart = frame.chart
    chart.has_legend = len(series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    chart.font.size, chart.font.name = Pt(12), FONT
    return frame


def _lines(parts: Sequence[Part]) -> tuple[list[tuple[str, int, bool]], list[Table]]:
    """A section's text as (text, level, bold) lines, and its tables small enough for a slide."""
    lines: list[tuple[str, int, bool]] = []
    tables: list[Table] = []
    for part in parts:
        if isinstance(part, Heading):
            lines.append((part.text, 0, True))
        elif isinstance(part, Paragraph):
            lines.append((" ".join(part.text.split()), 0, part.kind == "warning"))
        elif isinstance(part, BulletList):
            lines += [(" ".join(item.split()), 1, False) for item in part.items]
        elif isinstance(part, KeyFigures):
            lines += [(f"{value} {label}", 1, False) for value, label in part.figures]
        elif isinstance(part, Table):
            rows, columns = part.frame.shape
            if rows <= MAX_TABLE_ROWS and columns <= MAX_TABLE_COLUMNS:
                tables.append(part)
            else:
                lines.append(
                    (f"{part.caption}: a table of {rows} rows, in the HTML report and as a CSV "
                     "download.", 0, False)
                )  # fmt: skip
    return lines, tables


def _pages(lines: list[tuple[str, int, bool]]) -> list[list[tuple[str, int, bool]]]:
    pages: list[list[tuple[str, int, bool]]] = [[]]
    used = 0
    for line in lines:
        size = _wrapped_lines(line[0])
        if pages[-1] and used + size > LINES_PER_SLIDE:
            pages.append([])
            used = 0
        pages[-1].append(line)
        used += size
    return [page for page in pages if page]


def _table_slide(deck: PresentationType, table: Table) -> None:
    slide = _titled_slide(deck, table.caption)
    rows, columns = table.frame.shape
    top = Inches(0.3) + TITLE_HEIGHT + Inches(0.1)
    height = min(SLIDE_HEIGHT - top - Inches(0.3), Inches(0.4) * (rows + 1))
    frame = slide.shapes.add_table(rows + 1, columns, MARGIN, top, SLIDE_WIDTH - 2 * MARGIN, height)
    grid = frame.table
    for j, column in enumerate(table.frame.columns):
        grid.cell(0, j).text = str(column)
    for i, values in enumerate(table.frame.itertuples(index=False, name=None), start=1):
        for j, value in enumerate(values):
            grid.cell(i, j).text = "" if value is None or value != value else str(value)
    for cell_row in grid.rows:
        for cell in cell_row.cells:
            for paragraph in cell.text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size, run.font.name = Pt(12), FONT
    set_alt_text(frame, f"Table: {table.caption}")


def _text_slides(deck: PresentationType, title: str, parts: Sequence[Part]) -> None:
    lines, tables = _lines(parts)
    top = Inches(0.3) + TITLE_HEIGHT
    for number, page in enumerate(_pages(lines)):
        slide = _titled_slide(deck, title if number == 0 else f"{title} (continued)")
        _text_box(slide, page, top=top, height=SLIDE_HEIGHT - top - Inches(0.3))
    for table in tables:
        _table_slide(deck, table)


def document_to_pptx(
    document: Document, *, chromium: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> bytes:
    """The board pack as a PowerPoint file (16:9): title, one slide per chart, methods, sources.

    Slides, in order: a title slide (title, subtitle, synthetic-data banner, the facts); a
    summary slide when the document has summary lines; the sentences of the impact and headline
    sections (with the evidence-strength line); one slide per chart, titled with its
    caption, its plain-English reading as the slide text and the chart as a picture; then the
    methods and data provenance sections as text slides (small tables as slide tables). Every
    picture, chart and table has alternative text (``descr``), the caption and the reading.

    Parameters
    ----------
    document : Document
        The board pack (:class:`evaluation.presentation.reports.document.Document`).
    chromium : str, optional
        Browser that draws the chart pictures; default the one the PDF uses. Without one, each
        chart becomes a native PowerPoint chart of its bar or line traces (or, for other kinds,
        a sentence saying where its numbers are).
    timeout : float
        Seconds per browser run.

    Returns
    -------
    bytes
        The ``.pptx`` file.

    Examples
    --------
    >>> from evaluation.presentation.reports.document import Section
    >>> figure = go.Figure(go.Bar(x=["Before", "After"], y=[3.1, 3.8]))
    >>> doc = Document("Solent: board pack", "Impact", (("Year", "2024/25"),), (
    ...     Section("headline", "Headline results",
    ...             (Chart(figure, caption="Confidence", reading="Confidence rose."),)),
    ...     Section("methods", "Methods", (Paragraph("Paired t-tests."),))))
    >>> deck = Presentation(io.BytesIO(document_to_pptx(doc, chromium="/no/such/browser")))
    >>> [slide.shapes.title.text for slide in deck.slides]
    ['Solent: board pack', 'Confidence', 'Methods']

    A headline section's sentences open the deck:

    >>> doc = Document("Solent: board pack", "Impact", (), (
    ...     Section("headline", "Headline results", (Paragraph("Evidence strength: 0 of 5."),
    ...             Chart(figure, caption="Confidence", reading="Confidence rose."))),))
    >>> deck = Presentation(io.BytesIO(document_to_pptx(doc, chromium="/no/such/browser")))
    >>> [slide.shapes.title.text for slide in deck.slides]
    ['Solent: board pack', 'Headline results', 'Confidence']
    """
    deck = _deck()
    _title_slide(deck, document)
    if document.summary:
        _text_slides(deck, "Summary", [BulletList(tuple(document.summary))])
    by_key = {section.key: section for section in document.sections}
    for key in OPENING_SECTIONS:
        if key in by_key:
            sentences = [part for part in by_key[key].parts if isinstance(part, Paragraph)]
            if sentences:
                _text_slides(deck, by_key[key].title, sentences)
    charts = [
        (part, section.title)
        for section in document.sections
        for part in section.parts
        if isinstance(part, Chart)
    ]
    pictures = chart_pictures(
        [chart.figure for chart, _ in charts], chromium=chromium, timeout=timeout
    )
    for index, (chart, section_title) in enumerate(charts):
        _chart_slide(deck, chart, section_title, pictures[index] if pictures else None)
    for key in CLOSING_SECTIONS:
        if key in by_key:
            _text_slides(deck, by_key[key].title, by_key[key].parts)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
