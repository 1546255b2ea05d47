"""Checking an uploaded survey or pupil file and saying, in plain English, what to fix and where.

Reads the file (:mod:`evaluation.io.reader`), works out what each column means, builds the
canonical frame, runs the Pandera schemas in ``schemas/`` and turns every failure into a
:class:`Problem` that names the spreadsheet row and the column as the user wrote it. Never raises
on bad data.

Where things are: ``report`` (Problem, ValidationReport, CheckedFile), ``columns`` (what each
file column is), ``cells`` and ``dates`` (reading cells), ``context`` (one check's state and its
column builders), ``messages`` (the wording of each problem), ``failures`` (schema failures to
problems), ``survey`` and ``pupil`` (the canonical frames), ``pairing`` (pre/post warnings),
``checks`` (the entry points) and ``files`` (checking several files and joining them).
"""

from __future__ import annotations

from evaluation.io.reader import FileDefaults
from evaluation.validation.checks import Source, check, check_pupils, check_survey
from evaluation.validation.columns import ITEM_SHARE
from evaluation.validation.context import DEFAULTABLE
from evaluation.validation.files import CheckedFiles, check_files, join_checked
from evaluation.validation.messages import LABELS, SUGGESTED_HEADER, URN_FIX
from evaluation.validation.pairing import pairing_problems
from evaluation.validation.report import (
    MAX_PER_KIND,
    VALUE_CHARS,
    CheckedFile,
    Problem,
    ValidationReport,
)
from evaluation.validation.survey import STRAIGHT_LINE_MIN_ITEMS

__all__ = [
    "DEFAULTABLE",
    "ITEM_SHARE",
    "LABELS",
    "MAX_PER_KIND",
    "STRAIGHT_LINE_MIN_ITEMS",
    "SUGGESTED_HEADER",
    "URN_FIX",
    "VALUE_CHARS",
    "CheckedFile",
    "CheckedFiles",
    "FileDefaults",
    "Problem",
    "Source",
    "ValidationReport",
    "check",
    "check_files",
    "check_pupils",
    "check_survey",
    "join_checked",
    "pairing_problems",
]
