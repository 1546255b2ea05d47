"""Sentences about impact against a comparison group, its evidence strength and the MDES planner.

Impact is the difference from a comparison group ("impact"), never a before-and-after
"change"; months' progress come only from an impact's g (:func:`~.results.months_sentence`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from evaluation import columns as c
from evaluation.presentation.readings.results import months_sentence
from evaluation.presentation.readings.words import is_number, outcome_name, text_of
from evaluation.stats.groups import NO_COMPARISON_REASON, arm_of
from evaluation.stats.mdes import Mdes
from evaluation.stats.security import CHANGE_DESIGNS, rate_security

if TYPE_CHECKING:
    from evaluation.access import Viewer
    from evaluation.store import Store

__all__ = [
    "CHANGE_REASON",
    "COMPARISON_KEPT_NOTE",
    "NO_COMPARISON_NOTE",
    "ONLY_COMPARISON_PUPILS",
    "TOO_FEW_HUBS_NOTE",
    "change_evidence_line",
    "comparison_mismatch",
    "comparison_rows_line",
    "evidence_line",
    "impact_reading",
    "impact_readings",
    "mdes_sentence",
    "named_keys",
    "no_comparison",
    "no_comparison_line",
    "pooled_impact_reading",
    "stored_comparison_warnings",
]

Row = Mapping[str, Any] | pd.Series

NO_COMPARISON_NOTE = (
    "No comparison group in this data: impact cannot be estimated. Upload comparison data "
    "(pupils in schools not in the project, or a waiting-list cohort) and mark it as comparison."
)
TOO_FEW_HUBS_NOTE = (
    "Fewer than 2 hubs have an impact estimate against a comparison group here, so there is "
    "nothing to pool."
)
# The Pupils page when every pupil in the selection is in the comparison group.
ONLY_COMPARISON_PUPILS = (
    "Only comparison pupils are stored for this selection (pupils in schools not in the "
    "project). Change before and after needs the project's own pupils: upload their "
    "Multiplication Tables Check file on Upload & check, or widen the filters in the sidebar."
)
# Said after a comparison file stored without project data of its project and year to match.
COMPARISON_KEPT_NOTE = (
    "The file is stored, but no impact is computed from it until project data of the same "
    "project and year are stored."
)
# Why a before-and-after result rates as it does (the rating is stats.security's).
CHANGE_REASON = "no comparison group (a before-and-after change)"
_MAX_PADLOCKS = 5


def evidence_line(security: Any, reason: Any) -> str:
    """The evidence-strength line shown beside a headline.

    Examples
    --------
    >>> evidence_line(2, "31% of pupils lost between tests")
    'Evidence strength: 2 of 5 — 31% of pupils lost between tests'
    >>> evidence_line(float("nan"), "")
    ''
    """
    if not is_number(security):
        return ""
    line = f"Evidence strength: {int(security)} of {_MAX_PADLOCKS}"
    reason = text_of(reason)
    return f"{line} — {reason}" if reason else line


def change_evidence_line(rated: pd.DataFrame | None = None) -> str:
    """The evidence-strength line of before-and-after results (rated by ``stats.security``).

    Parameters
    ----------
    rated : DataFrame, optional
        Change rows with ``security`` (e.g. from
        :func:`evaluation.analysis.impact.change_security`); the lowest rating is quoted.
        Without it, the rating of a design with no comparator.

    Examples
    --------
    >>> change_evidence_line()
    'Evidence strength: 0 of 5 — no comparison group (a before-and-after change)'
    """
    if rated is None or rated.empty or "security" not in rated:
        from_design = pd.DataFrame({"design": [CHANGE_DESIGNS[0]]})
        rated = rate_security(from_design)
    security = pd.to_numeric(rated["security"], errors="coerce").min()
    return evidence_line(security, CHANGE_REASON)


def comparison_mismatch(
    file_name: str,
    found: Sequence[str],
    have: Sequence[Sequence[str]],
    *,
    where: str = "the project files",
) -> str:
    """Why a comparison file does not match the data it is compared with (project and year).

    Parameters
    ----------
    file_name : str
        The comparison file.
    found : sequence of str
        Its project and year (one pair of :func:`evaluation.analysis.impact.arm_keys`).
    have : sequence of sequences of str
        The project and year pairs of the project (intervention) data.
    where : str
        What holds the project data ("the project files", "the project data in the store").

    Examples
    --------
    >>> print(comparison_mismatch("c.csv", ("P", "2023/24"), [("P", "2024/25")]))
    ... # doctest: +NORMALIZE_WHITESPACE
    c.csv: comparison data for P in 2023/24, but the project files are for P in 2024/25. A
    comparison group must be from the same project and academic year as the group it is
    compared with; check the file's project and year columns, or those chosen for the whole
    file (command line: --ncp/--year).
    """
    what = " in ".join(str(v) for v in found)
    if have:
        listed = "; ".join(" in ".join(str(v) for v in pair) for pair in have)
        head = f"{file_name}: comparison data for {what}, but {where} are for {listed}."
    else:
        head = f"{file_name}: comparison data for {what}, but {where} hold no project data."
    return (
        f"{head} A comparison group must be from the same project and academic year as the "
        "group it is compared with; check the file's project and year columns, or those chosen "
        "for the whole file (command line: --ncp/--year)."
    )


def stored_comparison_warnings(
    store: Store, dataset_id: int, *, viewer: Viewer, file_name: str | None = None
) -> list[str]:
    """Why a stored dataset's comparison rows give no impact yet: no project data to match.

    The store-side check after ``store add`` and the Upload page's save. Each project and year
    of the dataset's comparison rows (marked for the whole file or by a ``group`` column) is
    looked for among the project (intervention) rows ``viewer`` may see; one sentence per pair
    not found (:func:`comparison_mismatch`, naming the project data stored for the same project
    or the same year, then :data:`COMPARISON_KEPT_NOTE`). Nothing when every pair matches,
    the dataset holds no comparison rows, or ``viewer`` cannot see it.

    Parameters
    ----------
    store : evaluation.store.Store
        The open store holding the dataset.
    dataset_id : int
        The dataset just stored.
    viewer : Viewer
        Whose data counts as the project data (the uploader's scope).
    file_name : str, optional
        The file named in the sentence (default: the stored file name).

    Examples
    --------
    >>> from evaluation.access import Viewer
    >>> from evaluation.store import Store
    >>> with Store.open("sqlite://") as store:
    ...     stored_comparison_warnings(store, 1, viewer=Viewer.national())
    []
    """
    listed = store.list_datasets(viewer)
    mine = listed[listed["dataset_id"].eq(dataset_id)]
    if mine.empty:
        return []
    dataset = mine.iloc[0]
    ncps, years = list(dataset["ncps"]), list(dataset["academic_years"])

    def rows(**where: Any) -> pd.DataFrame:
        if dataset["kind"] == "pupil":
            return store.load_pupils(viewer, **where)
        return store.load_surveys(viewer, **where)[0]

    # The dataset's own hubs first (a small read): most files hold no comparison rows.
    own = rows(hub=list(dataset["hubs"]), ncp=ncps, academic_year=years)
    new = own[own["dataset_id"].eq(dataset_id)]
    if not arm_of(new).eq(c.COMPARISON).any():
        return []
    from evaluation.analysis.impact import IMPACT_KEYS, arm_keys  # here: statsmodels is slow

    comparison = arm_keys(new, c.COMPARISON)
    matched = set(arm_keys(rows(ncp=ncps, academic_year=years), c.INTERVENTION))
    unmatched = [pair for pair in comparison if pair not in matched]
    if not unmatched:
        return []
    near = pd.concat([rows(ncp=ncps), rows(academic_year=years)], ignore_index=True)
    project = arm_keys(near, c.INTERVENTION, IMPACT_KEYS)
    name = file_name or str(dataset["file_name"])
    lines = []
    for found in unmatched:
        # The project data of the same project or the same year: the likeliest intended match.
        have = [pair for pair in project if pair[0] == found[0] or pair[1] == found[1]]
        text = comparison_mismatch(name, found, have, where="the project data in the store")
        lines.append(f"{text} {COMPARISON_KEPT_NOTE}")
    return lines


def comparison_rows_line(survey_rows: int, pupil_rows: int) -> str:
    """What the store holds of comparison groups, said apart from the project's own counts.

    Examples
    --------
    >>> print(comparison_rows_line(420, 12357))
    Also stored: 420 survey responses and 12,357 pupil scores from comparison groups, used only for impact and not counted above.
    >>> comparison_rows_line(0, 0)
    ''
    """  # noqa: E501
    held = [
        f"{n:,} {what}"
        for n, what in ((survey_rows, "survey responses"), (pupil_rows, "pupil scores"))
        if n
    ]
    if not held:
        return ""
    return (
        f"Also stored: {' and '.join(held)} from comparison groups, used only for impact and "
        "not counted above."
    )


def _signed(value: float, digits: int = 2) -> str:
    return f"{value:+.{digits}f}"


def impact_reading(
    row: Row, *, unit: str = "pupils", points: str = "marks", by: Sequence[str] = ()
) -> str:
    """One impact row in words: the adjusted difference, g with its CI, months, DiD, evidence.

    Parameters
    ----------
    row : mapping
        A row of :func:`evaluation.stats.impact.impact`.
    unit : str
        Who was measured.
    points : str
        The unit of the outcome ("marks", "points on the 1-5 scale").
    by : sequence of str
        Columns naming the group before the outcome (e.g. ``["academic_year"]``).

    Examples
    --------
    >>> row = {"outcome": "MTC", "n_intervention": 300, "n_comparison": 280, "n_clusters": 30,
    ...        "estimate": 1.2, "ci_low": 0.4, "ci_high": 2.0, "g": 0.25, "g_ci_low": 0.08,
    ...        "g_ci_high": 0.42, "months": 3, "did": 1.4, "security": 2,
    ...        "security_reason": "comparison group not chosen at random"}
    >>> print(impact_reading(row))  # doctest: +NORMALIZE_WHITESPACE
    MTC: impact against the comparison group of +1.20 marks (95% CI +0.40 to +2.00) after
    allowing for the first score, Hedges' g 0.25 (95% CI 0.08 to 0.42); 300 pupils in the
    intervention group, 280 in the comparison group, 30 clusters. That is about 3 months'
    additional progress on the EEF scale, which the EEF rates moderate impact (effect size
    0.25, 95% CI 0.08 to 0.42). For readers who think in changes: the intervention group's
    change was +1.40 marks more than the comparison group's (difference in differences).
    Evidence strength: 2 of 5 — comparison group not chosen at random
    """
    name = outcome_name(row.get("outcome", "")) if row.get("outcome") != "MTC" else "MTC"
    name = " · ".join([*(text_of(row.get(k)) for k in by), name])
    estimate = row.get("estimate")
    if not is_number(estimate):
        reason = text_of(row.get("reason")) or "the model could not be fitted"
        return f"{name}: impact cannot be estimated. {reason}"
    parts = [
        f"{name}: impact against the comparison group of {_signed(float(estimate))} {points} "
        f"(95% CI {_signed(float(row['ci_low']))} to {_signed(float(row['ci_high']))}) after "
        "allowing for the first score"
    ]
    g = row.get("g")
    if is_number(g):
        parts[0] += (
            f", Hedges' g {float(g):.2f} (95% CI {float(row['g_ci_low']):.2f} to "
            f"{float(row['g_ci_high']):.2f})"
        )
    counts = (
        f"; {int(row['n_intervention']):,} {unit} in the intervention group, "
        f"{int(row['n_comparison']):,} in the comparison group"
    )
    if is_number(row.get("n_clusters")):
        counts += f", {int(row['n_clusters'])} clusters"
    parts[0] += counts + "."
    if is_number(row.get("months")) and is_number(g):
        parts.append(months_sentence(float(g), (row.get("g_ci_low"), row.get("g_ci_high"))))
    did = row.get("did")
    if is_number(did):
        parts.append(
            f"For readers who think in changes: the intervention group's change was "
            f"{_signed(float(did))} {points} more than the comparison group's (difference in "
            "differences)."
        )
    parts.append(evidence_line(row.get("security"), row.get("security_reason")))
    return " ".join(part for part in parts if part)


def named_keys(table: pd.DataFrame, by: Sequence[str]) -> list[str]:
    """The ``by`` columns an impact reading or chart names: the project only when there are two.

    A view of one project says which in its heading and filters, so its readings start with the
    year; a view holding more than one project (a hub viewer's, a hub's board pack) names the
    project too, or its lines would read alike ("2024/25 · MTC", "2024/25 · MTC").

    Examples
    --------
    >>> rows = pd.DataFrame({"ncp": ["A", "A"], "academic_year": ["2023/24", "2024/25"]})
    >>> named_keys(rows, ["ncp", "academic_year"])
    ['academic_year']
    >>> named_keys(rows.assign(ncp=["A", "B"]), ["ncp", "academic_year"])
    ['ncp', 'academic_year']
    """
    return [k for k in by if k != c.NCP or (k in table and table[k].dropna().nunique() > 1)]


def no_comparison(table: pd.DataFrame) -> pd.Series:
    """Which rows of an impact table are groups with no comparison group (change only).

    A group whose comparison group exists but cannot be modelled (an arm with one school, no
    first scores) is not one of them: its own reason is worth reading.

    Examples
    --------
    >>> from evaluation.stats.groups import NO_COMPARISON_REASON
    >>> no_comparison(pd.DataFrame({"reason": [NO_COMPARISON_REASON, None, "one school"]})).tolist()
    [True, False, False]
    """
    if "reason" not in table:
        return pd.Series(False, index=table.index)
    return table["reason"].eq(NO_COMPARISON_REASON)


def no_comparison_line(table: pd.DataFrame, by: Sequence[str] = (), *, others: bool = True) -> str:
    """One sentence for every group of ``table`` with no comparison group, however many.

    Parameters
    ----------
    table : DataFrame
        The rows with no comparison group (:func:`no_comparison`), one per group x outcome.
    by : sequence of str
        The columns naming a group: the groups counted (with the project and year, when the
        table has them).
    others : bool
        Whether other groups of the view have an impact line ("other project-years").

    Examples
    --------
    >>> rows = pd.DataFrame({"academic_year": ["2023/24", "2023/24", "2024/25"],
    ...     "outcome": ["conf", "prac", "conf"]})
    >>> print(no_comparison_line(rows, ["academic_year"]))
    No comparison group for 2 other project-years in this selection: their results are change (before and after), not impact.
    >>> no_comparison_line(rows.iloc[:1], ["academic_year"], others=False)[:50]
    'No comparison group for 1 project-year in this sel'
    """  # noqa: E501
    # A project-year is one whether or not the reading names the project (named_keys).
    keys = [k for k in dict.fromkeys([*by, c.NCP, c.ACADEMIC_YEAR]) if k in table]
    n = len(table[keys].drop_duplicates()) if keys else int(not table.empty)
    what = "project-year" if n == 1 else "project-years"
    other = "other " if others else ""
    return (
        f"No comparison group for {n:,} {other}{what} in this selection: their results are "
        "change (before and after), not impact."
    )


def impact_readings(
    table: pd.DataFrame, *, unit: str = "pupils", points: str = "marks", by: Sequence[str] = ()
) -> list[str]:
    """:func:`impact_reading` of each row of an impact table (the note when it is empty).

    ``by`` names each row; pass :func:`named_keys` of the table's groups, so the project is
    named when the table holds more than one. The groups with no comparison group at all
    (:func:`no_comparison`) get one line between them (:func:`no_comparison_line`), last; the
    table keeps each one's reason.

    Examples
    --------
    >>> impact_readings(pd.DataFrame()) == [NO_COMPARISON_NOTE]
    True
    >>> from evaluation.stats.groups import NO_COMPARISON_REASON
    >>> rows = pd.DataFrame({"academic_year": ["2023/24", "2024/25"], "outcome": "MTC",
    ...     "reason": ["There is no intervention group here.", NO_COMPARISON_REASON]})
    >>> for line in impact_readings(rows, by=["academic_year"]):
    ...     print(line)
    2023/24 · MTC: impact cannot be estimated. There is no intervention group here.
    No comparison group for 1 other project-year in this selection: their results are change (before and after), not impact.
    """  # noqa: E501
    if table.empty:
        return [NO_COMPARISON_NOTE]
    missing = no_comparison(table)
    read = table[~missing]
    lines = [impact_reading(row, unit=unit, points=points, by=by) for _, row in read.iterrows()]
    if missing.any():
        lines.append(no_comparison_line(table[missing], by, others=not read.empty))
    return lines


def pooled_impact_reading(row: Row, *, by: Sequence[str] = ()) -> str:
    """One pooled impact (every hub with comparison data) in words.

    Examples
    --------
    >>> pooled_impact_reading({"outcome": "MTC", "k": 3, "estimate": 0.21, "ci_low": 0.05,
    ...     "ci_high": 0.37})
    "MTC: pooled over 3 hubs, the impact against comparison groups is Hedges' g 0.21 (95% CI 0.05 to 0.37, Knapp-Hartung)."
    >>> pooled_impact_reading({"outcome": "MTC", "k": 1, "estimate": None, "suppressed": True})
    'MTC: the pooled impact is hidden [c]: it would combine too few hubs.'
    >>> pooled_impact_reading({"outcome": "MTC", "k": 3, "estimate": None, "suppressed": True,
    ...     "suppression_reason": "fewer than 4 hubs pooled"})
    "MTC: the pooled impact is hidden [c] (fewer than 4 hubs pooled): beside your own hub's figures, a smaller pool could give another hub's result away."
    """  # noqa: E501
    outcome = row.get("outcome", "")
    name = outcome if outcome == "MTC" else outcome_name(outcome)
    name = " · ".join([*(text_of(row.get(k)) for k in by), name])
    if bool(row.get("suppressed", False)) or not is_number(row.get("estimate")):
        reason = text_of(row.get("suppression_reason"))
        if reason:  # a pool hidden from a hub or lead viewer (evaluation.access)
            return (
                f"{name}: the pooled impact is hidden [c] ({reason}): beside your own hub's "
                "figures, a smaller pool could give another hub's result away."
            )
        return f"{name}: the pooled impact is hidden [c]: it would combine too few hubs."
    return (
        f"{name}: pooled over {int(row['k'])} hubs, the impact against comparison groups is "
        f"Hedges' g {float(row['estimate']):.2f} (95% CI {float(row['ci_low']):.2f} to "
        f"{float(row['ci_high']):.2f}, Knapp-Hartung)."
    )


def mdes_sentence(result: Mdes) -> str:
    """What a planned design could detect, in one sentence (the MDES planner).

    Examples
    --------
    >>> from evaluation.stats.mdes import design_mdes
    >>> print(mdes_sentence(design_mdes(40, 25, 0.15, 0.5, 0.5)))
    With 40 schools or Work Groups of 25 people, half in the programme, this design could reliably detect an impact of 0.28 standard deviations or more (80% power, 5% two-sided).
    >>> mdes_sentence(design_mdes(2, 25, 0.15))[:40]
    'With 2 clusters the smallest detectable '
    """  # noqa: E501
    if not is_number(result.mdes):
        return (
            f"With {int(result.clusters)} clusters the smallest detectable impact cannot be "
            "worked out: at least 3 schools or Work Groups are needed."
        )
    share = "half" if abs(result.share - 0.5) < 1e-9 else f"{result.share:.0%}"
    return (
        f"With {int(result.clusters)} schools or Work Groups of {result.per_cluster:g} people, "
        f"{share} in the programme, this design could reliably detect an impact of "
        f"{result.mdes:.2f} standard deviations or more ({result.power:.0%} power, "
        f"{result.alpha:.0%} two-sided)."
    )
