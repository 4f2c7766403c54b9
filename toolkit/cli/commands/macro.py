"""``toolkit macro NAME --book PATH [--out PATH] [--selection Sheet!A2:A5] [--answer KEY=VALUE ...]``.

Runs a ribbon macro (``toolkit.excel.macros``) headless: the identical Python function, through the
file port (``toolkit.excel.file_port.FilePort``) over a COPY of the workbook; the original is never
opened for writing. Questions the macro asks in Excel are answered by ``--answer`` or take their
defaults; messages are printed (errors on stderr, exit 2). Files the macro writes go next to the copy.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import click

from ...errors import ToolkitError
from ...i18n import register, t
from ...operations.source import Source
from ..main import settings
from ...excel.file_port import FilePort
from ...excel.settings import LANG_KEY, STANDARDS_KEY
from ..output import source_options

register({
    "macro.cli.same-file": ("--out must not be the workbook itself ({path}): macros run on a copy.",
                            "--out 不能是工作簿本身（{path}）：宏只在副本上运行。"),
    "macro.cli.bad-answer": ("--answer takes KEY=VALUE, not '{value}'.", "--answer 的格式是 KEY=VALUE，而不是“{value}”。"),
    "macro.cli.bad-selection": ("--selection takes Sheet!A2:A5, not '{value}'.",
                                "--selection 的格式是 Sheet!A2:A5，而不是“{value}”。"),
    "macro.cli.copy": ("Working copy: {path}", "工作副本：{path}"),
    "macro.cli.opened": ("Opened: {path}", "已打开：{path}"),
    "macro.cli.asked": ("Asked {question}: {prompt} -> {answer}", "询问 {question}：{prompt} -> {answer}"),
})


def _names() -> list[str]:
    from ...excel.macros import NAMES  # deferred: loads jinja2, matplotlib (slow to import); only this path needs it

    return list(NAMES)


def default_out(book: Path, name: str) -> Path:
    """Where the copy goes by default: ``<stem>-<macro><suffix>`` beside the workbook."""
    return book.with_name(f"{book.stem}-{name.replace('_', '-')}{book.suffix}")


@click.command("macro")
@click.argument("name", type=click.Choice(_names()))
@click.option("--book", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The workbook the macro runs on (it is copied first; the original is never changed).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The working copy to write (default: <book>-<macro>.xlsx beside the book).")
@click.option("--selection", default=None, metavar="SHEET!RANGE", help="The selected cells, e.g. Expenses!A2:A5.")
@click.option("--answer", "answers", multiple=True, metavar="KEY=VALUE",
              help="Answer a question the macro asks (standards, period, force, folder, approver, kind, path, store, "
                   "year, close-folder, close-confirm; docs/excel.md lists each macro's).")
@source_options(paths=None, db=False, standards_help="Standards workbook (same as the TOOLKIT_STANDARDS setting).")
def macro_cmd(name: str, book: Path, out: Path | None, selection: str | None, answers: tuple[str, ...],
              source: Source) -> None:
    """Run a ribbon macro on a copy of a workbook, exactly as the Excel button runs it."""
    from ...excel import macros  # deferred: loads jinja2, matplotlib (slow to import); only this path needs it
    lang = settings().lang
    target = out or default_out(book, name)
    if target.resolve() == book.resolve():
        raise ToolkitError("macro.cli.same-file", path=str(book))
    parsed: dict[str, str] = {}
    for a in answers:
        key, sep, value = a.partition("=")
        if not sep or not key.strip():
            raise ToolkitError("macro.cli.bad-answer", value=a)
        parsed[key.strip()] = value
    try:
        port = FilePort(target, selection, parsed)
    except ValueError as exc:
        raise ToolkitError("macro.cli.bad-selection", value=selection) from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(book, target)

    saved = {k: os.environ.get(k) for k in (STANDARDS_KEY, LANG_KEY)}
    os.environ[LANG_KEY] = lang  # the toolkit's --lang is the add-in's language setting here
    if source.standards is not None:  # the ribbon builds its own Source from its settings
        os.environ[STANDARDS_KEY] = str(source.standards)
    try:
        getattr(macros, name)(port)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    if port.dirty:
        port.save()
    for key, prompt, answer in port.questions:
        click.echo(t("macro.cli.asked", lang, question=key, prompt=prompt, answer=answer), err=True)
    failed = False
    for level, text in port.messages:
        click.echo(text, err=level == "error")
        failed |= level == "error"
    for path in port.opened:
        click.echo(t("macro.cli.opened", lang, path=path))
    click.echo(t("macro.cli.copy", lang, path=target))
    if failed:
        raise SystemExit(2)


COMMANDS = [macro_cmd]
