"""The year boundary and departments not consolidated (issue 12): a rolled register's earlier years are
history, a Plan of another year is stopped, and employees of a missing department are never paid as zero."""

from __future__ import annotations

from validation_factory import D, department, fresh, info_rows, standards
from ledger_factory import department_book, ledger, plan_row, standards_book
from toolkit.core.appraisal import compute_appraisal
from toolkit.core.royalties import compute_royalties
from toolkit.core.validation import validate


def _codes(data, std) -> list[tuple[str, str]]:
    return [(f.code, f.severity) for f in validate(data, std)]


def test_contracts_from_two_years_back_are_history_not_errors(tmp_path):
    rows = fresh()
    rows["Contracts"][2]["sign_date"] = D(2024, 3, 1)  # two years before the workbook's year 2026
    rows["Collections"][4]["receipt_date"] = D(2024, 5, 1)
    std = standards(tmp_path)
    assert "date-out-of-period" not in {c for c, _ in _codes(department(tmp_path, rows), std)}
    rows["Contracts"][2]["sign_date"] = D(2016, 3, 1)  # ten years back is still a typo
    assert ("date-out-of-period", "error") in _codes(department(tmp_path, rows, name="old.xlsx"), std)


def test_a_workbook_not_rolled_into_the_period_s_year_is_stopped(tmp_path):
    std = standards(tmp_path)
    data = department(tmp_path, info=info_rows(period="2027-01", year=2026))
    found = [f for f in validate(data, std) if f.code == "plan-year-mismatch"]
    assert len(found) == 1 and found[0].severity == "error" and found[0].sheet == "Info"
    assert "Roll the workbook into 2027" in found[0].message() and "转入 2027 年" in found[0].message("zh")
    rolled = department(tmp_path, info=info_rows(period="2027-01", year=2027), name="rolled.xlsx")
    assert not [f for f in validate(rolled, std) if f.code == "plan-year-mismatch"]


def _company():
    std = standards_book(
        Roster=[dict(employee_id="E1", name="A", department="East", royalty_plan="P", floating_base=1000.0),
                dict(employee_id="E2", name="B", department="West", royalty_plan="P", floating_base=1000.0)],
        RoyaltyPlans=[dict(plan="P", basis="Collected", method="Marginal", gate=0.0)],
        RoyaltyTiers=[dict(plan="P", from_pct=0.0, rate=0.05)],
        Appraisal=[dict(indicator="Collection", weight=1.0)],
        AppraisalBands=[dict(score_from=0.0, band_grade="C", coefficient=0.5)],
    )
    east = department_book(
        "East", 2026,
        Plan=[plan_row("E1", "Collection", [1000.0] * 3)],
        Contracts=[dict(contract_no="C1", sign_date="2026-01-05", employee_id="E1", amount=5000.0)],
        Collections=[dict(receipt_no="R1", receipt_date="2026-02-01", contract_no="C1", amount=2000.0)],
    )
    return ledger([east], std)


def test_employees_of_a_department_not_consolidated_are_not_computed_and_out_of_the_totals():
    led = _company()
    roy = compute_royalties(led, "2026-03")
    doc = roy.to_dict()
    by = {r["employee_id"]: r for r in doc["royalties"]}
    assert by["E1"]["status"] == "computed" and by["E1"]["ytd_royalty"] == "100.00"
    assert by["E2"]["status"] == "not-computed" and by["E2"]["payment"] is None and by["E2"]["ytd_royalty"] is None
    assert by["E2"]["reason"] == "department-not-consolidated" and by["E2"]["trace"] == []
    assert doc["totals"]["employees"] == 1 and doc["totals"]["not_computed"] == 1
    assert doc["totals"]["ytd_royalty"] == "100.00"
    sal = compute_appraisal(led, "2026-03").to_dict()
    pay = {r["employee_id"]: r for r in sal["salaries"]}
    assert pay["E2"]["status"] == "not-computed" and pay["E2"]["pay"] is None and pay["E2"]["grade"] is None
    assert pay["E1"]["status"] == "computed" and pay["E1"]["pay"] == "500.00"
    assert sal["totals"] == {"employees": 1, "pay": "500.00", "not_computed": 1}
