"""People over time (issue 23; docs/people.md): a hire in April and a leaver in September with receipts after
leaving, closed month by month into one store and checked at every close against ``people_year``'s
independent computation; validation of leavers, hires and people missing from the Roster."""

from __future__ import annotations

import copy
import datetime as dt
import shutil
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from people_year import BASES, HIRE, HIRED, LEAVER, LEFT, Company, cents, share
from toolkit.core.royalties import Evaluations
from toolkit.operations.source import Source
from toolkit.cli.main import cli
from toolkit.core.findings import finding_type
from toolkit.core import people
from toolkit.core.people import effective_month, employment, roster_at
from toolkit.io.reader import read_workbook
from toolkit.core.validation import validate
from toolkit.operations.close_month import close_month
from toolkit.operations.statements import build_statements
from toolkit.core.statements import check_statement
from toolkit.outputs.statements import royalty_rows, summary_rows
from toolkit.store import open_store

D = dt.date
PEOPLE = ("E001", "E002", "E003", "E004", "E005", "E006", HIRE)
SELLERS = tuple(p for p in PEOPLE if p != "E003")
CLOSES = tuple(f"2026-{m:02d}" for m in (1, 3, 4, 5, 6, 8, 9, 10, 11, 12))  # February and July never closed


class Script:
    def __init__(self, tmp: Path, company: Company) -> None:
        self.tmp, self.db, self.out, self.company = tmp, tmp / "toolkit.db", tmp / "out", company
        self.floating: dict[tuple[str, str], int] = {}
        self.checked: list[str] = []
        self.statements: dict[str, object] = {}
        self.evaluations = Evaluations()  # one run's royalty evaluations, shared by the year's closes

    def close(self, period: str) -> None:
        folder = self.company.write(self.tmp / f"in-{period}", period)
        close_month(Source([folder], None, self.db, evaluations=self.evaluations), period, self.out, jobs=1,
                    report=False)  # no test reads the report
        self.check(period)

    def check(self, period: str) -> None:
        year, month = int(period[:4]), int(period[5:7])
        state = self.company
        depts = {"East", "West", "North"}
        with open_store(self.db) as store:
            close = store.closes(period=period, current_only=True)[0]
            salaries = store.close_results(close.id, "salaries")
            pay = store.payments(year=year)
        assert set(close.departments) == depts, period  # nobody rejected
        employed = {e for e in PEOPLE if share(e, year, month)[0]}
        assert set(salaries.loc[salaries["status"] == "computed", "employee_id"]) == employed, period
        pay = pay[pay["close_period"] <= period]
        roy = pay[pay["kind"] == "royalty"]
        for emp in SELLERS:
            got = sum(cents(a) for a in roy.loc[roy["employee_id"] == emp, "amount"])
            assert got == state.royalty(emp, depts, year, month), (period, emp)
        for emp in PEOPLE:
            for k in range(1, month + 1):
                key = (emp, f"{year:04d}-{k:02d}")
                if key not in self.floating:
                    owed = state.floating(emp, depts, year, k)
                    if owed is not None:
                        self.floating[key] = owed
        flo = pay[pay["kind"] == "floating"]
        got: dict[tuple[str, str], int] = {}
        for emp, p, amount in zip(flo["employee_id"], flo["period"], flo["amount"]):
            assert (emp, p) not in got, f"floating pay of {p} paid twice to {emp}"
            got[(emp, p)] = cents(amount)
        assert got == self.floating, (period, sorted(set(got.items()) ^ set(self.floating.items())))
        self.checked.append(period)


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    s = Script(tmp_path_factory.mktemp("people-year"), Company.build())
    for p in CLOSES:
        s.company.corrected = p >= "2026-10"  # October's retroactive correction is entered in October
        s.close(p)
    return s


def test_every_close_pays_what_the_independent_computation_owes(year):
    assert year.checked == list(CLOSES)


def test_the_hire_is_paid_from_the_start_date_and_the_leaver_to_the_leave_date(year):
    f = year.floating
    assert (HIRE, "2026-03") not in f and (HIRE, "2026-04") in f
    assert (LEAVER, "2026-09") in f and not any(k[0] == LEAVER and k[1] > "2026-09" for k in f)
    # the start and leave months are prorated by working days (6 April a holiday, 26 September a make-up day)
    assert share(HIRE, 2026, 4) == (12, 21) and share(LEAVER, 2026, 9) == (12, 23)
    assert 0 < f[(HIRE, "2026-04")] <= cents(BASES[HIRE] * 1.3 * 12 / 21)
    assert 0 < f[(LEAVER, "2026-09")] <= cents(BASES[LEAVER] * 1.3 * 12 / 23)


def test_the_leaver_earns_no_royalty_on_receipts_after_leaving(year, tmp_path):
    c = year.company
    depts = {"East", "West", "North"}
    # Dan's September contract was paid on 20 September and 10 October, after he left on the 16th; his
    # targets end in September: his YTD royalty stops where it was on his last day
    assert c.royalty(LEAVER, depts, 2026, 12) == c.royalty(LEAVER, depts, 2026, 9) > 0
    with open_store(year.db) as store:
        pay = store.payments(year=2026)
    roy = pay[(pay["kind"] == "royalty") & (pay["employee_id"] == LEAVER)]
    assert len(roy[roy["close_period"] > "2026-09"]) and sum(
        cents(a) for a in roy.loc[roy["close_period"] > "2026-09", "amount"]) == 0
    # with the Thresholds option at 1 the later receipts earn royalty
    paying = Company.build()
    paying.pay_later = True
    close_month(Source([paying.write(tmp_path / "in", "2026-10")], None, tmp_path / "t.db"), "2026-10",
                tmp_path / "out", jobs=1, report=False)
    with open_store(tmp_path / "t.db") as store:
        paid = store.payments(year=2026)
    got = sum(cents(a) for a in paid.loc[(paid["kind"] == "royalty") & (paid["employee_id"] == LEAVER), "amount"])
    assert got == paying.royalty(LEAVER, depts, 2026, 10) > c.royalty(LEAVER, depts, 2026, 10)


def test_employment_share_counts_holidays_and_make_up_days():
    roster = pd.DataFrame(Company.build().standards()["Roster"])
    holidays = pd.DataFrame({"date": pd.to_datetime(["2026-04-06", "2026-09-26"]), "kind": ["Holiday", "Workday"]})
    april = employment(roster, 2026, 4, holidays)
    assert april[HIRE] == pytest.approx(12 / 21) and april["E001"] == 1.0
    assert employment(roster, 2026, 3, holidays)[HIRE] == 0.0
    assert employment(roster, 2026, 9, holidays)[LEAVER] == pytest.approx(12 / 23)
    assert employment(roster, 2026, 10, holidays)[LEAVER] == 0.0
    assert employment(roster.drop(columns=["start_date", "leave_date"]), 2026, 4, holidays).eq(1.0).all()


# --- validation ---------------------------------------------------------------------------------------------

def _read(folder: Path, company: Company, period: str):
    company.write(folder, period)
    std = read_workbook(folder / "standards.xlsx", "standards")
    west = read_workbook(folder / "dept-west.xlsx", "department")
    return std, west


def test_a_person_missing_from_the_roster_is_one_error_naming_the_fix(tmp_path):
    c = Company.build()
    rows = c.standards()
    c.standards = lambda: {**rows, "Roster": [r for r in rows["Roster"] if r["employee_id"] != LEAVER]}
    std, west = _read(tmp_path, c, "2026-10")
    found = [f for f in validate(west, std, "2026-10") if f.code == "unknown-employee"]
    assert len(found) == 1  # Dan's contracts and Plan rows: one error, not one per row
    f = found[0]
    assert f.value == LEAVER and f.params["count"] > 9
    assert "keep them on the Roster with a Leave Date" in f.message("en")
    assert "保留在人员名册中并填写离职日期" in f.message("zh")


def test_rows_after_leaving_and_targets_outside_employment_are_warnings(tmp_path):
    c = Company.build()
    c.add("West", "Contracts", contract_no="AFTER-1", sign_date=D(2026, 10, 2), customer="Late", employee_id=LEAVER,
          product_line="Widgets", amount=1000.0, status="Executing", delivered=1000.0, payment_terms=30)
    c.plans["West"][2026] = [
        dict(r, m02=500.0, annual=r["annual"] + 500.0) if r["employee_id"] == HIRE and r["indicator"] == "Signing"
        else dict(r, m11=700.0, annual=r["annual"] + 700.0) if r["employee_id"] == LEAVER and r["indicator"] == "Profit"
        else r for r in c.plans["West"][2026]]
    std, west = _read(tmp_path, c, "2026-10")
    findings = validate(west, std, "2026-10")
    after = [f for f in findings if f.code == "dated-after-leaving"]
    assert [f.value for f in after] == ["2026-10-02"] and after[0].severity == "warning"
    assert after[0].sheet == "Contracts" and after[0].cell.startswith("B")
    assert "2026-09-16" in after[0].message("en") and "离职" in after[0].message("zh")
    early = [f for f in findings if f.code == "target-before-start"]
    assert len(early) == 1 and early[0].params["month"] == "2026-02" and early[0].severity == "warning"
    assert HIRED.isoformat() in early[0].message("en") and "入职" in early[0].message("zh")
    late = [f for f in findings if f.code == "target-after-leaving"]
    assert len(late) == 1 and late[0].params["month"] == "2026-11" and late[0].severity == "warning"
    assert late[0].cell == f"{west.layout['Plan'].columns['m11'][0]}{late[0].row}"
    assert not [f for f in findings if f.severity == "error"]


def test_a_leave_date_before_the_start_date_is_an_error_at_the_cell(tmp_path):
    c = Company.build()
    rows = c.standards()
    rows["Roster"] = [dict(r, leave_date=D(2026, 3, 31)) if r["employee_id"] == HIRE else r for r in rows["Roster"]]
    c.standards = lambda: rows
    std, _ = _read(tmp_path, c, "2026-04")
    found = [f for f in validate(std, None, "2026-04") if f.code == "leave-before-start"]
    assert len(found) == 1 and found[0].severity == "error" and found[0].sheet == "Roster"
    assert found[0].cell and "2026-04-15" in found[0].message("en") and "早于" in found[0].message("zh")
    assert finding_type("leave-before-start").severity == "error"


# --- Roster Changes -----------------------------------------------------------------------------------------

def test_the_roster_as_it_stands_each_month():
    roster = pd.DataFrame(Company.build().standards()["Roster"])
    changes = pd.DataFrame(Company.build().standards()["RosterChanges"]
                           + [dict(employee_id="E004", effective_from=D(2026, 3, 15), department="North",
                                   retroactive="Yes")])
    def at(month: int, emp: str, col: str):
        frame = roster_at(roster, changes, 2026, month)
        return frame.loc[frame["employee_id"] == emp, col].iloc[0]
    assert at(5, "E001", "floating_base") == 5000.0 and at(6, "E001", "floating_base") == 7000.0
    assert at(6, "E001", "grade") == "G3" and at(12, "E001", "grade") == "G3"
    assert at(6, "E002", "floating_base") == 5000.0 and at(7, "E002", "floating_base") == 5500.0
    assert at(1, "E004", "department") == "North"  # retroactive: from January of its year
    assert roster_at(roster, changes.iloc[0:0], 2026, 6) is roster
    assert roster.loc[roster["employee_id"] == "E001", "floating_base"].iloc[0] == 5000.0  # not changed in place


def test_roster_changes_are_validated_at_the_cell(tmp_path):
    c = Company.build()
    rows = c.standards()
    rows["RosterChanges"] = rows["RosterChanges"] + [
        dict(employee_id="E999", effective_from=D(2026, 5, 1), grade="G2"),
        dict(employee_id="E001", effective_from=D(2026, 6, 1), floating_base=7500.0),  # contradicts 7000 from June
        dict(employee_id="E007", effective_from=D(2026, 2, 1), grade="G2"),  # before Gus starts
        dict(employee_id="E006", effective_from=D(2031, 1, 1), royalty_plan="NOPE"),
    ]
    c.standards = lambda: rows
    std, _ = _read(tmp_path, c, "2026-06")
    found = {f.code: f for f in validate(std, None, "2026-06") if f.sheet == "Roster Changes"}
    assert {"unknown-employee", "roster-change-conflict", "roster-change-outside-employment",
            "roster-change-out-of-year", "unknown-plan"} <= set(found)
    assert all(f.severity == "error" and f.cell for f in found.values())
    conflict = found["roster-change-conflict"]
    assert conflict.row == 6 and "7000" in conflict.message("en") and "矛盾" in conflict.message("zh")
    assert found["roster-change-outside-employment"].row == 7
    assert found["unknown-employee"].value == "E999"
    assert found["roster-change-out-of-year"].value == "2031-01-01"


def test_history_person_shows_the_states_by_month_beside_what_was_paid(year):
    run = CliRunner().invoke
    db = str(year.db)
    doc = json.loads(run(cli, ["history", "person", "E001", "--year", "2026", "--db", db, "--format", "json"]).output)
    months = {m["month"]: m for m in doc["months"]}
    assert months["2026-05"]["floating_base"] == "5000.00" and months["2026-06"]["floating_base"] == "7000.00"
    assert months["2026-05"]["grade"] == "G2" and months["2026-06"]["grade"] == "G3"
    assert months["2026-06"]["floating_paid"] == f"{year.floating[('E001', '2026-06')] / 100:.2f}"
    assert months["2026-02"]["royalty_paid"] == "0.00"  # February was never closed
    total = sum(v for (e, _), v in year.floating.items() if e == "E001")
    assert doc["totals"]["floating_paid"] == f"{total / 100:.2f}"
    gus = json.loads(run(cli, ["history", "person", HIRE, "--year", "2026", "--db", db, "--format", "json"]).output)
    shares = {m["month"]: m["employed"] for m in gus["months"]}
    assert shares["2026-03"] == 0 and shares["2026-04"] == round(12 / 21, 4) and shares["2026-05"] == 1
    zh = run(cli, ["--lang", "zh", "history", "person", LEAVER, "--year", "2026", "--db", db])
    assert zh.exit_code == 0 and "E004 2026 年各月状态" in zh.output and "2026-12" in zh.output
    missing = run(cli, ["history", "person", "E999", "--year", "2026", "--db", db])
    assert missing.exit_code != 0 and "not on the Roster" in missing.output and "Traceback" not in missing.output


def test_the_tier_change_cuts_segments_and_the_ledger_records_them(year):
    with open_store(year.db) as store:
        august = store.closes(period="2026-08", current_only=True)[0]
        june = store.closes(period="2026-06", current_only=True)[0]
        segs = store.close_results(august.id, "royalty_segments")
        before = store.close_results(june.id, "royalty_segments")
    alice = segs[segs["employee_id"] == "E001"].sort_values("seg")
    assert list(alice["seg_from"]) == [1, 7] and list(alice["seg_to"]) == [6, 12]
    assert len(before[before["employee_id"] == "E001"]) == 1  # July's tiers were not in force in June
    # the segments' royalties add up to what the August close recorded as earned (no cap reached)
    c = year.company
    with open_store(year.db) as store:
        pay = store.payments(year=2026)
    earned = pay[(pay["close_period"] == "2026-08") & (pay["kind"] == "royalty") & (pay["employee_id"] == "E001")]
    assert cents(earned["ytd_earned"].iloc[0]) == cents(sum(alice["segment_royalty"])) \
        == c.royalty("E001", {"East", "West", "North"}, 2026, 8)


def test_the_retroactive_correction_is_adjusted_in_october_and_says_so(year):
    with open_store(year.db) as store:
        october = store.closes(period="2026-10", current_only=True)[0]
        adj = store.adjustments(close_id=october.id)
    fay = adj[(adj["employee_id"] == "E006") & (adj["kind"] == "royalty")]
    assert list(fay["reason"]) == ["retroactive-change"] and float(fay["effect"].iloc[0]) != 0
    others = adj[(adj["employee_id"] != "E006") & (adj["change"] == "other")]
    assert not len(others)  # nobody else's closed months changed


def test_the_july_statement_shows_both_segments(year, tmp_path):
    folder = year.company.write(tmp_path / "july", "2026-07")
    ledger = Source(sorted(p for p in folder.glob("*.xlsx") if p.name != "standards.xlsx"),
                    folder / "standards.xlsx", None).ledger("2026-07")
    sset = build_statements(ledger, "2026-07", employees=["E001"])
    (st,) = sset.statements
    assert [(s["seg_from"], s["seg_to"]) for s in st.segments] == [(1, 6), (7, 12)]
    assert not check_statement(st)  # the segments' lines add up to the YTD royalty
    expected = year.company.royalty("E001", {"East", "West", "North"}, 2026, 7)
    assert cents(st.ytd_royalty) == expected
    for lang, words in (("en", ("Segment 2026-01 – 2026-06", "Segment 2026-07 – 2026-07")),
                        ("zh", ("分段 2026-01 – 2026-06", "分段 2026-07 – 2026-07"))):
        st.lang = lang
        items = " | ".join(str(r["item"]) for r in royalty_rows(st))
        assert all(w in items for w in words), items


def test_the_leavers_last_statement_is_final_and_says_to_which_date(year, tmp_path):
    folder = year.company.write(tmp_path / "sept", "2026-09")
    ledger = Source(sorted(p for p in folder.glob("*.xlsx") if p.name != "standards.xlsx"),
                    folder / "standards.xlsx", None).ledger("2026-09")
    sset = build_statements(ledger, "2026-09", employees=[LEAVER, "E001"])
    st = {s.employee_id: s for s in sset.statements}
    assert st[LEAVER].final and st[LEAVER].leave_date == "2026-09-16" and not st["E001"].final
    for lang, words in (("en", ("FINAL STATEMENT", "to 2026-09-16")), ("zh", ("最终结算单", "至 2026-09-16"))):
        st[LEAVER].lang = lang
        rows = summary_rows(st[LEAVER])
        assert rows[0]["item"] == words[0] and words[1] in rows[0]["detail"]
    august = build_statements(Source(sorted(p for p in folder.glob("*.xlsx") if p.name != "standards.xlsx"),
                                     folder / "standards.xlsx", None).ledger("2026-08"), "2026-08",
                              employees=[LEAVER]).statements[0]
    assert not august.final


def test_a_plan_used_before_its_valid_from_is_an_error_at_the_cell(tmp_path):
    c = Company.build()
    rows = c.standards()
    rows["RoyaltyPlans"] = rows["RoyaltyPlans"] + [
        dict(plan="P3", basis="Collected", method="Marginal", gate=0.5, valid_from=D(2026, 7, 1)),
        dict(plan="P1", basis="Collected", method="Marginal", gate=0.6)]  # a second blank-dated P1: a duplicate
    rows["RoyaltyTiers"] = rows["RoyaltyTiers"] + [dict(plan="P3", from_pct=0.0, rate=0.02)]
    rows["RosterChanges"] = rows["RosterChanges"] + [
        dict(employee_id="E006", effective_from=D(2026, 3, 1), royalty_plan="P3"),  # before July: an error
        dict(employee_id="E002", effective_from=D(2026, 7, 1), royalty_plan="P3")]  # from July: fine
    c.standards = lambda: rows
    std, _ = _read(tmp_path, c, "2026-06")
    found = [f for f in validate(std, None, "2026-06") if f.code in ("plan-not-in-force", "duplicate-key")]
    bad = [f for f in found if f.code == "plan-not-in-force"]
    assert len(bad) == 1 and bad[0].sheet == "Roster Changes" and bad[0].severity == "error" and bad[0].cell
    assert "2026-07" in bad[0].message("en") and "2026-03" in bad[0].message("en") and "生效月份" in bad[0].message("zh")
    dup = [f for f in found if f.code == "duplicate-key"]
    assert len(dup) == 1 and dup[0].sheet == "Royalty Plans"


def test_the_previous_year_is_rechecked_segment_by_segment(year, tmp_path):
    """January 2027 re-checks 2026 (its recorded targets) with the segment rule: a late December receipt of Alice
    (P1, Jan–Jun and Jul–Dec segments) is paid as a prior-year adjustment, and every P1 seller's 2026 payments then
    add up to the independent segment computation to the cent (one target in January would not)."""
    db = tmp_path / "toolkit.db"
    shutil.copy(year.db, db)
    company = copy.deepcopy(year.company)
    company.add("East", "Contracts", contract_no="E-LATE", sign_date=D(2026, 12, 14), customer="Late Ltd",
                employee_id="E001", product_line="Widgets", amount=90000.0, status="Executing", delivered=90000.0,
                payment_terms=30)
    company.add("East", "Collections", receipt_no="LATE-DEC", receipt_date=D(2026, 12, 29), contract_no="E-LATE",
                amount=90000.0, method="Bank Transfer")
    folder = company.write(tmp_path / "in-2027-01", "2027-01")
    close_month(Source([folder], None, db), "2027-01", tmp_path / "out", jobs=1, report=False)  # the store is read
    depts = {"East", "West", "North"}
    with open_store(db) as store:
        paid = store.payments(year=2026)
    roy = paid[paid["kind"] == "royalty"]
    late = roy[(roy["close_period"] == "2027-01") & (roy["employee_id"] == "E001")]
    assert len(late) and sum(cents(a) for a in late["amount"]) > 0  # the late receipt is paid as prior-year
    for emp in ("E001", "E002", "E004", "E005", HIRE):  # P1 all year: two segments
        assert len(company.segments(emp)) == 2
        got = sum(cents(a) for a in roy.loc[roy["employee_id"] == emp, "amount"])
        assert got == company.royalty(emp, depts, 2026, 12), emp
    assert set(roy.loc[roy["close_period"] == "2027-01", "employee_id"]) == {"E001"}  # nobody else changed


def test_effective_month_on_numpy_is_the_pandas_reference():
    """``effective_month``'s numpy path (dates and text as the reader types them) gives the Series of its pandas
    reference exactly: the first of the month, later days, times of day, blanks, dates before 1970, Retroactive
    in either language, missing, or a Yes in spaces (left to pandas' strip), and without the column."""
    rng = np.random.default_rng(23)
    for seed in range(60):
        n = int(rng.integers(1, 30))
        days = pd.Series(pd.Timestamp("1965-01-01") + pd.to_timedelta(rng.integers(0, 30000, n), unit="D")
                         + pd.to_timedelta(rng.integers(0, 2, n) * 13, unit="h"))
        days = days.where(rng.random(n) >= 0.4, days.dt.to_period("M").dt.to_timestamp())  # some on the 1st
        days[rng.random(n) < 0.2] = pd.NaT
        said = ["Yes", "No", "是", "否", None] + ([" Yes "] if seed % 5 == 0 else [])
        retro = pd.Series(rng.choice(np.array(said, dtype=object), n), dtype="str")
        frame = pd.DataFrame({"effective_from": days, "retroactive": retro}, index=rng.permutation(n) + 5)
        for f in (frame, frame.drop(columns="retroactive")):
            want = people._effective_month(f, pd.to_datetime(f["effective_from"], errors="coerce"))
            pd.testing.assert_series_equal(effective_month(f), want, check_exact=True)
