"""The workbook port over a live Excel workbook (an xlwings ``Book``): a thin translation, no logic.

Each method is one or two xlwings calls. Typed tables come from the sheets' used-range values fed to
the same reader code as files (``toolkit.io.reader.read_rows``). Excel is not available on the build
machines: ``tests/test_xlwings_port.py`` checks this module against a recording fake of the xlwings
calls used here: ``Book.sheets`` (iterate, ``[name]``, ``add``), ``Book.fullname``, ``Book.selection``,
``Book.app.alert``, ``Book.app.books.open``, ``Book.save``, ``Sheet.name/.range/.used_range/.visible/
.delete/.activate``, ``Range.value/.options/.last_cell/.row/.column/.color/.note/.add_note/
.add_hyperlink/.column_width/.address/.sheet``, ``Note.text/.delete``, and on Windows
``App.api.InputBox`` for questions.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any
import subprocess

from ..core.tables import WorkbookData
from .port import hex_colour, rgb_colour
from ..io.reader import read_rows

_TITLE = "Marketing Toolkit"
_MODES = {"info": "info", "warning": "info", "error": "critical"}


class XlwingsPort:
    """``WorkbookPort`` over an xlwings ``Book``."""

    def __init__(self, book: Any):
        self.book = book

    @property
    def path(self) -> Path | None:
        full = str(self.book.fullname)
        return Path(full) if os.path.isabs(full) else None

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def read_values(self, sheet: str) -> list[list[Any]]:
        ws = self.book.sheets[sheet]
        last = ws.used_range.last_cell
        return ws.range((1, 1), (last.row, last.column)).options(ndim=2, err_to_str=True).value

    def read_data(self, kind: str | None = None) -> WorkbookData:
        return read_rows(self.sheet_names(), self.read_values, str(self.book.fullname), kind)

    def write_range(self, sheet: str, cell: str, rows: list[list[Any]]) -> None:
        # Excel's quote prefix keeps text as text: never a formula, never a guessed number or date.
        self.book.sheets[sheet].range(cell).value = [
            ["'" + v if isinstance(v, str) and v else v for v in row] for row in rows]

    def add_sheet(self, name: str, first: bool = False, hidden: bool = False) -> None:
        self.delete_sheet(name)
        sheets = self.book.sheets
        ws = sheets.add(name, before=sheets[0]) if first else sheets.add(name, after=sheets[len(sheets) - 1])
        if hidden:
            ws.visible = False

    def delete_sheet(self, name: str) -> None:
        if name in self.sheet_names():
            self.book.sheets[name].delete()

    def activate(self, sheet: str) -> None:
        self.book.sheets[sheet].activate()

    def set_widths(self, sheet: str, widths: tuple[int, ...]) -> None:
        ws = self.book.sheets[sheet]
        for i, width in enumerate(widths, start=1):
            ws.range((1, i)).column_width = width

    def get_fill(self, sheet: str, cell: str) -> str | None:
        return hex_colour(self.book.sheets[sheet].range(cell).color)

    def set_fill(self, sheet: str, cell: str, colour: str | None) -> None:
        self.book.sheets[sheet].range(cell).color = rgb_colour(colour)

    def get_note(self, sheet: str, cell: str) -> str | None:
        note = self.book.sheets[sheet].range(cell).note
        return note.text if note is not None else None

    def set_note(self, sheet: str, cell: str, text: str | None) -> None:
        rng = self.book.sheets[sheet].range(cell)
        if rng.note is not None:
            rng.note.delete()
        if text:
            rng.add_note(text)

    def set_link(self, sheet: str, cell: str, target: str, text: str) -> None:
        self.book.sheets[sheet].range(cell).add_hyperlink("#" + target, text, target)

    def selection(self) -> tuple[str, str] | None:
        sel = self.book.selection
        return (sel.sheet.name, sel.address) if sel is not None else None

    def message(self, text: str, level: str = "info") -> None:
        self.book.app.alert(text, _TITLE, mode=_MODES.get(level, "info"))

    def ask(self, key: str, prompt: str, default: str | None = None) -> str | None:
        if sys.platform == "darwin":
            return _ask_mac(prompt, default)
        answer = self.book.app.api.InputBox(prompt, _TITLE, default or "")
        return None if answer is False else str(answer)

    def open_file(self, path: Path) -> None:
        self.book.app.books.open(str(path))

    def save(self) -> None:
        self.book.save()


def _ask_mac(prompt: str, default: str | None) -> str | None:
    """macOS has no InputBox through xlwings: ask with AppleScript's ``display dialog``."""
    script = ('on run argv\ntry\nset r to display dialog (item 1 of argv) default answer (item 2 of argv) '
              f'with title "{_TITLE}"\nreturn text returned of r\non error\nreturn "\\u0000"\nend try\nend run')
    done = subprocess.run(["osascript", "-e", script, prompt, default or ""], capture_output=True, text=True)
    answer = done.stdout.rstrip("\n")
    return None if done.returncode != 0 or answer == "\\u0000" else answer


__all__ = ["XlwingsPort"]
