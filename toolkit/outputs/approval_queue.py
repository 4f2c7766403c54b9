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

from .labels import LABELS as ONE_TABLE
from ..errors import ToolkitError
from ..i18n import register, t
from ..io.writer import SheetFrame, display_width, write_frames
from ..io.print_setup import MIN_SCALE, column_blocks, libreoffice_points
from ..core.approval_queue import DECISIONS, FACT_FIELDS, HISTORY, ITEM_FIELDS, ROUTES, STATUSES, Queue, columns
from ..core.approval_routes import STATES
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
    "queue.section.reminders": ("Waiting longer than {days:g} working days, by approver",
                                "等待超过 {days:g} 个工作日的事项（按审批人）"),
    "queue.section.decided": ("Decided by the general manager", "总经理已审批的事项"),
    "queue.section.left-out": ("Files left out", "未列入的文件"),
    "queue.section.totals": ("Totals", "合计"),
    "queue.reminder": ("{name}: waiting {days} working days ({state})", "{name}：已等待 {days} 个工作日（{state}）"),
    "queue.decided": ("{state} on {on}. {comment}", "{on} {state}。{comment}"),
    "queue.gm-title": ("The general manager's queue", "总经理审批队列"),
    "queue.title": ("Approval queue", "审批队列"),
    "queue.page-header": ("{title} {period} – {what}: {departments}", "{title} {period} – {what}：{departments}"),
    "queue.summary": ("{items} pending item(s) from {files} workbook(s): {clean} clean, {flagged} flagged, "
                      "{gm} for the general manager.",
                      "来自 {files} 个工作簿的待审批事项 {items} 项：无提示 {clean} 项，有提示 {flagged} 项，"
                      "须总经理审批 {gm} 项。"),
})

_ROSTER = STANDARDS.table("Roster")
_HEAD_LABELS = {k: _ROSTER.column(k).label for k in ("department", "employee_id", "name", "role", "grade")}
MONEY = ("amount", "repaid", "approved_amount", "person_used", "person_target", "dept_used", "dept_target",
         "category_used", "category_target", "outstanding_after",
         "advance_limit", "overdue_amount", "claims_3m_amount")
PERCENT = ("person_share", "dept_share", "category_share")
DATES = ("date", "due_date", "start", "end")
INTEGERS = ("row", "claims_3m", "rejections", "overdue_count", "age")
TEXT = ("employee_id", "row_hash", "file", "flags", "changes", "comment")
#: Print: each later page starts at the first of these columns (after the item: its facts; then its flags and the
#: decision); the item's number and the person's name are repeated at the left of every page, the header row at
#: the top; the item's location in its workbook (for ``apply``) is hidden.
PRINT_BREAKS = {kind: (ITEM_FIELDS[kind][1], FACT_FIELDS[kind][0], HISTORY[0]) for kind in ITEM_FIELDS}
REPEATED = 2
HIDDEN = ("file", "sheet", "row", "row_hash")
#: Points per line of a wrapped cell, and the characters a line of the Flags column holds.
LINE_POINTS = 15.0


def label(key: str, lang: str, kind: str | None = None) -> str:
    """The header of queue column ``key`` (of ``kind``'s sheet) or a queue value, in ``lang``."""
    if key in _HEAD_LABELS:
        return _HEAD_LABELS[key](lang)
    if kind is not None and key in DEPARTMENT.table(kind).keys and key not in ("approval",):
        return DEPARTMENT.table(kind).column(key).label(lang)
    return t(f"label.queue.{key}", lang) if f"queue.{key}" in LABELS else key


def sheet_name(kind: str, lang: str) -> str:
    return t(f"output.sheet.queue.{kind}", lang)


def page_header(queue: Queue, what: str, departments: Any, lang: str) -> str:
    """The header of every printed page of a queue sheet: whose queue, its period, the sheet and the departments
    whose items it lists (issue 24: a printed page names what and whom)."""
    names = sorted({str(d) for d in departments if isinstance(d, str) and d})
    title = t("queue.gm-title" if queue.role == "gm" else "queue.title", lang)
    return t("queue.page-header", lang, title=title, period=queue.period, what=what,
             departments=("、" if lang == "zh" else ", ").join(names) or "–")


def _frame(kind: str, frame: pd.DataFrame, lang: str, header: str = "") -> SheetFrame:
    out = frame.drop(columns=["_working_age"], errors="ignore").copy()
    for col in ("status", "state", "route", "on_behalf_of", "decision"):
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
             label("route", lang): {label("gm", lang): "amber"},
             label("state", lang): {label("resubmitted", lang): "amber", label("returned", lang): "amber"}}
    return SheetFrame(sheet_name(kind, lang), out, formats, table_name=f"Queue{kind}", lists=lists, marks=marks,
                      wrap=(flags, label("changes", lang)), row_heights=row_heights(frame), header_lines=2, top=True,
                      print_setup=lambda ws, widths, c=cols: _print_pages(ws, widths, kind, c, len(out)),
                      page_header=header)


def row_heights(frame: pd.DataFrame) -> list[float | None]:
    """Each item row's height: one line per flag or change (the Flags column wraps), so printed rows never
    overprint; rows with one line keep the default height."""
    out: list[float | None] = []
    for flags, changes in zip(frame["flags"].fillna(""), frame["changes"].fillna("")):
        lines = sum(max(1, -(-display_width(line) // FLAGS_CHARS)) for line in str(flags).split("\n") if line)
        lines = max(lines, len([x for x in str(changes).split("\n") if x]))
        out.append(LINE_POINTS * lines + 3 if lines > 1 else None)
    return out


#: The Flags column's width in characters (its text wraps within it).
FLAGS_CHARS = 60
#: The width landscape A4 prints at 100% within the margins, in points (a little to spare).
PAGE_POINTS = 760.0


def _print_pages(ws: Any, widths: list[float], kind: str, cols: list[str], items: int = 1) -> None:
    """Print a queue sheet on landscape pages split between column groups (who and the state; the item; its
    facts; the person's history, the flags and the decision), the header row and the item's number and name
    repeated on every page, at the scale the widest group needs; the location columns are hidden. A sheet with no
    items prints its header on one page."""
    ws.set_landscape()
    if not items:
        ws.fit_to_pages(1, 1)
        return
    ws.repeat_rows(0, 0)
    ws.repeat_columns(0, REPEATED - 1)
    widths = list(widths)
    flags_at = cols.index("flags")
    widths[flags_at] = FLAGS_CHARS
    ws.set_column(flags_at, flags_at, FLAGS_CHARS)
    for c in HIDDEN:
        ws.set_column(cols.index(c), cols.index(c), widths[cols.index(c)], None, {"hidden": True})
    breaks = [cols.index(c) for c in PRINT_BREAKS[kind]]
    groups = list(zip([REPEATED, *breaks], [*breaks, len(cols)]))
    repeated = sum(libreoffice_points(w) for w in widths[:REPEATED])
    widest = max(sum(libreoffice_points(widths[i]) for i in range(a, b) if cols[i] not in HIDDEN) for a, b in groups)
    scale = int(PAGE_POINTS / (repeated + widest) * 100)
    if scale < MIN_SCALE:  # a group too wide for a page at the smallest readable scale is split further
        shown = [0.0 if c in HIDDEN else w for c, w in zip(cols, widths)]
        inner: list[int] = []
        for a, b in groups:
            cut, _ = column_blocks([*shown[:REPEATED], *shown[a:b]], REPEATED)
            inner += [a + i - REPEATED for i in cut]
        breaks = sorted({*breaks, *inner})
        scale = MIN_SCALE
    ws.set_v_pagebreaks(breaks)
    ws.set_print_scale(max(10, min(100, scale)))


SUMMARY_COLUMNS = ("section", "approver", "department", "kind", "item", "items", "clean", "flagged", "gm",
                   "resubmitted", "amount", "note")


def summary_frame(queue: Queue, lang: str) -> pd.DataFrame:
    """The Summary sheet, one table in sections: items per department and kind (how many, clean, flagged, for the
    general manager, resubmitted, their amount) and the totals; the reminder list (items waiting longer than
    the Thresholds' Reminder After Days, in working days, by approver); forwarded items the general manager
    has decided (the director's queue); the files left out and why."""
    rows = []
    sec = {k: t(f"queue.section.{k}", lang, days=queue.reminder_days) for k in
           ("reminders", "decided", "left-out", "totals")}
    pending = label("pending", lang)
    for kind in KINDS:
        frame = queue.items[kind]
        for dept, g in frame.groupby("department", sort=True):
            rows.append({"section": pending, "department": dept, "kind": sheet_name(kind, lang), "items": len(g),
                         "clean": int(g["status"].eq("clean").sum()), "flagged": int(g["status"].eq("flagged").sum()),
                         "gm": int(g["route"].eq("gm").sum()), "resubmitted": int(g["state"].eq("resubmitted").sum()),
                         "amount": float(g["amount"].sum()) if "amount" in g else None})
    if rows:
        body = pd.DataFrame(rows)
        rows.append({"section": sec["totals"], **{c: int(body[c].sum()) for c in
                                                   ("items", "clean", "flagged", "gm", "resubmitted")},
                     "amount": float(body["amount"].dropna().sum())})
    late = []
    for kind in KINDS:
        frame = queue.items[kind]
        if "_working_age" in frame:
            late += [(kind, rec) for rec in frame[frame["_working_age"] > queue.reminder_days].to_dict("records")]
    for kind, rec in sorted(late, key=lambda kr: (str(kr[1]["route"]), -kr[1]["_working_age"])):
        who = rec.get("name") if isinstance(rec.get("name"), str) else rec["employee_id"]
        rows.append({"section": sec["reminders"], "department": rec["department"], "kind": sheet_name(kind, lang),
                     "approver": label(rec["route"], lang), "item": rec[ITEM_KEY[kind]],
                     "note": t("queue.reminder", lang, name=who, days=int(rec["_working_age"]),
                               state=label(rec["state"], lang))})
    for d in queue.decided:
        rows.append({"section": sec["decided"], "department": d["department"], "kind": sheet_name(d["kind"], lang),
                     "approver": d.get("decided_by"), "item": d["item"],
                     "note": t("queue.decided", lang, state=label(d["state"], lang), on=d["on"],
                               comment=d.get("comment") or "")})
    for note in queue.skipped:
        rows.append({"section": sec["left-out"], "note": note})
    frame = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    return frame.rename(columns={c: label(c, lang) for c in frame.columns})


#: The item number column of each kind.
ITEM_KEY = {kind: DEPARTMENT.table(kind).unique_key[0] for kind in KINDS}


def meta_frame(queue: Queue) -> pd.DataFrame:
    """The hidden sheet: format, period, when, standards, approver ID, then each source and its SHA-256."""
    std_sha = file_sha256(queue.standards) if queue.standards and Path(queue.standards).exists() else ""
    rows = [("format", FORMAT, ""), ("period", queue.period, ""), ("made_at", queue.made_at, ""),
            ("standards", str(Path(queue.standards).resolve()) if queue.standards else "", std_sha),
            ("approver_id", queue.approver_id or "", ""), ("role", queue.role, "")]
    rows += [("source", str(Path(s.path).resolve()), s.sha256) for s in queue.sources]
    return pd.DataFrame(rows, columns=["key", "value", "sha256"], dtype="str")


def sheets(queue: Queue, lang: str) -> list[SheetFrame]:
    """Summary, Loan Slips, Expense Claims, Leave Requests and the hidden source list."""
    summary = summary_frame(queue, lang)
    every = [d for kind in KINDS for d in queue.items[kind]["department"]]
    name = t("output.sheet.queue.summary", lang)
    out = [SheetFrame(name, summary, {label("amount", lang): "money"}, table_name="QueueSummary",
                      wrap=(label("note", lang),), page_header=page_header(queue, name, every, lang))]
    out += [_frame(kind, queue.items[kind], lang,
                   page_header(queue, sheet_name(kind, lang), queue.items[kind]["department"], lang))
            for kind in KINDS]
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


#: The audit trail's columns as the log workbook shows them (``toolkit.store.base.APPROVAL_DECISION_FIELDS``).
LOG_LABELS: dict[str, tuple[str, str]] = {k.removeprefix("log."): v for k, v in ONE_TABLE.items()
                                           if k.startswith("log.")}  # outputs/labels.py
register({f"label.log.{k}": v for k, v in LOG_LABELS.items()})
register({"output.sheet.log": ("Approval Log", "审批记录"), "label.log.applied": ("applied", "已执行"),
          "label.log.refused": ("refused", "已拒绝")})


def write_log(rows: list[dict[str, Any]], path: str | os.PathLike[str], lang: str) -> Path:
    """The audit trail as a workbook: one row per decision, oldest first, headers and values in ``lang``."""
    frame = pd.DataFrame(rows, columns=list(LOG_LABELS))
    for col, values in (("decision", DECISIONS), ("role", ROUTES), ("on_behalf_of", ROUTES)):
        frame[col] = frame[col].map(lambda v, ok=values: label(v, lang) if v in ok else v, na_action="ignore")
    frame["kind"] = frame["kind"].map(lambda v: sheet_name(v, lang) if v in KINDS else v, na_action="ignore")
    frame["outcome"] = frame["outcome"].map(lambda v: t(f"label.log.{v}", lang), na_action="ignore")
    frame.columns = [t(f"label.log.{c}", lang) for c in LOG_LABELS]
    formats = {t(f"label.log.{c}", lang): "money" for c in ("amount", "approved_amount")}
    formats[t("label.log.row", lang)] = "integer"
    return write_frames(path, [SheetFrame(t("output.sheet.log", lang), frame, formats, table_name="ApprovalLog",
                                          wrap=(t("label.log.flags", lang),))], lang)


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
        for col, codes in (("status", STATUSES), ("route", ROUTES), ("on_behalf_of", ROUTES), ("state", STATES)):
            if col in frame:
                back = {lab: code for code in codes for lab in LABELS[f"queue.{code}"]}
                frame[col] = frame[col].map(lambda v, b=back: b.get(v, v))
        queue.items[kind] = frame
    return queue


__all__ = ["sheets", "write_queue", "read_queue", "summary_text", "label", "QueueFile", "decision_code"]
