"""The payout ledger's store: migration from v1, one transaction per close under SIGKILL, two closes at once."""

from __future__ import annotations

import os
import signal
import sqlite3
import textwrap
from pathlib import Path

import pytest

from consolidate_helpers import Forked, dump, forked_script, integrity, query, wait_for
from toolkit.store import open_store
from toolkit.store import SCHEMA_VERSION, open_store
from toolkit.store.migrations import MIGRATIONS, APPLICATION_ID
import pandas as pd
from toolkit.errors import ToolkitError
from toolkit.store import CloseRecord, open_store
import toolkit.store.postgres as postgres

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

#: A close of 2026-10 with 3,000 payment rows, 500 adjustments and a stored result, in one record_close call.
CLOSE = textwrap.dedent("""
    import sys
    import pandas as pd
    from toolkit.store import CloseRecord, open_store
    n = 3000
    pay = pd.DataFrame({"employee_id": [f"E{i}" for i in range(n)], "year": 2026, "period": "2026-10",
                        "kind": "royalty", "entry": "payment", "amount": 1.25, "regular": 1.25, "adjustment": 0.0})
    adj = pd.DataFrame({"employee_id": [f"E{i}" for i in range(500)], "year": 2026, "kind": "royalty",
                        "change": "added", "effect": 0.5})
    res = {"royalty_lines": pd.DataFrame({"employee_id": pay["employee_id"], "ytd_royalty": 1.25})}
    with open_store(sys.argv[1]) as store:
        try:
            store.record_close(CloseRecord("2026-10", None, [], ["East"]), pay, adj, res)
        except Exception as exc:
            print(getattr(exc, "message", lambda: str(exc))(), file=sys.stderr)
            sys.exit(2)
""")


def _close(db: Path, env: dict | None = None) -> Forked:
    """``CLOSE`` in a process of its own: a forked copy of this one (no interpreter to start)."""
    return forked_script(CLOSE, [db], env)



def test_a_killed_close_leaves_no_half_recorded_payments(store_url, tmp_path):

    db = store_url
    open_store(db).close()
    before = dump(db)
    marker = tmp_path / "stalled"
    proc = _close(db, {"TOOLKIT_STORE_STALL": str(marker)})
    wait_for(marker, proc)  # every row written, nothing committed
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    assert integrity(db) == "ok"
    assert dump(db) == before
    again = _close(db)
    assert again.wait(120) == 0, again.communicate()
    assert query(db, "SELECT count(*) FROM payments")[0][0] == 3000
    assert query(db, "SELECT count(*) FROM current_closes")[0][0] == 1


def test_two_closes_of_one_period_at_once_record_one(store_url):

    db = store_url
    open_store(db).close()
    procs = [_close(db) for _ in range(2)]
    results = [(p.wait(120), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 2], results
    err = next(e for code, _, e in results if code == 2)
    assert "already closed" in err or "busy" in err
    assert query(db, "SELECT count(*), sum(CASE WHEN status='current' THEN 1 ELSE 0 END) FROM closes") == [(1, 1)]
    assert query(db, "SELECT count(DISTINCT close_id) FROM payments")[0][0] == 1
    assert integrity(db) == "ok"


def test_a_v1_store_is_migrated_and_keeps_its_history(tmp_path):

    db = tmp_path / "v1.db"
    conn = sqlite3.connect(db)
    MIGRATIONS[0].apply(conn)
    conn.execute("INSERT INTO runs(started_at, toolkit_version, period, command) VALUES ('2026-09-30', '0.1', "
                 "'2026-09', 'consolidate')")
    conn.execute("INSERT INTO migrations VALUES (1, 'initial', '2026-09-30', '0.1')")
    conn.execute("PRAGMA user_version = 1")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.commit()
    conn.close()
    with open_store(db) as store:
        assert store.schema_version == SCHEMA_VERSION >= 2
        assert [r.period for r in store.runs()] == ["2026-09"]
        assert store.closes() == [] and store.payments().empty
    conn = sqlite3.connect(db)
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        assert {"closes", "payments", "adjustments", "close_snapshots", "current_closes", "current_payments",
                "current_adjustments", "res_royalty_lines", "current_royalty_lines"} <= names
        assert [r[0] for r in conn.execute("SELECT version FROM migrations ORDER BY version")] == [m.version for m in MIGRATIONS]
    finally:
        conn.close()


def test_recording_re_checks_the_history_the_payments_were_computed_against(store_url):


    def pay(period: str) -> pd.DataFrame:
        return pd.DataFrame({"employee_id": ["E1"], "year": 2026, "period": period, "kind": "royalty",
                             "entry": "payment", "amount": 10.0, "regular": 10.0, "adjustment": 0.0})

    with open_store(store_url) as store:
        sep = store.record_close(CloseRecord("2026-09", None, [], ["East"]), pay("2026-09"), pd.DataFrame(), {},
                                 based_on=[])
        # December computed while only September was closed; November is recorded in between
        store.record_close(CloseRecord("2026-11", None, [], ["East"]), pay("2026-11"), pd.DataFrame(), {},
                           based_on=[sep.id])
        with pytest.raises(ToolkitError) as exc:
            store.record_close(CloseRecord("2026-12", None, [], ["East"]), pay("2026-12"), pd.DataFrame(), {},
                               based_on=[sep.id])
        assert exc.value.key == "close.history-changed" and "2026-11" in exc.value.message()
        assert "重新结账" in exc.value.message("zh")
        assert [c.period for c in store.closes()] == ["2026-09", "2026-11"]
        assert set(store.payments()["close_period"]) == {"2026-09", "2026-11"}  # nothing of December recorded


def test_a_second_close_is_refused_while_the_first_holds_the_lock(store_url):

    db = store_url
    with open_store(db) as first, open_store(db) as second:
        with first.close_lock("2026-11"):
            with pytest.raises(ToolkitError) as exc:
                with second.close_lock("2026-12"):
                    pass
        assert exc.value.key == "close.running"
        assert "Another close of 2026-11 is running since" in exc.value.message()
        with second.close_lock("2026-12"):  # released when the first close ends
            pass


#: One machine's approver: 40 decisions, one transaction each, then its item states.
DECIDE = textwrap.dedent("""
    import sys
    from toolkit.store import open_store
    who = sys.argv[2]
    with open_store(sys.argv[1]) as store:
        for i in range(40):
            store.record_decisions([{"approver": who, "source_path": "x.xlsx", "sheet": "Expenses", "row": i + 2,
                                     "kind": "expense", "item": f"{who}-{i}", "decision": "approve",
                                     "outcome": "applied", "department": "East"}])
        store.save_approval_items([{"department": "East", "kind": "expense", "item": f"{who}-{i}",
                                    "state": "approved", "decided_by": who} for i in range(40)])
""")


def test_approvals_from_two_machines_at_once_lose_no_decision(store_url):

    open_store(store_url).close()
    procs = [forked_script(DECIDE, [store_url, who]) for who in ("director", "finance")]  # two processes
    for p in procs:
        assert p.wait(300) == 0, p.communicate()
    with open_store(store_url) as store:
        decided = store.approval_decisions()
        items = store.approval_items(["East"])
    assert sorted(d["item"] for d in decided) == sorted(f"{w}-{i}" for w in ("director", "finance") for i in range(40))
    assert all(d["user"] and d["decided_at"] for d in decided)  # who and when, on every write
    assert len(items) == 80 and {v["decided_by"] for v in items.values()} == {"director", "finance"}


def test_a_postgresql_store_from_the_environment_and_without_the_driver(pg_server, monkeypatch):

    url = pg_server.database()
    monkeypatch.setenv("TOOLKIT_DB", url)
    with open_store() as store:
        assert store.url == url and store.db.dialect == "postgresql"
    monkeypatch.setattr(postgres, "psycopg", None)
    with pytest.raises(ToolkitError) as exc:
        open_store(url.replace("toolkit@", "toolkit:hunter2@"))
    assert exc.value.key == "store.no-driver" and "[postgres]" in exc.value.message()
    assert "hunter2" not in exc.value.message() + exc.value.message("zh")
