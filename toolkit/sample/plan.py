"""The 2026 plan: four indicators per salesperson, seasonal monthly targets, Annual = Σ months.

Targets are calibrated from the generated 2026 actuals so that each salesperson's YTD completion
(Jan-Oct actual ÷ Jan-Oct target) lands near the completion assigned in ``people.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.credits import collection_credits, contract_credits
from ..core.planning import budget_by_category, category_history
from ..schema import DEPARTMENT, MONTH_KEYS
from .frames import typed_frame
from .names import PERIOD_END, PRODUCT_LINES, YEAR
from .sales import SEASONALITY

#: Monthly profile of the expense budget (flat, lower in the Spring Festival month).
EXPENSE_PROFILE = np.array([0.085, 0.06, 0.085, 0.085, 0.085, 0.085, 0.085, 0.085, 0.085, 0.085, 0.085, 0.09])
#: Rounding of monthly targets: whole thousands (expenses: hundreds).
TARGET_STEP = {"Signing": -3, "Collection": -3, "Expense": -2, "Profit": -3}
#: Expense completion (actual ÷ budget) = a − b × the person's completion: 1.18 → 0.72, 0.62 → 1.14.
EXPENSE_COMPLETION = (1.6, 0.75)
#: Royalties are roughly this share of collections when profit targets are estimated.
ROYALTY_ESTIMATE = 0.02


def ytd_actuals(contracts: pd.DataFrame, collections: pd.DataFrame, expenses: pd.DataFrame) -> pd.DataFrame:
    """Jan..period actuals per employee: Signing, Collection, Expense, Profit (split shares applied)."""
    start = pd.Timestamp(f"{YEAR}-01-01")
    signed = contract_credits(contracts)
    signed = signed[signed["sign_date"].between(start, PERIOD_END)]
    signing = (signed["amount"] * signed["share"]).groupby(signed["employee_id"]).sum()
    credits = collection_credits(collections, contracts)
    credits = credits[credits["receipt_date"].between(start, PERIOD_END)]
    margin = credits["product_line"].map({k: gm for k, (_, gm) in PRODUCT_LINES.items()})
    collection = credits["credited"].groupby(credits["employee_id"]).sum()
    gross = (credits["credited"] * margin).groupby(credits["employee_id"]).sum()
    spent = expenses[expenses["date"].between(start, PERIOD_END) & expenses["approval"].isin(["Approved", "Pending"])]
    expense = spent["amount"].groupby(spent["employee_id"]).sum()
    out = pd.DataFrame({"Signing": signing, "Collection": collection, "Expense": expense, "gross": gross}).fillna(0.0)
    out["Profit"] = out["gross"] - out["Expense"] - ROYALTY_ESTIMATE * out["Collection"]
    return out


def _months(annual: float, profile: np.ndarray, step: int) -> np.ndarray:
    return np.round(annual * profile / profile.sum(), step)


def plan_frame(sales: pd.DataFrame, actuals: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The Plan table: Signing, Collection, Expense, Profit rows for every salesperson."""
    ytd_share = SEASONALITY[: PERIOD_END.month].sum() / SEASONALITY.sum()
    expense_ytd_share = EXPENSE_PROFILE[: PERIOD_END.month].sum() / EXPENSE_PROFILE.sum()
    rows = []
    for person in sales.itertuples():
        act = actuals.loc[person.employee_id] if person.employee_id in actuals.index else None
        completion = {k: person.completion * rng.uniform(0.96, 1.04) for k in ("Signing", "Collection")}
        signing = act["Signing"] / ytd_share / completion["Signing"]
        collection = act["Collection"] / ytd_share / completion["Collection"]
        # Expense: lower is better; good performers stay under budget, weak ones overspend.
        a, b = EXPENSE_COMPLETION
        expense_completion = (a - b * person.completion) * rng.uniform(0.97, 1.03)
        expense = act["Expense"] / expense_ytd_share / expense_completion
        margin = act["gross"] / act["Collection"] if act["Collection"] else 0.35
        profit = max(collection * (margin - ROYALTY_ESTIMATE) - expense, 0.05 * collection)
        for indicator, annual, profile in (
            ("Signing", signing, SEASONALITY),
            ("Collection", collection, SEASONALITY),
            ("Expense", expense, EXPENSE_PROFILE),
            ("Profit", profit, SEASONALITY),
        ):
            months = _months(annual, profile, TARGET_STEP[indicator])
            rows.append({"employee_id": person.employee_id, "indicator": indicator,
                         **dict(zip(MONTH_KEYS, months)), "annual": float(months.sum())})
    return typed_frame(DEPARTMENT.table("Plan"), rows)


def overhead_plan(others: pd.DataFrame, actuals: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Expense budgets of the managers and staff, who claim expenses but have no sales targets.

    Without them a department's Expense completion would count their spending against nobody's budget.
    """
    expense_ytd_share = EXPENSE_PROFILE[: PERIOD_END.month].sum() / EXPENSE_PROFILE.sum()
    rows = []
    for person in others.itertuples():
        spent = actuals["Expense"].get(person.employee_id, 0.0)
        if not spent:
            continue
        months = _months(spent / expense_ytd_share / rng.uniform(0.85, 1.0), EXPENSE_PROFILE, TARGET_STEP["Expense"])
        rows.append({"employee_id": person.employee_id, "indicator": "Expense",
                     **dict(zip(MONTH_KEYS, months)), "annual": float(months.sum())})
    return typed_frame(DEPARTMENT.table("Plan"), rows)


def budget_frame(plan: pd.DataFrame, expenses: pd.DataFrame) -> pd.DataFrame:
    """The Budget table (issue 28): the department's Expense plan split by category as ``plan draft`` would have
    drafted it at the end of the year before (its spend by category up to December), adding up to the Expense
    rows every month."""
    rows = plan.assign(department="-")
    history = category_history(expenses.assign(department="-"))
    budget, _ = budget_by_category(rows, history, pd.Period(f"{YEAR - 1}-12", freq="M"), unit=100.0)
    return typed_frame(DEPARTMENT.table("Budget"), budget.drop(columns="department"))
