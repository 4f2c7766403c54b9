"""End to end: real workbooks written by the toolkit, read back by `toolkit royalties` / `toolkit salary`."""

from __future__ import annotations

import json
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from test_royalties import (
    LINES, _frame, collections, contracts, plan, roster, royalty_plans, tiers,
)

from toolkit.cli.main import cli
from toolkit.io.templates import default_frames, write_workbook
from toolkit.schema import DEPARTMENT, STANDARDS
from toolkit.operations.source import Source

INDICATORS = ("Signing", "Collection", "Expense", "Profit")


def _standards(path):
    frames = {
        "Roster": roster(("E1", "M", 3000.0), ("E2", "R", 2000.0), ("E3", "M", 1000.0)),
        "RoyaltyPlans": royalty_plans(("M", "Collected", "Marginal", 0.0, None),
                                      ("R", "Collected", "Retroactive", 0.0, 5000.0)),
        "RoyaltyTiers": tiers(("M", 0.0, 1.0, 0.02), ("M", 1.0, None, 0.05),
                              ("R", 0.0, 1.0, 0.02), ("R", 1.0, None, 0.04)),
        "ProductLines": LINES,
        "Appraisal": _frame("Appraisal", [{"indicator": "Signing", "weight": 0.5},
                                          {"indicator": "Collection", "weight": 0.5}], STANDARDS),
        "AppraisalBands": _frame("AppraisalBands", [
            {"score_from": 0.0, "score_to": 1.0, "band_grade": "C", "coefficient": 0.5},
            {"score_from": 1.0, "score_to": None, "band_grade": "A", "coefficient": 1.2}], STANDARDS),
        **default_frames("standards"),
    }
    return write_workbook(path, STANDARDS, "en", frames=frames)


def _department(path, lang="zh", bad_amount=False):
    # E1 (Marginal): Jan 8,000.25 -> 160.01; Feb B 23,000.25 of 20,000 -> 550.01, payment 390.00.
    # E2 (Retroactive, split 25% of K2): Jan 0.75 x 16,000 = 12,000 of 10,000 (4%) -> 480.00;
    #    Feb refund -8,000 -> 6,000 of 20,000 (2%) -> 120.00, payment -360.00 (clawback).
    # E3 (Marginal, 25% of K2): Jan 4,000 of 10,000 -> 80.00; Feb 25% of the refund: 2,000 of 20,000 -> 40.00,
    #    payment -40.00 (clawback). Total payable in February: 390.00 - 360.00 - 40.00 = -10.00.
    k = contracts(("K1", "2026-01-03", "E1", "Std", 50000.0), ("K2", "2026-01-04", "E2", "Std", 40000.0, "E3", 0.25))
    c = collections(("R1", "2026-01-20", "K1", 8000.25), ("R2", "2026-01-21", "K2", 16000.0),
                    ("R3", "2026-02-15", "K1", 15000.0), ("R4", "2026-02-16", "K2", -8000.0))
    p = plan(*[(e, ind, 10000.0) for e in ("E1", "E2", "E3") for ind in INDICATORS])
    if bad_amount:
        c = c.astype({"amount": object})
        c.loc[0, "amount"] = "eight thousand"
    return write_workbook(path, DEPARTMENT, lang, frames={"Plan": p, "Contracts": k, "Collections": c},
                          info={"department": "East", "year": 2026, "period": "2026-02"})


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """The two workbooks, written once for the module's tests (they only read them; each writes its own output
    name beside them)."""
    folder = tmp_path_factory.mktemp("books")
    std = _standards(folder / "standards.xlsx")
    dept = _department(folder / "east.xlsx")
    return folder, std, dept


def _invoke(*args):
    return CliRunner().invoke(cli, ["--lang", "en", *map(str, args)], catch_exceptions=False)


def test_json_from_real_workbooks(books):
    tmp, std, dept = books
    result = _invoke("royalties", dept, "--standards", std, "--period", "2026-02", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    got = {r["employee_id"]: r for r in doc["royalties"]}
    assert [(e, got[e]["ytd_royalty"], got[e]["previous_ytd_royalty"], got[e]["payment"], got[e]["clawback"])
            for e in ("E1", "E2", "E3")] == [
        ("E1", "550.01", "160.01", "390.00", False),
        ("E2", "120.00", "480.00", "-360.00", True),
        ("E3", "40.00", "80.00", "-40.00", True),
    ]
    assert got["E2"]["method"] == "Retroactive" and got["E2"]["tier_rate"] == 0.02
    assert got["E3"]["ytd_base"] == "2000.00" and got["E3"]["completion"] == 0.1
    assert doc["totals"]["payment"] == "-10.00" and doc["totals"]["clawback_amount"] == "400.00"
    receipts = [i for i in got["E3"]["trace"] if i["kind"] == "receipt"]
    assert [(i["receipt_no"], i["credited"], i["share"]) for i in receipts] == [("R2", "4000.00", 0.25),
                                                                               ("R4", "-2000.00", 0.25)]
    assert any(f["code"] == "royalty-clawback" for f in doc["findings"])


def test_text_and_xlsx_outputs(books):
    tmp, std, dept = books
    text = _invoke("royalties", dept, "--standards", std, "--period", "2026-02")
    assert text.exit_code == 0, text.output
    assert "Royalties 2026-02" in text.output and "CLAWBACK" in text.output
    assert "payable this month -10.00" in text.output
    out = tmp / "royalties.xlsx"
    res = _invoke("royalties", dept, "--standards", std, "--period", "2026-02", "--format", "xlsx", "-o", out)
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:4] == ["Royalties", "E1 Name E1", "E2 Name E2", "E3 Name E3"]
    summary = wb["Royalties"]
    assert "Royalties" in summary.tables
    headers = [c.value for c in summary[1]]
    rows = {r[0]: dict(zip(headers, r)) for r in summary.iter_rows(min_row=2, values_only=True)}
    assert rows["E2"]["Payment"] == -360.0 and rows["Total"]["Payment"] == -10.0
    st = wb["E1 Name E1"]
    items = [r[0] for r in st.iter_rows(min_row=2, values_only=True)]
    assert items[:3] == ["YTD Base", "Weighted Base", "YTD Target"]
    assert "Band 0% – 100%" in items and "Band 100% – ∞" in items and items.count("Receipt") == 2
    # the clawback is labelled as such on E2's statement
    e2 = [r[0] for r in wb["E2 Name E2"].iter_rows(min_row=2, values_only=True)]
    assert "Payment (clawback)" in e2 and "Tier 0% – 100%" in e2
    # money cells hold cents: the 150.0125 of the upper band is written as 150.01
    band = [r for r in st.iter_rows(min_row=2, values_only=True) if r[0] == "Band 100% – ∞"][0]
    assert band[-1] == 150.01
    needs = _invoke("royalties", dept, "--standards", std, "--period", "2026-02", "--format", "xlsx")
    assert needs.exit_code == 2 and "-o PATH" in needs.output


def test_chinese_output(books):
    tmp, std, dept = books
    res = CliRunner().invoke(cli, ["--lang", "zh", "royalties", str(dept), "--standards", str(std),
                                   "--period", "2026-02"])
    assert res.exit_code == 0, res.output
    assert "提成 2026-02" in res.output and "本月应付 -10.00" in res.output and "追回" in res.output


def test_workbook_with_errors_is_refused_unless_forced(tmp_path):
    std = _standards(tmp_path / "standards.xlsx")
    dept = _department(tmp_path / "east.xlsx", bad_amount=True)
    refused = _invoke("royalties", dept, "--standards", std, "--period", "2026-02", "--format", "json")
    assert refused.exit_code == 2
    assert "--force" in refused.output and "east.xlsx" in refused.output
    forced = _invoke("royalties", dept, "--standards", std, "--period", "2026-02", "--format", "json", "--force")
    assert forced.exit_code == 0, forced.output
    doc = json.loads(forced.output)
    assert any(f["code"] == "type-error" for f in doc["findings"])
    # R1 (8,000.25) could not be read: E1 has only R3's 15,000 of 20,000 -> 2% = 300.00, and 0 in January
    e1 = [r for r in doc["royalties"] if r["employee_id"] == "E1"][0]
    assert (e1["ytd_royalty"], e1["previous_ytd_royalty"]) == ("300.00", "0.00")


def test_bad_period_exits_2(books):
    tmp, std, dept = books
    res = _invoke("royalties", dept, "--standards", std, "--period", "2026-13")
    assert res.exit_code == 2 and "YYYY-MM" in res.output


def test_salary_from_real_workbooks(books):
    tmp, std, dept = books
    res = _invoke("salary", dept, "--standards", std, "--period", "2026-02", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    got = {r["employee_id"]: r for r in doc["salaries"]}
    # YTD (Jan-Feb) targets 20,000 each. Signing: E1 50,000 (250% -> 120%), E2 0.75 x 40,000 = 30,000 (120%),
    # E3 10,000 (50%). Collection: E1 23,000.25 (115%), E2 6,000 (30%), E3 2,000 (10%).
    # E1 0.5 x 1.2 + 0.5 x 1.1500125 = 1.17500625 -> A, 3,000 x 1.2 = 3,600.00
    # E2 0.5 x 1.2 + 0.5 x 0.3 = 0.75 -> C, 2,000 x 0.5 = 1,000.00; E3 0.25 + 0.05 = 0.3 -> C, 500.00
    assert [(e, got[e]["grade"], got[e]["pay"]) for e in ("E1", "E2", "E3")] == [
        ("E1", "A", "3600.00"), ("E2", "C", "1000.00"), ("E3", "C", "500.00")]
    assert got["E1"]["score"] == pytest.approx(1.175006, abs=1e-6)
    assert doc["totals"] == {"employees": 3, "pay": "5100.00", "not_computed": 0}
    out = tmp / "salary.xlsx"
    assert _invoke("salary", dept, "--standards", std, "--period", "2026-02", "--format", "xlsx", "-o",
                   out).exit_code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["Floating Salary", "Appraisal Terms"]
    text = _invoke("salary", dept, "--standards", std, "--period", "2026-02")
    assert "Floating salary 2026-02" in text.output and "5,100.00" in text.output


def test_payments_match_monthly_payments_for_completion(books):
    """The schedule fed to completion/funds (Profit, royalties payable) is the true-up sequence."""
    from toolkit.core.royalties import monthly_payments

    tmp, std, dept = books
    ledger = Source([dept], std).ledger("2026-02")
    sched = monthly_payments(ledger, "2026-02")
    got = {(r.employee_id, r.month): Decimal(repr(r.royalty)) for r in sched.itertuples()}
    assert got == {("E1", 1): Decimal("160.01"), ("E1", 2): Decimal("390.0"), ("E2", 1): Decimal("480.0"),
                   ("E2", 2): Decimal("-360.0"), ("E3", 1): Decimal("80.0"), ("E3", 2): Decimal("-40.0")}
    assert isinstance(sched, pd.DataFrame)


def test_sample_workbooks_true_ups_add_up(sample_dir):
    """On the committed sample data: every employee's payments Jan..p equal the YTD royalty of p."""
    from toolkit.core.royalties import compute_royalties, monthly_payments

    depts = [p for p in sample_dir.glob("*.xlsx") if p.name != "standards.xlsx"]
    ledger = Source(depts, sample_dir / "standards.xlsx", force=True).ledger(None)
    period = str(ledger.tables["Collections"]["receipt_date"].max().to_period("M"))
    result = compute_royalties(ledger, period)
    assert len(result.lines) > 0
    paid = monthly_payments(ledger, period).groupby("employee_id")["royalty"].sum()
    ytd = result.lines.set_index("employee_id")["ytd_royalty"]
    assert (paid.reindex(ytd.index).fillna(0.0) - ytd).abs().max() < 0.005
    doc = result.to_dict()
    assert Decimal(doc["totals"]["payment"]) == sum((Decimal(r["payment"]) for r in doc["royalties"]), Decimal(0))
