"""What a plan costs in royalties and floating pay at given attainment levels (``toolkit plan cost``).

For each level L a synthetic ledger is built whose actuals are target × L for every salesperson and
month (Signing and Collection, in the person's product-line mix of last year; Expense at budget), and
the month close's own engines run on it: ``toolkit.core.royalties.compute_royalties`` for December
(the year's royalties, as the twelve monthly payments add up to) and ``toolkit.core.appraisal`` for
the floating pay at the December appraisal (× 12 for the year, attainment being the same every
month). So the figures are the ones that would be paid.

Ledger rows per (person, month, product line): a contract signed on the 1st for the Signing target;
for the Collection target a contract signed on 1 December of the year before (so it does not count as
this year's signing) and its receipt on the 15th. Expense: one approved claim per person and month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..core import appraisal as A
from ..core import royalties as R
from ..core.completion import compute_completion, monthly_actuals
from ..core.findings import Finding
from ..core.planning import COLLECTION, EXPENSE, SIGNING
from ..core.tables import WorkbookData
from ..errors import ToolkitError
from ..i18n import register
from ..money import round_series
from ..schema import DEPARTMENT, MONTH_KEYS
from ..sample.frames import typed_frame
from ..core.ledger import Ledger

if TYPE_CHECKING:
    from ..core.ledger import Ledger

#: Attainment levels modelled unless others are given.
DEFAULT_LEVELS = (0.8, 1.0, 1.2)
#: Money columns of the cost frames.
COST_MONEY = ("signing", "collection", "profit", "royalty", "floating", "cost")

register({
    "plan.bad-levels": ("Attainment levels {value!r}: give percentages such as 80,100,120.",
                        "达成率“{value}”无效：请填写百分数，如 80,100,120。"),
})


@dataclass
class PlanCost:
    """Royalties and floating pay per level: ``people``, ``departments`` and ``company`` frames with level,
    signing, collection, profit (margin × collection − expense, before pay), royalty, floating (annual),
    cost, cost_to_collection, cost_to_profit; ``findings`` from the engines (first level only)."""

    year: int
    levels: tuple[float, ...]
    people: pd.DataFrame
    departments: pd.DataFrame
    company: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)

    def at(self, level: float, frame: str = "company") -> pd.DataFrame:
        """One level's rows of ``frame`` (``people``, ``departments`` or ``company``)."""
        f = getattr(self, frame)
        return f[np.isclose(f["level"], level)]


def parse_levels(text: str | None) -> tuple[float, ...]:
    """``"80,100,120"`` (or ``"80%, 95%"``) -> (0.8, 1.0, 1.2); None -> the default levels."""
    if not text:
        return DEFAULT_LEVELS
    try:
        out = tuple(float(p.strip().rstrip("%")) / 100 for p in str(text).split(",") if p.strip())
    except ValueError:
        raise ToolkitError("plan.bad-levels", value=text) from None
    if not out or any(not 0 <= v <= 10 for v in out):
        raise ToolkitError("plan.bad-levels", value=text)
    return tuple(dict.fromkeys(out))


def _split(total: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Each row's total (money) split by the row's shares, in cents; the rounding rest goes to the largest."""
    total_c = np.rint(total * 100).astype(np.int64)
    base = np.floor(total_c[:, None] * shares).astype(np.int64)
    rest = total_c - base.sum(axis=1)
    base[np.arange(len(total_c)), np.argmax(shares, axis=1)] += rest
    return base / 100


def synthetic_tables(rows: pd.DataFrame, mix: pd.DataFrame, year: int, level: float) -> dict[str, pd.DataFrame]:
    """The typed Plan, Contracts, Collections and Expenses (with a ``department`` column) whose actuals are
    target × ``level`` for every person and month.

    ``rows``: the plan rows (department, employee_id, indicator, m01..m12, annual); ``mix``: employee_id,
    product_line, share.
    """
    lines = sorted(mix["product_line"].unique())
    wide = mix.pivot_table(index="employee_id", columns="product_line", values="share", aggfunc="sum").reindex(
        columns=lines).fillna(0.0)
    rows = rows.reset_index(drop=True)
    long = rows.melt(id_vars=["department", "employee_id", "indicator"], value_vars=list(MONTH_KEYS),
                     var_name="m", value_name="target")
    long["month"] = long["m"].str[1:].astype(int)
    long = long.sort_values(["employee_id", "month"], kind="stable")
    parts = {}
    for ind in (SIGNING, COLLECTION):
        p = long[long["indicator"] == ind]
        shares = wide.reindex(p["employee_id"]).fillna(0.0).to_numpy()
        amounts = _split(round_series(p["target"] * level).to_numpy(), shares)
        cells = pd.DataFrame(amounts, columns=lines).assign(
            department=p["department"].to_numpy(), employee_id=p["employee_id"].to_numpy(), month=p["month"].to_numpy())
        cells = cells.melt(id_vars=["department", "employee_id", "month"], var_name="product_line", value_name="amount")
        parts[ind] = cells[cells["amount"] != 0].sort_values(["employee_id", "month", "product_line"], kind="stable")
    s, c = parts[SIGNING], parts[COLLECTION]
    sid = "PS-" + s["employee_id"] + "-" + s["month"].map("{:02d}".format) + "-" + s["product_line"]
    cid = "PC-" + c["employee_id"] + "-" + c["month"].map("{:02d}".format) + "-" + c["product_line"]
    signed = pd.DataFrame({
        "contract_no": sid, "sign_date": pd.to_datetime({"year": year, "month": s["month"], "day": 1}),
        "customer": "Plan", "employee_id": s["employee_id"], "product_line": s["product_line"],
        "amount": s["amount"], "status": "Signed", "delivered": 0.0, "payment_terms": 30})
    collected_on = pd.DataFrame({
        "contract_no": cid, "sign_date": pd.Timestamp(year - 1, 12, 1), "customer": "Plan",
        "employee_id": c["employee_id"], "product_line": c["product_line"], "amount": c["amount"].clip(lower=0),
        "status": "Executing", "delivered": c["amount"].clip(lower=0), "payment_terms": 30})
    receipts = pd.DataFrame({
        "receipt_no": "PR" + cid.str[2:], "contract_no": cid, "amount": c["amount"],
        "receipt_date": pd.to_datetime({"year": year, "month": c["month"], "day": 15})})
    e = long[(long["indicator"] == EXPENSE) & (long["target"] > 0)]
    claims = pd.DataFrame({
        "claim_no": "PE-" + e["employee_id"] + "-" + e["month"].map("{:02d}".format),
        "date": pd.to_datetime({"year": year, "month": e["month"], "day": 15}), "employee_id": e["employee_id"],
        "category": "Other", "amount": e["target"], "receipt": True, "approval": "Approved"})
    depts = {"Plan": rows["department"], "Contracts": pd.concat([s["department"], c["department"]]),
             "Collections": c["department"], "Expenses": e["department"]}
    out = {}
    for key, frame in (("Plan", rows), ("Contracts", pd.concat([signed, collected_on])), ("Collections", receipts),
                       ("Expenses", claims)):
        typed = typed_frame(DEPARTMENT.table(key), frame)
        out[key] = typed.assign(department=depts[key].astype("str").to_numpy())
    return out


def synthetic_frames(rows: pd.DataFrame, mix: pd.DataFrame, year: int,
                     level: float) -> dict[str, dict[str, pd.DataFrame]]:
    """``synthetic_tables`` split by department (department → table key → typed frame), to write as workbooks."""
    tables = synthetic_tables(rows, mix, year, level)
    out: dict[str, dict[str, pd.DataFrame]] = {}
    for dept in dict.fromkeys(rows["department"]):
        out[str(dept)] = {k: f[f["department"] == dept].drop(columns="department").reset_index(drop=True)
                          for k, f in tables.items()}
    return out


def synthetic_ledger(rows: pd.DataFrame, mix: pd.DataFrame, standards: WorkbookData, year: int,
                     level: float) -> Ledger:
    """The Ledger of ``synthetic_tables`` (every department stacked) with the standards."""
    tables = synthetic_tables(rows, mix, year, level)
    tables = {k: f.assign(source="plan:" + f["department"]) for k, f in tables.items()}
    return Ledger(tables, standards)


def royalty_schedule(rows: pd.DataFrame, mix: pd.DataFrame, standards: WorkbookData, year: int) -> pd.DataFrame:
    """Royalty payments (employee_id, month, royalty) the plan pays at 100% attainment, month by month."""
    return R.monthly_payments(synthetic_ledger(rows, mix, standards, year, 1.0), f"{year}-12")


def plan_cost(rows: pd.DataFrame, mix: pd.DataFrame, standards: WorkbookData, year: int,
              levels: tuple[float, ...] = DEFAULT_LEVELS, schedule: pd.DataFrame | None = None) -> PlanCost:
    """Royalties and floating pay of the plan ``rows`` at each attainment level, per person, department, company.

    ``schedule``: the 100% royalty payments when already computed (``royalty_schedule``; they do not depend on
    the Profit rows), so the appraisal at 100% does not compute them again.
    """
    period = f"{year}-12"
    people, findings = [], []
    for i, level in enumerate(levels):
        ledger = synthetic_ledger(rows, mix, standards, year, level)
        roy = R.compute_royalties(ledger, period)
        payments = schedule if schedule is not None and level == 1.0 else R.monthly_payments(ledger, period)
        pay = A.compute_appraisal(ledger, period, compute_completion(ledger, period, payments))
        if i == 0:
            findings = roy.findings + pay.findings
        act = monthly_actuals(ledger, year).pivot_table(index="employee_id", columns="indicator", values="actual",
                                                       aggfunc="sum")
        frame = pay.lines[["employee_id", "name", "department"]].merge(
            roy.lines[["employee_id", "name", "department"]], how="outer", on=["employee_id", "name", "department"])
        frame = frame.drop_duplicates("employee_id")
        frame = frame[frame["employee_id"].isin(set(rows["employee_id"]))]  # the people this plan covers
        frame["level"] = level
        for col, ind in (("signing", SIGNING), ("collection", COLLECTION), ("profit", "Profit")):
            frame[col] = frame["employee_id"].map(act[ind]) if ind in act else 0.0
        frame["royalty"] = frame["employee_id"].map(roy.lines.set_index("employee_id")["ytd_royalty"])
        frame["floating"] = frame["employee_id"].map(pay.lines.set_index("employee_id")["pay"]) * 12
        people.append(frame)
    people_f = pd.concat(people, ignore_index=True)
    people_f[list(COST_MONEY[:-1])] = round_series_frame(people_f[list(COST_MONEY[:-1])].fillna(0.0))
    people_f["cost"] = round_series(people_f["royalty"] + people_f["floating"])
    people_f = _shares(people_f.sort_values(["level", "department", "employee_id"], kind="stable"))
    depts = _shares(people_f.groupby(["level", "department"], as_index=False, sort=False)[list(COST_MONEY)].sum())
    company = _shares(people_f.groupby("level", as_index=False)[list(COST_MONEY)].sum())
    cols = ["level", "department", "employee_id", "name", *COST_MONEY, "cost_to_collection", "cost_to_profit"]
    return PlanCost(year, tuple(levels), people_f[cols].reset_index(drop=True), depts.reset_index(drop=True),
                    company.reset_index(drop=True), findings)


def round_series_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column rounded to cents, half away from zero."""
    return frame.apply(round_series)


def _shares(frame: pd.DataFrame) -> pd.DataFrame:
    money = list(COST_MONEY)
    frame[money] = round_series_frame(frame[money])
    frame["cost_to_collection"] = frame["cost"] / frame["collection"].where(frame["collection"] != 0)
    frame["cost_to_profit"] = frame["cost"] / frame["profit"].where(frame["profit"] > 0)
    return frame
