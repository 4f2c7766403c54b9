"""The reader's grids: a workbook opened (python-calamine; repaired copies), each sheet's values as rows, merged
ranges, sheets found by name in either language (``toolkit.io.reader`` reads through these)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from ..errors import ToolkitError
from ..schema import normalize_header
from . import repair, safety, xlsx_scan


try:  # pandas' own list-of-lists conversion (what its DataFrame constructor uses), ~3x faster than a frame
    from pandas._libs.lib import to_object_array as _to_object_array
except ImportError:  # a private module: if a pandas release moves it, the public route below still works
    _to_object_array = None


_SUFFIXES = {"xlsx": (".xlsx", ".xlsm"), "xls": (".xls",), "xlsb": (".xlsb",), "ods": (".ods",)}


def _open(checked: safety.CheckedFile) -> Any:

    try:
        if checked.path.suffix.lower() in _SUFFIXES[checked.format]:
            return CalamineWorkbook.from_path(str(checked.path))
        with open(checked.path, "rb") as fh:  # a workbook under another format's name: let the reader sniff it
            return CalamineWorkbook.from_filelike(fh)
    except PasswordError as exc:
        if checked.format == "xls" and repair.xls_default_xor(checked.path):
            raise ToolkitError("read.xls-default-password", file=checked.shown) from exc
        raise ToolkitError("read.encrypted", file=checked.shown) from exc
    except CalamineError as exc:  # an old .xls the reader cannot decode is not "damaged": say what it is
        if checked.format == "xls":
            raise ToolkitError("read.xls-undecodable", file=checked.shown, version=repair.xls_version(checked.path),
                               detail=str(exc)[:120]) from exc
        raise


def _merges(sheet: Any) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Merged ranges of a python-calamine sheet ((first row, first col), (last row, last col)), 0-based; .xlsb
    and .ods give none (python-calamine does not report them there)."""
    try:
        return list(sheet.merged_cell_ranges or [])
    except Exception:  # noqa: BLE001 - merges are a convenience; a sheet without them reads as written
        return []


def _worksheet_names(book: Any) -> list[str]:
    return [m.name for m in book.sheets_metadata if str(m.typ).endswith("WorkSheet")]


def _grid(book: Any, name: str, shown: str, merges: dict[str, list[Any]] | None = None) -> list[list[Any]]:
    """A sheet's values from A1 as rows; ``merges`` (when given) gets its merged ranges from the same parse.
    A sheet spanning more than ``safety.MAX_CELLS`` is refused before its cells become Python values."""
    sheet = book.get_sheet_by_name(name)
    if sheet.end is not None:
        safety.check_cells(shown, name, sheet.end[0] + 1, sheet.end[1] + 1)
    if merges is not None:
        merges[name] = _merges(sheet)
    return sheet.to_python(skip_empty_area=False)


def _as_grid(rows: list[list[Any]]) -> np.ndarray:
    """A sheet's rows as a 2-D object array, as ``pd.DataFrame(rows, dtype=object).to_numpy()`` gives it but
    without the frame (pandas' own list-of-lists conversion, ~3x faster); uneven rows still go the frame's way."""
    if _to_object_array is not None and rows and type(rows[0]) is list and len(set(map(len, rows))) == 1:
        return _to_object_array(rows)
    return pd.DataFrame(rows, dtype=object).to_numpy(dtype=object)


def _read_raw(checked: safety.CheckedFile) -> dict[str, list[list[Any]]]:
    book = _open(checked)
    names = _worksheet_names(book)
    errors = xlsx_scan.scan_errors(str(checked.path), names)[1] if checked.format == "xlsx" else {}
    out: dict[str, list[list[Any]]] = {}
    for name in names:
        rows = _grid(book, name, checked.shown)
        for (r, c), text in errors.get(name, {}).items():
            if r < len(rows) and c < len(rows[r]) and text != xlsx_scan.NO_VALUE:
                rows[r][c] = text
        out[name] = rows
    return out


def _sheet_index(names: list[str]) -> dict[str, str]:
    return {normalize_header(n): n for n in reversed(names)}


def _find_sheet(index: dict[str, str], table_or_label: Any, key: str | None = None) -> str | None:
    label = getattr(table_or_label, "sheet", table_or_label)
    for text in (*label.all(), *( [key] if key else [])):
        found = index.get(normalize_header(text))
        if found is not None:
            return found
    return None
