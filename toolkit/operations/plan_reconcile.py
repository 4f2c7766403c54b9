"""Departments' own proposals against the top-down draft (``toolkit plan reconcile``).

A department returns its drafted workbook with its own Plan figures; the proposals' folder is compared with the
draft by department, person, indicator and month (``plan_versions.compare_plans``), with each department's
annual totals, draft against proposal, and the gap. ``take`` names the departments whose proposal the director
takes: a new plan version is written (``into``) with the draft's workbooks, those departments' Plan tables
replaced by their proposals inside the file (``xlsx_cells``); it is a new version to approve, not an approved one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import ToolkitError
from ..i18n import register
from ..io.writer import atomic_save
from ..io.xlsx_cells import edit_workbook
from ..money import round_money
from .plan_publish import plan_rows
from .plan_versions import compare_plans, plan_books, plan_errors

register({
    "reconcile.unknown": ("There is no proposal from department {department} in {folder}.",
                          "{folder} 中没有部门 {department} 的建议。"),
    "reconcile.errors": ("The proposal of {department} ({file}) has {count} error finding(s) or budget "
                         "differences; it cannot be taken.",
                         "{department} 的建议（{file}）有 {count} 个错误或预算差异，不能采用。"),
    "reconcile.exists": ("{folder} already holds files; choose a new folder for the reconciled plan.",
                         "{folder} 中已有文件；请为调和后的计划另选一个新文件夹。"),
})


@dataclass
class Reconciliation:
    """The proposals against the draft: every differing figure, the annual totals with their gap, what was
    written."""

    differences: pd.DataFrame
    totals: pd.DataFrame  # department, indicator, draft, proposal, gap
    taken: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


def _annual(folder: str | os.PathLike[str], departments: set[str] | None = None) -> pd.DataFrame:
    rows = []
    for data in plan_books(folder).values():
        dept = str(data.info.get("department") or "")
        if departments is None or dept in departments:
            plan = data.tables["Plan"]
            for ind, total in plan.groupby("indicator", sort=False)["annual"].sum().items():
                rows.append({"department": dept, "indicator": str(ind), "total": float(round_money(total))})
    return pd.DataFrame(rows, columns=["department", "indicator", "total"])


def reconcile_plans(draft_dir: str | os.PathLike[str], proposals_dir: str | os.PathLike[str],
                    take: Sequence[str] = (), into: str | os.PathLike[str] | None = None) -> Reconciliation:
    """Compare the proposals with the draft; with ``into``, write the draft with the ``take`` departments'
    proposals as a new plan version."""
    proposals = {str(d.info.get("department") or ""): (p, d) for p, d in plan_books(proposals_dir).items()}
    if not proposals:
        raise ToolkitError("versions.no-plan", folder=str(proposals_dir))
    for dept in take:
        if dept not in proposals:
            raise ToolkitError("reconcile.unknown", department=dept, folder=str(proposals_dir))
        path, data = proposals[dept]
        errors = plan_errors(data)
        if errors:
            raise ToolkitError("reconcile.errors", department=dept, file=str(path), count=len(errors))
    diff = compare_plans(draft_dir, proposals_dir)
    diff = diff[diff["department"].isin(set(proposals))].reset_index(drop=True)
    a = _annual(draft_dir, set(proposals)).rename(columns={"total": "draft"})
    b = _annual(proposals_dir).rename(columns={"total": "proposal"})
    totals = a.merge(b, on=["department", "indicator"], how="outer").sort_values(["department", "indicator"])
    totals["gap"] = [float(round_money((0 if pd.isna(y) else y) - (0 if pd.isna(x) else x)))
                     for x, y in zip(totals["draft"], totals["proposal"])]
    result = Reconciliation(diff, totals.reset_index(drop=True), list(take))
    if into is None:
        return result
    out = Path(into)
    if out.exists() and any(out.iterdir()):
        raise ToolkitError("reconcile.exists", folder=str(out))
    out.mkdir(parents=True, exist_ok=True)
    for path, data in sorted(plan_books(draft_dir).items()):
        dept = str(data.info.get("department") or "")
        body = path.read_bytes()
        if dept in take:
            layout = data.layout["Plan"]
            tables = {layout.sheet: (layout.header_row, plan_rows(proposals[dept][1], data))}
            budget = data.layout.get("Budget")
            if budget is not None and budget.columns:  # the proposal's budget by category with its Expense figures
                tables[budget.sheet] = (budget.header_row, plan_rows(proposals[dept][1], data, "Budget"))
            body = edit_workbook(body, {}, {}, "toolkit", file=str(path), tables=tables)
        result.written.append(atomic_save(out / path.name, lambda tmp, b=body: tmp.write_bytes(b)))
    return result


__all__ = ["reconcile_plans", "Reconciliation"]
