"""``toolkit validate`` and the library behind it: folders, unreadable files, JSON report, exit codes."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from click.testing import CliRunner

import validation_factory as F
from toolkit.cli.main import cli
from toolkit.io.discover import discover_workbooks
from toolkit.operations.validate import build_report, exit_code, validate_file, validate_paths
from toolkit.operations.source import Source


def _folder(tmp_path: Path, broken: bool = True, with_standards: bool = True) -> Path:
    folder = tmp_path / "in"
    folder.mkdir(parents=True)
    rows = F.fresh()
    if broken:
        rows["Contracts"][0]["status"] = "Ongoing"  # one error
        rows["Expenses"][1]["date"] = F.D(2026, 3, 7)  # one warning
    F.write_book(folder / "east.xlsx", "department", rows, F.info_rows())
    if with_standards:
        F.write_book(folder / "standards.xlsx", "standards", F.standards_rows(), {"template_version": "1.0"})
    return folder


def _add_unreadable(folder: Path) -> None:
    with zipfile.ZipFile(folder / "corrupt.xlsx", "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    (folder / "notes.xlsx").write_text("a text file renamed .xlsx\n")
    # An encrypted workbook is an OLE compound file, not a zip.
    (folder / "secret.xlsx").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504)
    (folder / "~$east.xlsx").write_bytes(b"lock")
    (folder / ".hidden.xlsx").write_bytes(b"hidden")
    (folder / "readme.txt").write_text("ignored")


def run(*args: str):
    return CliRunner().invoke(cli, ["validate", *args], catch_exceptions=False)


def test_discovery_skips_lock_hidden_and_other_files(tmp_path):
    folder = _folder(tmp_path)
    _add_unreadable(folder)
    names = [p.name for p in discover_workbooks([folder])]
    assert names == ["corrupt.xlsx", "east.xlsx", "notes.xlsx", "secret.xlsx", "standards.xlsx"]
    # A file named explicitly is kept, whatever it is; duplicates are dropped.
    assert [p.name for p in discover_workbooks([folder / "readme.txt", folder, folder / "east.xlsx"])][:2] == [
        "readme.txt", "corrupt.xlsx"]
    assert len(discover_workbooks([folder, folder])) == 5


def test_unreadable_files_are_reported_and_the_rest_validated(tmp_path):
    folder = _folder(tmp_path)
    _add_unreadable(folder)
    result = run(str(folder), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    status = {Path(f["path"]).name: f["status"] for f in report["files"]}
    assert status == {"corrupt.xlsx": "unreadable", "east.xlsx": "invalid", "notes.xlsx": "unreadable",
                      "secret.xlsx": "unreadable", "standards.xlsx": "valid"}
    for f in report["files"]:
        if f["status"] == "unreadable":
            assert f["error"] and "\n" not in f["error"] and Path(f["path"]).name in f["error"]
            assert f["issues"] == []
    assert report["summary"] == {"files": 5, "valid": 1, "invalid": 1, "unreadable": 3, "errors": 1, "warnings": 1}
    east = next(f for f in report["files"] if f["path"].endswith("east.xlsx"))
    assert set(east["issues"][0]) == {"code", "severity", "sheet", "cell", "row", "column", "value", "message"}
    assert [(i["code"], i["cell"]) for i in east["issues"]] == [("enum-invalid", "G2"), ("weekend-expense", "B3")]


def test_exit_codes(tmp_path):
    clean = _folder(tmp_path / "a", broken=False)
    assert run(str(clean)).exit_code == 0
    broken = _folder(tmp_path / "b")
    assert run(str(broken)).exit_code == 1
    # Warnings alone do not fail.
    rows = F.fresh()
    rows["Expenses"][1]["date"] = F.D(2026, 3, 7)
    warn = tmp_path / "w.xlsx"
    F.write_book(warn, "department", rows, F.info_rows())
    assert run(str(warn), "--standards", str(clean / "standards.xlsx")).exit_code == 0


def test_nothing_readable_exits_2_and_still_prints_json(tmp_path):
    (tmp_path / "x.xlsx").write_text("nope")
    result = run(str(tmp_path / "x.xlsx"), str(tmp_path / "missing.xlsx"), "--format", "json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["summary"]["unreadable"] == 2 and report["summary"]["files"] == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(str(empty), "--format", "json")
    assert result.exit_code == 2 and json.loads(result.stdout)["summary"]["files"] == 0


def test_usage_errors_exit_2(tmp_path):
    folder = _folder(tmp_path)
    result = run(str(folder), "--period", "2026-13", "--format", "json")
    assert result.exit_code == 2 and "2026-13" in result.stderr
    assert json.loads(result.stdout)["files"] == []
    (tmp_path / "std.xlsx").write_text("junk")
    result = run(str(folder), "--standards", str(tmp_path / "std.xlsx"))
    assert result.exit_code == 2 and "std.xlsx" in result.stderr
    assert run("--format", "json").exit_code == 2  # no PATH


def test_without_standards_a_warning_says_rules_were_skipped(tmp_path):
    folder = _folder(tmp_path, broken=False, with_standards=False)
    result = run(str(folder), "--format", "json")
    assert result.exit_code == 0
    issues = json.loads(result.stdout)["files"][0]["issues"]
    assert [i["code"] for i in issues] == ["standards-missing"]


def test_text_output_in_both_languages(tmp_path):
    folder = _folder(tmp_path)
    en = run(str(folder), "--lang", "en").stdout
    assert "enum-invalid" in en and "Contracts!G2" in en and "1 invalid" in en
    zh = run(str(folder), "--lang", "zh").stdout
    assert "Contracts!G2：“Ongoing”不在可选值中" in zh and "未通过" in zh
    # The group's --lang is the default.
    zh2 = CliRunner().invoke(cli, ["--lang", "zh", "validate", str(folder)]).stdout
    assert "未通过" in zh2
    # Findings are sorted by sheet then row.
    lines = [ln for ln in en.splitlines() if ln.startswith("    ")]
    assert lines[0].split()[1] == "enum-invalid" and lines[1].split()[1] == "weekend-expense"


def test_period_option_overrides_the_info_sheet(tmp_path):
    folder = _folder(tmp_path, broken=False)
    report = json.loads(run(str(folder), "--period", "2026-05", "--format", "json").stdout)
    east = next(f for f in report["files"] if f["path"].endswith("east.xlsx"))
    # By May, the April and May forecasts are not ahead, and advance A001 (due 30 April, unpaid) is overdue.
    assert {(i["code"], i["cell"]) for i in east["issues"]} == {
        ("forecast-not-future", F.cell("Forecast", "month", 0)), ("forecast-not-future", F.cell("Forecast", "month", 1)),
        ("advance-overdue", F.cell("Advances", "due_date", 0))}


def test_library_functions(tmp_path):
    folder = _folder(tmp_path)
    std = F.read_book(folder / "standards.xlsx")
    report = validate_file(folder / "east.xlsx", std)
    assert report.status == "invalid" and report.department == "East" and report.data is not None
    assert [f.code for f in report.findings] == ["enum-invalid", "weekend-expense"]
    bad = validate_file(tmp_path / "nope.xlsx")
    assert bad.status == "unreadable" and bad.error is not None and bad.data is None
    reports = validate_paths(Source([folder]))
    assert exit_code(reports) == 1
    assert build_report(reports, "zh")["files"][0]["issues"][0]["message"].startswith("Contracts!G2：")
