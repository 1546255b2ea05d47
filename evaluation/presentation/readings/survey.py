"""Readings of a survey view: the Likert charts, the item means and individual change."""

from __future__ import annotations

import pandas as pd

from evaluation import columns as c
from evaluation.analysis.survey import net_agreement
from evaluation.instruments import Instrument
from evaluation.presentation.readings.results import humanise, reading

__all__ = ["items_reading", "likert_reading", "reversed_note", "spread_reading"]


def likert_reading(
    distribution: pd.DataFrame, instrument: Instrument, *, label_set: str
) -> list[str]:
    """Which question had the most agreement after, and the biggest rise in agreement.

    Parameters
    ----------
    distribution : DataFrame
        :func:`evaluation.analysis.survey.likert_distribution`.
    instrument : Instrument
        The survey instrument (question texts).
    label_set : str
        The answer-label set of the chart ("agreement", "frequency").

    Examples
    --------
    >>> from evaluation.analysis.survey import likert_distribution
    >>> from evaluation.instruments import Instrument, Item
    >>> inst = Instrument("demo", (Item("q1", "I plan lessons", "c"),))
    >>> long = pd.DataFrame({"phase": ["pre", "post"], "item": "q1", "score": [2.0, 5.0]})
    >>> likert_reading(likert_distribution(long, inst), inst, label_set="agreement")[1]
    'The biggest shift was "I plan lessons": net -100 before, +100 after.'
    """
    data = distribution[distribution["label_set"].eq(label_set)]
    net = net_agreement(data, instrument)
    wide = net.pivot(index=c.ITEM, columns=c.PHASE, values="net_agreement")
    if "post" not in wide or wide["post"].isna().all():
        return ["No answers after the programme yet."]
    words = "agreement" if label_set == "agreement" else "positive answers"
    top = wide["post"].idxmax()
    lines = [
        f"After the programme, {humanise(top, instrument)} had the most {words} "
        f"(net {wide.loc[top, 'post']:+.0f} points: % positive minus % negative)."
    ]
    if "pre" in wide:
        rise = (wide["post"] - wide["pre"]).dropna()
        if len(rise):
            most = rise.idxmax()
            lines.append(
                f"The biggest shift was {humanise(most, instrument)}: net "
                f"{wide.loc[most, 'pre']:+.0f} before, {wide.loc[most, 'post']:+.0f} after."
            )
    return lines


def items_reading(results: pd.DataFrame, instrument: Instrument) -> list[str]:
    """The question whose mean moved most, in words.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> items_reading(pd.DataFrame({"item": ["conf_1"], "mean_change": [None]}),
    ...               default_instrument())
    ['No question has answers both before and after yet.']
    """
    items = results[results[c.ITEM].isin(instrument.item_ids) & results["mean_change"].notna()]
    if items.empty:
        return ["No question has answers both before and after yet."]
    biggest = items.loc[items["mean_change"].abs().idxmax()]
    return [
        "Hollow orange circles are the average answer before; blue dots after.",
        "Largest movement: " + reading(biggest, instrument=instrument),
        "For reversed questions a fall is good news.",
    ]


def spread_reading(row: pd.Series) -> str:
    """How many improved, stayed the same or declined (columns of a results row).

    Examples
    --------
    >>> spread_reading(pd.Series({"pct_improved": 60.0, "pct_same": 30.0, "pct_declined": 10.0}))
    '60% of matched people improved, 30% stayed the same and 10% declined.'
    """
    if pd.isna(row.get("pct_improved")):
        return "Nobody could be matched before and after, so individual change is unknown."
    return (
        f"{row['pct_improved']:.0f}% of matched people improved, {row['pct_same']:.0f}% "
        f"stayed the same and {row['pct_declined']:.0f}% declined."
    )


def reversed_note(outcome: str, instrument: Instrument) -> str | None:
    """A warning to show under charts of a reversed question (None for anything else).

    Examples
    --------
    >>> from evaluation.instruments import Instrument, Item
    >>> inst = Instrument("demo", (Item("anx_1", "I feel anxious", "c", reverse=True),))
    >>> reversed_note("anx_1", inst).split(":")[0]
    '"I feel anxious" is a reversed question'
    >>> reversed_note("c", inst) is None
    True
    """
    if outcome not in instrument.item_ids or not instrument.item(outcome).reverse:
        return None
    text = instrument.item(outcome).text.strip()
    return (
        f'"{text}" is a reversed question: agreeing is a bad sign, so a fall (below zero) is '
        "good news here. The scale scores (Confidence, Subject knowledge, Practice) already "
        "turn it round."
    )
