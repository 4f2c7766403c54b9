"""A person's year, month by month (issue 13's performance files): pure assembly of computed results.

For each month the caller computed (from the month source, ``toolkit.operations.months``): the employee
completion rows (targets, actuals, completion, RAG, rank), the royalty lines (payment, YTD royalty) and
the floating-salary lines (score, grade, coefficient, pay). This module stacks them into a ``Year`` and
attributes policy findings and market feedback to people; it reads no files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from ..schema import DEPARTMENT
from .findings import Finding

MONTH_COLUMNS = ["employee_id", "period", "source_period", "indicator", "month_target", "month_actual",
                 "month_completion", "ytd_target", "ytd_actual", "ytd_completion", "time_progress", "rag", "rank"]
PAY_COLUMNS = ["employee_id", "period", "source_period", "royalty_payment", "ytd_royalty", "floating_pay", "basis",
               "score", "grade", "coefficient", "reason", "status"]
#: The department tables whose rows belong to one employee (findings on them are that person's).
PERSONAL_TABLES = ("Expenses", "Advances", "Leave", "Contracts", "Plan")
#: The date column that places a personal row in a year.
ROW_DATES = {"Expenses": "date", "Advances": "date", "Leave": "start", "Contracts": "sign_date"}


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

    def of(self, employee_id: str) -> dict[str, pd.DataFrame]:
        """One person's frames (months, pay, findings, feedback)."""
        return {name: frame[frame["employee_id"] == employee_id].reset_index(drop=True)
                for name, frame in (("months", self.months), ("pay", self.pay), ("findings", self.findings),
                                    ("feedback", self.feedback))}


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
