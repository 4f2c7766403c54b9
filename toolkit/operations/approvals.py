"""Approving or rejecting rows of Expenses, Advances and Leave: which rows may be decided, and the stamp.

The rule is the same wherever a decision is taken (the ribbon's Approve/Reject buttons and the approval
queue's apply): an approval of a row with an error finding is refused with its findings unless it is an
approval *with exception* (a comment is required and recorded); a rejection is always allowed but needs a
reason; the approver's own item is refused (separation of duties: the approver's employee ID) and so is,
for an approval by the director, an item above the general manager's threshold (it can only be forwarded);
the others get the decision in the workbook's language, the approver's name and a dated note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from ..core.findings import Finding
from ..core.tables import WorkbookData
from ..errors import ToolkitError
from ..i18n import register, t
from ..schema import DEPARTMENT
from ..schema import enums as E
from ..core.ledger import thresholds
from .validate import check_data
from ..money import fmt_money

#: Tables whose rows are approved or rejected.
APPROVAL_TABLES = ("Expenses", "Advances", "Leave")

register({
    "approval.note.decided": ("{decision} by {name} on {date}", "{name} 于 {date} {decision}"),
    "approval.note.Exception": ("Approved with exception by {name} on {date}", "{name} 于 {date} 例外批准"),
    "approval.note.part": ("Approved {approved} of {claimed} by {name} on {date}; {rest} rejected",
                           "{name} 于 {date} 批准 {claimed} 中的 {approved}，驳回 {rest}"),
    "approval.note.behalf": ("on behalf of {whom}", "代 {whom}"),
    "approval.role.director": ("Director", "总监"),
    "approval.role.gm": ("General manager", "总经理"),
    "approval.note.Return": ("Returned by {name} on {date}", "{name} 于 {date} 退回"),
    "approval.note.Forward": ("Forwarded to the general manager by {name} on {date}", "{name} 于 {date} 转呈总经理"),
})


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


def row_of(f: Finding) -> int | None:
    """The sheet row a finding is about (its ``row``, else the digits of its cell), or None."""
    if f.row is not None:
        return int(f.row)
    digits = "".join(ch for ch in (f.cell or "") if ch.isdigit())
    return int(digits) if digits else None


def decide(data: WorkbookData, standards: WorkbookData | None, sheet: str, selected: Iterable[int], decision: str,
           approver: str, today: dt.date | None = None, approver_id: str | None = None, reason: str | None = None,
           exception: bool = False, gm: bool = False, findings: list[Finding] | None = None) -> Decision:
    """Which of the ``selected`` sheet rows take ``decision`` (Approved/Rejected) and which are refused: the
    approver's own rows (``approver_id``); for Rejected, every row when there is no ``reason``; for Approved,
    rows with error findings (unless ``exception``, which needs a ``reason``) and, unless the approver is the
    general manager (``gm``), rows whose Amount is above the Thresholds' GM Approval Above. ``findings``: the
    workbook's findings when the caller already has them (``check_data`` of the same ``data`` and ``standards``)."""

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
    if decision == "Approved" and not exception:
        for f in check_data(data, standards).findings if findings is None else findings:
            if f.severity == "error" and f.sheet == sheet and (r := row_of(f)) in rows:
                refused.setdefault(r, []).append(f)
    layout = data.layout[table]
    key = DEPARTMENT.table(table).unique_key[0]
    by_row = frame.set_index(frame["_row"].astype(int))
    limit = thresholds(standards)["GM Approval Above"]
    needs = ("approval-reason-required" if decision == "Rejected" else
             "approval-comment-required" if exception else None)
    for r in rows:
        item = by_row.loc[r]
        if needs and not (reason or "").strip():
            refused.setdefault(r, []).append(Finding(needs, sheet=sheet, cell=layout.cell(key, r), row=r,
                                                     value=str(item[key]), file=str(data.path)))
        if approver_id and str(item["employee_id"]) == str(approver_id).strip():
            refused.setdefault(r, []).append(Finding("approval-own-item", sheet=sheet, cell=layout.cell("employee_id", r),
                                                     row=r, value=str(item[key]), file=str(data.path)))
        amount = item["amount"] if "amount" in item.index else None
        if decision == "Approved" and not gm and amount is not None and not pd.isna(amount) and float(amount) > limit:
            refused.setdefault(r, []).append(Finding("approval-needs-gm", sheet=sheet, cell=layout.cell("amount", r),
                                                     row=r, value=str(item[key]), file=str(data.path),
                                                     params={"limit": fmt_money(limit, grouped=True)}))
    return Decision(table, sheet, decision, E.APPROVAL.label(decision, data.lang), approver,
                    (today or dt.date.today()).isoformat(), [r for r in rows if r not in refused], refused)


def stamp_note(decision: str, lang: str, name: str, date: str, comment: str | None = None,
               part: tuple[str, str, str] | None = None, behalf: str | None = None) -> str:
    """The dated note a decision leaves on the row (Approved, Rejected, Exception, Return, Forward), with the
    comment; ``part`` (approved, claimed, rejected rest, as money text) for a partial approval; ``behalf``: the
    approver the decision was taken for (a delegation)."""
    key = "decided" if decision in E.APPROVAL.values else decision
    if part is not None:
        text = t("approval.note.part", lang, name=name, date=date, approved=part[0], claimed=part[1], rest=part[2])
    else:
        text = t(f"approval.note.{key}", lang, name=name, date=date, decision=E.APPROVAL.label(decision, lang))
    if behalf:
        whom = t(f"approval.role.{behalf}", lang) if behalf in ("director", "gm") else behalf
        text = f"{text} ({t('approval.note.behalf', lang, whom=whom)})"
    return f"{text}: {comment.strip()}" if comment and comment.strip() else text
