"""``toolkit history list|close|payments|changes``: what the history store recorded, as text, JSON or xlsx.

Thin layer over ``toolkit.operations.history``; also the payout ledger's lines of ``close-month``'s summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pandas as pd

from ...i18n import register, t
from ...outputs.labels import LABELS, history_label, label
from ..main import settings
from ...io.writer import SheetFrame, write_frames
from ...money import fmt_money_column
from ...operations.history import department_changes, employee_payments, list_history, person_history, show_close
from ...operations.source import Source
from ...outputs.text import text_table
from ..output import emit_json, emit_text, require_output, source_options

register(
    {
        "history.title.closes": ("Closes", "结账记录"),
        "history.title.runs": ("Runs", "运行记录"),
        "history.title.close": ("Close of {period}, version {version} ({status}), {closed_at} by {user}",
                                "{period} 结账，第 {version} 版（{status}），{closed_at}，操作人 {user}"),
        "history.title.payments": ("Payments to {employee} for {year}", "{employee} 的 {year} 年支付记录"),
        "history.title.changes": ("{department}: changes since the close of {since}",
                                  "{department}：自 {since} 结账以来的变动"),
        "history.never-closed": ("never closed", "从未结账"),
        "history.title.adjustments": ("Adjustments", "调整"),
        "history.title.manual": ("Manual adjustments", "手工调整"),
        "history.state": ("State: {state}", "状态：{state}"),
        "history.title.person": ("{employee} in {year}: state by month (standards of the close of {period}) and "
                                 "what was paid", "{employee} {year} 年各月状态（{period} 结账时的标准）及支付"),
        "history.not-computed": ("Not computed in the close of {periods} (department not consolidated): nothing "
                                 "recorded as paid.", "{periods} 结账未计算（部门未汇总）：无支付记录。"),
        "history.totals": ("Royalty paid {royalty}, floating pay {floating}.", "已付提成 {royalty}，浮动工资 {floating}。"),
    }
)

FORMATS = ("text", "json", "xlsx")


def _options(func: Any) -> Any:
    for option in reversed([
        source_options(paths=None, standards=False, db_help="History store (default $TOOLKIT_DB or toolkit.db)."),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True),
        click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="Write to this file (required for xlsx; default stdout)."),
    ]):
        func = option(func)
    return func


def _present(result: Any, fmt: str, output: Path | None, text: str) -> None:
    """JSON, an xlsx workbook of the result's frames, or the text."""
    if fmt == "json":
        emit_json(result.to_dict(), output)
    elif fmt == "xlsx":
        lang = settings().lang
        sheets = [SheetFrame(name, frame if len(frame.columns) else pd.DataFrame({"-": []}))
                  for name, frame in result.frames().items()]
        write_frames(require_output(output, fmt), sheets, lang)
    else:
        emit_text(text, output)


def _table(frame: pd.DataFrame, columns: list[str]) -> str:
    lang = settings().lang
    shown = frame[[c for c in columns if c in frame.columns]].copy() if len(frame) else frame
    for c in ("amount", "ytd_earned", "paid_before", "adjustment", "effect", "amount_before", "amount_after"):
        if c in shown.columns:
            shown[c] = fmt_money_column(shown[c], grouped=True, blank="")
    for c in ("kind", "entry", "status"):  # stored codes shown as words
        if c in shown.columns and len(shown):
            shown[c] = shown[c].map(lambda v: label(f"hist.{v}", lang) if f"hist.{v}" in LABELS else v)
    if "state" in shown.columns and len(shown):
        shown["state"] = shown["state"].map(lambda v: label(f"fin.state.{v}", lang) if f"fin.state.{v}" in LABELS
                                            else v)
    return text_table(shown.rename(columns=lambda c: history_label(c, lang)), lang=lang)


def _events(events: list[dict[str, Any]], lang: str) -> str:
    """A close's states as one line: computed → approved (who, when) → exported → paid."""
    parts = [label("fin.state.computed", lang)]
    for e in events:
        parts.append(f"{label('fin.state.' + e['state'], lang)} ({e.get('by_name') or e['user']}, {e['at']})")
    return " → ".join(parts)


@click.group("history")
def history() -> None:
    """What the history store recorded: runs, closes, payments, and what changed since the last close."""


@history.command("list")
@click.option("--period", default=None, metavar="YYYY-MM")
@click.option("--year", type=int, default=None)
@_options
def list_cmd(period: str | None, year: int | None, source: Source, fmt: str, output: Path | None) -> None:
    """Runs and closes (every version, current or superseded)."""
    lang = settings().lang
    with source.store() as store:
        res = list_history(store, period, year)
    frames = res.frames()
    text = "\n".join([t("history.title.closes", lang),
                      _table(frames["closes"], ["id", "period", "version", "status", "state", "closed_at", "user",
                                                "run_id", "departments", "not_consolidated"]),
                      "", t("history.title.runs", lang),
                      _table(frames["runs"], ["id", "period", "command", "started_at", "finished_at", "user",
                                              "status", "close"])])
    _present(res, fmt, output, text)


@history.command("close")
@click.argument("period")
@click.option("--version", type=int, default=None, help="A superseded version (default: the current one).")
@_options
def close_cmd(period: str, version: int | None, source: Source, fmt: str, output: Path | None) -> None:
    """One close: its payments and itemised adjustments."""
    lang = settings().lang
    with source.store() as store:
        res = show_close(store, period, version)
    c, tot = res.close, res.totals()
    text = "\n".join([t("history.title.close", lang, period=c.period, version=c.version, status=c.status,
                        closed_at=c.closed_at, user=c.user),
                      t("history.state", lang, state=_events(res.events, lang)),
                      _table(res.payments, ["employee_id", "name", "department", "kind", "entry", "year",
                                            "ytd_earned", "paid_before", "amount", "adjustment", "state"]),
                      "", t("history.title.manual", lang),
                      _table(res.manual, ["employee_id", "name", "kind", "amount", "reason", "approved_by", "state"]),
                      t("history.totals", lang, royalty=tot["royalty"]["amount"], floating=tot["floating"]["amount"]),
                      "", t("history.title.adjustments", lang),
                      _table(res.adjustments, ["employee_id", "year", "closed_period", "change", "sheet",
                                               "contract_no", "receipt_no", "amount_before", "amount_after",
                                               "effect"])])
    _present(res, fmt, output, text)


@history.command("payments")
@click.argument("employee")
@click.option("--year", type=int, required=True)
@_options
def payments_cmd(employee: str, year: int, source: Source, fmt: str, output: Path | None) -> None:
    """An employee's recorded payments in a year, close by close (current versions), with adjustments."""
    lang = settings().lang
    with source.store() as store:
        res = employee_payments(store, employee, year)
    doc = res.to_dict()
    text = "\n".join([t("history.title.payments", lang, employee=employee, year=year),
                      _table(res.payments, ["close_period", "close_version", "kind", "entry", "ytd_earned",
                                            "paid_before", "amount", "adjustment", "state"]),
                      "", t("history.title.manual", lang),
                      _table(res.manual, ["period", "kind", "amount", "reason", "approved_by", "state"]),
                      t("history.not-computed", lang, periods=", ".join(res.not_computed))
                      if res.status == "not-computed" else
                      t("history.totals", lang, royalty=doc["totals"]["royalty_paid"],
                        floating=doc["totals"]["floating_paid"]),
                      "", t("history.title.adjustments", lang),
                      _table(res.adjustments, ["close_period", "year", "closed_period", "change", "sheet",
                                               "contract_no", "receipt_no", "effect"])])
    _present(res, fmt, output, text)


@history.command("changes")
@click.argument("department")
@_options
def changes_cmd(department: str, source: Source, fmt: str, output: Path | None) -> None:
    """What changed in a department since its last close: rows added, removed, changed per sheet."""
    lang = settings().lang
    with source.store() as store:
        res = department_changes(store, department)
    since = res.since.period if res.since else t("history.never-closed", lang)
    parts = [t("history.title.changes", lang, department=department, since=since),
             _table(pd.DataFrame(res.summary()), ["sheet", "added", "removed", "changed"])]
    for key, frame in res.sheets.items():
        if len(frame):
            parts += ["", key, _table(frame, ["change", "key", "row_before", "row_now", "fields"])]
    _present(res, fmt, output, "\n".join(parts))


@history.command("person")
@click.argument("employee")
@click.option("--year", type=int, required=True)
@_options
def person_cmd(employee: str, year: int, source: Source, fmt: str, output: Path | None) -> None:
    """A person's department, role, grade, plan and base month by month, beside what was paid (docs/people.md)."""
    lang = settings().lang
    with source.store() as store:
        res = person_history(store, employee, year)
    doc = res.to_dict()
    months = res.months.copy()
    for c in ("floating_base", "royalty_paid", "floating_paid"):
        months[c] = fmt_money_column(months[c], grouped=True, blank="")
    text = "\n".join([t("history.title.person", lang, employee=employee, year=year, period=res.standards_of),
                      text_table(months, lang=lang),
                      t("history.totals", lang, royalty=doc["totals"]["royalty_paid"],
                        floating=doc["totals"]["floating_paid"])])
    _present(res, fmt, output, text)


COMMANDS = [history]
