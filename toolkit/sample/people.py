"""The sample company's people: 4 departments × (1 manager, 6 salespeople, 1 staff), with grades and plans.

``people()`` also carries what the generator needs but the roster does not show: each
salesperson's productivity, favourite product lines and the YTD completion the 2026 plan is
calibrated to (so some people end October green, some amber, some red).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .names import DEPARTMENTS, GIVEN_NAMES, SURNAMES, DeptSpec

SALESPEOPLE_PER_DEPT = 6
#: Royalty plan names (defined in standards.py); salespeople 1-2, 3-5 and 6 of each department.
PLAN_KEY_ACCOUNT = "Key Account Retroactive"
PLAN_STANDARD = "Standard Marginal"
PLAN_NEW_BUSINESS = "New Business Signed"
PLAN_BY_SEAT = (PLAN_KEY_ACCOUNT, PLAN_KEY_ACCOUNT, PLAN_STANDARD, PLAN_STANDARD, PLAN_STANDARD, PLAN_NEW_BUSINESS)
#: Grades of the six salespeople (shuffled per department), the manager and the staff member.
SALES_GRADES = ("G1", "G2", "G2", "G3", "G3", "G4")
MANAGER_GRADE, STAFF_GRADE = "G5", "G2"
FLOATING_BASE = {"G1": 3000.0, "G2": 4000.0, "G3": 5500.0, "G4": 7000.0, "G5": 9000.0}
LEAVE_DAYS = {"G1": 5.0, "G2": 7.0, "G3": 10.0, "G4": 12.0, "G5": 15.0}
#: YTD completion (actual ÷ YTD target, Jan-Oct 2026) each department's salespeople are calibrated to.
#: Against time progress 10/12 = 83.3% and an amber band of 10 points: 3 green, 2 amber, 1 red.
TARGET_COMPLETION = (1.18, 1.04, 0.92, 0.80, 0.76, 0.62)


def employee_id(dept: DeptSpec, seat: int) -> str:
    """Text employee ID: E, the department digit, a three-digit seat (001 is the manager)."""
    return f"E{dept.number}{seat:03d}"


def _names(rng: np.random.Generator, departments: int, per_dept: int) -> list[tuple[str, str]]:
    """Distinct (pinyin, hanzi) full names, department by department; no surname twice in a department."""
    given = rng.permutation(len(GIVEN_NAMES))
    out = []
    for d in range(departments):
        for k, s in enumerate(rng.choice(len(SURNAMES), size=per_dept, replace=False)):
            (sp, sh), (gp, gh) = SURNAMES[s], GIVEN_NAMES[given[(d * per_dept + k) % len(GIVEN_NAMES)]]
            out.append((f"{sp} {gp}", f"{sh}{gh}"))
    return out


def people(seed: int) -> pd.DataFrame:
    """Everyone, with roster columns plus generator-only columns (lang, dept_key, seat, productivity ...)."""
    rng = np.random.default_rng([seed, 1])
    names = _names(rng, len(DEPARTMENTS), SALESPEOPLE_PER_DEPT + 2)
    rows = []
    for d, dept in enumerate(DEPARTMENTS):
        grades = rng.permutation(SALES_GRADES)
        completion = rng.permutation(TARGET_COMPLETION)
        if dept.key == "east":  # the New Business seat reaches its annual cap: make it a strong signer
            completion = np.array([c for c in completion if c != max(TARGET_COMPLETION)] + [max(TARGET_COMPLETION)])
        seats = [("Manager", MANAGER_GRADE, None)]
        seats += [("Salesperson", str(grades[i]), PLAN_BY_SEAT[i]) for i in range(SALESPEOPLE_PER_DEPT)]
        seats += [("Staff", STAFF_GRADE, None)]
        for seat, (role, grade, plan) in enumerate(seats, start=1):
            en, zh = names[d * len(seats) + seat - 1]
            sales_index = seat - 2
            is_sales = role == "Salesperson"
            productivity = float(rng.uniform(0.7, 1.3)) if is_sales else 0.0
            if is_sales and plan == PLAN_NEW_BUSINESS and dept.key == "east":
                productivity = 1.6
            rows.append(
                {
                    "employee_id": employee_id(dept, seat),
                    "name": zh if dept.lang == "zh" else en,
                    "department": dept.name,
                    "role": role,
                    "grade": grade,
                    "royalty_plan": plan,
                    "floating_base": FLOATING_BASE[grade],
                    "leave_days": LEAVE_DAYS[grade],
                    # an override approver: East China's staff member is approved by the department's manager
                    "approver": employee_id(dept, 1) if dept.key == "east" and role == "Staff" else None,
                    "cost_centre": f"CC-{dept.number}00",
                    "dept_key": dept.key,
                    "lang": dept.lang,
                    "seat": seat,
                    "productivity": productivity * dept.size,
                    "completion": float(completion[sales_index]) if is_sales else np.nan,
                    "favourite_lines": int(rng.integers(0, 5)),
                }
            )
    frame = pd.DataFrame(rows)
    for col in ("employee_id", "name", "department", "role", "grade", "royalty_plan", "dept_key", "lang"):
        frame[col] = frame[col].astype("str")
    return frame


def roster_frame(people_frame: pd.DataFrame, roster_keys: list[str]) -> pd.DataFrame:
    """The Roster table: the schema's columns only (optional ones the sample does not fill stay blank)."""
    frame = people_frame.reindex(columns=roster_keys).reset_index(drop=True)
    for key in roster_keys:
        if key not in people_frame.columns:
            frame[key] = frame[key].astype("str")
    return frame
