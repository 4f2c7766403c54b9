"""The ribbon macros, run headless through ``toolkit macro`` (file port over a copy) on the sample workbooks.

Each test asserts what a user would see in Excel: cells coloured, notes, sheets written, approvals
stamped, refusals, result workbooks; and that the original workbook is byte-for-byte untouched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from toolkit.cli.main import cli
from toolkit.excel import macros
from toolkit.excel.port import parse_selection, selected_rows
from toolkit.io.annotate import FILLS
from toolkit.io.reader import read_workbook
from toolkit.operations.validate import validate_file

RED, AMBER = FILLS["error"], FILLS["warning"]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """No settings from the machine: no env settings, an empty home (user conf file)."""
    for key in ("TOOLKIT_STANDARDS", "TOOLKIT_APPROVER", "TOOLKIT_LANG", "TOOLKIT_DB"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "home"))


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def run(*args: str, lang: str | None = None):
    pre = ["--lang", lang] if lang else []
    return CliRunner().invoke(cli, [*pre, "macro", *map(str, args)])


def fill(cell) -> str | None:
    f = cell.fill
    return f.fgColor.rgb[-6:] if f is not None and f.fill_type == "solid" else None


def note(cell) -> str | None:
    return cell.comment.text if cell.comment is not None else None


# --------------------------------------------------------------------------- validate


def test_validate_marks_findings_in_place_and_lists_them(sample_dir, tmp_path):
    book, std = sample_dir / "dept-north.xlsx", sample_dir / "standards.xlsx"
    before = sha(book)
    out = tmp_path / "north.xlsx"
    res = run("validate", "--book", book, "--out", out, "--standards", std)
    assert res.exit_code == 0, res.output
    assert sha(book) == before
    expected = validate_file(book, read_workbook(std, "standards")).findings
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "Validation" and wb.active.title == "Validation"
    assert wb[macros.MARKS_SHEET].sheet_state == "hidden"
    for f in expected:
        cell = wb[f.sheet][f.cell]
        assert f"[{f.code}]" in note(cell), (f.sheet, f.cell)
        worst = [g.severity for g in expected if (g.sheet, g.cell) == (f.sheet, f.cell)]
        assert fill(cell) == (RED if "error" in worst else AMBER)
    # spot checks from the sample's list of deliberate problems
    assert fill(wb["Contracts"]["H153"]) == RED and "187,4OO.OO" in note(wb["Contracts"]["H153"])
    assert fill(wb["Forecast"]["C2"]) == RED
    orig = openpyxl.load_workbook(book)
    assert note(wb["Contracts"]["H152"]) is None
    assert fill(wb["Contracts"]["H152"]) == fill(orig["Contracts"]["H152"])  # unflagged cells keep their style
    ws = wb["Validation"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(expected)
    assert {(r[2], r[3], r[1]) for r in rows} == {(f.sheet, f.cell, f.code) for f in expected}
    links = {ws.cell(r, 4).value: ws.cell(r, 4).hyperlink.location for r in range(2, ws.max_row + 1)}
    assert links["H153"] == "'Contracts'!H153"
    assert "10 error(s)" in res.output


def test_second_validate_clears_earlier_marks_and_restores_cells(sample_dir, tmp_path):
    std = sample_dir / "standards.xlsx"
    start = tmp_path / "start.xlsx"
    wb = openpyxl.load_workbook(sample_dir / "dept-north.xlsx")
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    wb["Contracts"]["H153"].comment = Comment("checked with sales", "me")
    wb["Expenses"]["C377"].fill = PatternFill("solid", fgColor="00B0F0")
    wb.save(start)

    first = tmp_path / "first.xlsx"
    assert run("validate", "--book", start, "--out", first, "--standards", std).exit_code == 0
    wb = openpyxl.load_workbook(first)
    assert note(wb["Contracts"]["H153"]).startswith("checked with sales\n---\n[type-error]")
    assert fill(wb["Expenses"]["C377"]) == RED
    # the user fixes two problems, then validates again
    wb["Contracts"]["H153"].value = 187400.0
    wb["Expenses"]["C377"].value = "E2001"
    fixed = tmp_path / "fixed.xlsx"
    wb.save(fixed)
    second = tmp_path / "second.xlsx"
    res = run("validate", "--book", fixed, "--out", second, "--standards", std)
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(second)
    assert wb.sheetnames.count("Validation") == 1 and wb.sheetnames.count(macros.MARKS_SHEET) == 1
    orig = openpyxl.load_workbook(sample_dir / "dept-north.xlsx")
    assert note(wb["Contracts"]["H153"]) == "checked with sales"  # the user's note is back, ours gone
    assert fill(wb["Contracts"]["H153"]) == fill(orig["Contracts"]["H153"])  # the template's input colour
    assert fill(wb["Expenses"]["C377"]) == "00B0F0" and note(wb["Expenses"]["C377"]) is None
    still = wb["Plan"]["O11"]  # not fixed: marked once, not twice
    assert fill(still) == RED and note(still).count("[plan-annual-mismatch]") == 1
    cells = {(r[2], r[3]) for r in wb["Validation"].iter_rows(min_row=2, values_only=True)}
    assert ("Contracts", "H153") not in cells and ("Plan", "O11") in cells


def test_validate_clean_workbook_in_chinese(sample_dir, tmp_path):
    out = tmp_path / "south.xlsx"
    res = run("validate", "--book", sample_dir / "dept-south.xlsx", "--out", out,
              "--standards", sample_dir / "standards.xlsx", lang="zh")
    assert res.exit_code == 0 and "0 个错误" in res.output
    ws = openpyxl.load_workbook(out)["Validation"]
    assert ws["A1"].value == "严重程度"
    assert {r[0] for r in ws.iter_rows(min_row=2, values_only=True)} == {"警告"}  # advance-overdue only


# --------------------------------------------------------------------------- approvals


def test_approve_stamps_clean_rows_and_refuses_rows_with_errors(sample_dir, tmp_path):
    book = sample_dir / "dept-north.xlsx"
    before = sha(book)
    out = tmp_path / "ap.xlsx"
    res = run("approve_selection", "--book", book, "--out", out, "--standards", sample_dir / "standards.xlsx",
              "--selection", "Expenses!B370:D380", "--answer", "approver=Zhao Director")
    assert res.exit_code == 0, res.output
    assert sha(book) == before
    today = dt.date.today().isoformat()
    orig = openpyxl.load_workbook(book)["Expenses"]
    ws = openpyxl.load_workbook(out)["Expenses"]
    assert [c.value for c in ws[1]][9:11] == ["Approval", "Approver"]
    for r in range(370, 381):
        if r in (377, 378, 379):  # unknown employee, over the policy limit, receipt missing (errors)
            assert ws.cell(r, 10).value == orig.cell(r, 10).value and note(ws.cell(r, 10)) is None
        else:
            assert ws.cell(r, 10).value == "Approved" and ws.cell(r, 11).value == "Zhao Director"
            assert note(ws.cell(r, 10)) == f"Approved by Zhao Director on {today}"
    assert ws.cell(369, 10).value == orig.cell(369, 10).value  # outside the selection
    assert "Refused 3 row(s)" in res.output and "C377" in res.output and "G378" in res.output
    assert "Approved: 8 row(s)" in res.output


def test_reject_in_a_chinese_workbook_uses_its_labels(sample_dir, tmp_path):
    out = tmp_path / "rj.xlsx"
    res = run("reject_selection", "--book", sample_dir / "dept-south.xlsx", "--out", out,
              "--selection", "休假!A3:A4", "--answer", "approver=王总", "--answer", "reason=与展会冲突")
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(out)["休假"]
    header = [c.value for c in ws[1]]
    col = header.index("审批") + 1
    for r in (3, 4):
        assert ws.cell(r, col).value == "已驳回"
        assert note(ws.cell(r, col)) == f"王总 于 {dt.date.today().isoformat()} 已驳回: 与展会冲突"
    assert ws.cell(5, col).value != "已驳回"


def test_reject_needs_a_reason_but_not_a_clean_row(sample_dir, tmp_path):
    """Rows with error findings can be rejected (with a reason); without a reason nothing is rejected."""
    book, std = sample_dir / "dept-north.xlsx", sample_dir / "standards.xlsx"
    args = ["reject_selection", "--book", book, "--standards", std, "--selection", "Expenses!B377:D379",
            "--answer", "approver=Zhao"]
    out = tmp_path / "rj.xlsx"
    res = run(*args, "--out", out, "--answer", "reason=over the limit, no receipt")
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(out)["Expenses"]
    assert [ws.cell(r, 10).value for r in (377, 378, 379)] == ["Rejected"] * 3  # error rows: still rejectable
    assert note(ws["J378"]).endswith(": over the limit, no receipt")
    res = run(*args, "--out", tmp_path / "none.xlsx")
    assert "Refused 3 row(s)" in res.output and "needs a reason" in res.output


def test_approve_on_advances_notes_the_slip(sample_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_APPROVER", "Director Li")
    out = tmp_path / "adv.xlsx"
    res = run("approve_selection", "--book", sample_dir / "dept-east.xlsx", "--out", out,
              "--selection", "Advances!C2")
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(out)["Advances"]
    assert [c.value for c in ws[1]][7] == "Approval"  # loan slips gained an Approval column
    assert ws["H2"].value == "Approved"
    assert note(ws["H2"]) == f"Approved by Director Li on {dt.date.today().isoformat()}"
    assert note(ws["H3"]) is None


@pytest.mark.parametrize("selection, message", [
    ("Contracts!A2:A3", "is not the Expenses, Advances or Leave sheet"),
    ("Expenses!A1", "holds no rows"),
    (None, "Select rows"),
])
def test_approve_refuses_bad_selections(sample_dir, tmp_path, selection, message):
    args = ["approve_selection", "--book", sample_dir / "dept-east.xlsx", "--out", tmp_path / "x.xlsx",
            "--answer", "approver=X"]
    res = run(*args, *(["--selection", selection] if selection else []))
    assert res.exit_code == 2 and message in res.output


def test_approve_without_a_name_stops(sample_dir, tmp_path):
    res = run("approve_selection", "--book", sample_dir / "dept-east.xlsx", "--out", tmp_path / "x.xlsx",
              "--selection", "Expenses!A2")
    assert res.exit_code == 2 and "No approver name" in res.output


# --------------------------------------------------------------------------- computations


@pytest.mark.parametrize("name", ["royalties", "completion", "funds"])
def test_compute_macros_write_the_cli_workbook(sample_dir, tmp_path, name):
    book, std = sample_dir / "dept-east.xlsx", sample_dir / "standards.xlsx"
    res = run(name, "--book", book, "--out", tmp_path / "east.xlsx", "--standards", std)
    assert res.exit_code == 0, res.output
    made = tmp_path / f"east-{name}-2026-10.xlsx"
    assert made.exists() and f"Opened: {made}" in res.output
    cli_out = tmp_path / f"cli-{name}.xlsx"
    done = CliRunner().invoke(cli, [name, str(book), "--standards", str(std), "--period", "2026-10",
                                    "--format", "xlsx", "-o", str(cli_out)])
    assert done.exit_code == 0, done.output
    a, b = openpyxl.load_workbook(made), openpyxl.load_workbook(cli_out)
    assert a.sheetnames == b.sheetnames
    first = a.sheetnames[0]
    rows_a = list(a[first].iter_rows(values_only=True))
    assert rows_a == list(b[first].iter_rows(values_only=True)) and len(rows_a) > 2


def test_compute_refuses_a_workbook_with_errors_unless_told(sample_dir, tmp_path):
    book, std = sample_dir / "dept-north.xlsx", sample_dir / "standards.xlsx"
    res = run("royalties", "--book", book, "--out", tmp_path / "n.xlsx", "--standards", std)
    assert res.exit_code == 2 and "10 error finding(s)" in res.output and "Contracts!H153" in res.output
    assert not (tmp_path / "n-royalties-2026-10.xlsx").exists()
    res = run("royalties", "--book", book, "--out", tmp_path / "n.xlsx", "--standards", std, "--answer", "force=yes")
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(tmp_path / "n-royalties-2026-10.xlsx")
    assert wb.sheetnames[0] == "Royalties" and "Findings" in wb.sheetnames


def test_compute_needs_standards_and_a_period(sample_dir, tmp_path):
    res = run("completion", "--book", sample_dir / "dept-east.xlsx", "--out", tmp_path / "e.xlsx")
    assert res.exit_code == 2 and "No standards workbook" in res.output
    blank = tmp_path / "blank.xlsx"
    assert run("new_template", "--book", sample_dir / "dept-east.xlsx", "--out", tmp_path / "t.xlsx",
               "--answer", f"path={blank}").exit_code == 0
    res = run("funds", "--book", blank, "--out", tmp_path / "b.xlsx", "--standards", sample_dir / "standards.xlsx")
    assert res.exit_code == 2 and "No period" in res.output
    res = run("funds", "--book", blank, "--out", tmp_path / "b.xlsx", "--standards", sample_dir / "standards.xlsx",
              "--answer", "period=2026-13")
    assert res.exit_code == 2 and "2026-13" in res.output


# --------------------------------------------------------------------------- report, consolidation, templates


def test_monthly_report_renders_next_to_the_workbook(sample_dir, tmp_path):
    res = run("monthly_report", "--book", sample_dir / "dept-east.xlsx", "--out", tmp_path / "east.xlsx",
              "--standards", sample_dir / "standards.xlsx")
    assert res.exit_code == 0, res.output
    for ext in ("xlsx", "html", "md"):
        assert (tmp_path / f"monthly-report-2026-10.{ext}").stat().st_size > 0
    assert f"Opened: {tmp_path / 'monthly-report-2026-10.xlsx'}" in res.output
    assert openpyxl.load_workbook(tmp_path / "monthly-report-2026-10.xlsx").sheetnames


def test_consolidate_folder_writes_and_opens_the_consolidated_workbook(sample_dir, tmp_path):
    folder = tmp_path / "month"
    shutil.copytree(sample_dir, folder, ignore=shutil.ignore_patterns("*.md"))
    res = run("consolidate_folder", "--book", folder / "dept-east.xlsx", "--out", tmp_path / "e.xlsx",
              "--answer", f"folder={folder}")
    assert res.exit_code == 0, res.output
    made = folder / "consolidated" / "consolidated-2026-10.xlsx"
    assert made.exists() and f"Opened: {made}" in res.output
    assert "3 of 4" in res.output and "dept-north.xlsx" in res.output  # north has errors: not consolidated
    res = run("consolidate_folder", "--book", folder / "dept-east.xlsx", "--out", tmp_path / "e.xlsx",
              "--answer", f"folder={tmp_path / 'nowhere'}")
    assert res.exit_code == 2 and "is not a folder" in res.output


@pytest.mark.parametrize("kind, lang, sheet", [("department", "en", "Expenses"), ("standards", "zh", "人员名册")])
def test_new_template_creates_a_readable_blank_workbook(sample_dir, tmp_path, kind, lang, sheet):
    res = run("new_template", "--book", sample_dir / "dept-east.xlsx", "--out", tmp_path / "e.xlsx",
              "--answer", f"kind={kind}", lang=lang)
    assert res.exit_code == 0, res.output
    made = tmp_path / f"{kind}-template-{lang}.xlsx"
    assert made.exists() and str(made) in res.output
    data = read_workbook(made)
    assert data.kind == kind and data.lang == lang
    assert sheet in openpyxl.load_workbook(made).sheetnames
    again = run("new_template", "--book", sample_dir / "dept-east.xlsx", "--out", tmp_path / "e.xlsx",
                "--answer", f"kind={kind}", lang=lang)
    assert (tmp_path / f"{kind}-template-{lang} (2).xlsx").exists() and again.exit_code == 0
    bad = run("new_template", "--book", sample_dir / "dept-east.xlsx", "--out", tmp_path / "e.xlsx",
              "--answer", "kind=budget")
    assert bad.exit_code == 2 and "budget" in bad.output


# --------------------------------------------------------------------------- the command itself


def test_macro_command_never_writes_the_original(sample_dir, tmp_path):
    book = tmp_path / "book.xlsx"
    shutil.copyfile(sample_dir / "dept-east.xlsx", book)
    res = run("validate", "--book", book, "--out", book)
    assert res.exit_code == 2 and "must not be the workbook itself" in res.output
    res = run("validate", "--book", book)
    assert res.exit_code == 0, res.output
    assert (tmp_path / "book-validate.xlsx").exists() and sha(book) == sha(sample_dir / "dept-east.xlsx")
    assert run("validate", "--book", book, "--answer", "oops").exit_code == 2
    bad = run("approve_selection", "--book", book, "--selection", "A2:A5")
    assert bad.exit_code == 2 and "Sheet!A2:A5" in bad.output


def test_selection_addresses():
    assert parse_selection("'My ''Sheet'''!A2:B3") == ("My 'Sheet'", "A2:B3")
    assert selected_rows("$A$2:$C$4,B9") == [2, 3, 4, 9]
    assert selected_rows("3:5") == [3, 4, 5]
    assert selected_rows("A:A", last_row=4) == [1, 2, 3, 4]
    with pytest.raises(ValueError):
        selected_rows("A2:??")
    with pytest.raises(ValueError):
        parse_selection("A2")


def test_unmerge_note_takes_out_only_what_validate_added():
    assert macros.unmerge_note("[x] bad", "[x] bad") is None
    assert macros.unmerge_note("mine\n---\n[x] bad", "[x] bad") == "mine"
    assert macros.unmerge_note("[x] bad\n---\nApproved by A on 2026-11-01", "[x] bad") == "Approved by A on 2026-11-01"
    assert macros.unmerge_note("rewritten by the user", "[x] bad") == "rewritten by the user"
