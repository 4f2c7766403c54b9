"""Build the computations' ``Ledger`` from the store instead of from files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import ToolkitError
from ..core.ledger import Ledger
from ..schema import DEPARTMENT
from .base import SnapshotInfo, Store
from .connect import open_store


def load_ledger_from_store(db: Store | str | Path | None, period: str, snapshot_ids: list[int] | None = None,
                           decoded: dict[int, dict[str, pd.DataFrame]] | None = None) -> Ledger:
    """The Ledger of ``period``: every current department snapshot (or just ``snapshot_ids``) stacked,
    with ``department`` and ``source`` columns, plus the period's current standards snapshot.

    A closed period reads as it was closed: without ``snapshot_ids``, the snapshots its current close used
    (a later ``consolidate`` of the period changes nothing paid or reported until it is re-closed). A
    standards snapshot among ``snapshot_ids`` is the one used.

    ``decoded``: snapshot id -> its tables as ``Store.iter_table`` reads them back (``codec.decode_table`` of
    what consolidation just wrote): those rows are not read again (the frames are taken out of ``decoded`` as
    they are stacked); the findings still come from the store."""

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
        decoded = decoded or {}
        for table in DEPARTMENT.tables:
            parts = [f for snap in depts for f in _snapshot_table(store, snap, table.key, decoded) if len(f)]
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


def _snapshot_table(store: Store, snap: SnapshotInfo, key: str,
                    decoded: dict[int, dict[str, pd.DataFrame]]) -> list[pd.DataFrame]:
    """One snapshot's rows of table ``key`` with ``department`` and ``source`` first, as ``iter_table`` gives them:
    from ``decoded`` when consolidation handed them over, else read from the store."""
    if snap.id not in decoded:
        return list(store.iter_table([snap.id], key, chunk_rows=1_000_000))
    frame = decoded[snap.id].pop(key, None)
    if frame is None or not len(frame):
        return []
    frame.insert(0, "source", pd.Series([snap.source_path] * len(frame), dtype="str"))
    frame.insert(0, "department", pd.Series([snap.department] * len(frame), dtype="str"))
    return [frame]
