"""Staff's fund forecast for the next three months and the market feedback register of one department."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import DEPARTMENT
from .frames import typed_frame
from .holidays import workdays_between
from .names import FEEDBACK_TEXT, FORECAST_NOTES, PERIOD_END, DeptSpec

FORECAST_MONTHS = pd.date_range(PERIOD_END + pd.Timedelta(days=1), periods=3, freq="MS")
#: Next three months relative to this year's monthly average: year-end push, then Spring Festival.
FORECAST_COLLECTION_FACTOR = (1.0, 1.4, 0.7)
FORECAST_SPENDING_FACTOR = (1.0, 1.3, 0.8)
FEEDBACK_ROWS = 20
FEEDBACK_START = pd.Timestamp("2025-03-01")


def forecast_frame(dept: DeptSpec, collections: pd.DataFrame, expenses: pd.DataFrame) -> pd.DataFrame:
    """The Forecast table: Nov 2026 - Jan 2027, from this year's monthly averages."""
    this_year = pd.Timestamp(f"{PERIOD_END.year}-01-01")
    months = PERIOD_END.month
    per_month_in = collections.loc[collections["receipt_date"] >= this_year, "amount"].sum() / months
    per_month_out = expenses.loc[expenses["date"] >= this_year, "amount"].sum() / months
    return typed_frame(
        DEPARTMENT.table("Forecast"),
        {
            "month": FORECAST_MONTHS,
            "expected_collections": np.round(per_month_in * np.array(FORECAST_COLLECTION_FACTOR), -4),
            "expected_spending": np.round(per_month_out * np.array(FORECAST_SPENDING_FACTOR), -3),
            "notes": FORECAST_NOTES[dept.lang],
        },
    )


def feedback_frame(dept: DeptSpec, staff: pd.DataFrame, contracts: pd.DataFrame,
                   rng: np.random.Generator) -> pd.DataFrame:
    """The Feedback table: complaints, suggestions, competitor and market news with an owner and a status."""
    days = workdays_between(FEEDBACK_START, PERIOD_END)
    sales = staff[staff["role"] == "Salesperson"]
    texts = FEEDBACK_TEXT[dept.lang]
    rows = []
    for _ in range(FEEDBACK_ROWS):
        kind = str(rng.choice(list(texts)))
        deal = contracts.iloc[int(rng.integers(len(contracts)))]
        day = days[rng.integers(len(days))]
        age = (PERIOD_END - day).days
        status = ("Closed" if rng.random() < 0.85 else "In Progress") if age > 60 else str(
            rng.choice(["Open", "In Progress", "Closed"], p=[0.5, 0.3, 0.2]))
        owner = sales.loc[sales["employee_id"] == deal["employee_id"], "name"]
        rows.append(
            {"date": day, "customer": deal["customer"], "product_line": deal["product_line"], "type": kind,
             "content": str(rng.choice(texts[kind])), "owner": owner.iloc[0] if len(owner) else None,
             "status": status}
        )
    frame = pd.DataFrame(rows).sort_values("date", kind="stable", ignore_index=True)
    return typed_frame(DEPARTMENT.table("Feedback"), frame)
