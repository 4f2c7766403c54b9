"""Money leaving the toolkit (issue 25; docs/finance.md): the close's states and what finance receives and confirms.

- ``approve_close``: the director's sign-off of a period's current close (who and when); statements before it
  are drafts, and an approved close is never re-closed (``check_reopen``): corrections flow into the next close.
- ``manual_for_close``: the standards' Adjustments of the period, checked and turned into ledger entries that
  the month close records with its payments (``res_pay_adjustments``).
- ``export_finance``: from an approved close, the payroll file (laid out by the Payroll Map and an optional layout
  file), the reimbursement batch and the accrual journal, each with control totals reconciled to the close.
- ``import_paid``: finance's confirmation marks exactly the confirmed lines paid; differing amounts are refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..core import finance as F
from ..core.findings import Finding
from ..core.ledger import standards_table, thresholds
from ..core.periods import check_period
from ..core.tables import TableLayout, WorkbookData
from ..core.validation.adjustments import adjustment_findings
from ..core.validation.context import Context
from ..core.validation.schema_rules import enumerations, required
from ..errors import ToolkitError
from ..i18n import register
from ..schema import STANDARDS, header_key
from ..schema import enums as E
from ..schema.finance import PAYROLL_LAYOUT
from ..io.csvfile import read_table
from ..outputs.finance import write_finance_files
from ..store import CloseInfo, Store
from ..store.base import now_iso
from ..money import fmt_money
from .source import Source

register(
    {
        "finance.not-closed": ("{period} has not been closed; run close-month first.",
                               "{period} 尚未结账；请先运行 close-month。"),
        "finance.not-approved": ("The close of {period} (version {version}) is not approved; approve it first: "
                                 "toolkit close approve {period}.",
                                 "{period} 结账（第 {version} 版）尚未批准；请先批准：toolkit close approve {period}。"),
        "finance.reopen-approved": (
            "{period} was approved ({at}, {by}) and is not closed again: corrections to it are paid at the next "
            "close as adjustments (changed rows as itemised royalty adjustments, anything else as an Adjustments "
            "row of the next period).",
            "{period} 已于 {at} 由 {by} 批准，不再重新结账：对它的更正在下次结账时作为调整支付（变动的记录作为逐项提成调整，"
            "其他更正请在下一期间的调整表中填写）。"),
        "finance.adjustments-invalid": ("The Adjustments of {period} cannot be paid: {findings}",
                                        "{period} 的调整无法支付：{findings}"),
        "finance.map-missing": ("The standards' Payroll Map has no {what} for: {items}. Add the rows, then export.",
                                "标准工作簿的工资项目对照缺少以下项目的{what_zh}：{items}。请补上后再导出。"),
        "finance.map-code": ("payroll code", "工资代码"),
        "finance.map-accounts": ("debit and credit accounts", "借贷科目"),
        "finance.layout-unreadable": ("The layout file {path} cannot be read: {detail}",
                                      "无法读取格式文件 {path}：{detail}"),
        "finance.layout-field": ("The layout file {path}, row {row}: field {value!r} is not one of: {allowed}.",
                                 "格式文件 {path} 第 {row} 行：字段“{value}”不在可选值中：{allowed}。"),
        "finance.layout-empty": ("The layout file {path} lists no column (columns: Column, Field, Value).",
                                 "格式文件 {path} 没有列出任何列（列：列名、字段、固定值）。"),
        "finance.unreconciled": ("The {file} of {period} does not reconcile: the close recorded {expected}, the "
                                 "file's lines total {got}. Nothing was written.",
                                 "{period} 的{file}与结账不一致：结账记录 {expected}，文件各行合计 {got}。未写出任何文件。"),
        "finance.formats": ("Unknown format {fmt!r}; choose from xlsx, csv.", "未知格式“{fmt}”；可选 xlsx、csv。"),
        "finance.paid-unreadable": ("The confirmation {path} cannot be read: {detail}",
                                    "无法读取确认文件 {path}：{detail}"),
        "finance.paid-unknown": ("The confirmation lists line(s) the export of {period} does not have: {ids}. "
                                 "Nothing was marked paid.",
                                 "确认文件中有 {period} 导出中不存在的行：{ids}。未标记任何支付。"),
        "finance.paid-amount": ("The confirmation's amounts differ from what was exported: {lines}. Nothing was "
                                "marked paid.",
                                "确认文件中的金额与导出不一致：{lines}。未标记任何支付。"),
        "finance.paid-date": ("Line {id}: the paid date {value!r} is not a date. Nothing was marked paid.",
                              "行 {id}：支付日期“{value}”不是日期。未标记任何支付。"),
        "finance.not-exported": ("Nothing of {period} was exported; run toolkit finance export first.",
                                 "{period} 尚未导出；请先运行 toolkit finance export。"),
        "ledger.note.manual": ("Manual adjustments paid in this close: {items} ({employees} employee(s)).",
                               "本次结账支付的手工调整：{items_zh}（{employees} 名员工）。"),
    }
)

FORMATS = ("xlsx", "csv")


# -- states ----------------------------------------------------------------------------------------------------
def current_close(store: Store, period: str) -> CloseInfo:
    """The current close of ``period`` (a ToolkitError when it was never closed)."""
    closes = store.closes(period=period, current_only=True)
    if not closes:
        raise ToolkitError("finance.not-closed", period=period)
    return closes[-1]


def approval_of(store: Store, close: CloseInfo) -> dict[str, Any] | None:
    """The close's approval event (who and when), or None."""
    return next((e for e in store.close_events(close.id) if e["state"] == "approved"), None)


def close_state(store: Store, close: CloseInfo) -> str:
    """computed, approved, exported or paid."""
    return F.state_of(store.close_events(close.id))


def check_reopen(store: Store, period: str, reopen: bool) -> None:
    """Refuse to re-close an approved period (the month close calls this before anything is read)."""
    if not reopen:
        return
    closes = store.closes(period=period, current_only=True)
    if closes and (event := approval_of(store, closes[-1])) is not None:
        raise ToolkitError("finance.reopen-approved", period=period, at=event["at"],
                           by=event["by_name"] or event["user"])


@dataclass
class Approval:
    """A close approved: period, version, when, by whom (login and the name given)."""

    period: str
    version: int
    at: str
    user: str
    by: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "version": self.version, "approved_at": self.at, "user": self.user,
                "approved_by": self.by or self.user, "state": "approved"}


def approve_close(source: Source, period: str, *, by: str | None = None) -> Approval:
    """Approve the current close of ``period``: recorded with who (login, host, ``by``) and when. Refused when the
    period was never closed or is already approved."""
    period = check_period(period)
    with source.store(create=False) as store:
        close = current_close(store, period)
        event = store.record_close_event(close.id, "approved", by_name=by, detail={"version": close.version})
    return Approval(period, close.version, event["at"], event["user"], by)


# -- manual adjustments in the close ------------------------------------------------------------------------------
def closed_periods(store: Store, recorded: pd.DataFrame) -> set[str]:
    """Periods where an Adjustments row can no longer be paid: approved closes and periods before the latest
    close (``recorded``: the manual entries current closes paid, so rows already paid are not flagged)."""
    closes = store.closes(current_only=True)
    out = {c.period for c in closes if approval_of(store, c) is not None}
    if closes:
        latest = max(c.period for c in closes)
        out |= {c.period for c in closes if c.period < latest}
    return out


def _with_layout(standards: WorkbookData) -> WorkbookData:
    """``standards`` with a layout for the Adjustments table when it has none (a snapshot from the store), so
    findings name the sheet and the row (columns in schema order)."""
    if "Adjustments" in standards.layout:
        return standards
    table = STANDARDS.table("Adjustments")
    cols = {c.key: (chr(ord("A") + i), c.label(standards.lang)) for i, c in enumerate(table.columns)}
    layout = {**standards.layout, "Adjustments": TableLayout(table.sheet(standards.lang), 1, cols)}
    roster = standards.tables.get("Roster")
    tables = {**standards.tables}
    if roster is not None and "Roster" not in layout:
        layout["Roster"] = TableLayout(STANDARDS.table("Roster").sheet(standards.lang), 1, {})
    return WorkbookData(path=standards.path, kind="standards", lang=standards.lang, info=standards.info,
                        tables=tables, layout=layout)


def _paid_already(entries: pd.DataFrame, recorded: pd.DataFrame) -> pd.Series:
    """Which rows of ``entries`` a current close already paid (same employee, period, kind, amount, reason)."""
    if recorded is None or not len(recorded) or not len(entries):
        return pd.Series(False, index=entries.index)
    key = ["employee_id", "period", "kind", "amount", "reason"]
    have = set(map(tuple, recorded[key].astype(str).to_numpy().tolist()))
    return pd.Series([tuple(r) in have for r in entries[key].astype(str).to_numpy().tolist()], index=entries.index)


def recorded_manual(store: Store, before: str | None = None) -> pd.DataFrame:
    """The manual entries current closes recorded (of periods before ``before``), oldest first."""
    parts = []
    for close in store.closes(current_only=True):
        if before is not None and close.period >= before:
            continue
        frame = store.close_results(close.id, "pay_adjustments")
        if len(frame):
            parts.append(frame.assign(close_id=close.id))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["employee_id", "period", "kind", "amount", "reason", "close_id"])


def manual_for_close(store: Store, standards: WorkbookData | None, period: str) -> tuple[pd.DataFrame, list[Finding]]:
    """The Adjustments of ``period`` as entries to record, and the findings of every row that cannot be paid
    (a ToolkitError when a row of this period, or an unpaid row of a closed period, has an error)."""
    if standards is None:
        return F.manual_entries(None, period, None), []
    frame = standards.tables.get("Adjustments")
    if frame is None or not len(frame):
        return F.manual_entries(None, period, None), []
    recorded = recorded_manual(store, before=period)
    data = _with_layout(standards)
    ctx = Context.build(data, None, period)
    # rows of closed periods that a close already paid are history, not errors
    months = pd.to_datetime(frame["period"], errors="coerce").dt.strftime("%Y-%m")
    shut = closed_periods(store, recorded) - {period}
    as_entries = pd.DataFrame({"employee_id": frame["employee_id"].astype(str).str.strip(), "period": months,
                               "kind": frame["kind"].astype(str),
                               "amount": F.signed_amounts(frame["kind"].astype(str), frame["amount"]) / 100,
                               "reason": frame["reason"].astype(object)})
    unpaid_shut = months.isin(shut) & ~_paid_already(as_entries, recorded)
    sheet = ctx.layout("Adjustments").sheet
    # a row of the period with an unknown kind or a blank amount would silently pay nothing: the schema's own
    # checks of the sheet count here too
    findings = [f for rule in (required, enumerations) for f in rule(ctx) if f.sheet == sheet]
    findings += adjustment_findings(ctx, closed=set(months[unpaid_shut].dropna()))
    blocking = [f for f in findings if f.severity == "error" and (
        f.code == "adjustment-period-closed" or _row_period(frame, f.row) == period)]
    if blocking:
        raise ToolkitError("finance.adjustments-invalid", period=period,
                           findings="; ".join(f.message("en") for f in blocking))
    return F.manual_entries(frame, period, standards.tables.get("Roster")), findings


def _row_period(frame: pd.DataFrame, row: int | None) -> str | None:
    hit = frame[frame["_row"] == row] if row is not None else frame.iloc[0:0]
    return None if not len(hit) else pd.Timestamp(hit["period"].iloc[0]).strftime("%Y-%m")


def attach_manual(store: Store, ledger: Any, plan: Any) -> pd.DataFrame:
    """Add the period's manual adjustments to a close being prepared (``closes.ClosePlan``): stored with it as
    ``pay_adjustments`` in the close's own transaction, and a note saying what they pay. Returns the entries."""
    entries, _ = manual_for_close(store, ledger.standards, plan.period)
    if len(entries):
        plan.results["pay_adjustments"] = entries
        by_kind = entries.groupby("kind", sort=False)["amount"].sum()
        def items(lang: str) -> str:
            return ("，" if lang == "zh" else ", ").join(
                f"{E.ADJUSTMENT_KIND.label(k, lang)} {fmt_money(v, grouped=True)}" for k, v in by_kind.items())

        plan.notes.append({"code": "manual", "employees": int(entries["employee_id"].nunique()),
                           "items": items("en"), "items_zh": items("zh")})
    return entries


# -- what finance receives ----------------------------------------------------------------------------------------
def close_standards(store: Store, close: CloseInfo) -> WorkbookData | None:
    """The standards snapshot a close used (else the period's current one)."""
    for sid in close.snapshot_ids:
        snap = store.snapshot(sid)
        if snap.kind == "standards":
            return store.load_snapshot(sid)
    current = store.current(close.period, kind="standards")
    return store.load_snapshot(current[0].id) if current else None


def _read(path: Path, error: str) -> pd.DataFrame:
    """A file finance sends (xlsx or CSV) as a frame; ``error`` names the ToolkitError when it cannot be read."""
    try:
        return read_table(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's to fix
        raise ToolkitError(error, path=str(path), detail=str(exc)) from exc


def read_layout(path: str | Path) -> list[F.LayoutColumn]:
    """Finance's column layout (xlsx or CSV; headers Column, Field, Value in either language)."""
    path = Path(path)
    frame = _read(path, "finance.layout-unreadable")
    lookup = PAYROLL_LAYOUT.header_lookup()
    frame = frame.rename(columns={c: lookup.get(header_key(c), str(c)) for c in frame.columns})
    fields = E.PAYROLL_FIELD.lookup()
    out = []
    for i, rec in enumerate(frame.to_dict("records"), start=2):
        header = rec.get("column")
        if header is None or (isinstance(header, float) and pd.isna(header)) or not str(header).strip():
            continue
        raw, value = rec.get("field"), rec.get("value")
        raw = None if raw is None or (isinstance(raw, float) and pd.isna(raw)) or not str(raw).strip() else str(raw)
        code = fields.get(raw.strip().casefold()) if raw else None
        if raw and code is None:
            raise ToolkitError("finance.layout-field", path=str(path), row=i, value=raw,
                               allowed=", ".join(E.PAYROLL_FIELD.values))
        const = None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
        out.append(F.LayoutColumn(str(header).strip(), code, const))
    if not out:
        raise ToolkitError("finance.layout-empty", path=str(path))
    return out


def default_layout(lang: str) -> list[F.LayoutColumn]:
    """The payroll file's columns without a layout file: every field but the accounts, in ``lang``."""
    skip = {"Debit Account", "Credit Account"}
    return [F.LayoutColumn(E.PAYROLL_FIELD.label(code, lang), code) for code in E.PAYROLL_FIELD.values
            if code not in skip]


def with_confirmation_columns(columns: Sequence[F.LayoutColumn], lang: str) -> list[F.LayoutColumn]:
    """The layout plus Line ID and Paid Date at the end when it lacks them: finance's confirmation comes back
    through them (``import_paid``)."""
    out = list(columns)
    for code in ("Line ID", "Paid Date"):
        if not any(c.field == code for c in out):
            out.append(F.LayoutColumn(E.PAYROLL_FIELD.label(code, lang), code))
    return out


@dataclass
class FinanceExport:
    """What ``export_finance`` wrote and the control totals of each file."""

    period: str
    version: int
    files: dict[str, list[Path]] = field(default_factory=dict)
    control: dict[str, dict[str, Any]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    state: str = "exported"

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "version": self.version, "state": self.state,
                "files": {k: [str(p) for p in v] for k, v in self.files.items()}, "lines": self.lines,
                "control": self.control}


@dataclass
class FinanceData:
    """Everything the three files are made of: the mapped pay lines, the reimbursement batch, the journal, and the
    close's figures they reconcile to."""

    close: CloseInfo
    approval: dict[str, Any]
    lines: pd.DataFrame
    batch: pd.DataFrame
    journal: pd.DataFrame
    close_total: float
    columns: list[F.LayoutColumn]


def _tables(store: Store, close: CloseInfo, key: str) -> pd.DataFrame:
    ids = [i for i in close.snapshot_ids if store.snapshot(i).kind == "department"]
    parts = [f for f in store.iter_table(ids, key) if len(f)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def finance_data(store: Store, period: str, layout: str | Path | None = None, lang: str = "en") -> FinanceData:
    """The approved close of ``period`` made into pay lines (mapped), the reimbursement batch and the journal."""
    close = current_close(store, period)
    approval = approval_of(store, close)
    if approval is None:
        raise ToolkitError("finance.not-approved", period=period, version=close.version)
    standards = close_standards(store, close)
    roster = standards_table(standards, "Roster")
    centres = {str(e).strip(): str(c).strip() for e, c in zip(roster["employee_id"], roster["cost_centre"])
               if pd.notna(e) and pd.notna(c) and str(c).strip()}
    payments = store.payments(close_id=close.id)
    manual = store.close_results(close.id, "pay_adjustments")
    lines = F.pay_lines(period, payments, manual, centres)
    pmap = F.PayrollMap.from_frame(standards_table(standards, "PayrollMap"))
    missing = pmap.missing(lines["pay_item"])
    if missing:
        raise ToolkitError("finance.map-missing", what="payroll code", what_zh="工资代码", items=", ".join(missing))
    missing = pmap.missing(lines["pay_item"], accounts=True)
    if missing:
        raise ToolkitError("finance.map-missing", what="debit and credit accounts", what_zh="借贷科目",
                           items=", ".join(missing))
    lines = pmap.apply(lines)
    exported = store.finance_lines()
    earlier = exported[(exported["file"] == "reimbursement") & (exported["close_period"] < period)]
    paid = set(earlier.loc[earlier["paid_date"].notna(), "reference"].dropna())
    since = min(earlier["close_period"]) if len(earlier) else None
    # an earlier batch's offset happened only if finance paid that batch's line
    offsets = earlier[(earlier["pay_item"] == F.OFFSET) & earlier["paid_date"].notna()]
    before = (-offsets.groupby("employee_id")["amount"].sum()).to_dict() if len(offsets) else {}
    batch = F.reimbursement_batch(period, _tables(store, close, "Expenses"), _tables(store, close, "Advances"),
                                  paid=paid, since=since, offset_before=before,
                                  offset=bool(thresholds(standards).get("Offset Advances", 1.0)), people=roster)
    journal = F.accrual_journal(lines)
    columns = with_confirmation_columns(read_layout(layout) if layout else default_layout(lang), lang)
    return FinanceData(close, approval, lines, batch, journal, F.close_total(payments, manual), columns)


def export_finance(source: Source, period: str, out_dir: str | Path, *,
                   layout: str | Path | None = None, formats: Sequence[str] = FORMATS,
                   lang: str = "en") -> FinanceExport:
    """Write the payroll file, the reimbursement batch and the accrual journal of the approved close of ``period``
    into ``out_dir`` (``payroll-<P>``, ``reimbursement-<P>``, ``accrual-<P>``; .xlsx with a Control sheet, .csv
    with a ``-control.csv`` beside it), record the lines sent and the ``exported`` state. Every total reconciles
    to the close to the cent or nothing is written; re-exporting writes the same bytes."""
    period = check_period(period)
    fmts = tuple(f.strip().lower() for f in formats if f.strip()) or FORMATS
    for fmt in fmts:
        if fmt not in FORMATS:
            raise ToolkitError("finance.formats", fmt=fmt)
    with source.store(create=False) as store:
        data = finance_data(store, period, layout, lang)
        for name, expected, amounts in (("payroll", data.close_total, data.lines["amount"]),
                                        ("accrual", data.close_total, _journal_net(data.journal))):
            _, got, ok = F.reconcile(expected, amounts)
            if not ok:
                raise ToolkitError("finance.unreconciled", file=name, period=period, expected=fmt_money(expected, grouped=True),
                                   got=fmt_money(got, grouped=True))
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        result = FinanceExport(period, data.close.version)
        result.files, result.control = write_finance_files(data, out, fmts, lang)
        result.lines = {"payroll": len(data.lines), "reimbursement": len(data.batch), "journal": len(data.journal)}
        store.record_finance_lines(data.close.id, _finance_rows(data))
        store.record_close_event(data.close.id, "exported", detail={
            "files": {k: [p.name for p in v] for k, v in result.files.items()}, "lines": result.lines})
        result.state = close_state(store, data.close)
    return result


def _journal_net(journal: pd.DataFrame) -> pd.Series:
    """The journal's expense side as signed amounts (debit − credit of the debit-account lines)."""
    side = journal[journal["side"] == "debit"] if len(journal) else journal
    return (side["debit"] - side["credit"]) if len(side) else pd.Series(dtype="float64")


def _finance_rows(data: FinanceData) -> pd.DataFrame:
    at = now_iso()
    pay = data.lines.assign(file="payroll", reference=None, exported_at=at)
    batch = data.batch.assign(file="reimbursement", cost_centre=None, payroll_code=None, exported_at=at)
    return pd.concat([pay, batch], ignore_index=True)


# -- what finance confirms --------------------------------------------------------------------------------------
@dataclass
class PaidImport:
    """What a confirmation marked paid, what was already paid, and what is still unpaid."""

    period: str
    marked: list[str]
    already: list[str]
    unpaid: pd.DataFrame
    state: str

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "state": self.state, "marked_paid": self.marked,
                "already_paid": self.already,
                "unpaid": [{"line_id": r["line_id"], "file": r["file"], "employee_id": r["employee_id"],
                            "name": r["name"], "pay_item": r["pay_item"], "amount": fmt_money(float(r['amount']))}
                           for r in self.unpaid.to_dict("records")]}


def _date(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, (dt.date, pd.Timestamp)):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    text = str(value).strip()
    if not text:
        return None
    stamp = pd.to_datetime(text, errors="coerce")
    return None if pd.isna(stamp) else stamp.strftime("%Y-%m-%d")


def read_confirmation(path: str | Path, amount_header: str | None = None) -> pd.DataFrame:
    """Finance's confirmation as rows of line_id, paid_date (raw), amount (raw or None): the exported file with
    Paid Date filled (xlsx or CSV), or a list of line IDs (one a line, or one column)."""
    path = Path(path)
    frame = _read(path, "finance.paid-unreadable")
    keys = {header_key(c): c for c in frame.columns}

    def find(code: str, extra: str | None = None) -> Any:
        for text in (*E.PAYROLL_FIELD.values[code].all(), *([extra] if extra else [])):
            if header_key(text) in keys:
                return keys[header_key(text)]
        return None

    id_col = find("Line ID")
    if id_col is None:  # a bare list of IDs: the header is the first ID
        first = frame.columns[0] if len(frame.columns) else None
        ids = ([str(first)] if first is not None else []) + frame.iloc[:, 0].astype(str).tolist() if len(
            frame.columns) else []
        out = pd.DataFrame({"line_id": [i.strip() for i in ids if i and i.strip()], "paid_date": None,
                            "amount": None})
        out.attrs["dated"] = False
        return out
    date_col, amount_col = find("Paid Date"), find("Amount", amount_header)
    out = pd.DataFrame({"line_id": frame[id_col].astype(object).map(lambda v: "" if v is None or (
        isinstance(v, float) and pd.isna(v)) else str(v).strip()),
        "paid_date": frame[date_col] if date_col is not None else None,
        "amount": frame[amount_col] if amount_col is not None else None}).query("line_id != ''")
    out.attrs["dated"] = date_col is not None  # without a Paid Date column every listed line is confirmed
    return out


def import_paid(source: Source, period: str, path: str | Path, *, paid_date: str | None = None,
                layout: str | Path | None = None) -> PaidImport:
    """Mark paid exactly the lines finance confirmed (a Paid Date filled; every line of a bare ID list, paid on
    ``paid_date`` or today). Refused whole when a line is unknown, an amount differs from what was exported, or a
    date is not a date. Returns what is still unpaid; the close is ``paid`` once nothing is."""
    period = check_period(period)
    amount_header = None
    if layout:
        amount_header = next((c.header for c in read_layout(layout) if c.field == "Amount"), None)
    rows = read_confirmation(path, amount_header)
    with source.store(create=False) as store:
        close = current_close(store, period)
        lines = store.finance_lines(close_id=close.id)
        if not len(lines):
            raise ToolkitError("finance.not-exported", period=period)
        known = lines.set_index("line_id")
        unknown = [i for i in rows["line_id"] if i not in known.index]
        if unknown:
            raise ToolkitError("finance.paid-unknown", period=period, ids=", ".join(unknown[:10]))
        default = paid_date or dt.date.today().isoformat()
        bare = not rows.attrs.get("dated", True)
        confirmed: dict[str, str] = {}
        differ = []
        for rec in rows.to_dict("records"):
            raw = rec["paid_date"]
            date = default if bare else _date(raw)
            if not bare and date is None and raw is not None and not (isinstance(raw, float) and pd.isna(raw)) \
                    and str(raw).strip():
                raise ToolkitError("finance.paid-date", id=rec["line_id"], value=str(raw))
            if date is None:
                continue
            expected = float(known.loc[rec["line_id"], "amount"])
            amount = rec["amount"]
            if amount is not None and not (isinstance(amount, float) and pd.isna(amount)) and str(amount).strip():
                got = pd.to_numeric(str(amount).replace(",", ""), errors="coerce")
                if pd.isna(got) or round(float(got) * 100) != round(expected * 100):
                    differ.append(f"{rec['line_id']} {amount} ≠ {fmt_money(expected)}")
                    continue
            confirmed[rec["line_id"]] = date
        if differ:
            raise ToolkitError("finance.paid-amount", lines="; ".join(differ[:10]))
        already = sorted(i for i in confirmed if pd.notna(known.loc[i, "paid_date"]))
        marked = sorted(i for i in confirmed if i not in set(already))
        store.mark_paid(close.id, {i: confirmed[i] for i in marked}, str(path))
        lines = store.finance_lines(close_id=close.id)
        unpaid = lines[lines["paid_date"].isna()].reset_index(drop=True)
        if not len(unpaid) and close_state(store, close) != "paid":
            store.record_close_event(close.id, "paid", detail={"lines": len(lines)})
        state = close_state(store, close)
    return PaidImport(period, marked, already, unpaid, state)


# -- states for history and statements ----------------------------------------------------------------------------
def payment_states(store: Store, payments: pd.DataFrame) -> pd.Series:
    """Each recorded payment row's state: its close's state, or exported/paid from the lines finance received
    (a payment row is paid when every line made from it is). Openings were never paid by a close: blank."""
    if not len(payments):
        return pd.Series(dtype=object)
    states = {}
    lines_by_close = {}
    for cid in payments["close_id"].unique():
        close = store.close_info(int(cid))
        states[cid] = close_state(store, close)
        lines_by_close[cid] = store.finance_lines(close_id=int(cid))
    items = {"floating": ["Floating Pay"], "prior-year": ["Prior-Year Adjustment"],
             "payment": ["Royalty Payment", "Royalty Adjustment"]}
    out = []
    for rec in payments.to_dict("records"):
        if rec["entry"] == "opening":
            out.append(None)
            continue
        lines = lines_by_close[rec["close_id"]]
        kinds = items["floating"] if rec["kind"] == "floating" else items.get(rec["entry"], [])
        mine = lines[(lines["employee_id"] == str(rec["employee_id"])) & lines["pay_item"].isin(kinds)] \
            if len(lines) else lines
        state = states[rec["close_id"]]
        if len(mine):
            state = "paid" if mine["paid_date"].notna().all() else "exported"
        elif state in ("exported", "paid"):
            state = "paid" if state == "paid" else "exported"  # nothing to pay (a zero amount): as the close
        out.append(state)
    return pd.Series(out, index=payments.index, dtype=object)


@dataclass
class StatementExtras:
    """What statements show beside the royalty: the manual adjustments of the period, each employee's draw
    balance, and whether the close is approved (else every page says DRAFT)."""

    manual: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    draw_balance: dict[str, float] = field(default_factory=dict)
    draft: bool = True
    #: Floating pay of earlier months the close pays now, per employee (``period``, ``amount``; issue 24).
    caught_up: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def statement_extras(store: Store | None, period: str, standards: WorkbookData | None = None) -> StatementExtras:
    """From the store: the close's recorded manual entries, draw balances through it and its approval; without a
    recorded close, the standards' Adjustments of the period as they stand (and DRAFT)."""
    if store is not None:
        closes = store.closes(period=period, current_only=True)
        if closes:
            close = closes[-1]
            entries = store.close_results(close.id, "pay_adjustments")
            history = recorded_manual(store, before=period)
            both = pd.concat([history, entries], ignore_index=True) if len(entries) else history
            return StatementExtras(_by_employee(entries), F.draw_balance(both).to_dict(),
                                   approval_of(store, close) is None)
    entries = F.manual_entries(standards_table(standards, "Adjustments"), period, standards_table(standards, "Roster"))
    history = recorded_manual(store, before=period) if store is not None else pd.DataFrame()
    both = pd.concat([history, entries], ignore_index=True) if len(history) else entries
    return StatementExtras(_by_employee(entries), F.draw_balance(both).to_dict(), True)


def _by_employee(entries: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for rec in entries.to_dict("records") if len(entries) else []:
        out.setdefault(str(rec["employee_id"]), []).append(
            {"kind": rec["kind"], "amount": float(rec["amount"]), "reason": rec.get("reason"),
             "approved_by": rec.get("approved_by")})
    return out
