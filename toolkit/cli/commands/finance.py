"""``toolkit close approve PERIOD`` and ``toolkit finance export|paid``: money leaving the toolkit (issue 25).

Thin layer over ``toolkit.operations.finance``: parse, one call, present (text or JSON).
"""

from __future__ import annotations

from pathlib import Path

import click

from ...i18n import register, t
from ..main import settings
from ...outputs.finance import item_label
from ...outputs.labels import label
from ...operations.source import Source
from ..output import emit_json, format_list, source_options
from ...operations.finance import approve_close
from ...operations.finance import export_finance
from ...operations.finance import import_paid
from ...money import fmt_money

register(
    {
        "cli.approve.done": ("Close of {period} (version {version}) approved by {by} at {at}.",
                             "{period} 结账（第 {version} 版）已由 {by} 于 {at} 批准。"),
        "cli.finance.written": ("{file}: {lines} line(s); {paths}", "{file}：{lines} 行；{paths}"),
        "cli.finance.control": ("  {check}: {amount}", "  {check}：{amount}"),
        "cli.finance.state": ("Close of {period}: {state}.", "{period} 结账：{state}。"),
        "cli.paid.done": ("{marked} line(s) marked paid, {already} already paid; {unpaid} still unpaid.",
                          "已标记 {marked} 行为已支付，{already} 行此前已支付；尚有 {unpaid} 行未支付。"),
        "cli.paid.unpaid": ("  unpaid: {line_id} {employee_id} {name} {pay_item} {amount}",
                            "  未支付：{line_id} {employee_id} {name} {pay_item} {amount}"),
    }
)

_DB = source_options(paths=None, standards=False, db_help="History store (default $TOOLKIT_DB or toolkit.db).")
_JSON = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")


@click.group("close", help="The month close's states: approve a close (the director's sign-off).")
def close_group() -> None:
    """The ``close`` group."""


@close_group.command("approve", help="Approve the current close of PERIOD: recorded with who and when; statements "
                                     "stop saying DRAFT, finance can export, and the period is never re-closed.")
@click.argument("period")
@_DB
@click.option("--by", default=None, metavar="NAME", help="The approver's name (default: the login).")
@_JSON
def approve_cmd(period: str, source: Source, by: str | None, as_json: bool) -> None:
    """``toolkit close approve PERIOD``."""
    res = approve_close(source, period, by=by)
    if as_json:
        emit_json(res.to_dict(), None)
    else:
        click.echo(t("cli.approve.done", settings().lang, period=res.period, version=res.version,
                     by=res.by or res.user, at=res.at))


@click.group("finance", help="What finance receives from an approved close and what it confirms paid.")
def finance_group() -> None:
    """The ``finance`` group."""


@finance_group.command("export", help="From the approved close of PERIOD: the payroll file (laid out by the "
                                      "Payroll Map and --map), the reimbursement batch and the accrual journal, "
                                      "with control totals; the same bytes on every re-export.")
@click.option("--period", required=True, metavar="YYYY-MM")
@_DB
@click.option("--map", "layout", default=None, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Finance's column layout (xlsx or csv: Column, Field, Value).")
@click.option("--format", "fmt", default="xlsx,csv", show_default=True, metavar="LIST", help="xlsx, csv.")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@_JSON
def export_cmd(period: str, source: Source, layout: Path | None, fmt: str, out_dir: Path, as_json: bool) -> None:
    """``toolkit finance export``."""
    lang = settings().lang
    res = export_finance(source, period, out_dir, layout=layout, formats=format_list(fmt), lang=lang)
    if as_json:
        emit_json(res.to_dict(), None)
        return
    for name, paths in res.files.items():
        click.echo(t("cli.finance.written", lang, file=name, lines=res.lines.get(
            "journal" if name == "accrual" else name, 0), paths=", ".join(str(p) for p in paths)))
        for row in res.control[name]:
            if row["amount"] is not None or row["note"]:
                click.echo(t("cli.finance.control", lang, check=row["check"],
                             amount=row["amount"] if row["amount"] is not None else row["note"]))
    click.echo(t("cli.finance.state", lang, period=res.period, state=label(f"fin.state.{res.state}", lang)))


@finance_group.command("paid", help="Import finance's confirmation (the exported file with Paid Date filled, or a "
                                    "list of line IDs): marks exactly those lines paid, refuses amounts that "
                                    "differ, lists what is still unpaid.")
@click.option("--period", required=True, metavar="YYYY-MM")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_DB
@click.option("--date", "paid_date", default=None, metavar="YYYY-MM-DD",
              help="Paid date of a bare list of IDs (default today).")
@click.option("--map", "layout", default=None, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The layout the file was exported with (to find its Amount column).")
@_JSON
def paid_cmd(period: str, file: Path, source: Source, paid_date: str | None, layout: Path | None,
             as_json: bool) -> None:
    """``toolkit finance paid``."""
    lang = settings().lang
    res = import_paid(source, period, file, paid_date=paid_date, layout=layout)
    if as_json:
        emit_json(res.to_dict(), None)
        return
    click.echo(t("cli.paid.done", lang, marked=len(res.marked), already=len(res.already), unpaid=len(res.unpaid)))
    for r in res.unpaid.to_dict("records"):
        click.echo(t("cli.paid.unpaid", lang, line_id=r["line_id"], employee_id=r["employee_id"] or "",
                     name=r["name"] or "", pay_item=item_label(r["pay_item"], lang), amount=fmt_money(float(r['amount']), grouped=True)))
    click.echo(t("cli.finance.state", lang, period=res.period, state=label(f"fin.state.{res.state}", lang)))


COMMANDS = [close_group, finance_group]
