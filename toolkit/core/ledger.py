"""The ledger every computation runs on: all department tables stacked, plus the standards.

Core functions (royalties, completion, funds, forecast, appraisal) only read ``Ledger.tables`` and
``Ledger.standards``; they never see files. Building a ledger from files or from the history store is
an operation (``toolkit.operations.ledger``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .findings import Finding
from .tables import WorkbookData
from ..schema import DEPARTMENT, DTYPES, STANDARDS, THRESHOLD_DEFAULTS, Table

#: Columns every stacked department frame gains.
LEDGER_COLUMNS = ("department", "source")

#: Finding codes that make a computed number unreliable even as warnings; they are listed with results.
UNRELIABLE_CODES = frozenset(
    {
        "unknown-employee",
        "unknown-contract",
        "unknown-product-line",
        "file-unreadable",
        "collection-exceeds-contract",
        "type-error",
        "formula-error",
        "required-missing",
        "duplicate-key",
        "date-out-of-period",
        "column-missing-optional",
    }
)



def empty_frame(table: Table, extra: Sequence[str] = ()) -> pd.DataFrame:
    """A typed, empty frame with the table's columns, ``_row`` and ``extra`` text columns."""
    cols: dict[str, pd.Series] = {c.key: pd.Series(dtype=DTYPES[c.type]) for c in table.columns}
    cols["_row"] = pd.Series(dtype="Int64")
    for name in extra:
        cols[name] = pd.Series(dtype="str")
    return pd.DataFrame(cols)


def thresholds(standards: WorkbookData | None) -> dict[str, float]:
    """Threshold values by canonical name: the Thresholds sheet over ``THRESHOLD_DEFAULTS``."""
    out = dict(THRESHOLD_DEFAULTS)
    frame = None if standards is None else standards.tables.get("Thresholds")
    if frame is not None and len(frame):
        rows = frame.dropna(subset=["name", "value"])
        out.update({str(k): float(v) for k, v in zip(rows["name"], rows["value"])})
    return out


def standards_table(standards: WorkbookData | None, key: str) -> pd.DataFrame:
    """A standards table by key, or a typed empty frame when the workbook lacks it."""
    frame = None if standards is None else standards.tables.get(key)
    return frame if frame is not None else empty_frame(STANDARDS.table(key))


@dataclass
class Ledger:
    """Every department table stacked (with ``department`` and ``source``), the standards and the findings.

    Every department table key is present in ``tables`` (empty and typed when no file had it), so
    computations never test for absence.
    """

    tables: dict[str, pd.DataFrame]
    standards: WorkbookData
    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    #: Inputs that were meant to be in the ledger but are not (file or department -> why): never computed as zero.
    left_out: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for table in DEPARTMENT.tables:
            if table.key not in self.tables:
                self.tables[table.key] = empty_frame(table, LEDGER_COLUMNS)

    @classmethod
    def from_workbooks(
        cls, workbooks: Iterable[WorkbookData], standards: WorkbookData, findings: Iterable[Finding] = (),
        keys: Iterable[str] | None = None,
    ) -> Ledger:
        """Stack already-read department workbooks; each row gains its workbook's department and path.
        ``keys``: only these tables (the others stay empty), for callers that need a few."""
        books = list(workbooks)
        wanted = None if keys is None else set(keys)
        tables: dict[str, pd.DataFrame] = {}
        for table in DEPARTMENT.tables:
            if wanted is not None and table.key not in wanted:
                continue
            have = [wb for wb in books if table.key in wb.tables and len(wb.tables[table.key])]
            if have:
                sizes = [len(wb.tables[table.key]) for wb in have]
                frame = pd.concat([wb.tables[table.key] for wb in have], ignore_index=True)
                frame["department"] = pd.Series(np.repeat([_department(wb) for wb in have], sizes), dtype="str")
                frame["source"] = pd.Series(np.repeat([str(wb.path) for wb in have], sizes), dtype="str")
                tables[table.key] = frame
        return cls(tables, standards, list(findings), [str(wb.path) for wb in books])

    def threshold(self, name: str) -> float:
        """A Thresholds value by canonical name (e.g. ``"Amber Band"``), with the schema default."""
        return thresholds(self.standards)[name]

    def standard(self, key: str) -> pd.DataFrame:
        """A standards table by key (``"Roster"``, ``"ProductLines"`` …), empty when absent."""
        return standards_table(self.standards, key)

    def unreliable_findings(self) -> list[Finding]:
        """Findings to list next to results: every error plus warnings that make a number unreliable."""
        return [f for f in self.findings if f.severity == "error" or f.code in UNRELIABLE_CODES]


def department_name(value: object, path: str | Path) -> str:
    """A department's key: the Info sheet's Department, trimmed; the file name (without suffix) when blank.

    The one rule for naming a department: the ledger, consolidation and every output use it.
    """
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()
    return text if text and text.casefold() != "nan" else Path(str(path)).stem


def _department(wb: WorkbookData) -> str:
    return department_name(wb.info.get("department"), wb.path)
