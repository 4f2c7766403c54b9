"""Contracts and collections of one department, January 2025 to the period end (October 2026).

Each salesperson signs a seasonal Poisson number of contracts a month (50k-2M CNY). A contract's
status and delivered amount follow its age; receipts follow its payment terms and the customer's
habits (prompt, slow, bad), so receivables, overdue items and aging exist at the period end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import DEPARTMENT
from .frames import document_numbers, typed_frame
from .holidays import next_workday, workdays_between
from .names import CUSTOMER_WORDS, HISTORY_START, PERIOD_END, PRODUCT_LINES, DeptSpec

#: Share of the year's business in each month (Spring Festival in Feb, quarter and year ends high).
SEASONALITY = np.array([0.07, 0.05, 0.08, 0.08, 0.08, 0.10, 0.07, 0.07, 0.09, 0.07, 0.09, 0.15])
CONTRACTS_PER_MONTH = 1.5  # per salesperson of productivity 1 in an average month
GROWTH_2026 = 1.08
MEDIAN_AMOUNT = 240_000.0
AMOUNT_SIGMA = 0.75
MIN_AMOUNT, MAX_AMOUNT = 50_000.0, 2_000_000.0
#: Typical contract size of each product line relative to the median.
LINE_SIZE = {"HX-Meter": 1.0, "HX-Grid": 1.8, "HX-Cloud": 0.8, "HX-Service": 0.5, "HX-Parts": 0.35}
PAYMENT_TERMS = (30, 60, 90)
PAYMENT_TERMS_P = (0.4, 0.35, 0.25)
SPLIT_RATE = 0.08
SPLIT_SHARES = (0.3, 0.4, 0.5)
TERMINATION_RATE = 0.04
TERMINATED_AFTER = 120  # days after signing a contract is terminated by; no receipts come later
ADVANCE_RATE, ADVANCE_SHARE = 0.5, 0.3
#: Customer habits: probability, and delay after the due date in days (low, high).
PAYERS = {"prompt": (0.75, (-10, 20)), "slow": (0.20, (30, 150)), "bad": (0.05, (60, 200))}
BAD_PAYER_SHARE = 0.5  # a bad payer pays this share of what is due, then stops
METHODS = ("Bank Transfer", "Acceptance Bill", "Cheque")
METHODS_P = (0.8, 0.15, 0.05)
CUSTOMERS_PER_DEPT = 40


def customers(dept: DeptSpec, rng: np.random.Generator) -> list[str]:
    """Distinct customer names in the department's language, e.g. "Hangzhou Zhongke Energy Technology Co., Ltd."."""
    brands, kinds = CUSTOMER_WORDS[dept.lang]
    sep = " " if dept.lang == "en" else ""
    names: list[str] = []
    while len(names) < CUSTOMERS_PER_DEPT:
        name = sep.join((str(rng.choice(dept.cities)), str(rng.choice(brands)), str(rng.choice(kinds))))
        if name not in names:
            names.append(name)
    return names


def _status_and_delivered(amount: float, age_days: int, rng: np.random.Generator) -> tuple[str, float]:
    """Status and delivered amount from the contract's age at the period end."""
    if age_days > TERMINATED_AFTER and rng.random() < TERMINATION_RATE:
        return "Terminated", float(np.round(amount * rng.uniform(0.0, 0.3), -2))
    if age_days < 45:
        status = "Signed" if rng.random() < 0.7 - age_days / 100 else "Executing"
    elif age_days < 150:
        status = "Completed" if rng.random() < 0.15 + age_days / 600 else "Executing"
    else:
        status = "Completed" if rng.random() < 0.88 else "Executing"
    if status == "Signed":
        return status, 0.0
    if status == "Completed":
        return status, amount
    return status, float(np.round(amount * rng.uniform(0.2, 0.9), -2))


def _sign_rows(dept: DeptSpec, sales: pd.DataFrame, rng: np.random.Generator) -> list[dict]:
    """One row per signed contract (not yet numbered)."""
    lines = list(PRODUCT_LINES)
    names = customers(dept, rng)
    rows = []
    for month in pd.date_range(HISTORY_START, PERIOD_END, freq="MS"):
        days = workdays_between(month, min(month + pd.offsets.MonthEnd(0), PERIOD_END))
        growth = GROWTH_2026 if month.year == 2026 else 1.0
        for person in sales.itertuples():
            rate = CONTRACTS_PER_MONTH * person.productivity * SEASONALITY[month.month - 1] * 12 * growth
            for _ in range(rng.poisson(rate)):
                line = lines[person.favourite_lines] if rng.random() < 0.5 else str(rng.choice(lines))
                amount = MEDIAN_AMOUNT * LINE_SIZE[line] * rng.lognormal(0.0, AMOUNT_SIGMA)
                rows.append(
                    {
                        "sign_date": days[rng.integers(len(days))],
                        "customer": str(rng.choice(names)),
                        "employee_id": person.employee_id,
                        "product_line": line,
                        "amount": float(np.round(np.clip(amount, MIN_AMOUNT, MAX_AMOUNT), -2)),
                        "payment_terms": int(rng.choice(PAYMENT_TERMS, p=PAYMENT_TERMS_P)),
                    }
                )
    return rows


def _add_splits(rows: list[dict], sales_ids: list[str], rng: np.random.Generator) -> None:
    for row in rows:
        row["split_employee_id"], row["split_share"] = None, np.nan
        if rng.random() < SPLIT_RATE:
            row["split_employee_id"] = str(rng.choice([e for e in sales_ids if e != row["employee_id"]]))
            row["split_share"] = float(rng.choice(SPLIT_SHARES))


def contracts_frame(dept: DeptSpec, sales: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The Contracts table of one department (typed), sorted by sign date."""
    rows = _sign_rows(dept, sales, rng)
    _add_splits(rows, list(sales["employee_id"]), rng)
    for row in rows:
        age = int((PERIOD_END - row["sign_date"]).days)
        row["status"], row["delivered"] = _status_and_delivered(row["amount"], age, rng)
    frame = pd.DataFrame(rows).sort_values(["sign_date", "employee_id", "amount"], kind="stable", ignore_index=True)
    frame["contract_no"] = document_numbers(frame, "sign_date", dept.code, "HT")
    return typed_frame(DEPARTMENT.table("Contracts"), frame)


def _receipts_for(contract, rng: np.random.Generator) -> list[tuple[pd.Timestamp, float]]:
    """(date, amount) receipts of one contract up to the period end."""
    sign, amount, delivered = contract.sign_date, contract.amount, contract.delivered
    out: list[tuple[pd.Timestamp, float]] = []
    paid = 0.0
    if rng.random() < ADVANCE_RATE:
        advance = float(np.round(amount * ADVANCE_SHARE, -2))
        out.append((sign + pd.Timedelta(days=int(rng.integers(3, 25))), advance))
        paid = advance
    remaining = delivered - paid
    if remaining > 0:
        habit = rng.choice(list(PAYERS), p=[p for p, _ in PAYERS.values()])
        low, high = PAYERS[habit][1]
        if habit == "bad":
            remaining = float(np.round(remaining * BAD_PAYER_SHARE, -2))
        first = sign + pd.Timedelta(days=int(contract.payment_terms) + int(rng.integers(low, high)))
        if remaining > 500_000 and rng.random() < 0.6:
            part = float(np.round(remaining * 0.6, -2))
            out += [(first, part), (first + pd.Timedelta(days=int(rng.integers(30, 61))), remaining - part)]
        else:
            out.append((first, remaining))
    last = sign + pd.Timedelta(days=TERMINATED_AFTER) if contract.status == "Terminated" else PERIOD_END
    dated = [(next_workday(d), a) for d, a in out]
    return [(d, a) for d, a in dated if d <= min(last, PERIOD_END)]


def collections_frame(dept: DeptSpec, contracts: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The Collections table: receipts of every contract, sorted by date and numbered."""
    rows = [
        {"receipt_date": date, "contract_no": c.contract_no, "amount": amount,
         "method": str(rng.choice(METHODS, p=METHODS_P))}
        for c in contracts.itertuples()
        for date, amount in _receipts_for(c, rng)
    ]
    frame = pd.DataFrame(rows).sort_values(["receipt_date", "contract_no"], kind="stable", ignore_index=True)
    frame["receipt_no"] = document_numbers(frame, "receipt_date", dept.code, "SK")
    return typed_frame(DEPARTMENT.table("Collections"), frame)


def add_refund(contracts: pd.DataFrame, collections: pd.DataFrame, code: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn a completed contract from the first third of the register into a terminated one with a refund.

    Delivered 10%, advance 30%, refund 20% about four months after signing: Σ receipts = delivered.
    """
    contracts, collections = contracts.copy(), collections.copy()
    candidates = contracts.index[(contracts["status"] == "Completed") & (contracts["split_employee_id"].isna())]
    i = candidates[len(candidates) // 3]
    c = contracts.loc[i]
    contracts.loc[i, ["status", "delivered"]] = ["Terminated", float(np.round(c["amount"] * 0.1, -2))]
    advance = float(np.round(c["amount"] * ADVANCE_SHARE, -2))
    refund = advance - float(contracts.loc[i, "delivered"])
    receipts = pd.DataFrame(
        {
            "receipt_date": [next_workday(c["sign_date"] + pd.Timedelta(days=10)),
                             next_workday(c["sign_date"] + pd.Timedelta(days=120))],
            "contract_no": [c["contract_no"]] * 2,
            "amount": [advance, -refund],
            "method": ["Bank Transfer"] * 2,
        }
    )
    kept = collections[collections["contract_no"] != c["contract_no"]].drop(columns="receipt_no")
    frame = pd.concat([kept, receipts], ignore_index=True)
    frame = frame.sort_values(["receipt_date", "contract_no"], kind="stable", ignore_index=True)
    frame["receipt_no"] = document_numbers(frame, "receipt_date", code, "SK")
    return contracts, typed_frame(DEPARTMENT.table("Collections"), frame)
