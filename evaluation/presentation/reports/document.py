"""The board pack as data: a document of sections made of paragraphs, tables and charts.

Content code builds a :class:`Document`; :mod:`evaluation.presentation.reports.html` renders it,
escaping every
piece of text, so no user text can ever become markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd
import plotly.graph_objects as go

ParagraphKind = Literal["body", "lead", "reading", "note", "warning"]


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text (``reading`` = a plain-English reading of a result).

    Examples
    --------
    >>> Paragraph("Confidence rose.", kind="reading").kind
    'reading'
    """

    text: str
    kind: ParagraphKind = "body"


@dataclass(frozen=True)
class Heading:
    """A sub-heading inside a section (rendered as ``<h3>``)."""

    text: str


@dataclass(frozen=True)
class BulletList:
    """A list of plain-text items."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class KeyFigures:
    """A row of headline numbers: ``(value, label)`` pairs shown as large figures."""

    figures: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    """A table of already formatted cells (text); ``name`` is its export name.

    ``data`` keeps the unformatted (already suppressed) table for CSV/XLSX exports.
    """

    frame: pd.DataFrame
    caption: str
    name: str
    data: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()  # columns right-aligned


@dataclass(frozen=True)
class Chart:
    """A plotly figure with its caption and a one-line plain-English reading."""

    figure: go.Figure
    caption: str
    reading: str | None = None
    name: str = "chart"


Part = Paragraph | Heading | BulletList | KeyFigures | Table | Chart


@dataclass(frozen=True)
class Section:
    """One numbered section of the report; in the PDF every section starts on a new page."""

    key: str
    title: str
    parts: tuple[Part, ...]
    new_page: bool = True


@dataclass(frozen=True)
class Document:
    """A whole report: title page facts, an optional banner and the sections in order."""

    title: str
    subtitle: str
    facts: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    banner: str | None = None
    footer: str = ""
    language: str = "en-GB"
    summary: tuple[str, ...] = field(default=())

    @property
    def section_titles(self) -> tuple[str, ...]:
        """Section titles in order.

        Examples
        --------
        >>> Document("T", "S", (), (Section("a", "Methods", ()),)).section_titles
        ('Methods',)
        """
        return tuple(section.title for section in self.sections)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table in the document by export name (the suppressed data, not the text)."""
        out: dict[str, pd.DataFrame] = {}
        for section in self.sections:
            for part in section.parts:
                if isinstance(part, Table):
                    out[part.name] = part.data if part.data is not None else part.frame
        return out
