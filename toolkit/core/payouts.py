"""The payout ledger's rules: pay against what was paid (DOMAIN.md, Royalties; DESIGN.md, Money over time).

Pure functions over frames; ``toolkit.operations.closes`` gathers the store's history and records the result.

- **Payment** for period p = round(R_p) − Σ payments recorded for p's year by earlier closes (the current
  version of each). Months before the year's first recorded close count as paid at their recomputed
  figure (an ``opening`` entry, said in the notes): the toolkit cannot know what was paid before it
  was used. A month never closed is caught up by the next close, and said so.
- **Adjustment**: when the year has an earlier close q, payment = regular + adjustment, where
  regular = round(R_p now) − round(R_q now) and adjustment = round(R_q now) − paid to date. The
  adjustment is itemised: rows credited to months up to q in the data of close q (its stored trace)
  against now — added, removed, changed — each with its exact effect, found by applying the changes one
  at a time in date order and re-evaluating R_q (the effects telescope, so they add up to the cent);
  what remains (targets or standards changed since) is one ``other`` item.
- **Prior year**: at an employee's first computed close of a new year, the last close of the previous
  year is compared the same way, with that close's recorded targets (the rolled-over workbook's Plan is
  the new year's); the difference is a ``prior-year`` entry paid or clawed back now, booked to the old year.
- **Floating salary** is a monthly amount from the YTD appraisal score: recorded as paid for its month
  (paid before = Σ earlier floating payments); it is not re-adjusted when closed months change.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..schema import DEPARTMENT
from .coverage import COMPUTED
from .periods import year_month
from .royalties import cents, month_end
from .findings import Finding

#: round(R) in cents per employee_id for contribution rows at the end of a month (``royalties.ytd_function``).
YtdFunction = Callable[[pd.DataFrame, int], pd.Series]

#: Identity of a credited row across closes (source paths change between months, so they are not part of it).
ROW_KEY = ("employee_id", "table", "contract_no", "receipt_no", "role")
#: What makes a credited row "changed".
_COMPARED = ("date", "amount", "share", "product_line", "factor")


@dataclass
class YearHistory:
    """What the store recorded for one year before the close being computed (built by the operations layer).

    ``paid``: recorded payment rows of the year (``employee_id``, ``kind``, ``entry``, ``amount``), current
    close versions only. ``last_close``: period of the latest such close (None: none). ``then``: that
    close's stored royalty trace; ``then_employees``: employees computed (paid) at it; ``first_close``:
    period of the year's first close; ``targets``: stored royalty lines of ``last_close`` (prior year)."""

    year: int
    paid: pd.DataFrame
    last_close: str | None = None
    first_close: str | None = None
    then: pd.DataFrame | None = None
    then_employees: set[str] = field(default_factory=set)
    closed_months: list[int] = field(default_factory=list)
    prior_checked: set[str] = field(default_factory=set)


@dataclass
class PriorYear:
    """The previous year as seen now: its history, contributions in the current data (up to the month of its
    last close), the function evaluating R with its recorded targets, and the departments still holding rows
    of that year (a register started afresh keeps its recorded rows: nothing is clawed back for it)."""

    history: YearHistory
    contributions: pd.DataFrame
    ytd: YtdFunction
    departments_with_rows: set[str]


@dataclass
class Payouts:
    """The payout ledger's result for one close.

    ``statement``: one row per computed employee — employee_id, name, department, ytd_earned, paid_before,
    payment (this payment, the current year's), regular, adjustment, prior_year_adjustment (booked to the
    previous year, paid now), total (payment + prior-year adjustment), opening (paid before includes
    recomputed months before the first recorded close). ``payments``/``adjustments``: rows to record
    (``toolkit.store.base.PAYMENT_COLUMNS``/``ADJUSTMENT_COLUMNS``). ``notes``: dicts with a ``code``."""

    period: str
    statement: pd.DataFrame
    payments: pd.DataFrame
    adjustments: pd.DataFrame
    notes: list[dict[str, Any]] = field(default_factory=list)

    def totals(self) -> dict[str, float]:
        """Sums of the statement's money columns (exact: summed in cents)."""
        out: dict[str, float] = {}
        for col in ("ytd_earned", "paid_before", "payment", "regular", "adjustment", "prior_year_adjustment", "total"):
            out[col] = int(cents(self.statement[col]).sum()) / 100 if len(self.statement) else 0.0
        return out


def _by_employee(frame: pd.DataFrame, column: str, employees: pd.Index) -> np.ndarray:
    if frame is None or not len(frame):
        return np.zeros(len(employees), dtype="int64")
    summed = pd.Series(cents(frame[column]), index=frame["employee_id"].to_numpy()).groupby(level=0).sum()
    return summed.reindex(employees, fill_value=0).to_numpy(dtype="int64")


def _royalty(paid: pd.DataFrame) -> pd.DataFrame:
    """The royalty rows of recorded payments."""
    return paid[paid["kind"] == "royalty"] if len(paid) else paid


def _at(ytd: YtdFunction, rows: pd.DataFrame, month: int, employees: pd.Index) -> np.ndarray:
    return ytd(rows, month).groupby(level=0).sum().reindex(employees, fill_value=0).to_numpy(dtype="int64")


def normalise_trace(trace: pd.DataFrame | None, like: pd.DataFrame) -> pd.DataFrame:
    """A stored royalty trace (dates as text) typed like current contributions, with the same columns."""
    if trace is None or not len(trace):
        return like.iloc[0:0].copy()
    out = trace.copy()
    for col in like.columns:
        if col not in out.columns:
            out[col] = pd.NA
    out["date"] = pd.to_datetime(out["date"], errors="coerce")
    for col in ("amount", "share", "factor", "credited", "weighted"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    for col in ("employee_id", "table", "contract_no", "receipt_no", "role", "product_line", "basis", "department"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out[list(like.columns)].reset_index(drop=True)


def diff_rows(then: pd.DataFrame, now: pd.DataFrame) -> pd.DataFrame:
    """Credited rows added, removed or changed between two sets of contributions.

    One row per change: employee_id, change, table, contract_no, receipt_no, source, row, date (the row's
    date now, else then), amount/credited before and after, ``then_index``/``now_index`` (positions in the
    inputs, -1 when absent)."""
    def keyed(frame: pd.DataFrame) -> pd.DataFrame:
        k = pd.DataFrame({c: frame[c].astype(object).where(frame[c].notna(), "").astype(str) for c in ROW_KEY})
        k["_n"] = k.groupby(list(ROW_KEY)).cumcount()
        k["_i"] = np.arange(len(frame))
        return k

    merged = keyed(then).merge(keyed(now), on=[*ROW_KEY, "_n"], how="outer", suffixes=("_then", "_now"))
    ti = merged["_i_then"].fillna(-1).astype("int64").to_numpy()
    ni = merged["_i_now"].fillna(-1).astype("int64").to_numpy()

    def pick(frame: pd.DataFrame, idx: np.ndarray, col: str) -> pd.Series:
        values = frame[col].to_numpy(dtype=object) if len(frame) else np.array([], dtype=object)
        return pd.Series([values[i] if i >= 0 else None for i in idx], dtype=object)

    differs = np.zeros(len(merged), dtype=bool)
    for col in _COMPARED:
        a, b = pick(then, ti, col), pick(now, ni, col)
        if col in ("amount", "share", "factor"):
            fa, fb = pd.to_numeric(a, errors="coerce").astype("float64"), pd.to_numeric(b, errors="coerce").astype("float64")
            tol = 0.005 if col == "amount" else 1e-9
            neq = ~((fa - fb).abs() <= tol) & ~(fa.isna() & fb.isna())
        else:
            neq = ~((a == b) | (a.isna() & b.isna()))
        differs |= neq.to_numpy(dtype=bool)
    change = np.where(ti < 0, "added", np.where(ni < 0, "removed", np.where(differs, "changed", "")))
    out = pd.DataFrame({
        "employee_id": merged["employee_id"].to_numpy(), "change": change,
        "table": merged["table"].to_numpy(), "contract_no": merged["contract_no"].replace("", None).to_numpy(),
        "receipt_no": merged["receipt_no"].replace("", None).to_numpy(),
        "source": pick(now, ni, "source").where(ni >= 0, pick(then, ti, "source")),
        "row": pick(now, ni, "_row").where(ni >= 0, pick(then, ti, "_row")),
        "date": pd.to_datetime(pick(now, ni, "date").where(ni >= 0, pick(then, ti, "date"))),
        "amount_before": pd.to_numeric(pick(then, ti, "amount"), errors="coerce"),
        "amount_after": pd.to_numeric(pick(now, ni, "amount"), errors="coerce"),
        "credited_before": pd.to_numeric(pick(then, ti, "credited"), errors="coerce"),
        "credited_after": pd.to_numeric(pick(now, ni, "credited"), errors="coerce"),
        "then_index": ti, "now_index": ni,
    })
    out = out[out["change"] != ""]
    return out.sort_values(["employee_id", "date", "contract_no", "receipt_no"], kind="stable",
                           na_position="last").reset_index(drop=True)


def itemise(then: pd.DataFrame, now: pd.DataFrame, month: int, ytd: YtdFunction,
            employees: pd.Index) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The changes between ``then`` and ``now`` (both dated up to ``month``) with each one's exact effect on
    round(R) at ``month``, in cents. Returns (changes with ``effect`` in money, cents of R on ``then``, on ``now``).

    Changes are applied one at a time per employee, in date order; the effect of the k-th is R after it minus
    R before it, so the effects add up to R(now) − R(then) exactly."""
    changes = diff_rows(then, now)
    changes = changes[changes["employee_id"].isin(set(employees))].reset_index(drop=True)
    r0 = _at(ytd, then, month, employees)
    if not len(changes):
        return changes.assign(effect=pd.Series(dtype="float64")), r0, r0.copy()
    changes["rank"] = changes.groupby("employee_id").cumcount() + 1
    drop_rank = np.full(len(then), np.iinfo("int64").max)
    gone = changes[changes["then_index"] >= 0]
    drop_rank[gone["then_index"].to_numpy()] = gone["rank"].to_numpy()
    added = changes[changes["now_index"] >= 0]
    adds = now.iloc[added["now_index"].to_numpy()].reset_index(drop=True)
    add_rank = added["rank"].to_numpy()
    steps = [r0]
    for k in range(1, int(changes["rank"].max()) + 1):
        state = pd.concat([then[drop_rank > k], adds[add_rank <= k]], ignore_index=True)
        steps.append(_at(ytd, state, month, employees))
    grid = np.vstack(steps)  # (steps, employees)
    pos = employees.get_indexer(changes["employee_id"])
    r = changes["rank"].to_numpy()
    changes["effect"] = (grid[r, pos] - grid[r - 1, pos]) / 100
    return changes.drop(columns=["rank"]), r0, grid[-1]


def _adjustment_rows(changes: pd.DataFrame, year: int, prior: bool) -> pd.DataFrame:
    if not len(changes):
        return pd.DataFrame()
    return pd.DataFrame({
        "employee_id": changes["employee_id"], "year": year, "kind": "royalty",
        "closed_period": changes["date"].dt.strftime("%Y-%m"), "change": changes["change"], "reason": "rows",
        "sheet": changes["table"].map(lambda k: DEPARTMENT.table(k).sheet.en if k else None),
        "contract_no": changes["contract_no"], "receipt_no": changes["receipt_no"], "source": changes["source"],
        "row": changes["row"], "amount_before": changes["amount_before"], "amount_after": changes["amount_after"],
        "credited_before": changes["credited_before"], "credited_after": changes["credited_after"],
        "effect": changes["effect"], "prior_year": int(prior),
    })


def _other_rows(employees: pd.Index, other_c: np.ndarray, year: int, closed: str, prior: bool) -> pd.DataFrame:
    hit = other_c != 0
    if not hit.any():
        return pd.DataFrame()
    return pd.DataFrame({"employee_id": employees[hit], "year": year, "kind": "royalty", "closed_period": closed,
                         "change": "other", "reason": "targets-or-standards", "effect": other_c[hit] / 100,
                         "prior_year": int(prior)})


def _carry(then: pd.DataFrame, now: pd.DataFrame, keep: Collection[str]) -> pd.DataFrame:
    """``now`` plus the recorded rows of departments whose rows are absent now (``keep``): a department not
    consolidated this time, or a register started afresh, is not a removal."""
    if then is None or not len(then) or "department" not in then.columns:
        return now
    carried = then[then["department"].isin(set(keep))]
    return pd.concat([now, carried], ignore_index=True) if len(carried) else now


def royalty_payouts(period: str, lines: pd.DataFrame, contributions: pd.DataFrame, ytd: YtdFunction,
                    history: YearHistory, covered_departments: Collection[str],
                    prior: PriorYear | None = None) -> Payouts:
    """Payments, adjustments and the statement columns of the close of ``period`` (see the module doc).

    ``lines``/``contributions``: ``RoyaltyResult.lines``/``.contributions`` for ``period`` on the current data;
    ``ytd``: ``royalties.ytd_function`` for the current year; ``covered_departments``: departments in the data."""
    year, month = year_month(period)
    comp = lines[lines["status"] == COMPUTED] if "status" in lines.columns else lines
    emps = pd.Index(comp["employee_id"].astype(str))
    now_c = cents(comp["ytd_royalty"])
    notes: list[dict[str, Any]] = []
    royalty_paid = _royalty(history.paid)
    paid_c = _by_employee(royalty_paid, "amount", emps)
    has_rows = emps.isin(set(royalty_paid["employee_id"])) if len(royalty_paid) else np.zeros(len(emps), bool)

    # months before the year's first recorded close: taken as paid at their recomputed figure
    first = year_month(history.first_close)[1] if history.first_close else month
    opening_month = first - 1
    opening_c = np.zeros(len(emps), dtype="int64")
    needs = ~np.asarray(has_rows, dtype=bool)
    if opening_month >= 1 and needs.any():
        upto = contributions[contributions["date"] < month_end(year, opening_month)]
        opening_c = np.where(needs, _at(ytd, upto, opening_month, emps), 0)
        notes.append({"code": "opening", "through": f"{year:04d}-{opening_month:02d}",
                      "employees": int(needs.sum()), "amount": int(opening_c.sum()) / 100})
    paid_c = paid_c + opening_c
    never = [m for m in range(first, month) if m not in set(history.closed_months)]
    if history.first_close and never:
        notes.append({"code": "months-not-closed", "months": [f"{year:04d}-{m:02d}" for m in never]})

    adjustment_c = np.zeros(len(emps), dtype="int64")
    adjustments: list[pd.DataFrame] = []
    if history.last_close:
        q = year_month(history.last_close)[1]
        then = normalise_trace(history.then, contributions)
        absent = set(then["department"].dropna()) - set(covered_departments) if len(then) else set()
        now_q = _carry(then, contributions[contributions["date"] < month_end(year, q)], absent)
        in_last = emps[emps.isin(history.then_employees)]
        changes, r_then, r_now = itemise(then[then["employee_id"].isin(set(in_last))],
                                         now_q[now_q["employee_id"].isin(set(in_last))], q, ytd, in_last)
        pos = emps.get_indexer(in_last)
        adjustment_c[pos] = r_now - paid_c[pos]
        other = r_then - paid_c[pos]
        adjustments += [_adjustment_rows(changes, year, False), _other_rows(in_last, other, year, history.last_close,
                                                                            False)]
    payment_c = now_c - paid_c
    regular_c = payment_c - adjustment_c

    prior_c = np.zeros(len(emps), dtype="int64")
    prior_rows = pd.DataFrame()
    if prior is not None and prior.history.last_close:
        py = prior.history.year
        pq = year_month(prior.history.last_close)[1]
        then = normalise_trace(prior.history.then, contributions)
        gone = set(then["department"].dropna()) - set(prior.departments_with_rows) if len(then) else set()
        now_prev = _carry(then, prior.contributions[prior.contributions["date"] < month_end(py, pq)], gone)
        todo = emps[emps.isin(prior.history.then_employees) & ~emps.isin(prior.history.prior_checked)]
        if len(todo):
            changes, r_then, r_now = itemise(then[then["employee_id"].isin(set(todo))],
                                             now_prev[now_prev["employee_id"].isin(set(todo))], pq, prior.ytd, todo)
            ppaid = _by_employee(_royalty(prior.history.paid), "amount", todo)
            pos = emps.get_indexer(todo)
            prior_c[pos] = r_now - ppaid
            adjustments += [_adjustment_rows(changes, py, True),
                            _other_rows(todo, r_then - ppaid, py, prior.history.last_close, True)]
            info = comp.set_index(comp["employee_id"].astype(str))
            prior_rows = pd.DataFrame({
                "employee_id": todo, "name": info.loc[todo, "name"].to_numpy(),
                "department": info.loc[todo, "department"].to_numpy(), "year": py, "period": period,
                "kind": "royalty", "entry": "prior-year", "ytd_earned": r_now / 100, "paid_before": ppaid / 100,
                "amount": (r_now - ppaid) / 100, "regular": 0.0, "adjustment": (r_now - ppaid) / 100})
            if (r_now != ppaid).any():
                notes.append({"code": "prior-year", "year": py, "employees": int((r_now != ppaid).sum()),
                              "amount": int((r_now - ppaid).sum()) / 100})

    name, dept = comp["name"].to_numpy(dtype=object), comp["department"].to_numpy(dtype=object)
    statement = pd.DataFrame({
        "employee_id": emps, "name": name, "department": dept, "ytd_earned": now_c / 100,
        "paid_before": paid_c / 100, "payment": payment_c / 100, "regular": regular_c / 100,
        "adjustment": adjustment_c / 100, "prior_year_adjustment": prior_c / 100,
        "total": (payment_c + prior_c) / 100, "opening": opening_c != 0,
    })
    rows = [pd.DataFrame({"employee_id": emps, "name": name, "department": dept, "year": year, "period": period,
                          "kind": "royalty", "entry": "payment", "ytd_earned": now_c / 100,
                          "paid_before": paid_c / 100, "amount": payment_c / 100, "regular": regular_c / 100,
                          "adjustment": adjustment_c / 100})]
    if (opening_c != 0).any():
        hit = opening_c != 0
        rows.insert(0, pd.DataFrame({
            "employee_id": emps[hit], "name": name[hit], "department": dept[hit], "year": year,
            "period": f"{year:04d}-{opening_month:02d}", "kind": "royalty", "entry": "opening",
            "ytd_earned": opening_c[hit] / 100, "paid_before": 0.0, "amount": opening_c[hit] / 100,
            "regular": opening_c[hit] / 100, "adjustment": 0.0}))
    if len(prior_rows):
        rows.append(prior_rows)
    adj = [a for a in adjustments if len(a)]
    return Payouts(period, statement, pd.concat(rows, ignore_index=True),
                   pd.concat(adj, ignore_index=True) if adj else pd.DataFrame(), notes)


def floating_payouts(period: str, lines: pd.DataFrame, history: YearHistory) -> pd.DataFrame:
    """Floating salary rows to record: the month's pay, with Σ earlier recorded floating pay as paid before."""
    year, _ = year_month(period)
    comp = lines[lines["status"] == COMPUTED] if "status" in lines.columns else lines
    emps = pd.Index(comp["employee_id"].astype(str))
    paid = history.paid[history.paid["kind"] == "floating"] if len(history.paid) else history.paid
    before = _by_employee(paid, "amount", emps)
    pay = cents(comp["pay"])
    return pd.DataFrame({"employee_id": emps, "name": comp["name"].to_numpy(dtype=object),
                         "department": comp["department"].to_numpy(dtype=object), "year": year, "period": period,
                         "kind": "floating", "entry": "payment", "ytd_earned": (before + pay) / 100,
                         "paid_before": before / 100, "amount": pay / 100, "regular": pay / 100, "adjustment": 0.0})


_DATED = {"Contracts": ("contract_no", "sign_date"), "Collections": ("receipt_no", "receipt_date")}
_WHAT = {"Contracts": ("contract", "合同"), "Collections": ("receipt", "收款")}


def backdated_findings(then: dict[str, pd.DataFrame], now: Any, closed: dict[str, str]) -> list[Finding]:
    """Rows of a department workbook (``now``, a ``WorkbookData``) dated in a closed month that were not in the
    data that close used (``then``: the tables of the department's snapshot at its last close), or whose
    amount or date changed since. ``closed``: closed period ("YYYY-MM") -> when it was closed."""
    out: list[Finding] = []
    if not closed:
        return out
    last = max(closed)
    limit = month_end(*year_month(last))
    for key, (id_col, date_col) in _DATED.items():
        frame = now.tables.get(key)
        if frame is None or not len(frame):
            continue
        dates = pd.to_datetime(frame[date_col], errors="coerce")
        months = dates.dt.strftime("%Y-%m")
        candidate = frame[(dates < limit) & months.isin(set(closed))]
        if not len(candidate):
            continue
        before = then.get(key)
        fold = lambda s: s.astype("str").str.strip().str.lower()  # noqa: E731 - one-line key normaliser
        if before is None or not len(before):
            known: dict[str, tuple[Any, Any]] = {}
        else:
            known = dict(zip(fold(before[id_col]), zip(pd.to_datetime(before[date_col], errors="coerce"),
                                                       pd.to_numeric(before["amount"], errors="coerce"))))
        table = DEPARTMENT.table(key)
        layout = getattr(now, "layout", {}).get(key)
        letter = layout.columns[date_col][0] if layout is not None and date_col in layout.columns else None
        for ident, date, amount, row, month in zip(fold(candidate[id_col]), pd.to_datetime(candidate[date_col]),
                                                   pd.to_numeric(candidate["amount"], errors="coerce"),
                                                   candidate["_row"], months[candidate.index]):
            seen = known.get(ident)
            if seen is not None and seen[0] == date and (abs((seen[1] or 0) - (amount or 0)) <= 0.005):
                continue
            r = None if pd.isna(row) else int(row)
            out.append(Finding(
                "backdated-into-closed-period", sheet=table.sheet.en, row=r,
                cell=f"{letter}{r}" if letter and r else None, column=table.column(date_col).label.en,
                value=str(candidate.loc[candidate["_row"] == row, id_col].iloc[0]) if r else ident,
                file=str(getattr(now, "path", "")) or None,
                params={"what": _WHAT[key][0], "what_zh": _WHAT[key][1], "date": date.date().isoformat(),
                        "month": month, "closed_at": closed[month][:10]}))
    return out


def apply_payouts(result: Any, statement: pd.DataFrame, adjustments: pd.DataFrame | None) -> Any:
    """A ``RoyaltyResult`` made to say what the payout ledger pays (in place; returned): each computed line's
    ``previous_ytd_royalty`` becomes paid to date and ``payment`` this close's payment for the year
    (``clawback`` when negative), plus ``paid_to_date``, ``regular_payment``, ``adjustment``,
    ``prior_year_adjustment``, ``total_payment`` and ``opening``; ``result.adjustments`` the itemised items."""
    st = statement.set_index("employee_id")
    lines = result.lines
    computed = (lines["status"] == COMPUTED) if "status" in lines.columns else pd.Series(True, index=lines.index)
    ids = lines.loc[computed, "employee_id"].astype(str)
    get = lambda col: ids.map(st[col]).astype("float64")  # noqa: E731 - one statement column per line
    lines.loc[computed, "previous_ytd_royalty"] = get("paid_before")
    lines.loc[computed, "payment"] = get("payment")
    lines.loc[computed, "clawback"] = get("payment") < 0
    for col, src in (("paid_to_date", "paid_before"), ("regular_payment", "regular"), ("adjustment", "adjustment"),
                     ("prior_year_adjustment", "prior_year_adjustment"), ("total_payment", "total")):
        lines[col] = pd.Series(float("nan"), index=lines.index)
        lines.loc[computed, col] = get(src)
    lines["opening"] = False
    lines.loc[computed, "opening"] = ids.map(st["opening"]).fillna(False).astype(bool)
    result.adjustments = adjustments if adjustments is not None else pd.DataFrame()
    return result
