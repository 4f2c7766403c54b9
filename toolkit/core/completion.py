"""Actuals and indicator completion per employee, department and company (DOMAIN.md, "Computation").

Definitions (documented in docs/json.md):

- Actuals: Signing = Σ amount × share of contracts signed in the month (any Status); Collection =
  Σ receipts × share by receipt date (refunds negative); Expense = Σ claims whose Approval is Approved,
  Pending or blank, by claim date, to the claimant; Profit = Σ credited receipts × the contract's product
  line gross margin − expenses − royalties. Shares come from ``toolkit.core.credits``.
- Targets are the Plan months m01..m12 (duplicated plan rows add up); the annual target is their sum.
- completion = actual ÷ target (None when the target is 0). Two year-to-date views (DOMAIN.md, corrected):
  ytd_completion (plan-to-date) = YTD actual ÷ YTD target, read against 100%; annual_completion =
  YTD actual ÷ annual target, read against time_progress = month ÷ 12 (Thresholds "Time Progress by
  Days" = 1: elapsed days at period end ÷ days in the year, 序时进度). pacing = annual_completion ÷
  time_progress; gap = ytd_target − ytd_actual; needed_per_month = max(0, annual_target − ytd_actual)
  ÷ (12 − month), None in December.
- RAG on the basis set in the Thresholds ("RAG vs Time Progress": 0, the default, compares the
  plan-to-date completion c with the reference r = 100%; 1 compares the annual completion with r =
  time progress), amber band b (Thresholds "Amber Band" in percentage points, ÷ 100): green c ≥ r;
  amber r − b ≤ c < r; red c < r − b. For Expense (lower is better): green c ≤ r; amber
  r < c ≤ r + b; red c > r + b. None when the completion is blank. rag_reference is r.
- rank: employees within their department, departments within the company, per indicator, by the
  completion the RAG reads (best first; lowest first for Expense; ties share the best rank); None for
  the company.

Money is rounded to cents per employee, workbook department and month; a department sums the rows of its
own workbook (a transferee counts in each department for the rows there), an employee line all their rows
(their YTD continues across a transfer), and the company the employee lines, which equal the sum of the
departments: nothing is counted twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..money import round_series
from ..schema import MONTH_KEYS, THRESHOLD_DEFAULTS
from ..schema import enums as E
from .coverage import COMPUTED, NOT_COMPUTED, NOT_CONSOLIDATED, left_out_departments
from .credits import collection_credits, contract_credits
from .ledger import per_inputs, per_ledger, per_ledger_arg, thresholds
from .people import column_by_month, employed_plan
from .periods import parse_period
from .versions import value_by_date

if TYPE_CHECKING:
    from .ledger import Ledger

INDICATORS: tuple[str, ...] = tuple(E.INDICATOR.values)
SIGNING, COLLECTION, EXPENSE, PROFIT = INDICATORS
LOWER_IS_BETTER = frozenset({EXPENSE})
COUNTED_APPROVALS = ("Approved", "Pending")
assert set(COUNTED_APPROVALS) <= set(E.APPROVAL.values)

LEVELS = ("employee", "department", "company")
COMPANY_KEY = "company"
MONEY_COLUMNS = ("month_target", "month_actual", "ytd_target", "ytd_actual", "gap", "needed_per_month",
                 "annual_target")
RATIO_COLUMNS = ("month_completion", "ytd_completion", "time_progress", "pacing", "annual_completion",
                 "rag_reference")
ROW_COLUMNS = (
    "level", "key", "indicator", "month_target", "month_actual", "month_completion", "ytd_target",
    "ytd_actual", "ytd_completion", "time_progress", "pacing", "gap", "needed_per_month", "rag", "rank",
    "annual_target", "annual_completion", "rag_reference", "status", "reason",
)
PLAN_TO_DATE, TIME_PROGRESS = "plan_to_date", "time_progress"
ROYALTY_COLUMNS = ("employee_id", "month", "royalty")
_EPS = 1e-9


def employee_departments(ledger: Ledger) -> pd.Series:
    """employee_id → department: the Roster's, else the workbook where the employee first appears."""
    # the first row with both an ID and a department, the frames in this order (what concatenating them and
    # dropping duplicate IDs gave): each frame's first row per ID by hashing, then the first of those per ID
    seen: dict[Any, Any] = {}
    contracts = ledger.tables["Contracts"]
    for ids, depts in ((ledger.standard("Roster")["employee_id"], ledger.standard("Roster")["department"]),
                       *((ledger.tables[key]["employee_id"], ledger.tables[key]["department"])
                         for key in ("Plan", "Contracts", "Expenses")),
                       (contracts["split_employee_id"], contracts["department"])):
        both = (ids.notna() & depts.notna()).to_numpy(dtype=bool)
        ids, depts = ids.to_numpy(dtype=object)[both], depts.to_numpy(dtype=object)[both]
        first = ~pd.Index(ids).duplicated()
        for e, d in zip(ids[first].tolist(), depts[first].tolist()):
            seen.setdefault(e, d)
    return pd.Series(list(seen.values()), index=np.array(list(seen), dtype=object), dtype="str")


@per_ledger
def departments_by_month(ledger: Ledger, year: int) -> pd.DataFrame:
    """employee_id, month (1..12), department: the department each person belongs to in each month of ``year``
    (the Roster overlaid with Roster Changes; people only in workbooks: ``employee_departments``)."""
    roster = ledger.standard("Roster").dropna(subset=["employee_id"])
    out = column_by_month(roster, ledger.standard("RosterChanges"), year, "department").rename(columns={"m": "month"})
    fallback = employee_departments(ledger)
    out["department"] = out["department"].where(out["department"].notna(), out["employee_id"].map(fallback))
    # people only in the workbooks (no Roster row): the workbook where they first appear, every month
    rest = fallback[~fallback.index.isin(set(out["employee_id"]))]
    if len(rest):
        out = pd.concat([out, pd.DataFrame({"employee_id": np.repeat(rest.index.to_numpy(), 12),
                                            "month": np.tile(np.arange(1, 13), len(rest)),
                                            "department": np.repeat(rest.to_numpy(), 12)})], ignore_index=True)
    return out.dropna(subset=["department"]).reset_index(drop=True)


def department_at(ledger: Ledger, year: int, month: int) -> pd.Series:
    """employee_id → the department they belong to in ``month`` of ``year`` (a transferee: their new one)."""
    ids, months, depts = _month_departments(ledger, year)[0]
    at = months == month
    return pd.Series(depts[at], index=ids[at], dtype="str")


def _month_departments(ledger: Ledger, year: int) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray],
                                                           dict[tuple[Any, Any], Any]]:
    """``departments_by_month(ledger, year)`` as its three columns' arrays and as a dict (employee_id, month) →
    department, made once per ledger and year (memoised on it: this module only reads them, never hands them out;
    ``departments_by_month`` gives each caller a copy of its frame, which the look-ups here do not need)."""
    key = ("completion._month_departments", str(year))
    hit = ledger.memo.get(key)
    if hit is None:
        at = departments_by_month(ledger, year)
        cols = tuple(at[c].to_numpy(dtype=object) for c in ("employee_id", "month", "department"))
        hit = ledger.memo[key] = (cols, dict(zip(zip(cols[0].tolist(), cols[1].tolist()), cols[2].tolist())))
    return hit


def _in_year(dates: pd.Series, year: int) -> pd.Series:
    return dates.dt.year.eq(year).fillna(False).astype(bool)


def departments_in_months(ledger: Ledger, employee_ids: Any, years: Any, months: Any) -> np.ndarray:
    """The department each of ``employee_ids`` belongs to in the matching month (1..12) of the matching year
    (``years``: one year for all, or one per row), as ``departments_by_month`` gives it; missing where unknown.
    Positional, in the order given."""
    ids = np.asarray(employee_ids, dtype=object)
    if not len(ids):
        return np.array([], dtype=object)
    months = np.asarray(months).tolist()
    per_row = np.ndim(years) > 0
    yrs = np.asarray(years).tolist() if per_row else [int(years)] * len(ids)
    lookups = {int(y): _month_departments(ledger, int(y))[1] for y in sorted(set(yrs))}
    # each (employee, year, month) has at most one department (departments_by_month's rows are unique), so a
    # look-up per row gives what the left merge on the three keys gave, without the frames
    return np.array([lookups[int(y)].get((e, m), np.nan) for e, y, m in zip(ids.tolist(), yrs, months)], dtype=object)


def credit_departments(ledger: Ledger, credits: pd.DataFrame, date_col: str, year: int | None = None
                       ) -> pd.DataFrame:
    """``credits`` with ``department`` the department each credit counts in: the row's workbook's for the owner's
    share, the split employee's department in the row's month for a split share (of ``year``; None: of the row's
    own year)."""
    split = credits["role"].eq("split").to_numpy(dtype=bool)
    if not split.any():
        return credits
    dates = credits.loc[split, date_col]
    theirs = departments_in_months(ledger, credits.loc[split, "employee_id"],
                                   dates.dt.year.to_numpy() if year is None else year, dates.dt.month.to_numpy())
    dept = credits["department"].astype("object").to_numpy(copy=True)
    dept[split] = np.where(pd.isna(theirs), dept[split], theirs)
    return credits.assign(department=dept)


def _tidy(frame: pd.DataFrame, date_col: str, value: pd.Series, indicator: str, year: int) -> pd.DataFrame:
    # the rows kept taken from NumPy arrays (not .loc per column); the month read on the kept dates only, as
    # before (int32: a NaT among all the dates would make it float)
    dates = frame[date_col]
    keep = (_in_year(dates, year) & frame["employee_id"].notna()).to_numpy(dtype=bool)
    return pd.DataFrame(
        {
            "employee_id": frame["employee_id"].to_numpy()[keep],
            "department": frame["department"].astype("str").to_numpy()[keep],
            "indicator": indicator,
            "month": pd.DatetimeIndex(dates.to_numpy()[keep]).month.to_numpy(),
            "actual": np.nan_to_num(value.to_numpy(dtype="float64", na_value=np.nan)[keep], nan=0.0, posinf=np.inf,
                                    neginf=-np.inf),
        }
    )


def normalize_royalties(royalties: pd.DataFrame | None, year: int) -> pd.DataFrame:
    """A royalty frame (employee_id, month, royalty) with month as 1..12 of ``year`` (other years dropped).

    ``month`` may be a month number, a ``"YYYY-MM"`` text or a date; royalty is the amount paid for that
    month (the true-up payment, negative for a clawback). None means no royalties (all zero).
    """
    if royalties is None or not len(royalties):
        return pd.DataFrame({"employee_id": pd.Series(dtype="str"), "month": pd.Series(dtype="int64"),
                             "royalty": pd.Series(dtype="float64")})
    month = royalties["month"]
    if pd.api.types.is_numeric_dtype(month):
        num = month.astype("int64")
        keep = pd.Series(True, index=royalties.index)
    else:
        when = pd.to_datetime(month.astype("str"), format="mixed")
        num, keep = when.dt.month, when.dt.year.eq(year)
    return pd.DataFrame(
        {
            "employee_id": royalties.loc[keep, "employee_id"].astype("str").to_numpy(),
            "month": num[keep].to_numpy(dtype="int64"),
            "royalty": pd.to_numeric(royalties.loc[keep, "royalty"]).fillna(0.0).to_numpy(dtype="float64"),
        }
    )


def monthly_actuals(ledger: Ledger, year: int, royalties: pd.DataFrame | None = None) -> pd.DataFrame:
    """Actuals per (employee_id, department, indicator, month 1..12) for ``year``, split shares applied,
    cents-rounded; ``department`` is the row's workbook's (a split share's and a royalty's: the person's
    department in the row's month).

    ``royalties``: (employee_id, month, royalty) paid per month, subtracted from Profit; None = zero
    (use it until royalties are computed, e.g. when the standards have no plans). Computed once per ledger, year
    and royalties frame (``per_ledger_arg``).
    """
    return per_ledger_arg(ledger, ("completion.monthly_actuals", year), royalties,
                          lambda: _monthly_actuals(ledger, year, royalties))


def _monthly_actuals(ledger: Ledger, year: int, royalties: pd.DataFrame | None) -> pd.DataFrame:
    """``monthly_actuals``, computed."""
    t = ledger.tables
    contracts = t["Contracts"]
    cc = credit_departments(ledger, contract_credits(contracts), "sign_date", year)
    signing = _tidy(cc, "sign_date", cc["amount"] * cc["share"], SIGNING, year)

    rc = credit_departments(ledger, collection_credits(t["Collections"], contracts), "receipt_date", year)
    collection = _tidy(rc, "receipt_date", rc["credited"], COLLECTION, year)

    ex = t["Expenses"]
    counted = ex["approval"].isin(COUNTED_APPROVALS).fillna(False) | ex["approval"].isna()
    expense = _tidy(ex[counted], "date", ex.loc[counted, "amount"], EXPENSE, year)

    # the margin of the product line's version in force in the receipt's month (Valid From; docs/people.md)
    margin = value_by_date(ledger.standard("ProductLines"), "product_line", "gross_margin", rc["product_line"],
                           rc["receipt_date"])
    gross = _tidy(rc, "receipt_date", rc["credited"] * margin.astype("float64").fillna(0.0), PROFIT, year)
    roy = normalize_royalties(royalties, year)
    # a royalty has no workbook row: it is a cost of the department the person belongs to in its month
    roy_dept = pd.Series(departments_in_months(ledger, roy["employee_id"], year, roy["month"]), dtype="object")
    profit = pd.concat(
        [
            gross,
            expense.assign(indicator=PROFIT, actual=-expense["actual"]),
            pd.DataFrame({"employee_id": roy["employee_id"], "department": roy_dept.fillna("").astype("str").to_numpy(),
                          "indicator": PROFIT, "month": roy["month"], "actual": -roy["royalty"]}),
        ],
        ignore_index=True,
    )
    tidy = pd.concat([signing, collection, expense, profit], ignore_index=True)
    out = tidy.groupby(["employee_id", "department", "indicator", "month"], as_index=False, sort=False)["actual"].sum()
    out["actual"] = round_series(out["actual"])
    return out


def monthly_targets(ledger: Ledger, year: int | None = None) -> pd.DataFrame:
    """Plan targets per (employee_id, department, indicator, month 1..12), ``department`` the Plan row's workbook's;
    duplicate plan rows add up. With ``year``, a
    person's months outside their employment count 0 (``toolkit.core.people.employed_plan``). Computed once per
    ledger and year (completion and each review window share it); each caller gets its own copy."""
    return per_inputs(ledger.memo, ("completion.monthly_targets", str(year)), (),
                      lambda: _monthly_targets(ledger, year))


def _monthly_targets(ledger: Ledger, year: int | None) -> pd.DataFrame:
    """``monthly_targets``, computed."""
    plan = ledger.tables["Plan"].dropna(subset=["employee_id", "indicator"])
    if year is not None:
        plan = employed_plan(plan, ledger.standard("Roster"), year)
    # the plan melted month by month (m01's rows, then m02's …), by taking each row twelve times: melt's rows
    # and dtypes without melt's frames and the month parsed from its key
    n = len(plan)
    rows = np.tile(np.arange(n), len(MONTH_KEYS))
    target = plan[list(MONTH_KEYS)].to_numpy(dtype="float64", na_value=np.nan).T.ravel()

    def col(c: pd.Series) -> pd.Series:
        return c.take(rows).reset_index(drop=True)

    long = pd.DataFrame({"employee_id": col(plan["employee_id"]), "department": col(plan["department"].astype("str")),
                         "indicator": col(plan["indicator"]),
                         "month": np.repeat(np.array([int(k[1:]) for k in MONTH_KEYS], dtype="int64"), n),
                         "target": np.where(np.isnan(target), 0.0, target)})
    out = long.groupby(["employee_id", "department", "indicator", "month"], as_index=False, sort=False)["target"].sum()
    out["target"] = round_series(out["target"])
    return out


def _sums(tidy: pd.DataFrame, value: str, month: int, prefix: str = "",
          keys: tuple[str, ...] = ("employee_id", "indicator")) -> pd.DataFrame:
    """month_/ytd_/annual_ sums of ``value`` per ``keys`` (default: employee_id, indicator)."""
    keys = list(keys)
    m = tidy["month"]
    parts = {
        f"month_{prefix}": tidy[m == month],
        f"ytd_{prefix}": tidy[m <= month],
        f"annual_{prefix}": tidy,
    }
    frames = [p.groupby(keys)[value].sum().rename(name) for name, p in parts.items()]
    return pd.concat(frames, axis=1)


@dataclass(frozen=True)
class RagSettings:
    """How RAG reads a completion (the standards' Thresholds): basis, time progress by days, amber band."""

    basis: str = PLAN_TO_DATE
    by_days: bool = False
    amber_band: float = 10.0

    @classmethod
    def from_thresholds(cls, values: Mapping[str, float]) -> RagSettings:
        """Settings from Thresholds values by canonical name (missing names take the schema defaults)."""
        get = {**THRESHOLD_DEFAULTS, **values}.get
        return cls(TIME_PROGRESS if float(get("RAG vs Time Progress", 0.0) or 0.0) >= 0.5 else PLAN_TO_DATE,
                   float(get("Time Progress by Days", 0.0) or 0.0) >= 0.5, float(get("Amber Band", 10.0)))


def time_progress(period: pd.Period, by_days: bool = False) -> float:
    """时间进度 of a month: month ÷ 12, or (序时进度) elapsed days at its end ÷ days in its year."""
    if by_days:
        end = period.end_time
        return end.day_of_year / (366 if end.is_leap_year else 365)
    return period.month / 12


def completion_table(
    targets: pd.DataFrame,
    actuals: pd.DataFrame,
    departments: pd.Series,
    month: int,
    amber_band: float,
    settings: RagSettings | None = None,
    progress: float | None = None,
) -> pd.DataFrame:
    """Completion rows (ROW_COLUMNS plus ``department``) from tidy targets and actuals for month 1..12.

    An employee line sums the person's rows of every department (their YTD continues across a transfer) and is
    shown in ``departments``' department; with a ``department`` column in both frames, a department line sums
    the rows of that department (its own workbook's), else its employee lines.

    ``amber_band`` is in percentage points (10 means 10%); ``settings`` the RAG basis (default
    plan-to-date), ``progress`` the time progress (default month ÷ 12). Pure and vectorised.
    """
    by_dept = "department" in targets.columns and "department" in actuals.columns
    emp, dept = _grid_sums(targets, actuals, departments, month, by_dept) or _grid_sums_general(
        targets, actuals, departments, month, by_dept)
    money = [c for c in emp.columns if c.startswith(("month_", "ytd_", "annual_"))]
    if dept is None:
        dept = emp.groupby(["department", "indicator"], as_index=False, sort=False)[money].sum()
    dept = dept.assign(level="department", key=dept["department"])
    comp = emp.groupby("indicator", as_index=False, sort=False)[money].sum()
    comp = comp.assign(level="company", key=COMPANY_KEY, department="")

    rows = pd.concat([emp, dept, comp], ignore_index=True)
    for col in money:
        rows[col] = round_series(rows[col])
    settings = settings or RagSettings(amber_band=amber_band)
    return _metrics(rows, month, RagSettings(settings.basis, settings.by_days, amber_band),
                    month / 12 if progress is None else progress)


def _grid_sums_general(targets: pd.DataFrame, actuals: pd.DataFrame, departments: pd.Series, month: int,
                       by_dept: bool) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """``completion_table``'s employee lines (every employee seen × INDICATORS, sorted by id; money unrounded) and,
    with ``by_dept``, its department lines (every department × INDICATORS, by name), by pandas groupby and merge:
    the general path, for any key and value dtypes (``_grid_sums`` is the fast one)."""
    keys = ["employee_id", "indicator"]
    t = _sums(targets, "target", month, "target")
    a = _sums(actuals, "actual", month, "actual")
    emp = t.join(a, how="outer").fillna(0.0).reset_index()
    # every employee seen gets all four indicators
    people = emp["employee_id"].drop_duplicates()
    grid = pd.MultiIndex.from_product([people, INDICATORS], names=keys).to_frame(index=False)
    emp = grid.merge(emp, on=keys, how="left").fillna(
        {c: 0.0 for c in emp.columns if c not in keys}
    )
    emp["department"] = emp["employee_id"].map(departments).fillna("").astype("str")
    emp = emp.assign(level="employee", key=emp["employee_id"])
    if not by_dept:
        return emp, None
    money = [c for c in emp.columns if c.startswith(("month_", "ytd_", "annual_"))]
    # each department counts the rows of its own workbook (a transferee's rows in each; docs/people.md)
    by = ("department", "indicator")
    dept = _sums(targets, "target", month, "target", by).join(_sums(actuals, "actual", month, "actual", by),
                                                               how="outer").fillna(0.0).reset_index()
    names = pd.Series(sorted(set(emp["department"]) | set(dept["department"])), name="department")
    grid = pd.MultiIndex.from_product([names, INDICATORS], names=list(by)).to_frame(index=False)
    return emp, grid.merge(dept, on=list(by), how="left").fillna({c: 0.0 for c in money})[[*by, *money]]


_GRID_MONEY = ("month_target", "ytd_target", "annual_target", "month_actual", "ytd_actual", "annual_actual")


def _whole_cents(values: np.ndarray) -> bool:
    """Whether every value is a whole number of cents (to 10^-6 of a cent) and there are few enough of them that
    any order of adding them lands within a fraction of a cent of the exact total: then a plain sum and pandas'
    compensated one round to the same cent. A total of values with fractions of a cent can sit on a half cent,
    where the two sums round apart (``_grid_sums_general`` takes those)."""
    cents = values[~np.isnan(values)] * 100.0
    return len(cents) <= 100_000 and bool(np.all(np.abs(cents - np.round(cents)) <= 1e-6))


def _key_sums(frames: tuple[pd.DataFrame, pd.DataFrame], key: str, month: int
              ) -> tuple[pd.Index, np.ndarray] | None:
    """The sorted key values of rows with a key and an indicator in either frame (targets, actuals), and per key
    value × INDICATORS the month / YTD / annual sums of each frame's value (``_GRID_MONEY``'s columns, shape
    (keys × 4, 6)); None when the frames have no such row or the dtypes are not the usual ones (text keys of one
    dtype, numeric months and values)."""
    dtype = frames[0][key].dtype
    if not isinstance(dtype, pd.StringDtype) or frames[1][key].dtype != dtype:
        return None
    if any(f[c].dtype.kind not in "iuf" for f, c in zip(frames, ("target", "actual"))) or any(
            f["month"].dtype.kind not in "iuf" for f in frames):
        return None
    code = {ind: i for i, ind in enumerate(INDICATORS)}
    parts = []
    for f, value in zip(frames, ("target", "actual")):
        k = f[key].to_numpy(dtype=object)
        ind = f["indicator"].to_numpy(dtype=object)
        ok = ~(pd.isna(k) | pd.isna(ind))
        parts.append((k[ok], np.array([code.get(i, -1) for i in ind[ok]], dtype=np.int64),
                      f["month"].to_numpy(dtype="float64")[ok], f[value].to_numpy(dtype="float64")[ok]))
    codes, uniques = pd.factorize(np.concatenate([p[0] for p in parts]), sort=True)
    if not len(uniques):
        return None
    if not all(_whole_cents(p[3]) for p in parts):
        return None  # a figure of fractions of a cent: pandas' compensated sums decide its rounding, as before
    n, out, start = len(uniques), [], 0
    for k, ind, m, v in parts:
        row = codes[start:start + len(k)] * len(INDICATORS) + ind
        start += len(k)
        counted = ind >= 0
        row, m, v = row[counted], m[counted], np.where(np.isnan(v[counted]), 0.0, v[counted])
        for inside in (m == month, m <= month, None):
            w = v if inside is None else np.where(inside, v, 0.0)
            out.append(np.bincount(row, weights=w, minlength=n * len(INDICATORS)))
    return pd.Index(uniques, dtype=dtype), np.column_stack(out)


def _grid_sums(targets: pd.DataFrame, actuals: pd.DataFrame, departments: pd.Series, month: int, by_dept: bool
               ) -> tuple[pd.DataFrame, pd.DataFrame | None] | None:
    """``_grid_sums_general``'s frames from NumPy sums over the keys' codes (a few array operations instead of a
    dozen groupbys, joins and merges on frames of a few rows); None where the general path is needed. Money is
    unrounded here as there; both are rounded to cents by the caller, and the inputs are whole cents
    (``_whole_cents``, else the general path), so the order of the additions (which may differ in the last bit)
    never shows."""
    frames = (targets, actuals)
    got = _key_sums(frames, "employee_id", month)
    if got is None:
        return None
    people, sums = got
    dept_sums = _key_sums(frames, "department", month) if by_dept else None
    if by_dept and dept_sums is None:
        return None
    inds = pd.Index(INDICATORS)
    nind = len(INDICATORS)
    emp_dept = pd.Series(people, dtype=people.dtype).map(departments).fillna("").astype("str").to_numpy()
    ids = pd.Series(np.repeat(people.to_numpy(dtype=object), nind), dtype=people.dtype)
    emp = pd.DataFrame({"employee_id": ids,
                        "indicator": pd.Series(np.tile(inds.to_numpy(dtype=object), len(people)), dtype=inds.dtype),
                        **{c: sums[:, j] for j, c in enumerate(_GRID_MONEY)}})
    emp["department"] = pd.Series(np.repeat(emp_dept, nind), dtype="str")
    emp = emp.assign(level="employee", key=emp["employee_id"])
    if dept_sums is None:
        return emp, None
    seen, dsums = dept_sums
    names = pd.Series(sorted(set(emp["department"]) | set(seen)), name="department")
    at = seen.get_indexer(names)  # -1: a department of an employee line only (no rows of its own): zero
    grid = np.zeros((len(names) * nind, len(_GRID_MONEY)))
    have = np.flatnonzero(at >= 0)
    rows_from = (at[have][:, None] * nind + np.arange(nind)).ravel()
    rows_to = (have[:, None] * nind + np.arange(nind)).ravel()
    grid[rows_to] = dsums[rows_from]
    dept = pd.DataFrame({"department": pd.Series(np.repeat(names.to_numpy(dtype=object), nind), dtype=names.dtype),
                         "indicator": pd.Series(np.tile(inds.to_numpy(dtype=object), len(names)), dtype=inds.dtype),
                         **{c: grid[:, j] for j, c in enumerate(_GRID_MONEY)}})
    return emp, dept


def ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """num ÷ den, blank where den is 0 (completion is blank when the target is 0)."""
    return (num / den.where(den != 0)).astype("float64")


def rag(completion: pd.Series, reference: float | pd.Series, amber_band: float,
        lower_is_better: pd.Series) -> pd.Series:
    """green / amber / red of a completion against its reference, DOMAIN.md's corrected rule.

    ``reference`` is 1.0 (plan-to-date completion) or the time progress (annual completion). Green
    at or above it, amber within ``amber_band`` percentage points below, red otherwise; where
    ``lower_is_better`` (Expense) the comparison flips. Blank completion: None.
    """
    lower = lower_is_better.to_numpy(dtype=bool)
    # distance on the wrong side of the reference, in completion points (for Expense: overspend)
    shortfall = (reference - completion).where(~lower, completion - reference)
    band = amber_band / 100.0
    out = np.select(
        [completion.isna(), shortfall <= _EPS, shortfall <= band + _EPS], [None, "green", "amber"], default="red"
    )
    return pd.Series(out, index=completion.index, dtype="object")


def pacing(annual_completion: pd.Series, progress: float | pd.Series) -> pd.Series:
    """Annual completion ÷ time progress (1.0 = exactly on the calendar's pace)."""
    return (annual_completion / progress).astype("float64")


def _metrics(rows: pd.DataFrame, month: int, settings: RagSettings, progress: float) -> pd.DataFrame:
    # on the columns' arrays (``ratio``, ``pacing``'s arithmetic, element for element), set in one assign
    def num(col: str) -> np.ndarray:
        return rows[col].to_numpy(dtype="float64", na_value=np.nan)

    def ratio_of(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(b != 0, a / b, np.nan)  # ``ratio``: blank where the target is 0

    month_t, month_a, ytd_t, ytd_a, annual_t = (num(c) for c in ("month_target", "month_actual", "ytd_target",
                                                                  "ytd_actual", "annual_target"))
    annual = ratio_of(ytd_a, annual_t)
    ytd = ratio_of(ytd_a, ytd_t)
    remaining = 12 - month
    if remaining:
        left = annual_t - ytd_a
        needed = np.where((left >= 0) | np.isnan(left), left, 0.0) / remaining  # clip(lower=0) keeps blanks
    else:
        needed = np.full(len(rows), np.nan)
    gap_needed = round_series(pd.Series(np.concatenate([ytd_t - ytd_a, needed]))).to_numpy()

    on_time = settings.basis == TIME_PROGRESS
    c = annual if on_time else ytd
    reference = progress if on_time else 1.0
    lower = rows["indicator"].isin(LOWER_IS_BETTER)
    level = rows["level"].to_numpy(dtype=object)
    group = np.where(level == "employee", rows["department"].to_numpy(dtype=object), "")
    ranked = _rank_min_descending(np.where(lower.to_numpy(dtype=bool), -c, c),
                                  (level, group, rows["indicator"].to_numpy(dtype=object)))
    ranked[level == "company"] = np.nan
    return rows.assign(
        month_completion=ratio_of(month_a, month_t), ytd_completion=ytd, annual_completion=annual,
        time_progress=progress, pacing=annual / progress, gap=gap_needed[:len(rows)],
        needed_per_month=gap_needed[len(rows):], rag_reference=reference,
        rag=rag(pd.Series(c, index=rows.index), reference, settings.amber_band, lower),
        rank=pd.Series(ranked, index=rows.index).astype("Int64"))


def _rank_min_descending(score: np.ndarray, keys: tuple[np.ndarray, ...]) -> np.ndarray:
    """``score.groupby(keys).rank(method="min", ascending=False)`` on arrays: 1 + how many in the row's group
    score strictly more (ties share the best rank; blank scores and rows with a blank key: NaN)."""
    gid = np.zeros(len(score), dtype=np.int64)
    valid = ~np.isnan(score)
    for k in keys:
        codes, uniques = pd.factorize(k)
        valid &= codes >= 0
        gid = gid * (len(uniques) + 1) + codes
    out = np.full(len(score), np.nan)
    at = np.flatnonzero(valid)
    if not len(at):
        return out
    g, s = gid[at], -score[at]
    order = np.lexsort((s, g))  # by group, then best score first
    g, s = g[order], s[order]
    pos = np.arange(len(at))
    new_group = np.r_[True, g[1:] != g[:-1]]
    new_value = new_group | np.r_[True, s[1:] != s[:-1]]
    first_of_group = np.maximum.accumulate(np.where(new_group, pos, 0))
    first_of_value = np.maximum.accumulate(np.where(new_value, pos, 0))
    out[at[order]] = first_of_value - first_of_group + 1
    return out


def compute_completion(
    ledger: Ledger, period: str, royalties: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Completion rows for ``period`` (YYYY-MM): ROW_COLUMNS plus ``department`` and ``name``.

    ``royalties`` (employee_id, month, royalty) are subtracted from Profit; pass None for zero royalties.
    Row order: employees (by department, id), departments, the company; indicators in schema order.
    """
    p = parse_period(period)
    targets = monthly_targets(ledger, p.year)
    actuals = monthly_actuals(ledger, p.year, royalties)
    settings = rag_settings(ledger)
    departments = department_at(ledger, p.year, p.month)  # a transferee is shown in the department of the month
    left = set(left_out_departments(ledger))
    absent = set(ledger.absent_people)
    out_people = {e for e, d in departments.items() if d in left} | absent
    if out_people:  # not computed: their rows never enter a figure, a total or a rank
        targets = targets[~targets["employee_id"].isin(out_people)]
        actuals = actuals[~actuals["employee_id"].isin(out_people)]
    rows = completion_table(targets, actuals, departments, p.month, settings.amber_band,
                            settings, time_progress(p, settings.by_days))
    rows = rows.assign(status=COMPUTED, reason=None)
    if out_people or left:
        rows = pd.concat([rows, _not_computed_rows(sorted(out_people), departments, sorted(left))],
                         ignore_index=True)
    roster = ledger.standard("Roster").dropna(subset=["employee_id"]).drop_duplicates("employee_id")
    names = pd.Series(roster["name"].to_numpy(), index=roster["employee_id"].to_numpy())
    rows["name"] = rows["key"].map(names).where(rows["level"] == "employee")
    order = {
        "level": rows["level"].map({lv: i for i, lv in enumerate(LEVELS)}),
        "indicator": rows["indicator"].map({ind: i for i, ind in enumerate(INDICATORS)}),
    }
    rows = rows.assign(_lo=order["level"], _io=order["indicator"]).sort_values(
        ["_lo", "department", "key", "_io"], kind="stable"
    )
    cols = [*ROW_COLUMNS, "department", "name"]
    return rows[cols].reset_index(drop=True)


def _not_computed_rows(people: list[str], departments: pd.Series, left: list[str]) -> pd.DataFrame:
    """Placeholder rows (every figure blank, status ``not-computed``) for people and departments left out."""
    recs = [{"level": "employee", "key": e, "department": str(departments.get(e, "")), "indicator": ind}
            for e in people for ind in INDICATORS]
    recs += [{"level": "department", "key": d, "department": d, "indicator": ind} for d in left for ind in INDICATORS]
    frame = pd.DataFrame(recs, columns=["level", "key", "department", "indicator"])
    frame["rank"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    return frame.assign(status=NOT_COMPUTED, reason=NOT_CONSOLIDATED)


def rag_settings(ledger: Ledger) -> RagSettings:
    """The RAG basis, time-progress mode and amber band of the ledger's standards."""
    names = ("Amber Band", "RAG vs Time Progress", "Time Progress by Days")
    values = thresholds(ledger.standards)  # read once (``Ledger.threshold`` reads the sheet at each call)
    return RagSettings.from_thresholds({n: values[n] for n in names})


def royalty_payments(ledger: Ledger, period: str) -> pd.DataFrame | None:
    """Royalty payments (employee_id, month, royalty) for Jan..period from ``toolkit.core.royalties``.

    None when the royalties module is not available; its result feeds Profit and the fund demand.
    """
    try:
        from . import royalties as roy_mod  # guarded import: completion works without the royalties module (no royalty cost in Profit)
    except ImportError:
        return None
    fn = getattr(roy_mod, "monthly_payments", None)
    if fn is None:
        return None
    return fn(ledger, period)
