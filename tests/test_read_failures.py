"""Files that cannot be read fail with one clear message naming the file, in English and Chinese."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import CALAMINE, SAMPLE

from toolkit.cli.main import cli
from toolkit.errors import ToolkitError
from toolkit.io import formula_engine, safety
from toolkit.io.reader import read_raw_sheets, read_workbook
from toolkit.operations.source import Source

CAL = CALAMINE  # committed copies of calamine's test files (tests/data/calamine/README.md)


def messages(path: Path | str, fn=read_workbook) -> tuple[str, str]:
    with pytest.raises(ToolkitError) as info:
        fn(path)
    return info.value.message("en"), info.value.message("zh")


def good_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "Contracts"
    wb.active.append(["Contract No", "Amount"])
    wb.save(path)
    return path


# ----------------------------------------------------------------------------------------- not a workbook


def test_missing_file(tmp_path: Path) -> None:
    p = tmp_path / "nope.xlsx"
    assert messages(p) == (f"{p}: file not found.", f"{p}：找不到文件。")


def test_directory(tmp_path: Path) -> None:
    p = tmp_path / "folder.xlsx"
    p.mkdir()
    assert messages(p) == (f"{p}: is a folder, not a workbook.", f"{p}：这是文件夹，不是工作簿。")


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.xlsx"
    p.write_bytes(b"")
    assert messages(p) == (f"{p}: the file is empty (0 bytes).", f"{p}：文件为空（0 字节）。")


def test_text_renamed_xlsx(tmp_path: Path) -> None:
    p = tmp_path / "notes.xlsx"
    p.write_text("Contract No,Amount\nC-1,100\n")
    assert messages(p) == (
        f"{p}: is not an Excel workbook (.xlsx); open it in Excel and save it as .xlsx.",
        f"{p}：不是 Excel 工作簿（.xlsx）；请在 Excel 中打开并另存为 .xlsx。",
    )


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    p = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert messages(p)[0] == f"{p}: is not an Excel workbook (.xlsx); open it in Excel and save it as .xlsx."


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_truncated_zip(tmp_path: Path, cut: float) -> None:
    data = good_workbook(tmp_path / "whole.xlsx").read_bytes()
    p = tmp_path / "cut.xlsx"
    p.write_bytes(data[: int(len(data) * cut)])
    assert messages(p) == (
        f"{p}: the workbook is damaged and cannot be read; open it in Excel and save it again.",
        f"{p}：工作簿已损坏，无法读取；请在 Excel 中打开并重新保存。",
    )


def test_corrupt_part(tmp_path: Path) -> None:
    p = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good_workbook(tmp_path / "ok.xlsx")) as src, zipfile.ZipFile(p, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, b"<worksheet><sheetData><row" if "worksheets/" in item.filename else data)
    assert messages(p, read_raw_sheets)[0] == (
        f"{p}: the workbook is damaged and cannot be read; open it in Excel and save it again."
    )


@pytest.mark.parametrize("name", ["~$budget.xlsx", ".~lock.budget.xlsx#"])
def test_lock_files(tmp_path: Path, name: str) -> None:
    p = tmp_path / name
    p.write_bytes(b"\x05user" + b" " * 50)
    assert messages(p) == (
        f"{p}: is a lock file that Excel or LibreOffice keeps while a workbook is open, not a workbook; "
        "read the workbook itself.",
        f"{p}：这是 Excel 或 LibreOffice 在打开工作簿时生成的锁定文件，不是工作簿；请读取工作簿本身。",
    )


@pytest.mark.skipif(not CAL.exists(), reason="../shared/corpus is not present")
def test_encrypted_workbook() -> None:
    p = CAL / "pass_protected.xlsx"
    assert messages(p) == (
        f"{p}: the workbook is password-protected; remove the password in Excel and save it as .xlsx.",
        f"{p}：工作簿设有打开密码；请在 Excel 中取消密码后另存为 .xlsx。",
    )


@pytest.mark.parametrize("name", ["date.xls", "date.xlsb", "date.ods"])
def test_other_spreadsheet_formats_are_read_like_xlsx(name: str) -> None:
    """Since issue 14 .xls, .xlsb and .ods are read (python-calamine decodes them): the same cells as the .xlsx
    (calamine's date.ods holds other values after its first row, so only that row is compared there)."""
    got, want = read_raw_sheets(CAL / name), read_raw_sheets(CAL / "date.xlsx")
    if name.endswith(".ods"):
        got, want = {k: v[:1] for k, v in got.items()}, {k: v[:1] for k, v in want.items()}
    assert got == want


def test_csv_is_still_refused(tmp_path: Path) -> None:
    p = tmp_path / "data.csv"
    p.write_text("a,b\n1,2\n")
    assert messages(p) == (f"{p}: CSV (.csv) files are not supported; open it in Excel and save it as .xlsx.",
                           f"{p}：不支持CSV（.csv）文件；请在 Excel 中打开并另存为 .xlsx。")


def test_ole_file_that_is_no_workbook(tmp_path: Path) -> None:
    p = tmp_path / "old.xlsx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert messages(p)[0] == f"{p}: is not an Excel workbook (.xlsx); open it in Excel and save it as .xlsx."


def test_ods_renamed_xlsx(tmp_path: Path) -> None:
    p = tmp_path / "calc.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    assert messages(p)[0] == f"{p}: the workbook is damaged and cannot be read; open it in Excel and save it again."


# ----------------------------------------------------------------------------------------- hostile files

_CT = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
       '<Override PartName="/xl/sharedStrings.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def hostile(path: Path, sheet_data: str, sst: str = "", dimension: str = "", extra: bytes = b"") -> Path:
    """A hand-made .xlsx package: one sheet 'Contracts' with the given sheetData and shared strings."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                   f'relationships"><Relationship Id="rId1" Type="{_R}/officeDocument" Target="xl/workbook.xml"/>'
                   "</Relationships>")
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{_NS}" xmlns:r="{_R}"><sheets>'
                   '<sheet name="Contracts" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                   f'2006/relationships"><Relationship Id="rId1" Type="{_R}/worksheet" '
                   f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{_R}/sharedStrings" '
                   'Target="sharedStrings.xml"/></Relationships>')
        dim = f'<dimension ref="{dimension}"/>' if dimension else ""
        z.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{_NS}">{dim}<sheetData>{sheet_data}'
                   "</sheetData></worksheet>")
        z.writestr("xl/sharedStrings.xml", sst or f'<sst xmlns="{_NS}" count="0" uniqueCount="0"/>')
        if extra:
            z.writestr("xl/media/blob.bin", extra)
    return path


def out_of_memory(p: Path | str) -> tuple[str, str]:
    """The too-large details when the parse of ``p`` runs out of its memory budget (which its size decides)."""
    mb = safety.check_file(p).memory // 1024**2
    return (f"the reader ran out of its memory budget of {mb:,} MB", f"读取时超出 {mb:,} MB 的内存限额")


DENSE = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'


def too_large(p: Path, en: str, zh: str) -> tuple[str, str]:
    return (f"{p}: the workbook is too large to read safely ({en}).", f"{p}：工作簿过大，无法安全读取（{zh}）。")


def stray(p: Path, sheet: str, cell: str, extent: str) -> tuple[str, str]:
    """Issue 22: a range inflated by one stray value names that value, not just "too large"."""
    return (f"{p}: sheet '{sheet}' has a value in {cell}, far beyond its table ({extent}); the reader would have to "
            "hold the whole range up to it. Delete that value (select the rows or columns beyond the table and delete "
            "them) and save.",
            f"{p}：工作表“{sheet}”在 {cell} 有一个值，远在表格（{extent}）之外；读取时须载入直到该单元格的整个区域。"
            "请删除该值（选中表格之外的行或列并删除）后保存。")


@pytest.mark.skipif(not safety.isolation_enabled(), reason="needs the isolated child (Linux)")
def test_dense_grid_abort_is_contained(tmp_path: Path) -> None:
    # calamine aborts the process allocating 16384 x 1048576 cells; the child dies, we do not
    p = hostile(tmp_path / "grid.xlsx", DENSE)
    assert messages(p, read_raw_sheets) == stray(p, "Contracts", "XFD1048576", "A1:A1")


def test_dense_grid_refused_by_dimension_without_isolation(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TOOLKIT_READ_ISOLATION", "0")
    p = hostile(tmp_path / "grid.xlsx", DENSE, dimension="A1:XFD1048576")
    assert messages(p, read_raw_sheets) == stray(p, "Contracts", "XFD1048576", "A1:A1")


@pytest.mark.parametrize("isolated", ["1", "0"])
def test_sheet_with_more_cells_than_the_limit_is_refused_naming_it(tmp_path: Path, monkeypatch, isolated) -> None:
    """The parsed range is counted before its cells become Python values, isolated or not; the limit is in cells,
    so the same file is refused the same way on any machine."""
    monkeypatch.setenv("TOOLKIT_READ_ISOLATION", isolated)
    monkeypatch.setattr(safety, "MAX_CELLS", 5)
    p = good_workbook(tmp_path / "ok.xlsx")  # Contracts: A1:B1, 2 cells
    assert read_raw_sheets(p) == {"Contracts": [["Contract No", "Amount"]]}
    wb = openpyxl.load_workbook(p)
    wb.active.append(["C-1", 100])
    wb.active.append(["C-2", 200])
    wb.save(p)  # A1:B3, 6 cells
    expected = too_large(p, "sheet 'Contracts' spans 3 x 2 cells; at most 5 are read",
                         "工作表“Contracts”范围为 3 × 2 个单元格，上限为 5 个")
    assert messages(p, read_raw_sheets) == expected
    monkeypatch.setattr(safety, "MAX_CELLS", 100)  # a department workbook: its Plan sheet spans more
    dept = tmp_path / "dept.xlsx"
    dept.write_bytes((SAMPLE / "dept-east.xlsx").read_bytes())
    en, zh = messages(dept)
    assert en.startswith(f"{dept}: the workbook is too large to read safely (sheet '") and \
        en.endswith(" cells; at most 100 are read).")
    assert zh.startswith(f"{dept}：工作簿过大，无法安全读取（工作表“") and zh.endswith("个单元格，上限为 100 个）。")


def test_lying_shared_string_count_is_ignored(tmp_path: Path) -> None:
    """Excel opens a workbook whose sharedStrings counts are absurd (a POI test file has one): the counts are
    dropped in a private copy, which the reader sizes its table from, so the file reads and nothing aborts."""
    sst = f'<sst xmlns="{_NS}" count="1" uniqueCount="4000000000"><si><t>a</t></si></sst>'
    p = hostile(tmp_path / "sst.xlsx", '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', sst)
    before = p.read_bytes()
    assert read_raw_sheets(p) == {"Contracts": [["a"]]}
    assert p.read_bytes() == before


@pytest.mark.skipif(not safety.isolation_enabled(), reason="needs the isolated child (Linux)")
def test_huge_shared_string_repeated_hits_the_memory_budget(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(safety, "MEMORY_BASE", 256 * 1024**2)
    cells = "".join(f'<c r="{c}{{r}}" t="s"><v>0</v></c>' for c in "ABCDEFGHIJKL")
    rows = "".join(f'<row r="{r}">{cells.format(r=r)}</row>' for r in range(1, 1001))
    sst = f'<sst xmlns="{_NS}" count="12000" uniqueCount="1"><si><t>{"x" * 1_000_000}</t></si></sst>'
    p = hostile(tmp_path / "bigstr.xlsx", rows, sst)
    assert messages(p, read_raw_sheets) == too_large(p, *out_of_memory(p))


def test_decompression_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    p = hostile(tmp_path / "bomb.xlsx", "", extra=b"\0" * (64 * 1024**2))
    en, zh = messages(p, read_raw_sheets)
    assert en.startswith(f"{p}: the workbook is too large to read safely (part xl/media/blob.bin expands ")
    assert en.endswith("x; at most 250x is read).")
    assert zh.startswith(f"{p}：工作簿过大，无法安全读取（部件 xl/media/blob.bin 解压后膨胀 ")
    assert zh.endswith(" 倍，上限为 250 倍）。")


def test_too_many_parts(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(safety, "MAX_ENTRIES", 5)
    p = hostile(tmp_path / "parts.xlsx", "")
    assert messages(p, read_raw_sheets) == too_large(p, "6 parts; at most 5 are read", "6 个部件，上限为 5 个")


# ----------------------------------------------------------------------------------------- the isolation itself


@pytest.mark.skipif(not safety.isolation_enabled(), reason="needs the isolated child (Linux)")
def test_isolated_child_timeout_and_abort_become_messages(tmp_path: Path, monkeypatch) -> None:
    checked = safety.check_file(good_workbook(tmp_path / "ok.xlsx"))
    quick = dataclasses.replace(checked)
    # the watchdog against a hung parser (never reached by a file that parses): sleep(30) returning would be "ok"
    monkeypatch.setattr(safety, "TIMEOUT_BASE", 0.5)
    monkeypatch.setattr(safety, "TIMEOUT_PER_MB", 2.0)
    with pytest.raises(ToolkitError) as info:
        safety.run_isolated(quick, time.sleep, 30)
    assert info.value.message("en") == (
        f"{checked.shown}: reading took longer than 1 s and was stopped; the workbook may be damaged."
    )
    monkeypatch.undo()
    with pytest.raises(ToolkitError) as info:
        safety.run_isolated(checked, os.abort)
    assert info.value.key == "read.corrupt"
    assert safety.run_isolated(checked, sum, [1, 2, 3]) == 6


def test_in_process_mode_maps_parser_errors(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TOOLKIT_READ_ISOLATION", "0")
    assert not safety.isolation_enabled()
    p = tmp_path / "cut.xlsx"
    p.write_bytes(good_workbook(tmp_path / "ok.xlsx").read_bytes()[:-30])
    assert messages(p)[0] == f"{p}: the workbook is damaged and cannot be read; open it in Excel and save it again."
    assert read_raw_sheets(tmp_path / "ok.xlsx")["Contracts"] == [["Contract No", "Amount"]]


# ------------------------------------------------------------------------------ batch workers: in-process first


@pytest.mark.skipif(not safety.isolation_enabled(), reason="needs the isolated child (Linux)")
def test_consolidate_worker_that_dies_on_a_file_is_replaced_and_the_file_reported(tmp_path: Path,
                                                                                 tmp_path_factory) -> None:
    # Workers parse in-process (no fork per file); calamine aborting on a dense grid kills the worker.
    # The files not yet done are read again isolated: the bad one gets its usual message, the rest load.
    import shutil

    from consolidate_helpers import copy_sample, sample_source

    from toolkit.operations.consolidate import consolidate

    folder = copy_sample(sample_source(tmp_path_factory), tmp_path / "in")
    bad = folder / "dept-zz-grid.xlsx"
    with zipfile.ZipFile(folder / "dept-west.xlsx") as zin, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():  # a real department whose sheets also hold a cell at XFD1048576
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
                                                      b"</sheetData>")
            zout.writestr(item, data)
    shutil.copy(folder / "dept-east.xlsx", folder / "dept-zzz-east-again.xlsx")  # after the bad one
    res = consolidate(Source([folder], db=tmp_path / "s.db"), "2026-10", jobs=2)
    by_name = {Path(f.path).name: f for f in res.files}
    assert by_name[bad.name].status == "unreadable"
    assert by_name[bad.name].reason.startswith(f"{bad}: sheet ") and "has a value in XFD1048576" in by_name[bad.name].reason
    assert by_name["dept-zzz-east-again.xlsx"].status == "duplicate"  # read after the worker died
    assert by_name["dept-east.xlsx"].status == "loaded"
    single = consolidate(Source([folder], db=tmp_path / "one.db"), "2026-10", jobs=1)
    assert [(f.path, f.status, f.reason) for f in single.files] == [(f.path, f.status, f.reason) for f in res.files]


def test_in_process_first_keeps_the_isolated_message_for_python_failures(tmp_path: Path) -> None:
    checked = safety.check_file(good_workbook(tmp_path / "ok.xlsx"))
    safety.read_in_process_first()
    try:
        assert safety.run_isolated(checked, sum, [1, 2]) == 3
        with pytest.raises(ToolkitError) as info:
            safety.run_isolated(checked, lambda: [0] * (checked.memory * 4))  # MemoryError under the limit
        if safety.isolation_enabled():
            assert info.value.message("en") == too_large(checked.shown, *out_of_memory(checked.path))[0]
        import resource

        assert resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY  # limit lifted again
    finally:
        safety.read_in_process_first(False)


POI = Path(__file__).resolve().parent / "data" / "poi"  # copies with licence and provenance: data/poi/README.md


@pytest.mark.parametrize("name, key, words", [
    ("60284.xls", "read.xls-default-password", "Excel 5.0/95"),
    ("64130.xls", "read.xls-undecodable", "Excel 5.0/95"),
    ("51535.xls", "read.stray-cells", "IV65536"),
    ("testEXCEL_3.xls", "read.old-excel", "Excel 3.0"),
    ("testEXCEL_4.xls", "read.old-excel", "Excel 4.0"),
])
def test_poi_files_excel_opens_get_a_true_message(name: str, key: str, words: str) -> None:
    """Issue 22: never "damaged", "password-protected", "too large" or "not an Excel workbook" for these."""
    with pytest.raises(ToolkitError) as exc:
        read_raw_sheets(POI / name)
    assert exc.value.key == key
    en, zh = exc.value.message("en"), exc.value.message("zh")
    assert words in en and words in zh
    assert not any(w in en for w in ("damaged", "password-protected", "too large", "not an Excel workbook"))


def test_poi_sheet_listed_without_its_part_is_read(tmp_path: Path) -> None:
    """60825.xlsx lists a VBA module sheet with r:id="": Excel drops it; the reader reads the rest (repaired copy)."""
    before = (POI / "60825.xlsx").read_bytes()
    assert read_raw_sheets(POI / "60825.xlsx") == {"Sheet1": []}
    assert (POI / "60825.xlsx").read_bytes() == before


def test_memory_budget_is_sized_to_the_machine_not_to_the_declared_size(tmp_path: Path) -> None:
    """Issue 22: a 90 MB workbook declaring a huge package may not claim 14.5 GiB of a smaller machine."""
    huge = safety.CheckedFile(tmp_path / "x.xlsx", "x.xlsx", 500 * 1024**3)
    small = safety.CheckedFile(tmp_path / "x.xlsx", "x.xlsx", 1024**2)
    assert huge.memory == max(safety.MEMORY_BASE, safety.machine_memory()) < 500 * 1024**3
    assert small.memory == safety.MEMORY_BASE + safety.MEMORY_PER_BYTE * 1024**2


@pytest.mark.skipif(not safety.isolation_enabled(), reason="the memo keeps reads made in the isolated child")
def test_the_same_bytes_are_parsed_once_and_read_as_a_fresh_parse(tmp_path: Path, monkeypatch) -> None:
    """``safety.read_safely``'s memo: a copy of bytes already read (elsewhere, under another name) is the kept
    result, equal to a fresh parse but for its own path; other bytes, another kind, a lowered limit and failures
    are parsed again; a result that names its file is kept for that name only."""
    parsed: list[str] = []
    child = safety._child
    monkeypatch.setattr(safety, "_child", lambda checked, *a: parsed.append(checked.shown) or child(checked, *a))
    safety.forget_reads()
    first, copy = tmp_path / "a.xlsx", tmp_path / "b" / "dept-east.xlsx"
    copy.parent.mkdir()
    for path in (first, copy):
        shutil.copy(SAMPLE / "dept-east.xlsx", path)
    read = read_workbook(first)
    read.findings.clear()  # what a caller does to its result is not what the next read gets
    read.info["department"] = "changed"
    read.tables["Expenses"]["_row"] = -1
    again = read_workbook(copy)
    assert parsed == [str(first)]
    safety.forget_reads()
    fresh = read_workbook(copy)
    assert parsed == [str(first), str(copy)]
    assert again.path == fresh.path == str(copy) and again.info == fresh.info and again.layout == fresh.layout
    assert [f.to_dict() for f in again.findings] == [f.to_dict() for f in fresh.findings]
    assert again.tables.keys() == fresh.tables.keys() and again.info_cells == fresh.info_cells
    for key in fresh.tables:
        pd.testing.assert_frame_equal(again.tables[key], fresh.tables[key], check_exact=True)
    assert read_raw_sheets(copy) == read_raw_sheets(first) and len(parsed) == 3  # raw sheets: their own entry
    read_workbook(copy, kind="department")  # another kind asked for
    assert len(parsed) == 4
    monkeypatch.setattr(safety, "MAX_CELLS", 100)  # a lowered limit: read again, and refused every time
    for _ in range(2):
        with pytest.raises(ToolkitError) as exc:
            read_workbook(copy)
        assert exc.value.key in ("read.too-large", "read.stray-cells")
    assert len(parsed) == 6
    monkeypatch.undo()
    monkeypatch.setattr(safety, "_child", lambda checked, *a: parsed.append(checked.shown) or child(checked, *a))
    monkeypatch.setattr(formula_engine, "MAX_FORMULAS", 1)  # the formula-limit finding names the file
    wb = openpyxl.load_workbook(SAMPLE / "dept-east.xlsx")
    wb["Forecast"]["B2"], wb["Forecast"]["B3"] = "=1000*2", "=1000*3"
    wb.save(tmp_path / "f.xlsx")
    shutil.copy(tmp_path / "f.xlsx", tmp_path / "g.xlsx")
    named = {name: read_workbook(tmp_path / name) for name in ("f.xlsx", "g.xlsx", "f.xlsx")}
    assert [Path(p).name for p in parsed[6:]] == ["f.xlsx", "g.xlsx"], [Path(p).name for p in parsed[6:]]  # f's second read is kept; g parsed
    for name, data in named.items():
        (limit,) = [f for f in data.findings if f.code == "formula-limit"]
        assert limit.params["file"] == str(tmp_path / name) and data.path == str(tmp_path / name)


def test_a_read_is_kept_per_extension_and_a_file_moved_after_its_parse_still_reads(tmp_path: Path,
                                                                                   monkeypatch) -> None:
    """The memo keys a read by the file's extension too (the reader opens and names a file by it: the same bytes
    as .xlsm are parsed again), and a file moved away right after its parse (a sync client, a queue) is the read's
    result, not an error from the memo's digest: that read is simply not kept."""
    parsed: list[str] = []
    child = safety._child
    monkeypatch.setattr(safety, "_child", lambda checked, *a: parsed.append(checked.shown) or child(checked, *a))
    safety.forget_reads()
    xlsx, xlsm = tmp_path / "east.xlsx", tmp_path / "east.xlsm"
    for path in (xlsx, xlsm):
        shutil.copy(SAMPLE / "dept-east.xlsx", path)
    assert read_workbook(xlsx).path == str(xlsx) and read_workbook(xlsm).path == str(xlsm)
    assert parsed == [str(xlsx), str(xlsm)]

    moved = tmp_path / "moving.xlsx"
    shutil.copy(SAMPLE / "dept-west.xlsx", moved)

    def parse_then_move(checked, *a):
        data = child(checked, *a)
        checked.path.rename(tmp_path / "moved-away.xlsx")
        return data

    monkeypatch.setattr(safety, "_child", parse_then_move)
    data = read_workbook(moved)
    assert data.path == str(moved) and len(data.tables["Contracts"]) > 0
    monkeypatch.setattr(safety, "_child", lambda checked, *a: parsed.append(checked.shown) or child(checked, *a))
    shutil.copy(tmp_path / "moved-away.xlsx", moved)
    read_workbook(moved)
    assert parsed[-1] == str(moved)  # not kept: parsed again


def test_a_file_whose_name_is_not_text_is_named_and_left_out_not_a_crash(tmp_path: Path) -> None:
    """A workbook whose name is bytes in another encoding (GBK, as some unzip tools leave it) cannot be carried by
    the store, JSON or a message: validate reports it unreadable saying why (named explicitly or in a folder),
    consolidate lists it as skipped with that reason and consolidates the rest — before, validate said "damaged"
    and consolidate stopped with an unexpected error."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("dept-west.xlsx", "standards.xlsx"):
        shutil.copy(SAMPLE / name, folder / name)
    raw = os.path.join(os.fsencode(folder), "华南.xlsx".encode("gbk"))
    try:
        shutil.copy(SAMPLE / "dept-east.xlsx", raw)
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8 (as macOS does): nothing to guard there")
    gbk = os.fsdecode(raw)
    runner = CliRunner()
    for args in ([gbk], [str(folder)]):
        out = runner.invoke(cli, ["validate", *args, "--format", "json"])
        # exit 2 when nothing named could be read (as for any unreadable file alone), 1 when others were
        assert out.exit_code == (2 if args == [gbk] else 1) and "Unexpected" not in out.output, out.output
        files = {Path(f["path"]).name: f for f in json.loads(out.stdout)["files"]}
        (bad,) = [f for n, f in files.items() if "\ufffd" in n]
        assert bad["status"] == "unreadable" and "name is not text" in json.dumps(bad)
        assert len(files) == (1 if args == [gbk] else 3)
    out = runner.invoke(cli, ["consolidate", str(folder), "--period", "2026-10", "--db", str(tmp_path / "s.db"),
                              "-o", str(tmp_path / "c.xlsx"), "--format", "json"])
    assert "Unexpected" not in out.output, out.output
    report = json.loads(out.stdout)
    assert {Path(s["path"]).name: s["reason"] for s in report["skipped"]} == {"\ufffd" * 4 + ".xlsx": "name-not-text"}
    assert [Path(f["path"]).name for f in report["files"] if f["status"] == "loaded"] == ["dept-west.xlsx"]
