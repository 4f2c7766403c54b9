"""``toolkit analysis``: the sales statistics and market analysis of a month from the store or workbooks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.ledger import Ledger
from ..core.periods import check_period
from ..errors import ToolkitError
from ..i18n import register
from ..outputs.analysis import AnalysisOutput, build, write_analysis
from .source import Source

register({
    "analysis.bad-months": ("--months must be 12 or 24 (got {months}).", "--months 只能是 12 或 24（当前为 {months}）。"),
    "analysis.bad-format": ("Unknown format {fmt}: choose from xlsx, html, json.",
                            "未知格式 {fmt}：可选 xlsx、html、json。"),
    "analysis.not-folder": ("{path} is a file: -o names the folder to write the analysis into.",
                            "{path} 是文件：-o 应为写入分析结果的文件夹。"),
})

FORMATS = ("xlsx", "html", "json")
WINDOWS = (12, 24)


@dataclass
class AnalysisResult:
    """What ``analyse`` built and wrote, and the ledger it ran on."""

    output: AnalysisOutput
    ledger: Ledger
    written: list[Path]

    @property
    def exit_code(self) -> int:
        """1 when an input was left out (its figures are missing), else 0."""
        return 1 if self.ledger.left_out else 0


def analyse_ledger(ledger: Ledger, period: str, out_dir: str | Path, *, months: int = 12, lang: str = "en",
                   formats: Sequence[str] = FORMATS) -> AnalysisResult:
    """The analysis of ``period`` on an already loaded ledger, written in ``formats`` into ``out_dir``."""
    if months not in WINDOWS:
        raise ToolkitError("analysis.bad-months", months=months)
    for fmt in formats:
        if fmt not in FORMATS:
            raise ToolkitError("analysis.bad-format", fmt=fmt)
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise ToolkitError("analysis.not-folder", path=str(out_dir))
    out = build(ledger, check_period(period), lang, months)
    return AnalysisResult(out, ledger, write_analysis(out, out_dir, formats))


def analyse(source: Source, period: str, out_dir: str | Path, *, months: int = 12, lang: str = "en",
            formats: Sequence[str] = FORMATS) -> AnalysisResult:
    """Load the source's month (``PATH... --standards`` or ``--db``) and write its analysis into ``out_dir``."""
    period = check_period(period)
    if months not in WINDOWS:
        raise ToolkitError("analysis.bad-months", months=months)
    ledger = source.ledger(period)
    return analyse_ledger(ledger, period, out_dir, months=months, lang=lang, formats=formats)
