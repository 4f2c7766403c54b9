"""``toolkit report --period YYYY-MM [--db PATH | PATH...] -o DIR``: a thin layer over
``toolkit.operations.report.render_monthly_report``."""

from __future__ import annotations

from pathlib import Path

import click

from ...i18n import register, t
from ..main import settings

register(
    {
        "cli.report.wrote": ("Wrote {path}", "已写入 {path}"),
    }
)


@click.command("report")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--period", required=True, metavar="YYYY-MM", help="The month to report.")
@click.option("--db", default=None, metavar="PATH|URL", help="Read the month from the history store instead of files.")
@click.option("--standards", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The director's standards workbook (with PATH...).")
@click.option("--template", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="An edited copy of the Excel (.xlsx) or HTML (.html.j2) report template.")
@click.option("--format", "fmt", default="xlsx,html,md", show_default=True, metavar="LIST",
              help="Comma-separated formats: xlsx, html, md, pdf.")
@click.option("--lang", "report_lang", type=click.Choice(["en", "zh"]), default=None,
              help="Language of the report (default: the toolkit's --lang).")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the report files into.")
def report_cmd(paths: tuple[Path, ...], period: str, db: str | None, standards: Path | None, template: Path | None,
               fmt: str, report_lang: str | None, out_dir: Path) -> None:
    """The monthly report to the general manager (Excel, HTML, Markdown summary, PDF)."""
    from ...core.periods import check_period
    from ...operations.ledger import open_ledger
    from ...operations.report import render_monthly_report

    lang = report_lang or settings().lang
    period = check_period(period)
    formats = [f.strip().lower() for f in fmt.split(",") if f.strip()]
    # the report always renders: data problems are shown in its data-quality section
    ledger = open_ledger(paths, standards, db, period=period, force=True)
    for path in render_monthly_report(ledger, period, out_dir, lang=lang, formats=formats, template=template):
        click.echo(t("cli.report.wrote", settings().lang, path=path))


COMMANDS = [report_cmd]
