"""decode_tables_since: decoding only the changed kept tables gives decode_tables' frame exactly."""

from __future__ import annotations

import pandas as pd
import pandas.testing as pdt

from evaluation.store.decoded import decode_tables_since
from evaluation.store.results import decode_tables, encode_table


def table(hub: str, value: float, note: str | None) -> bytes:
    return encode_table(
        pd.DataFrame(
            {
                "hub": [hub, hub],
                "item": ["a", "b"],
                "n_pre": [3, 4],
                "d_z": [value, value / 2],
                "reason": pd.Series([note, None], dtype=object),
            }
        )
    )


def test_reused_rows_give_exactly_the_full_decode():
    blobs = [table(f"H{i}", float(i), "thin" if i % 3 else None) for i in range(12)]
    first = decode_tables_since(blobs)
    pdt.assert_frame_equal(first.frame, decode_tables(blobs), check_exact=True)
    # One table changed (its text column now all missing: stored with the null type), one
    # removed, one new at the end: only those two are decoded.
    later = [*blobs[:4], table("H4", 40.0, None), *blobs[6:], table("H99", 9.0, "new")]
    again = decode_tables_since(later, first)
    expected = decode_tables(later)
    pdt.assert_frame_equal(again.frame, expected, check_exact=True)
    assert again.frame["d_z"].tolist()[8:10] == [40.0, 20.0]
    assert decode_tables_since(later, again) is again


def test_a_new_column_type_decodes_everything_afresh():
    blobs = [table(f"H{i}", float(i), None) for i in range(4)]
    first = decode_tables_since(blobs)
    odd = encode_table(pd.DataFrame({"hub": ["H9"], "item": ["a"], "n_pre": [1.5]}))
    later = [*blobs, odd]
    pdt.assert_frame_equal(
        decode_tables_since(later, first).frame, decode_tables(later), check_exact=True
    )
