"""The report context: every figure the monthly report shows, built once from the computations.

``build_context(ledger, period, findings=None, lang="en")`` is pure (no file access). It calls the same
library functions as the computing commands (completion, funds, forecast, royalties, appraisal) and only
assembles the sections (``toolkit.report.sections``: one module per report section, each selecting,
reshaping and labelling the computations' results), so every number in a rendered report equals the
commands' JSON. The result is plain data: dicts of scalars and ``tables`` of DataFrames with column kinds in
``columns`` (documented field by field in templates/README.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from ..core import completion as C
from ..core import funds as F
from ..core import month as M
from ..core import royalties as R
from ..core.findings import Finding
from ..core.ledger import Ledger
from . import filters as FL
from .completeness import NOT_COMPUTED, left_out
from .history import HistorySource, ledger_history
from .summary import sentences
from .sections.words import COLUMNS, TEXT, column_label, label, money_unit, num, text, with_total
from .sections.funds import aging_columns, funds_tables
from .sections.quality import POLICY_CODES, findings_frame, quality_tables
from .sections.headline import TREND_MONTHS, headline_figures, history_as_closed
from .sections.pay import appraisal_table, manual_table, pay_tables
from .sections.completion import completion_tables
from .sections.contracts import contracts_table
from .sections.expenses import expense_tables
from .sections.feedback import feedback_tables
from .sections.forecast import forecast_tables
from .sections.market import market_section
from .sections.version import version_sentence

__all__ = ["COLUMNS", "POLICY_CODES", "TEXT", "build_context", "column_label", "findings_frame", "label",
           "text", "with_total"]


def build_context(ledger: Ledger, period: str, findings: Sequence[Finding] | None = None,
                  lang: str = "en", extra_findings: Sequence[Finding] = (),
                  history: HistorySource = ledger_history, closed: pd.DataFrame | None = None,
                  version: dict[str, Any] | None = None,
                  market: tuple[dict[str, pd.DataFrame], dict[str, Any]]
                  | Callable[[], tuple[dict[str, pd.DataFrame], dict[str, Any]]] | None = None,
                  last_year_paid: Callable[[], pd.DataFrame | None] | None = None) -> dict[str, Any]:
    """Everything the monthly report shows for ``period`` (YYYY-MM), in ``lang``, as plain data.

    ``findings``: the data-quality findings to show (default: the ledger's findings plus the
    computations' own); ``extra_findings`` are shown too (the month close adds the departments it
    could not consolidate; ``completeness.store_left_out`` rebuilds them from the store). ``history``
    gives the 12-month trend (default: rebuilt from the ledger); ``closed`` holds the figures of months already
    closed as their closes stored them, which month on month, year on year and the trends use for those months;
    ``version``: a re-close's ``operations.closes.version_facts`` (the summary opens with what it supersedes);
    ``market``: the market section (``sections.market.market_section`` of this ledger, period and language)
    when the caller computed it already (the month close, in its HTML process), or a function giving it, called
    once the sections before it are built (the close's is still being made meanwhile); ``last_year_paid``: gives
    last year's royalty payments the headline needs (``sections.headline.last_year_payments``), made already.
    Numbers come from the computations
    unchanged (money already in cents); totals are sums of the lines shown.
    """
    p = C.parse_period(period)
    # the results the outputs show, computed once per ledger (``core.month``: the month close computes them
    # before its outputs and this report run side by side)
    royalties = M.royalty_payments(ledger, period)
    rows = M.completion(ledger, period)
    funds = M.funds(ledger, period)
    fres = M.forecast(ledger, period)
    roy = R.compute_royalties(ledger, period)
    sal = M.appraisal(ledger, period)
    rows = rows[rows["status"] != NOT_COMPUTED].reset_index(drop=True)  # left out: named in the banner, never 0.00
    if findings is None:
        findings = list(ledger.findings) + list(roy.findings) + list(sal.findings)
    findings = list(extra_findings) + list(findings)
    excluded = left_out(findings, ledger, lang)
    excluded_names = [e["department"] for e in excluded]
    unit = money_unit(ledger, lang)

    headline, headline_table, trend = headline_figures(ledger, p, rows, royalties, lang, closed, last_year_paid)
    company_rows = rows[rows["level"] == "company"].set_index("indicator")
    headline_table["annual_completion"] = [
        num(company_rows["annual_completion"].get(ind)) if ind in company_rows.index else None for ind in C.INDICATORS]
    headline_table["_lower_better"] = [ind in C.LOWER_IS_BETTER for ind in C.INDICATORS]
    tables: dict[str, pd.DataFrame] = {"headline": headline_table}
    tables["contracts_by_department"] = contracts_table(ledger, p, lang)
    tables.update(completion_tables(rows, ledger, lang, excluded_names))

    columns = {name: list(cols) for name, cols in COLUMNS.items()}
    columns["aging"] = aging_columns(funds)
    tables.update(funds_tables(funds, ledger, lang))

    tables.update(expense_tables(ledger, rows, p, lang))
    find_frame = findings_frame(findings, lang)

    pay, roy_status, not_computed = pay_tables(roy, sal, excluded_names, lang)
    tables.update(pay)
    tables["manual_adjustments"] = manual_table(ledger, period, lang)
    tables.update(feedback_tables(ledger, p, lang))
    tables["forecast"], tables["trend"] = forecast_tables(fres, trend, lang)
    tables["appraisal"] = appraisal_table(ledger, p, royalties, lang)
    tables["history"] = history_as_closed(history(ledger, p, royalties, TREND_MONTHS), closed)
    market_tables, market = market() if callable(market) else market if market is not None else \
        market_section(ledger, period, lang)
    tables.update(market_tables)
    tables["market_summary"] = pd.DataFrame({"summary": market["sentences"]}, dtype=object)
    tables.update(quality_tables(find_frame, lang))

    computed_roy = tables["royalties"].iloc[-1]
    company_aging = funds.aging[funds.aging["level"] == "company"]
    new = tables["contracts_by_department"].iloc[-1]
    sev = find_frame["severity"].value_counts() if len(find_frame) else pd.Series(dtype="int64")
    comp_fc = fres.series[fres.series["level"] == "company"]
    headline.update({
        "receivables": num(company_aging["total"].iloc[0]) if len(company_aging) else 0.0,
        "overdue": num(company_aging["overdue"].iloc[0]) if len(company_aging) else 0.0,
        "royalties_payable": float(computed_roy["payment"] or 0.0),
        "ytd_royalty": float(computed_roy["ytd_royalty"] or 0.0),
        "clawbacks": int(roy.lines["clawback"].fillna(False).astype(bool)[roy_status.to_numpy() != NOT_COMPUTED].sum()),
        "floating_pay": float(tables["floating_salary"].iloc[-1]["pay"] or 0.0),
        "manual_adjustments": float(tables["manual_adjustments"].iloc[-1]["amount"] or 0.0)
        if len(tables["manual_adjustments"]) else 0.0,
        "not_computed": int(len(not_computed)),
        "new_contracts": int(new["new_count"]),
        "new_contract_amount": float(new["new_amount"]),
        "delivery_progress": num(new["delivery_progress"]),
        "errors": int(sev.get("error", 0)),
        "warnings": int(sev.get("warning", 0)),
        "finding_files": int(find_frame["file"].dropna().nunique()) if len(find_frame) else 0,
        "red_count": int(len(tables["red_indicators"])),
        "forecast_next": num(tables["forecast"]["m1"].iloc[0]) if len(tables["forecast"]) else None,
        "forecast_method": tables["forecast"]["method"].iloc[0] if len(tables["forecast"]) else None,
        "forecast_mase": num(comp_fc["mase"].iloc[0]) if len(comp_fc) else None,
        "time_progress": float(rows["time_progress"].iloc[0]) if len(rows) else p.month / 12,
    })
    settings = C.rag_settings(ledger)
    ctx: dict[str, Any] = {
        "lang": lang,
        "period": str(p),
        "year": p.year,
        "month": p.month,
        "as_of": funds.as_of.strftime("%Y-%m-%d"),
        "time_progress": headline["time_progress"],
        "rag_basis": settings.basis,
        "unit": unit,
        "files": [str(f).replace("\\", "/").rsplit("/", 1)[-1] for f in ledger.files],
        "royalties_included": royalties is not None,
        "left_out": excluded,
        "headline": headline,
        "tables": tables,
        "columns": columns,
        "labels": {name: [column_label(k, lang) for k, _ in cols] for name, cols in columns.items()},
        "labels_company": label("company", lang),
        "market": market,
    }
    params = _text_params(lang, p, funds, headline, ledger, excluded, not_computed, settings, unit)
    ctx["text"] = {k: text(k, lang, **params) for k in TEXT}
    ctx["text"]["banner"] = ctx["text"]["left_out" if excluded else "complete"]
    ctx["version"] = version
    ctx["text"]["version"] = version_sentence(version, str(p), lang) or ""
    if version:  # a re-close says first which version it is (the Excel template's banner cell holds both)
        ctx["text"]["banner"] = f"{ctx['text']['version']} {ctx['text']['banner']}"
    ctx["text"]["rag_note"] = ctx["text"]["rag_note_time" if settings.basis == C.TIME_PROGRESS else "rag_note_plan"]
    roster = ledger.standard("Roster")
    sales = set(roster.loc[roster["role"] == "Salesperson", "employee_id"].dropna())
    ctx["summary"] = sentences(ctx, rows, funds.aging, sales, sorted(fres.forecast["month"].astype(str).unique()),
                               headline["forecast_mase"])
    tables["summary"] = pd.DataFrame({"summary": ctx["summary"]}, dtype=object)
    return ctx


def _text_params(lang: str, p: pd.Period, funds: F.FundsResult, headline: dict[str, Any], ledger: Ledger,
                 excluded: list[dict[str, str]], not_computed: pd.DataFrame, settings: C.RagSettings,
                 unit: dict[str, str]) -> dict[str, Any]:
    sep = "; " if lang == "en" else "；"
    return {"period": str(p), "as_of": funds.as_of.strftime("%Y-%m-%d"), "n": F.HORIZON,
            "quarter": f"{p.year}-Q{(p.month - 1) // 3 + 1}",
            "tp": f"{headline['time_progress']:.1%}", "files": len(ledger.files) or 0,
            "errors": headline.get("errors", 0), "warnings": headline.get("warnings", 0),
            "finding_files": headline.get("finding_files", 0),
            "method": headline.get("forecast_method") or "-",
            "mase": "-" if headline.get("forecast_mase") is None else f"{headline['forecast_mase']:.2f}",  # a ratio: not money
            "items": sep.join(f"{e['department']} ({e['reason']})" if lang == "en" else f"{e['department']}（{e['reason']}）"
                              for e in excluded),
            "band": f"{settings.amber_band:g}",
            "unit": unit["label"],
            "unit_book": FL.unit_label("yuan", lang),
            "departments": ", ".join(sorted({str(d) for d in not_computed.get("department", [])})),
            "n_people": len(not_computed)}
