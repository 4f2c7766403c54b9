"""``toolkit addin build [-o PATH] [--via-excel]``: write the MarketingToolkit.xlam ribbon add-in.

A thin layer over ``toolkit.excel.addin.build_addin`` (no Excel needed) and, on Windows,
``toolkit.excel.addin.via_excel.build_via_excel`` (Excel builds it from the same modules and ribbon).
"""

from __future__ import annotations

from pathlib import Path

import click

from ...i18n import register, t
from ..main import settings

register({
    "addin.built": ("Add-in written: {path}", "加载项已写入：{path}"),
})


@click.group("addin")
def addin() -> None:
    """The Excel ribbon add-in (MarketingToolkit.xlam)."""


@addin.command("build")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("MarketingToolkit.xlam"), show_default=True, help="Where to write the add-in.")
@click.option("--via-excel", is_flag=True, help="Windows only: let Excel build it from the same modules and ribbon.")
@click.option("--standards", default=None, help="Standards workbook path stored in the add-in's settings sheet.")
@click.option("--add-in-lang", "--lang", "addin_lang", type=click.Choice(["en", "zh"]), default=None,
              help="Language of the ribbon's labels and of the add-in's settings sheet (default: labels in English, "
              "messages in the user's locale).")
@click.option("--interpreter-win", default=None, help="python.exe (or pythonw.exe) the add-in runs on Windows.")
@click.option("--interpreter-mac", default=None, help="python the add-in runs on macOS.")
def build(output: Path, via_excel: bool, standards: str | None, addin_lang: str | None,
          interpreter_win: str | None, interpreter_mac: str | None) -> None:
    """Write the ribbon add-in; without --via-excel no Excel is needed (any OS)."""
    from ...excel.addin import build_addin, ribbon_xml, settings_rows  # deferred: loads xlwings (slow to import); only this path needs it

    values = {"standards": standards, "lang": addin_lang,
              "interpreter_win": interpreter_win, "interpreter_mac": interpreter_mac}
    if via_excel:
        from ...excel.addin.via_excel import build_via_excel  # deferred: loads xlwings (slow to import); only this path needs it

        path = build_via_excel(output, settings_rows(**values), ribbon_xml(addin_lang or "en"))
    else:
        path = build_addin(output, **values)
    click.echo(t("addin.built", settings().lang, path=path))


COMMANDS = [addin]
