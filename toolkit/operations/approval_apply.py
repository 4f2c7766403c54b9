"""Write the director's decisions from an approval queue back into the department workbooks (``toolkit approvals
apply``, the ribbon's Apply decisions), and record every decision in the history store (the audit trail).

Approve and Reject go through ``operations.approvals.decide`` — the rule the ribbon's Approve/Reject buttons use:
rows with error findings, the approver's own items and approvals above the general manager's threshold are
refused. A decided row gets its Approval (and Approver) cell in the workbook's language and a dated note on the
Approval cell; Return and Forward leave the Approval as it is and write the note (with the comment). Cells are
changed inside the file's zip (``toolkit.io.xlsx_cells``), so nothing else in the workbook changes.

Before anything is written every source is checked: it must be unchanged since the queue was made (its SHA-256,
and each decided row's hash) and not open in Excel or LibreOffice (a lock file beside it); otherwise nothing is
written at all. Copies go to a folder; ``in_place`` replaces each original atomically after a backup copy.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..core import approval_facts as AF
from ..core.tables import WorkbookData
from ..errors import ToolkitError
from ..i18n import register, t
from ..io.safety import is_lock_file
from ..schema import DEPARTMENT
from .approval_queue import file_sha256
from .approvals import decide, stamp_note
from .source import Source

register({
    "apply.no-approver": ("No approver name: pass --approver or set TOOLKIT_APPROVER in the settings.",
                          "没有审批人姓名：请使用 --approver 或在设置中填写 TOOLKIT_APPROVER。"),
    "apply.nothing": ("{file} holds no decision: fill the Decision column first.",
                      "{file} 中没有审批决定：请先填写“审批决定”列。"),
    "apply.missing": ("{file} (in the queue) no longer exists; nothing was written.",
                      "队列中的 {file} 已不存在；未写入任何内容。"),
    "apply.locked": ("{file} is open in Excel or LibreOffice (lock file {lock}); close it and apply again. "
                     "Nothing was written.",
                     "{file} 正在 Excel 或 LibreOffice 中打开（锁文件 {lock}）；请关闭后重新执行。未写入任何内容。"),
    "apply.changed": ("{file} changed since the queue was made (made {made}); make the queue again. Nothing was "
                      "written.",
                      "{file} 在生成审批队列（{made}）后已被修改；请重新生成队列。未写入任何内容。"),
    "apply.same-folder": ("The copies would replace the originals in {folder}: choose another -o folder, or "
                          "--in-place.",
                          "副本会覆盖 {folder} 中的原文件：请用 -o 指定其他文件夹，或使用 --in-place。"),
    "apply.row-changed": ("The queue's row does not match row {row} of {sheet} any more (edited queue?)",
                          "队列中的这一行与 {sheet} 第 {row} 行不再一致（队列被修改？）"),
    "apply.twice": ("The row is decided twice in the queue", "该行在队列中出现了两次审批决定"),
    "apply.done": ("{applied} decision(s) written to {files} workbook(s), {refused} refused; recorded in {db}.",
                   "已将 {applied} 项审批决定写入 {files} 个工作簿，{refused} 项被拒绝；已记录到 {db}。"),
})

#: The Approval value each decision writes (Return and Forward leave the Approval as it is).
WRITES = {"Approve": "Approved", "Reject": "Rejected"}
BACKUP_FOLDER = "approval-backups"


@dataclass
class RowOutcome:
    """One decided queue row and what became of it."""

    kind: str
    file: str
    sheet: str
    row: int
    item: str | None
    employee_id: str | None
    amount: float | None
    decision: str
    comment: str | None
    flags: str | None
    department: str | None
    row_hash: str | None = None
    outcome: str = "applied"  # applied | refused
    reason: str | None = None


@dataclass
class ApplyResult:
    """The rows decided, the workbooks written, the backups kept and the store recorded into."""

    rows: list[RowOutcome] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    backups: list[Path] = field(default_factory=list)
    db: str | None = None

    @property
    def refused(self) -> list[RowOutcome]:
        return [r for r in self.rows if r.outcome == "refused"]

    @property
    def exit_code(self) -> int:
        return 1 if self.refused else 0


def lock_file(path: Path) -> Path | None:
    """Excel's ``~$name`` (also its short form, the first two characters replaced) or LibreOffice's
    ``.~lock.name#`` beside ``path``, when present."""
    for name in (f"~${path.name}", f"~${path.name[2:]}", f".~lock.{path.name}#"):
        candidate = path.with_name(name)
        if is_lock_file(name) and candidate.exists():
            return candidate
    return None


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _decided_rows(queue: Any) -> dict[str, list[RowOutcome]]:
    """Decided queue rows grouped by source file (resolved path)."""
    by_file: dict[str, list[RowOutcome]] = {}
    for kind, frame in queue.items.items():
        if "decision" not in frame:
            continue
        for rec in frame[frame["decision"].notna()].to_dict("records"):
            amount = rec.get("amount")
            out = RowOutcome(kind, str(Path(str(rec["file"])).resolve()), str(rec["sheet"]), int(rec["row"]),
                             _text(rec.get(DEPARTMENT.table(kind).unique_key[0])), _text(rec.get("employee_id")),
                             None if amount is None or pd.isna(amount) else float(amount), rec["decision"],
                             _text(rec.get("comment")), _text(rec.get("flags")), _text(rec.get("department")),
                             _text(rec.get("row_hash")))
            by_file.setdefault(out.file, []).append(out)
    return by_file


def preflight(files: list[str], sources: dict[str, str], made: str) -> None:
    """Refuse (ToolkitError, nothing written) when a source is gone, open in Excel, or changed since the queue."""
    for file in files:
        path = Path(file)
        if not path.exists():
            raise ToolkitError("apply.missing", file=file)
        lock = lock_file(path)
        if lock is not None:
            raise ToolkitError("apply.locked", file=file, lock=lock.name)
        if sources.get(file) != file_sha256(path):
            raise ToolkitError("apply.changed", file=file, made=made)


def apply_decisions(queue_path: str | os.PathLike[str], out_dir: str | os.PathLike[str] | None = None,
                    in_place: bool = False, source: Source | None = None, approver: str | None = None,
                    approver_id: str | None = None, lang: str = "en", today: dt.date | None = None,
                    progress: Callable[[int, int], None] | None = None, port: Any = None) -> ApplyResult:
    """Apply the queue's decisions: into copies in ``out_dir`` (default: ``<queue>-applied`` beside the queue), or
    ``in_place`` with a backup of each original in its folder's ``approval-backups``; record them in the store of
    ``source`` (default: ``$TOOLKIT_DB`` or ``toolkit.db``).
    ``port``: the queue open in Excel (its values as shown, saved or not) instead of the file."""
    from ..outputs.approval_queue import read_queue
    from .validate import read_file

    source = source or Source()
    if not approver:
        raise ToolkitError("apply.no-approver")
    queue = read_queue(queue_path, port)
    approver_id = approver_id or queue.meta.get("approver_id") or None
    by_file = _decided_rows(queue)
    if not by_file:
        raise ToolkitError("apply.nothing", file=str(queue_path))
    made = queue.meta.get("made_at", "")
    preflight(sorted(by_file), queue.sources, made)
    target_dir = None
    if not in_place:
        target_dir = Path(out_dir) if out_dir else Path(queue_path).with_name(Path(queue_path).stem + "-applied")
        target_dir.mkdir(parents=True, exist_ok=True)
        if any(Path(f).parent.resolve() == target_dir.resolve() for f in by_file):
            raise ToolkitError("apply.same-folder", folder=str(target_dir))
    std = None
    if queue.meta.get("standards") and Path(queue.meta["standards"]).exists():
        try:  # the standards the queue was made with: their rules, when still readable
            std = Source(standards=queue.meta["standards"]).read_standards()
        except ToolkitError:
            std = None
    day = today or dt.date.today()
    result = ApplyResult(db=source.store_url)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    with source.store() as store:
        for i, (file, rows) in enumerate(sorted(by_file.items()), start=1):
            path = Path(file)
            original = path.read_bytes()
            data = read_file(path)
            if isinstance(data, ToolkitError):
                raise data
            cells, notes = _plan(data, std, rows, approver, approver_id, day, lang)
            written = None
            if cells or notes:
                from ..io.writer import atomic_save
                from ..io.xlsx_cells import edit_workbook

                new = edit_workbook(original, cells, notes, approver, file=file)
                if in_place:
                    preflight([file], {file: queue.sources[file]}, made)  # nothing changed while we worked
                    backup = path.parent / BACKUP_FOLDER / f"{path.stem}-{stamp}{path.suffix}"
                    backup.parent.mkdir(exist_ok=True)
                    shutil.copy2(path, backup)
                    result.backups.append(backup)
                    written = atomic_save(path, lambda tmp, b=new: tmp.write_bytes(b))
                else:
                    assert target_dir is not None
                    written = atomic_save(_copy_name(target_dir, path, result.written),
                                          lambda tmp, b=new: tmp.write_bytes(b))
                result.written.append(written)
            store.record_decisions([_record(r, approver, approver_id, queue, written) for r in rows])
            result.rows.extend(rows)
            if progress:
                progress(i, len(by_file))
    return result


def _copy_name(folder: Path, source: Path, taken: list[Path]) -> Path:
    """``folder/<name>``; a second department file of the same name gets ``<stem> (2)``."""
    target, n = folder / source.name, 2
    while target in taken:
        target = folder / f"{source.stem} ({n}){source.suffix}"
        n += 1
    return target


def _plan(data: WorkbookData, std: WorkbookData | None, rows: list[RowOutcome], approver: str,
          approver_id: str | None, day: dt.date, lang: str) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """The cells and notes the decided ``rows`` of one workbook write; refused rows get their reason."""
    cells: dict[str, dict[str, str]] = {}
    notes: dict[str, dict[str, str]] = {}
    seen: set[tuple[str, int]] = set()
    for kind in ("Expenses", "Advances", "Leave"):
        mine = [r for r in rows if r.kind == kind]
        if not mine:
            continue
        frame = data.tables[kind]
        layout = data.layout[kind]
        hashes = dict(zip(frame["_row"].astype(int), AF.row_hashes(frame, kind)))
        ok: list[RowOutcome] = []
        for r in mine:
            if (r.sheet, r.row) in seen:
                r.outcome, r.reason = "refused", t("apply.twice", lang)
            elif r.sheet != layout.sheet or hashes.get(r.row) != r.row_hash:
                r.outcome, r.reason = "refused", t("apply.row-changed", lang, row=r.row, sheet=r.sheet)
            else:
                ok.append(r)
            seen.add((r.sheet, r.row))
        for decision in ("Approve", "Reject"):
            chosen = [r for r in ok if r.decision == decision]
            if not chosen:
                continue
            res = decide(data, std, layout.sheet, [r.row for r in chosen], WRITES[decision], approver, day, approver_id)
            for r in chosen:
                if r.row in res.refused:
                    r.outcome = "refused"
                    r.reason = "; ".join(f.message(lang) for f in res.refused[r.row])
            for row, approval, approver_cell, note in res.cells(data):
                r = next(x for x in chosen if x.row == row)
                if approval:
                    cells.setdefault(layout.sheet, {})[approval] = res.label
                if approver_cell:
                    cells.setdefault(layout.sheet, {})[approver_cell] = approver
                notes.setdefault(layout.sheet, {})[note] = stamp_note(WRITES[decision], data.lang, approver,
                                                                      day.isoformat(), r.comment)
        note_col = "approval" if "approval" in layout.columns else DEPARTMENT.table(kind).unique_key[0]
        for r in ok:
            if r.decision in ("Return", "Forward"):
                notes.setdefault(layout.sheet, {})[layout.cell(note_col, r.row)] = stamp_note(
                    r.decision, data.lang, approver, day.isoformat(), r.comment)
    return cells, notes


def _record(r: RowOutcome, approver: str, approver_id: str | None, queue: Any, written: Path | None
            ) -> dict[str, Any]:
    return {"approver": approver, "approver_id": approver_id, "queue": str(Path(queue.path).resolve()),
            "period": queue.meta.get("period"), "department": r.department, "source_path": r.file, "sheet": r.sheet,
            "row": r.row, "kind": r.kind, "item": r.item, "employee_id": r.employee_id, "amount": r.amount,
            "decision": r.decision, "comment": r.comment, "flags": r.flags, "outcome": r.outcome, "reason": r.reason,
            "written_to": str(written) if written and r.outcome == "applied" else None}


def decision_log(source: Source, department: str | None = None, employee_id: str | None = None
                 ) -> list[dict[str, Any]]:
    """The audit trail of approval decisions in the source's history store, oldest first."""
    with source.store() as store:
        return store.approval_decisions(department=department, employee_id=employee_id)


__all__ = ["apply_decisions", "decision_log", "ApplyResult", "RowOutcome", "lock_file"]
