"""People over time (DOMAIN.md, "People and standards over time"; docs/people.md): who is employed in a month.

The Roster's optional Start Date and Leave Date are both days worked. For month m a person is employed for
the working days (``toolkit.core.workdays``: weekends and holidays off, make-up workdays on) from
max(start, m's first day) to min(leave, m's last day); their share of the month is those days ÷ the month's
working days: 1 in a month fully worked, 0 before the start month and after the leave month. Floating pay
is prorated by that share; royalty on receipts dated after the leave date is not earned unless the
Thresholds option ``Pay Leavers On Later Receipts`` is 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .workdays import Calendar

#: The Thresholds option: receipts dated after a Leave Date still earn royalty (1) or not (0, the default).
PAY_LEAVERS_LATER = "Pay Leavers On Later Receipts"


def _ids(roster: pd.DataFrame) -> pd.Series:
    return roster["employee_id"].astype("string").str.strip()


def _dates(roster: pd.DataFrame, col: str) -> pd.Series:
    if col not in roster.columns:
        return pd.Series(pd.NaT, index=roster.index, dtype="datetime64[ns]")
    return pd.to_datetime(roster[col], errors="coerce")


def leave_dates(roster: pd.DataFrame) -> pd.Series:
    """Leave Date per employee_id (only people with one)."""
    if roster is None or not len(roster) or "leave_date" not in roster.columns:
        return pd.Series(dtype="datetime64[ns]")
    s = pd.Series(_dates(roster, "leave_date").to_numpy(), index=_ids(roster).to_numpy())
    s = s[s.notna() & s.index.notna()]
    return s[~s.index.duplicated()]


def employment(roster: pd.DataFrame, year: int, month: int, holidays: pd.DataFrame | None = None) -> pd.Series:
    """Each Roster employee's share of ``month`` employed (0..1), by working days; index employee_id."""
    if roster is None or not len(roster):
        return pd.Series(dtype="float64")
    ids = _ids(roster)
    first = pd.Timestamp(year, month, 1)
    last = first + pd.offsets.MonthEnd(0)
    start = _dates(roster, "start_date").fillna(first).clip(lower=first)
    end = _dates(roster, "leave_date").fillna(last).clip(upper=last)
    cal = Calendar.from_table(holidays)
    total = float(cal.working_days(first, last)[0])
    worked = np.nan_to_num(cal.working_days(start, end), nan=0.0)  # NaN: end before start (not employed)
    share = np.where(worked >= total, 1.0, worked / total) if total else np.where(end >= start, 1.0, 0.0)
    out = pd.Series(share, index=ids.to_numpy(), dtype="float64")
    return out[out.index.notna() & ~out.index.duplicated()]


def employed_months(roster_row: dict, year: int) -> list[int]:
    """The months of ``year`` a Roster row (dict with ``start_date``/``leave_date``) is employed in."""
    start, leave = (pd.to_datetime(roster_row.get(k), errors="coerce") for k in ("start_date", "leave_date"))
    lo = 1 if pd.isna(start) or start.year < year else (13 if start.year > year else start.month)
    hi = 12 if pd.isna(leave) or leave.year > year else (0 if leave.year < year else leave.month)
    return list(range(lo, hi + 1))
