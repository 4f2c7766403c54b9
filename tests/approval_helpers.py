"""Fixtures and helpers shared by the approval tests: a copy of the sample folder, settings isolated, the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli.main import cli


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    for key in ("TOOLKIT_STANDARDS", "TOOLKIT_APPROVER", "TOOLKIT_APPROVER_ID", "TOOLKIT_LANG", "TOOLKIT_DB"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture
def folder(sample_dir, tmp_path) -> Path:
    dest = tmp_path / "depts"
    shutil.copytree(sample_dir, dest)
    return dest


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
