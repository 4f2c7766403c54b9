"""Holiday-aware working days (toolkit.core.workdays), checked against a day-by-day count."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.core import workdays
from toolkit.core.workdays import Calendar

HOLIDAYS = pd.DataFrame({
    "date": pd.to_datetime(["2026-01-01", "2026-02-14", "2026-02-16", "2026-02-17", "2026-02-18", "2026-10-03",
                            "2026-10-10"]),
    "kind": ["Holiday", "Workday", "Holiday", "Holiday", "Holiday", "Holiday", "Workday"],
})
CAL = Calendar.from_table(HOLIDAYS)


def _slow(start: dt.date, end: dt.date) -> int:
    hol = {d.date() for d, k in zip(HOLIDAYS["date"], HOLIDAYS["kind"]) if k == "Holiday"}
    work = {d.date() for d, k in zip(HOLIDAYS["date"], HOLIDAYS["kind"]) if k == "Workday"}
    n, d = 0, start
    while d <= end:
        n += (d in work) or (d.weekday() < 5 and d not in hol)
        d += dt.timedelta(days=1)
    return n


def test_known_spans():
    start = pd.Series(pd.to_datetime(["2026-02-12", "2026-01-01", "2026-03-02", "2026-03-05", None]))
    end = pd.Series(pd.to_datetime(["2026-02-20", "2026-01-02", "2026-03-06", "2026-03-04", "2026-03-04"]))
    got = CAL.working_days(start, end)
    assert got[:3].tolist() == [5.0, 1.0, 5.0]  # Thu 12, Fri 13, Sat 14 (make-up), Thu 19, Fri 20
    assert np.isnan(got[3]) and np.isnan(got[4])


def test_weekend_and_holiday_flags():
    days = pd.Series(pd.to_datetime(["2026-02-14", "2026-02-15", "2026-02-16", "2026-10-03", "2026-03-02", None]))
    assert CAL.is_weekend(days).tolist() == [False, True, False, True, False, False]
    assert CAL.is_holiday(days).tolist() == [False, False, True, True, False, False]
    assert CAL.is_workday(days).tolist() == [True, False, False, False, True, False]


def test_empty_calendar_counts_weekdays():
    got = Calendar.from_table(None).working_days(pd.Series([pd.Timestamp("2026-01-01")]),
                                                 pd.Series([pd.Timestamp("2026-01-31")]))
    assert got.tolist() == [22.0]


@settings(max_examples=150, deadline=None)
@given(st.dates(dt.date(2025, 12, 1), dt.date(2026, 12, 31)), st.integers(0, 60))
def test_matches_day_by_day_count(start, length):
    end = start + dt.timedelta(days=length)
    got = CAL.working_days(pd.Series([pd.Timestamp(start)]), pd.Series([pd.Timestamp(end)]))
    assert got[0] == _slow(start, end)


def test_days_fast_path_gives_the_general_paths_days_on_the_sample(sample_dir) -> None:
    """workdays._days casts naive datetime64 arrays, Series and Timestamps directly; on the sample's Roster dates
    (NaT included), shuffled indexes, other units and scalars it gives the general (to_datetime) path's days, and
    working_days over the Roster equals the general path's count."""
    from toolkit.core import workdays as W

    sheets = pd.read_excel(sample_dir / "standards.xlsx", sheet_name=None)
    roster = next(f for name, f in sheets.items() if name.lower() == "roster")
    cols = [c for c in roster.columns if roster[c].dtype.kind == "M"]
    assert cols
    cases: list[object] = [pd.Timestamp("1969-12-31 23:59"), pd.Timestamp("2026-02-28 13:00")]
    for c in cols:
        s = roster[c].iloc[::-1]
        cases += [s, s.to_numpy(), s.to_numpy().astype("datetime64[s]"), s.dt.as_unit("s")]
    assert any(np.isnat(W._days_general(c)).any() for c in cases)
    for c in cases:
        fast, general = W._days(c), W._days_general(c)
        assert fast.dtype == general.dtype and fast.shape == general.shape
        assert np.array_equal(fast, general, equal_nan=True)
    holidays = next(f for name, f in sheets.items() if name.lower() == "holidays")
    cal = Calendar.from_table(holidays.rename(columns=str.lower)[["date", "kind"]])
    assert len(cal.holidays)
    start, end = roster[cols[0]], roster[cols[0]] + pd.Timedelta(days=40)
    fast = cal.working_days(start, end)
    s, e = W._days_general(start), W._days_general(end)
    slow = [np.nan if np.isnat(a) else float(np.busday_count(a, b + 1, holidays=cal.holidays)
                                              + ((cal.workdays >= a) & (cal.workdays <= b)).sum())
            for a, b in zip(s, e)]
    np.testing.assert_array_equal(fast, np.array(slow))


def test_days_of_time_zone_dates_with_a_blank_are_the_general_paths() -> None:
    """Dates with a time zone (a pandas dtype, not numpy's) go the general way, a blank included (the review's
    case crashed the fast path)."""
    zoned = pd.Series(pd.to_datetime(["2026-03-01 23:30", "2026-03-02 01:00", None]).tz_localize("Asia/Shanghai"))
    got, want = workdays._days(zoned), workdays._days_general(zoned)
    assert got.dtype == want.dtype and np.array_equal(got, want, equal_nan=True)
