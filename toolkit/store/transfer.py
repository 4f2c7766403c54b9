"""A whole history from one store to another (SQLite <-> PostgreSQL), verified; and a store's health check.

``copy_history`` copies every table row for row, ids kept, in one transaction on the target (an interrupted copy
leaves the target as it was), then reads both stores again and compares each table's row count and checksum (a
SHA-256 over its rows in order, values in one canonical text). ``check_store`` reports the schema version, each
table's rows, and what is wrong: the database's own check (SQLite ``integrity_check`` and ``foreign_key_check``),
rows whose parent is missing, and more than one current snapshot or close where one is allowed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ..errors import ToolkitError
from .db import Database
from .migrations import SCHEMA_VERSION, q
from .sqlstore import SQLStore

#: The tables of the migrations, parents before children (data and result tables follow, by name).
ORDER = ("migrations", "runs", "snapshots", "snapshot_tables", "sources", "closes", "close_snapshots", "payments",
         "adjustments", "close_events", "finance_lines", "approval_decisions", "approval_items")
#: Columns that point at a row of their own table (copied in a second pass, once every row exists).
SELF_REFERENCES = {"snapshots": "superseded_by", "closes": "superseded_by"}
#: Tables a backend keeps for itself (the schema version, the close lock), not part of the history.
INTERNAL = ("toolkit_meta", "toolkit_close_lock")
#: Rows that must have their parent: (table, column, parent table).
PARENTS = (("snapshots", "run_id", "runs"), ("sources", "run_id", "runs"), ("snapshot_tables", "snapshot_id", "snapshots"),
           ("close_snapshots", "close_id", "closes"), ("close_snapshots", "snapshot_id", "snapshots"),
           ("payments", "close_id", "closes"), ("adjustments", "close_id", "closes"),
           ("close_events", "close_id", "closes"), ("finance_lines", "close_id", "closes"))


@dataclass
class TableCopy:
    """One table as copied: rows and checksum on each side."""

    table: str
    rows: int
    checksum: str
    target_rows: int
    target_checksum: str

    @property
    def ok(self) -> bool:
        """Same rows, same content."""
        return self.rows == self.target_rows and self.checksum == self.target_checksum


@dataclass
class StoreCheck:
    """What ``check_store`` found."""

    url: str
    backend: str
    schema_version: int
    supported_version: int
    tables: dict[str, int]
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing wrong found."""
        return not self.problems


def history_tables(db: Database) -> list[str]:
    """The store's tables in copy order: the migrations' tables, then data and result tables by name."""
    names = set(db.tables()) - set(INTERNAL)
    return [t for t in ORDER if t in names] + sorted(names - set(ORDER))


def _columns(db: Database, table: str) -> list[str]:
    return [c for c in db.columns(table) if c != db.rowid or c == "id"]


def _order(db: Database, table: str, columns: list[str]) -> str:
    return "id" if "id" in columns else db.rowid


def _canonical(value: Any) -> str:
    if value is None:
        return "\x00"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def table_digest(db: Database, table: str, columns: list[str]) -> tuple[int, str]:
    """(rows, SHA-256 of the rows of ``columns`` in insertion order)."""
    digest = hashlib.sha256()
    rows = 0
    cursor = db.execute(f"SELECT {', '.join(q(c) for c in columns)} FROM {q(table)} "
                        f"ORDER BY {_order(db, table, columns)}")
    while chunk := cursor.fetchmany(10_000):
        for row in chunk:
            digest.update(json.dumps([_canonical(v) for v in row], ensure_ascii=False).encode())
            digest.update(b"\n")
        rows += len(chunk)
    return rows, digest.hexdigest()


def _is_empty(db: Database) -> bool:
    return not any(db.read(f"SELECT 1 FROM {q(t)} LIMIT 1") for t in history_tables(db) if t != "migrations")


def copy_history(source: SQLStore, target: SQLStore) -> list[TableCopy]:
    """Copy every history table of ``source`` into the empty store ``target``; verify counts and checksums."""
    src, dst = source.db, target.db
    if source.schema_version != target.schema_version:
        raise ToolkitError("db.versions-differ", source=source.url, target=target.url,
                           found=source.schema_version, expected=target.schema_version)
    if not _is_empty(dst):
        raise ToolkitError("db.target-not-empty", target=target.url)
    tables = history_tables(src)
    columns: dict[str, list[str]] = {}
    with dst.write():
        dst.execute("DELETE FROM migrations")  # the target's own, replaced by the history's
        for table in tables:
            cols = _columns(src, table)
            have = set(dst.columns(table))
            if not have:  # a table only the source has (none today): made as the source declares it
                raise ToolkitError("db.unknown-table", table=table, source=source.url)
            for col, sqltype in src.column_types(table).items():
                if col in cols and col not in have:
                    dst.execute(f"ALTER TABLE {q(table)} ADD COLUMN {q(col)} {sqltype}")
            if set(cols) - have:
                dst.table_altered(table)
            columns[table] = cols
            late = SELF_REFERENCES.get(table)
            marks = ", ".join("?" * len(cols))
            insert = f"INSERT INTO {q(table)} ({', '.join(q(c) for c in cols)}) VALUES ({marks})"
            pending: list[tuple[Any, Any]] = []
            cursor = src.execute(f"SELECT {', '.join(q(c) for c in cols)} FROM {q(table)} "
                                 f"ORDER BY {_order(src, table, cols)}")
            at = cols.index(late) if late else -1
            while chunk := cursor.fetchmany(5_000):
                if late:
                    pending += [(r[at], r[cols.index("id")]) for r in chunk if r[at] is not None]
                    chunk = [tuple(None if i == at else v for i, v in enumerate(r)) for r in chunk]
                dst.executemany(insert, chunk)
            if pending:
                dst.executemany(f"UPDATE {q(table)} SET {q(late)} = ? WHERE id = ?", pending)
            dst.after_copy(table)
    out = []
    for table in tables:
        n, digest = table_digest(src, table, columns[table])
        m, other = table_digest(dst, table, columns[table])
        out.append(TableCopy(table, n, digest, m, other))
    bad = [c.table for c in out if not c.ok]
    if bad:
        raise ToolkitError("db.copy-mismatch", tables=", ".join(bad), target=target.url)
    return out


def check_store(store: SQLStore) -> StoreCheck:
    """The store's schema version, tables and rows, and what is wrong with it (empty: nothing)."""
    db = store.db
    tables = {t: int(db.read(f"SELECT count(*) FROM {q(t)}")[0][0]) for t in history_tables(db)}
    problems = list(db.integrity())
    for table, column, parent in PARENTS:
        if table in tables and parent in tables:
            n = int(db.read(f"SELECT count(*) FROM {q(table)} t WHERE t.{q(column)} IS NOT NULL AND NOT EXISTS "
                            f"(SELECT 1 FROM {q(parent)} p WHERE p.id = t.{q(column)})")[0][0])
            if n:
                problems.append(f"{table}: {n} rows whose {column} is missing from {parent}")
    for table in tables:
        if table.startswith(("dept_", "std_")):
            n = int(db.read(f"SELECT count(*) FROM {q(table)} t WHERE NOT EXISTS "
                            "(SELECT 1 FROM snapshots s WHERE s.id = t.snapshot_id)")[0][0])
            if n:
                problems.append(f"{table}: {n} rows of a missing snapshot")
    twice = db.read("SELECT kind, department, period FROM snapshots WHERE is_current = 1 "
                    "GROUP BY kind, department, period HAVING count(*) > 1")
    problems += [f"snapshots: more than one current {k} snapshot of {d} {p}" for k, d, p in twice]
    if "closes" in tables:
        twice = db.read("SELECT period FROM closes WHERE status = 'current' GROUP BY period HAVING count(*) > 1")
        problems += [f"closes: more than one current close of {p}" for (p,) in twice]
    version = store.schema_version
    if version != SCHEMA_VERSION:
        problems.append(f"schema version {version}, this toolkit's is {SCHEMA_VERSION}")
    return StoreCheck(store.url, db.dialect, version, SCHEMA_VERSION, tables, problems)
