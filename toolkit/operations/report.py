"""Render the monthly report to the general manager (xlsx, html, md, pdf) from a ledger."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..core.findings import Finding
from ..core.ledger import Ledger
from ..core.periods import check_period, parse_period
from ..report import build_context, render_report
from ..report.render import HtmlProcess, check_formats, html_apart, html_worker
from ..report.completeness import store_left_out
from ..report.history import ledger_history
from ..report.sections.headline import last_year_payments
from ..report.sections.market import market_section
from ..report.stored_history import closed_figures
from .closes import stored_version_facts
from .source import Source

#: What the month close and the ribbon render; ``toolkit report --format`` chooses.
DEFAULT_FORMATS = ("xlsx", "html", "md")


def render_monthly_report(ledger: Ledger, period: str, out_dir: str | Path, *, lang: str = "en",
                          formats: Sequence[str] = DEFAULT_FORMATS, template: str | Path | None = None,
                          extra_findings: Sequence[Finding] = (), closed: Any = None,
                          version: dict[str, Any] | None = None, parallel: bool = False,
                          html_process: HtmlProcess | None = None) -> list[Path]:
    """Build the report context of ``period`` and render it in ``formats`` into ``out_dir``; the files written.

    ``closed``: the figures of months already closed (``report.stored_history.closed_figures``); ``version``: a
    re-close's ``operations.closes.version_facts``; ``parallel``: the HTML rendered in a forked process beside
    the other formats (``render_report``), in a process started before the context is built (``html_worker``:
    it imports the charts' libraries meanwhile); ``html_process``: the month close's ``HtmlProcess``, started
    earlier still (its owner closes it), used instead of one of ``html_worker``'s; its ``early`` result
    ``"market"``, when it has one, is the market section with its HTML charts (``render.market_early``),
    asked for once the rest of the context is built; ``"last_year"`` last year's payments the headline needs,
    ``"history"`` the 12-month history's part that needs no royalties of this year (each made by the process
    while the close computed those royalties)."""
    with html_worker(parallel and html_process is None and html_apart(formats)) as pool:
        early: dict[str, Any] = {}

        def market() -> tuple[dict[str, Any], dict[str, Any]]:
            """The close's market section and its charts, made meanwhile; asked for once the context needs it
            (the section made here, its charts drawn with the rest, should that process have none)."""
            made = html_process.early_or("market", lambda: None)  # type: ignore[union-attr] - given with a process
            if made is None:
                return market_section(ledger, period, lang)
            early["charts"] = made[1]
            return made[0]

        def paid_last_year() -> Any:
            """Last year's payments the headline needs, made meanwhile by the close's process."""
            return html_process.early_or(  # type: ignore[union-attr] - only given with a process
                "last_year", lambda: last_year_paid(ledger, period, closed))["payments"]

        def history(ledger: Ledger, p: Any, royalties: Any, months: int) -> Any:
            """The 12-month history, with what needs none of this year's royalties made meanwhile by the close's
            process (``report.history.history_without_royalties``; made there by ``ledger_history`` otherwise)."""
            return ledger_history(ledger, p, royalties, months,
                                  html_process.early_or("history", lambda: None))  # type: ignore[union-attr]

        context = build_context(ledger, period, lang=lang, extra_findings=list(extra_findings), closed=closed,
                                version=version, **({} if html_process is None else {
                                    "market": market, "last_year_paid": paid_last_year, "history": history}))
        return render_report(context, list(formats), lang, Path(out_dir), template, parallel=parallel,
                             html_pool=html_process or pool, market_charts=early.get("charts"))


def last_year_paid(ledger: Ledger, period: str, closed: Any) -> dict[str, Any]:
    """Last year's royalty payments the report's headline needs (``sections.headline.last_year_payments``),
    wrapped (``{"payments": ...}``: None is a result too) as the month close's HTML process makes them early."""
    return {"payments": last_year_payments(ledger, parse_period(period), closed)}


def monthly_context(source: Source, period: str, *, lang: str = "en") -> dict[str, Any]:
    """The report context of ``period`` from workbooks or the store (data problems go in its data-quality
    section); from the store, the departments its latest run left out head the report, with the findings
    recorded for them."""
    period = check_period(period)
    ledger = source.ledger(period, force=True)
    extra: list[Finding] = []
    closed = version = None
    if source.from_store:
        with source.store() as store:
            extra = store_left_out(store, period)
            closed = closed_figures(store)
            closed = closed[closed["period"] < period]
            version = stored_version_facts(store, period)
    return build_context(ledger, period, lang=lang, extra_findings=extra, closed=closed, version=version)


def monthly_report(source: Source, period: str, out_dir: str | Path, *, lang: str = "en",
                   formats: Sequence[str] = DEFAULT_FORMATS, template: str | Path | None = None) -> list[Path]:
    """``toolkit report``: the month from workbooks or the store, always rendered (``monthly_context``); an
    unknown format is refused before the month is read."""
    check_formats(formats)
    context = monthly_context(source, period, lang=lang)
    return render_report(context, list(formats), lang, Path(out_dir), template)
