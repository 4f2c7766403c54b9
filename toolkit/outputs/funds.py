"""Fund recovery and demand: the JSON payload (docs/json.md), the Aging/Overdue/Receivables/Fund Demand
sheets and the text."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..core import funds as F
from ..core import month as M
from ..core.ledger import Ledger
from ..i18n import t
from ..io.writer import SheetFrame
from .jsonfmt import findings_json, records
from .labels import formats, localized
from .sheets import findings_sheets
from .text import findings_text, text_table
from .base import Output
from ..money import fmt_money_column

if TYPE_CHECKING:
    from .base import Output

MONEY = ("total", "overdue", "amount", "delivered", "collected", "receivable", *F.DEMAND_COLUMNS)
_RECEIVABLE_MONEY = ("amount", "delivered", "collected", "receivable")


def build(ledger: Ledger, period: str, lang: str = "en") -> Output:
    """Receivables, aging, overdue contracts and the 3-month fund demand, with their payload."""
    res = M.funds(ledger, period)  # shared with the report (``core.month``)
    recv_cols = list(F.RECEIVABLE_COLUMNS)
    findings = ledger.unreliable_findings()
    payload = {
        "period": res.period,
        "as_of": res.as_of.strftime("%Y-%m-%d"),
        "aging": records(res.aging, ["level", "key", *res.buckets, "total", "overdue", "status"],
                         money_cols=[*res.buckets, "total", "overdue"]),
        "overdue": records(res.overdue, recv_cols, money_cols=_RECEIVABLE_MONEY),
        "receivables": records(res.receivables, recv_cols, money_cols=_RECEIVABLE_MONEY),
        "demand": records(res.demand, ["level", "key", "month", *F.DEMAND_COLUMNS, "status"],
                          money_cols=F.DEMAND_COLUMNS),
        "royalties_included": M.ledger_royalties(ledger),
        "not_computed": list(res.not_computed),
        "findings": findings_json(findings, lang),
    }
    return Output("funds", res.period, lang, payload, res, findings)


def sheets(out: Output) -> list[SheetFrame]:
    """Aging, Overdue, Receivables, Fund Demand and the findings."""
    res, lang = out.result, out.lang

    def sheet(name: str, frame: pd.DataFrame, table: str) -> SheetFrame:
        return SheetFrame(t(f"output.sheet.{name}", lang), localized(frame, lang),
                          formats(frame.columns, lang, (*res.buckets, *MONEY), dates=("sign_date", "due_date")),
                          table_name=table)

    # a receivable not yet due has no days overdue (its aging says "Not Due"; the JSON keeps the signed days)
    receivables = res.receivables.assign(
        days_overdue=res.receivables["days_overdue"].where(res.receivables["days_overdue"] > 0).astype("Int64"))
    return [sheet("aging", res.aging, "Aging"), sheet("overdue", res.overdue, "Overdue"),
            sheet("receivables", receivables, "Receivables"), sheet("demand", res.demand, "FundDemand"),
            *findings_sheets(out.findings, lang)]


def text(out: Output) -> str:
    """The aging table, the overdue contracts and the company's fund demand; then the findings."""
    res, lang, payload = out.result, out.lang, out.payload

    def shown(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        for c in frame.columns:
            if c in MONEY or c in res.buckets:
                frame[c] = fmt_money_column(frame[c], grouped=True)
            elif pd.api.types.is_datetime64_any_dtype(frame[c]):
                frame[c] = frame[c].dt.strftime("%Y-%m-%d")
        return localized(frame, lang)

    brief = ["contract_no", "customer", "department", "employee_id", "due_date", "days_overdue", "bucket",
             "receivable"]
    lines = [t("output.title.aging", lang, as_of=payload["as_of"]), text_table(shown(res.aging)), "",
             t("output.title.overdue", lang), text_table(shown(res.overdue[brief])), "",
             t("output.title.demand", lang, n=F.HORIZON),
             text_table(shown(res.demand[res.demand["level"] == "company"].drop(columns=["level", "key"])))]
    if not payload["royalties_included"]:
        lines += ["", t("output.no-royalties", lang)]
    if out.findings:
        lines += ["", findings_text(out.findings, lang)]
    return "\n".join(lines)
