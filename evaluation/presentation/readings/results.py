"""Plain-English readings of single result rows, and the one table of effect-size wording.

The words used for "small" or "large" are decided here, so they are the same on every page,
report and export.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from evaluation.instruments import Instrument
from evaluation.presentation.readings.words import (
    amount,
    count_of,
    count_text,
    is_number,
    outcome_name,
    text_of,
)
from evaluation.stats.attrition import DIFFERENT, NO_CLEAR_DIFFERENCE
from evaluation.stats.disclosure import SUPPRESSED_SYMBOL
from evaluation.stats.pupils import eef_months
from evaluation.stats.reliability import (
    ALPHA_ADEQUATE,
    RELIABLE,
    UNCERTAIN,
    UNRELIABLE,
    alpha_label,
)
from schemas.reference import eef_months as eef_months_table

__all__ = [
    "CHANCE_ALPHA",
    "EFFECT_BANDS",
    "MONTHS_NOT_SHOWN",
    "attrition_reading",
    "chance_clause",
    "could_be_chance",
    "effect_label",
    "humanise",
    "months_sentence",
    "pupil_reading",
    "reading",
    "reliability_reading",
    "result_readings",
]

# Cohen (1988) conventions for standardised mean differences, applied to |d| (or |g|): below
# 0.2 "very small", below 0.5 "small", below 0.8 "medium", otherwise "large". The one place
# these words and thresholds are decided; every reading, chart caption, report and the Methods
# page use them. They describe a between-group-comparable effect (g_av, or Hedges' g of two
# groups), never d_z (standardised by the SD of the changes) and never raw points.
EFFECT_BANDS: tuple[tuple[float, str], ...] = (
    (0.2, "very small"),
    (0.5, "small"),
    (0.8, "medium"),
    (math.inf, "large"),
)

_WEAKER = (
    "These are different groups of people before and after, so this is weaker evidence than "
    "following the same people."
)
# Why a pre/post change gets no EEF months (the Methods page explains it in full).
MONTHS_NOT_SHOWN = "Months' progress needs a comparison group; see Methods."
# The two-sided significance level behind "could be chance" (95% intervals).
CHANCE_ALPHA = 0.05

Row = Mapping[str, Any]


def effect_label(d: float) -> str:
    """Cohen's (1988) wording for a standardised effect size, by its absolute value.

    Parameters
    ----------
    d : float
        Cohen's d, Hedges' g or another standardised mean difference.

    Returns
    -------
    str
        ``"very small"`` (|d| < 0.2), ``"small"`` (< 0.5), ``"medium"`` (< 0.8), ``"large"``,
        or ``"unknown"`` when ``d`` is missing.

    References
    ----------
    Cohen, J. (1988). Statistical power analysis for the behavioral sciences (2nd ed.).
    Lawrence Erlbaum.

    Examples
    --------
    >>> effect_label(0.1), effect_label(-0.35), effect_label(0.5), effect_label(1.2)
    ('very small', 'small', 'medium', 'large')
    """
    if not is_number(d):
        return "unknown"
    size = abs(float(d))
    for threshold, label in EFFECT_BANDS:
        if size < threshold:
            return label
    return EFFECT_BANDS[-1][1]


def humanise(name: str, instrument: Instrument | None = None) -> str:
    """A readable name for an item id or construct name.

    Item ids of ``instrument`` become their question text in quotes; anything else has
    underscores turned into spaces and a capital first letter.

    Examples
    --------
    >>> humanise("subject_knowledge")
    'Subject knowledge'
    >>> from evaluation.instruments import Instrument, Item
    >>> inst = Instrument("demo", (Item("conf_1", "I feel confident teaching fractions", "c"),))
    >>> humanise("conf_1", inst)
    '"I feel confident teaching fractions"'
    """
    if instrument is not None and name in instrument.item_ids:
        return f'"{instrument.item(name).text.strip()}"'
    words = str(name).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def could_be_chance(
    row: Row, *, low: str = "g_av_ci_low", high: str = "g_av_ci_high"
) -> tuple[bool | None, str]:
    """Whether a change could be chance, and what decided it: the one rule every reading uses.

    Parameters
    ----------
    row : mapping
        A result row. ``p_adj`` (the p-value adjusted for a family of questions) and the
        clustered interval of the mean change (``ci_low_cluster``, ``ci_high_cluster``) are used
        when present and finite.
    low, high : str
        The interval quoted with the effect size, used when neither of the above is there.

    Returns
    -------
    (bool or None, str)
        ``True`` when the change could be chance: the adjusted p is :data:`CHANCE_ALPHA` or
        more, or the clustered interval includes zero (either is enough when both are there);
        with neither, the quoted interval includes zero. ``None`` when nothing decides it. The
        second value names what decided it: ``"p_adj"``, ``"cluster"``, ``"interval"`` or ``""``.

    Examples
    --------
    >>> could_be_chance({"p_adj": 0.2, "g_av_ci_low": 0.1, "g_av_ci_high": 0.5})
    (True, 'p_adj')
    >>> could_be_chance({"p_adj": 0.01, "ci_low_cluster": -0.1, "ci_high_cluster": 0.4})
    (True, 'cluster')
    >>> could_be_chance({"g_av_ci_low": 0.1, "g_av_ci_high": 0.5})
    (False, 'interval')
    """
    p_adj = row.get("p_adj")
    cluster = (row.get("ci_low_cluster"), row.get("ci_high_cluster"))
    adjusted = is_number(p_adj)
    clustered = is_number(cluster[0]) and is_number(cluster[1])
    if adjusted and float(p_adj) >= CHANCE_ALPHA:
        return True, "p_adj"
    if clustered and float(cluster[0]) <= 0 <= float(cluster[1]):
        return True, "cluster"
    if adjusted or clustered:
        return False, "p_adj" if adjusted else "cluster"
    bounds = (row.get(low), row.get(high))
    if is_number(bounds[0]) and is_number(bounds[1]):
        return float(bounds[0]) <= 0 <= float(bounds[1]), "interval"
    return None, ""


def chance_clause(row: Row, *, low: str = "g_av_ci_low", high: str = "g_av_ci_high") -> str:
    """The words saying a change could be chance (``""`` when it could not), from
    :func:`could_be_chance`.

    Examples
    --------
    >>> chance_clause({"p_adj": 0.2})
    'after allowing for testing several questions at once (adjusted p = 0.20), it could be chance'
    >>> chance_clause({"g_av_ci_low": -0.1, "g_av_ci_high": 0.5})
    'this range includes no change, so it could be chance'
    >>> chance_clause({"g_av_ci_low": 0.1, "g_av_ci_high": 0.5})
    ''
    """
    chance, basis = could_be_chance(row, low=low, high=high)
    if not chance:
        return ""
    if basis == "p_adj":
        return (
            "after allowing for testing several questions at once (adjusted p = "
            f"{float(row['p_adj']):.2f}), it could be chance"
        )
    if basis == "cluster":
        return (
            "allowing for people in the same Work Group changing alike, the range of the change "
            "includes none, so it could be chance"
        )
    return "this range includes no change, so it could be chance"


def reading(
    row: Row,
    *,
    scale_min: int = 1,
    scale_max: int = 5,
    subject: str = "teachers",
    measure_name: str | None = None,
    instrument: Instrument | None = None,
) -> str:
    """One plain-English sentence for a paired or unpaired change result row.

    Parameters
    ----------
    row : mapping
        One row of ``paired_change`` / ``unpaired_change`` / ``compare`` (a Series or dict):
        ``item``, ``design``, ``n_pre``, ``n_post``, ``n_paired``, ``mean_pre``, ``mean_post``,
        ``mean_change``, ``g_av``, ``g_av_ci_low``, ``g_av_ci_high``, ``reason``; optionally
        ``p_adj`` and the clustered columns (``ci_low_cluster``, ``ci_high_cluster``,
        ``cluster_note``) of ``paired_change(..., cluster="work_group")``.
    scale_min, scale_max : int
        The answer scale, for "on the 1-5 scale" (taken from ``instrument`` when given).
    subject : str
        Who answered, plural ("teachers", "participants").
    measure_name : str, optional
        What to call the measure; default the humanised ``item``.
    instrument : Instrument, optional
        Shows items by their question text and supplies the scale.

    Returns
    -------
    str
        The reading. The effect size quoted is ``g_av`` with its 95% CI, worded by
        :func:`effect_label`; whether it could be chance is :func:`chance_clause`'s. Clustered
        rows quote the interval of the change allowing for Work Groups (and its note when
        there are few). Unpaired rows add, once, that the evidence is weaker; rows without a
        result say why (their ``reason``).

    Examples
    --------
    >>> row = {"item": "confidence", "design": "paired", "n_paired": 42, "mean_pre": 2.9,
    ...        "mean_post": 3.7, "mean_change": 0.8, "g_av": 0.9, "g_av_ci_low": 0.7,
    ...        "g_av_ci_high": 1.1}
    >>> reading(row)
    'Confidence rose by 0.8 points on the 1-5 scale (from 2.9 to 3.7), a large change (effect size 0.90, 95% CI 0.70 to 1.10), among 42 teachers who answered both surveys.'
    >>> reading({"item": "practice", "design": "paired", "n_paired": 1, "mean_change": None,
    ...          "reason": "Only one person answered both surveys."})
    'Practice: no result. Only one person answered both surveys.'
    """  # noqa: E501
    if instrument is not None:
        scale_min, scale_max = instrument.scale_min, instrument.scale_max
    name = measure_name or humanise(str(row.get("item", "This measure")), instrument)
    if not is_number(row.get("mean_change")):
        return _no_result(name, row)
    unpaired = row.get("design") == "unpaired"
    if unpaired:
        who = (
            f"comparing {count_text(row.get('n_pre'))} {subject} before with "
            f"{count_text(row.get('n_post'))} after"
        )
    else:
        who = f"among {count_of(row.get('n_paired'), subject)} who answered both surveys"
    movement = _movement(
        name,
        row.get("mean_change"),
        row.get("mean_pre"),
        row.get("mean_post"),
        unit="points",
        scale=f"on the {scale_min}-{scale_max} scale",
        ci=(row.get("ci_low_cluster"), row.get("ci_high_cluster")),
        allowing="Work Groups",
        g=row.get("g_av"),
    )
    effect = _effect_clause(row.get("g_av"), row.get("g_av_ci_low"), row.get("g_av_ci_high"))
    effect = _with_chance(effect, chance_clause(row))
    sentence = f"{movement}{effect}, {who}."
    if not is_number(row.get("g_av")) and text_of(row.get("reason")):
        sentence += f" No effect size: {text_of(row.get('reason'))}"
    if text_of(row.get("cluster_note")):
        sentence += f" {text_of(row.get('cluster_note'))}"
    if unpaired and "weaker evidence" not in sentence:
        sentence += f" {_WEAKER}"
    return sentence


def months_sentence(g: Any, ci: tuple[Any, Any]) -> str:
    """EEF months' progress for a pupil effect size AGAINST A COMPARISON GROUP, in one sentence.

    For a difference from a comparison group only (the EEF Toolkit's table is for those),
    never for a pre/post change (:data:`MONTHS_NOT_SHOWN` says why). No months are given when
    the interval includes zero. No Cohen word is used beside the months: the EEF's own rating
    is quoted, so the two scales never disagree in one sentence.

    Parameters
    ----------
    g : float
        The standardised difference from the comparison group (Hedges' g).
    ci : (float, float)
        Its 95% interval.

    Examples
    --------
    >>> months_sentence(0.45, (0.3, 0.6))
    "That is about 6 months' additional progress on the EEF scale, which the EEF rates high impact (effect size 0.45, 95% CI 0.30 to 0.60)."
    >>> months_sentence(0.2, (-0.1, 0.5))
    "The effect size, 0.20 (95% CI -0.10 to 0.50), could be chance, so no months' progress is given."
    >>> months_sentence(float("nan"), (None, None))
    ''
    """  # noqa: E501
    if not is_number(g):
        return ""
    interval = ""
    if is_number(ci[0]) and is_number(ci[1]):
        interval = f", 95% CI {float(ci[0]):.2f} to {float(ci[1]):.2f}"
        if float(ci[0]) <= 0 <= float(ci[1]):
            return (
                f"The effect size, {float(g):.2f} ({interval[2:]}), could be chance, so no "
                "months' progress is given."
            )
    months = eef_months(float(g))
    table = eef_months_table()
    label = str(table.loc[table["months"].eq(abs(months)), "label"].iloc[0]).lower()
    rating = label if "impact" in label else f"{label} impact"
    word = "month's" if abs(months) == 1 else "months'"
    more = "additional" if months >= 0 else "less"
    return (
        f"That is about {abs(months)} {word} {more} progress on the EEF scale, which the EEF "
        f"rates {rating} (effect size {float(g):.2f}{interval})."
    )


def pupil_reading(row: Row, *, measure_name: str = "MTC scores", max_score: int = 25) -> str:
    """Plain-English reading of one ``pupils.pupil_change`` row.

    A pre/post change has no comparison group, so no EEF months are given (they would count
    the progress pupils make anyway as "additional"): the end-of-year average is set against
    the national MTC figure instead, and :data:`MONTHS_NOT_SHOWN` says why.

    Examples
    --------
    >>> row = {"n_paired": 812, "n_schools": 24, "mean_pre": 17.3, "mean_post": 19.4,
    ...        "mean_change": 2.1, "ci_low": 1.6, "ci_high": 2.6, "g_av": 0.45,
    ...        "g_av_ci_low": 0.34, "g_av_ci_high": 0.56, "eef_months": 6,
    ...        "national_year": "2024/25", "national_mean": 21.0, "diff_from_national": -1.6}
    >>> print(pupil_reading(row))
    MTC scores rose by 2.1 marks out of 25 (from 17.3 to 19.4; 95% CI of the rise 1.6 to 2.6, allowing for schools), a small change (effect size 0.45, 95% CI 0.34 to 0.56), among 812 pupils in 24 schools. The average at the end, 19.4, is 1.6 marks below the national average for 2024/25 (21.0). With no comparison group, the rise includes the progress pupils make anyway during the year. Months' progress needs a comparison group; see Methods.
    """  # noqa: E501
    if not is_number(row.get("mean_change")):
        return _no_result(measure_name, row)
    movement = _movement(
        measure_name,
        row.get("mean_change"),
        row.get("mean_pre"),
        row.get("mean_post"),
        unit="marks",
        scale=f"out of {max_score}",
        ci=(row.get("ci_low"), row.get("ci_high")),
        allowing="schools",
        g=row.get("g_av"),
    )
    effect = _effect_clause(row.get("g_av"), row.get("g_av_ci_low"), row.get("g_av_ci_high"))
    effect = _with_chance(effect, chance_clause(row))
    pupils, schools = (
        count_of(row.get("n_paired"), "pupils"),
        count_of(row.get("n_schools"), "schools"),
    )
    who = f"among {pupils} in {schools}"
    sentence = f"{movement}{effect}, {who}."
    if not is_number(row.get("ci_low")) and text_of(row.get("reason")):
        sentence += f" {text_of(row.get('reason'))}"
    national = row.get("national_mean")
    if is_number(national) and is_number(row.get("mean_post")):
        gap = float(row["mean_post"]) - float(national)
        year = text_of(row.get("national_year"))
        where = f"the national average for {year}" if year else "the national average"
        if round(gap, 1) == 0:
            relation = f"is the same as {where}"
        else:
            relation = f"is {amount(gap, 'marks')} {'above' if gap > 0 else 'below'} {where}"
        sentence += f" The average at the end, {float(row['mean_post']):.1f}, {relation}"
        sentence += f" ({float(national):.1f})."
    change = float(row["mean_change"])
    what = "rise" if change > 0 else "fall" if change < 0 else "change"
    sentence += (
        f" With no comparison group, the {what} includes the progress pupils make anyway during "
        f"the year. {MONTHS_NOT_SHOWN}"
    )
    return sentence


_ALPHA_ADVICE = {
    "excellent (items may be redundant)": (
        "the questions hang together very closely; some may be asking the same thing"
    ),
    "good": "the questions hang together well enough to report one score",
    "acceptable": "the questions hang together well enough to report one score",
    "questionable": "treat the combined score with caution",
    "poor": "the questions do not hang together; report them one by one, not as one score",
}


def reliability_reading(row: Row, *, instrument: Instrument | None = None) -> str:
    """Plain-English reading of one ``reliability.cronbach_alpha`` row.

    The label comes from the row's ``interpretation`` (none below
    :data:`evaluation.stats.reliability.ALPHA_MIN_N` people: the row's ``reason`` says so) and
    the advice from its ``verdict`` (the Feldt interval against
    :data:`~evaluation.stats.reliability.ALPHA_ADEQUATE`); rows without those columns are
    labelled from alpha itself.

    Examples
    --------
    >>> row = {"construct": "confidence", "n": 120, "k": 3, "alpha": 0.82, "ci_low": 0.76,
    ...        "ci_high": 0.87, "interpretation": "good", "verdict": "reliable"}
    >>> print(reliability_reading(row))
    Confidence: Cronbach's alpha is 0.82 (95% CI 0.76 to 0.87) from 3 questions answered by 120 people, good: the questions hang together well enough to report one score.
    >>> print(reliability_reading({**row, "n": 2, "ci_low": -37.5, "ci_high": 0.99,
    ...     "interpretation": None, "verdict": None, "reason": "Too few people."}))
    Confidence: Cronbach's alpha is 0.82 (95% CI -37.50 to 0.99) from 3 questions answered by 2 people. Too few people.
    """  # noqa: E501
    name = humanise(str(row.get("construct", "This construct")), instrument)
    alpha = row.get("alpha")
    if not is_number(alpha):
        return _no_result(name, row)
    interval = ""
    if is_number(row.get("ci_low")) and is_number(row.get("ci_high")):
        interval = f" (95% CI {float(row['ci_low']):.2f} to {float(row['ci_high']):.2f})"
    start = (
        f"{name}: Cronbach's alpha is {float(alpha):.2f}{interval} from "
        f"{count_of(row.get('k'), 'questions')} answered by {count_of(row.get('n'), 'people')}"
    )
    label = text_of(row["interpretation"]) if "interpretation" in row else alpha_label(alpha)
    if not label:
        reason = text_of(row.get("reason"))
        return f"{start}." + (f" {reason}" if reason else "")
    verdict = text_of(row.get("verdict"))
    advice = _ALPHA_ADVICE.get(label, "")
    if verdict == UNCERTAIN:
        advice = (
            f"but the interval reaches below {ALPHA_ADEQUATE}, so treat the combined score with "
            "caution"
        )
    elif verdict == UNRELIABLE:
        advice = _ALPHA_ADVICE["poor"]
    elif verdict == RELIABLE and label in ("questionable", "poor"):
        advice = _ALPHA_ADVICE["acceptable"]
    return f"{start}, {label}: {advice}."


def attrition_reading(row: Row, *, subject: str = "teachers") -> str:
    """Plain-English reading of one ``attrition.attrition`` row.

    Whether those who stayed represent everyone who started follows the row's ``verdict``
    (the interval of g, with enough people in both groups); with no verdict the row's
    ``reason`` says why, and nothing is concluded from the point estimate.

    Examples
    --------
    >>> row = {"construct": "confidence", "n_pre": 50, "n_completers": 42, "n_leavers": 8,
    ...        "pct_retained": 84.0, "mean_completers": 3.4, "mean_leavers": 3.1,
    ...        "difference": 0.3, "g": 0.41, "g_ci_low": 0.05, "g_ci_high": 0.8,
    ...        "verdict": "different"}
    >>> print(attrition_reading(row))
    Of 50 teachers who answered the first survey, 42 (84%) answered the second. At the start, those who left scored 0.3 points lower on Confidence than those who stayed (3.1 against 3.4; effect size 0.41, 95% CI 0.05 to 0.80), so the people who stayed may not represent everyone who started.
    """  # noqa: E501
    if not is_number(row.get("pct_retained")):
        return text_of(row.get("reason")) or "Attrition cannot be worked out for this group."
    sentence = (
        f"Of {count_of(row.get('n_pre'), subject)} who answered the first survey, "
        f"{count_text(row.get('n_completers'))} ({float(row['pct_retained']):.0f}%) answered "
        "the second."
    )
    name = humanise(str(row.get("construct", "")))
    difference = row.get("difference")
    g = row.get("g")
    reason = text_of(row.get("reason"))
    if not (is_number(difference) and is_number(g)):
        return f"{sentence} {reason}" if reason else sentence
    gap = float(difference)  # completers minus leavers
    if round(gap, 1) == 0:
        compare = f"those who left scored about the same on {name} as those who stayed"
    else:
        direction = "lower" if gap > 0 else "higher"
        compare = (
            f"those who left scored {amount(gap, 'points')} {direction} on {name} than those "
            "who stayed"
        )
    size = f"effect size {abs(float(g)):.2f}"
    if is_number(row.get("g_ci_low")) and is_number(row.get("g_ci_high")):
        size += f", 95% CI {float(row['g_ci_low']):.2f} to {float(row['g_ci_high']):.2f}"
    compare += (
        f" ({float(row['mean_leavers']):.1f} against {float(row['mean_completers']):.1f}; {size})"
    )
    verdict = text_of(row.get("verdict"))
    if verdict == DIFFERENT:
        return (
            f"{sentence} At the start, {compare}, so the people who stayed may not represent "
            "everyone who started."
        )
    if verdict == NO_CLEAR_DIFFERENCE:
        return (
            f"{sentence} At the start, {compare}: a difference this size could be chance, so "
            "there is no clear sign that the people who stayed differ from those who left."
        )
    return f"{sentence} At the start, {compare}." + (f" {reason}" if reason else "")


def _movement(
    name: str,
    change: Any,
    before: Any,
    after: Any,
    *,
    unit: str,
    scale: str,
    ci: tuple[Any, Any] | None = None,
    allowing: str = "schools",
    g: Any = None,
) -> str:
    change = float(change)
    span = ""
    if is_number(before) and is_number(after):
        span = f"from {float(before):.1f} to {float(after):.1f}"
    if ci is not None and is_number(ci[0]) and is_number(ci[1]):
        what = "rise" if change > 0 else "fall" if change < 0 else "change"
        span += f"; 95% CI of the {what} {float(ci[0]):.1f} to {float(ci[1]):.1f}, allowing "
        span += f"for {allowing}"
    span = f" ({span.lstrip('; ')})" if span else ""
    # "About the same" only when the effect size agrees (a change of 0.04 points can be a
    # small effect on a measure that varies little): otherwise the change gets two decimals.
    if round(change, 2) == 0 or (
        round(change, 1) == 0 and (not is_number(g) or effect_label(g) == EFFECT_BANDS[0][1])
    ):
        return f"{name} stayed about the same {scale}{span}"
    digits = 1 if round(change, 1) != 0 else 2
    verb = "rose" if change > 0 else "fell"
    return f"{name} {verb} by {amount(change, unit, digits=digits)} {scale}{span}"


def _effect_clause(g: Any, low: Any, high: Any) -> str:
    if not is_number(g):
        return ""
    clause = f", a {effect_label(g)} change (effect size {float(g):.2f}"
    if is_number(low) and is_number(high):
        clause += f", 95% CI {float(low):.2f} to {float(high):.2f}"
    return clause + ")"


def _with_chance(effect: str, chance: str) -> str:
    """The effect clause with the chance words inside its brackets (or after the change)."""
    if not chance:
        return effect
    if effect.endswith(")"):
        return f"{effect[:-1]}; {chance})"
    return f"{effect} ({chance})"


def _no_result(name: str, row: Row) -> str:
    reason = text_of(row.get("reason")) or "There is not enough data for a result."
    return f"{name}: no result. {reason}"


def result_readings(
    results: Any, instrument: Instrument | None = None, *, subject: str = "participants"
) -> list[str]:
    """One reading per row of a suppressed results table; hidden rows say why they are hidden.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"item": ["confidence"], "suppressed": [True],
    ...                   "suppression_reason": ["fewer than 10 respondents"]})
    >>> result_readings(t)
    ['Confidence: [c] hidden, fewer than 10 respondents.']
    """
    texts = []
    for _, row in results.iterrows():
        if bool(row.get("suppressed", False)):
            name = outcome_name(str(row["item"]))
            texts.append(f"{name}: {SUPPRESSED_SYMBOL} hidden, {row['suppression_reason']}.")
        else:
            texts.append(reading(row, subject=subject, instrument=instrument))
    return texts
