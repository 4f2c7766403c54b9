"""Issue 29: every CLI command has a ribbon button or a documented reason; the company buttons (from the history
store) give the CLI's figures; per-workbook buttons refuse the wrong workbook in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner

from toolkit.cli.main import cli
from toolkit.excel import macros
from toolkit.excel.reach import BUTTONS, NO_BUTTON, reason
from toolkit.io.reader import read_workbook
from toolkit.report.pdf import find_chromium
from toolkit.store import open_store

PERIOD = "2026-10"


pytestmark = pytest.mark.usefixtures("isolated_settings")


def invoke(*args: str | Path, lang: str | None = None):
    pre = ["--lang", lang] if lang else []
    return CliRunner().invoke(cli, [*pre, *map(str, args)])


def commands(group: click.Group, prefix: str = "") -> list[str]:
    out: list[str] = []
    for name, cmd in group.commands.items():
        path = f"{prefix} {name}".strip()
        out += commands(cmd, path) if isinstance(cmd, click.Group) else [path]
    return out


def test_every_cli_command_has_a_button_or_a_reason():
    cli_commands = set(commands(cli))
    missing = sorted(c for c in cli_commands if c not in BUTTONS and c not in NO_BUTTON)
    assert not missing, f"CLI commands with neither a ribbon button nor a reason in toolkit/excel/reach.py: {missing}"
    assert not set(BUTTONS) & set(NO_BUTTON)
    assert set(BUTTONS) <= cli_commands  # no stale entries
    for command, names in BUTTONS.items():
        assert set(names) <= set(macros.NAMES), command
    for command in NO_BUTTON:
        en, zh = reason(command, "en"), reason(command, "zh")
        assert en and zh and en != zh


def test_reachability_table_is_in_the_docs():
    doc = (Path(__file__).parents[1] / "docs" / "excel.md").read_text(encoding="utf-8")
    for command in list(BUTTONS) + list(NO_BUTTON):
        assert f"`{command}`" in doc, command


@pytest.fixture(scope="module")
def consolidated(tmp_path_factory, sample_dir) -> Path:
    """The sample consolidated through the Consolidate folder button: ``consolidated/`` with the store."""
    folder = tmp_path_factory.mktemp("company")
    for f in sample_dir.glob("*.xlsx"):
        shutil.copy(f, folder / f.name)
    res = invoke("macro", "consolidate_folder", "--book", folder / "dept-east.xlsx", "--out",
                 folder / "work" / "east.xlsx", "--standards", folder / "standards.xlsx",
                 "--answer", f"folder={folder}", "--answer", f"period={PERIOD}")
    assert res.exit_code == 0, res.output
    book = folder / "consolidated" / f"consolidated-{PERIOD}.xlsx"
    assert book.exists() and (folder / "consolidated" / "toolkit.db").exists()
    return book


@pytest.mark.parametrize("name", ["monthly_report", "royalties", "statements"])
def test_per_workbook_buttons_refuse_the_consolidated_workbook_in_one_line(consolidated, tmp_path, name):
    for lang, button in (("en", "Company report"), ("zh", "公司报告")):
        res = invoke("macro", name, "--book", consolidated, "--out", tmp_path / f"{name}-{lang}.xlsx", lang=lang)
        assert res.exit_code == 2
        lines = [x for x in res.stderr.splitlines() if x.strip()]
        assert len(lines) == 1 and button in lines[0] and "Traceback" not in res.output
    assert not list(tmp_path.glob("monthly-report-*"))  # nothing rendered


def test_per_workbook_buttons_refuse_the_standards_workbook(sample_dir, tmp_path):
    res = invoke("macro", "monthly_report", "--book", sample_dir / "standards.xlsx", "--out", tmp_path / "s.xlsx")
    assert res.exit_code == 2 and "standards workbook" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def _values(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path, data_only=True)
    return {ws.title: [r for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_company_report_button_gives_the_figures_of_report_db(consolidated, tmp_path):
    db = consolidated.parent / "toolkit.db"
    res = invoke("report", "--db", db, "--period", PERIOD, "--format", "xlsx", "-o", tmp_path / "cli")
    assert res.exit_code == 0, res.output
    res = invoke("macro", "company_report", "--book", consolidated, "--out", tmp_path / "c.xlsx", "--answer", f"store={db}",
                 "--answer", f"period={PERIOD}")
    assert res.exit_code == 0, res.output
    made = consolidated.parent / f"report-{PERIOD}" / f"monthly-report-{PERIOD}.xlsx"
    assert f"Opened: {made}" in res.output
    cli_values, button_values = _values(tmp_path / "cli" / f"monthly-report-{PERIOD}.xlsx"), _values(made)
    assert cli_values == button_values and len(button_values) > 1


@pytest.mark.parametrize("name", ["salary", "forecast"])
def test_store_buttons_give_the_cli_figures(consolidated, tmp_path, name):
    db = consolidated.parent / "toolkit.db"
    res = invoke(name, "--db", db, "--period", PERIOD, "--format", "xlsx", "-o", tmp_path / "cli.xlsx")
    assert res.exit_code in (0, 1), res.output
    res = invoke("macro", name, "--book", consolidated, "--out", tmp_path / "c.xlsx", "--answer", f"store={db}",
                 "--answer", f"period={PERIOD}")
    assert res.exit_code == 0, res.output
    assert _values(consolidated.parent / f"{name}-{PERIOD}.xlsx") == _values(tmp_path / "cli.xlsx")


def test_history_appraisal_and_plan_settings_buttons(consolidated, tmp_path):
    store = f"store={consolidated.parent / 'toolkit.db'}"
    res = invoke("macro", "history", "--book", consolidated, "--out", tmp_path / "h.xlsx", "--answer", store)
    assert res.exit_code == 0, res.output
    with open_store(str(consolidated.parent / "toolkit.db")) as db:
        runs = db.runs(None)
    sheets = _values(consolidated.parent / "history.xlsx")
    assert sum(len(rows) - 1 for rows in sheets.values()) >= len(runs) >= 1
    res = invoke("macro", "appraisal", "--book", consolidated, "--out", tmp_path / "a.xlsx", "--answer", store,
                 "--answer", "year=2026")
    assert res.exit_code == 0, res.output
    assert (consolidated.parent / "appraisal-2026.xlsx").exists()
    res = invoke("macro", "plan_settings", "--book", consolidated, "--out", tmp_path / "p.xlsx",
                 "--answer", f"plan-path={tmp_path / 'ps.xlsx'}")
    assert res.exit_code == 0, res.output
    assert "Options" in openpyxl.load_workbook(tmp_path / "ps.xlsx").sheetnames


def test_store_buttons_say_when_there_is_no_store(sample_dir, tmp_path):
    res = invoke("macro", "salary", "--book", sample_dir / "dept-east.xlsx", "--out", tmp_path / "e.xlsx",
                 "--answer", f"store={tmp_path / 'none.db'}")
    assert res.exit_code == 2 and "No history store" in res.stderr


def test_close_month_asks_first_and_records_the_close(sample_dir, tmp_path):
    folder = tmp_path / "depts"
    folder.mkdir()
    for name in ("standards.xlsx", "dept-east.xlsx"):  # one department: the button's asking and recording, not size
        shutil.copy(sample_dir / name, folder / name)
    args = ["macro", "close_month", "--book", folder / "dept-east.xlsx", "--out", tmp_path / "w" / "e.xlsx",
            "--standards", folder / "standards.xlsx", "--answer", f"close-folder={folder}"]
    res = invoke(*args)  # the confirmation defaults to no
    assert res.exit_code == 0 and "cancelled" in res.output
    assert not (folder / "consolidated" / "toolkit.db").exists()
    res = invoke(*args, "--answer", "close-confirm=yes")
    assert res.exit_code == 0, res.output
    with open_store(str(folder / "consolidated" / "toolkit.db")) as store:
        assert len(store.closes(PERIOD)) >= 1
    assert (folder / "consolidated" / f"consolidated-{PERIOD}.xlsx").exists()


def test_plan_cost_button_costs_the_open_plan_as_plan_cost_does(consolidated, tmp_path):
    db = consolidated.parent / "toolkit.db"
    # North China was rejected at the close with no earlier snapshot: a draft from the store stops (issue 24), so the
    # plan is drafted from the accepted workbooks; costing East's plan from the store needs only East's history
    folder = consolidated.parent.parent
    assert invoke("plan", "draft", "--year", "2027", "--db", db, "-o", tmp_path / "refused").exit_code == 2
    res = invoke("plan", "draft", "--year", "2027", *(folder / f"dept-{d}.xlsx" for d in ("east", "south", "west")),
                 "--standards", folder / "standards.xlsx", "-o", tmp_path / "plan")
    assert res.exit_code == 0, res.output
    east = tmp_path / "plan" / "dept-east-2027.xlsx"
    res = invoke("plan", "cost", "--year", "2027", "--db", db, "--plan", east, "--format", "xlsx",
                 "-o", tmp_path / "cli-cost.xlsx")
    assert res.exit_code == 0, res.output
    res = invoke("macro", "plan_cost", "--book", east, "--out", tmp_path / "work" / "dept-east-2027.xlsx",
                 "--answer", f"store={db}")
    assert res.exit_code == 0, res.output
    made = tmp_path / "work" / "plan-cost-2027.xlsx"
    assert f"Opened: {made}" in res.output
    assert _values(made) == _values(tmp_path / "cli-cost.xlsx")


def test_performance_files_button_writes_one_file_per_person(consolidated, sample_dir):
    """One file per person on the Roster, named by ID and name, as ``toolkit performance-file`` names them (its
    own tests: tests/test_performance.py; both call ``write_performance_files``): the expected names come from the
    sample's Roster, not from a second run of the whole year (the costly part)."""
    db = consolidated.parent / "toolkit.db"
    res = invoke("macro", "performance_files", "--book", consolidated, "--out", consolidated.parent / "p.xlsx",
                 "--answer", f"store={db}", "--answer", "year=2026")
    assert res.exit_code == 0, res.output
    roster = read_workbook(sample_dir / "standards.xlsx", kind="standards").tables["Roster"]
    people = roster.dropna(subset=["employee_id"]).drop_duplicates("employee_id")
    wanted = sorted(f"performance-2026-{e}-{n}" for e, n in zip(people["employee_id"], people["name"]))
    folder = consolidated.parent / "performance-2026"
    made = sorted(p.stem for p in folder.rglob("*.xlsx"))
    assert len(wanted) >= 30 and made == wanted
    if find_chromium():  # the button prints the PDFs too where Chromium is installed
        assert sorted(p.stem for p in folder.rglob("*.pdf")) == wanted


def test_candidates_button_writes_the_ranking_of_candidates_db(consolidated, tmp_path):
    db = consolidated.parent / "toolkit.db"
    res = invoke("candidates", "--db", db, "--year", "2026", "--role", "Manager", "-o", tmp_path / "cli.xlsx")
    assert res.exit_code == 0, res.output
    res = invoke("macro", "candidates", "--book", consolidated, "--out", tmp_path / "c.xlsx", "--answer",
                 f"store={db}", "--answer", "year=2026", "--answer", "role=Manager")
    assert res.exit_code == 0, res.output
    made = consolidated.parent / "candidates-2026-Manager.xlsx"
    assert _values(made) == _values(tmp_path / "cli.xlsx")
    assert [r[4] for r in _values(made)["Candidates"][1:]] == ["Manager"] * (len(_values(made)["Candidates"]) - 1)
