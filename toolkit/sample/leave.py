"""Leave requests of one department for 2026: Days are working days (holidays aware), no overlaps,
annual leave within each person's Leave Days."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import DEPARTMENT
from .frames import document_numbers, typed_frame
from .holidays import calendar, workdays_between
from .names import DeptSpec, PERIOD_END, YEAR

#: (type, probability a person has such a request, length in working days low..high)
OTHER_LEAVE = (("Sick", 0.5, (1, 3)), ("Personal", 0.4, (1, 2)))
ANNUAL_PIECES = (1, 2, 3)  # annual leave is taken in this many pieces


def _pieces(total: int, rng: np.random.Generator) -> list[int]:
    """Split ``total`` days into 1-3 positive pieces."""
    n = int(min(rng.choice(ANNUAL_PIECES), total))
    cuts = np.sort(rng.choice(np.arange(1, total), size=n - 1, replace=False)) if n > 1 else np.array([], int)
    return [int(x) for x in np.diff(np.concatenate([[0], cuts, [total]]))]


def _place(length: int, taken: set, workdays: pd.DatetimeIndex, rng: np.random.Generator):
    """A (start, end) span of ``length`` working days that does not touch days already ``taken``."""
    for _ in range(50):
        i = int(rng.integers(0, len(workdays) - length))
        span = workdays[i : i + length]
        if not taken.intersection(span):
            taken.update(span)
            return span[0], span[-1]
    return None


def leave_frame(dept: DeptSpec, staff: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The Leave table: annual leave (most of the balance), some sick and personal days."""
    workdays = workdays_between(pd.Timestamp(f"{YEAR}-01-05"), pd.Timestamp(f"{YEAR}-12-18"))
    rows = []
    for person in staff.itertuples():
        taken: set = set()
        requests = [("Annual", n) for n in _pieces(int(rng.integers(2, int(person.leave_days) + 1)), rng)]
        requests += [(kind, int(rng.integers(lo, hi + 1))) for kind, p, (lo, hi) in OTHER_LEAVE if rng.random() < p]
        for kind, length in requests:
            span = _place(length, taken, workdays, rng)
            if span is None:
                continue
            start, end = span
            future = start > PERIOD_END
            approval = "Pending" if future and rng.random() < 0.6 else "Approved"
            rows.append({"employee_id": person.employee_id, "type": kind, "start": start, "end": end,
                         "approval": approval})
    frame = pd.DataFrame(rows).sort_values(["start", "employee_id"], kind="stable", ignore_index=True)
    frame["days"] = calendar().working_days(frame["start"], frame["end"])
    frame["request_no"] = document_numbers(frame, "start", dept.code, "XJ", width=3)
    return typed_frame(DEPARTMENT.table("Leave"), frame)
