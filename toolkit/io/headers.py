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


class HeaderMatcher:
    """Header text → (column key, scale) for one table; scale is 1.0 unless a money unit says otherwise."""

    def __init__(self, table: Table) -> None:
        self.exact = table.header_lookup()
        self.base: dict[str, str] = {}
        for key_text, key in self.exact.items():
            self.base.setdefault(split_unit(key_text)[0], key)
        self.money = {c.key for c in table.columns if c.type is ColType.MONEY}

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
