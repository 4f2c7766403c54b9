"""Print setup and column sizing shared by every workbook the toolkit writes (XlsxWriter and openpyxl).

Rules (docs/workbooks.md): A4; landscape when the columns are wider than a portrait page holds; fit to
one page wide (any number of pages tall); the header rows repeat on every page; page numbers in the
footer ("Page 3 of 7" / "第 3 页，共 7 页"); a print area over the used cells. Widths leave a margin for
Windows Excel's default font, which is wider than LibreOffice's (numbers are sized at 1.15 × their
characters plus 2), so money never shows ``####``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.worksheet.pagebreak import Break

from ..i18n import register, t

register({"print.footer": ("&CPage &P of &N", "&C第 &P 页，共 &N 页")})

#: Sum of column widths (Excel character units) a portrait A4 page holds at 100%.
PORTRAIT_WIDTH = 100.0
#: Windows Excel's default font draws digits wider than LibreOffice's: numbers get this much more room.
NUMBER_MARGIN = 1.15
A4 = 9  # the OOXML paper size code
LINE_HEIGHT = 15.0  # points per line of 11-point text
#: Characters Excel shows double-width (CJK, full-width forms).
WIDE_CHARS = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
)


def display_width(text: object) -> int:
    """Width of ``text`` in Excel character units: CJK and full-width characters count double."""
    s = str(text)
    return len(s) + len(WIDE_CHARS.findall(s))


def number_width(chars: int) -> float:
    """Width (character units) for a formatted number of ``chars`` characters, with the Windows margin."""
    return float(math.ceil(chars * NUMBER_MARGIN) + 2)


def is_wide(widths: Sequence[float]) -> bool:
    """True when the columns need a landscape page."""
    return sum(widths) > PORTRAIT_WIDTH


#: The page header of a written workbook's every printed page: its file name (what, for which period or person:
#: ``salary-2026-10.xlsx``) and the sheet's name (issue 24: a printed page names what it is about). A sheet with
#: its own page header (a statement's DRAFT mark, a royalty trace's employee) replaces it.
PAGE_HEADER = "&C&F – &A"


def footer(lang: str) -> str:
    """The page-number footer in ``lang``."""
    return t("print.footer", lang)


def header_height(labels: Sequence[str], widths: Sequence[float]) -> float:
    """Row height (points) for wrapped header ``labels`` in columns of ``widths``."""
    lines = max((math.ceil(display_width(lb) / max(w - 1.5, 1.0)) for lb, w in zip(labels, widths)), default=1)
    return LINE_HEIGHT * max(lines, 1) + 3


#: The smallest scale (percent) a written sheet prints at: 11-point text prints at 6.6 points, the size of a bank
#: statement's small print, still read without a lens; below it (the 4-point pages of issue 24) digits blur. A
#: sheet whose columns would need less to fit one page wide prints in column blocks instead (``column_blocks``).
MIN_SCALE = 60
#: Below this fitted scale a written table's headers wrap onto two lines and its long text columns wrap
#: (``WRAP_CHARS``): most of a wide sheet's width is long headers over short figures and a few long texts.
COMFORT_SCALE = 75
#: The width (characters) a long text column (a reason, a status, a note) wraps at when its sheet is wide.
WRAP_CHARS = 36
#: A4's printable width (points) within the margins ``xlsxwriter_print`` and ``openpyxl_print`` set, portrait
#: and landscape.
PRINTABLE = {False: 595.3 - 0.8 * 72, True: 841.9 - 0.8 * 72}


def excel_points(width: float) -> float:
    """A column of ``width`` characters in points as Windows Excel draws it (7 pixels a character and 5 of padding
    with the default 11-point Calibri; 0.75 points a pixel)."""
    return math.floor(width * 7 + 5) * 0.75


def libreoffice_points(width: float) -> float:
    """A column of ``width`` characters in points as LibreOffice may draw it (up to 10 pixels a character): what a
    page's columns must fit at a set scale so that they fit in both."""
    return (width * 10 + 5) * 0.75


def fit_scale(widths: Sequence[float], landscape: bool) -> float:
    """The scale (percent, at most 100) at which Excel fits columns of ``widths`` to one A4 page wide."""
    total = sum(excel_points(w) for w in widths)
    return min(100.0, PRINTABLE[landscape] / total * 100) if total else 100.0


def column_blocks(widths: Sequence[float], keys: int, scale: float = MIN_SCALE) -> tuple[list[int], int]:
    """Split columns too wide for one page at ``MIN_SCALE`` into printed blocks: the column indexes (0-based) each
    new block starts at, filled greedily so that the key columns (the first ``keys``, repeated on every page) and
    a block fit a landscape page in LibreOffice's widths at ``scale``; and the scale (at least ``scale``, at most
    100) at which the widest block fills its page."""
    repeated = sum(libreoffice_points(w) for w in widths[:keys])
    room = PRINTABLE[True] / (scale / 100) - repeated
    points = [libreoffice_points(w) for w in widths[keys:]]

    def split(limit: float) -> tuple[list[int], float]:
        breaks: list[int] = []
        used = widest = 0.0
        for i, w in enumerate(points, start=keys):
            if used and used + w > limit:
                breaks.append(i)
                widest, used = max(widest, used), 0.0
            used += w
        return breaks, max(widest, used)

    breaks, widest = split(room)
    # as many blocks, evenly filled: the smallest page width that still needs no more of them (no block of one
    # or two columns left over at the end)
    even = max(sum(points) / (len(breaks) + 1), max(points, default=0.0))
    while even < room:
        trial, trial_widest = split(even)
        if len(trial) <= len(breaks):
            breaks, widest = trial, trial_widest
            break
        even *= 1.02
    return breaks, int(max(scale, min(100, PRINTABLE[True] / (repeated + widest) * 100)))


def key_columns(widths: Sequence[float], text: Sequence[bool]) -> int:
    """How many leading columns repeat on every page of a sheet printed in blocks: its leading text columns (an
    ID, a name), at most three and 45 characters wide, at least the first."""
    keys, used = 0, 0.0
    for w, is_text in zip(widths, text):
        if not is_text or keys == 3 or used + w > 45:
            break
        keys, used = keys + 1, used + w
    return max(keys, 1)


def xlsxwriter_print(ws: Any, widths: Sequence[float], last_row: int, lang: str, header_rows: int = 1,
                     last_col: int | None = None, area: bool = True, keys: int = 1) -> None:
    """Print setup of an XlsxWriter worksheet: rows 0..last_row, columns of ``widths``; ``area=False`` sets no
    print area (a sheet with charts beside its table prints them too). A sheet that would print below
    ``MIN_SCALE`` fitted to one page wide prints in column blocks, its first ``keys`` columns repeated."""
    ws.set_paper(A4)
    if is_wide(widths):
        ws.set_landscape()
    else:
        ws.set_portrait()
    if fit_scale(widths, is_wide(widths)) < MIN_SCALE and len(widths) > keys:
        breaks, scale = column_blocks(widths, keys)
        ws.set_print_scale(scale)
        ws.repeat_columns(0, keys - 1)
        ws.set_v_pagebreaks(breaks)
    else:
        ws.fit_to_pages(1, 0)
    if header_rows:
        ws.repeat_rows(0, header_rows - 1)
    ws.set_footer(footer(lang))
    ws.set_header(PAGE_HEADER)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    if area:
        ws.print_area(0, 0, max(last_row, header_rows - 1, 0),
                      (len(widths) if last_col is None else last_col + 1) - 1)


def openpyxl_print(ws: Any, lang: str, title_rows: str | None = "1:1", last_col: int | None = None,
                   last_row: int | None = None, header: str = PAGE_HEADER[2:]) -> None:
    """Print setup of an openpyxl worksheet over its used range (or up to ``last_col``/``last_row``), each page
    headed by ``header`` (the file and sheet name by default); a print area, title rows or page header the sheet
    already has (a director's template) are kept."""
    cols = max(ws.max_column, last_col or 0)
    rows = max(ws.max_row, last_row or 0)
    widths = [ws.column_dimensions[get_column_letter(i)].width or 8.43 for i in range(1, cols + 1)]
    ws.page_setup.paperSize = A4
    ws.page_setup.orientation = "landscape" if is_wide(widths) else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows and not ws.print_title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = footer(lang)[2:]
    ws.oddHeader.center.text = ws.oddHeader.center.text or header
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.5, 0.6
    if not ws.print_area:
        ws.print_area = f"A1:{get_column_letter(cols)}{rows}"


#: Height of a default row (15 points) in centimetres, and the pixels of a centimetre at 96 dpi.
ROW_CM = 15 / 72 * 2.54
PX_PER_CM = 96 / 2.54


def chart_extent(ws: Any) -> tuple[int, int]:
    """The last (row, column), 1-based, that the charts added to an openpyxl worksheet cover: each chart from its
    anchor cell over its width and height (issue 24: a print area must hold the charts, not stop at the table)."""
    last_row = last_col = 0
    for chart in getattr(ws, "_charts", []):
        anchor = chart.anchor if isinstance(chart.anchor, str) else None
        if anchor is None:
            continue
        col, row = coordinate_from_string(anchor)
        first = column_index_from_string(col)
        rows = math.ceil(float(chart.height) / ROW_CM)
        px, c = float(chart.width) * PX_PER_CM, first
        while px > 0:
            width = ws.column_dimensions[get_column_letter(c)].width or 8.43
            px -= width * 7 + 5
            c += 1
        last_row, last_col = max(last_row, row + rows), max(last_col, c - 1)
    return last_row, last_col


def print_area_with_charts(ws: Any) -> None:
    """Widen an openpyxl worksheet's print area (its used range, or the area it has) to hold its charts."""
    rows, cols = chart_extent(ws)
    if not rows:
        return
    rows, cols = max(rows, ws.max_row), max(cols, ws.max_column)
    ws.print_area = f"A1:{get_column_letter(cols)}{rows}"


#: A4 in points (portrait width, height); the printable part leaves the margins ``openpyxl_print`` sets (Excel
#: prints the page header and footer inside them).
A4_POINTS = (595.3, 841.9)
MARGINS_POINTS = (0.4 * 72 * 2, (0.5 + 0.6) * 72)
#: A section's heading, header and this many of its first rows are kept on one page.
KEEP_ROWS = 3
#: Rows of spare at the foot of every page: the estimate of where a page ends (row heights, the fitted scale)
#: is not the renderer's to the point, so a block is moved on when it would end in the last rows.
SLACK_POINTS = LINE_HEIGHT


@dataclass(frozen=True)
class Block:
    """Rows printed together: ``first``..``last``; ``keep`` is the last row that must be on ``first``'s page (a
    section's heading, header and first rows; a whole chart); ``header`` is a table's header row (0: none)."""

    first: int
    last: int
    keep: int
    header: int = 0


def fixed_scale(ws: Any, last_col: int) -> int:
    """Set an openpyxl worksheet to print at a fixed scale (percent) that fits its columns to one page wide in
    Excel and in LibreOffice (which draws a column of w characters up to 10w + 5 pixels wide, Excel 7w + 5), and
    give every row up to the last a set height (LibreOffice's default row is lower than Excel's): the pages then
    end at the same rows in both, so breaks placed from the row heights hold. Returns the scale."""
    width = sum((ws.column_dimensions[get_column_letter(i)].width or 8.43) * 10 + 5 for i in range(1, last_col + 1))
    page = A4_POINTS[1] if ws.page_setup.orientation == "landscape" else A4_POINTS[0]
    scale = max(10, min(100, int((page - MARGINS_POINTS[0]) / (width * 0.75) * 100)))
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_setup.scale = scale
    return scale


def keep_together(ws: Any, blocks: Sequence[Block], last_row: int, last_col: int) -> list[Block]:
    """Place row breaks on an openpyxl worksheet so no block starts in the last rows of
    a page: a block that fits on a page is moved whole to the next page when it would not fit on this one; a
    longer block is moved when its ``keep`` rows would not. Returns the blocks that still run over a page (their
    header is what the page tops must repeat). The sheet prints at a fixed scale (``fixed_scale``)."""
    scale = fixed_scale(ws, last_col) / 100
    page = ((A4_POINTS[0] if ws.page_setup.orientation == "landscape" else A4_POINTS[1]) - MARGINS_POINTS[1]) / scale
    for r in range(1, last_row + 1):
        ws.row_dimensions[r].height = ws.row_dimensions[r].height or LINE_HEIGHT
    heights = [0.0] + [ws.row_dimensions[r].height for r in range(1, last_row + 1)]

    def span(a: int, b: int) -> float:
        return sum(heights[a:b + 1])

    starts = {b.first: b for b in blocks}
    used, breaks, running = 0.0, [], []
    page_first = 1
    spanning: set[int] = set()
    for r in range(1, last_row + 1):
        block = starts.get(r)
        if block is not None and used > 0:
            room = page - SLACK_POINTS - used
            whole, kept = span(block.first, block.last), span(block.first, block.keep)
            if whole > room and (whole <= page - SLACK_POINTS or kept > room):
                breaks.append(r - 1)
                used, page_first = 0.0, r
        if used + heights[r] > page and used > 0:  # the renderer's own break
            used, page_first = 0.0, r
        used += heights[r]
        running = [b for b in blocks if b.first <= r <= b.last]
        for b in running:
            if b.first < page_first:
                spanning.add(b.first)
    for row in breaks:
        ws.row_breaks.append(Break(id=row))
    return [b for b in blocks if b.first in spanning]
