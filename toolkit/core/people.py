"""People over time (DOMAIN.md, "People and standards over time"; docs/people.md): who is employed in a month.

The Roster's optional Start Date and Leave Date are both days worked. For month m a person is employed for
the working days (``toolkit.core.workdays``: weekends and holidays off, make-up workdays on) from
max(start, m's first day) to min(leave, m's last day); their share of the month is those days ÷ the month's
working days: 1 in a month fully worked, 0 before the start month and after the leave month. Floating pay
is prorated by that share; royalty on receipts dated after the leave date is not earned unless the
Thresholds option ``Pay Leavers On Later Receipts`` is 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.arrays import PeriodArray

from ..schema import MONTH_KEYS
from ..schema import enums as E
from .tables import is_str_dtype
from .workdays import Calendar

#: The Thresholds option: receipts dated after a Leave Date still earn royalty (1) or not (0, the default).
PAY_LEAVERS_LATER = "Pay Leavers On Later Receipts"


def _ids(roster: pd.DataFrame) -> pd.Series:
    return roster["employee_id"].astype("string").str.strip()


def _dates(roster: pd.DataFrame, col: str) -> pd.Series:
    if col not in roster.columns:
        return pd.Series(pd.NaT, index=roster.index, dtype="datetime64[ns]")
    return pd.to_datetime(roster[col], errors="coerce")


def leave_dates(roster: pd.DataFrame) -> pd.Series:
    """Leave Date per employee_id (only people with one)."""
    if roster is None or not len(roster) or "leave_date" not in roster.columns:
        return pd.Series(dtype="datetime64[ns]")
    s = pd.Series(_dates(roster, "leave_date").to_numpy(), index=_ids(roster).to_numpy())
    s = s[s.notna() & s.index.notna()]
    return s[~s.index.duplicated()]


def employment(roster: pd.DataFrame, year: int, month: int, holidays: pd.DataFrame | None = None) -> pd.Series:
    """Each Roster employee's share of ``month`` employed (0..1), by working days; index employee_id."""
    if roster is None or not len(roster):
        return pd.Series(dtype="float64")
    ids = _ids(roster)
    first = pd.Timestamp(year, month, 1)
    last = first + pd.offsets.MonthEnd(0)
    start = _dates(roster, "start_date").fillna(first).clip(lower=first)
    end = _dates(roster, "leave_date").fillna(last).clip(upper=last)
    cal = Calendar.from_table(holidays)
    total = float(cal.working_days(first, last)[0])
    worked = np.nan_to_num(cal.working_days(start, end), nan=0.0)  # NaN: end before start (not employed)
    share = np.where(worked >= total, 1.0, worked / total) if total else np.where(end >= start, 1.0, 0.0)
    out = pd.Series(share, index=ids.to_numpy(), dtype="float64")
    return out[out.index.notna() & ~out.index.duplicated()]


def employed_months(roster_row: dict, year: int) -> list[int]:
    """The months of ``year`` a Roster row (dict with ``start_date``/``leave_date``) is employed in."""
    start, leave = (pd.to_datetime(roster_row.get(k), errors="coerce") for k in ("start_date", "leave_date"))
    lo = 1 if pd.isna(start) or start.year < year else (13 if start.year > year else start.month)
    hi = 12 if pd.isna(leave) or leave.year > year else (0 if leave.year < year else leave.month)
    return list(range(lo, hi + 1))


#: The Roster columns a Roster Changes row may change (a blank cell: unchanged).
CHANGED = ("department", "role", "grade", "royalty_plan", "floating_base")


def effective_month(changes: pd.DataFrame) -> pd.Series:
    """The first month (a ``Period``) each change counts for: its Effective From's month when that is the
    month's first day, else the next month; a Retroactive change counts from January of its year."""
    when = pd.to_datetime(changes["effective_from"], errors="coerce")
    retro = changes["retroactive"] if "retroactive" in changes.columns else None
    said = retro.tolist() if retro is not None and is_str_dtype(retro.dtype) else None
    if isinstance(when.dtype, np.dtype) and when.dtype.kind == "M" and (retro is None or said is not None) and \
            not any(isinstance(v, str) and v not in _YES and v.strip() in _YES for v in said or ()):
        # Dates and text as the reader types them (a Yes in spaces is left to pandas' strip): the months' ordinals
        # on numpy (Roster Changes has a few rows, and each pandas step costs a Series); ``_effective_month`` is the
        # reference.
        w = when.to_numpy()
        nat = np.isnat(w)
        month = w.astype("datetime64[M]")
        ordinal = month.astype(np.int64) + (w.astype("datetime64[D]") != month.astype("datetime64[D]"))  # day != 1
        if said is not None:
            back = np.array([v in _YES for v in said], dtype=bool)
            ordinal = np.where(back, w.astype("datetime64[Y]").astype("datetime64[M]").astype(np.int64), ordinal)
        ordinal = np.where(nat, NaT_ORDINAL, ordinal)
        return pd.Series(PeriodArray(ordinal, dtype=pd.PeriodDtype("M")), index=changes.index, name=when.name)
    return _effective_month(changes, when)


#: A Retroactive cell that says yes (either language): the schema's Yes/No labels of "Yes".
_YES = tuple(dict.fromkeys(E.YES_NO.label("Yes", lang) for lang in ("en", "zh")))
#: The ordinal pandas stores for a missing Period.
NaT_ORDINAL = np.iinfo(np.int64).min


def _effective_month(changes: pd.DataFrame, when: pd.Series) -> pd.Series:
    """``effective_month`` with pandas' column operations, for any dtypes (``when``: Effective From as dates)."""
    month = when.dt.to_period("M")
    later = when.notna() & (when.dt.day != 1)
    month = month.where(~later, month + 1)
    retro = changes["retroactive"].astype("string").str.strip().isin(list(_YES)) \
        if "retroactive" in changes.columns else pd.Series(False, index=changes.index)
    jan = when.dt.to_period("Y").dt.asfreq("M", how="start")  # January of the change's year, column-wise
    return month.where(~retro.fillna(False), jan)


def column_by_month(roster: pd.DataFrame, changes: pd.DataFrame | None, year: int, col: str) -> pd.DataFrame:
    """One Roster column as it stands in each month of ``year`` (what ``roster_at`` gives, for one column, all
    twelve months at once): employee_id, m (1..12), ``col``."""
    ids = _ids(roster)
    base = pd.DataFrame({"employee_id": ids.to_numpy(), "value": roster[col].to_numpy() if col in roster.columns
                         else None}).dropna(subset=["employee_id"]).drop_duplicates("employee_id")
    out = _by_month(base)
    if changes is None or not len(changes) or col not in changes.columns:
        return out.rename(columns={"value": col})
    ch = changes[changes[col].notna()]
    ch = ch[(ch[col].astype("string").str.strip().fillna("") != "").to_numpy()]  # a blank cell: unchanged
    at = effective_month(ch)
    ch = ch.assign(_at=at, _when=pd.to_datetime(ch["effective_from"], errors="coerce"))[at.notna().to_numpy()]
    if not len(ch):
        return out.rename(columns={"value": col})
    at_year, at_month = ch["_at"].dt.year.to_numpy(), ch["_at"].dt.month.to_numpy()
    first = np.where(at_year < year, 1, np.where(at_year > year, 13, at_month))
    ch = ch.assign(_first=first, _id=ch["employee_id"].astype("string").str.strip())
    ch = ch.sort_values(["_at", "_when"], kind="stable")
    cross = _by_month(ch[["_id", "_first", col]])
    cross = cross[cross["_first"] <= cross["m"]].drop_duplicates(["_id", "m"], keep="last")
    got = out.merge(cross.rename(columns={"_id": "employee_id"})[["employee_id", "m", col]],
                    on=["employee_id", "m"], how="left")
    got[col] = got[col].where(got[col].notna(), got["value"])
    return got.drop(columns=["value"])


def _by_month(frame: pd.DataFrame) -> pd.DataFrame:
    """Each row of ``frame`` twelve times, with ``m`` 1..12: the cross merge with the months (the same frame,
    index and dtypes; ``_cross_months`` is the reference), by one take instead of pandas' merge machinery."""
    out = frame.iloc[np.repeat(np.arange(len(frame)), 12)].reset_index(drop=True)
    out["m"] = np.tile(np.arange(1, 13), len(frame))
    return out


def _cross_months(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` cross-merged with the months 1..12 (the reference of ``_by_month``)."""
    return frame.merge(pd.DataFrame({"m": np.arange(1, 13)}), how="cross")


def roster_at(roster: pd.DataFrame, changes: pd.DataFrame | None, year: int, month: int) -> pd.DataFrame:
    """The Roster as it stands in ``month``: each row overlaid, in date order, with the changes counting by then
    (``effective_month`` ≤ month). Without changes the Roster itself (the same object)."""
    if changes is None or not len(changes) or roster is None or not len(roster):
        return roster
    at = effective_month(changes).array.asi8
    due = np.flatnonzero((at != NaT_ORDINAL) & (at <= pd.Period(f"{year:04d}-{month:02d}", freq="M").ordinal))
    if not len(due):
        return roster
    dates = changes["effective_from"]
    ids, due_ids = _id_list(roster["employee_id"]), _id_list(changes["employee_id"])
    if ids is None or due_ids is None or not isinstance(dates.dtype, np.dtype) or dates.dtype.kind != "M":
        # text (or tz-aware) dates: the reference parses only the rows due, and pandas guesses a text column's
        # format from its first value, so parsing the whole column here could read a date another way
        return _roster_at(roster, changes, year, month)
    when = dates.to_numpy()
    # A few changes over a Roster of a row a person: the last change of each person and column by a dict in date
    # order (a close calls this several times a month; each pandas step costs a Series); ``_roster_at`` is the
    # reference.
    w = np.where(np.isnat(when[due]), np.iinfo(np.int64).max, when[due].astype(np.int64))  # NaT last, as pandas
    order = due[np.lexsort((w, at[due]))]  # by month, then date: stable, as the reference's sort
    out = roster.copy()
    first_row = [e is not None for e in ids]
    seen: set[str] = set()
    for i, e in enumerate(ids):  # a duplicated ID: its first row changes
        if e is not None:
            first_row[i] = e not in seen
            seen.add(e)
    for col in CHANGED:
        if col not in out.columns or col not in changes.columns:
            continue
        column = changes[col]
        if not (is_str_dtype(column.dtype) or column.dtype == np.float64):
            out = _overlay(out, changes.iloc[order], col)
            continue
        values = column.to_numpy()
        given = ~pd.isna(values)
        last = {due_ids[k]: k for k in order if given[k] and due_ids[k] is not None}  # the last in date order wins
        if not last:
            continue
        hit = [i for i, e in enumerate(ids) if first_row[i] and e in last]
        if hit:
            out.iloc[hit, out.columns.get_loc(col)] = values[[last[ids[i]] for i in hit]]
    return out


def _overlay(out: pd.DataFrame, due: pd.DataFrame, col: str) -> pd.DataFrame:
    """``out`` (a copy of the Roster) with column ``col`` overlaid by ``due`` (the changes counting, in date
    order), the last change of each person winning; pandas' operations, for any dtypes."""
    ids = _ids(out)
    first_row = (ids.notna() & ~ids.duplicated()).to_numpy(dtype=bool)  # a duplicated ID: its first row changes
    due_ids = due["employee_id"].astype("string").str.strip().to_numpy()
    given = due[col].notna().to_numpy(dtype=bool)
    if not given.any():
        return out
    # the last change in date order wins: one column at a time, not one change at a time
    last = pd.Series(due[col].to_numpy()[given], index=due_ids[given]).groupby(level=0, sort=False).last()
    hit = np.flatnonzero(first_row & ids.isin(last.index).fillna(False).to_numpy(dtype=bool))
    if len(hit):
        values = last.reindex(ids.iloc[hit].to_numpy()).to_numpy()
        out.iloc[hit, out.columns.get_loc(col)] = values
    return out


def _roster_at(roster: pd.DataFrame, changes: pd.DataFrame, year: int, month: int) -> pd.DataFrame:
    """``roster_at`` with pandas' column operations, for any dtypes (the reference of the look-up path)."""
    at = effective_month(changes)
    due = changes[at.notna() & (at <= pd.Period(f"{year:04d}-{month:02d}", freq="M"))]
    if not len(due):
        return roster
    due = due.assign(_at=at[due.index], _when=pd.to_datetime(due["effective_from"], errors="coerce"))
    due = due.sort_values(["_at", "_when"], kind="stable")
    out = roster.copy()
    for col in CHANGED:
        if col in out.columns and col in due.columns:
            out = _overlay(out, due, col)
    return out


def employed_plan(plan: pd.DataFrame, roster: pd.DataFrame | None, year: int) -> pd.DataFrame:
    """``plan`` with each person's months of ``year`` outside their employment set to 0 (DOMAIN.md: targets count
    only for months employed; the targets of the start and leave months count in full). Validation still warns
    of such targets (``target-before-start``, ``target-after-leaving``). Without Start or Leave Dates: ``plan``."""
    if roster is None or not len(roster) or not len(plan) or not {"start_date", "leave_date"} & set(roster.columns):
        return plan
    start, leave = _dates(roster, "start_date").to_numpy(), _dates(roster, "leave_date").to_numpy()
    ids, emp = _id_list(roster["employee_id"]), _id_list(plan["employee_id"])
    if ids is None or emp is None or start.dtype.kind != "M" or leave.dtype.kind != "M":
        return _employed_plan(plan, roster, year)
    # The plan has a few rows a person and the Roster a row each: the employed months by dict look-ups on numpy
    # columns (each pandas step costs a Series; a close calls this ~4 times a month); ``_employed_plan`` is the
    # reference.
    dated = ~(np.isnat(start) & np.isnat(leave))
    if not dated.any():
        return plan
    lo = _month_bound(start, year, 1, 13)
    hi = _month_bound(leave, year, 12, 0)
    span: dict[str, tuple[int, int]] = {}
    for i in np.flatnonzero(dated):  # a duplicated ID: its first dated row
        if ids[i] is not None and ids[i] not in span:
            span[ids[i]] = (int(lo[i]), int(hi[i]))
    got = [span.get(e) if e is not None else None for e in emp]
    if all(g is None for g in got):
        return plan
    return _zero_outside(plan, np.array([(np.nan, np.nan) if g is None else g for g in got], dtype="float64"))


def _id_list(values: pd.Series) -> list[str | None] | None:
    """The IDs ``_ids`` gives (stripped text, None for missing) as a list, for a text column already stripped;
    None otherwise (then ``_ids`` decides: pandas' strip, the text of numbers)."""
    if not is_str_dtype(values.dtype):
        return None
    out = [v if isinstance(v, str) else None for v in values.tolist()]
    return out if all(v is None or v == v.strip() for v in out) else None


def _month_bound(dates: np.ndarray, year: int, missing: int, later: int) -> np.ndarray:
    """Per date (numpy datetimes), its month in ``year``: ``missing`` for NaT or a date before ``year`` when
    ``missing`` is 1 (a start), after it when 12 (a leave); ``later`` on the other side of ``year``."""
    nat = np.isnat(dates)
    months = dates.astype("datetime64[M]").astype(np.int64)
    y, m = months // 12 + 1970, months % 12 + 1
    before, after = (y < year, y > year) if missing == 1 else (y > year, y < year)
    return np.where(nat | before, missing, np.where(after, later, m))


def _employed_plan(plan: pd.DataFrame, roster: pd.DataFrame, year: int) -> pd.DataFrame:
    """``employed_plan`` with pandas' column operations, for any dtypes (the reference of the numpy path)."""
    start, leave = _dates(roster, "start_date"), _dates(roster, "leave_date")
    dated = start.notna() | leave.notna()
    if not dated.any():
        return plan
    ids = _ids(roster)[dated.to_numpy()]
    lo = np.where(start[dated].isna() | (start[dated].dt.year < year), 1,
                  np.where(start[dated].dt.year > year, 13, start[dated].dt.month))
    hi = np.where(leave[dated].isna() | (leave[dated].dt.year > year), 12,
                  np.where(leave[dated].dt.year < year, 0, leave[dated].dt.month))
    first = pd.Series(lo, index=ids.to_numpy()).groupby(level=0).first()
    last = pd.Series(hi, index=ids.to_numpy()).groupby(level=0).first()
    emp = plan["employee_id"].astype("string").str.strip()
    a, b = emp.map(first), emp.map(last)
    if a.isna().all():
        return plan
    return _zero_outside(plan, np.column_stack([a.to_numpy(dtype="float64", na_value=np.nan),
                                                b.to_numpy(dtype="float64", na_value=np.nan)]))


def _zero_outside(plan: pd.DataFrame, bounds: np.ndarray) -> pd.DataFrame:
    """``plan`` with the months outside each row's employed months (``bounds``: first, last month a row; NaN:
    every month) set to 0; ``plan`` itself when none is."""
    keys = [k for k in MONTH_KEYS if k in plan.columns]
    months = np.array([MONTH_KEYS.index(k) + 1 for k in keys])
    lo, hi = bounds[:, :1], bounds[:, 1:]
    outside = (lo > months) | (hi < months)  # NaN compares False: people without dates keep every month
    if not outside.any():
        return plan
    out = plan.copy()
    for j in np.flatnonzero(outside.any(axis=0)):  # at most twelve columns, each set at once
        col = out[keys[j]]
        if col.dtype == np.float64:  # the typed plan: the column anew (a .loc write costs ~0.3 ms a column)
            out[keys[j]] = np.where(outside[:, j], 0.0, col.to_numpy())
        else:
            out.loc[outside[:, j], keys[j]] = 0.0
    return out
