"""A small company over a year and a half, as department workbooks written by the toolkit, for the payout
ledger tests: two departments, monthly contracts and receipts, a split, a 2026 and a 2027 Plan.

``Company`` keeps the rows as dicts; ``write(folder, period)`` writes each department's rolling register as
it stands at ``period`` (rows dated up to the period's end, plus late entries the test added) with the
toolkit's own workbook writer, and the standards workbook.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledger_factory import plan_row, typed
from validation_factory import standards_rows as validation_standards
from toolkit.io.templates import write_workbook
from toolkit.schema import DEPARTMENT, STANDARDS

D = dt.date
DEPTS = {"East": ("E001", "E002"), "West": ("E004",)}


def standards_rows() -> dict[str, list[dict[str, Any]]]:
    """The validation tests' standards (Roster: E001, E002 on plan P1 and manager E003 in East, E004 in West)
    with a marginal plan P1 that has a cap, and the shipped Plausible Years."""
    rows = validation_standards()
    rows["RoyaltyPlans"] = [dict(plan="P1", basis="Collected", method="Marginal", gate=0.5, annual_cap=90000.0)]
    rows["RoyaltyTiers"] = [dict(plan="P1", from_pct=0.0, to_pct=1.0, rate=0.01),
                            dict(plan="P1", from_pct=1.0, rate=0.025)]
    rows["Thresholds"] = [dict(name="Plausible Years", value=1.0)]
    return rows


#: Standards workbooks written so far, by their rows' repr: the writer gives the same bytes for the same rows
#: (tests/test_writer.py), so a scripted year writes its standards once and copies them into each month's folder.
_STANDARDS_BYTES: dict[str, bytes] = {}


def write_standards(path: Path, rows: dict[str, list[dict[str, Any]]]) -> Path:
    """The standards workbook of ``rows`` at ``path``, written by the toolkit (the bytes of an earlier write of
    the same rows, copied)."""
    key = repr(rows)
    data = _STANDARDS_BYTES.get(key)
    if data is None:
        write_workbook(path, STANDARDS, "en", frames={k: typed(STANDARDS.table(k), v) for k, v in rows.items()})
        _STANDARDS_BYTES[key] = path.read_bytes()
    else:
        path.write_bytes(data)
    return path


def _plans(employees: tuple[str, ...], scale: float) -> list[dict[str, Any]]:
    monthly = {"Signing": 90000.0, "Collection": 60000.0, "Expense": 2000.0, "Profit": 10000.0}
    return [plan_row(e, ind, [round(v * scale, 2)] * 12) for e in employees for ind, v in monthly.items()]


@dataclass
class Company:
    """Each department's rows (by table key) and Plan per year; tests add late rows between closes."""

    rows: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    plans: dict[str, dict[int, list[dict[str, Any]]]] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)  # departments written with a blocking error
    not_rolled: set[str] = field(default_factory=set)  # departments whose workbook keeps last year's Info Year

    @classmethod
    def build(cls) -> Company:
        """Contracts signed each month of 2026 and January 2027 by every salesperson (E002's with a 30% split
        to E001), each paid in two receipts: 60% on the 20th, 40% on the 10th of the next month."""
        company = cls()
        for dept, emps in DEPTS.items():
            contracts, receipts = [], []
            for i, emp in enumerate(emps):
                for y, m in [(2026, m) for m in range(1, 13)] + [(2027, 1)]:
                    no = f"{dept[0]}C{y % 100:02d}{m:02d}{i}"
                    amount = 70000.0 + 5000.0 * i + 1000.0 * m
                    split = dict(split_employee_id="E001", split_share=0.3) if emp == "E002" else {}
                    contracts.append(dict(contract_no=no, sign_date=D(y, m, 5), customer=f"Customer {m}",
                                          employee_id=emp, product_line="Gadgets" if m % 3 == 0 else "Widgets",
                                          amount=amount, status="Executing", delivered=amount, payment_terms=30,
                                          **split))
                    receipts.append(dict(receipt_no=f"R{no}a", receipt_date=D(y, m, 20), contract_no=no,
                                         amount=round(amount * 0.6, 2), method="Bank Transfer"))
                    ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
                    receipts.append(dict(receipt_no=f"R{no}b", receipt_date=D(ny, nm, 10), contract_no=no,
                                         amount=round(amount * 0.4, 2), method="Bank Transfer"))
            company.rows[dept] = {"Contracts": contracts, "Collections": receipts}
            company.plans[dept] = {2026: _plans(emps, 1.0), 2027: _plans(emps, 1.2)}
        return company

    def add(self, dept: str, table: str, **row: Any) -> None:
        """A row entered late (any date)."""
        self.rows[dept][table].append(row)

    def remove(self, dept: str, table: str, key: str, value: str) -> None:
        """Delete a row (e.g. a receipt entered by mistake)."""
        self.rows[dept][table] = [r for r in self.rows[dept][table] if r[key] != value]

    def change(self, dept: str, table: str, key: str, value: str, **changes: Any) -> None:
        for r in self.rows[dept][table]:
            if r[key] == value:
                r.update(changes)

    def standards(self) -> dict[str, list[dict[str, Any]]]:
        """The standards workbook's rows (a subclass may change them)."""
        return standards_rows()

    def write(self, folder: Path, period: str) -> Path:
        """The standards and each department's workbook as it stands at ``period``, written by the toolkit."""
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.xlsx"):
            old.unlink()
        write_standards(folder / "standards.xlsx", self.standards())
        year, month = int(period[:4]), int(period[5:7])
        end = D(year + 1, 1, 1) if month == 12 else D(year, month + 1, 1)
        for dept, tables in self.rows.items():
            info_year = year - 1 if dept in self.not_rolled else year
            frames = {
                "Contracts": [r for r in tables["Contracts"] if r["sign_date"] < end],
                "Collections": [r for r in tables["Collections"] if r["receipt_date"] < end],
                "Plan": copy.deepcopy(self.plans[dept][info_year]),
            }
            if dept in self.broken:  # a receipt for a contract that does not exist: an error finding
                frames["Collections"] = frames["Collections"] + [dict(
                    receipt_no="BROKEN-1", receipt_date=D(year, month, 1), contract_no="NO-SUCH", amount=1.0,
                    method="Cash")]
            info = {"department": dept, "year": info_year, "period": period, "prepared_by": "Test"}
            write_department(folder / f"dept-{dept.lower()}.xlsx", frames, info)
        return folder


#: Department workbooks written so far, by their rows' and Info's repr: a scripted year run on each store backend
#: (and the tests that close the same months again) writes each month's workbook once and copies its bytes.
_DEPARTMENT_BYTES: dict[str, bytes] = {}


def write_department(path: Path, rows: dict[str, list[dict[str, Any]]], info: dict[str, Any]) -> Path:
    """The department workbook of ``rows`` and ``info`` at ``path``, written by the toolkit (the bytes of an earlier
    write of the same rows and Info, copied: the writer gives the same bytes for the same input)."""
    key = repr((rows, info))
    data = _DEPARTMENT_BYTES.get(key)
    if data is None:
        write_workbook(path, DEPARTMENT, "en", frames={k: typed(DEPARTMENT.table(k), v) for k, v in rows.items()},
                       info=info)
        _DEPARTMENT_BYTES[key] = path.read_bytes()
    else:
        path.write_bytes(data)
    return path
