"""The board pack's "What teachers wrote" section: themes in the open answers, before and after.

Shares come from :func:`evaluation.text.survey.survey_themes` (default codebook, suppressed
below the minimum group size); one example quote per theme only for viewers who may see open
text.
"""

from __future__ import annotations

import pandas as pd

from evaluation.access import Viewer
from evaluation.presentation.reports.document import Paragraph, Section, Table
from evaluation.text.survey import THEME_TABLE_COLUMNS, survey_themes, themes_table

__all__ = ["THEMES_TITLE", "themes_section"]

THEMES_TITLE = "What teachers wrote"


def themes_section(frame: pd.DataFrame, *, viewer: Viewer, min_n: int) -> Section | None:
    """The themes section, or None when the survey has no open answers.

    Examples
    --------
    >>> frame = pd.DataFrame({"phase": ["post"] * 6,
    ...                       "text_changed": ["we use the bar model a lot"] * 6})
    >>> section = themes_section(frame, viewer=Viewer.national(), min_n=5)
    >>> section.title, section.parts[1].frame.iloc[0].tolist()[:2]
    ('What teachers wrote', ['Representations and the bar model', '6'])
    >>> themes_section(frame.drop(columns="text_changed"), viewer=Viewer.national(), min_n=5)
    """
    summary = survey_themes(frame, min_n=min_n)
    if summary.empty:
        return None
    quotes = viewer.sees_open_text
    table = themes_table(summary, quotes=quotes)
    note = (
        "Open answers tagged with the themes of the Maths Hubs codebook (an answer can have "
        "several themes). Shares are of all answers before and after the programme; a blank "
        f"means fewer than {min_n} answers, hidden to protect small groups."
    )
    if quotes:
        note += " Examples are quoted exactly as written, email addresses removed."
    else:
        note += " Example answers are not shown for your role."
    data = summary.drop(columns=["rows"] if quotes else ["rows", "examples"])
    return Section(
        "themes",
        THEMES_TITLE,
        (
            Paragraph(note, kind="note"),
            Table(
                frame=table,
                caption="Themes in the open answers, before and after",
                name="themes",
                data=data,
                numeric=THEME_TABLE_COLUMNS[1:],
            ),
        ),
        new_page=False,
    )
