"""``toolkit db copy`` and ``toolkit db check``: move a whole history between stores (SQLite <-> PostgreSQL), and
report a store's schema version and integrity. The stores are opened through ``Source`` like every operation's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ToolkitError
from ..store import Store, mask_url
from ..store.sqlstore import SQLStore
from ..store.transfer import StoreCheck, TableCopy, check_store, copy_history
from .source import Source


@dataclass
class CopyResult:
    """What ``copy_store`` copied: each table's rows and checksum, verified equal on both sides."""

    source: str
    target: str
    tables: list[TableCopy]

    @property
    def rows(self) -> int:
        """Rows copied, every table."""
        return sum(t.rows for t in self.tables)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: URLs (passwords masked) and per table rows and checksum."""
        return {"source": self.source, "target": self.target, "rows": self.rows, "verified": True,
                "tables": [{"table": t.table, "rows": t.rows, "sha256": t.checksum} for t in self.tables]}


def _same(a: str, b: str) -> bool:
    if "://" in a or "://" in b:
        return a == b
    return Path(a).resolve() == Path(b).resolve()


def _sql(store: Store) -> SQLStore:
    if not isinstance(store, SQLStore):  # every store open_store gives is one; a test double may not be
        raise ToolkitError("store.unsupported-url", url=store.url, scheme=type(store).__name__)
    return store


def copy_store(source_url: str, target_url: str) -> CopyResult:
    """Copy the whole history at ``source_url`` into the new, empty store at ``target_url``; verified by each table's
    row count and checksum (``ToolkitError`` when they differ; the target is then as the copy left it)."""
    if _same(str(source_url), str(target_url)):
        raise ToolkitError("db.same-store", url=mask_url(str(source_url)))
    with Source(db=str(source_url)) as source, Source(db=str(target_url)) as target:
        with source.store(create=False) as src, target.store() as dst:
            tables = copy_history(_sql(src), _sql(dst))
            return CopyResult(src.url, dst.url, tables)


def check_store_at(url: str) -> StoreCheck:
    """The schema version, tables and integrity of the store at ``url`` (never creates one)."""
    with Source(db=str(url)) as source, source.store(create=False) as store:
        return check_store(_sql(store))
