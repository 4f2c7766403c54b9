"""``toolkit candidates --year YYYY [--role ROLE] PATH... --standards PATH [-o FILE.xlsx]``: a thin layer over
``toolkit.operations.candidates.candidate_list``."""

from __future__ import annotations

from pathlib import Path

import click

from ...i18n import register, t
from ...operations.candidates import candidate_list
from ...outputs import candidates as out
from ..main import settings
from ...operations.source import Source
from ..output import emit_text, source_options

register({"cli.candidates.wrote": ("Wrote {path}", "已写入 {path}")})


@click.command("candidates")
@source_options(force="Rank even when the input has error findings.")
@click.option("--year", required=True, type=int, metavar="YYYY", help="The year the candidates are judged on.")
@click.option("--role", default=None, metavar="ROLE", help="Only people of this Roster role (e.g. Salesperson).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the candidates workbook (.xlsx) here; without it the ranking is printed.")
def candidates_cmd(source: Source, year: int, role: str | None, output: Path | None) -> None:
    """Rank people for promotion on quarter scores, trend, consistency, reviews, training and tenure, with reasons."""
    lang = settings().lang
    ranked = candidate_list(source, year, role, lang=lang)
    if output is None:
        emit_text(out.text(ranked, lang), None)
    else:
        click.echo(t("cli.candidates.wrote", lang, path=out.write(ranked, str(output), lang)))


COMMANDS = [candidates_cmd]
