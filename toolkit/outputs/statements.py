"""Statements: one employee's statement as rows and workbook sheets, and the index workbook.

The rows are built once (``summary_rows``, ``royalty_rows``, …) from a ``toolkit.core.statements.Statement``;
the workbook shows them here and the page (``toolkit.report.statements``, printed to PDF) shows the same
rows, so both always carry the same lines. Labels come from the one label table (``labels.py``, ``st.*``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
from pathvalidate import sanitize_filename

from ..core import appraisal as A
from ..core.findings import Finding
from ..core.statements import NOT_COMPUTED, Statement, cents
from ..i18n import t
from ..io.writer import SheetFrame, write_frames
from ..money import fmt_money, round_series
from ..schema import enums as E
from .labels import label
from .salary import TERM_KEYS
from .sheets import findings_sheets

SUMMARY_COLUMNS = ["item", "amount", "detail"]
ROYALTY_COLUMNS = ["section", "item", "base", "factor", "rate", "amount"]
CONTRIBUTION_COLUMNS = ["date", "receipt_no", "contract_no", "product_line", "amount", "share", "credited",
                        "factor", "weighted", "in_period"]
COMPLETION_COLUMNS = ["indicator", "month_target", "month_actual", "month_completion", "ytd_target", "ytd_actual",
                      "ytd_completion", "time_progress", "rag", "rank"]
TERM_COLUMNS = ["indicator", "weight", "ytd_completion", "value", "points"]
INDEX_COLUMNS = ["employee_id", "name", "department", "role", "st.language", "st.status", "st.ytd_earned",
                 "st.paid_to_date", "st.adjustments", "st.this_payment", "st.floating_pay", "st.manual_total", "st.total",
                 "grade",
                 "coefficient", "reason", "st.file", "st.problem"]
INDEX_MONEY = ["st.ytd_earned", "st.paid_to_date", "st.adjustments", "st.this_payment", "st.floating_pay",
               "st.manual_total", "st.total"]


def safe_stem(text: str) -> str:
    """``text`` as a file name that is valid on Windows (characters, reserved names such as CON, length)."""
    return sanitize_filename(text.rstrip("-"), platform="windows", replacement_text="_", max_len=120)


def file_stem(st: Statement) -> str:
    """``statement-2026-10-E1002-Ma Jie``."""
    return safe_stem(f"statement-{st.period}-{st.employee_id}-{st.name or ''}")


def pct_text(x: Any, digits: int = 1) -> str:
    return "" if x is None or pd.isna(x) else f"{float(x):.{digits}%}"


def rate_text(x: float) -> str:
    """A rate with the digits it needs: 1.2%, 96.5186%."""
    text = f"{x * 100:.6f}".rstrip("0").rstrip(".")
    return f"{text}%"


def summary_rows(st: Statement) -> list[dict[str, Any]]:
    """The statement's first table: who, then the payment ladder (earned − paid = payment, of which …)."""
    lang = st.lang
    rows: list[dict[str, Any]] = [
        {"item": label("st.period", lang), "detail": st.period},
        {"item": label("employee_id", lang), "detail": st.employee_id},
        {"item": label("name", lang), "detail": st.name},
        {"item": label("department", lang), "detail": st.department},
        {"item": label("role", lang), "detail": E.ROLE.label(st.role, lang) if st.role else None},
    ]
    if st.draft:
        rows.insert(0, {"item": label("st.draft.mark", lang), "detail": label("st.draft", lang)})
    if st.final:
        rows.insert(0, {"item": label("st.final", lang), "detail": label(
            "st.final.later" if st.pays_later else "st.final.detail", lang, date=st.leave_date)})
    if st.status == NOT_COMPUTED:
        rows.append({"item": label("st.status", lang), "detail": label("st.not-computed", lang)})
        return rows
    if st.payout is None:
        rows.append({"item": label("st.this_payment", lang), "detail": label("st.no-royalty", lang)})
    else:
        p = st.payout
        rows += [{"item": label("st.ytd_earned", lang), "amount": p.ytd_earned},
                 {"item": label("st.paid_to_date", lang), "amount": p.paid_to_date,
                  "detail": None if p.recorded else label("st.recomputed", lang)}]
        if p.opening is not None and p.opening_through:
            rows.append({"item": label("st.why", lang), "detail": label(
                "st.why.opening", lang, first=f"{st.period[:4]}-01", through=p.opening_through,
                amount=fmt_money(p.opening, grouped=True), year=st.period[:4])})
        rows += [
                 {"item": label("st.this_payment", lang), "amount": p.this_payment,
                  "detail": label("note.clawback", lang) if cents(p.this_payment) < 0 else p.note_in(lang)}]
        rows += [{"item": label("st.why", lang), "detail": text} for text in explanations(st)]
        for a in p.adjustments:
            rows.append({"item": label("st.adjustment", lang, text=a.description_in(lang)), "amount": a.amount,
                         "detail": adjustment_detail(a, lang)})
        if p.adjustments:
            rows.append({"item": label("st.earned_this_month", lang), "amount": p.earned_this_month})
        if p.prior_year:
            rows.append({"item": label("item.prior-year", lang, year=str(int(st.period[:4]) - 1)),
                         "amount": p.prior_year})
    if st.floating_pay is not None:
        rows.append({"item": label("st.floating_pay", lang), "amount": st.floating_pay,
                     "detail": floating_detail(st)})
    for c in st.caught_up:
        rows.append({"item": label("st.floating_caught_up", lang, period=c["period"]), "amount": c["amount"],
                     "detail": label("st.why.caught-up", lang, period=c["period"])})
    for m in st.manual:
        rows.append({"item": label("st.manual", lang, kind=E.ADJUSTMENT_KIND.label(m["kind"], lang),
                                   reason=m.get("reason") or ""), "amount": m["amount"],
                     "detail": label("st.manual.approved", lang, by=m.get("approved_by") or "")})
    if st.total_payable is not None:
        rows.append({"item": label("st.total", lang), "amount": st.total_payable, "total": True})
    if st.draw_balance is not None:
        rows.append({"item": label("st.draw_balance", lang), "detail": fmt_money(st.draw_balance, grouped=True, blank="")})
    return rows


def adjustment_detail(a: Any, lang: str) -> str | None:
    """The month and rows behind an adjustment, and the row's amount before → after (issue 24)."""
    parts = [*([a.period] if a.period else []), *a.rows]
    if a.before is not None or a.after is not None:
        none = label("st.adjustment.none", lang)
        where = (a.where or {}).get(lang) or (a.where or {}).get("en") or ""
        change = f"{fmt_money(a.before, grouped=True) if a.before is not None else none} → " \
                 f"{fmt_money(a.after, grouped=True) if a.after is not None else none}"
        parts.append(label("st.adjustment.change", lang, where=where, before=change.split(" → ")[0],
                           after=change.split(" → ")[1]) if where else change)
    return "; ".join(parts) or None


COMPARE_COLUMNS = ["item", "previous", "current", "change"]


def compare_rows(st: Statement) -> list[dict[str, Any]]:
    """Last month's YTD computation beside this month's (B, Y, c, T(B), YTD royalty), as computed now: a clawback
    or a jump shows where it comes from. None in January or without last month's line."""
    r, prev, lang = st.royalty, st.previous, st.lang
    if r is None or prev is None:
        return []
    out = []
    for key, this, last, kind in (
            ("st.base_b", r["ytd_base"], prev.get("ytd_base"), "money"),
            ("st.target_y", r["ytd_target"], prev.get("ytd_target"), "money"),
            ("st.completion_c", r["completion"], prev.get("completion"), "percent"),
            ("st.t_of_b", st.t_of_b, prev.get("t_of_b"), "money"),
            ("ytd_royalty", st.ytd_royalty, prev.get("ytd_royalty"), "money")):
        known = [v for v in (this, last) if v is not None and not pd.isna(v)]
        change = None
        if len(known) == 2:
            change = (cents(this) - cents(last)) / 100 if kind == "money" else float(this) - float(last)
        out.append({"item": label(key, lang), "previous": None if last is None or pd.isna(last) else float(last),
                    "current": None if this is None or pd.isna(this) else float(this), "change": change,
                    "kind": kind})
    return out


def compare_frame(st: Statement) -> pd.DataFrame:
    """``compare_rows`` with headers: item, last month's period, this month's period, change."""
    prev = (st.previous or {}).get("period", "")

    def text(v: float | None, kind: str, change: bool = False) -> str:
        if v is None:
            return ""
        if kind == "money":
            return fmt_money(v, grouped=True, sign=change)
        if change:
            return label("st.compare.points", st.lang, value=fmt_money(v * 100, sign=True))  # points, 2 decimals
        return pct_text(v, 2)

    rows = [{"item": r["item"], "previous": text(r["previous"], r["kind"]), "current": text(r["current"], r["kind"]),
             "change": text(r["change"], r["kind"], True)} for r in compare_rows(st)]
    frame = pd.DataFrame(rows).reindex(columns=COMPARE_COLUMNS)
    return frame.rename(columns={"item": label("item", st.lang), "previous": str(prev), "current": st.period,
                                 "change": label("st.compare.change", st.lang)})


def explanations(st: Statement) -> list[str]:
    """The sentences that say why this payment is what it is: a clawback, a gate just reached (the months since
    January paid at once), a gate not reached, the annual cap."""
    p, r, lang = st.payout, st.royalty or {}, st.lang
    if p is None:
        return []
    out: list[str] = []
    money = lambda v: fmt_money(v, grouped=True, blank="")  # noqa: E731
    gate, completion = r.get("gate"), r.get("completion")
    has_gate = isinstance(gate, (int, float)) and not pd.isna(gate) and gate > 0
    has_completion = isinstance(completion, (int, float)) and not pd.isna(completion)
    if cents(p.this_payment) < 0:
        out.append(label("st.why.clawback", lang, earned=money(p.ytd_earned), paid=money(p.paid_to_date),
                         amount=money(-p.this_payment)))
    elif has_gate and has_completion and r.get("reason") == "below-gate":
        out.append(label("st.why.below-gate", lang, completion=pct_text(completion), gate=pct_text(gate)))
    elif (has_gate and has_completion and completion >= gate and cents(p.paid_to_date) == 0
          and cents(p.this_payment) > 0 and int(st.period[5:7]) > 1):
        out.append(label("st.why.gate", lang, completion=pct_text(completion), gate=pct_text(gate),
                         earned=money(p.ytd_earned)))
    if r.get("reason") == "capped":
        out.append(label("st.why.capped", lang, cap=money(r.get("annual_cap"))))
    return out


def floating_detail(st: Statement) -> str:
    s, lang = st.salary or {}, st.lang
    parts = [label(f"appraisal.{s.get('basis')}", lang)]
    if s.get("score") is not None and not pd.isna(s.get("score")):
        parts.append(f"{label('score', lang)} {pct_text(s['score'])}")
    if isinstance(s.get("grade"), str):
        parts.append(f"{label('grade', lang)} {s['grade']}")
    parts.append(f"{label('coefficient', lang)} {float(s['coefficient']):g}")
    parts.append(f"{label('floating_base', lang)} {fmt_money(s['floating_base'], grouped=True, blank='')}")
    reason = A.reason_text(s.get("reason"), lang)
    return " · ".join(parts + ([reason] if reason else []))


def royalty_rows(st: Statement) -> list[dict[str, Any]]:
    """The royalty computation step by step: B, Y, c, gate; T(B) line by line; the weighting, cap, rounding."""
    r, lang = st.royalty, st.lang
    if r is None:
        return []
    tiers, weighting = label("st.section.tiers", lang), label("st.section.weighting", lang)
    plan = f"{r['plan']} ({E.BASIS.label(r['basis'], lang)}, {E.METHOD.label(r['method'], lang)})"
    rows: list[dict[str, Any]] = [
        {"section": tiers, "item": label("st.plan", lang, plan=plan)},
        {"section": tiers, "item": f"{label('st.base_b', lang)} = {fmt_money(r['ytd_base'], grouped=True, blank='')}", "base": r["ytd_base"]},
        {"section": tiers, "item": f"{label('st.target_y', lang)} = {fmt_money(r['ytd_target'], grouped=True, blank='')}",
         "base": r["ytd_target"]},
        {"section": tiers, "item": f"{label('st.completion_c', lang)} = {pct_text(r['completion'], 2)}",
         "rate": r["completion"], "percent": True},
        {"section": tiers, "item": f"{label('st.gate', lang)} {pct_text(r['gate'], 0)}", "rate": r["gate"], "percent": True},
    ]
    if st.segments:  # the plan or its terms changed: each segment's own figures before its tiers
        rows = rows[:1]
    elif r["reason"] not in ("ok", "capped"):
        rows.append({"section": tiers, "item": label(f"st.reason.{r['reason']}", lang)})
    heads = {int(s["seg"]): _segment_head(s, tiers, lang) for s in st.segments}
    for i, s in enumerate(st.tiers):
        if st.segments and (i == 0 or st.tiers[i - 1].segment != s.segment):
            rows += heads.pop(s.segment, [])
        if s.kind == "tier-rounding":
            rows.append({"section": tiers, "item": label("st.tier-rounding", lang), "amount": s.amount})
            continue
        hi = "∞" if s.hi is None else pct_text(s.hi, 0)
        rows.append({"section": tiers, "item": label(f"st.{s.kind}", lang, lo=pct_text(s.lo, 0), hi=hi,
                                                     base=fmt_money(s.base, grouped=True, blank=""), rate=rate_text(s.rate or 0.0)),
                     "base": s.base, "rate": s.rate, "amount": s.amount})
    for head in heads.values():  # a segment without tiers
        rows += head
    if not st.segments:
        rows.append({"section": tiers, "item": label("st.t_of_b", lang), "amount": st.t_of_b, "total": True})
    seg_names = {int(s["seg"]): _segment_name(s, lang) for s in st.segments}
    for s in st.weighting:
        if s.kind == "line":
            line = s.product_line or label("st.line.none", lang)
            if st.segments:
                line = f"{seg_names.get(s.segment, '')}: {line}"
            rows.append({"section": weighting, "item": label("st.line", lang, line=line, base=fmt_money(s.base, grouped=True, blank=""),
                                                             factor=f"{s.factor:g}"),
                         "base": s.base, "factor": s.factor, "rate": s.rate, "amount": s.amount})
        elif s.kind == "cap":
            rows.append({"section": weighting, "item": label("st.cap", lang, cap=fmt_money(s.base, grouped=True, blank="")),
                         "amount": s.amount})
        else:
            rows.append({"section": weighting, "item": label("st.rounding", lang), "amount": s.amount})
    rows.append({"section": weighting, "item": label("ytd_royalty", lang), "amount": st.ytd_royalty, "total": True})
    return rows


def _segment_name(s: dict[str, Any], lang: str) -> str:
    """A segment's name on a statement: its months up to the statement's (2026-01 – 2026-06)."""
    return label("st.segment", lang, start=_month(s["seg_from"], s), end=_month(min(s["seg_to"], s.get("upto", 12)), s))


def _month(m: Any, s: dict[str, Any]) -> str:
    return f"{s['year']:04d}-{int(m):02d}" if "year" in s else f"{int(m):02d}"


def _segment_head(s: dict[str, Any], section: str, lang: str) -> list[dict[str, Any]]:
    """A segment's figures on the statement: its months and plan, B, Y, c, gate, why it pays nothing."""
    plan = f"{s['plan']} ({E.BASIS.label(s['basis'], lang)}, {E.METHOD.label(s['method'], lang)})"
    rows = [{"section": section, "item": f"{_segment_name(s, lang)} — {label('st.plan', lang, plan=plan)}",
             "amount": s["segment_royalty"], "total": True},
            {"section": section, "item": f"{label('st.base_b', lang)} = {fmt_money(s['ytd_base'], grouped=True, blank='')}",
             "base": s["ytd_base"]},
            {"section": section, "item": f"{label('st.target_y', lang)} = "
                                         f"{fmt_money(s['ytd_target'], grouped=True, blank='')}", "base": s["ytd_target"]},
            {"section": section, "item": f"{label('st.completion_c', lang)} = {pct_text(s['completion'], 2)}",
             "rate": s["completion"], "percent": True},
            {"section": section, "item": f"{label('st.gate', lang)} {pct_text(s['gate'], 0)}", "rate": s["gate"],
             "percent": True}]
    if s["reason"] not in ("ok", "capped"):
        rows.append({"section": section, "item": label(f"st.reason.{s['reason']}", lang)})
    return rows


def _frame(rows: list[dict[str, Any]], columns: list[str], money: Sequence[str], lang: str,
           keys: dict[str, str] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(rows).reindex(columns=columns)
    for c in money:
        frame[c] = round_series(pd.to_numeric(frame[c], errors="coerce").astype("float64"))
    keys = keys or {}
    return frame.rename(columns={c: label(keys.get(c, c), lang) for c in columns})


def contribution_frame(st: Statement) -> pd.DataFrame:
    """The receipts (or signed contracts) behind the YTD base, headers in the statement's language."""
    c = st.contributions
    if not len(c):
        return pd.DataFrame(columns=[label(k, st.lang) for k in CONTRIBUTION_COLUMNS])
    frame = c.reindex(columns=CONTRIBUTION_COLUMNS).copy()
    frame["in_period"] = frame["in_period"].astype(bool)
    return _frame(frame.to_dict("records"), CONTRIBUTION_COLUMNS, ("amount", "credited", "weighted"), st.lang,
                  {"in_period": "st.in_period"})


def completion_title(st: Statement) -> str:
    """The completion section's heading: whose figures they are when not the person's own."""
    if st.completion_scope:
        return label("st.section.completion_of", st.lang, department=st.completion_scope)
    return label("st.section.completion", st.lang)


def completion_frame(st: Statement) -> pd.DataFrame:
    """Completion per indicator against target (month and YTD), RAG and rank."""
    c = st.completion
    if not len(c):
        return pd.DataFrame(columns=[label(k, st.lang) for k in COMPLETION_COLUMNS])
    frame = c.reindex(columns=COMPLETION_COLUMNS).copy()
    frame["indicator"] = frame["indicator"].map(lambda v: E.INDICATOR.label(v, st.lang))
    frame["rag"] = frame["rag"].map(lambda v: label(v, st.lang) if isinstance(v, str) else None)
    return _frame(frame.to_dict("records"), COMPLETION_COLUMNS,
                  ("month_target", "month_actual", "ytd_target", "ytd_actual"), st.lang)


def terms_frame(st: Statement) -> pd.DataFrame:
    """The appraisal terms counted in the score (none for the default coefficient)."""
    c = st.terms
    keys = TERM_KEYS
    if not len(c):
        return pd.DataFrame(columns=[label(keys.get(k, k), st.lang) for k in TERM_COLUMNS])
    frame = c.reindex(columns=TERM_COLUMNS).copy()
    frame["indicator"] = frame["indicator"].map(lambda v: E.INDICATOR.label(v, st.lang))
    return _frame(frame.to_dict("records"), TERM_COLUMNS, (), st.lang, keys)


def statement_frames(st: Statement) -> dict[str, pd.DataFrame]:
    """The statement's tables the workbook and the page both show (contributions, completion, appraisal terms),
    built once per statement for both (issue 24: building them twice was a fifth of the statements' CPU)."""
    return {"contributions": contribution_frame(st), "completion": completion_frame(st), "terms": terms_frame(st)}


def statement_sheets(st: Statement, frames: Mapping[str, pd.DataFrame] | None = None) -> list[SheetFrame]:
    """The statement workbook: Statement, Royalty, Receipts, Completion, Floating Pay (``frames``: the tables
    ``statement_frames`` built, when the caller has them)."""
    lang = st.lang
    frames = frames or statement_frames(st)
    summary = _frame(summary_rows(st), SUMMARY_COLUMNS, ("amount",), lang, {"amount": "st.amount",
                                                                           "detail": "note"})
    royalty = _frame(royalty_rows(st), ROYALTY_COLUMNS, ("base", "amount"), lang,
                     {"section": "st.section", "base": "ytd_base", "amount": "royalty", "rate": "rate"})
    pct = {label(k, lang): "percent" for k in ("month_completion", "ytd_completion", "time_progress")}
    term_pct = {label(k, lang): "percent" for k in ("weight", "completion", "term_value", "points")}
    mark = label("st.draft.mark", lang) if st.draft else ""
    sheets = [
        SheetFrame(label("st.title", lang), summary, {label("st.amount", lang): "money"}, table_name="Statement"),
        SheetFrame(label("royalty", lang), royalty, {label("ytd_base", lang): "money", label("royalty", lang): "money",
                                                     label("rate", lang): "percent"}, table_name="RoyaltySteps"),
        *([SheetFrame(label("st.compare.sheet", lang), compare_frame(st), {}, table_name="LastMonth")]
          if compare_rows(st) else []),
        SheetFrame(label("st.section.contributions", lang)[:31], frames["contributions"],
                   {label("share", lang): "percent"}, table_name="Contributions"),
        SheetFrame(label("st.section.completion", lang)[:31], frames["completion"], pct, table_name="Completion",
                   rag=(label("rag", lang),)),
        SheetFrame(label("st.floating_pay", lang), frames["terms"], term_pct, table_name="AppraisalTerms"),
    ]
    return [replace(s, page_header=mark) for s in sheets] if mark else sheets


def index_frame(statements: Sequence[Statement], files: Mapping[str, Sequence[Path]], failures: Sequence[Any],
                lang: str) -> pd.DataFrame:
    """One row per employee (written, not computed or failed) with the statement's totals, and a total row.

    ``failures``: objects with ``employee_id``, ``name``, ``reason`` and ``reason_zh``."""
    rows = []
    for st in statements:
        s = st.salary or {}
        p = st.payout
        rows.append({
            "employee_id": st.employee_id, "name": st.name, "department": st.department,
            "role": E.ROLE.label(st.role, lang) if st.role else None, "st.language": st.lang,
            "st.status": label(f"st.status.{st.status}", lang),
            "st.ytd_earned": p.ytd_earned if p else None, "st.paid_to_date": p.paid_to_date if p else None,
            "st.adjustments": sum(cents(a.amount) for a in p.adjustments) / 100 if p else None,
            "st.this_payment": p.this_payment if p else None, "st.floating_pay": st.floating_pay,
            "st.manual_total": st.manual_total if st.manual else None,
            "st.total": st.total_payable, "grade": s.get("grade") if isinstance(s.get("grade"), str) else None,
            "coefficient": s.get("coefficient") if st.floating_pay is not None else None,
            "reason": A.reason_text(s.get("reason"), lang) or None,
            "st.file": ", ".join(p_.name for p_ in files.get(st.employee_id, [])),
        })
    for f in failures:
        rows.append({"employee_id": f.employee_id, "name": f.name, "st.status": label("st.status.failed", lang),
                     "st.problem": f.reason_zh if lang == "zh" else f.reason})
    frame = pd.DataFrame(rows).reindex(columns=INDEX_COLUMNS)
    for c in INDEX_MONEY:
        frame[c] = round_series(pd.to_numeric(frame[c], errors="coerce").astype("float64"))
    if len(frame):
        total = {c: None for c in INDEX_COLUMNS} | {"employee_id": label("total", lang)}
        total |= {c: sum(cents(v) for v in frame[c].dropna()) / 100 for c in INDEX_MONEY}
        frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    return frame.rename(columns={c: label(c, lang) for c in INDEX_COLUMNS})


def index_name(period: str) -> str:
    return f"statements-index-{period}.xlsx"


def write_index(period: str, statements: Sequence[Statement], files: Mapping[str, Sequence[Path]],
                failures: Sequence[Any], findings: Sequence[Finding], out_dir: Path, lang: str = "en") -> Path:
    """``statements-index-YYYY-MM.xlsx``: every statement's totals, then the findings behind the figures."""
    fmts = {label(c, lang): "money" for c in INDEX_MONEY} | {label("coefficient", lang): "number"}
    sheet = SheetFrame(t("output.sheet.statements", lang), index_frame(statements, files, failures, lang), fmts,
                       table_name="Statements")
    return write_frames(out_dir / index_name(period), [sheet, *findings_sheets(findings, lang)], lang)
