"""A person's performance file as a page (``templates/performance.html.j2``, SVG charts) printed to PDF, and
writing the file (xlsx from ``toolkit.outputs.performance``, pdf)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.ticker import PercentFormatter

from ..core.performance import Year
from ..io.writer import write_frames, written_whole
from ..outputs.labels import label
from ..outputs.performance import (
    CHART_INDICATORS,
    chart_frame,
    feedback_frame,
    file_stem,
    findings_frame,
    findings_name,
    header,
    history_frame,
    months_frame,
    pay_frame,
    reviews_frame,
    sheets,
    summary_frame,
    training_frame,
)
from .statements import html_table, page_template
from .pdf_batch import PdfBatch, PdfJob, queue

TEMPLATE = Path(__file__).resolve().parent / "templates" / "performance.html.j2"


#: pyplot keeps global state: pages built in parallel threads draw their charts one at a time.
_PYPLOT = threading.Lock()


def _svg_charts(chart: pd.DataFrame, lang: str) -> list[str]:
    """The two charts as inline SVG for the page (matplotlib, the report's fonts)."""
    with _PYPLOT:
        return _draw(chart, lang)


def _draw(chart: pd.DataFrame, lang: str) -> list[str]:
    from .charts import COLORS, _fig, _money_axis, _svg, _title  # deferred: loads matplotlib (slow to import); only this path needs it

    cols = list(chart.columns)
    n_target = 1 + 2 * len(CHART_INDICATORS)
    x = list(range(len(chart)))
    fig, ax = _fig(height=3.9, bottom=0.6)  # the months, then the legend's row
    width = 0.8 / (n_target - 1)
    for i, col in enumerate(cols[1:n_target]):
        ax.bar([v + (i - (n_target - 2) / 2) * width for v in x], chart[col].fillna(0.0), width, label=col,
               color=COLORS[i % len(COLORS)])
    ax.set_xticks(x, [p[-2:] for p in chart[cols[0]]])
    _money_axis(ax)
    _title(ax, label("pf.chart.targets", lang), 12)
    _legend_below(ax, n_target - 1)
    first = _svg(fig)
    fig, ax = _fig(height=4.0, bottom=0.75)  # the months, then the legend's two rows
    for i, col in enumerate(cols[n_target:]):
        ax.plot(x, chart[col], marker="o", label=col, color=COLORS[i % len(COLORS)],
                linestyle="--" if i == len(cols) - n_target - 1 else "-")
    ax.set_xticks(x, [p[-2:] for p in chart[cols[0]]])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    _title(ax, label("pf.chart.completion", lang), 12)
    _legend_below(ax, 3)
    return [first, _svg(fig)]


def _legend_below(ax: Any, ncol: int) -> None:
    """The legend under the months, ``ncol`` entries a row: never over the bars (a fixed place, not searched for)."""
    ax.legend(fontsize=9, ncol=ncol, loc="upper center", bbox_to_anchor=(0.5, -0.09), frameon=False)


def _history_charts(quarters: pd.DataFrame, lang: str) -> list[str]:
    """The score by quarter (line) and the pay by quarter (bars) of every stored year, as inline SVG."""
    if not len(quarters):
        return []
    with _PYPLOT:
        from .charts import COLORS, _fig, _money_axis, _svg, _title  # deferred: loads matplotlib (slow to import); only this path needs it

        x = list(range(len(quarters)))
        ticks = list(quarters.iloc[:, 0])
        fig, ax = _fig()
        score = quarters[header("score", lang)].astype("float64")
        ax.plot(x, score, marker="o", color=COLORS[0])
        ax.set_ylim(0, max(1.2, float(score.max()) * 1.1 if score.notna().any() else 1.2))  # from 0: no false drama
        ax.set_xticks(x, ticks)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        _title(ax, label("pf.chart.score", lang), 12)
        first = _svg(fig)
        fig, ax = _fig(height=3.9, bottom=0.6)  # the quarters, then the legend's row
        bottom = [0.0] * len(x)
        for i, col in enumerate((header("royalty_paid", lang), header("floating_paid", lang))):
            values = quarters[col].astype("float64").fillna(0.0).tolist()
            ax.bar(x, values, 0.6, bottom=bottom, label=col, color=COLORS[i + 1])
            bottom = [b + v for b, v in zip(bottom, values)]
        ax.set_xticks(x, ticks)
        _money_axis(ax)
        _title(ax, label("pf.chart.pay", lang), 12)
        _legend_below(ax, 2)
        return [first, _svg(fig)]


def page(data: Year, employee_id: str, person: dict[str, Any], lang: str) -> str:
    """The performance file as one printable HTML page."""
    mine = data.of(employee_id)
    money = [header(c, lang) for c in ("month_target", "month_actual", "ytd_target", "ytd_actual", "royalty_payment",
                                     "ytd_royalty", "floating_pay")] + [label("st.amount", lang)]
    money += [header(c, lang) for c in ("royalty_paid", "floating_paid", "total_paid")]
    pct = [header(c, lang) for c in ("month_completion", "ytd_completion", "time_progress", "score")]
    history: list[tuple[str, dict[str, Any], str | None]] = []
    history_charts: list[str] = []
    title = label("pf.title", lang, year=data.year)
    if data.history is not None:  # the years first: what the person is shown
        quarters = history_frame(mine, lang, True)
        history = [(label("pf.sheet.years", lang), html_table(history_frame(mine, lang, False), pct, money), None),
                   (label("pf.sheet.quarters", lang), html_table(quarters, pct, money), None),
                   (label("pf.sheet.reviews", lang), html_table(reviews_frame(mine, lang)),
                    label("pf.no_reviews", lang)),
                   (label("pf.sheet.training", lang), html_table(training_frame(mine, lang)),
                    label("pf.no_training", lang))]
        history_charts = _history_charts(quarters, lang)
        if len(data.history.years) > 1:
            title = label("pf.history_title", lang, first=data.history.years[0], last=data.history.years[-1])
    sections = [(label(f"pf.sheet.{k}", lang), html_table(f, pct=pct, money=money), None) for k, f in (
        ("summary", summary_frame(data.year, person, employee_id, mine, lang)), ("pay", pay_frame(mine, lang)),
        ("months", months_frame(mine, lang)))]
    sections += [(findings_name(lang), html_table(findings_frame(mine, lang)), None),
                 (label("pf.sheet.feedback", lang), html_table(feedback_frame(mine, lang)), None)]
    return page_template(str(TEMPLATE)).render(
        lang=lang, title=title, who=f"{employee_id} · {person.get('name') or ''} · "
        f"{person.get('department') or ''}", history=history, history_charts=history_charts,
        year_title=label("pf.title", lang, year=data.year), charts=_svg_charts(chart_frame(mine, lang), lang),
        sections=sections)


def write_performance_file(data: Year, employee_id: str, person: dict[str, Any], out_dir: Path,
                           formats: Sequence[str], lang: str, pdfs: PdfBatch | None = None
                           ) -> tuple[list[Path], Future[Path] | None]:
    """Write ``<stem>.xlsx`` and queue ``<stem>.pdf`` in ``pdfs`` (printed at once when None); the files written
    and the PDF's future (``operations.batch.pdf_done`` waits for it)."""
    stem = file_stem(data.year, employee_id, person.get("name"))
    with written_whole([]) as written:
        if "xlsx" in formats:
            written.append(write_frames(out_dir / f"{stem}.xlsx", sheets(data, employee_id, person, lang), lang))
        if "pdf" in formats:
            footer = label("st.footer", lang, title=label("pf.title", lang, year=str(data.year)),
                           name=str(person.get("name") or ""), employee_id=employee_id, period=str(data.year),
                           page="{page}", pages="{pages}")
            return written, queue(PdfJob(page(data, employee_id, person, lang), out_dir / f"{stem}.pdf", footer, lang,
                                         "performance"), pdfs)
    return written, None
