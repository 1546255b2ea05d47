"""The board pack as one self-contained HTML file: inline CSS, inline plotly.js, no network.

Every piece of text is escaped here (``html.escape``); only this module writes markup.
"""

from __future__ import annotations

import html
import re
from functools import cache
from string import Template

import pandas as pd
import plotly.io as pio
import plotly.offline

from evaluation.presentation.charts.layout import FONT_FAMILY
from evaluation.presentation.charts.palette import OKABE_ITO
from evaluation.presentation.charts.tables import chart_table
from evaluation.presentation.reports.document import (
    BulletList,
    Chart,
    Document,
    Heading,
    KeyFigures,
    Paragraph,
    Part,
    Section,
    Table,
)

# Plotly options for charts in a report: no logo or cloud buttons, resize with the window.
PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage"],
}

CSS = Template(
    """
:root { --ink: #1d2329; --muted: #5b6470; --rule: #d9dee4; --accent: $blue;
        --paper: #ffffff; --page: #f3f5f7; --warn-bg: #fff4de; --warn: $orange; }
* { box-sizing: border-box; }
html { font-size: 15px; }
body { margin: 0; background: var(--page); color: var(--ink);
       font-family: $font;
       line-height: 1.5; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
main { max-width: 1000px; margin: 24px auto; background: var(--paper); padding: 32px 40px 48px;
       border: 1px solid var(--rule); border-radius: 6px; }
h1, h2, h3 { line-height: 1.25; color: #10273d; }
h1 { font-size: 2.1rem; margin: 0 0 0.3rem; }
h2 { font-size: 1.5rem; margin: 2.4rem 0 0.8rem; padding-bottom: 0.3rem;
     border-bottom: 3px solid var(--accent); }
h3 { font-size: 1.12rem; margin: 1.6rem 0 0.5rem; }
p { margin: 0.4rem 0 0.8rem; max-width: 46rem; }
.subtitle { font-size: 1.25rem; color: var(--muted); margin: 0 0 1.4rem; }
.title-page { padding-top: 1rem; }
.facts { border-collapse: collapse; margin: 1rem 0 1.5rem; }
.facts th { text-align: left; font-weight: 600; padding: 0.25rem 1.5rem 0.25rem 0;
            color: var(--muted); vertical-align: top; }
.facts td { padding: 0.25rem 0; }
.banner { background: var(--warn-bg); border-left: 6px solid var(--warn); padding: 0.7rem 1rem;
          margin: 1rem 0 1.2rem; font-weight: 600; max-width: 46rem; }
.summary { background: #eef5fb; border-left: 6px solid var(--accent); padding: 0.6rem 1rem;
           margin: 1rem 0; max-width: 46rem; }
.summary ul { margin: 0.3rem 0; padding-left: 1.2rem; }
nav.contents ol { padding-left: 1.4rem; margin: 0.3rem 0; }
nav.contents a { color: var(--accent); text-decoration: none; }
nav.contents a:hover { text-decoration: underline; }
.lead { font-size: 1.08rem; }
.reading { border-left: 4px solid var(--accent); padding: 0.2rem 0 0.2rem 0.8rem;
           background: #f5f9fc; }
.note { color: var(--muted); font-size: 0.92rem; }
.warning { background: var(--warn-bg); border-left: 4px solid var(--warn);
           padding: 0.4rem 0.8rem; }
.key-figures { display: flex; flex-wrap: wrap; gap: 0.8rem; margin: 0.8rem 0 1.2rem; }
.key-figure { flex: 1 1 9rem; border: 1px solid var(--rule); border-radius: 6px;
              padding: 0.6rem 0.8rem; background: #fafbfc; }
.key-figure .value { display: block; font-size: 1.6rem; font-weight: 700; color: #10273d; }
.key-figure .label { display: block; font-size: 0.88rem; color: var(--muted); }
figure.chart { margin: 1rem 0 1.6rem; }
figure.chart figcaption { font-weight: 600; margin-bottom: 0.2rem; }
figure.chart .plot { width: 100%; }
details.chart-table summary { cursor: pointer; color: var(--accent); font-weight: 600; }
@media print { details.chart-table { display: none; } }
.table-wrap { overflow-x: auto; margin: 0.6rem 0 1.4rem; }
table.data { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
table.data caption { text-align: left; font-weight: 600; padding-bottom: 0.3rem;
                     font-size: 1rem; }
table.data th, table.data td { padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--rule);
                               vertical-align: top; text-align: left; }
table.data thead th { background: #eef1f4; border-bottom: 2px solid #b9c1ca; }
table.data td.num, table.data th.num { text-align: right; font-variant-numeric: tabular-nums;
                                       white-space: nowrap; }
table.data tbody tr:nth-child(even) { background: #fafbfc; }
.table-notes { margin: 0.3rem 0 0; padding-left: 1.1rem; color: var(--muted);
               font-size: 0.85rem; }
td.hash { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 0.75rem;
          word-break: break-all; }
footer.doc { margin-top: 3rem; color: var(--muted); font-size: 0.85rem;
             border-top: 1px solid var(--rule); padding-top: 0.6rem; }
@media (max-width: 760px) {
  main { margin: 0; padding: 16px 14px; border: none; border-radius: 0; }
  html { font-size: 14px; }
}
@page { size: A4; margin: 14mm 12mm 16mm 12mm;
  @bottom-left { content: $footer; font-size: 8pt; color: #5b6470;
                 font-family: $font; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt;
                  color: #5b6470;
                  font-family: $font; }
}
@page :first { @bottom-left { content: none; } @bottom-right { content: none; } }
@media print {
  html { font-size: 11.5pt; }
  body { background: #ffffff; }
  main { max-width: none; margin: 0; padding: 0; border: none; }
  section.new-page { break-before: page; }
  h2 { margin-top: 0; }
  h2, h3, figcaption, caption { break-after: avoid; }
  figure.chart, .key-figures, .reading, .banner, table.facts { break-inside: avoid; }
  table.data { font-size: 0.82rem; }
  table.data th, table.data td { padding: 0.22rem 0.35rem; }
  table.data tr { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  .modebar-container, .modebar { display: none !important; }
  nav.contents a { color: var(--ink); }
  footer.doc { display: none; }
}
"""
)

PAGE = Template(
    """<!DOCTYPE html>
<html lang="$language">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Maths Hubs Impact board pack">
<title>$title</title>
<style>$css</style>
<script>$plotlyjs</script>
</head>
<body>
<main>
<header class="title-page" id="title-page">
<h1>$title</h1>
<p class="subtitle">$subtitle</p>
$banner
<table class="facts">$facts</table>
$summary
<nav class="contents" aria-label="Contents"><h2>Contents</h2><ol>$contents</ol></nav>
<noscript><p class="warning">Charts need JavaScript to draw. Every number in them is also in
the tables of this report.</p></noscript>
</header>
$sections
<footer class="doc">$footer</footer>
</main>
</body>
</html>
"""
)


def escape(text: object) -> str:
    """Escape text for HTML (quotes included).

    Examples
    --------
    >>> escape('<script>alert("x")</script>')
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
    """
    return html.escape("" if text is None else str(text), quote=True)


def css_string(text: str) -> str:
    """A CSS string literal for ``text`` that is also safe inside a ``<style>`` element.

    Examples
    --------
    >>> css_string('Hub "A" </style>')
    '"Hub \\\\22 A\\\\22  \\\\3c /style\\\\3e "'
    """

    def code(match: re.Match[str]) -> str:
        return f"\\{ord(match.group(0)):x} "

    return '"' + re.sub(r'["\\<>\n\r\f]', code, text) + '"'


@cache
def plotly_js() -> str:
    """The plotly.js library source, inlined once per report so it works offline."""
    return plotly.offline.get_plotlyjs()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "part"


class _Renderer:
    """Renders parts, numbering chart ids so each report's ids are unique and stable."""

    def __init__(self) -> None:
        self.charts = 0

    def part(self, part: Part) -> str:
        if isinstance(part, Paragraph):
            return f'<p class="{part.kind}">{escape(part.text)}</p>'
        if isinstance(part, Heading):
            return f"<h3>{escape(part.text)}</h3>"
        if isinstance(part, BulletList):
            items = "".join(f"<li>{escape(item)}</li>" for item in part.items)
            return f"<ul>{items}</ul>"
        if isinstance(part, KeyFigures):
            cells = "".join(
                '<div class="key-figure"><span class="value">'
                f'{escape(value)}</span><span class="label">{escape(label)}</span></div>'
                for value, label in part.figures
            )
            return f'<div class="key-figures">{cells}</div>'
        if isinstance(part, Table):
            return self.table(part)
        if isinstance(part, Chart):
            return self.chart(part)
        raise TypeError(f"cannot render {type(part).__name__}")

    def table(self, part: Table) -> str:
        numeric = set(part.numeric)
        head = "".join(
            f'<th scope="col"{" class=num" if col in numeric else ""}>{escape(col)}</th>'
            for col in part.frame.columns
        )
        rows = []
        for values in part.frame.itertuples(index=False, name=None):
            cells = []
            for col, value in zip(part.frame.columns, values, strict=True):
                css = ' class="num"' if col in numeric else ""
                if col == "SHA-256":
                    css = ' class="hash"'
                cells.append(f"<td{css}>{escape('' if _missing(value) else value)}</td>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        notes = ""
        if part.notes:
            notes = (
                '<ul class="table-notes">'
                + "".join(f"<li>{escape(n)}</li>" for n in part.notes)
                + "</ul>"
            )
        return (
            f'<div class="table-wrap" id="table-{escape(_slug(part.name))}">'
            f'<table class="data"><caption>{escape(part.caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"{notes}</div>"
        )

    def chart(self, part: Chart) -> str:
        """A chart: caption, reading, the plot (its alt text the reading) and its numbers.

        The plot is a group named for assistive technology by its caption and reading (its
        alternative text); "Show as table" opens exactly the numbers drawn (:func:`chart_table`).
        """
        self.charts += 1
        number = self.charts
        div = pio.to_html(
            part.figure,
            full_html=False,
            include_plotlyjs=False,
            div_id=f"chart-{number}",
            config=PLOTLY_CONFIG,
            default_width="100%",
        )
        reading = f'<p class="reading">{escape(part.reading)}</p>' if part.reading else ""
        alt = " ".join(f"Chart: {part.caption}. {part.reading or ''}".split())
        numbers = chart_table(part.figure)
        table = Table(
            frame=numbers.map(_cell),
            caption=f"The numbers in the chart: {part.caption}",
            name=f"chart-{number}-numbers",
            numeric=tuple(
                str(col) for col in numbers.columns if pd.api.types.is_numeric_dtype(numbers[col])
            ),
        )
        return (
            f'<figure class="chart"><figcaption>{escape(part.caption)}</figcaption>'
            f'{reading}<div class="plot" role="group" aria-label="{escape(alt)}">{div}</div>'
            f'<details class="chart-table"><summary>Show as table</summary>'
            f"{self.table(table)}</details></figure>"
        )

    def section(self, number: int, section: Section) -> str:
        body = "\n".join(self.part(p) for p in section.parts)
        css = "new-page" if section.new_page else "same-page"
        return (
            f'<section class="{css}" id="{escape(section.key)}">'
            f"<h2>{number}. {escape(section.title)}</h2>\n{body}\n</section>"
        )


def _cell(value: object) -> str:
    """A chart number as table text: whole numbers without decimals, others to 3 places."""
    if _missing(value):
        return ""
    if isinstance(value, float):
        if value.is_integer():
            return f"{value:.0f}"
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return str(value)


def _missing(value: object) -> bool:
    try:
        return value is None or bool(value != value)  # NaN and NA are not equal to themselves
    except (TypeError, ValueError):
        return False


def render(document: Document) -> str:
    """The document as one self-contained HTML page (charts interactive, no network needed).

    Parameters
    ----------
    document : Document
        Built by :mod:`evaluation.presentation.reports.hub` or :mod:`~.ncp`.

    Returns
    -------
    str
        The HTML text; plotly.js is inlined once in the head, each chart after it uses it.

    Examples
    --------
    >>> doc = Document("Board pack <b>", "2024/25", (("Hub", "A & B"),),
    ...                (Section("methods", "Methods", (Paragraph("x < y"),)),))
    >>> page = render(doc)
    >>> "<h1>Board pack &lt;b&gt;</h1>" in page, "x &lt; y" in page
    (True, True)
    """
    renderer = _Renderer()
    sections = "\n".join(
        renderer.section(number, section)
        for number, section in enumerate(document.sections, start=1)
    )
    facts = "".join(
        f'<tr><th scope="row">{escape(label)}</th><td>{escape(value)}</td></tr>'
        for label, value in document.facts
    )
    contents = "".join(
        f'<li><a href="#{escape(section.key)}">{escape(section.title)}</a></li>'
        for section in document.sections
    )
    banner = f'<p class="banner">{escape(document.banner)}</p>' if document.banner else ""
    summary = ""
    if document.summary:
        items = "".join(f"<li>{escape(line)}</li>" for line in document.summary)
        summary = f'<div class="summary"><strong>In brief</strong><ul>{items}</ul></div>'
    css = CSS.substitute(
        blue=OKABE_ITO["blue"],
        orange=OKABE_ITO["orange"],
        footer=css_string(document.footer or document.title),
        font=FONT_FAMILY,
    )
    return PAGE.substitute(
        language=escape(document.language),
        title=escape(document.title),
        subtitle=escape(document.subtitle),
        css=css,
        plotlyjs=plotly_js(),
        banner=banner,
        facts=facts,
        summary=summary,
        contents=contents,
        sections=sections,
        footer=escape(document.footer),
    )
