"""Workbooks the toolkit wrote, read back once per content in a test process: several tests (and several checks
of one test) read the same close's outputs, and an openpyxl load of a whole workbook costs more than most checks.
For tests that only read: a test that edits a workbook loads its own copy."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import openpyxl

#: The workbooks read lately, by (path, hash of their bytes): a workbook written again is read again.
_READ: dict[tuple[str, bool, bytes], openpyxl.Workbook] = {}
_KEEP = 24


def book(path: str | Path, *, data_only: bool = False) -> openpyxl.Workbook:
    """The whole workbook (cells, notes, formats, page setup) as ``openpyxl.load_workbook(path, data_only=...)``
    gives it, loaded once per content."""
    data = Path(path).read_bytes()
    key = (str(Path(path).resolve()), data_only, hashlib.blake2b(data, digest_size=16).digest())
    if key not in _READ:
        while len(_READ) >= _KEEP:
            _READ.pop(next(iter(_READ)))
        _READ[key] = openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)
    return _READ[key]
