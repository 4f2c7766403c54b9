"""Which departments a computation covers: employees of Roster departments absent from the ledger are
"not computed: department not consolidated" — never paid as zero (DOMAIN.md, Floating salary; issue 12).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import pandas as pd

#: ``status`` of a pay line: computed, or left out because its department is not in the ledger.
COMPUTED, NOT_COMPUTED = "computed", "not-computed"
#: The ``reason`` given with ``NOT_COMPUTED``.
NOT_CONSOLIDATED = "department-not-consolidated"


def ledger_departments(tables: Mapping[str, pd.DataFrame]) -> set[str]:
    """Every department with a row in any of the ledger's stacked department tables."""
    out: set[str] = set()
    for frame in tables.values():
        if "department" in frame.columns and len(frame):
            out.update(str(d) for d in frame["department"].dropna().unique())
    return out


def coverage_status(departments: pd.Series, covered: Collection[str] | None, employees: pd.Series | None = None,
                    absent_people: Collection[str] = ()) -> pd.Series:
    """``COMPUTED`` or ``NOT_COMPUTED`` per line: a line whose (known) department is not ``covered``
    is not computed; ``covered=None`` means every department is, and a blank department always is.
    ``absent_people``: employees (``employees`` gives each line's) with rows in a department not consolidated
    (a transfer from it): not computed either, never computed from part of their rows."""
    if covered is None and not absent_people:
        return pd.Series(COMPUTED, index=departments.index, dtype=object)
    known = departments.notna() & (departments.astype(object).astype(str).str.strip() != "")
    missing = known & ~departments.astype(object).isin(set(covered)) if covered is not None else known & False
    if employees is not None and absent_people:
        missing = missing | employees.astype(object).isin(set(absent_people)).to_numpy(dtype=bool)
    return pd.Series(np.where(missing.to_numpy(dtype=bool), NOT_COMPUTED, COMPUTED), index=departments.index,
                     dtype=object)


def left_out_departments(ledger: "Any") -> list[str]:
    """Roster departments with no row in ``ledger``: not computed (never shown as zero, never in a total)."""
    roster = ledger.standard("Roster")
    if roster.empty or "department" not in roster.columns:
        return []
    covered = ledger_departments(ledger.tables)
    named = {str(d).strip() for d in roster["department"].dropna()} - {""}
    return sorted(named - covered)
