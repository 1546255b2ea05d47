"""Board pack sections every report has: headline, participation, answers, pupils, voices.

Pure: frames in, document parts out. Numbers come from :mod:`evaluation.stats` and
:mod:`evaluation.analysis`, sentences from :mod:`evaluation.presentation.readings`.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence

import pandas as pd

from evaluation import columns as c
from evaluation.access import Viewer
from evaluation.analysis.impact import (
    ImpactAnalysis,
    change_security,
    has_comparison,
    impact_display,
    national_impact,
    pupil_impact_analysis,
    survey_impact_analysis,
)
from evaluation.analysis.pupils import national_mtc
from evaluation.analysis.survey import compare_clustered, likert_distribution
from evaluation.instruments import Instrument
from evaluation.presentation import readings
from evaluation.presentation.charts.impact import impact_chart
from evaluation.presentation.charts.pupils import full_marks_chart, score_distribution_chart
from evaluation.presentation.charts.survey import construct_change_chart, label_sets, likert_bars
from evaluation.presentation.readings.impact import (
    NO_COMPARISON_NOTE,
    TOO_FEW_HUBS_NOTE,
    change_evidence_line,
    impact_readings,
    named_keys,
    no_comparison,
    pooled_impact_reading,
)
from evaluation.presentation.reports.document import (
    Chart,
    Heading,
    KeyFigures,
    Paragraph,
    Part,
    Section,
    Table,
)
from evaluation.presentation.reports.formatting import (
    DASH,
    fmt,
    fmt_ci,
    fmt_count,
    num,
    outcome_label,
    slug,
    untitled,
)
from evaluation.presentation.reports.model import Scope, SuppressionNotes
from evaluation.privacy import scrub_emails
from evaluation.stats.attrition import attrition
from evaluation.stats.disclosure import (
    SUPPRESSED_SYMBOL,
    display_table,
    secondary_suppress,
    suppress,
)
from evaluation.stats.participation import participation_counts
from evaluation.stats.pupils import pupil_change, pupil_summary, score_distribution
from evaluation.stats.scoring import to_long

__all__ = [
    "QUOTES_PER_QUESTION",
    "QUOTE_MIN_WORDS",
    "RESULT_NUMERIC",
    "disclosure_n",
    "headline_parts",
    "impact_section",
    "likert_parts",
    "long_rows",
    "open_text_parts",
    "participation_table",
    "pooled_impact_parts",
    "pupil_section",
    "results_rows",
    "suppressed_results",
]

# Open-text answers quoted per question (chosen by a stable hash, so the same data gives the
# same quotes), and the fewest words an answer needs to be worth quoting.
QUOTES_PER_QUESTION = 6
QUOTE_MIN_WORDS = 3


def long_rows(frame: pd.DataFrame, instrument: Instrument, keys: Sequence[str]) -> pd.DataFrame:
    """Long rows (items and construct scores) of a wide survey frame, keyed by ``keys``.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> frame = pd.DataFrame({"respondent_id": list("abcdef") * 2,
    ...     "phase": ["pre"] * 6 + ["post"] * 6, "academic_year": "2024/25", "hub": "A",
    ...     "ncp": "P", "work_group": "W", "school_urn": 100001,
    ...     "conf_1": [2.0, 3, 2, 3, 2, 4, 4, 4, 3, 5, 3, 4]})
    >>> sorted(long_rows(frame, default_instrument(), ())["item"].unique())
    ['conf_1', 'confidence']
    """
    return to_long(frame, instrument, keys=tuple(keys), constructs=True)


def disclosure_n(results: pd.DataFrame) -> pd.Series:
    """The count that decides suppression: matched people (paired) or the smaller phase."""
    paired = results.get("design", pd.Series("paired", index=results.index)).eq("paired")
    smaller = results[["n_pre", "n_post"]].min(axis=1)
    return results["n_paired"].where(paired, smaller).astype(float)


def suppressed_results(results: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """A results table with rows under ``min_n`` people blanked and flagged (``[c]``).

    Examples
    --------
    >>> t = pd.DataFrame({"item": ["confidence"], "design": "paired", "n_pre": [4],
    ...     "n_post": [4], "n_paired": [4], "mean_change": [0.5]})
    >>> suppressed_results(t, 10)["suppressed"].tolist()
    [True]
    """
    table = results.assign(n_disclosure=disclosure_n(results))
    return suppress(table, n_col="n_disclosure", min_n=min_n)


def results_rows(results: pd.DataFrame, *, label_col: str | None = None) -> pd.DataFrame:
    """Display rows for a suppressed results table: one line per outcome."""
    shown = display_table(results)
    out: dict[str, list[str]] = {}
    if label_col:
        out["Project"] = shown[label_col].astype(str).tolist()
    out["Outcome"] = [outcome_label(i) for i in shown[c.ITEM]]
    design = shown.get("design", pd.Series("paired", index=shown.index))
    if design.ne("paired").any():
        out["Design"] = ["matched" if d == "paired" else "unmatched (weaker)" for d in design]
    out["People"] = [fmt_count(v) for v in shown["n_disclosure"]]
    out["Before"] = [fmt(v) for v in shown["mean_pre"]]
    out["After"] = [fmt(v) for v in shown["mean_post"]]
    out["Change"] = [fmt(v, sign=True) for v in shown["mean_change"]]
    out["95% CI"] = [
        fmt_ci(lo, hi) for lo, hi in zip(shown["ci_low"], shown["ci_high"], strict=True)
    ]
    out["Effect size (g)"] = [fmt(v) for v in shown["g_av"]]
    return pd.DataFrame(out)


RESULT_NUMERIC = ("People", "Before", "After", "Change", "95% CI", "Effect size (g)")


def participation_table(
    frame: pd.DataFrame,
    instrument: Instrument,
    *,
    by: str,
    label: str,
    min_n: int,
    notes: SuppressionNotes,
) -> tuple[Table, dict[str, int]]:
    """People, schools and Work Groups per project (hub report) or per hub (NCP report)."""
    counts_cols = ["n_pre", "n_post", "n_completers", "pct_retained"]
    per_group = attrition(frame, instrument, by=[by]).drop_duplicates(subset=[by])
    total = attrition(frame, instrument).iloc[[0]].assign(**{by: "All"})
    per_group_counts = participation_counts(frame, by=[by]).set_index(by)
    overall_counts = participation_counts(frame, by=[]).iloc[0]
    table = pd.concat([per_group[[by, *counts_cols]], total[[by, *counts_cols]]])
    table = table.reset_index(drop=True)
    for column in ("work_groups", "schools"):
        table[column] = [
            overall_counts[column] if g == "All" else per_group_counts.loc[g, column]
            for g in table[by]
        ]
    table["is_total"] = table[by].eq("All")
    # Answers without a participant code cannot be matched but still count as taking part.
    no_code = frame[frame[c.RESPONDENT_ID].isna()]
    for phase, column in (("pre", "n_pre"), ("post", "n_post")):
        rows = no_code[no_code[c.PHASE].eq(phase)]
        per = rows.groupby(by).size()
        table[column] = table[column].astype(float) + [
            float(len(rows)) if t else float(per.get(g, 0))
            for g, t in zip(table[by], table["is_total"], strict=True)
        ]
    # Who decides suppression: matched people, or (no codes) the smaller of before and after.
    table["n_disclosure"] = table["n_completers"].where(
        table["n_completers"].gt(0), table[["n_pre", "n_post"]].min(axis=1)
    )
    counts_cols = [*counts_cols, "n_disclosure"]
    hidden = suppress(table, n_col="n_disclosure", min_n=min_n, columns=counts_cols)
    # The "All" row is a total: protect a single hidden group from recovery by subtraction.
    hidden = secondary_suppress(
        hidden, total=[], n_col="n_disclosure", columns=counts_cols, keep=["is_total"]
    )
    groups = hidden[~hidden["is_total"]]
    notes.count(f"Participation by {label.lower()}", groups, what=f"{label.lower()} rows")
    shown = display_table(hidden)
    display = pd.DataFrame(
        {
            label: [
                ("All " + label.lower() + "s") if t else g
                for g, t in zip(shown[by], shown["is_total"], strict=True)
            ],
            "Work Groups": [fmt_count(v) for v in shown["work_groups"]],
            "Schools": [fmt_count(v) for v in shown["schools"]],
            "Answered before": [fmt_count(v) for v in shown["n_pre"]],
            "Answered after": [fmt_count(v) for v in shown["n_post"]],
            "Matched": [fmt_count(v) for v in shown["n_completers"]],
            "Retained": [
                v if isinstance(v, str) else (DASH if not math.isfinite(num(v)) else f"{v:.0f}%")
                for v in shown["pct_retained"]
            ],
        }
    )
    totals_row = hidden[hidden["is_total"]].iloc[0]
    totals = {
        "work_groups": int(totals_row["work_groups"]),
        "schools": int(totals_row["schools"]),
        "matched": int(num(totals_row["n_completers"])) if not totals_row["suppressed"] else -1,
        "groups": int((~hidden["is_total"]).sum()),
    }
    data = hidden.drop(columns=["is_total"]).rename(columns={by: label.lower()})
    return (
        Table(
            frame=display,
            caption=f"Participation by {label.lower()}",
            name=f"participation_by_{label.lower()}",
            data=data,
            numeric=(
                "Work Groups",
                "Schools",
                "Answered before",
                "Answered after",
                "Matched",
                "Retained",
            ),
            notes=(
                "Answered before / after: people who answered the first / second survey. "
                "Matched: answered both with the same participant code, so their own change can "
                "be measured. Retained: matched as a share of those who answered before.",
                f"{SUPPRESSED_SYMBOL}: fewer than {min_n} people; hidden to protect "
                "individuals (and, where needed, one more row so it cannot be worked out from "
                "the total).",
            ),
        ),
        totals,
    )


def likert_parts(
    frame: pd.DataFrame, instrument: Instrument, *, min_n: int, where: str
) -> list[Part]:
    """The answer charts (one per label set), or a note when too few people answered.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> frame = pd.DataFrame({"respondent_id": list("abcdef") * 2,
    ...     "phase": ["pre"] * 6 + ["post"] * 6, "academic_year": "2024/25", "hub": "A",
    ...     "ncp": "P", "work_group": "W", "school_urn": 100001,
    ...     "conf_1": [2.0, 3, 2, 3, 2, 4, 4, 4, 3, 5, 3, 4]})
    >>> [type(p).__name__ for p in likert_parts(frame, default_instrument(), min_n=10,
    ...                                          where="A")]
    ['Paragraph']
    """
    long = long_rows(frame, instrument, keys=())
    long = long[long[c.ITEM].isin(instrument.item_ids)]
    responses = frame[c.PHASE].value_counts()
    if len(responses) < 2 or int(responses.min()) < min_n:
        return [
            Paragraph(
                f"Answer charts are not shown: fewer than {min_n} people answered each survey.",
                kind="note",
            )
        ]
    distribution = likert_distribution(long, instrument)
    parts: list[Part] = []
    for label_set in label_sets(instrument):
        if not distribution["label_set"].eq(label_set).any():
            continue
        figure = likert_bars(distribution, instrument, label_set=label_set)
        parts.append(
            Chart(
                figure,
                caption=f"How people answered each question before and after ({where})",
                reading=(
                    "Bars right of the centre line are agreeing answers, left are disagreeing; "
                    "questions with the most agreement afterwards are at the top."
                ),
                name=f"likert_{label_set}",
            )
        )
    return parts


def open_text_parts(
    frame: pd.DataFrame, *, viewer: Viewer, min_n: int, notes: SuppressionNotes
) -> tuple[list[Part], pd.DataFrame | None]:
    """A few open-text answers, quoted exactly (emails removed), when enough people answered.

    Examples
    --------
    >>> from evaluation.access import Viewer
    >>> from evaluation.presentation.reports.model import SuppressionNotes
    >>> frame = pd.DataFrame({"respondent_id": ["a", "b"], "text_why": ["I liked it a lot"] * 2})
    >>> notes = SuppressionNotes()
    >>> open_text_parts(frame, viewer=Viewer.national(), min_n=10, notes=notes)
    ([], None)
    >>> notes.lines
    ['Open-text answers: not quoted, fewer than 10 people answered.']
    """
    columns = [col for col in frame.columns if str(col).startswith("text_")]
    if not columns:
        return [], None
    if not viewer.sees_open_text:
        return [Paragraph("Open-text answers are not shown for your role.", kind="note")], None
    people = frame[c.RESPONDENT_ID].nunique()
    if people < min_n:
        notes.add(f"Open-text answers: not quoted, fewer than {min_n} people answered.")
        return [], None
    parts: list[Part] = [
        Paragraph(
            "A few answers, quoted exactly as written and chosen at random (the same ones each "
            "time for the same data). Email addresses are removed.",
            kind="note",
        )
    ]
    quoted = []
    for column in columns:
        answers = scrub_emails(frame[column].dropna().astype(str).str.strip())
        answers = answers[answers.str.split().str.len().ge(QUOTE_MIN_WORDS)].drop_duplicates()
        if answers.empty:
            continue
        order = sorted(answers, key=lambda t: hashlib.sha256(t.encode("utf-8")).hexdigest())
        picked = order[:QUOTES_PER_QUESTION]
        question = outcome_label(str(column).removeprefix("text_"))
        parts.append(
            Table(
                frame=pd.DataFrame({"What participants wrote": picked}),
                caption=question,
                name=f"open_text_{slug(question)}",
            )
        )
        quoted += [{"question": question, "answer": text} for text in picked]
    if not quoted:
        return [], None
    return parts, pd.DataFrame(quoted)


def pupil_section(
    pupils: pd.DataFrame | None, scope: Scope, *, min_n: int, notes: SuppressionNotes, where: str
) -> Section | None:
    """The pupil outcomes section (MTC scores before and after), None without pupil rows.

    Examples
    --------
    >>> from evaluation.presentation.reports.model import Scope, SuppressionNotes
    >>> pupil_section(None, Scope("2024/25", hub="A"), min_n=5, notes=SuppressionNotes(),
    ...               where="A") is None
    True
    """
    if pupils is None or pupils.empty:
        return None
    rows = scope.rows(pupils)
    if rows.empty:
        return None
    change = pupil_change(rows)
    change = suppress(change, n_col="n_paired", min_n=min_n)
    notes.count("Pupil outcomes", change, what="result")
    row = change.iloc[0]
    parts: list[Part] = []
    if row["suppressed"]:
        parts.append(
            Paragraph(
                f"{SUPPRESSED_SYMBOL} Pupil results are hidden: fewer than {min_n} pupils have "
                "both scores.",
                kind="note",
            )
        )
        return Section("pupils", "Pupil outcomes (Multiplication Tables Check)", tuple(parts))
    parts.append(
        KeyFigures(
            (
                (fmt_count(row["n_paired"]), "pupils with both scores"),
                (fmt_count(row["n_schools"]), "schools"),
                (fmt(row["mean_pre"], 1), "mean score before (of 25)"),
                (fmt(row["mean_post"], 1), "mean score after (of 25)"),
            )
        )
    )
    reading = readings.pupil_reading(row)
    if reading:
        parts.append(Paragraph(reading, kind="reading"))
    summary = pupil_summary(rows, by=())
    summary = suppress(summary, n_col="n", min_n=min_n)
    shown = display_table(summary)
    parts.append(
        Table(
            frame=pd.DataFrame(
                {
                    "Phase": [{"pre": "Before", "post": "After"}.get(p, p) for p in shown[c.PHASE]],
                    "Pupils": [fmt_count(v) for v in shown["n"]],
                    "Mean": [fmt(v, 1) for v in shown["mean"]],
                    "Median": [fmt(v, 1) for v in shown["median"]],
                    "Full marks (25)": [
                        v if isinstance(v, str) else f"{num(v):.0f}%"
                        for v in shown["pct_full_marks"]
                    ],
                    "20 or more": [
                        v if isinstance(v, str) else f"{num(v):.0f}%" for v in shown["pct_20_plus"]
                    ],
                }
            ),
            caption=f"Multiplication Tables Check scores ({where})",
            name="pupil_summary",
            data=summary,
            numeric=("Pupils", "Mean", "Median", "Full marks (25)", "20 or more"),
        )
    )
    national = national_mtc(scope.academic_year)
    has_national = national.published
    national_mean = national.mean_score
    national_pct = national.pct_full_marks
    if not summary["suppressed"].any():
        parts.append(
            Chart(
                untitled(
                    score_distribution_chart(
                        score_distribution(rows),
                        national_mean=national_mean,
                        national_year=scope.academic_year if has_national else None,
                    )
                ),
                caption="Share of pupils at each mark, before and after",
                reading="Bars further right are higher marks; the dashed line is the national "
                "average for the year.",
                name="pupil_scores",
            )
        )
        parts.append(
            Chart(
                untitled(
                    full_marks_chart(
                        summary,
                        national_pct=national_pct if national_pct == national_pct else None,
                        national_year=scope.academic_year if has_national else None,
                    )
                ),
                caption="Pupils with full marks (25 out of 25)",
                name="pupil_full_marks",
            )
        )
    change_display = pd.DataFrame(
        {
            "Change": [fmt(row["mean_change"], 2, sign=True)],
            "95% CI (school-clustered)": [fmt_ci(row["ci_low"], row["ci_high"])],
            "Effect size (g_av)": [fmt(row["g_av"])],
            "Mean after": [fmt(row.get("mean_post"), 1)],
            "National mean (year)": [fmt(row.get("national_mean"), 1)],
            "After minus national": [fmt(row.get("diff_from_national"), 1, sign=True)],
        }
    )
    parts.append(
        Table(
            frame=change_display,
            caption="Change in pupils' scores",
            name="pupil_change",
            data=change,
            numeric=tuple(change_display.columns),
            notes=(readings.MONTHS_NOT_SHOWN,),
        )
    )
    return Section("pupils", "Pupil outcomes (Multiplication Tables Check)", tuple(parts))


def headline_parts(
    frame: pd.DataFrame,
    instrument: Instrument,
    *,
    min_n: int,
    notes: SuppressionNotes,
    totals: dict[str, int],
    projects_label: str,
    impact: bool = False,
) -> tuple[list[Part], list[str], pd.DataFrame]:
    """Key figures, the construct results table with readings, and the change chart.

    The change's evidence-strength line follows the readings and, when the report has no
    impact section (``impact`` False), the note saying what impact needs.
    """
    long = long_rows(frame, instrument, keys=(c.WORK_GROUP,))
    results = compare_clustered(long, by=(), constructs=instrument.constructs)
    results = results[results[c.ITEM].isin(instrument.constructs)].reset_index(drop=True)
    results = suppressed_results(results, min_n)
    notes.count("Headline results", results, what="outcomes")
    matched = totals.get("matched", -1)
    parts: list[Part] = [
        KeyFigures(
            (
                (fmt_count(totals["groups"]), projects_label),
                (fmt_count(totals["work_groups"]), "Work Groups"),
                (fmt_count(totals["schools"]), "schools"),
                (SUPPRESSED_SYMBOL if matched < 0 else fmt_count(matched), "matched participants"),
            )
        )
    ]
    summary = readings.result_readings(results, instrument)
    parts += [Paragraph(text, kind="reading") for text in summary]
    parts.append(Paragraph(change_evidence_line(change_security(results)), kind="note"))
    if not impact:
        parts.append(Paragraph(NO_COMPARISON_NOTE, kind="note"))
    parts.append(
        Table(
            frame=results_rows(results),
            caption="Change in each outcome (all participants)",
            name="headline_results",
            data=results,
            numeric=RESULT_NUMERIC,
            notes=(
                f"Scores run from {instrument.scale_min} to {instrument.scale_max}. Change = after "
                "minus before for matched people; 95% CI = the range the true change probably "
                "lies in.",
            ),
        )
    )
    shown = results[~results["suppressed"]]
    if len(shown):
        parts.append(
            Chart(
                untitled(construct_change_chart(shown, instrument)),
                caption="Mean change in each outcome, with 95% confidence intervals",
                reading=(
                    "A dot right of the dotted line is a rise; if its bar does not cross the "
                    "line, the rise is unlikely to be chance."
                ),
                name="construct_change",
            )
        )
    return parts, summary, results


def _impact_views(
    frame: pd.DataFrame, instrument: Instrument, pupils: pd.DataFrame | None
) -> list[tuple[str, pd.DataFrame, Callable[[pd.DataFrame, list[str]], ImpactAnalysis], str]]:
    """(what, rows, analysis, points) for each kind of rows that holds a comparison group."""
    views: list[tuple[str, pd.DataFrame, Callable[..., ImpactAnalysis], str]] = []
    if has_comparison(frame):
        views.append(
            (
                "teachers' answers",
                frame,
                lambda rows, by: survey_impact_analysis(rows, instrument, by=by),
                "points",
            )
        )
    if pupils is not None and has_comparison(pupils):
        views.append(
            ("pupils' scores", pupils, lambda rows, by: pupil_impact_analysis(rows, by=by), "marks")
        )
    return views


def pooled_impact_parts(
    rows: pd.DataFrame,
    analysis: Callable[[pd.DataFrame, list[str]], ImpactAnalysis],
    *,
    by: Sequence[str],
    what: str,
    min_n: int,
    viewer: Viewer | None = None,
) -> list[Part]:
    """Each hub's impact pooled across hubs (Knapp-Hartung): readings and a table, or the note.

    ``analysis(rows, by)`` is the impact analysis of the rows (pupils or surveys); it is run per
    hub and the hubs' Hedges' g pooled by :func:`evaluation.analysis.national_impact` (a hub
    whose smaller arm has fewer than ``min_n`` people is not pooled).

    Examples
    --------
    >>> rows = pd.DataFrame({"hub": ["A"], "score": [1.0]})
    >>> parts = pooled_impact_parts(rows, lambda r, by: pupil_impact_analysis(r, by=by),
    ...                             by=[], what="pupils' scores", min_n=5)
    >>> [type(p).__name__ for p in parts]
    ['Heading', 'Paragraph']
    """
    by = list(by)
    per_hub = analysis(rows, [c.HUB, *by]).table if c.HUB in rows else pd.DataFrame()
    pooled = national_impact(per_hub, by=[*by, "outcome"], viewer=viewer, min_n=min_n)
    parts: list[Part] = [Heading(f"Impact on {what}, pooled across hubs")]
    if pooled.empty:
        return [*parts, Paragraph(TOO_FEW_HUBS_NOTE, kind="note")]
    named = named_keys(pooled, by)
    parts += [
        Paragraph(pooled_impact_reading(row, by=named), kind="reading")
        for _, row in pooled.iterrows()
    ]
    shown = display_table(pooled)
    display = pd.DataFrame(
        {
            **{k.replace("_", " ").capitalize(): shown[k].astype(str) for k in named},
            "Outcome": [outcome_label(v) for v in shown["outcome"]],
            "Hubs pooled": [fmt_count(v) for v in shown["k"]],
            "Hubs not pooled (too few people)": [fmt_count(v) for v in shown["k_suppressed"]],
            "Pooled Hedges' g": [fmt(v) for v in shown["estimate"]],
            "95% CI (Knapp-Hartung)": [
                fmt_ci(lo, hi) for lo, hi in zip(shown["ci_low"], shown["ci_high"], strict=True)
            ],
        }
    )
    parts.append(
        Table(
            frame=display,
            caption=f"Impact against comparison groups pooled across hubs: {what}",
            name=f"pooled_impact_{slug(what)}",
            data=pooled,
            numeric=tuple(display.columns[len(named) + 1 :]),
            notes=(
                "Each hub's impact (Hedges' g against its comparison group) combined with random "
                "effects; the 95% interval uses the Knapp-Hartung adjustment, honest with few "
                f"hubs. A hub whose smaller group has fewer than {min_n} people is not pooled.",
            ),
        )
    )
    return parts


def impact_section(
    frame: pd.DataFrame,
    instrument: Instrument,
    pupils: pd.DataFrame | None,
    *,
    min_n: int,
    where: str,
    pool: bool = False,
    viewer: Viewer | None = None,
) -> Section | None:
    """Impact against a comparison group (surveys and pupils), when the rows hold one.

    One model per project and year; an arm with fewer than ``min_n`` people is hidden [c].
    With ``pool`` (a project's national report), each hub's impact pooled across hubs follows
    (:func:`pooled_impact_parts`). None when neither the surveys nor the pupils hold a
    comparison group: then :data:`NO_COMPARISON_NOTE` goes beside the headline change.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> frame = pd.DataFrame({"respondent_id": ["a", "a"], "phase": ["pre", "post"],
    ...     "conf_1": [2.0, 4.0]})
    >>> impact_section(frame, default_instrument(), None, min_n=5, where="A") is None
    True
    """
    views = _impact_views(frame, instrument, pupils)
    if not views:
        return None
    parts: list[Part] = [
        Paragraph(
            f"What the programme did in {where}: the difference from a comparison group after "
            "allowing for where people started, with its evidence strength.",
            kind="lead",
        )
    ]
    for what, rows, analysis, points in views:
        by = [k for k in (c.NCP, c.ACADEMIC_YEAR) if k in rows]
        view = analysis(rows, by)
        table = view.table.assign(
            n_smaller=view.table[["n_intervention", "n_comparison"]].min(axis=1)
        )
        table = suppress(table, n_col="n_smaller", min_n=min_n, keep=["outcome", *by])
        shown = table[~table["suppressed"]]
        # Groups with no comparison group are counted in one line (hidden [c] or not).
        read = pd.concat([shown, view.table[no_comparison(view.table) & table["suppressed"]]])
        named = named_keys(read, by)  # the project too when there are two or more
        parts.append(Heading(f"Impact on {what}"))
        parts += [
            Paragraph(text, kind="reading")
            for text in impact_readings(read, unit=view.unit, points=points, by=named)
        ]
        parts.append(
            Table(
                frame=display_table(impact_display(table, by), digits=3),
                caption=f"Impact against the comparison group: {what}",
                name=f"impact_{slug(what)}",
                data=impact_display(table, by),
            )
        )
        drawn = shown[pd.to_numeric(shown["estimate"], errors="coerce").notna()]
        if len(drawn):
            parts.append(
                Chart(
                    untitled(impact_chart(drawn, by=named)),
                    caption=f"Impact against the comparison group, with 95% CIs: {what}",
                    reading="A dot right of the dotted line is a gain over the comparison group.",
                    name=f"impact_{slug(what)}",
                )
            )
        if pool:
            parts += pooled_impact_parts(
                rows, analysis, by=by, what=what, min_n=min_n, viewer=viewer
            )
    return Section("impact", "Impact against comparison", tuple(parts))
