"""``toolkit new department|standards``: blank workbooks from the schema (toolkit.io.templates.new_workbook)."""

from __future__ import annotations

from pathlib import Path

import click

from ...i18n import register, t
from ...io.templates import new_workbook
from ...operations.source import Source
from ..main import settings
from ..output import source_options

register({"new.written": ("Wrote {path}", "已生成 {path}")})

_LANG = click.option("--lang", "lang", type=click.Choice(["en", "zh"]), default=None,
                     help="Language of the sheets, headers and lists (default: the toolkit's --lang).")
_OUTPUT = click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
                       help="The .xlsx file to write.")
_FORCE = click.option("--force", is_flag=True, help="Replace the output file if it exists.")


@click.group("new")
def new() -> None:
    """Make a blank department or standards workbook from the schema."""


@new.command("department")
@click.option("--department", default=None, help="Department name written on the Info sheet.")
@click.option("--year", type=click.IntRange(1900, 9999), default=None, help="Year written on the Info sheet.")
@_LANG
@source_options(paths=None, db=False, standards_help="Standards workbook whose Roster gives the Employee ID "
                "drop-down lists.")
@_OUTPUT
@_FORCE
def department(department: str | None, year: int | None, lang: str | None, source: Source, output: Path,
               force: bool) -> None:
    """A blank department workbook (Info, Plan, Contracts, ... Feedback, instructions)."""
    lang = lang or settings().lang
    roster_ids = source.roster_ids() if source.standards else None
    path = new_workbook("department", output, lang, department=department, year=year, roster_ids=roster_ids,
                        overwrite=force)
    click.echo(t("new.written", lang, path=path))


@new.command("standards")
@_LANG
@_OUTPUT
@_FORCE
def standards(lang: str | None, output: Path, force: bool) -> None:
    """A blank standards workbook (Roster, Royalty Plans, ... Thresholds with their defaults)."""
    lang = lang or settings().lang
    path = new_workbook("standards", output, lang, overwrite=force)
    click.echo(t("new.written", lang, path=path))


COMMANDS = [new]
