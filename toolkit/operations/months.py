"""Where a past month's figures come from: ONE function, ``month_ledgers``, so that stored closes can replace it.

Today the history store keeps, per period, the consolidated department snapshots (rolling registers, so
a month's snapshot holds every earlier row of the year). Month m of a year is computed from the snapshot
of m itself; when m was never consolidated, from the earliest later consolidated month of the same year
(its rows dated up to m are the same registers, later corrected); months after the last consolidated one
are not yet known and are left out. The same store gives the same figures every time, so a performance
file for a past year is reproducible. Issue 12's stored closes (what was actually paid) plug in here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..core.ledger import Ledger
from ..errors import ToolkitError
from ..i18n import register
from .source import Source

register(
    {
        "months.none": ("The history store {path} has no consolidated month in {year}.",
                        "历史库 {path} 中没有 {year} 年已合并的月份。"),
    }
)


@dataclass
class MonthSource:
    """A month of the year and the stored period its figures were computed from."""

    period: str
    source_period: str
    ledger: Ledger


def stored_periods(source: Source, year: int) -> list[str]:
    """The periods of ``year`` with current consolidated department snapshots in the store, in order."""
    with source.store() as store:
        periods = {s.period for s in store.history() if s.is_current and s.period.startswith(f"{year:04d}-")}
        if not periods:
            raise ToolkitError("months.none", path=store.url, year=year)
        return sorted(periods)


def stored_years(source: Source, up_to: int | None = None) -> list[int]:
    """The years with current consolidated department snapshots in the store (up to ``up_to``), in order."""
    with source.store() as store:
        years = {int(s.period[:4]) for s in store.history() if s.is_current}
    return sorted(y for y in years if up_to is None or y <= up_to)


def month_sources(source: Source, year: int, months: range | None = None) -> list[tuple[str, str]]:
    """(period, source period) for each month of ``year`` (or ``months``) that a stored month covers."""
    stored = stored_periods(source, year)
    out = []
    for m in months or range(1, 13):
        period = f"{year:04d}-{m:02d}"
        later = [p for p in stored if p >= period]
        if later:
            out.append((period, later[0]))
    return out


def month_ledgers(source: Source, year: int, months: range | None = None,
                  cache: dict[str, Ledger] | None = None) -> Iterator[MonthSource]:
    """Each covered month of ``year`` with the ledger it is computed from (a ledger loaded once per stored period;
    ``cache``: ledgers by stored period shared with the caller's other reads)."""
    cache = {} if cache is None else cache
    for period, stored in month_sources(source, year, months):
        if stored not in cache:
            cache[stored] = source.store_ledger(stored)
        yield MonthSource(period, stored, cache[stored])
