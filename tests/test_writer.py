"""toolkit.io.writer: atomic saves, deterministic openpyxl saves, text safety, write_frames tables."""

from __future__ import annotations

import csv
import datetime as dt
import os
import stat
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import need
from python_calamine import CalamineWorkbook

from toolkit.errors import ToolkitError
from toolkit.io import writer as W
from toolkit.io.writer import (
    FIXED_TIME,
    MAX_DATA_ROWS,
    NUMBER_FORMATS,
    SheetFrame,
    atomic_save,
    cell_values,
    display_width,
    save_workbook,
    series_width,
    set_text,
    write_frames,
)
from toolkit.money import fmt_money


def _leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


# --------------------------------------------------------------------------- atomic_save


def test_atomic_save_writes_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    atomic_save(target, lambda tmp: tmp.write_bytes(b"new content"))
    assert target.read_bytes() == b"new content"
    assert _leftovers(tmp_path, {"out.bin"}) == []


def test_atomic_save_failure_keeps_old_file_and_removes_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old and complete")

    def half_write(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise RuntimeError("disk went away")

    with pytest.raises(RuntimeError, match="disk went away"):
        atomic_save(target, half_write)
    assert target.read_bytes() == b"old and complete"
    assert _leftovers(tmp_path, {"out.xlsx"}) == []


def test_atomic_save_failure_on_new_file_creates_nothing(tmp_path: Path) -> None:
    def boom(tmp: Path) -> None:
        tmp.write_bytes(b"partial")
        raise ValueError("no")

    with pytest.raises(ValueError):
        atomic_save(tmp_path / "new.xlsx", boom)
    assert list(tmp_path.iterdir()) == []


def test_atomic_save_missing_folder_is_a_toolkit_error_naming_the_file(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.xlsx"
    with pytest.raises(ToolkitError) as info:
        atomic_save(target, lambda tmp: tmp.write_bytes(b"x"))
    assert info.value.key == "writer.cannot-write"
    assert str(target) in info.value.message("en")
    assert str(target) in info.value.message("zh") and "无法写入" in info.value.message("zh")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_atomic_save_permissions_follow_umask_and_existing_file(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.bin"
    atomic_save(fresh, lambda tmp: tmp.write_bytes(b"x"))
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~mask  # not mkstemp's 0600

    kept = tmp_path / "kept.bin"
    kept.write_bytes(b"old")
    os.chmod(kept, 0o640)
    atomic_save(kept, lambda tmp: tmp.write_bytes(b"new"))
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640


# --------------------------------------------------------------------------- openpyxl helpers


def test_set_text_keeps_formula_like_text_as_strings(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    texts = ['=HYPERLINK("http://x","y")', "+86 10 1234", "-5", "@user", "#N/A", "bell\x07here"]
    for row, text in enumerate(texts, start=1):
        set_text(ws.cell(row, 1), text)
    set_text(ws.cell(1, 2), 12.5)
    path = save_workbook(wb, tmp_path / "t.xlsx")

    back = openpyxl.load_workbook(path).active
    got = [(back.cell(r, 1).value, back.cell(r, 1).data_type) for r in range(1, len(texts) + 1)]
    assert got[:5] == [(text, "s") for text in texts[:5]]
    assert got[5] == ("bellhere", "s")  # control characters xlsx cannot hold are dropped
    assert back.cell(1, 2).value == 12.5 and back.cell(1, 2).data_type == "n"


def _workbook() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "same"
    return wb


def test_save_workbook_is_reproducible(tmp_path: Path) -> None:
    first = save_workbook(_workbook(), tmp_path / "a.xlsx")
    second = save_workbook(_workbook(), tmp_path / "b.xlsx")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as zf:
        assert {info.date_time for info in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f">{stamp}</dcterms:created>" in core and f">{stamp}</dcterms:modified>" in core


def test_display_width_counts_cjk_double() -> None:
    assert display_width("Amount") == 6
    assert display_width("合同金额") == 8
    assert display_width("账期(天)") == 8


# --------------------------------------------------------------------------- write_frames


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Employee": ["E001", "E002", "E003", None],
            "Date": pd.to_datetime(["2026-01-05", None, "2026-03-31", "2026-12-01"]),
            "Month": pd.to_datetime(["2026-01-17", "2026-02-01", None, "2026-04-30"]),
            "Amount": [1234.5, np.nan, -20.0, "abc"],
            "Share": [0.8, 0.25, None, 1.0],
            "Count": pd.array([3, None, 7, 0], dtype="Int64"),
            "Factor": [1.25, np.inf, 0.5, 2.0],
            "Note": ['=HYPERLINK("http://evil","click")', "+1", "plain", "中文备注"],
            "Paid": [True, False, None, True],
            "RAG": ["green", "amber", "红", "red"],
        }
    )


FORMATS = {"Amount": "money", "Share": "percent", "Month": "month", "Paid": "bool", "Count": "integer"}


def test_write_frames_reloads_with_values_formats_and_tables(tmp_path: Path) -> None:
    frame = _frame()
    empty = pd.DataFrame({"Only": pd.Series([], dtype="str")})
    path = write_frames(
        tmp_path / "out.xlsx",
        [SheetFrame("Results", frame, FORMATS, "Results", rag=("RAG",)), SheetFrame("空表", empty)],
        lang="zh",
    )
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Results", "空表"]
    ws = wb["Results"]
    assert dict(ws.tables.items()) == {"Results": "A1:J5"}
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == list(frame.columns)

    rows = [[c for c in row] for row in ws.iter_rows(min_row=2, max_row=5)]
    col = {name: i for i, name in enumerate(frame.columns)}

    def cell(r: int, name: str):  # r: 0-based data row
        return rows[r][col[name]]

    assert cell(0, "Employee").value == "E001" and cell(3, "Employee").value is None
    assert cell(0, "Date").value == pd.Timestamp("2026-01-05").to_pydatetime()
    assert cell(0, "Date").number_format == NUMBER_FORMATS["date"]
    assert cell(1, "Date").value is None
    assert cell(0, "Month").value == pd.Timestamp("2026-01-01").to_pydatetime()  # first day of the month
    assert cell(0, "Month").number_format == "yyyy-mm"
    assert cell(0, "Amount").value == 1234.5 and cell(0, "Amount").number_format == "#,##0.00"
    assert cell(1, "Amount").value is None  # NaN is blank
    assert (cell(3, "Amount").value, cell(3, "Amount").data_type) == ("abc", "s")  # raw text kept
    assert cell(1, "Share").value == 0.25 and cell(1, "Share").number_format == "0.0%"
    assert cell(0, "Count").value == 3 and cell(1, "Count").value is None
    assert cell(1, "Factor").value is None  # inf is blank
    assert (cell(0, "Note").value, cell(0, "Note").data_type) == ('=HYPERLINK("http://evil","click")', "s")
    assert cell(1, "Note").value == "+1" and cell(3, "Note").value == "中文备注"
    assert [cell(r, "Paid").value for r in range(4)] == ["是", "否", None, "是"]

    rules = [rule for rng in ws.conditional_formatting for rule in rng.rules]
    assert len(rules) == 3 and all(rule.type == "expression" for rule in rules)
    assert any('"红"' in rule.formula[0] for rule in rules)
    assert [str(rng.sqref) for rng in ws.conditional_formatting] == ["J2:J5"]

    blank = wb["空表"]
    assert len(blank.tables) == 1
    assert next(iter(blank.tables.values())).ref == "A1:A2"  # a table needs one data row


def test_write_frames_is_read_by_the_fast_reader(tmp_path: Path) -> None:
    path = write_frames(tmp_path / "out.xlsx", [SheetFrame("Results", _frame(), FORMATS)])
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Results").to_python()
    assert rows[0][:3] == ["Employee", "Date", "Month"]
    assert rows[1][0] == "E001" and rows[1][3] == 1234.5
    assert rows[1][7] == '=HYPERLINK("http://evil","click")'
    assert len(rows) == 5


def test_write_frames_is_deterministic_and_atomic(tmp_path: Path) -> None:
    sheets = [SheetFrame("A", _frame(), FORMATS)]
    first = write_frames(tmp_path / "one.xlsx", sheets)
    second = write_frames(tmp_path / "two.xlsx", sheets)
    assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.xlsx", "two.xlsx"]


def test_write_frames_cleans_names_and_derives_table_names(tmp_path: Path) -> None:
    frame = pd.DataFrame({"x": [1], "x ": [2], "": [3]})
    path = write_frames(tmp_path / "n.xlsx", [SheetFrame("a/b:c*d?" * 5, frame), SheetFrame("2026 Q1", frame)])
    wb = openpyxl.load_workbook(path)
    first, second = wb.worksheets
    assert first.title == ("a_b_c_d_" * 5)[:31]
    assert [c.value for c in first[1]] == ["x", "x (2)", "Column3"]  # headers unique and non-empty
    assert list(second.tables) == ["T_2026_Q1"]  # a table name may not start with a digit


def test_write_frames_rejects_unknown_kind_and_missing_rag_column(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": [1]})
    with pytest.raises(ValueError, match="kind"):
        write_frames(tmp_path / "k.xlsx", [SheetFrame("S", frame, {"a": "currency"})])
    with pytest.raises(ValueError, match="RAG column"):
        write_frames(tmp_path / "r.xlsx", [SheetFrame("S", frame, rag=("status",))])
    assert list(tmp_path.iterdir()) == []  # failed writes leave nothing behind


def test_write_frames_refuses_more_rows_than_excel_holds(tmp_path: Path) -> None:
    frame = pd.DataFrame({"n": np.zeros(MAX_DATA_ROWS + 1, dtype=np.int8)})
    with pytest.raises(ToolkitError) as info:
        write_frames(tmp_path / "big.xlsx", [SheetFrame("Big", frame)])
    assert info.value.key == "writer.too-many-rows" and "Big" in info.value.message("en")
    assert not (tmp_path / "big.xlsx").exists()


def test_write_frames_output_opens_in_libreoffice(tmp_path: Path) -> None:
    soffice = need("soffice")
    path = write_frames(tmp_path / "lo.xlsx", [SheetFrame("Results", _frame(), FORMATS, rag=("RAG",))], lang="en")
    out = tmp_path / "csv"
    subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=900,
    )
    with open(out / "lo.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:3] == ["Employee", "Date", "Month"]
    assert rows[1][0] == "E001" and rows[1][1] == "2026-01-05" and rows[1][2] == "2026-01"
    assert rows[1][3] == "1,234.50" and rows[1][4] == "80.0%"
    assert rows[1][7] == '=HYPERLINK("http://evil","click")'  # text, not evaluated
    assert rows[4][3] == "abc"


def test_write_frames_chunks_rows_without_losing_or_shifting_any(tmp_path: Path, monkeypatch) -> None:
    from toolkit.io import writer

    monkeypatch.setattr(writer, "_CHUNK_ROWS", 7)  # many chunk boundaries in a small frame
    n = 53
    frame = pd.DataFrame({"i": np.arange(n), "label": [f"row {i}" for i in range(n)],
                          "flag": pd.array([i % 3 == 0 for i in range(n)], dtype="boolean"),
                          "when": pd.date_range("2026-01-01", periods=n, freq="D")})
    path = write_frames(tmp_path / "c.xlsx", [SheetFrame("Rows", frame)])
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Rows").to_python()
    assert len(rows) == n + 1
    assert [r[0] for r in rows[1:]] == list(range(n))  # integers inferred from the dtype
    assert [r[1] for r in rows[1:]] == frame["label"].tolist()
    assert [r[2] for r in rows[1:]] == ["Yes" if i % 3 == 0 else "No" for i in range(n)]
    ws = openpyxl.load_workbook(path)["Rows"]
    assert ws.cell(n + 1, 4).value == dt.datetime(2026, 2, 22) and ws.cell(n + 1, 4).number_format == "yyyy-mm-dd"
    assert ws.tables["Rows"].ref == f"A1:D{n + 1}"


@pytest.mark.parametrize("dates", [True, False])
def test_small_sheets_of_one_layout_converted_together_are_the_same_bytes(tmp_path: Path, monkeypatch,
                                                                          dates: bool) -> None:
    """The royalty trace's statement sheets (same columns, dtypes and kinds) have their cell values converted
    and their columns measured once for them all, and XlsxWriter's per-sheet row file goes to a memory file
    system where there is one: the workbook is byte for byte the one written sheet by sheet with the row files
    in the temporary folder — with dates (one sheet's with a time of day) (and a missing one), money (an infinite amount, a sheet with none), percentages, CJK
    text with blanks, whole numbers, yes/no, and a sheet whose column has another dtype (alone)."""
    from toolkit.io import writer

    def statement(seed: int, n: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        amount = np.round(rng.normal(0, 10 ** (2 + seed), n), 2)
        amount[: n if seed == 3 else seed % 2] = np.inf if seed == 1 else np.nan
        return pd.DataFrame({
            "Item": [("东区 " * seed + f"line {seed}-{i}") if i % 4 else None for i in range(n)],
            **({"Date": pd.to_datetime([f"2026-0{1 + i % 9}-1{i % 9}" if i % 5 else None for i in range(n)])
                + pd.to_timedelta([9 if seed == 2 and i == 1 else 0 for i in range(n)], unit="h")}
               if dates else {}),
            "Amount": amount, "Rate": rng.random(n) * 10 ** seed,
            "Count": rng.integers(-3, 10 ** (seed + 1), n), "Paid": rng.random(n) < 0.5})

    sheets = [SheetFrame(f"S{k}", statement(k, 3 + k), {"Amount": "money", "Rate": "percent"}) for k in range(5)]
    odd = statement(9, 4)
    sheets.insert(2, SheetFrame("Odd", odd.assign(Count=odd["Count"].astype(object)), {"Amount": "money", "Rate": "percent"}))
    fast = write_frames(tmp_path / "fast.xlsx", sheets).read_bytes()
    shared, widths = writer._shared_cell_values, writer._shared_widths
    calls: list[int] = []
    monkeypatch.setattr(writer, "_shared_cell_values", lambda plans, lang: calls.append(len(out := shared(plans, lang))) or out)
    monkeypatch.setattr(writer, "_shared_widths", lambda layouts: calls.append(len(out := widths(layouts))) or out)
    assert write_frames(tmp_path / "again.xlsx", sheets).read_bytes() == fast
    assert calls == [5, 5]  # the widths, then the values: not "Odd"
    # every sheet measured and converted alone
    monkeypatch.setattr(writer, "_layouts", lambda sheets, kinds, columns: [])
    monkeypatch.setattr(writer, "_MEMORY_FS", tmp_path / "no-such-folder")
    assert writer.row_tmpdir() is None
    assert write_frames(tmp_path / "slow.xlsx", sheets).read_bytes() == fast


def test_dates_late_in_the_readable_range_get_exact_serials() -> None:
    # 2199-12-31 is 300 years after Excel's epoch: nanosecond arithmetic from 1899 would overflow.
    when = pd.Series(pd.to_datetime(["2199-12-31 00:00", "1900-03-01 12:00", None]))
    assert cell_values(when, "date") == [109574.0, 61.5, None]


def test_text_cells_are_plain_str_even_when_a_str_column_holds_numpy_strings() -> None:
    # pandas' str dtype keeps numpy.str_ objects built from numpy arrays; XlsxWriter's dispatch needs str
    column = pd.Series([np.str_("D01"), "x", None], dtype="str")
    assert [type(v) for v in cell_values(column, "text")] == [str, str, type(None)]


def _cells_the_xlsxwriter_way(tmp: Path, frame: pd.DataFrame, formats: dict[str, str]) -> bytes:
    """Reference: the same workbook with every cell written by XlsxWriter itself (the writer's old path)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False,
                                        "nan_inf_to_errors": False})
    header = wb.add_format({"bold": True, "font_color": f"#{W.HEADER_FONT}", "bg_color": f"#{W.HEADER_FILL}",
                            "text_wrap": False, "valign": "top", "border": 1, "border_color": "#BFBFBF"})
    col_fmts = {k: (wb.add_format({"num_format": f}) if f not in ("General", "@") else None)
                for k, f in W.NUMBER_FORMATS.items()}
    rag = {c: wb.add_format({"bg_color": fill, "font_color": font}) for c, (fill, font) in W.RAG_COLOURS.items()}
    sheet = W.SheetFrame("S", frame, formats)
    ws_kinds = W._kinds(sheet)
    W._write_sheet(wb, "S", "T", sheet, ws_kinds, "en", header, col_fmts, rag)
    ws = wb.worksheets()[0]
    dispatch = {float: ws.write_number, int: ws.write_number, str: ws.write_string, bool: ws.write_boolean}
    columns = [W.cell_values(frame.iloc[:, i], ws_kinds[i], "en") for i in range(frame.shape[1])]
    for r, row in enumerate(zip(*columns), start=1):
        for c, value in enumerate(row):
            if value is not None:
                dispatch[type(value)](r, c, value)
    wb.close()
    with zipfile.ZipFile(tmp) as z:
        return z.read("xl/worksheets/sheet1.xml")


def test_spliced_rows_are_the_cells_xlsxwriter_itself_writes(tmp_path: Path) -> None:
    """write_frames renders the rows column-wise and splices them in: the sheet XML is XlsxWriter's own
    (bar the dimension, which covers the table's full range), styles and blanks included."""
    frame = pd.DataFrame({
        "Amount": [1234.5, None, -0.01, 1e12],
        "Date": pd.to_datetime(["2026-01-05", None, "2199-12-31", "1900-03-01"]),
        "Name": ["=SUM(A1)", "  lead space", None, "<&>\x01"],
        "Count": pd.array([1, None, 3, 2**40], dtype="Int64"),
        "OK": pd.array([True, None, False, True], dtype="boolean"),
        "Blank": [None, None, None, None],
    })
    formats = {"Amount": "money", "Date": "date", "Count": "integer", "OK": "bool"}
    out = write_frames(tmp_path / "new.xlsx", [SheetFrame("S", frame, formats, table_name="T")])
    with zipfile.ZipFile(out) as z:
        ours = z.read("xl/worksheets/sheet1.xml")
    theirs = _cells_the_xlsxwriter_way(tmp_path / "old.xlsx", frame, formats)
    dimension = rb'<dimension ref="[^"]*"/>'
    import re

    assert re.sub(dimension, b"", ours) == re.sub(dimension, b"", theirs)
    assert b'<dimension ref="A1:F5"/>' in ours


def _width_via_pandas(values: pd.Series) -> int:
    """A column's widest display width the plain pandas way (every value of the sample formatted): the reference
    ``series_width``'s numpy paths must agree with."""
    sample = values.iloc[:2000].dropna()
    if sample.empty:
        return 0
    if pd.api.types.is_float_dtype(sample.dtype):
        text = [fmt_money(v, grouped=True) for v in sample.tolist()]
    else:
        text = sample.astype(str).tolist()
    return max(display_width(s) for s in text)


@pytest.mark.parametrize("seed", range(6))
def test_series_width_equals_every_value_formatted(seed: int) -> None:
    # money (rounding at half cents, negatives, NaN, ±inf), text with CJK and None, mixed objects, whole numbers,
    # booleans, dates, nullable integers: the width of the widest value as text, whatever the path taken
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 40))
    money = np.round(rng.normal(0, 10 ** rng.integers(1, 9), n), int(rng.integers(0, 4)))
    money[rng.random(n) < 0.2] = np.nan
    if seed % 2:
        money[0] = rng.choice([np.inf, -np.inf, -999999.995, 0.005])
    words = rng.choice(np.array(["东区", "South", "", "华南 Region", "x" * 30, None], dtype=object), n)
    mixed = pd.Series(rng.choice(np.array([1.5, 2, "ab", True, None, np.nan, -0.0, 12345678.125], dtype=object), n),
                      dtype=object)
    columns = [pd.Series(money), pd.Series(words, dtype=object), mixed,
               pd.Series(rng.integers(-10 ** 6, 10 ** 9, n)), pd.Series(rng.random(n) < 0.5),
               pd.Series(pd.to_datetime("2026-01-03") + pd.to_timedelta(rng.integers(0, 400, n), unit="D")),
               pd.Series(rng.integers(0, 99, n)).astype("Int64").where(rng.random(n) < 0.7),
               pd.Series([np.nan] * n), pd.Series([None] * n, dtype=object)]
    for col in columns:
        assert series_width(col) == _width_via_pandas(col), col.tolist()


@pytest.mark.parametrize("seed", range(4))
def test_widths_measured_for_a_layout_at_once_are_each_sheets_own(seed: int) -> None:
    """``_segment_widths`` (the statement sheets' columns measured once for them all) gives each part the width
    ``column_width`` gives it alone: money with NaN and ±inf, percentages, CJK text and None, pandas' str, whole
    numbers, yes/no, dates at midnight, with a time of day, and missing; a part of blanks only."""
    rng = np.random.default_rng(seed)
    n = 60
    money = np.round(rng.normal(0, 10 ** rng.integers(1, 9), n), 2)
    money[rng.random(n) < 0.2] = np.nan
    money[int(rng.integers(0, n))] = rng.choice([np.inf, -np.inf, -999999.995])
    words = rng.choice(np.array(["东区", "South", "", "华南 Region", "x" * 30, None], dtype=object), n)
    days = pd.Series(pd.to_datetime("2026-01-03") + pd.to_timedelta(rng.integers(0, 400, n), unit="D"))
    timed = days + pd.to_timedelta(np.where(rng.random(n) < 0.1, rng.integers(1, 86400, n), 0), unit="s")
    cuts = sorted({0, n, *rng.integers(1, n, 6).tolist()})
    bounds = list(zip(cuts[:-1], cuts[1:]))
    columns = [(pd.Series(money), "money"), (pd.Series(rng.random(n) * 3), "percent"),
               (pd.Series(words, dtype=object), "text"), (pd.Series(words, dtype="str"), "text"),
               (pd.Series(rng.integers(-10 ** 6, 10 ** 9, n)), "integer"), (pd.Series(rng.random(n) < 0.5), "bool"),
               (days.where(rng.random(n) < 0.8), "date"), (timed, "date"), (pd.Series([pd.NaT] * n), "date"),
               (pd.Series([np.nan] * n), "money")]
    for column, kind in columns:
        expected = [W.column_width("", kind, column.iloc[a:b].reset_index(drop=True)) for a, b in bounds]
        assert W._segment_widths(column, kind, bounds) == expected, (kind, column.dtype)
