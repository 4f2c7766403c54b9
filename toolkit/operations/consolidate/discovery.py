"""Which files of the given paths are department workbooks, which the standards, and what is skipped."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from ...io.writer import OUTPUT_CATEGORY
from ...schema import DEPARTMENT, STANDARDS
from .results import Skipped
from ...io.discover import discover_workbooks, shown_name, skipped_files


def discover(paths: Sequence[str | Path]) -> tuple[list[Path], list[Skipped]]:
    """Workbooks named by ``paths`` (``toolkit.io.discover``: files as given, folders one level, sorted)
    and the files the folder scan skipped (lock, hidden, temporary, not a spreadsheet), each with its reason.
    A file listed twice is reported once as ``same-path``."""
    found = discover_workbooks(paths)
    skipped = [Skipped(shown_name(p), reason) for p, reason in skipped_files(paths)]
    named = [Path(p) for p in paths if not Path(p).is_dir()]
    for p in named:
        if sum(1 for q in named if q.resolve() == p.resolve()) > 1 and str(p) not in {s.path for s in skipped}:
            skipped.append(Skipped(str(p), "same-path"))
    return found, skipped


#: Sheets only the toolkit's own outputs have: the consolidated workbook's Findings (with a Summary and no Info
#: sheet) and an approval queue's hidden source list. Outputs written since they carry ``OUTPUT_CATEGORY``.
_QUEUE_SHEET = "_queue"
_FINDINGS = {"findings", "问题"}
_SUMMARY = {"summary", "汇总", "概览"}


def _core_category(zf: zipfile.ZipFile) -> str | None:
    try:
        core = zf.read("docProps/core.xml")[:100_000].decode("utf-8", "replace")
    except KeyError:
        return None
    m = re.search(r"<(?:\w+:)?category>([^<]*)</", core)
    return m.group(1) if m else None


def sniff_kind(path: Path) -> str | None:
    """``"standards"``, ``"department"`` or ``"output"`` (a workbook the toolkit wrote: the consolidated
    workbook, an approval queue, a report; never a department's) from the document category and the sheet
    names in the zip's workbook.xml (cheap; no cells read); None when the file is not a readable zip (the
    reader then reports why)."""
    try:
        with zipfile.ZipFile(path) as zf:
            xml = zf.read("xl/workbook.xml")[:1_000_000].decode("utf-8", "replace")
            category = _core_category(zf)
    except (OSError, zipfile.BadZipFile, KeyError):
        return None
    names = {n.casefold() for n in re.findall(r'<(?:\w+:)?sheet\b[^>]*\bname="([^"]*)"', xml)}
    info = {x.casefold() for x in DEPARTMENT.info_sheet.all()}
    if category == OUTPUT_CATEGORY or _QUEUE_SHEET in names or (
            names & _FINDINGS and names & _SUMMARY and not names & info):
        return "output"
    roster = {x.casefold() for x in STANDARDS.table("Roster").sheet.all()}
    plan = {x.casefold() for x in DEPARTMENT.table("Plan").sheet.all()}
    if names & roster and not names & plan:
        return "standards"
    return "department"
