"""The PostgreSQL history store: the same repositories and migrations as SQLite, on a server (psycopg 3).

Selected by a ``postgresql://`` (or ``postgres://``) URL in ``--db`` or ``TOOLKIT_DB``. Credentials come from the
URL, a ``.pgpass`` file (``PGPASSFILE``) or the ``PG*`` environment variables, as libpq reads them; every message
shows the URL with its password masked (``mask_url``).

What differs from SQLite, and how:
- SQL: the repositories' statements are translated (``translate``): ``?`` parameters, the ``user`` column quoted,
  the data tables' mixed-case names quoted, ``INTEGER``/``REAL`` as ``BIGINT``/``DOUBLE PRECISION``, an ``id``
  key as ``BIGSERIAL``; tables without an ``id`` get ``_rid BIGSERIAL``, which keeps insertion order as ``rowid``
  does in SQLite. Migration 6's analysis views use ``julianday``, defined here as a SQL function.
- The schema version lives in ``toolkit_meta`` (SQLite: ``PRAGMA user_version``); a database that holds other
  tables and no ``toolkit_meta`` is refused, as a foreign SQLite file is.
- One writer at a time, as in SQLite: each write transaction takes a transaction-level advisory lock first (waiting
  up to the store timeout, then "the store is busy"); readers read the last committed state meanwhile.
- The close lock is a session advisory lock; who holds it (period, since, user, host) is the row of
  ``toolkit_close_lock``. A killed close loses its connection: the server rolls its transaction back and releases
  both locks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

try:  # the optional driver (extra `postgres`): a SQLite user need not install it
    import psycopg
    from psycopg.adapt import Dumper
except ImportError:  # the optional extra "postgres": without it a postgresql:// store says how to install it
    psycopg = None  # type: ignore[assignment]
    Dumper = object  # type: ignore[assignment,misc]

from ..errors import ToolkitError
from .db import Database, lock_holder
from .migrations import SCHEMA_VERSION, q
from .sqlstore import SQLStore

#: Advisory lock keys (any two 32-bit numbers that other applications of the database are unlikely to use).
_LOCK_SPACE = 0x544F4F4C  # "TOOL", as SQLite's application id
_WRITE_KEY = 1
_CLOSE_KEY = 2

#: PostgreSQL's column types in the repositories' spelling.
_GENERIC = {"bigint": "INTEGER", "integer": "INTEGER", "smallint": "INTEGER", "double precision": "REAL",
            "real": "REAL", "numeric": "REAL", "text": "TEXT"}

_SETUP = (
    "CREATE TABLE IF NOT EXISTS toolkit_meta (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS toolkit_close_lock (id INTEGER PRIMARY KEY CHECK (id = 1), period TEXT, "
    "since TEXT, \"user\" TEXT, host TEXT, pid BIGINT)",
    # SQLite's julianday for the analysis views (migration 6): days since noon UTC, 24 November 4714 BC
    "CREATE OR REPLACE FUNCTION julianday(t TEXT) RETURNS DOUBLE PRECISION AS "
    "$$ SELECT extract(epoch FROM t::timestamp) / 86400.0 + 2440587.5 $$ LANGUAGE SQL IMMUTABLE",
)


def mask_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (what messages show)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"//([^:/@]*):[^@]*@", r"//\1:***@", url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


def _hide(text: str, url: str) -> str:
    """A driver's message with the URL's password masked wherever it appears."""
    password = urlsplit(url).password
    text = text.replace(url, mask_url(url))
    return text.replace(password, "***") if password else text


_WORD = re.compile(r"(?<![\w\".])user(?![\w\"])")
_DATA_TABLE = re.compile(r"(?<![\w\"])((?:dept|std)_[A-Za-z]\w*)")
_ID_KEY = re.compile(r"\bid INTEGER PRIMARY KEY\b")
_CREATE = re.compile(r"^(\s*CREATE TABLE (?:IF NOT EXISTS )?\S+ \()", re.IGNORECASE)


def translate(sql: str, params: bool) -> str:
    """A statement in the repositories' (SQLite's) spelling as PostgreSQL runs it; text in quotes is kept."""
    pieces = re.split(r"('(?:[^']|'')*')", sql)
    ddl = sql.lstrip().upper().startswith(("CREATE TABLE", "ALTER TABLE"))
    out = []
    for i, piece in enumerate(pieces):
        if i % 2:  # a string literal
            out.append(piece.replace("%", "%%") if params else piece)
            continue
        if params:
            piece = piece.replace("%", "%%").replace("?", "%s")
        piece = _WORD.sub('"user"', piece)
        piece = _DATA_TABLE.sub(r'"\1"', piece)
        if ddl:
            piece = _ID_KEY.sub("id BIGSERIAL PRIMARY KEY", piece)
            piece = re.sub(r"\bINTEGER\b", "BIGINT", piece)
            piece = re.sub(r"\bREAL\b", "DOUBLE PRECISION", piece)
        out.append(piece)
    text = "".join(out)
    if ddl and "id BIGSERIAL PRIMARY KEY" not in text:  # no-op for ALTER TABLE (the pattern is CREATE's)
        text = _CREATE.sub(r"\1_rid BIGSERIAL NOT NULL, ", text, count=1)
    return text


class _BoolAsInt(Dumper):  # type: ignore[misc,valid-type]
    """Booleans as 0/1 integers, as SQLite stores them (the store's flag columns are integers)."""

    oid = 20  # int8

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


class PostgresDatabase(Database):
    """The store's connection to one PostgreSQL database."""

    dialect = "postgresql"
    rowid = "_rid"
    max_params = 65_535

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = mask_url(url)
        self.timeout = timeout
        if psycopg is None:
            raise ToolkitError("store.no-driver", url=self.url)
        try:
            self.conn = psycopg.connect(url, autocommit=True, connect_timeout=max(1, int(timeout)))
        except psycopg.Error as exc:
            raise ToolkitError("store.cannot-open", path=self.url, detail=_hide(str(exc).strip(), url)) from exc
        self.conn.adapters.register_dumper(bool, _BoolAsInt)
        try:
            self._open()
        except psycopg.Error as exc:
            self.conn.close()
            raise ToolkitError("store.cannot-open", path=self.url, detail=_hide(str(exc).strip(), url)) from exc
        except BaseException:
            self.conn.close()
            raise

    def _open(self) -> None:
        tables = {r[0] for r in self.conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}
        if tables and "toolkit_meta" not in tables:
            raise ToolkitError("store.not-a-store", path=self.url, detail="it holds other tables")
        if "toolkit_meta" in tables:
            self.refuse_newer(self.user_version())
        if "toolkit_meta" not in tables or self.user_version() < SCHEMA_VERSION:
            with self.write():
                for statement in _SETUP:
                    self.conn.execute(statement)
        self.migrate()

    def refuse_newer(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise ToolkitError("store.newer", path=self.url, found=version, supported=SCHEMA_VERSION)

    def user_version(self) -> int:
        try:
            row = self.conn.execute("SELECT value FROM toolkit_meta WHERE name = 'user_version'").fetchone()
        except psycopg.errors.UndefinedTable:
            return 0
        return int(row[0]) if row else 0

    def set_user_version(self, version: int) -> None:
        for name, value in (("user_version", int(version)), ("application_id", _LOCK_SPACE)):
            self.conn.execute("INSERT INTO toolkit_meta(name, value) VALUES (%s, %s) ON CONFLICT (name) DO UPDATE "
                              "SET value = excluded.value", (name, value))

    # -- running SQL --------------------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if params:
            return self.conn.execute(translate(sql, True), tuple(params))
        return self.conn.execute(translate(sql, False))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        rows = list(rows)
        if not rows:
            return 0
        with self.conn.cursor() as cur:
            cur.executemany(translate(sql, True), rows)
            return max(cur.rowcount, 0)

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self.execute(sql, params).fetchall()

    def insert(self, sql: str, params: Sequence[Any]) -> int:
        return int(self.execute(sql + " RETURNING id", params).fetchone()[0])

    def columns(self, table: str) -> list[str]:
        rows = self.conn.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                                 "current_schema() AND table_name = %s ORDER BY ordinal_position", (table,))
        return [r[0] for r in rows]

    def tables(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE' ORDER BY table_name")]

    def column_types(self, table: str) -> dict[str, str]:
        rows = self.conn.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = "
                                 "current_schema() AND table_name = %s ORDER BY ordinal_position", (table,))
        return {n: _GENERIC.get(t, "TEXT") for n, t in rows}

    def integrity(self) -> list[str]:
        return []  # the server checks its own pages; check_store's checks of the rows run on both backends

    def after_copy(self, table: str) -> None:
        if "id" in self.columns(table):
            self.conn.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), coalesce(max(id), 0) + 1, false) "
                              f"FROM {q(table)}", (q(table),))

    def insert_ignore(self, table: str, columns: Sequence[str]) -> str:
        return (f"INSERT INTO {q(table)} ({', '.join(q(c) for c in columns)}) "
                f"VALUES ({', '.join('?' * len(columns))}) ON CONFLICT DO NOTHING")

    def table_altered(self, table: str) -> None:
        """A result table gained columns: its ``current_*`` view shows them (PostgreSQL fixes ``r.*`` at creation)."""
        if table.startswith("res_"):
            name = table.removeprefix("res_")
            self.conn.execute(
                f"CREATE OR REPLACE VIEW {q('current_' + name)} AS SELECT c.period AS close_period, "
                f"c.version AS close_version, r.* FROM {q(table)} r JOIN closes c ON c.id = r.close_id "
                "WHERE c.status = 'current'")

    @contextmanager
    def write(self) -> Iterator[None]:
        """One transaction, after the store's write lock (waiting up to the timeout, then "the store is busy")."""
        self.conn.execute("BEGIN")
        try:
            try:
                self.conn.execute(f"SET LOCAL lock_timeout = '{max(1, int(self.timeout * 1000))}ms'")
                self.conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_LOCK_SPACE, _WRITE_KEY))
            except psycopg.errors.LockNotAvailable as exc:
                raise ToolkitError("store.busy", path=self.url) from exc
            yield
            self.conn.execute("COMMIT")
        except BaseException:
            if not self.conn.closed:
                self.conn.execute("ROLLBACK")
            raise

    @contextmanager
    def close_lock(self, period: str) -> Iterator[None]:
        got = self.conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (_LOCK_SPACE, _CLOSE_KEY)).fetchone()[0]
        if not got:
            held = self.conn.execute("SELECT period, since, \"user\", host FROM toolkit_close_lock WHERE id = 1"
                                     ).fetchone() or ("?", "?", "?", "?")
            raise ToolkitError("close.running", period=held[0], since=held[1], user=held[2], host=held[3],
                               path=self.url)
        try:
            h = lock_holder(period)
            self.conn.execute("INSERT INTO toolkit_close_lock(id, period, since, \"user\", host, pid) "
                              "VALUES (1, %s, %s, %s, %s, %s) ON CONFLICT (id) DO UPDATE SET period = excluded.period, "
                              "since = excluded.since, \"user\" = excluded.\"user\", host = excluded.host, "
                              "pid = excluded.pid", (h["period"], h["since"], h["user"], h["host"], h["pid"]))
            yield
        finally:
            if not self.conn.closed:
                self.conn.execute("DELETE FROM toolkit_close_lock WHERE id = 1")
                self.conn.execute("SELECT pg_advisory_unlock(%s, %s)", (_LOCK_SPACE, _CLOSE_KEY))

    def close(self) -> None:
        self.conn.close()


class PostgresStore(SQLStore):
    """A ``Store`` in a PostgreSQL database."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        super().__init__(PostgresDatabase(url, timeout))
