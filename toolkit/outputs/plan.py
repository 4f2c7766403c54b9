"""The plan's outputs: the summary workbook ``plan-YYYY.xlsx`` (with charts), JSON payloads and text,
all from one bilingual label table."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font

from ..core.findings import Finding
from ..core.planning import PlanDraft
from ..core.tables import WorkbookData
from ..i18n import register, t
from ..money import fmt_money
from ..schema import DEPARTMENT, MONTH_KEYS, STANDARDS
from ..schema import enums as E
from ..schema.department import MONTH_NAMES
from ..io.print_setup import PAGE_HEADER, footer, print_area_with_charts
from ..io.writer import SheetFrame, save_workbook, write_frames
from .labels import label as table_label

_PLAN = DEPARTMENT.table("Plan")
#: The Excel table of the summary's Company sheet: how a file is recognised as a plan summary, in either language.
SUMMARY_TABLE = "PlanCompany"
_ROSTER = STANDARDS.table("Roster")


def is_summary(path: str | Path) -> bool:
    """True when ``path`` is a plan summary (``plan-YYYY.xlsx``, whatever its name): it holds the Company table."""
    try:
        with zipfile.ZipFile(path) as zf:
            return any(n.startswith("xl/tables/") and f'name="{SUMMARY_TABLE}"'.encode() in zf.read(n)
                       for n in zf.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


def label(key: str, lang: str, **params: Any) -> str:
    """A plan output label in ``lang``; months by their Plan column header."""
    if key in MONTH_KEYS:
        return MONTH_NAMES[MONTH_KEYS.index(key)](lang)
    return table_label(f"plan.{key}", lang, **params)


def _headers(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return frame.rename(columns={c: label(c, lang) for c in frame.columns})


def _indicator(values: pd.Series, lang: str) -> pd.Series:
    return values.map(lambda c: E.INDICATOR.label(c, lang))


def _company(draft: PlanDraft, lang: str) -> pd.DataFrame:
    c = draft.totals("company")
    return c.assign(indicator=_indicator(c["indicator"], lang))[["indicator", *MONTH_KEYS, "annual"]]


def _departments(draft: PlanDraft, lang: str) -> pd.DataFrame:
    d = draft.totals("department")
    b = draft.basis.drop(columns=["target"], errors="ignore")
    merged = d.merge(b, on=["department", "indicator"], how="left")
    for col in ("last_year", "year_before", "share", "growth", "ratio", "basis", "held"):
        if col not in merged:
            merged[col] = pd.NA
    merged["basis"] = merged["basis"].map(lambda c: E.INDICATOR.label(c, lang) if isinstance(c, str) else None)
    merged["indicator"] = _indicator(merged["indicator"], lang)
    merged["held"] = merged["held"].astype("boolean")
    return merged[["department", "indicator", "last_year", "year_before", "share", "growth", "basis", "ratio",
                   "held", "annual", *MONTH_KEYS]]


def _people(draft: PlanDraft, standards: WorkbookData, lang: str) -> pd.DataFrame:
    roster = standards.tables["Roster"].drop_duplicates("employee_id")
    names = pd.Series(roster["name"].to_numpy(), index=roster["employee_id"].to_numpy())
    r = draft.rows.assign(name=draft.rows["employee_id"].map(names),
                          role=draft.rows["role"].map(lambda c: E.ROLE.label(c, lang)),
                          indicator=_indicator(draft.rows["indicator"], lang),
                          margin=draft.rows["employee_id"].map(draft.margins).where(
                              draft.rows["indicator"] == "Profit"))
    return r[["department", "employee_id", "name", "role", "indicator", *MONTH_KEYS, "annual", "margin"]]


def budget_frame(budget: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The budget by category for people: each department's categories (in ``lang``), then its total, which is the
    department's Expense plan."""
    parts = []
    for dept, rows in budget.groupby("department", sort=False):
        total = rows[[*MONTH_KEYS, "annual"]].sum().round(2)
        parts.append(rows.assign(category=rows["category"].map(lambda c: E.EXPENSE_CATEGORY.label(c, lang))))
        parts.append(pd.DataFrame([{"department": dept, "category": table_label("total", lang), **total.to_dict()}]))
    if not parts:
        return pd.DataFrame(columns=["department", "category", *MONTH_KEYS, "annual"])
    return pd.concat(parts, ignore_index=True)[["department", "category", *MONTH_KEYS, "annual"]]


def _cost(cost: Any, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    comp = cost.company.assign(department=label("sheet.company", lang))
    both = pd.concat([cost.departments, comp], ignore_index=True)
    cols = ["level", "department", "signing", "collection", "profit", "royalty", "floating", "cost",
            "cost_to_collection", "cost_to_profit"]
    both = both.sort_values("level", kind="stable")[cols]
    return both.reset_index(drop=True), cost.people


def findings_frame(findings: Sequence[Finding], lang: str) -> pd.DataFrame:
    """Notes as a sheet: severity, code, message."""
    return pd.DataFrame([{"severity": f.severity, "code": f.code, "message": f.message(lang)} for f in findings],
                        columns=["severity", "code", "message"])


_FORMATS = {**{k: "money" for k in (*MONTH_KEYS, "annual", "last_year", "year_before", "signing", "collection",
                                    "profit", "royalty", "floating", "cost")},
            **{k: "percent" for k in ("share", "growth", "ratio", "level", "cost_to_collection",
                                      "cost_to_profit", "margin")}}


def _sheet(name: str, frame: pd.DataFrame, lang: str, table: str, formats: dict[str, str] | None = None) -> Any:
    fm = {label(k, lang): v for k, v in {**_FORMATS, **(formats or {})}.items() if k in frame.columns}
    return SheetFrame(label(name, lang), _headers(frame, lang), formats=fm, table_name=table)


def write_summary(path: Path, draft: PlanDraft, cost: Any, standards: WorkbookData, lang: str) -> Path:
    """``plan-YYYY.xlsx``: company, departments, people, cost, seasonality and notes, with three charts."""
    cost_all, cost_people = _cost(cost, lang)
    seas = draft.seasonality.assign(indicator=lambda f: _indicator(f["indicator"], lang),
                                    source=lambda f: f["source"].map(lambda s: label(f"source.{s}", lang)))
    sheets = [
        _sheet("sheet.company", _company(draft, lang), lang, SUMMARY_TABLE),
        _sheet("sheet.departments", _departments(draft, lang), lang, "PlanDepartments"),
        _sheet("sheet.people", _people(draft, standards, lang), lang, "PlanPeople"),
        _sheet("sheet.budget", budget_frame(draft.budget, lang), lang, "PlanBudget"),
        _sheet("sheet.cost", cost_all, lang, "PlanCost"),
        _sheet("sheet.cost_people", cost_people, lang, "PlanCostPeople"),
        _sheet("sheet.seasonality", seas, lang, "PlanSeasonality", {k: "percent" for k in MONTH_KEYS}),
        _sheet("sheet.notes", findings_frame(draft.findings + cost.findings, lang), lang, "PlanNotes"),
    ]
    write_frames(path, sheets, lang)
    wb = load_workbook(path)
    _charts(wb, draft, cost, lang)
    for ws in wb.worksheets:  # printable: landscape, one page wide, the header row on every page, charts inside
        ws.page_setup.orientation = "landscape"
        if not ws.col_breaks.brk:  # a sheet too wide for one page at 60% keeps write_frames' column blocks
            ws.sheet_properties.pageSetUpPr.fitToPage = True
            ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        if ws.sheet_state == "visible":
            ws.print_title_rows = ws.print_title_rows or "1:1"
            ws.oddFooter.center.text = ws.oddFooter.center.text or footer(lang)[2:]
            ws.oddHeader.center.text = ws.oddHeader.center.text or PAGE_HEADER[2:]  # the sheets openpyxl adds
            print_area_with_charts(ws)
    return save_workbook(wb, path)


def _charts(wb: Any, draft: PlanDraft, cost: Any, lang: str) -> None:
    ws = wb[label("sheet.company", lang)]
    chart = BarChart()
    chart.type = "col"
    chart.title = label("chart.months", lang, year=draft.year)
    chart.add_data(Reference(ws, min_col=1, max_col=13, min_row=2, max_row=3), from_rows=True, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=2, max_col=13, min_row=1, max_row=1))
    chart.y_axis.number_format = "#,##0"
    chart.width, chart.height = 24, 9
    ws.add_chart(chart, "B8")

    n = len(draft.rows["department"].unique())
    dept = wb.create_sheet(label("chart.departments", lang, year=draft.year)[:31], 2)
    totals = draft.totals("department")
    dept.append([label("department", lang), *(_indicator(pd.Series(["Signing", "Collection", "Profit"]), lang))])
    for name in dict.fromkeys(totals["department"]):
        row = totals[totals["department"] == name].set_index("indicator")["annual"]
        dept.append([name, *(float(row.get(k, 0.0)) for k in ("Signing", "Collection", "Profit"))])
    for row in dept.iter_rows(min_row=2, min_col=2):
        for cell in row:
            cell.number_format = "#,##0"
    for cell in dept[1]:
        cell.font = Font(bold=True)
    dept.column_dimensions["A"].width = max(14, *(len(str(c.value or "")) * 2 for c in dept["A"]))
    for col in "BCD":
        dept.column_dimensions[col].width = 15
    chart = BarChart()
    chart.type = "col"
    chart.title = label("chart.departments", lang, year=draft.year)
    chart.add_data(Reference(dept, min_col=2, max_col=4, min_row=1, max_row=n + 1), titles_from_data=True)
    chart.set_categories(Reference(dept, min_col=1, min_row=2, max_row=n + 1))
    chart.y_axis.number_format = "#,##0"
    chart.width, chart.height = 20, 9
    dept.add_chart(chart, "F2")

    ws = wb[label("sheet.cost", lang)]
    comp = [i + 2 for i, d in enumerate(ws.iter_rows(min_row=2, min_col=2, max_col=2, values_only=True))
            if d[0] == label("sheet.company", lang)]
    holder = wb.create_sheet("_cost_chart")  # the company rows, one per level, for the chart
    holder.sheet_state = "hidden"
    holder.append([label("level", lang), ws.cell(1, 6).value, ws.cell(1, 7).value])
    for r in comp:
        holder.append([f"{ws.cell(r, 1).value:.0%}", ws.cell(r, 6).value, ws.cell(r, 7).value])
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = label("chart.cost", lang)
    chart.add_data(Reference(holder, min_col=2, max_col=3, min_row=1, max_row=len(comp) + 1), titles_from_data=True)
    chart.set_categories(Reference(holder, min_col=1, min_row=2, max_row=len(comp) + 1))
    chart.y_axis.number_format = "#,##0"
    chart.width, chart.height = 16, 8
    ws.add_chart(chart, f"B{ws.max_row + 3}")


def write_cost(path: Path, cost: Any, lang: str) -> Path:
    """The cost model alone as a workbook (``toolkit plan cost --format xlsx``): cost, cost by person, notes."""
    cost_all, cost_people = _cost(cost, lang)
    return write_frames(path, [_sheet("sheet.cost", cost_all, lang, "PlanCost"),
                               _sheet("sheet.cost_people", cost_people, lang, "PlanCostPeople"),
                               _sheet("sheet.notes", findings_frame(cost.findings, lang), lang, "PlanNotes")], lang)


# --------------------------------------------------------------------------- JSON and text


def money_records(frame: pd.DataFrame, money: Sequence[str], ratios: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Rows as dicts, the ``money`` columns as ``"1234.50"`` strings and ``ratios`` rounded (None when blank)."""
    out = []
    for rec in frame.to_dict("records"):
        item = {}
        for k, v in rec.items():
            if k in money:
                item[k] = fmt_money(v) if pd.notna(v) else None
            elif k in ratios:
                item[k] = None if pd.isna(v) else round(float(v), 6)
            else:
                item[k] = None if not isinstance(v, str) and pd.isna(v) else v
        out.append(item)
    return out


_MONEY = (*MONTH_KEYS, "annual", "last_year", "year_before", "signing", "collection", "profit", "royalty",
          "floating", "cost")
_RATIOS = ("share", "growth", "ratio", "level", "cost_to_collection", "cost_to_profit")


def cost_payload(cost: Any, lang: str = "en") -> dict[str, Any]:
    """The JSON form of a ``PlanCost`` (money as "1234.50" strings, ratios as numbers)."""
    return {"year": cost.year, "levels": list(cost.levels),
            "company": money_records(cost.company, _MONEY, _RATIOS),
            "departments": money_records(cost.departments, _MONEY, _RATIOS),
            "people": money_records(cost.people, _MONEY, _RATIOS),
            "findings": [f.to_dict(lang) for f in cost.findings]}


def draft_payload(result: Any, lang: str = "en") -> dict[str, Any]:
    """The JSON form of a drafted plan: files written, company and department totals, the plan rows, cost."""
    d = result.draft
    return {"year": d.year, "as_of": str(d.as_of),
            "workbooks": [str(p) for p in result.workbooks], "summary": str(result.summary),
            "company": money_records(d.totals("company"), _MONEY),
            "departments": money_records(d.totals("department"), _MONEY),
            "rows": money_records(d.rows, _MONEY),
            "budget": money_records(d.budget, _MONEY),
            "cost": cost_payload(result.cost, lang),
            "findings": [f.to_dict(lang) for f in result.findings]}



def publish_frame(result: Any) -> pd.DataFrame:
    """One row per published department: register, Plan rows before and now, Info Year/Period before, totals."""
    rows = []
    for d in result.departments:
        rows.append({"department": d.department, "register": str(d.written), "rows_before": d.rows_before,
                     "rows_after": d.rows_after, "budget_rows_before": d.budget_before,
                     "budget_rows_after": "-" if d.budget_after is None else d.budget_after,
                     "info_year_before": d.year_before, "period_before": d.period_before,
                     **{k: d.totals.get(k) for k in E.INDICATOR.values}})
    return pd.DataFrame(rows, columns=["department", "register", "rows_before", "rows_after", "budget_rows_before",
                                       "budget_rows_after", "info_year_before", "period_before", *E.INDICATOR.values])


def no_budget_sheet(result: Any) -> list[Path]:
    """The registers written without the budget by category: they have no Budget sheet (an older template)."""
    return [d.written for d in result.departments if d.budget_after is None]


def publish_payload(result: Any) -> dict[str, Any]:
    """The JSON form of a publication: the year, each department's register and totals (money as strings)."""
    return {"year": result.year, "period": result.period,
            "departments": [{"department": d.department, "source": str(d.source) if d.source else None,
                             "written": str(d.written), "backup": str(d.backup) if d.backup else None,
                             "rows_before": d.rows_before, "rows_after": d.rows_after,
                             "budget_rows_before": d.budget_before, "budget_rows_after": d.budget_after,
                             "year_before": d.year_before, "period_before": d.period_before,
                             "totals": {k: fmt_money(v) for k, v in d.totals.items()}}
                            for d in result.departments],
            "untouched": [str(p) for p in result.untouched]}


def compare_frame(diff: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The differences of two plan versions for people: indicator and month in ``lang``."""
    shown = diff.copy()
    budget = DEPARTMENT.table("Budget").sheet(lang)
    shown["indicator"] = shown["indicator"].map(lambda c: budget if c == "Budget" else E.INDICATOR.label(c, lang))
    shown["category"] = shown["category"].map(lambda c: E.EXPENSE_CATEGORY.label(c, lang) if c else "")
    shown["month"] = shown["month"].map(lambda m: label(m, lang))
    return shown[["department", "employee_id", "indicator", "category", "month", "version_a", "version_b",
                  "difference"]]


def write_compare(path: Path, diff: pd.DataFrame, totals: pd.DataFrame, lang: str) -> Path:
    """``plan compare --format xlsx``: every differing figure, and the annual differences by department."""
    money = {"version_a": "money", "version_b": "money", "difference": "money"}
    tot = totals.assign(indicator=lambda f: _indicator(f["indicator"], lang))
    return write_frames(path, [_sheet("sheet.differences", compare_frame(diff, lang), lang, "PlanDifferences", money),
                               _sheet("sheet.difference_totals", tot, lang, "PlanDifferenceTotals", money)], lang)


def compare_payload(a: str, b: str, diff: pd.DataFrame, totals: pd.DataFrame) -> dict[str, Any]:
    """The JSON form of a comparison (money as strings; a blank side as null)."""
    money = ("version_a", "version_b", "difference")
    return {"a": a, "b": b, "differences": money_records(diff, money),
            "totals": money_records(totals, ("difference",))}
