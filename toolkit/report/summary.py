"""The executive summary in words: sentences generated from the report's figures by fixed rules.

Rules (documented in docs/report.md), each giving at most one sentence, in this order:

1. Largest month-on-month move: the indicator (Signing, Collection, Expense, Profit) whose company
   actual changed most in relative terms against last month (skipped when no indicator has a change).
2. Largest year-on-year move: the same against the same month last year.
3. Departments furthest behind plan: the two department × indicator pairs (Signing, Collection,
   Profit; Expense over budget counts as behind) with the largest shortfall of the RAG completion
   below its reference, with the money gap to the plan to date; or a sentence that none is behind.
4. Salespeople furthest behind plan: the three with the lowest plan-to-date Signing or Collection
   completion under 100%.
5. Overdue concentration: overdue receivables, their share of all receivables, the share overdue more
   than 90 days, and the three owners (employees) with the most overdue.
6. Forecast: next month's company signing forecast, the method in words and its backtest error.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from ..core import completion as C
from ..i18n import register, t
from ..schema import enums as E
from . import filters as FL

register({
    "report.say.mom": ("{indicator} {dir} {pct} on last month, to {amount}.", "{indicator}环比{dir}{pct}，为{amount}。"),
    "report.say.yoy": ("{indicator} is {dir2} {pct} on the same month last year ({amount} then).",
                       "{indicator}同比{dir}{pct}（去年同期{amount}）。"),
    "report.say.up": ("rose", "上升"), "report.say.down": ("fell", "下降"),
    "report.say.up2": ("up", "上升"), "report.say.down2": ("down", "下降"),
    "report.say.behind": ("Furthest behind plan: {items}.", "落后计划最多：{items}。"),
    "report.say.behind_item": ("{who} on {indicator}, {pct} against {ref} ({gap} short of the plan to date)",
                               "{who}{indicator}完成{pct}（基准{ref}，较累计计划差{gap}）"),
    "report.say.behind_expense": ("{who} on Expense, {pct} of budget against {ref} ({gap} over the budget to date)",
                                  "{who}费用完成{pct}（基准{ref}，超出累计预算{gap}）"),
    "report.say.on_plan": ("Every department is at or within its plan to date.", "各部门均达到累计计划。"),
    "report.say.people": ("Salespeople furthest behind plan: {items}.", "落后计划最多的销售人员：{items}。"),
    "report.say.person": ("{name} ({department}, {indicator} {pct})", "{name}（{department}，{indicator}{pct}）"),
    "report.say.overdue": ("Overdue receivables {overdue}, {share} of {total} receivable; {old} of it more than "
                           "90 days overdue.", "逾期应收{overdue}，占应收余额{total}的{share}；其中逾期超过90天的占{old}。"),
    "report.say.owners": ("Largest overdue by owner: {items}.", "逾期最多的负责人：{items}。"),
    "report.say.owner": ("{name} {amount}", "{name} {amount}"),
    "report.say.no_overdue": ("No receivable is overdue.", "没有逾期应收款。"),
    "report.say.forecast": ("Signing forecast for {month}: {amount} ({method}; backtest error {mase} of a "
                            "naive forecast's).", "{month}签约预测：{amount}（{method}；回测误差为朴素预测的{mase}）。"),
    "report.say.forecast_plain": ("Signing forecast for {month}: {amount} ({method}).",
                                  "{month}签约预测：{amount}（{method}）。"),
})

BEHIND_PAIRS = 2
BEHIND_PEOPLE = 3
TOP_OWNERS = 3
_HIGHER = (C.SIGNING, C.COLLECTION, C.PROFIT)


def _say(key: str, lang: str, **params: Any) -> str:
    return t(f"report.say.{key}", lang, **params)


def _moves(headline: pd.DataFrame, lang: str, unit: str) -> list[str]:
    out = []
    for col, prev, key in (("mom", "month_actual", "mom"), ("yoy", "last_year", "yoy")):
        moves = headline[headline[col].notna()]
        if not len(moves):
            continue
        r = moves.loc[moves[col].astype("float64").abs().idxmax()]
        up = float(r[col]) >= 0
        out.append(_say(key, lang, indicator=r["indicator"], pct=FL.percent(abs(float(r[col]))),
                        dir=_say("up" if up else "down", lang), dir2=_say("up2" if up else "down2", lang),
                        amount=FL.amount(r[prev], lang, unit)))
    return out


def _behind(rows: pd.DataFrame, lang: str, unit: str) -> list[str]:
    dept = rows[rows["level"] == "department"].copy()
    basis_on_time = (dept["rag_reference"] != 1.0).any() if len(dept) else False
    c = dept["annual_completion"] if basis_on_time else dept["ytd_completion"]
    lower = dept["indicator"] == C.EXPENSE
    dept["short"] = (dept["rag_reference"] - c).where(~lower, c - dept["rag_reference"])
    dept["c"] = c
    behind = dept[(dept["short"] > 1e-9) & dept["indicator"].isin([*_HIGHER, C.EXPENSE])]
    if not len(behind):
        return [_say("on_plan", lang)] if len(dept) else []
    items = []
    for r in behind.sort_values("short", ascending=False).head(BEHIND_PAIRS).to_dict("records"):
        gap = abs(float(r["gap"]))
        key = "behind_expense" if r["indicator"] == C.EXPENSE else "behind_item"
        items.append(_say(key, lang, who=r["key"], indicator=E.INDICATOR.label(r["indicator"], lang),
                          pct=FL.percent(r["c"]), ref=FL.percent(r["rag_reference"], digits=0),
                          gap=FL.amount(gap, lang, unit)))
    return [_say("behind", lang, items=("; " if lang == "en" else "；").join(items))]


def _people(rows: pd.DataFrame, sales: set[str], lang: str) -> list[str]:
    emp = rows[(rows["level"] == "employee") & rows["key"].isin(sales)
               & rows["indicator"].isin([C.SIGNING, C.COLLECTION]) & (rows["ytd_completion"] < 1 - 1e-9)]
    if not len(emp):
        return []
    worst = emp.sort_values("ytd_completion").drop_duplicates("key").head(BEHIND_PEOPLE)
    items = [_say("person", lang, name=r["name"] if isinstance(r["name"], str) else r["key"],
                  department=r["department"], indicator=E.INDICATOR.label(r["indicator"], lang),
                  pct=FL.percent(r["ytd_completion"])) for r in worst.to_dict("records")]
    return [_say("people", lang, items=("; " if lang == "en" else "；").join(items))]


def _lower_bound(bucket: str) -> int:
    m = re.match(r"(\d+)-|over_(\d+)", bucket)
    return int(m.group(1) or m.group(2)) if m else 0


def _overdue(aging: pd.DataFrame, owners: pd.DataFrame, lang: str, unit: str) -> list[str]:
    company = aging[aging["level"] == "company"]
    if not len(company) or float(company["overdue"].iloc[0]) <= 0:
        return [_say("no_overdue", lang)]
    r = company.iloc[0]
    old = sum(float(r[b]) for b in aging.columns if b.startswith("over_") or (_lower_bound(b) > 90 and "-" in b))
    out = [_say("overdue", lang, overdue=FL.amount(r["overdue"], lang, unit), total=FL.amount(r["total"], lang, unit),
                share=FL.percent(float(r["overdue"]) / float(r["total"])) if r["total"] else "–",
                old=FL.percent(old / float(r["overdue"])))]
    top = owners[~owners.get("_total", pd.Series(False, index=owners.index)).astype(bool)].head(TOP_OWNERS)
    if len(top):
        items = [_say("owner", lang, name=o["name"] if isinstance(o["name"], str) and o["name"] else o["employee_id"],
                      amount=FL.amount(o["overdue"], lang, unit)) for o in top.to_dict("records")]
        out.append(_say("owners", lang, items=("; " if lang == "en" else "；").join(items)))
    return out


def _forecast(forecast: pd.DataFrame, months: list[str], mase: float | None, lang: str, unit: str) -> list[str]:
    if not len(forecast) or not months or FL.blank(forecast["m1"].iloc[0]):
        return []
    r = forecast.iloc[0]
    params = dict(month=months[0], amount=FL.amount(r["m1"], lang, unit), method=r["method"])
    if mase is None:
        return [_say("forecast_plain", lang, **params)]
    return [_say("forecast", lang, mase=f"{mase:.2f}", **params)]  # a ratio: not money


def sentences(ctx: dict[str, Any], rows: pd.DataFrame, aging: pd.DataFrame, sales: set[str],
              forecast_months: list[str], mase: float | None) -> list[str]:
    """The summary sentences for a built context (see the module doc for the rules)."""
    lang, unit = ctx["lang"], ctx["unit"]["key"]
    tables = ctx["tables"]
    return [*_moves(tables["headline"], lang, unit),
            *_behind(rows, lang, unit),
            *_people(rows, sales, lang),
            *_overdue(aging, tables["overdue_by_owner"], lang, unit),
            *_forecast(tables["forecast"], forecast_months, mase, lang, unit)]
