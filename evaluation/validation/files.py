"""Checking several files and joining their rows: what the command line, the board pack and the
upload page do with a pre file, a post file and more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from evaluation.instruments import Instrument, default_instrument
from evaluation.io.reader import FileDefaults
from evaluation.validation.checks import Source, check
from evaluation.validation.report import CheckedFile, Problem, ValidationReport

__all__ = ["CheckedFiles", "check_files", "join_checked"]

Kind = Literal["survey", "pupil"]


@dataclass(frozen=True)
class CheckedFiles:
    """Several files checked, and the rows of those that could be read joined together.

    Attributes
    ----------
    files : tuple of CheckedFile
        One per file checked, in the order given. When checking stops at the first file with
        errors, the files after it are not checked and not here.
    surveys, pupils : DataFrame or None
        The canonical rows of every readable survey (pupil) file, one file after another; None
        when there is no such file. Check :attr:`valid` before analysing them.
    instrument : Instrument or None
        The first instrument found in the files; the default instrument when there are survey
        files but none named its own questions; None for pupil files only.
    identifiers : tuple of str
        The headers used to match pre and post (participant code or email), each once.

    Examples
    --------
    >>> joined = join_checked([])
    >>> joined.frame is None, joined.valid, joined.first_failure is None
    (True, True, True)
    """

    files: tuple[CheckedFile, ...]
    surveys: pd.DataFrame | None = None
    pupils: pd.DataFrame | None = None
    instrument: Instrument | None = None
    identifiers: tuple[str, ...] = ()

    @property
    def frame(self) -> pd.DataFrame | None:
        """The joined rows: the survey rows, or the pupil rows when there are no survey files."""
        return self.surveys if self.surveys is not None else self.pupils

    @property
    def reports(self) -> tuple[ValidationReport, ...]:
        """Each checked file's report, in order."""
        return tuple(checked.report for checked in self.files)

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Every file's errors, file by file."""
        return tuple(problem for report in self.reports for problem in report.errors)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Every file's warnings, file by file."""
        return tuple(problem for report in self.reports for problem in report.warnings)

    @property
    def valid(self) -> bool:
        """True when every file was read and has no errors (warnings allowed)."""
        return self.first_failure is None

    @property
    def first_failure(self) -> int | None:
        """Position of the first file that could not be read or has errors, None if none."""
        return next((i for i, f in enumerate(self.files) if not f.report.valid), None)


def _joined(frames: list[pd.DataFrame]) -> pd.DataFrame | None:
    return pd.concat(frames, ignore_index=True) if frames else None


def join_checked(files: Iterable[CheckedFile], *, number_as: str | None = None) -> CheckedFiles:
    """Join files already checked (e.g. one at a time, as they are uploaded).

    Parameters
    ----------
    files : iterable of CheckedFile
        The checked files, in order.
    number_as : str, optional
        Name of a column added to every file's rows numbering the files 1, 2, ... in the order
        given (e.g. ``dataset_id``).

    Returns
    -------
    CheckedFiles

    Examples
    --------
    >>> from evaluation.validation import check_survey
    >>> pre = check_survey(b"Participant code,Phase,conf_1\\na,pre,4\\n")
    >>> post = check_survey(b"Participant code,Phase,conf_1\\na,post,5\\n")
    >>> joined = join_checked([pre, post], number_as="dataset_id")
    >>> joined.surveys[["respondent_id", "phase", "conf_1", "dataset_id"]].values.tolist()
    [['a', 'pre', 4.0, 1], ['a', 'post', 5.0, 2]]
    >>> joined.identifiers, joined.instrument.item_ids[:1]
    (('Participant code',), ('conf_1',))
    """
    files = tuple(files)
    frames: dict[str, list[pd.DataFrame]] = {"survey": [], "pupil": []}
    for number, checked in enumerate(files, start=1):
        if checked.frame is None:
            continue
        frame = checked.frame
        if number_as is not None:
            frame = frame.assign(**{number_as: number})
        frames[checked.report.kind].append(frame)
    instrument = next((f.instrument for f in files if f.instrument is not None), None)
    if instrument is None and any(f.report.kind == "survey" for f in files):
        instrument = default_instrument()
    return CheckedFiles(
        files=files,
        surveys=_joined(frames["survey"]),
        pupils=_joined(frames["pupil"]),
        instrument=instrument,
        identifiers=tuple(dict.fromkeys(f.identifier for f in files if f.identifier)),
    )


def _each(value: object, n: int, what: str) -> list:
    """``value`` for each of ``n`` files: itself repeated, or one per file as given."""
    if value is None or isinstance(value, (str, FileDefaults)):
        return [value] * n
    values = list(value)  # type: ignore[call-overload]
    if len(values) != n:
        raise ValueError(f"{len(values)} {what} for {n} files; give one each")
    return values


def check_files(
    sources: Sequence[Source],
    *,
    kind: Kind | Sequence[Kind] = "survey",
    file_names: Sequence[str | None] | None = None,
    defaults: FileDefaults | Sequence[FileDefaults | None] | None = None,
    instrument: Instrument | None = None,
    overrides: Mapping[str, str] | None = None,
    stop_at_error: bool = False,
    number_as: str | None = None,
) -> CheckedFiles:
    """Check several files, in order, and join the rows of those that could be read.

    Parameters
    ----------
    sources : sequence of bytes, str or PathLike
        The files' bytes or paths.
    kind : {"survey", "pupil"} or a sequence of them
        What the files are: one kind for all, or one per file.
    file_names : sequence of str, optional
        The names to use in messages, one per file.
    defaults : FileDefaults or a sequence of them, optional
        The file-wide values (hub, project, phase, year, Work Group): the same for every file,
        or one per file (e.g. the phase of a pre file and of a post file).
    instrument : Instrument, optional
        The survey's questions (survey files only).
    overrides : mapping, optional
        Corrections to how headers are read, for every file.
    stop_at_error : bool, default False
        Stop at the first file that cannot be read or has errors (later files are not checked).
    number_as : str, optional
        Name of a column numbering each file's rows 1, 2, ... by file (see :func:`join_checked`).

    Returns
    -------
    CheckedFiles
        The per-file results, their reports and problems, and the joined rows.

    Examples
    --------
    >>> pre = b"Participant code,conf_1\\na,4\\nb,5\\n"
    >>> post = b"Participant code,conf_1\\na,5\\nb,x\\n"
    >>> about = [FileDefaults("Solent", "MN-KS2", phase, "2024/25") for phase in ("pre", "post")]
    >>> checked = check_files([pre, post], defaults=about)
    >>> checked.valid, checked.first_failure, [p.code for p in checked.errors][-1]
    (False, 1, 'not_a_likert_answer')
    >>> checked.surveys["phase"].tolist()
    ['pre', 'pre', 'post', 'post']
    """
    n = len(sources)
    kinds = _each(kind, n, "kinds")
    names = _each(file_names, n, "file names")
    file_defaults = _each(defaults, n, "sets of defaults")
    checked: list[CheckedFile] = []
    for source, file_kind, name, default in zip(sources, kinds, names, file_defaults, strict=True):
        options = {"file_name": name, "defaults": default, "overrides": overrides}
        if file_kind == "survey":
            options["instrument"] = instrument
        checked.append(check(source, kind=file_kind, **options))
        if stop_at_error and not checked[-1].report.valid:
            break
    return join_checked(checked, number_as=number_as)
