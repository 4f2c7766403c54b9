"""Helpers shared by the store/consolidation tests: a sample folder, store dumps, file hashes."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from conftest import SAMPLE
from toolkit.cli.main import cli

_GENERATED: list[Path] = []


def sample_source(tmp_factory) -> Path:  # noqa: ANN001
    """workbooks/sample/ when generated, else a freshly generated copy (same generator, same seed)."""
    if (SAMPLE / "standards.xlsx").exists():
        return SAMPLE
    if not _GENERATED:
        from toolkit.sample.generate import generate_sample

        out = tmp_factory.mktemp("sample")
        generate_sample(out)
        _GENERATED.append(out)
    return _GENERATED[0]


def department_files(folder: Path) -> list[Path]:
    """The department workbooks of a sample folder (everything but standards.xlsx)."""
    return sorted(p for p in folder.glob("*.xlsx") if p.name != "standards.xlsx" and not p.name.startswith("~"))


def copy_sample(src: Path, dest: Path) -> Path:
    """Copy the sample workbooks into ``dest`` (tests that add files never touch the originals)."""
    dest.mkdir(parents=True, exist_ok=True)
    for p in [src / "standards.xlsx", *department_files(src)]:
        shutil.copy2(p, dest / p.name)
    return dest


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def is_pg(db: Path | str) -> bool:
    """Whether ``db`` is a PostgreSQL store's URL (else a SQLite file)."""
    return str(db).startswith(("postgresql://", "postgres://"))


def query(db: Path | str, sql: str) -> list[tuple]:
    """Rows of one query on the store, by plain sqlite3 or psycopg (not through the toolkit)."""
    if is_pg(db):
        import psycopg  # the optional driver: only PostgreSQL stores need it

        with psycopg.connect(str(db), autocommit=True) as conn:
            return conn.execute(sql.replace("user", '"user"') if " user" in sql else sql).fetchall()
    conn = sqlite3.connect(str(db))
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _pg_dump(db: str, skip_columns: tuple[str, ...]) -> dict[str, list[tuple]]:
    import psycopg  # the optional driver: only PostgreSQL stores need it

    with psycopg.connect(db, autocommit=True) as conn:
        meta = conn.execute("SELECT value FROM toolkit_meta WHERE name = 'user_version'").fetchall()
        out: dict[str, list[tuple]] = {"user_version": [tuple(int(v) for v in r) for r in meta]}
        names = [r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                            "current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name")]
        for name in names:
            if name == "toolkit_close_lock":
                continue
            cols = [r[0] for r in conn.execute("SELECT column_name FROM information_schema.columns WHERE "
                                               "table_schema = current_schema() AND table_name = %s ORDER BY "
                                               "ordinal_position", (name,)) if r[0] not in skip_columns]
            rows = conn.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{name}"').fetchall()
            out[name] = sorted(rows, key=repr)
        return out


def dump(db: Path | str, skip_columns: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every table's rows (sorted) plus user_version, read with plain sqlite3 (or psycopg for a PostgreSQL URL)."""
    if is_pg(db):
        return _pg_dump(str(db), skip_columns)
    conn = sqlite3.connect(str(db))
    try:
        out: dict[str, list[tuple]] = {"user_version": [conn.execute("PRAGMA user_version").fetchone()]}
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        for name in names:
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")') if r[1] not in skip_columns]
            rows = conn.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{name}"').fetchall()
            out[name] = sorted(rows, key=repr)
        return out
    finally:
        conn.close()


def integrity(db: Path | str) -> str:
    """SQLite's integrity check; on PostgreSQL (which checks its pages itself) that every table reads."""
    if is_pg(db):
        dump(db)
        return "ok"
    conn = sqlite3.connect(str(db))
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def wait_for(path: Path, proc, seconds: float = 900) -> None:  # noqa: ANN001 - a subprocess.Popen
    """Wait until a stalled subprocess has written its marker file (the store's stall hook); ``seconds`` is only a
    watchdog against a hang, generous so a loaded machine never fails the test."""
    import time

    end = time.monotonic() + seconds
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"process ended before stalling: {proc.communicate()}")
        if time.monotonic() > end:
            proc.kill()
            raise AssertionError("the stall hook was never reached")
        time.sleep(0.05)


def in_process_cli(args: list[str]) -> subprocess.CompletedProcess:
    """The toolkit's CLI run in this process (no interpreter to start), as ``subprocess.run`` would report it:
    exit code, stdout and stderr apart. For a refusal or a message; a test of the entry point itself, a kill or a
    second process holding a lock keeps its own process."""
    res = CliRunner().invoke(cli, args)
    return subprocess.CompletedProcess(["toolkit", *args], res.exit_code, res.stdout, res.stderr)


class Forked:
    """``target()`` in a forked copy of this process, reported as ``subprocess.Popen`` reports a process: ``pid``,
    ``poll``, ``wait``, ``communicate`` (stdout and stderr as text), ``kill``, ``returncode`` (-9 when killed).

    For the tests that need a second process (one to kill, one holding the store's lock while another writes):
    the copy has the toolkit imported already, so it costs no interpreter start and no imports (about a second of
    CPU each); what it runs is the same code a fresh process would run. ``env`` is laid over the copy's
    environment before ``target`` runs (the store reads its test hooks when they act). A test of an entry point
    itself keeps a process of its own (``subprocess``)."""

    def __init__(self, target: Callable[[], object], env: dict[str, str] | None = None) -> None:
        self._out, self._err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        self.returncode: int | None = None
        self.pid = os.fork()
        if self.pid == 0:  # the copy: never returns into the test
            code = 1
            try:
                os.dup2(self._out.fileno(), 1)
                os.dup2(self._err.fileno(), 2)
                sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115 - flushed at exit below
                sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
                os.environ.update(env or {})
                target()
                code = 0
            except SystemExit as exc:  # as the interpreter ends on it: a text is printed, exit status 1
                if isinstance(exc.code, str):
                    print(exc.code, file=sys.stderr)
                code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
            except BaseException:  # noqa: BLE001 - reported as an uncaught exception is, exit status 1
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(f"forked {self.pid}", timeout)
            time.sleep(0.02)
        return self.returncode

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        self.wait(timeout)
        out = []
        for f in (self._out, self._err):
            f.seek(0)
            out.append(f.read().decode("utf-8", errors="replace"))
            f.close()
        return out[0], out[1]

    def kill(self) -> None:
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)


def forked_cli(args: list[str], env: dict[str, str] | None = None) -> Forked:
    """The toolkit's CLI with ``args`` in a forked copy of this process (``Forked``)."""
    return Forked(lambda: cli.main([str(a) for a in args], prog_name="toolkit"), env)


def forked_script(code: str, args: list[str], env: dict[str, str] | None = None) -> Forked:
    """``python -c code args…`` in a forked copy of this process (``Forked``): the script run as ``__main__``."""
    def run() -> None:
        sys.argv = ["-c", *map(str, args)]
        exec(compile(code, "<script>", "exec"), {"__name__": "__main__"})  # noqa: S102 - the test's own script

    return Forked(run, env)
