"""The back of every board pack: methods, data provenance, suppression notes, the facts box.

Pure: inputs in, document sections out.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from evaluation import columns as c
from evaluation.access import MIN_POOLED_HUBS, Viewer
from evaluation.analysis.national import POOLING_METHOD
from evaluation.instruments import Instrument
from evaluation.presentation.readings import MONTHS_NOT_SHOWN
from evaluation.presentation.readings.methods import effect_bands_text
from evaluation.presentation.reports.document import BulletList, Paragraph, Part, Section, Table
from evaluation.presentation.reports.formatting import DASH, fmt_count, outcome_label
from evaluation.presentation.reports.model import ReportInputs, Scope, SuppressionNotes
from evaluation.stats.disclosure import SUPPRESSED_SYMBOL
from schemas.reference import hubs

__all__ = [
    "THIN_POOL_NOTE",
    "facts",
    "methods_section",
    "provenance_section",
    "suppression_section",
]


def methods_section(
    instrument: Instrument, *, min_n: int, kind: str, viewer: Viewer | None = None
) -> Section:
    """The methods section: how every number in the pack is worked out, and the questions.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> methods_section(default_instrument(), min_n=10, kind="hub").title
    'Methods'
    """
    items = pd.DataFrame(
        {
            "Outcome": [outcome_label(item.construct) for item in instrument.items],
            "Question": [item.text for item in instrument.items],
            "Reverse-worded": ["yes" if item.reverse else "" for item in instrument.items],
        }
    )
    parts: list[Part] = [
        Paragraph(
            "Participants answer the same questions at the start (before) and the end (after) "
            "of their Work Group, on a "
            f"{instrument.scale_min} to {instrument.scale_max} scale. Each outcome score is the "
            "mean of its questions, after turning reverse-worded questions round so that a "
            "higher score is always better."
        ),
        Paragraph(
            "Change is measured for matched people: those whose before and after answers share "
            "a participant code. For them we report the mean before and after, the mean change "
            "with its 95% confidence interval (paired t; allowing for teachers in the same Work "
            "Group, cluster-robust CR1), and the effect size Hedges' g_av (the change over the "
            "average of the before and after standard deviations, Lakens 2013; its interval "
            f"from Bonett 2015), described as {effect_bands_text()} (Cohen 1988). Where no "
            "codes were collected, groups are compared unmatched (Welch's test), which is "
            "weaker and is labelled so."
        ),
        Paragraph(
            "National comparisons use each hub's standardised change d_z (mean change divided "
            "by the spread of individual changes) with its standard error, combined across hubs "
            f"by a random-effects model ({POOLING_METHOD}, Knapp-Hartung interval on k - 1 "
            "degrees of freedom): hubs are allowed to differ, and the pooled value is the "
            "average effect of the project. d_z is larger than g_av for the same data, so it "
            "is never called small, medium or large. "
            + (
                "A hub counts as different from the national value only if it lies outside the "
                "funnel-plot limits (95% and 99.8%, Spiegelhalter 2005), which allow for the "
                "size of the hub; a ranking is never used."
                if kind == "hub"
                else "The funnel plot shows which hubs differ by more than chance, allowing for "
                "their size (95% and 99.8% limits, Spiegelhalter 2005); a ranking is never used."
            )
            + (
                f" In this pack a national value pooling fewer than {MIN_POOLED_HUBS} hubs is "
                f"hidden ({SUPPRESSED_SYMBOL}) and national pools show no count of people "
                "(see the suppression notes)."
                if viewer is not None and not viewer.is_national
                else ""
            )
        ),
        Paragraph(
            "Pupil outcomes (Multiplication Tables Check, 0 to 25) compare the same pupils' "
            "scores before and after, with confidence intervals that allow for pupils being "
            "taught in the same school (cluster-robust standard errors), and the national "
            f"figure for the year where one is published. {MONTHS_NOT_SHOWN}"
        ),
        Paragraph(
            f"Small numbers: any result for fewer than {min_n} people is hidden and shown as "
            f"{SUPPRESSED_SYMBOL} (the Government Statistical Service symbol), and where a total "
            "is shown one more group may be hidden so the small one cannot be worked out."
        ),
        Table(
            frame=items,
            caption="The survey questions",
            name="instrument",
            data=instrument.to_table(),
        ),
    ]
    return Section("methods", "Methods", tuple(parts))


# How the provenance table says whether a dataset is the made-up sample or real uploads.
SYNTHETIC_DATA = "sample data (synthetic)"
REAL_DATA = "uploaded"


def provenance_section(
    inputs: ReportInputs, surveys: pd.DataFrame, pupils: pd.DataFrame | None, *, kind: str
) -> Section:
    """Which datasets (file, uploader, SHA-256) the numbers in the pack come from.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> inputs = ReportInputs(pd.DataFrame(), default_instrument())
    >>> provenance_section(inputs, pd.DataFrame(), None, kind="hub").parts[0].text
    'The data came from the project store; no dataset records were available.'
    """
    used: dict[int, int] = {}
    for frame in (surveys, pupils):
        if frame is not None and c.DATASET_ID in frame and len(frame):
            for dataset_id, n in frame[c.DATASET_ID].value_counts().items():
                used[int(dataset_id)] = used.get(int(dataset_id), 0) + int(n)
    parts: list[Part] = []
    datasets = inputs.datasets
    if datasets is None or datasets.empty or not used:
        parts.append(
            Paragraph(
                f"The data came from {inputs.source}; no dataset records were available.",
                kind="note",
            )
        )
        return Section("provenance", "Data provenance", tuple(parts))
    rows = datasets[datasets["dataset_id"].astype(int).isin(used)].copy()
    rows = rows.sort_values("dataset_id")
    uploaded = pd.to_datetime(rows["uploaded_at"], utc=True, errors="coerce")
    display = pd.DataFrame(
        {
            "Dataset": [str(int(v)) for v in rows["dataset_id"]],
            "File": rows["file_name"].astype(str).tolist(),
            "Kind": rows["kind"].astype(str).tolist(),
            "Uploaded (UTC)": [
                DASH if pd.isna(t) else t.strftime("%Y-%m-%d %H:%M") for t in uploaded
            ],
            "Uploaded by": rows["uploader"].astype(str).tolist(),
            "Data": [
                SYNTHETIC_DATA if flag is True else REAL_DATA
                for flag in (rows["synthetic"] if "synthetic" in rows else [False] * len(rows))
            ],
            "Rows used": [fmt_count(used[int(v)]) for v in rows["dataset_id"]],
            "Status": rows["status"].astype(str).tolist() if "status" in rows else DASH,
            "SHA-256": rows["sha256"].astype(str).tolist(),
        }
    )
    data = rows[
        [
            col
            for col in (
                "dataset_id",
                "file_name",
                "kind",
                "uploaded_at",
                "uploader",
                "status",
                "synthetic",
                "sha256",
            )
            if col in rows
        ]
    ].assign(rows_used=[used[int(v)] for v in rows["dataset_id"]])
    # Spreadsheets cannot hold time zones: export the upload time as UTC without one.
    data["uploaded_at"] = uploaded.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    data = data.rename(columns={"uploaded_at": "uploaded_at_utc"})
    parts.append(
        Paragraph(
            f"Every number in this report comes from the datasets below, held in {inputs.source}. "
            "The SHA-256 fingerprint identifies each file exactly: anyone with the file can check "
            "it is the one used. Rows used counts only the rows within this report."
        )
    )
    parts.append(
        Table(
            frame=display,
            caption="Datasets used",
            name="provenance",
            data=data.reset_index(drop=True),
            numeric=("Dataset", "Rows used"),
        )
    )
    if kind == "hub":
        parts.append(
            Paragraph(
                "National pooled values are computed from every hub's data for the same projects "
                "and years; only the pooled values appear here, never another hub's results.",
                kind="note",
            )
        )
    return Section("provenance", "Data provenance", tuple(parts))


THIN_POOL_NOTE = (
    f"National values in this pack: a national pooled value that combines fewer than "
    f"{MIN_POOLED_HUBS} hubs is shown as {SUPPRESSED_SYMBOL}, because with this hub's own result "
    "it would give away the other hub's. The number of people in a national pool is never shown "
    "here: taking this hub's count, or one pool's count, away from another would give other "
    "hubs' counts."
)


def suppression_section(
    notes: SuppressionNotes, *, min_n: int, viewer: Viewer | None = None
) -> Section:
    """The suppression notes: the small-number rule and what this pack hid.

    Examples
    --------
    >>> suppression_section(SuppressionNotes(), min_n=10).parts[0].text.split(":")[0]
    'Results for groups of fewer than 10 people are not shown'
    """
    parts: list[Part] = [
        Paragraph(
            f"Results for groups of fewer than {min_n} people are not shown: they appear as "
            f"{SUPPRESSED_SYMBOL} (Government Statistical Service symbol for confidential). "
            "Where a table shows a total, one more group may also be hidden so that a small group "
            "cannot be worked out by subtraction. Hidden groups are left out of pooled values."
        )
    ]
    if viewer is not None and not viewer.is_national:
        parts.append(Paragraph(THIN_POOL_NOTE))
    if notes.lines:
        parts.append(BulletList(tuple(notes.lines)))
    else:
        parts.append(Paragraph("Nothing in this report needed to be hidden.", kind="note"))
    return Section("suppression", "Suppression notes", tuple(parts))


def facts(
    scope: Scope, viewer: Viewer, inputs: ReportInputs, min_n: int, generated: datetime
) -> tuple[tuple[str, str], ...]:
    """The facts box on the cover: who and what the pack is about, when and for whom.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> inputs = ReportInputs(pd.DataFrame(), default_instrument())
    >>> box = facts(Scope("2024/25", ncp="P"), Viewer.national(), inputs, 10,
    ...             datetime(2025, 7, 1))
    >>> dict(box)["Small-number rule"]
    'groups under 10 people shown as [c]'
    """
    facts: list[tuple[str, str]] = []
    if scope.hub:
        facts.append(("Hub", scope.hub))
        region = hubs().set_index("name")["region"].get(scope.hub)
        if isinstance(region, str):
            facts.append(("Region", region))
        facts.append(("Projects", scope.ncp or "all projects the hub ran"))
    else:
        facts.append(("Project (NCP)", str(scope.ncp)))
        facts.append(("Coverage", "all hubs, nationally"))
    facts.append(("Academic year", scope.academic_year))
    facts.append(("Prepared for", f"{viewer.name} ({viewer.role} view)"))
    facts.append(("Generated", generated.strftime("%d %B %Y, %H:%M UTC")))
    facts.append(("Data", ("synthetic sample; " if inputs.synthetic else "") + inputs.source))
    facts.append(("Small-number rule", f"groups under {min_n} people shown as {SUPPRESSED_SYMBOL}"))
    return tuple(facts)
