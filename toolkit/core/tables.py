"""The typed tables a workbook becomes once read: the contract between the reader and the core."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .findings import Finding


def is_str_dtype(dtype: Any) -> bool:
    """The typed tables' text dtype ``"str"`` (missing as NaN), whichever way pandas stores it: Python strings, or
    Arrow strings when pyarrow is installed (pandas 3). Code with a fast path for text takes both, so results and
    speed do not depend on pyarrow (issue 21); the ``"string"`` dtype (missing as ``pd.NA``) is not this."""
    return isinstance(dtype, pd.StringDtype) and dtype.na_value is not pd.NA


@dataclass
class TableLayout:
    """Where a table sits in its file, so findings can name cells as the user sees them."""

    sheet: str  # sheet name as in the file
    header_row: int  # 1-based
    columns: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (letter, header as written)
    extra: dict[str, str] = field(default_factory=dict)  # extra header -> letter
    #: Schema columns absent from the file (issue 14). A computation that needs one of them (Delivered, Payment
    #: Terms, the split columns: ``Column.needed_for``) must treat its figures as not computable, never as zero;
    #: the typed frame carries the same tuple as ``frame.attrs["missing_columns"]`` (no ``attrs`` when none is absent).
    missing: list[str] = field(default_factory=list)

    def cell(self, key: str, row: int) -> str:
        """A1 address of column ``key`` at sheet row ``row`` (the header's letter if the column is absent)."""
        letter = self.columns.get(key, ("A", ""))[0]
        return f"{letter}{row}"

    def computable(self, key: str) -> bool:
        """False when column ``key`` is absent from the file, so figures that depend on it are not computable."""
        return key not in self.missing

    def header(self, key: str) -> str | None:
        """The header as written in the file, or None if the column is absent."""
        found = self.columns.get(key)
        return found[1] if found else None


@dataclass
class WorkbookData:
    """A department or standards workbook as typed DataFrames, one per table (see docs/architecture.md)."""

    path: str
    kind: str
    lang: str = "en"
    info: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    layout: dict[str, TableLayout] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    info_cells: dict[str, tuple[str, str]] = field(default_factory=dict)  # Info field key -> (sheet, cell)
