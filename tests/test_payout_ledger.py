"""The year as a ledger (issue 12): a scripted year over workbooks written by the toolkit.

Close several months, change closed months between closes (a late refund, a late contract, a deleted
receipt), reject a department, re-close, skip a month, cross into January with a department not rolled
over — and at every close the sum of each employee's recorded royalty payments equals round(YTD royalty)
to the cent, and every correction is an itemised adjustment whose effects add up to it.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from consolidate_helpers import in_process_cli, sha256
from payout_year import Company
from toolkit.operations.consolidate import consolidate
from toolkit.core.royalties import compute_royalties
from toolkit.errors import ToolkitError
from toolkit.operations.close_month import close_month
from toolkit.operations.closes import backdated_for, close_output_dir, note_text, prepare_close, reclose_changes
from toolkit.store import load_ledger_from_store, open_store
from toolkit.core.royalties import Evaluations
from toolkit.operations.source import Source
from toolkit.io.reader import read_workbook
import openpyxl
import sqlite3
from toolkit.operations.history import list_history
from toolkit.operations.history import show_close
from toolkit.operations.history import employee_payments
from toolkit.operations.history import department_changes
from click.testing import CliRunner
from toolkit.cli.main import cli
from toolkit.operations.closes import restatement_findings
import shutil
from toolkit.report.context import build_context
from toolkit.report.stored_history import closed_figures
from consolidate_helpers import query
from toolkit.money import fmt_money
from toolkit.operations.report import monthly_context

D = dt.date


def _cents(x: float) -> int:
    return int(Decimal(str(x)).scaleb(2).to_integral_value())


class Year:
    """Drives closes of a ``Company`` through consolidation, the store and the payout ledger."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.company = Company.build()
        self.db = tmp / "toolkit.db"
        self.results: dict[tuple[str, int], object] = {}
        self.evaluations = Evaluations()  # one run's royalty evaluations, shared by the year's closes

    def close(self, period: str, reopen: bool = False, report: bool = False, jobs: int = 1):
        """``close_month`` over the workbooks as they stand at ``period``; the ledger's promises checked. The
        monthly report only where a test reads it (``report``); ``jobs`` 2: the outputs and the report in forked
        processes."""
        folder = self.company.write(self.tmp / f"in-{period}", period)
        res = close_month(Source([folder], db=self.db, evaluations=self.evaluations), period, self.tmp / "out",
                          jobs=jobs, reopen=reopen, report=report)
        self.results[(period, res.close.version)] = res
        with open_store(self.db) as store:
            ledger = load_ledger_from_store(store, period, res.close.snapshot_ids)
            self.check(store, ledger, period, res.plan, res.close)
        return res.consolidation, res.plan, res.close

    def check(self, store, ledger, period, plan, info) -> None:
        """The ledger's promises at this close."""
        year = int(period[:4])
        roy = compute_royalties(ledger, period)
        computed = roy.lines[roy.lines["status"] == "computed"]
        paid = store.payments(year=year)
        paid = paid[paid["kind"] == "royalty"]
        for emp, ytd in zip(computed["employee_id"], computed["ytd_royalty"]):
            total = sum(_cents(a) for a in paid.loc[paid["employee_id"] == emp, "amount"])
            assert total == _cents(ytd), (period, emp, total, ytd)
        skipped = set(roy.lines.loc[roy.lines["status"] == "not-computed", "employee_id"])
        mine = store.payments(close_id=info.id)
        assert not skipped & set(mine["employee_id"]), "an employee not computed was paid"
        st = plan.payouts.statement
        assert set(st["employee_id"]) == set(computed["employee_id"])
        for rec in st.to_dict("records"):  # payment = regular + adjustment; the total adds the prior-year line
            assert _cents(rec["payment"]) == _cents(rec["regular"]) + _cents(rec["adjustment"])
            assert _cents(rec["payment"]) == _cents(rec["ytd_earned"]) - _cents(rec["paid_before"])
            assert _cents(rec["total"]) == _cents(rec["payment"]) + _cents(rec["prior_year_adjustment"])
        adj = store.adjustments(close_id=info.id)
        for prior, column in ((0, "adjustment"), (1, "prior_year_adjustment")):
            rows = adj[adj["prior_year"] == prior] if len(adj) else adj
            for rec in st.to_dict("records"):
                items = rows[rows["employee_id"] == rec["employee_id"]] if len(rows) else rows
                assert sum(_cents(e) for e in items["effect"]) == _cents(rec[column]), (period, rec, items)


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """The whole scripted year, run once; each test reads one stage's record."""
    y = Year(tmp_path_factory.mktemp("year"))
    c = y.company
    stages: dict[str, tuple] = {}
    stages["2026-07"] = y.close("2026-07")
    stages["2026-08"] = y.close("2026-08")
    # entered after August was closed: a refund dated in August and a contract signed and paid in July
    c.add("East", "Collections", receipt_no="LATE-REFUND", receipt_date=D(2026, 8, 25), contract_no="EC26080",
          amount=-20000.0, method="Bank Transfer")
    c.add("East", "Contracts", contract_no="EC-LATE", sign_date=D(2026, 7, 28), customer="Late Ltd", employee_id="E002",
          product_line="Widgets", amount=150000.0, status="Executing", delivered=150000.0, payment_terms=30,
          split_employee_id="E001", split_share=0.3)
    c.add("East", "Collections", receipt_no="LATE-JULY", receipt_date=D(2026, 7, 30), contract_no="EC-LATE",
          amount=150000.0, method="Bank Transfer")
    stages["2026-09"] = y.close("2026-09", report=True, jobs=2)  # reports read below (the report forked)
    c.broken.add("West")
    stages["2026-10"] = y.close("2026-10", report=True)
    v1 = y.results[("2026-10", 1)]
    stages["v1 files"] = {p: sha256(p) for files in v1.outputs.values() for p in files}
    c.broken.discard("West")
    stages["2026-10 v2"] = y.close("2026-10", reopen=True, report=True)
    # November is never closed; a receipt dated in October is entered late and a September receipt deleted
    c.add("East", "Collections", receipt_no="LATE-OCT", receipt_date=D(2026, 10, 28), contract_no="EC26090",
          amount=30000.0, method="Bank Transfer")
    c.remove("East", "Collections", "receipt_no", "REC26090a")
    east = c.write(y.tmp / "probe", "2026-12") / "dept-east.xlsx"

    with open_store(y.db) as store:
        stages["backdated"] = backdated_for(store, read_workbook(east), "East")
    stages["2026-12"] = y.close("2026-12")
    with open_store(y.db) as store:
        try:
            y.close("2026-11")
        except ToolkitError as exc:
            stages["refused"] = exc
        stages["closes-2026"] = store.closes(year=2026)
    folder = y.company.write(y.tmp / "in-2026-10-again", "2026-10")
    stages["refused cli"] = in_process_cli(["close-month", str(folder), "--period", "2026-10", "-o", str(y.tmp / "out"),
                                            "--db", str(y.db), "--reopen", "--jobs", "1"])
    # January: a December receipt entered after December's close; West's workbook not rolled into 2027
    c.add("West", "Contracts", contract_no="WC-LATE", sign_date=D(2026, 12, 15), customer="Late Ltd",
          employee_id="E004", product_line="Widgets", amount=50000.0, status="Executing", delivered=50000.0,
          payment_terms=30)
    c.add("West", "Collections", receipt_no="LATE-DEC", receipt_date=D(2026, 12, 28), contract_no="WC-LATE",
          amount=40000.0, method="Bank Transfer")
    c.not_rolled.add("West")
    stages["2027-01"] = y.close("2027-01")
    c.not_rolled.discard("West")
    stages["2027-01 v2"] = y.close("2027-01", reopen=True)
    stages["ledger"] = y
    return stages


def test_first_close_takes_earlier_months_as_paid_and_says_so(year):
    _, plan, info = year["2026-07"]
    notes = [n for n in plan.notes if n["code"] == "opening"]
    assert notes and notes[0]["through"] == "2026-06"
    assert "taken as paid" in note_text(notes[0]) and "视为已支付" in note_text(notes[0], "zh")
    assert plan.payouts.statement["opening"].any()
    assert info.version == 1 and info.status == "current"


def test_late_rows_in_closed_months_are_itemised_adjustments(year):
    _, plan, info = year["2026-09"]
    adj = plan.payouts.adjustments
    got = {(r["employee_id"], r["receipt_no"], r["change"], r["closed_period"]) for r in adj.to_dict("records")}
    assert ("E001", "LATE-REFUND", "added", "2026-08") in got
    assert ("E002", "LATE-JULY", "added", "2026-07") in got
    assert ("E001", "LATE-JULY", "added", "2026-07") in got  # E001's 30% split of the late contract
    st = plan.payouts.statement.set_index("employee_id")
    assert st.loc["E002", "adjustment"] > 0  # the late July receipt is paid now
    refund = adj[(adj["receipt_no"] == "LATE-REFUND")]
    assert (refund["effect"] < 0).all()  # the refund claws back
    assert st.loc["E004", "adjustment"] == 0  # West did not change


def test_a_rejected_department_is_not_computed_and_paid_at_the_re_close(year):
    _, plan, info = year["2026-10"]
    assert "West" in info.not_consolidated
    assert "E004" not in set(plan.payouts.statement["employee_id"])
    assert any(n["code"] == "not-consolidated" and n["departments"] == ["West"] for n in plan.notes)
    res = year["ledger"].results[("2026-10", 1)]
    doc = json.loads(res.outputs["royalties"][0].read_text(encoding="utf-8"))
    e004 = next(r for r in doc["royalties"] if r["employee_id"] == "E004")
    assert e004["status"] == "not-computed" and e004["payment"] is None and doc["totals"]["not_computed"] == 1
    sal = json.loads(res.outputs["salary"][0].read_text(encoding="utf-8"))
    assert next(r for r in sal["salaries"] if r["employee_id"] == "E004")["pay"] is None
    _, plan2, info2 = year["2026-10 v2"]
    assert info2.version == 2 and info2.period == "2026-10"
    assert "E004" in set(plan2.payouts.statement["employee_id"])
    with open_store(year["ledger"].db) as store:
        old = store.close_info(info.id)
        assert old.status == "superseded" and old.superseded_by == info2.id
        changes = reclose_changes(store.payments(close_id=info.id), store.payments(close_id=info2.id))
        assert set(changes["employee_id"]) == {"E004"}  # only the department that was missing changed
        e004 = changes[changes["kind"] == "royalty"].iloc[0]
        assert e004["before"] == 0 and e004["after"] > 0
        assert len(store.payments(close_id=info.id))  # the superseded version's payments are kept


def test_skipped_month_warns_and_the_payment_catches_up(year):
    _, plan, _ = year["2026-12"]
    warn = [n for n in plan.notes if n["code"] == "months-not-closed"]
    assert warn and warn[0]["months"] == ["2026-11"]
    assert "2026-11 was never closed" in note_text(warn[0])
    adj = plan.payouts.adjustments
    got = {(r["employee_id"], r["receipt_no"], r["change"], r["closed_period"]) for r in adj.to_dict("records")}
    assert ("E001", "LATE-OCT", "added", "2026-10") in got
    assert ("E001", "REC26090a", "removed", "2026-09") in got


def test_rows_back_dated_into_closed_months_are_found_before_the_close(year):
    found = year["backdated"]
    assert {f.code for f in found} == {"backdated-into-closed-period", "removed-from-closed-period"}
    removed = [(f.value, f.params["month"]) for f in found if f.code == "removed-from-closed-period"]
    assert removed == [("REC26090a", "2026-09")]  # the deleted September receipt is said too
    found = [f for f in found if f.code == "backdated-into-closed-period"]
    assert [(f.value, f.params["month"], f.sheet) for f in found] == [("LATE-OCT", "2026-10", "Collections")]
    assert found[0].cell and found[0].cell.endswith(str(found[0].row))
    assert "paid at the next close" in found[0].message() and "逐项调整" in found[0].message("zh")


def test_a_re_close_never_overwrites_the_earlier_version_s_outputs(year):
    y = year["ledger"]
    before = year["v1 files"]
    assert before and all(sha256(p) == h for p, h in before.items())
    v2 = y.results[("2026-10", 2)]
    v2_files = [p for files in v2.outputs.values() for p in files]
    assert all(p.parent == y.tmp / "out" / "2026-10-v2" for p in v2_files)
    assert not set(v2_files) & set(before)
    with open_store(y.db) as store:
        v1 = store.closes(period="2026-10")[0]
    assert v1.status == "superseded" and sorted(p for ps in v1.outputs.values() for p in ps) == sorted(
        str(p) for p in before)  # the store still points at the kept files
    assert "E004" in {r["employee_id"] for r in v2.reclose.to_dict("records")}
    tot = v2.reclose_totals.set_index("kind")
    assert tot.loc["royalty", "change"] == round(float(v2.reclose["change"][v2.reclose["kind"] == "royalty"].sum()), 2)
    assert tot.loc["royalty", "after"] == pytest.approx(v2.plan.payouts.totals()["total"])


def test_the_close_s_royalty_statement_shows_what_is_paid_and_why(year):
    y = year["ledger"]
    res = y.results[("2026-09", 1)]
    doc = json.loads(res.outputs["royalties"][0].read_text(encoding="utf-8"))
    assert doc["ledger"]["period"] == "2026-09" and doc["ledger"]["version"] == 1
    e001 = next(r for r in doc["royalties"] if r["employee_id"] == "E001")
    st = res.plan.payouts.statement.set_index("employee_id").loc["E001"]
    assert e001["paid_to_date"] == f"{st['paid_before']:.2f}" == e001["previous_ytd_royalty"]
    assert e001["payment"] == f"{st['payment']:.2f}" and e001["adjustment"] == f"{st['adjustment']:.2f}"
    assert {a["receipt_no"] for a in e001["adjustments"]} == {"LATE-REFUND", "LATE-JULY"}
    assert _cents(float(e001["payment"])) == _cents(float(e001["regular_payment"])) + _cents(float(e001["adjustment"]))
    assert doc["totals"]["payment"] == f"{res.plan.payouts.totals()['payment']:.2f}"

    wb = openpyxl.load_workbook(res.outputs["royalties"][1], read_only=True)
    sheet = next(n for n in wb.sheetnames if n.startswith("E001"))
    items = [r[0] for r in wb[sheet].iter_rows(min_row=2, values_only=True)]
    wb.close()
    assert any(str(i).startswith("Adjustment 2026-08: Receipt LATE-REFUND added") for i in items)
    assert "Paid to date (recorded closes)" in items and "Total payment" in items
    # the report's headline pays what the ledger pays (this close's payments, adjustments included)
    md = next(p for p in res.outputs["report"] if p.suffix == ".md").read_text(encoding="utf-8")
    assert f"Royalties Payable: {res.plan.payouts.totals()['payment']:,.2f}" in md


def test_back_dated_rows_are_a_warning_at_the_next_consolidation(year):
    y = year["ledger"]
    res = y.results[("2026-12", 1)]
    east = next(f for f in res.consolidation.files if f.department == "East")
    found = [f for f in east.findings if f.code == "backdated-into-closed-period"]
    assert [(f.value, f.params["month"]) for f in found] == [("LATE-OCT", "2026-10")] and east.ok
    assert any(n["code"] == "months-not-closed" for n in res.notes)


def test_re_closing_a_period_before_a_later_close_is_refused(year):
    exc = year["refused"]
    assert exc.key == "close.later-closed"
    assert "\n" not in exc.message() and "2026-12 is already closed" in exc.message()
    cli = year["refused cli"]
    assert cli.returncode == 2 and cli.stderr.strip().count("\n") == 0
    assert "2026-10 cannot be closed again: 2026-12 is already closed" in cli.stderr
    assert [(c.period, c.version) for c in year["closes-2026"]] == [
        ("2026-07", 1), ("2026-08", 1), ("2026-09", 1), ("2026-10", 1), ("2026-10", 2), ("2026-12", 1)]


def test_january_pays_the_closed_year_s_late_changes_as_a_prior_year_adjustment(year, tmp_path):
    y = year["ledger"]
    _, plan, info = year["2027-01"]
    assert "West" in info.not_consolidated  # not rolled into 2027: its Plan is 2026's
    _, plan2, info2 = year["2027-01 v2"]
    st = plan2.payouts.statement.set_index("employee_id")
    assert st.loc["E004", "prior_year_adjustment"] > 0
    adj = plan2.payouts.adjustments
    prior = adj[adj["prior_year"] == 1]
    assert list(prior["receipt_no"]) == ["LATE-DEC"] and list(prior["closed_period"]) == ["2026-12"]
    assert any(n["code"] == "prior-year" and n["year"] == 2026 for n in plan2.notes)
    # 2026 as it is now, computed afresh from the December workbooks plus the late receipt: paid in full
    folder = y.company.write(tmp_path / "dec", "2026-12")
    dec = compute_royalties(Source(sorted(folder.glob("dept-*.xlsx")), folder / "standards.xlsx").ledger(None),
                            "2026-12")
    with open_store(y.db) as store:
        paid = store.payments(year=2026)
    paid = paid[paid["kind"] == "royalty"]
    for emp, ytd in zip(dec.lines["employee_id"], dec.lines["ytd_royalty"]):
        assert sum(_cents(a) for a in paid.loc[paid["employee_id"] == emp, "amount"]) == _cents(ytd), emp


def test_close_output_dir_never_reuses_an_earlier_version_s_folder(tmp_path):
    assert close_output_dir(tmp_path, "2026-10", 1) == tmp_path
    assert close_output_dir(tmp_path, "2026-10", 2) == tmp_path / "2026-10-v2"
    assert close_output_dir(tmp_path, "2026-10", 3) != close_output_dir(tmp_path, "2026-10", 2)


def test_closing_a_closed_period_without_reopen_is_refused(year):
    y = year["ledger"]
    with open_store(y.db) as store:
        ledger = load_ledger_from_store(store, "2027-01")
        with pytest.raises(ToolkitError) as exc:
            prepare_close(store, ledger, "2027-01")
    assert exc.value.key == "close.already-closed" and "--reopen" in exc.value.message()


def test_stored_results_and_views_serve_a_bi_tool(year):

    y = year["ledger"]
    conn = sqlite3.connect(y.db)
    try:
        periods = [r[0] for r in conn.execute("SELECT period FROM current_closes ORDER BY period")]
        assert periods == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-12", "2027-01"]
        lines = conn.execute("SELECT count(*), count(DISTINCT close_period) FROM current_royalty_lines").fetchone()
        assert lines[0] > 0 and lines[1] == 6
        trace = conn.execute("SELECT sum(weighted) FROM current_royalty_trace WHERE close_period='2026-12' "
                             "AND employee_id='E002'").fetchone()[0]
        assert trace > 0
        # the current versions' payments of 2026 add up in plain SQL, without joins through snapshots
        sql = ("SELECT employee_id, round(sum(amount), 2) FROM current_payments WHERE year=2026 AND kind='royalty' "
               "GROUP BY employee_id ORDER BY employee_id")
        assert [r[0] for r in conn.execute(sql)] == ["E001", "E002", "E004"]
    finally:
        conn.close()


# --- the history people can read (toolkit.operations.history) -----------------------------------


def test_history_lists_runs_and_every_close_version(year):

    with open_store(year["ledger"].db) as store:
        h = list_history(store)
        h2026 = list_history(store, year=2026)
    assert [(c.period, c.version, c.status) for c in h.closes][3:5] == [("2026-10", 1, "superseded"),
                                                                        ("2026-10", 2, "current")]
    assert len(h.runs) >= len(h.closes)
    assert all(c.year == 2026 for c in h2026.closes) and len(h2026.closes) == 6
    doc = h.to_dict()
    assert doc["closes"][0]["period"] == "2026-07" and doc["closes"][0]["run_id"] == doc["runs"][0]["id"]
    assert set(h.frames()) == {"runs", "closes"}


def test_show_close_gives_the_current_version_or_the_one_asked_for(year):

    _, plan, info = year["2026-10 v2"]
    with open_store(year["ledger"].db) as store:
        cur = show_close(store, "2026-10")
        old = show_close(store, "2026-10", version=1)
        with pytest.raises(ToolkitError) as exc:
            show_close(store, "2026-11")
    assert cur.close.id == info.id and old.close.status == "superseded"
    doc = cur.to_dict()
    royalty = [p for p in doc["payments"] if p["kind"] == "royalty" and p["entry"] == "payment"]
    assert {p["employee_id"] for p in royalty} == {"E001", "E002", "E004"}
    assert doc["totals"]["royalty"]["amount"] == f"{plan.payouts.totals()['payment']:.2f}"
    assert all(isinstance(p["amount"], str) for p in doc["payments"])
    assert "No close of 2026-11" in exc.value.message()


def test_an_employee_s_payments_add_up_to_what_was_earned(year):

    _, plan, _ = year["2026-12"]
    earned = plan.payouts.statement.set_index("employee_id").loc["E001", "ytd_earned"]
    with open_store(year["ledger"].db) as store:
        e = employee_payments(store, "E001", 2026)
    doc = e.to_dict()
    # 2026 as paid: every 2026 close plus January's prior-year line
    assert doc["totals"]["royalty_paid"] == f"{sum(_cents(a) for a in e.payments.loc[e.payments['kind'] == 'royalty', 'amount']) / 100:.2f}"
    upto_dec = e.payments[(e.payments["kind"] == "royalty") & (e.payments["close_period"] <= "2026-12")]
    assert sum(_cents(a) for a in upto_dec["amount"]) == _cents(earned)
    assert {a["receipt_no"] for a in doc["adjustments"]} >= {"LATE-REFUND", "LATE-JULY", "LATE-OCT", "REC26090a"}


def test_what_changed_in_a_department_since_its_last_close(year, tmp_path):

    y = year["ledger"]
    c = y.company
    c.add("East", "Contracts", contract_no="EC-FEB", sign_date=D(2027, 2, 2), customer="New Ltd", employee_id="E001",
          product_line="Widgets", amount=5000.0, status="Signed", delivered=0.0, payment_terms=30)
    c.add("East", "Collections", receipt_no="NEW-FEB", receipt_date=D(2027, 2, 3), contract_no="EC-FEB",
          amount=1000.0, method="Cash")
    c.change("East", "Contracts", "contract_no", "EC27011", customer="Renamed Ltd")
    folder = c.write(tmp_path / "feb", "2027-02")
    with open_store(y.db) as store:
        consolidate(Source(sorted(folder.glob("dept-*.xlsx")), folder / "standards.xlsx", store), "2027-02",
                    output=tmp_path / "c.xlsx", jobs=1)
        ch = department_changes(store, "East")
        with pytest.raises(ToolkitError):
            department_changes(store, "Nowhere")
    assert ch.since is not None and ch.since.period == "2027-01" and ch.now.period == "2027-02"
    summary = {s["table"]: s for s in ch.summary()}
    assert summary["Collections"]["added"] >= 1 and summary["Contracts"]["changed"] == 1
    assert summary["Contracts"]["added"] == 1 and summary["Contracts"]["removed"] == 0
    col = ch.sheets["Collections"]
    assert "NEW-FEB" in set(col.loc[col["change"] == "added", "key"])
    con = ch.sheets["Contracts"]
    assert list(con.loc[con["change"] == "changed", "fields"]) == ["customer"]
    assert ch.to_dict()["summary"] == ch.summary()


def test_history_commands_in_text_json_and_xlsx(year, tmp_path):


    db = str(year["ledger"].db)
    run = CliRunner().invoke
    text = run(cli, ["history", "list", "--db", db])
    assert text.exit_code == 0 and "superseded" in text.output and "2026-12" in text.output
    doc = json.loads(run(cli, ["history", "close", "2026-09", "--db", db, "--format", "json"]).output)
    assert doc["close"]["period"] == "2026-09" and {a["receipt_no"] for a in doc["adjustments"]} >= {"LATE-REFUND"}
    pay = run(cli, ["--lang", "zh", "history", "payments", "E004", "--year", "2026", "--db", db])
    assert pay.exit_code == 0 and "E004 的 2026 年支付记录" in pay.output and "prior-year" in pay.output
    out = tmp_path / "changes.xlsx"
    res = run(cli, ["history", "changes", "East", "--db", db, "--format", "xlsx", "-o", str(out)])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out, read_only=True)
    assert "summary" in wb.sheetnames
    wb.close()
    missing = run(cli, ["history", "close", "2025-01", "--db", db])
    assert missing.exit_code == 2 and "No close of 2025-01" in missing.output


def test_the_report_says_which_closed_month_the_current_data_restates(year):

    y = year["ledger"]
    with open_store(y.db) as store:
        ledger = load_ledger_from_store(store, "2026-09", year["2026-09"][2].snapshot_ids)
        found = restatement_findings(store, ledger, "2026-09")
    got = {(f.value, f.params["indicator"]) for f in found}
    # the late July contract and receipt and the August refund restate the closed months' actuals
    assert ("2026-07", "Collection") in got and ("2026-08", "Collection") in got and ("2026-07", "Signing") in got
    aug = next(f for f in found if f.value == "2026-08" and f.params["indicator"] == "Collection")
    assert aug.params["change"] == "-20,000.00" and "结账时" in aug.message("zh")


def test_plain_consolidate_also_warns_of_rows_back_dated_into_closed_months(sample_dir, closed_sample, tmp_path):
    """Not only a close: ``toolkit consolidate`` after a close names the back-dated rows too (on a copy of the
    store of the sample's shared close of 2026-10, conftest.closed_sample)."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("standards.xlsx", "dept-east.xlsx"):  # the department the late row goes into is enough
        shutil.copy(sample_dir / name, folder / name)
    db = tmp_path / "t.db"
    src, dst = sqlite3.connect(closed_sample[1] / "s.db"), sqlite3.connect(db)
    src.backup(dst)  # the shared store is only read; this test consolidates into its own copy
    src.close(), dst.close()
    with open_store(db) as store:
        assert [c.period for c in store.closes()] == ["2026-10"]
    before = consolidate(Source([folder], db=db), "2026-11", jobs=1)
    assert not [f for o in before.files for f in o.findings if f.code == "backdated-into-closed-period"]
    east = folder / "dept-east.xlsx"
    wb = openpyxl.load_workbook(east)
    ws = wb["Collections"]
    row = ws.max_row + 1
    headers = [c.value for c in ws[1]]
    values = {"Receipt No": "LATE-SEP", "Receipt Date": dt.datetime(2026, 9, 15),
              "Contract No": ws.cell(2, headers.index("Contract No") + 1).value, "Amount": -100.0,  # a late refund
              "Method": ws.cell(2, headers.index("Method") + 1).value}
    for col, value in values.items():
        ws.cell(row, headers.index(col) + 1, value)
    wb.save(east)
    after = consolidate(Source([folder], db=db), "2026-11", jobs=1)
    found = [f for o in after.files for f in o.findings if f.code == "backdated-into-closed-period"]
    assert [(f.value, f.params["month"]) for f in found] == [("LATE-SEP", "2026-09")]
    assert "dept-east" in found[0].file


def test_the_report_shows_closed_months_as_they_were_closed(year):
    """A refund dated in August entered after August was closed (the scripted year): September's report keeps
    August's figures as closed (month on month and trend), and says August is restated. September's close made its
    report in a forked process (``jobs=2``), so the closed figures reach the report's own process too."""
    y = year["ledger"]
    res = y.results[("2026-09", 1)]
    with open_store(y.db) as store:
        ledger = load_ledger_from_store(store, "2026-09", res.close.snapshot_ids)
        closed = closed_figures(store)
    aug = closed[(closed["period"] == "2026-08") & (closed["indicator"] == "Collection")]["actual"].iloc[0]
    ctx = build_context(ledger, "2026-09", closed=closed[closed["period"] < "2026-09"])
    plain = build_context(ledger, "2026-09")
    history = ctx["tables"]["history"].set_index("month")
    assert history.loc["2026-08", "collection"] == pytest.approx(aug)
    # the late refund LATE-REFUND (-20,000.00, dated 25 August): the current data gives August 20,000.00 less
    assert plain["tables"]["history"].set_index("month").loc["2026-08", "collection"] == pytest.approx(aug - 20000)
    assert ctx["headline"]["collection_previous"] == pytest.approx(aug)
    html = next(p for p in res.outputs["report"] if p.suffix == ".html").read_text(encoding="utf-8")
    assert "Closed month restated" in html and "2026-08 was closed with" in html  # and the report says so


def test_a_history_copied_to_postgresql_and_back_gives_the_same_history_outputs(year, pg_server, tmp_path):
    """db copy SQLite -> PostgreSQL -> SQLite: every history command's output is the same bytes on the three stores
    (the scripted year: re-closes, adjustments, prior-year payments); the password never shows."""


    run = CliRunner().invoke
    first = str(year["ledger"].db)
    pg = pg_server.database().replace("toolkit@", "toolkit:pa55word@")  # trust auth: any password is accepted
    back = str(tmp_path / "back.db")
    for src, dst in ((first, pg), (pg, back)):
        res = run(cli, ["db", "copy", src, dst, "--format", "json"])
        assert res.exit_code == 0, res.output
        doc = json.loads(res.output)
        assert doc["verified"] and doc["rows"] > 0 and "pa55word" not in res.output
    commands = [["history", "list", "--format", "json"], ["history", "close", "2026-09", "--format", "json"],
                ["history", "close", "2026-09", "--version", "1", "--format", "json"],
                ["history", "payments", "E004", "--year", "2026", "--format", "json"],
                ["--lang", "zh", "history", "payments", "E004", "--year", "2026"], ["history", "changes", "East"]]
    for args in commands:
        outs = []
        for db in (first, pg, back):
            res = run(cli, [*args, "--db", db])
            assert res.exit_code == 0, (args, db, res.output)
            outs.append(res.output)
        assert outs[0] == outs[1] == outs[2], args
    # the BI views give the same rows on PostgreSQL (migration 6's views, translated where SQLite's spelling differs)

    for sql in ("SELECT count(*), round(sum(amount) * 100) FROM current_payments",
                "SELECT count(*), round(sum(effect) * 100) FROM current_adjustments",
                "SELECT count(*) FROM current_royalty_lines", "SELECT count(*) FROM current_closes",
                "SELECT year, month, product_line, contracts, round(signing * 100) FROM v_sales_by_product_line "
                "ORDER BY 1, 2, 3",
                "SELECT year, customer, rank, abc FROM v_customer_pareto ORDER BY 1, 2",
                "SELECT department, month, receipts, round(collection * 100) FROM v_collections_by_month ORDER BY 1, 2",
                "SELECT count(*), round(sum(days_late)) FROM v_collections",
                "SELECT department, stage, opportunities FROM v_pipeline_by_stage ORDER BY 1, 2"):
        mine, theirs = query(first, sql), query(pg, sql)
        assert [tuple(float(v) if isinstance(v, (int, float)) or type(v).__name__ == "Decimal" else v for v in r)
                for r in mine] == [tuple(float(v) if isinstance(v, (int, float)) or type(v).__name__ == "Decimal"
                                         else v for v in r) for r in theirs], sql
    check = run(cli, ["db", "check", pg])
    assert check.exit_code == 0 and "schema version" in check.output and "pa55word" not in check.output
    again = run(cli, ["db", "copy", first, pg])  # the target must be empty: a history is never merged into another
    assert again.exit_code == 2 and "already holds a history" in again.output
def test_a_reclosed_report_says_which_version_it_supersedes_and_what_changed(year):
    """Issue 24: version 2's report opens with "Version 2 of 2026-10, supersedes version 1 of DATE" and what
    changed (the payment totals as the store recorded them, West consolidated now); version 1's says nothing of
    the kind; the report from the store (``toolkit report --db``) says the same."""

    y = year["ledger"]
    v1, v2 = y.results[("2026-10", 1)], y.results[("2026-10", 2)]
    md = next(p for p in v2.outputs["report"] if p.suffix == ".md").read_text(encoding="utf-8")
    closed_at = v1.close.closed_at[:16].replace("T", " ")
    head = f"Version 2 of 2026-10, supersedes version 1 of {closed_at}."
    assert head in md
    words = {"royalty": "royalties", "floating": "floating pay"}
    for rec in v2.reclose_totals.to_dict("records"):  # read back from the store after the close was recorded
        item = (f"{words[rec['kind']]} {fmt_money(rec['before'], grouped=True)} → "
                f"{fmt_money(rec['after'], grouped=True)} yuan ({fmt_money(rec['change'], grouped=True, sign=True)})")
        assert (item in md) == (round(rec["change"], 2) != 0), item
    people = v2.reclose["employee_id"].nunique()
    assert f"{people} employee(s)' payments changed" in md
    assert "now consolidated: West" in md
    html = next(p for p in v2.outputs["report"] if p.suffix == ".html").read_text(encoding="utf-8")
    assert 'id="version"' in html and head in html
    v1_md = next(p for p in v1.outputs["report"] if p.suffix == ".md").read_text(encoding="utf-8")
    assert "supersedes" not in v1_md
    with Source(db=y.db) as source:
        ctx = monthly_context(source, "2026-10")
    assert ctx["text"]["version"].startswith(head) and ctx["text"]["version"] in md
