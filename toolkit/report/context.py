"""The report context: every figure the monthly report shows, built once from the computations.

``build_context(ledger, period, findings=None, lang="en")`` is pure (no file access). It calls the same
library functions as the computing commands (completion, funds, forecast, royalties, appraisal) and only
selects, reshapes and labels their results, so every number in a rendered report equals the commands'
JSON. The result is plain data: dicts of scalars and ``tables`` of DataFrames with column kinds in
``columns`` (documented field by field in templates/README.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..core import analysis as AN
from ..core import appraisal as A
from ..core import completion as C
from ..core import forecast as FC
from ..core import funds as F
from ..core import royalties as R
from ..core.finance import manual_entries
from ..core.analysis_words import check_sentence, sentence
from ..core.analysis_words import sentences as market_sentences
from ..core.findings import Finding, codes, finding_type
from ..outputs.labels import LABELS
from ..i18n import register, t
from ..core.ledger import Ledger
from ..money import round_series
from ..schema import DEPARTMENT, MONTH_KEYS, STANDARDS
from ..schema import enums as E
from . import filters as FL
from .completeness import NOT_COMPUTED, left_out, pay_status
from .history import HistorySource, company_actuals, ledger_history
from .summary import sentences
from ..core.review import review


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
    "expenses_category": ("By category", "按类别"),
    "expenses_budget": ("Spend against the budget by category (the Budget sheets)",
                        "按类别的费用与预算（预算表）"),
    "policy": ("Policy findings", "费用政策问题"),
    "royalties": ("Royalties and floating salary payable", "应付提成与浮动工资"),
    "salary": ("Floating salary", "浮动工资"),
    "manual": ("Manual adjustments (bonus, penalty, draw, recovery, correction)", "手工调整（奖金、罚款、预支、扣回、更正）"),
    "appraisal": ("Appendix: appraisal ranking, {quarter} to date", "附录：考核排名（{quarter}，截至本月）"),
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

#: Finding codes shown as expense policy findings: the catalog's ``policy`` tag.
POLICY_CODES = codes("policy")
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
INDICATOR_KEYS = {ind: ind.lower() for ind in C.INDICATORS}  # "Signing" -> "signing"
TREND_MONTHS = 12
OVERDUE_ROWS = 15


#: Report keys whose words differ from the other outputs' (the one label table keeps both).
_REPORT_WORDS = {"mase": "mase_explained", "month_actual": "this_month", "clawback": "clawback_note",
                 "not-computed": "status.not-computed",
                 "department-not-consolidated": "reason.department-not-consolidated",
                 **{k: f"note.{k}" for k in ("capped", "below-gate", "no-target", "no-base", "no-tier")},
                 **{k: f"rag.{k}" for k in ("green", "amber", "red")}}


def label(key: str, lang: str) -> str:
    """A report column label in ``lang``, from the one label table (falls back to the key)."""
    key = _REPORT_WORDS.get(key, key)
    return t(f"label.{key}", lang) if key in LABELS else key


def text(key: str, lang: str, **params: Any) -> str:
    """A report sentence or section title in ``lang``."""
    return t(f"report.text.{key}", lang, **params)


def _change(cur: float | None, prev: float | None) -> float | None:
    """Relative change cur vs prev (None when prev is 0 or missing)."""
    if cur is None or prev is None or pd.isna(cur) or pd.isna(prev) or prev == 0:
        return None
    return float((cur - prev) / abs(prev))


def _f(x: Any) -> float | None:
    return None if x is None or x is pd.NA or (isinstance(x, float) and np.isnan(x)) else float(x)


def _lookup(frame: pd.DataFrame, indicator: str, month: int) -> float:
    sel = frame[(frame["indicator"] == indicator) & (frame["month"] == month)]
    return float(sel["actual"].sum()) if len(sel) else 0.0


def _appraisal(ledger: Ledger, p: pd.Period, royalties: pd.DataFrame | None, lang: str) -> pd.DataFrame:
    """The appendix: everyone ranked on the appraisal score over the quarter so far (``core.review``),
    per department and company; people on the default coefficient are listed unranked."""
    rv = review(ledger, p.year, (p.month - 1) // 3 + 1, p.month, royalties)
    lines = rv.lines.assign(reason=rv.lines["reason"].map(lambda v: A.reason_text(v, lang)))
    return lines[[c for c, _ in COLUMNS["appraisal"]]].reset_index(drop=True)


def _as_closed(actuals: pd.DataFrame, year: int, closed: pd.DataFrame | None) -> pd.DataFrame:
    """Company actuals (indicator, month, actual) of ``year`` with each closed month as its close stored it."""
    if closed is None or not len(closed):
        return actuals
    mine = closed[closed["period"].str.startswith(f"{year:04d}-") & closed["indicator"].isin(C.INDICATORS)]
    if not len(mine):
        return actuals
    stored = pd.DataFrame({"indicator": mine["indicator"], "month": mine["period"].str[5:7].astype(int),
                           "actual": mine["actual"].astype("float64")})
    keep = actuals.merge(stored[["indicator", "month"]], on=["indicator", "month"], how="left", indicator=True)
    return pd.concat([actuals[(keep["_merge"] == "left_only").to_numpy()], stored], ignore_index=True)


def _history_as_closed(frame: pd.DataFrame, closed: pd.DataFrame | None) -> pd.DataFrame:
    """The 12-month history with each closed month's figures as its close stored them."""
    if closed is None or not len(closed):
        return frame
    out = frame.copy()
    columns = {**{ind: ind.lower() for ind in C.INDICATORS}, "Receivables": "receivables"}
    for rec in closed.to_dict("records"):
        col = columns.get(rec["indicator"])
        if col in out.columns:
            out.loc[out["month"] == rec["period"], col] = rec["actual"]
    return out


def _headline(ledger: Ledger, p: pd.Period, rows: pd.DataFrame, royalties: pd.DataFrame | None,
              lang: str, closed: pd.DataFrame | None = None) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """Headline per indicator (this month, last month, same month last year, YTD) and the monthly trend;
    months already closed as their close stored them (``closed``, from ``stored_history.closed_figures``)."""
    this_year = _as_closed(company_actuals(ledger, p.year, royalties), p.year, closed)
    prev_roy = C.royalty_payments(ledger, f"{p.year - 1}-12") if royalties is not None else None
    last_year = _as_closed(company_actuals(ledger, p.year - 1, prev_roy), p.year - 1, closed)
    company = rows[rows["level"] == "company"].set_index("indicator")
    prev_p = p - 1
    prev_frame = this_year if prev_p.year == p.year else last_year
    out: dict[str, Any] = {}
    table = []
    for ind in C.INDICATORS:
        k = INDICATOR_KEYS[ind]
        row = company.loc[ind] if ind in company.index else None
        cur = _f(row["month_actual"]) if row is not None else 0.0
        prev = _lookup(prev_frame, ind, prev_p.month)
        ly = _lookup(last_year, ind, p.month)
        rec = {
            "indicator": E.INDICATOR.label(ind, lang), "month_actual": cur, "previous": prev,
            "mom": _change(cur, prev), "last_year": ly, "yoy": _change(cur, ly),
            "ytd_target": _f(row["ytd_target"]) if row is not None else None,
            "ytd_actual": _f(row["ytd_actual"]) if row is not None else None,
            "ytd_completion": _f(row["ytd_completion"]) if row is not None else None,
            "rag": row["rag"] if row is not None else None,
        }
        table.append(rec)
        out.update({k: cur, f"{k}_previous": prev, f"{k}_mom": rec["mom"], f"{k}_last_year": ly,
                    f"{k}_yoy": rec["yoy"], f"{k}_ytd": rec["ytd_actual"], f"{k}_ytd_target": rec["ytd_target"],
                    f"{k}_ytd_completion": rec["ytd_completion"], f"{k}_rag": rec["rag"]})
    # trend: the last TREND_MONTHS months of signing and collection
    months = pd.period_range(p - (TREND_MONTHS - 1), p, freq="M")
    trend = pd.DataFrame({
        "month": [str(m) for m in months],
        "signing": [_lookup(this_year if m.year == p.year else last_year, C.SIGNING, m.month)
                    if m.year >= p.year - 1 else None for m in months],
        "collection": [_lookup(this_year if m.year == p.year else last_year, C.COLLECTION, m.month)
                       if m.year >= p.year - 1 else None for m in months],
    })
    return out, pd.DataFrame(table), trend


def _contracts(ledger: Ledger, p: pd.Period) -> pd.DataFrame:
    """Per department: contracts signed this month, the register by status, amount, delivered, progress."""
    c = ledger.tables["Contracts"]
    c = c[c["sign_date"].notna() & (c["sign_date"] <= p.end_time)]
    new = c["sign_date"].dt.to_period("M") == p
    frame = pd.DataFrame({
        "department": c["department"].astype("str"),
        "new_count": new.astype("int64"),
        "new_amount": c["amount"].astype("float64").fillna(0.0).where(new, 0.0),
        "contract_amount": c["amount"].astype("float64").fillna(0.0),
        "delivered": c["delivered"].astype("float64").fillna(0.0),
        **{s.lower(): (c["status"] == s).fillna(False).astype("int64") for s in E.CONTRACT_STATUS.values},
    })
    active = (c["status"] != "Terminated").fillna(True)
    frame["active_amount"] = frame["contract_amount"].where(active, 0.0)
    frame["active_delivered"] = frame["delivered"].where(active, 0.0)
    g = frame.groupby("department", sort=True).sum(numeric_only=True)
    g.loc[label("total", "en")] = g.sum()
    g = g.reset_index()
    g["delivery_progress"] = g["active_delivered"] / g["active_amount"].where(g["active_amount"] != 0)
    for col in ("new_amount", "contract_amount", "delivered"):
        g[col] = round_series(g[col])
    return g.drop(columns=["active_amount", "active_delivered"])


def _completion_tables(rows: pd.DataFrame, ledger: Ledger, lang: str,
                       excluded: Sequence[str] = ()) -> dict[str, pd.DataFrame]:
    # a department left out shows no rows of zeros (the banner names it); real credits to it stay
    money = ["month_target", "month_actual", "ytd_target", "ytd_actual", "annual_target"]
    empty = rows[money].abs().sum(axis=1).eq(0).groupby([rows["level"], rows["department"].where(
        rows["level"] == "employee", rows["key"])]).transform("all")
    gone = empty & rows["department"].where(rows["level"] == "employee", rows["key"]).isin(list(excluded))
    rows = rows[~gone]
    ind_label = rows["indicator"].map(lambda v: E.INDICATOR.label(v, lang))
    dept = rows[rows["level"] != "employee"].assign(
        department=lambda d: d["key"].where(d["level"] != "company", label("company", lang)),
        indicator=ind_label, _total=lambda d: d["level"] == "company")
    by_dept = dept[[c for c, _ in COLUMNS["completion_by_department"]] + ["_total"]].reset_index(drop=True)
    on_time = bool(len(rows)) and float(rows["rag_reference"].iloc[0]) != 1.0
    basis = "annual_completion" if on_time else "ytd_completion"
    wide = rows[rows["level"] != "employee"].pivot_table(
        index="key", columns="indicator", values=basis, sort=False, dropna=False)
    wide = wide.reindex(columns=list(C.INDICATORS))
    matrix = pd.DataFrame({"department": [label("company", lang) if k == C.COMPANY_KEY else k for k in wide.index]})
    for ind in C.INDICATORS:
        matrix[INDICATOR_KEYS[ind]] = wide[ind].to_numpy()
    matrix["rag_reference"] = float(rows["rag_reference"].iloc[0]) if len(rows) else None

    roster = ledger.standard("Roster")
    sales = set(roster.loc[roster["role"] == "Salesperson", "employee_id"].dropna())
    emp = rows[(rows["level"] == "employee") & rows["key"].isin(sales)]
    people = emp.drop_duplicates("key")[["key", "name", "department"]].rename(columns={"key": "employee_id"})
    for ind in C.INDICATORS:
        part = emp[emp["indicator"] == ind].set_index("key")
        k = INDICATOR_KEYS[ind]
        people[f"{k}_completion"] = people["employee_id"].map(part[basis]).astype("float64")
        people[f"{k}_rag"] = people["employee_id"].map(part["rag"]).astype(object)
    red = rows[rows["rag"] == "red"]
    red = red.assign(
        key=red["key"].where(red["level"] != "company", label("company", lang)),
        indicator=red["indicator"].map(lambda v: E.INDICATOR.label(v, lang)),
    )[[c for c, _ in COLUMNS["red_indicators"]]]
    return {"completion_by_department": by_dept, "completion_matrix": matrix,
            "completion_by_salesperson": people.reset_index(drop=True), "red_indicators": red.reset_index(drop=True)}


def _manual(ledger: Ledger, period: str, lang: str) -> pd.DataFrame:
    """The period's manual adjustments (the standards' Adjustments, signed as the close pays them), with a total."""
    entries = manual_entries(ledger.standard("Adjustments"), period, ledger.standard("Roster"))
    cols = [c for c, _ in COLUMNS["manual_adjustments"]]
    if not len(entries):
        return pd.DataFrame(columns=cols)
    frame = entries.assign(adjustment_kind=entries["kind"].map(lambda v: E.ADJUSTMENT_KIND.label(v, lang)))[cols]
    return with_total(frame.reset_index(drop=True), "employee_id", label("total", lang), ["amount"])


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


def _kinds(name: str, *kinds: str) -> list[str]:
    return [c for c, kind in COLUMNS[name] if kind in kinds]


def overdue_by_owner(funds: F.FundsResult, ledger: Ledger) -> pd.DataFrame:
    """Overdue receivables per owner (employee): contracts, amount, longest overdue; largest first."""
    od = funds.overdue
    roster = ledger.standard("Roster").dropna(subset=["employee_id"]).drop_duplicates("employee_id")
    names = pd.Series(roster["name"].to_numpy(), index=roster["employee_id"].to_numpy())
    g = od.groupby(["employee_id", "department"], dropna=False).agg(
        contracts=("contract_no", "count"), overdue=("receivable", "sum"),
        max_days_overdue=("days_overdue", "max")).reset_index()
    g["overdue"] = round_series(g["overdue"].astype("float64"))
    g["name"] = g["employee_id"].map(names)
    g = g.sort_values(["overdue", "employee_id"], ascending=[False, True], kind="stable")
    return g[[c for c, _ in COLUMNS["overdue_by_owner"]]].reset_index(drop=True)


def _expenses(ledger: Ledger, rows: pd.DataFrame, p: pd.Period, lang: str) -> dict[str, pd.DataFrame]:
    exp_rows = rows[(rows["indicator"] == C.EXPENSE) & (rows["level"] != "employee")]
    by_dept = exp_rows.assign(department=exp_rows["key"].where(exp_rows["level"] != "company",
                                                               label("company", lang)))[
        ["department", "month_target", "month_actual", "month_completion", "ytd_target", "ytd_actual",
         "ytd_completion", "rag"]].reset_index(drop=True)
    ex = ledger.tables["Expenses"]
    counted = ex["approval"].isin(C.COUNTED_APPROVALS).fillna(False) | ex["approval"].isna()
    ex = ex[counted & ex["date"].notna()]
    ex = ex[ex["date"].dt.year == p.year]
    month = ex["date"].dt.month == p.month
    ytd = ex["date"].dt.month <= p.month
    cat = pd.DataFrame({"category": ex["category"].astype("str"),
                        "amount": ex["amount"].astype("float64").fillna(0.0).where(month, 0.0),
                        "claims": month.astype("int64"),
                        "ytd_amount": ex["amount"].astype("float64").fillna(0.0).where(ytd, 0.0)})
    cat = cat.groupby("category").sum().reindex(
        [*E.EXPENSE_CATEGORY.values, *sorted(set(cat["category"]) - set(E.EXPENSE_CATEGORY.values))]
    ).dropna(how="all").fillna(0).reset_index()
    cat["claims"] = cat["claims"].astype("int64")
    for col in ("amount", "ytd_amount"):
        cat[col] = round_series(cat[col])
    cat["category"] = cat["category"].map(lambda v: E.EXPENSE_CATEGORY.label(v, lang) if v in E.EXPENSE_CATEGORY.values else v)
    return {"expenses_by_department": by_dept, "expenses_by_category": cat}


def expenses_against_budget(ledger: Ledger, p: pd.Period, lang: str) -> pd.DataFrame:
    """Spend against the budget by category (issue 28): per department that keeps a Budget sheet and per category
    budgeted or spent in, the month's and the year-to-date budget and spend (approved and pending claims, as the
    Expense actuals), the variance (spend − budget to date: above 0 is over budget), the share used and the annual
    budget; a total row last. The Budget is read as the period's year's, as the Plan is."""
    cols = [c for c, _ in COLUMNS["expenses_by_budget"]]
    budget = ledger.tables["Budget"]
    budget = budget[budget["category"].notna()]
    if budget.empty:
        return pd.DataFrame(columns=[*cols, "_total"])
    months = list(MONTH_KEYS[: p.month])
    planned = budget[list(MONTH_KEYS)].astype("float64").fillna(0.0)
    b = pd.DataFrame({"department": budget["department"].astype("str"), "category": budget["category"].astype("str"),
                      "month_budget": planned[MONTH_KEYS[p.month - 1]], "ytd_budget": planned[months].sum(axis=1),
                      "annual_budget": planned.sum(axis=1)}).groupby(["department", "category"]).sum()
    ex = ledger.tables["Expenses"]
    counted = (ex["approval"].isin(C.COUNTED_APPROVALS).fillna(False) | ex["approval"].isna()) & ex["date"].notna()
    ex = ex[counted & (ex["date"].dt.year == p.year) & (ex["date"].dt.month <= p.month)
            & ex["department"].isin(set(b.index.get_level_values("department")))]
    amount = ex["amount"].astype("float64").fillna(0.0)
    spent = pd.DataFrame({"department": ex["department"].astype("str"), "category": ex["category"].astype("str"),
                          "month_actual": amount.where(ex["date"].dt.month == p.month, 0.0),
                          "ytd_actual": amount}).groupby(["department", "category"]).sum()
    both = b.join(spent, how="outer").fillna(0.0).reset_index()
    order = {c: i for i, c in enumerate(E.EXPENSE_CATEGORY.values)}
    dept_order = {d: i for i, d in enumerate(dict.fromkeys(budget["department"].astype("str")))}
    both = both.assign(_d=both["department"].map(dept_order), _c=both["category"].map(order).fillna(len(order)))
    both = both.sort_values(["_d", "_c", "category"], kind="stable").drop(columns=["_d", "_c"])
    for col in ("month_budget", "ytd_budget", "annual_budget", "month_actual", "ytd_actual"):
        both[col] = round_series(both[col])
    both["variance"] = round_series(both["ytd_actual"] - both["ytd_budget"])
    both["ytd_use"] = (both["ytd_actual"] / both["ytd_budget"].where(both["ytd_budget"] > 0)).astype("float64")
    both["category"] = both["category"].map(lambda v: E.EXPENSE_CATEGORY.label(v, lang))
    money = ["month_budget", "month_actual", "ytd_budget", "ytd_actual", "variance", "annual_budget"]
    out = with_total(both[cols].reset_index(drop=True), "department", label("total", lang), money)
    last = out["_total"].astype(bool)
    total_budget = out.loc[last, "ytd_budget"].astype("float64")
    out.loc[last, "ytd_use"] = (out.loc[last, "ytd_actual"].astype("float64") / total_budget.where(total_budget > 0))
    return out


def _findings_frame(findings: Sequence[Finding], lang: str) -> pd.DataFrame:
    recs = [{
        "severity": f.severity, "code": f.code,
        "title": finding_type(f.code).title[1 if lang == "zh" else 0],
        # a finding's file may be missing as NaN (read back from a frame): never shown as "nan"
        "file": (str(f.file).replace("\\", "/").rsplit("/", 1)[-1] if f.file is not None and pd.notna(f.file)
                 and str(f.file) else None),
        "sheet": f.sheet, "cell": f.cell, "value": None if f.value is None else str(f.value),
        "message": f.message(lang),
    } for f in findings]
    frame = pd.DataFrame(recs, columns=["severity", "code", "title", "file", "sheet", "cell", "value", "message"])
    if len(frame):
        frame = frame.assign(_o=frame["severity"].map(SEVERITY_ORDER).fillna(9)).sort_values(
            ["_o", "file", "code"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return frame


def _feedback(ledger: Ledger, p: pd.Period, lang: str) -> dict[str, pd.DataFrame]:
    fb = ledger.tables["Feedback"]
    fb = fb[fb["date"].notna() & (fb["date"].dt.to_period("M") == p)].sort_values("date", kind="stable")
    items = pd.DataFrame({
        "date": fb["date"], "department": fb["department"].astype("str"), "customer": fb["customer"],
        "product_line": fb["product_line"],
        "type": fb["type"].map(lambda v: E.FEEDBACK_TYPE.label(v, lang) if v in E.FEEDBACK_TYPE.values else v),
        "content": fb["content"], "owner": fb["owner"],
        "status": fb["status"].map(lambda v: E.FEEDBACK_STATUS.label(v, lang) if v in E.FEEDBACK_STATUS.values else v),
    }).reset_index(drop=True)
    summary = pd.DataFrame({"type": list(E.FEEDBACK_TYPE.values)})
    summary["count"] = [int((fb["type"] == v).sum()) for v in summary["type"]]
    summary["open"] = [int(((fb["type"] == v) & (fb["status"] != "Closed")).sum()) for v in summary["type"]]
    summary["type"] = summary["type"].map(lambda v: E.FEEDBACK_TYPE.label(v, lang))
    return {"feedback": items, "feedback_summary": summary}


def _forecast(fres: FC.ForecastResult, trend: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    fc = fres.forecast
    months = sorted(fc["month"].astype(str).unique())
    rows = []
    for rec in fres.series.to_dict("records"):
        sel = fc[(fc["level"] == rec["level"]) & (fc["key"] == rec["key"])]
        sel = sel.set_index(sel["month"].astype(str))
        rows.append({"key": label("company", lang) if rec["level"] == "company" else rec["key"],
                     "method": label(rec["method"], lang) if _REPORT_WORDS.get(rec["method"], rec["method"]) in LABELS else rec["method"],
                     "history_months": rec["history_months"], "mase": _f(rec["mase"]),
                     **{f"m{i + 1}": (_f(sel["value"].get(m)) if m in sel.index else None)
                        for i, m in enumerate(months)}})
    table = pd.DataFrame(rows, columns=["key", "method", "history_months", "mase", "m1", "m2", "m3"])
    comp = fc[fc["level"] == "company"]
    future = pd.DataFrame({"month": comp["month"].astype(str).to_numpy(), "signing": None, "collection": None,
                           "signing_forecast": comp["value"].astype("float64").to_numpy()})
    trend = trend.assign(signing_forecast=None)
    if len(trend):  # the forecast line starts at the last actual so the chart joins up
        trend.loc[trend.index[-1], "signing_forecast"] = trend["signing"].iloc[-1]
    both = pd.concat([trend, future], ignore_index=True)
    for col in ("signing", "collection", "signing_forecast"):
        both[col] = pd.to_numeric(both[col], errors="coerce").astype("float64")
    return table, both


def _note(rec: dict[str, Any], lang: str) -> str:
    notes = [label(rec["reason"], lang)] if rec.get("reason") not in (None, "ok") else []
    if rec.get("clawback"):
        notes.append(label("clawback", lang))
    return ", ".join(notes)


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
                  ("department", "text"), ("score", "percent"), ("grade", "text"), ("reason", "text")],
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


def _unit(ledger: Ledger, lang: str) -> dict[str, str]:
    """The money unit of the report: yuan, or 万元 in Chinese when the Thresholds say Report in 10k Yuan = 1."""
    key = "wan" if lang == "zh" and ledger.threshold("Report in 10k Yuan") >= 0.5 else "yuan"
    return {"key": key, "label": FL.unit_label(key, lang)}


def _pay_lines(frame: pd.DataFrame, lines: pd.DataFrame, excluded: Sequence[str], first: str, money: list[str],
               lang: str) -> tuple[pd.DataFrame, pd.Series]:
    """A pay table with its status column and a total row over the computed lines only."""
    status = pay_status(lines, excluded).reset_index(drop=True)
    frame = frame.reset_index(drop=True).assign(
        pay_status=status.map(lambda v: label(v, lang) if _REPORT_WORDS.get(v, v) in LABELS else v))
    return with_total(frame, first, label("total", lang), money, where=status != NOT_COMPUTED), status


MARKET_ROWS = 10
#: The market sentences of the short summaries (Markdown): the company-level ones, not each customer named.
MARKET_BRIEF = ("concentration", "share_jump", "line_decline", "line_top", "customers_moves", "dso", "coverage_low",
                "complaints_open")


def _market(ledger: Ledger, period: str, lang: str) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """The market section: top customers and concentration, product-line mix and margin, new and lost
    customers, DSO and late payers, pipeline coverage, the feedback trend; the analysis' sentences and last
    month's forecast against the actual (``toolkit.core.analysis``, the same figures as ``toolkit analysis``)."""
    a = AN.compute_analysis(ledger, period, 12)
    status = lambda v: label(v, lang) if v in LABELS else v  # noqa: E731
    cust = a.customers.head(MARKET_ROWS)
    customers = pd.DataFrame({"rank": cust["rank"], "customer": cust["customer"], "signing": cust["signing"],
                              "market_share": cust["share"], "cum_share": cust["cum_share"], "abc": cust["abc"],
                              "share_change": cust.get("share_change"),
                              "customer_status": cust["status"].map(status)})
    ytd = a.ytd
    total = float(ytd.loc[ytd["level"] == "company", "signing"].sum())
    pl = ytd[ytd["level"] == "product_line"]
    lines = pd.DataFrame({"product_line": pl["key"], "signing": pl["signing"],
                          "market_share": pl["signing"] / total if total else None, "gross_margin": pl["gross_margin"],
                          "margin_rate": pl["margin_rate"], "yoy": pl["yoy"]})
    lines = with_total(lines.reset_index(drop=True), "product_line", label("total", lang), ["signing", "gross_margin"])
    lines.loc[lines["_total"], "market_share"] = 1.0 if total else None
    lines.loc[lines["_total"], "margin_rate"] = float(ytd.loc[ytd["level"] == "company", "margin_rate"].iloc[0]) \
        if total else None
    st = a.customer_status
    moves = pd.concat([st[st["status"] == "new"].sort_values("signing_12m", ascending=False, kind="stable")
                       .head(MARKET_ROWS),
                       st[st["status"] == "lost"].sort_values("signing_prev_12m", ascending=False, kind="stable")
                       .head(MARKET_ROWS)], ignore_index=True)
    moves = pd.DataFrame({"customer_status": moves["status"].map(status), "customer": moves["customer"],
                          "department": moves["department"], "last_sign": moves["last_sign"],
                          "signing_12m": moves["signing_12m"], "signing_prev_12m": moves["signing_prev_12m"]})
    dso = a.dso.assign(key=a.dso["key"].where(a.dso["level"] != "company", label("company", lang)),
                       _total=a.dso["level"] == "company")
    dso = pd.concat([dso[~dso["_total"]], dso[dso["_total"]]], ignore_index=True)
    late = a.payment[a.payment["days_late"] > 0].head(MARKET_ROWS)[
        ["customer", "days_to_pay", "terms", "days_late", "overdue"]].reset_index(drop=True)
    if a.pipeline is not None:
        cov = a.pipeline.coverage
        pipeline = cov.assign(key=cov["key"].where(cov["level"] != "company", label("company", lang)),
                              _total=cov["level"] == "company")
        pipeline = pd.concat([pipeline[~pipeline["_total"]], pipeline[pipeline["_total"]]], ignore_index=True)[
            ["key", "weighted_open", "remaining_target", "coverage", "_total"]].rename(columns={"key": "department"})
    else:
        pipeline = pd.DataFrame(columns=["department", "weighted_open", "remaining_target", "coverage"])
    fb = a.feedback.pivot_table(index="month", columns="type", values="count", aggfunc="sum").reindex(a.months)
    feedback = pd.DataFrame({"month": a.months})
    for kind in ("Complaint", "Suggestion", "Competitor", "Market"):
        feedback[kind.lower()] = (fb[kind].fillna(0) if kind in fb else pd.Series(0, index=fb.index)).astype(
            "int64").to_numpy()
    tables = {"market_customers": customers.reset_index(drop=True), "market_lines": lines,
              "market_moves": moves, "market_dso": dso.rename(columns={"key": "department"})[
                  ["department", "receivables", "overdue", "overdue_90", "delivered_90d", "dso", "_total"]],
              "market_late": late, "market_pipeline": pipeline, "market_feedback": feedback}
    conc = a.concentration[a.concentration["level"] == "company"]
    brief = [sentence(k, params, lang) for k, params in a.sentences if k in MARKET_BRIEF]
    check = check_sentence(a.forecast_check, lang)
    market = {"sentences": market_sentences(a, lang), "brief": brief + ([check] if check else []),
              "forecast_check": check,
              "top10_share": _f(conc["top10_share"].iloc[0]) if len(conc) else None,
              "hhi": _f(conc["hhi"].iloc[0]) if len(conc) else None,
              "dso": _f(a.dso["dso"].iloc[0]) if len(a.dso) else None,
              "has_pipeline": a.pipeline is not None}
    return tables, market


def build_context(ledger: Ledger, period: str, findings: Sequence[Finding] | None = None,
                  lang: str = "en", extra_findings: Sequence[Finding] = (),
                  history: HistorySource = ledger_history, closed: pd.DataFrame | None = None) -> dict[str, Any]:
    """Everything the monthly report shows for ``period`` (YYYY-MM), in ``lang``, as plain data.

    ``findings``: the data-quality findings to show (default: the ledger's findings plus the
    computations' own); ``extra_findings`` are shown too (the month close adds the departments it
    could not consolidate; ``completeness.store_left_out`` rebuilds them from the store). ``history``
    gives the 12-month trend (default: rebuilt from the ledger); ``closed`` holds the figures of months already
    closed as their closes stored them, which month on month, year on year and the trends use for those months. Numbers come from the computations
    unchanged (money already in cents); totals are sums of the lines shown.
    """
    p = C.parse_period(period)
    royalties = C.royalty_payments(ledger, period) if not ledger.standard("RoyaltyPlans").empty else None
    rows = C.compute_completion(ledger, period, royalties)
    funds = F.compute_funds(ledger, period, royalties)
    fres = FC.compute_forecast(ledger, period)
    roy = R.compute_royalties(ledger, period)
    sal = A.compute_appraisal(ledger, period, rows if royalties is not None else None)
    rows = rows[rows["status"] != NOT_COMPUTED].reset_index(drop=True)  # left out: named in the banner, never 0.00
    if findings is None:
        findings = list(ledger.findings) + list(roy.findings) + list(sal.findings)
    findings = list(extra_findings) + list(findings)
    excluded = left_out(findings, ledger, lang)
    excluded_names = [e["department"] for e in excluded]
    unit = _unit(ledger, lang)

    headline, headline_table, trend = _headline(ledger, p, rows, royalties, lang, closed)
    company_rows = rows[rows["level"] == "company"].set_index("indicator")
    headline_table["annual_completion"] = [
        _f(company_rows["annual_completion"].get(ind)) if ind in company_rows.index else None for ind in C.INDICATORS]
    headline_table["_lower_better"] = [ind in C.LOWER_IS_BETTER for ind in C.INDICATORS]
    tables: dict[str, pd.DataFrame] = {"headline": headline_table}
    contracts = _contracts(ledger, p)
    contracts["department"] = contracts["department"].where(contracts.index < len(contracts) - 1,
                                                            label("total", lang))
    contracts["_total"] = contracts.index == len(contracts) - 1
    tables["contracts_by_department"] = contracts
    tables.update(_completion_tables(rows, ledger, lang, excluded_names))

    buckets = list(funds.buckets)
    columns = {name: list(cols) for name, cols in COLUMNS.items()}
    columns["aging"] = [("key", "text"), *[(b, "money") for b in buckets], ("total", "money"), ("overdue", "money")]
    aging = funds.aging.assign(key=funds.aging["key"].where(funds.aging["level"] != "company",
                                                             label("company", lang)),
                               _total=funds.aging["level"] == "company")
    tables["aging"] = aging[[c for c, _ in columns["aging"]] + ["_total"]].reset_index(drop=True)
    overdue = funds.overdue.assign(bucket=funds.overdue["bucket"].map(lambda v: F.bucket_label(v, lang)))
    listed = overdue[[c for c, _ in COLUMNS["overdue"]]].head(OVERDUE_ROWS).reset_index(drop=True)
    tables["overdue"] = with_total(listed, "contract_no", label("total", lang), ["receivable"])
    owners = overdue_by_owner(funds, ledger)
    tables["overdue_by_owner"] = with_total(owners, "employee_id", label("total", lang), ["overdue"], ["contracts"])
    demand = funds.demand[funds.demand["level"] == "company"]
    demand = demand.assign(month=demand["month"].astype(str))[
        [c for c, _ in COLUMNS["fund_demand"]]].reset_index(drop=True)
    tables["fund_demand"] = with_total(demand, "month", label("total", lang), list(F.DEMAND_COLUMNS))

    tables.update(_expenses(ledger, rows, p, lang))
    tables["expenses_by_department"]["_total"] = \
        tables["expenses_by_department"]["department"] == label("company", lang)
    tables["expenses_by_category"] = with_total(tables["expenses_by_category"], "category", label("total", lang),
                                                ["amount", "ytd_amount"], ["claims"])
    tables["expenses_by_budget"] = expenses_against_budget(ledger, p, lang)
    find_frame = _findings_frame(findings, lang)
    tables["policy_findings"] = find_frame[find_frame["code"].isin(POLICY_CODES)].reset_index(drop=True)

    lines = roy.lines
    roy_frame = pd.DataFrame({
        "employee_id": lines["employee_id"], "name": lines["name"], "department": lines["department"],
        "plan": lines["plan"], "ytd_base": lines["ytd_base"], "completion": lines["completion"],
        "tier_rate": lines["tier_rate"], "ytd_royalty": lines["ytd_royalty"],
        "previous_ytd_royalty": lines["previous_ytd_royalty"], "payment": lines["payment"],
        "note": [_note(r, lang) for r in lines.to_dict("records")],
    })
    tables["royalties"], roy_status = _pay_lines(roy_frame, lines, excluded_names, "employee_id",
                                                 ["ytd_base", "ytd_royalty", "previous_ytd_royalty", "payment"], lang)
    sal_frame = sal.lines[[c for c, _ in COLUMNS["floating_salary"] if c != "pay_status"]]
    tables["floating_salary"], sal_status = _pay_lines(sal_frame, sal.lines, excluded_names, "employee_id",
                                                       ["floating_base", "pay"], lang)
    not_computed = sal.lines.reset_index(drop=True)[sal_status.to_numpy() == NOT_COMPUTED]
    tables["manual_adjustments"] = _manual(ledger, period, lang)
    tables.update(_feedback(ledger, p, lang))
    tables["forecast"], tables["trend"] = _forecast(fres, trend, lang)
    tables["appraisal"] = _appraisal(ledger, p, royalties, lang)
    tables["history"] = _history_as_closed(history(ledger, p, royalties, TREND_MONTHS), closed)
    market_tables, market = _market(ledger, period, lang)
    tables.update(market_tables)
    tables["market_summary"] = pd.DataFrame({"summary": market["sentences"]}, dtype=object)
    tables["findings"] = find_frame.drop(columns="code")
    summary = find_frame.groupby(["severity", "code", "title"], sort=False).size().rename("count").reset_index() \
        if len(find_frame) else pd.DataFrame(columns=["severity", "code", "title", "count"])
    tables["findings_summary"] = summary
    for name in ("policy_findings", "findings", "findings_summary"):
        tables[name] = tables[name].assign(severity=tables[name]["severity"].map(lambda v: label(v, lang)))

    computed_roy = tables["royalties"].iloc[-1]
    company_aging = funds.aging[funds.aging["level"] == "company"]
    new = tables["contracts_by_department"].iloc[-1]
    sev = find_frame["severity"].value_counts() if len(find_frame) else pd.Series(dtype="int64")
    comp_fc = fres.series[fres.series["level"] == "company"]
    headline.update({
        "receivables": _f(company_aging["total"].iloc[0]) if len(company_aging) else 0.0,
        "overdue": _f(company_aging["overdue"].iloc[0]) if len(company_aging) else 0.0,
        "royalties_payable": float(computed_roy["payment"] or 0.0),
        "ytd_royalty": float(computed_roy["ytd_royalty"] or 0.0),
        "clawbacks": int(lines["clawback"].fillna(False).astype(bool)[roy_status.to_numpy() != NOT_COMPUTED].sum()),
        "floating_pay": float(tables["floating_salary"].iloc[-1]["pay"] or 0.0),
        "manual_adjustments": float(tables["manual_adjustments"].iloc[-1]["amount"] or 0.0)
        if len(tables["manual_adjustments"]) else 0.0,
        "not_computed": int(len(not_computed)),
        "new_contracts": int(new["new_count"]),
        "new_contract_amount": float(new["new_amount"]),
        "delivery_progress": _f(new["delivery_progress"]),
        "errors": int(sev.get("error", 0)),
        "warnings": int(sev.get("warning", 0)),
        "finding_files": int(find_frame["file"].dropna().nunique()) if len(find_frame) else 0,
        "red_count": int(len(tables["red_indicators"])),
        "forecast_next": _f(tables["forecast"]["m1"].iloc[0]) if len(tables["forecast"]) else None,
        "forecast_method": tables["forecast"]["method"].iloc[0] if len(tables["forecast"]) else None,
        "forecast_mase": _f(comp_fc["mase"].iloc[0]) if len(comp_fc) else None,
        "time_progress": float(rows["time_progress"].iloc[0]) if len(rows) else p.month / 12,
    })
    settings = C.rag_settings(ledger)
    ctx: dict[str, Any] = {
        "lang": lang,
        "period": str(p),
        "year": p.year,
        "month": p.month,
        "as_of": funds.as_of.strftime("%Y-%m-%d"),
        "time_progress": headline["time_progress"],
        "rag_basis": settings.basis,
        "unit": unit,
        "files": [str(f).replace("\\", "/").rsplit("/", 1)[-1] for f in ledger.files],
        "royalties_included": royalties is not None,
        "left_out": excluded,
        "headline": headline,
        "tables": tables,
        "columns": columns,
        "labels": {name: [column_label(k, lang) for k, _ in cols] for name, cols in columns.items()},
        "labels_company": label("company", lang),
        "market": market,
    }
    params = _text_params(lang, p, funds, headline, ledger, excluded, not_computed, settings, unit)
    ctx["text"] = {k: text(k, lang, **params) for k in TEXT}
    ctx["text"]["banner"] = ctx["text"]["left_out" if excluded else "complete"]
    ctx["text"]["rag_note"] = ctx["text"]["rag_note_time" if settings.basis == C.TIME_PROGRESS else "rag_note_plan"]
    roster = ledger.standard("Roster")
    sales = set(roster.loc[roster["role"] == "Salesperson", "employee_id"].dropna())
    ctx["summary"] = sentences(ctx, rows, funds.aging, sales, sorted(fres.forecast["month"].astype(str).unique()),
                               headline["forecast_mase"])
    tables["summary"] = pd.DataFrame({"summary": ctx["summary"]}, dtype=object)
    return ctx


def _text_params(lang: str, p: pd.Period, funds: F.FundsResult, headline: dict[str, Any], ledger: Ledger,
                 excluded: list[dict[str, str]], not_computed: pd.DataFrame, settings: C.RagSettings,
                 unit: dict[str, str]) -> dict[str, Any]:
    sep = "; " if lang == "en" else "；"
    return {"period": str(p), "as_of": funds.as_of.strftime("%Y-%m-%d"), "n": F.HORIZON,
            "quarter": f"{p.year}-Q{(p.month - 1) // 3 + 1}",
            "tp": f"{headline['time_progress']:.1%}", "files": len(ledger.files) or 0,
            "errors": headline.get("errors", 0), "warnings": headline.get("warnings", 0),
            "finding_files": headline.get("finding_files", 0),
            "method": headline.get("forecast_method") or "-",
            "mase": "-" if headline.get("forecast_mase") is None else f"{headline['forecast_mase']:.2f}",  # a ratio: not money
            "items": sep.join(f"{e['department']} ({e['reason']})" if lang == "en" else f"{e['department']}（{e['reason']}）"
                              for e in excluded),
            "band": f"{settings.amber_band:g}",
            "unit": unit["label"],
            "unit_book": FL.unit_label("yuan", lang),
            "departments": ", ".join(sorted({str(d) for d in not_computed.get("department", [])})),
            "n_people": len(not_computed)}
