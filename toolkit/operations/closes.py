"""Closing a period in the payout ledger: what was paid, what is paid now, and recording it (issue 12).

``prepare_close`` reads the store's history of the year (and of the previous one), computes royalties,
floating salary and the payout ledger on a Ledger, and refuses early what the store would refuse
(a later period closed; the period closed without ``reopen``). The caller writes its outputs (into
``close_output_dir``, so a re-close never overwrites an earlier version's files), then ``commit_close``
records the close, its payments, adjustments and results in one store transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core import appraisal as A
from ..core import royalties as R
from ..core.completion import compute_completion
from ..core.coverage import COMPUTED, NOT_COMPUTED, ledger_departments
from ..core.findings import Finding
from ..core.payouts import (
    Legacy,
    Payouts,
    PriorYear,
    YearHistory,
    floating_payouts,
    latest_sources,
    royalty_payouts,
    DATED_TABLES,
    backdated_findings,
)
from ..core.people import employment
from ..core.periods import year_month
from ..core.royalties import cents
from ..errors import ToolkitError
from ..i18n import register, t
from ..schema import DEPARTMENT
from ..store.base import CloseInfo, CloseRecord, Store
from ..store.codec import EncodedTable, decode_table
from ..core.completion import compute_completion, royalty_payments
from ..core.tables import WorkbookData
from ..money import fmt_money
from ..report.stored_history import history_series, restatements
from .source import Source

register(
    {
        "ledger.note.opening": (
            "First close of {year} in the history store: the months through {through} are taken as paid at their "
            "recomputed figures ({amount} for {employees} employee(s)).",
            "{year} 年首次在历史库中结账：截至 {through} 的各月按重新计算的金额视为已支付（{employees} 名员工共 {amount}）。",
        ),
        "ledger.note.opening-reconstructed": (
            "First close of {year} since the history store gained the payout ledger: the months through {through} "
            "are taken as paid at what the close of {through} (run {run}) computed from its stored snapshots "
            "({amount} for {employees} employee(s)); later changes to them are itemised adjustments.",
            "{year} 年历史库启用结账台账后的首次结账：截至 {through} 的各月按当时结账（运行 {run}）根据其保存的快照计算的金额视为已支付"
            "（{employees} 名员工共 {amount}）；此后对这些月份的更改作为逐项调整。",
        ),
        "ledger.note.months-not-closed": (
            "Warning: {months} was never closed; this close catches up the royalties and the floating pay those "
            "months earned.",
            "警告：{months} 从未结账；本次结账补付这些月份应得的提成和浮动工资。",
        ),
        "ledger.note.floating-caught-up": (
            "Floating pay of {months} not paid before (a month never closed, or a department not consolidated) is "
            "paid now, at each month's pay on the current data: {amount} for {employees} employee(s).",
            "此前未支付的 {months} 浮动工资（月份未结账或部门未汇总）现按各月在当前数据上的金额补付：{employees} 名员工共 {amount}。",
        ),
        "ledger.note.transferred-not-computed": (
            "Not computed: {employees} — they have rows in {departments}, not consolidated at this close; they are "
            "paid when it is.",
            "未计算：{employees}——其数据在本次未汇总的 {departments} 中；该部门汇总后再支付。",
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
    based_on: list[int] | None = None  # ids of the current closes it was computed against (re-checked on record)

    @property
    def payments(self) -> pd.DataFrame:
        """Every payment row to record (royalty entries then floating pay)."""
        parts = [f for f in (self.payouts.payments, self.floating) if len(f)]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _trace_reader(store: Store) -> Callable[[int], pd.DataFrame]:
    """A close id's stored royalty trace, read once."""
    cache: dict[int, pd.DataFrame] = {}

    def trace(close_id: int) -> pd.DataFrame:
        if close_id not in cache:
            cache[close_id] = store.close_results(close_id, "royalty_trace")
        return cache[close_id]

    return trace


def year_history(store: Store, year: int, before: str) -> YearHistory:
    """What the store recorded for ``year`` by current closes of periods before ``before`` ("YYYY-MM")."""
    closes = [c for c in store.closes(year=year, current_only=True) if c.period < before]
    paid = store.payments(year=year)
    paid = paid[paid["close_period"] < before].reset_index(drop=True)
    history = YearHistory(year=year, paid=paid, closed_months=[c.month for c in closes], trace=_trace_reader(store),
                          source=latest_sources(paid))
    if closes:
        history.first_close, history.last_close = closes[0].period, closes[-1].period
        history.last_close_id = closes[-1].id
    return history


def _recorded_targets(store: Store, year: int, before: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each employee's royalty line as the latest close of ``year`` that computed them recorded it, and that
    close's segments of them (``royalty_segments``; empty for closes before segments were recorded)."""
    parts, segs = [], []
    for c in store.closes(year=year, current_only=True):
        if c.period < before:
            lines = store.close_results(c.id, "royalty_lines")
            if len(lines) and "status" in lines.columns:
                lines = lines[lines["status"] == COMPUTED]
            if len(lines):
                parts.append(lines.assign(_close=c.id))
                seg = store.close_results(c.id, "royalty_segments")
                if len(seg) and {"employee_id", "seg_from", "ytd_target"} <= set(seg.columns):
                    segs.append(seg.assign(_close=c.id))
    if not parts:
        return pd.DataFrame(), pd.DataFrame()
    lines = pd.concat(parts, ignore_index=True).drop_duplicates("employee_id", keep="last").reset_index(drop=True)
    if not segs:
        return lines.drop(columns="_close"), pd.DataFrame()
    seg = pd.concat(segs, ignore_index=True)
    latest = seg["employee_id"].map(lines.set_index("employee_id")["_close"])
    seg = seg[(seg["_close"] == latest).to_numpy()].drop(columns="_close").reset_index(drop=True)
    return lines.drop(columns="_close"), seg


def _prior_year(store: Store, ledger: Any, period: str) -> PriorYear | None:
    """The previous year (all of it) compared with the current data, or None when it has no close."""
    year, _ = year_month(period)
    history = year_history(store, year - 1, period)
    if history.last_close is None:
        return None
    targets, segments = _recorded_targets(store, year - 1, period)
    if not len(targets):
        return None
    contributions = R.ytd_contributions(ledger, f"{year - 1:04d}-12")
    start, end = pd.Timestamp(year - 1, 1, 1), pd.Timestamp(year, 1, 1)
    with_rows: set[str] = set()
    for key, col in (("Contracts", "sign_date"), ("Collections", "receipt_date")):
        frame = ledger.tables[key]
        dates = pd.to_datetime(frame[col], errors="coerce")
        with_rows |= set(frame.loc[(dates >= start) & (dates < end), "department"].dropna().astype(str))
    ytd = R.ytd_function(ledger, R.targets_plan(targets, segments), f"{year - 1:04d}-12")
    return PriorYear(history, contributions, ytd, with_rows)


def legacy_close(store: Store, period: str) -> Legacy | None:
    """The latest month close of ``period``'s year made before the store had the payout ledger (a run of
    ``close-month`` older than the migration that brought it), recomputed from its stored snapshots: what that
    close computed, not today's data. None when there is none."""
    since = store.migrated_at(2)
    year, _ = year_month(period)
    if since is None:
        return None
    runs = [r for r in store.runs() if r.command == "close-month" and r.status in ("ok", "partial")
            and r.period.startswith(f"{year:04d}-") and r.period < period and r.started_at < since]
    for run in sorted(runs, key=lambda r: (r.period, r.id), reverse=True):
        ids = store.run_snapshot_ids(run.id)
        if not any(store.snapshot(i).kind == "department" for i in ids):
            continue
        then = Source(db=store).store_ledger(run.period, ids)
        roy = R.compute_royalties(then, run.period)
        lines = roy.lines[roy.lines["status"] == COMPUTED]
        ytd = pd.Series(cents(lines["ytd_royalty"]), index=lines["employee_id"].astype(str).to_numpy())
        return Legacy(run.period, run.id, ytd, roy.contributions)
    return None


def absent_people(store: Store, ledger: Any, period: str) -> dict[str, str]:
    """Employees with rows (this year's or last year's contracts, or Plan targets) in a department not in
    ``ledger`` — as the latest close including that department stored it — who belong to another
    department now (a transfer): employee -> that department. They are not computed (never from part of
    their rows)."""
    covered = ledger_departments(ledger.tables)
    roster = ledger.standard("Roster")
    home = dict(zip(roster["employee_id"].astype(str), roster["department"].astype(str))) if len(roster) else {}
    missing = set(home.values()) - covered
    if not missing:
        return {}
    year, _ = year_month(period)
    since = pd.Timestamp(year - 1, 1, 1)
    out: dict[str, str] = {}
    for close in sorted(store.closes(current_only=True), key=lambda c: c.period, reverse=True):
        if not missing:
            break
        for sid in close.snapshot_ids:
            snap = store.snapshot(sid)
            if snap.kind != "department" or snap.department not in missing:
                continue
            missing.discard(snap.department)
            people: set[str] = set()
            for frame in store.iter_table([sid], "Contracts"):
                recent = frame[~(pd.to_datetime(frame["sign_date"], errors="coerce") < since)]
                people |= set(recent["employee_id"].dropna().astype(str))
                people |= set(recent["split_employee_id"].dropna().astype(str))
            for frame in store.iter_table([sid], "Plan"):
                people |= set(frame["employee_id"].dropna().astype(str))
            out.update({e: snap.department for e in people if home.get(e, snap.department) != snap.department})
    return out


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
    based_on = sorted(c.id for c in store.closes(current_only=True))
    year, _ = year_month(period)
    covered = ledger_departments(ledger.tables)
    roy = royalties if royalties is not None else R.compute_royalties(ledger, period)
    history = year_history(store, year, period)
    legacy = None if history.first_close else legacy_close(store, period)
    if legacy is not None:  # adjustments of its employees are itemised against what it computed
        base = history.trace
        history.trace = lambda cid: legacy.contributions if cid == -1 else base(cid)  # type: ignore[misc]
        history.source.update({e: (-1, legacy.period) for e in legacy.ytd.index if e not in history.source})
    payouts = royalty_payouts(period, roy.lines, roy.contributions, R.ytd_function(ledger, period=period), history, covered,
                              _prior_year(store, ledger, period), legacy, R.retroactive_plan_changes(ledger, year))
    sal = salaries if salaries is not None else A.compute_appraisal(ledger, period)
    schedule = R.monthly_payments(ledger, period)  # memoised; a month's royalties depend on rows up to it only

    def appraise(p: str) -> pd.DataFrame:  # an earlier month's floating pay on the current data
        rows = schedule[schedule["month"] <= year_month(p)[1]]
        return A.compute_appraisal(ledger, p, compute_completion(ledger, p, rows)).lines

    def employed(p: str) -> pd.Series:  # who the appraisal of an earlier month pays at all (share > 0)
        return employment(ledger.standard("Roster"), *year_month(p), ledger.standard("Holidays"))

    floating, floating_notes = floating_payouts(period, sal.lines, history, appraise,
                                                year_month(legacy.period)[1] + 1 if legacy is not None else None,
                                                employed)
    roster = ledger.standard("Roster")
    known = set(roster["department"].dropna().astype(str)) if roster_departments is None else set(roster_departments)
    missing = sorted(known - covered)
    notes = [{"year": year, **n} for n in payouts.notes + floating_notes]
    if missing:
        notes.append({"code": "not-consolidated", "departments": missing})
    if ledger.absent_people:
        notes.append({"code": "transferred-not-computed", "employees": sorted(ledger.absent_people),
                      "departments": sorted(set(ledger.absent_people.values()))})
    trace = roy.contributions
    if len(payouts.prior_trace):
        trace = pd.concat([trace, payouts.prior_trace[[c for c in trace.columns if c in payouts.prior_trace.columns]]],
                          ignore_index=True)
    results = {"royalty_lines": roy.lines[[c for c in roy.lines.columns if c not in R.LEDGER_MONEY]],
               "royalty_trace": trace, "salaries": sal.lines,
               **({"royalty_segments": roy.segments} if roy.segments is not None else {}),
               **(extra_results or {})}
    return ClosePlan(period, store.next_close_version(period), reopen, payouts, floating, results, sorted(covered),
                     missing, notes, previous, based_on)


def commit_close(store: Store, plan: ClosePlan, *, run_id: int | None, snapshot_ids: list[int],
                 outputs: dict[str, list[str | Path]] | None = None) -> CloseInfo:
    """Record the close, its payments, adjustments and results in one transaction."""
    record = CloseRecord(plan.period, run_id, list(snapshot_ids), plan.departments, plan.not_consolidated,
                         {k: [str(p) for p in v] for k, v in (outputs or {}).items()}, plan.notes)
    return store.record_close(record, plan.payments, plan.payouts.adjustments, plan.results, reopen=plan.reopen,
                              based_on=plan.based_on)


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


def not_computed_people(store: Store, close_id: int) -> set[str]:
    """Employees a close left out (their department not consolidated): its stored pay lines say not computed."""
    return left_out_people({name: store.close_results(close_id, name) for name in ("salaries", "royalty_lines")})


def left_out_people(results: dict[str, pd.DataFrame]) -> set[str]:
    """Employees whose pay lines (``salaries``, ``royalty_lines`` of a close's results) say not computed."""
    out: set[str] = set()
    for name in ("salaries", "royalty_lines"):
        lines = results.get(name)
        if lines is not None and len(lines) and "status" in lines.columns:
            out |= set(lines.loc[lines["status"] == NOT_COMPUTED, "employee_id"].astype(str))
    return out


def reclose_totals(old: pd.DataFrame, new: pd.DataFrame, not_computed: Collection[str] = ()) -> pd.DataFrame:
    """A re-close's totals per kind: the superseded version's payments and the new version's (openings excluded);
    the people the new version leaves out (``not_computed``) are in neither, so the change compares like with like."""
    left = set(not_computed)

    def total(frame: pd.DataFrame, kind: str) -> float:
        if len(frame) and left:
            frame = frame[~frame["employee_id"].astype(str).isin(left)]
        rows = frame[(frame["kind"] == kind) & (frame["entry"] != "opening")] if len(frame) else frame
        return int(cents(rows["amount"]).sum()) / 100 if len(rows) else 0.0

    kinds = ("royalty", "floating")
    before, after = [total(old, k) for k in kinds], [total(new, k) for k in kinds]
    return pd.DataFrame({"kind": kinds, "before": before, "after": after,
                         "change": [round(a - b, 2) for a, b in zip(after, before)]})


def reclose_changes(old: pd.DataFrame, new: pd.DataFrame, not_computed: Collection[str] = ()) -> pd.DataFrame:
    """What a re-close changes: per employee and kind, the superseded version's payment and the new one
    (payment rows of the period, ``entry`` payment and prior-year), with the difference; changed rows only.
    ``status`` is ``not-computed`` (``after`` and ``change`` blank, never 0.00) for the people in ``not_computed``."""
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
    out = out[out["change"] != 0].reset_index(drop=True)
    left = out["employee_id"].isin(set(not_computed))
    out["status"] = np.where(left, NOT_COMPUTED, COMPUTED)
    out.loc[left, ["after", "change"]] = np.nan
    return out


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
    absent: set[str] = set()  # closed months whose close did not include the department
    y, m = year_month(ordered[0].period)[0], 1
    while f"{y:04d}-{m:02d}" <= ordered[-1].period:
        month = f"{y:04d}-{m:02d}"
        paid_by = next(c for c in ordered if c.period >= month)
        closed[month] = paid_by.closed_at
        if department not in paid_by.departments:
            absent.add(month)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    for close in reversed(ordered):
        snaps = [store.snapshot(i) for i in close.snapshot_ids]
        mine = [s for s in snaps if s.kind == "department" and s.department == department]
        if mine:
            return backdated_findings(_dated_tables(store, mine[0].id), data, closed, absent, department)
    return []


def _dated_tables(store: Store, snapshot_id: int) -> dict[str, pd.DataFrame]:
    """The Contracts and Collections of a stored department snapshot (what ``backdated_findings`` compares), read
    alone rather than the whole snapshot: its other tables (the Plan, Expenses, …) cost the decoding, unused."""
    tables = {}
    for key in DATED_TABLES:
        parts = list(store.iter_table([snapshot_id], key))
        if parts:
            tables[key] = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return tables


def written_dated_tables(store: Store, snapshot_id: int,
                         encoded: dict[str, EncodedTable] | None = None) -> dict[str, pd.DataFrame]:
    """A just-consolidated department's Contracts and Collections without ``department``/``source``: decoded
    from ``encoded`` (its tables as written, which the store would read back as they are) when handed, else read
    back from the store (``_dated_tables``)."""
    if encoded is None:
        return {k: f.drop(columns=["department", "source"]) for k, f in _dated_tables(store, snapshot_id).items()}
    return {k: decode_table(encoded[k], DEPARTMENT.table(k)) for k in DATED_TABLES if k in encoded and encoded[k].rows}


def backdated_in_consolidation(store: Store, outcome: Any, data: Any,
                               encoded: dict[str, EncodedTable] | None = None) -> list[Finding]:
    """``consolidate``'s extra check in a month close: ``backdated_for`` on a department just consolidated
    (its Contracts and Collections read back from the store, its layout from the file as read).

    ``encoded``: the department's tables as consolidation just wrote them (``ConsolidationResult.handed``):
    decoded as the store would read them back (``codec.decode_table``) instead of read again."""
    if not store.closes(current_only=True):
        return []
    tables = written_dated_tables(store, outcome.snapshot_id, encoded)
    if data is None:
        data = WorkbookData(path=outcome.path, kind="department", lang="en", info={}, tables={})
    found = backdated_for(store, replace(data, tables=tables, path=outcome.path), outcome.department or "")
    return found


#: Notes that warn (the others inform).
_WARN_NOTES = frozenset({"months-not-closed", "prior-year", "not-consolidated", "floating-caught-up",
                         "transferred-not-computed"})


def note_findings(notes: list[dict[str, Any]]) -> list[Finding]:
    """The close's notes as findings for the report's data-quality section (months never closed warn)."""
    return [Finding("ledger-note" if n["code"] in _WARN_NOTES else "ledger-info",
                    params={"text": note_text(n, "en"), "text_zh": note_text(n, "zh")}) for n in notes]


def restatement_findings(store: Store, ledger: Any, period: str, previous_year: bool = False) -> list[Finding]:
    """Closed months of the year whose stored company actuals the current data restates (the report says so);
    with ``previous_year`` (the close pays prior-year adjustments) the previous year's closed months too."""

    series = history_series(store, period)
    if previous_year:
        year, _ = year_month(period)
        series = pd.concat([history_series(store, f"{year - 1:04d}-12"), series], ignore_index=True)
    if not len(series):
        return []
    series = series[series["period"] < period]
    year, _ = year_month(period)
    # one royalty schedule per year serves every closed month of it: the close's own (memoised) for its year,
    # December's for the previous year. A month's royalty depends only on the rows up to it, so no schedule is
    # recomputed per closed month (twelve schedules of the previous year cost a January close most of its time)
    schedules = {year: royalty_payments(ledger, period)}
    current = {}
    for p in series["period"]:
        py, pm = year_month(p)
        if py not in schedules:
            schedules[py] = royalty_payments(ledger, f"{py:04d}-12")
        schedule = schedules[py]
        mine = schedule[schedule["month"] <= pm] if schedule is not None else None
        current[p] = compute_completion(ledger, p, mine)
    return restatements(series, current)


def version_facts(previous: CloseInfo, version: int, old: pd.DataFrame, new: pd.DataFrame,
                  not_computed: Collection[str], departments: Collection[str],
                  not_consolidated: Collection[str]) -> dict[str, Any]:
    """What the report says of a re-close: its version, the version it supersedes and when that was closed, the
    payment totals per kind before and after (``reclose_totals``), how many people's payments changed
    (``reclose_changes``) and the departments consolidated now and not before, or the other way round."""
    totals = reclose_totals(old, new, not_computed)
    changes = reclose_changes(old, new, not_computed)
    return {"version": int(version), "previous_version": int(previous.version), "previous_closed_at": previous.closed_at,
            "totals": [{"kind": r["kind"], "before": float(r["before"]), "after": float(r["after"]),
                        "change": float(r["change"])} for r in totals.to_dict("records")],
            "people_changed": int(changes["employee_id"].nunique()) if len(changes) else 0,
            "departments_added": sorted(set(departments) - set(previous.departments)),
            "departments_left_out": sorted(set(not_consolidated) - set(previous.not_consolidated))}


def stored_version_facts(store: Store, period: str) -> dict[str, Any] | None:
    """``version_facts`` of the current close of ``period`` against the version it superseded, from the store;
    None when the period was closed once (or not at all)."""
    closes = sorted(store.closes(period=period, current_only=False), key=lambda c: c.version)
    if len(closes) < 2:
        return None
    previous, current = closes[-2], closes[-1]
    return version_facts(previous, current.version, store.payments(close_id=previous.id, current_only=False),
                         store.payments(close_id=current.id, current_only=False),
                         not_computed_people(store, current.id), current.departments, current.not_consolidated)
