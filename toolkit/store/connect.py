"""Where the history store is and how it is opened: ``open_store`` (its messages are registered by the package)."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import ToolkitError
from .base import Store
from .postgres import PostgresStore, mask_url
from .sqlite import SQLiteStore

#: URL schemes of a PostgreSQL store.
POSTGRES_SCHEMES = ("postgresql", "postgres")

#: Environment variable naming the store when --db is not given.
DB_ENV = "TOOLKIT_DB"
#: Default store file, in the working folder.
DEFAULT_DB = "toolkit.db"
#: Seconds a writer waits for another to finish before "store is busy" (env TOOLKIT_DB_TIMEOUT).
DEFAULT_TIMEOUT = 30.0


def default_db() -> str:
    """The store to use when none is given: $TOOLKIT_DB, else ``toolkit.db`` in the working folder."""
    return os.environ.get(DB_ENV) or DEFAULT_DB


def open_store(url_or_path: str | Path | None = None, timeout: float | None = None) -> Store:
    """Open (creating and migrating as needed) the store at a path, a ``sqlite:///`` or a ``postgresql://`` URL;
    refuse a newer store."""
    target = str(url_or_path) if url_or_path else default_db()
    if timeout is None:
        timeout = float(os.environ.get("TOOLKIT_DB_TIMEOUT", DEFAULT_TIMEOUT))
    if "://" in target:
        scheme, _, rest = target.partition("://")
        if scheme.lower() in POSTGRES_SCHEMES:
            return PostgresStore(target, timeout=timeout)
        if scheme.lower() != "sqlite":
            raise ToolkitError("store.unsupported-url", url=mask_url(target), scheme=scheme)
        # SQLAlchemy's spelling: sqlite:///relative.db, sqlite:////absolute/path.db
        target = rest[1:] if rest.startswith("/") else rest
    return SQLiteStore(Path(target), timeout=timeout)
