"""Expense rules: the Expense Policy limit for category × grade × city tier (per claim, or per day × Days),
receipts over the threshold, duplicate claims, and weekend or holiday spend.

Rejected claims are not paid, so they are not checked against the policy. The policy row's Severity
(Warning/Blocking) sets the finding's severity (warning/error).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...money import fmt_money
from ...schema import enums as E
from ..findings import Finding
from .context import Context, fold, ids, present

_REJECTED = next(code for code in E.APPROVAL.values if code == "Rejected")
_PER_DAY = next(code for code in E.PER.values if code == "Day")
_BLOCKING = next(code for code in E.SEVERITY.values if code == "Blocking")
_CENT = 0.005


def _claims(ctx: Context) -> pd.DataFrame | None:
    """Claims that will be paid (not Rejected)."""
    if "expenses.claims" not in ctx.cache:
        e = ctx.frame("Expenses")
        ctx.cache["expenses.claims"] = None if e is None else e[~e["approval"].eq(_REJECTED).fillna(False)]
    return ctx.cache["expenses.claims"]


def _tier_text(s: pd.Series) -> pd.Series:
    return s.astype("str").str.strip().str.replace(r"\.0$", "", regex=True)


def _lookup(keys: pd.Series, values: pd.Series) -> pd.Series:
    """A key -> value map (first occurrence wins) for ``Series.map``."""
    m = pd.Series(values.to_numpy(), index=keys.to_numpy())
    return m[~m.index.duplicated()]


def _city_key(s: pd.Series) -> pd.Series:
    return fold(s)


def _with_policy(ctx: Context, e: pd.DataFrame) -> pd.DataFrame | None:
    """Claims with their grade (Roster), city tier (Cities) and policy row; unmatched rows have NaN limit."""
    if "expenses.policy" not in ctx.cache:
        ctx.cache["expenses.policy"] = _join_policy(ctx, e)
    return ctx.cache["expenses.policy"]


def _join_policy(ctx: Context, e: pd.DataFrame) -> pd.DataFrame | None:
    roster, cities, policy = ctx.std("Roster"), ctx.std("Cities"), ctx.std("ExpensePolicy")
    if roster is None or cities is None or policy is None or policy.empty:
        return None
    grade = ids(e["employee_id"]).map(_lookup(ids(roster["employee_id"]), roster["grade"].astype("str")))
    tier = _city_key(e["city"]).map(_lookup(_city_key(cities["city"]), _tier_text(cities["tier"])))
    pol = policy.assign(city_tier=_tier_text(policy["city_tier"])).drop_duplicates(["category", "grade", "city_tier"])
    pol = pol.set_index(["category", "grade", "city_tier"])[["limit", "per", "receipt_over", "severity"]]
    keys = pd.MultiIndex.from_arrays([e["category"].astype("str").to_numpy(), grade.to_numpy(), tier.to_numpy()])
    matched = pol.reindex(keys)
    matched.index = e.index
    return e.assign(_grade=grade, _tier=tier).join(matched)


def _severity(policy_severity: pd.Series, default: str) -> pd.Series:
    return policy_severity.map(lambda s: "error" if s == _BLOCKING else "warning" if isinstance(s, str) else default)


def policy_limits(ctx: Context) -> list[Finding]:
    """Amount ≤ the policy limit (× Days for per-day limits; blank Days counts as one day)."""
    e = _claims(ctx)
    m = None if e is None else _with_policy(ctx, e)
    if m is None:
        return []
    days = pd.to_numeric(m["days"], errors="coerce").astype("float64")
    days = days.where(days >= 1, 1.0)
    allowed = m["limit"] * np.where(m["per"].eq(_PER_DAY).fillna(False), days, 1.0)
    bad = (m["amount"] > allowed + _CENT).fillna(False)
    rows = m[bad]
    return ctx.emit("over-policy-limit", "Expenses", "amount", rows, severity=_severity(rows["severity"], "error"),
                    per_row={"limit": allowed[bad].map(fmt_money), "category": rows["category"],
                             "category_zh": rows["category"].map(lambda c: E.EXPENSE_CATEGORY.label(c, "zh")),
                             "grade": rows["_grade"], "tier": rows["_tier"]})


def receipts(ctx: Context) -> list[Finding]:
    """A claim over the policy row's Receipt Over (else the Receipt Threshold) has Receipt = Yes."""
    e = _claims(ctx)
    if e is None:
        return []
    m = _with_policy(ctx, e)
    if m is None:
        m = e.assign(receipt_over=np.nan, severity=pd.Series(np.nan, index=e.index, dtype="object"))
    threshold = m["receipt_over"].fillna(ctx.threshold("Receipt Threshold")).astype("float64")
    has_receipt = m["receipt"].fillna(False).astype(bool)
    bad = ((m["amount"] > threshold + _CENT).fillna(False) & ~has_receipt).to_numpy()
    rows = m[bad]
    return ctx.emit("receipt-missing", "Expenses", "receipt", rows, severity=_severity(rows["severity"], "warning"),
                    per_row={"amount": rows["amount"].map(fmt_money), "threshold": threshold[bad].map(fmt_money)})


def duplicate_claims(ctx: Context) -> list[Finding]:
    """Same employee, date, category and amount as an earlier claim."""
    e = _claims(ctx)
    if e is None:
        return []
    keyed = e[present(e["employee_id"]) & e["date"].notna() & present(e["category"]) & e["amount"].notna()]
    if keyed.empty:
        return []
    key = [ids(keyed["employee_id"]), keyed["date"], keyed["category"], keyed["amount"].round(2)]
    k = pd.concat(key, axis=1, keys=range(4))
    dup = k.duplicated(keep="first")
    if not dup.any():
        return []
    first = keyed.groupby(key, sort=False)["_row"].transform("first")
    return ctx.emit("duplicate-claim", "Expenses", "claim_no", keyed[dup], per_row={"first_row": first[dup]})


def weekend_and_holiday(ctx: Context) -> list[Finding]:
    """Spend dated on an official holiday or a weekend (make-up workdays excepted) is a warning."""
    e = _claims(ctx)
    if e is None or ctx.calendar is None:  # without the Holidays table a make-up Saturday would be flagged
        return []
    cal = ctx.calendar
    holiday = cal.is_holiday(e["date"])
    weekend = cal.is_weekend(e["date"]) & ~holiday
    return ctx.emit("holiday-expense", "Expenses", "date", e[holiday]) + ctx.emit(
        "weekend-expense", "Expenses", "date", e[weekend]
    )


RULES = (policy_limits, receipts, duplicate_claims, weekend_and_holiday)
