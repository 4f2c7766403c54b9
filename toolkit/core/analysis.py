"""Sales statistics and market analysis (DOMAIN.md, "Sales statistics and market analysis"); docs/analysis.md.

Pure: a ``Ledger`` and a period in, frames out. Definitions (every one is also written into the outputs):

- **Window**: the ``months`` months ending with the period p (monthly rows per company, department and product
  line for every month; per salesperson and customer for the months with a contract or a receipt); **YTD** = Jan..p of p's year; **PYTD** the same
  months of the year before.
- **Signing** = Σ Amount × credited share of contracts signed in the month (split shares applied, as every
  measure); **deals** = Σ credited share (a contract counts once, a split contract once in total);
  **average deal size** = signing ÷ deals; **gross margin** = Σ signing × the product line's Gross Margin %
  (the margin on what was signed; unknown product lines 0); **margin rate** = gross margin ÷ signing.
- **Collection** = Σ receipts (negatives included) credited through their contracts, by receipt month.
- **Delivered** = Σ Delivered × share of the contracts signed in the month (the register keeps delivered to
  date without a delivery date, so delivery is dated by the contract's sign date).
- **Terminations**: contracts whose Status is Terminated, counted in their signing month (no termination date).
- **Customers (Pareto, ABC)**: ranked by YTD signing; share = signing ÷ company signing; A while the
  cumulative share before the customer is below 80%, B below 95%, C the rest; **top-10 share**; **HHI** =
  Σ (share in percent)², 0–10,000. **New**: first contract ever within the last 12 months; **returning**: a
  contract in the last 12 months and one before; **lost**: a contract in the 12 months before those, none
  in the last 12.
- **DSO** = receivables at period end ÷ delivered in the last 90 days × 90 (delivered dated as above; blank
  when nothing was delivered); with the receivables overdue (past Sign Date + Payment Terms) and overdue by more
  than 90 days. **Days to pay** per customer: over positive receipts of the window, the
  amount-weighted mean of receipt date − sign date; **terms** the amount-weighted mean Payment Terms;
  **days late** = days to pay − terms.
- **Feedback**: count by type × product line × month over the window; open complaints (Type Complaint,
  Status not Closed) with their age in days at period end and owner, and counted per owner and age bucket.
- **Forecasts**: monthly Signing per product line and company Collection, 3 months ahead, with the method
  of ``core.forecast``; backtest on the last 3 months against the naive forecast (the last value carried
  forward); when the method's backtest error is not below the naive one, the naive forecast is used and
  this is said.
- **Pipeline** (Opportunities): open = Lead..Negotiation; weighted = Expected Amount × the stage's
  probability (Thresholds "Stage Probability <stage>", percent; Won 100, Lost 0); open pipeline counts
  opportunities expected to close in p+1..December (blank Expected Close included, later years not);
  **coverage** = weighted open pipeline ÷ remaining Signing target, remaining = annual Signing target − YTD
  Signing (blank when nothing remains); **win rate** = won ÷ (won + lost), by count and by amount;
  **aged** = open with Expected Close before p's month.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..money import round_series
from . import forecast as FC
from .completion import COMPANY_KEY, parse_period
from .credits import contract_credits
from .ledger import per_inputs
from .versions import value_by_date

if TYPE_CHECKING:
    from .ledger import Ledger  # type hints only: the ledger module imports the computations

LEVELS = ("company", "department", "salesperson", "product_line", "customer")
#: Levels whose monthly rows cover every month of the window (zeros included); salespeople and customers have
#: rows only for the months with a contract or a receipt.
DENSE_LEVELS = ("company", "department", "product_line")
MEASURES = ("signing", "deals", "avg_deal", "gross_margin", "margin_rate", "collection", "delivered",
            "terminations", "terminated_amount")
MONEY = ("signing", "avg_deal", "gross_margin", "collection", "delivered", "terminated_amount")
ABC_LIMITS = (0.80, 0.95)
TOP_N = 10
NEW_MONTHS = 12
DSO_DAYS = 90
#: Receivables overdue by more than this many days are named in the DSO sentence.
OVERDUE_LONG = 90
OPEN_STAGES = ("Lead", "Qualified", "Proposal", "Negotiation")
WON, LOST = "Won", "Lost"
COMPLAINT = "Complaint"
COMPLAINT_AGES = (30, 60, 90)
#: Sentences: a customer's share rising by this many points vs PYTD; a product line falling by this fraction;
#: a customer paying this many days late on average; how many of each to name.
SHARE_JUMP_POINTS = 0.05
DECLINE = 0.20
LATE_DAYS = 15.0
NAMED = 3


@dataclass
class Analysis:
    """Every table of the analysis of ``period`` (see the module doc for the definitions)."""

    period: str
    months: list[str]
    monthly: pd.DataFrame  # level, key, month, MEASURES (every level; salespeople and customers sparse)
    ytd: pd.DataFrame  # level, key, department, MEASURES, py_signing, yoy
    customers: pd.DataFrame  # rank, customer, signing, share, cum_share, abc, py_share, share_change, status
    concentration: pd.DataFrame  # level, key, customers, top10_share, hhi, new, returning, lost
    customer_status: pd.DataFrame  # customer, department, first_sign, last_sign, status, signing_12m, signing_prev_12m
    dso: pd.DataFrame  # level, key, receivables, overdue, overdue_90, delivered_90d, dso
    payment: pd.DataFrame  # customer, receipts, collected, days_to_pay, terms, days_late, receivable, overdue
    feedback: pd.DataFrame  # month, type, product_line, count
    complaints: pd.DataFrame  # date, department, customer, product_line, owner, status, age_days, age_bucket
    complaint_owners: pd.DataFrame  # owner, department, open, one count per age bucket, oldest_days
    forecasts: pd.DataFrame  # series, key, method, history_months, mase, naive_mase, better_than_naive, used
    forecast_values: pd.DataFrame  # series, key, month, value
    forecast_check: dict[str, Any]  # last month's one-step signing forecast against the actual
    pipeline: Pipeline | None
    sentences: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@dataclass
class Pipeline:
    """The Opportunities sheet's figures."""

    by_stage: pd.DataFrame  # stage, count, amount, probability, weighted
    by_route: pd.DataFrame  # route, count, amount, weighted
    by_product_line: pd.DataFrame  # product_line, count, amount, weighted
    coverage: pd.DataFrame  # level, key, weighted_open, annual_target, ytd_signing, remaining_target, coverage
    win_loss: pd.DataFrame  # level, key, won, lost, win_rate, won_amount, lost_amount, win_rate_amount
    lost_reasons: pd.DataFrame  # lost_reason, count, amount
    aged: pd.DataFrame  # opportunity_no, department, customer, stage, expected_amount, expected_close, months_late
    won: pd.DataFrame  # opportunity_no, department, customer, expected_amount, contract_no, contract_amount, sign_date, linked


def _text(values: pd.Series) -> pd.Series:
    return values.astype("str").where(values.notna(), None).str.strip()


def _margins(ledger: Ledger, lines: pd.Series, dates: pd.Series) -> pd.Series:
    """Each row's gross margin rate: its product line's version in force in the month of ``dates``."""
    return value_by_date(ledger.standard("ProductLines"), "product_line", "gross_margin", lines, dates)


def _contract_rows(ledger: Ledger, end: pd.Timestamp) -> pd.DataFrame:
    """Credited contract rows signed up to ``end``: department, salesperson, product line, customer, month and
    the measures' parts."""
    c = ledger.tables["Contracts"]
    c = c[c["sign_date"].notna() & (c["sign_date"] <= end)]
    cc = contract_credits(c)
    amount = cc["amount"].astype("float64").fillna(0.0) * cc["share"]
    margin = _margins(ledger, cc["product_line"], cc["sign_date"]).astype("float64").fillna(0.0)
    terminated = (cc["status"] == "Terminated").fillna(False).astype(bool)
    return pd.DataFrame({
        "contract_no": cc["contract_no"].to_numpy(), "department": cc["department"].astype("str").to_numpy(),
        "salesperson": cc["employee_id"].astype("str").to_numpy(),
        "product_line": cc["product_line"].fillna("").astype("str").to_numpy(),
        "customer": cc["customer"].fillna("").astype("str").str.strip().to_numpy(),
        "date": cc["sign_date"].to_numpy(), "month": cc["sign_date"].dt.to_period("M").to_numpy(),
        "signing": amount.to_numpy(), "deals": cc["share"].to_numpy(dtype="float64"),
        "gross_margin": (amount * margin).to_numpy(),
        "delivered": (cc["delivered"].astype("float64").fillna(0.0) * cc["share"]).to_numpy(),
        "terminations": (cc["share"] * terminated).to_numpy(dtype="float64"),
        "terminated_amount": amount.where(terminated, 0.0).to_numpy(),
    })


def _receipt_rows(ledger: Ledger, end: pd.Timestamp) -> pd.DataFrame:
    """Credited receipts dated up to ``end`` with their contract's department, salesperson, line, customer."""
    r = ledger.tables["Collections"]
    r = r[r["receipt_date"].notna() & (r["receipt_date"] <= end)]
    cc = contract_credits(ledger.tables["Contracts"]).drop_duplicates(["contract_no", "employee_id"])
    cols = ["contract_no", "employee_id", "share", "product_line", "customer", "sign_date", "payment_terms",
            "department"]
    m = r[["receipt_no", "receipt_date", "contract_no", "amount"]].merge(cc[cols], on="contract_no", how="inner")
    return pd.DataFrame({
        "department": m["department"].astype("str").to_numpy(), "salesperson": m["employee_id"].astype("str").to_numpy(),
        "product_line": m["product_line"].fillna("").astype("str").to_numpy(),
        "customer": m["customer"].fillna("").astype("str").str.strip().to_numpy(),
        "date": m["receipt_date"].to_numpy(), "month": m["receipt_date"].dt.to_period("M").to_numpy(),
        "collection": (m["amount"].astype("float64").fillna(0.0) * m["share"]).to_numpy(),
        "share": m["share"].to_numpy(dtype="float64"),
        "sign_date": m["sign_date"].to_numpy(),
        "terms": m["payment_terms"].astype("float64").fillna(0.0).to_numpy(),
    })


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    """Rounded money, average deal size and margin rate."""
    for col in ("signing", "gross_margin", "collection", "delivered", "terminated_amount"):
        frame[col] = round_series(frame[col].astype("float64"))
    deals = frame["deals"].astype("float64")
    frame["avg_deal"] = round_series(frame["signing"] / deals.where(deals > 0))
    frame["margin_rate"] = frame["gross_margin"] / frame["signing"].where(frame["signing"] != 0)
    frame["deals"] = deals.round(2)
    frame["terminations"] = frame["terminations"].astype("float64").round(2)
    return frame


def _aggregate(contracts: pd.DataFrame, receipts: pd.DataFrame, levels: Sequence[str],
               by_month: bool) -> pd.DataFrame:
    """MEASURES per level key (and month when ``by_month``) from credited contract and receipt rows."""
    sums_c = ["signing", "deals", "gross_margin", "delivered", "terminations", "terminated_amount"]
    if by_month:  # group on the month's ordinal: joining on Period objects compares them one by one
        contracts = contracts.assign(month=contracts["month"].array.asi8)
        receipts = receipts.assign(month=receipts["month"].array.asi8)
    parts = []
    for level in levels:
        keys = ([] if level == "company" else [level]) + (["month"] if by_month else [])
        if keys:
            a = contracts.groupby(keys, sort=False)[sums_c].sum()
            b = receipts.groupby(keys, sort=False)[["collection"]].sum()
            g = a.join(b, how="outer").reset_index()
        else:
            g = pd.DataFrame([{**contracts[sums_c].sum().to_dict(), "collection": receipts["collection"].sum()}])
        g = g.rename(columns={level: "key"}) if level != "company" else g.assign(key=COMPANY_KEY)
        parts.append(g.assign(level=level))
    out = pd.concat(parts, ignore_index=True)
    for col in [*sums_c, "collection"]:
        out[col] = out[col].astype("float64").fillna(0.0)
    if by_month:
        out["month"] = pd.PeriodIndex.from_ordinals(out["month"].astype("int64"), freq="M").astype("str")
    return _finish(out)


def _in(months: pd.Series, window: pd.PeriodIndex) -> np.ndarray:
    """``months.isin(window)`` on the months' ordinals (``isin`` on Period values compares them one by one)."""
    return np.isin(months.array.asi8, window.asi8)


def _window(p: pd.Period, months: int) -> pd.PeriodIndex:
    return pd.period_range(p - (months - 1), p, freq="M")


def sales_tables(contracts: pd.DataFrame, receipts: pd.DataFrame, p: pd.Period,
                 months: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(monthly company/department/product-line figures over the window, YTD of every level with PYTD and YoY)."""
    window = _window(p, months)
    cw, rw = contracts[_in(contracts["month"], window)], receipts[_in(receipts["month"], window)]
    monthly = _aggregate(cw, rw, LEVELS, True)
    dense = monthly["level"].isin(DENSE_LEVELS)
    grid = pd.MultiIndex.from_frame(monthly.loc[dense, ["level", "key"]].drop_duplicates()).to_frame(index=False)
    full = grid.merge(pd.DataFrame({"month": window.astype("str")}), how="cross")
    monthly = pd.concat([full.merge(monthly[dense], on=["level", "key", "month"], how="left"), monthly[~dense]],
                        ignore_index=True)
    for col in MEASURES:
        if col not in ("avg_deal", "margin_rate"):
            monthly[col] = monthly[col].fillna(0.0)
    monthly = monthly.sort_values(["level", "key", "month"], key=_level_order, kind="stable", ignore_index=True)
    ytd_months = pd.period_range(pd.Period(f"{p.year}-01", "M"), p, freq="M")
    py_months = ytd_months - 12
    ytd = _aggregate(contracts[_in(contracts["month"], ytd_months)], receipts[_in(receipts["month"], ytd_months)],
                     LEVELS, False)
    py = _aggregate(contracts[_in(contracts["month"], py_months)], receipts[_in(receipts["month"], py_months)],
                    LEVELS, False)
    ytd = ytd.merge(py[["level", "key", "signing"]].rename(columns={"signing": "py_signing"}),
                    on=["level", "key"], how="outer")
    for col in ("signing", "deals", "gross_margin", "delivered", "terminations", "terminated_amount", "collection",
                "py_signing"):
        ytd[col] = ytd[col].fillna(0.0)
    ytd["yoy"] = (ytd["signing"] - ytd["py_signing"]) / ytd["py_signing"].where(ytd["py_signing"] != 0)
    home = pd.concat([contracts[["salesperson", "department"]].rename(columns={"salesperson": "key"}),
                      contracts[["customer", "department"]].rename(columns={"customer": "key"})])
    home = home.drop_duplicates("key", keep="last").set_index("key")["department"]
    ytd["department"] = ytd["key"].map(home).where(ytd["level"].isin(["salesperson", "customer"]), None)
    ytd = ytd.sort_values(["level", "signing", "key"], ascending=[True, False, True],
                          key=lambda s: _level_order(s) if s.name == "level" else s, kind="stable", ignore_index=True)
    cols = ["level", "key", "department", *MEASURES, "py_signing", "yoy"]
    return monthly[["level", "key", "month", *MEASURES]], ytd[cols]


def _level_order(s: pd.Series) -> pd.Series:
    if s.name == "level":
        return s.map({lv: i for i, lv in enumerate(LEVELS)})
    return s


def pareto(signing: pd.Series, py_signing: pd.Series | None = None) -> pd.DataFrame:
    """Customers ranked by signing (index: customer) with share, cumulative share, ABC class and, given the
    previous period's signing, the previous share and its change."""
    s = signing[signing > 0].sort_values(ascending=False, kind="stable")
    s = s.iloc[np.lexsort((s.index.astype(str), -s.to_numpy()))] if len(s) else s
    total = float(s.sum())
    share = s / total if total else s * 0.0
    cum = share.cumsum()
    before = cum - share
    abc = np.where(before < ABC_LIMITS[0] - 1e-12, "A", np.where(before < ABC_LIMITS[1] - 1e-12, "B", "C"))
    out = pd.DataFrame({"rank": np.arange(1, len(s) + 1), "customer": s.index.astype(str), "signing": s.to_numpy(),
                        "share": share.to_numpy(), "cum_share": cum.to_numpy(), "abc": abc})
    if py_signing is not None:
        py = py_signing[py_signing > 0]
        py_total = float(py.sum())
        py_share = (py / py_total) if py_total else py * 0.0
        out["py_share"] = out["customer"].map(py_share).astype("float64").fillna(0.0)
        out["share_change"] = out["share"] - out["py_share"]
    return out


def concentration(shares: pd.Series) -> tuple[float | None, float | None]:
    """(top-10 share, HHI on percent shares 0–10,000) of customer shares (fractions summing to 1)."""
    if not len(shares):
        return None, None
    top = float(shares.sort_values(ascending=False).head(TOP_N).sum())
    return top, float(((shares * 100) ** 2).sum())


def customer_status(contracts: pd.DataFrame, p: pd.Period) -> pd.DataFrame:
    """Each customer's first and last contract and new / returning / lost / inactive (module doc)."""
    last12 = _window(p, NEW_MONTHS)
    prev12 = last12 - NEW_MONTHS
    c = contracts[contracts["customer"] != ""]
    g = c.groupby("customer", sort=True).agg(first_sign=("date", "min"), last_sign=("date", "max"))
    g["signing_12m"] = c[_in(c["month"], last12)].groupby("customer")["signing"].sum()
    g["signing_prev_12m"] = c[_in(c["month"], prev12)].groupby("customer")["signing"].sum()
    g["department"] = c.sort_values("date", kind="stable").groupby("customer")["department"].last()
    g[["signing_12m", "signing_prev_12m"]] = g[["signing_12m", "signing_prev_12m"]].fillna(0.0)
    start12 = last12[0].start_time
    in12 = c[_in(c["month"], last12)].groupby("customer").size().reindex(g.index).fillna(0) > 0
    inprev = c[_in(c["month"], prev12)].groupby("customer").size().reindex(g.index).fillna(0) > 0
    first_in12 = g["first_sign"] >= start12
    status = np.select([in12 & first_in12, in12, inprev], ["new", "returning", "lost"], "inactive")
    g["status"] = status
    for col in ("signing_12m", "signing_prev_12m"):
        g[col] = round_series(g[col])
    g = g.reset_index()
    return g[["customer", "department", "first_sign", "last_sign", "status", "signing_12m", "signing_prev_12m"]]


def concentration_table(contracts: pd.DataFrame, status: pd.DataFrame, p: pd.Period) -> pd.DataFrame:
    """Customers, top-10 share, HHI (YTD signing) and new / returning / lost counts per company and department;
    a customer who bought from several departments counts in each."""
    this_year = pd.period_range(pd.Period(f"{p.year}-01", "M"), p, freq="M")
    ytd = contracts[_in(contracts["month"], this_year) & (contracts["customer"] != "")]
    pairs = ytd.groupby(["department", "customer"], sort=True)["signing"].sum()
    company = ytd.groupby("customer")["signing"].sum()
    frames = [(pd.Series(COMPANY_KEY, index=company.index).rename("department"), company),
              (pairs.index.get_level_values(0).to_series(index=pairs.index), pairs)]
    rows = []
    for dept, s in frames:
        keep = s > 0
        s, dept = s[keep], dept[keep]
        d = pd.DataFrame({"department": dept.to_numpy(), "signing": s.to_numpy()})
        d["share"] = d["signing"] / d.groupby("department")["signing"].transform("sum")
        d = d.sort_values(["department", "share"], ascending=[True, False], kind="stable")
        d["top"] = d.groupby("department").cumcount() < TOP_N
        g = d.groupby("department").agg(customers=("share", "size"))
        g["top10_share"] = d[d["top"]].groupby("department")["share"].sum()
        g["hhi"] = (d.assign(sq=(d["share"] * 100) ** 2)).groupby("department")["sq"].sum()
        rows.append(g)
    conc = pd.concat(rows).rename_axis("key").reset_index()
    seen = contracts[contracts["customer"] != ""][["department", "customer"]].drop_duplicates()
    st = seen.merge(status[["customer", "status"]], on="customer", how="left")
    counts = pd.concat([status.assign(department=COMPANY_KEY)[["department", "status"]], st[["department", "status"]]])
    counts = counts.groupby(["department", "status"]).size().unstack(fill_value=0)
    keys = [COMPANY_KEY, *sorted(set(contracts["department"]))]
    conc = conc.set_index("key").reindex(keys)
    conc["customers"] = conc["customers"].fillna(0).astype("int64")
    for col in ("new", "returning", "lost"):
        conc[col] = (counts[col] if col in counts else pd.Series(dtype="int64")).reindex(keys).fillna(0).astype("int64")
    conc = conc.rename_axis("key").reset_index()
    conc.insert(0, "level", np.where(conc["key"] == COMPANY_KEY, "company", "department"))
    return conc[["level", "key", "customers", "top10_share", "hhi", "new", "returning", "lost"]]


def receivables_at(ledger: Ledger, end: pd.Timestamp) -> pd.DataFrame:
    """Per contract: department, customer, receivable (Delivered − receipts to ``end``, floored at 0), overdue."""
    c = ledger.tables["Contracts"]
    c = c[c["sign_date"].notna() & (c["sign_date"] <= end)]
    r = ledger.tables["Collections"]
    r = r[r["receipt_date"].notna() & (r["receipt_date"] <= end)]
    paid = r.groupby("contract_no")["amount"].sum()
    recv = (c["delivered"].astype("float64").fillna(0.0)
            - c["contract_no"].map(paid).astype("float64").fillna(0.0)).clip(lower=0)
    due = c["sign_date"] + pd.to_timedelta(c["payment_terms"].astype("float64").fillna(0.0), unit="D")
    late = (end.normalize() - due).dt.days
    return pd.DataFrame({"department": c["department"].astype("str").to_numpy(),
                         "customer": c["customer"].fillna("").astype("str").str.strip().to_numpy(),
                         "receivable": recv.to_numpy(), "overdue": recv.where(late > 0, 0.0).to_numpy(),
                         "overdue_90": recv.where(late > OVERDUE_LONG, 0.0).to_numpy()})


def dso_table(ledger: Ledger, contracts: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """DSO per company and department (module doc)."""
    recv = receivables_at(ledger, end)
    start = end.normalize() - pd.Timedelta(days=DSO_DAYS - 1)
    recent = contracts[(contracts["date"] >= start) & (contracts["date"] <= end)]
    depts = sorted(set(recv["department"]) | set(contracts["department"]))
    by = pd.DataFrame({"receivables": recv.groupby("department")["receivable"].sum(),
                       "overdue": recv.groupby("department")["overdue"].sum(),
                       "overdue_90": recv.groupby("department")["overdue_90"].sum(),
                       "delivered_90d": recent.groupby("department")["delivered"].sum()}).reindex(depts).fillna(0.0)
    out = pd.concat([pd.DataFrame({"level": "company", "key": [COMPANY_KEY],
                                   "receivables": [float(recv["receivable"].sum())],
                                   "overdue": [float(recv["overdue"].sum())],
                                   "overdue_90": [float(recv["overdue_90"].sum())],
                                   "delivered_90d": [float(recent["delivered"].sum())]}),
                     by.rename_axis("key").reset_index().assign(level="department")], ignore_index=True)
    out["dso"] = out["receivables"] / out["delivered_90d"].where(out["delivered_90d"] > 0) * DSO_DAYS
    for col in ("receivables", "overdue", "overdue_90", "delivered_90d"):
        out[col] = round_series(out[col].astype("float64"))
    out["dso"] = out["dso"].astype("float64").round(1)
    return out[["level", "key", "receivables", "overdue", "overdue_90", "delivered_90d", "dso"]]


def payment_table(ledger: Ledger, receipts: pd.DataFrame, p: pd.Period, months: int) -> pd.DataFrame:
    """Days to pay against terms per customer over the window's positive receipts, latest first by days late."""
    window = _window(p, months)
    r = receipts[_in(receipts["month"], window) & (receipts["collection"] > 0) & (receipts["customer"] != "")]
    w = r["collection"]
    days = (pd.to_datetime(r["date"]) - pd.to_datetime(r["sign_date"])).dt.days.astype("float64")
    frame = pd.DataFrame({"customer": r["customer"], "w": w, "wd": w * days, "wt": w * r["terms"],
                          "n": r["share"]})
    g = frame.groupby("customer", sort=True).sum()
    out = pd.DataFrame({"customer": g.index, "receipts": g["n"].round(2).to_numpy(),
                        "collected": round_series(g["w"]).to_numpy(),
                        "days_to_pay": (g["wd"] / g["w"]).round(1).to_numpy(),
                        "terms": (g["wt"] / g["w"]).round(1).to_numpy()})
    out["days_late"] = (out["days_to_pay"] - out["terms"]).round(1)
    recv = receivables_at(ledger, p.end_time.normalize()).groupby("customer")[["receivable", "overdue"]].sum()
    out["receivable"] = round_series(out["customer"].map(recv["receivable"]).astype("float64").fillna(0.0))
    out["overdue"] = round_series(out["customer"].map(recv["overdue"]).astype("float64").fillna(0.0))
    return out.sort_values(["days_late", "customer"], ascending=[False, True], kind="stable", ignore_index=True)


def feedback_tables(ledger: Ledger, p: pd.Period, months: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(feedback count by month × type × product line over the window, open complaints by age and owner)."""
    f = ledger.tables["Feedback"]
    f = f[f["date"].notna() & (f["date"] <= p.end_time)]
    window = _window(p, months)
    month = f["date"].dt.to_period("M")
    inw = f[month.isin(window)]
    counts = pd.DataFrame({"month": month[month.isin(window)].astype("str"), "type": inw["type"].fillna(""),
                           "product_line": inw["product_line"].fillna("")})
    counts = counts.groupby(["month", "type", "product_line"], sort=True).size().rename("count").reset_index()
    open_c = f[(f["type"] == COMPLAINT).fillna(False) & ~(f["status"] == "Closed").fillna(False)]
    age = (p.end_time.normalize() - open_c["date"]).dt.days.astype("int64")
    edges = [-1, *COMPLAINT_AGES, np.inf]
    labels = [f"0-{COMPLAINT_AGES[0]}", *(f"{a + 1}-{b}" for a, b in zip(COMPLAINT_AGES, COMPLAINT_AGES[1:])),
              f"over_{COMPLAINT_AGES[-1]}"]
    complaints = pd.DataFrame({
        "date": open_c["date"], "department": open_c["department"].astype("str"), "customer": open_c["customer"],
        "product_line": open_c["product_line"], "owner": open_c["owner"], "status": open_c["status"],
        "age_days": age, "age_bucket": pd.cut(age, edges, labels=labels).astype("object"),
    }).sort_values(["age_days", "department"], ascending=[False, True], kind="stable", ignore_index=True)
    return counts, complaints


def complaints_by_owner(complaints: pd.DataFrame) -> pd.DataFrame:
    """Open complaints per owner and department: how many, how many in each age bucket, the oldest."""
    buckets = [f"0-{COMPLAINT_AGES[0]}", *(f"{a + 1}-{b}" for a, b in zip(COMPLAINT_AGES, COMPLAINT_AGES[1:])),
               f"over_{COMPLAINT_AGES[-1]}"]
    c = complaints.assign(owner=complaints["owner"].fillna(""))
    g = c.groupby(["owner", "department"], sort=True)
    out = g.size().rename("open").to_frame()
    wide = c.pivot_table(index=["owner", "department"], columns="age_bucket", values="age_days", aggfunc="count")
    for b in buckets:
        out[b] = (wide[b] if b in wide else 0) if len(c) else 0
    out["oldest_days"] = g["age_days"].max()
    out = out.reset_index().fillna(0)
    for col in ["open", *buckets, "oldest_days"]:
        out[col] = out[col].astype("int64")
    return out.sort_values(["open", "oldest_days"], ascending=False, kind="stable", ignore_index=True)


def _series(values: pd.Series, end: pd.Period) -> np.ndarray:
    """A monthly series from its first month to ``end``, months without business as 0."""
    if not len(values):
        return np.zeros(0)
    months = pd.period_range(values.index.min(), end, freq="M")
    return values.reindex(months, fill_value=0.0).to_numpy(dtype="float64")


def naive_backtest(y: np.ndarray) -> float | None:
    """MASE of the naive forecast (the last training value carried forward) on the same hold-out."""
    if len(y) < FC.HOLDOUT + 2:
        return None
    train, test = y[:-FC.HOLDOUT], y[-FC.HOLDOUT:]
    return FC.mase(test, np.full(FC.HOLDOUT, train[-1]), train)


def forecast_one(y: np.ndarray) -> dict[str, Any]:
    """Method, backtest MASE, the naive's MASE, whether the method beats it, and the forecast used."""
    method = FC.choose_method(len(y))
    fc, used = FC.predict(y, method)
    _, error = FC.backtest(y)
    naive = naive_backtest(y)
    better = None if error is None or naive is None else bool(error < naive)
    if better is False:
        fc, used_fc = np.full(FC.HORIZON, max(float(y[-1]), 0.0)), "naive"
    else:
        used_fc = used
    return {"method": used, "history_months": len(y), "mase": error, "naive_mase": naive,
            "better_than_naive": better, "used": used_fc, "values": fc}


def forecast_tables(contracts: pd.DataFrame, receipts: pd.DataFrame,
                    p: pd.Period) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Signing per product line and company collections, 3 months ahead; and last month's check."""
    future = pd.period_range(p + 1, periods=FC.HORIZON, freq="M").astype("str")
    series: list[tuple[str, str, pd.Series]] = [
        ("collection", COMPANY_KEY, receipts.groupby("month")["collection"].sum())]
    series += [("signing", str(line), part.groupby("month")["signing"].sum())
               for line, part in contracts.groupby("product_line", sort=True) if line]
    rows, values = [], []
    for kind, key, s in series:
        y = _series(s, p)
        if not len(y):
            continue
        res = forecast_one(y)
        rows.append({"series": kind, "key": key, **{k: v for k, v in res.items() if k != "values"}})
        values.append(pd.DataFrame({"series": kind, "key": key, "month": future, "value": res["values"]}))
    cols = ["series", "key", "method", "history_months", "mase", "naive_mase", "better_than_naive", "used"]
    table = pd.DataFrame(rows, columns=cols)
    vals = pd.concat(values, ignore_index=True) if values else pd.DataFrame(columns=["series", "key", "month", "value"])
    vals["value"] = round_series(vals["value"].astype("float64"))
    company = _series(contracts.groupby("month")["signing"].sum(), p)
    check: dict[str, Any] = {"month": str(p), "forecast": None, "actual": None, "error": None, "method": None}
    if len(company) >= 2:
        fc, used = FC.predict(company[:-1], FC.choose_method(len(company) - 1), 1)
        actual = float(company[-1])
        check.update(forecast=float(round_series(pd.Series([fc[0]])).iloc[0]), actual=round(actual, 2),
                     method=used, error=(actual - float(fc[0])) / float(fc[0]) if fc[0] else None)
    return table, vals, check


def pipeline_tables(ledger: Ledger, p: pd.Period, ytd: pd.DataFrame) -> Pipeline | None:
    """The pipeline figures from the Opportunities sheet; None when no department keeps one."""
    o = ledger.tables.get("Opportunities")
    if o is None or not len(o):
        return None
    prob = {s: ledger.threshold(f"Stage Probability {s}") / 100.0 for s in OPEN_STAGES} | {WON: 1.0, LOST: 0.0}
    amount = o["expected_amount"].astype("float64").fillna(0.0)
    stage = o["stage"].astype("str")
    weighted = amount * stage.map(prob).astype("float64").fillna(0.0)
    close = o["expected_close"].dt.to_period("M")
    is_open = stage.isin(OPEN_STAGES)
    rest = is_open & (close.isna() | ((close > p) & (close.dt.year == p.year)).fillna(False))
    base = pd.DataFrame({"department": o["department"].astype("str"), "stage": stage,
                         "route": o["route"].fillna(""), "product_line": o["product_line"].fillna(""),
                         "count": 1, "amount": amount, "weighted": weighted})

    def by(col: str, order: Sequence[str] | None = None) -> pd.DataFrame:
        g = base.groupby(col, sort=True)[["count", "amount", "weighted"]].sum()
        if order is not None:
            g = g.reindex([s for s in order if s in g.index])
        g = g.reset_index()
        g["amount"], g["weighted"] = round_series(g["amount"]), round_series(g["weighted"])
        return g

    by_stage = by("stage", (*OPEN_STAGES, WON, LOST))
    by_stage.insert(3, "probability", by_stage["stage"].map(prob))
    open_w = base[rest].groupby("department")["weighted"].sum()
    plan = ledger.tables["Plan"]
    plan = plan[plan["indicator"] == "Signing"]
    annual = plan.groupby(plan["department"].astype("str"))["annual"].sum()
    depts = sorted(set(base["department"]) | set(annual.index))
    signing = ytd[ytd["level"] == "department"].set_index("key")["signing"]
    cov = pd.DataFrame({"level": "department", "key": depts})
    cov["weighted_open"] = cov["key"].map(open_w).astype("float64").fillna(0.0)
    cov["annual_target"] = cov["key"].map(annual).astype("float64")
    cov["ytd_signing"] = cov["key"].map(signing).astype("float64").fillna(0.0)
    comp = pd.DataFrame([{"level": "company", "key": COMPANY_KEY, "weighted_open": cov["weighted_open"].sum(),
                          "annual_target": cov["annual_target"].sum(min_count=1),
                          "ytd_signing": float(ytd.loc[ytd["level"] == "company", "signing"].sum())}])
    cov = pd.concat([comp, cov], ignore_index=True)
    cov["remaining_target"] = (cov["annual_target"] - cov["ytd_signing"]).clip(lower=0)
    for col in ("weighted_open", "annual_target", "ytd_signing", "remaining_target"):
        cov[col] = round_series(cov[col].astype("float64"))
    cov["coverage"] = cov["weighted_open"] / cov["remaining_target"].where(cov["remaining_target"] > 0)

    closed = base[base["stage"].isin([WON, LOST])]
    won_n = closed["stage"].eq(WON).astype("int64")
    parts = closed.assign(won=won_n, lost=1 - won_n, won_amount=closed["amount"] * won_n,
                          lost_amount=closed["amount"] * (1 - won_n))[["department", "won", "lost", "won_amount",
                                                                       "lost_amount"]]
    sums = ["won", "lost", "won_amount", "lost_amount"]
    per_dept = parts.groupby("department")[sums].sum().reindex(depts).fillna(0)
    win_loss = pd.concat([pd.DataFrame([{"level": "company", "key": COMPANY_KEY, **parts[sums].sum().to_dict()}]),
                          per_dept.rename_axis("key").reset_index().assign(level="department")], ignore_index=True)
    win_loss[["won", "lost"]] = win_loss[["won", "lost"]].astype("int64")
    n, amt = win_loss["won"] + win_loss["lost"], win_loss["won_amount"] + win_loss["lost_amount"]
    win_loss["win_rate"] = win_loss["won"] / n.where(n > 0)
    win_loss["win_rate_amount"] = win_loss["won_amount"] / amt.where(amt > 0)
    win_loss = win_loss[["level", "key", "won", "lost", "win_rate", "won_amount", "lost_amount", "win_rate_amount"]]
    for col in ("won_amount", "lost_amount"):
        win_loss[col] = round_series(win_loss[col].astype("float64"))
    lost_rows = o[stage == LOST]
    reasons = pd.DataFrame({"lost_reason": lost_rows["lost_reason"].fillna("").astype("str"), "count": 1,
                            "amount": amount[stage == LOST]})
    reasons = reasons.groupby("lost_reason", sort=True)[["count", "amount"]].sum().reset_index()
    reasons["amount"] = round_series(reasons["amount"])
    reasons = reasons.sort_values(["count", "amount"], ascending=False, kind="stable", ignore_index=True)
    aged_sel = is_open & (close < p).fillna(False)
    aged = pd.DataFrame({"opportunity_no": o.loc[aged_sel, "opportunity_no"],
                         "department": o.loc[aged_sel, "department"].astype("str"),
                         "customer": o.loc[aged_sel, "customer"], "employee_id": o.loc[aged_sel, "employee_id"],
                         "stage": stage[aged_sel], "expected_amount": amount[aged_sel],
                         "expected_close": close[aged_sel].astype("str"),
                         "months_late": [(p - c).n for c in close[aged_sel]]})
    aged = aged.sort_values(["months_late", "expected_amount"], ascending=False, kind="stable", ignore_index=True)
    won_rows = o[stage == WON]
    c = ledger.tables["Contracts"].drop_duplicates("contract_no")
    known = c.set_index(_text(c["contract_no"]))
    no = _text(won_rows["contract_no"])
    won = pd.DataFrame({"opportunity_no": won_rows["opportunity_no"].to_numpy(),
                        "department": won_rows["department"].astype("str").to_numpy(),
                        "customer": won_rows["customer"].to_numpy(),
                        "expected_amount": amount[stage == WON].to_numpy(), "contract_no": no.to_numpy()})
    won["contract_amount"] = won["contract_no"].map(known["amount"]).astype("float64")
    won["sign_date"] = won["contract_no"].map(known["sign_date"])
    won["linked"] = won["contract_amount"].notna()
    return Pipeline(by_stage, by("route"), by("product_line"), cov, win_loss, reasons, aged, won)


def _sentences(a: Analysis, ytd: pd.DataFrame) -> list[tuple[str, dict[str, Any]]]:
    """What the analysis found worth saying, as (sentence key, parameters): the outputs put them in words."""
    out: list[tuple[str, dict[str, Any]]] = []
    comp = a.concentration[a.concentration["level"] == "company"]
    if len(comp) and comp["customers"].iloc[0]:
        r = comp.iloc[0]
        out.append(("concentration", {"customers": int(r["customers"]), "top10": r["top10_share"], "hhi": r["hhi"],
                                      "a": int((a.customers["abc"] == "A").sum())}))
    jumps = a.customers[a.customers.get("share_change", pd.Series(dtype=float)) >= SHARE_JUMP_POINTS] \
        if "share_change" in a.customers else a.customers.iloc[0:0]
    for r in jumps.head(NAMED).to_dict("records"):
        out.append(("share_jump", {"customer": r["customer"], "share": r["share"], "py_share": r["py_share"]}))
    lines = ytd[(ytd["level"] == "product_line") & (ytd["py_signing"] > 0)].sort_values("yoy", kind="stable")
    total = float(ytd.loc[ytd["level"] == "company", "signing"].sum())
    for r in lines[lines["yoy"] <= -DECLINE].head(NAMED).to_dict("records"):
        out.append(("line_decline", {"line": r["key"], "yoy": r["yoy"], "signing": r["signing"],
                                     "py_signing": r["py_signing"]}))
    if total > 0:
        top = ytd[ytd["level"] == "product_line"].head(1)
        if len(top):
            out.append(("line_top", {"line": top["key"].iloc[0], "share": float(top["signing"].iloc[0]) / total,
                                     "margin": top["margin_rate"].iloc[0]}))
    late = a.payment[a.payment["days_late"] >= LATE_DAYS]
    for r in late.head(NAMED).to_dict("records"):
        out.append(("late_payer", {"customer": r["customer"], "days": r["days_to_pay"], "terms": r["terms"],
                                   "late": r["days_late"]}))
    st = a.customer_status
    lost = st[st["status"] == "lost"].sort_values("signing_prev_12m", ascending=False, kind="stable")
    counts = st["status"].value_counts()
    out.append(("customers_moves", {"new": int(counts.get("new", 0)), "returning": int(counts.get("returning", 0)),
                                    "lost": int(counts.get("lost", 0))}))
    for r in lost.head(NAMED).to_dict("records"):
        out.append(("lost_customer", {"customer": r["customer"], "last": r["last_sign"],
                                      "signing": r["signing_prev_12m"]}))
    d = a.dso[a.dso["level"] == "company"]
    if len(d) and pd.notna(d["dso"].iloc[0]):
        r = d.iloc[0]
        out.append(("dso", {"dso": float(r["dso"]), "receivables": float(r["receivables"]),
                            "overdue_share": r["overdue"] / r["receivables"] if r["receivables"] else None,
                            "long_share": r["overdue_90"] / r["overdue"] if r["overdue"] else None}))
    if a.pipeline is not None:
        cov = a.pipeline.coverage
        for r in cov[(cov["level"] == "department") & (cov["coverage"] < 1)].to_dict("records"):
            out.append(("coverage_low", {"department": r["key"], "coverage": r["coverage"],
                                         "weighted": r["weighted_open"], "remaining": r["remaining_target"]}))
    if len(a.complaints):
        out.append(("complaints_open", {"count": len(a.complaints),
                                        "old": int((a.complaints["age_days"] > COMPLAINT_AGES[-1]).sum())}))
    for r in a.forecasts.to_dict("records"):
        if r["better_than_naive"] is False:
            out.append(("forecast_naive", {"series": r["series"], "key": r["key"], "mase": r["mase"],
                                           "naive": r["naive_mase"]}))
    return out


def compute_analysis(ledger: Ledger, period: str, months: int = 12) -> Analysis:
    """The sales statistics and market analysis of ``period`` over ``months`` months (module doc), once per ledger,
    period and months (``core.ledger.per_inputs``: the report's market section in each language and the analysis
    output read the same figures); each caller gets its own deep copy."""
    return per_inputs(ledger.memo, (f"{__name__}.compute_analysis", str(period), int(months)), (),
                      lambda: analysis_of(ledger, period, months), copy=copy.deepcopy)


def analysis_of(ledger: Ledger, period: str, months: int = 12) -> Analysis:
    """``compute_analysis`` computed (not memoised)."""
    p = parse_period(period)
    end = p.end_time
    contracts = _contract_rows(ledger, end)
    receipts = _receipt_rows(ledger, end)
    monthly, ytd = sales_tables(contracts, receipts, p, months)
    cust = ytd[ytd["level"] == "customer"].set_index("key")
    customers = pareto(cust["signing"], cust["py_signing"])
    status = customer_status(contracts, p)
    customers["status"] = customers["customer"].map(status.set_index("customer")["status"])
    conc = concentration_table(contracts, status, p)
    dso = dso_table(ledger, contracts, end)
    payment = payment_table(ledger, receipts, p, months)
    fb, complaints = feedback_tables(ledger, p, months)
    fc_table, fc_values, check = forecast_tables(contracts, receipts, p)
    pipe = pipeline_tables(ledger, p, ytd)
    a = Analysis(str(p), [str(m) for m in _window(p, months)], monthly, ytd, customers, conc, status, dso, payment,
                 fb, complaints, complaints_by_owner(complaints), fc_table, fc_values, check, pipe)
    a.sentences = _sentences(a, ytd)
    return a
