"""The ledger every computation runs on: all department workbooks stacked, plus the standards.

``load_ledger`` reads department workbooks (files or folders) and the standards workbook, validates
each file and refuses files with error findings unless ``force``. Core functions (royalties,
completion, funds, forecast) only read ``Ledger.tables`` / ``Ledger.standards``; they never see files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
import pandas as pd

from .core.findings import Finding, declare
from .core.tables import WorkbookData
from .errors import ToolkitError
from .i18n import register
from .schema import DEPARTMENT, DTYPES, STANDARDS, THRESHOLD_DEFAULTS, Table

register(
    {
        "ledger.refused": (
            "{count} error finding(s) in the input; fix them or run with --force:\n{details}",
            "输入中有 {count} 个错误；请修正，或使用 --force 强制计算：\n{details}",
        ),
        "ledger.no-files": (
            "No department workbooks found in {paths}.",
            "在 {paths} 中没有找到部门工作簿。",
        ),
        "ledger.unreadable": ("{file}: {detail}", "{file}：{detail}"),
        "ledger.standards-error": (
            "The standards workbook {file} has {count} error finding(s); fix them or run with --force:\n{details}",
            "标准工作簿 {file} 有 {count} 个错误；请修正，或使用 --force 强制计算：\n{details}",
        ),
    }
)

declare("file-unreadable", "error", ("File cannot be read", "文件无法读取"),
        ("{detail}", "{detail_zh}"))

#: Columns every stacked department frame gains.
LEDGER_COLUMNS = ("department", "source")

#: Finding codes that make a computed number unreliable even as warnings; they are listed with results.
UNRELIABLE_CODES = frozenset(
    {
        "unknown-employee",
        "unknown-contract",
        "unknown-product-line",
        "file-unreadable",
        "collection-exceeds-contract",
        "type-error",
        "formula-error",
        "required-missing",
        "duplicate-key",
        "date-out-of-period",
        "column-missing-optional",
    }
)



def empty_frame(table: Table, extra: Sequence[str] = ()) -> pd.DataFrame:
    """A typed, empty frame with the table's columns, ``_row`` and ``extra`` text columns."""
    cols: dict[str, pd.Series] = {c.key: pd.Series(dtype=DTYPES[c.type]) for c in table.columns}
    cols["_row"] = pd.Series(dtype="Int64")
    for name in extra:
        cols[name] = pd.Series(dtype="str")
    return pd.DataFrame(cols)


def thresholds(standards: WorkbookData | None) -> dict[str, float]:
    """Threshold values by canonical name: the Thresholds sheet over ``THRESHOLD_DEFAULTS``."""
    out = dict(THRESHOLD_DEFAULTS)
    frame = None if standards is None else standards.tables.get("Thresholds")
    if frame is not None and len(frame):
        rows = frame.dropna(subset=["name", "value"])
        out.update({str(k): float(v) for k, v in zip(rows["name"], rows["value"])})
    return out


def standards_table(standards: WorkbookData | None, key: str) -> pd.DataFrame:
    """A standards table by key, or a typed empty frame when the workbook lacks it."""
    frame = None if standards is None else standards.tables.get(key)
    return frame if frame is not None else empty_frame(STANDARDS.table(key))


@dataclass
class Ledger:
    """Every department table stacked (with ``department`` and ``source``), the standards and the findings.

    Every department table key is present in ``tables`` (empty and typed when no file had it), so
    computations never test for absence.
    """

    tables: dict[str, pd.DataFrame]
    standards: WorkbookData
    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for table in DEPARTMENT.tables:
            if table.key not in self.tables:
                self.tables[table.key] = empty_frame(table, LEDGER_COLUMNS)

    @classmethod
    def from_workbooks(
        cls, workbooks: Iterable[WorkbookData], standards: WorkbookData, findings: Iterable[Finding] = ()
    ) -> Ledger:
        """Stack already-read department workbooks; each row gains its workbook's department and path."""
        books = list(workbooks)
        tables: dict[str, pd.DataFrame] = {}
        for table in DEPARTMENT.tables:
            parts = [
                wb.tables[table.key].assign(department=_department(wb), source=str(wb.path))
                for wb in books
                if table.key in wb.tables
            ]
            parts = [p for p in parts if len(p)]
            if parts:
                tables[table.key] = pd.concat(parts, ignore_index=True)
        return cls(tables, standards, list(findings), [str(wb.path) for wb in books])

    def threshold(self, name: str) -> float:
        """A Thresholds value by canonical name (e.g. ``"Amber Band"``), with the schema default."""
        return thresholds(self.standards)[name]

    def standard(self, key: str) -> pd.DataFrame:
        """A standards table by key (``"Roster"``, ``"ProductLines"`` …), empty when absent."""
        return standards_table(self.standards, key)

    def unreliable_findings(self) -> list[Finding]:
        """Findings to list next to results: every error plus warnings that make a number unreliable."""
        return [f for f in self.findings if f.severity == "error" or f.code in UNRELIABLE_CODES]


def _department(wb: WorkbookData) -> str:
    dept = wb.info.get("department")
    if dept is None or (isinstance(dept, float) and pd.isna(dept)) or not str(dept).strip():
        return Path(str(wb.path)).stem
    return str(dept).strip()


def _describe(findings: Sequence[Finding], limit: int = 20) -> str:
    lines = [f"  {Path(f.file).name if f.file else ''} {f.message()}".rstrip() for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"  … (+{len(findings) - limit})")
    return "\n".join(lines)


def load_ledger(
    paths: Sequence[str | Path],
    standards_path: str | Path,
    *,
    force: bool = False,
    period: str | None = None,
) -> Ledger:
    """Read and validate department workbooks (files or folders) and the standards, stacked into a Ledger.

    Files with error-severity findings are refused (``ToolkitError`` listing them) unless ``force``;
    with ``force`` they are computed, and unreadable files are skipped with a ``file-unreadable`` finding.
    Standards workbooks met among ``paths`` (e.g. a folder holding standards.xlsx) are skipped.
    """
    from .io.discover import discover_workbooks
    from .validate import check_data, read_file, validate_file

    std = read_file(standards_path, "standards")
    if isinstance(std, ToolkitError):
        raise std
    std_report = check_data(std, None, period)
    std_errors = [f for f in std_report.findings if f.severity == "error"]
    if std_errors and not force:
        raise ToolkitError(
            "ledger.standards-error", file=str(standards_path), count=len(std_errors), details=_describe(std_errors)
        )

    std_file = Path(standards_path).resolve()
    files = [p for p in discover_workbooks(paths) if Path(p).resolve() != std_file]
    books: list[WorkbookData] = []
    findings: list[Finding] = list(std_report.findings)
    unreadable: list[str] = []
    for path in files:
        report = validate_file(path, standards=std, period=period)
        if report.data is not None and report.data.kind == "standards":
            continue
        if report.status == "unreadable" or report.data is None:
            detail = report.error.message() if report.error is not None else str(path)
            unreadable.append(f"  {detail}")
            findings.append(Finding("file-unreadable", file=str(path), value=str(path), params={
                "detail": detail, "detail_zh": report.error.message("zh") if report.error is not None else detail}))
            continue
        for f in report.findings:
            f.file = f.file or str(path)
        findings.extend(report.findings)
        books.append(report.data)
    if not books and not unreadable:
        raise ToolkitError("ledger.no-files", paths=", ".join(str(p) for p in paths))

    errors = [f for f in findings if f.severity == "error" and f.code != "file-unreadable"]
    if (errors or unreadable) and not force:
        details = "\n".join(unreadable + ([_describe(errors)] if errors else []))
        raise ToolkitError("ledger.refused", count=len(errors) + len(unreadable), details=details)
    return Ledger.from_workbooks(books, std, findings)
