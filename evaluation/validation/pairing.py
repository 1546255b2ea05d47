"""Warnings about pairing pre and post surveys: post responses with no pre, people who did not
complete, files that describe different projects."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation import columns as c
from evaluation.validation.messages import LABELS
from evaluation.validation.report import Collector, Problem


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
        return (
            Problem(
                "warning",
                "unpaired",
                None,
                None,
                None,
                "Pre and post responses cannot be matched because a file has no participant "
                "codes or emails; the comparison will be unpaired (weaker).",
                "Ask participants for the same code in both surveys.",
            ),
        )
    problems.extend(_unmatched_post(pre, post, c.RESPONDENT_ID))
    post_ids = set(post[c.RESPONDENT_ID].dropna())
    pre_ids = pre[c.RESPONDENT_ID].dropna().unique()
    leavers = sum(1 for rid in pre_ids if rid not in post_ids)
    if leavers:
        problems.append(
            Problem(
                "warning",
                "pre_without_post",
                None,
                None,
                None,
                f"{leavers} of {len(pre_ids)} people who answered the pre survey have no post "
                f"response ({leavers / len(pre_ids):.0%} did not complete).",
                None,
            )
        )
    for column in (c.HUB, c.NCP, c.ACADEMIC_YEAR):
        if column in pre and column in post:
            a, b = set(pre[column].dropna()), set(post[column].dropna())
            if a and b and not a & b:
                problems.append(
                    Problem(
                        "warning",
                        "different_files",
                        None,
                        None,
                        None,
                        f"The pre and post files name different {LABELS.get(column, column)}s "
                        f"({', '.join(sorted(a))} / {', '.join(sorted(b))}).",
                        "Check you chose the pre and post files of the same Work Group.",
                    )
                )
    return tuple(problems)
