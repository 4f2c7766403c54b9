"""Presentation helpers of the CLI: the computing commands' shared options and writing to stdout or a file.

JSON, sheets and text themselves are built by ``toolkit.outputs``; this module only decides where they go.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click
import sys

from ..errors import ToolkitError
from ..i18n import register
from ..io.writer import atomic_save
from ..outputs.jsonfmt import dumps
from ..operations.source import Source

register(
    {
        "output.needs-path": (
            "--format {fmt} needs an output file: add -o PATH.",
            "--format {fmt} 需要输出文件：请加上 -o PATH。",
        ),
    }
)

FORMATS = ("text", "json", "xlsx")


def source_options(func: Callable[..., Any] | None = None, *, paths: str | None = "optional", db: bool = True,
                   standards: bool | str = True, force: str | None = None, standards_help: str | None = None,
                   db_help: str | None = None) -> Any:
    """Click decorator: where a command's data comes from, declared here only (``--db`` and ``--standards``
    nowhere else; tests/test_architecture.py checks it). The command receives one ``source``
    (``toolkit.operations.source.Source``), built once and closed when the command ends.

    ``paths``: ``"optional"``, ``"required"``, ``"any"`` (required, need not exist: ``validate`` reports it) or
    None (no ``PATH...``); ``db``/``standards``: declare ``--db``/``--standards`` (``standards="required"``);
    ``force``: the ``--force`` flag's help (None: no flag); ``*_help``: the options' help for this command."""
    if func is None:
        return lambda f: source_options(f, paths=paths, db=db, standards=standards, force=force,
                                        standards_help=standards_help, db_help=db_help)
    options = []
    if paths is not None:
        kind = click.Path(path_type=Path) if paths == "any" else click.Path(exists=True, path_type=Path)
        options.append(click.argument("paths", nargs=-1, required=paths != "optional", type=kind))
    if standards:
        options.append(click.option("--standards", "standards", default=None, required=standards == "required",
                                    type=click.Path(
            exists=True, dir_okay=False, path_type=Path), help=standards_help or
            "The director's standards workbook (with PATH...)."))
    if db:
        options.append(click.option("--db", default=None, metavar="PATH|URL", help=db_help or
                                    "Read the consolidated departments from the history store instead of files."))
    if force is not None:
        options.append(click.option("--force", is_flag=True, help=force))

    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> Any:
        source = Source(kwargs.pop("paths", ()), kwargs.pop("standards", None), kwargs.pop("db", None),
                        force=kwargs.pop("force") if force is not None else False, forceable=force is not None)
        with source:
            return func(*args, source=source, **kwargs)

    for option in reversed(options):
        command = option(command)
    return command


def format_list(text: str) -> list[str]:
    """A ``--format a,b`` option as its formats, lower-case, blanks dropped."""
    return [f.strip().lower() for f in text.split(",") if f.strip()]


def compute_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Click decorator: ``PATH...`` ``--standards`` ``--db`` ``--force`` (``source_options``: one ``source``)
    ``--period`` ``--format`` ``-o/--output``."""
    options = [
        click.option("--period", required=True, metavar="YYYY-MM", help="The month to compute."),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                     help="Output format."),
        click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="Write to this file (required for xlsx; default stdout)."),
    ]
    for option in reversed(options):
        func = option(func)
    return source_options(func, force="Compute even when the input has error findings.")


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
