"""Fund recovery: receivables, aging at period end, overdue list and the 3-month fund demand forecast.

Definitions (documented in docs/json.md):

- receivable per contract = Delivered − Σ receipts dated up to the period end, floored at 0; contracts
  signed after the period end are ignored. Due date = Sign Date + Payment Terms days (blank terms: 0).
- days overdue = period end − due date, in days; buckets: not due (≤ 0), then the day ranges ending at the
  Thresholds "Aging Bucket 1".."Aging Bucket 6" (0 = unused; default 30, 60, 90, 180, 365: 1-30, 31-60,
  61-90, 91-180, 181-365, over_365). Keys are "not_due", "<from>-<to>" and "over_<last>".
- fund demand for months p+1..p+3, side by side per department and company: receivables falling due in
  the month (due date inside it; already-overdue amounts are in the aging, not here), the staff's
  Forecast rows (expected collections and spending), the Plan's Expense targets for that month (None
  past December: the plan covers one year), and royalties payable (the royalty for month m is payable
  in m + 1; None when unknown).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..i18n import register, t
from ..money import round_series
from ..schema import MONTH_KEYS, THRESHOLD_DEFAULTS
from .coverage import COMPUTED, NOT_COMPUTED, left_out_departments
from .completion import (
    COMPANY_KEY,
    EXPENSE,
    departments_in_months,
    normalize_royalties,
    parse_period,
)

if TYPE_CHECKING:
    from .ledger import Ledger

BUCKET_SLOTS = tuple(f"Aging Bucket {i}" for i in range(1, 7))


def bucket_limits(values: Mapping[str, float] | None = None) -> tuple[int, ...]:
    """The last day of each overdue bucket from Thresholds values (0 or blank = unused), ascending."""
    get = {**THRESHOLD_DEFAULTS, **(values or {})}.get
    days = {int(round(float(get(n) or 0))) for n in BUCKET_SLOTS}
    return tuple(sorted(d for d in days if d > 0))


def bucket_keys(limits: Sequence[int]) -> tuple[str, ...]:
    """Bucket keys for the limits: ("not_due", "1-30", "31-60", …, "over_<last>")."""
    lows = [1, *(d + 1 for d in limits[:-1])]
    return ("not_due", *(f"{lo}-{hi}" for lo, hi in zip(lows, limits)), f"over_{limits[-1]}" if limits else "over_0")


def bucket_label(key: str, lang: str) -> str:
    """A bucket key as people read it: "31-60 Days" / "31-60天", "Over 365 Days" / "365天以上"."""
    if key == "not_due":
        return t("funds.bucket.not_due", lang)
    if key.startswith("over_"):
        return t("funds.bucket.over", lang, days=key[5:])
    return t("funds.bucket.range", lang, days=key)


register({
    "funds.bucket.not_due": ("Not Due", "未到期"),
    "funds.bucket.over": ("Over {days} Days", "{days}天以上"),
    "funds.bucket.range": ("{days} Days", "{days}天"),
})

LIMITS = bucket_limits()
BUCKETS = bucket_keys(LIMITS)  # the default buckets
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
    buckets: tuple[str, ...] = BUCKETS
    #: Departments whose receivables are not computed (their workbook lacks Delivered or Payment Terms): their
    #: aging row is blank and the company row leaves them out.
    not_computed: list[str] = field(default_factory=list)


def bucket_of(days: pd.Series, limits: Sequence[int] = LIMITS) -> pd.Series:
    """Aging bucket key for days overdue (≤ 0 not due, then the ranges ending at ``limits``, then over)."""
    edges = [-np.inf, 0, *limits, np.inf]  # right-inclusive: (0, 30] is 1-30
    cut = pd.cut(days.astype("float64"), edges, labels=list(bucket_keys(limits)), right=True)
    return cut.astype("object")


def receivables(contracts: pd.DataFrame, collections: pd.DataFrame, as_of: pd.Timestamp,
                limits: Sequence[int] = LIMITS) -> pd.DataFrame:
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
    out["bucket"] = bucket_of(out["days_overdue"], limits)
    out = out[out["receivable"] > 0]
    return out.sort_values(["days_overdue", "contract_no"], ascending=[False, True], kind="stable")[
        list(RECEIVABLE_COLUMNS)
    ].reset_index(drop=True)


def receivables_total(contracts: pd.DataFrame, collections: pd.DataFrame, as_of: pd.Timestamp) -> float:
    """Σ ``receivable`` of ``receivables(contracts, collections, as_of)`` (each contract's rounded amount owed),
    without what only the listing needs (due dates, buckets, order): the report's 12 month ends."""
    c = contracts[contracts["sign_date"].notna() & (contracts["sign_date"] <= as_of)]
    rc = collections[collections["receipt_date"].notna() & (collections["receipt_date"] <= as_of)]
    collected = rc.groupby("contract_no")["amount"].sum()
    owed = round_series((c["delivered"].astype("float64").fillna(0.0)
                         - c["contract_no"].map(collected).astype("float64").fillna(0.0)).clip(lower=0))
    return float(owed[owed > 0].sum())


def receivables_totals(contracts: pd.DataFrame, collections: pd.DataFrame,
                       as_ofs: Sequence[pd.Timestamp]) -> list[float]:
    """``receivables_total`` at each date of ``as_ofs`` (the report's 12 month ends), value for value: the contracts'
    and the collections' keys matched once, and the collections received by each date summed per contract in one
    grouping (each (date, contract) group sums the same amounts in the same order as ``receivables_total``'s
    grouping at that date, so the sums are the same floats)."""
    if not len(as_ofs):
        return []
    keys, _ = pd.factorize(pd.concat([contracts["contract_no"], collections["contract_no"]], ignore_index=True))
    width = max(1, int(keys.max()) + 1) if len(keys) else 1  # at least 1: all keys blank (-1) index nothing
    own, paid_to = keys[:len(contracts)], keys[len(contracts):]
    signed = contracts["sign_date"]
    received = collections["receipt_date"]
    picks = [np.flatnonzero((received.notna() & (received <= as_of)).to_numpy(dtype=bool) & (paid_to >= 0))
             for as_of in as_ofs]
    rows = np.concatenate(picks)
    group = np.repeat(np.arange(len(as_ofs), dtype="int64"), [len(p) for p in picks]) * width + paid_to[rows]
    sums = collections["amount"].iloc[rows].reset_index(drop=True).groupby(group).sum()
    collected = np.zeros(len(as_ofs) * width)
    collected[sums.index.to_numpy(dtype="int64")] = sums.to_numpy(dtype="float64", na_value=np.nan)
    delivered = contracts["delivered"].astype("float64").fillna(0.0).to_numpy()
    owed_at: list[np.ndarray] = []
    for k, as_of in enumerate(as_ofs):
        keep = (signed.notna() & (signed <= as_of)).to_numpy(dtype=bool)
        mine = own[keep]
        got = np.where(mine >= 0, collected[k * width + np.maximum(mine, 0)], 0.0)
        owed_at.append(delivered[keep] - np.nan_to_num(got, nan=0.0))
    owed = round_series(pd.Series(np.concatenate(owed_at)).clip(lower=0)).to_numpy()
    ends = np.cumsum([len(o) for o in owed_at])
    return [float(pd.Series(part[part > 0]).sum()) for part in np.split(owed, ends[:-1])]


def aging(recv: pd.DataFrame, buckets: Sequence[str] = BUCKETS) -> pd.DataFrame:
    """Receivable totals per bucket, ``total`` and ``overdue`` (all but not due), per department and company."""
    buckets = list(buckets)
    wide = recv.pivot_table(index="department", columns="bucket", values="receivable", aggfunc="sum",
                            observed=False).reindex(columns=buckets).fillna(0.0)
    wide.columns = buckets
    dept = wide.reset_index().rename(columns={"department": "key"}).assign(level="department")
    comp = pd.DataFrame([wide.sum(axis=0)]).assign(level="company", key=COMPANY_KEY)
    out = pd.concat([dept, comp], ignore_index=True)[["level", "key", *buckets]]
    for b in buckets:
        out[b] = round_series(out[b].astype("float64"))
    out["total"] = round_series(out[buckets].sum(axis=1))
    out["overdue"] = round_series(out[buckets[1:]].sum(axis=1))
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
        )
        # a royalty is payable by the department the person belongs to in its month (a transferee's: each one's)
        roy["department"] = pd.Series(departments_in_months(ledger, roy["employee_id"], period.year, roy["month"]),
                                      dtype="object").fillna("").to_numpy()
        keep = roy["payable"].isin(months)
        parts["royalties_payable"] = pd.DataFrame(
            {"department": roy.loc[keep, "department"].to_numpy(), "month": roy.loc[keep, "payable"].to_numpy(),
             "value": roy.loc[keep, "royalty"].to_numpy()}
        )
        known = set(roy["payable"])
    else:
        parts["royalties_payable"] = None
        known = set()

    left = set(left_out_departments(ledger))
    depts = sorted({d for p in parts.values() if p is not None for d in p["department"]} | set(t["Plan"]["department"])
                   | left)
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
    wide.loc[wide["department"].isin(left), cols] = np.nan  # not computed: blank, never zero, not in the company
    dept = wide.rename(columns={"department": "key"}).assign(level="department")
    comp = wide.groupby("month", as_index=False)[cols].sum(min_count=1).assign(level="company", key=COMPANY_KEY)
    out = pd.concat([dept, comp], ignore_index=True)
    for c in cols:
        out[c] = round_series(out[c])
    out["month"] = out["month"].astype("str")
    out["status"] = np.where(out["key"].isin(left) & (out["level"] == "department"), NOT_COMPUTED, COMPUTED)
    return out[["level", "key", "month", *cols, "status"]]


def compute_funds(ledger: Ledger, period: str, royalties: pd.DataFrame | None = None) -> FundsResult:
    """Receivables, aging, overdue list and fund demand at the end of ``period`` (YYYY-MM)."""
    p = parse_period(period)
    as_of = p.end_time.normalize()
    limits = bucket_limits({n: ledger.threshold(n) for n in BUCKET_SLOTS})
    missing = {d for d, cols in ledger.missing_columns("Contracts").items() if cols & {"delivered", "payment_terms"}}
    missing |= set(left_out_departments(ledger))
    contracts = ledger.tables["Contracts"]
    recv = receivables(contracts[~contracts["department"].isin(missing)], ledger.tables["Collections"], as_of, limits)
    overdue = recv[recv["days_overdue"] > 0].reset_index(drop=True)
    keys = bucket_keys(limits)
    table = aging(recv, keys)
    if missing:  # not computable (the workbook lacks Delivered or Payment Terms): blank, never zero
        blank = pd.DataFrame([{"level": "department", "key": d} for d in sorted(missing)])
        table = pd.concat([table[table["level"] != "company"], blank, table[table["level"] == "company"]],
                          ignore_index=True)
    table["status"] = np.where(table["key"].isin(missing) & (table["level"] == "department"), NOT_COMPUTED,
                               COMPUTED)
    demand = fund_demand(ledger, recv, p, royalties)
    if missing:
        demand.loc[(demand["level"] == "department") & demand["key"].isin(missing), "receivables_due"] = np.nan
    return FundsResult(str(p), as_of, recv, table, overdue, demand, keys, not_computed=sorted(missing))
