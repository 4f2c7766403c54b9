"""Write every employee's statement for a month (xlsx, html, pdf) and the summary index.

``statements(period, paths=… | db=…, out_dir=…)`` opens the ledger the way every computation does;
``write_statements(ledger, period, out_dir)`` is what the CLI, the ribbon's Statements button and the
month close call. The payout figures come from ONE input, ``payouts`` (employee ID → ``Payout``):
the payout ledger's recorded payments once there is one; without it (``None``), paid to date is the
previous month's YTD royalty as recomputed, and every statement says so. One employee whose record
cannot be printed is listed in the index with the reason; the others are still written.
"""

from __future__ import annotations

import contextlib

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.findings import Finding
from ..core.ledger import Ledger
from ..core.people import PAY_LEAVERS_LATER
from ..core.periods import check_period
from ..core.statements import (
    Adjustment,
    cents,
    Payout,
    Statement,
    StatementProblem,
    build_statement,
    check_statement,
    recomputed_payouts,
    statement_ids,
)
from ..errors import ToolkitError
from ..i18n import register, t
from .batch import each, error_text, pdf_done
from ..core.appraisal import compute_appraisal
from ..core.completion import compute_completion
from ..core.royalties import compute_royalties, monthly_payments
from ..outputs.labels import label
from ..schema import DEPARTMENT
from ..report.pdf_batch import PdfBatch
from ..outputs.royalties import adjustment_words, other_key
from ..outputs.statements import write_index
from ..report.statements import write_statement
from .finance import statement_extras
from .source import Source

register(
    {
        "statement.problem.payment": ("this payment is not YTD earned − paid to date",
                                      "本月支付不等于累计应得减累计已付"),
        "statement.problem.earned": ("the payout ledger's YTD earned differs from the YTD royalty computed now",
                                     "支付台账的累计应得与本次计算的累计提成不一致"),
        "statement.problem.lines": ("the royalty lines do not add up to the YTD royalty",
                                    "提成明细之和不等于累计提成"),
        "statement.problem.error": ("could not be written: {detail}", "无法生成：{detail}"),
        "statement.failed": ("Statement of {employee} ({name}) not written: {reason}",
                             "{employee}（{name}）的结算单未生成：{reason}"),
        "statement.formats": ("Unknown statement format {fmt!r}; choose from {known}.",
                              "未知的结算单格式“{fmt}”；可选：{known}。"),
        "statement.nobody": ("No employee to write a statement for (of {wanted}).",
                             "没有可生成结算单的员工（{wanted}）。"),
    }
)

FORMATS = ("xlsx", "html", "pdf")
DEFAULT_FORMATS = ("xlsx", "pdf")


@dataclass
class Failure:
    """An employee whose statement was not written, and why (in both languages)."""

    employee_id: str
    name: str | None
    reason: str
    reason_zh: str

    def message(self, lang: str = "en") -> str:
        return t("statement.failed", lang, employee=self.employee_id, name=self.name or "",
                 reason=self.reason_zh if lang == "zh" else self.reason)


@dataclass
class StatementSet:
    """The month's statements (laid out, not yet written), the failures, and the results behind them."""

    period: str
    statements: list[Statement]
    failures: list[Failure]
    royalties: Any
    salary: Any
    findings: list[Finding] = field(default_factory=list)


@dataclass
class StatementsRun:
    """What ``write_statements`` wrote: per employee the files, the index, the failures."""

    period: str
    statements: list[Statement]
    files: dict[str, list[Path]]
    failures: list[Failure]
    index: Path | None
    set: StatementSet

    @property
    def exit_code(self) -> int:
        """1 when some statement could not be written, else 0."""
        return 1 if self.failures else 0


def statement_language(department: Any, ledger: Ledger, override: str | None = None) -> str:
    """A person's document language (statements, performance files): ``override``; else their department
    workbook's; else the standards workbook's."""
    if override:
        return override
    lang = ledger.langs.get(str(department)) if department is not None else None
    return lang or getattr(ledger.standards, "lang", None) or "en"


def department_employees(ledger: Ledger) -> list[str]:
    """Roster employees of the departments the ledger holds (the ribbon: one department's statements)."""
    roster = ledger.standard("Roster")
    held = set(ledger.langs) or set(ledger.tables["Plan"]["department"].dropna().astype(str))
    mine = roster[roster["department"].astype("string").str.strip().isin(held)]
    return [str(e) for e in mine["employee_id"].dropna()]


def _problem(keys: Sequence[str]) -> tuple[str, str]:
    return ("; ".join(t(f"statement.problem.{k}", "en") for k in keys),
            "；".join(t(f"statement.problem.{k}", "zh") for k in keys))


def _records(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    return {str(r["employee_id"]): r for r in frame.to_dict("records")}


def left_by(leave: Any, period: str) -> str | None:
    """A Leave Date (YYYY-MM-DD) on or before the end of ``period``, else None (still employed then)."""
    when = pd.to_datetime(leave, errors="coerce")
    if pd.isna(when) or when.strftime("%Y-%m") > period:
        return None
    return when.strftime("%Y-%m-%d")


def build_statements(ledger: Ledger, period: str, *, employees: Sequence[str] | None = None,
                     payouts: Mapping[str, Payout] | None = None, lang: str | None = None,
                     extras: Any = None) -> StatementSet:
    """Compute the month once and lay out one statement per employee (royalty line or floating-salary line).

    ``extras`` (``operations.finance.StatementExtras``): the period's manual adjustments, draw balances and
    whether the close is a draft (issue 25); None shows neither."""

    period = check_period(period)
    roy = compute_royalties(ledger, period)
    previous = _previous_month(ledger, period)
    completion = compute_completion(ledger, period, monthly_payments(ledger, period))
    sal = compute_appraisal(ledger, period, completion)
    ids = statement_ids(roy.lines, sal.lines, employees)
    if not ids:
        raise ToolkitError("statement.nobody", wanted=", ".join(employees or []) or period)
    pays = dict(payouts) if payouts is not None else recomputed_payouts(roy.lines)
    roster = ledger.standard("Roster")
    people = {str(r["employee_id"]): r for r in roster.to_dict("records") if pd.notna(r["employee_id"])}
    royalty, salary = _records(roy.lines), _records(sal.lines)
    emp_rows = completion[completion["level"] == "employee"]
    by_emp = {k: g for k, g in emp_rows.groupby("key")}
    dept_rows = completion[(completion["level"] == "department") & (completion["status"] != "not-computed")]
    by_dept = {k: g for k, g in dept_rows.groupby("key")}
    terms = {k: g for k, g in sal.terms.groupby("employee_id")}
    contrib = {k: g for k, g in roy.contributions.groupby("employee_id")}
    bands = {k: g for k, g in roy.bands.groupby("employee_id")}
    segments = {k: g.assign(year=int(period[:4]), upto=int(period[5:7])).to_dict("records") for k, g in roy.segments.groupby("employee_id")} \
        if roy.segments is not None else {}
    statements, failures = [], []
    empty = pd.DataFrame()
    for emp in ids:
        person = people.get(emp) or royalty.get(emp) or salary.get(emp) or {}
        try:
            st = build_statement(
                emp, period, statement_language(person.get("department"), ledger, lang), person=person,
                royalty=royalty.get(emp), bands=bands.get(emp, roy.bands.iloc[0:0]),
                contributions=contrib.get(emp, roy.contributions.iloc[0:0]), payout=pays.get(emp),
                completion=by_emp.get(emp, empty), salary=salary.get(emp), terms=terms.get(emp, empty),
                segments=segments.get(emp))
            st.leave_date = left_by(person.get("leave_date"), period)
            st.pays_later = bool(ledger.threshold(PAY_LEAVERS_LATER))
            sal_line = salary.get(emp) or {}
            if sal_line.get("basis") == "department" and sal_line.get("department") in by_dept:
                # appraised on the department's completion: show those figures, not their own (often zero) rows
                st.completion, st.completion_scope = by_dept[sal_line["department"]], str(sal_line["department"])
            if st.royalty is not None and emp in previous:
                st.previous = previous[emp]
            if extras is not None:
                st.caught_up = list(getattr(extras, "caught_up", {}).get(emp, []))
                st.manual = list(extras.manual.get(emp, []))
                st.draw_balance = extras.draw_balance.get(emp)
                st.draft = bool(extras.draft)
            problems = check_statement(st)
            if problems:
                raise StatementProblem(problems)
            statements.append(st)
        except StatementProblem as exc:
            failures.append(Failure(emp, person.get("name"), *_problem(exc.keys)))
        except Exception as exc:  # one bad record never stops the others
            detail = f"{type(exc).__name__}: {exc}"
            failures.append(Failure(emp, person.get("name"), t("statement.problem.error", "en", detail=detail),
                                    t("statement.problem.error", "zh", detail=detail)))
    findings = ledger.unreliable_findings() + list(roy.findings) + list(sal.findings)
    return StatementSet(period, statements, failures, roy, sal, findings)


def _previous_month(ledger: Ledger, period: str) -> dict[str, dict[str, Any]]:
    """Last month's royalty line per employee as computed now, with its T(B) (issue 24: shown beside this
    month's, so a clawback or a jump explains itself); none in January (the year starts afresh)."""
    year, month = int(period[:4]), int(period[5:7])
    if month == 1:
        return {}
    prev = compute_royalties(ledger, f"{year:04d}-{month - 1:02d}")
    applied = prev.bands[prev.bands["applied"].astype(bool)] if len(prev.bands) else prev.bands
    t_of_b = applied.groupby("employee_id")["band_amount"].sum() if len(applied) else pd.Series(dtype=float)
    out = {}
    for rec in prev.lines.to_dict("records"):
        emp = str(rec["employee_id"])
        eligible = rec.get("reason") in ("ok", "capped", "no-tier")
        out[emp] = {**rec, "period": prev.period, "t_of_b": float(t_of_b.get(emp, 0.0)) if eligible else 0.0}
    return out


def check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    """The formats asked for, lower-case; a ToolkitError for an unknown one."""
    out = tuple(f.strip().lower() for f in formats if f.strip())
    for fmt in out:
        if fmt not in FORMATS:
            raise ToolkitError("statement.formats", fmt=fmt, known=", ".join(FORMATS))
    return out or DEFAULT_FORMATS


def _report(progress: Callable[[int, int, str], None] | None, i: int, n: int, item: tuple) -> tuple:
    """Pass one finished item through, telling ``progress`` about it."""
    if progress is not None:
        progress(i, n, item[0].employee_id if hasattr(item[0], "employee_id") else item[0])
    return item


def write_statements(ledger: Ledger, period: str, out_dir: str | Path, *, formats: Sequence[str] = DEFAULT_FORMATS,
                     employees: Sequence[str] | None = None, payouts: Mapping[str, Payout] | None = None,
                     lang: str | None = None, index_lang: str = "en",
                     progress: Callable[[int, int, str], None] | None = None, extras: Any = None) -> StatementsRun:
    """Write one statement per employee in ``formats`` into ``out_dir`` and the index workbook.

    ``progress(done, total, employee_id)`` is called after each statement.
    """
    formats = check_formats(formats)
    sset = build_statements(ledger, period, employees=employees, payouts=payouts, lang=lang, extras=extras)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, list[Path]] = {}
    written: list[Statement] = []
    failures = list(sset.failures)

    with contextlib.ExitStack() as session:
        # the PDFs print together in one Chromium, in the background while the workbooks are written
        pdfs = session.enter_context(PdfBatch()) if "pdf" in formats else None
        queued = list(each(sset.statements, partial(write_statement, out_dir=out, formats=formats, pdfs=pdfs)))
    results = [_report(progress, i, len(queued), item) for i, item in enumerate(map(pdf_done, queued), 1)]
    for st, paths, exc in results:
        if paths is not None:
            files[st.employee_id] = paths
            written.append(st)
        else:
            detail, detail_zh = error_text(exc)
            failures.append(Failure(st.employee_id, st.name, t("statement.problem.error", "en", detail=detail),
                                    t("statement.problem.error", "zh", detail=detail_zh)))
    run = StatementsRun(sset.period, written, files, failures, None, sset)
    run.index = write_index(sset.period, written, files, failures, sset.findings, out, index_lang)
    return run


def recorded_payouts(store: Any, period: str) -> dict[str, Payout] | None:
    """What the payout ledger recorded for ``period``'s current close (None when the period was never closed):
    per employee the YTD royalty earned, paid before and this payment, and the itemised adjustments of this
    year's closed months (a prior-year adjustment is paid beside it and named in the note)."""
    closes = store.closes(period=period, current_only=True)
    if not closes:
        return None
    close = closes[-1]
    pays = store.payments(close_id=close.id)
    pays = pays[(pays["kind"] == "royalty") & (pays["entry"] == "payment")]
    adjs = store.adjustments(close_id=close.id)
    items: dict[str, list[Adjustment]] = {}
    prior: dict[str, int] = {}
    for rec in adjs[adjs["kind"] == "royalty"].to_dict("records") if len(adjs) else []:
        emp = str(rec["employee_id"])
        if bool(rec.get("prior_year")):
            prior[emp] = prior.get(emp, 0) + cents(rec["effect"])
            continue
        month = rec.get("closed_period") or ""
        text = {lang: label("st.adjustment-row", lang, **words) if (words := adjustment_words(rec, lang)) else
                label(other_key("st", rec), lang, period=month) for lang in ("en", "zh")}
        rows = [v for v in (rec.get("contract_no"), rec.get("receipt_no")) if isinstance(v, str) and v]
        items.setdefault(emp, []).append(Adjustment(text, float(rec["effect"]), rows, month or None,
                                                    before=_money_or_none(rec.get("amount_before")),
                                                    after=_money_or_none(rec.get("amount_after")),
                                                    where=_row_place(rec)))
    openings = _openings(store, period)
    out: dict[str, Payout] = {}
    for rec in pays.to_dict("records"):
        emp = str(rec["employee_id"])
        amount, through = openings.get(emp, (None, None))
        out[emp] = Payout(emp, float(rec["ytd_earned"]), float(rec["paid_before"]), float(rec["amount"]),
                          items.get(emp, []), None, True, prior_year=prior.get(emp, 0) / 100,
                          opening=amount, opening_through=through)
    return out


def _money_or_none(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _row_place(rec: dict[str, Any]) -> dict[str, str] | None:
    """Where an adjustment's row is, in both languages: "dept-east.xlsx, Collections row 12"."""
    sheet, row = rec.get("sheet"), rec.get("row")
    if not isinstance(sheet, str) or not sheet or row is None or pd.isna(row):
        return None
    try:
        names = DEPARTMENT.table(sheet).sheet
        sheets = {"en": names.en, "zh": names.zh}
    except KeyError:
        sheets = {"en": sheet, "zh": sheet}
    source = Path(str(rec["source"])).name if isinstance(rec.get("source"), str) and rec.get("source") else ""
    return {lang: label("st.adjustment.where", lang, file=source, sheet=sheets[lang], row=int(row)).lstrip(", ，")
            for lang in ("en", "zh")}


def _openings(store: Any, period: str) -> dict[str, tuple[float, str]]:
    """The ledger's ``opening`` entries of ``period``'s year recorded by its closes up to ``period``: per employee
    the amount taken as paid and the last month it covers."""
    pays = store.payments(year=int(period[:4]))
    if not len(pays):
        return {}
    mine = pays[(pays["entry"] == "opening") & (pays["kind"] == "royalty") & (pays["close_period"] <= period)]
    return {str(r["employee_id"]): (float(r["amount"]), str(r["period"])) for r in mine.to_dict("records")}


def recorded_caught_up(store: Any, period: str) -> dict[str, list[dict[str, Any]]]:
    """Floating pay of earlier months the current close of ``period`` pays (the catch-up rule, docs/ledger.md),
    per employee: each month and its amount."""
    closes = store.closes(period=period, current_only=True)
    if not closes:
        return {}
    pays = store.payments(close_id=closes[-1].id)
    late = pays[(pays["kind"] == "floating") & (pays["entry"] == "payment") & (pays["period"] != period)] \
        if len(pays) else pays
    out: dict[str, list[dict[str, Any]]] = {}
    for rec in late.sort_values("period").to_dict("records") if len(late) else []:
        out.setdefault(str(rec["employee_id"]), []).append({"period": str(rec["period"]),
                                                            "amount": float(rec["amount"])})
    return out


def statements(source: Source, period: str, out_dir: str | Path, **options: Any) -> StatementsRun:
    """The month's statements from workbooks (``PATH... --standards``) or the store (``--db``). From the store,
    a closed period's statements show what the payout ledger recorded (paid to date, this payment and the
    itemised adjustments); otherwise the previous months as recomputed, and the statement says so."""
    period = check_period(period)
    ledger = source.ledger(period)
    if source.from_store:
        with source.store() as store:
            if options.get("payouts") is None:
                options["payouts"] = recorded_payouts(store, period)
            options.setdefault("extras", statement_extras(store, period, ledger.standards))
            if options["extras"] is not None and not options["extras"].caught_up:
                options["extras"].caught_up = recorded_caught_up(store, period)
    else:  # from workbooks there is no approved close: drafts (issue 25)
        options.setdefault("extras", statement_extras(None, period, ledger.standards))
    return write_statements(ledger, period, out_dir, **options)
