"""``toolkit plan draft|settings|cost``: parse, one call, presentation; errors are one line and exit 2."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from toolkit.cli.main import cli
from toolkit.operations import plan as OP


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_settings_command_writes_both_languages(tmp_path: Path) -> None:
    res = run("plan", "settings", "-o", tmp_path / "s.xlsx", "--year", "2027")
    assert res.exit_code == 0 and "s.xlsx" in res.output
    res = run("--lang", "zh", "plan", "settings", "-o", tmp_path / "z.xlsx")
    assert res.exit_code == 0 and "已生成" in res.output
    assert "锁定值" in openpyxl.load_workbook(tmp_path / "z.xlsx").sheetnames
    again = run("plan", "settings", "-o", tmp_path / "s.xlsx")
    assert again.exit_code == 2 and "already exists" in again.output


@pytest.fixture(scope="module")
def drafted(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """``plan draft --format json`` of 2027 at 8% growth from the sample: (the CLI result, the output folder)."""
    out = tmp_path_factory.mktemp("draft") / "out"
    res = CliRunner().invoke(cli, ["plan", "draft", "--year", "2027", str(sample_dir), "--standards",
                                   str(sample_dir / "standards.xlsx"), "--growth", "8%", "-o", str(out),
                                   "--force", "--format", "json"])
    return res, out


def test_draft_json_lists_files_and_adds_up(drafted) -> None:
    res, _ = drafted
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["year"] == 2027 and payload["as_of"] == "2026-10"
    assert all(Path(p).exists() for p in [*payload["workbooks"], payload["summary"]])
    for ind in ("Signing", "Collection", "Expense", "Profit"):
        company = next(Decimal(c["annual"]) for c in payload["company"] if c["indicator"] == ind)
        assert company == sum(Decimal(d["annual"]) for d in payload["departments"] if d["indicator"] == ind)
        assert company == sum(Decimal(r["annual"]) for r in payload["rows"] if r["indicator"] == ind)
    assert [c["level"] for c in payload["cost"]["company"]] == [0.8, 1.0, 1.2]
    assert "Reading history" in res.stderr  # progress


def test_cost_text_json_and_xlsx(sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each format of ``plan cost``. The json and xlsx runs cost the same plan with the same arguments: the second
    gets a copy of the first's cost model, so the test runs the costing twice (2 and 3 levels), not three times
    (what is presented in each format is this test's; the costing itself is tests/test_plan_cost.py's). The two
    costings read the same history of the same folder: the second gets a copy of what the first read."""
    costed: dict[str, object] = {}
    real, read = OP.cost_plan, OP.load_plan_inputs
    histories: dict[str, object] = {}

    def cost_once(source, year, **kw):
        key = repr((source.paths, source.standards, source.db, source.force, source.lang, year, kw))
        if key not in costed:
            costed[key] = real(source, year, **kw)
        return copy.deepcopy(costed[key])

    def read_once(source, year, **kw):
        key = repr((source.paths, source.standards, source.db, source.force, source.lang, year, kw))
        if key not in histories:
            histories[key] = read(source, year, **kw)
        return copy.deepcopy(histories[key])

    monkeypatch.setattr(OP, "cost_plan", cost_once)
    monkeypatch.setattr(OP, "load_plan_inputs", read_once)
    base = ["plan", "cost", "--year", "2027", sample_dir, "--standards", sample_dir / "standards.xlsx", "--force"]
    text = run(*base, "--levels", "90,110")
    assert text.exit_code == 0 and "90.0%" in text.output and "110.0%" in text.output
    js = run(*base, "--format", "json", "-o", tmp_path / "c.json")
    data = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert js.exit_code == 0 and data["levels"] == [0.8, 1.0, 1.2] and data["people"]
    xl = run(*base, "--format", "xlsx", "-o", tmp_path / "c.xlsx")
    assert xl.exit_code == 0
    assert openpyxl.load_workbook(tmp_path / "c.xlsx").sheetnames[:2] == ["Cost", "Cost by Person"]
    assert len(costed) == 2  # the text run's levels, and the one model of the json and xlsx runs
    assert len(histories) == 1  # one history read for both costings


def test_cost_of_an_edited_plan(drafted, sample_dir: Path, tmp_path: Path) -> None:
    """--plan costs the Plan sheets as they are now (a folder, several files; never the summary): doubling one
    person's Collection raises their royalty. (The plan drafted by ``plan draft``, copied: it is edited here.)"""
    res, drafted_out = drafted
    assert res.exit_code == 0, res.output
    out = tmp_path / "out"
    out.mkdir()
    for book in drafted_out.glob("*.xlsx"):
        (out / book.name).write_bytes(book.read_bytes())
    common = ["plan", "cost", "--year", "2027", sample_dir, "--standards", sample_dir / "standards.xlsx", "--force",
              "--levels", "100", "--format", "json"]
    east = out / "dept-east-2027.xlsx"
    # issue 24: the folder, or what a shell makes of --plan out/*.xlsx (the first file as --plan, the others as
    # PATH...), costs every department workbook of the plan; the summary among them is skipped, alone refused
    signing = Decimal(0)
    for book in sorted(out.glob("dept-*-2027.xlsx")):
        wb = openpyxl.load_workbook(book)
        sheet = wb["Plan"] if "Plan" in wb.sheetnames else wb["计划"]
        signing += sum(Decimal(str(r[14])) for r in sheet.iter_rows(min_row=2, values_only=True)
                       if r[1] in ("Signing", "签约"))
    files = sorted(out.glob("*.xlsx"))
    assert files[-1].name == "plan-2027.xlsx" and len(files) == 5
    for plan in (["--plan", out], ["--plan", *files]):
        res = run(*common, *plan)
        assert res.exit_code == 0, res.output
        payload = json.loads(res.stdout)
        assert Decimal(payload["company"][0]["signing"]) == signing > 0
        assert {p["department"] for p in payload["people"]} == {"East China", "North China", "华南", "西部"}
    refused = run(*common, "--plan", files[-1])
    assert refused.exit_code == 2 and "plan-2027.xlsx is the plan's summary" in refused.output
    before = json.loads(run(*common, "--plan", east).stdout)
    assert {p["department"] for p in before["people"]} == {"East China"}
    wb = openpyxl.load_workbook(east)
    ws = wb["Plan"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "E1002" and row[1].value == "Collection":
            for cell in row[2:15]:
                cell.value = cell.value * 2
    wb.save(east)
    after = json.loads(run(*common, "--plan", east).stdout)
    royalty = {r["employee_id"]: (Decimal(r["royalty"]), Decimal(a["royalty"]))
               for r, a in zip(before["people"], after["people"])}
    assert royalty["E1002"][1] > Decimal("1.5") * royalty["E1002"][0] > 0
    assert royalty["E1003"][0] == royalty["E1003"][1]


@pytest.mark.parametrize("args, message", [
    (["plan", "draft", "--year", "20x7", "-o", "x"], "is not a year"),
    (["plan", "cost", "--year", "2027"], "Give department workbooks"),
    (["plan", "cost", "--year", "2027", "--levels", "a,b", "--db", "x.db"], "Attainment levels"),
    (["plan", "draft", "--year", "2027", "--db", "nowhere.db", "-o", "x"], "There is no history store nowhere.db"),
])
def test_errors_are_one_line(args: list[str], message: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(cli, args)
    assert not (tmp_path / "nowhere.db").exists()  # reading history never creates a store
    assert res.exit_code == 2 and message in res.output
    errors = [line for line in res.stderr.splitlines() if not line.endswith("…")]  # progress lines end in …
    assert "Traceback" not in res.output and len(errors) == 1 and message in errors[0]
