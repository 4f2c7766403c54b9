"""Shared fixtures: paths to the repository's workbooks and the third-party corpus."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from pg_server import backend, pg_server, store_url  # noqa: F401 - fixtures: the store's tests on both backends

# No property test depends on the machine's speed: no per-example deadline and no "too slow" health check
# (a loaded machine must not fail a test). CI runs a fixed set of examples, so a submission's result does not
# depend on luck; locally every run explores new ones (failures found so far are kept in the example database).
_UNTIMED = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("untimed", **_UNTIMED)
settings.register_profile("ci", derandomize=True, print_blob=True, **_UNTIMED)
settings.load_profile("ci" if os.environ.get("CI") else "untimed")

ROOT = Path(__file__).resolve().parent.parent
WORKBOOKS = ROOT / "workbooks"
SAMPLE = WORKBOOKS / "sample"
#: The full third-party corpus of the development workspace (absent from a fresh clone: its tests skip, saying so).
CORPUS = Path(os.environ.get("TOOLKIT_CORPUS") or ROOT.parent / "shared" / "corpus")
#: The few third-party files tests need on any clone, committed with their licence (tests/data/calamine/README.md).
CALAMINE = ROOT / "tests" / "data" / "calamine"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The committed sample workbooks (standards.xlsx and the department files)."""
    if not (SAMPLE / "standards.xlsx").exists():
        pytest.skip("workbooks/sample/ has not been generated")
    return SAMPLE


@pytest.fixture(scope="session")
def closed_sample(tmp_path_factory) -> tuple[object, Path]:
    """The sample's month close of 2026-10 (two worker processes), made once per test process for every test that
    only reads its outputs and its store: (the ``CloseResult``, the folder holding ``out/`` and the store
    ``s.db``). The sample workbooks are checked untouched."""
    # imported here: consolidate_helpers imports this module (SAMPLE), and the toolkit is loaded on first need
    from consolidate_helpers import sample_source, sha256
    from toolkit.operations.close_month import close_month
    from toolkit.operations.source import Source

    sample = sample_source(tmp_path_factory)
    out = tmp_path_factory.mktemp("close")
    before = {p.name: sha256(p) for p in sample.glob("*.xlsx")}
    res = close_month(Source([sample], db=out / "s.db"), "2026-10", out / "out", jobs=2)
    assert {p.name: sha256(p) for p in sample.glob("*.xlsx")} == before
    return res, out


def need(program: str) -> str:
    """Skip the calling test, saying why, when an external program is not installed."""
    path = shutil.which(program)
    if path is None:
        pytest.skip(f"{program} is not installed (.ci/run installs it)")
    return path


@pytest.fixture
def isolated_settings(monkeypatch, tmp_path) -> Path:
    """No toolkit settings from the machine: no ``TOOLKIT_*`` variables, an empty home (no user conf file)."""
    for key in ("TOOLKIT_STANDARDS", "TOOLKIT_APPROVER", "TOOLKIT_LANG", "TOOLKIT_DB", "TOOLKIT_LITE"):
        monkeypatch.delenv(key, raising=False)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    return home


#: Session fixtures costly enough that every test using one should run on the same xdist worker (one build).
SHARED_SESSION_FIXTURES = {"closed_sample"}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook turns the marks into groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep the tests that share an expensive fixture on one xdist worker, so it is built once, not once per worker.

    With ``--dist loadgroup`` (setup.cfg) xdist balances tests one by one except those marked with the same
    ``xdist_group``, which go to one worker together (the largest groups first). Tests are grouped when they use a
    module- or class-scoped fixture (a scripted year, a closed sample company: built once per module per worker)
    or one of ``SHARED_SESSION_FIXTURES``; tests linked through any of these end in one group. Without ``-n`` the
    mark does nothing."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    keys: dict[int, list[str]] = {}
    for i, item in enumerate(items):
        info = getattr(item, "_fixtureinfo", None)
        found = []
        for name, defs in (info.name2fixturedefs.items() if info else ()):
            scope = defs[-1].scope if defs else "function"
            if scope in ("module", "class", "package"):
                found.append(f"module:{item.nodeid.split('::')[0]}")
            elif scope == "session" and name in SHARED_SESSION_FIXTURES:
                found.append(f"session:{name}")
        for a, b in zip(found, found[1:]):
            parent[root(a)] = root(b)
        if found:
            keys[i] = found
    for i, found in keys.items():
        items[i].add_marker(pytest.mark.xdist_group(root(found[0]).split(":", 1)[1]))


# --- s14-21r ---
import subprocess  # noqa: E402 - this branch's block of shared fixtures (merged at the end of the file)
import sys  # noqa: E402


@pytest.fixture(scope="session")
def fresh_demo(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """``toolkit demo --jobs 1`` run once, in a fresh process from an empty folder (so into its default ``out/``),
    on the checkout's sample, with an empty matplotlib cache and no ``TOOLKIT_DB``: (the output folder, the finished
    process with its stdout and stderr), for every test that only reads what the demo wrote or printed."""
    work = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if k != "TOOLKIT_DB"}
    env.update(MPLCONFIGDIR=str(work / "mpl"), PYTHONPATH=str(ROOT))
    res = subprocess.run([sys.executable, "-m", "toolkit", "demo", "--jobs", "1"], cwd=work, env=env,
                         capture_output=True, text=True, timeout=900, check=False)
    assert res.returncode == 0, res.stderr
    return work / "out", res


SHARED_SESSION_FIXTURES.add("fresh_demo")


@pytest.fixture(scope="session")
def approval_queues(sample_dir, tmp_path_factory):
    """One copy of the sample with its two director's queues and the queue the library builds, made once for the
    approval tests that leave the workbooks alone (each takes its own copy of a queue before writing decisions
    into it, and applies to copies): ``folder``, ``plain``, ``clean`` (--approve-clean), ``output`` (what the
    plain queue printed) and ``built`` (``build_queue`` of the folder)."""
    # imported here: approval_helpers imports the toolkit's CLI, loaded on first need like closed_sample's imports
    from types import SimpleNamespace

    from approval_helpers import run
    from toolkit.operations.approval_queue import build_queue
    from toolkit.operations.source import Source

    base = tmp_path_factory.mktemp("queued")
    folder = base / "depts"
    shutil.copytree(sample_dir, folder)
    plain, clean = base / "queue.xlsx", base / "queue-clean.xlsx"
    with pytest.MonkeyPatch.context() as mp:  # the approval modules' isolation, for this session-wide fixture
        for key in ("TOOLKIT_STANDARDS", "TOOLKIT_APPROVER", "TOOLKIT_APPROVER_ID", "TOOLKIT_LANG", "TOOLKIT_DB"):
            mp.delenv(key, raising=False)
        mp.setenv("HOME", str(base / "home"))
        made = [run("approvals", "queue", folder, "--standards", folder / "standards.xlsx", "-o", out, *extra)
                for out, extra in ((plain, ()), (clean, ("--approve-clean",)))]
        assert all(res.exit_code == 0 for res in made), [res.output for res in made]
        built = build_queue(Source([folder], folder / "standards.xlsx"), jobs=1)
    pristine = base / "pristine"  # the folder as queued, before any test could change it (queued_folder restores it)
    shutil.copytree(folder, pristine)
    return SimpleNamespace(folder=folder, plain=plain, clean=clean, output=made[0].output, built=built,
                           pristine=pristine)


SHARED_SESSION_FIXTURES.add("approval_queues")


@pytest.fixture(scope="session")
def report_pdf(tmp_path_factory):
    """``report_pdf(lang)``: the sample's monthly report (report_fixtures.context) printed to PDF by Chromium, once
    per language in the session, for the tests that only read the PDF (each checks first that Chromium is
    installed, skipping with its own reason)."""
    # imported here: report_fixtures loads the toolkit's CLI; the report is rendered on first need
    from report_fixtures import context
    from toolkit.report.render import render_report

    made: dict[str, Path] = {}

    def pdf(lang: str) -> Path:
        if lang not in made:
            made[lang] = render_report(context(lang), ["pdf"], lang, tmp_path_factory.mktemp(f"pdf-{lang}"))[0]
        return made[lang]

    return pdf


SHARED_SESSION_FIXTURES.add("report_pdf")


@pytest.fixture(scope="session")
def rendered_report(tmp_path_factory):
    """``rendered_report(lang)``: the sample's monthly report (report_fixtures.context) rendered once per language in
    the session as xlsx, HTML and Markdown (their paths in that order), for the tests that only read the files."""
    # imported here: report_fixtures loads the toolkit's CLI; the report is rendered on first need
    from report_fixtures import context
    from toolkit.report.render import render_report

    made: dict[str, list[Path]] = {}

    def paths(lang: str) -> list[Path]:
        if lang not in made:
            made[lang] = render_report(context(lang), ["xlsx", "html", "md"], lang,
                                       tmp_path_factory.mktemp(f"report-{lang}"))
        return made[lang]

    return paths


SHARED_SESSION_FIXTURES.add("rendered_report")


# --- s15-21r ---
@pytest.fixture
def queued_folder(approval_queues):
    """approval_queues (its folder, its ``plain`` and ``clean`` queues) for a test that changes the folder: the
    test may edit, lock or decide in place in ``folder`` (the queues name its files by path, with their hashes);
    the folder is put back byte for byte afterwards (tests on one xdist worker run one at a time), so the tests
    that only read it see the sample as queued. Saves each such test building its own queue of the sample."""
    folder, pristine = approval_queues.folder, approval_queues.pristine
    assert _tree_bytes(folder) == _tree_bytes(pristine), "the queued folder was changed"
    try:
        yield approval_queues
    finally:
        shutil.rmtree(folder)
        shutil.copytree(pristine, folder)


def _tree_bytes(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` (relative) with its bytes (None for a folder)."""
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None for p in folder.rglob("*")}


# --- s16-21h ---
import gc  # noqa: E402 - this branch's block (merged at the end of the file)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Everything alive once the tests are collected (the toolkit, pandas, openpyxl, the test modules: kept for the
    whole session) is moved out of the cyclic garbage collector's reach (``gc.freeze``), so each full collection
    later walks only what the tests made: about half of the collector's time (≈ 6% of the CPU of
    tests/test_consolidate.py with tests/test_plan_cost.py). Only the collector's work changes: what the tests make
    is collected as before (an xdist worker collects, so runs this too). A close is told (``HOST_FROZE``), so it
    does not count the frozen objects (``gc.get_freeze_count`` walks them all) to find out."""
    # imported here: the toolkit is loaded on first need (the xdist controller runs no test)
    from toolkit.operations import close_month as close_month_module

    gc.collect()
    gc.freeze()
    close_month_module.HOST_FROZE = True


#: Free room the memory file system must have for the tests' temporary files to go there (a PostgreSQL cluster is
#: ~40 MB, each browser profile a few MB; Chromium itself needs /dev/shm, which a container may size at 64 MB).
TESTS_MEMORY_ROOM = 2 * 2**30


@pytest.fixture(scope="session", autouse=True)
def temporary_files_in_memory(tmp_path_factory: pytest.TempPathFactory):
    """The temporary files the test processes make themselves (openpyxl writes and removes one file per sheet at
    every save, the Chromium and LibreOffice profiles, ``tempfile`` in the toolkit and the helpers) go to a private
    folder on the memory file system the writer uses for XlsxWriter's rows (``io.writer.row_tmpdir``: Linux's
    ``/dev/shm``), removed at the end of the session: creating and removing a file on this machine's disk costs
    milliseconds of waiting and system CPU each (an openpyxl save of 11 sheets ≈ 23 ms CPU / 70 ms wall on ``/tmp``
    against 18 / 38 ms in memory). The tests' own folders (``tmp_path``) stay where pytest keeps them; an explicit
    ``TMPDIR`` is honoured; no memory file system changes nothing. Bytes written are the same either way."""
    # imported here: the toolkit is loaded on first need (the xdist controller runs no test)
    from toolkit.io.writer import row_tmpdir

    tmp_path_factory.getbasetemp()  # pytest's folders chosen first, on the system's temporary folder
    memory = None if os.environ.get("TMPDIR") else row_tmpdir()
    if memory is not None and shutil.disk_usage(memory).free < TESTS_MEMORY_ROOM:
        memory = None  # a small /dev/shm (a container's 64 MB): the PostgreSQL cluster and browser profiles stay on disk
    if memory is None:
        yield None
        return
    folder = tempfile.mkdtemp(prefix="toolkit-tests-", dir=memory)
    os.chmod(folder, 0o711)  # the PostgreSQL cluster's folder inside is entered by the user the server runs as
    before, tempfile.tempdir = tempfile.tempdir, folder
    try:
        yield Path(folder)
    finally:
        tempfile.tempdir = before
        shutil.rmtree(folder, ignore_errors=True)
