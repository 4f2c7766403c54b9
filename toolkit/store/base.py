"""The history store's interface: what callers may do with a store, whatever database is behind it.

Callers (``toolkit.operations.consolidate``, ``close_month``, ``load_ledger_from_store``) only use ``Store``;
``open_store`` picks the implementation from a path or URL (SQLite today; PostgreSQL to follow).
"""

from __future__ import annotations

import getpass
import os
import socket
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..core.findings import Finding
from ..core.tables import WorkbookData

if TYPE_CHECKING:
    from .codec import EncodedWorkbook


#: The fields of one recorded approval decision (the ``approval_decisions`` table).
APPROVAL_DECISION_FIELDS = ("decided_at", "user", "approver", "approver_id", "queue", "period", "department",
                            "source_path", "sheet", "row", "kind", "item", "employee_id", "amount", "decision",
                            "comment", "flags", "outcome", "reason", "written_to", "approved_amount", "on_behalf_of",
                            "role")
#: The fields of one approval item's state (the ``approval_items`` table), keyed by department, kind and item.
APPROVAL_ITEM_FIELDS = ("department", "kind", "item", "employee_id", "state", "first_seen", "changed_at",
                        "source_path", "row_hash", "item_values", "decided_by", "on_behalf_of", "comment",
                        "forwarded")


def now_iso() -> str:
    """The current time, UTC, ISO 8601 to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def current_user() -> str:
    """Who runs the toolkit (login name; empty when unknown)."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry in some containers
        return os.environ.get("USER", "")


@dataclass
class Run:
    """A consolidation run being recorded. ``id`` stays None until its first write, so a run killed
    before writing anything leaves no trace."""

    period: str
    command: str
    started_at: str = field(default_factory=now_iso)
    user: str = field(default_factory=current_user)
    host: str = field(default_factory=socket.gethostname)
    id: int | None = None


@dataclass
class SourceRecord:
    """A source file as seen by a run: identity (path, size, mtime, SHA-256) and what became of it."""

    path: str
    size: int | None = None
    mtime: str | None = None
    sha256: str | None = None
    kind: str | None = None
    department: str | None = None
    status: str = "loaded"  # loaded | unchanged | rejected | unreadable | duplicate | skipped
    reason: str | None = None
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    #: The validation findings of a source stored without a snapshot (rejected, duplicate); a stored snapshot
    #: keeps its own (``Store.snapshot_findings``).
    findings: list[Finding] | None = None


@dataclass
class SnapshotInfo:
    """One stored snapshot of a workbook for a period (current or superseded)."""

    id: int
    run_id: int
    kind: str
    department: str
    period: str
    sha256: str
    source_path: str
    size: int
    mtime: str
    created_at: str
    row_counts: dict[str, int]
    errors: int
    warnings: int
    infos: int
    is_current: bool
    superseded_by: int | None
    #: the language of the workbook's headers (``en``/``zh``): the department's language
    lang: str = "en"


@dataclass
class RunInfo:
    """A recorded run: who, when, which toolkit, which period, how it ended."""

    id: int
    started_at: str
    finished_at: str | None
    user: str
    host: str
    toolkit_version: str
    period: str
    command: str
    status: str | None
    summary: dict[str, Any]
    #: for a month close's run: the close it recorded ("2026-11 v1"), or "not recorded" (``history list``)
    close: str | None = None


@dataclass
class SaveResult:
    """What ``Store.record`` did: ``loaded`` (new current snapshot) or ``unchanged`` (same content)."""

    status: str
    snapshot_id: int | None
    replaced: int | None = None  # the snapshot it superseded


@dataclass
class CloseRecord:
    """A month close about to be recorded: what it used and wrote. Payments and results travel beside it."""

    period: str
    run_id: int | None
    snapshot_ids: list[int]
    departments: list[str]
    not_consolidated: list[str] = field(default_factory=list)
    outputs: dict[str, list[str]] = field(default_factory=dict)
    notes: list[dict[str, Any]] = field(default_factory=list)
    user: str = field(default_factory=current_user)
    host: str = field(default_factory=socket.gethostname)


@dataclass
class CloseInfo:
    """A recorded close of a period: its version, who and when, inputs, outputs and whether it is current."""

    id: int
    period: str
    year: int
    month: int
    version: int
    closed_at: str
    user: str
    host: str
    toolkit_version: str
    run_id: int | None
    snapshot_ids: list[int]
    departments: list[str]
    not_consolidated: list[str]
    outputs: dict[str, list[str]]
    notes: list[dict[str, Any]]
    status: str  # current | superseded
    superseded_by: int | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``toolkit history``)."""
        return asdict(self)


#: Columns of a payments frame given to and returned by the store (money rounded to cents).
PAYMENT_COLUMNS = ("employee_id", "name", "department", "year", "period", "kind", "entry", "ytd_earned",
                   "paid_before", "amount", "regular", "adjustment")
#: Columns of an adjustments frame.
ADJUSTMENT_COLUMNS = ("employee_id", "year", "kind", "closed_period", "change", "reason", "sheet", "contract_no", "receipt_no",
                      "source", "row", "amount_before", "amount_after", "credited_before", "credited_after", "effect",
                      "prior_year")


#: Columns of a finance line (``finance_lines``): what the payroll file or the reimbursement batch sent finance.
FINANCE_LINE_COLUMNS = ("line_id", "file", "employee_id", "name", "department", "cost_centre", "pay_item",
                        "payroll_code", "reference", "amount", "exported_at", "paid_date", "confirmed_at",
                        "confirmed_by", "confirmed_from")


class Store(ABC):
    """A history store: runs, sources, and per department+period snapshots with their audit history."""

    url: str

    @property
    @abstractmethod
    def schema_version(self) -> int:
        """The store's schema version."""

    @abstractmethod
    def new_run(self, period: str, command: str) -> Run:
        """A run handle; nothing is written until ``record`` or ``finish_run``."""

    @abstractmethod
    def record(
        self, run: Run, source: SourceRecord, data: WorkbookData | EncodedWorkbook | None = None,
        findings: list[Finding] | None = None,
    ) -> SaveResult:
        """Record a source; with ``data``, make it the current snapshot of its kind+department+period.

        One transaction: a store killed inside it is as before. Same content and findings as the
        current snapshot -> ``unchanged``, no new snapshot. ``data`` may also be a ``codec.EncodedWorkbook``
        (its tables encoded ahead of time, e.g. in a worker process); the snapshot stored is the same.
        """

    @abstractmethod
    def finish_run(self, run: Run, status: str, summary: dict[str, Any]) -> None:
        """Mark the run finished with its status and summary."""

    @abstractmethod
    def revert_run(self, run_id: int) -> int:
        """Undo what a failed run made current, in one transaction: its new snapshots stop being current and
        the ones they superseded are current again (kept for the audit trail). Returns how many were undone."""

    @abstractmethod
    def runs(self, period: str | None = None) -> list[RunInfo]:
        """Recorded runs, oldest first."""

    @abstractmethod
    def sources(self, run_id: int) -> list[SourceRecord]:
        """The sources a run saw, in the order recorded."""

    @abstractmethod
    def run_snapshot_ids(self, run_id: int) -> list[int]:
        """The snapshots a run stored or found unchanged (standards and departments), in the order recorded."""

    @abstractmethod
    def migrated_at(self, version: int) -> str | None:
        """When the store was migrated to ``version`` (None: not recorded)."""

    @abstractmethod
    def current(self, period: str, kind: str = "department") -> list[SnapshotInfo]:
        """Current snapshots of ``kind`` for ``period``, by department."""

    @abstractmethod
    def history(self, department: str | None = None, period: str | None = None,
                kind: str = "department") -> list[SnapshotInfo]:
        """Every snapshot (current and superseded), oldest first."""

    @abstractmethod
    def snapshot(self, snapshot_id: int) -> SnapshotInfo:
        """One snapshot's record."""

    @abstractmethod
    def load_snapshot(self, snapshot_id: int) -> WorkbookData:
        """A snapshot as the reader gave it: typed tables (same dtypes), info, language and findings."""

    @abstractmethod
    def snapshot_findings(self, snapshot_id: int) -> list[Finding]:
        """The validation findings recorded with a snapshot."""

    @abstractmethod
    def iter_table(self, snapshot_ids: list[int], table_key: str, kind: str = "department",
                   chunk_rows: int = 50_000) -> Iterator[pd.DataFrame]:
        """A table's rows over several snapshots, in snapshot order, in chunks, typed, with
        ``department`` and ``source`` columns first."""

    @abstractmethod
    def iter_cells(self, snapshot_ids: list[int], table_key: str, lang: str = "en", kind: str = "department",
                   chunk_rows: int = 50_000) -> Iterator[list[list[Any]]]:
        """``iter_table``'s chunks as columns of cell values (``department``, ``source``, then the schema's
        keys), each exactly what ``toolkit.io.writer.cell_values`` gives for the typed column."""

    @abstractmethod
    def shared_values(self, snapshot_ids: list[int], table_key: str, column: str,
                      kind: str = "department") -> list[tuple[str, int, int]]:
        """(value, snapshot id, sheet row) of every row whose ``column`` value, compared trimmed and
        case-insensitively, occurs in more than one of the snapshots (e.g. a contract in two departments)."""

    @abstractmethod
    def count_rows(self, snapshot_ids: list[int], table_key: str, kind: str = "department") -> int:
        """How many rows ``iter_table`` yields."""

    # -- the payout ledger (closes, payments, adjustments, stored results) --------------------------
    @abstractmethod
    def next_close_version(self, period: str) -> int:
        """The version a new close of ``period`` would get (1 for a first close)."""

    @abstractmethod
    def record_close(self, close: CloseRecord, payments: pd.DataFrame, adjustments: pd.DataFrame,
                     results: dict[str, pd.DataFrame], reopen: bool = False,
                     based_on: list[int] | None = None) -> CloseInfo:
        """Record a close, its payments, adjustments and results in ONE transaction (a killed close leaves
        nothing). Refused (``ToolkitError``) when a later period of any year is closed, when ``period`` is
        already closed and ``reopen`` is false, or — re-checked inside the transaction — when the current closes
        are no longer ``based_on`` (the ids the payments were computed against); with ``reopen`` the current
        version is superseded, not erased."""

    @abstractmethod
    def close_lock(self, period: str) -> AbstractContextManager[None]:
        """Held for a whole close of ``period``: one close at a time per store. A second is refused at once
        (``ToolkitError`` "close.running", naming the period being closed and since when)."""

    @abstractmethod
    def closes(self, period: str | None = None, year: int | None = None,
               current_only: bool = False) -> list[CloseInfo]:
        """Recorded closes (every version unless ``current_only``), oldest first."""

    @abstractmethod
    def close_info(self, close_id: int) -> CloseInfo:
        """One close's record."""

    @abstractmethod
    def payments(self, year: int | None = None, employee_id: str | None = None, close_id: int | None = None,
                 current_only: bool = True) -> pd.DataFrame:
        """Payment rows (``PAYMENT_COLUMNS`` plus ``close_id``, ``close_period``, ``close_version``), by close."""

    @abstractmethod
    def adjustments(self, close_id: int | None = None, year: int | None = None,
                    employee_id: str | None = None, current_only: bool = True) -> pd.DataFrame:
        """Itemised adjustment rows (``ADJUSTMENT_COLUMNS`` plus ``close_id``, ``close_period``)."""

    @abstractmethod
    def close_results(self, close_id: int, name: str) -> pd.DataFrame:
        """A stored result frame of a close (``migrations.RESULT_TABLES``), without ``close_id``."""

    # -- money leaving the toolkit (issue 25): states, finance lines, paid confirmations ------------
    @abstractmethod
    def record_close_event(self, close_id: int, state: str, by_name: str | None = None,
                           detail: dict[str, Any] | None = None) -> dict[str, Any]:
        """Record that a close reached ``state`` (approved, exported, paid): who (login, host, ``by_name``) and
        when; returns the event. ``approved`` is refused when the close is superseded or already approved."""

    @abstractmethod
    def close_events(self, close_id: int) -> list[dict[str, Any]]:
        """The close's state events, oldest first (``state``, ``at``, ``user``, ``host``, ``by_name``, ``detail``)."""

    @abstractmethod
    def record_finance_lines(self, close_id: int, lines: pd.DataFrame) -> int:
        """Add the exported lines of a close (``FINANCE_LINE_COLUMNS``) that are not recorded yet (a re-export
        changes nothing recorded, paid state included); returns how many were added."""

    @abstractmethod
    def finance_lines(self, close_id: int | None = None, employee_id: str | None = None) -> pd.DataFrame:
        """Exported lines (``FINANCE_LINE_COLUMNS`` plus ``close_id``, ``close_period``, ``close_version``) of current
        closes, or of one close."""

    @abstractmethod
    def mark_paid(self, close_id: int, paid: dict[str, str], source: str) -> int:
        """Mark the lines ``paid`` (line ID -> paid date) of a close paid, in one transaction; returns how many."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    @abstractmethod
    def record_decisions(self, decisions: list[dict[str, Any]]) -> int:
        """Add approval decisions to the audit trail in one transaction (keys: the columns of
        ``APPROVAL_DECISION_FIELDS``; ``decided_at`` and ``user`` default to now and the login); returns
        the number added."""

    @abstractmethod
    def approval_decisions(self, department: str | None = None, employee_id: str | None = None,
                           decision: str | None = None) -> list[dict[str, Any]]:
        """The audit trail, oldest first, optionally for one department, employee or decision."""

    @abstractmethod
    def approval_items(self, departments: list[str] | None = None) -> dict[tuple[str, str, str], dict[str, Any]]:
        """Approval item states by (department, kind, item) (``APPROVAL_ITEM_FIELDS``; ``item_values`` decoded)."""

    @abstractmethod
    def save_approval_items(self, items: list[dict[str, Any]]) -> int:
        """Insert or update item states in one transaction (keys: ``APPROVAL_ITEM_FIELDS``; ``first_seen`` kept
        from an existing row, ``changed_at`` defaults to now); returns the number written."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
