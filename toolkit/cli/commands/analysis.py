"""``toolkit analysis --period P [--months 12|24] (--db | PATH... --standards) -o DIR``: a thin layer over
``toolkit.operations.analysis.analyse`` (docs/analysis.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ...i18n import register, t
from ...operations.analysis import analyse
from ...operations.source import Source
from ...outputs.analysis import text_summary
from ..main import settings
from ..output import format_list, source_options

register({"cli.analysis.wrote": ("Wrote {path}", "已写入 {path}")})


@click.command("analysis")
@source_options(force="Analyse even when the workbooks have error findings.")
@click.option("--period", required=True, metavar="YYYY-MM", help="The month to analyse.")
@click.option("--months", type=click.Choice(["12", "24"]), default="12", show_default=True,
              help="How many months the monthly tables cover.")
@click.option("--format", "fmt", default="xlsx,html,json", show_default=True, metavar="LIST",
              help="Comma-separated formats: xlsx (the statistics workbook), html, json.")
@click.option("--lang", "out_lang", type=click.Choice(["en", "zh"]), default=None,
              help="Language of the outputs (default: the toolkit's --lang).")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write analysis-PERIOD.xlsx/.html/.json into.")
def analysis_cmd(source: Source, period: str, months: str, fmt: str, out_lang: str | None, out_dir: Path) -> None:
    """Sales statistics and market analysis: customers, product lines, DSO, feedback, forecasts, pipeline."""
    lang = out_lang or settings().lang
    result = analyse(source, period, out_dir, months=int(months), lang=lang, formats=format_list(fmt))
    click.echo(text_summary(result.output))
    for path in result.written:
        click.echo(t("cli.analysis.wrote", settings().lang, path=path))
    sys.exit(result.exit_code)


COMMANDS = [analysis_cmd]
