"""The CLI group: version, help on every command, one-line errors (tracebacks only with --debug), language."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from toolkit import __version__
from toolkit.cli import main as M
from toolkit.cli.commands import new as new_module
from toolkit.cli.main import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"toolkit, version {__version__}"


@pytest.mark.parametrize("path", list(_commands(cli)), ids=" ".join)
def test_every_command_has_help(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ") and len(result.output.splitlines()) > 3


def test_a_toolkit_error_is_one_line_exit_2(tmp_path):
    target = tmp_path / "x.txt"
    result = CliRunner().invoke(cli, ["new", "standards", "-o", str(target)])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_unexpected_errors_hide_the_traceback_unless_debug(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(new_module, "new_workbook", boom)
    args = ["new", "standards", "-o", str(tmp_path / "s.xlsx")]
    plain = CliRunner().invoke(cli, args)
    assert plain.exit_code == 2
    assert plain.stderr.strip() == ("Unexpected error: RuntimeError: disk on fire "
                                    "(run with --debug to see the traceback)")
    debug = CliRunner().invoke(cli, ["--debug", *args])
    assert debug.exit_code == 2 and "Traceback (most recent call last)" in debug.stderr
    zh = CliRunner().invoke(cli, ["--lang", "zh", *args])
    assert zh.stderr.strip() == "意外错误：RuntimeError: disk on fire（加 --debug 查看详细信息）"


@pytest.mark.parametrize(("env", "expected"), [({"TOOLKIT_LANG": "zh"}, "zh"), ({"LANG": "zh_CN.UTF-8"}, "zh"),
                                               ({"LANG": "en_US.UTF-8"}, "en"), ({"LANG": "C"}, "en")])
def test_default_language_from_the_environment(monkeypatch, env, expected):
    for var in ("TOOLKIT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert M.normalize_lang(None) == expected


def test_python_dash_m_toolkit_is_the_same_cli():
    out = subprocess.run([sys.executable, "-m", "toolkit", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"toolkit, version {__version__}"
