"""Leave rules: End ≥ Start, Days = working days (Holidays aware; half a day less is accepted), annual
leave within the Roster balance net of earlier approved leave, no overlapping requests."""

from __future__ import annotations

import pandas as pd

from ...schema import enums as E
from ..findings import Finding
from .context import Context, ids, present

_REJECTED = next(code for code in E.APPROVAL.values if code == "Rejected")
_APPROVED = next(code for code in E.APPROVAL.values if code == "Approved")
_ANNUAL = next(code for code in E.LEAVE_TYPE.values if code == "Annual")
_EPS = 1e-9


def end_after_start(ctx: Context) -> list[Finding]:
    """A request does not end before it starts."""
    lv = ctx.frame("Leave")
    if lv is None:
        return []
    bad = (lv["end"] < lv["start"]).fillna(False)
    return ctx.emit("leave-end-before-start", "Leave", "end", lv[bad], per_row={"start": lv["start"][bad]})


def days_are_working_days(ctx: Context) -> list[Finding]:
    """Days equals the working days from Start to End (needs the standards' Holidays)."""
    lv = ctx.frame("Leave")
    if lv is None or ctx.calendar is None:
        return []
    wd = pd.Series(ctx.calendar.working_days(lv["start"], lv["end"]), index=lv.index)
    days = pd.to_numeric(lv["days"], errors="coerce").astype("float64")
    bad = (days.notna() & wd.notna() & ((days > wd + _EPS) | (days < wd - 0.5 - _EPS))).to_numpy()
    rows = lv[bad]
    return ctx.emit("leave-days-mismatch", "Leave", "days", rows,
                    per_row={"start": rows["start"], "end": rows["end"], "workdays": wd[bad]})


def within_balance(ctx: Context) -> list[Finding]:
    """Annual leave requests fit in the Roster's Leave Days net of earlier approved annual leave that year."""
    roster = ctx.std("Roster")
    lv = ctx.frame("Leave")
    if lv is None or roster is None or ctx.data.kind != "department":
        return []
    a = lv[lv["type"].eq(_ANNUAL).fillna(False) & ~lv["approval"].eq(_REJECTED).fillna(False)
           & present(lv["employee_id"]) & lv["start"].notna()]
    if a.empty:
        return []
    balance_map = pd.Series(roster["leave_days"].astype("float64").to_numpy(), index=ids(roster["employee_id"]).to_numpy())
    balance_map = balance_map[~balance_map.index.duplicated()]
    days = pd.to_numeric(a["days"], errors="coerce").astype("float64")
    if ctx.calendar is not None:
        days = days.fillna(pd.Series(ctx.calendar.working_days(a["start"], a["end"]), index=a.index))
    a = a.assign(_emp=ids(a["employee_id"]), _year=a["start"].dt.year, _days=days.fillna(0.0))
    a = a.sort_values(["_emp", "_year", "start", "_row"])
    approved = a["_days"].where(a["approval"].eq(_APPROVED).fillna(False), 0.0)
    group = [a["_emp"], a["_year"]]
    earlier = approved.groupby(group).cumsum() - approved
    balance = a["_emp"].map(balance_map)
    bad = (balance.notna() & (earlier + a["_days"] > balance + _EPS)).to_numpy()
    rows = a[bad]
    return ctx.emit("leave-over-balance", "Leave", "days", rows, value=rows["_days"],
                    per_row={"employee": rows["employee_id"], "balance": balance[bad],
                             "remaining": (balance - earlier)[bad].clip(lower=0)})


def no_overlap(ctx: Context) -> list[Finding]:
    """An employee's requests (not Rejected) do not overlap; the later one is flagged."""
    lv = ctx.frame("Leave")
    if lv is None:
        return []
    a = lv[~lv["approval"].eq(_REJECTED).fillna(False) & present(lv["employee_id"])
           & lv["start"].notna() & lv["end"].notna()]
    if len(a) < 2:
        return []
    a = a.assign(_emp=ids(a["employee_id"])).sort_values(["_emp", "start", "_row"])
    g = a.groupby("_emp", sort=False)
    max_end = g["end"].cummax()
    holder = a["_row"].where(a["end"].eq(max_end)).groupby(a["_emp"]).ffill()
    prev_end = max_end.groupby(a["_emp"]).shift(1)
    prev_holder = holder.groupby(a["_emp"]).shift(1)
    bad = (a["start"] <= prev_end).fillna(False).to_numpy()
    rows = a[bad]
    return ctx.emit("leave-overlap", "Leave", "start", rows,
                    per_row={"employee": rows["employee_id"], "other_row": prev_holder[bad].astype("int64")})


RULES = (end_after_start, days_are_working_days, within_balance, no_overlap)
