"""The path without VBA: the ribbon's per-workbook macros and the TK_ functions as an xlwings Lite ``main.py``.

xlwings Lite (Office.js + Pyodide) runs Python inside Excel with no VBA and no local Python. ``export`` writes
a ``main.py`` (an ``@script`` per per-workbook macro, an ``@func`` per worksheet function) and its
``requirements.txt``. Each script calls ``run(name, book)``: the SAME macro of ``toolkit.excel.macros`` through
``LitePort`` (the xlwings port with what Lite lacks replaced), in the Lite mode of the operations
(``toolkit.runtime``: jobs=1, no fork, no subprocess, no Chromium).
"""

from __future__ import annotations

import inspect
import os
from pathlib import Path
from typing import Any

import openpyxl

from .. import __version__
from ..io.writer import atomic_save
from ..runtime import LITE_ENV
from . import settings as S
from .xlwings_port import XlwingsPort

#: The macros exported as Lite scripts (per-workbook: they need only the open workbook and the standards).
SCRIPTS: tuple[str, ...] = ("validate", "royalties", "completion", "funds", "statements", "approve_selection",
                            "reject_selection")
#: The worksheet functions exported as Lite ``@func`` (``toolkit.excel.udfs``).
FUNCS: tuple[str, ...] = ("TK_ROYALTY", "TK_COMPLETION", "TK_PACING", "TK_RAG", "TK_AGING", "TK_WORKDAYS", "TK_ROUND")
#: What Lite installs with micropip: the toolkit (pure Python); numpy, pandas, matplotlib, statsmodels come from
#: Pyodide's own distribution. python-calamine (a Rust wheel) has no Pyodide build: see docs/excel.md.
REQUIREMENTS: tuple[str, ...] = (f"marketing-toolkit=={__version__}",)


class LitePort(XlwingsPort):
    """The xlwings port under Lite: questions answered from the book's ``MarketingToolkit.conf`` sheet (key =
    the question's key) or their defaults (Lite has no input box); files the macro would open in Excel are
    copied into the book as sheets (xlsx) or named in a message (others)."""

    def ask(self, key: str, prompt: str, default: str | None = None) -> str | None:
        if S.SHEET_NAME in self.sheet_names():
            for row in self.read_values(S.SHEET_NAME):
                if row and len(row) >= 2 and str(row[0] or "").strip() == key and row[1] not in (None, ""):
                    return str(row[1])
        return default

    def open_file(self, path: Path) -> None:
        if Path(path).suffix.lower() != ".xlsx":
            return
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            for ws in wb.worksheets:
                rows = [list(r) for r in ws.iter_rows(values_only=True)]
                self.add_sheet(ws.title[:31])
                if rows:
                    width = max(len(r) for r in rows)
                    self.write_range(ws.title[:31], "A1", [r + [None] * (width - len(r)) for r in rows])
        finally:
            wb.close()

    def save(self) -> None:  # Lite saves with the workbook itself
        return None


def run(name: str, book: Any) -> Any:
    """Run the ribbon macro ``name`` on a Lite ``Book``, in the Lite mode of the operations."""
    from . import macros  # deferred: loads every operation (slow); main.py imports this module when Lite starts

    previous = os.environ.get(LITE_ENV)
    os.environ[LITE_ENV] = "1"  # implied under Pyodide anyway; the same mode here, for this run only
    try:
        return getattr(macros, name)(LitePort(book))
    finally:
        if previous is None:
            os.environ.pop(LITE_ENV, None)
        else:
            os.environ[LITE_ENV] = previous


def _script(name: str) -> str:
    from . import macros  # deferred: loads every operation (slow); only the export reads the docstrings

    doc = (inspect.getdoc(getattr(macros, name)) or name).splitlines()[0].replace('"""', "'")
    return f'@script\ndef {name}(book: xw.Book):\n    """{doc}"""\n    lite.run("{name}", book)\n'


def _func(name: str) -> str:
    from . import udfs  # deferred: imports xlwings; only the export needs it

    fn = getattr(udfs, name)
    sig = inspect.signature(fn)
    params = ", ".join(p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
                       for p in sig.parameters.values())
    args = ", ".join(sig.parameters)
    decorators = "".join(f'@arg("{p}", ndim=2)\n' for p in sig.parameters)
    doc = (inspect.getdoc(fn) or name).splitlines()[0].replace('"""', "'")
    return f'@func\n{decorators}def {name}({params}):\n    """{doc}"""\n    return udfs.{name}({args})\n'


def main_py() -> str:
    """The text of the exported ``main.py``."""
    parts = ['"""Marketing Toolkit for xlwings Lite (written by `toolkit lite export`; do not edit: export again).\n\n'
             'Scripts run the ribbon\'s macros on the open workbook; functions are the TK_ worksheet functions.\n'
             'Settings (TOOLKIT_STANDARDS, TOOLKIT_LANG) and answers to questions come from a\n'
             '"MarketingToolkit.conf" sheet in the workbook (key in column A, value in column B).\n"""\n',
             "import xlwings as xw\nfrom xlwings import arg, func, script\n\nfrom toolkit.excel import lite, udfs\n"]
    parts += [_script(n) for n in SCRIPTS] + [_func(n) for n in FUNCS]
    return "\n\n".join(parts)


def export(out_dir: str | Path) -> list[Path]:
    """Write ``main.py`` and ``requirements.txt`` for xlwings Lite into ``out_dir``; returns both paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    texts = {out / "main.py": main_py(), out / "requirements.txt": "\n".join(REQUIREMENTS) + "\n"}
    return [atomic_save(path, lambda tmp, text=text: tmp.write_text(text, encoding="utf-8"))
            for path, text in texts.items()]
