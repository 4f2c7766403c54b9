"""Schema rules, derived from ``toolkit.schema``: required, enumeration, range, unique keys, date window.

Types are checked by the reader (``type-error``): a cell that could not be coerced is missing in
the frame, so ``required-missing`` skips cells the reader already reported.
"""

from __future__ import annotations

import pandas as pd

from ...schema import ColType
from ..findings import Finding
from .context import Context, fold, present

_DATED = (ColType.DATE, ColType.MONTH)
_NUMERIC = (ColType.INTEGER, ColType.NUMBER, ColType.MONEY, ColType.PERCENT)


def _tables(ctx: Context):
    for table in ctx.schema.tables:
        frame = ctx.frame(table.key)
        if frame is not None:
            yield table, frame


def required(ctx: Context) -> list[Finding]:
    """Every required column has a value in every row (columns absent from the file are the reader's)."""
    out: list[Finding] = []
    for table, frame in _tables(ctx):
        layout = ctx.layout(table.key)
        for col in table.columns:
            if not col.required or col.key not in layout.columns:
                continue
            missing = ~present(frame[col.key])
            if missing.any():
                rows = frame[missing]
                rows = rows[~ctx.reader_flagged(table.key, col.key, rows["_row"])]
                out += ctx.emit("required-missing", table.key, col.key, rows)
    return out


def enumerations(ctx: Context) -> list[Finding]:
    """Enumerated text columns hold one of the list's values (the reader maps either language to the code)."""
    out: list[Finding] = []
    for table, frame in _tables(ctx):
        for col in table.columns:
            if col.enum is None or col.type is not ColType.TEXT:
                continue
            s = frame[col.key]
            bad = present(s) & ~s.isin(list(col.enum.values))
            if bad.any():
                out += ctx.emit("enum-invalid", table.key, col.key, frame[bad],
                                allowed=", ".join(col.enum.labels("en")), allowed_zh="、".join(col.enum.labels("zh")))
    return out


def ranges(ctx: Context) -> list[Finding]:
    """Numeric columns respect their schema minimum (so no negative amounts, except Collections refunds)."""
    out: list[Finding] = []
    for table, frame in _tables(ctx):
        for col in table.columns:
            if col.min_value is None or col.type not in _NUMERIC:
                continue
            bad = (pd.to_numeric(frame[col.key], errors="coerce") < col.min_value).fillna(False)
            if bad.any():
                out += ctx.emit("out-of-range", table.key, col.key, frame[bad], minimum=f"{col.min_value:g}")
    return out


def unique_keys(ctx: Context) -> list[Finding]:
    """A table's unique key (Contract No, Receipt No, Claim No, Slip No, Request No...) appears once."""
    out: list[Finding] = []
    for table, frame in _tables(ctx):
        key = table.unique_key
        if not key:
            continue
        filled = frame[key[0]].notna()
        for k in key[1:]:
            filled &= frame[k].notna()
        if not filled.any():
            continue
        keyed = frame if filled.all() else frame[filled]  # = frame.dropna(subset=key), without a copy
        if len(key) == 1:  # the usual case: no one-column frame to build
            dup = fold(keyed[key[0]]).duplicated(keep="first")
        else:
            dup = pd.concat([fold(keyed[k]) for k in key], axis=1).duplicated(keep="first")
        if dup.any():
            norm = pd.concat([fold(keyed[k]) for k in key], axis=1)
            first = keyed.groupby([norm[c] for c in norm.columns], sort=False)["_row"].transform("first")
            rows = keyed[dup]
            out += ctx.emit("duplicate-key", table.key, key[0], rows,
                            value=rows[key].astype("str").agg(" / ".join, axis=1),
                            per_row={"first_row": first[dup]})
    return out


def date_window(ctx: Context) -> list[Finding]:
    """Dates of a department workbook fall within its year ± Plausible Years; after the period, a warning."""
    if ctx.data.kind != "department" or ctx.year is None:
        return []
    years = int(ctx.threshold("Plausible Years"))
    start = pd.Timestamp(year=ctx.year - years, month=1, day=1)
    end = pd.Timestamp(year=ctx.year + years, month=12, day=31)
    period_end = ctx.period_end()
    out: list[Finding] = []
    for table, frame in _tables(ctx):
        for col in table.columns:
            if col.type not in _DATED:
                continue
            s = frame[col.key]
            outside = (s.notna() & ((s < start) | (s > end))).fillna(False)
            if outside.any():
                out += ctx.emit("date-out-of-period", table.key, col.key, frame[outside], year=ctx.year, years=years,
                                start=start.date().isoformat(), end=end.date().isoformat())
            if period_end is not None and col.key in _EVENT_DATES.get(table.key, ()):
                late = (s.notna() & (s > period_end) & ~outside).fillna(False)
                if late.any():
                    out += ctx.emit("date-after-period", table.key, col.key, frame[late], period=str(ctx.period))
    return out


#: Dates that record something that happened, so they cannot lie after the reporting period.
#: (Due dates, leave requests and forecast months legitimately lie in the future.)
_EVENT_DATES = {
    "Contracts": ("sign_date",),
    "Collections": ("receipt_date",),
    "Expenses": ("date",),
    "Advances": ("date",),
    "Feedback": ("date",),
}

RULES = (required, enumerations, ranges, unique_keys, date_window)
