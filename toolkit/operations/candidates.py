"""Candidates for promotion (``toolkit candidates``, issue 31): the year's quarter appraisals of department
workbooks, the managers' reviews and the training, ranked by ``toolkit.core.candidates``.

Tenure: the Roster has no start date yet, so it is the months of the year the person was scored in (3 per
quarter with a score); docs/appraisal.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..core.candidates import candidates
from ..core.review import review
from ..core.validation.reviews import parse_quarter
from ..errors import ToolkitError
from .appraisal import _royalties, last_data_month
from .source import Source


def candidate_list(source: Source, year: int, role: str | None = None, *, lang: str = "en") -> pd.DataFrame:
    """The ranked candidates of ``year`` (only ``role``'s people when given), with their reasons in ``lang``."""
    if not 1900 <= int(year) <= 2999:
        raise ToolkitError("appraisal.year", value=year)
    ledger = source.ledger(f"{year:04d}-12")
    known = last_data_month(ledger, year)
    rows = []
    for quarter in range(1, (known - 1) // 3 + 2):
        first = (quarter - 1) * 3 + 1
        rv = review(ledger, year, quarter, known, _royalties(ledger, year, max(first, min(known, quarter * 3))))
        rows.append(rv.lines[["employee_id", "name", "department", "role", "score"]].assign(quarter=quarter))
        training = rv.training
    lines = pd.concat(rows, ignore_index=True)
    people = lines.drop_duplicates("employee_id")[["employee_id", "name", "department", "role"]]
    scored = lines.dropna(subset=["score"]).groupby("employee_id").size() * 3
    people = people.assign(tenure_months=people["employee_id"].map(scored).fillna(0).astype("int64"))
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
    return candidates(lines[["employee_id", "quarter", "score"]], people, means, hours, lang)
