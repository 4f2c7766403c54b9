"""A small company for the payout ledger's scripted year (issue 20), and the ledger's rules recomputed
independently with plain Python arithmetic (never the toolkit's code): each person's YTD royalty and each
month's floating pay, from the rows as they stand.

Three departments: East (E001, E002 with a 30% split to E001, manager E003), West (E004) and North
(E006, and E005 until June — E005 moves to East from July; the Roster says East). One contract per
salesperson per month, paid 60% on the 20th and 40% on the 10th of the next month. The appraisal counts
Collection only (weight 100%), so floating pay is the Floating Base × the band's coefficient of
min(YTD collection completion, 120%); managers on their department's.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import payout_year
from ledger_factory import plan_row
from validation_factory import standards_rows as validation_standards

D = dt.date
#: Who sells where (E005 sells in North until June, in East from July).
SELLERS = {"East": ("E001", "E002"), "West": ("E004",), "North": ("E006",)}
MOVER, MOVED_IN = "E005", 7
BASES = {"E001": 5000.0, "E002": 5000.0, "E003": 8000.0, "E004": 5000.0, "E005": 4000.0, "E006": 4500.0}
GATE, CAP, RATE_IN, RATE_OVER = 0.5, 90000.0, 0.01, 0.025
FACTOR = {"Widgets": 1.0, "Gadgets": 1.2}
BANDS = ((0.8, 0.5), (1.0, 1.0), (None, 1.3))  # (score below, coefficient)
MONTHLY = {"Signing": 90000.0, "Collection": 60000.0, "Expense": 2000.0, "Profit": 10000.0}


def cents(x: Decimal | float) -> int:
    """Round half away from zero to cents, as integer cents."""
    return int((Decimal(str(x)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def standards_rows() -> dict[str, list[dict[str, Any]]]:
    rows = validation_standards()
    rows["Roster"] = rows["Roster"] + [
        dict(employee_id="E005", name="Eve", department="East", role="Salesperson", grade="G2", royalty_plan="P1",
             floating_base=BASES["E005"], leave_days=10),
        dict(employee_id="E006", name="Fay", department="North", role="Salesperson", grade="G2", royalty_plan="P1",
             floating_base=BASES["E006"], leave_days=10)]
    rows["RoyaltyPlans"] = [dict(plan="P1", basis="Collected", method="Marginal", gate=GATE, annual_cap=CAP)]
    rows["RoyaltyTiers"] = [dict(plan="P1", from_pct=0.0, to_pct=1.0, rate=RATE_IN),
                            dict(plan="P1", from_pct=1.0, rate=RATE_OVER)]
    rows["Appraisal"] = [dict(indicator="Collection", weight=1.0)]
    rows["Thresholds"] = [dict(name="Plausible Years", value=1.0)]
    return rows


def _months(emp: str, dept: str, y: int) -> list[int]:
    if emp != MOVER:
        return list(range(1, 13))
    if y > 2026:
        return list(range(1, 13)) if dept == "East" else []
    return list(range(1, MOVED_IN)) if dept == "North" else list(range(MOVED_IN, 13))


@dataclass
class Company(payout_year.Company):
    """Rows by department (as dicts), Plans by department and year; tests add, change and remove rows
    (``payout_year.Company`` writes the workbooks)."""

    @classmethod
    def build(cls) -> Company:
        c = cls()
        for dept, sellers in SELLERS.items():
            c.rows[dept] = {"Contracts": [], "Collections": []}
            c.plans[dept] = {}
            people = sellers + ((MOVER,) if dept in ("East", "North") else ())
            for y in (2026, 2027):
                plans = []
                for emp in people:
                    months = _months(emp, dept, y)
                    for ind, v in MONTHLY.items():
                        scale = 1.2 if y == 2027 else 1.0
                        plans.append(plan_row(emp, ind, [round(v * scale, 2) if m in months else 0.0
                                                         for m in range(1, 13)]))
                    for m in [m for m in months if y == 2026 or m <= 2]:  # 2026 and early 2027
                        i = int(emp[1:])
                        no = f"{dept[0]}{y % 100}{m:02d}{emp}"
                        amount = 64000.0 + 3000.0 * i + 1500.0 * m
                        split = dict(split_employee_id="E001", split_share=0.3) if emp == "E002" else {}
                        c.rows[dept]["Contracts"].append(dict(
                            contract_no=no, sign_date=D(y, m, 5), customer=f"Customer {m}", employee_id=emp,
                            product_line="Gadgets" if m % 3 == 0 else "Widgets", amount=amount, status="Executing",
                            delivered=amount, payment_terms=30, **split))
                        c.rows[dept]["Collections"].append(dict(receipt_no=f"R{no}a", receipt_date=D(y, m, 20),
                                                                contract_no=no, amount=round(amount * 0.6, 2),
                                                                method="Bank Transfer"))
                        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
                        c.rows[dept]["Collections"].append(dict(receipt_no=f"R{no}b", receipt_date=D(ny, nm, 10),
                                                                contract_no=no, amount=round(amount * 0.4, 2),
                                                                method="Bank Transfer"))
                c.plans[dept][y] = plans
        return c

    def standards(self) -> dict[str, list[dict[str, Any]]]:
        return standards_rows()

    def snapshot(self) -> Company:
        """The company as it stands (the test keeps one per close to recompute what that close saw)."""
        return copy.deepcopy(self)

    # -- the rules, recomputed independently ----------------------------------------------------------
    def _dated(self, depts: set[str], year: int, month: int) -> list[tuple[str, str, dt.date, Decimal, str]]:
        """(employee, department, receipt date, credited amount, product line) of every receipt of ``year`` up
        to ``month`` in ``depts``: the owner's share and the split's."""
        out = []
        for dept in depts:
            contracts = {c["contract_no"]: c for c in self.rows[dept]["Contracts"]}
            for r in self.rows[dept]["Collections"]:
                d = r["receipt_date"]
                if d.year != year or d.month > month or r["contract_no"] not in contracts:
                    continue
                c = contracts[r["contract_no"]]
                amount = Decimal(str(r["amount"]))
                share = Decimal(str(c.get("split_share") or 0))
                out.append((c["employee_id"], dept, d, amount * (1 - share), c["product_line"]))
                if c.get("split_employee_id"):
                    out.append((c["split_employee_id"], dept, d, amount * share, c["product_line"]))
        return out

    def _credits(self, depts: set[str], year: int, month: int) -> list[tuple[str, str, int, Decimal, str]]:
        """``_dated`` with the receipt's month instead of its date."""
        return [(e, dept, d.month, b, pl) for e, dept, d, b, pl in self._dated(depts, year, month)]

    def _target(self, depts: set[str], year: int, month: int, emp: str | None = None,
                dept_only: str | None = None) -> Decimal:
        total = Decimal(0)
        for dept in depts:
            if dept_only and dept != dept_only:
                continue
            for row in self.plans[dept][year]:
                if row["indicator"] == "Collection" and (emp is None or row["employee_id"] == emp):
                    total += sum(Decimal(str(row[f"m{m:02d}"])) for m in range(1, month + 1))
        return total

    def _earns(self, emp: str, date: dt.date) -> bool:
        """Whether a receipt dated ``date`` earns ``emp`` royalty (always, here)."""
        return True

    def royalty(self, emp: str, depts: set[str], year: int, month: int) -> int:
        """round(R) in cents: marginal tiers on the YTD credited base against the YTD Collection target."""
        mine = [(b, FACTOR[pl]) for e, _, d, b, pl in self._dated(depts, year, month) if e == emp and self._earns(e, d)]
        base = sum((b for b, _ in mine), Decimal(0))
        target = self._target(depts, year, month, emp)
        if base <= 0 or target <= 0 or base / target < Decimal(str(GATE)):
            return 0
        tier = Decimal(str(RATE_IN)) * min(base, target) + Decimal(str(RATE_OVER)) * max(Decimal(0), base - target)
        weighted = sum((b * Decimal(str(f)) for b, f in mine), Decimal(0))
        return cents(min(Decimal(str(CAP)), weighted * tier / base))

    def floating(self, emp: str, depts: set[str], year: int, month: int) -> int:
        """Floating pay of ``month`` in cents: base × the band coefficient of min(YTD completion, 120%)."""
        credits = self._credits(depts, year, month)
        if emp == "E003":  # the manager: East's completion
            by_month: dict[int, Decimal] = {}
            for _, dept, m, b, _ in credits:
                if dept == "East":
                    by_month[m] = by_month.get(m, Decimal(0)) + b
            target = self._target(depts, year, month, dept_only="East")
        else:
            by_month = {}
            for e, _, m, b, _ in credits:
                if e == emp:
                    by_month[m] = by_month.get(m, Decimal(0)) + b
            target = self._target(depts, year, month, emp)
        actual = sum((Decimal(cents(v)) / 100 for v in by_month.values()), Decimal(0))
        score = min(actual / target, Decimal("1.2"))
        coefficient = next(c for below, c in BANDS if below is None or score < Decimal(str(below)))
        return cents(Decimal(str(BASES[emp])) * Decimal(str(coefficient)))
