"""One department key per workbook: the Info sheet's Department matched against the Roster's departments.

The rule (issue 14, docs/reading.md "Department names"), in order:

1. the name as written is a Roster department → that name;
2. equal once compared loosely — NFKC (full-width folded), case-folded, all spaces removed → the Roster's
   spelling, with a ``department-near-miss`` warning;
3. equal once a common unit suffix is set aside on both sides (区/大区/片区/部/事业部/办事处/分公司/营销部/销售部,
   Region/Office/Dept/Department/Branch/Area) and exactly one Roster department matches → the Roster's spelling,
   with a ``department-near-miss`` warning ("华南区" is read as "华南");
4. otherwise the name as written, with an ``unknown-department`` warning naming the closest Roster department
   when one is similar (difflib ratio ≥ 0.6).

Without a Roster (no standards workbook) or without a name the name is used as written. The department
ledger loader and the consolidation call ``department_key`` so that every output uses the same key.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_SUFFIX = re.compile(r"(大区|片区|事业部|办事处|分公司|营销部|销售部|区|部|region|office|dept\.?|department|branch|area)$")


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
    known = list(dict.fromkeys(str(d).strip() for d in roster_departments if d is not None and str(d).strip()))
    if not known or written in known:
        return DepartmentMatch(written, "exact" if known else "none")
    loose = [d for d in known if _loose(d) == _loose(written)]
    if len(loose) == 1:
        return DepartmentMatch(loose[0], "near", loose[0])
    core = [d for d in known if _core(d) == _core(written)]
    if len(core) == 1:
        return DepartmentMatch(core[0], "near", core[0])
    closest = difflib.get_close_matches(_loose(written), [_loose(d) for d in known], n=1, cutoff=0.6)
    hint = next((d for d in known if closest and _loose(d) == closest[0]), None)
    return DepartmentMatch(written, "unknown", hint)
