"""Survey answers arranged for the pre/post statistics, and the plain-English reasons they give.

:class:`Responses` holds one mean score per group x respondent x phase, built once from the long
table and shared by the paired and the unpaired tests (:mod:`evaluation.stats.paired`,
:mod:`evaluation.stats.unpaired`, :mod:`evaluation.stats.comparisons`). :func:`join_reasons` builds
the ``reason`` column that says why a statistic is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation import columns as c
from evaluation.stats.groups import group_index

__all__ = ["Responses", "join_reasons"]


@dataclass(frozen=True)
class Responses:
    """One mean score per group x respondent x phase (duplicates averaged), as flat arrays.

    Cells are sorted by group, then respondent, then phase (pre before post), so a respondent's
    pre cell is immediately followed by their post cell when they have both. Build it with
    :meth:`from_long`.

    Examples
    --------
    >>> long = pd.DataFrame({"respondent_id": ["a", "b", "a"], "phase": ["pre", "pre", "post"],
    ...                      "item": "conf_1", "score": [2.0, 3.0, 4.0]})
    >>> responses = Responses.from_long(long, by=[])
    >>> responses.n_groups, responses.n_pre.tolist(), responses.n_post.tolist()
    (1, [2], [1])
    >>> responses.score.tolist(), responses.post.tolist()
    ([2.0, 4.0, 3.0], [False, True, False])
    """

    groups: pd.DataFrame  # one row per group: *by, item (sorted)
    n_groups: int
    group: np.ndarray  # group id per cell
    person: np.ndarray  # group * n_respondents + respondent code
    post: np.ndarray  # bool: post cell
    score: np.ndarray
    labels: np.ndarray  # respondent_id of each respondent code (anonymous rows come after)
    n_respondents: int
    cluster: np.ndarray | None = None  # cluster label of each cell (its first row's)

    @property
    def n_pre(self) -> np.ndarray:
        """Respondents with a pre answer, per group."""
        return np.bincount(self.group[~self.post], minlength=self.n_groups)

    @property
    def n_post(self) -> np.ndarray:
        """Respondents with a post answer, per group."""
        return np.bincount(self.group[self.post], minlength=self.n_groups)

    def phase(self, post: bool) -> tuple[np.ndarray, np.ndarray]:
        """(group, score) of every pre (``post=False``) or post cell."""
        mask = self.post if post else ~self.post
        return self.group[mask], self.score[mask]

    @classmethod
    def from_long(
        cls, long: pd.DataFrame, by: Sequence[str], cluster: str | None = None
    ) -> Responses:
        """Group ids, respondent codes and one score per group x respondent x phase.

        Parameters
        ----------
        long : DataFrame
            ``[*by, respondent_id, phase, item, score]`` from
            :func:`evaluation.stats.scoring.to_long`; rows whose phase is neither ``"pre"`` nor
            ``"post"``, or whose score is missing, are left out. A missing ``respondent_id`` is
            a person of their own (never matched).
        by : sequence of str
            Group keys; ``item`` is always the last key. Keys given as categories are the
            same groups as their values, and are given back in the values' dtype.
        cluster : str, optional
            Column whose value clusters people (e.g. ``work_group``); kept per cell as codes.
        """
        keys = _check_long(long, by)
        phase = long[c.PHASE]
        is_post = phase.eq("post").to_numpy(dtype=bool, na_value=False)
        score = long[c.SCORE].to_numpy(dtype="float64", na_value=np.nan)
        use = (phase.eq("pre").to_numpy(dtype=bool, na_value=False) | is_post) & ~np.isnan(score)
        every = bool(use.all())  # the rule: no copies of every array then
        gid, groups = group_index(long, keys)
        for key in keys:  # keys read as categories (to_long(categorical=True)) come back as values
            if isinstance(groups[key].dtype, pd.CategoricalDtype):
                groups[key] = groups[key].astype(groups[key].cat.categories.dtype)
        rid, labels = pd.factorize(long[c.RESPONDENT_ID])
        rid = rid.astype(np.int64, copy=False)
        cluster_codes = None if cluster is None else pd.factorize(long[cluster])[0]
        if not every:
            gid, score, is_post, rid = gid[use], score[use], is_post[use], rid[use]
            cluster_codes = None if cluster_codes is None else cluster_codes[use]
        del use
        n_ids = len(labels)
        anonymous = rid < 0  # no identifier: every row is a person of its own, never paired
        n_anonymous = int(anonymous.sum())
        if n_anonymous:
            rid = rid.copy() if every else rid  # never write into what factorize may share
            rid[anonymous] = n_ids + np.arange(n_anonymous)
        del anonymous
        n_respondents = max(n_ids + n_anonymous, 1)
        # (group * n_respondents + respondent) * 2 + is_post, worked out in place (national scale)
        cell_key = gid * n_respondents
        del gid
        cell_key += rid
        del rid
        cell_key *= 2
        cell_key += is_post
        del is_post
        order = np.argsort(cell_key)
        cell_key = cell_key[order]
        score = score[order]
        if cluster_codes is not None:
            cluster_codes = cluster_codes[order]
        del order
        starts = (
            np.flatnonzero(np.r_[True, cell_key[1:] != cell_key[:-1]])
            if len(cell_key)
            else np.zeros(0, dtype=np.int64)
        )
        counts = np.diff(np.r_[starts, len(cell_key)])
        means = score[starts]  # exact when a respondent answered once (the rule, not the exception)
        repeated = counts > 1
        if repeated.any():
            means = np.where(repeated, np.add.reduceat(score, starts) / counts, means)
        del score, counts, repeated
        cell_key = cell_key[starts]
        person = cell_key // 2
        cell_cluster = None if cluster_codes is None else cluster_codes[starts]
        return cls(
            groups=groups,
            n_groups=len(groups),
            group=person // n_respondents,
            person=person,
            post=(cell_key % 2).astype(bool),
            score=means,
            labels=np.asarray(labels, dtype=object),
            n_respondents=n_respondents,
            cluster=cell_cluster,
        )


def _check_long(long: pd.DataFrame, by: Sequence[str]) -> list[str]:
    keys = [*by, c.ITEM]
    missing = [k for k in [*keys, c.RESPONDENT_ID, c.PHASE, c.SCORE] if k not in long]
    if missing:
        raise KeyError(f"long table lacks column(s) {missing}; build it with scoring.to_long")
    if c.ITEM in by:
        raise ValueError("'item' is always a key; do not list it in by")
    return keys


def join_reasons(*conditions: tuple[np.ndarray, str]) -> np.ndarray:
    """Join the messages whose condition holds, per row; None where none does.

    Parameters
    ----------
    *conditions : (ndarray of bool, str)
        A mask over the rows and the message for the rows where it is True, in the order the
        messages should read.

    Returns
    -------
    ndarray of object
        One string (messages joined by a space) or None per row.

    Examples
    --------
    >>> join_reasons((np.array([True, False, True]), "Too few."),
    ...              (np.array([True, False, False]), "No spread.")).tolist()
    ['Too few. No spread.', None, 'Too few.']
    """
    n = len(conditions[0][0])
    out = np.full(n, None, dtype=object)
    for mask, message in conditions:
        rows = np.flatnonzero(mask)
        for i in rows:
            out[i] = message if out[i] is None else f"{out[i]} {message}"
    return out
