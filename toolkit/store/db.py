"""The one connection the store's repositories share, and what differs between the SQL databases behind it.

Repositories (``snapshots.py``, ``payouts.py``, ``decisions.py``) write their SQL once, in SQLite's spelling (``?``
parameters, ``rowid`` for insertion order); a ``Database`` runs it on its engine: ``sqlite.SQLiteDatabase`` as is,
``postgres.PostgresDatabase`` translated (``postgres.translate``). What cannot be spelled once is a method here:
the id of an inserted row, a table's columns, "insert unless present", the write transaction, the close lock, the
schema version's home, and the opening checks.
"""

from __future__ import annotations

import json
import os
import socket
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.findings import Finding
from .base import current_user, now_iso
from .migrations import MIGRATIONS, SCHEMA_VERSION, SCHEMAS, data_table_name, ensure_data_tables, q

#: Test hook: when set to a file path, the Nth write of the process that can stall (TOOLKIT_STORE_STALL_AT, default
#: 1: a new snapshot or a close) creates that file and sleeps (TOOLKIT_STORE_STALL_SECONDS, default 60) inside its
#: transaction, after its rows are written and before it commits.
STALL_ENV = "TOOLKIT_STORE_STALL"

_stall_count = 0


class Database(ABC):
    """One open connection to a store's database, speaking the repositories' SQL."""

    #: ``sqlite`` or ``postgresql`` (migrations read it where the dialects differ)
    dialect: str
    #: where the store is, for messages: a path or a URL with its password masked
    url: str
    #: the column that keeps insertion order in data and result tables
    rowid: str = "rowid"
    #: bound parameters one statement may carry
    max_params: int = 999

    # -- running SQL --------------------------------------------------------------------------------
    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement (``?`` parameters); returns a DB-API cursor."""

    @abstractmethod
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """Run one statement per row; returns how many rows it changed."""

    @abstractmethod
    def read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Every row a query gives ("the store is busy" as a ``ToolkitError``)."""

    @abstractmethod
    def insert(self, sql: str, params: Sequence[Any]) -> int:
        """Run an INSERT into a table with an ``id`` key; returns the new row's id."""

    @abstractmethod
    def columns(self, table: str) -> list[str]:
        """A table's columns, in order (empty when it does not exist)."""

    @abstractmethod
    def insert_ignore(self, table: str, columns: Sequence[str]) -> str:
        """An INSERT of ``columns`` into ``table`` that skips rows a unique key already holds."""

    @abstractmethod
    def tables(self) -> list[str]:
        """The database's tables (not views), the backend's own included."""

    @abstractmethod
    def column_types(self, table: str) -> dict[str, str]:
        """A table's columns and their SQL types in the repositories' spelling (INTEGER, REAL, TEXT)."""

    @abstractmethod
    def integrity(self) -> list[str]:
        """What the database's own check finds wrong (empty: nothing)."""

    def after_copy(self, table: str) -> None:
        """Rows were copied into ``table`` with their ids: the next id follows them."""

    def add_columns(self, table: str, columns: Sequence[tuple[str, str]]) -> None:
        """Add ``columns`` (name, SQL type), in order, to ``table`` (a result table following its frame)."""
        for name, sql_type in columns:
            self.execute(f"ALTER TABLE {q(table)} ADD COLUMN {q(name)} {sql_type}")

    def table_altered(self, table: str) -> None:
        """``table`` gained columns (a result table follows its frame): what depends on it follows too."""

    @abstractmethod
    def write(self) -> AbstractContextManager[None]:
        """One write transaction: committed when the block ends, rolled back when it raises (or the process dies);
        one writer at a time per store."""

    @abstractmethod
    def close_lock(self, period: str) -> AbstractContextManager[None]:
        """Held for a whole close (``Store.close_lock``)."""

    @abstractmethod
    def close(self) -> None:
        """Release the connection."""

    # -- versions and opening -----------------------------------------------------------------------
    @abstractmethod
    def user_version(self) -> int:
        """The store's schema version (0: a new store)."""

    @abstractmethod
    def set_user_version(self, version: int) -> None:
        """Record the schema version (and the application id) inside the migrating transaction."""

    def migrate(self) -> None:
        """Bring a store up to ``SCHEMA_VERSION``: the migrations it lacks and the data tables' new columns."""
        version = self.user_version()
        if version < SCHEMA_VERSION or self._missing_columns():
            with self.write():
                version = self.user_version()  # another process may have won
                self.refuse_newer(version)
                for migration in MIGRATIONS:
                    if migration.version > version:
                        migration.apply(self)
                        self.execute("INSERT INTO migrations(version, name, applied_at, toolkit_version) "
                                     "VALUES (?,?,?,?)", (migration.version, migration.name, now_iso(), __version__))
                self._ensure_data_tables()
                self.set_user_version(SCHEMA_VERSION)

    @abstractmethod
    def refuse_newer(self, version: int) -> None:
        """Raise ``store.newer`` when ``version`` is beyond this toolkit."""

    def _missing_columns(self) -> bool:
        for kind, schema in SCHEMAS.items():
            for table in schema.tables:
                have = set(self.columns(data_table_name(kind, table.key)))
                if not have or set(table.keys) - have:
                    return True
        return False

    def _ensure_data_tables(self) -> None:
        """Create missing data tables and add columns the schema gained (additive, idempotent)."""
        ensure_data_tables(self)


def findings_json(findings: list[Finding]) -> str:
    """Findings as stored: deterministic JSON (so equal findings compare equal)."""
    return json.dumps([{"code": f.code, "severity": f.severity, "sheet": f.sheet, "cell": f.cell, "row": f.row,
                        "column": f.column, "value": f.value, "file": f.file, "params": f.params} for f in findings],
                      sort_keys=True, default=str, ensure_ascii=False)


def j(value: Any) -> str:
    """A value as stored JSON text (sorted keys, UTF-8 as is)."""
    return json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)


def lock_holder(period: str) -> dict[str, Any]:
    """Who holds a close lock, as recorded beside it: period, since, user, host, pid."""
    return {"period": period, "since": now_iso(), "user": current_user(), "host": socket.gethostname(),
            "pid": os.getpid()}


def maybe_stall() -> None:
    """The reliability tests' hook: stall inside the Nth stalling transaction (see ``STALL_ENV``)."""
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
