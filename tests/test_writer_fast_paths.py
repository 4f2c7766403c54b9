"""The writer's short-column paths (issue 24: a small workbook's cost was pandas' fixed cost per column) give what
the general pandas paths give: the cell values of every column dtype and kind, the rows' XML, and whole workbooks
byte for byte."""

from __future__ import annotations

import datetime as dt
import decimal
import importlib.util
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
import xlsxwriter.workbook

from toolkit.io import cells, sheet_rows, writer
from toolkit.io.cells import column_cells, is_plain
from toolkit.io.writer import NUMBER_FORMATS, SheetFrame, write_frames
from toolkit.money import fmt_money

HAS_ARROW = importlib.util.find_spec("pyarrow") is not None


def _columns() -> dict[str, pd.Series]:
    """Columns of every dtype the outputs hold, with their awkward values: missing ones of each spelling, infinite
    and huge or tiny numbers, text that looks like a formula, a number or a boolean, wide CJK text."""
    nan = np.nan
    out = {
        "float": pd.Series([1.5, -0.0, nan, np.inf, -np.inf, 1e300, 2.0**60, 3.0, -7.125, 1e-9, 0.005]),
        "float32": pd.Series([1.5, nan, 3.0], dtype="float32"),
        "int": pd.Series([1, -2, 3, 2**62, 0]),
        "uint8": pd.Series([1, 2, 255], dtype="uint8"),
        "bool": pd.Series([True, False, True]),
        "Int64": pd.Series([1, None, -3, 2**60], dtype="Int64"),
        "Float64": pd.Series([1.5, None, -3.0], dtype="Float64"),
        "str": pd.Series(["=1+2", "abc", None, "东区销售额合计", " lead", "", "1.5", "True", "@x", "-5"], dtype="str"),
        "string": pd.Series(["a", None, "12", "<&>"], dtype="string"),
        "object": pd.Series(["=SUM(A1)", 1, 2.5, None, nan, pd.NA, pd.NaT, True, np.bool_(False),
                             decimal.Decimal("1.25"), dt.date(2026, 1, 31), dt.datetime(2026, 3, 4, 5, 6),
                             pd.Timestamp("2020-02-29"), "1e5", np.int64(7), 10**20, decimal.Decimal("NaN"),
                             np.datetime64("NaT"), -np.inf],
                            dtype=object),
        "object bools": pd.Series([True, None, False], dtype=object),
        "object missing": pd.Series([None, nan], dtype=object),
        "dates": pd.Series(pd.to_datetime(["2026-01-31", None, "1900-03-01", "2199-12-31 13:45"], format="mixed")),
        "dates s": pd.Series(np.array(["2026-01-31", "NaT", "2100-05-17"], dtype="datetime64[s]")),
        "dates us": pd.Series(np.array(["2026-01-31T10:00", "NaT"], dtype="datetime64[us]")),
    }
    if HAS_ARROW:
        out["arrow"] = pd.Series(["a", None, "中文", "=x"], dtype="string[pyarrow]")
    return out


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_cell_values_from_numpy_arrays_equal_pandas(lang: str) -> None:
    """Every dtype the short path takes, in every kind: the same values of the same types as through pandas."""
    columns = _columns()
    assert [name for name, s in columns.items() if not is_plain(s)] == []
    for name, values in columns.items():
        for kind in NUMBER_FORMATS:
            fast = column_cells(values, kind, lang, plain=True)
            slow = column_cells(values, kind, lang, plain=False)
            assert [(type(v), v) for v in fast] == [(type(v), v) for v in slow], (name, kind)
    tz = pd.Series(pd.to_datetime(["2026-01-31 10:00", None]).tz_localize("Asia/Shanghai"))
    assert not is_plain(tz) and cells.cell_values(tz, "date") == [46053.416666666664, None]


@pytest.mark.parametrize("n", [40, sheet_rows.SHORT_ROWS, sheet_rows.SHORT_ROWS + 1])
def test_short_rows_are_the_numpy_rows(n: int) -> None:
    """The few rows of a short sheet joined in Python are the XML the column-wise path renders (at the limit and
    one row over it too)."""
    rng = np.random.default_rng(7)
    texts = ["=1+2", " edge ", "a & b <c>", "\x01bell", "_x0041_", "东区", "plain", "x" * 40000]
    columns = [
        [None if i % 5 == 0 else float(x) for i, x in enumerate(rng.normal(0, 1e6, n))],
        [None if i % 3 == 0 else texts[i % len(texts)] for i in range(n)],
        [i if i % 2 else float(i) for i in range(n)],  # a whole number and its float
        [None if i % 4 else ("Yes" if i % 8 else True) for i in range(n)],
        [None] * n,  # a column with no cell
    ]
    kinds = ["money", "text", "integer", "bool", "text"]
    styles = [3, None, 5, None, 7]
    columns = [[None] * 3 + c[3:] for c in columns[:4]] + columns[4:]  # rows without cells
    short = sheet_rows.values_xml(columns, kinds, styles, 2)
    assert short.startswith('<row r="5"><c r="A5" s="3"><v>') and '<row r="4">' not in short
    general = sheet_rows.SHORT_ROWS
    try:
        sheet_rows.SHORT_ROWS = 0
        assert sheet_rows.values_xml(columns, kinds, styles, 2) == short
    finally:
        sheet_rows.SHORT_ROWS = general


def _frames() -> list[SheetFrame]:
    """Sheets with every dtype and kind, empty ones, layout groups (same columns) and a long sheet."""
    c = _columns()
    mixed = pd.DataFrame({
        "Name": pd.Series(["东区销售部门负责人", "=HYPERLINK(1)", None, "B"], dtype="str"),
        "Amount": [1234567.891, np.nan, -0.005, 1e12], "Share": [0.9406850525486645, np.nan, 1.0, -0.25],
        "Rank": pd.Series([1, None, 3, 4], dtype="Int64"), "Count": [1, 2, 3, 4],
        "Paid": [True, False, True, False], "When": pd.to_datetime(["2026-01-31", None, "2026-02-28", "2026-03-01"]),
        "Month": pd.to_datetime(["2026-01-31", "2026-02-15", None, "2026-03-01"]),
        "Note": pd.Series(["a", pd.NA, "long " * 30, "=1"], dtype=object), "Ratio": [0.5, 1.25, np.nan, 2.0],
    })
    formats = {"Amount": "money", "Share": "percent", "Month": "month", "Paid": "bool", "Ratio": "ratio",
               "Rank": "integer"}
    statement = [SheetFrame(f"S{k}", mixed.iloc[k % 4:].reset_index(drop=True), formats) for k in range(4)]
    odd = pd.DataFrame({name: s.reset_index(drop=True) for name, s in c.items() if len(s) >= 3}
                       | {"float": c["float"].iloc[:3], "object": c["object"].iloc[:3]})
    long = pd.DataFrame({"Id": np.arange(300), "Amount": np.linspace(-1e6, 1e6, 300),
                         "Text": [f"row {i}" if i % 7 else None for i in range(300)]})
    return [*statement,
            SheetFrame("Odd", odd.iloc[:3], {"float": "money", "int": "percent"}),
            SheetFrame("Empty", pd.DataFrame({"Date": pd.Series([], dtype="datetime64[ns]"),
                                              "Name": pd.Series([], dtype="str")}), {"Date": "date"}),
            SheetFrame("Long", long, {"Amount": "money"}),
            SheetFrame("Wrapped", mixed, formats, wrap=("Note",), rag=("Name",))]


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_workbook_is_the_general_paths_workbook(tmp_path: Path, monkeypatch, lang: str) -> None:
    """A workbook written with the short paths (numpy cell values, widths on numpy/Python values, rows joined in
    Python, layout groups) is byte for byte the one the general pandas paths write."""
    sheets = _frames()
    fast = write_frames(tmp_path / "fast.xlsx", sheets, lang).read_bytes()
    monkeypatch.setattr(cells, "is_plain", lambda values: False)
    monkeypatch.setattr(writer, "_segment_widths", lambda column, kind, bounds: None)
    monkeypatch.setattr(writer, "_layouts", lambda sheets, kinds, columns: [])
    monkeypatch.setattr(sheet_rows, "SHORT_ROWS", 0)
    monkeypatch.setattr(writer, "SHORT_ROWS", -1)
    assert write_frames(tmp_path / "slow.xlsx", sheets, lang).read_bytes() == fast


def test_float_widths_of_a_few_values_are_numpys(monkeypatch) -> None:
    """A short float column's widest money text found in Python is the one found with numpy: NaN, ±inf, -0.0,
    half cents, huge and tiny values, all missing, none."""
    rng = np.random.default_rng(3)
    arrays = [np.round(rng.normal(0, 10.0 ** k, 30), 3) for k in range(0, 16, 3)]
    for a in arrays[:3]:
        a[rng.random(30) < 0.3] = np.nan
    arrays += [np.array([np.inf, 1.0, np.nan]), np.array([-np.inf, np.inf]), np.array([-0.0, 0.0]),
               np.array([-999999.995, 0.005, 1e300, -1e-300]), np.array([np.nan, np.nan]), np.array([], dtype=float)]
    short = [writer._float_chars(a) for a in arrays]
    monkeypatch.setattr(writer, "SHORT_ROWS", -1)
    assert [writer._float_chars(a) for a in arrays] == short
    assert short[-2:] == [0, 0] and short[-3] == len(fmt_money(1e300, grouped=True)) > 400  # the largest


def test_a_column_is_sized_on_its_first_rows_only(tmp_path: Path) -> None:
    """A column's width is measured on its first ``_WIDTH_SAMPLE`` rows, as before the short paths: a wider value
    further down does not widen it (and one within them does)."""
    n = writer._WIDTH_SAMPLE + 500

    def width(at: int | None) -> str:
        values = ["short"] * n
        if at is not None:
            values[at] = "a much longer customer name than the others"
        frame = SheetFrame("S", pd.DataFrame({"name": values}), {"name": "text"})
        path = write_frames(tmp_path / f"w{at}.xlsx", [frame], "en")
        with zipfile.ZipFile(path) as z:
            sheet = z.read("xl/worksheets/sheet1.xml").decode()
        return sheet[sheet.index("<cols>"):sheet.index("</cols>")]

    assert width(n - 10) == width(None)  # beyond the sample: not measured
    assert width(10) != width(None)  # within it: measured


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_workbook_from_the_kept_package_parts_is_the_zipped_packages(tmp_path: Path, monkeypatch, lang: str) -> None:
    """The parts XlsxWriter hands its package zip, kept (``Package``) and deflated once by ``splice_rows``, make the
    workbook byte for byte that the zip XlsxWriter writes of them, read back, makes: charts, tables, wrapped and RAG
    columns, an empty sheet, a long one."""
    sheets = _frames()
    chart = SheetFrame("Chart", pd.DataFrame({"Month": ["2026-01", "2026-02"], "Signing": [1.0, 2.5],
                                              "Share": [0.5, np.nan]}), {"Signing": "money", "Share": "percent"},
                       charts=(writer.ChartSpec("Signing", "Month", ("Signing",), "column", lines=("Share",)),))
    assert isinstance(writer._package_target(), sheet_rows.Package)
    kept = write_frames(tmp_path / "kept.xlsx", [*sheets, chart], lang).read_bytes()
    monkeypatch.setattr(writer, "_package_target", io.BytesIO)
    zipped = write_frames(tmp_path / "zipped.xlsx", [*sheets, chart], lang).read_bytes()
    assert kept == zipped
    with zipfile.ZipFile(io.BytesIO(kept)) as z:
        assert "xl/charts/chart1.xml" in z.namelist() and z.testzip() is None


def test_xlsxwriters_zip_stand_in_zips_any_other_file(tmp_path: Path) -> None:
    """The stand-in for XlsxWriter's ``ZipFile`` is a plain zip for anything but a ``Package``: an XlsxWriter
    workbook saved to a path is the same workbook as before."""
    writer._package_target()  # the stand-in set
    assert xlsxwriter.workbook.ZipFile is writer._PackageZip
    path = tmp_path / "plain.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("S").write_string(0, 0, "hello")
    wb.close()
    with zipfile.ZipFile(path) as z:
        assert "hello" in z.read("xl/sharedStrings.xml").decode() and z.testzip() is None
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_DEFLATED}


def test_a_package_opened_in_a_with_and_given_named_parts_is_the_zip_of_them() -> None:
    """``sheet_rows.Package`` takes what a zip opened in a ``with`` and given parts by name would (should a later
    XlsxWriter pack that way): the same parts, spliced into the same bytes as that zip's."""
    import io
    import zipfile

    from toolkit.io.sheet_rows import Package, splice_rows

    parts = [("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", b"<workbook/>")]
    kept = Package()
    with kept.opened(zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts:
            zf.writestr(name, data)
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts:  # as a zip given a part by name describes it (its compression), at a fixed date
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    a, b = io.BytesIO(), io.BytesIO()
    splice_rows(kept, a, {})
    splice_rows(zipped, b, {})
    assert a.getvalue() == b.getvalue()
    with zipfile.ZipFile(a) as zf:
        assert [(i.filename, zf.read(i)) for i in zf.infolist()] == [(n, d if isinstance(d, bytes) else d.encode())
                                                                      for n, d in parts]
