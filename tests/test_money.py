"""Money rounding: Excel's ROUND (15 significant digits, half away from zero), scalar and vectorised alike."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.money import fmt_money, fmt_money_column, round_float, round_money, round_series


@pytest.mark.parametrize(("x", "expected"), [
    (2.675, "2.68"),            # stored as 2.67499999999999982236431605997495353221893310546875
    (1.005, "1.01"),
    (-2.675, "-2.68"),          # half away from zero, not half up
    (0.125, "0.13"),            # not banker's rounding
    (-0.005, "-0.01"),
    (-0.004, "0.00"),           # no negative zero
    (10485.755 + 0.06, "10485.82"),  # 10485.814999999999 in binary, 10485.815 to Excel
    (1234.5, "1234.50"),
    (7, "7.00"),
    (1e300, f"{Decimal('1e300'):.2f}"),  # huge but finite: no decimal.InvalidOperation
])
def test_round_money_matches_excel(x, expected):
    assert fmt_money(x) == expected
    assert f"{round_series(pd.Series([x])).iloc[0]:.2f}" == f"{float(expected):.2f}"


def test_blank_and_non_finite_are_blank():
    assert round_money(None) is None and round_money(float("nan")) is None and round_money(float("inf")) is None
    out = round_series(pd.Series([np.nan, np.inf, -np.inf, None]))
    assert out.isna().all()


def test_other_digits():
    assert round_money(1234.5678, 0) == Decimal("1235") and round_money(-1234.5, 0) == Decimal("-1235")
    assert round_float(0.0005, 3) == 0.001


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-10**12, 10**12), min_size=1, max_size=50), st.sampled_from([1, 2, 3, 4]),
       st.integers(0, 3))
def test_vectorised_agrees_with_scalar_on_decimal_values(ints, places, digits):
    """Values typed with a few decimals (money, shares, products of them) round the same both ways."""
    values = pd.Series([i / 10**places for i in ints]) * 0.5 + 0.06
    got = round_series(values, digits)
    want = [round_float(x, digits) for x in values]
    assert got.tolist() == want


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(-1e15, 1e15, allow_nan=False), min_size=1, max_size=50))
def test_vectorised_agrees_with_scalar_on_any_float(values):
    s = pd.Series(values)
    assert round_series(s).tolist() == [round_float(x) for x in values]


@pytest.mark.parametrize(("x", "plain", "people", "change"), [
    (0.125, "0.13", "0.13", "+0.13"),  # half away from zero: a float 0.125 is exactly a half
    (2.675, "2.68", "2.68", "+2.68"),  # 2.67499999999999982 in binary, 2.675 to Excel
    (-2.675, "-2.68", "-2.68", "-2.68"),
    (-0.005, "-0.01", "-0.01", "-0.01"),
    (-0.004, "0.00", "0.00", "+0.00"),  # rounds to zero: no "-0.00"
    (-0.0, "0.00", "0.00", "+0.00"),
    (1234567.125, "1234567.13", "1,234,567.13", "+1,234,567.13"),
    (-1234.5, "-1234.50", "-1,234.50", "-1,234.50"),
    (Decimal("0.125"), "0.13", "0.13", "+0.13"),
    (7, "7.00", "7.00", "+7.00"),
])
def test_money_as_text_one_rule(x, plain, people, change):
    """One function writes money as text: the JSON form, the people's form and a change, all by round_money."""
    assert fmt_money(x) == plain
    assert fmt_money(x, grouped=True) == people
    assert fmt_money(x, grouped=True, sign=True) == change
    assert fmt_money_column(pd.Series([x], dtype=object if isinstance(x, Decimal) else None).astype("float64"),
                            grouped=True).iloc[0] == people


def test_money_as_text_blank_and_whole_units():
    assert fmt_money(None) is None and fmt_money(float("nan"), blank="") == "" and fmt_money(float("inf"), blank="–") == "–"
    assert fmt_money(2.5, digits=0, grouped=True) == "3" and fmt_money(-2.5, digits=0) == "-3"
    assert fmt_money(-0.4, digits=0) == "0"
    col = fmt_money_column(pd.Series([0.125, None, -0.0, 2.675]), blank="")
    assert col.tolist() == ["0.13", "", "0.00", "2.68"]


def _decimal_text(x: float, digits: int, grouped: bool, sign: bool) -> str:
    """The definition fmt_money's float fast path must agree with: round_money's Decimal, formatted."""
    r = round_money(x, digits)
    return format(r, f"{'+' if sign else ''}{',' if grouped else ''}.{digits}f")


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e16, max_value=1e16),
                 st.integers(-10**9, 10**9).map(lambda n: n / 1000),   # exact halves of cents and their neighbours
                 st.integers(-10**9, 10**9).map(lambda n: n / 200)),
       st.integers(0, 6), st.booleans(), st.booleans())
def test_fmt_money_fast_path_matches_decimal_definition(x, digits, grouped, sign):
    """fmt_money formats a float without Decimal unless it lies near a half: the text is the same either way."""
    assert fmt_money(x, digits=digits, grouped=grouped, sign=sign) == _decimal_text(x, digits, grouped, sign)
    assert fmt_money(np.float64(x), digits=digits) == _decimal_text(x, digits, False, False)


@pytest.mark.parametrize("x", [0.125, 2.675, 1.005, -0.005, 10485.755 + 0.06, 0.1 + 0.2, 1e14 + 0.5, 9.995e12,
                               -0.0, 5e-324, 123456789.125, 0.285, 1.115])
def test_fmt_money_near_halves_and_extremes(x):
    for digits in range(7):
        assert fmt_money(x, digits=digits, grouped=True, sign=True) == _decimal_text(x, digits, True, True)


def test_no_other_money_formatting_in_the_source():
    """Money reaches text only through fmt_money: no f-string or format() with two decimals and thousands
    separators, nor a "{:.2f}" of a money amount, outside toolkit/money.py (ratios use "{:.2f}" with a comment)."""
    root = Path(__file__).resolve().parent.parent / "toolkit"
    pattern = re.compile(r":[+]?,?\.[02]f")
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "money.py":
            continue
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and "not money" not in line:
                offenders.append(f"{path.relative_to(root)}:{i}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
