"""The short Markdown summary for an e-mail or chat message: headline, red indicators, overdue, market, findings."""

from __future__ import annotations

import html
import math
import re
from typing import Any

from . import filters as FL
from .sections.words import column_label

TOP = 5


_MARKDOWN = re.compile(r"([\\`*_\[\]|~])")


def _cell(text: object) -> str:
    """Names and free text as literal Markdown, escaped as the HTML report escapes them (issue 22: a customer
    called ``<img onerror=…>`` stays text); a missing value (None, NaN) is empty, never "nan"."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    text = " ".join(str(text).split())
    return _MARKDOWN.sub(r"\\\1", html.escape(text, quote=False))


def render_markdown(context: dict[str, Any]) -> str:
    """The summary as Markdown text in the context's language."""
    lang = context.get("lang", "en")
    unit = context.get("unit", {}).get("key", "yuan")
    tx, h, tables = context["text"], context["headline"], context["tables"]
    lab = lambda k: column_label(k, lang)  # noqa: E731
    money = lambda x: FL.money(x, lang, unit)  # noqa: E731
    out = [f"# {tx['title']} {context['period']}", ""]
    if tx.get("version"):
        out += [f"> **{_cell(tx['version'])}**", ""]
    out += [f"> **{tx['left_out']}**" if context.get("left_out") else f"> {tx['complete']}", ""]
    out += [f"{tx['unit_note']} {tx['time_progress_note']}", "", f"## {tx['summary']}", ""]
    out += [f"- {_cell(line)}" for line in context.get("summary", [])]
    out += ["", f"## {tx['headline']}", ""]
    out += [f"| {lab('indicator')} | {lab('month_actual')} | {lab('mom')} | {lab('yoy')} | {lab('ytd_completion')} |"
            " {} | {} |".format(lab("rag"), lab("annual_completion")), "|---|---:|---:|---:|---:|---|---:|"]
    for r in tables["headline"].to_dict("records"):
        out.append(f"| {_cell(r['indicator'])} | {money(r['month_actual'])} | {FL.change(r['mom'])} | "
                   f"{FL.change(r['yoy'])} | {FL.percent(r['ytd_completion'])} | {FL.rag(r['rag'], lang)} | "
                   f"{FL.percent(r.get('annual_completion'))} |")
    out += ["", f"- {lab('receivable')}: {money(h['receivables'])} ({lab('overdue')} {money(h['overdue'])})",
            f"- {lab('royalties_payable')}: {money(h['royalties_payable'])}",
            f"- {lab('pay')}: {money(h['floating_pay'])}",
            *([f"- {lab('manual_adjustments')}: {money(h['manual_adjustments'])}"] if h.get("manual_adjustments")
              else []),
            f"- {lab('new_count')}: {h['new_contracts']} ({money(h['new_contract_amount'])})", ""]
    if h.get("not_computed"):
        out += [f"- {tx['pay_excluded']}", ""]
    red = tables["red_indicators"]
    dept_red = red[red["name"].isna()]
    out += [f"## {tx['red_indicators']} ({len(red)})", ""]
    rows = (dept_red if len(dept_red) else red).head(TOP * 2)
    out += [f"- {_cell(r['key'])} {_cell(r['indicator'])}: {FL.percent(r['ytd_completion'])}"
            f" ({lab('rag_reference')} {FL.percent(r['rag_reference'])})" for r in rows.to_dict("records")]
    if len(red) > len(rows):
        out.append(f"- … (+{len(red) - len(rows)})")
    out += ["", f"## {tx['overdue']}", ""]
    listed = tables["overdue"]
    listed = listed[~listed.get("_total", False).astype(bool)] if "_total" in listed else listed
    out += [f"- {_cell(r['contract_no'])} {_cell(r['customer'])}: {money(r['receivable'])}, "
            f"{r['days_overdue']} {lab('days_overdue')}" for r in listed.head(TOP).to_dict("records")]
    market = context.get("market")
    if market:  # the market section's sentences (a context built before it existed has none)
        out += ["", f"## {tx['market']}", ""]
        out += [f"- {_cell(line)}" for line in market["brief"]]
    out += ["", f"## {tx['top_findings']}", "", tx["quality_note"], ""]
    out += [f"- [{_cell(r['severity'])}] {_cell(r['file'])} {_cell(r['message'])}".replace("  ", " ")
            for r in tables["findings"].head(TOP).to_dict("records")]
    return "\n".join(out) + "\n"
