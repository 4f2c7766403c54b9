"""``toolkit completion|funds|forecast PATH... --standards PATH --period YYYY-MM``: thin CLI layers.

Each command loads the ledger (``toolkit.inputs.load_ledger``), calls one library function from
``toolkit.core`` and presents the result as text, JSON (docs/json.md) or a styled xlsx workbook.
The library functions ``completion_report`` / ``funds_report`` / ``forecast_report`` build the JSON
payloads, so the ribbon and UDFs get exactly what the CLI prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pandas as pd

from ...core import completion as C
from ...core import forecast as FC
from ...core import funds as F
from ...i18n import register, t
from ...inputs import Ledger
from ...schema import DEPARTMENT
from ...schema import enums as E
from ..main import settings
from ..output import (
    compute_options, load_inputs, emit_json, emit_text, findings_sheets, findings_json, findings_text, records,
    require_output, text_table, write_xlsx,
)

_CONTRACTS = DEPARTMENT.table("Contracts")
_FORECAST = DEPARTMENT.table("Forecast")

#: Column headers of the outputs (xlsx and text), both languages; JSON keys stay English.
LABELS: dict[str, tuple[str, str]] = {
    "level": ("Level", "层级"),
    "key": ("Key", "对象"),
    "name": ("Name", "姓名"),
    "department": ("Department", "部门"),
    "indicator": ("Indicator", "指标"),
    "month_target": ("Month Target", "本月目标"),
    "month_actual": ("Month Actual", "本月实际"),
    "month_completion": ("Month Completion", "本月完成率"),
    "ytd_target": ("YTD Target", "累计目标"),
    "ytd_actual": ("YTD Actual", "累计实际"),
    "ytd_completion": ("YTD Completion", "累计完成率"),
    "time_progress": ("Time Progress", "时间进度"),
    "pacing": ("Pacing", "进度比"),
    "gap": ("Gap", "差额"),
    "needed_per_month": ("Needed per Month", "剩余月均需完成"),
    "rag": ("RAG", "红黄绿"),
    "rank": ("Rank", "排名"),
    "due_date": ("Due Date", "到期日"),
    "collected": ("Collected", "已回款"),
    "receivable": ("Receivable", "应收余额"),
    "days_overdue": ("Days Overdue", "逾期天数"),
    "bucket": ("Aging", "账龄"),
    "not_due": ("Not Due", "未到期"),
    "1-30": ("1-30 Days", "1-30天"),
    "31-60": ("31-60 Days", "31-60天"),
    "61-90": ("61-90 Days", "61-90天"),
    "over_90": ("Over 90 Days", "90天以上"),
    "total": ("Total", "合计"),
    "overdue": ("Overdue", "逾期合计"),
    "month": ("Month", "月份"),
    "receivables_due": ("Receivables Due", "到期应收"),
    "planned_expense": ("Planned Expense", "计划费用"),
    "royalties_payable": ("Royalties Payable", "应付提成"),
    "method": ("Method", "方法"),
    "backtest_method": ("Backtest Method", "回测方法"),
    "history_months": ("History Months", "历史月数"),
    "mase": ("MASE", "MASE"),
    "value": ("Signing", "签约额"),
    "employee": ("Employee", "员工"),
    "company": ("Company", "公司"),
    "green": ("green", "绿"),
    "amber": ("amber", "黄"),
    "red": ("red", "红"),
}
register({f"compute.label.{k}": v for k, v in LABELS.items()})
register(
    {
        "compute.title.completion": ("Indicator completion {period}", "指标完成情况 {period}"),
        "compute.title.aging": ("Receivables aging at {as_of}", "应收账款账龄（截至 {as_of}）"),
        "compute.title.overdue": ("Overdue contracts", "逾期合同"),
        "compute.title.demand": ("Fund demand, next {n} months", "未来 {n} 个月资金需求"),
        "compute.title.forecast": ("Signing forecast after {period}", "{period} 之后的签约预测"),
        "compute.no-royalties": (
            "Profit and royalties payable exclude royalties (no royalty module or plans available).",
            "利润和应付提成未扣除提成（没有可用的提成计算）。",
        ),
        "compute.sheet.completion": ("Completion", "完成情况"),
        "compute.sheet.aging": ("Aging", "账龄"),
        "compute.sheet.overdue": ("Overdue", "逾期"),
        "compute.sheet.receivables": ("Receivables", "应收账款"),
        "compute.sheet.demand": ("Fund Demand", "资金需求"),
        "compute.sheet.forecast": ("Forecast", "预测"),
        "compute.sheet.series": ("Series", "序列"),
        "compute.sheet.history": ("History", "历史"),
    }
)

# Labels of ledger columns come from the schema, never respelled here.
_SCHEMA_LABELS = {
    "contract_no": _CONTRACTS.column("contract_no").label,
    "customer": _CONTRACTS.column("customer").label,
    "employee_id": _CONTRACTS.column("employee_id").label,
    "product_line": _CONTRACTS.column("product_line").label,
    "sign_date": _CONTRACTS.column("sign_date").label,
    "amount": _CONTRACTS.column("amount").label,
    "delivered": _CONTRACTS.column("delivered").label,
    "expected_collections": _FORECAST.column("expected_collections").label,
    "expected_spending": _FORECAST.column("expected_spending").label,
}


def label(key: str, lang: str) -> str:
    """Header of an output column in ``lang``."""
    if key in _SCHEMA_LABELS:
        return _SCHEMA_LABELS[key](lang)
    return t(f"compute.label.{key}", lang) if key in LABELS else key


def _localized(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Frame with headers, level, indicator and RAG values in ``lang`` (for xlsx and text)."""
    out = frame.copy()
    if "indicator" in out:
        out["indicator"] = out["indicator"].map(lambda v: E.INDICATOR.label(v, lang), na_action="ignore")
    for col in ("level", "rag", "bucket"):
        if col in out:
            out[col] = out[col].map(lambda v: label(v, lang) if v in LABELS else v, na_action="ignore")
    if "key" in out and "level" in frame:
        out.loc[frame["level"] == C.LEVELS[-1], "key"] = label("company", lang)
    return out.rename(columns={c: label(c, lang) for c in out.columns})


def _formats(columns: list[str], money: tuple[str, ...] = (), percent: tuple[str, ...] = (),
             dates: tuple[str, ...] = (), lang: str = "en") -> dict[str, str]:
    kinds = {c: "money" for c in money} | {c: "percent" for c in percent} | {c: "date" for c in dates}
    return {label(c, lang): k for c, k in kinds.items() if c in columns}


def _findings(ledger: Ledger, extra: list[Any] | None = None) -> list[Any]:
    return ledger.unreliable_findings() + list(extra or [])


def _royalties(ledger: Ledger, period: str) -> pd.DataFrame | None:
    """Royalty payments per employee and month from the royalties module, None when unavailable."""
    if ledger.standard("RoyaltyPlans").empty:
        return None
    return C.royalty_payments(ledger, period)


# --------------------------------------------------------------------------- completion


def completion_report(ledger: Ledger, period: str, lang: str = "en") -> tuple[dict[str, Any], pd.DataFrame]:
    """The completion JSON payload (docs/json.md) and the rows frame it was made from."""
    royalties = _royalties(ledger, period)
    rows = C.compute_completion(ledger, period, royalties)
    emp = rows[rows["level"] == "employee"].drop_duplicates("key")
    payload = {
        "period": str(C.parse_period(period)),
        "rows": records(rows, C.ROW_COLUMNS, money_cols=C.MONEY_COLUMNS, ratio_cols=C.RATIO_COLUMNS),
        "employees": records(emp.rename(columns={"key": "employee_id"}), ["employee_id", "name", "department"]),
        "royalties_included": royalties is not None,
        "findings": findings_json(_findings(ledger), lang),
    }
    return payload, rows


def completion_sheets(rows: pd.DataFrame, findings: list[Any], lang: str) -> list[Any]:
    """The completion xlsx: one Completion sheet (RAG coloured) and the findings (CLI and ribbon)."""
    from ...io.writer import SheetFrame

    cols = ["level", "key", "name", "department", "indicator", *C.ROW_COLUMNS[3:]]
    sheets = [SheetFrame(t("compute.sheet.completion", lang), _localized(rows[cols], lang),
                         _formats(cols, C.MONEY_COLUMNS, ("month_completion", "ytd_completion", "time_progress"),
                                  lang=lang),
                         table_name="Completion", rag=(label("rag", lang),))]
    sheets += findings_sheets(findings, lang)
    return sheets


@click.command("completion")
@compute_options
def completion_cmd(paths: tuple[Path, ...], standards: Path | None, db: str | None, period: str, fmt: str, output: Path | None,
                   force: bool) -> None:
    """Indicator completion per employee, department and company, month and YTD, with RAG."""
    lang = settings().lang
    C.parse_period(period)
    ledger = load_inputs(paths, standards, db, force=force, period=period)
    payload, rows = completion_report(ledger, period, lang)
    findings = _findings(ledger)
    if fmt == "json":
        emit_json(payload, output)
        return
    if fmt == "xlsx":
        write_xlsx(require_output(output, fmt), completion_sheets(rows, findings, lang), lang)
        return
    text = [t("compute.title.completion", lang, period=payload["period"])]
    if not payload["royalties_included"]:
        text.append(t("compute.no-royalties", lang))
    shown = rows.assign(
        **{c: rows[c].map(lambda v: f"{v:,.2f}", na_action="ignore") for c in C.MONEY_COLUMNS},
        **{c: rows[c].map(lambda v: f"{v:.1%}", na_action="ignore") for c in C.RATIO_COLUMNS if c != "pacing"},
        pacing=rows["pacing"].map(lambda v: f"{v:.2f}", na_action="ignore"),
        rank=rows["rank"].map(lambda v: str(int(v)), na_action="ignore"),
    )
    brief = ["level", "key", "name", "indicator", "month_actual", "ytd_target", "ytd_actual", "ytd_completion",
             "pacing", "needed_per_month", "rag", "rank"]
    for level in C.LEVELS:
        part = shown[shown["level"] == level]
        text += ["", text_table(_localized(part[brief].drop(columns="level"), lang))]
    if findings:
        text += ["", findings_text(findings, lang)]
    emit_text("\n".join(text), output)


# --------------------------------------------------------------------------- funds


def funds_report(ledger: Ledger, period: str, lang: str = "en") -> tuple[dict[str, Any], F.FundsResult]:
    """The funds JSON payload (docs/json.md) and the result it was made from."""
    royalties = _royalties(ledger, period)
    res = F.compute_funds(ledger, period, royalties)
    aging_cols = ["level", "key", *F.BUCKETS, "total", "overdue"]
    recv_cols = list(F.RECEIVABLE_COLUMNS)
    money_recv = ("amount", "delivered", "collected", "receivable")
    payload = {
        "period": res.period,
        "as_of": res.as_of.strftime("%Y-%m-%d"),
        "aging": records(res.aging, aging_cols, money_cols=[*F.BUCKETS, "total", "overdue"]),
        "overdue": records(res.overdue, recv_cols, money_cols=money_recv),
        "receivables": records(res.receivables, recv_cols, money_cols=money_recv),
        "demand": records(res.demand, ["level", "key", "month", *F.DEMAND_COLUMNS], money_cols=F.DEMAND_COLUMNS),
        "royalties_included": royalties is not None,
        "findings": findings_json(_findings(ledger), lang),
    }
    return payload, res


_FUNDS_MONEY = (*F.BUCKETS, "total", "overdue", "amount", "delivered", "collected", "receivable", *F.DEMAND_COLUMNS)


def funds_sheets(res: F.FundsResult, findings: list[Any], lang: str) -> list[Any]:
    """The funds xlsx: Aging, Overdue, Receivables, Fund Demand and the findings (CLI and ribbon)."""
    from ...io.writer import SheetFrame

    def sheet(name: str, frame: pd.DataFrame, table: str) -> SheetFrame:
        return SheetFrame(t(f"compute.sheet.{name}", lang), _localized(frame, lang),
                          _formats(list(frame.columns), _FUNDS_MONEY, dates=("sign_date", "due_date"), lang=lang),
                          table_name=table)

    sheets = [sheet("aging", res.aging, "Aging"), sheet("overdue", res.overdue, "Overdue"),
              sheet("receivables", res.receivables, "Receivables"), sheet("demand", res.demand, "FundDemand")]
    sheets += findings_sheets(findings, lang)
    return sheets


@click.command("funds")
@compute_options
def funds_cmd(paths: tuple[Path, ...], standards: Path | None, db: str | None, period: str, fmt: str, output: Path | None,
              force: bool) -> None:
    """Receivables aging, overdue contracts and the 3-month fund demand forecast."""
    lang = settings().lang
    C.parse_period(period)
    ledger = load_inputs(paths, standards, db, force=force, period=period)
    payload, res = funds_report(ledger, period, lang)
    findings = _findings(ledger)
    if fmt == "json":
        emit_json(payload, output)
        return
    money_all = _FUNDS_MONEY
    if fmt == "xlsx":
        write_xlsx(require_output(output, fmt), funds_sheets(res, findings, lang), lang)
        return

    def shown(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        for c in out.columns:
            if c in money_all:
                out[c] = out[c].map(lambda v: f"{v:,.2f}", na_action="ignore")
            elif pd.api.types.is_datetime64_any_dtype(out[c]):
                out[c] = out[c].dt.strftime("%Y-%m-%d")
        return _localized(out, lang)

    brief = ["contract_no", "customer", "department", "employee_id", "due_date", "days_overdue", "bucket",
             "receivable"]
    text = [t("compute.title.aging", lang, as_of=payload["as_of"]), text_table(shown(res.aging)), "",
            t("compute.title.overdue", lang), text_table(shown(res.overdue[brief])), "",
            t("compute.title.demand", lang, n=F.HORIZON),
            text_table(shown(res.demand[res.demand["level"] == "company"].drop(columns=["level", "key"])))]
    if not payload["royalties_included"]:
        text += ["", t("compute.no-royalties", lang)]
    if findings:
        text += ["", findings_text(findings, lang)]
    emit_text("\n".join(text), output)


# --------------------------------------------------------------------------- forecast


def forecast_report(ledger: Ledger, period: str, lang: str = "en") -> tuple[dict[str, Any], FC.ForecastResult]:
    """The forecast JSON payload (docs/json.md) and the result it was made from."""
    res = FC.compute_forecast(ledger, period)
    series = []
    for row in records(res.series, list(res.series.columns), ratio_cols=("mase",)):
        sel_f = (res.forecast["level"] == row["level"]) & (res.forecast["key"] == row["key"])
        sel_h = (res.history["level"] == row["level"]) & (res.history["key"] == row["key"])
        row["forecast"] = records(res.forecast[sel_f], ["month", "value"], money_cols=("value",))
        row["history"] = records(res.history[sel_h], ["month", "value"], money_cols=("value",))
        series.append(row)
    payload = {"period": res.period, "horizon": FC.HORIZON, "holdout": FC.HOLDOUT, "series": series,
               "findings": findings_json(_findings(ledger), lang)}
    return payload, res


def forecast_table(res: FC.ForecastResult) -> tuple[pd.DataFrame, list[Any]]:
    """Each series with its method, MASE and the forecast months as columns; and those months."""
    wide = res.forecast.pivot_table(index=["level", "key"], columns="month", values="value", sort=False)
    table = res.series.merge(wide.reset_index(), on=["level", "key"], how="left")
    return table, [c for c in table.columns if c not in res.series.columns]


def forecast_sheets(res: FC.ForecastResult, findings: list[Any], lang: str) -> list[Any]:
    """The forecast xlsx: Forecast (series × months), History and the findings (CLI and month close)."""
    from ...io.writer import SheetFrame

    table, months = forecast_table(res)
    fmts = {m: "money" for m in months} | {label("mase", lang): "number"}
    sheets = [
        SheetFrame(t("compute.sheet.forecast", lang), _localized(table, lang), fmts, table_name="Forecast"),
        SheetFrame(t("compute.sheet.history", lang), _localized(res.history, lang),
                   {label("value", lang): "money"}, table_name="History"),
    ]
    sheets += findings_sheets(findings, lang)
    return sheets


@click.command("forecast")
@compute_options
def forecast_cmd(paths: tuple[Path, ...], standards: Path | None, db: str | None, period: str, fmt: str, output: Path | None,
                 force: bool) -> None:
    """Signing forecast 3 months ahead for the company and each department, with backtest MASE."""
    lang = settings().lang
    C.parse_period(period)
    ledger = load_inputs(paths, standards, db, force=force, period=period)
    payload, res = forecast_report(ledger, period, lang)
    findings = _findings(ledger)
    if fmt == "json":
        emit_json(payload, output)
        return
    table, months = forecast_table(res)
    if fmt == "xlsx":
        write_xlsx(require_output(output, fmt), forecast_sheets(res, findings, lang), lang)
        return
    shown = table.assign(
        mase=table["mase"].map(lambda v: f"{v:.3f}", na_action="ignore"),
        **{m: table[m].map(lambda v: f"{v:,.2f}", na_action="ignore") for m in months},
    )
    text = [t("compute.title.forecast", lang, period=payload["period"]), text_table(_localized(shown, lang))]
    if findings:
        text += ["", findings_text(findings, lang)]
    emit_text("\n".join(text), output)


COMMANDS = [completion_cmd, funds_cmd, forecast_cmd]
