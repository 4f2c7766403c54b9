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


def department_frames(dept: DeptSpec, people: pd.DataFrame, seed: int) -> dict[str, pd.DataFrame]:
    """Plan, Budget, Contracts, Collections, Expenses, Advances, Leave, Forecast, Feedback, Opportunities, Reviews and Training
    of ``dept``."""
    staff = people[people["dept_key"] == dept.key].reset_index(drop=True)
    sales = staff[staff["role"] == "Salesperson"].reset_index(drop=True)
    contracts = contracts_frame(dept, sales, _rng(seed, dept, "contracts"))
    collections = collections_frame(dept, contracts, _rng(seed, dept, "collections"))
    if dept.key == REFUND_DEPARTMENT:
        contracts, collections = add_refund(contracts, collections, dept.code)
    expenses = expenses_frame(dept, staff, _rng(seed, dept, "expenses"))
    actuals = ytd_actuals(contracts, collections, expenses)
    plan = pd.concat([plan_frame(sales, actuals, _rng(seed, dept, "plan")),
                      overhead_plan(staff[staff["role"] != "Salesperson"], actuals,
                                    _rng(seed, dept, "plan-overhead"))], ignore_index=True)
    return {
        "Plan": plan,
        "Budget": budget_frame(plan, expenses),
        "Contracts": contracts,
        "Collections": collections,
        "Expenses": expenses,
        "Advances": advances_frame(dept, staff, _rng(seed, dept, "advances")),
        "Leave": leave_frame(dept, staff, _rng(seed, dept, "leave")),
        "Forecast": forecast_frame(dept, collections, expenses),
        "Feedback": feedback_frame(dept, staff, contracts, _rng(seed, dept, "feedback")),
        "Opportunities": opportunities_frame(dept, sales, contracts, _rng(seed, dept, "opportunities")),
        "Reviews": reviews_frame(staff, people[people["role"] == "Manager"]["employee_id"],
                                 _rng(seed, dept, "reviews")),
        "Training": training_frame(staff, _rng(seed, dept, "training")),
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
