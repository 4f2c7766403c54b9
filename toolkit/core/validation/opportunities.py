"""Opportunities rules: a won opportunity names a contract on the Contracts sheet; a lost one says why."""

from __future__ import annotations

from ..findings import Finding
from .context import Context, ids, present


def won_has_contract(ctx: Context) -> list[Finding]:
    """A Won opportunity's Contract No is filled and on the Contracts sheet (so it links to its contract)."""
    o = ctx.frame("Opportunities")
    if o is None or not len(o):
        return []
    won = (o["stage"] == "Won").fillna(False).to_numpy()
    if not won.any():
        return []
    contracts = ctx.frame("Contracts")
    known = set() if contracts is None else set(ids(contracts["contract_no"].dropna()).tolist())
    no = ids(o["contract_no"])
    bad = won & ~(present(o["contract_no"]).to_numpy() & no.isin(known).fillna(False).to_numpy())
    return ctx.emit("opportunity-won-unlinked", "Opportunities", "contract_no", o[bad]) if bad.any() else []


def lost_has_reason(ctx: Context) -> list[Finding]:
    """A Lost opportunity has a Lost Reason (the lost-reason analysis counts them)."""
    o = ctx.frame("Opportunities")
    if o is None or not len(o):
        return []
    bad = ((o["stage"] == "Lost").fillna(False) & ~present(o["lost_reason"])).to_numpy()
    return ctx.emit("opportunity-lost-no-reason", "Opportunities", "lost_reason", o[bad]) if bad.any() else []


RULES = (won_has_contract, lost_has_reason)
