"""A ``Store`` over one ``Database``: the three repositories (snapshots, payouts, decisions) share its connection.

``SQLiteStore`` and ``PostgresStore`` are this class over their database; the repositories' code is the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

import pandas as pd

from ..core.findings import Finding
from ..core.tables import WorkbookData
from . import codec
from .base import CloseInfo, CloseRecord, Run, RunInfo, SaveResult, SnapshotInfo, SourceRecord, Store
from .db import Database
from .decisions import DecisionRepository
from .payouts import PayoutRepository
from .snapshots import SnapshotRepository


class SQLStore(Store):
    """The store's interface, each call handed to the repository of its records."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.url = db.url
        self.snapshots = SnapshotRepository(db)
        self.payouts = PayoutRepository(db)
        self.decisions = DecisionRepository(db)

    @property
    def schema_version(self) -> int:
        return self.db.user_version()

    def close(self) -> None:
        self.db.close()

    def close_lock(self, period: str) -> AbstractContextManager[None]:
        return self.db.close_lock(period)

    # -- snapshots ----------------------------------------------------------------------------------
    def new_run(self, period: str, command: str) -> Run:
        return Run(period=period, command=command)

    def record(self, run: Run, source: SourceRecord, data: WorkbookData | codec.EncodedWorkbook | None = None,
               findings: list[Finding] | None = None) -> SaveResult:
        return self.snapshots.record(run, source, data, findings)

    def finish_run(self, run: Run, status: str, summary: dict[str, Any]) -> None:
        self.snapshots.finish_run(run, status, summary)

    def revert_run(self, run_id: int) -> int:
        return self.snapshots.revert_run(run_id)

    def runs(self, period: str | None = None) -> list[RunInfo]:
        return self.snapshots.runs(period)

    def sources(self, run_id: int) -> list[SourceRecord]:
        return self.snapshots.sources(run_id)

    def run_snapshot_ids(self, run_id: int) -> list[int]:
        return self.snapshots.run_snapshot_ids(run_id)

    def migrated_at(self, version: int) -> str | None:
        return self.snapshots.migrated_at(version)

    def current(self, period: str, kind: str = "department") -> list[SnapshotInfo]:
        return self.snapshots.current(period, kind)

    def history(self, department: str | None = None, period: str | None = None,
                kind: str = "department") -> list[SnapshotInfo]:
        return self.snapshots.history(department, period, kind)

    def snapshot(self, snapshot_id: int) -> SnapshotInfo:
        return self.snapshots.snapshot(snapshot_id)

    def load_snapshot(self, snapshot_id: int) -> WorkbookData:
        return self.snapshots.load_snapshot(snapshot_id)

    def snapshot_findings(self, snapshot_id: int) -> list[Finding]:
        return self.snapshots.snapshot_findings(snapshot_id)

    def iter_table(self, snapshot_ids: list[int], table_key: str, kind: str = "department",
                   chunk_rows: int = 50_000) -> Iterator[pd.DataFrame]:
        return self.snapshots.iter_table(snapshot_ids, table_key, kind, chunk_rows)

    def iter_cells(self, snapshot_ids: list[int], table_key: str, lang: str = "en", kind: str = "department",
                   chunk_rows: int = 50_000) -> Iterator[list[list[Any]]]:
        return self.snapshots.iter_cells(snapshot_ids, table_key, lang, kind, chunk_rows)

    def shared_values(self, snapshot_ids: list[int], table_key: str, column: str,
                      kind: str = "department") -> list[tuple[str, int, int]]:
        return self.snapshots.shared_values(snapshot_ids, table_key, column, kind)

    def count_rows(self, snapshot_ids: list[int], table_key: str, kind: str = "department") -> int:
        return self.snapshots.count_rows(snapshot_ids, table_key, kind)

    # -- payouts ------------------------------------------------------------------------------------
    def next_close_version(self, period: str) -> int:
        return self.payouts.next_close_version(period)

    def record_close(self, close: CloseRecord, payments: pd.DataFrame, adjustments: pd.DataFrame,
                     results: dict[str, pd.DataFrame], reopen: bool = False,
                     based_on: list[int] | None = None) -> CloseInfo:
        return self.payouts.record_close(close, payments, adjustments, results, reopen, based_on)

    def closes(self, period: str | None = None, year: int | None = None,
               current_only: bool = False) -> list[CloseInfo]:
        return self.payouts.closes(period, year, current_only)

    def close_info(self, close_id: int) -> CloseInfo:
        return self.payouts.close_info(close_id)

    def payments(self, year: int | None = None, employee_id: str | None = None, close_id: int | None = None,
                 current_only: bool = True) -> pd.DataFrame:
        return self.payouts.payments(year, employee_id, close_id, current_only)

    def adjustments(self, close_id: int | None = None, year: int | None = None,
                    employee_id: str | None = None, current_only: bool = True) -> pd.DataFrame:
        return self.payouts.adjustments(close_id, year, employee_id, current_only)

    def close_results(self, close_id: int, name: str) -> pd.DataFrame:
        return self.payouts.close_results(close_id, name)

    # -- decisions ----------------------------------------------------------------------------------
    def record_close_event(self, close_id: int, state: str, by_name: str | None = None,
                           detail: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.decisions.record_close_event(close_id, state, by_name, detail)

    def close_events(self, close_id: int) -> list[dict[str, Any]]:
        return self.decisions.close_events(close_id)

    def record_finance_lines(self, close_id: int, lines: pd.DataFrame) -> int:
        return self.decisions.record_finance_lines(close_id, lines)

    def finance_lines(self, close_id: int | None = None, employee_id: str | None = None) -> pd.DataFrame:
        return self.decisions.finance_lines(close_id, employee_id)

    def mark_paid(self, close_id: int, paid: dict[str, str], source: str) -> int:
        return self.decisions.mark_paid(close_id, paid, source)

    def record_decisions(self, decisions: list[dict[str, Any]]) -> int:
        return self.decisions.record_decisions(decisions)

    def approval_decisions(self, department: str | None = None, employee_id: str | None = None,
                           decision: str | None = None) -> list[dict[str, Any]]:
        return self.decisions.approval_decisions(department, employee_id, decision)

    def approval_items(self, departments: list[str] | None = None) -> dict[tuple[str, str, str], dict[str, Any]]:
        return self.decisions.approval_items(departments)

    def save_approval_items(self, items: list[dict[str, Any]]) -> int:
        return self.decisions.save_approval_items(items)
