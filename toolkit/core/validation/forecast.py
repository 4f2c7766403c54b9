"""Forecast rules: months lie after the reporting period, each month once (negative figures are the
schema's range rule)."""

from __future__ import annotations

import numpy as np

from ..findings import Finding
from .context import Context


def _months(f) -> np.ndarray | None:
    """The month column as numpy datetime64 (NaT compares False), None for other dtypes."""
    s = f["month"]
    return s.to_numpy() if isinstance(s.dtype, np.dtype) and s.dtype.kind == "M" else None


def months_in_future(ctx: Context) -> list[Finding]:
    """Every forecast month is after the reporting period."""
    f = ctx.frame("Forecast")
    if f is None or ctx.period is None:
        return []
    m = _months(f) if ctx.screens else None
    if m is not None and not (m <= ctx.period.start_time.to_datetime64()).any():
        return []
    bad = (f["month"] <= ctx.period.start_time).fillna(False)
    rows = f[bad]
    return ctx.emit("forecast-not-future", "Forecast", "month", rows, value=rows["month"].dt.strftime("%Y-%m"),
                    period=str(ctx.period))


def months_once(ctx: Context) -> list[Finding]:
    """A month is forecast on one row only."""
    f = ctx.frame("Forecast")
    if f is None:
        return []
    m = _months(f) if ctx.screens else None
    if m is not None:
        m = m[~np.isnat(m)]
        if len(np.unique(m)) == len(m):
            return []
    keyed = f[f["month"].notna()]
    dup = keyed["month"].duplicated(keep="first")
    first = keyed.groupby("month")["_row"].transform("first")
    rows = keyed[dup]
    return ctx.emit("forecast-duplicate-month", "Forecast", "month", rows, value=rows["month"].dt.strftime("%Y-%m"),
                    per_row={"first_row": first[dup]})


RULES = (months_in_future, months_once)
