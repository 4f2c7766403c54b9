"""close-month and demo: consolidate, then every computation from the store, outputs where they say."""

from __future__ import annotations

import gc
import json
from functools import partial
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from consolidate_helpers import copy_sample, department_files, sample_source
from toolkit.cli.main import cli
from toolkit.operations import close_month as close_month_module
from toolkit.operations.close_month import COMPUTATIONS, close_month
from toolkit.errors import ToolkitError
from toolkit.io.reader import read_workbook
from toolkit.operations.source import Source
from toolkit.store import open_store

PERIOD = "2026-10"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return sample_source(tmp_path_factory)


@pytest.fixture(scope="module")
def closed(closed_sample):
    """The sample's month close, shared with the other tests that only read it (conftest.closed_sample)."""
    return closed_sample


def test_every_output_is_written_and_readable(closed):
    res, _ = closed
    assert set(res.outputs) == {"consolidated", "summary", "report", *COMPUTATIONS}
    assert [p.name for p in res.outputs["report"]] == [f"monthly-report-{PERIOD}.{e}" for e in ("xlsx", "html", "md")]
    for name in COMPUTATIONS:
        js, xl = res.outputs[name]
        payload = json.loads(js.read_text(encoding="utf-8"))
        assert payload["period"] == PERIOD, name
        wb = openpyxl.load_workbook(xl, read_only=True)
        assert wb.sheetnames, name
        wb.close()
    summary = json.loads(res.outputs["summary"][0].read_text(encoding="utf-8"))
    assert summary["exit_code"] == res.exit_code and len(summary["files"]) == len(res.consolidation.files)


def test_a_close_without_the_report_writes_and_records_the_same(closed, sample, tmp_path):
    """``report=False`` (the ledger tests' closes): no report file, every other output and the payout ledger as
    the full close of the same files wrote and recorded them."""
    res, folder = closed
    lean = close_month(Source([sample], db=tmp_path / "s.db"), PERIOD, tmp_path / "out", jobs=1, report=False)
    assert set(lean.outputs) == set(res.outputs) - {"report"}
    assert not list((tmp_path / "out").glob("monthly-report-*"))
    for name in COMPUTATIONS:
        got, want = (json.loads(r.outputs[name][0].read_text(encoding="utf-8")) for r in (lean, res))
        assert got == want, name
    with open_store(tmp_path / "s.db") as mine, open_store(folder / "s.db") as theirs:
        got, want = (s.payments(close_id=s.closes(period=PERIOD)[0].id).drop(columns=["close_id", "id"],
                                                                             errors="ignore") for s in (mine, theirs))
        assert len(got) and got.equals(want)
        assert [c.outputs.keys() - {"report"} for c in (mine.closes()[0], theirs.closes()[0])] == [
            set(lean.outputs), set(lean.outputs)]


def test_a_close_keeps_the_collector_off_its_objects_while_it_works_and_gives_them_back(sample, tmp_path,
                                                                                        monkeypatch):
    """Once the ledger is built the close freezes what the process holds (``gc.freeze``: full collections no longer
    walk the ledger, nor touch the forked workers' pages) and unfreezes it at the end, also when it fails; where
    something froze objects already (this test session does, conftest) it leaves the collector as it found it."""
    seen: list[int] = []
    real = close_month_module.shared_results
    monkeypatch.setattr(close_month_module, "shared_results",
                        lambda *a, **k: seen.append(gc.get_freeze_count()) or real(*a, **k))
    gc.unfreeze()  # as a command's process starts: nothing frozen (the session's freeze is made again below)
    monkeypatch.setattr(close_month_module, "HOST_FROZE", False)  # nor said to be (conftest says it, for the session)
    try:
        close_month(Source([sample], db=tmp_path / "s.db"), PERIOD, tmp_path / "out", jobs=1, report=False)
        assert seen and seen[0] > 0 and gc.get_freeze_count() == 0
        monkeypatch.setattr(close_month_module, "shared_results", lambda *a, **k: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            close_month(Source([sample], db=tmp_path / "t.db"), PERIOD, tmp_path / "out2", jobs=1, report=False)
        assert gc.get_freeze_count() == 0
        gc.freeze()
        held = gc.get_freeze_count()
        assert close_month_module._freeze() is False and gc.get_freeze_count() == held
        gc.unfreeze()  # nothing frozen, but the host says it froze: the close believes it and leaves things alone
        monkeypatch.setattr(close_month_module, "HOST_FROZE", True)
        assert close_month_module._freeze() is False and gc.get_freeze_count() == 0
        gc.freeze()
        monkeypatch.setattr(close_month_module, "HOST_FROZE", False)
        monkeypatch.setattr(close_month_module, "shared_results", real)
        seen.clear()
        close_month(Source([sample], db=tmp_path / "u.db"), PERIOD, tmp_path / "out3", jobs=1, report=False)
        assert gc.get_freeze_count() > 0  # still frozen: the close did not unfreeze what it did not freeze
    finally:
        gc.collect()
        gc.freeze()


def test_a_close_in_one_process_forks_nothing_and_writes_the_same(closed, sample, tmp_path, monkeypatch):
    """A close with ``jobs=1`` (the ribbon's, and where the platform does not fork) writes its outputs and report
    one after the other in its own process — no report HTML process, no pool — and every file says what the
    two-process close of the same files wrote (JSON and Markdown byte for byte, the workbooks' cells)."""
    res, _ = closed

    def forbidden(*args, **kwargs):
        raise AssertionError("a small close forked a process")

    monkeypatch.setattr(close_month_module, "HtmlProcess", forbidden)
    monkeypatch.setattr(close_month_module, "ProcessPoolExecutor", forbidden)
    small = close_month(Source([sample], db=tmp_path / "s.db"), PERIOD, tmp_path / "out", jobs=1)
    assert set(small.outputs) == set(res.outputs)
    for name in (*COMPUTATIONS, "report"):
        for mine, theirs in zip(small.outputs[name], res.outputs[name]):
            assert mine.name == theirs.name
            if mine.suffix in (".json", ".md"):
                assert mine.read_bytes() == theirs.read_bytes(), mine.name
            elif mine.suffix == ".xlsx":
                got, want = (openpyxl.load_workbook(p) for p in (mine, theirs))
                assert got.sheetnames == want.sheetnames
                for sheet in got.sheetnames:
                    assert [[c.value for c in r] for r in got[sheet].iter_rows()] == [
                        [c.value for c in r] for r in want[sheet].iter_rows()], (mine.name, sheet)


#: What only a month close's royalty output has: the payout ledger's fields (docs/json.md).
LEDGER_FIELDS = {"paid_to_date", "regular_payment", "adjustment", "prior_year_adjustment", "total_payment",
                 "paid_to_date_includes_opening", "adjustments"}


def _without_ledger(payload: dict) -> dict:
    """A close's royalty JSON without the ledger's fields: at a first close (the months before taken as paid
    at their recomputed figures) everything else equals what the compute command gives."""
    out = {k: v for k, v in payload.items() if k not in ("ledger", "findings")}
    out["royalties"] = [{k: v for k, v in r.items() if k not in LEDGER_FIELDS} for r in payload["royalties"]]
    out["totals"] = {k: v for k, v in payload["totals"].items() if k not in LEDGER_FIELDS}
    return out


def test_results_equal_the_compute_commands_on_the_same_files(closed, sample):
    """close-month computes from the store; the compute commands from the files: same numbers."""
    from toolkit.outputs import build
    from toolkit.core.royalties import compute_royalties

    res, _ = closed
    good = [f.path for f in res.consolidation.consolidated]
    ledger = Source(good, sample / "standards.xlsx", force=True).ledger(PERIOD)
    roy = _without_ledger(json.loads(res.outputs["royalties"][0].read_text(encoding="utf-8")))
    expected = json.loads(json.dumps(compute_royalties(ledger, PERIOD).to_dict(), default=str))
    assert roy["royalties"] == expected["royalties"] and roy["totals"] == expected["totals"]
    comp = json.loads(res.outputs["completion"][0].read_text(encoding="utf-8"))
    assert comp["rows"] == json.loads(json.dumps(build("completion", ledger, PERIOD).payload["rows"], default=str))
    funds = json.loads(res.outputs["funds"][0].read_text(encoding="utf-8"))
    assert funds["aging"] == json.loads(json.dumps(build("funds", ledger, PERIOD).payload["aging"], default=str))


def test_nothing_consolidated_is_a_clear_error(sample, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "standards.xlsx").write_bytes((sample / "standards.xlsx").read_bytes())
    (folder / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(ToolkitError) as exc:
        close_month(Source([folder], db=tmp_path / "s.db"), PERIOD, tmp_path / "out", jobs=1)
    assert exc.value.key == "close.nothing"


def test_demo_runs_on_the_shipped_sample(sample_dir, fresh_demo):
    """``toolkit demo`` from an empty folder, without TOOLKIT_DB: the shipped sample closed into ./out
    (conftest.fresh_demo: the real entry point in a fresh process, exit code 0, shared with the report's tests)."""
    out, result = fresh_demo
    assert out.name == "out" and not (out / "sample").exists()  # the shipped sample, not a generated one
    assert (out / f"royalties-{PERIOD}.json").exists() and (out / "toolkit.db").exists()
    assert f"royalties-{PERIOD}.xlsx" in result.stdout


@pytest.mark.parametrize("command", ["royalties", "completion", "funds", "forecast", "salary"])
def test_compute_commands_read_the_store_with_db(closed, command):
    """`toolkit COMMAND --db` computes from the consolidated store: the same JSON close-month wrote."""
    res, out = closed
    result = CliRunner().invoke(cli, [command, "--db", str(out / "s.db"), "--period", PERIOD, "--format", "json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    if command in res.outputs:
        expected = json.loads(res.outputs[command][0].read_text(encoding="utf-8"))
        if command == "royalties":
            assert expected["ledger"]["version"] == 1 and got.get("ledger") is None
            expected = _without_ledger(expected)
        if command == "salary":  # a first close catches nothing up: its ledger fields add nothing to the pay
            assert expected["ledger"]["caught_up"] == [] and got.get("ledger") is None
            assert all(r["total_pay"] == r["pay"] for r in expected["salaries"] if r["pay"] is not None)
            expected = {k: v for k, v in expected.items() if k != "ledger"}
            expected["salaries"] = [{k: v for k, v in r.items() if k not in ("caught_up", "total_pay")}
                                    for r in expected["salaries"]]
        assert {k: v for k, v in got.items() if k != "findings"} == {
            k: v for k, v in expected.items() if k != "findings"}
    else:
        assert got["period"] == PERIOD


def test_compute_commands_need_files_or_db(tmp_path, sample):
    runner = CliRunner()
    none = runner.invoke(cli, ["royalties", "--period", PERIOD])
    assert none.exit_code == 2 and "Give department workbooks (PATH...) with --standards, or --db." in none.output
    both = runner.invoke(cli, ["funds", str(sample), "--db", str(tmp_path / "x.db"), "--period", PERIOD])
    assert both.exit_code == 2 and "Give either PATH... or --db, not both." in both.output


@pytest.fixture
def without_report(monkeypatch):
    """The CLI's month close without the monthly report, for a test that reads only what the CLI printed and the
    other outputs (the report of the same close: conftest.fresh_demo, the closed_sample tests)."""
    monkeypatch.setattr(close_month_module, "close_month", partial(close_month, report=False))


def test_demo_generates_the_sample_outside_a_checkout(tmp_path, monkeypatch, without_report):
    """An installed package has no workbooks/ folder: demo writes the seeded sample first."""
    from toolkit.operations import demo

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TOOLKIT_DB", raising=False)
    monkeypatch.setattr(demo, "SAMPLE_DIR", tmp_path / "nowhere")
    result = CliRunner().invoke(cli, ["demo", "--jobs", "1", "-o", "o"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in Path("o/sample").glob("*.xlsx")) == [
        "dept-east.xlsx", "dept-north.xlsx", "dept-south.xlsx", "dept-west.xlsx", "standards.xlsx"]
    assert (Path("o") / f"royalties-{PERIOD}.json").exists()


def test_report_names_the_departments_left_out(closed):
    """A rejected department is not silently missing: the report's data-quality section says so."""
    res, _ = closed
    left_out = [f for f in res.consolidation.files if not f.ok and f.kind != "standards"]
    assert left_out, "the sample has a department with deliberate errors"
    md = next(p for p in res.outputs["report"] if p.suffix == ".md").read_text(encoding="utf-8")
    html = next(p for p in res.outputs["report"] if p.suffix == ".html").read_text(encoding="utf-8")
    for f in left_out:
        name = f.department or Path(f.path).name
        assert f"{name} was not consolidated ({f.status})" in html
    assert "was not consolidated" in md



def test_left_out_departments_are_described_in_both_languages(closed):
    from toolkit.operations.close_month import left_out_findings as _left_out

    res, _ = closed
    north = next(f for f in _left_out(res.consolidation.files) if f.code == "department-not-consolidated")
    assert "(rejected)" in north.message("en") and "（已拒收）" in north.message("zh")


def test_close_month_never_says_all_consolidated_while_a_departments_people_are_not_computed(sample, tmp_path,
                                                                                               without_report):
    """Issue 22: the 华南 workbook's Info names its department in the other language (South China) and North
    China sent nothing: the close exits 1, names both departments as not computed, and never prints "N of N".
    The CLI prints where each output went and its progress over the department files (one close for both)."""
    folder = copy_sample(sample, tmp_path / "in")
    (folder / "dept-north.xlsx").unlink()
    wb = openpyxl.load_workbook(folder / "dept-south.xlsx")
    ws = wb["信息"]
    for row in ws.iter_rows(min_row=1, max_col=2):
        if row[0].value == "部门":
            row[1].value = "South China"
    wb.save(folder / "dept-south.xlsx")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["close-month", str(folder), "--period", PERIOD, "-o", str(out),
                                      "--db", str(tmp_path / "s.db"), "--jobs", "1"])
    assert result.exit_code == 1, result.output
    for name in COMPUTATIONS:
        assert str(out / f"{name}-{PERIOD}.json") in result.stdout
        assert str(out / f"{name}-{PERIOD}.xlsx") in result.stdout
    assert str(out / f"consolidated-{PERIOD}.xlsx") in result.stdout
    n = len(department_files(folder))
    assert n == 3 and f"[{n}/{n}]" in result.stderr
    head = result.stdout.splitlines()[0]
    assert "NOT every department" in head and "华南" in head and "North China" in head, head
    assert "2 of 3 department workbook(s)" in head and "3 of 3" not in result.stdout
    assert "South China" in result.stdout and "华南" in result.stdout  # the rejection names the closest by meaning


def _workdays(first: pd.Timestamp, last: pd.Timestamp, holidays: pd.DataFrame) -> int:
    """Working days from ``first`` to ``last`` inclusive: weekdays not on holiday, plus make-up workdays."""
    days = pd.date_range(first, last, freq="D")
    kind = dict(zip(holidays["date"], holidays["kind"]))
    return sum(1 for d in days if kind.get(d) == "Workday" or (d.weekday() < 5 and kind.get(d) != "Holiday"))


def test_history_person_shows_the_samples_hire_leaver_transfer_and_promotion(closed, sample_dir):
    """``toolkit history person`` on the closed sample: the states by month follow the Roster and Roster Changes
    (read here from the standards workbook), the start and leave months are the shares of working days."""
    _, folder = closed
    std = read_workbook(sample_dir / "standards.xlsx")
    roster, changes, holidays = (std.tables[k] for k in ("Roster", "RosterChanges", "Holidays"))

    def months(emp: str) -> list[dict]:
        got = CliRunner().invoke(cli, ["history", "person", emp, "--year", "2026", "--db", str(folder / "s.db"),
                                       "--format", "json"])
        assert got.exit_code == 0, got.output
        rows = json.loads(got.output)["months"]
        assert [r["month"] for r in rows] == [f"2026-{m:02d}" for m in range(1, 13)]
        return rows

    moved = changes.dropna(subset=["department"]).iloc[0]
    rows = months(moved["employee_id"])
    home = roster.set_index("employee_id").loc[moved["employee_id"], "department"]
    assert [r["department"] for r in rows] == [home if m < moved["effective_from"].month else moved["department"]
                                               for m in range(1, 13)]
    promo = changes.dropna(subset=["grade"]).iloc[0]
    was = roster.set_index("employee_id").loc[promo["employee_id"]]
    rows = months(promo["employee_id"])
    for m, r in enumerate(rows, start=1):
        after = m >= promo["effective_from"].month
        assert r["grade"] == (promo["grade"] if after else was["grade"])
        assert float(r["floating_base"]) == (promo["floating_base"] if after else was["floating_base"])
    for col, emp_col in (("start_date", "hire"), ("leave_date", "leaver")):
        person = roster[roster[col].dt.year == 2026].iloc[0]
        day = person[col]
        first = day.replace(day=1)
        last = first + pd.offsets.MonthEnd(0)
        worked = _workdays(day, last, holidays) if col == "start_date" else _workdays(first, day, holidays)
        share = worked / _workdays(first, last, holidays)
        rows = months(person["employee_id"])
        for m, r in enumerate(rows, start=1):
            want = share if m == day.month else float(m > day.month) if col == "start_date" else float(m < day.month)
            assert r["employed"] == pytest.approx(want, abs=1e-4), (emp_col, m)
        assert 0 < share < 1
    # the leaver has no floating pay in October, the month of the close
    leaver = roster.loc[roster["leave_date"].notna(), "employee_id"].iloc[0]
    assert months(leaver)[9]["floating_paid"] == "0.00"
