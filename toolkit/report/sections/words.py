"""The report's words and shapes every section shares: titles and sentences (``TEXT``), column labels and
kinds (``COLUMNS``), total rows, the money unit."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ...core import completion as C
from ...core import funds as F
from ...outputs.labels import LABELS
from ...i18n import register, t
from ...core.ledger import Ledger
from ...money import round_series
from ...schema import DEPARTMENT, STANDARDS
from .. import filters as FL


#: Section titles and report text.
TEXT: dict[str, tuple[str, str]] = {
    "title": ("Marketing monthly report", "营销月度报告"),
    "subtitle": ("Report to the general manager, {period}", "致总经理的月度报告（{period}）"),
    "headline": ("Headline figures", "核心指标"),
    "contracts": ("Contracts signed and their performance", "合同签订与履约"),
    "completion": ("Indicator completion", "指标完成情况"),
    "completion_department": ("By department", "按部门"),
    "completion_salesperson": ("By salesperson", "按销售人员"),
    "funds": ("Fund recovery and receivables", "资金回笼与应收账款"),
    "aging": ("Receivables aging at {as_of}", "应收账款账龄（截至 {as_of}）"),
    "overdue": ("Longest overdue receivables", "逾期最久的应收款"),
    "demand": ("Fund demand, next {n} months", "未来 {n} 个月资金需求"),
    "expenses": ("Expenses against budget", "费用与预算"),
    "expenses_budget": ("Spend against the budget by category (the Budget sheets)",
                        "按类别的费用与预算（预算表）"),
    "expenses_category": ("By category", "按类别"),
    "policy": ("Policy findings", "费用政策问题"),
    "royalties": ("Royalties and floating salary payable", "应付提成与浮动工资"),
    "salary": ("Floating salary", "浮动工资"),
    "manual": ("Manual adjustments (bonus, penalty, draw, recovery, correction)", "手工调整（奖金、罚款、预支、扣回、更正）"),
    "appraisal": ("Appendix: appraisal ranking, {quarter} to date", "附录：考核排名（{quarter}，截至本月）"),
    "appraisal_note": ("A ranking on the appraisal score over {quarter} so far, not a grade: each person's one grade "
                       "is the year-to-date grade under Floating salary.",
                       "按{quarter}截至本月的考核得分排名，不是考核等级：每人唯一的等级是上文浮动工资中的年度累计等级。"),
    "feedback": ("Market feedback", "市场反馈"),
    "trend": ("Sales trend and forecast", "销售趋势与预测"),
    "quality": ("Data quality", "数据质量"),
    "red_indicators": ("Red indicators", "红灯指标"),
    "summary": ("Executive summary", "摘要"),
    "left_out": ("Not in these figures: {items}. Company totals exclude them.",
                 "以下部门未汇总，不在本报告数据中：{items}。公司合计不含这些部门。"),
    "complete": ("All {files} department workbook(s) are in these figures.", "全部 {files} 个部门工作簿均已纳入本报告。"),
    "pay_excluded": ("Totals exclude {n_people} employee(s) not computed because their department was not "
                     "consolidated ({departments}).",
                     "合计不含因部门未汇总而未计算的 {n_people} 名员工（{departments}）。"),
    "unit_note": ("Amounts in {unit}.", "金额单位：{unit}。"),
    "unit_note_book": ("Amounts in {unit_book}.", "金额单位：{unit_book}。"),
    "owners": ("Overdue receivables by owner: who to chase", "逾期应收款负责人（催收清单）"),
    "history": ("Last 12 months", "近12个月趋势"),
    "chart_history": ("Last 12 months", "近12个月趋势"),
    "rag_note_plan": ("RAG: plan-to-date completion against 100% (amber within {band} points); annual completion "
                      "is read against time progress {tp}.",
                      "亮灯：累计计划完成率对比100%（差距{band}个百分点以内为黄灯）；年度完成率对比时间进度{tp}。"),
    "rag_note_time": ("RAG: annual completion against time progress {tp} (amber within {band} points).",
                      "亮灯：年度完成率对比时间进度{tp}（差距{band}个百分点以内为黄灯）。"),
    "top_findings": ("Top findings", "主要问题"),
    "none": ("None.", "无。"),
    "time_progress_note": ("Time progress {tp}.", "时间进度 {tp}。"),
    "quality_note": ("{errors} error(s) and {warnings} warning(s) listed below, from {finding_files} file(s).",
                     "下列 {errors} 个错误、{warnings} 个警告，来自 {finding_files} 个文件。"),
    "chart_completion": ("Completion by department", "各部门完成率"),
    "chart_trend": ("Signing and collections, with forecast", "签约与回款趋势及预测"),
    "chart_aging": ("Receivables aging", "应收账款账龄"),
    "forecast_note": ("Company method: {method}. Backtest error {mase} (below 1: better than repeating the last"
                      " value or season).", "公司预测方法：{method}。回测误差 {mase}（小于 1 表示优于简单沿用上期或去年同期）。"),
    "generated_from": ("Computed from {files} workbook(s).", "根据 {files} 个工作簿计算。"),
    "market": ("Market: customers, product lines and pipeline", "市场：客户、产品线与商机"),
    "market_customers": ("Top customers this year (Pareto)", "本年主要客户（帕累托）"),
    "market_lines": ("Product-line mix and margin this year", "本年产品线结构与毛利"),
    "market_moves": ("New and lost customers (last 12 months)", "新客户与流失客户（近12个月）"),
    "market_dso": ("Days sales outstanding", "应收周转天数"),
    "market_late": ("Customers paying late against their terms", "超出账期回款的客户"),
    "market_pipeline": ("Pipeline coverage of the remaining Signing target", "商机对剩余签约目标的覆盖"),
    "market_feedback": ("Feedback by month (last 12 months)", "近12个月市场反馈"),
    "chart_pareto": ("Customers: signing and cumulative share", "客户签约额与累计占比"),
    "chart_lines": ("Product lines: signing and gross margin", "产品线签约额与毛利"),
    "market_note": ("Definitions: docs/analysis.md; the full tables: toolkit analysis.",
                    "定义见 docs/analysis.md；完整表格请运行 toolkit analysis。"),
}


register({f"report.text.{k}": v for k, v in TEXT.items()})


INDICATOR_KEYS = {ind: ind.lower() for ind in C.INDICATORS}  # "Signing" -> "signing"


#: Report keys whose words differ from the other outputs' (the one label table keeps both).
REPORT_WORDS = {"mase": "mase_explained", "month_actual": "this_month", "clawback": "clawback_note",
                 "not-computed": "status.not-computed",
                 "department-not-consolidated": "reason.department-not-consolidated",
                 **{k: f"note.{k}" for k in ("capped", "below-gate", "no-target", "no-base", "no-tier")},
                 **{k: f"rag.{k}" for k in ("green", "amber", "red")}}


def label(key: str, lang: str) -> str:
    """A report column label in ``lang``, from the one label table (falls back to the key)."""
    key = REPORT_WORDS.get(key, key)
    return t(f"label.{key}", lang) if key in LABELS else key


def text(key: str, lang: str, **params: Any) -> str:
    """A report sentence or section title in ``lang``."""
    return t(f"report.text.{key}", lang, **params)


def change(cur: float | None, prev: float | None) -> float | None:
    """Relative change cur vs prev (None when prev is 0 or missing)."""
    if cur is None or prev is None or pd.isna(cur) or pd.isna(prev) or prev == 0:
        return None
    return float((cur - prev) / abs(prev))


def num(x: Any) -> float | None:
    return None if x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x)) else float(x)


def with_total(frame: pd.DataFrame, first: str, label_text: str, money: Sequence[str] = (),
               counts: Sequence[str] = (), where: pd.Series | None = None) -> pd.DataFrame:
    """``frame`` plus a total row (``_total`` True): ``money`` and ``counts`` columns summed over the rows
    ``where`` selects (all by default); a column with no figure at all stays blank."""
    sel = frame if where is None else frame[where.to_numpy(dtype=bool)]
    total: dict[str, Any] = {c: None for c in frame.columns}
    total[first] = label_text
    for c in money:
        value = pd.to_numeric(sel[c], errors="coerce").astype("float64").sum(min_count=1)
        total[c] = None if pd.isna(value) else float(round_series(pd.Series([value])).iloc[0])
    for c in counts:
        total[c] = int(pd.to_numeric(sel[c], errors="coerce").fillna(0).sum())
    out = frame.assign(_total=False) if "_total" not in frame.columns else frame.copy()
    total["_total"] = True
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


#: Column kinds of every table (what the renderers use to format: money, percent, date, rag, int, number, text).
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "headline": [("indicator", "text"), ("month_actual", "money"), ("previous", "money"), ("mom", "change"),
                 ("last_year", "money"), ("yoy", "change"), ("ytd_target", "money"), ("ytd_actual", "money"),
                 ("ytd_completion", "percent"), ("rag", "rag"), ("annual_completion", "percent")],
    "contracts_by_department": [("department", "text"), ("new_count", "int"), ("new_amount", "money"),
                                ("signed", "int"), ("executing", "int"), ("completed", "int"),
                                ("terminated", "int"), ("contract_amount", "money"), ("delivered", "money"),
                                ("delivery_progress", "percent")],
    "completion_by_department": [("department", "text"), ("indicator", "text"), ("month_target", "money"),
                                 ("month_actual", "money"), ("month_completion", "percent"),
                                 ("ytd_target", "money"), ("ytd_actual", "money"), ("ytd_completion", "percent"),
                                 ("annual_completion", "percent"), ("pacing", "ratio"), ("rag", "rag"),
                                 ("rank", "int")],
    "completion_matrix": [("department", "text"), ("signing", "percent"), ("collection", "percent"),
                          ("expense", "percent"), ("profit", "percent"), ("rag_reference", "percent")],
    "completion_by_salesperson": [("employee_id", "text"), ("name", "text"), ("department", "text")]
    + [(f"{k}{s}", kind) for k in INDICATOR_KEYS.values() for s, kind in (("_completion", "percent"),
                                                                           ("_rag", "rag"))],
    "red_indicators": [("key", "text"), ("name", "text"), ("department", "text"),
                       ("indicator", "text"), ("ytd_actual", "money"), ("ytd_target", "money"),
                       ("ytd_completion", "percent"), ("annual_completion", "percent"), ("rag_reference", "percent"),
                       ("rag", "rag")],
    "aging": [("key", "text"), *[(b, "money") for b in F.BUCKETS], ("total", "money"), ("overdue", "money")],
    "overdue_by_owner": [("employee_id", "text"), ("name", "text"), ("department", "text"), ("contracts", "int"),
                         ("overdue", "money"), ("max_days_overdue", "int")],
    "summary": [("summary", "text")],
    "history": [("month", "text"), ("signing", "money"), ("collection", "money"), ("expense", "money"),
                ("profit", "money"), ("receivables", "money")],
    "overdue": [("contract_no", "text"), ("customer", "text"), ("department", "text"), ("employee_id", "text"),
                ("due_date", "date"), ("days_overdue", "int"), ("bucket", "text"), ("receivable", "money")],
    "fund_demand": [("month", "text"), *[(c, "money") for c in F.DEMAND_COLUMNS]],
    "expenses_by_department": [("department", "text"), ("month_target", "money"), ("month_actual", "money"),
                               ("month_completion", "percent"), ("ytd_target", "money"), ("ytd_actual", "money"),
                               ("ytd_completion", "percent"), ("rag", "rag")],
    "expenses_by_category": [("category", "text"), ("claims", "int"), ("amount", "money"), ("ytd_amount", "money")],
    "expenses_by_budget": [("department", "text"), ("category", "text"), ("month_budget", "money"),
                           ("month_actual", "money"), ("ytd_budget", "money"), ("ytd_actual", "money"),
                           ("variance", "money"), ("ytd_use", "percent"), ("annual_budget", "money")],
    "policy_findings": [("severity", "text"), ("title", "text"), ("file", "text"), ("sheet", "text"),
                        ("cell", "text"), ("message", "text")],
    "royalties": [("employee_id", "text"), ("name", "text"), ("department", "text"), ("plan", "text"),
                  ("ytd_base", "money"), ("completion", "percent"), ("tier_rate", "percent"),
                  ("ytd_royalty", "money"), ("previous_ytd_royalty", "money"), ("payment", "money"),
                  ("note", "text"), ("pay_status", "text")],
    "appraisal": [("company_rank", "int"), ("department_rank", "int"), ("employee_id", "text"), ("name", "text"),
                  ("department", "text"), ("score", "percent"), ("reason", "text")],
    "manual_adjustments": [("employee_id", "text"), ("name", "text"), ("department", "text"),
                           ("adjustment_kind", "text"), ("amount", "money"), ("reason", "text"),
                           ("approved_by", "text")],
    "floating_salary": [("employee_id", "text"), ("name", "text"), ("department", "text"), ("score", "percent"),
                        ("grade", "text"), ("coefficient", "number"), ("floating_base", "money"), ("pay", "money"),
                        ("pay_status", "text")],
    "feedback": [("date", "date"), ("department", "text"), ("customer", "text"), ("product_line", "text"),
                 ("type", "text"), ("content", "text"), ("owner", "text"), ("status", "text")],
    "feedback_summary": [("type", "text"), ("count", "int"), ("open", "int")],
    "trend": [("month", "text"), ("signing", "money"), ("collection", "money"), ("signing_forecast", "money")],
    "forecast": [("key", "text"), ("method", "text"), ("history_months", "int"), ("mase", "ratio"),
                 ("m1", "money"), ("m2", "money"), ("m3", "money")],
    "findings": [("severity", "text"), ("title", "text"), ("file", "text"), ("sheet", "text"), ("cell", "text"),
                 ("value", "text"), ("message", "text")],
    "market_summary": [("summary", "text")],
    "market_customers": [("rank", "int"), ("customer", "text"), ("signing", "money"), ("market_share", "percent"),
                         ("cum_share", "percent"), ("abc", "text"), ("share_change", "change"),
                         ("customer_status", "text")],
    "market_lines": [("product_line", "text"), ("signing", "money"), ("market_share", "percent"), ("gross_margin", "money"),
                     ("margin_rate", "percent"), ("yoy", "change")],
    "market_moves": [("customer_status", "text"), ("customer", "text"), ("department", "text"),
                     ("last_sign", "date"), ("signing_12m", "money"), ("signing_prev_12m", "money")],
    "market_dso": [("department", "text"), ("receivables", "money"), ("overdue", "money"), ("overdue_90", "money"),
                   ("delivered_90d", "money"), ("dso", "number")],
    "market_late": [("customer", "text"), ("days_to_pay", "number"), ("terms", "number"), ("days_late", "number"),
                    ("overdue", "money")],
    "market_pipeline": [("department", "text"), ("weighted_open", "money"), ("remaining_target", "money"),
                        ("coverage", "percent")],
    "market_feedback": [("month", "text"), ("complaint", "int"), ("suggestion", "int"), ("competitor", "int"),
                        ("market", "int")],
    "findings_summary": [("severity", "text"), ("title", "text"), ("count", "int")],
}


_SCHEMA_LABELS = {
    "contract_no": DEPARTMENT.table("Contracts").column("contract_no").label,
    "customer": DEPARTMENT.table("Contracts").column("customer").label,
    "product_line": DEPARTMENT.table("Contracts").column("product_line").label,
    "category": DEPARTMENT.table("Expenses").column("category").label,
    "date": DEPARTMENT.table("Feedback").column("date").label,
    "type": DEPARTMENT.table("Feedback").column("type").label,
    "content": DEPARTMENT.table("Feedback").column("content").label,
    "owner": DEPARTMENT.table("Feedback").column("owner").label,
    "status": DEPARTMENT.table("Feedback").column("status").label,
    "name": STANDARDS.table("Roster").column("name").label,
}


def column_label(key: str, lang: str) -> str:
    """Header of a report table column: the schema's label for ledger columns, else the report's own."""
    if key.endswith("_completion") and key[: -len("_completion")] in INDICATOR_KEYS.values():
        return f"{label(key[: -len('_completion')], lang)} {label('ytd_completion', lang)}" if lang == "en" \
            else f"{label(key[: -len('_completion')], lang)}{label('ytd_completion', lang)}"
    if key.endswith("_rag") and key[: -len("_rag")] in INDICATOR_KEYS.values():
        return f"{label(key[: -len('_rag')], lang)} {label('rag', lang)}"
    if key in _SCHEMA_LABELS:
        return _SCHEMA_LABELS[key](lang)
    if key == "not_due" or re.fullmatch(r"\d+-\d+|over_\d+", key):
        return F.bucket_label(key, lang)
    return label(key, lang)


def money_unit(ledger: Ledger, lang: str) -> dict[str, str]:
    """The money unit of the report: yuan, or 万元 in Chinese when the Thresholds say Report in 10k Yuan = 1."""
    key = "wan" if lang == "zh" and ledger.threshold("Report in 10k Yuan") >= 0.5 else "yuan"
    return {"key": key, "label": FL.unit_label(key, lang)}
