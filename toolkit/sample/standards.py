"""The director's standards workbook of the sample company: plans, tiers, policy, cities, appraisal."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import STANDARDS, THRESHOLD_DEFAULTS
from ..schema import enums as E
from .frames import typed_frame
from .holidays import holidays_frame
from .names import CITY_TIERS, PERIOD, PRODUCT_LINES
from .changes import roster_changes
from .people import PLAN_KEY_ACCOUNT, PLAN_NEW_BUSINESS, PLAN_STANDARD, roster_frame

#: Plan -> (basis, method, gate, annual cap).
ROYALTY_PLANS = {
    PLAN_STANDARD: ("Collected", "Marginal", 0.60, 250_000.0),
    PLAN_KEY_ACCOUNT: ("Collected", "Retroactive", 0.70, 200_000.0),
    PLAN_NEW_BUSINESS: ("Signed", "Marginal", 0.50, 45_000.0),
}
#: Plan -> tiers (from, to or None for unbounded, rate), completion as fractions.
ROYALTY_TIERS = {
    PLAN_STANDARD: ((0.0, 0.8, 0.010), (0.8, 1.0, 0.018), (1.0, None, 0.025)),
    PLAN_KEY_ACCOUNT: ((0.0, 0.9, 0.012), (0.9, 1.1, 0.020), (1.1, None, 0.026)),
    PLAN_NEW_BUSINESS: ((0.0, 1.0, 0.008), (1.0, None, 0.015)),
}
#: Category -> (per, limit in tier 1/2/3 cities, severity); limits grow with grade by GRADE_FACTOR.
EXPENSE_LIMITS = {
    "Travel": ("Day", (500.0, 400.0, 300.0), "Warning"),
    "Accommodation": ("Day", (650.0, 500.0, 380.0), "Blocking"),
    "Meals": ("Day", (150.0, 120.0, 100.0), "Warning"),
    "Entertainment": ("Claim", (3000.0, 2500.0, 2000.0), "Blocking"),
    "Transport": ("Claim", (500.0, 400.0, 300.0), "Warning"),
    "Advertising": ("Claim", (50000.0, 50000.0, 50000.0), "Blocking"),
    "Conference": ("Claim", (30000.0, 30000.0, 30000.0), "Blocking"),
    "Other": ("Claim", (2000.0, 2000.0, 2000.0), "Warning"),
}
GRADE_FACTOR = {"G1": 1.0, "G2": 1.0, "G3": 1.2, "G4": 1.4, "G5": 1.6}
#: A receipt is required for any claim above this amount (also the Receipt Threshold).
RECEIPT_OVER = 200.0
#: Teamwork is a review item (issue 31), scored by the managers on the departments' Reviews sheets.
APPRAISAL_WEIGHTS = {"Signing": 0.25, "Collection": 0.30, "Expense": 0.15, "Profit": 0.20, "Teamwork": 0.10}
#: (score from, score to or None, grade, coefficient).
APPRAISAL_BANDS = (
    (0.0, 0.6, "D", 0.5),
    (0.6, 0.8, "C", 0.8),
    (0.8, 1.0, "B", 1.0),
    (1.0, 1.2, "A", 1.2),
    (1.2, None, "S", 1.5),
)
THRESHOLDS = {**THRESHOLD_DEFAULTS, "Receipt Threshold": RECEIPT_OVER}
#: Pay item -> (payroll code, debit account, credit account): the sample's Payroll Map.
PAYROLL_MAP = {
    "Royalty Payment": ("P101", "6601.01", "2211.03"),
    "Royalty Adjustment": ("P102", "6601.01", "2211.03"),
    "Prior-Year Adjustment": ("P103", "6601.01", "2211.03"),
    "Floating Pay": ("P110", "6601.02", "2211.01"),
    "Bonus": ("P120", "6601.03", "2211.01"),
    "Penalty": ("D130", "6601.03", "2211.01"),
    "Draw": ("P140", "1221.02", "2211.03"),
    "Draw Recovery": ("D141", "1221.02", "2211.03"),
    "Correction": ("P150", "6601.01", "2211.03"),
}


def adjustments_frame(people_frame: pd.DataFrame) -> pd.DataFrame:
    """The sample's Adjustments: a bonus, a penalty and a draw in the sample period, each approved by the
    employee's department manager (seat 1)."""
    sales = people_frame[people_frame["role"] == "Salesperson"]
    managers = dict(zip(people_frame.loc[people_frame["seat"] == 1, "department"],
                        people_frame.loc[people_frame["seat"] == 1, "employee_id"]))
    picks = (("Bonus", 2000.0, "Key account won ahead of plan"), ("Penalty", 300.0, "Late expense paperwork"),
             ("Draw", 5000.0, "Draw against next quarter's royalty"))
    rows = [{"employee_id": r["employee_id"], "period": pd.Timestamp(f"{PERIOD}-01"), "kind": kind,
             "amount": amount, "reason": reason, "approved_by": managers[r["department"]]}
            for (kind, amount, reason), r in zip(picks, sales.iloc[[0, 7, 13]].to_dict("records"))]
    return _typed("Adjustments", rows)


def _typed(key: str, rows: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """The standards table ``key`` from row dicts, typed by the schema."""
    return typed_frame(STANDARDS.table(key), rows)


def policy_limit(category: str, grade: str, tier: str) -> float:
    """The Expense Policy limit for one category, grade and city tier (whole yuan)."""
    _, limits, _ = EXPENSE_LIMITS[category]
    return float(np.round(limits[int(tier) - 1] * GRADE_FACTOR[grade]))


def expense_policy_frame() -> pd.DataFrame:
    """One row for every category × grade × city tier."""
    rows = [
        {"category": cat, "grade": grade, "city_tier": tier, "limit": policy_limit(cat, grade, tier),
         "per": per, "receipt_over": RECEIPT_OVER, "severity": severity}
        for cat, (per, _, severity) in EXPENSE_LIMITS.items()
        for grade in E.GRADE.values
        for tier in E.CITY_TIER.values
    ]
    return _typed("ExpensePolicy", rows)


def standards_frames(people_frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every table of the standards workbook, keyed by table key."""
    plans = [{"plan": p, "basis": b, "method": m, "gate": g, "annual_cap": cap}
             for p, (b, m, g, cap) in ROYALTY_PLANS.items()]
    tiers = [{"plan": p, "from_pct": lo, "to_pct": np.nan if hi is None else hi, "rate": rate}
             for p, bands in ROYALTY_TIERS.items() for lo, hi, rate in bands]
    lines = [{"product_line": name, "royalty_factor": f, "gross_margin": gm}
             for name, (f, gm) in PRODUCT_LINES.items()]
    bands = [{"score_from": lo, "score_to": np.nan if hi is None else hi, "band_grade": g, "coefficient": c}
             for lo, hi, g, c in APPRAISAL_BANDS]
    return {
        "Roster": _typed("Roster", roster_frame(people_frame, STANDARDS.table("Roster").keys)),
        "RosterChanges": _typed("RosterChanges", roster_changes(people_frame)),
        "RoyaltyPlans": _typed("RoyaltyPlans", plans),
        "RoyaltyTiers": _typed("RoyaltyTiers", tiers),
        "ProductLines": _typed("ProductLines", lines),
        "ExpensePolicy": expense_policy_frame(),
        "Cities": _typed("Cities", [{"city": c, "tier": t} for c, t in CITY_TIERS.items()]),
        "Appraisal": _typed("Appraisal", [{"indicator": k, "weight": w} for k, w in APPRAISAL_WEIGHTS.items()]),
        "AppraisalBands": _typed("AppraisalBands", bands),
        "Holidays": _typed("Holidays", holidays_frame()),
        # the director away for the last week of March: East China's manager decides on their behalf
        "Delegations": _typed("Delegations", [{"approver": "Director", "delegate_id": "E1001",
                                               "start": pd.Timestamp("2026-03-23"), "end": pd.Timestamp("2026-03-27")}]),
        "Thresholds": _typed("Thresholds", [{"name": k, "value": v} for k, v in THRESHOLDS.items()]),
        "Adjustments": adjustments_frame(people_frame),
        "PayrollMap": _typed("PayrollMap", [{"pay_item": k, "payroll_code": c, "debit_account": d,
                                             "credit_account": cr} for k, (c, d, cr) in PAYROLL_MAP.items()]),
    }
