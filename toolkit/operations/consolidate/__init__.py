"""Consolidation: a folder of department workbooks -> the history store and the consolidated workbook.

``consolidate(paths, period, ...)`` is the one library function behind ``toolkit consolidate`` (and the
first step of ``close-month``): discover workbooks (``discovery``), read and validate them in worker
processes (``pipeline``), load each good one into the store, one transaction per department snapshot
(``policy``), check across departments, then write the consolidated workbook from the store
(``workbook``). Results stream in file order through a bounded window of workers, so memory does not
grow with the number of files. Source files are only ever read.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...runtime import jobs as runtime_jobs
from ...core.findings import Finding
from ...core.ledger import roster_departments
from ...core.periods import check_period
from ...errors import ToolkitError
from ...i18n import register
from ...store import SourceRecord
from ..source import Source
from .discovery import discover, sniff_kind
from ...io.discover import file_identity
from .pipeline import counts, pipeline
from .policy import contract_place, flag_shared_contracts, load_one
from .results import OK_STATUSES, ConsolidationResult, FileOutcome, Skipped
from .workbook import write_workbook
from ..closes import backdated_in_consolidation

register(
    {
        "consolidate.no-files": ("No department workbooks found in {paths}.", "在 {paths} 中没有找到部门工作簿。"),
        "consolidate.no-standards": (
            "No standards workbook: give --standards PATH or put it in the folder.",
            "没有标准工作簿：请用 --standards 指定，或放在文件夹中。",
        ),
        "consolidate.skip.lock": ("lock file of an open workbook", "已打开工作簿的锁文件"),
        "consolidate.skip.hidden": ("hidden file", "隐藏文件"),
        "consolidate.skip.temporary": ("temporary file", "临时文件"),
        "consolidate.skip.not-spreadsheet": ("not a workbook (.xlsx, .xlsm, .xls, .xlsb or .ods)",
                                             "不是工作簿（.xlsx、.xlsm、.xls、.xlsb 或 .ods）"),
        "consolidate.skip.folder": ("sub-folder (not searched)", "子文件夹（未搜索）"),
        "consolidate.skip.link": ("symbolic link (not followed: its target may be outside the folder); name the "
                                  "file itself or copy it into the folder",
                                  "符号链接（未跟随：其目标可能在文件夹之外）；请直接指定该文件或将其复制到文件夹中"),
        "consolidate.skip.link-dangling": ("broken symbolic link: its target does not exist",
                                           "失效的符号链接：其目标不存在"),
        "consolidate.skip.name-not-text": ("its name is not text (saved in another encoding, as some unzip tools "
                                           "do): rename the file and run again",
                                           "文件名不是有效文本（以其他编码保存，某些解压工具会如此）：请重命名该文件后重新运行"),
        "consolidate.skip.same-path": ("listed twice", "重复列出"),
        "consolidate.skip.other-standards": ("another standards workbook (not used)", "另一个标准工作簿（未使用）"),
        "consolidate.skip.output": ("a workbook the toolkit wrote (consolidated workbook, approval queue, report), "
                                    "not a department's", "本工具生成的工作簿（合并工作簿、审批队列、报告），不是部门工作簿"),
        "consolidate.reason.errors": ("{errors} error(s), {warnings} warning(s)", "{errors} 个错误，{warnings} 个警告"),
        "consolidate.reason.strict": ("{warnings} warning(s) (--strict)", "{warnings} 个警告（--strict）"),
        "consolidate.reason.same-file": ("same file as {other}", "与 {other} 是同一个文件"),
        "consolidate.reason.same-department": ("department {department!r} is also claimed by {other}",
                                               "部门“{department}”也出现在 {other} 中"),
        "consolidate.status.consolidated": ("consolidated", "已合并"),
        "consolidate.status.loaded": ("loaded", "已载入"),
        "consolidate.status.unchanged": ("unchanged (already in the store)", "未变化（库中已有）"),
        "consolidate.status.rejected": ("rejected", "已拒收"),
        "consolidate.status.unreadable": ("unreadable", "无法读取"),
        "consolidate.status.duplicate": ("duplicate", "重复"),
    }
)

__all__ = ["consolidate", "ConsolidationResult", "FileOutcome", "Skipped", "OK_STATUSES", "discover", "sniff_kind",
           "file_identity", "write_workbook"]


def consolidate(
    source: Source,
    period: str,
    *,
    output: str | Path | None = None,
    jobs: int | None = None,
    strict: bool = False,
    lang: str = "en",
    command: str = "consolidate",
    progress: Callable[[int, int, FileOutcome], None] | None = None,
    max_rows: int | None = None,
    hand_over: bool = False,
) -> ConsolidationResult:
    """Validate and consolidate the source's department workbooks for ``period`` into its store and a
    consolidated workbook. The standards are the source's, else the one found among its paths.

    Once every file is in, two checks look across files: a contract number in two departments' workbooks,
    and rows dated in months the payout ledger has already closed (``closes.backdated_in_consolidation``:
    a warning naming the rows and the month; they are paid as an adjustment at the next close).

    Never raises for a bad department file (it is listed with its reason); raises ``ToolkitError`` for
    usage errors (bad period, no files, no or broken standards, busy or newer store). ``hand_over``: keep
    each consolidated department's tables as the store wrote them (``ConsolidationResult.handed``), for the
    month close.
    """
    period = check_period(period)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    paths = source.paths
    files, skipped = discover(paths)
    std_path = Path(source.standards) if source.standards else None
    dept_files: list[Path] = []
    for f in files:
        kind = sniff_kind(f)
        if kind == "output":
            skipped.append(Skipped(str(f), "output"))
            continue
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
    source.use_standards(std_path)
    std_data = source.checked_standards(period)
    std_findings = source.standards_findings(period)
    roster = roster_departments(std_data)

    with source.store() as store:
        run = None
        try:
            run = store.new_run(period, command)
            e, w, i = counts(std_findings)
            size, mtime, sha = file_identity(std_path)
            saved = store.record(run, SourceRecord(str(std_path), size, mtime, sha, "standards", "", "loaded",
                                                   None, e, w, i), std_data, std_findings)
            std_outcome = FileOutcome(str(std_path), saved.status, None, "standards", None, e, w, i,
                                      {k: len(v) for k, v in std_data.tables.items()}, sha, saved.snapshot_id,
                                      std_findings)
            outcomes: list[FileOutcome] = []
            by_hash: dict[str, str] = {}
            by_dept: dict[str, str] = {}
            jobs = runtime_jobs(jobs)  # 1 in the Lite mode: no process pool
            n_jobs = max(1, jobs if jobs else (os.cpu_count() or 1))
            n_jobs = min(n_jobs, len(dept_files))
            timings["worker_read_validate_sum"] = 0.0
            places: dict[str, tuple[str, str, str]] = {}  # consolidated file -> its Contracts sheet, column, header
            books: dict[str, Any] = {}  # consolidated file -> its WorkbookData (layout, info)
            handed: dict[int, dict[str, Any]] = {}  # snapshot id -> its tables as written (hand_over)
            timings["store"] = 0.0
            for work in pipeline(dept_files, period, std_data, n_jobs):
                timings["worker_read_validate_sum"] += work.seconds
                ts = time.perf_counter()
                outcome = load_one(store, run, work, strict, by_hash, by_dept, lang, roster)
                timings["store"] += time.perf_counter() - ts
                outcomes.append(outcome)
                if outcome.ok:
                    places[outcome.path] = contract_place(work)
                    books[outcome.path] = getattr(work.report, "data", None)
                    if hand_over and outcome.snapshot_id is not None and work.encoded is not None:
                        # decoded by the ledger, once per table for every department (not 12 x 24 times here)
                        handed[outcome.snapshot_id] = {k: t for k, t in work.encoded.tables.items() if t.rows}
                if progress:
                    progress(len(outcomes), len(dept_files), outcome)
            ts = time.perf_counter()
            flag_shared_contracts(store, outcomes, places)
            for outcome in outcomes if store.closes(current_only=True) else []:
                if outcome.ok and outcome.snapshot_id is not None:
                    found = backdated_in_consolidation(store, outcome, books.get(outcome.path),
                                                       handed.get(outcome.snapshot_id))
                    outcome.findings.extend(found)
                    outcome.warnings += sum(f.severity == "warning" for f in found)
            closed = store.closes(period=period, current_only=True) if command != "close-month" else []
            if closed:  # a closed period reads as it was closed: say so
                std_outcome.findings.append(Finding("period-already-closed", params={
                    "period": period, "version": closed[0].version, "closed_at": closed[0].closed_at}))
                std_outcome.warnings += 1
            timings["cross_checks"] = time.perf_counter() - ts
            timings["read_validate_store"] = time.perf_counter() - t0

            result = ConsolidationResult(period, store.url, run.id, std_outcome, outcomes, skipped, timings=timings,
                                         handed=handed)
            covered = {o.department for o in outcomes if o.ok}
            result.not_computed = [d for d in roster if d not in covered]
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
        except BaseException as exc:
            if run is not None and run.id is not None:  # a failed run changes no period: recorded as failed
                try:
                    store.revert_run(run.id)
                    store.finish_run(run, "failed", {"error": getattr(exc, "key", type(exc).__name__)})
                except Exception:  # noqa: BLE001 - the original error is the one to report
                    pass
            raise
