"""Build small in-memory ledgers, typed as the reader types them, for the computation tests."""

from __future__ import annotations

from typing import Any

import pandas as pd

from toolkit.core.tables import WorkbookData
from toolkit.core.ledger import Ledger, empty_frame
from toolkit.schema import DEPARTMENT, STANDARDS, Table


def typed(table: Table, rows: list[dict[str, Any]], **extra: str) -> pd.DataFrame:
    """Rows (dicts by column key; missing keys blank) as a frame with the reader's dtypes."""
    base = empty_frame(table, tuple(extra))
    if not rows:
        return base
    frame = pd.DataFrame(rows)
    out = {}
    for col in base.columns:
        if col in frame:
            values = frame[col]
        elif col == "_row":
            values = pd.Series(range(2, len(frame) + 2))
        elif col in extra:
            values = pd.Series([extra[col]] * len(frame))
        else:
            values = pd.Series([None] * len(frame))
        dtype = base[col].dtype
        if str(dtype).startswith("datetime"):
            out[col] = pd.to_datetime(values).astype(dtype)
        elif str(dtype) == "float64":
            out[col] = pd.to_numeric(values).astype("float64")
        else:
            out[col] = values.astype(dtype)
    return pd.DataFrame(out)


def department_book(name: str, year: int = 2025, **tables: list[dict[str, Any]]) -> WorkbookData:
    """A department WorkbookData with the given tables (rows by column key)."""
    return WorkbookData(
        path=f"{name}.xlsx",
        kind="department",
        info={"department": name, "year": year, "period": f"{year}-03"},
        tables={k: typed(DEPARTMENT.table(k), v) for k, v in tables.items()},
    )


def standards_book(**tables: list[dict[str, Any]]) -> WorkbookData:
    """A standards WorkbookData with the given tables."""
    return WorkbookData(
        path="standards.xlsx", kind="standards",
        tables={k: typed(STANDARDS.table(k), v) for k, v in tables.items()},
    )


def ledger(books: list[WorkbookData], standards: WorkbookData) -> Ledger:
    """Stack department books into a Ledger."""
    return Ledger.from_workbooks(books, standards)


def plan_row(emp: str, indicator: str, months: list[float]) -> dict[str, Any]:
    """A Plan row with the first len(months) months filled, the rest 0, Annual = Σ."""
    vals = list(months) + [0.0] * (12 - len(months))
    row: dict[str, Any] = {"employee_id": emp, "indicator": indicator, "annual": sum(vals)}
    row.update({f"m{i:02d}": v for i, v in enumerate(vals, start=1)})
    return row
