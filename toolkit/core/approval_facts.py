"""What an approver needs next to a pending item: budget use, loan-slip exposure, leave balance, history.

Pure functions over the stacked department frames (``Ledger.tables``, each row with ``department`` and
``source``). ``items`` are the pending rows of one table (index kept); each function returns a frame
aligned on that index. Rejected rows never count toward spending, exposure or leave taken.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from ..schema import DEPARTMENT, MONTH_KEYS

#: The approval states a queue lists: Pending, or a blank Approval cell (DOMAIN.md: blank counts as Pending).
PENDING = "Pending"
#: How far back "recent history" looks.
HISTORY_MONTHS = 3


def pending(frame: pd.DataFrame) -> pd.Series:
    """Rows waiting for a decision: Approval Pending or blank."""
    approval = frame["approval"]
    return approval.isna() | approval.eq(PENDING)


def _live(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows that count (everything but Rejected)."""
    return frame[~frame["approval"].eq("Rejected").fillna(False)]


def row_hashes(frame: pd.DataFrame, table: str) -> pd.Series:
    """A short SHA-256 of each row's schema values as read: changes when any cell of the row changes."""
    keys = [k for k in DEPARTMENT.table(table).keys if k in frame]
    joined = ["\x1f".join("" if pd.isna(v) else str(v) for v in row) for row in frame[keys].itertuples(index=False)]
    return pd.Series([hashlib.sha256(s.encode("utf-8")).hexdigest()[:16] for s in joined], index=frame.index,
                     dtype="str")


def _share(used: pd.Series, target: pd.Series) -> pd.Series:
    return (used / target.where(target > 0)).astype("float64")


def budget_use(expenses: pd.DataFrame, plan: pd.DataFrame, years: dict[str, int], items: pd.DataFrame,
               budget: pd.DataFrame | None = None) -> pd.DataFrame:
    """Year-to-date Expense use per pending claim, for the person, the department and the department's budget for
    the claim's category, including the claim.

    Used = approved and pending claims from January to the end of the claim's month (of the claim's category, for
    the category); target = the year's Expense target (the Plan's twelve months) or the year's budget for the
    category (the Budget sheet's twelve months, issue 28); both are for their workbook's Info ``years[source]``, so
    a claim of another year has no target, and a department without a Budget row for the category has none either.
    Columns: person_used, person_target, person_share, dept_used, dept_target, dept_share, category_used,
    category_target, category_share.
    """
    out = pd.DataFrame(index=items.index)
    live = _live(expenses).dropna(subset=["date", "amount"])
    y, m = live["date"].dt.year, live["date"].dt.month
    iy, im = items["date"].dt.year, items["date"].dt.month
    exp_plan = plan[plan["indicator"].eq("Expense").fillna(False)]
    months = exp_plan[list(MONTH_KEYS)].fillna(0.0).to_numpy(dtype="float64").cumsum(axis=1)
    plan_year = exp_plan["source"].map(years)
    for level, key in (("person", "employee_id"), ("dept", "department")):
        monthly = live.groupby([live[key], y.rename("y"), m.rename("m")])["amount"].sum().sort_index()
        cum = monthly.groupby(level=[0, 1]).cumsum()
        used = pd.Series(list(zip(items[key], iy, im)), index=items.index).map(cum.to_dict())
        cum_plan = pd.DataFrame(months, index=exp_plan.index).groupby(
            [exp_plan[key].to_numpy(), plan_year.to_numpy()]).sum()
        lookup = {(k, yr): row for (k, yr), row in zip(cum_plan.index, cum_plan.to_numpy())}
        target = [lookup[(k, yr)][-1] if (k, yr) in lookup else np.nan for k, yr in zip(items[key], iy)]
        out[f"{level}_used"] = used.astype("float64")
        out[f"{level}_target"] = pd.Series(target, index=items.index, dtype="float64")
        out[f"{level}_share"] = _share(out[f"{level}_used"], out[f"{level}_target"])
    out = out.join(_category_use(live, budget, years, items))
    return out


def _category_use(live: pd.DataFrame, budget: pd.DataFrame | None, years: dict[str, int], items: pd.DataFrame
                  ) -> pd.DataFrame:
    """category_used / category_target / category_share of ``budget_use``: the department's spend in the claim's
    category to the end of its month against the year's budget for that category."""
    out = pd.DataFrame(index=items.index)
    keys = ["department", "category"]
    months = live.groupby([*(live[k] for k in keys), live["date"].dt.year.rename("y"),
                           live["date"].dt.month.rename("m")])["amount"].sum().sort_index()
    cum = months.groupby(level=[0, 1, 2]).cumsum().to_dict()
    out["category_used"] = pd.Series([cum.get(k, np.nan) for k in zip(
        items["department"], items["category"], items["date"].dt.year, items["date"].dt.month)],
        index=items.index, dtype="float64")
    target: dict[tuple, float] = {}
    if budget is not None and len(budget):
        annual = budget[list(MONTH_KEYS)].fillna(0.0).to_numpy(dtype="float64").sum(axis=1)
        for dept, cat, source, value in zip(budget["department"], budget["category"], budget["source"], annual):
            if source in years:
                key = (dept, cat, years[source])
                target[key] = target.get(key, 0.0) + float(value)
    out["category_target"] = pd.Series([target.get(k, np.nan) for k in zip(
        items["department"], items["category"], items["date"].dt.year)], index=items.index, dtype="float64")
    out["category_share"] = _share(out["category_used"], out["category_target"])
    return out


def advance_exposure(advances: pd.DataFrame, items: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Per pending loan slip: the person's outstanding advances after it (slips up to its date, itself
    included, less repayments) and the person's other overdue slips at ``as_of`` (count and amount open)."""
    out = pd.DataFrame(index=items.index)
    live = _live(advances).copy()
    live["open"] = (live["amount"].fillna(0.0) - live["repaid"].fillna(0.0)).clip(lower=0.0)
    order = live.sort_values(["date", "slip_no"], kind="stable")
    running = order.groupby("employee_id")["open"].cumsum()
    out["outstanding_after"] = running.reindex(items.index).astype("float64")
    overdue = live[live["due_date"].lt(as_of).fillna(False) & live["open"].gt(0)]
    counts, amounts = [], []
    groups = {k: g for k, g in overdue.groupby("employee_id")}
    for idx, emp in zip(items.index, items["employee_id"]):
        g = groups.get(emp)
        g = g.drop(index=idx, errors="ignore") if g is not None else None
        counts.append(0 if g is None else len(g))
        amounts.append(0.0 if g is None else float(g["open"].sum()))
    out["overdue_count"] = pd.Series(counts, index=items.index, dtype="Int64")
    out["overdue_amount"] = pd.Series(amounts, index=items.index, dtype="float64")
    return out


def leave_context(leave: pd.DataFrame, roster: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Per pending leave request: annual-leave balance left after it (Roster Leave Days − approved annual
    leave of the year − pending annual requests starting no later, itself included; Annual requests only),
    the person's overlapping requests, and colleagues of the same department off on overlapping days."""
    out = pd.DataFrame(index=items.index)
    live = _live(leave).dropna(subset=["start", "end"])
    names = dict(zip(roster["employee_id"], roster["name"]))
    allowance = dict(zip(roster["employee_id"], roster["leave_days"]))
    by_dept = {d: (g.index.to_numpy(), g["employee_id"].to_numpy(dtype=object), g["start"].to_numpy(),
                   g["end"].to_numpy(), g["request_no"].to_numpy(dtype=object),
                   g["type"].eq("Annual").fillna(False).to_numpy(dtype=bool), pending(g).to_numpy(dtype=bool),
                   g["days"].fillna(0.0).to_numpy(dtype="float64"))
               for d, g in live.groupby("department", sort=False)}
    balances, overlaps, colleagues = [], [], []
    for idx, emp, kind, start, end, dept in zip(items.index, items["employee_id"], items["type"], items["start"],
                                                items["end"], items["department"]):
        found = by_dept.get(dept)
        if found is None or pd.isna(start) or pd.isna(end):
            balances.append(np.nan)
            overlaps.append("")
            colleagues.append("")
            continue
        index, emps, starts, ends, nos, annual, waiting, days = found
        s64, e64 = np.datetime64(start), np.datetime64(end)
        mine = emps == emp
        if kind == "Annual" and emp in allowance and not pd.isna(allowance[emp]):
            year = (starts.astype("datetime64[Y]") == s64.astype("datetime64[Y]"))
            counted = mine & annual & year & (~waiting | (starts <= s64) | (index == idx))
            balances.append(float(allowance[emp]) - float(days[counted].sum()))
        else:
            balances.append(np.nan)
        hit = (starts <= e64) & (ends >= s64) & (index != idx)
        overlaps.append(", ".join(str(n) for n in nos[hit & mine] if pd.notna(n)))
        others = dict.fromkeys(e for e in emps[hit & ~mine] if pd.notna(e))
        colleagues.append(", ".join(str(names.get(e, e)) for e in others))
    out["balance_after"] = pd.Series(balances, index=items.index, dtype="float64")
    out["overlaps"] = pd.Series(overlaps, index=items.index, dtype="str")
    out["colleagues_off"] = pd.Series(colleagues, index=items.index, dtype="str")
    return out


def history(tables: dict[str, pd.DataFrame], table: str, items: pd.DataFrame, date_col: str,
            returns: dict[str, int] | None = None) -> pd.DataFrame:
    """Per item: the person's expense claims (not rejected) in the three months before the item's date,
    itself excluded (count and amount), and their earlier rejections (Rejected rows of Expenses, Advances
    and Leave, plus the Returns recorded in the store, ``returns`` by employee)."""
    out = pd.DataFrame(index=items.index)
    expenses = tables["Expenses"]
    live = _live(expenses).dropna(subset=["date", "amount"]).sort_values("date", kind="stable")
    by_emp = {k: (g["date"].to_numpy(), np.concatenate([[0.0], g["amount"].to_numpy().cumsum()]), g.index.to_numpy())
              for k, g in live.groupby("employee_id")}
    counts, amounts = [], []
    for idx, emp, day in zip(items.index, items["employee_id"], items[date_col]):
        found = by_emp.get(emp)
        if found is None or pd.isna(day):
            counts.append(0)
            amounts.append(0.0)
            continue
        dates, cum, index = found
        lo = np.searchsorted(dates, np.datetime64(day - pd.DateOffset(months=HISTORY_MONTHS)), "left")
        hi = np.searchsorted(dates, np.datetime64(day), "right")
        n, total = hi - lo, cum[hi] - cum[lo]
        if table == "Expenses" and (index[lo:hi] == idx).any():  # the claim itself is not its own history
            n, total = n - 1, total - float(expenses.at[idx, "amount"])
        counts.append(int(n))
        amounts.append(float(total))
    rejected: dict[str, int] = dict(returns or {})
    for key in ("Expenses", "Advances", "Leave"):
        frame = tables[key]
        for emp, n in frame.loc[frame["approval"].eq("Rejected").fillna(False), "employee_id"].value_counts().items():
            rejected[emp] = rejected.get(emp, 0) + int(n)
    out["claims_3m"] = pd.Series(counts, index=items.index, dtype="Int64")
    out["claims_3m_amount"] = pd.Series(amounts, index=items.index, dtype="float64")
    out["rejections"] = items["employee_id"].map(lambda e: rejected.get(e, 0)).astype("Int64")
    return out
