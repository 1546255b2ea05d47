"""What kind of file this is (teacher survey or pupil scores), decided from its headers alone:
the recognition ``validate`` uses to say a survey upload looks like pupil scores, and the one
``report --data`` uses to choose how to read each file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Literal

from evaluation import columns as c
from evaluation.io.headers import header_meaning
from evaluation.io.reader import read_headers

__all__ = ["file_kind", "pupil_headers"]


def pupil_headers(headers: Iterable[str]) -> bool:
    """True when headers name pupil IDs and scores (a pupil file, not a teacher survey).

    Examples
    --------
    >>> pupil_headers(["Pupil ID", "URN", "Score"])
    True
    >>> pupil_headers(["Participant code", "How often do pupils explain their reasoning?"])
    False
    """
    meanings = {header_meaning(header, "pupil") for header in headers}
    return {c.PUPIL_ID, c.SCORE} <= meanings


def file_kind(source: bytes | str | os.PathLike) -> Literal["survey", "pupil"]:
    """``pupil`` when a file's headers name pupil IDs and scores, else ``survey``.

    Reads only the first rows (title lines skipped, the workbook sheet holding the data).

    Examples
    --------
    >>> file_kind(b"Pupil ID,URN,Score\\nP1,123456,20\\n")
    'pupil'
    >>> file_kind(b"Timestamp,How often do pupils use manipulatives?\\n2024-09-01,Often\\n")
    'survey'
    """
    return "pupil" if pupil_headers(read_headers(source)) else "survey"
