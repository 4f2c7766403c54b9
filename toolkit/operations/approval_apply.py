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
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from ..core import approval_facts as AF
from ..core import approval_routes as AR
from ..core.approval_queue import ITEM_FIELDS
from ..core.findings import Finding
from ..core.tables import WorkbookData
from ..errors import ToolkitError
from ..i18n import register, t
from ..io.safety import is_lock_file
from ..money import fmt_money, round_money
from ..outputs.approval_queue import read_queue, write_log
from ..schema import DEPARTMENT
from .approval_queue import file_sha256
from .approvals import decide, stamp_note
from ..io.writer import atomic_save
from ..io.xlsx_cells import edit_workbook
from .source import Source
from .validate import check_data, read_file

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
    "apply.not-yours": ("The Roster names {route} as this person's approver; only they (or their delegate) "
                        "decide it (Return or Forward it instead)",
                        "人员名册指定 {route} 为此人的审批人，只能由其本人（或其代理人）审批（可退回或转呈）"),
    "apply.gm-route": ("This item is the general manager's to approve (forwarded, or the Roster says GM): forward "
                       "it, reject or return it", "此事项须由总经理批准（已转呈或人员名册指定总经理）：请转呈、驳回或退回"),
    "apply.bad-part": ("Approved Amount {value} must be above 0 and not above the amount {amount} (to approve "
                       "nothing, Reject)", "批准金额 {value} 须大于 0 且不超过金额 {amount}（全部不批请选驳回）"),
    "apply.part-needs-approval": ("An Approved Amount goes with Approve or Approve with exception",
                                  "批准金额须与“批准”或“例外批准”一起使用"),
    "apply.done": ("{applied} decision(s) written to {files} workbook(s), {refused} refused; recorded in {db}.",
                   "已将 {applied} 项审批决定写入 {files} 个工作簿，{refused} 项被拒绝；已记录到 {db}。"),
})

#: The Approval value each decision writes (Return and Forward leave the Approval as it is).
WRITES = {"Approve": "Approved", "Exception": "Approved", "Reject": "Rejected"}
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
    approved_amount: float | None = None  # a partial approval: the part approved (the rest is rejected)
    outcome: str = "applied"  # applied | refused
    reason: str | None = None
    on_behalf_of: str | None = None  # the approver a delegate decided for
    route: str | None = None  # who decides the item: director, gm or an employee ID


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


def _number(value: Any) -> float | None:
    """A queue cell as a number (None when blank; text that is no number stays None and is refused later)."""
    if value is None or isinstance(value, bool) or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        return float(str(value).replace(",", "").strip()) if not isinstance(value, (int, float)) else float(value)
    except ValueError:
        return float("nan")


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
                             _text(rec.get("row_hash")), _number(rec.get("approved_amount")),
                             on_behalf_of=AR.route_code(rec.get("on_behalf_of")), route=AR.route_code(rec.get("route")))
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
    result = ApplyResult(db=source.store_name)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    with source.store() as store:
        for i, (file, rows) in enumerate(sorted(by_file.items()), start=1):
            path = Path(file)
            original = path.read_bytes()
            data = read_file(path)
            if isinstance(data, ToolkitError):
                raise data
            cells, notes = _plan(data, std, rows, approver, approver_id, day, lang, gm=queue.meta.get("role") == "gm")
            written = None
            if cells or notes:
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
            store.save_approval_items(_new_states(data, rows, approver, store))
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


def _by_reason(rows: list[RowOutcome], decision: str, partial: bool) -> list[list[RowOutcome]]:
    """Rows decided together: those whose decision needs a reason (Reject, Exception, a part) one by one (each
    has its own comment), the others all at once (one validation of the workbook)."""
    if decision in ("Reject", "Exception") or partial:
        return [[r] for r in rows]
    return [rows] if rows else []


def _decide_group(data: WorkbookData, std: WorkbookData | None, kind: str, layout: Any, chosen: list[RowOutcome],
                  decision: str, parts: dict[int, float], approver: str, approver_id: str | None, day: dt.date,
                  lang: str, gm: bool, cells: dict, notes: dict, by_row: pd.DataFrame,
                  findings: Callable[[], list[Finding]] | None = None) -> None:
    """Decide ``chosen`` rows (``operations.approvals.decide``) and plan their cells and notes; a partial
    approval is decided on the row as it will be (its Amount the approved part), and writes that Amount.
    ``findings()``: the findings of ``data`` as read (validated once per workbook, not once per group)."""
    if not chosen:
        return
    checked = data
    if parts:
        frame = data.tables[kind].copy()
        for row, value in parts.items():
            frame.loc[frame["_row"].astype(int) == row, "amount"] = value
        checked = replace(data, tables={**data.tables, kind: frame})
    comment = chosen[0].comment if len(chosen) == 1 else None
    res = decide(checked, std, layout.sheet, [r.row for r in chosen], WRITES[decision], approver, day, approver_id,
                 reason=comment, exception=decision == "Exception", gm=gm,
                 findings=findings() if findings is not None and not parts and decision == "Approve" else None)
    for r in chosen:
        if r.row in res.refused:
            r.outcome = "refused"
            r.reason = "; ".join(f.message(lang) for f in res.refused[r.row])
    for row, approval, approver_cell, note in res.cells(data):
        r = next(x for x in chosen if x.row == row)
        sheet_cells = cells.setdefault(layout.sheet, {})
        if approval:
            sheet_cells[approval] = res.label
        if approver_cell:
            sheet_cells[approver_cell] = approver
        part = None
        if row in parts:
            claimed = float(by_row.at[row, "amount"])
            sheet_cells[layout.cell("amount", row)] = parts[row]
            part = (fmt_money(parts[row], grouped=True), fmt_money(claimed, grouped=True), fmt_money(float(round_money(claimed - parts[row])), grouped=True))
        notes.setdefault(layout.sheet, {})[note] = stamp_note(
            "Exception" if decision == "Exception" and part is None else WRITES[decision], data.lang, approver,
            day.isoformat(), r.comment, part, r.on_behalf_of)


def _plan(data: WorkbookData, std: WorkbookData | None, rows: list[RowOutcome], approver: str,
          approver_id: str | None, day: dt.date, lang: str, gm: bool = False
          ) -> tuple[dict[str, dict[str, str | float]], dict[str, dict[str, str]]]:
    """The cells and notes the decided ``rows`` of one workbook write; refused rows get their reason."""
    cells: dict[str, dict[str, str | float]] = {}
    notes: dict[str, dict[str, str]] = {}
    seen: set[tuple[str, int]] = set()
    whole = cache(lambda: check_data(data, std).findings)  # the rules of the workbook as read: run once, if at all
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
            elif (r.decision in WRITES and r.route not in (None, "director", "gm") and r.route != approver_id
                  and not r.on_behalf_of):
                r.outcome, r.reason = "refused", t("apply.not-yours", lang, route=r.route)
            elif r.decision in ("Approve", "Exception") and r.route == "gm" and not (gm or r.on_behalf_of == "gm"):
                r.outcome, r.reason = "refused", t("apply.gm-route", lang)
            else:
                ok.append(r)
            seen.add((r.sheet, r.row))
        by_row = frame.set_index(frame["_row"].astype(int))
        parts: dict[int, float] = {}
        for r in ok:
            if r.approved_amount is None:
                continue
            claimed = r.amount if r.amount is not None else float("nan")
            if r.decision not in ("Approve", "Exception"):
                r.outcome, r.reason = "refused", t("apply.part-needs-approval", lang)
            elif not (0 < r.approved_amount <= claimed):
                r.outcome, r.reason = "refused", t("apply.bad-part", lang, value=fmt_money(r.approved_amount, grouped=True)
                                                   if r.approved_amount == r.approved_amount else "?",
                                                   amount=fmt_money(claimed, grouped=True))
            elif round_money(r.approved_amount) < round_money(claimed):
                parts[r.row] = float(round_money(r.approved_amount))
        ok = [r for r in ok if r.outcome != "refused"]
        for decision in ("Approve", "Exception", "Reject"):
            for partial in (False, True):
                for as_gm in (False, True):  # the GM's queue, or a delegate of the general manager
                    chosen = [r for r in ok if r.decision == decision and (r.row in parts) == partial
                              and (gm or r.on_behalf_of == "gm") == as_gm]
                    for group in _by_reason(chosen, decision, partial):
                        _decide_group(data, std, kind, layout, group, decision, parts if partial else {}, approver,
                                      approver_id, day, lang, as_gm, cells, notes, by_row, whole)
        note_col = "approval" if "approval" in layout.columns else DEPARTMENT.table(kind).unique_key[0]
        for r in ok:
            if r.decision in ("Return", "Forward"):
                notes.setdefault(layout.sheet, {})[layout.cell(note_col, r.row)] = stamp_note(
                    r.decision, data.lang, approver, day.isoformat(), r.comment, behalf=r.on_behalf_of)
    return cells, notes


def _new_states(data: WorkbookData, rows: list[RowOutcome], approver: str, store: Any) -> list[dict[str, Any]]:
    """The item states the applied ``rows`` of one workbook leave (``core.approval_routes.DECIDED_STATE``), with the
    row's values as decided (what a resubmission is compared with); a forwarded item stays marked forwarded."""
    known = store.approval_items(sorted({r.department for r in rows if r.department}))
    out = []
    for r in rows:
        if r.outcome != "applied" or not r.item or not r.department:
            continue
        frame = data.tables[r.kind]
        match = frame[frame["_row"].astype(int) == r.row]
        values = AR.item_values(match.iloc[0].to_dict(), r.kind, ITEM_FIELDS[r.kind]) if len(match) else {}
        if r.approved_amount is not None and "amount" in values:
            values["amount"] = fmt_money(r.approved_amount, grouped=True)
        before = known.get((r.department, r.kind, r.item), {})
        out.append({"department": r.department, "kind": r.kind, "item": r.item, "employee_id": r.employee_id,
                    "state": AR.DECIDED_STATE[r.decision], "source_path": r.file, "row_hash": r.row_hash,
                    "item_values": values, "decided_by": approver, "on_behalf_of": r.on_behalf_of,
                    "comment": r.comment, "forwarded": int(r.decision == "Forward" or bool(before.get("forwarded"))),
                    **({"first_seen": before["first_seen"]} if before.get("first_seen") else {})})
    return out


def _record(r: RowOutcome, approver: str, approver_id: str | None, queue: Any, written: Path | None
            ) -> dict[str, Any]:
    return {"approver": approver, "approver_id": approver_id, "queue": str(Path(queue.path).resolve()),
            "period": queue.meta.get("period"), "department": r.department, "source_path": r.file, "sheet": r.sheet,
            "row": r.row, "kind": r.kind, "item": r.item, "employee_id": r.employee_id, "amount": r.amount,
            "decision": r.decision, "comment": r.comment, "flags": r.flags, "outcome": r.outcome, "reason": r.reason,
            "written_to": str(written) if written and r.outcome == "applied" else None,
            "approved_amount": r.approved_amount, "on_behalf_of": r.on_behalf_of, "role": queue.meta.get("role")}


def decision_log(source: Source, department: str | None = None, employee_id: str | None = None
                 ) -> list[dict[str, Any]]:
    """The audit trail of approval decisions in the source's history store, oldest first."""
    with source.store() as store:
        return store.approval_decisions(department=department, employee_id=employee_id)


def write_decision_log(source: Source, path: str | os.PathLike[str], lang: str = "en",
                       department: str | None = None, employee_id: str | None = None) -> Path:
    """The audit trail (``decision_log``) as a workbook, one row per decision, in ``lang``; written atomically."""
    return write_log(decision_log(source, department, employee_id), path, lang)


__all__ = ["apply_decisions", "decision_log", "write_decision_log", "ApplyResult", "RowOutcome", "lock_file"]
