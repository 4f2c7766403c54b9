"""Build the computations' ``Ledger`` from the store instead of from files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ToolkitError
from ..core.ledger import Ledger
from ..schema import DEPARTMENT, Table
from .codec import EncodedTable, decode_stacked, decode_table
from .base import SnapshotInfo, Store
from .connect import open_store


def load_ledger_from_store(db: Store | str | Path | None, period: str, snapshot_ids: list[int] | None = None,
                           handed: dict[int, dict[str, EncodedTable]] | None = None) -> Ledger:
    """The Ledger of ``period``: every current department snapshot (or just ``snapshot_ids``) stacked,
    with ``department`` and ``source`` columns, plus the period's current standards snapshot.

    A closed period reads as it was closed: without ``snapshot_ids``, the snapshots its current close used
    (a later ``consolidate`` of the period changes nothing paid or reported until it is re-closed). A
    standards snapshot among ``snapshot_ids`` is the one used.

    ``handed``: snapshot id -> its tables as consolidation just wrote them (``codec.EncodedTable``): those rows
    are not read again but decoded as ``Store.iter_table`` would read them back — once per table for all the
    departments where they recorded the same dtypes (``codec.decode_stacked``) — and taken out of ``handed`` as
    they are stacked; the findings still come from the store."""

    store = db if isinstance(db, Store) else open_store(db)
    try:
        if snapshot_ids is None:
            closed = store.closes(period=period, current_only=True)
            snapshot_ids = closed[0].snapshot_ids if closed else None
        if snapshot_ids is None:
            depts = store.current(period)
            std = store.current(period, kind="standards")
        else:
            chosen = [store.snapshot(i) for i in snapshot_ids]
            depts = [s for s in chosen if s.kind == "department"]
            std = [s for s in chosen if s.kind == "standards"] or store.current(period, kind="standards")
        if not depts:
            raise ToolkitError("store.no-departments", period=period, path=store.url)
        if not std:
            raise ToolkitError("store.no-standards", period=period, path=store.url)
        standards = store.load_snapshot(std[0].id)
        ids = [s.id for s in depts]
        tables: dict[str, pd.DataFrame] = {}
        handed = handed or {}
        for table in DEPARTMENT.tables:
            parts = _handed_table(depts, table, handed)
            if parts is None:
                parts = [f for snap in depts for f in _snapshot_table(store, snap, table.key, handed) if len(f)]
            if parts:
                frame = pd.concat(parts, ignore_index=True)
                # Ledger frames carry department/source last, as Ledger.from_workbooks builds them
                tables[table.key] = frame[[c for c in frame.columns if c not in ("department", "source")]
                                          + ["department", "source"]]
        findings = list(standards.findings)
        for snap in depts:
            if snap.errors or snap.warnings or snap.infos:
                findings.extend(store.snapshot_findings(snap.id))
        return Ledger(tables, standards, findings, [s.source_path for s in depts],
                      langs={s.department: s.lang for s in depts},
                      sources={s.department: s.source_path for s in depts})
    finally:
        if store is not db:
            store.close()


def _handed_table(depts: list[SnapshotInfo], table: Table,
                  handed: dict[int, dict[str, EncodedTable]]) -> list[pd.DataFrame] | None:
    """Every department's rows of ``table`` as one frame with ``department`` and ``source`` first (what stacking
    ``_snapshot_table`` gives), decoded once for all of them, when consolidation handed over every snapshot and
    they recorded the same dtypes; else None (and ``handed`` untouched)."""
    if not depts or any(snap.id not in handed for snap in depts):
        return None
    present = [(snap, handed[snap.id][table.key]) for snap in depts
               if table.key in handed[snap.id] and handed[snap.id][table.key].rows]
    frame = decode_stacked([e for _, e in present], table)
    if frame is None:
        return None
    for snap in depts:
        handed[snap.id].pop(table.key, None)
    if not len(frame):
        return []
    rows = [e.rows for _, e in present]
    frame.insert(0, "source", pd.Series(np.repeat(np.array([s.source_path for s, _ in present], dtype=object), rows),
                                        dtype="str"))
    frame.insert(0, "department", pd.Series(np.repeat(np.array([s.department for s, _ in present], dtype=object),
                                                      rows), dtype="str"))
    return [frame]


def _snapshot_table(store: Store, snap: SnapshotInfo, key: str,
                    handed: dict[int, dict[str, EncodedTable]]) -> list[pd.DataFrame]:
    """One snapshot's rows of table ``key`` with ``department`` and ``source`` first, as ``iter_table`` gives them:
    from ``handed`` when consolidation handed them over, else read from the store."""
    if snap.id not in handed:
        return list(store.iter_table([snap.id], key, chunk_rows=1_000_000))
    encoded = handed[snap.id].pop(key, None)
    if encoded is None or not encoded.rows:
        return []
    frame = decode_table(encoded, DEPARTMENT.table(key))
    frame.insert(0, "source", pd.Series([snap.source_path] * len(frame), dtype="str"))
    frame.insert(0, "department", pd.Series([snap.department] * len(frame), dtype="str"))
    return [frame]
