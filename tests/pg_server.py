"""A throwaway PostgreSQL server for the store's tests (one per test session), and the store backends to run on.

``TOOLKIT_TEST_PG_URL`` (a URL whose user may CREATE DATABASE) uses a server you run; else the fixture looks for the
server programs (``initdb``, ``pg_ctl``: on the PATH, /usr/local/bin, or /usr/lib/postgresql/<version>/bin where
Debian's ``postgresql`` package puts them), makes a cluster in a temporary folder and starts it on a unix socket in
that folder only (no TCP port is opened). PostgreSQL refuses to run as root: as root, the cluster runs as the
unprivileged ``nobody`` through ``runuser`` (the folder is handed to it). Without a server the tests that need one
skip, saying why; with ``CI`` set they fail instead, so CI never passes without having run them.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PG_ENV = "TOOLKIT_TEST_PG_URL"
BACKENDS = ("sqlite", "postgresql")


def _programs() -> tuple[str, str] | None:
    """(initdb, pg_ctl) of the newest PostgreSQL found, or None."""
    places = [os.path.dirname(shutil.which("initdb") or "")] if shutil.which("initdb") else []
    places += ["/usr/local/bin", *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for place in places:
        initdb, pg_ctl = Path(place, "initdb"), Path(place, "pg_ctl")
        if initdb.exists() and pg_ctl.exists():
            return str(initdb), str(pg_ctl)
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL tests cannot run in CI: {reason}")
    pytest.skip(f"no PostgreSQL server: {reason} (set {PG_ENV} or install the postgresql package)")


class Server:
    """A running server: ``admin`` URL (database ``postgres``), and fresh databases on demand."""

    def __init__(self, admin: str) -> None:
        self.admin = admin

    def database(self) -> str:
        """A new empty database's URL."""
        import psycopg  # the optional driver: only the PostgreSQL tests need it

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def url(self, name: str) -> str:
        """The admin URL with another database name."""
        head, _, tail = self.admin.partition("?")
        base = head.rsplit("/", 1)[0]
        return f"{base}/{name}" + (f"?{tail}" if tail else "")


class Unavailable(RuntimeError):
    """No server can be started here (the reason is the message)."""


@contextmanager
def throwaway_server() -> Iterator[Server]:
    """``TOOLKIT_TEST_PG_URL``'s server, else a new cluster in a temporary folder, removed on exit; ``Unavailable``
    when neither can be had (also used by bench/postgres_bench.py)."""
    try:
        import psycopg  # noqa: F401 - the optional driver: only the PostgreSQL tests need it
    except ImportError:
        raise Unavailable('the psycopg driver is not installed (pip install ".[postgres]")') from None
    if os.environ.get(PG_ENV):
        yield Server(os.environ[PG_ENV])
        return
    programs = _programs()
    if programs is None:
        raise Unavailable("initdb/pg_ctl not found")
    initdb, pg_ctl = programs
    folder = Path(tempfile.mkdtemp(prefix="toolkit-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses root: run the cluster as nobody
        if not shutil.which("runuser"):
            raise Unavailable("running as root without runuser")
        shutil.chown(folder, "nobody")
        as_user = ["runuser", "-u", "nobody", "--"]
    folder.chmod(0o700)
    data = folder / "data"
    run: dict = {"cwd": str(folder), "stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
    made = subprocess.run([*as_user, initdb, "-D", str(data), "-A", "trust", "-U", "toolkit", "-E", "UTF8",
                           "--locale=C", "--no-sync"], **run)
    if made.returncode:
        shutil.rmtree(folder, ignore_errors=True)
        raise Unavailable(f"initdb failed: {made.stdout[-500:]}")
    options = f"-k {folder} -p 5432 -c listen_addresses='' -c fsync=off -c full_page_writes=off"
    started = subprocess.run([*as_user, pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w",
                              "-t", "120", "start"], **run)
    if started.returncode:
        log = (folder / "log").read_text(errors="replace")[-800:] if (folder / "log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise Unavailable(f"the server did not start: {started.stdout[-300:]} {log}")
    try:
        yield Server(f"postgresql://toolkit@/postgres?host={folder}&port=5432")
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], **run)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    """The session's PostgreSQL server (see the module's docstring)."""
    server = throwaway_server()
    try:
        running = server.__enter__()
    except Unavailable as exc:
        _unavailable(str(exc))
    try:
        yield running
    finally:
        server.__exit__(None, None, None)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """The store backend a test runs on: each test taking it runs once per backend."""
    return request.param


@pytest.fixture
def store_url(backend: str, request, tmp_path: Path) -> str:
    """A new empty store's location on ``backend``: a SQLite file path, or a fresh PostgreSQL database's URL."""
    if backend == "sqlite":
        return str(tmp_path / "s.db")
    return request.getfixturevalue("pg_server").database()
