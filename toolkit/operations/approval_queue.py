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
from pathlib import Path

import pandas as pd

from ..core import approval_facts as AF
from ..core.approval_queue import (  # noqa: F401 - the queue's vocabulary, used here and re-exported
    DECISIONS, FACT_FIELDS, HEAD, HISTORY, ITEM_FIELDS, ROUTES, STATUSES, TAIL, Queue, QueueSource, columns,
)
from ..core.findings import Finding
from ..io.discover import file_sha256  # noqa: F401 - re-exported for the apply step
from ..core.ledger import Ledger, department_name, standards_table, thresholds
from ..core.tables import WorkbookData
from ..errors import ToolkitError
from ..i18n import register, t
from ..schema import enums as E
from .approvals import APPROVAL_TABLES, row_of
from .source import Source

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
    "queue.severity.error": ("Error", "错误"),
    "queue.severity.warning": ("Warning", "警告"),
    "queue.no-approval-column": ("{file}: the {sheet} sheet has no Approval column, so its rows are not in the "
                                 "queue (add the column from the current template).",
                                 "{file}：{sheet} 表没有“审批”列，其数据未列入审批队列（请按当前模板添加该列）。"),
    "queue.empty": ("No department workbook found in: {paths}", "未找到部门工作簿：{paths}"),
})

def _money(value: float) -> str:
    """Money in a flag's words: two decimals (rounded as Excel does), thousands separated."""
    from ..money import round_money

    return f"{round_money(value):,.2f}"


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
                 jobs: int | None = None, progress: Callable[[int, int], None] | None = None
                 ) -> tuple[list[tuple[WorkbookData, list[Finding], str]], list[ToolkitError]]:
    """Read and validate every department workbook under ``paths`` in ``jobs`` worker processes (default: the
    CPU count; one for a handful of files) with consolidation's pipeline: (data, findings, SHA-256) per file,
    and the errors of the files that could not be read."""
    from ..io.discover import discover_workbooks
    from .consolidate.pipeline import pipeline

    files = discover_workbooks(paths)
    jobs = jobs if jobs is not None else (1 if len(files) < 8 else os.cpu_count() or 1)
    books, errors = [], []
    for i, work in enumerate(pipeline(files, period, standards, jobs, encode=False), start=1):  # type: ignore[arg-type]
        report = work.report
        if report.status == "unreadable":
            errors.append(report.error)
        elif report.data is not None and report.data.kind == "department":
            books.append((report.data, report.findings, work.sha256))
        if progress:
            progress(i, len(files))
    return books, errors


def build_queue(source: Source, period: str | None = None, approve_clean: bool = False,
                approver_id: str | None = None, lang: str = "en", jobs: int | None = None,
                progress: Callable[[int, int], None] | None = None) -> Queue:
    """The approval queue of the source's department workbooks (see the module docstring); with ``source.db``,
    earlier Returns in the store's decisions count in each person's history."""
    from ..core.periods import check_period

    if period is not None:
        period = check_period(period)
    std = source.checked_standards(period, required=False)
    paths = list(source.paths)
    books, errors = read_sources(paths, std, period, jobs, progress)
    if not books:
        if errors:
            raise errors[0]
        raise ToolkitError("queue.empty", paths=", ".join(str(p) for p in paths))
    if period is None:
        found = sorted(str(d.info.get("period")) for d, _, _ in books if d.info.get("period"))
        period = check_period(found[-1]) if found else dt.date.today().strftime("%Y-%m")
    returns = _store_returns(source) if source.db else {}
    return assemble(books, std, period, lang, approve_clean=approve_clean, approver_id=approver_id,
                    returns=returns, skipped=[e.message(lang) for e in errors], standards_path=source.standards)


def _store_returns(source: Source) -> dict[str, int]:
    with source.store() as store:
        counts: dict[str, int] = {}
        for d in store.approval_decisions(decision="Return"):
            if d.get("employee_id"):
                counts[d["employee_id"]] = counts.get(d["employee_id"], 0) + 1
        return counts


def assemble(books: list[tuple[WorkbookData, list[Finding], str]], std: WorkbookData | None, period: str,
             lang: str, approve_clean: bool = False, approver_id: str | None = None,
             returns: dict[str, int] | None = None, skipped: list[str] | None = None,
             standards_path: str | os.PathLike[str] | None = None) -> Queue:
    """The queue from already read and validated workbooks (pure apart from the clock)."""
    skipped = list(skipped or [])
    usable = []
    for data, findings, sha in books:
        for key in APPROVAL_TABLES:
            if "approval" not in data.layout[key].columns and len(data.tables[key]):
                skipped.append(t("queue.no-approval-column", lang, file=Path(data.path).name,
                                 sheet=data.layout[key].sheet))
        usable.append((data, findings, sha))
    ledger = Ledger.from_workbooks([d for d, _, _ in usable], std or WorkbookData("", "standards"),
                                   keys=("Plan", *APPROVAL_TABLES))
    flags: dict[tuple[str, str, int], list[tuple[str, str]]] = {}
    for data, findings, _ in usable:
        for (sheet, r), fl in _finding_flags(findings, lang).items():
            flags[(str(data.path), sheet, r)] = fl
    limits = thresholds(std)
    roster = standards_table(std, "Roster")
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
        items[kind] = _items(kind, sel, ledger, roster, years, limits, as_of, flags, sheets, lang, approver_id,
                             returns or {}, approve_clean)
    return Queue(period, dt.datetime.now().replace(microsecond=0).isoformat(),
                 None if standards_path is None else str(standards_path), items,
                 [QueueSource(str(d.path), sha, department_name(d.info.get("department"), d.path), d.lang)
                  for d, _, sha in usable], skipped, approver_id)


def _own_flags(kind: str, fact: dict, limits: dict[str, float], lang: str) -> list[tuple[str, str]]:
    """The queue's own flags of one item from its facts: budget use, loan-slip exposure and overdue slips."""
    out = []
    if kind == "Expenses":
        for who in ("person", "dept"):
            share = fact[f"{who}_share"]
            if pd.notna(share) and share >= limits["Budget Warning"] / 100.0:
                key = "budget-over" if share >= 1.0 else "budget-warning"
                out.append(("warning", t(f"queue.flag.{key}", lang, who=t(f"queue.who.{who}", lang),
                                         used=_money(fact[f"{who}_used"]), target=_money(fact[f"{who}_target"]),
                                         share=f"{share:.0%}")))
    elif kind == "Advances":
        if fact["outstanding_after"] > limits["Advance Limit"]:
            out.append(("warning", t("queue.flag.advance-limit", lang, outstanding=_money(fact["outstanding_after"]),
                                     limit=_money(limits["Advance Limit"]))))
        if fact["overdue_count"] > 0:
            out.append(("warning", t("queue.flag.advance-overdue", lang, count=int(fact["overdue_count"]),
                                     amount=_money(fact["overdue_amount"]))))
    return out


def _items(kind: str, sel: pd.DataFrame, ledger: Ledger, roster: pd.DataFrame, years: dict[str, int],
           limits: dict[str, float], as_of: pd.Timestamp, flags: dict, sheets: dict, lang: str,
           approver_id: str | None, returns: dict[str, int], approve_clean: bool) -> pd.DataFrame:
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
        facts = AF.budget_use(ledger.tables["Expenses"], ledger.tables["Plan"], years, sel)
    elif kind == "Advances":
        facts = AF.advance_exposure(ledger.tables["Advances"], sel, as_of)
        facts["advance_limit"] = limits["Advance Limit"]
    else:
        facts = AF.leave_context(ledger.tables["Leave"], roster, sel)
    for col in FACT_FIELDS[kind]:
        out[col] = facts[col]
    hist = AF.history(ledger.tables, kind, sel, date_col, returns)
    for col in HISTORY:
        out[col] = hist[col]
    item_flags = [list(flags.get((src, sheets[(src, kind)], int(r)), []))
                  for src, r in zip(sel["source"], sel["_row"])]
    rows = facts.to_dict("records")
    emps = sel["employee_id"].tolist()
    for i, fact in enumerate(rows):
        item_flags[i].extend(_own_flags(kind, fact, limits, lang))
        if approver_id and str(emps[i]) == approver_id:
            item_flags[i].append(("error", t("queue.flag.own-item", lang)))
    out["flags"] = ["\n".join(_flag(s, text, lang) for s, text in fl) for fl in item_flags]
    out["status"] = ["flagged" if fl else "clean" for fl in item_flags]
    amount = sel["amount"] if "amount" in sel else pd.Series(0.0, index=sel.index)
    out["route"] = ["gm" if pd.notna(a) and a > limits["GM Approval Above"] else "director" for a in amount]
    out["file"] = sel["source"]
    out["sheet"] = [sheets[(src, kind)] for src in sel["source"]]
    out["row"] = sel["_row"].astype("Int64")
    out["row_hash"] = AF.row_hashes(sel, kind)
    out["decision"] = [("Approve" if approve_clean and s == "clean" and r == "director" else None)
                       for s, r in zip(out["status"], out["route"])]
    out["comment"] = None
    out = out.sort_values(["status", "department", date_col, "row"], kind="stable",
                          key=lambda s: s.map({"clean": 0, "flagged": 1}) if s.name == "status" else s)
    return out[columns(kind)].reset_index(drop=True)
