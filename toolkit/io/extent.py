"""A sheet's real extent, for the message when a used range inflated by a stray cell makes a small file "too large"
(issue 22): a value typed at XFD1048576 makes the reader allocate the whole sheet; the finding names that cell.

Runs only after a read failed for its size (cheap regular expressions over an .xlsx sheet part, a walk over an
.xls's BIFF records); never on the usual file.
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import xlsx_scan

#: Rows (columns) without a value that separate a table from a stray cell beyond it.
ROW_GAP, COL_GAP = 1000, 100
_CELL = re.compile(rb"<(?:[\w.-]+:)?c\s[^>]*?\br\s*=\s*[\"']([A-Z]{1,3})([0-9]{1,7})[\"'][^>]*?(/?)>")


@dataclass(frozen=True)
class Stray:
    """A value far beyond a sheet's table: the sheet, the cell, and the table's real extent (A1 range)."""

    sheet: str
    cell: str
    extent: str
    count: int


def _cut(values: list[int], gap: int) -> int:
    """The last value before the first gap wider than ``gap`` (values sorted, distinct)."""
    last = values[0]
    for v in values[1:]:
        if v - last > gap:
            return last
        last = v
    return last


def _stray(sheet: str, cells: list[tuple[int, int]]) -> Stray | None:
    if not cells:
        return None
    rows = sorted({r for r, _ in cells})
    cols = sorted({c for _, c in cells})
    last_row, last_col = _cut(rows, ROW_GAP), _cut(cols, COL_GAP)
    far = [(r, c) for r, c in cells if r > last_row or c > last_col]
    if not far:
        return None
    r, c = max(far)
    return Stray(sheet, f"{xlsx_scan.column_letter(c)}{r + 1}",
                 f"A1:{xlsx_scan.column_letter(last_col)}{last_row + 1}", len(far))


def _xlsx(path: Path) -> list[Stray]:
    out = []
    with zipfile.ZipFile(path) as zf:
        for name, member in xlsx_scan.workbook_parts(zf).sheets.items():
            data = zf.read(member)
            cells = [(int(m.group(2)) - 1, xlsx_scan.column_index(m.group(1).decode()))
                     for m in _CELL.finditer(data) if not m.group(3)]  # <c r="X1"/> holds no value
            found = _stray(name, cells)
            if found:
                out.append(found)
    return out


#: BIFF cell records whose data start with (row, column): NUMBER, RK, LABELSST, LABEL, BOOLERR, FORMULA, MULRK.
_CELL_RECORDS = frozenset({0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x00BD})


def _xls(path: Path) -> list[Stray]:
    import olefile  # only after an .xls failed for its size: not on the reading path

    with olefile.OleFileIO(str(path)) as ole:
        stream = next((s for s in ole.listdir() if s[-1].casefold() in ("workbook", "book")), None)
        if stream is None:
            return []
        data = ole.openstream(stream).read()
    names: list[str] = []
    sheets: list[list[tuple[int, int]]] = []
    i, depth = 0, 0
    while i + 4 <= len(data):
        kind, size = struct.unpack_from("<HH", data, i)
        body = data[i + 4:i + 4 + size]
        i += 4 + size
        if kind == 0x0085 and len(body) > 8:  # BOUNDSHEET: the sheet names, in order
            n, flags = body[6], body[7]
            text = body[8:8 + (2 * n if flags & 1 else n)]
            names.append(text.decode("utf-16-le" if flags & 1 else "latin-1", "replace"))
        elif kind == 0x0809:  # BOF: a substream starts (the globals, then each sheet)
            depth += 1
            if depth > 1:
                sheets.append([])
        elif kind in _CELL_RECORDS and sheets and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body, 0)
            sheets[-1].append((row, col))
            if kind == 0x00BD and len(body) >= 6:
                sheets[-1].append((row, struct.unpack_from("<H", body, len(body) - 2)[0]))
    return [s for s in (_stray(names[k] if k < len(names) else f"#{k + 1}", cells)
                        for k, cells in enumerate(sheets)) if s]


def stray_cells(path: str | Path, fmt: str) -> list[Stray]:
    """Values far beyond each sheet's table (empty when none, or for a format this cannot look into)."""
    try:
        if fmt == "xlsx":
            return _xlsx(Path(path))
        if fmt == "xls":
            return _xls(Path(path))
    except Exception:  # noqa: BLE001 - only a better message is at stake: the caller keeps its own
        return []
    return []
