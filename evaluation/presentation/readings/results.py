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
    count_text,
    is_number,
    outcome_name,
    text_of,
)
from evaluation.stats.disclosure import SUPPRESSED_SYMBOL
from evaluation.stats.reliability import alpha_label

__all__ = [
    "EFFECT_BANDS",
    "attrition_reading",
    "effect_label",
    "humanise",
    "pupil_reading",
    "reading",
    "reliability_reading",
    "result_readings",
]

# Cohen (1988) conventions for standardised mean differences, applied to |d| (or |g|): below
# 0.2 "very small", below 0.5 "small", below 0.8 "medium", otherwise "large". The one place
# these words are decided; every reading, chart caption and report uses effect_label.
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
_EEF_CAVEAT = (
    "with no comparison group this includes the progress pupils make anyway during the year"
)

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
        ``mean_change``, ``g_av``, ``g_av_ci_low``, ``g_av_ci_high``, ``reason``.
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
        :func:`effect_label`. Unpaired rows add that the evidence is weaker; rows without a
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
        who = f"among {count_text(row.get('n_paired'))} {subject} who answered both surveys"
    movement = _movement(
        name,
        row.get("mean_change"),
        row.get("mean_pre"),
        row.get("mean_post"),
        unit="points",
        scale=f"on the {scale_min}-{scale_max} scale",
    )
    effect = _effect_clause(row.get("g_av"), row.get("g_av_ci_low"), row.get("g_av_ci_high"))
    sentence = f"{movement}{effect}, {who}."
    if not is_number(row.get("g_av")) and text_of(row.get("reason")):
        sentence += f" No effect size: {text_of(row.get('reason'))}"
    if unpaired:
        sentence += f" {_WEAKER}"
    return sentence


def pupil_reading(row: Row, *, measure_name: str = "MTC scores", max_score: int = 25) -> str:
    """Plain-English reading of one ``pupils.pupil_change`` row.

    Examples
    --------
    >>> row = {"n_paired": 812, "n_schools": 24, "mean_pre": 17.3, "mean_post": 19.4,
    ...        "mean_change": 2.1, "ci_low": 1.6, "ci_high": 2.6, "g_av": 0.45,
    ...        "g_av_ci_low": 0.34, "g_av_ci_high": 0.56, "eef_months": 6,
    ...        "national_year": "2024/25", "national_mean": 21.0, "diff_from_national": -1.6}
    >>> print(pupil_reading(row))
    MTC scores rose by 2.1 marks out of 25 (from 17.3 to 19.4; 95% CI of the rise 1.6 to 2.6, allowing for schools), a small change (effect size 0.45, 95% CI 0.34 to 0.56), among 812 pupils in 24 schools: about 6 months' additional progress on the EEF scale (with no comparison group this includes the progress pupils make anyway during the year). The average at the end, 19.4, is 1.6 marks below the national average for 2024/25 (21.0).
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
    )
    effect = _effect_clause(row.get("g_av"), row.get("g_av_ci_low"), row.get("g_av_ci_high"))
    schools = count_text(row.get("n_schools"))
    who = (
        f"among {count_text(row.get('n_paired'))} pupils in {schools} "
        f"{'school' if schools == '1' else 'schools'}"
    )
    sentence = f"{movement}{effect}, {who}"
    months = row.get("eef_months")
    if is_number(months):
        months = int(months)
        word = "month's" if abs(months) == 1 else "months'"
        if months >= 0:
            progress = f"about {months} {word} additional progress"
        else:
            progress = f"about {-months} {word} less progress"
        sentence += f": {progress} on the EEF scale ({_EEF_CAVEAT})"
    sentence += "."
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
    return sentence


def reliability_reading(row: Row, *, instrument: Instrument | None = None) -> str:
    """Plain-English reading of one ``reliability.cronbach_alpha`` row.

    Examples
    --------
    >>> row = {"construct": "confidence", "n": 120, "k": 3, "alpha": 0.82, "ci_low": 0.76,
    ...        "ci_high": 0.87}
    >>> print(reliability_reading(row))
    Confidence: Cronbach's alpha is 0.82 (95% CI 0.76 to 0.87) from 3 questions answered by 120 people, good: the questions hang together well enough to report one score.
    """  # noqa: E501
    name = humanise(str(row.get("construct", "This construct")), instrument)
    alpha = row.get("alpha")
    if not is_number(alpha):
        return _no_result(name, row)
    label = alpha_label(float(alpha))
    advice = {
        "excellent (items may be redundant)": (
            "the questions hang together very closely; some may be asking the same thing"
        ),
        "good": "the questions hang together well enough to report one score",
        "acceptable": "the questions hang together well enough to report one score",
        "questionable": "treat the combined score with caution",
        "poor": "the questions do not hang together; report them one by one, not as one score",
    }.get(label or "", "")
    interval = ""
    if is_number(row.get("ci_low")) and is_number(row.get("ci_high")):
        interval = f" (95% CI {float(row['ci_low']):.2f} to {float(row['ci_high']):.2f})"
    return (
        f"{name}: Cronbach's alpha is {float(alpha):.2f}{interval} from "
        f"{count_text(row.get('k'))} questions answered by {count_text(row.get('n'))} people, "
        f"{label}: {advice}."
    )


def attrition_reading(row: Row, *, subject: str = "teachers") -> str:
    """Plain-English reading of one ``attrition.attrition`` row.

    Examples
    --------
    >>> row = {"construct": "confidence", "n_pre": 50, "n_completers": 42, "n_leavers": 8,
    ...        "pct_retained": 84.0, "mean_completers": 3.4, "mean_leavers": 3.1,
    ...        "difference": 0.3, "g": 0.41}
    >>> print(attrition_reading(row))
    Of 50 teachers who answered the first survey, 42 (84%) answered the second. At the start, those who left scored 0.3 points lower on Confidence than those who stayed (3.1 against 3.4), a small difference (effect size 0.41), so the people who stayed may not represent everyone who started.
    """  # noqa: E501
    if not is_number(row.get("pct_retained")):
        return text_of(row.get("reason")) or "Attrition cannot be worked out for this group."
    sentence = (
        f"Of {count_text(row.get('n_pre'))} {subject} who answered the first survey, "
        f"{count_text(row.get('n_completers'))} ({float(row['pct_retained']):.0f}%) answered "
        "the second."
    )
    name = humanise(str(row.get("construct", "")))
    difference = row.get("difference")
    g = row.get("g")
    if not (is_number(difference) and is_number(g)):
        reason = text_of(row.get("reason"))
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
    compare += (
        f" ({float(row['mean_leavers']):.1f} against {float(row['mean_completers']):.1f}), "
        f"a {effect_label(g)} difference (effect size {abs(float(g)):.2f})"
    )
    if effect_label(g) == "very small":
        verdict = "so the people who left were much like those who stayed"
    else:
        verdict = "so the people who stayed may not represent everyone who started"
    return f"{sentence} At the start, {compare}, {verdict}."


def _movement(
    name: str,
    change: Any,
    before: Any,
    after: Any,
    *,
    unit: str,
    scale: str,
    ci: tuple[Any, Any] | None = None,
) -> str:
    change = float(change)
    span = ""
    if is_number(before) and is_number(after):
        span = f"from {float(before):.1f} to {float(after):.1f}"
    if ci is not None and is_number(ci[0]) and is_number(ci[1]):
        what = "rise" if change > 0 else "fall" if change < 0 else "change"
        span += f"; 95% CI of the {what} {float(ci[0]):.1f} to {float(ci[1]):.1f}, allowing "
        span += "for schools"
    span = f" ({span.lstrip('; ')})" if span else ""
    if round(change, 1) == 0:
        return f"{name} stayed about the same {scale}{span}"
    verb = "rose" if change > 0 else "fell"
    return f"{name} {verb} by {amount(change, unit)} {scale}{span}"


def _effect_clause(g: Any, low: Any, high: Any) -> str:
    if not is_number(g):
        return ""
    clause = f", a {effect_label(g)} change (effect size {float(g):.2f}"
    if is_number(low) and is_number(high):
        clause += f", 95% CI {float(low):.2f} to {float(high):.2f}"
        if float(low) <= 0 <= float(high):
            clause += "; this range includes no change, so it could be chance"
    return clause + ")"


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
