"""Completion's array paths against the pandas operations they replace, on the sample's ledger (issue 21 item 7).

``completion_table`` sums by NumPy when the keys are text of one dtype (``_grid_sums``) and by pandas groupbys
otherwise (``_grid_sums_general``); ranks by one lexsort; looks the departments of people up in a dict; builds the
employee fallback departments and the plan's months without concatenating or melting frames. Each is compared here
with the pandas way, value for value and dtype for dtype, on the sample's real rows (and on parts of them).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from toolkit.core import completion as C
from toolkit.core.month import royalty_payments
from toolkit.operations.source import Source
from toolkit.schema import MONTH_KEYS

YEAR, PERIOD = 2026, "2026-10"


@pytest.fixture(scope="module")
def sample(sample_dir):
    """The sample's ledger (all four departments) and its royalty payments of Jan..October."""
    led = Source([sample_dir], sample_dir / "standards.xlsx", force=True).ledger(PERIOD)
    return led, royalty_payments(led, PERIOD)


def _variants(targets: pd.DataFrame, actuals: pd.DataFrame):
    """The month frames and parts of them: early targets only, late actuals only, no targets, no actuals, one
    indicator each, no department column (department lines from employee lines)."""
    yield targets, actuals
    yield targets[targets["month"] <= 3], actuals
    yield targets, actuals[actuals["month"] > 6]
    yield targets.head(0), actuals
    yield targets, actuals.head(0)
    yield targets[targets["indicator"] != "Expense"], actuals[actuals["indicator"] == "Profit"]
    yield targets.drop(columns="department"), actuals.drop(columns="department")


def test_completion_table_fast_sums_equal_the_general_path(sample, monkeypatch):
    led, roy = sample
    targets, actuals = C.monthly_targets(led, YEAR), C.monthly_actuals(led, YEAR, roy)
    assert C._grid_sums(targets, actuals, C.department_at(led, YEAR, 10), 10, True) is not None  # the fast path runs
    compared = 0
    for month in (1, 3, 7, 10, 12):
        departments = C.department_at(led, YEAR, month)
        # and one person shown in a department without rows of its own (its department lines are zero)
        moved = departments.where(departments.index != departments.index[0], "Elsewhere")
        for t, a in _variants(targets, actuals):
            for settings, shown in ((None, departments), (C.RagSettings(C.TIME_PROGRESS, True, 5.0), moved)):
                fast = C.completion_table(t, a, shown, month, 7.0, settings)
                with monkeypatch.context() as m:
                    m.setattr(C, "_grid_sums", lambda *args: None)
                    general = C.completion_table(t, a, shown, month, 7.0, settings)
                pd.testing.assert_frame_equal(fast, general, check_exact=True)
                compared += 1
    assert compared == 70


def test_fractions_of_a_cent_are_summed_as_pandas_sums_them(sample, monkeypatch):
    """A person's actuals with fractions of a cent whose total sits on a half cent (the review's case: a plain sum
    rounds it to ...75, pandas' compensated sum to ...76): the fast path steps aside, so the cent is pandas'."""
    values = [-181268.975, -314004.061, -14912.071999999998, 172427.139, 187894.611, -338461.15, -342907.01,
              637780.318, -263223.237, -81608.64, 258331.535, 57089.471999999994, 25491.575999999997, 139340.832,
              -292072.548, 320992.455]
    text = lambda vals: pd.Series(vals, dtype="str")  # noqa: E731
    n = len(values)
    actuals = pd.DataFrame({"employee_id": text(["E1"] * n), "department": text(["D"] * n),
                            "indicator": text([C.INDICATORS[0]] * n), "month": np.full(n, 3, dtype="int32"),
                            "actual": np.array(values)})
    targets = pd.DataFrame({"employee_id": text(["E1"]), "department": text(["D"]), "indicator": text([C.INDICATORS[0]]),
                            "month": np.array([3], dtype="int64"), "target": [100000.0]})
    departments = pd.Series({"E1": "D"}, dtype="str")
    assert C._grid_sums(targets, actuals, departments, 3, True) is None
    assert C._grid_sums(targets, actuals.assign(actual=actuals["actual"].round(2)), departments, 3, True) is not None
    fast = C.completion_table(targets, actuals, departments, 3, 10.0)
    with monkeypatch.context() as m:
        m.setattr(C, "_grid_sums", lambda *args: None)
        general = C.completion_table(targets, actuals, departments, 3, 10.0)
    pd.testing.assert_frame_equal(fast, general, check_exact=True)
    assert set(fast.loc[fast["indicator"] == C.INDICATORS[0], "ytd_actual"]) == {-29109.76}


def test_rank_equals_pandas_groupby_rank(sample):
    led, roy = sample
    rows = C.compute_completion(led, PERIOD, roy)
    rows = rows[rows["status"] == "computed"]
    level, dept, ind = (rows[c].to_numpy(dtype=object) for c in ("level", "department", "indicator"))
    # the completions as they are, rounded to a tenth (many ties), and with blanks and a blank key
    for score in (rows["ytd_completion"].to_numpy(dtype="float64"),
                  np.round(rows["ytd_completion"].to_numpy(dtype="float64"), 1),
                  np.where(np.arange(len(rows)) % 3 == 0, np.nan, np.round(rows["annual_completion"], 1))):
        keys = (level, np.where(np.arange(len(rows)) % 17 == 5, None, dept), ind)
        want = pd.Series(score).groupby([pd.Series(k) for k in keys]).rank(method="min", ascending=False)
        got = C._rank_min_descending(score, keys)
        np.testing.assert_array_equal(got, want.to_numpy(dtype="float64"))
        assert np.nanmax(got) > 1 and np.isnan(got).any()


def _departments_by_merge(led, ids, years, months) -> np.ndarray:
    """``departments_in_months`` as a left merge on (employee, year, month) (what it was)."""
    keys = pd.DataFrame({"employee_id": np.asarray(ids, dtype=object), "month": np.asarray(months)})
    keys["year"] = np.asarray(years) if np.ndim(years) else int(years)
    at = pd.concat([C.departments_by_month(led, int(y)).assign(year=int(y)) for y in sorted(set(keys["year"]))],
                   ignore_index=True)
    return keys.merge(at, how="left", on=["employee_id", "year", "month"])["department"].to_numpy()


def test_departments_in_months_equal_the_merge(sample):
    led, roy = sample
    contracts = led.tables["Contracts"]
    split = contracts[contracts["split_employee_id"].notna()]
    assert len(split) and len(roy)
    ids = list(split["split_employee_id"]) + list(roy["employee_id"]) + ["nobody", "E3005", "E3005", "E3005"]
    months = list(split["sign_date"].dt.month) + list(roy["month"]) + [3, 6, 7, 13]
    years = list(split["sign_date"].dt.year) + [YEAR] * (len(roy) + 4)
    for y in (YEAR, np.array(years)):
        got, want = C.departments_in_months(led, ids, y, months), _departments_by_merge(led, ids, y, months)
        assert got.dtype == want.dtype == object and len(got) == len(ids)
        assert [None if pd.isna(v) else v for v in got] == [None if pd.isna(v) else v for v in want]
    # the transfer: 华南 until June, 西部 from July; unknown people and months have none
    assert pd.isna(got[-4]) and list(got[-3:-1]) == ["华南", "西部"] and pd.isna(got[-1])


@pytest.mark.parametrize("part", ["all", "half", "reversed"])
def test_employee_departments_and_department_at_equal_the_frames(sample, part):
    led, _ = sample
    if part != "all":  # half the people off the Roster, and the transferee: where they first appear
        roster = led.standard("Roster")
        std = dict(led.standards.tables, Roster=roster[roster["employee_id"] != "E3005"].iloc[::2])
        tables = led.tables if part == "half" else {k: f.iloc[::-1].reset_index(drop=True)
                                                    for k, f in led.tables.items()}  # West's rows first
        led = dataclasses.replace(led, tables=dict(tables), memo={},
                                  standards=dataclasses.replace(led.standards, tables=std))
    roster = led.standard("Roster").dropna(subset=["employee_id"])
    seen = [led.tables[k][["employee_id", "department"]] for k in ("Plan", "Contracts", "Expenses")]
    seen.append(led.tables["Contracts"][["split_employee_id", "department"]].rename(
        columns={"split_employee_id": "employee_id"}))
    both = pd.concat([roster[["employee_id", "department"]], pd.concat(seen, ignore_index=True)], ignore_index=True)
    both = both.dropna(subset=["employee_id", "department"]).drop_duplicates("employee_id")
    want = pd.Series(both["department"].to_numpy(), index=both["employee_id"].to_numpy(), dtype="str")
    pd.testing.assert_series_equal(C.employee_departments(led), want, check_exact=True)
    first = {"all": "华南", "half": "华南", "reversed": "西部"}[part]  # the Roster's, else the first workbook's
    assert C.employee_departments(led)["E3005"] == first
    by_month = C.departments_by_month(led, YEAR)
    for month in (1, 6, 7, 12):
        at = by_month[by_month["month"] == month]
        want = pd.Series(at["department"].astype("str").to_numpy(), index=at["employee_id"].to_numpy(), dtype="str")
        pd.testing.assert_series_equal(C.department_at(led, YEAR, month), want, check_exact=True)


@pytest.mark.parametrize("year", [YEAR, None])
def test_monthly_targets_equal_the_melt(sample, year):
    led, _ = sample
    plan = led.tables["Plan"].dropna(subset=["employee_id", "indicator"])
    if year is not None:
        plan = C.employed_plan(plan, led.standard("Roster"), year)
    long = plan.melt(id_vars=["employee_id", "department", "indicator"], value_vars=list(MONTH_KEYS), var_name="m",
                     value_name="target")
    long["month"] = long["m"].str[1:].astype("int64")
    long["target"] = long["target"].astype("float64").fillna(0.0)
    long["department"] = long["department"].astype("str")
    want = long.groupby(["employee_id", "department", "indicator", "month"], as_index=False, sort=False)["target"].sum()
    want["target"] = C.round_series(want["target"])
    got = C.monthly_targets(led, year)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    got.loc[0, "target"] = -1.0  # a caller's copy: the memoised frame is not changed
    pd.testing.assert_frame_equal(C.monthly_targets(led, year), want, check_exact=True)
