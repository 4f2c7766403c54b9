"""Next year's plan from history: pure allocation over DataFrames (docs/planning.md has the rules).

- **Base**: the 12 months of history ending at the last month with data (``as_of``; the calendar
  year when December is in), and the 12 months before it for the share blend.
- **Company** Signing and Collection: Σ over departments of base × (1 + growth) (the company growth,
  or a department's own), or a typed top-down total.
- **Departments, then people**: by a blend of last year's and the year before's share
  (``blend`` × last + (1 − blend) × before; last year alone when there is no earlier year). People in
  the new Roster without history get ``new_hire_share`` × the department's average share (the
  director can set it per person); leavers' history is left out and their share spread over the rest.
- **Months**: the department's seasonality (average of each calendar month over the last 24 months,
  when it has 24), else the company's (from at least 12 months), else even — each fallback is a finding.
- **Rounding**: every figure is a whole number of the indicator's unit; shares are rounded by the
  largest remainder, so months add up to the annual figure and people to departments to the company
  exactly (in cents).
- **Held values** (a department's or person's annual figure, or a person's month) stay exactly as
  typed; the figures around them absorb the difference pro-rata.
- **Expense** budget = ratio × the department's Signing or Collection target (ratio from last year,
  or typed), split over everyone in the department by expense share.
- **Profit** per salesperson and month = gross margin × Collection − Expense − planned royalties,
  the margin being the person's collection-weighted product-line margin over last year (else the
  department's, else the company's); a month that would come out negative is planned at 0, as the
  Plan sheet takes no negative targets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ToolkitError
from ..i18n import register
from ..schema import MONTH_KEYS
from ..schema import enums as E
from .completion import COUNTED_APPROVALS
from .credits import collection_credits, contract_credits
from .findings import Finding
from .people import employed_months
from .versions import value_by_date
from ..money import fmt_money

SIGNING, COLLECTION, EXPENSE, PROFIT = tuple(E.INDICATOR.values)
#: Indicators split top-down from history; Expense follows from them, Profit is derived.
SALES_INDICATORS = (SIGNING, COLLECTION)
#: Measures read from history: the three planned ones and gross margin (for Profit).
GROSS = "Gross"
SALESPERSON = "Salesperson"
#: Defaults (documented in docs/planning.md); the settings workbook overrides each.
DEFAULT_UNITS = {SIGNING: 1000.0, COLLECTION: 1000.0, EXPENSE: 100.0, PROFIT: 1000.0}
DEFAULT_BLEND = 2 / 3
DEFAULT_NEW_HIRE_SHARE = 0.5
DEFAULT_EXPENSE_BASIS = COLLECTION
#: A department's own seasonality needs two years of history (one year of one department is mostly noise);
#: the company's needs one.
OWN_SEASONALITY_MONTHS = 24

register({
    "plan.hold-exceeds": (
        "{where}: the held {indicator} figures add up to {held}, more than the {total} to share out ({scope}); "
        "lower them or raise the total.",
        "{where}：锁定的{indicator}合计 {held}，超过可分配的 {total}（{scope}）；请调低锁定值或提高总额。"),
    "plan.hold-all": (
        "{where}: every {indicator} figure of {scope} is held and they add up to {held}, not {total}; "
        "free one of them.",
        "{where}：{scope}的{indicator}全部被锁定，合计 {held}，不等于 {total}；请放开其中一项。"),
    "plan.hold-unknown": (
        "{where}: {what} is not in the new plan (not in the Roster, or not a salesperson for a sales "
        "indicator); correct it or delete the row.",
        "{where}：{what}不在新计划中（不在人员名册中，或销售指标对应的不是销售人员）；请更正或删除该行。"),
    "plan.hold-profit": (
        "{where}: Profit is derived from Collection, product-line margins and Expense and cannot be held; "
        "hold Collection or Expense instead.",
        "{where}：利润由回款、产品线毛利率和费用推算，不能锁定；请改为锁定回款或费用。"),
    "plan.no-history": (
        "No {indicator} history before {year}: give a top-down total for it in the settings workbook.",
        "{year} 年之前没有{indicator}历史数据：请在计划设置工作簿中填写其总额。"),
    "plan.no-roster": ("The Roster has nobody to plan for.", "人员名册中没有需要制定计划的人员。"),
})


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Hold:
    """A figure the director fixes: a department's or (with ``employee_id``) a person's annual figure,
    or a person's month (1..12), or (with ``category``) a department's budget for an expense category, annual or a
    month's. ``where`` names the settings cell for messages."""

    indicator: str
    department: str | None
    employee_id: str | None
    month: int | None
    value: float
    where: str = ""
    #: An expense category (issue 28): the department's budget for it (annual, or ``month``'s), not a Plan figure.
    category: str | None = None


@dataclass
class PlanRules:
    """Everything the director may set; the defaults are documented in docs/planning.md."""

    year: int
    growth: dict[str, float] = field(default_factory=dict)  # indicator -> company growth (0.1 = +10%)
    department_growth: dict[tuple[str, str], float] = field(default_factory=dict)  # (department, indicator)
    totals: dict[str, float] = field(default_factory=dict)  # typed top-down company totals
    units: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_UNITS))
    blend: float = DEFAULT_BLEND
    new_hire_share: float = DEFAULT_NEW_HIRE_SHARE
    person_share: dict[str, float] = field(default_factory=dict)  # employee -> share of the dept average
    expense_basis: dict[str, str] = field(default_factory=dict)  # department -> Signing|Collection
    expense_ratio: dict[str, float] = field(default_factory=dict)  # department -> ratio
    holds: list[Hold] = field(default_factory=list)

    def unit(self, indicator: str) -> float:
        return float(self.units.get(indicator, DEFAULT_UNITS[indicator]))


@dataclass
class PlanDraft:
    """The drafted plan.

    ``rows``: department, employee_id, role, indicator, m01..m12, annual — the Plan rows of every
    department workbook (Annual = Σ months, cents-exact); ``budget`` the Budget rows. ``basis``: per department and indicator the
    history behind the figures (last, before, share, growth, ratio, margin). ``findings``: notes.
    """

    year: int
    as_of: pd.Period
    rows: pd.DataFrame
    basis: pd.DataFrame
    seasonality: pd.DataFrame  # scope, indicator, m01..m12 (shares adding to 1), source
    margins: pd.Series  # employee_id -> gross margin used for Profit
    findings: list[Finding] = field(default_factory=list)
    #: The budget by category (``budget_by_category``): department, category, m01..m12, annual.
    budget: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["department", "category", *MONTH_KEYS, "annual"]))

    def totals(self, level: str = "department") -> pd.DataFrame:
        """Σ of the rows per department (``level="department"``) or for the company, per indicator."""
        cols = [*MONTH_KEYS, "annual"]
        keys = ["department", "indicator"] if level == "department" else ["indicator"]
        out = self.rows.groupby(keys, sort=False, as_index=False)[cols].sum()
        out[cols] = np.round(out[cols].to_numpy(), 2)
        order = out["indicator"].map({ind: i for i, ind in enumerate(E.INDICATOR.values)})
        depts = out["department"].map({d: i for i, d in enumerate(dict.fromkeys(self.rows["department"]))}) \
            if "department" in out else 0
        return out.assign(_d=depts, _i=order).sort_values(["_d", "_i"], kind="stable").drop(
            columns=["_d", "_i"]).reset_index(drop=True)


# --------------------------------------------------------------------------- history


def history_frame(contracts: pd.DataFrame, collections: pd.DataFrame, expenses: pd.DataFrame,
                  product_lines: pd.DataFrame) -> pd.DataFrame:
    """Monthly actuals per department, employee and measure: department, employee_id, measure
    (Signing, Collection, Expense, Gross = collection × product-line gross margin), month (Period), actual.

    Split shares are applied as in completion; the department is the workbook the row came from.
    """
    parts = []
    cc = contract_credits(contracts)
    parts.append(_tidy(cc, "sign_date", cc["amount"] * cc["share"], SIGNING))
    rc = collection_credits(collections, contracts)
    parts.append(_tidy(rc, "receipt_date", rc["credited"], COLLECTION))
    margin = value_by_date(product_lines, "product_line", "gross_margin", rc["product_line"], rc["receipt_date"])
    parts.append(_tidy(rc, "receipt_date", rc["credited"] * margin.astype("float64").fillna(0.0), GROSS))
    ex = expenses[expenses["approval"].isin(COUNTED_APPROVALS).fillna(False) | expenses["approval"].isna()]
    parts.append(_tidy(ex, "date", ex["amount"], EXPENSE))
    tidy = pd.concat(parts, ignore_index=True)
    return tidy.groupby(["department", "employee_id", "measure", "month"], as_index=False, sort=True)["actual"].sum()


def _tidy(frame: pd.DataFrame, date_col: str, value: pd.Series, measure: str) -> pd.DataFrame:
    dates = pd.to_datetime(frame[date_col], errors="coerce")
    keep = (dates.notna() & frame["employee_id"].notna() & value.notna()).to_numpy()
    return pd.DataFrame({
        "department": frame["department"].astype("str").to_numpy()[keep],
        "employee_id": frame["employee_id"].astype("str").str.strip().to_numpy()[keep],
        "measure": measure,
        "month": dates[keep].dt.to_period("M").to_numpy(),
        "actual": value[keep].to_numpy(dtype="float64"),
    })


def product_mix(collections: pd.DataFrame, contracts: pd.DataFrame, roster: pd.DataFrame,
                as_of: pd.Period) -> pd.DataFrame:
    """Each roster person's product-line mix (employee_id, product_line, share adding to 1 per person):
    their credited collections of the 12 months ending at ``as_of``, else their department's, else the
    company's. The cost model weights royalties with it, as the month close does with real contracts."""
    rc = collection_credits(collections, contracts)
    month = pd.to_datetime(rc["receipt_date"], errors="coerce").dt.to_period("M")
    rc = rc[(month > as_of - 12) & (month <= as_of) & rc["product_line"].notna()]
    rc = rc.assign(employee_id=rc["employee_id"].astype("str").str.strip(), department=rc["department"].astype("str"))

    def shares(frame: pd.DataFrame, key: str) -> dict[str, pd.Series]:
        sums = frame.groupby([key, "product_line"])["credited"].sum()
        sums = sums[sums > 0]
        return {k: g.droplevel(0) / g.sum() for k, g in sums.groupby(level=0)}

    by_emp, by_dept = shares(rc, "employee_id"), shares(rc, "department")
    company = shares(rc.assign(all="*"), "all").get("*", pd.Series({"": 1.0}))
    rows = []
    for emp, dept in zip(_clean_roster(roster)["employee_id"], _clean_roster(roster)["department"]):
        mix = by_emp.get(emp, by_dept.get(dept, company))
        rows += [{"employee_id": emp, "product_line": pl, "share": float(v)} for pl, v in mix.items()]
    return pd.DataFrame(rows, columns=["employee_id", "product_line", "share"])


# --------------------------------------------------------------------------- allocation


def allocate(total: float, weights: Sequence[float], unit: float, fixed: Mapping[int, float] | None = None,
             ) -> np.ndarray:
    """Split ``total`` over ``weights`` in whole ``unit``s by the largest remainder; ``fixed`` positions keep
    their value exactly and the rest absorb the difference pro-rata. Exact in cents: the result adds
    up to ``total``. A remainder below one unit (a total that is not a whole number of units) goes to
    the largest share. Weights ≤ 0 everywhere: even split. Raises ValueError when the fixed values
    exceed the total (``"exceeds"``) or fill every position without adding up (``"all"``)."""
    fixed = dict(fixed or {})
    n = len(weights)
    out = np.zeros(n, dtype=np.int64)
    total_c = int(round(total * 100))
    unit_c = max(int(round(unit * 100)), 1)
    for i, v in fixed.items():
        out[i] = int(round(v * 100))
    free = [i for i in range(n) if i not in fixed]
    rest = total_c - int(out.sum())
    if not free:
        if rest != 0:
            raise ValueError("all")
        return out / 100
    if rest < 0:
        raise ValueError("exceeds")
    w = np.clip(np.nan_to_num(np.asarray(weights, dtype="float64")[free]), 0.0, None)
    if w.sum() <= 0:
        w = np.ones(len(free))
    units, residue = divmod(rest, unit_c)
    quota = units * w / w.sum()
    base = np.floor(quota).astype(np.int64)
    left = int(units - base.sum())
    if left:
        order = np.lexsort((np.arange(len(free)), -w, -(quota - base)))  # largest remainder, then weight
        base[order[:left]] += 1
    alloc = base * unit_c
    alloc[int(np.argmax(w))] += residue
    out[free] = alloc
    return out / 100


def seasonality(monthly: pd.Series, as_of: pd.Period, min_months: int = 12) -> np.ndarray | None:
    """Shares of the 12 calendar months (adding to 1) from up to 24 months of history ending at ``as_of``:
    each calendar month's average. None when the history spans fewer than ``min_months`` months, does not
    cover all 12 calendar months, or a month's average is not positive."""
    start = as_of - 23
    hist = monthly[(monthly.index >= start) & (monthly.index <= as_of)]
    if hist.empty or (as_of - hist.index.min()).n + 1 < min_months:
        return None
    by_month = pd.Series(hist.to_numpy(), index=[p.month for p in hist.index]).groupby(level=0).mean()
    if len(by_month) < 12 or (by_month <= 0).any():
        return None
    prof = by_month.sort_index().to_numpy(dtype="float64")
    return prof / prof.sum()


def _window_sums(hist: pd.DataFrame, as_of: pd.Period, keys: list[str]) -> tuple[pd.Series, pd.Series]:
    """Σ actual per ``keys`` over last year (as_of−11..as_of) and the year before."""
    m = hist["month"]
    last = hist[(m > as_of - 12) & (m <= as_of)].groupby(keys)["actual"].sum()
    before = hist[(m > as_of - 24) & (m <= as_of - 12)].groupby(keys)["actual"].sum()
    return last, before


def blended_shares(last: pd.Series, before: pd.Series, members: Sequence[str], blend: float) -> pd.Series:
    """Each member's share: blend × share of last year + (1 − blend) × share of the year before (last year
    alone when the year before is empty). Members without history get 0; non-members are left out."""
    def share(s: pd.Series) -> pd.Series:
        s = s.reindex(list(members)).fillna(0.0).clip(lower=0.0)
        return s / s.sum() if s.sum() > 0 else s * 0.0
    a = share(last)
    b = share(before)
    if b.sum() <= 0:
        return a
    if a.sum() <= 0:
        return b
    return blend * a + (1 - blend) * b


# --------------------------------------------------------------------------- the draft


@dataclass
class _Ctx:
    rules: PlanRules
    hist: pd.DataFrame
    as_of: pd.Period
    roster: pd.DataFrame
    findings: list[Finding]
    profiles: dict[tuple[str, str], tuple[np.ndarray, str]] = field(default_factory=dict)
    _sums: dict[tuple[str, str], tuple[pd.Series, pd.Series]] = field(default_factory=dict)

    def sums(self, measure: str, key: str) -> tuple[pd.Series, pd.Series]:
        """Last year's and the year before's Σ of ``measure`` per ``key`` (department or employee_id), cached."""
        if (measure, key) not in self._sums:
            self._sums[(measure, key)] = _window_sums(self.hist[self.hist["measure"] == measure], self.as_of, [key])
        return self._sums[(measure, key)]


def draft_plan(history: pd.DataFrame, roster: pd.DataFrame, rules: PlanRules,
               as_of: pd.Period | None = None, royalties: pd.DataFrame | None = None) -> PlanDraft:
    """The plan for ``rules.year`` from ``history`` (``history_frame``) and the new ``roster``
    (employee_id, department, role).

    ``royalties`` (employee_id, month 1..12, royalty) are the planned royalty payments subtracted from
    Profit (the operation passes the cost model's 100% figures); None: none subtracted.
    """
    roster = _clean_roster(roster)
    # people who left before the year (or start after it) are kept on the Roster but plan nothing: their
    # history is left out and their share goes to the others (docs/people.md)
    roster = roster[~((roster["leave_date"].dt.year < rules.year) | (roster["start_date"].dt.year > rules.year))]
    if roster.empty:
        raise ToolkitError("plan.no-roster")
    if as_of is None:
        months = history["month"]
        as_of = months.max() if len(months) else pd.Period(f"{rules.year - 1}-12", freq="M")
    as_of = min(as_of, pd.Period(f"{rules.year - 1}-12", freq="M"))
    hist = history[history["month"] <= as_of]
    ctx = _Ctx(rules, hist, as_of, roster, [])
    for hold in rules.holds:
        if hold.indicator == PROFIT:
            raise ToolkitError("plan.hold-profit", where=hold.where)
    departments = list(dict.fromkeys(roster["department"]))
    annual: dict[tuple[str, str], float] = {}  # (employee, indicator) -> annual
    basis_rows: list[dict] = []
    dept_targets: dict[tuple[str, str], float] = {}
    for ind in SALES_INDICATORS:
        targets, info = _department_targets(ctx, ind, departments)
        dept_targets.update({(d, ind): v for d, v in targets.items()})
        basis_rows.extend(info)
        for dept, value in targets.items():
            people = roster[(roster["department"] == dept) & (roster["role"] == SALESPERSON)]["employee_id"].tolist()
            annual.update(_people_targets(ctx, ind, dept, value, people))
    exp_targets, exp_info = _expense_targets(ctx, departments, dept_targets)
    basis_rows.extend(exp_info)
    for dept, value in exp_targets.items():
        people = roster[roster["department"] == dept]["employee_id"].tolist()
        annual.update(_people_targets(ctx, EXPENSE, dept, value, people))
    _check_person_holds(ctx, annual)

    rows = []
    dept_of = dict(zip(roster["employee_id"], roster["department"]))
    role_of = dict(zip(roster["employee_id"], roster["role"]))
    month_values: dict[tuple[str, str], np.ndarray] = {}
    for (emp, ind), value in annual.items():
        prof = _profile(ctx, dept_of[emp], ind)
        fixed = {h.month - 1: h.value for h in rules.holds
                 if h.employee_id == emp and h.indicator == ind and h.month is not None}
        try:
            month_values[(emp, ind)] = allocate(value, prof, rules.unit(ind), fixed)
        except ValueError:
            where = next(h.where for h in rules.holds if h.employee_id == emp and h.indicator == ind and h.month)
            raise ToolkitError("plan.hold-exceeds", where=where, indicator=ind, held=fmt_money(sum(fixed.values()), grouped=True),
                               total=fmt_money(value, grouped=True), scope=emp) from None
    # a hire or a leaver (Roster Start/Leave Date, docs/people.md): targets only for the months employed, each
    # month what a full-year colleague's would be (the months outside are not spread over the others)
    for emp, (first, last) in _employed_span(roster, rules.year).items():
        for key, months in month_values.items():
            if key[0] == emp:
                months[:first - 1] = 0.0
                months[last:] = 0.0
    margins = _margins(ctx)
    roy = _royalty_months(royalties)
    for emp in roster["employee_id"]:
        if role_of[emp] != SALESPERSON:
            continue
        col = month_values.get((emp, COLLECTION), np.zeros(12))
        exp = month_values.get((emp, EXPENSE), np.zeros(12))
        raw = margins.get(emp, 0.0) * col - exp - roy.get(emp, np.zeros(12))
        unit_c = int(round(rules.unit(PROFIT) * 100))
        month_values[(emp, PROFIT)] = _round_to_unit(np.maximum(raw, 0.0), unit_c)  # the Plan takes no negatives
    order = {ind: i for i, ind in enumerate(E.INDICATOR.values)}
    for (emp, ind), months in sorted(month_values.items(), key=lambda kv: (kv[0][0], order[kv[0][1]])):
        rows.append({"department": dept_of[emp], "employee_id": emp, "role": role_of[emp], "indicator": ind,
                     **dict(zip(MONTH_KEYS, months)), "annual": round(float(np.round(months * 100).sum()) / 100, 2)})
    frame = pd.DataFrame(rows)
    dept_rank = {d: i for i, d in enumerate(departments)}
    frame = frame.sort_values(["department", "employee_id", "indicator"], kind="stable",
                              key=lambda s: s.map(dept_rank) if s.name == "department" else
                              (s.map(order) if s.name == "indicator" else s)).reset_index(drop=True)
    seas = pd.DataFrame([{"scope": scope, "indicator": ind, **dict(zip(MONTH_KEYS, prof)), "source": source}
                         for (scope, ind), (prof, source) in ctx.profiles.items()])
    return PlanDraft(rules.year, as_of, frame, pd.DataFrame(basis_rows), seas, pd.Series(margins, dtype="float64"),
                     ctx.findings)


def _clean_roster(roster: pd.DataFrame) -> pd.DataFrame:
    r = pd.DataFrame({"employee_id": roster["employee_id"].astype("string").str.strip(),
                      "department": roster["department"].astype("string").str.strip(),
                      "role": roster["role"].astype("string").str.strip()})
    for col in ("start_date", "leave_date"):
        r[col] = pd.to_datetime(roster[col], errors="coerce") if col in roster.columns else pd.NaT
    r = r.dropna(subset=["employee_id", "department"]).drop_duplicates("employee_id")
    return r.astype({"employee_id": "str", "department": "str"}).assign(role=r["role"].fillna("").astype("str"))


def _employed_span(roster: pd.DataFrame, year: int) -> dict[str, tuple[int, int]]:
    """(first, last) month of ``year`` employed, for people whose Start or Leave Date cuts the year."""
    out = {}
    for rec in roster[roster["start_date"].notna() | roster["leave_date"].notna()].to_dict("records"):
        months = employed_months(rec, year)
        span = (months[0], months[-1]) if months else (13, 0)
        if span != (1, 12):
            out[rec["employee_id"]] = span
    return out


def _round_to_unit(values: np.ndarray, unit_c: int) -> np.ndarray:
    """Each value rounded half away from zero to a whole number of units (cents-exact)."""
    cents = np.asarray(values, dtype="float64") * 100 / unit_c
    units = np.sign(cents) * np.floor(np.abs(cents) + 0.5)
    return units * unit_c / 100


def _royalty_months(royalties: pd.DataFrame | None) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    if royalties is None or not len(royalties):
        return out
    for emp, g in royalties.groupby("employee_id"):
        arr = np.zeros(12)
        arr[g["month"].to_numpy(dtype=int) - 1] = g["royalty"].to_numpy(dtype="float64")
        out[str(emp)] = arr
    return out


def _hold_error(key: str, hold: Hold, indicator: str, **params: object) -> ToolkitError:
    return ToolkitError(key, where=hold.where, indicator=indicator, **params)


def _department_targets(ctx: _Ctx, ind: str, departments: list[str]) -> tuple[dict[str, float], list[dict]]:
    """Annual department targets of a sales indicator (company total split by blended shares around holds)."""
    r = ctx.rules
    last, before = ctx.sums(ind, "department")
    for dept in sorted(set(last.index) | set(before.index)):
        if dept not in departments and (last.get(dept, 0) or before.get(dept, 0)):
            ctx.findings.append(Finding("plan-department-closed", value=dept, params=_ind(ind)))
    growth = {d: r.department_growth.get((d, ind), r.growth.get(ind, 0.0)) for d in departments}
    base = {d: float(last.get(d, 0.0)) for d in departments}
    unit = r.unit(ind)
    if ind in r.totals:
        total = float(r.totals[ind])
    else:
        if sum(base.values()) <= 0 and not any(x.indicator == ind and x.employee_id is None for x in r.holds):
            raise ToolkitError("plan.no-history", indicator=ind, year=r.year)
        total = float(_round_to_unit(np.array([sum(base[d] * (1 + growth[d]) for d in departments)]),
                                     int(round(unit * 100)))[0])
    shares = blended_shares(last, before, departments, r.blend)
    fixed: dict[int, float] = {}
    held_where = {}
    for i, d in enumerate(departments):
        if (d, ind) in r.department_growth:
            fixed[i] = float(_round_to_unit(np.array([base[d] * (1 + growth[d])]), int(round(unit * 100)))[0])
    for hold in r.holds:
        if hold.indicator != ind or hold.employee_id is not None:
            continue
        if hold.department not in departments:
            raise _hold_error("plan.hold-unknown", hold, ind, what=hold.department)
        if hold.month is None:
            fixed[departments.index(hold.department)] = hold.value
            held_where[departments.index(hold.department)] = hold.where
    for i, d in enumerate(departments):
        if shares.iloc[i] <= 0 and i not in fixed:
            ctx.findings.append(Finding("plan-department-no-history", value=d, params=_ind(ind)))
    if shares.sum() <= 0:  # nothing to go by: the free departments share evenly
        shares = shares + 1.0
    try:
        values = allocate(total, shares.to_numpy(), unit, fixed)
    except ValueError as exc:
        where = "; ".join(held_where.values()) or "growth"
        key = "plan.hold-all" if str(exc) == "all" else "plan.hold-exceeds"
        raise ToolkitError(key, where=where, indicator=ind, held=fmt_money(sum(fixed.values()), grouped=True), total=fmt_money(total, grouped=True),
                           scope="company") from None
    targets = dict(zip(departments, values))
    info = [{"department": d, "indicator": ind, "last_year": base[d], "year_before": float(before.get(d, 0.0)),
             "share": float(shares.iloc[i]), "growth": growth[d], "target": targets[d],
             "held": i in held_where} for i, d in enumerate(departments)]
    return targets, info


def _ind(ind: str) -> dict[str, str]:
    return {"indicator": ind, "indicator_zh": E.INDICATOR.label(ind, "zh")}


def _people_targets(ctx: _Ctx, ind: str, dept: str, value: float, people: list[str]) -> dict[tuple[str, str], float]:
    """A department's annual figure split over its people by blended personal shares around holds."""
    if not people:
        return {}
    r = ctx.rules
    last, before = ctx.sums(ind, "employee_id")
    shares = blended_shares(last, before, people, r.blend)
    known = shares > 0
    avg = float(shares[known].mean()) if known.any() else 1.0
    for emp in people:
        if not known[emp] or emp in r.person_share:
            factor = r.person_share.get(emp, r.new_hire_share)
            shares[emp] = factor * avg
            if not known[emp]:
                ctx.findings.append(Finding("plan-new-hire", value=emp, params={
                    **_ind(ind), "department": dept, "share": f"{factor:.0%}"}))
    fixed: dict[int, float] = {}
    wheres = []
    for hold in r.holds:
        if hold.indicator != ind or hold.employee_id is None or hold.month is not None:
            continue
        if hold.employee_id in people:
            fixed[people.index(hold.employee_id)] = hold.value
            wheres.append(hold.where)
    try:
        values = allocate(value, shares.to_numpy(), r.unit(ind), fixed)
    except ValueError as exc:
        key = "plan.hold-all" if str(exc) == "all" else "plan.hold-exceeds"
        raise ToolkitError(key, where="; ".join(wheres), indicator=ind, held=fmt_money(sum(fixed.values()), grouped=True),
                           total=fmt_money(value, grouped=True), scope=dept) from None
    return {(emp, ind): float(v) for emp, v in zip(people, values)}


def _check_person_holds(ctx: _Ctx, annual: Mapping[tuple[str, str], float]) -> None:
    for hold in ctx.rules.holds:
        if hold.category is not None:  # the budget's, checked by budget_by_category
            continue
        if hold.employee_id is not None and (hold.employee_id, hold.indicator) not in annual:
            raise _hold_error("plan.hold-unknown", hold, hold.indicator, what=hold.employee_id)
        if hold.employee_id is None and hold.month is not None:
            raise _hold_error("plan.hold-unknown", hold, hold.indicator,
                              what=f"{hold.department} / {hold.month:02d}")


def _expense_targets(ctx: _Ctx, departments: list[str],
                     dept_targets: Mapping[tuple[str, str], float]) -> tuple[dict[str, float], list[dict]]:
    """Department expense budgets: ratio (last year's expense ÷ basis, or typed) × the basis target."""
    r = ctx.rules
    unit_c = int(round(r.unit(EXPENSE) * 100))
    exp_last, _ = ctx.sums(EXPENSE, "department")
    held = {h.department: h for h in r.holds if h.indicator == EXPENSE and h.employee_id is None and h.month is None
            and h.category is None}
    for h in held.values():
        if h.department not in departments:
            raise _hold_error("plan.hold-unknown", h, EXPENSE, what=h.department)
    out, info = {}, []
    for d in departments:
        basis = r.expense_basis.get(d, DEFAULT_EXPENSE_BASIS)
        basis_last, _ = ctx.sums(basis, "department")
        b = float(basis_last.get(d, 0.0))
        ratio = r.expense_ratio.get(d, float(exp_last.get(d, 0.0)) / b if b > 0 else 0.0)
        value = held[d].value if d in held else float(_round_to_unit(
            np.array([ratio * dept_targets.get((d, basis), 0.0)]), unit_c)[0])
        out[d] = value
        info.append({"department": d, "indicator": EXPENSE, "last_year": float(exp_last.get(d, 0.0)),
                     "year_before": np.nan, "share": np.nan, "growth": np.nan, "target": value, "held": d in held,
                     "basis": basis, "ratio": ratio})
    return out, info


def _profile(ctx: _Ctx, dept: str, ind: str) -> np.ndarray:
    """The department's monthly shares for ``ind`` (own history, else the company's, else even)."""
    key = (dept, ind)
    if key in ctx.profiles:
        return ctx.profiles[key][0]
    h = ctx.hist[ctx.hist["measure"] == ind]
    own = seasonality(h[h["department"] == dept].groupby("month")["actual"].sum(), ctx.as_of, OWN_SEASONALITY_MONTHS)
    if own is not None:
        ctx.profiles[key] = (own, "department")
        return own
    company = seasonality(h.groupby("month")["actual"].sum(), ctx.as_of)
    params = {**_ind(ind), "scope": dept, "scope_zh": dept}
    if company is not None:
        ctx.findings.append(Finding("plan-company-seasonality", value=dept, params=params))
        ctx.profiles[key] = (company, "company")
        return company
    ctx.findings.append(Finding("plan-even-seasonality", value=dept, params=params))
    even = np.full(12, 1 / 12)
    ctx.profiles[key] = (even, "even")
    return even


def _margins(ctx: _Ctx) -> dict[str, float]:
    """Gross margin per salesperson: Σ gross ÷ Σ collection of last year; else the department's, else the company's."""
    (gross_e, _), (coll_e, _) = ctx.sums(GROSS, "employee_id"), ctx.sums(COLLECTION, "employee_id")
    (gross_d, _), (coll_d, _) = ctx.sums(GROSS, "department"), ctx.sums(COLLECTION, "department")
    company = float(gross_d.sum() / coll_d.sum()) if coll_d.sum() > 0 else 0.0
    out = {}
    for emp, dept in zip(ctx.roster["employee_id"], ctx.roster["department"]):
        if coll_e.get(emp, 0.0) > 0:
            out[emp] = float(gross_e.get(emp, 0.0) / coll_e[emp])
        elif coll_d.get(dept, 0.0) > 0:
            out[emp] = float(gross_d.get(dept, 0.0) / coll_d[dept])
        else:
            out[emp] = company
    return out


# --------------------------------------------------------------------------- the budget by category

#: The expense categories in the order of the standards' list (the Budget sheet's rows follow it).
CATEGORIES = tuple(E.EXPENSE_CATEGORY.values)


def category_history(expenses: pd.DataFrame) -> pd.DataFrame:
    """Monthly counted spend (approved and pending claims, as the Expense actuals) per department and category:
    department, category, month (Period), actual. Claims of a category outside the standards' list are left out."""
    ex = expenses[expenses["approval"].isin(COUNTED_APPROVALS).fillna(False) | expenses["approval"].isna()]
    dates = pd.to_datetime(ex["date"], errors="coerce")
    keep = (dates.notna() & ex["category"].isin(CATEGORIES).fillna(False) & ex["amount"].notna()).to_numpy()
    tidy = pd.DataFrame({"department": ex["department"].astype("str").to_numpy()[keep],
                         "category": ex["category"].astype("str").to_numpy()[keep],
                         "month": dates[keep].dt.to_period("M").to_numpy(),
                         "actual": ex["amount"].to_numpy(dtype="float64")[keep]})
    return tidy.groupby(["department", "category", "month"], as_index=False, sort=True)["actual"].sum()


def budget_by_category(rows: pd.DataFrame, history: pd.DataFrame, as_of: pd.Period, unit: float = 1.0,
                       blend: float = DEFAULT_BLEND, holds: Sequence[Hold] = ()) -> tuple[pd.DataFrame, list[Finding]]:
    """Each department's expense budget by category: every month of the department's Expense plan (Σ of its
    people's Expense rows in ``rows``) split over the categories by their blended share of the department's spend
    (``blend`` × last year's share + the rest × the year before's, as people's shares; the company's mix when the
    department has no spend by category, else evenly), in whole ``unit``s by the largest remainder. So the
    categories add up to the Expense plan in every month exactly (to the cent), and Annual = Σ months; the months
    follow the Expense plan's seasonality. ``history``: ``category_history``.

    ``holds`` with a ``category`` stay exactly as typed: a held annual budget is spread over the months like the
    department's Expense plan (its held months kept), then each month's rest goes to the other categories; a held
    month of another category is kept in its month. Held figures above a month's Expense plan, every category of a
    month held without adding up, or a hold for a department not in ``rows`` raise a ``ToolkitError`` naming the
    settings cell. Returns (department, category, m01..m12, annual) in the departments' order and the categories'
    list order, and the notes."""
    exp = rows[rows["indicator"] == EXPENSE]
    months = exp.groupby("department", sort=False)[list(MONTH_KEYS)].sum()
    hist = history[history["month"] <= as_of]
    last, before = _window_sums(hist, as_of, ["department", "category"])
    company_last, company_before = _window_sums(hist, as_of, ["category"])
    company = blended_shares(company_last, company_before, CATEGORIES, blend)
    out, findings = [], []
    mine = [h for h in holds if h.category is not None]
    for h in mine:
        if h.department not in months.index:
            raise ToolkitError("plan.hold-unknown", where=h.where, indicator=EXPENSE, what=h.department)
    for dept in dict.fromkeys(rows["department"]):
        if dept not in months.index:
            continue
        pick = (lambda s, d=dept: s.xs(d, level="department") if d in s.index.get_level_values("department")
                else pd.Series(dtype="float64"))
        shares = blended_shares(pick(last), pick(before), CATEGORIES, blend)
        if shares.sum() <= 0:
            even = company.sum() <= 0
            shares = pd.Series(1.0, index=list(CATEGORIES)) if even else company
            findings.append(Finding("plan-budget-even-mix" if even else "plan-budget-company-mix", value=dept))
        matrix = _budget_months(dept, months.loc[dept, list(MONTH_KEYS)].to_numpy(dtype="float64"),
                                shares.to_numpy(), unit, [h for h in mine if h.department == dept])
        for cat, values in zip(CATEGORIES, matrix):
            if shares[cat] > 0 or values.any() or any(h.category == cat and h.department == dept for h in mine):
                out.append({"department": dept, "category": cat, **dict(zip(MONTH_KEYS, values)),
                            "annual": round(float(np.round(values * 100).sum()) / 100, 2)})
    return pd.DataFrame(out, columns=["department", "category", *MONTH_KEYS, "annual"]), findings


def _budget_months(dept: str, expense: np.ndarray, shares: np.ndarray, unit: float, holds: Sequence[Hold]
                   ) -> np.ndarray:
    """The categories × months matrix of one department (``budget_by_category``): held annual budgets spread over
    the months by the Expense plan first, then every month split around what is held."""
    index = {c: i for i, c in enumerate(CATEGORIES)}
    fixed_rows: dict[int, np.ndarray] = {}
    for h in holds:
        if h.month is None:
            months_held = {x.month - 1: x.value for x in holds if x.category == h.category and x.month is not None}
            try:
                fixed_rows[index[h.category]] = allocate(h.value, expense, unit, months_held)
            except ValueError:
                raise ToolkitError("plan.hold-exceeds", where=h.where, indicator=EXPENSE,
                                   held=fmt_money(sum(months_held.values()), grouped=True),
                                   total=fmt_money(h.value, grouped=True), scope=f"{dept} / {h.category}") from None
    columns = []
    for m in range(12):
        fixed = {i: float(row[m]) for i, row in fixed_rows.items()}
        fixed.update({index[h.category]: h.value for h in holds if h.month == m + 1 and index[h.category] not in
                      fixed_rows})
        try:
            columns.append(allocate(float(expense[m]), shares, unit, fixed))
        except ValueError as exc:
            wheres = "; ".join(dict.fromkeys(h.where for h in holds if h.month in (None, m + 1)))
            raise ToolkitError("plan.hold-all" if str(exc) == "all" else "plan.hold-exceeds", where=wheres,
                               indicator=EXPENSE, held=fmt_money(sum(fixed.values()), grouped=True),
                               total=fmt_money(float(expense[m]), grouped=True),
                               scope=f"{dept} / {m + 1:02d}") from None
    return np.array(columns).T


__all__ = ["Hold", "PlanRules", "PlanDraft", "allocate", "budget_by_category", "category_history", "blended_shares", "draft_plan", "history_frame",
           "product_mix", "seasonality"]
