"""Performance files: one workbook (and PDF) per person for a year, from the store (``toolkit performance-file``).

Each month of the year comes from the month source (``toolkit.operations.months.month_ledgers``: the
store's consolidated month, or the next consolidated one), computed as the month close computes it:
completion (targets, actuals, RAG, rank), royalties (the month's payment), floating salary (score, grade,
coefficient). The same store gives the same file, so a past year is reproducible. What was paid —
royalties and floating pay — is read from the payout ledger once the year has a close (``_as_paid``).

Several years (issue 31, ``gather_history``): every year the store holds up to the file's, each quarter and
the year appraised as ``toolkit appraisal --quarter``/``--year`` does (score, grade, ranks), beside the pay
of those months, the managers' reviews and the training hours; the person's review and training rows.
"""

from __future__ import annotations

import contextlib

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.ledger import Ledger
from ..core.performance import (
    History,
    Year,
    attribute_findings,
    month_rows,
    owned_feedback,
    stack_history,
    stack_year,
    window_rows,
    year_reviews,
    year_training,
)
from ..errors import ToolkitError
from ..i18n import register, t
from .batch import each, error_text, pdf_done
from ..core.appraisal import compute_appraisal
from ..core.completion import compute_completion
from ..core.royalties import compute_royalties, monthly_payments
from .history import paid_by_month
from .appraisal import periodic_appraisal
from .months import month_ledgers, month_sources, stored_years
from .source import Source
from .statements import statement_language
from ..report.pdf_batch import PdfBatch

register(
    {
        "performance.nobody": ("Nobody to write a performance file for (of {wanted}).",
                               "没有可生成业绩档案的员工（{wanted}）。"),
        "performance.failed": ("Performance file of {employee} not written: {detail}",
                               "{employee} 的业绩档案未生成：{detail}"),
    }
)

FORMATS = ("xlsx", "pdf")


@dataclass
class PerformanceRun:
    """The year gathered and the files written per employee; employees whose file failed, with why."""

    year: Year
    files: dict[str, list[Path]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0


def gather_year(source: Source, year: int, ledgers: dict[str, Ledger] | None = None) -> Year:
    """Everyone's months of ``year`` from the month source, plus findings and feedback of the last month known
    (``ledgers``: the store's ledgers by stored period, shared across years and the appraisals)."""
    months, pay, sources = [], [], []
    last = None
    for ms in month_ledgers(source, year, cache=ledgers):
        roy = compute_royalties(ms.ledger, ms.period)
        comp = compute_completion(ms.ledger, ms.period, monthly_payments(ms.ledger, ms.period))
        sal = compute_appraisal(ms.ledger, ms.period, comp)
        m, p = month_rows(ms.period, ms.source_period, comp, roy.lines, sal.lines)
        months.append(m)
        pay.append(p)
        sources.append((ms.period, ms.source_period))
        last = ms
    assert last is not None  # month_ledgers raises when the year has no stored month
    ledger = last.ledger
    roster = ledger.standard("Roster")
    findings = attribute_findings(ledger.findings, ledger.tables, year)
    feedback = owned_feedback(ledger.tables["Feedback"], roster, year)
    people = roster.dropna(subset=["employee_id"]).drop_duplicates("employee_id").reset_index(drop=True)
    people = people.assign(lang=people["department"].map(lambda d: statement_language(d, ledger)))
    return stack_year(year, months, _as_paid(source, year, pay), findings, feedback, people, sources)


def gather_history(source: Source, this: Year, ledgers: dict[str, Ledger] | None = None) -> History:
    """Every stored year up to ``this`` one: each quarter and the year appraised (``periodic_appraisal`` on the
    store), the pay of those months (``this`` year's, or the earlier year's ``gather_year``), the reviews and
    training of the year (from its last stored month's registers)."""
    ledgers = {} if ledgers is None else ledgers
    windows, reviews, training = [], [], []
    years = stored_years(source, this.year)
    for y in years:
        pay = this.pay if y == this.year else gather_year(source, y, ledgers).pay
        last_stored = month_sources(source, y)[-1][1]
        if last_stored not in ledgers:
            ledgers[last_stored] = source.store_ledger(last_stored)
        ledger = ledgers[last_stored]
        rv, tr = year_reviews(ledger.tables.get("Reviews"), y), year_training(ledger.tables.get("Training"), y)
        reviews.append(rv)
        training.append(tr)
        quarters = sorted({(int(p[5:7]) - 1) // 3 + 1 for p, _ in month_sources(source, y)})
        for q in [*quarters, None]:
            lines = periodic_appraisal(source, y, q, ledgers).lines
            windows.append(window_rows(y, q, lines, pay, rv, tr))
    return stack_history(years, windows, reviews, training)


def _as_paid(source: Source, year: int, pay: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """The months' pay rows saying what the payout ledger paid: a closed month's royalty and floating pay are
    what its close recorded (catch-ups of months never closed included, in the month that paid them); a month
    not closed paid nothing. Unchanged when the year has no close (nothing recorded to read)."""
    with source.store() as store:
        paid = paid_by_month(store, year)
    if paid is None:
        return pay
    closed = set(paid.attrs["closed"])
    rec = paid.set_index(["employee_id", "month"])
    out = []
    for frame in pay:
        frame = frame.copy()
        key = pd.MultiIndex.from_arrays([frame["employee_id"].astype(str),
                                         frame["period"].astype(str).str[5:7].astype(int)])
        is_closed = key.get_level_values(1).isin(closed)
        for col, kind in (("royalty_payment", "royalty"), ("floating_pay", "floating")):
            got = rec[kind].reindex(key).to_numpy(dtype="float64")
            computed = (frame["status"] != "not-computed").to_numpy(dtype=bool)  # never paid as 0.00
            frame[col] = np.where(is_closed & computed, np.nan_to_num(got, nan=0.0), np.nan)
        out.append(frame)
    return out


def write_performance_files(source: Source, year: int, out_dir: str | Path, *,
                            employees: Sequence[str] | None = None, formats: Sequence[str] = FORMATS,
                            lang: str | None = None,
                            progress: Callable[[int, int, str], None] | None = None) -> PerformanceRun:
    """One performance file per person (everyone with a month row or a pay row, or just ``employees``): the year's
    months, and every stored year up to it by quarter and year with the reviews and training (``gather_history``)."""
    from ..report.performance import Pages, write_performance_file  # deferred: loads matplotlib (slow to import); only this path needs it

    ledgers: dict[str, Ledger] = {}
    data = gather_year(source, year, ledgers)
    data.history = gather_history(source, data, ledgers)
    ids = list(dict.fromkeys([*data.pay["employee_id"], *data.months["employee_id"]]))
    if employees:
        ids = [e for e in ids if e in set(employees)]
    if not ids:
        raise ToolkitError("performance.nobody", wanted=", ".join(employees or []) or str(year))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    run = PerformanceRun(data)
    people = data.people.set_index("employee_id")

    def person_of(emp: str) -> dict[str, Any]:
        return people.loc[emp].to_dict() if emp in people.index else {}

    with contextlib.ExitStack() as session:
        # the workbooks written and pages (charts drawn) built in two processes, forked before Chromium and any
        # thread starts (the workbooks alone too: two cores write them)
        pages = session.enter_context(Pages(data, people=len(ids)))
        built = {emp: pages.submit(emp, person_of(emp), lang or person_of(emp).get("lang") or "en", out, formats)
                 for emp in ids}
        # the PDFs print together in one Chromium, in the background while the workbooks are written
        pdfs = session.enter_context(PdfBatch()) if "pdf" in formats else None

        def work(emp: str) -> tuple[list[Path], Any]:
            person = person_of(emp)
            return write_performance_file(data, emp, person, out, formats, lang or person.get("lang") or "en", pdfs,
                                          built.pop(emp))  # popped: each page's HTML freed once it is used

        queued = list(each(ids, work))
    for i, (emp, paths, exc) in enumerate(map(pdf_done, queued), 1):
        if paths is not None:
            run.files[emp] = paths
        else:
            run.failures[emp] = t("performance.failed", "en", employee=emp, detail=error_text(exc)[0])
        if progress is not None:
            progress(i, len(ids), emp)
    return run
