"""People over time in the sample company (issue 23; docs/people.md): a hire, a leaver, a transfer and a promotion
in 2026, and everyone's Start Date.

The department registers are generated as if everyone had worked all along; this module then makes them agree with
the Roster: the hire's rows begin on their Start Date, the leaver's end on their Leave Date (their customers still
pay later), the transferee's rows dated from the transfer are in the new department's workbook, and each
department's Plan holds their targets for the months they belong to it. The promotion is a Roster Changes row only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..schema import MONTH_KEYS
from .names import PERIOD_END, YEAR
from .plan import EXPENSE_PROFILE, TARGET_STEP
from .sales import SEASONALITY

#: The hire (East China, a Standard Marginal salesperson) starts on Wednesday 15 April 2026.
HIRE = ("E1006", pd.Timestamp("2026-04-15"))
#: The leaver (西部, a Standard Marginal salesperson) leaves on Friday 14 August 2026.
LEAVER = ("E4005", pd.Timestamp("2026-08-14"))
#: The transfer: 华南 → 西部 from 1 July 2026 (a Roster Changes row; the Roster keeps 华南).
TRANSFER = ("E3005", "south", "west", pd.Timestamp("2026-07-01"))
#: The promotion: East China's G3 salesperson to G4 with a new Floating Base from 1 June 2026.
PROMOTION = ("E1004", pd.Timestamp("2026-06-01"), "G4", 7000.0)
#: Everyone else joined between these dates (the managers in the first half).
JOINED = (pd.Timestamp("2012-03-01"), pd.Timestamp("2024-09-30"))

#: Department tables with an employee, and the date that says when each row happened.
DATED = {"Contracts": "sign_date", "Expenses": "date", "Advances": "date", "Leave": "start", "Training": "date"}


@dataclass(frozen=True)
class Window:
    """Where a person's rows belong: dated in [start, end] (None: unbounded)."""

    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None

    def holds(self, dates: pd.Series) -> pd.Series:
        """Which of ``dates`` fall in the window (missing dates: kept)."""
        ok = pd.Series(True, index=dates.index)
        if self.start is not None:
            ok &= ~(dates < self.start).fillna(False)
        if self.end is not None:
            ok &= ~(dates > self.end).fillna(False)
        return ok


def start_dates(people_frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """``people_frame`` with Start Date (everyone; the hire's in 2026) and Leave Date (the leaver's)."""
    rng = np.random.default_rng([seed, 23])
    lo, hi = JOINED
    days = (hi - lo).days
    manager = (people_frame["role"] == "Manager").to_numpy()
    offset = np.where(manager, rng.integers(0, days // 2, len(people_frame)), rng.integers(0, days, len(people_frame)))
    out = people_frame.copy()
    out["start_date"] = lo + pd.to_timedelta(offset, unit="D")
    out.loc[out["employee_id"] == HIRE[0], "start_date"] = HIRE[1]
    out["leave_date"] = pd.NaT
    out.loc[out["employee_id"] == LEAVER[0], "leave_date"] = LEAVER[1]
    return out


def roster_changes(people_frame: pd.DataFrame) -> list[dict]:
    """The sample's Roster Changes rows: the promotion and the transfer."""
    emp, when, grade, base = PROMOTION
    emp_t, _, to_key, when_t = TRANSFER
    to_name = people_frame.loc[people_frame["dept_key"] == to_key, "department"].iloc[0]
    return [
        {"employee_id": emp, "effective_from": when, "grade": grade, "floating_base": base, "retroactive": "No"},
        {"employee_id": emp_t, "effective_from": when_t, "department": to_name, "retroactive": "No"},
    ]


def _keep(frames: dict[str, pd.DataFrame], emp: str, window: Window) -> dict[str, pd.DataFrame]:
    """``frames`` without ``emp``'s rows dated outside ``window`` (with the collections of dropped contracts and
    the opportunities won by them); their split share of a colleague's contract dated outside it goes to the
    colleague, and their reviews of quarters outside it are dropped."""
    out = dict(frames)
    dropped: set[str] = set()
    for table, col in DATED.items():
        frame = out[table]
        away = (frame["employee_id"] == emp).fillna(False) & ~window.holds(frame[col])
        if table == "Contracts":
            dropped = set(frame.loc[away, "contract_no"])
            split = (frame["split_employee_id"] == emp).fillna(False) & ~window.holds(frame[col])
            frame = frame.assign(split_employee_id=frame["split_employee_id"].where(~split, None),
                                 split_share=frame["split_share"].where(~split, np.nan))
        out[table] = frame[~away.to_numpy()].reset_index(drop=True)
    out["Collections"] = _without_contracts(out["Collections"], dropped)
    opp = out["Opportunities"]
    gone = opp["contract_no"].isin(dropped) | ((opp["employee_id"] == emp).fillna(False)
                                               & ~window.holds(opp["expected_close"]))
    out["Opportunities"] = opp[~gone.to_numpy()].reset_index(drop=True)
    reviews = out["Reviews"]
    quarters = pd.PeriodIndex(reviews["period"].astype("str"), freq="Q")
    mine = (reviews["employee_id"] == emp).to_numpy()
    before = quarters.end_time.normalize() < window.start if window.start is not None else np.zeros(len(mine), bool)
    after = quarters.start_time > window.end if window.end is not None else np.zeros(len(mine), bool)
    out["Reviews"] = reviews[~(mine & (np.asarray(before) | np.asarray(after)))].reset_index(drop=True)
    return out


def _without_contracts(collections: pd.DataFrame, contracts: set[str]) -> pd.DataFrame:
    return collections[~collections["contract_no"].isin(contracts).to_numpy()].reset_index(drop=True)


def employment(raw: dict[str, dict[str, pd.DataFrame]], people_frame: pd.DataFrame) -> None:
    """Drop the hire's rows before their Start Date and the leaver's after their Leave Date (in place)."""
    for emp, window in ((HIRE[0], Window(start=HIRE[1])), (LEAVER[0], Window(end=LEAVER[1]))):
        key = people_frame.loc[people_frame["employee_id"] == emp, "dept_key"].iloc[0]
        raw[key] = _keep(raw[key], emp, window)


def employed_targets(plan: pd.DataFrame) -> pd.DataFrame:
    """The hire's and the leaver's Plan rows with targets only for the months they are employed, rescaled so their
    year-to-date targets keep the completion the sample calibrates them to."""
    out = plan.copy()
    months = np.arange(1, 13)
    for emp, first, last in ((HIRE[0], HIRE[1].month, 12), (LEAVER[0], 1, LEAVER[1].month)):
        inside = (months >= first) & (months <= last)
        ytd = months <= PERIOD_END.month
        for i in np.flatnonzero((out["employee_id"] == emp).to_numpy()):
            indicator = out.at[i, "indicator"]
            profile = EXPENSE_PROFILE if indicator == "Expense" else SEASONALITY
            scale = profile[ytd].sum() / profile[ytd & inside].sum()
            values = out.loc[i, list(MONTH_KEYS)].to_numpy(dtype="float64")
            values = np.where(inside, np.round(values * scale, TARGET_STEP[indicator]), 0.0)
            out.loc[i, list(MONTH_KEYS)] = values
            out.at[i, "annual"] = float(values.sum())
    return out


def transfer(raw: dict[str, dict[str, pd.DataFrame]], people_frame: pd.DataFrame) -> None:
    """Move the transferee's rows dated from the transfer (contracts with their collections, claims, advances,
    leave, training, opportunities, reviews from the transfer's quarter) and their Plan months from then into the
    new department's frames, approved and reviewed by its manager (in place)."""
    emp, src_key, dst_key, when = TRANSFER
    src, dst = raw[src_key], raw[dst_key]
    manager = people_frame[(people_frame["dept_key"] == dst_key) & (people_frame["role"] == "Manager")].iloc[0]
    moved: dict[str, pd.DataFrame] = {}
    for table, col in DATED.items():
        frame = src[table]
        go = ((frame["employee_id"] == emp).fillna(False) & ~(frame[col] < when).fillna(False)).to_numpy()
        moved[table], src[table] = frame[go], frame[~go].reset_index(drop=True)
    # a split with a colleague of the old department stays behind: the moved contract is the transferee's alone
    c = moved["Contracts"]
    mates = set(people_frame.loc[people_frame["dept_key"] == src_key, "employee_id"])
    behind = c["split_employee_id"].isin(mates).to_numpy()
    moved["Contracts"] = c.assign(split_employee_id=c["split_employee_id"].where(~behind, None),
                                  split_share=c["split_share"].where(~behind, np.nan))
    numbers = set(moved["Contracts"]["contract_no"])
    coll = src["Collections"]
    go = coll["contract_no"].isin(numbers).to_numpy()
    moved["Collections"], src["Collections"] = coll[go], coll[~go].reset_index(drop=True)
    opp = src["Opportunities"]
    go = (opp["contract_no"].isin(numbers) | ((opp["employee_id"] == emp).fillna(False) & opp["contract_no"].isna()
                                               & ~(opp["expected_close"] < when).fillna(False))).to_numpy()
    moved["Opportunities"], src["Opportunities"] = opp[go], opp[~go].reset_index(drop=True)
    rev = src["Reviews"]
    quarter_end = pd.PeriodIndex(rev["period"].astype("str"), freq="Q").end_time.normalize()
    go = ((rev["employee_id"] == emp).to_numpy() & (quarter_end >= when))
    moved["Reviews"] = rev[go].assign(reviewer=manager["employee_id"])
    src["Reviews"] = rev[~go].reset_index(drop=True)
    claims = moved["Expenses"]
    moved["Expenses"] = claims.assign(approver=claims["approver"].where(claims["approver"].isna(), manager["name"]))
    for table, frame in moved.items():
        sort = DATED.get(table, {"Collections": "receipt_date", "Opportunities": "expected_close"}.get(table))
        both = pd.concat([dst[table], frame.astype(dst[table].dtypes.to_dict())], ignore_index=True)
        dst[table] = both.sort_values(sort, kind="stable", ignore_index=True) if sort else both
    later = [k for m, k in enumerate(MONTH_KEYS, start=1) if when.year < YEAR or m >= when.month]
    plan = src["Plan"].copy()
    mine = (plan["employee_id"] == emp).to_numpy()
    go_rows = plan[mine].assign(**{k: 0.0 for k in MONTH_KEYS if k not in later})
    plan.loc[mine, later] = 0.0
    plan.loc[mine, "annual"] = plan.loc[mine, list(MONTH_KEYS)].sum(axis=1)
    go_rows["annual"] = go_rows[list(MONTH_KEYS)].sum(axis=1)
    src["Plan"] = plan
    dst["Plan"] = pd.concat([dst["Plan"], go_rows.astype(dst["Plan"].dtypes.to_dict())], ignore_index=True)
