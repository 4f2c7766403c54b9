"""A faster month close, same outputs (issue 21 item 8): completion, funds, forecast and appraisal are computed
once per ledger, and the outputs and the report that share them show what each would compute on its own; the
royalty statements built at once are the statements built one by one."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pandas as pd

from toolkit.core import appraisal as A
from toolkit.core import completion as C
from toolkit.core import forecast as FC
from toolkit.core import funds as F
from toolkit.core import royalties as R
from toolkit.core.month import shared_results
from toolkit.outputs import build
from toolkit.outputs.jsonfmt import dumps, plain, plain_column, records
from toolkit.outputs.royalties import statement_frame, statement_frames
from toolkit.report import build_context
from report_fixtures import PERIOD, SAMPLE, ledger
from toolkit.operations.source import Source

SHARED = ("completion", "funds", "forecast", "salary")


def fresh_ledger():
    """A ledger of its own: the sample's tables as ``report_fixtures.ledger`` read them once (the workbooks are not
    read again for each test), with an empty memo of its own (that cached ledger's memo is filled by other tests)."""
    read = ledger()
    return replace(read, tables=dict(read.tables), memo={}, findings=list(read.findings), files=list(read.files),
                   left_out=dict(read.left_out), langs=dict(read.langs), absent_people=dict(read.absent_people),
                   sources=dict(read.sources))


def counting(monkeypatch, evaluated: Counter) -> None:
    """Count each month evaluated, in ``evaluated``: in full (``evaluate_segments``) or for its totals alone
    (``month_end_royalty``, what ``ytd_cents`` computes); ``monkeypatch.undo()`` stops counting."""
    for name in ("evaluate_segments", "month_end_royalty"):
        real = getattr(R, name)
        monkeypatch.setattr(R, name, lambda s, c, p, t, m, _real=real: evaluated.update([m]) or _real(s, c, p, t, m))


def test_the_outputs_and_the_report_compute_the_months_results_once(monkeypatch):
    """As the month close runs them: the shared results first, then every output and the report on the same
    ledger; each computation of ``PERIOD`` runs once. And each ``per_ledger`` caller gets its own copy of the
    royalty payments; ``monthly_actuals`` of the period's year is computed once for all of them (the close's
    completion, then the outputs and the report's headline, history and appendix), and again only for payments with
    other values (one ledger's close serves both checks: building it is what costs)."""
    led = fresh_ledger()
    calls: Counter = Counter()
    for mod, name in ((C, "compute_completion"), (F, "compute_funds"), (FC, "compute_forecast"),
                      (A, "appraisal")):
        real = getattr(mod, name)
        monkeypatch.setattr(mod, name, lambda *a, _real=real, _name=name, **k:
                            calls.update([(_name, str(a[4] if _name == "appraisal" else a[1]))]) or _real(*a, **k))
    years: Counter = Counter()
    real_actuals = C._monthly_actuals
    monkeypatch.setattr(C, "_monthly_actuals", lambda ledger, year, roy:
                        years.update([(year, roy is None)]) or real_actuals(ledger, year, roy))
    shared_results(led, PERIOD)
    assert calls == {("compute_completion", PERIOD): 1, ("compute_funds", PERIOD): 1,
                     ("compute_forecast", PERIOD): 1, ("appraisal", PERIOD): 1}
    for name in SHARED:
        build(name, led, PERIOD)
    build_context(led, PERIOD)
    assert {k: v for k, v in calls.items() if k[1] == PERIOD} == {
        ("compute_completion", PERIOD): 1, ("compute_funds", PERIOD): 1, ("compute_forecast", PERIOD): 1,
        ("appraisal", PERIOD): 1}
    year = int(PERIOD[:4])
    assert years[(year, False)] == 1
    pays = R.monthly_payments(led, PERIOD)
    assert pays is not R.monthly_payments(led, PERIOD) and len(pays)
    base = C.monthly_actuals(led, year, pays)
    assert years[(year, False)] == 1
    changed = pays.assign(royalty=pays["royalty"] + 1.0)
    other = C.monthly_actuals(led, year, changed)
    assert years[(year, False)] == 2
    profit = lambda f: f[f["indicator"] == C.PROFIT]["actual"].sum()  # noqa: E731
    assert round(profit(base) - profit(other), 2) == len(pays)  # each payment one yuan more: Profit that much less


def test_shared_results_are_what_each_output_computes_on_its_own():
    """Each output built on a ledger whose results were shared (and already used by the report) has the same
    payload as on a fresh ledger."""
    shared, alone = fresh_ledger(), fresh_ledger()
    shared_results(shared, PERIOD)
    build_context(shared, PERIOD)
    for name in SHARED:
        assert dumps(build(name, shared, PERIOD).payload) == dumps(build(name, alone, PERIOD).payload), name


def test_every_statement_built_at_once_is_each_statement_built_alone():
    """The royalty output builds its statement sheets as one table cut per employee (``statement_frames``): each
    is exactly the statement built alone, column types included — also for people without a contributing row."""
    result = R.compute_royalties(ledger(), PERIOD)
    employees = [str(e) for e in result.lines["employee_id"]]
    contributions = result.contributions
    result = replace(result, contributions=contributions[contributions["employee_id"] != employees[1]])
    without = set(employees) - set(result.contributions["employee_id"].astype(str))
    assert without and len(without) < len(employees)  # both kinds are covered
    for lang in ("en", "zh"):
        together = statement_frames(result, employees, lang)
        assert list(together) == employees
        for emp in employees:
            pd.testing.assert_frame_equal(together[emp], statement_frame(result, emp, lang), check_exact=True)


def test_each_month_s_royalty_is_evaluated_once_per_ledger_and_the_same_as_alone(monkeypatch):
    """The close's payment schedule and its royalties share the months they both evaluate (October's royalties find
    September evaluated by the schedule), and a performance file's month-by-month schedules find the months already
    evaluated; every schedule and every month's royalties are what the same computation gives without the memo."""
    led = fresh_ledger()
    year, month = int(PERIOD[:4]), int(PERIOD[5:7])
    evaluated: Counter = Counter()
    counting(monkeypatch, evaluated)
    R.monthly_payments(led, PERIOD)
    R.compute_royalties(led, PERIOD)
    # the schedule evaluates every month once; the royalties evaluate October in full (its bands) and nothing else
    assert evaluated == Counter({**{q: 1 for q in range(1, month)}, month: 2})
    evaluated.clear()
    periods = [f"{year}-{p:02d}" for p in range(1, month + 1)]
    for period in periods:  # as a performance file asks each month of the year
        R.monthly_payments(led, period)
    # each month at most once per Roster as it stood (the sample's changes cut the year once); 55 without the memo
    assert sum(evaluated.values()) <= 2 * month < sum(range(1, month + 1))
    monkeypatch.undo()
    frames = R._ledger_frames(led)
    kw = dict(pay_leavers_later=R._pay_leavers_later(led), changes=R._changes(led))
    for period in (periods[2], PERIOD):  # a schedule before the Roster's change and the close's (every month)
        alone = R.payment_schedule(*frames, period, **kw)[["employee_id", "month", "royalty"]]
        pd.testing.assert_frame_equal(R.monthly_payments(led, period), alone)
    lines = R.royalties(*frames, PERIOD, departments=R.ledger_departments(led.tables),
                        absent_people=set(led.absent_people), **kw).lines
    pd.testing.assert_frame_equal(R.compute_royalties(led, PERIOD).lines, lines)  # September found in the schedule


def test_ledgers_sharing_a_run_s_evaluations_evaluate_each_month_once_and_as_alone(monkeypatch):
    """Two ledgers of one run (``Source`` gives each ledger it builds the run's ``Evaluations``): the second finds
    every month the first evaluated, and gives the same schedule and royalties as a ledger of its own; a ledger whose
    rows changed in a month evaluates that month and the later ones again, never an earlier month's result."""
    first, second = fresh_ledger(), fresh_ledger()
    shared = R.Evaluations()
    for led in (first, second):
        R.share_evaluations(led, shared)
    month = int(PERIOD[5:7])
    evaluated: Counter = Counter()
    counting(monkeypatch, evaluated)
    R.monthly_payments(first, PERIOD)
    assert evaluated == Counter(range(1, month + 1)) and shared.computed >= month
    evaluated.clear()
    kept = shared.computed
    pays = R.monthly_payments(second, PERIOD)
    assert evaluated == Counter() and shared.computed == kept and shared.found >= month  # every month found
    # the royalties of the period evaluate the period in full (its bands) and find the month before
    lines = R.compute_royalties(second, PERIOD).lines
    assert evaluated == Counter({month: 1})
    monkeypatch.undo()
    alone = fresh_ledger()
    pd.testing.assert_frame_equal(pays, R.monthly_payments(alone, PERIOD))
    pd.testing.assert_frame_equal(lines, R.compute_royalties(alone, PERIOD).lines)
    # a receipt of June a tenth larger: June on are evaluated again, January to May are found
    changed = fresh_ledger()
    R.share_evaluations(changed, shared)
    col = changed.tables["Collections"]
    june = pd.to_datetime(col["receipt_date"]).dt.month == 6
    assert june.any()
    changed.tables["Collections"] = col.assign(amount=col["amount"].where(~june, col["amount"] * 1.1))
    counting(monkeypatch, evaluated)
    evaluated.clear()
    got = R.monthly_payments(changed, PERIOD)
    assert set(evaluated) == set(range(6, month + 1))
    monkeypatch.undo()
    own = fresh_ledger()  # no shared evaluations: everything computed on this ledger alone
    assert R.EVALUATIONS_KEY not in own.memo
    own.tables["Collections"] = changed.tables["Collections"]
    pd.testing.assert_frame_equal(got, R.monthly_payments(own, PERIOD))
    assert not got.equals(pays)  # the change shows: nothing of the first ledger's was taken for it


def test_a_run_s_evaluations_keep_only_the_latest_and_are_owned_by_the_source(monkeypatch):
    """``Evaluations`` is bounded (the entries used last are kept) and compares the inputs held, not only their
    digests; each ``Source`` shares one with every ledger it builds, and a caller may pass its own to share it
    across sources (a year of closes in one process)."""
    evals = R.Evaluations(size=2)
    frame = pd.DataFrame({"employee_id": ["E1"], "cents": [100]})
    calls: list[int] = []

    def compute(n: int):
        return lambda: calls.append(n) or frame.assign(cents=n)

    for n in (1, 2, 1, 3):  # 1 is found, then 3 pushes out 2 (used before 1)
        got = evals.get(("ytd_cents", 2026, n), (frame,), None, compute(n))
    assert calls == [1, 2, 3] and len(evals) == 2 and got["cents"].tolist() == [3]
    assert evals.get(("ytd_cents", 2026, 1), (frame,), None, compute(9))["cents"].tolist() == [1]
    evals.get(("ytd_cents", 2026, 2), (frame,), None, compute(4))  # 2 was dropped: computed again
    assert calls == [1, 2, 3, 4] and (evals.computed, evals.found) == (4, 2)
    other = frame.assign(employee_id="E2")
    assert evals.get(("ytd_cents", 2026, 2), (other,), None, compute(5))["cents"].tolist() == [5]  # other values
    monkeypatch.setattr(R, "_digest", lambda f: b"one digest for every frame")  # as if two inputs collided
    evals.get(("ytd_cents", 2026, 7), (frame,), None, compute(6))
    assert evals.get(("ytd_cents", 2026, 7), (other,), None, compute(7))["cents"].tolist() == [7]
    monkeypatch.undo()
    source = Source([SAMPLE], SAMPLE / "standards.xlsx", force=True)
    assert source.evaluations is not Source().evaluations
    given = R.Evaluations()
    assert Source(evaluations=given).over([SAMPLE]).evaluations is given


def test_statements_cut_from_the_result_at_once_are_those_of_the_callers_parts():
    """``statement_frames`` without ``parts`` cuts every employee's bands and contributing rows from the result at
    once (the royalty workbook's 145 statements); with ``parts`` it takes the caller's pieces. Both give the same
    statements, column types included — also for someone without a contributing row or without bands — and the
    royalty workbook's statement sheets are those statements."""
    result = R.compute_royalties(ledger(), PERIOD)
    employees = [str(e) for e in result.lines["employee_id"]]
    contributions, bands = result.contributions, result.bands
    result = replace(result, contributions=contributions[contributions["employee_id"] != employees[1]],
                     bands=bands[bands["employee_id"] != employees[2]])
    parts = {e: (result.bands[result.bands["employee_id"] == e],
                 result.contributions[result.contributions["employee_id"] == e]) for e in employees}
    assert not len(parts[employees[1]][1]) and not len(parts[employees[2]][0]) and len(parts[employees[0]][1])
    for lang in ("en", "zh"):
        at_once = statement_frames(result, employees, lang)
        given = statement_frames(result, employees, lang, parts)
        reordered = statement_frames(result, employees[::-1], lang)  # the order asked, whatever the result's
        assert list(at_once) == list(given) == employees
        for emp in employees:
            pd.testing.assert_frame_equal(at_once[emp], given[emp], check_exact=True)
            pd.testing.assert_frame_equal(reordered[emp], given[emp], check_exact=True)
    out = build("royalties", ledger(), PERIOD)
    sheets = {s.table_name: s.frame for s in out.sheets()}
    computed = [str(e) for e in out.result.lines.loc[out.result.lines["status"] == R.COMPUTED, "employee_id"]]
    full = R.compute_royalties(ledger(), PERIOD)
    given = statement_frames(full, computed, "en", {
        e: (full.bands[full.bands["employee_id"] == e], full.contributions[full.contributions["employee_id"] == e])
        for e in computed})
    for emp in computed:
        pd.testing.assert_frame_equal(sheets[f"Statement_{emp}"], given[emp], check_exact=True)


def test_the_salary_json_lists_each_employees_terms_as_grouped():
    """The salary JSON takes each employee's appraisal terms from one ``to_dict`` of all terms: the terms
    ``groupby(employee_id).get_group`` gives, in order, none for an employee without terms and none for a term
    without an employee."""
    result = A.compute_appraisal(ledger(), PERIOD)
    first = result.lines["employee_id"].iloc[0]
    blank = result.terms.iloc[:1].assign(employee_id=None)
    terms = pd.concat([result.terms[result.terms["employee_id"] != first], blank], ignore_index=True)
    result = replace(result, terms=terms)
    got = {row["employee_id"]: row["terms"] for row in result.to_dict("en")["salaries"]}
    grouped = terms.groupby("employee_id")
    assert got[first] == [] and len(got) == len(result.lines)
    for emp, listed in got.items():
        want = grouped.get_group(emp).to_dict("records") if emp in grouped.groups else []
        assert listed == [{"indicator": t["indicator"], "weight": A._ratio(t["weight"]),
                           "ytd_completion": A._ratio(t["ytd_completion"]), "review": A._ratio(t["review"]),
                           "value": A._ratio(t["value"]), "points": A._ratio(t["points"])} for t in want], emp


def test_the_payout_ledger_s_ytd_finds_the_schedule_s_months_and_is_the_direct_evaluation(monkeypatch):
    """``ytd_function`` with a period evaluates through the ledger's memo: after the payment schedule, R at the end of
    a month it evaluated is found (a first close's opening months), and rows it did not evaluate are evaluated; each
    is what evaluating those rows directly gives (the function before the memo)."""
    led = fresh_ledger()
    year, month = int(PERIOD[:4]), int(PERIOD[5:7])
    R.monthly_payments(led, PERIOD)
    frames = R._ledger_frames(led)
    roster = frames[3]
    staff = R.staff_segments(roster, R._changes(led), frames[4], frames[5], year, month, [])
    targets = R.grouped_plan(R.employed_plan(frames[2], roster, year))
    tiers = R.versioned_tiers(frames[5])

    def direct(rows: pd.DataFrame, m: int) -> pd.Series:
        lines, _ = R.evaluate(staff, rows, targets, tiers, m)
        return pd.Series(R.cents(pd.Series(lines["ytd_royalty_exact"])), index=lines["employee_id"].to_numpy())

    contrib = R.ytd_contributions(led, PERIOD)
    someone = contrib["employee_id"].iloc[0]
    evaluated: Counter = Counter()
    counting(monkeypatch, evaluated)
    ytd = R.ytd_function(led, period=PERIOD)
    cases = [(contrib[contrib["date"] < R.month_end(year, m)], m) for m in (month - 1, 3)]
    for rows, m in cases:
        got = ytd(rows, m)
        assert not evaluated  # found: the schedule evaluated these very rows
        pd.testing.assert_series_equal(got, direct(rows, m))
        evaluated.clear()  # what ``direct`` evaluated
    fewer = cases[0][0][cases[0][0]["employee_id"] != someone]  # rows the schedule never evaluated
    got = ytd(fewer, month - 1)
    assert evaluated == Counter({month - 1: 1})
    pd.testing.assert_series_equal(got, direct(fewer, month - 1))


def test_row_hashes_cut_per_month_are_the_hashes_of_the_month_s_rows_and_frame_digests_are_reused_by_identity(
        monkeypatch):
    """The payment schedule hashes its contribution rows once and cuts the hashes per month: a row's hash is that
    of the row alone. ``Evaluations.get(held_frames=True)`` digests the same frame object once; another frame, even
    of other values, gets its own digest and its own result."""
    contrib = R.ytd_contributions(fresh_ledger(), PERIOD)
    year = int(PERIOD[:4])
    for m in (1, 6, 10):
        upto = (contrib["date"] < R.month_end(year, m)).to_numpy()
        assert (R.row_hashes(contrib)[upto] == R.row_hashes(contrib[upto])).all()
    evals = R.Evaluations()
    frame = pd.DataFrame({"employee_id": ["E1"], "cents": [100]})
    other = frame.assign(cents=200)
    digested: list[int] = []
    real = R._digest
    monkeypatch.setattr(R, "_digest", lambda f: digested.append(id(f)) or real(f))
    for n in range(1, 4):
        evals.get(("ytd_cents", 2026, n), (frame,), None, lambda n=n: frame.assign(cents=n), held_frames=True)
    assert digested.count(id(frame)) == 1  # the rows (None) are digested each time, the held frame once
    got = evals.get(("ytd_cents", 2026, 1), (other,), None, lambda: frame.assign(cents=9), held_frames=True)
    assert got["cents"].tolist() == [9] and digested.count(id(other)) == 1
    assert evals.get(("ytd_cents", 2026, 1), (frame,), None, lambda: frame.assign(cents=7),
                     held_frames=True)["cents"].tolist() == [1]


def test_json_columns_of_numbers_are_the_values_plain_gives_value_by_value():
    """``jsonfmt.plain_column`` converts a numpy number or boolean column in C: the same Python values, of the same
    types, as ``plain`` of each value (NaN None, infinities and -0.0 kept); other columns go value by value."""
    frame = pd.DataFrame({
        "i": pd.Series([1, -2, 3], dtype="int64"), "u": pd.Series([0, 7, 255], dtype="uint8"),
        "b": [True, False, True], "f": [1.5, float("nan"), -0.0], "g": pd.Series([0.1, float("inf"), 2.0],
                                                                                 dtype="float32"),
        "n": pd.Series([1, None, 3], dtype="Int64"), "o": [1, "x", None], "s": pd.Series(["a", None, "c"], dtype="string"),
        "d": pd.to_datetime(["2026-10-01", None, "2026-10-31"]),
    })
    for col in frame.columns:
        fast = plain_column(frame[col])
        slow = [plain(v) for v in frame[col].astype(object)]
        assert [type(v) for v in fast] == [type(v) for v in slow], col
        assert repr(fast) == repr(slow), col  # -0.0, inf and None as plain gives them
    assert records(frame, ["f", "b"], ratio_cols=["f"]) == [{"f": 1.5, "b": True}, {"f": None, "b": False},
                                                            {"f": -0.0, "b": True}]
