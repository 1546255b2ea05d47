"""Warnings about pairing pre and post surveys: post responses with no pre, people who did not
complete, files that describe different projects.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation import columns as c
from evaluation.validation.messages import LABELS, file_problem
from evaluation.validation.report import Collector, Problem

__all__ = [
    "pairing_problems",
    "post_without_pre",
]


def _unmatched_post(pre: pd.DataFrame, post: pd.DataFrame, column: str | None) -> list[Problem]:
    # Integer codes for every id, then a look-up table: fast for a million rows.
    both = pd.concat([pre[c.RESPONDENT_ID], post[c.RESPONDENT_ID]], ignore_index=True)
    codes, uniques = pd.factorize(both)
    in_pre = np.zeros(len(uniques) + 1, dtype=bool)
    in_pre[codes[: len(pre)]] = True
    in_pre[-1] = True  # code -1: no id, so nothing to match
    unmatched = pd.Series(~in_pre[codes[len(pre) :]], index=post.index)
    return post_without_pre(
        post.loc[unmatched, c.SOURCE_ROW].to_numpy(),
        post.loc[unmatched, c.RESPONDENT_ID].to_numpy(),
        column,
    )


def post_without_pre(rows: np.ndarray, ids: np.ndarray, column: str | None) -> list[Problem]:
    """A warning for each post response (spreadsheet ``rows``) with no pre response."""
    collector = Collector()
    if len(rows):
        collector.rows(
            "warning",
            "post_without_pre",
            rows,
            column or c.RESPONDENT_ID,
            ids,
            lambda v: "This post-survey response has no matching pre-survey response.",
            "Check the participant code is written the same way in both surveys; "
            "unmatched responses count only in the unpaired comparison.",
        )
    return collector.warnings


def pairing_problems(pre: pd.DataFrame, post: pd.DataFrame) -> tuple[Problem, ...]:
    """Warnings about matching a pre-survey frame with a post-survey frame (canonical frames).

    Post responses with no pre response are listed by their ``source_row`` in the post file;
    pre responses with no post are counted once (attrition); files that cannot be paired (no
    identifier) or that describe different projects get one warning each.

    Examples
    --------
    >>> pre = pd.DataFrame({"respondent_id": ["a", "b"], "source_row": [2, 3],
    ...                     "ncp": ["Mastering Number at KS2"] * 2})
    >>> post = pre.assign(respondent_id=["a", "c"])
    >>> [(p.code, p.row) for p in pairing_problems(pre, post)]
    [('post_without_pre', 3), ('pre_without_post', None)]
    """
    problems: list[Problem] = []
    if pre[c.RESPONDENT_ID].isna().all() or post[c.RESPONDENT_ID].isna().all():
        return (file_problem("warning", "unpaired"),)
    problems.extend(_unmatched_post(pre, post, c.RESPONDENT_ID))
    post_ids = set(post[c.RESPONDENT_ID].dropna())
    pre_ids = pre[c.RESPONDENT_ID].dropna().unique()
    leavers = sum(1 for rid in pre_ids if rid not in post_ids)
    if leavers:
        problems.append(
            file_problem(
                "warning",
                "pre_without_post",
                leavers=leavers,
                n_pre=len(pre_ids),
                share=leavers / len(pre_ids),
            )
        )
    for column in (c.HUB, c.NCP, c.ACADEMIC_YEAR):
        if column in pre and column in post:
            a, b = set(pre[column].dropna()), set(post[column].dropna())
            if a and b and not a & b:
                problems.append(
                    file_problem(
                        "warning",
                        "different_files",
                        label=LABELS.get(column, column),
                        pre=", ".join(sorted(a)),
                        post=", ".join(sorted(b)),
                    )
                )
    return tuple(problems)
