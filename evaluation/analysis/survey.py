"""What a survey view shows: the analysis bundle of one (already scoped) survey frame.

Pure (no streamlit): frames in, tidy tables out. The dashboard's impact section and the upload
page call :func:`survey_analysis`; the board pack calls :func:`likert_distribution`. Every
statistic is computed by :mod:`evaluation.stats`; this module only gathers and shapes them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation import columns as c
from evaluation.instruments import Instrument
from evaluation.stats.attrition import attrition
from evaluation.stats.comparisons import compare, compare_responses
from evaluation.stats.groups import group_index
from evaluation.stats.paired import CLUSTER_COLUMNS, individual_change, with_cluster_columns
from evaluation.stats.reliability import cronbach_alpha
from evaluation.stats.responses import Responses
from evaluation.stats.scoring import to_long

__all__ = [
    "DISTRIBUTION_COLUMNS",
    "SurveyAnalysis",
    "compare_clustered",
    "construct_changes",
    "item_means",
    "likert_distribution",
    "net_agreement",
    "survey_analysis",
]

DISTRIBUTION_COLUMNS = ["label_set", "item", "text", "phase", "score", "label", "n", "pct"]


@dataclass(frozen=True)
class SurveyAnalysis:
    """Every table a survey view shows, computed once from one wide survey frame.

    Attributes
    ----------
    results : DataFrame
        Change per construct and item (:func:`compare_clustered`: paired rows allow for
        teachers in the same Work Group).
    distribution : DataFrame
        Share of answers at each scale point (:func:`likert_distribution`).
    changes : DataFrame
        Each matched person's change (:func:`evaluation.stats.paired.individual_change`).
    attrition : DataFrame
        Who answered both surveys (:func:`evaluation.stats.attrition.attrition`).
    reliability : DataFrame
        Cronbach's alpha per phase and construct
        (:func:`evaluation.stats.reliability.cronbach_alpha`).
    """

    results: pd.DataFrame
    distribution: pd.DataFrame
    changes: pd.DataFrame
    attrition: pd.DataFrame
    reliability: pd.DataFrame

    def participation(self) -> dict[str, float]:
        """Who answered: ``n_pre, n_post, n_completers, pct_retained`` (empty when unknown).

        Examples
        --------
        >>> empty = pd.DataFrame()
        >>> SurveyAnalysis(empty, empty, empty, empty, empty).participation()
        {}
        """
        if self.attrition.empty:
            return {}
        row = self.attrition.iloc[0]
        return {
            key: float(row[key])
            for key in ("n_pre", "n_post", "n_completers", "pct_retained")
            if key in row
        }


def compare_clustered(
    long: pd.DataFrame,
    *,
    by: Sequence[str] = (),
    constructs: Collection[str] | None = None,
    cluster: str = c.WORK_GROUP,
    adjust: str | None = "holm",
) -> pd.DataFrame:
    """:func:`~evaluation.stats.comparisons.compare`, with paired rows allowing for clusters.

    Teachers are nested in Work Groups, so every view (the dashboard and the board pack) takes
    its change tables from here: paired rows gain the columns of
    ``paired_change(..., cluster=cluster)`` (:data:`evaluation.stats.paired.CLUSTER_COLUMNS`:
    the CR1 standard error by Work Group, its interval and ``cluster_note`` when there are too
    few Work Groups), which the readings quote and :func:`evaluation.stats.national.hub_effects`
    feeds into pooling. Unpaired rows, and every row when ``long`` has no ``cluster`` column,
    have them empty.

    Parameters
    ----------
    long : DataFrame
        :func:`evaluation.stats.scoring.to_long` rows carrying ``cluster`` (e.g. ``to_long(...,
        keys=(*by, "work_group"))``).
    by, constructs, adjust
        As :func:`~evaluation.stats.comparisons.compare`.
    cluster : str
        The column whose value clusters people.

    Examples
    --------
    >>> long = pd.DataFrame({"respondent_id": list("abcdefabcdef"),
    ...     "phase": ["pre"] * 6 + ["post"] * 6, "item": "conf_1",
    ...     "work_group": list("WWXXYY") * 2,
    ...     "score": [2.0, 3, 3, 2, 4, 3, 4, 4, 3, 4, 5, 3]})
    >>> row = compare_clustered(long).iloc[0]
    >>> int(row["n_clusters"]), row["cluster_note"].startswith("Only 3 Work Groups")
    (3, True)
    """
    by = list(by)
    if cluster not in long:
        results = compare(long, by=by, adjust=adjust, constructs=constructs)
        return results.assign(**{col: None for col in CLUSTER_COLUMNS})
    # One arrangement of the answers for both the comparison and the clustered errors: the
    # cluster columns are those of paired_change(..., cluster=cluster), row for row.
    responses = Responses.from_long(long, by, cluster)
    results = compare_responses(responses, by=by, adjust=adjust, constructs=constructs)
    if results.empty:
        return results.assign(**{col: None for col in CLUSTER_COLUMNS})
    out = with_cluster_columns(results.reset_index(drop=True), responses)
    unpaired = out["design"].ne("paired").to_numpy()
    for col in CLUSTER_COLUMNS:
        out[col] = out[col].astype(object if col == "cluster_note" else "float64")
        out.loc[unpaired, col] = None if col == "cluster_note" else float("nan")
    return out


def survey_analysis(frame: pd.DataFrame, instrument: Instrument) -> SurveyAnalysis:
    """The survey analysis bundle of one wide survey frame (participation to reliability).

    Parameters
    ----------
    frame : DataFrame
        Canonical wide survey rows, already narrowed to what the view shows.
    instrument : Instrument
        The frame's instrument.

    Returns
    -------
    SurveyAnalysis

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> frame = pd.DataFrame({"respondent_id": list("abcabc"), "phase": ["pre"] * 3 + ["post"] * 3,
    ...     "conf_1": [2.0, 3, 3, 4, 4, 5]})
    >>> bundle = survey_analysis(frame, default_instrument())
    >>> bundle.participation()["n_completers"]
    3.0
    """
    long = to_long(frame, instrument)
    return SurveyAnalysis(
        results=compare_clustered(long, constructs=instrument.constructs),
        distribution=likert_distribution(long, instrument),
        changes=individual_change(long),
        attrition=attrition(frame, instrument),
        reliability=cronbach_alpha(frame, instrument, by=[c.PHASE]),
    )


def likert_distribution(
    long: pd.DataFrame, instrument: Instrument, *, by: Sequence[str] = ()
) -> pd.DataFrame:
    """Share of answers at each scale point, per item and phase (as answered, not reverse-coded).

    Parameters
    ----------
    long : DataFrame
        Long survey rows ``[..., phase, item, score]`` (``evaluation.stats.scoring.to_long``);
        rows whose item is not an instrument item (construct scores) are ignored.
    instrument : Instrument
        Gives the scale, the labels and the question text.
    by : sequence of str
        Group columns of ``long``: each group gets the table its rows alone give (the items and
        phases it has), after its key columns, groups in key order (missing keys last).

    Returns
    -------
    DataFrame
        One row per label_set x item x phase x scale point: ``label_set, item, text, phase,
        score, label, n, pct`` (pct of that item's answers in that phase, 0-100). Scale points
        nobody chose appear with ``n = 0``.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> long = pd.DataFrame({"phase": ["pre", "pre", "post"], "item": ["conf_1"] * 3,
    ...                      "score": [2.0, 4.0, 5.0]})
    >>> d = likert_distribution(long, default_instrument())
    >>> pre = d[d["phase"] == "pre"]
    >>> pre["n"].tolist(), pre["pct"].tolist()
    ([0, 1, 0, 1, 0], [0.0, 50.0, 0.0, 50.0, 0.0])
    """
    scores = list(range(instrument.scale_min, instrument.scale_max + 1))
    if by:
        return _grouped_distribution(long, instrument, list(by), scores)
    items = [i for i in instrument.item_ids if i in set(long[c.ITEM].unique())] if len(long) else []
    phases = [p for p in ("pre", "post") if len(long) and p in set(long[c.PHASE].unique())]
    if not items or not phases:
        return pd.DataFrame({name: [] for name in DISTRIBUTION_COLUMNS})
    rows = long[long[c.ITEM].isin(items)]
    rounded = rows[c.SCORE].round().astype(int)
    counts = (
        pd.DataFrame({c.ITEM: rows[c.ITEM], c.PHASE: rows[c.PHASE], c.SCORE: rounded})
        .groupby([c.ITEM, c.PHASE, c.SCORE])
        .size()
    )
    grid = pd.MultiIndex.from_product([items, phases, scores], names=[c.ITEM, c.PHASE, c.SCORE])
    table = counts.reindex(grid, fill_value=0).rename("n").reset_index()
    totals = table.groupby([c.ITEM, c.PHASE])["n"].transform("sum")
    table["pct"] = np.where(totals > 0, 100.0 * table["n"] / totals.where(totals > 0, 1), np.nan)
    return _labelled(table, instrument, scores)[DISTRIBUTION_COLUMNS]


def _labelled(table: pd.DataFrame, instrument: Instrument, scores: list[int]) -> pd.DataFrame:
    """Adds each row's label set, question text and scale-point label; ``n`` as int."""
    meta = {i.item: i for i in instrument.items}
    table["label_set"] = table[c.ITEM].map(lambda i: meta[i].label_set)
    table["text"] = table[c.ITEM].map(lambda i: meta[i].text)
    labels = {
        ls: dict(zip(scores, instrument.point_labels(ls), strict=True))
        for ls in table["label_set"].unique()
    }
    table["label"] = [
        labels[ls][s] for ls, s in zip(table["label_set"], table[c.SCORE], strict=True)
    ]
    table["n"] = table["n"].astype(int)
    return table


def _grouped_distribution(
    long: pd.DataFrame, instrument: Instrument, by: list[str], scores: list[int]
) -> pd.DataFrame:
    """:func:`likert_distribution` of each group of ``long`` by ``by``, vectorised over groups."""
    codes, keys = group_index(long, by)
    n_groups = len(keys)
    items = list(instrument.item_ids)
    phases = ["pre", "post"]
    item_code = pd.Index(items).get_indexer(long[c.ITEM])
    phase_code = pd.Index(phases).get_indexer(long[c.PHASE])
    n_items, n_phases, n_scores = len(items), len(phases), len(scores)
    # Which items and phases each group has (phases: over all its rows, as for one group).
    has_item = np.zeros((n_groups, n_items), dtype=bool)
    has_item[codes[item_code >= 0], item_code[item_code >= 0]] = True
    has_phase = np.zeros((n_groups, n_phases), dtype=bool)
    has_phase[codes[phase_code >= 0], phase_code[phase_code >= 0]] = True
    answered = (item_code >= 0) & (phase_code >= 0)
    rounded = long[c.SCORE].to_numpy(dtype="float64")[answered].round().astype(int)
    score_code = rounded - scores[0]
    inside = (score_code >= 0) & (score_code < n_scores)
    cell = (
        (codes[answered] * n_items + item_code[answered]) * n_phases + phase_code[answered]
    ) * n_scores + score_code
    counts = np.bincount(cell[inside], minlength=n_groups * n_items * n_phases * n_scores)
    counts = counts.reshape(n_groups, n_items, n_phases, n_scores)
    keep = has_item[:, :, None] & has_phase[:, None, :]
    g, i, p = np.nonzero(keep)
    n = counts[g, i, p].reshape(-1)
    totals = np.repeat(counts[g, i, p].sum(axis=1), n_scores)
    table = keys.iloc[np.repeat(g, n_scores)].reset_index(drop=True)
    item_rows = np.repeat(i, n_scores)
    score_rows = np.tile(np.arange(n_scores), len(g))
    meta = {one.item: one for one in instrument.items}
    label_sets = [meta[item].label_set for item in items]
    point_labels = {ls: instrument.point_labels(ls) for ls in dict.fromkeys(label_sets)}
    label_grid = [label for ls in label_sets for label in point_labels[ls]]
    # Each text column taken from its few distinct values (Arrow's take, no Python strings).
    text = {
        c.ITEM: (items, item_rows),
        c.PHASE: (phases, np.repeat(p, n_scores)),
        "label_set": (label_sets, item_rows),
        "text": ([meta[item].text for item in items], item_rows),
        "label": (label_grid, item_rows * n_scores + score_rows),
    }
    for column, (values, rows) in text.items():
        table[column] = pd.array(np.array(values, dtype=object), dtype="str").take(rows)
    table[c.SCORE] = np.array(scores, dtype=np.int64)[score_rows]
    table["n"] = n.astype(np.int64)
    table["pct"] = np.where(
        totals > 0, 100.0 * n.astype("float64") / np.where(totals > 0, totals, 1), np.nan
    )
    return table[[*by, *DISTRIBUTION_COLUMNS]]


def net_agreement(distribution: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Percentage above the neutral point minus percentage below it, per item and phase.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> long = pd.DataFrame({"phase": ["post"] * 4, "item": ["conf_1"] * 4,
    ...                      "score": [1.0, 4.0, 5.0, 3.0]})
    >>> inst = default_instrument()
    >>> net_agreement(likert_distribution(long, inst), inst)["net_agreement"].tolist()
    [25.0]
    """
    middle = (instrument.scale_min + instrument.scale_max) / 2
    sign = np.sign(distribution[c.SCORE].astype(float) - middle)
    signed = distribution.assign(signed=sign * distribution["pct"])
    out = signed.groupby([c.ITEM, c.PHASE], sort=False)["signed"].sum().rename("net_agreement")
    return out.reset_index()


def item_means(results: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """The item rows of a comparison table, in instrument order, with their question text.

    Returns columns ``item, text, reverse, n_pre, n_post, n_paired, mean_pre, mean_post,
    mean_change, ci_low, ci_high`` (the rows of ``results`` whose item is an instrument item).

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> res = pd.DataFrame({"item": ["conf_2", "conf_1", "confidence"], "mean_pre": [3.0, 2.5, 2.7],
    ...                     "mean_post": [3.2, 3.5, 3.3]})
    >>> item_means(res, default_instrument())["item"].tolist()
    ['conf_1', 'conf_2']
    """
    wanted = ["n_pre", "n_post", "n_paired", "mean_pre", "mean_post", "mean_change"]
    wanted += ["ci_low", "ci_high"]
    rows = results[results[c.ITEM].isin(instrument.item_ids)].set_index(c.ITEM)
    rows = rows.reindex([i for i in instrument.item_ids if i in set(rows.index)])
    out = rows[[col for col in wanted if col in rows]].reset_index()
    out.insert(1, "text", [instrument.item(i).text for i in out[c.ITEM]])
    out.insert(2, "reverse", [instrument.item(i).reverse for i in out[c.ITEM]])
    return out


def construct_changes(results: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """The construct rows of a comparison table, in instrument order.

    Returns the columns of ``results`` (``item`` is the construct name) for rows whose item is
    one of the instrument's constructs.

    Examples
    --------
    >>> from evaluation.instruments import default_instrument
    >>> res = pd.DataFrame({"item": ["practice", "conf_1", "confidence"]})
    >>> construct_changes(res, default_instrument())["item"].tolist()
    ['confidence', 'practice']
    """
    rows = results[results[c.ITEM].isin(instrument.constructs)]
    order = {name: k for k, name in enumerate(instrument.constructs)}
    return rows.sort_values(c.ITEM, key=lambda s: s.map(order)).reset_index(drop=True)
