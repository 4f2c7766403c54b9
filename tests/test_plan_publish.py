"""``toolkit plan publish``: the sample's 2027 plan written into the sample's 2026 registers (docs/planning.md)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from toolkit.operations.source import Source
from toolkit.cli.main import cli
from toolkit.excel import plan_macro
from toolkit.excel.file_port import FilePort
from toolkit.errors import ToolkitError
from toolkit.io.xlsx_cells import edit_workbook, replace_rows, sheet_parts
from toolkit.operations import plan as OP
from toolkit.operations.compute import compute
from toolkit.operations.plan_publish import BACKUP_FOLDER, publish_plan
from toolkit.operations.plan_reconcile import reconcile_plans
from toolkit.operations.plan_versions import MARK, approve_plan, compare_plans, compare_totals
from toolkit.operations.validate import read_file, validate_paths
from toolkit.schema import MONTH_KEYS

from test_macros import _isolated  # noqa: F401,E402  (autouse: no settings from the machine)

SAMPLE = Path(__file__).resolve().parents[1] / "workbooks" / "sample"
STANDARDS = SAMPLE / "standards.xlsx"
KEPT = ("Contracts", "Collections", "Expenses", "Advances", "Leave", "Forecast", "Feedback", "Opportunities")


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("plan") / "plan-2027"
    OP.draft_plan(Source([SAMPLE], STANDARDS, force=True), 2027, out_dir=out)
    approve_plan(out, "Li Na")
    return out


@pytest.fixture(scope="module")
def published(plan_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("published")
    return publish_plan(plan_dir, SAMPLE, out_dir=out), out


def _registers() -> list[Path]:
    return sorted(p for p in SAMPLE.glob("dept-*.xlsx"))


def test_published_registers_validate_for_january_with_no_plan_finding(published):
    result, out = published
    assert sorted(d.written.name for d in result.departments) == [p.name for p in _registers()]
    reports = validate_paths(Source([out], STANDARDS), period="2027-01")
    assert len(reports) == 4
    for report in reports:
        assert report.error is None
        assert [f.code for f in report.findings if f.code.startswith("plan-")] == []
    before = {r.path: {f.code for f in r.findings if not f.code.startswith("plan-")}
              for r in validate_paths(Source(_registers(), STANDARDS), period="2027-01")}
    after = {Path(r.path).name: {f.code for f in r.findings} for r in reports}
    for path, codes in before.items():  # the rest is what the old register gives for January
        assert after[Path(path).name] == codes


def test_history_rows_kept_and_plan_replaced(published, plan_dir):
    result, out = published
    plans = {read_file(p).info["department"]: read_file(p) for p in plan_dir.glob("dept-*.xlsx")}
    for src in _registers():
        old, new = read_file(src), read_file(out / src.name)
        assert new.info["year"] == 2027 and new.info["period"] == "2027-01"
        assert new.info["department"] == old.info["department"]
        assert new.info["prepared_by"] == old.info["prepared_by"]
        for kind in KEPT:
            pd.testing.assert_frame_equal(old.tables[kind], new.tables[kind])
        want = plans[old.info["department"]].tables["Plan"].drop(columns="_row").reset_index(drop=True)
        got = new.tables["Plan"].drop(columns="_row").reset_index(drop=True)
        pd.testing.assert_frame_equal(want, got, check_dtype=False)
        # the budget by category too (issue 28): the plan's rows, adding up to the new Expense plan
        budget = plans[old.info["department"]].tables["Budget"].drop(columns="_row").reset_index(drop=True)
        assert len(budget) >= 3 and len(old.tables["Budget"]) >= 3
        pd.testing.assert_frame_equal(budget, new.tables["Budget"].drop(columns="_row").reset_index(drop=True),
                                      check_dtype=False)
        # every other sheet's XML (and the styles) is byte-for-byte the original
        with zipfile.ZipFile(src) as a, zipfile.ZipFile(out / src.name) as b:
            parts = sheet_parts(a)
            for name in a.namelist():
                if name in (parts[old.layout["Plan"].sheet], parts[old.layout["Budget"].sheet],
                            parts[old.info_cells["year"][0]], "xl/tables/table1.xml", "xl/tables/table2.xml"):
                    continue
                assert a.read(name) == b.read(name), name
            table = b.read("xl/tables/table1.xml").decode()
            assert f'ref="A1:O{len(want) + 1}"' in table
            assert "dataValidation" in b.read(parts[old.layout["Plan"].sheet]).decode()


def test_january_close_computes_with_the_new_targets(published, plan_dir):
    _, out = published
    res = compute(Source([out], STANDARDS, force=True), "completion", "2027-01").output.result
    people = res[res["level"] == "employee"].set_index(["key", "indicator"])
    checked = 0
    for p in plan_dir.glob("dept-*.xlsx"):
        for rec in read_file(p).tables["Plan"].to_dict("records"):
            row = people.loc[(rec["employee_id"], rec["indicator"])]
            assert row["month_target"] == pytest.approx(rec["m01"])
            assert row["annual_target"] == pytest.approx(sum(rec[m] for m in MONTH_KEYS))
            checked += 1
    assert checked >= 4 * 20


def test_in_place_keeps_backups_and_refuses_open_files(plan_dir, tmp_path):
    regs = tmp_path / "registers"
    shutil.copytree(SAMPLE, regs)
    originals = {p.name: p.read_bytes() for p in regs.glob("dept-*.xlsx")}
    lock = regs / ".~lock.dept-west.xlsx#"
    lock.write_text("x")
    with pytest.raises(ToolkitError) as err:
        publish_plan(plan_dir, regs, in_place=True)
    assert "dept-west.xlsx" in err.value.message("en") and "锁文件" in err.value.message("zh")
    assert {p.name: p.read_bytes() for p in regs.glob("dept-*.xlsx")} == originals  # nothing written
    lock.unlink()
    result = publish_plan(plan_dir, regs, in_place=True)
    assert len(result.departments) == 4
    for d in result.departments:
        assert d.backup is not None and d.backup.parent == regs / BACKUP_FOLDER
        assert d.backup.read_bytes() == originals[d.written.name]
        assert read_file(d.written).info["year"] == 2027
    first = {p.name: read_file(p).tables["Plan"] for p in regs.glob("dept-*.xlsx")}
    publish_plan(plan_dir, regs, in_place=True)  # publishing again gives the same Plan
    for name, frame in first.items():
        pd.testing.assert_frame_equal(frame, read_file(regs / name).tables["Plan"])


def test_a_register_without_a_budget_sheet_gets_the_plan_and_is_named(plan_dir, tmp_path):
    """A register made from a template older than the Budget sheet: its Plan is published, the budget cannot be
    (the summary names it), and it still validates for January without a plan or budget finding."""
    old = tmp_path / "old"
    old.mkdir()
    wb = openpyxl.load_workbook(SAMPLE / "dept-west.xlsx")
    del wb[read_file(SAMPLE / "dept-west.xlsx").layout["Budget"].sheet]
    wb.save(old / "dept-west.xlsx")
    result = publish_plan(plan_dir, old, out_dir=tmp_path / "out")
    west = next(d for d in result.departments if d.source is not None)
    assert west.budget_after is None and west.rows_after > 0
    res = CliRunner().invoke(cli, ["plan", "publish", "--plan", str(plan_dir), "--into", str(old), "-o",
                                   str(tmp_path / "out2")])
    assert res.exit_code == 0 and "has no Budget sheet" in res.output
    report = validate_paths(Source([tmp_path / "out" / "dept-west.xlsx"], STANDARDS), period="2027-01")[0]
    assert not [f for f in report.findings if f.code.startswith(("plan-", "budget-"))]


def test_refusals(plan_dir, tmp_path):
    with pytest.raises(ToolkitError, match="-o DIR"):
        publish_plan(plan_dir, SAMPLE)
    with pytest.raises(ToolkitError, match="not both"):
        publish_plan(plan_dir, SAMPLE, out_dir=tmp_path, in_place=True)
    with pytest.raises(ToolkitError, match="replace the registers"):
        publish_plan(plan_dir, SAMPLE, out_dir=SAMPLE)
    with pytest.raises(ToolkitError, match="no department workbook"):
        publish_plan(tmp_path, SAMPLE, out_dir=tmp_path / "x")
    # a register already in a later year
    later = tmp_path / "later"
    later.mkdir()
    (later / "dept-east.xlsx").write_bytes(edit_workbook((SAMPLE / "dept-east.xlsx").read_bytes(),
                                                         {"Info": {"B3": 2028}}, {}, "test"))
    with pytest.raises(ToolkitError, match="already for 2028"):
        publish_plan(plan_dir, later, out_dir=tmp_path / "y")
    assert not (tmp_path / "y").exists()


def test_replace_rows_grows_shrinks_and_carries_formulas():
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:C3"/>'
             '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>ID</t></is></c></row>'
             '<row r="2"><c r="A2" s="3" t="inlineStr"><is><t>x</t></is></c><c r="B2" s="5"><v>1</v></c>'
             '<c r="C2" s="5"><f>B2*2+$B$1</f><v>2</v></c></row>'
             '<row r="3"><c r="A3" s="3" t="inlineStr"><is><t>y</t></is></c></row></sheetData>'
             '<tableParts count="1"><tablePart r:id="rId1"/></tableParts></worksheet>')
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
            'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/table" '
            'Target="../tables/table1.xml"/></Relationships>')
    table = '<table ref="A1:C3"><autoFilter ref="A1:C3"/></table>'
    parts = {"xl/worksheets/sheet1.xml": sheet.encode(), "xl/worksheets/_rels/sheet1.xml.rels": rels.encode(),
             "xl/tables/table1.xml": table.encode()}
    before = replace_rows(parts, "xl/worksheets/sheet1.xml", 1,
                          [{"A": "a", "B": 10.0}, {"A": "b", "B": 20.5}, {"A": "c", "B": None}])
    assert before == 2
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    assert '<c r="B3" s="5"><v>20.5</v></c>' in xml
    assert "<f>B4*2+$B$1</f>" in xml and '<c r="A4" s="3" t="inlineStr">' in xml and 'r="B4"' not in xml
    assert '<dimension ref="A1:C4"/>' in xml
    assert parts["xl/tables/table1.xml"].decode() == '<table ref="A1:C4"><autoFilter ref="A1:C4"/></table>'
    replace_rows(parts, "xl/worksheets/sheet1.xml", 1, [{"A": "z", "B": 1.0}])
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    assert 'r="3"' not in xml and 'r="4"' not in xml and "<f>B2*2+$B$1</f>" in xml
    assert parts["xl/tables/table1.xml"].decode() == '<table ref="A1:C2"><autoFilter ref="A1:C2"/></table>'


def test_cli_summary_both_languages(plan_dir, tmp_path):
    runner = CliRunner()
    res = runner.invoke(cli, ["plan", "publish", "--plan", str(plan_dir), "--into", str(SAMPLE), "-o",
                              str(tmp_path / "en")])
    assert res.exit_code == 0, res.output
    assert "Plan 2027 published (Info Year 2027, Period 2027-01)" in res.output
    assert "dept-east.xlsx" in res.output and "2026-10" in res.output
    res = runner.invoke(cli, ["--lang", "zh", "plan", "publish", "--plan", str(plan_dir), "--into", str(SAMPLE),
                              "-o", str(tmp_path / "zh")])
    assert res.exit_code == 0, res.output
    assert "2027 年计划已发布" in res.output and "原报告期" in res.output
    res = runner.invoke(cli, ["plan", "publish", "--plan", str(plan_dir), "--into", str(SAMPLE)])
    assert res.exit_code != 0 and "Traceback" not in res.output and "-o DIR" in res.output


def _edited_copy(plan_dir: Path, target: Path, changes: dict[str, float]) -> Path:
    """A copy of the plan folder with cells of dept-east-2027.xlsx's Plan sheet changed (no approval mark)."""
    shutil.copytree(plan_dir, target, ignore=shutil.ignore_patterns(MARK))
    book = target / "dept-east-2027.xlsx"
    book.write_bytes(edit_workbook(book.read_bytes(), {"Plan": changes}, {}, "test"))
    return target


def test_compare_gives_the_exact_differences(plan_dir, tmp_path):
    east = read_file(plan_dir / "dept-east-2027.xlsx").tables["Plan"]
    first = east.iloc[0]  # sheet row 2
    v2 = _edited_copy(plan_dir, tmp_path / "v2", {"C2": first["m01"] + 1234.56, "O2": first["annual"] + 1234.56,
                                                   "N3": 0})
    second = east.iloc[1]
    diff = compare_plans(plan_dir, v2)
    got = {(r["employee_id"], r["indicator"], r["month"]): (r["version_a"], r["version_b"], r["difference"])
           for r in diff.to_dict("records")}
    assert got == {
        (first["employee_id"], first["indicator"], "m01"): (first["m01"], first["m01"] + 1234.56, 1234.56),
        (first["employee_id"], first["indicator"], "annual"): (first["annual"], first["annual"] + 1234.56, 1234.56),
        (second["employee_id"], second["indicator"], "m12"): (second["m12"], 0.0, -second["m12"]),
    }
    assert set(diff["department"]) == {"East China"}
    totals = compare_totals(diff)
    assert totals.to_dict("records") == [{"department": "East China", "indicator": first["indicator"],
                                          "difference": 1234.56}]
    assert compare_plans(plan_dir, plan_dir).empty


def test_compare_shows_budget_differences_by_category(plan_dir, tmp_path):
    """Issue 28: 500.00 moved from the first category's January to the second's shows as two Budget differences
    (by category, no person) of −500 and +500, and no Plan difference; the totals stay the Plan's (none)."""
    budget = read_file(plan_dir / "dept-east-2027.xlsx").tables["Budget"]
    first, second = budget.iloc[0], budget.iloc[1]
    v2 = tmp_path / "v2"
    shutil.copytree(plan_dir, v2, ignore=shutil.ignore_patterns(MARK))
    book = v2 / "dept-east-2027.xlsx"
    book.write_bytes(edit_workbook(book.read_bytes(), {"Budget": {
        "B2": first["m01"] - 500, "N2": first["annual"] - 500, "B3": second["m01"] + 500,
        "N3": second["annual"] + 500}}, {}, "test"))
    diff = compare_plans(plan_dir, v2)
    got = {(r["indicator"], r["category"], r["employee_id"], r["month"]): r["difference"]
           for r in diff.to_dict("records")}
    assert got == {("Budget", first["category"], "", "m01"): -500.0, ("Budget", first["category"], "", "annual"): -500.0,
                   ("Budget", second["category"], "", "m01"): 500.0,
                   ("Budget", second["category"], "", "annual"): 500.0}
    assert compare_totals(diff).empty
    res = CliRunner().invoke(cli, ["--lang", "zh", "plan", "compare", str(plan_dir), str(v2)])
    assert res.exit_code == 0 and "预算" in res.output and "-500.00" in res.output, res.output


def test_only_the_approved_version_is_published(plan_dir, tmp_path):
    plan = read_file(plan_dir / "dept-east-2027.xlsx").tables["Plan"]
    # a sales row: an Expense row edited alone would no longer match the Budget sheet (an error, refused)
    row = plan[plan["indicator"] != "Expense"].iloc[0]
    c, o = f"C{row['_row']}", f"O{row['_row']}"
    v2 = _edited_copy(plan_dir, tmp_path / "v2", {c: row["m01"] + 1000, o: row["annual"] + 1000})
    with pytest.raises(ToolkitError) as err:
        publish_plan(v2, SAMPLE, out_dir=tmp_path / "out")
    assert "not the approved plan" in err.value.message("en") and "不是已批准的计划" in err.value.message("zh")
    approve_plan(v2, "Li Na")
    book = v2 / "dept-east-2027.xlsx"
    book.write_bytes(edit_workbook(book.read_bytes(), {"Plan": {c: row["m01"] + 2000, o: row["annual"] + 2000}},
                                   {}, "test"))  # edited after approval
    with pytest.raises(ToolkitError, match="changed after the plan was approved"):
        publish_plan(v2, SAMPLE, out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()
    approve_plan(v2, "Li Na")
    result = publish_plan(v2, SAMPLE, out_dir=tmp_path / "out")
    east = next(d for d in result.departments if d.department == "East China")
    published = read_file(east.written).tables["Plan"]
    assert published.iloc[plan.index.get_loc(row.name)]["m01"] == row["m01"] + 2000


def test_cli_versions_compare_and_approve(plan_dir, tmp_path):
    runner = CliRunner()
    (tmp_path / "plans" / "v1").mkdir(parents=True)
    keep = tmp_path / "plans" / "v1" / "note.txt"
    keep.write_text("v1")
    res = runner.invoke(cli, ["plan", "draft", "--year", "2027", str(SAMPLE), "--standards", str(STANDARDS),
                              "--force", "--version", "2", "-o", str(tmp_path / "plans")])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "plans" / "v2").iterdir())[-1] == "plan-2027.xlsx"
    assert keep.read_text() == "v1"
    res = runner.invoke(cli, ["plan", "compare", str(plan_dir), str(tmp_path / "plans" / "v2")])
    assert res.exit_code == 0 and "are the same plan" in res.output, res.output
    v3 = _edited_copy(plan_dir, tmp_path / "v3", {"C2": 1000})
    res = runner.invoke(cli, ["--lang", "zh", "plan", "compare", str(plan_dir), str(v3)])
    assert res.exit_code == 0 and "1 个数字不同" in res.output and "1月" in res.output, res.output
    res = runner.invoke(cli, ["plan", "compare", str(plan_dir), str(v3), "--format", "xlsx", "-o",
                              str(tmp_path / "cmp.xlsx")])
    assert res.exit_code == 0, res.output
    assert len(pd.read_excel(tmp_path / "cmp.xlsx", sheet_name=0, engine="openpyxl")) == 1
    res = runner.invoke(cli, ["plan", "publish", "--plan", str(v3), "--into", str(SAMPLE), "-o", str(tmp_path / "o")])
    assert res.exit_code != 0 and "not the approved plan" in res.output
    res = runner.invoke(cli, ["plan", "approve", str(v3), "--approver", "Li Na"])
    assert res.exit_code == 0 and "approved by Li Na" in res.output
    assert (v3 / MARK).exists()


def test_ribbon_publish_and_compare_buttons(plan_dir, tmp_path, monkeypatch):
    regs = tmp_path / "registers"
    regs.mkdir()
    for p in _registers():
        shutil.copy(p, regs)
    before = {p.name: p.read_bytes() for p in regs.glob("*.xlsx")}
    port = FilePort(regs / "dept-east.xlsx", answers={"plan_folder": str(plan_dir), "plan_registers": str(regs)})
    target = plan_macro.publish_plan(port)
    assert target == regs / plan_macro.PUBLISHED_FOLDER, port.messages
    assert "2027" in port.messages[-1][1] and port.messages[-1][0] == "info"
    assert {p.name: p.read_bytes() for p in regs.glob("*.xlsx")} == before  # the registers themselves untouched
    assert all(read_file(p).info["year"] == 2027 for p in target.glob("dept-*.xlsx"))
    v2 = _edited_copy(plan_dir, tmp_path / "v2", {"C2": 1000})
    port = FilePort(regs / "dept-east.xlsx", answers={"plan_a": str(plan_dir), "plan_b": str(v2)})
    path = plan_macro.compare_versions(port)
    assert path == tmp_path / f"compare-{plan_dir.name}-v2.xlsx" and port.opened == [path]
    assert len(pd.read_excel(path, sheet_name=0, engine="openpyxl")) == 1
    port = FilePort(regs / "dept-east.xlsx", answers={"plan_folder": str(v2), "plan_registers": str(regs)})
    assert plan_macro.publish_plan(port) is None and "not the approved plan" in port.messages[-1][1]


def test_reconcile_proposals_and_take_one(plan_dir, tmp_path):
    plan = read_file(plan_dir / "dept-east-2027.xlsx").tables["Plan"]
    east = plan[plan["indicator"] != "Expense"].iloc[0]  # a sales row (an Expense row moves the Budget too)
    row = int(east["_row"])
    props = tmp_path / "proposals"
    props.mkdir()
    book = props / "dept-east-2027.xlsx"
    book.write_bytes(edit_workbook((plan_dir / "dept-east-2027.xlsx").read_bytes(),
                                   {"Plan": {f"D{row}": east["m02"] + 5000, f"O{row}": east["annual"] + 5000}}, {},
                                   "test"))
    res = reconcile_plans(plan_dir, props)
    assert len(res.differences) == 2 and set(res.differences["department"]) == {"East China"}
    gap = res.totals.set_index("indicator")["gap"]
    assert gap[east["indicator"]] == 5000 and (gap.drop(east["indicator"]) == 0).all()
    draft_total = read_file(plan_dir / "dept-east-2027.xlsx").tables["Plan"].groupby("indicator")["annual"].sum()
    assert res.totals.set_index("indicator")["draft"].to_dict() == pytest.approx(draft_total.to_dict())
    out = tmp_path / "v3"
    res = reconcile_plans(plan_dir, props, take=["East China"], into=out)
    assert sorted(p.name for p in res.written) == sorted(p.name for p in plan_dir.glob("dept-*.xlsx"))
    taken = read_file(out / "dept-east-2027.xlsx").tables["Plan"]
    assert taken[taken["_row"] == row].iloc[0]["m02"] == east["m02"] + 5000
    assert (out / "dept-west-2027.xlsx").read_bytes() == (plan_dir / "dept-west-2027.xlsx").read_bytes()
    assert compare_plans(props, out)[lambda f: f["department"] == "East China"].empty
    with pytest.raises(ToolkitError, match="already holds files"):
        reconcile_plans(plan_dir, props, take=["East China"], into=out)
    with pytest.raises(ToolkitError, match="no proposal from department West"):
        reconcile_plans(plan_dir, props, take=["West"])
    book.write_bytes(edit_workbook(book.read_bytes(), {"Plan": {f"C{row}": 1}}, {}, "test"))  # months ≠ Annual
    with pytest.raises(ToolkitError, match="error finding"):
        reconcile_plans(plan_dir, props, take=["East China"])
    res = CliRunner().invoke(cli, ["--lang", "zh", "plan", "reconcile", "--plan", str(plan_dir), "--proposals",
                                   str(props)])
    assert res.exit_code == 0 and "部门建议与草案对比：3 个数字不同" in res.output and "差额" in res.output, res.output


def test_publish_refuses_a_plan_with_errors(plan_dir, tmp_path):
    bad = _edited_copy(plan_dir, tmp_path / "bad", {"C2": 1})  # the months no longer add up to Annual
    approve_plan(bad, "Li Na")
    with pytest.raises(ToolkitError, match="error finding"):
        publish_plan(bad, SAMPLE, out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()
    # an Expense target raised by 100 in January (its Annual too) without the Budget: only a warning in a register,
    # but a plan is not published with a budget that does not add up to its Expense plan
    plan = read_file(plan_dir / "dept-east-2027.xlsx").tables["Plan"]
    row = plan[plan["indicator"] == "Expense"].iloc[0]
    moved = _edited_copy(plan_dir, tmp_path / "moved", {f"C{row['_row']}": row["m01"] + 100,
                                                        f"O{row['_row']}": row["annual"] + 100})
    approve_plan(moved, "Li Na")
    with pytest.raises(ToolkitError) as err:
        publish_plan(moved, SAMPLE, out_dir=tmp_path / "out")
    assert "budget differences" in err.value.message("en") and "预算差异" in err.value.message("zh")
    assert not (tmp_path / "out").exists()
