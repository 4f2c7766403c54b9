"""Floating salary: the JSON payload (docs/royalties.md), the Floating Salary and Appraisal Terms sheets
and the text."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..core import appraisal as A
from ..core import month as M
from ..core.ledger import Ledger
from ..i18n import t
from ..io.writer import SheetFrame
from ..schema import enums as E
from .labels import label
from .sheets import findings_sheets
from .text import findings_text, percent_text, text_table
from .base import result_output
from ..core.royalties import cents
from ..money import fmt_money, fmt_money_column
from ..core.royalties import cents

if TYPE_CHECKING:
    from .base import Output

#: The label keys of the appraisal terms' columns (the Appraisal sheet's Weight and Indicator, the completion
#: counted); the salary workbook and the pay statements both use them.
TERM_KEYS = {"weight": "weight", "indicator": "term_indicator", "ytd_completion": "completion",
             "review": "cand.review", "value": "term_value", "points": "points"}


def build(ledger: Ledger, period: str, lang: str = "en") -> Output:
    """The appraisal and floating pay per employee, with its payload."""
    return result_output("salary", ledger, M.appraisal(ledger, period), lang)


def shown_lines(lines: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The salary lines with role, basis and reason in ``lang`` (headers still keys)."""
    return lines.rename(columns={"basis": "appraised_on"}).assign(
        role=lines["role"].map(lambda v: E.ROLE.label(v, lang), na_action="ignore"),
        appraised_on=lines["basis"].map(lambda v: label(f"appraisal.{v}", lang), na_action="ignore"),
        reason=lines["reason"].map(lambda v: A.reason_text(v, lang)),
        status=lines["status"].map(lambda v: label(v, lang), na_action="ignore"))


def sheets(out: Output) -> list[SheetFrame]:
    """Floating Salary (one row per employee), Appraisal Terms (one row per indicator) and the findings."""
    result, lang = out.result, out.lang
    lines = shown_lines(result.lines, lang)
    computed = result.lines["status"] != "not-computed"  # the total is of the computed lines only
    total = {c: None for c in lines.columns}
    total.update({"employee_id": label("total", lang),
                  "floating_base": int(cents(result.lines.loc[computed, "floating_base"]).sum()) / 100,
                  "pay": int(cents(result.lines.loc[computed, "pay"]).sum()) / 100})
    lines = pd.concat([lines, pd.DataFrame([total])], ignore_index=True)
    fmts = {label("score", lang): "percent", label("coefficient", lang): "number",
            label("floating_base", lang): "money", label("pay", lang): "money"}
    terms = result.terms.assign(indicator=result.terms["indicator"].map(lambda v: E.INDICATOR.label(v, lang)))
    term_fmts = {label(TERM_KEYS[k], lang): "percent" for k in ("weight", "ytd_completion", "value", "points")}
    term_fmts[label(TERM_KEYS["review"], lang)] = "ratio"  # the mean review score, 0-100
    return [SheetFrame(t("output.sheet.salary", lang), lines.rename(columns={c: label(c, lang) for c in lines.columns}),
                       fmts, table_name="FloatingSalary"),
            SheetFrame(t("output.sheet.terms", lang),
                       terms.rename(columns=lambda c: label(TERM_KEYS.get(c, c), lang)), term_fmts,
                       table_name="AppraisalTerms"),
            *findings_sheets(out.findings, lang)]


def text(out: Output) -> str:
    """The floating-pay table, the total and the findings."""
    lang, payload = out.lang, out.payload
    lines = shown_lines(out.result.lines, lang).drop(columns=["role"])
    shown = lines.assign(score=lines["score"].map(percent_text),
                         grade=lines["grade"].astype(object).where(lines["grade"].notna(), ""),
                         floating_base=fmt_money_column(lines["floating_base"], grouped=True),
                         pay=fmt_money_column(lines["pay"], grouped=True))
    if not payload["totals"].get("not_computed"):
        shown = shown.drop(columns="status")
    text_ = [t("output.title.salary", lang, period=payload["period"]),
             text_table(shown.rename(columns={c: label(c, lang) for c in shown.columns}), lang=lang), "",
             t("output.salary.totals", lang, employees=payload["totals"]["employees"],
               pay=fmt_money(float(payload['totals']['pay']), grouped=True))]
    if payload["totals"].get("not_computed"):
        text_.append(t("output.royalties.not-computed", lang, count=payload["totals"]["not_computed"]))
    caught = (payload.get("ledger") or {}).get("caught_up") or []
    if caught:
        text_.append(t("output.salary.caught-up", lang, months=", ".join(sorted({c["period"] for c in caught})),
                       amount=fmt_money(float(payload['ledger']['caught_up_total']), grouped=True),
                       employees=len({c["employee_id"] for c in caught}),
                       total=fmt_money(float(payload['ledger']['total_pay']), grouped=True)))
    if out.findings:
        text_ += ["", findings_text(out.findings, lang)]
    return "\n".join(text_)


def attach_floating(out: Output, floating: pd.DataFrame) -> None:
    """Make a month close's salary output say what the payout ledger pays (docs/json.md): the floating pay of
    earlier months caught up now, per employee and month (``caught_up`` on each line and in ``ledger``), and
    the total paid now. ``floating``: the close's floating payment rows (``closes.ClosePlan.floating``)."""
    period = out.payload["period"]
    late = floating[floating["period"].astype(str) != period] if len(floating) else floating
    items: dict[str, list[dict[str, str | None]]] = {}
    for emp, p, amount in zip(late["employee_id"], late["period"], late["amount"]) if len(late) else ():
        items.setdefault(str(emp), []).append({"period": str(p), "amount": fmt_money(amount)})
    for line in out.payload.get("salaries", []):
        mine = items.get(str(line.get("employee_id")), [])
        line["caught_up"] = mine
        if line.get("pay") is not None:
            extra = sum(cents(pd.Series([float(i["amount"]) for i in mine])) if mine else [0])
            line["total_pay"] = fmt_money((cents(pd.Series([float(line["pay"])]))[0] + extra) / 100)
    late_c = int(cents(late["amount"]).sum()) if len(late) else 0
    total_c = int(cents(floating["amount"]).sum()) if len(floating) else 0
    out.payload["ledger"] = {"caught_up": [{"employee_id": e, **i} for e, rows in items.items() for i in rows],
                             "caught_up_total": fmt_money(late_c / 100), "total_pay": fmt_money(total_c / 100)}
