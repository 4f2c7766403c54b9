"""``toolkit approvals queue|apply|log``: the director's approval queue, writing its decisions back, the audit trail.

Each command parses its options, calls one library function (``operations.approval_queue.build_queue`` with
``outputs.approval_queue.write_queue``, ``operations.approval_apply.apply_decisions``, ``decision_log``) and
prints the result. The approver's name and employee ID come from the options, else the add-in's settings
(``TOOLKIT_APPROVER``, ``TOOLKIT_APPROVER_ID``: environment or ``MarketingToolkit.conf``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ...errors import ToolkitError
from ...i18n import register, t
from ..main import settings
from ...excel.settings import load_settings
from ...money import fmt_money
from ...operations.approval_apply import apply_decisions, decision_log, write_decision_log
from ...operations.approval_queue import build_queue
from ...operations.source import Source
from ...outputs.approval_queue import label, summary_text, write_queue
from ..output import emit_json, progress, source_options

register({
    "cli.queue.written": ("Wrote {path}", "已生成 {path}"),
    "cli.queue.progress": ("[{done}/{total}] read", "[{done}/{total}] 已读取"),
    "cli.apply.refused": ("Refused: {file}, {sheet} row {row} ({item}, {decision}): {reason}",
                          "已拒绝：{file}，{sheet} 第 {row} 行（{item}，{decision}）：{reason}"),
    "cli.apply.written": ("Wrote {path}", "已写入 {path}"),
    "cli.apply.backup": ("Backup {path}", "备份 {path}"),
    "cli.log.empty": ("No decision recorded yet.", "尚无审批记录。"),
    "cli.log.part": ("approved {approved} of {amount}", "批准 {amount} 中的 {approved}"),
    "cli.log.behalf": ("on behalf of {whom}", "代 {whom}"),
    "cli.log.gm": ("general manager's queue", "总经理队列"),
    "cli.apply.both": ("Choose -o FOLDER (copies) or --in-place, not both.", "请选择 -o 文件夹（副本）或 --in-place，不能同时使用。"),
})


def _progress(lang: str):  # noqa: ANN202
    """A tqdm bar on a terminal, a line every 50 files otherwise."""
    return progress(lambda done, total: t("cli.queue.progress", lang, done=done, total=total)
                    if done % 50 == 0 or done == total else None)


def _approver(book: Path | None) -> Any:
    return load_settings(book)


@click.group("approvals", help="The director's approval queue: collect pending items, apply the decisions.")
def approvals() -> None:
    """The ``approvals`` group."""


@approvals.command("queue", help="Every pending loan slip, expense claim and leave request, with flags, budget, "
                                 "exposure, balance and history, in one workbook with a Decision column.")
@source_options(paths="required", standards="required", standards_help="The director's standards workbook.",
                db_help="History store: earlier Returns count in the history.",
                force="Build the queue even when the standards workbook has error findings.")
@click.option("--period", default=None, metavar="YYYY-MM", help="Reporting month (default: the latest Info Period).")
@click.option("--approve-clean", is_flag=True, help="Pre-fill Approve on clean items the director may approve.")
@click.option("--approver-id", default=None, help="The approver's employee ID: own items are flagged.")
@click.option("--as", "role", type=click.Choice(["director", "gm"]), default="director", show_default=True,
              help="Whose queue: the director's (every pending item) or the general manager's (forwarded items "
                   "and items above GM Approval Above).")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: the CPU count).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The queue workbook to write (.xlsx).")
def queue(source: Source, period: str | None, approve_clean: bool, approver_id: str | None, role: str,
          jobs: int | None, output: Path) -> None:
    lang = settings().lang
    approver_id = approver_id or _approver(output).approver_id
    q = build_queue(source, period=period, approve_clean=approve_clean, approver_id=approver_id,
                    lang=lang, jobs=jobs, progress=_progress(lang), role=role)
    path = write_queue(q, output, lang)
    click.echo(summary_text(q, lang))
    click.echo(t("cli.queue.written", lang, path=path))


@approvals.command("apply", help="Write the queue's decisions into the department workbooks (copies by default) "
                                 "and record them in the history store.")
@click.argument("queue_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the decided copies (default: <queue>-applied beside the queue).")
@click.option("--in-place", is_flag=True, help="Change the originals (a backup of each is kept).")
@source_options(paths=None, standards=False, db_help="History store for the audit trail.")
@click.option("--approver", default=None, help="The approver's name (default: TOOLKIT_APPROVER).")
@click.option("--approver-id", default=None, help="The approver's employee ID (default: TOOLKIT_APPROVER_ID).")
def apply(queue_file: Path, out_dir: Path | None, in_place: bool, source: Source, approver: str | None,
          approver_id: str | None) -> None:
    lang = settings().lang
    if in_place and out_dir is not None:
        raise ToolkitError("cli.apply.both")
    conf = _approver(queue_file)
    res = apply_decisions(queue_file, out_dir, in_place, source, approver or conf.approver,
                          approver_id or conf.approver_id, lang)
    for r in res.refused:
        click.echo(t("cli.apply.refused", lang, file=Path(r.file).name, sheet=r.sheet, row=r.row, item=r.item,
                     decision=label(r.decision, lang), reason=r.reason), err=True)
    for p in res.written:
        click.echo(t("cli.apply.written", lang, path=p))
    for p in res.backups:
        click.echo(t("cli.apply.backup", lang, path=p))
    click.echo(t("apply.done", lang, applied=len(res.rows) - len(res.refused), files=len(res.written),
                 refused=len(res.refused), db=res.db))
    sys.exit(res.exit_code)


@approvals.command("log", help="The audit trail: every decision applied or refused, oldest first.")
@source_options(paths=None, standards=False, db_help="History store.")
@click.option("--department", default=None, help="Only this department.")
@click.option("--employee", default=None, help="Only this employee ID.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-o", "--output", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the trail as a workbook (.xlsx), as the ribbon's Approval log does.")
def log(source: Source, department: str | None, employee: str | None, fmt: str, output: Path | None) -> None:
    if output is not None:
        click.echo(t("cli.queue.written", settings().lang,
                     path=write_decision_log(source, output, settings().lang, department, employee)))
    rows = decision_log(source, department, employee)
    if fmt == "json":
        emit_json({"decisions": rows}, None)
        return
    if not rows:
        click.echo(t("cli.log.empty", settings().lang))
    lang = settings().lang
    for r in rows:
        extra = []
        if r.get("approved_amount") is not None:
            extra.append(t("cli.log.part", lang, approved=fmt_money(r['approved_amount'], grouped=True),
                                  amount=fmt_money(r['amount'] or 0, grouped=True)))
        if r.get("on_behalf_of"):
            extra.append(t("cli.log.behalf", lang, whom=r["on_behalf_of"]))
        if r.get("role") == "gm":
            extra.append(t("cli.log.gm", lang))
        click.echo(f"{r['decided_at']}  {r['approver']}  {r['decision']:<9} {r['outcome']:<8} {r['department']}  "
                   f"{r['item']}  {r['employee_id']}  {' '.join(f'[{x}]' for x in extra)} {r['comment'] or ''}"
                   .rstrip())


COMMANDS = [approvals]
