"""Where an operation's data comes from: the one ``Source`` every operation takes (DESIGN "One way in").

A face builds one ``Source`` — the CLI's ``source_options`` decorator, the ribbon, a library caller — and
hands it to the operation instead of ``paths, standards, db, force``. It holds the three ways in:

* **workbooks**: department workbooks (files or folders) with the standards workbook (``PATH... --standards``);
* **the store**: the departments consolidated in the history store (``--db``; none: ``$TOOLKIT_DB`` or
  ``toolkit.db``);
* **the open workbook**: one department workbook already read (the ribbon) with the standards.

This module is the only one that reads the standards workbook or opens the store (``tests/test_architecture.py``
checks it). The standards are read once per ``Source`` and checked under one policy (``standards``): an
unreadable workbook is a ``ToolkitError``; error findings refuse the operation unless ``force`` (or the ribbon's
``confirm`` says go on). The store is chosen once (``db``) and opened once however many steps use it
(``store()`` nests). Every ledger — from workbooks, the store, the open workbook, and plan drafting's history —
keys departments by the Roster-matched name (``core.ledger.department_name``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.findings import Finding
from ..core.ledger import Ledger
from ..core.royalties import Evaluations, share_evaluations
from ..core.tables import WorkbookData
from ..errors import ToolkitError
from ..i18n import register
from ..io.discover import discover_workbooks, shown_name, skipped_files
from ..store import (DB_ENV, SnapshotInfo, Store, default_db, load_ledger_from_store, mask_url,
                     open_store)
from .ledger import describe, refuse_errors
from .validate import check_data, read_file, validate_file

register(
    {
        "source.standards-errors": (
            "The standards workbook {file} has {count} error finding(s); fix them or run with --force:\n{details}",
            "标准工作簿 {file} 有 {count} 个错误；请修正，或使用 --force 强制计算：\n{details}",
        ),
        "source.standards-errors-fix": (
            "The standards workbook {file} has {count} error finding(s); fix them first:\n{details}",
            "标准工作簿 {file} 有 {count} 个错误，请先修正：\n{details}",
        ),
        "source.standards-unreadable": ("The standards workbook {file} cannot be read: {detail}",
                                        "无法读取标准工作簿 {file}：{detail_zh}"),
        "source.no-standards": ("No standards workbook: give --standards PATH.", "没有标准工作簿：请用 --standards 指定。"),
        "source.needs-input": ("Give department workbooks (PATH...) with --standards, or --db.",
                               "请提供部门工作簿（PATH...）和 --standards，或者 --db。"),
        "source.both-inputs": ("Give either PATH... or --db, not both.", "PATH... 与 --db 只能二选一。"),
        "source.no-store": ("There is no history store {path}; check --db.", "历史库 {path} 不存在；请检查 --db。"),
        "source.no-files": ("No department workbooks found in {paths}.", "在 {paths} 中没有找到部门工作簿。"),
        "source.none-readable": ("None of the department workbooks could be read:\n{details}",
                                 "没有一个部门工作簿可以读取：\n{details}"),
        "source.no-store-history": (
            "The history store {path} holds no consolidated department before {year}; consolidate last year first.",
            "历史库 {path} 中没有 {year} 年之前合并的部门数据；请先合并上一年的数据。"),
        "source.plan-department-rejected": (
            "{department}'s workbook was not consolidated at the close of {period} (rejected: {errors} error finding(s)) and the history store "
            "holds no earlier accepted snapshot of it, so its plan cannot be drafted from history (its people would "
            "look like new hires with no targets). Fix the workbook and consolidate it again, or draft from the "
            "workbooks (PATH... --standards).",
            "{department} 的工作簿在 {period} 的结账中未汇总（因 {errors} 个错误已拒收），历史库中也没有它更早的已接受快照，"
            "因此无法根据历史编制其计划（否则其人员会被当作没有目标的新员工）。请修正该工作簿后重新合并，"
            "或直接用工作簿编制（PATH... --standards）。"),
        "source.no-store-standards": (
            "The history store {path} holds no standards workbook for {period}; give --standards.",
            "历史库 {path} 中没有 {period} 期的标准工作簿；请使用 --standards 指定。"),
    }
)

__all__ = ["DB_ENV", "Source", "worker_store"]  # DB_ENV: the faces name the store's variable without importing it


@dataclass
class Source:
    """One operation's input: department workbooks with the standards, the history store, or the open workbook.

    ``paths``: department workbooks or folders; ``standards``: the standards workbook; ``db``: the store's path
    or URL (None: ``$TOOLKIT_DB``, else ``toolkit.db``) or an open store (the caller closes it); ``force``:
    compute even with error findings; ``workbook``: the open department workbook (the ribbon); ``confirm(count)``:
    asked before refusing errors; ``forceable``: the face offers ``--force``.
    """

    paths: Sequence[str | os.PathLike[str]] = ()
    standards: str | os.PathLike[str] | None = None
    db: str | os.PathLike[str] | Store | None = None
    force: bool = False
    workbook: WorkbookData | None = None
    confirm: Callable[[int], bool] | None = None
    lang: str = "en"
    #: Whether the face offers ``--force`` (a refusal then says so; ``consolidate`` does not).
    forceable: bool = True
    #: The royalty evaluations every ledger of this source shares (``core.royalties.Evaluations``): one per source
    #: unless the caller passes one to share across sources (several closes in one process).
    evaluations: Evaluations = field(default_factory=Evaluations, repr=False, compare=False)
    _std: WorkbookData | None = field(default=None, init=False, repr=False)
    _std_findings: dict[str | None, list[Finding]] = field(default_factory=dict, init=False, repr=False)
    _store: Store | None = field(default=None, init=False, repr=False)
    _held: bool = field(default=False, init=False, repr=False)
    _given: Store | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.paths = tuple(Path(p) for p in self.paths)
        if isinstance(self.db, Store):  # a store already open (a caller's): used as is, never closed here
            self._store = self._given = self.db
            self.db = self._given.url
        elif self.db is not None and not isinstance(self.db, str):
            self.db = str(self.db)

    # ------------------------------------------------------------------ which way in

    @property
    def from_store(self) -> bool:
        """True when the departments come from the store (``--db`` without workbooks)."""
        return bool(self.db) and not self.paths and self.workbook is None

    def require_one(self) -> None:
        """Workbooks (``PATH... --standards``), the open workbook, or the store (``--db``): exactly one."""
        if self.workbook is not None:
            return
        if self.db and self.paths:
            raise ToolkitError("source.both-inputs")
        if not self.db and (not self.paths or self.standards is None):
            raise ToolkitError("source.needs-input")

    def use_standards(self, standards: str | os.PathLike[str]) -> None:
        """Take ``standards`` (consolidation found it among the paths) when none was given."""
        if self.standards is None:
            self.standards = standards
            self._std, self._std_findings = None, {}

    def over(self, paths: Sequence[str | os.PathLike[str]], standards: WorkbookData | None = None) -> Source:
        """Other department workbooks under this source's standards and policy (plan costing's edited plan):
        ``standards`` as already read (e.g. the store's) when this source names no standards file."""
        other = Source(paths, self.standards or (standards.path if standards is not None else None), None,
                       self.force, None, self.confirm, self.lang, self.forceable, self.evaluations)
        other._std = self.read_standards() or standards
        other._std_findings = self._std_findings if self.standards is not None else {}
        return other

    # ------------------------------------------------------------------ the standards, one policy

    def read_standards(self) -> WorkbookData | None:
        """The standards workbook as read (once per source; None when none is given); unreadable: ``ToolkitError``."""
        if self._std is None and self.standards is not None:
            std = read_file(self.standards, "standards")
            if isinstance(std, ToolkitError):
                raise ToolkitError("source.standards-unreadable", file=str(self.standards), detail=std.message(),
                                   detail_zh=std.message("zh")) from None
            self._std = std
        return self._std

    def roster_ids(self) -> list[str]:
        """Employee IDs of the standards' Roster, in order, without blanks or repeats (new workbooks' dropdowns)."""
        std = self.read_standards()
        if std is None:
            raise ToolkitError("source.no-standards")
        ids = std.tables["Roster"]["employee_id"].dropna().astype(str).str.strip() if "Roster" in std.tables else []
        out = list(dict.fromkeys(i for i in ids if i))
        if not out:
            raise ToolkitError("new.no-roster", path=str(self.standards))
        return out

    def standards_findings(self, period: str | None = None) -> list[Finding]:
        """The standards' findings (reader and rules) at ``period``, each naming the file."""
        if period not in self._std_findings:
            std = self.read_standards()
            self._std_findings[period] = [] if std is None else list(check_data(std, None, period).findings)
        return self._std_findings[period]

    def checked_standards(self, period: str | None = None, *, required: bool = True,
                          force: bool | None = None) -> WorkbookData | None:
        """The standards read and checked under the one policy: error findings refuse unless ``force`` (this
        source's, or the argument) or ``confirm(count)``. ``required``: no standards workbook is an error."""
        std = self.read_standards()
        if std is None:
            if required:
                raise ToolkitError("source.no-standards")
            return None
        errors = [f for f in self.standards_findings(period) if f.severity == "error"]
        forced = self.force if force is None else force
        if errors and not forced and not (self.confirm is not None and self.confirm(len(errors))):
            raise ToolkitError("source.standards-errors" if self.forceable else "source.standards-errors-fix",
                               file=str(self.standards), count=len(errors), details=describe(errors, self.lang))
        return std

    # ------------------------------------------------------------------ the store, chosen once

    @property
    def store_url(self) -> str:
        """The store this source uses: ``db``, else ``$TOOLKIT_DB``, else ``toolkit.db`` in the working folder."""
        return str(self.db) if self.db else default_db()

    @property
    def store_name(self) -> str:
        """``store_url`` as messages and outputs show it: a URL's password masked."""
        return mask_url(self.store_url)

    @contextmanager
    def store(self, *, create: bool = True) -> Iterator[Store]:
        """The store, opened once: nested uses share the connection; the outermost closes it, or, inside
        ``with source:`` (what a face does), the end of that block.
        ``create=False``: reading history never creates an empty store (``source.no-store``)."""
        if self._store is not None:
            yield self._store
            return
        url = self.store_url
        if not create and "://" not in url and not Path(url).exists():
            raise ToolkitError("source.no-store", path=self.store_name)
        self._store = open_store(url)
        try:
            yield self._store
        finally:
            if not self._held:
                self.close()

    def close(self) -> None:
        """Close the store if this source opened it (a store handed in open stays open: its owner closes it)."""
        if self._store is self._given:
            return
        store, self._store = self._store, None
        if store is not None:
            store.close()

    def __enter__(self) -> Source:
        self._held = True
        return self

    def __exit__(self, *exc: object) -> None:
        self._held = False
        self.close()

    # ------------------------------------------------------------------ ledgers

    def ledger(self, period: str | None, *, force: bool | None = None) -> Ledger:
        """The ledger of ``period`` from whichever way in this source has; error findings refused unless forced
        (``force`` overrides the source's: the report renders whatever the data)."""
        self.require_one()
        forced = self.force if force is None else force
        if self.workbook is not None:
            return self._open_workbook_ledger(period, forced)
        if self.from_store:
            if period is None:
                raise ToolkitError("source.needs-input")
            with self.store() as store:
                return share_evaluations(load_ledger_from_store(store, period), self.evaluations)
        return self._workbooks_ledger(period, forced)

    def store_ledger(self, period: str, snapshot_ids: list[int] | None = None,
                     handed: dict[int, dict[str, Any]] | None = None) -> Ledger:
        """The ledger of ``period`` from the store (every current department, or just ``snapshot_ids``);
        ``handed``: the rows consolidation just wrote, handed over instead of read back
        (``ConsolidationResult.handed``)."""
        with self.store() as store:
            return share_evaluations(load_ledger_from_store(store, period, snapshot_ids, handed), self.evaluations)

    def _open_workbook_ledger(self, period: str, force: bool) -> Ledger:
        assert self.workbook is not None
        std = self.read_standards()  # its errors are refused with the workbook's, in one question
        if std is None:
            raise ToolkitError("source.no-standards")
        findings = [*self.standards_findings(period), *check_data(self.workbook, std, period).findings]
        refuse_errors(findings, force=force, confirm=self.confirm, lang=self.lang)
        return share_evaluations(Ledger.from_workbooks([self.workbook], std, findings), self.evaluations)

    def _workbooks_ledger(self, period: str | None, force: bool) -> Ledger:
        """Read and validate the department workbooks (files or folders) against the standards, stacked.

        Files with error findings are refused (``ToolkitError`` listing them) unless forced; with force they
        are computed, and unreadable files are left out (``Ledger.left_out``, a ``file-unreadable`` finding).
        Standards workbooks met among the paths (a folder holding standards.xlsx) are skipped."""
        std = self.checked_standards(period, force=force)
        assert std is not None
        findings = list(self.standards_findings(period))
        std_file = Path(self.standards).resolve() if self.standards is not None else None
        files = [p for p in discover_workbooks(self.paths) if Path(p).resolve() != std_file]
        books: list[WorkbookData] = []
        unreadable: list[str] = []
        left_out: dict[str, str] = {}
        for link, why in skipped_files(self.paths):  # issue 22: a link in a folder is not followed, and says so
            if why == "name-not-text":  # a name no store, JSON or message can carry: left out, and says so
                left_out[shown_name(link)] = why
                findings.append(Finding("file-name-not-text", file=shown_name(link), value=shown_name(link)))
            elif why in ("link", "link-dangling"):
                left_out[str(link)] = why
                findings.append(Finding("file-link-skipped", file=str(link), value=str(link),
                                        params={"dangling": " (its target does not exist)" if why == "link-dangling"
                                                else "", "dangling_zh": "（其目标不存在）"
                                                if why == "link-dangling" else ""}))
        for path in files:
            report = validate_file(path, standards=std, period=period)
            if report.data is not None and report.data.kind == "standards":
                continue
            if report.status == "unreadable" or report.data is None:
                detail = report.error.message() if report.error is not None else str(path)
                detail_zh = report.error.message("zh") if report.error is not None else detail
                unreadable.append(f"  {detail}")
                left_out[str(path)] = detail
                findings.append(Finding("file-unreadable", file=str(path), value=str(path),
                                        params={"detail": detail, "detail_zh": detail_zh}))
                continue
            for f in report.findings:
                f.file = f.file or str(path)
            findings.extend(report.findings)
            books.append(report.data)
        if not books and not unreadable:
            raise ToolkitError("source.no-files", paths=", ".join(str(p) for p in self.paths))
        refuse_errors(findings, force=force, unreadable=unreadable, lang=self.lang)
        if not books:
            raise ToolkitError("source.none-readable", details="\n".join(unreadable))
        ledger = Ledger.from_workbooks(books, std, findings)
        ledger.left_out.update(left_out)
        return share_evaluations(ledger, self.evaluations)

    def history_ledger(self, year: int, *, refuse_rejected: bool = True) -> Ledger:
        """Plan drafting's history for ``year``: the workbooks (with the standards), or the departments the store
        consolidated for the latest period before ``year`` (with ``standards`` when given — its Roster is the new
        year's — else the stored standards). Departments, ``langs`` and ``sources`` are keyed by the
        Roster-matched name either way, as every ledger is."""
        self.require_one()
        if not self.from_store:
            return self._workbooks_ledger(None, self.force)
        with self.store(create=False) as store:
            found = _history_snapshots(store, year)
            if found is None:
                raise ToolkitError("source.no-store-history", path=store.url, year=year)
            period, latest, earlier = found
            books = [store.load_snapshot(s.id) for s in latest]
            notes = [Finding("plan-department-earlier-snapshot", value=s.department,
                             params={"period": s.period, "latest": period}) for s in earlier]
            books += [store.load_snapshot(s.id) for s in earlier]
            if refuse_rejected:
                _refuse_rejected(store, period, {s.department for s in [*latest, *earlier]})
            if self.standards is not None:
                std = self.checked_standards(None)
            else:
                snaps = store.current(period, kind="standards")
                if not snaps:
                    raise ToolkitError("source.no-store-standards", path=store.url, period=period)
                std = store.load_snapshot(snaps[0].id)
        assert std is not None
        return share_evaluations(Ledger.from_workbooks(books, std, notes), self.evaluations)

    def refuse_rejected_plan(self, year: int, departments: set[str]) -> None:
        """Stop when one of ``departments`` was rejected at the store's latest close before ``year`` and has no
        accepted snapshot (``source.plan-department-rejected``); workbooks as the source have nothing to check."""
        if not self.from_store:
            return
        with self.store(create=False) as store:
            found = _history_snapshots(store, year)
            if found is not None:
                period, latest, earlier = found
                _refuse_rejected(store, period, {s.department for s in [*latest, *earlier]}, only=departments)


def _history_snapshots(store: Store, year: int) -> tuple[str, list[SnapshotInfo], list[SnapshotInfo]] | None:
    """Plan drafting's history in the store: the latest period before ``year``, its current snapshots, and each
    missing department's last accepted earlier one; None when the store holds nothing before ``year``."""
    periods = sorted({s.period for s in store.history() if s.period < f"{year}-01"})
    if not periods:
        return None
    latest = store.current(periods[-1])
    return periods[-1], latest, _earlier_snapshots(store.history(), latest, periods[-1])


def _earlier_snapshots(history: list[SnapshotInfo], latest: list[SnapshotInfo], period: str) -> list[SnapshotInfo]:
    """Issue 24: each department with no accepted snapshot at ``period`` (rejected or not sent at that close), its
    latest accepted one of an earlier period (a snapshot holds the whole rolling register: its history to then)."""
    have = {s.department for s in latest}
    last: dict[str, SnapshotInfo] = {}
    for snap in history:  # oldest first: a later period (or a later run of the same one) replaces an earlier
        if snap.is_current and snap.period < period and snap.department not in have:
            if snap.department not in last or snap.period >= last[snap.department].period:
                last[snap.department] = snap
    return sorted(last.values(), key=lambda s: s.department)


def _refuse_rejected(store: Store, period: str, drafted: set[str], only: set[str] | None = None) -> None:
    """A department whose workbook the close of ``period`` rejected and that has no accepted snapshot at all stops
    the draft (``source.plan-department-rejected``): drafted without history it would get no targets."""
    for run in store.runs(period):
        for rec in store.sources(run.id):
            if rec.status == "rejected" and rec.kind != "standards" and rec.department \
                    and rec.department not in drafted and (only is None or rec.department in only):
                raise ToolkitError("source.plan-department-rejected", department=rec.department, period=period,
                                   errors=rec.errors)


def worker_store(url: str) -> Store:
    """A worker process's own connection to the store a ``Source`` chose (by its URL); the worker closes it."""
    return open_store(url)
