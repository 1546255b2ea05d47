"""Evidence strength: a rating modelled on the EEF security padlocks (0-5), with its reason.

Rates every result row at once from its design, its attrition and its MDES; the rating is the
lowest of the three, and the reason says in words what held it down.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from schemas import reference

__all__ = [
    "CHANGE_DESIGNS",
    "IMPACT_DESIGN",
    "NOT_ASSESSED",
    "SECURITY_COLUMNS",
    "rate_security",
    "security_ratings",
]

SECURITY_COLUMNS = ("security", "security_reason")

# Designs of an uncontrolled pre/post change: no comparator, whatever else is true.
CHANGE_DESIGNS = ("paired", "unpaired", "change")
# What our impact model is, in the EEF's terms: a comparison group, adjusted for the pre-test.
IMPACT_DESIGN = "comparison_pretest"

NOT_ASSESSED = (
    "The EEF may lower a rating further for threats to validity (such as groups that differed "
    "at the start); these are not assessed here."
)

_DESIGN_REASONS = {
    "randomised": "randomised comparison",
    "comparison_unobservables": "comparison group allowing for some unmeasured differences",
    "comparison_observables": "comparison group adjusted for the measured differences",
    "comparison_pretest": "comparison group not chosen at random, adjusted for the pre-test only",
    "comparison_unadjusted": "comparison group not adjusted for any differences",
    "none": "no comparison group: this is change, not impact",
}


def security_ratings(
    design: np.ndarray | pd.Series,
    attrition: np.ndarray | pd.Series,
    mdes: np.ndarray | pd.Series,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Padlocks for each of design, attrition and MDES, from :func:`schemas.reference.eef_security`.

    Parameters
    ----------
    design : array of str
        A ``design_key`` of the reference table (``randomised`` ... ``none``), or one of
        :data:`CHANGE_DESIGNS` (rated as ``none``).
    attrition : array of float
        Share (0-1) of the people with a first measurement who were lost before the analysis;
        NaN = unknown (does not limit the rating).
    mdes : array of float
        Minimum detectable effect size of the design; NaN = unknown (rated 0 unless the design
        already rates 0, since a comparison whose MDES cannot be worked out cannot be trusted).

    Returns
    -------
    tuple of three int arrays
        Padlocks by design, by attrition and by MDES.

    Examples
    --------
    >>> d, a, m = security_ratings(np.array(["comparison_pretest"]), np.array([0.31]),
    ...                            np.array([0.18]))
    >>> int(d[0]), int(a[0]), int(m[0])
    (2, 2, 5)
    """
    table = reference.eef_security().sort_values("padlocks", ascending=False)
    padlocks = table["padlocks"].to_numpy(dtype=int)
    keys = np.asarray(design, dtype=object)
    keys = np.where(np.isin(keys, CHANGE_DESIGNS), "none", keys)
    by_key = dict(zip(table["design_key"], padlocks, strict=True))
    unknown = sorted({str(k) for k in keys} - set(by_key))
    if unknown:
        raise ValueError(f"unknown design {unknown}; use one of {sorted(by_key)}")
    design_rating = np.array([by_key[k] for k in keys], dtype=int)

    pct = np.round(np.asarray(attrition, dtype="float64") * 100.0)
    limits = table["attrition_max_pct"].to_numpy(dtype="float64")
    # the first (highest) rating whose limit the attrition is within
    within = pct[:, None] <= limits[None, :]
    attrition_rating = np.where(within.any(axis=1), padlocks[within.argmax(axis=1)], 0)
    attrition_rating = np.where(np.isnan(pct), padlocks.max(), attrition_rating)

    size = np.round(np.asarray(mdes, dtype="float64"), 2)
    mdes_limits = table["mdes_max"].to_numpy(dtype="float64")
    mdes_limits = np.where(np.isnan(mdes_limits), np.inf, mdes_limits)
    within = size[:, None] <= mdes_limits[None, :]
    mdes_rating = np.where(within.any(axis=1), padlocks[within.argmax(axis=1)], 0)
    mdes_rating = np.where(np.isnan(size), 0, mdes_rating)
    return design_rating, attrition_rating.astype(int), mdes_rating.astype(int)


def rate_security(
    results: pd.DataFrame,
    *,
    design: str | None = None,
    unit: str = "pupils",
) -> pd.DataFrame:
    """Add ``security`` (0-5 padlocks) and ``security_reason`` to a results table.

    Works for paired or unpaired change rows (``design`` column ``paired``/``unpaired``, or no
    comparison group) and for impact rows (columns ``attrition`` and ``mdes``), every row at once.

    Parameters
    ----------
    results : DataFrame
        A results table. Read, where present: ``design`` (a design key or a change design),
        ``attrition`` (share lost, 0-1), else ``n_pre`` and ``n_paired`` (attrition
        ``1 - n_paired / n_pre``), ``mdes``.
    design : str, optional
        The design of every row, overriding any ``design`` column (e.g. ``"randomised"`` when the
        comparison was allocated at random). Without either, rows are rated as change.
    unit : str, default "pupils"
        Who was measured, for the reason ("31% of pupils lost between tests").

    Returns
    -------
    DataFrame
        A copy of ``results`` with ``security`` (int, the lowest of the design, attrition and MDES
        ratings) and ``security_reason`` (what held the rating down, in words; for ratings of 5,
        "randomised, little attrition and a small MDES").

    Notes
    -----
    The EEF rates a finding by the lowest of three columns of its table (here
    ``schemas/reference/eef_security.csv``): design, MDES and attrition. An uncontrolled pre/post
    change has no comparator, which rates 0 whatever its size or attrition. Our impact model
    (comparison group, post-test adjusted for the pre-test) rates at most 2 by design unless the
    caller says the groups were randomised. The EEF may then lower a rating for threats to
    validity, which we do not assess (:data:`NOT_ASSESSED`).

    References
    ----------
    .. [1] Education Endowment Foundation (2019). Classifying the security of EEF findings.

    Examples
    --------
    >>> table = pd.DataFrame({"design": ["paired", "comparison_pretest"],
    ...                       "n_pre": [40, None], "n_paired": [30, None],
    ...                       "attrition": [None, 0.31], "mdes": [None, 0.45]})
    >>> rated = rate_security(table)
    >>> rated["security"].tolist()
    [0, 2]
    >>> rated["security_reason"].tolist()[0]
    'no comparison group: this is change, not impact'
    >>> for part in rated["security_reason"].iloc[1].split("; "):  # all three give 2
    ...     print(part)
    comparison group not chosen at random, adjusted for the pre-test only
    31% of pupils lost between tests
    could only detect effects of 0.45 or more
    """
    n = len(results)
    if design is not None:
        designs = np.full(n, design, dtype=object)
    elif "design" in results:
        designs = results["design"].fillna("none").to_numpy(dtype=object)
    else:
        designs = np.full(n, "none", dtype=object)
    if "attrition" in results:
        attrition = pd.to_numeric(results["attrition"], errors="coerce").to_numpy(dtype="float64")
    else:
        attrition = np.full(n, np.nan)
    if {"n_pre", "n_paired"} <= set(results.columns):
        n_pre = pd.to_numeric(results["n_pre"], errors="coerce").to_numpy(dtype="float64")
        n_paired = pd.to_numeric(results["n_paired"], errors="coerce").to_numpy(dtype="float64")
        with np.errstate(invalid="ignore", divide="ignore"):
            lost = np.where(n_pre > 0, 1.0 - n_paired / n_pre, np.nan)
        attrition = np.where(np.isnan(attrition), lost, attrition)
    if "mdes" in results:
        mdes = pd.to_numeric(results["mdes"], errors="coerce").to_numpy(dtype="float64")
    else:
        mdes = np.full(n, np.nan)

    by_design, by_attrition, by_mdes = security_ratings(designs, attrition, mdes)
    security = np.minimum(np.minimum(by_design, by_attrition), by_mdes)
    keys = np.where(np.isin(designs, CHANGE_DESIGNS), "none", designs)
    reasons = []
    for row in range(n):
        parts = []
        if by_design[row] == security[row]:
            parts.append(_DESIGN_REASONS.get(keys[row], str(keys[row])))
        if by_design[row] > 0:  # with no comparator, attrition and MDES do not matter
            if by_attrition[row] == security[row]:
                parts.append(f"{attrition[row]:.0%} of {unit} lost between tests")
            if by_mdes[row] == security[row]:
                if np.isnan(mdes[row]):
                    parts.append("the smallest effect it could detect cannot be worked out")
                else:
                    parts.append(f"could only detect effects of {mdes[row]:.2f} or more")
        reasons.append("; ".join(parts))
    out = results.copy()
    out["security"] = security.astype(int)
    out["security_reason"] = pd.Series(reasons, index=out.index, dtype=object)
    return out
