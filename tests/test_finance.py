"""Money leaving the toolkit (issue 25): manual adjustments, the approved close, the payroll file, the
reimbursement batch and "paid" — a scripted quarter on workbooks the toolkit writes, through the store."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from ledger_factory import typed
from payout_year import Company, standards_rows, write_department, write_standards
from report_fixtures import PERIOD, SAMPLE, context
from toolkit.core.royalties import Evaluations
from toolkit.operations.source import Source
from toolkit.cli.main import cli
from toolkit.core.validation import validate
from toolkit.errors import ToolkitError
from toolkit.io.reader import read_workbook
from toolkit.io.templates import write_workbook
from toolkit.operations.close_month import close_month
from toolkit.operations.finance import approve_close, export_finance, import_paid
from toolkit.operations.statements import statements
from toolkit.report.pdf import find_chromium
from toolkit.schema import STANDARDS
from toolkit.store import open_store

D = dt.date
#: Signs by kind, written out here (not taken from the code under test).
SIGN = {"Bonus": 1, "Penalty": -1, "Draw": 1, "Draw Recovery": -1, "Correction": 1}
PAYROLL_MAP = [
    dict(pay_item="Royalty Payment", payroll_code="R100", debit_account="6601", credit_account="2211"),
    dict(pay_item="Royalty Adjustment", payroll_code="R101", debit_account="6601", credit_account="2211"),
    dict(pay_item="Prior-Year Adjustment", payroll_code="R102", debit_account="6601", credit_account="2211"),
    dict(pay_item="Floating Pay", payroll_code="F200", debit_account="6602", credit_account="2211"),
    dict(pay_item="Bonus", payroll_code="B300", debit_account="6603", credit_account="2211"),
    dict(pay_item="Penalty", payroll_code="P310", debit_account="6603", credit_account="2211"),
    dict(pay_item="Draw", payroll_code="D400", debit_account="1221", credit_account="2211"),
    dict(pay_item="Draw Recovery", payroll_code="D410", debit_account="1221", credit_account="2211"),
    dict(pay_item="Correction", payroll_code="C500", debit_account="6601", credit_account="2211"),
]


#: PDF statements where headless Chromium and pdftotext are installed (the DRAFT mark on every printed page).
PDF = ("pdf",) if find_chromium() and shutil.which("pdftotext") and shutil.which("pdfinfo") else ()


def cents(x: object) -> int:
    return int(Decimal(str(x)).scaleb(2).to_integral_value())


class Quarter:
    """A ``Company`` with Adjustments, a Payroll Map, cost centres, expense claims and loan slips."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.company = Company.build()
        self.db = tmp / "toolkit.db"
        self.evaluations = Evaluations()  # one run's royalty evaluations, shared by the quarter's closes
        self.adjustments: list[dict] = []
        self.expenses = [
            dict(claim_no="C1", date=D(2026, 1, 13), employee_id="E001", category="Transport", city="Shanghai", days=1,
                 amount=150.0, receipt=True, description="Taxi", approval="Approved", approver="Carol"),
            dict(claim_no="C2", date=D(2026, 1, 14), employee_id="E002", category="Transport", city="Shanghai", days=1,
                 amount=120.0, receipt=True, description="Taxi", approval="Pending"),
            dict(claim_no="C3", date=D(2026, 2, 10), employee_id="E001", category="Transport", city="Shanghai", days=1,
                 amount=180.0, receipt=True, description="Taxi", approval="Approved", approver="Carol"),
        ]
        self.advances = [
            dict(slip_no="A0", date=D(2025, 12, 10), employee_id="E001", amount=400.0, purpose="Trip",
                 due_date=D(2026, 6, 30), repaid=0.0, approval="Approved"),
            dict(slip_no="A1", date=D(2026, 1, 20), employee_id="E002", amount=1000.0, purpose="Trip",
                 due_date=D(2026, 6, 30), repaid=0.0, approval="Approved"),
        ]

    def adjust(self, emp: str, period: str, kind: str, amount: float, by: str = "E003", reason: str = "test") -> None:
        self.adjustments.append(dict(employee_id=emp, period=pd.Timestamp(f"{period}-01"), kind=kind, amount=amount,
                                     reason=reason, approved_by=by))

    def manual_total(self, period: str) -> int:
        """Σ of the period's adjustments in cents, signed here by kind."""
        return sum(SIGN[a["kind"]] * cents(a["amount"]) for a in self.adjustments
                   if a["period"].strftime("%Y-%m") == period)

    def write(self, period: str) -> Path:
        folder = self.tmp / f"in-{period}"
        folder.mkdir(parents=True, exist_ok=True)
        rows = standards_rows()
        for r in rows["Roster"]:
            r["cost_centre"] = {"East": "CC-E", "West": "CC-W"}[r["department"]]
        rows["Adjustments"] = copy.deepcopy(self.adjustments)
        rows["PayrollMap"] = PAYROLL_MAP
        write_standards(folder / "standards.xlsx", rows)
        year, month = int(period[:4]), int(period[5:7])
        end = D(year, month + 1, 1)
        for dept, tables in self.company.rows.items():
            frames = {"Contracts": [r for r in tables["Contracts"] if r["sign_date"] < end],
                      "Collections": [r for r in tables["Collections"] if r["receipt_date"] < end],
                      "Plan": copy.deepcopy(self.company.plans[dept][year])}
            if dept == "East":
                frames["Expenses"] = [r for r in self.expenses if r["date"] < end]
                frames["Advances"] = [r for r in self.advances if r["date"] < end]
            write_department(folder / f"dept-{dept.lower()}.xlsx", frames,
                             {"department": dept, "year": year, "period": period, "prepared_by": "Test"})
        return folder

    def close(self, period: str, reopen: bool = False):
        """Close ``period`` without the monthly report (no test here reads it)."""
        return close_month(Source([self.write(period)], None, self.db, evaluations=self.evaluations), period,
                           self.tmp / "out", jobs=1,
                           reopen=reopen, report=False)

    def recorded_total(self, period: str) -> int:
        """What the ledger recorded for the period's close, in cents: payments (not openings) + manual entries."""
        with open_store(self.db) as store:
            close = store.closes(period=period, current_only=True)[-1]
            pay = store.payments(close_id=close.id)
            manual = store.close_results(close.id, "pay_adjustments")
        pay = pay[pay["entry"] != "opening"]
        return sum(cents(a) for a in pay["amount"]) + sum(cents(a) for a in manual.get("amount", []))


def read_csv(path: Path) -> tuple[bytes, list[list[str]]]:
    raw = path.read_bytes()
    return raw[:3], list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def write_confirmation(rows: list[list[str]], path: Path) -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"))
    return path


def layout_a(path: Path) -> Path:
    """Finance's layout A (xlsx): its own headers, no name, no Line ID (the toolkit appends it)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Column", "Field", "Value"])
    for row in (["Staff No", "Employee ID", None], ["Item Code", "Payroll Code", None], ["Pay", "Amount", None],
                ["Cost Center", "Cost Centre", None], ["Month", "Period", None]):
        ws.append(row)
    wb.save(path)
    return path


def layout_b(path: Path) -> Path:
    """Finance's layout B (CSV, Chinese headers): a constant company column, the Line ID first."""
    return write_confirmation([["列名", "字段", "固定值"], ["行号", "行号", ""], ["公司", "", "HX01"],
                               ["员工编号", "工号", ""], ["姓名", "姓名", ""], ["项目", "工资代码", ""],
                               ["金额", "金额", ""], ["支付日期", "支付日期", ""]], path)


def files_bytes(folder: Path) -> dict[str, bytes]:
    """Every file of an export, byte for byte (xlsx included: fixed timestamps, same machine's zlib)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def quarter(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """January to March, scripted; what each step gave, for the tests below."""
    tmp = tmp_path_factory.mktemp("quarter")
    q = Quarter(tmp)
    seen: dict = {"q": q}
    q.adjust("E001", "2026-01", "Bonus", 1000.0)
    q.adjust("E002", "2026-01", "Penalty", 200.0, by="Carol")  # typed positive, approver by name: deducted
    q.adjust("E004", "2026-01", "Draw", 3000.0)
    q.close("2026-01")
    seen["draft"] = statements(Source(db=str(q.db)), "2026-01", tmp / "st-draft", formats=("xlsx", "html", *PDF),
                               employees=["E001", "E004"])
    with pytest.raises(ToolkitError) as exc:
        export_finance(Source(db=q.db), "2026-01", tmp / "too-early")
    seen["export_before_approval"] = exc.value
    seen["approval"] = approve_close(Source(db=q.db), "2026-01", by="Director Zhou")
    seen["final"] = statements(Source(db=str(q.db)), "2026-01", tmp / "st-final", formats=("xlsx", "html", *PDF),
                               employees=["E001", "E004"])
    seen["jan_a"] = export_finance(Source(db=q.db), "2026-01", tmp / "jan-a", layout=layout_a(tmp / "layout-a.xlsx"))
    seen["jan_a_again"] = export_finance(Source(db=q.db), "2026-01", tmp / "jan-a-again", layout=tmp / "layout-a.xlsx")
    seen["jan_b"] = export_finance(Source(db=q.db), "2026-01", tmp / "jan-b", layout=layout_b(tmp / "layout-b.csv"), lang="zh")
    # finance confirms every payroll line but the last one
    _, rows = read_csv(tmp / "jan-b" / "payroll-2026-01.csv")
    header, body = rows[0], rows[1:]
    date_col = header.index("支付日期")
    for r in body[:-1]:
        r[date_col] = "2026-02-05"
    seen["confirmed_rows"] = body[:-1]
    seen["left_unpaid"] = body[-1]
    wrong = copy.deepcopy(rows)
    wrong[1][header.index("金额")] = f"{float(wrong[1][header.index('金额')]) + 1:.2f}"
    wrong[1][date_col] = "2026-02-05"
    with pytest.raises(ToolkitError) as exc:
        import_paid(Source(db=q.db), "2026-01", write_confirmation(wrong, tmp / "wrong.csv"))
    seen["wrong_amount"] = exc.value
    with open_store(q.db) as store:
        seen["paid_after_wrong"] = int(store.finance_lines()["paid_date"].notna().sum())
    seen["paid"] = import_paid(Source(db=q.db), "2026-01", write_confirmation([header, *body], tmp / "confirm.csv"))
    # the reimbursement batch is confirmed as a bare list of line IDs, paid on a given date
    _, batch = read_csv(tmp / "jan-a" / "reimbursement-2026-01.csv")
    (tmp / "reimbursed.txt").write_text("\n".join(r[0] for r in batch[1:]) + "\n", encoding="utf-8")
    seen["reimbursed"] = import_paid(Source(db=q.db), "2026-01", tmp / "reimbursed.txt", paid_date="2026-02-06")
    export_finance(Source(db=q.db), "2026-01", tmp / "jan-a-after-paid", layout=tmp / "layout-a.xlsx")
    # February: a recovery of part of the draw; an adjustment for January entered after its approval is refused
    q.adjust("E004", "2026-02", "Draw Recovery", 1000.0)
    q.adjust("E002", "2026-01", "Bonus", 50.0, reason="late")
    with pytest.raises(ToolkitError) as exc:
        q.close("2026-02")
    seen["late_january_row"] = exc.value
    q.adjustments.pop(-1)
    q.adjust("E002", "2026-02", "Gift", 50.0, reason="unknown kind")
    with pytest.raises(ToolkitError) as exc:
        q.close("2026-02")
    seen["unknown_kind"] = exc.value
    q.adjustments.pop(-1)
    seen["feb"] = q.close("2026-02")
    seen["feb_statements"] = statements(Source(db=str(q.db)), "2026-02", tmp / "st-feb", formats=("xlsx",),
                                        employees=["E004"])
    approve_close(Source(db=q.db), "2026-02", by="Director Zhou")
    # a late change to February after its approval: re-closing February is refused ...
    q.company.add("East", "Contracts", contract_no="LATE-C", sign_date=D(2026, 2, 3), customer="Late", employee_id="E001",
                  product_line="Widgets", amount=20000.0, status="Executing", delivered=20000.0, payment_terms=30)
    q.company.add("East", "Collections", receipt_no="LATE-1", receipt_date=D(2026, 2, 25), contract_no="LATE-C",
                  amount=5000.0, method="Bank Transfer")
    with pytest.raises(ToolkitError) as exc:
        q.close("2026-02", reopen=True)
    seen["reopen_refused"] = exc.value
    # ... and March pays it as an itemised adjustment; the draw is recovered in full
    q.adjust("E004", "2026-03", "Draw Recovery", 2000.0)
    seen["mar"] = q.close("2026-03")
    approve_close(Source(db=q.db), "2026-03", by="Director Zhou")
    seen["mar_export"] = export_finance(Source(db=q.db), "2026-03", tmp / "mar")
    seen["mar_statements"] = statements(Source(db=str(q.db)), "2026-03", tmp / "st-mar", formats=("xlsx",),
                                        employees=["E004"])
    return seen


def test_adjustments_are_paid_as_their_own_entries_and_never_change_royalties(quarter: dict) -> None:
    q = quarter["q"]
    with open_store(q.db) as store:
        close = store.closes(period="2026-01", current_only=True)[-1]
        manual = store.close_results(close.id, "pay_adjustments")
        payments = store.payments(close_id=close.id)
    got = {(r["employee_id"], r["kind"]): cents(r["amount"]) for r in manual.to_dict("records")}
    assert got == {("E001", "Bonus"): 100000, ("E002", "Penalty"): -20000, ("E004", "Draw"): 300000}
    assert set(payments["kind"]) == {"royalty", "floating"}  # the manual entries are not royalty payments
    # the royalty payments are what the same close computes without any adjustment (a second store, no Adjustments)
    bare = Quarter(q.tmp / "bare")
    (q.tmp / "bare").mkdir()
    bare.close("2026-01")
    with open_store(bare.db) as store:
        plain = store.payments(close_id=store.closes(period="2026-01")[-1].id)
    key = ["employee_id", "kind", "entry"]
    assert payments.sort_values(key)[[*key, "amount"]].to_numpy().tolist() == \
        plain.sort_values(key)[[*key, "amount"]].to_numpy().tolist()


def test_every_export_reconciles_to_the_close_to_the_cent(quarter: dict) -> None:
    q = quarter["q"]
    for period, folder, amount_header in (("2026-01", "jan-a", "Pay"), ("2026-01", "jan-b", "金额"),
                                          ("2026-03", "mar", "Amount")):
        _, rows = read_csv(q.tmp / folder / f"payroll-{period}.csv")
        col = rows[0].index(amount_header)
        file_total = sum(cents(r[col]) for r in rows[1:])
        assert file_total == q.recorded_total(period), (period, folder)
        _, control = read_csv(q.tmp / folder / f"payroll-{period}-control.csv")
        reconciled = [r for r in control if r[0] in ("Reconciled to the cent", "核对一致（精确到分）")]
        assert reconciled and reconciled[0][3] in ("Yes", "是")
        _, journal = read_csv(q.tmp / folder / f"accrual-{period}.csv")
        debit, credit = journal[0].index(journal[0][5]), journal[0].index(journal[0][6])
        assert sum(cents(r[debit] or 0) for r in journal[1:]) == sum(cents(r[credit] or 0) for r in journal[1:])
    # January's manual entries are in the file with their payroll codes and signs
    _, rows = read_csv(q.tmp / "jan-a" / "payroll-2026-01.csv")
    h = rows[0]
    manual = {(r[h.index("Staff No")], r[h.index("Item Code")]): r[h.index("Pay")] for r in rows[1:]
              if r[h.index("Item Code")] in ("B300", "P310", "D400")}
    assert manual == {("E001", "B300"): "1000.00", ("E002", "P310"): "-200.00", ("E004", "D400"): "3000.00"}


def test_two_layouts_come_from_maps_alone(quarter: dict) -> None:
    q = quarter["q"]
    bom_a, a = read_csv(q.tmp / "jan-a" / "payroll-2026-01.csv")
    bom_b, b = read_csv(q.tmp / "jan-b" / "payroll-2026-01.csv")
    assert bom_a == bom_b == b"\xef\xbb\xbf"
    assert a[0] == ["Staff No", "Item Code", "Pay", "Cost Center", "Month", "Line ID", "Paid Date"]
    assert b[0] == ["行号", "公司", "员工编号", "姓名", "项目", "金额", "支付日期"]
    assert {r[1] for r in b[1:]} == {"HX01"}
    assert {r[3] for r in a[1:]} == {"CC-E", "CC-W"}  # the Roster's Cost Centre
    assert sorted(map(tuple, [[r[5], r[0], r[1], r[2]] for r in a[1:]])) == \
        sorted(map(tuple, [[r[0], r[2], r[4], r[5]] for r in b[1:]]))


def test_re_export_writes_the_same_bytes(quarter: dict) -> None:
    q = quarter["q"]
    assert files_bytes(q.tmp / "jan-a") == files_bytes(q.tmp / "jan-a-again")
    assert files_bytes(q.tmp / "jan-a") == files_bytes(q.tmp / "jan-a-after-paid")  # what was paid changes no byte


def test_paid_marks_exactly_the_confirmed_rows_and_refuses_other_amounts(quarter: dict) -> None:
    q = quarter["q"]
    assert "differ" in quarter["wrong_amount"].message("en")
    assert quarter["paid_after_wrong"] == 0  # the refused file marked nothing
    paid = quarter["paid"]
    confirmed = quarter["confirmed_rows"]
    assert sorted(paid.marked) == sorted(r[0] for r in confirmed)
    payroll_unpaid = paid.unpaid[paid.unpaid["file"] == "payroll"]
    assert payroll_unpaid["line_id"].tolist() == [quarter["left_unpaid"][0]]
    with open_store(q.db) as store:
        lines = store.finance_lines(close_id=store.closes(period="2026-01", current_only=True)[-1].id)
    paid_lines = lines[lines["paid_date"].notna() & (lines["file"] == "payroll")]
    # the ledger's sum of paid equals what finance's file says was paid
    assert sum(cents(a) for a in paid_lines["amount"]) == sum(cents(r[5]) for r in confirmed)
    assert set(paid_lines["paid_date"]) == {"2026-02-05"}
    batch = lines[lines["file"] == "reimbursement"]
    assert set(batch["paid_date"]) == {"2026-02-06"}  # the list of IDs, paid on the date given
    assert paid.state == "exported"  # one line (and the reimbursement batch) still unpaid


def test_history_shows_each_payments_state(quarter: dict, tmp_path: Path) -> None:
    q = quarter["q"]
    runner = CliRunner()
    res = runner.invoke(cli, ["history", "payments", "E001", "--year", "2026", "--db", str(q.db),
                              "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    states = {(p["close_period"], p["kind"], p["entry"]): p["state"] for p in doc["payments"]}
    unpaid_id = quarter["left_unpaid"][0]
    jan_floating = "exported" if unpaid_id.endswith("/E001/floating-pay") else "paid"
    assert states[("2026-01", "floating", "payment")] == jan_floating
    assert states[("2026-02", "floating", "payment")] == "approved"  # approved, never exported
    assert states[("2026-03", "floating", "payment")] == "exported"
    assert [m["kind"] for m in doc["manual_adjustments"]] == ["Bonus"]
    text = runner.invoke(cli, ["history", "close", "2026-01", "--db", str(q.db)]).output
    assert "approved (Director Zhou" in text and "exported" in text
    listed = json.loads(runner.invoke(cli, ["history", "list", "--db", str(q.db), "--format", "json"]).output)
    assert {c["period"]: c["state"] for c in listed["closes"]} == {"2026-01": "exported", "2026-02": "approved",
                                                                     "2026-03": "exported"}


def test_statements_are_drafts_until_the_close_is_approved(quarter: dict) -> None:
    q = quarter["q"]
    for folder, draft in (("st-draft", True), ("st-final", False)):
        html = next((q.tmp / folder).glob("statement-2026-01-E001-*.html")).read_text(encoding="utf-8")
        assert ('class="draft-mark"' in html) is draft
        book = next((q.tmp / folder).glob("statement-2026-01-E001-*.xlsx"))
        with zipfile.ZipFile(book) as zf:
            sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
            headers = ["DRAFT" in zf.read(n).decode("utf-8") for n in sheets]
        assert headers == [draft] * len(sheets)  # the page header of every sheet: every printed page
        wb = openpyxl.load_workbook(book)
        first = [c.value for c in wb.worksheets[0]["A"]]
        assert ("DRAFT" in first) is draft
        assert any(str(v).startswith("Bonus: test") for v in first)


def test_every_printed_page_of_a_draft_says_draft(quarter: dict) -> None:
    if not PDF:
        pytest.skip("headless Chromium or poppler's pdftotext is not installed")
    q = quarter["q"]
    for folder, draft in (("st-draft", True), ("st-final", False)):
        pdf = next((q.tmp / folder).glob("statement-2026-01-E001-*.pdf"))
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
        texts = [subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"], capture_output=True,
                                text=True, check=True).stdout for i in range(1, pages + 1)]
        assert [("DRAFT" in text) for text in texts] == [draft] * pages, (folder, pages)


def test_draw_balance_on_statements(quarter: dict) -> None:
    q = quarter["q"]
    for folder, period, balance in (("st-draft", "2026-01", "3,000.00"), ("st-feb", "2026-02", "2,000.00"),
                                    ("st-mar", "2026-03", "0.00")):
        book = next((q.tmp / folder).glob(f"statement-{period}-E004-*.xlsx"))
        ws = openpyxl.load_workbook(book).worksheets[0]
        rows = {r[0]: r for r in ws.iter_rows(values_only=True)}
        assert rows["Draw balance after this month"][2] == balance


def test_a_late_change_after_approval_becomes_next_months_adjustment(quarter: dict) -> None:
    q = quarter["q"]
    assert "approved" in quarter["reopen_refused"].message("en")
    assert "adjustment-period-closed" not in quarter["late_january_row"].message("en")
    assert "2026-01 is already closed and approved" in quarter["late_january_row"].message("en")
    assert "'Gift' is not one of" in quarter["unknown_kind"].message("en")
    with open_store(q.db) as store:
        close = store.closes(period="2026-03", current_only=True)[-1]
        adj = store.adjustments(close_id=close.id)
        pay = store.payments(close_id=close.id)
    late = adj[adj["receipt_no"] == "LATE-1"]
    assert len(late) == 1 and late["closed_period"].iloc[0] == "2026-02" and late["change"].iloc[0] == "added"
    e001 = pay[(pay["employee_id"] == "E001") & (pay["kind"] == "royalty") & (pay["entry"] == "payment")]
    assert cents(e001["adjustment"].iloc[0]) == sum(cents(x) for x in adj.loc[adj["employee_id"] == "E001", "effect"])
    assert cents(e001["adjustment"].iloc[0]) != 0
    _, rows = read_csv(q.tmp / "mar" / "payroll-2026-03.csv")
    h = rows[0]
    line = [r for r in rows[1:] if r[h.index("Line ID")] == "2026-03/E001/royalty-adjustment"]
    assert [cents(r[h.index("Amount")]) for r in line] == [cents(e001["adjustment"].iloc[0])]


def test_reimbursement_batch_offsets_advances_and_skips_what_was_paid(quarter: dict) -> None:
    q = quarter["q"]
    _, rows = read_csv(q.tmp / "jan-a" / "reimbursement-2026-01.csv")
    h = rows[0]
    got = [(r[h.index("Employee ID")], r[h.index("Pay Item")], r[h.index("Amount")]) for r in rows[1:]]
    # C1 150 approved; C2 pending is left out; A1 is a new advance; E001's A0 (400 outstanding) offsets C1
    assert got == [("E001", "Expense claim", "150.00"), ("E001", "Advances outstanding offset", "-150.00"),
                   ("E002", "Advance (loan slip)", "1000.00")]
    assert len(quarter["reimbursed"].marked) == 3
    _, rows = read_csv(q.tmp / "mar" / "reimbursement-2026-03.csv")
    h = rows[0]
    got = [(r[h.index("Reference")], r[h.index("Amount")]) for r in rows[1:]]
    # January's batch was paid: nothing of it again; February's claim (February was never exported) is paid now,
    # offset by what remains of E001's advance (400 − the 150 offset in January's paid batch)
    assert got == [("EXP/East/C3", "180.00"), ("OFFSET/2026-03/E001", "-180.00")]


def test_export_and_paid_refusals(quarter: dict, tmp_path: Path) -> None:
    q = quarter["q"]
    assert "not approved" in quarter["export_before_approval"].message("en")
    with pytest.raises(ToolkitError) as exc:
        import_paid(Source(db=q.db), "2026-01", write_confirmation([["Line ID", "Paid Date"], ["2026-01/E999/bonus", "2026-02-01"]],
                                                  tmp_path / "unknown.csv"))
    assert "E999" in exc.value.message("en")
    with pytest.raises(ToolkitError):
        approve_close(Source(db=q.db), "2026-01")  # already approved


def test_libreoffice_opens_the_payroll_csv_with_its_columns_and_chinese_text(quarter: dict, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    q = quarter["q"]
    src = tmp_path / "payroll.csv"
    shutil.copy(q.tmp / "jan-b" / "payroll-2026-01.csv", src)
    # Text Import with "Unicode (UTF-8)" (filter option 76), as a LibreOffice user picks it: LibreOffice 7.4's
    # headless default is the system's 8-bit charset, which does not look at the BOM (Excel does); the BOM must
    # then be consumed, not show up in the first header
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                    "--infilter=CSV:44,34,76", "--convert-to", "xlsx", "--outdir", str(tmp_path), str(src)],
                   check=True, capture_output=True, timeout=180)
    ws = openpyxl.load_workbook(tmp_path / "payroll.xlsx").active
    rows = [[c for c in r] for r in ws.iter_rows(values_only=True)]
    assert rows[0] == ["行号", "公司", "员工编号", "姓名", "项目", "金额", "支付日期"]
    _, written = read_csv(src)
    assert [r[3] for r in rows[1:]] == [r[3] for r in written[1:]]  # names (Alice, Bob …) intact
    assert sum(cents(r[5]) for r in rows[1:]) == q.recorded_total("2026-01")


def test_adjustments_validation_on_the_standards_workbook(tmp_path: Path) -> None:
    rows = standards_rows()
    rows["Adjustments"] = [
        dict(employee_id="E001", period=pd.Timestamp("2026-01-01"), kind="Bonus", amount=10.0, reason="ok",
             approved_by="E003"),
        dict(employee_id="E001", period=pd.Timestamp("2026-01-01"), kind="Bonus", amount=10.0, reason="self",
             approved_by="Alice"),
        dict(employee_id="E002", period=pd.Timestamp("2026-01-01"), kind="Gift", amount=10.0, reason="kind",
             approved_by="E003"),
        dict(employee_id="E009", period=pd.Timestamp("2026-01-01"), kind="Penalty", amount=10.0, reason="who",
             approved_by="Zed"),
    ]
    path = write_workbook(tmp_path / "standards.xlsx", STANDARDS, "en",
                          frames={k: typed(STANDARDS.table(k), v) for k, v in rows.items()})
    data = read_workbook(path)
    found = {(f.code, f.cell) for f in [*data.findings, *validate(data)] if f.sheet == "Adjustments"}
    assert ("adjustment-self-approved", "F3") in found
    assert ("enum-invalid", "C4") in found
    assert ("unknown-employee", "A5") in found and ("adjustment-approver-unknown", "F5") in found
    assert not any(cell and cell.endswith("2") for _, cell in found)  # the first row is fine


def test_roster_without_cost_centre_is_not_a_warning(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "standards.xlsx", STANDARDS, "en",
                          frames={k: typed(STANDARDS.table(k), v) for k, v in standards_rows().items()})
    wb = openpyxl.load_workbook(path)
    ws = wb["Roster"]
    col = [c.column for c in ws[1] if c.value == "Cost Centre"][0]
    ws.delete_cols(col)
    for table in ws.tables.values():
        first, last = table.ref.split(":")
        table.ref = f"{first}:{chr(ord(last[0]) - 1)}{last[1:]}"
    wb.save(path)
    data = read_workbook(path)
    codes = {(f.code, f.severity) for f in data.findings if f.sheet == "Roster"}
    assert codes == {("column-missing-quiet", "info")}


def test_ribbon_approve_close_and_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOOLKIT_DB", raising=False)
    monkeypatch.delenv("TOOLKIT_APPROVER", raising=False)
    q = Quarter(tmp_path)
    q.adjust("E001", "2026-01", "Bonus", 10.0)
    q.close("2026-01")
    runner = CliRunner()
    res = runner.invoke(cli, ["finance", "export", "--period", "2026-01", "--db", str(q.db), "-o", str(tmp_path / "x")])
    assert res.exit_code == 2 and "not approved" in res.output
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())
    book = tmp_path / "in-2026-01" / "dept-east.xlsx"
    res = runner.invoke(cli, ["macro", "approve_close", "--book", str(book), "--out", str(tmp_path / "copy.xlsx"),
                              "--answer", f"db={q.db}", "--answer", "approver=Director Zhou"])
    assert res.exit_code == 0, res.output
    assert "approved by Director Zhou" in res.output
    with open_store(q.db) as store:
        events = store.close_events(store.closes(period="2026-01")[-1].id)
    assert [(e["state"], e["by_name"]) for e in events] == [("approved", "Director Zhou")]
    res = runner.invoke(cli, ["close", "approve", "2026-01", "--db", str(q.db)])
    assert res.exit_code == 2 and "already approved" in res.output and "Director Zhou" in res.output
    res = runner.invoke(cli, ["finance", "export", "--period", "2026-01", "--db", str(q.db), "--format", "csv",
                              "-o", str(tmp_path / "fin"), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["state"] == "exported" and sorted(p.rsplit("/", 1)[-1] for p in doc["files"]["payroll"]) == [
        "payroll-2026-01-control.csv", "payroll-2026-01.csv"]
    assert not list((tmp_path / "fin").glob("*.xlsx"))
    res = runner.invoke(cli, ["finance", "paid", "--period", "2026-01", str(tmp_path / "fin" / "payroll-2026-01.csv"),
                              "--db", str(q.db)])
    assert res.exit_code == 0 and "0 line(s) marked paid" in res.output  # nothing filled in: nothing marked


def test_the_reports_pay_section_lists_the_periods_manual_adjustments() -> None:
    rows = read_workbook(SAMPLE / "standards.xlsx").tables["Adjustments"]
    mine = rows[pd.to_datetime(rows["period"]).dt.strftime("%Y-%m") == PERIOD]
    expected = sum(SIGN[k] * abs(cents(a)) for k, a in zip(mine["kind"], mine["amount"]))
    assert len(mine) >= 3 and {"Penalty"} <= set(mine["kind"])  # a deduction among them
    for lang in ("en", "zh"):
        ctx = context(lang)
        table = ctx["tables"]["manual_adjustments"]
        assert len(table) == len(mine) + 1  # and the total row
        assert cents(table.iloc[-1]["amount"]) == expected
        assert cents(ctx["headline"]["manual_adjustments"]) == expected
    assert "罚款" in set(context("zh")["tables"]["manual_adjustments"]["adjustment_kind"])
