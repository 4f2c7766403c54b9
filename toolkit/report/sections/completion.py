"""Indicator completion by department and salesperson, the matrix the chart draws, the red indicators."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ...core import completion as C
from ...core.ledger import Ledger
from ...schema import enums as E
from .words import COLUMNS, INDICATOR_KEYS, label


def completion_tables(rows: pd.DataFrame, ledger: Ledger, lang: str,
                       excluded: Sequence[str] = ()) -> dict[str, pd.DataFrame]:
    # a department left out shows no rows of zeros (the banner names it); real credits to it stay
    money = ["month_target", "month_actual", "ytd_target", "ytd_actual", "annual_target"]
    empty = rows[money].abs().sum(axis=1).eq(0).groupby([rows["level"], rows["department"].where(
        rows["level"] == "employee", rows["key"])]).transform("all")
    gone = empty & rows["department"].where(rows["level"] == "employee", rows["key"]).isin(list(excluded))
    rows = rows[~gone]
    ind_label = rows["indicator"].map(lambda v: E.INDICATOR.label(v, lang))
    dept = rows[rows["level"] != "employee"].assign(
        department=lambda d: d["key"].where(d["level"] != "company", label("company", lang)),
        indicator=ind_label, _total=lambda d: d["level"] == "company")
    by_dept = dept[[c for c, _ in COLUMNS["completion_by_department"]] + ["_total"]].reset_index(drop=True)
    on_time = bool(len(rows)) and float(rows["rag_reference"].iloc[0]) != 1.0
    basis = "annual_completion" if on_time else "ytd_completion"
    wide = rows[rows["level"] != "employee"].pivot_table(
        index="key", columns="indicator", values=basis, sort=False, dropna=False)
    wide = wide.reindex(columns=list(C.INDICATORS))
    matrix = pd.DataFrame({"department": [label("company", lang) if k == C.COMPANY_KEY else k for k in wide.index]})
    for ind in C.INDICATORS:
        matrix[INDICATOR_KEYS[ind]] = wide[ind].to_numpy()
    matrix["rag_reference"] = float(rows["rag_reference"].iloc[0]) if len(rows) else None

    roster = ledger.standard("Roster")
    sales = set(roster.loc[roster["role"] == "Salesperson", "employee_id"].dropna())
    emp = rows[(rows["level"] == "employee") & rows["key"].isin(sales)]
    people = emp.drop_duplicates("key")[["key", "name", "department"]].rename(columns={"key": "employee_id"})
    for ind in C.INDICATORS:
        part = emp[emp["indicator"] == ind].set_index("key")
        k = INDICATOR_KEYS[ind]
        people[f"{k}_completion"] = people["employee_id"].map(part[basis]).astype("float64")
        people[f"{k}_rag"] = people["employee_id"].map(part["rag"]).astype(object)
    red = rows[rows["rag"] == "red"]
    red = red.assign(
        key=red["key"].where(red["level"] != "company", label("company", lang)),
        indicator=red["indicator"].map(lambda v: E.INDICATOR.label(v, lang)),
    )[[c for c, _ in COLUMNS["red_indicators"]]]
    return {"completion_by_department": by_dept, "completion_matrix": matrix,
            "completion_by_salesperson": people.reset_index(drop=True), "red_indicators": red.reset_index(drop=True)}
