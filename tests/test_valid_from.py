"""Valid From on Product Lines, Expense Policy and Appraisal (DOMAIN.md, "People and standards over time";
docs/people.md, "Standards with Valid From"): the row's date, the claim's date or the month appraised picks the
version; a change from July leaves January–June as they were. Expected figures are worked by hand."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

import payout_year
import validation_factory as F
from ledger_factory import department_book, ledger, standards_book
from payout_year import Company
from test_appraisal import BANDS, WEIGHTS, completion
from test_royalties import _frame, cents, collections, contracts, line, plan, roster, royalty_plans, tiers
from toolkit.core.appraisal import appraisal, compute_appraisal
from toolkit.core.completion import monthly_actuals
from toolkit.core.ledger import Ledger
from toolkit.core.royalties import monthly_payments, royalties
from toolkit.core.validation import validate
from toolkit.operations.close_month import close_month
from toolkit.operations.source import Source
from toolkit.schema import STANDARDS
from toolkit.store import open_store

D = dt.date
JULY = "2026-07-01"


def lines(*rows: dict) -> pd.DataFrame:
    return _frame("ProductLines", list(rows), STANDARDS)


# --- product lines: the row's date picks the version ----------------------------------------------------------

# E1 signs 100,000 of Std on the 5th of every month; a flat 1% on the Signed basis (T(B)/B = 1% exactly)
K = contracts(*[(f"C{m:02d}", f"2026-{m:02d}-05", "E1", "Std", 100000.0) for m in range(1, 13)])
P = plan(("E1", "Signing", 100000.0))
PLANS = royalty_plans(("A", "Signed", "Marginal", 0.0, None))
TIERS = tiers(("A", 0.0, None, 0.01))
OLD = lines(dict(product_line="Std", royalty_factor=1.0, gross_margin=0.3))
NEW = lines(dict(product_line="Std", royalty_factor=1.0, gross_margin=0.3),
            dict(product_line="Std", royalty_factor=2.0, gross_margin=0.5, valid_from=JULY))


def _r(pl: pd.DataFrame, period: str) -> dict:
    return line(royalties(K, collections(), P, roster(("E1", "A")), PLANS, TIERS, pl, period), "E1")


def test_a_royalty_factor_from_july_weights_the_rows_dated_from_july_only():
    # June: 6 × 100,000 × 1.0 × 1% = 6,000.00 with or without the July version
    assert cents(_r(OLD, "2026-06")["ytd_royalty"]) == cents(_r(NEW, "2026-06")["ytd_royalty"]) == "6000.00"
    # August: 6,000.00 for January–June + 2 × 100,000 × 2.0 × 1% = 4,000.00 for July–August
    assert cents(_r(NEW, "2026-08")["ytd_royalty"]) == "10000.00"
    assert cents(_r(OLD, "2026-08")["ytd_royalty"]) == "8000.00"


def test_a_gross_margin_from_july_applies_to_receipts_dated_from_july():
    dept = department_book("East", 2026, Contracts=[dict(contract_no="C1", sign_date="2026-01-05", customer="Acme",
                                                         employee_id="E1", product_line="Std", amount=50000.0,
                                                         status="Executing")],
                           Collections=[dict(receipt_no="R1", receipt_date="2026-06-30", contract_no="C1",
                                             amount=10000.0),
                                        dict(receipt_no="R2", receipt_date="2026-07-01", contract_no="C1",
                                             amount=10000.0)])
    roster_rows = [dict(employee_id="E1", name="E", department="East", role="Salesperson", grade="G2")]
    pl = [dict(product_line="Std", royalty_factor=1.0, gross_margin=0.3),
          dict(product_line="Std", royalty_factor=1.0, gross_margin=0.5, valid_from=JULY)]
    got = monthly_actuals(ledger([dept], standards_book(Roster=roster_rows, ProductLines=pl)), 2026)
    profit = got[got["indicator"] == "Profit"].set_index("month")["actual"]
    assert profit[6] == pytest.approx(3000.0) and profit[7] == pytest.approx(5000.0)  # 30% of June, 50% of July


# --- expense policy: the claim's date picks the version -------------------------------------------------------

def test_an_expense_limit_from_july_applies_to_claims_dated_from_july(tmp_path):
    srows = F.standards_rows()
    # Travel, G2, tier 1: 400 × 1.2 × 1.2 = 576.00 a day until June; 250.00 a day from July
    srows["ExpensePolicy"].append(dict(category="Travel", grade="G2", city_tier="1", limit=250.0, per="Day",
                                       receipt_over=200.0, severity="Warning", valid_from=D(2026, 7, 1)))
    rows = F.fresh()
    rows["Expenses"].append(dict(rows["Expenses"][0], claim_no="X009", date=D(2026, 7, 1)))  # 600 for 2 days
    rows["Expenses"].append(dict(rows["Expenses"][0], claim_no="X010", date=D(2026, 6, 30), amount=601.0))
    dept = F.department(tmp_path, rows, F.info_rows(period="2026-07"))
    found = [f for f in validate(dept, F.standards(tmp_path, srows), "2026-07") if f.code == "over-policy-limit"]
    # only the July claim: 600.00 over 2 × 250.00; the March and June claims keep 2 × 576.00 = 1,152.00
    assert [(f.cell, f.params["limit"]) for f in found] == [(F.cell("Expenses", "amount", 5), "500.00")]


# --- appraisal: the month appraised picks the weights and the bands -------------------------------------------

def test_appraisal_weights_and_bands_from_july_apply_from_july():
    weights = pd.concat([WEIGHTS, _frame("Appraisal", [dict(indicator="Signing", weight=1.0, valid_from=JULY)],
                                         STANDARDS)], ignore_index=True)
    bands = pd.concat([BANDS, _frame("AppraisalBands", [
        dict(score_from=0.0, score_to=1.0, band_grade="C", coefficient=0.5, valid_from=JULY),
        dict(score_from=1.0, band_grade="A", coefficient=2.0, valid_from=JULY)], STANDARDS)], ignore_index=True)
    comp = completion({"E1": (1.5, 0.5, 1.0, 0.5)})
    r = roster(("E1", "A", 1000.0))
    june = appraisal(comp, r, weights, bands, "2026-06").lines.iloc[0]
    # June: 0.4 × 1.2 + 0.4 × 0.5 + 0.1 × 1.0 + 0.1 × 0.5 = 0.83 → C (0.6–0.9), 0.6: pay 600.00
    assert june["grade"] == "C" and june["score"] == pytest.approx(0.83) and cents(june["pay"]) == "600.00"
    assert cents(appraisal(comp, r, WEIGHTS, BANDS, "2026-06").lines.iloc[0]["pay"]) == "600.00"
    july = appraisal(comp, r, weights, bands, "2026-07").lines.iloc[0]
    # July: Signing alone, min(1.5, 1.2) = 1.2 → A of the July bands, 2.0: pay 2,000.00
    assert july["grade"] == "A" and july["score"] == pytest.approx(1.2) and cents(july["pay"]) == "2000.00"


# --- the sample company, June closed before a change from July ------------------------------------------------

@pytest.fixture(scope="module")
def sample_ledgers(sample_dir) -> tuple[Ledger, Ledger]:
    """The sample's ledger, and the same with new versions from July of every product line (factor × 2, margin
    + 10 points), the appraisal weights (Signing and Collection only) and the bands (coefficients × 2)."""
    base = Source([sample_dir], sample_dir / "standards.xlsx", force=True).ledger(None)
    std = dict(base.standards.tables)
    july = pd.Timestamp(JULY)

    def version(frame: pd.DataFrame, **change) -> pd.DataFrame:
        new = frame.assign(valid_from=july, **{k: f(frame) for k, f in change.items()})
        return pd.concat([frame, new], ignore_index=True)

    std["ProductLines"] = version(std["ProductLines"], royalty_factor=lambda f: f["royalty_factor"] * 2,
                                  gross_margin=lambda f: f["gross_margin"] + 0.1)
    w = std["Appraisal"]
    std["Appraisal"] = pd.concat([w, _frame("Appraisal", [dict(indicator="Signing", weight=0.5, valid_from=JULY),
                                                         dict(indicator="Collection", weight=0.5, valid_from=JULY)],
                                            STANDARDS)], ignore_index=True)
    std["AppraisalBands"] = version(std["AppraisalBands"], coefficient=lambda f: f["coefficient"] * 2)
    changed = Ledger(dict(base.tables), dataclasses.replace(base.standards, tables=std))
    return base, changed


def test_a_change_from_july_keeps_june_and_changes_july(sample_ledgers):
    base, changed = sample_ledgers
    # the royalty payments of January–June are as before; July's follow the doubled factors
    pay_b, pay_a = monthly_payments(base, "2026-07"), monthly_payments(changed, "2026-07")
    key = ["employee_id", "month"]
    pay_b, pay_a = pay_b.sort_values(key).reset_index(drop=True), pay_a.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(pay_b[pay_b["month"] <= 6], pay_a[pay_a["month"] <= 6])
    jul_b, jul_a = pay_b[pay_b["month"] == 7]["royalty"].sum(), pay_a[pay_a["month"] == 7]["royalty"].sum()
    assert jul_a > jul_b > 0
    # the actuals of January–June are as before; July's Profit carries 10 more points of margin
    act_b, act_a = monthly_actuals(base, 2026), monthly_actuals(changed, 2026)
    key = ["employee_id", "indicator", "month"]
    act_b, act_a = act_b.sort_values(key).reset_index(drop=True), act_a.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(act_b[act_b["month"] <= 6], act_a[act_a["month"] <= 6])
    profit = (act_a["indicator"] == "Profit") & (act_a["month"] == 7)
    assert (act_a.loc[profit, "actual"] > act_b.loc[profit, "actual"]).any()
    # June's floating pay is as before; July's uses the July weights and doubled coefficients
    june_b, june_a = compute_appraisal(base, "2026-06").lines, compute_appraisal(changed, "2026-06").lines
    pd.testing.assert_frame_equal(june_b, june_a)
    july_b, july_a = compute_appraisal(base, "2026-07").lines, compute_appraisal(changed, "2026-07").lines
    scored = july_a["score"].notna() & (july_a["grade"] == july_b["grade"])
    assert scored.any()
    assert (july_a.loc[scored, "coefficient"] == 2 * july_b.loc[scored, "coefficient"]).all()


# --- validation at the cell, both languages -------------------------------------------------------------------

@pytest.fixture(scope="module")
def broken_standards(tmp_path_factory) -> list:
    """The clean standards with one of each Valid From mistake (read back from a real workbook), validated for
    2026-07."""
    srows = F.standards_rows()
    srows["ProductLines"] += [
        dict(product_line="Widgets", royalty_factor=1.5, gross_margin=0.3, valid_from=D(2027, 7, 1)),  # next year
        dict(product_line="Gadgets", royalty_factor=1.3, gross_margin=0.4, valid_from=D(2026, 7, 1)),
        dict(product_line="Gadgets", royalty_factor=1.4, gross_margin=0.4, valid_from=D(2026, 7, 1)),  # twice
        dict(product_line="Gizmos", royalty_factor=1.0, gross_margin=0.2, valid_from=D(2026, 4, 1))]  # Jan–Mar: none
    srows["Appraisal"] += [dict(indicator="Signing", weight=0.5, valid_from=D(2026, 7, 1)),
                           dict(indicator="Collection", weight=0.4, valid_from=D(2026, 7, 1))]  # 90%
    srows["AppraisalBands"] += [dict(score_from=0.0, score_to=1.0, band_grade="B", coefficient=1.0,
                                     valid_from=D(2026, 7, 1)),
                                dict(score_from=1.0, band_grade="S", coefficient=1.5, valid_from=D(2026, 7, 1))]
    std = F.standards(tmp_path_factory.mktemp("vf"), srows)
    return [f for f in validate(std, None, "2026-07")]


def _only(found: list, code: str) -> list:
    return [f for f in found if f.code == code]


def test_a_valid_from_after_the_year_is_an_error_at_its_cell(broken_standards):
    (f,) = _only(broken_standards, "valid-from-out-of-year")
    assert (f.sheet, f.cell, f.severity) == ("Product Lines", f"{F.letter('standards', 'ProductLines', 'valid_from')}4",
                                             "error")
    assert "2027-07" in f.message("en") and "2026" in f.message("en") and "生效月份" in f.message("zh")


def test_two_versions_of_one_key_with_the_same_valid_from_are_a_duplicate(broken_standards):
    dup = [f for f in _only(broken_standards, "duplicate-key") if f.sheet == "Product Lines"]
    assert [(f.cell, f.value, f.params["first_row"]) for f in dup] == [("A6", "Gadgets / 2026-07-01", "5")]


def test_a_key_with_no_version_from_january_is_an_error_naming_the_uncovered_months(broken_standards):
    (f,) = _only(broken_standards, "version-gap")
    assert f.sheet == "Product Lines" and f.cell.endswith("7") and f.severity == "error"
    assert "Gizmos" in f.message("en") and "2026-01 to 2026-03" in f.message("en")
    assert "2026-01 至 2026-03" in f.message("zh") and "产品线" in f.message("zh")


def test_weights_are_checked_per_version(broken_standards):
    (f,) = _only(broken_standards, "weights-not-100")
    assert f.sheet == "Appraisal" and f.cell == "B6" and f.value == "90%"  # the July version's first row
    assert "90%" in f.message("zh")


def test_a_later_version_may_not_rename_a_grade(broken_standards):
    (f,) = _only(broken_standards, "version-grade-renamed")
    bands = STANDARDS.table("AppraisalBands")
    grade = bands.first_column + bands.keys.index("band_grade")
    assert f.sheet == "Appraisal" and f.value == "S" and f.cell == f"{chr(64 + grade)}6"
    assert "2026-07" in f.message("en") and "A, B, C" in f.message("en") and "等级名称" in f.message("zh")


def test_the_clean_standards_with_versions_from_january_pass(tmp_path):
    srows = F.standards_rows()
    srows["ProductLines"] += [dict(product_line="Widgets", royalty_factor=1.5, gross_margin=0.3,
                                   valid_from=D(2026, 7, 1))]
    srows["ExpensePolicy"].append(dict(category="Travel", grade="G2", city_tier="1", limit=250.0, per="Day",
                                       receipt_over=200.0, severity="Warning", valid_from=D(2026, 1, 1)))
    found = validate(F.standards(tmp_path, srows), None, "2026-07")
    assert [(f.code, f.cell) for f in found if f.severity != "info"] == []


# --- closes around a change from July: June stays closed, July pays the new terms -----------------------------

def test_closes_around_a_change_from_july_leave_june_as_paid(tmp_path):
    """A Widgets royalty factor of 2.0 and doubled appraisal coefficients from July, entered after June's close:
    the July close adjusts nothing of January–June, and E004's recorded royalty payments add up to the YTD royalty
    worked here with Decimal (July's Widgets receipts at the new factor, every earlier receipt at the old)."""
    company = Company.build()
    old = payout_year.standards_rows()
    new = copy.deepcopy(old)
    new["ProductLines"].append(dict(product_line="Widgets", royalty_factor=2.0, gross_margin=0.5,
                                    valid_from=D(2026, 7, 1)))
    new["AppraisalBands"] += [dict(b, coefficient=b["coefficient"] * 2, valid_from=D(2026, 7, 1))
                              for b in old["AppraisalBands"]]
    db = tmp_path / "t.db"

    def close(period: str, rows: dict):
        company.standards = lambda: rows
        folder = company.write(tmp_path / f"in-{period}-{len(rows['ProductLines'])}", period)
        return folder, close_month(Source([folder], db=db), period, tmp_path / f"out-{period}", jobs=1,
                                   report=False)  # the store is read, not the report

    close("2026-06", old)
    folder, july = close("2026-07", new)
    with open_store(db) as store:
        adjustments = store.adjustments(close_id=july.close.id)
        paid = store.payments(year=2026)
    assert not len(adjustments), adjustments[["employee_id", "reason"]].to_dict("records")

    # E004 (West, no split): contracts of 70,000 + 1,000 × m signed on the 5th, Gadgets when m is a multiple of 3;
    # 60% received on the 20th, 40% on the 10th of the next month. Collection target 60,000 a month, P1 1% to 100%
    # and 2.5% over; factors Widgets 1.0 (2.0 for receipts dated from July), Gadgets 1.2.
    cent = Decimal("0.01")
    parts = []
    for m in range(1, 8):
        amount = Decimal(70000 + 1000 * m)
        line_ = "Gadgets" if m % 3 == 0 else "Widgets"
        parts.append((line_, m, (amount * Decimal("0.6")).quantize(cent)))
        if m + 1 <= 7:
            parts.append((line_, m + 1, (amount * Decimal("0.4")).quantize(cent)))
    factor = {("Widgets", False): Decimal("1.0"), ("Widgets", True): Decimal("2.0"),
              ("Gadgets", False): Decimal("1.2"), ("Gadgets", True): Decimal("1.2")}
    base = sum(a for _, _, a in parts)
    target = Decimal(60000 * 7)
    tiered = Decimal("0.01") * min(base, target) + Decimal("0.025") * max(Decimal(0), base - target)
    weighted = sum(a * factor[(ln, m >= 7)] for ln, m, a in parts)
    ytd = (weighted * tiered / base).quantize(cent, rounding=ROUND_HALF_UP)
    mine = paid[(paid["employee_id"] == "E004") & (paid["kind"] == "royalty")]
    assert sum(Decimal(str(a)).quantize(cent) for a in mine["amount"]) == ytd

    # July's floating pay: the July bands, twice the coefficient the old bands give the same July figures
    before = compute_appraisal(Source([folder], folder / "standards.xlsx", force=True).ledger("2026-07"), "2026-07")
    company.standards = lambda: old
    plain = company.write(tmp_path / "old-july", "2026-07")
    was = compute_appraisal(Source([plain], plain / "standards.xlsx", force=True).ledger("2026-07"),
                            "2026-07").lines.set_index("employee_id")["pay"]
    now = paid[(paid["kind"] == "floating") & (paid["period"] == "2026-07")].set_index("employee_id")["amount"]
    assert len(now) and all(cents(now[e]) == cents(2 * was[e]) for e in now.index)
    assert cents(before.lines.set_index("employee_id")["pay"]["E004"]) == cents(now["E004"])
