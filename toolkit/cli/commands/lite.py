"""``toolkit lite export -o DIR``: the xlwings Lite ``main.py`` and ``requirements.txt`` (docs/excel.md)."""

from __future__ import annotations

from pathlib import Path

import click

from ...i18n import register, t
from ..main import settings

register({"cli.lite.wrote": ("Wrote {path}", "已写入 {path}")})


@click.group("lite")
def lite() -> None:
    """The path without VBA: xlwings Lite (Python inside Excel, Windows, Mac and the web)."""


@lite.command("export")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write main.py and requirements.txt into.")
def export_cmd(out_dir: Path) -> None:
    """Write the xlwings Lite main.py (a script per per-workbook macro, the TK_ functions) and requirements.txt."""
    from ...excel.lite import export  # deferred: loads xlwings and every operation (slow); only this path needs it

    for path in export(out_dir):
        click.echo(t("cli.lite.wrote", settings().lang, path=path))


COMMANDS = [lite]
