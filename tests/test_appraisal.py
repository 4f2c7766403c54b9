"""Floating salary (DOMAIN.md): score, band, coefficient and pay, with hand-worked expected values."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from test_royalties import _frame, roster

from toolkit.cli.main import cli
from toolkit.core.appraisal import appraisal
from toolkit.schema import STANDARDS

WEIGHTS = _frame("Appraisal", [{"indicator": i, "weight": w} for i, w in
                               (("Signing", 0.4), ("Collection", 0.4), ("Expense", 0.1), ("Profit", 0.1))], STANDARDS)
BANDS = _frame("AppraisalBands", [
    {"score_from": 0.0, "score_to": 0.6, "band_grade": "D", "coefficient": 0.0},
    {"score_from": 0.6, "score_to": 0.9, "band_grade": "C", "coefficient": 0.6},
    {"score_from": 0.9, "score_to": 1.1, "band_grade": "B", "coefficient": 1.05},
    {"score_from": 1.1, "score_to": None, "band_grade": "A", "coefficient": 1.3},
], STANDARDS)


def completion(rows: dict[str, tuple]) -> pd.DataFrame:
    """{employee: (signing, collection, expense, profit)} -> the completion frame."""
    out = [(emp, ind, c) for emp, cs in rows.items()
           for ind, c in zip(("Signing", "Collection", "Expense", "Profit"), cs)]
    return pd.DataFrame(out, columns=["employee_id", "indicator", "ytd_completion"])


def by_emp(result) -> dict[str, dict]:
    return {r["employee_id"]: r for r in result.to_dict()["salaries"]}


def test_scores_bands_and_pay():
    comp = completion({
        # 0.4 x min(1.5, 1.2) + 0.4 x 1.0 + 0.1 x min(2 - 0.7, 1.2) + 0.1 x 0.9 = 0.48 + 0.40 + 0.12 + 0.09 = 1.09 -> B
        "E1": (1.5, 1.0, 0.7, 0.9),
        # 0.4 x 0.5 + 0.4 x 0.6 + 0.1 x max(0, 2 - 2.5) + Profit missing (0) = 0.44 -> D, coefficient 0
        "E2": (0.5, 0.6, 2.5, None),
        # all 100% -> 1.0 -> B; 4,567.89 x 1.05 = 4,796.2845 -> 4,796.28
        "E3": (1.0, 1.0, 1.0, 1.0),
        # exactly 0.9 (0.36 + 0.36 + 0.09 + 0.09, inexact in binary) is the lower bound of B
        "E4": (0.9, 0.9, 1.1, 0.9),
        # 1.2 everywhere and spending nothing: 0.48 + 0.48 + 0.12 + 0.12 = 1.2 -> A, 3,000 x 1.3 = 3,900.00
        "E5": (1.2, 1.3, 0.0, 2.0),
    })
    r = roster(("E1", None, 3000.0), ("E2", None, 3000.0), ("E3", None, 4567.89), ("E4", None, 2000.0),
               ("E5", None, 3000.0), ("E6", None, None))
    res = appraisal(comp, r, WEIGHTS, BANDS, "2026-06")
    got = by_emp(res)
    assert set(got) == {"E1", "E2", "E3", "E4", "E5"}  # E6 has no Floating Base
    assert [(got[e]["score"], got[e]["grade"], got[e]["coefficient"], got[e]["pay"]) for e in sorted(got)] == [
        (1.09, "B", 1.05, "3150.00"),
        (0.44, "D", 0.0, "0.00"),
        (1.0, "B", 1.05, "4796.28"),
        (0.9, "B", 1.05, "2100.00"),
        (1.2, "A", 1.3, "3900.00"),
    ]
    expense = [t for t in got["E1"]["terms"] if t["indicator"] == "Expense"][0]
    assert expense == {"indicator": "Expense", "weight": 0.1, "ytd_completion": 0.7, "review": None, "value": 1.2,
                       "points": 0.12}
    assert res.to_dict()["totals"] == {"employees": 5, "pay": "13946.28", "not_computed": 0}  # 3,150 + 0 + 4,796.28 + 2,100 + 3,900
    assert [(f.code, f.value) for f in res.findings] == [("appraisal-no-completion", "E2")]
    assert "Profit" in res.findings[0].message("en") and "利润" in res.findings[0].message("zh")


def test_score_outside_every_band_and_weights_not_100():
    weights = _frame("Appraisal", [{"indicator": "Signing", "weight": 0.5}, {"indicator": "Collection", "weight": 0.3}],
                     STANDARDS)
    bands = _frame("AppraisalBands", [{"score_from": 0.5, "score_to": 1.0, "band_grade": "Pass", "coefficient": 1.0}],
                   STANDARDS)
    comp = completion({"E1": (1.2, 1.2, 1.0, 1.0), "E2": (1.0, 0.5, 1.0, 1.0)})
    res = appraisal(comp, roster(("E1", None, 1000.0), ("E2", None, 1000.0)), weights, bands)
    got = by_emp(res)
    # E1: 0.5 x 1.2 + 0.3 x 1.2 = 0.96 -> Pass; E2: 0.5 + 0.15 = 0.65 -> Pass
    assert (got["E1"]["score"], got["E1"]["pay"]) == (0.96, "1000.00")
    assert (got["E2"]["score"], got["E2"]["pay"]) == (0.65, "1000.00")
    assert [f.code for f in res.findings] == ["appraisal-weights"]
    assert res.findings[0].value == "80.00%"
    # the same 0.96 against a band ending at 0.9: no band, coefficient 0
    none = appraisal(completion({"E1": (1.2, 1.2, 1.0, 1.0)}), roster(("E1", None, 1000.0)), weights,
                     bands.assign(score_to=0.9))
    assert by_emp(none)["E1"]["grade"] is None and by_emp(none)["E1"]["pay"] == "0.00"
    assert "appraisal-no-band" in [f.code for f in none.findings]


@pytest.mark.parametrize("c, expected", [(0.0, 0.24), (0.8, 0.24), (1.0, 0.2), (2.0, 0.0), (3.5, 0.0)])
def test_expense_counts_two_minus_completion_floored_and_capped(c, expected):
    weights = _frame("Appraisal", [{"indicator": "Expense", "weight": 0.2}], STANDARDS)
    res = appraisal(pd.DataFrame({"employee_id": ["E1"], "indicator": ["Expense"], "ytd_completion": [c]}),
                    roster(("E1", None, 1000.0)), weights, BANDS)
    assert by_emp(res)["E1"]["score"] == pytest.approx(expected)


def _people(*rows: tuple) -> pd.DataFrame:
    """(employee_id, department, role, floating_base)."""
    return _frame("Roster", [{"employee_id": e, "name": f"Name {e}", "department": d, "role": r, "grade": "G2",
                              "royalty_plan": None, "floating_base": b} for e, d, r, b in rows], STANDARDS)


def test_managers_on_the_department_staff_and_people_without_targets_on_the_default():
    comp = completion({"S1": (1.0, 1.0, 1.0, 1.0), "M1": (None, None, 0.9, None), "T1": (None, None, 0.5, None),
                       "S2": (None, None, None, None)})
    dept = pd.DataFrame({"department": ["East"] * 4, "indicator": ["Signing", "Collection", "Expense", "Profit"],
                         "ytd_completion": [1.2, 1.2, 1.0, 1.2]})
    people = _people(("S1", "East", "Salesperson", 1000.0), ("M1", "East", "Manager", 2000.0),
                     ("T1", "East", "Staff", 3000.0), ("S2", "East", "Salesperson", 4000.0),
                     ("M2", "West", "Manager", 5000.0))
    res = appraisal(comp, people, WEIGHTS, BANDS, "2026-06", department_completion=dept, default_coefficient=0.9)
    got = by_emp(res)
    # the manager's own Plan row (Expense only) is not what counts: the department's 1.2/1.2/1.0/1.2 does
    assert (got["M1"]["basis"], got["M1"]["score"], got["M1"]["grade"], got["M1"]["pay"]) == (
        "department", 1.18, "A", "2600.00")
    assert got["M1"]["reason_text"].startswith("Manager")
    # staff, a salesperson without any target and a manager whose department has none: the default, with a reason
    for emp, reason, base in (("T1", "staff-default", 3000), ("S2", "no-targets", 4000),
                              ("M2", "department-no-targets", 5000)):
        assert (got[emp]["basis"], got[emp]["reason"], got[emp]["grade"], got[emp]["coefficient"]) == (
            "default", reason, None, 0.9)
        assert got[emp]["pay"] == f"{base * 0.9:.2f}" and got[emp]["score"] is None
        assert got[emp]["reason_text"] and by_emp_zh(res)[emp]["reason_text"]
    assert got["S1"]["basis"] == "own" and got["S1"]["reason"] is None
    assert {f.value for f in res.findings if f.code == "appraisal-default"} == {"T1", "S2", "M2"}
    # nobody lands in the lowest band (coefficient 0) for lack of targets
    assert not [e for e, r in got.items() if r["grade"] == "D"]
    own = appraisal(comp, people, WEIGHTS, BANDS, department_completion=dept, manager_on_department=False)
    assert by_emp(own)["M1"]["basis"] == "own"  # the Thresholds' "Manager On Department" = 0


def by_emp_zh(result) -> dict[str, dict]:
    return {r["employee_id"]: r for r in result.to_dict("zh")["salaries"]}


def test_sample_managers_and_staff_get_a_stated_coefficient(sample_dir):
    from report_fixtures import PERIOD, ledger

    from toolkit.core.appraisal import compute_appraisal

    led = ledger()
    lines = compute_appraisal(led, PERIOD).lines
    roles = led.standard("Roster").set_index("employee_id")["role"]
    lines = lines.assign(role=lines["employee_id"].map(roles))
    not_sales = lines[lines["role"] != "Salesperson"]
    assert len(not_sales) and not_sales["reason"].notna().all() and (not_sales["coefficient"] > 0).all()
    lowest = led.standard("AppraisalBands").sort_values("score_from").iloc[0]["band_grade"]
    assert not len(lines[(lines["basis"] == "default") & (lines["grade"] == lowest)])
    assert (lines.loc[lines["role"] == "Staff", "coefficient"] == led.threshold("Default Coefficient")).all()


def east_under_north(sample_dir, path):
    """The sample's standards saved to ``path`` with East China's people on the Roster under North China; returns
    their employee IDs. Consolidating East alone, nobody can be scored."""
    wb = openpyxl.load_workbook(sample_dir / "standards.xlsx")
    ws = wb["Roster"]
    col = [c.value for c in ws[1]].index("Department") + 1
    moved = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1) if ws.cell(r, col).value == "East China"]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, col).value == "East China":
            ws.cell(r, col).value = "North China"
    wb.save(path)
    return moved


def test_department_whose_people_are_all_under_another_department_is_not_computed(sample_dir, tmp_path):
    """East China consolidated alone while the Roster lists its people under North China: nobody can be scored.
    Every salary line is "not computed", never a crash — also with pandas' Arrow strings (pyarrow installed),
    where the empty score and coefficient columns once kept a string dtype and refused to multiply."""
    moved = east_under_north(sample_dir, tmp_path / "standards.xlsx")
    # the Info department is no longer a Roster department: an error since issue 22, computed with --force
    res = CliRunner().invoke(cli, ["salary", str(sample_dir / "dept-east.xlsx"), "--standards",
                                   str(tmp_path / "standards.xlsx"), "--period", "2026-10", "--format", "json",
                                   "--force"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    lines = {s["employee_id"]: s for s in out["salaries"]}
    assert moved and set(moved) <= set(lines)
    assert {lines[e]["status"] for e in moved} == {"not-computed"}
    assert all(s["pay"] is None and s["score"] is None for s in out["salaries"])
    assert out["totals"]["employees"] == 0 and out["totals"]["not_computed"] == len(out["salaries"])


def test_a_completion_given_twice_counts_once_the_first_as_a_merge_on_unique_keys_would():
    """``appraisal._look_up`` takes keys unique in the frame it looks in: completions and department completions
    given twice (a second row of one person's or department's indicator) count as the first of each, never as a
    sum or the last."""
    comp = completion({"S1": (1.0, 1.0, 1.0, 1.0), "M1": (None, None, 0.9, None)})
    twice = pd.concat([comp, comp.assign(ytd_completion=comp["ytd_completion"] * 0.5)], ignore_index=True)
    dept = pd.DataFrame({"department": ["East"] * 4, "indicator": ["Signing", "Collection", "Expense", "Profit"],
                         "ytd_completion": [1.2, 1.2, 1.0, 1.2]})
    dept_twice = pd.concat([dept, dept.assign(ytd_completion=0.1)], ignore_index=True)
    people = _people(("S1", "East", "Salesperson", 1000.0), ("M1", "East", "Manager", 2000.0))
    once = by_emp(appraisal(comp, people, WEIGHTS, BANDS, "2026-06", department_completion=dept))
    got = by_emp(appraisal(twice, people, WEIGHTS, BANDS, "2026-06", department_completion=dept_twice))
    assert got == once
    assert (once["S1"]["score"], once["M1"]["score"]) == (1.0, 1.18)
