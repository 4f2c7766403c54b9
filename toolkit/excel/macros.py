"""Ribbon macros: Python functions that take a workbook (default ``xw.Book.caller()``).

The add-in's buttons call these by name through xlwings' RunPython; ``NAMES`` lists them in ribbon order.
Each takes an xlwings ``Book`` or any ``toolkit.excel.port.WorkbookPort`` (``toolkit macro`` passes a
``FilePort`` over a copy), and calls the same library functions as the CLI: ``toolkit.operations``
(validate, the ledger loader, consolidate, the report, the approval rule), ``toolkit.outputs`` for the
computations' workbooks and ``toolkit.io.templates``. Nothing here computes or decides.
A ``ToolkitError`` becomes a message (a message box in Excel); macros never save the user's workbook.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..core.findings import Finding
from ..errors import ToolkitError
from ..i18n import register, t
from ..operations.approvals import APPROVAL_TABLES, approval_table, decide, stamp_note
from ..operations.source import DB_ENV, Source
from ..schema import enums as E
from .plan_macro import compare_versions, draft_plan, publish_plan  # noqa: F401 - ribbon macros (NAMES)
from .store_macros import (appraisal, candidates, close_month, company_report, forecast,  # noqa: F401 - ribbon macros (NAMES)
                           history, performance_files, plan_cost, plan_settings, salary)
from .port import WorkbookPort, selected_rows
from .run import Run as _Run, run as _run
from .run import YES as _YES  # the one set of answers meaning yes
from ..io import annotate as A
from ..io.annotate import NOTE_SEPARATOR, SHEET_NAME, merge_note
from ..io.templates import new_workbook, template_name
from ..io.writer import write_frames
from ..operations.approval_apply import apply_decisions as apply
from ..operations.approval_queue import build_queue
from ..operations.consolidate import consolidate
from ..operations.statements import department_employees, write_statements
from ..operations.validate import check_data
from ..outputs import build
from ..outputs.approval_queue import summary_text, write_queue
from ..report.pdf import find_chromium
from ..operations.analysis import analyse
from ..operations.approval_apply import write_decision_log
from ..operations.finance import statement_extras
from ..operations.finance import approve_close as approve_period_close

NAMES: tuple[str, ...] = (
    "validate",
    "royalties",
    "completion",
    "funds",
    "monthly_report",
    "statements",
    "analysis",
    "consolidate_folder",
    "close_month",
    "company_report",
    "salary",
    "forecast",
    "appraisal",
    "performance_files",
    "candidates",
    "history",
    "approve_selection",
    "reject_selection",
    "approval_queue",
    "gm_queue",
    "apply_decisions",
    "approval_log",
    "approve_close",
    "new_template",
    "draft_plan",
    "plan_settings",
    "plan_cost",
    "publish_plan",
    "compare_versions",
)

#: The hidden sheet listing what Validate marked (sheet, cell, fill and note before, what was added),
#: so the next run restores the cells before marking again.
MARKS_SHEET = "TK Marks"
_MARKS_HEADERS = ["Sheet", "Cell", "Fill Before", "Note Before", "Note Added", "Fill Added"]
#: The subfolder of the departments' folder the Approval queue button writes its queue into (not read as a department).
QUEUE_FOLDER = "approvals"
#: What Monthly report writes next to the workbook (``toolkit report``'s default formats).
REPORT_FORMATS = ("xlsx", "html", "md")

register({
    "macro.q.force": ("The workbook has {count} error finding(s). Compute anyway? (yes/no)",
                      "工作簿有 {count} 个错误。仍要计算吗？（是/否）"),
    "macro.q.folder": ("Folder of department workbooks to consolidate:", "要合并的部门工作簿所在文件夹："),
    "macro.q.approver": ("Approver's name:", "审批人姓名："),
    "macro.q.reason": ("Reason for the rejection (required):", "驳回理由（必填）："),
    "macro.q.kind": ("New workbook: department or standards?", "新建工作簿：department（部门）还是 standards（标准）？"),
    "macro.q.path": ("Save the new workbook as:", "新工作簿保存为："),
    "macro.refused": ("Not computed: the workbook has {count} error finding(s). Run Validate to see them:\n{details}",
                      "未计算：工作簿有 {count} 个错误。请先运行“校验”查看：\n{details}"),
    "macro.validated": ("Validation: {errors} error(s), {warnings} warning(s), {infos} note(s); {cells} cell(s) marked. "
                        "See the Validation sheet.",
                        "校验结果：{errors} 个错误，{warnings} 个警告，{infos} 个提示；已标记 {cells} 个单元格。详见“Validation”工作表。"),
    "macro.written": ("Wrote {path}", "已生成 {path}"),
    "macro.statements": ("{count} statement(s) written to {folder}.", "已生成 {count} 份结算单，保存在 {folder}。"),
    "macro.not-folder": ("{path} is not a folder.", "{path} 不是文件夹。"),
    "macro.q.analysis-folder": ("Folder of department workbooks to analyse:", "要分析的部门工作簿所在文件夹："),
    "macro.analysis": ("{summary}\nWrote {paths}", "{summary}\n已生成 {paths}"),
    "macro.consolidated": ("Consolidated {ok} of {total} department workbook(s) for {period} into {path}.",
                           "已将 {total} 个部门工作簿中的 {ok} 个合并（{period}）到 {path}。"),
    "macro.consolidate-failed": ("Not consolidated:", "未汇总："),
    "macro.no-selection": ("Select rows on the Expenses, Advances or Leave sheet first.",
                           "请先在费用、借款或休假工作表中选择行。"),
    "macro.wrong-sheet": ("'{sheet}' is not the Expenses, Advances or Leave sheet: select rows there.",
                          "“{sheet}”不是费用、借款或休假工作表：请在这些表中选择行。"),
    "macro.no-rows": ("The selection holds no rows of the {sheet} table.", "所选区域没有{sheet}表中的数据行。"),
    "macro.no-approver": ("No approver name: set TOOLKIT_APPROVER in the settings or type a name.",
                          "没有审批人姓名：请在设置中填写 TOOLKIT_APPROVER，或输入姓名。"),
    "macro.stamped": ("{decision}: {count} row(s) on {sheet} by {name} ({date}).",
                      "{decision}：{sheet} 中 {count} 行，审批人 {name}（{date}）。"),
    "macro.refused-rows": ("Refused {count} row(s) with errors (fix them, then try again):\n{details}",
                           "拒绝处理 {count} 个有错误的行（请修正后重试）：\n{details}"),
    "macro.q.queue-folder": ("Folder of department workbooks for the approval queue:",
                             "生成审批队列的部门工作簿文件夹："),
    "macro.q.inplace": ("Write the decisions into the department workbooks themselves (a backup of each is kept)? "
                        "(yes/no; no writes copies)",
                        "将审批决定直接写入各部门工作簿（每个文件保留备份）吗？（是/否；否则写入副本）"),
    "macro.queue-made": ("{summary}\nWrote {path}", "{summary}\n已生成 {path}"),
    "macro.applied": ("{applied} decision(s) written, {refused} refused. Written: {paths}",
                      "已写入 {applied} 项审批决定，拒绝 {refused} 项。写入：{paths}"),
    "macro.q.db": ("History store of the month close (toolkit.db):", "月结历史库（toolkit.db）："),
    "macro.close-approved": ("The close of {period} (version {version}) is approved by {by} at {at}.",
                             "{period} 结账（第 {version} 版）已由 {by} 于 {at} 批准。"),
    "macro.bad-kind": ("Answer department or standards, not '{value}'.", "请输入 department 或 standards，而不是“{value}”。"),
})


def _describe(findings: Sequence[Finding], lang: str, limit: int = 15) -> str:
    lines = [f"  {f.message(lang)}" for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"  … (+{len(findings) - limit})")
    return "\n".join(lines)


# --------------------------------------------------------------------------- validate


def validate(book: Any = None) -> None:
    """Validate the workbook: findings marked in place (colour + note), a Validation sheet with links;
    the marks of an earlier run are removed first."""
    _run(book, _validate)


def _validate(run: _Run) -> None:
    data = run.data()
    std = run.standards(required=False) if data.kind == "department" else None
    report = check_data(data, std)
    clear_marks(run.port)
    cells = mark_findings(run.port, report.findings, run.lang)
    counts = {s: sum(f.severity == s for f in report.findings) for s in ("error", "warning", "info")}
    run.port.message(t("macro.validated", run.lang, errors=counts["error"], warnings=counts["warning"],
                       infos=counts["info"], cells=cells), "warning" if counts["error"] else "info")


def unmerge_note(current: str | None, added: str) -> str | None:
    """A note with the text a Validate run added taken out again (whatever else was written since stays)."""
    if not current or not added:
        return current or None
    i = current.find(added)
    if i < 0:
        return current
    before, after = current[:i], current[i + len(added):]
    if before.endswith(NOTE_SEPARATOR):
        before = before[: -len(NOTE_SEPARATOR)]
    elif after.startswith(NOTE_SEPARATOR):
        after = after[len(NOTE_SEPARATOR):]
    return (before + after) or None


def clear_marks(port: WorkbookPort) -> int:
    """Undo the last Validate run: restore fills and notes it changed, drop its sheets. Returns cells restored."""
    names = port.sheet_names()
    restored = 0
    if MARKS_SHEET in names:
        for row in port.read_values(MARKS_SHEET)[1:]:
            row = (list(row) + [None] * 6)[:6]
            sheet, cell, fill_before, note_before, added, fill_added = (None if v in ("", None) else str(v) for v in row)
            if not sheet or not cell or sheet not in names:
                continue
            if fill_added and port.get_fill(sheet, cell) == fill_added:
                port.set_fill(sheet, cell, fill_before)
            current = port.get_note(sheet, cell)
            if added and current:
                port.set_note(sheet, cell, unmerge_note(current, added))
            restored += 1
        port.delete_sheet(MARKS_SHEET)
        port.delete_sheet(SHEET_NAME)
    return restored


def mark_findings(port: WorkbookPort, findings: Sequence[Finding], lang: str) -> int:
    """Mark the findings as annotated copies are marked (``toolkit.io.annotate.write_marks``), and record the marks
    on a hidden sheet so the next run can undo them. Returns the number of cells marked."""
    marks = A.write_marks(port, findings, lang)
    record: list[list[Any]] = [_MARKS_HEADERS] + [[m.sheet, m.cell, m.fill_before or "", m.note_before or "", m.added,
                                                   m.fill or ""] for m in marks]
    port.add_sheet(MARKS_SHEET, hidden=True)
    port.write_range(MARKS_SHEET, "A1", record)
    port.activate(A.SHEET_NAME)
    return len(marks)


# --------------------------------------------------------------------------- computations


def royalties(book: Any = None) -> Path | None:
    """Royalties for the Info sheet's period (or asked), with a statement per employee, in a new workbook."""
    return _run(book, lambda run: _compute(run, "royalties"))


def completion(book: Any = None) -> Path | None:
    """Indicator completion (month, YTD, pacing, RAG) for the period, in a new workbook."""
    return _run(book, lambda run: _compute(run, "completion"))


def funds(book: Any = None) -> Path | None:
    """Receivables aging, overdue contracts and the 3-month fund demand for the period, in a new workbook."""
    return _run(book, lambda run: _compute(run, "funds"))


def _ledger(run: _Run, period: str, force: bool = False) -> Any:
    """The open workbook and the standards as a Ledger (``Source.ledger``): error findings refused unless the
    user says to go on."""
    try:
        return run.source(standards=True, workbook=run.department()).ledger(period, force=force)
    except ToolkitError as exc:
        if exc.key in ("ledger.refused", "source.standards-errors"):  # the ribbon's wording: no --force there
            raise ToolkitError("macro.refused", **exc.params) from None
        raise


def _compute(run: _Run, name: str) -> Path:
    run.department()  # the wrong workbook is refused before any question
    period = run.period()
    output = build(name, _ledger(run, period), period, run.lang)
    out = write_frames(run.folder() / f"{run.stem()}-{name}-{period}.xlsx", output.sheets(), run.lang)
    run.port.open_file(out)
    return out


# --------------------------------------------------------------------------- report and consolidation


def monthly_report(book: Any = None) -> Path | None:
    """Render the monthly report files next to the workbook (``toolkit.report.render``) and open the xlsx."""
    return _run(book, _monthly_report)


def _monthly_report(run: _Run) -> Path | None:
    from ..operations.report import render_monthly_report  # deferred: loads jinja2, matplotlib (slow to import); only this path needs it

    run.department()  # a consolidated workbook is refused: Company report renders the company from the store
    period = run.period()
    ledger = _ledger(run, period, force=True)  # as `toolkit report`: problems go in its data-quality section
    paths = render_monthly_report(ledger, period, run.folder(), lang=run.lang, formats=REPORT_FORMATS)
    xlsx = next((p for p in paths if p.suffix.lower() == ".xlsx"), None)
    run.port.message(t("macro.written", run.lang, path=", ".join(str(p) for p in paths)))
    if xlsx is not None:
        run.port.open_file(xlsx)
    return xlsx


def statements(book: Any = None) -> Path | None:
    """Write the statements of the workbook's department for its period into ``statements-YYYY-MM`` beside it
    (``toolkit.operations.statements``: xlsx and html, and pdf where Chromium is installed); open the index."""
    return _run(book, _statements)


def _statements(run: _Run) -> Path | None:
    run.department()
    period = run.period()
    ledger = _ledger(run, period)
    formats = ("xlsx", "html", "pdf") if find_chromium() else ("xlsx", "html")
    # from the open workbook there is no approved close: the statements are drafts (issue 25)
    res = write_statements(ledger, period, run.folder() / f"statements-{period}", formats=formats,
                           employees=department_employees(ledger), index_lang=run.lang,
                           extras=statement_extras(None, period, ledger.standards))
    text = t("macro.statements", run.lang, count=len(res.statements), folder=res.index.parent if res.index else "")
    if res.failures:
        text += "\n" + "\n".join(f.message(run.lang) for f in res.failures)
    run.port.message(text, "warning" if res.failures else "info")
    if res.index is not None:
        run.port.open_file(res.index)
    return res.index


def approve_close(book: Any = None) -> Any:
    """The director's sign-off of the period's month close (``toolkit.operations.finance.approve_close``): asks for
    the history store (default ``TOOLKIT_DB``, else ``consolidated/toolkit.db`` beside the workbook) and records
    the approver's name and the time."""
    return _run(book, _approve_close)


def _approve_close(run: _Run) -> Any:

    period = run.period()
    db = os.environ.get(DB_ENV) or run.ask("db", default=str(run.folder() / "consolidated" / "toolkit.db"))
    if not db:
        raise ToolkitError("macro.no-folder")
    name = run.settings.approver or run.ask("approver")
    if not name:
        raise ToolkitError("macro.no-approver")
    res = approve_period_close(Source(db=db), period, by=name)
    run.port.message(t("macro.close-approved", run.lang, period=res.period, version=res.version, by=name, at=res.at),
                     "info")
    return res
def analysis(book: Any = None) -> Path | None:
    """Ask for the folder of department workbooks and write the sales statistics and market analysis of the
    workbook's period into its ``analysis`` subfolder (``toolkit.operations.analysis``); open the workbook."""
    return _run(book, _analysis)


def _analysis(run: _Run) -> Path | None:

    folder = run.chosen_folder("analysis-folder")
    # as the monthly report: data problems are the findings listed in the workbook, not a refusal
    source = run.source(standards=True, paths=[folder])
    source.force = True
    with source:
        res = analyse(source, run.period(), folder / "analysis", lang=run.lang, formats=("xlsx", "html"))
    summary = "\n".join(res.output.sentences[:6])
    run.port.message(t("macro.analysis", run.lang, summary=summary, paths=", ".join(str(p) for p in res.written)))
    xlsx = next((p for p in res.written if p.suffix == ".xlsx"), None)
    if xlsx is not None:
        run.port.open_file(xlsx)
    return xlsx


def consolidate_folder(book: Any = None) -> Path | None:
    """Ask for a folder, consolidate its department workbooks for the period, open the consolidated workbook.

    The workbook and the history store (unless ``TOOLKIT_DB`` names one) go into the folder's
    ``consolidated`` subfolder, which the next consolidation of the folder does not read.
    """
    return _run(book, _consolidate_folder)


def _consolidate_folder(run: _Run) -> Path | None:
    folder = run.chosen_folder("folder")
    period = run.period()
    out_dir = folder / "consolidated"
    out_dir.mkdir(exist_ok=True)
    db = os.environ.get(DB_ENV) or str(out_dir / "toolkit.db")
    with run.source(standards=False, paths=[folder], db=db) as source:
        res = consolidate(source, period, output=out_dir / f"consolidated-{period}.xlsx", jobs=1, lang=run.lang,
                          command="consolidate")
    text = t("macro.consolidated", run.lang, ok=len(res.consolidated), total=len(res.files), period=period,
             path=res.workbook)
    if res.failed:
        text += "\n" + t("macro.consolidate-failed", run.lang) + "\n" + "\n".join(
            f"  {Path(f.path).name}: {f.reason}" for f in res.failed)
    run.port.message(text, "warning" if res.failed else "info")
    if res.workbook is not None:
        run.port.open_file(res.workbook)
    return res.workbook


# --------------------------------------------------------------------------- approvals


def approve_selection(book: Any = None) -> list[int] | None:
    """Stamp the selected Expenses/Advances/Leave rows Approved, with the approver's name and today's date;
    rows with error findings are refused."""
    return _run(book, lambda run: _stamp(run, "Approved"))


def reject_selection(book: Any = None) -> list[int] | None:
    """The same as ``approve_selection`` with Rejected."""
    return _run(book, lambda run: _stamp(run, "Rejected"))


def _stamp(run: _Run, decision: str, today: dt.date | None = None) -> list[int]:
    """Write ``decision`` (Approved/Rejected) on the selected rows (``operations.approvals.decide``); returns
    the sheet rows stamped."""
    sel = run.port.selection()
    if sel is None:
        raise ToolkitError("macro.no-selection")
    sheet, address = sel
    data = run.department()
    frame = data.tables[approval_table(data, sheet)]
    selected = selected_rows(address, int(frame["_row"].max()) if len(frame) else 1)
    name = run.settings.approver or run.ask("approver")
    reason = run.ask("reason") if decision == "Rejected" else None
    result = decide(data, run.standards(required=False), sheet, selected, decision, name or "", today,
                    approver_id=run.settings.approver_id, reason=reason)
    stamp = stamp_note(decision, data.lang, result.approver, result.date, reason)
    for _, approval, approver, note in result.cells(data):
        if approval:
            run.port.write_range(sheet, approval, [[result.label]])
        if approver:
            run.port.write_range(sheet, approver, [[result.approver]])
        run.port.set_note(sheet, note, merge_note(run.port.get_note(sheet, note), stamp))

    lines = []
    if result.rows:
        lines.append(t("macro.stamped", run.lang, decision=E.APPROVAL.label(decision, run.lang), count=len(result.rows),
                       sheet=sheet, name=result.approver, date=result.date))
    if result.refused:
        refused = [f for r in sorted(result.refused) for f in result.refused[r]]
        lines.append(t("macro.refused-rows", run.lang, count=len(result.refused), details=_describe(refused, run.lang)))
    run.port.message("\n".join(lines), "warning" if result.refused else "info")
    return result.rows


def approval_queue(book: Any = None) -> Path | None:
    """Build the approval queue of a folder of department workbooks (default: the active book's folder) into
    its ``approvals`` subfolder (``operations.approval_queue``) and open it."""
    return _run(book, _approval_queue)


def gm_queue(book: Any = None) -> Path | None:
    """The general manager's queue (forwarded items, items above GM Approval Above) of a folder of department
    workbooks, into its ``approvals`` subfolder, opened (``operations.approval_queue``, role ``gm``)."""
    return _run(book, lambda run: _approval_queue(run, "gm"))


def _queue_db(folder: Path) -> str:
    """The store the ribbon's approval buttons keep item states and the audit trail in: ``TOOLKIT_DB`` when set,
    else ``toolkit.db`` in the folder's ``approvals`` subfolder (beside the queues)."""
    return os.environ.get("TOOLKIT_DB") or str(folder / "toolkit.db")


def _approval_queue(run: _Run, role: str = "director") -> Path:

    folder = run.chosen_folder("queue-folder")
    (folder / QUEUE_FOLDER).mkdir(exist_ok=True)
    queue = build_queue(run.source(standards=True, paths=[folder], db=_queue_db(folder / QUEUE_FOLDER)),
                        approver_id=run.settings.approver_id, lang=run.lang, role=role)
    name = "gm-queue" if role == "gm" else "approval-queue"
    out = write_queue(queue, folder / QUEUE_FOLDER / f"{name}-{queue.period}.xlsx", run.lang)
    run.port.message(t("macro.queue-made", run.lang, summary=summary_text(queue, run.lang), path=out))
    run.port.open_file(out)
    return out


def apply_decisions(book: Any = None) -> list[Path] | None:
    """On an open approval queue: write its decisions (as shown, saved or not) into copies beside the queue, or
    into the department workbooks themselves if the user says so (``operations.approval_apply``)."""
    return _run(book, _apply_decisions)


def _apply_decisions(run: _Run) -> list[Path]:
    if run.port.path is None:
        raise ToolkitError("queue.not-a-queue", file="?")
    name = run.settings.approver or run.ask("approver")
    in_place = (run.ask("inplace", "no") or "").casefold() in _YES
    res = apply(run.port.path, None, in_place, Source(db=_queue_db(Path(run.port.path).parent)), name,
                run.settings.approver_id,
                run.lang, port=run.port)
    lines = [t("macro.applied", run.lang, applied=len(res.rows) - len(res.refused), refused=len(res.refused),
               paths=", ".join(str(p) for p in res.written))]
    lines += [f"  {Path(r.file).name} {r.sheet}!{r.row} {r.item}: {r.reason}" for r in res.refused]
    run.port.message("\n".join(lines), "warning" if res.refused else "info")
    return res.written


def approval_log(book: Any = None) -> Path | None:
    """The audit trail of approval decisions as a workbook beside the open queue (or in the active workbook's
    folder), opened (``operations.approval_apply.write_decision_log``)."""
    return _run(book, _approval_log)


def _approval_log(run: _Run) -> Path:

    folder = Path(run.port.path).parent if run.port.path is not None else run.folder()
    out = write_decision_log(Source(db=_queue_db(folder)), folder / "approval-log.xlsx", run.lang)
    run.port.message(t("macro.written", run.lang, path=out))
    run.port.open_file(out)
    return out


# --------------------------------------------------------------------------- templates


def new_template(book: Any = None) -> Path | None:
    """Create a blank department or standards workbook (``toolkit.io.templates.new_workbook``) and open it."""
    return _run(book, _new_template)


def _new_template(run: _Run) -> Path | None:
    kind = (run.ask("kind", "department") or "").casefold()
    kind = {"部门": "department", "标准": "standards"}.get(kind, kind)
    if kind not in ("department", "standards"):
        raise ToolkitError("macro.bad-kind", value=kind)
    default = run.folder() / template_name(kind, run.lang)
    n = 2
    while default.exists():
        default = default.with_name(f"{kind}-template-{run.lang} ({n}).xlsx")
        n += 1
    path = run.ask("path", str(default))
    if not path:
        return None
    std = run.settings.standards if kind == "department" and run.settings.standards else None
    roster_ids = Source(standards=std).roster_ids() if std else None
    out = new_workbook(kind, Path(path).expanduser(), run.lang, roster_ids=roster_ids)
    run.port.message(t("macro.written", run.lang, path=out))
    run.port.open_file(out)
    return out


__all__ = ["NAMES", *NAMES, "clear_marks", "mark_findings", "unmerge_note", "MARKS_SHEET", "APPROVAL_TABLES"]
