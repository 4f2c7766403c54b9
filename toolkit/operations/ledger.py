"""The one rule on findings before a computation: error findings refuse it unless the user forces it.

The ledger itself is built by ``toolkit.operations.source.Source`` (workbooks, the store or the open
workbook); an unreadable file is never computed as zeros: it is left out, named in ``Ledger.left_out`` and
in a ``file-unreadable`` finding, and the command's exit code says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ..core.findings import Finding
from ..errors import ToolkitError
from ..i18n import register

register(
    {
        "ledger.refused": (
            "{count} error finding(s) in the input; fix them or run with --force:\n{details}",
            "输入中有 {count} 个错误；请修正，或使用 --force 强制计算：\n{details}",
        ),
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
