"""Indicator completion: the JSON payload (docs/json.md), the Completion sheet (RAG coloured) and the text."""

from __future__ import annotations

from typing import TYPE_CHECKING


from ..core import completion as C
from ..core import month as M
from ..core.ledger import Ledger
from ..i18n import t
from ..io.writer import SheetFrame
from .jsonfmt import findings_json, records
from .labels import formats, label, localized
from .sheets import findings_sheets
from .text import findings_text, text_table
from .base import Output
from ..money import fmt_money_column

if TYPE_CHECKING:
    from .base import Output


def build(ledger: Ledger, period: str, lang: str = "en") -> Output:
    """Completion rows per employee, department and company with the payload documented in docs/json.md."""
    rows = M.completion(ledger, period)  # shared with the report and the salary output (``core.month``)
    emp = rows[(rows["level"] == "employee") & (rows["status"] == "computed")].drop_duplicates("key")
    findings = ledger.unreliable_findings()
    payload = {
        "period": str(C.parse_period(period)),
        "rows": records(rows, C.ROW_COLUMNS, money_cols=C.MONEY_COLUMNS, ratio_cols=C.RATIO_COLUMNS),
        "employees": records(emp.rename(columns={"key": "employee_id"}), ["employee_id", "name", "department"]),
        "royalties_included": M.ledger_royalties(ledger),
        "findings": findings_json(findings, lang),
    }
    return Output("completion", payload["period"], lang, payload, rows, findings)


def sheets(out: Output) -> list[SheetFrame]:
    """One Completion sheet (RAG coloured) and the findings."""
    rows, lang = out.result, out.lang
    cols = ["level", "key", "name", "department", "indicator", *C.ROW_COLUMNS[3:-1]]  # status names the reason
    fmts = formats(cols, lang, C.MONEY_COLUMNS, [c for c in C.RATIO_COLUMNS if c != "pacing"])
    fmts[label("pacing", lang)] = "ratio"
    return [SheetFrame(t("output.sheet.completion", lang), localized(rows[cols], lang), fmts,
                       table_name="Completion", rag=(label("rag", lang),)),
            *findings_sheets(out.findings, lang)]


def text(out: Output) -> str:
    """Per level a table of the month, YTD, pacing, RAG and rank; then the findings."""
    rows, lang, payload = out.result, out.lang, out.payload
    lines = [t("output.title.completion", lang, period=payload["period"])]
    if not payload["royalties_included"]:
        lines.append(t("output.no-royalties", lang))
    shown = rows.assign(
        **{c: fmt_money_column(rows[c], grouped=True) for c in C.MONEY_COLUMNS},
        **{c: rows[c].map(lambda v: f"{v:.1%}", na_action="ignore") for c in C.RATIO_COLUMNS if c != "pacing"},
        pacing=rows["pacing"].map(lambda v: f"{v:.2f}", na_action="ignore"),  # a ratio: not money
        rank=rows["rank"].map(lambda v: str(int(v)), na_action="ignore"),
    )
    brief = ["level", "key", "name", "indicator", "month_actual", "ytd_target", "ytd_actual", "ytd_completion",
             "pacing", "needed_per_month", "rag", "rank"]
    if (rows["status"] == "not-computed").any():  # name who is left out, and why
        brief.append("status")
    for level in C.LEVELS:
        part = shown[shown["level"] == level]
        lines += ["", text_table(localized(part[brief], lang).drop(columns=label("level", lang)))]
    if out.findings:
        lines += ["", findings_text(out.findings, lang)]
    return "\n".join(lines)
