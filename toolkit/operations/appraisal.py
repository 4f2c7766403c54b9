"""The periodic appraisal: rank everyone on the appraisal score over a year or a quarter (``toolkit appraisal``).

From the history store (``db``: the month source of ``toolkit.operations.months``, so a past year gives
the same ranking every time) or from department workbooks and the standards. ``appraisal_appendix`` is
what the monthly report's appendix calls for the quarter so far.
"""

from __future__ import annotations

import pandas as pd

from ..core.ledger import Ledger
from ..core.periods import year_month
from ..core.review import Review, review
from ..errors import ToolkitError
from ..i18n import register
from ..core.completion import monthly_actuals
from ..core.royalties import monthly_payments
from .history import paid_by_month
from .months import month_sources
from .source import Source

register({"appraisal.quarter": ("--quarter must be 1, 2, 3 or 4, not {value}.", "--quarter 必须是 1、2、3 或 4，而不是 {value}。"),
          "appraisal.year": ("--year must be a year such as 2026, not {value}.", "--year 必须是年份（如 2026），而不是 {value}。")})


def last_data_month(ledger: Ledger, year: int) -> int:
    """The last month of ``year`` with any dated business (contract, receipt, claim): what a file knows."""
    months = monthly_actuals(ledger, year)["month"]
    return int(months.max()) if len(months) else 12


def _royalties(ledger: Ledger, year: int, month: int, source: Source | None = None) -> pd.DataFrame:
    """Royalties per employee and month through ``month``: with a store (``source.db``), the closed months' as the
    payout ledger paid them (by the month of the close that paid them), the months after the last close
    recomputed."""
    schedule = monthly_payments(ledger, f"{year:04d}-{month:02d}")
    if source is None or not source.db:
        return schedule
    with source.store() as store:
        paid = paid_by_month(store, year)
    if paid is None:
        return schedule
    last = max(paid.attrs["closed"])
    recorded = paid[paid["month"] <= month][["employee_id", "month", "royalty"]]
    later = schedule[schedule["month"] > last]
    return pd.concat([recorded, later], ignore_index=True)[list(schedule.columns)]


def periodic_appraisal(source: Source, year: int, quarter: int | None = None,
                       ledgers: dict[str, Ledger] | None = None) -> Review:
    """Everyone ranked on the appraisal score over ``year`` (or its ``quarter``), with the band distribution
    (``ledgers``: the store's ledgers by stored period, loaded once across calls)."""
    if not 1900 <= int(year) <= 2999:
        raise ToolkitError("appraisal.year", value=year)
    if quarter is not None and quarter not in (1, 2, 3, 4):
        raise ToolkitError("appraisal.quarter", value=quarter)
    first, last = ((quarter - 1) * 3 + 1, quarter * 3) if quarter else (1, 12)
    if source.from_store:
        covered = month_sources(source, year, range(first, last + 1))
        if not covered:
            raise ToolkitError("months.none", path=source.store_name, year=f"{year} Q{quarter}" if quarter else year)
        period, stored = covered[-1]
        cache = {} if ledgers is None else ledgers
        if stored not in cache:
            cache[stored] = source.store_ledger(stored)
        ledger = cache[stored]
        known = year_month(period)[1]
    else:
        ledger = source.ledger(f"{year:04d}-{last:02d}")
        known = min(last, last_data_month(ledger, year))
    return review(ledger, year, quarter, known, _royalties(ledger, year, max(first, known), source))


def appraisal_appendix(ledger: Ledger, period: str) -> Review:
    """The report appendix: the quarter of ``period`` so far, on the report's own ledger."""
    year, month = year_month(period)
    quarter = (month - 1) // 3 + 1
    return review(ledger, year, quarter, month, _royalties(ledger, year, month))
