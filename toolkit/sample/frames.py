"""Typed frames from row dicts, following the schema (the same dtypes the reader returns)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from ..money import round_series
from ..schema import DTYPES, ColType, Table



def typed_frame(table: Table, rows: Iterable[Mapping] | Mapping | pd.DataFrame) -> pd.DataFrame:
    """A frame with exactly ``table``'s columns in schema order, each with its schema dtype.

    Missing columns are all-missing; money is rounded to cents (half away from zero).
    """
    if isinstance(rows, pd.DataFrame):
        src = rows
    else:
        src = pd.DataFrame(dict(rows)) if isinstance(rows, Mapping) else pd.DataFrame(list(rows))
    out = {}
    for col in table.columns:
        values = src[col.key] if col.key in src.columns else pd.Series([None] * len(src), index=src.index)
        if col.type is ColType.TEXT:
            values = values.astype("object").where(values.notna(), None)
        series = values.astype(DTYPES[col.type]) if len(values) else pd.Series(dtype=DTYPES[col.type])
        if col.type is ColType.MONEY:
            series = round_series(series)
        out[col.key] = series.reset_index(drop=True)
    return pd.DataFrame(out, columns=table.keys)


def document_numbers(frame: pd.DataFrame, date_col: str, code: str, doc: str, width: int = 4) -> pd.Series:
    """Document numbers like ``EC-HT2025-0001``, numbered per year in date order (frame already sorted)."""
    year = frame[date_col].dt.year
    seq = frame.groupby(year).cumcount() + 1
    return code + "-" + doc + year.astype("str") + "-" + seq.astype("str").str.zfill(width)
