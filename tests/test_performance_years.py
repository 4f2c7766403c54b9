"""Performance files over several years (issue 31): a two-year history the test builds with the toolkit (the
scripted company of ``ledger_year``, consolidated into one store at 2026-12 and 2027-01, with managers' reviews
and training in both years), and each person's file checked against plain arithmetic on the rows.

The Appraisal weights are Collection 90% and the review item Teamwork 10%, so a quarter's score is
0.9 × min(Σ collection credits ÷ Σ collection target of the quarter's months, 120%) + 0.1 × the quarter's mean
Teamwork review ÷ 100, and a month's floating pay is the base × the band coefficient of the same blend on the
year to date (reviews of the year up to the month's quarter).
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import re
import subprocess

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from ledger_factory import typed
from ledger_year import BASES, Company, cents, standards_rows
from payout_year import write_standards
from toolkit.cli.main import cli
from toolkit.core.candidates import tenure
from toolkit.io.templates import write_workbook
from toolkit.operations.consolidate import consolidate
from toolkit.operations.performance import write_performance_files
from toolkit.operations.source import Source
from toolkit.report.pdf import find_chromium
from toolkit.outputs.labels import label
from toolkit.schema import DEPARTMENT

D = dt.date
DEPTS = {"East", "West", "North"}
#: Teamwork reviews by (employee, year, quarter), all by the manager E003. Bob (E002, whose file is read) is reviewed
#: well in both years; Alice (E001) well in 2026 and poorly in 2027, the held-out year where she leads on the figures.
REVIEWS = {("E002", 2026, 1): 70.0, ("E002", 2026, 2): 80.0, ("E002", 2026, 3): 84.0, ("E002", 2026, 4): 90.0,
           ("E002", 2027, 1): 88.0, ("E001", 2026, 1): 82.0, ("E001", 2026, 2): 85.0, ("E001", 2026, 3): 80.0,
           ("E001", 2026, 4): 84.0, ("E001", 2027, 1): 45.0, ("E004", 2026, 2): 55.0, ("E004", 2027, 1): 60.0}
#: Training rows: (employee, course, date, hours); Alice has none in 2027, Dan (E004) none at all.
TRAINING = [("E002", "Negotiation", D(2026, 3, 12), 8.0), ("E002", "Contract law", D(2026, 9, 2), 6.0),
            ("E002", "Product update", D(2027, 1, 20), 16.0), ("E001", "Compliance", D(2026, 5, 10), 4.0)]
HOME = {"E001": "East", "E002": "East", "E004": "West"}
#: The person whose two-year file is checked.
PERSON = "E002"
BANDS = ((0.8, 0.5), (1.0, 1.0), (None, 1.3))  # the validation standards' bands: (score below, coefficient)
#: Alice joined on 2024-03-15 (Dan's Roster row has no Start Date).
ALICE_STARTED = D(2024, 3, 15)


class TwoYears(Company):
    """``ledger_year``'s company with Reviews and Training sheets and a Teamwork review item."""

    def standards(self) -> dict[str, list[dict[str, Any]]]:
        rows = standards_rows()
        rows["Appraisal"] = [dict(indicator="Collection", weight=0.9), dict(indicator="Teamwork", weight=0.1)]
        rows["Roster"] = [dict(r, start_date=ALICE_STARTED) if r["employee_id"] == "E001" else r
                          for r in rows["Roster"]]
        return rows

    def write(self, folder: Path, period: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        write_standards(folder / "standards.xlsx", self.standards())
        year, month = int(period[:4]), int(period[5:7])
        end = D(year + 1, 1, 1) if month == 12 else D(year, month + 1, 1)
        for dept, tables in self.rows.items():
            reviews = [dict(employee_id=e, period=f"{y}-Q{q}", item="Teamwork", score=s, comment="ok",
                            reviewer="E003") for (e, y, q), s in REVIEWS.items()
                       if HOME[e] == dept and D(y, (q - 1) * 3 + 1, 1) < end]
            training = [dict(employee_id=e, course=c, date=d, hours=h, result="Passed") for e, c, d, h in TRAINING
                        if HOME[e] == dept and d < end]
            frames = {"Contracts": [r for r in tables["Contracts"] if r["sign_date"] < end],
                      "Collections": [r for r in tables["Collections"] if r["receipt_date"] < end],
                      "Plan": copy.deepcopy(self.plans[dept][year]), "Reviews": reviews, "Training": training}
            write_workbook(folder / f"dept-{dept.lower()}.xlsx", DEPARTMENT, "en",
                           frames={k: typed(DEPARTMENT.table(k), v) for k, v in frames.items()},
                           info={"department": dept, "year": year, "period": period, "prepared_by": "Test"})
        return folder

    # -- the rules, recomputed independently ---------------------------------------------------------
    def completion(self, emp: str, year: int, first: int, last: int) -> Decimal:
        """Σ credited collections ÷ Σ Collection target over months first..last (each month's credit in cents)."""
        by_month: dict[int, Decimal] = {}
        for e, _, m, b, _ in self._credits(DEPTS, year, last):
            if e == emp and m >= first:
                by_month[m] = by_month.get(m, Decimal(0)) + b
        actual = sum((Decimal(cents(v)) / 100 for v in by_month.values()), Decimal(0))
        target = self._target(DEPTS, year, last, emp) - self._target(DEPTS, year, first - 1, emp)
        return actual / target

    def score(self, emp: str, year: int, first: int, last: int) -> Decimal:
        """0.9 × min(completion, 120%) + 0.1 × the mean review of the window's quarters ÷ 100 (none: 0)."""
        quarters = range((first - 1) // 3 + 1, (last - 1) // 3 + 2)
        got = [Decimal(str(s)) for (e, y, q), s in REVIEWS.items() if e == emp and y == year and q in quarters]
        review = sum(got, Decimal(0)) / len(got) if got else Decimal(0)
        return Decimal("0.9") * min(self.completion(emp, year, first, last), Decimal("1.2")) + \
            Decimal("0.1") * review / 100

    def floating_cents(self, emp: str, year: int, month: int) -> int:
        """The month's floating pay: base × the band coefficient of the year-to-date score."""
        score = self.score(emp, year, 1, month)
        coefficient = next(c for below, c in BANDS if below is None or score < Decimal(str(below)))
        return cents(Decimal(str(BASES[emp])) * Decimal(str(coefficient)))

    def royalty_cents(self, emp: str, year: int, month: int) -> int:
        """The month's royalty payment: round(R) of the month less round(R) of the month before."""
        before = self.royalty(emp, DEPTS, year, month - 1) if month > 1 else 0
        return self.royalty(emp, DEPTS, year, month) - before


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> tuple[TwoYears, Path]:
    """The two years consolidated into one store: 2026 (closed at December) and January 2027."""
    tmp = tmp_path_factory.mktemp("years")
    company, db = TwoYears.build(), tmp / "toolkit.db"
    for period in ("2026-12", "2027-01"):
        consolidate(Source([company.write(tmp / f"in-{period}", period)], db=db), period, jobs=1)
    return company, db


@pytest.fixture(scope="module")
def two_years(store) -> tuple[TwoYears, dict[str, list[Path]]]:
    company, db = store
    run = write_performance_files(Source(db=db), 2027, db.parent / "out", employees=[PERSON, "E004"],
                                  formats=["xlsx"], lang="en")
    assert not run.failures
    return company, run.files


def _rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_the_file_of_a_person_with_two_years_shows_both_years_reviews_and_training(two_years):
    company, files = two_years
    path = files[PERSON][0]
    years = _rows(path, label("pf.sheet.years", "en"))
    quarters = _rows(path, label("pf.sheet.quarters", "en"))
    assert [r["Year"] for r in years] == ["2026", "2027"]
    assert [r["Quarter"] for r in quarters] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "2027-Q1"]
    for r in quarters:
        y, q = int(r["Quarter"][:4]), int(r["Quarter"][-1])
        last = 1 if y == 2027 else q * 3  # January 2027 is the last month the store knows
        want = company.score(PERSON, y, (q - 1) * 3 + 1, last)
        assert r["Score"] == pytest.approx(float(want), abs=5e-5), r["Quarter"]
        assert r["Mean Review"] == REVIEWS[(PERSON, y, q)]
        months = range((q - 1) * 3 + 1, last + 1)
        hours = sum(h for e, _, d, h in TRAINING if e == PERSON and d.year == y and d.month in months)
        assert r["Training Hours"] == hours
        floating = sum(company.floating_cents(PERSON, y, m) for m in months)
        royalty = sum(company.royalty_cents(PERSON, y, m) for m in months)
        assert round(r["Floating Pay Paid"] * 100) == floating and round(r["Royalty Paid"] * 100) == royalty
        assert round(r["Total Paid"] * 100) == floating + royalty
        assert 1 <= r["Company Rank"] <= r["People Ranked"]
    y2026 = years[0]
    assert y2026["Score"] == pytest.approx(float(company.score(PERSON, 2026, 1, 12)), abs=5e-5)
    assert round(y2026["Total Paid"] * 100) == sum(company.floating_cents(PERSON, 2026, m)
                                                   + company.royalty_cents(PERSON, 2026, m) for m in range(1, 13))
    reviews = _rows(path, label("pf.sheet.reviews", "en"))
    assert [(r["Period"], r["Score"]) for r in reviews] == [
        (f"{y}-Q{q}", s) for (e, y, q), s in REVIEWS.items() if e == PERSON]
    training = _rows(path, label("pf.sheet.training", "en"))
    assert [(r["Course"], r["Hours"]) for r in training] == [(c, h) for e, c, _, h in TRAINING if e == PERSON]
    # the year's own sheets stay the file's year
    assert {r["Month"] for r in _rows(path, label("pf.sheet.pay", "en"))} == {"2027-01"}


def test_a_person_without_training_and_with_few_reviews_shows_them_as_such(two_years):
    company, files = two_years
    path = files["E004"][0]
    quarters = {r["Quarter"]: r for r in _rows(path, label("pf.sheet.quarters", "en"))}
    assert quarters["2026-Q1"]["Mean Review"] is None  # no review that quarter: blank, never 0
    assert quarters["2026-Q2"]["Mean Review"] == 55.0
    assert all(r["Training Hours"] == 0 for r in quarters.values())
    assert _rows(path, label("pf.sheet.training", "en")) == []
    # no review for Q1: the Teamwork item counts 0 in the score (appraisal-no-review)
    assert quarters["2026-Q1"]["Score"] == pytest.approx(float(company.score("E004", 2026, 1, 3)), abs=5e-5)


def test_tenure_is_whole_calendar_months_from_the_start_date_to_the_leave_date_or_the_end():
    roster = pd.DataFrame({"employee_id": ["A", "B", "C", "D"],
                           "start_date": pd.to_datetime(["2024-03-15", "2026-01-01", None, "2027-02-01"]),
                           "leave_date": pd.to_datetime([None, "2026-06-30", None, None])})
    got = tenure(roster, pd.Series(["A", "B", "C", "D"]), pd.Timestamp("2026-12-31"), pd.Series({"C": 9}))
    # A: 2024-03-15 .. 2026-12-31 is 2 years, 9 months and 17 days; B: January to June; C: no Start Date, the
    # months scored; D: starts after the end
    assert list(got["tenure_months"]) == [33, 6, 9, 0]
    assert list(got["tenure_basis"]) == ["start", "start", "scored", "start"]


def test_candidates_from_the_store_with_tenure_from_the_start_date_and_a_one_page_pdf(store, tmp_path):
    _, db = store
    xlsx, pdf = tmp_path / "candidates.xlsx", tmp_path / "candidates.pdf"
    with_pdf = ["-o", str(pdf)] if find_chromium() else []  # the page needs Chromium; the workbook does not
    res = CliRunner().invoke(cli, ["candidates", "--db", str(db), "--year", "2026", "-o", str(xlsx), *with_pdf])
    assert res.exit_code == 0, res.output
    rows = {r["Employee ID"]: r for r in _rows(xlsx, "Candidates")}
    assert rows["E001"]["Tenure (months)"] == 33 and "33 months since joining" in rows["E001"]["Reasons"]
    # Dan has no Start Date: his four scored quarters, and the reasons say why
    assert rows["E004"]["Tenure (months)"] == 12
    assert "12 months in the files (no Start Date on the Roster)" in rows["E004"]["Reasons"]
    assert "no training this year" in rows["E004"]["Reasons"] and "no training" not in rows["E001"]["Reasons"]
    if with_pdf:
        assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.read_bytes())) == 1
        if subprocess.run(["which", "pdftotext"], capture_output=True).returncode == 0:
            text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
            assert "Candidates for promotion 2026" in text and "Alice (E001)" in text
    zh = CliRunner().invoke(cli, ["--lang", "zh", "candidates", "--db", str(db), "--year", "2026"])
    assert zh.exit_code == 0 and "入职 33 个月" in zh.output and "名册无入职日期" in zh.output
    bad = CliRunner().invoke(cli, ["candidates", "--db", str(db), "--year", "2026", "-o", str(tmp_path / "c.txt")])
    assert bad.exit_code == 2 and ".xlsx" in bad.output and "Traceback" not in bad.output
    assert not (tmp_path / "c.txt").exists()


def test_on_a_held_out_year_the_leader_on_the_figures_with_poor_reviews_and_no_training_is_not_top(store, tmp_path):
    company, db = store
    sellers = ("E001", "E002", "E004")
    completion = {e: company.completion(e, 2027, 1, 1) for e in sellers}
    assert max(completion, key=completion.get) == "E001"  # Alice leads January 2027 on the figures
    out = tmp_path / "c.xlsx"
    res = CliRunner().invoke(cli, ["candidates", "--db", str(db), "--year", "2027", "--role", "Salesperson",
                                   "-o", str(out)])
    assert res.exit_code == 0, res.output
    rows = _rows(out, "Candidates")
    ranks = {r["Employee ID"]: r["Rank"] for r in rows}
    assert rows[0]["Employee ID"] != "E001" and ranks["E002"] < ranks["E001"]
    why = next(r["Reasons"] for r in rows if r["Employee ID"] == "E001")
    assert "poor managers' reviews (45/100)" in why and "no training this year" in why
    # the role in either language; a role nobody has is said in one line
    zh_role = CliRunner().invoke(cli, ["candidates", "--db", str(db), "--year", "2027", "--role", "销售"])
    assert zh_role.exit_code == 0 and zh_role.output == CliRunner().invoke(
        cli, ["candidates", "--db", str(db), "--year", "2027", "--role", "Salesperson"]).output
    nobody = CliRunner().invoke(cli, ["candidates", "--db", str(db), "--year", "2027", "--role", "Director"])
    assert nobody.exit_code == 2 and "Nobody of the Roster role Director" in nobody.output
    assert "Traceback" not in nobody.output
    zh = CliRunner().invoke(cli, ["--lang", "zh", "candidates", "--db", str(db), "--year", "2027"])
    line = next(x for x in zh.output.splitlines() if "E001" in x)
    assert "经理考评较差（45/100）" in line and "本年度未参加培训" in line
