"""``toolkit performance-file --year YYYY [--employee ID...] [--db PATH] -o DIR``: a thin layer over
``toolkit.operations.performance.write_performance_files``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ...i18n import register, t
from ..main import settings
from ...operations.source import Source
from ..output import format_list, progress, source_options

register({"cli.performance.done": ("{count} performance file(s) written to {folder}",
                                   "已生成 {count} 份业绩档案，保存在 {folder}")})


@click.command("performance-file")
@click.option("--year", required=True, type=int, metavar="YYYY", help="The year of the files.")
@source_options(paths=None, standards=False, db_help="The history store (default: $TOOLKIT_DB or toolkit.db).")
@click.option("--employee", "employees", multiple=True, metavar="ID", help="Only this employee (repeatable).")
@click.option("--format", "fmt", default="xlsx,pdf", show_default=True, metavar="LIST",
              help="Comma-separated formats: xlsx, pdf.")
@click.option("--lang", "pf_lang", type=click.Choice(["en", "zh"]), default=None,
              help="Language of every file (default: each employee's department workbook's).")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the files into.")
def performance_cmd(year: int, source: Source, employees: tuple[str, ...], fmt: str, pf_lang: str | None,
                    out_dir: Path) -> None:
    """One performance file per person for a year: months, pay, grade, charts, findings and feedback, and every
    stored year up to it by quarter and year (score, grade, rank, pay) with the reviews and training."""
    from ...operations.performance import write_performance_files  # deferred: loads matplotlib (slow to import); only this path needs it

    lang = settings().lang

    def line(done: int, total: int, employee: str) -> str:
        return t("cli.statements.progress", lang, done=done, total=total, employee=employee)

    run = write_performance_files(source, year, out_dir, employees=list(employees) or None,
                                  formats=format_list(fmt), lang=pf_lang,
                                  progress=progress(line))
    for message in run.failures.values():
        click.echo(message, err=True)
    click.echo(t("cli.performance.done", lang, count=len(run.files), folder=out_dir))
    sys.exit(run.exit_code)


COMMANDS = [performance_cmd]
