"""``toolkit report --period YYYY-MM [--db PATH | PATH...] -o DIR``: a thin layer over
``toolkit.operations.report.render_monthly_report``."""

from __future__ import annotations

from pathlib import Path

import click

from ...i18n import register, t
from ...operations.source import Source
from ..main import settings
from ..output import format_list, source_options

register(
    {
        "cli.report.wrote": ("Wrote {path}", "已写入 {path}"),
    }
)


@click.command("report")
@source_options
@click.option("--period", required=True, metavar="YYYY-MM", help="The month to report.")
@click.option("--template", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="An edited copy of the Excel (.xlsx) or HTML (.html.j2) report template.")
@click.option("--format", "fmt", default="xlsx,html,md", show_default=True, metavar="LIST",
              help="Comma-separated formats: xlsx, html, md, pdf.")
@click.option("--lang", "report_lang", type=click.Choice(["en", "zh"]), default=None,
              help="Language of the report (default: the toolkit's --lang).")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the report files into.")
def report_cmd(source: Source, period: str, template: Path | None, fmt: str, report_lang: str | None,
               out_dir: Path) -> None:
    """The monthly report to the general manager (Excel, HTML, Markdown summary, PDF)."""
    from ...operations.report import monthly_report  # deferred: loads jinja2, matplotlib (slow to import); only this path needs it

    lang = report_lang or settings().lang
    formats = format_list(fmt)
    for path in monthly_report(source, period, out_dir, lang=lang, formats=formats, template=template):
        click.echo(t("cli.report.wrote", settings().lang, path=path))


COMMANDS = [report_cmd]
