"""The standards' Adjustments sheet (issue 25): who is adjusted, who approved it, and whether its period is open.

Kind is checked by the schema (``enum-invalid``); here the employee and the approver must be on the Roster and
the approver is never the employee. Whether the period is open needs the history store: ``adjustment_findings``
takes the closed periods, and the month close passes them (``toolkit.operations.finance``).
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from ..findings import Finding
from .context import Context, ids


def adjustment_findings(ctx: Context, closed: Collection[str] = ()) -> list[Finding]:
    """Findings of the Adjustments rows: unknown employee or approver, self-approval, a period already closed
    (``closed``: periods "YYYY-MM" approved or before the latest close, where nothing can be paid any more)."""
    frame = ctx.frame("Adjustments")
    roster = ctx.data.tables.get("Roster")
    if ctx.data.kind != "standards" or frame is None:
        return []
    known = set(ids(roster["employee_id"].dropna()).tolist()) if roster is not None else set()
    emp, approver = ids(frame["employee_id"].astype("str")), ids(frame["approved_by"].astype("str"))
    has_emp, has_approver = frame["employee_id"].notna(), frame["approved_by"].notna()
    # the approver is written as an Employee ID or as a Roster name; both resolve to the ID
    by_name = ({} if roster is None else
               {str(n).strip().casefold(): i for n, i in zip(roster["name"], ids(roster["employee_id"].astype("str")))
                if pd.notna(n)})
    approver_id = approver.map(lambda a: a if a in known else by_name.get(str(a).casefold(), a))
    out: list[Finding] = []
    if roster is not None:
        out += ctx.emit("unknown-employee", "Adjustments", "employee_id",
                        frame[(has_emp & ~emp.isin(known)).to_numpy(dtype=bool)])
        out += ctx.emit("adjustment-approver-unknown", "Adjustments", "approved_by",
                        frame[(has_approver & ~approver_id.isin(known)).to_numpy(dtype=bool)])
    same = (has_emp & has_approver & (emp.str.casefold() == approver_id.astype("str").str.casefold())
            ).to_numpy(dtype=bool)
    out += ctx.emit("adjustment-self-approved", "Adjustments", "approved_by", frame[same])
    if closed:
        month = pd.to_datetime(frame["period"], errors="coerce").dt.strftime("%Y-%m")
        shut = month.isin(set(closed)).to_numpy(dtype=bool)
        out += ctx.emit("adjustment-period-closed", "Adjustments", "period", frame[shut], value=month[shut])
    return out


def adjustments_valid(ctx: Context) -> list[Finding]:
    """The rule run on every standards workbook (without the store: the period check is the close's)."""
    return adjustment_findings(ctx)


RULES = (adjustments_valid,)
