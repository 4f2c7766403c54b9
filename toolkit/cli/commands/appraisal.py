"""``toolkit appraisal --year YYYY [--quarter Q] (--db PATH | PATH... --standards PATH) [-o FILE.xlsx]``: a thin
layer over ``toolkit.operations.appraisal.periodic_appraisal``."""

from __future__ import annotations

from pathlib import Path

import click

from ...i18n import register, t
from ...operations.source import Source
from ..main import settings
from ..output import emit_text, source_options
from ...operations.appraisal import periodic_appraisal
from ...outputs import review as out

register({"cli.appraisal.wrote": ("Wrote {path}", "已写入 {path}")})


@click.command("appraisal")
@source_options(force="Rank even when the input has error findings.")
@click.option("--year", required=True, type=int, metavar="YYYY", help="The year appraised.")
@click.option("--quarter", type=int, default=None, metavar="Q", help="Only this quarter (1-4).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the ranking workbook (.xlsx) here; without it the ranking is printed.")
def appraisal_cmd(source: Source, year: int, quarter: int | None, output: Path | None) -> None:
    """Rank everyone on the appraisal score over a year or quarter, per department and company, with the bands."""
    lang = settings().lang
    rv = periodic_appraisal(source, year, quarter)
    if output is None:
        emit_text(out.text(rv, lang), None)
    else:
        click.echo(t("cli.appraisal.wrote", lang, path=out.write(rv, str(output), lang)))


COMMANDS = [appraisal_cmd]
