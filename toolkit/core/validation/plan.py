"""Plan rules: Annual = Σ months (within Plan Tolerance, on the Plan and the Budget sheets), one row per employee ×
indicator, every salesperson of the department has all four indicators, and the Budget's categories add up to the
Plan's Expense targets in every month."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...money import fmt_money, round_money
from ...schema import MONTH_KEYS
from ...schema import enums as E
from ...schema.department import MONTH_NAMES
from ..findings import Finding
from ..people import roster_at
from .context import Context, _one_id, fold, ids, is_text, present

_SALESPERSON = next(code for code in E.ROLE.values if code == "Salesperson")


def annual_matches_months(ctx: Context) -> list[Finding]:
    """Annual equals the sum of the twelve months (blank months count as 0) within the tolerance, on the Plan and
    the Budget sheets."""
    return _annual_matches(ctx, "Plan") + _annual_matches(ctx, "Budget")


def _annual_matches(ctx: Context, table: str) -> list[Finding]:
    plan = ctx.frame(table)
    if plan is None:
        return []
    tol = ctx.threshold("Plan Tolerance")
    if ctx.screens and all(plan[k].dtype == np.float64 for k in (*MONTH_KEYS, "annual")):
        # The months added left to right, as pandas' row sum of the (months x rows) block does.
        total_np = np.zeros(len(plan))
        for k in MONTH_KEYS:
            total_np = total_np + np.nan_to_num(plan[k].to_numpy(), nan=0.0)
        if not (np.abs(plan["annual"].to_numpy() - np.round(total_np, 2)) > tol + 1e-9 - 1e-7).any():
            return []
    total = plan[list(MONTH_KEYS)].astype("float64").fillna(0.0).sum(axis=1).round(2)
    bad = plan["annual"].notna() & ((plan["annual"] - total).abs() > tol + 1e-9)
    return ctx.emit("plan-annual-mismatch", table, "annual", plan[bad], per_row={"total": total[bad]},
                    tolerance=f"{tol:g}")


def one_row_per_indicator(ctx: Context) -> list[Finding]:
    """An employee's indicator is planned on one row only."""
    plan = ctx.frame("Plan")
    if plan is None:
        return []
    emp_t, ind_t = ctx.text("Plan", "employee_id"), ctx.text("Plan", "indicator")
    if emp_t is not None and ind_t is not None:
        keyed = emp_t.present & ind_t.present
        pair = emp_t.group(emp_t.ids_u())[keyed] * (len(ind_t.uniques) + 1) + ind_t.codes[keyed]
        if len(np.unique(pair)) == len(pair):
            return []
    keyed = plan[present(plan["employee_id"]) & present(plan["indicator"])]
    emp = ids(keyed["employee_id"])
    dup = pd.concat([emp, keyed["indicator"]], axis=1).duplicated(keep="first")
    first = keyed.groupby([emp, keyed["indicator"]], sort=False)["_row"].transform("first")
    rows = keyed[dup]
    return ctx.emit("plan-duplicate", "Plan", "indicator", rows,
                    per_row={"employee": rows["employee_id"], "indicator": rows["indicator"],
                             "indicator_zh": rows["indicator"].map(lambda c: E.INDICATOR.label(c, "zh")),
                             "first_row": first[dup]})


def _surely_complete(ctx: Context, roster: pd.DataFrame, plan: pd.DataFrame) -> bool:
    """``salespeople_complete``'s test in plain Python (True: nobody misses an indicator) on ``roster`` (the
    Roster of the year); False also when the columns are not the text columns this handles, so the pandas code
    decides."""
    pemp, pind = ctx.text("Plan", "employee_id"), ctx.text("Plan", "indicator")
    if pemp is None or pind is None or not all(is_text(roster[c]) for c in ("role", "department", "employee_id")):
        return False
    dept = str(ctx.data.info.get("department") or "").strip().casefold()
    planned = set(pemp.ids_u())
    people: dict[str, None] = {}
    for r, d, i in zip(*(roster[c].tolist() for c in ("role", "department", "employee_id"))):
        person = _one_id(i) if isinstance(i, str) else None  # ids(); fold() below (blanks are NaN)
        if r == _SALESPERSON and person is not None and (
                (d.strip().casefold() if isinstance(d, str) else None) == dept or person in planned):
            people[person] = None
    pe_u, pi_u = [*pemp.ids_u(), None], [*pind.uniques, None]
    have = {(pe_u[e], pi_u[k]) for e, k in zip(pemp.codes.tolist(), pind.codes.tolist())}
    return all((p, ind) in have for p in people for ind in E.INDICATOR.values)


def _roster_of_year(ctx: Context, roster: pd.DataFrame) -> pd.DataFrame:
    """The Roster as it stands in January of the Info Year (Roster Changes counting by then: a transferee belongs
    to their new department), without the people not employed in that year (left before it, start after it;
    docs/people.md). The Roster itself (the same object) when nothing changes it."""
    if ctx.year is None:
        return roster
    out = roster_at(roster, ctx.std("RosterChanges"), ctx.year, 1)
    if not {"start_date", "leave_date"} & set(out.columns):
        return out
    start = pd.to_datetime(out["start_date"], errors="coerce") if "start_date" in out.columns else None
    leave = pd.to_datetime(out["leave_date"], errors="coerce") if "leave_date" in out.columns else None
    if ctx.screens and all(d is None or (isinstance(d.dtype, np.dtype) and d.dtype.kind == "M") for d in (start, leave)):
        # the years on numpy (NaT is neither before nor after)
        gone = np.zeros(len(out), dtype=bool)
        if start is not None:
            gone |= _year_of(start.to_numpy()) > ctx.year
        if leave is not None:
            gone |= _year_of(leave.to_numpy()) < ctx.year
        return out[~gone] if gone.any() else out
    gone = pd.Series(False, index=out.index)
    if start is not None:
        gone |= (start.dt.year > ctx.year).fillna(False)
    if leave is not None:
        gone |= (leave.dt.year < ctx.year).fillna(False)
    return out[~gone.to_numpy(dtype=bool)] if gone.any() else out


def _year_of(days: np.ndarray) -> np.ndarray:
    """The year of each date as a float (NaN for NaT, so it compares False)."""
    years = (days.astype("datetime64[Y]").astype(np.int64) + 1970).astype(np.float64)
    years[np.isnat(days)] = np.nan
    return years


def salespeople_complete(ctx: Context) -> list[Finding]:
    """Each salesperson (Roster role) of this department in January of the Info Year, or planned here, has all four
    indicators (people not employed in the year are not asked for)."""
    roster = ctx.std("Roster")
    if ctx.data.kind != "department" or roster is None:
        return []
    plan = ctx.frame("Plan")
    plan = plan if plan is not None else ctx.data.tables.get("Plan")
    if plan is None or "Plan" not in ctx.data.layout:
        return []
    year_roster = _roster_of_year(ctx, roster)
    if ctx.screens and _surely_complete(ctx, year_roster, plan):
        return []
    roster = year_roster
    sales = roster[roster["role"].eq(_SALESPERSON).fillna(False)]
    dept = str(ctx.data.info.get("department") or "").strip().casefold()
    in_dept = fold(sales["department"]).eq(dept).fillna(False)
    planned_ids = set(ids(plan["employee_id"].dropna()).tolist())
    people = ids(sales["employee_id"])
    people = people[(in_dept | people.isin(planned_ids)).to_numpy()].dropna().drop_duplicates()
    if people.empty:
        return []
    wanted = pd.MultiIndex.from_product([people.tolist(), list(E.INDICATOR.values)], names=["emp", "ind"])
    have = pd.MultiIndex.from_arrays([ids(plan["employee_id"]), plan["indicator"].astype("str")])
    missing = wanted[~wanted.isin(have)]
    if len(missing) == 0:
        return []
    # Point at the employee's first plan row, or at the Indicator header when they have none.
    first_row = plan.assign(emp=ids(plan["employee_id"])).groupby("emp")["_row"].min()
    header_row = ctx.layout("Plan").header_row
    rows = pd.DataFrame({
        "_row": [int(first_row.get(e, header_row)) for e in missing.get_level_values("emp")],
        "employee": missing.get_level_values("emp"),
        "indicator": missing.get_level_values("ind"),
    })
    return ctx.emit("plan-indicator-missing", "Plan", "employee_id", rows, value=rows["employee"],
                    per_row={"employee": rows["employee"], "indicator": rows["indicator"],
                             "indicator_zh": rows["indicator"].map(lambda c: E.INDICATOR.label(c, "zh"))})


def _month_sums(ctx: Context, frame: pd.DataFrame, rows: np.ndarray | pd.Series | None) -> list:
    """Each month's total of ``frame`` (of the ``rows`` picked, all when None; blank cells count as 0), rounded
    to the cent. On float64 columns summed by numpy as pandas' ``Series.sum`` does (a contiguous copy with the blanks
    as 0, the same pairwise sum), without building a Series per month."""
    if ctx.screens and all(frame[m].dtype == np.float64 for m in MONTH_KEYS):
        if rows is not None:
            rows = np.asarray(rows, dtype=bool)
        out = []
        for m in MONTH_KEYS:
            a = frame[m].to_numpy()
            a = a if rows is None else a[rows]
            out.append(round_money(float(np.where(np.isnan(a), 0.0, a).sum())))
        return out
    picked = frame if rows is None else frame[rows]
    return [round_money(float(picked[m].astype("float64").fillna(0.0).sum())) for m in MONTH_KEYS]


def budget_matches_plan(ctx: Context) -> list[Finding]:
    """Each month, the Budget's categories add up to the Plan's Expense targets to the cent (blank cells count as
    0); a month that does not is one finding at its Budget header cell, saying by how much. No Budget rows: the
    department keeps no budget by category, nothing to check."""
    budget = ctx.frame("Budget")
    if budget is None:
        return []
    plan = ctx.frame("Plan")
    got = _month_sums(ctx, budget, None)
    if plan is None:
        want = [0.0] * 12
    else:
        t = ctx.text("Plan", "indicator")
        expense = t.member(t.uniques, {"Expense"}) if t is not None else plan["indicator"].eq("Expense").fillna(False)
        want = _month_sums(ctx, plan, expense)
    bad = [i for i in range(12) if got[i] != want[i] and MONTH_KEYS[i] in ctx.layout("Budget").columns]
    out: list[Finding] = []
    header = ctx.layout("Budget").header_row
    for i in bad:
        gap = round_money(got[i] - want[i])
        over = gap > 0
        out += ctx.emit("budget-plan-mismatch", "Budget", MONTH_KEYS[i], pd.DataFrame({"_row": [header]}),
                        value=pd.Series([fmt_money(got[i], grouped=True)]), month=MONTH_NAMES[i].en,
                        month_zh=MONTH_NAMES[i].zh, plan=fmt_money(want[i], grouped=True),
                        gap=fmt_money(abs(gap), grouped=True),
                        direction="the budget is over the plan" if over else "the budget is under the plan",
                        direction_zh="预算高于计划" if over else "预算低于计划")
    return out


RULES = (annual_matches_months, one_row_per_indicator, salespeople_complete, budget_matches_plan)
