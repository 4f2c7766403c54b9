"""Periodic appraisal (issue 13): everyone's appraisal score over a quarter or a year, ranked per department
and company, and the distribution over the bands.

The score over a window of months uses the same rule as the monthly floating salary
(``toolkit.core.appraisal``) on the window's completion: Σ actual ÷ Σ target over the window's months
(a year: Jan..the last month known; a quarter: its three months, or those known). People on the default
coefficient are listed with their reason and not ranked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from .appraisal import AppraisalResult, appraisal, appraisal_settings, completion_frame
from .coverage import NOT_COMPUTED, ledger_departments
from .completion import (
    completion_table,
    department_at,
    monthly_actuals,
    monthly_targets,
)
from .findings import Finding
from .people import roster_at
from .training import training_hours
from .versions import table_in_force
from .validation.reviews import parse_quarter

if TYPE_CHECKING:
    from .ledger import Ledger


@dataclass
class Review:
    """The appraisal over ``months`` of ``year``: ranked lines, band distribution, findings."""

    year: int
    quarter: int | None
    months: tuple[int, int]
    lines: pd.DataFrame
    distribution: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    #: Training per Roster person of the consolidated departments in the year up to the window's last month
    #: (``toolkit.core.training.training_hours``); empty when not computed.
    training: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def label(self) -> str:
        return f"{self.year}" + (f"-Q{self.quarter}" if self.quarter else "")


def window_completion(ledger: Ledger, year: int, first: int, last: int,
                      royalties: pd.DataFrame | None = None) -> pd.DataFrame:
    """Completion rows whose ``ytd_*`` columns cover months ``first``..``last`` only (Σ actual ÷ Σ target)."""
    targets = monthly_targets(ledger, year)
    actuals = monthly_actuals(ledger, year, royalties)
    def inside(f: pd.DataFrame) -> pd.DataFrame:
        return f[(f["month"] >= first) & (f["month"] <= last)]

    # a transferee is appraised in the department they are in at the window's last month (docs/people.md)
    return completion_table(inside(targets), inside(actuals), department_at(ledger, year, last), last,
                            ledger.threshold("Amber Band"))


def rank(lines: pd.DataFrame) -> pd.DataFrame:
    """``lines`` plus department_rank and company_rank on the score (1 = best; unscored lines unranked)."""
    score = lines["score"]
    dept = score.groupby(lines["department"].fillna("")).rank(method="min", ascending=False)
    out = lines.assign(department_rank=dept.astype("Int64"),
                       company_rank=score.rank(method="min", ascending=False).astype("Int64"))
    return out.sort_values(["company_rank", "department", "employee_id"], kind="stable", na_position="last")


def distribution(lines: pd.DataFrame, bands: pd.DataFrame) -> pd.DataFrame:
    """People per band grade (columns in band order, then ``default``) for each department and the company."""
    order = list(bands.sort_values("score_from")["band_grade"].dropna().astype(str))
    grade = lines["grade"].astype(object).where(lines["grade"].notna(), None)
    grade = grade.where(lines["basis"] != "default", "default").fillna("")
    if "status" in lines:  # issue 24: people not computed are counted as such, never in a band
        grade = grade.where(lines["status"] != NOT_COMPUTED, NOT_COMPUTED)
    frame = pd.DataFrame({"department": lines["department"].fillna(""), "grade": grade})
    table = pd.crosstab(frame["department"], frame["grade"])
    company = table.sum().to_frame().T.set_axis(["*"])
    table = pd.concat([table, company])
    cols = [g for g in order if g in table.columns] + [c for c in ("default", "", NOT_COMPUTED) if c in table.columns]
    cols += [c for c in table.columns if c not in cols]
    table = table.reindex(columns=cols, fill_value=0)
    table["total"] = table.sum(axis=1)
    if NOT_COMPUTED in table:  # a department nobody of which is computed has no band counts (blank, not 0)
        bands = [c for c in table.columns if c not in (NOT_COMPUTED, "total")]
        table[bands] = table[bands].astype("Int64").mask(table[NOT_COMPUTED] == table["total"])
    return table.rename_axis("department").reset_index()


def review(ledger: Ledger, year: int, quarter: int | None = None, last_known: int = 12,
           royalties: pd.DataFrame | None = None) -> Review:
    """The periodic appraisal of ``year`` (or its ``quarter``) on the months up to ``last_known``."""
    first, last = ((quarter - 1) * 3 + 1, quarter * 3) if quarter else (1, 12)
    last = min(last, last_known)
    rows = window_completion(ledger, year, first, max(first, last), royalties)
    reviews = ledger.tables.get("Reviews")
    if reviews is not None and len(reviews):  # the window's quarters only (a quarter: its own reviews)
        quarters = reviews["period"].map(parse_quarter)
        inside = quarters.map(lambda q: q is not None and q[0] == year and (first - 1) // 3 + 1 <= q[1])
        reviews = reviews[inside.to_numpy(dtype=bool)]
    consolidated = ledger_departments(ledger.tables)
    result: AppraisalResult = appraisal(
        completion_frame(rows), roster_at(ledger.standard("Roster"), ledger.standard("RosterChanges"), year, last),
        ledger.standard("Appraisal"),
        ledger.standard("AppraisalBands"), f"{year:04d}-{last:02d}",
        department_completion=completion_frame(rows, "department"), **appraisal_settings(ledger),
        departments=consolidated, reviews=reviews)
    lines = rank(result.lines.drop(columns=["floating_base", "pay"]))
    training = training_hours(ledger.standard("Roster"), ledger.tables.get("Training"), year, max(first, last),
                              None if consolidated is None else set(consolidated))
    return Review(year, quarter, (first, last), lines.reset_index(drop=True),
                  distribution(lines, table_in_force(ledger.standard("AppraisalBands"), f"{year:04d}-{last:02d}")),
                  result.findings, training)
