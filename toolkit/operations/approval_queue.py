"""The director's approval queue: every pending loan slip, expense claim and leave request of the department
workbooks, with what an approver needs to decide it (``toolkit approvals queue``, the ribbon's Approval queue).

``build_queue`` reads and validates the workbooks, stacks them (``core.ledger.Ledger``) and gives each pending
row its policy flags (validation findings on that row, plus the queue's own: budget, loan-slip exposure, own
item), budget use, exposure, leave balance, history, route (director or general manager) and its source
(file, sheet, row, row hash; each file's SHA-256), clean items first. ``toolkit.outputs.approval_queue`` lays it
out as a workbook; ``toolkit.operations.approval_apply`` writes the decisions back.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..core import approval_facts as AF
from ..runtime import jobs as runtime_jobs
from ..core import approval_routes as AR
from ..core.approval_queue import (  # noqa: F401 - the queue's vocabulary, used here and re-exported
    DECISIONS, FACT_FIELDS, HEAD, HISTORY, ITEM_FIELDS, QUEUE_ROLES, ROUTES, STATUSES, TAIL, Queue, QueueSource,
    columns,
)
from ..core.findings import Finding
from ..io.discover import file_sha256  # noqa: F401 - re-exported for the apply step
from ..core.ledger import Ledger, department_name, roster_departments, standards_table, thresholds
from ..core.tables import WorkbookData
from ..errors import ToolkitError
from ..i18n import register, t
from ..money import round_money
from ..schema import DEPARTMENT
from ..schema import enums as E
from .approvals import APPROVAL_TABLES, row_of
from ..core.periods import check_period
from ..money import fmt_money
from .consolidate.discovery import discover, sniff_kind
from .consolidate.pipeline import pipeline
from .consolidate.policy import duplicate_reason
from .source import Source
from .validate import read_file

register({
    "queue.flag.budget-over": ("Expense budget exceeded ({who}): {used} is {share} of the target {target}",
                               "费用预算已超（{who}）：{used}，占目标 {target} 的 {share}"),
    "queue.flag.budget-warning": ("Expense budget {share} used ({who}): {used} of the target {target}",
                                  "费用预算已用 {share}（{who}）：目标 {target}，已用 {used}"),
    "queue.flag.advance-limit": ("Outstanding advances after this slip {outstanding} exceed the limit {limit}",
                                 "本单后借款余额 {outstanding} 超过上限 {limit}"),
    "queue.flag.advance-overdue": ("{count} overdue advance(s) of this person, {amount} not repaid",
                                   "此人有 {count} 笔借款逾期未还，共 {amount}"),
    "queue.flag.own-item": ("Your own item: another approver must decide it", "本人事项：须由其他审批人审批"),
    "queue.who.person": ("person", "个人"),
    "queue.who.dept": ("department", "部门"),
    "queue.who.category": ("the department's {category} budget", "部门{category}预算"),
    "queue.severity.error": ("Error", "错误"),
    "queue.severity.warning": ("Warning", "警告"),
    "queue.no-approval-column": ("{file}: the {sheet} sheet has no Approval column, so its rows are not in the "
                                 "queue (add the column from the current template).",
                                 "{file}：{sheet} 表没有“审批”列，其数据未列入审批队列（请按当前模板添加该列）。"),
    "queue.empty": ("No department workbook found in: {paths}", "未找到部门工作簿：{paths}"),
    "queue.left-out": ("{file}: left out, {reason}", "{file}：未列入，{reason}"),
})

def _flag(severity: str, text: str, lang: str) -> str:
    return f"[{t(f'queue.severity.{severity}', lang)}] {text}"


def _finding_flags(findings: Iterable[Finding], lang: str) -> dict[tuple[str, int], list[tuple[str, str]]]:
    """Errors and warnings by (sheet, row): (severity, text) in ``lang``."""
    out: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for f in findings:
        if f.severity not in ("error", "warning") or f.code == "column-missing-optional":
            continue
        r = row_of(f)
        if f.sheet and r is not None:
            out.setdefault((f.sheet, r), []).append((f.severity, f.message(lang)))
    return out


def read_sources(paths: Iterable[str | os.PathLike[str]], standards: WorkbookData | None, period: str | None,
                 jobs: int | None = None, progress: Callable[[int, int], None] | None = None, lang: str = "en"
                 ) -> tuple[list[tuple[WorkbookData, list[Finding], str]], list[ToolkitError], list[str]]:
    """Read and validate every department workbook under ``paths`` in ``jobs`` worker processes (default: the
    CPU count; one for a handful of files) with consolidation's pipeline: (data, findings, SHA-256) per file,
    the errors of the files that could not be read, and the files left out, with why, in ``lang``: the
    toolkit's own outputs (a consolidated workbook, a queue) and duplicates — a second copy of a file or of a
    department — found exactly as consolidation finds them (the first in file order is kept)."""
    # consolidation's package pulls in the store and the workbook writer: loaded when a queue is read

    found, _ = discover(list(paths))
    files, left_out = [], []
    for f in found:
        kind = sniff_kind(f)
        if kind == "output":
            left_out.append(t("queue.left-out", lang, file=f.name, reason=t("consolidate.skip.output", lang)))
        elif kind != "standards":
            files.append(f)
    jobs = runtime_jobs(jobs)  # 1 in the Lite mode: no process pool
    jobs = jobs if jobs is not None else (1 if len(files) < 8 else os.cpu_count() or 1)
    roster = roster_departments(standards)
    books, errors = [], []
    by_hash: dict[str, str] = {}
    by_dept: dict[str, str] = {}
    for i, work in enumerate(pipeline(files, period, standards, jobs, encode=False), start=1):  # type: ignore[arg-type]
        report = work.report
        if report.status == "unreadable":
            errors.append(report.error)
        elif report.data is not None and report.data.kind == "department":
            name = Path(work.path).name
            dept = department_name(report.data.info.get("department"), work.path, roster)
            dup = duplicate_reason(work.sha256, dept, by_hash, by_dept, lang)
            if dup is not None:
                left_out.append(t("queue.left-out", lang, file=name, reason=dup))
            else:
                by_hash[work.sha256 or work.path] = name
                by_dept[dept] = name
                books.append((report.data, report.findings, work.sha256))
        if progress:
            progress(i, len(files))
    return books, errors, left_out


def build_queue(source: Source, period: str | None = None, approve_clean: bool = False,
                approver_id: str | None = None, lang: str = "en", jobs: int | None = None,
                progress: Callable[[int, int], None] | None = None, role: str = "director",
                today: dt.date | None = None) -> Queue:
    """The approval queue of the source's department workbooks (see the module docstring): the director's
    (``role="director"``: every pending item) or the general manager's (``role="gm"``: forwarded items and
    items above GM Approval Above). With the source's store (``--db``) each item's state comes from the history
    store and new items are recorded there as pending (their age counts from then)."""
    if role not in QUEUE_ROLES:
        raise ValueError(role)
    if period is not None:
        period = check_period(period)
    std = source.checked_standards(period, required=False)
    paths = list(source.paths)
    books, errors, left_out = read_sources(paths, std, period, jobs, progress, lang)
    if not books:
        if errors:
            raise errors[0]
        raise ToolkitError("queue.empty", paths=", ".join(str(p) for p in paths))
    if period is None:
        found = sorted(str(d.info.get("period")) for d, _, _ in books if d.info.get("period"))
        period = check_period(found[-1]) if found else dt.date.today().strftime("%Y-%m")
    day = today or dt.date.today()
    if not source.db:
        return assemble(books, std, period, lang, approve_clean=approve_clean, approver_id=approver_id,
                        skipped=[*left_out, *(e.message(lang) for e in errors)], standards_path=source.standards,
                        role=role, today=day)
    with source.store() as store:
        returns = _store_returns(store)
        states = store.approval_items()
        queue = assemble(books, std, period, lang, approve_clean=approve_clean, approver_id=approver_id,
                         returns=returns, skipped=[*left_out, *(e.message(lang) for e in errors)],
                         standards_path=source.standards, role=role, today=day, states=states,
                         gm_decisions=[d for d in store.approval_decisions() if d.get("role") == "gm"])
        store.save_approval_items(queue.new_states)
    return queue


def _store_returns(store: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for d in store.approval_decisions(decision="Return"):
        if d.get("employee_id"):
            counts[d["employee_id"]] = counts.get(d["employee_id"], 0) + 1
    return counts


def assemble(books: list[tuple[WorkbookData, list[Finding], str]], std: WorkbookData | None, period: str,
             lang: str, approve_clean: bool = False, approver_id: str | None = None,
             returns: dict[str, int] | None = None, skipped: list[str] | None = None,
             standards_path: str | os.PathLike[str] | None = None, role: str = "director",
             today: dt.date | None = None, states: dict[tuple[str, str, str], dict] | None = None,
             gm_decisions: list[dict] | None = None) -> Queue:
    """The queue from already read and validated workbooks (pure apart from the clock); ``states``: the store's
    item states by (department, kind, item); ``gm_decisions``: the audit trail's decisions of the general
    manager's queues (the director's queue lists the recent ones)."""
    skipped = list(skipped or [])
    day = today or dt.date.today()
    usable = []
    for data, findings, sha in books:
        for key in APPROVAL_TABLES:
            if "approval" not in data.layout[key].columns and len(data.tables[key]):
                skipped.append(t("queue.no-approval-column", lang, file=Path(data.path).name,
                                 sheet=data.layout[key].sheet))
        usable.append((data, findings, sha))
    ledger = Ledger.from_workbooks([d for d, _, _ in usable], std or WorkbookData("", "standards"),
                                   keys=("Plan", "Budget", *APPROVAL_TABLES))
    flags: dict[tuple[str, str, int], list[tuple[str, str]]] = {}
    for data, findings, _ in usable:
        for (sheet, r), fl in _finding_flags(findings, lang).items():
            flags[(str(data.path), sheet, r)] = fl
    ctx = _Context(limits=thresholds(std), roster=standards_table(std, "Roster"), lang=lang, approver_id=approver_id,
                   role=role, today=day, states=states or {}, returns=returns or {}, approve_clean=approve_clean,
                   delegated=AR.delegations(standards_table(std, "Delegations"), day),
                   holidays=standards_table(std, "Holidays"))
    ctx.overrides = AR.overrides(ctx.roster)
    years = {str(d.path): int(d.info["year"]) for d, _, _ in usable if d.info.get("year") is not None}
    has_approval = {(str(d.path), k) for d, _, _ in usable for k in APPROVAL_TABLES if "approval" in d.layout[k].columns}
    sheets = {(str(d.path), k): d.layout[k].sheet for d, _, _ in usable for k in APPROVAL_TABLES}
    as_of = pd.Period(period, "M").end_time.normalize()
    items: dict[str, pd.DataFrame] = {}
    for kind in APPROVAL_TABLES:
        frame = ledger.tables[kind]
        keep = AF.pending(frame) & pd.Series([(s, kind) in has_approval for s in frame["source"]], index=frame.index,
                                             dtype=bool)
        sel = frame[keep]
        items[kind] = _items(kind, sel, ledger, years, as_of, flags, sheets, ctx)
    departments = {department_name(d.info.get("department"), d.path, roster_departments(std)) for d, _, _ in usable}
    decided = [] if role != "director" else _decided_by_gm(gm_decisions or [], departments, day)
    queue = Queue(period, dt.datetime.now().replace(microsecond=0).isoformat(),
                  None if standards_path is None else str(standards_path), items,
                  [QueueSource(str(d.path), sha, department_name(d.info.get("department"), d.path), d.lang)
                   for d, _, sha in usable], skipped, approver_id, role, ctx.limits["Reminder After Days"], decided)
    queue.new_states = ctx.new_states
    return queue


#: How far back the director's queue lists items the general manager decided.
DECIDED_DAYS = 31


def _decided_by_gm(decisions: list[dict], departments: set[str], day: dt.date) -> list[dict]:
    """What the general manager approved or rejected in their queue in the last ``DECIDED_DAYS`` days, for the
    director (forwarded items and those above the GM's threshold leave the director's queue decided)."""
    out = []
    for d in decisions:
        when = pd.Timestamp(d.get("decided_at") or "1970-01-01").tz_localize(None).date()
        if (d.get("department") in departments and d.get("outcome") == "applied"
                and d.get("decision") in AR.DECIDED_STATE and AR.DECIDED_STATE[d["decision"]] in ("approved", "rejected")
                and (day - when).days <= DECIDED_DAYS):
            out.append({"department": d["department"], "kind": d["kind"], "item": d.get("item"),
                        "employee_id": d.get("employee_id"), "state": AR.DECIDED_STATE[d["decision"]],
                        "decided_by": d.get("approver"), "on": when.isoformat(), "comment": d.get("comment")})
    return out


@dataclass
class _Context:
    """What every item of a queue is judged with."""

    limits: dict[str, float]
    roster: pd.DataFrame
    lang: str
    approver_id: str | None
    role: str
    today: dt.date
    states: dict[tuple[str, str, str], dict]
    returns: dict[str, int]
    approve_clean: bool
    delegated: dict[str, str]
    holidays: pd.DataFrame
    overrides: dict[str, str] = field(default_factory=dict)
    new_states: list[dict] = field(default_factory=list)  # what the store learns from this queue


def _own_flags(kind: str, fact: dict, limits: dict[str, float], lang: str) -> list[tuple[str, str]]:
    """The queue's own flags of one item from its facts: budget use, loan-slip exposure and overdue slips."""
    out = []
    if kind == "Expenses":
        for who in ("person", "dept", "category"):
            share = fact[f"{who}_share"]
            if pd.notna(share) and share >= limits["Budget Warning"] / 100.0:
                key = "budget-over" if share >= 1.0 else "budget-warning"
                category = E.EXPENSE_CATEGORY.label(str(fact.get("_category")), lang)
                out.append(("warning", t(f"queue.flag.{key}", lang, who=t(f"queue.who.{who}", lang, category=category),
                                         used=fmt_money(fact[f"{who}_used"], grouped=True), target=fmt_money(fact[f"{who}_target"], grouped=True),
                                         share=f"{share:.0%}")))
    elif kind == "Advances":
        if fact["outstanding_after"] > limits["Advance Limit"]:
            out.append(("warning", t("queue.flag.advance-limit", lang, outstanding=fmt_money(fact["outstanding_after"], grouped=True),
                                     limit=fmt_money(limits["Advance Limit"], grouped=True))))
        if fact["overdue_count"] > 0:
            out.append(("warning", t("queue.flag.advance-overdue", lang, count=int(fact["overdue_count"]),
                                     amount=fmt_money(fact["overdue_amount"], grouped=True))))
    return out


def _states(kind: str, sel: pd.DataFrame, hashes: pd.Series, ctx: _Context) -> tuple[list[str], list[str], list]:
    """Per item: its state, what changed since it was returned, and the date its age counts from (the earlier of
    when the store first saw it and its own date); records new items and resubmissions in ``ctx.new_states``."""
    key_col = DEPARTMENT.table(kind).unique_key[0]
    date_col = "start" if kind == "Leave" else "date"
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    states, changed, since = [], [], []
    for rec, row_hash in zip(sel.to_dict("records"), hashes):
        item = rec.get(key_col)
        key = (str(rec["department"]), kind, "" if item is None or pd.isna(item) else str(item))
        stored = ctx.states.get(key)
        state = AR.state_now(stored, row_hash)
        values = AR.item_values(rec, kind, ITEM_FIELDS[kind])
        diff = ""
        if stored is not None and state == "resubmitted":
            diff = AR.changes(stored.get("item_values") or {}, values, kind, ctx.lang)
        own_date = rec.get(date_col) if kind != "Leave" else None
        first = pd.Timestamp(stored["first_seen"]).tz_localize(None).normalize() if stored else pd.Timestamp(ctx.today)
        if own_date is not None and pd.notna(own_date):
            first = min(first, pd.Timestamp(own_date).normalize())
        states.append(state)
        changed.append(diff)
        since.append(first)
        base = {"department": key[0], "kind": kind, "item": key[2], "employee_id": rec.get("employee_id"),
                "source_path": str(rec["source"])}
        if key[2] and stored is None:
            ctx.new_states.append({**base, "state": "pending", "first_seen": now, "changed_at": now,
                                   "row_hash": row_hash, "item_values": values})
        elif key[2] and stored is not None and stored.get("state") != state:
            ctx.new_states.append({**stored, **base, "state": state, "changed_at": now})
    return states, changed, since


def _route_text(route: str, names: dict[str, str], lang: str) -> str:
    """A route as the queue shows it: Director / General manager in ``lang``, or "Name (ID)"."""
    if route in ROUTES:
        return route
    return f"{names.get(route, route)} ({route})"


def _items(kind: str, sel: pd.DataFrame, ledger: Ledger, years: dict[str, int], as_of: pd.Timestamp, flags: dict,
           sheets: dict, ctx: _Context) -> pd.DataFrame:
    lang, limits, roster = ctx.lang, ctx.limits, ctx.roster
    out = pd.DataFrame(index=sel.index)
    people = roster.drop_duplicates("employee_id").set_index("employee_id")
    out["department"] = sel["department"]
    out["employee_id"] = sel["employee_id"]
    for col in ("name", "role", "grade"):
        out[col] = sel["employee_id"].map(people[col]) if len(people) else pd.Series(pd.NA, index=sel.index)
    out["role"] = out["role"].map(lambda v: E.ROLE.label(v, lang), na_action="ignore")
    for col in ITEM_FIELDS[kind]:
        out[col] = sel[col]
    for col, enum in (("category", E.EXPENSE_CATEGORY), ("type", E.LEAVE_TYPE)):
        if col in out:
            out[col] = out[col].map(lambda v, en=enum: en.label(v, lang), na_action="ignore")
    if "receipt" in out:
        out["receipt"] = out["receipt"].map(lambda v: E.YES_NO.label("Yes" if v else "No", lang), na_action="ignore")
    date_col = "start" if kind == "Leave" else "date"
    if kind == "Expenses":
        facts = AF.budget_use(ledger.tables["Expenses"], ledger.tables["Plan"], years, sel, ledger.tables["Budget"])
        facts["_category"] = sel["category"]
    elif kind == "Advances":
        facts = AF.advance_exposure(ledger.tables["Advances"], sel, as_of)
        facts["advance_limit"] = limits["Advance Limit"]
    else:
        facts = AF.leave_context(ledger.tables["Leave"], roster, sel)
    for col in FACT_FIELDS[kind]:
        out[col] = facts[col]
    hist = AF.history(ledger.tables, kind, sel, date_col, ctx.returns)
    for col in HISTORY:
        out[col] = hist[col]
    hashes = AF.row_hashes(sel, kind)
    states, changed, since = _states(kind, sel, hashes, ctx)
    item_flags = [list(flags.get((src, sheets[(src, kind)], int(r)), []))
                  for src, r in zip(sel["source"], sel["_row"])]
    rows = facts.to_dict("records")
    emps = sel["employee_id"].tolist()
    for i, fact in enumerate(rows):
        item_flags[i].extend(_own_flags(kind, fact, limits, lang))
        if ctx.approver_id and str(emps[i]) == ctx.approver_id:
            item_flags[i].append(("error", t("queue.flag.own-item", lang)))
    out["flags"] = ["\n".join(_flag(s, text, lang) for s, text in fl) for fl in item_flags]
    out["status"] = ["flagged" if fl else "clean" for fl in item_flags]
    out["state"] = states
    out["changes"] = changed
    out["age"] = [(pd.Timestamp(ctx.today) - d).days for d in since]
    out["_working_age"] = AR.working_age(since, ctx.today, ctx.holidays)
    amount = sel["amount"] if "amount" in sel else pd.Series(float("nan"), index=sel.index)
    names = {str(k): str(v) for k, v in zip(roster["employee_id"], roster["name"])}
    routes = [AR.route(e, a, st, ctx.overrides, limits["GM Approval Above"], ctx.approver_id)
              for e, a, st in zip(emps, amount, states)]
    mine = [AR.decides_for(r, ctx.role, ctx.approver_id, ctx.delegated) for r in routes]
    out["route"] = [_route_text(r, names, lang) for r in routes]
    out["on_behalf_of"] = [_route_text(b, names, lang) if b else None for _, b in mine]
    out["file"] = sel["source"]
    out["sheet"] = [sheets[(src, kind)] for src in sel["source"]]
    out["row"] = sel["_row"].astype("Int64")
    out["row_hash"] = hashes
    out["approved_amount"] = float("nan")
    out["decision"] = [("Approve" if ctx.approve_clean and s == "clean" and ok and (r != "gm" or ctx.role == "gm")
                        else None) for s, r, (ok, _) in zip(out["status"], routes, mine)]
    out["comment"] = None
    if ctx.role == "gm":
        out = out[[ok for ok, _ in mine]]
    out = out.sort_values(["status", "department", date_col, "row"], kind="stable",
                          key=lambda s: s.map({"clean": 0, "flagged": 1}) if s.name == "status" else s)
    return out[[*columns(kind), "_working_age"]].reset_index(drop=True)
