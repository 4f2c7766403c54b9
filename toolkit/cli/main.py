"""The ``toolkit`` console script: a click group with ``--lang``, ``--debug`` and ``--version``.

Commands live in ``toolkit.cli.commands.*`` (each module exports ``COMMANDS``) and are found at
start-up, so adding a command never edits this file. Errors meant for people (``ToolkitError``)
print on one line and exit 2; anything unexpected too, with the traceback only under ``--debug``.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback
from dataclasses import dataclass

import click

from .. import __version__
from ..errors import ToolkitError
from ..i18n import normalize_lang, register, t
from . import commands

register(
    {
        "cli.unexpected": (
            "Unexpected error: {detail} (run with --debug to see the traceback)",
            "意外错误：{detail}（加 --debug 查看详细信息）",
        ),
        "cli.interrupted": ("Interrupted.", "已中断。"),
    }
)


@dataclass
class Settings:
    """What every command gets from the group's options."""

    lang: str
    debug: bool


def settings() -> Settings:
    """The current command's settings (language, debug)."""
    ctx = click.get_current_context()
    obj = ctx.find_object(Settings)
    return obj if obj is not None else Settings(normalize_lang(None), False)


class ToolkitGroup(click.Group):
    """A group that turns every failure into one line for people, exit code 2."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except ToolkitError as exc:
            s = ctx.find_object(Settings) or Settings(normalize_lang(None), "--debug" in sys.argv)
            if s.debug:
                traceback.print_exc()
            click.echo(exc.message(s.lang), err=True)
            ctx.exit(2)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            s = ctx.find_object(Settings) or Settings(normalize_lang(None), False)
            click.echo(t("cli.interrupted", s.lang), err=True)
            ctx.exit(130)
        except Exception as exc:  # noqa: BLE001 - users never see a traceback
            s = ctx.find_object(Settings) or Settings(normalize_lang(None), "--debug" in sys.argv)
            if s.debug:
                traceback.print_exc()
            detail = f"{type(exc).__name__}: {exc}".splitlines()[0]
            click.echo(t("cli.unexpected", s.lang, detail=detail), err=True)
            ctx.exit(2)


@click.group(cls=ToolkitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="toolkit")
@click.option("--lang", type=click.Choice(["en", "zh"]), default=None,
              help="Language of messages and outputs (default: from the locale, else en).")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, lang: str | None, debug: bool) -> None:
    """Marketing Toolkit: validate, consolidate, compute and report the department's month."""
    ctx.obj = Settings(normalize_lang(lang), debug)


def _load_commands() -> None:
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        for command in getattr(module, "COMMANDS", []):
            cli.add_command(command)


_load_commands()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="toolkit")
