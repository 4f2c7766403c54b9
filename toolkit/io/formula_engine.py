"""Compute formulas saved without their values (files written by scripts, never opened in Excel) — issue 14.

Only files that have such cells in the sheets being read pay for it: the ``formulas`` library (a maintained
Excel formula engine) loads the workbook and calculates just the cells asked for. A cell it cannot compute
(an unsupported function, an error result, a circular reference) is left for the ``formula-no-value`` error;
the cells it computes are listed in a ``formula-evaluated`` info finding. Measured on a department workbook
(43,500 cells, bench/validate_bench.py): see README "Performance".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
from pathlib import Path
from typing import Any

from . import xlsx_scan

_PLAIN = (str, float, int, bool)


def _result(value: Any) -> Any:
    """A computed value as the reader's cells hold it, or None when it is no plain value (an error, an array)."""
    try:
        import numpy as np

        if isinstance(value, np.ndarray):
            if value.size != 1:
                return None
            value = value.reshape(-1)[0]
        if isinstance(value, np.generic):
            value = value.item()
    except ImportError:  # pragma: no cover - numpy is a dependency
        pass
    if isinstance(value, (dt.date, dt.datetime)):
        return value
    # exact types: the engine's errors (#NAME?, #VALUE! …) are a str subclass and must not pass as text
    return value if type(value) in _PLAIN and value == value else None


def evaluate(path: str | os.PathLike[str], cells: dict[str, list[tuple[int, int]]]) -> dict[str, dict[tuple[int, int], Any]]:
    """Values of ``cells`` (sheet name -> 0-based (row, column) cells) computed from the workbook's formulas; cells
    that cannot be computed are left out. Without the ``formulas`` library nothing is computed."""
    try:
        import formulas
    except ImportError:
        return {}
    name = Path(path).name
    wanted = {f"'[{name}]{sheet.upper()}'!{xlsx_scan.column_letter(c)}{r + 1}": (sheet, (r, c))
              for sheet, refs in cells.items() for r, c in refs}
    out: dict[str, dict[tuple[int, int], Any]] = {}
    sink = io.StringIO()
    try:
        with contextlib.redirect_stderr(sink), contextlib.redirect_stdout(sink):
            model = formulas.ExcelModel().loads(str(path)).finish()
            solution = model.calculate(outputs=list(wanted))
    except Exception:  # noqa: BLE001 - the engine failing leaves every cell to the formula-no-value error
        return {}
    for ref, ranges in solution.items():
        hit = wanted.get(ref)
        if hit is None:
            continue
        value = _result(getattr(ranges, "value", ranges))
        if value is not None:
            out.setdefault(hit[0], {})[hit[1]] = value
    return out
