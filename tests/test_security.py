"""Evidence strength modelled on the EEF padlocks (evaluation.stats.security).

Expected ratings are read off the EEF table (schemas/reference/eef_security.csv, from
"Classifying the security of EEF findings", 2019) by hand for each case.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.stats.security import NOT_ASSESSED, rate_security, security_ratings
from schemas import reference


def test_reference_table_has_six_ratings_from_5_to_0():
    table = reference.eef_security()
    assert table["padlocks"].tolist() == [5, 4, 3, 2, 1, 0]
    assert table.set_index("padlocks").loc[0, "design_key"] == "none"


@pytest.mark.parametrize(
    ("attrition", "padlocks"),
    [(0.0, 5), (0.10, 5), (0.104, 5), (0.11, 4), (0.20, 4), (0.25, 3), (0.31, 2), (0.40, 2),
     (0.45, 1), (0.50, 1), (0.51, 0), (0.9, 0)],
)  # fmt: skip
def test_attrition_bands(attrition, padlocks):
    _, by_attrition, _ = security_ratings(np.array(["randomised"]), np.array([attrition]),
                                          np.array([0.1]))  # fmt: skip
    assert by_attrition[0] == padlocks


@pytest.mark.parametrize(
    ("size", "padlocks"),
    [(0.15, 5), (0.20, 5), (0.204, 5), (0.21, 4), (0.29, 4), (0.30, 3), (0.39, 3), (0.45, 2),
     (0.55, 1), (0.59, 1), (0.60, 0), (1.2, 0), (np.nan, 0)],
)  # fmt: skip
def test_mdes_bands(size, padlocks):
    _, _, by_mdes = security_ratings(np.array(["randomised"]), np.array([0.0]), np.array([size]))
    assert by_mdes[0] == padlocks


def test_uncontrolled_change_rates_zero_whatever_its_size_and_attrition():
    paired = pd.DataFrame(
        {"design": ["paired", "unpaired"], "n_pre": [100, 100], "n_paired": [98, 0],
         "mdes": [0.1, 0.1]}
    )  # fmt: skip
    rated = rate_security(paired, unit="teachers")
    assert rated["security"].tolist() == [0, 0]
    assert (rated["security_reason"] == "no comparison group: this is change, not impact").all()
    assert rate_security(pd.DataFrame({"n_paired": [30]}))["security"].tolist() == [0]


def test_the_lowest_of_the_three_ratings_with_its_reason_in_words():
    table = pd.DataFrame(
        {"attrition": [0.05, 0.31, 0.05], "mdes": [0.18, 0.18, 0.45]}
    )  # fmt: skip
    rated = rate_security(table, design="randomised")
    assert rated["security"].tolist() == [5, 2, 2]
    assert rated["security_reason"].iloc[1] == "31% of pupils lost between tests"
    assert rated["security_reason"].iloc[2] == "could only detect effects of 0.45 or more"
    assert "randomised" in rated["security_reason"].iloc[0]


def test_impact_design_adjusting_for_the_pre_test_rates_at_most_two():
    rated = rate_security(pd.DataFrame({"attrition": [0.0], "mdes": [0.1]}),
                          design="comparison_pretest")  # fmt: skip
    assert rated["security"].tolist() == [2]
    assert "pre-test only" in rated["security_reason"].iloc[0]


def test_attrition_from_counts_when_no_attrition_column():
    table = pd.DataFrame({"n_pre": [100], "n_paired": [69], "mdes": [0.1]})
    rated = rate_security(table, design="randomised", unit="teachers")
    assert rated["security"].tolist() == [2]
    assert rated["security_reason"].iloc[0] == "31% of teachers lost between tests"


def test_unknown_design_is_a_programmer_error():
    with pytest.raises(ValueError, match="unknown design"):
        rate_security(pd.DataFrame({"design": ["quasi"]}))


def test_what_is_not_assessed_is_said():
    assert "not assessed" in NOT_ASSESSED
