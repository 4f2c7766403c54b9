"""The xlwings Lite path (issue 29): ``toolkit lite export`` writes main.py and requirements.txt; the exported
scripts run under CPython against a fake of the Lite ``Book`` API (the recording fake of
tests/test_xlwings_port.py, with a Lite-style ``fullname``: a name, no folder), in the Lite mode of the operations."""

from __future__ import annotations

import os
import runpy
import sys
import types
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from test_xlwings_port import FakeBook
from toolkit.operations.source import Source
from toolkit.cli.main import cli
from toolkit.excel import lite
from toolkit.excel.settings import SHEET_NAME
from toolkit.io.reader import read_raw_sheets
from toolkit.operations.consolidate import consolidate
from toolkit.operations.validate import validate_file
from toolkit.io.reader import read_workbook

PERIOD = "2026-10"


pytestmark = pytest.mark.usefixtures("isolated_settings")


@pytest.fixture
def main(tmp_path, monkeypatch) -> dict:
    """The exported main.py run with a fake ``xlwings`` module that records what its decorators mark."""
    res = CliRunner().invoke(cli, ["lite", "export", "-o", str(tmp_path / "lite")])
    assert res.exit_code == 0, res.output
    marked: dict[str, list[str]] = {"script": [], "func": []}
    fake = types.ModuleType("xlwings")

    def script(fn):
        marked["script"].append(fn.__name__)
        return fn

    def func(fn):
        marked["func"].append(fn.__name__)
        return fn

    fake.script, fake.func, fake.Book = script, func, FakeBook
    fake.arg = lambda *a, **k: (lambda fn: fn)
    monkeypatch.setitem(sys.modules, "xlwings", fake)
    ns = runpy.run_path(str(tmp_path / "lite" / "main.py"))
    ns["_marked"] = marked
    return ns


def lite_book(path: Path, **conf: str) -> FakeBook:
    """A Lite workbook: values as Excel hands them over, fullname without a folder, settings on a conf sheet."""
    sheets = read_raw_sheets(path)
    if conf:
        sheets[SHEET_NAME] = [[k, v] for k, v in conf.items()]
    return FakeBook(path.name, sheets)


def test_export_writes_a_script_per_macro_and_a_func_per_function(main, tmp_path):
    assert main["_marked"]["script"] == list(lite.SCRIPTS)
    assert main["_marked"]["func"] == list(lite.FUNCS)
    req = (tmp_path / "lite" / "requirements.txt").read_text(encoding="utf-8").split()
    assert req and req[0].startswith("marketing-toolkit==")
    assert main["TK_ROUND"](2.675, 2) == 2.68


def test_validate_script_marks_the_book_in_place(main, sample_dir):
    std = sample_dir / "standards.xlsx"
    book = lite_book(sample_dir / "dept-north.xlsx", TOOLKIT_STANDARDS=str(std))
    main["validate"](book)
    names = [s.name for s in book.sheets]
    assert "Validation" in names
    errors = sum(f.severity == "error" for f in validate_file(sample_dir / "dept-north.xlsx",
                                                                read_workbook(std, "standards")).findings)
    assert errors > 0
    assert any(f"{errors} error(s)" in text for text, _ in book.alerts())
    assert "TOOLKIT_LITE" not in os.environ  # the mode holds for the run only


def _values(path: Path) -> dict[str, list[list]]:
    wb = openpyxl.load_workbook(path, data_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_royalties_script_puts_the_cli_figures_into_the_book(main, sample_dir, tmp_path):
    std = sample_dir / "standards.xlsx"
    res = CliRunner().invoke(cli, ["royalties", str(sample_dir / "dept-east.xlsx"), "--standards", str(std),
                                   "--period", PERIOD, "--format", "xlsx", "-o", str(tmp_path / "cli.xlsx")])
    assert res.exit_code in (0, 1), res.output
    book = lite_book(sample_dir / "dept-east.xlsx", TOOLKIT_STANDARDS=str(std), force="yes")
    main["royalties"](book)
    blank = lambda rows: [[None if v == "" else v for v in r] for r in rows]  # noqa: E731 - empty text is a blank cell
    expected = _values(tmp_path / "cli.xlsx")
    assert "Royalties" in expected
    for name, rows in expected.items():
        got = book.sheets[name[:31]].used_range.options(ndim=2).value
        assert blank(got)[: len(rows)] == blank(rows), name


def test_statements_script_writes_no_pdf_in_the_lite_mode(main, sample_dir, tmp_path):
    book = lite_book(sample_dir / "dept-east.xlsx", TOOLKIT_STANDARDS=str(sample_dir / "standards.xlsx"))
    main["statements"](book)
    folder = tmp_path / "home" / f"statements-{PERIOD}"
    files = list(folder.rglob("*.*"))
    assert any(p.suffix == ".html" for p in files) and any(p.suffix == ".xlsx" for p in files)
    assert not any(p.suffix == ".pdf" for p in files)


def test_lite_mode_consolidates_without_forking(sample_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_LITE", "1")

    def no_fork():
        raise AssertionError("forked in the Lite mode")

    monkeypatch.setattr(os, "fork", no_fork)
    res = consolidate(Source([sample_dir], sample_dir / "standards.xlsx", str(tmp_path / "t.db")), PERIOD, output=tmp_path / "c.xlsx", jobs=4, lang="en")
    assert len(res.consolidated) >= 3 and res.workbook is not None
