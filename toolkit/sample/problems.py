"""The deliberate data problems of the one "dirty" department, one of each kind validation knows.

Each problem either edits a cell of an existing row or appends a row at the end of its table (as
staff add this month's entries), and is recorded as a ``Problem`` so the README and the tests can
name its sheet and cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from openpyxl.utils import get_column_letter

from ..schema import DEPARTMENT, MONTH_KEYS
from .frames import typed_frame
from .names import CITY_TIERS, DeptSpec
from .standards import policy_limit
from ..money import fmt_money

#: Dates of the appended rows: working days in October 2026 after the National Day holiday.
ENTRY_DATES = ("2026-10-19", "2026-10-20", "2026-10-21", "2026-10-22", "2026-10-23", "2026-10-26")
UNKNOWN_EMPLOYEE = "E2099"
PLAN_OVERSTATEMENT = 50_000.0


@dataclass(frozen=True)
class Problem:
    """One deliberate problem: the finding code it must raise, where, and what was done."""

    code: str
    table: str
    row: int  # 0-based position in the frame (the sheet row is row + 2: header in row 1)
    column: str  # schema column key
    what: str

    def sheet(self, lang: str) -> str:
        """The sheet name in ``lang``."""
        return DEPARTMENT.table(self.table).sheet(lang)

    def cell(self) -> str:
        """A1 address of the problem cell (tables start in row 1 with their header)."""
        table = DEPARTMENT.table(self.table)
        return f"{get_column_letter(table.first_column + table.keys.index(self.column))}{self.row + 2}"


def _append(frames: dict[str, pd.DataFrame], key: str, row: dict) -> int:
    """Append a row (raw values allowed) and return its 0-based position."""
    frame = frames[key]
    frames[key] = pd.concat([frame.astype("object"), pd.DataFrame([row])], ignore_index=True)
    return len(frames[key]) - 1


def _next_no(series: pd.Series, offset: int = 1) -> str:
    """The document number after the highest one of 2026 in ``series`` (``NC-BX2026-0312`` → ``-0313``)."""
    last = sorted(v for v in series.dropna() if "2026-" in v)[-1]
    prefix, seq = last.rsplit("-", 1)
    return f"{prefix}-{int(seq) + offset:0{len(seq)}d}"


def _expense_row(claims: pd.Series, person: pd.Series | dict, category: str, city: str, days: int | None,
                 amount: float, receipt: bool, date: str, text: str, offset: int) -> dict:
    """A pending claim numbered ``offset`` after the last 2026 claim in ``claims``."""
    return {"claim_no": _next_no(claims, offset), "date": pd.Timestamp(date),
            "employee_id": person["employee_id"], "category": category, "city": city, "days": days,
            "amount": amount, "receipt": receipt, "description": text, "approval": "Pending", "approver": None}


def inject_problems(dept: DeptSpec, frames: dict[str, pd.DataFrame], people: pd.DataFrame) -> list[Problem]:
    """Add one problem of each kind to ``frames`` (modified in place); return where each one is."""
    staff = people[people["dept_key"] == dept.key]
    sales = staff[staff["role"] == "Salesperson"].reset_index(drop=True)
    g2 = sales[sales["grade"] == "G2"].iloc[0]
    contracts, collections = frames["Contracts"], frames["Collections"]
    problems: list[Problem] = []

    # type-error: "O" typed for "0" in a money cell.
    executing = contracts.index[(contracts["status"] == "Executing") & (contracts["sign_date"].dt.year == 2026)]
    i = int(executing[0])
    typo = fmt_money(contracts.loc[i, 'delivered'], grouped=True).replace("0", "O")
    frames["Contracts"] = contracts = contracts.astype({"delivered": "object"})
    contracts.loc[i, "delivered"] = typo
    problems.append(Problem("type-error", "Contracts", i, "delivered",
                            f"Delivered typed as text {typo!r} (letter O for zero)"))

    # plan-annual-mismatch: the Annual of one row was not updated after the months were cut.
    plan = frames["Plan"]
    i = int(plan.index[(plan["employee_id"] == sales.loc[2, "employee_id"]) & (plan["indicator"] == "Collection")][0])
    plan.loc[i, "annual"] = plan.loc[i, list(MONTH_KEYS)].sum() + PLAN_OVERSTATEMENT
    problems.append(Problem("plan-annual-mismatch", "Plan", i, "annual",
                            f"Annual is {fmt_money(PLAN_OVERSTATEMENT, grouped=True, digits=0)} more than the sum of Jan..Dec"))

    # duplicate-key: a new contract given the number of an existing one.
    unpaid = ~contracts["contract_no"].isin(collections["contract_no"])
    i = int(contracts.index[(contracts["status"] == "Signed") & unpaid][-1])
    dup = contracts.loc[i].to_dict() | {"customer": contracts.loc[i - 5, "customer"], "amount": 186_000.0,
                                         "delivered": 0.0, "sign_date": pd.Timestamp(ENTRY_DATES[0])}
    row = _append(frames, "Contracts", dup)
    problems.append(Problem("duplicate-key", "Contracts", row, "contract_no",
                            f"Contract No {dup['contract_no']} used a second time (first in row {i + 2})"))

    # collection-exceeds-contract: the final receipt of a fully paid contract entered twice (same date).
    paid = collections.groupby("contract_no")["amount"].sum()
    full = contracts[(contracts["status"] == "Completed") & contracts["contract_no"].map(paid).eq(contracts["amount"])]
    no = full["contract_no"].iloc[-1]
    last = collections[collections["contract_no"] == no].iloc[-1]
    row = _append(frames, "Collections", last.to_dict() | {"receipt_no": _next_no(collections["receipt_no"])})
    problems.append(Problem("collection-exceeds-contract", "Collections", row, "amount",
                            f"Receipt {last['receipt_no']} of {fmt_money(last['amount'], grouped=True)} on fully paid contract {no} "
                            "entered again"))

    # unknown-contract: a receipt for a contract number that does not exist.
    ghost = _next_no(contracts["contract_no"].astype("str"), offset=50)
    row = _append(frames, "Collections", {"receipt_no": _next_no(collections["receipt_no"], 2),
                                          "receipt_date": pd.Timestamp(ENTRY_DATES[2]), "contract_no": ghost,
                                          "amount": 120_000.0, "method": "Bank Transfer"})
    problems.append(Problem("unknown-contract", "Collections", row, "contract_no",
                            f"Receipt for contract {ghost}, which is not on the Contracts sheet"))

    # unknown-employee, over-policy-limit, receipt-missing, duplicate-claim on the Expenses sheet.
    expenses = frames["Expenses"]
    home, second, claims = dept.cities[0], dept.cities[1], expenses["claim_no"]
    stranger = {"employee_id": UNKNOWN_EMPLOYEE}
    row = _append(frames, "Expenses", _expense_row(claims, stranger, "Transport", home, None, 186.5, True,
                                                  ENTRY_DATES[0], "Taxi to airport", 1))
    problems.append(Problem("unknown-employee", "Expenses", row, "employee_id",
                            f"Employee ID {UNKNOWN_EMPLOYEE} is not in the Roster"))
    limit = policy_limit("Entertainment", g2["grade"], CITY_TIERS[home])
    amount = round(limit * 1.62, 2)
    row = _append(frames, "Expenses", _expense_row(claims, g2, "Entertainment", home, None, amount, True,
                                                  ENTRY_DATES[3], "Customer banquet", 2))
    problems.append(Problem("over-policy-limit", "Expenses", row, "amount",
                            f"Entertainment {fmt_money(amount, grouped=True)} over the {fmt_money(limit, grouped=True, digits=0)} limit (grade {g2['grade']}, "
                            f"tier {CITY_TIERS[home]} city)"))
    nights = 2
    amount = round(policy_limit("Accommodation", g2["grade"], CITY_TIERS[second]) * nights * 0.86, 2)
    row = _append(frames, "Expenses", _expense_row(claims, g2, "Accommodation", second, nights, amount, False,
                                                  ENTRY_DATES[4], "Hotel, two nights", 3))
    problems.append(Problem("receipt-missing", "Expenses", row, "receipt",
                            f"Accommodation {fmt_money(amount, grouped=True)}, within the limit but without a receipt"))
    original = int(expenses.index[(expenses["date"] >= "2026-10-01") & (expenses["category"] == "Entertainment")][0])
    copy = expenses.loc[original].to_dict() | {"claim_no": _next_no(expenses["claim_no"], 4),
                                               "approval": "Pending", "approver": None}
    row = _append(frames, "Expenses", copy)
    problems.append(Problem("duplicate-claim", "Expenses", row, "claim_no",
                            f"Claim {expenses.loc[original, 'claim_no']} (row {original + 2}) claimed again"))

    # leave-overlap: a personal-leave request inside an approved annual leave.
    leave = frames["Leave"]
    annual = leave[(leave["type"] == "Annual") & (leave["days"] >= 2)].iloc[0]
    row = _append(frames, "Leave", {"request_no": _next_no(leave["request_no"]), "employee_id": annual["employee_id"],
                                    "type": "Personal", "start": annual["end"], "end": annual["end"],
                                    "days": 1.0, "approval": "Pending"})
    problems.append(Problem("leave-overlap", "Leave", row, "start",
                            f"{annual['employee_id']} asks for {annual['end']:%Y-%m-%d}, already inside "
                            f"annual leave {annual['request_no']}"))

    # formula-error: a spreadsheet error value in a money cell.
    frames["Forecast"] = frames["Forecast"].astype({"expected_spending": "object"})
    frames["Forecast"].loc[0, "expected_spending"] = "#DIV/0!"
    problems.append(Problem("formula-error", "Forecast", 0, "expected_spending", "The cell holds #DIV/0!"))

    for key in ("Contracts", "Collections", "Expenses", "Leave"):
        frames[key] = _retype(key, frames[key])
    return problems


def _retype(key: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Restore schema dtypes after appending; columns holding deliberate raw values stay ``object``."""
    raw = [c for c in frame.columns if frame[c].map(lambda v: isinstance(v, str) and c not in _TEXT[key]).any()]
    typed = typed_frame(DEPARTMENT.table(key), frame.drop(columns=raw))
    for c in raw:
        typed[c] = frame[c].to_numpy()
    return typed[DEPARTMENT.table(key).keys]


_TEXT = {t.key: {c.key for c in t.columns if c.type.value == "text"} for t in DEPARTMENT.tables}
