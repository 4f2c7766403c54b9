"""Fund recovery: receivables, aging bucket edges, overdue list and the 3-month fund demand."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from ledger_factory import department_book, ledger, plan_row, standards_book

from toolkit.core.funds import BUCKETS, bucket_label, bucket_of, compute_funds, receivables_total, receivables_totals
from toolkit.operations.source import Source

AS_OF = pd.Timestamp("2025-03-31")
STD = standards_book(Roster=[dict(employee_id="E1", name="Ann", department="East", role="Salesperson", grade="G1"),
                             dict(employee_id="W1", name="Wu", department="West", role="Salesperson", grade="G1")])


def _contract(no, days_overdue, delivered=1000.0, terms=10, emp="E1"):
    """A contract whose due date (sign + terms) is ``days_overdue`` days before 2025-03-31."""
    sign = AS_OF - pd.Timedelta(days=days_overdue + terms)
    return dict(contract_no=no, sign_date=sign, customer="Cust", employee_id=emp, product_line="PA",
                amount=5000, status="Executing", delivered=delivered, payment_terms=terms)


@pytest.mark.parametrize(
    "days, bucket",
    [(-5, "not_due"), (0, "not_due"), (1, "1-30"), (30, "1-30"), (31, "31-60"), (60, "31-60"), (61, "61-90"),
     (90, "61-90"), (91, "91-180"), (180, "91-180"), (181, "181-365"), (365, "181-365"), (366, "over_365"),
     (400, "over_365")],
)
def test_bucket_edges(days, bucket):
    assert bucket_of(pd.Series([days])).iloc[0] == bucket
    res = compute_funds(ledger([department_book("East", Contracts=[_contract("C", days)])], STD), "2025-03")
    assert res.receivables["days_overdue"].tolist() == [days]
    assert res.receivables["bucket"].tolist() == [bucket]
    aging = res.aging.set_index("key")
    assert aging.loc["East", bucket] == 1000
    assert aging.loc["East", "total"] == 1000
    assert aging.loc["East", "overdue"] == (0 if bucket == "not_due" else 1000)
    assert len(res.overdue) == (0 if bucket == "not_due" else 1)


def test_receivable_is_delivered_minus_collections_floored():
    contracts = [
        _contract("A", 45, delivered=1000),  # 1000 - 400 = 600 (the April receipt is after the period)
        _contract("B", 45, delivered=500),  # over-collected: 0, not listed
        _contract("C", 45, delivered=None),  # nothing delivered: 0
        _contract("D", 100, delivered=800),  # 800 - (300 - 100 refund) = 600
        {**_contract("E", 0), "sign_date": pd.Timestamp("2025-04-02")},  # signed after the period: ignored
    ]
    receipts = [
        dict(receipt_no="1", receipt_date="2025-03-01", contract_no="A", amount=400),
        dict(receipt_no="2", receipt_date="2025-04-01", contract_no="A", amount=600),
        dict(receipt_no="3", receipt_date="2025-03-01", contract_no="B", amount=700),
        dict(receipt_no="4", receipt_date="2025-01-01", contract_no="D", amount=300),
        dict(receipt_no="5", receipt_date="2025-02-01", contract_no="D", amount=-100),
    ]
    res = compute_funds(ledger([department_book("East", Contracts=contracts, Collections=receipts)], STD), "2025-03")
    recv = res.receivables.set_index("contract_no")
    assert recv["receivable"].to_dict() == {"D": 600.0, "A": 600.0}  # most overdue first
    assert recv.loc["A", "collected"] == 400 and recv.loc["D", "collected"] == 200
    assert recv.loc["A", "due_date"] == AS_OF - pd.Timedelta(days=45)
    comp = res.aging.set_index("key").loc["company"]
    assert comp["31-60"] == 600 and comp["91-180"] == 600 and comp["total"] == 1200
    # the total alone (the report's 12-month history): the same contracts, at other month ends too
    led = ledger([department_book("East", Contracts=contracts, Collections=receipts)], STD)
    total = lambda day: receivables_total(led.tables["Contracts"], led.tables["Collections"], pd.Timestamp(day))  # noqa: E731
    assert total("2025-03-31") == 1200.0
    assert total("2025-04-30") == 1600.0  # A paid in full on 1 April; D 600; E signed, 1000 delivered, none paid
    assert total("2025-01-31") == 500.0  # only D signed yet (A, B, C on 4 February): 800 - 300
    # the 12 month ends at once (one grouping of the collections): the same totals, in the dates' order
    ends = [pd.Timestamp(d) for d in ("2025-04-30", "2024-12-31", "2025-01-31", "2025-03-31", "2025-02-28")]
    # 2024-12-31: D alone (signed 11 December), nothing collected yet; 2025-02-28: D 800 - 200, A 1000 and B 500
    # (nothing collected before March), C nothing delivered
    assert receivables_totals(led.tables["Contracts"], led.tables["Collections"], ends) == [1600.0, 800.0, 500.0,
                                                                                          1200.0, 2100.0]
    assert receivables_totals(led.tables["Contracts"], led.tables["Collections"], []) == []


def test_receivables_at_many_dates_at_once_are_the_totals_date_by_date(sample_dir):
    """``receivables_totals`` gives, float for float, what ``receivables_total`` gives at each date (the sample's
    contracts and collections every 9 days over two years, with some contract numbers missing on both sides, and
    with every contract number missing: nothing matched, nothing collected)."""
    led = Source([sample_dir], sample_dir / "standards.xlsx", force=True).ledger("2026-11")
    contracts, collections = led.tables["Contracts"], led.tables["Collections"]
    days = list(pd.date_range("2024-12-01", "2026-12-31", freq="9D"))
    for c, r in ((contracts, collections), (contracts.assign(contract_no=contracts["contract_no"].where(
            contracts.index % 7 != 0)), collections.assign(contract_no=collections["contract_no"].where(
            collections.index % 5 != 0)))):
        want = [receivables_total(c, r, day) for day in days]
        assert receivables_totals(c, r, days) == want and len(set(want)) > 10
    blank = contracts.assign(contract_no=None)
    for r in (collections.assign(contract_no=None), collections.iloc[:0]):
        want = [receivables_total(blank, r, day) for day in days]
        assert receivables_totals(blank, r, days) == want and max(want) > 0


def test_aging_per_department_and_company():
    east = department_book("East", Contracts=[_contract("A", 10), _contract("B", 70)])
    west = department_book("West", Contracts=[_contract("C", 10, emp="W1", delivered=250.5)])
    res = compute_funds(ledger([east, west], STD), "2025-03")
    aging = res.aging.set_index("key")
    assert aging.loc["East", "1-30"] == 1000 and aging.loc["East", "61-90"] == 1000
    assert aging.loc["West", "1-30"] == 250.5
    assert aging.loc["company", "1-30"] == 1250.5
    for b in BUCKETS:
        assert aging.loc["company", b] == pytest.approx(aging.loc[["East", "West"], b].sum())


def test_fund_demand_next_three_months_side_by_side():
    contracts = [
        _contract("A", -10),  # due 2025-04-10
        _contract("B", -45, delivered=300, terms=60),  # signed 2025-03-16, due 2025-05-15
        _contract("C", -200, terms=300),  # due in October: outside the horizon
        _contract("D", 20),  # already overdue: in the aging, not in the demand
    ]
    forecast = [
        dict(month="2025-04-01", expected_collections=5000, expected_spending=2000),
        dict(month="2025-06-01", expected_collections=1000, expected_spending=None),
        dict(month="2025-09-01", expected_collections=9999, expected_spending=9999),
    ]
    plan = [plan_row("E1", "Expense", [100 * i for i in range(1, 13)]), plan_row("E1", "Signing", [7] * 12)]
    book = department_book("East", Contracts=contracts, Forecast=forecast, Plan=plan)
    royalties = pd.DataFrame({"employee_id": ["E1", "E1", "E1"], "month": [1, 2, 3], "royalty": [10.0, 20.0, -5.0]})
    res = compute_funds(ledger([book], STD), "2025-03", royalties)
    d = res.demand[res.demand["level"] == "company"].set_index("month")
    assert d.index.tolist() == ["2025-04", "2025-05", "2025-06"]
    assert d["receivables_due"].tolist() == [1000, 300, 0]
    assert d["expected_collections"].tolist() == [5000, 0, 1000]
    assert d["expected_spending"].tolist() == [2000, 0, 0]
    assert d["planned_expense"].tolist() == [400, 500, 600]  # Plan Expense m04..m06
    # March's true-up (a 5.00 clawback) is payable in April; later months are not known yet
    assert d.loc["2025-04", "royalties_payable"] == -5
    assert math.isnan(d.loc["2025-05", "royalties_payable"])


def test_fund_demand_past_december_and_without_royalties():
    book = department_book("East", Plan=[plan_row("E1", "Expense", [100] * 12)], Contracts=[_contract("A", 5)])
    res = compute_funds(ledger([book], STD), "2025-11")
    d = res.demand[res.demand["level"] == "company"].set_index("month")
    assert d.index.tolist() == ["2025-12", "2026-01", "2026-02"]
    assert d.loc["2025-12", "planned_expense"] == 100
    assert math.isnan(d.loc["2026-01", "planned_expense"])  # next year's plan is not in this ledger
    assert d["royalties_payable"].isna().all()


def test_empty_ledger():
    res = compute_funds(ledger([], STD), "2025-03")
    assert res.receivables.empty and res.overdue.empty
    assert res.aging.set_index("key").loc["company", "total"] == 0


def test_aging_buckets_come_from_thresholds():
    # Aging Bucket 4..5 set to 0 (unused) and 1 = 15: buckets 1-15, 16-60, 61-90, over_90
    std = standards_book(Thresholds=[dict(name="Aging Bucket 1", value=15), dict(name="Aging Bucket 4", value=0),
                                     dict(name="Aging Bucket 5", value=0)])
    east = department_book("East", Contracts=[_contract("A", 10), _contract("B", 20), _contract("C", 200)])
    res = compute_funds(ledger([east], std), "2025-03")
    assert res.buckets == ("not_due", "1-15", "16-60", "61-90", "over_90")
    assert list(res.aging.columns) == ["level", "key", *res.buckets, "total", "overdue", "status"]
    assert res.receivables.set_index("contract_no")["bucket"].to_dict() == {"C": "over_90", "B": "16-60", "A": "1-15"}
    assert bucket_label("over_90", "zh") == "90天以上" and bucket_label("16-60", "en") == "16-60 Days"


@pytest.fixture(scope="module")
def south_funds(tmp_path_factory):  # noqa: ANN001, ANN201
    """The funds of the sample's South China workbook alone for 2026-10 (read once for both sheet spellings)."""
    import shutil

    from toolkit.outputs import build

    sample = Path(__file__).resolve().parent.parent / "workbooks" / "sample"
    folder = tmp_path_factory.mktemp("south")
    shutil.copy(sample / "dept-south.xlsx", folder / "dept-south.xlsx")
    return build("funds", Source([folder], sample / "standards.xlsx").ledger("2026-10"), "2026-10")


@pytest.mark.parametrize("sheet", ["Contracts", "contracts "])  # the reader takes the sheet name loosely too
def test_a_workbook_without_delivered_has_no_receivables_computed_not_zero(tmp_path, sheet, south_funds) -> None:
    """A Contracts sheet whose Delivered column is missing: that department's receivables, aging and the
    receivables it has falling due are blank (not computed), the company total leaves it out, the finding says so."""
    import shutil

    import openpyxl

    from toolkit.outputs import build

    sample = Path(__file__).resolve().parent.parent / "workbooks" / "sample"
    for name in ("dept-east.xlsx", "dept-south.xlsx"):
        shutil.copy(sample / name, tmp_path / name)
    wb = openpyxl.load_workbook(tmp_path / "dept-east.xlsx")
    ws = wb["Contracts"]
    for cell in ws[1]:
        if cell.value == "Delivered":
            cell.value = "Remarks"
    for table in ws.tables.values():
        for col in table.tableColumns:
            if col.name == "Delivered":
                col.name = "Remarks"
    ws.title = sheet
    wb.save(tmp_path / "dept-east.xlsx")
    both = build("funds", Source([tmp_path], sample / "standards.xlsx").ledger("2026-10"), "2026-10")
    south = south_funds  # the same South China workbook without East's
    aging = both.result.aging.set_index("key")
    assert "East China" in both.payload["not_computed"]  # (with the Roster departments given no workbook here)
    assert aging.loc["East China", ["total", "overdue"]].isna().all()
    assert aging.loc["company", "total"] == south.result.aging.set_index("key").loc["company", "total"]
    demand = both.result.demand
    east = demand[(demand["level"] == "department") & (demand["key"] == "East China")]
    assert len(east) and east["receivables_due"].isna().all()
    assert "column-missing-needed" in {f["code"] for f in both.payload["findings"]}
