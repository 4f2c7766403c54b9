"""``toolkit consolidate``, ``toolkit close-month`` and ``toolkit demo``: thin layers over
``toolkit.operations.consolidate.consolidate`` and ``toolkit.operations.close_month.close_month``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from ...operations.consolidate import ConsolidationResult, consolidate
from ...i18n import register, t
from ..main import settings
from ...core.periods import check_period
from ...money import fmt_money
from ...operations.demo import DEMO_PERIOD, sample_folder
from ...operations.source import DB_ENV, Source
from ..output import progress, source_options
from ...outputs.labels import label

register(
    {
        "cli.consolidate.progress": ("[{done}/{total}] {path}: {status}", "[{done}/{total}] {path}：{status}"),
        "cli.consolidate.head": (
            "Period {period}: {ok} of {total} department workbook(s) consolidated into {store}.",
            "报告期 {period}：{total} 个部门工作簿中 {ok} 个已合并到 {store}。",
        ),
        "cli.consolidate.incomplete": (
            "Period {period}: NOT every department is consolidated: {ok} of {total} department workbook(s) went "
            "into {store}; the people of {departments} are not computed (no consolidated workbook is for them).",
            "报告期 {period}：并非所有部门都已合并：{total} 个部门工作簿中 {ok} 个已合并到 {store}；"
            "{departments_zh} 的人员未计算（没有已合并的工作簿属于这些部门）。",
        ),
        "cli.consolidate.failed": ("Not consolidated:", "未汇总："),
        "cli.consolidate.skipped": ("Skipped:", "已跳过："),
        "cli.consolidate.workbook": ("Consolidated workbook: {path}", "合并工作簿：{path}"),
        "cli.consolidate.continued": ("  {table}: {rows} rows continue on {sheets}", "  {table}：{rows} 行分布在 {sheets}"),
        "cli.close.outputs": ("Outputs:", "输出："),
        "cli.close.output": ("  {name}: {paths}", "  {name}：{paths}"),
        "cli.close.ledger": ("Close of {period} recorded: version {version}. Payments: royalty {payment} "
                             "(adjustments {adjustment}, prior-year {prior_year_adjustment}), total {total}.",
                             "{period} 结账已记录：第 {version} 版。支付：提成 {payment}（调整 {adjustment}，"
                             "上年调整 {prior_year_adjustment}），合计 {total}。"),
        "cli.close.reclose": ("Changes from the previous version:", "与上一版相比的变动："),
        "cli.close.reclose-line": ("  {employee_id} {kind}: {before} -> {after} ({change})",
                                   "  {employee_id} {kind}：{before} -> {after}（{change}）"),
        "cli.close.reclose-left-out": ("  {employee_id} {kind}: {before} -> not computed (department not consolidated"
                                       " at this close; not in the totals)",
                                       "  {employee_id} {kind}：{before} -> 未计算（本次结账部门未汇总；不计入合计）"),
        "cli.close.reclose-none": ("  no payment changed", "  支付金额没有变化"),
        "cli.close.reclose-total": ("  total {kind}: {before} -> {after} ({change})",
                                    "  {kind} 合计：{before} -> {after}（{change}）"),
    }
)

def _progress(lang: str):  # noqa: ANN202
    """A progress callback: a tqdm bar on a terminal, a line per file otherwise."""
    return progress(lambda done, total, outcome: t("cli.consolidate.progress", lang, done=done, total=total,
                                                     path=outcome.path,
                                                     status=t(f"consolidate.status.{outcome.status}", lang)))


def _summary_text(res: ConsolidationResult, lang: str) -> str:
    if res.not_computed:  # never "N of N consolidated" while a department's people are not computed (issue 22)
        lines = [t("cli.consolidate.incomplete", lang, period=res.period, ok=len(res.consolidated),
                   total=len(res.files), store=res.store, departments=", ".join(res.not_computed),
                   departments_zh="、".join(res.not_computed))]
    else:
        lines = [t("cli.consolidate.head", lang, period=res.period, ok=len(res.consolidated), total=len(res.files),
                   store=res.store)]
    for f in res.consolidated:
        lines.append(f"  {f.department}: {f.path} ({t(f'consolidate.status.{f.status}', lang)}, "
                     f"{sum(f.rows.values())} rows, {f.warnings} warning(s))")
    if res.failed:
        lines.append(t("cli.consolidate.failed", lang))
        for f in res.failed:
            lines.append(f"  {f.path}: {t(f'consolidate.status.{f.status}', lang)} - {f.reason}")
            for x in [x for x in f.findings if x.severity == "error"][:5]:
                lines.append(f"      {x.message(lang)}")
    if res.skipped:
        lines.append(t("cli.consolidate.skipped", lang))
        for s in res.skipped:
            lines.append(f"  {s.path}: {t(f'consolidate.skip.{s.reason}', lang)}")
    if res.workbook:
        lines.append(t("cli.consolidate.workbook", lang, path=res.workbook))
        for p in res.sheets:
            if p.parts > 1 and p.part == 1:
                sheets = ", ".join(q.sheet for q in res.sheets if q.table == p.table)
                rows = sum(q.rows for q in res.sheets if q.table == p.table)
                lines.append(t("cli.consolidate.continued", lang, table=p.table, rows=rows, sheets=sheets))
    return "\n".join(lines)


def ledger_text(res: Any, lang: str) -> str:
    """close-month's ledger lines: the close recorded, its totals, its notes and, on a re-close, what changed."""
    if res.close is None:
        return ""
    tot = res.totals
    lines = [t("cli.close.ledger", lang, period=res.close.period, version=res.close.version, payment=tot["payment"],
               adjustment=tot["adjustment"], prior_year_adjustment=tot["prior_year_adjustment"], total=tot["total"])]
    lines += [n["text"] for n in res.notes]
    if res.reclose is not None:
        lines.append(t("cli.close.reclose", lang))
        changes = res.reclose.to_dict("records")
        lines += [t("cli.close.reclose-left-out", lang, employee_id=r["employee_id"], kind=label(f"hist.{r['kind']}", lang),
                    before=fmt_money(r['before'], grouped=True)) if r.get("status") == "not-computed" else
                  t("cli.close.reclose-line", lang, employee_id=r["employee_id"], kind=label(f"hist.{r['kind']}", lang),
                    before=fmt_money(r['before'], grouped=True), after=fmt_money(r['after'], grouped=True),
                    change=fmt_money(r['change'], grouped=True, sign=True))
                  for r in changes] or [t("cli.close.reclose-none", lang)]
        lines += [t("cli.close.reclose-total", lang, kind=label(f"hist.{r['kind']}", lang), before=fmt_money(r['before'], grouped=True),
                    after=fmt_money(r['after'], grouped=True), change=fmt_money(r['change'], grouped=True, sign=True))
                  for r in res.reclose_totals.to_dict("records")]
    return "\n".join(lines)


def _common(func):  # noqa: ANN001, ANN202
    options = [
        click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: CPUs)."),
        click.option("--strict", is_flag=True, help="Reject workbooks with warnings too."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


_SOURCE = source_options(paths="required", standards_help="The standards workbook (default: the one found among "
                         "PATHs).", db_help="History store (default: $TOOLKIT_DB, else toolkit.db here).")


@click.command("consolidate")
@_SOURCE
@click.option("--period", required=True, metavar="YYYY-MM", help="The month being closed.")
@_common
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Consolidated workbook (default: consolidated-PERIOD.xlsx here).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def consolidate_cmd(source: Source, period: str, jobs: int | None, strict: bool, output: Path | None,
                    fmt: str) -> None:
    """Validate department workbooks and consolidate them into the history store and one workbook.

    Exit 0: all consolidated; 1: some rejected or unreadable (listed); 2: usage error.
    """
    lang = settings().lang
    period = check_period(period)
    res = consolidate(source, period, output=output or Path(f"consolidated-{period}.xlsx"),
                      jobs=jobs, strict=strict, lang=lang, progress=_progress(lang))
    if fmt == "json":
        click.echo(json.dumps(res.to_dict(lang), ensure_ascii=False, indent=2))
    else:
        click.echo(_summary_text(res, lang))
    sys.exit(res.exit_code)


def _close(source: Source, period: str, out_dir: Path, jobs: int | None, strict: bool, fmt: str = "text",
           reopen: bool = False) -> int:
    from ...operations.close_month import close_month  # deferred: loads jinja2, matplotlib (slow to import); only this path needs it

    lang = settings().lang
    res = close_month(source, period, out_dir, jobs=jobs, strict=strict, lang=lang,
                      progress=_progress(lang), reopen=reopen)
    if fmt == "json":
        click.echo(json.dumps(res.to_dict(lang), ensure_ascii=False, indent=2))
    else:
        click.echo(_summary_text(res.consolidation, lang))
        click.echo(ledger_text(res, lang))
        click.echo(t("cli.close.outputs", lang))
        for name, files in res.outputs.items():
            click.echo(t("cli.close.output", lang, name=t(f"close.output.{name}", lang),
                         paths=", ".join(str(p) for p in files)))
    return res.exit_code


@click.command("close-month")
@_SOURCE
@click.option("--period", required=True, metavar="YYYY-MM", help="The month being closed.")
@click.option("-o", "--output-dir", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for every output.")
@_common
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--reopen", is_flag=True, help="Close the latest closed period again: a new version in "
              "OUT/PERIOD-vN, the earlier one kept; prints what changed.")
def close_month_cmd(source: Source, period: str, out_dir: Path, jobs: int | None, strict: bool, fmt: str,
                    reopen: bool) -> None:
    """The whole month end: validate, consolidate, compute royalties, completion, funds and forecast, and
    record the close in the payout ledger (payments against what earlier closes paid)."""
    sys.exit(_close(source, period, out_dir, jobs, strict, fmt, reopen))


@click.command("demo")
@click.option("-o", "--output-dir", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("out"), show_default=True, help="Folder for every output.")
@source_options(paths=None, standards=False, db_help="History store (default: OUT/toolkit.db).")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: CPUs).")
def demo_cmd(out_dir: Path, source: Source, jobs: int | None) -> None:
    """close-month on the shipped sample workbooks for 2026-10, into ./out.

    The sample includes a department with deliberate errors, which is listed as rejected; the demo
    still exits 0 once every output is written (close-month itself exits 1 in that case).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    sample = sample_folder(out_dir)
    db = source.db or os.environ.get(DB_ENV) or str(out_dir / "toolkit.db")
    with Source((sample,), sample / "standards.xlsx", db) as sample_source:  # the shipped sample, into OUT
        # run again: a new version, OUT/2026-10-v2
        _close(sample_source, DEMO_PERIOD, out_dir, jobs, False, reopen=True)


COMMANDS = [consolidate_cmd, close_month_cmd, demo_cmd]
