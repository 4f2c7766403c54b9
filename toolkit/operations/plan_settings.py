"""The plan settings workbook: the blank one (``toolkit plan settings``) and reading it back as ``PlanRules``.

Reading stops at the first problem with one line naming the file, sheet and cell and what to change;
the schema's checks (required, enumerations, minimums, unique keys) are the validator's own rules.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..core.findings import Finding
from ..core.planning import DEFAULT_UNITS, Hold, PlanRules
from ..core.tables import WorkbookData
from ..core.validation import schema_rules
from ..core.validation.context import Context
from ..errors import ToolkitError
from ..i18n import register
from ..schema.plan_settings import PLAN_SETTINGS
from ..io.reader import read_workbook
from ..io.templates import write_workbook

register({
    "plan.settings-invalid": ("{file}: {detail}", "{file}：{detail_zh}"),
    "plan.settings-value": (
        "{file}: {sheet}!{cell}: {value} is not a plausible {what}; type a percentage such as 10% (with the % sign).",
        "{file}：{sheet}!{cell}：{value} 不是合理的{what_zh}；请输入百分数，如 10%（带 % 号）。"),
    "plan.settings-year": (
        "{file}: the settings are for {found}, not {year}; set Year on the Info sheet or choose another file.",
        "{file}：该设置适用于 {found} 年，而不是 {year} 年；请修改信息表中的年度或换一个文件。"),
    "plan.settings-hold": (
        "{file}: {sheet}!{cell}: a held value needs a Department or an Employee ID.",
        "{file}：{sheet}!{cell}：锁定值需要填写部门或工号。"),
    "plan.settings-category": (
        "{file}: {sheet}!{cell}: a Category is held for a department's Expense budget only (Indicator Expense, the "
        "Department given, Employee ID blank).",
        "{file}：{sheet}!{cell}：类别仅用于锁定部门的费用预算（指标为费用，填写部门，工号留空）。"),
    "plan.settings-month": (
        "{file}: {sheet}!{cell}: a month can be held for a person only (give the Employee ID, or clear the Month "
        "to hold the department's annual figure).",
        "{file}：{sheet}!{cell}：只能锁定个人的月度数（请填写工号，或清空月份以锁定部门全年数）。"),
    "plan.settings-unit": (
        "{file}: {sheet}!{cell}: a unit must be above 0.", "{file}：{sheet}!{cell}：取整单位必须大于 0。"),
})


class _SettingsContext(Context):
    """The validator's context over a plan settings workbook (its schema is not one of the workbook kinds)."""

    @property
    def schema(self):  # type: ignore[override]
        return PLAN_SETTINGS


def plan_settings_template(path: str | os.PathLike[str], lang: str = "en", *, year: int | None = None,
                           overwrite: bool = False) -> Path:
    """Write a blank plan settings workbook (Options pre-filled with the defaults) at ``path``."""
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ToolkitError("new.not-xlsx", path=str(target))
    if target.exists() and not overwrite:
        raise ToolkitError("new.exists", path=str(target))
    options = pd.DataFrame({
        "option": ["Blend Last Year %", "New Hire Share %", *(f"Unit {k}" for k in DEFAULT_UNITS)],
        "value": [round(2 / 3, 4), 0.5, *DEFAULT_UNITS.values()],
    })
    return write_workbook(target, PLAN_SETTINGS, lang, frames={"PlanOptions": options},
                          info={"year": year} if year else {})


def _first_error(path: Path, findings: list[Finding]) -> None:
    bad = [f for f in findings if f.severity == "error"]
    if bad:
        f = bad[0]
        raise ToolkitError("plan.settings-invalid", file=path.name, detail=f.message("en"), detail_zh=f.message("zh"))


def _cell(data: WorkbookData, key: str, col: str, row: object) -> dict[str, str]:
    layout = data.layout[key]
    return {"sheet": layout.sheet, "cell": f"{layout.columns[col][0]}{int(row)}"}


def read_plan_settings(path: str | os.PathLike[str], year: int) -> PlanRules:
    """The director's settings as ``PlanRules`` for ``year`` (blank sheets: the defaults)."""
    p = Path(path)
    data = read_workbook(p, kind=PLAN_SETTINGS)
    ctx = _SettingsContext.build(data, None, None)
    found = [f for rule in (schema_rules.required, schema_rules.enumerations, schema_rules.ranges,
                            schema_rules.unique_keys) for f in rule(ctx)]
    _first_error(p, data.findings + found)
    info_year = data.info.get("year")
    if info_year is not None and not pd.isna(info_year) and int(info_year) != year:
        raise ToolkitError("plan.settings-year", file=p.name, found=int(info_year), year=year)

    rules = PlanRules(year)
    t = data.tables
    for rec in t["PlanOptions"].to_dict("records"):
        name, value = rec["option"], float(rec["value"])
        where = _cell(data, "PlanOptions", "value", rec["_row"])
        if name.endswith("%"):
            if value > 1:
                raise ToolkitError("plan.settings-value", file=p.name, value=f"{value:g}", what="share",
                                   what_zh="比例", **where)
            if name == "Blend Last Year %":
                rules.blend = value
            else:
                rules.new_hire_share = value
        else:
            if value <= 0:
                raise ToolkitError("plan.settings-unit", file=p.name, **where)
            rules.units[name.removeprefix("Unit ")] = value
    for rec in t["PlanGrowth"].to_dict("records"):
        dept = rec["department"] if isinstance(rec["department"], str) else None
        if pd.notna(rec["growth"]):
            g = float(rec["growth"])
            if not -1 <= g <= 3:
                raise ToolkitError("plan.settings-value", file=p.name, value=f"{g:.0%}", what="growth rate",
                                   what_zh="增长率", **_cell(data, "PlanGrowth", "growth", rec["_row"]))
            if dept:
                rules.department_growth[(dept, rec["indicator"])] = g
            else:
                rules.growth[rec["indicator"]] = g
        if pd.notna(rec["total"]) and not dept:
            rules.totals[rec["indicator"]] = float(rec["total"])
    for rec in t["PlanHolds"].to_dict("records"):
        dept = rec["department"] if isinstance(rec["department"], str) else None
        emp = rec["employee_id"] if isinstance(rec["employee_id"], str) else None
        where = _cell(data, "PlanHolds", "value", rec["_row"])
        if dept is None and emp is None:
            raise ToolkitError("plan.settings-hold", file=p.name, **where)
        month = int(rec["month"]) if isinstance(rec["month"], str) else None
        category = rec.get("category") if isinstance(rec.get("category"), str) else None
        if category is not None and (rec["indicator"] != "Expense" or dept is None or emp is not None):
            raise ToolkitError("plan.settings-category", file=p.name,
                               **_cell(data, "PlanHolds", "category", rec["_row"]))
        if month is not None and emp is None and category is None:
            raise ToolkitError("plan.settings-month", file=p.name, **_cell(data, "PlanHolds", "month", rec["_row"]))
        rules.holds.append(Hold(rec["indicator"], dept, emp, month, float(rec["value"]),
                                f"{p.name}: {where['sheet']}!{where['cell']}", category))
    for rec in t["PlanShares"].to_dict("records"):
        share = float(rec["share"])
        if share > 10:
            raise ToolkitError("plan.settings-value", file=p.name, value=f"{share:.0%}", what="share", what_zh="比例",
                               **_cell(data, "PlanShares", "share", rec["_row"]))
        rules.person_share[rec["employee_id"]] = share
    for rec in t["PlanExpense"].to_dict("records"):
        if isinstance(rec["basis"], str):
            rules.expense_basis[rec["department"]] = rec["basis"]
        if pd.notna(rec["ratio"]):
            if float(rec["ratio"]) > 1:
                raise ToolkitError("plan.settings-value", file=p.name, value=f"{float(rec['ratio']):.0%}",
                                   what="expense ratio", what_zh="费用比例",
                                   **_cell(data, "PlanExpense", "ratio", rec["_row"]))
            rules.expense_ratio[rec["department"]] = float(rec["ratio"])
    return rules
