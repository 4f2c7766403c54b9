"""Closing a period in the payout ledger: what was paid, what is paid now, and recording it (issue 12).

``prepare_close`` reads the store's history of the year (and of the previous one), computes royalties,
floating salary and the payout ledger on a Ledger, and refuses early what the store would refuse
(a later period closed; the period closed without ``reopen``). The caller writes its outputs (into
``close_output_dir``, so a re-close never overwrites an earlier version's files), then ``commit_close``
records the close, its payments, adjustments and results in one store transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..core import appraisal as A
from ..core import royalties as R
from ..core.coverage import ledger_departments
from ..core.findings import Finding
from ..core.payouts import Payouts, PriorYear, YearHistory, floating_payouts, royalty_payouts, backdated_findings
from ..core.periods import year_month
from ..core.royalties import cents
from ..errors import ToolkitError
from ..i18n import register, t
from ..store.base import CloseInfo, CloseRecord, Store
from ..core.completion import compute_completion, royalty_payments
from ..core.tables import WorkbookData
from ..money import fmt_money
from ..report.stored_history import history_series, restatements

register(
    {
        "ledger.note.opening": (
            "First close of {year} in the history store: the months through {through} are taken as paid at their "
            "recomputed figures ({amount} for {employees} employee(s)).",
            "{year} 年首次在历史库中结账：截至 {through} 的各月按重新计算的金额视为已支付（{employees} 名员工共 {amount}）。",
        ),
        "ledger.note.months-not-closed": (
            "Warning: {months} was never closed; this close catches up what those months earned.",
            "警告：{months} 从未结账；本次结账补付这些月份应得的金额。",
        ),
        "ledger.note.prior-year": (
            "Changes to {year}, already closed, are paid (or clawed back) now as prior-year adjustments: "
            "{amount} for {employees} employee(s).",
            "对已结账的 {year} 年的更正，现作为上年调整支付（或追回）：{employees} 名员工共 {amount}。",
        ),
        "ledger.note.not-consolidated": (
            "Not computed (department not consolidated): {departments}. Their employees are left out of the "
            "payments and totals; they are paid when the department is consolidated and a period is closed.",
            "未计算（部门未汇总）：{departments}。其员工不计入本次支付和合计；部门汇总后再结账时支付。",
        ),
    }
)


@dataclass
class ClosePlan:
    """A close computed and checked, not yet recorded: version, payouts, floating pay, results, notes."""

    period: str
    version: int
    reopen: bool
    payouts: Payouts
    floating: pd.DataFrame
    results: dict[str, pd.DataFrame]
    departments: list[str]
    not_consolidated: list[str]
    notes: list[dict[str, Any]] = field(default_factory=list)
    previous: CloseInfo | None = None  # the version a re-close supersedes

    @property
    def payments(self) -> pd.DataFrame:
        """Every payment row to record (royalty entries then floating pay)."""
        parts = [f for f in (self.payouts.payments, self.floating) if len(f)]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def year_history(store: Store, year: int, before: str) -> YearHistory:
    """What the store recorded for ``year`` by current closes of periods before ``before`` ("YYYY-MM")."""
    closes = [c for c in store.closes(year=year, current_only=True) if c.period < before]
    paid = store.payments(year=year)
    paid = paid[paid["close_period"] < before].reset_index(drop=True)
    history = YearHistory(year=year, paid=paid, closed_months=[c.month for c in closes])
    if closes:
        last = closes[-1]
        history.first_close, history.last_close = closes[0].period, last.period
        history.then = store.close_results(last.id, "royalty_trace")
        mine = paid[(paid["close_id"] == last.id) & (paid["kind"] == "royalty") & (paid["entry"] == "payment")]
        history.then_employees = set(mine["employee_id"])
    # employees whose prior-year comparison was done at an earlier close of the next year
    later = paid[(paid["entry"] == "prior-year") & (paid["close_period"] >= f"{year + 1:04d}-01")]
    history.prior_checked = set(later["employee_id"])
    return history


def _prior_year(store: Store, ledger: Any, period: str) -> PriorYear | None:
    """The previous year's last close compared with the current data (the year boundary), or None."""
    year, _ = year_month(period)
    history = year_history(store, year - 1, period)
    if history.last_close is None:
        return None
    last = next(c for c in store.closes(period=history.last_close, current_only=True))
    targets = store.close_results(last.id, "royalty_lines")
    if not len(targets):
        return None
    contributions = R.ytd_contributions(ledger, history.last_close)
    start, end = pd.Timestamp(year - 1, 1, 1), pd.Timestamp(year, 1, 1)
    with_rows: set[str] = set()
    for key, col in (("Contracts", "sign_date"), ("Collections", "receipt_date")):
        frame = ledger.tables[key]
        dates = pd.to_datetime(frame[col], errors="coerce")
        with_rows |= set(frame.loc[(dates >= start) & (dates < end), "department"].dropna().astype(str))
    return PriorYear(history, contributions, R.ytd_function(ledger, R.targets_plan(targets)), with_rows)


def check_can_close(store: Store, period: str, reopen: bool) -> CloseInfo | None:
    """Refuse as the store would: a later period closed, or ``period`` closed without ``reopen``.
    Returns the current close of ``period`` (what a re-close supersedes), if any."""
    later = [c for c in store.closes(current_only=True) if c.period > period]
    if later:
        raise ToolkitError("close.later-closed", period=period, later=later[-1].period)
    current = store.closes(period=period, current_only=True)
    if current and not reopen:
        raise ToolkitError("close.already-closed", period=period, version=current[0].version,
                           closed_at=current[0].closed_at)
    return current[0] if current else None


def prepare_close(store: Store, ledger: Any, period: str, *, reopen: bool = False,
                  roster_departments: list[str] | None = None, royalties: R.RoyaltyResult | None = None,
                  salaries: A.AppraisalResult | None = None,
                  extra_results: dict[str, pd.DataFrame] | None = None) -> ClosePlan:
    """Compute the close of ``period`` on ``ledger`` against what the store says was paid.

    ``royalties``/``salaries``: results already computed on ``ledger`` (else computed here);
    ``extra_results``: further result frames to store with the close (completion, funds, forecast)."""
    previous = check_can_close(store, period, reopen)
    year, _ = year_month(period)
    covered = ledger_departments(ledger.tables)
    roy = royalties if royalties is not None else R.compute_royalties(ledger, period)
    history = year_history(store, year, period)
    payouts = royalty_payouts(period, roy.lines, roy.contributions, R.ytd_function(ledger), history, covered,
                              _prior_year(store, ledger, period))
    sal = salaries if salaries is not None else A.compute_appraisal(ledger, period)
    floating = floating_payouts(period, sal.lines, history)
    roster = ledger.standard("Roster")
    known = set(roster["department"].dropna().astype(str)) if roster_departments is None else set(roster_departments)
    missing = sorted(known - covered)
    notes = [{"year": year, **n} for n in payouts.notes]
    if missing:
        notes.append({"code": "not-consolidated", "departments": missing})
    results = {"royalty_lines": roy.lines[[c for c in roy.lines.columns if c not in R.LEDGER_MONEY]],
               "royalty_trace": roy.contributions, "salaries": sal.lines,
               **(extra_results or {})}
    return ClosePlan(period, store.next_close_version(period), reopen, payouts, floating, results, sorted(covered),
                     missing, notes, previous)


def commit_close(store: Store, plan: ClosePlan, *, run_id: int | None, snapshot_ids: list[int],
                 outputs: dict[str, list[str | Path]] | None = None) -> CloseInfo:
    """Record the close, its payments, adjustments and results in one transaction."""
    record = CloseRecord(plan.period, run_id, list(snapshot_ids), plan.departments, plan.not_consolidated,
                         {k: [str(p) for p in v] for k, v in (outputs or {}).items()}, plan.notes)
    return store.record_close(record, plan.payments, plan.payouts.adjustments, plan.results, reopen=plan.reopen)


def close_output_dir(out_dir: str | Path, period: str, version: int) -> Path:
    """Where a close's outputs go: ``out_dir`` for version 1, ``out_dir/<period>-v<N>`` for a re-close,
    so an earlier version's files are never overwritten."""
    out = Path(out_dir)
    return out if version == 1 else out / f"{period}-v{version}"


def note_text(note: dict[str, Any], lang: str = "en") -> str:
    """A close note (``ClosePlan.notes``) as one line in the user's language."""
    params = {k: (fmt_money(v) if k == "amount" else ", ".join(v) if isinstance(v, list) else v)
              for k, v in note.items() if k != "code"}
    return t(f"ledger.note.{note['code']}", lang, **params)


def reclose_totals(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """A re-close's totals per kind: the superseded version's payments and the new version's (openings excluded)."""
    def total(frame: pd.DataFrame, kind: str) -> float:
        rows = frame[(frame["kind"] == kind) & (frame["entry"] != "opening")] if len(frame) else frame
        return int(cents(rows["amount"]).sum()) / 100 if len(rows) else 0.0

    kinds = ("royalty", "floating")
    before, after = [total(old, k) for k in kinds], [total(new, k) for k in kinds]
    return pd.DataFrame({"kind": kinds, "before": before, "after": after,
                         "change": [round(a - b, 2) for a, b in zip(after, before)]})


def reclose_changes(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """What a re-close changes: per employee and kind, the superseded version's payment and the new one
    (payment rows of the period, ``entry`` payment and prior-year), with the difference; changed rows only."""
    def totals(frame: pd.DataFrame) -> pd.Series:
        if frame is None or not len(frame):
            return pd.Series(dtype="int64")
        rows = frame[frame["entry"] != "opening"]
        return pd.Series(cents(rows["amount"]), index=pd.MultiIndex.from_arrays(
            [rows["employee_id"].astype(str), rows["kind"].astype(str)])).groupby(level=[0, 1]).sum()

    a, b = totals(old), totals(new)
    index = a.index.union(b.index)
    a, b = a.reindex(index, fill_value=0), b.reindex(index, fill_value=0)
    out = pd.DataFrame({"employee_id": index.get_level_values(0), "kind": index.get_level_values(1),
                        "before": a.to_numpy() / 100, "after": b.to_numpy() / 100,
                        "change": (b.to_numpy() - a.to_numpy()) / 100})
    return out[out["change"] != 0].reset_index(drop=True)


def backdated_for(store: Store, data: Any, department: str) -> list[Any]:
    """``backdated-into-closed-period`` warnings for a department workbook about to be consolidated: its rows
    dated in closed months that the latest close including the department did not have (or had differently)."""
    closes = store.closes(current_only=True)
    if not closes:
        return []
    # every month from January of the first closed year through the latest close counts as closed: a month
    # skipped or before the first close was paid by the close after it (dated when that close was made)
    ordered = sorted(closes, key=lambda c: c.period)
    closed: dict[str, str] = {}
    y, m = year_month(ordered[0].period)[0], 1
    while f"{y:04d}-{m:02d}" <= ordered[-1].period:
        month = f"{y:04d}-{m:02d}"
        closed[month] = next(c.closed_at for c in ordered if c.period >= month)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    for close in reversed(closes):
        snaps = [store.snapshot(i) for i in close.snapshot_ids]
        mine = [s for s in snaps if s.kind == "department" and s.department == department]
        if mine:
            return backdated_findings(store.load_snapshot(mine[0].id).tables, data, closed)
    return []


def backdated_in_consolidation(store: Store, outcome: Any, data: Any) -> list[Finding]:
    """``consolidate``'s extra check in a month close: ``backdated_for`` on a department just consolidated
    (its Contracts and Collections read back from the store, its layout from the file as read)."""
    if not store.closes(current_only=True):
        return []
    tables = {}
    for key in ("Contracts", "Collections"):
        parts = [f.drop(columns=["department", "source"]) for f in store.iter_table([outcome.snapshot_id], key)]
        if parts:
            tables[key] = pd.concat(parts, ignore_index=True)
    if data is None:
        data = WorkbookData(path=outcome.path, kind="department", lang="en", info={}, tables={})
    found = backdated_for(store, replace(data, tables=tables, path=outcome.path), outcome.department or "")
    return found


#: Notes that warn (the others inform).
_WARN_NOTES = frozenset({"months-not-closed", "prior-year", "not-consolidated"})


def note_findings(notes: list[dict[str, Any]]) -> list[Finding]:
    """The close's notes as findings for the report's data-quality section (months never closed warn)."""
    return [Finding("ledger-note" if n["code"] in _WARN_NOTES else "ledger-info",
                    params={"text": note_text(n, "en"), "text_zh": note_text(n, "zh")}) for n in notes]


def restatement_findings(store: Store, ledger: Any, period: str) -> list[Finding]:
    """Closed months of the year whose stored company actuals the current data restates (the report says so)."""
    series = history_series(store, period)
    if not len(series):
        return []
    series = series[series["period"] < period]
    current = {}
    for p in series["period"]:
        current[p] = compute_completion(ledger, p, royalty_payments(ledger, p))
    return restatements(series, current)
