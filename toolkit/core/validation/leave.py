"""Leave rules: End ≥ Start, Days = working days (Holidays aware; half a day less is accepted), annual
leave within the Roster balance net of earlier approved leave, no overlapping requests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...schema import enums as E
from ..findings import Finding
from .context import Context, floats, ids, present

_REJECTED = next(code for code in E.APPROVAL.values if code == "Rejected")
_APPROVED = next(code for code in E.APPROVAL.values if code == "Approved")
_ANNUAL = next(code for code in E.LEAVE_TYPE.values if code == "Annual")
_EPS = 1e-9


def _dates(s: pd.Series) -> np.ndarray | None:
    """A naive datetime64 column as numpy (NaT compares False); None for other dtypes."""
    return s.to_numpy() if isinstance(s.dtype, np.dtype) and s.dtype.kind == "M" else None


def _candidates(ctx: Context, lv: pd.DataFrame) -> tuple | None:
    """Leave rows not Rejected with an employee and a start: (mask, employee group, approval, start); None when
    the columns are not the plain text/datetime ones the screens handle."""
    emp, approval, kind = ctx.text("Leave", "employee_id"), ctx.text("Leave", "approval"), ctx.text("Leave", "type")
    start = _dates(lv["start"])
    if emp is None or approval is None or kind is None or start is None:
        return None
    keep = ~approval.member(approval.uniques, {_REJECTED}) & emp.present & ~np.isnat(start)
    return keep, emp, approval, kind, start


def _surely_within_balance(ctx: Context, lv: pd.DataFrame, roster: pd.DataFrame) -> bool:
    """True when no annual request exceeds its balance: ``within_balance``'s running totals (approved annual days
    of the employee's year before the request, by start then row) computed on numpy. Exact when every day count is
    a whole or half day of moderate size, as sums of those round in no order; other counts or dtypes leave the rule
    to its pandas code, as does any offending request (the pandas code then reports it)."""
    found = _candidates(ctx, lv)
    rid = ctx.text("Roster", "employee_id", std=True)
    if found is None or rid is None or lv["days"].dtype != np.float64:
        return False
    keep, emp, approval, kind, start = found
    a = keep & kind.member(kind.uniques, {_ANNUAL})
    if not a.any():
        return True
    days = lv["days"].to_numpy()[a]
    if ctx.calendar is not None and np.isnan(days).any():
        days = np.where(np.isnan(days), ctx.calendar.working_days(lv["start"], lv["end"])[a], days)
    days = np.where(np.isnan(days), 0.0, days)
    halves = days * 2.0
    if not ((halves == np.floor(halves)) & (np.abs(halves) < 2.0**31)).all():  # inf fails too
        return False
    leave_days = roster["leave_days"].astype("float64").to_numpy()
    balance_of: dict = {}
    for code, pos in zip(rid.codes.tolist(), range(len(rid.codes))):
        if code >= 0:
            balance_of.setdefault(rid.ids_u()[code], leave_days[pos])
    forms = emp.ids_u()
    balance = np.array([balance_of.get(f, np.nan) for f in forms] + [np.nan], dtype=np.float64)[emp.codes[a]]
    approved = np.where(approval.member(approval.uniques, {_APPROVED})[a], days, 0.0)
    years = start[a].astype("datetime64[Y]").view(np.int64)
    group = emp.group(forms)[a]
    order = np.lexsort((lv["_row"].to_numpy()[a], start[a].view(np.int64), years, group))
    group, years, approved, days, balance = group[order], years[order], approved[order], days[order], balance[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (group[1:] != group[:-1]) | (years[1:] != years[:-1])
    total = np.cumsum(approved)
    before = total - approved  # approved days of the rows sorted before, every group's
    earlier = before - before[np.flatnonzero(new)][np.cumsum(new) - 1]  # ... of the row's own group only
    return not (earlier + days > balance + _EPS).any()  # NaN balance (not on the Roster) compares False


def _surely_no_overlap(ctx: Context, lv: pd.DataFrame) -> bool:
    """True when no employee's requests (not Rejected, both dates given) overlap, checked in ``no_overlap``'s
    order (employee, start, row)."""
    found = _candidates(ctx, lv)
    end = _dates(lv["end"])
    if found is None or end is None:
        return False
    keep, emp, _, _, start = found
    keep = keep & ~np.isnat(end)
    if keep.sum() < 2:
        return True
    g, s, e, r = emp.group(emp.ids_u())[keep], start[keep], end[keep], lv["_row"].to_numpy()[keep]
    order = np.lexsort((r, s, g))
    prev_group, max_end = None, None
    for gi, si, ei in zip(g[order].tolist(), s[order].tolist(), e[order].tolist()):
        if gi == prev_group:
            if si <= max_end:
                return False
            max_end = max(max_end, ei)
        else:
            prev_group, max_end = gi, ei
    return True


def end_after_start(ctx: Context) -> list[Finding]:
    """A request does not end before it starts."""
    lv = ctx.frame("Leave")
    if lv is None:
        return []
    start, end = _dates(lv["start"]), _dates(lv["end"])
    if ctx.screens and start is not None and end is not None and not (end < start).any():
        return []
    bad = (lv["end"] < lv["start"]).fillna(False)
    return ctx.emit("leave-end-before-start", "Leave", "end", lv[bad], per_row={"start": lv["start"][bad]})


def days_are_working_days(ctx: Context) -> list[Finding]:
    """Days equals the working days from Start to End (needs the standards' Holidays)."""
    lv = ctx.frame("Leave")
    if lv is None or ctx.calendar is None:
        return []
    wd_np, days_np = ctx.calendar.working_days(lv["start"], lv["end"]), floats(lv["days"])
    if ctx.screens and not ((days_np > wd_np + _EPS) | (days_np < wd_np - 0.5 - _EPS)).any():  # NaN: False
        return []
    wd = pd.Series(wd_np, index=lv.index)
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
    if _surely_within_balance(ctx, lv, roster):
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
    if _surely_no_overlap(ctx, lv):
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
