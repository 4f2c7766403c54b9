"""SVG charts for the HTML report (matplotlib, Agg backend), drawn from the context's tables.

Text stays text (``svg.fonttype = none``) with a CJK-capable CSS font stack, so the reader's browser
draws Chinese and English with its own fonts on any machine; matplotlib's font only sizes the layout.
That font is the first CJK font matplotlib knows, else one found on disk (a font cache older than the
font install is no obstacle), else DejaVu Sans (layout widths are then approximate, the text still
correct). Library warnings (missing glyphs, font lookups) are silenced: they are not the user's business.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import numpy as np

# before matplotlib builds its font cache (a WARNING log line on a fresh machine): nothing on the terminal
logging.getLogger("matplotlib").setLevel(logging.ERROR)

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.textpath import TextToPath  # noqa: E402
from matplotlib.ticker import FuncFormatter, PercentFormatter  # noqa: E402

from .replay import fixed_parts  # noqa: E402 - after matplotlib's backend is chosen, as its imports

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "Droid Sans Fallback", "AR PL UMing CN")
#: file names of CJK fonts worth adding when matplotlib's cache does not list them
CJK_FILES = re.compile(r"(NotoSansCJK|NotoSansSC|SourceHanSans|wqy-|DroidSansFallback|uming)", re.I)
COLORS = ("#1f4e79", "#5b9bd5", "#ed7d31", "#70ad47", "#a5a5a5")
#: Size (inches) of one small multiple: at a phone's width (390 px) one fills the screen and its 9-point labels
#: stay about 9 px high; on a desktop three sit side by side.
MULTIPLE = (3.6, 2.5)
#: The charts (the report's since session 19, and the person pages') set their words in a TrueType CJK font first:
#: Chromium embeds a TrueType font in a PDF as a small subset, but Noto Sans CJK (CFF outlines) as Type 3 glyphs,
#: each one a path, which made a Chinese page's print dearer and the report's PDF blurry in some viewers
#: (docs/statements.md, "Fonts"). Windows and macOS have Microsoft YaHei / PingFang (TrueType) anyway; Noto Sans CJK
#: stays the fallback, and lays the words out where WenQuanYi is not installed (``page_family``).
PAGE_FONT = "WenQuanYi Micro Hei"
PAGE_CSS_FONTS = (f"'{PAGE_FONT}', 'Microsoft YaHei', 'PingFang SC', 'Noto Sans CJK SC', 'Noto Sans SC', "
                  "'Source Han Sans SC', 'Hiragino Sans GB', 'DejaVu Sans', Arial, sans-serif")
#: file name of ``PAGE_FONT`` (Debian: fonts-wqy-microhei), added when matplotlib's cache predates its install
PAGE_FILE = re.compile(r"wqy-microhei", re.I)
#: The figures' resolution: the SVG writer's own (72 points an inch), so that saving one does not set another and
#: back (each time, every transform of the figure computed again: the charts have no raster images to resolve).
SVG_DPI = 72
AGING_COLORS = ("#70ad47", "#ffd966", "#f4b183", "#ed7d31", "#c55a11", "#c00000", "#7f0000", "#400000")


def _known_cjk() -> list[str]:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return [n for n in CJK_FONTS if n in names]


@lru_cache(maxsize=1)
def font_family() -> list[str]:
    """Font families for layout: an installed CJK font (found on disk when the cache predates it), then
    DejaVu Sans."""
    found = _known_cjk()
    if not found:
        _add_fonts(CJK_FILES)
        found = _known_cjk()
    return found[:1] + ["DejaVu Sans"]


def _add_fonts(files: re.Pattern[str]) -> None:
    """The system's font files whose path matches ``files`` added to matplotlib's font list (its cache may predate
    their install)."""
    with _quiet():
        for path in font_manager.findSystemFonts():
            if files.search(path):
                try:
                    font_manager.fontManager.addfont(path)
                except Exception:  # noqa: BLE001 - an unreadable font file is simply not used
                    continue


@lru_cache(maxsize=1)
def page_family() -> list[str]:
    """Font families for the layout of the person pages' charts: ``PAGE_FONT`` when installed (found on disk when
    matplotlib's cache predates it), so the layout measures the font the page is printed in; else ``font_family``."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    if PAGE_FONT not in names:
        _add_fonts(PAGE_FILE)
        names = {f.name for f in font_manager.fontManager.ttflist}
    return [PAGE_FONT, "DejaVu Sans"] if PAGE_FONT in names else font_family()


@contextmanager
def _quiet() -> Iterator[None]:
    """No matplotlib warnings (missing glyphs, font lookups) on the terminal while drawing."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _svg(fig: Any, close: bool = True) -> str:
    """The figure as inline SVG markup, drawn once: the layout is fixed by ``_fig``'s margins (``bbox_inches="tight"``
    would draw every chart twice, once only to measure it); closed unless ``close`` is False (a ``kept`` figure);
    its words in the CSS font stack ``PAGE_CSS_FONTS`` (the report's and the person pages'); its words' measures
    shared with the process's other draws (``shared_metrics``)."""
    buf = io.StringIO()
    with _quiet(), shared_metrics():
        fig.savefig(buf, format="svg", metadata={"Date": None})
    if close:
        plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]  # drop the XML prolog and doctype: inline in HTML
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)  # deterministic, no external URIs
    svg = re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r'<svg\1', svg, count=1)  # scale with CSS
    return re.sub(r"font-family: [^;\"]+", f"font-family: {PAGE_CSS_FONTS}", svg)


#: Figures drawn again and again with other figures (one person's page after another's): one per chart kind and
#: layout in this process, its artists updated in place instead of a new figure each time (``kept``).
KEPT = 16
_kept: OrderedDict[Hashable, Any] = OrderedDict()


def kept(key: Hashable, make: Callable[[], Any]) -> Any:
    """What ``make`` returns (a tuple: the figure, then its axes and artists) kept under ``key`` in this process,
    made on first use, the parts its updates leave alone replayed at each draw (``replay.fixed_parts``); the oldest
    of more than ``KEPT`` are closed. The caller updates its data before each draw, and draws one at a time (pyplot's
    state is per process)."""
    if key in _kept:
        _kept.move_to_end(key)
        return _kept[key]
    made = _kept[key] = make()
    fixed_parts(made[0], made[1])
    while len(_kept) > KEPT:
        plt.close(_kept.popitem(last=False)[1][0])
    return made


#: Text metrics (width, height, descent) by text, font properties and math mode, shared by every draw inside
#: ``shared_metrics``. matplotlib caches them per renderer, and its SVG writer makes a new renderer at each draw, so
#: a kept figure's ticks, title and legend were measured again for every person: a sixth of a page's CPU.
_METRICS: dict[tuple[str, Any, Any], Any] = {}
_MEASURE = TextToPath.get_text_width_height_descent


def _measured(self: TextToPath, s: str, prop: Any, ismath: Any) -> Any:
    """``TextToPath.get_text_width_height_descent``, looked up in ``_METRICS`` first (a pure function of its
    arguments: the same font properties give the same metrics)."""
    key = (s, prop.copy(), ismath)  # a copy: FontProperties is mutable and hashed on its state (as matplotlib's cache)
    found = _METRICS.get(key)
    if found is None:
        if len(_METRICS) >= 8192:  # bounded: tick labels differ from person to person
            _METRICS.clear()
        found = _METRICS[key] = _MEASURE(self, s, prop, ismath)
    return found


#: Text layouts (``Text._get_layout``: the box and each line's place around the anchor) by everything they depend
#: on, shared by every draw inside ``shared_metrics``. matplotlib lays a tick label out twice a draw (its box for
#: the axis, then its drawing) and a legend's words at every draw, each time reading the font's tables again: a
#: fifth of a chart's SVG (issue 24). A layout does not depend on where the text is, only on these.
_LAYOUTS: dict[tuple[Any, ...], Any] = {}
_LAYOUT = Text._get_layout


def _layout_key(text: Text, renderer: Any) -> tuple[Any, ...] | None:
    """What ``text``'s layout depends on (None when it cannot be told: wrapped text, an unknown matplotlib)."""
    try:
        if text.get_wrap():  # wrapped lines depend on the text's place in the figure
            return None
        return (type(renderer), text.get_text(), text.get_fontproperties(), text.get_usetex(), text.get_parse_math(),
                text._linespacing, text._get_multialignment(), text.get_rotation(), text.get_rotation_mode(),
                text.get_horizontalalignment(), text.get_verticalalignment(), text.figure.dpi)
    except AttributeError:  # a matplotlib whose Text keeps these otherwise: laid out as it lays out
        return None


def _laid_out(self: Text, renderer: Any) -> Any:
    """``Text._get_layout``, looked up in ``_LAYOUTS`` first; the box returned is a copy (callers may move it)."""
    key = _layout_key(self, renderer)
    if key is None:
        return _LAYOUT(self, renderer)
    found = _LAYOUTS.get(key)
    if found is None:
        if len(_LAYOUTS) >= 8192:  # bounded, as ``_METRICS``
            _LAYOUTS.clear()
        found = _LAYOUT(self, renderer)
        _LAYOUTS[(*key[:2], key[2].copy(), *key[3:])] = found  # a copy: FontProperties is mutable
    bbox, lines, box = found
    return bbox.frozen(), list(lines), box


@contextmanager
def shared_metrics() -> Iterator[None]:
    """Inside the block, the SVG writer's text measurements and layouts come from ``_METRICS`` and ``_LAYOUTS`` (the
    person pages' kept figures, drawn again and again with the same words). The answers are the same either way;
    only their cost differs."""
    TextToPath.get_text_width_height_descent = _measured
    Text._get_layout = _laid_out
    try:
        yield
    finally:
        TextToPath.get_text_width_height_descent = _MEASURE
        Text._get_layout = _LAYOUT


def _fig(width: float = 6.4, height: float = 3.6, rows: int = 1, cols: int = 1, *, left: float = 0.75,
         right: float = 0.15, top: float = 0.4, bottom: float = 0.35,
         family: list[str] | None = None) -> tuple[Any, Any]:
    """A figure whose axes sit inside fixed margins (inches: tick labels left and below, the title above), so
    one draw gives the SVG; the axis labels' places fixed too (the charts have none: no measuring of them); its
    text laid out in ``family`` (default: ``page_family``)."""
    with _quiet():
        _rc(family)
        fig, ax = plt.subplots(rows, cols, figsize=(width, height), dpi=SVG_DPI)
        fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height,
                            bottom=bottom / height)
    for a in (ax.flat if hasattr(ax, "flat") else [ax]):
        a.spines[["top", "right"]].set_visible(False)
        _fixed_labels(a)
    return fig, ax


def _rc(family: list[str] | None = None) -> None:
    """The settings the charts' text is made with (their font ``family``, default ``page_family``; text as text):
    set for each figure made, and before each draw of a kept report figure, whose new ticks take them then."""
    plt.rcParams["font.family"] = family or page_family()
    plt.rcParams["svg.fonttype"] = "none"  # text stays text: the browser's fonts draw it
    plt.rcParams["axes.unicode_minus"] = False


def _fixed_labels(ax: Any) -> None:
    """Axis labels at fixed places: matplotlib otherwise measures every tick label to place them at each draw."""
    ax.xaxis.set_label_coords(0.5, -0.1)
    ax.yaxis.set_label_coords(-0.1, 0.5)


def _title(ax: Any, text: str, size: float = 11) -> None:
    """The chart's title just above the axes, centred on the figure (a title wider than the axes stays inside it);
    placed, not measured against the ticks at each draw."""
    box = ax.get_position()
    ax.set_title(text, fontsize=size, y=1.0, x=(0.5 - box.x0) / box.width)


def _money_axis(ax: Any) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1e6:,.1f}M" if abs(v) >= 1e6 else f"{v:,.0f}"))  # axis ticks: not money


def completion_chart(ctx: dict[str, Any]) -> str:
    """Grouped bars: completion (the RAG basis) per department and the company, with the reference line."""
    m = ctx["tables"]["completion_matrix"]
    labels = ctx["labels"]["completion_matrix"]
    fig, ax = _fig(height=4.0, bottom=0.75)  # the department names, then the legend's row
    n = len(m)
    keys = ["signing", "collection", "expense", "profit"]
    width = 0.8 / len(keys)
    with _quiet():
        for i, k in enumerate(keys):
            ax.bar([x + i * width for x in range(n)], m[k].fillna(0).tolist(), width, label=labels[i + 1],
                   color=COLORS[i])
        ax.axhline(ctx["tables"]["completion_matrix"]["rag_reference"].iloc[0] if n else 1.0, color="#c00000",
                   linestyle="--", linewidth=1, label=labels[5])
        ax.set_xticks([x + width * 1.5 for x in range(n)], m["department"].astype(str).tolist())
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.legend(fontsize=9, ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.1), frameon=False)
        _title(ax, ctx["text"]["chart_completion"])
    return _svg(fig)


def trend_chart(ctx: dict[str, Any]) -> str:
    """Lines: monthly signing and collections, with the signing forecast dashed."""
    tr = ctx["tables"]["trend"]
    labels = ctx["labels"]["trend"]
    fig, ax = _fig(bottom=0.5)  # month ticks at 45 degrees
    x = list(range(len(tr)))
    with _quiet():
        ax.plot(x, tr["signing"], marker="o", color=COLORS[0], label=labels[1])
        ax.plot(x, tr["collection"], marker="o", color=COLORS[3], label=labels[2])
        ax.plot(x, tr["signing_forecast"], marker="o", linestyle="--", color=COLORS[2], label=labels[3])
        ax.set_xticks(x, [str(v)[2:] for v in tr["month"]], fontsize=9, rotation=45)
        _money_axis(ax)
        ax.legend(fontsize=9, frameon=False)
        _title(ax, ctx["text"]["chart_trend"])
    return _svg(fig)


def aging_chart(ctx: dict[str, Any]) -> str:
    """Stacked bars: receivables per department by aging bucket."""
    ag = ctx["tables"]["aging"].iloc[:-1]  # departments; the last row is the company
    labels = ctx["labels"]["aging"]
    buckets = [c for c, _ in ctx["columns"]["aging"][1:-2]]
    fig, ax = _fig(height=4.2, bottom=0.95)  # the department names, then the legend's two rows
    bottom = [0.0] * len(ag)
    with _quiet():
        for i, col in enumerate(buckets):
            vals = ag[col].fillna(0).tolist()
            ax.bar(ag["key"].astype(str).tolist(), vals, bottom=bottom, label=labels[i + 1],
                   color=AGING_COLORS[min(i, len(AGING_COLORS) - 1)])
            bottom = [b + v for b, v in zip(bottom, vals)]
        _money_axis(ax)
        ax.legend(fontsize=9, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.1), frameon=False)
        _title(ax, ctx["text"]["chart_aging"])
    return _svg(fig)


def history_chart(ctx: dict[str, Any]) -> str:
    """Small multiples: 12 months of signing, collection, expense, profit and receivables, and the annual
    completion of each indicator against time progress (the gap to the annual target). Each is its own small
    SVG in a ``multiples`` grid, so a phone shows them one under the other at a readable size rather than one
    wide figure shrunk to its width."""
    hist = ctx["tables"]["history"]
    labels = dict(zip([c for c, _ in ctx["columns"]["history"]], ctx["labels"]["history"]))
    x = list(range(len(hist)))
    ticks = tuple(str(m)[5:] for m in hist["month"])
    panels = [_history_panel(x, ticks, hist[key], COLORS[i % len(COLORS)], labels[key])
              for i, key in enumerate(("signing", "collection", "expense", "profit", "receivables"))]
    fig, ax = _fig(*MULTIPLE, left=0.85, right=0.15)  # the indicators' names left
    head = ctx["tables"]["headline"]
    with _quiet():
        ax.barh(list(range(len(head)))[::-1], head["annual_completion"].fillna(0).tolist(), color=COLORS[1])
        ax.set_yticks(list(range(len(head)))[::-1], head["indicator"].astype(str).tolist(), fontsize=9)
        ax.axvline(ctx["time_progress"], color="#c00000", linestyle="--", linewidth=1)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.tick_params(axis="x", labelsize=9)
        _title(ax, f"{ctx['labels']['headline'][10]} | {ctx['text']['time_progress_note']}", 10)
    panels.append(_svg(fig))
    return '<div class="multiples">' + "".join(f'<div class="multiple">{svg}</div>' for svg in panels) + "</div>"


def history_panel_apart(x: list[int], ticks: tuple[str, ...], values: Any, colour: str, title: str) -> str:
    """One of the history's line panels on a figure of its own: the general path of ``_history_panel``, taken when a
    month is missing (the kept figure's months' axis is laid out before its data, so a panel with a leading,
    trailing or every month missing would get another x range or the previous panel's y axis)."""
    fig, ax = _fig(*MULTIPLE, left=0.65, right=0.1)
    with _quiet():
        ax.plot(x, values, marker="o", markersize=3, color=colour)
        ax.fill_between(x, values, alpha=0.08, color=colour)
        _title(ax, title)
        ax.set_xticks(x[::2], list(ticks[::2]), fontsize=9)
        ax.tick_params(axis="y", labelsize=9)
        _money_axis(ax)
    return _svg(fig)


def _history_panel(x: list[int], ticks: tuple[str, ...], values: Any, colour: str, title: str) -> str:
    """One of the history's line panels (a month's value and the area under it): the five share one kept figure
    (``kept``: made once per process and months, its months' axis and spines replayed), whose line, area, colour,
    title and y limits are those of a panel drawn on a figure of its own (the same SVG); a panel with a month
    missing (not finite) is drawn on a figure of its own (``history_panel_apart``)."""
    if not np.isfinite(np.asarray(values, dtype=float)).all():
        return history_panel_apart(x, ticks, values, colour, title)

    def make() -> tuple[Any, Any, Any, list[Any]]:
        fig, ax = _fig(*MULTIPLE, left=0.65, right=0.1)
        with _quiet():
            line = ax.plot(x, [float("nan")] * len(x), marker="o", markersize=3)[0]
            ax.set_xticks(x[::2], list(ticks[::2]), fontsize=9)
            ax.tick_params(axis="y", labelsize=9)
            _money_axis(ax)
        return fig, ax, line, [None]

    fig, ax, line, area = kept(("report.history", ticks, tuple(page_family())), make)
    with _quiet():
        _rc()  # as a figure made now: ticks made at this draw take the report's font
        if area[0] is not None:
            area[0].remove()
        line.set_ydata(values)
        line.set_color(colour)
        ax.relim()  # the data limits of this line alone; the area adds its own, as on a new figure
        area[0] = ax.fill_between(x, values, alpha=0.08, color=colour)
        _title(ax, title)
    return _svg(fig, close=False)


def pareto_chart(ctx: dict[str, Any]) -> str:
    """Bars: the top customers' signing; line: their cumulative share (right axis), with the 80% line."""
    cust = ctx["tables"]["market_customers"]
    labels = dict(zip([c for c, _ in ctx["columns"]["market_customers"]], ctx["labels"]["market_customers"]))
    fig, ax = _fig(height=4.0, bottom=0.8, right=0.55)  # customer names at 35 degrees; the share's axis right
    x = list(range(len(cust)))
    with _quiet():
        ax.bar(x, cust["signing"].tolist(), color=COLORS[0], label=labels["signing"])
        ax.set_xticks(x, [str(v)[:8] for v in cust["customer"]], fontsize=9, rotation=35, ha="right")
        _money_axis(ax)
        right = ax.twinx()
        right.plot(x, cust["cum_share"].tolist(), marker="o", color=COLORS[2], label=labels["cum_share"])
        right.axhline(0.8, color="#c00000", linestyle="--", linewidth=1)
        right.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        right.set_ylim(0, max(1.0, float(cust["cum_share"].max() or 0)) if len(cust) else 1.0)
        right.spines[["top"]].set_visible(False)
        _fixed_labels(right)
        _title(ax, ctx["text"]["chart_pareto"])
    return _svg(fig)


def lines_chart(ctx: dict[str, Any]) -> str:
    """Grouped bars: signing and gross margin per product line (year to date)."""
    pl = ctx["tables"]["market_lines"]
    pl = pl[~pl["_total"]]
    labels = dict(zip([c for c, _ in ctx["columns"]["market_lines"]], ctx["labels"]["market_lines"]))
    fig, ax = _fig()
    x = list(range(len(pl)))
    with _quiet():
        ax.bar([v - 0.2 for v in x], pl["signing"].tolist(), 0.4, color=COLORS[0], label=labels["signing"])
        ax.bar([v + 0.2 for v in x], pl["gross_margin"].tolist(), 0.4, color=COLORS[3], label=labels["gross_margin"])
        ax.set_xticks(x, pl["product_line"].astype(str).tolist(), fontsize=9)
        _money_axis(ax)
        ax.legend(fontsize=9, frameon=False)
        _title(ax, ctx["text"]["chart_lines"])
    return _svg(fig)


def all_charts(ctx: dict[str, Any], market: dict[str, str] | None = None) -> dict[str, str]:
    """Every chart of the HTML report as inline SVG markup, by name; ``market``: its market charts drawn already
    from the context's market section (``html_render.market_charts``), not drawn again."""
    charts = {"completion_by_department": completion_chart(ctx), "trend": trend_chart(ctx),
              "aging": aging_chart(ctx), "history": history_chart(ctx)}
    if "market_customers" in ctx["tables"]:  # a context from an older template's data has no market section
        charts.update(market or {"pareto": pareto_chart(ctx), "product_lines": lines_chart(ctx)})
    return charts
