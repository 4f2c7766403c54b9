"""HTML, Markdown, PDF and the CLI: escaping, headless Chromium screenshot and probes, file names, errors."""

from __future__ import annotations

import json
import re
import os
import multiprocessing as mp
import shutil
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from report_fixtures import PERIOD, ROOT, SAMPLE, context, fresh_context, ledger
from toolkit.cli.main import cli
from toolkit.errors import ToolkitError
from toolkit.report.filters import money
from toolkit.report.pdf import run_chromium
from toolkit.report import build_context
from toolkit.report.markdown import render_markdown
from toolkit.report.render import HtmlProcess, HtmlProcessGone, ResultNotSent, default_template, html_worker, market_early, render_report
from toolkit.report.charts import all_charts
from toolkit.report.html_render import market_charts, render_html
from toolkit.report.sections.market import market_section
from toolkit.operations.report import monthly_report, render_monthly_report
from toolkit.operations.close_month import _take_forecast
from toolkit.operations.report import last_year_paid
from toolkit.report.sections.headline import last_year_payments
from toolkit.report.history import history_without_royalties, ledger_history
from toolkit.operations.source import Source
from toolkit.core import month as M
from toolkit.core.ledger import memoised

pytestmark = pytest.mark.skipif(not (SAMPLE / "standards.xlsx").exists(), reason="sample workbooks missing")

PROBE = """<script>
document.title = "PROBE" + JSON.stringify({
  charts: Array.from(document.querySelectorAll(".chart svg")).map(s => {
    const r = s.getBoundingClientRect(); return [r.width, r.height]; }),
  text: document.body.innerText.length});
</script></body>"""


def _chromium() -> None:
    if shutil.which("chromium") is None and shutil.which("chromium-browser") is None:
        pytest.skip("chromium is not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def pages(rendered_report) -> dict[str, Path]:
    """The sample's HTML report in each language, rendered once for the Chromium probes that only read it
    (conftest.rendered_report, shared with test_report_numbers)."""
    return {lang: rendered_report(lang)[1] for lang in ("en", "zh")}


def _console(html: Path, shot: Path) -> list[str]:
    res = run_chromium(["--enable-logging=stderr", "--v=0", "--hide-scrollbars", "--window-size=1100,2400",
                        f"--screenshot={shot}", html.resolve().as_uri()])
    return [line for line in res.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]


def test_xss_text_is_escaped_in_html(tmp_path) -> None:  # noqa: ANN001
    ctx = fresh_context("en")
    ctx["tables"]["feedback"].loc[0, "content"] = "<script>alert(1)</script>"
    ctx["tables"]["feedback"].loc[0, "customer"] = '=HYPERLINK("http://x","y")'
    html = render_report(ctx, ["html"], "en", tmp_path)[0].read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "=HYPERLINK(&#34;http://x&#34;,&#34;y&#34;)" in html
    assert "<script" not in html.lower()
    assert re.search(r'(src|href)\s*=\s*"(https?:|//)', html) is None  # nothing fetched from the network
    assert "<link" not in html and "@import" not in html  # self-contained


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_chromium_screenshot_no_console_errors_charts_sized(tmp_path, lang, pages) -> None:  # noqa: ANN001
    _chromium()
    ctx = context(lang)
    page = pages[lang]
    shot = tmp_path / f"report-{lang}.png"
    assert _console(page, shot) == []
    assert shot.exists() and shot.stat().st_size > 20_000 and shot.read_bytes()[:4] == b"\x89PNG"
    probe = tmp_path / "probe.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE), encoding="utf-8")
    dom = run_chromium(["--dump-dom", probe.resolve().as_uri()]).stdout
    found = re.search(r"<title>PROBE(.*?)</title>", dom)
    assert found, dom[:500]
    data = json.loads(found.group(1).replace("&quot;", '"'))
    # five charts (with the market's two) and the 12-month history's six small multiples
    assert len(data["charts"]) == 11 and all(w > 100 and h > 50 for w, h in data["charts"])
    for key in ("signing", "collection", "expense", "profit"):
        assert money(ctx["headline"][key]) in dom
    assert money(ctx["headline"]["receivables"]) in dom
    if lang == "zh":
        assert "营销月度报告" in dom
    if shutil.os.environ.get("TOOLKIT_UPDATE_SCREENSHOTS"):
        shutil.copy(shot, ROOT / "docs" / f"report-{lang}.png")


def test_console_probe_detects_errors(tmp_path) -> None:  # noqa: ANN001
    _chromium()
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><script>console.error('boom'); undefinedFn();</script></body></html>")
    assert _console(bad, tmp_path / "bad.png")


def test_pdf_is_printed_by_chromium(report_pdf) -> None:  # noqa: ANN001
    _chromium()
    pdf = report_pdf("zh")  # the report printed once per session (conftest), shared with test_report_gm
    assert pdf.name == f"monthly-report-{PERIOD}-zh.pdf" and pdf.read_bytes()[:4] == b"%PDF"
    assert pdf.stat().st_size > 30_000


def test_markdown_summary(tmp_path) -> None:  # noqa: ANN001
    ctx = context("en")
    md = render_report(ctx, ["md"], "en", tmp_path)[0].read_text(encoding="utf-8")
    assert md.startswith(f"# Marketing monthly report {PERIOD}")
    assert money(ctx["headline"]["collection"]) in md and money(ctx["headline"]["overdue"]) in md
    assert ctx["tables"]["overdue"]["contract_no"].iloc[0] in md
    assert f"Red indicators ({len(ctx['tables']['red_indicators'])})" in md


def test_markdown_escapes_names_and_free_text_and_never_prints_nan(tmp_path) -> None:  # noqa: ANN001
    """Issue 22: a customer or a finding's text is literal in the Markdown (as in the HTML); no "nan" file name."""
    import numpy as np

    ctx = fresh_context("en")
    overdue = ctx["tables"]["overdue"]
    overdue.loc[overdue.index[0], "customer"] = "<img src=x onerror=alert(1)>*Acme*|"
    findings = ctx["tables"]["findings"]
    findings.loc[findings.index[0], "file"] = np.nan
    findings.loc[findings.index[0], "message"] = "[click](javascript:alert(1)) <b>x</b>"
    md = render_report(ctx, ["md"], "en", tmp_path)[0].read_text(encoding="utf-8")
    assert "<img" not in md and "&lt;img src=x onerror=alert(1)&gt;\\*Acme\\*\\|" in md
    assert "<b>" not in md and "\\[click\\](javascript:alert(1))" in md
    assert "nan" not in md.split()


def test_cli_report_writes_named_files_and_uses_a_custom_html_template(tmp_path) -> None:  # noqa: ANN001
    tpl = tmp_path / "mine.html.j2"
    tpl.write_text("<p>{{ text.title }}: {{ headline.collection | money }}</p>", encoding="utf-8")
    res = CliRunner().invoke(cli, ["report", "--period", PERIOD, str(SAMPLE), "--standards",
                                   str(SAMPLE / "standards.xlsx"), "--format", "html,md", "--lang", "zh",
                                   "--template", str(tpl), "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    html = (tmp_path / "out" / f"monthly-report-{PERIOD}-zh.html").read_text(encoding="utf-8")
    assert html == f"<p>营销月度报告: {money(context('zh')['headline']['collection'])}</p>"
    assert (tmp_path / "out" / f"monthly-report-{PERIOD}-zh.md").exists()


@pytest.mark.parametrize("args, needle", [
    (["--period", PERIOD], "--db"),
    (["--period", "2026-13", str(SAMPLE), "--standards", str(SAMPLE / "standards.xlsx")], "2026-13"),
    (["--period", PERIOD, str(SAMPLE), "--standards", str(SAMPLE / "standards.xlsx"), "--format", "docx"], "docx"),
])
def test_cli_report_errors(tmp_path, args, needle) -> None:  # noqa: ANN001
    res = CliRunner().invoke(cli, ["report", *args, "-o", str(tmp_path)])
    assert res.exit_code == 2 and needle in res.output


def test_an_unknown_format_is_refused_before_the_month_is_read(tmp_path) -> None:  # noqa: ANN001
    """``toolkit report --format docx`` says so at once: no workbook is read (here none could be) and nothing is
    written."""
    missing = tmp_path / "nowhere"
    with pytest.raises(ToolkitError) as err:
        monthly_report(Source([missing], missing / "standards.xlsx"), PERIOD, tmp_path / "out", formats=["xlsx", "docx"])
    assert err.value.key == "report.format.unknown" and "docx" in str(err.value)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_appendix_ranks_everyone_on_the_quarter_so_far(rendered_report, lang) -> None:  # noqa: ANN001
    """The report's appendix is the periodic appraisal of the quarter so far: ranks follow the score."""
    ctx = context(lang)
    table = ctx["tables"]["appraisal"]
    ranked = table[table["company_rank"].notna()]
    assert len(ranked) and ranked.sort_values("company_rank")["score"].is_monotonic_decreasing
    assert ranked["company_rank"].min() == 1
    text = rendered_report(lang)[1].read_text(encoding="utf-8")  # this context's page (conftest, rendered once)
    assert 'id="appraisal"' in text and ("Appendix: appraisal ranking, 2026-Q4" in text if lang == "en"
                                         else "附录：考核排名（2026-Q4" in text)


#: The report in a 390-px-wide frame (headless Chromium's own window is at least 500 px wide): for every chart,
#: screen pixels per SVG point (matplotlib draws in points).
PHONE_FRAME = """<html><head><title>x</title></head><body style="margin:0">
<iframe id="f" src="{src}" style="width:390px;height:2400px;border:0"></iframe>
<script>document.getElementById("f").onload = () => {{ const d = document.getElementById("f").contentDocument;
document.title = "PROBE" + JSON.stringify([d.defaultView.innerWidth, Array.from(d.querySelectorAll(".chart svg"))
  .map(s => s.getBoundingClientRect().width / s.viewBox.baseVal.width)]); }};</script></body></html>"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_charts_are_readable_at_phone_width(tmp_path, lang, pages) -> None:  # noqa: ANN001
    """At a phone's 390 px every chart's 9-point labels are at least 8 px high: the small multiples stack one per
    row and a wide chart keeps its size and scrolls sideways (issue 24; before, the history's six panels were one
    9-inch figure shrunk to 5-px labels)."""
    _chromium()
    page = pages[lang]
    frame = tmp_path / "phone.html"
    frame.write_text(PHONE_FRAME.format(src=page.resolve().as_uri()), encoding="utf-8")
    dom = run_chromium(["--allow-file-access-from-files", "--window-size=800,2400", "--dump-dom",
                        frame.resolve().as_uri()]).stdout
    found = re.search(r"<title>PROBE(.*?)</title>", dom)
    assert found, dom[:500]
    width, scales = json.loads(found.group(1))
    assert width == 390 and len(scales) == 11
    assert min(scales) * 9 >= 8, scales


def _without_svg_ids(html: str) -> str:
    """The page with matplotlib's random SVG ids (and the references to them) blanked."""
    return re.sub(r'(id="|url\(#|href="#|clip-path="url\(#)[^")]*', r"\1", html)


def test_the_html_rendered_in_a_forked_process_is_the_same_page(tmp_path, rendered_report) -> None:  # noqa: ANN001
    """``parallel`` (the month close) renders the HTML in a forked process beside the other formats: the same
    files, in the same order, as rendered one after the other."""
    ctx = context("en")
    one = rendered_report("en")[1:]  # this context rendered in this process (conftest): its HTML and Markdown
    two = render_report(ctx, ["html", "md"], "en", tmp_path / "two", parallel=True)
    assert [p.name for p in two] == [p.name for p in one] == [f"monthly-report-{PERIOD}.html", f"monthly-report-{PERIOD}.md"]
    assert all(p.is_file() and p.parent == tmp_path / "two" for p in two)
    assert _without_svg_ids(two[0].read_text(encoding="utf-8")) == _without_svg_ids(one[0].read_text(encoding="utf-8"))
    assert two[1].read_bytes() == one[1].read_bytes()


def test_the_html_worker_started_before_the_context_imports_the_charts_and_renders_the_same_page(tmp_path, rendered_report) -> None:  # noqa: ANN001
    """The month close starts the HTML's process before building the context (``html_worker``), so jinja2 and
    matplotlib are imported there meanwhile: the same page as rendered in this process; a template's error still
    reaches the caller as a ToolkitError; disabled, there is no process."""
    ctx = context("en")
    one = rendered_report("en")[1:]  # this context rendered in this process (conftest): its HTML and Markdown
    with html_worker() as pool:
        assert pool is not None
        assert pool.submit(os.getpid).result() != os.getpid()  # a process of its own
        two = render_report(ctx, ["html", "md"], "en", tmp_path / "two", html_pool=pool)
        tpl = tmp_path / "broken.html.j2"
        tpl.write_text("<html>{{ headline.signing | money }</html>", encoding="utf-8")
        with pytest.raises(ToolkitError) as err:
            render_report(ctx, ["html", "md"], "en", tmp_path / "bad", tpl, html_pool=pool)
    assert err.value.key == "report.html.template"
    assert [p.name for p in two] == [p.name for p in one]
    assert _without_svg_ids(two[0].read_text(encoding="utf-8")) == _without_svg_ids(one[0].read_text(encoding="utf-8"))
    assert two[1].read_bytes() == one[1].read_bytes()
    with html_worker(False) as pool:
        assert pool is None


#: What a process forked after the ``HtmlProcess`` inherits (as the month close's report task does).
_INHERITED: dict[str, HtmlProcess] = {}


def _report_in_forked_task(ctx: dict, out: Path) -> list[str]:
    """The month close's report task: a process forked from the ``HtmlProcess``'s parent renders through it."""
    return [str(p) for p in render_report(ctx, ["html", "md"], "en", out, html_pool=_INHERITED["html"])]


def test_the_close_s_html_process_started_first_renders_for_a_task_forked_later(tmp_path, rendered_report) -> None:  # noqa: ANN001
    """The month close forks ``HtmlProcess`` as soon as it has consolidated and its report task, forked later,
    hands it the context: the same page as rendered in one process, written where the task asked; a broken
    template is a ToolkitError in the submitter; once closed, the process has ended. The market section the
    process computed meanwhile (``early``, on the ledger it inherited) makes the same context as the report's own;
    an error there is raised where the section is asked for."""
    ctx = context("en")
    one = rendered_report("en")[1:]  # this context rendered in this process (conftest): its HTML and Markdown
    html = HtmlProcess(early={"market": (market_section, (ledger(), PERIOD, "en"))})
    try:
        market = html.early("market")
        assert market[1]["sentences"] == ctx["market"]["sentences"]
        mine = build_context(ledger(), PERIOD, lang="en", market=market)
        for name in ("market_customers", "market_lines", "market_moves", "market_dso", "market_pipeline", "summary"):
            pd.testing.assert_frame_equal(mine["tables"][name], ctx["tables"][name])
        assert render_markdown(mine) == render_markdown(ctx)
        assert html.submit(os.getpid).result() != os.getpid()  # a process of its own
        _INHERITED["html"] = html
        with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("fork")) as pool:
            two = [Path(p) for p in pool.submit(_report_in_forked_task, ctx, tmp_path / "two").result()]
        tpl = tmp_path / "broken.html.j2"
        tpl.write_text("<html>{{ headline.signing | money }</html>", encoding="utf-8")
        with pytest.raises(ToolkitError) as err:
            render_report(ctx, ["html", "md"], "en", tmp_path / "bad", tpl, html_pool=html)
        assert html.submit(os.getpid).result() != os.getpid()  # still serving after a failed job
    finally:
        _INHERITED.clear()
        html.close()
    assert not html._process.is_alive() and html._process.exitcode == 0
    failing = HtmlProcess(early={"market": (market_section, (ledger(), "2026-13", "en"))})
    try:
        with pytest.raises(ToolkitError):
            failing.early("market")
        assert failing.submit(os.getpid).result() != os.getpid()  # serving still
    finally:
        failing.close()
    assert err.value.key == "report.html.template" and not list((tmp_path / "bad").glob("*.html"))
    assert [p.name for p in two] == [p.name for p in one] and all(p.parent == tmp_path / "two" for p in two)
    assert _without_svg_ids(two[0].read_text(encoding="utf-8")) == _without_svg_ids(one[0].read_text(encoding="utf-8"))
    assert two[1].read_bytes() == one[1].read_bytes()


def test_a_broken_html_template_rendered_in_a_forked_process_is_a_toolkit_error(tmp_path) -> None:  # noqa: ANN001
    """The forked process's error reaches the caller whole: a ToolkitError naming the template, no traceback;
    the other formats are still written and no HTML file is left behind."""
    tpl = tmp_path / "broken.html.j2"
    tpl.write_text("<html>{{ headline.signing | money }</html>", encoding="utf-8")
    with pytest.raises(ToolkitError) as err:
        render_report(context("en"), ["html", "md"], "en", tmp_path / "out", tpl, parallel=True)
    assert err.value.key == "report.html.template" and str(tpl) in str(err.value)
    assert not list((tmp_path / "out").glob("*.html"))


class _Unpicklable(Exception):
    """An error that cannot travel back through the pipe (it holds a lambda)."""

    def __init__(self) -> None:
        super().__init__("held a lambda")
        self.hook = lambda: None


def _raise_unpicklable() -> None:
    raise _Unpicklable()


def test_a_dead_html_process_is_replaced_by_rendering_here_and_an_unpicklable_error_still_arrives(tmp_path, rendered_report) -> None:  # noqa: ANN001
    """Review of session 14: an error that cannot be pickled comes back as a RuntimeError carrying its traceback
    (the process keeps serving); Ctrl-C does not reach the idle process; once it has died (killed, out of memory)
    the report asks it nothing and renders the HTML and the market section itself: the same files."""
    html = HtmlProcess()
    try:
        with pytest.raises(RuntimeError, match="held a lambda"):
            html.submit(_raise_unpicklable).result()
        os.kill(html._process.pid, signal.SIGINT)  # ignored: the owner's close() ends it
        assert html.submit(os.getpid).result() == html._process.pid
        html._process.kill()
        html._process.join()
        with pytest.raises(HtmlProcessGone):
            html.early("market")
        ctx = context("en")
        alone = rendered_report("en")[1:]  # this context rendered in this process alone (conftest)
        here = render_report(ctx, ["html", "md"], "en", tmp_path / "here", html_pool=html)
        assert [p.name for p in here] == [p.name for p in alone] and all(p.exists() for p in here)
        assert _without_svg_ids(here[0].read_text(encoding="utf-8")) == \
            _without_svg_ids(alone[0].read_text(encoding="utf-8"))
        paths = render_monthly_report(ledger(), PERIOD, tmp_path / "monthly", formats=("html", "md"), html_process=html)
        assert sorted(p.name for p in paths) == sorted(p.name for p in alone)
    finally:
        html.close()


class _Unloadable:
    """A job argument the HTML process cannot unpickle (pickles fine here, raises when loaded there)."""

    def __reduce__(self):  # noqa: ANN204
        return (_refuse_to_load, ())


def _refuse_to_load() -> None:
    raise MemoryError("cannot load")


def test_a_job_the_html_process_cannot_load_ends_its_service_instead_of_hanging_the_close() -> None:
    """Review of session 15: a job that fails in the process's receiving thread (an argument that cannot be
    unpickled there, MemoryError) closes its end of the pipe, so the owner gets HtmlProcessGone (and renders in its
    own process) instead of waiting for a reply forever."""
    html = HtmlProcess()
    try:
        reply = html.submit(len, _Unloadable())
        assert html._conn.poll(30), "the HTML process neither answered nor closed its end of the pipe"
        with pytest.raises(HtmlProcessGone):
            reply.result()
        html._process.join(30)
        assert not html._process.is_alive()
    finally:
        html.close()


def _slow_value(value: int) -> int:
    """A value that takes a moment to make (an early computation still running when it is asked for)."""
    time.sleep(0.3)
    return value


def _unpicklable(value: int) -> object:
    """A result that cannot cross the pipe (a lock does not pickle), with the value it carries."""
    class Held:
        def __init__(self) -> None:
            self.value, self.lock = value, threading.Lock()

    return Held()


def test_an_early_result_that_cannot_be_sent_is_computed_by_the_caller() -> None:
    """An early result the process makes but cannot send (it does not pickle) is neither lost nor a failed close:
    ``early`` raises ``ResultNotSent`` (a kind of ``HtmlProcessGone``), ``early_or`` computes it in the caller,
    an early computation that fails still raises its own error, and the process serves jobs afterwards."""
    html = HtmlProcess(early={"held": (_unpicklable, (5,)), "bad": (int, ("x",))})
    try:
        with pytest.raises(ResultNotSent):
            html.early("held")
        assert html.early_or("held", lambda: 5) == 5
        with pytest.raises(ValueError):
            html.early_or("bad", lambda: 0)
        with pytest.raises(HtmlProcessGone):
            html.submit(_unpicklable, 2).result()
        assert html.submit(os.getpid).result() != os.getpid()
    finally:
        html.close()


def test_the_close_s_html_process_makes_named_results_first_and_the_close_takes_its_forecast() -> None:
    """The close's ``HtmlProcess`` makes several early results by name before its imports: one asked for while
    it is still being made is answered once made, in the order asked; an unknown name gives None, an error is
    raised where its result is asked for, and the process serves jobs afterwards. The forecast the close takes
    from it (``_take_forecast``) is the one ``core.month.forecast`` computes, memoised on the ledger; a dead
    process's is computed in the close."""
    html = HtmlProcess(early={"slow": (_slow_value, (7,)), "bad": (int, ("x",)), "quick": (abs, (-3,))})
    try:
        assert html.early("slow") == 7 and html.early("quick") == 3 and html.early("other") is None
        with pytest.raises(ValueError):
            html.early("bad")
        assert html.submit(os.getpid).result() != os.getpid()
    finally:
        html.close()
    mine = Source([SAMPLE], SAMPLE / "standards.xlsx", force=True).ledger(PERIOD)
    html = HtmlProcess(early={"forecast": (M.forecast, (mine, PERIOD))})
    try:
        _take_forecast(html, mine, PERIOD)
    finally:
        html.close()
    assert memoised(mine, M.forecast, PERIOD)
    made, computed = M.forecast(mine, PERIOD), M.forecast(ledger(), PERIOD)
    for name in ("history", "forecast", "series"):
        pd.testing.assert_frame_equal(getattr(made, name), getattr(computed, name))
    again = Source([SAMPLE], SAMPLE / "standards.xlsx", force=True).ledger(PERIOD)
    _take_forecast(html, again, PERIOD)  # the process has ended: computed here
    pd.testing.assert_frame_equal(M.forecast(again, PERIOD).series, computed.series)


def test_market_charts_drawn_before_the_context_are_the_ones_the_page_draws(tmp_path) -> None:  # noqa: ANN001
    """The close's HTML process draws the market charts from the market section alone (``market_early``) before
    the context exists: the same SVG as ``all_charts`` draws from the context, and the page rendered with them is
    the page rendered without (both languages); it also makes last year's payments the headline needs and the
    12-month history's part without this year's royalties; the report of ``render_monthly_report`` through a
    process with those early results is the same page as without one."""
    for lang in ("en", "zh"):
        ctx = context(lang)
        section = market_section(ledger(), PERIOD, lang)
        drawn = market_charts(section, lang)
        whole = all_charts(ctx)
        assert list(drawn) == ["pareto", "product_lines"]
        assert all(_without_svg_ids(drawn[k]) == _without_svg_ids(whole[k]) for k in drawn)
        tpl = default_template("html", lang)
        assert _without_svg_ids(render_html(ctx, tpl, drawn)) == _without_svg_ids(render_html(ctx, tpl))
    html = HtmlProcess(early={"market": (market_early, (ledger(), PERIOD, "en")),
                              "last_year": (last_year_paid, (ledger(), PERIOD, None)),
                              "history": (history_without_royalties, (ledger(), pd.Period(PERIOD, "M"), 12))})
    try:
        made = html.early("last_year")["payments"]
        pd.testing.assert_frame_equal(made, last_year_payments(ledger(), pd.Period(PERIOD, "M"), None))
        assert len(made)  # the sample has royalty plans: last October's payments
        roy = M.royalty_payments(ledger(), PERIOD)
        pd.testing.assert_frame_equal(
            ledger_history(ledger(), pd.Period(PERIOD, "M"), roy, 12, html.early("history")),
            ledger_history(ledger(), pd.Period(PERIOD, "M"), roy, 12))
        paths = render_monthly_report(ledger(), PERIOD, tmp_path / "early", formats=("html", "md"), html_process=html)
    finally:
        html.close()
    alone = render_monthly_report(ledger(), PERIOD, tmp_path / "alone", formats=("html", "md"))
    assert _without_svg_ids(paths[0].read_text(encoding="utf-8")) == _without_svg_ids(alone[0].read_text(encoding="utf-8"))
    assert paths[1].read_bytes() == alone[1].read_bytes()


def _history_panels_apart(ctx: dict) -> list[str]:  # noqa: ANN001
    """The general path of ``charts._history_panel``: each of the history's line panels on a figure of its own."""
    from toolkit.report import charts as CH

    hist = ctx["tables"]["history"]
    labels = dict(zip([c for c, _ in ctx["columns"]["history"]], ctx["labels"]["history"]))
    x = list(range(len(hist)))
    ticks = tuple(str(m)[5:] for m in hist["month"])
    return [CH.history_panel_apart(x, ticks, hist[key], CH.COLORS[i % len(CH.COLORS)], labels[key])
            for i, key in enumerate(("signing", "collection", "expense", "profit", "receivables"))]


def test_the_history_panels_on_one_kept_figure_are_those_drawn_apart() -> None:
    """The history's five line panels share a kept figure (``charts._history_panel``): each the SVG of the panel on
    a figure of its own (matplotlib's ids aside), for the sample in both languages and for other figures drawn
    between them (negative months, larger amounts, another font set by a person page's figure)."""
    from report_fixtures import same_ids
    from toolkit.report import charts as CH

    other = fresh_context("en")
    hist = other["tables"]["history"]
    for col in ("signing", "collection", "expense", "profit", "receivables"):
        hist[col] = hist[col] * 37.5
    hist.loc[hist.index[3], "profit"] = -abs(float(hist["profit"].max()) or 1.0)
    gaps = fresh_context("en")  # months missing: every month of one panel, the first or last ones of others
    hist = gaps["tables"]["history"]
    hist["expense"] = float("nan")
    hist.loc[hist.index[:3], "receivables"] = float("nan")
    hist.loc[hist.index[-2:], "profit"] = float("nan")
    hist.loc[hist.index[5], "signing"] = float("nan")
    for ctx in (context("en"), other, gaps, context("zh"), context("en")):
        kept = re.findall(r'<div class="multiple">(.*?)</div>', CH.history_chart(ctx), re.S)
        assert len(kept) == 6
        assert [same_ids(svg) for svg in kept[:5]] == [same_ids(svg) for svg in _history_panels_apart(ctx)]
        fig, _ = CH._fig(family=CH.page_family())  # a person page's font set between two reports' charts
        CH.plt.close(fig)
