"""Cheap looks inside an .xlsx zip: sheet parts, the date system, sizes, and the error cells.

The fast reader (python-calamine) returns error cells (``#N/A``, ``#DIV/0!`` …) as ``''``, the
same as an empty cell; a validator must report them, so this module finds ``t="e"`` cells in
the sheet XML itself. It also reads the few header fields the safety pre-checks need
(``<dimension>``, sharedStrings counts) without parsing whole parts.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from defusedxml import ElementTree as SafeET

_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CELL_REF = re.compile(rb"^\$?([A-Z]{1,3})\$?([0-9]{1,7})$")
_ERROR_CELL = re.compile(
    rb"<(?:[\w.-]+:)?c\s([^>]*?\bt\s*=\s*[\"']e[\"'][^>]*?)(?<!/)>(.*?)</(?:[\w.-]+:)?c>", re.S
)
_ANY_ERROR = re.compile(rb"\st\s*=\s*[\"']e[\"']")
_QUOTED_E = (b'"e', b"'e")  # every match of _ANY_ERROR contains one
_DOUBLE_QUOTED_E = re.compile(rb'"e"')  # sre's literal search beats ``in`` here: '"' is every 12th byte of a sheet
_ATTR_R = re.compile(rb"\br\s*=\s*[\"']([^\"']+)[\"']")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]*)</(?:[\w.-]+:)?v>")
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\s[^>]*?ref\s*=\s*[\"']([^\"']+)[\"']")
_SST_COUNT = re.compile(rb"\b(count|uniqueCount)\s*=\s*[\"'](\d+)[\"']")
_SHEET_DATA = re.compile(rb"<(?:[\w.-]+:)?sheetData[\s>/]")


@dataclass
class WorkbookParts:
    """Where things are inside the zip: sheet name -> part name, and the workbook's date system."""

    sheets: dict[str, str] = field(default_factory=dict)
    date1904: bool = False
    shared_strings: str | None = None
    #: What the values do not show, per sheet scanned by ``scan_errors`` (issue 22): hidden rows and columns.
    facts: dict[str, SheetFacts] = field(default_factory=dict)


@dataclass
class SheetFacts:
    """Hidden rows and columns of one sheet (0-based), and whether an AutoFilter with criteria hides rows."""

    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)
    filtered: bool = False


_HIDDEN = re.compile(rb"hidden\s*=\s*[\"'](?:1|true)[\"']")
_HIDDEN_ROW = re.compile(rb"<(?:[\w.-]+:)?row\s([^>]*?\bhidden\s*=\s*[\"'](?:1|true)[\"'][^>]*)>")
_HIDDEN_COL = re.compile(rb"<(?:[\w.-]+:)?col\s([^>]*?\bhidden\s*=\s*[\"'](?:1|true)[\"'][^>]*)>")
_ATTR_MIN_MAX = re.compile(rb"\b(min|max)\s*=\s*[\"'](\d+)[\"']")
_FILTER_COLUMN = re.compile(rb"<(?:[\w.-]+:)?filterColumn[\s>]")


def sheet_facts(data: bytes) -> SheetFacts:
    """Hidden rows and columns of a sheet part (one C-speed screen when none is hidden, the usual sheet)."""
    facts = SheetFacts()
    if not _HIDDEN.search(data):
        return facts
    for m in _HIDDEN_ROW.finditer(data):
        ref = _ATTR_R.search(m.group(1))
        if ref and ref.group(1).isdigit():
            facts.hidden_rows.add(int(ref.group(1)) - 1)
    for m in _HIDDEN_COL.finditer(data):
        bounds = {k: int(v) for k, v in _ATTR_MIN_MAX.findall(m.group(1))}
        if b"min" in bounds:
            lo = bounds[b"min"]
            facts.hidden_cols.update(range(lo - 1, min(bounds.get(b"max", lo), lo + 16384)))
    facts.filtered = bool(facts.hidden_rows) and _FILTER_COLUMN.search(data) is not None
    return facts


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def find_member(zf: zipfile.ZipFile, name: str) -> str | None:
    """The zip member called ``name``, ignoring case and a leading slash (as Excel does)."""
    name = name.lstrip("/")
    names = zf.namelist()
    if name in names:
        return name
    folded = name.casefold()
    for candidate in names:
        if candidate.lstrip("/").casefold() == folded:
            return candidate
    return None


def _resolve(base_dir: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base_dir, target)).lstrip("./") if base_dir else posixpath.normpath(target)


def workbook_member(zf: zipfile.ZipFile) -> str | None:
    """The workbook part: the package's officeDocument relationship, else xl/workbook.xml."""
    rels = find_member(zf, "_rels/.rels")
    if rels is not None:
        for rel in SafeET.fromstring(zf.read(rels)):
            if rel.get("Type", "").endswith("/officeDocument") and rel.get("Target"):
                found = find_member(zf, _resolve("", rel.get("Target", "")))
                if found is not None:
                    return found
    return find_member(zf, "xl/workbook.xml")


def workbook_parts(zf: zipfile.ZipFile) -> WorkbookParts:
    """Sheet parts and date system from the workbook part and its relationships (defusedxml-parsed)."""
    parts = WorkbookParts()
    book = workbook_member(zf)
    if book is None:
        return parts
    root = SafeET.fromstring(zf.read(book))
    rels_name = find_member(zf, posixpath.join(posixpath.dirname(book), "_rels", "workbook.xml.rels"))
    targets: dict[str, tuple[str, str]] = {}
    if rels_name is not None:
        for rel in SafeET.fromstring(zf.read(rels_name)):
            rid, target = rel.get("Id"), rel.get("Target")
            if rid and target:
                targets[rid] = (rel.get("Type", ""), _resolve(posixpath.dirname(book), target))
    for el in root.iter():
        tag = _local(el.tag)
        if tag == "workbookPr":
            parts.date1904 = el.get("date1904", "0").strip().lower() in ("1", "true")
        elif tag == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            name = el.get("name")
            if name is not None and rid in targets:
                member = find_member(zf, targets[rid][1])
                if member is not None:
                    parts.sheets[name] = member
    for rel_type, target in targets.values():
        if rel_type.endswith("/sharedStrings"):
            parts.shared_strings = find_member(zf, target)
    return parts


def head(zf: zipfile.ZipFile, member: str, limit: int = 65536) -> bytes:
    """The first ``limit`` decompressed bytes of a member, without inflating the rest."""
    with zf.open(member) as fh:
        return fh.read(limit)


_HEAD_LIMIT = 65536
_HEAD_STEP = 4096


def _head_until_sheet_data(zf: zipfile.ZipFile, member: str) -> tuple[bytes, re.Match[bytes] | None]:
    """The part's first 64 KiB as ``dimension`` searches them, read in steps until <sheetData> shows (usually in
    the first step): the first match in a prefix is the first match in the whole, since a match holds no '<'
    after its first byte."""
    data = b""
    with zf.open(member) as fh:
        while len(data) < _HEAD_LIMIT:
            chunk = fh.read(min(_HEAD_STEP, _HEAD_LIMIT - len(data)))
            if not chunk:
                break
            data += chunk
            cut = _SHEET_DATA.search(data)
            if cut:
                return data, cut
    return data, None


def dimension(zf: zipfile.ZipFile, member: str) -> tuple[int, int] | None:
    """(rows, columns) declared by the sheet's ``<dimension ref>``, or None when absent."""
    if zf.getinfo(member).file_size <= _HEAD_LIMIT:  # read whole, as before (and CRC-checked)
        data = head(zf, member, _HEAD_LIMIT)
        cut = _SHEET_DATA.search(data)
    else:
        data, cut = _head_until_sheet_data(zf, member)
    match = _DIMENSION.search(data[: cut.start()] if cut else data)
    if not match:
        return None
    refs = match.group(1).split(b":")
    cells = [_CELL_REF.match(r.strip().upper()) for r in refs]
    if not all(cells):
        return None
    rows = [int(c.group(2)) for c in cells if c]
    cols = [column_index(c.group(1).decode()) + 1 for c in cells if c]
    return (max(rows) - min(rows) + 1, max(cols) - min(cols) + 1)


def shared_string_counts(zf: zipfile.ZipFile, member: str) -> dict[str, int]:
    """The ``count`` and ``uniqueCount`` attributes of the sharedStrings root (those present)."""
    data = head(zf, member, 4096)
    start = data.find(b"sst")
    end = data.find(b">", start) if start >= 0 else -1
    return {k.decode(): int(v) for k, v in _SST_COUNT.findall(data[start:end] if end > 0 else b"")}


def column_index(letters: str) -> int:
    """'A' -> 0, 'Z' -> 25, 'AA' -> 26."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def column_letter(index: int) -> str:
    """0 -> 'A', 26 -> 'AA'."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _may_hold_error(data: bytes) -> bool:
    """False when ``data`` surely holds no match of ``_ANY_ERROR``: plain substring tests are far faster than
    the regex scan, and most sheets have no error cell at all. Every match holds a quote, "e", a quote; with
    no apostrophe in the part only '"e"' can occur (one search; ``in`` for a single byte is a memchr)."""
    if b"'" not in data:
        return _DOUBLE_QUOTED_E.search(data) is not None
    return any(q in data for q in _QUOTED_E)


#: The marker ``error_cells`` puts on a formula saved without its value (files written by scripts, never opened
#: in Excel): every fast reader returns such a cell as empty.
NO_VALUE = "=?"
#: The reader's marker for such a cell once ``formula_engine`` computed it (the grid then holds the value).
EVALUATED = "=!"
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")
_FORMULA_SCREEN = re.compile(rb"f[\s>/]")
_FORMULA_TEXT = re.compile(rb"<(?:[\w.-]+:)?f(?:\s[^>]*)?>([^<]*)</(?:[\w.-]+:)?f>")
_CELL_OPEN = re.compile(rb"<(?:[\w.-]+:)?c\s([^>]*?)(?<!/)>")
_CELL_CLOSE = re.compile(rb"</(?:[\w.-]+:)?c>")
_STR_TYPE = re.compile(rb"\bt\s*=\s*[\"']str[\"']")


def _empty_formulas(data: bytes) -> dict[tuple[int, int], str | None]:
    """Cells holding a formula and no cached value: (row, column) 0-based -> the formula's text (None for a shared
    formula's follower, written without it). A ``t="str"`` cell with an empty value is a formula whose result is
    the empty string (Excel writes those), not a missing one."""
    out: dict[tuple[int, int], str | None] = {}
    if _FORMULA_SCREEN.search(data) is None:  # one pass (sre scans for the rare "f"): most sheets have no formula
        return out
    for m in _FORMULA.finditer(data):
        start = data.rfind(b"<", 0, m.start())
        opening = None
        while start >= 0:
            opening = _CELL_OPEN.match(data, start)
            if opening is not None:
                break
            start = data.rfind(b"<", 0, start)
            if m.start() - start > 4096:
                start = -1
        if opening is None:
            continue
        close = _CELL_CLOSE.search(data, m.end())
        if close is None:
            continue
        inner = data[opening.end():close.start()]
        value = _VALUE.search(inner)
        if value is not None and value.group(1).strip():
            continue
        if value is not None and _STR_TYPE.search(opening.group(1)):
            continue
        ref = _ATTR_R.search(opening.group(1))
        cell = _CELL_REF.match(ref.group(1).upper()) if ref else None
        if cell:
            text = _FORMULA_TEXT.search(inner)
            out[(int(cell.group(2)) - 1, column_index(cell.group(1).decode()))] = (
                html.unescape(text.group(1).decode("utf-8", "replace")) if text and text.group(1).strip() else None)
    return out


def formulas_without_value(data: bytes) -> dict[tuple[int, int], str]:
    """Cells holding a formula and no cached value: (row, column) 0-based -> ``NO_VALUE``."""
    return dict.fromkeys(_empty_formulas(data), NO_VALUE)


def formula_texts(path: str, sheets: list[str]) -> dict[str, dict[tuple[int, int], str | None]]:
    """The text of every formula saved without a value on ``sheets``, by sheet and 0-based (row, column)."""
    with zipfile.ZipFile(path) as zf:
        parts = workbook_parts(zf)
        return {name: _empty_formulas(zf.read(parts.sheets[name])) for name in sheets if name in parts.sheets}


def error_cells(zf: zipfile.ZipFile, member: str, facts: dict[str, SheetFacts] | None = None,
                name: str = "") -> dict[tuple[int, int], str]:
    """Error cells of one sheet part: (row, column) 0-based -> the error text ('#N/A', …); formulas saved
    without a value -> ``NO_VALUE``. ``facts`` (when given) gets the sheet's ``SheetFacts`` under ``name``."""
    data = zf.read(member)
    if facts is not None:
        facts[name] = sheet_facts(data)
    missing = formulas_without_value(data)
    if not _may_hold_error(data) or not _ANY_ERROR.search(data):
        return missing
    out: dict[tuple[int, int], str] = missing
    for attrs, inner in _ERROR_CELL.findall(data):
        ref = _ATTR_R.search(attrs)
        cell = _CELL_REF.match(ref.group(1).upper()) if ref else None
        if not cell:
            continue
        value = _VALUE.search(inner)
        text = value.group(1).decode("utf-8", "replace") if value else "#VALUE!"
        out[(int(cell.group(2)) - 1, column_index(cell.group(1).decode()))] = text
    return out


def scan_errors(path: str, sheets: list[str] | None = None) -> tuple[WorkbookParts, dict[str, dict[tuple[int, int], str]]]:
    """Workbook parts plus the error cells of ``sheets`` (all when None), keyed by sheet name."""
    with zipfile.ZipFile(path) as zf:
        parts = workbook_parts(zf)
        wanted = parts.sheets if sheets is None else {s: parts.sheets[s] for s in sheets if s in parts.sheets}
        errors: dict[str, dict[tuple[int, int], str]] = {}
        for name, member in wanted.items():
            try:
                errors[name] = error_cells(zf, member, parts.facts, name)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
                errors[name] = {}
        return parts, errors


_PERCENT_BUILTIN = frozenset({9, 10})  # 0% and 0.00%
_QUOTED = re.compile(r'"[^"]*"|\\.')
_CELL_STYLE = re.compile(rb"<(?:[\w.-]+:)?c\s[^>]*?\br\s*=\s*[\"']([A-Z]{1,3})([0-9]{1,7})[\"'][^>]*?>|"
                         rb"<(?:[\w.-]+:)?c\s[^>]*?/>")
_STYLE_ATTR = re.compile(rb"\bs\s*=\s*[\"'](\d+)[\"']")


def percent_styles(zf: zipfile.ZipFile) -> set[int]:
    """Indices of the cell formats (``cellXfs``) that show a number as a percentage (built-in 0% / 0.00%, or a
    custom format with an unquoted %)."""
    styles = find_member(zf, "xl/styles.xml")
    if styles is None:
        return set()
    root = SafeET.fromstring(zf.read(styles))
    custom = {int(el.get("numFmtId", "-1")): el.get("formatCode", "") for el in root.iter() if _local(el.tag) == "numFmt"}
    percent = set(_PERCENT_BUILTIN) | {i for i, code in custom.items() if "%" in _QUOTED.sub("", code)}
    out: set[int] = set()
    for el in root.iter():
        if _local(el.tag) == "cellXfs":
            for i, xf in enumerate(x for x in el if _local(x.tag) == "xf"):
                if int(xf.get("numFmtId", "0")) in percent:
                    out.add(i)
            break
    return out


def percent_cells(path: str, sheet: str, cells: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which of ``cells`` (0-based) on ``sheet`` are formatted as a percentage. Looks only at the cells whose
    style attribute names a percentage format (found by one regular expression over the part), so a sheet with a
    few such cells costs one scan, not a parse of every cell (issue 22)."""
    with zipfile.ZipFile(path) as zf:
        styles = percent_styles(zf)
        member = workbook_parts(zf).sheets.get(sheet)
        if not styles or member is None or not cells:
            return set()
        data = zf.read(member)
    ids = b"|".join(str(i).encode() for i in sorted(styles))
    out: set[tuple[int, int]] = set()
    for m in re.finditer(rb"\ss\s*=\s*[\"'](?:" + ids + rb")[\"']", data):
        start = data.rfind(b"<", 0, m.start())
        end = data.find(b">", m.end())
        tag = _CELL_STYLE.match(data, start, end + 1)
        if tag is None or tag.group(1) is None:
            continue
        rc = (int(tag.group(2)) - 1, column_index(tag.group(1).decode()))
        if rc in cells:
            out.add(rc)
    return out
