"""Headline figures: this month, last month, the same month last year, year to date; the 12-month trend;
closed months as their closes stored them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from ...core import completion as C
from ...core import month as M
from ...core import royalties as R
from ...core.ledger import Ledger
from ...schema import enums as E
from ..history import company_actuals
from .words import INDICATOR_KEYS, change, num


TREND_MONTHS = 12


def _lookup(frame: pd.DataFrame, indicator: str, month: int) -> float:
    sel = frame[(frame["indicator"] == indicator) & (frame["month"] == month)]
    return float(sel["actual"].sum()) if len(sel) else 0.0


def as_closed(actuals: pd.DataFrame, year: int, closed: pd.DataFrame | None) -> pd.DataFrame:
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


def history_as_closed(frame: pd.DataFrame, closed: pd.DataFrame | None) -> pd.DataFrame:
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


def _profit_closed(closed: pd.DataFrame | None, year: int, months: set[int]) -> bool:
    """Whether ``closed`` holds the Profit of every month of ``months`` in ``year`` as its close stored it."""
    if closed is None or not len(closed):
        return False
    have = set(closed.loc[closed["indicator"] == C.PROFIT, "period"])
    return all(f"{year:04d}-{m:02d}" in have for m in months)


def last_year_payments(ledger: Ledger, p: pd.Period, closed: pd.DataFrame | None) -> pd.DataFrame | None:
    """The royalty payments of last year the headline needs for ``p`` (None: none, or no royalty plans). Last
    year's royalties only change its Profit, which is read for the same month (and for December when this is
    January): not recomputed when those months' closes stored it (``closed``), else only those months' payments
    (each with the month before it), not last year's whole schedule. It depends on the ledger and ``closed`` alone,
    so the month close has it made in its HTML process while it computes this year's royalties."""
    used = {p.month} | ({12} if p.month == 1 else set())
    if not M.ledger_royalties(ledger) or _profit_closed(closed, p.year - 1, used):
        return None
    return R.payments_of_months(ledger, f"{p.year - 1}-12", used)


def headline_figures(ledger: Ledger, p: pd.Period, rows: pd.DataFrame, royalties: pd.DataFrame | None,
                     lang: str, closed: pd.DataFrame | None = None,
                     last_year_paid: Callable[[], pd.DataFrame | None] | None = None) -> tuple[dict[str, Any],
                                                                                              pd.DataFrame,
                                                                                              pd.DataFrame]:
    """Headline per indicator (this month, last month, same month last year, YTD) and the monthly trend;
    months already closed as their close stored them (``closed``, from ``stored_history.closed_figures``).
    ``last_year_paid``: gives ``last_year_payments(ledger, p, closed)`` made already (the month close's)."""
    this_year = as_closed(company_actuals(ledger, p.year, royalties), p.year, closed)
    prev_roy = last_year_paid() if last_year_paid is not None else last_year_payments(ledger, p, closed)
    last_year = as_closed(company_actuals(ledger, p.year - 1, prev_roy), p.year - 1, closed)
    company = rows[rows["level"] == "company"].set_index("indicator")
    prev_p = p - 1
    prev_frame = this_year if prev_p.year == p.year else last_year
    out: dict[str, Any] = {}
    table = []
    for ind in C.INDICATORS:
        k = INDICATOR_KEYS[ind]
        row = company.loc[ind] if ind in company.index else None
        cur = num(row["month_actual"]) if row is not None else 0.0
        prev = _lookup(prev_frame, ind, prev_p.month)
        ly = _lookup(last_year, ind, p.month)
        rec = {
            "indicator": E.INDICATOR.label(ind, lang), "month_actual": cur, "previous": prev,
            "mom": change(cur, prev), "last_year": ly, "yoy": change(cur, ly),
            "ytd_target": num(row["ytd_target"]) if row is not None else None,
            "ytd_actual": num(row["ytd_actual"]) if row is not None else None,
            "ytd_completion": num(row["ytd_completion"]) if row is not None else None,
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
