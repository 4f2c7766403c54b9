"""Reading and validating files in worker processes, results in file order through a bounded window.

Worker processes are disposable, so they parse in-process (``safety.read_in_process_first``); when one
dies (a reader abort, a timeout), the files not yet done are read again with every read isolated.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path
from typing import Any

from ...core.findings import Finding
from ...io.discover import file_identity
from ...core.tables import WorkbookData
from ...io.safety import read_in_process_first
from ...store.codec import encode_workbook
from ..validate import validate_file

_WORKER_STANDARDS: WorkbookData | None = None
#: Files in flight per worker: enough that workers never wait while the parent stores a file.
_WINDOW = 4


def _init_worker(standards: WorkbookData | None, in_process_first: bool = False) -> None:
    global _WORKER_STANDARDS
    _WORKER_STANDARDS = standards
    if in_process_first:
        read_in_process_first()


@dataclass
class Work:
    path: str
    size: int | None
    mtime: str | None
    sha256: str | None
    report: Any
    seconds: float = 0.0  # read + validate time in the worker
    encoded: Any = None  # the report's tables encoded for the store (report.data.tables is then empty)


def _process(path: str, period: str, encode: bool = True) -> Work:
    """In a worker: identify, read and validate one file (``validate_file`` never raises for bad input).

    A file without errors (it will most likely be loaded) has its tables encoded for the store here and
    sent instead of its frames: cheaper to pickle, and the parent process, which writes the store one
    file at a time, has less to do (``encode=False``: the frames are sent, for callers that use them)."""
    p = Path(path)
    start = time.perf_counter()
    try:
        size, mtime, sha = file_identity(p)
    except OSError:
        size = mtime = sha = None
    report = validate_file(p, standards=_WORKER_STANDARDS, period=period)
    seconds = time.perf_counter() - start
    encoded = None
    data = getattr(report, "data", None)
    if encode and data is not None and report.status != "unreadable" and not counts(list(report.findings or []))[0]:
        encoded = encode_workbook(data)
        report.data = replace(data, tables={})
    return Work(path, size, mtime, sha, report, seconds, encoded)


def in_order(pool: ProcessPoolExecutor, fn: Callable[..., Any], calls: Iterable[tuple], width: int) -> Iterator[Any]:
    """``fn(*args)`` for each ``args`` of ``calls`` in ``pool``, results in order, at most ``width`` in flight
    (bounded memory). Each result is yielded before the next call is submitted, so when the pool breaks the
    results stop right after the last one yielded."""
    window: deque[Future] = deque()
    todo = iter(calls)
    for args in islice(todo, width):
        window.append(pool.submit(fn, *args))
    while window:
        yield window.popleft().result()
        args = next(todo, None)
        if args is not None:
            window.append(pool.submit(fn, *args))


def pipeline(files: list[Path], period: str, standards: WorkbookData | None, jobs: int, trusting: bool = True,
             encode: bool = True):
    """Results in file order, with at most ``_WINDOW × jobs`` files in flight (bounded memory).

    Worker processes are disposable, so they parse in-process (``safety.read_in_process_first``); when
    one dies (a reader abort, a timeout), the files not yet done are run again in a fresh pool that
    isolates every read in a child, which turns the bad file into its usual message."""
    if jobs <= 1:
        _init_worker(standards)
        for f in files:
            yield _process(str(f), period, encode)
        return
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(standards, trusting)) as pool:
            for work in in_order(pool, _process, ((str(f), period, encode) for f in files), _WINDOW * jobs):
                yield work
                done += 1
        return
    except BrokenProcessPool:
        if not trusting:
            raise BrokenProcessPool("a worker died while every read was isolated") from None
    yield from pipeline(files[done:], period, standards, jobs, trusting=False, encode=encode)


def counts(findings: list[Finding]) -> tuple[int, int, int]:
    sev = [f.severity for f in findings]
    return sev.count("error"), sev.count("warning"), sev.count("info")
