"""Workbooks from the schema: blank templates (``toolkit new``) and filled ones (the sample generator).

Layout of every workbook built here (all derived from ``toolkit.schema``):

- ``Info`` sheet first (A1/B1 "Field"/"Value", then one row per ``InfoField``: label in A, value in B),
  then one sheet per data sheet, then the instructions sheet explaining every sheet and column.
- Each table is an Excel table named after ``Table.key`` with its header in row 1 (tables sharing a
  sheet sit side by side from ``Table.first_column``). A blank table spans the header and one blank
  row (Excel needs one); with ``frames`` it spans the rows written.
- Input area: each table column carries a column style (light input fill + number format), and its
  dropdown validation covers the whole column below the header (rows 2..1,048,576), so the register
  can grow without limit and ``ws.append`` in openpyxl still lands right below the data.
  Cells actually written get the same style explicitly.
- Header row bold on dark fill, frozen; widths fit the header (CJK counts double), the data, or
  ``Column.width``. Text columns use the Text format (``@``) so IDs like ``007`` stay text.

Saving goes through :func:`toolkit.io.writer.save_workbook` (atomic, byte-for-byte reproducible).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from copy import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table as XLTable
from openpyxl.worksheet.table import TableStyleInfo

from .. import TEMPLATE_VERSION
from ..errors import ToolkitError
from ..i18n import register, t
from ..schema import SCHEMAS, STANDARDS, THRESHOLD_DEFAULTS, ColType, Column, Table, WorkbookSchema, enums
from ..schema.model import TYPE_LABELS
from .print_setup import openpyxl_print
from .writer import HEADER_FILL, HEADER_FONT, NUMBER_FORMATS, column_width, display_width, save_workbook, set_text

register(
    {
        "tpl.field": ("Field", "字段"),
        "tpl.value": ("Value", "值"),
        "tpl.sheet": ("Sheet", "工作表"),
        "tpl.column": ("Column", "列"),
        "tpl.type": ("Type", "类型"),
        "tpl.required": ("Required", "必填"),
        "tpl.allowed": ("Allowed values", "可选值"),
        "tpl.notes": ("Notes", "说明"),
        "tpl.unique": ("Must be unique.", "不可重复。"),
        "tpl.min": ("Not below {min}.", "不小于 {min}。"),
        "tpl.roster": ("An Employee ID from the Roster.", "人员名册中的工号。"),
        "tpl.sheets": ("Sheets", "工作表说明"),
        "tpl.columns": ("Columns", "列说明"),
        "tpl.intro.1": (
            "Keep one row per record in the table on each sheet; keep the header row and the sheet names as they are.",
            "每张工作表的表格中每条记录占一行；请勿修改表头和工作表名称。",
        ),
        "tpl.intro.2": (
            "Shaded columns are for input; pick from the drop-down list where a column offers one.",
            "带底色的列为填写区域；有下拉列表的列请从列表中选择。",
        ),
        "tpl.intro.3": (
            "Dates as yyyy-mm-dd, months as yyyy-mm; money in the company currency with 2 decimals; "
            "percentages with % (80% is 0.8).",
            "日期格式为 yyyy-mm-dd，月份为 yyyy-mm；金额以公司本位币计，保留 2 位小数；百分比带 %（80% 即 0.8）。",
        ),
        "tpl.intro.4": (
            "The {info} sheet identifies the workbook: fill in its values.",
            "“{info}”工作表标识本工作簿：请填写各项内容。",
        ),
        "tpl.intro.month": (
            "{field} is a month written as YYYY-MM (e.g. 2026-10).",
            "{field}为月份，格式为 YYYY-MM（如 2026-10）。",
        ),
        "tpl.dv.title": ("Invalid value", "无效值"),
        "tpl.dv.list": ("Choose a value from the list.", "请从下拉列表中选择。"),
        "tpl.dv.employee": (
            "This Employee ID is not in the Roster.",
            "该工号不在人员名册中。",
        ),
        "new.exists": (
            "{path} already exists; choose another name or use --force to replace it.",
            "{path} 已存在；请换一个文件名，或使用 --force 覆盖。",
        ),
        "new.not-xlsx": (
            "{path}: the output file name must end in .xlsx.",
            "{path}：输出文件名必须以 .xlsx 结尾。",
        ),
        "new.no-roster": (
            "{path}: the Roster sheet has no Employee IDs.",
            "{path}：人员名册中没有工号。",
        ),
    }
)

#: Light fill of input cells (Excel's pale "Note" yellow).
INPUT_FILL = "FFF2CC"
#: Last row covered by dropdown validations (Excel's last row): the register can grow freely.
VALIDATION_LAST_ROW = 1_048_576
#: Hidden sheet holding a dropdown list too long for an inline list (Excel caps those at 255 chars).
LISTS_SHEET = "_lists"
TABLE_STYLE = "TableStyleLight9"

_HEADER_FONT = Font(bold=True, color=HEADER_FONT)
_HEADER_FILL = PatternFill("solid", fgColor=HEADER_FILL)
_HEADER_BORDER = Border(bottom=Side(style="thin", color="BFBFBF"))
_HEADER_ALIGNMENT = Alignment(vertical="top")
_INPUT = PatternFill("solid", fgColor=INPUT_FILL)
_WRAP = Alignment(wrap_text=True, vertical="top")
_BOLD = Font(bold=True)
_INLINE_LIST_MAX = 255


# --------------------------------------------------------------------------- public API


def build_workbook(
    schema: WorkbookSchema,
    lang: str,
    *,
    frames: Mapping[str, pd.DataFrame] | None = None,
    info: Mapping[str, Any] | None = None,
    roster_ids: Sequence[str] | None = None,
) -> Workbook:
    """An openpyxl workbook for ``schema`` in ``lang``: Info, one sheet per data sheet, instructions.

    ``frames`` (table key → typed frame with one column per column key, enum columns holding English
    codes) fill the tables: codes become ``lang`` labels, bools Yes/No labels, dates real dates.
    A value that does not fit its column (``"abc"`` in a money column) is written as given, text
    starting with ``=`` stays text, and a known error text such as ``"#DIV/0!"`` becomes an Excel
    error cell (the sample generator plants type and formula errors this way). ``info`` fills the
    Info sheet by ``InfoField.key`` (``template_version`` defaults to the current one);
    ``roster_ids`` adds an Employee ID dropdown (warning style) to employee-ID columns.
    """
    frames = frames or {}
    unknown = set(frames) - {table.key for table in schema.tables}
    if unknown:
        raise KeyError(f"{schema.kind} workbook has no table {sorted(unknown)!r}")
    wb = Workbook()
    wb.properties.creator = "Marketing Toolkit"
    wb.properties.title = schema.title(lang)
    info_ws = wb.active
    info_ws.title = schema.info_sheet(lang)
    _info_sheet(info_ws, schema, lang, {"template_version": TEMPLATE_VERSION, **(info or {})})

    lists: dict[str, str] = {}
    for sheet in schema.sheets():
        ws = wb.create_sheet(sheet(lang))
        ws.freeze_panes = "A2"
        for table in (tb for tb in schema.tables if tb.sheet == sheet):
            _table(wb, ws, table, lang, frames.get(table.key), roster_ids, lists)

    _instructions_sheet(wb.create_sheet(schema.instructions_sheet(lang)), schema, lang, roster_ids is not None)
    for ws in wb.worksheets:  # print setup: A4, one page wide, header repeated, page numbers
        if ws.title != LISTS_SHEET:
            data = ws.title not in (info_ws.title, schema.instructions_sheet(lang))
            openpyxl_print(ws, lang, "1:1" if data else None)
    if LISTS_SHEET in wb.sheetnames:  # keep the hidden lists last
        wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTS_SHEET))
    wb.active = 0
    return wb


def write_workbook(
    path: str | os.PathLike[str],
    schema: WorkbookSchema,
    lang: str,
    *,
    frames: Mapping[str, pd.DataFrame] | None = None,
    info: Mapping[str, Any] | None = None,
    roster_ids: Sequence[str] | None = None,
) -> Path:
    """Build the workbook (see :func:`build_workbook`) and save it atomically and reproducibly."""
    wb = build_workbook(schema, lang, frames=frames, info=info, roster_ids=roster_ids)
    return save_workbook(wb, path)


def template_name(kind: str, lang: str) -> str:
    """File name of a committed blank template, e.g. ``department-template-zh.xlsx``."""
    return f"{kind}-template-{lang}.xlsx"


def default_frames(kind: str) -> dict[str, pd.DataFrame]:
    """Rows a new blank workbook starts with: the standards Thresholds with their default values."""
    if kind != STANDARDS.kind:
        return {}
    return {"Thresholds": pd.DataFrame({"name": list(THRESHOLD_DEFAULTS), "value": list(THRESHOLD_DEFAULTS.values())})}


def regenerate_templates(directory: str | os.PathLike[str]) -> list[Path]:
    """(Re)write the committed blank templates (department and standards, en and zh) into ``directory``."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, schema in SCHEMAS.items():
        for lang in ("en", "zh"):
            written.append(write_workbook(folder / template_name(kind, lang), schema, lang, frames=default_frames(kind)))
    return written


def new_workbook(
    kind: str,
    path: str | os.PathLike[str],
    lang: str,
    *,
    department: str | None = None,
    year: int | None = None,
    roster_ids: Sequence[str] | None = None,
    overwrite: bool = False,
) -> Path:
    """A new blank department or standards workbook at ``path`` (what ``toolkit new`` runs).

    ``department`` and ``year`` prefill the Info sheet; ``roster_ids`` (the standards' Roster:
    ``Source.roster_ids``) fill the Employee ID dropdowns. An existing file is only replaced with ``overwrite``.
    """
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ToolkitError("new.not-xlsx", path=str(target))
    if target.exists() and not overwrite:
        raise ToolkitError("new.exists", path=str(target))
    schema = SCHEMAS[kind]
    info: dict[str, Any] = {}
    if department:
        info["department"] = department
    if year:
        info["year"] = int(year)
    return write_workbook(target, schema, lang, frames=default_frames(kind), info=info,
                          roster_ids=list(roster_ids) if roster_ids else None)


# --------------------------------------------------------------------------- sheets


def _styled(cell: Any, **styles: Any) -> None:
    """Give an unstyled ``cell`` the ``styles`` (openpyxl cell attributes: font, fill, alignment…). Each attribute
    set in openpyxl hashes its style object to find it in the workbook's style lists; the cells given the same
    styles take a copy of the first one's style indices instead (what those look-ups return: the same styles
    added in the same order, the same bytes). The styles are known by identity (hashing them is the cost saved);
    the memo keeps the objects it was given, so an id cannot be reused by another object while it holds it."""
    memo = cell.parent.parent.__dict__.setdefault("_toolkit_styles", {})
    key = tuple((name, id(value)) for name, value in styles.items())
    done = memo.get(key)
    if done is None:
        for name, value in styles.items():
            setattr(cell, name, value)
        memo[key] = (tuple(styles.values()), copy(cell._style))  # the objects kept alive: their ids stay theirs
    else:
        cell._style = copy(done[1])


def _header(cell: Any, text: str) -> None:
    set_text(cell, text)
    _styled(cell, font=_HEADER_FONT, fill=_HEADER_FILL, border=_HEADER_BORDER, alignment=_HEADER_ALIGNMENT)


def _info_sheet(ws: Any, schema: WorkbookSchema, lang: str, info: Mapping[str, Any]) -> None:
    _header(ws.cell(1, 1), t("tpl.field", lang))
    _header(ws.cell(1, 2), t("tpl.value", lang))
    widths = [display_width(t("tpl.field", lang)), 24]
    for row, fld in enumerate(schema.info, start=2):
        label = ws.cell(row, 1)
        set_text(label, fld.label(lang))
        _styled(label, font=_BOLD)
        widths[0] = max(widths[0], display_width(fld.label(lang)))
        cell = ws.cell(row, 2)
        _styled(cell, fill=_INPUT, number_format=NUMBER_FORMATS["integer" if fld.type == ColType.INTEGER else "text"])
        value = info.get(fld.key)
        if fld.type == ColType.MONTH and isinstance(value, (dt.date, np.datetime64)):
            value = pd.Timestamp(value).strftime("%Y-%m")
        if value is not None and not _missing(value):
            _put(cell, value)
        widths[1] = max(widths[1], display_width(value) + 2 if value is not None else 0)
    ws.column_dimensions["A"].width = widths[0] + 4
    ws.column_dimensions["B"].width = min(widths[1], 60)


def _kind(col: Column) -> str:
    return "text" if col.enum is not None or col.type == ColType.BOOL else col.type.value


def _is_employee_column(col: Column) -> bool:
    return (col.key == "employee_id" or col.key.endswith("_employee_id")) and not col.unique


def _table(wb: Any, ws: Any, table: Table, lang: str, frame: pd.DataFrame | None,
           roster_ids: Sequence[str] | None, lists: dict[str, str]) -> None:
    first = table.first_column
    nrows = 0 if frame is None else len(frame)
    for offset, col in enumerate(table.columns):
        c = first + offset
        letter = get_column_letter(c)
        _header(ws.cell(1, c), col.header(lang))

        fmt = NUMBER_FORMATS[_kind(col)]
        dim = ws.column_dimensions[letter]
        dim.fill = _INPUT
        dim.number_format = fmt

        values: list[Any] = []
        if frame is not None and nrows:
            values = _column_values(_column_items(frame, col.key, nrows), col, lang)
        sized = [v for v in values if v is not None and not isinstance(v, dt.datetime)]
        if col.enum is not None:
            sized += col.enum.labels(lang)
        dim.width = column_width(col.header(lang), col.type.value, sized or None, col.width)  # an object column

        for r, value in enumerate(values, start=2):
            cell = ws.cell(r, c)
            _styled(cell, fill=_INPUT, number_format=fmt)
            if value is not None:
                _put(cell, value)

        rng = f"{letter}2:{letter}{VALIDATION_LAST_ROW}"
        if col.enum is not None and not col.open_enum:
            _validation(ws, _list_formula(wb, col.enum.labels(lang), lists), rng, lang, "tpl.dv.list", "stop")
        elif roster_ids and _is_employee_column(col):
            _validation(ws, _list_formula(wb, list(roster_ids), lists), rng, lang, "tpl.dv.employee", "warning")

    last = get_column_letter(first + len(table.columns) - 1)
    ref = f"{get_column_letter(first)}1:{last}{max(nrows, 1) + 1}"
    xl = XLTable(displayName=table.key, name=table.key, ref=ref)
    xl.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True, showColumnStripes=False,
                                       showFirstColumn=False, showLastColumn=False)
    ws.add_table(xl)


def _validation(ws: Any, formula: str, rng: str, lang: str, message: str, style: str) -> None:
    dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                        errorStyle=style, errorTitle=t("tpl.dv.title", lang), error=t(message, lang))
    dv.add(rng)
    ws.add_data_validation(dv)


def _list_formula(wb: Any, items: list[str], lists: dict[str, str]) -> str:
    """An inline list ``"a,b,c"`` when it fits Excel's 255 characters, else a range on a hidden sheet."""
    inline = ",".join(items)
    if len(inline) <= _INLINE_LIST_MAX and not any(("," in i or '"' in i) for i in items):
        return f'"{inline}"'
    key = "\n".join(items)
    if key not in lists:
        ws = wb[LISTS_SHEET] if LISTS_SHEET in wb.sheetnames else wb.create_sheet(LISTS_SHEET)
        ws.sheet_state = "hidden"
        col = len(lists) + 1
        for r, item in enumerate(items, start=1):
            set_text(ws.cell(r, col), item)
        letter = get_column_letter(col)
        lists[key] = f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(items)}"
    return lists[key]


def _instructions_sheet(ws: Any, schema: WorkbookSchema, lang: str, has_roster: bool) -> None:
    title = ws.cell(1, 1)
    set_text(title, schema.title(lang))
    title.font = Font(bold=True, size=14)
    row = 2
    intro = ["tpl.intro.1", "tpl.intro.2", "tpl.intro.3", "tpl.intro.4"]
    lines = [t(key, lang, info=schema.info_sheet(lang)) for key in intro]
    lines += [t("tpl.intro.month", lang, field=f.label(lang)) for f in schema.info if f.type == ColType.MONTH]
    for line in lines:
        set_text(ws.cell(row, 1), line)
        row += 1

    row += 1
    set_text(ws.cell(row, 1), t("tpl.sheets", lang))
    ws.cell(row, 1).font = Font(bold=True, size=12)
    row += 1
    _header(ws.cell(row, 1), t("tpl.sheet", lang))
    _header(ws.cell(row, 2), t("tpl.notes", lang))
    row += 1
    for sheet in schema.sheets():
        tables = [tb for tb in schema.tables if tb.sheet == sheet]
        set_text(ws.cell(row, 1), sheet(lang))
        _styled(ws.cell(row, 1), font=_BOLD)
        cell = ws.cell(row, 2)
        set_text(cell, " ".join(tb.help(lang) for tb in tables))
        _styled(cell, alignment=_WRAP)
        row += 1

    row += 1
    set_text(ws.cell(row, 1), t("tpl.columns", lang))
    ws.cell(row, 1).font = Font(bold=True, size=12)
    row += 1
    heads = ["tpl.sheet", "tpl.column", "tpl.type", "tpl.required", "tpl.allowed", "tpl.notes"]
    for c, key in enumerate(heads, start=1):
        _header(ws.cell(row, c), t(key, lang))
    row += 1
    yes, no = enums.YES_NO.label("Yes", lang), enums.YES_NO.label("No", lang)
    for table in schema.tables:
        for col in table.columns:
            notes = []
            if col.help is not None:
                notes.append(col.help(lang))
            if col.unique:
                notes.append(t("tpl.unique", lang))
            if col.min_value is not None:
                notes.append(t("tpl.min", lang, min=f"{col.min_value:g}"))
            if has_roster and _is_employee_column(col):
                notes.append(t("tpl.roster", lang))
            allowed = ", ".join(col.enum.labels(lang)) if col.enum is not None else ""
            cells = [table.sheet(lang), col.header(lang), TYPE_LABELS[col.type](lang),
                     yes if col.required else no, allowed, " ".join(notes)]
            for c, value in enumerate(cells, start=1):
                cell = ws.cell(row, c)
                set_text(cell, value)
                _styled(cell, alignment=_WRAP)
            row += 1
    for letter, width in zip("ABCDEF", (18, 24, 16, 9, 40, 60)):
        ws.column_dimensions[letter].width = width


# --------------------------------------------------------------------------- values


def _missing(value: object) -> bool:
    """Whether ``pd.isna`` calls ``value`` missing; text, whole numbers and flags answered without it (most cells)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool:
        return False
    if kind is float:
        return value != value
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _put(cell: Any, value: object) -> None:
    """Write one value: known error texts become error cells, other strings stay text."""
    if isinstance(value, str) and value in ERROR_CODES:
        cell.value = value  # openpyxl stores it as an error cell (t="e")
    else:
        set_text(cell, value)


def _column_items(frame: pd.DataFrame, key: str, nrows: int) -> list[Any]:
    """A typed frame's column as Python values (``Series.tolist``: Python scalars, Timestamps, the dtype's missing
    value — what ``astype(object)`` holds, without that copy), None throughout for a column the frame lacks."""
    return frame[key].tolist() if key in frame.columns else [None] * nrows


def _column_values(items: list[Any], col: Column, lang: str) -> list[Any]:
    """Cell values of a typed frame column (``_column_items``) for the template: labels, real dates, raw misfits
    as given."""
    return [None if _missing(v) else _value(v, col, lang) for v in items]


def _value(v: Any, col: Column, lang: str) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if col.type == ColType.BOOL:
        yes_no = col.enum or enums.YES_NO
        if isinstance(v, bool):
            return yes_no.label("Yes" if v else "No", lang)
        return yes_no.label(v, lang) if isinstance(v, str) else v
    if col.enum is not None:
        return col.enum.label(v, lang) if isinstance(v, str) else v
    if col.type in (ColType.DATE, ColType.MONTH):
        if isinstance(v, (dt.date, pd.Timestamp)):
            stamp = pd.Timestamp(v)
            if stamp.tzinfo is not None:
                stamp = stamp.tz_localize(None)
            if col.type == ColType.MONTH:
                stamp = stamp.replace(day=1)
            return stamp.to_pydatetime().replace(hour=0, minute=0, second=0, microsecond=0)
        return v
    if col.type == ColType.INTEGER:
        if isinstance(v, float) and v.is_integer():
            return int(v)
        return v
    if col.type in (ColType.MONEY, ColType.PERCENT, ColType.NUMBER):
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
        return v
    return v
