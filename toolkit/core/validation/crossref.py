"""Cross-sheet and cross-workbook keys: employees in the Roster, receipts' contracts in Contracts,
product lines and cities in the standards, and well-formed contract splits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...schema import DEPARTMENT
from ..findings import Finding
from .context import Context, fold, ids, present

#: (table, column) pairs holding an employee ID, derived from the schema.
EMPLOYEE_COLUMNS = tuple(
    (t.key, c.key) for t in DEPARTMENT.tables for c in t.columns if c.key in ("employee_id", "split_employee_id")
)


def known_employees(ctx: Context) -> list[Finding]:
    """Every employee ID on the department's sheets is in the standards Roster."""
    roster = ctx.std("Roster")
    if ctx.data.kind != "department" or roster is None:
        return []
    known = set(ids(roster["employee_id"].dropna()).tolist())
    out: list[Finding] = []
    for table, col in EMPLOYEE_COLUMNS:
        frame = ctx.frame(table)
        if frame is None:
            continue
        s = frame[col]
        bad = present(s) & ~ids(s).isin(known).fillna(False)
        if bad.any():
            out += ctx.emit("unknown-employee", table, col, frame[bad])
    return out


def known_contracts(ctx: Context) -> list[Finding]:
    """Every receipt names a contract on the Contracts sheet."""
    receipts = ctx.frame("Collections")
    if ctx.data.kind != "department" or receipts is None:
        return []
    contracts = ctx.frame("Contracts")
    known = set() if contracts is None else set(ids(contracts["contract_no"].dropna()).tolist())
    s = receipts["contract_no"]
    bad = present(s) & ~ids(s).isin(known).fillna(False)
    return ctx.emit("unknown-contract", "Collections", "contract_no", receipts[bad])


def _known_names(ctx: Context, code: str, table: str, key: str, std_table: str, std_key: str) -> list[Finding]:
    """``table.key`` values (compared case-insensitively) must be listed in the standards' ``std_table``."""
    listed = ctx.std(std_table)
    frame = ctx.frame(table)
    if ctx.data.kind != "department" or listed is None or frame is None:
        return []
    known = set(fold(listed[std_key].dropna()))
    s = frame[key]
    bad = present(s) & ~fold(s).isin(known).fillna(False)
    return ctx.emit(code, table, key, frame[bad])


def known_product_lines(ctx: Context) -> list[Finding]:
    """Contracts' product lines are in the standards Product Lines (they carry the royalty factor and margin)."""
    return _known_names(ctx, "unknown-product-line", "Contracts", "product_line", "ProductLines", "product_line")


def known_cities(ctx: Context) -> list[Finding]:
    """Expense cities are in the standards Cities (their tier selects the policy limit)."""
    return _known_names(ctx, "unknown-city", "Expenses", "city", "Cities", "city")


def splits(ctx: Context) -> list[Finding]:
    """A split names another employee and a share strictly between 0 and 1; neither half alone."""
    c = ctx.frame("Contracts")
    if c is None:
        return []
    has_emp = present(c["split_employee_id"])
    share = pd.to_numeric(c["split_share"], errors="coerce")
    has_share = share.notna().to_numpy()
    same = has_emp & (ids(c["split_employee_id"]) == ids(c["employee_id"])).fillna(False)
    bad_share = (has_emp.to_numpy() & ~((share > 0) & (share < 1)).fillna(False).to_numpy()) | (
        ~has_emp.to_numpy() & has_share & (share.fillna(0) != 0).to_numpy()
    )
    bad_share &= ~np.asarray(same)  # one finding per row is enough
    share_text = (share * 100).round(4).map(lambda v: "" if pd.isna(v) else f"{v:g}%")
    return ctx.emit("split-same-employee", "Contracts", "split_employee_id", c[same]) + ctx.emit(
        "split-share-invalid", "Contracts", "split_share", c[bad_share], value=share_text[bad_share]
    )


RULES = (known_employees, known_contracts, known_product_lines, known_cities, splits)
