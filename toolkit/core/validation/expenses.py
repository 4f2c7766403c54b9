"""Expense rules: the Expense Policy limit for category × grade × city tier (per claim, or per day × Days),
receipts over the threshold, duplicate claims, and weekend or holiday spend.

Rejected claims are not paid, so they are not checked against the policy. The policy row's Severity
(Warning/Blocking) sets the finding's severity (warning/error).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ...money import fmt_money
from ...schema import enums as E
from ..findings import Finding
from ..versions import pick_by_date, versioned
from .context import Context, floats, fold, ids, present

_REJECTED = next(code for code in E.APPROVAL.values if code == "Rejected")
_PER_DAY = next(code for code in E.PER.values if code == "Day")
_BLOCKING = next(code for code in E.SEVERITY.values if code == "Blocking")
_CENT = 0.005
_TIER_ZERO = re.compile(r"\.0$")


def _claims(ctx: Context) -> pd.DataFrame | None:
    """Claims that will be paid (not Rejected)."""
    if "expenses.claims" not in ctx.cache:
        e = ctx.frame("Expenses")
        ctx.cache["expenses.claims"] = None if e is None else e[~e["approval"].eq(_REJECTED).fillna(False)]
    return ctx.cache["expenses.claims"]


def _tier_text(s: pd.Series) -> pd.Series:
    return s.astype("str").str.strip().str.replace(r"\.0$", "", regex=True)


def _kept(ctx: Context) -> np.ndarray | None:
    """Per Expenses row: True unless Rejected (the rows of ``_claims``); None when not a text column."""
    if "expenses.kept" not in ctx.cache:
        t = ctx.text("Expenses", "approval")
        ctx.cache["expenses.kept"] = None if t is None else ~t.member(t.uniques, {_REJECTED})
    return ctx.cache["expenses.kept"]


_TEXT_PARTS = (("Expenses", "employee_id", False), ("Expenses", "category", False), ("Expenses", "city", False),
               ("Roster", "employee_id", True), ("Roster", "grade", True), ("Cities", "city", True),
               ("Cities", "tier", True), ("ExpensePolicy", "category", True), ("ExpensePolicy", "grade", True),
               ("ExpensePolicy", "city_tier", True), ("ExpensePolicy", "per", True))


def _policy_rows(ctx: Context) -> np.ndarray | str | None:
    """Per Expenses row, the ExpensePolicy position ``_join_policy`` matches (-1: none), the same lookups on
    numpy (first occurrence wins, blank matches blank); "none" without a policy; None when not computable."""
    if "expenses.policy_rows" not in ctx.cache:
        ctx.cache["expenses.policy_rows"] = _match_policy(ctx)
    return ctx.cache["expenses.policy_rows"]


def _match_policy(ctx: Context) -> np.ndarray | str | None:
    roster, cities, policy = ctx.std("Roster"), ctx.std("Cities"), ctx.std("ExpensePolicy")
    if roster is None or cities is None or policy is None or policy.empty:
        return "none"
    if versioned(policy):  # versions by the claim date: the exact join picks them (``_join_policy``)
        return None
    parts = [ctx.text(table, col, std=std) for table, col, std in _TEXT_PARTS]
    if any(t is None for t in parts):
        return None
    eid, ecat, ecity, rid, rgrade, city, tier, pcat, pgrade, ptier, _ = parts

    def values(t, forms=None):  # per code, -1 last
        return [*(t.uniques if forms is None else forms), None]

    def first_map(keys, keycodes, vals, valcodes):
        out: dict = {}
        for k, v in zip(keycodes.tolist(), valcodes.tolist()):
            out.setdefault(keys[k], vals[v])
        return out

    tier_u = values(tier, [_TIER_ZERO.sub("", u.strip()) for u in tier.uniques])
    ptier_u = values(ptier, [_TIER_ZERO.sub("", u.strip()) for u in ptier.uniques])
    grade_of = first_map(values(rid, rid.ids_u()), rid.codes, values(rgrade), rgrade.codes)
    tier_of = first_map(values(city, city.fold_u()), city.codes, tier_u, tier.codes)
    pol: dict = {}
    pcat_u, pgrade_u = values(pcat), values(pgrade)
    for i, (a, b, c) in enumerate(zip(pcat.codes.tolist(), pgrade.codes.tolist(), ptier.codes.tolist())):
        pol.setdefault((pcat_u[a], pgrade_u[b], ptier_u[c]), i)
    grade_u = [grade_of.get(f) for f in values(eid, eid.ids_u())]
    etier_u = [tier_of.get(f) for f in values(ecity, ecity.fold_u())]
    ecat_u = values(ecat)
    n_cat, n_city = len(ecat.uniques) + 1, len(ecity.uniques) + 1
    combo = ((eid.codes + 1) * n_cat + (ecat.codes + 1)) * n_city + (ecity.codes + 1)
    uniq, inverse = np.unique(combo, return_inverse=True)
    lut = np.empty(len(uniq), dtype=np.int64)
    for j, k in enumerate(uniq.tolist()):
        k, c_city = divmod(k, n_city)
        c_emp, c_cat = divmod(k, n_cat)
        lut[j] = pol.get((ecat_u[c_cat - 1], grade_u[c_emp - 1], etier_u[c_city - 1]), -1)
    return lut[inverse]


def _pick(values: np.ndarray, rows: np.ndarray, fill) -> np.ndarray:
    """``values[rows]`` with ``fill`` where ``rows`` is -1."""
    return np.append(values, np.array([fill], dtype=values.dtype))[rows]


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
    cols = ["limit", "per", "receipt_over", "severity"]
    if versioned(policy):  # the version of the category × grade × tier in force in the claim's month
        pkey = _policy_key(policy["category"], policy["grade"], _tier_text(policy["city_tier"]))
        matched = pick_by_date(_policy_key(e["category"], grade, tier), e["date"], policy, pkey, cols)
        matched["limit"] = pd.to_numeric(matched["limit"], errors="coerce").astype("float64")
        matched["receipt_over"] = pd.to_numeric(matched["receipt_over"], errors="coerce").astype("float64")
        return e.assign(_grade=grade, _tier=tier).join(matched)
    pol = policy.assign(city_tier=_tier_text(policy["city_tier"])).drop_duplicates(["category", "grade", "city_tier"])
    pol = pol.set_index(["category", "grade", "city_tier"])[cols]
    keys = pd.MultiIndex.from_arrays([e["category"].astype("str").to_numpy(), grade.to_numpy(), tier.to_numpy()])
    matched = pol.reindex(keys)
    matched.index = e.index
    return e.assign(_grade=grade, _tier=tier).join(matched)


def _policy_key(category: pd.Series, grade: pd.Series, tier: pd.Series) -> pd.Series:
    """One text key of category × grade × city tier (missing when any part is)."""
    parts = [pd.Series(np.asarray(p, dtype=object), index=category.index) for p in (category, grade, tier)]
    known = parts[0].notna() & parts[1].notna() & parts[2].notna()
    joined = parts[0].astype("str") + "\x1f" + parts[1].astype("str") + "\x1f" + parts[2].astype("str")
    return joined.where(known, None)


def _severity(policy_severity: pd.Series, default: str) -> pd.Series:
    return policy_severity.map(lambda s: "error" if s == _BLOCKING else "warning" if isinstance(s, str) else default)


def policy_limits(ctx: Context) -> list[Finding]:
    """Amount ≤ the policy limit (× Days for per-day limits; blank Days counts as one day)."""
    kept, rows = _kept(ctx), _policy_rows(ctx)
    if ctx.frame("Expenses") is None or (ctx.screens and isinstance(rows, str)):
        return []
    if kept is not None and rows is not None:
        e, policy = ctx.frame("Expenses"), ctx.std("ExpensePolicy")
        per = ctx.text("ExpensePolicy", "per", std=True)
        per_day = _pick(per.member(per.uniques, {_PER_DAY}), rows, False)
        days = floats(e["days"])
        days = np.where(days >= 1, days, 1.0)
        allowed = _pick(floats(policy["limit"]), rows, np.nan) * np.where(per_day, days, 1.0)
        if not (kept & (floats(e["amount"]) > allowed + _CENT)).any():
            return []
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
    kept, rows = _kept(ctx), _policy_rows(ctx)
    if ctx.frame("Expenses") is None:
        return []
    if kept is not None and rows is not None:
        e = ctx.frame("Expenses")
        default = ctx.threshold("Receipt Threshold")
        if isinstance(rows, str):
            threshold = np.full(len(e), default)
        else:
            threshold = _pick(floats(ctx.std("ExpensePolicy")["receipt_over"]), rows, np.nan)
            threshold = np.where(np.isnan(threshold), default, threshold)
        has_receipt = e["receipt"].fillna(False).astype(bool).to_numpy()
        if not (kept & (floats(e["amount"]) > threshold + _CENT) & ~has_receipt).any():
            return []
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
    kept, emp, cat = _kept(ctx), ctx.text("Expenses", "employee_id"), ctx.text("Expenses", "category")
    e = ctx.frame("Expenses")
    if e is None:
        return []
    date = e["date"]
    if kept is not None and emp is not None and cat is not None and isinstance(date.dtype, np.dtype) \
            and date.dtype.kind == "M":
        amount = floats(e["amount"])
        keyed = kept & emp.present & date.notna().to_numpy() & cat.present & ~np.isnan(amount)
        if keyed.sum() < 2:
            return []
        parts = [emp.group(emp.ids_u())[keyed], date.to_numpy().view(np.int64)[keyed], cat.codes[keyed],
                 np.unique(np.round(amount[keyed], 2), return_inverse=True)[1]]
        order = np.lexsort(parts)
        same = np.ones(len(order) - 1, dtype=bool)
        for p in parts:
            ps = p[order]
            same &= ps[1:] == ps[:-1]
        if not same.any():
            return []
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
    e, kept = ctx.frame("Expenses"), _kept(ctx)
    if e is None or ctx.calendar is None:  # without the Holidays table a make-up Saturday would be flagged
        return []
    if kept is not None and isinstance(e["date"].dtype, np.dtype) and e["date"].dtype.kind == "M":
        d = e["date"].to_numpy(dtype="datetime64[D]")
        if not (kept & (ctx.calendar.is_holiday(d) | ctx.calendar.is_weekend(d))).any():
            return []
    e = _claims(ctx)
    cal = ctx.calendar
    holiday = cal.is_holiday(e["date"])
    weekend = cal.is_weekend(e["date"]) & ~holiday
    return ctx.emit("holiday-expense", "Expenses", "date", e[holiday]) + ctx.emit(
        "weekend-expense", "Expenses", "date", e[weekend]
    )


RULES = (policy_limits, receipts, duplicate_claims, weekend_and_holiday)
