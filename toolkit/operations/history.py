"""The history people can read, from the store: runs, closes, one close, an employee's payments in a
year, and what changed in a department since its last close (``toolkit history ...``; issue 12).

Each function returns plain data with a ``to_dict`` (the JSON form) and ``frames`` (sheets for xlsx);
the CLI presents them. Nothing here recomputes a figure: what is shown is what was recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field, asdict
from typing import Any

import numpy as np
import pandas as pd

from ..core.people import employment, roster_at
from ..core.royalties import cents
from ..errors import ToolkitError
from ..i18n import register
from ..money import fmt_money
from ..schema import DEPARTMENT
from ..store.base import CloseInfo, RunInfo, SnapshotInfo, Store
from .finance import close_state, payment_states, recorded_manual

register(
    {
        "history.no-person-close": ("No close of {year} in the history store {path}: nothing to show for {employee}.",
                                    "历史库 {path} 中没有 {year} 年的结账记录：无法显示 {employee} 的情况。"),
        "history.not-on-roster": ("{employee} is not on the Roster of the last close of {year} ({period}).",
                                  "{employee} 不在 {year} 年最后一次结账（{period}）的人员名册中。"),
        "history.no-close": ("No close of {period} in the history store {path}.",
                             "历史库 {path} 中没有 {period} 的结账记录。"),
        "history.no-department": ("The history store {path} holds no snapshot of department {department}.",
                                  "历史库 {path} 中没有部门 {department} 的快照。"),
    }
)

_MONEY = ("ytd_earned", "paid_before", "amount", "regular", "adjustment", "amount_before", "amount_after",
          "credited_before", "credited_after", "effect", "floating_base", "royalty_paid", "floating_paid")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON records: money as "1234.50" strings, missing as null."""
    out = []
    for rec in frame.to_dict("records"):
        row = {}
        for k, v in rec.items():
            if v is None or (not isinstance(v, (str, list, dict)) and pd.isna(v)):
                row[k] = None
            elif k in _MONEY:
                row[k] = fmt_money(float(v))
            elif isinstance(v, np.generic):
                row[k] = v.item()
            else:
                row[k] = v
        out.append(row)
    return out


def _sum(frame: pd.DataFrame, column: str) -> str:
    return fmt_money(int(cents(frame[column]).sum()) / 100) if len(frame) else "0.00"


@dataclass
class RunsAndCloses:
    """Every recorded run and close (all versions), oldest first."""

    runs: list[RunInfo]
    closes: list[CloseInfo]
    #: close id -> its payments' state (computed, approved, exported, paid; issue 25)
    states: dict[int, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"runs": [asdict(r) for r in self.runs],
                "closes": [{**c.to_dict(), "state": self.states.get(c.id, "computed")} for c in self.closes]}

    def frames(self) -> dict[str, pd.DataFrame]:
        runs = pd.DataFrame([{k: v for k, v in r.__dict__.items() if k != "summary"} for r in self.runs])
        closes = pd.DataFrame([{**c.to_dict(), "state": self.states.get(c.id, "computed"),
                                "snapshot_ids": ", ".join(map(str, c.snapshot_ids)),
                                "departments": ", ".join(c.departments),
                                "not_consolidated": ", ".join(c.not_consolidated),
                                "outputs": "; ".join(p for v in c.outputs.values() for p in v),
                                "notes": "; ".join(n.get("code", "") for n in c.notes)} for c in self.closes])
        return {"runs": runs, "closes": closes}


def list_history(store: Store, period: str | None = None, year: int | None = None) -> RunsAndCloses:
    """Runs (of ``period`` when given) and closes (of ``period`` or ``year``)."""
    runs = store.runs(period)
    if year is not None:
        runs = [r for r in runs if r.period.startswith(f"{year:04d}-")]
    recorded = {c.run_id: f"{c.period} v{c.version}" for c in store.closes()}
    for r in runs:  # a month close's run says whether its close was recorded
        if r.command == "close-month":
            r.close = recorded.get(r.id, "not recorded")
    closes = store.closes(period=period, year=year)
    return RunsAndCloses(runs, closes, {c.id: close_state(store, c) for c in closes})


def paid_by_month(store: Store, year: int) -> pd.DataFrame | None:
    """What the ledger paid in ``year``, by the month of the close that paid it: ``employee_id``, ``month``,
    ``royalty`` and ``floating`` (recorded amounts of the current closes of ``year``, every entry, summed in
    cents), and ``closed`` months as a frame attribute. None when ``year`` has no close (nothing recorded)."""
    closes = store.closes(year=year, current_only=True)
    if not closes:
        return None
    pay = store.payments(year=year)
    pay = pay[pay["close_period"].astype(str).str.startswith(f"{year:04d}-")] if len(pay) else pay
    if len(pay):
        frame = pd.DataFrame({"employee_id": pay["employee_id"].astype(str),
                              "month": pay["close_period"].astype(str).str[5:7].astype(int),
                              "kind": pay["kind"], "c": cents(pay["amount"])})
        out = frame.pivot_table(index=["employee_id", "month"], columns="kind", values="c", aggfunc="sum",
                                fill_value=0).reset_index()
    else:
        out = pd.DataFrame(columns=["employee_id", "month"])
    for kind in ("royalty", "floating"):
        out[kind] = (out[kind].astype("int64") / 100) if kind in out.columns else 0.0
    out = out[["employee_id", "month", "royalty", "floating"]].reset_index(drop=True)
    out.attrs["closed"] = sorted(c.month for c in closes)
    return out


@dataclass
class CloseDetail:
    """One close: its record, payments and itemised adjustments, with totals."""

    close: CloseInfo
    payments: pd.DataFrame
    adjustments: pd.DataFrame
    #: Money leaving the toolkit (issue 25): the close's state, its events (approved/exported/paid: who, when)
    #: and the manual adjustments it paid.
    state: str = "computed"
    events: list[dict[str, Any]] = field(default_factory=list)
    manual: pd.DataFrame = field(default_factory=pd.DataFrame)

    def totals(self) -> dict[str, Any]:
        pay = self.payments[self.payments["entry"] != "opening"] if len(self.payments) else self.payments
        out: dict[str, Any] = {}
        for kind in ("royalty", "floating"):
            rows = pay[pay["kind"] == kind] if len(pay) else pay
            out[kind] = {"employees": int(rows["employee_id"].nunique()) if len(rows) else 0,
                         "amount": _sum(rows, "amount"), "adjustment": _sum(rows, "adjustment")}
        out["manual"] = {"employees": int(self.manual["employee_id"].nunique()) if len(self.manual) else 0,
                         "amount": _sum(self.manual, "amount")}
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"close": self.close.to_dict(), "state": self.state, "events": self.events,
                "payments": _records(self.payments), "adjustments": _records(self.adjustments),
                "manual_adjustments": _records(self.manual), "totals": self.totals()}

    def frames(self) -> dict[str, pd.DataFrame]:
        return {"payments": self.payments, "adjustments": self.adjustments, "manual": self.manual}


def show_close(store: Store, period: str, version: int | None = None) -> CloseDetail:
    """The close of ``period`` (the current version, or ``version``)."""
    closes = store.closes(period=period)
    pick = [c for c in closes if (c.version == version if version is not None else c.status == "current")]
    if not pick:
        raise ToolkitError("history.no-close", period=period, path=store.url)
    close = pick[0]
    payments = store.payments(close_id=close.id)
    return CloseDetail(close, payments.assign(state=payment_states(store, payments)),
                       store.adjustments(close_id=close.id), close_state(store, close), store.close_events(close.id),
                       _manual_states(store, store.close_results(close.id, "pay_adjustments"), close.id))


@dataclass
class EmployeePayments:
    """An employee's recorded payments and adjustments in a year (current close versions)."""

    employee_id: str
    year: int
    payments: pd.DataFrame
    adjustments: pd.DataFrame
    manual: pd.DataFrame = field(default_factory=pd.DataFrame)  # manual adjustments paid, with their state
    #: Close periods of the year that left the employee out (department not consolidated): not computed, not 0.00.
    not_computed: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """``not-computed`` when no close of the year computed the employee's pay, else ``computed``."""
        return "not-computed" if self.not_computed and not len(self.payments) else "computed"

    def to_dict(self) -> dict[str, Any]:
        roy = self.payments[self.payments["kind"] == "royalty"] if len(self.payments) else self.payments
        flo = self.payments[self.payments["kind"] == "floating"] if len(self.payments) else self.payments
        blank = self.status == "not-computed"
        return {"employee_id": self.employee_id, "year": self.year, "status": self.status,
                "not_computed": list(self.not_computed), "payments": _records(self.payments),
                "adjustments": _records(self.adjustments), "manual_adjustments": _records(self.manual),
                "totals": {"royalty_paid": None if blank else _sum(roy, "amount"),
                           "floating_paid": None if blank else _sum(flo, "amount"),
                           "manual_paid": _sum(self.manual, "amount")}}

    def frames(self) -> dict[str, pd.DataFrame]:
        return {"payments": self.payments, "adjustments": self.adjustments, "manual": self.manual}


def employee_payments(store: Store, employee_id: str, year: int) -> EmployeePayments:
    """What was recorded as paid to ``employee_id`` for ``year``, close by close; Σ royalty = paid to date."""
    payments = store.payments(year=year, employee_id=employee_id)
    manual = recorded_manual(store)
    if len(manual):
        manual = manual[(manual["employee_id"].astype(str) == employee_id)
                        & (manual["period"].astype(str).str[:4] == f"{year:04d}")]
        manual = pd.concat([_manual_states(store, g.drop(columns="close_id"), int(cid))
                            for cid, g in manual.groupby("close_id")], ignore_index=True) if len(manual) else manual
    left = []
    for info in store.closes(year=year, current_only=True):
        if info.not_consolidated:
            sal = store.close_results(info.id, "salaries")
            if len(sal) and "status" in sal and ((sal["employee_id"].astype(str) == employee_id)
                                                 & (sal["status"] == "not-computed")).any():
                left.append(info.period)
    return EmployeePayments(employee_id, year, payments.assign(state=payment_states(store, payments)),
                            store.adjustments(year=year, employee_id=employee_id), manual, sorted(left))


def _manual_states(store: Store, manual: pd.DataFrame, close_id: int) -> pd.DataFrame:
    """Manual entries of a close with their state: the close's, or exported/paid from the lines finance received."""
    if not len(manual):
        return manual
    state = close_state(store, store.close_info(close_id))
    lines = store.finance_lines(close_id=close_id)
    out = []
    for rec in manual.to_dict("records"):
        mine = lines[(lines["employee_id"] == str(rec["employee_id"])) & (lines["pay_item"] == rec["kind"])] \
            if len(lines) else lines
        out.append(("paid" if mine["paid_date"].notna().all() else "exported") if len(mine) else state)
    return manual.assign(state=out)


@dataclass
class DepartmentChanges:
    """Rows added, removed and changed per sheet between a department's snapshot at its last close and now."""

    department: str
    since: CloseInfo | None
    before: SnapshotInfo | None
    now: SnapshotInfo
    sheets: dict[str, pd.DataFrame] = field(default_factory=dict)  # table key -> change rows

    def summary(self) -> list[dict[str, Any]]:
        out = []
        for key, frame in self.sheets.items():
            counts = frame["change"].value_counts() if len(frame) else pd.Series(dtype="int64")
            out.append({"sheet": DEPARTMENT.table(key).sheet.en, "table": key,
                        **{c: int(counts.get(c, 0)) for c in ("added", "removed", "changed")}})
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"department": self.department, "since_close": self.since.to_dict() if self.since else None,
                "before_snapshot": self.before.id if self.before else None, "now_snapshot": self.now.id,
                "summary": self.summary(),
                "changes": {DEPARTMENT.table(k).sheet.en: _records(v.astype(object).where(v.notna(), None))
                            for k, v in self.sheets.items() if len(v)}}

    def frames(self) -> dict[str, pd.DataFrame]:
        return {"summary": pd.DataFrame(self.summary()),
                **{DEPARTMENT.table(k).sheet.en: v for k, v in self.sheets.items() if len(v)}}


def _cell_text(s: pd.Series) -> pd.Series:
    """A column's values as comparable text: dates ISO, numbers to 6 decimals, blanks empty."""
    if getattr(s.dtype, "kind", "O") == "M":
        out = s.dt.strftime("%Y-%m-%d")
    elif getattr(s.dtype, "kind", "O") == "f":
        out = s.round(6).astype(object)
    else:
        out = s.astype(object)
    return out.where(s.notna(), "").astype(object).map(str)


def _row_text(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Each row's values as one comparable string."""
    if not columns or not len(frame):
        return pd.Series("", index=frame.index, dtype=object)
    return pd.concat([_cell_text(frame[c]) for c in columns], axis=1).agg("\u241f".join, axis=1)


def table_changes(key: str, before: pd.DataFrame | None, now: pd.DataFrame) -> pd.DataFrame:
    """Rows of one sheet added, removed or changed: by the sheet's unique key (Contract No, Receipt No …);
    sheets without one compare whole rows (added/removed only). Columns: change, key, row_before, row_now,
    fields (the columns that differ)."""
    table = DEPARTMENT.table(key)
    cols = [c for c in table.keys if c in now.columns]
    before = now.iloc[0:0] if before is None else before
    ukey = table.unique_key
    if ukey:
        k = ukey[0]
        fold = lambda s: s.astype(object).where(s.notna(), "").astype(str).str.strip().str.lower()  # noqa: E731
        a = before.assign(_k=fold(before[k]), _t=_row_text(before, cols)).drop_duplicates("_k")
        b = now.assign(_k=fold(now[k]), _t=_row_text(now, cols)).drop_duplicates("_k")
        m = a[["_k", "_t", "_row", k]].merge(b[["_k", "_t", "_row", k]], on="_k", how="outer",
                                             suffixes=("_before", "_now"), indicator=True)
        change = np.select([m["_merge"] == "right_only", m["_merge"] == "left_only", m["_t_before"] != m["_t_now"]],
                           ["added", "removed", "changed"], "")
        keyv = m[f"{k}_now"].where(m[f"{k}_now"].notna(), m[f"{k}_before"])
        out = pd.DataFrame({"change": change, "key": keyv.astype(object), "row_before": m["_row_before"],
                            "row_now": m["_row_now"]})
        texts_a = {c: _cell_text(a[c]).set_axis(a["_k"]) for c in cols}
        texts_b = {c: _cell_text(b[c]).set_axis(b["_k"]) for c in cols}
        diff_fields = [", ".join(c for c in cols if texts_a[c][kk] != texts_b[c][kk]) if ch == "changed" else None
                       for kk, ch in zip(m["_k"], change)]
        out["fields"] = diff_fields
        return out[out["change"] != ""].reset_index(drop=True)
    ta, tb = _row_text(before, cols), _row_text(now, cols)
    na = ta.groupby(ta).cumcount().astype(str)
    nb = tb.groupby(tb).cumcount().astype(str)
    a = pd.DataFrame({"_t": ta + "#" + na, "_row": before["_row"].to_numpy()})
    b = pd.DataFrame({"_t": tb + "#" + nb, "_row": now["_row"].to_numpy()})
    m = a.merge(b, on="_t", how="outer", suffixes=("_before", "_now"), indicator=True)
    m = m[m["_merge"] != "both"]
    keyv = m["_t"].str.rsplit("#", n=1).str[0].str.replace("\u241f", " | ")
    return pd.DataFrame({"change": np.where(m["_merge"] == "right_only", "added", "removed"), "key": keyv.to_numpy(),
                         "row_before": m["_row_before"].to_numpy(), "row_now": m["_row_now"].to_numpy(),
                         "fields": None}).reset_index(drop=True)


def department_changes(store: Store, department: str) -> DepartmentChanges:
    """What changed in ``department`` since its last close: its newest current snapshot against the
    snapshot of it that the latest close including it used (everything is "added" when never closed)."""
    snaps = [s for s in store.history(department=department) if s.is_current]
    if not snaps:
        raise ToolkitError("history.no-department", department=department, path=store.url)
    now = max(snaps, key=lambda s: (s.period, s.id))
    since, before = None, None
    for close in reversed(store.closes(current_only=True)):
        mine = [store.snapshot(i) for i in close.snapshot_ids]
        mine = [s for s in mine if s.kind == "department" and s.department == department]
        if mine:
            since, before = close, mine[0]
            break
    then = store.load_snapshot(before.id).tables if before else {}
    current = store.load_snapshot(now.id).tables
    sheets = {t.key: table_changes(t.key, then.get(t.key), current[t.key]) for t in DEPARTMENT.tables
              if t.key in current}
    return DepartmentChanges(department, since, before, now, sheets)


@dataclass
class PersonHistory:
    """A person's state month by month (DOMAIN.md, "People and standards over time") beside what was paid:
    ``months`` has month, department, role, grade, royalty_plan, floating_base, employed (share of the month
    worked), royalty_paid (recorded by that month's closes) and floating_paid (floating pay of that month)."""

    employee_id: str
    year: int
    standards_of: str
    months: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        return {"employee_id": self.employee_id, "year": self.year, "standards_of": self.standards_of,
                "months": _records(self.months), "totals": {"royalty_paid": _sum(self.months, "royalty_paid"),
                                                            "floating_paid": _sum(self.months, "floating_paid")}}

    def frames(self) -> dict[str, pd.DataFrame]:
        return {"months": self.months}


def person_history(store: Store, employee_id: str, year: int) -> PersonHistory:
    """``toolkit history person``: the person's Roster state for each month of ``year`` (the standards of the
    year's last close, with its Roster Changes) and what the closes recorded as paid to them."""
    closes = store.closes(year=year, current_only=True)
    if not closes:
        raise ToolkitError("history.no-person-close", year=year, employee=employee_id, path=store.url)
    last = max(closes, key=lambda c: c.period)
    snaps = store.current(last.period, kind="standards")
    if not snaps:
        raise ToolkitError("history.no-person-close", year=year, employee=employee_id, path=store.url)
    std = store.load_snapshot(snaps[0].id).tables
    roster, changes = std.get("Roster"), std.get("RosterChanges")
    if roster is None or employee_id not in set(roster["employee_id"].astype(str).str.strip()):
        raise ToolkitError("history.not-on-roster", employee=employee_id, year=year, period=last.period)
    pay = store.payments(year=year, employee_id=employee_id)
    rows = []
    for m in range(1, 13):
        state = roster_at(roster, changes, year, m)
        rec = state[state["employee_id"].astype(str).str.strip() == employee_id].iloc[0]
        period = f"{year:04d}-{m:02d}"
        roy = pay[(pay["kind"] == "royalty") & (pay["close_period"] == period)] if len(pay) else pay
        flo = pay[(pay["kind"] == "floating") & (pay["period"] == period)] if len(pay) else pay
        share = employment(roster, year, m, std.get("Holidays")).get(employee_id, 1.0)
        rows.append({"month": period, "department": rec.get("department"), "role": rec.get("role"),
                     "grade": rec.get("grade"), "royalty_plan": rec.get("royalty_plan"),
                     "floating_base": rec.get("floating_base"), "employed": round(float(share), 4),
                     "royalty_paid": int(cents(roy["amount"]).sum()) / 100 if len(roy) else 0.0,
                     "floating_paid": int(cents(flo["amount"]).sum()) / 100 if len(flo) else 0.0})
    return PersonHistory(employee_id, year, last.period, pd.DataFrame(rows))
