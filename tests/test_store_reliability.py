"""Reliability of the store under SIGKILL and concurrent writers, and refusal of newer stores (subprocesses)."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from consolidate_helpers import (Forked, copy_sample, department_files, dump, forked_cli, in_process_cli, integrity,
                                 query, sample_source, wait_for)
from toolkit.operations.consolidate import consolidate
from toolkit.operations.source import Source

PERIOD = "2026-10"
CLI = [sys.executable, "-c", "from toolkit.cli.main import main; main()"]

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")


#: The sample's workbooks these tests consolidate: the standards and two departments. A kill inside a snapshot
#: transaction (at the first or the second department), two writers and a refused store behave the same with two
#: departments as with four; half the workbooks make each of the many runs (most in processes of their own) cheaper.
SMALL = ("standards.xlsx", "dept-east.xlsx", "dept-west.xlsx")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """A folder with ``SMALL`` of the sample's workbooks."""
    src, folder = sample_source(tmp_path_factory), tmp_path_factory.mktemp("two-departments")
    for name in SMALL:
        shutil.copy2(src / name, folder / name)
    return folder


@pytest.fixture(scope="module")
def touched(sample, tmp_path_factory) -> list[Path]:
    """The sample's department workbooks each re-saved with one changed cell (made once: the SIGKILL tests copy
    them over their own folder, so consolidating again writes a new snapshot of every department)."""
    folder = copy_sample(sample, tmp_path_factory.mktemp("touched"))
    for p in department_files(folder):
        _touch_department(p)
    return department_files(folder)


def _args(folder: Path, db: Path, out: Path) -> list[str]:
    return ["consolidate", str(folder), "--period", PERIOD, "--db", str(db), "-o", str(out), "--jobs", "1"]


def _run(folder: Path, db: Path, out: Path, env: dict | None = None) -> Forked:
    """The CLI's consolidate in a process of its own (to be killed, or to hold the store while another writes): a
    forked copy of this process (no interpreter start; ``test_sigkill_during_a_first_run_…`` kills the entry point
    started afresh, ``_fresh``)."""
    return forked_cli(_args(folder, db, out), env)


def _fresh(folder: Path, db: Path, out: Path, env: dict | None = None) -> subprocess.Popen:
    """The CLI's consolidate in a freshly started interpreter (the entry point as a user runs it)."""
    return subprocess.Popen([*CLI, *_args(folder, db, out)], env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)



def _touch_department(path: Path) -> None:
    """Re-save a department workbook with one changed cell, so consolidating it writes a new snapshot."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[-1]
    ws.cell(row=ws.max_row + 2, column=30).value = "changed"
    wb.save(path)


@pytest.mark.parametrize("stall_at", [1, 2])
def test_sigkill_inside_a_snapshot_transaction_leaves_the_store_as_before_it(sample, touched, tmp_path, stall_at,
                                                                             store_url):
    """Kill while a department snapshot is being written: the store equals what a reader saw during the
    stall (the last committed state), the interrupted department keeps its previous current snapshot."""
    folder = copy_sample(sample, tmp_path / "in")
    db = store_url
    # the store as an earlier consolidation left it: the library's consolidate, which the CLI calls (in this
    # process: only the run to be killed needs a process of its own)
    assert consolidate(Source([folder], None, db), PERIOD, jobs=1).exit_code in (0, 1)
    before_run = dump(db)
    for p in touched:
        shutil.copy2(p, folder / p.name)
    marker = tmp_path / "stalled"
    proc = _run(folder, db, tmp_path / "c2.xlsx", {"TOOLKIT_STORE_STALL": str(marker),
                                                   "TOOLKIT_STORE_STALL_AT": str(stall_at)})
    wait_for(marker, proc)
    during = dump(db)  # readers see the last committed state while the writer is inside its transaction
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    assert integrity(db) == "ok"
    after = dump(db)
    assert after == during
    new = query(db, "SELECT count(*) FROM snapshots WHERE run_id = (SELECT max(id) FROM runs)")[0][0]
    unfinished = query(db, "SELECT finished_at FROM runs ORDER BY id DESC LIMIT 1")[0][0]
    assert new == stall_at - 1  # departments committed before the kill are complete; the killed one left nothing
    assert len(after["snapshots"]) == len(before_run["snapshots"]) + stall_at - 1
    for table in before_run:
        if table.startswith("dept_") and stall_at == 1:
            assert after[table] == before_run[table]
    assert unfinished is None  # the audit shows the run never finished
    assert not (tmp_path / "c2.xlsx").exists()
    rerun = in_process_cli(_args(folder, db, tmp_path / "c3.xlsx"))  # the next run, in this process
    assert rerun.returncode in (0, 1), rerun.stderr
    assert integrity(db) == "ok"


def test_sigkill_during_a_first_run_leaves_an_empty_store_empty(sample, tmp_path):
    folder = copy_sample(sample, tmp_path / "in")
    db = tmp_path / "s.db"
    from toolkit.store import open_store

    open_store(db).close()
    before = dump(db)
    marker = tmp_path / "stalled"
    proc = _fresh(folder, db, tmp_path / "c.xlsx", {"TOOLKIT_STORE_STALL": str(marker)})  # stalls in the standards
    wait_for(marker, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    assert integrity(db) == "ok" and dump(db) == before


def test_two_concurrent_consolidations_both_finish_or_one_is_busy(sample, tmp_path, store_url):
    folder = copy_sample(sample, tmp_path / "in")
    db = store_url
    procs = [_run(folder, db, tmp_path / f"c{i}.xlsx") for i in range(2)]
    results = [(p.wait(600), *p.communicate()) for p in procs]
    for code, _, err in results:
        assert code in (0, 1) or (code == 2 and "busy" in err), err
    assert any(code in (0, 1) for code, _, _ in results)
    assert integrity(db) == "ok"
    per_dept = query(db, "SELECT department, count(*) FROM snapshots WHERE is_current=1 GROUP BY department")
    assert all(n == 1 for _, n in per_dept)
    # both runs loaded the same content: one run made the snapshots, the other found them unchanged
    statuses = sorted(r[0] for r in query(db, "SELECT status FROM sources WHERE kind='department'"))
    assert statuses.count("loaded") == len([s for s in statuses if s in ("loaded", "unchanged")]) // 2


def test_second_writer_gets_a_clear_busy_message(sample, tmp_path, store_url, monkeypatch):
    folder = copy_sample(sample, tmp_path / "in")
    db = store_url
    marker = tmp_path / "stalled"
    holder = _run(folder, db, tmp_path / "c1.xlsx", {"TOOLKIT_STORE_STALL": str(marker)})
    try:
        wait_for(marker, holder)
        monkeypatch.setenv("TOOLKIT_DB_TIMEOUT", "0.5")
        other = in_process_cli(_args(folder, db, tmp_path / "c2.xlsx"))  # the second writer, in this process
        code, err = other.returncode, other.stderr
        assert code == 2 and "is busy" in err and str(db) in err
    finally:
        holder.kill()
        holder.wait(30)
    assert integrity(db) == "ok"


def test_newer_store_is_refused_by_the_cli(sample, tmp_path):
    from toolkit.store import SCHEMA_VERSION, open_store

    db = tmp_path / "s.db"
    open_store(db).close()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    res = in_process_cli(_args(sample, db, tmp_path / "c.xlsx"))
    code, err = res.returncode, res.stderr
    assert code == 2 and "newer toolkit" in err
    assert not (tmp_path / "c.xlsx").exists()
