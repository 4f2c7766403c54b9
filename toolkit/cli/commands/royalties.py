"""``toolkit royalties`` and ``toolkit salary``: thin CLI layers over the royalty and appraisal cores.

Both read department workbooks (files or folders) and ``--standards`` through
``toolkit.inputs.load_ledger`` (files with error findings are refused unless ``--force``), call one
library function and present the result as text, JSON (README / docs/royalties.md) or xlsx. The
library functions ``royalties_report`` / ``salary_report`` build the JSON payloads, so the ribbon and
UDFs get exactly what the CLI prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pandas as pd

from ...core import appraisal as A
from ...core import royalties as R
from ...core.findings import Finding
from ...i18n import register, t
from ...inputs import Ledger
from ...money import round_series
from ...schema import DEPARTMENT, STANDARDS
from ...schema import enums as E
from ..main import settings
from ..output import (
    compute_options, load_inputs, emit_json, emit_text, findings_sheets, findings_json, findings_text, require_output,
    text_table, write_xlsx,
)

_ROSTER = STANDARDS.table("Roster")
_PLANS = STANDARDS.table("RoyaltyPlans")
_TIERS = STANDARDS.table("RoyaltyTiers")
_LINES = STANDARDS.table("ProductLines")
_CONTRACTS = DEPARTMENT.table("Contracts")
_COLLECTIONS = DEPARTMENT.table("Collections")
_BANDS = STANDARDS.table("AppraisalBands")

# Headers of schema columns come from the schema; the rest are registered here.
_SCHEMA_LABELS = {
    "employee_id": _ROSTER.column("employee_id").label,
    "name": _ROSTER.column("name").label,
    "department": _ROSTER.column("department").label,
    "plan": _PLANS.column("plan").label,
    "basis": _PLANS.column("basis").label,
    "method": _PLANS.column("method").label,
    "receipt_no": _COLLECTIONS.column("receipt_no").label,
    "contract_no": _CONTRACTS.column("contract_no").label,
    "product_line": _CONTRACTS.column("product_line").label,
    "amount": _CONTRACTS.column("amount").label,
    "factor": _LINES.column("royalty_factor").label,
    "rate": _TIERS.column("rate").label,
    "floating_base": _ROSTER.column("floating_base").label,
    "grade": _BANDS.column("band_grade").label,
    "coefficient": _BANDS.column("coefficient").label,
}
LABELS: dict[str, tuple[str, str]] = {
    "ytd_base": ("YTD Base", "累计计提基数"),
    "weighted_base": ("Weighted Base", "加权计提基数"),
    "ytd_target": ("YTD Target", "累计目标"),
    "completion": ("YTD Completion", "累计完成率"),
    "gate": ("Gate", "门槛"),
    "tier_rate": ("Tier Rate", "档位比例"),
    "ytd_royalty_uncapped": ("YTD Royalty before Cap", "封顶前累计提成"),
    "annual_cap": ("Annual Cap", "年度上限"),
    "ytd_royalty": ("YTD Royalty", "累计提成"),
    "previous_ytd_royalty": ("Previous YTD Royalty", "上月累计提成"),
    "payment": ("Payment", "本月应付"),
    "clawback": ("Clawback", "追回"),
    "note": ("Note", "说明"),
    "item": ("Item", "项目"),
    "date": ("Date", "日期"),
    "share": ("Share", "业绩份额"),
    "credited": ("Credited", "计入金额"),
    "weighted": ("Weighted", "加权金额"),
    "royalty": ("Royalty", "提成"),
    "score": ("Score", "考核得分"),
    "pay": ("Floating Pay", "浮动工资"),
    "total": ("Total", "合计"),
    # statement items and notes
    "item.receipt": ("Receipt", "回款"),
    "item.contract": ("Contract", "合同"),
    "item.band": ("Band {lo} – {hi}", "超额档 {lo} – {hi}"),
    "item.tier": ("Tier {lo} – {hi}", "全额档 {lo} – {hi}"),
    "item.clawback": ("Payment (clawback)", "本月应付（追回）"),
    "note.capped": ("capped", "已封顶"),
    "note.below-gate": ("below gate", "未达门槛"),
    "note.no-target": ("no target", "无目标"),
    "note.no-base": ("no base", "无计提基数"),
    "note.no-tier": ("no tier", "无适用档位"),
    "note.clawback": ("CLAWBACK", "追回"),
}
register({f"royalties.label.{k}": v for k, v in LABELS.items()})
register(
    {
        "royalties.title": ("Royalties {period}", "提成 {period}"),
        "royalties.totals": (
            "Total: {employees} employee(s), YTD royalty {ytd_royalty}, previous {previous_ytd_royalty}, "
            "payable this month {payment} ({clawbacks} clawback(s), {clawback_amount} clawed back).",
            "合计：{employees} 人，累计提成 {ytd_royalty}，上月累计 {previous_ytd_royalty}，本月应付 {payment}"
            "（追回 {clawbacks} 人，共 {clawback_amount}）。",
        ),
        "royalties.sheet.summary": ("Royalties", "提成"),
        "salary.title": ("Floating salary {period}", "浮动工资 {period}"),
        "salary.totals": ("Total: {employees} employee(s), floating pay {pay}.", "合计：{employees} 人，浮动工资 {pay}。"),
        "salary.sheet": ("Floating Salary", "浮动工资"),
        "salary.sheet.terms": ("Appraisal Terms", "考核明细"),
    }
)

_MONEY = ("ytd_base", "weighted_base", "ytd_target", "ytd_royalty_uncapped", "annual_cap", "ytd_royalty",
          "previous_ytd_royalty", "payment")
_RATIOS = ("completion", "tier_rate", "gate")


def label(key: str, lang: str) -> str:
    """Header of an output column in ``lang``."""
    if key in _SCHEMA_LABELS:
        return _SCHEMA_LABELS[key](lang)
    return t(f"royalties.label.{key}", lang) if key in LABELS else key


def _note(line: dict[str, Any], lang: str) -> str:
    notes = [label(f"note.{line['reason']}", lang)] if line["reason"] != "ok" else []
    if line["clawback"]:
        notes.append(label("note.clawback", lang))
    return ", ".join(notes)


# --------------------------------------------------------------------------- royalties


def royalties_report(ledger: Ledger, period: str, lang: str = "en") -> tuple[dict[str, Any], R.RoyaltyResult]:
    """The royalties JSON payload (docs/royalties.md) and the result it was made from.

    ``findings`` lists the ledger's unreliable findings (validation) and the computation's own.
    """
    result = R.compute_royalties(ledger, period)
    payload = result.to_dict(lang)
    payload["findings"] = findings_json(_findings(ledger, result.findings), lang)
    return payload, result


def _findings(ledger: Ledger, own: list[Finding]) -> list[Finding]:
    return ledger.unreliable_findings() + list(own)


def summary_frame(result: R.RoyaltyResult, lang: str) -> pd.DataFrame:
    """One row per employee plus a total row, headers in ``lang`` (the xlsx summary sheet)."""
    lines = result.lines
    cols = ["employee_id", "name", "department", "plan", "basis", "method", "ytd_base", "weighted_base",
            "ytd_target", "completion", "gate", "tier_rate", "ytd_royalty_uncapped", "annual_cap", "ytd_royalty",
            "previous_ytd_royalty", "payment"]
    out = lines[cols].copy()
    out["basis"] = out["basis"].map(lambda v: E.BASIS.label(v, lang))
    out["method"] = out["method"].map(lambda v: E.METHOD.label(v, lang))
    out["note"] = [_note(r, lang) for r in lines.to_dict("records")]
    for c in _MONEY:  # cells hold the cents shown, so sums in Excel agree with the totals
        out[c] = round_series(out[c]).where(out[c].notna())
    totals = result.totals()
    total = {c: None for c in out.columns} | {"employee_id": label("total", lang)}
    total |= {k: float(totals[k]) for k in R.TOTAL_MONEY}
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True) if len(out) else out
    return out.rename(columns={c: label(c, lang) for c in out.columns})


def statement_frame(result: R.RoyaltyResult, employee_id: str, lang: str) -> pd.DataFrame:
    """An employee's statement as one table: the figures, then tiers/bands, then every contributing row."""
    line = result.lines.loc[result.lines["employee_id"] == employee_id].iloc[0].to_dict()
    rows: list[dict[str, Any]] = []

    def figure(key: str, **values: Any) -> None:
        rows.append({"item": label(key, lang), **values})

    figure("ytd_base", credited=line["ytd_base"])
    figure("weighted_base", weighted=line["weighted_base"])
    figure("ytd_target", amount=line["ytd_target"])
    figure("completion", rate=line["completion"])
    figure("gate", rate=line["gate"])
    figure("tier_rate", rate=line["tier_rate"])
    figure("ytd_royalty_uncapped", royalty=line["ytd_royalty_uncapped"])
    figure("annual_cap", royalty=line["annual_cap"])
    figure("ytd_royalty", royalty=line["ytd_royalty"])
    figure("previous_ytd_royalty", royalty=line["previous_ytd_royalty"])
    rows.append({"item": label("item.clawback" if line["clawback"] else "payment", lang), "royalty": line["payment"]})
    bands = result.bands[result.bands["employee_id"] == employee_id]
    for b in bands.to_dict("records"):
        hi = "∞" if pd.isna(b["to_pct"]) else f"{b['to_pct']:.0%}"
        kind = "item.band" if line["method"] == R.MARGINAL else "item.tier"
        rows.append({"item": t(f"royalties.label.{kind}", lang, lo=f"{b['from_pct']:.0%}", hi=hi),
                     "credited": b["band_base"], "rate": b["rate"], "royalty": b["band_amount"]})
    contrib = result.contributions[result.contributions["employee_id"] == employee_id]
    for c in contrib.to_dict("records"):
        rows.append({
            "item": label("item.receipt" if c["basis"] == "Collected" else "item.contract", lang),
            "date": c["date"], "receipt_no": c["receipt_no"], "contract_no": c["contract_no"],
            "product_line": c["product_line"], "amount": c["amount"], "share": c["share"], "factor": c["factor"],
            "credited": c["credited"], "weighted": c["weighted"],
        })
    cols = ["item", "date", "receipt_no", "contract_no", "product_line", "amount", "share", "factor", "credited",
            "weighted", "rate", "royalty"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["date"] = pd.to_datetime(frame["date"])
    for c in ("amount", "share", "factor", "credited", "weighted", "rate", "royalty"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    for c in ("amount", "credited", "weighted", "royalty"):
        frame[c] = round_series(frame[c]).where(frame[c].notna())
    for c in ("item", "receipt_no", "contract_no", "product_line"):
        frame[c] = frame[c].astype(object).where(frame[c].notna(), None)
    return frame.rename(columns={c: label(c, lang) for c in cols})


def _statement_formats(lang: str) -> dict[str, str]:
    kinds = {"date": "date", "amount": "money", "credited": "money", "weighted": "money", "royalty": "money",
             "share": "percent", "rate": "percent", "factor": "number", "item": "text", "receipt_no": "text",
             "contract_no": "text", "product_line": "text"}
    return {label(k, lang): v for k, v in kinds.items()}


def royalties_sheets(result: R.RoyaltyResult, findings: list[Finding], lang: str) -> list[Any]:
    """The xlsx output: a summary sheet, one statement sheet per employee, the findings."""
    from ...io.writer import SheetFrame

    fmts = {label(c, lang): "money" for c in _MONEY} | {label(c, lang): "percent" for c in _RATIOS}
    sheets = [SheetFrame(t("royalties.sheet.summary", lang), summary_frame(result, lang), fmts,
                         table_name="Royalties")]
    for rec in result.lines.to_dict("records"):
        emp = str(rec["employee_id"])
        name = f"{emp} {rec['name']}" if isinstance(rec["name"], str) else emp
        sheets.append(SheetFrame(name, statement_frame(result, emp, lang), _statement_formats(lang),
                                 table_name=f"Statement_{emp}"))
    sheets += findings_sheets(findings, lang)
    return sheets


def royalties_text(payload: dict[str, Any], result: R.RoyaltyResult, findings: list[Finding], lang: str) -> str:
    """The readable table, the totals line and the findings."""
    lines = result.lines
    money = lambda v: "" if v is None or pd.isna(v) else f"{v:,.2f}"  # noqa: E731
    pct = lambda v: "" if v is None or pd.isna(v) else f"{v:.1%}"  # noqa: E731
    shown = pd.DataFrame({
        "employee_id": lines["employee_id"], "name": lines["name"], "plan": lines["plan"],
        "method": lines["method"].map(lambda v: E.METHOD.label(v, lang)),
        "ytd_base": lines["ytd_base"].map(money), "ytd_target": lines["ytd_target"].map(money),
        "completion": lines["completion"].map(pct), "tier_rate": lines["tier_rate"].map(pct),
        "ytd_royalty": lines["ytd_royalty"].map(money),
        "previous_ytd_royalty": lines["previous_ytd_royalty"].map(money),
        "payment": lines["payment"].map(money), "note": [_note(r, lang) for r in lines.to_dict("records")],
    })
    totals = {k: (f"{v:,.2f}" if not isinstance(v, int) else v) for k, v in result.totals().items()}
    text = [t("royalties.title", lang, period=payload["period"]),
            text_table(shown.rename(columns={c: label(c, lang) for c in shown.columns}), lang=lang),
            "", t("royalties.totals", lang, **totals)]
    if findings:
        text += ["", findings_text(findings, lang)]
    return "\n".join(text)


@click.command("royalties")
@compute_options
def royalties_cmd(paths: tuple[Path, ...], standards: Path | None, db: str | None, period: str, fmt: str, output: Path | None,
                  force: bool) -> None:
    """Royalties for the month: YTD base, tiers, cap and the true-up payment, with a statement per employee."""
    lang = settings().lang
    R.parse_period(period)
    ledger = load_inputs(paths, standards, db, force=force, period=period)
    payload, result = royalties_report(ledger, period, lang)
    findings = _findings(ledger, result.findings)
    if fmt == "json":
        emit_json(payload, output)
    elif fmt == "xlsx":
        write_xlsx(require_output(output, fmt), royalties_sheets(result, findings, lang), lang)
    else:
        emit_text(royalties_text(payload, result, findings, lang), output)


# --------------------------------------------------------------------------- floating salary


def salary_report(ledger: Ledger, period: str, lang: str = "en") -> tuple[dict[str, Any], A.AppraisalResult]:
    """The floating-salary JSON payload and the result it was made from."""
    result = A.compute_appraisal(ledger, period)
    payload = result.to_dict(lang)
    payload["findings"] = findings_json(_findings(ledger, result.findings), lang)
    return payload, result


@click.command("salary")
@compute_options
def salary_cmd(paths: tuple[Path, ...], standards: Path | None, db: str | None, period: str, fmt: str, output: Path | None,
               force: bool) -> None:
    """Floating salary: appraisal score from YTD completion, its band's grade and coefficient, and the pay."""
    lang = settings().lang
    R.parse_period(period)
    ledger = load_inputs(paths, standards, db, force=force, period=period)
    payload, result = salary_report(ledger, period, lang)
    findings = _findings(ledger, result.findings)
    if fmt == "json":
        emit_json(payload, output)
        return
    lines = result.lines
    if fmt == "xlsx":
        from ...io.writer import SheetFrame

        fmts = {label("score", lang): "percent", label("coefficient", lang): "number",
                label("floating_base", lang): "money", label("pay", lang): "money"}
        terms = result.terms.assign(indicator=result.terms["indicator"].map(lambda v: E.INDICATOR.label(v, lang)))
        term_labels = {"weight": A._WEIGHTS.column("weight").label(lang), "indicator":
                       A._WEIGHTS.column("indicator").label(lang), "ytd_completion": label("completion", lang)}
        sheets = [
            SheetFrame(t("salary.sheet", lang), lines.rename(columns={c: label(c, lang) for c in lines.columns}),
                       fmts, table_name="FloatingSalary"),
            SheetFrame(t("salary.sheet.terms", lang),
                       terms.rename(columns=lambda c: term_labels.get(c, label(c, lang))),
                       {term_labels["weight"]: "percent", term_labels["ytd_completion"]: "percent",
                        "value": "percent", "points": "percent"}, table_name="AppraisalTerms"),
        ]
        sheets += findings_sheets(findings, lang)
        write_xlsx(require_output(output, fmt), sheets, lang)
        return
    shown = lines.assign(score=lines["score"].map(lambda v: f"{v:.1%}"),
                         floating_base=lines["floating_base"].map(lambda v: f"{v:,.2f}"),
                         pay=lines["pay"].map(lambda v: f"{v:,.2f}"))
    text = [t("salary.title", lang, period=payload["period"]),
            text_table(shown.rename(columns={c: label(c, lang) for c in shown.columns}), lang=lang), "",
            t("salary.totals", lang, employees=payload["totals"]["employees"],
              pay=f"{float(payload['totals']['pay']):,.2f}")]
    if findings:
        text += ["", findings_text(findings, lang)]
    emit_text("\n".join(text), output)


COMMANDS = [royalties_cmd, salary_cmd]

