"""Annotated copies: the original workbook with every flagged cell filled (red errors, amber warnings),
a note holding the message, and a ``Validation`` sheet listing the findings with links to their cells.

The original is never touched: it is loaded with openpyxl and the copy saved atomically into another
folder. openpyxl drops some parts (printer settings, custom XML, Excel 2010 extensions such as
extended data validations, sparklines, slicers); the copy's parts are compared with the original's
and whatever was lost is listed on the Validation sheet instead of vanishing silently.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from pathlib import Path
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill, Font
from openpyxl.worksheet.hyperlink import Hyperlink
import openpyxl

from ..core.findings import Finding, finding_type
from ..errors import ToolkitError
from ..i18n import register, t
from .writer import atomic_save, set_text
from . import safety
from .reader import read_raw_sheets
from .xlsx_scan import workbook_parts

register({
    "annotate.same-file": ("Refusing to annotate {file} in place: choose another folder for --annotate.",
                           "拒绝在原位置标注 {file}：请为 --annotate 另选文件夹。"),
    "annotate.cannot-open": ("Cannot annotate {file}: {detail}", "无法标注 {file}：{detail}"),
    "annotate.headers": ("Severity|Code|Sheet|Cell|Column|Value|Message", "严重程度|代码|工作表|单元格|列|值|说明"),
    "annotate.severity.error": ("error", "错误"),
    "annotate.severity.warning": ("warning", "警告"),
    "annotate.severity.info": ("info", "提示"),
    "annotate.none": ("No findings.", "未发现问题。"),
    "annotate.dropped-part": ("This copy lost {count} part(s) of type {type} that the original has (openpyxl cannot keep them); the original is unchanged.",
                              "此副本丢失了原文件中 {count} 个类型为 {type} 的部件（openpyxl 无法保留）；原文件未改动。"),
    "annotate.dropped-ext": ("Sheet {sheet}: Excel 2010 extension ({ext}) was dropped in this copy; the original is unchanged.",
                             "工作表 {sheet}：此副本丢失了 Excel 2010 扩展（{ext}）；原文件未改动。"),
    "annotate.values-only": ("This copy holds the values of the original (.xls, .xlsb or .ods cannot be annotated "
                             "in place); the original is unchanged.",
                             "此副本只含原文件的数值（.xls、.xlsb 或 .ods 无法直接标注）；原文件未改动。"),
    "annotate.dropped-title": ("Not kept in this copy", "此副本未保留的内容"),
})

SHEET_NAME = "Validation"
FILLS = {"error": "FFC7CE", "warning": "FFEB9C"}  # Excel's "bad" red and "neutral" amber
_RANK = {"error": 0, "warning": 1, "info": 2}
#: Parts Excel rebuilds by itself; losing them loses nothing.
_HARMLESS = {"application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"}
_EXTENSIONS = {b"x14:dataValidation": "data validation", b"x14:conditionalFormatting": "conditional formatting",
               b"x14:sparklineGroup": "sparklines", b"x14:slicerList": "slicers"}


def part_types(data: bytes) -> Counter:
    """How many parts of each content type a package holds (names differ between writers, types do not)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        ct = zf.read("[Content_Types].xml").decode("utf-8", "replace")
        defaults = dict(re.findall(r'<Default[^>]*Extension="([^"]+)"[^>]*ContentType="([^"]+)"', ct))
        defaults.update({k: v for v, k in re.findall(r'<Default[^>]*ContentType="([^"]+)"[^>]*Extension="([^"]+)"', ct)})
        overrides = dict(re.findall(r'<Override[^>]*PartName="([^"]+)"[^>]*ContentType="([^"]+)"', ct))
        overrides.update({k: v for v, k in re.findall(r'<Override[^>]*ContentType="([^"]+)"[^>]*PartName="([^"]+)"', ct)})
        out: Counter = Counter()
        for name in zf.namelist():
            if name.endswith("/") or name == "[Content_Types].xml":
                continue
            kind = overrides.get("/" + name) or defaults.get(posixpath.splitext(name)[1].lstrip(".").lower(), "?")
            out[kind] += 1
        return out


def _extensions(data: bytes) -> list[tuple[str, str]]:
    """(sheet name, extension) for Excel 2010 extensions in the original's sheets, which openpyxl drops."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for sheet, member in workbook_parts(zf).sheets.items():
            try:
                xml = zf.read(member)
            except KeyError:
                continue
            found += [(sheet, label) for marker, label in _EXTENSIONS.items() if marker in xml]
    return found


def dropped_notes(original: bytes, copy: bytes, lang: str) -> list[str]:
    """What the copy lost compared with the original, in the user's language."""
    before, after = part_types(original), part_types(copy)
    notes = [t("annotate.dropped-part", lang, count=n - after.get(kind, 0), type=kind)
             for kind, n in sorted(before.items()) if n > after.get(kind, 0) and kind not in _HARMLESS]
    notes += [t("annotate.dropped-ext", lang, sheet=s, ext=e) for s, e in _extensions(original)]
    return notes


#: Formats openpyxl cannot open: their annotated copy is an .xlsx holding the values (issue 14).
VALUE_COPY_SUFFIXES = (".xls", ".xlsb", ".ods")


def annotated_path(source: str | os.PathLike[str], out_dir: str | os.PathLike[str]) -> Path:
    """Where the copy of ``source`` goes: same file name in ``out_dir`` (never the original itself); an .xls, .xlsb
    or .ods source gets an .xlsx copy (``book.xls`` → ``book.xls.xlsx``)."""
    name = Path(source).name
    if Path(source).suffix.lower() in VALUE_COPY_SUFFIXES:
        name += ".xlsx"
    src, target = Path(source), Path(out_dir) / name
    if target.resolve() == src.resolve():
        raise ToolkitError("annotate.same-file", file=str(src))
    return target


def annotate_copy(source: str | os.PathLike[str], findings: Sequence[Finding], out_dir: str | os.PathLike[str],
                  lang: str = "en") -> Path:
    """Write the annotated copy of ``source`` into ``out_dir`` and return its path."""
    src = Path(source)
    target = annotated_path(src, out_dir)
    original, values_only = _openable(src)
    try:
        if values_only:
            wb = _values_workbook(src)
        else:
            with warnings.catch_warnings():  # openpyxl warns about what it drops; dropped_notes reports it to the user
                warnings.simplefilter("ignore", UserWarning)
                wb = openpyxl.load_workbook(io.BytesIO(original), keep_vba=src.suffix.lower() == ".xlsm",
                                            keep_links=True, rich_text=True)
    except ToolkitError:
        raise
    except Exception as exc:  # noqa: BLE001 - one line for people
        raise ToolkitError("annotate.cannot-open", file=str(src), detail=f"{type(exc).__name__}: {exc}") from exc
    write_marks(_Book(wb), findings, lang)
    ws = wb[SHEET_NAME]
    for c in ws[1]:
        c.font = Font(bold=True)
    ws.freeze_panes = "A2"
    notes = [t("annotate.values-only", lang)] if values_only else dropped_notes(original, _bytes(wb), lang)
    if notes:
        ws.append([])
        ws.append([t("annotate.dropped-title", lang)])
        for note in notes:
            ws.append([note])
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    data = _bytes(wb)
    return atomic_save(target, lambda tmp: tmp.write_bytes(data))


def _openable(src: Path) -> tuple[bytes, bool]:
    """(the package openpyxl should open, whether only the values can be copied). A file the reader repaired
    (default password, backslash names, macro sheets) is annotated from its repaired copy; .xls, .xlsb and .ods
    from their values."""
    checked = safety.check_file(src)
    try:
        if checked.format != "xlsx":
            return b"", True
        return checked.path.read_bytes(), False
    finally:
        if checked.temporary:
            checked.path.unlink(missing_ok=True)


def _values_workbook(src: Path):
    """An openpyxl workbook holding every worksheet's values as the reader sees them (text kept as text)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in read_raw_sheets(src).items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value in ("", None):
                    continue
                if isinstance(value, str):
                    set_text(ws.cell(r, c), value)
                else:
                    ws.cell(r, c).value = value
    return wb


def _bytes(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


#: Between a note the cell already had and the findings added to it.
NOTE_SEPARATOR = "\n---\n"
NOTE_AUTHOR = "Marketing Toolkit"


@dataclass(frozen=True)
class CellMark:
    """How one flagged cell is marked: fill colour (RRGGBB, None for info only), the note text, how many findings."""

    sheet: str
    cell: str
    fill: str | None
    text: str
    count: int


def cell_marks(findings: Sequence[Finding], sheetnames: Sequence[str], lang: str) -> list[CellMark]:
    """One mark per flagged cell (worst severity decides the colour), for annotated copies and the Validate macro."""
    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.sheet in sheetnames and f.cell:
            # a finding on several cells (formulas without values, normalised IDs…) marks each; a range its first
            for ref in f.params.get("cells") or (f.cell.split(":")[0],):
                by_cell.setdefault((f.sheet, ref), []).append(f)
    out = []
    for (sheet, ref), group in by_cell.items():
        worst = min((f.severity or "info" for f in group), key=lambda s: _RANK.get(s, 3))
        text = "\n".join(f"[{f.code}] {f.message(lang)}" for f in group)
        out.append(CellMark(sheet, ref, FILLS.get(worst), text, len(group)))
    return out


def merge_note(existing: str | None, text: str) -> str:
    """A cell's note after adding ``text``: the note it had (if any), the separator, then ``text``."""
    return existing.rstrip() + NOTE_SEPARATOR + text if existing and existing.strip() else text


def findings_rows(findings: Sequence[Finding], lang: str) -> tuple[list[str], list[tuple[list[str | None], str]]]:
    """The Validation sheet: its headers and, per finding, the row's cells and its severity."""
    rows = []
    for f in findings:
        sev = f.severity or finding_type(f.code).severity
        rows.append(([t(f"annotate.severity.{sev}", lang), f.code, f.sheet, f.cell, f.column, f.value,
                      f.message(lang)], sev))
    return t("annotate.headers", lang).split("|"), rows


#: Column widths of the Validation sheet (A..G).
SHEET_WIDTHS = (10, 24, 14, 8, 18, 18, 90)


class MarkTarget(Protocol):
    """What marking needs of a workbook: the Validate button's port (``toolkit.excel.port.WorkbookPort``) and an
    annotated copy's openpyxl workbook (``_Book``) both have it."""

    def sheet_names(self) -> list[str]: ...
    def get_fill(self, sheet: str, cell: str) -> str | None: ...
    def set_fill(self, sheet: str, cell: str, colour: str | None) -> None: ...
    def get_note(self, sheet: str, cell: str) -> str | None: ...
    def set_note(self, sheet: str, cell: str, text: str | None) -> None: ...
    def add_sheet(self, name: str, first: bool = False, hidden: bool = False) -> None: ...
    def write_range(self, sheet: str, cell: str, rows: list[list[Any]]) -> None: ...
    def set_link(self, sheet: str, cell: str, target: str, text: str) -> None: ...
    def set_widths(self, sheet: str, widths: tuple[int, ...]) -> None: ...
    def activate(self, sheet: str) -> None: ...


@dataclass(frozen=True)
class Marked:
    """What marking one cell changed, so the Validate button can undo it: fill and note before, text and fill added."""

    sheet: str
    cell: str
    fill_before: str | None
    note_before: str | None
    added: str
    fill: str | None


def write_marks(target: MarkTarget, findings: Sequence[Finding], lang: str) -> list[Marked]:
    """The one marking of findings, for annotated copies and the Validate button: every flagged cell filled (worst
    severity) with the messages added to its note, and the Validation sheet first, listing the findings with their
    severity coloured and links to their cells; it is the active sheet. Returns what each cell mark changed."""
    names = target.sheet_names()
    done = []
    for m in cell_marks(findings, names, lang):
        fill_before, note_before = target.get_fill(m.sheet, m.cell), target.get_note(m.sheet, m.cell)
        if m.fill:
            target.set_fill(m.sheet, m.cell, m.fill)
        target.set_note(m.sheet, m.cell, merge_note(note_before, m.text))
        done.append(Marked(m.sheet, m.cell, fill_before, note_before, m.text, m.fill))
    headers, rows = findings_rows(findings, lang)
    target.add_sheet(SHEET_NAME, first=True)
    body: list[list[Any]] = [headers] + [values for values, _ in rows]
    if not rows:
        body.append([t("annotate.none", lang)] + [None] * (len(headers) - 1))
    target.write_range(SHEET_NAME, "A1", body)
    for i, (f, (_, sev)) in enumerate(zip(findings, rows), start=2):
        if sev in FILLS:
            target.set_fill(SHEET_NAME, f"A{i}", FILLS[sev])
        if f.sheet in names and f.cell:
            target.set_link(SHEET_NAME, f"D{i}", cell_link(f.sheet, f.cell), f.cell)
    target.set_widths(SHEET_NAME, SHEET_WIDTHS)
    target.activate(SHEET_NAME)
    return done


class _Book:
    """``MarkTarget`` over an openpyxl workbook (the annotated copy)."""

    def __init__(self, wb: Any) -> None:
        self.wb = wb

    def sheet_names(self) -> list[str]:
        return list(self.wb.sheetnames)

    def get_fill(self, sheet: str, cell: str) -> str | None:
        fill = self.wb[sheet][cell].fill
        rgb = fill.fgColor.rgb if fill is not None and fill.fill_type == "solid" and fill.fgColor is not None else None
        return rgb[-6:].upper() if isinstance(rgb, str) else None

    def set_fill(self, sheet: str, cell: str, colour: str | None) -> None:
        self.wb[sheet][cell].fill = PatternFill("solid", fgColor=colour) if colour else PatternFill(fill_type=None)

    def get_note(self, sheet: str, cell: str) -> str | None:
        comment = self.wb[sheet][cell].comment
        return comment.text if comment is not None else None

    def set_note(self, sheet: str, cell: str, text: str | None) -> None:
        note = Comment(text, NOTE_AUTHOR) if text else None
        if note is not None:  # as tall as the findings it holds (each starts a line with its [code])
            count = sum(line.startswith("[") for line in text.split("\n"))
            note.width, note.height = 320, min(400, 60 + 40 * max(count, 1))
        self.wb[sheet][cell].comment = note

    def add_sheet(self, name: str, first: bool = False, hidden: bool = False) -> None:
        if name in self.wb.sheetnames:  # re-annotating an annotated copy
            del self.wb[name]
        ws = self.wb.create_sheet(name, 0 if first else None)
        if hidden:
            ws.sheet_state = "hidden"

    def write_range(self, sheet: str, cell: str, rows: list[list[Any]]) -> None:
        ws = self.wb[sheet]
        first = ws[cell]
        for i, values in enumerate(rows):
            for j, value in enumerate(values):
                set_text(ws.cell(first.row + i, first.column + j), value)

    def set_link(self, sheet: str, cell: str, target: str, text: str) -> None:
        link = self.wb[sheet][cell]
        link.hyperlink = Hyperlink(ref=link.coordinate, location=target, display=text)
        link.font = Font(color="0563C1", underline="single")

    def set_widths(self, sheet: str, widths: tuple[int, ...]) -> None:
        for width, letter in zip(widths, "ABCDEFGHIJ"):
            self.wb[sheet].column_dimensions[letter].width = width

    def activate(self, sheet: str) -> None:
        for ws in self.wb.worksheets:  # only one tab selected (else Excel groups sheets)
            ws.sheet_view.tabSelected = False
        self.wb[sheet].sheet_view.tabSelected = True
        self.wb.active = self.wb[sheet]


def cell_link(sheet: str, cell: str) -> str:
    """The in-workbook link target of a cell: 'Sheet Name'!A1."""
    return "'" + sheet.replace("'", "''") + "'!" + cell
