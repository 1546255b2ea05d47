"""The fast paths for long files give exactly what the plain pandas way gives.

Each test compares a shortcut (distinct values first, integer codes shared through a cache, bytes
read straight from Arrow, ids coded on another thread) with pandas doing the same job directly.
"""

from __future__ import annotations

import contextlib
import re
from datetime import datetime

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.validation import check_survey, context
from evaluation.validation.cells import blank_to_na, casefold, integers
from evaluation.validation.dates import exact_iso, one_datetime, parse_datetimes
from schemas import coding

# Short codes with repeats, spaces, case, accents and blanks: what an id column holds.
codes_text = st.sampled_from(["ab12", "AB12", " ab12", "cd34 ", "", "é1", "x", "Straße", "\tq"])
ISO = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d")
ISO_START = re.compile(r"\d{4}-\d\d-\d\d")
maybe_codes = st.lists(st.one_of(st.none(), codes_text), min_size=1, max_size=40)


def slow_repeated(df: pd.DataFrame, keys: list[str]) -> list[bool]:
    return df[keys].astype(object).duplicated(keep=False).tolist()


@given(
    ids=maybe_codes,
    phases=st.lists(st.sampled_from(["pre", "post", None, "mid"]), min_size=40, max_size=40),
    ncps=st.lists(st.sampled_from(["a", "b"]), min_size=40, max_size=40),
)
def test_repeated_matches_pandas_duplicated(ids, phases, ncps):
    n = len(ids)
    df = pd.DataFrame({"id": ids, "phase": phases[:n], "ncp": ncps[:n]}, dtype="str")
    for keys in (["id"], ["id", "phase"], ["id", "phase", "ncp"]):
        assert coding.repeated(df, keys).tolist() == slow_repeated(df, keys)


@given(values=maybe_codes)
def test_codes_match_factorize_and_the_cache_follows_changes(values):
    series = pd.Series(values, dtype="str")
    expected, uniques = pd.factorize(series)
    for _ in range(2):  # the second call is answered from the cache
        codes, n = coding.value_codes(series)
        assert codes.tolist() == expected.tolist() and n == len(uniques)
    few, n_few = coding.few_codes(series)
    assert n_few == len(uniques)
    assert np.array_equal(few == -1, expected == -1)
    assert pd.Series(few).duplicated().tolist() == pd.Series(expected).duplicated().tolist()
    series[0] = "changed-value"  # a new Arrow array: the old codes must not be reused
    assert coding.value_codes(series)[0].tolist() == pd.factorize(series)[0].tolist()


@given(values=maybe_codes, allowed=st.sets(codes_text, max_size=5))
def test_all_in_matches_isin(values, allowed):
    series = pd.Series(values, dtype="str")
    expected = (series.isin(list(allowed)) | series.isna()).tolist()
    assert coding.all_in(series, allowed).tolist() == expected
    assert coding.distinct_values(series) == list(dict.fromkeys(v for v in values if v is not None))
    assert coding.missing_count(series) == sum(v is None for v in values)


def slow_blank_to_na(values: pd.Series) -> list[object]:
    stripped = values.astype(object).map(lambda v: v.strip() if isinstance(v, str) else v)
    return [None if (v is None or v != v or v == "") else v for v in stripped]


@given(values=maybe_codes)
def test_blank_to_na_and_casefold_match_python(values):
    series = pd.Series(values, dtype="str")
    tidy = blank_to_na(series)
    assert [None if v != v else v for v in tidy.astype(object)] == slow_blank_to_na(series)
    folded = casefold(tidy)
    assert [None if v != v else v for v in folded.astype(object)] == [
        None if v is None else v.casefold() for v in slow_blank_to_na(series)
    ]


def test_blank_to_na_sees_unicode_spaces_at_either_end():
    series = pd.Series(["\u00a0ab12", "cd34\u2003", "ef56"], dtype="str")
    assert blank_to_na(series).tolist() == ["ab12", "cd34", "ef56"]


@settings(max_examples=200)
@given(
    stamps=st.lists(
        st.one_of(
            st.none(),
            st.datetimes(
                min_value=pd.Timestamp("0001-01-01"), max_value=pd.Timestamp("9999-12-31")
            ).map(lambda d: d.replace(microsecond=0).isoformat(sep=" ")),
            st.sampled_from(
                [
                    "2021-02-29 10:00:00",  # not a leap year
                    "2024-02-29 10:00:00",
                    "2021-04-31 10:00:00",
                    "2021-10-25 24:00:00",
                    "2021-10-25 13:60:00",
                    "0000-01-01 00:00:00",
                    "2021-10-25T13:49+01",  # a zone, not seconds
                    " 021-10-25 13:49:05",
                    "2021-1a-25 13:49:05",
                ]
            ),
        ),
        min_size=1,
        max_size=12,
    ),
)
def test_exact_iso_reads_only_real_date_times(stamps):
    series = pd.Series(stamps, dtype="str")
    got = exact_iso(series)
    given_text = [s for s in stamps if s is not None]
    expected = []
    for text in given_text:
        stamp = None
        if ISO.fullmatch(text) and text[:4] != "0000":
            with contextlib.suppress(ValueError):
                stamp = datetime.fromisoformat(text)  # Python's own calendar
        expected.append(stamp)
    if not given_text or any(e is None for e in expected):
        assert got is None
        return
    assert got is not None
    assert [v for v in got.tolist() if not pd.isna(v)] == expected


def test_integers_from_whole_number_column_is_the_same_as_from_text():
    numbers, bad = integers(pd.Series([123456, 999999]))
    text, bad_text = integers(pd.Series(["123456", "999999"], dtype="str"))
    assert numbers.tolist() == text.tolist() == [123456, 999999]
    assert numbers.dtype == text.dtype == pd.Int64Dtype() and not bad.any() and not bad_text.any()


@pytest.mark.parametrize("background_rows", [1, 10**9])
def test_ids_coded_in_the_background_give_the_same_report(monkeypatch, background_rows):
    rows = ["Participant code,Phase,Maths Hub,Project,Academic year,Q1"]
    rows += [f"p{i % 7},{'pre' if i % 2 else 'post'},Solent,MN-KS2,2024/25,4" for i in range(30)]
    data = "\n".join(rows).encode()
    monkeypatch.setattr(context, "BACKGROUND_ROWS", 10**9)
    plain = check_survey(data)
    monkeypatch.setattr(context, "BACKGROUND_ROWS", background_rows)
    fast = check_survey(data)
    assert fast.report.to_dict() == plain.report.to_dict()
    assert any(p.code == "duplicate_response" for p in fast.report.errors)
    pd.testing.assert_frame_equal(fast.frame, plain.frame)


def test_item_range_check_skips_empty_answers_but_reports_the_rest():
    from schemas.survey import item_column

    schema = pa.DataFrameSchema({"conf_1": item_column(1, 5)})
    frame = pd.DataFrame({"conf_1": [0.0, np.nan, 3.0, 6.0]})
    with pytest.raises(pa.errors.SchemaErrors) as caught:
        schema.validate(frame, lazy=True)
    assert caught.value.failure_cases["index"].tolist() == [0, 3]


LAYOUTS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%d.%m.%y",
    "%d-%m-%Y",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%d %b %Y",  # month names: read one at a time
    "%d/%m/%Y %H:%M GMT+1",  # a zone suffix: read one at a time
]


@settings(max_examples=150, deadline=None)
@given(
    moments=st.lists(
        st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 12, 31)),
        min_size=1,
        max_size=15,
    ),
    layouts=st.lists(st.sampled_from(LAYOUTS), min_size=1, max_size=2),
    blanks=st.integers(0, 3),
)
def test_dates_read_in_bulk_match_reading_each_one_alone(moments, layouts, blanks):
    cells = [m.strftime(layouts[i % len(layouts)]) for i, m in enumerate(moments)]
    cells += [""] * blanks
    series = pd.Series(cells, dtype="str")
    # The day-order rule, written out independently: UK unless a value can only be US.
    pairs = [re.match(r"^(\d{1,2})[/.-](\d{1,2})", c) for c in cells]
    firsts = [int(p.group(1)) for p in pairs if p]
    seconds = [int(p.group(2)) for p in pairs if p]
    dayfirst = any(f > 12 for f in firsts) or not any(s > 12 for s in seconds)
    parsed, bad = parse_datetimes(series)
    expected = [
        pd.NaT
        if not c
        else pd.Timestamp(datetime.fromisoformat(c))
        if ISO_START.match(c)
        else one_datetime(c, dayfirst)
        for c in cells
    ]
    assert [None if pd.isna(v) else v for v in parsed] == [
        None if pd.isna(v) else v for v in expected
    ]
    assert bad.tolist() == [bool(c) and pd.isna(e) for c, e in zip(cells, expected, strict=True)]


def test_a_year_first_date_with_a_zone_is_never_read_day_first():
    series = pd.Series(["2024-09-04 10:05 GMT+1", "14/09/2024 10:05"], dtype="str")
    parsed, bad = parse_datetimes(series)
    assert parsed.tolist() == [pd.Timestamp("2024-09-04 10:05"), pd.Timestamp("2024-09-14 10:05")]
    assert not bad.any()
