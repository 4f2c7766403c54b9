"""The report's Data quality section is the same whether the report is built from the department files or from
the store a close wrote (issue 24): every department's errors AND warnings, the rejected one's included; from the
store the department the close left out is named too."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from toolkit.core.findings import codes, finding_type
from toolkit.operations.close_month import left_out_findings
from toolkit.operations.report import monthly_context
from toolkit.operations.source import Source
from toolkit.report.completeness import LEFT_OUT
from output_books import book as output_book
from report_fixtures import ledger
from toolkit.core import completion as C
from toolkit.core import royalties as R
from toolkit.report.sections import headline as H

PERIOD = "2026-10"
COLUMNS = ["severity", "title", "file", "sheet", "cell", "value", "message"]
#: Findings the computations raise (not validation): they depend on what was computed, and the files report
#: computes the department the close rejected.
COMPUTED = {finding_type(c).title[0] for c in (*codes("royalties"), *codes("appraisal"))}


def _rows(ctx: dict, drop_left_out: bool = True) -> list[tuple]:
    """The validation findings listed (those naming a file, not raised by a computation)."""
    frame = ctx["tables"]["findings"][COLUMNS].astype(object).where(lambda f: f.notna(), "")
    frame = frame[(frame["file"] != "") & ~frame["title"].isin(COMPUTED)]
    if drop_left_out:
        frame = frame[frame["title"] != finding_type(LEFT_OUT).title[0]]
    return sorted(tuple(str(v) for v in r) for r in frame.itertuples(index=False))


@pytest.fixture(scope="module")
def contexts(closed_sample, sample_dir) -> tuple[dict, dict]:
    """The report context of the closed month from the close's store and from the sample's files."""
    _, folder = closed_sample
    with Source(db=folder / "s.db") as source:
        from_db = monthly_context(source, PERIOD)
    files = sorted(sample_dir.glob("dept-*.xlsx"))
    with Source(files, standards=sample_dir / "standards.xlsx") as source:
        from_files = monthly_context(source, PERIOD)
    return from_db, from_files


def test_data_quality_is_the_same_from_files_and_from_the_store(contexts):
    from_db, from_files = contexts
    db_rows, file_rows = _rows(from_db), _rows(from_files)
    assert db_rows == file_rows
    # the rejected department's warnings are there, not only its errors
    north = [r for r in db_rows if r[2] == "dept-north.xlsx"]
    assert {r[0] for r in north} == {"Error", "Warning"}
    # from the store the report also says North China was left out (the files report computed it)
    left = [r for r in _rows(from_db, drop_left_out=False) if r not in db_rows]
    assert len(left) == 1 and left[0][2] == "dept-north.xlsx"
    assert len(db_rows) > 10


def test_the_close_lists_the_rejected_departments_warnings(closed_sample):
    res, _ = closed_sample
    found = left_out_findings(res.consolidation.files)
    north = [f for f in found if f.code != LEFT_OUT]
    assert {f.severity for f in north} == {"error", "warning"}
    assert all(str(f.file).endswith("dept-north.xlsx") for f in north)
    assert [f.code for f in found].count(LEFT_OUT) == 1


def test_the_store_keeps_the_findings_of_a_rejected_source_only(closed_sample):
    """A rejected source keeps its findings with the run (migration 7); a loaded one keeps them with its snapshot."""
    _, folder = closed_sample
    with Source(db=folder / "s.db") as source, source.store() as store:
        run = [r for r in store.runs(PERIOD)][-1]
        sources = store.sources(run.id)
    rejected = [s for s in sources if s.status == "rejected"]
    assert rejected and all(s.findings for s in rejected)
    assert all(s.findings is None for s in sources if s.status == "loaded")


def test_one_grade_per_person_the_appendix_is_a_ranking(contexts):
    """The quarter-so-far appendix ranks; the one grade is the year-to-date one in Floating salary (issue 24)."""
    ctx, _ = contexts
    assert "grade" not in ctx["tables"]["appraisal"].columns
    assert "grade" in ctx["tables"]["floating_salary"].columns
    assert "ranking" in ctx["text"]["appraisal"] and "not a grade" in ctx["text"]["appraisal_note"]
    ranked = ctx["tables"]["appraisal"].dropna(subset=["company_rank"])
    assert len(ranked) and list(ranked["company_rank"]) == sorted(ranked["company_rank"])


def test_last_years_royalties_are_not_recomputed_when_its_closes_stored_the_profit(monkeypatch):
    """The headline's year-on-year Profit takes a closed month as stored; last year's royalty schedule (the
    costly part) is then not computed, and every figure is the same as when it is (issue 21 item 8)."""


    led = ledger()
    p = pd.Period(PERIOD, freq="M")
    royalties = C.royalty_payments(led, PERIOD)
    rows = C.compute_completion(led, PERIOD, royalties)
    closed = pd.DataFrame({"period": ["2025-10", "2025-10"], "indicator": ["Profit", "Signing"],
                           "actual": [1234567.89, 7654321.0]})
    asked: list[str] = []
    real = R.payments_of_months
    monkeypatch.setattr(R, "payments_of_months", lambda lg, period, months: asked.append(period) or real(lg, period, months))
    fast = H.headline_figures(led, p, rows, royalties, "en", closed)
    assert "2025-12" not in asked
    monkeypatch.setattr(H, "_profit_closed", lambda *a: False)
    full = H.headline_figures(led, p, rows, royalties, "en", closed)
    assert "2025-12" in asked
    assert fast[0] == full[0] and fast[0]["profit_last_year"] == 1234567.89
    pd.testing.assert_frame_equal(fast[1], full[1])
    pd.testing.assert_frame_equal(fast[2], full[2])


def test_the_banner_is_the_same_from_the_close_and_from_the_store(closed_sample, contexts):
    """Issue 24: the report rebuilt from ``--db`` names the rejected department with its errors AND warnings,
    word for word as the close's own report does (its Markdown and its workbook's banner cell)."""
    res, folder = closed_sample
    from_db, _ = contexts
    north = [f for s in res.consolidation.files if str(s.path).endswith("dept-north.xlsx") for f in s.findings]
    errors = sum(f.severity == "error" for f in north)
    warnings = sum(f.severity == "warning" for f in north)
    assert errors and warnings
    expected = f"North China (rejected; {errors} error(s), {warnings} warning(s))"
    markdown = next((folder / "out").rglob(f"monthly-report-{PERIOD}.md")).read_text(encoding="utf-8")
    closed = re.search(r"^> \*\*(.*)\*\*$", markdown, re.M).group(1)
    book = output_book(next((folder / "out").rglob(f"monthly-report-{PERIOD}.xlsx")))  # read once (output_books)
    assert expected in closed
    assert from_db["text"]["banner"] == closed == book["Summary"]["A3"].value
@pytest.mark.parametrize("months", [{10}, {1, 12}, {1}])
def test_last_years_payments_of_a_few_months_are_its_whole_schedules_rows(months):
    """The headline's year-on-year Profit takes last year's royalty payments of one month (two in January), each
    evaluated with the month before it: the same payments as last year's whole schedule for those months."""
    led = ledger()
    whole = R.monthly_payments(led, "2025-12")
    assert len(whole) and whole["royalty"].abs().sum() > 0  # the sample pays royalties last year
    want = whole[whole["month"].isin(months)].reset_index(drop=True)
    got = R.payments_of_months(led, "2025-12", months)
    assert sorted(set(got["month"])) == sorted(months)
    pd.testing.assert_frame_equal(got, want)


def test_the_headline_with_last_years_few_months_is_the_headline_with_its_whole_schedule(monkeypatch):
    """Same figures whether last year's royalties come from the few months the headline reads or the whole
    year's schedule (issue 21 item 8: the report no longer computes the whole schedule)."""
    led = ledger()
    p = pd.Period(PERIOD, freq="M")
    royalties = C.royalty_payments(led, PERIOD)
    rows = C.compute_completion(led, PERIOD, royalties)
    last_october = R.monthly_payments(led, "2025-12").query("month == 10")["royalty"]
    assert last_october.abs().sum() > 0  # so a missing royalty would change last year's Profit
    few = H.headline_figures(led, p, rows, royalties, "en")
    monkeypatch.setattr(R, "payments_of_months", lambda lg, period, months: R.monthly_payments(lg, period))
    whole = H.headline_figures(led, p, rows, royalties, "en")
    assert few[0] == whole[0] and few[0]["profit_last_year"] != 0
    pd.testing.assert_frame_equal(few[1], whole[1])
    pd.testing.assert_frame_equal(few[2], whole[2])
