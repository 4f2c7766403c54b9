"""Fund recovery: receivables, aging at period end, overdue list and the 3-month fund demand forecast.

Definitions (documented in docs/json.md):

- receivable per contract = Delivered − Σ receipts dated up to the period end, floored at 0; contracts
  signed after the period end are ignored. Due date = Sign Date + Payment Terms days (blank terms: 0).
- days overdue = period end − due date, in days; buckets: not due (≤ 0), 1-30, 31-60, 61-90, over 90.
- fund demand for months p+1..p+3, side by side per department and company: receivables falling due in
  the month (due date inside it; already-overdue amounts are in the aging, not here), the staff's
  Forecast rows (expected collections and spending), the Plan's Expense targets for that month (None
  past December: the plan covers one year), and royalties payable (the royalty for month m is payable
  in m + 1; None when unknown).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..money import round_series
from ..schema import MONTH_KEYS
from .completion import COMPANY_KEY, EXPENSE, employee_departments, normalize_royalties, parse_period

if TYPE_CHECKING:
    from .ledger import Ledger

BUCKETS = ("not_due", "1-30", "31-60", "61-90", "over_90")
_EDGES = [-np.inf, 0, 30, 60, 90, np.inf]  # right-inclusive: (0, 30] is 1-30
HORIZON = 3
DEMAND_COLUMNS = (
    "receivables_due", "expected_collections", "expected_spending", "planned_expense", "royalties_payable",
)
RECEIVABLE_COLUMNS = (
    "contract_no", "customer", "department", "employee_id", "product_line", "sign_date", "due_date",
    "amount", "delivered", "collected", "receivable", "days_overdue", "bucket",
)


@dataclass
class FundsResult:
    """Receivables (one row per contract with money owed), aging, overdue list and fund demand."""

    period: str
    as_of: pd.Timestamp
    receivables: pd.DataFrame
    aging: pd.DataFrame
    overdue: pd.DataFrame
    demand: pd.DataFrame


def bucket_of(days: pd.Series) -> pd.Series:
    """Aging bucket label for days overdue (≤ 0 not due, 1-30, 31-60, 61-90, over 90)."""
    cut = pd.cut(days.astype("float64"), _EDGES, labels=list(BUCKETS), right=True)
    return cut.astype("object")


def receivables(contracts: pd.DataFrame, collections: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Contracts owing money at ``as_of`` (RECEIVABLE_COLUMNS), largest days overdue first."""
    c = contracts[contracts["sign_date"].notna() & (contracts["sign_date"] <= as_of)]
    rc = collections[collections["receipt_date"].notna() & (collections["receipt_date"] <= as_of)]
    collected = rc.groupby("contract_no")["amount"].sum()
    out = c.assign(
        delivered=c["delivered"].astype("float64").fillna(0.0),
        collected=c["contract_no"].map(collected).astype("float64").fillna(0.0),
    )
    out["receivable"] = round_series((out["delivered"] - out["collected"]).clip(lower=0))
    terms = pd.to_timedelta(out["payment_terms"].astype("float64").fillna(0.0), unit="D")
    out["due_date"] = out["sign_date"] + terms
    out["days_overdue"] = (as_of - out["due_date"]).dt.days.astype("int64")
    out["bucket"] = bucket_of(out["days_overdue"])
    out = out[out["receivable"] > 0]
    return out.sort_values(["days_overdue", "contract_no"], ascending=[False, True], kind="stable")[
        list(RECEIVABLE_COLUMNS)
    ].reset_index(drop=True)


def aging(recv: pd.DataFrame) -> pd.DataFrame:
    """Receivable totals per bucket, ``total`` and ``overdue`` (all but not due), per department and company."""
    wide = recv.pivot_table(index="department", columns="bucket", values="receivable", aggfunc="sum",
                            observed=False).reindex(columns=list(BUCKETS)).fillna(0.0)
    wide.columns = list(BUCKETS)
    dept = wide.reset_index().rename(columns={"department": "key"}).assign(level="department")
    comp = pd.DataFrame([wide.sum(axis=0)]).assign(level="company", key=COMPANY_KEY)
    out = pd.concat([dept, comp], ignore_index=True)[["level", "key", *BUCKETS]]
    for b in BUCKETS:
        out[b] = round_series(out[b].astype("float64"))
    out["total"] = round_series(out[list(BUCKETS)].sum(axis=1))
    out["overdue"] = round_series(out[list(BUCKETS[1:])].sum(axis=1))
    return out


def _by_month(frame: pd.DataFrame, month: pd.Series, value: pd.Series, months: pd.PeriodIndex) -> pd.DataFrame:
    """Σ value per (department, month) for the given months: long frame department, month, value."""
    per = month.dt.to_period("M")
    keep = per.isin(months)
    return pd.DataFrame(
        {"department": frame.loc[keep, "department"].to_numpy(), "month": per[keep].to_numpy(),
         "value": value[keep].astype("float64").fillna(0.0).to_numpy()}
    )


def fund_demand(
    ledger: Ledger, recv: pd.DataFrame, period: pd.Period, royalties: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The next HORIZON months side by side (DEMAND_COLUMNS) per department and the company.

    ``royalties``: (employee_id, month, royalty) royalty for a month, payable the month after; None = unknown.
    """
    months = pd.period_range(period + 1, periods=HORIZON, freq="M")
    t = ledger.tables
    parts = {
        "receivables_due": _by_month(recv, recv["due_date"], recv["receivable"], months),
        "expected_collections": _by_month(t["Forecast"], t["Forecast"]["month"],
                                          t["Forecast"]["expected_collections"], months),
        "expected_spending": _by_month(t["Forecast"], t["Forecast"]["month"],
                                       t["Forecast"]["expected_spending"], months),
    }
    plan = t["Plan"][t["Plan"]["indicator"] == EXPENSE]
    planned = []
    for m in months:
        if m.year == period.year:  # the plan covers the reported year only
            planned.append(pd.DataFrame({"department": plan["department"].to_numpy(), "month": m,
                                         "value": plan[MONTH_KEYS[m.month - 1]].astype("float64").fillna(0.0)
                                         .to_numpy()}))
    parts["planned_expense"] = pd.concat(planned, ignore_index=True) if planned else None
    if royalties is not None:
        roy = normalize_royalties(royalties, period.year)
        roy = roy.assign(
            payable=pd.to_datetime(pd.DataFrame({"year": period.year, "month": roy["month"], "day": 1}))
            .dt.to_period("M") + 1,
            department=roy["employee_id"].map(employee_departments(ledger)).fillna(""),
        )
        keep = roy["payable"].isin(months)
        parts["royalties_payable"] = pd.DataFrame(
            {"department": roy.loc[keep, "department"].to_numpy(), "month": roy.loc[keep, "payable"].to_numpy(),
             "value": roy.loc[keep, "royalty"].to_numpy()}
        )
        known = set(roy["payable"])
    else:
        parts["royalties_payable"] = None
        known = set()

    depts = sorted({d for p in parts.values() if p is not None for d in p["department"]} | set(t["Plan"]["department"]))
    grid = pd.MultiIndex.from_product([depts, months], names=["department", "month"])
    wide = pd.DataFrame(index=grid)
    for name, part in parts.items():
        if part is None:
            wide[name] = np.nan
        else:
            wide[name] = part.groupby(["department", "month"])["value"].sum().reindex(grid).fillna(0.0)
    wide = wide.reset_index()
    # unknown months stay blank rather than zero
    wide.loc[wide["month"].dt.year != period.year, "planned_expense"] = np.nan
    if royalties is not None:
        wide.loc[~wide["month"].isin(known), "royalties_payable"] = np.nan
    cols = list(DEMAND_COLUMNS)
    dept = wide.rename(columns={"department": "key"}).assign(level="department")
    comp = wide.groupby("month", as_index=False)[cols].sum(min_count=1).assign(level="company", key=COMPANY_KEY)
    out = pd.concat([dept, comp], ignore_index=True)
    for c in cols:
        out[c] = round_series(out[c])
    out["month"] = out["month"].astype("str")
    return out[["level", "key", "month", *cols]]


def compute_funds(ledger: Ledger, period: str, royalties: pd.DataFrame | None = None) -> FundsResult:
    """Receivables, aging, overdue list and fund demand at the end of ``period`` (YYYY-MM)."""
    p = parse_period(period)
    as_of = p.end_time.normalize()
    recv = receivables(ledger.tables["Contracts"], ledger.tables["Collections"], as_of)
    overdue = recv[recv["days_overdue"] > 0].reset_index(drop=True)
    return FundsResult(str(p), as_of, recv, aging(recv), overdue, fund_demand(ledger, recv, p, royalties))
