"""Issue 24: every written workbook prints at a readable scale (no 4-point pages), its wide sheets in column blocks
with the key columns repeated, and every printed page names its sheet.

The effective scale is computed here from what a workbook stores, the way Windows Excel prints it (docs/report.md,
"Workbooks fit to use and print"): a column of stored width w is 7·w pixels (Calibri 11; the stored width holds
the padding), 0.75 points a pixel; a sheet fitted to one page wide prints at min(100%, printable width ÷ its
columns' width); a sheet at a set scale prints at that scale, and each block of columns between its vertical page
breaks, with the repeated columns, must fit the page at it.
"""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from output_books import book
from toolkit.io.writer import SheetFrame, write_frames

#: The smallest scale a written sheet may print at (toolkit.io.print_setup.MIN_SCALE, restated: the test's own).
MINIMUM = 60
#: The report workbook's sheets print at a set scale that fits LibreOffice's wider columns (10 pixels a character),
#: so that its row breaks hold in both; their 12-column tables stay whole on a page at 49-56% (docs/report.md).
REPORT_MINIMUM = 48
A4 = (595.3, 841.9)


def _widths(ws) -> dict[int, float]:  # noqa: ANN001
    """Column index -> stored width (openpyxl keeps a <col min max> range under its first letter)."""
    out: dict[int, float] = {}
    for dim in ws.column_dimensions.values():
        if dim.min:
            for i in range(dim.min, (dim.max or dim.min) + 1):
                out[i] = 0.0 if dim.hidden else (dim.width or 8.43)
    return out


def _columns(ws) -> tuple[int, int]:  # noqa: ANN001
    """The first and last column of the sheet's print area."""
    area = ws.print_area
    area = (area[0] if isinstance(area, list) else area) if area else f"A1:{get_column_letter(ws.max_column)}1"
    c1, _r1, c2, _r2 = range_boundaries(area.split(",")[0].rsplit("!", 1)[-1].replace("$", ""))
    return c1, c2


def _points(widths: dict[int, float], cols) -> float:  # noqa: ANN001
    return sum(widths.get(c, 8.43) * 7 for c in cols) * 0.75


def printed_scale(ws) -> float:  # noqa: ANN001
    """The scale (percent) Excel prints the sheet at, from its column widths and page setup; for a sheet at a set
    scale split by vertical page breaks, also checked: each block with the repeated columns fits its page."""
    ps, margins = ws.page_setup, ws.page_margins
    page = (A4[1] if ps.orientation == "landscape" else A4[0]) - (margins.left + margins.right) * 72
    widths = _widths(ws)
    first, last = _columns(ws)
    if ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage:
        assert (ps.fitToWidth if ps.fitToWidth is not None else 1) == 1 and ps.fitToHeight == 0
        return min(100.0, page / _points(widths, range(first, last + 1)) * 100)
    scale = float(ps.scale or 100)
    repeated: list[int] = []
    if ws.print_title_cols:
        a, b = ws.print_title_cols.replace("$", "").split(":")
        repeated = list(range(range_boundaries(f"{a}1:{b}1")[0], range_boundaries(f"{a}1:{b}1")[2] + 1))
    breaks = sorted(b.id for b in ws.col_breaks.brk)
    starts = [max(first, (repeated[-1] + 1) if repeated else first), *[b + 1 for b in breaks]]
    ends = [b for b in breaks] + [last]
    for a, b in zip(starts, ends):
        drawn = _points(widths, [*repeated, *range(a, b + 1)]) * scale / 100
        assert drawn <= page + 1, (ws.title, a, b, drawn, page)
    return scale


def _check_book(path, problems: list[str], scales: list[str]) -> None:  # noqa: ANN001
    wb = book(path)  # the close's outputs, read once per content (tests/output_books.py)
    report = path.name.startswith("monthly-report")
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        where = f"{path.name}!{ws.title}"
        scale = printed_scale(ws)
        scales.append(f"{scale:5.1f}% {where}")
        if scale < (REPORT_MINIMUM if report else MINIMUM):
            problems.append(f"{where} prints at {scale:.0f}%")
        header = ws.oddHeader.center.text or ""
        if "&A" not in header and ws.title not in header:
            problems.append(f"{where}: the page header {header!r} does not name the sheet")
        if "&P" not in (ws.oddFooter.center.text or ""):
            problems.append(f"{where}: no page number")
        if not report and not ws.print_title_rows:  # the report repeats a table's header only where one runs over
            problems.append(f"{where}: no print title rows")
        if ws.col_breaks.brk and not ws.print_title_cols:
            problems.append(f"{where}: printed in column blocks without repeated key columns")


def test_every_workbook_of_a_close_prints_at_a_readable_scale(closed_sample) -> None:
    """The sample's close: consolidated, completion, funds, salary, royalties (and each royalty trace sheet),
    forecast and the report; every visible sheet at 60% or more (the report's at its set scale, 48% or more),
    with a page header naming it, page numbers and repeated header rows."""
    _res, folder = closed_sample
    books = sorted((folder / "out").glob("*.xlsx"))
    assert {p.name.split("-2026")[0] for p in books} >= {
        "consolidated", "completion", "funds", "salary", "royalties", "forecast", "monthly-report"}
    problems: list[str] = []
    scales: list[str] = []
    for path in books:
        _check_book(path, problems, scales)
    print("\n".join(sorted(scales)))
    assert not problems, "\n".join(problems)
    # the sheets the issue named: salary's Floating Salary wraps its Reason and Status and fits one page wide;
    # the report's Market & Trend, 37% before, has its charts under its tables
    salary = book(folder / "out" / "salary-2026-10.xlsx")["Floating Salary"]
    assert salary.sheet_properties.pageSetUpPr.fitToPage and printed_scale(salary) >= MINIMUM
    heads = {c.value: c.column_letter for c in salary[1]}
    for name in ("Reason", "Status"):
        assert salary.column_dimensions[heads[name]].width < 40
        assert salary[f"{heads[name]}2"].alignment.wrap_text
    tall = [r for r in range(2, salary.max_row + 1) if (salary.row_dimensions[r].height or 0) > 20]
    assert tall, "a wrapped reason makes its row taller"
    market = book(folder / "out" / "monthly-report-2026-10.xlsx")["Market & Trend"]
    assert printed_scale(market) >= MINIMUM


def _wide_frame(lang: str) -> pd.DataFrame:
    """30 money columns after an ID and a name: too wide for one page at 60% in either language."""
    head = ("工号", "姓名") if lang == "zh" else ("Employee ID", "Name")
    month = "月份 {} 金额" if lang == "zh" else "Month {} Amount"
    rows = [{head[0]: f"E{i:04d}", head[1]: f"Person {i}", **{month.format(m): 1234567.89 * m for m in range(30)}}
            for i in range(5)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_sheet_too_wide_for_one_page_prints_in_blocks_with_its_key_columns_repeated(tmp_path, lang) -> None:
    """A 32-column sheet would print at about 25% fitted to one page wide: it prints at 60% or more in column blocks,
    each fitting a landscape page with the ID and name repeated; a narrow sheet stays fitted to one page."""
    frame = _wide_frame(lang)
    path = write_frames(tmp_path / f"wide-{lang}.xlsx", [
        SheetFrame("Wide", frame, formats={c: "money" for c in frame.columns[2:]}),
        SheetFrame("Narrow", frame.iloc[:, :4], formats={c: "money" for c in frame.columns[2:4]})], lang=lang)
    wb = load_workbook(path)
    wide, narrow = wb["Wide"], wb["Narrow"]
    widths = _widths(wide)
    fitted = min(100.0, (A4[1] - 0.8 * 72) / _points(widths, range(1, 33)) * 100)
    assert fitted < 40  # what one page wide would have been
    assert not wide.sheet_properties.pageSetUpPr.fitToPage
    assert wide.page_setup.orientation == "landscape"
    assert printed_scale(wide) >= MINIMUM  # and each block fits its page (checked in printed_scale)
    assert wide.print_title_cols == "$A:$B" and wide.print_title_rows == "$1:$1"
    assert len(wide.col_breaks.brk) >= 2
    assert narrow.sheet_properties.pageSetUpPr.fitToPage and not narrow.col_breaks.brk
    assert printed_scale(narrow) == 100


def test_long_text_wraps_in_a_wide_sheet_and_rows_grow(tmp_path) -> None:
    """A sheet that would print below 75% wraps its long text columns at 36 characters (rows as tall as their
    lines) and its headers onto two lines; a sheet that fits keeps its text on one line."""
    reason = "Not computed: the department was not consolidated at this close, so nothing is paid"
    wide = pd.DataFrame([{"Employee ID": "E1", "Name": "A", **{f"Figure number {k}": 1000.0 * k for k in range(9)},
                          "Reason": reason, "Status": "computed"}])
    narrow = wide[["Employee ID", "Reason"]]
    path = write_frames(tmp_path / "wrap.xlsx", [SheetFrame("Wide", wide), SheetFrame("Narrow", narrow)])
    wb = load_workbook(path)
    ws = wb["Wide"]
    col = {c.value: c.column_letter for c in ws[1]}["Reason"]
    assert ws.column_dimensions[col].width < 40 and ws[f"{col}2"].alignment.wrap_text
    lines = -(-len(reason) // 32)
    assert ws.row_dimensions[2].height == 15 * lines + 2
    assert ws.row_dimensions[1].height == 30 and ws["C1"].alignment.wrap_text  # two-line headers
    assert printed_scale(ws) >= MINIMUM
    flat = wb["Narrow"]  # as wide as a column gets (60 characters), on one line
    assert flat.column_dimensions["B"].width > 60 and not flat["B2"].alignment.wrap_text
    assert flat.row_dimensions[2].height is None
