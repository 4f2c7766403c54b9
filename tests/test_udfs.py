"""Worksheet functions: scalars, arrays (a column in, a column out), blanks, bad input; same numbers as
the core computations behind the CLI, with the standards read from a real workbook file."""

from __future__ import annotations

import datetime as dt
import inspect

import numpy as np
import pandas as pd
import pytest

from ledger_factory import department_book, ledger, plan_row, typed
from toolkit.core import funds as F
from toolkit.core.completion import compute_completion
from toolkit.core.royalties import compute_royalties
from toolkit.core.workdays import Calendar
from toolkit.excel import settings as S
from toolkit.excel import udfs as U
from toolkit.io.reader import read_workbook
from toolkit.io.templates import write_workbook
from toolkit.money import round_float
from toolkit.schema import STANDARDS, THRESHOLD_DEFAULTS

HOLIDAY, MAKEUP = dt.date(2026, 6, 19), dt.date(2026, 6, 28)  # a Friday off, a Sunday worked


@pytest.fixture()
def standards_file(tmp_path, monkeypatch):
    """A standards workbook written by the toolkit, named by the settings (environment layer)."""
    frames = {
        "Roster": typed(STANDARDS.table("Roster"), [
            {"employee_id": "E1", "name": "Ann", "department": "Sales", "role": "Salesperson", "grade": "G2",
             "royalty_plan": "M"},
            {"employee_id": "E2", "name": "Bo", "department": "Sales", "role": "Salesperson", "grade": "G2",
             "royalty_plan": "R"}]),
        "RoyaltyPlans": typed(STANDARDS.table("RoyaltyPlans"), [
            {"plan": "M", "basis": "Collected", "method": "Marginal", "gate": 0.5},
            {"plan": "R", "basis": "Signed", "method": "Retroactive", "gate": 0.0}]),
        "RoyaltyTiers": typed(STANDARDS.table("RoyaltyTiers"), [
            {"plan": "M", "from_pct": 0.0, "to_pct": 1.0, "rate": 0.02}, {"plan": "M", "from_pct": 1.0, "rate": 0.05},
            {"plan": "R", "from_pct": 0.0, "to_pct": 0.8, "rate": 0.01},
            {"plan": "R", "from_pct": 0.8, "to_pct": 1.0, "rate": 0.02}, {"plan": "R", "from_pct": 1.0, "rate": 0.03}]),
        "Holidays": typed(STANDARDS.table("Holidays"), [{"date": HOLIDAY, "kind": "Holiday"},
                                                       {"date": MAKEUP, "kind": "Workday"}]),
        "Thresholds": typed(STANDARDS.table("Thresholds"), [{"name": "Amber Band", "value": 5.0}]),
    }
    path = write_workbook(tmp_path / "standards.xlsx", STANDARDS, "en", frames=frames)
    monkeypatch.setenv(S.STANDARDS_KEY, str(path))
    return path


@pytest.fixture()
def no_standards(tmp_path, monkeypatch):
    monkeypatch.delenv(S.STANDARDS_KEY, raising=False)
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))


# --- TK_ROYALTY ---------------------------------------------------------------------------------

def test_royalty_equals_the_core_computation(standards_file):
    std = read_workbook(standards_file, kind="standards")
    book = department_book(
        "Sales", 2026,
        Contracts=[{"contract_no": "K1", "sign_date": "2026-01-05", "customer": "C", "employee_id": "E1",
                    "amount": 90000.0, "status": "Signed"},
                   {"contract_no": "K2", "sign_date": "2026-02-03", "customer": "C", "employee_id": "E2",
                    "amount": 17000.0, "status": "Signed"}],
        Collections=[{"receipt_no": "R1", "receipt_date": "2026-01-20", "contract_no": "K1", "amount": 8000.25},
                     {"receipt_no": "R2", "receipt_date": "2026-02-15", "contract_no": "K1", "amount": 15000.0}],
        Plan=[plan_row("E1", "Collection", [10000.0, 10000.0]), plan_row("E2", "Signing", [10000.0, 10000.0])],
    )
    result = compute_royalties(ledger([book], std), "2026-02")
    lines = result.lines.set_index("employee_id")
    bases = [[lines.loc[e, "ytd_base"]] for e in ("E1", "E2")]
    targets = [[lines.loc[e, "ytd_target"]] for e in ("E1", "E2")]
    got = U.TK_ROYALTY(bases, targets, [["M"], ["R"]])
    assert got == [[float(lines.loc["E1", "ytd_royalty"])], [float(lines.loc["E2", "ytd_royalty"])]]
    assert got == [[550.01], [340.0]]  # 2% x 20,000 + 5% x 3,000.25; 85% completion -> 2% of all 17,000
    assert U.TK_ROYALTY(8000, 20000, "M") == 0.0  # below the 50% gate
    assert U.TK_ROYALTY(5000, 0, "M") == 0.0  # no target


def test_royalty_blanks_and_bad_input(standards_file):
    assert U.TK_ROYALTY(None, 1000, "M") is None
    assert U.TK_ROYALTY([[1000], [""], ["abc"]], 1000, "M") == [[20.0], [None], ["#TK! not a number"]]
    assert U.TK_ROYALTY(1000, 1000, "Nope") == "#TK! unknown plan"


def test_royalty_without_standards_says_so(no_standards):
    assert U.TK_ROYALTY(1000, 1000, "M") == "#TK! no standards workbook in the settings"


def test_royalty_with_a_missing_standards_file(monkeypatch, tmp_path):
    monkeypatch.setenv(S.STANDARDS_KEY, str(tmp_path / "gone.xlsx"))
    assert U.TK_ROYALTY(1000, 1000, "M") == "#TK! standards workbook not found"


# --- TK_COMPLETION / TK_PACING / TK_RAG ---------------------------------------------------------

def test_completion_pacing_rag_equal_the_core(standards_file):
    std = read_workbook(standards_file, kind="standards")
    book = department_book(
        "Sales", 2026,
        Contracts=[{"contract_no": "K1", "sign_date": "2026-01-05", "customer": "C", "employee_id": "E1",
                    "amount": 45000.0, "status": "Signed"},
                   {"contract_no": "K2", "sign_date": "2026-02-05", "customer": "C", "employee_id": "E2",
                    "amount": 100.0, "status": "Signed"}],
        Plan=[plan_row("E1", "Signing", [10000.0] * 12), plan_row("E2", "Signing", [0.0] * 12)],
    )
    table = compute_completion(ledger([book], std), "2026-06")
    emp = table[(table["level"] == "employee") & (table["indicator"] == "Signing")].set_index("key")
    actual = [[emp.loc[e, "ytd_actual"]] for e in ("E1", "E2")]
    target = [[emp.loc[e, "ytd_target"]] for e in ("E1", "E2")]
    comp = U.TK_COMPLETION(actual, target)
    assert comp[0][0] == pytest.approx(emp.loc["E1", "ytd_completion"]) == 0.75
    assert comp[1][0] is None and pd.isna(emp.loc["E2", "ytd_completion"])  # target 0 -> blank
    annual = U.TK_COMPLETION(actual, [[emp.loc[e, "annual_target"]] for e in ("E1", "E2")])
    assert U.TK_PACING(annual, "2026-06") == [[pytest.approx(emp.loc["E1", "pacing"])], [None]]
    assert U.TK_RAG(comp, "2026-06") == [[emp.loc["E1", "rag"]], [None]]
    assert emp.loc["E1", "rag"] == "red"  # 75% of the plan to date, 25 points short


def test_rag_uses_the_amber_band_of_the_standards(standards_file, no_standards, monkeypatch):
    # default basis: plan-to-date completion against 100%; the standards say 5 points amber, the default is 10
    monkeypatch.setenv(S.STANDARDS_KEY, str(standards_file))
    column = [[1.00], [0.96], [0.94], [None], ["n/a"]]
    assert U.TK_RAG(column, "2026-06") == [["green"], ["amber"], ["red"], [None], ["#TK! not a number"]]
    assert U.TK_RAG(1.06, "2026-06", True) == "red" and U.TK_RAG(1.04, 6, "TRUE") == "amber"
    assert U.TK_RAG(0.93, "2026-06", True) == "green"  # under the budget to date is never red
    assert U.TK_RAG(0.95, dt.date(2026, 6, 30), False) == "amber"  # the band edge is amber, as in the core
    monkeypatch.delenv(S.STANDARDS_KEY)
    assert THRESHOLD_DEFAULTS["Amber Band"] == 10.0
    assert U.TK_RAG(0.94, "2026-06") == "amber"  # within the default 10 points


def test_rag_and_pacing_on_time_progress_follow_the_standards(tmp_path, monkeypatch):
    # RAG vs Time Progress = 1 and Time Progress by Days = 1: June 2026 ends on day 181 of 365
    frames = {"Thresholds": typed(STANDARDS.table("Thresholds"), [
        {"name": "RAG vs Time Progress", "value": 1.0}, {"name": "Time Progress by Days", "value": 1.0}])}
    path = write_workbook(tmp_path / "standards.xlsx", STANDARDS, "en", frames=frames)
    monkeypatch.setenv(S.STANDARDS_KEY, str(path))
    tp = 181 / 365
    assert U.TK_PACING(tp, "2026-06") == pytest.approx(1.0)
    assert U.TK_RAG([[tp], [tp - 0.05], [tp - 0.11]], "2026-06") == [["green"], ["amber"], ["red"]]
    assert U.TK_RAG(tp + 0.05, "2026-06", True) == "amber"


def test_completion_pacing_rag_bad_input(no_standards):
    assert U.TK_COMPLETION("x", 10) == "#TK! not a number"
    assert U.TK_COMPLETION(True, 10) == "#TK! not a number"
    assert U.TK_COMPLETION("80%", 1) == pytest.approx(0.8)
    assert U.TK_PACING(0.5, "June") == "#TK! period is not YYYY-MM"
    assert U.TK_PACING(0.5, 13) == "#TK! period is not YYYY-MM"
    assert U.TK_PACING([[0.25, 0.5]], "2026-03") == [[1.0, 2.0]]  # annual completion ÷ 3/12
    assert U.TK_RAG(0.5, "2026-06", "perhaps") == "#TK! not TRUE/FALSE"
    assert U.TK_COMPLETION([[1, 2, 3]], [[1, 2]]) == "#TK! ranges differ in size"


# --- TK_AGING / TK_WORKDAYS / TK_ROUND ----------------------------------------------------------

def test_aging_equals_the_core_buckets(no_standards):
    as_of = dt.date(2026, 6, 30)
    due = [dt.date(2026, 7, 1), dt.date(2026, 6, 30), dt.date(2026, 6, 29), dt.date(2026, 5, 31),
           dt.date(2026, 5, 30), dt.date(2026, 4, 1), dt.date(2026, 3, 1)]
    days = pd.Series([(as_of - d).days for d in due])
    expected = [[b] for b in F.bucket_of(days)]
    assert U.TK_AGING([[d] for d in due], as_of) == expected
    assert [row[0] for row in expected] == ["not_due", "not_due", "1-30", "1-30", "31-60", "61-90", "91-180"]
    assert U.TK_AGING("2026-06-01", 46203) == "1-30"  # an Excel serial as the as-of date (2026-06-30)
    assert U.TK_AGING(None, as_of) is None
    assert U.TK_AGING("soon", as_of) == "#TK! not a date"


def test_workdays_honour_the_standards_holidays(standards_file):
    cal = Calendar.from_table(read_workbook(standards_file, kind="standards").tables["Holidays"])
    start, end = dt.date(2026, 6, 1), dt.date(2026, 6, 30)
    expected = float(cal.working_days(np.array([start], "datetime64[D]"), np.array([end], "datetime64[D]"))[0])
    assert U.TK_WORKDAYS(start, end) == expected == 22.0  # 22 weekdays - 1 holiday + 1 make-up Sunday
    assert U.TK_WORKDAYS([[start], [dt.date(2026, 6, 19)], [None]], [[dt.date(2026, 6, 5)], [dt.date(2026, 6, 19)], [end]]) \
        == [[5.0], [0.0], [None]]


def test_workdays_without_standards_counts_weekdays(no_standards):
    assert U.TK_WORKDAYS("2026-06-01", "2026-06-30") == 22.0
    assert U.TK_WORKDAYS("2026-06-01", "later") == "#TK! not a date"


def test_round_is_excel_round():
    assert U.TK_ROUND(2.675, 2) == 2.68 == round_float(2.675, 2)
    assert U.TK_ROUND(-2.5, 0) == -3.0 and U.TK_ROUND(-0.005, 2) == -0.01
    assert U.TK_ROUND([[1.005], [2.5], [None], ["x"]], [[2], [0], [1], [1]]) == [[1.01], [3.0], [None], ["#TK! not a number"]]
    assert U.TK_ROUND(1234.5678, -2) == 1200.0
    assert U.TK_ROUND(1.25, None) == 1.25 and U.TK_ROUND(1.255) == 1.26
    assert U.TK_ROUND(1.2, 0.5) == "#TK! digits must be a whole number"


def test_every_udf_is_registered_for_xlwings():
    names = {f.__name__ for f in U.UDFS}
    assert names == {"TK_ROYALTY", "TK_COMPLETION", "TK_PACING", "TK_RAG", "TK_AGING", "TK_WORKDAYS", "TK_ROUND"}
    assert list(inspect.signature(U.TK_RAG).parameters) == ["completion", "period", "lower_is_better"]
    assert S.UDF_MODULES == U.__name__  # what the add-in's settings sheet tells xlwings to import
