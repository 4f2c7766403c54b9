"""Validate workbooks: the one library operation behind ``toolkit validate``, the month close and the ribbon.

``validate_file`` reads one workbook and runs every rule; ``validate_paths`` does a list of files and
folders, finding the standards workbook among them when none is given; ``build_report`` is the
stable JSON form documented in the README. Bad input never raises: it becomes an ``unreadable`` report.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.findings import Finding
from ..core.tables import WorkbookData
from ..core.validation import sort_findings, validate
from ..errors import ToolkitError
from ..i18n import register
from ..io.discover import discover_workbooks, shown_name, skipped_files
from ..core.periods import period_of
from ..io.annotate import annotate_copy
from ..io.reader import read_workbook

if TYPE_CHECKING:  # the source module builds on this one: only its type here
    from .source import Source

register({
    "validate.unreadable": ("Cannot read {file}: {detail}", "无法读取 {file}：{detail}"),
    "validate.no-input": ("No workbook found in: {paths}", "未找到工作簿：{paths}"),
})

STATUSES = ("valid", "invalid", "unreadable")


@dataclass
class FileReport:
    """The outcome of validating one file."""

    path: str
    department: str | None = None
    status: str = "valid"  # "valid" | "invalid" | "unreadable"
    error: ToolkitError | None = None
    findings: list[Finding] = field(default_factory=list)
    data: WorkbookData | None = None

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """This file's entry of the JSON report."""
        return {
            "path": self.path,
            "department": self.department,
            "status": self.status,
            "error": None if self.error is None else self.error.message(lang),
            "issues": [f.to_dict(lang) for f in self.findings],
        }


def read_file(path: str | os.PathLike[str], kind: str | None = None) -> WorkbookData | ToolkitError:
    """The workbook's typed tables, or the ToolkitError saying why it cannot be read (never raises for bad input)."""
    try:
        return read_workbook(path, kind)
    except ToolkitError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - a broken file must not stop a batch
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0]
        return ToolkitError("validate.unreadable", file=str(path), detail=detail)


def check_data(data: WorkbookData, standards: WorkbookData | None = None, period: object = None) -> FileReport:
    """Run the rules on an already-read workbook: its reader findings plus the rules' findings."""
    found = validate(data, standards, period)
    findings = sort_findings([*data.findings, *found])
    for f in findings:
        f.file = f.file or data.path
    dept = data.info.get("department") if data.kind == "department" else None
    status = "invalid" if any(f.severity == "error" for f in findings) else "valid"
    return FileReport(str(data.path), str(dept) if dept not in (None, "") else None, status, None, findings, data)


def validate_file(path: str | os.PathLike[str], standards: WorkbookData | None = None,
                  period: str | None = None) -> FileReport:
    """Read and validate one workbook; unreadable input gives ``status="unreadable"`` and ``error``, not an exception.

    A malformed ``period`` raises ``ToolkitError`` (it is the caller's argument, not the file's fault).
    """
    data = read_file(path)
    if isinstance(data, ToolkitError):
        return FileReport(str(path), status="unreadable", error=data)
    return check_data(data, standards, period)


def validate_paths(source: Source, period: str | None = None) -> list[FileReport]:
    """Validate every workbook named by the source's paths (files or folders).

    Without the source's standards, the first standards workbook among the inputs is used (and is itself
    validated and reported). An unreadable standards workbook raises ``ToolkitError``.
    """
    period_of(period)  # a bad --period is a usage error before any file is read
    standards = source.read_standards()
    files = discover_workbooks(source.paths)
    read = [(p, read_file(p)) for p in files]
    if standards is None:
        standards = next((d for _, d in read if isinstance(d, WorkbookData) and d.kind == "standards"), None)
    reports = []
    for p, d in read:
        if isinstance(d, ToolkitError):
            reports.append(FileReport(str(p), status="unreadable", error=d))
        else:
            reports.append(check_data(d, standards if d is not standards else None, period))
    for p, why in skipped_files(source.paths):  # a name no report can carry: unreadable, and says why
        if why == "name-not-text":
            reports.append(FileReport(shown_name(p), status="unreadable",
                                      error=ToolkitError("read.name-not-text", file=shown_name(p))))
    return reports


def build_report(reports: list[FileReport], lang: str = "en") -> dict[str, Any]:
    """The JSON report: ``{"files": [...], "summary": {...}}`` exactly as documented in the README."""
    return {
        "files": [r.to_dict(lang) for r in reports],
        "summary": {
            "files": len(reports),
            "valid": sum(r.status == "valid" for r in reports),
            "invalid": sum(r.status == "invalid" for r in reports),
            "unreadable": sum(r.status == "unreadable" for r in reports),
            "errors": sum(r.errors for r in reports),
            "warnings": sum(r.warnings for r in reports),
        },
    }


def annotate_copies(reports: list[FileReport], out_dir: str | os.PathLike[str], lang: str = "en"
                    ) -> list[Path | ToolkitError]:
    """Annotated copies of the readable files in ``out_dir`` (``toolkit.io.annotate``): each copy written, or
    the error that stopped it (one file's failure does not stop the others)."""
    out: list[Path | ToolkitError] = []
    for r in reports:
        if r.data is None:
            continue
        try:
            out.append(annotate_copy(r.path, r.findings, out_dir, lang))
        except ToolkitError as exc:
            out.append(exc)
    return out


def exit_code(reports: list[FileReport]) -> int:
    """0: every file readable and no error finding; 1: some error finding or unreadable file; 2: nothing readable."""
    if not reports or all(r.status == "unreadable" for r in reports):
        return 2
    return 0 if all(r.status == "valid" for r in reports) else 1


__all__ = ["FileReport", "validate_file", "validate_paths", "check_data", "read_file", "build_report", "exit_code",
           "annotate_copies", "STATUSES"]
