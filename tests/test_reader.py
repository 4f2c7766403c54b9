"""The reader: workbooks written by hand with openpyxl, in many shapes, give the same typed frames."""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.worksheet.table import Table as XlTable

from conftest import WORKBOOKS, need
from toolkit.errors import ToolkitError
from toolkit.io.reader import read_raw_sheets, read_workbook
from toolkit.schema import DEPARTMENT, STANDARDS, ColType
from toolkit.schema import enums as E
from conftest import SAMPLE
from toolkit.io import grid, reader

D = dt.date
# Canonical content of a few department tables (English codes, typed values), by column key.
ROWS = {
    "Contracts": [
        {"contract_no": "C-001", "sign_date": D(2026, 10, 5), "customer": "Acme", "employee_id": "E001",
         "product_line": "Pumps", "amount": 1234.5, "status": "Executing", "delivered": 1000.0,
         "payment_terms": 30, "split_employee_id": "E002", "split_share": 0.25},
        {"contract_no": "C-002", "sign_date": D(2026, 1, 31), "customer": "Beta", "employee_id": "E002",
         "product_line": "Valves", "amount": 80000.0, "status": "Signed", "delivered": None,
         "payment_terms": 60, "split_employee_id": None, "split_share": None},
    ],
    "Collections": [
        {"receipt_no": "R-1", "receipt_date": D(2026, 10, 6), "contract_no": "C-001", "amount": 500.0,
         "method": "Bank Transfer"},
        {"receipt_no": "R-2", "receipt_date": D(2026, 10, 7), "contract_no": "C-001", "amount": -50.0,
         "method": None},
    ],
    "Expenses": [
        {"claim_no": "X-1", "date": D(2026, 10, 2), "employee_id": "E001", "category": "Travel", "city": "Shanghai",
         "days": 2, "amount": 880.0, "receipt": True, "description": "Visit", "approval": "Approved",
         "approver": "Boss"},
    ],
    "Forecast": [
        {"month": D(2026, 11, 1), "expected_collections": 1000.0, "expected_spending": 200.0, "notes": "ok"},
    ],
}
INFO = {"department": "East", "year": 2026, "period": "2026-10", "prepared_by": "Ann", "template_version": "1.0"}


def _as_text(value: object, col, lang: str) -> object:
    """The value the way a person types it as text."""
    if value is None:
        return None
    if col.type is ColType.PERCENT:
        return f"{value * 100:g}%"
    if col.type in (ColType.MONEY, ColType.NUMBER):
        return f" {value:,.2f} "
    if col.type is ColType.INTEGER:
        return f" {value} "
    if col.type is ColType.DATE:
        return f"{value.year}年{value.month}月{value.day}日" if lang == "zh" else value.strftime("%Y/%m/%d")
    if col.type is ColType.MONTH:
        return f"{value.year}年{value.month}月" if lang == "zh" else value.strftime("%Y-%m")
    return value


def _cell(value: object, col, lang: str, text: bool) -> object:
    if value is None:
        return None
    if col.type is ColType.BOOL:
        return E.YES_NO.label("Yes" if value else "No", lang)
    if col.enum is not None:
        return col.enum.label(value, lang)
    return _as_text(value, col, lang) if text else value


def build(path: Path, lang: str = "en", *, order: str = "schema", header_row: int = 1, as_table: bool = False,
          text: bool = False, blank_rows: bool = False, epoch1904: bool = False, extra: bool = False,
          drop: tuple[str, ...] = (), sheets: tuple[str, ...] | None = None) -> Path:
    """A department workbook written cell by cell with openpyxl, headers from the schema."""
    wb = openpyxl.Workbook()
    if epoch1904:
        wb.epoch = CALENDAR_MAC_1904
    info = wb.active
    info.title = DEPARTMENT.info_sheet(lang)
    info.append(["Field", "Value"])
    for field in DEPARTMENT.info:
        info.append([field.label(lang), INFO[field.key]])
    for table in DEPARTMENT.tables:
        if sheets is not None and table.key not in sheets:
            continue
        ws = wb.create_sheet(table.sheet(lang))
        cols = [c for c in table.columns if c.key not in drop]
        if order == "reversed":
            cols = cols[::-1]
        if header_row > 1:
            ws.cell(1, 1, f"{table.sheet(lang)} 2026")
        for j, col in enumerate(cols, start=1):
            header = col.label.zh if lang == "zh" or (lang == "mixed" and j % 2) else col.label.en
            ws.cell(header_row, j, header)
        if extra:
            ws.cell(header_row, len(cols) + 1, "My Notes")
        r = header_row
        for i, row in enumerate(ROWS.get(table.key, [])):
            r += 2 if blank_rows and i else 1
            for j, col in enumerate(cols, start=1):
                value = _cell(row[col.key], col, "zh" if lang == "zh" else "en", text)
                if value is not None:
                    cell = ws.cell(r, j, value)
                    if isinstance(value, D):
                        cell.number_format = "yyyy-mm-dd"
            if extra:
                ws.cell(r, len(cols) + 1, f"note {i}")
        if as_table:
            last = openpyxl.utils.get_column_letter(len(cols) + extra)
            ws.add_table(XlTable(displayName=table.key, ref=f"A{header_row}:{last}{max(r, header_row + 1)}"))
    wb.save(path)
    return path


def expected(key: str) -> pd.DataFrame:
    """The typed frame the reader must return for ROWS[key] (without _row)."""
    table = DEPARTMENT.table(key)
    rows = ROWS[key]
    data = {}
    for col in table.columns:
        values = [row[col.key] for row in rows]
        if col.type in (ColType.DATE, ColType.MONTH):
            data[col.key] = pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")
        elif col.type is ColType.INTEGER:
            data[col.key] = pd.Series(values, dtype="Int64")
        elif col.type is ColType.BOOL:
            data[col.key] = pd.Series(values, dtype="boolean")
        elif col.type is ColType.TEXT:
            data[col.key] = pd.Series(values, dtype="str")
        else:
            data[col.key] = pd.Series([float("nan") if v is None else v for v in values], dtype="float64")
    return pd.DataFrame(data)


def frames(data) -> dict[str, pd.DataFrame]:
    return {k: data.tables[k].drop(columns="_row") for k in ROWS}


VARIANTS = {
    "en": {},
    "zh": {"lang": "zh"},
    "mixed": {"lang": "mixed"},
    "reversed": {"order": "reversed"},
    "row4-title": {"header_row": 4},
    "excel-table": {"as_table": True},
    "blank-rows": {"blank_rows": True},
    "as-text-en": {"text": True},
    "as-text-zh": {"text": True, "lang": "zh"},
    "epoch-1904": {"epoch1904": True},
    "everything": {"lang": "zh", "order": "reversed", "header_row": 3, "as_table": True, "text": True,
                   "blank_rows": True, "epoch1904": True},
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_variants_give_the_same_typed_frames(tmp_path: Path, variant: str) -> None:
    data = read_workbook(build(tmp_path / f"{variant}.xlsx", **VARIANTS[variant]))
    assert data.kind == "department"
    assert data.info == INFO
    for key, frame in frames(data).items():
        pd.testing.assert_frame_equal(frame, expected(key), check_dtype=True, obj=f"{variant}:{key}")
    assert [f for f in data.findings if f.severity != "info"] == []
    # the language is the majority of the headers found (mixed: odd columns are Chinese)
    assert data.lang == ("en" if VARIANTS[variant].get("lang", "en") == "en" else "zh")


def test_row_numbers_and_layout_name_the_sheet_cells(tmp_path: Path) -> None:
    data = read_workbook(build(tmp_path / "a.xlsx", header_row=4, blank_rows=True, order="reversed"))
    contracts = data.tables["Contracts"]
    assert contracts["_row"].tolist() == [5, 7]
    layout = data.layout["Contracts"]
    assert layout.header_row == 4
    n = len(DEPARTMENT.table("Contracts").columns)
    assert layout.columns["contract_no"] == (openpyxl.utils.get_column_letter(n), "Contract No")
    assert layout.cell("amount", 7) == openpyxl.utils.get_column_letter(n - 5) + "7"


def test_empty_tables_keep_typed_columns(tmp_path: Path) -> None:
    data = read_workbook(build(tmp_path / "a.xlsx"))
    plan = data.tables["Plan"]
    assert len(plan) == 0
    assert list(plan.columns) == [c.key for c in DEPARTMENT.table("Plan").columns] + ["_row"]
    assert plan["m01"].dtype == "float64" and plan["employee_id"].dtype == "str"


def test_error_cells_and_bad_values_become_findings(tmp_path: Path) -> None:
    path = build(tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Contracts"]
    ws["F2"] = "#DIV/0!"  # amount: openpyxl writes known error texts as error cells
    ws["H3"] = "#N/A"  # delivered
    ws["B3"] = "someday"  # sign date
    ws["I2"] = "3.5"  # payment terms (days): not whole
    ws["A5"] = "#REF!"  # a row whose only content is an error is still a row
    wb.save(path)
    data = read_workbook(path)
    contracts = data.tables["Contracts"]
    assert contracts["_row"].tolist() == [2, 3, 5]
    assert pd.isna(contracts.loc[0, "amount"]) and pd.isna(contracts.loc[1, "sign_date"])
    assert pd.isna(contracts.loc[0, "payment_terms"])
    got = {(f.code, f.cell, f.column, f.value) for f in data.findings}
    assert got == {
        ("formula-error", "F2", "Amount", "#DIV/0!"),
        ("formula-error", "H3", "Delivered", "#N/A"),
        ("formula-error", "A5", "Contract No", "#REF!"),
        ("type-error", "B3", "Sign Date", "someday"),
        ("type-error", "I2", "Payment Terms (days)", "3.5"),
    }
    bad_date = next(f for f in data.findings if f.cell == "B3")
    assert bad_date.sheet == "Contracts" and bad_date.row == 3 and bad_date.severity == "error"
    assert bad_date.message("en") == "Contracts!B3: 'someday' is not a valid date."
    assert bad_date.message("zh") == "Contracts!B3：“someday”不是有效的日期。"


def test_extra_and_missing_optional_columns(tmp_path: Path) -> None:
    data = read_workbook(build(tmp_path / "a.xlsx", extra=True, drop=("split_share",)))
    contracts = data.tables["Contracts"]
    assert contracts["extra:My Notes"].tolist() == ["note 0", "note 1"]
    assert contracts["split_share"].isna().all() and contracts["split_share"].dtype == "float64"
    codes = {(f.code, f.sheet, f.column) for f in data.findings if f.sheet == "Contracts"}
    assert ("extra-column", "Contracts", "My Notes") in codes
    # without Split Share every contract would be credited 100% to its owner: the file is stopped, not guessed
    assert ("column-missing-stops", "Contracts", "Split Share") in codes
    stop = next(f for f in data.findings if f.code == "column-missing-stops")
    assert stop.severity == "error" and "credited 100% to its owner" in stop.message()
    assert data.layout["Contracts"].extra == {"My Notes": "K"}


def test_enum_values_map_to_codes_and_unknown_ones_stay(tmp_path: Path) -> None:
    path = build(tmp_path / "a.xlsx", lang="zh")
    wb = openpyxl.load_workbook(path)
    ws = wb["合同"]
    ws["G3"] = "  已签订 "
    ws["G2"] = "Half done"
    wb.save(path)
    status = read_workbook(path).tables["Contracts"]["status"].tolist()
    assert status == ["Half done", "Signed"]


def test_missing_optional_sheet_is_a_finding(tmp_path: Path) -> None:
    path = build(tmp_path / "a.xlsx", sheets=("Plan", "Contracts", "Collections", "Expenses"))
    data = read_workbook(path)
    assert len(data.tables["Leave"]) == 0
    missing = {f.sheet for f in data.findings if f.code == "sheet-missing-optional"}
    assert missing == {"Budget", "Advances", "Leave", "Forecast", "Feedback", "Opportunities", "Reviews", "Training"}


def test_missing_required_sheet_names_file_and_sheet(tmp_path: Path) -> None:
    path = build(tmp_path / "a.xlsx", sheets=("Plan", "Collections", "Expenses"))
    with pytest.raises(ToolkitError) as info:
        read_workbook(path)
    assert info.value.message("en") == f"{path}: required sheet 'Contracts' is missing."
    assert info.value.message("zh") == f"{path}：缺少必需的工作表“合同”。"


def test_missing_required_column_names_file_sheet_and_column(tmp_path: Path) -> None:
    path = build(tmp_path / "a.xlsx", lang="zh", drop=("amount", "sign_date"))
    with pytest.raises(ToolkitError) as info:
        read_workbook(path)
    assert info.value.message("en") == f"{path}: sheet '合同' is missing required column(s) 'Sign Date', 'Amount'."
    assert info.value.message("zh") == f"{path}：工作表“合同”缺少必需的列 “签订日期”、“合同金额”。"


def test_not_a_toolkit_workbook(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "hello"
    wb.save(tmp_path / "other.xlsx")
    with pytest.raises(ToolkitError) as info:
        read_workbook(tmp_path / "other.xlsx")
    assert info.value.key == "read.unknown-kind"
    assert info.value.message("en").startswith(f"{tmp_path / 'other.xlsx'}: is neither a department workbook")
    with pytest.raises(ToolkitError) as info:
        read_workbook(tmp_path / "other.xlsx", kind="standards")
    assert info.value.message("en") == f"{tmp_path / 'other.xlsx'}: required sheet 'Roster' is missing."


def test_info_values_are_typed_from_text_and_dates(tmp_path: Path) -> None:
    path = build(tmp_path / "a.xlsx", lang="zh")
    wb = openpyxl.load_workbook(path)
    ws = wb["信息"]
    ws["B3"] = " 2026 "
    ws["B4"] = dt.datetime(2026, 10, 1)
    ws["B4"].number_format = "yyyy-mm"
    wb.save(path)
    assert read_workbook(path).info == INFO
    ws["B4"] = "2026年10月"
    ws["B3"] = "twenty"
    wb.save(path)
    data = read_workbook(path)
    assert data.info["period"] == "2026-10" and data.info["year"] is None
    assert [(f.code, f.sheet, f.cell) for f in data.findings if f.code == "type-error"] == [("type-error", "信息", "B3")]


def _standards(path: Path, lang: str) -> Path:
    """A standards workbook with every table's headers and the two Appraisal tables side by side."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in STANDARDS.sheets():
        ws = wb.create_sheet(sheet(lang))
        for table in (t for t in STANDARDS.tables if t.sheet == sheet):
            for j, col in enumerate(table.columns):
                ws.cell(1, table.first_column + j, col.header(lang))
    ws = wb[STANDARDS.table("Appraisal").sheet(lang)]
    for r, (ind, w) in enumerate([("Signing", 0.4), ("Collection", 0.4), ("Expense", 0.2)], start=2):
        ws.cell(r, 1, E.INDICATOR.label(ind, lang))
        ws.cell(r, 2, w)
    for r, (lo, hi, grade, coef) in enumerate([(0, 0.8, "C", 0.5), (0.8, 1.0, "B", 1.0), (1.0, None, "A", 1.2),
                                               (1.2, None, "S", 1.5)], start=2):
        for j, v in enumerate((lo, hi, grade, coef)):
            if v is not None:
                ws.cell(r, STANDARDS.table("AppraisalBands").first_column + j, v)
    wb.save(path)
    return path


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_side_by_side_tables_on_one_sheet(tmp_path: Path, lang: str) -> None:
    data = read_workbook(_standards(tmp_path / "s.xlsx", lang))
    assert data.kind == "standards" and data.lang == lang
    weights = data.tables["Appraisal"]
    bands = data.tables["AppraisalBands"]
    assert weights["indicator"].tolist() == ["Signing", "Collection", "Expense"]
    assert weights["_row"].tolist() == [2, 3, 4]
    assert bands["band_grade"].tolist() == ["C", "B", "A", "S"]
    assert bands["_row"].tolist() == [2, 3, 4, 5]
    assert data.layout["AppraisalBands"].columns["score_from"][0] == "E"
    # both tables have a Valid From: each takes its own (issue 23), neither is a duplicate column
    assert data.layout["Appraisal"].columns["valid_from"][0] == "C"
    assert data.layout["AppraisalBands"].columns["valid_from"][0] == "I"
    assert not [f for f in data.findings if f.code in ("extra-column", "ambiguous-column")]


def test_read_raw_sheets_shows_error_cells(tmp_path: Path) -> None:
    path = build(tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Contracts"]["F2"] = "#N/A"
    wb.save(path)
    raw = read_raw_sheets(path)
    assert raw["Contracts"][1][5] == "#N/A"
    assert raw["Contracts"][0][0] == "Contract No"
    assert raw["Info"][1] == ["Department", "East"]


def test_cached_formula_values_from_libreoffice(tmp_path: Path) -> None:
    soffice = need("soffice")
    src = build(tmp_path / "src.xlsx")
    wb = openpyxl.load_workbook(src)
    ws = wb["Contracts"]
    ws["H2"] = "=F2-234.5"  # delivered = 1000
    ws["H3"] = "=1/0"
    wb.save(src)
    out = tmp_path / "out"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
                        "--convert-to", "xlsx", "--outdir", str(out), str(src)],
                       check=True, capture_output=True, timeout=900)
    data = read_workbook(out / "src.xlsx")
    contracts = data.tables["Contracts"]
    assert contracts["delivered"].tolist()[0] == 1000.0
    assert [(f.code, f.cell, f.value) for f in data.findings if f.code == "formula-error"] == [
        ("formula-error", "H3", "#DIV/0!")
    ]


def _template_paths() -> list[Path]:
    return sorted(WORKBOOKS.glob("*-template-*.xlsx"))


@pytest.mark.parametrize("path", _template_paths(), ids=lambda p: p.name)
def test_committed_blank_templates_read_empty(path: Path) -> None:
    data = read_workbook(path)
    assert data.kind == path.name.split("-")[0]
    assert data.lang == path.stem.rsplit("-", 1)[1]
    assert data.findings == []
    rows = {k: len(v) for k, v in data.tables.items() if k != "Thresholds"}
    assert set(rows.values()) == {0}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_template_filled_by_the_writer_reads_back(tmp_path: Path, lang: str) -> None:
    templates = pytest.importorskip("toolkit.io.templates")
    typed = {k: expected(k) for k in ROWS}
    path = templates.write_workbook(tmp_path / f"filled-{lang}.xlsx", DEPARTMENT, lang, frames=typed, info=INFO)
    data = read_workbook(path)
    assert data.lang == lang and data.info == INFO
    for key, frame in frames(data).items():
        pd.testing.assert_frame_equal(frame, typed[key], obj=key)


def test_grids_are_the_same_without_pandas_private_conversion(monkeypatch) -> None:
    # the fast list-of-lists conversion is pandas-private; the public fallback must read identically

    path = SAMPLE / "dept-north.xlsx"
    fast = reader.read_workbook(path)
    monkeypatch.setattr(grid, "_to_object_array", None)
    slow = reader.read_workbook(path)
    assert fast.tables.keys() == slow.tables.keys()
    for key in fast.tables:
        pd.testing.assert_frame_equal(fast.tables[key], slow.tables[key], check_dtype=True)
    assert [f.to_dict() for f in fast.findings] == [f.to_dict() for f in slow.findings]
    assert fast.info == slow.info and fast.layout == slow.layout


def test_side_by_side_tables_laid_out_before_valid_from_still_read(tmp_path: Path) -> None:
    """A standards workbook from before issue 23: weights in A:B, bands from D, no Valid From on either."""
    wb = openpyxl.load_workbook(_standards(tmp_path / "new.xlsx", "en"))
    del wb["Appraisal"]
    ws = wb.create_sheet("Appraisal")
    for c, h in enumerate(["Indicator", "Weight %", None, "Score From", "Score To", "Grade", "Coefficient"], start=1):
        ws.cell(1, c, h)
    for r, row in enumerate([("Signing", 0.6, None, 0, 1, "B", 1.0), ("Collection", 0.4, None, 1, None, "A", 1.2)],
                            start=2):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)
    wb.save(tmp_path / "old.xlsx")
    data = read_workbook(tmp_path / "old.xlsx", kind="standards")
    assert data.tables["Appraisal"]["weight"].tolist() == [0.6, 0.4]
    assert data.tables["AppraisalBands"]["band_grade"].tolist() == ["B", "A"]
    assert data.layout["AppraisalBands"].columns["score_from"][0] == "D"
    assert data.layout["Appraisal"].missing == ["valid_from"] == data.layout["AppraisalBands"].missing
