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

import pandas as pd

from .consolidate import ConsolidationResult, FileOutcome, check_period, consolidate
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
        "close.sheet.royalties": ("Royalties", "提成"),
        "close.sheet.bands": ("Bands", "档位"),
        "close.sheet.contributions": ("Contributions", "计提明细"),
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


def _royalty_sheets(res: Any, lang: str) -> list[Any]:
    from .io.writer import SheetFrame

    money = {c: "money" for c in ("ytd_base", "weighted_base", "ytd_target", "annual_cap", "ytd_royalty_uncapped",
                                  "ytd_royalty", "previous_ytd_royalty", "payment", "amount", "credited",
                                  "weighted", "band_base", "band_amount")}
    pct = {c: "percent" for c in ("gate", "completion", "tier_rate", "rate", "from_pct", "to_pct", "share")}
    fmt = money | pct
    out = [SheetFrame(t("close.sheet.royalties", lang), res.lines, fmt, table_name="Royalties"),
           SheetFrame(t("close.sheet.bands", lang), res.bands, fmt, table_name="Bands"),
           SheetFrame(t("close.sheet.contributions", lang), res.contributions, fmt, table_name="Contributions")]
    return out


def compute_outputs(ledger: Any, period: str, out_dir: Path, lang: str = "en") -> dict[str, list[Path]]:
    """Run every computation on ``ledger`` and write ``<name>-<period>.json`` and ``.xlsx`` into ``out_dir``."""
    from .cli.commands import compute as C
    from .cli.output import findings_frame, write_xlsx
    from .core.royalties import compute_royalties
    from .io.writer import SheetFrame

    outputs: dict[str, list[Path]] = {}
    findings = C._findings(ledger)

    def with_findings(sheets: list[Any]) -> list[Any]:
        if findings:
            sheets.append(SheetFrame(t("compute.sheet.findings", lang), findings_frame(findings, lang),
                                     table_name="Findings"))
        return sheets

    def paths(name: str) -> tuple[Path, Path]:
        return out_dir / f"{name}-{period}.json", out_dir / f"{name}-{period}.xlsx"

    roy = compute_royalties(ledger, period)
    j, x = paths("royalties")
    outputs["royalties"] = [_json(j, roy.to_dict(lang)), write_xlsx(x, with_findings(_royalty_sheets(roy, lang)), lang)]

    payload, rows = C.completion_report(ledger, period, lang)
    cols = ["level", "key", "name", "department", "indicator", *C.C.ROW_COLUMNS[3:]]
    j, x = paths("completion")
    sheets = [SheetFrame(t("compute.sheet.completion", lang), C._localized(rows[cols], lang),
                         C._formats(cols, C.C.MONEY_COLUMNS, C.C.RATIO_COLUMNS, lang=lang), table_name="Completion",
                         rag=(C.label("rag", lang),))]
    outputs["completion"] = [_json(j, payload), write_xlsx(x, with_findings(sheets), lang)]

    payload, res = C.funds_report(ledger, period, lang)
    money_all = (*C.F.BUCKETS, "total", "overdue", "amount", "delivered", "collected", "receivable",
                 *C.F.DEMAND_COLUMNS)

    def sheet(name: str, frame: pd.DataFrame, table: str) -> Any:
        return SheetFrame(t(f"compute.sheet.{name}", lang), C._localized(frame, lang),
                          C._formats(list(frame.columns), money_all, dates=("sign_date", "due_date"), lang=lang),
                          table_name=table)

    j, x = paths("funds")
    sheets = [sheet("aging", res.aging, "Aging"), sheet("overdue", res.overdue, "Overdue"),
              sheet("receivables", res.receivables, "Receivables"), sheet("demand", res.demand, "FundDemand")]
    outputs["funds"] = [_json(j, payload), write_xlsx(x, with_findings(sheets), lang)]

    payload, fres = C.forecast_report(ledger, period, lang)
    wide = fres.forecast.pivot_table(index=["level", "key"], columns="month", values="value", sort=False)
    table = fres.series.merge(wide.reset_index(), on=["level", "key"], how="left")
    months = [c for c in table.columns if c not in fres.series.columns]
    j, x = paths("forecast")
    sheets = [SheetFrame(t("compute.sheet.forecast", lang), C._localized(table, lang),
                         {m: "money" for m in months} | {C.label("mase", lang): "number"}, table_name="Forecast"),
              SheetFrame(t("compute.sheet.history", lang), C._localized(fres.history, lang),
                         {C.label("value", lang): "money"}, table_name="History")]
    outputs["forecast"] = [_json(j, payload), write_xlsx(x, with_findings(sheets), lang)]
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

        result.outputs["report"] = render_report(build_context(ledger, period, lang=lang), ("xlsx", "html", "md"),
                                                 lang, out)
        result.outputs["summary"] = [_json(out / f"close-month-{period}.json",
                                           {**cons.to_dict(lang), "files": [
                                               {k: v for k, v in f.to_dict(lang).items() if k != "findings"}
                                               for f in cons.files]})]
        return result
    finally:
        store.close()
