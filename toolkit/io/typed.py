"""The reader's coercion: a located table's cells as typed columns (``toolkit.io.coerce`` per cell, percent
points, hidden rows, hint rows) and the Info sheet's fields, with the findings they raise."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import field
from typing import Any

import numpy as np
import pandas as pd

from ..core.findings import Finding
from ..core.tables import TableLayout
from ..schema import SCHEMAS, ColType, Column, Table, WorkbookSchema, normalize_header
from ..schema.model import TYPE_LABELS
from . import tidy, xlsx_scan
from .coerce import _FIRST_DATE, _LAST_DATE, ArrayKinds, array_kinds, coerce, coerce_array, coerce_values, display
from .locate import _Located, _header_text, _lookup_key


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
    if ctype is ColType.MONTH and type(raw) is str:  # the period as people type it: 2026-10
        month = _iso_month(raw)
        if month is not None:
            return False, month
    if type(raw) in _CACHEABLE:  # the same few Info values (a period, a year) recur in every workbook
        return _coerce_info_cached(ctype, date1904, type(raw), raw, repr(raw))
    return _coerce_info_cell(raw, ctype, date1904)


_ISO_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)


def _iso_month(raw: str) -> pd.Timestamp | None:
    """The month of a text cell written ``YYYY-MM`` (a month 01-12 of a year the frames hold), as
    ``coerce_array`` types it (its first day, nanosecond unit), without pandas' per-call cost (~10 ms a cell, in
    every read: the read's child process never keeps ``_coerce_info_cached``); None for any other text (typed
    by ``coerce_array``)."""
    hit = _ISO_MONTH.fullmatch(unicodedata.normalize("NFKC", raw).strip())
    if hit is None or not 1 <= int(hit[2]) <= 12 or not _FIRST_DATE.year <= int(hit[1]) <= _LAST_DATE.year:
        return None
    return pd.Timestamp(int(hit[1]), int(hit[2]), 1).as_unit("ns")


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
