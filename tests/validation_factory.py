"""A clean department and standards workbook (rows by column key) and a writer that puts them in real
.xlsx files, for the validation tests: each test breaks one rule once and reads the file back.

Files are written with openpyxl from the schema (sheet names, headers and enum labels in either
language, each sheet an Excel table), then read with ``toolkit.io.reader.read_workbook``.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table as XlTable
from openpyxl.worksheet.table import TableStyleInfo

from toolkit import TEMPLATE_VERSION
from toolkit.core.tables import WorkbookData
from toolkit.schema import MONTH_KEYS, SCHEMAS, ColType

D = dt.date
YEAR, PERIOD, DEPT = 2026, "2026-03", "East"


def _plan(emp: str, indicator: str, monthly: float = 1000.0) -> dict[str, Any]:
    row: dict[str, Any] = {"employee_id": emp, "indicator": indicator, "annual": monthly * 12}
    row.update({k: monthly for k in MONTH_KEYS})
    return row


def _budget(category: str, monthly: float) -> dict[str, Any]:
    return {"category": category, **{k: monthly for k in MONTH_KEYS}, "annual": monthly * 12}


def department_rows() -> dict[str, list[dict[str, Any]]]:
    """A department workbook that passes every rule (with ``standards_rows``, period 2026-03)."""
    return {
        "Plan": [_plan(e, i) for e in ("E001", "E002") for i in ("Signing", "Collection", "Expense", "Profit")],
        "Contracts": [
            dict(contract_no="C001", sign_date=D(2026, 1, 5), customer="Acme", employee_id="E001",
                 product_line="Widgets", amount=100000.0, status="Executing", delivered=50000.0, payment_terms=30),
            dict(contract_no="C002", sign_date=D(2026, 2, 3), customer="Beta", employee_id="E002",
                 product_line="Gadgets", amount=50000.0, status="Signed", delivered=0.0, payment_terms=60,
                 split_employee_id="E001", split_share=0.3),
            dict(contract_no="C003", sign_date=D(2025, 11, 10), customer="Gamma", employee_id="E001",
                 product_line="Widgets", amount=20000.0, status="Terminated", delivered=10000.0, payment_terms=30),
        ],
        "Collections": [
            dict(receipt_no="R001", receipt_date=D(2026, 1, 20), contract_no="C001", amount=30000.0, method="Bank Transfer"),
            dict(receipt_no="R002", receipt_date=D(2026, 2, 25), contract_no="C001", amount=20000.0, method="Cheque"),
            dict(receipt_no="R003", receipt_date=D(2026, 3, 10), contract_no="C002", amount=10000.0, method="Bank Transfer"),
            dict(receipt_no="R004", receipt_date=D(2026, 3, 12), contract_no="C001", amount=-1000.0, method="Bank Transfer"),
            dict(receipt_no="R005", receipt_date=D(2025, 12, 15), contract_no="C003", amount=5000.0, method="Cash"),
        ],
        "Expenses": [
            dict(claim_no="X001", date=D(2026, 3, 2), employee_id="E001", category="Travel", city="Shanghai", days=2,
                 amount=600.0, receipt=True, description="Client visit", approval="Approved", approver="E003"),
            dict(claim_no="X002", date=D(2026, 3, 3), employee_id="E002", category="Meals", city="Hangzhou", days=1,
                 amount=150.0, receipt=False, description="Lunch", approval="Pending", approver="E003"),
            dict(claim_no="X003", date=D(2026, 3, 4), employee_id="E001", category="Accommodation", city="Yiwu",
                 days=3, amount=600.0, receipt=True, description="Hotel", approval="Approved", approver="E003"),
            # 2026-02-14 is a Saturday and a make-up workday: not weekend spend.
            dict(claim_no="X004", date=D(2026, 2, 14), employee_id="E002", category="Transport", city="Shanghai",
                 days=1, amount=80.0, receipt=False, description="Taxi", approval="Approved", approver="E003"),
            dict(claim_no="X005", date=D(2026, 3, 5), employee_id="E001", category="Entertainment", city="Shanghai",
                 days=1, amount=900.0, receipt=True, description="Dinner", approval="Approved", approver="E003"),
        ],
        "Advances": [
            dict(slip_no="A001", date=D(2026, 1, 10), employee_id="E001", amount=3000.0, purpose="Travel",
                 due_date=D(2026, 4, 30), repaid=0.0),
            dict(slip_no="A002", date=D(2026, 1, 15), employee_id="E002", amount=2000.0, purpose="Expo",
                 due_date=D(2026, 2, 28), repaid=2000.0),
        ],
        "Leave": [
            # Thu 12 Feb .. Fri 20 Feb 2026: Thu, Fri, Sat 14 (make-up workday) work; 16-20 are holidays -> 3 days.
            dict(request_no="L001", employee_id="E001", type="Annual", start=D(2026, 2, 12), end=D(2026, 2, 20),
                 days=3, approval="Approved"),
            dict(request_no="L002", employee_id="E002", type="Sick", start=D(2026, 3, 5), end=D(2026, 3, 6),
                 days=2, approval="Approved"),
            dict(request_no="L003", employee_id="E001", type="Annual", start=D(2026, 3, 9), end=D(2026, 3, 13),
                 days=5, approval="Pending"),
        ],
        "Forecast": [
            dict(month=D(2026, 4, 1), expected_collections=50000.0, expected_spending=20000.0, notes="Q2"),
            dict(month=D(2026, 5, 1), expected_collections=40000.0, expected_spending=20000.0),
            dict(month=D(2026, 6, 1), expected_collections=30000.0, expected_spending=25000.0),
        ],
        "Feedback": [
            dict(date=D(2026, 3, 5), customer="Acme", product_line="Widgets", type="Complaint",
                 content="Late delivery", owner="E001", status="Open"),
        ],
        "Opportunities": [
            dict(opportunity_no="O001", customer="Acme", product_line="Widgets", route="Direct", stage="Won",
                 expected_amount=100000.0, expected_close=D(2026, 1, 1), employee_id="E001", contract_no="C001"),
            dict(opportunity_no="O002", customer="Beta", product_line="Widgets", route="Bid", stage="Lost",
                 expected_amount=50000.0, expected_close=D(2026, 2, 1), employee_id="E002", lost_reason="Price"),
            dict(opportunity_no="O003", customer="Delta", route="Online", stage="Proposal",
                 expected_amount=80000.0, expected_close=D(2026, 6, 1), employee_id="E001"),
        ],
        # the optional sheets of issue 31, empty
        "Reviews": [], "Training": [],
        # issue 28: the budget by category, adding up to the Plan's Expense rows (2 x 1,000) every month
        "Budget": [_budget("Travel", 1200.0), _budget("Advertising", 800.0)],
    }


_BASE_LIMIT = {"Travel": 400.0, "Accommodation": 350.0, "Meals": 200.0, "Entertainment": 1000.0,
               "Transport": 150.0, "Advertising": 20000.0, "Conference": 5000.0, "Other": 500.0}


def standards_rows() -> dict[str, list[dict[str, Any]]]:
    """The director's standards matching ``department_rows``."""
    policy = [
        dict(category=cat, grade=f"G{g}", city_tier=str(tier), limit=base * (1 + 0.1 * g) * (1.2 if tier == 1 else 1.0),
             per="Day" if cat in ("Travel", "Accommodation") else "Claim",
             receipt_over=None if cat == "Meals" else 200.0,
             severity="Blocking" if cat == "Entertainment" else "Warning")
        for cat, base in _BASE_LIMIT.items() for g in range(1, 6) for tier in (1, 2, 3)
    ]
    return {
        "Roster": [
            dict(employee_id="E001", name="Alice", department="East", role="Salesperson", grade="G2",
                 royalty_plan="P1", floating_base=5000.0, leave_days=10),
            dict(employee_id="E002", name="Bob", department="East", role="Salesperson", grade="G3",
                 royalty_plan="P1", floating_base=5000.0, leave_days=5),
            dict(employee_id="E003", name="Carol", department="East", role="Manager", grade="G4",
                 floating_base=8000.0, leave_days=15),
            dict(employee_id="E004", name="Dan", department="West", role="Salesperson", grade="G2",
                 royalty_plan="P1", floating_base=5000.0, leave_days=10),
        ],
        "RoyaltyPlans": [dict(plan="P1", basis="Collected", method="Marginal", gate=0.5, annual_cap=100000.0)],
        "RoyaltyTiers": [dict(plan="P1", from_pct=0.0, to_pct=1.0, rate=0.01), dict(plan="P1", from_pct=1.0, rate=0.02)],
        "ProductLines": [dict(product_line="Widgets", royalty_factor=1.0, gross_margin=0.3),
                         dict(product_line="Gadgets", royalty_factor=1.2, gross_margin=0.4)],
        "ExpensePolicy": policy,
        "Cities": [dict(city="Shanghai", tier="1"), dict(city="Hangzhou", tier="2"), dict(city="Yiwu", tier="3")],
        "Appraisal": [dict(indicator=i, weight=w) for i, w in
                      (("Signing", 0.3), ("Collection", 0.4), ("Expense", 0.1), ("Profit", 0.2))],
        "AppraisalBands": [dict(score_from=0.0, score_to=0.8, band_grade="C", coefficient=0.5),
                           dict(score_from=0.8, score_to=1.0, band_grade="B", coefficient=1.0),
                           dict(score_from=1.0, band_grade="A", coefficient=1.3)],
        "Holidays": [dict(date=D(2026, 1, 1), kind="Holiday"), dict(date=D(2026, 2, 14), kind="Workday"),
                     *(dict(date=D(2026, 2, d), kind="Holiday") for d in range(16, 21))],
        # the optional sheets later issues added (delegations, adjustments, payroll map, roster changes), empty
        "Delegations": [], "Adjustments": [], "PayrollMap": [], "RosterChanges": [],
        "Thresholds": [dict(name="Advance Limit", value=10000.0), dict(name="Receipt Threshold", value=200.0),
                       dict(name="Plan Tolerance", value=0.01), dict(name="Plausible Years", value=1.0)],
    }


def info_rows(department: str = DEPT, period: str | None = PERIOD, year: int = YEAR) -> dict[str, Any]:
    return {"department": department, "year": year, "period": period, "prepared_by": "Test",
            "template_version": TEMPLATE_VERSION}


def letter(kind: str, table: str, key: str) -> str:
    """The column letter where ``write_book`` puts column ``key`` of ``table``."""
    t = SCHEMAS[kind].table(table)
    return get_column_letter(t.first_column + t.keys.index(key))


def cell(table: str, key: str, index: int, kind: str = "department") -> str:
    """A1 address of the ``index``-th (0-based) data row's ``key`` cell."""
    return f"{letter(kind, table, key)}{index + 2}"


def _cell_value(col, value: Any, lang: str) -> Any:
    if value is None:
        return None
    if col.type is ColType.BOOL:
        return ("是" if value else "否") if lang == "zh" else ("Yes" if value else "No")
    if col.enum is not None and isinstance(value, str) and value in col.enum.values:
        return col.enum.label(value, lang)
    if col.type is ColType.DATE and isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if col.type is ColType.MONTH and isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, 1)
    return value


_FORMATS = {ColType.DATE: "yyyy-mm-dd", ColType.MONTH: "yyyy-mm", ColType.MONEY: "#,##0.00",
            ColType.PERCENT: "0%", ColType.INTEGER: "0"}


def write_book(path: Path, kind: str, tables: dict[str, list[dict[str, Any]]], info: dict[str, Any] | None = None,
               lang: str = "en") -> Path:
    """Write the rows as a real workbook of ``kind`` (each table an Excel table named after its key)."""
    schema = SCHEMAS[kind]
    wb = Workbook()
    ws_info = wb.active
    ws_info.title = schema.info_sheet(lang)
    ws_info.append(["Field" if lang == "en" else "项目", "Value" if lang == "en" else "值"])
    for field in schema.info:
        value = (info or {}).get(field.key)
        ws_info.append([field.label(lang), value])
    for table in schema.tables:
        if table.key not in tables:
            continue
        name = table.sheet(lang)
        ws = wb[name] if name in wb.sheetnames else wb.create_sheet(name)
        c0 = table.first_column
        for j, col in enumerate(table.columns):
            ws.cell(1, c0 + j, col.header(lang))
            ws.column_dimensions[get_column_letter(c0 + j)].width = max(12, len(col.header(lang)) + 4)
        rows = tables[table.key]
        for i, row in enumerate(rows, start=2):
            for j, col in enumerate(table.columns):
                c = ws.cell(i, c0 + j, _cell_value(col, row.get(col.key), lang))
                if col.type in _FORMATS:
                    c.number_format = _FORMATS[col.type]
        last = max(2, len(rows) + 1)
        ref = f"{get_column_letter(c0)}1:{get_column_letter(c0 + len(table.columns) - 1)}{last}"
        xt = XlTable(displayName=table.key, ref=ref)
        xt.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(xt)
    wb.save(path)
    return path


def read_book(path: Path) -> WorkbookData:
    """Read a workbook back with the toolkit's reader."""
    from toolkit.io.reader import read_workbook

    return read_workbook(str(path))


def department(tmp_path: Path, rows: dict | None = None, info: dict | None = None, lang: str = "en",
               name: str = "east.xlsx") -> WorkbookData:
    """Write and read back a department workbook (``rows`` default: the clean one)."""
    path = write_book(tmp_path / name, "department", rows if rows is not None else department_rows(),
                      info if info is not None else info_rows(), lang)
    return read_book(path)


def standards(tmp_path: Path, rows: dict | None = None, lang: str = "en") -> WorkbookData:
    path = write_book(tmp_path / "standards.xlsx", "standards", rows if rows is not None else standards_rows(),
                      {"template_version": TEMPLATE_VERSION}, lang)
    return read_book(path)


def fresh() -> dict[str, list[dict[str, Any]]]:
    """A deep copy of the clean department rows, to break."""
    return copy.deepcopy(department_rows())
