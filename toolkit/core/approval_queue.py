"""The approval queue's vocabulary: its columns per kind, the decisions, statuses and routes, and the
``Queue`` record the operation builds (``toolkit.operations.approval_queue``) and the output writes
(``toolkit.outputs.approval_queue``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


#: The item columns of each kind, as in the department workbook (schema keys).
ITEM_FIELDS: dict[str, tuple[str, ...]] = {
    "Expenses": ("claim_no", "date", "category", "city", "days", "amount", "receipt", "description"),
    "Advances": ("slip_no", "date", "amount", "purpose", "due_date", "repaid"),
    "Leave": ("request_no", "type", "start", "end", "days"),
}
#: The columns the queue adds per kind (``core.approval_facts``).
FACT_FIELDS: dict[str, tuple[str, ...]] = {
    "Expenses": ("person_used", "person_target", "person_share", "dept_used", "dept_target", "dept_share",
                 "category_used", "category_target", "category_share"),
    "Advances": ("outstanding_after", "advance_limit", "overdue_count", "overdue_amount"),
    "Leave": ("balance_after", "overlaps", "colleagues_off"),
}
HEAD = ("name", "status", "state", "age", "department", "employee_id", "role", "grade", "route", "on_behalf_of")
HISTORY = ("claims_3m", "claims_3m_amount", "rejections")
TAIL = ("flags", "changes", "approved_amount", "decision", "comment", "file", "sheet", "row", "row_hash")
#: The kinds whose items have an amount, so can be approved in part.
PARTIAL_KINDS = ("Expenses", "Advances")
#: The decisions an approver can take, in the Decision drop-down.
DECISIONS = ("Approve", "Exception", "Reject", "Return", "Forward")
#: What the queue's statuses and routes are called.
STATUSES = ("clean", "flagged")
ROUTES = ("director", "gm")
#: Whose queue it is: the director's (every pending item) or the general manager's (``--as gm``).
QUEUE_ROLES = ("director", "gm")


def columns(kind: str) -> list[str]:
    """The queue sheet's columns for ``kind`` (Expenses, Advances, Leave), in order: the item's number and the
    person's name first (repeated on every printed page), then who, the item, the facts, the flags and the
    decision; the item's location in its workbook last."""
    tail = [c for c in TAIL if c != "approved_amount" or kind in PARTIAL_KINDS]
    key, *rest = ITEM_FIELDS[kind]
    return [key, *HEAD, *rest, *FACT_FIELDS[kind], *HISTORY, *tail]


@dataclass
class QueueSource:
    """A department workbook the queue was made from, as it was then."""

    path: str
    sha256: str
    department: str
    lang: str


@dataclass
class Queue:
    """The pending items per kind (frames with ``columns(kind)``), their sources and what was left out."""

    period: str
    made_at: str
    standards: str | None
    items: dict[str, pd.DataFrame]
    sources: list[QueueSource] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # messages, in the queue's language
    approver_id: str | None = None
    role: str = "director"  # whose queue: director | gm
    reminder_days: float = 3.0  # the Thresholds' Reminder After Days (working days)
    #: Items decided on the general manager's queue after being forwarded (the director's queue lists them).
    decided: list[dict] = field(default_factory=list)
    #: Item states the store learns from this queue (new items, resubmissions), saved by the operation.
    new_states: list[dict] = field(default_factory=list)

    def count(self) -> int:
        return sum(len(f) for f in self.items.values())
