"""What is kept for groups of survey rows: the result tables the pages draw, one set per group.

A participation group (academic year x hub x NCP x Work Group) keeps what the Work Group impact
page shows for it; a hub level (academic year x hub x NCP) keeps the per-hub comparison the Hub
overview and National comparison pages pool. The statistics are vectorised over groups and
every one of them is computed from its own group's rows alone, in those rows' order (sums run
over a group's values in row order, people are matched within a group), so the tables of a
group hold the same values, to the bit, whichever other groups are computed beside it;
``tests/test_results_store.py`` checks this against one group at a time. (Their encoded bytes
can differ: a column empty in every group computed together is stored with Arrow's null type,
and as text when another group fills it; both decode to the same table.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from evaluation import columns as c
from evaluation.analysis.survey import compare_clustered, likert_distribution, survey_analysis
from evaluation.instruments import Instrument
from evaluation.stats.attrition import attrition
from evaluation.stats.groups import group_index
from evaluation.stats.paired import individual_change
from evaluation.stats.reliability import cronbach_alpha
from evaluation.stats.scoring import to_long
from evaluation.store.results import GROUP_KEYS, GROUP_TABLES, HUB_KEYS

__all__ = [
    "GROUP_TABLES",
    "HUB_TABLES",
    "group_tables",
    "hub_tables",
    "impact_table",
    "within_groups",
]

HUB_TABLES = ("results",)


def impact_table(name: str, frame: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """One impact table (a name of :data:`GROUP_TABLES`) of a selection of wide survey rows.

    What the Work Group impact page shows for that selection
    (:func:`evaluation.analysis.survey_analysis`), computed for it alone.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> wide = pd.DataFrame({"respondent_id": ["a", "a"], "phase": ["pre", "post"],
    ...                      "conf_1": [2.0, 4.0]})
    >>> impact_table("changes", wide, default_instrument())["change"].tolist()
    [2.0, 2.0]
    """
    if name not in GROUP_TABLES:
        raise ValueError(f"no impact table called {name!r}; choose one of {GROUP_TABLES}")
    return getattr(survey_analysis(frame, instrument), name)


def group_tables(frame: pd.DataFrame, instrument: Instrument) -> dict[str, list[pd.DataFrame]]:
    """The impact tables of every participation group in a wide survey frame, keyed by group.

    Returns
    -------
    dict
        ``results`` (:func:`~evaluation.analysis.survey.compare_clustered`), ``distribution``
        (:func:`~evaluation.analysis.survey.likert_distribution`), ``changes``
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
    frame = within_groups(frame, keys)
    long = to_long(frame, instrument, keys=keys, categorical=True)
    return {
        "results": [compare_clustered(long, by=keys, constructs=instrument.constructs)],
        "distribution": [likert_distribution(long, instrument, by=keys)],
        "changes": [_unqualified(individual_change(long, by=keys))],
        "attrition": [attrition(frame, instrument, by=keys)],
        "reliability": [
            cronbach_alpha(frame.iloc[rows], instrument, by=[*keys, c.PHASE])
            for rows in _same_items(frame, instrument, keys)
        ],
    }


def within_groups(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``frame`` with each ``respondent_id`` prefixed by its group's number (missing stays so).

    The statistics match a person's answers by identifier across the whole frame they are given
    (construct scores use the items a person answered both before and after); prefixing keeps
    every match inside one group, so that each group's tables are what its rows alone give. The
    prefix keeps the order of identifiers within a group; :func:`_unqualified` removes it.

    Examples
    --------
    >>> wide = pd.DataFrame({"hub": ["A", "B", "A"], "respondent_id": ["x", "x", None]})
    >>> within_groups(wide, ["hub"])["respondent_id"].tolist()
    ['000000|x', '000001|x', nan]
    """
    codes, groups = group_index(frame, keys)
    ids = frame[c.RESPONDENT_ID]
    # Each group's prefix written once, then taken for its rows (in Arrow: no Python strings).
    numbers = pd.array(np.array([f"{n:06d}|" for n in range(len(groups))], dtype=object), "str")
    prefix = pd.Series(numbers.take(codes), index=frame.index)
    prefixed = prefix + ids.astype("str")
    return frame.assign(**{c.RESPONDENT_ID: prefixed.where(ids.notna())})


def _unqualified(table: pd.DataFrame) -> pd.DataFrame:
    if c.RESPONDENT_ID in table and len(table):
        ids = table[c.RESPONDENT_ID]
        if isinstance(ids.array, pd.arrays.ArrowStringArray):  # in Arrow: no Python strings
            parts = pc.split_pattern(pa.array(ids.array), "|", max_splits=1)
            rest = pd.array(pc.list_element(parts, 1), dtype=ids.dtype)
            table[c.RESPONDENT_ID] = pd.Series(rest, index=ids.index)
        else:
            table[c.RESPONDENT_ID] = ids.str.split("|", n=1).str[1].astype(ids.dtype)
    return table


def _same_items(frame: pd.DataFrame, instrument: Instrument, keys: list[str]) -> list[list[int]]:
    """Row positions of the groups that answered the same items, one list per such set."""
    items = [i for i in instrument.item_ids if i in frame]
    codes, _ = group_index(frame, keys)
    answered = frame[items].notna().groupby(codes).any().to_numpy(dtype=bool)
    # Number the distinct rows (sets of items) in order of first appearance, as factorize would.
    label = np.zeros(len(answered), dtype=np.intp)
    if len(answered):
        _, first, inverse = np.unique(answered, axis=0, return_index=True, return_inverse=True)
        rank = np.empty(len(first), dtype=np.intp)
        rank[np.argsort(first)] = np.arange(len(first))
        label = rank[inverse.ravel()]
    per_row = label[codes]
    return [
        np.flatnonzero(per_row == n).tolist() for n in range(label.max() + 1 if len(label) else 0)
    ]


def hub_tables(frame: pd.DataFrame, instrument: Instrument) -> dict[str, list[pd.DataFrame]]:
    """The hub levels' ``results``: ``compare_clustered`` by academic year, hub and NCP.

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
    long = to_long(
        within_groups(frame, keys), instrument, keys=[*keys, c.WORK_GROUP], categorical=True
    )
    return {"results": [compare_clustered(long, by=keys, constructs=instrument.constructs)]}
