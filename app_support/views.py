"""Page sections drawn on more than one page: a Work Group's survey impact, pupil outcomes.

Each section calls evaluation/ for every number and charts/ for every figure; it only lays out.
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

import app_support as ui
from evaluation import columns as c
from evaluation.instruments import Instrument
from evaluation.presentation.charts import survey as survey_charts


def survey_analysis(frame: pd.DataFrame, instrument: Instrument) -> dict[str, pd.DataFrame]:
    """Every table the impact section needs, from one wide survey frame (not cached here)."""
    from evaluation.stats.attrition import attrition
    from evaluation.stats.comparisons import compare
    from evaluation.stats.paired import individual_change
    from evaluation.stats.scoring import to_long

    long = to_long(frame, instrument)
    return {
        "results": compare(long, constructs=instrument.constructs),
        "distribution": survey_charts.likert_distribution(long, instrument),
        "changes": individual_change(long),
        "attrition": attrition(frame, instrument),
        "reliability": cronbach(frame, instrument),
    }


def impact_bundle(chosen: ui.Filters, work_group: str | None) -> dict:
    """Everything the impact page shows for the filters (and a Work Group), in one cacheable call.

    Returns ``{"instrument", "work_groups", "n_rows", "tables"}``; ``tables`` is None when the
    selection has no survey rows. Caching this (not the raw rows) keeps a cached page fast at
    national scale: the million survey rows are never copied out of the cache on a rerun.
    """
    frame, instrument = ui.surveys(chosen)
    groups = sorted(frame[c.WORK_GROUP].dropna().unique()) if c.WORK_GROUP in frame else []
    if work_group is not None:
        frame = frame[frame[c.WORK_GROUP].eq(work_group)]
    return {
        "instrument": instrument,
        "work_groups": [str(g) for g in groups],
        "n_rows": len(frame),
        "tables": survey_analysis(frame, instrument) if len(frame) else None,
    }


def cronbach(frame: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Cronbach's alpha per phase and construct (evaluation.stats.reliability)."""
    from evaluation.stats.reliability import cronbach_alpha

    return cronbach_alpha(frame, instrument, by=[c.PHASE])


def headline_metrics(tables: dict[str, pd.DataFrame]) -> None:
    """Who answered: before, after, matched (from the attrition table's counts)."""
    attrition = tables["attrition"]
    if attrition.empty:
        return
    row = attrition.iloc[0]
    cols = st.columns(4)
    cols[0].metric("Answered before", f"{int(row['n_pre']):,}")
    cols[1].metric("Answered after", f"{int(row['n_post']):,}")
    cols[2].metric("Matched (both)", f"{int(row['n_completers']):,}")
    retained = row.get("pct_retained")
    cols[3].metric("Stayed to the end", "–" if pd.isna(retained) else f"{float(retained):.0f}%")


def likert_reading(
    distribution: pd.DataFrame, instrument: Instrument, *, label_set: str
) -> list[str]:
    """Which question had the most agreement after, and the biggest rise in agreement."""
    from evaluation.presentation import readings

    data = distribution[distribution["label_set"].eq(label_set)]
    net = survey_charts.net_agreement(data, instrument)
    wide = net.pivot(index=c.ITEM, columns=c.PHASE, values="net_agreement")
    if "post" not in wide or wide["post"].isna().all():
        return ["No answers after the programme yet."]
    words = "agreement" if label_set == "agreement" else "positive answers"
    top = wide["post"].idxmax()
    lines = [
        f"After the programme, {readings.humanise(top, instrument)} had the most {words} "
        f"(net {wide.loc[top, 'post']:+.0f} points: % positive minus % negative)."
    ]
    if "pre" in wide:
        rise = (wide["post"] - wide["pre"]).dropna()
        if len(rise):
            most = rise.idxmax()
            lines.append(
                f"The biggest shift was {readings.humanise(most, instrument)}: net "
                f"{wide.loc[most, 'pre']:+.0f} before, {wide.loc[most, 'post']:+.0f} after."
            )
    return lines


def items_reading(results: pd.DataFrame, instrument: Instrument) -> list[str]:
    """The question whose mean moved most, in words (evaluation.presentation.readings)."""
    from evaluation.presentation import readings

    items = results[results[c.ITEM].isin(instrument.item_ids) & results["mean_change"].notna()]
    if items.empty:
        return ["No question has answers both before and after yet."]
    biggest = items.loc[items["mean_change"].abs().idxmax()]
    return [
        "Hollow orange circles are the average answer before; blue dots after.",
        "Largest movement: " + readings.reading(biggest, instrument=instrument),
        "For reversed questions a fall is good news.",
    ]


def spread_reading(row: pd.Series) -> str:
    """How many improved, stayed the same or declined (columns of the results row)."""
    if pd.isna(row.get("pct_improved")):
        return "Nobody could be matched before and after, so individual change is unknown."
    return (
        f"{row['pct_improved']:.0f}% of matched people improved, {row['pct_same']:.0f}% "
        f"stayed the same and {row['pct_declined']:.0f}% declined."
    )


def survey_impact(tables: dict[str, pd.DataFrame], instrument: Instrument, *, key: str) -> None:
    """Draw the impact charts for one group of respondents, each with its reading and data."""
    from evaluation.presentation import readings

    results = tables["results"]
    if results.empty:
        ui.empty_state(
            "There are no answers to compare yet: the selection has no survey items with "
            "answers before and after."
        )
        return
    headline_metrics(tables)
    constructs = survey_charts.construct_changes(results, instrument)
    if "design" in results and (results["design"] == "unpaired").any():
        st.warning(
            "Some answers could not be matched before and after (no participant code or email), "
            "so those results compare two different groups of people. Treat them as weaker "
            "evidence.",
            icon=":material/link_off:",
        )

    st.subheader("What changed, scale by scale")
    ui.chart_with_reading(
        survey_charts.construct_change_chart(results, instrument),
        [readings.reading(row, instrument=instrument) for _, row in constructs.iterrows()],
        constructs,
        key=f"{key}_constructs",
        name="construct_change",
    )

    st.subheader("Answers before and after, question by question")
    st.caption(
        "Each bar is one question: disagreement to the left of the line, agreement to the "
        "right, the neutral answer split across it. Questions are sorted by agreement after "
        "the programme. Reversed questions are worded so that agreeing is a bad sign."
    )
    distribution = tables["distribution"]
    for label_set in survey_charts.label_sets(instrument):
        ui.chart_with_reading(
            survey_charts.likert_bars(distribution, instrument, label_set=label_set),
            likert_reading(distribution, instrument, label_set=label_set),
            distribution[distribution["label_set"] == label_set],
            key=f"{key}_likert_{label_set}",
            name=f"answers_{label_set}",
        )

    st.subheader("Average answer to each question")
    ui.chart_with_reading(
        survey_charts.item_dumbbell(results, instrument),
        items_reading(results, instrument),
        survey_charts.item_means(results, instrument),
        key=f"{key}_dumbbell",
        name="item_means",
    )

    st.subheader("How individual people changed")
    construct_names = [str(name) for name in constructs[c.ITEM]]
    if construct_names:
        chosen = st.selectbox(
            "Scale",
            construct_names,
            format_func=survey_charts.construct_label,
            key=f"{key}_change_scale",
        )
        changes = tables["changes"]
        mine = changes[changes[c.ITEM] == chosen]
        row = constructs[constructs[c.ITEM] == chosen].iloc[0]
        ui.chart_with_reading(
            survey_charts.change_histogram(
                mine["change"], label=f"{survey_charts.construct_label(chosen).lower()} score"
            ),
            spread_reading(row),
            mine,
            key=f"{key}_histogram",
            name="individual_change",
        )

    st.subheader("Who answered both surveys")
    attrition = tables["attrition"]
    if len(attrition):
        ui.chart_with_reading(
            survey_charts.attrition_chart(attrition),
            [readings.attrition_reading(row) for _, row in attrition.iterrows()][:1],
            attrition,
            key=f"{key}_attrition",
            name="attrition",
        )

    with st.expander("How consistent are the scales? (reliability)"):
        reliability = tables["reliability"]
        for _, row in reliability.iterrows():
            st.markdown(
                ui.plain(f"{row[c.PHASE].capitalize()}: ")
                + ui.plain(readings.reliability_reading(row, instrument=instrument))
            )
        st.dataframe(reliability, hide_index=True, key=f"{key}_reliability_table")
        ui.download_table(reliability, "reliability", key=f"{key}_reliability", label="table")

    with st.expander("All results in one table"):
        st.dataframe(results, hide_index=True, key=f"{key}_results_table")
        ui.download_table(results, "results", key=f"{key}_results", label="results")


# --------------------------------------------------------------------------------------------
# Hub and national pages
# --------------------------------------------------------------------------------------------


def year_in_view(results: pd.DataFrame, chosen: ui.Filters) -> str:
    """The academic year a comparison shows: the chosen one, else the latest with data."""
    if chosen.academic_year is not None:
        return chosen.academic_year
    return str(max(results[c.ACADEMIC_YEAR].dropna().unique()))


def outcomes_of(results: pd.DataFrame, instrument: Instrument | None = None) -> list[str]:
    """Outcomes in a results table: scales first (instrument order), then single questions."""
    from evaluation.instruments import default_instrument

    instrument = instrument or default_instrument()
    present = set(results[c.ITEM].dropna().unique())
    order = [*instrument.constructs, *instrument.item_ids]
    return [o for o in order if o in present] + sorted(present - set(order))


REVERSED_NOTE = "reversed: a fall is good"
# The heatmap's column labels stay short (long ones are cut off above the chart); its reading
# spells out what the mark means.
REVERSED_MARK = "reversed"


def _instrument(instrument: Instrument | None) -> Instrument:
    from evaluation.instruments import default_instrument

    return instrument or default_instrument()


def is_reversed(outcome: str, instrument: Instrument | None = None) -> bool:
    """True when ``outcome`` is a reverse-worded question (agreeing is a bad sign)."""
    instrument = _instrument(instrument)
    return outcome in instrument.item_ids and instrument.item(outcome).reverse


def forest_title(ncp: str, outcome: str) -> str:
    """The forest plot's title: the project, then the outcome in words on a smaller line.

    Examples
    --------
    >>> forest_title("Mastering Number at KS2", "confidence")
    'Change in each hub: Mastering Number at KS2<br><sup>Confidence</sup>'
    """
    label = html.escape(outcome_label(outcome), quote=False)  # question text is not markup
    return f"Change in each hub: {html.escape(ncp, quote=False)}<br><sup>{label}</sup>"


def outcome_label(outcome: str, instrument: Instrument | None = None) -> str:
    """An outcome for a picker: scales by name, questions with their words, reversed marked.

    Scale (construct) scores are already reverse-coded, so only raw reversed questions need
    the "(reversed: a fall is good)" mark: for them a fall in the average is good news.
    """
    instrument = _instrument(instrument)
    name = survey_charts.construct_label(outcome)
    if outcome not in instrument.item_ids:
        return name
    item = instrument.item(outcome)
    text = item.text.strip()
    words = text if len(text) <= 60 else text[:57].rstrip() + "..."
    label = f'{name}: "{words}"'
    return f"{label} ({REVERSED_NOTE})" if item.reverse else label


def reversed_caption(outcome: str, instrument: Instrument | None = None) -> str | None:
    """A warning to show under charts of a reversed question (None for anything else)."""
    instrument = _instrument(instrument)
    if not is_reversed(outcome, instrument):
        return None
    text = instrument.item(outcome).text.strip()
    return (
        f'"{text}" is a reversed question: agreeing is a bad sign, so a fall (below zero) is '
        "good news here. The scale scores (Confidence, Subject knowledge, Practice) already "
        "turn it round."
    )


def overview_outcomes(
    overview: pd.DataFrame, *, questions: bool, instrument: Instrument | None = None
) -> pd.DataFrame:
    """The heatmap's rows: scale scores first, single questions only when asked for.

    Reversed questions keep their raw direction (a fall is good), so their name is marked
    "(reversed)" where the heatmap colours a fall orange; the reading says what that means.
    """
    instrument = _instrument(instrument)
    order = outcomes_of(overview, instrument)
    keep = [o for o in order if questions or o not in instrument.item_ids]
    if not keep and len(order):  # a custom instrument with no scales: show its questions
        keep = order
    shown = overview[overview[c.ITEM].isin(keep)].copy()
    rank = {o: i for i, o in enumerate(keep)}
    shown = shown.sort_values(c.ITEM, key=lambda s: s.map(rank), kind="stable")
    shown[c.ITEM] = [
        f"{o} ({REVERSED_MARK})" if is_reversed(o, instrument) else o for o in shown[c.ITEM]
    ]
    return shown.reset_index(drop=True)


def ncps_of(results: pd.DataFrame) -> list[str]:
    """NCPs with results, in reference-table order."""
    from schemas import reference

    present = set(results[c.NCP].dropna().unique())
    order = reference.ncps()["name"].tolist()
    return [n for n in order if n in present] + sorted(present - set(order))


def _num(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def _effect_words(value: float) -> str:
    from evaluation.presentation.readings import effect_label

    return effect_label(value)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def overview_reading(overview: pd.DataFrame) -> list[str]:
    """What the project-by-outcome heatmap says, in two sentences."""
    usable = overview[pd.to_numeric(overview["estimate"], errors="coerce").notna()]
    if usable.empty:
        return ["No project has enough hubs with enough respondents to pool yet."]
    # Quote a result pooled over at least three hubs when there is one: fewer is mostly noise.
    solid = usable[pd.to_numeric(usable["k"], errors="coerce") >= 3]
    pick = solid if len(solid) else usable
    # A reversed question's biggest rise is bad news, so it is never quoted as the largest change.
    marked = usable[c.ITEM].astype(str).str.endswith(f"({REVERSED_MARK})")
    direct = pick[~pick[c.ITEM].astype(str).str.endswith(f"({REVERSED_MARK})")]
    candidates = direct if len(direct) else pick
    best = candidates.loc[pd.to_numeric(candidates["estimate"]).idxmax()]
    lines = [
        f"{_plural(usable[c.NCP].nunique(), 'project')} could be pooled across hubs.",
        f"The largest pooled change is {survey_charts.construct_label(str(best[c.ITEM]))} in "
        f"{best[c.NCP]} ({_num(best['estimate']):.2f}, 95% CI {_num(best['ci_low']):.2f} to "
        f"{_num(best['ci_high']):.2f}, {_plural(int(best['k']), 'hub')}).",
        "Blue is a rise, orange a fall; the scales are scored so that a rise is good news. "
        "Each cell shows the pooled effect and k, the number of hubs pooled.",
    ]
    if marked.any():
        lines.append(
            f'Questions marked ({REVERSED_MARK}) are worded negatively, like "I feel anxious '
            'when...": for them orange, a fall, is good news.'
        )
    return lines


def pooled_reading(pooled: pd.Series, *, outcome: str, ncp: str) -> list[str]:
    """The pooled effect of one project, heterogeneity and prediction interval in words."""
    k, hidden = int(_num(pooled.get("k")) or 0), int(_num(pooled.get("k_suppressed")) or 0)
    if k == 0:
        return [f"No hub in {ncp} has enough matched respondents to show."]
    estimate = _num(pooled["estimate"])
    lines = [
        f"Across {_plural(k, 'hub')}, {survey_charts.construct_label(outcome).lower()} in "
        f"{ncp} changed "
        f"by {estimate:.2f} (95% CI {_num(pooled['ci_low']):.2f} to "
        f"{_num(pooled['ci_high']):.2f}): {_effect_words(estimate)}."
    ]
    i2 = _num(pooled.get("i2"))
    if i2 == i2:  # not NaN
        lines.append(
            f"I² = {i2 * 100 if i2 <= 1 else i2:.0f}%: the share of the differences between "
            "hubs that is more than chance."
        )
    low, high = _num(pooled.get("pi_low")), _num(pooled.get("pi_high"))
    if low == low and high == high:
        lines.append(f"A new hub's effect would probably lie between {low:.2f} and {high:.2f}.")
    if hidden:
        lines.append(f"{hidden} hub{'s' if hidden != 1 else ''} hidden [c]: fewer than 5 people.")
    return lines


def funnel_reading(hubs: pd.DataFrame, pooled: pd.Series, *, effect: str) -> list[str]:
    """How many hubs fall outside the funnel's control limits."""
    from evaluation.stats.national import funnel_data

    data = funnel_data(hubs, pooled, effect=effect)
    bands = data.points["band"].value_counts()
    outside = int(bands.get("outside 95%", 0)) + int(bands.get("outside 99.8%", 0))
    lines = [
        f"{_plural(len(data.points), 'hub')} shown; {outside} outside the 95% limits "
        f"({int(bands.get('outside 99.8%', 0))} outside 99.8%).",
        "Hubs inside the funnel differ from the national value no more than chance would "
        "explain; small hubs naturally scatter more.",
    ]
    if data.hidden:
        lines.append(f"{_plural(len(data.hidden), 'hub')} not drawn [c]: fewer than 5 people.")
    return lines


def trend_reading(trend: pd.DataFrame) -> list[str]:
    """First and latest year of the trend's own series, against the national line."""
    own = trend[trend["level"].ne("national") & trend["estimate"].notna()]
    if own.empty:
        return ["Not enough matched respondents in any year to draw a trend."]
    first, last = own.iloc[0], own.iloc[-1]
    lines = [
        f"{first['series']}: {_num(first['estimate']):.2f} in {first[c.ACADEMIC_YEAR]}"
        + (
            f", {_num(last['estimate']):.2f} in {last[c.ACADEMIC_YEAR]}."
            if len(own) > 1
            else " (one year so far)."
        )
    ]
    hidden = int(trend["suppressed"].fillna(False).astype(bool).sum())
    if hidden:
        lines.append(f"{_plural(hidden, 'year')} hidden [c]: fewer than 5 people.")
    lines.append("Overlapping intervals mean the years may not really differ.")
    return lines


def participation(frame: pd.DataFrame) -> pd.DataFrame:
    """Schools, participants and Work Groups by academic year and NCP, small counts hidden.

    The counting and the disclosure control are evaluation.stats.participation's.
    """
    from evaluation.stats.participation import participation as counted

    return counted(frame, by=[c.ACADEMIC_YEAR, c.NCP])


def participation_chart(table: pd.DataFrame):
    """Participants by project, one bar per year."""
    return survey_charts.participation_chart(table)


def participation_reading(table: pd.DataFrame, *, hub: str) -> list[str]:
    """Totals of the participation table in words (hidden rows say so)."""
    shown = table[~table["suppressed"].fillna(False).astype(bool)]
    years = table[c.ACADEMIC_YEAR].nunique()
    people = int(shown["participants"].sum())
    schools, groups = int(shown["schools"].sum()), int(shown["work_groups"].sum())
    where = []
    if schools:
        where.append(f"from {_plural(schools, 'school')}")
    if groups:
        where.append(f"in {_plural(groups, 'Work Group')}")
    lines = [
        f"{hub}: {people:,} participants {' '.join(where)}".rstrip()
        + f", across {_plural(shown[c.NCP].nunique(), 'project')} and {_plural(years, 'year')}."
    ]
    hidden = len(table) - len(shown)
    if hidden:
        lines.append(f"{_plural(hidden, 'project-year')} hidden [c]: fewer than 5 participants.")
    lines.append("People and schools are counted once per project and year.")
    return lines


def hub_headline(results: pd.DataFrame, *, hub: str, outcome: str) -> pd.DataFrame:
    """The hub's effect per NCP beside the national pooled effect for that NCP.

    Columns: ``ncp, n_paired, d_z, d_z_ci_low, d_z_ci_high, suppressed, suppression_reason,
    national, national_ci_low, national_ci_high, hubs_pooled``.
    """
    from evaluation.stats import national

    hubs = national.hub_effects(results, outcome=outcome)
    mine = hubs[hubs[c.HUB].eq(hub)]
    if mine.empty:
        return pd.DataFrame()
    overview = national.cross_ncp_overview(results, outcomes=[outcome])
    pooled = overview.rename(
        columns={
            "estimate": "national",
            "ci_low": "national_ci_low",
            "ci_high": "national_ci_high",
            "k": "hubs_pooled",
        }
    )[[c.NCP, "national", "national_ci_low", "national_ci_high", "hubs_pooled"]]
    keep = [c.NCP, "n_paired", "d_z", "d_z_ci_low", "d_z_ci_high", "suppressed"]
    keep.append("suppression_reason")
    return mine[keep].merge(pooled, on=c.NCP, how="left").reset_index(drop=True)


def headline_chart(table: pd.DataFrame):
    """The hub's effect per project with CI against the national pooled value."""
    return survey_charts.headline_chart(table)


def headline_reading(table: pd.DataFrame, *, hub: str) -> list[str]:
    """Which projects sit above or below the national value, by CI overlap."""
    shown = table[~table["suppressed"].fillna(False).astype(bool)]
    lines = []
    above = shown[shown["d_z_ci_low"] > shown["national"]]
    below = shown[shown["d_z_ci_high"] < shown["national"]]
    lines.append(
        f"{hub} has results for {_plural(len(shown), 'project')}. Dots are the hub's standardised "
        "change (d_z) with its 95% CI; diamonds are the national pooled value."
    )
    if len(above):
        lines.append("Clearly above the national value: " + ", ".join(above[c.NCP]) + ".")
    if len(below):
        lines.append("Clearly below the national value: " + ", ".join(below[c.NCP]) + ".")
    if not len(above) and not len(below) and len(shown):
        lines.append("Every project's interval includes the national value.")
    hidden = len(table) - len(shown)
    if hidden:
        lines.append(f"{_plural(hidden, 'project')} hidden [c]: fewer than 5 matched people.")
    return lines


def open_text_question(column: str) -> str:
    """The question of an open-text column, from its stored id.

    Long questions are stored cut short with a six-character tag that keeps them apart
    (``text_what_if_anything_has_changed_in_your_teaching_d51761``); the tag means nothing
    to a reader, so it becomes "...".
    """
    words = str(column).removeprefix("text_")
    stem, _, tag = words.rpartition("_")
    hashed = (
        len(tag) == 6
        and all(ch in "0123456789abcdef" for ch in tag)
        and (any(ch.isdigit() for ch in tag) or len(words) > 48)
    )
    if hashed and stem:
        words = stem
    text = words.replace("_", " ").strip().capitalize()
    return f"{text}..." if hashed and stem else text


def open_text_examples(frame: pd.DataFrame, *, n: int = 5) -> pd.DataFrame:
    """A few open-text answers given after the programme, picked at random (fixed seed)."""
    text_columns = [col for col in frame.columns if str(col).startswith("text_")]
    if not text_columns:
        return pd.DataFrame(columns=["question", "answer"])
    post = frame[frame[c.PHASE].eq("post")] if c.PHASE in frame else frame
    long = post[text_columns].melt(var_name="question", value_name="answer")
    long = long[long["answer"].notna() & long["answer"].astype(str).str.strip().ne("")]
    if long.empty:
        return pd.DataFrame(columns=["question", "answer"])
    picked = long.sample(n=min(n, len(long)), random_state=2024)
    picked["question"] = picked["question"].map(open_text_question)
    picked["answer"] = picked["answer"].astype(str)
    return picked[["question", "answer"]].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Pupil outcomes
# --------------------------------------------------------------------------------------------


def pupil_outcomes(pupils: pd.DataFrame, *, key: str, cache: bool = False) -> None:
    """Draw MTC outcomes for a set of pupils: distribution, full marks, change by year.

    With ``cache`` the tables are cached per store version and filters (the pupils must then
    be exactly what :func:`app_support.pupils` returns for the current filters).
    """
    from evaluation.presentation import readings
    from evaluation.presentation.charts import pupils as pupil_charts
    from evaluation.stats import pupils as pupil_stats
    from schemas import reference

    if pupils.empty:
        ui.empty_state("No pupil scores in this selection.")
        return
    years = sorted(pupils[c.ACADEMIC_YEAR].dropna().unique())
    year = str(years[-1])
    if len(years) > 1:
        year = st.selectbox("Academic year for the detail", years[::-1], key=f"{key}_year")
    one_year = pupils[pupils[c.ACADEMIC_YEAR].eq(year)]
    national = reference.mtc_national().set_index(c.ACADEMIC_YEAR)
    national_row = national.loc[year] if year in national.index else None
    national_mean = float(national_row["mean_score"]) if national_row is not None else None
    national_pct = float(national_row["pct_full_marks"]) if national_row is not None else None

    def run(name: str, func, *args, **kwargs):
        if cache:
            return ui.cached(f"pupils:{name}:{year}", func, *args, **kwargs)
        return func(*args, **kwargs)

    change = run("change", pupil_stats.pupil_change, one_year, by=[c.ACADEMIC_YEAR])
    st.subheader(f"What changed in {year}")
    if len(change):
        st.markdown(ui.plain(readings.pupil_reading(change.iloc[0])))

    distribution = run("distribution", pupil_stats.score_distribution, one_year)
    ui.chart_with_reading(
        pupil_charts.score_distribution_chart(
            distribution, national_mean=national_mean, national_year=year
        ),
        [
            "Bars show the share of pupils at each mark, before (orange) and after (blue).",
            f"The dashed line is the national average mark for {year}"
            + (f" ({national_mean:.1f})." if national_mean is not None else " (not published)."),
        ],
        distribution,
        key=f"{key}_distribution",
        name=f"mtc_distribution_{year.replace('/', '-')}",
    )

    summary = run("summary", pupil_stats.pupil_summary, one_year)
    ui.chart_with_reading(
        pupil_charts.full_marks_chart(summary, national_pct=national_pct, national_year=year),
        full_marks_reading(summary, national_pct=national_pct, year=year),
        summary,
        key=f"{key}_full_marks",
        name=f"mtc_summary_{year.replace('/', '-')}",
    )

    st.subheader("Year by year")
    by_year = run("by_year", pupil_stats.pupil_change, pupils, by=[c.ACADEMIC_YEAR])
    ui.chart_with_reading(
        pupil_charts.pupil_change_chart(by_year),
        [
            "Left: the average rise in marks with its 95% confidence interval, widened to "
            "allow for pupils in the same school being alike.",
            "Right: the average mark at the end against the national average for that year.",
            "With no comparison group, a rise includes the progress pupils make anyway.",
        ],
        by_year,
        key=f"{key}_change",
        name="mtc_change_by_year",
    )


def full_marks_reading(summary: pd.DataFrame, *, national_pct: float | None, year: str) -> str:
    """The share at full marks before and after, beside the national share, in words."""
    rows = summary.set_index(c.PHASE)["pct_full_marks"]
    parts = []
    if "pre" in rows:
        parts.append(f"{rows['pre']:.0f}% of pupils had full marks before")
    if "post" in rows:
        parts.append(f"{rows['post']:.0f}% after")
    sentence = " and ".join(parts) + "."
    if national_pct is not None:
        sentence += f" Nationally in {year}, {national_pct:.0f}% of pupils scored full marks."
    return sentence
