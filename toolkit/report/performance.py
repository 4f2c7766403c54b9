"""A person's performance file as a page (``templates/performance.html.j2``, SVG charts) printed to PDF, and
writing the file (xlsx from ``toolkit.outputs.performance``, pdf). The charts' figures are kept per process and
updated per person (``charts.kept``); a run's workbooks and pages are made in forked processes (``Pages``), each
person's from one set of frames (``build``)."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import AutoLocator, FixedLocator, PercentFormatter
from matplotlib.transforms import Bbox

from .charts import COLORS, _fig, _money_axis, _svg, _title, kept

from ..core.performance import Year
from ..io.writer import SheetFrame, write_frames, written_whole
from ..runtime import forks
from ..outputs.labels import label
from ..outputs.performance import CHART_INDICATORS, file_stem, findings_name, header, sheets
from .statements import html_table, page_template
from .pdf_batch import PdfBatch, PdfJob, queue

TEMPLATE = Path(__file__).resolve().parent / "templates" / "performance.html.j2"


#: pyplot keeps global state, and the kept figures are shared: pages built in threads of one process draw their
#: charts one at a time (the pages of a run are built in processes instead, ``Pages``).
_PYPLOT = threading.Lock()


def _out(fig: Any) -> str:
    """A kept figure drawn for the page as SVG, its words as text in the person pages' fonts (PNG was measured
    dearer: docs/statements.md); the same ticks and legend words from person to person measured once (``_svg``)."""
    return _svg(fig, close=False)


def _numbers(values: pd.Series, fill: float | None = None) -> list[float]:
    """The column as floats for matplotlib (missing as NaN, or as ``fill``); a column of floats as it is (pandas'
    conversions, a tenth of the charts' CPU, change nothing in it)."""
    out = (values if values.dtype == "float64" else pd.to_numeric(values, errors="coerce")).to_numpy("float64")
    if fill is not None:
        out = np.where(np.isnan(out), fill, out)
    return out.tolist()


def _svg_charts(chart: pd.DataFrame, lang: str) -> list[str]:
    """The year's two charts for the page (matplotlib, the report's fonts): targets and actuals by month (bars),
    YTD completion by month (lines)."""
    with _PYPLOT:
        return [_targets_chart(chart, lang), _completion_chart(chart, lang)]


def _targets_chart(chart: pd.DataFrame, lang: str) -> str:
    cols = list(chart.columns)
    series = tuple(cols[1:1 + 2 * len(CHART_INDICATORS)])
    ticks = tuple(str(p)[-2:] for p in chart[cols[0]])

    def make() -> tuple[Any, Any, list[Any]]:
        fig, ax = _fig(height=3.9, bottom=0.6)  # the months, then the legend's row
        x = range(len(ticks))
        width = 0.8 / len(series)
        bars = [ax.bar([v + (i - (len(series) - 1) / 2) * width for v in x], [0.0] * len(ticks), width, label=col,
                       color=COLORS[i % len(COLORS)]) for i, col in enumerate(series)]
        ax.set_xticks(list(x), ticks)
        _money_axis(ax)
        _title(ax, label("pf.chart.targets", lang), 12)
        _legend_below(ax, len(series))
        return fig, ax, bars

    fig, ax, bars = kept(("pf.targets", lang, series, ticks), make)
    for container, col in zip(bars, series):
        for rect, height in zip(container, _numbers(chart[col], 0.0)):
            rect.set_height(height)
    _rescale(ax, len(ticks), bars)
    return _out(fig)


def _completion_chart(chart: pd.DataFrame, lang: str) -> str:
    cols = list(chart.columns)
    series = tuple(cols[1 + 2 * len(CHART_INDICATORS):])  # every indicator's YTD completion, then time progress
    ticks = tuple(str(p)[-2:] for p in chart[cols[0]])

    def make() -> tuple[Any, Any, list[Any]]:
        fig, ax = _fig(height=4.0, bottom=0.75)  # the months, then the legend's two rows
        x = list(range(len(ticks)))
        lines = [ax.plot(x, [float("nan")] * len(x), marker="o", label=col, color=COLORS[i % len(COLORS)],
                         linestyle="--" if i == len(series) - 1 else "-")[0] for i, col in enumerate(series)]
        ax.set_xticks(x, ticks)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        _title(ax, label("pf.chart.completion", lang), 12)
        _legend_below(ax, 3)
        return fig, ax, lines

    fig, ax, lines = kept(("pf.completion", lang, series, ticks), make)
    for line, col in zip(lines, series):
        line.set_ydata(_numbers(chart[col]))
    _rescale(ax, len(ticks), lines)
    return _out(fig)


def _rescale(ax: Any, n: int, artists: Sequence[Any], ylim: tuple[float, float] | None = None) -> None:
    """The limits from the data just set in ``artists`` (bars, lines), whoever was drawn in the kept figure before.
    x: the categories' extent (every line point, every bar, with or without a value) and matplotlib's margin, so
    every person's months or quarters sit in the same places. y: ``ylim`` when the chart gives its own, else what
    ``relim`` and ``autoscale_view`` find from the bars' corners and the lines' points, taken at once (a tenth of a
    page's CPU, issue 24); with no value but zero (or none), only the zero line (no invented ticks such as "-0").
    ``n``: the ticks (0..n-1), inside the x limits."""
    points, xs = [], [0.0, float(n - 1)]
    for artist in artists:
        if isinstance(artist, Line2D):
            xs += [float(x) for x in artist.get_xdata()]
            points += [(x, y) for x, y in zip(artist.get_xdata(), artist.get_ydata()) if x == x and y == y]
        else:
            for rect in artist:
                x, y, w, h = rect.get_x(), rect.get_y(), rect.get_width(), rect.get_height()
                xs += [x, x + w]
                if w or h:  # as relim: a bar of no width and no height adds nothing
                    points += [(x, y), (x + w, y + h)]
    zero = ylim is None and not any(y != 0 for _, y in points)
    before = ax.get_ylim(), ax.yaxis.get_major_locator(), ax.yaxis.stale
    ax.set_autoscaley_on(True)
    if zero:
        if not (isinstance(before[1], FixedLocator) and list(before[1].locs) == [0]):
            ax.yaxis.set_major_locator(FixedLocator([0]))
    elif type(before[1]) is not AutoLocator:  # a fresh figure's (the last person may have had the zero line only)
        ax.yaxis.set_major_locator(AutoLocator())
    ax.dataLim.ignore(True)
    ax.dataLim.set_points(Bbox.null().get_points())
    ax.ignore_existing_data_limits = True
    if ylim is not None:
        ax.set_ylim(*ylim)
    elif zero:
        ax.set_ylim(0, 1)
    else:
        ax.update_datalim(points)
        ax.autoscale_view(scalex=False)
    if (ax.get_ylim(), ax.yaxis.get_major_locator()) == before[:2]:  # the y axis as it was drawn: replayed
        ax.yaxis.stale = before[2]
    lo, hi = ax.xaxis.get_major_locator().nonsingular(min(xs), max(xs))  # one category (January): ±0.05 around it
    margin = ax.margins()[0] * (hi - lo)
    if ax.get_xlim() != (lo - margin, hi + margin):  # set again, the same, it would mark the x axis changed (replay)
        ax.set_xlim(lo - margin, hi + margin)


def _legend_below(ax: Any, ncol: int) -> None:
    """The legend under the months, ``ncol`` entries a row: never over the bars (a fixed place, not searched for)."""
    ax.legend(fontsize=9, ncol=ncol, loc="upper center", bbox_to_anchor=(0.5, -0.09), frameon=False)


def _history_charts(quarters: pd.DataFrame, lang: str) -> list[str]:
    """The score by quarter (line) and the pay by quarter (bars) of every stored year."""
    if not len(quarters):
        return []
    with _PYPLOT:
        return [_score_chart(quarters, lang), _pay_chart(quarters, lang)]


def _score_chart(quarters: pd.DataFrame, lang: str) -> str:
    ticks = tuple(str(q) for q in quarters.iloc[:, 0])

    def make() -> tuple[Any, Any, list[Any]]:
        fig, ax = _fig()
        x = list(range(len(ticks)))
        line = ax.plot(x, [float("nan")] * len(x), marker="o", color=COLORS[0])[0]
        ax.set_xticks(x, ticks)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        _title(ax, label("pf.chart.score", lang), 12)
        return fig, ax, [line]

    fig, ax, (line,) = kept(("pf.score", lang, ticks), make)
    score = _numbers(quarters[header("score", lang)])
    line.set_ydata(score)
    known = [v for v in score if v == v]
    _rescale(ax, len(ticks), [line], ylim=(0, max(1.2, max(known) * 1.1 if known else 1.2)))  # from 0: no false drama
    return _out(fig)


def _pay_chart(quarters: pd.DataFrame, lang: str) -> str:
    ticks = tuple(str(q) for q in quarters.iloc[:, 0])
    series = (header("royalty_paid", lang), header("floating_paid", lang))

    def make() -> tuple[Any, Any, list[Any]]:
        fig, ax = _fig(height=3.9, bottom=0.6)  # the quarters, then the legend's row
        x = list(range(len(ticks)))
        bars = [ax.bar(x, [0.0] * len(x), 0.6, label=col, color=COLORS[i + 1]) for i, col in enumerate(series)]
        ax.set_xticks(x, ticks)
        _money_axis(ax)
        _title(ax, label("pf.chart.pay", lang), 12)
        _legend_below(ax, 2)
        return fig, ax, bars

    fig, ax, bars = kept(("pf.pay", lang, ticks), make)
    bottom = [0.0] * len(ticks)
    for container, col in zip(bars, series):  # stacked: each series on the ones before
        values = _numbers(quarters[col], 0.0)
        for rect, base, height in zip(container, bottom, values):
            rect.set_y(base)
            rect.set_height(height)
            rect.sticky_edges.y[:] = [base]  # as ``bar(bottom=...)`` sets it: no margin beyond a stack's base
        bottom = [b + v for b, v in zip(bottom, values)]
    _rescale(ax, len(ticks), bars)
    return _out(fig)


def page(data: Year, employee_id: str, person: dict[str, Any], lang: str,
         frames: Sequence[SheetFrame] | None = None) -> str:
    """The performance file as one printable HTML page; ``frames``: the person's workbook sheets in ``lang`` when
    made already (``build``: the page shows the same tables), else made here."""
    table = {sheet.table_name: sheet.frame for sheet in (frames if frames is not None else
                                                          sheets(data, employee_id, person, lang))}
    money = [header(c, lang) for c in ("month_target", "month_actual", "ytd_target", "ytd_actual", "royalty_payment",
                                     "ytd_royalty", "floating_pay")] + [label("st.amount", lang)]
    money += [header(c, lang) for c in ("royalty_paid", "floating_paid", "total_paid")]
    pct = [header(c, lang) for c in ("month_completion", "ytd_completion", "time_progress", "score")]
    history: list[tuple[str, dict[str, Any], str | None]] = []
    history_charts: list[str] = []
    title = label("pf.title", lang, year=data.year)
    if data.history is not None:  # the years first: what the person is shown
        quarters = table["Quarters"]
        history = [(label("pf.sheet.years", lang), html_table(table["Years"], pct, money), None),
                   (label("pf.sheet.quarters", lang), html_table(quarters, pct, money), None),
                   (label("pf.sheet.reviews", lang), html_table(table["Reviews"]), label("pf.no_reviews", lang)),
                   (label("pf.sheet.training", lang), html_table(table["Training"]), label("pf.no_training", lang))]
        history_charts = _history_charts(quarters, lang)
        if len(data.history.years) > 1:
            title = label("pf.history_title", lang, first=data.history.years[0], last=data.history.years[-1])
    sections = [(label(f"pf.sheet.{k}", lang), html_table(table[name], pct=pct, money=money), None)
                for k, name in (("summary", "Summary"), ("pay", "Pay"), ("months", "Months"))]
    sections += [(findings_name(lang), html_table(table["Findings"]), None),
                 (label("pf.sheet.feedback", lang), html_table(table["Feedback"]), None)]
    return page_template(str(TEMPLATE)).render(
        lang=lang, title=title, who=f"{employee_id} · {person.get('name') or ''} · "
        f"{person.get('department') or ''}", history=history, history_charts=history_charts,
        year_title=label("pf.title", lang, year=data.year), charts=_svg_charts(table["ChartData"], lang),
        sections=sections)


#: Processes building pages at once (``Pages``): the machine's two cores.
WORKERS = 2
#: The years being written, by run, for the page builders forked from this process (inherited, never sent).
_RUNS: dict[int, Year] = {}
_run_ids = itertools.count(1)

#: What a builder hands back for one person: the files it wrote (the workbook), and the page's HTML (None without
#: a PDF to print).
Built = tuple[list[Path], str | None]


def build(data: Year, employee_id: str, person: dict[str, Any], out_dir: Path, formats: Sequence[str],
          lang: str) -> Built:
    """The person's workbook written (``xlsx`` in ``formats``) and page built (``pdf``), both from one set of
    frames (``outputs.performance.sheets``: the page shows the workbook's tables); the workbook is removed when
    the page fails (a person's files are written whole or not at all)."""
    frames = sheets(data, employee_id, person, lang)
    with written_whole([]) as written:
        if "xlsx" in formats:
            stem = file_stem(data.year, employee_id, person.get("name"))
            written.append(write_frames(out_dir / f"{stem}.xlsx", frames, lang))
        html = page(data, employee_id, person, lang, frames) if "pdf" in formats else None
    return written, html


def _forked_build(run: int, employee_id: str, person: dict[str, Any], out_dir: Path, formats: Sequence[str],
                  lang: str) -> Built:
    """``build`` in a builder process: the year is the one ``Pages`` left in ``_RUNS`` before forking."""
    return build(_RUNS[run], employee_id, person, out_dir, formats, lang)


class Pages:
    """People's workbooks written and pages (charts included) built in ``workers`` processes forked from this one
    (``build``), each with its own pyplot and kept figures, matplotlib imported once (here, before the fork); the
    files' paths and the HTML come back to this process, which prints. Where processes cannot be forked safely
    (not Linux: Windows, macOS, Pyodide) or for one person, ``submit`` returns None and the caller builds the files
    itself. Use as a ``with`` block and submit before a browser or other threads start: the fork copies this
    process as it is."""

    def __init__(self, data: Year, workers: int = WORKERS, people: int = 2) -> None:
        self._data = data
        self._run = next(_run_ids)
        usable = forks()
        self._workers = min(workers, os.cpu_count() or 1) if usable and people > 1 else 0
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Pages:
        if self._workers > 1:
            _RUNS[self._run] = self._data
            self._pool = ProcessPoolExecutor(self._workers, mp_context=multiprocessing.get_context("fork"))
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        _RUNS.pop(self._run, None)

    def submit(self, employee_id: str, person: dict[str, Any], lang: str, out_dir: Path,
               formats: Sequence[str]) -> Future[Built] | None:
        """The person's files being made in a builder process (``build``), or None (make them here)."""
        if self._pool is None:
            return None
        return self._pool.submit(_forked_build, self._run, employee_id, person, Path(out_dir), tuple(formats), lang)


def write_performance_file(data: Year, employee_id: str, person: dict[str, Any], out_dir: Path,
                           formats: Sequence[str], lang: str, pdfs: PdfBatch | None = None,
                           built: Future[Built] | None = None) -> tuple[list[Path], Future[Path] | None]:
    """Write ``<stem>.xlsx`` and queue ``<stem>.pdf`` in ``pdfs`` (printed at once when None); the files written
    and the PDF's future (``operations.batch.pdf_done`` waits for it). ``built``: the workbook and page from
    ``Pages`` (else made here, ``build``)."""
    written, html = built.result() if built is not None else build(data, employee_id, person, out_dir, formats, lang)
    if html is None:
        return written, None
    with written_whole(written):
        footer = label("st.footer", lang, title=label("pf.title", lang, year=str(data.year)),
                       name=str(person.get("name") or ""), employee_id=employee_id, period=str(data.year),
                       page="{page}", pages="{pages}")
        stem = file_stem(data.year, employee_id, person.get("name"))
        return written, queue(PdfJob(html, out_dir / f"{stem}.pdf", footer, lang, "performance"), pdfs)
