"""Render the monthly report to the general manager (xlsx, html, md, pdf) from a ledger."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..core.findings import Finding
from ..core.ledger import Ledger

#: What the month close and the ribbon render; ``toolkit report --format`` chooses.
DEFAULT_FORMATS = ("xlsx", "html", "md")


def render_monthly_report(ledger: Ledger, period: str, out_dir: str | Path, *, lang: str = "en",
                          formats: Sequence[str] = DEFAULT_FORMATS, template: str | Path | None = None,
                          extra_findings: Sequence[Finding] = ()) -> list[Path]:
    """Build the report context of ``period`` and render it in ``formats`` into ``out_dir``; the files written."""
    from ..report import build_context, render_report

    context = build_context(ledger, period, lang=lang, extra_findings=list(extra_findings))
    return render_report(context, list(formats), lang, Path(out_dir), template)
