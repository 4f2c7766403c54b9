"""The consolidated workbook: every department's tables stacked, streamed from the history store.

One sheet per department data table (``Department`` and ``Source`` columns first, then the schema's
columns), each a styled Excel table; a sheet that would pass Excel's row limit continues on numbered
sheets ("Contracts (2)"); a ``Summary`` sheet first and a ``Findings`` sheet last. Rows are written
chunk by chunk with XlsxWriter in constant-memory mode, so memory does not grow with the data, and
the file appears atomically (temp file + rename).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..i18n import register, t
from ..schema import DEPARTMENT, Table
from .writer import FIXED_TIME, HEADER_FILL, HEADER_FONT, MAX_DATA_ROWS, NUMBER_FORMATS, atomic_save, cell_values

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


#: Frames of one table in order (``department``, ``source``, then schema keys); and its total row count.
TableSource = Callable[[Table], tuple[int, Iterable[pd.DataFrame]]]


def write_consolidated(path: str | Path, source: TableSource, summary: Sequence[SummaryRow],
                       findings: Sequence[FindingRow], lang: str = "en",
                       max_rows: int = MAX_DATA_ROWS) -> list[SheetPart]:
    """Write the consolidated workbook atomically; returns where each table's rows went."""
    parts: list[SheetPart] = []
    atomic_save(Path(path), lambda tmp: _write(tmp, source, summary, findings, lang, max_rows, parts))
    return parts


class _Book:
    def __init__(self, path: Path) -> None:
        import xlsxwriter

        self.wb = xlsxwriter.Workbook(str(path), {
            "constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
            "strings_to_urls": False, "nan_inf_to_errors": False})
        self.wb.set_properties({"created": FIXED_TIME, "author": "", "comments": ""})
        self.header = self.wb.add_format({"bold": True, "font_color": f"#{HEADER_FONT}", "bg_color": f"#{HEADER_FILL}"})
        self.formats = {k: (self.wb.add_format({"num_format": f}) if f not in ("General", "@") else None)
                        for k, f in NUMBER_FORMATS.items()}
        self.tables: set[str] = set()

    def sheet(self, name: str, headers: list[str], kinds: list[str], widths: list[float] | None = None) -> Any:
        ws = self.wb.add_worksheet(name)
        ws.freeze_panes(1, 0)
        for i, kind in enumerate(kinds):
            width = widths[i] if widths else max(10.0, min(40.0, len(headers[i]) * 1.3 + 2))
            ws.set_column(i, i, width, self.formats[kind])
        return ws

    def table(self, ws: Any, first_row: int, headers: list[str], nrows: int, name: str) -> None:
        """Declare an Excel table before its rows are written (XlsxWriter refuses tables in constant-memory
        mode and records every covered cell, so it is declared over two rows and its range extended)."""
        from xlsxwriter.utility import xl_range

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
    """Write ``frame``'s cells from ``first_row``; returns the next free row."""
    write_number, write_string, write_boolean = ws.write_number, ws.write_string, ws.write_boolean
    dispatch = {float: write_number, int: write_number, str: write_string, bool: write_boolean}
    columns = [cell_values(frame.iloc[:, i], kinds[i], lang) for i in range(frame.shape[1])]
    r = first_row
    for r, row in enumerate(zip(*columns), start=first_row):
        for c, value in enumerate(row):
            if value is not None:
                dispatch[type(value)](r, c, value)
    return first_row + len(frame)


def _split(chunks: Iterable[pd.DataFrame], limit: int) -> Iterator[tuple[int, pd.DataFrame]]:
    """(part index from 0, frame) pieces so that no part holds more than ``limit`` rows."""
    part, used = 0, 0
    for chunk in chunks:
        start = 0
        while start < len(chunk):
            if used == limit:
                part, used = part + 1, 0
            take = min(limit - used, len(chunk) - start)
            yield part, chunk.iloc[start:start + take]
            used += take
            start += take


def sheet_names(table: Table, parts: int, lang: str) -> list[str]:
    """The sheet names of a table's parts: "Contracts", "Contracts (2)" …"""
    base = table.sheet(lang)
    return [base if i == 0 else f"{base[:25]} ({i + 1})" for i in range(parts)]


def _write(tmp: Path, source: TableSource, summary: Sequence[SummaryRow], findings: Sequence[FindingRow],
           lang: str, max_rows: int, parts: list[SheetPart]) -> None:
    book = _Book(tmp)
    tables = list(DEPARTMENT.tables)
    col = lambda key: t(f"consolidated.col.{key}", lang)  # noqa: E731
    sum_headers = [col("department"), col("file"), col("status"), col("reason"), col("errors"), col("warnings"),
                   *[tb.sheet(lang) for tb in tables]]
    sum_kinds = ["text"] * 4 + ["integer"] * (2 + len(tables))
    summary_ws = book.sheet(t("consolidated.sheet.summary", lang), sum_headers, sum_kinds,
                            [20, 36, 14, 36, 9, 9, *[12] * len(tables)])
    try:
        for table in tables:
            total, chunks = source(table)
            n_parts = max(1, -(-total // max_rows))
            names = sheet_names(table, n_parts, lang)
            headers = [col("department"), col("source"), *[c.header(lang) for c in table.columns]]
            kinds = ["text", "text", *[c.type.value for c in table.columns]]
            widths = [18.0, 30.0, *[float(c.width or max(10, min(30, len(c.header(lang)) * 1.3 + 2)))
                                     for c in table.columns]]
            sheets: list[Any] = []
            next_row: list[int] = []
            for i, name in enumerate(names):
                ws = book.sheet(name, headers, kinds, widths)
                rows = min(max_rows, total - i * max_rows) if total else 0
                book.table(ws, 0, headers, rows, book.table_name(table.key))
                sheets.append(ws)
                next_row.append(1)
                parts.append(SheetPart(table.key, name, rows, i + 1, n_parts))
            written = 0
            for part, frame in _split(chunks, max_rows):
                frame = frame[["department", "source", *table.keys]]
                next_row[part] = _rows(sheets[part], next_row[part], frame, kinds, lang)
                written += len(frame)
            if written != total:
                raise RuntimeError(f"{table.key}: {written} rows written, {total} expected")

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
    finally:
        book.wb.close()
