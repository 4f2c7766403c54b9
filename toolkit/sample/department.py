"""All tables of one department workbook, clean, plus its Info values."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import TEMPLATE_VERSION
from .leave import leave_frame
from .names import PERIOD, YEAR, DeptSpec
from .notes import feedback_frame, forecast_frame
from .pipeline import opportunities_frame
from .plan import budget_frame, overhead_plan, plan_frame, ytd_actuals
from .reviews import reviews_frame, training_frame
from .sales import add_refund, collections_frame, contracts_frame
from .spending import advances_frame, expenses_frame

#: Independent random streams per sheet, so changing one sheet's generator leaves the others alone.
STREAMS = {"contracts": 1, "collections": 2, "expenses": 3, "advances": 4, "leave": 5, "plan": 6, "feedback": 7,
           "plan-overhead": 8, "opportunities": 9, "reviews": 10, "training": 11}
#: The department that carries the one refund of the sample.
REFUND_DEPARTMENT = "east"


def _rng(seed: int, dept: DeptSpec, stream: str) -> np.random.Generator:
    return np.random.default_rng([seed, 100 + dept.number, STREAMS[stream]])


def activity_frames(dept: DeptSpec, people: pd.DataFrame, seed: int) -> dict[str, pd.DataFrame]:
    """Contracts, Collections, Expenses, Advances, Leave, Feedback, Opportunities, Reviews and Training of ``dept``
    (everyone of the department as if they had worked all along; ``changes`` then applies the hire, the leaver
    and the transfer)."""
    staff = people[people["dept_key"] == dept.key].reset_index(drop=True)
    sales = staff[staff["role"] == "Salesperson"].reset_index(drop=True)
    contracts = contracts_frame(dept, sales, _rng(seed, dept, "contracts"))
    collections = collections_frame(dept, contracts, _rng(seed, dept, "collections"))
    if dept.key == REFUND_DEPARTMENT:
        contracts, collections = add_refund(contracts, collections, dept.code)
    return {
        "Contracts": contracts,
        "Collections": collections,
        "Expenses": expenses_frame(dept, staff, _rng(seed, dept, "expenses")),
        "Advances": advances_frame(dept, staff, _rng(seed, dept, "advances")),
        "Leave": leave_frame(dept, staff, _rng(seed, dept, "leave")),
        "Feedback": feedback_frame(dept, staff, contracts, _rng(seed, dept, "feedback")),
        "Opportunities": opportunities_frame(dept, sales, contracts, _rng(seed, dept, "opportunities")),
        "Reviews": reviews_frame(staff, people[people["role"] == "Manager"]["employee_id"],
                                 _rng(seed, dept, "reviews")),
        "Training": training_frame(staff, _rng(seed, dept, "training")),
    }


def plan_table(dept: DeptSpec, people: pd.DataFrame, activity: dict[str, pd.DataFrame], seed: int) -> pd.DataFrame:
    """The Plan of ``dept``, calibrated on its activity (before a transfer moves rows out)."""
    staff = people[people["dept_key"] == dept.key].reset_index(drop=True)
    sales = staff[staff["role"] == "Salesperson"].reset_index(drop=True)
    actuals = ytd_actuals(activity["Contracts"], activity["Collections"], activity["Expenses"])
    return pd.concat([plan_frame(sales, actuals, _rng(seed, dept, "plan")),
                      overhead_plan(staff[staff["role"] != "Salesperson"], actuals,
                                    _rng(seed, dept, "plan-overhead"))], ignore_index=True)


def department_frames(dept: DeptSpec, activity: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every table of ``dept``'s workbook, in the sample's order: its activity and Plan plus the Budget and the
    Forecast drawn from them."""
    a = activity
    return {
        "Plan": a["Plan"],
        "Budget": budget_frame(a["Plan"], a["Expenses"]),
        "Contracts": a["Contracts"],
        "Collections": a["Collections"],
        "Expenses": a["Expenses"],
        "Advances": a["Advances"],
        "Leave": a["Leave"],
        "Forecast": forecast_frame(dept, a["Collections"], a["Expenses"]),
        "Feedback": a["Feedback"],
        "Opportunities": a["Opportunities"],
        "Reviews": a["Reviews"],
        "Training": a["Training"],
    }


def department_info(dept: DeptSpec, people: pd.DataFrame) -> dict[str, object]:
    """Info sheet values: Department, Year, Period, Prepared by (the staff member), Template version."""
    staff = people[(people["dept_key"] == dept.key) & (people["role"] == "Staff")]
    return {
        "department": dept.name,
        "year": YEAR,
        "period": PERIOD,
        "prepared_by": staff["name"].iloc[0],
        "template_version": TEMPLATE_VERSION,
    }
