"""Typed frames to SQL rows and back, vectorised per column, so a snapshot round-trips its dtypes.

Dates go in as ISO text, booleans as 0/1, missing values as NULL; each snapshot table records its
frame's column order and dtypes, and loading casts back to exactly those.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.tables import WorkbookData, is_str_dtype
from ..schema import DTYPES, Table, enums
from .migrations import SCHEMAS
from ..io.cells import cell_values as typed_values, serials

ROW = "_row"
EXTRA = "_extra"


_SIGNED_MASKED = frozenset({"Int8", "Int16", "Int32", "Int64"})


def _with_none(values: list, missing: np.ndarray) -> list:
    """``values`` with None at the positions the boolean array ``missing`` marks."""
    for i in np.flatnonzero(missing).tolist():
        values[i] = None
    return values


#: ISO texts of consecutive days (first day number since 1970, object array), grown on demand up to
#: ``_DAY_CACHE_MAX`` days: a date column then takes its texts instead of formatting every value.
_day_texts: tuple[int, np.ndarray] = (0, np.empty(0, dtype=object))
_DAY_CACHE_MAX = 40_000


def _date_texts(days: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DD`` texts (object array) of day numbers ``days``; the ``missing`` positions hold junk."""
    global _day_texts
    present = days[~missing]
    if not len(present):
        return np.full(len(days), None, dtype=object)
    lo, hi = int(present.min()), int(present.max())
    start, table = _day_texts
    if not (start <= lo and hi < start + len(table)):
        if len(table):
            lo, hi = min(lo, start), max(hi, start + len(table) - 1)
        if hi - lo >= _DAY_CACHE_MAX:
            return np.datetime_as_string(days.astype("datetime64[D]"), unit="D").astype(object)
        start = lo
        table = np.datetime_as_string(np.arange(lo, hi + 1).astype("datetime64[D]"), unit="D").astype(object)
        _day_texts = (start, table)
    return table[np.where(missing, start, days) - start]


def _sql_values(s: pd.Series) -> list:
    """One column as Python values sqlite3 can bind (None for missing).

    The reader's dtypes (float64, int64, bool, Int64, boolean, str) go through ``tolist`` of a numpy array,
    which makes the Python floats/ints/strs in C; anything else takes the general per-dtype path below."""
    if len(s) == 0:
        return []
    dtype = s.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "fiub":
        arr = s.to_numpy()
        if dtype.kind == "f":
            return _with_none(arr.tolist(), np.isnan(arr))
        return arr.astype(np.int64).tolist() if dtype.kind == "b" else arr.tolist()
    if isinstance(dtype, pd.BooleanDtype) or (isinstance(dtype, pd.api.extensions.ExtensionDtype)
                                              and dtype.name in _SIGNED_MASKED):
        missing = s.isna().to_numpy()
        return _with_none(s.to_numpy(dtype=np.int64, na_value=0).tolist(), missing)
    if isinstance(dtype, pd.StringDtype):
        if is_str_dtype(dtype):
            # the reader's "str" columns (Python or Arrow storage): str or NaN objects, only NaN differs from itself
            arr = s.to_numpy(dtype=object)
            return _with_none(arr.tolist(), np.not_equal(arr, arr))
        return s.to_numpy(dtype=object, na_value=None).tolist()
    if pd.api.types.is_datetime64_any_dtype(dtype):
        values = s.to_numpy(dtype="datetime64[ns]")
        days = values.astype("datetime64[D]")
        missing = np.isnat(values)
        if not bool((days == values)[~missing].all()):
            text = np.datetime_as_string(values, unit="s").astype(object)
        else:
            text = _date_texts(days.view(np.int64), missing)
        text[missing] = None
        return text.tolist()
    if pd.api.types.is_bool_dtype(dtype):
        out = s.astype("Int64").astype(object)
    elif pd.api.types.is_integer_dtype(dtype):
        out = s.astype(object)
    elif pd.api.types.is_float_dtype(dtype):
        out = s.astype(object)
    else:
        out = s.astype(object)
        if dtype == object:  # mixed Python values: anything sqlite3 cannot bind becomes text
            out = out.map(lambda v: v if isinstance(v, (str, int, float)) else str(v), na_action="ignore")
    arr = out.to_numpy(dtype=object, copy=True)
    arr[pd.isna(s).to_numpy()] = None
    if pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        return [None if v is None else int(v) for v in arr.tolist()]
    return arr.tolist()


def extra_columns(frame: pd.DataFrame, table: Table) -> list[str]:
    """Columns of ``frame`` that are neither schema columns nor ``_row`` (the reader's ``extra:`` columns)."""
    known = set(table.keys) | {ROW}
    return [c for c in frame.columns if c not in known]


def encode(frame: pd.DataFrame, table: Table) -> tuple[list[str], list[list]]:
    """SQL column names and per-column value lists for ``frame`` (schema columns, ``_row``, ``_extra``)."""
    n = len(frame)
    names = [ROW, *table.keys, EXTRA]
    cols: list[list] = []
    cols.append(_sql_values(frame[ROW]) if ROW in frame.columns else [None] * n)
    for key in table.keys:
        cols.append(_sql_values(frame[key]) if key in frame.columns else [None] * n)
    extras = extra_columns(frame, table)
    if extras and n:
        sub = frame[extras].astype(object).where(frame[extras].notna(), None)
        lines = sub.to_json(orient="records", lines=True, force_ascii=False, date_format="iso").splitlines()
        cols.append(lines)
    else:
        cols.append([None] * n)
    return names, cols


def frame_dtypes(frame: pd.DataFrame) -> dict[str, str]:
    """Column name -> dtype name as stored in ``snapshot_tables`` (``frame.dtypes`` avoids a Series per column)."""
    if frame.columns.is_unique:
        return {str(c): str(d) for c, d in frame.dtypes.items()}
    return {str(c): str(frame[c].dtype) for c in frame.columns}


@dataclass
class EncodedTable:
    """One frame as the store writes it: SQL column names and per-column values (``encode``), row count,
    and the frame's column order and dtypes as the JSON text kept in ``snapshot_tables``."""

    rows: int
    names: list[str]
    values: list[list]
    columns: str
    dtypes: str


def encode_table(frame: pd.DataFrame, table: Table) -> EncodedTable:
    """``frame`` (a table of ``table``'s schema) encoded for the store."""
    names, values = encode(frame, table)
    return EncodedTable(len(frame), names, values, json.dumps(list(map(str, frame.columns)), ensure_ascii=False),
                        json.dumps(frame_dtypes(frame), ensure_ascii=False))


def snapshot_kind(data: WorkbookData | EncodedWorkbook) -> str:
    """The schema a snapshot of ``data`` is stored under (unknown kinds as department workbooks)."""
    return data.kind if data.kind in SCHEMAS else "department"


def encoded_tables(data: WorkbookData | EncodedWorkbook) -> Iterator[tuple[str, EncodedTable]]:
    """The schema tables ``data`` has, in schema order, encoded (one at a time) unless they already are."""
    if isinstance(data, EncodedWorkbook):
        yield from data.tables.items()
        return
    for table in SCHEMAS[snapshot_kind(data)].tables:
        frame = data.tables.get(table.key)
        if frame is not None:
            yield table.key, encode_table(frame, table)


@dataclass
class EncodedWorkbook:
    """A workbook's tables encoded for ``Store.record`` ahead of time, e.g. in a worker process: smaller and
    cheaper to pickle than the frames, and the process writing the store has no encoding left to do."""

    path: str
    kind: str
    lang: str
    info: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, EncodedTable] = field(default_factory=dict)  # schema tables present, schema order
    rows: dict[str, int] = field(default_factory=dict)  # every frame's row count, in the workbook's order


def encode_workbook(data: WorkbookData) -> EncodedWorkbook:
    """``data`` as ``Store.record`` would encode it (same stored rows), with every frame's row count."""
    return EncodedWorkbook(data.path, data.kind, data.lang, data.info, dict(encoded_tables(data)),
                           {k: len(v) for k, v in data.tables.items()})


def _cast(values: Sequence, dtype: str) -> pd.Series:
    """Stored SQL ``values`` as a Series of ``dtype`` (the general path of every recorded dtype)."""
    if dtype.startswith("datetime64"):
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601")).astype(dtype)
    if dtype in ("Int64", "Int32", "int64"):
        return pd.Series(pd.array(list(values), dtype="Int64")).astype(dtype)
    if dtype == "boolean" or dtype == "bool":
        return pd.Series(pd.array([None if v is None else bool(v) for v in values], dtype="boolean")).astype(dtype)
    if dtype.startswith("float"):
        return pd.Series(np.array(values, dtype="float64")).astype(dtype)  # None -> NaN
    return pd.Series(list(values), dtype=object).astype(dtype)


_NONE = type(None)
_NUMBERS = frozenset({float, int, _NONE})
_TEXTS = frozenset({str, _NONE})
_INTEGERS = frozenset({int, _NONE})


def _fast_array(values: Sequence, dtype: str) -> Any:
    """What ``_cast(values, dtype).array`` holds (a NumPy array for NumPy dtypes), built without a Series for the
    reader's usual dtypes and values (str, float64, int64, Int64, boolean, date texts); None when ``values`` are
    not the usual ones (then ``_cast`` decides). A small table's load costs pandas' fixed cost per column, which
    this skips: tests compare both paths on stored ledgers."""
    types = set(map(type, values))
    if dtype == "float64":
        return np.array(values, dtype="float64") if types <= _NUMBERS else None  # None -> NaN, as _cast
    if dtype == "str":
        return pd.array(np.array(values, dtype=object), dtype="str") if types <= _TEXTS else None
    if dtype in ("int64", "Int64", "boolean"):
        if not types <= (_INTEGERS if dtype != "int64" else {int}):
            return None
        mask = np.array([v is None for v in values], dtype=bool) if _NONE in types else np.zeros(len(values), bool)
        filled = [0 if v is None else v for v in values] if _NONE in types else values
        try:
            data = np.array(filled, dtype=np.int64)
        except OverflowError:  # beyond int64: _cast decides
            return None
        if dtype == "int64":
            return data
        if dtype == "Int64":
            return pd.arrays.IntegerArray(data, mask)
        if not bool(((data == 0) | (data == 1)).all()):
            return None
        return pd.arrays.BooleanArray(data == 1, mask)
    if dtype == "datetime64[ns]":
        # ISO dates as the store writes them (``YYYY-MM-DD``; a time of day takes the general path), within the
        # years nanoseconds hold: NumPy wraps a date beyond them round silently, where the general path refuses it
        if types <= _TEXTS and all(v is None or (len(v) == 10 and v[4] == "-" and v[7] == "-"
                                                 and _NS_FIRST <= v <= _NS_LAST) for v in values):
            try:
                return np.array(["NaT" if v is None else v for v in values], dtype="datetime64[ns]")
            except ValueError:
                return None
        return None
    return None


#: The first and last whole days a ``datetime64[ns]`` holds (1677-09-21 and 2262-04-11 only in part), as ISO text.
_NS_FIRST, _NS_LAST = "1677-09-22", "2262-04-10"


def _cast_array(values: Sequence, dtype: str) -> Any:
    """``values`` decoded to ``dtype`` as a frame's column: ``_fast_array``'s array, else ``_cast``'s Series (a
    Series keeps an ``object`` dtype, which a frame built from the bare object array would read as text)."""
    fast = _fast_array(values, dtype)
    return fast if fast is not None else _cast(values, dtype)


def _frame(columns: dict[str, Any], n: int, names: Sequence[str]) -> pd.DataFrame:
    """A frame of the decoded ``columns`` (arrays of ``n`` values each), in the order ``names``."""
    return pd.DataFrame(columns, index=pd.RangeIndex(n), columns=list(names), copy=False)


def decode(rows: list[tuple], names: list[str], columns: list[str], dtypes: dict[str, str]) -> pd.DataFrame:
    """A frame from SQL ``rows`` (in ``names`` order) with the recorded column order and dtypes."""
    by_name = {n: i for i, n in enumerate(names)}
    transposed = list(zip(*rows)) if rows else [() for _ in names]
    data: dict[str, Any] = {}
    extra_values: list[dict] | None = None
    for col in columns:
        if col in by_name:
            values = transposed[by_name[col]]
        else:  # an extra column, kept as JSON in _extra
            if extra_values is None:
                raw = transposed[by_name[EXTRA]]
                extra_values = [json.loads(v) if v else {} for v in raw]
            values = [d.get(col) for d in extra_values]
        data[col] = _cast_array(values, dtypes.get(col, "object"))
    return _frame(data, len(rows), columns)


def decode_table(encoded: EncodedTable, table: Table) -> pd.DataFrame:
    """The frame the store reads back for ``encoded`` (``Store.iter_table``, without ``department``/``source``):
    ``_row`` and the schema columns, with the recorded dtypes, decoded from the values as written."""
    recorded = json.loads(encoded.dtypes)
    values = dict(zip(encoded.names, encoded.values))
    dtypes = {c.key: recorded.get(c.key, DTYPES[c.type]) for c in table.columns} | {ROW: recorded.get(ROW, "Int64")}
    names = [ROW, *table.keys]
    return _frame({n: _cast_array(values[n], dtypes[n]) for n in names}, encoded.rows, names)


def decode_stacked(encoded: Sequence[EncodedTable], table: Table) -> pd.DataFrame | None:
    """``decode_table`` of each of ``encoded`` (tables of one schema table, one per snapshot) stacked with
    ``pd.concat(..., ignore_index=True)``, with each column decoded once over all their rows: the same frame
    without pandas' fixed cost per snapshot and column. A categorical column is decoded per snapshot and
    concatenated (categories differ between snapshots, and pandas then stacks them as objects). None where the
    snapshots recorded different dtypes or columns: then decode each and stack them."""
    if not encoded:
        return None
    first = encoded[0]
    if any(e.dtypes != first.dtypes or e.names != first.names for e in encoded):
        return None
    if len(encoded) == 1:
        return decode_table(first, table)
    recorded = json.loads(first.dtypes)
    dtypes = {c.key: recorded.get(c.key, DTYPES[c.type]) for c in table.columns} | {ROW: recorded.get(ROW, "Int64")}
    names = [ROW, *table.keys]
    at = {n: i for i, n in enumerate(first.names)}

    def column(name: str) -> Any:
        i = at[name]
        if dtypes[name] == "category":
            return pd.concat([_cast(e.values[i], "category") for e in encoded], ignore_index=True)
        return _cast_array(list(itertools.chain.from_iterable(e.values[i] for e in encoded)), dtypes[name])

    return _frame({n: column(n) for n in names}, sum(e.rows for e in encoded), names)


def cell_values(values: Sequence, dtype: str, kind: str, lang: str = "en") -> list:
    """What ``toolkit.io.cells.cell_values`` gives for the decoded column, straight from the stored SQL
    values: the consolidated workbook renders rows from the store without building frames (~3x faster).

    Columns of the reader's usual dtypes take a fast path; anything else is decoded and converted the
    slow way, so the result is the same in every case (tests compare the two)."""
    fast = _FAST.get((kind, _dtype_family(dtype)))
    if fast is not None:
        out = fast(values, lang)
        if out is not None:
            return out
    return typed_values(_cast(values, dtype), kind, lang)


def _dtype_family(dtype: str) -> str:
    return "datetime" if dtype.startswith("datetime64[") and dtype.endswith("]") and "," not in dtype else dtype


def _fast_text(values: Sequence, lang: str) -> list | None:
    out = list(values)
    return out if all(type(v) is str for v in out if v is not None) else None


def _fast_float(values: Sequence, lang: str) -> list | None:
    out = list(values)
    if not all(type(v) is float or type(v) is int for v in out if v is not None):
        return None
    numbers = np.array([np.nan if v is None else v for v in out], dtype="float64") + 0.0  # -0.0 as 0, as cells.py
    ok = np.isfinite(numbers)
    if ok.all():
        return numbers.tolist()
    result = np.full(len(out), None, dtype=object)
    result[ok] = numbers[ok].tolist()
    return result.tolist()


def _fast_integer(values: Sequence, lang: str) -> list | None:
    out = list(values)
    if not all(type(v) is int for v in out if v is not None):
        return None
    return [v if v is None or -2**53 < v < 2**53 else float(v) for v in out]


def _serial_values(values: Sequence, month: bool) -> list | None:
    out = list(values)
    if not all(type(v) is str for v in out if v is not None):
        return None
    try:
        stamps = np.array(["NaT" if v is None else v for v in out], dtype="datetime64[ns]")
    except ValueError:
        return None
    if month:
        stamps = stamps.astype("datetime64[M]").astype("datetime64[ns]")
    serial = serials(stamps)
    ok = ~np.isnan(serial)
    result = np.full(len(out), None, dtype=object)
    result[ok] = serial[ok].tolist()
    return result.tolist()


def _fast_bool(values: Sequence, lang: str) -> list | None:
    out = list(values)
    if not all(type(v) is int and v in (0, 1) for v in out if v is not None):
        return None
    labels = (enums.YES_NO.label("No", lang), enums.YES_NO.label("Yes", lang))
    return [None if v is None else labels[v] for v in out]


_FAST = {
    ("text", "str"): _fast_text,
    **{(k, "float64"): _fast_float for k in ("money", "percent", "number")},
    ("integer", "Int64"): _fast_integer,
    ("date", "datetime"): lambda values, lang: _serial_values(values, False),
    ("month", "datetime"): lambda values, lang: _serial_values(values, True),
    ("bool", "boolean"): _fast_bool,
}
