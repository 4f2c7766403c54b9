"""``toolkit candidates --year YYYY [--role ROLE] (PATH... --standards PATH | --db PATH) [-o FILE.xlsx|FILE.pdf]...``:
a thin layer over ``toolkit.operations.candidates``."""

from __future__ import annotations

from pathlib import Path

import click

from ...i18n import register, t
from ...operations.candidates import candidate_list, write_candidates
from ...outputs import candidates as out
from ..main import settings
from ...operations.source import Source
from ..output import emit_text, source_options

register({"cli.candidates.wrote": ("Wrote {path}", "已写入 {path}")})


@click.command("candidates")
@source_options(force="Rank even when the input has error findings.")
@click.option("--year", required=True, type=int, metavar="YYYY", help="The year the candidates are judged on.")
@click.option("--role", default=None, metavar="ROLE",
              help="Only people of this Roster role, in either language (e.g. Salesperson, 经理).")
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Write the candidates workbook (.xlsx) or the one-page PDF for the GM (.pdf) here (repeatable); "
                   "without it the ranking is printed.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 30),
              help="People on the PDF page at most (fewer when their reasons would not fit on one page; the "
                   "workbook has everyone).")
def candidates_cmd(source: Source, year: int, role: str | None, outputs: tuple[Path, ...], top: int) -> None:
    """Rank people for promotion on quarter scores, trend, consistency, reviews, training and tenure, with reasons."""
    lang = settings().lang
    if not outputs:
        emit_text(out.text(candidate_list(source, year, role, lang=lang), lang), None)
        return
    for path in write_candidates(source, year, outputs, role, lang=lang, top=top)[1]:
        click.echo(t("cli.candidates.wrote", lang, path=path))


COMMANDS = [candidates_cmd]
