"""The files finance receives (issue 25; docs/finance.md): the payroll file in finance's layout, the reimbursement
batch and the accrual journal, each with its control totals (a Control sheet in xlsx, ``<name>-control.csv``
beside a CSV). Nothing here is time-dependent, so the same close gives the same bytes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..core import finance as F
from ..core.royalties import cents
from ..io.csvfile import write_csv
from ..io.writer import SheetFrame, write_frames
from ..schema import enums as E
from .labels import label
from ..money import fmt_money


def _sum(values: pd.Series) -> float:
    return int(cents(pd.to_numeric(values, errors="coerce").fillna(0.0)).sum()) / 100 if len(values) else 0.0


def item_label(item: str, lang: str) -> str:
    """A pay item (payroll) or batch item (reimbursement) in ``lang``."""
    return E.PAY_ITEM.label(item, lang) if item in E.PAY_ITEM.values else label(f"fin.item.{item}", lang)


def _control(rows: list[tuple[str, int | None, float | None, str | None]], lang: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[label("fin.control.item", lang), label("fin.control.lines", lang),
                                        label("fin.control.amount", lang), label("note", lang)])
    lines = label("fin.control.lines", lang)
    frame[lines] = frame[lines].astype("Int64")
    return frame


def _yes(ok: bool, lang: str) -> str:
    return label("fin.yes" if ok else "fin.no", lang)


def payroll_frame(data: Any, lang: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The payroll file's rows in the layout's columns, and the headers holding money."""
    lines = data.lines.assign(pay_item=data.lines["pay_item"].map(lambda v: E.PAY_ITEM.label(v, lang)),
                              paid_date=None)
    frame = F.lay_out(lines, data.columns)
    return frame, tuple(c.header for c in data.columns if c.field == "Amount")


def payroll_control(data: Any, lang: str) -> pd.DataFrame:
    """Close total, each pay item's lines and amount, the file's total, the difference, reconciled, approved."""
    close, approval = data.close, data.approval
    expected, got, ok = F.reconcile(data.close_total, data.lines["amount"])
    rows: list[tuple[str, int | None, float | None, str | None]] = [
        (label("fin.control.close", lang, period=close.period, version=str(close.version)), None, expected, None)]
    for item in F.PAY_ITEMS:
        mine = data.lines[data.lines["pay_item"] == item]
        if len(mine):
            code = mine["payroll_code"].iloc[0]
            rows.append((E.PAY_ITEM.label(item, lang), len(mine), _sum(mine["amount"]), code))
    rows += [(label("fin.control.file", lang), len(data.lines), got, None),
             (label("fin.control.difference", lang), None, round(got - expected, 2), None),
             (label("fin.control.reconciled", lang), None, None, _yes(ok, lang)),
             (label("fin.control.approved", lang, by=approval.get("by_name") or approval.get("user") or "",
                    at=approval.get("at", "")), None, None, None)]
    return _control(rows, lang)


def batch_frame(data: Any, lang: str) -> pd.DataFrame:
    """The reimbursement batch: one row per claim, slip or offset, with payee and amount."""
    b = data.batch
    return pd.DataFrame({
        label("fin.line_id", lang): b["line_id"], label("fin.reference", lang): b["reference"],
        label("employee_id", lang): b["employee_id"], label("name", lang): b["name"],
        label("department", lang): b["department"],
        label("fin.pay_item", lang): b["pay_item"].map(lambda v: item_label(v, lang)),
        label("fin.document", lang): b["document"], label("fin.date", lang): b["date"],
        label("fin.control.amount", lang): b["amount"], label("fin.paid_date", lang): None,
    })


def batch_control(data: Any, lang: str) -> pd.DataFrame:
    """Claims, advances and offsets, the net payable (their sum) against the file's lines."""
    b = data.batch
    parts = {k: b[b["pay_item"] == k] for k in (F.CLAIM, F.ADVANCE, F.OFFSET)}
    net = int(sum(cents(p["amount"]).sum() for p in parts.values() if len(p))) / 100
    _, got, ok = F.reconcile(net, b["amount"])
    rows: list[tuple[str, int | None, float | None, str | None]] = [
        (label("fin.control.claims", lang), len(parts[F.CLAIM]), _sum(parts[F.CLAIM]["amount"]), None),
        (label("fin.control.advances", lang), len(parts[F.ADVANCE]), _sum(parts[F.ADVANCE]["amount"]), None),
        (label("fin.control.offsets", lang), len(parts[F.OFFSET]), _sum(parts[F.OFFSET]["amount"]), None),
        (label("fin.control.net", lang), None, net, None),
        (label("fin.control.file", lang), len(b), got, None),
        (label("fin.control.reconciled", lang), None, None, _yes(ok, lang))]
    return _control(rows, lang)


def journal_frame(data: Any, lang: str) -> pd.DataFrame:
    """The accrual journal: a debit and a credit line per cost centre and pay item."""
    j = data.journal
    return pd.DataFrame({
        label("st.period", lang): data.close.period, label("fin.cost_centre", lang): j["cost_centre"],
        label("fin.pay_item", lang): j["pay_item"].map(lambda v: E.PAY_ITEM.label(v, lang)),
        label("fin.account", lang): j["account"],
        label("fin.side", lang): j["side"].map(lambda v: label(f"fin.side.{v}", lang)),
        label("fin.debit", lang): j["debit"], label("fin.credit", lang): j["credit"],
    }) if len(j) else pd.DataFrame(columns=[label(k, lang) for k in (
        "st.period", "fin.cost_centre", "fin.pay_item", "fin.account", "fin.side", "fin.debit", "fin.credit")])


def journal_control(data: Any, lang: str) -> pd.DataFrame:
    """Total debits and credits (equal), the expense side's net against the close's total."""
    j = data.journal
    debits, credits = _sum(j["debit"]) if len(j) else 0.0, _sum(j["credit"]) if len(j) else 0.0
    side = j[j["side"] == "debit"] if len(j) else j
    net = round(_sum(side["debit"]) - _sum(side["credit"]), 2) if len(side) else 0.0
    expected, _, ok = F.reconcile(data.close_total, pd.Series([net]))
    rows: list[tuple[str, int | None, float | None, str | None]] = [
        (label("fin.control.close", lang, period=data.close.period, version=str(data.close.version)), None,
         expected, None),
        (label("fin.control.debits", lang), len(j), debits, None),
        (label("fin.control.credits", lang), len(j), credits, None),
        (label("fin.control.difference", lang), None, round(debits - credits, 2), None),
        (label("fin.control.file", lang), None, net, None),
        (label("fin.control.reconciled", lang), None, None, _yes(ok and cents(pd.Series([debits]))[0] ==
                                                           cents(pd.Series([credits]))[0], lang))]
    return _control(rows, lang)


def control_dict(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A control frame as JSON rows (money as strings)."""
    cols = list(frame.columns)
    return [{"check": r[0], "lines": None if pd.isna(r[1]) else int(r[1]),
             "amount": None if r[2] is None or pd.isna(r[2]) else fmt_money(float(r[2])),
             "note": None if r[3] is None or (isinstance(r[3], float) and pd.isna(r[3])) else r[3]}
            for r in frame[cols].itertuples(index=False, name=None)]


def write_finance_files(data: Any, out: Path, formats: Sequence[str], lang: str
                        ) -> tuple[dict[str, list[Path]], dict[str, Any]]:
    """Write the three files in ``formats`` into ``out``; returns the paths by file and the control rows."""
    period = data.close.period
    pay, pay_money = payroll_frame(data, lang)
    amount = label("fin.control.amount", lang)
    files = {
        "payroll": (pay, pay_money, payroll_control(data, lang), "fin.sheet.payroll", "Payroll"),
        "reimbursement": (batch_frame(data, lang), (amount,), batch_control(data, lang), "fin.sheet.reimbursement",
                          "Reimbursement"),
        "accrual": (journal_frame(data, lang), (label("fin.debit", lang), label("fin.credit", lang)),
                    journal_control(data, lang), "fin.sheet.journal", "Journal"),
    }
    written: dict[str, list[Path]] = {}
    control: dict[str, Any] = {}
    for name, (frame, money, ctrl, sheet, table) in files.items():
        paths = []
        if "xlsx" in formats:
            paths.append(write_frames(out / f"{name}-{period}.xlsx", [
                SheetFrame(label(sheet, lang), frame, {m: "money" for m in money}, table_name=table),
                SheetFrame(label("fin.control", lang), ctrl, {amount: "money"}, table_name=f"{table}Control")],
                lang))
        if "csv" in formats:
            paths.append(write_csv(out / f"{name}-{period}.csv", frame, money))
            paths.append(write_csv(out / f"{name}-{period}-control.csv", ctrl, (amount,)))
        written[name] = paths
        control[name] = control_dict(ctrl)
    return written, control
