"""Tests of evaluation.io.headers: recognising a column by the values it holds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation import columns as c
from evaluation.io.headers import MAX_VALUE_KINDS, value_meaning
from schemas import reference


def test_every_hub_name_and_short_name_makes_a_hub_column():
    hubs = reference.hubs()
    values = pd.Series([*hubs["name"], *hubs["short_name"].str.upper(), None])
    assert value_meaning(values) == c.HUB


def test_project_codes_phases_and_academic_years_are_recognised():
    assert value_meaning(pd.Series(reference.ncps()["code"])) == c.NCP
    assert value_meaning(pd.Series(["Before", "after", "POST"])) == c.PHASE
    assert value_meaning(pd.Series(["2024/25", "2025-2026"])) == c.ACADEMIC_YEAR


def test_one_value_that_fits_no_meaning_turns_a_column_down_even_far_down_a_long_file():
    values = pd.Series(["Solent"] * 5000 + ["Atlantis"], dtype="str")
    assert value_meaning(values) is None
    assert value_meaning(pd.Series(["Solent"] * 5001, dtype="str")) == c.HUB


def test_numbers_bare_years_blank_and_many_kinds_of_answer_are_not_recognised():
    assert value_meaning(pd.Series([2024, 2025])) is None
    assert value_meaning(pd.Series(["2024", "2025"])) is None  # a year something happened
    assert value_meaning(pd.Series([None, None], dtype=object)) is None
    many = pd.Series([f"{2000 + k % 90}/{(k % 90 + 1) % 100:02d}" for k in range(5000)])
    assert many.nunique() <= MAX_VALUE_KINDS and value_meaning(many) == c.ACADEMIC_YEAR
    text = pd.Series(np.array([f"answer {k}" for k in range(5000)]), dtype="str")
    assert value_meaning(text) is None


def test_a_meaning_already_taken_is_not_given_again():
    assert value_meaning(pd.Series(["pre"]), frozenset({c.PHASE})) is None
