"""Contracts and Collections: Delivered ≤ Amount, Σ receipts ≤ Amount (refunds negative), no receipt
before signing, no new money on a terminated contract."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...money import fmt_money
from ...schema import enums as E
from ..findings import Finding
from .context import Context, floats, ids

_TERMINATED = next(code for code in E.CONTRACT_STATUS.values if code == "Terminated")
_CENT = 0.005


def delivered_within_amount(ctx: Context) -> list[Finding]:
    """Delivered never exceeds the contract amount."""
    c = ctx.frame("Contracts")
    if c is None or (ctx.screens and not (floats(c["delivered"]) > floats(c["amount"]) + _CENT).any()):
        return []
    bad = (c["delivered"] > c["amount"] + _CENT).fillna(False)
    return ctx.emit("delivered-exceeds-amount", "Contracts", "delivered", c[bad],
                    per_row={"amount": c["amount"][bad]})


def _dates(s: pd.Series) -> np.ndarray | None:
    """A naive datetime64 column as numpy (NaT compares False); None for other dtypes."""
    return s.to_numpy() if isinstance(s.dtype, np.dtype) and s.dtype.kind == "M" else None


def _contract_of_receipt(ctx: Context) -> np.ndarray | None:
    """Per receipt, the Contracts position it joins to in ``_join_receipts`` (the first contract with the same
    ``ids`` key, blank keys matching blank ones as in a pandas merge), -1 for none; None when not computable."""
    if "contracts.links" not in ctx.cache:
        ctx.cache["contracts.links"] = _links(ctx)
    return ctx.cache["contracts.links"]


def _links(ctx: Context) -> np.ndarray | None:
    if ctx.frame("Collections") is None or ctx.frame("Contracts") is None:
        return None
    rt, ct = ctx.text("Collections", "contract_no"), ctx.text("Contracts", "contract_no")
    if rt is None or ct is None:
        return None
    forms = [*ct.ids_u(), None]  # code -1 (missing) picks the trailing None
    first: dict[str | None, int] = {}
    codes, pos = np.unique(ct.codes, return_index=True)
    for code, p in zip(codes.tolist(), pos.tolist()):
        f = forms[code]
        if f not in first or p < first[f]:
            first[f] = p
    lut = np.array([first.get(f, -1) for f in [*rt.ids_u(), None]], dtype=np.int64)
    return lut[rt.codes]


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
    link = _contract_of_receipt(ctx)
    if link is not None:
        r, c = ctx.frame("Collections"), ctx.frame("Contracts")
        # Sums per contract (receipts with a blank contract number form no group); the exact running
        # totals below run only when some total comes near its contract's amount.
        sel = (link >= 0) & (ctx.text("Collections", "contract_no").codes >= 0)
        amount = np.nan_to_num(floats(r["amount"]), nan=0.0)[sel]
        g = link[sel]
        total = np.bincount(g, weights=amount, minlength=len(c))
        scale = np.bincount(g, weights=np.abs(amount), minlength=len(c))
        limit = floats(c["amount"]) + _CENT
        if not (total > limit - 1e-9 * (scale + 1.0)).any():
            return []
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
    link = _contract_of_receipt(ctx)
    if link is not None:
        ok = link >= 0
        r, c = ctx.frame("Collections"), ctx.frame("Contracts")
        received, signed = _dates(r["receipt_date"]), _dates(c["sign_date"])
        if received is not None and signed is not None and not (received[ok] < signed[link[ok]]).any():
            return []
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
    if ctx.period is None:
        return []
    start = ctx.period.start_time
    link = _contract_of_receipt(ctx)
    status = ctx.text("Contracts", "status")
    received = None if link is None else _dates(ctx.frame("Collections")["receipt_date"])
    if status is not None and received is not None:
        ok = link >= 0
        terminated = status.member(status.uniques, {_TERMINATED})[link[ok]]
        money = floats(ctx.frame("Collections")["amount"])[ok] > 0
        if not (terminated & money & (received[ok] >= start.to_datetime64())).any():
            return []
    m = _receipts_with_contract(ctx)
    if m is None or m.empty:
        return []
    bad = (m["_status"].eq(_TERMINATED) & (m["amount"] > 0) & (m["receipt_date"] >= start)).fillna(False)
    rows = m[bad]
    return ctx.emit("receipt-after-termination", "Collections", "amount", rows,
                    per_row={"contract": rows["contract_no"]}, period=str(ctx.period))


RULES = (delivered_within_amount, collections_within_amount, receipt_after_signing, terminated_without_new_money)
