"""toolkit consolidate: store + consolidated workbook, twice-identical, messy folders, duplicates, exit codes."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import need
from consolidate_helpers import (
    copy_sample,
    department_files,
    dump,
    sample_source,
    sha256,
)

from toolkit.cli.main import cli
from toolkit.operations.consolidate import consolidate
from toolkit.io.reader import read_workbook
from toolkit.schema import DEPARTMENT
from toolkit.operations.source import Source

PERIOD = "2026-10"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return sample_source(tmp_path_factory)


@pytest.fixture(scope="module")
def consolidated(sample, tmp_path_factory):
    """The sample consolidated for PERIOD (one process) into ``s.db`` and ``c.xlsx`` of a folder, once for the
    tests that only read the result: (the result, the folder). A test that writes copies what it changes."""
    out = tmp_path_factory.mktemp("consolidated")
    return consolidate(Source([sample], db=out / "s.db"), PERIOD, output=out / "c.xlsx", jobs=1), out


def _values(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def _edit(src: Path, dest: Path, department: str, bad_amount: bool = False) -> Path:
    """A copy of a department workbook claiming ``department``; ``bad_amount`` puts text in an Amount cell."""
    wb = openpyxl.load_workbook(src)
    info = wb["Info"] if "Info" in wb.sheetnames else wb["信息"]
    for row in info.iter_rows(min_row=1):
        if str(row[0].value).strip() in DEPARTMENT.info[0].label.all():
            row[1].value = department
    if bad_amount:
        contracts = DEPARTMENT.table("Contracts")
        ws = next(wb[s] for s in contracts.sheet.all() if s in wb.sheetnames)
        header = [c.value for c in ws[1]]
        col = next(i for i, h in enumerate(header) if h in contracts.column("amount").label.all())
        ws.cell(row=2, column=col + 1).value = "lots"
    wb.save(dest)
    return dest


def test_twice_gives_identical_store_and_workbook_and_sources_untouched(sample, tmp_path):
    before = {p: (sha256(p), p.stat().st_mtime_ns) for p in sample.glob("*.xlsx")}
    db = tmp_path / "s.db"
    first = consolidate(Source([sample], db=db), PERIOD, output=tmp_path / "a.xlsx", jobs=2)
    state1 = dump(db, skip_columns=("started_at", "finished_at", "created_at", "applied_at"))
    second = consolidate(Source([sample], db=db), PERIOD, output=tmp_path / "b.xlsx", jobs=1)
    state2 = dump(db, skip_columns=("started_at", "finished_at", "created_at", "applied_at"))
    assert {p: (sha256(p), p.stat().st_mtime_ns) for p in sample.glob("*.xlsx")} == before
    assert [f.status for f in second.files if f.ok] == ["unchanged"] * len(first.consolidated)
    assert [f.snapshot_id for f in second.files] == [f.snapshot_id for f in first.files]
    # snapshot data identical; only the audit tables (runs, sources) grew by the second run
    for table, rows in state1.items():
        if table not in ("runs", "sources"):
            assert state2[table] == rows, table
    assert len(state2["runs"]) == 2 and len(state2["sources"]) == 2 * len(state1["sources"])
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_consolidated_sheets_hold_the_sum_of_the_department_rows(consolidated):
    res, tmp_path = consolidated
    assert res.consolidated
    values = _values(tmp_path / "c.xlsx")
    books = [read_workbook(f.path) for f in res.consolidated]  # each department read once
    for table in DEPARTMENT.tables:
        expected = sum(len(book.tables[table.key]) for book in books)
        rows = values[table.sheet("en")]
        assert rows[0][:2] == ("Department", "Source")
        assert rows[0][2:] == tuple(c.header("en") for c in table.columns)
        assert len(rows) - 1 == expected, table.key
        depts = {r[0] for r in rows[1:]}
        assert depts <= {f.department for f in res.consolidated}
    summary = values["Summary"]
    assert summary[0][:6] == ("Department", "File", "Status", "Reason", "Errors", "Warnings")
    assert len([r for r in summary[1:] if r[1] in {f.path for f in res.files}]) == len(res.files)
    wb = openpyxl.load_workbook(tmp_path / "c.xlsx")
    contracts = wb["Contracts"]
    assert contracts.tables["Contracts"].ref == f"A1:M{contracts.max_row}"


def test_messy_folder_consolidates_the_good_ones_and_lists_the_rest(sample, tmp_path):
    folder = copy_sample(sample, tmp_path / "in")
    depts = department_files(folder)
    (folder / f"~${depts[0].name}").write_bytes(b"lock")
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 this is not really a workbook")
    (folder / "notes.txt").write_text("not a workbook")
    (folder / ".hidden.xlsx").write_bytes(b"")
    _edit(depts[0], folder / "zz-bad.xlsx", "Bad Department", bad_amount=True)
    outside = tmp_path / "elsewhere"  # issue 22: links are listed, never followed silently nor dropped silently
    outside.mkdir()
    _edit(depts[0], outside / "other.xlsx", "Other Department")
    (folder / "link-out.xlsx").symlink_to(outside / "other.xlsx")
    (folder / "dangling.xlsx").symlink_to(tmp_path / "gone.xlsx")
    hashes = {p.name: sha256(p) for p in folder.iterdir() if p.exists()}
    result = CliRunner().invoke(cli, ["consolidate", str(folder), "--period", PERIOD, "--db", str(tmp_path / "s.db"),
                                      "-o", str(tmp_path / "c.xlsx"), "--format", "json", "--jobs", "2"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    by_name = {Path(f["path"]).name: f for f in report["files"]}
    assert by_name["broken.xlsx"]["status"] == "unreadable" and by_name["broken.xlsx"]["reason"]
    assert by_name["zz-bad.xlsx"]["status"] == "rejected" and by_name["zz-bad.xlsx"]["errors"] >= 1
    assert any(x["code"] == "type-error" for x in by_name["zz-bad.xlsx"]["findings"])
    skipped = {Path(s["path"]).name: s["reason"] for s in report["skipped"]}
    assert skipped[f"~${depts[0].name}"] == "lock"
    assert skipped["notes.txt"] == "not-spreadsheet" and skipped[".hidden.xlsx"] == "hidden"
    assert skipped["link-out.xlsx"] == "link" and skipped["dangling.xlsx"] == "link-dangling"
    assert "other.xlsx" not in {Path(f["path"]).name for f in report["files"]}
    good = [f for f in report["files"] if f["status"] == "loaded"]
    clean = [p for p in depts if not any(x.severity == "error" for x in _validate(p, folder))]
    assert {Path(f["path"]).name for f in good} == {p.name for p in clean}
    assert {p.name: sha256(p) for p in folder.iterdir() if p.exists()} == hashes
    summary = {r[1]: r for r in _values(tmp_path / "c.xlsx")["Summary"][1:] if r[1]}
    assert summary[str(folder / "broken.xlsx")][2] == "unreadable"
    assert summary[str(folder / "zz-bad.xlsx")][2] == "rejected"
    findings = _values(tmp_path / "c.xlsx")["Findings"]
    assert any(r[1] == str(folder / "zz-bad.xlsx") and r[3] == "type-error" for r in findings[1:])


def _validate(path: Path, folder: Path):
    from toolkit.operations.validate import validate_file

    std = read_workbook(folder / "standards.xlsx", kind="standards")
    return validate_file(path, standards=std, period=PERIOD).findings


def test_duplicate_department_and_same_file_twice_are_reported(sample, tmp_path):
    folder = copy_sample(sample, tmp_path / "in")
    res0 = consolidate(Source([folder], db=tmp_path / "probe.db"), PERIOD, jobs=1)
    good = res0.consolidated[0]
    shutil.copy2(good.path, folder / "zz-copy.xlsx")
    _edit(Path(good.path), folder / "zz-same-dept.xlsx", good.department)
    res = consolidate(Source([folder], db=tmp_path / "s.db"), PERIOD, output=tmp_path / "c.xlsx", jobs=1)
    by_name = {Path(f.path).name: f for f in res.files}
    assert by_name["zz-copy.xlsx"].status == "duplicate" and Path(good.path).name in by_name["zz-copy.xlsx"].reason
    assert by_name["zz-same-dept.xlsx"].status == "duplicate"
    assert good.department in by_name["zz-same-dept.xlsx"].reason
    assert by_name[Path(good.path).name].status == "loaded"
    assert res.exit_code == 1


def test_strict_rejects_warnings_and_changed_file_replaces_snapshot(sample, tmp_path):
    folder = copy_sample(sample, tmp_path / "in")
    db = tmp_path / "s.db"
    loose = consolidate(Source([folder], db=db), PERIOD, jobs=1)
    warned = [f for f in loose.consolidated if f.warnings]
    strict = consolidate(Source([folder], db=tmp_path / "strict.db"), PERIOD, jobs=1, strict=True)
    assert {Path(f.path).name for f in strict.failed} >= {Path(f.path).name for f in warned}
    assert all(f.reason and "--strict" in f.reason for f in strict.files if f in strict.failed and f.errors == 0)
    # a department sends a corrected file: its snapshot is replaced, the old one stays in history
    target = Path(loose.consolidated[0].path)
    _edit(target, target, loose.consolidated[0].department)  # re-saved: new bytes, same department
    again = consolidate(Source([folder], db=db), PERIOD, jobs=1)
    changed = next(f for f in again.files if f.path == str(target))
    assert changed.status == "loaded" and changed.snapshot_id != loose.consolidated[0].snapshot_id
    from toolkit.store import open_store

    with open_store(db) as store:
        hist = store.history(loose.consolidated[0].department, PERIOD)
        assert [s.is_current for s in hist] == [False, True]
        assert store.load_snapshot(hist[0].id).tables["Contracts"].shape[0] > 0


def test_sheets_past_the_row_limit_continue_on_numbered_sheets(sample, tmp_path):
    res = consolidate(Source([sample], db=tmp_path / "s.db"), PERIOD, output=tmp_path / "c.xlsx", jobs=1, max_rows=100)
    total = sum(f.rows["Contracts"] for f in res.consolidated)
    parts = [p for p in res.sheets if p.table == "Contracts"]
    assert len(parts) == -(-total // 100) > 1
    assert [p.sheet for p in parts[:2]] == ["Contracts", "Contracts (2)"]
    values = _values(tmp_path / "c.xlsx")
    assert sum(len(values[p.sheet]) - 1 for p in parts) == total
    assert all(len(values[p.sheet]) - 1 <= 100 for p in parts)
    notes = [r for r in values["Summary"] if r[0] == "Contracts" and r[3]]
    assert notes and "part 1 of" in notes[0][3]


def test_worker_rendering_splits_parts_exactly_as_in_process(sample, tmp_path):
    # rows rendered by worker processes, with parts ending inside a department, give the same file
    one = consolidate(Source([sample], db=tmp_path / "a.db"), PERIOD, output=tmp_path / "a.xlsx", jobs=1, max_rows=37)
    two = consolidate(Source([sample], db=tmp_path / "b.db"), PERIOD, output=tmp_path / "b.xlsx", jobs=2, max_rows=37)
    assert [(p.sheet, p.rows) for p in one.sheets] == [(p.sheet, p.rows) for p in two.sheets]
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    values = _values(tmp_path / "b.xlsx")
    parts = [p for p in two.sheets if p.table == "Expenses"]
    assert len(parts) > 2
    stacked = [r for p in parts for r in values[p.sheet][1:]]
    first = two.consolidated[0]
    expected = read_workbook(first.path).tables["Expenses"]
    mine = [r for r in stacked if r[1] == first.path]
    assert len(mine) == len(expected)
    header = values[parts[0].sheet][0]
    for key in ("employee_id", "amount", "description"):
        col = header.index(DEPARTMENT.table("Expenses").column(key).header("en"))
        got = [r[col] for r in mine]
        want = [None if pd.isna(v) else v for v in expected[key].tolist()]
        assert got == want, key


def test_consolidated_workbook_opens_in_libreoffice(consolidated, tmp_path):
    soffice = need("soffice")
    res, made = consolidated  # the file jobs=2 writes is this one, byte for byte (the first test above)
    shutil.copyfile(made / "c.xlsx", tmp_path / "c.xlsx")
    out = tmp_path / "csv"
    # sheet 4 is Contracts (Summary, Plan, Budget, Contracts …); LibreOffice names the file after it
    subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,4",
         "--outdir", str(out), str(tmp_path / "c.xlsx")],
        check=True, capture_output=True, timeout=900,
    )
    with open(next(out.glob("*.csv")), encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:4] == ["Department", "Source", "Contract No", "Sign Date"]
    assert len(rows) - 1 == sum(f.rows["Contracts"] for f in res.consolidated)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", rows[1][3])  # a date, shown in the column's date format
    amount = rows[0].index("Amount")
    assert re.fullmatch(r"-?[\d,]+\.\d\d", rows[1][amount])  # money format #,##0.00


def test_failed_write_leaves_the_previous_workbook(sample, consolidated, tmp_path, monkeypatch):
    out = tmp_path / "c.xlsx"
    for made in (consolidated[1] / "c.xlsx", *consolidated[1].glob("s.db*")):  # the previous run's workbook, store
        shutil.copyfile(made, tmp_path / made.name)
    before = out.read_bytes()
    import toolkit.io.consolidated as C

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(C, "_rows", boom)
    with pytest.raises(RuntimeError):
        consolidate(Source([sample], db=tmp_path / "s.db"), PERIOD, output=out, jobs=1)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if "c.xlsx" in p.name) == ["c.xlsx"]


@pytest.mark.parametrize("args, text", [
    (["--period", "2026-13"], "YYYY-MM"),
    (["--period", "2026-10", "--jobs", "0"], "--jobs"),
])
def test_usage_errors_exit_2(sample, tmp_path, args, text):
    result = CliRunner().invoke(cli, ["consolidate", str(sample), "--db", str(tmp_path / "s.db"),
                                      "-o", str(tmp_path / "c.xlsx"), *args])
    assert result.exit_code == 2 and text in result.output
    assert not (tmp_path / "c.xlsx").exists()


def test_folder_without_departments_exits_2(tmp_path):
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(cli, ["consolidate", str(tmp_path / "empty"), "--period", PERIOD,
                                      "--db", str(tmp_path / "s.db")])
    assert result.exit_code == 2 and "No department workbooks" in result.output


def test_text_output_and_plain_progress_lines(sample, tmp_path):
    result = CliRunner().invoke(cli, ["consolidate", str(sample), "--period", PERIOD, "--db", str(tmp_path / "s.db"),
                                      "-o", str(tmp_path / "c.xlsx"), "--jobs", "1"])
    assert result.exit_code in (0, 1)
    n = len(department_files(sample))
    assert f"[{n}/{n}]" in result.stderr
    assert "Consolidated workbook:" in result.stdout and str(tmp_path / "c.xlsx") in result.stdout


def test_chinese_workbook_uses_chinese_sheet_names_and_headers(sample, tmp_path):
    res = consolidate(Source([sample], db=tmp_path / "s.db"), PERIOD, output=tmp_path / "c.xlsx", jobs=1, lang="zh")
    values = _values(tmp_path / "c.xlsx")
    contracts = DEPARTMENT.table("Contracts")
    assert list(values)[0] == "汇总" and list(values)[-1] == "问题"
    assert values[contracts.sheet("zh")][0][:3] == ("部门", "来源", contracts.columns[0].header("zh"))
    assert len(values[contracts.sheet("zh")]) - 1 == sum(f.rows["Contracts"] for f in res.consolidated)


def test_unreadable_standards_is_a_usage_error(sample, tmp_path):
    bad = tmp_path / "standards.xlsx"
    bad.write_bytes(b"not a workbook at all")
    result = CliRunner().invoke(cli, ["consolidate", str(sample), "--period", PERIOD, "--standards", str(bad),
                                      "--db", str(tmp_path / "s.db"), "-o", str(tmp_path / "c.xlsx")])
    assert result.exit_code == 2 and "standards workbook" in result.output and str(bad) in result.output
    assert not (tmp_path / "c.xlsx").exists()


def test_contract_in_two_departments_is_a_warning_on_the_later_file(sample, tmp_path):
    folder = copy_sample(sample, tmp_path / "in")
    east = read_workbook(folder / "dept-east.xlsx").tables["Contracts"]
    shared = str(east["contract_no"].iloc[3])
    west_data = read_workbook(folder / "dept-west.xlsx")
    wc = west_data.tables["Contracts"]
    free = wc[~wc["contract_no"].isin(west_data.tables["Collections"]["contract_no"])]  # renaming breaks nothing
    row = int(free["_row"].iloc[0])
    letter = west_data.layout["Contracts"].columns["contract_no"][0]
    wb = openpyxl.load_workbook(folder / "dept-west.xlsx")
    ws = wb[west_data.layout["Contracts"].sheet]
    ws[f"{letter}{row}"] = f"  {shared.lower()} "  # the same number, other case and spaces
    wb.save(folder / "dept-west.xlsx")
    res = consolidate(Source([folder], db=tmp_path / "s.db"), PERIOD, output=tmp_path / "c.xlsx", jobs=2)
    west = next(f for f in res.files if f.path.endswith("dept-west.xlsx"))
    found = [x for x in west.findings if x.code == "contract-in-two-departments"]
    assert west.status == "loaded" and len(found) == 1
    f = found[0]
    assert (f.sheet, f.cell, f.row, f.severity) == (ws.title, f"{letter}{row}", row, "warning")
    east_row = int(east["_row"].iloc[3])
    assert f.message("en").endswith(f"({folder / 'dept-east.xlsx'}, row {east_row}); a contract counted in two "
                                    "departments is paid and reported twice.")
    assert "重复计提成" in f.message("zh")
    assert not [x for f2 in res.files if not f2.path.endswith("dept-west.xlsx") for x in f2.findings
                if x.code == "contract-in-two-departments"]
    values = _values(tmp_path / "c.xlsx")
    assert any(r[3] == "contract-in-two-departments" and r[5] == f"{letter}{row}" for r in values["Findings"][1:])
    summary = next(r for r in values["Summary"][1:] if r[1] == west.path)
    assert summary[5] == west.warnings
    again = consolidate(Source([folder], db=tmp_path / "s.db"), PERIOD, jobs=1)  # unchanged files are checked too
    assert [x.cell for f2 in again.files for x in f2.findings
            if x.code == "contract-in-two-departments"] == [f"{letter}{row}"]
