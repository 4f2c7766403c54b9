"""Contracts and Collections: Delivered ≤ Amount, Σ receipts ≤ Amount (refunds negative), no receipt
before signing, no new money on a terminated contract."""

from __future__ import annotations

import pandas as pd

from ...money import fmt_money
from ...schema import enums as E
from ..findings import Finding
from .context import Context, ids

_TERMINATED = next(code for code in E.CONTRACT_STATUS.values if code == "Terminated")
_CENT = 0.005


def delivered_within_amount(ctx: Context) -> list[Finding]:
    """Delivered never exceeds the contract amount."""
    c = ctx.frame("Contracts")
    if c is None:
        return []
    bad = (c["delivered"] > c["amount"] + _CENT).fillna(False)
    return ctx.emit("delivered-exceeds-amount", "Contracts", "delivered", c[bad],
                    per_row={"amount": c["amount"][bad]})


def _receipts_with_contract(ctx: Context) -> pd.DataFrame | None:
    """Receipts joined to their contract (amount, signing date, status); built once per run, three rules use it."""
    if "contracts.receipts" not in ctx.cache:
        ctx.cache["contracts.receipts"] = _join_receipts(ctx)
    return ctx.cache["contracts.receipts"]


def _join_receipts(ctx: Context) -> pd.DataFrame | None:
    r, c = ctx.frame("Collections"), ctx.frame("Contracts")
    if r is None or c is None:
        return None
    contracts = c.assign(_key=ids(c["contract_no"])).drop_duplicates("_key")[
        ["_key", "amount", "sign_date", "status"]
    ].rename(columns={"amount": "_contract_amount", "sign_date": "_signed", "status": "_status"})
    merged = r.assign(_key=ids(r["contract_no"])).merge(contracts, on="_key", how="inner")
    return merged


def collections_within_amount(ctx: Context) -> list[Finding]:
    """Σ receipts of a contract ≤ its amount; the receipt at which the running total first goes over is flagged."""
    m = _receipts_with_contract(ctx)
    if m is None or m.empty:
        return []
    m = m.sort_values(["_key", "receipt_date", "_row"], na_position="last")
    amount = m["amount"].fillna(0.0)
    running = amount.groupby(m["_key"]).cumsum()
    total = amount.groupby(m["_key"]).transform("sum")
    over = (running > m["_contract_amount"] + _CENT) & (total > m["_contract_amount"] + _CENT)
    over = over.fillna(False).astype(bool)
    first_over = over & over.astype("int64").groupby(m["_key"]).cumsum().eq(1)
    rows = m[first_over]
    return ctx.emit("collection-exceeds-contract", "Collections", "amount", rows,
                    value=total[rows.index].map(fmt_money),
                    per_row={"contract": rows["contract_no"], "amount": rows["_contract_amount"].map(fmt_money)})


def receipt_after_signing(ctx: Context) -> list[Finding]:
    """A receipt is not dated before its contract was signed."""
    m = _receipts_with_contract(ctx)
    if m is None or m.empty:
        return []
    bad = (m["receipt_date"] < m["_signed"]).fillna(False)
    rows = m[bad]
    return ctx.emit("receipt-before-signing", "Collections", "receipt_date", rows,
                    per_row={"contract": rows["contract_no"], "signed": rows["_signed"]})


def terminated_without_new_money(ctx: Context) -> list[Finding]:
    """A Terminated contract receives no positive receipt in or after the reporting month.

    The template records no termination date, so the reporting month stands in for it: money
    collected earlier is history, new money on a terminated contract needs a look.
    """
    m = _receipts_with_contract(ctx)
    if m is None or m.empty or ctx.period is None:
        return []
    start = ctx.period.start_time
    bad = (m["_status"].eq(_TERMINATED) & (m["amount"] > 0) & (m["receipt_date"] >= start)).fillna(False)
    rows = m[bad]
    return ctx.emit("receipt-after-termination", "Collections", "amount", rows,
                    per_row={"contract": rows["contract_no"]}, period=str(ctx.period))


RULES = (delivered_within_amount, collections_within_amount, receipt_after_signing, terminated_without_new_money)
