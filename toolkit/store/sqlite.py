"""The SQLite history store: one file, WAL journal, a busy timeout, one transaction per snapshot.

Snapshot rows live in one typed table per schema table (``dept_Contracts``, ``std_Roster`` …);
``snapshot_tables`` records each frame's column order and dtypes so loading gives back the same frame.
"""

from __future__ import annotations

import itertools
import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

try:
    import fcntl  # POSIX file locks for the close lock; Windows has none (below)
    msvcrt = None
except ImportError:  # Windows: byte-range locks instead
    fcntl = None  # type: ignore[assignment]
    import msvcrt  # type: ignore[no-redef]

from .. import __version__
from ..core.findings import Finding
from ..core.tables import WorkbookData
from ..errors import ToolkitError
from ..schema import DTYPES
from . import codec
from .base import (
    ADJUSTMENT_COLUMNS,
    APPROVAL_DECISION_FIELDS,
    APPROVAL_ITEM_FIELDS,
    FINANCE_LINE_COLUMNS,
    PAYMENT_COLUMNS,
    CloseInfo,
    CloseRecord,
    Run,
    RunInfo,
    SaveResult,
    SnapshotInfo,
    SourceRecord,
    Store,
    current_user,
    now_iso,
)
from .migrations import (
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    SCHEMAS,
    SQL_TYPES,
    data_table_ddl,
    data_table_name,
    q,
    result_table_name,
)

#: Test hook: when set to a file path, the Nth new snapshot of the process (TOOLKIT_STORE_STALL_AT, default 1)
#: creates that file and sleeps (TOOLKIT_STORE_STALL_SECONDS, default 60) inside its transaction, after
#: its rows are written and before it becomes current and commits. With TOOLKIT_STORE_STALL_RELEASE set to
#: another path, the stall ends as soon as that file exists (the seconds are then only a watchdog).
STALL_ENV = "TOOLKIT_STORE_STALL"


_SNAPSHOT_COLS = ("id, run_id, kind, department, period, sha256, source_path, size, mtime, created_at, "
                  "row_counts, errors, warnings, infos, is_current, superseded_by, lang")

_CLOSE_COLS = ("id, period, year, month, version, closed_at, user, host, toolkit_version, run_id, departments, "
               "not_consolidated, outputs, notes, status, superseded_by")

_stall_count = 0

#: Rows per multi-row INSERT of snapshot data (fewer statement executions; see ``_insert_rows``).
_ROWS_PER_INSERT = 64


def _is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {"code": f.code, "severity": f.severity, "sheet": f.sheet, "cell": f.cell, "row": f.row,
            "column": f.column, "value": f.value, "file": f.file, "params": f.params}


def findings_json(findings: list[Finding]) -> str:
    """Findings as stored: deterministic JSON (so equal findings compare equal)."""
    return json.dumps([_finding_dict(f) for f in findings], sort_keys=True, default=str, ensure_ascii=False)


class SQLiteStore(Store):
    """A ``Store`` in one SQLite file."""

    def __init__(self, path: str | Path, timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        self.timeout = timeout
        if self.path.exists() and self.path.stat().st_size > 0:
            with open(self.path, "rb") as fh:
                if fh.read(16) != b"SQLite format 3\x00":
                    raise ToolkitError("store.not-a-store", path=str(self.path), detail="not an SQLite database")
        elif not self.path.parent.exists():
            raise ToolkitError("store.cannot-open", path=str(self.path), detail="the folder does not exist")
        try:
            self.conn = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None)
            self.conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            self._setup()
        except sqlite3.DatabaseError as exc:
            if _is_busy(exc):
                raise ToolkitError("store.busy", path=str(self.path)) from exc
            raise ToolkitError("store.cannot-open", path=str(self.path), detail=str(exc)) from exc

    # -- opening, versions and migrations -------------------------------------------------------
    def _setup(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id not in (0, APPLICATION_ID):
            raise ToolkitError("store.not-a-store", path=str(self.path), detail=f"application id {app_id:#x}")
        if version > SCHEMA_VERSION:
            raise ToolkitError("store.newer", path=str(self.path), found=version, supported=SCHEMA_VERSION)
        if version == 0 and app_id == 0:
            n = self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if n:
                raise ToolkitError("store.not-a-store", path=str(self.path), detail="it holds other tables")
        mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":  # e.g. a network file system; still correct, just less concurrent
            pass
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.conn.execute("PRAGMA foreign_keys = ON")
        if version < SCHEMA_VERSION or self._missing_columns():
            with self._write():
                version = self.conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have won
                if version > SCHEMA_VERSION:
                    raise ToolkitError("store.newer", path=str(self.path), found=version, supported=SCHEMA_VERSION)
                for migration in MIGRATIONS:
                    if migration.version > version:
                        migration.apply(self.conn)
                        self.conn.execute(
                            "INSERT INTO migrations(version, name, applied_at, toolkit_version) VALUES (?,?,?,?)",
                            (migration.version, migration.name, now_iso(), __version__),
                        )
                self._ensure_data_tables()
                self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def _missing_columns(self) -> bool:
        for kind, schema in SCHEMAS.items():
            for table in schema.tables:
                have = {r[1] for r in self.conn.execute(f"PRAGMA table_info({q(data_table_name(kind, table.key))})")}
                if not have or set(table.keys) - have:
                    return True
        return False

    def _ensure_data_tables(self) -> None:
        """Create missing data tables and add columns the schema gained (additive, idempotent)."""
        for kind, schema in SCHEMAS.items():
            for table in schema.tables:
                name = data_table_name(kind, table.key)
                for statement in data_table_ddl(kind, table):
                    self.conn.execute(statement)
                have = {r[1] for r in self.conn.execute(f"PRAGMA table_info({q(name)})")}
                for col in table.columns:
                    if col.key not in have:
                        self.conn.execute(f"ALTER TABLE {q(name)} ADD COLUMN {q(col.key)} {SQL_TYPES[col.type]}")

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so a busy store fails or waits early."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise ToolkitError("store.busy", path=str(self.path)) from exc
            raise
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if _is_busy(exc):
                raise ToolkitError("store.busy", path=str(self.path)) from exc
            raise

    # -- writing ----------------------------------------------------------------------------------
    def new_run(self, period: str, command: str) -> Run:
        return Run(period=period, command=command)

    def _ensure_run(self, run: Run) -> None:
        if run.id is None:
            cur = self.conn.execute(
                "INSERT INTO runs(started_at, user, host, toolkit_version, period, command) VALUES (?,?,?,?,?,?)",
                (run.started_at, run.user, run.host, __version__, run.period, run.command),
            )
            run.id = int(cur.lastrowid)

    def record(self, run: Run, source: SourceRecord, data: WorkbookData | codec.EncodedWorkbook | None = None,
               findings: list[Finding] | None = None) -> SaveResult:
        had_id = run.id
        try:
            with self._write():
                self._ensure_run(run)
                result = SaveResult(source.status, None)
                if data is not None:
                    result = self._save_snapshot(run, source, data, findings or [])
                self.conn.execute(
                    "INSERT INTO sources(run_id, path, size, mtime, sha256, kind, department, status, reason, "
                    "errors, warnings, infos, snapshot_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (run.id, source.path, source.size, source.mtime, source.sha256, source.kind, source.department,
                     result.status, source.reason, source.errors, source.warnings, source.infos, result.snapshot_id),
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
        cur = self.conn.execute(
            "SELECT id, sha256, findings FROM snapshots WHERE kind=? AND department=? AND period=? AND is_current=1",
            (kind, department, run.period),
        ).fetchone()
        if cur is not None and cur[1] == source.sha256 and cur[2] == fjson:
            return SaveResult("unchanged", int(cur[0]))
        if isinstance(data, codec.EncodedWorkbook):
            counts = {k: t.rows for k, t in data.tables.items()}
        else:
            counts = {t.key: len(data.tables[t.key]) for t in SCHEMAS[kind].tables if t.key in data.tables}
        sid = int(self.conn.execute(
            "INSERT INTO snapshots(run_id, kind, department, period, sha256, source_path, size, mtime, created_at, "
            "lang, info, row_counts, errors, warnings, infos, findings, is_current) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0)",
            (run.id, kind, department, run.period, source.sha256 or "", source.path, source.size or 0,
             source.mtime or "", now_iso(), data.lang, json.dumps(data.info, default=str, ensure_ascii=False),
             json.dumps(counts), source.errors, source.warnings, source.infos, fjson),
        ).lastrowid)
        for key, table in codec.encoded_tables(data):
            if table.rows:
                self._insert_rows(data_table_name(kind, key), table.names, sid, table.values, table.rows)
            self.conn.execute(
                "INSERT INTO snapshot_tables(snapshot_id, table_key, rows, columns, dtypes) VALUES (?,?,?,?,?)",
                (sid, key, table.rows, table.columns, table.dtypes),
            )
        _maybe_stall()  # test hook: rows written, current pointer not yet moved, nothing committed
        if cur is not None:
            self.conn.execute("UPDATE snapshots SET is_current=0, superseded_by=? WHERE id=?", (sid, cur[0]))
        self.conn.execute("UPDATE snapshots SET is_current=1 WHERE id=?", (sid,))
        return SaveResult("loaded", sid, int(cur[0]) if cur is not None else None)

    def _insert_rows(self, name: str, names: list[str], sid: int, cols: list[list], n: int) -> None:
        """Insert ``n`` rows (``cols`` per column) of snapshot ``sid`` into data table ``name``, in order.

        Most rows go in ``_ROWS_PER_INSERT`` at a time through a multi-row ``VALUES`` statement, which
        costs about a third less CPU than one statement execution per row; the rest one by one. Row
        order, and so the rowids the store reads back in, is the same either way."""
        width = len(names) + 1
        one = f"({', '.join('?' * width)})"
        head = f"INSERT INTO {q(name)} (snapshot_id, {', '.join(q(c) for c in names)}) VALUES "
        per = min(_ROWS_PER_INSERT, self.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width)
        done = n - n % per if per > 1 else 0
        if done:
            step = per * width
            flat = [sid] * (done * width)  # row-major: snapshot id, then each column's value
            for j, col in enumerate(cols, 1):
                flat[j::width] = col[:done] if done < n else col
            chunks = [flat[i:i + step] for i in range(0, len(flat), step)]
            self.conn.executemany(head + ", ".join([one] * per), chunks)
        if done < n:
            rest = [c[done:] for c in cols] if done else cols
            self.conn.executemany(head + one, zip(itertools.repeat(sid), *rest))

    def finish_run(self, run: Run, status: str, summary: dict[str, Any]) -> None:
        had_id = run.id
        try:
            with self._write():
                self._ensure_run(run)
                self.conn.execute(
                    "UPDATE runs SET finished_at=?, status=?, summary=? WHERE id=?",
                    (now_iso(), status, json.dumps(summary, default=str, ensure_ascii=False, sort_keys=True), run.id),
                )
        except BaseException:
            run.id = had_id
            raise

    def revert_run(self, run_id: int) -> int:
        with self._write():
            mine = self.conn.execute("SELECT id FROM snapshots WHERE run_id=? AND is_current=1", (run_id,)).fetchall()
            for (sid,) in mine:
                self.conn.execute("UPDATE snapshots SET is_current=0 WHERE id=?", (sid,))
                self.conn.execute("UPDATE snapshots SET is_current=1, superseded_by=NULL WHERE superseded_by=?",
                                  (sid,))
        return len(mine)

    # -- reading ----------------------------------------------------------------------------------
    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise ToolkitError("store.busy", path=str(self.path)) from exc
            raise

    def runs(self, period: str | None = None) -> list[RunInfo]:
        sql = ("SELECT id, started_at, finished_at, user, host, toolkit_version, period, command, status, summary "
               "FROM runs")
        rows = self._read(sql + (" WHERE period=? ORDER BY id" if period else " ORDER BY id"),
                          (period,) if period else ())
        return [RunInfo(*r[:9], json.loads(r[9]) if r[9] else {}) for r in rows]

    def sources(self, run_id: int) -> list[SourceRecord]:
        rows = self._read("SELECT path, size, mtime, sha256, kind, department, status, reason, errors, warnings, "
                          "infos FROM sources WHERE run_id=? ORDER BY id", (run_id,))
        return [SourceRecord(*r) for r in rows]

    def run_snapshot_ids(self, run_id: int) -> list[int]:
        rows = self._read("SELECT snapshot_id FROM sources WHERE run_id=? AND snapshot_id IS NOT NULL "
                          "AND status IN ('loaded', 'unchanged') ORDER BY id", (run_id,))
        return [int(r[0]) for r in rows]

    def migrated_at(self, version: int) -> str | None:
        rows = self._read("SELECT applied_at FROM migrations WHERE version=?", (version,))
        return str(rows[0][0]) if rows else None

    @staticmethod
    def _info(r: tuple) -> SnapshotInfo:
        return SnapshotInfo(*r[:10], json.loads(r[10]), r[11], r[12], r[13], bool(r[14]), r[15], r[16] or "en")

    def current(self, period: str, kind: str = "department") -> list[SnapshotInfo]:
        rows = self._read(f"SELECT {_SNAPSHOT_COLS} FROM snapshots WHERE kind=? AND period=? AND is_current=1 "
                          "ORDER BY department", (kind, period))
        return [self._info(r) for r in rows]

    def history(self, department: str | None = None, period: str | None = None,
                kind: str = "department") -> list[SnapshotInfo]:
        sql, params = f"SELECT {_SNAPSHOT_COLS} FROM snapshots WHERE kind=?", [kind]
        if department is not None:
            sql, params = sql + " AND department=?", params + [department]
        if period is not None:
            sql, params = sql + " AND period=?", params + [period]
        return [self._info(r) for r in self._read(sql + " ORDER BY id", tuple(params))]

    def snapshot(self, snapshot_id: int) -> SnapshotInfo:
        rows = self._read(f"SELECT {_SNAPSHOT_COLS} FROM snapshots WHERE id=?", (snapshot_id,))
        if not rows:
            raise ToolkitError("store.no-snapshot", id=snapshot_id, path=str(self.path))
        return self._info(rows[0])

    def _layout(self, snapshot_id: int) -> dict[str, tuple[int, list[str], dict[str, str]]]:
        rows = self._read("SELECT table_key, rows, columns, dtypes FROM snapshot_tables WHERE snapshot_id=?",
                          (snapshot_id,))
        return {k: (n, json.loads(c), json.loads(d)) for k, n, c, d in rows}

    def load_snapshot(self, snapshot_id: int) -> WorkbookData:
        meta = self._read("SELECT kind, source_path, lang, info, findings FROM snapshots WHERE id=?", (snapshot_id,))
        if not meta:
            raise ToolkitError("store.no-snapshot", id=snapshot_id, path=str(self.path))
        kind, path, lang, info, fjson = meta[0]
        layout = self._layout(snapshot_id)
        tables: dict[str, pd.DataFrame] = {}
        for table in SCHEMAS[kind].tables:
            if table.key not in layout:
                continue
            _, columns, dtypes = layout[table.key]
            names = [codec.ROW, *table.keys, codec.EXTRA]
            rows = self._read(f"SELECT {', '.join(q(n) for n in names)} FROM {q(data_table_name(kind, table.key))} "
                              "WHERE snapshot_id=? ORDER BY rowid", (snapshot_id,))
            tables[table.key] = codec.decode(rows, names, columns, dtypes)
        findings = [Finding(**d) for d in json.loads(fjson)]
        return WorkbookData(path=path, kind=kind, lang=lang or "en", info=json.loads(info or "{}"),
                            tables=tables, findings=findings)

    def snapshot_findings(self, snapshot_id: int) -> list[Finding]:
        rows = self._read("SELECT findings FROM snapshots WHERE id=?", (snapshot_id,))
        if not rows:
            raise ToolkitError("store.no-snapshot", id=snapshot_id, path=str(self.path))
        return [Finding(**d) for d in json.loads(rows[0][0])]

    def _snapshot_rows(self, snapshot_ids: list[int], table_key: str, names: list[str], kind: str,
                       chunk_rows: int) -> Iterator[tuple[str, str, dict[str, str], list[tuple]]]:
        """(department, source, recorded dtypes, SQL rows of ``names``) chunk by chunk, snapshot by snapshot."""
        sql = (f"SELECT {', '.join(q(n) for n in names)} FROM {q(data_table_name(kind, table_key))} "
               "WHERE snapshot_id=? ORDER BY rowid")
        for sid in snapshot_ids:
            info = self._read("SELECT department, source_path FROM snapshots WHERE id=?", (sid,))
            if not info:
                raise ToolkitError("store.no-snapshot", id=sid, path=str(self.path))
            department, source = info[0]
            dtypes = self._layout(sid).get(table_key, (0, names, {}))[2]
            cursor = self.conn.execute(sql, (sid,))
            while rows := cursor.fetchmany(chunk_rows):
                yield department, source, dtypes, rows

    def iter_table(self, snapshot_ids: list[int], table_key: str, kind: str = "department",
                   chunk_rows: int = 50_000) -> Iterator[pd.DataFrame]:
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
        table = SCHEMAS[kind].table(table_key)
        for department, source, recorded, rows in self._snapshot_rows(snapshot_ids, table_key, table.keys, kind,
                                                                      chunk_rows):
            yield [[department] * len(rows), [source] * len(rows), *[
                codec.cell_values(values, recorded.get(c.key, DTYPES[c.type]), c.type.value, lang)
                for c, values in zip(table.columns, zip(*rows))]]

    def shared_values(self, snapshot_ids: list[int], table_key: str, column: str,
                      kind: str = "department") -> list[tuple[str, int, int]]:
        if len(set(snapshot_ids)) < 2:
            return []
        marks = ", ".join("?" * len(snapshot_ids))
        col = q(column)
        sql = (f"WITH t AS (SELECT lower(trim({col})) AS k, {col} AS v, snapshot_id AS s, {q(codec.ROW)} AS r "
               f"FROM {q(data_table_name(kind, table_key))} WHERE snapshot_id IN ({marks}) "
               f"AND {col} IS NOT NULL AND trim({col}) <> '') "
               "SELECT v, s, r FROM t WHERE k IN (SELECT k FROM t GROUP BY k HAVING COUNT(DISTINCT s) > 1)")
        return [(str(v), int(sid), int(r) if r is not None else 0)
                for v, sid, r in self._read(sql, tuple(snapshot_ids))]

    def count_rows(self, snapshot_ids: list[int], table_key: str, kind: str = "department") -> int:
        if not snapshot_ids:
            return 0
        marks = ", ".join("?" * len(snapshot_ids))
        rows = self._read(f"SELECT coalesce(sum(rows), 0) FROM snapshot_tables WHERE table_key=? "
                          f"AND snapshot_id IN ({marks})", (table_key, *snapshot_ids))
        return int(rows[0][0])

    # -- the payout ledger ------------------------------------------------------------------------
    def next_close_version(self, period: str) -> int:
        rows = self._read("SELECT coalesce(max(version), 0) FROM closes WHERE period=?", (period,))
        return int(rows[0][0]) + 1

    def record_close(self, close: CloseRecord, payments: pd.DataFrame, adjustments: pd.DataFrame,
                     results: dict[str, pd.DataFrame], reopen: bool = False,
                     based_on: list[int] | None = None) -> CloseInfo:
        year, month = int(close.period[:4]), int(close.period[5:7])
        with self._write():
            if based_on is not None:  # the history it was computed against must still be the history
                now = [int(r[0]) for r in self.conn.execute("SELECT id FROM closes WHERE status='current' ORDER BY id")]
                if now != sorted(int(i) for i in based_on):
                    changed = self.conn.execute(
                        "SELECT period, closed_at FROM closes WHERE status='current' ORDER BY id DESC LIMIT 1").fetchone()
                    raise ToolkitError("close.history-changed", period=close.period,
                                       other=changed[0] if changed else "-", closed_at=changed[1] if changed else "-")
            later = self.conn.execute("SELECT period FROM closes WHERE status='current' AND period > ? "
                                      "ORDER BY period DESC LIMIT 1", (close.period,)).fetchone()
            if later is not None:
                raise ToolkitError("close.later-closed", period=close.period, later=later[0])
            cur = self.conn.execute("SELECT id, version, closed_at FROM closes WHERE status='current' AND period=?",
                                    (close.period,)).fetchone()
            if cur is not None and not reopen:
                raise ToolkitError("close.already-closed", period=close.period, version=cur[1], closed_at=cur[2])
            version = int(self.conn.execute("SELECT coalesce(max(version), 0) FROM closes WHERE period=?",
                                            (close.period,)).fetchone()[0]) + 1
            if cur is not None:  # the unique index allows one current version: step the old one aside first
                self.conn.execute("UPDATE closes SET status='superseded' WHERE id=?", (cur[0],))
            cid = int(self.conn.execute(
                "INSERT INTO closes(period, year, month, version, closed_at, user, host, toolkit_version, run_id, "
                "departments, not_consolidated, outputs, notes, status) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,'current')",
                (close.period, year, month, version, now_iso(), close.user, close.host, __version__, close.run_id,
                 _j(close.departments), _j(close.not_consolidated), _j(close.outputs), _j(close.notes)),
            ).lastrowid)
            if cur is not None:
                self.conn.execute("UPDATE closes SET superseded_by=? WHERE id=?", (cid, cur[0]))
            self.conn.executemany("INSERT INTO close_snapshots(close_id, snapshot_id) VALUES (?, ?)",
                                  [(cid, int(i)) for i in sorted(set(close.snapshot_ids))])
            self._insert_frame("payments", cid, payments, PAYMENT_COLUMNS)
            self._insert_frame("adjustments", cid, adjustments, ADJUSTMENT_COLUMNS)
            for name, frame in results.items():
                self._store_frame(result_table_name(name), cid, frame)
            _maybe_stall()  # test hook: everything written, nothing committed
        return self.close_info(cid)

    def _insert_frame(self, table: str, close_id: int, frame: pd.DataFrame, columns: tuple[str, ...]) -> None:
        """Rows of ``frame`` (the listed columns it has; the others take their defaults) into a ledger table."""
        if frame is None or not len(frame):
            return
        columns = tuple(c for c in columns if c in frame.columns)
        values = [_sql_values(frame[c]) for c in columns]
        sql = (f"INSERT INTO {q(table)} (close_id, {', '.join(q(c) for c in columns)}) "
               f"VALUES ({', '.join('?' * (len(columns) + 1))})")
        self.conn.executemany(sql, zip(itertools.repeat(close_id), *values))

    def _store_frame(self, table: str, close_id: int, frame: pd.DataFrame) -> None:
        """A result frame into its typed table, adding the columns it has that the table lacks."""
        if frame is None or not len(frame):
            return
        have = {r[1] for r in self.conn.execute(f"PRAGMA table_info({q(table)})")}
        for col in frame.columns:
            if str(col) not in have:
                self.conn.execute(f"ALTER TABLE {q(table)} ADD COLUMN {q(str(col))} {_sql_type(frame[col])}")
        names = [str(c) for c in frame.columns]
        values = [_sql_values(frame[c]) for c in frame.columns]
        sql = (f"INSERT INTO {q(table)} (close_id, {', '.join(q(c) for c in names)}) "
               f"VALUES ({', '.join('?' * (len(names) + 1))})")
        self.conn.executemany(sql, zip(itertools.repeat(close_id), *values))

    def _close(self, r: tuple) -> CloseInfo:
        sids = [int(x[0]) for x in self._read("SELECT snapshot_id FROM close_snapshots WHERE close_id=? "
                                               "ORDER BY snapshot_id", (r[0],))]
        return CloseInfo(r[0], r[1], r[2], r[3], r[4], r[5], r[6] or "", r[7] or "", r[8], r[9], sids,
                         json.loads(r[10]), json.loads(r[11]), json.loads(r[12]), json.loads(r[13]), r[14], r[15])

    def closes(self, period: str | None = None, year: int | None = None,
               current_only: bool = False) -> list[CloseInfo]:
        sql, params = f"SELECT {_CLOSE_COLS} FROM closes WHERE 1=1", []
        if period is not None:
            sql, params = sql + " AND period=?", params + [period]
        if year is not None:
            sql, params = sql + " AND year=?", params + [year]
        if current_only:
            sql += " AND status='current'"
        return [self._close(r) for r in self._read(sql + " ORDER BY id", tuple(params))]

    def close_info(self, close_id: int) -> CloseInfo:
        rows = self._read(f"SELECT {_CLOSE_COLS} FROM closes WHERE id=?", (close_id,))
        if not rows:
            raise ToolkitError("close.no-close", id=close_id, path=str(self.path))
        return self._close(rows[0])

    def _ledger_rows(self, table: str, columns: tuple[str, ...], where: list[tuple[str, Any]],
                     current_only: bool) -> pd.DataFrame:
        sql = (f"SELECT t.close_id, c.period AS close_period, c.version AS close_version, "
               f"{', '.join('t.' + q(c) for c in columns)} FROM {q(table)} t JOIN closes c ON c.id = t.close_id "
               "WHERE 1=1")
        params: list[Any] = []
        for cond, value in where:
            if value is not None:
                sql, params = sql + f" AND {cond}", params + [value]
        if current_only:
            sql += " AND c.status='current'"
        rows = self._read(sql + " ORDER BY c.period, t.close_id, t.id", tuple(params))
        return pd.DataFrame(rows, columns=["close_id", "close_period", "close_version", *columns])

    def payments(self, year: int | None = None, employee_id: str | None = None, close_id: int | None = None,
                 current_only: bool = True) -> pd.DataFrame:
        return self._ledger_rows("payments", PAYMENT_COLUMNS, [("t.year=?", year), ("t.employee_id=?", employee_id),
                                                               ("t.close_id=?", close_id)],
                                 current_only and close_id is None)

    def adjustments(self, close_id: int | None = None, year: int | None = None,
                    employee_id: str | None = None, current_only: bool = True) -> pd.DataFrame:
        return self._ledger_rows("adjustments", ADJUSTMENT_COLUMNS, [
            ("t.close_id=?", close_id), ("t.year=?", year), ("t.employee_id=?", employee_id)],
            current_only and close_id is None)

    def close_results(self, close_id: int, name: str) -> pd.DataFrame:
        table = q(result_table_name(name))
        cols = [r[1] for r in self.conn.execute(f"PRAGMA table_info({table})") if r[1] != "close_id"]
        rows = self._read(f"SELECT {', '.join(q(c) for c in cols) or 'NULL'} FROM {table} WHERE close_id=? "
                          "ORDER BY rowid", (close_id,))
        return pd.DataFrame(rows, columns=cols) if cols else pd.DataFrame()

    @contextmanager
    def close_lock(self, period: str) -> Iterator[None]:
        lock_path = self.path.with_name(self.path.name + ".close-lock")
        info_path = self.path.with_name(self.path.name + ".close-lock.json")
        try:
            handle = open(lock_path, "a+b")
        except OSError as exc:
            raise ToolkitError("store.cannot-open", path=str(lock_path), detail=str(exc)) from exc
        try:
            if not _try_lock(handle):
                try:
                    held = json.loads(info_path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    held = {}
                raise ToolkitError("close.running", period=held.get("period", "?"), since=held.get("since", "?"),
                                   user=held.get("user", "?"), host=held.get("host", "?"), path=str(self.path))
            try:
                info_path.write_text(json.dumps({"period": period, "since": now_iso(), "user": current_user(),
                                                 "host": socket.gethostname(), "pid": os.getpid()}), encoding="utf-8")
                yield
            finally:
                try:
                    info_path.unlink()
                except OSError:
                    pass
                _unlock(handle)
        finally:
            handle.close()

    # -- the approval audit trail -------------------------------------------------------------------
    def record_decisions(self, decisions: list[dict[str, Any]]) -> int:
        fields = APPROVAL_DECISION_FIELDS
        rows = [tuple({"decided_at": now_iso(), "user": current_user(), **d}.get(f) for f in fields) for d in decisions]
        if not rows:
            return 0
        with self._write():
            self.conn.executemany(f"INSERT INTO approval_decisions({', '.join(fields)}) VALUES "
                                  f"({', '.join('?' * len(fields))})", rows)
        return len(rows)

    def approval_decisions(self, department: str | None = None, employee_id: str | None = None,
                           decision: str | None = None) -> list[dict[str, Any]]:
        where, params = [], []
        for col, value in (("department", department), ("employee_id", employee_id), ("decision", decision)):
            if value is not None:
                where.append(f"{col} = ?")
                params.append(value)
        sql = f"SELECT {', '.join(APPROVAL_DECISION_FIELDS)} FROM approval_decisions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [dict(zip(APPROVAL_DECISION_FIELDS, r)) for r in self._read(sql + " ORDER BY id", tuple(params))]

    def approval_items(self, departments: list[str] | None = None) -> dict[tuple[str, str, str], dict[str, Any]]:
        sql = f"SELECT {', '.join(APPROVAL_ITEM_FIELDS)} FROM approval_items"
        params: tuple = ()
        if departments is not None:
            sql += f" WHERE department IN ({', '.join('?' * len(departments))})"
            params = tuple(departments)
        out = {}
        for r in self._read(sql, params):
            rec = dict(zip(APPROVAL_ITEM_FIELDS, r))
            rec["item_values"] = json.loads(rec["item_values"]) if rec["item_values"] else {}
            out[(rec["department"], rec["kind"], rec["item"])] = rec
        return out

    def save_approval_items(self, items: list[dict[str, Any]]) -> int:
        if not items:
            return 0
        fields = APPROVAL_ITEM_FIELDS
        now = now_iso()
        rows = []
        for d in items:
            rec = {"first_seen": now, "changed_at": now, "forwarded": 0, **d}
            rec["item_values"] = _j(rec.get("item_values") or {})
            rows.append(tuple(rec.get(f) for f in fields))
        updates = ", ".join(f"{f}=excluded.{f}" for f in fields if f not in ("department", "kind", "item", "first_seen"))
        with self._write():
            self.conn.executemany(f"INSERT INTO approval_items({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))}) "
                                  f"ON CONFLICT(department, kind, item) DO UPDATE SET {updates}", rows)
        return len(rows)
    # -- money leaving the toolkit: states, finance lines, paid confirmations ---------------------------
    def record_close_event(self, close_id: int, state: str, by_name: str | None = None,
                           detail: dict[str, Any] | None = None) -> dict[str, Any]:
        event = {"state": state, "at": now_iso(), "user": current_user(), "host": socket.gethostname(),
                 "by_name": by_name, "detail": detail or {}}
        with self._write():
            row = self.conn.execute("SELECT status FROM closes WHERE id=?", (close_id,)).fetchone()
            if row is None:
                raise ToolkitError("close.no-close", id=close_id, path=str(self.path))
            if state == "approved":
                if row[0] != "current":
                    raise ToolkitError("finance.superseded", id=close_id)
                done = self.conn.execute("SELECT at, coalesce(by_name, user) FROM close_events WHERE close_id=? AND "
                                         "state='approved'", (close_id,)).fetchone()
                if done is not None:
                    raise ToolkitError("finance.already-approved", at=done[0], by=done[1] or "")
            self.conn.execute("INSERT INTO close_events(close_id, state, at, user, host, by_name, detail) "
                              "VALUES (?,?,?,?,?,?,?)", (close_id, state, event["at"], event["user"], event["host"],
                                                        by_name, _j(event["detail"])))
        return event

    def close_events(self, close_id: int) -> list[dict[str, Any]]:
        rows = self._read("SELECT state, at, user, host, by_name, detail FROM close_events WHERE close_id=? "
                          "ORDER BY id", (close_id,))
        return [{"state": r[0], "at": r[1], "user": r[2] or "", "host": r[3] or "", "by_name": r[4],
                 "detail": json.loads(r[5] or "{}")} for r in rows]

    def record_finance_lines(self, close_id: int, lines: pd.DataFrame) -> int:
        if lines is None or not len(lines):
            return 0
        columns = tuple(c for c in FINANCE_LINE_COLUMNS if c in lines.columns)
        values = [_sql_values(lines[c]) for c in columns]
        sql = (f"INSERT OR IGNORE INTO finance_lines (close_id, {', '.join(q(c) for c in columns)}) "
               f"VALUES ({', '.join('?' * (len(columns) + 1))})")
        with self._write():
            before = self.conn.total_changes
            self.conn.executemany(sql, zip(itertools.repeat(close_id), *values))
            return self.conn.total_changes - before

    def finance_lines(self, close_id: int | None = None, employee_id: str | None = None) -> pd.DataFrame:
        sql = (f"SELECT f.close_id, c.period, c.version, {', '.join('f.' + q(c) for c in FINANCE_LINE_COLUMNS)} "
               "FROM finance_lines f JOIN closes c ON c.id = f.close_id WHERE 1=1")
        params: list[Any] = []
        if close_id is not None:
            sql, params = sql + " AND f.close_id=?", params + [close_id]
        else:
            sql += " AND c.status='current'"
        if employee_id is not None:
            sql, params = sql + " AND f.employee_id=?", params + [employee_id]
        rows = self._read(sql + " ORDER BY c.period, f.id", tuple(params))
        return pd.DataFrame(rows, columns=["close_id", "close_period", "close_version", *FINANCE_LINE_COLUMNS])

    def mark_paid(self, close_id: int, paid: dict[str, str], source: str) -> int:
        at, user = now_iso(), current_user()
        with self._write():
            before = self.conn.total_changes
            self.conn.executemany(
                "UPDATE finance_lines SET paid_date=?, confirmed_at=?, confirmed_by=?, confirmed_from=? "
                "WHERE close_id=? AND line_id=? AND paid_date IS NULL",
                [(date, at, user, source, close_id, line) for line, date in sorted(paid.items())])
            return self.conn.total_changes - before

    def close(self) -> None:
        self.conn.close()


def _j(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)


def _sql_type(s: pd.Series) -> str:
    """The SQL type of a result column, from its dtype (dates are ISO text, booleans 0/1)."""
    kind = getattr(s.dtype, "kind", "O")
    if kind in "iub" or str(s.dtype) in ("Int64", "boolean"):
        return "INTEGER"
    if kind == "f" or str(s.dtype) == "Float64":
        return "REAL"
    return "TEXT"


def _sql_values(s: pd.Series) -> list[Any]:
    """A column as plain Python values for sqlite3: NaN/NA -> None, dates -> ISO text, numpy scalars unboxed."""
    if getattr(s.dtype, "kind", "O") == "M":
        text = s.dt.strftime("%Y-%m-%d").astype(object)
        return [None if pd.isna(v) else v for v in text.where(s.notna(), None)]
    out = []
    for v in s.astype(object).tolist():
        if v is None or (not isinstance(v, (str, bytes, list, dict)) and pd.isna(v)):
            out.append(None)
        elif isinstance(v, (bool,)):
            out.append(int(v))
        elif isinstance(v, pd.Timestamp):
            out.append(v.strftime("%Y-%m-%d"))
        elif hasattr(v, "item"):
            out.append(v.item())
        elif isinstance(v, (str, int, float)):
            out.append(v)
        else:
            out.append(str(v))
    return out


def _try_lock(handle: Any) -> bool:
    """Take an exclusive lock on an open file without waiting (released when the process ends)."""
    try:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # Windows
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        return True
    except OSError:
        return False


def _unlock(handle: Any) -> None:
    try:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        else:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    except OSError:
        pass


def _maybe_stall() -> None:
    """The reliability tests' hook: stall inside the Nth snapshot transaction (see ``STALL_ENV``)."""
    global _stall_count
    marker = os.environ.get(STALL_ENV)
    if not marker:
        return
    _stall_count += 1
    if _stall_count != int(os.environ.get("TOOLKIT_STORE_STALL_AT", "1")):
        return
    Path(marker).write_text(str(os.getpid()))
    end = time.monotonic() + float(os.environ.get("TOOLKIT_STORE_STALL_SECONDS", "60"))
    release = os.environ.get("TOOLKIT_STORE_STALL_RELEASE")
    while time.monotonic() < end and not (release and Path(release).exists()):
        time.sleep(0.05)
