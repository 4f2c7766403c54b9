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
  Each employee is itemised against the last close that computed them (``YearHistory.source``).
- **Prior year**: at every close of a year, the whole previous year is compared the same way, with the
  recorded targets (the rolled-over workbook's Plan is the new year's); a difference is a ``prior-year``
  entry paid or clawed back now, booked to the old year.
- **Floating salary** is a monthly amount from the YTD appraisal score: each month since the year's first
  close is paid once per person — at its own close, or caught up at the next close that computes the person
  (a month never closed, a department not consolidated) at that month's pay on the current data; it is not
  re-adjusted when closed months change.
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

    ``paid``: recorded payment rows of the year (``employee_id``, ``kind``, ``entry``, ``amount``, ``period``,
    ``close_id``, ``close_period``), current close versions only, including prior-year entries booked to this
    year by closes of the next one. ``last_close``: period of the latest close of the year (None: none);
    ``first_close``: period of its first; ``closed_months``: months closed. ``trace``: a close id's stored
    royalty trace (rows of any year it evaluated). ``source``: employee -> (close id, period) of the latest
    close that computed their royalty for this year: adjustments are itemised against it."""

    year: int
    paid: pd.DataFrame
    last_close: str | None = None
    first_close: str | None = None
    closed_months: list[int] = field(default_factory=list)
    trace: Callable[[int], pd.DataFrame] | None = None
    source: dict[str, tuple[int, str]] = field(default_factory=dict)
    last_close_id: int | None = None

    def sources(self, employees: pd.Index) -> dict[tuple[int, str], pd.Index]:
        """Employees grouped by the close that last computed them (those never computed left out)."""
        groups: dict[tuple[int, str], list[str]] = {}
        for e in employees:
            if e in self.source:
                groups.setdefault(self.source[e], []).append(e)
        return {k: pd.Index(v) for k, v in sorted(groups.items(), key=lambda kv: kv[0][1])}


def latest_sources(paid: pd.DataFrame) -> dict[str, tuple[int, str]]:
    """Employee -> (close id, close period) of the latest close that recorded a royalty computation of theirs
    (a ``payment`` or a ``prior-year`` entry) in ``paid``."""
    if paid is None or not len(paid):
        return {}
    rows = paid[(paid["kind"] == "royalty") & paid["entry"].isin(["payment", "prior-year"])]
    rows = rows.sort_values(["close_period", "close_id"], kind="stable")
    last = rows.drop_duplicates("employee_id", keep="last")
    return {str(e): (int(c), str(p)) for e, c, p in zip(last["employee_id"], last["close_id"], last["close_period"])}


@dataclass
class Legacy:
    """A month close made before the store had the payout ledger (an upgraded store): its period, run, and
    what it computed from its stored snapshots — round(R) in cents per employee computed (``ytd``) and its
    contributions (the trace adjustments are itemised against)."""

    period: str
    run_id: int
    ytd: pd.Series
    contributions: pd.DataFrame


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
    #: the previous year's contributions as evaluated now for the employees given a prior-year entry (stored
    #: with the close's trace: the next correction to that year is itemised against it)
    prior_trace: pd.DataFrame = field(default_factory=pd.DataFrame)

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


#: The reason of an ``other`` adjustment of someone whose plan a Retroactive Roster Change replaced from January.
RETROACTIVE_CHANGE = "retroactive-change"


def _other_rows(employees: pd.Index, other_c: np.ndarray, year: int, closed: str, prior: bool,
                retroactive: Collection[str] = ()) -> pd.DataFrame:
    hit = other_c != 0
    if not hit.any():
        return pd.DataFrame()
    reason = np.where(employees[hit].isin(list(retroactive)), RETROACTIVE_CHANGE, "targets-or-standards")
    return pd.DataFrame({"employee_id": employees[hit], "year": year, "kind": "royalty", "closed_period": closed,
                         "change": "other", "reason": reason, "effect": other_c[hit] / 100,
                         "prior_year": int(prior)})


def _carry(then: pd.DataFrame, now: pd.DataFrame, keep: Collection[str]) -> pd.DataFrame:
    """``now`` plus the recorded rows of departments whose rows are absent now (``keep``): a department not
    consolidated this time, or a register started afresh, is not a removal."""
    if then is None or not len(then) or "department" not in then.columns:
        return now
    carried = then[then["department"].isin(set(keep))]
    return pd.concat([now, carried], ignore_index=True) if len(carried) else now


def _then_rows(history: YearHistory, close_id: int, like: pd.DataFrame, year: int, upto: pd.Timestamp) -> pd.DataFrame:
    """The rows of ``year`` (dated before ``upto``) in a close's stored trace, typed like ``like``."""
    then = normalise_trace(history.trace(close_id) if history.trace else None, like)
    keep = ~(then["date"] < pd.Timestamp(year, 1, 1)) & ~(then["date"] >= upto)
    return then[keep].reset_index(drop=True)


def _current_year(history: YearHistory, contributions: pd.DataFrame, year: int, emps: pd.Index,
                  paid_c: np.ndarray, ytd: YtdFunction, covered: Collection[str], retroactive: Collection[str] = ()
                  ) -> tuple[np.ndarray, list[pd.DataFrame]]:
    """Adjustment (cents) per employee and the itemised rows: each employee against the last close that
    computed them (a person not computed at the previous close — a transfer, a department rejected — is
    itemised against the close before)."""
    adjustment_c = np.zeros(len(emps), dtype="int64")
    items: list[pd.DataFrame] = []
    for (cid, cperiod), group in history.sources(emps).items():
        q = year_month(cperiod)[1]
        end = month_end(year, q)
        then = _then_rows(history, cid, contributions, year, end)
        absent = set(then["department"].dropna()) - set(covered) if len(then) else set()
        now_q = _carry(then, contributions[contributions["date"] < end], absent)
        members = set(group)
        changes, r_then, r_now = itemise(then[then["employee_id"].isin(members)],
                                         now_q[now_q["employee_id"].isin(members)], q, ytd, group)
        pos = emps.get_indexer(group)
        adjustment_c[pos] = r_now - paid_c[pos]
        items += [_adjustment_rows(changes, year, False),
                  _other_rows(group, r_then - paid_c[pos], year, cperiod, False, retroactive)]
    return adjustment_c, items


def _previous_year(prior: PriorYear, year: int, emps: pd.Index
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[pd.DataFrame], pd.DataFrame]:
    """The previous year, open to corrections at every close of this one: round(R of the whole previous year
    on the current data, with its recorded targets) − Σ recorded for it. Returns (prior-year adjustment,
    R now, paid, in cents per employee of ``emps``; itemised rows; the contributions to store as this
    close's view of the previous year, for the employees adjusted)."""
    history, py = prior.history, prior.history.year
    paid = _royalty(history.paid)
    prior_c = np.zeros(len(emps), dtype="int64")
    r_all, p_all = np.zeros(len(emps), dtype="int64"), np.zeros(len(emps), dtype="int64")
    items: list[pd.DataFrame] = []
    stored: list[pd.DataFrame] = []
    if not len(paid):
        return prior_c, r_all, p_all, items, pd.DataFrame()
    todo = emps[emps.isin(set(paid["employee_id"]))]
    upto = pd.Timestamp(year, 1, 1)
    for (cid, cperiod), group in history.sources(todo).items():
        then = _then_rows(history, cid, prior.contributions, py, upto)
        if not len(then) and history.last_close_id is not None and cid != history.last_close_id:
            cid, cperiod = history.last_close_id, str(history.last_close)  # a close that stored no view of it
            then = _then_rows(history, cid, prior.contributions, py, upto)
        gone = set(then["department"].dropna()) - set(prior.departments_with_rows) if len(then) else set()
        now = _carry(then, prior.contributions, gone)
        members = set(group)
        now = now[now["employee_id"].isin(members)]
        r_now = _at(prior.ytd, now, 12, group)
        ppaid = _by_employee(paid, "amount", group)
        pos = emps.get_indexer(group)
        r_all[pos], p_all[pos] = r_now, ppaid
        hit = group[r_now != ppaid]
        if not len(hit):
            continue
        keep = set(hit)
        changes, r_then, r_after = itemise(then[then["employee_id"].isin(keep)], now[now["employee_id"].isin(keep)],
                                           12, prior.ytd, hit)
        hpaid = _by_employee(paid, "amount", hit)
        prior_c[emps.get_indexer(hit)] = r_after - hpaid
        items += [_adjustment_rows(changes, py, True), _other_rows(hit, r_then - hpaid, py, cperiod, True)]
        stored.append(now[now["employee_id"].isin(keep)])
    return prior_c, r_all, p_all, items, (pd.concat(stored, ignore_index=True) if stored else pd.DataFrame())


def royalty_payouts(period: str, lines: pd.DataFrame, contributions: pd.DataFrame, ytd: YtdFunction,
                    history: YearHistory, covered_departments: Collection[str],
                    prior: PriorYear | None = None, legacy: Legacy | None = None,
                    retroactive: Collection[str] = ()) -> Payouts:
    """Payments, adjustments and the statement columns of the close of ``period`` (see the module doc).

    ``lines``/``contributions``: ``RoyaltyResult.lines``/``.contributions`` for ``period`` on the current data;
    ``ytd``: ``royalties.ytd_function`` for the current year; ``covered_departments``: departments in the data;
    ``retroactive``: employees whose plan a Retroactive Roster Change replaced from January (their ``other``
    adjustment says so: reason ``retroactive-change``)."""
    year, month = year_month(period)
    comp = lines[lines["status"] == COMPUTED] if "status" in lines.columns else lines
    emps = pd.Index(comp["employee_id"].astype(str))
    now_c = cents(comp["ytd_royalty"])
    notes: list[dict[str, Any]] = []
    royalty_paid = _royalty(history.paid)
    paid_c = _by_employee(royalty_paid, "amount", emps)
    has_rows = emps.isin(set(royalty_paid["employee_id"])) if len(royalty_paid) else np.zeros(len(emps), bool)

    # months before the year's first recorded close: taken as paid at their recomputed figure, or at what a
    # close made before the store had the payout ledger computed from its stored snapshots (``legacy``)
    first = year_month(history.first_close)[1] if history.first_close else month
    opening_month = year_month(legacy.period)[1] if legacy is not None and not history.first_close else first - 1
    opening_c = np.zeros(len(emps), dtype="int64")
    needs = ~np.asarray(has_rows, dtype=bool)
    if opening_month >= 1 and needs.any():
        upto = contributions[contributions["date"] < month_end(year, opening_month)]
        opening_c = np.where(needs, _at(ytd, upto, opening_month, emps), 0)
        if legacy is not None and not history.first_close:
            known = emps.isin(set(legacy.ytd.index)) & needs
            opening_c[known] = legacy.ytd.reindex(emps[known]).to_numpy(dtype="int64")
            notes.append({"code": "opening-reconstructed", "through": legacy.period, "run": legacy.run_id,
                          "employees": int(known.sum()), "amount": int(opening_c[known].sum()) / 100})
            needs = needs & ~known
        if needs.any():
            notes.append({"code": "opening", "through": f"{year:04d}-{opening_month:02d}",
                          "employees": int(needs.sum()), "amount": int(opening_c[needs].sum()) / 100})
    paid_c = paid_c + opening_c
    last_known = history.last_close or (legacy.period if legacy is not None else None)
    if last_known:  # said once: by the close that follows the months skipped
        never = list(range(year_month(last_known)[1] + 1, month))
        if never:
            notes.append({"code": "months-not-closed", "months": [f"{year:04d}-{m:02d}" for m in never]})

    adjustment_c, adjustments = _current_year(history, contributions, year, emps, paid_c, ytd, covered_departments,
                                              retroactive)
    payment_c = now_c - paid_c
    regular_c = payment_c - adjustment_c

    prior_c = np.zeros(len(emps), dtype="int64")
    prior_rows, prior_trace = pd.DataFrame(), pd.DataFrame()
    if prior is not None:
        py = prior.history.year
        prior_c, r_prev, p_prev, items, prior_trace = _previous_year(prior, year, emps)
        adjustments += items
        hit = prior_c != 0
        if hit.any():
            info = comp.set_index(comp["employee_id"].astype(str))
            todo = emps[hit]
            prior_rows = pd.DataFrame({
                "employee_id": todo, "name": info.loc[todo, "name"].to_numpy(),
                "department": info.loc[todo, "department"].to_numpy(), "year": py, "period": period,
                "kind": "royalty", "entry": "prior-year", "ytd_earned": r_prev[hit] / 100,
                "paid_before": p_prev[hit] / 100, "amount": prior_c[hit] / 100, "regular": 0.0,
                "adjustment": prior_c[hit] / 100})
            notes.append({"code": "prior-year", "year": py, "employees": int(hit.sum()),
                          "amount": int(prior_c.sum()) / 100})

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
                   pd.concat(adj, ignore_index=True) if adj else pd.DataFrame(), notes, prior_trace)


def floating_payouts(period: str, lines: pd.DataFrame, history: YearHistory,
                     appraise: Callable[[str], pd.DataFrame] | None = None,
                     first_month: int | None = None, employed: Callable[[str], pd.Series] | None = None
                     ) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Floating salary rows to record and the notes: this month's pay, plus every month of the year since its
    first close that has no floating pay recorded for a person computed now (a month never closed, or one
    when their department was not consolidated), each at that month's pay on the current data (``appraise``:
    the appraisal lines of a period), itemised by month; paid before = Σ recorded floating pay of the year.
    ``employed``: each person's share of a period employed (``people.employment``); a month owed only to people
    not employed in it (a hire's months before the start) is not appraised: it pays them nothing."""
    year, month = year_month(period)
    comp = lines[lines["status"] == COMPUTED] if "status" in lines.columns else lines
    emps = pd.Index(comp["employee_id"].astype(str))
    paid = history.paid[history.paid["kind"] == "floating"] if len(history.paid) else history.paid
    before = _by_employee(paid, "amount", emps)
    done: dict[str, set[str]] = {}
    if len(paid):
        for e, p in zip(paid["employee_id"].astype(str), paid["period"].astype(str)):
            done.setdefault(e, set()).add(p)
    first = year_month(history.first_close)[1] if history.first_close else month
    if first_month is not None:
        first = min(first, first_month)
    parts = [pd.DataFrame({"employee_id": emps, "period": period, "pay": cents(comp["pay"]), "late": False})]
    caught: list[str] = []
    for k in range(first, month) if appraise is not None else ():
        p = f"{year:04d}-{k:02d}"
        owed = [e for e in emps if p not in done.get(e, set())]
        if owed and employed is not None:  # a share unknown or missing counts as employed, as the appraisal has it
            share = employed(p).reindex(owed).fillna(1.0)
            owed = [e for e, s in zip(owed, share) if s > 0]
        if not owed:
            continue
        then = appraise(p)
        then = then[(then["status"] == COMPUTED) if "status" in then.columns else slice(None)]
        then = then[then["employee_id"].astype(str).isin(set(owed))]
        if len(then):
            caught.append(p)
            parts.append(pd.DataFrame({"employee_id": then["employee_id"].astype(str).to_numpy(), "period": p,
                                       "pay": cents(then["pay"].fillna(0.0)), "late": True}))
    rows = pd.concat(parts, ignore_index=True).sort_values(["employee_id", "period"], kind="stable")
    info = comp.set_index(comp["employee_id"].astype(str))
    rows["before"] = rows["employee_id"].map(pd.Series(before, index=emps)).astype("int64")
    rows["before"] += rows.groupby("employee_id")["pay"].cumsum() - rows["pay"]
    late = rows["late"].to_numpy(dtype=bool)
    pay = rows["pay"].to_numpy(dtype="int64")
    out = pd.DataFrame({"employee_id": rows["employee_id"].to_numpy(),
                        "name": info.loc[rows["employee_id"], "name"].to_numpy(dtype=object),
                        "department": info.loc[rows["employee_id"], "department"].to_numpy(dtype=object),
                        "year": year, "period": rows["period"].to_numpy(), "kind": "floating", "entry": "payment",
                        "ytd_earned": (rows["before"].to_numpy() + pay) / 100,
                        "paid_before": rows["before"].to_numpy() / 100, "amount": pay / 100,
                        "regular": np.where(late, 0, pay) / 100, "adjustment": np.where(late, pay, 0) / 100})
    notes = []
    if late.any():
        notes.append({"code": "floating-caught-up", "months": caught,
                      "employees": int(rows.loc[late, "employee_id"].nunique()), "amount": int(pay[late].sum()) / 100})
    return out.reset_index(drop=True), notes


_DATED = {"Contracts": ("contract_no", "sign_date"), "Collections": ("receipt_no", "receipt_date")}
#: The department tables ``backdated_findings`` compares (a caller reading a stored snapshot reads only these).
DATED_TABLES = tuple(_DATED)
_WHAT = {"Contracts": ("contract", "合同"), "Collections": ("receipt", "收款")}


def backdated_findings(then: dict[str, pd.DataFrame], now: Any, closed: dict[str, str],
                       absent_months: Collection[str] = (), department: str = "") -> list[Finding]:
    """Rows of a department workbook (``now``, a ``WorkbookData``) dated in a closed month that were not in the
    data that close used (``then``: the tables of the department's snapshot at its last close), or whose
    amount or date changed since, and rows that close had which are gone. ``closed``: closed period
    ("YYYY-MM") -> when it was closed. ``absent_months``: closed months whose close did not include the
    department: its rows there are one ``department-back-in-closes`` finding, not one per row."""
    out: list[Finding] = []
    if not closed:
        return out
    last = max(closed)
    limit = month_end(*year_month(last))
    absent = set(absent_months)
    back_rows = 0
    fold = lambda s: s.astype("str").str.strip().str.lower()  # noqa: E731 - one-line key normaliser
    for key, (id_col, date_col) in _DATED.items():
        frame = now.tables.get(key)
        table = DEPARTMENT.table(key)
        before = then.get(key)
        if before is None or not len(before):
            known: dict[str, tuple[Any, Any]] = {}
        else:
            known = dict(zip(fold(before[id_col]), zip(pd.to_datetime(before[date_col], errors="coerce"),
                                                       pd.to_numeric(before["amount"], errors="coerce"))))
        present = set(fold(frame[id_col])) if frame is not None and len(frame) else set()
        held = set(pd.to_datetime(frame[date_col], errors="coerce").dt.year.dropna().astype(int)) \
            if frame is not None and len(frame) else set()
        for ident, (date, _amount) in sorted(known.items()):  # rows the close had that are gone
            # (a year the workbook holds no row of is a register started afresh, not a deletion)
            if ident in present or pd.isna(date) or date >= limit or date.year not in held:
                continue
            month = date.strftime("%Y-%m")
            if month in closed:
                original = before.loc[fold(before[id_col]) == ident, id_col].iloc[0]
                out.append(Finding("removed-from-closed-period", sheet=table.sheet.en, value=str(original),
                                   file=str(getattr(now, "path", "")) or None,
                                   params={"what": _WHAT[key][0], "what_zh": _WHAT[key][1],
                                           "date": date.date().isoformat(), "month": month,
                                           "closed_at": closed[month][:10]}))
        if frame is None or not len(frame):
            continue
        dates = pd.to_datetime(frame[date_col], errors="coerce")
        months = dates.dt.strftime("%Y-%m")
        candidate = frame[(dates < limit) & months.isin(set(closed))]
        if not len(candidate):
            continue
        layout = getattr(now, "layout", {}).get(key)
        letter = layout.columns[date_col][0] if layout is not None and date_col in layout.columns else None
        for ident, date, amount, row, month in zip(fold(candidate[id_col]), pd.to_datetime(candidate[date_col]),
                                                   pd.to_numeric(candidate["amount"], errors="coerce"),
                                                   candidate["_row"], months[candidate.index]):
            seen = known.get(ident)
            if seen is not None and seen[0] == date and (abs((seen[1] or 0) - (amount or 0)) <= 0.005):
                continue
            if month in absent and seen is None:
                back_rows += 1
                continue
            r = None if pd.isna(row) else int(row)
            out.append(Finding(
                "backdated-into-closed-period", sheet=table.sheet.en, row=r,
                cell=f"{letter}{r}" if letter and r else None, column=table.column(date_col).label.en,
                value=str(candidate.loc[candidate["_row"] == row, id_col].iloc[0]) if r else ident,
                file=str(getattr(now, "path", "")) or None,
                params={"what": _WHAT[key][0], "what_zh": _WHAT[key][1], "date": date.date().isoformat(),
                        "month": month, "closed_at": closed[month][:10]}))
    if back_rows:
        out.insert(0, Finding("department-back-in-closes", value=department,
                              file=str(getattr(now, "path", "")) or None,
                              params={"department": department, "months": ", ".join(sorted(absent)),
                                      "rows": back_rows}))
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
