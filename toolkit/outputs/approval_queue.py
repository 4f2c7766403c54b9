"""The approval queue workbook: a Summary sheet, one sheet per kind (loan slips, expense claims, leave requests)
with the Decision drop-down and Comment column, and a hidden sheet naming the sources and their SHA-256.

The queue's own labels are ``queue.<key>`` in the one label table (``toolkit.outputs.labels``); the item columns are the
department schema's headers. ``read_queue`` reads a queue back, in either language, for the apply step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook

from ..errors import ToolkitError
from ..i18n import register, t
from ..io.writer import SheetFrame, write_frames
from ..core.approval_queue import DECISIONS, ROUTES, STATUSES, Queue, columns
from ..schema import DEPARTMENT, STANDARDS
from ..io.discover import file_sha256
from .labels import LABELS

#: Marks a workbook as an approval queue (first row of the hidden sheet).
FORMAT = "toolkit-approval-queue/1"
META_SHEET = "_queue"
KINDS = ("Advances", "Expenses", "Leave")  # sheet order: loan slips, expense claims, leave

register({
    "output.sheet.queue.Expenses": ("Expense Claims", "费用报销"),
    "output.sheet.queue.Advances": ("Loan Slips", "借款单"),
    "output.sheet.queue.Leave": ("Leave Requests", "休假申请"),
    "output.sheet.queue.summary": ("Summary", "概览"),
    "queue.not-a-queue": ("{file} is not an approval queue made by `toolkit approvals queue`.",
                          "{file} 不是由 `toolkit approvals queue` 生成的审批队列。"),
    "queue.bad-decision": ("{file}, sheet {sheet}, row {row}: '{value}' is not a decision; choose {choices}.",
                           "{file}，工作表 {sheet}，第 {row} 行：“{value}”不是审批决定；请选择 {choices}。"),
    "queue.summary": ("{items} pending item(s) from {files} workbook(s): {clean} clean, {flagged} flagged, "
                      "{gm} for the general manager.",
                      "来自 {files} 个工作簿的待审批事项 {items} 项：无提示 {clean} 项，有提示 {flagged} 项，"
                      "须总经理审批 {gm} 项。"),
})

_ROSTER = STANDARDS.table("Roster")
_HEAD_LABELS = {k: _ROSTER.column(k).label for k in ("department", "employee_id", "name", "role", "grade")}
MONEY = ("amount", "repaid", "person_used", "person_target", "dept_used", "dept_target", "outstanding_after",
         "advance_limit", "overdue_amount", "claims_3m_amount")
PERCENT = ("person_share", "dept_share")
DATES = ("date", "due_date", "start", "end")
INTEGERS = ("row", "claims_3m", "rejections", "overdue_count")
TEXT = ("employee_id", "row_hash", "file", "flags", "comment")


def label(key: str, lang: str, kind: str | None = None) -> str:
    """The header of queue column ``key`` (of ``kind``'s sheet) or a queue value, in ``lang``."""
    if key in _HEAD_LABELS:
        return _HEAD_LABELS[key](lang)
    if kind is not None and key in DEPARTMENT.table(kind).keys and key not in ("approval",):
        return DEPARTMENT.table(kind).column(key).label(lang)
    return t(f"label.queue.{key}", lang) if f"queue.{key}" in LABELS else key


def sheet_name(kind: str, lang: str) -> str:
    return t(f"output.sheet.queue.{kind}", lang)


def _frame(kind: str, frame: pd.DataFrame, lang: str) -> SheetFrame:
    out = frame.copy()
    for col in ("status", "route", "decision"):
        out[col] = out[col].map(lambda v: label(v, lang), na_action="ignore")
    out["file"] = out["file"].map(lambda p: str(Path(p).resolve()))
    cols = list(out.columns)
    kinds = {c: "money" for c in MONEY} | {c: "percent" for c in PERCENT} | {c: "date" for c in DATES} | \
        {c: "integer" for c in INTEGERS} | {c: "text" for c in TEXT}
    if kind == "Expenses":
        kinds["days"] = "integer"
    out.columns = [label(c, lang, kind) for c in cols]
    formats = {label(c, lang, kind): k for c, k in kinds.items() if c in cols}
    lists = {label("decision", lang): tuple(label(d, lang) for d in DECISIONS)}
    flags = label("flags", lang)
    marks = {flags: {f"[{t('queue.severity.error', lang)}]": "red", f"[{t('queue.severity.warning', lang)}]": "amber"},
             label("status", lang): {label("clean", lang): "green"},
             label("route", lang): {label("gm", lang): "amber"}}
    return SheetFrame(sheet_name(kind, lang), out, formats, table_name=f"Queue{kind}", lists=lists, marks=marks,
                      wrap=(flags,))


def summary_frame(queue: Queue, lang: str) -> pd.DataFrame:
    """Items per department and kind: how many, clean, flagged, for the general manager; then what was left out."""
    rows = []
    for kind in KINDS:
        frame = queue.items[kind]
        for dept, g in frame.groupby("department", sort=True):
            rows.append({"department": dept, "kind": sheet_name(kind, lang), "items": len(g),
                         "clean": int(g["status"].eq("clean").sum()), "flagged": int(g["status"].eq("flagged").sum()),
                         "gm": int(g["route"].eq("gm").sum()), "note": None})
    for note in queue.skipped:
        rows.append({"department": None, "kind": None, "items": None, "clean": None, "flagged": None, "gm": None,
                     "note": note})
    frame = pd.DataFrame(rows, columns=["department", "kind", "items", "clean", "flagged", "gm", "note"])
    return frame.rename(columns={c: label(c, lang) for c in frame.columns})


def meta_frame(queue: Queue) -> pd.DataFrame:
    """The hidden sheet: format, period, when, standards, approver ID, then each source and its SHA-256."""
    std_sha = file_sha256(queue.standards) if queue.standards and Path(queue.standards).exists() else ""
    rows = [("format", FORMAT, ""), ("period", queue.period, ""), ("made_at", queue.made_at, ""),
            ("standards", str(Path(queue.standards).resolve()) if queue.standards else "", std_sha),
            ("approver_id", queue.approver_id or "", "")]
    rows += [("source", str(Path(s.path).resolve()), s.sha256) for s in queue.sources]
    return pd.DataFrame(rows, columns=["key", "value", "sha256"], dtype="str")


def sheets(queue: Queue, lang: str) -> list[SheetFrame]:
    """Summary, Loan Slips, Expense Claims, Leave Requests and the hidden source list."""
    out = [SheetFrame(t("output.sheet.queue.summary", lang), summary_frame(queue, lang), table_name="QueueSummary")]
    out += [_frame(kind, queue.items[kind], lang) for kind in KINDS]
    out.append(SheetFrame(META_SHEET, meta_frame(queue), {"key": "text", "value": "text", "sha256": "text"},
                          table_name="QueueSources", hidden=True))
    return out


def summary_text(queue: Queue, lang: str) -> str:
    """One line for people: how many items, clean, flagged, for the general manager; then what was left out."""
    allitems = pd.concat([f[["status", "route"]] for f in queue.items.values()], ignore_index=True)
    lines = [t("queue.summary", lang, items=len(allitems), files=len(queue.sources),
               clean=int(allitems["status"].eq("clean").sum()), flagged=int(allitems["status"].eq("flagged").sum()),
               gm=int(allitems["route"].eq("gm").sum()))]
    return "\n".join(lines + queue.skipped)


def write_queue(queue: Queue, path: str | os.PathLike[str], lang: str) -> Path:
    """Write the queue workbook atomically."""
    return write_frames(path, sheets(queue, lang), lang)


# --------------------------------------------------------------------------- reading a queue back


@dataclass
class QueueFile:
    """A queue workbook as read back: its meta data and, per kind, the rows (canonical keys, decision codes)."""

    path: Path
    meta: dict[str, str]
    sources: dict[str, str]  # resolved source path -> SHA-256 when the queue was made
    standards_sha: str
    items: dict[str, pd.DataFrame] = field(default_factory=dict)


def _lookup(kind: str) -> dict[str, str]:
    return {label(c, lang, kind): c for c in columns(kind) for lang in ("en", "zh")}


def decision_code(value: Any) -> str | None:
    """A Decision cell as a decision code (either language, any case); None when blank; ValueError otherwise."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or not str(value).strip():
        return None
    text = str(value).strip().casefold()
    for code in DECISIONS:
        if text in {code.casefold(), *(s.casefold() for s in LABELS[f"queue.{code}"])}:
            return code
    raise ValueError(value)


def read_queue(path: str | os.PathLike[str], port: Any = None) -> QueueFile:
    """Read a queue workbook written by ``write_queue`` (the director may have sorted or filtered its rows):
    from the file, or through a ``WorkbookPort`` (the ribbon: the open queue, saved or not)."""
    shown = Path(path)
    if port is not None:
        return _parse_queue(shown, port.sheet_names(), port.read_values)
    try:
        wb = load_workbook(shown, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is "not a queue" for people
        raise ToolkitError("queue.not-a-queue", file=str(shown)) from exc
    try:
        return _parse_queue(shown, wb.sheetnames, lambda name: [list(r) for r in wb[name].iter_rows(values_only=True)])
    finally:
        wb.close()


def _parse_queue(shown: Path, names: list[str], values: Any) -> QueueFile:
    if META_SHEET not in names:
        raise ToolkitError("queue.not-a-queue", file=str(shown))
    meta_rows = [tuple((list(r) + [None] * 3)[:3]) for r in values(META_SHEET)[1:] if r and r[0] not in (None, "")]
    if not meta_rows or meta_rows[0][:2] != ("format", FORMAT):
        raise ToolkitError("queue.not-a-queue", file=str(shown))
    meta = {str(r[0]): "" if r[1] is None else str(r[1]) for r in meta_rows if r[0] != "source"}
    sources = {str(r[1]): str(r[2]) for r in meta_rows if r[0] == "source"}
    std_sha = next((str(r[2] or "") for r in meta_rows if r[0] == "standards"), "")
    queue = QueueFile(shown, meta, sources, std_sha)
    for kind in KINDS:
        name = next((n for lang in ("en", "zh") if (n := sheet_name(kind, lang)) in names), None)
        if name is None:
            raise ToolkitError("queue.not-a-queue", file=str(shown))
        rows = values(name)
        lookup = _lookup(kind)
        header = [lookup.get(str(h).strip()) if h is not None else None for h in rows[0]] if rows else []
        records = [{k: v for k, v in zip(header, r) if k} for r in rows[1:]
                   if any(v not in (None, "") for v in r)]
        frame = pd.DataFrame(records, columns=[c for c in columns(kind) if c in header])
        codes = []
        for i, value in enumerate(frame.get("decision", pd.Series(dtype=object))):
            try:
                codes.append(decision_code(value))
            except ValueError:
                raise ToolkitError("queue.bad-decision", file=str(shown), sheet=name, row=i + 2, value=value,
                                   choices=", ".join(LABELS[f"queue.{d}"][0] for d in DECISIONS)) from None
        if "decision" in frame:
            frame["decision"] = codes
        for col in ("status", "route"):
            if col in frame:
                back = {lab: code for code in (STATUSES if col == "status" else ROUTES) for lab in LABELS[f"queue.{code}"]}
                frame[col] = frame[col].map(lambda v, b=back: b.get(v, v))
        queue.items[kind] = frame
    return queue


__all__ = ["sheets", "write_queue", "read_queue", "summary_text", "label", "QueueFile", "decision_code"]
