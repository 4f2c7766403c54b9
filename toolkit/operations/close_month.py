"""The month end in one call: validate and consolidate, then compute every result from the store.

``close_month(paths, period, out_dir)`` runs ``consolidate`` (store + consolidated workbook in
``out_dir``), builds the Ledger from the store snapshots of this run, writes each computation's JSON
and xlsx outputs (``toolkit.outputs``: royalties, salary, completion, funds, forecast) and renders the
monthly report. It returns where every output went.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.findings import Finding
from ..core.periods import check_period
from ..errors import ToolkitError
from ..i18n import register, t
from ..outputs import NAMES, build, write_output
from ..outputs.jsonfmt import write_json
from ..store import Store, load_ledger_from_store, open_store
from .consolidate import ConsolidationResult, FileOutcome, consolidate

register(
    {
        "close.nothing": ("No department was consolidated for {period}; nothing to compute.",
                          "{period} 没有部门合并成功，无法计算。"),
        "close.output.consolidated": ("consolidated workbook", "合并工作簿"),
        "close.output.royalties": ("royalties", "提成"),
        "close.output.salary": ("floating salary", "浮动工资"),
        "close.output.completion": ("indicator completion", "指标完成情况"),
        "close.output.funds": ("fund recovery and demand", "资金回笼与需求"),
        "close.output.forecast": ("sales forecast", "销售预测"),
        "close.output.summary": ("run summary", "运行摘要"),
        "close.output.report": ("monthly report", "月度报告"),
    }
)

#: The computations of the month end, in order.
COMPUTATIONS = NAMES


@dataclass
class CloseMonthResult:
    """The consolidation and the files written, by output name (``royalties`` -> [json, xlsx])."""

    consolidation: ConsolidationResult
    outputs: dict[str, list[Path]] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return self.consolidation.exit_code

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {"consolidation": self.consolidation.to_dict(lang),
                "outputs": {k: [str(p) for p in v] for k, v in self.outputs.items()},
                "exit_code": self.exit_code}


def left_out_findings(files: Sequence[FileOutcome]) -> list[Finding]:
    """For the report's data-quality section: each department not consolidated, why, and its errors."""
    out: list[Finding] = []
    for f in files:
        if f.ok or f.kind == "standards":
            continue
        out.append(Finding("department-not-consolidated", file=f.path, value=f.department or Path(f.path).name,
                           params={"status": t(f"consolidate.status.{f.status}", "en"),
                                   "status_zh": t(f"consolidate.status.{f.status}", "zh"), "reason": f.reason or ""}))
        out += [x for x in f.findings if x.severity == "error"]
    return out


def compute_outputs(ledger: Any, period: str, out_dir: Path, lang: str = "en") -> dict[str, list[Path]]:
    """Run every computation on ``ledger`` and write ``<name>-<period>.json`` and ``.xlsx`` into ``out_dir``."""
    return {name: write_output(build(name, ledger, period, lang), out_dir) for name in COMPUTATIONS}


def close_month(
    paths: Sequence[str | Path],
    period: str,
    out_dir: str | Path,
    *,
    standards: str | Path | None = None,
    db: str | Path | None = None,
    jobs: int | None = None,
    strict: bool = False,
    lang: str = "en",
    progress: Callable[[int, int, FileOutcome], None] | None = None,
) -> CloseMonthResult:
    """Validate, consolidate and compute the month; write everything into ``out_dir``."""
    from .report import render_monthly_report

    period = check_period(period)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    store: Store = open_store(db)
    try:
        cons = consolidate(paths, period, standards=standards, db=store, output=out / f"consolidated-{period}.xlsx",
                           jobs=jobs, strict=strict, lang=lang, command="close-month", progress=progress)
        result = CloseMonthResult(cons, {"consolidated": [cons.workbook]} if cons.workbook else {})
        ids = [f.snapshot_id for f in cons.consolidated if f.snapshot_id is not None]
        if not ids:
            raise ToolkitError("close.nothing", period=period)
        ledger = load_ledger_from_store(store, period, ids)
        ledger.left_out.update({f.department or f.path: f.reason or f.status for f in cons.failed})
        result.outputs.update(compute_outputs(ledger, period, out, lang))
        result.outputs["report"] = render_monthly_report(ledger, period, out, lang=lang,
                                                         extra_findings=left_out_findings(cons.files))
        summary = {**cons.to_dict(lang), "files": [{k: v for k, v in f.to_dict(lang).items() if k != "findings"}
                                                   for f in cons.files]}
        result.outputs["summary"] = [write_json(out / f"close-month-{period}.json", summary)]
        return result
    finally:
        store.close()
