"""``XlwingsPort`` against a recording fake of the small xlwings API it uses (Excel cannot run here).

The fake holds a workbook's cell values as live Excel would hand them over (None for empty cells, error
cells as text with ``err_to_str``), loaded from the sample workbooks, and records every call. The
macros run through the port on it and must give what they give through the file port.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from toolkit.excel import macros
from toolkit.excel.xlwings_port import XlwingsPort
from toolkit.io.annotate import FILLS
from toolkit.io.reader import read_raw_sheets, read_workbook


def _rc(a1: str) -> tuple[int, int]:
    m = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", a1)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


def _a1(r: int, c: int) -> str:
    s = ""
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return f"${s}${r}"


class FakeNote:
    def __init__(self, sheet: FakeSheet, key: tuple[int, int]):
        self.sheet, self.key = sheet, key

    @property
    def text(self) -> str:
        return self.sheet.notes[self.key]

    def delete(self) -> None:
        self.sheet.book.calls.append(("note.delete", self.sheet.name, self.key))
        del self.sheet.notes[self.key]


class FakeRange:
    def __init__(self, sheet: FakeSheet, r1: int, c1: int, r2: int | None = None, c2: int | None = None):
        self.sheet, self.r1, self.c1 = sheet, r1, c1
        self.r2, self.c2 = r2 or r1, c2 or c1
        self.opts: dict[str, Any] = {}

    def _log(self, *what: Any) -> None:
        self.sheet.book.calls.append((*what, self.sheet.name, self.address))

    @property
    def row(self) -> int:
        return self.r1

    @property
    def column(self) -> int:
        return self.c1

    @property
    def address(self) -> str:
        a, b = _a1(self.r1, self.c1), _a1(self.r2, self.c2)
        return a if a == b else f"{a}:{b}"

    @property
    def last_cell(self) -> FakeRange:
        return FakeRange(self.sheet, self.r2, self.c2)

    def options(self, **kw: Any) -> FakeRange:
        self.opts = kw
        self._log("options", tuple(sorted(kw.items())))
        return self

    @property
    def value(self) -> Any:
        grid = [[self.sheet.cells.get((r, c)) for c in range(self.c1, self.c2 + 1)] for r in range(self.r1, self.r2 + 1)]
        if self.opts.get("ndim") == 2:
            return grid
        return grid[0][0] if len(grid) == 1 and len(grid[0]) == 1 else grid

    @value.setter
    def value(self, rows: Any) -> None:
        self._log("value=", repr(rows))
        rows = rows if isinstance(rows, list) else [[rows]]
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if isinstance(v, str) and v.startswith("'"):  # Excel's quote prefix: text, shown without it
                    v = v[1:]
                elif isinstance(v, str) and v.startswith("="):
                    raise AssertionError(f"a formula was written: {v!r}")
                self.sheet.cells[(self.r1 + i, self.c1 + j)] = v

    @property
    def color(self) -> tuple[int, int, int] | None:
        return self.sheet.colors.get((self.r1, self.c1))

    @color.setter
    def color(self, rgb: tuple[int, int, int] | None) -> None:
        self._log("color=", rgb)
        if rgb is None:
            self.sheet.colors.pop((self.r1, self.c1), None)
        else:
            self.sheet.colors[(self.r1, self.c1)] = tuple(rgb)

    @property
    def note(self) -> FakeNote | None:
        return FakeNote(self.sheet, (self.r1, self.c1)) if (self.r1, self.c1) in self.sheet.notes else None

    def add_note(self, text: str) -> FakeNote:
        self._log("add_note", text)
        assert (self.r1, self.c1) not in self.sheet.notes, "xlwings refuses a second note"
        self.sheet.notes[(self.r1, self.c1)] = text
        return FakeNote(self.sheet, (self.r1, self.c1))

    def add_hyperlink(self, address: str, text_to_display: str | None = None, screen_tip: str | None = None) -> None:
        self._log("add_hyperlink", address, text_to_display)
        self.sheet.links[(self.r1, self.c1)] = address
        self.sheet.cells[(self.r1, self.c1)] = text_to_display

    @property
    def column_width(self) -> float:
        return self.sheet.widths.get(self.c1, 8.43)

    @column_width.setter
    def column_width(self, width: float) -> None:
        self.sheet.widths[self.c1] = width


class FakeSheet:
    def __init__(self, book: FakeBook, name: str, rows: list[list[Any]] | None = None):
        self.book, self.name, self.visible = book, name, True
        self.cells: dict[tuple[int, int], Any] = {}
        self.colors: dict[tuple[int, int], tuple[int, int, int]] = {}
        self.notes: dict[tuple[int, int], str] = {}
        self.links: dict[tuple[int, int], str] = {}
        self.widths: dict[int, float] = {}
        for r, row in enumerate(rows or [], start=1):
            for c, v in enumerate(row, start=1):
                if v not in ("", None):
                    self.cells[(r, c)] = v

    def range(self, a: Any, b: Any = None) -> FakeRange:
        r1, c1 = a if isinstance(a, tuple) else _rc(a)
        r2, c2 = (b if isinstance(b, tuple) else _rc(b)) if b is not None else (r1, c1)
        return FakeRange(self, r1, c1, r2, c2)

    def __getitem__(self, a1: str) -> FakeRange:
        return self.range(a1)

    @property
    def used_range(self) -> FakeRange:
        keys = list(self.cells) or [(1, 1)]
        return FakeRange(self, 1, 1, max(r for r, _ in keys), max(c for _, c in keys))

    def delete(self) -> None:
        self.book.calls.append(("sheet.delete", self.name))
        self.book.sheets.items.remove(self)

    def activate(self) -> None:
        self.book.calls.append(("sheet.activate", self.name))
        self.book.active = self.name


class FakeSheets:
    def __init__(self, book: FakeBook):
        self.book, self.items = book, []

    def __iter__(self):
        return iter(list(self.items))

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, key: int | str) -> FakeSheet:
        if isinstance(key, int):
            return self.items[key]
        return next(s for s in self.items if s.name.casefold() == key.casefold())

    def add(self, name: str | None = None, before: FakeSheet | None = None, after: FakeSheet | None = None) -> FakeSheet:
        self.book.calls.append(("sheets.add", name, before and before.name, after and after.name))
        sheet = FakeSheet(self.book, name)
        pos = self.items.index(before) if before else self.items.index(after) + 1 if after else len(self.items)
        self.items.insert(pos, sheet)
        return sheet


class FakeApp:
    def __init__(self, book: FakeBook):
        self.book = book
        self.answers: list[Any] = []
        outer = self

        class Api:
            def InputBox(self, prompt: str, title: str, default: str) -> Any:  # noqa: N802 - COM's name
                outer.book.calls.append(("InputBox", prompt, title, default))
                return outer.answers.pop(0) if outer.answers else default

        class Books:
            def open(self, path: str) -> None:
                outer.book.calls.append(("books.open", path))

        self.api, self.books = Api(), Books()

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok", mode: str | None = None,
              callback: str | None = None) -> str:
        self.book.calls.append(("alert", prompt, title, mode))
        return "ok"


class FakeBook:
    def __init__(self, fullname: str, sheets: dict[str, list[list[Any]]]):
        self.fullname, self.calls = fullname, []
        self.sheets = FakeSheets(self)
        for name, rows in sheets.items():
            self.sheets.items.append(FakeSheet(self, name, rows))
        self.app = FakeApp(self)
        self.selection: FakeRange | None = None
        self.active = None

    def save(self) -> None:
        self.calls.append(("save",))

    def alerts(self) -> list[tuple[str, str | None]]:
        return [(c[1], c[3]) for c in self.calls if c[0] == "alert"]


def fake_from(path: Path) -> FakeBook:
    """A fake live workbook with the values Excel would show for ``path`` (error cells as their text)."""
    return FakeBook(str(path), read_raw_sheets(path))


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    for key in ("TOOLKIT_STANDARDS", "TOOLKIT_APPROVER", "TOOLKIT_LANG"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))


RED = tuple(int(FILLS["error"][i:i + 2], 16) for i in (0, 2, 4))


@pytest.mark.parametrize("name", ["dept-north.xlsx", "dept-south.xlsx", "standards.xlsx"])
def test_live_values_give_the_same_typed_tables_as_the_file(sample_dir, name):
    book = fake_from(sample_dir / name)
    live = XlwingsPort(book).read_data()
    disk = read_workbook(sample_dir / name)
    assert (live.kind, live.lang, live.info) == (disk.kind, disk.lang, disk.info)
    for key, frame in disk.tables.items():
        pd.testing.assert_frame_equal(live.tables[key], frame)
    assert [f.to_dict() for f in live.findings] == [f.to_dict() for f in disk.findings]
    reads = [c for c in book.calls if c[0] == "options"]
    assert reads and all(c[1] == (("err_to_str", True), ("ndim", 2)) for c in reads)
    assert "Instructions" not in {c[2] for c in reads}  # only the sheets the schema needs are fetched


def test_validate_through_the_xlwings_port(sample_dir, monkeypatch):
    monkeypatch.setenv("TOOLKIT_STANDARDS", str(sample_dir / "standards.xlsx"))
    book = fake_from(sample_dir / "dept-north.xlsx")
    book.sheets["Contracts"].notes[(153, 8)] = "checked with sales"
    macros.validate(book)
    contracts = book.sheets["Contracts"]
    assert contracts.colors[(153, 8)] == RED
    assert contracts.notes[(153, 8)].startswith("checked with sales\n---\n[type-error]")
    assert [s.name for s in book.sheets][0] == "Validation" and book.active == "Validation"
    assert book.sheets[macros.MARKS_SHEET].visible is False
    val = book.sheets["Validation"]
    assert val.cells[(1, 1)] == "Severity" and val.links[(2, 4)].startswith("#'")
    assert "#'Contracts'!H153" in val.links.values()
    assert book.alerts()[-1][1] == "info" and "10 error(s)" in book.alerts()[-1][0]
    assert ("save",) not in book.calls  # the user decides whether to save

    # a second run restores before marking: same marks, notes not doubled
    book.calls.clear()
    macros.validate(book)
    assert contracts.notes[(153, 8)].count("[type-error]") == 1
    assert contracts.notes[(153, 8)].startswith("checked with sales\n---\n")
    assert ("sheet.delete", "Validation") in book.calls and ("sheet.delete", macros.MARKS_SHEET) in book.calls
    assert [s.name for s in book.sheets].count("Validation") == 1


def test_approve_through_the_xlwings_port(sample_dir, monkeypatch):
    monkeypatch.setenv("TOOLKIT_STANDARDS", str(sample_dir / "standards.xlsx"))
    book = fake_from(sample_dir / "dept-north.xlsx")
    book.selection = book.sheets["Expenses"].range("B376", "B378")
    book.app.answers = ["=Boss"]  # the InputBox answer; a formula-like name must stay text
    stamped = macros.approve_selection(book)
    assert stamped == [376]
    ws = book.sheets["Expenses"]
    assert ws.cells[(376, 10)] == "Approved" and ws.cells[(376, 11)] == "=Boss"
    assert ws.notes[(376, 10)] == f"Approved by =Boss on {dt.date.today().isoformat()}"
    assert ws.cells[(377, 10)] != "Approved"
    text, mode = book.alerts()[-1]
    assert mode == "info" and "Refused 2 row(s)" in text and "C377" in text
    assert any(c[0] == "InputBox" and c[1] == "Approver's name:" for c in book.calls)


def test_cancelled_question_and_errors_become_messages(sample_dir):
    book = fake_from(sample_dir / "dept-east.xlsx")
    book.app.answers = [False]  # Cancel in Excel's InputBox
    assert macros.royalties(book) is None
    text, mode = book.alerts()[-1]
    assert mode == "critical" and "No standards workbook" in text


def test_compute_opens_the_result_in_excel(sample_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_STANDARDS", str(sample_dir / "standards.xlsx"))
    book = fake_from(sample_dir / "dept-east.xlsx")
    book.fullname = str(tmp_path / "dept-east.xlsx")  # outputs go beside the (live) workbook
    out = macros.funds(book)
    assert out == tmp_path / "dept-east-funds-2026-10.xlsx" and out.exists()
    assert ("books.open", str(out)) in book.calls


def test_port_translation_details(sample_dir):
    book = FakeBook("Book1", {"Sheet1": [["a"]]})  # never saved: no path
    port = XlwingsPort(book)
    assert port.path is None and port.sheet_names() == ["Sheet1"]
    port.write_range("Sheet1", "B2", [["=1+1", 5, None], ["+x", "", dt.date(2026, 1, 2)]])
    sheet = book.sheets["Sheet1"]
    assert sheet.cells[(2, 2)] == "=1+1" and sheet.cells[(2, 3)] == 5 and sheet.cells[(3, 2)] == "+x"
    assert ("value=", repr([["'=1+1", 5, None], ["'+x", "", dt.date(2026, 1, 2)]]), "Sheet1", "$B$2") in book.calls
    port.set_fill("Sheet1", "A1", "FFC7CE")
    assert sheet.colors[(1, 1)] == (255, 199, 206) and port.get_fill("Sheet1", "A1") == "FFC7CE"
    port.set_fill("Sheet1", "A1", None)
    assert port.get_fill("Sheet1", "A1") is None
    port.set_note("Sheet1", "A1", "one")
    port.set_note("Sheet1", "A1", "two")  # replaces: delete then add
    assert port.get_note("Sheet1", "A1") == "two"
    port.set_note("Sheet1", "A1", None)
    assert port.get_note("Sheet1", "A1") is None
    port.add_sheet("First", first=True)
    port.add_sheet("Last", hidden=True)
    assert [s.name for s in book.sheets] == ["First", "Sheet1", "Last"] and book.sheets["Last"].visible is False
    port.delete_sheet("Nope")
    port.delete_sheet("First")
    assert [s.name for s in book.sheets] == ["Sheet1", "Last"]
    assert port.selection() is None
    book.selection = sheet.range("A2", "C4")
    assert port.selection() == ("Sheet1", "$A$2:$C$4")
    port.message("careful", "warning")
    port.message("broken", "error")
    assert book.alerts()[-2:] == [("careful", "info"), ("broken", "critical")]
    book.app.answers = [False, "2026-10"]
    assert port.ask("period", "Period?") is None and port.ask("period", "Period?", "x") == "2026-10"
    port.open_file(Path("/tmp/x.xlsx"))
    port.save()
    assert ("books.open", "/tmp/x.xlsx") in book.calls and ("save",) in book.calls
    port.set_widths("Sheet1", (10, 20))
    assert sheet.widths == {1: 10, 2: 20}
