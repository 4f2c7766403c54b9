"""The SQLite history store: one file, WAL journal, a busy timeout, one transaction per write.

``SQLiteDatabase`` is the repositories' connection on SQLite: the schema version in ``PRAGMA user_version`` (and the
file marked with ``PRAGMA application_id``), writes taken at once (``BEGIN IMMEDIATE``) so one writer works at a time,
and the close lock a file lock beside the store (``<store>.close-lock``, who holds it in ``.close-lock.json``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:
    import fcntl  # POSIX file locks for the close lock; Windows has none (below)
    msvcrt = None
except ImportError:  # Windows: byte-range locks instead
    fcntl = None  # type: ignore[assignment]
    import msvcrt  # type: ignore[no-redef]

from ..errors import ToolkitError
from .db import STALL_ENV, Database, findings_json, lock_holder
from .migrations import APPLICATION_ID, SCHEMA_VERSION, q
from .sqlstore import SQLStore

__all__ = ["STALL_ENV", "SQLiteDatabase", "SQLiteStore", "findings_json"]


def _is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


class SQLiteDatabase(Database):
    """The store's connection to one SQLite file."""

    dialect = "sqlite"

    def __init__(self, path: str | Path, timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.url = str(self.path)
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
            self.max_params = self.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
            self._open()
        except sqlite3.DatabaseError as exc:
            if _is_busy(exc):
                raise ToolkitError("store.busy", path=str(self.path)) from exc
            raise ToolkitError("store.cannot-open", path=str(self.path), detail=str(exc)) from exc

    def _open(self) -> None:
        version = self.user_version()
        app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id not in (0, APPLICATION_ID):
            raise ToolkitError("store.not-a-store", path=str(self.path), detail=f"application id {app_id:#x}")
        self.refuse_newer(version)
        if version == 0 and app_id == 0:
            n = self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if n:
                raise ToolkitError("store.not-a-store", path=str(self.path), detail="it holds other tables")
        # WAL lets readers read while a writer writes; a file system without it (a network share) stays correct
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.migrate()

    def refuse_newer(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise ToolkitError("store.newer", path=str(self.path), found=version, supported=SCHEMA_VERSION)

    def user_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def set_user_version(self, version: int) -> None:
        self.conn.execute(f"PRAGMA user_version = {int(version)}")
        self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    # -- running SQL --------------------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        before = self.conn.total_changes
        self.conn.executemany(sql, rows)
        return self.conn.total_changes - before

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise ToolkitError("store.busy", path=str(self.path)) from exc
            raise

    def insert(self, sql: str, params: Sequence[Any]) -> int:
        return int(self.conn.execute(sql, params).lastrowid)

    def columns(self, table: str) -> list[str]:
        return [r[1] for r in self.conn.execute(f"PRAGMA table_info({q(table)})")]

    def tables(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
                                                "LIKE 'sqlite_%' ORDER BY name")]

    def column_types(self, table: str) -> dict[str, str]:
        return {r[1]: (r[2] or "TEXT").upper() for r in self.conn.execute(f"PRAGMA table_info({q(table)})")}

    def integrity(self) -> list[str]:
        found = [r[0] for r in self.conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        keys = self.conn.execute("PRAGMA foreign_key_check").fetchall()
        return found + ([f"{len(keys)} rows whose foreign key points at no row"] if keys else [])

    def add_columns(self, table: str, columns: Sequence[tuple[str, str]]) -> None:
        """``Database.add_columns``; a table without rows (a new store's result table at its first close) is
        dropped and created again with the columns instead: each ALTER TABLE makes SQLite read its whole schema
        again (~0.8 ms a column, ~150 columns), the new table costs one statement. Its ``CREATE TABLE`` text is
        the one the ALTERs would have left (SQLite appends ``, <column definition>``), its indexes are recreated
        and its views read it by name, so the store holds the same schema text, indexes, views and rows (only
        ``sqlite_master`` lists the table after the others now, so a ``.dump`` orders it differently); a table with
        rows or triggers is altered."""
        if len(columns) > 1 and self.conn.in_transaction:
            found = self.conn.execute("SELECT type, sql FROM sqlite_master WHERE tbl_name = ? ORDER BY rowid",
                                      (table,)).fetchall()
            create = [sql for kind, sql in found if kind == "table"]
            indexes = [sql for kind, sql in found if kind == "index" and sql]
            if (len(create) == 1 and create[0].endswith(")") and all(kind in ("table", "index") for kind, _ in found)
                    and self.conn.execute(f"SELECT 1 FROM {q(table)} LIMIT 1").fetchone() is None):
                self.conn.execute(f"DROP TABLE {q(table)}")
                self.conn.execute(create[0][:-1] + "".join(f", {q(name)} {sql_type}" for name, sql_type in columns)
                                  + ")")
                for sql in indexes:
                    self.conn.execute(sql)
                return
        super().add_columns(table, columns)

    def insert_ignore(self, table: str, columns: Sequence[str]) -> str:
        return (f"INSERT OR IGNORE INTO {q(table)} ({', '.join(q(c) for c in columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})")

    @contextmanager
    def write(self) -> Iterator[None]:
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
                info_path.write_text(json.dumps(lock_holder(period)), encoding="utf-8")
                yield
            finally:
                try:
                    info_path.unlink()
                except OSError:
                    pass
                _unlock(handle)
        finally:
            handle.close()

    def close(self) -> None:
        self.conn.close()


class SQLiteStore(SQLStore):
    """A ``Store`` in one SQLite file."""

    def __init__(self, path: str | Path, timeout: float = 30.0) -> None:
        db = SQLiteDatabase(path, timeout)
        super().__init__(db)
        self.path = db.path
        self.url = f"sqlite:///{db.path}"


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
