"""The ledger every computation runs on: all department tables stacked, plus the standards.

Core functions (royalties, completion, funds, forecast, appraisal) only read ``Ledger.tables`` and
``Ledger.standards``; they never see files. Building a ledger from files or from the history store is
an operation (``toolkit.operations.ledger``).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import unicodedata

from .departments import DepartmentNames, department_aliases, department_key, departments_of
from .findings import Finding, codes
from .keys import canonical_tables
from .tables import WorkbookData
from ..schema import DEPARTMENT, DTYPES, STANDARDS, THRESHOLD_DEFAULTS, Table
from .departments import department_key

#: Columns every stacked department frame gains.
LEDGER_COLUMNS = ("department", "source")

#: Finding codes that make a computed number unreliable even as warnings (the catalog's ``unreliable`` tag); they
#: are listed with results.
UNRELIABLE_CODES = frozenset(codes("unreliable"))


#: Empty frames built so far, by their columns, dtypes and pandas' text storage (``mode.string_storage``: what
#: "str" means): ``empty_frame`` hands out copies (~1 ms to build, ~30 µs to copy; a ledger of departments
#: without Leave or Training builds several).
_EMPTY: dict[tuple[Any, ...], pd.DataFrame] = {}


def empty_frame(table: Table, extra: Sequence[str] = ()) -> pd.DataFrame:
    """A typed, empty frame with the table's columns, ``_row`` and ``extra`` text columns (a new frame each call,
    copied from the first one built for the same columns and dtypes)."""
    key = (tuple((c.key, DTYPES[c.type]) for c in table.columns), tuple(extra), pd.get_option("mode.string_storage"))
    frame = _EMPTY.get(key)
    if frame is None:
        frame = _EMPTY[key] = build_empty_frame(table, extra)
    return frame.copy(deep=True)


def build_empty_frame(table: Table, extra: Sequence[str] = ()) -> pd.DataFrame:
    """``empty_frame`` built from its columns (the first time, and for the tests comparing the two)."""
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


#: ``Ledger.memo``'s key of the thresholds read from the standards (``Ledger.threshold``).
THRESHOLDS_KEY = ("toolkit.core.ledger.thresholds", "")


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
    #: Results of ``per_ledger`` computations on this ledger (a ledger is not changed once built).
    memo: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False, compare=False)
    #: Each department's workbook language (``en``/``zh``): the language its people's statements are in.
    langs: dict[str, str] = field(default_factory=dict)
    #: Employees with rows in a department not consolidated (a transfer from it) -> that department: not computed.
    absent_people: dict[str, str] = field(default_factory=dict)
    #: Each department's workbook (its path as read): plan drafting names the department's new workbook after it.
    sources: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for table in DEPARTMENT.tables:
            if table.key not in self.tables:
                self.tables[table.key] = empty_frame(table, LEDGER_COLUMNS)
        # one key normaliser (core.keys): every key column in its master's spelling, so each join finds what
        # validation accepted (an ``hx-cloud`` contract gets HX-Cloud's factor, ``1002.0`` is employee 1002)
        if self.standards is not None:
            tables, std = canonical_tables(self.tables, self.standards.tables,
                                           department_aliases(self.standards.tables.get("Roster")))
            self.tables.update(tables)
            if std is not self.standards.tables and any(std[k] is not v for k, v in self.standards.tables.items()):
                self.standards = dataclasses.replace(self.standards, tables=std)

    @classmethod
    def from_workbooks(
        cls, workbooks: Iterable[WorkbookData], standards: WorkbookData, findings: Iterable[Finding] = (),
        keys: Iterable[str] | None = None,
    ) -> Ledger:
        """Stack already-read department workbooks; each row gains its workbook's department and path.
        ``keys``: only these tables (the others stay empty), for callers that need a few."""
        books = list(workbooks)
        wanted = None if keys is None else set(keys)
        roster = roster_departments(standards)
        names = {id(wb): _department(wb, roster) for wb in books}
        tables: dict[str, pd.DataFrame] = {}
        for table in DEPARTMENT.tables:
            if wanted is not None and table.key not in wanted:
                continue
            have = [wb for wb in books if table.key in wb.tables and len(wb.tables[table.key])]
            if have:
                sizes = [len(wb.tables[table.key]) for wb in have]
                frame = pd.concat([wb.tables[table.key] for wb in have], ignore_index=True)
                frame["department"] = pd.Series(np.repeat([names[id(wb)] for wb in have], sizes), dtype="str")
                frame["source"] = pd.Series(np.repeat([str(wb.path) for wb in have], sizes), dtype="str")
                tables[table.key] = frame
        return cls(tables, standards, list(findings), [str(wb.path) for wb in books],
                   langs={names[id(wb)]: wb.lang for wb in books},
                   sources={names[id(wb)]: str(wb.path) for wb in books})

    def threshold(self, name: str) -> float:
        """A Thresholds value by canonical name (e.g. ``"Amber Band"``), with the schema default. The sheet is read
        once per ledger and Thresholds frame (``thresholds`` costs ~0.5 ms; a close asks dozens of times); a frame
        changed in place after that first read is not seen — a ledger is not changed once built, as ``per_ledger``
        assumes."""
        frame = None if self.standards is None else self.standards.tables.get("Thresholds")
        hit = self.memo.get(THRESHOLDS_KEY)
        if hit is None or hit[0] is not frame:  # the very frame (the memo holds it, so its id is not reused)
            hit = self.memo[THRESHOLDS_KEY] = (frame, thresholds(self.standards))
        return hit[1][name]

    def standard(self, key: str) -> pd.DataFrame:
        """A standards table by key (``"Roster"``, ``"ProductLines"`` …), empty when absent."""
        return standards_table(self.standards, key)

    def missing_columns(self, table_key: str) -> dict[str, set[str]]:
        """Department -> the ``table_key`` columns its workbook lacks that a computation needs (the reader's
        ``column-missing-needed`` findings): the figures depending on them are not computed for it."""
        def loose(text: object) -> str:  # the reader takes sheet names and headers ignoring width, case, spaces
            return "".join(unicodedata.normalize("NFKC", str(text)).split()).casefold()

        table = DEPARTMENT.table(table_key)
        sheets = {loose(s) for s in table.sheet.all()}
        by_header = {loose(h): c.key for c in table.columns for h in (c.header("en"), c.header("zh"))}
        missing = [f for f in self.findings if f.code == "column-missing-needed" and loose(f.sheet) in sheets
                   and loose(f.column) in by_header]
        if not missing:  # the usual case: no need to map every row's workbook to its department
            return {}
        source_dept: dict[str, str] = {}
        for key in (table_key, "Plan", "Contracts"):
            f = self.tables.get(key)
            if f is not None and len(f):
                source_dept.update(dict(zip(f["source"].astype(str), f["department"].astype(str))))
        out: dict[str, set[str]] = {}
        for f in missing:
            dept = source_dept.get(str(f.file)) or (department_name(None, f.file) if f.file else None)
            if dept:
                out.setdefault(dept, set()).add(by_header[loose(f.column)])
        return out

    def unreliable_findings(self) -> list[Finding]:
        """Findings to list next to results: every error plus warnings that make a number unreliable."""
        return [f for f in self.findings if f.severity == "error" or f.code in UNRELIABLE_CODES]


def department_name(value: object, path: str | Path, roster_departments: Iterable[object] = ()) -> str:
    """A department's key: the Info sheet's Department matched to the Roster's departments
    (``toolkit.core.departments.department_key``: "华南区" is the Roster's "华南"); the file name (without
    suffix) when the Info sheet names none. The one rule: the ledger, consolidation and every output use it."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()
    if not text or text.casefold() == "nan":
        return Path(str(path)).stem
    return department_key(text, roster_departments).key or text


def roster_departments(standards: WorkbookData | None) -> DepartmentNames:
    """The departments the standards' Roster names, with their other-language names (empty without standards)."""
    return departments_of(standards_table(standards, "Roster"))


def _department(wb: WorkbookData, roster: Iterable[object] = ()) -> str:
    return department_name(wb.info.get("department"), wb.path, roster)


R = TypeVar("R")


def per_ledger(fn: Callable[..., R]) -> Callable[..., R]:
    """Compute ``fn(ledger, period)`` once per ledger: the month close, its outputs and the report all need
    the royalties of every month, which is the costly part. Each caller gets its own copy of the result,
    so a caller that changes what it got cannot change what the next one sees. Calls with further
    arguments are not memoised."""

    @functools.wraps(fn)
    def wrapper(ledger: Ledger, period: str, *args: Any, **kwargs: Any) -> R:
        if args or kwargs:
            return fn(ledger, period, *args, **kwargs)
        key = (f"{fn.__module__}.{fn.__qualname__}", str(period))
        if key not in ledger.memo:
            ledger.memo[key] = fn(ledger, period)
        return copy.deepcopy(ledger.memo[key])

    return wrapper


def per_ledger_arg(ledger: Ledger, key: tuple[str, Any], arg: Any, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``compute()`` once per ledger, ``key`` and the object ``arg`` (the very object, or a frame with the same
    values: ``per_inputs``): completion, the headline, the history and the appendix share one ``monthly_actuals``
    per year and royalty payments. Each caller gets its own copy."""
    return per_inputs(ledger.memo, key, (arg,), compute, equal=True)


def _same(a: Any, b: Any, equal: bool) -> bool:
    """``a`` is ``b``, or two equal scalars (numbers, text); with ``equal``, also two frames with the same values
    (``DataFrame.equals``)."""
    if a is b or (type(a) is type(b) and isinstance(a, (int, float, str)) and a == b):
        return True
    return equal and isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame) and a.equals(b)


def per_inputs(memo: dict[Any, Any] | None, key: tuple[Any, ...], inputs: tuple[Any, ...],
               compute: Callable[[], R], *, equal: bool = False, copy: Callable[[R], R] | None = None) -> R:
    """``compute()`` once per ``key`` and the very objects ``inputs`` (identity; ``memo`` holds them, so their ids
    are never reused; numbers and text by value), for the last such ``inputs`` only, in ``memo`` (a ledger's
    ``memo``; None: computed every time): a core function that takes frames rather than the ledger is given the
    ledger's memo by its ledger-based callers. ``equal``: a frame with
    the same values counts as the same input too (each ``per_ledger`` caller gets its own copy of the royalty
    payments, so the report's copy finds the ``monthly_actuals`` the close's completion computed on another).
    Each caller gets its own copy (``copy``: how to copy a result that is not a frame)."""
    if memo is None:
        return compute()
    hit = memo.get(key)
    if hit is None or len(hit[0]) != len(inputs) or not all(_same(a, b, equal) for a, b in zip(hit[0], inputs)):
        hit = memo[key] = (inputs, compute())
    return copy(hit[1]) if copy is not None else hit[1].copy()


def memoised(ledger: Ledger, fn: Callable[..., Any], period: str) -> bool:
    """Whether ``fn(ledger, period)`` (a ``per_ledger`` computation) is already memoised on ``ledger``."""
    return (f"{fn.__module__}.{fn.__qualname__}", str(period)) in ledger.memo


def remember(ledger: Ledger, fn: Callable[..., Any], period: str, value: Any) -> None:
    """From now on ``fn(ledger, period)`` (a ``per_ledger`` computation) gives copies of ``value``: the month
    close puts the royalties as the payout ledger pays them, so its outputs and report show what is paid."""
    ledger.memo[(f"{fn.__module__}.{fn.__qualname__}", str(period))] = value

