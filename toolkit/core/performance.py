"""A person's year, month by month (issue 13's performance files): pure assembly of computed results.

For each month the caller computed (from the month source, ``toolkit.operations.months``): the employee
completion rows (targets, actuals, completion, RAG, rank), the royalty lines (payment, YTD royalty) and
the floating-salary lines (score, grade, coefficient, pay). This module stacks them into a ``Year`` and
attributes policy findings and market feedback to people; it reads no files.

Several years (issue 31): ``window_rows`` gives, per person and window (a quarter or a year), the periodic
appraisal's score, grade and ranks beside the pay of the window, the mean managers' review and the training
hours; ``History`` holds those rows of every stored year with the person's review and training rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..money import round_series
from ..schema import DEPARTMENT
from .findings import Finding
from .validation.reviews import parse_quarter

MONTH_COLUMNS = ["employee_id", "period", "source_period", "indicator", "month_target", "month_actual",
                 "month_completion", "ytd_target", "ytd_actual", "ytd_completion", "time_progress", "rag", "rank"]
PAY_COLUMNS = ["employee_id", "period", "source_period", "royalty_payment", "ytd_royalty", "floating_pay", "basis",
               "score", "grade", "coefficient", "reason", "status"]
#: The department tables whose rows belong to one employee (findings on them are that person's).
PERSONAL_TABLES = ("Expenses", "Advances", "Leave", "Contracts", "Plan")
#: The date column that places a personal row in a year.
ROW_DATES = {"Expenses": "date", "Advances": "date", "Leave": "start", "Contracts": "sign_date"}


HISTORY_COLUMNS = ["employee_id", "year", "quarter", "score", "grade", "basis", "department_rank", "company_rank",
                   "ranked", "review", "training_hours", "royalty_paid", "floating_paid", "total_paid"]
REVIEW_COLUMNS = ["employee_id", "period", "item", "score", "comment", "reviewer"]
TRAINING_COLUMNS = ["employee_id", "date", "course", "hours", "result"]


@dataclass
class History:
    """Every stored year up to the file's: per person and window (quarter, or the year when ``quarter`` is
    blank) the appraisal and pay (``HISTORY_COLUMNS``), and the person's review and training rows."""

    years: list[int]
    windows: pd.DataFrame
    reviews: pd.DataFrame
    training: pd.DataFrame


@dataclass
class Year:
    """Everyone's months of ``year``: completion rows, pay rows, attributed findings, owned feedback."""

    year: int
    months: pd.DataFrame
    pay: pd.DataFrame
    findings: pd.DataFrame
    feedback: pd.DataFrame
    people: pd.DataFrame
    sources: list[tuple[str, str]] = field(default_factory=list)
    #: the years before and this one, by quarter and year (None: not gathered)
    history: History | None = None
    #: per frame: the frame indexed and its row positions by employee (built once, not one scan per person)
    _rows: dict[str, tuple[pd.DataFrame, dict[str, Any]]] = field(default_factory=dict, init=False, repr=False,
                                                                  compare=False)

    def of(self, employee_id: str) -> dict[str, pd.DataFrame]:
        """One person's frames (months, pay, findings, feedback; history, reviews, training when gathered)."""
        frames = [("months", self.months), ("pay", self.pay), ("findings", self.findings),
                  ("feedback", self.feedback)]
        if self.history is not None:
            frames += [("history", self.history.windows), ("reviews", self.history.reviews),
                       ("training", self.history.training)]
        return {name: self._person_rows(name, frame, employee_id) for name, frame in frames}

    def _person_rows(self, name: str, frame: pd.DataFrame, employee_id: str) -> pd.DataFrame:
        """``frame``'s rows of one employee, in order, from the positions grouped once for everyone (a frame
        replaced since is grouped again)."""
        cached = self._rows.get(name)
        if cached is None or cached[0] is not frame:
            cached = (frame, frame.groupby("employee_id", sort=False).indices)
            self._rows[name] = cached
        return frame.iloc[cached[1].get(employee_id, [])].reset_index(drop=True)


def month_rows(period: str, source: str, completion: pd.DataFrame, royalty_lines: pd.DataFrame,
               salary_lines: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One month's employee completion rows and pay rows, tagged with the period and its source period."""
    emp = completion[completion["level"] == "employee"].rename(columns={"key": "employee_id"})
    months = emp.assign(period=period, source_period=source).reindex(columns=MONTH_COLUMNS)
    roy = royalty_lines.set_index("employee_id")
    sal = salary_lines.set_index("employee_id")
    ids = list(dict.fromkeys([*salary_lines["employee_id"], *royalty_lines["employee_id"]]))
    pay = pd.DataFrame({"employee_id": ids, "period": period, "source_period": source})
    pay["royalty_payment"] = pay["employee_id"].map(roy["payment"]) if len(roy) else None
    pay["ytd_royalty"] = pay["employee_id"].map(roy["ytd_royalty"]) if len(roy) else None
    for col, src in (("floating_pay", "pay"), ("basis", "basis"), ("score", "score"), ("grade", "grade"),
                     ("coefficient", "coefficient"), ("reason", "reason")):
        pay[col] = pay["employee_id"].map(sal[src]) if len(sal) and src in sal else None
    left = set(salary_lines.loc[salary_lines["status"] == "not-computed", "employee_id"]) \
        if "status" in salary_lines else set()
    if "status" in royalty_lines:
        left |= set(royalty_lines.loc[royalty_lines["status"] == "not-computed", "employee_id"])
    pay["status"] = pay["employee_id"].map(lambda e: "not-computed" if e in left else "computed")
    return months, pay.reindex(columns=PAY_COLUMNS)


def _sheet_keys() -> dict[str, str]:
    """Sheet name as written (either language) → department table key."""
    out = {}
    for table in DEPARTMENT.tables:
        out[table.sheet.en] = table.key
        out[table.sheet.zh] = table.key
    return out


def attribute_findings(findings: Iterable[Finding], tables: dict[str, pd.DataFrame], year: int) -> pd.DataFrame:
    """Findings on a person's rows (expenses, advances, leave, contracts, plan) dated in ``year``, with the person.

    A finding names its file, sheet and row; the row's Employee ID says whose it is.
    """
    keys = _sheet_keys()
    rows = []
    lookup: dict[str, pd.DataFrame] = {}
    for f in findings:
        key = keys.get(f.sheet or "")
        if key not in PERSONAL_TABLES or f.row is None:
            continue
        if key not in lookup:
            frame = tables.get(key, pd.DataFrame())
            lookup[key] = frame.set_index(["source", "_row"]) if len(frame) else frame
        frame = lookup[key]
        try:
            hit = frame.loc[(str(f.file), int(f.row))] if len(frame) else None
        except KeyError:
            continue
        if isinstance(hit, pd.DataFrame):
            hit = hit.iloc[0]
        if hit is None or pd.isna(hit.get("employee_id")):
            continue
        date_col = ROW_DATES.get(key)
        when = hit.get(date_col) if date_col else None
        if when is not None and not pd.isna(when) and pd.Timestamp(when).year != year:
            continue
        rows.append({"employee_id": str(hit["employee_id"]), "file": f.file, "sheet": f.sheet, "cell": f.cell,
                     "code": f.code, "severity": f.severity, "value": f.value, "message_en": f.message("en"),
                     "message_zh": f.message("zh")})
    cols = ["employee_id", "file", "sheet", "cell", "code", "severity", "value", "message_en", "message_zh"]
    return pd.DataFrame(rows, columns=cols)


def owned_feedback(feedback: pd.DataFrame, roster: pd.DataFrame, year: int) -> pd.DataFrame:
    """Market feedback of ``year`` with the employee who owns it (Owner = the Employee ID or the Name)."""
    cols = ["employee_id", "date", "customer", "product_line", "type", "content", "status"]
    if not len(feedback):
        return pd.DataFrame(columns=cols)
    people = roster.dropna(subset=["employee_id"]).drop_duplicates("employee_id")
    by_key = {str(e).strip().casefold(): str(e) for e in people["employee_id"]}
    by_name = {}
    for e, n in zip(people["employee_id"], people["name"]):
        if isinstance(n, str):
            by_name.setdefault(n.strip().casefold(), str(e))
    owner = feedback["owner"].astype("string").str.strip().str.casefold()
    emp = owner.map(lambda o: by_key.get(o) or by_name.get(o) if isinstance(o, str) else None)
    dated = pd.to_datetime(feedback["date"], errors="coerce")
    out = feedback.assign(employee_id=emp)[emp.notna() & (dated.dt.year == year)]
    return out.reindex(columns=cols).sort_values(["employee_id", "date"], kind="stable").reset_index(drop=True)


def stack_year(year: int, months: list[pd.DataFrame], pay: list[pd.DataFrame], findings: pd.DataFrame,
               feedback: pd.DataFrame, people: pd.DataFrame, sources: list[tuple[str, str]]) -> Year:
    """The year from its months' frames."""
    m = pd.concat(months, ignore_index=True) if months else pd.DataFrame(columns=MONTH_COLUMNS)
    p = pd.concat(pay, ignore_index=True) if pay else pd.DataFrame(columns=PAY_COLUMNS)
    return Year(year, m, p, findings, feedback, people, sources)


def _keys(column: pd.Series) -> pd.Series:
    return column.astype("string").str.strip()


def year_reviews(reviews: pd.DataFrame | None, year: int) -> pd.DataFrame:
    """The Reviews rows of ``year`` (their quarter's year), ``REVIEW_COLUMNS``, in period order."""
    if reviews is None or not len(reviews):
        return pd.DataFrame(columns=REVIEW_COLUMNS)
    quarter = reviews["period"].map(parse_quarter)
    mine = reviews[quarter.map(lambda q: q is not None and q[0] == year).to_numpy(dtype=bool)]
    out = mine.assign(employee_id=_keys(mine["employee_id"]),
                      period=quarter[mine.index].map(lambda q: f"{q[0]}-Q{q[1]}")).reindex(columns=REVIEW_COLUMNS)
    return out.sort_values(["employee_id", "period"], kind="stable").reset_index(drop=True)


def year_training(training: pd.DataFrame | None, year: int) -> pd.DataFrame:
    """The Training rows dated in ``year``, ``TRAINING_COLUMNS``, in date order."""
    if training is None or not len(training):
        return pd.DataFrame(columns=TRAINING_COLUMNS)
    date = pd.to_datetime(training["date"], errors="coerce")
    mine = training[(date.dt.year == year).to_numpy(dtype=bool)]
    out = mine.assign(employee_id=_keys(mine["employee_id"])).reindex(columns=TRAINING_COLUMNS)
    return out.sort_values(["employee_id", "date"], kind="stable").reset_index(drop=True)


def window_rows(year: int, quarter: int | None, lines: pd.DataFrame, pay: pd.DataFrame, reviews: pd.DataFrame,
                training: pd.DataFrame) -> pd.DataFrame:
    """``HISTORY_COLUMNS`` per person of one window: the periodic appraisal's ``lines`` (score, grade, ranks;
    ``ranked`` = people ranked in the company), what ``pay`` (the year's month pay rows) paid in the window's
    months (blank when nothing was computed), the mean of the window's ``reviews`` (``year_reviews``) and the
    hours of its ``training`` (``year_training``)."""
    first, last = ((quarter - 1) * 3 + 1, quarter * 3) if quarter else (1, 12)
    months = pay["period"].astype(str).str[5:7].astype(int) if len(pay) else pd.Series(dtype="int64")
    inside = pay[((months >= first) & (months <= last)).to_numpy(dtype=bool)] if len(pay) else pay
    ids = list(dict.fromkeys([*lines["employee_id"].astype(str), *inside["employee_id"].astype(str)]))
    out = pd.DataFrame({"employee_id": ids, "year": year, "quarter": quarter})
    got = lines.assign(employee_id=lines["employee_id"].astype(str)).drop_duplicates("employee_id")
    got = got.set_index("employee_id")
    for col in ("score", "grade", "basis", "department_rank", "company_rank"):
        out[col] = out["employee_id"].map(got[col]) if col in got else None
    out["ranked"] = int(lines["company_rank"].notna().sum()) if "company_rank" in lines else 0
    key = inside["employee_id"].astype(str)
    for col, src in (("royalty_paid", "royalty_payment"), ("floating_paid", "floating_pay")):
        cents = round_series(inside[src].astype("float64")) if len(inside) else inside[src]
        out[col] = out["employee_id"].map(cents.groupby(key).sum(min_count=1)) if len(inside) else float("nan")
    out["total_paid"] = out[["royalty_paid", "floating_paid"]].sum(axis=1, min_count=1).round(2)
    q = reviews["period"].map(lambda p: int(str(p)[-1]))
    rv = reviews[((q >= (first - 1) // 3 + 1) & (q <= (last - 1) // 3 + 1)).to_numpy(dtype=bool)]
    out["review"] = out["employee_id"].map(pd.to_numeric(rv["score"], errors="coerce").groupby(
        rv["employee_id"].astype(str)).mean()).astype("float64")
    month = pd.to_datetime(training["date"], errors="coerce").dt.month
    tr = training[((month >= first) & (month <= last)).to_numpy(dtype=bool)]
    hours = pd.to_numeric(tr["hours"], errors="coerce").fillna(0.0).groupby(tr["employee_id"].astype(str)).sum()
    out["training_hours"] = out["employee_id"].map(hours).astype("float64").fillna(0.0)
    return out.reindex(columns=HISTORY_COLUMNS)


def stack_history(years: list[int], windows: list[pd.DataFrame], reviews: list[pd.DataFrame],
                  training: list[pd.DataFrame]) -> History:
    """The history from its years' frames: windows ordered by year, then the quarters, then the year's row."""
    w = pd.concat(windows, ignore_index=True) if windows else pd.DataFrame(columns=HISTORY_COLUMNS)
    if len(w):
        order = w["quarter"].astype("float64").fillna(5.0)
        w = w.assign(_o=order).sort_values(["employee_id", "year", "_o"], kind="stable").drop(columns="_o")
    def stack(frames: list[pd.DataFrame], cols: list[str]) -> pd.DataFrame:
        frames = [f for f in frames if len(f)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    return History(years, w.reset_index(drop=True), stack(reviews, REVIEW_COLUMNS),
                   stack(training, TRAINING_COLUMNS))
