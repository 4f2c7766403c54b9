"""Plain-text presentation shared by the outputs: aligned tables and finding lines."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from ..core.findings import Finding
from ..i18n import register, t
from ..io.writer import display_width

register({"output.findings": ("Findings ({count}):", "问题（{count} 个）："), "output.none": ("(nothing)", "（无）")})

_NUMBER = re.compile(r"-?[\d,]+(\.\d+)?%?")


def text_table(frame: pd.DataFrame, headers: Mapping[str, str] | None = None, lang: str = "en") -> str:
    """A plain aligned table of ``frame`` (already formatted as text); headers renamed by ``headers``."""
    if frame.empty:
        return t("output.none", lang)
    cols = list(frame.columns)
    names = [str((headers or {}).get(c, c)) for c in cols]
    cells = [["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in frame[c].astype(object)]
             for c in cols]
    widths = [max([display_width(n)] + [display_width(v) for v in col]) for n, col in zip(names, cells)]
    numeric = [all(_NUMBER.fullmatch(v) for v in col if v) and any(col) for col in cells]

    def line(values: Sequence[str]) -> str:
        parts = [(v.rjust if num else v.ljust)(w - (display_width(v) - len(v)))
                 for v, w, num in zip(values, widths, numeric)]
        return "  ".join(parts).rstrip()

    rows = [line(names), line(["-" * w for w in widths])]
    rows += [line([col[i] for col in cells]) for i in range(len(frame))]
    return "\n".join(rows)


def findings_text(findings: Sequence[Finding], lang: str, limit: int = 50) -> str:
    """Findings as lines "[severity] file: message", at most ``limit`` of them."""
    if not findings:
        return ""
    lines = [t("output.findings", lang, count=len(findings))]
    for f in findings[:limit]:
        where = Path(f.file).name if f.file else ""
        lines.append(f"  [{f.severity}] {where}: {f.message(lang)}" if where else f"  [{f.severity}] {f.message(lang)}")
    if len(findings) > limit:
        lines.append(f"  … (+{len(findings) - limit})")
    return "\n".join(lines)


def percent_text(v: object) -> str:
    """A ratio for text output: ``83.3%``; blank for missing."""
    return "" if v is None or pd.isna(v) else f"{float(v):.1%}"
