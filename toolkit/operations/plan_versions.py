"""Plan versions: compare two drafted plans cell by cell (``toolkit plan compare``), mark one approved (``plan
approve``), and check that the plan being published is the approved one, unchanged since (``plan publish``).

A version is a plan folder (``plan draft --version N -o DIR`` writes ``DIR/vN``, leaving earlier versions as they
are). ``plan approve`` writes ``APPROVED.json`` into the folder: who, when, and the SHA-256 of each department
workbook; publishing refuses a folder without it or whose workbooks changed since (one line, both languages).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ToolkitError
from ..i18n import register
from ..io.discover import discover_workbooks, file_sha256
from ..io.writer import atomic_save
from ..money import round_money
from ..schema import MONTH_KEYS
from ..core.findings import Finding
from ..core.tables import WorkbookData
from .validate import check_data, read_file

register({
    "versions.not-approved": ("{folder} is not the approved plan (no APPROVED.json): run toolkit plan approve on "
                              "the version to publish. Nothing was written.",
                              "{folder} 不是已批准的计划（没有 APPROVED.json）：请先对要发布的版本执行 toolkit plan "
                              "approve。未写入任何内容。"),
    "versions.changed": ("{file} changed after the plan was approved ({when}); approve it again. Nothing was "
                         "written.", "{file} 在计划批准（{when}）后被修改；请重新批准。未写入任何内容。"),
    "versions.no-plan": ("{folder} holds no department workbook of a plan.", "{folder} 中没有计划的部门工作簿。"),
})

MARK = "APPROVED.json"
#: A figure's key: Plan rows have a blank category; Budget rows (issue 28) a blank employee, the indicator
#: ``BUDGET`` and their category.
KEYS = ["department", "employee_id", "indicator", "category"]
BUDGET = "Budget"


def plan_books(folder: str | os.PathLike[str]) -> dict[Path, Any]:
    """The department workbooks of a plan folder (path → data); the summary and unreadable files left out."""
    out = {}
    for path in discover_workbooks([folder]):
        data = read_file(path)
        if not isinstance(data, ToolkitError) and data.kind == "department":
            out[path] = data
    return out


#: Warnings a plan workbook may not carry: in a register they do not stop the close (no figure paid depends on
#: them), but a plan is published only when its budget by category adds up to its Expense plan.
PLAN_STOPS = ("budget-plan-mismatch",)


def plan_errors(data: WorkbookData) -> list[Finding]:
    """The findings that stop a plan workbook: errors (reading and the validator's rules, without the standards)
    and ``PLAN_STOPS``."""
    return [f for f in check_data(data).findings if f.severity == "error" or f.code in PLAN_STOPS]


def approve_plan(folder: str | os.PathLike[str], approver: str, today: dt.date | None = None) -> Path:
    """Mark the plan in ``folder`` approved: ``APPROVED.json`` with the approver, the date and each department
    workbook's SHA-256."""
    books = plan_books(folder)
    if not books:
        raise ToolkitError("versions.no-plan", folder=str(folder))
    mark = {"approver": approver, "approved": (today or dt.date.today()).isoformat(),
            "files": {p.name: file_sha256(p) for p in sorted(books)}}
    body = json.dumps(mark, ensure_ascii=False, indent=2).encode("utf-8")
    return atomic_save(Path(folder) / MARK, lambda tmp: tmp.write_bytes(body))


def check_approved(folder: str | os.PathLike[str], files: list[Path]) -> dict[str, Any]:
    """The approval mark of ``folder``; a ToolkitError when there is none or one of ``files`` changed since."""
    path = Path(folder) / MARK
    if not path.exists():
        raise ToolkitError("versions.not-approved", folder=str(folder))
    mark = json.loads(path.read_text("utf-8"))
    for file in files:
        if mark.get("files", {}).get(file.name) != file_sha256(file):
            raise ToolkitError("versions.changed", file=str(file), when=mark.get("approved", "?"))
    return mark


def _long(folder: str | os.PathLike[str]) -> pd.DataFrame:
    books = plan_books(folder)
    if not books:
        raise ToolkitError("versions.no-plan", folder=str(folder))
    frames = []
    for data in books.values():
        dept = str(data.info.get("department") or "")
        plan = data.tables["Plan"].assign(department=dept, category="")
        frames.append(plan[[*KEYS, *MONTH_KEYS, "annual"]])
        budget = data.tables.get("Budget")
        if budget is not None and len(budget):
            frames.append(budget.assign(department=dept, employee_id="", indicator=BUDGET)[
                [*KEYS, *MONTH_KEYS, "annual"]])
    wide = pd.concat(frames, ignore_index=True)
    return wide.melt(id_vars=KEYS, var_name="month", value_name="value")


def compare_plans(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> pd.DataFrame:
    """Every figure that differs between plan folders ``a`` and ``b``: department, person, indicator, category (the
    Budget's rows: indicator ``BUDGET``, no person), month (or ``annual``), the value in each (blank: no such row) and
    ``b − a``, exact to the cent."""
    left, right = _long(a), _long(b)
    both = left.merge(right, on=[*KEYS, "month"], how="outer", suffixes=("_a", "_b"))
    va = both["value_a"].map(lambda v: None if pd.isna(v) else round_money(v))
    vb = both["value_b"].map(lambda v: None if pd.isna(v) else round_money(v))
    differs = [x != y for x, y in zip(va, vb)]
    out = both[differs].copy()
    out["difference"] = [float(round_money((y or 0) - (x or 0))) for x, y in zip(va[differs], vb[differs])]
    order = {k: i for i, k in enumerate([*MONTH_KEYS, "annual"])}
    out = out.assign(_m=out["month"].map(order)).sort_values([*KEYS, "_m"]).drop(columns="_m")
    return out.rename(columns={"value_a": "version_a", "value_b": "version_b"}).reset_index(drop=True)


def compare_totals(diff: pd.DataFrame) -> pd.DataFrame:
    """The annual differences summed by department and indicator (the people's Plan rows, exact to the cent; the
    Budget's rows are listed in the differences, not summed here: they add up to the Expense rows)."""
    annual = diff[(diff["month"] == "annual") & (diff["indicator"] != BUDGET)]
    if annual.empty:
        return pd.DataFrame(columns=["department", "indicator", "difference"])
    out = annual.groupby(["department", "indicator"], sort=True)["difference"].sum().reset_index()
    out["difference"] = out["difference"].map(lambda v: float(round_money(v)))
    return out


__all__ = ["approve_plan", "check_approved", "compare_plans", "compare_totals", "plan_books", "plan_errors", "MARK"]
