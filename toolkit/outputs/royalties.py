"""Royalties: the JSON payload (docs/royalties.md), the summary sheet with one statement sheet per
employee, and the text."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..core import royalties as R
from ..core.ledger import Ledger
from ..i18n import t
from ..io.writer import SheetFrame
from ..money import fmt_money, fmt_money_column, round_series
from ..schema import enums as E
from .labels import label
from .sheets import findings_sheets
from .text import findings_text, percent_text, text_table
from ..core.payouts import apply_payouts
from .base import result_output

if TYPE_CHECKING:
    from .base import Output

MONEY = ("ytd_base", "weighted_base", "ytd_target", "ytd_royalty_uncapped", "annual_cap", "ytd_royalty",
         "previous_ytd_royalty", "payment", "paid_to_date", "regular_payment", "adjustment", "prior_year_adjustment",
         "total_payment")
#: Columns a month close adds to the lines (``attach_ledger``): what the payout ledger says is paid.
LEDGER_COLUMNS = list(R.LEDGER_MONEY)
RATIOS = ("completion", "tier_rate", "gate")
SUMMARY_COLUMNS = ["employee_id", "name", "department", "plan", "basis", "method", "ytd_base", "weighted_base",
                   "ytd_target", "completion", "gate", "tier_rate", "ytd_royalty_uncapped", "annual_cap",
                   "ytd_royalty", "previous_ytd_royalty", "payment"]
STATEMENT_COLUMNS = ["item", "date", "receipt_no", "contract_no", "product_line", "amount", "share", "factor",
                     "credited", "weighted", "rate", "royalty"]
_STATEMENT_KINDS = {"date": "date", "amount": "money", "credited": "money", "weighted": "money", "royalty": "money",
                    "share": "percent", "rate": "percent", "factor": "number", "item": "text", "receipt_no": "text",
                    "contract_no": "text", "product_line": "text"}


def build(ledger: Ledger, period: str, lang: str = "en") -> Output:
    """The royalty computation and its payload; ``findings`` are the ledger's unreliable ones and its own."""
    return result_output("royalties", ledger, R.compute_royalties(ledger, period), lang)


def note(line: dict[str, Any], lang: str) -> str:
    """The line's note: why it pays nothing (below gate, no target, not computed …), capped, clawback."""
    notes = [label(f"note.{line['reason']}", lang)] if line["reason"] != "ok" else []
    if line["clawback"] is True:
        notes.append(label("note.clawback", lang))
    return ", ".join(notes)


def summary_frame(result: R.RoyaltyResult, lang: str) -> pd.DataFrame:
    """One row per employee plus a total row, headers in ``lang`` (the xlsx summary sheet)."""
    lines = result.lines
    out = lines[SUMMARY_COLUMNS + [c for c in LEDGER_COLUMNS if c in lines.columns]].copy()
    out["basis"] = out["basis"].map(lambda v: E.BASIS.label(v, lang))
    out["method"] = out["method"].map(lambda v: E.METHOD.label(v, lang))
    out["note"] = [note(r, lang) for r in lines.to_dict("records")]
    for c in (c for c in MONEY if c in out.columns):  # cells hold the cents shown: Excel's sums agree
        out[c] = round_series(out[c]).where(out[c].notna())
    if "status" in lines.columns and (lines["status"] != R.COMPUTED).any():
        out["status"] = lines["status"].map(lambda v: label(v, lang))
    totals = result.totals()
    total = {c: None for c in out.columns} | {"employee_id": label("total", lang)}
    total |= {k: float(totals[k]) for k in (*R.TOTAL_MONEY, *LEDGER_COLUMNS) if k in totals}
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True) if len(out) else out
    return out.rename(columns={c: label(c, lang) for c in out.columns})


def statement_frame(result: R.RoyaltyResult, employee_id: str, lang: str,
                    parts: tuple[pd.DataFrame, pd.DataFrame] | None = None) -> pd.DataFrame:
    """An employee's statement as one table: the figures, then tiers/bands, then every contributing row.

    ``parts``: the employee's bands and contributions when the caller has already split them by employee."""
    return statement_frames(result, [employee_id], lang, {employee_id: parts} if parts is not None else None)[employee_id]


def _head_rows(result: R.RoyaltyResult, line: dict[str, Any], bands: list[dict[str, Any]], segs: pd.DataFrame,
               lang: str) -> list[dict[str, Any]]:
    """A statement's rows above its contributing rows: the figures, the payout ledger's lines, the segments and
    the tiers/bands (``bands``: the employee's rows of ``result.bands`` as records)."""
    rows: list[dict[str, Any]] = []

    def figure(key: str, **values: Any) -> None:
        rows.append({"item": label(key, lang), **values})

    figure("ytd_base", credited=line["ytd_base"])
    figure("weighted_base", weighted=line["weighted_base"])
    figure("ytd_target", amount=line["ytd_target"])
    figure("completion", rate=line["completion"])
    figure("gate", rate=line["gate"])
    figure("tier_rate", rate=line["tier_rate"])
    figure("ytd_royalty_uncapped", royalty=line["ytd_royalty_uncapped"])
    figure("annual_cap", royalty=line["annual_cap"])
    figure("ytd_royalty", royalty=line["ytd_royalty"])
    figure("previous_ytd_royalty", royalty=line["previous_ytd_royalty"])
    rows.append({"item": label("item.clawback" if line["clawback"] else "payment", lang), "royalty": line["payment"]})
    if "paid_to_date" in line:
        rows += _ledger_items(result, line, lang)
    heads = {int(s["seg"]): s for s in segs.sort_values("seg").to_dict("records")} if len(segs) > 1 else {}
    year, month = int(result.period[:4]), int(result.period[5:7])
    for b in bands:
        s = heads.pop(int(b.get("seg", 0)), None)
        if s is not None:  # the plan or its terms changed: each segment's months, plan, base, target, royalty
            rows.append({"item": label("item.segment", lang, start=f"{year:04d}-{int(s['seg_from']):02d}",
                                       end=f"{year:04d}-{min(int(s['seg_to']), month):02d}", plan=s["plan"]),
                         "credited": s["ytd_base"], "amount": s["ytd_target"], "rate": s["completion"],
                         "royalty": s["segment_royalty"]})
        hi = "∞" if pd.isna(b["to_pct"]) else f"{b['to_pct']:.0%}"
        kind = "item.band" if b["method"] == R.MARGINAL else "item.tier"
        rows.append({"item": label(kind, lang, lo=f"{b['from_pct']:.0%}", hi=hi),
                     "credited": b["band_base"], "rate": b["rate"], "royalty": b["band_amount"]})
    return rows


def statement_frames(result: R.RoyaltyResult, employees: list[str], lang: str,
                     parts: dict[str, tuple[pd.DataFrame, pd.DataFrame] | None] | None = None
                     ) -> dict[str, pd.DataFrame]:
    """The statements (``statement_frame``) of ``employees`` by employee: built as one table whose columns are
    typed and rounded once, then cut per employee (a close writes one per salesperson; per statement the column
    conversions cost more than its rows). ``parts``: bands and contributions already split by employee."""
    lines = result.lines
    first: dict[str, dict[str, Any]] = {}
    wanted = set(employees)
    records = lines.to_dict("records")  # once: per employee, a row's to_dict costs more than the statement's rows
    for i, emp in enumerate(lines["employee_id"].tolist()):
        if emp in wanted and emp not in first:
            first[emp] = records[i]
    no_segments = result.segments.iloc[0:0] if result.segments is not None else pd.DataFrame({"seg": []})
    segments = dict(list(result.segments.groupby("employee_id", sort=False))) \
        if result.segments is not None and len(result.segments) else {}
    if parts is None and len(set(employees)) == len(employees):  # the employees' rows cut from the result at once
        _, bands, _ = _rows_by_position(result.bands, employees)
        stacked, _, by_position = _rows_by_position(result.contributions, employees, records=False)
        contributions = [stacked] if len(stacked) else []
    else:  # the caller's parts (and the result's rows of anyone it gave none)
        if parts is None or any(parts.get(e) is None for e in employees):
            parts = {**{e: (result.bands[result.bands["employee_id"] == e],
                            result.contributions[result.contributions["employee_id"] == e]) for e in employees},
                     **{e: v for e, v in (parts or {}).items() if v is not None}}
        bands = _records_by_employee([parts[emp][0] for emp in employees])
        by_position = [len(parts[emp][1]) for emp in employees]
        contributions = [parts[emp][1].assign(_emp=pos) for pos, emp in enumerate(employees) if len(parts[emp][1])]
    heads: list[dict[str, Any]] = []
    counts: list[tuple[int, int]] = []
    for pos, emp in enumerate(employees):
        rows = _head_rows(result, first[emp], bands[pos], segments.get(emp, no_segments), lang)
        heads += [{**r, "_emp": pos} for r in rows]
        counts.append((len(rows), by_position[pos]))
    frame = pd.DataFrame(heads, columns=[*STATEMENT_COLUMNS, "_emp"]).astype(object)
    if contributions:  # every contributing row, column-wise (the rows above are a handful per statement)
        rows = pd.concat(contributions, ignore_index=True)
        receipt = (rows["basis"] == "Collected").to_numpy(dtype=bool)
        rest = pd.DataFrame({
            "item": pd.Series(receipt).map({True: label("item.receipt", lang),
                                            False: label("item.contract", lang)}).to_numpy(dtype=object),
            **{c: rows[c].to_numpy(dtype=object) for c in (
                "date", "receipt_no", "contract_no", "product_line", "amount", "share", "factor", "credited",
                "weighted")}, "_emp": rows["_emp"].to_numpy()}, columns=[*STATEMENT_COLUMNS, "_emp"])
        frame = pd.concat([frame, rest.astype(object)], ignore_index=True)
        frame = frame.iloc[np.argsort(frame["_emp"].to_numpy(dtype="int64"), kind="stable")].reset_index(drop=True)
    frame["date"] = pd.to_datetime(frame["date"])
    for c in ("amount", "share", "factor", "credited", "weighted", "rate", "royalty"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype("float64")
    for c in ("amount", "credited", "weighted", "royalty"):
        frame[c] = round_series(frame[c]).where(frame[c].notna())
    for c in ("item", "receipt_no", "contract_no", "product_line"):
        frame[c] = frame[c].astype(object).where(frame[c].notna(), None)
    frame = frame.drop(columns="_emp").rename(columns={c: label(c, lang) for c in STATEMENT_COLUMNS})
    # a statement without contributing rows has no dates: its column typed as pandas types a column of none
    date, no_dates = label("date", lang), pd.to_datetime(pd.Series([None], dtype=object)).dtype
    out: dict[str, pd.DataFrame] = {}
    at = 0
    for emp, (head, contributed) in zip(employees, counts):
        out[emp] = frame.iloc[at:at + head + contributed].reset_index(drop=True)
        if not contributed:
            out[emp][date] = out[emp][date].astype(no_dates)
        at += head + contributed
    return out


def _rows_by_position(frame: pd.DataFrame, employees: list[str], records: bool = True
                      ) -> tuple[pd.DataFrame, list[list[dict[str, Any]]], list[int]]:
    """The rows of ``frame`` of each of ``employees`` (distinct), in the order of ``employees`` and, within one,
    of ``frame`` — what cutting ``frame`` per employee and stacking the pieces gives, with ``_emp`` (the position),
    but cut and stacked once: the rows, their records by position (``records``) and how many each position has."""
    pos = pd.Index(employees, dtype=object).get_indexer(frame["employee_id"].to_numpy(dtype=object))
    keep = pos >= 0
    order = np.argsort(pos[keep], kind="stable")
    at = pos[keep][order]
    rows = frame[keep].iloc[order].assign(_emp=at).reset_index(drop=True)
    counts = np.bincount(at, minlength=len(employees)).tolist()
    if not records:
        return rows, [], counts
    stacked = rows.drop(columns="_emp").to_dict("records") if len(rows) else []
    cut, start = [], 0
    for n in counts:
        cut.append(stacked[start:start + n])
        start += n
    return rows, cut, counts


def _records_by_employee(frames: list[pd.DataFrame]) -> list[list[dict[str, Any]]]:
    """``frame.to_dict("records")`` of each of ``frames`` (the employees' bands, of one dtype each column), made
    by one ``to_dict`` of them stacked: its cost is per call and column, not per row."""
    filled = [f for f in frames if len(f)]
    if not filled:
        return [[] for _ in frames]
    stacked = filled[0].to_dict("records") if len(filled) == 1 else pd.concat(filled).to_dict("records")
    out, at = [], 0
    for f in frames:
        out.append(stacked[at:at + len(f)])
        at += len(f)
    return out


def sheets(out: Output) -> list[SheetFrame]:
    """A summary sheet, one statement sheet per employee, the findings."""
    result, lang = out.result, out.lang
    fmts = {label(c, lang): "money" for c in MONEY} | {label(c, lang): "percent" for c in RATIOS}
    statement_fmts = {label(k, lang): v for k, v in _STATEMENT_KINDS.items()}
    sheets_ = [SheetFrame(t("output.sheet.royalties", lang), summary_frame(result, lang), fmts, table_name="Royalties")]
    computed = [rec for rec in result.lines.to_dict("records") if rec.get("status") != R.NOT_COMPUTED]
    employees = [str(rec["employee_id"]) for rec in computed]
    statements = statement_frames(result, employees, lang)
    for rec, emp in zip(computed, employees):
        name = f"{emp} {rec['name']}" if isinstance(rec["name"], str) else emp
        # every printed page of a trace names whom and what (issue 24): the page header
        sheets_.append(SheetFrame(name, statements[emp], statement_fmts,
                                  table_name=f"Statement_{emp}",
                                  page_header=t("output.royalties.trace-header", lang, employee=emp,
                                                name=rec["name"] if isinstance(rec["name"], str) else "",
                                                period=result.period)))
    return sheets_ + findings_sheets(out.findings, lang)


def text(out: Output) -> str:
    """The readable table, the totals line and the findings."""
    result, lang = out.result, out.lang
    lines = result.lines
    shown = pd.DataFrame({
        "employee_id": lines["employee_id"], "name": lines["name"], "plan": lines["plan"],
        "method": lines["method"].map(lambda v: E.METHOD.label(v, lang)),
        "ytd_base": fmt_money_column(lines["ytd_base"], grouped=True, blank=""), "ytd_target": fmt_money_column(lines["ytd_target"], grouped=True, blank=""),
        "completion": lines["completion"].map(percent_text), "tier_rate": lines["tier_rate"].map(percent_text),
        "ytd_royalty": fmt_money_column(lines["ytd_royalty"], grouped=True, blank=""),
        "previous_ytd_royalty": fmt_money_column(lines["previous_ytd_royalty"], grouped=True, blank=""),
        "payment": fmt_money_column(lines["payment"], grouped=True, blank=""), "note": [note(r, lang) for r in lines.to_dict("records")],
    })
    totals = {k: (fmt_money(v, grouped=True) if not isinstance(v, int) else v) for k, v in result.totals().items()}
    text_ = [t("output.title.royalties", lang, period=out.payload["period"]),
             text_table(shown.rename(columns={c: label(c, lang) for c in shown.columns}), lang=lang),
             "", t("output.royalties.totals", lang, **totals)]
    if totals.get("not_computed"):
        text_.append(t("output.royalties.not-computed", lang, count=totals["not_computed"]))
    if "paid_to_date" in totals:
        text_.append(t("output.royalties.ledger", lang, **totals))
    for n in (out.payload.get("ledger") or {}).get("notes", []):
        text_.append(n["text"])
    if out.findings:
        text_ += ["", findings_text(out.findings, lang)]
    return "\n".join(text_)


def adjustment_words(rec: dict[str, Any], lang: str) -> dict[str, str] | None:
    """What an itemised adjustment changed, as words in ``lang``: the closed month, Receipt or Contract, its
    number and added/removed/changed; None for an ``other`` adjustment (targets or standards changed)."""
    if rec["change"] == "other":
        return None
    receipt = isinstance(rec.get("receipt_no"), str) and bool(rec.get("receipt_no"))
    return {"period": rec.get("closed_period") or "", "what": label("item.receipt" if receipt else "item.contract", lang),
            "ident": rec["receipt_no"] if receipt else (rec.get("contract_no") or ""),
            "change": label(f"change.{rec['change']}", lang)}


def other_key(prefix: str, rec: dict[str, Any]) -> str:
    """The label key of an ``other`` adjustment: a retroactive plan change, or targets or standards changed."""
    return f"{prefix}.adjustment-retroactive-change" if rec.get("reason") == "retroactive-change" \
        else f"{prefix}.adjustment-other"


def _ledger_items(result: R.RoyaltyResult, line: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """The payout ledger's lines of a statement: paid to date, regular payment, each itemised adjustment
    (the rows behind it and their effect), the prior-year adjustment and the total payable now."""
    rows: list[dict[str, Any]] = [{"item": label("item.paid-to-date", lang), "royalty": line["paid_to_date"]}]
    if line.get("opening"):
        rows.append({"item": label("item.opening", lang)})
    rows.append({"item": label("item.regular", lang), "royalty": line["regular_payment"]})
    adj = result.adjustments
    mine = adj[adj["employee_id"] == line["employee_id"]] if adj is not None and len(adj) else []
    for a in (mine.to_dict("records") if len(mine) else []):
        words = adjustment_words(a, lang)
        item = label("item.adjustment", lang, **words) if words else \
            label(other_key("item", a), lang, period=a["closed_period"])
        if a.get("prior_year"):
            item = f"{label('item.prior-year', lang, year=a['year'])}: {item}"
        rows.append({"item": item, "receipt_no": a.get("receipt_no"), "contract_no": a.get("contract_no"),
                     "amount": a.get("amount_after") if pd.notna(a.get("amount_after")) else a.get("amount_before"),
                     "royalty": a["effect"]})
    if line["prior_year_adjustment"]:
        rows.append({"item": label("item.prior-year", lang, year=int(result.period[:4]) - 1),
                     "royalty": line["prior_year_adjustment"]})
    rows.append({"item": label("item.total-payment", lang), "royalty": line["total_payment"]})
    return rows


def attach_ledger(out: Output, statement: pd.DataFrame, adjustments: pd.DataFrame, notes: list[dict[str, Any]],
                  close: dict[str, Any]) -> None:
    """Make a month close's royalty output say what the payout ledger pays (docs/json.md, "ledger fields").

    Each computed line's ``previous_ytd_royalty`` becomes what was paid to date and ``payment`` this close's
    payment for the year (regular + adjustments; ``clawback`` when negative); new fields give paid to date,
    the regular payment, the adjustment, the prior-year adjustment, the total payable now and the itemised
    adjustments. ``notes``: ``{"code", "text", ...}`` (first use, months never closed, prior year …)."""
    result = out.result
    if "paid_to_date" not in result.lines.columns:  # not yet applied (the close applies it for the report too)
        apply_payouts(result, statement, adjustments)
    lines = result.lines
    items = {}
    if len(result.adjustments):
        for rec in result.adjustments.to_dict("records"):
            items.setdefault(rec["employee_id"], []).append({
                "year": int(rec["year"]), "closed_period": rec.get("closed_period"), "change": rec["change"],
                "reason": rec.get("reason"), "sheet": rec.get("sheet"),
                "contract_no": rec.get("contract_no") if isinstance(rec.get("contract_no"), str) else None,
                "receipt_no": rec.get("receipt_no") if isinstance(rec.get("receipt_no"), str) else None,
                "amount_before": fmt_money(rec.get("amount_before")), "amount_after": fmt_money(rec.get("amount_after")),
                "effect": fmt_money(rec["effect"]), "prior_year": bool(rec.get("prior_year"))})
    for row, rec in zip(out.payload["royalties"], lines.to_dict("records")):
        if rec["status"] != R.COMPUTED:
            continue
        row.update({"previous_ytd_royalty": fmt_money(rec["previous_ytd_royalty"]), "payment": fmt_money(rec["payment"]),
                    "clawback": bool(rec["clawback"]), "paid_to_date": fmt_money(rec["paid_to_date"]),
                    "regular_payment": fmt_money(rec["regular_payment"]), "adjustment": fmt_money(rec["adjustment"]),
                    "prior_year_adjustment": fmt_money(rec["prior_year_adjustment"]),
                    "total_payment": fmt_money(rec["total_payment"]), "paid_to_date_includes_opening": bool(rec["opening"]),
                    "adjustments": items.get(rec["employee_id"], [])})
    out.payload["totals"] = {k: (fmt_money(v) if isinstance(v, Decimal) else v) for k, v in result.totals().items()}
    out.payload["ledger"] = {**close, "notes": notes}
