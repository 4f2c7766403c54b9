"""Read a department or standards workbook into typed tables (docs/architecture.md, "Typed tables").

Values come from python-calamine (fast, Rust); error cells, which it returns as blanks, come from
``xlsx_scan``; every file passes ``safety`` first (pre-checks, then an isolated parse). Tables are
found by their headers, so headers may be English or Chinese, in any order, on any of the first 10
rows, as an Excel table or a plain range, and several tables may share a sheet side by side.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..core.findings import Finding
from ..core.tables import TableLayout, WorkbookData
from ..errors import ToolkitError
from ..i18n import register
from ..schema import SCHEMAS, ColType, Column, Table, WorkbookSchema, normalize_header
from ..schema.model import TYPE_LABELS
from . import safety, xlsx_scan
from .coerce import (
    ArrayKinds,
    array_kinds,
    coerce,
    coerce_array,
    coerce_values,
    display,
)

try:  # pandas' own list-of-lists conversion (what its DataFrame constructor uses), ~3x faster than a frame
    from pandas._libs.lib import to_object_array as _to_object_array
except ImportError:  # a private module: if a pandas release moves it, the public route below still works
    _to_object_array = None


register(
    {
        "read.unknown-kind": (
            "{file}: is neither a department workbook nor a standards workbook (no sheet named {expected}).",
            "{file}：既不是部门工作簿也不是标准工作簿（没有名为{expected_zh}的工作表）。",
        ),
        "read.sheet-missing": (
            "{file}: required sheet '{sheet}' is missing.",
            "{file}：缺少必需的工作表“{sheet_zh}”。",
        ),
        "read.column-missing": (
            "{file}: sheet '{sheet}' is missing required column(s) {columns}.",
            "{file}：工作表“{sheet}”缺少必需的列 {columns_zh}。",
        ),
    }
)

HEADER_ROWS = 10  # the header row may be anywhere in the first 10 rows


@dataclass
class _Located:
    """One table found on its sheet: header row (0-based) and column index -> key / extra header."""

    table: Table
    header: int
    columns: dict[str, tuple[int, str]]  # key -> (column index, header as written)
    extra: dict[str, int]  # header as written -> column index


# ---------------------------------------------------------------------------------------------- public API


def read_workbook(path: str | os.PathLike[str], kind: str | WorkbookSchema | None = None) -> WorkbookData:
    """Typed tables of a department or standards workbook; ``kind`` None detects it from the sheet names.

    Raises ``ToolkitError`` naming the file when it cannot be read or lacks a required sheet or column.
    """
    if isinstance(kind, str) and kind not in SCHEMAS:  # a WorkbookSchema reads a workbook of that schema
        raise ValueError(f"kind must be one of {sorted(SCHEMAS)}, not {kind!r}")
    return safety.read_safely(path, _read_workbook, kind)


def read_raw_sheets(path: str | os.PathLike[str]) -> dict[str, list[list[Any]]]:
    """Every worksheet's values from A1 as rows of Python values; error cells hold their text ('#N/A').

    The generic, schema-free read (same safety gate as ``read_workbook``), for tools and robustness tests.
    """
    return safety.read_safely(path, _read_raw)


# ---------------------------------------------------------------------------------------------- in the child


def _open(checked: safety.CheckedFile) -> Any:
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        return CalamineWorkbook.from_path(str(checked.path))
    except PasswordError as exc:
        raise ToolkitError("read.encrypted", file=checked.shown) from exc


def _worksheet_names(book: Any) -> list[str]:
    return [m.name for m in book.sheets_metadata if str(m.typ).endswith("WorkSheet")]


def _grid(book: Any, name: str) -> list[list[Any]]:
    return book.get_sheet_by_name(name).to_python(skip_empty_area=False)


def _as_grid(rows: list[list[Any]]) -> np.ndarray:
    """A sheet's rows as a 2-D object array, as ``pd.DataFrame(rows, dtype=object).to_numpy()`` gives it but
    without the frame (pandas' own list-of-lists conversion, ~3x faster); uneven rows still go the frame's way."""
    if _to_object_array is not None and rows and type(rows[0]) is list and len(set(map(len, rows))) == 1:
        return _to_object_array(rows)
    return pd.DataFrame(rows, dtype=object).to_numpy(dtype=object)


def _read_raw(checked: safety.CheckedFile) -> dict[str, list[list[Any]]]:
    book = _open(checked)
    names = _worksheet_names(book)
    _, errors = xlsx_scan.scan_errors(str(checked.path), names)
    out: dict[str, list[list[Any]]] = {}
    for name in names:
        rows = _grid(book, name)
        for (r, c), text in errors.get(name, {}).items():
            if r < len(rows) and c < len(rows[r]):
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


def _detect_kind(index: dict[str, str], shown: str) -> WorkbookSchema:
    scores = {
        kind: sum(_find_sheet(index, t, t.key) is not None for t in schema.tables)
        for kind, schema in SCHEMAS.items()
    }
    best = max(scores, key=lambda k: scores[k])
    if scores[best] == 0:
        expected = [t.sheet for s in SCHEMAS.values() for t in s.tables if t.required]
        raise ToolkitError(
            "read.unknown-kind",
            file=shown,
            expected=", ".join(dict.fromkeys(l.en for l in expected)),
            expected_zh="、".join(dict.fromkeys(l.zh for l in expected)),
        )
    return SCHEMAS[best]


def _header_text(value: Any) -> str:
    return display(value) if value not in ("", None) else ""


def _lookup_key(text: str) -> str:
    return normalize_header(text.rstrip("*").rstrip())


def _locate(grid: np.ndarray, tables: list[Table]) -> dict[str, _Located]:
    """Find each table's header row (the row of the first 10 with most of its headers) and columns."""
    headers = [[_header_text(v) for v in row] for row in grid[:HEADER_ROWS]]
    found: dict[str, _Located] = {}
    claimed: dict[tuple[int, int], str] = {}
    for table in tables:
        lookup = table.header_lookup()
        keys = [[lookup.get(_lookup_key(h)) if h else None for h in row] for row in headers]
        counts = [sum(k is not None for k in row) for row in keys]
        if not counts or max(counts) == 0:
            continue
        row = counts.index(max(counts))
        columns: dict[str, tuple[int, str]] = {}
        for c, key in enumerate(keys[row]):
            if key is not None and key not in columns and (row, c) not in claimed:
                columns[key] = (c, headers[row][c])
                claimed[(row, c)] = table.key
        found[table.key] = _Located(table, row, columns, {})
    # Extra columns: header cells on a table's header row no table claimed; nearest table gets them.
    for loc in found.values():
        for c, text in enumerate(headers[loc.header]):
            if not text or (loc.header, c) in claimed:
                continue
            same_row = [o for o in found.values() if o.header == loc.header and o.columns]
            nearest = min(same_row, key=lambda o: min(abs(i - c) for i, _ in o.columns.values()))
            if nearest is loc and text not in loc.extra:
                loc.extra[text] = c
    return found


def _language(located: list[_Located]) -> str:
    votes = {"en": 0, "zh": 0}
    for loc in located:
        for key, (_, written) in loc.columns.items():
            label = loc.table.column(key).label
            norm = _lookup_key(written)
            if norm == normalize_header(label.zh) and label.zh != label.en:
                votes["zh"] += 1
            elif norm == normalize_header(label.en):
                votes["en"] += 1
    return "zh" if votes["zh"] > votes["en"] else "en"


def _empty_frame(table: Table) -> pd.DataFrame:
    empty = pd.Series([], dtype=object)
    data = {col.key: coerce(empty, col)[0] for col in table.columns}
    data["_row"] = pd.Series([], dtype="int64")
    return pd.DataFrame(data)


def _type_params(ctype: ColType) -> dict[str, str]:
    label = TYPE_LABELS[ctype]
    return {"expected": label.en, "expected_zh": label.zh}


def _build(
    loc: _Located, sheet_grid: np.ndarray, errors: dict[tuple[int, int], str], sheet: str, date1904: bool
) -> tuple[pd.DataFrame, TableLayout, list[Finding]]:
    """The typed frame of one located table, its layout and what coercion found.

    Works on plain object arrays (one per column) and builds the frame once from typed arrays: per-column
    pandas overhead, not the cells, was the cost of a read (issue 5)."""
    findings: list[Finding] = []
    first = loc.header + 1
    grid = sheet_grid[first:]
    positions = [c for c, _ in loc.columns.values()] + list(loc.extra.values())
    err_at = {(r, c): v for (r, c), v in errors.items() if r > loc.header and c in positions}
    kinds = {c: array_kinds(grid[:, c]) for c in positions}
    blank = np.ones(len(grid), dtype=bool)
    for k in kinds.values():
        blank &= k.blank
    if err_at:
        blank[[r - first for r, _ in err_at if r - first < len(grid)]] = False
    keep = np.flatnonzero(~blank)
    all_kept = len(keep) == len(grid)
    rows = keep + first  # 0-based sheet rows of the kept rows
    data: dict[str, Any] = {}
    layout = TableLayout(sheet, loc.header + 1)
    for col in loc.table.columns:
        if col.key not in loc.columns:
            data[col.key] = coerce_values(np.full(len(rows), "", dtype=object), col)[0]
            continue
        c, written = loc.columns[col.key]
        letter = xlsx_scan.column_letter(c)
        layout.columns[col.key] = (letter, written)
        data[col.key] = _coerce_column(grid[:, c] if all_kept else grid[keep, c],
                                       kinds[c] if all_kept else kinds[c].take(keep), rows, col, date1904, c,
                                       err_at, sheet, letter, written, findings)
    for written, c in loc.extra.items():
        letter = xlsx_scan.column_letter(c)
        layout.extra[written] = letter
        findings.append(Finding("extra-column", sheet=sheet, cell=f"{letter}{loc.header + 1}",
                                row=loc.header + 1, column=written, value=written))
        data[f"extra:{written}"] = _coerce_column(grid[:, c] if all_kept else grid[keep, c],
                                                  kinds[c] if all_kept else kinds[c].take(keep), rows, None,
                                                  date1904, c, err_at, sheet, letter, written, findings)
    data["_row"] = (rows + 1).astype("int64")
    return pd.DataFrame(data, copy=False), layout, findings  # the arrays are new and this frame's alone


def _coerce_column(
    values: np.ndarray, kinds: ArrayKinds | None, rows: np.ndarray, col: Any, date1904: bool,
    c: int, err_at: dict[tuple[int, int], str], sheet: str, letter: str, written: str, findings: list[Finding],
) -> Any:
    """One typed column (an array); its formula-error and type-error findings are appended to ``findings``."""
    err_rows = sorted(r for (r, cc) in err_at if cc == c)
    if err_rows:
        at = np.searchsorted(rows, err_rows)
        hit = [(int(p), r) for p, r in zip(at, err_rows) if p < len(rows) and rows[p] == r]
        if hit:
            values = values.copy()
            values[[p for p, _ in hit]] = ""
            kinds = None
            for _, r in hit:
                findings.append(Finding("formula-error", sheet=sheet, cell=f"{letter}{r + 1}", row=r + 1,
                                        column=written, value=err_at[(r, c)]))
    typed, bad = coerce_values(values, col, date1904, kinds)
    flagged = np.flatnonzero(bad)
    if len(flagged):
        params = _type_params(col.type)
        for p in flagged:
            r = int(rows[p])
            findings.append(Finding("type-error", sheet=sheet, cell=f"{letter}{r + 1}", row=r + 1,
                                    column=written, value=display(values[p]), params=dict(params)))
    return typed


def _coerce_info(raw: Any, ctype: ColType, date1904: bool) -> tuple[bool, Any]:
    """(failed, typed value) of one Info cell."""
    if type(raw) in _CACHEABLE:  # the same few Info values (a period, a year) recur in every workbook
        return _coerce_info_cached(ctype, date1904, type(raw), raw, repr(raw))
    return _coerce_info_cell(raw, ctype, date1904)


_CACHEABLE = frozenset({str, float, int, bool, type(None), dt.date, dt.datetime, dt.time, dt.timedelta})


@functools.lru_cache(maxsize=1024)
def _coerce_info_cached(ctype: ColType, date1904: bool, kind: type, raw: Any, text: str) -> tuple[bool, Any]:
    """``_coerce_info_cell`` memoised; the key holds the type and repr too, so 1, 1.0, True and -0.0 stay apart."""
    return _coerce_info_cell(raw, ctype, date1904)


def _coerce_info_cell(raw: Any, ctype: ColType, date1904: bool) -> tuple[bool, Any]:
    cell = np.empty(1, dtype=object)
    cell[0] = raw
    typed, bad = coerce_array(cell, pd.RangeIndex(1), Column("value", TYPE_LABELS[ctype], ctype), date1904)
    return bool(bad.iloc[0]), typed.iloc[0]


def _read_info(schema: WorkbookSchema, grid: np.ndarray, sheet: str, errors: dict[tuple[int, int], str],
               date1904: bool, findings: list[Finding]) -> dict[str, Any]:
    """Column A labels (either language) and their column B values, typed."""
    info: dict[str, Any] = {f.key: None for f in schema.info}
    if grid.shape[1] < 2:
        return info
    by_label = {normalize_header(t): f for f in schema.info for t in (*f.label.all(), f.key)}
    for r, raw in enumerate(grid[:, 0].tolist()):
        norm = _lookup_key(_header_text(raw))
        field = by_label.get(norm)
        if field is None or info[field.key] is not None:
            continue
        if (r, 1) in errors:
            findings.append(Finding("formula-error", sheet=sheet, cell=f"B{r + 1}", row=r + 1,
                                    column=field.label.en, value=errors[(r, 1)]))
            continue
        is_bad, value = _coerce_info(grid[r, 1], field.type, date1904)
        if is_bad:
            findings.append(Finding("type-error", sheet=sheet, cell=f"B{r + 1}", row=r + 1,
                                    column=display(grid[r, 0]), value=display(grid[r, 1]),
                                    params=_type_params(field.type)))
            continue
        if pd.isna(value):
            continue
        if field.type is ColType.MONTH:
            value = pd.Timestamp(value).strftime("%Y-%m")
        elif field.type is ColType.INTEGER:
            value = int(value)
        info[field.key] = value
    return info


def _read_workbook(checked: safety.CheckedFile, kind: str | None) -> WorkbookData:
    book = _open(checked)

    def load(wanted: list[str]) -> tuple[dict[str, np.ndarray], dict[str, dict[tuple[int, int], str]], bool]:
        parts, errors = xlsx_scan.scan_errors(str(checked.path), wanted)
        return {name: _as_grid(_grid(book, name)) for name in wanted}, errors, parts.date1904

    return _typed(checked.shown, _worksheet_names(book), kind, load)


#: What Excel shows in an error cell; live Excel (xlwings ``err_to_str``) hands these over as text.
ERROR_TEXTS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                         "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"})


def read_rows(names: list[str], rows_of: Any, shown: str, kind: str | None = None,
              date1904: bool = False) -> WorkbookData:
    """Typed tables of a workbook already in memory (live Excel): ``rows_of(name)`` gives a sheet's values
    from A1 as rows (None or '' for empty, error cells as their text '#N/A'). Same locating, coercion and
    findings as ``read_workbook``; only the sheets the schema needs are asked for."""
    if kind is not None and kind not in SCHEMAS:
        raise ValueError(f"kind must be one of {sorted(SCHEMAS)}, not {kind!r}")

    def load(wanted: list[str]) -> tuple[dict[str, np.ndarray], dict[str, dict[tuple[int, int], str]], bool]:
        grids, errors = {}, {}
        for name in wanted:
            rows = [list(r) for r in (rows_of(name) or [])]
            found = {(r, c): v.strip() for r, row in enumerate(rows) for c, v in enumerate(row)
                     if isinstance(v, str) and v.strip() in ERROR_TEXTS}
            for r, c in found:
                rows[r][c] = ""
            width = max((len(r) for r in rows), default=0)
            grids[name] = _as_grid([r + [""] * (width - len(r)) for r in rows])
            errors[name] = found
        return grids, errors, date1904

    return _typed(shown, list(names), kind, load)


def _typed(shown: str, names: list[str], kind: str | None, load: Any) -> WorkbookData:
    """The typed workbook from its sheet names and ``load(wanted) -> (grids, errors, date1904)``: a grid is a sheet's
    values from A1 as a 2-D object array."""
    index = _sheet_index(names)
    schema = kind if isinstance(kind, WorkbookSchema) else SCHEMAS[kind] if kind else _detect_kind(index, shown)
    sheets: dict[str, list[Table]] = {}
    missing: list[Table] = []
    for table in schema.tables:
        name = _find_sheet(index, table, table.key)
        if name is None:
            missing.append(table)
        else:
            sheets.setdefault(name, []).append(table)
    for table in missing:
        if table.required:
            raise ToolkitError("read.sheet-missing", file=shown, sheet=table.sheet.en, sheet_zh=table.sheet.zh)
    info_sheet = _find_sheet(index, schema.info_sheet)
    wanted = list(sheets) + ([info_sheet] if info_sheet else [])
    grids, errors, date1904 = load(wanted)

    located: dict[str, tuple[str, _Located]] = {}
    for name, tables in sheets.items():
        for key, loc in _locate(grids[name], tables).items():
            located[key] = (name, loc)
    lang = _language([loc for _, loc in located.values()])
    if not located:
        lang = "zh" if any(n == normalize_header(t.sheet.zh) for t in schema.tables for n in index) else "en"

    data = WorkbookData(path=shown, kind=schema.kind, lang=lang)
    for table in schema.tables:
        if table.key not in located:
            sheet = next((n for n, ts in sheets.items() if table in ts), None)
            req = [c for c in table.columns if c.required]
            if sheet is not None and table.required:
                _missing_columns(shown, sheet, req)
            data.tables[table.key] = _empty_frame(table)
            data.layout[table.key] = TableLayout(sheet or table.sheet(lang), 1)
            data.findings.append(Finding("sheet-missing-optional", sheet=sheet or table.sheet(lang)))
            continue
        sheet, loc = located[table.key]
        absent = [c for c in table.columns if c.key not in loc.columns]
        _missing_columns(shown, sheet, [c for c in absent if c.required])
        frame, layout, findings = _build(loc, grids[sheet], errors.get(sheet, {}), sheet, date1904)
        for col in absent:
            findings.insert(0, Finding("column-missing-optional", sheet=sheet, row=loc.header + 1,
                                       column=col.header(lang)))
        data.tables[table.key] = frame
        data.layout[table.key] = layout
        data.findings.extend(findings)
    if info_sheet is not None:
        data.info = _read_info(schema, grids[info_sheet], info_sheet, errors.get(info_sheet, {}),
                               date1904, data.findings)
    else:
        data.info = {f.key: None for f in schema.info}
        if schema.info:
            data.findings.append(Finding("sheet-missing-optional", sheet=schema.info_sheet(lang)))
    return data


def _missing_columns(shown: str, sheet: str, columns: list[Any]) -> None:
    if columns:
        raise ToolkitError(
            "read.column-missing",
            file=shown,
            sheet=sheet,
            columns=", ".join(f"'{c.label.en}'" for c in columns),
            columns_zh="、".join(f"“{c.label.zh}”" for c in columns),
        )


__all__ = ["read_workbook", "read_raw_sheets", "read_rows", "ERROR_TEXTS"]
