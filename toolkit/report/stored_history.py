"""History from the store for the monthly report: figures of the closed months as they were closed, and
where today's data restates one (issue 12). The report shows stored figures for closed months and says
which month, which figure and by how much the current data differs.

``history_series`` gives, per current close of the year up to the period: the royalty and floating pay
recorded and the company's month actuals per indicator as stored with that close. ``restatements``
compares those stored actuals with the same months recomputed from the current ledger.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..core.findings import Finding
from ..core.royalties import cents
from ..core.periods import year_month
from ..store.base import Store
from ..schema import enums as E
from ..money import fmt_money



def history_series(store: Store, period: str) -> pd.DataFrame:
    """One row per current close of ``period``'s year up to ``period``: period, version, closed_at, royalty and
    floating pay recorded (this close's payments, opening balances excluded) and the company's month actual
    per indicator (``actual_<Indicator>``) as stored with the close."""
    year, _ = year_month(period)
    rows: list[dict[str, Any]] = []
    for close in store.closes(year=year, current_only=True):
        if close.period > period:
            continue
        pay = store.payments(close_id=close.id)
        pay = pay[pay["entry"] != "opening"] if len(pay) else pay
        row: dict[str, Any] = {"period": close.period, "version": close.version, "closed_at": close.closed_at}
        for kind in ("royalty", "floating"):
            part = pay[pay["kind"] == kind] if len(pay) else pay
            row[f"{kind}_paid"] = int(cents(part["amount"]).sum()) / 100 if len(part) else 0.0
        comp = store.close_results(close.id, "completion")
        if len(comp) and {"level", "indicator", "month_actual"} <= set(comp.columns):
            company = comp[comp["level"] == "company"]
            row.update({f"actual_{i}": float(v) for i, v in zip(company["indicator"], company["month_actual"])
                        if v is not None and not pd.isna(v)})
        rows.append(row)
    return pd.DataFrame(rows)


def restatements(series: pd.DataFrame, current: dict[str, pd.DataFrame]) -> list[Finding]:
    """``restated-closed-month`` warnings: a closed month whose stored company actual differs (by a cent or
    more) from the same month recomputed now. ``current``: period -> completion rows computed today."""
    out: list[Finding] = []
    for rec in series.to_dict("records") if len(series) else []:
        rows = current.get(rec["period"])
        if rows is None or not len(rows):
            continue
        company = rows[rows["level"] == "company"]
        for ind, now in zip(company["indicator"], company["month_actual"]):
            before = rec.get(f"actual_{ind}")
            if before is None or pd.isna(before) or now is None or pd.isna(now):
                continue
            diff = int(round(float(now) * 100)) - int(round(float(before) * 100))
            if diff:
                out.append(Finding("restated-closed-month", value=rec["period"], params={
                    "indicator": ind, "indicator_zh": E.INDICATOR.label(ind, "zh"), "before": fmt_money(before, grouped=True),
                    "after": fmt_money(float(now), grouped=True), "change": fmt_money(diff / 100, grouped=True, sign=True)}))
    return out


def closed_figures(store: Store) -> pd.DataFrame:
    """The company's figures of every closed month as the current close of that month stored them:
    ``period``, ``indicator`` (Signing, Collection, Expense, Profit, and ``Receivables`` at month end),
    ``actual``. The report takes these for closed months (month on month, year on year, trends), so a
    closed month reads as it was closed; ``restatements`` says where today's data differs."""
    rows: list[dict[str, Any]] = []
    for close in store.closes(current_only=True):
        comp = store.close_results(close.id, "completion")
        if len(comp) and {"level", "indicator", "month_actual"} <= set(comp.columns):
            for ind, value in comp.loc[comp["level"] == "company", ["indicator", "month_actual"]].itertuples(index=False):
                if value is not None and not pd.isna(value):
                    rows.append({"period": close.period, "indicator": ind, "actual": float(value)})
        aging = store.close_results(close.id, "funds_aging")
        if len(aging) and {"level", "total"} <= set(aging.columns):
            total = aging.loc[aging["level"] == "company", "total"]
            if len(total) and not pd.isna(total.iloc[0]):
                rows.append({"period": close.period, "indicator": "Receivables", "actual": float(total.iloc[0])})
    return pd.DataFrame(rows, columns=["period", "indicator", "actual"])
