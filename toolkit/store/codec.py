"""Typed frames to SQL rows and back, vectorised per column, so a snapshot round-trips its dtypes.

Dates go in as ISO text, booleans as 0/1, missing values as NULL; each snapshot table records its
frame's column order and dtypes, and loading casts back to exactly those.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..schema import Table

ROW = "_row"
EXTRA = "_extra"


_SIGNED_MASKED = frozenset({"Int8", "Int16", "Int32", "Int64"})


def _with_none(values: list, missing: np.ndarray) -> list:
    """``values`` with None at the positions the boolean array ``missing`` marks."""
    for i in np.flatnonzero(missing).tolist():
        values[i] = None
    return values


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
        return s.to_numpy(dtype=object, na_value=None).tolist()
    if pd.api.types.is_datetime64_any_dtype(dtype):
        values = s.to_numpy(dtype="datetime64[ns]")
        days = values.astype("datetime64[D]")
        missing = np.isnat(values)
        unit = "D" if bool((days == values)[~missing].all()) else "s"
        text = np.datetime_as_string(values, unit=unit).astype(object)
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


def _cast(values: Sequence, dtype: str) -> pd.Series:
    if dtype.startswith("datetime64"):
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601")).astype(dtype)
    if dtype in ("Int64", "Int32", "int64"):
        return pd.Series(pd.array(list(values), dtype="Int64")).astype(dtype)
    if dtype == "boolean" or dtype == "bool":
        return pd.Series(pd.array([None if v is None else bool(v) for v in values], dtype="boolean")).astype(dtype)
    if dtype.startswith("float"):
        return pd.Series(np.array(values, dtype="float64")).astype(dtype)  # None -> NaN
    return pd.Series(list(values), dtype=object).astype(dtype)


def decode(rows: list[tuple], names: list[str], columns: list[str], dtypes: dict[str, str]) -> pd.DataFrame:
    """A frame from SQL ``rows`` (in ``names`` order) with the recorded column order and dtypes."""
    by_name = {n: i for i, n in enumerate(names)}
    transposed = list(zip(*rows)) if rows else [() for _ in names]
    data: dict[str, pd.Series] = {}
    extra_values: list[dict] | None = None
    for col in columns:
        if col in by_name:
            values = transposed[by_name[col]]
        else:  # an extra column, kept as JSON in _extra
            if extra_values is None:
                raw = transposed[by_name[EXTRA]]
                extra_values = [json.loads(v) if v else {} for v in raw]
            values = [d.get(col) for d in extra_values]
        data[col] = _cast(values, dtypes.get(col, "object"))
    frame = pd.DataFrame(data, columns=columns)
    return frame
