"""Candidates for promotion (``toolkit candidates``, issue 31): the year's quarter appraisals, the managers' reviews
and the training, ranked by ``toolkit.core.candidates``; from department workbooks or the history store (``--db``,
each quarter as ``toolkit appraisal --db --quarter`` computes it).

Tenure: whole months from the Roster's Start Date to the end of the last month known (``core.candidates.tenure``);
without a Start Date, the months of the year the person was scored in (3 per quarter with a score).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..core.candidates import candidates, tenure
from ..core.ledger import Ledger
from ..core.people import leave_dates
from ..core.review import Review, review
from ..core.validation.reviews import parse_quarter
from ..errors import ToolkitError
from ..i18n import register
from ..outputs import candidates as out
from ..report import candidates as page
from ..schema import enums as E
from .appraisal import _royalties, last_data_month, periodic_appraisal
from .months import month_sources
from .source import Source

register({"candidates.nobody": ("Nobody was scored in the quarter appraisals of {year}.",
                                "{year} 年各季度考核中没有得分人员。"),
          "candidates.nobody-role": ("Nobody of the Roster role {role} was scored in the quarter appraisals of {year}.",
                                     "{year} 年各季度考核中没有名册角色为“{role}”的得分人员。"),
          "candidates.format": ("{path}: the candidates are written as .xlsx (the workbook) or .pdf (the page), "
                                "not {suffix}.", "{path}：候选人只能写成 .xlsx（工作簿）或 .pdf（一页报告），不能是 {suffix}。")})

#: What each output suffix writes.
FORMATS = (".xlsx", ".pdf")


def _quarters(source: Source, year: int) -> tuple[list[Review], Ledger, int]:
    """The year's quarter appraisals, the ledger of the last month known and that month's number."""
    if source.from_store:
        covered = month_sources(source, year)
        if not covered:
            raise ToolkitError("months.none", path=source.store_url, year=year)
        ledgers: dict[str, Ledger] = {}
        quarters = sorted({(int(p[5:7]) - 1) // 3 + 1 for p, _ in covered})
        reviews = [periodic_appraisal(source, year, q, ledgers) for q in quarters]
        return reviews, ledgers[covered[-1][1]], int(covered[-1][0][5:7])
    ledger = source.ledger(f"{year:04d}-12")
    known = last_data_month(ledger, year)
    reviews = []
    for quarter in range(1, (known - 1) // 3 + 2):
        first = (quarter - 1) * 3 + 1
        reviews.append(review(ledger, year, quarter, known,
                              _royalties(ledger, year, max(first, min(known, quarter * 3)))))
    return reviews, ledger, known


def role_code(role: str | None) -> str | None:
    """The Roster role as its canonical code (``经理`` → ``Manager``); a role the enumeration lacks as written."""
    if not role or not role.strip():
        return None
    return E.ROLE.lookup().get(role.strip().casefold(), role.strip())


def candidate_list(source: Source, year: int, role: str | None = None, *, lang: str = "en") -> pd.DataFrame:
    """The ranked candidates of ``year`` (only ``role``'s people when given, in either language), with their
    reasons in ``lang``; nobody scored is an error that says so."""
    if not 1900 <= int(year) <= 2999:
        raise ToolkitError("appraisal.year", value=year)
    role = role_code(role)
    quarters, ledger, known = _quarters(source, year)
    lines = pd.concat([rv.lines[["employee_id", "name", "department", "role", "score"]].assign(quarter=rv.quarter)
                       for rv in quarters], ignore_index=True)
    training = quarters[-1].training
    # the latest quarter's department and role: a transferee is a candidate where they are now (docs/people.md)
    people = lines.drop_duplicates("employee_id", keep="last")[["employee_id", "name", "department", "role"]]
    scored = lines.dropna(subset=["score"]).groupby("employee_id").size() * 3
    end = pd.Timestamp(year, known, 1) + pd.offsets.MonthEnd(0)
    # someone who left by then is no candidate for promotion (docs/people.md)
    # (isin, not map: mapping on a Roster without leavers, an empty datetime Series, raises in pandas)
    leave = leave_dates(ledger.standard("Roster"))
    left = people["employee_id"].astype(str).isin(set(leave.index[(leave <= end).to_numpy(dtype=bool)]))
    people = people[~left.to_numpy(dtype=bool)]
    people = pd.concat([people, tenure(ledger.standard("Roster"), people["employee_id"].astype(str), end, scored)],
                       axis=1)
    if role:
        people = people[people["role"].astype("string").str.casefold() == role.casefold()]
    reviews = ledger.tables.get("Reviews")
    if reviews is not None and len(reviews):
        inside = reviews["period"].map(lambda p: (parse_quarter(p) or (0, 0))[0] == year).to_numpy(dtype=bool)
        part = reviews[inside]
        means = pd.to_numeric(part["score"], errors="coerce").groupby(
            part["employee_id"].astype("string").str.strip()).mean()
    else:
        means = pd.Series(dtype="float64")
    hours = training.set_index("employee_id")["hours"] if len(training) else pd.Series(dtype="float64")
    scored_people = people[people["employee_id"].isin(scored.index)]
    ranked = candidates(lines[["employee_id", "quarter", "score"]], scored_people, means, hours, lang) \
        if len(scored_people) else scored_people
    if not len(ranked):
        raise ToolkitError("candidates.nobody-role", year=year, role=role) if role else \
            ToolkitError("candidates.nobody", year=year)
    return ranked


def write_candidates(source: Source, year: int, outputs: Sequence[str | Path], role: str | None = None, *,
                     lang: str = "en", top: int = page.TOP) -> tuple[pd.DataFrame, list[Path]]:
    """The ranking and the files written: each of ``outputs`` by its suffix, ``.xlsx`` the workbook (everyone),
    ``.pdf`` the one page for the general manager (the first ``top``)."""
    for path in outputs:
        if Path(path).suffix.lower() not in FORMATS:
            raise ToolkitError("candidates.format", path=str(path), suffix=Path(path).suffix or "''")
    role = role_code(role)
    ranked = candidate_list(source, year, role, lang=lang)
    written = []
    for path in outputs:
        if Path(path).suffix.lower() == ".pdf":
            written.append(page.write_pdf(ranked, path, year, role, lang, top))
        else:
            written.append(out.write(ranked, str(path), lang))
    return ranked, written
