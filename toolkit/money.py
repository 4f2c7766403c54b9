"""Money rounding exactly as Excel's ROUND: half away from zero, on the number's decimal form.

Excel keeps 15 significant digits: it sees 2.675 (stored as 2.67499999999999982…) as 2.675 and
rounds it to 2.68, and it sees 10485.755 + 0.06 (stored as 10485.814999999999) as 10485.815. So a
number is first written with 15 significant digits, then rounded half away from zero. The scalar
function is the definition; the vectorised one agrees with it exactly (it falls back to the scalar
function for the few values that lie near a half).
"""

from __future__ import annotations

import functools
import math
from decimal import ROUND_HALF_UP, Decimal, localcontext

import numpy as np
import pandas as pd

#: Significant digits Excel keeps.
EXCEL_DIGITS = 15


def round_money(x: float | int | Decimal | None, digits: int = 2) -> Decimal | None:
    """Excel's ROUND(x, digits) as a Decimal: 2.675 -> 2.68, -0.005 -> -0.01; None for blank or non-finite."""
    if x is None or x is pd.NA:
        return None
    if isinstance(x, Decimal):
        d = x
    elif isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        d = Decimal(int(x))
    else:
        f = float(x)
        if not math.isfinite(f):
            return None
        d = Decimal(format(f, f".{EXCEL_DIGITS}g"))
    if not d.is_finite():
        return None
    with localcontext() as ctx:
        ctx.prec = max(50, d.adjusted() + digits + 5)  # enough digits for any float's integer part
        r = d.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)  # HALF_UP is half away from zero
    return r + 0 if r != 0 else abs(r)  # no negative zero


def round_float(x: float, digits: int = 2) -> float:
    """``round_money`` returned as a float (NaN stays NaN)."""
    r = round_money(x, digits)
    return math.nan if r is None else float(r)


def round_series(s: pd.Series, digits: int = 2) -> pd.Series:
    """Vectorised ``round_money`` on a Series (float result, NaN for blank), identical value for value.

    Rounds |x|·10^digits + 0.5 down with a relative margin on both sides; where the margin changes
    the result the value is near a half, and only those go through the exact scalar function.
    """
    v = pd.to_numeric(s, errors="coerce").astype("float64").to_numpy()
    scale = 10.0**digits
    a = np.abs(v) * scale
    with np.errstate(invalid="ignore", over="ignore"):
        lo = np.floor(a * (1 - 1e-13) + 0.5)
        hi = np.floor(a * (1 + 1e-13) + 0.5)
        out = np.copysign(hi, v) / scale
    near = np.isfinite(v) & (lo != hi)
    if near.any():
        out[near] = [round_float(x, digits) for x in v[near]]
    out[~np.isfinite(v)] = np.nan
    out = np.where(out == 0, 0.0, out)  # no negative zero
    return pd.Series(out, index=s.index, name=s.name)


def fmt_money(x: float | int | Decimal | None, *, grouped: bool = False, sign: bool = False, digits: int = 2,
              blank: str | None = None) -> str | None:
    """Money as text, the one way every output writes it: rounded by ``round_money`` (Excel's ROUND, half away
    from zero: 0.125 -> "0.13", 2.675 -> "2.68", -0.005 -> "-0.01", never "-0.00") with ``digits`` decimals;
    ``grouped`` adds thousands separators ("1,234.50", text for people; the JSON form has none), ``sign`` a sign
    for changes ("+1,234.50"); blank (None, NaN, infinite) -> ``blank``."""
    spec = _spec(sign, grouped, digits)
    if isinstance(x, float):
        if x != x:  # NaN
            return blank
        if 0 <= digits <= _FAST_DIGITS:
            # not near a half (the margin of round_series): the float's text is the rounded value's, no Decimal
            a = abs(x) * _SCALES[digits]
            if a < 1e15:  # beyond, a float no longer prints its rounded value exactly (and inf goes below)
                hi = math.floor(a * (1 + 1e-13) + 0.5)
                if hi == math.floor(a * (1 - 1e-13) + 0.5):
                    return format(math.copysign(hi, x) / _SCALES[digits] if hi else 0.0, spec)
    elif x is None or x is pd.NA:
        return blank
    r = round_money(x, digits)
    if r is None:
        return blank
    return format(r, spec)


@functools.cache
def _spec(sign: bool, grouped: bool, digits: int) -> str:
    """``fmt_money``'s format spec: a sign for changes, thousands separators, ``digits`` decimals."""
    return f"{'+' if sign else ''}{',' if grouped else ''}.{digits}f"


#: ``fmt_money``'s float fast path serves up to this many decimals; its scales.
_FAST_DIGITS = 6
_SCALES = [10.0**d for d in range(_FAST_DIGITS + 1)]


#: Up to this many values ``fmt_money_column`` formats one by one (statements' small tables, issue 24's speed).
SHORT_COLUMN = 64


def fmt_money_column(values: pd.Series, *, grouped: bool = False, sign: bool = False, digits: int = 2,
                     blank: str | None = None) -> pd.Series:
    """``fmt_money`` of every value of a column (object dtype), with ``round_series``' vectorised rounding, which
    gives the same values (a short column: ``fmt_money`` value by value, cheaper than the vectorised set-up)."""
    if len(values) <= SHORT_COLUMN:
        return pd.Series([fmt_money(v, grouped=grouped, sign=sign, digits=digits, blank=blank)
                          for v in values.tolist()], index=values.index, name=values.name, dtype=object)
    rounded = round_series(values, digits)
    spec = f"{'+' if sign else ''}{',' if grouped else ''}.{digits}f"
    text = rounded.map(lambda v: format(v, spec), na_action="ignore")
    return text.astype(object).where(rounded.notna(), blank)
