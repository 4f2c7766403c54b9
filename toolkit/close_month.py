"""The month end in one call: validate and consolidate, then compute every result from the store.

``close_month(paths, period, out_dir)`` runs ``consolidate`` (store + consolidated workbook in
``out_dir``), builds the Ledger from the store snapshots of this run, and writes each computation's
JSON and xlsx outputs (royalties, completion, funds, forecast) with the same library functions the
compute commands use. It returns where every output went.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from .consolidate import ConsolidationResult, FileOutcome, check_period, consolidate
from .core.findings import Finding, declare
from .errors import ToolkitError
from .i18n import register, t
from .store import Store, load_ledger_from_store, open_store

register(
    {
        "close.nothing": ("No department was consolidated for {period}; nothing to compute.",
                          "{period} 没有部门合并成功，无法计算。"),
        "close.output.consolidated": ("consolidated workbook", "合并工作簿"),
        "close.output.royalties": ("royalties", "提成"),
        "close.output.completion": ("indicator completion", "指标完成情况"),
        "close.output.funds": ("fund recovery and demand", "资金回笼与需求"),
        "close.output.forecast": ("sales forecast", "销售预测"),
        "close.output.summary": ("run summary", "运行摘要"),
        "close.output.report": ("monthly report", "月度报告"),
    }
)

#: The computations of the month end, in order.
COMPUTATIONS = ("royalties", "completion", "funds", "forecast")


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


def _json(path: Path, payload: Any) -> Path:
    from .io.writer import atomic_save

    text = json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n"
    return atomic_save(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


declare("department-not-consolidated", "error", ("Department not consolidated", "部门未能汇总"),
        ("{value} was not consolidated ({status}): {reason}. Its figures are missing from this report.",
         "{value} 未能汇总（{status_zh}）：{reason}。本报告不含其数据。"))


def _left_out(files: Sequence[Any]) -> list[Finding]:
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
    from .cli.commands import compute as C
    from .cli.commands import royalties as R
    from .cli.output import write_xlsx

    findings = ledger.unreliable_findings()
    outputs: dict[str, list[Path]] = {}

    def write(name: str, payload: dict[str, Any], sheets: list[Any]) -> None:
        json_path, xlsx_path = out_dir / f"{name}-{period}.json", out_dir / f"{name}-{period}.xlsx"
        outputs[name] = [_json(json_path, payload), write_xlsx(xlsx_path, sheets, lang)]

    payload, roy = R.royalties_report(ledger, period, lang)
    write("royalties", payload, R.royalties_sheets(roy, findings + list(roy.findings), lang))
    payload, rows = C.completion_report(ledger, period, lang)
    write("completion", payload, C.completion_sheets(rows, findings, lang))
    payload, res = C.funds_report(ledger, period, lang)
    write("funds", payload, C.funds_sheets(res, findings, lang))
    payload, fres = C.forecast_report(ledger, period, lang)
    write("forecast", payload, C.forecast_sheets(fres, findings, lang))
    return outputs


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
        result.outputs.update(compute_outputs(ledger, period, out, lang))
        from .report import build_context, render_report  # the report to the general manager (issue 6)

        context = build_context(ledger, period, lang=lang, extra_findings=_left_out(cons.files))
        result.outputs["report"] = render_report(context, ("xlsx", "html", "md"), lang, out)
        result.outputs["summary"] = [_json(out / f"close-month-{period}.json",
                                           {**cons.to_dict(lang), "files": [
                                               {k: v for k, v in f.to_dict(lang).items() if k != "findings"}
                                               for f in cons.files]})]
        return result
    finally:
        store.close()
