"""The Excel template engine: a director-editable workbook with Jinja2 placeholders in cells.

- Scalar cells: any text holding ``{{ … }}`` is rendered with the report filters. A cell that is one
  expression with a number filter (``{{ headline.collection | money }}``) gets the number itself and
  the filter's number format (unless the director set one), so Excel can compute with it.
- Table cells: ``{{ tables.NAME }}`` alone in a cell writes the table's header there (in the style of
  that cell) and its rows below; the row under the placeholder is the *style row*: each data row copies
  its fonts, fills, borders, number formats, height and merged cells. Rows are inserted so content
  below moves down; formulas (any sheet), merged cells, conditional formats and data validations are
  adjusted, and every range that includes the style row grows to cover all data rows (so
  ``=SUM(C6:C6)`` under a one-row table becomes ``=SUM(C6:C9)``).
- Chart cells: ``{{ charts.NAME }}`` alone in a cell anchors a native Excel chart there, bound to the
  expanded table it draws (tables not placed in the template go to a hidden ``_chart_data`` sheet).
Text from the data is always written as a text cell, never a formula.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import lru_cache
from math import copysign
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.styles import Alignment, Border, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import column_index_from_string, get_column_letter, quote_sheetname
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import ToolkitError
from ..i18n import register, t
from . import filters as FL
from ..io.print_setup import (KEEP_ROWS, LINE_HEIGHT, MIN_SCALE, PRINTABLE, Block, header_height, keep_together,
                              libreoffice_points, number_width, openpyxl_print)
from ..io.writer import display_width, save_workbook
from ..money import fmt_money

register(
    {
        "report.template.invalid": ("The report template {file} cannot be opened as a workbook: {detail}",
                                    "报告模板 {file} 无法作为工作簿打开：{detail}"),
        "report.template.placeholder": ("Report template, sheet {sheet!r} cell {cell}: {detail}",
                                        "报告模板，工作表“{sheet}”单元格 {cell}：{detail}"),
        "report.template.unknown-table": ("there is no table {name!r} (known: {known})",
                                          "没有名为“{name}”的表（可用：{known}）"),
        "report.template.unknown-chart": ("there is no chart {name!r} (known: {known})",
                                          "没有名为“{name}”的图表（可用：{known}）"),
        "report.template.no-room": ("table {name!r} needs {cols} columns and would run past column XFD",
                                    "表“{name}”需要 {cols} 列，超出工作表范围"),
    }
)

TABLE_RE = re.compile(r"^\s*\{\{\s*tables\.(\w+)\s*\}\}\s*$")
CHART_RE = re.compile(r"^\s*\{\{\s*charts\.(\w+)\s*\}\}\s*$")
SCALAR_RE = re.compile(r"^\s*\{\{\s*(?P<expr>[^{}|]+?)\s*(?:\|\s*(?P<filter>money|percent|change|date|int|number)"
                       r"\s*)?\}\}\s*$")
_CELL = re.compile(r"(\$?)([A-Za-z]{1,3})(\$?)(\d+)")
_ROWS = re.compile(r"^(\$?)(\d+):(\$?)(\d+)$")
DATA_SHEET = "_chart_data"
RAG_FILLS = {"green": "FFC6EFCE", "amber": "FFFFEB9C", "red": "FFFFC7CE"}
CHANGE_GOOD, CHANGE_BAD = "FF1A7F37", "FFC00000"
TOTAL_BORDER = Border(top=Side(style="thin", color="FF000000"), bottom=Side(style="double", color="FF000000"))


@dataclass
class Placement:
    """Where a table landed: sheet, header row, first column, data row count (≥ 1) and column count."""

    sheet: str
    header_row: int
    col: int
    rows: int
    cols: int

    @property
    def first(self) -> int:
        return self.header_row + 1

    @property
    def last(self) -> int:
        return self.header_row + self.rows


def _fail(ws: Worksheet, cell: str, key: str, **params: Any) -> ToolkitError:
    return ToolkitError("report.template.placeholder", sheet=ws.title, cell=cell,
                        detail=t(key, "en", **params) if key.startswith("report.") else str(params.get("detail")))


# --------------------------------------------------------------------------- row insertion


def _grow(lo: int, hi: int, idx: int, amount: int) -> tuple[int, int]:
    """Rows lo..hi after inserting ``amount`` rows before ``idx`` (ranges touching idx-1 grow)."""
    if lo >= idx:
        return lo + amount, hi + amount
    if hi >= idx - 1:
        return lo, hi + amount
    return lo, hi


def _shift_ref(ref: str, idx: int, amount: int) -> str:
    """A cell or range reference (no sheet part) after inserting rows."""
    if ":" in ref:
        a, b = ref.split(":", 1)
        ma, mb = _CELL.fullmatch(a), _CELL.fullmatch(b)
        if ma and mb:
            lo, hi = _grow(int(ma.group(4)), int(mb.group(4)), idx, amount)
            return f"{ma.group(1)}{ma.group(2)}{ma.group(3)}{lo}:{mb.group(1)}{mb.group(2)}{mb.group(3)}{hi}"
        mr = _ROWS.fullmatch(ref)
        if mr:
            lo, hi = _grow(int(mr.group(2)), int(mr.group(4)), idx, amount)
            return f"{mr.group(1)}{lo}:{mr.group(3)}{hi}"
        return ref
    m = _CELL.fullmatch(ref)
    if not m:
        return ref
    row = int(m.group(4))
    return f"{m.group(1)}{m.group(2)}{m.group(3)}{row + amount if row >= idx else row}"


def _split_sheet(operand: str) -> tuple[str | None, str]:
    if "!" not in operand:
        return None, operand
    sheet, ref = operand.rsplit("!", 1)
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, ref


def shift_formula(formula: str, own_sheet: str, target: str, idx: int, amount: int) -> str:
    """``formula`` (on ``own_sheet``) with its references into ``target`` adjusted for inserted rows."""
    try:
        tok = Tokenizer(formula)
    except Exception:  # noqa: BLE001 - an unparsable formula is left as written
        return formula
    changed = False
    for item in tok.items:
        if item.type == Token.OPERAND and item.subtype == Token.RANGE:
            sheet, ref = _split_sheet(item.value)
            if (sheet or own_sheet) != target:
                continue
            new = _shift_ref(ref, idx, amount)
            if new != ref:
                item.value = item.value[: len(item.value) - len(ref)] + new
                changed = True
    return "=" + "".join(i.value for i in tok.items) if changed else formula


def insert_rows(ws: Worksheet, idx: int, amount: int) -> None:
    """Insert ``amount`` rows before row ``idx`` and adjust what openpyxl leaves alone."""
    if amount <= 0:
        return
    wb = ws.parent
    ws.insert_rows(idx, amount)
    for other in wb.worksheets:
        for cell in list(other._cells.values()):  # the cells that exist (iter_rows would make every empty one)
            if cell.data_type == "f" and isinstance(cell.value, str):
                cell.value = shift_formula(cell.value, other.title, ws.title, idx, amount)
    merged = list(ws.merged_cells.ranges)
    for mr in merged:
        ws.merged_cells.remove(mr)
        lo, hi = _grow(mr.min_row, mr.max_row, idx, amount) if mr.max_row >= idx else (mr.min_row, mr.max_row)
        ws.merged_cells.add(CellRange(min_col=mr.min_col, max_col=mr.max_col, min_row=lo, max_row=hi))
    heights = {r: d.height for r, d in ws.row_dimensions.items() if r >= idx and d.height is not None}
    for r in sorted(heights, reverse=True):
        ws.row_dimensions[r + amount].height = heights[r]
        ws.row_dimensions[r].height = None
    old = ws.conditional_formatting
    ws.conditional_formatting = ConditionalFormattingList()
    for cf in old:
        ranges = " ".join(_shift_ref(_as_range(r), idx, amount) for r in cf.sqref.ranges)
        for rule in cf.rules:
            ws.conditional_formatting.add(ranges, rule)
    for dv in ws.data_validations.dataValidation:
        dv.sqref = type(dv.sqref)(" ".join(_shift_ref(_as_range(r), idx, amount) for r in dv.sqref.ranges))
    _shift_names_and_areas(ws, idx, amount)


def _shift_names_and_areas(ws: Worksheet, idx: int, amount: int) -> None:
    """Defined names (workbook and sheet scope), the print area and titles, Excel tables and the autofilter
    of ``ws`` after inserting rows: openpyxl's insert_rows leaves them pointing at the old rows."""
    wb = ws.parent
    names = list(wb.defined_names.values())
    for sheet in wb.worksheets:
        names += list(sheet.defined_names.values())
    for dn in names:
        if dn.attr_text:
            dn.attr_text = shift_formula("=" + dn.attr_text, ws.title, ws.title, idx, amount)[1:]
    if ws.print_area:
        areas = [_split_sheet(part)[1] for part in ws.print_area.split(",")]
        ws.print_area = [_shift_ref(a.replace("$", ""), idx, amount) for a in areas]
    if ws.print_title_rows:
        ws.print_title_rows = _shift_ref(ws.print_title_rows.replace("$", ""), idx, amount)
    for table in ws.tables.values():
        table.ref = _shift_ref(table.ref, idx, amount)
        if table.autoFilter is not None and table.autoFilter.ref:
            table.autoFilter.ref = _shift_ref(table.autoFilter.ref, idx, amount)
    if ws.auto_filter.ref:
        ws.auto_filter.ref = _shift_ref(ws.auto_filter.ref, idx, amount)


def _as_range(r: CellRange) -> str:
    """A sqref part always as A1:B2 (so a single-cell range on the style row grows too)."""
    return (f"{get_column_letter(r.min_col)}{r.min_row}:"
            f"{get_column_letter(r.max_col)}{r.max_row}")


# --------------------------------------------------------------------------- tables


def _copy_style(src: Any, dst: Any) -> None:
    if src.has_style:
        dst._style = copy.copy(src._style)


def _cell(ws: Worksheet, row: int, col: int) -> Any:
    """``ws.cell(row, col)``, looked up in the sheet's cells first: the same cell (made when missing, as
    ``ws.cell`` makes it), without openpyxl's checks on every call of a table's thousands."""
    found = ws._cells.get((row, col))
    return found if found is not None else ws.cell(row, col)


#: A workbook's restyled cells (``_restyle``): (what was done, the cell's style before) -> its style after.
Styles = dict[tuple[Any, bytes | None], Any]


def _restyle(cell: Any, op: Hashable, apply: Callable[[Any], None], styles: Styles | None) -> None:
    """``apply(cell)`` (a font, fill, border, alignment or number format set), or, when ``styles`` has seen ``op``
    done to a cell of the same style, that result copied: the same style ids, without openpyxl hashing a Font, Fill
    or Alignment into the workbook's style lists again for each cell (the first such cell added them, in order).
    ``styles`` belongs to one workbook (its ids index that workbook's lists); None: always ``apply``."""
    if styles is None:
        apply(cell)
        return
    key = (op, None if cell._style is None else cell._style.tobytes())
    done = styles.get(key)
    if done is None:
        apply(cell)
        styles[key] = done = (None if cell._style is None else StyleArray(cell._style),)
    else:
        cell._style = None if done[0] is None else StyleArray(done[0])


def _number_format(kind: str) -> Callable[[Any], None]:
    """Sets the number format of ``kind`` on a cell whose format is General (a director's format is kept)."""
    def apply(cell: Any) -> None:
        if cell.number_format == "General":
            cell.number_format = FL.NUMBER_FORMATS[kind]
    return apply


def _fill(colour: str) -> Callable[[Any], None]:
    """Sets a solid fill of ``colour``."""
    def apply(cell: Any) -> None:
        cell.fill = PatternFill("solid", start_color=colour, end_color=colour)
    return apply


def _font_colour(colour: str) -> Callable[[Any], None]:
    """Sets the cell's font in ``colour``."""
    def apply(cell: Any) -> None:
        coloured = copy.copy(cell.font)
        coloured.color = colour
        cell.font = coloured
    return apply


def _total(cell: Any) -> None:
    """A total row's cell: bold, a line above and a double line below."""
    bold = copy.copy(cell.font)
    bold.b = True
    cell.font = bold
    cell.border = TOTAL_BORDER


def _write_value(cell: Any, value: Any, kind: str, lang: str, styles: Styles | None = None) -> None:
    """``value`` written into ``cell`` as a ``kind`` column shows it (a number with its format, text as text);
    ``styles``: the workbook's restyled cells (``_restyle``)."""
    if FL.blank(value):
        cell.value = None
        return
    if kind == "rag":
        cell.value = FL.rag(value, lang)
        cell.data_type = "s"
        fill = RAG_FILLS.get(str(value).lower())
        if fill:
            _restyle(cell, ("fill", fill), _fill(fill), styles)
        return
    if kind in ("money", "percent", "change", "number", "ratio") and isinstance(value, (int, float)) \
            and not isinstance(value, bool):
        cell.value = float(value)
    elif kind == "int" and isinstance(value, (int, float)):
        cell.value = int(value)
    elif kind == "date" and isinstance(value, (pd.Timestamp,)):
        cell.value = value.to_pydatetime().date()
    else:
        cell.value = str(value)
        cell.data_type = "s"  # data text is never a formula
        return
    if kind in FL.NUMBER_FORMATS:
        _restyle(cell, ("format", kind), _number_format(kind), styles)


def write_table(ws: Worksheet, row: int, col: int, name: str, context: dict[str, Any],
                styles: Styles | None = None) -> Placement:
    """Expand the table ``name`` at (row, col): header in the placeholder row, data from the style row on.
    ``styles``: the workbook's restyled cells (``_restyle``; ``render_workbook`` shares one over its tables)."""
    frame: pd.DataFrame = context["tables"][name]
    spec = context["columns"][name]
    labels = context["labels"][name]
    lang = context.get("lang", "en")
    ncols = len(spec)
    if col + ncols - 1 > 16384:
        raise _fail(ws, f"{get_column_letter(col)}{row}", "report.template.no-room", name=name, cols=ncols)
    n = len(frame)
    style_row = row + 1
    if n > 1:
        insert_rows(ws, style_row + 1, n - 1)
        merged_in_style = [m for m in ws.merged_cells.ranges if m.min_row == m.max_row == style_row]
        height = ws.row_dimensions[style_row].height
        width = ncols + max(0, max((m.max_col for m in merged_in_style), default=0) - col - ncols + 1)
        sources = [_cell(ws, style_row, col + j) for j in range(width)]  # each data row copies these styles
        for i in range(1, n):
            r = style_row + i
            for j, src in enumerate(sources):
                _copy_style(src, _cell(ws, r, col + j))  # cells of rows just inserted: made here
            if height is not None:
                ws.row_dimensions[r].height = height
            for m in merged_in_style:
                ws.merged_cells.add(CellRange(min_col=m.min_col, max_col=m.max_col, min_row=r, max_row=r))
    head = ws.cell(row, col)
    for j, text in enumerate(labels):
        cell = ws.cell(row, col + j)
        if j:
            _copy_style(head, cell)
        cell.value = text
        cell.data_type = "s"
    if n == 0:
        cell = ws.cell(style_row, col)
        cell.value = context["text"]["none"]
        cell.data_type = "s"
    cols = [frame[k].astype(object).tolist() if k in frame else [None] * n for k, _ in spec]
    totals = frame["_total"].fillna(False).astype(bool).tolist() if "_total" in frame else [False] * n
    lower = frame["_lower_better"].astype(bool).tolist() if "_lower_better" in frame else [False] * n
    for i in range(n):
        for j, (_key, kind) in enumerate(spec):
            cell = _cell(ws, style_row + i, col + j)
            _write_value(cell, cols[j][i], kind, lang, styles)
            if kind == "change" and isinstance(cell.value, float) and cell.value:
                colour = CHANGE_GOOD if (cell.value > 0) != lower[i] else CHANGE_BAD  # a rise is good, except Expense
                _restyle(cell, ("font", colour), _font_colour(colour), styles)
            if totals[i]:
                _restyle(cell, "total", _total, styles)
    return Placement(ws.title, row, col, max(n, 1), ncols)


# --------------------------------------------------------------------------- charts


def _chart_completion(ws: Worksheet, p: Placement, title: str) -> Any:
    chart = BarChart()
    chart.type = "col"
    data_last = p.last  # departments and the company
    data = Reference(ws, min_col=p.col + 1, max_col=p.col + 4, min_row=p.header_row, max_row=data_last)
    cats = Reference(ws, min_col=p.col, min_row=p.first, max_row=data_last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    line = LineChart()
    line.add_data(Reference(ws, min_col=p.col + 5, min_row=p.header_row, max_row=data_last), titles_from_data=True)
    chart += line
    chart.y_axis.number_format = "0%"
    chart.title = title
    return chart


def _chart_trend(ws: Worksheet, p: Placement, title: str) -> Any:
    chart = LineChart()
    chart.add_data(Reference(ws, min_col=p.col + 1, max_col=p.col + 3, min_row=p.header_row, max_row=p.last),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=p.col, min_row=p.first, max_row=p.last))
    chart.y_axis.number_format = "#,##0"
    chart.title = title
    return chart


def _chart_aging(ws: Worksheet, p: Placement, title: str) -> Any:
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    data_last = p.last - 1 if p.rows > 1 else p.last  # departments; the last row is the company total
    chart.add_data(Reference(ws, min_col=p.col + 1, max_col=p.col + p.cols - 3, min_row=p.header_row,
                             max_row=data_last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=p.col, min_row=p.first, max_row=data_last))
    chart.y_axis.number_format = "#,##0"
    chart.title = title
    return chart


def _chart_history(ws: Worksheet, p: Placement, title: str) -> Any:
    chart = LineChart()
    chart.add_data(Reference(ws, min_col=p.col + 1, max_col=p.col + p.cols - 1, min_row=p.header_row,
                             max_row=p.last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=p.col, min_row=p.first, max_row=p.last))
    chart.y_axis.number_format = "#,##0"
    chart.title = title
    return chart


def _chart_pareto(ws: Worksheet, p: Placement, title: str) -> Any:
    """The top customers' signing (columns rank, customer, signing, …)."""
    chart = BarChart()
    chart.type = "col"
    chart.add_data(Reference(ws, min_col=p.col + 2, min_row=p.header_row, max_row=p.last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=p.col + 1, min_row=p.first, max_row=p.last))
    chart.y_axis.number_format = "#,##0"
    chart.title = title
    return chart


def _chart_product_lines(ws: Worksheet, p: Placement, title: str) -> Any:
    """Signing and gross margin per product line (columns product line, signing, share, gross margin, …); the
    last row is the total."""
    chart = BarChart()
    chart.type = "col"
    data_last = p.last - 1 if p.rows > 1 else p.last
    for col in (p.col + 1, p.col + 3):
        chart.add_data(Reference(ws, min_col=col, min_row=p.header_row, max_row=data_last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=p.col, min_row=p.first, max_row=data_last))
    chart.y_axis.number_format = "#,##0"
    chart.title = title
    return chart


#: chart name -> (table it draws, builder, title key in context["text"])
CHARTS: dict[str, tuple[str, Callable[[Worksheet, Placement, str], Any], str]] = {
    "completion_by_department": ("completion_matrix", _chart_completion, "chart_completion"),
    "trend": ("trend", _chart_trend, "chart_trend"),
    "aging": ("aging", _chart_aging, "chart_aging"),
    "history": ("history", _chart_history, "chart_history"),
    "pareto": ("market_customers", _chart_pareto, "chart_pareto"),
    "product_lines": ("market_lines", _chart_product_lines, "chart_lines"),
}
CHART_SIZE = (18.0, 8.0)  # cm
#: A report table's text longer than this (characters: a customer's name, a feedback's content) wraps in a column
#: this wide, its row made taller, so the sheet prints at a readable scale (issue 24; not one 50-character column).
REPORT_WRAP = 24
CM_PER_CHAR = 0.2  # a column of width w is about 0.2·w cm wide (Calibri 11)
CM_PER_ROW = 0.53


# --------------------------------------------------------------------------- scalars


@lru_cache(maxsize=4)
def _environment(lang: str) -> jinja2.Environment:
    """The scalars' Jinja2 environment for ``lang``, one per process (its filters are pure functions of the
    value and the language)."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    env.filters.update(FL.jinja_filters(lang))
    return env


@lru_cache(maxsize=1024)
def _compiled(lang: str, expression: str) -> Any:
    """A template cell's expression compiled once per process and language: every close renders the same
    template's few dozen scalar cells, and Jinja2's compile costs more than the render. Keyed by the cell's
    text, so an edited template compiles its new expressions."""
    return _environment(lang).compile_expression(expression, undefined_to_none=False)


@lru_cache(maxsize=256)
def _compiled_text(lang: str, text: str) -> jinja2.Template:
    """A template cell's text with Jinja2 markup beyond one expression, compiled once per process and language."""
    return _environment(lang).from_string(text)


def _render_scalar(lang: str, ws: Worksheet, cell: Any, context: dict[str, Any]) -> None:
    """A template cell's placeholder replaced by its value from ``context`` (the environment of ``lang``)."""
    text = cell.value
    try:
        m = SCALAR_RE.match(text)
        if m:
            value = _compiled(lang, m.group("expr"))(**context)
            kind = m.group("filter")
            if isinstance(value, jinja2.Undefined):
                str(value)  # raises UndefinedError
            if kind and isinstance(value, (int, float)) and not isinstance(value, bool):
                _write_value(cell, value, kind, context.get("lang", "en"))
                return
            if kind is None and isinstance(value, (int, float)) and not isinstance(value, bool):
                cell.value = value
                return
            out = FL.fmt(value, kind, context.get("lang", "en")) if kind else FL.text(value)
        else:
            out = _compiled_text(lang, text).render(**context)
    except jinja2.TemplateError as exc:
        raise ToolkitError("report.template.placeholder", sheet=ws.title, cell=cell.coordinate,
                           detail=str(exc.message or exc)) from exc
    cell.value = out
    cell.data_type = "s"


# --------------------------------------------------------------------------- the engine


def _find_placeholder(ws: Worksheet, pattern: re.Pattern[str], first_row: int = 1) -> tuple[Any, str] | None:
    """The first cell from row ``first_row`` on (row by row) whose text matches ``pattern``, and its group: looked
    for among the cells the sheet has (its text cells, in row and column order), not by ``iter_rows``, which makes
    an empty cell at every place it passes. The cells it would have made are made anyway when ``render_workbook``
    renders the scalars (every sheet's rectangle, after the tables), so the saved sheet is the same, and inserting
    a table's rows moves fewer cells."""
    hits = [(key, cell.value) for key, cell in ws._cells.items()
            if key[0] >= first_row and isinstance(cell.value, str) and "{{" in cell.value]
    for key, value in sorted(hits, key=lambda hit: hit[0]):
        m = pattern.match(value)
        if m:
            return ws._cells[key], m.group(1)
    return None


def open_template(path: str | Path) -> Workbook:
    """Load a report template, or a ToolkitError naming the file."""
    try:
        return load_workbook(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable template is the user's to fix
        raise ToolkitError("report.template.invalid", file=str(path), detail=f"{type(exc).__name__}: {exc}") from exc


def render_workbook(wb: Workbook, context: dict[str, Any]) -> Workbook:
    """Fill a loaded template workbook with ``context`` in place (tables, scalars, then charts)."""
    lang = context.get("lang", "en")
    placements: dict[str, Placement] = {}
    known = ", ".join(sorted(context["tables"]))
    styles: Styles = {}  # this workbook's restyled cells, shared by its tables (``_restyle``)
    for ws in list(wb.worksheets):
        # a table only changes its own row and those below it, so the next placeholder is looked for from its row
        # on, among the cells the sheet has (``_find_placeholder``: the scalars' pass below then makes every cell
        # of the sheet's rectangle, as openpyxl's iter_rows leaves it)
        first_row = 1
        while (hit := _find_placeholder(ws, TABLE_RE, first_row)) is not None or first_row > 1:
            if hit is None:
                first_row = 1
                continue
            cell, name = hit
            if name not in context["tables"]:
                raise _fail(ws, cell.coordinate, "report.template.unknown-table", name=name, known=known)
            first_row = cell.row
            placements[name] = write_table(ws, cell.row, cell.column, name, context, styles)
    anchors: list[tuple[Worksheet, str, str]] = []
    for ws in list(wb.worksheets):
        for row in ws.iter_rows():
            for cell in row:
                if not (isinstance(cell.value, str) and ("{{" in cell.value or "{%" in cell.value)):
                    continue
                m = CHART_RE.match(cell.value)
                if m:
                    if m.group(1) not in CHARTS:
                        raise _fail(ws, cell.coordinate, "report.template.unknown-chart", name=m.group(1),
                                    known=", ".join(CHARTS))
                    anchors.append((ws, cell.coordinate, m.group(1)))
                    cell.value = None
                    continue
                _render_scalar(lang, ws, cell, context)
    for ws, anchor, name in anchors:
        table, build, title = CHARTS[name]
        if table not in placements:
            data = wb[DATA_SHEET] if DATA_SHEET in wb.sheetnames else wb.create_sheet(DATA_SHEET)
            data.sheet_state = "hidden"
            start = data.max_row + 2 if data.max_row > 1 else 1
            placements[table] = write_table(data, start, 1, table, context, styles)
        p = placements[table]
        chart = build(wb[p.sheet], p, context["text"][title])
        chart.width, chart.height = CHART_SIZE
        ws.add_chart(chart, anchor)
    lay_out(wb, placements, anchors, lang, page_header(context))
    return wb


def page_header(context: dict[str, Any]) -> str:
    """The page header of every printed page: the report's title, its period and the sheet's name (``&A``)."""
    title = f"{context['text'].get('title', '')} {context.get('period', '')}".strip().replace("&", "&&")
    return f"{title} – &A" if title else "&A"


def lay_out(wb: Workbook, placements: dict[str, Placement], anchors: list[tuple[Worksheet, str, str]],
            lang: str, header: str = "&A") -> None:
    """Column widths from the tables' content (only ever widened, so a director's wider columns stay),
    wrapped header rows tall enough, and print setup on every visible sheet (``toolkit.io.print_setup``):
    sections kept together and the header of a table that runs over a page repeated (``print_pages``)."""
    merged: dict[str, set[tuple[int, int]]] = {}
    for p in placements.values():
        if p.sheet not in merged:  # one set per sheet: a look-up per cell instead of a scan of every range
            merged[p.sheet] = {cell for mr in wb[p.sheet].merged_cells.ranges for cell in mr.cells}
    measure = _Widths()
    styles: Styles = {}  # this workbook's restyled cells (``_restyle``)
    wrapping = _sheets_to_wrap(wb, placements, merged, measure)
    for p in placements.values():
        ws = wb[p.sheet]
        in_merged = merged[ws.title]
        widths = []
        tall: set[int] = set()
        for j in range(p.cols):
            letter = get_column_letter(p.col + j)
            need = 0.0
            for r in range(p.first, p.last + 1):
                cell = _cell(ws, r, p.col + j)
                if cell.value is None or (r, p.col + j) in in_merged:
                    continue
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    need = max(need, measure.number(cell))
                elif ws.title in wrapping and measure.text(cell.value) > REPORT_WRAP:  # issue 24: wraps
                    need = max(need, REPORT_WRAP + 2.0)
                    _restyle(cell, "wrap", _wrap, styles)
                    lines = sum(max(1, -(-display_width(part) // (REPORT_WRAP + 2)))
                                for part in str(cell.value).split("\n"))
                    if lines > 1:
                        current = ws.row_dimensions[r].height or LINE_HEIGHT
                        ws.row_dimensions[r].height = max(current, LINE_HEIGHT * lines + 2)
                        tall.add(r)
                else:
                    need = max(need, min(measure.text(cell.value), 50) + 2.0)
            head = display_width(ws.cell(p.header_row, p.col + j).value or "")
            need = max(need, min(head, 14) + 2.0, 8.0)  # long labels wrap (the header row grows)
            dim = ws.column_dimensions[letter]
            dim.width = max(dim.width or 0.0, need) if dim.customWidth else need
            widths.append(dim.width)
        for r in tall:  # a taller row reads from its top: a figure beside a wrapped name sits on its first line
            for j in range(p.cols):
                cell = ws.cell(r, p.col + j)
                _restyle(cell, "top", _top, styles)
        labels = [str(ws.cell(p.header_row, p.col + j).value or "") for j in range(p.cols)]
        height = header_height(labels, widths)
        current = ws.row_dimensions[p.header_row].height or 0
        ws.row_dimensions[p.header_row].height = max(current, height)
        for j in range(p.cols):
            _restyle(ws.cell(p.header_row, p.col + j), "header", _header, styles)
    reach: dict[str, tuple[int, int]] = {}
    for ws, anchor, _name in anchors:
        col, row = _CELL.fullmatch(anchor).group(2), int(_CELL.fullmatch(anchor).group(4))
        start = column_index_from_string(col)
        cm, last = 0.0, start
        while cm < CHART_SIZE[0]:
            cm += (ws.column_dimensions[get_column_letter(last)].width or 8.43) * CM_PER_CHAR
            last += 1
        rows = row + int(CHART_SIZE[1] / CM_PER_ROW) + 1
        old = reach.get(ws.title, (0, 0))
        reach[ws.title] = (max(old[0], last), max(old[1], rows))
    charts: dict[str, list[tuple[int, int]]] = {}
    for ws, anchor, _name in anchors:
        row = int(_CELL.fullmatch(anchor).group(4))
        charts.setdefault(ws.title, []).append((row, row + int(CHART_SIZE[1] / CM_PER_ROW) + 1))
    for ws in wb.worksheets:
        if ws.sheet_state == "visible":
            last_col, last_row = reach.get(ws.title, (0, 0))
            own = ws.print_title_rows  # a director's choice in an edited template is kept
            openpyxl_print(ws, lang, None, last_col=last_col, last_row=last_row, header=header)
            tables = [p for p in placements.values() if p.sheet == ws.title]
            print_pages(ws, tables, charts.get(ws.title, []), own)


def _wrap(cell: Any) -> None:
    """A long text's cell wraps, read from its top (its horizontal alignment kept)."""
    cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal=cell.alignment.horizontal)


def _top(cell: Any) -> None:
    """A cell of a taller row aligned to its top (the rest of its alignment kept)."""
    top = copy.copy(cell.alignment)  # openpyxl's StyleProxy.copy(**kw) is deprecated
    top.vertical = "top"
    cell.alignment = top


def _header(cell: Any) -> None:
    """A table's header cell: wrapped, centred vertically."""
    cell.alignment = Alignment(wrap_text=True, vertical="center")


class _Widths:
    """The width a table cell's value needs (``number_width`` of a number as its format shows it, ``display_width``
    of a text), measured once per value and number format: ``lay_out`` and ``_sheets_to_wrap`` both measure every
    table cell, and a report's columns repeat their values (the same text, zero, a total)."""

    def __init__(self) -> None:
        self._numbers: dict[tuple[type, float, float, int], float] = {}
        self._texts: dict[Any, int] = {}

    def number(self, cell: Any) -> float:
        """``number_width`` of the cell's number as its number format shows it (``_shown``)."""
        value = cell.value  # its sign too: -0.0 equals 0.0, and may show as "-0.00"
        key = (type(value), value, copysign(1.0, value), cell._style.numFmtId if cell._style is not None else 0)
        found = self._numbers.get(key)
        if found is None:
            found = self._numbers[key] = number_width(len(_shown(cell.value, cell.number_format)))
        return found

    def text(self, value: Any) -> int:
        """``display_width`` of a text cell's value."""
        found = self._texts.get(value)
        if found is None:
            found = self._texts[value] = display_width(value)
        return found


def _sheets_to_wrap(wb: Workbook, placements: dict[str, Placement],
                    merged: dict[str, set[tuple[int, int]]], measure: _Widths | None = None) -> set[str]:
    """The sheets whose tables' long texts wrap at ``REPORT_WRAP``: those whose columns, as wide as their content,
    would print below ``MIN_SCALE`` at the set scale ``fixed_scale`` gives (the Market & Trend sheet's customer
    names and feedback printed it at 37%); the other sheets keep their texts on one line."""
    needs: dict[str, dict[int, float]] = {}
    measure = measure or _Widths()
    for p in placements.values():
        ws, cols = wb[p.sheet], needs.setdefault(p.sheet, {})
        for j in range(p.cols):
            need = ws.column_dimensions[get_column_letter(p.col + j)].width or 8.0
            for r in range(p.first, p.last + 1):
                cell = _cell(ws, r, p.col + j)
                if cell.value is None or (r, p.col + j) in merged[p.sheet]:
                    continue
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    need = max(need, measure.number(cell))
                else:
                    need = max(need, min(measure.text(cell.value), 50) + 2.0)
            cols[p.col + j] = max(cols.get(p.col + j, 8.0), need)
    return {title for title, cols in needs.items()
            if PRINTABLE[True] / (sum(libreoffice_points(w) for w in cols.values()) or 1) * 100 < MIN_SCALE}


def print_pages(ws: Worksheet, tables: list[Placement], charts: list[tuple[int, int]], own: str | None) -> None:
    """Each section (its heading rows, the table's header and rows) and each chart printed as a block: row breaks
    so that none starts in the last rows of a page (a block that fits on a page is kept whole); the sheet's print
    title rows are the header of the table that still runs over a page (the longest, when several do: a sheet
    repeats one band), never the sheet's title; a sheet none of whose tables runs over a page repeats nothing."""
    blocks: list[Block] = []
    ends = sorted(p.last for p in tables)
    for p in sorted(tables, key=lambda p: p.header_row):
        first, floor = p.header_row, max([e for e in ends if e < p.header_row], default=0)
        while first - 1 > floor and p.header_row - first < 3 and any(
                c.value not in (None, "") for c in ws[first - 1]):
            first -= 1
        blocks.append(Block(first, p.last, min(p.last, p.header_row + KEEP_ROWS), p.header_row))
    for first, last in charts:
        blocks.append(Block(first, last, last))
    merged: list[Block] = []
    for b in sorted(blocks, key=lambda b: b.first):
        if merged and b.first <= merged[-1].last:  # a chart beside a table (or over it) goes with it
            m = merged[-1]
            merged[-1] = Block(m.first, max(m.last, b.last), max(m.keep, b.keep), m.header or b.header)
        else:
            merged.append(b)
    area = (ws.print_area or "A1").rsplit("!", 1)[-1]
    last = CellRange(area.replace("$", "").split(",")[0])
    running = keep_together(ws, merged, last.max_row, last.max_col)
    longest = max((b for b in running if b.header), key=lambda b: b.last - b.header, default=None)
    if not own and longest is not None:
        ws.print_title_rows = f"{longest.header}:{longest.header}"


def _shown(value: float, number_format: str) -> str:
    """A number as its cell's format shows it (the formats the report writes)."""
    if "%" in number_format:
        return f"{value:+.1%}" if number_format.startswith("+") else f"{value:.1%}"
    if number_format in ("0", "#,##0"):
        return fmt_money(value, grouped=True, digits=0) or ""
    return fmt_money(value, grouped=True) or ""


def render_xlsx(context: dict[str, Any], out: str | Path, template: str | Path) -> Path:
    """Render ``template`` (a report template workbook) with ``context`` into ``out``, atomically."""
    wb = render_workbook(open_template(template), context)
    return save_workbook(wb, Path(out))


def quoted(sheet: str) -> str:
    """A sheet name as formulas spell it."""
    return quote_sheetname(sheet)
