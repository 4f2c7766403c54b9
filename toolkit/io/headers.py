"""Match the headers people write to the schema's columns (issue 14, README "What the reader accepts").

A header matches a column when, compared by ``header_key`` (NFKC, case-folded, no whitespace or line
breaks, no trailing ``*``), it equals one of the column's labels or aliases; or when it does after a
trailing unit is set aside on both sides — a parenthesised part in ASCII or full-width parentheses
("合同金额（元）", "Payment Terms (days)") or a trailing ``%``. A money column whose unit is 万元 / 千元
(ten-thousands / thousands; "10k", "k" likewise) is scaled to the company currency, with an info finding.
"""

from __future__ import annotations

import re

from ..schema import ColType, Table, header_key

_UNIT = re.compile(r"^(?P<base>.+?)(?:\((?P<unit>[^()]*)\)|(?P<pct>%))$")
#: Units that scale a money column (compared after ``header_key``).
SCALES = {"万元": 10_000.0, "万": 10_000.0, "万元人民币": 10_000.0, "10k": 10_000.0, "10kyuan": 10_000.0,
          "千元": 1_000.0, "千": 1_000.0, "k": 1_000.0, "kyuan": 1_000.0, "千元人民币": 1_000.0}


def split_unit(key: str) -> tuple[str, str | None]:
    """(header without its trailing unit, the unit) of a ``header_key``; the unit is None when there is none."""
    m = _UNIT.match(key)
    if not m:
        return key, None
    return m.group("base"), (m.group("unit") if m.group("pct") is None else "%")


_MONTHS_EN = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
              "november", "december")
_MONTHS_ZH = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
#: Month headers in words or as dates (issue 22): 一月, 十二月份, January, Jan, Jan., Jan-26, Jan 2026, 2026-01,
#: 2026年1月, 2026-01-01 (a date cell), 1月份.
_MONTH_WORDS = {**{m: i for i, m in enumerate(_MONTHS_EN, 1)}, **{m[:3]: i for i, m in enumerate(_MONTHS_EN, 1)},
                "sept": 9, **{f"{z}月": i for i, z in enumerate(_MONTHS_ZH, 1)}}
_MONTH_FORMS = (
    re.compile(r"^(?P<w>[a-z]+)\.?(?:[-'/]?(?:\d{2}|\d{4}))?$"),  # jan, jan., jan-26, jan2026 (spaces are removed)
    re.compile(r"^(?:(?:19|20)\d{2}年)?(?P<w>[一二三四五六七八九十]+月)份?$"),
    re.compile(r"^(?:(?:19|20)\d{2}[-/.年])?(?P<n>\d{1,2})月?份?(?:[-/.]0?1(?:00:00:00)?)?$"),
)


def month_of(key: str) -> int | None:
    """The month (1-12) a month header names, in words or as a date (``header_key`` text); None otherwise."""
    for form in _MONTH_FORMS:
        m = form.match(key)
        if m is None:
            continue
        if m.groupdict().get("n"):
            n = int(m.group("n"))
            return n if 1 <= n <= 12 and (not key.isdigit() or len(key) <= 2) and ("月" in key or "-" in key
                                                                                    or "/" in key or "." in key) else None
        return _MONTH_WORDS.get(m.group("w"))
    return None


class HeaderMatcher:
    """Header text → (column key, scale) for one table; scale is 1.0 unless a money unit says otherwise."""

    def __init__(self, table: Table) -> None:
        self.exact = table.header_lookup()
        self.base: dict[str, str] = {}
        for key_text, key in self.exact.items():
            self.base.setdefault(split_unit(key_text)[0], key)
        self.money = {c.key for c in table.columns if c.type is ColType.MONEY}
        self.months = {int(c.key[1:]): c.key for c in table.columns if re.fullmatch(r"m\d{2}", c.key)}

    def match(self, text: str) -> tuple[str | None, float]:
        """The column ``text`` names and the factor its values are multiplied by (None: no column)."""
        if not text:
            return None, 1.0
        k = header_key(text)
        found = self.exact.get(k)
        if found is not None:
            return found, 1.0
        base, unit = split_unit(k)
        found = self.base.get(base)
        if found is None and self.months:
            month = month_of(base)
            found = self.months.get(month) if month else None
            if found is not None:
                return found, SCALES.get(unit, 1.0) if unit else 1.0
        if found is None or unit is None:
            return None, 1.0
        return found, SCALES.get(unit, 1.0) if found in self.money else 1.0


def row_texts(top: list[str], bottom: list[str]) -> list[tuple[str, ...]]:
    """Each column's candidate headers when rows ``top`` and ``bottom`` form one two-row header, best first:
    upper + lower text, the upper text carried right across blank cells (a merged group header) + lower, the
    lower alone, the upper alone."""
    out: list[tuple[str, ...]] = []
    carry = ""
    for upper, lower in zip(top, bottom):
        carry = upper or carry
        cands = [f"{upper}{lower}" if upper and lower else "", f"{carry}{lower}" if carry and lower else "",
                 lower, upper]
        out.append(tuple(dict.fromkeys(c for c in cands if c)))
    return out
