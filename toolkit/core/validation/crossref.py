"""Cross-sheet and cross-workbook keys: employees in the Roster, receipts' contracts in Contracts,
product lines and cities in the standards, and well-formed contract splits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...schema import DEPARTMENT
from ..departments import department_key
from ..findings import Finding
from .context import Context, floats, fold, ids, present

#: (table, column) pairs holding an employee ID, derived from the schema.
EMPLOYEE_COLUMNS = tuple(
    (t.key, c.key) for t in DEPARTMENT.tables for c in t.columns if c.key in ("employee_id", "split_employee_id")
)


def _ids_set(ctx: Context, table: str, col: str, std: bool) -> set:
    """``set(ids(frame[col].dropna()))`` of a department (or standards) table's column."""
    t = ctx.text(table, col, std=std)
    if t is not None:
        return set(t.ids_u())
    frame = ctx.std(table) if std else ctx.frame(table)
    return set(ids(frame[col].dropna()).tolist())


def _unknown(ctx: Context, table: str, col: str, known: set, form: str) -> np.ndarray:
    """Rows of ``table`` whose ``col`` holds a value whose ``ids``/``fold`` form is not in ``known``."""
    t = ctx.text(table, col)
    if t is not None:
        return t.present & ~t.member(t.ids_u() if form == "ids" else t.fold_u(), known)
    s = ctx.data.tables[table][col]
    norm = ids(s) if form == "ids" else fold(s)
    return (present(s) & ~norm.isin(known).fillna(False)).to_numpy()


def known_employees(ctx: Context) -> list[Finding]:
    """Every employee ID on the department's sheets is in the standards Roster."""
    roster = ctx.std("Roster")
    if ctx.data.kind != "department" or roster is None:
        return []
    known = _ids_set(ctx, "Roster", "employee_id", std=True)
    out: list[Finding] = []
    for table, col in EMPLOYEE_COLUMNS:
        frame = ctx.frame(table)
        if frame is None:
            continue
        bad = _unknown(ctx, table, col, known, "ids")
        if bad.any():
            rows = frame[bad]
            written = ids(rows[col].astype("str"))
            roster = {k.casefold(): k for k in known if isinstance(k, str)}
            spelled = written.map(lambda v: roster.get(str(v).casefold(), ""))
            out += ctx.emit("unknown-employee", table, col, rows, per_row={
                "hint": spelled.map(lambda k: f"; the Roster has {k!r}: write it that way" if k else ""),
                "hint_zh": spelled.map(lambda k: f"；人员名册中为“{k}”，请照此填写" if k else "")})
    return out


def known_contracts(ctx: Context) -> list[Finding]:
    """Every receipt names a contract on the Contracts sheet."""
    receipts = ctx.frame("Collections")
    if ctx.data.kind != "department" or receipts is None:
        return []
    contracts = ctx.frame("Contracts")
    known = set() if contracts is None else _ids_set(ctx, "Contracts", "contract_no", std=False)
    bad = _unknown(ctx, "Collections", "contract_no", known, "ids")
    return ctx.emit("unknown-contract", "Collections", "contract_no", receipts[bad]) if bad.any() else []


def _known_names(ctx: Context, code: str, table: str, key: str, std_table: str, std_key: str) -> list[Finding]:
    """``table.key`` values (compared case-insensitively) must be listed in the standards' ``std_table``."""
    listed = ctx.std(std_table)
    frame = ctx.frame(table)
    if ctx.data.kind != "department" or listed is None or frame is None:
        return []
    t = ctx.text(std_table, std_key, std=True)
    known = set(t.fold_u()) if t is not None else set(fold(listed[std_key].dropna()))
    bad = _unknown(ctx, table, key, known, "fold")
    return ctx.emit(code, table, key, frame[bad]) if bad.any() else []


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
    split, emp = ctx.text("Contracts", "split_employee_id"), ctx.text("Contracts", "employee_id")
    if split is None or emp is None:
        return _splits(ctx, c)
    has_emp = split.present
    share = floats(c["split_share"])
    has_share = ~np.isnan(share)
    same = has_emp & (split.ids() == emp.ids())  # has_emp: the left side is never None
    bad_share = (has_emp & ~((share > 0) & (share < 1))) | (~has_emp & has_share & (share != 0))
    bad_share &= ~same
    if not same.any() and not bad_share.any():
        return []
    return _splits(ctx, c)


def _splits(ctx: Context, c) -> list[Finding]:
    """``splits`` on pandas Series: the findings, once the numpy screen has seen a bad row."""
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


def department_name(ctx: Context) -> list[Finding]:
    """The Info sheet's Department is one of the Roster's departments (``toolkit.core.departments``): a near miss
    is read as the Roster's name with a warning naming it; an unknown name is a warning with the closest one."""
    roster = ctx.std("Roster")
    if ctx.data.kind != "department" or roster is None or "department" not in roster:
        return []
    match = department_key(ctx.data.info.get("department"), roster["department"].dropna().tolist())
    if match.how not in ("near", "unknown"):
        return []
    sheet, cell = ctx.data.info_cells.get("department", (None, None))
    row = int(cell[1:]) if cell else None
    value = str(ctx.data.info.get("department"))
    if match.how == "near":
        return [Finding("department-near-miss", sheet=sheet, cell=cell, row=row, value=value,
                        params={"closest": match.closest})]
    hint = (f" (closest: {match.closest!r})", f"（最接近的是“{match.closest}”）") if match.closest else ("", "")
    return [Finding("unknown-department", sheet=sheet, cell=cell, row=row, value=value,
                    params={"hint": hint[0], "hint_zh": hint[1]})]


RULES = (known_employees, known_contracts, known_product_lines, known_cities, splits, department_name)
