"""Drafting the 2027 plan from the shipped sample history (toolkit.operations.plan), read back as files."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest

from toolkit.operations.consolidate import consolidate
from toolkit.core.credits import contract_credits
from toolkit.errors import ToolkitError
from toolkit.io.reader import read_workbook
from toolkit.core import planning as P
from toolkit.io.templates import write_workbook
from toolkit.operations.plan import (cost_plan, draft_from_inputs, draft_plan, load_plan_inputs, parse_growth,
                                     write_plan)
from toolkit.sample.department import department_info
from toolkit.sample.generate import DEFAULT_SEED, clean_departments, sample_staff
from toolkit.sample.names import DEPARTMENTS
from toolkit.operations.plan_settings import plan_settings_template, read_plan_settings
from toolkit.schema import MONTH_KEYS, SCHEMAS
from toolkit.store import load_ledger_from_store
from toolkit.operations.validate import validate_paths
from toolkit.operations.source import Source
import math
import re
import zipfile
from openpyxl.utils import get_column_letter, range_boundaries

GROWTH = "Signing=10%,Collection=8%"
UNIT = {"Signing": 1000, "Collection": 1000, "Expense": 100, "Profit": 1000}


@pytest.fixture(scope="module")
def drafted(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("plan2027")
    result = draft_plan(Source([sample_dir], sample_dir / "standards.xlsx", force=True), 2027, growth=GROWTH,
                        out_dir=out)
    return result, out


def _plan_rows(paths: list[Path]) -> pd.DataFrame:
    parts = []
    for p in paths:
        data = read_workbook(p)
        parts.append(data.tables["Plan"].assign(department=data.info["department"], year=data.info["year"],
                                                lang=data.lang))
    return pd.concat(parts, ignore_index=True)


def test_the_2027_draft_validates_cleanly(drafted, sample_dir: Path) -> None:
    result, out = drafted
    assert len(result.workbooks) == 4 and (out / "plan-2027.xlsx").exists()
    reports = validate_paths(Source(result.workbooks, sample_dir / "standards.xlsx"))
    assert [(r.status, r.errors, r.warnings) for r in reports] == [("valid", 0, 0)] * 4


def test_workbooks_keep_language_and_year(drafted, sample_dir: Path) -> None:
    result, _ = drafted
    rows = _plan_rows(result.workbooks)
    langs = rows.groupby("department")["lang"].first().to_dict()
    assert langs == {"East China": "en", "North China": "en", "华南": "zh", "西部": "zh"}
    assert set(rows["year"]) == {2027}


def test_months_add_up_to_annual_in_whole_units(drafted) -> None:
    rows = _plan_rows(drafted[0].workbooks)
    cents = np.rint(rows[list(MONTH_KEYS)].to_numpy() * 100).astype(np.int64)
    assert (cents.sum(axis=1) == np.rint(rows["annual"].to_numpy() * 100)).all()
    units = rows["indicator"].map(UNIT).to_numpy() * 100
    assert (cents % units[:, None] == 0).all()


def test_departments_add_up_to_the_company_target(drafted, sample_dir: Path) -> None:
    """Company Signing = last 12 months' signed (Nov 2025 - Oct 2026, split shares applied) × 1.10, to the unit."""
    rows = _plan_rows(drafted[0].workbooks)
    ledger = Source([sample_dir], sample_dir / "standards.xlsx", force=True).ledger(None)
    cc = contract_credits(ledger.tables["Contracts"])
    window = cc["sign_date"].between("2025-11-01", "2026-10-31")
    expected = round((cc.loc[window, "amount"] * cc.loc[window, "share"]).sum() * 1.10, -3)
    signing = rows[rows["indicator"] == "Signing"]
    assert signing.groupby("department")["annual"].sum().sum() == pytest.approx(expected, abs=0.005)
    summary = pd.read_excel(drafted[1] / "plan-2027.xlsx", sheet_name="Company", engine="calamine")
    assert summary.set_index("Indicator").loc["Signing", "Annual"] == pytest.approx(expected, abs=0.005)


def test_every_salesperson_has_four_indicators_and_others_expense(drafted, sample_dir: Path) -> None:
    rows = _plan_rows(drafted[0].workbooks)
    std = read_workbook(sample_dir / "standards.xlsx")
    roster = std.tables["Roster"]
    left = roster["leave_date"].dt.year < 2027  # the sample's 2026 leaver plans nothing in 2027
    assert left.sum() == 1
    sales = set(roster.loc[(roster["role"] == "Salesperson") & ~left, "employee_id"])
    per = rows.groupby("employee_id")["indicator"].apply(set)
    assert all(per[e] == {"Signing", "Collection", "Expense", "Profit"} for e in sales)
    assert all(per[e] == {"Expense"} for e in per.index if e not in sales)
    assert not set(roster.loc[left, "employee_id"]) & set(per.index)
    # the 2026 transferee is drafted in their new department only
    moved = std.tables["RosterChanges"].dropna(subset=["department"]).iloc[0]
    assert set(rows.loc[rows["employee_id"] == moved["employee_id"], "department"]) == {moved["department"]}


def _settings_with(path: Path, holds: list[list], lang: str = "en") -> Path:
    plan_settings_template(path, lang, year=2027)
    wb = openpyxl.load_workbook(path)
    ws = wb["Held Values" if lang == "en" else "锁定值"]
    for row in holds:
        ws.append(row)
    wb.save(path)
    return path


def test_a_held_value_stays_as_typed_and_the_others_absorb(drafted, sample_dir: Path, tmp_path: Path) -> None:
    base = _plan_rows(drafted[0].workbooks)
    b = base[base["indicator"] == "Signing"]
    east0 = b[b["department"] == "East China"]["annual"].sum()
    person = b[b["department"] == "North China"].iloc[0]
    held_east = east0 + 1_234_567.89
    settings = _settings_with(tmp_path / "settings.xlsx", [
        ["Signing", "East China", None, None, held_east],
        ["Signing", None, person["employee_id"], "Mar", 333_000],
    ])
    result = draft_plan(Source([sample_dir], sample_dir / "standards.xlsx", force=True), 2027, growth=GROWTH,
                        settings=settings, out_dir=tmp_path / "out")
    rows = _plan_rows(result.workbooks)
    s = rows[rows["indicator"] == "Signing"]
    by_dept = s.groupby("department")["annual"].sum()
    assert by_dept["East China"] == pytest.approx(held_east, abs=0.001)
    assert by_dept.sum() == pytest.approx(b["annual"].sum(), abs=0.001)  # the company total is unchanged
    others0 = b[b["department"] != "East China"].groupby("department")["annual"].sum()
    ratio = by_dept.drop("East China") / others0
    assert (ratio < 1).all() and ratio.max() - ratio.min() < 0.001  # pro-rata, to the unit
    p = s[s["employee_id"] == person["employee_id"]].iloc[0]
    assert p["m03"] == 333_000
    assert validate_paths(Source(result.workbooks, sample_dir / "standards.xlsx"))[0].errors == 0


def test_round_trip_through_consolidation(drafted, sample_dir: Path, tmp_path: Path) -> None:
    result, _ = drafted
    db = tmp_path / "toolkit.db"
    res = consolidate(Source(result.workbooks, sample_dir / "standards.xlsx", db), "2027-01",
                      output=tmp_path / "consolidated.xlsx", jobs=1)
    assert res.exit_code == 0
    plan = load_ledger_from_store(db, "2027-01").tables["Plan"]
    got = plan[["department", "employee_id", "indicator", *MONTH_KEYS, "annual"]]
    want = result.draft.rows[["department", "employee_id", "indicator", *MONTH_KEYS, "annual"]]
    key = ["department", "employee_id", "indicator"]
    got = got.sort_values(key).reset_index(drop=True)
    want = want.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got.astype({k: "str" for k in key}), want.astype({k: "str" for k in key}),
                                  check_dtype=False)


@pytest.fixture(scope="module")
def from_store(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """East, South and West China (South's Info department written "华南 Region") consolidated for 2026-10 into a
    store, and the 2027 plan drafted at 5% from that store and from the same files."""
    tmp = tmp_path_factory.mktemp("from-store")
    folder = tmp / "in"
    folder.mkdir()
    files = []
    for k in ("east", "south", "west"):
        files.append(folder / f"dept-{k}.xlsx")
        files[-1].write_bytes((sample_dir / f"dept-{k}.xlsx").read_bytes())
    wb = openpyxl.load_workbook(folder / "dept-south.xlsx")
    info = wb.worksheets[0]
    row = next(r for r in range(1, 10) if info.cell(r, 1).value == "部门")
    info.cell(row, 2).value = "华南 Region"
    wb.save(folder / "dept-south.xlsx")
    std, db = sample_dir / "standards.xlsx", tmp / "h.db"
    res = consolidate(Source(files, std, db), "2026-10", output=tmp / "c.xlsx", jobs=1)
    return SimpleNamespace(files=files, std=std, db=db, consolidated=res,
                           store=draft_plan(Source(db=str(db)), 2027, growth="5%", out_dir=tmp / "a"),
                           files_draft=draft_plan(Source(files, std), 2027, growth="5%", out_dir=tmp / "b"))


def test_history_from_the_store_gives_the_same_draft(from_store) -> None:
    from_files = from_store.files_draft
    pd.testing.assert_frame_equal(from_store.store.draft.rows, from_files.draft.rows)
    assert [p.name for p in from_store.store.workbooks] == [p.name for p in from_files.workbooks]
    # North China has no history here: it gets no sales target and the draft says so
    assert any(f.code == "plan-department-no-history" and f.value == "North China" for f in from_store.store.findings)


def test_outputs_are_never_overwritten(drafted, sample_dir: Path, tmp_path: Path) -> None:
    result, out = drafted
    before = {p.name: p.read_bytes() for p in out.glob("*.xlsx")}
    with pytest.raises(ToolkitError, match="plan-2027.xlsx already exists"):  # refused before reading history
        draft_plan(Source([sample_dir], sample_dir / "standards.xlsx", force=True), 2027, out_dir=out)
    assert {p.name: p.read_bytes() for p in out.glob("*.xlsx")} == before
    # one department workbook there, no summary: writing the draft is refused before any file is written
    (tmp_path / result.workbooks[1].name).write_bytes(result.workbooks[1].read_bytes())
    inputs = load_plan_inputs(Source([sample_dir], sample_dir / "standards.xlsx", force=True), 2027)
    with pytest.raises(ToolkitError, match=f"{result.workbooks[1].name} already exists"):
        write_plan(2027, inputs, result.draft, result.cost, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [result.workbooks[1].name]


def test_history_with_errors_is_refused_without_force(sample_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ToolkitError, match="error finding"):
        draft_plan(Source([sample_dir], sample_dir / "standards.xlsx"), 2027, out_dir=tmp_path)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_settings_template_reads_back_as_the_defaults(tmp_path: Path, lang: str) -> None:
    path = plan_settings_template(tmp_path / f"s-{lang}.xlsx", lang, year=2027)
    wb = openpyxl.load_workbook(path)
    assert {t for ws in wb.worksheets for t in ws.tables} >= {"PlanOptions", "PlanGrowth", "PlanHolds",
                                                             "PlanShares", "PlanExpense"}
    assert any(dv.type == "list" for dv in wb.worksheets[3].data_validations.dataValidation)
    rules = read_plan_settings(path, 2027)
    assert rules.blend == pytest.approx(0.6667) and rules.new_hire_share == 0.5 and rules.units["Expense"] == 100


def test_settings_errors_name_file_sheet_and_cell(tmp_path: Path) -> None:
    path = plan_settings_template(tmp_path / "s.xlsx", "en", year=2027)
    wb = openpyxl.load_workbook(path)
    wb["Growth"].append(["Signing", None, 10])  # 10 = 1000%: meant 10%
    wb.save(path)
    with pytest.raises(ToolkitError, match=r"s\.xlsx: Growth!C2: 1000% is not a plausible growth rate"):
        read_plan_settings(path, 2027)
    wb["Growth"]["C2"] = 0.1
    wb["Growth"]["A2"] = "Revenue"
    wb.save(path)
    with pytest.raises(ToolkitError, match=r"s\.xlsx: Growth!A2"):
        read_plan_settings(path, 2027)
    with pytest.raises(ToolkitError, match="for 2027, not 2028"):
        read_plan_settings(plan_settings_template(tmp_path / "t.xlsx", "zh", year=2027), 2028)
    _settings_with(tmp_path / "m.xlsx", [["Signing", "East China", None, "Mar", 5]])
    with pytest.raises(ToolkitError, match=r"m\.xlsx: Held Values!D2: a month can be held for a person only"):
        read_plan_settings(tmp_path / "m.xlsx", 2027)


def test_settings_in_chinese_are_read_the_same(tmp_path: Path) -> None:
    path = _settings_with(tmp_path / "zh.xlsx", [["签约", "华南", None, None, 1_000_000],
                                                ["回款", None, "E3002", "3月", 50_000]], lang="zh")
    holds = read_plan_settings(path, 2027).holds
    assert [(h.indicator, h.department, h.employee_id, h.month, h.value) for h in holds] == [
        ("Signing", "华南", None, None, 1_000_000), ("Collection", None, "E3002", 3, 50_000)]
    assert holds[0].where == "zh.xlsx: 锁定值!E2"


def test_growth_parsing() -> None:
    assert parse_growth("8%") == {"Signing": 0.08, "Collection": 0.08}
    assert parse_growth("signing=10, 回款=-5%") == {"Signing": 0.1, "Collection": -0.05}
    for bad in ("fast", "Revenue=5%", "900%"):
        with pytest.raises(ToolkitError, match="Growth"):
            parse_growth(bad)


def test_plan_history_keys_departments_by_the_roster_from_the_store_as_from_files(from_store) -> None:
    """An Info department written "华南 Region" is the Roster's 华南 in the ledger, and so in the plan drafted from
    the store: its workbook is named after its file and written in its language, as drafted from the files."""
    assert "华南" in {f.department for f in from_store.consolidated.consolidated}
    for source in (Source(db=str(from_store.db)), Source(from_store.files, from_store.std)):
        inputs = load_plan_inputs(source, 2027)
        keys = set(inputs.ledger.tables["Contracts"]["department"])
        assert "华南" in keys and "华南 Region" not in keys
        assert set(inputs.langs) == set(inputs.stems) == keys
        assert inputs.stems["华南"] == "dept-south" and inputs.langs["华南"] == "zh"
    south = next(p for p in from_store.store.workbooks if p.name == "dept-south-2027.xlsx")
    south = read_workbook(south)
    assert south.info["department"] == "华南" and south.lang == "zh"


def test_budgets_by_category_add_up_to_the_expense_plan_to_the_cent(drafted, sample_dir: Path) -> None:
    """Issue 28: each drafted workbook's Budget adds up, month by month, to its Plan's Expense rows exactly; each
    category's share follows the department's blended spend by category (2/3 last 12 months, 1/3 the 12 before)."""
    result, out = drafted
    history = pd.concat([read_workbook(p).tables["Expenses"].assign(department=read_workbook(p).info["department"])
                         for p in sorted(sample_dir.glob("dept-*.xlsx"))], ignore_index=True)
    history = history[history["approval"].isin(["Approved", "Pending"]) | history["approval"].isna()]
    month = history["date"].dt.to_period("M")
    as_of = pd.Period("2026-10", freq="M")
    for path in result.workbooks:
        data = read_workbook(path)
        plan, budget = data.tables["Plan"], data.tables["Budget"]
        assert len(budget) >= 3 and set(budget["category"]) <= {"Travel", "Accommodation", "Meals", "Entertainment",
                                                                 "Transport", "Advertising", "Conference", "Other"}
        expense = plan[plan["indicator"] == "Expense"]
        for m in MONTH_KEYS:
            assert round(budget[m].sum() * 100) == round(expense[m].sum() * 100), (path.name, m)
            assert all(round(v * 100) % 10000 == 0 for v in budget[m])  # whole units of 100
        assert all(round(a * 100) == round(budget.loc[i, MONTH_KEYS].sum() * 100)
                   for i, a in budget["annual"].items())
        dept = history[history["department"] == data.info["department"]]
        m_dept = month[dept.index]
        last = dept[(m_dept > as_of - 12) & (m_dept <= as_of)].groupby("category")["amount"].sum()
        before = dept[(m_dept > as_of - 24) & (m_dept <= as_of - 12)].groupby("category")["amount"].sum()
        older = before if before.sum() else last
        share = ((2 / 3) * last / last.sum()).add((1 / 3) * older / older.sum(), fill_value=0.0)
        total = float(expense["annual"].sum())
        for cat, annual in zip(budget["category"], budget["annual"]):
            assert abs(annual - share.get(cat, 0.0) * total) <= 12 * 100, (path.name, cat)
    summary = openpyxl.load_workbook(out / "plan-2027.xlsx")
    assert "Budget by Category" in summary.sheetnames


def test_category_budget_holds_are_read_and_checked(tmp_path: Path) -> None:
    """Held Values' Category column (issue 28): a department's budget for a category, annual or a month, read in
    either language; a Category on a person's or a sales indicator's row is refused at its cell."""
    path = _settings_with(tmp_path / "zh.xlsx", [["费用", "华南", None, None, 60_000, "广告"],
                                                ["费用", "华南", None, "3月", 2_000, "会议"]], lang="zh")
    holds = read_plan_settings(path, 2027).holds
    assert [(h.indicator, h.department, h.employee_id, h.month, h.value, h.category) for h in holds] == [
        ("Expense", "华南", None, None, 60_000, "Advertising"), ("Expense", "华南", None, 3, 2_000, "Conference")]
    _settings_with(tmp_path / "bad.xlsx", [["Signing", "East China", None, None, 5, "Travel"]])
    with pytest.raises(ToolkitError, match=r"bad\.xlsx: Held Values!F2: a Category is held for a department's"):
        read_plan_settings(tmp_path / "bad.xlsx", 2027)
@pytest.fixture(scope="module")
def north_rejected(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A store where North China was accepted at 2026-09 (its workbook without the sample's planted errors) and
    rejected at 2026-10 (the sample's); and that clean workbook."""
    tmp = tmp_path_factory.mktemp("north")
    staff = sample_staff(DEFAULT_SEED)
    spec = next(d for d in DEPARTMENTS if d.key == "north")
    clean = Path(write_workbook(tmp / "dept-north.xlsx", SCHEMAS["department"], spec.lang,
                                frames=clean_departments(staff, DEFAULT_SEED)["north"],
                                info=department_info(spec, staff), roster_ids=list(staff["employee_id"])))
    db = tmp / "h.db"
    assert consolidate(Source([clean], sample_dir / "standards.xlsx", db), "2026-09", jobs=1).consolidated
    res = consolidate(Source([sample_dir], db=db), "2026-10", jobs=1)
    assert "North China" not in {f.department for f in res.consolidated}
    return db, clean


def test_a_department_rejected_at_the_last_close_is_drafted_from_its_last_accepted_snapshot(
        north_rejected, sample_dir: Path) -> None:
    """Issue 24: North China, rejected at 2026-10, is drafted from its 2026-09 snapshot (a note says so), exactly
    as from that workbook; its people are not new hires; the cost model counts them with their targets."""
    db, clean = north_rejected
    rules = P.PlanRules(2027, growth={"Signing": 0.05, "Collection": 0.05})
    inputs = load_plan_inputs(Source(db=db), 2027)
    draft, _, cost = draft_from_inputs(inputs, rules, (1.0,))
    note = [f for f in draft.findings if f.code == "plan-department-earlier-snapshot"]
    assert [(f.value, f.params["period"], f.params["latest"]) for f in note] == [("North China", "2026-09", "2026-10")]
    assert "2026-09" in note[0].message("en") and "2026-09" in note[0].message("zh")
    files = [sample_dir / f"dept-{k}.xlsx" for k in ("east", "south", "west")] + [clean]
    want, _, want_cost = draft_from_inputs(load_plan_inputs(Source(files, sample_dir / "standards.xlsx"), 2027),
                                           rules, (1.0,))
    pd.testing.assert_frame_equal(draft.rows, want.rows)
    north = draft.rows[(draft.rows["department"] == "North China") & (draft.rows["indicator"] == "Signing")]
    assert len(north) and (north["annual"] > 0).all()
    assert not [f for f in draft.findings if f.code in ("plan-new-hire", "plan-department-no-history")
                and (f.value in set(north["employee_id"]) or f.value == "North China")]
    pd.testing.assert_frame_equal(cost.people, want_cost.people)
    assert cost.at(1.0, "departments").set_index("department").loc["North China", "royalty"] > 0


def test_a_department_rejected_without_an_earlier_snapshot_stops_the_draft(sample_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    consolidate(Source([sample_dir], db=db), "2026-10", jobs=1)  # North China rejected, never accepted before
    for call in (lambda: draft_plan(Source(db=db), 2027, out_dir=tmp_path / "plan"),
                 lambda: cost_plan(Source(db=db), 2027, levels=(1.0,))):
        with pytest.raises(ToolkitError) as exc:
            call()
        assert exc.value.key == "source.plan-department-rejected"
        assert "North China" in exc.value.message("en") and "2026-10" in exc.value.message("zh")
    assert not (tmp_path / "plan").exists()


def test_the_summary_prints_its_charts_and_its_header_row_on_every_page(drafted) -> None:
    """Issue 24: every visible sheet of plan-2027.xlsx repeats its header row, has a page footer, and its print
    area holds its charts (read back from the file: each chart's anchor cell and size in the drawing XML)."""


    _result, out = drafted
    path = out / "plan-2027.xlsx"
    wb = openpyxl.load_workbook(path)
    charted = 0
    with zipfile.ZipFile(path) as zf:
        for i, ws in enumerate(wb.worksheets, 1):
            if ws.sheet_state != "visible":
                continue
            assert ws.print_title_rows == "$1:$1" and ws.oddFooter.center.text, ws.title
            assert ws.oddHeader.center.text == "&F – &A" and ws.page_setup.orientation == "landscape", ws.title
            area = range_boundaries(str(ws.print_area).split("!")[-1].replace("$", ""))
            rels = f"xl/worksheets/_rels/sheet{i}.xml.rels"
            if rels not in zf.namelist():
                continue
            drawing = re.search(r'Target="/?(xl/drawings/drawing\d+\.xml)"', zf.read(rels).decode())
            if not drawing:
                continue
            xml = zf.read(drawing.group(1)).decode()
            for col, row, cx, cy in re.findall(r"<from><col>(\d+)</col>.*?<row>(\d+)</row>.*?</from>"
                                               r"<ext cx=\"(\d+)\" cy=\"(\d+)\"", xml):
                charted += 1
                last_row = int(row) + 1 + math.ceil(int(cy) / 190500)  # EMU of a 15-point row
                px, c = int(cx) / 9525, int(col) + 1
                while px > 0:
                    px -= (ws.column_dimensions[get_column_letter(c)].width or 8.43) * 7 + 5
                    c += 1
                assert area[3] >= last_row and area[2] >= c - 1, (ws.title, ws.print_area, last_row, c - 1)
    assert charted == 3
