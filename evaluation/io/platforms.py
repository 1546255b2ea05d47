"""What survey platforms' exports do differently: extra header rows, metadata columns, odd cells.

The quirks are reference data (``schemas/reference/platform_columns.csv``): SurveyMonkey's second
header row ("Response", "Open-Ended Response"), its ``Respondent ID`` that numbers responses
rather than naming people, Microsoft Forms' ``ID`` and the ``anonymous`` it writes for an email,
and the reason shown for each column we never keep. A new export quirk is a new row there.
The headings every platform shares (Google Forms' ``Timestamp``, Microsoft Forms' ``Completion
time``) are ordinary aliases in ``header_aliases.csv``.
"""

from __future__ import annotations

from functools import cache

from evaluation.io.headers import norm_key
from schemas import reference

__all__ = [
    "DEFAULT_IGNORE_REASON",
    "SURVEYMONKEY",
    "export_platform",
    "ignore_reason",
    "merge_header_rows",
    "not_an_email",
    "platform_meaning",
    "second_header_keys",
]

SURVEYMONKEY = "surveymonkey"
# Why a column is dropped when the reference data gives no more specific reason.
DEFAULT_IGNORE_REASON = "export metadata"


@cache
def _rows(meaning: str) -> tuple[tuple[str, str, str], ...]:
    """(platform, text key, reason) of every reference row with this meaning."""
    table = reference.platform_columns()
    rows = table[table["meaning"] == meaning]
    return tuple(
        (platform, norm_key(text), reason)
        for platform, text, reason in zip(
            rows["platform"], rows["text"], rows["reason"], strict=True
        )
    )


@cache
def second_header_keys() -> frozenset[str]:
    """Cells (as :func:`norm_key` keys) that mark SurveyMonkey's second header row.

    Examples
    --------
    >>> sorted(second_header_keys())
    ['open ended response', 'other please specify', 'response']
    """
    return frozenset(key for _, key, _ in _rows("second_header"))


def merge_header_rows(first: list[str], second: list[str] | None) -> tuple[list[str], int]:
    """Headers as written, and how many rows they take: SurveyMonkey's second row merged in.

    A second row is a header row when one of its cells is a SurveyMonkey sub-header; a
    sub-header under a question keeps the question, any other cell is added to the question
    it sits under ("Question - Statement").

    Examples
    --------
    >>> merge_header_rows(["Code", "How much do you agree?", ""], ["Response", "Statement A",
    ...                   "Statement B"])
    (['Code', 'How much do you agree? - Statement A', 'How much do you agree? - Statement B'], 2)
    >>> merge_header_rows(["Code", "Q1"], ["ab12", "Agree"])
    (['Code', 'Q1'], 1)
    """
    first = [str(h).strip() for h in first]
    if second is None:
        return first, 1
    subheaders = second_header_keys()
    if not any(norm_key(s) in subheaders for s in second):
        return first, 1
    merged, question = [], ""
    for i in range(max(len(first), len(second))):
        top = first[i] if i < len(first) else ""
        sub = str(second[i]).strip() if i < len(second) else ""
        if top:
            question = top
        elif not sub:
            question = ""
        if not sub or norm_key(sub) in subheaders:
            merged.append(top or question)
        elif question:
            merged.append(f"{question} - {sub}")
        else:
            merged.append(sub)
    return merged, 2


def export_platform(header_rows: int) -> str | None:
    """The platform a file was recognisably exported from, or None.

    Only SurveyMonkey can be told from its content (its two header rows); other platforms'
    headings are read the same whichever tool wrote them.

    Examples
    --------
    >>> export_platform(2), export_platform(1)
    ('surveymonkey', None)
    """
    return SURVEYMONKEY if header_rows == 2 else None


def platform_meaning(header: str, platform: str | None) -> str | None:
    """What a heading means in an export of ``platform`` when that differs from its usual
    meaning (``ignore``), else None.

    Examples
    --------
    >>> platform_meaning("Respondent ID", "surveymonkey")
    'ignore'
    >>> platform_meaning("Respondent ID", None) is None
    True
    """
    if platform is None:
        return None
    key = norm_key(header)
    for row_platform, text, _ in _rows("ignore"):
        if row_platform == platform and text == key:
            return "ignore"
    return None


@cache
def _ignore_reasons() -> dict[str, str]:
    return {text: reason for _, text, reason in _rows("ignore")}


def ignore_reason(header: str) -> str:
    """How a dropped column is described: ``ignored: <why>``.

    Examples
    --------
    >>> ignore_reason("ID")
    'ignored: response number (not a person)'
    >>> ignore_reason("Surname"), ignore_reason("IP Address")
    ('ignored: personal data (name)', 'ignored: export metadata')
    """
    return f"ignored: {_ignore_reasons().get(norm_key(header), DEFAULT_IGNORE_REASON)}"


@cache
def not_an_email() -> tuple[str, ...]:
    """Cells of an email column (casefolded) that hold no address, such as Microsoft Forms'
    ``anonymous``.

    Examples
    --------
    >>> not_an_email()
    ('anonymous',)
    """
    return tuple(
        text.casefold()
        for text, meaning in zip(
            reference.platform_columns()["text"],
            reference.platform_columns()["meaning"],
            strict=True,
        )
        if meaning == "not_an_email"
    )
