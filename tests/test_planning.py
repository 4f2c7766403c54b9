"""The pure allocation rules of toolkit.core.planning: exact sums, held values, seasonality, shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.core import planning as P
from toolkit.errors import ToolkitError


@given(total_units=st.integers(0, 10_000), weights=st.lists(st.floats(0, 1e6), min_size=1, max_size=15),
       unit=st.sampled_from([1.0, 100.0, 1000.0]))
def test_allocate_adds_up_exactly_in_whole_units(total_units: int, weights: list[float], unit: float) -> None:
    total = total_units * unit
    out = P.allocate(total, weights, unit)
    assert round(out.sum() * 100) == round(total * 100)
    assert all(round(v * 100) % round(unit * 100) == 0 for v in out)
    w = np.asarray(weights)
    if w.sum() > 0:  # largest remainder: nobody more than one unit from the exact share
        exact = total * w / w.sum()
        assert np.all(np.abs(out - exact) < unit + 1e-6)


def test_allocate_keeps_held_values_and_spreads_the_rest_pro_rata() -> None:
    out = P.allocate(1_000_000, [1, 1, 2], 1000, fixed={0: 123_456.78})
    assert out[0] == 123_456.78
    assert round(out.sum(), 2) == 1_000_000
    # the free two share 876,543.22 as 1:2 in whole thousands; the sub-unit rest lands on the larger
    assert out[1] == 292_000 and out[2] == 1_000_000 - 123_456.78 - 292_000


def test_allocate_refuses_holds_beyond_the_total() -> None:
    with pytest.raises(ValueError, match="exceeds"):
        P.allocate(100, [1, 1], 1, fixed={0: 150})
    with pytest.raises(ValueError, match="all"):
        P.allocate(100, [1, 1], 1, fixed={0: 50, 1: 40})


def test_allocate_zero_weights_split_evenly() -> None:
    assert list(P.allocate(12_000, [0, 0, 0], 1000)) == [4000, 4000, 4000]


def _monthly(values: list[float], start: str) -> pd.Series:
    idx = pd.period_range(start, periods=len(values), freq="M")
    return pd.Series(values, index=idx)


def test_seasonality_needs_every_calendar_month() -> None:
    as_of = pd.Period("2026-12", freq="M")
    assert P.seasonality(_monthly([1.0] * 11, "2026-02"), as_of) is None
    prof = P.seasonality(_monthly([1.0] * 11 + [3.0], "2026-01"), as_of)
    assert prof is not None and prof.sum() == pytest.approx(1) and prof[11] == pytest.approx(3 / 14)
    assert P.seasonality(_monthly([1.0] * 12, "2026-01"), as_of, min_months=24) is None


def test_blended_shares_weigh_last_year_and_drop_leavers() -> None:
    last = pd.Series({"A": 60.0, "B": 40.0, "Gone": 100.0})
    before = pd.Series({"A": 20.0, "B": 80.0})
    s = P.blended_shares(last, before, ["A", "B", "New"], blend=0.75)
    assert s["A"] == pytest.approx(0.75 * 0.6 + 0.25 * 0.2)
    assert s["New"] == 0 and "Gone" not in s
    assert s.sum() == pytest.approx(1)


def _history() -> pd.DataFrame:
    rows = []
    for month in pd.period_range("2025-01", "2026-12", freq="M"):
        season = 2.0 if month.month == 12 else 1.0
        for dept, emp, size in (("D1", "A", 100.0), ("D1", "B", 300.0), ("D2", "C", 600.0)):
            for measure in (P.SIGNING, P.COLLECTION):
                rows.append((dept, emp, measure, month, size * season * 1000))
            rows.append((dept, emp, P.EXPENSE, month, size * 10))
            rows.append((dept, emp, P.GROSS, month, size * season * 300))
    return pd.DataFrame(rows, columns=["department", "employee_id", "measure", "month", "actual"])


ROSTER = pd.DataFrame({"employee_id": ["A", "B", "C", "N", "M"], "department": ["D1", "D1", "D2", "D2", "D1"],
                       "role": ["Salesperson"] * 4 + ["Manager"]})


def test_draft_rows_add_up_from_person_to_company() -> None:
    rules = P.PlanRules(2027, growth={P.SIGNING: 0.1, P.COLLECTION: 0.0})
    d = P.draft_plan(_history(), ROSTER, rules)
    rows = d.rows
    months = rows[list(P.MONTH_KEYS)].to_numpy()
    assert np.allclose(months.sum(axis=1), rows["annual"])
    company = d.totals("company").set_index("indicator")["annual"]
    assert company["Signing"] == round(13 * 1_000_000 * 1.1, -3)  # last year's 12 months were 13 M
    assert company["Collection"] == 13 * 1_000_000
    # December is twice the other months, in whole thousands
    a = rows[(rows["employee_id"] == "C") & (rows["indicator"] == "Signing")].iloc[0]
    assert a["m12"] == pytest.approx(2 * a["m01"], rel=0.01)
    assert set(rows.loc[rows["employee_id"] == "M", "indicator"]) == {"Expense"}
    # the new hire N gets half the average share of D2 (C alone): 0.5 / 1.5 of D2
    d2 = rows[(rows["department"] == "D2") & (rows["indicator"] == "Collection")].set_index("employee_id")["annual"]
    assert d2["N"] / d2.sum() == pytest.approx(1 / 3, abs=1e-3)
    assert any(f.code == "plan-new-hire" and f.value == "N" for f in d.findings)


def test_draft_holds_stay_and_the_rest_absorb() -> None:
    base = P.draft_plan(_history(), ROSTER, P.PlanRules(2027)).rows
    held = P.Hold(P.SIGNING, "D1", None, None, 2_345_678.0, "x")
    month = P.Hold(P.COLLECTION, "D2", "C", 3, 77_000.0, "y")
    rows = P.draft_plan(_history(), ROSTER, P.PlanRules(2027, holds=[held, month])).rows
    sig = rows[rows["indicator"] == "Signing"].groupby("department")["annual"].sum()
    assert sig["D1"] == 2_345_678.0
    assert sig.sum() == base[base["indicator"] == "Signing"]["annual"].sum()
    c = rows[(rows["employee_id"] == "C") & (rows["indicator"] == "Collection")].iloc[0]
    c0 = base[(base["employee_id"] == "C") & (base["indicator"] == "Collection")].iloc[0]
    assert c["m03"] == 77_000 and c["annual"] == c0["annual"]


def test_draft_refuses_impossible_holds() -> None:
    too_much = P.Hold(P.SIGNING, "D1", None, None, 1e12, "settings.xlsx: Held Values!E2")
    with pytest.raises(ToolkitError, match=r"Held Values!E2.*more than"):
        P.draft_plan(_history(), ROSTER, P.PlanRules(2027, holds=[too_much]))
    nobody = P.Hold(P.SIGNING, None, "ZZ9", None, 1000, "settings.xlsx: Held Values!E3")
    with pytest.raises(ToolkitError, match=r"Held Values!E3.*ZZ9"):
        P.draft_plan(_history(), ROSTER, P.PlanRules(2027, holds=[nobody]))
    profit = P.Hold(P.PROFIT, "D1", None, None, 1000, "settings.xlsx: Held Values!E4")
    with pytest.raises(ToolkitError, match="Profit is derived"):
        P.draft_plan(_history(), ROSTER, P.PlanRules(2027, holds=[profit]))


def test_short_history_spreads_evenly_and_says_so() -> None:
    h = _history()
    h = h[h["month"] >= pd.Period("2026-06", freq="M")]
    d = P.draft_plan(h, ROSTER, P.PlanRules(2027))
    a = d.rows[(d.rows["employee_id"] == "C") & (d.rows["indicator"] == "Signing")].iloc[0]
    assert len({a[k] for k in P.MONTH_KEYS}) <= 2  # even, up to the unit rounding
    assert any(f.code == "plan-even-seasonality" for f in d.findings)


def test_draft_gives_a_hire_only_the_months_after_their_start_and_a_leaver_nothing() -> None:
    """Issue 23 (docs/people.md): N starts in September 2027; B left in 2026 and stays on the Roster."""
    roster = ROSTER.assign(start_date=pd.to_datetime([None, None, None, "2027-09-14", None]),
                           leave_date=pd.to_datetime([None, "2026-11-30", None, None, None]))
    rules = P.PlanRules(2027, growth={P.SIGNING: 0.0, P.COLLECTION: 0.0})
    d = P.draft_plan(_history(), roster, rules).rows
    n = d[(d["employee_id"] == "N") & (d["indicator"] == "Collection")].iloc[0]
    assert [n[k] for k in P.MONTH_KEYS[:8]] == [0.0] * 8 and all(n[k] > 0 for k in P.MONTH_KEYS[8:])
    assert n["annual"] == pytest.approx(sum(n[k] for k in P.MONTH_KEYS))
    # N's September–December are what they would be with a full-year share
    full = P.draft_plan(_history(), ROSTER.drop(index=1), rules).rows
    f = full[(full["employee_id"] == "N") & (full["indicator"] == "Collection")].iloc[0]
    assert [n[k] for k in P.MONTH_KEYS[8:]] == [f[k] for k in P.MONTH_KEYS[8:]]
    assert "B" not in set(d["employee_id"])  # the leaver plans nothing; A takes D1's whole target
    d1 = d[(d["department"] == "D1") & (d["indicator"] == "Collection")].set_index("employee_id")["annual"]
    assert set(d1.index) == {"A"}


def _months(values: list[float]) -> dict[str, float]:
    return {f"m{i:02d}": v for i, v in enumerate(values, start=1)}


def test_budget_by_category_splits_each_month_exactly_by_blended_spend() -> None:
    """Issue 28, worked by hand: D1 spent Travel 600 / Advertising 300 / Meals 100 in the last 12 months and
    200 / 600 / 200 the year before, so its blended shares are 0.4667 / 0.40 / 0.1333. A month of 1,000 in units
    of 100 is 4.67 / 4.00 / 1.33 units → floors 4 + 4 + 1, the unit left to Travel (.67): 500 / 400 / 100.
    December's held 1,050.50 gives the same units and its 50.50 below a unit to the largest share (Travel).
    D2 has no spend by category: the company's mix (here D1's), with a note."""
    rows = pd.DataFrame([
        {"department": "D1", "employee_id": "A", "indicator": "Expense", **_months([600.0] * 11 + [650.5])},
        {"department": "D1", "employee_id": "B", "indicator": "Expense", **_months([400.0] * 12)},
        {"department": "D1", "employee_id": "A", "indicator": "Signing", **_months([9e5] * 12)},
        {"department": "D2", "employee_id": "C", "indicator": "Expense", **_months([1000.0] * 12)},
    ])
    last, before = pd.Period("2026-06", freq="M"), pd.Period("2025-06", freq="M")
    history = pd.DataFrame([
        ("D1", "Travel", last, 600.0), ("D1", "Advertising", last, 300.0), ("D1", "Meals", last, 100.0),
        ("D1", "Travel", before, 200.0), ("D1", "Advertising", before, 600.0), ("D1", "Meals", before, 200.0),
        ("D1", "Travel", pd.Period("2027-01", freq="M"), 1e6),  # after as_of: not history
    ], columns=["department", "category", "month", "actual"])
    budget, notes = P.budget_by_category(rows, history, pd.Period("2026-12", freq="M"), unit=100.0)
    d1 = budget[budget["department"] == "D1"].set_index("category")
    assert list(d1.index) == ["Travel", "Meals", "Advertising"]  # the standards' order of categories
    assert d1.loc["Travel", "m01"] == 500.0 and d1.loc["Advertising", "m01"] == 400.0 and d1.loc["Meals", "m01"] == 100.0
    assert (d1.loc["Travel", "m12"], d1.loc["Advertising", "m12"], d1.loc["Meals", "m12"]) == (550.5, 400.0, 100.0)
    assert d1["annual"].to_dict() == {"Travel": 6050.5, "Meals": 1200.0, "Advertising": 4800.0}
    d2 = budget[budget["department"] == "D2"].set_index("category")
    assert d2["m01"].to_dict() == {"Travel": 500.0, "Meals": 100.0, "Advertising": 400.0}
    assert [(n.code, n.value) for n in notes] == [("plan-budget-company-mix", "D2")]
    months = [f"m{i:02d}" for i in range(1, 13)]
    expense = rows[rows["indicator"] == "Expense"].groupby("department")[months].sum()
    sums = budget.groupby("department")[months].sum()
    assert (np.round(sums * 100) == np.round(expense * 100)).all().all()  # to the cent, every month


def test_budget_without_any_history_is_even_and_claims_rejected_do_not_count() -> None:
    claims = pd.DataFrame({"department": ["D1"] * 3, "category": ["Travel", "Meals", "Lottery"],
                           "date": pd.to_datetime(["2026-03-01", "2026-03-02", "2026-03-03"]),
                           "amount": [100.0, 50.0, 70.0], "approval": ["Rejected", "Approved", None]})
    hist = P.category_history(claims)
    assert hist[["category", "actual"]].values.tolist() == [["Meals", 50.0]]  # rejected and unknown left out
    rows = pd.DataFrame([{"department": "D9", "employee_id": "Z", "indicator": "Expense", **_months([800.0] * 12)}])
    budget, notes = P.budget_by_category(rows, hist.iloc[0:0], pd.Period("2026-12", freq="M"), unit=100.0)
    assert len(budget) == 8 and budget["m01"].tolist() == [100.0] * 8
    assert [n.code for n in notes] == ["plan-budget-even-mix"]


def test_held_category_budgets_stay_as_typed_and_the_others_absorb() -> None:
    """Held Values with a Category: D1's Advertising held at 5,000 a year is spread like its Expense months
    (50 units over 11 × 1,000 and 1,050.50: 4.15 / 4.36 units → 4 each, the two left to December (.36) then
    January (.15, the earlier of the ties)): Jan 500, Feb–Nov 400, Dec 500. Each month's rest goes to Travel and
    Meals by their shares (0.4667 : 0.1333): January's 500 → 400 / 100; February's 600 → 500 / 100. Meals held at
    300 in March leaves Travel 1,000 − 400 − 300 = 300."""
    rows = pd.DataFrame([
        {"department": "D1", "employee_id": "A", "indicator": "Expense", **_months([1000.0] * 11 + [1050.5])}])
    last, before = pd.Period("2026-06", freq="M"), pd.Period("2025-06", freq="M")
    history = pd.DataFrame([
        ("D1", "Travel", last, 600.0), ("D1", "Advertising", last, 300.0), ("D1", "Meals", last, 100.0),
        ("D1", "Travel", before, 200.0), ("D1", "Advertising", before, 600.0), ("D1", "Meals", before, 200.0),
    ], columns=["department", "category", "month", "actual"])
    holds = [P.Hold("Expense", "D1", None, None, 5000.0, "s.xlsx: Held Values!E2", "Advertising"),
             P.Hold("Expense", "D1", None, 3, 300.0, "s.xlsx: Held Values!E3", "Meals")]
    budget, _ = P.budget_by_category(rows, history, pd.Period("2026-12", freq="M"), 100.0, holds=holds)
    b = budget.set_index("category")
    assert b.loc["Advertising", [f"m{i:02d}" for i in range(1, 13)]].tolist() == [500.0] + [400.0] * 10 + [500.0]
    assert b.loc["Advertising", "annual"] == 5000.0
    assert (b.loc["Travel", "m01"], b.loc["Meals", "m01"]) == (400.0, 100.0)
    assert (b.loc["Travel", "m02"], b.loc["Meals", "m02"]) == (500.0, 100.0)
    assert (b.loc["Travel", "m03"], b.loc["Meals", "m03"]) == (300.0, 300.0)
    assert (b.loc["Travel", "m12"], b.loc["Meals", "m12"]) == (450.5, 100.0)
    assert round(budget["annual"].sum() * 100) == 1205050  # the Expense plan, to the cent
    too_much = [P.Hold("Expense", "D1", None, 4, 1200.0, "s.xlsx: Held Values!E4", "Meals")]
    with pytest.raises(ToolkitError) as err:
        P.budget_by_category(rows, history, pd.Period("2026-12", freq="M"), 100.0, holds=too_much)
    assert "Held Values!E4" in err.value.message("en") and "1,200.00" in err.value.message("en")
    assert "Held Values!E4" in err.value.message("zh")
    with pytest.raises(ToolkitError, match="not in the new plan"):
        P.budget_by_category(rows, history, pd.Period("2026-12", freq="M"), 100.0,
                             holds=[P.Hold("Expense", "D9", None, None, 1.0, "s.xlsx: Held Values!E5", "Meals")])
