"""Fund recovery: receivables aging, the longest overdue, who to chase, the fund demand forecast."""

from __future__ import annotations

import pandas as pd

from ...core import funds as F
from ...core.ledger import Ledger
from ...money import round_series
from .words import COLUMNS, label, with_total


OVERDUE_ROWS = 15


def overdue_by_owner(funds: F.FundsResult, ledger: Ledger) -> pd.DataFrame:
    """Overdue receivables per owner (employee): contracts, amount, longest overdue; largest first."""
    od = funds.overdue
    roster = ledger.standard("Roster").dropna(subset=["employee_id"]).drop_duplicates("employee_id")
    names = pd.Series(roster["name"].to_numpy(), index=roster["employee_id"].to_numpy())
    g = od.groupby(["employee_id", "department"], dropna=False).agg(
        contracts=("contract_no", "count"), overdue=("receivable", "sum"),
        max_days_overdue=("days_overdue", "max")).reset_index()
    g["overdue"] = round_series(g["overdue"].astype("float64"))
    g["name"] = g["employee_id"].map(names)
    g = g.sort_values(["overdue", "employee_id"], ascending=[False, True], kind="stable")
    return g[[c for c, _ in COLUMNS["overdue_by_owner"]]].reset_index(drop=True)


def aging_columns(funds: F.FundsResult) -> list[tuple[str, str]]:
    """The aging table's columns: the standards' buckets."""
    return [("key", "text"), *[(b, "money") for b in funds.buckets], ("total", "money"), ("overdue", "money")]


def funds_tables(funds: F.FundsResult, ledger: Ledger, lang: str) -> dict[str, pd.DataFrame]:
    """Aging per department and the company, the longest overdue, overdue by owner, the fund demand (with totals)."""
    out: dict[str, pd.DataFrame] = {}
    aging = funds.aging.assign(key=funds.aging["key"].where(funds.aging["level"] != "company",
                                                             label("company", lang)),
                               _total=funds.aging["level"] == "company")
    out["aging"] = aging[[c for c, _ in aging_columns(funds)] + ["_total"]].reset_index(drop=True)
    overdue = funds.overdue.assign(bucket=funds.overdue["bucket"].map(lambda v: F.bucket_label(v, lang)))
    listed = overdue[[c for c, _ in COLUMNS["overdue"]]].head(OVERDUE_ROWS).reset_index(drop=True)
    out["overdue"] = with_total(listed, "contract_no", label("total", lang), ["receivable"])
    owners = overdue_by_owner(funds, ledger)
    out["overdue_by_owner"] = with_total(owners, "employee_id", label("total", lang), ["overdue"], ["contracts"])
    demand = funds.demand[funds.demand["level"] == "company"]
    demand = demand.assign(month=demand["month"].astype(str))[
        [c for c, _ in COLUMNS["fund_demand"]]].reset_index(drop=True)
    out["fund_demand"] = with_total(demand, "month", label("total", lang), list(F.DEMAND_COLUMNS))
    return out
