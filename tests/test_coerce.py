"""The reader's fast column path (``coerce_array``) gives exactly what the general path (``coerce``) gives."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from toolkit.io.coerce import coerce, coerce_array
from toolkit.io.typed import _coerce_info, _coerce_info_cell, _iso_month
from toolkit.schema import DEPARTMENT, STANDARDS, ColType

COLUMNS = {
    ColType.MONEY: DEPARTMENT.table("Contracts").column("amount"),
    ColType.INTEGER: DEPARTMENT.table("Contracts").column("payment_terms"),
    ColType.PERCENT: DEPARTMENT.table("Contracts").column("split_share"),
    ColType.DATE: DEPARTMENT.table("Contracts").column("sign_date"),
    ColType.MONTH: DEPARTMENT.table("Forecast").column("month"),
    ColType.BOOL: DEPARTMENT.table("Expenses").column("receipt"),
    ColType.TEXT: DEPARTMENT.table("Contracts").column("customer"),
    "enum": DEPARTMENT.table("Contracts").column("status"),
    ColType.NUMBER: STANDARDS.table("ProductLines").column("royalty_factor"),
}

cells = st.one_of(
    st.just(""),
    st.floats(-1e9, 1e9, allow_nan=False),
    st.integers(-10**6, 10**6),
    st.booleans(),
    st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)),
    st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2040, 12, 31)),
    st.sampled_from(["1,234.50", " 12 ", "80%", "¥1,200", "(50.00)", "abc", "2026-10-05", "2026年10月5日",
                     "2026-10", "Yes", "否", "Signed", "已终止", "  ", "=SUM(A1)", "#N/A"]),
)


def _same(a: pd.Series, b: pd.Series) -> None:
    pd.testing.assert_series_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_names=False)


@pytest.mark.parametrize("kind", list(COLUMNS), ids=str)
@settings(max_examples=40, deadline=None)
@given(values=st.lists(cells, min_size=1, max_size=25), uniform=st.booleans())
# 40 drawn examples (150 before) reach, with these five, every line and branch of io/coerce.py that the 150 reached
# for each kind (coverage.py --branch, CI=1): a column of text only, none blank, all dates of the first format
# (the text paths' shortcuts, the date formats' early stop); text among numbers, none only spaces; a column of
# plain dates only (their ordinal path); a column of datetimes only (the pandas path of native dates); Yes/No
# words not in their table's case (the 150 caught a fast path that forgot to casefold them, the 40 alone did not)
@example(values=["Yes", "否", "  ", "NO"], uniform=False)
@example(values=["2026-10-05", " 2026-01-31 "], uniform=False)
@example(values=["2026-10-05", 45000.0], uniform=False)
@example(values=[dt.date(2026, 10, 5), dt.date(1990, 1, 1)], uniform=False)
@example(values=[dt.datetime(2026, 10, 5, 12, 30)], uniform=False)
def test_fast_path_equals_general_path(kind, values, uniform):
    if uniform:  # a column of one native type (plus blanks) takes the fast path
        values = [v for v in values if isinstance(v, float) or v == ""] or [""]
    col = COLUMNS[kind]
    arr = np.array(values, dtype=object)
    index = pd.RangeIndex(2, 2 + len(values))
    fast, fast_bad = coerce_array(arr, index, col)
    slow, slow_bad = coerce(pd.Series(arr, index=index, dtype=object), col)
    _same(fast, slow)
    _same(fast_bad, slow_bad)


@pytest.mark.parametrize("cell", [dt.datetime(2300, 1, 1), dt.date(1000, 1, 1), 132321, 5e6, "2300-01-01"])
def test_dates_beyond_the_plausible_range_are_type_errors(cell):
    """A date past 2199 (or a huge serial number) is a type error, never an overflow crash."""
    col = COLUMNS[ColType.DATE]
    arr = np.array([cell, dt.date(2026, 10, 5)], dtype=object)
    for out, bad in (coerce_array(arr, pd.RangeIndex(2, 4), col), coerce(pd.Series(arr, dtype=object), col)):
        assert bad.tolist() == [True, False]
        assert pd.isna(out.iloc[0]) and out.iloc[1] == pd.Timestamp("2026-10-05")


def test_an_info_period_typed_without_pandas_is_what_coerce_array_gives() -> None:
    """``typed._coerce_info``'s fast path for a period written YYYY-MM gives what the general coercion gives
    (value, unit, failed or not); other spellings and out-of-range months still go through ``coerce_array``."""
    fast = ["2026-10", " 2026-01 ", "２０２６－１０", "\u30002026-10\u3000", "2026-10\n", "1900-01", "2199-12", "202６-12"]
    slow = ["1899-12", "2200-01", "2026-00", "2026-13", "2026-1", "2026-10-01", "2026/10", "Oct 2026", "20261-0"]
    for text in fast + slow:
        assert (_iso_month(text) is not None) == (text in fast), text
        got, want = _coerce_info(text, ColType.MONTH, False), _coerce_info_cell(text, ColType.MONTH, False)
        assert got[0] == want[0] and (pd.isna(want[1]) and pd.isna(got[1]) or got[1] == want[1]), (text, got, want)
        if not pd.isna(want[1]):
            assert type(got[1]) is type(want[1]) and got[1].unit == want[1].unit == "ns", text
