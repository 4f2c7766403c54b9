"""The fast row renderer writes exactly what XlsxWriter's constant-memory mode writes for the same cells."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.io.consolidated import RowSpec, render_values
from toolkit.io.sheet_rows import MAX_TEXT, column_letter, rows_xml
from toolkit.io.writer import NUMBER_FORMATS, cell_values

KINDS = ["text", "money", "date", "integer", "percent", "number", "bool", "month"]


def _xlsxwriter_rows(frame: pd.DataFrame, kinds: list[str], first_row: int = 2) -> tuple[str, list[int | None]]:
    """The <sheetData> body XlsxWriter writes for ``frame`` from sheet row ``first_row``, and the column styles."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                   "strings_to_urls": False, "nan_inf_to_errors": False})
    fmts = {k: (wb.add_format({"num_format": f}) if f not in ("General", "@") else None)
            for k, f in NUMBER_FORMATS.items()}
    ws = wb.add_worksheet("S")
    for i, kind in enumerate(kinds):
        ws.set_column(i, i, 12, fmts[kind])
    write = {float: ws.write_number, int: ws.write_number, str: ws.write_string, bool: ws.write_boolean}
    columns = [cell_values(frame.iloc[:, i], kinds[i]) for i in range(frame.shape[1])]
    for r, row in enumerate(zip(*columns), start=first_row - 1):
        for c, value in enumerate(row):
            if value is not None:
                write[type(value)](r, c, value)
    wb.close()
    styles = [fmts[k]._get_xf_index() if fmts[k] else None for k in kinds]
    xml = zipfile.ZipFile(buf).read("xl/worksheets/sheet1.xml").decode("utf-8")
    if "<sheetData/>" in xml:
        return "", styles
    return xml[xml.index("<sheetData>") + len("<sheetData>"):xml.index("</sheetData>")], styles


TRICKY = ["plain", "", " lead", "trail ", "a&b<c>d", "x\x01y\x1fz", "_x0041_ literal", "tab\there", "line\nbreak",
          "中文 名称", "emoji 😀", "\ufffe", "=SUM(A1:A2)", "'quoted'", "\"dq\""]


def test_tricky_values_match_xlsxwriter_byte_for_byte() -> None:
    n = len(TRICKY)
    frame = pd.DataFrame({
        "text": pd.Series(TRICKY, dtype="str"),
        "money": [1234.5, -0.01, np.nan, 1e20, 0.1 + 0.2, 2**53 + 1.0, -0.0, 1e-9, np.inf, 5.0, 7.25, 8.0, 9.0, 10.0,
                  11.0],
        "date": pd.to_datetime(["2026-10-31", None, "1900-03-01", "2199-12-31"] * 3 + ["2026-01-01"] * 3),
        "integer": pd.array([1, None, -5, 2**40, 0] * 3, dtype="Int64"),
        "mixed": pd.Series([1.5, "lots", None, "12", 3.0] * 3, dtype=object),
        "bool": pd.array([True, False, None] * 5, dtype="boolean"),
    })
    kinds = ["text", "money", "date", "integer", "money", "bool"]
    expected, styles = _xlsxwriter_rows(frame, kinds)
    assert rows_xml(frame, kinds, styles, 2) == expected
    assert len(frame) == n


def test_blank_rows_and_blank_columns_are_left_out_like_xlsxwriter() -> None:
    frame = pd.DataFrame({"a": pd.Series(["x", None, None, "y"], dtype="str"), "b": [1.0, np.nan, np.nan, np.nan],
                          "c": [np.nan] * 4})
    kinds = ["text", "money", "number"]
    expected, styles = _xlsxwriter_rows(frame, kinds, first_row=7)
    got = rows_xml(frame, kinds, styles, 7)
    assert got == expected and '<row r="8">' not in got and 'r="C' not in got
    assert rows_xml(frame.iloc[:0], kinds, styles, 2) == ""


def test_text_longer_than_excel_holds_is_cut_like_xlsxwriter() -> None:
    frame = pd.DataFrame({"t": pd.Series(["a" * (MAX_TEXT + 10), "😀" * MAX_TEXT], dtype="str")})
    expected, styles = _xlsxwriter_rows(frame, ["text"])
    assert rows_xml(frame, ["text"], styles, 2) == expected


def test_a_text_that_looks_like_rich_text_is_escaped_not_injected() -> None:
    # XlsxWriter writes "<r>…</r>" raw as rich text; we escape it: a cell's text never becomes markup.
    frame = pd.DataFrame({"t": pd.Series(["<r>bad</r>"], dtype="str")})
    assert "&lt;r&gt;bad&lt;/r&gt;" in rows_xml(frame, ["text"], [None], 2)


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 701, 702, 16383)] == ["A", "Z", "AA", "AZ", "ZZ", "AAA", "XFD"]


# every character UTF-8 encodes (all but the surrogates, "Cs"); codec="utf-8" would add nothing but a test of all
# 1.1 M code points once per process (≈ 1.4 s CPU) when hypothesis' .hypothesis cache is absent (a fresh clone)
_cell_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)


@st.composite
def _frames(draw: st.DrawFn) -> tuple[pd.DataFrame, list[str]]:
    n = draw(st.integers(1, 12))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=6))
    data = {}
    for i, kind in enumerate(kinds):
        if kind == "text":
            values = draw(st.lists(st.one_of(st.none(), _cell_text), min_size=n, max_size=n))
            data[i] = pd.Series(values, dtype="str")
        elif kind in ("date", "month"):
            days = draw(st.lists(st.one_of(st.none(), st.integers(0, 110_000)), min_size=n, max_size=n))
            data[i] = pd.Series([None if d is None else pd.Timestamp("1900-03-01") + pd.Timedelta(days=d)
                                 for d in days], dtype="datetime64[ns]")
        elif kind == "bool":
            data[i] = pd.array(draw(st.lists(st.one_of(st.none(), st.booleans()), min_size=n, max_size=n)),
                               dtype="boolean")
        else:
            numbers = st.floats(allow_nan=True, allow_infinity=True, width=64)
            mixed = st.one_of(st.none(), numbers, st.integers(-2**60, 2**60), _cell_text)
            data[i] = pd.Series(draw(st.lists(mixed, min_size=n, max_size=n)), dtype=object)
    frame = pd.DataFrame(data)
    texts = [v for c in frame.columns for v in frame[c].tolist() if isinstance(v, str)]
    if any(v.startswith("<r>") and v.endswith("</r>") for v in texts):  # XlsxWriter's rich-text quirk (above)
        frame = frame.iloc[:0]
    return frame, kinds


@settings(max_examples=150, deadline=None)
@given(_frames(), st.integers(2, 1_000_000))
def test_any_frame_matches_xlsxwriter(case: tuple[pd.DataFrame, list[str]], first_row: int) -> None:
    frame, kinds = case
    expected, styles = _xlsxwriter_rows(frame, kinds, first_row)
    assert rows_xml(frame, kinds, styles, first_row) == expected


@pytest.mark.parametrize("start", [0, 3, 9, 10, 25])
def test_rendered_rows_split_where_a_part_ends(start: int) -> None:
    columns = [["D"] * 17, ["f.xlsx"] * 17, [float(i) for i in range(17)]]
    spec = RowSpec(("department", "source", "n"), ("text", "text", "number"), (None, None, None), 10, "en")
    pieces = render_values(columns, spec, start)
    assert sum(p[1] for p in pieces) == 17
    index = start
    for part, rows, xml in pieces:
        assert part == index // 10
        first = index % 10 + 2
        assert xml.decode().startswith(f'<row r="{first}">') and f'<row r="{first + rows - 1}">' in xml.decode()
        assert first + rows - 1 <= 11  # never past the part's last row (header + 10)
        index += rows


def test_negative_zero_is_written_as_zero_whatever_comes_first() -> None:
    """pandas takes 0.0 and -0.0 for one value; every writer writes both as 0 (found by the property test)."""
    from toolkit.io.sheet_rows import rows_xml

    for values in ([-0.0, 0.0], [0.0, -0.0]):
        xml = rows_xml(pd.DataFrame({"A": values}), ["money"], [None], 2)
        assert "<v>-0</v>" not in xml and xml.count("<v>0</v>") == 2
