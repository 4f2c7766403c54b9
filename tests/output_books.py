"""Workbooks read back once per content in a test process: several tests (and several checks of one test) read
the same outputs — a close's, the demo's, the rendered report, an approval queue — and an openpyxl load of a whole
workbook costs more than most checks. For tests that only read: a test that edits a workbook loads its own copy.
A file is known by its path and the hash of its bytes, so a workbook written again is read again."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

#: What was read lately, by (path, how it was read, hash of the bytes): the last few only.
_READ: dict[tuple[str, str, bytes], Any] = {}
_KEEP = 32


def once(path: str | Path, how: str, load: Callable[[bytes], Any]) -> Any:
    """``load(the file's bytes)``, kept for the next call with the same path, ``how`` and bytes."""
    data = Path(path).read_bytes()
    key = (str(Path(path).resolve()), how, hashlib.blake2b(data, digest_size=16).digest())
    if key not in _READ:
        while len(_READ) >= _KEEP:
            _READ.pop(next(iter(_READ)))
        _READ[key] = load(data)
    return _READ[key]


def book(path: str | Path, *, data_only: bool = False) -> openpyxl.Workbook:
    """The whole workbook (cells, notes, formats, page setup) as ``openpyxl.load_workbook(path, data_only=...)``
    gives it, loaded once per content."""
    return once(path, f"book:{data_only}",
                lambda data: openpyxl.load_workbook(io.BytesIO(data), data_only=data_only))


def values(path: str | Path) -> dict[str, list[tuple]]:
    """Every sheet's rows as tuples of values (openpyxl read-only), by sheet name in order, read once per content."""
    def load(data: bytes) -> dict[str, list[tuple]]:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        try:
            return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
        finally:
            wb.close()

    return once(path, "values", load)
