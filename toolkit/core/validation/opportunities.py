"""Opportunities rules: a won opportunity names a contract on the Contracts sheet; a lost one says why."""

from __future__ import annotations

from ..findings import Finding
from .context import Context, ids, present


def won_has_contract(ctx: Context) -> list[Finding]:
    """A Won opportunity's Contract No is filled and on the Contracts sheet (so it links to its contract)."""
    o = ctx.frame("Opportunities")
    if o is None or not len(o):
        return []
    stage, no_t = ctx.text("Opportunities", "stage"), ctx.text("Opportunities", "contract_no")
    contract_t = ctx.text("Contracts", "contract_no") if ctx.frame("Contracts") is not None else None
    if stage is not None and no_t is not None and (contract_t is not None or ctx.frame("Contracts") is None):
        # the same test on the text columns' distinct values (``TextColumn``)
        known = set() if contract_t is None else set(contract_t.ids_u())
        bad = stage.member(stage.uniques, {"Won"}) & ~(no_t.present & no_t.member(no_t.ids_u(), known))
        return ctx.emit("opportunity-won-unlinked", "Opportunities", "contract_no", o[bad]) if bad.any() else []
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
    stage = ctx.text("Opportunities", "stage")
    if stage is not None:  # the stage's distinct values, the reason's presence as the context keeps it
        bad = stage.member(stage.uniques, {"Lost"}) & ~ctx.present("Opportunities", "lost_reason")
    else:
        bad = ((o["stage"] == "Lost").fillna(False) & ~present(o["lost_reason"])).to_numpy()
    return ctx.emit("opportunity-lost-no-reason", "Opportunities", "lost_reason", o[bad]) if bad.any() else []


RULES = (won_has_contract, lost_has_reason)
