"""The department's Reviews sheet (issue 31; DOMAIN.md, "Training and reviews").

The reviewer is on the Roster (by Employee ID or name) and is not the person reviewed; the score is 0 to 100;
the period is a quarter ``YYYY-Qn``; the item is a review item of the standards' Appraisal weights (an entry
that is not one of the four indicators). The person reviewed is checked with every employee column
(``crossref.known_employees``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ...schema import enums as E
from ..findings import Finding
from ..keys import key_form
from ..tables import is_str_dtype
from .context import Context, floats, ids

_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)


def parse_quarter(value: object) -> tuple[int, int] | None:
    """(year, quarter) of a review period written ``2025-Q1`` (``2025Q1``, any case); None otherwise."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    m = _QUARTER.match(str(value))
    return (int(m.group(1)), int(m.group(2))) if m else None


def review_items(weights: pd.DataFrame | None) -> list[str]:
    """The review items of the Appraisal weights: the entries that are not indicators, as written."""
    if weights is None or not len(weights):
        return []
    if is_str_dtype(weights["indicator"].dtype):  # as read: a list (pandas' strip is str.strip on both storages)
        names = [v.strip() for v in weights["indicator"].tolist() if isinstance(v, str)]
        return [n for n in names if n and n not in E.INDICATOR.values]
    names = weights["indicator"].dropna().astype("str").str.strip()
    return [n for n in names if n and n not in E.INDICATOR.values]


def reviews_valid(ctx: Context) -> list[Finding]:
    """Findings of the Reviews rows: unknown or self reviewer, score outside 0-100, malformed quarter, unknown item."""
    frame = ctx.frame("Reviews")
    if ctx.data.kind != "department" or frame is None or not len(frame):
        return []
    fast = _screened(ctx) if ctx.screens else None
    if fast is not None:  # the same masks from each column's distinct values, in plain Python
        out = []
        for code, col, bad in fast:
            if bad.any():
                out += ctx.emit(code, "Reviews", col, frame[bad],
                                **({"items": ", ".join(review_items(ctx.std("Appraisal"))) or "-"}
                                   if code == "review-item-unknown" else {}))
        return out
    out: list[Finding] = []
    period = frame["period"]
    bad_period = (period.notna() & period.map(lambda v: parse_quarter(v) is None)).to_numpy(dtype=bool)
    out += ctx.emit("review-period-invalid", "Reviews", "period", frame[bad_period])
    score = floats(frame["score"])
    bad_score = ~np.isnan(score) & ((score < 0) | (score > 100))
    out += ctx.emit("review-score-out-of-range", "Reviews", "score", frame[bad_score])
    roster = ctx.std("Roster")
    emp, reviewer = ids(frame["employee_id"].astype("str")), ids(frame["reviewer"].astype("str"))
    has = frame["reviewer"].notna() & frame["employee_id"].notna()
    if roster is not None:
        # an ID compared as every join compares keys (core.keys: case, width, spaces, 1002.0), else a name
        known = {key_form(i): i for i in ids(roster["employee_id"].dropna().astype("str")).tolist()}
        by_name = {str(n).strip().casefold(): i for n, i in zip(roster["name"], ids(roster["employee_id"].astype("str")))
                   if pd.notna(n)}
        reviewer_id = reviewer.map(lambda r: known.get(key_form(r)) or by_name.get(str(r).strip().casefold()))
        unknown = (frame["reviewer"].notna() & reviewer_id.isna()).to_numpy(dtype=bool)
        out += ctx.emit("review-reviewer-unknown", "Reviews", "reviewer", frame[unknown])
    else:
        reviewer_id = reviewer
    same = (has & (emp.map(key_form) == reviewer_id.map(key_form))).to_numpy(dtype=bool)
    out += ctx.emit("review-self", "Reviews", "reviewer", frame[same])
    weights = ctx.std("Appraisal")
    if weights is not None:
        items = review_items(weights)
        folded = {i.casefold() for i in items}
        item = frame["item"]
        bad_item = (item.notna() & ~item.astype("str").str.strip().str.casefold().isin(folded)).to_numpy(dtype=bool)
        out += ctx.emit("review-item-unknown", "Reviews", "item", frame[bad_item],
                        items=", ".join(items) or "-")
    return out


def _screened(ctx: Context) -> list[tuple[str, str, np.ndarray]] | None:
    """``reviews_valid``'s masks (code, column, rows), in its order, computed once per distinct value of each text
    column (``TextColumn``) rather than with a Series per step; None when a column is not text (the pandas code)."""
    frame = ctx.frame("Reviews")
    t = {c: ctx.text("Reviews", c) for c in ("period", "employee_id", "reviewer", "item")}
    roster, weights = ctx.std("Roster"), ctx.std("Appraisal")
    r_ids = ctx.text("Roster", "employee_id", std=True) if roster is not None else None
    if None in t.values() or (roster is not None and r_ids is None):
        return None
    period, emp, reviewer, item = t.values()
    out = [("review-period-invalid", "period", period.rows([parse_quarter(u) is None for u in period.uniques], False))]
    score = floats(frame["score"])
    out.append(("review-score-out-of-range", "score", ~np.isnan(score) & ((score < 0) | (score > 100))))
    if roster is not None:
        ids_u = [*r_ids.ids_u(), None]
        rows = [ids_u[c] for c in r_ids.codes.tolist()]  # ids(roster["employee_id"]) per row, None where blank
        known = {key_form(i): i for i in rows if i is not None}
        by_name = {str(n).strip().casefold(): i for n, i in zip(roster["name"], rows) if pd.notna(n)}
        reviewer_u = [known.get(key_form(r)) or by_name.get(str(r).strip().casefold()) for r in reviewer.ids_u()]
        out.append(("review-reviewer-unknown", "reviewer", reviewer.rows([r is None for r in reviewer_u], False)))
    else:
        reviewer_u = reviewer.ids_u()
    emp_f, rev_f = [*map(key_form, emp.ids_u()), None], [*map(key_form, reviewer_u), None]
    # equal forms, neither missing (pandas' == on objects: a missing value equals nothing)
    same = [a is not None and a == b for a, b in zip(map(emp_f.__getitem__, emp.codes.tolist()),
                                                      map(rev_f.__getitem__, reviewer.codes.tolist()))]
    out.append(("review-self", "reviewer", np.array(same, dtype=bool)))
    if weights is not None:
        folded = {i.casefold() for i in review_items(weights)}
        out.append(("review-item-unknown", "item", item.rows([f not in folded for f in item.fold_u()], False)))
    return out


RULES = (reviews_valid,)
