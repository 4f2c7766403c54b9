"""Expenses against budget, by department and by category."""

from __future__ import annotations

import pandas as pd

from ...core import completion as C
from ...core.ledger import Ledger
from ...money import round_series
from ...schema import enums as E
from .words import label, with_total


def expense_tables(ledger: Ledger, rows: pd.DataFrame, p: pd.Period, lang: str) -> dict[str, pd.DataFrame]:
    exp_rows = rows[(rows["indicator"] == C.EXPENSE) & (rows["level"] != "employee")]
    by_dept = exp_rows.assign(department=exp_rows["key"].where(exp_rows["level"] != "company",
                                                               label("company", lang)))[
        ["department", "month_target", "month_actual", "month_completion", "ytd_target", "ytd_actual",
         "ytd_completion", "rag"]].reset_index(drop=True)
    ex = ledger.tables["Expenses"]
    counted = ex["approval"].isin(C.COUNTED_APPROVALS).fillna(False) | ex["approval"].isna()
    ex = ex[counted & ex["date"].notna()]
    ex = ex[ex["date"].dt.year == p.year]
    month = ex["date"].dt.month == p.month
    ytd = ex["date"].dt.month <= p.month
    cat = pd.DataFrame({"category": ex["category"].astype("str"),
                        "amount": ex["amount"].astype("float64").fillna(0.0).where(month, 0.0),
                        "claims": month.astype("int64"),
                        "ytd_amount": ex["amount"].astype("float64").fillna(0.0).where(ytd, 0.0)})
    cat = cat.groupby("category").sum().reindex(
        [*E.EXPENSE_CATEGORY.values, *sorted(set(cat["category"]) - set(E.EXPENSE_CATEGORY.values))]
    ).dropna(how="all").fillna(0).reset_index()
    cat["claims"] = cat["claims"].astype("int64")
    for col in ("amount", "ytd_amount"):
        cat[col] = round_series(cat[col])
    cat["category"] = cat["category"].map(lambda v: E.EXPENSE_CATEGORY.label(v, lang) if v in E.EXPENSE_CATEGORY.values else v)
    by_dept["_total"] = by_dept["department"] == label("company", lang)
    cat = with_total(cat, "category", label("total", lang), ["amount", "ytd_amount"], ["claims"])
    return {"expenses_by_department": by_dept, "expenses_by_category": cat}
