"""The ribbon's company buttons: the month close and everything read from the history store.

Close month, Company report, Salary, Forecast, Appraisal, Performance files, Candidates, History, Plan
settings and Plan cost call the same operations as ``toolkit close-month``, ``report --db``, ``salary --db``,
``forecast --db``, ``appraisal --db``, ``performance-file``, ``candidates --db``, ``history list``,
``plan settings`` and ``plan cost --plan``. They read the history store (``TOOLKIT_DB``, else asked; default the ``toolkit.db``
that Consolidate folder / Close month keep in the folder's ``consolidated`` subfolder, or beside an open
consolidated workbook) and write their files beside it, then open the first. Nothing here computes.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ..core.periods import check_period
from ..errors import ToolkitError
from ..i18n import register, t
from ..io.writer import SheetFrame, write_frames
from ..operations.appraisal import periodic_appraisal
from ..operations.candidates import role_code, write_candidates
from ..operations.compute import compute
from ..operations.consolidate.discovery import sniff_kind
from ..operations.history import list_history
from ..operations.plan import cost_plan
from ..operations.plan_settings import plan_settings_template
from ..outputs import plan as PLAN_OUT
from ..outputs import review as REVIEW_OUT
from ..report.pdf import find_chromium
from ..operations.source import DB_ENV, Source
from .run import Run, run
from .run import YES as _YES  # the one set of answers meaning yes

register({
    "macro.q.store": ("History store (toolkit.db):", "历史库（toolkit.db）："),
    "macro.q.close-folder": ("Folder of department workbooks to close the month of:", "要月结的部门工作簿所在文件夹："),
    "macro.q.close-confirm": ("Close {period} for the workbooks in {folder}? The payments are recorded in {db} "
                              "(a closed period is closed again as a new version). (yes/no)",
                              "对 {folder} 中的工作簿进行 {period} 月结吗？付款将记录到 {db}（已结账期间会作为新版本重新结账）。（是/否）"),
    "macro.q.year": ("Year (YYYY):", "年度（YYYY）："),
    "macro.q.plan-path": ("Save the plan settings workbook as:", "计划设置工作簿保存为："),
    "macro.q.plan-cost-year": ("Year of the plan to cost (YYYY):", "要测算成本的计划年度（YYYY）："),
    "macro.no-store": ("No history store at {path}: run Consolidate folder or Close month first, or set TOOLKIT_DB.",
                       "{path} 没有历史库：请先运行“汇总文件夹”或“月结”，或设置 TOOLKIT_DB。"),
    "macro.close-cancelled": ("Month close cancelled.", "已取消月结。"),
    "macro.closed": ("Closed {period}: {ok} of {total} department workbook(s); outputs in {folder}.",
                     "{period} 已月结：{total} 个部门工作簿中的 {ok} 个；输出位于 {folder}。"),
    "macro.bad-year": ("'{value}' is not a year (YYYY).", "“{value}”不是年度（YYYY）。"),
    "macro.q.role": ("Rank the people of one Roster role (e.g. Salesperson, Manager; blank: everyone):",
                     "只对某一名册角色排名（如 Salesperson、Manager；留空：所有人）："),
    "macro.candidates": ("Candidates for promotion {year} written to {files}.", "{year} 年晋升候选人已写入 {files}。"),
    "macro.performance": ("{count} performance file(s) written to {folder}.", "已生成 {count} 份绩效档案，保存在 {folder}。"),
})

_PERIOD = re.compile(r"(\d{4}-\d{2})")


def _book_kind(run: Run) -> str | None:
    """The saved file's kind (``sniff_kind``: department, standards, output), None for an unsaved book."""
    path = run.port.path
    return sniff_kind(Path(path)) if path is not None and Path(path).exists() else None


def store_db(run: Run) -> str:
    """The history store: ``TOOLKIT_DB``, else asked (default ``toolkit.db`` beside an output workbook such as
    the consolidated one, else in the book folder's ``consolidated`` subfolder); it must exist."""
    env = os.environ.get(DB_ENV)
    if env:
        return env
    here = run.folder()
    default = here / "toolkit.db" if (here / "toolkit.db").exists() else here / "consolidated" / "toolkit.db"
    answer = run.ask("store", str(default))
    if not answer:
        raise ToolkitError("macro.no-folder")
    if "://" not in answer and not Path(answer).expanduser().is_file():
        raise ToolkitError("macro.no-store", path=answer)
    return answer if "://" in answer else str(Path(answer).expanduser())


def store_period(run: Run) -> str:
    """The period: a department workbook's Info sheet, else asked (default: the YYYY-MM in the book's name)."""
    if _book_kind(run) in (None, "department"):
        try:
            return run.period()
        except ToolkitError:
            pass
    match = _PERIOD.search(run.stem())
    run_period = run.ask("period", match.group(1) if match else None)
    if not run_period:
        raise ToolkitError("macro.no-period")
    return check_period(run_period)


def _year(run: Run, key: str = "year") -> int:
    match = re.search(r"(?<!\d)(\d{4})(?!\d)", run.stem())
    answer = run.ask(key, match.group(1) if match else None) or ""
    if not re.fullmatch(r"\d{4}", answer):
        raise ToolkitError("macro.bad-year", value=answer)
    return int(answer)


def _out_folder(db: str) -> Path:
    """Where the store buttons write: beside the store file (the current folder for a server URL)."""
    return Path(db).parent if "://" not in db else Path.cwd()


def _written(run: Run, path: Path) -> Path:
    run.port.message(t("macro.written", run.lang, path=path))
    run.port.open_file(path)
    return path


# --------------------------------------------------------------------------- the month close


def close_month(book: Any = None) -> Path | None:
    """Ask for the folder and confirm, then ``toolkit close-month`` it (``operations.close_month``, jobs=1) into its
    ``consolidated`` subfolder with the store there (or ``TOOLKIT_DB``); opens the consolidated workbook."""
    return run(book, _close_month)


def _close_month(run: Run) -> Path | None:
    from ..operations.close_month import close_month as close  # deferred: loads jinja2, matplotlib (slow to import); only this path needs it

    folder = run.chosen_folder("close-folder")
    period = run.period()
    out_dir = folder / "consolidated"
    db = os.environ.get(DB_ENV) or str(out_dir / "toolkit.db")
    if (run.ask("close-confirm", "no", period=period, folder=folder, db=db) or "").casefold() not in _YES:
        run.port.message(t("macro.close-cancelled", run.lang))
        return None
    out_dir.mkdir(exist_ok=True)
    with run.source(standards=False, paths=[folder], db=db) as source:
        res = close(source, period, out_dir, jobs=1, lang=run.lang, reopen=True)
    cons = res.consolidation
    text = t("macro.closed", run.lang, period=period, ok=len(cons.consolidated), total=len(cons.files), folder=out_dir)
    if cons.failed:
        text += "\n" + "\n".join(f"  {Path(f.path).name}: {f.reason}" for f in cons.failed)
    run.port.message(text, "warning" if cons.failed else "info")
    if cons.workbook is not None:
        run.port.open_file(cons.workbook)
    return cons.workbook


# --------------------------------------------------------------------------- from the history store


def company_report(book: Any = None) -> Path | None:
    """The company's monthly report from the history store (``toolkit report --db``) beside the store; opens the xlsx."""
    return run(book, _company_report)


def _company_report(run: Run) -> Path | None:
    from ..operations.report import monthly_report  # deferred: loads jinja2, matplotlib (slow to import); only this path needs it

    db, period = store_db(run), store_period(run)
    paths = monthly_report(Source(db=db), period, _out_folder(db) / f"report-{period}", lang=run.lang,
                           formats=("xlsx", "html", "md"))
    xlsx = next(p for p in paths if p.suffix == ".xlsx")
    run.port.message(t("macro.written", run.lang, path=", ".join(str(p) for p in paths)))
    run.port.open_file(xlsx)
    return xlsx


def _from_store(run: Run, name: str) -> Path:
    db, period = store_db(run), store_period(run)
    output = compute(Source(db=db), name, period, lang=run.lang).output
    return _written(run, write_frames(_out_folder(db) / f"{name}-{period}.xlsx", output.sheets(), run.lang))


def salary(book: Any = None) -> Path | None:
    """Floating salary of the period for the company, from the store (``toolkit salary --db --format xlsx``)."""
    return run(book, lambda r: _from_store(r, "salary"))


def forecast(book: Any = None) -> Path | None:
    """The 3-month signing forecast from the store (``toolkit forecast --db --format xlsx``)."""
    return run(book, lambda r: _from_store(r, "forecast"))


def appraisal(book: Any = None) -> Path | None:
    """The year's appraisal ranking from the store (``toolkit appraisal --db -o``)."""
    return run(book, _appraisal)


def _appraisal(run: Run) -> Path:
    db, year = store_db(run), _year(run)
    review = periodic_appraisal(Source(db=db), year)
    return _written(run, REVIEW_OUT.write(review, str(_out_folder(db) / f"appraisal-{year}.xlsx"), run.lang))


def performance_files(book: Any = None) -> Path | None:
    """One performance file per person for the year (``toolkit performance-file``) in ``performance-YYYY``
    beside the store (xlsx, and pdf where Chromium is installed); opens the folder's first file."""
    return run(book, _performance_files)


def _performance_files(run: Run) -> Path | None:
    from ..operations.performance import write_performance_files  # deferred: loads matplotlib (slow to import); only this path needs it

    db, year = store_db(run), _year(run)
    folder = _out_folder(db) / f"performance-{year}"
    formats = ("xlsx", "pdf") if find_chromium() else ("xlsx",)
    res = write_performance_files(Source(db=db), year, folder, formats=formats)
    text = t("macro.performance", run.lang, count=len(res.files), folder=folder)
    if res.failures:
        text += "\n" + "\n".join(res.failures.values())
    run.port.message(text, "warning" if res.failures else "info")
    first = next((p for files in res.files.values() for p in files if p.suffix == ".xlsx"), None)
    if first is not None:
        run.port.open_file(first)
    return first


def candidates(book: Any = None) -> Path | None:
    """The candidates for promotion of the year from the store (``toolkit candidates --db``): the workbook and,
    where Chromium is installed, the one-page PDF for the GM, ``candidates-<year>[-<role>]`` beside the store;
    opens the PDF (else the workbook)."""
    return run(book, _candidates)


def _candidates(run: Run) -> Path:
    db, year = store_db(run), _year(run)
    role = role_code(run.ask("role", ""))
    stem = _out_folder(db) / (f"candidates-{year}" + (f"-{re.sub(r'[^A-Za-z0-9]+', '_', role)}" if role else ""))
    outputs = [stem.with_suffix(".xlsx")] + ([stem.with_suffix(".pdf")] if find_chromium() else [])
    written = write_candidates(Source(db=db), year, outputs, role, lang=run.lang)[1]
    run.port.message(t("macro.candidates", run.lang, year=year, files=", ".join(str(p) for p in written)))
    run.port.open_file(written[-1])
    return written[-1]


def history(book: Any = None) -> Path | None:
    """Every run and close of the store (``toolkit history list --format xlsx``) as ``history.xlsx`` beside it."""
    return run(book, _history)


def _history(run: Run) -> Path:
    db = store_db(run)
    with Source(db=db).store(create=False) as store:
        res = list_history(store)
    sheets = [SheetFrame(name, frame) for name, frame in res.frames().items() if len(frame.columns)]
    return _written(run, write_frames(_out_folder(db) / "history.xlsx", sheets, run.lang))


# --------------------------------------------------------------------------- the plan


def plan_settings(book: Any = None) -> Path | None:
    """A blank plan settings workbook (``toolkit plan settings``), never over an existing file; opened."""
    return run(book, _plan_settings)


def _plan_settings(run: Run) -> Path | None:
    default = run.folder() / "plan-settings.xlsx"
    n = 2
    while default.exists():
        default = default.with_name(f"plan-settings ({n}).xlsx")
        n += 1
    path = run.ask("plan-path", str(default))
    if not path:
        return None
    return _written(run, plan_settings_template(Path(path).expanduser(), run.lang))


def plan_cost(book: Any = None) -> Path | None:
    """The cost of the plan in the active workbook (an edited draft: ``toolkit plan cost --plan``) at 80/100/120%
    attainment, with last year's mix from the store; ``plan-cost-YYYY.xlsx`` beside the workbook, opened."""
    return run(book, _plan_cost)


def _plan_cost(run: Run) -> Path:
    if run.port.path is None:
        raise ToolkitError("macro.not-department", file=run.stem())
    year = _year(run, "plan-cost-year")
    db = store_db(run)
    cost = cost_plan(Source(standards=run.standards_path(required=False), db=db), year, plan=[run.port.path])
    return _written(run, PLAN_OUT.write_cost(run.folder() / f"plan-cost-{year}.xlsx", cost, run.lang))


NAMES: tuple[str, ...] = ("close_month", "company_report", "salary", "forecast", "appraisal", "performance_files",
                          "candidates", "history", "plan_settings", "plan_cost")
