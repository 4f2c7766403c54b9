"""China's official public holidays and make-up workdays for 2025 and 2026 (State Council notices).

Every day of each holiday period is listed as ``Holiday`` (weekend days inside the period too);
the make-up workdays (调休, a Saturday or Sunday) are listed as ``Workday``.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from ..core.workdays import Calendar

#: (first day, last day) of each official holiday period.
HOLIDAY_PERIODS: tuple[tuple[str, str, str], ...] = (
    ("2025-01-01", "2025-01-01", "New Year's Day"),
    ("2025-01-28", "2025-02-04", "Spring Festival"),
    ("2025-04-04", "2025-04-06", "Qingming"),
    ("2025-05-01", "2025-05-05", "Labour Day"),
    ("2025-05-31", "2025-06-02", "Dragon Boat Festival"),
    ("2025-10-01", "2025-10-08", "National Day and Mid-Autumn"),
    ("2026-01-01", "2026-01-03", "New Year's Day"),
    ("2026-02-15", "2026-02-23", "Spring Festival"),
    ("2026-04-04", "2026-04-06", "Qingming"),
    ("2026-05-01", "2026-05-05", "Labour Day"),
    ("2026-06-19", "2026-06-21", "Dragon Boat Festival"),
    ("2026-09-25", "2026-09-27", "Mid-Autumn Festival"),
    ("2026-10-01", "2026-10-07", "National Day"),
)
#: Saturdays and Sundays that are working days to make up for the bridges.
MAKEUP_WORKDAYS: tuple[str, ...] = (
    "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
    "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
)


def holidays_frame() -> pd.DataFrame:
    """The Holidays table (``date``, ``kind``), sorted by date."""
    days = [d for first, last, _ in HOLIDAY_PERIODS for d in pd.date_range(first, last, freq="D")]
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(days + [pd.Timestamp(d) for d in MAKEUP_WORKDAYS]),
            "kind": pd.Series(["Holiday"] * len(days) + ["Workday"] * len(MAKEUP_WORKDAYS), dtype="str"),
        }
    )
    return frame.sort_values("date", ignore_index=True)


@lru_cache(maxsize=1)
def calendar() -> Calendar:
    """The sample company's working-day calendar."""
    return Calendar.from_table(holidays_frame())


#: The span the calendar is evaluated over (2027 has no holidays listed: only weekends are off).
SPAN = ("2024-12-01", "2027-12-31")


@lru_cache(maxsize=1)
def _workdays() -> pd.DatetimeIndex:
    days = pd.date_range(*SPAN, freq="D")
    return days[calendar().is_workday(days)]


def workdays_between(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    """Every working day from ``start`` to ``end`` inclusive."""
    days = _workdays()
    return days[(days >= start) & (days <= end)]


def next_workday(day: pd.Timestamp) -> pd.Timestamp:
    """``day`` itself when it is a working day, else the next working day (``day`` beyond the span)."""
    days = _workdays()
    i = days.searchsorted(day)
    return days[i] if i < len(days) else day
