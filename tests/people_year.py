"""A year with a hire and a leaver (issue 23), on ``ledger_year``'s company, and the rules recomputed
independently with plain Python (dates walked one by one, ``Decimal`` money; never the toolkit's code).

West gains Gus (E007) on Wednesday 15 April 2026 and loses Dan (E004) on Wednesday 16 September 2026. Dan's
September contract is paid after he left (60% on 20 September, 40% on 10 October): with the Thresholds option
``Pay Leavers On Later Receipts`` at 0 those receipts earn him nothing. Holidays: Monday 6 April off,
Saturday 26 September a make-up workday. Floating pay of the start and leave months is base × coefficient ×
working days employed ÷ working days of the month; none before the start month or after the leave month.
Roster Changes: Alice (E001) promoted with a new base on 1 June (from June), Bob (E002) a new base dated
10 June (from July: a change inside a month counts from the next), Eve (E005) transferred from North to East on
1 July (the Roster says North). Royalty: plan P1's tiers change from July (Valid From 2026-07: not retroactive,
so every P1 year is cut in two segments, Jan–Jun and Jul–Dec, each its own year to date); from the October close,
Fay (E006) is on plan P2 by a Retroactive correction dated 1 October (from January, one segment).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ledger_year
from ledger_factory import plan_row
from ledger_year import BANDS, CAP, FACTOR, GATE, MONTHLY, RATE_IN, RATE_OVER, cents

D = dt.date
HIRE, HIRED = "E007", D(2026, 4, 15)
LEAVER, LEFT = "E004", D(2026, 9, 16)
BASES = {**ledger_year.BASES, HIRE: 6000.0}
HOLIDAYS = {D(2026, 4, 6): "Holiday", D(2026, 9, 26): "Workday"}
#: Roster Changes: Alice promoted on 1 June (counts from June), Bob's new base dated 10 June (counts from July)
CHANGES = [dict(employee_id="E001", effective_from=D(2026, 6, 1), grade="G3", floating_base=7000.0),
           dict(employee_id="E002", effective_from=D(2026, 6, 10), floating_base=5500.0),
           dict(employee_id="E005", effective_from=D(2026, 7, 1), department="East")]
#: P1's tiers from July (Valid From 2026-07), and plan P2 (Fay's from January, by October's retroactive correction)
NEW_TIERS, NEW_FROM = (0.012, 0.03), 7
P2 = (0.015, 0.035)
CORRECTED, CORRECTION = "E006", dict(employee_id="E006", effective_from=D(2026, 10, 1), royalty_plan="P2",
                                     retroactive="Yes")


def base(emp: str, month: int) -> float:
    """Floating Base of ``emp`` in a 2026 month, from the Roster and ``CHANGES`` (the rule, by hand)."""
    if emp == "E001" and month >= 6:
        return 7000.0
    if emp == "E002" and month >= 7:
        return 5500.0
    return BASES[emp]


def working_days(first: dt.date, last: dt.date) -> int:
    """Working days from ``first`` to ``last`` inclusive: weekdays not on holiday, plus make-up workdays."""
    n, d = 0, first
    while d <= last:
        kind = HOLIDAYS.get(d)
        n += kind == "Workday" or (d.weekday() < 5 and kind != "Holiday")
        d += dt.timedelta(days=1)
    return n


def share(emp: str, year: int, month: int) -> tuple[int, int]:
    """(working days employed, working days of the month)."""
    first = D(year, month, 1)
    last = (D(year + 1, 1, 1) if month == 12 else D(year, month + 1, 1)) - dt.timedelta(days=1)
    start = max(first, HIRED) if emp == HIRE else first
    end = min(last, LEFT) if emp == LEAVER else last
    return (working_days(start, end) if end >= start else 0), working_days(first, last)


@dataclass
class Company(ledger_year.Company):
    """``ledger_year.Company`` with Gus hired in April and Dan leaving in September (2026 only)."""

    pay_later: bool = False
    #: October's retroactive correction is in the standards (from the October close on)
    corrected: bool = False

    @classmethod
    def build(cls) -> Company:
        c = super().build()
        west = c.rows["West"]
        keep = {r["contract_no"] for r in west["Contracts"]
                if r["employee_id"] != LEAVER or r["sign_date"] <= LEFT}
        west["Contracts"] = [r for r in west["Contracts"] if r["contract_no"] in keep]
        west["Collections"] = [r for r in west["Collections"] if r["contract_no"] in keep]
        for m in range(HIRED.month, 13):
            no = f"W26{m:02d}{HIRE}"
            amount = 58000.0 + 1700.0 * m
            west["Contracts"].append(dict(contract_no=no, sign_date=max(D(2026, m, 5), HIRED), customer=f"New {m}",
                                          employee_id=HIRE, product_line="Gadgets" if m % 2 else "Widgets",
                                          amount=amount, status="Executing", delivered=amount, payment_terms=30))
            west["Collections"].append(dict(receipt_no=f"R{no}a", receipt_date=D(2026, m, 20), contract_no=no,
                                            amount=round(amount * 0.6, 2), method="Bank Transfer"))
        for y in (2026, 2027):
            plans = [r for r in c.plans["West"][y] if r["employee_id"] != LEAVER]
            months = range(1, LEFT.month + 1) if y == 2026 else ()
            plans += [plan_row(LEAVER, ind, [v if m in months else 0.0 for m in range(1, 13)])
                      for ind, v in MONTHLY.items()]
            hired = range(HIRED.month, 13) if y == 2026 else range(1, 13)
            plans += [plan_row(HIRE, ind, [v if m in hired else 0.0 for m in range(1, 13)])
                      for ind, v in MONTHLY.items()]
            c.plans["West"][y] = plans
        return c

    def standards(self) -> dict[str, list[dict[str, Any]]]:
        rows = ledger_year.standards_rows()
        roster = [dict(r, leave_date=LEFT) if r["employee_id"] == LEAVER else
                  dict(r, department="North") if r["employee_id"] == "E005" else dict(r) for r in rows["Roster"]]
        roster.append(dict(employee_id=HIRE, name="Gus", department="West", role="Salesperson", grade="G1",
                           royalty_plan="P1", floating_base=BASES[HIRE], leave_days=5, start_date=HIRED))
        rows["Roster"] = roster
        rows["Holidays"] = [dict(date=d, kind=k) for d, k in HOLIDAYS.items()]
        rows["RosterChanges"] = [dict(c) for c in CHANGES] + ([dict(CORRECTION)] if self.corrected else [])
        july = D(2026, NEW_FROM, 1)
        rows["RoyaltyTiers"] = rows["RoyaltyTiers"] + [
            dict(plan="P1", from_pct=0.0, to_pct=1.0, rate=NEW_TIERS[0], valid_from=july),
            dict(plan="P1", from_pct=1.0, rate=NEW_TIERS[1], valid_from=july),
            dict(plan="P2", from_pct=0.0, to_pct=1.0, rate=P2[0]), dict(plan="P2", from_pct=1.0, rate=P2[1])]
        rows["RoyaltyPlans"] = rows["RoyaltyPlans"] + [
            dict(plan="P2", basis="Collected", method="Marginal", gate=GATE, annual_cap=CAP)]
        if self.pay_later:
            rows["Thresholds"] = rows["Thresholds"] + [dict(name="Pay Leavers On Later Receipts", value=1.0)]
        return rows

    # -- the rules, recomputed independently ----------------------------------------------------------
    def _earns(self, emp: str, date: dt.date) -> bool:
        """Receipts after the leaver's last day earn nothing (unless ``pay_later``)."""
        return self.pay_later or emp != LEAVER or date <= LEFT

    def segments(self, emp: str) -> list[tuple[int, int, tuple[float, float]]]:
        """(first month, last month, (rate up to 100%, rate over)) of each of ``emp``'s royalty segments."""
        if emp == CORRECTED and self.corrected:
            return [(1, 12, P2)]
        return [(1, NEW_FROM - 1, (RATE_IN, RATE_OVER)), (NEW_FROM, 12, NEW_TIERS)]

    def royalty(self, emp: str, depts: set[str], year: int, month: int) -> int:
        """round(R) in cents by the segment rule: each segment its own year to date (base, target, gate, marginal
        tiers), weighted by product line; R = min(cap, Σ segments)."""
        total = Decimal(0)
        for first, last, (rate_in, rate_over) in self.segments(emp):
            upto = min(last, month)
            if first > upto:
                continue
            mine = [(b, FACTOR[pl]) for e, _, d, b, pl in self._dated(depts, year, upto)
                    if e == emp and d.month >= first and self._earns(e, d)]
            base = sum((b for b, _ in mine), Decimal(0))
            target = sum((Decimal(str(row[f"m{m:02d}"])) for dept in depts for row in self.plans[dept][year]
                          if row["indicator"] == "Collection" and row["employee_id"] == emp
                          for m in range(first, upto + 1)), Decimal(0))
            if base <= 0 or target <= 0 or base / target < Decimal(str(GATE)):
                continue
            tier = Decimal(str(rate_in)) * min(base, target) + Decimal(str(rate_over)) * max(Decimal(0), base - target)
            weighted = sum((b * Decimal(str(f)) for b, f in mine), Decimal(0))
            total += weighted * tier / base
        return cents(min(Decimal(str(CAP)), total))

    def floating(self, emp: str, depts: set[str], year: int, month: int) -> int | None:
        """Floating pay of ``month`` in cents, prorated in the start and leave months; None when not employed."""
        worked, total = share(emp, year, month)
        if not worked:
            return None
        if emp == "E003":
            return super().floating(emp, depts, year, month)
        by_month: dict[int, Decimal] = {}
        for e, _, m, b, _ in self._credits(depts, year, month):
            if e == emp:
                by_month[m] = by_month.get(m, Decimal(0)) + b
        actual = sum((Decimal(cents(v)) / 100 for v in by_month.values()), Decimal(0))
        score = min(actual / self._target(depts, year, month, emp), Decimal("1.2"))
        coefficient = next(c for below, c in BANDS if below is None or score < Decimal(str(below)))
        return cents(Decimal(str(base(emp, month))) * Decimal(str(coefficient)) * worked / total)
