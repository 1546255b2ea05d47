"""What is kept for groups of survey rows: the result tables the pages draw, one set per group.

A participation group (academic year x hub x NCP x Work Group) keeps what the Work Group impact
page shows for it; a hub level (academic year x hub x NCP) keeps the per-hub comparison the Hub
overview and National comparison pages pool. The statistics are vectorised over groups and
every one of them is computed from its own group's rows alone, in those rows' order (sums run
over a group's values in row order, people are matched within a group), so the tables of a
group are the same bits whichever other groups are computed beside it;
``tests/test_results_store.py`` checks this against one group at a time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation import columns as c
from evaluation.instruments import Instrument
from evaluation.stats.attrition import attrition
from evaluation.stats.comparisons import compare
from evaluation.stats.groups import group_index
from evaluation.stats.paired import individual_change
from evaluation.stats.reliability import cronbach_alpha
from evaluation.stats.scoring import to_long
from evaluation.store.results import GROUP_KEYS, HUB_KEYS

__all__ = ["GROUP_TABLES", "HUB_TABLES", "group_tables", "hub_tables", "impact_table"]

GROUP_TABLES = ("results", "changes", "attrition", "reliability")
HUB_TABLES = ("results",)


def impact_table(name: str, frame: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """One impact table (a name of :data:`GROUP_TABLES`) of a selection of wide survey rows.

    What the Work Group impact page shows for a selection, computed for it alone.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> wide = pd.DataFrame({"respondent_id": ["a", "a"], "phase": ["pre", "post"],
    ...                      "conf_1": [2.0, 4.0]})
    >>> impact_table("changes", wide, default_instrument())["change"].tolist()
    [2.0, 2.0]
    """
    if name == "attrition":
        return attrition(frame, instrument)
    if name == "reliability":
        return cronbach_alpha(frame, instrument, by=[c.PHASE])
    long = to_long(frame, instrument)
    if name == "changes":
        return individual_change(long)
    if name == "results":
        return compare(long, constructs=instrument.constructs)
    raise ValueError(f"no impact table called {name!r}; choose one of {GROUP_TABLES}")


def group_tables(frame: pd.DataFrame, instrument: Instrument) -> dict[str, list[pd.DataFrame]]:
    """The impact tables of every participation group in a wide survey frame, keyed by group.

    Returns
    -------
    dict
        ``results`` (:func:`~evaluation.stats.comparisons.compare`), ``changes``
        (:func:`~evaluation.stats.paired.individual_change`), ``attrition`` and ``reliability``
        (Cronbach's alpha per phase), each a list of tables with the :data:`GROUP_KEYS`
        columns first. Without them, one group's rows are what the Work Group impact page
        computes for that group. Reliability leaves out the items nobody in the data answered,
        so it is computed for groups that answered the same items together.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> wide = pd.DataFrame({"respondent_id": ["a", "a", "b", "b"],
    ...                      "phase": ["pre", "post"] * 2, "academic_year": "2024/25",
    ...                      "hub": "H", "ncp": "P", "work_group": ["W1", "W1", "W2", "W2"],
    ...                      "conf_1": [2.0, 4.0, 3.0, 4.0]})
    >>> tables = group_tables(wide, default_instrument())
    >>> tables["results"][0].query("item == 'conf_1'")[["work_group", "n_pre"]].values.tolist()
    [['W1', 1], ['W2', 1]]
    """
    keys = list(GROUP_KEYS)
    long = to_long(frame, instrument, keys=keys)
    return {
        "results": [compare(long, by=keys, constructs=instrument.constructs)],
        "changes": [individual_change(long, by=keys)],
        "attrition": [attrition(frame, instrument, by=keys)],
        "reliability": [
            cronbach_alpha(frame.iloc[rows], instrument, by=[*keys, c.PHASE])
            for rows in _same_items(frame, instrument, keys)
        ],
    }


def _same_items(frame: pd.DataFrame, instrument: Instrument, keys: list[str]) -> list[list[int]]:
    """Row positions of the groups that answered the same items, one list per such set."""
    items = [i for i in instrument.item_ids if i in frame]
    codes, _ = group_index(frame, keys)
    answered = frame[items].notna().groupby(codes).any()
    signature = answered.apply(lambda row: tuple(row.to_numpy()), axis=1)
    label = pd.factorize(signature)[0]
    per_row = label[codes]
    return [
        np.flatnonzero(per_row == n).tolist() for n in range(label.max() + 1 if len(label) else 0)
    ]


def hub_tables(frame: pd.DataFrame, instrument: Instrument) -> dict[str, list[pd.DataFrame]]:
    """The hub levels' ``results``: ``compare`` by academic year, hub and NCP.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> wide = pd.DataFrame({"respondent_id": ["a", "a", "b", "b"],
    ...                      "phase": ["pre", "post"] * 2, "academic_year": "2024/25",
    ...                      "hub": "H", "ncp": "P", "conf_1": [2.0, 4.0, 3.0, 4.0]})
    >>> hub_tables(wide, default_instrument())["results"][0]["hub"].unique().tolist()
    ['H']
    """
    keys = list(HUB_KEYS)
    long = to_long(frame, instrument, keys=keys)
    return {"results": [compare(long, by=keys, constructs=instrument.constructs)]}
