"""One department key per workbook: the Info sheet's Department matched against the Roster's departments.

The rule (issue 14, docs/reading.md "Department names"), in order:

1. the name as written is a Roster department → that name;
2. equal once compared loosely — NFKC (full-width folded), case-folded, all spaces removed → the Roster's
   spelling, with a ``department-near-miss`` warning;
3. equal once a common unit suffix is set aside on both sides (区/大区/片区/部/事业部/办事处/分公司/营销部/销售部,
   Region/Office/Dept/Department/Branch/Area) and exactly one Roster department matches → the Roster's spelling,
   with a ``department-near-miss`` warning ("华南区" is read as "华南");
4. the Roster's name when the name as written is a department's name in the other language (the Roster's
   optional ``Department (other language)`` column: "South China" for 华南), with a ``department-other-name``
   info (issue 22);
5. otherwise the name as written, with an ``unknown-department`` **error** naming the closest Roster department by
   meaning (a region word and its translation: South China ~ 华南, East ~ 东) before spelling (difflib ratio ≥ 0.6).

Without a Roster (no standards workbook) or without a name the name is used as written. The department
ledger loader and the consolidation call ``department_key`` so that every output uses the same key.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

_SUFFIX = re.compile(r"(大区|片区|事业部|办事处|分公司|营销部|销售部|区|部|region|office|dept\.?|department|branch|area)$")


#: Region words and their translations: the closest Roster department "by meaning" (issue 22).
_MEANING = (("华南", "southchina"), ("华东", "eastchina"), ("华北", "northchina"), ("华中", "centralchina"),
            ("西南", "southwest"), ("西北", "northwest"), ("东北", "northeast"), ("东南", "southeast"),
            ("总部", "headquarters"), ("总部", "hq"), ("海外", "overseas"), ("国际", "international"),
            ("南", "south"), ("北", "north"), ("东", "east"), ("西", "west"), ("中", "central"))


class DepartmentNames(list):
    """The Roster's departments (a list of names) with ``aliases``: another name -> the Roster's name."""

    def __init__(self, names: Iterable[str] = (), aliases: Mapping[str, str] | None = None) -> None:
        super().__init__(names)
        self.aliases = dict(aliases or {})


def department_aliases(roster: pd.DataFrame | None) -> dict[str, str]:
    """The Roster's ``Department (other language)`` names -> the department's Roster name."""
    if roster is None or "department_other" not in roster.columns or not len(roster):
        return {}
    pairs = zip(roster["department"].tolist(), roster["department_other"].tolist())  # lists: the Roster is small
    return {str(o).strip(): str(d).strip() for d, o in pairs
            if _given(d) and _given(o) and str(o).strip() and str(d).strip()}


def _given(value: object) -> bool:
    """Not a blank cell (what ``dropna`` keeps)."""
    return isinstance(value, str) or not pd.isna(value)


def departments_of(roster: pd.DataFrame | None) -> DepartmentNames:
    """The departments a Roster names, with their other-language names."""
    if roster is None or not len(roster) or "department" not in roster.columns:
        return DepartmentNames()
    return DepartmentNames([str(d) for d in roster["department"].dropna().unique()], department_aliases(roster))


def _meaning(name: str) -> str:
    """A department name with its region words translated to English (``华南区`` -> ``southchina``)."""
    text = _core(name)
    for zh, en in _MEANING:
        text = text.replace(zh, en)
    return text


@dataclass(frozen=True)
class DepartmentMatch:
    """The department key of a workbook and how it was found (``exact``, ``near``, ``unknown`` or ``none``)."""

    key: str | None
    how: str
    closest: str | None = None  # the Roster department a near miss or an unknown name is closest to


def _loose(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _core(name: str) -> str:
    loose = _loose(name)
    stripped = _SUFFIX.sub("", loose)
    return stripped or loose


def department_key(name: object, roster_departments: Iterable[object]) -> DepartmentMatch:
    """The one key a department workbook's rows carry in every output (see the module docstring for the rule)."""
    if name is None or str(name).strip() == "":
        return DepartmentMatch(None, "none")
    written = str(name).strip()
    aliases = getattr(roster_departments, "aliases", {})
    known = list(dict.fromkeys(str(d).strip() for d in roster_departments if d is not None and str(d).strip()))
    if not known or written in known:
        return DepartmentMatch(written, "exact" if known else "none")
    loose = [d for d in known if _loose(d) == _loose(written)]
    if len(loose) == 1:
        return DepartmentMatch(loose[0], "near", loose[0])
    core = [d for d in known if _core(d) == _core(written)]
    if len(core) == 1:
        return DepartmentMatch(core[0], "near", core[0])
    other = {aliases[a] for a in aliases if _loose(a) == _loose(written) or _core(a) == _core(written)}
    if len(other) == 1:
        (name,) = other
        return DepartmentMatch(name, "other-name", name)
    by_meaning = [d for d in known if _meaning(d) == _meaning(written)]
    if len(by_meaning) == 1:
        return DepartmentMatch(written, "unknown", by_meaning[0])
    closest = difflib.get_close_matches(_meaning(written), [_meaning(d) for d in known], n=1, cutoff=0.6)
    hint = next((d for d in known if closest and _meaning(d) == closest[0]), None)
    return DepartmentMatch(written, "unknown", hint)
