"""Board packs: a hub's (or a project's national) report as self-contained HTML and as PDF.

:func:`build_board_pack` is pure (loaded frames in, report out); :func:`load_inputs` reads the
frames from a store for a viewer and :func:`inputs_from_files` from survey/pupil files.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import pandas as pd

from evaluation import columns as c
from evaluation.access import Viewer
from evaluation.io.exports import to_csv_bytes, to_xlsx_bytes
from evaluation.presentation.reports.document import Document
from evaluation.presentation.reports.formatting import normalise_year
from evaluation.presentation.reports.html import render
from evaluation.presentation.reports.hub import hub_document
from evaluation.presentation.reports.model import (
    SYNTHETIC_BANNER,
    Analysis,
    ReportInputs,
    Scope,
    analyse,
)
from evaluation.presentation.reports.ncp import ncp_document
from evaluation.presentation.reports.pdf import NO_CHROMIUM, PdfResult, html_to_pdf
from evaluation.presentation.reports.slides import document_to_pptx
from evaluation.validation.kinds import file_kind

__all__ = [
    "NO_CHROMIUM",
    "SYNTHETIC_BANNER",
    "Analysis",
    "BoardPack",
    "FileProblem",
    "ReportInputs",
    "analyse",
    "build_board_pack",
    "hub_report",
    "inputs_from_files",
    "load_inputs",
    "ncp_report",
    "resolve_hub",
    "resolve_ncp",
    "write_pack",
]

Kind = Literal["hub", "ncp"]


@dataclass(frozen=True)
class BoardPack:
    """A built report, or the plain-English reason it could not be built.

    Attributes
    ----------
    problem : str or None
        Why there is no report (unknown hub, no data for the year, not allowed): then ``html``
        is empty and ``pdf`` None. The message is for the user; ``problem_code`` is stable.
    kind : {"hub", "ncp"}
        Hub board pack or national project report.
    title, html : str
        Report title and the self-contained HTML document.
    pdf : bytes or None
        The same content as A4 PDF, or None (``pdf_note`` says why, e.g. no Chromium).
    pptx : bytes or None
        The same report as PowerPoint slides (one slide per chart, every picture with
        alternative text), or None when slides were not requested.
    sections : tuple of str
        Section titles in order (each starts a new PDF page).
    tables : dict of str to DataFrame
        Every table in the report (suppressed values blank), for CSV/XLSX export.
    synthetic : bool
        Built from synthetic data (the report carries a banner).
    """

    kind: Kind
    hub: str | None
    ncp: str | None
    academic_year: str | None
    title: str = ""
    html: str = ""
    pdf: bytes | None = None
    pdf_note: str | None = None
    pptx: bytes | None = None
    sections: tuple[str, ...] = ()
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    synthetic: bool = False
    problem: str | None = None
    problem_code: str | None = None
    document: Document | None = None

    @property
    def ok(self) -> bool:
        """True when the report was built (``problem`` is None)."""
        return self.problem is None

    def table_csv(self, name: str) -> bytes:
        """One table as formula-safe CSV (see :func:`evaluation.io.exports.to_csv_bytes`).

        Examples
        --------
        >>> pack = BoardPack(kind="hub", hub=None, ncp=None, academic_year=None,
        ...                  tables={"quotes": pd.DataFrame({"answer": ["=1+1 please"]})})
        >>> pack.table_csv("quotes").decode("utf-8-sig").splitlines()
        ['answer', "'=1+1 please"]
        """
        return to_csv_bytes(self.tables[name])

    def table_xlsx(self, name: str) -> bytes:
        """One table as a formula-safe .xlsx workbook (formula-like text kept as text).

        Examples
        --------
        >>> pack = BoardPack(kind="hub", hub=None, ncp=None, academic_year=None,
        ...                  tables={"quotes": pd.DataFrame({"answer": ["=1+1 please"]})})
        >>> pack.table_xlsx("quotes")[:2]
        b'PK'
        """
        return to_xlsx_bytes(self.tables[name], sheet_name=name)


# ---------------------------------------------------------------------------- names


def _suggest(wanted: str, choices: Sequence[str]) -> str | None:
    from rapidfuzz import fuzz, process, utils

    match = process.extractOne(
        wanted, list(choices), scorer=fuzz.WRatio, processor=utils.default_process
    )
    return str(match[0]) if match and match[1] >= 60 else None


def resolve_hub(wanted: str) -> tuple[str | None, str | None]:
    """The reference hub name for ``wanted`` (name or short name, any case), or a suggestion.

    Returns
    -------
    (name, suggestion)
        ``name`` when recognised, else None and the closest name (or None).

    Examples
    --------
    >>> resolve_hub("solent maths hub")
    ('Solent Maths Hub', None)
    >>> resolve_hub("Solant Maths Hub")
    (None, 'Solent Maths Hub')
    """
    from schemas.reference import hubs

    table = hubs()
    key = wanted.strip().casefold()
    for name, short in zip(table["name"], table["short_name"], strict=True):
        if key in (str(name).casefold(), str(short).casefold()):
            return str(name), None
    return None, _suggest(wanted, table["name"].astype(str).tolist())


def resolve_ncp(wanted: str) -> tuple[str | None, str | None]:
    """The reference NCP name for ``wanted`` (code or name, any case), or a suggestion.

    Examples
    --------
    >>> resolve_ncp("mn-ks2")
    ('Mastering Number at KS2', None)
    """
    from schemas.reference import ncps

    table = ncps()
    key = wanted.strip().casefold()
    for code, name in zip(table["code"], table["name"], strict=True):
        if key in (str(code).casefold(), str(name).casefold()):
            return str(name), None
    return None, _suggest(wanted, table["name"].astype(str).tolist())


# ---------------------------------------------------------------------------- building


def _refuse(kind: Kind, hub, ncp, year, code: str, message: str) -> BoardPack:
    return BoardPack(
        kind=kind, hub=hub, ncp=ncp, academic_year=year, problem=message, problem_code=code
    )


def build_board_pack(
    inputs: ReportInputs,
    *,
    viewer: Viewer,
    academic_year: str,
    hub: str | None = None,
    ncp: str | None = None,
    analysis: Analysis | None = None,
    min_n: int | None = None,
    pdf: bool = True,
    slides: bool = False,
    generated: datetime | None = None,
) -> BoardPack:
    """Build a hub board pack (``hub``) or a national project report (``ncp`` without a hub).

    Parameters
    ----------
    inputs : ReportInputs
        Loaded frames (:func:`load_inputs` or :func:`inputs_from_files`). For a hub report the
        survey frame may hold every hub's rows; they feed only national pooled values.
    viewer : Viewer
        Who the report is for: hub and lead viewers may build only their own hub's pack; a
        national project report needs a national viewer.
    academic_year : str
        ``2024/25`` (``2024-25`` and ``2024`` are understood); trends use earlier years too.
    hub : str, optional
        Hub name or short name; with ``ncp`` the pack covers that one project of the hub.
    ncp : str, optional
        Project code or name; without ``hub``, the national report for that project.
    analysis : Analysis, optional
        Results of :func:`analyse` on the same inputs, to share work across many reports.
    min_n : int, optional
        Small-number threshold (default 5 or ``$IMPACT_MIN_N``).
    pdf : bool
        Also print a PDF with headless Chromium (None with a note when Chromium is missing).
    slides : bool
        Also write the PowerPoint deck (``pptx``; charts drawn by Chromium when installed,
        else native PowerPoint charts).
    generated : datetime, optional
        Timestamp printed on the title page (default now, UTC).

    Returns
    -------
    BoardPack
        ``ok`` with html (and pdf), or ``problem`` saying in plain English what is wrong.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> empty = ReportInputs(pd.DataFrame(columns=["academic_year", "hub", "ncp"]),
    ...                      default_instrument())
    >>> build_board_pack(empty, viewer=Viewer.national(), hub="Solant",
    ...                  academic_year="2024/25").problem_code
    'unknown_hub'
    >>> build_board_pack(empty, viewer=Viewer(role="hub", hub="Sussex Maths Hub"),
    ...                  hub="Solent Maths Hub", academic_year="2024/25").problem
    'You can build board packs only for Sussex Maths Hub.'
    """
    kind: Kind = "hub" if hub else "ncp"
    year = normalise_year(academic_year)
    if hub is None and ncp is None:
        return _refuse(kind, hub, ncp, academic_year, "usage", "Choose a hub or a project (NCP).")
    if hub is not None:
        name, suggestion = resolve_hub(hub)
        if name is None:
            hint = f" Did you mean '{suggestion}'?" if suggestion else ""
            return _refuse(
                kind, hub, ncp, year, "unknown_hub", f"'{hub}' is not a Maths Hub.{hint}"
            )
        hub = name
    if ncp is not None:
        name, suggestion = resolve_ncp(ncp)
        if name is None:
            hint = f" Did you mean '{suggestion}'?" if suggestion else ""
            return _refuse(
                kind, hub, ncp, year, "unknown_ncp", f"'{ncp}' is not a project (NCP).{hint}"
            )
        ncp = name
    if viewer.role != "national":
        if hub is None:
            return _refuse(
                kind,
                hub,
                ncp,
                year,
                "not_allowed",
                "National project reports are for national users; choose your hub instead.",
            )
        if hub != viewer.hub:
            return _refuse(
                kind,
                hub,
                ncp,
                year,
                "not_allowed",
                f"You can build board packs only for {viewer.hub}.",
            )
    if year is None:
        return _refuse(
            kind,
            hub,
            ncp,
            academic_year,
            "bad_year",
            f"'{academic_year}' is not an academic year; write it like 2024/25.",
        )
    scope = Scope(academic_year=year, hub=hub, ncp=ncp)
    surveys = inputs.surveys
    in_scope = scope.rows(surveys) if len(surveys) else surveys
    if in_scope.empty:
        years = (
            sorted(scope.rows(surveys, year=False)[c.ACADEMIC_YEAR].astype(str).unique().tolist())
            if len(surveys)
            else []
        )
        who = hub if hub else ncp
        if ncp and hub:
            who = f"{hub}, {ncp}"
        have = (
            f" Years with data: {', '.join(years)}."
            if years
            else " There is no survey data for it."
        )
        return _refuse(
            kind, hub, ncp, year, "no_data", f"No survey data for {who} in {year}.{have}"
        )
    usable = ReportInputs(
        surveys=scope.up_to_year(surveys),
        instrument=inputs.instrument,
        pupils=inputs.pupils,
        datasets=inputs.datasets,
        synthetic=inputs.synthetic,
        source=inputs.source,
    )
    if analysis is None:
        analysis = analyse(usable, min_n=min_n)
    elif min_n is not None and analysis.min_n != min_n:
        analysis = Analysis(paired=analysis.paired, min_n=min_n)
    builder = hub_document if hub else ncp_document
    document = builder(usable, analysis, scope, viewer=viewer, generated=generated)
    page = render(document)
    printed = html_to_pdf(page) if pdf else PdfResult(None, "PDF not requested.")
    deck = document_to_pptx(document) if slides else None
    return BoardPack(
        kind=kind,
        hub=hub,
        ncp=ncp,
        academic_year=year,
        title=document.title,
        html=page,
        pdf=printed.pdf,
        pdf_note=printed.note,
        pptx=deck,
        sections=document.section_titles,
        tables=document.tables(),
        synthetic=inputs.synthetic,
        document=document,
    )


def hub_report(inputs: ReportInputs, hub: str, academic_year: str, **kw) -> BoardPack:
    """Board pack for one hub (:func:`build_board_pack`; the viewer defaults to national).

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> empty = ReportInputs(pd.DataFrame(columns=["academic_year", "hub", "ncp"]),
    ...                      default_instrument())
    >>> hub_report(empty, "Solent", "2024/25").problem
    'No survey data for Solent Maths Hub in 2024/25. There is no survey data for it.'
    """
    kw.setdefault("viewer", Viewer.national())
    return build_board_pack(inputs, hub=hub, academic_year=academic_year, **kw)


def ncp_report(inputs: ReportInputs, ncp: str, academic_year: str, **kw) -> BoardPack:
    """National report for one project (shorthand for :func:`build_board_pack`).

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> empty = ReportInputs(pd.DataFrame(columns=["academic_year", "hub", "ncp"]),
    ...                      default_instrument())
    >>> ncp_report(empty, "MN-KS2", "2024").problem_code
    'no_data'
    """
    kw.setdefault("viewer", Viewer.national())
    return build_board_pack(inputs, ncp=ncp, academic_year=academic_year, **kw)


# ---------------------------------------------------------------------------- loading


def load_inputs(
    store,
    viewer: Viewer,
    *,
    hub: str | None = None,
    ncp: str | None = None,
    national_comparison: bool = True,
) -> ReportInputs:
    """Read a report's frames from a store, scoped to what the viewer may see.

    The report's own rows (hub, or NCP nationally) are read with ``viewer``. For a hub report
    the national pooled values need every hub's rows: with ``national_comparison`` (default)
    they are read with a national-scope viewer, and the report shows only pooled values from
    them (never another hub's rows, counts or text; the provenance lists only datasets holding
    the hub's own rows). A national project report reads every project, so its trend chart
    can show the all-project national line.

    Parameters
    ----------
    store : evaluation.store.Store
        The open store.
    viewer : Viewer
        Who asks; scopes the report's own rows, datasets and pupils.
    hub, ncp : str, optional
        Reference names (see :func:`resolve_hub`, :func:`resolve_ncp`).
    national_comparison : bool
        Read all hubs' survey rows for national pooled values (hub reports).

    Returns
    -------
    ReportInputs

    Examples
    --------
    >>> from evaluation.store import Store
    >>> inputs = load_inputs(Store.open("sqlite://"), Viewer.national(), hub="Solent Maths Hub")
    >>> inputs.surveys.empty, inputs.synthetic
    (True, False)
    """
    own, instrument = store.load_surveys(viewer, hub=hub, ncp=ncp)
    surveys = own
    if hub is None and viewer.role == "national":
        # The national line of the trends pools every project, not only this one.
        surveys, instrument = store.load_surveys(viewer)
    elif national_comparison and not own.empty:
        national = Viewer.national(name=f"board pack for {viewer.name}")
        synthetic = _all_synthetic(store.list_datasets(viewer), own)
        everyone, _ = store.load_surveys(national, synthetic=synthetic)
        others = everyone[everyone[c.HUB].astype(str).ne(hub)]
        # Other hubs' open text is never needed: drop it before it reaches the report code.
        others = others.drop(columns=[col for col in others if str(col).startswith("text_")])
        surveys = pd.concat([own, others], ignore_index=True)
    pupils = store.load_pupils(viewer, hub=hub, ncp=ncp)
    datasets = store.list_datasets(viewer)
    return ReportInputs(
        surveys=surveys,
        instrument=instrument,
        pupils=pupils,
        datasets=datasets,
        synthetic=_all_synthetic(datasets, own),
        source="the project store",
    )


def _all_synthetic(datasets: pd.DataFrame, frame: pd.DataFrame) -> bool:
    if datasets is None or datasets.empty or c.DATASET_ID not in frame or frame.empty:
        return False
    used = set(frame[c.DATASET_ID].dropna().astype(int))
    rows = datasets[datasets["dataset_id"].astype(int).isin(used)]
    return bool(len(rows)) and bool(rows["synthetic"].astype(bool).all())


@dataclass(frozen=True)
class FileProblem:
    """Why a data file could not be used (``code``: 1 invalid data, 2 unreadable)."""

    file: str
    code: int
    lines: tuple[str, ...]


def _synthetic_file(path: Path) -> bool:
    readme = path.parent / "README.md"
    try:
        return (
            readme.read_text(encoding="utf-8")[:200].lstrip("# ").casefold().startswith("synthetic")
        )
    except OSError:
        return False


def inputs_from_files(
    paths: Sequence[str | os.PathLike[str]], *, synthetic: bool | None = None
) -> ReportInputs | FileProblem:
    """Read and check survey and pupil files (canonical CSVs or form exports) for a report.

    A file whose headers name pupil IDs and scores is read as pupil scores, any other as a
    survey (as ``validate`` recognises them: :func:`evaluation.validation.kinds.file_kind`).
    Provenance records each file's name, SHA-256 and modification time.

    Parameters
    ----------
    paths : sequence of path
        The files.
    synthetic : bool, optional
        Mark the data as synthetic; default: every file sits beside a README.md that starts
        "Synthetic" (as ``python -m evaluation sample`` writes).

    Returns
    -------
    ReportInputs, or FileProblem for the first file that cannot be used.

    Examples
    --------
    >>> from evaluation.store import SAMPLE_DIR
    >>> inputs = inputs_from_files([SAMPLE_DIR / "surveys.csv"])
    >>> inputs.synthetic, inputs.datasets["file_name"].tolist()
    (True, ['surveys.csv'])
    >>> inputs_from_files(["no-such-file.csv"]).code
    2
    """
    from evaluation.validation import check_files

    files, datas, unopened = [Path(p) for p in paths], [], None
    for path in files:
        try:
            datas.append(path.read_bytes())
        except OSError as exc:
            unopened = FileProblem(str(path), 2, (f"cannot be opened: {exc.strerror or exc}.",))
            break
    kinds = [file_kind(data) for data in datas]
    checked = check_files(
        datas,
        kind=kinds,
        file_names=[path.name for path in files[: len(datas)]],
        stop_at_error=True,
        number_as=c.DATASET_ID,
    )
    failed = checked.first_failure
    if failed is not None:
        report = checked.files[failed].report
        if checked.files[failed].frame is None:
            return FileProblem(str(files[failed]), 2, tuple(p.message for p in report.errors[:5]))
        return FileProblem(str(files[failed]), 1, tuple(p.brief() for p in report.errors[:20]))
    if unopened is not None:
        return unopened
    rows = []
    for number, (path, data, kind, one) in enumerate(
        zip(files, datas, kinds, checked.files, strict=True), start=1
    ):
        modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        rows.append(
            {
                "dataset_id": number,
                "kind": kind,
                "status": "file",
                "synthetic": _synthetic_file(path),
                "n_rows": len(one.frame),
                "file_name": path.name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "uploader": "local file",
                "uploaded_at": pd.Timestamp(modified),
            }
        )
    if checked.surveys is None:
        return FileProblem("", 2, ("No survey file was given: a report needs survey data.",))
    datasets = pd.DataFrame(rows)
    flagged = bool(datasets["synthetic"].all()) if synthetic is None else bool(synthetic)
    return ReportInputs(
        surveys=checked.surveys,
        instrument=checked.instrument,
        pupils=checked.pupils,
        datasets=datasets,
        synthetic=flagged,
        source="files read from disk" if len(rows) > 1 else "a file read from disk",
    )


def write_pack(pack: BoardPack, out_dir: str | os.PathLike[str]) -> list[Path]:
    """Write ``report.html`` (and ``report.pdf``, ``report.pptx`` when there are) into ``out_dir``.

    Returns the paths written.

    Examples
    --------
    >>> import tempfile
    >>> pack = BoardPack(kind="hub", hub="Solent Maths Hub", ncp=None, academic_year="2024/25",
    ...                  html="<p>report</p>")
    >>> [p.name for p in write_pack(pack, tempfile.mkdtemp())]
    ['report.html']
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "report.html"]
    written[0].write_text(pack.html, encoding="utf-8")
    if pack.pdf is not None:
        (folder / "report.pdf").write_bytes(pack.pdf)
        written.append(folder / "report.pdf")
    if pack.pptx is not None:
        (folder / "report.pptx").write_bytes(pack.pptx)
        written.append(folder / "report.pptx")
    return written
