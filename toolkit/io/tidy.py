"""Habits of hand-kept tables the reader undoes, each with a finding (issue 14, README "What the reader accepts").

All work on the raw object arrays of one located table, before or right after coercion: totals, subtotal
and notes rows (left out, one warning each), merged cells (filled down), IDs typed full-width or with
spaces (NFKC), dates typed as the number 20260104, percent columns typed in points (3 = 3%).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

import numpy as np

from ..schema import ColType, Column, Table
from .coerce import ArrayKinds

#: A first cell reading like this is a totals row (compared after NFKC, case-folded, spaces removed).
TOTAL_WORDS = re.compile(
    r"^(合计|小计|总计|共计|总合计|本月合计|本年合计|累计|合計|小計|總計|total|totals|subtotal|grandtotal|sum|"
    r"monthtotal|yeartotal)[:：]?(\(.*\))?$"
)
#: First characters a totals label can start with (case-folded; NFKC of a full-width letter folds later): a cheap
#: screen before the regex, since most text columns hold thousands of distinct IDs.
_TOTAL_FIRST = frozenset("合小总共本累總tsgmyTSGMYｔｓｇｍｙＴＳＧＭＹ")
#: A lone text cell starting like this is a notes row.
NOTE_WORDS = re.compile(r"^(注|备注|说明|附注|填表说明|note|notes|remark|remarks|n\.b\.|\*)\s*[:：.、]?")
#: Columns holding identifiers: full-width characters and spaces inside them are normalised.
ID_SUFFIXES = ("_id", "_no")


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def summary_rows(table: Table, located: dict[str, int], kinds: dict[int, ArrayKinds], grid: np.ndarray,
                 keep: np.ndarray) -> dict[int, tuple[str, int, str]]:
    """Kept rows (positions into ``keep``) that are a totals/subtotal row or a notes row:
    position -> (finding code, column index of the telling cell, its text)."""
    out: dict[int, tuple[str, int, str]] = {}
    positions = sorted(located.values())
    if not len(keep):
        return out
    # 1. a cell reading 合计 / Total …
    for c in positions:
        k = kinds[c]
        strs = np.flatnonzero(k.str[keep])
        if not len(strs):
            continue
        texts = k.text[keep[strs]]
        uniq = {t for t in set(texts.tolist()) if t[:1] in _TOTAL_FIRST and len(t) <= 24}
        hits = {t for t in uniq if TOTAL_WORDS.match(_fold(t))}
        if not hits:
            continue
        for p, t in zip(strs.tolist(), texts.tolist()):
            if t in hits and p not in out:
                out[p] = ("total-row", c, t)
    # 2. a lone text cell: a note (under or inside the table)
    filled = np.zeros(len(keep), dtype=np.int32)
    for c in positions:
        filled += ~kinds[c].blank[keep]
    lone = np.flatnonzero(filled == 1)
    if len(lone):
        busy = np.flatnonzero(filled >= 2)
        last = int(busy.max()) if len(busy) else -1
        for p in lone.tolist():
            if p in out:
                continue
            for c in positions:
                k = kinds[c]
                if k.str[keep[p]]:
                    text = k.text[keep[p]]
                    if NOTE_WORDS.match(_fold(text)) or (p > last and len(text) >= 10):
                        out[p] = ("notes-row", c, text)
                    break
    # 3. no key text but an amount equal to the sum of the rows above it: an unlabelled totals row
    required_text = [located[c.key] for c in table.columns if c.required and c.type is ColType.TEXT
                     and c.key in located]
    money = [located[c.key] for c in table.columns if c.type is ColType.MONEY and c.key in located]
    if required_text and money:
        no_key = np.ones(len(keep), dtype=bool)
        for c in required_text:
            no_key &= kinds[c].blank[keep]
        for p in np.flatnonzero(no_key).tolist():
            if p in out or p == 0:
                continue
            start = max([q + 1 for q, v in out.items() if v[0] == "total-row" and q < p], default=0)
            for c in money:
                k = kinds[c]
                row = keep[p]
                if k.codes[row] != 2:
                    continue
                above = [grid[keep[q], c] for q in range(start, p) if kinds[c].codes[keep[q]] == 2]
                if len(above) >= 2 and abs(float(sum(above)) - float(grid[row, c])) < 0.005:
                    out[p] = ("total-row", c, str(grid[row, c]))
                    break
    return out


def fill_merged(grid: np.ndarray, merges: list[tuple[tuple[int, int], tuple[int, int]]], first_row: int,
                columns: set[int]) -> list[tuple[int, int, int, Any]]:
    """Copy each merged range's value down its first column (rows below the header only, in the table's
    columns), as Excel shows it; returns (first row, last row, column, value) of the ranges filled."""
    done = []
    for (r0, c0), (r1, _c1) in merges:
        if r1 <= r0 or r0 < first_row or c0 not in columns or r1 >= len(grid):
            continue
        value = grid[r0, c0]
        if value in ("", None):
            continue
        below = grid[r0 + 1:r1 + 1, c0]
        if all(v in ("", None) for v in below.tolist()):
            grid[r0 + 1:r1 + 1, c0] = value
            done.append((r0, r1, c0, value))
    return done


def is_id_column(col: Column) -> bool:
    """Identifier columns (Employee ID, Contract No, …): compared as people mean them, not as typed."""
    return col.type is ColType.TEXT and col.enum is None and col.key.endswith(ID_SUFFIXES)


def normalize_ids(values: np.ndarray, kinds: ArrayKinds) -> tuple[np.ndarray, ArrayKinds, list[int]]:
    """IDs with full-width characters or inner spaces, NFKC-normalised and without spaces ("Ｅ １００２" →
    "E1002"); returns the new values and kinds and the positions changed."""
    pos = np.flatnonzero(kinds.str)
    if not len(pos):
        return values, kinds, []
    texts = kinds.text[pos].tolist()
    uniques = set(texts)
    joined = "".join(uniques)
    if joined.isascii() and " " not in joined:  # the usual ID column: nothing to normalise, one C-speed check
        return values, kinds, []
    fixed = {t: "".join(unicodedata.normalize("NFKC", t).split()) for t in uniques if not t.isascii() or " " in t}
    fixed = {t: f for t, f in fixed.items() if f != t}
    if not fixed:
        return values, kinds, []
    values = values.copy()
    text = kinds.text.copy()
    changed = []
    for p, t in zip(pos.tolist(), texts):
        if t in fixed:
            values[p] = text[p] = fixed[t]
            changed.append(p)
    return values, ArrayKinds(kinds.codes, kinds.blank, kinds.str, text), changed


def numeric_dates(values: np.ndarray, kinds: ArrayKinds, month: bool) -> tuple[np.ndarray, list[int]]:
    """Numbers that read as a date typed without separators (20260104; for months also 202601): the date.
    Serial numbers (up to 2199-12-31, 109574) are left to the coercion."""
    num = np.flatnonzero(kinds.codes == 2)
    if not len(num):
        return values, []
    changed: list[int] = []
    out = values
    for p in num.tolist():
        v = values[p]
        if isinstance(v, bool) or not float(v).is_integer() or v <= 109574:
            continue
        text = str(int(v))
        try:
            if len(text) == 8:
                day = dt.datetime.strptime(text, "%Y%m%d")
            elif len(text) == 6 and month:
                day = dt.datetime.strptime(text, "%Y%m")
            else:
                continue
        except ValueError:
            continue
        if out is values:
            out = values.copy()
        out[p] = day
        changed.append(p)
    return out, changed


def percent_points(values: np.ndarray, kinds: ArrayKinds, typed: np.ndarray, col: Column,
                   formatted: Any = None) -> tuple[np.ndarray, list[int], list[int]]:
    """A percent column typed in points (3 = 3%). Only plain numbers count ("3%" as text is a fraction already, and
    so is a cell formatted as a percentage: ``formatted(positions)`` says which are, asked only when it matters):
    the column is in points when more of its non-zero plain numbers lie above the column's plausible fraction
    range than within it; then every plain number is divided by 100. Otherwise it holds fractions and a
    number above the range stays as it is, for ``percent-out-of-range``. In a points column a number between 0
    and 1 whose hundredfold sits among the column's points (a gate of 0.6 next to 80 and 100) is ambiguous: it
    becomes missing, for a ``percent-ambiguous`` error. Returns the typed values, the positions read as points
    and the ambiguous positions."""
    if col.fraction_range is None:
        return typed, [], []
    hi = col.fraction_range[1]
    plain = kinds.codes == 2
    if kinds.str.any():
        strs = np.flatnonzero(kinds.str)
        plain = plain.copy()
        plain[strs] = [not t.endswith(("%", "％")) for t in kinds.text[strs].tolist()]
    plain &= np.isfinite(typed)
    size = np.abs(np.where(plain, typed, 0.0))
    big = plain & (size > hi)
    if not big.any() or big.sum() <= (plain & (size > 0) & (size <= hi)).sum():
        return typed, [], []
    if formatted is not None:  # a cell formatted as a percentage holds a fraction, whatever its size
        shown = formatted(np.flatnonzero(plain).tolist())
        if shown:
            plain = plain.copy()
            plain[sorted(shown)] = False
            big = plain & (size > hi)
            if not big.any() or big.sum() <= (plain & (size > 0) & (size <= hi)).sum():
                return typed, [], []
    typed = typed.copy()
    whole = size[plain & (size >= 1)]
    low, high = 0.5 * whole.min(), 2.0 * whole.max()
    small = plain & (size > 0) & (size < 1) & (size * 100 >= low) & (size * 100 <= high)
    points = plain & ~small
    typed[points] = typed[points] / 100.0
    typed[small] = np.nan
    return typed, np.flatnonzero(points).tolist(), np.flatnonzero(small).tolist()


#: Numbers written with a decimal comma (issue 22): 71.700,00 / 71 700,00 / 71,5 (after NFKC; currency signs set
#: aside). A thousands-only form (71,700 or 71.700) is ambiguous in a column that also holds decimal commas.
_DECIMAL_COMMA = re.compile(r"^([+-]?)(\d{1,3}(?:([. ])\d{3})(?:\3\d{3})*|\d+),(\d+)$")
_THOUSANDS_ONLY = re.compile(r"^[+-]?\d{1,3}[.,]\d{3}$")
_CURRENCY = re.compile(r"^[¥$€£]|元$")


def decimal_commas(values: np.ndarray, kinds: ArrayKinds) -> tuple[np.ndarray, ArrayKinds, list[int], list[int]]:
    """Numbers typed with a decimal comma, rewritten with a decimal point ("71.700,00" → "71700.00"); returns the
    new values and kinds, the positions rewritten and the ambiguous positions (71,700 next to decimal commas),
    which become blank for a ``decimal-comma-ambiguous`` error. The usual column (no text with a comma) pays one
    check."""
    pos = np.flatnonzero(kinds.str)
    if not len(pos):
        return values, kinds, [], []
    texts = kinds.text[pos].tolist()
    if not any("," in t for t in texts):
        return values, kinds, [], []
    fixed: dict[int, str] = {}
    for p, t in zip(pos.tolist(), texts):
        if "," not in t:
            continue
        n = _CURRENCY.sub("", unicodedata.normalize("NFKC", t).strip()).strip()
        m = _DECIMAL_COMMA.match(n)
        if m is None or (m.group(3) is None and len(m.group(4)) == 3):  # 71,700: thousands, not a decimal
            continue
        fixed[p] = f"{m.group(1)}{re.sub(r'[. ]', '', m.group(2))}.{m.group(4)}"
    if not fixed:
        return values, kinds, [], []
    ambiguous = [p for p, t in zip(pos.tolist(), texts) if p not in fixed
                 and _THOUSANDS_ONLY.match(_CURRENCY.sub("", unicodedata.normalize("NFKC", t).strip()).strip())]
    values = values.copy()
    text = kinds.text.copy()
    blank, is_str = kinds.blank.copy(), kinds.str.copy()
    for p, v in fixed.items():
        values[p] = text[p] = v
    for p in ambiguous:
        values[p], text[p] = "", None
        blank[p], is_str[p] = True, False
    return values, ArrayKinds(kinds.codes, blank, is_str, text), sorted(fixed), ambiguous


#: Thresholds given in percentage points (DOMAIN.md, Thresholds): 10 means 10 points.
POINTS_THRESHOLDS = frozenset({"Amber Band", "Budget Warning"})


#: Free-text columns: an error value (#N/A) there changes no figure, so it is a warning (issue 22).
FREE_TEXT = frozenset({"description", "purpose", "notes", "content", "comment", "customer", "owner"})

#: One part of a hint row under a header (必填, yyyy-mm-dd, Required …), compared after ``_fold``.
_HINT_PART = re.compile(
    r"^[(（]?(必填|必填项|选填|选填项|非必填|可选|可空|文本|数字|日期|金额|整数|小数|百分比|下拉选择|从下拉列表选择|格式|"
    r"required|optional|mandatory|text|number|numeric|date|amount|money|integer|percent|percentage|dropdown|"
    r"yyyy[-/.]?mm(?:[-/.]?dd)?|yyyy年mm月(?:dd日)?|mm/dd/yyyy|dd/mm/yyyy|0\.00|0%|[0-9]+位)[)）]?[:：]?$")
_HINT_SPLIT = re.compile(r"[,，;；/、|]+")


def is_hint_row(texts: list[str]) -> bool:
    """A row whose every non-blank cell is a fill-in hint (必填, yyyy-mm-dd, "Required, text"): not data."""
    if not texts:
        return False
    for text in texts:
        parts = [p for p in _HINT_SPLIT.split(unicodedata.normalize("NFKC", text).casefold()) if p.strip()]
        if not parts or not all(_HINT_PART.match("".join(p.split())) for p in parts):
            return False
    return True


def summary_block(table: Table, located: dict[str, int], kinds: dict[int, ArrayKinds], keep: np.ndarray) -> int | None:
    """Position (into ``keep``) where a summary table under the data starts: after a blank row, a row missing most
    of the table's required values, with everything below it; None when there is none. Its rows would each give
    "required" and type errors; they are one finding instead."""
    required = [located[c.key] for c in table.columns if c.required and c.key in located]
    if len(keep) < 3 or len(required) < 3:
        return None
    gaps = np.flatnonzero(np.diff(keep) > 1) + 1
    for p in gaps.tolist():
        missing = sum(bool(kinds[c].blank[keep[p]]) for c in required)
        shown = any(not kinds[c].blank[keep[p]] for c in located.values())  # (a row of error cells is a row)
        if shown and missing * 2 > len(required):
            return p
    return None
