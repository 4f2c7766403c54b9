"""The workbook port: the one small interface the ribbon macros use, on a file or in live Excel.

Two implementations: ``toolkit.excel.file_port.FilePort`` (openpyxl over a copy of a file: batch, tests,
Linux; what ``toolkit macro`` runs) and ``toolkit.excel.xlwings_port.XlwingsPort`` (a thin translation
over a live xlwings ``Book``). Macros only ever talk to this protocol, so the same Python runs in both.

Cells are named in A1 notation (``"C17"``) on a sheet named as in the workbook. Colours are ``RRGGBB``
hex strings (None: no fill). Addresses of the selection may hold several areas (``"$A$2:$B$5,$A$9"``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ..core.tables import WorkbookData

#: Message levels of ``WorkbookPort.message``.
LEVELS = ("info", "warning", "error")


@runtime_checkable
class WorkbookPort(Protocol):
    """What a macro can do with the workbook it runs on."""

    @property
    def path(self) -> Path | None:
        """The workbook's file (None for a new, never saved workbook)."""

    def sheet_names(self) -> list[str]:
        """Sheet names in tab order."""

    def read_data(self, kind: str | None = None) -> WorkbookData:
        """The workbook as typed tables (``toolkit.io.reader``'s contract); raises ``ToolkitError``."""

    def read_values(self, sheet: str) -> list[list[Any]]:
        """A sheet's values from A1 to its last used cell, as rows (None for empty)."""

    def write_range(self, sheet: str, cell: str, rows: list[list[Any]]) -> None:
        """Write values with ``cell`` as the top-left corner; text is always text, never a formula."""

    def add_sheet(self, name: str, first: bool = False, hidden: bool = False) -> None:
        """A new empty sheet (replacing one of that name), at the end or first, optionally hidden."""

    def delete_sheet(self, name: str) -> None:
        """Remove a sheet if it exists."""

    def activate(self, sheet: str) -> None:
        """Show this sheet."""

    def get_fill(self, sheet: str, cell: str) -> str | None:
        """The cell's solid fill colour (RRGGBB), None when it has none."""

    def set_fill(self, sheet: str, cell: str, colour: str | None) -> None:
        """Fill the cell with a solid colour, or remove the fill (None)."""

    def get_note(self, sheet: str, cell: str) -> str | None:
        """The cell's note (comment) text, None when it has none."""

    def set_note(self, sheet: str, cell: str, text: str | None) -> None:
        """Replace the cell's note, or delete it (None)."""

    def set_link(self, sheet: str, cell: str, target: str, text: str) -> None:
        """Make the cell a link to ``target`` ('Sheet'!A1) showing ``text``."""

    def set_widths(self, sheet: str, widths: tuple[int, ...]) -> None:
        """Column widths in characters from column A on."""

    def selection(self) -> tuple[str, str] | None:
        """(sheet, address) of the selected cells, None when nothing is selected."""

    def message(self, text: str, level: str = "info") -> None:
        """Tell the user something (a message box in Excel)."""

    def ask(self, key: str, prompt: str, default: str | None = None) -> str | None:
        """Ask the user for a value; ``key`` names the question (``toolkit macro --answer KEY=VALUE``).
        None when cancelled."""

    def open_file(self, path: Path) -> None:
        """Open a file the macro wrote (a workbook in Excel)."""

    def save(self) -> None:
        """Save the workbook (the file port: its working copy)."""


_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_COL = re.compile(r"^\$?([A-Za-z]{1,3})$")
_ROW = re.compile(r"^\$?(\d+)$")


def split_cell(cell: str) -> tuple[str, int]:
    """'C17' -> ('C', 17)."""
    m = _CELL.match(cell.strip())
    if not m:
        raise ValueError(f"not a cell address: {cell!r}")
    return m.group(1).upper(), int(m.group(2))


def parse_selection(text: str) -> tuple[str, str]:
    """``Sheet!A2:A5`` or ``'My Sheet'!A2:B3,A9`` -> (sheet, address)."""
    sheet, sep, address = text.rpartition("!")
    if not sep or not sheet or not address:
        raise ValueError(f"not a selection (Sheet!A2:A5): {text!r}")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, address


def selected_rows(address: str, last_row: int = 1_048_576) -> list[int]:
    """Sheet rows an address covers, in order: 'A2:C4,B9' -> [2, 3, 4, 9]; whole rows '3:5'; whole columns
    'A:A' cover rows 1..``last_row``."""
    rows: set[int] = set()
    for area in address.replace(";", ",").split(","):
        parts = [p.strip() for p in area.split(":") if p.strip()]
        if not parts:
            continue
        bounds = []
        for p in parts:
            if (m := _CELL.match(p)) is not None:
                bounds.append(int(m.group(2)))
            elif _ROW.match(p):
                bounds.append(int(p.lstrip("$")))
            elif _COL.match(p):
                bounds.extend([1, last_row])
            else:
                raise ValueError(f"not a cell address: {area!r}")
        rows.update(range(min(bounds), max(bounds) + 1))
    return sorted(rows)


def hex_colour(rgb: Any) -> str | None:
    """(r, g, b) -> 'RRGGBB'; None stays None."""
    if rgb is None:
        return None
    r, g, b = (int(x) for x in rgb)
    return f"{r:02X}{g:02X}{b:02X}"


def rgb_colour(colour: str | None) -> tuple[int, int, int] | None:
    """'RRGGBB' -> (r, g, b); None stays None."""
    if colour is None:
        return None
    c = colour.lstrip("#")[-6:]
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


__all__ = ["WorkbookPort", "LEVELS", "split_cell", "parse_selection", "selected_rows", "hex_colour", "rgb_colour"]
