"""People over time (docs/people.md): a Leave Date before the Start Date, rows dated after a person left, and
Plan targets in months a person is not employed. Cheap when the Roster has no dates (the usual case)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...schema import MONTH_KEYS
from ..findings import Finding
from ..keys import key_form
from ..people import CHANGED, effective_month
from .context import Context, floats

#: Department tables with an employee and the date that says when the row happened.
DATED = (("Contracts", "sign_date"), ("Expenses", "date"), ("Advances", "date"), ("Leave", "start"))


def _dated_roster(ctx: Context) -> pd.DataFrame | None:
    """Roster rows with a Start or Leave Date, keyed by ``key_form`` of the ID (None when nobody has one)."""
    if "dated_roster" not in ctx.cache:
        roster = ctx.std("Roster") if ctx.data.kind == "department" else ctx.frame("Roster")
        out = None
        if roster is not None and len(roster) and {"start_date", "leave_date"} & set(roster.columns):
            start = pd.to_datetime(roster.get("start_date"), errors="coerce") if "start_date" in roster else None
            leave = pd.to_datetime(roster.get("leave_date"), errors="coerce") if "leave_date" in roster else None
            frame = pd.DataFrame({"key": roster["employee_id"].map(key_form, na_action="ignore"),
                                  "start": start if start is not None else pd.NaT,
                                  "leave": leave if leave is not None else pd.NaT})
            frame = frame[frame["key"].notna() & (frame["start"].notna() | frame["leave"].notna())]
            out = frame.drop_duplicates("key").set_index("key") if len(frame) else None
        ctx.cache["dated_roster"] = out
    return ctx.cache["dated_roster"]


def _dated_forms(ctx: Context) -> tuple[dict[str, int], np.ndarray, np.ndarray] | None:
    """``_dated_roster`` for the screens, from lists: (``key_form`` of the ID -> its Roster row, Start and Leave
    Dates of the Roster's rows with a NaT after the last, for a row -1); a dict look-up per row instead of a frame
    mapped per table. Cached; None as there, and None too for dates the screens do not handle."""
    if "dated_forms" not in ctx.cache:
        roster = ctx.std("Roster") if ctx.data.kind == "department" else ctx.frame("Roster")
        out = None
        if roster is not None and len(roster) and {"start_date", "leave_date"} & set(roster.columns):
            dates = [pd.to_datetime(roster[c], errors="coerce") if c in roster.columns
                     else pd.Series(pd.NaT, index=roster.index, dtype="datetime64[ns]")
                     for c in ("start_date", "leave_date")]
            if all(isinstance(d.dtype, np.dtype) and d.dtype.kind == "M" for d in dates):
                start, leave = (np.append(d.to_numpy(), np.array(["NaT"], dtype=d.dtype)) for d in dates)
                dated = (~np.isnat(start[:-1]) | ~np.isnat(leave[:-1])).tolist()
                rows: dict[str, int] = {}
                for i, (emp, d) in enumerate(zip(roster["employee_id"].tolist(), dated)):
                    key = key_form(emp) if d else None
                    if key is not None and key not in rows:  # drop_duplicates("key"): the first row
                        rows[key] = i
                out = (rows, start, leave) if rows else None
            else:
                out = False
        ctx.cache["dated_forms"] = out
    return ctx.cache["dated_forms"]


def _row_forms(ctx: Context, table: str) -> list[str | None]:
    """``key_form`` of each row's employee ID of a department table (None where blank)."""
    t = ctx.text(table, "employee_id")
    if t is not None:
        forms = [*t.key_u(), None]
        return [forms[c] for c in t.codes.tolist()]
    return [key_form(v) for v in ctx.data.tables[table]["employee_id"].tolist()]


def leave_before_start(ctx: Context) -> list[Finding]:
    """Standards: a Roster Leave Date before the same row's Start Date is an error at the Leave Date."""
    roster = ctx.frame("Roster")
    if ctx.data.kind != "standards" or roster is None or not {"start_date", "leave_date"} <= set(roster.columns):
        return []
    start = pd.to_datetime(roster["start_date"], errors="coerce")
    leave = pd.to_datetime(roster["leave_date"], errors="coerce")
    bad = (leave < start).fillna(False).to_numpy(dtype=bool)
    rows = roster[bad]
    return ctx.emit("leave-before-start", "Roster", "leave_date", rows,
                    per_row={"start": start[bad].dt.strftime("%Y-%m-%d"), "employee": rows["employee_id"]})


def dated_after_leaving(ctx: Context) -> list[Finding]:
    """A contract, claim, advance or leave of a person dated after their Leave Date (a warning at the date)."""
    if ctx.screens and _surely_none_after_leaving(ctx):
        return []
    dated = _dated_roster(ctx)
    if dated is None or not dated["leave"].notna().any():
        return []
    leave = dated["leave"].dropna()
    out: list[Finding] = []
    for table, col in DATED:
        frame = ctx.frame(table)
        if frame is None or col not in frame.columns or "employee_id" not in frame.columns:
            continue
        keys = frame["employee_id"].map(key_form, na_action="ignore")
        left = keys.map(leave)
        when = pd.to_datetime(frame[col], errors="coerce")
        bad = (when > left).fillna(False).to_numpy(dtype=bool)
        if bad.any():
            out += ctx.emit("dated-after-leaving", table, col, frame[bad],
                            value=when[bad].dt.strftime("%Y-%m-%d"),
                            per_row={"employee": frame.loc[bad, "employee_id"],
                                     "leave": left[bad].dt.strftime("%Y-%m-%d")})
    return out


def _surely_none_after_leaving(ctx: Context) -> bool:
    """``dated_after_leaving``'s test on numpy (True: no row is dated after its person's Leave Date); False also
    for columns the screen does not handle, so the pandas code decides."""
    forms = _dated_forms(ctx)
    if not forms:  # nobody dated: nothing to find; dates the screen does not handle: the pandas code decides
        return forms is None
    rows, _, leave = forms
    for table, col in DATED:
        frame = ctx.frame(table)
        if frame is None or col not in frame.columns or "employee_id" not in frame.columns:
            continue
        when = frame[col]
        if not (isinstance(when.dtype, np.dtype) and when.dtype.kind == "M"):
            return False
        left = leave[[rows.get(k, -1) for k in _row_forms(ctx, table)]]
        if (when.to_numpy() > left).any():  # NaT compares False
            return False
    return True


def _employed_months(day: np.ndarray, year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(in ``year``, after ``year``, before ``year``) and the month (1-12) of each date; NaT is none of them."""
    known = ~np.isnat(day)
    y = day.astype("datetime64[Y]").astype(np.int64) + 1970
    m = day.astype("datetime64[M]").astype(np.int64) % 12 + 1
    return known & (y == year), known & (y > year), known & (y < year), m


def _surely_no_target_outside(ctx: Context, plan: pd.DataFrame, year: int) -> bool:
    """``targets_outside_employment``'s test on numpy (True: no target lies outside a person's employment); False
    also for dates the screen does not handle."""
    forms = _dated_forms(ctx)
    if not forms:  # nobody dated: nothing to find; dates the screen does not handle: the pandas code decides
        return forms is None
    rows, start, leave = forms
    s_in, s_after, _, s_month = _employed_months(start, year)
    l_in, _, l_before, l_month = _employed_months(leave, year)
    first_r = np.where(s_in, s_month, np.where(s_after, 13, 1))  # the sentinel NaT: 1 .. 12
    last_r = np.where(l_in, l_month, np.where(l_before, 0, 12))
    pos = [rows.get(k, -1) for k in _row_forms(ctx, "Plan")]
    first, last = first_r[pos], last_r[pos]
    if not ((first > 1) | (last < 12)).any():
        return True
    for m, key in enumerate(MONTH_KEYS, start=1):
        value = floats(plan[key])
        target = (value != 0) & ~np.isnan(value)  # to_numeric(...).fillna(0.0) != 0
        if (((m < first) | (m > last)) & target).any():
            return False
    return True


def targets_outside_employment(ctx: Context) -> list[Finding]:
    """A Plan target (not 0) in a month of the Info Year before the person's start month or after their leave
    month: a warning at the month's cell (targets count only for months employed)."""
    plan = ctx.frame("Plan")
    if plan is None or ctx.year is None or (ctx.screens and _surely_no_target_outside(ctx, plan, ctx.year)):
        return []
    dated = _dated_roster(ctx)
    if dated is None:
        return []
    year = ctx.year
    keys = plan["employee_id"].map(key_form, na_action="ignore")
    start, leave = keys.map(dated["start"]), keys.map(dated["leave"])
    first = np.where(start.notna() & (start.dt.year == year), start.dt.month, np.where(start.dt.year > year, 13, 1))
    last = np.where(leave.notna() & (leave.dt.year == year), leave.dt.month, np.where(leave.dt.year < year, 0, 12))
    out: list[Finding] = []
    for m, key in enumerate(MONTH_KEYS, start=1):
        value = pd.to_numeric(plan[key], errors="coerce").fillna(0.0).to_numpy()
        early, late = (m < first) & (value != 0), (m > last) & (value != 0)
        month = f"{year:04d}-{m:02d}"
        if early.any():
            out += ctx.emit("target-before-start", "Plan", key, plan[early], month=month,
                            per_row={"employee": plan.loc[early, "employee_id"],
                                     "date": start[early].dt.strftime("%Y-%m-%d")})
        if late.any():
            out += ctx.emit("target-after-leaving", "Plan", key, plan[late], month=month,
                            per_row={"employee": plan.loc[late, "employee_id"],
                                     "date": leave[late].dt.strftime("%Y-%m-%d")})
    return out


def roster_changes(ctx: Context) -> list[Finding]:
    """Standards: each Roster Changes row names a Roster employee, is dated within Plausible Years of the period's
    year and inside the person's employment, and does not contradict another change counting from the same
    month (the same column set to two values). Errors at the cell; unknown plans are ``known_plans``'."""
    changes, roster = ctx.frame("RosterChanges"), ctx.frame("Roster")
    if ctx.data.kind != "standards" or changes is None:
        return []
    out: list[Finding] = []
    keys = changes["employee_id"].map(key_form, na_action="ignore")
    known = set(roster["employee_id"].map(key_form, na_action="ignore").dropna()) if roster is not None else set()
    unknown = (keys.notna() & ~keys.isin(known)).to_numpy(dtype=bool)
    out += ctx.emit("unknown-employee", "RosterChanges", "employee_id", changes[unknown])
    when = pd.to_datetime(changes["effective_from"], errors="coerce")
    if ctx.year is not None:
        far = ((when.dt.year - ctx.year).abs() > ctx.threshold("Plausible Years")).fillna(False).to_numpy(dtype=bool)
        out += ctx.emit("roster-change-out-of-year", "RosterChanges", "effective_from", changes[far],
                        value=when[far].dt.strftime("%Y-%m-%d"), year=str(ctx.year))
    dated = None if ctx.screens and _surely_inside_employment(ctx, keys, when) else _dated_roster(ctx)
    if dated is not None:
        start, leave = keys.map(dated["start"]), keys.map(dated["leave"])
        outside = ((when < start) | (when > leave)).fillna(False).to_numpy(dtype=bool)
        out += ctx.emit("roster-change-outside-employment", "RosterChanges", "effective_from", changes[outside],
                        value=when[outside].dt.strftime("%Y-%m-%d"),
                        per_row={"start": start[outside].dt.strftime("%Y-%m-%d"),
                                 "leave": leave[outside].dt.strftime("%Y-%m-%d")})
    month = effective_month(changes)
    at = None
    for col in CHANGED:
        if col not in changes.columns or (ctx.screens and not _maybe_conflicting(keys, month, changes[col])):
            continue
        at = month.astype("string") if at is None else at
        values = changes[col].astype("string").str.strip()
        frame = pd.DataFrame({"k": keys, "m": at, "v": values}).dropna()
        first = frame.groupby(["k", "m"])["v"].transform("first")
        clash = frame[frame["v"] != first]
        if len(clash):
            rows = changes.loc[clash.index]
            out += ctx.emit("roster-change-conflict", "RosterChanges", col, rows,
                            per_row={"other": first[clash.index], "month": clash["m"]})
    return out


def _surely_inside_employment(ctx: Context, keys: pd.Series, when: pd.Series) -> bool:
    """``roster_changes``' employment test on numpy (True: every change is dated inside its person's employment,
    or nobody has dates); False also for dates the screen does not handle."""
    forms = _dated_forms(ctx)
    if not forms or not (isinstance(when.dtype, np.dtype) and when.dtype.kind == "M"):
        return forms is None
    rows, start, leave = forms
    pos = [rows.get(k, -1) if isinstance(k, str) else -1 for k in keys.tolist()]
    day = when.to_numpy()
    return not ((day < start[pos]) | (day > leave[pos])).any()  # NaT compares False


def _maybe_conflicting(keys: pd.Series, month: pd.Series, values: pd.Series) -> bool:
    """False when no two changes of one person counting from one month set ``values``' column (so none can
    contradict another); True when ``roster_changes``' pandas code must look."""
    given = (values.notna().to_numpy() & keys.notna().to_numpy() & month.notna().to_numpy()).tolist()
    pairs = [(k, m) for k, m, g in zip(keys.tolist(), month.array.asi8.tolist(), given) if g]
    return len(set(pairs)) < len(pairs)


def plans_in_force(ctx: Context) -> list[Finding]:
    """Standards (Valid From, docs/people.md): a Royalty Plan named on the Roster (used from January of the period's
    year) or in Roster Changes (from the month the change counts) has a Royalty Plans row in force by then; an
    error at the plan's cell otherwise (the royalty of those months would have no terms)."""
    plans = ctx.frame("RoyaltyPlans")
    if ctx.data.kind != "standards" or plans is None or "valid_from" not in plans.columns or ctx.year is None:
        return []
    start = pd.to_datetime(plans["valid_from"], errors="coerce").dt.to_period("M")
    first = pd.Series(start.to_numpy(), index=plans["plan"].map(key_form, na_action="ignore").to_numpy())
    blank = first.isna().groupby(level=0).any()
    earliest = first.dropna().groupby(level=0).min()
    earliest = earliest[~earliest.index.isin(blank[blank].index)]
    if not len(earliest):
        return []
    out: list[Finding] = []
    jan = pd.Period(f"{ctx.year:04d}-01", freq="M")
    for table in ("Roster", "RosterChanges"):
        frame = ctx.frame(table)
        if frame is None or "royalty_plan" not in frame.columns:
            continue
        used = frame["royalty_plan"].map(key_form, na_action="ignore")
        month = effective_month(frame) if table == "RosterChanges" else pd.Series(jan, index=frame.index)
        got = used.map(earliest)
        bad = (got.notna() & month.notna()).to_numpy(dtype=bool).copy()
        bad[bad] = (month[bad] < got[bad]).to_numpy(dtype=bool)
        out += ctx.emit("plan-not-in-force", table, "royalty_plan", frame[bad],
                        per_row={"month": month[bad].astype("string"), "first": got[bad].astype("string")})
    return out


RULES = (dated_after_leaving, targets_outside_employment)
STANDARDS_RULES = (leave_before_start, roster_changes, plans_in_force)
