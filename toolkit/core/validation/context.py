"""What every rule needs: the department's frames and layout, the standards, the period, thresholds.

Also the one helper that turns offending rows into ``Finding`` records (``Context.emit``), so rules
stay one column operation each and never spell a sheet name or a header.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..periods import period_of
from ...schema import SCHEMAS, THRESHOLD_DEFAULTS
from ...schema.model import Table
from ..findings import Finding
from ..keys import key_form
from ..ledger import thresholds as read_thresholds
from ..tables import TableLayout, WorkbookData, is_str_dtype
from ..workdays import Calendar

#: The rules' numpy screens and fast paths (see ``TextColumn``) are on; False runs every rule on its reference
#: pandas code only, so a test can check that both give the same findings (tests/test_validation_screens.py).
SCREENS = True

#: The Info sheet's period, leniently (dates too); one parser for the whole toolkit.
parse_period = period_of


def as_text(value: object) -> str | None:
    """A cell value as the text a user would recognise: dates as YYYY-MM-DD, 12.0 as 12."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime, np.datetime64)):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(round(f, 10))
    if isinstance(value, (bool, np.bool_)):
        return "Yes" if value else "No"
    return str(value)


def as_texts(values: pd.Series) -> list[str | None]:
    """``as_text`` over a column, with fast paths for dates and text."""
    if pd.api.types.is_datetime64_any_dtype(values):
        out = values.dt.strftime("%Y-%m-%d")
        return [None if pd.isna(v) else v for v in out.tolist()]
    if pd.api.types.is_string_dtype(values) and values.dtype != object:
        return [None if pd.isna(v) else v for v in values.tolist()]
    return [as_text(v) for v in values.tolist()]


@dataclass
class Context:
    """The inputs of one validation run, with thresholds, calendar and roster resolved once."""

    data: WorkbookData
    standards: WorkbookData | None
    period: pd.Period | None
    year: int | None
    thresholds: dict[str, float] = field(default_factory=dict)
    calendar: Calendar | None = None
    _reader_cells: set[tuple[str, str]] = field(default_factory=set)
    cache: dict[str, Any] = field(default_factory=dict)  # intermediate results shared by rules

    @classmethod
    def build(cls, data: WorkbookData, standards: WorkbookData | None, period: object) -> "Context":
        p = parse_period(period) if period is not None else parse_period(data.info.get("period"))
        year = data.info.get("year")
        try:
            year = int(year) if year is not None and not pd.isna(year) else None
        except (TypeError, ValueError):
            year = None
        if year is None and p is not None:
            year = p.year
        thresholds = dict(THRESHOLD_DEFAULTS)
        calendar = None
        if standards is not None:
            th = standards.tables.get("Thresholds")
            if th is not None and not th.empty and SCREENS and is_str_dtype(th["name"].dtype) \
                    and th["value"].dtype == np.float64:
                # as read: the named rows' values from two lists (the frame steps of ``thresholds`` cost more than
                # the table)
                thresholds.update((n, v) for n, v in zip(th["name"].tolist(), th["value"].tolist())
                                  if isinstance(n, str) and not math.isnan(v))
            else:
                thresholds = read_thresholds(standards)
            calendar = Calendar.from_table(standards.tables.get("Holidays"))
        # Cells the reader already reported (type-error, formula-error...): rules must not report them again.
        reader_cells = {(f.sheet, cell) for f in data.findings if f.sheet and f.cell
                        for cell in f.params.get("cells", (f.cell,))}
        return cls(data, standards, p, year, thresholds, calendar, reader_cells)

    # --- access ---------------------------------------------------------------------------
    @property
    def schema(self):
        return SCHEMAS[self.data.kind]

    def frame(self, key: str) -> pd.DataFrame | None:
        """The typed frame of table ``key``, or None when the sheet is absent or empty."""
        frame = self.data.tables.get(key)
        if frame is None or frame.empty or key not in self.data.layout:
            return None
        return frame

    def layout(self, key: str) -> TableLayout:
        return self.data.layout[key]

    def std(self, key: str) -> pd.DataFrame | None:
        """A standards table, or None without standards."""
        if self.standards is None:
            return None
        return self.standards.tables.get(key)

    def threshold(self, name: str) -> float:
        return float(self.thresholds[name])

    def period_end(self) -> pd.Timestamp | None:
        if self.period is None:
            return None
        if "period_end" not in self.cache:  # Period.end_time is slow; several rules ask
            self.cache["period_end"] = self.period.end_time.normalize()
        return self.cache["period_end"]

    def reader_flagged(self, table: str, col: str, rows: pd.Series) -> np.ndarray:
        """True for cells the reader already reported (so a missing value there is not 'required-missing')."""
        if not self._reader_cells:
            return np.zeros(len(rows), dtype=bool)
        layout = self.layout(table)
        letter = layout.columns.get(col, ("A", ""))[0]
        sheet = layout.sheet
        return np.array([(sheet, f"{letter}{r}") in self._reader_cells for r in rows.tolist()], dtype=bool)

    # --- findings -------------------------------------------------------------------------
    def emit(
        self,
        code: str,
        table: str,
        col: str,
        rows: pd.DataFrame,
        value: pd.Series | None = None,
        severity: pd.Series | str | None = None,
        per_row: dict[str, pd.Series] | None = None,
        **params: Any,
    ) -> list[Finding]:
        """One finding per row of ``rows`` (a slice of table ``table``), pointing at column ``col``.

        ``value`` defaults to the column's cell values; ``per_row`` adds row-wise message parameters.
        """
        if rows is None or len(rows) == 0:
            return []
        layout = self.layout(table)
        letter, header = layout.columns.get(col, (None, None))
        if letter is None:  # column absent from the file: point at the row's first cell
            letter, header = "A", self.schema.table(table).column(col).header(self.data.lang)
        values = rows[col] if value is None else value
        texts = as_texts(values)
        sevs = severity.tolist() if isinstance(severity, pd.Series) else [severity] * len(rows)
        extra = {k: as_texts(s) for k, s in (per_row or {}).items()}
        out = []
        for i, r in enumerate(rows["_row"].tolist()):
            p = dict(params)
            for k, vals in extra.items():
                p[k] = vals[i]
            out.append(
                Finding(code, sheet=layout.sheet, cell=f"{letter}{r}", row=int(r), column=header, value=texts[i],
                        file=self.data.path, severity=sevs[i], params=p)
            )
        return out

    # --- numpy fast paths (see TextColumn) ---------------------------------------------------
    @property
    def screens(self) -> bool:
        """Whether rules may screen rows on numpy and take fast paths (``SCREENS``)."""
        return SCREENS

    def text(self, table: str, col: str, std: bool = False) -> TextColumn | None:
        """The cached ``TextColumn`` of a department (or standards) table's column; None when not a text column,
        and always None with screens off (every screen built on it then leaves the rule to its pandas code)."""
        if not self.screens:
            return None
        key = ("text", std, table, col)
        if key not in self.cache:
            frame = self.std(table) if std else self.data.tables.get(table)
            s = None if frame is None or col not in frame.columns else frame[col]
            self.cache[key] = text_column(s) if s is not None and is_text(s) else None
        return self.cache[key]

    def present(self, table: str, col: str) -> np.ndarray:
        """``present(frame[col])`` of a department table as a bool array, cached."""
        key = ("present", table, col)
        if key not in self.cache:
            t = self.text(table, col)
            if t is not None:
                self.cache[key] = t.present
                return t.present
            s = self.data.tables[table][col]
            if self.screens and isinstance(s.dtype, np.dtype) and s.dtype.kind in "fM":  # present() is notna()
                a = s.to_numpy()
                self.cache[key] = ~(np.isnan(a) if s.dtype.kind == "f" else np.isnat(a))
            else:
                self.cache[key] = present(s).to_numpy()
        return self.cache[key]

    def table_schema(self, key: str) -> Table:
        return self.schema.table(key)


def by_unique(s: pd.Series, fn) -> pd.Series:
    """``fn`` (a Series -> Series transform) applied once per distinct value: text columns repeat a lot."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    mapped = fn(pd.Series(uniques, dtype=s.dtype)).to_numpy()
    out = np.empty(len(s), dtype=object)
    ok = codes >= 0
    out[ok] = mapped[codes[ok]]
    out[~ok] = None
    return pd.Series(out, index=s.index, name=s.name).astype(mapped.dtype if mapped.dtype != object else "str")


def _text_by_unique(s: pd.Series, fn, dtype: str) -> pd.Series | None:
    """``by_unique`` for a text (``str`` dtype) column with a plain per-string ``fn``; None for other columns.

    Same result as the pandas ``.str`` chain it replaces (``str.strip``, ``str.casefold``, ``re.sub`` are what
    those call per string), without building Series per call: these helpers run ~80 times per workbook."""
    if not is_str_dtype(s.dtype):
        return None
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    mapped = np.array([fn(u) for u in uniques.tolist()] + [None], dtype=object)
    out = mapped[codes]  # code -1 picks the trailing None (missing stays missing)
    return pd.Series(out, index=s.index, name=s.name).astype(dtype)


_DOT_ZERO = re.compile(r"^(\d+)\.0$")


def _one_id(u: str) -> str:
    """``ids`` of one text."""
    u = u.strip()
    return _DOT_ZERO.sub(r"\1", u) if u.endswith(".0") else u  # stripped: no '\n' for '$' to skip


def ids(s: pd.Series) -> pd.Series:
    """IDs compared as text: stripped, a spreadsheet's 1001.0 read as '1001', missing stays missing."""
    fast = _text_by_unique(s, _one_id, "str")
    if fast is not None:
        return fast
    return by_unique(s, lambda u: u.astype("str").str.strip().str.replace(r"^(\d+)\.0$", r"\1", regex=True))


def fold(s: pd.Series) -> pd.Series:
    """Names compared case-insensitively (cities, product lines, departments)."""
    fast = _text_by_unique(s, lambda u: u.strip().casefold(), "str")
    if fast is not None:
        return fast
    return by_unique(s, lambda u: u.astype("str").str.strip().str.casefold())


def present(s: pd.Series) -> pd.Series:
    """True where a cell holds a value (text cells: non-empty)."""
    if is_str_dtype(s.dtype):
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        filled = np.array([u.strip() != "" for u in uniques.tolist()] + [False], dtype=bool)
        return pd.Series(filled[codes], index=s.index)
    m = s.notna().to_numpy()
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        blank = by_unique(s, lambda u: u.astype("str").str.strip().eq("")).to_numpy() == True  # noqa: E712
        m = m & ~blank
    return pd.Series(m, index=s.index)


# --- numpy fast paths --------------------------------------------------------------------------
# Rules run ~35 column checks per workbook and nearly all of them find nothing. Each check first
# screens the rows on numpy arrays (text columns factorized once per run, in ``Context.cache``) and
# builds pandas slices only when some row offends, so the findings stay those of the pandas code.

class TextColumn:
    """A text column factorized once: ``codes`` (-1 where missing) into ``uniques``, with per-distinct-value
    ``present``/``ids``/``fold`` forms computed on demand (the same functions as the Series helpers)."""

    __slots__ = ("_fold", "_ids", "_keys", "_present", "codes", "uniques")

    def __init__(self, codes: np.ndarray, uniques: list[str]) -> None:
        self.codes = codes
        self.uniques = uniques
        self._present = self._ids = self._fold = self._keys = None

    def key_u(self) -> list[str | None]:
        """``core.keys.key_form`` of each distinct value: the form every join compares keys in."""
        if self._keys is None:
            self._keys = list(map(key_form, self.uniques))
        return self._keys

    @property
    def present(self) -> np.ndarray:
        """True where the cell holds non-blank text (``present``)."""
        if self._present is None:
            filled = np.array([*map(bool, map(str.strip, self.uniques)), False], dtype=bool)  # strip() != ""
            self._present = filled[self.codes]
        return self._present

    def ids_u(self) -> list[str]:
        """``ids`` of each distinct value."""
        if self._ids is None:
            self._ids = list(map(_one_id, self.uniques))
        return self._ids

    def fold_u(self) -> list[str]:
        """``fold`` of each distinct value."""
        if self._fold is None:
            self._fold = list(map(str.casefold, map(str.strip, self.uniques)))
        return self._fold

    def ids(self) -> np.ndarray:
        """``ids`` per row as an object array, None where missing."""
        return np.array(self.ids_u() + [None], dtype=object)[self.codes]

    def rows(self, per_value: list, missing: object) -> np.ndarray:
        """Per row: ``per_value``'s entry for the row's distinct value, ``missing`` where the cell is blank."""
        return np.array([*per_value, missing])[self.codes]

    def member(self, forms: list[str], known: set) -> np.ndarray:
        """Per row: the distinct value's form (``ids_u()``/``fold_u()``) is in ``known`` (False where missing)."""
        hit = np.array([*map(known.__contains__, forms), False], dtype=bool)
        return hit[self.codes]

    def group(self, forms: list[str]) -> np.ndarray:
        """Per row: a small integer naming the row's form (equal forms, equal numbers); -1 where missing."""
        numbers = pd.factorize(np.array(forms, dtype=object))[0]  # numbered in order of first appearance
        return np.append(numbers.astype(np.int64), -1)[self.codes]




def is_text(s: pd.Series) -> bool:
    """A ``str`` column (Python or Arrow storage): the columns the fast paths handle."""
    return is_str_dtype(s.dtype)


def text_column(s: pd.Series) -> TextColumn:
    """Factorize a text column (see ``is_text``)."""
    codes, uniques = pd.factorize(s.to_numpy(dtype=object), use_na_sentinel=True)
    return TextColumn(codes, uniques.tolist())


def floats(s: pd.Series) -> np.ndarray:
    """A numeric column as float64 with NaN where missing (``pd.to_numeric(errors="coerce")`` for others)."""
    if s.dtype == np.float64:
        return s.to_numpy()
    if not pd.api.types.is_numeric_dtype(s.dtype):
        s = pd.to_numeric(s, errors="coerce")
    return s.to_numpy(dtype=np.float64, na_value=np.nan)
