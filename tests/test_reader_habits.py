"""The pieces behind issue 14, on small real files: header matching, percent points, formulas without values,
summary rows, department names, repaired files and annotated copies of them."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from conftest import SAMPLE
from habits_corpus import default_password, macro_sheet

from toolkit.core.departments import department_key
from toolkit.errors import ToolkitError
from toolkit.io import xlsx_scan
from toolkit.io.annotate import annotate_copy
from toolkit.io.coerce import array_kinds, coerce_values
from toolkit.io.discover import discover_workbooks
from toolkit.io.headers import HeaderMatcher
from toolkit.io.reader import read_raw_sheets, read_workbook
from toolkit.io.tidy import percent_points
from toolkit.schema import DEPARTMENT, STANDARDS
from toolkit.operations.validate import check_data


# ---------------------------------------------------------------------------------------------- headers

@pytest.mark.parametrize("text, key, scale", [
    ("合同金额（元）", "amount", 1.0), ("合同金额(万元)", "amount", 10_000.0), ("Amount (千元)", "amount", 1_000.0),
    ("已履约\n金额", "delivered", 1.0), ("Ａｍｏｕｎｔ", "amount", 1.0), ("  Contract   No ", "contract_no", 1.0),
    ("付款账期", "payment_terms", 1.0), ("账期(天)", "payment_terms", 1.0), ("Payment Terms", "payment_terms", 1.0),
    ("账期（天）", "payment_terms", 1.0), ("Status*", "status", 1.0), ("Amount Due", None, 1.0),
    ("账期(万元)", "payment_terms", 1.0),  # only money columns scale
])
def test_header_matching(text: str, key: str | None, scale: float) -> None:
    assert HeaderMatcher(DEPARTMENT.table("Contracts")).match(text) == (key, scale)


# ---------------------------------------------------------------------------------------------- percent

def _percent(values: list, table: str, col: str) -> tuple[list, list, list]:
    column = STANDARDS.table(table).column(col)
    arr = np.array(values, dtype=object)
    kinds = array_kinds(arr)
    typed, _ = coerce_values(arr, column, False, kinds)
    out, points, ambiguous = percent_points(arr, kinds, np.asarray(typed, dtype=float), column)
    return [None if np.isnan(v) else round(v, 10) for v in out], points, ambiguous


def test_points_column_is_read_as_percent() -> None:
    assert _percent([0.8, 1.5, 3.0, "2%"], "RoyaltyTiers", "rate") == ([0.008, 0.015, 0.03, 0.02], [0, 1, 2], [])


def test_fraction_column_keeps_an_odd_value_for_the_range_rule() -> None:
    assert _percent([0.02, 0.03, 0.05, 3.0], "RoyaltyTiers", "rate") == ([0.02, 0.03, 0.05, 3.0], [], [])


def test_fraction_among_points_is_ambiguous() -> None:
    assert _percent([80, 100, 0.6, 0], "RoyaltyPlans", "gate") == ([0.8, 1.0, None, 0.0], [0, 1, 3], [2])


def test_gate_up_to_three_hundred_percent_is_a_fraction() -> None:
    assert _percent([0.8, 1.2, 2.5], "RoyaltyPlans", "gate") == ([0.8, 1.2, 2.5], [], [])


def _standards(tmp_path: Path, edit) -> Path:
    wb = openpyxl.load_workbook(SAMPLE / "standards.xlsx")
    edit(wb)
    path = tmp_path / "standards.xlsx"
    wb.save(path)
    return path


def test_implausible_margin_and_weights_are_errors(tmp_path: Path) -> None:
    def edit(wb):
        wb["Product Lines"]["C2"] = -1.5
        wb["Appraisal"]["B2"] = wb["Appraisal"]["B2"].value + 0.1

    codes = {(f.code, f.cell) for f in check_data(read_workbook(_standards(tmp_path, edit))).findings}
    assert ("percent-out-of-range", "C2") in codes
    assert ("weights-not-100", "B1") in codes


# ---------------------------------------------------------------------------------------------- formulas

def test_formula_without_value_is_an_error_naming_the_cells(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(SAMPLE / "dept-east.xlsx")
    ws = wb["Forecast"]
    ws["B2"] = '=WEBSERVICE("http://erp.example/a")'
    ws["B3"] = '=WEBSERVICE("http://erp.example/b")'
    ws["C2"] = "=1+1"  # computed by the formula engine
    wb.save(tmp_path / "f.xlsx")
    data = read_workbook(tmp_path / "f.xlsx")
    found = [f for f in data.findings if f.code == "formula-no-value"]
    assert len(found) == 1 and found[0].params["cells"] == ["B2", "B3"] and found[0].severity == "error"
    assert "B2, B3" in found[0].message() and "Excel or WPS" in found[0].message()
    assert "Excel 或 WPS" in found[0].message("zh")
    forecast = data.tables["Forecast"]
    assert forecast["expected_collections"].isna().sum() >= 2  # never read as zero
    assert forecast.loc[forecast["_row"] == 2, "expected_spending"].tolist() == [2.0]
    assert [f.cell for f in data.findings if f.code == "formula-evaluated"] == ["C2"]
    report = check_data(data, read_workbook(SAMPLE / "standards.xlsx"), "2026-10")
    assert not [f for f in report.findings if f.code == "required-missing" and f.cell in ("B2", "B3")]


def test_formula_that_returned_empty_text_is_not_missing() -> None:
    sheet = (b'<sheetData><row r="1"><c r="A1" t="str"><f>IF(1,"")</f><v></v></c><c r="B1"><f>1+1</f></c>'
             b'<c r="C1"><f>1+1</f><v>2</v></c><c r="D1"><f t="shared" si="0"/><v/></c></row></sheetData>')
    assert xlsx_scan.formulas_without_value(sheet) == {(0, 1): xlsx_scan.NO_VALUE, (0, 3): xlsx_scan.NO_VALUE}


# ---------------------------------------------------------------------------------------------- summary rows

def test_totals_and_notes_rows_are_left_out_with_one_warning_each(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(SAMPLE / "dept-south.xlsx")
    ws = wb["回款"]
    for name in list(ws.tables):
        del ws.tables[name]
    last = ws.max_row
    ws.cell(last + 1, 1).value = "合计："
    ws.cell(last + 1, 4).value = 1.0  # not the sum: the label says it
    ws.cell(last + 3, 1).value = "注：以上为含税金额"
    wb.save(tmp_path / "t.xlsx")
    clean = read_workbook(SAMPLE / "dept-south.xlsx").tables["Collections"]
    data = read_workbook(tmp_path / "t.xlsx")
    assert len(data.tables["Collections"]) == len(clean)
    codes = [(f.code, f.row, f.severity) for f in data.findings if f.code in ("total-row", "notes-row")]
    assert codes == [("total-row", last + 1, "warning"), ("notes-row", last + 3, "warning")]
    report = check_data(data, read_workbook(SAMPLE / "standards.xlsx"), "2026-10")
    assert not [f for f in report.findings if f.row in (last + 1, last + 3) and f.code == "required-missing"]


# ---------------------------------------------------------------------------------------------- departments

@pytest.mark.parametrize("name, how, key", [
    ("华南", "exact", "华南"), ("华南区", "near", "华南"), (" 华 南 ", "near", "华南"), ("ＥＡＳＴ china", "near", "East China"),
    ("East China Region", "near", "East China"), ("华东大区", "unknown", "华东大区"), (None, "none", None),
])
def test_department_key(name, how: str, key) -> None:
    match = department_key(name, ["East China", "华南", "西部", "East China"])
    assert (match.how, match.key) == (how, key)


def test_department_key_names_the_closest_roster_department() -> None:
    assert department_key("East Chna", ["East China", "华南"]).closest == "East China"
    assert department_key("Head office", ["East China", "华南"]).closest is None


# ---------------------------------------------------------------------------------------------- repaired files

def _backslashed(src: Path, out: Path) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename.replace("/", "\\") if info.filename.startswith("xl/") else info.filename,
                          zin.read(info))
    return out


@pytest.mark.parametrize("make", ["backslash", "macro", "password"])
def test_files_excel_opens_are_read_from_a_repaired_copy(tmp_path: Path, make: str) -> None:
    src = SAMPLE / "dept-east.xlsx"
    path = tmp_path / ("m.xlsm" if make == "macro" else "x.xlsx")
    if make == "backslash":
        _backslashed(src, path)
    elif make == "macro":
        macro_sheet(src, path)
    else:
        default_password(src, path)
    before = path.read_bytes()
    data = read_workbook(path)
    assert data.tables["Contracts"].equals(read_workbook(src).tables["Contracts"])
    assert [f.code for f in data.findings if f.code == "file-repaired"] == ["file-repaired"]
    assert path.read_bytes() == before
    out = annotate_copy(path, data.findings, tmp_path / "annotated")
    assert "Validation" in openpyxl.load_workbook(out).sheetnames


def test_a_real_password_is_still_refused(tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    with open(SAMPLE / "dept-east.xlsx", "rb") as fh, open(tmp_path / "s.xlsx", "wb") as out:
        OOXMLFile(fh).encrypt("secret", out)
    with pytest.raises(ToolkitError) as info:
        read_workbook(tmp_path / "s.xlsx")
    assert "password" in info.value.message("en") and "密码" in info.value.message("zh")


# ---------------------------------------------------------------------------------------------- other formats

def test_xls_reads_like_xlsx_and_is_annotated_as_an_xlsx_copy(tmp_path: Path) -> None:
    from habits_corpus import _soffice

    made = _soffice([SAMPLE / "dept-north.xlsx"], "xls", tmp_path).get(SAMPLE / "dept-north.xlsx")
    if made is None:
        pytest.skip("LibreOffice (soffice) is needed to write an .xls")
    assert discover_workbooks([tmp_path]) == [made]
    xls, xlsx = read_workbook(made), read_workbook(SAMPLE / "dept-north.xlsx")
    assert xls.tables["Contracts"].equals(xlsx.tables["Contracts"])
    assert [f.code for f in xls.findings if f.code == "format-limited"] == ["format-limited"]
    report = check_data(xls, read_workbook(SAMPLE / "standards.xlsx"), "2026-10")
    out = annotate_copy(made, report.findings, tmp_path / "annotated", "zh")
    assert out.name == "dept-north.xls.xlsx"
    wb = openpyxl.load_workbook(out)
    flagged = [f for f in report.findings if f.cell and f.sheet in wb.sheetnames and f.severity == "error"]
    assert flagged and all(wb[f.sheet][f.cell.split(":")[0]].comment is not None for f in flagged)
    assert read_raw_sheets(made)["Contracts"][0] == read_raw_sheets(SAMPLE / "dept-north.xlsx")["Contracts"][0]


def test_merged_ids_are_filled_down_with_a_trace(tmp_path: Path) -> None:
    from habits_corpus import merged_ids

    wb = openpyxl.load_workbook(SAMPLE / "dept-east.xlsx")
    merged_ids(wb, "en")
    wb.save(tmp_path / "m.xlsx")
    data = read_workbook(tmp_path / "m.xlsx")
    clean = read_workbook(SAMPLE / "dept-east.xlsx")
    assert data.tables["Expenses"]["employee_id"].equals(clean.tables["Expenses"]["employee_id"])
    filled = [f for f in data.findings if f.code == "merged-filled"]
    assert filled and all(":" in f.cell for f in filled)
    out = annotate_copy(tmp_path / "m.xlsx", filled, tmp_path / "annotated")
    ws = openpyxl.load_workbook(out)["Expenses"]
    assert all(ws[f.cell.split(":")[0]].comment is not None for f in filled)
    shutil.rmtree(tmp_path / "annotated")


def test_formulas_beyond_the_bound_stay_errors(tmp_path: Path, monkeypatch) -> None:
    from toolkit.io import formula_engine

    monkeypatch.setattr(formula_engine, "MAX_FORMULAS", 2)
    wb = openpyxl.load_workbook(SAMPLE / "dept-east.xlsx")
    for cell in ("B2", "B3", "B4"):
        wb["Forecast"][cell] = "=1000*2"
    wb.save(tmp_path / "f.xlsx")
    data = read_workbook(tmp_path / "f.xlsx")
    assert [(f.code, f.params.get("cells")) for f in data.findings if f.code.startswith("formula-")] == [
        ("formula-limit", None), ("formula-evaluated", ["B2", "B3"]), ("formula-no-value", ["B4"])]
    limit = next(f for f in data.findings if f.code == "formula-limit")
    assert limit.message("en") == (
        f"{tmp_path / 'f.xlsx'}: 1 cell(s) holding a formula saved without its result were not computed: the toolkit "
        "computes at most 2 formulas saved without values per file (a fixed bound, the same on every machine); "
        "open and save the file in Excel or WPS so the results are stored.")
    assert limit.message("zh").startswith(f"{tmp_path / 'f.xlsx'}：有1个公式未保存计算结果的单元格未计算：工具对每个文件最多计算2个")


def test_formula_steps_are_counted_in_cells_fed_not_seconds(tmp_path: Path, monkeypatch) -> None:
    """The engine's work is bounded by steps (one per attempt, one per cell fed), never by the clock: the same file
    gives the same findings however busy the machine. A range of 1,000 cells spends 1,001 steps."""
    from toolkit.io import formula_engine

    wb = openpyxl.load_workbook(SAMPLE / "dept-east.xlsx")
    wb["Forecast"]["B2"] = "=1000*2"  # 1 step
    wb["Forecast"]["B3"] = "=SUM(Z1:Z1000)*0+5"  # 1,001 steps
    wb["Forecast"]["B4"] = "=7"  # 1 step
    wb.save(tmp_path / "f.xlsx")
    found, messages = [], []
    for bound in (1003, 1002):
        monkeypatch.setattr(formula_engine, "MAX_STEPS", bound)
        data = read_workbook(tmp_path / "f.xlsx")
        found.append([(f.code, f.params.get("cells"), f.params.get("count"))
                      for f in data.findings if f.code.startswith("formula-")])
        messages += [f.message("en") for f in data.findings if f.code == "formula-limit"]
    assert found[0] == [("formula-evaluated", ["B2", "B3", "B4"], 3)]
    assert found[1] == [("formula-limit", None, 1), ("formula-evaluated", ["B2", "B3"], 2),
                        ("formula-no-value", ["B4"], 1)]
    assert len(messages) == 1 and messages[0].startswith(f"{tmp_path / 'f.xlsx'}: 1 cell(s) ")
    assert "at most 1,002 steps (one per attempt at a formula and one per cell it is fed) per file" in messages[0]


def test_percent_formatted_cells_hold_fractions_whatever_their_size(tmp_path: Path) -> None:
    """A tier rate of 3 in a cell formatted as a percentage shows 300% in Excel: a fraction (an error), not 3 points,
    even when every rate of the column is such a cell."""
    wb = openpyxl.load_workbook(SAMPLE / "standards.xlsx")
    ws = wb["Royalty Tiers"]
    for r in range(2, ws.max_row + 1):
        if isinstance(ws.cell(r, 4).value, float):
            ws.cell(r, 4).value = 3.0 if r == 2 else ws.cell(r, 4).value * 100
            ws.cell(r, 4).number_format = "0%" if r == 2 else "General"
    wb.save(tmp_path / "s.xlsx")
    data = read_workbook(tmp_path / "s.xlsx")
    rates = data.tables["RoyaltyTiers"]
    clean = read_workbook(SAMPLE / "standards.xlsx").tables["RoyaltyTiers"]
    assert rates["rate"].iloc[0] == 3.0  # shown as 300%: kept as typed
    assert np.allclose(rates["rate"].iloc[1:], clean["rate"].iloc[1:])  # the plain ones: points
    assert ("percent-out-of-range", "D2") in {(f.code, f.cell) for f in check_data(data).findings}
