"""Worksheet functions (xlwings UDFs): TK_ROYALTY, TK_COMPLETION, TK_PACING, TK_RAG, TK_AGING,
TK_WORKDAYS, TK_ROUND.

Each is a thin layer: it turns cells into arrays, calls the same core function the CLI uses
(``toolkit.core.royalties``, ``completion``, ``funds``, ``workdays``, ``toolkit.money``) once for the
whole array, and turns the result back. Any argument may be one cell or a range (a whole column gives
a spilled column; ranges broadcast like numpy, a single cell against anything). A blank input gives a
blank cell; a bad one gives a short ``#TK! ...`` text in that cell. They never raise.
Standards-backed functions read the standards workbook named by the add-in's settings
(``toolkit.excel.settings``), cached until the file changes.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import xlwings as xw

from ..money import round_series
from ..schema import MONTH_KEYS, THRESHOLD_DEFAULTS
from . import settings as S
from ..core import royalties as R, completion as C
from ..core import versions as V
from ..core.completion import RagSettings, ratio, time_progress, pacing
from ..core.funds import bucket_limits, bucket_of
from ..core.ledger import thresholds
from ..core.workdays import Calendar
from ..io.reader import read_workbook

BLANK = None
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_AMBER = "Amber Band"


class _Bad(Exception):
    """A cell's value cannot be used; the text is what the cell shows."""


def _err(text: str) -> str:
    return f"#TK! {text}"


# --- cells in, cells out ---------------------------------------------------------------------------

def _grid(value: Any) -> np.ndarray:
    """Any UDF argument as a 2-D object array (scalar -> 1x1)."""
    if isinstance(value, (list, tuple)):
        rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in value] if value else [[None]]
        if value and not isinstance(value[0], (list, tuple)):
            rows = [list(value)]  # a 1-D list is a row, as xlwings gives it
        width = max(len(r) for r in rows)
        return np.array([r + [None] * (width - len(r)) for r in rows], dtype=object)
    return np.array([[value]], dtype=object)


def _is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and math.isnan(v))


def _number(v: Any) -> float:
    if isinstance(v, bool):
        raise _Bad("not a number")
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v.strip().replace(",", "").rstrip("%")) / (100.0 if v.strip().endswith("%") else 1.0)
        except ValueError:
            pass
    raise _Bad("not a number")


def _date(v: Any) -> np.datetime64:
    if isinstance(v, dt.datetime):
        return np.datetime64(v.date(), "D")
    if isinstance(v, dt.date):
        return np.datetime64(v, "D")
    if isinstance(v, (int, float)) and not isinstance(v, bool):  # an Excel serial number
        return np.datetime64((_EXCEL_EPOCH + dt.timedelta(days=float(v))).date(), "D")
    if isinstance(v, str):
        try:
            return np.datetime64(dt.date.fromisoformat(v.strip()[:10]), "D")
        except ValueError:
            pass
    raise _Bad("not a date")


def _month(v: Any) -> pd.Period:
    """A period as a monthly Period: 'YYYY-MM', a date, or 1..12 (a month of the current year)."""
    if isinstance(v, str):
        text = v.strip()
        if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
            m = int(text[5:])
            if 1 <= m <= 12:
                return pd.Period(year=int(text[:4]), month=m, freq="M")
        raise _Bad("period is not YYYY-MM")
    if isinstance(v, (dt.date, dt.datetime)):
        return pd.Period(year=v.year, month=v.month, freq="M")
    if isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer() and 1 <= v <= 12:
        return pd.Period(year=dt.date.today().year, month=int(v), freq="M")
    raise _Bad("period is not YYYY-MM")


def _flag(v: Any) -> bool:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, float)):
        return v != 0
    text = str(v).strip().casefold()
    if text in {"true", "yes", "1", "是", "y"}:
        return True
    if text in {"false", "no", "0", "否", "n"}:
        return False
    raise _Bad("not TRUE/FALSE")


def _apply(args: list[Any], parsers: list[Callable[[Any], Any]], core: Callable[..., np.ndarray],
           optional: tuple[int, ...] = ()) -> Any:
    """Parse each argument cell by cell, call ``core`` once on the valid cells, rebuild the grid."""
    try:
        grids = np.broadcast_arrays(*[_grid(a) for a in args])
    except ValueError:
        return _err("ranges differ in size")
    shape = grids[0].shape
    out = np.full(shape, BLANK, dtype=object)
    parsed: list[list[Any]] = [[] for _ in args]
    where: list[tuple[int, int]] = []
    for idx in np.ndindex(shape):
        cells = [g[idx] for g in grids]
        if any(_is_blank(c) for i, c in enumerate(cells) if i not in optional):
            continue
        try:
            values = [None if (i in optional and _is_blank(c)) else parsers[i](c) for i, c in enumerate(cells)]
        except _Bad as exc:
            out[idx] = _err(str(exc))
            continue
        for i, v in enumerate(values):
            parsed[i].append(v)
        where.append(idx)
    if where:
        try:
            result = core(*[np.array(p, dtype=object) for p in parsed])
        except _Bad as exc:
            result = [_err(str(exc))] * len(where)
        for idx, value in zip(where, result):
            out[idx] = _cell(value)
    if shape == (1, 1):
        return out[0, 0]
    return out.tolist()


def _cell(value: Any) -> Any:
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, (float, np.floating)) and math.isnan(value):
        return BLANK
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


def _floats(a: np.ndarray) -> np.ndarray:
    return a.astype("float64")


# --- the standards workbook -----------------------------------------------------------------------

def _standards_path() -> str:
    path = S.load_settings().standards
    if not path:
        raise _Bad("no standards workbook in the settings")
    if not os.path.isfile(path):
        raise _Bad("standards workbook not found")
    return path


@lru_cache(maxsize=4)
def _read_standards(path: str, mtime: float) -> Any:
    from ..operations.source import Source  # the reader is heavy: only a cell asking for the standards needs it

    return Source(standards=path).read_standards()


def standards() -> Any:
    """The standards ``WorkbookData`` named by the settings (re-read when the file changes)."""
    path = _standards_path()
    try:
        return _read_standards(path, os.path.getmtime(path))
    except Exception as exc:  # noqa: BLE001 - a cell shows a short text, never a traceback
        raise _Bad("standards workbook unreadable") from exc


def threshold_values() -> dict[str, float]:
    """The standards' Thresholds by canonical name over the schema defaults (defaults alone without a file)."""
    try:
        return thresholds(standards())
    except _Bad:
        return dict(THRESHOLD_DEFAULTS)


def amber_band() -> float:
    """Amber band in percentage points: the standards' Thresholds, else the schema default."""
    return threshold_values()[_AMBER]


def rag_settings() -> Any:
    """The RAG basis, time-progress mode and amber band of the standards (``core.completion.RagSettings``)."""
    return RagSettings.from_thresholds(threshold_values())


def _calendar() -> Any:
    try:
        data = standards()
    except _Bad:
        return Calendar()
    return Calendar.from_table(data.tables.get("Holidays"))


# --- the core calls, vectorised ------------------------------------------------------------------

def royalty_tiers(base: np.ndarray, target: np.ndarray, plan: np.ndarray) -> list[Any]:
    """T(B) of each row's plan (gate and tiers from the standards), exactly as ``core.royalties`` evaluates
    it for a YTD base B and target Y, before product-line factors and the annual cap."""
    data = standards()
    plans, tiers = data.tables["RoyaltyPlans"], data.tables["RoyaltyTiers"]
    # the latest version of each plan and its tiers (Valid From; docs/people.md): what applies from now on
    plans = V.rows_in_force(plans, plans["plan"], 9999, 12)
    tiers = V.rows_in_force(tiers, tiers["plan"], 9999, 12)
    n = len(base)
    ids = [f"udf{i}" for i in range(n)]
    roster = pd.DataFrame({"employee_id": ids, "name": ids, "department": "", "royalty_plan": [str(p) for p in plan]})
    staff = R.staff_plans(roster, plans, tiers, [])
    if staff.empty:
        return [_err("unknown plan")] * n
    staff = staff.drop(columns=["annual_cap"]).assign(annual_cap=np.nan)  # T(B) only: no cap
    b = _floats(base)
    contrib = pd.DataFrame({"employee_id": ids, "credited": b, "weighted": b})
    plan_rows = pd.DataFrame({"employee_id": ids, "indicator": staff.set_index("employee_id")["basis"]
                              .reindex(ids).map(R.BASIS_INDICATOR).to_numpy()})
    for i, key in enumerate(MONTH_KEYS):
        plan_rows[key] = _floats(target) if i == 0 else 0.0
    lines, _ = R.evaluate(staff, contrib[contrib["employee_id"].isin(staff["employee_id"])], plan_rows, tiers, 1)
    amount = lines.set_index("employee_id")["ytd_royalty_exact"].reindex(ids)
    rounded = round_series(amount)
    return [_err("unknown plan") if pd.isna(a) else float(r) for a, r in zip(amount, rounded)]


def completion_of(actual: np.ndarray, target: np.ndarray) -> np.ndarray:
    """actual ÷ target, blank where the target is 0 (``core.completion``'s ratio)."""
    return ratio(pd.Series(_floats(actual)), pd.Series(_floats(target))).to_numpy()


def _progress(periods: np.ndarray, by_days: bool) -> np.ndarray:
    """Time progress of each period (``core.completion.time_progress``)."""
    return np.array([time_progress(p, by_days) for p in periods], dtype="float64")


def pacing_of(comp: np.ndarray, period: np.ndarray) -> np.ndarray:
    """Annual completion ÷ time progress (month ÷ 12, or by days when the standards say so)."""
    return pacing(pd.Series(_floats(comp)), pd.Series(_progress(period, rag_settings().by_days))).to_numpy()


def rag_of(comp: np.ndarray, period: np.ndarray, lower_is_better: np.ndarray) -> np.ndarray:
    """green / amber / red exactly as ``core.completion`` rates a completion in that period: on the default
    basis a plan-to-date completion against 100%; on the time-progress basis an annual completion against
    the period's time progress."""
    settings = rag_settings()
    lower = pd.Series([bool(x) for x in lower_is_better])
    reference = pd.Series(_progress(period, settings.by_days) if settings.basis == C.TIME_PROGRESS
                          else np.ones(len(comp)))
    return C.rag(pd.Series(_floats(comp)), reference, settings.amber_band, lower).to_numpy()


def aging_of(due: np.ndarray, as_of: np.ndarray) -> np.ndarray:
    """Aging bucket of a due date at ``as_of`` (``core.funds.bucket_of``, the standards' buckets)."""
    days = (as_of.astype("datetime64[D]") - due.astype("datetime64[D]")).astype("int64")
    return bucket_of(pd.Series(days), bucket_limits(threshold_values())).to_numpy()


def workdays_of(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Working days from start to end inclusive, honouring the standards' Holidays (``core.workdays``)."""
    return _calendar().working_days(start.astype("datetime64[D]"), end.astype("datetime64[D]"))


def round_excel(x: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """Excel's ROUND, half away from zero (``toolkit.money``), per distinct digit count."""
    out = np.empty(len(x), dtype="float64")
    d = digits.astype("float64")
    if not np.all(d == np.floor(d)):
        raise _Bad("digits must be a whole number")
    for k in np.unique(d):
        sel = d == k
        out[sel] = round_series(pd.Series(_floats(x[sel])), int(k)).to_numpy()
    return out


# --- the worksheet functions -----------------------------------------------------------------------

def _guard(call: Callable[[], Any]) -> Any:
    """Run a UDF body; whatever goes wrong becomes a short text in the cell."""
    try:
        return call()
    except _Bad as exc:
        return _err(str(exc))
    except Exception as exc:  # noqa: BLE001 - a UDF never raises into Excel
        return _err(type(exc).__name__)


@xw.func
@xw.arg("base", ndim=2)
@xw.arg("target", ndim=2)
@xw.arg("plan", ndim=2)
def TK_ROYALTY(base: Any, target: Any, plan: Any) -> Any:
    """Royalty T(B) for YTD base and YTD target under the named plan of the standards workbook."""
    return _guard(lambda: _apply([base, target, plan], [_number, _number, lambda v: str(v).strip()], royalty_tiers))


@xw.func
@xw.arg("actual", ndim=2)
@xw.arg("target", ndim=2)
def TK_COMPLETION(actual: Any, target: Any) -> Any:
    """Completion = actual ÷ target; blank when the target is 0."""
    return _guard(lambda: _apply([actual, target], [_number, _number], completion_of))


@xw.func
@xw.arg("completion", ndim=2)
@xw.arg("period", ndim=2)
def TK_PACING(completion: Any, period: Any) -> Any:
    """Pacing = annual completion (YTD actual ÷ annual target) ÷ time progress of the period (YYYY-MM, a date
    or a month number)."""
    return _guard(lambda: _apply([completion, period], [_number, _month], pacing_of))


@xw.func
@xw.arg("completion", ndim=2)
@xw.arg("period", ndim=2)
@xw.arg("lower_is_better", ndim=2)
def TK_RAG(completion: Any, period: Any, lower_is_better: Any = False) -> Any:
    """green / amber / red: by default a plan-to-date completion against 100%; when the standards' Thresholds
    set RAG vs Time Progress, an annual completion against the period's time progress. TRUE for Expense."""
    return _guard(lambda: _apply([completion, period, lower_is_better], [_number, _month, _flag],
                  lambda c, m, low: rag_of(c, m, np.array([bool(x) for x in low])), optional=(2,)))


@xw.func
@xw.arg("due_date", ndim=2)
@xw.arg("as_of", ndim=2)
def TK_AGING(due_date: Any, as_of: Any) -> Any:
    """Aging bucket (not_due, 1-30, 31-60, 61-90, 91-180, 181-365, over_365 by default; the standards'
    Aging Bucket thresholds) of a due date at the as-of date."""
    return _guard(lambda: _apply([due_date, as_of], [_date, _date], aging_of))


@xw.func
@xw.arg("start", ndim=2)
@xw.arg("end", ndim=2)
def TK_WORKDAYS(start: Any, end: Any) -> Any:
    """Working days from start to end, both included, honouring the standards' holidays and make-up days."""
    return _guard(lambda: _apply([start, end], [_date, _date], workdays_of))


@xw.func
@xw.arg("x", ndim=2)
@xw.arg("digits", ndim=2)
def TK_ROUND(x: Any, digits: Any = 2) -> Any:
    """Excel's ROUND: half away from zero on the number's shortest decimal form (2.675 -> 2.68)."""
    return _guard(lambda: _apply([x, 2 if _is_blank(digits) else digits], [_number, _number], round_excel))


UDFS = (TK_ROYALTY, TK_COMPLETION, TK_PACING, TK_RAG, TK_AGING, TK_WORKDAYS, TK_ROUND)
