"""Indicator completion: a hand-worked department, RAG edges, split shares, blanks and errors."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from ledger_factory import department_book, ledger, plan_row, standards_book

from toolkit.core.completion import (
    TIME_PROGRESS, RagSettings, completion_table, compute_completion, parse_period, time_progress,
)
from toolkit.errors import ToolkitError

ROSTER = [
    dict(employee_id="E1", name="Ann", department="East", role="Salesperson", grade="G2"),
    dict(employee_id="E2", name="Bob", department="East", role="Salesperson", grade="G2"),
    dict(employee_id="W1", name="Wu", department="West", role="Salesperson", grade="G3"),
]
LINES = [
    dict(product_line="PA", royalty_factor=1.0, gross_margin=0.40),
    dict(product_line="PB", royalty_factor=1.0, gross_margin=0.25),
]


def _contract(no, date, emp, line, amount, split=None, share=None, delivered=None, terms=30):
    return dict(contract_no=no, sign_date=date, customer="Cust", employee_id=emp, product_line=line, amount=amount,
                status="Executing", delivered=delivered, payment_terms=terms, split_employee_id=split,
                split_share=share)


def _receipt(no, date, contract, amount):
    return dict(receipt_no=no, receipt_date=date, contract_no=contract, amount=amount)


def _claim(no, date, emp, amount, approval):
    return dict(claim_no=no, date=date, employee_id=emp, category="Travel", amount=amount, approval=approval)


def hand_ledger(amber_band: float = 5.0, **thresholds: float):
    """The worked example of the module doc below (amber band 5 points); more Thresholds by keyword."""
    extra = [dict(name=k.replace("_", " "), value=v) for k, v in thresholds.items()]
    std = standards_book(Roster=ROSTER, ProductLines=LINES,
                         Thresholds=[dict(name="Amber Band", value=amber_band), *extra])
    east = department_book(
        "East",
        Plan=[
            plan_row("E1", "Signing", [10000] * 12), plan_row("E1", "Collection", [8000] * 12),
            plan_row("E1", "Expense", [1000] * 12), plan_row("E1", "Profit", [2000] * 12),
            plan_row("E2", "Signing", [5000] * 12), plan_row("E2", "Collection", [4000] * 12),
            plan_row("E2", "Expense", [500] * 12), plan_row("E2", "Profit", [1000] * 12),
        ],
        Contracts=[
            _contract("C1", "2025-01-15", "E1", "PA", 30000, split="E2", share=0.20, delivered=20000),
            _contract("C2", "2025-03-10", "E2", "PB", 12000),
            _contract("C3", "2024-12-20", "E1", "PA", 50000),
        ],
        Collections=[
            _receipt("R0", "2024-12-28", "C3", 5000),
            _receipt("R1", "2025-02-10", "C1", 10000),
            _receipt("R2", "2025-03-20", "C1", 5000),
            _receipt("R3", "2025-03-25", "C3", 20000),
            _receipt("R4", "2025-03-28", "C3", -2000),
            _receipt("R5", "2025-04-02", "C2", 6000),
        ],
        Expenses=[
            _claim("X1", "2025-03-02", "E1", 600, "Approved"),
            _claim("X2", "2025-03-05", "E1", 300, "Pending"),
            _claim("X3", "2025-03-06", "E1", 700, "Rejected"),
            _claim("X4", "2025-02-10", "E2", 400, "Approved"),
            _claim("X5", "2025-03-12", "E2", 250, None),
        ],
    )
    west = department_book(
        "West",
        Plan=[plan_row("W1", "Signing", [4000] * 12)],
        Contracts=[_contract("C4", "2025-02-05", "W1", "PB", 8000, split="E1", share=0.5)],
        Collections=[_receipt("R6", "2025-03-01", "C4", 4000)],
    )
    return ledger([east, west], std)


ROYALTIES = pd.DataFrame({"employee_id": ["E1", "E1", "E2"], "month": [2, 3, 3], "royalty": [100.0, 150.0, 50.0]})


def _row(rows: pd.DataFrame, level: str, key: str, indicator: str) -> dict:
    sel = rows[(rows["level"] == level) & (rows["key"] == key) & (rows["indicator"] == indicator)]
    assert len(sel) == 1, (level, key, indicator)
    return sel.iloc[0].to_dict()


# Worked by hand for March 2025 (time progress 3/12 = 0.25; amber band 5 points; RAG on the default
# basis: plan-to-date completion against 100%):
# E1 Signing: C1 30000 x (1-0.20) = 24000 (Jan) + C4 8000 x 0.5 = 4000 (Feb, West's contract split to E1);
#   C3 was signed in 2024 -> YTD 28000, March 0; YTD target 30000 -> 0.933333, 6.7 points short -> red.
# E1 Collection: Feb R1 10000x0.8 = 8000; Mar R2 5000x0.8 = 4000 + R3 20000 + R4 -2000 + R6 4000x0.5 = 2000
#   = 24000; R0 is 2024 -> YTD 32000 / 24000 = 1.333333 green.
# E1 Expense: X1 600 approved + X2 300 pending (X3 rejected) = 900 in March; YTD 900 / 3000 = 0.30, under
#   budget -> green (lower is better). Annual 900 / 12000 = 0.075.
# E1 Profit: Feb 8000x0.40 - royalty 100 = 3100; Mar (4000+20000-2000)x0.40 + 2000x0.25 - 900 - 150 = 8250;
#   YTD 11350 / 6000 = 1.891667; month 8250 / 2000 = 4.125.
# E2 Signing: C1 30000x0.2 = 6000 (Jan) + C2 12000 (Mar) = 18000 / 15000 = 1.2; month 12000/5000 = 2.4.
# E2 Collection: R1 2000 (Feb) + R2 1000 (Mar); R5 is April -> YTD 3000 / 12000 = 0.25 -> red; annual
#   3000 / 48000 = 0.0625, pacing 0.0625 / 0.25 = 0.25.
# E2 Expense: X4 400 (Feb) + X5 250 (Mar, blank approval counts as pending) = 650 / 1500 = 0.433333 green.
# E2 Profit: Feb 2000x0.4 - 400 = 400; Mar 1000x0.4 - 250 - 50 = 100; YTD 500 / 3000 = 0.166667 red.
# East (E1 + E2): Signing month 12000 / 15000, YTD 46000 / 45000; Collection month 25000, YTD 35000 / 36000,
#   gap 1000, needed (144000 - 35000) / 9 = 12111.11; Expense YTD 1550 / 4500 = 0.344444 green;
#   Profit month 8350, YTD 11850 / 9000.
HAND = {
    ("employee", "E1", "Signing"): dict(month_actual=0, ytd_actual=28000, ytd_target=30000, ytd_completion=28 / 30,
                                        rag="red", rank=2, annual_target=120000, annual_completion=28 / 120,
                                        pacing=(28 / 120) / 0.25, rag_reference=1.0),
    ("employee", "E1", "Collection"): dict(month_actual=24000, ytd_actual=32000, ytd_completion=32 / 24, rag="green"),
    ("employee", "E1", "Expense"): dict(month_actual=900, month_completion=0.9, ytd_actual=900, ytd_completion=0.3,
                                        rag="green", rank=1, annual_completion=0.075),
    ("employee", "E1", "Profit"): dict(month_actual=8250, month_completion=4.125, ytd_actual=11350,
                                       ytd_completion=11350 / 6000, rag="green"),
    ("employee", "E2", "Signing"): dict(month_actual=12000, month_completion=2.4, ytd_actual=18000,
                                        ytd_completion=1.2, rag="green", rank=1),
    ("employee", "E2", "Collection"): dict(month_actual=1000, ytd_actual=3000, ytd_completion=0.25, rag="red",
                                           annual_completion=0.0625, pacing=0.25),
    ("employee", "E2", "Expense"): dict(month_actual=250, ytd_actual=650, ytd_completion=650 / 1500, rag="green",
                                        rank=2),
    ("employee", "E2", "Profit"): dict(month_actual=100, ytd_actual=500, ytd_completion=500 / 3000, rag="red"),
    ("department", "East", "Signing"): dict(month_target=15000, month_actual=12000, month_completion=0.8,
                                            ytd_target=45000, ytd_actual=46000, rag="green"),
    ("department", "East", "Collection"): dict(month_actual=25000, ytd_target=36000, ytd_actual=35000, gap=1000,
                                               needed_per_month=12111.11, ytd_completion=35 / 36),
    ("department", "East", "Expense"): dict(month_actual=1150, ytd_actual=1550, ytd_completion=1550 / 4500,
                                            rag="green"),
    ("department", "East", "Profit"): dict(month_actual=8350, ytd_actual=11850, ytd_target=9000),
}


def test_hand_worked_department_matches():
    rows = compute_completion(hand_ledger(), "2025-03", ROYALTIES)
    for (level, key, ind), expected in HAND.items():
        got = _row(rows, level, key, ind)
        for col, value in expected.items():
            if isinstance(value, float) or col in ("month_actual", "ytd_actual", "ytd_target", "gap",
                                                   "annual_target"):
                assert got[col] == pytest.approx(value, abs=1e-9), (level, key, ind, col)
            else:
                assert got[col] == value, (level, key, ind, col)
        assert got["time_progress"] == 0.25


def test_company_and_department_are_sums_of_lines():
    rows = compute_completion(hand_ledger(), "2025-03", ROYALTIES)
    emp = rows[rows["level"] == "employee"]
    dept = rows[rows["level"] == "department"]
    comp = rows[rows["level"] == "company"].set_index("indicator")
    for col in ("month_target", "month_actual", "ytd_target", "ytd_actual"):
        by_dept = emp.groupby(["department", "indicator"])[col].sum()
        assert dept.set_index(["key", "indicator"])[col].sort_index().round(2).tolist() == \
            by_dept.sort_index().round(2).tolist()
        assert comp[col].sort_index().round(2).tolist() == emp.groupby("indicator")[col].sum().sort_index().round(2).tolist()
    # West's W1 signed C4 (8000) with half split to E1 in East: West gets 4000 only
    assert _row(rows, "department", "West", "Signing")["ytd_actual"] == 4000
    assert _row(rows, "company", "company", "Signing")["ytd_actual"] == 50000  # 30000 + 12000 + 8000
    assert pd.isna(comp.loc["Signing", "rank"]) and _row(rows, "department", "East", "Signing")["rank"] == 1


def test_royalties_reduce_profit_only():
    without = compute_completion(hand_ledger(), "2025-03")
    with_roy = compute_completion(hand_ledger(), "2025-03", ROYALTIES)
    a = _row(without, "employee", "E1", "Profit")
    b = _row(with_roy, "employee", "E1", "Profit")
    assert a["ytd_actual"] - b["ytd_actual"] == pytest.approx(250)  # 100 (Feb) + 150 (Mar)
    assert a["month_actual"] - b["month_actual"] == pytest.approx(150)
    assert _row(without, "employee", "E1", "Collection") == _row(with_roy, "employee", "E1", "Collection")
    # months may also come as "YYYY-MM" text; other years are ignored
    text = ROYALTIES.assign(month=["2025-02", "2025-03", "2024-03"])
    c = _row(compute_completion(hand_ledger(), "2025-03", text), "employee", "E2", "Profit")
    assert c["ytd_actual"] == pytest.approx(550)


def test_split_share_credits_every_measure():
    rows = compute_completion(hand_ledger(), "2025-01")
    # January: only C1 (30000, E2 20%)
    assert _row(rows, "employee", "E1", "Signing")["month_actual"] == 24000
    assert _row(rows, "employee", "E2", "Signing")["month_actual"] == 6000
    feb = compute_completion(hand_ledger(), "2025-02")
    assert _row(feb, "employee", "E1", "Collection")["month_actual"] == 8000
    assert _row(feb, "employee", "E2", "Collection")["month_actual"] == 2000
    assert _row(feb, "employee", "E2", "Profit")["month_actual"] == pytest.approx(2000 * 0.4 - 400)


def _one(indicator: str, target: float, actual: float, month: int, band: float = 10.0,
         settings: RagSettings | None = None, front: float = 0.0) -> dict:
    """One employee, ``target`` spread evenly over the year plus ``front`` more in each of Jan..Mar."""
    monthly = [target / 12 + (front if m <= 3 else 0.0) for m in range(1, 13)]
    targets = pd.DataFrame({"employee_id": "X", "indicator": indicator, "month": range(1, 13), "target": monthly})
    actuals = pd.DataFrame({"employee_id": ["X"], "indicator": [indicator], "month": [1], "actual": [actual]})
    rows = completion_table(targets, actuals, pd.Series({"X": "D"}), month, band, settings)
    return _row(rows, "employee", "X", indicator)


@pytest.mark.parametrize(
    "ytd_actual, rag",
    [(3000, "green"), (2790, "green"), (0, "green"), (3000.01, "amber"), (3300, "amber"), (3300.01, "red")],
)
def test_rag_edges_expense_flips(ytd_actual, rag):
    # Expense budget 1000/month, month 3: YTD budget 3000; band 10 points. At or under budget is green
    # (the corrected rule: 93% of the YTD budget is not red); amber up to 110% = 3300; red beyond.
    got = _one("Expense", 12000, ytd_actual, 3)
    assert got["rag"] == rag and got["rag_reference"] == 1.0


@pytest.mark.parametrize(
    "actual, rag", [(5000, "green"), (3000, "green"), (2999.99, "amber"), (2700, "amber"), (2699.99, "red"),
                    (750, "red"), (0, "red")]
)
def test_rag_edges_higher_is_better(actual, rag):
    # Signing target 1000/month, month 3: YTD target 3000 -> on plan (100%) is green whatever the month,
    # amber from 90% = 2700; 750 (= time progress x annual) is red on the default basis
    got = _one("Signing", 12000, actual, 3)
    assert got["rag"] == rag


@pytest.mark.parametrize(
    "indicator, actual, rag",
    [("Signing", 3750, "green"), ("Signing", 3749.99, "amber"), ("Signing", 2250, "amber"), ("Signing", 2249.99, "red"),
     ("Expense", 3750, "green"), ("Expense", 3750.01, "amber"), ("Expense", 5250, "amber"), ("Expense", 5250.01, "red")],
)
def test_rag_on_time_progress_reads_annual_completion(indicator, actual, rag):
    # front-loaded plan: 1000/month + 1000 more in Jan..Mar -> YTD target 6000, annual 15000; March tp 0.25.
    # On the time-progress basis the annual completion (actual / 15000) is read against 25%: green from
    # 3750, amber from 15% = 2250 (Expense flips: green up to 3750, amber up to 35% = 5250).
    got = _one(indicator, 12000, actual, 3, settings=RagSettings(basis=TIME_PROGRESS), front=1000)
    assert got["rag"] == rag and got["rag_reference"] == 0.25
    assert got["annual_completion"] == pytest.approx(actual / 15000)
    assert got["ytd_completion"] == pytest.approx(actual / 6000)  # shown too, whatever the basis
    assert got["pacing"] == pytest.approx(actual / 15000 / 0.25)


def test_amber_band_comes_from_thresholds():
    # E1 Signing is 6.67 points short of its plan to date: amber with a 7-point band, red with 6
    assert _row(compute_completion(hand_ledger(7), "2025-03"), "employee", "E1", "Signing")["rag"] == "amber"
    assert _row(compute_completion(hand_ledger(6), "2025-03"), "employee", "E1", "Signing")["rag"] == "red"


def test_rag_basis_and_day_progress_come_from_thresholds():
    # RAG vs Time Progress = 1: E2 Collection annual 0.0625 against tp 0.25 -> red; E1 Signing annual
    # 28000 / 120000 = 0.2333, 1.7 points under tp -> amber with the 5-point band
    rows = compute_completion(hand_ledger(5, RAG_vs_Time_Progress=1), "2025-03")
    assert _row(rows, "employee", "E1", "Signing")["rag"] == "amber"
    assert _row(rows, "employee", "E1", "Signing")["rag_reference"] == 0.25
    # by days: 31 March is day 90 of 365
    days = compute_completion(hand_ledger(5, Time_Progress_by_Days=1), "2025-03")
    assert _row(days, "employee", "E1", "Signing")["time_progress"] == pytest.approx(90 / 365)
    assert time_progress(parse_period("2024-02"), by_days=True) == pytest.approx(60 / 366)
    assert time_progress(parse_period("2024-02")) == pytest.approx(2 / 12)


def test_zero_target_gives_blank_completion_and_rag():
    got = _one("Signing", 0, 500, 3)
    assert math.isnan(got["ytd_completion"]) and math.isnan(got["month_completion"]) and math.isnan(got["pacing"])
    assert math.isnan(got["annual_completion"])
    assert got["rag"] is None and pd.isna(got["rank"])
    assert got["gap"] == -500


def test_december_has_no_needed_per_month_and_pacing_is_ratio():
    got = _one("Signing", 12000, 6000, 12)
    assert math.isnan(got["needed_per_month"])
    assert got["time_progress"] == 1.0 and got["pacing"] == pytest.approx(0.5)
    june = _one("Signing", 12000, 2000, 6)
    assert june["needed_per_month"] == pytest.approx(10000 / 6, abs=0.005)
    assert june["pacing"] == pytest.approx((2000 / 12000) / 0.5)  # annual completion ÷ time progress


def test_rank_ties_share_the_best_rank():
    targets = pd.DataFrame({"employee_id": ["A", "B", "C"], "indicator": "Signing", "month": 1, "target": 100.0})
    actuals = pd.DataFrame({"employee_id": ["A", "B", "C"], "indicator": "Signing", "month": 1,
                            "actual": [50.0, 80.0, 80.0]})
    rows = completion_table(targets, actuals, pd.Series({"A": "D", "B": "D", "C": "D"}), 1, 10)
    ranks = rows[(rows["level"] == "employee") & (rows["indicator"] == "Signing")].set_index("key")["rank"]
    assert ranks.to_dict() == {"A": 3, "B": 1, "C": 1}


@pytest.mark.parametrize("bad", ["2025-13", "2025-3", "March", "", "2025-00"])
def test_bad_period_is_a_toolkit_error(bad):
    with pytest.raises(ToolkitError) as err:
        parse_period(bad)
    assert "YYYY-MM" in err.value.message("en")
    with pytest.raises(ToolkitError):
        compute_completion(hand_ledger(), bad)


def test_empty_ledger_gives_no_rows():
    rows = compute_completion(ledger([], standards_book()), "2025-03")
    assert rows.empty or set(rows["level"]) <= {"company"}


def test_a_transfer_counts_in_each_department_for_its_own_workbook():
    """W1 moves West -> East on 1 March 2025 (Roster Changes): West's workbook holds January–February, East's March.
    By hand for March: W1's own line runs over both (Signing YTD 3000 + 5000 + 7000 = 15000 against 3 × 4000;
    Expense 100 + 200 = 300); West counts Jan–Feb (Signing 8000 against 8000, Expense 100, Profit 0 − 100 − the
    February royalty 40), East March (7000 against 4000, Expense 200, Profit −200 − the March royalty 60);
    the company is the sum of the departments, and W1 is listed in East (March's department)."""
    roster = [dict(employee_id="W1", name="Wu", department="West", role="Salesperson", grade="G3")]
    std = standards_book(Roster=roster, ProductLines=LINES,
                         RosterChanges=[dict(employee_id="W1", effective_from="2025-03-01", department="East")])
    west = department_book(
        "West", Plan=[plan_row("W1", "Signing", [4000, 4000]), plan_row("W1", "Expense", [150, 150])],
        Contracts=[_contract("C1", "2025-01-10", "W1", "PA", 3000), _contract("C2", "2025-02-10", "W1", "PA", 5000)],
        Expenses=[_claim("X1", "2025-02-01", "W1", 100, "Approved")])
    east = department_book(
        "East", Plan=[plan_row("W1", "Signing", [0, 0, 4000]), plan_row("W1", "Expense", [0, 0, 150])],
        Contracts=[_contract("C3", "2025-03-10", "W1", "PA", 7000)],
        Expenses=[_claim("X2", "2025-03-02", "W1", 200, "Pending")])
    pay = pd.DataFrame({"employee_id": ["W1", "W1"], "month": [2, 3], "royalty": [40.0, 60.0]})
    rows = compute_completion(ledger([west, east], std), "2025-03", pay)
    mover = {i: _row(rows, "employee", "W1", i) for i in ("Signing", "Expense", "Profit")}
    assert (mover["Signing"]["ytd_actual"], mover["Signing"]["ytd_target"]) == (15000, 12000)
    assert mover["Expense"]["ytd_actual"] == 300 and mover["Signing"]["department"] == "East"
    want = {("West", "Signing"): (8000, 8000, 0, 0), ("East", "Signing"): (7000, 4000, 7000, 4000),
            ("West", "Expense"): (100, 300, 0, 0), ("East", "Expense"): (200, 150, 200, 150),
            ("West", "Profit"): (-140, 0, 0, 0), ("East", "Profit"): (-260, 0, -260, 0)}
    for (dept, ind), (ytd_a, ytd_t, month_a, month_t) in want.items():
        got = _row(rows, "department", dept, ind)
        assert (got["ytd_actual"], got["ytd_target"], got["month_actual"], got["month_target"]) == \
            (ytd_a, ytd_t, month_a, month_t), (dept, ind)
    for ind in ("Signing", "Expense", "Profit"):
        company = _row(rows, "company", "company", ind)
        assert company["ytd_actual"] == sum(want[(d, ind)][0] for d in ("West", "East"))
        assert company["ytd_actual"] == _row(rows, "employee", "W1", ind)["ytd_actual"]
