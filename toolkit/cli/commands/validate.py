"""``toolkit validate PATH... [--standards PATH] [--period YYYY-MM] [--format text|json] [--annotate DIR] [--lang]``.

A thin layer over ``toolkit.operations.validate``: validate files and folders, print a per-file summary and the
findings (or the JSON report), optionally write annotated copies. Exit 0: all valid; 1: an error
finding or an unreadable file; 2: usage error or nothing readable.
"""

from __future__ import annotations

import json
import sys

import click

from ...errors import ToolkitError
from ...i18n import register, t
from ...operations.source import Source
from ..main import settings
from ...operations.validate import FileReport, annotate_copies, build_report, exit_code, validate_paths
from ..output import source_options

register({
    "validate.cli.file": ("{mark} {path}{dept}: {status} ({errors} errors, {warnings} warnings)",
                          "{mark} {path}{dept}：{status}（{errors} 个错误，{warnings} 个警告）"),
    "validate.cli.status.valid": ("valid", "通过"),
    "validate.cli.status.invalid": ("invalid", "未通过"),
    "validate.cli.status.unreadable": ("unreadable", "无法读取"),
    "validate.cli.summary": ("{files} files: {valid} valid, {invalid} invalid, {unreadable} unreadable; "
                             "{errors} errors, {warnings} warnings.",
                             "共 {files} 个文件：{valid} 个通过，{invalid} 个未通过，{unreadable} 个无法读取；"
                             "{errors} 个错误，{warnings} 个警告。"),
    "validate.cli.annotated": ("Annotated copy: {path}", "标注副本：{path}"),
    "validate.cli.sev.error": ("ERROR", "错误"),
    "validate.cli.sev.warning": ("WARN", "警告"),
    "validate.cli.sev.info": ("INFO", "提示"),
})

_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan", "valid": "green", "invalid": "red",
            "unreadable": "magenta"}
_MARKS = {"valid": "✔", "invalid": "✘", "unreadable": "?"}


@click.command("validate")
@source_options(paths="any", db=False, standards_help="The standards workbook (default: one among the inputs; none: "
                "cross-workbook rules skipped).")
@click.option("--period", default=None, metavar="YYYY-MM", help="Reporting period (default: each workbook's Info sheet).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--annotate", "annotate_dir", default=None, metavar="DIR",
              type=click.Path(file_okay=False), help="Write annotated copies (flagged cells, notes, Validation sheet) here.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default=None, help="Language of the messages.")
@click.pass_context
def validate_cmd(ctx: click.Context, source: Source, period: str | None, fmt: str, annotate_dir: str | None,
                 lang: str | None) -> None:
    """Check department (and standards) workbooks: files or folders of .xlsx/.xlsm."""
    lang = lang or settings().lang
    try:
        reports = validate_paths(source, period)
    except ToolkitError as exc:
        if fmt == "json":  # the report is printed in every case
            failed = [FileReport(str(source.standards), status="unreadable", error=exc)] if source.standards else []
            click.echo(json.dumps(build_report(failed, lang), ensure_ascii=False, indent=2))
        click.echo(exc.message(lang), err=True)
        ctx.exit(2)
    if annotate_dir:
        for written in annotate_copies(reports, annotate_dir, lang):
            if isinstance(written, ToolkitError):
                click.echo(written.message(lang), err=True)
            elif fmt == "text":
                click.echo(t("validate.cli.annotated", lang, path=written), err=True)
    if fmt == "json":
        click.echo(json.dumps(build_report(reports, lang), ensure_ascii=False, indent=2))
    else:
        _print_text(reports, lang)
    ctx.exit(exit_code(reports))


def _print_text(reports, lang: str) -> None:
    for r in reports:
        dept = f" [{r.department}]" if r.department else ""
        status = click.style(t(f"validate.cli.status.{r.status}", lang), fg=_COLOURS[r.status], bold=True)
        if r.error is not None:
            click.echo(f"{_MARKS[r.status]} {r.path}: {status}")
            click.echo("    " + r.error.message(lang))
            continue
        click.echo(t("validate.cli.file", lang, mark=_MARKS[r.status], path=r.path, dept=dept, status=status,
                     errors=r.errors, warnings=r.warnings))
        if not r.findings:
            continue
        width = max(len(f.code) for f in r.findings)
        for f in r.findings:
            sev = click.style(f"{t(f'validate.cli.sev.{f.severity}', lang):<5}", fg=_COLOURS.get(f.severity))
            click.echo(f"    {sev} {f.code:<{width}}  {f.message(lang)}")
    s = build_report(reports, lang)["summary"]
    click.echo(t("validate.cli.summary", lang, **s))
    sys.stdout.flush()


COMMANDS = [validate_cmd]
