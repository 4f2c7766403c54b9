"""Which files of the given paths are department workbooks, which the standards, and what is skipped."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from ...schema import DEPARTMENT, STANDARDS
from .results import Skipped
from ...io.discover import discover_workbooks, skipped_files


def discover(paths: Sequence[str | Path]) -> tuple[list[Path], list[Skipped]]:
    """Workbooks named by ``paths`` (``toolkit.io.discover``: files as given, folders one level, sorted)
    and the files the folder scan skipped (lock, hidden, temporary, not a spreadsheet), each with its reason.
    A file listed twice is reported once as ``same-path``."""
    found = discover_workbooks(paths)
    skipped = [Skipped(str(p), reason) for p, reason in skipped_files(paths)]
    named = [Path(p) for p in paths if not Path(p).is_dir()]
    for p in named:
        if sum(1 for q in named if q.resolve() == p.resolve()) > 1 and str(p) not in {s.path for s in skipped}:
            skipped.append(Skipped(str(p), "same-path"))
    return found, skipped


def sniff_kind(path: Path) -> str | None:
    """``"standards"`` or ``"department"`` from the sheet names in the zip's workbook.xml (cheap; no cells
    read); None when the file is not a readable zip (the reader then reports why)."""
    try:
        with zipfile.ZipFile(path) as zf:
            xml = zf.read("xl/workbook.xml")[:1_000_000].decode("utf-8", "replace")
    except (OSError, zipfile.BadZipFile, KeyError):
        return None
    names = {n.casefold() for n in re.findall(r'<(?:\w+:)?sheet\b[^>]*\bname="([^"]*)"', xml)}
    roster = {x.casefold() for x in STANDARDS.table("Roster").sheet.all()}
    plan = {x.casefold() for x in DEPARTMENT.table("Plan").sheet.all()}
    if names & roster and not names & plan:
        return "standards"
    return "department"
