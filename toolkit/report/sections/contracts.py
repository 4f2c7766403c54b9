"""Contracts signed and their performance, per department."""

from __future__ import annotations

import pandas as pd

from ...core.ledger import Ledger
from ...money import round_series
from ...schema import enums as E
from .words import label


def contracts_table(ledger: Ledger, p: pd.Period, lang: str) -> pd.DataFrame:
    """Per department: contracts signed this month, the register by status, amount, delivered, progress; a total
    row last."""
    c = ledger.tables["Contracts"]
    c = c[c["sign_date"].notna() & (c["sign_date"] <= p.end_time)]
    new = c["sign_date"].dt.to_period("M") == p
    frame = pd.DataFrame({
        "department": c["department"].astype("str"),
        "new_count": new.astype("int64"),
        "new_amount": c["amount"].astype("float64").fillna(0.0).where(new, 0.0),
        "contract_amount": c["amount"].astype("float64").fillna(0.0),
        "delivered": c["delivered"].astype("float64").fillna(0.0),
        **{s.lower(): (c["status"] == s).fillna(False).astype("int64") for s in E.CONTRACT_STATUS.values},
    })
    active = (c["status"] != "Terminated").fillna(True)
    frame["active_amount"] = frame["contract_amount"].where(active, 0.0)
    frame["active_delivered"] = frame["delivered"].where(active, 0.0)
    g = frame.groupby("department", sort=True).sum(numeric_only=True)
    g.loc[label("total", "en")] = g.sum()
    g = g.reset_index()
    g["delivery_progress"] = g["active_delivered"] / g["active_amount"].where(g["active_amount"] != 0)
    for col in ("new_amount", "contract_amount", "delivered"):
        g[col] = round_series(g[col])
    g = g.drop(columns=["active_amount", "active_delivered"])
    g["department"] = g["department"].where(g.index < len(g) - 1, label("total", lang))
    g["_total"] = g.index == len(g) - 1
    return g
