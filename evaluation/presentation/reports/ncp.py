"""The national project report: one project (NCP) across every hub, for the national team.

Pure: frames in, :class:`~evaluation.presentation.reports.document.Document` out.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pandas as pd

from evaluation import columns as c
from evaluation.access import Viewer
from evaluation.analysis.national import POOLING_METHOD
from evaluation.presentation import readings
from evaluation.presentation.charts.national import forest_plot, funnel_plot
from evaluation.presentation.reports.appendix import (
    facts,
    methods_section,
    provenance_section,
    suppression_section,
)
from evaluation.presentation.reports.document import (
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
    fmt_ci,
    fmt_count,
    num,
    outcome_label,
    untitled,
)
from evaluation.presentation.reports.model import (
    SYNTHETIC_BANNER,
    Analysis,
    ReportInputs,
    Scope,
    SuppressionNotes,
)
from evaluation.presentation.reports.sections import (
    headline_parts,
    impact_section,
    likert_parts,
    open_text_parts,
    participation_table,
    pupil_section,
)
from evaluation.presentation.reports.themes import themes_section
from evaluation.presentation.reports.trends import trend_parts
from evaluation.stats.national import hub_effects, pool_hubs

__all__ = ["ncp_document"]


def ncp_document(
    inputs: ReportInputs,
    analysis: Analysis,
    scope: Scope,
    *,
    viewer: Viewer,
    generated: datetime | None = None,
) -> Document:
    """The national report for one project (NCP) across all hubs, as a document.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> frame = pd.DataFrame({"respondent_id": list("abcdef") * 2,
    ...     "phase": ["pre"] * 6 + ["post"] * 6, "academic_year": "2024/25",
    ...     "hub": "Solent Maths Hub", "ncp": "Mastering Number at KS2", "work_group": "W",
    ...     "school_urn": 100001, "conf_1": [2.0, 3, 2, 3, 2, 4, 4, 4, 3, 5, 3, 4]})
    >>> from evaluation.presentation.reports.model import analyse
    >>> inputs = ReportInputs(frame, default_instrument())
    >>> doc = ncp_document(inputs, analyse(inputs), Scope("2024/25", ncp="Mastering Number at KS2"),
    ...                    viewer=Viewer.national())
    >>> doc.title
    'Mastering Number at KS2: national project report 2024/25'
    """
    generated = generated or datetime.now(UTC)
    min_n = analysis.min_n
    instrument = inputs.instrument
    notes = SuppressionNotes()
    frame = scope.rows(inputs.surveys)
    pupils = scope.rows(inputs.pupils) if inputs.pupils is not None else None
    sections: list[Section] = []

    participation, totals = participation_table(
        frame, instrument, by=c.HUB, label="Hub", min_n=min_n, notes=notes
    )
    impact = impact_section(
        frame, instrument, pupils, min_n=min_n, where=str(scope.ncp), pool=True, viewer=viewer
    )
    headline, summary, _ = headline_parts(
        frame,
        instrument,
        min_n=min_n,
        notes=notes,
        totals=totals,
        projects_label="hubs",
        impact=impact is not None,
    )
    if impact is not None:  # the report leads with impact where it exists, as the hub pack does
        sections.append(impact)
    sections.append(Section("headline", "Headline results", tuple(headline)))
    sections.append(
        Section(
            "participation",
            "Participation",
            (
                Paragraph("Who took part this year, hub by hub."),
                participation,
            ),
        )
    )
    sections.append(
        Section(
            "answers",
            "How people answered",
            tuple(likert_parts(frame, instrument, min_n=min_n, where=str(scope.ncp))),
        )
    )

    year_rows = analysis.paired[
        analysis.paired[c.ACADEMIC_YEAR].astype(str).eq(scope.academic_year)
        & analysis.paired[c.NCP].astype(str).eq(scope.ncp)
    ]
    compare_parts: list[Part] = [
        Paragraph(
            "Each hub's standardised change with its 95% confidence interval, and the pooled "
            "national value (random effects). Hubs are not ranked: the funnel plots show which "
            "differ from the national value by more than chance, allowing for their size."
        )
    ]
    pooled_rows = []
    for construct in instrument.constructs:
        hubs = hub_effects(year_rows, outcome=construct, ncp=scope.ncp, min_n=min_n)
        if hubs.empty:
            continue
        pooled = pool_hubs(hubs, effect="d_z", method=POOLING_METHOD)
        pooled_rows.append({c.ITEM: construct, **pooled.to_dict()})
        if construct == instrument.constructs[0]:
            notes.count("Hubs compared", hubs, what="hubs")
        compare_parts.append(Heading(outcome_label(construct)))
        compare_parts.append(
            Chart(
                fit_page(untitled(forest_plot(hubs, pooled))),
                caption=f"{outcome_label(construct)}: each hub and the pooled value",
                reading=" ".join(
                    readings.pooled_reading(
                        pooled, outcome=construct, ncp=str(scope.ncp), min_n=min_n, hubs=hubs
                    )
                ),
                name=f"forest_{construct}",
            )
        )
        if int(num(pooled["k"]) or 0) >= 3:
            compare_parts.append(
                Chart(
                    untitled(funnel_plot(hubs, pooled), height=420),
                    caption=f"{outcome_label(construct)}: funnel plot",
                    reading=(
                        "Hubs inside the dashed lines differ from the national value by no more "
                        "than chance would explain for their size."
                    ),
                    name=f"funnel_{construct}",
                )
            )
    if pooled_rows:
        pooled_table = pd.DataFrame(pooled_rows)
        compare_parts.insert(
            1,
            Table(
                frame=pd.DataFrame(
                    {
                        "Outcome": [outcome_label(i) for i in pooled_table[c.ITEM]],
                        "Pooled d_z": [fmt(v) for v in pooled_table["estimate"]],
                        "95% CI": [
                            fmt_ci(lo, hi)
                            for lo, hi in zip(
                                pooled_table["ci_low"], pooled_table["ci_high"], strict=True
                            )
                        ],
                        "Prediction interval": [
                            fmt_ci(lo, hi)
                            for lo, hi in zip(
                                pooled_table["pi_low"], pooled_table["pi_high"], strict=True
                            )
                        ],
                        "Hubs pooled": [fmt_count(v) for v in pooled_table["k"]],
                        "Hubs hidden": [fmt_count(v) for v in pooled_table["k_suppressed"]],
                        "People": [fmt_count(v) for v in pooled_table["n_respondents"]],
                        "I²": [
                            DASH if not math.isfinite(num(v)) else f"{num(v):.0f}%"
                            for v in pooled_table["i2"]
                        ],
                    }
                ),
                caption="National pooled values",
                name="national_pooled",
                data=pooled_table,
                numeric=(
                    "Pooled d_z",
                    "95% CI",
                    "Prediction interval",
                    "Hubs pooled",
                    "Hubs hidden",
                    "People",
                    "I²",
                ),
                notes=(
                    "Prediction interval: where a new hub's true effect would probably lie. "
                    "I²: share of the variation between hubs that is not chance.",
                ),
            ),
        )
    sections.append(Section("hubs", "Hubs compared with the national value", tuple(compare_parts)))
    sections.append(
        Section(
            "trends",
            "Trends across years",
            tuple(trend_parts(analysis, scope, instrument, notes, viewer)),
        )
    )
    pupils_part = pupil_section(pupils, scope, min_n=min_n, notes=notes, where=str(scope.ncp))
    if pupils_part is not None:
        sections.append(pupils_part)
    themes = themes_section(frame, viewer=viewer, min_n=min_n)
    if themes is not None:
        sections.append(themes)
    text_parts, _quotes = open_text_parts(frame, viewer=viewer, min_n=min_n, notes=notes)
    if text_parts:
        sections.append(Section("voices", "In participants' words", tuple(text_parts)))
    sections.append(methods_section(instrument, min_n=min_n, kind="ncp"))
    sections.append(provenance_section(inputs, frame, pupils, kind="ncp"))
    sections.append(suppression_section(notes, min_n=min_n))
    return Document(
        title=f"{scope.ncp}: national project report {scope.academic_year}",
        # "Impact" only when the report has impact against a comparison group; else change.
        subtitle=(
            f"{'Impact and change' if impact is not None else 'Change'} across all Maths Hubs: "
            "teachers' surveys and pupils' scores"
        ),
        facts=facts(scope, viewer, inputs, min_n, generated),
        sections=tuple(sections),
        banner=SYNTHETIC_BANNER if inputs.synthetic else None,
        footer=f"{scope.ncp} · national report {scope.academic_year}",
    )
