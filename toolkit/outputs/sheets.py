"""Workbook sheets shared by every output: the Findings sheet each computation's workbook ends with."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..core.findings import Finding
from ..i18n import t
from ..io.writer import SheetFrame
from .jsonfmt import findings_json
from .labels import label

FINDING_COLUMNS = ["file", "severity", "code", "sheet", "cell", "value", "message"]


def findings_frame(findings: Sequence[Finding], lang: str) -> pd.DataFrame:
    """Findings as a frame for an xlsx sheet, headers in ``lang``."""
    frame = pd.DataFrame(findings_json(findings, lang), columns=FINDING_COLUMNS)
    return frame.rename(columns={c: label(f"finding.{c}", lang) for c in FINDING_COLUMNS})


def findings_sheets(findings: Sequence[Finding], lang: str) -> list[SheetFrame]:
    """The Findings sheet every computation's xlsx ends with; none when there are no findings."""
    if not findings:
        return []
    return [SheetFrame(t("output.sheet.findings", lang), findings_frame(findings, lang), table_name="Findings")]
