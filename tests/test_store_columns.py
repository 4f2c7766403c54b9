"""A result table gaining its columns: SQLite's rebuild of an empty table (``SQLiteDatabase.add_columns``) leaves
the same store as one ALTER TABLE per column (``Database.add_columns``), on the sample close's real results."""

from __future__ import annotations

import pandas as pd

from toolkit.operations.closes import prepare_close
from toolkit.store import CloseRecord, open_store
from toolkit.store.db import Database
from toolkit.store.ledger import load_ledger_from_store
from toolkit.store.migrations import q
from toolkit.store.sqlite import SQLiteDatabase


def _sample_results(closed_sample) -> dict[str, pd.DataFrame]:
    """The result frames the sample's close of 2026-10 records (computed again on its store's ledger, with their
    own dtypes: text, numbers, integers, booleans, dates; not read back from a store this code wrote)."""
    _, folder = closed_sample
    with open_store(folder / "s.db") as store:
        ledger = load_ledger_from_store(store, "2026-10")
        return prepare_close(store, ledger, "2026-10", reopen=True).results


def _schema_and_rows(path) -> tuple[list, dict]:
    """Every schema object's SQL, and each result table's columns (name, type) and rows."""
    with open_store(path) as store:
        conn = store.db.conn
        schema = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()
        tables = {t: (conn.execute(f"PRAGMA table_info({q(t)})").fetchall(),
                      conn.execute(f"SELECT * FROM {q(t)} ORDER BY rowid").fetchall(),
                      conn.execute(f"SELECT * FROM {q('current_' + t[4:])}").fetchall())
                  for t in store.db.tables() if t.startswith("res_")}
    return schema, tables


def _close(path, results: dict[str, pd.DataFrame], period: str, statements: list[str]) -> None:
    with open_store(path) as store:
        store.db.conn.set_trace_callback(statements.append)
        store.record_close(CloseRecord(period, None, [], ["East"]), pd.DataFrame(), pd.DataFrame(), results)


def test_rebuilt_result_tables_equal_altered_ones(closed_sample, tmp_path, monkeypatch):
    results = _sample_results(closed_sample)
    assert len(results) == 4 and sum(f.shape[1] for f in results.values()) > 60
    assert {"bool", "datetime64[ns]", "float64", "int64", "str"} <= {str(t) for f in results.values()
                                                                   for t in f.dtypes}
    # a later close with one more column: the tables now hold rows, so both stores alter them
    later = {name: f.assign(extra_note="x") for name, f in results.items()}
    rebuilt, altered = tmp_path / "rebuilt.db", tmp_path / "altered.db"
    fast: list[str] = []
    _close(rebuilt, results, "2026-10", fast)
    _close(rebuilt, later, "2026-11", fast)
    slow: list[str] = []
    with monkeypatch.context() as m:
        m.setattr(SQLiteDatabase, "add_columns", Database.add_columns)
        _close(altered, results, "2026-10", slow)
        _close(altered, later, "2026-11", slow)
    # the fast path ran at the first close (each table dropped and created once), the ALTERs at the second
    assert sum(s.startswith("DROP TABLE") for s in fast) == len(results)
    assert sum(s.startswith("ALTER TABLE") for s in fast) == len(results)
    assert sum(s.startswith("ALTER TABLE") for s in slow) == sum(f.shape[1] + 1 for f in results.values())
    schema, tables = _schema_and_rows(rebuilt)
    assert (schema, tables) == _schema_and_rows(altered)
    assert all(tables[f"res_{name}"][1] for name in results)
