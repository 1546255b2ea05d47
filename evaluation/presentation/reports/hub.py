"""The hub board pack: the hub's own results, and the hub beside the national pooled value.

Pure: frames in, :class:`~evaluation.presentation.reports.document.Document` out. Other hubs'
rows enter only through national pooled values (:func:`evaluation.analysis.hub_beside_national`,
the table the dashboard's hub page shows too); no other hub's row, count or text is in it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

from evaluation import columns as c
from evaluation.access import Viewer
from evaluation.analysis.hub import HUB_VALUES, hub_beside_national
from evaluation.analysis.national import national_overview
from evaluation.analysis.survey import compare_clustered
from evaluation.instruments import Instrument
from evaluation.presentation import readings
from evaluation.presentation.charts.hub import hub_against_national
from evaluation.presentation.reports.appendix import (
    facts,
    methods_section,
    provenance_section,
    suppression_section,
)
from evaluation.presentation.reports.document import (
    BulletList,
    Chart,
    Document,
    Heading,
    Paragraph,
    Part,
    Section,
    Table,
)
from evaluation.presentation.reports.formatting import (
    DASH,
    fit_page,
    fmt,
    fmt_count,
    outcome_label,
    slug,
)
from evaluation.presentation.reports.model import (
    SYNTHETIC_BANNER,
    Analysis,
    ReportInputs,
    Scope,
    SuppressionNotes,
)
from evaluation.presentation.reports.sections import (
    RESULT_NUMERIC,
    headline_parts,
    impact_section,
    likert_parts,
    long_rows,
    open_text_parts,
    participation_table,
    pupil_section,
    results_rows,
    suppressed_results,
)
from evaluation.presentation.reports.themes import themes_section
from evaluation.presentation.reports.trends import trend_parts
from evaluation.stats.disclosure import SUPPRESSED_SYMBOL

__all__ = ["comparison_display", "comparison_table", "hub_document"]


def comparison_table(
    analysis: Analysis, scope: Scope, instrument: Instrument, viewer: Viewer
) -> pd.DataFrame:
    """The hub beside the national pooled value, per project x construct, for ``viewer``.

    :func:`evaluation.analysis.hub_beside_national` over the shared paired results of the
    report's year: the hub's own rows, and the national values pooled over every hub that ran
    the hub's projects (:func:`evaluation.analysis.national_overview`).

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> frame = pd.DataFrame({"respondent_id": list("abcdef") * 2,
    ...     "phase": ["pre"] * 6 + ["post"] * 6, "academic_year": "2024/25",
    ...     "hub": "Solent Maths Hub", "ncp": "P",
    ...     "conf_1": [2.0, 3, 2, 3, 2, 4, 4, 4, 3, 5, 3, 4]})
    >>> from evaluation.presentation.reports.model import analyse
    >>> inputs = ReportInputs(frame, default_instrument())
    >>> table = comparison_table(analyse(inputs), Scope("2024/25", hub="Solent Maths Hub"),
    ...                          default_instrument(), Viewer.national())
    >>> table[["ncp", "item", "hub_n", "hubs_pooled"]].values.tolist()
    [['P', 'confidence', 6.0, 1]]
    """
    constructs = list(instrument.constructs)
    year_rows = analysis.paired[
        analysis.paired[c.ACADEMIC_YEAR].astype(str).eq(scope.academic_year)
    ]
    mine = year_rows[year_rows[c.HUB].astype(str).eq(scope.hub)]
    if scope.ncp:
        mine = mine[mine[c.NCP].astype(str).eq(scope.ncp)]
    ncps = sorted(mine[c.NCP].astype(str).unique().tolist())
    if not ncps:
        return pd.DataFrame()
    # Every project's national value of the year, once per analysis: pooling is per project x
    # outcome, so the hub's projects' rows are the same as when pooled on their own.
    everyone = analysis.shared(
        ("national_overview", scope.academic_year, tuple(constructs)),
        lambda: national_overview(year_rows, min_n=analysis.min_n, outcomes=constructs),
    )
    pooled = everyone[everyone[c.NCP].astype(str).isin(ncps)].reset_index(drop=True)
    return hub_beside_national(
        mine,
        pooled,
        hub=str(scope.hub),
        outcomes=constructs,
        viewer=viewer,
        min_n=analysis.min_n,
    )


def comparison_display(comparison: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """One row per project, one cell per outcome: hub vs national and the funnel reading.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> t = pd.DataFrame({"ncp": ["P"], "item": ["confidence"], "hub_estimate": [0.9],
    ...     "national_estimate": [0.4], "hub_suppressed": [False], "band": ["outside 95%"],
    ...     "hubs_pooled": [5]})
    >>> comparison_display(t, default_instrument()).iloc[0].tolist()
    ['P', '0.90 vs 0.40: above expected range (95%)', '5']
    """
    cells: dict[tuple[str, str], str] = {}
    for _, row in comparison.iterrows():
        reading = readings.band_reading(row)
        if row["hub_suppressed"]:
            text = reading
        else:
            national = (
                SUPPRESSED_SYMBOL
                if bool(row.get("national_suppressed", False))
                else fmt(row["national_estimate"])
            )
            text = f"{fmt(row['hub_estimate'])} vs {national}: {reading}"
        cells[(str(row[c.NCP]), str(row[c.ITEM]))] = text
    projects = list(dict.fromkeys(comparison[c.NCP].astype(str)))
    outcomes = [o for o in instrument.constructs if o in set(comparison[c.ITEM])]
    pooled = comparison.groupby(c.NCP, sort=False)["hubs_pooled"].max()
    out: dict[str, list[str]] = {"Project": projects}
    for outcome in outcomes:
        out[f"{outcome_label(outcome)}: hub vs national"] = [
            cells.get((p, outcome), DASH) for p in projects
        ]
    out["Hubs pooled"] = [fmt_count(pooled.get(p)) for p in projects]
    return pd.DataFrame(out)


def hub_document(
    inputs: ReportInputs,
    analysis: Analysis,
    scope: Scope,
    *,
    viewer: Viewer,
    generated: datetime | None = None,
) -> Document:
    """The hub board pack (optionally one project of the hub) as a document.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> frame = pd.DataFrame({"respondent_id": list("abcdef") * 2,
    ...     "phase": ["pre"] * 6 + ["post"] * 6, "academic_year": "2024/25",
    ...     "hub": "Solent Maths Hub", "ncp": "Mastering Number at KS2", "work_group": "W",
    ...     "school_urn": 100001, "conf_1": [2.0, 3, 2, 3, 2, 4, 4, 4, 3, 5, 3, 4]})
    >>> from evaluation.presentation.reports.model import analyse
    >>> inputs = ReportInputs(frame, default_instrument())
    >>> doc = hub_document(inputs, analyse(inputs), Scope("2024/25", hub="Solent Maths Hub"),
    ...                    viewer=Viewer.national())
    >>> doc.section_titles[:3]
    ('Headline results', 'Participation', 'Results by project')
    """
    generated = generated or datetime.now(UTC)
    min_n = analysis.min_n
    instrument = inputs.instrument
    notes = SuppressionNotes()
    frame = scope.rows(inputs.surveys)
    pupils = scope.rows(inputs.pupils) if inputs.pupils is not None else None
    sections: list[Section] = []

    participation, totals = participation_table(
        frame, instrument, by=c.NCP, label="Project", min_n=min_n, notes=notes
    )
    impact = impact_section(frame, instrument, pupils, min_n=min_n, where=str(scope.hub))
    headline, summary, _ = headline_parts(
        frame,
        instrument,
        min_n=min_n,
        notes=notes,
        totals=totals,
        projects_label="projects (NCPs)",
        impact=impact is not None,
    )
    if impact is not None:  # the board pack leads with impact where it exists
        sections.append(impact)
    sections.append(Section("headline", "Headline results", tuple(headline), new_page=True))
    sections.append(
        Section(
            "participation",
            "Participation",
            (
                Paragraph(
                    "Who took part this year, project by project: Work Groups, schools and "
                    "people who answered the surveys."
                ),
                participation,
            ),
        )
    )

    # Results by project: the hub's own results per NCP x construct (paired where possible).
    own = compare_clustered(
        long_rows(frame, instrument, keys=(c.NCP, c.WORK_GROUP)),
        by=[c.NCP],
        constructs=instrument.constructs,
    )
    own = own[own[c.ITEM].isin(instrument.constructs)]
    own = suppressed_results(own.reset_index(drop=True), min_n)
    notes.count("Results by project", own, what="project outcomes")
    by_project: list[Part] = [
        Paragraph(
            "Each project's change for matched participants, outcome by outcome, with a "
            "plain-English reading."
        )
    ]
    for project, rows in own.groupby(c.NCP, sort=True):
        rows = rows.reset_index(drop=True)
        by_project += [
            Heading(str(project)),
            Table(
                frame=results_rows(rows),
                caption=f"Change in each outcome: {project}",
                name=f"results_{slug(str(project))}",
                data=rows,
                numeric=RESULT_NUMERIC,
            ),
            BulletList(tuple(readings.result_readings(rows, instrument))),
        ]
    by_project += likert_parts(frame, instrument, min_n=min_n, where=f"{scope.hub}, all projects")
    sections.append(Section("projects", "Results by project", tuple(by_project)))

    comparison = comparison_table(analysis, scope, instrument, viewer)
    compare_parts: list[Part] = [
        Paragraph(
            "How the hub's change compares with the national pooled value for the same project "
            "and year. The national value combines every hub that ran the project (random "
            "effects); no other hub's result is shown."
        )
    ]
    if len(comparison):
        notes.count(
            "National comparison",
            comparison.rename(
                columns={
                    "hub_suppressed": "suppressed",
                    "hub_suppression_reason": "suppression_reason",
                }
            ),
            what="hub results",
        )
        notes.count(
            "National comparison",
            comparison.rename(
                columns={
                    "national_suppressed": "suppressed",
                    "national_suppression_reason": "suppression_reason",
                }
            ),
            what="national values",
        )
        compare_parts.append(
            Chart(
                fit_page(
                    hub_against_national(
                        comparison,
                        hub=str(scope.hub),
                        outcome_labels={k: outcome_label(k) for k in instrument.constructs},
                    )
                ),
                caption=f"{scope.hub} against the national pooled value, by project",
                reading=" ".join(
                    readings.hub_beside_national_reading(
                        comparison, hub=str(scope.hub), min_n=min_n
                    )
                ),
                name="hub_vs_national",
            )
        )
        display = comparison_display(comparison, instrument)
        data = comparison.copy()
        data.loc[data["hub_suppressed"], list(HUB_VALUES)] = np.nan
        compare_parts.append(
            Table(
                frame=display,
                caption="The hub beside the national pooled value",
                name="national_comparison",
                data=data,
                numeric=("Hubs pooled",),
                notes=(
                    "Each cell: this hub's standardised change d_z (mean change divided by the "
                    "spread of individual changes), the national pooled value, and whether the "
                    "hub lies within the range expected by chance: the funnel-plot limits around "
                    "the national value for a hub of its size (Spiegelhalter 2005). Outside "
                    "them (95% or 99.8% limits) the difference is unlikely to be chance.",
                    "The exported table has every confidence interval.",
                ),
            )
        )
    else:
        compare_parts.append(Paragraph("No matched results to compare this year.", kind="note"))
    sections.append(
        Section("national", "Comparison with the national picture", tuple(compare_parts))
    )

    sections.append(
        Section(
            "trends",
            "Trends across years",
            tuple(trend_parts(analysis, scope, instrument, notes, viewer)),
        )
    )
    pupils_part = pupil_section(pupils, scope, min_n=min_n, notes=notes, where=str(scope.hub))
    if pupils_part is not None:
        sections.append(pupils_part)
    themes = themes_section(frame, viewer=viewer, min_n=min_n)
    if themes is not None:
        sections.append(themes)
    text_parts, _quotes = open_text_parts(frame, viewer=viewer, min_n=min_n, notes=notes)
    if text_parts:
        sections.append(Section("voices", "In participants' words", tuple(text_parts)))
    sections.append(methods_section(instrument, min_n=min_n, kind="hub", viewer=viewer))
    sections.append(provenance_section(inputs, frame, pupils, kind="hub"))
    sections.append(suppression_section(notes, min_n=min_n, viewer=viewer))
    title = f"{scope.hub}: board pack {scope.academic_year}"
    # "Impact" only when the pack has impact against a comparison group; else it is change.
    measured = "Impact and change" if impact is not None else "Change"
    subtitle = (
        f"{measured} after professional development in {scope.ncp}"
        if scope.ncp
        else f"{measured} after the hub's professional development: teachers' surveys and "
        "pupils' scores"
    )
    return Document(
        title=title,
        subtitle=subtitle,
        facts=facts(scope, viewer, inputs, min_n, generated),
        sections=tuple(sections),
        banner=SYNTHETIC_BANNER if inputs.synthetic else None,
        footer=f"{scope.hub} · board pack {scope.academic_year}",
    )
