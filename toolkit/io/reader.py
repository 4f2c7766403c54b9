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
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from ..core.findings import Finding
from ..core.tables import TableLayout, WorkbookData
from ..errors import ToolkitError
from ..i18n import register
from ..schema import SCHEMAS, ColType, Column, Table, WorkbookSchema, header_key, normalize_header
from ..schema.model import TYPE_LABELS
from . import repair, safety, tidy, xlsx_scan, formula_engine
from .headers import HeaderMatcher, row_texts
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

HEADER_ROWS = 30  # the header row may be anywhere in the first 30 rows (issue 14; it was 10)


@dataclass
class _Located:
    """One table found on its sheet: header row (0-based) and column index -> key / extra header."""

    table: Table
    header: int  # the (last) header row; data start below it
    columns: dict[str, tuple[int, str]]  # key -> (column index, header as written)
    extra: dict[str, int]  # header as written -> column index
    scale: dict[str, float] = field(default_factory=dict)  # key -> factor of a (万元)/(千元) header
    two_rows: bool = False  # the header spans rows header-1 and header
    texts: list[str] = field(default_factory=list)  # the header row's texts as read (two rows joined)
    #: key -> the further columns whose header also names it (issue 22: ambiguous unless hidden and empty)
    dups: dict[str, list[tuple[int, str]]] = field(default_factory=dict)


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


_SUFFIXES = {"xlsx": (".xlsx", ".xlsm"), "xls": (".xls",), "xlsb": (".xlsb",), "ods": (".ods",)}


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


def _row_keys(matcher: HeaderMatcher, cands: list[tuple[str, ...]]) -> list[tuple[str | None, str, float]]:
    """(key, header as written, scale) per column of a header candidate row; the first candidate text that
    matches wins."""
    out = []
    for texts in cands:
        hit: tuple[str | None, str, float] = (None, texts[0] if texts else "", 1.0)
        for text in texts:
            key, scale = matcher.match(text)
            if key is not None:
                hit = (key, text, scale)
                break
        out.append(hit)
    return out


def _locate(grid: np.ndarray, tables: list[Table]) -> dict[str, _Located]:
    """Find each table's header (the row of the first 30, or the pair of adjacent rows read as one two-row
    header, with most of its headers) and its columns."""
    headers = [[_header_text(v) for v in row] for row in grid[:HEADER_ROWS]]
    single = [[(h,) if h else () for h in row] for row in headers]
    found: dict[str, _Located] = {}
    claimed: dict[tuple[int, int], str] = {}
    for table in tables:
        matcher = HeaderMatcher(table)
        best: tuple[int, int, bool, list[tuple[str | None, str, float]]] | None = None
        rows = [_row_keys(matcher, cands) for cands in single]
        counts = [len({k for k, _, _ in row if k is not None}) for row in rows]
        for r, row in enumerate(rows):
            if counts[r] and (best is None or counts[r] > best[0]):
                best = (counts[r], r, False, row)
        for r in range(len(headers) - 1):
            if not counts[r] and not counts[r + 1]:
                continue
            pair = _row_keys(matcher, row_texts(headers[r], headers[r + 1]))
            n = len({k for k, _, _ in pair if k is not None})
            if n > max(counts[r], counts[r + 1]) and (best is None or n > best[0]):
                best = (n, r + 1, True, pair)
        if best is None:
            continue
        _, row, two, keyed = best
        columns: dict[str, tuple[int, str]] = {}
        scale: dict[str, float] = {}
        dups: dict[str, list[tuple[int, str]]] = {}
        for c, (key, written, factor) in enumerate(keyed):
            if key is None or (row, c) in claimed:
                continue
            claimed[(row, c)] = table.key
            if key in columns:  # a second column with the same meaning: never "the first wins" silently
                dups.setdefault(key, []).append((c, written))
                continue
            columns[key] = (c, written)
            if factor != 1.0:
                scale[key] = factor
        texts = [t[0] if t else "" for t in (row_texts(headers[row - 1], headers[row]) if two else single[row])]
        found[table.key] = _Located(table, row, columns, {}, scale, two, texts, dups)
    # Extra columns: header cells on a table's header row no table claimed; nearest table gets them.
    for loc in found.values():
        for c, text in enumerate(loc.texts):
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
            norm = header_key(written)
            if norm.startswith(header_key(label.zh)) and label.zh != label.en:
                votes["zh"] += 1
            elif norm.startswith(header_key(label.en)):
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
    loc: _Located, sheet_grid: np.ndarray, errors: dict[tuple[int, int], str], sheet: str, date1904: bool,
    percent_of: Any = None, facts: xlsx_scan.SheetFacts | None = None,
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
    if len(keep) and _hint_row(loc, grid, kinds, int(keep[0])):  # 必填 / yyyy-mm-dd under the header
        r = int(keep[0]) + first
        findings.append(Finding("hint-row", sheet=sheet, cell=f"A{r + 1}", row=r + 1,
                                value=" | ".join(str(kinds[c].text[keep[0]]) for c in sorted(kinds)
                                                 if kinds[c].str[keep[0]])))
        keep = keep[1:]
    special = tidy.summary_rows(loc.table, {k: c for k, (c, _) in loc.columns.items()}, kinds, grid, keep)
    if special:
        for p, (code, c, text) in sorted(special.items()):
            r = int(keep[p]) + first
            findings.append(Finding(code, sheet=sheet, cell=f"{xlsx_scan.column_letter(c)}{r + 1}", row=r + 1,
                                    value=display(text)))
        keep = np.delete(keep, sorted(special))
    block = tidy.summary_block(loc.table, {k: c for k, (c, _) in loc.columns.items()}, kinds, keep)
    if block is not None:  # a summary table under the data: one error, not one per cell
        r0, r1 = int(keep[block]) + first, int(keep[-1]) + first
        findings.append(Finding("summary-table", sheet=sheet, cell=f"A{r0 + 1}", row=r0 + 1,
                                value=f"A{r0 + 1}:{xlsx_scan.column_letter(len(sheet_grid[0]) - 1)}{r1 + 1}"))
        keep = keep[:block]
    all_kept = len(keep) == len(grid)
    rows = keep + first  # 0-based sheet rows of the kept rows
    if facts is not None and (facts.hidden_rows or facts.hidden_cols):
        findings += _hidden(loc, grid, rows, kinds, facts, sheet)
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
                                       err_at, sheet, letter, written, findings,
                                       None if percent_of is None else functools.partial(percent_of, sheet))
        factor = loc.scale.get(col.key)
        if factor:
            data[col.key] = np.round(data[col.key] * factor, 6)
            findings.append(Finding("unit-scaled", sheet=sheet, cell=f"{letter}{loc.header + 1}",
                                    row=loc.header + 1, column=written, value=written,
                                    params={"factor": f"{factor:,.0f}"}))  # a unit factor: not money
    for written, c in loc.extra.items():
        letter = xlsx_scan.column_letter(c)
        layout.extra[written] = letter
        findings.append(Finding("extra-column", sheet=sheet, cell=f"{letter}{loc.header + 1}",
                                row=loc.header + 1, column=written, value=written))
        data[f"extra:{written}"] = _coerce_column(grid[:, c] if all_kept else grid[keep, c],
                                                  kinds[c] if all_kept else kinds[c].take(keep), rows, None,
                                                  date1904, c, err_at, sheet, letter, written, findings)
    data["_row"] = (rows + 1).astype("int64")
    if percent_of is not None:
        findings += _percent_money(loc, data, rows, sheet, functools.partial(percent_of, sheet))
    return pd.DataFrame(data, copy=False), layout, findings  # the arrays are new and this frame's alone


def _hint_row(loc: _Located, grid: np.ndarray, kinds: dict[int, ArrayKinds], p: int) -> bool:
    """The first row under the header holds only fill-in hints (必填, yyyy-mm-dd): at least two of them, nothing
    else."""
    cells = [kinds[c] for c, _ in loc.columns.values()]
    if any(not k.blank[p] and not k.str[p] for k in cells):
        return False
    texts = [k.text[p] for k in cells if k.str[p]]
    return len(texts) >= 2 and tidy.is_hint_row(texts)


def _hidden(loc: _Located, grid: np.ndarray, rows: np.ndarray, kinds: dict[int, ArrayKinds],
            facts: xlsx_scan.SheetFacts, sheet: str) -> list[Finding]:
    """Hidden rows holding data (voided receipts people hide): an error naming them, unless an AutoFilter hid
    them or they are on a standards sheet (then read, with an info); hidden columns holding data: read, one info
    naming them (issue 22)."""
    out: list[Finding] = []
    hidden = [int(r) for r in rows.tolist() if int(r) in facts.hidden_rows]
    if hidden:
        # a standards row hidden (a leaver on the Roster, an old policy line) still holds a person or a rule
        standards = loc.table.key in _STANDARDS_TABLES
        code = "filtered-rows" if facts.filtered else "hidden-rows-read" if standards else "hidden-rows"
        out.append(_trace(code, sheet, "A", "", hidden, str(hidden[0] + 1),
                          {"rows": ", ".join(str(r + 1) for r in hidden[:20]) + (" …" if len(hidden) > 20 else "")}))
    first = loc.header + 1
    cols = [(c, w) for c, w in loc.columns.values()] + [(c, w) for w, c in loc.extra.items()]
    shown = [(c, w) for c, w in sorted(cols) if c in facts.hidden_cols and not kinds[c].blank.all()]
    if shown:
        c0 = xlsx_scan.column_letter(shown[0][0])
        out.append(Finding("hidden-columns", sheet=sheet, cell=f"{c0}{first}", row=first, column=shown[0][1],
                           value=", ".join(f"{xlsx_scan.column_letter(c)} ({w})" for c, w in shown)))
    return out


def _percent_money(loc: _Located, data: dict[str, Any], rows: np.ndarray, sheet: str,
                   percent_of: Any) -> list[Finding]:
    """Money cells formatted as a percentage (Delivered kept as 100% / 35%): an error per column naming them, never
    read as 1 and 0.35. The formats are asked only for cells holding a fraction a percentage shows as at most 150%
    (an amount of 0.35 is implausible, so the usual file pays nothing)."""
    out: list[Finding] = []
    for col in loc.table.columns:
        if col.type is not ColType.MONEY or col.key not in loc.columns:
            continue
        values = np.asarray(data[col.key], dtype=np.float64)
        small = np.flatnonzero(np.isfinite(values) & (np.abs(values) <= 1.5) & (values != 0))
        if not len(small):
            continue
        c, written = loc.columns[col.key]
        shown = percent_of({(int(rows[p]), c) for p in small.tolist()})
        hit = sorted(int(rows[p]) for p in small.tolist() if (int(rows[p]), c) in shown)
        if hit:
            letter = xlsx_scan.column_letter(c)
            out.append(_trace("percent-money", sheet, letter, written, hit, f"{values[np.searchsorted(rows, hit[0])]:.0%}"))
    return out


def _cells(letter: str, rows: list[int]) -> list[str]:
    return [f"{letter}{r + 1}" for r in rows]


def _trace(code: str, sheet: str, letter: str, written: str, rows: list[int], value: str,
           params: dict[str, Any] | None = None) -> Finding:
    """One finding for a column's cells: the first cell, and how many more (``{more}``)."""
    cells = _cells(letter, rows)
    more = len(cells) - 1
    return Finding(code, sheet=sheet, cell=cells[0], row=rows[0] + 1, column=written, value=value,
                   params={"cells": cells, "count": len(cells), "more": f" (+{more})" if more else "",
                           "listed": ", ".join(cells[:20]) + (" …" if len(cells) > 20 else ""),
                           "more_zh": f"（另{more}处）" if more else "", **(params or {})})


_STANDARDS_TABLES = frozenset(t.key for t in SCHEMAS["standards"].tables)
_NUMERIC_TYPES = (ColType.NUMBER, ColType.MONEY, ColType.PERCENT, ColType.INTEGER)


def _coerce_column(
    values: np.ndarray, kinds: ArrayKinds | None, rows: np.ndarray, col: Any, date1904: bool,
    c: int, err_at: dict[tuple[int, int], str], sheet: str, letter: str, written: str, findings: list[Finding],
    percent_of: Any = None,
) -> Any:
    """One typed column (an array); what reading it found is appended to ``findings``: formula-error,
    formula-no-value, type-error, and the traces of the normalisations (id-normalized, numeric-date,
    percent-as-points) and their errors (percent-ambiguous)."""
    err_rows = sorted(r for (r, cc) in err_at if cc == c)
    if err_rows:
        at = np.searchsorted(rows, err_rows)
        hit = [(int(p), r) for p, r in zip(at, err_rows) if p < len(rows) and rows[p] == r]
        evaluated = [r for _, r in hit if err_at[(r, c)] == xlsx_scan.EVALUATED]
        if evaluated:
            findings.append(_trace("formula-evaluated", sheet, letter, written, evaluated, "="))
        hit = [(p, r) for p, r in hit if err_at[(r, c)] != xlsx_scan.EVALUATED]
        if hit:
            values = values.copy()
            values[[p for p, _ in hit]] = ""
            kinds = None
            no_value = [r for _, r in hit if err_at[(r, c)] == xlsx_scan.NO_VALUE]
            free = col is None or col.key in tidy.FREE_TEXT  # #N/A in a Description changes no figure
            for _, r in hit:
                if err_at[(r, c)] != xlsx_scan.NO_VALUE:
                    findings.append(Finding("formula-error-text" if free else "formula-error", sheet=sheet,
                                            cell=f"{letter}{r + 1}", row=r + 1, column=written, value=err_at[(r, c)]))
            if no_value:
                findings.append(_trace("formula-no-value", sheet, letter, written, no_value, "="))
    if col is not None and (col.type in (ColType.DATE, ColType.MONTH) or tidy.is_id_column(col)):
        if kinds is None:
            kinds = array_kinds(values)
        if col.type is ColType.TEXT:
            values, kinds, changed = tidy.normalize_ids(values, kinds)
            code = "id-normalized"
        else:
            before = values
            values, changed = tidy.numeric_dates(values, kinds, col.type is ColType.MONTH)
            code = "numeric-date"
            if changed:
                kinds = array_kinds(values)
        if changed:
            shown = display((before if code == "numeric-date" else values)[changed[0]])
            findings.append(_trace(code, sheet, letter, written, [int(rows[p]) for p in changed], shown,
                                   {"read_as": display(values[changed[0]])}))
    if col is not None and col.type in _NUMERIC_TYPES and kinds is not None and kinds.str.any():
        before = values
        values, kinds, commas, unclear = tidy.decimal_commas(values, kinds)
        if commas:
            findings.append(_trace("decimal-comma", sheet, letter, written, [int(rows[p]) for p in commas],
                                   display(before[commas[0]]), {"read_as": display(values[commas[0]])}))
        for p in unclear:
            r = int(rows[p])
            findings.append(Finding("decimal-comma-ambiguous", sheet=sheet, cell=f"{letter}{r + 1}", row=r + 1,
                                    column=written, value=display(before[p])))
        if col.type is ColType.MONEY:  # "35%" typed in a money column is not 0.35 of a currency
            typed_pct = [p for p in np.flatnonzero(kinds.str).tolist() if kinds.text[p].endswith(("%", "％"))]
            if typed_pct:
                findings.append(_trace("percent-money", sheet, letter, written, [int(rows[p]) for p in typed_pct],
                                       display(values[typed_pct[0]])))
    typed, bad = coerce_values(values, col, date1904, kinds)
    flagged = np.flatnonzero(bad)
    if len(flagged):
        params = _type_params(col.type)
        for p in flagged:
            r = int(rows[p])
            findings.append(Finding("type-error", sheet=sheet, cell=f"{letter}{r + 1}", row=r + 1,
                                    column=written, value=display(values[p]), params=dict(params)))
    if col is not None and col.fraction_range is not None and len(typed):
        formatted = None
        if percent_of is not None:  # which cells show as a percentage: asked only when points are in question
            def formatted(positions: list[int]) -> set[int]:
                shown = percent_of({(int(rows[p]), c) for p in positions})
                return {p for p in positions if (int(rows[p]), c) in shown}
        typed, points, ambiguous = tidy.percent_points(values, kinds if kinds is not None else array_kinds(values),
                                                       typed, col, formatted)
        if points:
            findings.append(_trace("percent-as-points", sheet, letter, written, [int(rows[p]) for p in points],
                                   display(values[points[0]])))
        for p in ambiguous:
            r = int(rows[p])
            findings.append(Finding("percent-ambiguous", sheet=sheet, cell=f"{letter}{r + 1}", row=r + 1,
                                    column=written, value=display(values[p])))
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
               date1904: bool, findings: list[Finding], cells: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """Column A labels (either language) and their column B values, typed; ``cells`` gets each value's cell."""
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
        cells[field.key] = (sheet, f"B{r + 1}")
    return info


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


def _points_thresholds(frame: pd.DataFrame, layout: TableLayout) -> list[Finding]:
    """Thresholds given in percentage points (Amber Band, Budget Warning) typed as a percentage ("10%", a cell
    formatted 10%) or as the fraction 0.1: read as the points meant (10), with an info (issue 22). A threshold in
    points below 1 point means nothing in practice, so any value strictly between -1 and 1 is such a fraction."""
    if not len(frame) or "value" not in frame or "name" not in frame:
        return []
    value = frame["value"].to_numpy(dtype=np.float64, copy=True)
    names = frame["name"].astype(object).tolist()
    hit = [i for i, n in enumerate(names) if n in tidy.POINTS_THRESHOLDS and np.isfinite(value[i])
           and value[i] != 0 and abs(value[i]) < 1]
    if not hit:
        return []
    out = []
    letter, written = layout.columns.get("value", ("B", "Value"))
    for i in hit:
        r = int(frame["_row"].iloc[i])
        shown = f"{value[i]:g}"
        value[i] = round(value[i] * 100, 10)
        out.append(Finding("threshold-as-points", sheet=layout.sheet, cell=f"{letter}{r}", row=r, column=written,
                           value=shown, params={"read_as": f"{value[i]:g}", "name": names[i]}))
    frame["value"] = value
    return out


def _ambiguous(loc: _Located, grid: np.ndarray, facts: xlsx_scan.SheetFacts | None, sheet: str) -> list[Finding]:
    """Two columns whose headers both name one schema column (a stale hidden Amount next to the real one, 合同金额
    (不含税) next to 合同金额(含税)): one error naming both, unless all but one are hidden and empty (issue 22). The
    first column stays the one read; the error stops the file."""
    out: list[Finding] = []
    for key, others in loc.dups.items():
        cands = [loc.columns[key], *others]
        hidden = facts.hidden_cols if facts is not None else set()
        empty = {c for c, _ in cands if all(v in ("", None) or (isinstance(v, float) and v != v)
                                             for v in grid[loc.header + 1:, c].tolist())}
        live = [(c, w) for c, w in cands if not (c in hidden and c in empty)]
        if len(live) == 1:
            loc.columns[key] = live[0]
            continue
        live = live or cands
        cells = [f"{xlsx_scan.column_letter(c)}{loc.header + 1}" for c, _ in live]
        out.append(Finding("ambiguous-column", sheet=sheet, cell=cells[0], row=loc.header + 1, column=live[0][1],
                           value=live[0][1], params={
                               "others": ", ".join(f"{w!r} ({cell})" for (_, w), cell in zip(live[1:], cells[1:])),
                               "others_zh": "、".join(f"“{w}”（{cell}）" for (_, w), cell in zip(live[1:], cells[1:])),
                               "target": loc.table.column(key).header("en"),
                               "target_zh": loc.table.column(key).header("zh")}))
        loc.columns[key] = live[0]
    return out


def _fill_merged(located: dict[str, tuple[str, _Located]], grids: dict[str, np.ndarray],
                 merges_of: Any) -> list[Finding]:
    """Merged cells inside a table's data rows filled down, as Excel shows them; one info finding per range."""
    out: list[Finding] = []
    by_sheet: dict[str, list[_Located]] = {}
    for sheet, loc in located.values():
        by_sheet.setdefault(sheet, []).append(loc)
    for sheet, locs in by_sheet.items():
        merges = merges_of(sheet)
        if not merges:
            continue
        for loc in locs:
            columns = {c for c, _ in loc.columns.values()}
            for r0, r1, c, value in tidy.fill_merged(grids[sheet], merges, loc.header + 1, columns):
                letter = xlsx_scan.column_letter(c)
                out.append(Finding("merged-filled", sheet=sheet, cell=f"{letter}{r0 + 1}:{letter}{r1 + 1}",
                                   row=r0 + 1, value=display(value), params={"rows": r1 - r0 + 1}))
    return out


def _stray_tables(schema: WorkbookSchema, others: list[str], grids: dict[str, np.ndarray],
                  lang: str) -> list[Finding]:
    """Sheets that are not the schema's but carry a data sheet's header over data rows (October continued on
    its own sheet): never ignored silently, an error naming the sheet and where its rows belong."""
    out: list[Finding] = []
    for name in others:
        grid = grids.get(name)
        if grid is None or not grid.size:
            continue
        best: _Located | None = None
        for table in schema.tables:  # each table on its own: tables share headers (Contract No, Amount)
            loc = _locate(grid, [table]).get(table.key)
            if loc is None or len(loc.columns) < 2:
                continue
            if not all(c.key in loc.columns for c in table.columns if c.required):
                continue
            if best is None or len(loc.columns) > len(best.columns):
                best = loc
        if best is None:
            continue
        positions = [c for c, _ in best.columns.values()]
        below = grid[best.header + 1:, positions]
        if not any(v not in ("", None) and not (isinstance(v, float) and v != v) for v in below.ravel().tolist()):
            continue
        table = best.table
        out.append(Finding("extra-sheet-data", sheet=name, cell=f"A{best.header + 1}", row=best.header + 1,
                           value=name, params={"target": table.sheet(lang), "target_en": table.sheet.en,
                                               "target_zh": table.sheet.zh}))
    return out


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
