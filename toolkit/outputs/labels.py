"""The one bilingual label table of the computation outputs: column headers, values and sheet items.

Headers of schema columns come from the schema (never respelled here); every other key is registered
once as ``label.<key>``. JSON keys stay English; labels are for xlsx sheets and text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

import pandas as pd

from ..core.funds import bucket_label
from ..i18n import register, t
from ..schema import DEPARTMENT, STANDARDS
from ..schema import enums as E

_CONTRACTS = DEPARTMENT.table("Contracts")
_COLLECTIONS = DEPARTMENT.table("Collections")
_FORECAST = DEPARTMENT.table("Forecast")
_ROSTER = STANDARDS.table("Roster")
_PLANS = STANDARDS.table("RoyaltyPlans")
_TIERS = STANDARDS.table("RoyaltyTiers")
_LINES = STANDARDS.table("ProductLines")
_BANDS = STANDARDS.table("AppraisalBands")
_WEIGHTS = STANDARDS.table("Appraisal")

#: Output columns that are schema columns: their headers are the schema's.
SCHEMA_LABELS: dict[str, Callable[[str], str]] = {
    "contract_no": _CONTRACTS.column("contract_no").label,
    "customer": _CONTRACTS.column("customer").label,
    "employee_id": _CONTRACTS.column("employee_id").label,
    "product_line": _CONTRACTS.column("product_line").label,
    "sign_date": _CONTRACTS.column("sign_date").label,
    "amount": _CONTRACTS.column("amount").label,
    "delivered": _CONTRACTS.column("delivered").label,
    "expected_collections": _FORECAST.column("expected_collections").label,
    "expected_spending": _FORECAST.column("expected_spending").label,
    "receipt_no": _COLLECTIONS.column("receipt_no").label,
    "name": _ROSTER.column("name").label,
    "department": _ROSTER.column("department").label,
    "plan": _PLANS.column("plan").label,
    "basis": _PLANS.column("basis").label,
    "method": _PLANS.column("method").label,
    "factor": _LINES.column("royalty_factor").label,
    "rate": _TIERS.column("rate").label,
    "floating_base": _ROSTER.column("floating_base").label,
    "grade": _BANDS.column("band_grade").label,
    "coefficient": _BANDS.column("coefficient").label,
    "weight": _WEIGHTS.column("weight").label,
    "term_indicator": _WEIGHTS.column("indicator").label,
    "role": _ROSTER.column("role").label,
}

LABELS: dict[str, tuple[str, str]] = {
    # completion
    "level": ("Level", "层级"),
    "key": ("Key", "对象"),
    "indicator": ("Indicator", "指标"),
    "month_target": ("Month Target", "本月目标"),
    "month_actual": ("Month Actual", "本月实际"),
    "month_completion": ("Month Completion", "本月完成率"),
    "ytd_target": ("YTD Target", "累计目标"),
    "ytd_actual": ("YTD Actual", "累计实际"),
    "ytd_completion": ("Plan-to-date Completion", "累计计划完成率"),
    "time_progress": ("Time Progress", "时间进度"),
    "pacing": ("Pacing (annual ÷ time)", "进度比（年度÷时间）"),
    "annual_target": ("Annual Target", "全年目标"),
    "annual_completion": ("Annual Completion", "年度完成率"),
    "rag_reference": ("RAG Reference", "亮灯基准"),
    "gap": ("Gap", "差额"),
    "needed_per_month": ("Needed per Month", "剩余月均需完成"),
    "rag": ("RAG", "红黄绿"),
    "rank": ("Rank", "排名"),
    "employee": ("Employee", "员工"),
    "company": ("Company", "公司"),
    "green": ("green", "绿"),
    "amber": ("amber", "黄"),
    "red": ("red", "红"),
    # funds
    "due_date": ("Due Date", "到期日"),
    "collected": ("Collected", "已回款"),
    "receivable": ("Receivable", "应收余额"),
    "days_overdue": ("Days Overdue", "逾期天数"),
    "bucket": ("Aging", "账龄"),
    "total": ("Total", "合计"),
    "overdue": ("Overdue", "逾期合计"),
    "month": ("Month", "月份"),
    "receivables_due": ("Receivables Due", "到期应收"),
    "planned_expense": ("Planned Expense", "计划费用"),
    "royalties_payable": ("Royalties Payable", "应付提成"),
    # forecast
    "forecast_method": ("Method", "方法"),
    "backtest_method": ("Backtest Method", "回测方法"),
    "history_months": ("History Months", "历史月数"),
    "mase": ("MASE", "MASE"),
    "value": ("Signing", "签约额"),
    # royalties
    "ytd_base": ("YTD Base", "累计计提基数"),
    "weighted_base": ("Weighted Base", "加权计提基数"),
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
    "note.department-not-consolidated": ("not computed: department not consolidated", "未计算：部门未汇总"),
    # the payout ledger (a month close's royalty statement)
    "status": ("Status", "状态"),
    "computed": ("computed", "已计算"),
    "not-computed": ("not computed: department not consolidated", "未计算：部门未汇总"),
    "paid_to_date": ("Paid to Date", "已付累计"),
    "regular_payment": ("Regular Payment", "本月正常应付"),
    "adjustment": ("Adjustment", "调整"),
    "prior_year_adjustment": ("Prior-year Adjustment", "上年调整"),
    "total_payment": ("Total Payment", "本次合计应付"),
    "item.paid-to-date": ("Paid to date (recorded closes)", "已付累计（已结账记录）"),
    "item.opening": ("Paid to date includes months before the first recorded close, taken as paid at their "
                     "recomputed figures", "已付累计含首次结账记录之前的月份，按重新计算的金额视为已支付"),
    "item.regular": ("Regular payment (this month)", "本月正常应付"),
    "item.adjustment": ("Adjustment {period}: {what} {ident} {change}", "调整 {period}：{what} {ident} {change}"),
    "item.adjustment-other": ("Adjustment {period}: targets or standards changed since it was closed",
                              "调整 {period}：结账后目标或标准有变动"),
    "item.prior-year": ("Prior-year adjustment ({year})", "上年调整（{year} 年）"),
    "item.total-payment": ("Total payment", "本次合计应付"),
    "st.adjustment-other": ("{period}: targets or standards changed since it was closed",
                            "{period}：结账后目标或标准有变动"),
    "st.adjustment-row": ("{period}: {what} {ident} {change}", "{period}：{what} {ident} {change}"),
    "change.added": ("added", "新增"),
    "change.removed": ("removed", "删除"),
    "change.changed": ("changed", "修改"),
    # floating salary
    "score": ("Score", "考核得分"),
    "pay": ("Floating Pay", "浮动工资"),
    "term_value": ("Counted Completion", "计分完成率"),
    "appraised_on": ("Appraised On", "考核依据"),
    "appraisal.own": ("Own completion", "本人完成率"),
    "appraisal.department": ("Department completion", "部门完成率"),
    "appraisal.default": ("Default coefficient", "默认系数"),
    "reason": ("Reason", "原因"),
    "company_rank": ("Company Rank", "公司排名"),
    "department_rank": ("Department Rank", "部门排名"),
    # statements (toolkit.outputs.statements)
    "st.title": ("Statement of pay", "薪酬结算单"),
    "st.period": ("Period", "期间"),
    "st.section.summary": ("This month", "本月结算"),
    "st.section.tiers": ("Tier function T(B)", "档位计算 T(B)"),
    "st.section.weighting": ("Product-line weighting, cap and rounding", "产品线加权、封顶与舍入"),
    "st.section.payout": ("Payment", "支付"),
    "st.section.contributions": ("Receipts and contracts behind the base", "计提基数明细（回款/合同）"),
    "st.section.completion": ("Completion against target", "指标完成情况"),
    "st.section.floating": ("Floating pay", "浮动工资"),
    "st.section": ("Section", "部分"),
    "st.ytd_earned": ("YTD royalty earned", "累计应得提成"),
    "st.paid_to_date": ("Paid to date", "累计已付"),
    "st.this_payment": ("This royalty payment", "本月提成支付"),
    "st.earned_this_month": ("of which earned this month", "其中本月新增"),
    "st.adjustment": ("of which adjustment: {text}", "其中调整：{text}"),
    "st.floating_pay": ("Floating pay", "浮动工资"),
    "st.total": ("Total payable this month", "本月应付合计"),
    "st.recomputed": ("Previous months as recomputed; no recorded payments.",
                      "按重新计算的以前月份；尚无已记录的付款。"),
    "st.plan": ("Plan: {plan}", "方案：{plan}"),
    "st.not-computed": ("Not computed: the department was not consolidated for this period; nothing is paid "
                        "on this statement until it is.",
                        "未计算：本期所在部门未完成合并，合并之前本结算单不作支付。"),
    "st.no-royalty": ("No royalty plan.", "无提成方案。"),
    "st.tier": ("Tier {lo} – {hi}: {base} × {rate}", "全额档 {lo} – {hi}：{base} × {rate}"),
    "st.band": ("Band {lo} – {hi}: {base} × {rate}", "超额档 {lo} – {hi}：{base} × {rate}"),
    "st.tier-rounding": ("Rounding of the bands", "分档舍入"),
    "st.t_of_b": ("T(B)", "T(B)"),
    "st.line": ("{line}: {base} × factor {factor} × T(B)/B", "{line}：{base} × 系数 {factor} × T(B)/B"),
    "st.line.none": ("(no product line)", "（无产品线）"),
    "st.cap": ("Annual cap {cap}", "年度上限 {cap}"),
    "st.rounding": ("Rounding to cents", "舍入到分"),
    "st.base_b": ("YTD base B", "累计计提基数 B"),
    "st.target_y": ("YTD target Y", "累计目标 Y"),
    "st.completion_c": ("YTD completion c = B / Y", "累计完成率 c = B / Y"),
    "st.gate": ("Gate", "门槛"),
    "st.reason.below-gate": ("Below the gate: T(B) = 0", "未达门槛：T(B) = 0"),
    "st.reason.no-target": ("No target: T(B) = 0", "无目标：T(B) = 0"),
    "st.reason.no-base": ("No base: T(B) = 0", "无计提基数：T(B) = 0"),
    "st.reason.no-tier": ("Completion in no tier: T(B) = 0", "完成率不在任何档位：T(B) = 0"),
    "st.in_period": ("This month", "本月"),
    "st.file": ("File", "文件"),
    "st.status": ("Status", "状态"),
    "st.status.ok": ("ok", "正常"),
    "st.status.not-computed": ("not computed", "未计算"),
    "st.status.failed": ("failed", "失败"),
    "st.problem": ("Problem", "问题"),
    "st.language": ("Language", "语言"),
    "st.adjustments": ("Adjustments", "调整合计"),
    "st.amount": ("Amount", "金额"),
    # performance files (toolkit.outputs.performance)
    "pf.title": ("Performance file {year}", "业绩档案 {year}"),
    "pf.sheet.summary": ("Summary", "概要"),
    "pf.sheet.months": ("Months", "逐月"),
    "pf.sheet.pay": ("Pay", "薪酬"),
    "pf.sheet.charts": ("Charts", "图表"),
    "pf.sheet.feedback": ("Feedback", "市场反馈"),
    "pf.period": ("Month", "月份"),
    "pf.source_period": ("Computed from", "计算依据"),
    "pf.months": ("Months known", "已知月份"),
    "pf.royalty_payment": ("Royalty Paid", "已付提成"),
    "pf.royalties_paid": ("Royalties paid in the year", "本年已付提成"),
    "pf.floating_paid": ("Floating pay in the year", "本年浮动工资"),
    "pf.last_grade": ("Latest grade", "最新等级"),
    "pf.value": ("Value", "内容"),
    "pf.target": ("{indicator} target", "{indicator}目标"),
    "pf.actual": ("{indicator} actual", "{indicator}实际"),
    "pf.ytd_completion": ("{indicator} YTD completion", "{indicator}累计完成率"),
    "pf.chart.targets": ("Actual vs target by month", "逐月实际与目标"),
    "pf.chart.completion": ("YTD completion vs time progress", "累计完成率与时间进度"),
    "pf.ytd": ("YTD {indicator}: {actual} of {target} ({completion})", "累计{indicator}：{actual} / {target}（{completion}）"),
    "content": ("Content", "内容"),
    "type": ("Type", "类型"),
    # the Findings sheet
    "finding.file": ("File", "文件"),
    "finding.severity": ("Severity", "严重程度"),
    "finding.code": ("Code", "代码"),
    "finding.sheet": ("Sheet", "工作表"),
    "finding.cell": ("Cell", "单元格"),
    "finding.value": ("Value", "值"),
    "finding.message": ("Message", "说明"),
    "points": ("Points", "得分"),
}
register({f"label.{k}": v for k, v in LABELS.items()})

#: Sheet names and titles of the outputs.
register(
    {
        "output.sheet.findings": ("Findings", "问题"),
        "output.sheet.completion": ("Completion", "完成情况"),
        "output.sheet.aging": ("Aging", "账龄"),
        "output.sheet.overdue": ("Overdue", "逾期"),
        "output.sheet.receivables": ("Receivables", "应收账款"),
        "output.sheet.demand": ("Fund Demand", "资金需求"),
        "output.sheet.forecast": ("Forecast", "预测"),
        "output.sheet.history": ("History", "历史"),
        "output.sheet.royalties": ("Royalties", "提成"),
        "output.sheet.salary": ("Floating Salary", "浮动工资"),
        "output.sheet.terms": ("Appraisal Terms", "考核明细"),
        "output.sheet.statements": ("Statements", "结算单"),
        "output.title.completion": ("Indicator completion {period}", "指标完成情况 {period}"),
        "output.title.aging": ("Receivables aging at {as_of}", "应收账款账龄（截至 {as_of}）"),
        "output.title.overdue": ("Overdue contracts", "逾期合同"),
        "output.title.demand": ("Fund demand, next {n} months", "未来 {n} 个月资金需求"),
        "output.title.forecast": ("Signing forecast after {period}", "{period} 之后的签约预测"),
        "output.title.royalties": ("Royalties {period}", "提成 {period}"),
        "output.title.salary": ("Floating salary {period}", "浮动工资 {period}"),
        "output.no-royalties": (
            "Profit and royalties payable exclude royalties (no royalty module or plans available).",
            "利润和应付提成未扣除提成（没有可用的提成计算）。",
        ),
        "output.royalties.totals": (
            "Total: {employees} employee(s), YTD royalty {ytd_royalty}, previous {previous_ytd_royalty}, "
            "payable this month {payment} ({clawbacks} clawback(s), {clawback_amount} clawed back).",
            "合计：{employees} 人，累计提成 {ytd_royalty}，上月累计 {previous_ytd_royalty}，本月应付 {payment}"
            "（追回 {clawbacks} 人，共 {clawback_amount}）。",
        ),
        "output.royalties.ledger": (
            "Payout ledger: paid to date {paid_to_date}, this payment {payment} (adjustments {adjustment}, "
            "prior-year adjustments {prior_year_adjustment}); total payable now {total_payment}.",
            "支付台账：已付累计 {paid_to_date}，本次应付 {payment}（调整 {adjustment}，上年调整 "
            "{prior_year_adjustment}）；本次合计应付 {total_payment}。",
        ),
        "output.royalties.not-computed": (
            "{count} employee(s) not computed (department not consolidated); they are left out of the totals.",
            "{count} 名员工未计算（部门未汇总），不计入合计。",
        ),
        "output.salary.caught-up": ("Floating pay caught up now (months not paid before): {months} — {amount} for "
                                    "{employees} employee(s); total floating pay now {total}.",
                                    "本次补付的浮动工资（此前未支付的月份）：{months}——{employees} 名员工共 {amount}；"
                                    "本次浮动工资合计 {total}。"),
        "output.salary.totals": ("Total: {employees} employee(s), floating pay {pay}.",
                                 "合计：{employees} 人，浮动工资 {pay}。"),
    }
)


def label(key: str, lang: str, **params: str) -> str:
    """The header or item label of ``key`` in ``lang`` (schema columns from the schema); unknown keys as is."""
    if key in SCHEMA_LABELS:
        return SCHEMA_LABELS[key](lang)
    return t(f"label.{key}", lang, **params) if key in LABELS else key


def localized(frame: pd.DataFrame, lang: str, keys: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``frame`` with headers and the level, indicator, RAG and aging values in ``lang`` (xlsx and text).

    ``keys`` maps a column to another label key where one word means two things (``method``)."""
    out = frame.copy()
    if "indicator" in out:
        out["indicator"] = out["indicator"].map(lambda v: E.INDICATOR.label(v, lang), na_action="ignore")
    for col in ("level", "rag"):
        if col in out:
            out[col] = out[col].map(lambda v: label(v, lang) if v in LABELS or v in SCHEMA_LABELS else v,
                                    na_action="ignore")
    if "bucket" in out:
        out["bucket"] = out["bucket"].map(lambda v: bucket_label(v, lang), na_action="ignore")
    if "key" in out and "level" in frame:
        out.loc[frame["level"] == "company", "key"] = label("company", lang)
    keys = keys or {}
    return out.rename(columns={c: label(keys.get(c, c), lang) if not is_bucket(c) else bucket_label(c, lang)
                               for c in out.columns})


def is_bucket(key: object) -> bool:
    """An aging bucket key ("not_due", "31-60", "over_365"), whatever buckets the Thresholds set."""
    text = str(key)
    return text == "not_due" or text.startswith("over_") or bool(re.fullmatch(r"\d+-\d+", text))


def formats(columns: Iterable[str], lang: str, money: Iterable[str] = (), percent: Iterable[str] = (),
            dates: Iterable[str] = ()) -> dict[str, str]:
    """Number formats of the localized headers: money, percent and date columns present in ``columns``."""
    kinds = {c: "money" for c in money} | {c: "percent" for c in percent} | {c: "date" for c in dates}
    cols = set(columns)
    return {(bucket_label(c, lang) if is_bucket(c) else label(c, lang)): k for c, k in kinds.items() if c in cols}
