"""toolkit.io.templates and ``toolkit new``: workbooks derived from the schema, blank and filled."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.writer.excel import ExcelWriter
import pytest
from click.testing import CliRunner

from conftest import WORKBOOKS, need
from xlsx_parts import zip_parts
from toolkit import TEMPLATE_VERSION
from toolkit.cli.main import cli
from toolkit.errors import ToolkitError
from toolkit.io.templates import (
    INPUT_FILL,
    LISTS_SHEET,
    VALIDATION_LAST_ROW,
    build_workbook,
    new_workbook,
    regenerate_templates,
    template_name,
    write_workbook,
)
from toolkit.io import templates as templates_module
from toolkit.io import writer as writer_module
from toolkit.io.reader import read_workbook
from toolkit.io.writer import NUMBER_FORMATS, display_width, set_text, workbook_bytes
from toolkit.operations.source import Source
from toolkit.schema import DEPARTMENT, SCHEMAS, STANDARDS, ColType, Table, WorkbookSchema
from toolkit.schema import enums as E

CASES = [(kind, lang) for kind in SCHEMAS for lang in ("en", "zh")]


def _letter(table: Table, key: str) -> str:
    return openpyxl.utils.get_column_letter(table.first_column + table.keys.index(key))


def _validations(ws) -> dict[str, object]:
    """Validation of each column letter, by the first cell of its range."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            out[rng.coord] = dv
    return out


# --------------------------------------------------------------------------- committed templates


def test_committed_templates_match_the_generator(tmp_path: Path) -> None:
    written = regenerate_templates(tmp_path)
    assert sorted(p.name for p in written) == sorted(template_name(k, lang) for k, lang in CASES)
    for path in written:
        committed = WORKBOOKS / path.name
        assert committed.exists(), f"{committed} is missing: run regenerate_templates('workbooks')"
        # compare the parts, not the compressed bytes (zlib versions may compress differently)
        assert zip_parts(path) == zip_parts(committed), f"{path.name} drifted from the generator"


def test_templates_are_byte_for_byte_reproducible(tmp_path: Path) -> None:
    a = write_workbook(tmp_path / "a.xlsx", DEPARTMENT, "zh", info={"department": "华东", "year": 2026})
    b = write_workbook(tmp_path / "b.xlsx", DEPARTMENT, "zh", info={"department": "华东", "year": 2026})
    assert a.read_bytes() == b.read_bytes()


# --------------------------------------------------------------------------- blank structure


@pytest.mark.parametrize("kind,lang", CASES)
def test_blank_template_structure_follows_the_schema(kind: str, lang: str) -> None:
    schema: WorkbookSchema = SCHEMAS[kind]
    wb = openpyxl.load_workbook(WORKBOOKS / template_name(kind, lang))
    sheets = [schema.info_sheet(lang), *(s(lang) for s in schema.sheets()), schema.instructions_sheet(lang)]
    assert [n for n in wb.sheetnames if n != "_lists"] == sheets
    # a drop-down list longer than Excel's 255 characters (the Thresholds names) lives on the hidden _lists sheet
    assert "_lists" not in wb.sheetnames or wb["_lists"].sheet_state == "hidden"

    for table in schema.tables:
        ws = wb[table.sheet(lang)]
        assert ws.freeze_panes == "A2"
        assert table.key in ws.tables
        first = openpyxl.utils.get_column_letter(table.first_column)
        last = _letter(table, table.keys[-1])
        rows = 1 if not (kind == "standards" and table.key == "Thresholds") else len(E.THRESHOLD.values)
        assert ws.tables[table.key].ref == f"{first}1:{last}{1 + rows}"
        dvs = _validations(ws)
        for col in table.columns:
            letter = _letter(table, col.key)
            assert ws[f"{letter}1"].value == col.header(lang)
            dim = ws.column_dimensions[letter]
            assert dim.fill.fgColor.rgb.endswith(INPUT_FILL)
            expected_format = "@" if col.enum is not None or col.type in (ColType.TEXT, ColType.BOOL) \
                else NUMBER_FORMATS[col.type.value]
            assert dim.number_format == expected_format, (table.key, col.key)
            assert dim.width >= min(display_width(col.header(lang)), 60)
            if col.width:
                assert dim.width == col.width
            dv = dvs.get(f"{letter}2:{letter}{VALIDATION_LAST_ROW}")
            if col.enum is not None and not col.open_enum:  # an open list (Appraisal items) takes any name
                assert dv is not None, (table.key, col.key)
                assert dv.type == "list" and dv.errorStyle == "stop"
                inline = '"' + ",".join(col.enum.labels(lang)) + '"'
                if len(inline) <= 257:
                    assert dv.formula1 == inline
                else:  # Excel's limit: the labels are listed on the hidden _lists sheet instead
                    sheet, _, cells = dv.formula1.partition("!")
                    assert sheet == "'_lists'"
                    listed = [c.value for row in wb["_lists"][cells.replace("$", "")] for c in row]
                    assert listed == list(col.enum.labels(lang))
            else:
                assert dv is None, (table.key, col.key)  # no roster given: no Employee ID list

    info = wb[schema.info_sheet(lang)]
    assert (info["A1"].value, info["B1"].value) == (("Field", "Value") if lang == "en" else ("字段", "值"))
    assert [info.cell(r, 1).value for r in range(2, 2 + len(schema.info))] == [f.label(lang) for f in schema.info]
    version_row = 2 + [f.key for f in schema.info].index("template_version")
    assert info.cell(version_row, 2).value == TEMPLATE_VERSION

    text = "\n".join(str(c.value) for row in wb[schema.instructions_sheet(lang)].iter_rows() for c in row if c.value)
    for table in schema.tables:
        assert table.help(lang) in text
        for col in table.columns:
            assert col.header(lang) in text
            if col.enum is not None:
                assert ", ".join(col.enum.labels(lang)) in text


def test_domain_headers_spot_check() -> None:
    """A few DOMAIN.md spellings, written out, so a schema/template mismatch cannot hide."""
    zh = openpyxl.load_workbook(WORKBOOKS / "department-template-zh.xlsx")
    assert [c.value for c in zh["合同"][1]][:3] == ["合同编号", "签订日期", "客户"]
    assert zh["合同"].tables["Contracts"].ref == "A1:K2"
    assert _validations(zh["合同"])["G2:G1048576"].formula1 == '"已签订,履行中,已完成,已终止"'
    assert zh["信息"]["A2"].value == "部门"
    en = openpyxl.load_workbook(WORKBOOKS / "standards-template-en.xlsx")
    assert set(en["Appraisal"].tables) == {"Appraisal", "AppraisalBands"}
    assert en["Appraisal"].tables["AppraisalBands"].ref == "E1:I2"  # A:C the weights (Valid From in C)
    assert [en["Thresholds"].cell(r, 1).value for r in (2, 3)] == ["Amber Band", "Advance Limit"]


def test_blank_template_converts_in_libreoffice(tmp_path: Path) -> None:
    soffice = need("soffice")
    out = tmp_path / "out"
    proc = subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         "--convert-to", "pdf", "--outdir", str(out), str(WORKBOOKS / "department-template-zh.xlsx")],
        capture_output=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr
    pdf = out / "department-template-zh.pdf"
    assert pdf.exists() and pdf.stat().st_size > 1000
    assert pdf.read_bytes()[:5] == b"%PDF-"


# --------------------------------------------------------------------------- filled from frames


def _contracts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "contract_no": ["C-001", '=HYPERLINK("http://x","y")', "C-003"],
            "sign_date": pd.to_datetime(["2026-01-05", "2026-02-28", None]),
            "customer": ["Acme", "北方公司", "Zed"],
            "employee_id": ["E01", "E02", "E01"],
            "product_line": ["Pumps", "Valves", "Pumps"],
            "amount": [1000.0, "abc", 250.5],
            "status": ["Signed", "Executing", "Bogus"],
            "delivered": [None, "#DIV/0!", 100.0],
            "payment_terms": pd.array([30, None, 45], dtype="Int64"),
            "split_employee_id": [None, "E01", None],
            "split_share": [None, 0.25, None],
        }
    )


def test_frames_are_written_in_the_workbook_language(tmp_path: Path) -> None:
    expenses = pd.DataFrame({
        "claim_no": ["X1", "X2"], "date": pd.to_datetime(["2026-03-02", "2026-03-03"]),
        "employee_id": ["E01", "E02"], "category": ["Travel", "Meals"], "amount": [10.0, 20.0],
        "receipt": pd.array([True, False], dtype="boolean"), "approval": ["Approved", None],
    })
    forecast = pd.DataFrame({"month": pd.to_datetime(["2026-11-17"]), "expected_collections": [5.0]})
    path = write_workbook(tmp_path / "d.xlsx", DEPARTMENT, "zh",
                          frames={"Contracts": _contracts(), "Expenses": expenses, "Forecast": forecast},
                          info={"department": "华东", "year": 2026, "period": pd.Timestamp("2026-10-01")})
    wb = openpyxl.load_workbook(path)
    ws = wb["合同"]
    assert ws.tables["Contracts"].ref == "A1:K4"
    assert ws["B2"].value == dt.datetime(2026, 1, 5) and ws["B2"].number_format == "yyyy-mm-dd"
    assert ws["B2"].fill.fgColor.rgb.endswith(INPUT_FILL)
    assert ws["B4"].value is None
    assert [ws[f"G{r}"].value for r in (2, 3, 4)] == ["已签订", "履行中", "Bogus"]  # unknown code as given
    assert (ws["A3"].value, ws["A3"].data_type) == ('=HYPERLINK("http://x","y")', "s")
    assert (ws["F3"].value, ws["F3"].data_type) == ("abc", "s")  # a planted type error
    assert (ws["H3"].value, ws["H3"].data_type) == ("#DIV/0!", "e")  # a planted formula error
    assert ws["F4"].value == 250.5 and ws["F4"].number_format == "#,##0.00"
    assert ws["I2"].value == 30 and ws["K3"].value == 0.25 and ws["K3"].number_format == "0.0%"

    ex = wb["费用"]
    assert [ex["H2"].value, ex["H3"].value] == ["是", "否"]
    assert [ex["D2"].value, ex["D3"].value] == ["差旅", "餐费"]
    assert ex["J3"].value is None
    fc = wb["资金预测"]
    assert fc["A2"].value == dt.datetime(2026, 11, 1) and fc["A2"].number_format == "yyyy-mm"
    info = wb["信息"]
    assert [info["B2"].value, info["B3"].value, info["B4"].value] == ["华东", 2026, "2026-10"]
    assert wb["计划"].tables["Plan"].ref == "A1:O2"  # tables without frames stay blank


def test_filled_template_reads_back_through_the_reader(tmp_path: Path) -> None:
    reader = pytest.importorskip("toolkit.io.reader")
    roster = pd.DataFrame({"employee_id": ["E01", "E02"], "name": ["Ann", "Bo"], "department": ["East", "East"],
                           "role": ["Salesperson", "Manager"], "grade": ["G1", "G3"],
                           "floating_base": [1000.0, 2000.0]})
    for lang in ("en", "zh"):
        path = write_workbook(tmp_path / f"s-{lang}.xlsx", STANDARDS, lang, frames={"Roster": roster})
        data = reader.read_workbook(path)
        assert data.kind == "standards" and data.lang == lang
        got = data.tables["Roster"][list(roster.columns)].reset_index(drop=True)
        assert got["employee_id"].tolist() == ["E01", "E02"]
        assert got["role"].tolist() == ["Salesperson", "Manager"]  # labels read back as codes
        assert got["floating_base"].tolist() == [1000.0, 2000.0]
        assert data.info["template_version"] == TEMPLATE_VERSION


def test_unknown_frame_key_is_rejected() -> None:
    with pytest.raises(KeyError, match="Roster"):
        build_workbook(DEPARTMENT, "en", frames={"Roster": pd.DataFrame()})


# --------------------------------------------------------------------------- roster dropdowns


def test_roster_ids_give_employee_dropdowns_but_not_on_the_roster_itself() -> None:
    wb = build_workbook(DEPARTMENT, "en", roster_ids=["E01", "E02", "E03"])
    contracts = DEPARTMENT.table("Contracts")
    dvs = _validations(wb["Contracts"])
    for key in ("employee_id", "split_employee_id"):
        dv = dvs[f"{_letter(contracts, key)}2:{_letter(contracts, key)}{VALIDATION_LAST_ROW}"]
        assert dv.formula1 == '"E01,E02,E03"' and dv.errorStyle == "warning"
    std = build_workbook(STANDARDS, "en", roster_ids=["E01"])
    roster = STANDARDS.table("Roster")
    assert f"A2:A{VALIDATION_LAST_ROW}" not in _validations(std["Roster"])
    assert roster.column("employee_id").unique


def test_long_roster_goes_to_a_hidden_list_sheet(tmp_path: Path) -> None:
    ids = [f"EMP-{i:05d}" for i in range(60)]  # 60 x 10 characters: too long for an inline list
    path = write_workbook(tmp_path / "r.xlsx", DEPARTMENT, "en", roster_ids=ids)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[-1] == LISTS_SHEET and wb[LISTS_SHEET].sheet_state == "hidden"
    assert [wb[LISTS_SHEET].cell(r, 1).value for r in (1, 60)] == [ids[0], ids[-1]]
    formulas = {dv.formula1 for ws in wb for dv in ws.data_validations.dataValidation if dv.errorStyle == "warning"}
    assert formulas == {f"'{LISTS_SHEET}'!$A$1:$A$60"}


# --------------------------------------------------------------------------- toolkit new


def test_cli_new_department_in_chinese(tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    result = CliRunner().invoke(cli, ["--lang", "zh", "new", "department", "--department", "华东",
                                      "--year", "2026", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert str(out) in result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["信息", "计划"]
    assert [wb["信息"]["B2"].value, wb["信息"]["B3"].value] == ["华东", 2026]
    assert "Contracts" in wb["合同"].tables


def test_cli_new_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "std.xlsx"
    out.write_bytes(b"precious")
    runner = CliRunner()
    result = runner.invoke(cli, ["--lang", "en", "new", "standards", "-o", str(out)])
    assert result.exit_code == 2
    assert f"{out} already exists; choose another name or use --force to replace it." in result.output
    assert out.read_bytes() == b"precious"
    result = runner.invoke(cli, ["new", "standards", "--lang", "zh", "-o", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out).sheetnames[0] == "信息"


def test_cli_new_rejects_a_name_that_is_not_xlsx(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--lang", "zh", "new", "department", "-o", str(tmp_path / "x.xls")])
    assert result.exit_code == 2
    assert "输出文件名必须以 .xlsx 结尾" in result.output
    assert list(tmp_path.iterdir()) == []


def test_cli_new_department_takes_roster_ids_from_standards(tmp_path: Path) -> None:
    pytest.importorskip("toolkit.io.reader")
    roster = pd.DataFrame({"employee_id": ["S01", "S02"], "name": ["Ann", "Bo"], "department": ["East", "West"],
                           "role": ["Salesperson", "Salesperson"], "grade": ["G1", "G2"]})
    standards = write_workbook(tmp_path / "standards.xlsx", STANDARDS, "zh", frames={"Roster": roster})
    out = tmp_path / "dept.xlsx"
    result = CliRunner().invoke(cli, ["new", "department", "--lang", "en", "--standards", str(standards),
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    plan = DEPARTMENT.table("Plan")
    letter = _letter(plan, "employee_id")
    dv = _validations(openpyxl.load_workbook(out)["Plan"])[f"{letter}2:{letter}{VALIDATION_LAST_ROW}"]
    assert dv.formula1 == '"S01,S02"'


def test_new_workbook_with_an_empty_roster_fails_clearly(tmp_path: Path) -> None:
    pytest.importorskip("toolkit.io.reader")
    standards = write_workbook(tmp_path / "standards.xlsx", STANDARDS, "en")
    with pytest.raises(ToolkitError) as info:
        new_workbook("department", tmp_path / "d.xlsx", "en", roster_ids=Source(standards=standards).roster_ids())
    assert info.value.message("en") == f"{standards}: the Roster sheet has no Employee IDs."
    assert not (tmp_path / "d.xlsx").exists()


def test_every_printed_page_of_a_template_and_the_sample_names_its_file_and_sheet() -> None:
    """The blank templates and the sample (and so every workbook the toolkit drafts from them, such as next
    year's plan workbooks) head each printed page with the file and sheet name, and number the pages."""
    books = sorted(WORKBOOKS.glob("*-template-*.xlsx")) + sorted((WORKBOOKS / "sample").glob("*.xlsx"))
    assert len(books) >= 8
    for path in books:
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            if ws.sheet_state == "visible":
                assert ws.oddHeader.center.text == "&F – &A", (path.name, ws.title)
                assert ws.oddFooter.center.text, (path.name, ws.title)


# --- the fast paths of writing a workbook (session 21): each gives the bytes of the general path it stands beside

@pytest.fixture(scope="module")
def sample_books() -> list[tuple[WorkbookSchema, str, dict[str, pd.DataFrame], dict, list[str] | None]]:
    """The sample's workbooks as the writer is given them (read back: typed frames of every column dtype the
    writer meets): a department whole in Chinese with a Roster dropdown, another's first rows in English, the
    standards whole in English."""
    def book(name: str, lang: str, rows: int | None, roster: list[str] | None):
        data = read_workbook(WORKBOOKS / "sample" / name)
        schema = STANDARDS if name == "standards.xlsx" else DEPARTMENT
        return schema, lang, {k: f.head(rows) for k, f in data.tables.items()}, data.info, roster

    return [book("dept-east.xlsx", "zh", None, ["E001", "E,2"]), book("dept-north.xlsx", "en", 4, None),
            book("standards.xlsx", "en", None, None)]


def _bytes(book: tuple, writer_class: type | None = None) -> bytes:
    schema, lang, frames, info, roster = book
    wb = build_workbook(schema, lang, frames=frames, info=info, roster_ids=roster)
    return workbook_bytes(wb) if writer_class is None else workbook_bytes(wb, writer_class)


def test_sheets_written_in_memory_are_openpyxls_bytes(sample_books) -> None:
    """A sheet's XML made in memory (``io.writer._MemoryExcelWriter``) packages to openpyxl's own writer's bytes."""
    for book in sample_books:
        assert _bytes(book) == _bytes(book, ExcelWriter)


def _set_text_by_openpyxl(cell, value) -> None:
    """``set_text`` as it was: openpyxl's value setter (its type inference and checks), then text kept as text."""
    if isinstance(value, str):
        cell.value = writer_module._ILLEGAL.sub("", value)
        cell.data_type = "s"
    else:
        cell.value = value


def _styled_by_openpyxl(cell, **styles) -> None:
    """``_styled`` without its copies: every attribute set through openpyxl (a hash and a look-up each)."""
    for name, value in styles.items():
        setattr(cell, name, value)


def _column_items_through_objects(frame, key, nrows):
    """``_column_items`` as it was: the column copied to an object Series (a lacking one: None throughout)."""
    series = frame[key] if key in frame.columns else pd.Series([None] * nrows, dtype=object)
    return series.astype(object).tolist()


def _isna(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


@pytest.mark.parametrize("general", ["set_text", "styled", "column_values"])
def test_a_template_is_the_general_paths_template(sample_books, monkeypatch, general: str) -> None:
    """Text cells set directly, styles copied once found, a column's values from ``tolist``: the sample's workbooks
    (both languages, a dropdown of the Roster's IDs) are the bytes each general path gives."""
    books = sample_books
    fast = [_bytes(book) for book in books]
    if general == "set_text":
        monkeypatch.setattr(templates_module, "set_text", _set_text_by_openpyxl)
    elif general == "styled":
        monkeypatch.setattr(templates_module, "_styled", _styled_by_openpyxl)
    else:
        monkeypatch.setattr(templates_module, "_column_items", _column_items_through_objects)
        monkeypatch.setattr(templates_module, "_missing", _isna)
    assert [_bytes(book) for book in books] == fast


def test_text_cells_are_what_openpyxls_setter_makes() -> None:
    """``set_text`` on awkward text (formula-like, an error code, control characters, longer than a cell holds, a
    NumPy string) stores what openpyxl's setter stores, as text."""
    wb = openpyxl.Workbook()
    ws = wb.active
    texts = ["=1+2", "#N/A", "a\x01b\x1fc", "x" * 40_000, np.str_("东区"), "", "-5", "@x", "x\x0b" * 20_000]
    for row, text in enumerate(texts, start=1):
        fast, general = ws.cell(row, 1), ws.cell(row, 2)
        set_text(fast, text)
        _set_text_by_openpyxl(general, text)
        assert (type(fast.value), fast.value, fast.data_type) == (str, general.value, "s") and general.data_type == "s"


def test_missing_is_pandas_isna_on_every_kind_of_value(sample_books) -> None:
    """The template's ``_missing`` answers what ``pd.isna`` answers, on the values a typed frame's ``tolist`` gives."""
    values = ["", "x", 0, 1, True, False, 0.0, -1.5, float("nan"), np.nan, None, pd.NA, pd.NaT, np.float64("nan"),
              np.int64(3), pd.Timestamp("2026-01-01"), dt.date(2026, 1, 1), np.datetime64("NaT"), [1, 2], (None,)]
    for frame in sample_books[0][2].values():
        for key in frame.columns:
            values += frame[key].tolist()
    assert [templates_module._missing(v) for v in values] == [_isna(v) for v in values]
