"""The Upload & check page's parts: the about-this-Work-Group form, cached checks, the check view.

Checking and storing are evaluation.validation and the store's; this module only lays them out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from app_support.auth import current_viewer
from app_support.filtering import all_label, filters, hubs_for
from app_support.store_access import get_store
from app_support.templates import instrument_table, pupil_template, survey_template
from app_support.widgets import download_table, plain
from evaluation import columns as c
from evaluation.instruments import Instrument, default_instrument
from evaluation.io.reader import FileDefaults
from evaluation.presentation.readings.impact import stored_comparison_warnings
from evaluation.validation import join_checked
from evaluation.validation.columns import ignored_columns
from evaluation.validation.messages import for_web
from schemas import reference

KINDS = {"survey": "Teacher survey", "pupil": "Pupil scores (MTC)"}
LAYOUTS = {"separate": "Separate before and after files", "combined": "One file with both"}
FILE_TYPES = ("csv", "xlsx", "tsv", "txt")
SLOT_PHASE = {"pre": "pre", "post": "post", "combined": None}
FROM_FILE = "Read from the file"

# What a column can be corrected to (besides an instrument item); the reader's own words.
SURVEY_ROLES = {
    c.RESPONDENT_ID: "Participant code (matches before and after)",
    "email": "Email (matches before and after when there is no code)",
    c.PHASE: "Before or after (pre/post)",
    c.ACADEMIC_YEAR: "Academic year",
    c.HUB: "Maths Hub",
    c.NCP: "Project (NCP)",
    c.WORK_GROUP: "Work Group",
    c.SCHOOL_URN: "School URN",
    c.SCHOOL_PHASE: "School phase",
    c.ROLE: "Role",
    c.SUBMITTED_AT: "Time submitted",
    "item": "A question with scored answers (new question)",
    "text": "Open-text answer",
    "ignore": "Ignore this column",
}
PUPIL_ROLES = {
    c.PUPIL_ID: "Pupil code",
    c.SCHOOL_URN: "School URN",
    c.HUB: "Maths Hub",
    c.NCP: "Project (NCP)",
    c.ACADEMIC_YEAR: "Academic year",
    c.YEAR_GROUP: "Year group",
    c.PHASE: "Before or after (pre/post)",
    c.ASSESSED_ON: "Date assessed",
    c.MEASURE: "Measure",
    c.SCORE: "Score",
    c.DISADVANTAGED: "Disadvantaged",
    c.SEX: "Sex",
    c.SEN: "SEN",
    c.EAL: "EAL",
    "ignore": "Ignore this column",
}


@dataclass(frozen=True)
class About:
    """What the uploader said about the whole file (None = read it from the file)."""

    hub: str | None
    ncp: str | None
    academic_year: str | None
    work_group: str | None
    group: str | None = None  # "comparison" when the whole upload is comparison data


@dataclass(frozen=True)
class Readiness:
    """Whether the files can be saved, and if not, why (in plain English)."""

    ok: bool
    reason: str


def academic_years() -> list[str]:
    """Academic years offered on the form: the reference years and the next two."""
    years = list(reference.mtc_national()[c.ACADEMIC_YEAR])
    start = int(years[-1][:4]) if years else 2024
    for first in (start + 1, start + 2):
        years.append(f"{first}/{str(first + 1)[-2:]}")
    return sorted(set(years), reverse=True)


def _index_of(options: list[Any], value: Any) -> int:
    return options.index(value) if value in options else 0


COMPARISON_HELP = (
    "Tick this for pupils in schools not (yet) in the project, or for a waiting-list cohort "
    "before they start: their results are compared with the programme's to estimate its "
    "impact, and never counted in its before-and-after change."
)


def about_form(*, key: str) -> About:
    """Hub, NCP, year and Work Group for the whole upload; starts from the sidebar filters."""
    chosen = filters()
    hubs = [None, *hubs_for(current_viewer())]
    ncps = [None, *reference.ncps()["name"].tolist()]
    years = [None, *academic_years()]
    left, middle, right, last = st.columns(4)
    with left:
        hub = st.selectbox(
            "Maths Hub",
            hubs,
            index=_index_of(hubs, chosen.hub),
            format_func=all_label(FROM_FILE),
            key=f"{key}_hub",
        )
    with middle:
        ncp = st.selectbox(
            "Project (NCP)",
            ncps,
            index=_index_of(ncps, chosen.ncp),
            format_func=all_label(FROM_FILE),
            key=f"{key}_ncp",
        )
    with right:
        year = st.selectbox(
            "Academic year",
            years,
            index=_index_of(years, chosen.academic_year),
            format_func=all_label(FROM_FILE),
            key=f"{key}_year",
        )
    with last:
        work_group = st.text_input(
            "Work Group (optional)",
            key=f"{key}_work_group",
            placeholder="e.g. WG-03",
            max_chars=80,
        )
    comparison = st.checkbox(
        "These files are comparison data (not in the programme)",
        key=f"{key}_comparison",
        help=COMPARISON_HELP,
    )
    return About(
        hub=hub,
        ncp=ncp,
        academic_year=year,
        work_group=work_group.strip() or None,
        group=c.COMPARISON if comparison else None,
    )


def file_slots(kind: str, layout: str) -> dict[str, str]:
    """The file uploaders to show: before and after, or one combined file."""
    noun = "survey export" if kind == "survey" else "pupil scores"
    if layout == "combined":
        return {"combined": f"One file with before and after {noun}"}
    return {"pre": f"Before (pre) {noun}", "post": f"After (post) {noun}"}


def defaults_for(about: About, slot: str) -> FileDefaults:
    """The file-wide values for one uploaded file (its phase comes from the slot)."""
    return FileDefaults(
        hub=about.hub,
        ncp=about.ncp,
        phase=SLOT_PHASE.get(slot),
        academic_year=about.academic_year,
        work_group=about.work_group,
        group=about.group,
    )


def overrides(slot: str) -> dict[str, str]:
    """Corrections the user made to how columns were understood, for one file slot."""
    return dict(st.session_state.get(f"upload_overrides_{slot}", {}))


@st.cache_data(show_spinner=False, max_entries=32)
def _check(kind: str, data: bytes, file_name: str, defaults: tuple, override_items: tuple) -> Any:
    from evaluation import validation

    checker = validation.check_survey if kind == "survey" else validation.check_pupils
    return checker(
        data,
        file_name=file_name,
        defaults=FileDefaults(*defaults),
        overrides=dict(override_items) or None,
    )


def check(
    kind: str,
    data: bytes,
    *,
    file_name: str,
    defaults: FileDefaults,
    overrides: dict[str, str],
) -> Any:
    """Check one file (cached on its bytes, the form values and the corrections)."""
    key = (
        defaults.hub,
        defaults.ncp,
        defaults.phase,
        defaults.academic_year,
        defaults.work_group,
        defaults.group,
    )
    return _check(kind, data, file_name, key, tuple(sorted(overrides.items())))


def _role_label(role: str, instrument: Instrument | None) -> str:
    if role in SURVEY_ROLES:
        return SURVEY_ROLES[role]
    if role in PUPIL_ROLES:
        return PUPIL_ROLES[role]
    if instrument is not None and role in instrument.item_ids:
        item = instrument.item(role)
        return f"Question {role}: {item.text[:60]}"
    return role


def column_table(checked: Any) -> pd.DataFrame:
    """How each column was understood, as a table for people: column, understood as."""
    instrument = getattr(checked, "instrument", None)
    rows = []
    for header, role in checked.column_map.items():
        label = _role_label(str(role), instrument)
        if role.startswith("text:"):
            label = "Open-text answer"
        elif role.startswith("ignored"):
            label = "Not used" + role[len("ignored") :]
        if header == checked.identifier:
            label += " (used to match before and after)"
        rows.append({"Column in your file": str(header), "Understood as": label})
    return pd.DataFrame(rows, columns=["Column in your file", "Understood as"])


def unused_columns(checked: Any) -> str | None:
    """One line naming every column of a file that is not used, and why (None when all are).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> checked = SimpleNamespace(column_map={"Name": "ignored: personal data (name)",
    ...                                       "Participant code": "respondent_id"})
    >>> print(unused_columns(checked).split(". ")[0])
    1 column is not used: 'Name' (personal data \\(name\\))
    """
    ignored = ignored_columns(checked.column_map)
    if not ignored:
        return None
    count = "1 column is" if len(ignored) == 1 else f"{len(ignored)} columns are"
    listed = "; ".join(f"'{plain(e['column'])}' ({plain(e['reason'])})" for e in ignored)
    return (
        f"{count} not used: {listed}. You can change how a column is read under "
        "*How we read your columns*."
    )


def label_table(instrument: Instrument | None) -> pd.DataFrame:
    """Which answer label became which score, per label set the instrument uses."""
    if instrument is None:
        return pd.DataFrame(columns=["Answers like", "Score"])
    rows = []
    for label_set in dict.fromkeys(i.label_set for i in instrument.items):
        labels = instrument.point_labels(label_set)
        for score, label in zip(
            range(instrument.scale_min, instrument.scale_max + 1), labels, strict=True
        ):
            rows.append({"Answers like": label, "Score": score})
    return pd.DataFrame(rows)


PROBLEM_COLUMNS = {
    "severity": "Type",
    "row": "Row",
    "column": "Column",
    "value": "Value",
    "message": "What is wrong",
    "fix": "How to fix it",
}
SEVERITY_WORDS = {"error": "Must fix", "warning": "Worth checking"}


def problems_table(problems: pd.DataFrame) -> pd.DataFrame:
    """A check's problems as a table for people: plain headers, blanks instead of "None".

    ``problems`` is :meth:`ValidationReport.to_frame`. The type column says "Must fix" or
    "Worth checking" and is left out when every problem is of one type (the heading says it).
    """
    table = problems.copy()
    table["severity"] = table["severity"].map(SEVERITY_WORDS).fillna(table["severity"])
    table["row"] = [("" if pd.isna(r) else str(int(r))) for r in table["row"]]
    for column in ("column", "value", "message", "fix"):
        table[column] = [("" if v is None or pd.isna(v) else str(v)) for v in table[column]]
    for column in ("message", "fix"):  # the upload page is not the command line
        table[column] = table[column].map(for_web)
    if table["severity"].nunique() <= 1:
        table = table.drop(columns="severity")
    return table.rename(columns=PROBLEM_COLUMNS)


def unreadable(checked: Any) -> str | None:
    """The one message to show when a file could not be read as a table at all (else None)."""
    if checked.frame is not None or checked.report.valid:
        return None
    messages = [p.message for p in checked.report.errors if p.row is None]
    return " ".join(dict.fromkeys(messages)) or None


def wrong_kind(kind: str, checked: Any) -> str | None:
    """Say so when a file looks like the other kind (pupil scores uploaded as a survey, ...).

    A survey with no question we can score, or pupil scores with no score column, is almost
    always the wrong choice under *What are you uploading?*, and checking it as that kind gives
    a long list of beside-the-point problems (or none at all). The check itself spots the other
    kind (problem codes ``looks_like_pupil_scores`` and ``looks_like_survey``).
    """
    if checked.frame is None:
        return None
    codes = {problem.code for problem in checked.report.errors}
    if "looks_like_pupil_scores" in codes:
        return (
            "This looks like a pupil scores file (it has pupil IDs and scores). Choose "
            "**Pupil scores (MTC)** under *What are you uploading?* above."
        )
    if "looks_like_survey" in codes:
        return (
            "This looks like a teacher survey (it has survey questions and no score "
            "column). Choose **Teacher survey** under *What are you uploading?* above."
        )
    if kind == "survey":
        items = getattr(checked, "instrument", None)
        item_ids = set(items.item_ids) if items is not None else set()
        if item_ids & set(checked.column_map.values()):
            return None
        return (
            "We found no survey questions with scored answers in this file, so there is "
            "nothing to measure. Check it is the survey export, or mark the question columns "
            "below under *How we read your columns*."
        )
    return None


def current_role(meaning: str, options: list[str]) -> str | None:
    """The correction option that matches how a column is read now (None if none does).

    Examples
    --------
    >>> current_role("hub", ["hub", "text", "ignore"]), current_role("text:why", ["text"])
    ('hub', 'text')
    >>> current_role("ignored: export metadata", ["hub", "ignore"]), current_role("x", ["hub"])
    ('ignore', None)
    """
    if meaning in options:
        return meaning
    for prefix, option in (("ignored", "ignore"), ("text", "text")):
        if meaning.startswith(prefix) and option in options:
            return option
    return None


def role_options(kind: str, instrument: Instrument | None) -> list[str]:
    """Everything a column can be corrected to, for the correction selectbox."""
    roles = list(SURVEY_ROLES if kind == "survey" else PUPIL_ROLES)
    if kind == "survey":
        items = (instrument or default_instrument()).item_ids
        roles = roles[:-3] + list(items) + roles[-3:]
    return roles


def show_check(
    slot: str, file_name: str, checked: Any, *, key: str, hint: str | None = None
) -> None:
    """One file's check: verdict, notes, the problems table (downloadable), the column preview.

    ``hint`` is :func:`wrong_kind`'s message, shown first when the file looks like the other kind.
    """
    report = checked.report
    kind = report.kind
    title = {"pre": "Before (pre) file", "post": "After (post) file"}.get(slot, "Your file")
    with st.container(border=True):
        st.markdown(f"**{title}:** {plain(file_name)}")
        cannot_read = unreadable(checked)
        if cannot_read is not None:
            # Nothing to list row by row: one message says what the file is and what to do.
            st.error(cannot_read, icon=":material/error:")
            return
        if hint is not None:
            st.error(hint, icon=":material/swap_horiz:")
        elif report.valid:
            extra = (
                f", {len(report.warnings)} thing{'s' if len(report.warnings) != 1 else ''} "
                "worth checking below"
                if report.warnings
                else ""
            )
            st.success(f"Ready to save: {report.n_rows} rows{extra}.", icon=":material/check:")
        else:
            st.error(
                f"{len(report.errors)} problem{'s' if len(report.errors) != 1 else ''} to fix "
                "before this file can be saved. Each one names the spreadsheet row and column; "
                "fix them in your file and upload it again.",
                icon=":material/error:",
            )
        for note in checked.notes if hint is None else ():
            st.info(note, icon=":material/lightbulb:")
        unused = unused_columns(checked) if hint is None else None
        if unused is not None:
            st.caption(unused)
        problems = report.to_frame()
        if len(problems):
            # When the file looks like the other kind, its row-by-row problems are beside the
            # point: they stay available, folded away under the one message that matters.
            holder = (
                st.expander(f"Problems when read as chosen ({len(problems)})")
                if hint is not None
                else st.container()
            )
            with holder:
                _problems(problems, slot, key=key)
        if checked.frame is not None:
            _column_preview(slot, kind, checked, key=key)


# Up to this many problems are drawn as a plain table whose long messages wrap; longer lists
# go in a scrolling grid (which cuts long text short; the download has it in full).
WRAPPED_PROBLEMS = 30


def show_list(table: pd.DataFrame, *, key: str, noun: str = "problems") -> None:
    """A list of problems or warnings: wrapped text when short, a scrolling grid when long."""
    if len(table) <= WRAPPED_PROBLEMS:
        st.table(table, hide_index=True)
        return
    st.caption(f"{len(table)} {noun}: hover over a cell to read it all, or download the list.")
    wide = {
        name: st.column_config.TextColumn(width="large")
        for name in table.columns
        if name in ("What is wrong", "How to fix it", "What to know", "What you can do")
    }
    st.dataframe(table, hide_index=True, key=key, column_config=wide)


def _problems(problems: pd.DataFrame, slot: str, *, key: str) -> None:
    table = problems_table(problems)
    show_list(table, key=f"{key}_problems")
    download_table(table, f"problems_{slot}", key=f"{key}_problems", label="list")


def _column_preview(slot: str, kind: str, checked: Any, *, key: str) -> None:
    # Open while there are corrections, so the user sees them applied after the rerun.
    with st.expander(
        "How we read your columns (correct a wrong guess here)", expanded=bool(overrides(slot))
    ):
        left, right = st.columns([2, 1])
        with left:
            st.dataframe(column_table(checked), hide_index=True, key=f"{key}_columns")
        with right:
            if kind == "survey":
                st.caption("Answers were turned into scores like this:")
                st.dataframe(label_table(checked.instrument), hide_index=True, key=f"{key}_labels")
        headers = [str(h) for h in checked.column_map]
        instrument = checked.instrument
        options = role_options(kind, instrument)
        column_key, role_key = f"{key}_fix_column", f"{key}_fix_role"

        def follow_column() -> None:
            """Start "should be read as" at how the chosen column is read now."""
            chosen = st.session_state.get(column_key, headers[0] if headers else None)
            now = current_role(checked.column_map.get(chosen, ""), options)
            if now is not None:
                st.session_state[role_key] = now

        if role_key not in st.session_state:
            follow_column()
        one, two, three = st.columns([2, 2, 1], vertical_alignment="bottom")
        with one:
            header = st.selectbox("Column", headers, key=column_key, on_change=follow_column)
        with two:
            role = st.selectbox(
                "should be read as",
                options,
                format_func=lambda r: _role_label(r, instrument),
                key=role_key,
            )
        with three:
            if st.button("Apply", key=f"{key}_fix_apply"):
                fixes = overrides(slot)
                fixes[header] = role
                st.session_state[f"upload_overrides_{slot}"] = fixes
                st.rerun()
        fixes = overrides(slot)
        if fixes:
            st.caption(
                "Your corrections: "
                + "; ".join(f"{plain(h)} → {_role_label(r, instrument)}" for h, r in fixes.items())
            )
            if st.button("Undo my corrections", key=f"{key}_fix_undo"):
                st.session_state.pop(f"upload_overrides_{slot}", None)
                st.rerun()


def pairing_warnings(checked: dict[str, Any]) -> pd.DataFrame | None:
    """Warnings about matching the before file to the after file (None when not two files)."""
    pre, post = checked.get("pre"), checked.get("post")
    if pre is None or post is None or pre.frame is None or post.frame is None:
        return None
    if pre.report.kind != "survey":
        return None
    from evaluation.validation import pairing_problems

    problems = pairing_problems(pre.frame, post.frame)
    files = {"post_without_pre": "After", "pre_without_post": "Before"}
    columns = ["File", "Row", "Participant code", "What to know", "What you can do"]
    return pd.DataFrame(
        [
            {
                "File": files.get(p.code, "") if p.row is not None else "",
                "Row": "" if p.row is None else str(p.row),
                "Participant code": p.value or "",
                "What to know": p.message,
                "What you can do": p.fix or "",
            }
            for p in problems
        ],
        columns=columns,
    )


def things(n: int) -> str:
    """ "1 thing", "2 things"."""
    return f"{n} thing" if n == 1 else f"{n} things"


def ready_to_save(
    kind: str,
    layout: str,
    checked: dict[str, Any],
    *,
    hints: dict[str, str | None] | None = None,
) -> Readiness:
    """Every expected file is present, valid and of the kind chosen (no :func:`wrong_kind`)."""
    expected = list(file_slots(kind, layout))
    missing = [s for s in expected if s not in checked]
    if missing:
        names = " and ".join("the before file" if s == "pre" else "the after file" for s in missing)
        return Readiness(False, f"Add {names} to save. (You can save one now and one later.)")
    if any((hints or {}).get(s) for s in expected):
        return Readiness(
            False,
            "A file does not look like a "
            + ("teacher survey" if kind == "survey" else "pupil scores file")
            + ": see the message above it.",
        )
    invalid = [s for s in expected if not checked[s].report.valid]
    if invalid:
        return Readiness(False, "Fix the problems listed above, then upload the file again.")
    return Readiness(True, "")


def signature(uploads: dict[str, Any]) -> str:
    """A fingerprint of the uploaded files, to know the results shown belong to them."""
    digest = hashlib.sha256()
    for slot, uploaded in sorted(uploads.items()):
        if uploaded is not None:
            digest.update(slot.encode())
            digest.update(hashlib.sha256(uploaded.getvalue()).digest())
    return digest.hexdigest()


def save(kind: str, uploads: dict[str, Any], checked: dict[str, Any], about: About) -> list[dict]:
    """Store every checked file; returns one outcome per file for :func:`show_saved`.

    A stored file's comparison rows are checked against the project data the uploader can see
    (the same check and sentence as ``store add``).
    """
    store = get_store()
    viewer = current_viewer()
    outcomes = []
    for slot in checked:
        uploaded = uploads[slot]
        result = store.add_file(
            uploaded.getvalue(),
            kind=kind,
            file_name=uploaded.name,
            defaults=defaults_for(about, slot),
            uploader=viewer.name,
            viewer=viewer,
            overrides=overrides(slot) or None,
        )
        warnings = []
        if result.status == "stored":
            warnings = stored_comparison_warnings(
                store, result.dataset_id, viewer=viewer, file_name=uploaded.name
            )
        outcomes.append(
            {
                "file": uploaded.name,
                "status": result.status,
                "dataset_id": result.dataset_id,
                "rows": result.n_rows,
                "warnings": warnings,
            }
        )
    return outcomes


def show_saved(outcomes: list[dict]) -> None:
    """Say what was stored (or was already there), and why comparison data gives no impact yet.

    The warnings are :func:`~evaluation.presentation.readings.impact.stored_comparison_warnings`.
    """
    for outcome in outcomes:
        name = plain(outcome["file"])
        if outcome["status"] == "stored":
            st.success(
                f"Saved {name}: {outcome['rows']} rows (dataset {outcome['dataset_id']}).",
                icon=":material/task_alt:",
            )
            for warning in outcome.get("warnings", ()):
                # Comparison rows with no project data of their project and year to match.
                st.warning(for_web(warning), icon=":material/compare_arrows:")
        elif outcome["status"] == "duplicate":
            st.info(
                f"{name} was saved before (dataset {outcome['dataset_id']}): nothing new stored.",
                icon=":material/content_copy:",
            )
        else:
            st.error(f"{name} was not saved: it has problems to fix.", icon=":material/error:")


def combined_frame(checked: dict[str, Any]) -> tuple[pd.DataFrame, Instrument]:
    """The checked survey rows of every file together, with the instrument they used."""
    joined = join_checked(checked.values())
    return joined.surveys, joined.instrument


def combined_pupils(checked: dict[str, Any]) -> pd.DataFrame:
    """The checked pupil rows of every file together."""
    return join_checked(checked.values()).pupils


def templates() -> None:
    """Template downloads for each kind of file, with the default questions."""
    st.write(
        "You do not need a template: exports from your survey tool work as they are. If you "
        "are building a file by hand, start from one of these."
    )
    instrument = default_instrument()
    survey, pupils, questions = st.columns(3)
    with survey:
        st.markdown("**Teacher survey**")
        st.caption("One row per person per survey; answers as numbers 1-5 or as words.")
        download_table(
            survey_template(instrument),
            "survey_template",
            key="template_survey",
            label="template",
        )
    with pupils:
        st.markdown("**Pupil scores (MTC)**")
        st.caption("One row per pupil per check; scores 0-25.")
        download_table(pupil_template(), "pupil_template", key="template_pupil", label="template")
    with questions:
        st.markdown("**The standard questions**")
        st.caption("The question behind each column, its scale and whether it is reversed.")
        download_table(
            instrument_table(instrument),
            "questions",
            key="template_questions",
            label="questions",
        )
