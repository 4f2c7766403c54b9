"""Cross-sheet and cross-workbook keys: employees in the Roster, receipts' contracts in Contracts,
product lines and cities in the standards, and well-formed contract splits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...schema import DEPARTMENT
from ..departments import department_key, departments_of
from ..findings import Finding
from ..keys import key_form, master_map
from .context import Context, floats, ids, present

#: (table, column) pairs holding an employee ID, derived from the schema.
EMPLOYEE_COLUMNS = tuple(
    (t.key, c.key) for t in DEPARTMENT.tables for c in t.columns if c.key in ("employee_id", "split_employee_id")
)


def _ids_set(ctx: Context, table: str, col: str, std: bool) -> set:
    """The ``key_form``s of a department (or standards) table's column (``core.keys``: what the joins use)."""
    return set(_masters(ctx, table, col, std))


def _masters(ctx: Context, table: str, col: str, std: bool) -> dict[str, str]:
    """``key_form`` -> spelling of a department (or standards) table's column, cached."""
    key = ("masters", std, table, col)
    if key not in ctx.cache:
        frame = ctx.std(table) if std else ctx.frame(table)
        ctx.cache[key] = {} if frame is None or col not in frame.columns else master_map(frame[col].tolist())
    return ctx.cache[key]


def _forms(ctx: Context, table: str, col: str) -> pd.Series:
    """``key_form`` per row of a department table's column (None where blank)."""
    s = ctx.data.tables[table][col]
    t = ctx.text(table, col)
    if t is not None:
        return pd.Series(np.array(t.key_u() + [None], dtype=object)[t.codes], index=s.index)
    return s.map(key_form, na_action="ignore").astype(object).where(s.notna(), None)


def _unknown(ctx: Context, table: str, col: str, known: set, form: str = "key") -> np.ndarray:
    """Rows of ``table`` whose ``col`` holds a value whose ``key_form`` is not in ``known``."""
    t = ctx.text(table, col)
    if t is not None:
        return t.present & ~t.member(t.key_u(), known)
    s = ctx.data.tables[table][col]
    return (present(s) & ~_forms(ctx, table, col).isin(known)).to_numpy()


def respelled(ctx: Context, table: str, col: str, masters: dict[str, str], what: tuple[str, str]) -> list[Finding]:
    """One ``key-normalized`` info per column whose keys match their master only once normalised (``hx-cloud`` is
    the Product Lines' HX-Cloud, ``1002.0`` the Roster's 1002): how they are read, never silently."""
    frame = ctx.frame(table)
    if frame is None or not masters or col not in frame.columns:
        return []
    s = frame[col]
    t = ctx.text(table, col)
    if t is not None:
        pairs = [(u, masters.get(k)) for u, k in zip(t.uniques, t.key_u())]
    else:
        pairs = [(u, masters.get(key_form(u))) for u in s.dropna().unique().tolist()]
    changed = {u: m for u, m in pairs if m is not None and str(u).strip() != m}
    if not changed:
        return []
    hit = s.isin(list(changed)).fillna(False).to_numpy(dtype=bool)
    rows = frame[hit]
    layout = ctx.layout(table)
    letter, header = layout.columns.get(col, ("A", col))
    cells = [f"{letter}{r}" for r in rows["_row"].tolist()]
    first = str(rows[col].iloc[0])
    more = len(cells) - 1
    return [Finding("key-normalized", sheet=layout.sheet, cell=cells[0], row=int(rows["_row"].iloc[0]), column=header,
                    value=first, file=ctx.data.path,
                    params={"read_as": changed[first], "cells": cells, "count": len(cells),
                            "more": f" (+{more})" if more else "", "more_zh": f"（另{more}处）" if more else "",
                            "what": what[0], "what_zh": what[1]})]


def known_employees(ctx: Context) -> list[Finding]:
    """Every employee ID on the department's sheets is in the standards Roster."""
    roster = ctx.std("Roster")
    if ctx.data.kind != "department" or roster is None:
        return []
    masters = _masters(ctx, "Roster", "employee_id", std=True)
    known = set(masters)
    out: list[Finding] = []
    unknown: list[Finding] = []
    for table, col in EMPLOYEE_COLUMNS:
        frame = ctx.frame(table)
        if frame is None:
            continue
        out += respelled(ctx, table, col, masters, ("the Roster's employee ID", "人员名册中的工号"))
        bad = _unknown(ctx, table, col, known)
        if bad.any():
            unknown += ctx.emit("unknown-employee", table, col, frame[bad])
    return out + _per_person(unknown)


def _per_person(findings: list[Finding]) -> list[Finding]:
    """One ``unknown-employee`` error per person (issue 23): at their first cell, with how many rows and the
    fix (a leaver stays on the Roster with a Leave Date; docs/people.md)."""
    people: dict[str, list[Finding]] = {}
    for f in findings:
        people.setdefault(key_form(f.value) or str(f.value), []).append(f)
    out = []
    for group in people.values():
        first = group[0]
        cells = [f"{f.sheet}!{f.cell}" for f in group]
        more = len(cells) - 1
        first.params.update({
            "cells": [f.cell for f in group if f.sheet == first.sheet], "count": len(cells),
            "hint": (f" ({len(cells)} rows: {', '.join(cells[:3])}{' …' if more > 2 else ''}); if they left, keep "
                     "them on the Roster with a Leave Date"),
            "hint_zh": (f"（共{len(cells)}行：{'、'.join(cells[:3])}{' …' if more > 2 else ''}）；如已离职，请保留在人员"
                        "名册中并填写离职日期")})
        out.append(first)
    return out


def known_contracts(ctx: Context) -> list[Finding]:
    """Every receipt names a contract on the Contracts sheet."""
    receipts = ctx.frame("Collections")
    if ctx.data.kind != "department" or receipts is None:
        return []
    masters = _masters(ctx, "Contracts", "contract_no", std=False)
    out = respelled(ctx, "Collections", "contract_no", masters, ("the Contracts sheet's number", "合同表中的编号"))
    bad = _unknown(ctx, "Collections", "contract_no", set(masters))
    return out + (ctx.emit("unknown-contract", "Collections", "contract_no", receipts[bad]) if bad.any() else [])


def _known_names(ctx: Context, code: str, table: str, key: str, std_table: str, std_key: str,
                 what: tuple[str, str]) -> list[Finding]:
    """``table.key`` values (compared by ``key_form``, as the computations join them) must be listed in the
    standards' ``std_table``."""
    listed = ctx.std(std_table)
    frame = ctx.frame(table)
    if ctx.data.kind != "department" or listed is None or frame is None:
        return []
    masters = _masters(ctx, std_table, std_key, std=True)
    bad = _unknown(ctx, table, key, set(masters))
    out = respelled(ctx, table, key, masters, what)
    return out + (ctx.emit(code, table, key, frame[bad]) if bad.any() else [])


def known_product_lines(ctx: Context) -> list[Finding]:
    """Contracts' product lines are in the standards Product Lines (they carry the royalty factor and margin)."""
    return _known_names(ctx, "unknown-product-line", "Contracts", "product_line", "ProductLines", "product_line",
                        ("the Product Lines' name", "产品线表中的名称"))


def known_cities(ctx: Context) -> list[Finding]:
    """Expense cities are in the standards Cities (their tier selects the policy limit)."""
    return _known_names(ctx, "unknown-city", "Expenses", "city", "Cities", "city", ("the Cities' name", "城市表中的名称"))


def known_plans(ctx: Context) -> list[Finding]:
    """Standards: the Roster's Royalty Plan and the tiers' Plan name a Royalty Plan (compared by ``key_form``, as the
    royalty computation joins them); a plan that matches none is an error at its cell, never royalties of 0."""
    plans = ctx.frame("RoyaltyPlans")
    if ctx.data.kind != "standards" or plans is None:
        return []
    masters = _masters(ctx, "RoyaltyPlans", "plan", std=False)
    out: list[Finding] = []
    for table, col in (("Roster", "royalty_plan"), ("RoyaltyTiers", "plan"), ("RosterChanges", "royalty_plan")):
        frame = ctx.frame(table)
        if frame is None or col not in frame.columns:
            continue
        out += respelled(ctx, table, col, masters, ("the Royalty Plans' name", "提成方案表中的名称"))
        bad = _unknown(ctx, table, col, set(masters))
        if bad.any():
            out += ctx.emit("unknown-plan", table, col, frame[bad])
    return out


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
    match = department_key(ctx.data.info.get("department"), departments_of(roster))
    if match.how not in ("near", "unknown", "other-name"):
        return []
    sheet, cell = ctx.data.info_cells.get("department", (None, None))
    row = int(cell[1:]) if cell else None
    value = str(ctx.data.info.get("department"))
    if match.how == "near":
        return [Finding("department-near-miss", sheet=sheet, cell=cell, row=row, value=value,
                        params={"closest": match.closest})]
    if match.how == "other-name":
        return [Finding("department-other-name", sheet=sheet, cell=cell, row=row, value=value,
                        params={"closest": match.closest})]
    hint = (f" (closest: {match.closest!r})", f"（最接近的是“{match.closest}”）") if match.closest else ("", "")
    return [Finding("unknown-department", sheet=sheet, cell=cell, row=row, value=value,
                    params={"hint": hint[0], "hint_zh": hint[1]})]


RULES = (known_employees, known_contracts, known_product_lines, known_cities, splits, department_name)
