"""The workbook port over a file: openpyxl edits a working copy, the fast reader gives typed tables.

What ``toolkit macro NAME --book PATH`` runs (always on a copy, never the user's file) and what the
tests drive. Questions are answered from a dict (``--answer KEY=VALUE``) or their defaults; messages,
questions and opened files are recorded so the CLI can print them and tests can check them.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import Any
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_from_string, column_index_from_string
from openpyxl.worksheet.hyperlink import Hyperlink
import openpyxl

from ..core.tables import WorkbookData
from ..errors import ToolkitError
from ..i18n import register
from .port import parse_selection
from ..io.annotate import NOTE_AUTHOR
from ..io.reader import read_workbook
from ..io.writer import set_text, save_workbook

register({
    "port.cannot-open": ("Cannot open {file}: {detail}", "无法打开 {file}：{detail}"),
    "port.no-sheet": ("{file} has no sheet named '{sheet}'.", "{file} 中没有名为“{sheet}”的工作表。"),
})

_LINK_FONT = {"color": "0563C1", "underline": "single"}


class FilePort:
    """``WorkbookPort`` over the xlsx/xlsm file at ``path`` (edited in place: pass a copy)."""

    def __init__(self, path: str | Path, selection: str | None = None, answers: dict[str, str] | None = None):
        self._path = Path(path)
        self._selection = parse_selection(selection) if selection else None
        self.answers = dict(answers or {})
        self.messages: list[tuple[str, str]] = []  # (level, text)
        self.questions: list[tuple[str, str, str | None]] = []  # (key, prompt, answer)
        self.opened: list[Path] = []
        self._wb: Any = None
        self.dirty = False

    # --- the workbook -------------------------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def workbook(self) -> Any:
        """The openpyxl workbook (loaded on first use)."""
        if self._wb is None:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)
                    self._wb = openpyxl.load_workbook(io.BytesIO(self._path.read_bytes()), rich_text=True,
                                                      keep_vba=self._path.suffix.lower() == ".xlsm", keep_links=True)
            except Exception as exc:  # noqa: BLE001 - one line for people
                raise ToolkitError("port.cannot-open", file=str(self._path),
                                   detail=f"{type(exc).__name__}: {exc}".splitlines()[0]) from exc
        return self._wb

    def _ws(self, sheet: str) -> Any:
        try:
            return self.workbook[sheet]
        except KeyError:
            raise ToolkitError("port.no-sheet", file=str(self._path), sheet=sheet) from None

    def _cell(self, sheet: str, cell: str) -> Any:
        self.dirty = True
        return self._ws(sheet)[cell]

    def sheet_names(self) -> list[str]:
        """The sheets' names; before the workbook is loaded, from a read-only open (the workbook's part only: every
        macro asks for its settings sheet first, and loading every cell of a large workbook for the names cost
        seconds)."""
        if self._wb is None:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)
                    names = openpyxl.load_workbook(self._path, read_only=True, keep_links=False)
                try:
                    return list(names.sheetnames)
                finally:
                    names.close()
            except Exception:  # noqa: BLE001, S110 - the full load below reports the file in one line
                pass
        return list(self.workbook.sheetnames)

    def read_data(self, kind: str | None = None) -> WorkbookData:
        """Typed tables by ``toolkit.io.reader.read_workbook`` on the file (saved first if edited: openpyxl
        keeps no cached formula results, so read before editing where formulas matter)."""
        if self.dirty:
            self.save()
        return read_workbook(self._path, kind)

    def read_values(self, sheet: str) -> list[list[Any]]:
        return [list(r) for r in self._ws(sheet).iter_rows(values_only=True)]

    def write_range(self, sheet: str, cell: str, rows: list[list[Any]]) -> None:
        ws = self._ws(sheet)
        self.dirty = True
        letter, row = coordinate_from_string(cell)
        col = column_index_from_string(letter)
        for i, values in enumerate(rows):
            for j, value in enumerate(values):
                set_text(ws.cell(row + i, col + j), value)

    # --- sheets -------------------------------------------------------------------------------------
    def add_sheet(self, name: str, first: bool = False, hidden: bool = False) -> None:
        self.delete_sheet(name)
        ws = self.workbook.create_sheet(name, 0 if first else None)
        if hidden:
            ws.sheet_state = "hidden"
        self.dirty = True

    def delete_sheet(self, name: str) -> None:
        wb = self.workbook
        if name in wb.sheetnames:
            active = wb.active.title if wb.active is not None else None
            del wb[name]
            self.dirty = True
            if active and active != name and active in wb.sheetnames:
                wb.active = wb[active]

    def activate(self, sheet: str) -> None:
        wb = self.workbook
        ws = self._ws(sheet)
        for other in wb.worksheets:  # only one tab selected, else Excel opens with grouped sheets
            other.sheet_view.tabSelected = False
        ws.sheet_view.tabSelected = True
        wb.active = ws
        self.dirty = True

    def set_widths(self, sheet: str, widths: tuple[int, ...]) -> None:
        ws = self._ws(sheet)
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        self.dirty = True

    # --- marks --------------------------------------------------------------------------------------
    def get_fill(self, sheet: str, cell: str) -> str | None:
        fill = self._ws(sheet)[cell].fill
        if fill is None or fill.fill_type != "solid":
            return None
        colour = fill.fgColor
        if colour is None or colour.type != "rgb" or not isinstance(colour.rgb, str):
            return None
        return colour.rgb[-6:].upper()

    def set_fill(self, sheet: str, cell: str, colour: str | None) -> None:
        self._cell(sheet, cell).fill = PatternFill("solid", fgColor=colour) if colour else PatternFill(fill_type=None)

    def get_note(self, sheet: str, cell: str) -> str | None:
        comment = self._ws(sheet)[cell].comment
        return comment.text if comment is not None and comment.text else None

    def set_note(self, sheet: str, cell: str, text: str | None) -> None:
        target = self._cell(sheet, cell)
        if not text:
            target.comment = None
            return
        note = Comment(text, NOTE_AUTHOR)
        note.width, note.height = 320, min(400, 60 + 15 * text.count("\n"))
        target.comment = note

    def set_link(self, sheet: str, cell: str, target: str, text: str) -> None:
        c = self._cell(sheet, cell)
        set_text(c, text)
        c.hyperlink = Hyperlink(ref=c.coordinate, location=target, display=text)
        c.font = Font(**_LINK_FONT)

    # --- the user -----------------------------------------------------------------------------------
    def selection(self) -> tuple[str, str] | None:
        return self._selection

    def message(self, text: str, level: str = "info") -> None:
        self.messages.append((level, text))

    def ask(self, key: str, prompt: str, default: str | None = None) -> str | None:
        answer = self.answers.get(key, default)
        self.questions.append((key, prompt, answer))
        return answer

    def open_file(self, path: Path) -> None:
        self.opened.append(Path(path))

    def save(self) -> None:
        if self._wb is not None:
            save_workbook(self._wb, self._path)
        self.dirty = False


__all__ = ["FilePort"]
