"""The Reviews and Training registers of one department for 2026 (issue 31): the manager scores each salesperson
on the review item every quarter up to the period's; most people attend one to three courses, some none."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import DEPARTMENT
from .frames import typed_frame
from .names import PERIOD, YEAR

#: The review item of the sample's Appraisal weights (``standards.APPRAISAL_WEIGHTS``).
REVIEW_ITEM = "Teamwork"
#: (course, hours) the sample's people attend.
COURSES = (("Product training", 8.0), ("Negotiation skills", 12.0), ("Contract law basics", 6.0),
           ("Key account management", 16.0), ("Compliance and expenses", 4.0))
_COMMENTS = ("Works well with colleagues", "Shares leads with the team", "Needs to coordinate better",
             "Reliable in joint bids")


def reviews_frame(staff: pd.DataFrame, managers: pd.Series, rng: np.random.Generator) -> pd.DataFrame:
    """One review per salesperson and quarter of the year up to the period's, by the department's manager; the
    manager is reviewed by another department's manager (``managers``: every manager's Employee ID)."""
    manager = staff[staff["role"] == "Manager"]["employee_id"]
    last = (int(PERIOD[5:7]) - 1) // 3 + 1
    rows = []
    if len(manager):
        peers = [m for m in managers if m != manager.iloc[0]]
        for emp in staff[staff["role"].isin(["Salesperson", "Manager"])]["employee_id"]:
            reviewer = peers[0] if emp == manager.iloc[0] and peers else manager.iloc[0]
            if reviewer == emp:
                continue
            base = float(rng.integers(60, 92))
            for q in range(1, last + 1):
                score = float(np.clip(base + rng.integers(-6, 7), 0, 100))
                rows.append({"employee_id": emp, "period": f"{YEAR}-Q{q}", "item": REVIEW_ITEM, "score": score,
                             "comment": _COMMENTS[int(rng.integers(0, len(_COMMENTS)))],
                             "reviewer": reviewer})
    return typed_frame(DEPARTMENT.table("Reviews"), pd.DataFrame(rows, columns=[
        "employee_id", "period", "item", "score", "comment", "reviewer"]))


def training_frame(staff: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Zero to three courses per person in the year (about one person in five without training)."""
    rows = []
    for emp in staff["employee_id"]:
        n = int(rng.choice([0, 1, 2, 3], p=[0.2, 0.35, 0.3, 0.15]))
        for i in rng.choice(len(COURSES), size=n, replace=False):
            course, hours = COURSES[int(i)]
            day = pd.Timestamp(YEAR, int(rng.integers(1, int(PERIOD[5:7]) + 1)), int(rng.integers(1, 28)))
            rows.append({"employee_id": emp, "course": course, "date": day, "hours": hours,
                         "result": "Passed" if rng.random() < 0.9 else "Failed"})
    return typed_frame(DEPARTMENT.table("Training"), pd.DataFrame(rows, columns=[
        "employee_id", "course", "date", "hours", "result"]))
