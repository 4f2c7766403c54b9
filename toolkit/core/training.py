"""Training records (issue 31; DOMAIN.md, "Training and reviews"; docs/appraisal.md): hours per person and
department in a year, and who has had no training.

A course counts in the year of its Date, up to the last month of the window (the appraisal's). Everyone on the
Roster is listed, with 0 hours when they have no course: those are the people without training.
"""

from __future__ import annotations

import pandas as pd

#: The company row's key in ``department_hours``.
COMPANY = "*"


def training_hours(roster: pd.DataFrame, training: pd.DataFrame | None, year: int, last_month: int = 12,
                   departments: set[str] | None = None) -> pd.DataFrame:
    """employee_id, name, department, courses, hours, trained per Roster person (of ``departments`` if given)."""
    people = pd.DataFrame({"employee_id": roster["employee_id"].astype("string").str.strip(),
                           "name": roster["name"], "department": roster["department"]})
    people = people[people["employee_id"].notna()].drop_duplicates("employee_id")
    if departments is not None:
        people = people[people["department"].isin(departments)]
    if training is None or not len(training):
        rows = pd.DataFrame({"employee_id": pd.Series(dtype="string"), "courses": pd.Series(dtype="int64"),
                             "hours": pd.Series(dtype="float64")})
    else:
        date = pd.to_datetime(training["date"], errors="coerce")
        keep = (date.dt.year == year) & (date.dt.month <= last_month)
        part = pd.DataFrame({"employee_id": training["employee_id"].astype("string").str.strip(),
                             "hours": pd.to_numeric(training["hours"], errors="coerce").fillna(0.0)})[keep]
        rows = part.groupby("employee_id", as_index=False).agg(courses=("hours", "size"), hours=("hours", "sum"))
    out = people.merge(rows, on="employee_id", how="left")
    out["courses"] = out["courses"].fillna(0).astype("int64")
    out["hours"] = out["hours"].astype("float64").fillna(0.0)
    out["trained"] = out["courses"] > 0
    return out.sort_values(["department", "employee_id"], kind="stable").reset_index(drop=True)


def department_hours(people: pd.DataFrame) -> pd.DataFrame:
    """department (``COMPANY`` for the total row), people, trained, untrained, hours, hours_per_person."""
    def summary(frame: pd.DataFrame) -> dict:
        n = len(frame)
        hours = float(frame["hours"].sum())
        return {"people": n, "trained": int(frame["trained"].sum()), "untrained": int((~frame["trained"]).sum()),
                "hours": hours, "hours_per_person": hours / n if n else 0.0}
    rows = [{"department": d, **summary(f)} for d, f in people.groupby("department", sort=True)]
    rows.append({"department": COMPANY, **summary(people)})
    return pd.DataFrame(rows)
