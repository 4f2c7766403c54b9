"""Presentation helpers of the CLI: the computing commands' shared options and writing to stdout or a file.

JSON, sheets and text themselves are built by ``toolkit.outputs``; this module only decides where they go.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click
import sys

from ..errors import ToolkitError
from ..i18n import register
from ..io.writer import atomic_save
from ..outputs.jsonfmt import dumps

register(
    {
        "output.needs-path": (
            "--format {fmt} needs an output file: add -o PATH.",
            "--format {fmt} 需要输出文件：请加上 -o PATH。",
        ),
    }
)

FORMATS = ("text", "json", "xlsx")


def source_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Click decorator: where a command's month comes from: ``PATH...`` with ``--standards``, or ``--db``."""
    options = [
        click.argument("paths", nargs=-1, required=False, type=click.Path(exists=True, path_type=Path)),
        click.option("--standards", "standards", default=None, type=click.Path(exists=True, dir_okay=False,
                     path_type=Path), help="The director's standards workbook (with PATH...)."),
        click.option("--db", default=None, metavar="PATH|URL",
                     help="Read the consolidated departments from the history store instead of files."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def format_list(text: str) -> list[str]:
    """A ``--format a,b`` option as its formats, lower-case, blanks dropped."""
    return [f.strip().lower() for f in text.split(",") if f.strip()]


def compute_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Click decorator: ``PATH...`` ``--standards`` ``--db`` (``source_options``) ``--period`` ``--format``
    ``-o/--output`` ``--force``."""
    options = [
        click.option("--period", required=True, metavar="YYYY-MM", help="The month to compute."),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                     help="Output format."),
        click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="Write to this file (required for xlsx; default stdout)."),
        click.option("--force", is_flag=True, help="Compute even when the input has error findings."),
    ]
    for option in reversed(options):
        func = option(func)
    return source_options(func)


def require_output(output: Path | None, fmt: str) -> Path:
    """The output path, or a ToolkitError when a binary format has none."""
    if output is None:
        raise ToolkitError("output.needs-path", fmt=fmt)
    return output


def emit_text(text: str, output: Path | None) -> None:
    """Text to stdout, or atomically to ``output``."""
    if output is None:
        click.echo(text)
    else:
        body = text if text.endswith("\n") else text + "\n"
        atomic_save(output, lambda tmp: Path(tmp).write_text(body, encoding="utf-8"))


def emit_json(payload: Mapping[str, Any], output: Path | None) -> None:
    """Pretty UTF-8 JSON to stdout, or atomically to ``output``."""
    emit_text(dumps(payload), output)


def progress(line: Callable[..., str | None]) -> Callable[..., None]:
    """A progress callback ``(done, total, *detail)``: a tqdm bar on a terminal, otherwise the text
    ``line(done, total, *detail)`` on stderr (nothing when it gives None)."""
    state: dict[str, Any] = {}

    def report(done: int, total: int, *detail: Any) -> None:
        if sys.stderr.isatty():
            if "bar" not in state:
                from tqdm import tqdm  # deferred: only a terminal shows a progress bar

                state["bar"] = tqdm(total=total, unit="file", file=sys.stderr, leave=False)
            state["bar"].update(1)
            if done == total:
                state["bar"].close()
        elif (text := line(done, total, *detail)) is not None:
            click.echo(text, err=True)

    return report
