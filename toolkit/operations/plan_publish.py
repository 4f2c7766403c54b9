"""Publish an approved plan into next year's rolling registers (``toolkit plan publish``, the ribbon's Publish plan).

For each department workbook of the plan folder (``plan draft``'s output, after the director's edits) the register
of the same Info Department in the ``into`` folder gets that Plan table, its Budget table (the budget by category,
when the register has the sheet) and the plan's Info Year and Period (January). The register is edited inside its zip (``toolkit.io.xlsx_cells``): every other sheet — the open
contracts, receivables, advances and their history — keeps its bytes, and styles, tables, dropdowns and formulas
stay. Nothing is written when a file is open (a lock file beside it), a plan workbook has error findings, two
files claim one department, or a register is already in a later year; a register that changes while it is being
published is refused too. Copies go to a folder, or ``in_place`` replaces each register after a backup in its
folder's ``plan-backups``. A plan department without a register (a new department) gets the plan workbook
itself.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.tables import WorkbookData
from ..errors import ToolkitError
from ..i18n import register
from ..io.discover import discover_workbooks, file_sha256
from ..io.writer import atomic_save
from ..io.xlsx_cells import edit_workbook
from ..schema import MONTH_KEYS
from ..schema import enums as E
from .approval_apply import lock_file
from .plan_versions import check_approved, plan_errors
from .validate import read_file

register({
    "publish.no-plan": ("{folder} holds no department workbook of a plan; give the folder `plan draft` wrote.",
                        "{folder} 中没有计划的部门工作簿；请指定 `plan draft` 输出的文件夹。"),
    "publish.unreadable": ("{file} cannot be read: {detail}. Nothing was written.",
                           "无法读取 {file}：{detail}。未写入任何内容。"),
    "publish.plan-errors": ("{file} has {count} error finding(s) or budget differences (run toolkit validate); fix "
                            "the plan first. Nothing was written.",
                            "{file} 有 {count} 个错误或预算差异（请运行 toolkit validate）；请先修正计划。未写入任何内容。"),
    "publish.years": ("The plan workbooks are for different years ({years}); publish one year's plan. Nothing was "
                      "written.", "计划工作簿的年度不一致（{years}）；一次只能发布一个年度的计划。未写入任何内容。"),
    "publish.twice": ("{first} and {second} are both for department {department}; keep one. Nothing was written.",
                      "{first} 与 {second} 都属于部门 {department}；请只保留一个。未写入任何内容。"),
    "publish.later": ("{file} is already for {found} (after the plan's {year}); nothing was written.",
                      "{file} 已是 {found} 年度（晚于计划的 {year} 年度）；未写入任何内容。"),
    "publish.locked": ("{file} is open in Excel or LibreOffice (lock file {lock}); close it and publish again. "
                       "Nothing was written.",
                       "{file} 正在 Excel 或 LibreOffice 中打开（锁文件 {lock}）；请关闭后重新发布。未写入任何内容。"),
    "publish.changed": ("{file} changed while the plan was being published; publish again.",
                        "发布计划期间 {file} 被修改；请重新发布。"),
    "publish.same-folder": ("The copies would replace the registers in {folder}: choose another -o folder, or "
                            "--in-place.", "副本会覆盖 {folder} 中的登记簿：请用 -o 指定其他文件夹，或使用 --in-place。"),
    "publish.both": ("Choose -o DIR (copies) or --in-place, not both.", "请选择 -o 文件夹（副本）或 --in-place，不能同时使用。"),
    "publish.need-target": ("Give -o DIR (copies) or --in-place (the registers themselves, with backups).",
                            "请使用 -o DIR（写入副本）或 --in-place（直接修改登记簿，并保留备份）。"),
})

BACKUP_FOLDER = "plan-backups"


@dataclass
class Published:
    """One department's publication: which register, how many Plan rows before and after, the Info change."""

    department: str
    source: Path | None  # the register (None: a new department, the plan workbook copied)
    written: Path
    rows_before: int
    rows_after: int
    year_before: Any
    period_before: Any
    totals: dict[str, float] = field(default_factory=dict)  # indicator -> annual total
    backup: Path | None = None
    #: The Budget by category (issue 28): rows before and after; ``budget_after`` None when the register has no
    #: Budget sheet (made from a template older than the sheet), so the budget was not written.
    budget_before: int = 0
    budget_after: int | None = None


@dataclass
class PublishResult:
    """What ``publish_plan`` wrote; ``untouched`` are registers whose department has no plan."""

    year: int
    period: str
    departments: list[Published] = field(default_factory=list)
    untouched: list[Path] = field(default_factory=list)


def _departments(folder: str | os.PathLike[str], plans: bool) -> dict[str, tuple[Path, WorkbookData]]:
    """Department → (file, data) for the department workbooks in ``folder`` (other workbooks skipped)."""
    out: dict[str, tuple[Path, WorkbookData]] = {}
    for path in discover_workbooks([folder]):
        data = read_file(path)
        if isinstance(data, ToolkitError):
            if plans:
                continue  # the summary and other non-department workbooks of the plan folder
            raise data
        if data.kind != "department":
            continue
        dept = str(data.info.get("department") or "").strip()
        if not dept:
            continue
        if dept in out:
            raise ToolkitError("publish.twice", first=str(out[dept][0]), second=str(path), department=dept)
        out[dept] = (path, data)
    return out


def _check_unlocked(paths: list[Path]) -> None:
    for path in paths:
        lock = lock_file(path)
        if lock is not None:
            raise ToolkitError("publish.locked", file=str(path), lock=lock.name)


#: The enumerated text columns of the tables published: written in the register's language.
_ENUMS = {"indicator": E.INDICATOR, "category": E.EXPENSE_CATEGORY}


def plan_rows(plan: WorkbookData, register_data: WorkbookData, table: str = "Plan"
              ) -> list[dict[str, str | float | None]]:
    """The plan workbook's ``table`` rows (Plan, or Budget) as the register's cells: column letter → value, the
    indicator or category in the register's language, blank months left blank."""
    layout = register_data.layout[table]
    letters = {key: letter for key, (letter, _) in layout.columns.items()}
    rows = []
    frame = plan.tables.get(table)
    for rec in (frame.to_dict("records") if frame is not None else []):
        row: dict[str, str | float | None] = {}
        for key, letter in letters.items():
            value = rec.get(key)
            if value is None or (isinstance(value, float) and pd.isna(value)):
                row[letter] = None
            elif key in _ENUMS:
                row[letter] = _ENUMS[key].label(str(value), register_data.lang)
            elif key == "employee_id":
                row[letter] = str(value)
            else:
                row[letter] = float(value)
        rows.append(row)
    return rows


def _has_sheet(data: WorkbookData, table: str) -> bool:
    """Whether the workbook has ``table``'s sheet (a missing optional sheet has a layout without columns)."""
    return table in data.layout and bool(data.layout[table].columns)


def publish_plan(plan_dir: str | os.PathLike[str], into: str | os.PathLike[str],
                 out_dir: str | os.PathLike[str] | None = None, in_place: bool = False,
                 progress: Callable[[int, int], None] | None = None) -> PublishResult:
    """Write each plan department's Plan table and Info Year/Period (January) into its register in ``into``:
    into copies in ``out_dir``, or ``in_place`` with backups. Everything is checked before the first write."""
    if in_place and out_dir is not None:
        raise ToolkitError("publish.both")
    if not in_place and out_dir is None:
        raise ToolkitError("publish.need-target")
    plans = _departments(plan_dir, plans=True)
    if not plans:
        raise ToolkitError("publish.no-plan", folder=str(plan_dir))
    check_approved(plan_dir, [p for p, _ in plans.values()])
    for path, data in plans.values():
        errors = plan_errors(data)
        if errors:
            raise ToolkitError("publish.plan-errors", file=str(path), count=len(errors))
    years = sorted({int(d.info.get("year") or 0) for _, d in plans.values()})
    if len(years) != 1 or not years[0]:
        raise ToolkitError("publish.years", years=", ".join(str(y) for y in years))
    year = years[0]
    period = f"{year}-01"
    registers = _departments(into, plans=False)
    for dept, (path, data) in registers.items():
        found = data.info.get("year")
        if dept in plans and isinstance(found, (int, float)) and int(found) > year:
            raise ToolkitError("publish.later", file=str(path), found=int(found), year=year)
    _check_unlocked([p for p, _ in plans.values()] + [p for p, _ in registers.values()])
    target_dir = None
    if not in_place:
        target_dir = Path(out_dir)  # type: ignore[arg-type]
        if target_dir.exists() and any(p.parent.resolve() == target_dir.resolve() for p, _ in registers.values()):
            raise ToolkitError("publish.same-folder", folder=str(target_dir))
        target_dir.mkdir(parents=True, exist_ok=True)
    result = PublishResult(year, period)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for i, (dept, (plan_path, plan)) in enumerate(sorted(plans.items()), start=1):
        frame = plan.tables["Plan"]
        totals = {str(k): float(v) for k, v in frame.groupby("indicator", sort=False)["annual"].sum().items()}
        if dept not in registers:  # a new department: its plan workbook is its first register
            target = (target_dir or Path(into)) / plan_path.name
            body = plan_path.read_bytes()
            written = atomic_save(target, lambda tmp, b=body: tmp.write_bytes(b))
            budget_rows = len(plan.tables.get("Budget", ()))
            result.departments.append(Published(dept, None, written, 0, len(frame), None, None, totals,
                                                budget_after=budget_rows))
            continue
        path, data = registers[dept]
        original = path.read_bytes()
        sha = file_sha256(path)
        layout = data.layout["Plan"]
        rows = plan_rows(plan, data)
        cells: dict[str, dict[str, str | float]] = {}
        for key, value in (("year", year), ("period", period)):
            if key in data.info_cells:
                sheet, ref = data.info_cells[key]
                cells.setdefault(sheet, {})[ref] = value
        tables = {layout.sheet: (layout.header_row, rows)}
        budget_rows = None
        if _has_sheet(data, "Budget"):  # the plan's budget by category replaces last year's (none: the sheet emptied)
            budget = data.layout["Budget"]
            budget_rows = plan_rows(plan, data, "Budget") if _has_sheet(plan, "Budget") else []
            tables[budget.sheet] = (budget.header_row, budget_rows)
        new = edit_workbook(original, cells, {}, "toolkit", file=str(path), tables=tables)
        done = Published(dept, path, path, len(data.tables["Plan"]), len(rows), data.info.get("year"),
                         data.info.get("period"), totals, budget_before=len(data.tables.get("Budget", ())),
                         budget_after=None if budget_rows is None else len(budget_rows))
        if in_place:
            _check_unlocked([path])
            if file_sha256(path) != sha:
                raise ToolkitError("publish.changed", file=str(path))
            backup = path.parent / BACKUP_FOLDER / f"{path.stem}-{stamp}{path.suffix}"
            backup.parent.mkdir(exist_ok=True)
            shutil.copy2(path, backup)
            done.backup = backup
            done.written = atomic_save(path, lambda tmp, b=new: tmp.write_bytes(b))
        else:
            assert target_dir is not None
            done.written = atomic_save(target_dir / path.name, lambda tmp, b=new: tmp.write_bytes(b))
        result.departments.append(done)
        if progress:
            progress(i, len(plans))
    result.untouched = sorted(p for d, (p, _) in registers.items() if d not in plans)
    return result


__all__ = ["publish_plan", "plan_rows", "PublishResult", "Published", "BACKUP_FOLDER"]
