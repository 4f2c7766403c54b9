"""Compute formulas saved without their values (files written by scripts, never opened in Excel) — issue 14.

Only files that have such cells in the sheets being read pay for it. Each such formula is compiled on its own by
the ``formulas`` library (a maintained Excel formula engine) and fed the values the reader already has for the
cells it refers to (a formula referring to another formula without a value waits for that one). No workbook model
is built, so the cost is the engine's one-off start (about 1 s) plus a few milliseconds per formula.

The work is bounded by counts, never by the clock, so a file gives the same findings on a quiet and on a busy
machine (issue 21): at most ``MAX_FORMULAS`` formulas per file, and at most ``MAX_STEPS`` steps, a step being one
attempt at a formula or one cell fed to it (a ``SUM(A1:A1000)`` costs 1,001). A cell it cannot compute — an
unsupported function (WEBSERVICE …), an error result, a reference to a sheet not read, a shared formula written
without its text, one left when a bound is reached — is left for the ``formula-no-value`` error; the computed
cells are listed in a ``formula-evaluated`` info finding, and a bound reached is said by ``Evaluation.limit``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import re
from dataclasses import dataclass, field
from typing import Any
import numpy as np

from . import xlsx_scan

_PLAIN = (str, float, int, bool)
#: At most this many formulas are computed per file (the rest stay errors); about 1.5 s of work.
MAX_FORMULAS = 500
#: At most this many steps per file: one per attempt at a formula plus one per cell it is fed (a few seconds).
MAX_STEPS = 1_000_000
_REF = re.compile(r"^(?:'?(?P<sheet>(?:[^'!]|'')+)'?!)?\$?(?P<c1>[A-Z]{1,3})\$?(?P<r1>\d+)"
                  r"(?::\$?(?P<c2>[A-Z]{1,3})\$?(?P<r2>\d+))?$")
_EPOCH = dt.datetime(1899, 12, 30)


def _result(value: Any) -> Any:
    """A computed value as the reader's cells hold it, or None when it is no plain value (an error, an array)."""
    if isinstance(value, np.ndarray):
        if value.size != 1:
            return None
        value = value.reshape(-1)[0]
    if isinstance(value, np.generic):
        value = value.item()
    # exact types: the engine's errors (#NAME?, #VALUE! …) are a str subclass and must not pass as text
    return value if type(value) in _PLAIN and value == value else None


def _operand(value: Any, empty: Any) -> Any:
    """A cell value as the engine takes it: blanks as its EMPTY, dates as serial numbers (1900 system)."""
    if value is None or value == "":
        return empty
    if isinstance(value, dt.datetime):
        return (value - _EPOCH).total_seconds() / 86400
    if isinstance(value, dt.date):
        return float((value - _EPOCH.date()).days)
    return value


@dataclass
class Evaluation:
    """What ``evaluate`` computed, and which bound (if any) left cells uncomputed."""

    values: dict[str, dict[tuple[int, int], Any]] = field(default_factory=dict)
    limit: str | None = None  # "formulas" (MAX_FORMULAS) or "steps" (MAX_STEPS) when a bound was reached
    left: int = 0  # formula cells left uncomputed because of that bound


def evaluate(texts: dict[str, dict[tuple[int, int], str | None]],
             rows: dict[str, list[list[Any]]]) -> Evaluation:
    """Values of the formulas ``texts`` (sheet -> 0-based (row, column) -> formula text, None when the file holds
    none) computed from the sheets' values ``rows``; the cells that cannot be computed are left out."""
    try:
        import numpy as np  # guarded with the formula engine below: without it formulas stay uncomputed
        import schedula  # deferred, guarded: the formula engine is slow to import; only formulas saved without values need it
        from formulas import Parser  # deferred, guarded: the formula engine is slow to import; only formulas saved without values need it
    except ImportError:
        return Evaluation()
    cells = sorted((sheet, rc, text) for sheet, found in texts.items() for rc, text in found.items() if text)
    out = Evaluation()
    if len(cells) > MAX_FORMULAS:
        out.limit, out.left = "formulas", len(cells) - MAX_FORMULAS
    pending = {(sheet, rc): text for sheet, rc, text in cells[:MAX_FORMULAS]}
    done = out.values
    compiled: dict[tuple[str, tuple[int, int]], Any] = {}
    quiet = logging.getLogger("schedula")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    sink = io.StringIO()
    steps = 0
    try:
        with contextlib.redirect_stderr(sink), contextlib.redirect_stdout(sink):
            if pending:
                Parser().ast("=1+1")[1].compile()()  # the engine's one-off start
            progress = True
            while pending and progress:
                progress = False
                for (sheet, rc), text in list(pending.items()):
                    try:
                        fn = compiled.get((sheet, rc)) or Parser().ast("=" + text.lstrip("="))[1].compile()
                        compiled[(sheet, rc)] = fn
                        cost = 1 + sum(_size(ref) for ref in fn.inputs)
                    except Exception:  # noqa: BLE001 - a formula the engine cannot read: the cell stays an error
                        del pending[(sheet, rc)]
                        continue
                    if steps + cost > MAX_STEPS:
                        out.limit, out.left = "steps", out.left + len(pending)
                        return out
                    steps += cost
                    try:
                        args = [_inputs(ref, sheet, rows, texts, done, schedula.EMPTY, np) for ref in fn.inputs]
                    except _Waiting:
                        continue
                    except Exception:  # noqa: BLE001 - a reference the engine cannot be fed: the cell stays an error
                        del pending[(sheet, rc)]
                        continue
                    del pending[(sheet, rc)]
                    progress = True
                    try:
                        value = _result(fn(*args))
                    except Exception:  # noqa: BLE001 - unsupported function or an error: the cell stays an error
                        value = None
                    if value is not None:
                        done.setdefault(sheet, {})[rc] = value
    finally:
        quiet.setLevel(level)
    return out


def _size(ref: str) -> int:
    """Cells a reference feeds the formula (1 for a cell, a name or anything unreadable)."""
    m = _REF.match(ref.upper())
    if not m or not m.group("c2"):
        return 1
    rows = abs(int(m.group("r2")) - int(m.group("r1"))) + 1
    cols = abs(xlsx_scan.column_index(m.group("c2")) - xlsx_scan.column_index(m.group("c1"))) + 1
    return rows * cols


class _Waiting(Exception):
    """A referenced formula has no value yet: try this cell again after the others."""


class _Unknown(Exception):
    """A reference the engine cannot be fed (another sheet than those read, a name)."""


def _inputs(ref: str, sheet: str, rows: dict[str, list[list[Any]]], texts: dict, done: dict, empty: Any,
            np: Any) -> Any:
    """The value (or 2-D array) of one reference of a formula on ``sheet``."""
    m = _REF.match(ref.upper())
    if not m:
        raise _Unknown(ref)
    target = sheet
    if m.group("sheet"):
        wanted = m.group("sheet").replace("''", "'")
        target = next((s for s in rows if s.upper() == wanted), None)
        if target is None:
            raise _Unknown(ref)
    r1, c1 = int(m.group("r1")) - 1, xlsx_scan.column_index(m.group("c1"))
    r2, c2 = (int(m.group("r2")) - 1, xlsx_scan.column_index(m.group("c2"))) if m.group("c2") else (r1, c1)
    grid, missing, computed = rows[target], texts.get(target, {}), done.get(target, {})

    def cell(r: int, c: int) -> Any:
        if (r, c) in computed:
            return computed[(r, c)]
        if (r, c) in missing:
            raise _Waiting(ref)
        return _operand(grid[r][c] if r < len(grid) and c < len(grid[r]) else None, empty)

    if (r1, c1) == (r2, c2) and not m.group("c2"):
        return cell(r1, c1)
    out = np.empty((r2 - r1 + 1, c2 - c1 + 1), dtype=object)
    for i, r in enumerate(range(r1, r2 + 1)):
        for j, c in enumerate(range(c1, c2 + 1)):
            out[i, j] = cell(r, c)
    return out
