"""The month end in one call: validate and consolidate, then compute every result from the store.

``close_month(paths, period, out_dir)`` runs ``consolidate`` (store + consolidated workbook in
``out_dir``), builds the Ledger from the store snapshots of this run, writes each computation's JSON
and xlsx outputs (``toolkit.outputs``: royalties, salary, completion, funds, forecast) and renders the
monthly report. It returns where every output went.

The close is recorded in the payout ledger (``toolkit.operations.closes``): payments against what earlier
closes paid, itemised adjustments, stored results, one transaction. A period already closed is closed again
only with ``reopen`` (a new version, written into ``out_dir/<period>-v<N>``, the earlier one kept); a period
before a closed one is refused before anything is read.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from concurrent.futures import ProcessPoolExecutor
import multiprocessing as mp
import pandas as pd

from ..core.findings import Finding
from ..core.ledger import remember
from ..core import month as M
from ..core.month import shared_results
from ..core.payouts import apply_payouts
from ..core.royalties import cents, compute_royalties, monthly_payments
from ..core.periods import check_period, parse_period
from ..errors import ToolkitError
from ..i18n import register, t
from ..outputs import NAMES, build, write_output
from ..outputs.jsonfmt import write_json
from ..store import CloseInfo, Run, Store
from .closes import (
    absent_people, check_can_close, close_output_dir, commit_close, left_out_people, not_computed_people,
    note_findings, note_text, prepare_close, reclose_changes, reclose_totals, restatement_findings, version_facts
)
from .consolidate import ConsolidationResult, FileOutcome, consolidate
from .finance import attach_manual, check_reopen
from .report import DEFAULT_FORMATS, last_year_paid, render_monthly_report
from .source import Source
from ..outputs.royalties import attach_ledger
from ..outputs.salary import attach_floating
from ..report.render import HtmlProcess, html_apart, market_early
from ..runtime import forks
from ..report.history import history_without_royalties
from ..report.sections.headline import TREND_MONTHS
from ..report.stored_history import closed_figures
from ..money import fmt_money

register(
    {
        "close.nothing": ("No department was consolidated for {period}; nothing to compute.",
                          "{period} 没有部门合并成功，无法计算。"),
        "close.output.consolidated": ("consolidated workbook", "合并工作簿"),
        "close.output.royalties": ("royalties", "提成"),
        "close.output.salary": ("floating salary", "浮动工资"),
        "close.output.completion": ("indicator completion", "指标完成情况"),
        "close.output.funds": ("fund recovery and demand", "资金回笼与需求"),
        "close.output.forecast": ("sales forecast", "销售预测"),
        "close.output.summary": ("run summary", "运行摘要"),
        "close.output.report": ("monthly report", "月度报告"),
    }
)

#: The computations of the month end, in order.
COMPUTATIONS = NAMES


@dataclass
class CloseMonthResult:
    """The consolidation and the files written, by output name (``royalties`` -> [json, xlsx])."""

    consolidation: ConsolidationResult
    outputs: dict[str, list[Path]] = field(default_factory=dict)
    #: Seconds: consolidate, ledger, royalties (with completion, funds, forecast and appraisal: what the outputs
    #: and the report share), outputs (wall time of the outputs and the report, which run in parallel), compute /
    #: write / report (their own times, summed), total.
    timings: dict[str, float] = field(default_factory=dict)
    close: CloseInfo | None = None  # the close recorded in the payout ledger
    notes: list[dict[str, Any]] = field(default_factory=list)  # ledger notes, each with its ``text``
    reclose: Any = None  # a re-close: what changed per employee (``closes.reclose_changes``)
    reclose_totals: Any = None  # a re-close: totals per kind before and after (``closes.reclose_totals``)
    totals: dict[str, Any] = field(default_factory=dict)  # the payout ledger's totals of this close
    plan: Any = None  # the ``closes.ClosePlan`` recorded (statement, payments, adjustments)

    @property
    def exit_code(self) -> int:
        return self.consolidation.exit_code

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        changes = None
        if self.reclose is not None:
            changes = [{"employee_id": r["employee_id"], "kind": r["kind"], "before": fmt_money(r['before']),
                        "after": fmt_money(r['after'], blank=None), "change": fmt_money(r['change'], blank=None),
                        "status": r["status"]}
                       for r in self.reclose.to_dict("records")]
        return {"consolidation": self.consolidation.to_dict(lang),
                "outputs": {k: [str(p) for p in v] for k, v in self.outputs.items()},
                "close": self.close.to_dict() if self.close else None, "notes": self.notes,
                "ledger_totals": self.totals, "reclose_changes": changes,
                "reclose_totals": None if self.reclose_totals is None else [
                    {"kind": r["kind"], "before": fmt_money(r['before']), "after": fmt_money(r['after']),
                     "change": fmt_money(r['change'])} for r in self.reclose_totals.to_dict("records")],
                "exit_code": self.exit_code}


def left_out_findings(files: Sequence[FileOutcome]) -> list[Finding]:
    """For the report's data-quality section: each department not consolidated, why, and its findings (errors
    and warnings alike, as a report from the files lists them)."""
    out: list[Finding] = []
    for f in files:
        if f.ok or f.kind == "standards":
            continue
        out.append(Finding("department-not-consolidated", file=f.path, value=f.department or Path(f.path).name,
                           params={"status": t(f"consolidate.status.{f.status}", "en"),
                                   "status_zh": t(f"consolidate.status.{f.status}", "zh"), "reason": f.reason or ""}))
        out += list(f.findings)
    return out


def compute_outputs(ledger: Any, period: str, out_dir: Path, lang: str = "en",
                    timings: dict[str, float] | None = None) -> dict[str, list[Path]]:
    """Run every computation on ``ledger`` and write ``<name>-<period>.json`` and ``.xlsx`` into ``out_dir``;
    ``timings`` gains the seconds spent computing and writing."""
    return _run_tasks([("output", name) for name in COMPUTATIONS], ledger, period, out_dir, lang, (), 1,
                      timings if timings is not None else {})


#: What forked workers of ``_run_tasks`` inherit instead of receiving it pickled (the ledger can be large).
_INHERITED: dict[str, Any] = {}


def _task(kind: str, name: str) -> tuple[str, list[Path], dict[str, float], Any]:
    """One output (``build`` + ``write_output``) or the report, on the inherited ledger; its files, seconds and
    the result frames a close stores (``_stored``). The royalty output of a close first gets the payout
    ledger's figures (``_INHERITED["ledger"]``: ``attach_ledger``'s arguments)."""
    ledger, period, out_dir, lang, extra = _INHERITED["args"]
    t0 = time.perf_counter()
    if kind == "report":
        paths = render_monthly_report(ledger, period, out_dir, lang=lang, extra_findings=extra,
                                      closed=_INHERITED.get("closed"), version=_INHERITED.get("version"),
                                      parallel=_INHERITED.get("parallel", False),
                                      html_process=_INHERITED.get("html"))
        return name, paths, {"report": time.perf_counter() - t0}, None
    output = build(name, ledger, period, lang)
    if name == "royalties" and _INHERITED.get("ledger") is not None:
        attach_ledger(output, *_INHERITED["ledger"])
    if name == "salary" and _INHERITED.get("floating") is not None:

        attach_floating(output, _INHERITED["floating"])
    t1 = time.perf_counter()
    paths = write_output(output, out_dir)
    return name, paths, {"compute": t1 - t0, "write": time.perf_counter() - t1}, _stored(name, output.result)


def _stored(name: str, result: Any) -> dict[str, Any] | None:
    """The result frames a close stores for output ``name`` (completion, funds, forecast; royalties and salary
    are stored by ``closes.prepare_close``)."""
    if name == "completion":
        return {"completion": result}
    if name == "funds":
        return {"funds_receivables": result.receivables, "funds_aging": result.aging, "funds_demand": result.demand}
    if name == "forecast":
        return {"forecast": pd.concat([result.history.assign(kind="history"),
                                       result.forecast.assign(kind="forecast")], ignore_index=True)}
    return None


def _run_tasks(tasks: list[tuple[str, str]], ledger: Any, period: str, out_dir: Path, lang: str,
               extra: Sequence[Finding], jobs: int, timings: dict[str, float], attach: tuple | None = None,
               stored: dict[str, Any] | None = None, closed: Any = None,
               floating: Any = None, version: dict[str, Any] | None = None,
               html: HtmlProcess | None = None) -> dict[str, list[Path]]:
    """Run the output and report tasks, in ``jobs`` forked processes where the platform forks (they share the
    ledger and its memoised royalties without copying), else one after the other; results in task order.
    ``attach``: the payout ledger's figures for the royalty output; ``stored`` gains the frames to store;
    ``closed``: the figures of months already closed, for the report; ``floating``: the close's floating
    payments, for the salary output; ``version``: a re-close's ``closes.version_facts``, for the report;
    ``html``: the process the report renders its HTML in (``report.render.HtmlProcess``), when forked tasks run."""
    _INHERITED["args"] = (ledger, period, out_dir, lang, list(extra))
    _INHERITED["version"] = version
    _INHERITED["ledger"] = attach
    _INHERITED["closed"] = closed
    _INHERITED["floating"] = floating
    _INHERITED["parallel"] = jobs > 1  # the report's HTML in its own process: a third one keeps both cores busy
    _INHERITED["html"] = html
    try:
        if jobs > 1 and len(tasks) > 1 and forks():
            with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=mp.get_context("fork")) as pool:
                done = list(pool.map(_task, *zip(*tasks)))
        else:
            done = [_task(kind, name) for kind, name in tasks]
    finally:
        _INHERITED.clear()
    written: dict[str, list[Path]] = {}
    for name, paths, seconds, frames in done:
        written[name] = paths
        if stored is not None and frames:
            stored.update(frames)
        for stage, value in seconds.items():
            timings[stage] = timings.get(stage, 0.0) + value
    return written


def close_month(
    source: Source,
    period: str,
    out_dir: str | Path,
    *,
    jobs: int | None = None,
    strict: bool = False,
    lang: str = "en",
    progress: Callable[[int, int, FileOutcome], None] | None = None,
    reopen: bool = False,
    report: bool = True,
) -> CloseMonthResult:
    """Validate, consolidate and compute the month of ``source`` (its workbooks into its store), record it in the
    payout ledger; write everything into ``out_dir`` (a re-close with ``reopen``: into ``out_dir/<period>-v<N>``,
    never over an earlier version). ``jobs``: processes for consolidating, the outputs and the report (None: one per
    CPU; 1: everything one after the other in this process, the same files). ``report=False`` leaves out the
    monthly report (a library option for callers that do not read it, such as tests of the ledger: the close is
    computed, written and recorded the same, only without the report's files)."""
    period = check_period(period)
    t0 = time.perf_counter()
    with source.store() as store, store.close_lock(period):  # one close at a time per store, for the whole close
        return _close_locked(source, store, period, Path(out_dir), jobs=jobs, strict=strict, lang=lang,
                             progress=progress, reopen=reopen, t0=t0, report=report)


#: Prefix of the folder a close writes into before it is recorded (``<prefix><period>-…``).
UNRECORDED = ".close-unrecorded-"


def _close_locked(source: Source, store: Store, period: str, out_dir: Path, *, jobs: int | None, strict: bool,
                  lang: str,
                  progress: Callable[[int, int, FileOutcome], None] | None, reopen: bool,
                  t0: float, report: bool = True) -> CloseMonthResult:
    """``close_month`` with the store's close lock held: every output is written into a temporary folder and
    moved into place only once the close is recorded, so an unrecorded close leaves nothing that looks real."""

    check_reopen(store, period, reopen)  # an approved close is never closed again (issue 25)
    previous = check_can_close(store, period, reopen)  # refused before anything is read or written
    final = close_output_dir(out_dir, period, store.next_close_version(period))
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob(UNRECORDED + "*"):  # left by a close killed before it was recorded
        if not _writer_alive(stale):
            shutil.rmtree(stale, ignore_errors=True)
    out = Path(tempfile.mkdtemp(prefix=f"{UNRECORDED}{period}-{os.getpid()}-", dir=out_dir))
    cons: ConsolidationResult | None = None
    html: HtmlProcess | None = None
    frozen = False
    result = CloseMonthResult(None)  # type: ignore[arg-type] - replaced once consolidated
    try:
        cons = consolidate(source, period, output=out / f"consolidated-{period}.xlsx",
                           jobs=jobs, strict=strict, lang=lang, command="close-month", progress=progress,
                           hand_over=True)
        result = CloseMonthResult(cons, {"consolidated": [cons.workbook]} if cons.workbook else {})
        n_jobs = max(1, jobs if jobs else (os.cpu_count() or 1))
        timings = result.timings
        timings["consolidate"] = time.perf_counter() - t0
        ids = [f.snapshot_id for f in cons.consolidated if f.snapshot_id is not None]
        if not ids:
            raise ToolkitError("close.nothing", period=period)
        t1 = time.perf_counter()
        ledger = source.store_ledger(period, ids, cons.handed)  # the rows just consolidated, not read back
        cons.handed.clear()
        frozen = _freeze()
        ledger.left_out.update({f.department or f.path: f.reason or f.status for f in cons.failed})
        ledger.absent_people.update(absent_people(store, ledger, period))
        timings["ledger"] = time.perf_counter() - t1
        closed = None  # the figures of months already closed: what only the report reads
        if report:
            closed = closed_figures(store)  # read here: forked processes must not share the store's connection
            closed = closed[closed["period"] < period]
        if report and n_jobs > 1 and html_apart(DEFAULT_FORMATS):
            # the report's HTML process, forked now so it computes what needs none of this year's royalties — the
            # month's forecast, last year's payments the report's headline needs, the 12-month history's part
            # without them, the report's market section and its charts — and imports jinja2 and matplotlib on the
            # core the serial part below leaves idle; this process takes the forecast from it, the report task
            # (forked later) the rest, and hands it the context
            html = HtmlProcess(early={"forecast": (M.forecast, (ledger, period)),
                                      "last_year": (last_year_paid, (ledger, period, closed)),
                                      "history": (history_without_royalties,
                                                  (ledger, parse_period(period), TREND_MONTHS)),
                                      "market": (market_early, (ledger, period, lang))})
        t2 = time.perf_counter()
        monthly_payments(ledger, period)  # memoised on the ledger before the outputs share it
        # completion, funds, appraisal (and the forecast, unless made meanwhile): once, before the workers split
        shared_results(ledger, period, with_forecast=html is None)
        plan = prepare_close(store, ledger, period, reopen=reopen, royalties=compute_royalties(ledger, period))
        manual = attach_manual(store, ledger, plan)  # the period's Adjustments, recorded with the close
        if html is not None:
            _take_forecast(html, ledger, period)
        timings["royalties"] = time.perf_counter() - t2
        result.plan = plan
        # the outputs and the report show the royalties as the ledger pays them (paid to date, this payment)
        remember(ledger, compute_royalties, period,
                 apply_payouts(compute_royalties(ledger, period), plan.payouts.statement, plan.payouts.adjustments))
        result.notes = [{**n, "text": note_text(n, lang)} for n in plan.notes]
        attach = (plan.payouts.statement, plan.payouts.adjustments, result.notes,
                  {"period": period, "version": plan.version, "reopened": previous is not None})
        extra = left_out_findings(cons.files) + note_findings(plan.notes) + restatement_findings(
            store, ledger, period, any(n["code"] == "prior-year" for n in plan.notes)) if report else []
        tasks = ([("report", "report")] if report else []) + [("output", name) for name in COMPUTATIONS]
        version = None  # what only the report reads (as ``extra``)
        if report:
            version = None if previous is None else version_facts(
                previous, plan.version, store.payments(close_id=previous.id), plan.payments,
                left_out_people(plan.results), plan.departments,
                plan.not_consolidated)  # the report says what this version supersedes and changes
        result.outputs.update(_run_tasks(tasks, ledger, period, out, lang, extra, n_jobs, timings, attach,
                                         plan.results, closed, plan.floating, version, html))
        if html is not None:
            html.close()
            html = None
        result.outputs = {k: [final / Path(p).relative_to(out) for p in result.outputs[k]]
                          for k in ("consolidated", *COMPUTATIONS, "report") if k in result.outputs}
        if cons.workbook:
            cons.workbook = final / Path(cons.workbook).relative_to(out)
        timings["outputs"] = time.perf_counter() - t2
        result.totals = {k: fmt_money(v) for k, v in plan.payouts.totals().items()}
        result.totals["manual"] = fmt_money(int(cents(manual['amount']).sum()) / 100 if len(manual) else 0.0)
        summary = {**cons.to_dict(lang), "files": [{k: v for k, v in f.to_dict(lang).items() if k != "findings"}
                                                   for f in cons.files],
                   "close": {"period": period, "version": plan.version}, "notes": result.notes,
                   "ledger_totals": result.totals}
        write_json(out / f"close-month-{period}.json", summary)
        result.outputs["summary"] = [final / f"close-month-{period}.json"]
        std_id = [cons.standards.snapshot_id] if cons.standards and cons.standards.snapshot_id is not None else []
        result.close = commit_close(store, plan, run_id=cons.run_id, snapshot_ids=ids + std_id,
                                    outputs=result.outputs)
        _move_into_place(out, final)
        if previous is not None:
            old, new = store.payments(close_id=previous.id), store.payments(close_id=result.close.id)
            left = not_computed_people(store, result.close.id)
            result.reclose, result.reclose_totals = reclose_changes(old, new, left), reclose_totals(old, new, left)
        timings["total"] = time.perf_counter() - t0
        return result
    except BaseException as exc:
        if cons is not None and cons.run_id is not None and result.close is None:  # the run says: no close
            try:
                store.finish_run(Run(period, "close-month", id=cons.run_id), "failed",
                                 {"close": "not recorded", "error": getattr(exc, "key", type(exc).__name__)})
            except Exception:  # noqa: BLE001 - the original error is the one to report
                pass
        raise
    finally:
        if html is not None:
            html.close()
        if frozen:
            gc.unfreeze()
        shutil.rmtree(out, ignore_errors=True)


#: Set by a process that froze what it holds for good (``gc.freeze``, never undone: the test session does, in
#: tests/conftest.py): a close then knows objects are frozen without ``gc.get_freeze_count``, which counts them one
#: by one (≈ 50 ms for the 3 million of a test process, at every close). Unset, the count answers as before; a stale
#: True (the host unfroze after all) only leaves that close's collections unfrozen, never changes what it writes.
HOST_FROZE = False


def _freeze() -> bool:
    """Move every object the process holds now (the ledger, the imported modules) out of the cyclic garbage
    collector's reach for the rest of the close (``gc.freeze``), unless something froze objects already
    (``HOST_FROZE``, else ``gc.get_freeze_count``); whether it did. The close then allocates many short-lived
    frames: each full collection walked the ledger's objects again (≈ 60 ms each at the bench), and in the forked
    workers it touched their pages, which the fork then copied. What is frozen is only held longer: the close
    unfreezes in the end (``gc.unfreeze``), and outputs do not change."""
    if HOST_FROZE or gc.get_freeze_count():
        return False
    gc.collect()  # garbage first: cycles already unreachable (consolidation's) would otherwise be kept to the end
    gc.freeze()
    return True


def _take_forecast(html: HtmlProcess, ledger: Any, period: str) -> None:
    """The month's forecast as the close's HTML process made it, memoised on ``ledger`` for the outputs and the
    report (``core.month.forecast``); computed here should that process have died."""
    remember(ledger, M.forecast, period, html.early_or("forecast", lambda: M.forecast(ledger, period)))


def _writer_alive(folder: Path) -> bool:
    """Whether the process that made an unrecorded close folder (its pid is in the name) may still be writing
    it — another store's close into the same folder; unknown (not POSIX, no pid) counts as alive."""
    parts = folder.name[len(UNRECORDED):].split("-")
    if os.name != "posix" or len(parts) < 4 or not parts[2].isdigit():
        return True
    try:
        os.kill(int(parts[2]), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _move_into_place(tmp: Path, final: Path) -> None:
    """Every file under ``tmp`` moved to the same place under ``final`` (replacing a file of the same name)."""
    for src in sorted(p for p in tmp.rglob("*") if p.is_file()):
        dest = final / src.relative_to(tmp)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dest)
