"""Jinja2 filters shared by the report templates: money, percent, change, date, RAG, in English and Chinese."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from ..i18n import register, t
from ..money import fmt_money
from ..outputs.labels import label as table_label

#: Excel number formats matching each filter (the xlsx engine writes numbers, not text, for these).
NUMBER_FORMATS = {
    "money": "#,##0.00",
    "percent": "0.0%",
    "change": "+0.0%;-0.0%;0.0%",
    "date": "yyyy-mm-dd",
    "int": "0",
    "number": "0.00",
    "ratio": "0.00",
}


def blank(x: Any) -> bool:
    """True for None, NaN, NA and NaT."""
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    return isinstance(x, float) and math.isnan(x)


#: Money units of the report: (scale, English, Chinese). 万元 (10,000 yuan) is a Chinese-report option.
UNITS = {"yuan": (1.0, "yuan", "元"), "wan": (10_000.0, "10k yuan", "万元")}
register({"report.unit.note": ("Amounts in {unit}.", "金额单位：{unit}。"),
          "report.unit.million": ("{x} million yuan", "{x}百万元")})


def unit_label(unit: str, lang: str) -> str:
    """The unit's name: yuan / 元 / 万元."""
    return UNITS[unit][2 if lang == "zh" else 1]


def money(x: Any, lang: str = "en", unit: str = "yuan") -> str:
    """1234.5 -> "1,234.50" (half away from zero), in ``unit`` (万元: ÷ 10,000); blank -> ""."""
    if blank(x):
        return ""
    scale = UNITS[unit][0]
    return fmt_money(float(x) / scale if scale != 1 else float(x), grouped=True) or ""


def amount(x: Any, lang: str = "en", unit: str = "yuan") -> str:
    """Money in words' form with its unit: "12.35 million yuan", "123,456 yuan", "1,234.57万元", "123,456元"."""
    if blank(x):
        return "–"
    v = float(x)
    if lang == "zh":
        return f"{money(v, lang, 'wan')}万元" if unit == "wan" else f"{fmt_money(v, grouped=True, digits=0)}元"
    if abs(v) >= 1e6:
        return t("report.unit.million", lang, x=fmt_money(v / 1e6, grouped=True))
    return f"{fmt_money(v, grouped=True, digits=0)} yuan"


def percent(x: Any, lang: str = "en", digits: int = 1) -> str:
    """0.8476 -> "84.8%"; blank -> ""."""
    return "" if blank(x) else f"{float(x):.{digits}%}"


def change(x: Any, lang: str = "en") -> str:
    """A relative change with its sign: 0.109 -> "+10.9%", -0.48 -> "-48.1%"; blank -> "–"."""
    return "–" if blank(x) else f"{float(x):+.1%}"


def date(x: Any, lang: str = "en") -> str:
    """A date as 2026-10-31 (en) or 2026年10月31日 (zh); text passes through."""
    if blank(x):
        return ""
    if isinstance(x, str):
        return x
    d = pd.Timestamp(x) if not isinstance(x, (dt.date, pd.Timestamp)) else x
    return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def rag(x: Any, lang: str = "en") -> str:
    """green/amber/red -> Green/Amber/Red or 绿/黄/红; blank -> ""."""
    if blank(x):
        return ""
    key = str(x).lower()
    return table_label(f"rag.{key}", lang) if key in ("green", "amber", "red") else str(x)


def integer(x: Any, lang: str = "en") -> str:
    """A count: 12 -> "12"; blank -> ""."""
    return "" if blank(x) else f"{int(x):,d}"


def number(x: Any, lang: str = "en") -> str:
    """A plain number with two decimals; blank -> ""."""
    return "" if blank(x) else f"{float(x):,.2f}"  # a coefficient: not money


def ratio(x: Any, lang: str = "en") -> str:
    """A ratio such as pacing or a scaled error: 1.07579 -> "1.08"; blank -> ""."""
    return "" if blank(x) else f"{float(x):.2f}"  # a ratio: not money


def text(x: Any, lang: str = "en") -> str:
    """Any value as text; blank -> ""."""
    return "" if blank(x) else str(x)


#: Formatter per column kind (see context.COLUMNS).
BY_KIND: dict[str, Callable[..., str]] = {
    "money": money, "percent": percent, "change": change, "date": date, "rag": rag, "int": integer,
    "number": number, "ratio": ratio, "text": text,
}


def fmt(x: Any, kind: str, lang: str = "en", unit: str = "yuan") -> str:
    """A value formatted for its column kind (money in ``unit``)."""
    return money(x, lang, unit) if kind == "money" else BY_KIND.get(kind, text)(x, lang)


def jinja_filters(lang: str, unit: str = "yuan") -> dict[str, Callable[..., str]]:
    """The filters as Jinja2 registers them, bound to ``lang`` and the money unit."""
    return {
        "money": lambda x: money(x, lang, unit),
        "amount": lambda x: amount(x, lang, unit),
        "percent": lambda x, digits=1: percent(x, lang, digits),
        "change": lambda x: change(x, lang),
        "date": lambda x: date(x, lang),
        "rag": lambda x: rag(x, lang),
        "int": lambda x: integer(x, lang),
        "number": lambda x: number(x, lang),
        "ratio": lambda x: ratio(x, lang),
        "fmt": lambda x, kind: fmt(x, kind, lang, unit),
    }
