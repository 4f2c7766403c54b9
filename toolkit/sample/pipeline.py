"""The Opportunities register of one department: won ones linked to their contracts, lost ones with a reason,
and open ones at every stage (West keeps a thin pipeline, so its coverage of the remaining target is under 1)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import DEPARTMENT
from .frames import typed_frame
from .names import PERIOD_END, YEAR, DeptSpec

LOST_REASONS = {
    "en": ("Price above the competitor's", "Customer's budget cut", "Competitor's technology preferred",
           "Project postponed"),
    "zh": ("价格高于竞争对手", "客户预算削减", "客户选择竞品技术", "项目延期"),
}
ROUTES = ("Direct", "Distributor", "Bid", "Online", "Other")
ROUTE_WEIGHTS = (0.45, 0.2, 0.25, 0.05, 0.05)
OPEN_STAGES = ("Lead", "Qualified", "Proposal", "Negotiation")
#: Open opportunities per department; the thin one is West's.
OPEN_ROWS, THIN_OPEN_ROWS, THIN = 24, 7, "west"
#: Months from the period to the expected close of open ones (Aug and Sep 2026 are aged, Jan 2027 next year).
CLOSE_OFFSETS = (-2, -1, 0, 1, 1, 2, 2, 3)
WON_ROWS, LOST_ROWS = 8, 5


def opportunities_frame(dept: DeptSpec, sales: pd.DataFrame, contracts: pd.DataFrame,
                        rng: np.random.Generator) -> pd.DataFrame:
    """The Opportunities table of ``dept`` (typed), numbered in expected-close order."""
    people = list(sales["employee_id"])
    customers = sorted(set(contracts["customer"].dropna()))
    lines = sorted(set(contracts["product_line"].dropna()))
    this_year = contracts[(contracts["sign_date"].dt.year == YEAR) & (contracts["status"] != "Terminated")]
    rows = []
    for _, c in this_year.iloc[rng.choice(len(this_year), WON_ROWS, replace=False)].iterrows():
        rows.append({"customer": c["customer"], "product_line": c["product_line"], "stage": "Won",
                     "expected_amount": round(float(c["amount"]) * float(rng.uniform(0.9, 1.1)), -3),
                     "expected_close": c["sign_date"].to_period("M").to_timestamp(), "employee_id": c["employee_id"],
                     "contract_no": c["contract_no"]})
    for _ in range(LOST_ROWS):
        rows.append({"customer": str(rng.choice(customers)), "product_line": str(rng.choice(lines)), "stage": "Lost",
                     "expected_amount": round(float(rng.uniform(80_000, 1_500_000)), -3),
                     "expected_close": pd.Timestamp(YEAR, int(rng.integers(2, PERIOD_END.month + 1)), 1),
                     "employee_id": str(rng.choice(people)), "lost_reason": str(rng.choice(LOST_REASONS[dept.lang]))})
    for _ in range(THIN_OPEN_ROWS if dept.key == THIN else OPEN_ROWS):
        close = PERIOD_END.to_period("M") + int(rng.choice(CLOSE_OFFSETS))
        rows.append({"customer": str(rng.choice(customers)), "product_line": str(rng.choice(lines)),
                     "stage": str(rng.choice(OPEN_STAGES, p=(0.15, 0.25, 0.3, 0.3))),
                     "expected_amount": round(float(rng.uniform(1_500_000, 6_000_000)) * dept.size, -3),
                     "expected_close": close.to_timestamp(), "employee_id": str(rng.choice(people))})
    frame = pd.DataFrame(rows)
    frame["route"] = rng.choice(ROUTES, len(frame), p=ROUTE_WEIGHTS)
    frame = frame.sort_values(["expected_close", "customer"], kind="stable", ignore_index=True)
    frame["opportunity_no"] = [f"{dept.code}-SJ{YEAR}-{i:03d}" for i in range(1, len(frame) + 1)]
    return typed_frame(DEPARTMENT.table("Opportunities"), frame)
