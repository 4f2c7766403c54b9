"""The consolidated workbook of a run, streamed from the store; worker processes render the rows."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Self

from ...i18n import t
from ...store import Store
from ..source import worker_store
from .pipeline import in_order
from .results import ConsolidationResult
from ...io.consolidated import FindingRow, SummaryRow, write_consolidated, render_values
from ...io.writer import MAX_DATA_ROWS

def write_workbook(store: Store, result: ConsolidationResult, path: Path, lang: str,
                   max_rows: int | None = None, jobs: int = 1) -> list[Any]:
    """Write the consolidated workbook of the run's consolidated departments, streamed from the store
    (rows rendered in ``jobs`` worker processes when the store is a file they can open)."""
    ids = [f.snapshot_id for f in result.consolidated if f.snapshot_id is not None]
    summary = []
    findings = []
    for f in result.files:
        label = "consolidated" if f.ok else f.status
        summary.append(SummaryRow(f.department or "", f.path, t(f"consolidate.status.{label}", lang),
                                  f.reason or "", f.errors, f.warnings, f.rows))
        for x in f.findings:
            findings.append(FindingRow(f.department or "", f.path, x.severity or "", x.code, x.sheet, x.cell,
                                       None if x.value is None else str(x.value), x.message(lang)))
    with _StoreRows(store, ids, jobs) as rows:
        return write_consolidated(path, rows, summary, findings, lang, max_rows or MAX_DATA_ROWS)


_WORKER_STORE: dict[str, Store] = {}


def _render_snapshot(url: str, snapshot_id: int, table_key: str, spec: Any, start: int) -> list[Any]:
    """In a worker: one snapshot's rows of a table, rendered as worksheet XML pieces."""
    store = _WORKER_STORE.get(url)
    if store is None:
        store = _WORKER_STORE[url] = worker_store(url)
    return list(_rendered(store, snapshot_id, table_key, spec, start))


def _rendered(store: Store, snapshot_id: int, table_key: str, spec: Any, start: int) -> Iterator[Any]:
    """One snapshot's rows of a table as rendered pieces, from the store's cell values."""
    for columns in store.iter_cells([snapshot_id], table_key, spec.lang):
        yield from render_values(columns, spec, start)
        start += len(columns[0])


class _StoreRows:
    """The consolidated rows of the given snapshots, read from the store and rendered snapshot by snapshot,
    in order; with ``jobs`` > 1 and a file store, worker processes read and render (a bounded window)."""

    def __init__(self, store: Store, ids: list[int], jobs: int) -> None:
        self.store, self.ids = store, ids
        url = getattr(store, "url", None)
        self.url = url if isinstance(url, str) and url.startswith("sqlite:///") else None
        self.width = 2 * jobs  # rendered snapshots in flight (a few MB of XML each)
        self.pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 and self.url and len(ids) > 1 else None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def count(self, table: Any) -> int:
        return self.store.count_rows(self.ids, table.key)

    def pieces(self, table: Any, spec: Any) -> Iterator[Any]:
        starts, start = [], 0
        for sid in self.ids:
            starts.append(start)
            start += self.store.count_rows([sid], table.key)
        if self.pool is None:
            for sid, first in zip(self.ids, starts):
                yield from _rendered(self.store, sid, table.key, spec, first)
            return
        calls = ((self.url, sid, table.key, spec, first) for sid, first in zip(self.ids, starts))
        for pieces in in_order(self.pool, _render_snapshot, calls, self.width):
            yield from pieces
