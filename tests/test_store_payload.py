"""Tests for evaluation.store.payload: frames survive encoding, filters keep exactly the right rows.

Property-based (Hypothesis) round trips; expected rows computed with plain pandas boolean masks.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.store import payload

HUBS = ["Solent Maths Hub", "Sussex Maths Hub", "Kent and Medway Maths Hub"]

rows = st.lists(
    st.tuples(
        st.sampled_from(HUBS),
        st.one_of(st.none(), st.sampled_from(["WG-1", "WG-2"])),
        st.one_of(st.none(), st.floats(1, 5, allow_nan=False)),
        st.one_of(st.none(), st.integers(100000, 999999)),
        st.one_of(st.none(), st.text(max_size=20)),
        st.one_of(st.none(), st.booleans()),
    ),
    min_size=1,
    max_size=40,
)


def to_frame(records: list[tuple]) -> pd.DataFrame:
    hub, work_group, score, urn, text, flag = zip(*records, strict=True)
    return pd.DataFrame(
        {
            "hub": pd.Series(hub, dtype="str"),
            "work_group": pd.Series(work_group, dtype="str"),
            "score": pd.Series(score, dtype="float64"),
            "school_urn": pd.Series(urn, dtype="Int64"),
            "text_answer": pd.Series(text, dtype="str"),
            "flag": pd.Series(flag, dtype="boolean"),
            "source_row": range(2, len(records) + 2),
        }
    )


@settings(max_examples=40)
@given(rows)
def test_a_frame_round_trips_with_its_dtypes(records: list[tuple]) -> None:
    frame = to_frame(records)
    decoded = payload.decode([(5, payload.encode(frame))])
    assert decoded["dataset_id"].tolist() == [5] * len(frame)
    pd.testing.assert_frame_equal(decoded.drop(columns="dataset_id"), frame)


@settings(max_examples=40)
@given(rows, rows, st.sets(st.sampled_from(HUBS)), st.sets(st.sampled_from(["WG-1", "WG-2"])))
def test_filters_keep_exactly_the_rows_with_allowed_values(
    first: list[tuple], second: list[tuple], hubs: set[str], groups: set[str]
) -> None:
    frames = {1: to_frame(first), 2: to_frame(second)}
    decoded = payload.decode(
        [(i, payload.encode(f)) for i, f in frames.items()],
        allowed={"hub": sorted(hubs), "work_group": sorted(groups), "ncp": None},
    )
    expected = pd.concat(
        [
            f[f["hub"].isin(hubs) & f["work_group"].isin(groups)].assign(dataset_id=i)
            for i, f in frames.items()
        ]
    )
    assert decoded[["dataset_id", "source_row"]].values.tolist() == (
        expected[["dataset_id", "source_row"]].values.tolist()
    )


def test_payloads_with_different_columns_are_united() -> None:
    one = pd.DataFrame({"hub": ["A"], "conf_1": [1.0], "urn": pd.array([123456], dtype="Int64")})
    two = pd.DataFrame({"hub": ["B"], "know_1": [2.0]})
    decoded = payload.decode([(1, payload.encode(one)), (2, payload.encode(two))])
    assert decoded.columns.tolist() == ["dataset_id", "hub", "conf_1", "urn", "know_1"]
    assert decoded["urn"].dtype == "Int64" and decoded["urn"].isna().tolist() == [False, True]
    assert decoded["dataset_id"].dtype == "int64"


def test_a_filter_on_a_column_a_payload_lacks_keeps_none_of_its_rows() -> None:
    frame = pd.DataFrame({"hub": ["A", "B"], "score": [1.0, 2.0]})
    decoded = payload.decode([(1, payload.encode(frame))], allowed={"work_group": ["WG-1"]})
    assert decoded.empty
    assert payload.decode([(1, payload.encode(frame))], allowed={"hub": []}).empty
