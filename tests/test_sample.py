"""The sample generator and the committed sample workbooks (workbooks/sample/).

The committed files must be exactly what the generator writes; their content must have the
structure the rest of the toolkit is demonstrated with (people, plans, both languages, splits, a
refund, receivables, a reached cap), the clean departments must validate without errors, and the
problem department must show every documented problem at its documented cell.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from toolkit import TEMPLATE_VERSION
from toolkit.cli.main import cli
from toolkit.core.credits import contract_credits
from toolkit.core.validation import validate
from toolkit.core.workdays import Calendar
from toolkit.errors import ToolkitError
from toolkit.io.reader import read_workbook
from toolkit.sample import build_sample, generate_sample, sample_files
from toolkit.schema import DEPARTMENT, MONTH_KEYS
from toolkit.schema import enums as E
from xlsx_parts import zip_parts

PERIOD_END = pd.Timestamp("2026-10-31")
YEAR_START = pd.Timestamp("2026-01-01")
PROBLEM_FILE = "dept-north.xlsx"
DEPT_FILES = ["dept-east.xlsx", "dept-north.xlsx", "dept-south.xlsx", "dept-west.xlsx"]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    """A fresh generation through the CLI (default seed) into a temporary folder."""
    out = tmp_path_factory.mktemp("sample")
    result = CliRunner().invoke(cli, ["--lang", "en", "sample", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def built():
    """The sample built in memory with the default seed."""
    return build_sample()


@pytest.fixture(scope="module")
def books(sample_dir: Path) -> dict[str, object]:
    """The committed workbooks read by the toolkit's reader."""
    return {name: read_workbook(sample_dir / name) for name in sample_files()}


@pytest.fixture(scope="module")
def standards(books):
    return books["standards.xlsx"]


@pytest.fixture(scope="module")
def roster(standards) -> pd.DataFrame:
    return standards.tables["Roster"]


def _cells(path: Path) -> dict[str, list[tuple]]:
    """Every sheet's cells as (coordinate, value, data type), the content a user sees."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = [(c.coordinate, c.value, c.data_type) for row in ws.iter_rows() for c in row
                         if c.value is not None]
    return out


# --------------------------------------------------------------------------- drift and determinism


@pytest.mark.parametrize("name", sample_files())
def test_committed_files_match_the_generator(sample_dir, regenerated, name):
    committed, fresh = sample_dir / name, regenerated / name
    if committed.read_bytes() != fresh.read_bytes() and zip_parts(committed) != zip_parts(fresh):
        # the cells are compared (slow) only to say what differs
        assert _cells(committed) == _cells(fresh), f"{name} drifted: run `toolkit sample -o workbooks/sample --force`"
        pytest.fail(f"{name}: same content, different parts (regenerate)")


def test_build_is_deterministic_and_seeded(built):
    a, b, other = built, build_sample(2026), build_sample(7)
    for da, db, do in zip(a.departments, b.departments, other.departments):
        for key in da.frames:
            pd.testing.assert_frame_equal(da.frames[key], db.frames[key])
        assert not da.frames["Contracts"]["amount"].equals(do.frames["Contracts"]["amount"])
    pd.testing.assert_frame_equal(a.standards["Roster"], b.standards["Roster"])


def test_cli_refuses_to_overwrite_without_force(regenerated):
    before = (regenerated / "standards.xlsx").read_bytes()
    result = CliRunner().invoke(cli, ["--lang", "en", "sample", "-o", str(regenerated)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"{regenerated / 'standards.xlsx'} already exists; use --force to replace the sample workbooks."
    )
    assert (regenerated / "standards.xlsx").read_bytes() == before


def test_output_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "not-a-folder.xlsx"
    target.write_text("x")
    with pytest.raises(ToolkitError) as info:
        generate_sample(target)
    assert info.value.message("en") == f"{target} is not a folder."
    assert info.value.message("zh") == f"{target} 不是文件夹。"
    assert target.read_text() == "x"


# --------------------------------------------------------------------------- structure


def test_people_grades_and_plans(standards, roster):
    sales = roster[roster["role"] == "Salesperson"]
    assert 22 <= len(sales) <= 26
    assert set(roster["role"]) == set(E.ROLE.values)
    assert set(roster["grade"]) == set(E.GRADE.values)
    assert roster["department"].nunique() == 4
    plans = standards.tables["RoyaltyPlans"].set_index("plan")
    assert set(plans["method"]) == {"Marginal", "Retroactive"}
    assert "Signed" in set(plans["basis"]) and "Collected" in set(plans["basis"])
    assert sales["royalty_plan"].isin(plans.index).all()
    assert plans["annual_cap"].gt(0).all()
    lines = standards.tables["ProductLines"]
    assert lines["royalty_factor"].nunique() > 1 and lines["gross_margin"].nunique() > 1


def test_standards_cover_policy_appraisal_holidays(standards):
    policy = standards.tables["ExpensePolicy"]
    combos = set(zip(policy["category"], policy["grade"], policy["city_tier"]))
    assert len(combos) == len(policy) == len(E.EXPENSE_CATEGORY.values) * len(E.GRADE.values) * len(E.CITY_TIER.values)
    assert set(policy["per"]) == {"Claim", "Day"}
    assert standards.tables["Appraisal"]["weight"].sum() == pytest.approx(1.0)
    # the four indicators and one review item scored on the Reviews sheets (issue 31)
    assert set(standards.tables["Appraisal"]["indicator"]) == set(E.INDICATOR.values) | {"Teamwork"}
    bands = standards.tables["AppraisalBands"].sort_values("score_from")
    assert list(bands["band_grade"]) == ["D", "C", "B", "A", "S"]
    holidays = standards.tables["Holidays"]
    cal = Calendar.from_table(holidays)
    assert holidays["date"].dt.year.unique().tolist() == [2025, 2026]
    assert not cal.is_workday(pd.Timestamp("2026-02-17"))[0]  # Spring Festival
    makeup = holidays.loc[holidays["kind"] == "Workday", "date"]
    assert (makeup.dt.day_of_week >= 5).all() and cal.is_workday(makeup).all()
    assert set(standards.tables["Thresholds"]["name"]) == set(E.THRESHOLD.values)


def test_languages_and_info(books, roster, sample_dir):
    langs = {name: books[name].lang for name in DEPT_FILES}
    assert sorted(langs.values()).count("zh") >= 2 and "en" in langs.values()
    for name in DEPT_FILES:
        info = books[name].info
        assert info["year"] == 2026 and info["period"] == "2026-10"
        assert info["template_version"] == TEMPLATE_VERSION
        assert info["department"] in set(roster["department"])
        assert info["prepared_by"] in set(roster["name"])
        sheets = openpyxl.load_workbook(sample_dir / name, read_only=True).sheetnames
        assert DEPARTMENT.table("Contracts").sheet(langs[name]) in sheets


def test_contracts_and_collections(books, roster):
    refunds = 0
    for name in DEPT_FILES:
        wb = books[name]
        c, r = wb.tables["Contracts"], wb.tables["Collections"]
        assert c["sign_date"].min() < pd.Timestamp("2025-02-01") and c["sign_date"].max() <= PERIOD_END
        assert c["sign_date"].max() >= pd.Timestamp("2026-10-01")
        assert r["receipt_date"].max() <= PERIOD_END
        assert c["amount"].between(50_000, 2_000_000).all()
        assert set(c["payment_terms"].dropna()) == {30, 60, 90}
        assert set(c["status"]) == set(E.CONTRACT_STATUS.values)
        splits = c[c["split_employee_id"].notna()]
        assert len(splits) >= 5
        staff = set(roster.loc[roster["department"] == wb.info["department"], "employee_id"])
        assert splits["split_employee_id"].isin(staff).all() and splits["split_share"].between(0.05, 0.95).all()
        assert 150 <= len(c) <= 400
        refunds += int((r["amount"] < 0).sum())
        if name != PROBLEM_FILE:
            paid = r.groupby("contract_no")["amount"].sum()
            assert (paid >= 0).all()
    assert refunds == 1


def test_receivables_age_into_every_bucket(books):
    c = pd.concat([books[n].tables["Contracts"] for n in DEPT_FILES if n != PROBLEM_FILE])
    r = pd.concat([books[n].tables["Collections"] for n in DEPT_FILES if n != PROBLEM_FILE])
    paid = c["contract_no"].map(r.groupby("contract_no")["amount"].sum()).fillna(0.0)
    open_ = c[(c["delivered"] - paid) > 0.005]
    overdue = (PERIOD_END - (open_["sign_date"] + pd.to_timedelta(open_["payment_terms"].astype(float), "D"))).dt.days
    buckets = pd.cut(overdue, [-10_000, 0, 30, 60, 90, 10_000]).value_counts()
    assert (buckets > 0).all(), buckets


def test_plan_annual_is_sum_of_months_and_indicators_complete(books, roster):
    for name in DEPT_FILES:
        plan = books[name].tables["Plan"]
        gap = (plan["annual"] - plan[list(MONTH_KEYS)].sum(axis=1)).abs()
        assert (gap > 0.01).sum() == (1 if name == PROBLEM_FILE else 0)
        sales = roster.loc[(roster["department"] == books[name].info["department"])
                           & (roster["role"] == "Salesperson"), "employee_id"]
        per_person = plan.groupby("employee_id")["indicator"].apply(set)
        assert all(per_person[e] == set(E.INDICATOR.values) for e in sales)
        seasonal = plan[plan["indicator"] == "Signing"][list(MONTH_KEYS)]
        seasonal = seasonal[(seasonal[["m02", "m12"]] > 0).all(axis=1)]  # not a hire's, leaver's or mover's zeros
        assert len(seasonal) >= 5 and (seasonal["m12"] > seasonal["m02"]).all()


def test_completion_is_green_amber_and_red(books):
    """YTD Signing completion (split shares applied) against time progress 10/12 and a 10-point band."""
    progress, band = 10 / 12, 0.10
    colours = []
    for name in DEPT_FILES:
        c, plan = books[name].tables["Contracts"], books[name].tables["Plan"]
        credits = contract_credits(c[c["sign_date"].between(YEAR_START, PERIOD_END)])
        actual = (credits["amount"] * credits["share"]).groupby(credits["employee_id"]).sum()
        target = plan[plan["indicator"] == "Signing"].set_index("employee_id")[list(MONTH_KEYS[:10])].sum(axis=1)
        completion = actual.reindex(target.index).fillna(0) / target
        colours += ["green" if x >= progress else "amber" if x >= progress - band else "red" for x in completion]
    assert {"green", "amber", "red"} <= set(colours)
    assert colours.count("green") >= len(colours) // 4 and colours.count("red") >= 2


def test_someone_reaches_the_annual_cap(books, standards, roster):
    """Independent royalty arithmetic (DOMAIN.md) for the Signed-basis plan: the cap binds for someone."""
    plans = standards.tables["RoyaltyPlans"].set_index("plan")
    tiers = standards.tables["RoyaltyTiers"]
    factor = standards.tables["ProductLines"].set_index("product_line")["royalty_factor"]
    signed_plans = plans.index[(plans["basis"] == "Signed") & (plans["method"] == "Marginal")]
    contracts = pd.concat([books[n].tables["Contracts"] for n in DEPT_FILES])
    plan_rows = pd.concat([books[n].tables["Plan"] for n in DEPT_FILES])
    reached = []
    for person in roster[roster["royalty_plan"].isin(signed_plans)].itertuples():
        credits = contract_credits(contracts[contracts["sign_date"].between(YEAR_START, PERIOD_END)])
        mine = credits[credits["employee_id"] == person.employee_id]
        base = (mine["amount"] * mine["share"]).sum()
        target = plan_rows[(plan_rows["employee_id"] == person.employee_id) & (plan_rows["indicator"] == "Signing")]
        y = float(target[list(MONTH_KEYS[:10])].sum(axis=1).iloc[0])
        if base / y < plans.loc[person.royalty_plan, "gate"]:
            continue
        t = sum(row.rate * max(0.0, min(base, (np.inf if pd.isna(row.to_pct) else row.to_pct) * y) - row.from_pct * y)
                for row in tiers[tiers["plan"] == person.royalty_plan].itertuples())
        weighted = (mine["amount"] * mine["share"] * mine["product_line"].map(factor)).sum() * t / base
        reached.append(weighted >= plans.loc[person.royalty_plan, "annual_cap"])
    assert any(reached)


def test_expenses_advances_leave(books, standards, roster):
    policy = standards.tables["ExpensePolicy"]
    tiers = standards.tables["Cities"].set_index("city")["tier"]
    cal = Calendar.from_table(standards.tables["Holidays"])
    grade = roster.set_index("employee_id")["grade"]
    combos = set(zip(policy["category"], policy["grade"], policy["city_tier"]))
    past_due = 0
    for name in DEPT_FILES:
        e = books[name].tables["Expenses"]
        assert 200 <= len(e) <= 600
        assert set(e["approval"]) == set(E.APPROVAL.values)
        known = e[e["employee_id"].isin(grade.index)]
        used = set(zip(known["category"], known["employee_id"].map(grade), known["city"].map(tiers)))
        assert used <= combos
        leave = books[name].tables["Leave"]
        assert (leave["days"] == cal.working_days(leave["start"], leave["end"])).all()
        adv = books[name].tables["Advances"]
        past_due += int(((adv["due_date"] < PERIOD_END) & (adv["repaid"] < adv["amount"])).sum())
        assert len(adv) >= 10
        if name != PROBLEM_FILE:
            assert cal.is_workday(e["date"]).all()
        forecast = books[name].tables["Forecast"]
        assert list(forecast["month"].dt.strftime("%Y-%m")) == ["2026-11", "2026-12", "2027-01"]
        assert len(books[name].tables["Feedback"]) >= 10
    assert past_due >= 3


# --------------------------------------------------------------------------- validation


def _findings(books, name):
    wb = books[name]
    return wb.findings + validate(wb, books["standards.xlsx"])


@pytest.mark.parametrize("name", [n for n in DEPT_FILES if n != PROBLEM_FILE])
def test_clean_departments_have_no_errors(books, name):
    errors = [f.message() for f in _findings(books, name) if f.severity == "error"]
    assert errors == []


def test_standards_validate_clean(books):
    assert [f.message() for f in validate(books["standards.xlsx"]) if f.severity == "error"] == []


def _readme_problems(sample_dir: Path) -> list[tuple[str, str, str, str]]:
    text = (sample_dir / "README.md").read_text(encoding="utf-8")
    section = text.split("## Deliberate problems", 1)[1]
    rows = re.findall(r"^\| `([a-z-]+)` \| (\w+) \| ([A-Z]+\d+) \| (.+?) \|$", section, flags=re.M)
    return rows


def test_readme_documents_every_problem(sample_dir, built):
    problems = next(d for d in built.departments if d.problems).problems
    documented = _readme_problems(sample_dir)
    assert documented == [(p.code, p.sheet("en"), p.cell(), p.what) for p in problems]
    assert len({p.code for p in problems}) == len(problems) >= 11


def test_problem_department_shows_each_documented_problem(books, sample_dir):
    found = {(f.code, f.cell) for f in _findings(books, PROBLEM_FILE)}
    for code, sheet, cell, _ in _readme_problems(sample_dir):
        assert (code, cell) in found, (code, sheet, cell)
    errors = {f.code for f in _findings(books, PROBLEM_FILE) if f.severity == "error"}
    documented = {code for code, *_ in _readme_problems(sample_dir)}
    assert errors <= documented


# --------------------------------------------------------------------------- people over time (issue 23)


def _who(roster: pd.DataFrame, changes: pd.DataFrame) -> dict[str, tuple]:
    """The hire, the leaver, the transferee and the promoted person, read from the Roster and Roster Changes."""
    hire = roster[roster["start_date"].dt.year == 2026]
    leaver = roster[roster["leave_date"].notna()]
    moved = changes[changes["department"].notna()]
    promoted = changes[changes["grade"].notna()]
    assert len(hire) == len(leaver) == len(moved) == len(promoted) == 1
    return {"hire": (hire["employee_id"].iloc[0], hire["start_date"].iloc[0]),
            "leaver": (leaver["employee_id"].iloc[0], leaver["leave_date"].iloc[0]),
            "moved": (moved["employee_id"].iloc[0], moved["effective_from"].iloc[0], moved["department"].iloc[0]),
            "promoted": (promoted["employee_id"].iloc[0], promoted["effective_from"].iloc[0])}


def test_a_hire_a_leaver_a_transfer_and_a_promotion_in_2026(books, standards, roster):
    """The Roster keeps everyone with a Start Date; the department workbooks agree with it: the hire's rows begin
    on the Start Date, the leaver's end on the Leave Date, the transferee's rows are in the old department's
    workbook before the transfer and in the new one's from it, and each Plan holds targets only for the months
    the person is employed in that department."""
    changes = standards.tables["RosterChanges"]
    assert roster["start_date"].notna().all() and (roster["start_date"] < pd.Timestamp("2026-12-31")).all()
    who = _who(roster, changes)
    emp_m, moved_on, new_dept = who["moved"]
    old_dept = roster.set_index("employee_id").loc[emp_m, "department"]
    assert new_dept != old_dept and moved_on.day == 1
    promo = changes[changes["employee_id"] == who["promoted"][0]].iloc[0]
    before = roster.set_index("employee_id").loc[who["promoted"][0]]
    assert promo["grade"] > before["grade"] and promo["floating_base"] > before["floating_base"]
    by_dept = {books[n].info["department"]: books[n] for n in DEPT_FILES}
    dated = {"Contracts": "sign_date", "Expenses": "date", "Advances": "date", "Leave": "start", "Training": "date"}
    for dept, book in by_dept.items():
        for table, col in dated.items():
            frame = book.tables[table]
            when = frame[col]
            hire, started = who["hire"]
            assert not (when[frame["employee_id"] == hire] < started).any(), (dept, table)
            leaver, left = who["leaver"]
            assert not (when[frame["employee_id"] == leaver] > left).any(), (dept, table)
            mine = when[frame["employee_id"] == emp_m]
            if dept == old_dept:
                assert (mine < moved_on).all() and (len(mine) or table != "Contracts"), table
            elif dept == new_dept:
                assert (mine >= moved_on).all(), table
                assert len(mine) or table in ("Advances", "Leave", "Training"), table
            else:
                assert not len(mine), (dept, table)
        plan = book.tables["Plan"].set_index("employee_id")
        months = np.arange(1, 13)
        for emp, outside in ((who["hire"][0], months < who["hire"][1].month),
                             (who["leaver"][0], months > who["leaver"][1].month),
                             (emp_m, months >= moved_on.month if dept == old_dept else months < moved_on.month)):
            if emp in plan.index:
                values = plan.loc[[emp], list(MONTH_KEYS)].to_numpy()
                assert (values[:, outside] == 0).all() and (values[:, ~outside].sum(axis=1) > 0).all(), (dept, emp)
    # the transferee's contracts signed in the new department are collected there
    new_book = by_dept[new_dept]
    theirs = set(new_book.tables["Contracts"].loc[new_book.tables["Contracts"]["employee_id"] == emp_m, "contract_no"])
    assert theirs & set(new_book.tables["Collections"]["contract_no"])
    assert not theirs & set(by_dept[old_dept].tables["Contracts"]["contract_no"])
