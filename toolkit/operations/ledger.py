"""Building the Ledger a computation runs on — the one loader every entry point uses.

From department workbooks (files or folders) and the standards workbook, validating each file, or
from the departments consolidated in the history store. Error findings refuse the computation unless
the user forces it (``refuse_errors``); an unreadable file is never computed as zeros: it is left out,
named in ``Ledger.left_out`` and in a ``file-unreadable`` finding, and the command's exit code says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ..core.findings import Finding
from ..core.ledger import Ledger
from ..core.tables import WorkbookData
from ..errors import ToolkitError
from ..i18n import register
from ..io.discover import discover_workbooks
from ..store import load_ledger_from_store
from .validate import check_data, read_file, validate_file

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
        "ledger.none-readable": (
            "None of the department workbooks could be read:\n{details}",
            "没有一个部门工作簿可以读取：\n{details}",
        ),
        "ledger.standards-error": (
            "The standards workbook {file} has {count} error finding(s); fix them or run with --force:\n{details}",
            "标准工作簿 {file} 有 {count} 个错误；请修正，或使用 --force 强制计算：\n{details}",
        ),
        "ledger.needs-input": ("Give department workbooks (PATH...) with --standards, or --db.",
                               "请提供部门工作簿（PATH...）和 --standards，或者 --db。"),
        "ledger.both-inputs": ("Give either PATH... or --db, not both.", "PATH... 与 --db 只能二选一。"),
    }
)


def describe(findings: Sequence[Finding], lang: str = "en", limit: int = 20) -> str:
    """Findings as indented lines "file message", at most ``limit`` (for one-message refusals)."""
    lines = [f"  {Path(f.file).name if f.file else ''} {f.message(lang)}".rstrip() for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"  … (+{len(findings) - limit})")
    return "\n".join(lines)


def errors_of(findings: Sequence[Finding]) -> list[Finding]:
    """The error-severity findings that block a computation (unreadable files are counted separately)."""
    return [f for f in findings if f.severity == "error" and f.code != "file-unreadable"]


def refuse_errors(findings: Sequence[Finding], *, force: bool, unreadable: Sequence[str] = (),
                  confirm: Callable[[int], bool] | None = None, lang: str = "en") -> None:
    """The one rule: error findings (or unreadable files) refuse a computation unless forced or confirmed.

    ``confirm(count)`` is asked (the ribbon's yes/no question) when given and not forced.
    """
    errors = errors_of(findings)
    count = len(errors) + len(unreadable)
    if not count or force or (confirm is not None and confirm(count)):
        return
    details = "\n".join([*unreadable, *([describe(errors, lang)] if errors else [])])
    raise ToolkitError("ledger.refused", count=count, details=details)


def _standards(standards_path: str | Path, period: str | None, force: bool) -> tuple[WorkbookData, list[Finding]]:
    std = read_file(standards_path, "standards")
    if isinstance(std, ToolkitError):
        raise std
    findings = check_data(std, None, period).findings
    errors = [f for f in findings if f.severity == "error"]
    if errors and not force:
        raise ToolkitError("ledger.standards-error", file=str(standards_path), count=len(errors),
                           details=describe(errors))
    return std, list(findings)


def load_ledger(paths: Sequence[str | Path], standards_path: str | Path, *, force: bool = False,
                period: str | None = None) -> Ledger:
    """Read and validate department workbooks (files or folders) and the standards, stacked into a Ledger.

    Files with error findings are refused (``ToolkitError`` listing them) unless ``force``; with ``force``
    they are computed, and unreadable files are left out (``Ledger.left_out``, a ``file-unreadable``
    finding). Standards workbooks met among ``paths`` (a folder holding standards.xlsx) are skipped.
    """
    std, findings = _standards(standards_path, period, force)
    std_file = Path(standards_path).resolve()
    files = [p for p in discover_workbooks(paths) if Path(p).resolve() != std_file]
    books: list[WorkbookData] = []
    unreadable: list[str] = []
    left_out: dict[str, str] = {}
    for path in files:
        report = validate_file(path, standards=std, period=period)
        if report.data is not None and report.data.kind == "standards":
            continue
        if report.status == "unreadable" or report.data is None:
            detail = report.error.message() if report.error is not None else str(path)
            detail_zh = report.error.message("zh") if report.error is not None else detail
            unreadable.append(f"  {detail}")
            left_out[str(path)] = detail
            findings.append(Finding("file-unreadable", file=str(path), value=str(path),
                                    params={"detail": detail, "detail_zh": detail_zh}))
            continue
        for f in report.findings:
            f.file = f.file or str(path)
        findings.extend(report.findings)
        books.append(report.data)
    if not books and not unreadable:
        raise ToolkitError("ledger.no-files", paths=", ".join(str(p) for p in paths))
    refuse_errors(findings, force=force, unreadable=unreadable)
    if not books:
        raise ToolkitError("ledger.none-readable", details="\n".join(unreadable))
    ledger = Ledger.from_workbooks(books, std, findings)
    ledger.left_out.update(left_out)
    return ledger


def check_sources(paths: Sequence[str | Path], standards: str | Path | None, db: str | None) -> None:
    """Workbooks (``PATH... --standards``) or the history store (``--db``): exactly one of them."""
    if db and paths:
        raise ToolkitError("ledger.both-inputs")
    if not db and (not paths or standards is None):
        raise ToolkitError("ledger.needs-input")


def open_ledger(paths: Sequence[str | Path], standards: str | Path | None, db: str | None, *, period: str,
                force: bool = False) -> Ledger:
    """The ledger from workbooks (``PATH... --standards``) or from the history store (``--db``)."""
    check_sources(paths, standards, db)
    if db:
        return load_ledger_from_store(db, period)
    return load_ledger(paths, standards, force=force, period=period)


def ledger_of_workbook(data: WorkbookData, standards: WorkbookData, period: str, *,
                       confirm: Callable[[int], bool] | None = None, force: bool = False, lang: str = "en") -> Ledger:
    """One open department workbook and the standards as a Ledger, validated like ``load_ledger``
    (the ribbon's computations): error findings refused unless ``force`` or ``confirm(count)``."""
    findings = [*check_data(standards, None, period).findings, *check_data(data, standards, period).findings]
    refuse_errors(findings, force=force, confirm=confirm, lang=lang)
    return Ledger.from_workbooks([data], standards, findings)
