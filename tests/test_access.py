"""The viewer rules in evaluation.access and app_support.auth.decide, without a browser.

Open text permission, pooled values hidden when too few hubs are pooled, the sign-in logic.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app_support.auth import decide  # noqa: E402
from evaluation.access import (  # noqa: E402
    MIN_OTHER_HUBS,
    MIN_POOLED_HUBS,
    POOLED_STEPS,
    Viewer,
    mask_thin_pooled,
    mask_thin_pooled_row,
    open_text_roles,
    own_hub_rows,
    with_open_text_rule,
    without_open_text,
)
from evaluation.presentation.readings.disclosure import (  # noqa: E402
    pooled_values_note,
    pooled_values_withheld,
)
from evaluation.stats.disclosure import display_table  # noqa: E402

HUB = Viewer(role="hub", hub="Solent Maths Hub", name="board@solent.example")
LEAD = Viewer(role="lead", hub="Solent Maths Hub", work_groups=("WG-1",), name="l@s.example")


def test_every_role_reads_open_text_by_default_and_a_deployment_can_narrow_it(monkeypatch):
    monkeypatch.delenv("IMPACT_OPEN_TEXT_ROLES", raising=False)
    assert open_text_roles() == {"national", "hub", "lead"}
    monkeypatch.setenv("IMPACT_OPEN_TEXT_ROLES", "lead")
    assert with_open_text_rule(LEAD).sees_open_text
    assert not with_open_text_rule(HUB).sees_open_text
    assert not with_open_text_rule(Viewer.national()).sees_open_text


def test_a_person_without_open_text_permission_never_gets_it_from_the_role_rule():
    person = Viewer(role="lead", hub="Solent Maths Hub", work_groups=("WG-1",), open_text=False)
    assert not with_open_text_rule(person, roles=["lead"]).sees_open_text


def test_text_columns_are_dropped_for_a_viewer_who_may_not_read_them():
    rows = pd.DataFrame({"hub": ["A"], "conf_1": [3.0], "text_comments": ["x"], "text_why": ["y"]})
    assert without_open_text(rows, HUB).columns.tolist() == rows.columns.tolist()
    closed = Viewer(role="hub", hub="A", open_text=False)
    assert without_open_text(rows, closed).columns.tolist() == ["hub", "conf_1"]


def test_a_hub_viewer_gets_only_its_own_row_of_a_per_hub_table():
    table = pd.DataFrame({"hub": ["Solent Maths Hub", "Kent and Medway Maths Hub"], "n": [8, 40]})
    assert own_hub_rows(table, HUB)["n"].tolist() == [8]
    assert own_hub_rows(table, Viewer.national())["n"].tolist() == [8, 40]


def test_pooled_values_of_fewer_than_four_hubs_are_hidden_from_hub_and_lead_viewers():
    # at least three hubs besides the viewer's own
    assert (MIN_OTHER_HUBS, MIN_POOLED_HUBS) == (3, 4)
    overview = pd.DataFrame(
        {
            "ncp": ["P", "Q", "R"],
            "k": [3, 4, 1],
            "n_respondents": [69.0, 120.0, 8.0],
            "estimate": [0.4, 0.5, 0.9],
            "ci_low": [0.1, 0.2, 0.3],
            "ci_high": [0.7, 0.8, 1.5],
        }
    )
    for viewer in (HUB, LEAD):
        masked = mask_thin_pooled(overview, viewer)
        assert masked["suppressed"].tolist() == [True, False, True]
        assert masked.loc[1, "estimate"] == 0.5
        # pooled head counts are hidden from hub and lead viewers even when enough hubs pool:
        # counts of overlapping pools would subtract to another hub's count
        assert masked["n_respondents"].isna().all()
        assert math.isnan(masked.loc[0, "estimate"]) and math.isnan(masked.loc[0, "n_respondents"])
        assert masked["k"].tolist() == [3, 4, 1], "the number of hubs pooled is not a secret"
        shown = display_table(masked)
        assert shown.loc[0, "estimate"] == "[c]" and shown.loc[0, "n_respondents"] == "[c]"
    assert mask_thin_pooled(overview, Viewer.national()).equals(overview)


def test_a_hub_viewer_gets_only_a_rounded_estimate_and_interval_of_a_pool():
    row = {
        "effect": "d_z", "k": 6, "k_suppressed": 1, "k_excluded": 1, "n_respondents": 300.0,
        "estimate": 0.4374, "se": 0.06, "ci_low": 0.2832, "ci_high": 0.5916, "tau2": 0.01,
        "i2": 40.0, "q": 8.3, "q_df": 5, "q_p": 0.14, "pi_low": 0.1, "pi_high": 0.8,
    }  # fmt: skip
    table = pd.DataFrame([row, {**row, "effect": "mean_change"}])
    masked = mask_thin_pooled(table, HUB)
    # d_z to 0.05, scale points to 0.1; the interval rounded outwards so it still covers
    assert masked["estimate"].tolist() == [0.45, 0.4]
    assert masked["ci_low"].tolist() == [0.25, 0.2]
    assert masked["ci_high"].tolist() == [0.6, 0.6]
    assert POOLED_STEPS == {"d_z": 0.05, "mean_change": 0.1}
    for col in ("se", "tau2", "i2", "q", "q_df", "q_p", "pi_low", "pi_high", "n_respondents",
                "k_suppressed", "k_excluded"):  # fmt: skip
        assert masked[col].isna().all(), col
    assert not masked["suppressed"].any()
    # the same masking again changes nothing (the dashboard masks, then the hub table does)
    again = mask_thin_pooled(masked, HUB)
    assert again[["estimate", "ci_low", "ci_high"]].equals(
        masked[["estimate", "ci_low", "ci_high"]]
    )
    # a table that does not say which effect is rounded to the coarsest step
    plain = mask_thin_pooled(table.drop(columns="effect"), LEAD)
    assert plain["estimate"].tolist() == [0.4, 0.4]


def test_only_the_flagged_rows_of_a_trend_are_masked():
    trend = pd.DataFrame(
        {"level": ["hub", "national"], "k": [1.0, 3.0], "estimate": [0.3123, 0.4], "n": [8.0, 69.0]}
    )
    masked = mask_thin_pooled(trend, HUB, rows=trend["level"].eq("national"), effect="d_z")
    assert masked["estimate"].tolist()[0] == 0.3123, "the viewer's own value is not rounded"
    assert math.isnan(masked["estimate"].tolist()[1])
    assert masked["suppression_reason"].tolist() == [None, "fewer than 4 hubs pooled"]
    # the viewer's own count stays; the pooled count never shows
    assert masked["n"].tolist()[0] == 8.0 and math.isnan(masked["n"].tolist()[1])


def test_a_single_pooled_row_is_masked_the_same_way():
    row = pd.Series({"k": 3, "k_suppressed": 0, "estimate": 0.4, "method": "REML", "note": ""})
    masked = mask_thin_pooled_row(row, HUB)
    assert bool(masked["suppressed"]) and math.isnan(masked["estimate"])
    assert mask_thin_pooled_row(row, Viewer.national()) is row


@pytest.mark.parametrize(
    ("kwargs", "status", "role"),
    [
        (dict(configured=False, logged_in=False, email=None, role=None), "local", "national"),
        (
            dict(configured=False, logged_in=False, email=None, role=None, require_login=True),
            "misconfigured",
            None,
        ),
        (dict(configured=True, logged_in=False, email=None, role=None), "sign_in", None),
        (dict(configured=True, logged_in=True, email=None, role=None), "no_role", None),
        (dict(configured=True, logged_in=True, email="a@b.example", role=None), "no_role", None),
        (dict(configured=True, logged_in=True, email="a@b.example", role=HUB), "signed_in", "hub"),
    ],
)
def test_who_is_viewing_is_decided_from_sign_in_and_the_role_table(kwargs, status, role):
    access = decide(**kwargs)
    assert access.status == status
    assert (access.viewer.role if access.viewer else None) == role


def test_the_local_user_is_named_as_such():
    access = decide(configured=False, logged_in=False, email=None, role=None)
    assert access.caption() == "Signed in as: local national user (no sign-in configured)"


def test_the_methods_sentence_names_the_rule_from_configuration():
    text = pooled_values_withheld()
    assert (
        f"at least {MIN_POOLED_HUBS} hubs" in text and f"at least {MIN_OTHER_HUBS} remain" in text
    )
    for step in POOLED_STEPS.values():
        assert f"{step:g}" in text
    for withheld in ("number of people", "standard error", "tau-squared", "prediction interval"):
        assert withheld in text and withheld in pooled_values_note()
