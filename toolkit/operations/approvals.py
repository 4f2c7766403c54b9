"""Approving or rejecting rows of Expenses, Advances and Leave: which rows may be decided, and the stamp.

The rule is the same wherever a decision is taken (the ribbon's Approve/Reject buttons today, the
approval queue later): a row with an error finding is refused with its findings; the others get the
decision in the workbook's language, the approver's name and a dated note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..core.findings import Finding
from ..core.tables import WorkbookData
from ..errors import ToolkitError
from ..schema import DEPARTMENT
from ..schema import enums as E

#: Tables whose rows are approved or rejected.
APPROVAL_TABLES = ("Expenses", "Advances", "Leave")


@dataclass
class Decision:
    """What deciding ``rows`` of ``table`` gives: the rows that take ``decision``, and the refused ones' findings."""

    table: str
    sheet: str
    decision: str  # Approved | Rejected
    label: str  # the decision in the workbook's language
    approver: str
    date: str  # ISO date of the decision
    rows: list[int] = field(default_factory=list)
    refused: dict[int, list[Finding]] = field(default_factory=dict)

    def cells(self, data: WorkbookData) -> list[tuple[int, str | None, str | None, str]]:
        """Per decided row: its Approval cell, its Approver cell (None where the sheet has no such column) and
        the cell that carries the dated note (Approval, else the row's key)."""
        layout = data.layout[self.table]
        note_col = "approval" if "approval" in layout.columns else DEPARTMENT.table(self.table).unique_key[0]
        approval = "approval" in layout.columns
        approver = "approver" in layout.columns
        return [(r, layout.cell("approval", r) if approval else None, layout.cell("approver", r) if approver else None,
                 layout.cell(note_col, r)) for r in self.rows]


def approval_table(data: WorkbookData, sheet: str) -> str:
    """The table (Expenses, Advances, Leave) laid out on ``sheet``, or ToolkitError naming the sheet."""
    key = next((k for k in APPROVAL_TABLES if k in data.layout and data.layout[k].sheet == sheet
                and data.layout[k].columns), None)
    if key is None:
        raise ToolkitError("macro.wrong-sheet", sheet=sheet)
    return key


def _row_of(f: Finding) -> int | None:
    if f.row is not None:
        return int(f.row)
    digits = "".join(ch for ch in (f.cell or "") if ch.isdigit())
    return int(digits) if digits else None


def decide(data: WorkbookData, standards: WorkbookData | None, sheet: str, selected: Iterable[int], decision: str,
           approver: str, today: dt.date | None = None) -> Decision:
    """Which of the ``selected`` sheet rows take ``decision`` (Approved/Rejected) and which are refused for errors."""
    from .validate import check_data

    if decision not in E.APPROVAL.values:
        raise ValueError(decision)
    table = approval_table(data, sheet)
    frame = data.tables[table]
    rows = sorted(set(selected) & set(frame["_row"].astype(int)))
    if not rows:
        raise ToolkitError("macro.no-rows", sheet=sheet)
    if not approver:
        raise ToolkitError("macro.no-approver")
    refused: dict[int, list[Finding]] = {}
    for f in check_data(data, standards).findings:
        if f.severity == "error" and f.sheet == sheet and (r := _row_of(f)) in rows:
            refused.setdefault(r, []).append(f)
    return Decision(table, sheet, decision, E.APPROVAL.label(decision, data.lang), approver,
                    (today or dt.date.today()).isoformat(), [r for r in rows if r not in refused], refused)
