"""The entry points: check a survey or a pupil file, never raising on bad data."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

from evaluation.instruments import Instrument
from evaluation.io.reader import FileDefaults, read_table
from evaluation.validation.columns import text_columns
from evaluation.validation.messages import read_notes, read_warnings
from evaluation.validation.pupil import pupil_frame
from evaluation.validation.report import CheckedFile, unreadable_result
from evaluation.validation.survey import survey_frame

__all__ = [
    "Source",
    "check",
    "check_pupils",
    "check_survey",
]

Source = bytes | str | os.PathLike


def _check_file(
    kind: Literal["survey", "pupil"],
    source: Source,
    file_name: str | None,
    defaults: FileDefaults | None,
    instrument: Instrument | None,
    overrides: Mapping[str, str] | None,
) -> CheckedFile:
    """Read and check a file; an unexpected failure becomes a one-line 'unreadable' report."""
    try:
        raw = read_table(source, file_name=file_name, text_columns=text_columns(kind, overrides))
        if raw.frame is None:
            return unreadable_result(kind, raw.problem or "The file could not be read.")
        defaults = defaults or FileDefaults()
        ctx, frame, extras = (
            survey_frame(raw, defaults, instrument, overrides)
            if kind == "survey"
            else pupil_frame(raw, defaults, overrides)
        )
        for problem in read_warnings(raw):
            ctx.problems.add(problem)
        extras["notes"] = (*read_notes(raw), *extras.get("notes", ()))
        report = ctx.problems.report(kind, ctx.n, raw.headers)
        return CheckedFile(report, frame, column_map=dict(ctx.columns.column_map), **extras)
    except MemoryError:
        return unreadable_result(kind, "The file is too large to check in memory.")
    except Exception as exc:  # the promise: never raise on bad data
        if os.environ.get("EVALUATION_DEBUG"):  # developers see the traceback
            raise
        return unreadable_result(
            kind,
            f"We could not read this file because of an unexpected problem ({type(exc).__name__}). "
            "Please report it with the file.",
        )


def check_survey(
    source: Source,
    *,
    file_name: str | None = None,
    defaults: FileDefaults | None = None,
    instrument: Instrument | None = None,
    overrides: Mapping[str, str] | None = None,
) -> CheckedFile:
    """Read and check a participant survey export (CSV or Excel, any common survey tool).

    Parameters
    ----------
    source : bytes, str or PathLike
        The file's bytes or its path.
    file_name : str, optional
        The name the user gave the file (only for messages; content decides the format).
    defaults : FileDefaults, optional
        Hub, project, phase, academic year and Work Group for the whole file.
    instrument : Instrument, optional
        The survey's questions. Without one, the default instrument is used when its questions
        are in the file, and other columns of Likert answers become items of construct "overall"
        with ids made from the question text.
    overrides : mapping, optional
        Header as written -> what it means (a canonical column, ``email``, ``ignore``,
        ``text``, ``item`` or an item id), to correct our guess.

    Returns
    -------
    CheckedFile
        ``frame`` is the canonical wide survey frame: respondent_id, phase, academic_year, hub,
        ncp, work_group, school_urn, school_phase, role, submitted_at, source_row, one float
        column per item id, then ``text_<slug>`` open-text columns.

    Examples
    --------
    >>> question = b"I feel confident teaching mathematics to my class"
    >>> data = (b"ID,Participant code,Maths Hub," + question + b"\\n"
    ...         b"1,AB12,Solent,Agree\\n2,CD34,Solent Maths Hubb,strongly agree \\n")
    >>> checked = check_survey(data, defaults=FileDefaults(ncp="MN-KS2", phase="pre",
    ...                                                    academic_year="2024-25"))
    >>> checked.frame[["respondent_id", "hub", "conf_1"]].values.tolist()
    [['ab12', 'Solent Maths Hub', 4.0], ['cd34', 'Solent Maths Hubb', 5.0]]
    >>> error = checked.report.errors[0]
    >>> error.row, error.column, error.value, error.fix
    (3, 'Maths Hub', 'Solent Maths Hubb', "Did you mean 'Solent Maths Hub'?")
    >>> checked.column_map["ID"], checked.identifier
    ('ignored: response number (not a person)', 'Participant code')
    """
    return _check_file("survey", source, file_name, defaults, instrument, overrides)


def check_pupils(
    source: Source,
    *,
    file_name: str | None = None,
    defaults: FileDefaults | None = None,
    overrides: Mapping[str, str] | None = None,
) -> CheckedFile:
    """Read and check a pupil assessment file (e.g. Multiplication Tables Check scores).

    Returns
    -------
    CheckedFile
        ``frame`` is the canonical pupil frame: pupil_id, school_urn (Int64), hub, ncp,
        academic_year, year_group (Int64), phase, assessed_on, measure ("MTC" when absent),
        score (float64), disadvantaged (boolean), sex, sen, eal (boolean; missing when the
        file does not give them), source_row.

    Examples
    --------
    >>> data = (b"Pupil ID,URN,Maths Hub,Score\\n"
    ...         b"P1,123456,Solent,24\\n,123456,Solnet,26\\nP3,123456,Solent,twenty\\n")
    >>> checked = check_pupils(data, defaults=FileDefaults(ncp="MN-KS2", phase="pre",
    ...                                                    academic_year="2024/25"))
    >>> sorted((p.row, p.code) for p in checked.report.errors)
    [(3, 'missing_pupil_id'), (3, 'mtc_score'), (3, 'unknown_hub'), (4, 'score_not_a_number')]
    """
    return _check_file("pupil", source, file_name, defaults, None, overrides)


def check(source: Source, *, kind: Literal["survey", "pupil"] = "survey", **kw: Any) -> CheckedFile:
    """Check a survey (default) or pupil file; keyword arguments go to the specific check.

    Examples
    --------
    >>> check(b"", kind="pupil").report.errors[0].code
    'unreadable'
    """
    if kind == "pupil":
        kw.pop("instrument", None)
        return check_pupils(source, **kw)
    return check_survey(source, **kw)
