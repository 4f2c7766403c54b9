"""Read a department or standards workbook into typed tables (docs/architecture.md, "Typed tables").

Values come from python-calamine (fast, Rust); error cells, which it returns as blanks, come from
``xlsx_scan``; every file passes ``safety`` first (pre-checks, then an isolated parse). Tables are
found by their headers, so headers may be English or Chinese, in any order, on any of the first 10
rows, as an Excel table or a plain range, and several tables may share a sheet side by side.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..core.findings import Finding
from ..core.tables import TableLayout, WorkbookData
from ..errors import ToolkitError
from ..i18n import register
from ..schema import SCHEMAS, Table, WorkbookSchema, normalize_header
from . import grid, repair, safety, xlsx_scan, formula_engine
from .locate import _Located, _ambiguous, _detect_kind, _fill_merged, _language, _locate, _missing_columns, _stray_tables
from .grid import _as_grid, _find_sheet, _grid, _open, _read_raw, _sheet_index, _worksheet_names
from .typed import _build, _empty_frame, _points_thresholds, _read_info


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


def read_workbook(path: str | os.PathLike[str], kind: str | WorkbookSchema | None = None) -> WorkbookData:
    """Typed tables of a department or standards workbook; ``kind`` None detects it from the sheet names.

    Raises ``ToolkitError`` naming the file when it cannot be read or lacks a required sheet or column.
    """
    if isinstance(kind, str) and kind not in SCHEMAS:  # a WorkbookSchema reads a workbook of that schema
        raise ValueError(f"kind must be one of {sorted(SCHEMAS)}, not {kind!r}")
    return safety.read_safely(path, _read_workbook, kind, memo=_memo())


def read_raw_sheets(path: str | os.PathLike[str]) -> dict[str, list[list[Any]]]:
    """Every worksheet's values from A1 as rows of Python values; error cells hold their text ('#N/A').

    The generic, schema-free read (same safety gate as ``read_workbook``), for tools and robustness tests.
    """
    return safety.read_safely(path, _read_raw, memo=_memo())


def _memo() -> tuple[Any, ...]:
    """What a read depends on besides the file's bytes and the safety limits (``safety.read_safely``'s memo): the
    formula engine's work bounds and whether the grid takes pandas' private fast conversion."""
    return (formula_engine.MAX_FORMULAS, formula_engine.MAX_STEPS, grid._to_object_array is not None)


def _read_workbook(checked: safety.CheckedFile, kind: str | None) -> WorkbookData:
    book = _open(checked)

    def load(wanted: list[str]) -> tuple[dict[str, np.ndarray], dict[str, dict[tuple[int, int], str]], bool, Any]:
        rows = {name: _grid(book, name, checked.shown, merges) for name in wanted}
        facts: dict[str, xlsx_scan.SheetFacts] = {}
        if checked.format == "xlsx":
            parts, errors = xlsx_scan.scan_errors(str(checked.path), wanted)
            date1904, facts = parts.date1904, parts.facts
            limited.extend(_evaluate_missing(checked.path, checked.shown, rows, errors))
        else:  # python-calamine applies the date system to date cells itself; it shows no error cells here
            errors, date1904 = {}, False
        percent_of = (lambda sheet, cells: xlsx_scan.percent_cells(str(checked.path), sheet, cells)) \
            if checked.format == "xlsx" else None
        return {name: _as_grid(r) for name, r in rows.items()}, errors, date1904, percent_of, facts.get

    merges: dict[str, list[Any]] = {}
    limited: list[Finding] = []
    data = _typed(checked.shown, _worksheet_names(book), kind, load, lambda name: merges.get(name, []))
    notes = [Finding("file-repaired", params={"what": repair.REPAIRS[k][0], "what_zh": repair.REPAIRS[k][1]})
             for k in checked.repairs] + limited
    if checked.format != "xlsx":
        notes.append(Finding("format-limited", value=checked.path.suffix.lower() or checked.format,
                             params={"format": checked.format}))
    data.findings[:0] = notes
    return data


def _evaluate_missing(path: Any, shown: str, rows: dict[str, list[list[Any]]],
                      errors: dict[str, dict[tuple[int, int], str]]) -> list[Finding]:
    """Formulas saved without values: computed by ``formula_engine`` where it can (their cells become
    ``xlsx_scan.EVALUATED`` and hold the value), the others stay ``NO_VALUE`` for the error. Returns the
    ``formula-limit`` finding when one of the engine's work bounds left cells uncomputed."""
    missing = {name: [rc for rc, v in found.items() if v == xlsx_scan.NO_VALUE] for name, found in errors.items()}
    missing = {name: cells for name, cells in missing.items() if cells}
    if not missing:
        return []

    texts = xlsx_scan.formula_texts(str(path), list(missing))
    texts = {name: {rc: t for rc, t in found.items() if rc in set(missing.get(name, ()))} for name, found in texts.items()}
    result = formula_engine.evaluate(texts, rows)
    for name, values in result.values.items():
        grid = rows[name]
        width = max((len(r) for r in grid), default=0)
        for (r, c), value in values.items():
            while len(grid) <= r:
                grid.append([""] * width)
            if len(grid[r]) <= c:
                for row in grid:
                    row.extend([""] * (c + 1 - len(row)))
                width = c + 1
            grid[r][c] = value
            errors[name][(r, c)] = xlsx_scan.EVALUATED
    if result.limit is None:
        return []
    bound = formula_engine.MAX_FORMULAS if result.limit == "formulas" else formula_engine.MAX_STEPS
    return [Finding("formula-limit", value=str(result.left), params={
        "file": shown, "count": result.left, "limit": f"{bound:,}", "what": _LIMITS[result.limit][0],
        "what_zh": _LIMITS[result.limit][1]})]


#: The formula engine's work bounds, as the ``formula-limit`` finding names them (English, Chinese).
_LIMITS = {"formulas": ("formulas saved without values", "个未保存结果的公式"),
           "steps": ("steps (one per attempt at a formula and one per cell it is fed)",
                     "步（每计算一次公式计一步，公式引用的每个单元格再各计一步）")}


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


def _typed(shown: str, names: list[str], kind: str | None, load: Any, merges_of: Any = None) -> WorkbookData:
    """The typed workbook from its sheet names and ``load(wanted) -> (grids, errors, date1904[, percent_of])``: a
    grid is a sheet's values from A1 as a 2-D object array; ``percent_of(sheet, cells)`` tells which cells are
    formatted as a percentage (None: unknown); ``merges_of(name)`` gives a sheet's merged ranges (None: none)."""
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
    skip = {normalize_header(t) for t in schema.instructions_sheet.all()} | {"_lists"}
    others = [n for n in names if n not in sheets and n != info_sheet and normalize_header(n) not in skip]
    wanted = list(sheets) + ([info_sheet] if info_sheet else []) + others
    loaded = load(wanted)
    grids, errors, date1904 = loaded[:3]
    percent_of = loaded[3] if len(loaded) > 3 else None
    facts_of = loaded[4] if len(loaded) > 4 else (lambda name: None)

    located: dict[str, tuple[str, _Located]] = {}
    for name, tables in sheets.items():
        for key, loc in _locate(grids[name], tables).items():
            located[key] = (name, loc)
    lang = _language([loc for _, loc in located.values()])
    if not located:
        lang = "zh" if any(n == normalize_header(t.sheet.zh) for t in schema.tables for n in index) else "en"

    data = WorkbookData(path=shown, kind=schema.kind, lang=lang)
    filled = _fill_merged(located, grids, merges_of) if merges_of is not None else []
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
        ambiguous = _ambiguous(loc, grids[sheet], facts_of(sheet), sheet)
        frame, layout, findings = _build(loc, grids[sheet], errors.get(sheet, {}), sheet, date1904, percent_of,
                                         facts_of(sheet))
        for f in ambiguous:  # nobody knows which column holds the values: none is read, one error says so
            key = next(k for k, (c, _) in loc.columns.items() if f.cell == f"{xlsx_scan.column_letter(c)}{loc.header + 1}")
            frame[key] = _empty_frame(table)[key].reindex(frame.index)
            f.params["cells"] = [f.cell, *(f"{f.cell.rstrip('0123456789')}{r}" for r in frame["_row"].tolist())]
        findings[:0] = ambiguous
        if table.key == "Thresholds":
            findings += _points_thresholds(frame, layout)
        for col in absent:
            if col.missing_stops:
                findings.insert(0, Finding("column-missing-stops", sheet=sheet, row=loc.header + 1,
                                           column=col.header(lang),
                                           params={"needed": col.needed_for.en if col.needed_for else "",
                                                   "needed_zh": col.needed_for.zh if col.needed_for else ""}))
            elif col.quiet:
                findings.append(Finding("column-missing-quiet", sheet=sheet, row=loc.header + 1,
                                        column=col.header(lang)))
            elif col.needed_for is not None:
                findings.insert(0, Finding("column-missing-needed", sheet=sheet, row=loc.header + 1,
                                           column=col.header(lang),
                                           params={"needed": col.needed_for.en, "needed_zh": col.needed_for.zh}))
            else:
                findings.insert(0, Finding("column-missing-optional", sheet=sheet, row=loc.header + 1,
                                           column=col.header(lang)))
        layout.missing = [c.key for c in absent]
        if layout.missing:  # only then: pandas deep-copies a non-empty attrs at every operation on the frame
            frame.attrs["missing_columns"] = tuple(layout.missing)
        data.tables[table.key] = frame
        data.layout[table.key] = layout
        data.findings.extend(findings)
    data.findings.extend(filled)
    data.findings.extend(_stray_tables(schema, others, grids, lang))
    if info_sheet is not None:
        data.info = _read_info(schema, grids[info_sheet], info_sheet, errors.get(info_sheet, {}),
                               date1904, data.findings, data.info_cells)
    else:
        data.info = {f.key: None for f in schema.info}
        if schema.info:
            data.findings.append(Finding("sheet-missing-optional", sheet=schema.info_sheet(lang)))
    return data


__all__ = ["read_workbook", "read_raw_sheets", "read_rows", "ERROR_TEXTS"]
