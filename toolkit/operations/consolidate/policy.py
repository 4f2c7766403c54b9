"""What becomes of each validated file: loaded into the store, rejected, a duplicate; and the check
across departments once every file is in (a contract number in two departments' workbooks)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...core.findings import Finding
from ...core.ledger import department_name
from ...core.tables import WorkbookData
from ...core.validation.crossdept import contracts_in_two_departments
from ...errors import ToolkitError
from ...i18n import t
from ...schema import DEPARTMENT
from ...store import SourceRecord, Store
from .pipeline import Work, counts
from .results import FileOutcome


def load_one(store: Store, run: Any, work: Work, strict: bool, by_hash: dict[str, str],
              by_dept: dict[str, str], lang: str, roster: Sequence[str] = ()) -> FileOutcome:
    """Decide what to do with one validated file and record it in the store."""
    report = work.report
    path = Path(work.path)
    findings = list(getattr(report, "findings", []) or [])
    for f in findings:
        f.file = f.file or work.path
    e, w, i = counts(findings)
    data: WorkbookData | None = getattr(report, "data", None)
    status, reason = "loaded", None
    department = department_name(_info_department(report), path, roster) if data is not None else None
    if report.status == "unreadable" or data is None:
        error = getattr(report, "error", None)
        status = "unreadable"
        reason = error.message(lang) if isinstance(error, ToolkitError) else str(error or "")
    elif e:
        status, reason = "rejected", t("consolidate.reason.errors", lang, errors=e, warnings=w)
    elif strict and w:
        status, reason = "rejected", t("consolidate.reason.strict", lang, warnings=w)
    elif (dup := duplicate_reason(work.sha256, department, by_hash, by_dept, lang)) is not None:
        status, reason = "duplicate", dup
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


def duplicate_reason(sha256: str | None, department: str | None, by_hash: dict[str, str], by_dept: dict[str, str],
                     lang: str) -> str | None:
    """Why a file is a duplicate of one already taken (``by_hash``: SHA-256 → path; ``by_dept``: department →
    path), or None: the same bytes, or the same department. Consolidation and the approval queue use it."""
    if sha256 in by_hash:
        return t("consolidate.reason.same-file", lang, other=by_hash[sha256])
    if department in by_dept:
        return t("consolidate.reason.same-department", lang, department=department, other=by_dept[department])
    return None


def _info_department(report: Any) -> Any:
    dept = getattr(report, "department", None)
    if not dept and getattr(report, "data", None) is not None:
        dept = report.data.info.get("department")
    return dept


def contract_place(work: Work) -> tuple[str, str, str]:
    """Where a file's Contract No column is: (sheet, column letter, header as written)."""
    data = getattr(work.report, "data", None)
    layout = data.layout.get("Contracts") if data is not None else None
    if layout is None or "contract_no" not in layout.columns:
        return _contract_place_default()
    letter, header = layout.columns["contract_no"]
    return layout.sheet, letter, header


def flag_shared_contracts(store: Store, outcomes: list[FileOutcome],
                          places: dict[str, tuple[str, str, str]]) -> None:
    """A warning on each later row whose contract number is also in an earlier consolidated department's
    workbook (files in order; repeats inside one file are that file's own ``duplicate-key`` errors). The
    departments stay consolidated: the finding is about the pair, for the director to settle."""
    ok = [o for o in outcomes if o.ok and o.snapshot_id is not None]
    order = {o.snapshot_id: i for i, o in enumerate(ok)}
    shared = store.shared_values(list(order), "Contracts", "contract_no")
    for value, sid, row, sid0, row0 in contracts_in_two_departments(shared, order):
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
