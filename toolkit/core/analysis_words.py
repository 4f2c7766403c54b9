"""The analysis' findings in words, English and Chinese: the statistics workbook, the HTML page, the CLI and the
monthly report's market section say the same sentences (``toolkit.core.analysis`` finds them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..i18n import register, t
from ..money import round_money, fmt_money
from .completion import COMPANY_KEY

if TYPE_CHECKING:
    from .analysis import Analysis  # type hints only

TEXT: dict[str, tuple[str, str]] = {
    "title": ("Sales statistics and market analysis, {period}", "销售统计与市场分析（{period}）"),
    "workbook": ("Standard monthly sales statistics, {period}", "统计月报（{period}）"),
    "window": ("Months {first} to {last}; year to date January to {period}; figures from {files} workbook(s).",
               "统计区间 {first} 至 {last}；本年累计为 1 月至 {period}；数据来自 {files} 个工作簿。"),
    "concentration": ("{customers} customers signed this year; the top 10 hold {top10} of signing (HHI {hhi}); "
                      "{a} customers make up class A (the first 80%).",
                      "本年共有 {customers} 个客户签约；前十大客户占签约额 {top10}（HHI {hhi}）；A 类客户（前 80%）{a} 个。"),
    "share_jump": ("{customer}'s share of signing rose to {share} from {py_share} in the same months last year.",
                   "{customer} 的签约占比由去年同期的 {py_share} 升至 {share}。"),
    "line_decline": ("{line} is in decline: {signing} signed this year, {yoy} against the same months last year "
                     "({py_signing}).", "{line} 呈下滑趋势：本年签约 {signing}，较去年同期（{py_signing}）{yoy}。"),
    "line_top": ("{line} is the largest product line: {share} of signing at a {margin} gross margin.",
                 "{line} 是最大的产品线：占签约额 {share}，毛利率 {margin}。"),
    "late_payer": ("{customer} pays {days} days after signing on average against {terms}-day terms: {late} days "
                   "late.", "{customer} 平均在签约后 {days} 天回款，账期 {terms} 天：平均逾期 {late} 天。"),
    "customers_moves": ("Customers over the last 12 months: {new} new, {returning} returning; {lost} lost (bought "
                        "in the 12 months before, nothing since).",
                        "近 12 个月客户：新客户 {new} 个，老客户 {returning} 个；流失 {lost} 个（前 12 个月有签约，此后没有）。"),
    "lost_customer": ("Lost customer: {customer}, last contract {last}, {signing} signed in the 12 months before.",
                      "流失客户：{customer}，最近签约 {last}，前 12 个月签约 {signing}。"),
    "dso": ("DSO {dso} days: receivables {receivables} against delivery over the last 90 days; {overdue_share} of "
            "the receivables overdue, {long_share} of the overdue by more than 90 days.",
            "应收周转天数（DSO）{dso} 天：应收余额 {receivables}，对比近 90 天履约额；逾期占应收 {overdue_share}，"
            "其中逾期超过 90 天的占 {long_share}。"),
    "coverage_low": ("{department}: pipeline coverage {coverage}, weighted open pipeline {weighted} against "
                     "{remaining} of Signing target still to sign this year.",
                     "{department}：商机覆盖率 {coverage}，加权在途商机 {weighted}，本年尚需签约 {remaining}。"),
    "complaints_open": ("{count} complaint(s) open, {old} of them for more than 90 days.",
                        "未结投诉 {count} 条，其中超过 90 天的 {old} 条。"),
    "forecast_naive": ("The {series} forecast for {name} is no better than naive (backtest MASE {mase} against "
                       "{naive} for carrying the last month forward), so the naive forecast is used.",
                       "{name} 的{series}预测不优于朴素预测（回测 MASE {mase}，沿用上月为 {naive}），因此采用朴素预测。"),
    "forecast_check": ("Last month's forecast of {month} Signing ({method}): {forecast}; actual {actual} ({error}).",
                       "上月对 {month} 签约的预测（{method}）：{forecast}；实际 {actual}（{error}）。"),
    "no_pipeline": ("No department keeps an Opportunities sheet: the pipeline is not known.",
                    "没有部门填写商机表：在途商机情况未知。"),
    "chart_company": ("Company signing and collection by month", "公司月度签约与回款"),
    "chart_lines": ("Signing and gross margin by product line, year to date", "本年各产品线签约额与毛利"),
    "chart_customers": ("Top customers' signing, year to date", "本年主要客户签约额"),
    "chart_stages": ("Pipeline by stage", "各阶段商机金额"),
    "chart_coverage": ("Weighted open pipeline against the remaining target", "加权在途商机与剩余目标"),
    "chart_dso": ("DSO by department (days)", "各部门应收周转天数"),
    "series.signing": ("Signing", "签约"), "series.collection": ("Collection", "回款"),
}
register({f"analysis.text.{k}": v for k, v in TEXT.items()})
register({
    "analysis.label.company": ("Company", "公司"),
    "analysis.label.naive": ("naive (last month carried forward)", "朴素预测（沿用上月）"),
    "analysis.label.holt-winters": ("Holt-Winters", "Holt-Winters 指数平滑"),
    "analysis.label.seasonal-naive": ("seasonal naive", "季节朴素预测"),
    "analysis.label.moving-average": ("3-month moving average", "3个月移动平均"),
})
METHODS = ("naive", "holt-winters", "seasonal-naive", "moving-average")


def text(text_key: str, lang: str, **params: Any) -> str:
    """A sentence or title of the analysis in ``lang``."""
    return t(f"analysis.text.{text_key}", lang, **params)


def method_words(method: str, lang: str) -> str:
    """A forecasting method in words."""
    return t(f"analysis.label.{method}", lang) if method in METHODS else method


def percent_words(v: Any, digits: int = 1) -> str:
    """A ratio as people read it (12.3%); "-" when blank."""
    return "-" if v is None or pd.isna(v) else f"{float(v):.{digits}%}"


def number_words(v: Any, digits: int = 1) -> str:
    """A number with thousands separators; "-" when blank."""
    return "-" if v is None or pd.isna(v) else f"{float(v):,.{digits}f}"


def money_words(v: Any) -> str:
    """Money with thousands separators and cents (1,234.50); "-" when blank."""
    return "-" if v is None or pd.isna(v) else fmt_money(float(v), grouped=True)


def sentence(key: str, params: Mapping[str, Any], lang: str) -> str:
    """One finding of ``core.analysis`` in words."""
    p = dict(params)
    for k in ("top10", "share", "py_share", "yoy", "margin", "coverage", "overdue_share", "long_share"):
        if k in p:
            p[k] = percent_words(p[k])
    for k in ("signing", "py_signing", "receivables", "weighted", "remaining"):
        if k in p:
            p[k] = money_words(p[k])
    for k in ("hhi",):
        if k in p:
            p[k] = number_words(p[k], 0)
    for k in ("days", "terms", "late", "dso"):
        if k in p:
            p[k] = number_words(p[k], 0)
    for k in ("mase", "naive"):
        if k in p:
            p[k] = number_words(p[k], 2)
    if "last" in p:
        p["last"] = pd.Timestamp(p["last"]).strftime("%Y-%m-%d")
    if "series" in p:
        p["series"] = text(f"series.{p['series']}", lang)
    if "key" in p:  # "key" is t()'s own argument
        p["name"] = t("analysis.label.company", lang) if p["key"] == COMPANY_KEY else p["key"]
        del p["key"]
    return text(key, lang, **p)


def check_sentence(check: Mapping[str, Any], lang: str) -> str | None:
    """Last month's signing forecast against the actual, in words (None without one)."""
    if check.get("forecast") is None:
        return None
    return text("forecast_check", lang, month=check["month"], method=method_words(str(check["method"]), lang),
                forecast=money_words(check["forecast"]), actual=money_words(check["actual"]),
                error=("-" if check["error"] is None else f"{check['error']:+.1%}"))


def sentences(res: Analysis, lang: str) -> list[str]:
    """The analysis' findings in ``lang``, in the order core found them, the forecast check last."""
    out = [sentence(k, p, lang) for k, p in res.sentences]
    if res.pipeline is None:
        out.append(text("no_pipeline", lang))
    check = check_sentence(res.forecast_check, lang)
    return out + ([check] if check else [])


