"""``toolkit statements --period YYYY-MM (--db PATH | PATH... --standards PATH) -o DIR``: a thin layer over
``toolkit.operations.statements.statements``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ...i18n import register, t
from ...operations.source import Source
from ..main import settings
from ..output import format_list, progress, source_options
from ...operations.statements import statements

register(
    {
        "cli.statements.progress": ("[{done}/{total}] {employee}", "[{done}/{total}] {employee}"),
        "cli.statements.done": ("{count} statement(s) written to {folder}; index {index}",
                                "已生成 {count} 份结算单，保存在 {folder}；索引 {index}"),
    }
)


@click.command("statements")
@source_options(force="Write statements even when the input has error findings.")
@click.option("--period", required=True, metavar="YYYY-MM", help="The month of the statements.")
@click.option("--employee", "employees", multiple=True, metavar="ID", help="Only this employee (repeatable).")
@click.option("--format", "fmt", default="xlsx,pdf", show_default=True, metavar="LIST",
              help="Comma-separated formats: xlsx, html, pdf.")
@click.option("--lang", "st_lang", type=click.Choice(["en", "zh"]), default=None,
              help="Language of every statement (default: each employee's department workbook's).")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the statements and the index into.")
def statements_cmd(source: Source, period: str, employees: tuple[str, ...], fmt: str, st_lang: str | None,
                   out_dir: Path) -> None:
    """One pay statement per employee (royalty step by step, payment, floating pay) and an index workbook."""
    lang = settings().lang

    def line(done: int, total: int, employee: str) -> str:
        return t("cli.statements.progress", lang, done=done, total=total, employee=employee)

    run = statements(source, period, out_dir, formats=format_list(fmt), employees=list(employees) or None,
                     lang=st_lang, index_lang=lang,
                     progress=progress(line))
    for failure in run.failures:
        click.echo(failure.message(lang), err=True)
    click.echo(t("cli.statements.done", lang, count=len(run.statements), folder=out_dir, index=run.index))
    sys.exit(run.exit_code)


COMMANDS = [statements_cmd]
