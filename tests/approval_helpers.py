"""Fixtures and helpers shared by the approval tests: a copy of the sample folder, settings isolated, the CLI, and
workbooks read back once per content (a queue is read by several checks of one test; the bytes decide, so a
workbook saved again is read again)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from output_books import book, once, values

from toolkit.cli.main import cli
from toolkit.core.tables import WorkbookData
from toolkit.io.reader import read_workbook


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



def sheet_values(path: Path, sheet: str) -> list[tuple]:
    """Every row of one sheet as a tuple of values (openpyxl read-only), the file read once per content."""
    return values(path)[sheet]


def sheet_names(path: Path) -> list[str]:
    """The workbook's sheet names, in order (read as ``sheet_values`` reads it)."""
    return list(values(path))


def workbook(path: Path) -> openpyxl.Workbook:
    """The whole workbook (openpyxl, with notes and formats), loaded once per content: for reading only (a test
    that edits a workbook loads its own)."""
    return book(path)


def read_once(path: Path) -> WorkbookData:
    """``toolkit.io.reader.read_workbook(path)``, read once per content: for the tests that only look at the
    shared sample folder's workbooks (a workbook a test changed has other bytes and is read again)."""
    return once(path, "toolkit", lambda _data: read_workbook(path))
