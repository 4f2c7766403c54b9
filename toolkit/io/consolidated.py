"""The consolidated workbook: every department's tables stacked, streamed from the history store.

One sheet per department data table (``Department`` and ``Source`` columns first, then the schema's
columns), each a styled Excel table; a sheet that would pass Excel's row limit continues on numbered
sheets ("Contracts (2)"); a ``Summary`` sheet first and a ``Findings`` sheet last. XlsxWriter writes
the workbook with header-only data sheets; the data rows, rendered chunk by chunk by
``toolkit.io.sheet_rows`` (possibly in worker processes), are streamed into those sheets while the
package is copied, so memory does not grow with the data and the file appears atomically (temp
file + rename).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
from xlsxwriter.utility import xl_range
import io
import xlsxwriter
import zipfile

from ..i18n import register, t
from ..schema import DEPARTMENT, Table
from .sheet_rows import fast_deflate, values_xml
from .writer import (
    OUTPUT_PROPERTIES,
    HEADER_FILL,
    HEADER_FONT,
    MAX_DATA_ROWS,
    NUMBER_FORMATS,
    atomic_save,
    cell_values,
)
from .xlsx_scan import column_letter
from .print_setup import number_width, xlsxwriter_print

#: Least width per kind on the streamed data sheets (their values are not seen when the columns are
#: sized): money fits 99,999,999.99 and dates yyyy-mm-dd with the Windows font margin.
KIND_WIDTHS: dict[str, float] = {"money": number_width(13), "date": number_width(10), "month": number_width(7),
                                 "percent": number_width(6), "integer": number_width(6)}

register(
    {
        "consolidated.col.department": ("Department", "部门"),
        "consolidated.col.source": ("Source", "来源"),
        "consolidated.col.file": ("File", "文件"),
        "consolidated.col.status": ("Status", "状态"),
        "consolidated.col.reason": ("Reason", "原因"),
        "consolidated.col.errors": ("Errors", "错误"),
        "consolidated.col.warnings": ("Warnings", "警告"),
        "consolidated.col.sheet": ("Sheet", "工作表"),
        "consolidated.col.rows": ("Rows", "行数"),
        "consolidated.col.table": ("Table", "数据表"),
        "consolidated.col.part": ("Part", "分段"),
        "consolidated.col.severity": ("Severity", "严重程度"),
        "consolidated.col.code": ("Code", "代码"),
        "consolidated.col.cell": ("Cell", "单元格"),
        "consolidated.col.value": ("Value", "值"),
        "consolidated.col.message": ("Message", "说明"),
        "consolidated.sheet.summary": ("Summary", "汇总"),
        "consolidated.sheet.findings": ("Findings", "问题"),
        "consolidated.part": ("part {part} of {parts}", "第 {part}/{parts} 段"),
    }
)

_TABLE_STYLE = "Table Style Medium 2"
_CHUNK = 50_000


@dataclass
class SummaryRow:
    """One line of the Summary sheet: a source file and what became of it."""

    department: str
    file: str
    status: str
    reason: str = ""
    errors: int = 0
    warnings: int = 0
    rows: dict[str, int] = field(default_factory=dict)


@dataclass
class FindingRow:
    """One line of the Findings sheet."""

    department: str
    file: str
    severity: str
    code: str
    sheet: str | None
    cell: str | None
    value: str | None
    message: str


@dataclass
class SheetPart:
    """Where a table's rows went: ``sheet`` holds ``rows`` rows, part ``part`` of ``parts``."""

    table: str
    sheet: str
    rows: int
    part: int
    parts: int


#: A chunk of a table's rendered rows: (part index from 0, row count, ``<row>`` elements as UTF-8).
Piece = tuple[int, int, bytes]


@dataclass(frozen=True)
class RowSpec:
    """How a table's rows are rendered: its frame columns, their kinds and cell styles, the part size.

    Picklable, so worker processes can render rows of a table for the parent to splice in."""

    columns: tuple[str, ...]
    kinds: tuple[str, ...]
    styles: tuple[int | None, ...]
    max_rows: int
    lang: str


def render_values(columns: list[list[Any]], spec: RowSpec, start: int) -> list[Piece]:
    """Rows of a table from its 0-based row ``start`` on, as rendered pieces split where a sheet part ends.

    ``columns`` hold cell values (``toolkit.io.writer.cell_values``) in ``spec.columns`` order."""
    n = len(columns[0]) if columns else 0
    pieces: list[Piece] = []
    i = 0
    while i < n:
        part, offset = divmod(start + i, spec.max_rows)
        take = min(spec.max_rows - offset, n - i)
        chunk = columns if take == n else [col[i:i + take] for col in columns]
        xml = values_xml(chunk, spec.kinds, spec.styles, offset + 2)  # row 1 is the header
        pieces.append((part, take, xml.encode("utf-8")))
        i += take
    return pieces


class RowSource(Protocol):
    """Where the consolidated workbook's data rows come from."""

    def count(self, table: Table) -> int:
        """Rows of ``table`` in all (known before any row is written: it sizes sheets and tables)."""

    def pieces(self, table: Table, spec: RowSpec) -> Iterable[Piece]:
        """The rendered rows of ``table`` in order."""


def write_consolidated(path: str | Path, source: RowSource, summary: Sequence[SummaryRow],
                       findings: Sequence[FindingRow], lang: str = "en",
                       max_rows: int = MAX_DATA_ROWS) -> list[SheetPart]:
    """Write the consolidated workbook atomically; returns where each table's rows went."""
    parts: list[SheetPart] = []
    atomic_save(Path(path), lambda tmp: _write(tmp, source, summary, findings, lang, max_rows, parts))
    return parts


class _Book:
    def __init__(self, target: Any) -> None:
        self.wb = xlsxwriter.Workbook(target, {
            "constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
            "strings_to_urls": False, "nan_inf_to_errors": False})
        self.wb.set_properties(OUTPUT_PROPERTIES)
        self.header = self.wb.add_format({"bold": True, "font_color": f"#{HEADER_FONT}", "bg_color": f"#{HEADER_FILL}"})
        self.formats = {k: (self.wb.add_format({"num_format": f}) if f not in ("General", "@") else None)
                        for k, f in NUMBER_FORMATS.items()}
        self.tables: set[str] = set()
        self.widths: dict[str, list[float]] = {}
        self.count = 0

    def sheet(self, name: str, headers: list[str], kinds: list[str], widths: list[float] | None = None) -> Any:
        ws = self.wb.add_worksheet(name)
        self.count += 1
        ws.freeze_panes(1, 0)
        sizes = []
        for i, kind in enumerate(kinds):
            width = widths[i] if widths else max(10.0, min(40.0, len(headers[i]) * 1.3 + 2))
            sizes.append(max(float(width), KIND_WIDTHS.get(kind, 0.0)))
            ws.set_column(i, i, sizes[-1], self.formats[kind])
        self.widths[name] = sizes
        return ws

    def print_setup(self, ws: Any, last_row: int, lang: str) -> None:
        """A4, fitted to the page width, header row repeated, page numbers, print area (``print_setup``)."""
        xlsxwriter_print(ws, self.widths[ws.name], last_row, lang)

    def style(self, kind: str) -> int | None:
        """The xf index of a kind's number format (valid once a column of that kind has been set)."""
        fmt = self.formats[kind]
        return None if fmt is None else fmt._get_xf_index()

    def table(self, ws: Any, first_row: int, headers: list[str], nrows: int, name: str) -> None:
        """Declare an Excel table before its rows are written (XlsxWriter refuses tables in constant-memory
        mode and records every covered cell, so it is declared over two rows and its range extended)."""
        ws.constant_memory = 0
        try:
            ws.add_table(first_row, 0, first_row + 1, len(headers) - 1, {
                "name": name, "style": _TABLE_STYLE, "columns": [{"header": h} for h in headers]})
        finally:
            ws.constant_memory = 1
        spec = ws.tables[-1]
        full = xl_range(first_row, 0, first_row + max(nrows, 1), len(headers) - 1)
        spec["range"] = spec["a_range"] = full
        if spec.get("autofilter"):
            spec["autofilter"] = full
        for c, h in enumerate(headers):
            ws.write_string(first_row, c, h, self.header)

    def table_name(self, base: str) -> str:
        name, n = base, 1
        while name.casefold() in self.tables:
            n += 1
            name = f"{base}_{n}"
        self.tables.add(name.casefold())
        return name


def _rows(ws: Any, first_row: int, frame: pd.DataFrame, kinds: list[str], lang: str) -> int:
    """Write ``frame``'s cells from ``first_row`` with XlsxWriter (the small sheets); returns the next free row."""
    write_number, write_string, write_boolean = ws.write_number, ws.write_string, ws.write_boolean
    dispatch = {float: write_number, int: write_number, str: write_string, bool: write_boolean}
    columns = [cell_values(frame.iloc[:, i], kinds[i], lang) for i in range(frame.shape[1])]
    r = first_row
    for r, row in enumerate(zip(*columns), start=first_row):
        for c, value in enumerate(row):
            if value is not None:
                dispatch[type(value)](r, c, value)
    return first_row + len(frame)


def sheet_names(table: Table, parts: int, lang: str) -> list[str]:
    """The sheet names of a table's parts: "Contracts", "Contracts (2)" …"""
    base = table.sheet(lang)
    return [base if i == 0 else f"{base[:25]} ({i + 1})" for i in range(parts)]


@dataclass
class _DataSheet:
    """A data sheet of the skeleton: which table and part it holds, and its last cell."""

    table: Table
    part: int
    rows: int
    columns: int
    spec: RowSpec | None = None


def _write(tmp: Path, source: RowSource, summary: Sequence[SummaryRow], findings: Sequence[FindingRow],
           lang: str, max_rows: int, parts: list[SheetPart]) -> None:
    """XlsxWriter writes the workbook with header-only data sheets (in memory), then the data rows are
    spliced into those sheets while the package is copied to ``tmp``."""
    skeleton = io.BytesIO()
    book = _Book(skeleton)
    data_sheets: dict[int, _DataSheet] = {}  # 1-based sheet number -> what it holds
    tables = list(DEPARTMENT.tables)
    col = lambda key: t(f"consolidated.col.{key}", lang)
    sum_headers = [col("department"), col("file"), col("status"), col("reason"), col("errors"), col("warnings"),
                   *[tb.sheet(lang) for tb in tables]]
    sum_kinds = ["text"] * 4 + ["integer"] * (2 + len(tables))
    summary_ws = book.sheet(t("consolidated.sheet.summary", lang), sum_headers, sum_kinds,
                            [20, 36, 14, 36, 9, 9, *[12] * len(tables)])
    try:
        for table in tables:
            total = source.count(table)
            n_parts = max(1, -(-total // max_rows))
            headers = [col("department"), col("source"), *[c.header(lang) for c in table.columns]]
            kinds = ["text", "text", *[c.type.value for c in table.columns]]
            widths = [18.0, 30.0, *[float(c.width or max(10, min(30, len(c.header(lang)) * 1.3 + 2)))
                                     for c in table.columns]]
            for i, name in enumerate(sheet_names(table, n_parts, lang)):
                ws = book.sheet(name, headers, kinds, widths)
                rows = min(max_rows, total - i * max_rows) if total else 0
                book.table(ws, 0, headers, rows, book.table_name(table.key))
                book.print_setup(ws, max(rows, 1), lang)
                data_sheets[book.count] = _DataSheet(table, i, rows, len(headers))
                parts.append(SheetPart(table.key, name, rows, i + 1, n_parts))

        # Summary: files, then where each table went
        frame = pd.DataFrame({
            "department": [s.department for s in summary], "file": [s.file for s in summary],
            "status": [s.status for s in summary], "reason": [s.reason for s in summary],
            "errors": [s.errors for s in summary], "warnings": [s.warnings for s in summary],
            **{tb.key: [s.rows.get(tb.key) for s in summary] for tb in tables},
        })
        book.table(summary_ws, 0, sum_headers, len(frame), "Summary")
        end = _rows(summary_ws, 1, frame, sum_kinds, lang)
        first = max(end, 2) + 1
        sheet_headers = [col("table"), col("sheet"), col("rows"), col("part")]
        book.table(summary_ws, first, sheet_headers, len(parts), "Sheets")
        sheets_frame = pd.DataFrame({
            "table": [DEPARTMENT.table(p.table).sheet(lang) for p in parts], "sheet": [p.sheet for p in parts],
            "rows": [p.rows for p in parts],
            "part": [t("consolidated.part", lang, part=p.part, parts=p.parts) if p.parts > 1 else None for p in parts],
        })
        _rows(summary_ws, first + 1, sheets_frame, ["text", "text", "integer", "text"], lang)
        book.print_setup(summary_ws, first + max(len(parts), 1), lang)

        f_headers = [col("department"), col("file"), col("severity"), col("code"), col("sheet"), col("cell"),
                     col("value"), col("message")]
        f_kinds = ["text"] * len(f_headers)
        fws = book.sheet(t("consolidated.sheet.findings", lang), f_headers, f_kinds,
                         [18, 30, 10, 22, 14, 8, 20, 80])
        shown = list(findings)[:max_rows]
        book.table(fws, 0, f_headers, len(shown), "Findings")
        ff = pd.DataFrame([[f.department, f.file, f.severity, f.code, f.sheet, f.cell, f.value, f.message]
                           for f in shown], columns=list(range(8)), dtype=object)
        _rows(fws, 1, ff, f_kinds, lang)
        book.print_setup(fws, max(len(shown), 1), lang)
    finally:
        book.wb.close()
    for sheet in data_sheets.values():
        kinds = ["text", "text", *[c.type.value for c in sheet.table.columns]]
        sheet.spec = RowSpec(("department", "source", *sheet.table.keys), tuple(kinds),
                             tuple(book.style(k) for k in kinds), max_rows, lang)
    _splice(skeleton, tmp, data_sheets, source)


_SHEET_PART = re.compile(r"^xl/worksheets/sheet(\d+)\.xml$")
#: Above this many bytes of sheet XML the zip entry needs ZIP64 (estimated generously before writing).
_ZIP64_AT = 3_000_000_000


def _splice(skeleton: Any, tmp: Path, data_sheets: dict[int, _DataSheet], source: RowSource) -> None:
    """Copy the skeleton package to ``tmp``, streaming each data sheet's rows into its ``<sheetData>``."""
    streams: dict[str, Iterator[Piece]] = {}
    pending: dict[str, Piece | None] = {}
    written: dict[str, int] = {}
    with zipfile.ZipFile(skeleton) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            match = _SHEET_PART.match(info.filename)
            sheet = data_sheets.get(int(match.group(1))) if match else None
            if sheet is None:
                zout.writestr(info, data)
                continue
            key = sheet.table.key
            if key not in streams:
                streams[key] = iter(source.pieces(sheet.table, sheet.spec))  # type: ignore[arg-type]
                pending[key] = next(streams[key], None)
                written[key] = 0
            xml = data.decode("utf-8")
            cut = xml.index("</sheetData>")
            last = f"{column_letter(sheet.columns - 1)}{sheet.rows + 1}"
            head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last}"/>', xml[:cut], count=1)
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            fast_deflate(entry)
            entry.external_attr = info.external_attr
            big = sheet.rows * sheet.columns * 400 > _ZIP64_AT
            with zout.open(entry, "w", force_zip64=big) as out:
                out.write(head.encode("utf-8"))
                piece = pending[key]
                while piece is not None and piece[0] == sheet.part:
                    out.write(piece[2])
                    written[key] += piece[1]
                    piece = next(streams[key], None)
                pending[key] = piece
                out.write(xml[cut:].encode("utf-8"))
    for key, piece in pending.items():
        expected = sum(s.rows for s in data_sheets.values() if s.table.key == key)
        if piece is not None or written[key] != expected:
            raise RuntimeError(f"{key}: {written[key]} rows written, {expected} expected")
