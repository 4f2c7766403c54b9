"""The one key normaliser: what validation accepts as "the same employee / contract / plan / product line /
department / city" is exactly what every join of the computations finds (issue 22).

``key_form(value)`` is the form two keys are compared in: NFKC (full-width letters and digits folded), zero-width
characters and every space removed, case-folded, and a number written as ``1002.0`` (or the float 1002.0) read as
``1002``. Validation accepts a key when its form is the form of a key in its master list (the Roster's IDs, the
Royalty Plans, the Product Lines, the Cities, the Roster's departments, the Contracts sheet's numbers) and reports an
error at the cell otherwise. ``canonical_tables`` rewrites every key column of the stacked department tables and of
the standards to the master's spelling, so the computations' plain ``merge``/``map``/``isin`` on those columns find
every key validation accepted — never a row silently dropped or a factor silently defaulted.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..schema import DEPARTMENT

#: Characters people paste without seeing them (zero-width space/joiners, word joiner, BOM, soft hyphen).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
_WHOLE = re.compile(r"^([+-]?\d+)\.0+$")


def key_form(value: object) -> str | None:
    """The form keys are compared in (see the module docstring); None for a blank."""
    if type(value) is str:  # the usual key: its form remembered (validation and the joins ask for the same keys)
        return _text_form(value)
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return None
        if float(value).is_integer() and abs(value) < 2**53:
            value = int(value)
    return _text_form(str(value))


@functools.lru_cache(maxsize=1 << 16)
def _text_form(value: str) -> str | None:
    """``key_form`` of a text: a pure function of it, so remembered for the last 65,536 distinct keys."""
    text = unicodedata.normalize("NFKC", value).translate(_INVISIBLE)
    text = "".join(text.split())
    if text.endswith("0") and "." in text:
        text = _WHOLE.sub(r"\1", text)
    return text.casefold() or None


@dataclass(frozen=True)
class KeyDomain:
    """One kind of key: where its master list is (``(workbook, table, column)``, ``workbook`` = ``department`` or
    ``standards``) and which columns refer to it."""

    name: str
    master: tuple[str, str, str]
    refs: tuple[tuple[str, str, str], ...]


def _refs(keys: tuple[str, ...], skip: tuple[str, str] | None = None) -> tuple[tuple[str, str, str], ...]:
    """Every department-workbook column whose key is one of ``keys`` (from the schema, so new sheets join too)."""
    return tuple(("department", t.key, c.key) for t in DEPARTMENT.tables for c in t.columns
                 if c.key in keys and (t.key, c.key) != skip)


#: Every key the computations join on (``tests/test_keys.py`` checks each join against validation).
DOMAINS = (
    KeyDomain("employee", ("standards", "Roster", "employee_id"), _refs(("employee_id", "split_employee_id"))),
    KeyDomain("contract", ("department", "Contracts", "contract_no"), _refs(("contract_no",), ("Contracts", "contract_no"))),
    KeyDomain("plan", ("standards", "RoyaltyPlans", "plan"),
              (("standards", "Roster", "royalty_plan"), ("standards", "RoyaltyTiers", "plan"))),
    KeyDomain("product_line", ("standards", "ProductLines", "product_line"), _refs(("product_line",))),
    KeyDomain("department", ("standards", "Roster", "department"), ()),
    KeyDomain("city", ("standards", "Cities", "city"), _refs(("city",))),
)


def master_map(values: Iterable[object]) -> dict[str, str]:
    """``key_form`` -> the master's spelling (the first one written, when two spellings share a form)."""
    out: dict[str, str] = {}
    for v in values:
        form = key_form(v)
        if form is not None and form not in out:
            out[form] = str(v).strip()
    return out


def canonical(series: pd.Series, masters: Mapping[str, str]) -> pd.Series:
    """``series`` with every value whose ``key_form`` is a master's form replaced by the master's spelling (once
    per distinct value); other values stay as written (validation reports them at their cells)."""
    if not len(series) or not masters:
        return series
    # The usual column needs no change: seen on its distinct values as a set, without factorizing (a text
    # already its master's spelling or without a master, or a blank); any other value takes the code below.
    if all(masters.get(key_form(u), u) == u if type(u) is str else key_form(u) is None for u in set(series.tolist())):
        return series
    return _respelled(series, masters)


def _respelled(series: pd.Series, masters: Mapping[str, str]) -> pd.Series:
    """``canonical`` on the factorized column (the reference: the same object when no value changes)."""
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    mapped = [masters.get(key_form(u), u) for u in uniques.tolist()]
    if all(m is u or m == u for m, u in zip(mapped, uniques.tolist())):
        return series
    table = np.array(mapped + [None], dtype=object)
    out = pd.Series(table[codes], index=series.index, name=series.name)
    return out.astype(series.dtype) if isinstance(series.dtype, pd.StringDtype) else out.astype("str")


def _frame(department: Mapping[str, pd.DataFrame], standards: Mapping[str, pd.DataFrame],
           where: tuple[str, str, str]) -> pd.DataFrame | None:
    book, table, column = where
    frame = (department if book == "department" else standards).get(table)
    return frame if frame is not None and column in frame.columns else None


def canonical_tables(department: dict[str, pd.DataFrame], standards: dict[str, pd.DataFrame],
                     aliases: Mapping[str, str] | None = None) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """New table dicts (frames copied only where a key changes) with every key column of ``DOMAINS`` written in
    its master's spelling; the stacked ``department`` column too, with ``aliases`` (a department's other name ->
    its Roster name)."""
    department, standards = dict(department), dict(standards)
    for domain in DOMAINS:
        master = _frame(department, standards, domain.master)
        if master is None or not len(master):
            continue
        masters = master_map(master[domain.master[2]].tolist())  # blanks have no form: skipped there
        targets = [domain.master, *domain.refs]
        if domain.name == "department":
            masters = {**{key_form(a): d for a, d in (aliases or {}).items() if key_form(a)}, **masters}
            targets += [("department", t, "department") for t in department]
        for where in targets:
            frame = _frame(department, standards, where)
            if frame is None or not len(frame):
                continue
            column = frame[where[2]]
            fixed = canonical(column, masters)
            if fixed is not column:
                book = department if where[0] == "department" else standards
                book[where[1]] = frame.assign(**{where[2]: fixed})
    return department, standards
