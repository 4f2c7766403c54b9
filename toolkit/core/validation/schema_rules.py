"""Schema rules, derived from ``toolkit.schema``: required, enumeration, range, unique keys, date window.

Types are checked by the reader (``type-error``): a cell that could not be coerced is missing in
the frame, so ``required-missing`` skips cells the reader already reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...schema import ColType
from ..findings import Finding
from ..versions import valid_ordinals, versioned
from .context import Context, floats, fold, present

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
            missing = ~ctx.present(table.key, col.key)
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
            if col.enum is None or col.open_enum or col.type is not ColType.TEXT:
                continue
            t = ctx.text(table.key, col.key)
            if t is not None:
                bad = t.present & ~t.member(t.uniques, set(col.enum.values))
            else:
                s = frame[col.key]
                bad = (present(s) & ~s.isin(list(col.enum.values))).to_numpy()
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
            if ctx.screens:
                bad = floats(frame[col.key]) < col.min_value  # NaN compares False
            else:
                bad = (pd.to_numeric(frame[col.key], errors="coerce") < col.min_value).fillna(False)
            if bad.any():
                out += ctx.emit("out-of-range", table.key, col.key, frame[bad], minimum=f"{col.min_value:g}")
    return out


def _maybe_duplicates(ctx: Context, table, frame: pd.DataFrame) -> bool:
    """False when the unique key (folded text) surely has no repeat; True when ``_duplicates`` must look."""
    if not ctx.screens:
        return True
    texts = [ctx.text(table.key, k) for k in table.unique_key]
    if len(texts) == 1 and texts[0] is not None:  # the usual key: a distinct value seen twice, or two that fold alike
        t = texts[0]
        return int((t.codes >= 0).sum()) > len(t.uniques) or len(set(t.fold_u())) < len(t.uniques)
    # Each key column as group numbers: a text by its folded form, a number or a date by its value (distinct values
    # have distinct texts; 0 and -0 share a number, which can only send the table to the pandas code). A blank
    # Valid From is a value (the version in force from the start).
    versions = {c.key for c in table.columns if c.version}
    groups, filled = [], np.ones(len(frame), dtype=bool)
    for i, (k, t) in enumerate(zip(table.unique_key, texts)):
        if t is not None:
            codes = t.group(t.fold_u())
        else:
            s = frame[k]
            if not (s.dtype == np.float64 or (isinstance(s.dtype, np.dtype) and s.dtype.kind == "M")):
                return True  # values whose text forms this numbering may not follow
            codes = pd.factorize(s, use_na_sentinel=True)[0].astype(np.int64)
        if i and k in versions:
            codes = np.where(codes < 0, int(codes.max()) + 1, codes)
        else:
            filled &= codes >= 0
        groups.append(codes)
    if not filled.any():
        return False
    g = None
    for codes in groups:
        gt = codes[filled]
        g = gt if g is None else g * (int(gt.max()) + 1) + gt
    return len(np.unique(g)) < len(g)


def unique_keys(ctx: Context) -> list[Finding]:
    """A table's unique key (Contract No, Receipt No, Claim No, Slip No, Request No...) appears once."""
    out: list[Finding] = []
    for table, frame in _tables(ctx):
        key = table.unique_key
        if not key or not _maybe_duplicates(ctx, table, frame):
            continue
        versions = {c.key for c in table.columns if c.version}
        filled = frame[key[0]].notna()
        for k in key[1:]:
            if k not in versions:  # a blank Valid From is a value: the version in force from the start
                filled &= frame[k].notna()
        if not filled.any():
            continue
        keyed = frame if filled.all() else frame[filled]  # = frame.dropna(subset=key), without a copy
        if versions & set(key):
            keyed = keyed.assign(**{k: keyed[k].astype("string").fillna("") for k in versions & set(key)})
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


#: How many years back a rolling register's rows are history, not errors (at least Plausible Years).
HISTORY_YEARS = 5


def date_window(ctx: Context) -> list[Finding]:
    """Dates of a department workbook fall within its year − max(Plausible Years, ``HISTORY_YEARS``) ..
    year + Plausible Years: earlier years' rows in a rolling register are history; after the period, a warning."""
    if ctx.data.kind != "department" or ctx.year is None:
        return []
    years = int(ctx.threshold("Plausible Years"))
    start = pd.Timestamp(year=ctx.year - max(years, HISTORY_YEARS), month=1, day=1)
    end = pd.Timestamp(year=ctx.year + years, month=12, day=31)
    period_end = ctx.period_end()
    out: list[Finding] = []
    start64, end64 = start.to_datetime64(), end.to_datetime64()
    for table, frame in _tables(ctx):
        for col in table.columns:
            if col.type not in _DATED:
                continue
            s = frame[col.key]
            event = period_end is not None and col.key in _EVENT_DATES.get(table.key, ())
            if ctx.screens and isinstance(s.dtype, np.dtype) and s.dtype.kind == "M":  # numpy; NaT compares False
                a = s.to_numpy()
                outside = (a < start64) | (a > end64)
                late = (a > period_end.to_datetime64()) & ~outside if event else None
            else:
                outside = (s.notna() & ((s < start) | (s > end))).fillna(False).to_numpy()
                late = (s.notna() & (s > period_end) & ~outside).fillna(False).to_numpy() if event else None
            if outside.any():
                out += ctx.emit("date-out-of-period", table.key, col.key, frame[outside], year=ctx.year, years=years,
                                start=start.date().isoformat(), end=end.date().isoformat())
            if late is not None and late.any():
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

def percent_ranges(ctx: Context) -> list[Finding]:
    """Percent columns hold plausible fractions (``Column.fraction_range``: a rate above 100%, a gate above 300%,
    a margin outside ±100% is an error), after the reader has read points columns as percent."""
    out: list[Finding] = []
    for table, frame in _tables(ctx):
        for col in table.columns:
            if col.fraction_range is None:
                continue
            low, high = col.fraction_range
            values = floats(frame[col.key])
            bad = (values < low) | (values > high)  # NaN compares False
            if col.min_value is not None:
                bad &= values >= col.min_value  # below the minimum is ``out-of-range`` already
            if bad.any():
                rows = frame[bad]
                out += ctx.emit("percent-out-of-range", table.key, col.key, rows,
                                value=rows[col.key].map(lambda v: f"{v * 100:g}%"),
                                low=f"{low * 100:g}%", high=f"{high * 100:g}%")
    return out


def weights_total(ctx: Context) -> list[Finding]:
    """Appraisal weights add up to 100% (within 0.01 percentage points)."""
    frame = ctx.frame("Appraisal")
    if ctx.data.kind != "standards" or frame is None or not len(frame):
        return []
    weights = floats(frame["weight"])
    if np.isnan(weights).all():
        return []
    if versioned(frame):  # each version's weights (Valid From; docs/people.md), at its first row's weight
        v = valid_ordinals(frame)
        totals = pd.Series(np.nan_to_num(weights), index=frame.index).groupby(v.to_numpy()).transform("sum")
        bad = ((totals - 1.0).abs() > 1e-4) & ~v.duplicated()
        rows = frame[bad.to_numpy(dtype=bool)]
        return ctx.emit("weights-not-100", "Appraisal", "weight", rows,
                        value=totals[bad.to_numpy(dtype=bool)].map(lambda t: f"{t * 100:g}%"))
    total = float(np.nansum(weights))
    if abs(total - 1.0) <= 1e-4:
        return []
    layout = ctx.layout("Appraisal")
    letter, written = layout.columns.get("weight", ("B", "Weight %"))
    return [Finding("weights-not-100", sheet=layout.sheet, cell=f"{letter}{layout.header_row}", row=layout.header_row,
                    column=written, value=f"{total * 100:g}%")]


def plan_year(ctx: Context) -> list[Finding]:
    """The Plan belongs to the workbook's Info Year: a period of another year would read that year's targets
    as this year's (a workbook not rolled into the new year), so it is stopped."""
    if ctx.data.kind != "department" or ctx.period is None:
        return []
    year = ctx.data.info.get("year")
    try:
        year = int(year) if year is not None and not pd.isna(year) else None
    except (TypeError, ValueError):
        return []
    if year is None or year == ctx.period.year:
        return []
    return [Finding("plan-year-mismatch", sheet="Info", column="Year", value=str(year), file=str(ctx.data.path),
                    params={"period": str(ctx.period), "period_year": ctx.period.year})]


RULES = (required, enumerations, ranges, unique_keys, date_window, percent_ranges, weights_total, plan_year)
