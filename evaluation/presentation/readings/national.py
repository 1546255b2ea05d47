"""Readings of the hub and national views: pooled effects, funnels, trends, the hub beside
the national value and who took part.

Each sentence is written once here; the dashboard and the board pack both call these. The
suppression minimum quoted is the one in configuration (``$IMPACT_MIN_N``) unless passed.
"""

from __future__ import annotations

import pandas as pd

from evaluation import columns as c
from evaluation.access import MIN_POOLED_HUBS
from evaluation.presentation.readings.results import chance_clause
from evaluation.presentation.readings.words import (
    hidden_hubs_note,
    hidden_note,
    is_number,
    num,
    outcome_name,
    plural,
)
from evaluation.stats.disclosure import SUPPRESSED_SYMBOL
from evaluation.stats.national import funnel_data

__all__ = [
    "REVERSED_MARK",
    "EFFECT_NAMES",
    "band_reading",
    "effect_name",
    "funnel_reading",
    "hub_beside_national_reading",
    "national_value_hidden_note",
    "own_hub_view_note",
    "overview_reading",
    "participation_reading",
    "pooled_reading",
    "trend_reading",
]

# The heatmap's column labels stay short (long ones are cut off above the chart); its reading
# spells out what the mark means.
REVERSED_MARK = "reversed"

# What a pooled or hub effect is called. Pooled national values are d_z (standardised by the SD
# of the changes) or raw scale points: Cohen's words (small/medium/large) are defined for
# between-group-comparable effects such as g_av, so they are never attached to either.
EFFECT_NAMES = {
    "d_z": "standardised change (d_z)",
    "mean_change": "mean change in scale points",
}


def effect_name(effect: object) -> str:
    """The exact name of a pooled effect, for sentences (``d_z`` when unknown).

    Examples
    --------
    >>> effect_name("d_z"), effect_name("mean_change")
    ('standardised change (d_z)', 'mean change in scale points')
    """
    return EFFECT_NAMES.get(str(effect), EFFECT_NAMES["d_z"])


def _flags(table: pd.DataFrame, column: str) -> pd.Series:
    if column not in table:
        return pd.Series(False, index=table.index)
    return table[column].fillna(False).astype(bool)


def overview_reading(overview: pd.DataFrame) -> list[str]:
    """What the project-by-outcome heatmap says, in two sentences (and the reversed mark).

    The effect is named from the table's ``effect`` column (d_z when absent); no Cohen word.

    Examples
    --------
    >>> t = pd.DataFrame({"ncp": ["P", "Q"], "item": ["confidence"] * 2,
    ...     "estimate": [0.4, 0.6], "ci_low": [0.2, 0.3], "ci_high": [0.6, 0.9], "k": [4, 3]})
    >>> overview_reading(t)[1]
    'The largest pooled standardised change (d_z) is Confidence in Q (0.60, 95% CI 0.30 to 0.90, 3 hubs).'
    """  # noqa: E501
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
        f"{plural(usable[c.NCP].nunique(), 'project')} could be pooled across hubs.",
        f"The largest pooled {effect_name(best.get('effect', 'd_z'))} is "
        f"{outcome_name(str(best[c.ITEM]))} in "
        f"{best[c.NCP]} ({num(best['estimate']):.2f}, 95% CI {num(best['ci_low']):.2f} to "
        f"{num(best['ci_high']):.2f}, {plural(int(best['k']), 'hub')}).",
        "Blue is a rise, orange a fall; the scales are scored so that a rise is good news. "
        "Each cell shows the pooled effect and k, the number of hubs pooled.",
    ]
    if marked.any():
        lines.append(
            f'Questions marked ({REVERSED_MARK}) are worded negatively, like "I feel anxious '
            'when...": for them orange, a fall, is good news.'
        )
    return lines


def pooled_reading(
    pooled: pd.Series | dict,
    *,
    outcome: str,
    ncp: str,
    min_n: int | None = None,
    hubs: pd.DataFrame | None = None,
) -> list[str]:
    """The pooled effect of one project, heterogeneity and prediction interval in words.

    The one wording of a pooled effect: the national page's forest plot and the national
    project report both use it. It says how many hubs are combined, names the effect exactly
    (:func:`effect_name`, from ``pooled["effect"]``) and never attaches Cohen's words to it;
    "could be chance" is :func:`~evaluation.presentation.readings.results.chance_clause`'s.

    Parameters
    ----------
    pooled : Series or dict
        :func:`evaluation.stats.national.pool_hubs` (``k``, ``k_suppressed``, ``estimate``,
        ``ci_low``, ``ci_high``, ``i2`` in percent, ``pi_low``, ``pi_high``, ``effect``,
        ``test``).
    outcome, ncp : str
        What was pooled.
    min_n : int, optional
        The suppression minimum (default ``$IMPACT_MIN_N`` or 5).
    hubs : DataFrame, optional
        The hub table behind the pool; when given, hidden hubs are explained by their
        ``suppression_kind`` (:func:`~evaluation.presentation.readings.words.hidden_hubs_note`).

    Examples
    --------
    >>> row = {"k": 4, "k_suppressed": 1, "estimate": 0.42, "ci_low": 0.2, "ci_high": 0.64,
    ...        "i2": 30.0, "pi_low": -0.1, "pi_high": 0.9, "effect": "d_z", "test": "knha"}
    >>> for line in pooled_reading(row, outcome="confidence", ncp="P", min_n=10):
    ...     print(line)
    Pooling 4 hubs, the standardised change (d_z) in confidence in P is 0.42 (95% CI 0.20 to 0.64, Knapp-Hartung).
    I² = 30%: the share of the differences between hubs that is more than chance.
    A new hub's effect would probably lie between -0.10 and 0.90.
    1 hub left out [c]: fewer than 10 people.
    """  # noqa: E501
    pooled = pd.Series(pooled)
    k, hidden = (
        int(num(pooled.get(key, 0)) if is_number(pooled.get(key)) else 0)
        for key in ("k", "k_suppressed")
    )
    estimate = num(pooled.get("estimate"))
    if k == 0 or estimate != estimate:
        return [f"No hub in {ncp} has enough matched respondents to show."]
    interval = f"95% CI {num(pooled['ci_low']):.2f} to {num(pooled['ci_high']):.2f}"
    if str(pooled.get("test", "")) == "knha":
        interval += ", Knapp-Hartung"
    chance = chance_clause(pooled, low="ci_low", high="ci_high")
    lines = [
        f"Pooling {plural(k, 'hub')}, the {effect_name(pooled.get('effect', 'd_z'))} in "
        f"{outcome_name(outcome).lower()} in {ncp} is {estimate:.2f} ({interval})"
        + (f": {chance}." if chance else ".")
    ]
    i2 = num(pooled.get("i2"))
    if i2 == i2:  # not NaN; i2 is already a percentage
        lines.append(
            f"I² = {i2:.0f}%: the share of the differences between hubs that is more than chance."
        )
    low, high = num(pooled.get("pi_low")), num(pooled.get("pi_high"))
    if low == low and high == high:
        lines.append(f"A new hub's effect would probably lie between {low:.2f} and {high:.2f}.")
    if hubs is not None:
        lines += hidden_hubs_note(hubs, min_n=min_n)
    elif hidden:
        lines.append(hidden_note(hidden, "hub", verb="left out", min_n=min_n))
    return lines


def funnel_reading(
    hubs: pd.DataFrame, pooled: pd.Series, *, effect: str, min_n: int | None = None
) -> list[str]:
    """How many hubs fall outside the funnel's control limits.

    Examples
    --------
    >>> t = pd.DataFrame({"hub": ["A", "B"], "n_paired": [20.0, None], "d_z": [0.3, None],
    ...     "d_z_se": [0.23, None], "sd_change": [1, None], "suppressed": [False, True]})
    >>> funnel_reading(t, pd.Series({"estimate": 0.3, "tau2": 0.0}), effect="d_z", min_n=10)[-1]
    '1 hub not drawn [c]: fewer than 10 people.'
    """
    data = funnel_data(hubs, pooled, effect=effect)
    bands = data.points["band"].value_counts()
    outside = int(bands.get("outside 95%", 0)) + int(bands.get("outside 99.8%", 0))
    lines = [
        f"{plural(len(data.points), 'hub')} shown; {outside} outside the 95% limits "
        f"({int(bands.get('outside 99.8%', 0))} outside 99.8%).",
        "Hubs inside the funnel differ from the national value no more than chance would "
        "explain; small hubs naturally scatter more.",
    ]
    if data.hidden:
        if "suppressed" in hubs:
            lines += hidden_hubs_note(hubs, verb="not drawn", min_n=min_n)
        else:
            lines.append(hidden_note(len(data.hidden), "hub", verb="not drawn", min_n=min_n))
    return lines


def trend_reading(trend: pd.DataFrame, *, min_n: int | None = None) -> list[str]:
    """First and latest year of the trend's own series, against the national line.

    Examples
    --------
    >>> t = pd.DataFrame({"level": ["hub", "hub"], "series": "A", "estimate": [0.3, 0.5],
    ...     "academic_year": ["2023/24", "2024/25"], "suppressed": [False, False]})
    >>> trend_reading(t)[0]
    'A: 0.30 in 2023/24, 0.50 in 2024/25.'
    """
    own = trend[trend["level"].ne("national") & trend["estimate"].notna()]
    if own.empty:
        return ["Not enough matched respondents in any year to draw a trend."]
    first, last = own.iloc[0], own.iloc[-1]
    lines = [
        f"{first['series']}: {num(first['estimate']):.2f} in {first[c.ACADEMIC_YEAR]}"
        + (
            f", {num(last['estimate']):.2f} in {last[c.ACADEMIC_YEAR]}."
            if len(own) > 1
            else " (one year so far)."
        )
    ]
    hidden = int(_flags(trend, "suppressed").sum())
    if hidden:
        lines.append(hidden_note(hidden, "year", min_n=min_n))
    lines.append("Overlapping intervals mean the years may not really differ.")
    return lines


def participation_reading(table: pd.DataFrame, *, hub: str, min_n: int | None = None) -> list[str]:
    """Totals of the participation table in words (hidden rows say so).

    Examples
    --------
    >>> t = pd.DataFrame({"academic_year": "2024/25", "ncp": ["P", "Q"],
    ...     "participants": [12.0, None], "schools": [3.0, None], "work_groups": [1.0, None],
    ...     "suppressed": [False, True]})
    >>> participation_reading(t, hub="A", min_n=10)[:2]
    ['A: 12 participants from 3 schools in 1 Work Group, across 1 project and 1 year.', '1 project-year hidden [c]: fewer than 10 participants.']
    """  # noqa: E501
    shown = table[~_flags(table, "suppressed")]
    years = table[c.ACADEMIC_YEAR].nunique()
    people = int(shown["participants"].sum())
    schools, groups = int(shown["schools"].sum()), int(shown["work_groups"].sum())
    where = []
    if schools:
        where.append(f"from {plural(schools, 'school')}")
    if groups:
        where.append(f"in {plural(groups, 'Work Group')}")
    lines = [
        f"{hub}: {people:,} participants {' '.join(where)}".rstrip()
        + f", across {plural(shown[c.NCP].nunique(), 'project')} and {plural(years, 'year')}."
    ]
    hidden = len(table) - len(shown)
    if hidden:
        lines.append(hidden_note(hidden, "project-year", who="participants", min_n=min_n))
    lines.append("People and schools are counted once per project and year.")
    return lines


def band_reading(row: pd.Series) -> str:
    """Where the hub's effect falls against the national funnel limits, in a few words.

    ``row`` is one row of :func:`evaluation.analysis.hub_beside_national`.

    Examples
    --------
    >>> band_reading(pd.Series({"hub_suppressed": False, "band": "outside 95%",
    ...     "hub_estimate": 0.9, "national_estimate": 0.4}))
    'above expected range (95%)'
    """
    if bool(row.get("hub_suppressed", False)):
        return f"{SUPPRESSED_SYMBOL} {row.get('hub_suppression_reason') or 'hidden'}"
    if bool(row.get("national_suppressed", False)):
        reason = row.get("national_suppression_reason") or "hidden"
        return f"national value hidden, {reason}"
    band = row.get("band")
    if not isinstance(band, str):
        return "no national value"
    if band == "within":
        return "within expected range"
    direction = "above" if num(row["hub_estimate"]) > num(row["national_estimate"]) else "below"
    if band == "outside 99.8%":
        return f"well {direction} expected range (99.8%)"
    return f"{direction} expected range (95%)"


def hub_beside_national_reading(
    table: pd.DataFrame, *, hub: str, min_n: int | None = None
) -> list[str]:
    """The hub beside the national value in words: which results lie outside the funnel.

    ``table`` is :func:`evaluation.analysis.hub_beside_national`. The hub page (one outcome)
    and the board pack (every outcome, each line led by the outcome's name) show these same
    sentences under the same chart.

    Examples
    --------
    >>> t = pd.DataFrame({"ncp": ["P", "Q"], "item": "confidence", "hub_estimate": [0.9, None],
    ...     "national_estimate": [0.4, 0.3], "hub_suppressed": [False, True],
    ...     "national_suppressed": [False, False], "band": ["outside 95%", None]})
    >>> for line in hub_beside_national_reading(t, hub="A", min_n=10):
    ...     print(line)
    Squares are A's standardised change (d_z) with its 95% CI; open diamonds are the national pooled value for the same project.
    Above the range expected by chance around the national value: P.
    1 project hidden [c]: fewer than 10 matched people.
    """  # noqa: E501
    lines = [
        f"Squares are {hub}'s {effect_name('d_z')} with its 95% CI; open diamonds are the "
        "national pooled value for the same project."
    ]
    outcomes = list(dict.fromkeys(table[c.ITEM])) if len(table) else []
    for outcome in outcomes:
        rows = table[table[c.ITEM].eq(outcome)]
        lead = f"{outcome_name(str(outcome))}: " if len(outcomes) > 1 else ""
        lines += [lead + line for line in _outcome_lines(rows, min_n=min_n)]
    return lines


def _outcome_lines(rows: pd.DataFrame, *, min_n: int | None) -> list[str]:
    """The sentences about one outcome of the hub-beside-national table."""
    hub_hidden = _flags(rows, "hub_suppressed")
    shown = rows[~hub_hidden]
    band = shown["band"] if "band" in shown else pd.Series(None, index=shown.index)
    judged = shown.loc[[isinstance(b, str) for b in band]]
    outside = judged.loc[[b != "within" for b in judged.get("band", [])]]
    higher = pd.to_numeric(outside["hub_estimate"]) > pd.to_numeric(outside["national_estimate"])
    lines = []
    for words, picked in (("Above", outside[higher]), ("Below", outside[~higher])):
        if len(picked):
            lines.append(
                f"{words} the range expected by chance around the national value: "
                + ", ".join(picked[c.NCP].astype(str))
                + "."
            )
    if len(judged) and outside.empty:
        lines.append(
            "Every project lies within the range expected by chance around the national value."
        )
    hidden = int(hub_hidden.sum())
    if hidden:
        lines.append(hidden_note(hidden, "project", who="matched people", min_n=min_n))
    national_hidden = rows[_flags(rows, "national_suppressed") & ~hub_hidden]
    if len(national_hidden):
        reasons = national_hidden["national_suppression_reason"].fillna("hidden").astype(str)
        lines.append(
            f"{plural(len(national_hidden), 'national value')} hidden {SUPPRESSED_SYMBOL}: "
            f"{reasons.iloc[0]}."
        )
    return lines


def own_hub_view_note(hub: str, *, min_hubs: int = MIN_POOLED_HUBS) -> str:
    """What a hub or lead viewer sees on the national page, and why thin pools are hidden.

    Examples
    --------
    >>> own_hub_view_note("Solent Maths Hub").split(". ")[1]
    "A national value that pools fewer than 3 hubs is hidden [c], so no other hub's result can be worked out."
    """  # noqa: E501
    return (
        f"You see the national pooled values and {hub}'s own results, never another hub's. "
        f"A national value that pools fewer than {min_hubs} hubs is hidden {SUPPRESSED_SYMBOL}, "
        "so no other hub's result can be worked out."
    )


def national_value_hidden_note(ncp: str, *, hub: str, min_hubs: int = MIN_POOLED_HUBS) -> str:
    """Why a project's national value is hidden from a hub or lead viewer.

    Examples
    --------
    >>> national_value_hidden_note("P", hub="A")
    "The national value for P is hidden [c]: it pools fewer than 3 hubs. A's own result is in the table."
    """  # noqa: E501
    return (
        f"The national value for {ncp} is hidden {SUPPRESSED_SYMBOL}: it pools fewer than "
        f"{min_hubs} hubs. {hub}'s own result is in the table."
    )
