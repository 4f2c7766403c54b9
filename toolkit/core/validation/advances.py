"""Advance rules: outstanding per employee within the Advance Limit, nothing past due and unpaid at the
end of the reporting period, never more repaid than advanced."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...money import fmt_money
from ..findings import Finding
from .context import Context, floats, ids, present

_CENT = 0.005


def _outstanding(a):
    return (a["amount"].fillna(0.0) - a["repaid"].fillna(0.0)).clip(lower=0.0)


def within_limit(ctx: Context) -> list[Finding]:
    """Σ outstanding per employee ≤ Advance Limit; the slip that takes the running total over is flagged."""
    a = ctx.frame("Advances")
    if a is None:
        return []
    limit = ctx.threshold("Advance Limit")
    emp = ctx.text("Advances", "employee_id")
    if emp is not None:  # totals per employee on numpy; the exact running totals only when one comes near
        keep = emp.present
        owed = np.maximum(np.nan_to_num(floats(a["amount"])) - np.nan_to_num(floats(a["repaid"])), 0.0)[keep]
        g = emp.group(emp.ids_u())[keep]
        total, scale = np.bincount(g, weights=owed), np.bincount(g, weights=np.abs(owed))
        if not (total > limit + _CENT - 1e-9 * (scale + 1.0)).any():
            return []
    a = a[present(a["employee_id"])].assign(_emp=lambda f: ids(f["employee_id"]))
    a = a.sort_values(["_emp", "date", "_row"], na_position="last")
    owed = _outstanding(a)
    running = owed.groupby(a["_emp"]).cumsum()
    total = owed.groupby(a["_emp"]).transform("sum")
    over = ((running > limit + _CENT) & (total > limit + _CENT)).astype(bool)
    first = over & over.astype("int64").groupby(a["_emp"]).cumsum().eq(1)
    rows = a[first]
    return ctx.emit("advance-over-limit", "Advances", "amount", rows, value=total[first].map(fmt_money),
                    per_row={"employee": rows["employee_id"]}, limit=fmt_money(limit))


def repaid_on_time(ctx: Context) -> list[Finding]:
    """An advance due before the end of the reporting period is repaid in full."""
    a = ctx.frame("Advances")
    end = ctx.period_end()
    if a is None or end is None:
        return []
    due = a["due_date"]
    if ctx.screens and isinstance(due.dtype, np.dtype) and due.dtype.kind == "M":
        owed = np.nan_to_num(floats(a["amount"])) - np.nan_to_num(floats(a["repaid"]))
        bad = (due.to_numpy() < end.to_datetime64()) & (owed > _CENT)
        if not bad.any():
            return []
        # (a positive outstanding is its own clip at 0)
        return ctx.emit("advance-overdue", "Advances", "due_date", a[bad],
                        per_row={"outstanding": pd.Series([fmt_money(v) for v in owed[bad].tolist()], dtype=object)})
    owed = _outstanding(a)
    bad = ((a["due_date"] < end) & (owed > _CENT)).fillna(False)
    return ctx.emit("advance-overdue", "Advances", "due_date", a[bad], per_row={"outstanding": owed[bad].map(fmt_money)})


def repaid_within_amount(ctx: Context) -> list[Finding]:
    """Repaid never exceeds the amount advanced."""
    a = ctx.frame("Advances")
    if a is None or (ctx.screens and not (floats(a["repaid"]) > floats(a["amount"]) + _CENT).any()):
        return []
    bad = (a["repaid"] > a["amount"] + _CENT).fillna(False)
    return ctx.emit("repaid-exceeds-advance", "Advances", "repaid", a[bad], per_row={"amount": a["amount"][bad]})


RULES = (within_limit, repaid_on_time, repaid_within_amount)
