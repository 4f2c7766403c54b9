"""The 12-month history behind the report's trend charts, as one swappable source.

``ledger_history`` rebuilds each month from the ledger (the registers are rolling, so they hold the
past); once stored closes exist, a function with the same signature reading them can replace it
(``build_context(..., history=...)``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

from ..core import completion as C
from ..core import funds as F
from ..money import round_series

if TYPE_CHECKING:
    from ..core.ledger import Ledger

HISTORY_COLUMNS = ("month", "signing", "collection", "expense", "profit", "receivables")
#: (ledger, period, royalties, months) -> frame with HISTORY_COLUMNS, oldest month first
HistorySource = Callable[["Ledger", pd.Period, "pd.DataFrame | None", int], pd.DataFrame]


def company_actuals(ledger: Ledger, year: int, royalties: pd.DataFrame | None) -> pd.DataFrame:
    """Company actuals per (indicator, month) of ``year``: sums of the employee lines of monthly_actuals."""
    acts = C.monthly_actuals(ledger, year, royalties)
    out = acts.groupby(["indicator", "month"])["actual"].sum().reset_index()
    out["actual"] = round_series(out["actual"])
    return out


def ledger_history(ledger: Ledger, period: pd.Period, royalties: pd.DataFrame | None = None,
                   months: int = 12, made: dict[str, object] | None = None) -> pd.DataFrame:
    """Company signing, collection, expense, profit per month and receivables at each month end, for the
    ``months`` months ending with ``period``. Profit before royalties in years other than the period's.
    ``made``: ``history_without_royalties(ledger, period, months)`` made already (the month close's HTML process
    makes it while the close computes this year's royalties)."""
    span = pd.period_range(period - (months - 1), period, freq="M")
    made = made if made is not None else history_without_royalties(ledger, period, months)
    by_year: dict[int, pd.Series] = dict(made["actuals"])  # type: ignore[call-overload] - {year: Series}
    by_year[period.year] = company_actuals(ledger, period.year, royalties).set_index(["indicator", "month"])["actual"]
    rows = []
    for m, receivables in zip(span, made["receivables"], strict=True):  # type: ignore[call-overload] - a list
        sums = by_year[m.year]
        rec: dict[str, object] = {"month": str(m)}
        for ind in C.INDICATORS:
            rec[ind.lower()] = float(sums.get((ind, m.month), 0.0))
        rec["receivables"] = receivables
        rows.append(rec)
    out = pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
    out["receivables"] = round_series(out["receivables"].astype("float64"))
    return out


def history_without_royalties(ledger: Ledger, period: pd.Period, months: int = 12) -> dict[str, object]:
    """What ``ledger_history`` reads that needs none of the period's royalties: the company actuals of the years
    before the period's (``actuals``: year -> actual by indicator and month; Profit before royalties) and the
    receivables at each month end (``receivables``, oldest first)."""
    span = pd.period_range(period - (months - 1), period, freq="M")
    actuals = {year: company_actuals(ledger, year, None).set_index(["indicator", "month"])["actual"]
               for year in sorted({m.year for m in span}) if year != period.year}
    contracts, collections = ledger.tables["Contracts"], ledger.tables["Collections"]
    # as the funds computation: a department whose workbook lacks Delivered or Payment Terms is not computed
    missing = {d for d, cols in ledger.missing_columns("Contracts").items() if cols & {"delivered", "payment_terms"}}
    contracts = contracts[~contracts["department"].isin(missing)]
    return {"actuals": actuals,
            "receivables": F.receivables_totals(contracts, collections, [m.end_time.normalize() for m in span])}
