"""Worksheet rows as SpreadsheetML text, built column by column for the big consolidated sheets.

XlsxWriter spends most of a large write in per-cell Python calls (~0.13 M cells/s here). This module
renders the same ``<row>`` elements XlsxWriter's constant-memory mode writes, byte for byte (tests
compare the two), but formats each distinct value of a column once and joins whole columns, about
ten times faster. XlsxWriter still writes everything else in the workbook (styles, tables, the small
sheets); ``toolkit.io.consolidated`` splices these rows into its sheets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, repeat
from typing import Any

import numpy as np
import pandas as pd
import zipfile

from .cells import cell_values
from .xlsx_scan import column_letter

#: Excel's limit on the length of a cell's text, in UTF-16 code units (XlsxWriter truncates to it too).
MAX_TEXT = 32767

_CONTROL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")  # a literal _xHHHH_ would be read as an escape
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_NEEDS_WORK = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_EDGE_SPACE = re.compile(r"^\s|\s$")


def _truncate(text: str) -> str:
    if len(text) <= MAX_TEXT // 2 or len(text.encode("utf-16-le")) // 2 <= MAX_TEXT:
        return text
    units = text.encode("utf-16-le")[: MAX_TEXT * 2]
    return units.decode("utf-16-le", "ignore")


def text_cell_tail(text: str, style: str) -> str:
    """The part of a text cell after its reference: ``" t="inlineStr"><is><t>…</t></is></c>``.

    Control characters become Excel's ``_xHHHH_`` escapes (a literal ``_xHHHH_`` is protected as
    ``_x005F_xHHHH_``), ``& < >`` are entity-escaped and edge whitespace is preserved, as Excel does."""
    text = _truncate(text)
    if _NEEDS_WORK.search(text):
        text = _CONTROL_ESCAPE.sub(r"_x005F\1", text)
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
        text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if _EDGE_SPACE.search(text) else ""
    return f'"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def value_cell_tail(value: Any, style: str) -> str:
    """The part of a number or boolean cell after its reference (numbers as XlsxWriter's ``%.16G``)."""
    if isinstance(value, (bool, np.bool_)):
        return f'"{style} t="b"><v>{int(bool(value))}</v></c>'
    return f'"{style}><v>{value:.16G}</v></c>'


def _tail(value: Any, style: str) -> str:
    return text_cell_tail(value, style) if isinstance(value, str) else value_cell_tail(value, style)


#: Up to this many rows a sheet's cells are formatted value by value and its rows joined in Python: pandas'
#: factorize and numpy's string arrays cost tens of microseconds a column, more than a short column's cells.
SHORT_ROWS = 100


def _tail_list(values: list[Any], style: str) -> list[str | None]:
    """Each value's cell tail, formatted once per distinct value and type (True == 1 to a hash table: bools and
    numbers kept apart), None for a blank cell."""
    distinct = dict.fromkeys((type(v), v) for v in values if v is not None)
    tails = dict(zip(distinct, _format_all([v for _, v in distinct], style)))
    return [None if v is None else tails[type(v), v] for v in values]


def _tails(values: list[Any], style: str, by_type: bool) -> tuple[np.ndarray, np.ndarray]:
    """Each value's cell tail (formatted once per distinct value) and the mask of non-blank cells."""
    n = len(values)
    if by_type:
        out = np.empty(n, dtype=object)
        out[:] = _tail_list(values, style)
        return out, out != None  # noqa: E711 - elementwise
    arr = np.empty(n, dtype=object)
    arr[:] = values
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    mapped = np.array(_format_all(uniques.tolist(), style) + [None], dtype=object)
    return mapped[codes], codes >= 0


def _format_all(uniques: list[Any], style: str) -> list[str]:
    """``_tail`` of each value, with the common cases (plain text, numbers) in one comprehension each."""
    kinds = set(map(type, uniques))
    if kinds == {str} and not _NEEDS_WORK.search("\n".join(uniques)) and max(map(len, uniques)) <= MAX_TEXT // 2:
        plain = f'"{style} t="inlineStr"><is><t>'
        spaced = f'"{style} t="inlineStr"><is><t xml:space="preserve">'
        # str.isspace is the test behind the regex \s of _EDGE_SPACE
        return [(spaced if u[:1].isspace() or u[-1:].isspace() else plain) + u + "</t></is></c>" for u in uniques]
    if kinds <= {float, int}:
        head = f'"{style}><v>'
        return [f"{head}{v:.16G}</v></c>" for v in uniques]
    return [_tail(u, style) for u in uniques]


def rows_xml(frame: pd.DataFrame, kinds: Sequence[str], styles: Sequence[int | None], first_row: int,
             lang: str = "en") -> str:
    """``frame``'s rows as ``<row>`` elements starting at 1-based sheet row ``first_row``.

    ``kinds`` are the columns' value kinds (``toolkit.io.cells.cell_values``), ``styles`` their
    cell-format (xf) indexes or None. Blank cells are left out, and so are rows with no cell at all."""
    columns = [cell_values(frame.iloc[:, c], kinds[c], lang) for c in range(frame.shape[1])]
    return values_xml(columns, kinds, styles, first_row)


def values_xml(columns: Sequence[list[Any]], kinds: Sequence[str], styles: Sequence[int | None],
               first_row: int) -> str:
    """``rows_xml`` for columns already converted to cell values (float/int/str/bool, None for blank)."""
    n = len(columns[0]) if columns else 0
    if n == 0:
        return ""
    if n <= SHORT_ROWS:
        return _short_rows_xml(columns, styles, first_row)
    nums = np.arange(first_row, first_row + n).astype(str).astype(object)
    pieces: list[Any] = []
    filled = np.zeros(n, dtype=bool)
    for c, values in enumerate(columns):
        style = f' s="{styles[c]}"' if styles[c] else ""
        tails, ok = _tails(values, style, kinds[c] == "bool")
        head = f'<c r="{column_letter(c)}'
        filled |= ok
        if ok.all():
            pieces += [repeat(head), nums, tails]
        else:
            cells = np.full(n, "", dtype=object)
            cells[ok] = (head + nums[ok]) + tails[ok]
            pieces.append(cells)
    opens = '<row r="' + nums + '">'
    closes: Any = repeat("</row>")
    if not filled.all():  # XlsxWriter writes no element for a row without cells
        opens[~filled] = ""
        closes = np.where(filled, "</row>", "").astype(object)
    return "".join(chain.from_iterable(zip(opens, *pieces, closes)))


def _short_rows_xml(columns: Sequence[list[Any]], styles: Sequence[int | None], first_row: int) -> str:
    """``values_xml`` of a few rows, row by row in Python (each value's tail formatted once, as ``_tails``: the
    cell values of kinds other than bool hold no bools, and a whole number and its float give the same text)."""
    cols = [(f'<c r="{column_letter(c)}', _tail_list(values, f' s="{styles[c]}"' if styles[c] else ""))
            for c, values in enumerate(columns)]
    out: list[str] = []
    for i in range(len(columns[0])):
        num = str(first_row + i)
        cells = [head + num + tails[i] for head, tails in cols if tails[i] is not None]
        if cells:  # XlsxWriter writes no element for a row without cells
            out.append(f'<row r="{num}">{"".join(cells)}</row>')
    return "".join(out)


_SHEET_PART = re.compile(r"^xl/worksheets/sheet(\d+)\.xml$")


def fast_deflate(entry: Any) -> None:
    """Deflate level 1 for a big sheet part: 3-4x faster than the default on this regular XML, ~20% larger."""
    try:
        entry.compress_level = 1  # Python 3.13+
    except AttributeError:
        entry._compresslevel = 1  # Python 3.11-3.12 spelling


#: The time stamp of every part of a written workbook (XlsxWriter's, for parts built in files).
PART_TIME = (1980, 1, 31, 0, 0, 0)
#: Their attributes: a regular file readable by its owner (XlsxWriter's temp files').
PART_ATTR = 0o100600 << 16


class Package:
    """A workbook's parts as XlsxWriter hands them to its package zip when it closes (``writer``'s stand-in for that
    zip gives them here): each part's ``ZipInfo`` and bytes, in order, not yet deflated. ``splice_rows`` deflates
    them once, into the workbook; zipping them first, then reading them back, cost a fifth of a small workbook's
    CPU (issue 24)."""

    def __init__(self) -> None:
        self.parts: list[tuple[zipfile.ZipInfo, bytes]] = []
        self.compression = zipfile.ZIP_DEFLATED  # the zip's, as XlsxWriter reads it for each part's ZipInfo

    def opened(self, compression: int) -> Package:
        """Itself as the zip XlsxWriter opens with ``compression``."""
        self.compression = compression
        return self

    def writestr(self, info: zipfile.ZipInfo | str, data: bytes | str) -> None:
        if isinstance(info, str):  # a part named rather than described (XlsxWriter describes each; a later one may not)
            info = zipfile.ZipInfo(info, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = self.compression
        self.parts.append((info, data.encode("utf-8") if isinstance(data, str) else data))

    def close(self) -> None:
        """Nothing to close: the parts are kept."""

    def __enter__(self) -> Package:  # as a ZipFile, should an XlsxWriter open it in a ``with``
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _skeleton_parts(skeleton: Any) -> Iterator[tuple[zipfile.ZipInfo, bytes]]:
    """Each part of ``skeleton`` (a ``Package``, or a zip file or BytesIO) with its bytes, in order."""
    if isinstance(skeleton, Package):
        yield from skeleton.parts
        return
    with zipfile.ZipFile(skeleton) as zin:
        for info in zin.infolist():
            yield info, zin.read(info)


def splice_rows(skeleton: Any, target: Any, bodies: dict[int, tuple[Iterable[str], str]],
                fast_from: int = 2_000_000) -> None:
    """Copy the XlsxWriter package ``skeleton`` (a ``Package``, or a zip file or BytesIO) to ``target``, streaming
    into sheet N's ``<sheetData>`` (after its header row) the row XML pieces of ``bodies[N]`` and setting its
    dimension to ``bodies[N][1]`` (``A1:K120``). Sheets whose rows pass ``fast_from`` bytes are deflated at level 1.
    The same bytes from a ``Package`` as from the zip XlsxWriter would have written of it."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in _skeleton_parts(skeleton):
            # whether XlsxWriter built the parts in memory or in files: the same bytes
            info.date_time, info.external_attr = PART_TIME, PART_ATTR
            match = _SHEET_PART.match(info.filename)
            body = bodies.get(int(match.group(1))) if match else None
            if body is None:
                zout.writestr(info, data)
                continue
            pieces, dimension = body
            xml = data.decode("utf-8")
            cut = xml.index("</sheetData>")
            head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>', xml[:cut], count=1)
            rows = "".join(pieces).encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            if len(rows) > fast_from:
                fast_deflate(entry)
            with zout.open(entry, "w", force_zip64=len(rows) + len(xml) > zipfile.ZIP64_LIMIT) as out:
                out.write(head.encode("utf-8"))
                out.write(rows)
                out.write(xml[cut:].encode("utf-8"))
