"""Typed columns as the plain values written to worksheet cells (Excel serial dates, numbers, text).

Shared by the workbook writers (``toolkit.io.writer``, the row renderer) and the history store, which
renders stored rows straight to cell values; it writes nothing itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..schema import enums


def infer_kind(values: pd.Series) -> str:
    """The kind a column is written as when the caller gives none, from its dtype (or its values)."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "number"
    if dtype == object:
        inferred = pd.api.types.infer_dtype(values, skipna=True)
        return {"integer": "integer", "floating": "number", "mixed-integer-float": "number", "decimal": "number",
                "boolean": "bool", "datetime64": "date", "datetime": "date", "date": "date"}.get(inferred, "text")
    return "text"


_DAY_NS = 86_400_000_000_000
_UNIX_SERIAL = 25569  # 1970-01-01 as an Excel serial number


def serials(stamps: pd.Series | np.ndarray) -> np.ndarray:
    """Excel serial numbers (1900 system) of datetimes, NaN for NaT. Whole days and the time of day are
    taken apart so that dates more than 292 years after 1899 (the reader allows up to 2199) cannot
    overflow nanosecond arithmetic."""
    ns = np.asarray(stamps, dtype="datetime64[ns]").view("i8")
    missing = np.isnat(ns.view("datetime64[ns]"))
    days, rem = np.divmod(ns, _DAY_NS)
    serial = (days + _UNIX_SERIAL).astype(float) + rem / _DAY_NS
    serial[missing] = np.nan
    return serial


#: Kinds written as numbers (a value that is not one is written as its text).
NUMERIC_KINDS = ("money", "percent", "number", "integer", "ratio")


def cell_values(values: pd.Series, kind: str, lang: str = "en") -> list[Any]:
    """A column as the plain Python values written to cells: float/int/str/bool, None for blank.

    Dates and months become Excel serial numbers (1900 system); values that do not fit the kind
    (e.g. ``"abc"`` in a money column) are written as their text; ±inf is blank.
    """
    kind = str(getattr(kind, "value", kind))
    if len(values) == 0:
        return []
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    return column_cells(values, kind, lang, plain=is_plain(values))


def is_plain(values: pd.Series) -> bool:
    """Whether ``column_cells`` may take the column's values as numpy arrays (a numpy dtype, naive dates
    included, Python or Arrow strings, nullable whole or decimal numbers) instead of through pandas Series
    methods: each of those costs ~0.1 ms, most of what a short column's cells cost (issue 24)."""
    dtype = values.dtype
    return (isinstance(dtype, np.dtype) and dtype.kind in "fiubMO") or isinstance(dtype, pd.StringDtype) or \
        isinstance(values.array, (pd.arrays.IntegerArray, pd.arrays.FloatingArray))


def column_cells(values: pd.Series, kind: str, lang: str, plain: bool) -> list[Any]:
    """``cell_values`` of a non-empty, non-categorical column of value kind ``kind``; ``plain``: its values
    taken as numpy arrays (``is_plain``), else through pandas (every dtype). Both give the same values."""
    n = len(values)
    if plain and values.dtype == np.float64 and kind in NUMERIC_KINDS and kind != "integer":
        # what the numeric branch gives a float column (finite values, -0.0 as 0; NaN and ±inf blank) without its
        # masks: the commonest column of a small workbook (money, percentages)
        return [x if x - x == 0 else None for x in (values.to_numpy() + 0.0).tolist()]
    present = ~np.asarray(values.array.isna(), dtype=bool) if plain else values.notna().to_numpy()

    def objects() -> np.ndarray:  # the values as Python objects (read only)
        return values.to_numpy(dtype=object) if plain else values.astype(object).to_numpy()

    out = np.full(n, None, dtype=object)
    if kind in ("date", "month"):
        if plain and values.dtype.kind == "M":  # naive numpy datetimes
            stamps = values.to_numpy()
            if kind == "month":
                stamps = stamps.astype("datetime64[M]")
        else:
            if pd.api.types.is_datetime64_any_dtype(values.dtype):
                stamps = values
                if getattr(values.dt, "tz", None) is not None:
                    stamps = values.dt.tz_localize(None)
            else:
                # eq(True): missing is not a date (fillna(False) on a float column is an error in pandas 4)
                stamps = pd.to_datetime(values.where(values.map(_is_datelike, na_action="ignore").eq(True)),
                                        errors="coerce")
            if kind == "month":
                stamps = stamps.dt.to_period("M").dt.to_timestamp()
        serial = serials(stamps)
        ok = ~np.isnan(serial)
        out[ok] = serial[ok].tolist()
        _raw_text(out, objects, present & ~ok)
    elif kind in NUMERIC_KINDS:
        if pd.api.types.is_bool_dtype(values.dtype):
            numbers = values.to_numpy().astype("float64") if plain else values.astype("float64").to_numpy()
        elif pd.api.types.is_numeric_dtype(values.dtype):
            numbers = values.to_numpy(dtype=float, na_value=np.nan)
        else:
            # a plain bool mask whatever the column's dtype (Python or Arrow strings, all missing): no fillna
            text = np.fromiter((isinstance(v, (str, bool)) for v in values.to_numpy(dtype=object)), bool, len(values))
            if plain and values.dtype.kind != "M":  # pandas' to_numeric reads datetimes as their nanoseconds
                numeric = values.to_numpy(dtype=object).copy()
                numeric[text] = np.nan
                numbers = np.asarray(pd.to_numeric(numeric, errors="coerce"), dtype=float)
            else:
                numbers = pd.to_numeric(values.where(~text), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        numbers = numbers + 0.0  # -0.0 is written as 0, the same in every writer (Excel shows it as 0 anyway)
        ok = np.isfinite(numbers)
        if kind == "integer":
            whole = ok & (numbers == np.round(numbers)) & (np.abs(numbers) < 2**53)
            out[whole] = numbers[whole].astype(np.int64).tolist()
            rest = ok & ~whole
            out[rest] = numbers[rest].tolist()
        else:
            out[ok] = numbers[ok].tolist()
        _raw_text(out, objects, present & ~ok & ~np.isinf(numbers))
    elif kind == "bool":
        labels = {True: enums.YES_NO.label("Yes", lang), False: enums.YES_NO.label("No", lang)}

        def label(v: Any) -> str | None:  # a boolean as the language's Yes/No, anything else as its text
            return labels.get(v) if isinstance(v, (bool, np.bool_)) else str(v)

        if plain:
            out[present] = [label(v) for v in objects()[present]]
        else:
            out[present] = values.map(label, na_action="ignore").to_numpy(dtype=object)[present]
    else:
        out[present] = [v if type(v) is str else str(v) for v in objects()[present]]  # str dtype may hold np.str_
    return out.tolist()


def _is_datelike(v: object) -> bool:
    return isinstance(v, (dt.date, np.datetime64))


def _raw_text(out: np.ndarray, objects: Callable[[], np.ndarray], where: np.ndarray) -> None:
    """The values at ``where`` (which do not fit their kind) written as their text."""
    if where.any():
        out[where] = [v if type(v) is str else str(v) for v in objects()[where]]
