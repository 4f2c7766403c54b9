"""``toolkit sample -o DIR``: write the seeded sample workbooks (toolkit.sample.generate_sample)."""

from __future__ import annotations

from pathlib import Path

import click

from ...i18n import register, t
from ...sample import DEFAULT_SEED, generate_sample
from ..main import settings

register(
    {"sample.written": ("Wrote {count} sample workbooks to {folder}", "已在 {folder} 生成 {count} 个示例工作簿")}
)


@click.command("sample")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write standards.xlsx and the department workbooks into (created if missing).")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True,
              help="Random seed; the same seed always gives the same workbooks.")
@click.option("--force", is_flag=True, help="Replace sample workbooks already in the folder.")
def sample(output: Path, seed: int, force: bool) -> None:
    """Write a sample standards workbook and four department workbooks (one with deliberate errors)."""
    paths = generate_sample(output, seed, overwrite=force)
    click.echo(t("sample.written", settings().lang, count=len(paths), folder=output))


COMMANDS = [sample]
