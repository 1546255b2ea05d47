"""What each problem says: how columns are named to people, and the plain-English message and fix
for each problem code (schema checks, missing values, problems with a whole file or column).
"""

from __future__ import annotations

import re
from typing import Literal

from evaluation import columns as c
from evaluation.io.headers import did_you_mean
from evaluation.io.reader import RawTable
from evaluation.validation.report import Problem, short
from schemas.pupil import MTC_MAX

__all__ = [
    "EMPTY_COLUMN_REASON",
    "FILE_WORDING",
    "FOR_WHOLE_FILE",
    "FRAME_CHECKS",
    "KIND_SHOWN",
    "LABELS",
    "PUPIL_UNUSED_REASON",
    "SUGGESTED_HEADER",
    "GROUP_FIX",
    "URN_FIX",
    "check_code",
    "default_problem",
    "file_problem",
    "for_web",
    "message_for",
    "read_by_values_note",
    "read_notes",
    "read_warnings",
    "year_from_times_note",
]

# How a canonical column is named in a message to a user.
LABELS = {
    c.RESPONDENT_ID: "participant code",
    c.PHASE: "phase (pre or post)",
    c.ACADEMIC_YEAR: "academic year",
    c.HUB: "Maths Hub",
    c.NCP: "project (NCP)",
    c.WORK_GROUP: "Work Group",
    c.SCHOOL_URN: "school URN",
    c.PUPIL_ID: "pupil ID",
    c.SCORE: "score",
    c.YEAR_GROUP: "year group",
    c.MEASURE: "measure",
    c.GROUP: "group (intervention or comparison)",
}
# The header we suggest when a required column is missing, and the matching CLI option.
SUGGESTED_HEADER = {
    c.PHASE: ("Phase", "--phase"),
    c.ACADEMIC_YEAR: ("Academic year", "--year"),
    c.HUB: ("Maths Hub", "--hub"),
    c.NCP: ("Project", "--ncp"),
    c.PUPIL_ID: ("Pupil ID", None),
    c.SCHOOL_URN: ("URN", None),
    c.SCORE: ("Score", None),
    c.GROUP: ("Group", "--group"),
}
# Read on the upload page and on the command line alike, so it names both ways of choosing; the
# upload page leaves the command-line part out (for_web).
FOR_WHOLE_FILE = "for the whole file when you upload it (command line: {option})."
_COMMAND_LINE_HINT = re.compile(r" \(command line: [^)]*\)")


def for_web(text: str) -> str:
    """A message as the upload page shows it: without the command-line option in brackets.

    Examples
    --------
    >>> for_web("Choose the Maths Hub for the whole file when you upload it (command line: --hub).")
    'Choose the Maths Hub for the whole file when you upload it.'
    """
    return _COMMAND_LINE_HINT.sub("", text)


URN_FIX = (
    "A school's URN is a 6-digit number from 100000 to 999999 (look it up on Get Information "
    "about Schools)."
)

GROUP_FIX = (
    "Write 'intervention' (taking part in the programme) or 'comparison' (not taking part, "
    "e.g. a waiting-list or control group); leave it blank if the whole file is one group."
)

# Problem codes of a schema check failing in a column: a missing value, else any other check.
_MISSING_CODES = {
    c.PUPIL_ID: "missing_pupil_id",
    c.SCORE: "missing_score",
    c.SCHOOL_URN: "missing_urn",
}
_BAD_VALUE_CODES = {
    c.HUB: "unknown_hub",
    c.NCP: "unknown_ncp",
    c.PHASE: "bad_phase",
    c.ACADEMIC_YEAR: "bad_year",
    c.SCHOOL_URN: "bad_urn",
    c.YEAR_GROUP: "bad_year_group",
    c.GROUP: "bad_group",
}


def check_code(column: str, check: str, kind: str) -> str:
    """The problem code of a schema check failing in a column.

    Examples
    --------
    >>> check_code("hub", "isin", "survey"), check_code("score", "not_nullable", "pupil")
    ('unknown_hub', 'missing_score')
    """
    if check == "not_nullable":
        return _MISSING_CODES.get(column, "missing_value")
    if column in _BAD_VALUE_CODES:
        return _BAD_VALUE_CODES[column]
    return "score_out_of_range" if kind == "survey" else f"bad_{column}"


# A name we do not know: code -> (list to guess from, what it should be, fix without a guess).
_UNKNOWN_NAMES = {
    "unknown_hub": (
        "hub",
        "a Maths Hub",
        "Use the hub's name as on the Maths Hubs website, e.g. 'Solent Maths Hub'.",
    ),
    "unknown_ncp": (
        "ncp",
        "a project (NCP)",
        "Use the project's name or code, e.g. 'Mastering Number at KS2' or 'MN-KS2'.",
    ),
}


def message_for(
    code: str, column: str, value: object, scale: tuple[int, int]
) -> tuple[str, str | None]:
    """The message and fix of a problem in one cell.

    Examples
    --------
    >>> message_for("bad_phase", "phase", "middle", (1, 5))
    ("'middle' is not a survey phase.", "Write 'pre' (start of the Work Group) or 'post' (end).")
    """
    shown = short(value) if value is not None else ""
    label = LABELS.get(column, column)
    if code in _UNKNOWN_NAMES:
        kind, what, fallback = _UNKNOWN_NAMES[code]
        guess = did_you_mean(str(value), kind)
        return (
            f"'{shown}' is not {what} we know.",
            f"Did you mean '{guess}'?" if guess else fallback,
        )
    if code == "bad_phase":
        return (
            f"'{shown}' is not a survey phase.",
            "Write 'pre' (start of the Work Group) or 'post' (end).",
        )
    if code == "bad_year":
        return f"'{shown}' is not an academic year.", "Write the academic year like 2024/25."
    if code == "bad_group":
        return f"'{shown}' is not a group we know.", GROUP_FIX
    if code == "bad_urn":
        return f"'{shown}' is not a school URN.", URN_FIX
    if code == "bad_year_group":
        return f"'{shown}' is not a year group.", "Write the year group as a number, e.g. 4."
    if code == "missing_pupil_id":
        return "This row has no pupil ID.", "Fill in the pupil's ID (the same one in pre and post)."
    if code == "missing_score":
        return "This row has no score.", (
            "Fill in the score, or delete the row if the pupil did not take the check."
        )
    if code == "missing_urn":
        return "This row has no school URN.", URN_FIX
    if code == "missing_value":
        option = SUGGESTED_HEADER.get(column, ("", None))[1]
        fix = f"Fill in the {label}" + (
            f", or choose it {FOR_WHOLE_FILE.format(option=option)}" if option else "."
        )
        return f"This row has no {label}.", fix
    if code == "score_out_of_range":
        low, high = scale
        return (
            f"'{shown}' is outside the {low} to {high} scale of this question.",
            f"Use a number from {low} to {high} or one of the answer labels.",
        )
    return f"'{shown}' is not a valid {label}.", None


# Checks across columns (schemas/): check name -> (problem code, column shown, whether the value
# as written is shown, message, fix).
FRAME_CHECKS: dict[str, tuple[str, str, bool, str, str]] = {
    "one_response_per_respondent_per_phase": (
        "duplicate_response",
        c.RESPONDENT_ID,
        True,
        "This person answered the same survey more than once.",
        "Keep one response per person per survey (pre or post) and delete the others.",
    ),
    "every_row_identified": (
        "missing_identifier",
        c.RESPONDENT_ID,
        False,
        "This row has no participant code, but other rows do.",
        "Fill in the participant's code (the same one they use in the pre and post surveys).",
    ),
    "mtc_scores_are_whole_numbers_0_to_25": (
        "mtc_score",
        c.SCORE,
        True,
        "'{value}' is not a Multiplication Tables Check score.",
        f"An MTC score is a whole number from 0 to {MTC_MAX}.",
    ),
    "one_score_per_pupil_per_phase": (
        "duplicate_pupil",
        c.PUPIL_ID,
        True,
        "This pupil has more than one score for the same check and phase.",
        "Keep one score per pupil per phase and delete the others.",
    ),
}


def default_problem(column: str, value: str) -> Problem:
    """The error for a file-wide value (upload form or CLI option) we do not know.

    Examples
    --------
    >>> default_problem("phase", "middle").message
    "The phase (pre or post) chosen for the whole file, 'middle', is not one we know."
    """
    label = LABELS.get(column, column)
    option = SUGGESTED_HEADER.get(column, ("", None))[1]
    fix = None
    if column in (c.HUB, c.NCP):
        guess = did_you_mean(value, column)
        fix = f"Did you mean '{guess}'?" if guess else None
    message = f"The {label} chosen for the whole file, '{short(value)}', is not one we know."
    if column == c.PHASE:
        fix = "Choose 'pre' (start of the Work Group) or 'post' (end)."
    if column == c.ACADEMIC_YEAR:
        fix = "Write the academic year like 2024/25."
    if column == c.GROUP:
        fix = "Choose 'intervention' (in the programme) or 'comparison' (not taking part)."
    if fix is None and option:
        fix = f"Check the {option} choice."
    return Problem("error", f"bad_default_{column}", None, None, short(value), message, fix)


# Problems about a whole file or a whole column: code -> (message, fix), filled in with
# str.format from the fields :func:`file_problem` is given.
FILE_WORDING: dict[str, tuple[str, str | None]] = {
    "looks_like_pupil_scores": (
        "This looks like a file of pupil scores (it has pupil IDs and scores), not a "
        "teacher survey.",
        "Check it as pupil scores instead: choose 'Pupil scores (MTC)' in the app, or "
        "add --kind pupil on the command line.",
    ),
    "looks_like_survey": (
        "This looks like a teacher survey (it has survey questions and no score "
        "column), not a file of pupil scores.",
        "Check it as a survey instead: choose 'Teacher survey' in the app, or add "
        "--kind survey on the command line.",
    ),
    "no_items": (
        "We found no survey questions in this file (columns of answers such as 'Agree' or 1 to 5).",
        "Check you uploaded the survey responses, with one column per question.",
    ),
    "missing_item": (
        "The question '{question}' is not in this file.",
        "Check the column heading matches the question, or ignore this if the "
        "question was not asked.",
    ),
    "same_answer_for_everyone": (
        "Everyone who answered gave the same answer ({answer}), "
        "so this question cannot show a difference.",
        None,
    ),
    "unknown_measure": (
        "'{measure}' is not a measure we know, so its scores are only checked to be numbers.",
        None,
    ),
    "unpaired": (
        "Pre and post responses cannot be matched because a file has no participant "
        "codes or emails; the comparison will be unpaired (weaker).",
        "Ask participants for the same code in both surveys.",
    ),
    "pre_without_post": (
        "{leavers} of {n_pre} people who answered the pre survey have no post "
        "response ({share:.0%} did not complete).",
        None,
    ),
    "sheet_ambiguous": (
        "Sheet{s} {others} of this workbook look{verb} as much like data as sheet '{sheet}', "
        "which is the one we read.",
        "If the responses are on another sheet, save that sheet on its own as .csv and check "
        "that file.",
    ),
    "different_files": (
        "The pre and post files name different {label}s ({pre} / {post}).",
        "Check you chose the pre and post files of the same Work Group.",
    ),
}


def file_problem(
    severity: Literal["error", "warning"],
    code: str,
    *,
    column: str | None = None,
    value: str | None = None,
    **fields: object,
) -> Problem:
    """A problem about a whole file or column, worded from :data:`FILE_WORDING`.

    Examples
    --------
    >>> file_problem("warning", "missing_item", question="I enjoy maths").message
    "The question 'I enjoy maths' is not in this file."
    """
    message, fix = FILE_WORDING[code]
    return Problem(
        severity,
        code,
        None,
        column,
        value,
        message.format(**fields),
        fix.format(**fields) if fix else None,
    )


# --- columns recognised by their values, columns not used, the kind a file shows --------------

FILE_WORDING.update(
    {
        "empty_column": (
            "This column has no answers in any row, so it is not used.",
            "Check the column was exported with its answers, or ignore this if nobody answered it.",
        ),
        "no_answers": (
            "Nobody answered this question (every answer is blank), so it cannot show a change.",
            "Check the column was exported with its answers.",
        ),
        "numbers_off_scale": (
            "This column holds numbers like answers on a {low} to {high} scale, but {outside} of "
            "its {answered} answers are outside it (rows {rows}), so it is read as open text, "
            "not as a question.",
            "If it is a question, correct those answers to a number from {low} to {high}; if it "
            "is not, ignore this.",
        ),
        "year_from_times_ambiguous": (
            "The file has no academic year column, and its responses were submitted in more "
            "than one academic year ({years}, from the '{source}' column), so we cannot tell "
            "which year it is for.",
            "Add an 'Academic year' column, or choose the academic year " + FOR_WHOLE_FILE,
        ),
    }
)

# How a column not used is described (``ignored: <why>``), when the reason is not the platform's.
EMPTY_COLUMN_REASON = "ignored: no answers in any row"
PUPIL_UNUSED_REASON = "ignored: not a pupil data column we use"

# What every answer of a column recognised by its values is.
_EVERY_ANSWER = {
    c.HUB: "the name of a Maths Hub",
    c.NCP: "the name or code of a project",
    c.PHASE: "pre or post",
    c.ACADEMIC_YEAR: "an academic year",
}


def read_by_values_note(header: str, meaning: str) -> str:
    """The note saying a column was recognised by its values, not its header.

    Examples
    --------
    >>> print(read_by_values_note("Which hub?", "hub"))
    The column 'Which hub?' is read as the Maths Hub: every answer in it is the name of a Maths Hub.
    """
    label = LABELS.get(meaning, meaning)
    every = _EVERY_ANSWER[meaning]
    return f"The column '{header}' is read as the {label}: every answer in it is {every}."


def year_from_times_note(year: str, header: str) -> str:
    """The note saying the academic year was taken from the times the responses were submitted.

    Examples
    --------
    >>> print(year_from_times_note("2024/25", "Completion time").split(": ")[1])
    every response was submitted between 1 September 2024 and 31 August 2025.
    """
    start = int(year[:4])
    return (
        f"The academic year {year} is taken from the '{header}' column: every response was "
        f"submitted between 1 September {start} and 31 August {start + 1}."
    )


# Said on the command line when a file is checked as the kind it shows, no --kind given.
KIND_SHOWN = {
    "pupil": "Read as pupil scores (the file has score and pupil columns).",
}


def _quoted(names: tuple[str, ...]) -> str:
    return ", ".join(f"'{short(name)}'" for name in names)


def read_notes(raw: RawTable) -> tuple[str, ...]:
    """Notes on how a file was read: the workbook sheet read, title lines above the header.

    Examples
    --------
    >>> raw = RawTable(None, file_format="xlsx", sheet="Responses", sheets=("Read me", "Responses"),
    ...                header_row=3, titles=("Maths Hub survey export",))
    >>> for note in read_notes(raw):
    ...     print(note)
    Read sheet 'Responses' (of 'Read me', 'Responses').
    The column headings are on row 3; the title above them ('Maths Hub survey export') was not read as data.
    """  # noqa: E501
    notes = []
    if raw.sheet is not None and len(raw.sheets) > 1:
        notes.append(f"Read sheet '{short(raw.sheet)}' (of {_quoted(raw.sheets)}).")
    if raw.titles:
        notes.append(
            f"The column headings are on row {raw.header_row}; the title above them "
            f"({_quoted(raw.titles)}) was not read as data."
        )
    return tuple(notes)


def read_warnings(raw: RawTable) -> list[Problem]:
    """Warnings about how a file was read: another sheet looked as much like data.

    Examples
    --------
    >>> raw = RawTable(None, sheet="2024", sheets=("2024", "2023"), sheet_rivals=("2023",))
    >>> read_warnings(raw)[0].message
    "Sheet '2023' of this workbook looks as much like data as sheet '2024', which is the one we read."
    """  # noqa: E501
    others = raw.sheet_rivals
    if not others or raw.sheet is None:
        return []
    many = len(others) > 1
    return [
        file_problem(
            "warning",
            "sheet_ambiguous",
            s="s" if many else "",
            others=_quoted(others),
            verb="" if many else "s",
            sheet=short(raw.sheet),
        )
    ]
