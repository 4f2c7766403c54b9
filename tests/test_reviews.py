"""Issue 31: managers' reviews in the appraisal (DOMAIN.md, "Training and reviews"; docs/appraisal.md).

Expected figures are worked by hand here; the sample's review means are read back from the workbook with openpyxl.
"""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from test_royalties import _frame, roster

from toolkit.cli.main import cli
from toolkit.core.appraisal import appraisal
from toolkit.core.candidates import candidates
from toolkit.core.validation.reviews import review_items
from toolkit.io.reader import read_workbook
from toolkit.schema import STANDARDS

WEIGHTS = _frame("Appraisal", [{"indicator": i, "weight": w} for i, w in (
    ("Signing", 0.3), ("Collection", 0.3), ("Expense", 0.1), ("Profit", 0.1), ("Teamwork", 0.15),
    ("Customer care", 0.05))], STANDARDS)
BANDS = _frame("AppraisalBands", [
    {"score_from": 0.0, "score_to": 0.8, "band_grade": "C", "coefficient": 0.7},
    {"score_from": 0.8, "score_to": 1.0, "band_grade": "B", "coefficient": 1.0},
    {"score_from": 1.0, "score_to": None, "band_grade": "A", "coefficient": 1.25},
], STANDARDS)


def _completion(rows: dict[str, tuple]) -> pd.DataFrame:
    out = [(e, i, c) for e, cs in rows.items() for i, c in zip(("Signing", "Collection", "Expense", "Profit"), cs)]
    return pd.DataFrame(out, columns=["employee_id", "indicator", "ytd_completion"])


def _reviews(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["employee_id", "period", "item", "score"])


def test_review_items_blend_with_the_indicators_by_their_weights():
    comp = _completion({"E1": (1.1, 0.95, 0.9, 1.3), "E2": (0.7, 0.6, 1.0, 0.8)})
    reviews = _reviews(
        ("E1", "2026-Q1", "Teamwork", 80), ("E1", "2026-Q2", "teamwork", 90), ("E1", "2026-Q3", "Teamwork", 73),
        ("E1", "2026-Q4", "Teamwork", 10),   # after the period's quarter: not counted
        ("E1", "2025-Q4", "Teamwork", 0),    # another year: not counted
        ("E1", "2026-Q2", "Customer care", 64.5),
        ("E2", "2026-Q1", "Teamwork", 55))   # E2 has no Customer care review: counted 0, with a warning
    res = appraisal(comp, roster(("E1", None, 6543.21), ("E2", None, 4000.0)), WEIGHTS, BANDS, "2026-08",
                    reviews=reviews)
    got = {r["employee_id"]: r for r in res.to_dict()["salaries"]}
    # E1: 0.3 x 1.1 + 0.3 x 0.95 + 0.1 x min(2 - 0.9, 1.2) + 0.1 x min(1.3, 1.2) + 0.15 x mean(80, 90, 73)/100
    #     + 0.05 x 64.5/100 = 0.33 + 0.285 + 0.11 + 0.12 + 0.1215 + 0.03225 = 0.99875 -> B, pay 6543.21
    e1 = 0.3 * 1.1 + 0.3 * 0.95 + 0.1 * 1.1 + 0.1 * 1.2 + 0.15 * (80 + 90 + 73) / 3 / 100 + 0.05 * 0.645
    assert abs(got["E1"]["score"] - e1) < 5e-5 and abs(e1 - 0.99875) < 1e-12  # ties to 4 decimals
    assert (got["E1"]["grade"], got["E1"]["pay"]) == ("B", "6543.21")
    team = [t for t in got["E1"]["terms"] if t["indicator"] == "Teamwork"][0]
    assert team["review"] == 81.0 and team["ytd_completion"] is None and team["value"] == 0.81
    # E2: 0.21 + 0.18 + 0.1 + 0.08 + 0.15 x 0.55 + 0 = 0.6525 -> C, 4000 x 0.7 = 2800.00
    assert abs(got["E2"]["score"] - (0.21 + 0.18 + 0.1 + 0.08 + 0.15 * 0.55)) < 5e-5
    assert (got["E2"]["grade"], got["E2"]["pay"]) == ("C", "2800.00")
    missing = [f for f in res.findings if f.code == "appraisal-no-review"]
    assert [(f.value, f.params["items"]) for f in missing] == [("E2", "Customer care")]


def test_floating_pay_rounds_half_away_from_zero_with_a_review_item():
    # 0.3+0.3+0.1+0.1 at 100% = 0.8, + 0.15 x 1.0 + 0.05 x 1.0 = 1.0 -> A: 1234.57 x 1.25 = 1543.2125 -> 1543.21;
    # 2345.02 x 1.25 = 2931.275 -> 2931.28 (half away from zero)
    comp = _completion({"E1": (1.0, 1.0, 1.0, 1.0), "E2": (1.0, 1.0, 1.0, 1.0)})
    reviews = _reviews(*[(e, "2026-Q1", i, 100) for e in ("E1", "E2") for i in ("Teamwork", "Customer care")])
    res = appraisal(comp, roster(("E1", None, 1234.57), ("E2", None, 2345.02)), WEIGHTS, BANDS, "2026-03",
                    reviews=reviews)
    got = {r["employee_id"]: r for r in res.to_dict()["salaries"]}
    assert (got["E1"]["grade"], got["E1"]["pay"], got["E2"]["pay"]) == ("A", "1543.21", "2931.28")


def _sheet_rows(ws) -> list[dict]:
    head = [c.value for c in ws[1]]
    return [dict(zip(head, (c.value for c in row))) for row in ws.iter_rows(min_row=2) if row[0].value is not None]


def test_sample_review_scores_enter_the_salary(sample_dir):
    wb = openpyxl.load_workbook(sample_dir / "dept-east.xlsx", read_only=True)
    rows = _sheet_rows(wb["Reviews"])
    e1002 = [r["Score"] for r in rows if str(r["Employee ID"]) == "E1002" and r["Item"] == "Teamwork"]
    assert len(e1002) == 4  # one a quarter, 2026-Q1..Q4
    res = CliRunner().invoke(cli, ["salary", str(sample_dir / "dept-east.xlsx"), "--standards",
                                   str(sample_dir / "standards.xlsx"), "--period", "2026-10", "--format", "json"])
    assert res.exit_code == 0, res.output
    line = [s for s in json.loads(res.output)["salaries"] if s["employee_id"] == "E1002"][0]
    team = [t for t in line["terms"] if t["indicator"] == "Teamwork"][0]
    assert team["review"] == pytest.approx(sum(e1002) / 4, abs=1e-6)
    assert team["weight"] == 0.1 and team["points"] == pytest.approx(0.1 * sum(e1002) / 400, abs=1e-6)
    assert line["score"] == pytest.approx(sum(t["points"] for t in line["terms"]), abs=1e-6)


def _validate(path, standards) -> list[dict]:
    res = CliRunner().invoke(cli, ["validate", str(path), "--standards", str(standards), "--format", "json"])
    return json.loads(res.output)


def test_reviews_validation(sample_dir, tmp_path):
    path = tmp_path / "dept-east.xlsx"
    shutil.copy(sample_dir / "dept-east.xlsx", path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Reviews"]
    head = [c.value for c in ws[1]]
    col = {h: head.index(h) + 1 for h in head}
    ws.cell(2, col["Reviewer"]).value = "Nobody Here"                          # not on the Roster
    ws.cell(3, col["Reviewer"]).value = ws.cell(3, col["Employee ID"]).value   # reviews themselves
    ws.cell(4, col["Score"]).value = 120                                       # above 100
    ws.cell(5, col["Item"]).value = "Charm"                                    # not in the Appraisal weights
    ws.cell(6, col["Period"]).value = "2026-Q5"                                # not a quarter
    ws.cell(7, col["Item"]).value = "Signing"                                  # an indicator, not a review item
    wb.save(path)
    text = json.dumps(_validate(path, sample_dir / "standards.xlsx"))
    for code, cell in (("review-reviewer-unknown", "F2"), ("review-self", "F3"), ("review-score-out-of-range", "D4"),
                       ("review-item-unknown", "C5"), ("review-period-invalid", "B6"), ("review-item-unknown", "C7")):
        assert code in text and f"Reviews!{cell}" in text, (code, cell)
    clean = json.dumps(_validate(sample_dir / "dept-east.xlsx", sample_dir / "standards.xlsx"))
    assert "review-" not in clean


def test_weights_with_a_review_item_must_add_up_to_100(sample_dir, tmp_path):
    wb = openpyxl.load_workbook(sample_dir / "standards.xlsx")
    ws = wb["Appraisal"]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value == "Teamwork":
            ws.cell(r, 2).value = 0.2   # 90% + 20% = 110%
    wb.save(tmp_path / "standards.xlsx")
    res = CliRunner().invoke(cli, ["salary", str(sample_dir / "dept-east.xlsx"), "--standards",
                                   str(tmp_path / "standards.xlsx"), "--period", "2026-10", "--format", "json"])
    assert res.exit_code != 0 and "110%" in res.output


def _training_rows(path) -> list[tuple[str, float, object]]:
    """(employee, hours, date) of a department workbook's Training sheet, either language."""
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb["Training"] if "Training" in wb.sheetnames else wb["培训"]
    return [(str(r[0]), float(r[3]), r[2]) for r in ws.iter_rows(min_row=2, values_only=True) if r[0] is not None]


def test_training_hours_per_person_and_department_in_the_appraisal_workbook(sample_dir, tmp_path):
    files = [sample_dir / "dept-east.xlsx", sample_dir / "dept-south.xlsx"]
    out = tmp_path / "appraisal.xlsx"
    res = CliRunner().invoke(cli, ["appraisal", *map(str, files), "--standards", str(sample_dir / "standards.xlsx"),
                                   "--year", "2026", "-o", str(out)])
    assert res.exit_code == 0, res.output
    hours: dict[str, float] = {}
    for f in files:
        for emp, h, day in _training_rows(f):
            assert day.year == 2026
            hours[emp] = hours.get(emp, 0.0) + h
    std = openpyxl.load_workbook(sample_dir / "standards.xlsx", read_only=True)
    roster = [r for r in std["Roster"].iter_rows(min_row=2, values_only=True) if r[0] is not None]
    people = {str(r[0]): r[2] for r in roster if r[2] in ("East China", "华南")}
    wb = openpyxl.load_workbook(out, read_only=True)
    got = {str(r[0]): (r[4], r[5]) for r in wb["Training"].iter_rows(min_row=2, values_only=True)}
    assert set(got) == set(people)
    for emp in people:
        expected = hours.get(emp, 0.0)
        assert got[emp] == (expected, "Yes" if expected else "No training this year"), emp
    untrained = {e for e in people if e not in hours}
    assert untrained  # the sample has people without training
    dept = {r[0]: r[1:] for r in wb["Training by Department"].iter_rows(min_row=2, values_only=True)}
    total = sum(hours.get(e, 0.0) for e in people)
    assert dept["Company"][:4] == (len(people), len(people) - len(untrained), len(untrained), total)
    assert dept["Company"][4] == pytest.approx(total / len(people))
    east = [e for e, d in people.items() if d == "East China"]
    assert dept["East China"][3] == sum(hours.get(e, 0.0) for e in east)
    # no raw label key anywhere in the ranking (a not-computed line once showed "appraisal.None")
    assert not any("appraisal." in str(c) for row in wb["Ranking"].iter_rows(values_only=True) for c in row)



def test_the_quantitative_leader_with_poor_reviews_and_no_training_is_not_the_top_candidate():
    # a held-out year: L leads every quarter on the figures, R is second but reviewed well and trained
    quarters = pd.DataFrame([("L", q, s) for q, s in zip(range(1, 5), (1.15, 1.18, 1.12, 1.16))]
                            + [("R", q, s) for q, s in zip(range(1, 5), (0.95, 1.0, 1.02, 1.05))],
                            columns=["employee_id", "quarter", "score"])
    people = pd.DataFrame({"employee_id": ["L", "R"], "name": ["Leader", "Rounded"], "department": ["East"] * 2,
                           "role": ["Salesperson"] * 2, "tenure_months": [24, 24]})
    got = candidates(quarters, people, pd.Series({"L": 42.0, "R": 88.0}), pd.Series({"R": 24.0}))
    assert list(got["employee_id"]) == ["R", "L"]
    # L: 40 x 1.1525/1.2 + 25 x 0.42 + 10 x (0.5 + 2.5 x 0.01) + 10 x (1 - σ/0.2) + 0 + 5 x 24/36, worked here
    ls = np.array([1.15, 1.18, 1.12, 1.16])
    expected = 40 * ls.mean() / 1.2 + 25 * 0.42 + 10 * (0.5 + 2.5 * 0.01) + 10 * (1 - ls.std() / 0.2) + 5 * 24 / 36
    assert got.loc[1, "points"] == pytest.approx(expected)
    why = got.loc[1, "reasons"]
    assert "poor managers' reviews (42/100)" in why and "no training this year" in why
    zh = candidates(quarters, people, pd.Series({"L": 42.0, "R": 88.0}), pd.Series({"R": 24.0}), "zh")
    assert "经理考评较差（42/100）" in zh.loc[1, "reasons"] and "本年度未参加培训" in zh.loc[1, "reasons"]


def test_candidates_command_writes_the_ranked_workbook_with_reasons(sample_dir, tmp_path):
    out = tmp_path / "candidates.xlsx"
    files = [str(sample_dir / "dept-east.xlsx"), str(sample_dir / "dept-south.xlsx")]
    res = CliRunner().invoke(cli, ["candidates", *files, "--standards", str(sample_dir / "standards.xlsx"),
                                   "--year", "2026", "--role", "Manager", "-o", str(out)])
    assert res.exit_code == 0, res.output
    rows = _sheet_rows(openpyxl.load_workbook(out, read_only=True)["Candidates"])
    assert [r["Role"] for r in rows] == ["Manager", "Manager"] and [r["Rank"] for r in rows] == [1, 2]
    assert rows[0]["Points (of 100)"] >= rows[1]["Points (of 100)"]
    # each manager is reviewed by the other department's manager in the sample: the reasons quote that review
    for r in rows:
        assert r["Reasons"].startswith("mean quarter score ") and "managers' reviews" in r["Reasons"]
    bad = CliRunner().invoke(cli, ["candidates", *files, "--standards", str(sample_dir / "standards.xlsx"),
                                   "--year", "12"])
    assert bad.exit_code != 0 and "Traceback" not in bad.output and "--year" in bad.output


def test_candidates_leave_out_a_leaver_and_count_tenure_from_the_start_date(sample_dir, tmp_path):
    """The sample's 西部 leaver (Roster Leave Date in August) is no candidate in October; the others' tenure counts
    from their Roster Start Date (whole months to the end of October, within the month the day falls in)."""
    out = tmp_path / "candidates.xlsx"
    res = CliRunner().invoke(cli, ["candidates", str(sample_dir / "dept-west.xlsx"), "--standards",
                                   str(sample_dir / "standards.xlsx"), "--year", "2026", "--role", "Salesperson",
                                   "-o", str(out)])
    assert res.exit_code == 0, res.output
    rows = _sheet_rows(openpyxl.load_workbook(out, read_only=True)["Candidates"])
    roster = read_workbook(sample_dir / "standards.xlsx").tables["Roster"].set_index("employee_id")
    ids = [r["Employee ID"] for r in rows]
    leaver = roster.index[roster["leave_date"].notna()][0]
    assert ids and leaver not in ids and roster.loc[leaver, "department"] == "西部"
    for r in rows:
        start = roster.loc[r["Employee ID"], "start_date"]
        months = (2026 - start.year) * 12 + (10 - start.month)
        got = int(re.search(r"(\d+) months since joining", r["Reasons"]).group(1))
        assert months <= got <= months + 1, (r["Employee ID"], start, got)


def test_review_items_from_a_list_are_the_pandas_ones(sample_dir):
    """``review_items`` reads a text column as a list; an object column (the pandas code) gives the same items, on
    the sample's Appraisal and with blanks, padding and an indicator name among the entries."""
    weights = read_workbook(sample_dir / "standards.xlsx").tables["Appraisal"]
    padded = weights.assign(indicator=pd.Series([" Training ", None, "Signing", "  ", "Coaching"] * len(weights),
                                                dtype="str")[:len(weights)].to_numpy())
    for frame in (weights, padded.astype({"indicator": "str"})):
        as_objects = frame.astype({"indicator": object})
        assert review_items(frame) == review_items(as_objects)
    assert review_items(weights) and review_items(padded.astype({"indicator": "str"}))
