"""Expense claims and cash advances of one department, within policy (the clean baseline).

Claims fall on working days, stay under the Expense Policy limit for the claimant's grade and the
city's tier, carry a receipt whenever they exceed the receipt threshold, and are mostly approved
(recent ones still pending). Advances stay under the Advance Limit per employee; a few are past due; the reporting month's
loan slips are pending.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import DEPARTMENT
from .frames import document_numbers, typed_frame
from .holidays import workdays_between
from .names import ADVANCE_TEXT, CITY_TIERS, EXPENSE_TEXT, GENERAL_MANAGER, HISTORY_START, PERIOD_END, DeptSpec
from .standards import EXPENSE_LIMITS, RECEIPT_OVER, THRESHOLDS, policy_limit

#: Claims a month per person, and the categories each role claims (with probabilities).
CLAIMS_PER_MONTH = {"Salesperson": 2.6, "Manager": 0.9, "Staff": 0.6}
CATEGORY_MIX = {
    "Salesperson": {"Travel": 0.2, "Accommodation": 0.2, "Meals": 0.15, "Entertainment": 0.2, "Transport": 0.2,
                    "Other": 0.05},
    "Manager": {"Entertainment": 0.4, "Travel": 0.2, "Accommodation": 0.2, "Meals": 0.1, "Transport": 0.1},
    "Staff": {"Advertising": 0.35, "Conference": 0.35, "Other": 0.3},
}
#: Fraction of the policy limit a claim uses (low, high).
LIMIT_USE = (0.45, 0.95)
SMALL_CLAIM = 100.0  # claims at or under this may come without a receipt
RECENT = pd.Timestamp("2026-09-01")  # claims from here on may still be pending
ADVANCE_AMOUNTS = (2000.0, 3000.0, 5000.0, 8000.0, 10000.0)
ADVANCE_MAX_OUTSTANDING = THRESHOLDS["Advance Limit"] * 0.75


def _claim(person, category: str, city: str, day: pd.Timestamp, lang: str, rng: np.random.Generator) -> dict:
    per = EXPENSE_LIMITS[category][0]
    days = int(rng.integers(1, 6)) if per == "Day" else None
    limit = policy_limit(category, person.grade, CITY_TIERS[city]) * (days or 1)
    amount = float(np.round(limit * rng.uniform(*LIMIT_USE), 2))
    receipt = bool(amount > SMALL_CLAIM or rng.random() < 0.5)
    return {
        "date": day,
        "employee_id": person.employee_id,
        "category": category,
        "city": city,
        "days": days,
        "amount": amount,
        "receipt": receipt,
        "description": EXPENSE_TEXT[lang][category].format(city=city),
    }


def _approve(row: dict, approver: str, rng: np.random.Generator) -> None:
    if row["date"] >= RECENT:
        row["approval"] = str(rng.choice(["Pending", "Approved", "Rejected"], p=[0.4, 0.57, 0.03]))
    else:
        row["approval"] = "Approved" if rng.random() < 0.95 else "Rejected"
    row["approver"] = None if row["approval"] == "Pending" else approver


def expenses_frame(dept: DeptSpec, staff: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The Expenses table of one department (typed, numbered by date)."""
    manager = staff.loc[staff["role"] == "Manager", "name"].iloc[0]
    rows = []
    for month in pd.date_range(HISTORY_START, PERIOD_END, freq="MS"):
        days = workdays_between(month, min(month + pd.offsets.MonthEnd(0), PERIOD_END))
        for person in staff.itertuples():
            mix = CATEGORY_MIX[person.role]
            for _ in range(rng.poisson(CLAIMS_PER_MONTH[person.role])):
                category = str(rng.choice(list(mix), p=list(mix.values())))
                city = dept.cities[0] if rng.random() < 0.3 else str(rng.choice(dept.cities))
                row = _claim(person, category, city, days[rng.integers(len(days))], dept.lang, rng)
                approver = GENERAL_MANAGER[dept.lang] if person.role == "Manager" else manager
                _approve(row, approver, rng)
                rows.append(row)
    frame = pd.DataFrame(rows).sort_values(["date", "employee_id"], kind="stable", ignore_index=True)
    frame = frame.drop_duplicates(["employee_id", "date", "category", "amount"], ignore_index=True)
    frame["claim_no"] = document_numbers(frame, "date", dept.code, "BX")
    assert not (frame["amount"].gt(RECEIPT_OVER) & ~frame["receipt"]).any()
    return typed_frame(DEPARTMENT.table("Expenses"), frame)


def advances_frame(dept: DeptSpec, staff: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The Advances table: about one advance a month, repaid on time except a few recent or late ones."""
    borrowers = staff[staff["role"] != "Manager"]
    outstanding: dict[str, float] = {}
    rows = []
    for month in pd.date_range(HISTORY_START, PERIOD_END, freq="MS"):
        days = workdays_between(month, min(month + pd.offsets.MonthEnd(0), PERIOD_END))
        for _ in range(rng.poisson(1.0)):
            person = borrowers.iloc[int(rng.integers(len(borrowers)))]
            day = days[rng.integers(len(days))]
            amount = float(rng.choice(ADVANCE_AMOUNTS))
            due = day + pd.Timedelta(days=int(rng.choice([30, 60])))
            overdue_by = (PERIOD_END - due).days
            if overdue_by > 45:
                repaid = amount if rng.random() < 0.92 else float(np.round(amount * 0.5, -2))
            elif overdue_by > 0:
                repaid = amount if rng.random() < 0.6 else 0.0
            else:
                repaid = 0.0 if rng.random() < 0.7 else float(np.round(amount * 0.5, -2))
            open_amount = amount - repaid
            if outstanding.get(person.employee_id, 0.0) + open_amount > ADVANCE_MAX_OUTSTANDING:
                continue
            outstanding[person.employee_id] = outstanding.get(person.employee_id, 0.0) + open_amount
            rows.append(
                {"date": day, "employee_id": person.employee_id, "amount": amount,
                 "purpose": str(rng.choice(ADVANCE_TEXT[dept.lang])), "due_date": due, "repaid": repaid}
            )
    frame = pd.DataFrame(rows).sort_values(["date", "employee_id"], kind="stable", ignore_index=True)
    frame["slip_no"] = document_numbers(frame, "date", dept.code, "JK", width=3)
    # Loan slips of the reporting month wait for the director; earlier ones were approved.
    frame["approval"] = np.where(frame["date"] >= PERIOD_END.replace(day=1), "Pending", "Approved")
    return typed_frame(DEPARTMENT.table("Advances"), frame)
