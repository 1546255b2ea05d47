"""Reverse-coding, construct scores and the long response table."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from evaluation.instruments import default_instrument
from evaluation.stats.comparisons import compare
from evaluation.stats.scoring import construct_scores, reverse_code, to_long

INSTRUMENT = default_instrument()


def test_reverse_coded_items_flip_on_the_scale_and_others_stay():
    wide = pd.DataFrame({"conf_1": [1.0, 5.0], "conf_3": [1.0, 4.0], "know_3": [2.0, np.nan]})
    scored = reverse_code(wide, INSTRUMENT)
    assert scored["conf_1"].tolist() == [1.0, 5.0]
    assert scored["conf_3"].tolist() == [5.0, 2.0]
    assert scored["know_3"].tolist()[0] == 4.0 and np.isnan(scored["know_3"].tolist()[1])


def test_construct_score_is_the_mean_of_answered_items_after_reverse_coding():
    wide = pd.DataFrame({"conf_1": [4.0, 2.0], "conf_2": [np.nan, 2.0], "conf_3": [1.0, np.nan]})
    # row 1: mean(4, 5 + 1 - 1) = 4.5; row 2: mean(2, 2) = 2
    assert construct_scores(wide, INSTRUMENT)["confidence"].tolist() == [4.5, 2.0]


def test_d5_a_score_needs_half_the_items_and_a_pair_the_same_items():
    # D5 (failed before: the pair "fell" from 5.0 to 2.33 on confidence)
    wide = pd.DataFrame(
        {"respondent_id": ["p", "p"], "phase": ["pre", "post"], "conf_1": [5.0, 5.0],
         "conf_2": [np.nan, 1.0], "conf_3": [np.nan, 5.0]}
    )  # fmt: skip
    scores, reasons = construct_scores(
        wide, INSTRUMENT, respondent=wide["respondent_id"], phase=wide["phase"], with_reasons=True
    )
    assert scores["confidence"].isna().all()
    assert "1 of the 3 confidence questions" in reasons.loc[0, "confidence"]
    long = to_long(wide, INSTRUMENT)
    assert long[long["item"].eq("confidence")].empty
    # pre answered conf_1, conf_2; post all three: both scored on conf_1 and conf_2 only
    wide.loc[0, "conf_2"] = 2.0
    scores, reasons = construct_scores(
        wide, INSTRUMENT, respondent=wide["respondent_id"], phase=wide["phase"], with_reasons=True
    )
    assert scores["confidence"].tolist() == [(5 + 2) / 2, (5 + 1) / 2]
    assert reasons.loc[0, "confidence"] is None
    assert "2 of 3 confidence questions answered both times" in reasons.loc[1, "confidence"]


def test_the_minimum_share_of_items_comes_from_the_instrument():
    wide = pd.DataFrame({"conf_1": [4.0, 4.0], "conf_2": [2.0, np.nan], "conf_3": [np.nan] * 2})
    assert construct_scores(wide, INSTRUMENT)["confidence"].tolist()[0] == 3.0
    assert np.isnan(construct_scores(wide, INSTRUMENT)["confidence"].tolist()[1])
    lenient = dataclasses.replace(INSTRUMENT, min_item_share=0.3)
    assert construct_scores(wide, lenient)["confidence"].tolist() == [3.0, 4.0]
    strict = dataclasses.replace(INSTRUMENT, min_item_share=1.0)
    assert construct_scores(wide, strict)["confidence"].isna().all()


@given(st.lists(st.integers(1, 5), min_size=3, max_size=3))
def test_construct_score_stays_on_the_scale(answers):
    wide = pd.DataFrame([answers], columns=["conf_1", "conf_2", "conf_3"], dtype=float)
    score = construct_scores(wide, INSTRUMENT)["confidence"].iloc[0]
    assert 1.0 <= score <= 5.0
    # and it is the plain mean with conf_3 (reversed) flipped on the 1-5 scale
    assert score == sum([answers[0], answers[1], 6 - answers[2]]) / 3


def test_the_same_person_in_two_projects_is_two_pairs_not_one():
    wide = pd.DataFrame(
        {
            "respondent_id": ["t1", "t1", "t1", "t1"],
            "phase": ["pre", "post", "pre", "post"],
            "hub": ["Solent Maths Hub"] * 4,
            "ncp": ["SKTM Primary Teachers"] * 2 + ["Mastering Number at KS2"] * 2,
            "academic_year": ["2024/25"] * 4,
            "conf_1": [1.0, 2.0, 3.0, 5.0],
        }
    )
    long = to_long(wide, INSTRUMENT, keys=("hub",), constructs=False)
    assert long["respondent_id"].nunique() == 2
    result = compare(long).set_index("item").loc["conf_1"]
    # two pairs with changes +1 and +2 (not one averaged pair 2 -> 3.5)
    assert result["n_paired"] == 2
    assert result["mean_change"] == 1.5
    assert result["mean_pre"] == 2.0


def test_rows_without_an_identifier_stay_unpaired():
    wide = pd.DataFrame(
        {
            "respondent_id": [None, None],
            "phase": ["pre", "post"],
            "ncp": ["SKTM Primary Teachers"] * 2,
            "academic_year": ["2024/25"] * 2,
            "conf_1": [2.0, 4.0],
        }
    )
    long = to_long(wide, INSTRUMENT, constructs=False)
    assert long["respondent_id"].isna().all()


def test_unanswered_items_are_dropped_from_the_long_table():
    wide = pd.DataFrame(
        {"respondent_id": ["a"], "phase": ["pre"], "conf_1": [np.nan], "conf_2": [3.0]}
    )
    long = to_long(wide, INSTRUMENT, constructs=False)
    assert long["item"].tolist() == ["conf_2"]


# --- to_long against a melt written out here -------------------------------------------------

ITEMS = list(INSTRUMENT.item_ids)
# conf_3 and know_3 are reverse-coded: 1 <-> 5 on the 1-5 scale.
CONSTRUCT_ITEMS = {
    "confidence": ["conf_1", "conf_2", "conf_3"],
    "subject_knowledge": ["know_1", "know_2", "know_3"],
    "practice": ["prac_1", "prac_2", "prac_3"],
}
REVERSED = {"conf_3", "know_3"}
TEXT_KEYS = ["hub", "ncp", "academic_year", "work_group"]
# Extra carried columns of other dtypes: nullable integers, plain objects, a categorical.
OTHER_KEYS = ["school_urn", "role", "school_phase"]


def reference_long(wide, keys, constructs, pair_within):
    """The long table by the obvious route: qualify codes row by row, then melt and drop NaN."""
    id_cols = [k for k in keys if k in wide] + ["respondent_id", "phase"]
    items = [i for i in ITEMS if i in wide]
    table = wide[id_cols + items].copy()
    within = [k for k in pair_within if k in wide]
    if within:
        qualified = []
        for _, row in wide.iterrows():
            parts = [row["respondent_id"], *(row[k] for k in within)]
            missing = any(p is None or (isinstance(p, float) and np.isnan(p)) for p in parts)
            qualified.append(None if missing else "|".join(str(p) for p in parts))
        table["respondent_id"] = pd.Series(qualified, index=wide.index, dtype="str")
    if constructs:
        for construct, members in CONSTRUCT_ITEMS.items():
            present = [i for i in members if i in wide]
            if present:
                answers = np.column_stack(
                    [
                        6.0 - wide[i].to_numpy() if i in REVERSED else wide[i].to_numpy()
                        for i in present
                    ]
                )
                table[construct] = [
                    _reference_score(table, answers, row, len(present)) for row in range(len(wide))
                ]
    long = table.melt(id_vars=id_cols, var_name="item", value_name="score")
    long = long[long["score"].notna()].reset_index(drop=True)
    return long.astype({"score": "float64"})


def _reference_score(table, answers, row, n_items):
    """One row's construct score by the rule: at least half the items (2 of 3, 1 of 1 or 2),
    and for someone with both a pre and a post row, only the items answered both times."""
    ids, phases = table["respondent_id"].tolist(), table["phase"].tolist()
    use = ~np.isnan(answers[row])
    me = ids[row]
    if isinstance(me, str) and phases[row] in ("pre", "post"):
        pre = [r for r in range(len(ids)) if ids[r] == me and phases[r] == "pre"]
        post = [r for r in range(len(ids)) if ids[r] == me and phases[r] == "post"]
        if pre and post:
            for rows in (pre, post):
                use = use & np.any(~np.isnan(answers[rows]), axis=0)
    needed = {1: 1, 2: 1, 3: 2}[n_items]
    return float(np.mean(answers[row][use])) if use.sum() >= needed else np.nan


text_or_none = st.one_of(st.none(), st.sampled_from(["a", "b", "2024/25", "SKTM Primary"]))


@st.composite
def wide_surveys(draw):
    n = draw(st.integers(0, 8))
    columns = {
        "respondent_id": pd.Series(
            draw(st.lists(text_or_none, min_size=n, max_size=n)), dtype="str"
        ),
        "phase": pd.Series(
            draw(st.lists(st.sampled_from(["pre", "post", None]), min_size=n, max_size=n)),
            dtype="str",
        ),
    }
    for key in draw(st.lists(st.sampled_from(TEXT_KEYS), unique=True)):
        columns[key] = pd.Series(draw(st.lists(text_or_none, min_size=n, max_size=n)), dtype="str")
    columns["school_urn"] = pd.Series(
        draw(st.lists(st.one_of(st.none(), st.integers(100000, 150000)), min_size=n, max_size=n)),
        dtype="Int64",
    )
    columns["role"] = pd.Series(draw(st.lists(text_or_none, min_size=n, max_size=n)), dtype=object)
    columns["school_phase"] = pd.Series(
        draw(st.lists(st.sampled_from(["Primary", "Secondary"]), min_size=n, max_size=n)),
        dtype="category",
    )
    answer = st.one_of(st.just(np.nan), st.integers(1, 5).map(float))
    for item in draw(st.lists(st.sampled_from(ITEMS), unique=True)):
        columns[item] = pd.Series(draw(st.lists(answer, min_size=n, max_size=n)), dtype="float64")
    return pd.DataFrame(columns)


@given(
    wide=wide_surveys(),
    keys=st.lists(st.sampled_from(TEXT_KEYS + OTHER_KEYS), unique=True),
    constructs=st.booleans(),
    pair_within=st.lists(st.sampled_from(["ncp", "academic_year", "work_group"]), unique=True),
)
def test_long_table_equals_a_plain_melt_of_the_wide_frame(wide, keys, constructs, pair_within):
    long = to_long(wide, INSTRUMENT, keys=keys, constructs=constructs, pair_within=pair_within)
    expected = reference_long(wide, keys, constructs, pair_within)
    assert list(long.columns) == list(expected.columns)
    assert long.dtypes.equals(expected.dtypes)
    pd.testing.assert_frame_equal(long, expected, check_exact=True)


def test_long_table_keeps_text_columns_as_pandas_strings():
    wide = pd.DataFrame(
        {
            "respondent_id": ["t1", None],
            "phase": ["pre", "post"],
            "hub": ["H", "H"],
            "ncp": ["N", "N"],
            "academic_year": ["2024/25"] * 2,
            "conf_3": [1.0, 2.0],
        }
    )
    long = to_long(wide, INSTRUMENT, keys=("hub",))
    assert long.dtypes.astype("str").tolist() == ["str", "str", "str", "str", "float64"]
    # conf_3 as answered, then the confidence construct reverse-coded (5 + 1 - x)
    assert long["item"].tolist() == ["conf_3", "conf_3", "confidence", "confidence"]
    assert long["score"].tolist() == [1.0, 2.0, 5.0, 4.0]
    assert long["respondent_id"].iloc[0] == "t1|N|2024/25"
    assert long["respondent_id"].isna().tolist() == [False, True, False, True]


# --- the compact long table (issue 16: memory at national scale) -------------------------------

ID_COLUMNS = ["respondent_id", "phase"]


@given(
    wide=wide_surveys(),
    keys=st.lists(st.sampled_from(TEXT_KEYS + OTHER_KEYS), unique=True),
    outcomes=st.lists(st.sampled_from(ITEMS + list(CONSTRUCT_ITEMS)), unique=True),
)
def test_some_outcomes_as_categories_are_the_rows_of_a_plain_melt(wide, keys, outcomes):
    long = to_long(wide, INSTRUMENT, keys=keys, outcomes=outcomes, categorical=True)
    expected = reference_long(wide, keys, True, ["ncp", "academic_year"])
    expected = expected[expected["item"].isin(outcomes)].reset_index(drop=True)
    assert list(long.columns) == list(expected.columns)
    for column in [k for k in keys if k in wide] + ID_COLUMNS + ["item"]:
        categories = long[column].cat.categories
        assert list(categories) == sorted(categories), column  # sorted: groups keep their order
        assert set(long[column].dropna()) <= set(categories)
    plain = long.astype({column: expected[column].dtype for column in expected})
    pd.testing.assert_frame_equal(plain, expected, check_exact=True)


@given(wide=wide_surveys(), keys=st.lists(st.sampled_from(TEXT_KEYS), unique=True))
def test_results_from_the_compact_long_table_are_the_same_to_the_bit(wide, keys):
    keys = [k for k in keys if k in wide]
    plain = to_long(wide, INSTRUMENT, keys=keys)
    compact = to_long(wide, INSTRUMENT, keys=keys, categorical=True)
    for design in ("paired", "unpaired", "auto"):
        pd.testing.assert_frame_equal(
            compare(compact, by=keys, design=design),
            compare(plain, by=keys, design=design),
            check_exact=True,
        )


def test_the_compact_long_table_is_a_fraction_of_the_size():
    n = 2000
    wide = pd.DataFrame(
        {
            "respondent_id": [f"participant-{i // 2:05d}" for i in range(n)],
            "phase": ["pre", "post"] * (n // 2),
            "hub": "Archimedes North East Maths Hub",
            "ncp": "Primary Teaching for Mastery Sustaining",
            "academic_year": "2024/25",
            **{item: np.full(n, 3.0) for item in ITEMS},
        }
    )
    keys = ["hub", "ncp", "academic_year"]
    plain = to_long(wide, INSTRUMENT, keys=keys).memory_usage(deep=True).sum()
    compact = to_long(wide, INSTRUMENT, keys=keys, categorical=True)
    assert compact.memory_usage(deep=True).sum() < plain / 4
