"""The snapshots repository: consolidation runs, the sources they saw, and per department+period snapshots.

Snapshot rows live in one typed table per schema table (``dept_Contracts``, ``std_Roster`` …); ``snapshot_tables``
records each frame's column order and dtypes so loading gives back the same frame.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pandas as pd

from .. import __version__
from ..core.findings import Finding
from ..core.tables import WorkbookData
from ..errors import ToolkitError
from ..schema import DTYPES
from . import codec
from .base import Run, RunInfo, SaveResult, SnapshotInfo, SourceRecord, now_iso
from .db import Database, findings_json, maybe_stall
from .migrations import SCHEMAS, data_table_name, q

_SNAPSHOT_COLS = ("id, run_id, kind, department, period, sha256, source_path, size, mtime, created_at, "
                  "row_counts, errors, warnings, infos, is_current, superseded_by, lang")

#: Rows per multi-row INSERT of snapshot data (fewer statement executions; see ``_insert_rows``).
_ROWS_PER_INSERT = 64


class SnapshotRepository:
    """Runs, sources and snapshots over one ``Database``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- writing ----------------------------------------------------------------------------------
    def _ensure_run(self, run: Run) -> None:
        if run.id is None:
            run.id = self.db.insert(
                "INSERT INTO runs(started_at, user, host, toolkit_version, period, command) VALUES (?,?,?,?,?,?)",
                (run.started_at, run.user, run.host, __version__, run.period, run.command))

    def record(self, run: Run, source: SourceRecord, data: WorkbookData | codec.EncodedWorkbook | None = None,
               findings: list[Finding] | None = None) -> SaveResult:
        """``Store.record``."""
        had_id = run.id
        try:
            with self.db.write():
                self._ensure_run(run)
                result = SaveResult(source.status, None)
                if data is not None:
                    result = self._save_snapshot(run, source, data, findings or [])
                self.db.execute(
                    "INSERT INTO sources(run_id, path, size, mtime, sha256, kind, department, status, reason, "
                    "errors, warnings, infos, snapshot_id, findings) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (run.id, source.path, source.size, source.mtime, source.sha256, source.kind, source.department,
                     result.status, source.reason, source.errors, source.warnings, source.infos, result.snapshot_id,
                     # a snapshot keeps its findings; a source without one (rejected) keeps them here
                     findings_json(findings) if result.snapshot_id is None and findings else None),
                )
        except BaseException:
            run.id = had_id
            raise
        source.status = result.status
        return result

    def _save_snapshot(self, run: Run, source: SourceRecord, data: WorkbookData | codec.EncodedWorkbook,
                       findings: list[Finding]) -> SaveResult:
        kind = codec.snapshot_kind(data)
        department = source.department or ""
        fjson = findings_json(findings)
        cur = self.db.execute(
            "SELECT id, sha256, findings FROM snapshots WHERE kind=? AND department=? AND period=? AND is_current=1",
            (kind, department, run.period),
        ).fetchone()
        if cur is not None and cur[1] == source.sha256 and cur[2] == fjson:
            return SaveResult("unchanged", int(cur[0]))
        if isinstance(data, codec.EncodedWorkbook):
            counts = {k: t.rows for k, t in data.tables.items()}
        else:
            counts = {t.key: len(data.tables[t.key]) for t in SCHEMAS[kind].tables if t.key in data.tables}
        sid = self.db.insert(
            "INSERT INTO snapshots(run_id, kind, department, period, sha256, source_path, size, mtime, created_at, "
            "lang, info, row_counts, errors, warnings, infos, findings, is_current) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0)",
            (run.id, kind, department, run.period, source.sha256 or "", source.path, source.size or 0,
             source.mtime or "", now_iso(), data.lang, json.dumps(data.info, default=str, ensure_ascii=False),
             json.dumps(counts), source.errors, source.warnings, source.infos, fjson),
        )
        for key, table in codec.encoded_tables(data):
            if table.rows:
                self._insert_rows(data_table_name(kind, key), table.names, sid, table.values, table.rows)
            self.db.execute(
                "INSERT INTO snapshot_tables(snapshot_id, table_key, rows, columns, dtypes) VALUES (?,?,?,?,?)",
                (sid, key, table.rows, table.columns, table.dtypes),
            )
        maybe_stall()  # test hook: rows written, current pointer not yet moved, nothing committed
        if cur is not None:
            self.db.execute("UPDATE snapshots SET is_current=0, superseded_by=? WHERE id=?", (sid, cur[0]))
        self.db.execute("UPDATE snapshots SET is_current=1 WHERE id=?", (sid,))
        return SaveResult("loaded", sid, int(cur[0]) if cur is not None else None)

    def _insert_rows(self, name: str, names: list[str], sid: int, cols: list[list], n: int) -> None:
        """Insert ``n`` rows (``cols`` per column) of snapshot ``sid`` into data table ``name``, in order.

        Most rows go in ``_ROWS_PER_INSERT`` at a time through a multi-row ``VALUES`` statement, which
        costs about a third less CPU than one statement execution per row; the rest one by one. Row
        order, and so the order the store reads back in, is the same either way."""
        width = len(names) + 1
        one = f"({', '.join('?' * width)})"
        head = f"INSERT INTO {q(name)} (snapshot_id, {', '.join(q(c) for c in names)}) VALUES "
        per = min(_ROWS_PER_INSERT, self.db.max_params // width)
        done = n - n % per if per > 1 else 0
        if done:
            step = per * width
            flat = [sid] * (done * width)  # row-major: snapshot id, then each column's value
            for j, col in enumerate(cols, 1):
                flat[j::width] = col[:done] if done < n else col
            chunks = [flat[i:i + step] for i in range(0, len(flat), step)]
            self.db.executemany(head + ", ".join([one] * per), chunks)
        if done < n:
            rest = [c[done:] for c in cols] if done else cols
            self.db.executemany(head + one, zip(itertools.repeat(sid), *rest))

    def finish_run(self, run: Run, status: str, summary: dict[str, Any]) -> None:
        """``Store.finish_run``."""
        had_id = run.id
        try:
            with self.db.write():
                self._ensure_run(run)
                self.db.execute(
                    "UPDATE runs SET finished_at=?, status=?, summary=? WHERE id=?",
                    (now_iso(), status, json.dumps(summary, default=str, ensure_ascii=False, sort_keys=True), run.id),
                )
        except BaseException:
            run.id = had_id
            raise

    def revert_run(self, run_id: int) -> int:
        """``Store.revert_run``."""
        with self.db.write():
            mine = self.db.execute("SELECT id FROM snapshots WHERE run_id=? AND is_current=1 ORDER BY id",
                                   (run_id,)).fetchall()
            for (sid,) in mine:
                self.db.execute("UPDATE snapshots SET is_current=0 WHERE id=?", (sid,))
                self.db.execute("UPDATE snapshots SET is_current=1, superseded_by=NULL WHERE superseded_by=?", (sid,))
        return len(mine)

    # -- reading ----------------------------------------------------------------------------------
    def runs(self, period: str | None = None) -> list[RunInfo]:
        """``Store.runs``."""
        sql = ("SELECT id, started_at, finished_at, user, host, toolkit_version, period, command, status, summary "
               "FROM runs")
        rows = self.db.read(sql + (" WHERE period=? ORDER BY id" if period else " ORDER BY id"),
                            (period,) if period else ())
        return [RunInfo(*r[:9], json.loads(r[9]) if r[9] else {}) for r in rows]

    def sources(self, run_id: int) -> list[SourceRecord]:
        """``Store.sources``."""
        rows = self.db.read("SELECT path, size, mtime, sha256, kind, department, status, reason, errors, warnings, "
                            "infos, findings FROM sources WHERE run_id=? ORDER BY id", (run_id,))
        return [SourceRecord(*r[:11], [Finding(**d) for d in json.loads(r[11])] if r[11] else None) for r in rows]

    def run_snapshot_ids(self, run_id: int) -> list[int]:
        """``Store.run_snapshot_ids``."""
        rows = self.db.read("SELECT snapshot_id FROM sources WHERE run_id=? AND snapshot_id IS NOT NULL "
                            "AND status IN ('loaded', 'unchanged') ORDER BY id", (run_id,))
        return [int(r[0]) for r in rows]

    def migrated_at(self, version: int) -> str | None:
        """``Store.migrated_at``."""
        rows = self.db.read("SELECT applied_at FROM migrations WHERE version=?", (version,))
        return str(rows[0][0]) if rows else None

    @staticmethod
    def _info(r: tuple) -> SnapshotInfo:
        return SnapshotInfo(*r[:10], json.loads(r[10]), r[11], r[12], r[13], bool(r[14]), r[15], r[16] or "en")

    def current(self, period: str, kind: str = "department") -> list[SnapshotInfo]:
        """``Store.current``."""
        rows = self.db.read(f"SELECT {_SNAPSHOT_COLS} FROM snapshots WHERE kind=? AND period=? AND is_current=1 "
                            "ORDER BY department", (kind, period))
        return [self._info(r) for r in rows]

    def history(self, department: str | None = None, period: str | None = None,
                kind: str = "department") -> list[SnapshotInfo]:
        """``Store.history``."""
        sql, params = f"SELECT {_SNAPSHOT_COLS} FROM snapshots WHERE kind=?", [kind]
        if department is not None:
            sql, params = sql + " AND department=?", params + [department]
        if period is not None:
            sql, params = sql + " AND period=?", params + [period]
        return [self._info(r) for r in self.db.read(sql + " ORDER BY id", tuple(params))]

    def snapshot(self, snapshot_id: int) -> SnapshotInfo:
        """``Store.snapshot``."""
        rows = self.db.read(f"SELECT {_SNAPSHOT_COLS} FROM snapshots WHERE id=?", (snapshot_id,))
        if not rows:
            raise ToolkitError("store.no-snapshot", id=snapshot_id, path=self.db.url)
        return self._info(rows[0])

    def _layout(self, snapshot_id: int) -> dict[str, tuple[int, list[str], dict[str, str]]]:
        rows = self.db.read("SELECT table_key, rows, columns, dtypes FROM snapshot_tables WHERE snapshot_id=?",
                            (snapshot_id,))
        return {k: (n, json.loads(c), json.loads(d)) for k, n, c, d in rows}

    def load_snapshot(self, snapshot_id: int) -> WorkbookData:
        """``Store.load_snapshot``."""
        meta = self.db.read("SELECT kind, source_path, lang, info, findings FROM snapshots WHERE id=?",
                            (snapshot_id,))
        if not meta:
            raise ToolkitError("store.no-snapshot", id=snapshot_id, path=self.db.url)
        kind, path, lang, info, fjson = meta[0]
        layout = self._layout(snapshot_id)
        tables: dict[str, pd.DataFrame] = {}
        for table in SCHEMAS[kind].tables:
            if table.key not in layout:
                continue
            _, columns, dtypes = layout[table.key]
            names = [codec.ROW, *table.keys, codec.EXTRA]
            rows = self.db.read(f"SELECT {', '.join(q(n) for n in names)} FROM {q(data_table_name(kind, table.key))} "
                                f"WHERE snapshot_id=? ORDER BY {self.db.rowid}", (snapshot_id,))
            tables[table.key] = codec.decode(rows, names, columns, dtypes)
        findings = [Finding(**d) for d in json.loads(fjson)]
        return WorkbookData(path=path, kind=kind, lang=lang or "en", info=json.loads(info or "{}"),
                            tables=tables, findings=findings)

    def snapshot_findings(self, snapshot_id: int) -> list[Finding]:
        """``Store.snapshot_findings``."""
        rows = self.db.read("SELECT findings FROM snapshots WHERE id=?", (snapshot_id,))
        if not rows:
            raise ToolkitError("store.no-snapshot", id=snapshot_id, path=self.db.url)
        return [Finding(**d) for d in json.loads(rows[0][0])]

    def _snapshot_rows(self, snapshot_ids: list[int], table_key: str, names: list[str], kind: str,
                       chunk_rows: int) -> Iterator[tuple[str, str, dict[str, str], list[tuple]]]:
        """(department, source, recorded dtypes, SQL rows of ``names``) chunk by chunk, snapshot by snapshot."""
        sql = (f"SELECT {', '.join(q(n) for n in names)} FROM {q(data_table_name(kind, table_key))} "
               f"WHERE snapshot_id=? ORDER BY {self.db.rowid}")
        for sid in snapshot_ids:
            info = self.db.read("SELECT department, source_path FROM snapshots WHERE id=?", (sid,))
            if not info:
                raise ToolkitError("store.no-snapshot", id=sid, path=self.db.url)
            department, source = info[0]
            dtypes = self._layout(sid).get(table_key, (0, names, {}))[2]
            cursor = self.db.execute(sql, (sid,))
            while rows := cursor.fetchmany(chunk_rows):
                yield department, source, dtypes, rows

    def iter_table(self, snapshot_ids: list[int], table_key: str, kind: str = "department",
                   chunk_rows: int = 50_000) -> Iterator[pd.DataFrame]:
        """``Store.iter_table``."""
        table = SCHEMAS[kind].table(table_key)
        names = [codec.ROW, *table.keys]
        for department, source, recorded, rows in self._snapshot_rows(snapshot_ids, table_key, names, kind,
                                                                      chunk_rows):
            dtypes = {c.key: recorded.get(c.key, DTYPES[c.type]) for c in table.columns} | {
                codec.ROW: recorded.get(codec.ROW, "Int64")}
            frame = codec.decode(rows, names, names, dtypes)
            frame.insert(0, "source", pd.Series([source] * len(frame), dtype="str"))
            frame.insert(0, "department", pd.Series([department] * len(frame), dtype="str"))
            yield frame

    def iter_cells(self, snapshot_ids: list[int], table_key: str, lang: str = "en", kind: str = "department",
                   chunk_rows: int = 50_000) -> Iterator[list[list[Any]]]:
        """``Store.iter_cells``."""
        table = SCHEMAS[kind].table(table_key)
        for department, source, recorded, rows in self._snapshot_rows(snapshot_ids, table_key, table.keys, kind,
                                                                      chunk_rows):
            yield [[department] * len(rows), [source] * len(rows), *[
                codec.cell_values(values, recorded.get(c.key, DTYPES[c.type]), c.type.value, lang)
                for c, values in zip(table.columns, zip(*rows))]]

    def shared_values(self, snapshot_ids: list[int], table_key: str, column: str,
                      kind: str = "department") -> list[tuple[str, int, int]]:
        """``Store.shared_values``."""
        if len(set(snapshot_ids)) < 2:
            return []
        marks = ", ".join("?" * len(snapshot_ids))
        col = q(column)
        sql = (f"WITH t AS (SELECT lower(trim({col})) AS k, {col} AS v, snapshot_id AS s, {q(codec.ROW)} AS r, "
               f"{self.db.rowid} AS o FROM {q(data_table_name(kind, table_key))} WHERE snapshot_id IN ({marks}) "
               f"AND {col} IS NOT NULL AND trim({col}) <> '') "
               "SELECT v, s, r FROM t WHERE k IN (SELECT k FROM t GROUP BY k HAVING COUNT(DISTINCT s) > 1) "
               "ORDER BY s, o")
        return [(str(v), int(sid), int(r) if r is not None else 0)
                for v, sid, r in self.db.read(sql, tuple(snapshot_ids))]

    def count_rows(self, snapshot_ids: list[int], table_key: str, kind: str = "department") -> int:
        """``Store.count_rows``."""
        if not snapshot_ids:
            return 0
        marks = ", ".join("?" * len(snapshot_ids))
        rows = self.db.read(f"SELECT coalesce(sum(rows), 0) FROM snapshot_tables WHERE table_key=? "
                            f"AND snapshot_id IN ({marks})", (table_key, *snapshot_ids))
        return int(rows[0][0])
