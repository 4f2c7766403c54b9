"""`toolkit completion|funds|forecast` on real workbook files: json, xlsx, text, refusal and --force."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from test_completion import HAND, hand_ledger

from toolkit.cli.main import cli
from toolkit.io.templates import write_workbook
from toolkit.schema import DEPARTMENT, STANDARDS


@pytest.fixture(scope="module")
def hand_files(tmp_path_factory) -> Path:
    """The hand-worked example of test_completion written as real workbooks (East is clean; West has errors:
    W1's plan lacks three indicators)."""
    ledger = hand_ledger()
    out = tmp_path_factory.mktemp("hand")
    write_workbook(out / "standards.xlsx", STANDARDS, "en", frames=dict(ledger.standards.tables))
    for dept in ("East", "West"):
        frames = {k: f[f["department"] == dept].drop(columns=["department", "source"])
                  for k, f in ledger.tables.items() if len(f)}
        write_workbook(out / f"{dept}.xlsx", DEPARTMENT, "en", frames=frames,
                       info={"department": dept, "year": 2025, "period": "2025-03"})
    return out


def run(*args: str, lang: str = "en"):
    return CliRunner().invoke(cli, ["--lang", lang, *args], catch_exceptions=False)


def _args(folder: Path, command: str, *more: str) -> list[str]:
    return [command, str(folder), "--standards", str(folder / "standards.xlsx"), "--period", "2025-03", *more]


def test_errors_refuse_without_force(hand_files):
    result = run(*_args(hand_files, "completion"))
    assert result.exit_code == 2
    assert "--force" in result.output and "West.xlsx" in result.output
    assert "Profit" in result.output or "indicator" in result.output.lower()


def test_completion_json_matches_the_hand_worked_department(hand_files):
    # the clean East workbook alone needs no --force; the standards has no royalty plans, so royalties are 0
    result = run("completion", str(hand_files / "East.xlsx"), "--standards", str(hand_files / "standards.xlsx"),
                 "--period", "2025-03", "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["period"] == "2025-03" and payload["royalties_included"] is False
    keys = ["level", "key", "indicator", "month_target", "month_actual", "month_completion", "ytd_target", "ytd_actual",
            "ytd_completion", "time_progress", "pacing", "gap", "needed_per_month", "rag", "rank",
            "annual_target", "annual_completion", "rag_reference", "status", "reason"]
    assert all(sorted(r) == sorted(keys) for r in payload["rows"])
    rows = {(r["level"], r["key"], r["indicator"]): r for r in payload["rows"]}
    e2 = rows[("employee", "E2", "Signing")]  # 6000 (C1 split) + 12000 (C2) against 15000
    assert e2["ytd_actual"] == "18000.00" and e2["ytd_target"] == "15000.00" and e2["ytd_completion"] == 1.2
    assert e2["rag"] == "green" and e2["rank"] == 1 and e2["time_progress"] == 0.25
    assert e2["annual_target"] == "60000.00" and e2["annual_completion"] == 0.3 and e2["pacing"] == 1.2
    east = rows[("department", "East", "Collection")]
    # without West's C4 split (file not given) E1 collects 32000 - 2000 = 30000; E2 3000
    assert east["ytd_actual"] == "33000.00" and east["gap"] == "3000.00"
    assert east["needed_per_month"] == "12333.33"  # (144000 - 33000) / 9
    ex = rows[("employee", "E1", "Expense")]
    # 900 of a 3000 budget to date: under budget is green (the corrected rule)
    assert ex["ytd_actual"] == "900.00" and ex["rag"] == "green" and ex["month_completion"] == 0.9
    # money is always a two-decimal string, blanks are null
    assert all(isinstance(r["gap"], str) and r["gap"].count(".") == 1 and len(r["gap"].split(".")[1]) == 2
               for r in payload["rows"] if r["status"] == "computed")
    assert all(r["gap"] is None for r in payload["rows"] if r["status"] == "not-computed")  # West: no workbook given
    assert {e["employee_id"]: e["department"] for e in payload["employees"]} == {"E1": "East", "E2": "East"}


def test_completion_with_force_reads_both_and_lists_findings(hand_files):
    result = run(*_args(hand_files, "completion", "--format", "json", "--force"))
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    rows = {(r["level"], r["key"], r["indicator"]): r for r in payload["rows"]}
    for (level, key, ind), expected in HAND.items():
        if ind == "Profit":  # HAND includes royalties; the files have none
            continue
        got = rows[(level, key, ind)]
        for col in ("month_actual", "ytd_actual", "ytd_target", "gap", "needed_per_month"):
            if col in expected:
                assert got[col] == f"{expected[col]:.2f}", (level, key, ind, col)
        if "rag" in expected:
            assert got["rag"] == expected["rag"], (level, key, ind)
        if "ytd_completion" in expected:
            assert got["ytd_completion"] == pytest.approx(expected["ytd_completion"], abs=5e-5)
    codes = {f["code"] for f in payload["findings"]}
    assert "plan-indicator-missing" in codes
    assert all(f["file"] for f in payload["findings"])


def test_completion_xlsx_has_rag_colours(hand_files, tmp_path):
    out = tmp_path / "completion.xlsx"
    result = run(*_args(hand_files, "completion", "--format", "xlsx", "-o", str(out), "--force"))
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    ws = wb["Completion"]
    headers = [c.value for c in ws[1]]
    assert headers[:5] == ["Level", "Key", "Name", "Department", "Indicator"] and "RAG" in headers
    rag_col = headers.index("RAG") + 1
    values = {ws.cell(r, rag_col).value for r in range(2, ws.max_row + 1)}
    assert {"Green", "Amber", "Red"} <= values  # words, not raw codes (issue 24)
    ranges = [str(cf.sqref) for cf in ws.conditional_formatting]
    letter = openpyxl.utils.get_column_letter(rag_col)
    assert any(rng.startswith(letter) for rng in ranges)
    assert ws.tables and "Findings" in wb.sheetnames
    money_col = headers.index("YTD Actual") + 1
    assert ws.cell(2, money_col).number_format == "#,##0.00"


def test_completion_text_and_chinese(hand_files, tmp_path):
    result = run(*_args(hand_files, "completion", "--force"))
    assert result.exit_code == 0
    assert "Indicator completion 2025-03" in result.output and "Amber" in result.output
    out = tmp_path / "c.txt"
    zh = run(*_args(hand_files, "completion", "--force", "-o", str(out)), lang="zh")
    assert zh.exit_code == 0 and zh.output == ""
    text = out.read_text(encoding="utf-8")
    assert "指标完成情况" in text and "签约" in text and "黄" in text


def test_funds_json_and_xlsx(hand_files, tmp_path):
    result = run(*_args(hand_files, "funds", "--format", "json", "--force"))
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["as_of"] == "2025-03-31"
    recv = {r["contract_no"]: r for r in payload["receivables"]}
    # C1: delivered 20000, collected R1 10000 + R2 5000 by March -> 5000 owed; due 2025-02-14 (30 days) -> 45 days
    assert recv["C1"]["receivable"] == "5000.00" and recv["C1"]["due_date"] == "2025-02-14"
    assert recv["C1"]["days_overdue"] == 45 and recv["C1"]["bucket"] == "31-60"
    assert set(recv) == {"C1"}  # the other contracts have nothing delivered
    company = [a for a in payload["aging"] if a["level"] == "company"][0]
    assert company["31-60"] == "5000.00" and company["overdue"] == "5000.00"
    assert [d["month"] for d in payload["demand"] if d["level"] == "company"] == ["2025-04", "2025-05", "2025-06"]
    assert all(d["royalties_payable"] is None for d in payload["demand"])
    out = tmp_path / "funds.xlsx"
    assert run(*_args(hand_files, "funds", "--format", "xlsx", "-o", str(out), "--force")).exit_code == 0
    assert {"Aging", "Overdue", "Receivables", "Fund Demand"} <= set(openpyxl.load_workbook(out).sheetnames)
    text = run(*_args(hand_files, "funds", "--force"))
    assert text.exit_code == 0 and "C1" in text.output and "31-60" in text.output


def test_forecast_json_text_xlsx(hand_files, tmp_path):
    result = run(*_args(hand_files, "forecast", "--format", "json", "--force"))
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["horizon"] == 3
    company = [s for s in payload["series"] if s["level"] == "company"][0]
    # signings: C3 50000 (Dec 2024), C1 30000 (Jan), C4 8000 (Feb), C2 12000 (Mar) -> 4 months, moving average
    assert company["method"] == "moving-average" and company["history_months"] == 4 and company["mase"] is None
    assert [h["value"] for h in company["history"]] == ["50000.00", "30000.00", "8000.00", "12000.00"]
    assert [f["month"] for f in company["forecast"]] == ["2025-04", "2025-05", "2025-06"]
    assert {f["value"] for f in company["forecast"]} == {"16666.67"}  # (30000 + 8000 + 12000) / 3
    out = tmp_path / "forecast.xlsx"
    assert run(*_args(hand_files, "forecast", "--format", "xlsx", "-o", str(out), "--force")).exit_code == 0
    assert "Forecast" in openpyxl.load_workbook(out).sheetnames
    assert "moving-average" in run(*_args(hand_files, "forecast", "--force")).output


@pytest.mark.parametrize(
    "extra, message",
    [(("--period", "2025-13"), "YYYY-MM"), (("--format", "xlsx"), "-o PATH")],
)
def test_usage_errors_exit_2(hand_files, extra, message):
    args = ["completion", str(hand_files / "East.xlsx"), "--standards", str(hand_files / "standards.xlsx"),
            "--period", "2025-03", *extra]
    result = run(*args)
    assert result.exit_code == 2 and message in result.output


def test_unreadable_input_is_refused_and_skipped_with_force(hand_files, tmp_path):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a workbook")
    args = ["completion", str(hand_files / "East.xlsx"), str(bad), "--standards", str(hand_files / "standards.xlsx"),
            "--period", "2025-03", "--format", "json"]
    refused = run(*args)
    assert refused.exit_code == 2 and "broken.xlsx" in refused.output
    forced = run(*args, "--force")
    assert forced.exit_code == 1  # partial figures: never an all-good exit (issue 14)
    payload = json.loads(forced.output)
    assert any(f["code"] == "file-unreadable" for f in payload["findings"])
    only_bad = run("completion", str(bad), "--standards", str(hand_files / "standards.xlsx"), "--period", "2025-03",
                   "--format", "json", "--force")
    assert only_bad.exit_code == 2 and "broken.xlsx" in only_bad.output  # nothing readable: no table of zeros


def test_sample_workbooks(sample_dir):
    result = run("completion", str(sample_dir), "--standards", str(sample_dir / "standards.xlsx"), "--period",
                 "2026-03", "--format", "json", "--force")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    levels = {r["level"] for r in payload["rows"]}
    assert levels == {"employee", "department", "company"}
