"""Standards with Valid From (docs/people.md, "Standards with Valid From"): a Valid From after the year, a key
with no version in force from January, and an appraisal grade a later version renames. Two versions of one key
with the same Valid From are the schema's ``duplicate-key`` (Valid From is part of each versioned table's key);
weights that do not add up to 100% are checked per version by ``schema_rules.weights_total``."""

from __future__ import annotations

import pandas as pd

from ...schema import STANDARDS
from ..findings import Finding
from ..versions import BLANK, VALID_FROM, ordinal, valid_ordinals
from .context import Context

#: The versioned standards tables whose every month needs terms: table → (the key's columns, what it is in
#: each language). An empty key: the table is versioned as a whole (every row of one Valid From is one version).
COVERED = {
    "ProductLines": (("product_line",), ("product line {key}", "产品线“{key}”")),
    "ExpensePolicy": (("category", "grade", "city_tier"), ("the policy row {key}", "费用标准“{key}”")),
    "Appraisal": ((), ("the Appraisal weights table", "考核权重表")),
    "AppraisalBands": ((), ("the Appraisal score bands", "考核得分区间表")),
}
#: Every standards table with a Valid From column.
VERSIONED = tuple(t.key for t in STANDARDS.tables if any(c.key == VALID_FROM for c in t.columns))


def _month(o: int) -> str:
    """A month ordinal as ``YYYY-MM``."""
    return f"{o // 12:04d}-{o % 12 + 1:02d}"


def _dated(ctx: Context, table: str) -> tuple[pd.DataFrame, pd.Series] | None:
    """The table's frame and its Valid From ordinals, when it has at least one Valid From."""
    frame = ctx.frame(table)
    if ctx.data.kind != "standards" or frame is None or VALID_FROM not in frame.columns:
        return None
    if not frame[VALID_FROM].notna().any():
        return None
    return frame, valid_ordinals(frame)


def valid_from_in_year(ctx: Context) -> list[Finding]:
    """A Valid From after the period's year is an error at its cell (never in force this year). One before the
    year is history, not an error: the latest such version is in force from January, and the earlier ones are
    what January's re-check of the previous year reads."""
    if ctx.year is None:
        return []
    out: list[Finding] = []
    for table in VERSIONED:
        got = _dated(ctx, table)
        if got is None:
            continue
        frame, v = got
        bad = ((v != BLANK) & (v > ordinal(ctx.year, 12))).to_numpy(dtype=bool)
        rows = frame[bad]
        out += ctx.emit("valid-from-out-of-year", table, VALID_FROM, rows, value=v[bad].map(_month), year=ctx.year)
    return out


def versions_from_january(ctx: Context) -> list[Finding]:
    """A key (or a whole-table version) whose earliest Valid From is after January of the year leaves the months
    before it without terms: an error at the earliest version's Valid From (we chose an error over carrying the
    first version backwards: the rule is "the latest Valid From on or before the month", and a month without a
    version has no factor, no limit or no weights to use)."""
    if ctx.year is None:
        return []
    jan = ordinal(ctx.year, 1)
    out: list[Finding] = []
    for table, (cols, (what_en, what_zh)) in COVERED.items():
        got = _dated(ctx, table)
        if got is None:
            continue
        frame, v = got
        key = (frame[list(cols)].astype("string").fillna("").agg(" / ".join, axis=1) if cols
               else pd.Series("", index=frame.index))
        earliest = v.groupby(key.to_numpy()).transform("min")
        cand = (v == earliest) & (earliest > jan)
        first = cand & ~key.where(cand).duplicated()  # one finding per key, at its earliest version's first row
        rows = frame[first.to_numpy(dtype=bool)]
        if not len(rows):
            continue
        keys = key[first.to_numpy(dtype=bool)]
        out += ctx.emit("version-gap", table, VALID_FROM, rows, value=v[first].map(_month), year=ctx.year,
                        per_row={"what": keys.map(lambda k: what_en.format(key=k)),
                                 "what_zh": keys.map(lambda k: what_zh.format(key=k)),
                                 "before": (v[first] - 1).map(_month)})
    return out


def grades_kept(ctx: Context) -> list[Finding]:
    """A score band of a later version whose Grade is not a grade of the first version (an error at the Grade)."""
    got = _dated(ctx, "AppraisalBands")
    if got is None:
        return []
    frame, v = got
    grade = frame["band_grade"].astype("string").str.strip().str.casefold()
    first = v == v.min()
    known = set(grade[first].dropna())
    bad = (~first & grade.notna() & ~grade.isin(known)).to_numpy(dtype=bool)
    names = ", ".join(sorted(frame.loc[first.to_numpy(dtype=bool), "band_grade"].dropna().astype(str)))
    return ctx.emit("version-grade-renamed", "AppraisalBands", "band_grade", frame[bad],
                    per_row={"month": v[bad].map(lambda o: "-" if o == BLANK else _month(o))}, grades=names or "-")


RULES = (valid_from_in_year, versions_from_january, grades_kept)

__all__ = ["RULES", "COVERED", "VERSIONED"]
