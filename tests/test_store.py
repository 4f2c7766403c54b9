"""The history store: typed round trips, replace-and-keep-history, versions, URLs and the Ledger from a run."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from consolidate_helpers import department_files, sample_source
from toolkit.errors import ToolkitError
from toolkit.io.reader import read_workbook
from toolkit.store import SCHEMA_VERSION, SourceRecord, open_store
from toolkit.store.migrations import MIGRATIONS
from toolkit.operations.source import Source
from toolkit.core.tables import WorkbookData
from toolkit.schema import DEPARTMENT
from toolkit.core.findings import Finding
from toolkit import __version__
from consolidate_helpers import query
from toolkit.operations.consolidate import consolidate
from toolkit.core.royalties import compute_royalties
from toolkit.store import load_ledger_from_store
from toolkit.operations.store_admin import check_store_at
from consolidate_helpers import is_pg
from toolkit.store.postgres import mask_url, translate


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return sample_source(tmp_path_factory)


def _source(path, sha="a" * 64, dept="East"):
    return SourceRecord(str(path), 1, "2026-10-31T00:00:00+00:00", sha, "department", dept)


def test_snapshot_round_trips_every_table_with_its_dtypes(sample, store_url):
    wb = read_workbook(department_files(sample)[0])
    with open_store(store_url) as store:
        run = store.new_run("2026-10", "test")
        saved = store.record(run, _source(wb.path), wb, wb.findings)
        back = store.load_snapshot(saved.snapshot_id)
    assert saved.status == "loaded"
    assert set(back.tables) == set(wb.tables)
    for key, frame in wb.tables.items():
        pd.testing.assert_frame_equal(back.tables[key], frame, check_dtype=True, obj=key)
    assert back.info == wb.info and back.lang == wb.lang and back.kind == "department"


def test_extra_columns_and_awkward_text_survive(store_url):

    table = DEPARTMENT.table("Feedback")
    frame = pd.DataFrame({c.key: pd.Series([None, None], dtype="str") for c in table.columns})
    frame["date"] = pd.to_datetime(["2026-10-01", None]).astype("datetime64[ns]")
    frame["content"] = pd.Series(["=SUM(A1)", "引号\"和'换行\n"], dtype="str")
    frame["_row"] = pd.Series([2, 3], dtype="int64")
    frame["extra:备注"] = pd.Series(["x", None], dtype="str")
    wb = WorkbookData("f.xlsx", "department", "zh", {"department": "华南"}, {"Feedback": frame})
    with open_store(store_url) as store:
        saved = store.record(store.new_run("2026-10", "test"), _source("f.xlsx", dept="华南"), wb, [])
        back = store.load_snapshot(saved.snapshot_id).tables["Feedback"]
    pd.testing.assert_frame_equal(back, frame)


def test_same_content_is_unchanged_new_content_replaces_and_history_keeps_the_old(sample, store_url):
    wb = read_workbook(department_files(sample)[0])
    with open_store(store_url) as store:
        run = store.new_run("2026-10", "test")
        first = store.record(run, _source(wb.path, "1" * 64), wb, [])
        again = store.record(run, _source(wb.path, "1" * 64), wb, [])
        assert (again.status, again.snapshot_id) == ("unchanged", first.snapshot_id)
        smaller = read_workbook(wb.path)
        smaller.tables["Contracts"] = smaller.tables["Contracts"].iloc[:5]
        second = store.record(run, _source(wb.path, "2" * 64), smaller, [])
        assert second.status == "loaded" and second.replaced == first.snapshot_id
        current = store.current("2026-10")
        assert [s.id for s in current] == [second.snapshot_id]
        history = store.history("East", "2026-10")
        assert [(s.id, s.is_current, s.superseded_by) for s in history] == [
            (first.snapshot_id, False, second.snapshot_id), (second.snapshot_id, True, None)]
        old = store.load_snapshot(first.snapshot_id)
        assert len(old.tables["Contracts"]) == len(wb.tables["Contracts"]) > 5
        assert store.count_rows([second.snapshot_id], "Contracts") == 5
        # same department in another period is a separate current snapshot
        other = store.record(store.new_run("2026-11", "test"), _source(wb.path, "1" * 64), wb, [])
        assert other.status == "loaded" and len(store.current("2026-11")) == 1
        assert [s.status for s in store.sources(run.id)] == ["loaded", "unchanged", "loaded"]


def test_changed_findings_make_a_new_snapshot(sample, store_url):

    wb = read_workbook(department_files(sample)[0])
    warn = Finding("column-missing-optional", sheet="Contracts", column="Delivered")
    with open_store(store_url) as store:
        run = store.new_run("2026-10", "test")
        a = store.record(run, _source(wb.path), wb, [])
        b = store.record(run, _source(wb.path), wb, [warn])
        assert b.status == "loaded" and b.snapshot_id != a.snapshot_id
        assert store.load_snapshot(b.snapshot_id).findings[0].code == "column-missing-optional"


def test_runs_record_who_when_version_and_summary(store_url):

    with open_store(store_url) as store:
        run = store.new_run("2026-10", "consolidate")
        assert store.runs() == []  # nothing written before the first record
        store.finish_run(run, "ok", {"consolidated": 3})
        (info,) = store.runs("2026-10")
    assert info.toolkit_version == __version__ and info.command == "consolidate"
    assert info.finished_at and info.started_at and info.status == "ok" and info.summary == {"consolidated": 3}


def test_fresh_store_has_version_and_migrations(tmp_path):
    with open_store(tmp_path / "s.db") as store:
        assert store.schema_version == SCHEMA_VERSION
    conn = sqlite3.connect(tmp_path / "s.db")
    assert [r[0] for r in conn.execute("SELECT version FROM migrations ORDER BY version")] == [
        m.version for m in MIGRATIONS] and MIGRATIONS[-1].version == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_newer_store_is_refused_with_a_clear_message(tmp_path):
    open_store(tmp_path / "s.db").close()
    conn = sqlite3.connect(tmp_path / "s.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(ToolkitError) as exc:
        open_store(tmp_path / "s.db")
    assert exc.value.key == "store.newer"
    assert "newer toolkit" in exc.value.message() and str(SCHEMA_VERSION + 1) in exc.value.message()
    assert "更新版本" in exc.value.message("zh")


def test_files_that_are_not_stores_are_refused(tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("hello")
    with pytest.raises(ToolkitError) as exc:
        open_store(text)
    assert exc.value.key == "store.not-a-store"
    foreign = tmp_path / "other.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(ToolkitError) as exc:
        open_store(foreign)
    assert exc.value.key == "store.not-a-store"
    assert text.read_text() == "hello"


def test_urls_env_and_default_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TOOLKIT_DB", raising=False)
    open_store().close()
    assert (tmp_path / "toolkit.db").exists()
    monkeypatch.setenv("TOOLKIT_DB", str(tmp_path / "env.db"))
    open_store().close()
    assert (tmp_path / "env.db").exists()
    open_store("sqlite:///rel.db").close()
    assert (tmp_path / "rel.db").exists()
    open_store(f"sqlite:///{tmp_path / 'abs.db'}").close()
    assert (tmp_path / "abs.db").exists()
    with pytest.raises(ToolkitError) as exc:
        open_store("mysql://user:secret@server/toolkit")
    assert exc.value.key == "store.unsupported-url" and "not supported" in exc.value.message()
    assert "secret" not in exc.value.message() and "user:***@server" in exc.value.message()


def test_a_postgresql_server_that_cannot_be_reached_is_a_clear_error_without_the_password(tmp_path):
    url = f"postgresql://director:s3cret@/toolkit?host={tmp_path}&port=1"
    with pytest.raises(ToolkitError) as exc:
        open_store(url, timeout=1)
    text = exc.value.message() + exc.value.message("zh")
    assert exc.value.key == "store.cannot-open" and "s3cret" not in text and "director:***@" in text


def test_fresh_postgresql_store_has_version_migrations_and_views(pg_server):

    url = pg_server.database()
    with open_store(url) as store:
        assert store.schema_version == SCHEMA_VERSION
    with open_store(url) as store:  # opening again migrates nothing
        assert store.migrated_at(SCHEMA_VERSION)
    assert [r[0] for r in query(url, "SELECT version FROM migrations ORDER BY version")] == [
        m.version for m in MIGRATIONS]
    views = {r[0] for r in query(url, "SELECT table_name FROM information_schema.views "
                                      "WHERE table_schema = current_schema()")}
    assert {"current_closes", "current_payments", "current_royalty_lines", "v_customer_pareto", "v_pipeline",
            "v_collections", "v_product_lines"} <= views


def test_a_newer_or_foreign_postgresql_database_is_refused(pg_server):
    import psycopg  # the optional driver: only the PostgreSQL runs need it

    url = pg_server.database()
    open_store(url).close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE toolkit_meta SET value = value + 1 WHERE name = 'user_version'")
    with pytest.raises(ToolkitError) as exc:
        open_store(url)
    assert exc.value.key == "store.newer" and str(SCHEMA_VERSION + 1) in exc.value.message()
    foreign = pg_server.database()
    with psycopg.connect(foreign, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (x int)")
    with pytest.raises(ToolkitError) as exc:
        open_store(foreign)
    assert exc.value.key == "store.not-a-store"


@pytest.fixture(scope="module")
def files_ledgers() -> dict:
    """Ledgers read from the files, by the files' paths: each backend's test reads the same consolidated files, so
    they are read (and their royalties computed, memoised on the ledger) once for both."""
    return {}


def test_ledger_from_store_matches_ledger_from_files(sample, store_url, files_ledgers):
    """Computations give the same answer from the store as from the files."""

    res = consolidate(Source([sample], db=store_url), "2026-10", jobs=1)
    good = [f.path for f in res.consolidated]
    assert good
    key = tuple(str(g) for g in good)
    if key not in files_ledgers:
        files_ledgers[key] = Source(good, sample / "standards.xlsx", force=True).ledger("2026-10")
    from_files = files_ledgers[key]
    from_store = load_ledger_from_store(store_url, "2026-10")
    for key, frame in from_files.tables.items():
        stored = from_store.tables[key]
        cols = [c for c in frame.columns if not c.startswith("extra:")]
        assert len(stored) == len(frame), key
        pd.testing.assert_frame_equal(
            stored[cols].sort_values(["source", "_row"]).reset_index(drop=True),
            frame[cols].sort_values(["source", "_row"]).reset_index(drop=True), check_dtype=False, obj=key)
    assert compute_royalties(from_store, "2026-10").to_dict() == compute_royalties(from_files, "2026-10").to_dict()


def test_ledger_from_empty_store_is_a_clear_error(store_url):

    with pytest.raises(ToolkitError) as exc:
        load_ledger_from_store(store_url, "2026-10")
    assert exc.value.key == "store.no-departments"


def test_db_check_reports_the_version_and_what_is_wrong(store_url):

    with pytest.raises(ToolkitError) as exc:  # checking never creates a store
        check_store_at(str(store_url) + ".missing" if not is_pg(store_url) else "missing.db")
    assert exc.value.key == "source.no-store"
    with open_store(store_url) as store:
        store.record(store.new_run("2026-10", "test"), _source("x.xlsx"))
    good = check_store_at(store_url)
    assert good.ok and good.schema_version == SCHEMA_VERSION and good.tables["runs"] == 1
    # a row whose run is gone: what a hand edit or a broken copy leaves (both databases refuse it while keys are on)
    if is_pg(store_url):
        import psycopg  # the optional driver: only the PostgreSQL runs need it

        with psycopg.connect(store_url, autocommit=True) as conn:
            conn.execute("ALTER TABLE sources DROP CONSTRAINT sources_run_id_fkey")
            conn.execute("INSERT INTO sources(run_id, path, status) VALUES (99, 'ghost.xlsx', 'loaded')")
    else:
        conn = sqlite3.connect(store_url)  # a plain connection does not enforce foreign keys
        conn.execute("INSERT INTO sources(run_id, path, status) VALUES (99, 'ghost.xlsx', 'loaded')")
        conn.commit()
        conn.close()
    bad = check_store_at(store_url)
    assert not bad.ok and any("sources:" in p and "missing from runs" in p for p in bad.problems)


def test_sqlite_spelling_is_translated_for_postgresql_and_passwords_are_masked():

    assert translate("SELECT coalesce(by_name, user) FROM close_events WHERE close_id=? AND note='why?'", True) == (
        "SELECT coalesce(by_name, \"user\") FROM close_events WHERE close_id=%s AND note='why?'")
    assert translate("SELECT current_user, users FROM t", False) == "SELECT current_user, users FROM t"
    assert translate("SELECT c.amount FROM dept_Contracts c WHERE snapshot_id = (SELECT max(id) FROM "
                     '"std_Roster")', False) == ('SELECT c.amount FROM "dept_Contracts" c WHERE snapshot_id = '
                                                 '(SELECT max(id) FROM "std_Roster")')
    assert translate("CREATE TABLE runs (id INTEGER PRIMARY KEY, size INTEGER, amount REAL)", False) == (
        "CREATE TABLE runs (id BIGSERIAL PRIMARY KEY, size BIGINT, amount DOUBLE PRECISION)")
    # a table without an id keeps its insertion order in _rid, as SQLite's rowid
    assert translate('CREATE TABLE "res_x" (close_id INTEGER NOT NULL)', False) == (
        'CREATE TABLE "res_x" (_rid BIGSERIAL NOT NULL, close_id BIGINT NOT NULL)')
    assert translate("SELECT 1 WHERE x LIKE 'a%' AND y = ?", True) == "SELECT 1 WHERE x LIKE 'a%%' AND y = %s"
    assert mask_url("postgresql://director:p%40ss@db.example:5432/marketing?sslmode=require") == (
        "postgresql://director:***@db.example:5432/marketing?sslmode=require")
    assert mask_url("postgresql://director@db/marketing") == "postgresql://director@db/marketing"
