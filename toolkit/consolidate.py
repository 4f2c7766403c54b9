"""Consolidation: a folder of department workbooks -> the history store and the consolidated workbook.

``consolidate(paths, period, ...)`` is the one library function behind ``toolkit consolidate`` (and
the first step of ``close-month``): discover workbooks, read and validate them in worker processes,
load each good one into the store (one transaction per department snapshot), then write the
consolidated workbook from the store. Results stream in file order through a bounded window of
workers, so memory does not grow with the number of files. Source files are only ever read.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, Self

from .core.findings import Finding, declare
from .core.tables import WorkbookData
from .errors import ToolkitError
from .i18n import register, t
from .schema import DEPARTMENT, STANDARDS
from .store import SourceRecord, Store, open_store

register(
    {
        "consolidate.bad-period": ("Period {period!r} is not a month in the form YYYY-MM.",
                                   "报告期“{period}”不是 YYYY-MM 格式的月份。"),
        "consolidate.no-files": ("No department workbooks found in {paths}.", "在 {paths} 中没有找到部门工作簿。"),
        "consolidate.no-standards": (
            "No standards workbook: give --standards PATH or put it in the folder.",
            "没有标准工作簿：请用 --standards 指定，或放在文件夹中。",
        ),
        "consolidate.standards-unreadable": ("The standards workbook {file} cannot be read: {detail}",
                                             "无法读取标准工作簿 {file}：{detail}"),
        "consolidate.standards-errors": (
            "The standards workbook {file} has {count} error finding(s); fix them first:\n{details}",
            "标准工作簿 {file} 有 {count} 个错误，请先修正：\n{details}",
        ),
        "consolidate.skip.lock": ("lock file of an open workbook", "已打开工作簿的锁文件"),
        "consolidate.skip.hidden": ("hidden file", "隐藏文件"),
        "consolidate.skip.temporary": ("temporary file", "临时文件"),
        "consolidate.skip.not-spreadsheet": ("not an .xlsx/.xlsm workbook", "不是 .xlsx/.xlsm 工作簿"),
        "consolidate.skip.folder": ("sub-folder (not searched)", "子文件夹（未搜索）"),
        "consolidate.skip.same-path": ("listed twice", "重复列出"),
        "consolidate.skip.other-standards": ("another standards workbook (not used)", "另一个标准工作簿（未使用）"),
        "consolidate.reason.errors": ("{errors} error(s), {warnings} warning(s)", "{errors} 个错误，{warnings} 个警告"),
        "consolidate.reason.strict": ("{warnings} warning(s) (--strict)", "{warnings} 个警告（--strict）"),
        "consolidate.reason.same-file": ("same file as {other}", "与 {other} 是同一个文件"),
        "consolidate.reason.same-department": ("department {department!r} is also claimed by {other}",
                                               "部门“{department}”也出现在 {other} 中"),
        "consolidate.status.consolidated": ("consolidated", "已合并"),
        "consolidate.status.loaded": ("loaded", "已载入"),
        "consolidate.status.unchanged": ("unchanged (already in the store)", "未变化（库中已有）"),
        "consolidate.status.rejected": ("rejected", "已拒绝"),
        "consolidate.status.unreadable": ("unreadable", "无法读取"),
        "consolidate.status.duplicate": ("duplicate", "重复"),
    }
)

declare("contract-in-two-departments", "warning", ("Contract in two departments", "合同出现在两个部门"),
        (("{sheet}!{cell}: Contract No {value!r} is also in {department}'s workbook ({other_file}, row "
          "{other_row}); a contract counted in two departments is paid and reported twice."),
         ("{sheet}!{cell}：合同编号“{value}”也出现在{department}的工作簿中（{other_file}，第 {other_row} 行）；"
          "同一合同计入两个部门会重复计提成、重复统计。")))

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
OK_STATUSES = ("loaded", "unchanged")


# --------------------------------------------------------------------------- results


@dataclass
class FileOutcome:
    """What became of one source file."""

    path: str
    status: str  # loaded | unchanged | rejected | unreadable | duplicate
    department: str | None = None
    kind: str | None = None
    reason: str | None = None
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    sha256: str | None = None
    snapshot_id: int | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {"path": self.path, "department": self.department, "status": self.status, "reason": self.reason,
                "errors": self.errors, "warnings": self.warnings, "rows": self.rows, "sha256": self.sha256,
                "snapshot_id": self.snapshot_id,
                "findings": [{**f.to_dict(lang), "file": f.file} for f in self.findings]}


@dataclass
class Skipped:
    """A file found in a folder but not taken, and why (``consolidate.skip.*`` key)."""

    path: str
    reason: str

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {"path": self.path, "reason": self.reason, "message": t(f"consolidate.skip.{self.reason}", lang)}


@dataclass
class ConsolidationResult:
    """A consolidation run: every file's outcome, what was skipped, the workbook and the timings."""

    period: str
    store: str
    run_id: int | None
    standards: FileOutcome | None
    files: list[FileOutcome]
    skipped: list[Skipped]
    workbook: Path | None = None
    sheets: list[Any] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def consolidated(self) -> list[FileOutcome]:
        return [f for f in self.files if f.ok]

    @property
    def failed(self) -> list[FileOutcome]:
        return [f for f in self.files if not f.ok]

    @property
    def exit_code(self) -> int:
        """0 when every department was consolidated, 1 when some were rejected or unreadable."""
        return 1 if self.failed or not self.files else 0

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "period": self.period, "store": self.store, "run_id": self.run_id,
            "standards": self.standards.to_dict(lang) if self.standards else None,
            "files": [f.to_dict(lang) for f in self.files],
            "skipped": [s.to_dict(lang) for s in self.skipped],
            "workbook": str(self.workbook) if self.workbook else None,
            "sheets": [{"table": p.table, "sheet": p.sheet, "rows": p.rows, "part": p.part, "parts": p.parts}
                       for p in self.sheets],
            "consolidated": len(self.consolidated), "failed": len(self.failed), "exit_code": self.exit_code,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


# --------------------------------------------------------------------------- discovery


def discover(paths: Sequence[str | Path]) -> tuple[list[Path], list[Skipped]]:
    """Workbooks named by ``paths`` (``toolkit.io.discover``: files as given, folders one level, sorted)
    and the files the folder scan skipped (lock, hidden, temporary, not a spreadsheet), each with its reason.
    A file listed twice is reported once as ``same-path``."""
    from .io.discover import discover_workbooks, skipped_files

    found = discover_workbooks(paths)
    skipped = [Skipped(str(p), reason) for p, reason in skipped_files(paths)]
    named = [Path(p) for p in paths if not Path(p).is_dir()]
    for p in named:
        if sum(1 for q in named if q.resolve() == p.resolve()) > 1 and str(p) not in {s.path for s in skipped}:
            skipped.append(Skipped(str(p), "same-path"))
    return found, skipped


def sniff_kind(path: Path) -> str | None:
    """``"standards"`` or ``"department"`` from the sheet names in the zip's workbook.xml (cheap; no cells
    read); None when the file is not a readable zip (the reader then reports why)."""
    try:
        with zipfile.ZipFile(path) as zf:
            xml = zf.read("xl/workbook.xml")[:1_000_000].decode("utf-8", "replace")
    except (OSError, zipfile.BadZipFile, KeyError):
        return None
    names = {n.casefold() for n in re.findall(r'<(?:\w+:)?sheet\b[^>]*\bname="([^"]*)"', xml)}
    roster = {x.casefold() for x in STANDARDS.table("Roster").sheet.all()}
    plan = {x.casefold() for x in DEPARTMENT.table("Plan").sheet.all()}
    if names & roster and not names & plan:
        return "standards"
    return "department"


# --------------------------------------------------------------------------- workers

_WORKER_STANDARDS: WorkbookData | None = None
#: Files in flight per worker: enough that workers never wait while the parent stores a file.
_WINDOW = 4


def _init_worker(standards: WorkbookData | None, in_process_first: bool = False) -> None:
    global _WORKER_STANDARDS
    _WORKER_STANDARDS = standards
    if in_process_first:
        from .io.safety import read_in_process_first

        read_in_process_first()


def file_identity(path: Path) -> tuple[int, str, str]:
    """Size, modification time (UTC ISO) and SHA-256 of a file, read in 1 MB blocks."""
    st = path.stat()
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    mtime = datetime.fromtimestamp(st.st_mtime, UTC).isoformat()
    return st.st_size, mtime, digest.hexdigest()


@dataclass
class _Work:
    path: str
    size: int | None
    mtime: str | None
    sha256: str | None
    report: Any
    seconds: float = 0.0  # read + validate time in the worker
    encoded: Any = None  # the report's tables encoded for the store (report.data.tables is then empty)


def _process(path: str, period: str) -> _Work:
    """In a worker: identify, read and validate one file (``validate_file`` never raises for bad input).

    A file without errors (it will most likely be loaded) has its tables encoded for the store here and
    sent instead of its frames: cheaper to pickle, and the parent process, which writes the store one
    file at a time, has less to do."""
    from .store.codec import encode_workbook
    from .validate import validate_file

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
    if data is not None and report.status != "unreadable" and not _counts(list(report.findings or []))[0]:
        encoded = encode_workbook(data)
        report.data = replace(data, tables={})
    return _Work(path, size, mtime, sha, report, seconds, encoded)


def _in_order(pool: ProcessPoolExecutor, fn: Callable[..., Any], calls: Iterable[tuple], width: int) -> Iterator[Any]:
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


def _pipeline(files: list[Path], period: str, standards: WorkbookData | None, jobs: int, trusting: bool = True):
    """Results in file order, with at most ``_WINDOW × jobs`` files in flight (bounded memory).

    Worker processes are disposable, so they parse in-process (``safety.read_in_process_first``); when
    one dies (a reader abort, a timeout), the files not yet done are run again in a fresh pool that
    isolates every read in a child, which turns the bad file into its usual message."""
    if jobs <= 1:
        _init_worker(standards)
        for f in files:
            yield _process(str(f), period)
        return
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(standards, trusting)) as pool:
            for work in _in_order(pool, _process, ((str(f), period) for f in files), _WINDOW * jobs):
                yield work
                done += 1
        return
    except BrokenProcessPool:
        if not trusting:
            raise BrokenProcessPool("a worker died while every read was isolated") from None
    yield from _pipeline(files[done:], period, standards, jobs, trusting=False)


# --------------------------------------------------------------------------- the operation


def check_period(period: str) -> str:
    """``period`` if it is YYYY-MM, else a ToolkitError."""
    if not isinstance(period, str) or not _PERIOD.match(period.strip()):
        raise ToolkitError("consolidate.bad-period", period=period)
    return period.strip()


def _counts(findings: list[Finding]) -> tuple[int, int, int]:
    sev = [f.severity for f in findings]
    return sev.count("error"), sev.count("warning"), sev.count("info")


def _department_of(report: Any, path: Path) -> str:
    dept = getattr(report, "department", None)
    if not dept and getattr(report, "data", None) is not None:
        dept = report.data.info.get("department")
    text = "" if dept is None else str(dept).strip()
    return text if text and text.lower() != "nan" else path.stem


def _read_standards(path: Path, period: str) -> tuple[WorkbookData, list[Finding]]:
    from .io.reader import read_workbook

    try:
        data = read_workbook(path, kind="standards")
    except ToolkitError as exc:
        raise ToolkitError("consolidate.standards-unreadable", file=str(path), detail=exc.message()) from exc
    from .validate import check_data

    findings = list(check_data(data, None, period).findings)  # reader findings + the standards' own rules
    for f in findings:
        f.file = f.file or str(path)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        details = "\n".join(f"  {f.message()}" for f in errors[:20])
        raise ToolkitError("consolidate.standards-errors", file=str(path), count=len(errors), details=details)
    return data, findings


def consolidate(
    paths: Sequence[str | Path],
    period: str,
    *,
    standards: str | Path | None = None,
    db: str | Path | Store | None = None,
    output: str | Path | None = None,
    jobs: int | None = None,
    strict: bool = False,
    lang: str = "en",
    command: str = "consolidate",
    progress: Callable[[int, int, FileOutcome], None] | None = None,
    max_rows: int | None = None,
) -> ConsolidationResult:
    """Validate and consolidate department workbooks for ``period`` into the store and a consolidated workbook.

    Never raises for a bad department file (it is listed with its reason); raises ``ToolkitError`` for
    usage errors (bad period, no files, no or broken standards, busy or newer store).
    """
    period = check_period(period)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    files, skipped = discover(paths)
    std_path = Path(standards) if standards else None
    dept_files: list[Path] = []
    for f in files:
        kind = sniff_kind(f)
        if kind == "standards":
            if std_path is None:
                std_path = f
            elif f.resolve() != std_path.resolve():
                skipped.append(Skipped(str(f), "other-standards"))
            continue
        dept_files.append(f)
    if not dept_files:
        raise ToolkitError("consolidate.no-files", paths=", ".join(str(p) for p in paths))
    if std_path is None:
        raise ToolkitError("consolidate.no-standards")
    std_data, std_findings = _read_standards(std_path, period)

    store = db if isinstance(db, Store) else open_store(db)
    try:
        run = store.new_run(period, command)
        e, w, i = _counts(std_findings)
        size, mtime, sha = file_identity(std_path)
        saved = store.record(run, SourceRecord(str(std_path), size, mtime, sha, "standards", "", "loaded",
                                               None, e, w, i), std_data, std_findings)
        std_outcome = FileOutcome(str(std_path), saved.status, None, "standards", None, e, w, i,
                                  {k: len(v) for k, v in std_data.tables.items()}, sha, saved.snapshot_id,
                                  std_findings)
        outcomes: list[FileOutcome] = []
        by_hash: dict[str, str] = {}
        by_dept: dict[str, str] = {}
        n_jobs = max(1, jobs if jobs else (os.cpu_count() or 1))
        n_jobs = min(n_jobs, len(dept_files))
        timings["worker_read_validate_sum"] = 0.0
        places: dict[str, tuple[str, str, str]] = {}  # consolidated file -> its Contracts sheet, column, header
        timings["store"] = 0.0
        for work in _pipeline(dept_files, period, std_data, n_jobs):
            timings["worker_read_validate_sum"] += work.seconds
            ts = time.perf_counter()
            outcome = _load_one(store, run, work, strict, by_hash, by_dept, lang)
            timings["store"] += time.perf_counter() - ts
            outcomes.append(outcome)
            if outcome.ok:
                places[outcome.path] = _contract_place(work)
            if progress:
                progress(len(outcomes), len(dept_files), outcome)
        ts = time.perf_counter()
        _contracts_in_two_departments(store, outcomes, places)
        timings["cross_checks"] = time.perf_counter() - ts
        timings["read_validate_store"] = time.perf_counter() - t0

        result = ConsolidationResult(period, store.url, run.id, std_outcome, outcomes, skipped, timings=timings)
        t1 = time.perf_counter()
        if output is not None:
            result.workbook = Path(output)
            result.sheets = write_workbook(store, result, Path(output), lang, max_rows, n_jobs)
        timings["workbook"] = time.perf_counter() - t1
        store.finish_run(run, "ok" if result.exit_code == 0 else "partial", {
            "consolidated": len(result.consolidated), "failed": len(result.failed), "skipped": len(skipped),
            "workbook": str(result.workbook) if result.workbook else None})
        result.run_id = run.id
        timings["total"] = time.perf_counter() - t0
        return result
    finally:
        if store is not db:
            store.close()


def _load_one(store: Store, run: Any, work: _Work, strict: bool, by_hash: dict[str, str],
              by_dept: dict[str, str], lang: str) -> FileOutcome:
    """Decide what to do with one validated file and record it in the store."""
    report = work.report
    path = Path(work.path)
    findings = list(getattr(report, "findings", []) or [])
    for f in findings:
        f.file = f.file or work.path
    e, w, i = _counts(findings)
    data: WorkbookData | None = getattr(report, "data", None)
    status, reason = "loaded", None
    department = _department_of(report, path) if data is not None else None
    if report.status == "unreadable" or data is None:
        error = getattr(report, "error", None)
        status = "unreadable"
        reason = error.message(lang) if isinstance(error, ToolkitError) else str(error or "")
    elif e:
        status, reason = "rejected", t("consolidate.reason.errors", lang, errors=e, warnings=w)
    elif strict and w:
        status, reason = "rejected", t("consolidate.reason.strict", lang, warnings=w)
    elif work.sha256 in by_hash:
        status, reason = "duplicate", t("consolidate.reason.same-file", lang, other=by_hash[work.sha256])
    elif department in by_dept:
        status, reason = "duplicate", t("consolidate.reason.same-department", lang, department=department,
                                        other=by_dept[department])
    stored: Any = data if work.encoded is None else work.encoded  # the frames, or as encoded in the worker
    if work.encoded is not None:
        rows = dict(work.encoded.rows)
    else:
        rows = {k: len(v) for k, v in data.tables.items()} if data is not None else {}
    source = SourceRecord(work.path, work.size, work.mtime, work.sha256, "department", department, status,
                          reason, e, w, i)
    saved = store.record(run, source, stored if status == "loaded" else None, findings)
    if status == "loaded":
        by_hash[work.sha256 or work.path] = work.path
        by_dept[department or ""] = work.path
    return FileOutcome(work.path, saved.status, department, "department", reason, e, w, i, rows, work.sha256,
                       saved.snapshot_id, findings)


def _contract_place(work: _Work) -> tuple[str, str, str]:
    """Where a file's Contract No column is: (sheet, column letter, header as written)."""
    data = getattr(work.report, "data", None)
    layout = data.layout.get("Contracts") if data is not None else None
    if layout is None or "contract_no" not in layout.columns:
        return _contract_place_default()
    letter, header = layout.columns["contract_no"]
    return layout.sheet, letter, header


def _contracts_in_two_departments(store: Store, outcomes: list[FileOutcome],
                                  places: dict[str, tuple[str, str, str]]) -> None:
    """A warning on each later row whose contract number is also in an earlier consolidated department's
    workbook (files in order; repeats inside one file are that file's own ``duplicate-key`` errors). The
    departments stay consolidated: the finding is about the pair, for the director to settle."""
    ok = [o for o in outcomes if o.ok and o.snapshot_id is not None]
    order = {o.snapshot_id: i for i, o in enumerate(ok)}
    shared = store.shared_values(list(order), "Contracts", "contract_no")
    first: dict[str, tuple[int, int]] = {}
    for value, sid, row in sorted(shared, key=lambda x: (order[x[1]], x[2])):
        key = value.strip().lower()
        if key not in first:
            first[key] = (sid, row)
            continue
        sid0, row0 = first[key]
        if sid0 == sid:
            continue
        earlier, outcome = ok[order[sid0]], ok[order[sid]]
        sheet, letter, header = places.get(outcome.path, _contract_place_default())
        outcome.findings.append(Finding("contract-in-two-departments", sheet=sheet, cell=f"{letter}{row}", row=row,
                                        column=header, value=value, file=outcome.path,
                                        params={"department": earlier.department, "other_file": earlier.path,
                                                "other_row": row0}))
        outcome.warnings += 1


def _contract_place_default() -> tuple[str, str, str]:
    table = DEPARTMENT.table("Contracts")
    return table.sheet("en"), "A", table.column("contract_no").header("en")


def write_workbook(store: Store, result: ConsolidationResult, path: Path, lang: str,
                   max_rows: int | None = None, jobs: int = 1) -> list[Any]:
    """Write the consolidated workbook of the run's consolidated departments, streamed from the store
    (rows rendered in ``jobs`` worker processes when the store is a file they can open)."""
    from .io.consolidated import FindingRow, SummaryRow, write_consolidated
    from .io.writer import MAX_DATA_ROWS

    ids = [f.snapshot_id for f in result.consolidated if f.snapshot_id is not None]
    summary = []
    findings = []
    for f in result.files:
        label = "consolidated" if f.ok else f.status
        summary.append(SummaryRow(f.department or "", f.path, t(f"consolidate.status.{label}", lang),
                                  f.reason or "", f.errors, f.warnings, f.rows))
        for x in f.findings:
            findings.append(FindingRow(f.department or "", f.path, x.severity or "", x.code, x.sheet, x.cell,
                                       None if x.value is None else str(x.value), x.message(lang)))
    with _StoreRows(store, ids, jobs) as rows:
        return write_consolidated(path, rows, summary, findings, lang, max_rows or MAX_DATA_ROWS)


_WORKER_STORE: dict[str, Store] = {}


def _render_snapshot(url: str, snapshot_id: int, table_key: str, spec: Any, start: int) -> list[Any]:
    """In a worker: one snapshot's rows of a table, rendered as worksheet XML pieces."""
    store = _WORKER_STORE.get(url)
    if store is None:
        store = _WORKER_STORE[url] = open_store(url)
    return list(_rendered(store, snapshot_id, table_key, spec, start))


def _rendered(store: Store, snapshot_id: int, table_key: str, spec: Any, start: int) -> Iterator[Any]:
    """One snapshot's rows of a table as rendered pieces, from the store's cell values."""
    from .io.consolidated import render_values

    for columns in store.iter_cells([snapshot_id], table_key, spec.lang):
        yield from render_values(columns, spec, start)
        start += len(columns[0])


class _StoreRows:
    """The consolidated rows of the given snapshots, read from the store and rendered snapshot by snapshot,
    in order; with ``jobs`` > 1 and a file store, worker processes read and render (a bounded window)."""

    def __init__(self, store: Store, ids: list[int], jobs: int) -> None:
        self.store, self.ids = store, ids
        url = getattr(store, "url", None)
        self.url = url if isinstance(url, str) and url.startswith("sqlite:///") else None
        self.width = 2 * jobs  # rendered snapshots in flight (a few MB of XML each)
        self.pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 and self.url and len(ids) > 1 else None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def count(self, table: Any) -> int:
        return self.store.count_rows(self.ids, table.key)

    def pieces(self, table: Any, spec: Any) -> Iterator[Any]:
        starts, start = [], 0
        for sid in self.ids:
            starts.append(start)
            start += self.store.count_rows([sid], table.key)
        if self.pool is None:
            for sid, first in zip(self.ids, starts):
                yield from _rendered(self.store, sid, table.key, spec, first)
            return
        calls = ((self.url, sid, table.key, spec, first) for sid, first in zip(self.ids, starts))
        for pieces in _in_order(self.pool, _render_snapshot, calls, self.width):
            yield from pieces
