"""The one entry point for "what changed?": paired where people can be matched, else unpaired.

:func:`compare` picks the design per group x item, labels every row with it and applies the
multiplicity adjustment across the combined table.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Literal

import pandas as pd

from evaluation.stats.multiplicity import adjust_table
from evaluation.stats.paired import RESULT_COLUMNS, ZERO_METHODS, paired_table
from evaluation.stats.responses import Responses
from evaluation.stats.unpaired import UNMATCHED, unpaired_table

__all__ = [
    "DESIGNS",
    "MIN_PAIRED",
    "ONE_MATCHED",
    "compare",
    "compare_responses",
    "overall_design",
]

DESIGNS = ("auto", "paired", "unpaired")
# A group x item is analysed as paired when at least this many people answered before and after.
MIN_PAIRED = 2
ONE_MATCHED = (
    "Only one person answered both before and after, so this compares everyone's answers as two "
    "separate groups (weaker evidence): there are no individual changes (sd_change, d_z, "
    "% improved)."
)


def _one_matched(reason: str | None) -> str | None:
    """Reason for an unpaired row chosen because only one person could be matched."""
    if reason is None:
        return None
    return reason.replace(UNMATCHED, ONE_MATCHED)


def compare(
    long: pd.DataFrame,
    *,
    by: Sequence[str] = (),
    design: Literal["auto", "paired", "unpaired"] = "auto",
    adjust: str | None = "holm",
    zero_method: str = "wilcox",
    constructs: Collection[str] | None = None,
) -> pd.DataFrame:
    """Change from pre to post for every group x item, paired where people can be matched.

    Parameters
    ----------
    long : DataFrame
        ``[*by, respondent_id, phase, item, score]`` from :func:`evaluation.stats.scoring.to_long`.
    by : sequence of str
        Group keys, e.g. ``["hub", "ncp"]``.
    design : {"auto", "paired", "unpaired"}
        ``"auto"`` (default): paired for a group x item when at least two respondents answered
        before and after (matched by ``respondent_id``), otherwise unpaired. ``"paired"`` /
        ``"unpaired"`` force one design for every row.
    adjust : {"holm", "bh"} or None
        Multiplicity adjustment of ``p_t`` within each family (the items of one group; construct
        scores form their own family), applied after the designs are chosen.
    zero_method : {"wilcox", "pratt", "zsplit"}
        Zero differences in the Wilcoxon test (paired rows).
    constructs : collection of str, optional
        Which ``item`` values are construct scores (default: the default instrument's).

    Returns
    -------
    DataFrame
        ``*by`` and the columns of :func:`evaluation.stats.paired.paired_change` (paired rows) or
        :func:`evaluation.stats.unpaired.unpaired_change` (unpaired rows), one row per group x item,
        sorted by the keys; ``design`` says which each row used.

    Examples
    --------
    >>> long = pd.DataFrame({
    ...     "hub": ["A"] * 6 + ["B"] * 5,
    ...     "respondent_id": ["a", "b", "c", "a", "b", "c", "x", "y", "z", "v", "w"],
    ...     "phase": ["pre"] * 3 + ["post"] * 3 + ["pre"] * 3 + ["post"] * 2,
    ...     "item": "conf_1", "score": [2.0, 3, 3, 3, 4, 5, 2, 3, 3, 4, 5]})
    >>> compare(long, by=["hub"])[["hub", "design", "n_paired", "n_pre", "n_post"]].values.tolist()
    [['A', 'paired', 3, 3, 3], ['B', 'unpaired', 0, 3, 2]]
    """
    by = list(by)
    _check(design, zero_method)
    return compare_responses(
        Responses.from_long(long, by),
        by=by,
        design=design,
        adjust=adjust,
        zero_method=zero_method,
        constructs=constructs,
    )


def _check(design: str, zero_method: str) -> None:
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {DESIGNS}, not {design!r}")
    if zero_method not in ZERO_METHODS:
        raise ValueError(f"zero_method must be one of {ZERO_METHODS}, not {zero_method!r}")


def compare_responses(
    responses: Responses,
    *,
    by: Sequence[str] = (),
    design: Literal["auto", "paired", "unpaired"] = "auto",
    adjust: str | None = "holm",
    zero_method: str = "wilcox",
    constructs: Collection[str] | None = None,
) -> pd.DataFrame:
    """:func:`compare` of responses already arranged, one row per group in their order.

    For a caller that needs the same :class:`~evaluation.stats.responses.Responses` for more
    than the comparison (:func:`evaluation.analysis.survey.compare_clustered` adds cluster
    columns from them): they are then built once.

    Parameters
    ----------
    responses : Responses
        ``Responses.from_long(long, by)`` (a cluster column, if any, is not used here).
    by, design, adjust, zero_method, constructs
        As :func:`compare`, whose table this returns (on a default index, rows in the order
        of ``responses.groups``).

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> long = pd.DataFrame({"respondent_id": list("abc") * 2, "item": "conf_1",
    ...                      "phase": ["pre"] * 3 + ["post"] * 3, "score": [2.0, 3, 3, 3, 4, 5]})
    >>> table = compare_responses(Responses.from_long(long, []))
    >>> table.equals(compare(long))
    True
    """
    by = list(by)
    _check(design, zero_method)
    if design == "unpaired":
        table = unpaired_table(responses)
    else:
        table = paired_table(responses, zero_method=zero_method)
        n_paired = table["n_paired"].to_numpy()
        switch = n_paired < MIN_PAIRED
        if design == "auto" and switch.any():
            unpaired = unpaired_table(responses)
            unpaired["reason"] = [
                _one_matched(r) if n == 1 else r
                for n, r in zip(n_paired, unpaired["reason"], strict=True)
            ]
            table = pd.concat([table[~switch], unpaired[switch]]).sort_index()
    return adjust_table(table, by, adjust, constructs)[[*by, *RESULT_COLUMNS]]


def overall_design(results: pd.DataFrame) -> str:
    """``"paired"`` if any row of a results table is paired, else ``"unpaired"``.

    Examples
    --------
    >>> overall_design(pd.DataFrame({"design": ["unpaired", "paired"]}))
    'paired'
    """
    if len(results) and results["design"].eq("paired").any():
        return "paired"
    return "unpaired"
