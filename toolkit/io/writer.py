"""Writing workbooks: atomic saves, styled Excel tables from DataFrames, safe text for openpyxl.

Everything the toolkit writes goes through :func:`atomic_save` (temp file in the target folder,
fsync, ``os.replace``), so a reader never sees a half-written file and a failure leaves the old
file untouched. Outputs are deterministic: document timestamps and zip entry dates are fixed
(:data:`FIXED_TIME`), so identical inputs give identical bytes.

:func:`write_frames` writes computation outputs (up to about a million rows) with XlsxWriter in
``constant_memory`` mode, row by row. Text is always text: ``"=..."`` is never written as a formula.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter
from xlsxwriter.utility import xl_range, xl_rowcol_to_cell
import xlsxwriter
import xlsxwriter.workbook

from ..errors import ToolkitError
from ..i18n import register
from .cells import NUMERIC_KINDS, cell_values, infer_kind, serials  # noqa: F401 - re-exported: the writer's cell conversion
from .print_setup import (COMFORT_SCALE, LINE_HEIGHT, WIDE_CHARS, WRAP_CHARS, display_width, fit_scale, is_wide,
                          key_columns, number_width, xlsxwriter_print)
from .sheet_rows import SHORT_ROWS, Package, rows_xml, splice_rows, values_xml
from ..money import fmt_money

register(
    {
        "writer.cannot-write": (
            "Cannot write {path}: {detail}",
            "无法写入 {path}：{detail}",
        ),
        "writer.locked": (
            "Cannot replace {path}: the file is open in another program (close it in Excel and try again).",
            "无法替换 {path}：文件正被其他程序打开（请在 Excel 中关闭后重试）。",
        ),
        "writer.too-many-rows": (
            "Cannot write sheet {sheet} of {path}: {rows} rows exceed Excel's limit of 1,048,575 data rows.",
            "无法写入 {path} 的工作表 {sheet}：{rows} 行超过 Excel 上限（1,048,575 行数据）。",
        ),
    }
)

#: Creation/modification time written into every file (and zip entry dates), for reproducible bytes.
FIXED_TIME = dt.datetime(2026, 1, 1, 0, 0, 0)
#: The category every workbook the toolkit writes carries (docProps/core.xml): a folder scan recognises its own
#: outputs (the consolidated workbook, an approval queue, reports) and does not read them as departments.
OUTPUT_CATEGORY = "Marketing Toolkit output"
#: The document properties of an output workbook (XlsxWriter's ``set_properties``).
OUTPUT_PROPERTIES = {"created": FIXED_TIME, "author": "", "comments": "", "category": OUTPUT_CATEGORY}
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

#: Excel number format of each value kind (``ColType`` values are accepted as kinds too).
NUMBER_FORMATS: dict[str, str] = {
    "money": "#,##0.00",
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
    "month": "yyyy-mm",
    "integer": "0",
    "number": "General",
    "ratio": "0.00",
    "text": "@",
    "bool": "General",
}
KINDS = tuple(NUMBER_FORMATS)
#: Kinds Excel aligns to the right (a text column after one of these is indented).
RIGHT_ALIGNED = ("money", "percent", "date", "month", "integer", "number", "ratio")

#: Spellings (compared case-insensitively by Excel) that colour a RAG column green/amber/red.
RAG_SPELLINGS: dict[str, tuple[str, ...]] = {
    "green": ("green", "绿", "绿灯", "绿色"),
    "amber": ("amber", "yellow", "黄", "黄灯", "黄色", "琥珀"),
    "red": ("red", "红", "红灯", "红色"),
}
#: Fill and font colours of the RAG conditional formats (Excel's "Good", "Neutral", "Bad" styles).
RAG_COLOURS: dict[str, tuple[str, str]] = {
    "green": ("#C6EFCE", "#006100"),
    "amber": ("#FFEB9C", "#9C5700"),
    "red": ("#FFC7CE", "#9C0006"),
}

HEADER_FILL = "1F4E78"
HEADER_FONT = "FFFFFF"
MAX_DATA_ROWS = 1_048_575
MAX_WIDTH = 60
_WIDTH_SAMPLE = 2000  # rows looked at when sizing a column
_CHUNK_ROWS = 50_000  # rows converted to Python values at a time
_TABLE_STYLE = "Table Style Light 9"
_FORMULA_PREFIXES = ("=", "+", "-", "@")
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_MAX_TEXT = 32_767  # characters of a text cell (openpyxl truncates to it, as Excel holds no more)
_CELL_REF = re.compile(r"^([A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*|[RrCc])$")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


# --------------------------------------------------------------------------- atomic save


@contextlib.contextmanager
def written_whole(written: list[Path]) -> Iterator[list[Path]]:
    """The files appended to ``written`` inside the block are removed when it fails: one person's files (a
    statement, a performance file) are written whole or not at all."""
    try:
        yield written
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def atomic_save(path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temp file beside ``path``, fsync it and rename it over ``path``.

    The target is either the old file or the complete new one, never a half-written file; the temp
    file is removed when ``write`` raises. OS failures become a ``ToolkitError`` naming the file.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".~{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ToolkitError("writer.cannot-write", path=str(target), detail=_os_detail(exc)) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, _target_mode(target))
        try:
            os.replace(tmp, target)
        except PermissionError as exc:
            raise ToolkitError("writer.locked", path=str(target)) from exc
    except BaseException as exc:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise ToolkitError("writer.cannot-write", path=str(target), detail=_os_detail(exc)) from exc
        raise
    _fsync_dir(folder)
    return target


def _os_detail(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _target_mode(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0o666 minus the umask."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- openpyxl helpers


def set_text(cell: Any, value: object) -> None:
    """Store ``value`` in an openpyxl cell; a string always stays a string cell, never a formula.

    Text starting with ``= + - @`` (or looking like an error code such as ``#N/A``) is kept as
    text (``data_type "s"``); control characters that xlsx cannot hold are removed.
    """
    if isinstance(value, str):
        # what openpyxl's ``value`` setter stores for text (``Cell.check_string``: a str, at most 32,767 characters,
        # no illegal character: removed here), without its type inference (a formula? an error code?, overruled by
        # "s" below anyway) and its second scan of the string
        cell._value = str(_ILLEGAL.sub("", value))[:_MAX_TEXT]
        cell.data_type = "s"
    else:
        cell.value = value


class _FixedDateZip(zipfile.ZipFile):
    """A ZipFile whose entries all carry one fixed date, so the archive bytes are reproducible."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):  # type: ignore[override]
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=_ZIP_TIME)
            info.compress_type = compress_type or self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):  # type: ignore[override]
        """openpyxl writes each sheet from a temp file; store it with the fixed date too."""
        with open(filename, "rb") as fh:
            data = fh.read()
        self.writestr(str(arcname or os.path.basename(filename)), data, compress_type, compresslevel)


class _MemoryExcelWriter(ExcelWriter):
    """openpyxl's writer with each worksheet's XML made in memory: openpyxl writes it to a named temporary file,
    reads it back and removes it (≈ 3 ms of file-system work a sheet, most of a small workbook's save); the XML,
    and so the package's bytes, are the same (tests/test_templates.py compares both writers)."""

    def write_worksheet(self, ws: Any) -> None:
        if self.workbook.write_only:  # a write-only sheet streamed to its own file already: openpyxl's way
            super().write_worksheet(ws)
            return
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = WorksheetWriter(ws, out=BytesIO())
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], writer.read())
        self.manifest.append(ws)


def workbook_bytes(wb: Any, writer: type[ExcelWriter] = _MemoryExcelWriter) -> bytes:
    """The xlsx bytes of an openpyxl workbook, deterministic: fixed core timestamps and zip dates. ``writer``:
    openpyxl's own ``ExcelWriter`` gives the same bytes (what the tests compare against)."""
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buf = BytesIO()
    archive = _FixedDateZip(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    writer(wb, archive).save()  # closes the archive
    return buf.getvalue()


def save_workbook(wb: Any, path: str | os.PathLike[str]) -> Path:
    """Save an openpyxl workbook atomically and deterministically (same workbook, same bytes)."""
    data = workbook_bytes(wb)
    return atomic_save(path, lambda tmp: tmp.write_bytes(data))


# --------------------------------------------------------------------------- widths


def _is_missing(v: Any) -> bool:
    """What ``Series.dropna`` drops from an object column: None, NaN, NaT and pd.NA."""
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, (float, np.floating)) and v != v)


def values_width(values: Sequence[Any]) -> int:
    """``series_width`` of an object column given as a list (each value as ``str`` gives it), without building a
    Series: a template's column is sized from a few Python values, where pandas' set-up would cost most."""
    texts = {str(v) for v in values[:_WIDTH_SAMPLE] if not _is_missing(v)}
    return max((display_width(s) for s in texts), default=0)


def series_width(values: pd.Series) -> int:
    """Widest display width among the (first few thousand) values of a column, vectorised: on the column's
    numpy values where its dtype allows (money, text, whole numbers: a statement's short columns cost less
    without a pandas Series per step), through pandas otherwise (dates, Arrow strings: their own text form)."""
    head = values.iloc[:_WIDTH_SAMPLE]
    dtype = head.dtype
    if pd.api.types.is_float_dtype(dtype):
        return _float_chars(head.to_numpy(dtype="float64", na_value=np.nan))
    if dtype == object:  # str of each value, as astype(str) gives on an object column
        return values_width(head.tolist())
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        return _whole_chars(head.to_numpy().tolist())
    sample = head.dropna()
    if sample.empty:
        return 0
    return max(display_width(s) for s in set(sample.astype(str).tolist()))


def _float_chars(v: np.ndarray) -> int:
    """``series_width`` of a float column's values (float64, NaN for missing)."""
    # the widest money text is the largest or the most negative value's (rounding is monotonic, and the
    # width grows with the magnitude on each side of zero): format those two (and the first infinite value), not
    # the whole column
    if len(v) <= SHORT_ROWS:  # a few values: in Python (numpy's set-up per step costs more)
        values = [x for x in v.tolist() if x == x]
        finite = [x for x in values if x - x == 0]
        ends = [max(finite), min(finite)] if finite else []
        others = [x for x in values if x - x != 0][:1]
    else:
        v = v[~np.isnan(v)]
        finite = v[np.isfinite(v)]
        ends = [float(finite.max()), float(finite.min())] if finite.size else []
        others = v[~np.isfinite(v)][:1].tolist()
    return max((display_width(s) for s in {fmt_money(x, grouped=True) for x in ends + others}), default=0)


def _whole_chars(values: list[Any]) -> int:
    """``series_width`` of a numpy integer or boolean column's values (``str`` of each distinct value, as pandas'
    ``astype(str)`` gives)."""
    return max((display_width(s) for s in {str(x) for x in values}), default=0)


def _percent_chars(v: np.ndarray) -> int:
    """``percent_width`` of a column's values as float64 (NaN for what is not a number)."""
    finite = v[np.isfinite(v)]
    return max((len(f"{x * 100:.1f}%") for x in (finite.max(), finite.min())), default=0) if finite.size else 0


def percent_width(values: pd.Series) -> int:
    """Widest display width of a percent column's values as ``0.0%`` shows them (not their unrounded fractions:
    a score of 0.9406850525486645 shows "94.1%")."""
    return _percent_chars(pd.to_numeric(values.iloc[:_WIDTH_SAMPLE], errors="coerce").to_numpy(dtype="float64"))


def column_width(header: str, kind: str, values: pd.Series | Sequence[Any] | None = None,
                 fixed: int | None = None) -> float:
    """A column width that fits the header (plus the filter button), the values (a Series, or a list read as an
    object column) and the kind."""
    if fixed:
        return float(fixed)
    if values is None:
        return _fitted_width(header, kind, None, False)
    if kind == "percent" and not isinstance(values, pd.Series):
        values = pd.Series(values, dtype=object)  # shown as 0.0%: sized by percent_width
    if isinstance(values, pd.Series):
        chars = percent_width(values) if kind == "percent" else series_width(values)
        return _fitted_width(header, kind, chars, kind in NUMERIC_KINDS or pd.api.types.is_numeric_dtype(values.dtype))
    return _fitted_width(header, kind, values_width(values), kind in NUMERIC_KINDS)


def _fitted_width(header: str, kind: str, chars: int | None, numeric: bool) -> float:
    """``column_width`` of a column whose widest value is ``chars`` characters (None: values not looked at)."""
    # money fits 99,999,999.99 and dates yyyy-mm-dd in Windows Excel's wider default font
    minimum = {"date": number_width(10), "month": 9, "money": number_width(13), "percent": 9}.get(kind, 8)
    width = max(display_width(header) + 4, minimum)
    if chars is not None:
        width = max(width, number_width(chars) if numeric and chars else chars + 2)
    return float(min(width, MAX_WIDTH))


def _segment_widths(column: pd.Series, kind: str, bounds: list[tuple[int, int]]) -> list[float] | None:
    """``column_width("", kind, part)`` of each part ``column[a:b]`` of a column made of several sheets' columns
    (each at most ``_WIDTH_SAMPLE`` rows), converted to numpy or Python values once for them all; None for a dtype
    whose text form depends on the other values of the column (dates: sized sheet by sheet)."""
    dtype = column.dtype
    numeric = kind in NUMERIC_KINDS or pd.api.types.is_numeric_dtype(dtype)
    if kind == "percent":
        if not pd.api.types.is_numeric_dtype(dtype):
            return None
        # a numpy column is its own to_numeric (without a pandas Series for it)
        v = column.to_numpy(dtype="float64") if isinstance(dtype, np.dtype) else \
            pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64")
        chars = [_percent_chars(v[a:b]) for a, b in bounds]
    elif pd.api.types.is_float_dtype(dtype):
        v = column.to_numpy(dtype="float64", na_value=np.nan)
        chars = [_float_chars(v[a:b]) for a, b in bounds]
    elif dtype == object or isinstance(dtype, pd.StringDtype):  # each value's str (a text's own): as dropna, astype(str)
        values = column.tolist()
        chars = [values_width(values[a:b]) for a, b in bounds]
    elif isinstance(dtype, np.dtype) and dtype.kind in "iub":
        values = column.to_numpy().tolist()
        chars = [_whole_chars(values[a:b]) for a, b in bounds]
    elif isinstance(column.array, pd.arrays.IntegerArray):  # Python ints and pd.NA: str of each, as astype(str)
        values = column.tolist()
        chars = [values_width(values[a:b]) for a, b in bounds]
    elif isinstance(dtype, np.dtype) and dtype.kind == "M":
        # a part whose dates are all at midnight reads yyyy-mm-dd (10 characters: the years datetime64 holds have
        # four digits) in pandas' text; one with a time of day has its own form, measured through pandas
        ticks = column.to_numpy().view("int64")
        known = ticks != np.iinfo("int64").min  # NaT
        midnight = ticks % int(np.timedelta64(1, "D") / np.timedelta64(1, np.datetime_data(dtype)[0])) == 0
        chars = [0 if not known[a:b].any() else 10 if midnight[a:b][known[a:b]].all()
                 else series_width(column.iloc[a:b]) for a, b in bounds]
    else:
        return None
    return [_fitted_width("", kind, c, numeric) for c in chars]


def _value_widths(columns: list[pd.Series], kinds: list[str]) -> list[float]:
    """``column_width("", kind, column)`` of each of a sheet's columns, on the column's numpy or Python values
    where its dtype allows (``_segment_widths``: a short column's pandas steps cost more than its measuring)."""
    out: list[float] = []
    for column, kind in zip(columns, kinds):
        head = column if len(column) <= _WIDTH_SAMPLE else column.iloc[:_WIDTH_SAMPLE]
        width = _segment_widths(head, kind, [(0, len(head))])
        out.append(column_width("", kind, head) if width is None else width[0])
    return out


def _columns(frame: pd.DataFrame) -> list[pd.Series]:
    """The frame's columns, in order (duplicate names too)."""
    return [column for _, column in frame.items()]


# --------------------------------------------------------------------------- write_frames


@dataclass
class SheetFrame:
    """One sheet of :func:`write_frames`: a DataFrame written as an Excel table.

    - ``name``: sheet name (characters Excel forbids are replaced by ``_``, cut to 31 characters).
    - ``frame``: the rows; its column names are the headers (the index is not written).
    - ``formats``: column name → kind (``money|percent|date|month|integer|number|text|bool``);
      columns left out get a kind from their dtype. ``bool`` writes Yes/No (是/否) in ``lang``.
    - ``table_name``: the Excel table's name; None derives one from the sheet name.
    - ``rag``: columns coloured green/amber/red by their value (see :data:`RAG_SPELLINGS`).
    - ``lists``: column name → the values its drop-down offers (an input column people fill in).
    - ``marks``: column name → {text: colour}: a cell containing the text is coloured green/amber/red
      (:data:`RAG_COLOURS`), the first match winning.
    - ``wrap``: columns whose text wraps (several lines in a cell).
    - ``hidden``: the sheet is hidden (data a later command reads back).
    - ``row_heights``: each data row's height in points (None: the default height), e.g. for wrapped text.
    - ``print_setup``: called with the XlsxWriter worksheet and the column widths after the standard print
      setup, to change it (page breaks, repeated columns, scale).
    - ``header_lines``: headers wrap onto up to this many lines (columns only as wide as the longest line).
    - ``top``: every cell aligned to the top (rows of different heights read across).
    - ``page_header``: text printed at the top of every page (a statement's DRAFT mark).
    """

    name: str
    frame: pd.DataFrame
    formats: Mapping[str, str] = field(default_factory=dict)
    table_name: str | None = None
    rag: tuple[str, ...] = ()
    lists: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    marks: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    wrap: tuple[str, ...] = ()
    hidden: bool = False
    charts: tuple[ChartSpec, ...] = ()
    row_heights: Sequence[float | None] | None = None
    print_setup: Callable[[Any, list[float]], None] | None = None
    header_lines: int = 1
    top: bool = False
    page_header: str = ""


@dataclass(frozen=True)
class ChartSpec:
    """A native Excel chart over a sheet's columns: ``kind`` column|line, the category column, the series
    columns (drawn as ``kind``), ``lines`` drawn as lines on the same chart, anchored at ``anchor``."""

    title: str
    categories: str
    series: tuple[str, ...]
    kind: str = "column"
    lines: tuple[str, ...] = ()
    anchor: str = "A1"
    y_format: str = "#,##0"


def write_frames(path: str | os.PathLike[str], sheets: Iterable[SheetFrame], lang: str = "en") -> Path:
    """Write DataFrames as styled Excel tables (one per sheet), atomically and deterministically.

    Each sheet: bold coloured header row 1, frozen; number formats per column kind; widths that fit;
    NaN/NaT/None (and ±inf) as blank cells; strings always as text. Returns the path written.
    """
    sheets = list(sheets)
    target = Path(path)
    for sheet in sheets:
        if len(sheet.frame) > MAX_DATA_ROWS:
            raise ToolkitError("writer.too-many-rows", path=str(target), sheet=sheet.name, rows=len(sheet.frame))
    return atomic_save(target, lambda tmp: _write_xlsx(tmp, sheets, lang))


#: Where XlsxWriter keeps each sheet's rows before it assembles the package (``row_tmpdir``).
_MEMORY_FS = Path("/dev/shm")


def row_tmpdir() -> str | None:
    """The folder for XlsxWriter's per-sheet row file (in ``constant_memory`` mode it creates and removes one
    temporary file per sheet, though here it holds only the header row): a memory file system where the machine
    has one with room (Linux's ``/dev/shm``), since creating and removing a file on a disk costs milliseconds of
    waiting each — most of the royalty workbook's wall time on a busy disk with its 145 statement sheets; else
    None (the system's temporary folder). The workbook's bytes are the same either way."""
    try:
        st = os.statvfs(_MEMORY_FS)
    except (OSError, AttributeError):  # no such folder, or not POSIX
        return None
    if st.f_bavail * st.f_frsize < 16 * 2**20 or not os.access(_MEMORY_FS, os.W_OK | os.X_OK):
        return None
    return str(_MEMORY_FS)


class _PackageZip:
    """What XlsxWriter's workbook module opens as its package zip (``ZipFile``): that zip, except for a
    ``sheet_rows.Package`` target, which keeps the parts instead (``_write_xlsx``)."""

    def __new__(cls, file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, Package):
            return file.opened(kwargs.get("compression", args[1] if len(args) > 1 else zipfile.ZIP_STORED))
        return zipfile.ZipFile(file, *args, **kwargs)


def _package_target() -> Package | BytesIO:
    """Where XlsxWriter writes a workbook's package: a ``Package`` (its parts kept, for ``splice_rows`` to deflate
    once) where its workbook module opens its zip by the name ``ZipFile`` (the stand-in ``_PackageZip`` then set
    there, once: any other file is zipped as before); else a zip in memory (an XlsxWriter that packs otherwise)."""
    opens = getattr(xlsxwriter.workbook, "ZipFile", None)
    if opens is zipfile.ZipFile:
        xlsxwriter.workbook.ZipFile = _PackageZip
    return Package() if xlsxwriter.workbook.ZipFile is _PackageZip else BytesIO()


def _write_xlsx(tmp: Path, sheets: list[SheetFrame], lang: str) -> None:
    """XlsxWriter writes the workbook with header-only sheets (styles, tables, widths, conditional formats);
    the data rows are rendered column-wise (``toolkit.io.sheet_rows``, byte-identical to XlsxWriter's own
    cells and ~10x faster) and spliced into those sheets while the package is copied to ``tmp``."""
    skeleton = _package_target()
    wb = xlsxwriter.Workbook(
        skeleton,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": False,
            "tmpdir": row_tmpdir(),
        },
    )
    wb.set_properties(OUTPUT_PROPERTIES)
    # the package's parts in memory, not one temp file each (their creation and removal was a fifth of a small
    # workbook's time, issue 24); the sheets keep constant_memory (set at creation), splice_rows the parts' time
    wb.in_memory = True
    plans: dict[int, tuple[SheetFrame, list[str], list[Any], list[float | None] | None]] = {}
    try:
        header_fmt = wb.add_format(
            {"bold": True, "font_color": f"#{HEADER_FONT}", "bg_color": f"#{HEADER_FILL}", "text_wrap": False,
             "valign": "top", "border": 1, "border_color": "#BFBFBF"}
        )
        col_fmts = {kind: (wb.add_format({"num_format": fmt}) if fmt not in ("General", "@") else None)
                    for kind, fmt in NUMBER_FORMATS.items()}
        rag_fmts = {colour: wb.add_format({"bg_color": fill, "font_color": font})
                    for colour, (fill, font) in RAG_COLOURS.items()}
        used_sheets: set[str] = set()
        used_tables: set[str] = set()
        # each sheet's columns as Series taken once (iloc per column and use cost more than a short column's work)
        columns = {number: _columns(sheet.frame) for number, sheet in enumerate(sheets, start=1)}
        kinds = {number: _kinds(sheet, columns[number]) for number, sheet in enumerate(sheets, start=1)}
        layouts = _layouts(sheets, kinds, columns)
        widths = _shared_widths(layouts)
        for number, sheet in enumerate(sheets, start=1):
            name = _unique(_sheet_name(sheet.name), used_sheets, 31)
            table = _unique(_table_name(sheet.table_name or name), used_tables, 255)
            fmts, heights = _write_sheet(wb, name, table, sheet, kinds[number], lang, header_fmt, col_fmts, rag_fmts,
                                         widths.get(number), columns[number])
            if kinds[number] and len(sheet.frame):
                plans[number] = (sheet, kinds[number], fmts, heights)
    finally:
        wb.close()
    bodies = {}
    shared = _shared_cell_values(layouts, lang)
    for number, (sheet, kinds, fmts, heights) in plans.items():
        styles = [None if f is None else f._get_xf_index() for f in fmts]  # indexes are final once closed
        last = f"{_range(0, 0, len(sheet.frame), len(kinds) - 1).split(':')[-1]}"
        chunks = iter([values_xml(shared[number], kinds, styles, 2)]) if number in shared else \
            _row_chunks(sheet.frame, columns[number], kinds, styles, lang)
        if heights is not None:
            chunks = _with_heights(chunks, heights)
        bodies[number] = (chunks, f"A1:{last}")
    splice_rows(skeleton, tmp, bodies)


#: Sheets of one layout (``_layouts``): their numbers, their rows concatenated in that order, their columns'
#: kinds, and where each sheet's rows lie in the concatenation (start, end).
Layout = tuple[list[int], pd.DataFrame, list[str], list[tuple[int, int]]]


def _layouts(sheets: Sequence[SheetFrame], kinds: Mapping[int, list[str]],
             columns: Mapping[int, list[pd.Series]]) -> list[Layout]:
    """The small sheets (one chunk of rows) whose columns have the same names, dtypes and kinds as another's —
    the royalty trace's statement sheets, one per salesperson —, grouped, with their rows concatenated once
    (sheets numbered from 1, as ``_write_xlsx`` numbers them); a group whose concatenation would change a
    column's dtype is left out (each sheet is then handled on its own)."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    names: dict[Any, str] = {}  # each dtype's name, spelt once (str of a dtype costs microseconds)
    for number, sheet in enumerate(sheets, start=1):
        frame = sheet.frame
        if kinds[number] and 0 < len(frame) <= _CHUNK_ROWS and frame.columns.is_unique:
            dtypes = tuple(names.get(c.dtype) or names.setdefault(c.dtype, str(c.dtype)) for c in columns[number])
            key = (tuple(map(str, frame.columns)), dtypes, tuple(kinds[number]))
            groups.setdefault(key, []).append(number)
    out: list[Layout] = []
    for key, numbers in groups.items():
        if len(numbers) < 2:
            continue
        frames = [sheets[n - 1].frame for n in numbers]
        whole = pd.concat(frames, ignore_index=True)
        if list(map(str, whole.dtypes)) == list(key[1]):  # concat kept every column's dtype
            ends = np.cumsum([len(f) for f in frames]).tolist()
            out.append((numbers, whole, list(key[2]), list(zip([0, *ends[:-1]], ends))))
    return out


def _shared_widths(layouts: list[Layout]) -> dict[int, list[float]]:
    """Each grouped sheet's value widths (``column_width("", kind, column)`` of its every column, what ``_print_fit``
    starts from), by sheet number: measured column by column once for a whole layout group (per sheet, the pandas
    Series each measure builds cost more than the measuring), then cut per sheet; a group with a sheet longer than
    the rows a width looks at, or a column whose text form depends on the other values (dates), is measured sheet
    by sheet."""
    out: dict[int, list[float]] = {}
    for numbers, whole, kinds, bounds in layouts:
        if max(b - a for a, b in bounds) > _WIDTH_SAMPLE:
            continue
        columns = [_segment_widths(whole.iloc[:, c], kind, bounds) for c, kind in enumerate(kinds)]
        if any(col is None for col in columns):
            continue
        for j, number in enumerate(numbers):
            out[number] = [col[j] for col in columns]  # type: ignore[index] - none is None here
    return out


def _shared_cell_values(layouts: list[Layout], lang: str) -> dict[int, list[list[Any]]]:
    """The cell values of each grouped sheet (``_layouts``), by sheet number: converted column by column once for
    a whole group (``cell_values`` per column and sheet cost more than the rows), then cut per sheet.
    ``cell_values`` converts each value by its column's kind and dtype alone, so the values are the ones each
    sheet's own conversion gives."""
    out: dict[int, list[list[Any]]] = {}
    for numbers, whole, kinds, bounds in layouts:
        columns = [cell_values(whole.iloc[:, c], kind, lang) for c, kind in enumerate(kinds)]
        for number, (a, b) in zip(numbers, bounds):
            out[number] = [column[a:b] for column in columns]
    return out


def _row_chunks(frame: pd.DataFrame, columns: list[pd.Series], kinds: list[str], styles: list[Any],
                lang: str):  # noqa: ANN202
    """The frame's rows (its ``columns``) as worksheet XML from sheet row 2, converted chunk by chunk (the Python
    cell values of one chunk at a time); ``splice_rows`` then holds the sheet's XML text whole while it writes it."""
    if len(frame) <= _CHUNK_ROWS:  # one chunk: the columns already taken
        yield values_xml([cell_values(c, k, lang) for c, k in zip(columns, kinds)], kinds, styles, 2)
        return
    for start in range(0, len(frame), _CHUNK_ROWS):
        yield rows_xml(frame.iloc[start:start + _CHUNK_ROWS], kinds, styles, start + 2, lang)


def header_line(header: str, lines: int) -> str:
    """The longest line of ``header`` wrapped onto at most ``lines`` lines at spaces (CJK text anywhere), as
    evenly as can be: what a wrapping header's column must be wide enough for."""
    if lines <= 1:
        return header
    words = header.split(" ")
    if len(words) == 1:  # no spaces: Excel wraps CJK text between any two characters, a word never
        if display_width(header) == len(header):
            return header
        step = -(-len(header) // lines)
        return max((header[i:i + step] for i in range(0, len(header), step)), key=display_width)
    best = header
    for cut in range(1, len(words)):  # two lines (enough for the queue's headers)
        longest = max((" ".join(words[:cut]), " ".join(words[cut:])), key=display_width)
        best = min(best, longest, key=display_width)
    return best


def _print_fit(sheet: SheetFrame, headers: list[str], kinds: list[str],
               values: list[float]) -> tuple[int, set[int], list[float]]:
    """How a sheet's table is laid out to print readably (issue 24): the header lines, the text columns that wrap
    at ``WRAP_CHARS`` and every column's width. A sheet that fits one landscape page wide at ``COMFORT_SCALE`` or
    more, or lays out its own print (the approval queue), keeps one-line headers and unwrapped text; a wider
    one gets headers on two lines and its text columns wider than ``WRAP_CHARS`` wrapped. ``values``: each
    column's ``column_width("", kind, column)`` (``_value_widths``, ``_shared_widths``)."""

    def widths(lines: int) -> list[float]:
        return [max(v, column_width(header_line(h, lines), k)) for v, h, k in zip(values, headers, kinds)]

    natural = widths(sheet.header_lines)
    if sheet.print_setup is not None or sheet.hidden or fit_scale(natural, is_wide(natural)) >= COMFORT_SCALE:
        return sheet.header_lines, set(), natural
    lines = max(2, sheet.header_lines)
    natural = widths(lines)
    wrapped = {i for i, (k, w) in enumerate(zip(kinds, natural)) if k == "text" and w > WRAP_CHARS + 4}
    return lines, wrapped, natural


def _wrapped_heights(columns: list[pd.Series], wrapped: set[int],
                     given: Sequence[float | None] | None) -> Sequence[float | None] | None:
    """Each data row's height with its wrapped text columns' lines (Excel and LibreOffice do not grow a row for
    wrapped text written by a program): the taller of that and the sheet's own ``row_heights``."""
    if not wrapped:
        return given
    per_line = WRAP_CHARS - 4  # words wrap whole, so a line holds fewer characters than the column
    lines = [1] * len(columns[0])
    for i in wrapped:
        for r, value in enumerate(columns[i].tolist()):
            if isinstance(value, str) and value:
                n = sum(max(1, -(-display_width(part) // per_line)) for part in value.split("\n"))
                lines[r] = max(lines[r], n)
    own = list(given) if given is not None else [None] * len(lines)
    return [max(filter(None, (h, LINE_HEIGHT * n + 2 if n > 1 else None)), default=None)
            for h, n in zip(own, lines)]


def _with_heights(chunks: Iterable[str], heights: Sequence[float | None]) -> Iterator[str]:
    """The rendered rows with each data row's height (row 2 is ``heights[0]``)."""
    def one(m: re.Match[str]) -> str:
        i = int(m.group(1)) - 2
        h = heights[i] if 0 <= i < len(heights) else None
        return m.group(0) if not h else f'<row r="{m.group(1)}" ht="{h:g}" customHeight="1"'

    for chunk in chunks:
        yield re.sub(r'<row r="(\d+)"', one, chunk)


def _sheet_name(name: str) -> str:
    cleaned = _BAD_SHEET_CHARS.sub("_", str(name)).strip("'") or "Sheet"
    return cleaned[:31]


def _table_name(name: str) -> str:
    cleaned = re.sub(r"[^\w.]", "_", str(name))
    if not cleaned or not (cleaned[0].isalpha() or cleaned[0] == "_") or _CELL_REF.match(cleaned):
        cleaned = "T_" + cleaned
    return cleaned[:255]


def _unique(name: str, used: set[str], limit: int) -> str:
    candidate, n = name, 1
    while candidate.casefold() in used:
        n += 1
        suffix = f"_{n}"
        candidate = name[: limit - len(suffix)] + suffix
    used.add(candidate.casefold())
    return candidate


def _headers(columns: Iterable[object]) -> list[str]:
    """Column names as unique, non-empty header strings (Excel tables require both)."""
    out: list[str] = []
    seen: set[str] = set()
    for i, col in enumerate(columns, start=1):
        base = _ILLEGAL.sub("", str(col)).strip() or f"Column{i}"
        text, n = base, 1
        while text.casefold() in seen:
            n += 1
            text = f"{base} ({n})"
        seen.add(text.casefold())
        out.append(text)
    return out


def _kinds(sheet: SheetFrame, columns: list[pd.Series] | None = None) -> list[str]:
    """Each column's value kind: the one the sheet gives, else inferred from the column (``columns``: the frame's
    columns, when already taken)."""
    columns = _columns(sheet.frame) if columns is None else columns
    kinds: list[str] = []
    for i, col in enumerate(sheet.frame.columns):
        given = sheet.formats.get(col)
        kind = str(getattr(given, "value", given)) if given is not None else infer_kind(columns[i])
        if kind not in NUMBER_FORMATS:
            raise ValueError(f"unknown format kind {kind!r} for column {col!r}")
        kinds.append(kind)
    return kinds


def _write_sheet(wb: Any, name: str, table_name: str, sheet: SheetFrame, kinds: list[str], lang: str,
                 header_fmt: Any, col_fmts: dict[str, Any], rag_fmts: dict[str, Any],
                 values: list[float] | None = None,
                 columns: list[pd.Series] | None = None) -> tuple[list[Any], Sequence[float | None] | None]:
    """The sheet's columns, table, header and conditional formats (the rows are spliced in later), its columns
    of value kinds ``kinds`` (``_kinds``) and value widths ``values`` (``_shared_widths``, ``_value_widths``;
    None: measured here); ``columns``: the frame's columns when already taken. Returns each column's format (the
    cells take their column's format) and the data rows' heights."""
    ws = wb.add_worksheet(name)
    frame = sheet.frame
    columns = _columns(frame) if columns is None else columns
    headers = _headers(frame.columns)
    ncols = len(headers)
    nrows = len(frame)
    ws.freeze_panes(1, 0)
    if ncols == 0:
        return [], None
    header_lines, wrapped, natural = _print_fit(sheet, headers, kinds,
                                                _value_widths(columns, kinds) if values is None else values)
    fmts: list[Any] = []
    widths: list[float] = []
    for i, col in enumerate(frame.columns):
        kind = kinds[i]
        fmt = col_fmts[kind]
        # issue 24: text right after a right-aligned figure is indented one character, so "95.9%" and "B" (or
        # "-15" and "Not Due") never read as one word
        indent = kind == "text" and i > 0 and kinds[i - 1] in RIGHT_ALIGNED
        wraps = col in sheet.wrap or i in wrapped
        top = sheet.top or bool(wrapped)  # beside wrapped text every cell reads from the row's top
        if wraps or top or indent:
            spec = {"text_wrap": True, "valign": "top"} if wraps else \
                {"valign": "top"} if top else {}
            spec = {**spec, "indent": 1} if indent else spec
            fmt = wb.add_format(spec if NUMBER_FORMATS[kind] in ("General", "@") else
                                {**spec, "num_format": NUMBER_FORMATS[kind]})
        widths.append(WRAP_CHARS + indent if i in wrapped else natural[i] + indent)
        fmts.append(fmt)
        ws.set_column(i, i, widths[-1], fmt)

    last_row = max(nrows, 1)
    # a hidden sheet gets no print area: LibreOffice prints a hidden sheet that has one (the queue's source list)
    xlsxwriter_print(ws, widths, last_row, lang, area=not (sheet.charts or sheet.hidden),
                     keys=key_columns(widths, [k == "text" for k in kinds]))
    if sheet.print_setup is not None:
        sheet.print_setup(ws, widths)
    if sheet.page_header:
        ws.set_header('&C&"-,Bold"&14' + sheet.page_header.replace("&", "&&"))
    _add_table(ws, table_name, headers, last_row)
    if header_lines > 1:
        header_fmt = wb.add_format({"bold": True, "font_color": f"#{HEADER_FONT}", "bg_color": f"#{HEADER_FILL}",
                                    "text_wrap": True, "valign": "top", "border": 1, "border_color": "#BFBFBF"})
        ws.set_row(0, 15 * header_lines)
    for c, header in enumerate(headers):  # inline strings, over the header add_table stored
        ws.write_string(0, c, header, header_fmt)

    for spec in sheet.charts:
        _add_chart(wb, ws, name, list(frame.columns), nrows, spec)

    for col, marks in sheet.marks.items():
        c = list(frame.columns).index(col)
        for text, colour in marks.items():
            ws.conditional_format(1, c, last_row, c, {"type": "text", "criteria": "containing", "value": text,
                                                      "format": rag_fmts[colour], "stop_if_true": True})
    for col, values in sheet.lists.items():
        c = list(frame.columns).index(col)
        ws.data_validation(1, c, MAX_DATA_ROWS, c, {"validate": "list", "source": list(values)})
    if sheet.hidden:
        ws.hide()
    for col in sheet.rag:
        if col not in frame.columns:
            raise ValueError(f"RAG column {col!r} is not in sheet {sheet.name!r}")
        c = list(frame.columns).index(col)
        _rag_format(ws, c, last_row, rag_fmts)
    return fmts, _wrapped_heights(columns, wrapped, sheet.row_heights)


def _add_chart(wb: Any, ws: Any, sheet: str, columns: list[Any], nrows: int, spec: ChartSpec) -> None:
    """Insert ``spec`` as a native chart bound to the sheet's rows 1..nrows."""
    if nrows == 0:
        return
    cat = columns.index(spec.categories)

    def series(chart: Any, col: str) -> None:
        c = columns.index(col)
        options = {"name": [sheet, 0, c], "categories": [sheet, 1, cat, nrows, cat], "values": [sheet, 1, c, nrows, c]}
        if chart.__class__.__name__ == "ChartLine":
            options["marker"] = {"type": "circle", "size": 5}
        chart.add_series(options)

    chart = wb.add_chart({"type": spec.kind})
    for col in spec.series:
        series(chart, col)
    if spec.lines:
        line = wb.add_chart({"type": "line"})
        for col in spec.lines:
            series(line, col)
        chart.combine(line)
    chart.set_title({"name": spec.title, "name_font": {"size": 12}})
    chart.set_y_axis({"num_format": spec.y_format, "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 620, "height": 300})
    ws.insert_chart(spec.anchor, chart)


def _add_table(ws: Any, name: str, headers: list[str], last_row: int) -> None:
    """Add an Excel table over rows 0..last_row in constant_memory mode.

    XlsxWriter refuses tables in constant_memory mode and records every covered cell (too slow and
    big for a million rows); so the table is declared over the header and one row, before any cell
    is written, and its range extended. The header strings it put in the shared-string table are
    taken back out; the caller rewrites them as inline strings. Tests reload the result.
    """
    sst = ws.str_table
    saved = (sst.count, sst.unique_count, dict(sst.string_table))
    ws.constant_memory = 0
    try:
        ws.add_table(0, 0, 1, len(headers) - 1, {
            "name": name, "style": _TABLE_STYLE, "columns": [{"header": h} for h in headers],
        })
    finally:
        ws.constant_memory = 1
        sst.count, sst.unique_count, sst.string_table = saved  # headers are rewritten as inline strings
    table = ws.tables[-1]
    full = _range(0, 0, last_row, len(headers) - 1)
    table["range"] = full
    table["a_range"] = full
    if table.get("autofilter"):
        table["autofilter"] = full


def _range(r0: int, c0: int, r1: int, c1: int) -> str:
    return xl_range(r0, c0, r1, c1)


def _rag_format(ws: Any, col: int, last_row: int, rag_fmts: dict[str, Any]) -> None:
    first = xl_rowcol_to_cell(1, col, row_abs=False, col_abs=True)
    for colour, spellings in RAG_SPELLINGS.items():
        tests = ",".join(f'TRIM({first})="{s}"' for s in spellings)
        ws.conditional_format(1, col, last_row, col, {
            "type": "formula", "criteria": f"=OR({tests})", "format": rag_fmts[colour],
        })
