"""``render_report``: one report context to files (xlsx, html, md, pdf), named monthly-report-YYYY-MM[-zh].EXT."""

from __future__ import annotations

import multiprocessing as mp
import pickle
import queue
import signal
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ..errors import ToolkitError
from ..i18n import register
from ..io.writer import atomic_save, save_workbook
from ..runtime import forks
from .markdown import render_markdown
from .pdf import html_to_pdf
from .sections.market import market_section
from .xlsx_template import build_template

register({
    "report.format.unknown": ("Unknown report format {fmt!r}; choose from {known}.",
                              "未知的报告格式“{fmt}”；可选：{known}。"),
    "report.template.missing": (
        "The report template {name} is not installed (looked in {folders}); reinstall the toolkit or give --template.",
        "报告模板 {name} 未安装（已查找 {folders}）；请重新安装工具包，或用 --template 指定模板。"),
    "report.template.kind": ("The template {file} is neither an Excel (.xlsx) nor an HTML (.html/.j2) template.",
                             "模板 {file} 既不是 Excel（.xlsx）模板也不是 HTML（.html/.j2）模板。"),
})

FORMATS = ("xlsx", "html", "md", "pdf")
#: The report templates: the checkout's top-level ``templates/``; in an installed copy, the same files
#: installed as data files under ``<prefix>/share/marketing-toolkit/templates`` (setup.cfg ``data_files``).
CHECKOUT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
INSTALLED_TEMPLATES = Path(sys.prefix) / "share" / "marketing-toolkit" / "templates"
TEMPLATE_NAMES = {("xlsx", "en"): "monthly_report.xlsx", ("xlsx", "zh"): "monthly_report_zh.xlsx",
                  ("html", "en"): "monthly_report.html.j2", ("html", "zh"): "monthly_report.html.j2"}


def output_name(period: str, fmt: str, lang: str) -> str:
    """monthly-report-2026-10.xlsx, or monthly-report-2026-10-zh.xlsx for Chinese."""
    return f"monthly-report-{period}{'-zh' if lang == 'zh' else ''}.{fmt}"


def default_template(kind: str, lang: str) -> Path | None:
    """The shipped template for ``kind`` (xlsx/html) in ``lang``, from the checkout or the installed data
    files; None when neither has it."""
    name = TEMPLATE_NAMES[(kind, "zh" if lang == "zh" else "en")]
    for folder in (CHECKOUT_TEMPLATES, INSTALLED_TEMPLATES):
        if (folder / name).is_file():
            return folder / name
    return None


def _template_kind(path: Path) -> str:
    suffixes = "".join(path.suffixes).lower()
    if suffixes.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if suffixes.endswith((".html", ".htm", ".j2", ".jinja", ".html.j2")):
        return "html"
    raise ToolkitError("report.template.kind", file=str(path))


def _html_template(custom: dict[str, Path], lang: str) -> Path:
    """The HTML template to render: the one given, else the shipped one (a ToolkitError when not installed)."""
    tpl = custom.get("html") or default_template("html", lang)
    if tpl is None:
        raise ToolkitError("report.template.missing", name=TEMPLATE_NAMES[("html", "en")],
                           folders=f"{CHECKOUT_TEMPLATES}, {INSTALLED_TEMPLATES}")
    return tpl


def _html_file(context: dict[str, Any], template: Path, target: Path, market: dict[str, str] | None = None) -> Path:
    """The HTML report rendered from ``template`` and written to ``target`` (in a forked process when
    ``render_report`` runs with ``parallel``); ``market``: its market charts, drawn already."""
    from .html_render import render_html  # deferred: loads jinja2, matplotlib (slow to import); only this path needs it

    text = render_html(context, template, market)
    return atomic_save(target, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def market_early(ledger: Any, period: str, lang: str) -> tuple[tuple[dict[str, Any], dict[str, Any]], dict[str, str]]:
    """The report's market section of ``ledger`` and its HTML charts (``html_render.market_charts``): what the
    month close's HTML process makes while the close computes the rest."""
    from .html_render import market_charts  # deferred: loads jinja2, matplotlib (slow to import); only the HTML process needs it

    section = market_section(ledger, period, lang)
    return section, market_charts(section, lang)


def _preload() -> None:
    """Import what the HTML needs (jinja2, matplotlib), in the HTML worker while its parent builds the context."""
    from . import html_render  # noqa: F401  deferred: loads jinja2, matplotlib (slow to import); only this process needs it


def html_apart(formats: Sequence[str]) -> bool:
    """Whether the HTML can be rendered in a forked process beside the other ``formats``: there are others, none
    prints the HTML (pdf), and the platform forks (``runtime.forks``)."""
    return "html" in formats and "pdf" not in formats and len(formats) > 1 and forks()


@contextmanager
def html_worker(enabled: bool = True) -> Iterator[HtmlProcess | None]:
    """An ``HtmlProcess`` for the report's HTML, started before the context is built so that it imports jinja2 and
    matplotlib (the charts' libraries, about a second) while this process builds the context, instead of after
    it; ``render_report(html_pool=...)`` renders the HTML in it. None where the platform does not fork or not
    ``enabled``."""
    if not enabled or not forks():
        yield None
        return
    process = HtmlProcess()
    try:
        yield process
    finally:
        process.close()


class _Reply:
    """What ``HtmlProcess.submit`` returns: ``result()`` waits for the job's value (or raises its error)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def result(self) -> Any:
        """The job's value, or its error raised here; ``HtmlProcessGone`` when the process died first."""
        try:
            ok, value = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise HtmlProcessGone() from exc
        if not ok:
            raise value
        return value


class HtmlProcessGone(Exception):
    """The close's HTML process ended before answering (killed, out of memory): the caller does the job itself."""


class ResultNotSent(HtmlProcessGone):
    """The process made a result it cannot send (it does not pickle): the caller does the job itself, as when
    the process has died — a result is never lost to a failure of the pipe."""


def _send(conn: Connection, reply: tuple[bool, Any]) -> None:
    """Send a reply; an error that cannot be pickled goes back as a RuntimeError carrying its traceback, a result
    that cannot be pickled as ``ResultNotSent`` (the caller computes it in its own process)."""
    try:
        conn.send(reply)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        ok, value = reply
        if ok:
            conn.send((False, ResultNotSent(f"the report's HTML process cannot send its result: {exc}")))
            return
        text = "".join(traceback.format_exception(value))
        conn.send((False, RuntimeError(f"the report's HTML process failed:\n{text}")))


#: What ``HtmlProcess`` computes before its imports: functions and their arguments, by name.
Early = dict[str, tuple[Callable[..., Any], tuple[Any, ...]]]


def _serve(conn: Connection, early: Early | None, theirs: Connection) -> None:
    """The body of ``HtmlProcess``: compute the ``early`` computations in order (each kept for
    ``HtmlProcess.early``), import the HTML's libraries, then run each job received until ``None`` (or until
    every other end of the pipe is closed: its owner died). A thread of its own receives: it answers a request for
    an early result as soon as that result is made (while the next is being computed), and queues the jobs."""
    theirs.close()  # this process's copy of the owner's end: else the pipe never reads as closed
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the owner's to handle; its close() ends this process
    jobs = early or {}
    kept: dict[str, tuple[bool, Any]] = {}
    made = threading.Condition()  # guards ``kept``; notified as each early result is made
    sending = threading.Lock()  # one reply on the pipe at a time
    inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
    closing = threading.Event()  # the owner has closed it: no imports for nothing

    def receive() -> None:
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):
                job = None
            if not _is_early(job):
                inbox.put(job)
                if job is None:
                    closing.set()
                    return
                continue
            with made:
                made.wait_for(lambda: job[1] in kept or len(kept) == len(jobs))
                reply = kept.get(job[1], (True, None))
            with sending:
                _send(conn, reply)

    def listen() -> None:
        # any other failure here (a job that cannot be unpickled, MemoryError, a broken pipe on a reply) ends this
        # process's service: the pipe is closed so the owner sees HtmlProcessGone and renders in its own process,
        # instead of waiting for a reply that never comes
        try:
            receive()
        except BaseException:  # noqa: BLE001 - reported to the owner as the process gone
            closing.set()
            inbox.put(None)
            conn.close()

    threading.Thread(target=listen, name="html-process-inbox", daemon=True).start()
    for name, (fn, args) in jobs.items():
        if closing.is_set():  # the owner has closed it (a failed or interrupted close): no work for nobody
            break
        try:
            value: tuple[bool, Any] = (True, fn(*args))
        except Exception as exc:  # noqa: BLE001 - handed to whoever asks for it, raised there
            value = (False, exc)
        with made:
            kept[name] = value
            made.notify_all()
    try:
        if not closing.is_set():
            _preload()
    except Exception:  # noqa: BLE001 - an import error is raised again by the job itself, where it is reported
        pass
    while True:
        job = inbox.get()
        if job is None:
            return
        fn, args = job
        try:
            reply: tuple[bool, Any] = (True, fn(*args))
        except BaseException as exc:  # noqa: BLE001 - handed back, raised by ``_Reply.result`` in the submitter
            reply = (False, exc)
        try:
            with sending:
                _send(conn, reply)
        except (OSError, ValueError):  # the pipe closed (the owner died, or the inbox thread gave up): nobody waits
            return


#: The request for one of ``HtmlProcess``'s early results: ``(_EARLY, name)``.
_EARLY = "early"


def _is_early(job: Any) -> bool:
    """Whether a message to ``HtmlProcess`` asks for an early result."""
    return isinstance(job, tuple) and len(job) == 2 and isinstance(job[0], str) and job[0] == _EARLY


class HtmlProcess:
    """A forked process for the report's HTML, started by the month close as soon as it has its ledger, so it
    imports jinja2 and matplotlib (about a second) while the close computes on one core, before the report's
    task — a process forked later from the same parent, which inherits this handle — builds the context.
    ``early``: computations (function and arguments by name, inherited, not sent) the process
    makes first, in that idle time, then its imports: for the close to fetch (``early(name)``) instead of computing
    them — the report task the market section, the close itself the month's forecast.
    ``submit`` works like ``ProcessPoolExecutor.submit`` for one job at a time; the owner calls ``close``. Also
    ``html_worker``'s process, and ``render_report``'s own when it renders the HTML apart without one."""

    def __init__(self, early: Early | None = None) -> None:
        ctx = mp.get_context("fork")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=_serve, args=(child, early, self._conn), daemon=True)
        self._process.start()
        child.close()

    def early(self, name: str) -> Any:
        """The result of the ``early`` computation ``name``, once made (None when there is no such computation;
        its error raised here; ``HtmlProcessGone`` when the process has died)."""
        try:
            self._conn.send((_EARLY, name))
        except OSError as exc:
            raise HtmlProcessGone() from exc
        return _Reply(self._conn).result()

    def early_or(self, name: str, compute: Callable[[], Any]) -> Any:
        """The early result ``name``, or ``compute()`` made here when the process has none (no such computation),
        has died (killed, out of memory) or cannot send it (``ResultNotSent``)."""
        try:
            made = self.early(name)
        except HtmlProcessGone:
            made = None
        return compute() if made is None else made

    def submit(self, fn: Callable[..., Any], *args: Any) -> _Reply:
        """Run ``fn(*args)`` in the process; the reply's ``result()`` waits for it (``HtmlProcessGone`` when the
        process has died)."""
        try:
            self._conn.send((fn, args))
        except OSError as exc:
            raise HtmlProcessGone() from exc
        return _Reply(self._conn)

    def close(self) -> None:
        """End the process (after its job, if one runs)."""
        try:
            self._conn.send(None)
        except OSError:  # already gone
            pass
        self._process.join(timeout=60)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()
        self._conn.close()


def check_formats(formats: Sequence[str]) -> None:
    """Refuse a report format the toolkit does not write (before any work is done for it)."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ToolkitError("report.format.unknown", fmt=unknown[0], known=", ".join(FORMATS))


def render_report(context: dict[str, Any], formats: Sequence[str], lang: str | None, out_dir: str | Path,
                  template: str | Path | None = None, *, parallel: bool = False,
                  html_pool: HtmlProcess | None = None, market_charts: dict[str, str] | None = None) -> list[Path]:
    """Write the report in each of ``formats`` into ``out_dir``; ``template`` replaces the Excel or HTML one.

    ``lang`` defaults to the context's language (the context's text is already in it). ``parallel``: the HTML
    (its charts are the costliest part of the report) is rendered in a forked process while this one writes the
    other formats — the month close, whose outputs run in worker processes beside the report, so the two cores
    stay busy when the report is the longest task (same files; not with ``pdf``, which prints the HTML).
    ``html_pool``: an ``HtmlProcess`` (``html_worker``'s or the month close's) to render the HTML in (implies ``parallel``;
    its owner shuts it). ``market_charts``: the HTML's market charts drawn already from the context's market
    section (``html_render.market_charts``; the month close's HTML process draws them meanwhile).
    """
    lang = lang or context.get("lang", "en")
    check_formats(formats)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    custom = {_template_kind(Path(template)): Path(template)} if template else {}
    period = context["period"]
    written: list[Path] = []
    html_path: Path | None = None

    if any(f in ("xlsx", "pdf") for f in formats):
        from .fonts import warn_if_no_cjk_font  # deferred: loads matplotlib (slow to import); only this path needs it

        warn_if_no_cjk_font(context, lang)
    pool: HtmlProcess | None = None
    html_job: _Reply | None = None
    try:
        if (parallel or html_pool is not None) and html_apart(formats):
            if html_pool is None:
                html_pool = pool = HtmlProcess()
            try:
                html_job = html_pool.submit(_html_file, context, _html_template(custom, lang),
                                            out / output_name(period, "html", lang), market_charts)
            except HtmlProcessGone:  # the close's process died: the HTML is rendered here instead, below
                html_job = None
        for fmt in formats:
            target = out / output_name(period, fmt, lang)
            if fmt == "xlsx":
                from .xlsx_render import render_workbook, open_template  # deferred: loads jinja2 (slow to import); only this path needs it
                tpl = custom.get("xlsx") or default_template("xlsx", lang)
                wb = render_workbook(open_template(tpl) if tpl else build_template(lang), context)
                written.append(save_workbook(wb, target))  # fixed dates: same month, same bytes
            elif fmt == "html" and html_job is not None:
                written.append(target)  # being written by the forked process: its path once done, below
            elif fmt == "html":
                html_path = _html_file(context, _html_template(custom, lang), target, market_charts)
                written.append(html_path)
            elif fmt == "md":
                text = render_markdown(context)
                written.append(atomic_save(target, lambda tmp, text=text: Path(tmp).write_text(text, encoding="utf-8")))
            elif fmt == "pdf":
                if html_path is not None:
                    written.append(html_to_pdf(html_path, target))
                else:
                    with tempfile.TemporaryDirectory(prefix="toolkit-report-") as tmp:
                        page = _html_file(context, _html_template(custom, lang), Path(tmp) / "report.html")
                        written.append(html_to_pdf(page, target))
        if html_job is not None:  # its errors (a template's) are raised here, as if rendered in this process
            html_target = out / output_name(period, "html", lang)
            try:
                written[written.index(html_target)] = html_job.result()
            except HtmlProcessGone:  # died while rendering: rendered here after all
                written[written.index(html_target)] = _html_file(context, _html_template(custom, lang), html_target,
                                                                 market_charts)
    finally:
        if pool is not None:
            pool.close()
    return written
