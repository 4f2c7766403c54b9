"""The reader's headers: which kind of workbook a file is, where each table's header row is and which column
is which key (English or Chinese, any order, one or two header rows, tables side by side)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.findings import Finding
from ..errors import ToolkitError
from ..schema import SCHEMAS, Table, WorkbookSchema, header_key, normalize_header
from . import tidy, xlsx_scan
from .headers import HeaderMatcher, row_texts
from .coerce import display
from .grid import _find_sheet


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
    # side by side (the Appraisal sheet), a header two tables share (Valid From) is each table's nearest one
    shared = {c.key for t in tables for c in t.columns
              if sum(c.key in {d.key for d in o.columns} for o in tables) > 1} if len(tables) > 1 else set()
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
            if key is None or (row, c) in claimed or (key in columns and key in shared):
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
