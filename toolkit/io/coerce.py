"""Turn one column of raw cell values into its schema type, whole-column at a time.

Input is what python-calamine returns (str, float, int, bool, date, datetime, time, timedelta, and
``''`` for an empty cell). Output is the dtype docs/architecture.md "Typed tables" specifies plus a
mask of the non-blank cells that could not be coerced (the reader turns those into ``type-error``).
Text forms are accepted the way people type them: "1,234.50", " 12 ", "80%", "¥1,200", "(50.00)",
2026-10-05, 2026/10/05, 2026年10月5日, 2026-10 and 2026年10月 for months.
"""

from __future__ import annotations

import datetime as dt
from itertools import repeat
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..core.tables import is_str_dtype
from ..schema import ColType, Column, Enumeration
from ..schema import enums as E

DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y年%m月%d日",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y%m%d",
)
MONTH_FORMATS = ("%Y-%m", "%Y/%m", "%Y.%m", "%Y年%m月", "%b %Y", "%B %Y", "%b-%Y", "%Y%m")
_ORIGIN = {False: "1899-12-30", True: "1904-01-01"}
_MAX_SERIAL = 109574  # 2199-12-31: later serials are typing errors (and overflow nanosecond dates)
#: Dates the typed frames can hold (datetime64[ns]); cells outside are type errors, not crashes.
_FIRST_DATE, _LAST_DATE = dt.datetime(1900, 1, 1), dt.datetime(2199, 12, 31, 23, 59, 59)
_BOOL_WORDS = {**{k: v == "Yes" for k, v in E.YES_NO.lookup().items()},
               "true": True, "false": False, "y": True, "n": False, "1": True, "0": False}

# Type codes: 0 blank/None, 1 str, 2 number, 3 bool, 4 date/datetime, 5 anything else (time, duration).
_TYPE_CODES = {str: 1, float: 2, int: 2, bool: 3, dt.datetime: 4, dt.date: 4, pd.Timestamp: 4,
               dt.time: 5, dt.timedelta: 5, type(None): 0}
_NUM_STRIP = r"[\s,_'¥$€£]|元$"


def cell_kinds(values: pd.Series) -> dict[str, pd.Series]:
    """Masks by Python type of each cell: blank, str, num (int/float, not bool), bool, when (date/datetime).

    ``text`` holds the stripped strings of the ``str`` cells (stripped once, reused by every coercion).
    """
    codes = values.map(type).map(_TYPE_CODES).fillna(5).astype("int8").to_numpy()
    is_str = pd.Series(codes == 1, index=values.index)
    blank = pd.Series(codes == 0, index=values.index) | values.isna()
    text = values[is_str].str.strip() if is_str.any() else pd.Series([], dtype=object)
    spaces = text.eq("")
    if spaces.any():
        blank[spaces[spaces].index] = True
    return {
        "blank": blank,
        "str": is_str & ~blank,
        "text": text[~spaces],
        "num": pd.Series(codes == 2, index=values.index),
        "bool": pd.Series(codes == 3, index=values.index),
        "when": pd.Series(codes == 4, index=values.index),
    }


def subset(kinds: dict[str, pd.Series], keep: pd.Series) -> dict[str, pd.Series]:
    """The kinds of the rows ``keep`` selects (a boolean mask over the original index)."""
    out = {k: v[keep] for k, v in kinds.items() if k != "text"}
    text = kinds["text"]
    out["text"] = text[keep[text.index].to_numpy()] if len(text) else text
    return out


def _parse_numbers(text: pd.Series) -> pd.Series:
    """Numbers written as text: thousands separators, currency signs, %, accounting parentheses."""
    s = text.str.normalize("NFKC").str.replace(_NUM_STRIP, "", regex=True)
    pct = s.str.endswith("%")
    s = s.where(~pct, s.str[:-1])
    neg = s.str.startswith("(") & s.str.endswith(")")
    s = s.where(~neg, "-" + s.str[1:-1])
    out = pd.to_numeric(s, errors="coerce").astype("float64")
    out[pct] = out[pct] / 100.0
    return out.where(np.isfinite(out))


def _numbers(values: pd.Series, kinds: dict[str, pd.Series]) -> pd.Series:
    out = pd.Series(np.nan, index=values.index, dtype="float64")
    num = kinds["num"]
    if num.any():
        out[num] = values[num].astype("float64")
    if kinds["str"].any():
        out[kinds["str"]] = _parse_numbers(kinds["text"])
    return out.where(np.isfinite(out))


def _parse_text_dates(text: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    s = text.str.normalize("NFKC").str.strip().str.replace(r"\s*([年月日])\s*", r"\1", regex=True)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    todo = pd.Series(True, index=s.index)
    for fmt in formats:
        if not todo.any():
            break
        parsed = pd.to_datetime(s[todo], format=fmt, errors="coerce")
        ok = parsed.notna() & (parsed >= _FIRST_DATE) & (parsed <= _LAST_DATE)
        if ok.any():
            out[ok[ok].index] = parsed[ok].astype("datetime64[ns]")
            todo[ok[ok].index] = False
    return out


def _in_range(cells: pd.Series) -> pd.Series:
    """Date/datetime cells as datetime64[ns]; those outside 1900..2199 become NaT (a type error)."""
    parsed = pd.to_datetime(cells.astype(object), errors="coerce")  # microsecond resolution: no overflow here
    return parsed.where((parsed >= _FIRST_DATE) & (parsed <= _LAST_DATE)).astype("datetime64[ns]")


def _dates(values: pd.Series, kinds: dict[str, pd.Series], date1904: bool, month: bool) -> pd.Series:
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    when = kinds["when"]
    if when.any():
        out[when] = _in_range(values[when])
    num = kinds["num"]
    if num.any():
        serial = values[num].astype("float64")
        serial = serial.where((serial >= 1) & (serial <= _MAX_SERIAL))
        out[num] = pd.to_datetime(serial, unit="D", origin=_ORIGIN[date1904], errors="coerce")
    if kinds["str"].any():
        formats = MONTH_FORMATS + DATE_FORMATS if month else DATE_FORMATS
        out[kinds["str"]] = _parse_text_dates(kinds["text"], formats)
    out = out.dt.normalize()
    if month:
        out = out - pd.to_timedelta(out.dt.day - 1, unit="D")
    return out


def _bools(values: pd.Series, kinds: dict[str, pd.Series]) -> pd.Series:
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    if kinds["bool"].any():
        out[kinds["bool"]] = values[kinds["bool"]].astype(bool)
    num = kinds["num"]
    if num.any():
        n = values[num].astype("float64")
        out[num] = n.map({1.0: True, 0.0: False}).astype("boolean")
    if kinds["str"].any():
        words = kinds["text"].str.casefold()
        out[kinds["str"]] = words.map(_BOOL_WORDS).astype("boolean")
    return out


def _texts(values: pd.Series, kinds: dict[str, pd.Series]) -> pd.Series:
    """Any cell as text: integral numbers without '.0', dates as ISO, booleans as TRUE/FALSE."""
    out = pd.Series(np.nan, index=values.index, dtype=object)
    if kinds["str"].any():
        out[kinds["str"]] = kinds["text"]
    num = kinds["num"]
    if num.any():
        n = values[num].astype("float64")
        whole = (n == np.floor(n)) & (n.abs() < 2**53)
        out[whole[whole].index] = n[whole].astype("int64").astype(str)
        out[whole[~whole].index] = n[~whole].astype(str)
    if kinds["bool"].any():
        out[kinds["bool"]] = values[kinds["bool"]].map({True: "TRUE", False: "FALSE"})
    when = kinds["when"]
    if when.any():
        ts = pd.to_datetime(values[when].astype(object), errors="coerce")
        midnight = ts == ts.dt.normalize()
        out[when] = ts.dt.strftime("%Y-%m-%d").where(midnight, ts.dt.strftime("%Y-%m-%d %H:%M:%S"))
    other = ~(kinds["blank"] | kinds["str"] | num | kinds["bool"] | when)
    if other.any():  # times, durations
        out[other] = values[other].astype(str)
    return out.astype("str")


def map_enum(text: pd.Series, enum: Enumeration) -> pd.Series:
    """Known spellings (either language, any case) -> the canonical English code; others kept as written."""
    if is_str_dtype(text.dtype):  # once per distinct value
        positions, uniques = pd.factorize(text, use_na_sentinel=True)
        get = enum.lookup().get
        mapped = np.array([get(u.casefold(), u) for u in uniques.tolist()] + [np.nan], dtype=object)
        return pd.Series(mapped[positions], index=text.index, name=text.name).astype("str")
    codes = text.str.casefold().map(enum.lookup())
    return codes.where(codes.notna(), text).astype("str")


def coerce(
    values: pd.Series, col: Column | None, date1904: bool = False, kinds: dict[str, pd.Series] | None = None
) -> tuple[pd.Series, pd.Series]:
    """(typed column, mask of non-blank cells that failed). ``col`` None means a text extra column."""
    values = values.astype(object)
    if kinds is None:
        kinds = cell_kinds(values)
    ctype = col.type if col is not None else ColType.TEXT
    if ctype in (ColType.NUMBER, ColType.MONEY, ColType.PERCENT, ColType.INTEGER):
        out = _numbers(values, kinds)
        bad = out.isna() & ~kinds["blank"]
        if ctype is ColType.INTEGER:
            whole = out == np.round(out)
            bad |= out.notna() & ~whole
            out = out.where(whole).round().astype("Int64")
        return out, bad
    if ctype in (ColType.DATE, ColType.MONTH):
        out = _dates(values, kinds, date1904, ctype is ColType.MONTH)
        return out, out.isna() & ~kinds["blank"]
    if ctype is ColType.BOOL:
        out = _bools(values, kinds)
        return out, out.isna() & ~kinds["blank"]
    out = _texts(values, kinds)
    if col is not None and col.enum is not None:
        out = map_enum(out, col.enum)
    return out, pd.Series(False, index=values.index)


class ArrayKinds(NamedTuple):
    """``cell_kinds`` for a plain object array: type codes, blank mask, non-blank str mask, stripped text."""

    codes: np.ndarray  # int8, see _TYPE_CODES
    blank: np.ndarray  # bool
    str: np.ndarray  # bool: non-blank str cells
    text: np.ndarray  # object: the stripped text where ``str`` (None elsewhere)

    def take(self, keep: np.ndarray) -> ArrayKinds:
        """The kinds of the rows ``keep`` (a boolean mask or positions) selects."""
        return ArrayKinds(self.codes[keep], self.blank[keep], self.str[keep], self.text[keep])


_TYPE_GET = _TYPE_CODES.get


def array_kinds(values: np.ndarray) -> ArrayKinds:
    """The same classification as ``cell_kinds``, on an object array without building Series (the fast path)."""
    n = len(values)
    cells = values.tolist() if values.dtype == object else list(values)  # a list iterates faster than an array
    types = set(map(type, cells))
    if types == {str}:  # the usual text column: stripped once; no mask work unless some cell is only spaces
        stripped = list(map(str.strip, cells))
        if "" not in stripped:
            text = np.empty(n, dtype=object)
            text[:] = stripped
            return ArrayKinds(np.full(n, 1, dtype=np.int8), np.zeros(n, dtype=bool), np.ones(n, dtype=bool), text)
    if len(types) == 1:  # the usual column: one Python type throughout, no per-cell type codes needed
        (only,) = types
        codes = np.full(n, _TYPE_GET(only, 5), dtype=np.int8)
    else:
        codes = np.fromiter(map(_TYPE_GET, map(type, cells), repeat(5, n)), dtype=np.int8, count=n)
    if types == {float}:
        blank = np.isnan(values.astype(np.float64))
    else:
        blank = codes == 0
        maybe_na = np.flatnonzero((codes == 2) | (codes == 5))  # only floats (NaN) and others (NaT, NA) can be NA
        if len(maybe_na):
            blank[maybe_na] = pd.isna(values[maybe_na])
    is_str = codes == 1
    text = np.empty(n, dtype=object)
    if str in types:
        pos = np.flatnonzero(is_str)
        stripped = np.empty(len(pos), dtype=object)
        stripped[:] = list(map(str.strip, cells if len(pos) == n else values[pos].tolist()))
        spaces = stripped == ""
        if spaces.any():
            blank[pos[spaces]] = True
            is_str[pos[spaces]] = False
            pos, stripped = pos[~spaces], stripped[~spaces]
        text[pos] = stripped
    return ArrayKinds(codes, blank, is_str, text)


_NUMERIC = (ColType.NUMBER, ColType.MONEY, ColType.PERCENT, ColType.INTEGER)


def coerce_array(
    values: np.ndarray, index: pd.Index, col: Column | None, date1904: bool = False, kinds: ArrayKinds | None = None
) -> tuple[pd.Series, pd.Series]:
    """``coerce`` of an object array indexed by ``index``; columns holding only their type's native cells
    (and blanks) skip the per-kind Series work, mixed columns go through ``coerce`` itself."""
    typed, bad = coerce_values(values, col, date1904, kinds)
    return pd.Series(typed, index=index, copy=False), pd.Series(bad, index=index, copy=False)


def coerce_values(
    values: np.ndarray, col: Column | None, date1904: bool = False, kinds: ArrayKinds | None = None
) -> tuple[np.ndarray | pd.api.extensions.ExtensionArray, np.ndarray]:
    """``coerce_array`` without the index: (typed array, bool array of failed cells). The reader builds its
    frames from these directly, since per-column Series construction was most of a read's cost (issue 5)."""
    if kinds is None:
        kinds = array_kinds(values)
    ctype = col.type if col is not None else ColType.TEXT
    filled = ~kinds.blank
    native = {ColType.DATE: 4, ColType.MONTH: 4, ColType.BOOL: 3}.get(ctype, 2 if ctype in _NUMERIC else 1)
    other = filled & (kinds.codes != native)
    if native == 3:  # Yes/No written as text is the usual boolean column
        other &= ~kinds.str
    if other.any():
        typed, bad = coerce(pd.Series(values, dtype=object), col, date1904)
        return _array_of(typed), bad.to_numpy(dtype=bool)
    n = len(values)
    if native == 2:
        arr = np.full(n, np.nan)
        num = kinds.codes == 2
        if num.any():
            arr[num] = values[num].astype(np.float64)
        arr[~np.isfinite(arr)] = np.nan
        missing = np.isnan(arr)
        bad = missing & filled
        if ctype is ColType.INTEGER:
            whole = arr == np.round(arr)
            bad |= ~missing & ~whole
            return pd.array(np.round(np.where(whole, arr, np.nan)), dtype="Int64"), bad
        return arr, bad
    if native == 4:
        arr = np.full(n, np.datetime64("NaT", "ns"))
        if filled.any():
            arr[filled] = _in_range_values(values[filled])
        # normalize (and for months, back to the 1st): numpy floors to the day / month, NaT stays NaT
        arr = arr.astype("datetime64[M]" if ctype is ColType.MONTH else "datetime64[D]").astype("datetime64[ns]")
        return arr, np.isnat(arr) & filled
    if native == 3:
        data = np.zeros(n, dtype=bool)
        mask = np.ones(n, dtype=bool)
        is_bool = kinds.codes == 3
        if is_bool.any():
            data[is_bool] = values[is_bool].astype(bool)
            mask[is_bool] = False
        if kinds.str.any():
            texts = kinds.text[kinds.str].tolist()
            word_of = {t: _BOOL_WORDS.get(t.casefold()) for t in set(texts)}  # a Yes/No column: few distinct words
            words = np.array(list(map(word_of.__getitem__, texts)), dtype=object)
            known = np.not_equal(words, None)  # elementwise: the words _BOOL_WORDS knows
            pos = np.flatnonzero(kinds.str)[known]
            data[pos] = words[known].astype(bool)
            mask[pos] = False
        return pd.arrays.BooleanArray(data, mask), mask & filled
    if kinds.str.all():  # no blank: the stripped text as it is
        arr = kinds.text
    else:
        arr = np.full(n, np.nan, dtype=object)
        arr[kinds.str] = kinds.text[kinds.str]
    if col is not None and col.enum is not None:
        return _enum_values(arr, col.enum), np.zeros(n, dtype=bool)
    return pd.array(arr, dtype="str"), np.zeros(n, dtype=bool)


def _array_of(s: pd.Series) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """The values of a typed Series: a numpy array for numpy dtypes, else its extension array."""
    return s.to_numpy() if isinstance(s.dtype, np.dtype) else s.array


def _enum_values(arr: np.ndarray, enum: Enumeration) -> pd.api.extensions.ExtensionArray:
    """``map_enum`` of an object array of text (NaN for blanks), mapped once per distinct value."""
    positions, uniques = pd.factorize(arr, use_na_sentinel=True)
    get = enum.lookup().get
    mapped = np.array([get(u.casefold(), u) for u in uniques.tolist()] + [np.nan], dtype=object)
    return pd.array(mapped[positions], dtype="str")


_FIRST_DAY, _LAST_DAY = np.datetime64(_FIRST_DATE, "D"), np.datetime64(_LAST_DATE, "D")
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def _in_range_values(cells: np.ndarray) -> np.ndarray:
    """``_in_range`` of an object array of date/datetime cells, as datetime64[ns]. Plain dates (what
    python-calamine returns for date cells) convert through their ordinals; anything else through pandas."""
    if all(t is dt.date for t in set(map(type, cells))):
        days = (np.fromiter(map(dt.date.toordinal, cells), dtype=np.int64, count=len(cells))
                - _EPOCH_ORDINAL).astype("datetime64[D]")
        days = np.where((days >= _FIRST_DAY) & (days <= _LAST_DAY), days, np.datetime64("NaT", "D"))
        return days.astype("datetime64[ns]")
    return _in_range(pd.Series(cells, dtype=object)).to_numpy()


def display(value: object) -> str:
    """A raw cell value the way a finding quotes it."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value == dt.datetime.combine(value.date(), dt.time()):
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value).strip()
