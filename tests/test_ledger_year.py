"""The payout ledger, round two (issue 20): a scripted year of closes into one store, checked at every close
against an independent computation (``ledger_year.Company``: plain Python arithmetic on the rows).

The year: closes of January to March made before the store had the payout ledger (an upgrade), a correction
to February, April (the first ledger close), May never closed, June, July (a salesperson moves from North to
East), North rejected in August and September, October (North back, a late August refund), a
re-consolidation of closed October, November and December started together (one refused), January 2027
with a late December 2026 receipt, and February 2027 with another change to 2026. At every close each
person's recorded royalty to date equals round(YTD royalty) on that close's rows, every month's floating pay
is recorded exactly once at that month's pay as the close that paid it saw it, and nobody is paid twice.
"""

from __future__ import annotations

import configparser
import datetime as dt
import os
import sqlite3
from pathlib import Path

import pytest

from conftest import pytest_collection_modifyitems
from consolidate_helpers import forked_script, in_process_cli, is_pg, wait_for
from pg_server import BACKENDS
from ledger_year import BASES, MOVER, Company, cents
from toolkit.core.royalties import Evaluations
from toolkit.operations.source import Source
from toolkit.operations.close_month import UNRECORDED, close_month
from toolkit.operations.consolidate import consolidate
from toolkit.store import load_ledger_from_store, open_store
from toolkit.store.migrations import APPLICATION_ID
import json
from toolkit.operations.history import list_history
from toolkit.operations.performance import gather_year
import shutil
import openpyxl
import signal
from toolkit.operations.appraisal import _royalties
from toolkit.core.findings import Finding
from toolkit.report.context import findings_frame as _findings_frame
from toolkit.operations.statements import statements

D = dt.date
PEOPLE = tuple(sorted(BASES))
HOME = {"E001": "East", "E002": "East", "E003": "East", "E004": "West", "E005": "East", "E006": "North"}
#: the first month whose floating pay the ledger pays, per year (2026: the pre-ledger closes paid Jan–Mar)
FIRST_LEDGER_MONTH = {2026: 4, 2027: 1}


def _downgrade_to_v1(db: Path | str) -> None:
    """What a store written before the payout ledger looks like: schema version 1, its runs months old."""
    if is_pg(db):
        _downgrade_pg(str(db))
        return
    conn = sqlite3.connect(db)
    try:
        objects = conn.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall()
        v1 = {"runs", "snapshots", "snapshot_tables", "sources", "migrations"}
        for kind, name in objects:
            if kind == "view":
                conn.execute(f'DROP VIEW "{name}"')
        for kind, name in objects:
            if kind == "table" and name not in v1 and not name.startswith(("dept_", "std_")):
                conn.execute(f'DROP TABLE "{name}"')
        conn.execute("ALTER TABLE sources DROP COLUMN findings")  # migration 7's column: not in a v1 store
        conn.execute("DELETE FROM migrations WHERE version > 1")
        conn.execute("UPDATE migrations SET applied_at = '2025-12-01T00:00:00+00:00'")
        conn.execute("UPDATE runs SET started_at = '2026-' || substr(period, 6, 2) || '-28T09:00:00+00:00', "
                     "finished_at = started_at")
        conn.execute("PRAGMA user_version = 1")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.commit()
    finally:
        conn.close()


def _downgrade_pg(url: str) -> None:
    """``_downgrade_to_v1`` on PostgreSQL: the same objects dropped, the version in ``toolkit_meta``."""
    import psycopg  # the optional driver: only the PostgreSQL run needs it

    v1 = {"runs", "snapshots", "snapshot_tables", "sources", "migrations", "toolkit_meta", "toolkit_close_lock"}
    with psycopg.connect(url) as conn:  # one transaction
        for (name,) in conn.execute("SELECT table_name FROM information_schema.views "
                                    "WHERE table_schema = current_schema()").fetchall():
            conn.execute(f'DROP VIEW IF EXISTS "{name}" CASCADE')
        for (name,) in conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                    "current_schema() AND table_type = 'BASE TABLE'").fetchall():
            if name not in v1 and not name.startswith(("dept_", "std_")):
                conn.execute(f'DROP TABLE "{name}" CASCADE')
        conn.execute("ALTER TABLE sources DROP COLUMN findings")  # migration 7's column: not in a v1 store
        conn.execute("DELETE FROM migrations WHERE version > 1")
        conn.execute("UPDATE migrations SET applied_at = '2025-12-01T00:00:00+00:00'")
        conn.execute("UPDATE runs SET started_at = '2026-' || substr(period, 6, 2) || '-28T09:00:00+00:00', "
                     "finished_at = '2026-' || substr(period, 6, 2) || '-28T09:00:00+00:00'")
        conn.execute("UPDATE toolkit_meta SET value = 1 WHERE name = 'user_version'")


class Script:
    """Drives the closes and checks each one against ``Company``'s independent computation."""

    def __init__(self, tmp: Path, db: Path | str | None = None) -> None:
        self.tmp, self.db, self.out = tmp, db or tmp / "toolkit.db", tmp / "out"
        self.company = Company.build()
        self.floating: dict[tuple[str, str], int] = {}  # (employee, period) -> cents the paying close owed
        self.results: dict[str, object] = {}
        self.checked: list[str] = []
        #: one run's royalty evaluations shared by every close of the year (each close a ledger of its own)
        self.evaluations = Evaluations()

    def folder(self, period: str, tag: str = "") -> Path:
        return self.company.write(self.tmp / f"in-{period}{tag}", period)

    def close(self, period: str, report: bool = False):
        """Close ``period`` and check it; the monthly report only where a test reads it (``report``)."""
        res = close_month(Source([self.folder(period)], None, self.db, evaluations=self.evaluations), period,
                          self.out, jobs=1, report=report)
        self.results[period] = res
        self.check(period, self.company.snapshot())
        return res

    def expected_computed(self, depts: set[str], year: int) -> set[str]:
        out = {e for e in PEOPLE if HOME[e] in depts}
        if year == 2026 and "North" not in depts:
            out.discard(MOVER)  # their January–June rows sit in North: never computed from part of their rows
        return out

    def check(self, period: str, state: Company) -> None:
        """Everything recorded through the close of ``period`` against the independent computation."""
        year, month = int(period[:4]), int(period[5:7])
        with open_store(self.db) as store:
            close = store.closes(period=period, current_only=True)[0]
            lines = store.close_results(close.id, "royalty_lines")
            salaries = store.close_results(close.id, "salaries")
            pay = store.payments(year=year)
            prior = store.payments(year=year - 1)
        depts = set(close.departments)
        computed = self.expected_computed(depts, year)
        assert set(salaries.loc[salaries["status"] == "computed", "employee_id"]) == computed, period
        sellers = computed - {"E003"}  # the manager has no royalty plan
        assert set(lines.loc[lines["status"] == "computed", "employee_id"]) == sellers, period
        pay = pay[pay["close_period"] <= period]
        roy = pay[pay["kind"] == "royalty"]
        for emp in sellers:
            got = sum(cents(a) for a in roy.loc[roy["employee_id"] == emp, "amount"])
            assert got == state.royalty(emp, depts, year, month), (period, emp)
        # floating pay: each month from the first the ledger pays, once, at what the close that paid it owed
        for emp in computed:
            for k in range(FIRST_LEDGER_MONTH[year], month + 1):
                key = (emp, f"{year:04d}-{k:02d}")
                if key not in self.floating:
                    self.floating[key] = state.floating(emp, depts, year, k)
        flo = pay[pay["kind"] == "floating"]
        got = {}
        for emp, p, amount in zip(flo["employee_id"], flo["period"], flo["amount"]):
            assert (emp, p) not in got, f"floating pay of {p} paid twice to {emp}"
            got[(emp, p)] = cents(amount)
        want = {k: v for k, v in self.floating.items() if k[1].startswith(f"{year:04d}-")}
        assert got == want, (period, sorted(set(got.items()) ^ set(want.items())))
        if year > 2026:  # the previous year, open to corrections: paid in full as the data stands
            prev = prior[prior["kind"] == "royalty"]
            for emp in sellers & set(prev["employee_id"]):
                total = sum(cents(a) for a in prev.loc[prev["employee_id"] == emp, "amount"])
                assert total == state.royalty(emp, depts, year - 1, 12), (period, "prior", emp)
        self.checked.append(period)


#: A month close in a process of its own (FOLDER DB PERIOD OUT): the library's ``close_month``, which the CLI's
#: close-month calls too, without the report no test reads from it (run in a forked copy of the test process,
#: ``consolidate_helpers.forked_script``).
LIBRARY_CLOSE = ("import sys; from toolkit.operations.close_month import close_month; "
                 "from toolkit.operations.source import Source; folder, db, period, out = sys.argv[1:]; "
                 "sys.exit(close_month(Source([folder], None, db), period, out, jobs=1, report=False).exit_code)")


@pytest.fixture(scope="module", params=BACKENDS)
def script(tmp_path_factory, request):
    """The scripted year, once on each store backend (SQLite file, PostgreSQL database)."""
    db = request.getfixturevalue("pg_server").database() if request.param == "postgresql" else None
    s = Script(tmp_path_factory.mktemp("ledger-year"), db)
    c = s.company
    stages: dict[str, object] = {"script": s}
    # January to March closed by a toolkit without the payout ledger: runs and snapshots only
    for p in ("2026-01", "2026-02", "2026-03"):
        consolidate(Source([s.folder(p)], None, s.db), p, jobs=1, command="close-month")
    stages["march"] = c.snapshot()
    _downgrade_to_v1(s.db)
    # a correction to February arrives after the upgrade
    c.change("East", "Collections", "receipt_no", "RE2602E001a", amount=30000.0)
    stages["2026-04"] = s.close("2026-04")
    # May is never closed
    stages["2026-06"] = s.close("2026-06")
    stages["2026-07"] = s.close("2026-07")
    c.broken.add("North")
    stages["2026-08"] = s.close("2026-08")
    stages["2026-09"] = s.close("2026-09")
    c.broken.discard("North")
    c.add("East", "Collections", receipt_no="LATE-REFUND", receipt_date=D(2026, 8, 25), contract_no="E2608E001",
          amount=-12000.0, method="Bank Transfer")
    stages["2026-10"] = s.close("2026-10")
    # October again after its close: stored, warned, and October still reads as it was closed
    c.add("West", "Collections", receipt_no="LATE-OCT", receipt_date=D(2026, 10, 28), contract_no="W2610E004",
          amount=-5000.0, method="Bank Transfer")
    stages["reconsolidated"] = consolidate(Source([s.folder("2026-10", "-again")], None, s.db), "2026-10", jobs=1)
    with open_store(s.db) as store:
        stages["october as read"] = load_ledger_from_store(store, "2026-10")
        stages["october closed ids"] = store.closes(period="2026-10", current_only=True)[0].snapshot_ids
    # November and December started together: November holds the close lock, December is refused
    nov, dec = s.folder("2026-11"), s.folder("2026-12")
    state_nov = c.snapshot()
    marker, release = s.tmp / "november-holds-the-lock", s.tmp / "december-was-refused"
    # November holds the lock until December has been refused (the seconds are only a watchdog against a hang)
    env = {"TOOLKIT_STORE_STALL": str(marker), "TOOLKIT_STORE_STALL_RELEASE": str(release),
           "TOOLKIT_STORE_STALL_SECONDS": "900"}
    # the library's close, no report, in a process of its own: a forked copy of this one (no interpreter to start)
    first = forked_script(LIBRARY_CLOSE, [nov, s.db, "2026-11", s.out], env)
    try:
        wait_for(marker, first, 300)
        # the CLI's close-month in this process (its refusal is the CLI's, not the entry point's)
        second = in_process_cli(["close-month", str(dec), "--period", "2026-12", "-o", str(s.out), "--db", str(s.db),
                                 "--jobs", "1"])
    finally:
        release.write_text("released")
    stages["refused"] = second
    stages["refused outputs"] = sorted(p.name for p in s.out.iterdir())
    out, err = first.communicate(timeout=600)
    stages["november"] = (first.returncode, out, err)
    s.check("2026-11", state_nov)
    stages["2026-12"] = s.close("2026-12")
    # January 2027, with a December receipt entered after December's close
    c.add("West", "Contracts", contract_no="W-LATE", sign_date=D(2026, 12, 15), customer="Late Ltd",
          employee_id="E004", product_line="Widgets", amount=50000.0, status="Executing", delivered=50000.0,
          payment_terms=30)
    c.add("West", "Collections", receipt_no="LATE-DEC", receipt_date=D(2026, 12, 28), contract_no="W-LATE",
          amount=40000.0, method="Bank Transfer")
    stages["2027-01"] = s.close("2027-01", report=True)  # its report is read
    # February 2027: another 2026 receipt arrives, after January's prior-year entry for the same person
    c.add("West", "Collections", receipt_no="LATE-NOV", receipt_date=D(2026, 11, 27), contract_no="W2611E004",
          amount=-6000.0, method="Bank Transfer")  # a refund: clawed back from 2026
    stages["2027-02"] = s.close("2027-02")
    return stages


def test_every_close_matches_the_independent_computation(script):
    s = script["script"]
    assert s.checked == ["2026-04", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12",
                         "2027-01", "2027-02"]
    # the closes shared one run's evaluations: months evaluated by an earlier close's ledger were found, not
    # evaluated again (and every close still agrees with the independent computation above)
    assert s.evaluations.found > 0 and s.evaluations.computed > 0


def test_the_first_close_after_an_upgrade_takes_what_the_old_closes_computed(script):
    res = script["2026-04"]
    note = next(n for n in res.notes if n["code"] == "opening-reconstructed")
    assert note["through"] == "2026-03" and "stored snapshots" in note["text"]
    march = script["march"]
    everyone = {"East", "West", "North"}
    e001 = res.plan.payouts.statement.set_index("employee_id").loc["E001"]
    # paid before = what March's close computed on March's rows, not March recomputed on today's
    assert cents(e001["paid_before"]) == march.royalty("E001", everyone, 2026, 3)
    adj = res.plan.payouts.adjustments
    mine = adj[(adj["employee_id"] == "E001") & (adj["receipt_no"] == "RE2602E001a")]
    assert list(mine["change"]) == ["changed"] and list(mine["closed_period"]) == ["2026-02"]
    assert cents(e001["adjustment"]) != 0
    assert sum(cents(e) for e in adj.loc[adj["employee_id"] == "E001", "effect"]) == cents(e001["adjustment"])


def test_a_month_never_closed_is_caught_up_and_said_once(script):
    june = script["2026-06"]
    warn = [n for n in june.notes if n["code"] == "months-not-closed"]
    assert [n["months"] for n in warn] == [["2026-05"]] and "floating pay" in warn[0]["text"]
    caught = next(n for n in june.notes if n["code"] == "floating-caught-up")
    assert caught["months"] == ["2026-05"] and caught["employees"] == 6
    assert not [n for n in script["2026-07"].notes if n["code"] == "months-not-closed"]  # not repeated
    # the close's salary output itemises what it catches up, and its total is what the ledger recorded

    doc = json.loads(june.outputs["salary"][0].read_text(encoding="utf-8"))
    assert {c["period"] for c in doc["ledger"]["caught_up"]} == {"2026-05"}
    with open_store(script["script"].db) as store:
        recorded = store.payments(close_id=june.close.id)
    floating = recorded[recorded["kind"] == "floating"]
    assert cents(float(doc["ledger"]["total_pay"])) == sum(cents(a) for a in floating["amount"])
    e001 = next(r for r in doc["salaries"] if r["employee_id"] == "E001")
    assert [c["period"] for c in e001["caught_up"]] == ["2026-05"]


def test_a_transfer_from_a_rejected_department_is_not_computed_then_caught_up(script):
    for period in ("2026-08", "2026-09"):
        res = script[period]
        st = res.plan.payouts.statement
        assert not {"E005", "E006"} & set(st["employee_id"])
        note = next(n for n in res.notes if n["code"] == "transferred-not-computed")
        assert note["employees"] == ["E005"] and note["departments"] == ["North"]
    october = script["2026-10"]
    st = october.plan.payouts.statement.set_index("employee_id")
    assert {"E005", "E006"} <= set(st.index)
    assert st.loc["E005", "adjustment"] == 0  # nothing changed since July, the last close that computed E005
    caught = next(n for n in october.notes if n["code"] == "floating-caught-up")
    assert caught["months"] == ["2026-08", "2026-09"]
    north = next(f for f in october.consolidation.files if f.department == "North")
    back = [f for f in north.findings if f.code == "department-back-in-closes"]
    assert len(back) == 1 and back[0].params["months"] == "2026-08, 2026-09"
    assert not [f for f in north.findings if f.code == "backdated-into-closed-period"]
    east = next(f for f in october.consolidation.files if f.department == "East")
    assert [f.value for f in east.findings if f.code == "backdated-into-closed-period"] == ["LATE-REFUND"]


def test_a_closed_month_reads_as_it_was_closed_after_a_later_consolidation(script):
    again = script["reconsolidated"]
    warned = [f for f in again.standards.findings if f.code == "period-already-closed"]
    assert warned and "--reopen" in warned[0].message() and "重新结账" in warned[0].message("zh")
    ledger = script["october as read"]
    assert "LATE-OCT" not in set(ledger.tables["Collections"]["receipt_no"])
    with open_store(script["script"].db) as store:
        assert {s.source_path for s in map(store.snapshot, script["october closed ids"])
                if s.kind == "department"} == set(ledger.files)
    with open_store(script["script"].db) as store:  # paid at the next close, November, as an itemised adjustment
        november = store.closes(period="2026-11", current_only=True)[0]
        adj = store.adjustments(close_id=november.id)
    late = adj[adj["receipt_no"] == "LATE-OCT"]
    assert list(late["closed_period"]) == ["2026-10"] and list(late["employee_id"]) == ["E004"]


def test_two_closes_started_together_one_is_refused_and_nothing_is_paid_twice(script):
    refused = script["refused"]
    assert refused.returncode == 2 and refused.stderr.strip().count("\n") == 0
    assert "Another close of 2026-11 is running since" in refused.stderr
    code, _, err = script["november"]
    assert code == 0, err
    # the refused close wrote nothing; no unrecorded folder is left looking like a close
    assert not [n for n in script["refused outputs"] if "2026-12" in n]
    s = script["script"]
    assert not list(s.out.glob(UNRECORDED + "*"))
    with open_store(s.db) as store:
        periods = [c.period for c in store.closes(current_only=True)]
        runs = {r.period: r for r in store.runs() if r.command == "close-month"}
    assert periods.count("2026-11") == 1 and periods.count("2026-12") == 1
    assert (s.out / "royalties-2026-11.json").exists() and (s.out / "royalties-2026-12.json").exists()

    with open_store(s.db) as store:
        closes = {r.period: r.close for r in list_history(store).runs if r.command == "close-month"}
    assert closes["2026-11"] == "2026-11 v1" and runs["2026-11"].status == "ok"


def test_the_previous_year_stays_open_to_corrections(script):
    jan = script["2027-01"].plan.payouts.statement.set_index("employee_id")
    feb = script["2027-02"].plan.payouts.statement.set_index("employee_id")
    assert jan.loc["E004", "prior_year_adjustment"] > 0 and feb.loc["E004", "prior_year_adjustment"] < 0
    adj = script["2027-02"].plan.payouts.adjustments
    prior = adj[adj["prior_year"] == 1]
    assert list(prior["receipt_no"]) == ["LATE-NOV"] and list(prior["closed_period"]) == ["2026-11"]
    assert sum(cents(e) for e in prior["effect"]) == cents(feb.loc["E004", "prior_year_adjustment"])
    # nobody else had a prior-year change: no zero entries
    with open_store(script["script"].db) as store:
        rows = store.payments(year=2026)
    entries = rows[rows["entry"] == "prior-year"]
    assert set(entries["employee_id"]) == {"E004"} and (entries["amount"] != 0).all()


def test_performance_files_read_what_the_ledger_paid(script):

    s = script["script"]
    year = gather_year(Source(db=str(s.db)), 2026)
    with open_store(s.db) as store:
        pay = store.payments(year=2026)
    pay = pay[pay["close_period"].str.startswith("2026-")]
    for emp in ("E001", "E005"):
        mine = year.pay[year.pay["employee_id"] == emp]
        for kind, col in (("royalty", "royalty_payment"), ("floating", "floating_pay")):
            paid = sum(cents(a) for a in pay.loc[(pay["employee_id"] == emp) & (pay["kind"] == kind), "amount"])
            shown = sum(cents(a) for a in mine[col].dropna())
            assert shown == paid, (emp, kind)
    may = year.pay[(year.pay["period"] == "2026-05")]
    assert may["floating_pay"].isna().all()  # May was never closed: nothing was paid in May


def test_a_failed_consolidation_changes_no_period_and_is_recorded_as_failed(sample_dir, tmp_path):


    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("standards.xlsx", "dept-east.xlsx", "dept-west.xlsx"):  # two departments show it as well as four
        shutil.copy(sample_dir / name, folder / name)
    db = tmp_path / "t.db"
    consolidate(Source([folder], None, db), "2026-10", jobs=1)
    with open_store(db) as store:
        before = {s.department: s.id for s in store.current("2026-10")}
    wb = openpyxl.load_workbook(folder / "dept-east.xlsx")
    wb["Collections"].cell(2, 1).value = "CHANGED-1"  # a new snapshot of East would be stored
    wb.save(folder / "dept-east.xlsx")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be")
    with pytest.raises(Exception):
        consolidate(Source([folder], None, db), "2026-10", jobs=1, output=blocker / "consolidated.xlsx")
    with open_store(db) as store:
        after = {s.department: s.id for s in store.current("2026-10")}
        last = store.runs()[-1]
    assert after == before  # nothing the failed run stored became current
    assert last.status == "failed"


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGKILL"), reason="needs POSIX signals")
def test_a_close_killed_while_recording_leaves_nothing_that_looks_like_a_close(sample_dir, tmp_path, store_url):



    db, out, marker = store_url, tmp_path / "out", tmp_path / "recording"
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("standards.xlsx", "dept-east.xlsx", "dept-west.xlsx"):  # each stores a new snapshot
        shutil.copy(sample_dir / name, folder / name)
    n_files = 3  # the close's record is the next stall point
    env = {"TOOLKIT_STORE_STALL": str(marker), "TOOLKIT_STORE_STALL_AT": str(n_files + 1)}
    proc = forked_script(LIBRARY_CLOSE, [folder, db, "2026-10", out], env)  # a forked copy of this process
    wait_for(marker, proc, 300)  # every output written, the close's transaction open
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(60)
    visible = [p.name for p in out.iterdir() if not p.name.startswith(".")]
    assert visible == [] and list(out.glob(UNRECORDED + "*"))  # only the hidden, unrecorded folder
    with open_store(db) as store:
        assert store.closes() == []
        runs = [r for r in list_history(store).runs if r.command == "close-month"]
    assert [r.close for r in runs] == ["not recorded"]
    res = close_month(Source([folder], None, db), "2026-10", out, jobs=1, report=False)  # it cleans up after it
    assert res.close is not None and not list(out.glob(UNRECORDED + "*"))
    assert all(p.exists() and p.parent == out for files in res.outputs.values() for p in files)


def test_the_appraisal_takes_the_closed_months_royalties_as_paid(script):

    s = script["script"]
    with open_store(s.db) as store:
        ledger = load_ledger_from_store(store, "2026-12")
        pay = store.payments(year=2026)
    used = _royalties(ledger, 2026, 12, Source(db=str(s.db)))
    pay = pay[(pay["kind"] == "royalty") & pay["close_period"].str.startswith("2026-")]
    for emp in ("E001", "E005"):
        assert sum(cents(r) for r in used.loc[used["employee_id"] == emp, "royalty"]) == sum(
            cents(a) for a in pay.loc[pay["employee_id"] == emp, "amount"]), emp
    assert set(used.loc[used["employee_id"] == "E005", "month"]) == {4, 6, 7, 10, 11, 12}  # months that paid


def test_january_s_report_says_which_month_of_last_year_is_restated(script):
    res = script["2027-01"]
    html = next(p for p in res.outputs["report"] if p.suffix == ".html").read_text(encoding="utf-8")
    assert "2026-12 was closed with" in html  # the late December receipt restates December's collection


def test_a_finding_without_a_file_is_not_shown_as_nan():

    frame = _findings_frame([Finding("period-already-closed", file=float("nan"), params={
        "period": "2026-10", "version": 1, "closed_at": "2026-11-02"})], "en")
    assert frame["file"].isna().all()  # not the text "nan"


def _statement_rows(path: Path) -> tuple[list[tuple], dict[str, list[tuple]]]:
    """A written statement workbook: the Statement sheet's rows, and every sheet's rows by sheet name."""

    wb = openpyxl.load_workbook(path)
    sheets = {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    return sheets[wb.worksheets[0].title], sheets


def test_statements_explain_the_opening_an_adjustment_a_catch_up_and_last_month(script, tmp_path):
    """Issue 24, on the statements `toolkit statements --db` writes for October: the months before the ledger's
    first close taken as paid (and at how much), the late August refund behind E001's adjustment with its amount
    before → after, E005's floating pay of August and September caught up (in the total), and last month's YTD
    computation beside this month's."""

    s = script["script"]
    run = statements(Source(db=s.db), "2026-10", tmp_path, formats=("xlsx",), employees=["E001", "E005"])
    assert not run.failures, run.failures
    files = {emp: next(p for p in paths if p.suffix == ".xlsx") for emp, paths in run.files.items()}
    rows, sheets = _statement_rows(files["E001"])
    by_item = {r[0]: r for r in rows}
    # the opening: January–March taken as paid at what March's close computed (the stores' first ledger close)
    why = [r[2] for r in rows if r[0] == "Why" and "taken as paid" in (r[2] or "")]
    march = script["march"].royalty("E001", {"East", "West", "North"}, 2026, 3)
    assert why and "2026-01 – 2026-03" in why[0] and f"{march / 100:,.2f}" in why[0]
    # the adjustment: the refund of -12,000.00 dated in August, added since August's close
    adj = [r for r in rows if str(r[0]).startswith("of which adjustment") and "LATE-REFUND" in str(r[0])]
    assert len(adj) == 1 and "2026-08" in adj[0][2] and "none → -12,000.00" in adj[0][2], adj
    assert "Collections row" in adj[0][2]
    # last month beside this month, as computed now: September's YTD royalty recomputed on today's rows
    last = {r[0]: r for r in sheets["Last Month"]}
    everyone = {"East", "West", "North"}
    sept, octo = (s.company.royalty("E001", everyone, 2026, m) for m in (9, 10))
    header = sheets["Last Month"][0]
    assert header[1:3] == ("2026-09", "2026-10")
    assert last["YTD Royalty"][1] == f"{sept / 100:,.2f}" and last["YTD Royalty"][2] == f"{octo / 100:,.2f}"
    assert last["YTD Royalty"][3] == f"{(octo - sept) / 100:+,.2f}"
    assert by_item["YTD royalty earned"][1] == octo / 100
    # E005 (North, rejected in August and September): both months' floating pay caught up, in the total
    rows, _ = _statement_rows(files["E005"])
    caught = {r[0]: r[1] for r in rows if str(r[0]).startswith("Floating pay of")}
    want = {f"Floating pay of 2026-{m:02d}, caught up": s.floating[("E005", f"2026-{m:02d}")] / 100 for m in (8, 9)}
    assert caught == want and all(v > 0 for v in want.values())
    items = {r[0]: r[1] for r in rows}
    parts = [items["This royalty payment"], items["Floating pay"], *want.values()]
    total = next(r[1] for r in rows if r[0] == "Total payable this month")
    assert round(total * 100) == sum(round(p * 100) for p in parts)


def test_the_scripted_year_is_built_once_under_xdist(request):
    """Every test reading the scripted year goes to one xdist worker (conftest's groups; setup.cfg's loadgroup), so
    ``-n 2`` closes the year once, not once per worker."""
    items = list(request.node.parent.collect())  # this module's tests afresh (as -n 2 collects them, no -k)
    pytest_collection_modifyitems(request.config, items)
    readers = [i for i in items if "script" in i.fixturenames]
    groups = {m.args[0] for i in readers for m in i.iter_markers("xdist_group")}
    assert len(readers) >= 10 and len(groups) == 1
    assert all(len(list(i.iter_markers("xdist_group"))) == 1 for i in readers)
    alone = [i for i in items if i.name == "test_a_finding_without_a_file_is_not_shown_as_nan"]
    assert alone and not list(alone[0].iter_markers("xdist_group"))  # no shared fixture: balanced on its own
    cfg = configparser.ConfigParser()
    cfg.read(Path(__file__).resolve().parents[1] / "setup.cfg")
    assert "--dist loadgroup" in cfg["tool:pytest"]["addopts"]
