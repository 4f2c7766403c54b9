"""Money rounding exactly as Excel's ROUND: half away from zero, on the shortest decimal form."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd


def round_money(x: float | int | Decimal | None, digits: int = 2) -> Decimal | None:
    """Round half away from zero on the number's shortest repr (so 2.675 -> 2.68, -0.005 -> -0.01)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    d = x if isinstance(x, Decimal) else Decimal(repr(float(x))) if not isinstance(x, int) else Decimal(x)
    q = Decimal(1).scaleb(-digits)
    r = d.quantize(q, rounding=ROUND_HALF_UP)  # ROUND_HALF_UP in decimal is half away from zero
    return r + 0 if r != 0 else abs(r)  # no negative zero


def round_float(x: float, digits: int = 2) -> float:
    """``round_money`` returned as a float (NaN stays NaN)."""
    r = round_money(x, digits)
    return math.nan if r is None else float(r)


def round_series(s: pd.Series, digits: int = 2) -> pd.Series:
    """Vectorised Excel ROUND: exact for every value whose shortest repr has few digits.

    Scales by 10**digits, nudges by a relative epsilon so 2.675 (stored 2.67499999...) rounds up as
    its shortest decimal form says, then rounds half away from zero.
    """
    v = pd.to_numeric(s, errors="coerce").astype("float64").to_numpy()
    scaled = v * (10.0**digits)
    nudged = scaled + np.sign(scaled) * np.abs(scaled) * 4 * np.finfo(float).eps
    out = np.sign(nudged) * np.floor(np.abs(nudged) + 0.5) / (10.0**digits)
    out = np.where(out == 0, 0.0, out)
    return pd.Series(out, index=s.index, name=s.name)


def fmt_money(x: float | Decimal | None) -> str | None:
    """Money as a string with two decimals ("1234.50"), the JSON form."""
    r = round_money(x)
    return None if r is None else f"{r:.2f}"
