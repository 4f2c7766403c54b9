"""Expenses against budget, by department and by category."""

from __future__ import annotations

import pandas as pd

from ...core import completion as C
from ...core.ledger import Ledger
from ...money import round_series
from ...schema import MONTH_KEYS
from ...schema import enums as E
from .words import COLUMNS, label, with_total


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
    return {"expenses_by_department": by_dept, "expenses_by_category": cat,
            "expenses_by_budget": expenses_against_budget(ledger, p, lang)}


def expenses_against_budget(ledger: Ledger, p: pd.Period, lang: str) -> pd.DataFrame:
    """Spend against the budget by category (issue 28): per department that keeps a Budget sheet and per category
    budgeted or spent in, the month's and the year-to-date budget and spend (approved and pending claims, as the
    Expense actuals), the variance (spend − budget to date: above 0 is over budget), the share used and the annual
    budget; a total row last. The Budget is read as the period's year's, as the Plan is."""
    cols = [c for c, _ in COLUMNS["expenses_by_budget"]]
    budget = ledger.tables["Budget"]
    budget = budget[budget["category"].notna()]
    if budget.empty:
        return pd.DataFrame(columns=[*cols, "_total"])
    months = list(MONTH_KEYS[: p.month])
    planned = budget[list(MONTH_KEYS)].astype("float64").fillna(0.0)
    b = pd.DataFrame({"department": budget["department"].astype("str"), "category": budget["category"].astype("str"),
                      "month_budget": planned[MONTH_KEYS[p.month - 1]], "ytd_budget": planned[months].sum(axis=1),
                      "annual_budget": planned.sum(axis=1)}).groupby(["department", "category"]).sum()
    ex = ledger.tables["Expenses"]
    counted = (ex["approval"].isin(C.COUNTED_APPROVALS).fillna(False) | ex["approval"].isna()) & ex["date"].notna()
    ex = ex[counted & (ex["date"].dt.year == p.year) & (ex["date"].dt.month <= p.month)
            & ex["department"].isin(set(b.index.get_level_values("department")))]
    amount = ex["amount"].astype("float64").fillna(0.0)
    spent = pd.DataFrame({"department": ex["department"].astype("str"), "category": ex["category"].astype("str"),
                          "month_actual": amount.where(ex["date"].dt.month == p.month, 0.0),
                          "ytd_actual": amount}).groupby(["department", "category"]).sum()
    both = b.join(spent, how="outer").fillna(0.0).reset_index()
    order = {c: i for i, c in enumerate(E.EXPENSE_CATEGORY.values)}
    dept_order = {d: i for i, d in enumerate(dict.fromkeys(budget["department"].astype("str")))}
    both = both.assign(_d=both["department"].map(dept_order), _c=both["category"].map(order).fillna(len(order)))
    both = both.sort_values(["_d", "_c", "category"], kind="stable").drop(columns=["_d", "_c"])
    for col in ("month_budget", "ytd_budget", "annual_budget", "month_actual", "ytd_actual"):
        both[col] = round_series(both[col])
    both["variance"] = round_series(both["ytd_actual"] - both["ytd_budget"])
    both["ytd_use"] = (both["ytd_actual"] / both["ytd_budget"].where(both["ytd_budget"] > 0)).astype("float64")
    both["category"] = both["category"].map(lambda v: E.EXPENSE_CATEGORY.label(v, lang))
    money = ["month_budget", "month_actual", "ytd_budget", "ytd_actual", "variance", "annual_budget"]
    out = with_total(both[cols].reset_index(drop=True), "department", label("total", lang), money)
    last = out["_total"].astype(bool)
    total_budget = out.loc[last, "ytd_budget"].astype("float64")
    out.loc[last, "ytd_use"] = (out.loc[last, "ytd_actual"].astype("float64") / total_budget.where(total_budget > 0))
    return out
