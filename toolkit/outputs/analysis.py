"""The sales statistics and market analysis: the JSON payload, the standard monthly statistics workbook
(统计月报: a fixed layout with the definitions written in it, native charts, print-ready, the same bytes for
the same data), an HTML page, the sentences and the text (docs/analysis.md)."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment

from .labels import LABELS as ONE_TABLE
from ..core import analysis as A
from ..core.analysis_words import METHODS, money_words, percent_words, sentences, text
from ..core.completion import COMPANY_KEY
from ..core.findings import Finding
from ..core.ledger import Ledger
from ..money import round_series
from ..i18n import register, t
from ..io.writer import ChartSpec, SheetFrame, atomic_save, display_width, write_frames
from ..schema import enums as E
from .jsonfmt import RATIO_DIGITS, findings_json, plain, write_json
from .sheets import findings_sheets
from ..money import fmt_money
from .text import text_table

#: Column headers of the analysis tables (schema columns take the schema's headers).
LABELS: dict[str, tuple[str, str]] = {k.removeprefix("analysis."): v for k, v in ONE_TABLE.items()
                                       if k.startswith("analysis.")}  # outputs/labels.py
register({f"analysis.label.{k}": v for k, v in LABELS.items()})

SHEETS: dict[str, tuple[str, str]] = {
    "about": ("About", "说明"), "summary": ("Summary", "要点"), "company": ("Company by Month", "公司月度"),
    "departments": ("Departments by Month", "部门月度"), "lines_month": ("Product Lines by Month", "产品线月度"),
    "people_month": ("Salespeople by Month", "销售人员月度"),
    "ytd": ("Year to Date", "本年累计"), "lines": ("Product Line Mix", "产品线结构"),
    "top": ("Top 10 Customers", "前十大客户"), "customers": ("Customers ABC", "客户ABC"), "concentration": ("Concentration", "客户集中度"),
    "customer_status": ("Customer Status", "客户状态"), "dso": ("DSO", "应收周转"),
    "payment": ("Days to Pay", "客户回款天数"), "feedback": ("Feedback", "市场反馈"),
    "complaints": ("Open Complaints", "未结投诉"), "owners": ("Complaints by Owner", "投诉负责人"), "forecast": ("Forecast", "预测"),
    "stages": ("Pipeline by Stage", "商机阶段"), "routes": ("Pipeline by Route", "商机渠道"),
    "pipe_lines": ("Pipeline by Line", "商机产品线"), "coverage": ("Pipeline Coverage", "商机覆盖率"),
    "win_loss": ("Win and Loss", "赢单与丢单"), "lost_reasons": ("Lost Reasons", "丢单原因"),
    "aged": ("Aged Opportunities", "超期商机"), "won": ("Won Opportunities", "赢单商机"),
}
register({f"analysis.sheet.{k}": v for k, v in SHEETS.items()})



#: Every definition, written into the workbook, the HTML page and docs/analysis.md.
DEFINITIONS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "window": (("Window", "统计区间"), ("The months ending with the period (12 or 24); YTD = January to the period; "
               "last year = the same months a year earlier.", "截至报告期的最近 12 或 24 个月；本年累计 = 1 月至报告期；"
               "去年同期 = 上一年的相同月份。")),
    "signing": (("Signing", "签约额"), ("Σ contract Amount × credited share, in the month the contract was signed "
                "(split shares applied).", "签订当月合同金额 × 分成比例之和（按分成拆分）。")),
    "deals": (("Contracts, average deal", "合同数、平均单额"), ("Contracts = Σ credited shares (a split contract "
              "counts once in total); average deal = signing ÷ contracts.", "合同数 = 分成比例之和（分成合同合计算一份）；"
              "平均单额 = 签约额 ÷ 合同数。")),
    "gross_margin": (("Gross margin", "毛利"), ("Signing × the product line's Gross Margin % (unknown lines 0); "
                     "margin rate = gross margin ÷ signing.", "签约额 × 产品线毛利率（未知产品线按 0）；毛利率 = 毛利 ÷ 签约额。")),
    "collection": (("Collection", "回款额"), ("Σ receipts (refunds negative) credited through their contracts, in "
                   "the receipt month.", "按收款月份汇总的回款（退款为负），按合同分成拆分。")),
    "delivered": (("Delivered", "履约额"), ("Delivered to date of the contracts signed in the month (the register "
                  "has no delivery date).", "当月签订合同的累计已履约金额（台账没有履约日期）。")),
    "terminations": (("Terminations", "终止合同"), ("Contracts with Status Terminated, in their signing month.",
                     "状态为已终止的合同，计入签订月份。")),
    "abc": (("ABC, top-10 share, HHI", "ABC 分类、前十大占比、HHI"), ("Customers ranked by YTD signing; A while the "
            "cumulative share before the customer is under 80%, B under 95%, C the rest; top-10 share = the 10 largest "
            "customers' share; HHI = Σ (share in %)², 0-10,000.", "按本年累计签约额排序；客户之前的累计占比不足 80% 为 A 类，"
            "不足 95% 为 B 类，其余为 C 类；前十大占比 = 最大 10 个客户的占比之和；HHI = Σ（百分比占比）²，0-10,000。")),
    "status": (("New, returning, lost", "新客户、老客户、流失客户"), ("New: first contract ever within the last 12 "
               "months; returning: a contract in the last 12 months and an earlier one; lost: a contract in the 12 "
               "months before those and none since.", "新客户：首次签约在近 12 个月内；老客户：近 12 个月有签约且之前也有；"
               "流失客户：前 12 个月有签约而近 12 个月没有。")),
    "dso": (("DSO", "应收周转天数（DSO）"), ("Receivables at period end ÷ delivered in the last 90 days × 90 "
            "(receivable = Delivered − receipts, floored at 0).", "期末应收余额 ÷ 近 90 天履约额 × 90（应收 = 已履约 − 回款，"
            "不小于 0）。")),
    "days_to_pay": (("Days to pay, days late", "回款天数、逾期天数"), ("Per customer over the window's positive "
                    "receipts, amount-weighted: days to pay = receipt date − sign date; terms = Payment Terms; days "
                    "late = days to pay − terms.", "按客户、以回款金额加权（统计区间内的正数回款）：回款天数 = 收款日期 − 签订日期；"
                    "账期 = 合同账期；逾期天数 = 回款天数 − 账期。")),
    "feedback": (("Feedback, open complaints", "市场反馈、未结投诉"), ("Feedback rows counted by month × type × "
                 "product line; open complaints are Complaints not Closed, aged in days at period end.",
                 "按月份 × 类型 × 产品线统计反馈条数；未结投诉 = 状态不是已关闭的投诉，按期末已开放天数分段。")),
    "forecast": (("Forecasts", "预测"), ("Signing per product line and company collection, 3 months ahead: "
                 "Holt-Winters from 24 months, seasonal naive from 12, else a 3-month average; backtest on the last "
                 "3 months as MASE; when it is not below the naive forecast's (last month carried forward), the "
                 "naive forecast is used and the summary says so.", "各产品线签约额与公司回款额，预测未来 3 个月：24 个月以上"
                 "用 Holt-Winters，12 个月以上用季节朴素预测，否则用 3 个月移动平均；以最近 3 个月回测 MASE；若不低于朴素预测"
                 "（沿用上月）的 MASE，则采用朴素预测并在要点中说明。")),
    "pipeline": (("Pipeline, coverage", "在途商机、覆盖率"), ("Open = Lead to Negotiation; weighted = Expected "
                 "Amount × the stage probability in the Thresholds (Won 100%, Lost 0); coverage = weighted open "
                 "pipeline expected to close after the period this year (blank Expected Close included) ÷ (annual "
                 "Signing target − YTD signing); win rate = won ÷ (won + lost); aged = open with Expected Close "
                 "before the period.", "在途 = 线索至谈判阶段；加权金额 = 预计金额 × 标准表中的阶段概率（赢单 100%，丢单 0）；"
                 "覆盖率 = 预计在本年剩余月份成交（未填预计成交月份的也计入）的加权在途商机 ÷（全年签约目标 − 本年累计签约）；"
                 "赢单率 = 赢单 ÷（赢单 + 丢单）；超期 = 预计成交月份早于报告期的在途商机。")),
}

MONEY = {"signing", "avg_deal", "gross_margin", "collection", "delivered", "terminated_amount", "py_signing",
         "signing_12m", "signing_prev_12m", "receivables", "overdue_90", "delivered_90d", "collected", "receivable", "overdue",
         "amount", "weighted", "weighted_open", "annual_target", "ytd_signing", "remaining_target", "won_amount",
         "lost_amount", "expected_amount", "contract_amount", "value"}
PERCENT = {"margin_rate", "yoy", "share", "cum_share", "py_share", "share_change", "top10_share", "coverage",
           "win_rate", "win_rate_amount", "probability"}
NUMBER = {"deals", "terminations", "hhi", "dso", "receipts", "days_to_pay", "terms", "days_late", "mase",
          "naive_mase"}
DATES = {"first_sign", "last_sign", "date", "sign_date"}


def label(key: str, lang: str) -> str:
    """A header or value label of the analysis in ``lang`` (unknown keys as they are)."""
    return t(f"analysis.label.{key}", lang) if key in LABELS or key in METHODS or key == "company" else key


def sheet_name(key: str, lang: str) -> str:
    """A sheet's name in ``lang``."""
    return t(f"analysis.sheet.{key}", lang)


@dataclass
class AnalysisOutput:
    """The analysis, its payload and sentences in ``lang``, and the findings listed with it."""

    result: A.Analysis
    payload: dict[str, Any]
    sentences: list[str]
    lang: str
    findings: list[Finding]
    files: int


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts, the conventions of ``jsonfmt.records`` (money strings, ratios to 4 decimals,
    blanks None, dates YYYY-MM-DD), column by column: the monthly table has 100,000 rows at 200 departments."""
    cols = list(frame.columns)
    out: list[list[Any]] = []
    for col in cols:
        s = frame[col]
        if col in MONEY:
            r = round_series(s.astype("float64")).to_numpy() + 0.0  # + 0.0: -0.0 is written 0.00
            out.append([fmt_money(v) if v == v else None for v in r.tolist()])
        elif col in PERCENT | NUMBER or pd.api.types.is_float_dtype(s.dtype):
            r = s.astype("float64").round(RATIO_DIGITS).to_numpy()
            out.append(np.where(np.isfinite(r), r.astype(object), None).tolist())
        elif pd.api.types.is_datetime64_any_dtype(s.dtype):
            out.append(s.dt.strftime("%Y-%m-%d").astype(object).where(s.notna(), None).tolist())
        elif pd.api.types.is_integer_dtype(s.dtype) and not s.isna().any() or pd.api.types.is_bool_dtype(s.dtype) \
                and not s.isna().any():
            out.append(s.to_numpy().tolist())
        elif pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
            out.append(s.astype(object).where(s.notna(), None).tolist())
        else:
            out.append([plain(v) for v in s.astype(object)])
    return [dict(zip(cols, row)) for row in zip(*out)] if len(frame) else []


def build(ledger: Ledger, period: str, lang: str = "en", months: int = 12) -> AnalysisOutput:
    """Compute the analysis of ``period`` over ``months`` months and its documented payload (docs/analysis.md)."""
    res = A.compute_analysis(ledger, period, months)
    words = sentences(res, lang)
    findings = ledger.unreliable_findings()
    pipe = res.pipeline
    payload: dict[str, Any] = {
        "period": res.period, "months": res.months, "summary": words,
        "findings_keys": [{"key": k, **{p: v for p, v in params.items()}} for k, params in res.sentences],
        "monthly": _records(res.monthly), "ytd": _records(res.ytd), "customers": _records(res.customers),
        "concentration": _records(res.concentration), "customer_status": _records(res.customer_status),
        "dso": _records(res.dso), "days_to_pay": _records(res.payment), "feedback": _records(res.feedback),
        "open_complaints": _records(res.complaints), "open_complaints_by_owner": _records(res.complaint_owners), "forecasts": _records(res.forecasts),
        "forecast_values": _records(res.forecast_values),
        "forecast_check": {**res.forecast_check},
        "pipeline": None if pipe is None else {
            name: _records(getattr(pipe, name)) for name in
            ("by_stage", "by_route", "by_product_line", "coverage", "win_loss", "lost_reasons", "aged", "won")},
        "findings": findings_json(findings, lang),
    }
    for item in payload["findings_keys"]:
        for k, v in list(item.items()):
            if isinstance(v, pd.Timestamp):
                item[k] = v.strftime("%Y-%m-%d")
            elif hasattr(v, "item"):
                item[k] = v.item()
    return AnalysisOutput(res, payload, words, lang, findings, len(ledger.files))


# --- the statistics workbook -------------------------------------------------------------------------------

def _values(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Level, status, stage, route, type, method and yes/no values in ``lang``."""
    out = frame.copy()
    enums = {"stage": E.OPPORTUNITY_STAGE, "route": E.OPPORTUNITY_ROUTE, "type": E.FEEDBACK_TYPE}
    for col, enum in enums.items():
        if col in out:
            out[col] = out[col].map(lambda v: enum.label(v, lang) if v in enum.values else v, na_action="ignore")
    if "status" in out and "first_sign" in out or "status" in out and "abc" in out:
        out["status"] = out["status"].map(lambda v: label(v, lang), na_action="ignore")
    elif "status" in out:
        out["status"] = out["status"].map(lambda v: E.FEEDBACK_STATUS.label(v, lang)
                                          if v in E.FEEDBACK_STATUS.values else v, na_action="ignore")
    for col in ("level", "method", "used"):
        if col in out:
            out[col] = out[col].map(lambda v: label(v, lang), na_action="ignore")
    if "series" in out:
        out["series"] = out["series"].map(lambda v: text(f"series.{v}", lang), na_action="ignore")
    if "key" in out and "level" in frame:
        out.loc[(frame["level"] == "company").to_numpy(), "key"] = label("company", lang)
    elif "key" in out:
        out.loc[(frame["key"] == COMPANY_KEY).to_numpy(), "key"] = label("company", lang)
    for col in ("better_than_naive", "linked"):
        if col in out:
            out[col] = out[col].map(lambda v: label("yes" if v else "no", lang), na_action="ignore")
    if "age_bucket" in out:
        out["age_bucket"] = out["age_bucket"].map(lambda v: str(v).replace("over_", ">"), na_action="ignore")
    return out


def _buckets(frame: pd.DataFrame) -> pd.DataFrame:
    """Age-bucket columns ("31-60", "over_90") headed as days ("31-60 days", ">90 days")."""
    return frame.rename(columns={c: c.replace("over_", ">") for c in frame.columns if c[0].isdigit() or
                                 c.startswith("over_")})


def _sheet(key: str, frame: pd.DataFrame, lang: str, charts: Sequence[ChartSpec] = ()) -> SheetFrame:
    shown = _values(frame, lang)
    fmts = {}
    for col in frame.columns:
        kind = ("money" if col in MONEY else "percent" if col in PERCENT else "number" if col in NUMBER
                else "date" if col in DATES else None)
        if kind:
            fmts[label(col, lang)] = kind
    shown.columns = [label(c, lang) for c in frame.columns]
    return SheetFrame(sheet_name(key, lang), shown, fmts, table_name=f"A_{key}", charts=tuple(charts))


def _anchor(frame: pd.DataFrame) -> str:
    """Below the table, one blank row between: the sheet prints one page wide with the chart under its data."""
    return f"A{len(frame) + 3}"


#: Break points: after each CJK character or punctuation, else between words.
_TOKENS = re.compile(r"[\u3000-\u9fff\uff00-\uffef]|[^\s\u3000-\u9fff\uff00-\uffef]+\s*|\s+")
#: Display width of one line of the definitions and the summary (CJK characters count two).
LINE_WIDTH = 56  # the writer caps a column at MAX_WIDTH (60)


def wrap_lines(text_value: str, width: int = LINE_WIDTH) -> list[str]:
    """``text_value`` cut into lines of at most ``width`` display columns, at spaces where there are any (rows
    of their own: a wrapped cell keeps one line's height in the rows XlsxWriter does not measure)."""
    lines: list[str] = []
    line = ""
    for word in _TOKENS.findall(text_value):
        if line and display_width(line + word) > width:
            lines.append(line.rstrip())
            line = ""
        line += word
    return [*lines, line.rstrip()] if line.strip() else lines


def workbook_sheets(out: AnalysisOutput) -> list[SheetFrame]:
    """The statistics workbook (统计月报) in its fixed order: about (definitions), summary, company by month,
    departments, product lines and salespeople by month (customers by month are in the JSON: a
    printed workbook keeps the customers' tables year to date), year to date, product-line mix, top 10 customers, customers,
    concentration, customer
    status, DSO, days to pay, feedback, open complaints, complaints by owner, forecast, the pipeline sheets,
    findings."""
    res, lang = out.result, out.lang
    L = lambda k: label(k, lang)  # noqa: E731
    i = 0 if lang == "en" else 1
    entries = [(text("workbook", lang, period=res.period),
                text("window", lang, first=res.months[0], last=res.months[-1], period=res.period, files=out.files)),
               *((names[i], words[i]) for names, words in DEFINITIONS.values())]
    about = pd.DataFrame([{"term": term if n == 0 else "", "definition": line}
                          for term, words in entries for n, line in enumerate(wrap_lines(words))])
    about_sheet = _sheet("about", about, lang)
    summary = SheetFrame(sheet_name("summary", lang), pd.DataFrame(
        {L("finding"): [("• " if n == 0 else "  ") + line for s in out.sentences
                        for n, line in enumerate(wrap_lines(s, LINE_WIDTH - 2))]}), table_name="A_summary")
    company = res.monthly[res.monthly["level"] == "company"].drop(columns=["level", "key"])
    company_chart = ChartSpec(text("chart_company", lang), L("month"), (L("signing"),), lines=(L("collection"),),
                              anchor=_anchor(company))
    depts = res.monthly[res.monthly["level"] == "department"].drop(columns=["level"])
    lines_m = res.monthly[res.monthly["level"] == "product_line"].drop(columns=["level"])
    people_m = res.monthly[res.monthly["level"] == "salesperson"].drop(columns=["level"])
    ytd = res.ytd
    lines = ytd[ytd["level"] == "product_line"].drop(columns=["level", "department"])
    lines_chart = ChartSpec(text("chart_lines", lang), L("key"), (L("signing"), L("gross_margin")),
                            anchor=_anchor(lines))
    top = res.customers.head(A.TOP_N)[["rank", "customer", "signing", "share", "cum_share", "abc"]]
    cust_chart = ChartSpec(text("chart_customers", lang), L("customer"), (L("signing"),), anchor=_anchor(top))
    dso_chart = ChartSpec(text("chart_dso", lang), L("key"), (L("dso"),), anchor=_anchor(res.dso), y_format="0")
    fc = res.forecasts.merge(
        res.forecast_values.pivot_table(index=["series", "key"], columns="month", values="value").reset_index(),
        on=["series", "key"], how="left") if len(res.forecasts) else res.forecasts
    sheets = [
        about_sheet, summary, _sheet("company", company, lang, [company_chart]),
        _sheet("departments", depts, lang), _sheet("lines_month", lines_m, lang),
        _sheet("people_month", people_m, lang),
        _sheet("ytd", ytd, lang), _sheet("lines", lines, lang, [lines_chart]),
        _sheet("top", top, lang, [cust_chart]), _sheet("customers", res.customers, lang),
        _sheet("concentration", res.concentration, lang), _sheet("customer_status", res.customer_status, lang),
        _sheet("dso", res.dso, lang, [dso_chart]), _sheet("payment", res.payment, lang),
        _sheet("feedback", res.feedback, lang), _sheet("complaints", res.complaints, lang),
        _sheet("owners", _buckets(res.complaint_owners), lang), _sheet("forecast", fc, lang),
    ]
    for spec in sheets:  # forecast months are money columns
        if spec.table_name == "A_forecast":
            spec.formats.update({c: "money" for c in spec.frame.columns if str(c)[:2] == "20"})
    pipe = res.pipeline
    if pipe is not None:
        stage_chart = ChartSpec(text("chart_stages", lang), L("stage"), (L("amount"), L("weighted")),
                                anchor=_anchor(pipe.by_stage))
        cov = pipe.coverage
        cov_chart = ChartSpec(text("chart_coverage", lang), L("key"), (L("weighted_open"), L("remaining_target")),
                              anchor=_anchor(cov))
        sheets += [_sheet("stages", pipe.by_stage, lang, [stage_chart]), _sheet("routes", pipe.by_route, lang),
                   _sheet("pipe_lines", pipe.by_product_line, lang), _sheet("coverage", cov, lang, [cov_chart]),
                   _sheet("win_loss", pipe.win_loss, lang), _sheet("lost_reasons", pipe.lost_reasons, lang),
                   _sheet("aged", pipe.aged, lang), _sheet("won", pipe.won, lang)]
    return sheets + findings_sheets(out.findings, lang)


def write_workbook(out: AnalysisOutput, path: str | Path) -> Path:
    """The statistics workbook (统计月报), atomically; the same data gives the same bytes."""
    return write_frames(path, workbook_sheets(out), out.lang)


# --- HTML -------------------------------------------------------------------------------------------------

_PAGE = """<!DOCTYPE html>
<html lang="{{ 'zh-CN' if lang == 'zh' else 'en' }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei",Arial,sans-serif;margin:24px;color:#222}
h1{font-size:22px}h2{font-size:17px;border-bottom:2px solid #1F4E78;padding-bottom:3px;margin-top:28px}
table{border-collapse:collapse;font-size:12px;margin:6px 0 14px}th,td{border:1px solid #ccc;padding:3px 6px}
th{background:#1F4E78;color:#fff;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
ul.summary li{margin:4px 0}.bar{background:#5B9BD5;height:10px;display:inline-block}
dl dt{font-weight:bold;margin-top:6px}dl dd{margin-left:16px}
@media print{section{break-inside:avoid-page}thead{display:table-header-group}}
</style></head><body>
<h1>{{ title }}</h1><p>{{ window }}</p>
<section id="summary"><h2>{{ sheets.summary }}</h2><ul class="summary">
{% for s in summary %}<li>{{ s }}</li>{% endfor %}</ul></section>
{% for t in tables %}<section id="{{ t.id }}"><h2>{{ t.title }}</h2>{{ t.html | safe }}</section>{% endfor %}
<section id="about"><h2>{{ sheets.about }}</h2><dl>
{% for d in definitions %}<dt>{{ d[0] }}</dt><dd>{{ d[1] }}</dd>{% endfor %}</dl></section>
</body></html>
"""


def _cell(col: str, v: Any) -> tuple[str, bool]:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "", False
    if col in MONEY:
        return fmt_money(float(v), grouped=True, blank=""), True
    if col in PERCENT:
        return f"{float(v):.1%}", True
    if col in NUMBER:
        return f"{float(v):,.1f}", True
    if col in DATES:
        return pd.Timestamp(v).strftime("%Y-%m-%d"), False
    return str(v), isinstance(v, (int, float))


def html_table(frame: pd.DataFrame, lang: str, bar: str | None = None) -> str:
    """A frame as an HTML table with headers and values in ``lang``; ``bar``: a column drawn as a bar too."""
    shown = _values(frame, lang)
    head = "".join(f"<th>{html.escape(label(c, lang))}</th>" for c in frame.columns)
    rows = []
    for raw, vis in zip(frame.to_dict("records"), shown.to_dict("records")):
        cells = []
        for c in frame.columns:
            value, numeric = _cell(c, vis[c] if c not in MONEY | PERCENT | NUMBER else raw[c])
            extra = ""
            if bar == c and raw[c] is not None and pd.notna(raw[c]):
                extra = f' <span class="bar" style="width:{max(0.0, min(float(raw[c]), 1.0)) * 120:.0f}px"></span>'  # a bar width in pixels, not money
            cls = ' class="n"' if numeric else ""
            cells.append(f"<td{cls}>{html.escape(value)}{extra}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def html_page(out: AnalysisOutput) -> str:
    """The analysis as one self-contained HTML page."""
    res, lang = out.result, out.lang
    company = res.monthly[res.monthly["level"] == "company"].drop(columns=["level", "key"])
    tables = [("company", company, None), ("ytd", res.ytd[res.ytd["level"].isin(["company", "department",
                                                                                    "product_line"])], None),
              ("customers", res.customers.head(30), "cum_share"), ("concentration", res.concentration, None),
              ("customer_status", res.customer_status[res.customer_status["status"].isin(["new", "lost"])], None),
              ("dso", res.dso, None), ("payment", res.payment.head(20), None),
              ("complaints", res.complaints, None), ("owners", _buckets(res.complaint_owners), None),
              ("forecast", res.forecasts, None)]
    if res.pipeline is not None:
        p = res.pipeline
        tables += [("stages", p.by_stage, None), ("routes", p.by_route, None), ("coverage", p.coverage, "coverage"),
                   ("win_loss", p.win_loss, None), ("lost_reasons", p.lost_reasons, None), ("aged", p.aged, None),
                   ("won", p.won, None)]
    env = Environment(autoescape=True)
    return env.from_string(_PAGE).render(
        lang=lang, title=text("title", lang, period=res.period),
        window=text("window", lang, first=res.months[0], last=res.months[-1], period=res.period, files=out.files),
        summary=out.sentences, sheets={k: sheet_name(k, lang) for k in SHEETS},
        tables=[{"id": k, "title": sheet_name(k, lang), "html": html_table(f, lang, bar)} for k, f, bar in tables],
        definitions=[(n[0 if lang == "en" else 1], w[0 if lang == "en" else 1]) for n, w in DEFINITIONS.values()])


def write_analysis(out: AnalysisOutput, out_dir: str | Path, formats: Sequence[str] = ("xlsx", "html", "json")
                   ) -> list[Path]:
    """``analysis-<period>[-zh].xlsx|html|json`` into ``out_dir`` (each written atomically)."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"analysis-{out.result.period}" + ("-zh" if out.lang == "zh" else "")
    written = []
    if "xlsx" in formats:
        written.append(write_workbook(out, folder / f"{stem}.xlsx"))
    if "html" in formats:
        page = html_page(out)
        written.append(atomic_save(folder / f"{stem}.html", lambda tmp: Path(tmp).write_text(page, encoding="utf-8")))
    if "json" in formats:
        written.append(write_json(folder / f"{stem}.json", out.payload))
    return written


def text_summary(out: AnalysisOutput) -> str:
    """The sentences and the company's year-to-date line, for the terminal."""
    lang = out.lang
    ytd = out.result.ytd
    head = _values(ytd[ytd["level"].isin(["company", "product_line"])][["level", "key", "signing", "gross_margin",
                                                                          "collection", "yoy"]], lang)
    for col in ("signing", "gross_margin", "collection"):
        head[col] = ytd.loc[head.index, col].map(money_words)
    head["yoy"] = ytd.loc[head.index, "yoy"].map(percent_words)
    head.columns = [label(c, lang) for c in head.columns]
    return "\n".join([text("title", lang, period=out.result.period), *("- " + s for s in out.sentences), "",
                      text_table(head)])
