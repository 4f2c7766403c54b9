"""The Draft plan ribbon macro, run headless on a file port over copies of the sample workbooks."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path


from toolkit.excel import plan_macro
from toolkit.excel.file_port import FilePort
from toolkit.operations.validate import validate_paths
from toolkit.operations.source import Source

from test_macros import _isolated  # noqa: F401  (autouse: no settings from the machine)


def _folder(sample_dir: Path, tmp_path: Path, names: list[str]) -> Path:
    folder = tmp_path / "history"
    folder.mkdir()
    for name in names:
        shutil.copyfile(sample_dir / name, folder / name)
    return folder


def test_draft_plan_button_writes_the_plan_and_opens_the_summary(sample_dir, tmp_path, monkeypatch):
    folder = _folder(sample_dir, tmp_path, ["dept-east.xlsx", "dept-south.xlsx", "dept-west.xlsx"])
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    monkeypatch.setenv("TOOLKIT_STANDARDS", str(sample_dir / "standards.xlsx"))
    book = tmp_path / "book.xlsx"
    shutil.copyfile(sample_dir / "dept-east.xlsx", book)
    port = FilePort(book, answers={"plan_year": "2027", "plan_settings": "", "plan_history": str(folder)})
    summary = plan_macro.draft_plan(port)
    assert summary == folder / "plan-2027" / "plan-2027.xlsx" and port.opened == [summary]
    assert [q[0] for q in port.questions] == ["plan_year", "plan_settings", "plan_history"]
    assert "2027" in port.messages[-1][1] and port.messages[-1][0] == "info"
    made = sorted((folder / "plan-2027").glob("dept-*.xlsx"))
    assert len(made) == 4  # North China is on the Roster: it gets a workbook (expense budget only, no history)
    assert all(r.errors == 0 for r in validate_paths(Source(made, sample_dir / "standards.xlsx")))
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.xlsx")} == before


def test_draft_plan_button_shows_one_message_when_history_has_errors(sample_dir, tmp_path, monkeypatch):
    folder = _folder(sample_dir, tmp_path, ["dept-north.xlsx"])
    monkeypatch.setenv("TOOLKIT_STANDARDS", str(sample_dir / "standards.xlsx"))
    port = FilePort(folder / "dept-north.xlsx", answers={"plan_year": "2027", "plan_history": str(folder)})
    assert plan_macro.draft_plan(port) is None
    assert port.messages[-1][0] == "error" and "error finding" in port.messages[-1][1]
    assert not (folder / "plan-2027").exists()
    port = FilePort(folder / "dept-north.xlsx", answers={"plan_year": "next"})
    assert plan_macro.draft_plan(port) is None and "not a year" in port.messages[-1][1]
