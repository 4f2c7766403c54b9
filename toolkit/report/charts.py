"""SVG charts for the HTML report (matplotlib, Agg backend), drawn from the context's tables.

Chinese labels need a CJK font: Noto Sans CJK (Debian ``fonts-noto-cjk``) when installed, else
matplotlib's default (labels may then show boxes; the report stays valid).
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.ticker import FuncFormatter, PercentFormatter  # noqa: E402

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "WenQuanYi Zen Hei", "Source Han Sans SC")
COLORS = ("#1f4e79", "#5b9bd5", "#ed7d31", "#70ad47", "#a5a5a5")


@lru_cache(maxsize=1)
def font_family() -> list[str]:
    """Font families to use: the first installed CJK font, then DejaVu Sans."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    return [n for n in CJK_FONTS if n in names][:1] + ["DejaVu Sans"]


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]  # drop the XML prolog and doctype: inline in HTML
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)  # deterministic, no external URIs
    svg = re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r'<svg\1', svg, count=1)  # scale with CSS
    return svg


def _fig(width: float = 7.5, height: float = 3.4) -> tuple[Any, Any]:
    plt.rcParams["font.family"] = font_family()
    plt.rcParams["svg.fonttype"] = "path"  # glyphs as paths: renders the same without the font installed
    plt.rcParams["axes.unicode_minus"] = False
    fig, ax = plt.subplots(figsize=(width, height))
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _money_axis(ax: Any) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1e6:,.1f}M" if abs(v) >= 1e6 else f"{v:,.0f}"))


def completion_chart(ctx: dict[str, Any]) -> str:
    """Grouped bars: YTD completion per department and indicator, with the time-progress line."""
    m = ctx["tables"]["completion_matrix"]
    labels = ctx["labels"]["completion_matrix"]
    fig, ax = _fig()
    n = len(m)
    keys = ["signing", "collection", "expense", "profit"]
    width = 0.8 / len(keys)
    for i, k in enumerate(keys):
        ax.bar([x + i * width for x in range(n)], m[k].fillna(0).tolist(), width, label=labels[i + 1], color=COLORS[i])
    ax.axhline(ctx["time_progress"], color="#c00000", linestyle="--", linewidth=1, label=labels[5])
    ax.set_xticks([x + width * 1.5 for x in range(n)], m["department"].astype(str).tolist())
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.legend(fontsize=8, ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False)
    ax.set_title(ctx["text"]["chart_completion"], fontsize=11)
    return _svg(fig)


def trend_chart(ctx: dict[str, Any]) -> str:
    """Lines: monthly signing and collections, with the signing forecast dashed."""
    tr = ctx["tables"]["trend"]
    labels = ctx["labels"]["trend"]
    fig, ax = _fig()
    x = list(range(len(tr)))
    ax.plot(x, tr["signing"], marker="o", color=COLORS[0], label=labels[1])
    ax.plot(x, tr["collection"], marker="o", color=COLORS[3], label=labels[2])
    ax.plot(x, tr["signing_forecast"], marker="o", linestyle="--", color=COLORS[2], label=labels[3])
    ax.set_xticks(x, [str(v)[2:] for v in tr["month"]], fontsize=8, rotation=45)
    _money_axis(ax)
    ax.legend(fontsize=8, frameon=False)
    ax.set_title(ctx["text"]["chart_trend"], fontsize=11)
    return _svg(fig)


def aging_chart(ctx: dict[str, Any]) -> str:
    """Stacked bars: receivables per department by aging bucket."""
    ag = ctx["tables"]["aging"].iloc[:-1]  # departments; the last row is the company
    labels = ctx["labels"]["aging"]
    fig, ax = _fig()
    bottom = [0.0] * len(ag)
    for i, col in enumerate(["not_due", "1-30", "31-60", "61-90", "over_90"]):
        vals = ag[col].fillna(0).tolist()
        ax.bar(ag["key"].astype(str).tolist(), vals, bottom=bottom, label=labels[i + 1],
               color=("#70ad47", "#ffd966", "#f4b183", "#ed7d31", "#c00000")[i])
        bottom = [b + v for b, v in zip(bottom, vals)]
    _money_axis(ax)
    ax.legend(fontsize=8, ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.1), frameon=False)
    ax.set_title(ctx["text"]["chart_aging"], fontsize=11)
    return _svg(fig)


def all_charts(ctx: dict[str, Any]) -> dict[str, str]:
    """Every chart of the HTML report as inline SVG markup, by name."""
    return {"completion_by_department": completion_chart(ctx), "trend": trend_chart(ctx), "aging": aging_chart(ctx)}
