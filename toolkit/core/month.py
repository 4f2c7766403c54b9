"""The month's results every output and the report share, computed once per ledger.

The month close writes the completion, funds, forecast and salary outputs and renders the report, which shows
the same four results. Each result here is ``per_ledger`` (memoised on the ledger, each caller gets its own
copy), so the close computes them once, before its outputs and report split into worker processes that
inherit the memo (``shared_results``), instead of once in each process. The completion, funds and forecast
outputs, the salary output and the report all take their results from here, so what they show is one
computation.
"""

from __future__ import annotations

import pandas as pd

from . import appraisal as A
from . import completion as C
from . import forecast as FC
from . import funds as F
from .ledger import Ledger, memoised, per_ledger, remember


def ledger_royalties(ledger: Ledger) -> bool:
    """Whether the ledger's standards have royalty plans (then royalty payments count in Profit and the fund
    demand)."""
    return not ledger.standard("RoyaltyPlans").empty


def royalty_payments(ledger: Ledger, period: str) -> pd.DataFrame | None:
    """Royalty payments per employee and month Jan..period (memoised), None when there are no royalty plans."""
    return C.royalty_payments(ledger, period) if ledger_royalties(ledger) else None


@per_ledger
def completion(ledger: Ledger, period: str) -> pd.DataFrame:
    """Completion rows of ``period`` with the ledger's royalty payments (``compute_completion``)."""
    return C.compute_completion(ledger, period, royalty_payments(ledger, period))


@per_ledger
def funds(ledger: Ledger, period: str) -> F.FundsResult:
    """Receivables, aging and fund demand of ``period`` with the ledger's royalty payments (``compute_funds``)."""
    return F.compute_funds(ledger, period, royalty_payments(ledger, period))


@per_ledger
def forecast(ledger: Ledger, period: str) -> FC.ForecastResult:
    """The signing forecast after ``period`` (``compute_forecast``)."""
    return FC.compute_forecast(ledger, period)


def appraisal(ledger: Ledger, period: str) -> A.AppraisalResult:
    """Floating salary of ``period`` (``compute_appraisal``, memoised), on the shared completion rows when the
    ledger has royalty plans (the rows ``compute_appraisal`` would compute itself: the same royalty payments)."""
    if ledger_royalties(ledger) and not memoised(ledger, A.compute_appraisal, period):
        remember(ledger, A.compute_appraisal, period, A.compute_appraisal(ledger, period, completion(ledger, period)))
    return A.compute_appraisal(ledger, period)


def shared_results(ledger: Ledger, period: str, *, with_forecast: bool = True) -> None:
    """Compute (and memoise on ``ledger``) completion, funds, forecast and appraisal of ``period``: the month
    close calls it before its outputs and report run in worker processes, so none of them computes these
    again. ``with_forecast=False``: not the forecast (the close has it made in another process, and
    ``remember``s it)."""
    completion(ledger, period)
    funds(ledger, period)
    if with_forecast:
        forecast(ledger, period)
    appraisal(ledger, period)
