"""Each validation rule on real files: a clean workbook passes every rule; breaking one rule once gives
exactly one finding with that code, at the right cell, in English and in Chinese."""

from __future__ import annotations

import datetime as dt

import pytest

import validation_factory as F
from toolkit.core.findings import CATALOG
from toolkit.core.validation import CODES, validate
from toolkit.io.reader import read_workbook

D = dt.date


@pytest.fixture(scope="module")
def std(tmp_path_factory):
    return F.standards(tmp_path_factory.mktemp("std"))


@pytest.fixture(scope="module")
def clean(tmp_path_factory, std):
    dept = F.department(tmp_path_factory.mktemp("clean"))
    return dept, validate(dept, std)


def _set(table, index, **values):
    def mutate(rows):
        rows[table][index].update(values)
    return mutate


def _add(table, **values):
    def mutate(rows):
        rows[table].append(values)
    return mutate


def _copy_row(table, index, **values):
    def mutate(rows):
        rows[table].append({**rows[table][index], **values})
    return mutate


def _delete(table, index):
    def mutate(rows):
        del rows[table][index]
    return mutate


def _drop_plan(emp, indicator):
    def mutate(rows):
        rows["Plan"] = [r for r in rows["Plan"] if (r["employee_id"], r["indicator"]) != (emp, indicator)]
    return mutate


# (id, mutation, code, table, column key, 0-based data row index of the expected cell, severity)
BREAKS = [
    ("required", _set("Contracts", 1, customer=None), "required-missing", "Contracts", "customer", 1, "error"),
    ("enum", _set("Contracts", 0, status="Ongoing"), "enum-invalid", "Contracts", "status", 0, "error"),
    ("negative-amount", _set("Expenses", 1, amount=-5.0), "out-of-range", "Expenses", "amount", 1, "error"),
    ("negative-target", _set("Plan", 0, m03=-1000.0, annual=10000.0), "out-of-range", "Plan", "m03", 0, "error"),
    ("negative-forecast", _set("Forecast", 1, expected_spending=-1.0), "out-of-range", "Forecast",
     "expected_spending", 1, "error"),
    ("duplicate-receipt", _set("Collections", 2, receipt_no="R001"), "duplicate-key", "Collections", "receipt_no", 2,
     "error"),
    ("duplicate-claim-no", _set("Expenses", 3, claim_no="X001"), "duplicate-key", "Expenses", "claim_no", 3, "error"),
    ("date-window", _set("Feedback", 0, date=D(2016, 3, 5)), "date-out-of-period", "Feedback", "date", 0, "error"),
    ("date-after", _set("Expenses", 2, date=D(2026, 4, 1)), "date-after-period", "Expenses", "date", 2, "warning"),
    ("unknown-employee", _set("Advances", 1, employee_id="E999"), "unknown-employee", "Advances", "employee_id", 1,
     "error"),
    ("unknown-split-employee", _set("Contracts", 1, split_employee_id="E998"), "unknown-employee", "Contracts",
     "split_employee_id", 1, "error"),
    ("unknown-contract", _set("Collections", 2, contract_no="C999"), "unknown-contract", "Collections", "contract_no",
     2, "error"),
    ("unknown-product-line", _set("Contracts", 1, product_line="Doohickeys"), "unknown-product-line", "Contracts",
     "product_line", 1, "error"),
    ("unknown-city", _set("Expenses", 1, city="Atlantis"), "unknown-city", "Expenses", "city", 1, "warning"),
    ("split-self", _set("Contracts", 1, split_employee_id="E002"), "split-same-employee", "Contracts",
     "split_employee_id", 1, "error"),
    ("split-share", _set("Contracts", 1, split_share=-0.2), "split-share-invalid", "Contracts", "split_share", 1, "error"),
    ("split-no-employee", _set("Contracts", 1, split_employee_id=None), "split-share-invalid", "Contracts",
     "split_share", 1, "error"),
    ("annual", _set("Plan", 0, annual=12100.0), "plan-annual-mismatch", "Plan", "annual", 0, "error"),
    # the Budget sheet (issue 28): a category not in the list, a negative month, months not adding up to the
    # Plan's Expense (one finding at the month's header), Annual not the months' sum, a category twice
    ("budget-category", _set("Budget", 0, category="Lottery"), "enum-invalid", "Budget", "category", 0, "error"),
    ("budget-negative", _set("Budget", 1, m02=-100.0, annual=8700.0), "out-of-range", "Budget", "m02", 1, "error"),
    ("budget-mismatch", _set("Budget", 0, m03=1250.0, annual=14450.0), "budget-plan-mismatch", "Budget", "m03", -1,
     "warning"),
    ("budget-annual", _set("Budget", 1, annual=9700.0), "plan-annual-mismatch", "Budget", "annual", 1, "error"),
    ("budget-twice", _copy_row("Budget", 0), "duplicate-key", "Budget", "category", 2, "error"),
    ("indicator-missing", _drop_plan("E002", "Profit"), "plan-indicator-missing", "Plan", "employee_id", 4, "error"),
    ("plan-duplicate", _copy_row("Plan", 0), "plan-duplicate", "Plan", "indicator", 8, "error"),
    ("delivered", _set("Contracts", 1, delivered=60000.0), "delivered-exceeds-amount", "Contracts", "delivered", 1,
     "error"),
    ("over-collected", _set("Collections", 1, amount=75000.0), "collection-exceeds-contract", "Collections", "amount",
     1, "error"),
    ("receipt-before-signing", _set("Collections", 2, receipt_date=D(2026, 2, 2)), "receipt-before-signing",
     "Collections", "receipt_date", 2, "error"),
    ("terminated", _set("Collections", 4, receipt_date=D(2026, 3, 16)), "receipt-after-termination", "Collections",
     "amount", 4, "warning"),
    ("policy-warning", _set("Expenses", 2, amount=1500.0), "over-policy-limit", "Expenses", "amount", 2, "warning"),
    ("policy-blocking", _set("Expenses", 4, amount=1500.0), "over-policy-limit", "Expenses", "amount", 4, "error"),
    ("receipt", _set("Expenses", 0, receipt=False), "receipt-missing", "Expenses", "receipt", 0, "warning"),
    ("duplicate-claim", _copy_row("Expenses", 0, claim_no="X006"), "duplicate-claim", "Expenses", "claim_no", 5,
     "warning"),
    ("weekend", _set("Expenses", 1, date=D(2026, 3, 7)), "weekend-expense", "Expenses", "date", 1, "warning"),
    ("holiday", _set("Expenses", 1, date=D(2026, 2, 17)), "holiday-expense", "Expenses", "date", 1, "warning"),
    ("advance-limit", _set("Advances", 0, amount=12000.0), "advance-over-limit", "Advances", "amount", 0, "error"),
    ("advance-overdue", _set("Advances", 1, repaid=1500.0), "advance-overdue", "Advances", "due_date", 1, "warning"),
    ("advance-repaid", _set("Advances", 1, repaid=2500.0), "repaid-exceeds-advance", "Advances", "repaid", 1, "error"),
    ("leave-end", _set("Leave", 1, end=D(2026, 3, 4)), "leave-end-before-start", "Leave", "end", 1, "error"),
    ("leave-days", _set("Leave", 0, days=9), "leave-days-mismatch", "Leave", "days", 0, "error"),
    ("leave-balance", _set("Leave", 2, end=D(2026, 3, 18), days=8), "leave-over-balance", "Leave", "days", 2, "error"),
    ("leave-overlap", _add("Leave", request_no="L004", employee_id="E002", type="Personal", start=D(2026, 3, 6),
                           end=D(2026, 3, 6), days=1, approval="Approved"),
     "leave-overlap", "Leave", "start", 3, "error"),
    ("forecast-past", _set("Forecast", 0, month=D(2026, 3, 1)), "forecast-not-future", "Forecast", "month", 0,
     "warning"),
    ("forecast-duplicate", _set("Forecast", 2, month=D(2026, 5, 1)), "forecast-duplicate-month", "Forecast", "month",
     2, "warning"),
    ("won-unlinked", _set("Opportunities", 0, contract_no="C999"), "opportunity-won-unlinked", "Opportunities",
     "contract_no", 0, "warning"),
    ("lost-no-reason", _set("Opportunities", 1, lost_reason=None), "opportunity-lost-no-reason", "Opportunities",
     "lost_reason", 1, "warning"),
]


def test_clean_workbook_passes_every_rule(clean):
    dept, findings = clean
    assert dept.findings == []
    assert [(f.code, f.cell) for f in findings] == []


#: Codes broken on the standards workbook or the Info sheet, by the tests after ``test_rule_broken_once``.
OTHER_BREAKS = ("percent-out-of-range", "weights-not-100", "department-near-miss", "unknown-department",
                "department-other-name", "key-normalized", "unknown-plan",  # these three: tests/test_keys.py
                # the standards' Adjustments: tests/test_finance.py
                "adjustment-approver-unknown", "adjustment-self-approved", "adjustment-period-closed",
                # people over time (issue 23): tests/test_people.py
                "leave-before-start", "dated-after-leaving", "target-before-start", "target-after-leaving",
                "roster-change-out-of-year", "roster-change-outside-employment", "roster-change-conflict",
                "plan-not-in-force",
                # Valid From on Product Lines, Expense Policy and Appraisal: tests/test_valid_from.py
                "valid-from-out-of-year", "version-gap", "version-grade-renamed",
                # the Reviews sheet (issue 31): tests/test_reviews.py breaks each at its cell
                "review-reviewer-unknown", "review-self", "review-score-out-of-range", "review-item-unknown",
                "review-period-invalid")


@pytest.mark.parametrize("code", [c for c in CODES if c not in ("standards-missing", "period-missing",
                                                                  "plan-year-mismatch")])  # test_year_boundary
def test_every_code_is_tested_and_passes_on_the_clean_workbook(code, clean):
    assert code in {b[2] for b in BREAKS} | set(OTHER_BREAKS), f"no test breaks {code}"
    assert code not in {f.code for f in clean[1]}


@pytest.mark.parametrize("name, mutate, code, table, key, index, severity", BREAKS, ids=[b[0] for b in BREAKS])
def test_rule_broken_once(tmp_path, std, name, mutate, code, table, key, index, severity):
    rows = F.fresh()
    mutate(rows)
    dept = F.department(tmp_path, rows)
    findings = [f for f in validate(dept, std) if f.code == code]
    expected_cell = F.cell(table, key, index)
    assert [(f.sheet, f.cell, f.severity) for f in findings] == [(table, expected_cell, severity)]
    f = findings[0]
    assert f.row == index + 2 and f.file == dept.path
    assert f.column == dept.layout[table].columns[key][1]
    en, zh = f.message("en"), f.message("zh")
    assert expected_cell in en and expected_cell in zh and en != zh
    assert "{" not in en and "{" not in zh


def test_catalog_has_both_languages_for_every_code():
    for code in CODES:
        ftype = CATALOG[code]
        assert all(ftype.title) and all(ftype.template), code
        assert ftype.template[0] != ftype.template[1]


def test_required_missing_skips_cells_the_reader_reported(tmp_path, std):
    rows = F.fresh()
    rows["Contracts"][0]["amount"] = "lots"  # a type error: missing in the frame, reported by the reader
    dept = F.department(tmp_path, rows)
    cell = F.cell("Contracts", "amount", 0)
    assert [(f.code, f.cell) for f in dept.findings] == [("type-error", cell)]
    assert [f for f in validate(dept, std) if f.cell == cell] == []


def test_chinese_workbook_gives_the_same_findings(tmp_path, std):
    rows = F.fresh()
    rows["Contracts"][0]["status"] = "进行中"
    rows["Expenses"][1]["date"] = D(2026, 3, 7)
    dept = F.department(tmp_path, rows, lang="zh")
    assert dept.lang == "zh"
    found = {(f.code, f.sheet, f.cell) for f in validate(dept, std)}
    assert found == {("enum-invalid", "合同", F.cell("Contracts", "status", 0)),
                     ("weekend-expense", "费用", F.cell("Expenses", "date", 1))}


def test_without_standards_cross_workbook_rules_are_skipped(tmp_path):
    rows = F.fresh()
    rows["Advances"][1]["employee_id"] = "E999"
    found = validate(F.department(tmp_path, rows), None)
    assert [f.code for f in found] == ["standards-missing"]
    assert found[0].sheet is None and "standards" in found[0].message("en")


def test_without_period_the_period_rules_are_skipped(tmp_path, std):
    rows = F.fresh()
    rows["Forecast"][0]["month"] = D(2026, 3, 1)
    dept = F.department(tmp_path, rows, info=F.info_rows(period=None))
    assert [f.code for f in validate(dept, std)] == ["period-missing"]
    # An explicit period overrides (and supplies) the Info sheet's.
    assert [f.code for f in validate(dept, std, "2026-03")] == ["forecast-not-future"]


def test_bad_period_is_a_toolkit_error(tmp_path, std):
    from toolkit.errors import ToolkitError

    with pytest.raises(ToolkitError, match="2026-13"):
        validate(F.department(tmp_path), std, "2026-13")


def test_thresholds_come_from_the_standards(tmp_path):
    srows = F.standards_rows()
    srows["Thresholds"] = [t for t in srows["Thresholds"] if t["name"] != "Advance Limit"]
    srows["Thresholds"].append(dict(name="Advance Limit", value=2500.0))
    std = F.standards(tmp_path, srows)
    found = [f for f in validate(F.department(tmp_path), std) if f.code == "advance-over-limit"]
    assert [(f.cell, f.value) for f in found] == [(F.cell("Advances", "amount", 0), "3000.00")]


def test_absurdly_large_money_is_a_finding_not_a_crash(tmp_path, std):
    """1e300 in an expense amount is over every limit; validation reports it and rounding copes."""
    rows = F.fresh()
    rows["Expenses"][0]["amount"] = 1e300
    findings = validate(F.department(tmp_path, rows), std, F.PERIOD)
    assert "over-policy-limit" in {f.code for f in findings}


def _standards(tmp_path, edit) -> object:
    rows = F.standards_rows()
    edit(rows)
    return read_workbook(F.write_book(tmp_path / "standards.xlsx", "standards", rows, {"template_version": "1.0"}))


def test_a_rate_above_100_percent_is_an_error(tmp_path):
    def edit(rows):
        rows["RoyaltyTiers"][0]["rate"] = 1.5  # among fractions: 150%, not 1.5 points

    data = _standards(tmp_path, edit)
    found = [f for f in validate(data) if f.code == "percent-out-of-range"]
    assert [(f.sheet, f.cell, f.value) for f in found] == [("Royalty Tiers", F.cell("RoyaltyTiers", "rate", 0,
                                                                                      "standards"), "150%")]
    assert "0%" in found[0].message() and "100%" in found[0].message("zh")


def test_weights_not_adding_up_to_100_percent_are_an_error(tmp_path):
    def edit(rows):
        rows["Appraisal"][0]["weight"] += 0.1

    found = [f for f in validate(_standards(tmp_path, edit)) if f.code == "weights-not-100"]
    assert len(found) == 1 and found[0].severity == "error" and found[0].value == "110%"


@pytest.mark.parametrize("name, code", [("East Region", "department-near-miss"), ("Head Office", "unknown-department")])
def test_info_department_is_matched_to_the_roster(tmp_path, std, name, code):
    dept = F.department(tmp_path, info=F.info_rows(department=name))
    found = [f for f in validate(dept, std) if f.code in OTHER_BREAKS]
    severity = "error" if code == "unknown-department" else "warning"  # issue 22: its people would not be computed
    assert [(f.code, f.sheet, f.severity) for f in found] == [(code, "Info", severity)]
    assert found[0].cell == dept.info_cells["department"][1]
    if code == "department-near-miss":
        assert "'East'" in found[0].message() and "“East”" in found[0].message("zh")


def test_budget_not_adding_up_says_by_how_much_per_month(tmp_path, std):
    rows = F.fresh()
    rows["Budget"][0].update(m03=1250.0, annual=14450.0)  # March: 1,250 + 800 against the Plan's 2 x 1,000
    rows["Budget"][1].update(m07=750.0, annual=9550.0)  # July: 1,200 + 750
    found = [f for f in validate(F.department(tmp_path, rows), std) if f.code == "budget-plan-mismatch"]
    assert [f.cell for f in found] == [F.cell("Budget", "m03", -1), F.cell("Budget", "m07", -1)]
    march, july = found
    assert "2,050.00" in march.message("en") and "2,000.00" in march.message("en") and "50.00" in march.message("en")
    assert "over" in march.message("en") and "under" in july.message("en")
    assert "3月" in march.message("zh") and "预算高于计划" in march.message("zh") and "预算低于计划" in july.message("zh")
