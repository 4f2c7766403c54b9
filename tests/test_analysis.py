"""The sales statistics and market analysis (``toolkit analysis``, docs/analysis.md): a held-out history with
planted patterns, the sample's figures against SQL over the store, the outputs in both languages."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from ledger_factory import department_book, ledger, plan_row, standards_book
from toolkit.operations.source import Source
from toolkit.cli.main import cli
from toolkit.core.analysis import analysis_of, compute_analysis
from toolkit.core.analysis_words import sentences
from toolkit.errors import ToolkitError
from toolkit.io.templates import write_workbook
from toolkit.operations.analysis import analyse, analyse_ledger
from toolkit.operations.consolidate import consolidate
from toolkit.operations.validate import validate_file
from toolkit.outputs.analysis import DEFINITIONS, MONEY, NUMBER, PERCENT, _records, build
from toolkit.outputs.jsonfmt import records
from toolkit.report import build_context
from toolkit.report.markdown import render_markdown
from toolkit.schema import DEPARTMENT
from toolkit.store.migrations import VIEWS

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "workbooks" / "sample"
PERIOD = "2026-10"
MONTHS = pd.period_range("2025-01", PERIOD, freq="M")


def _planted() -> tuple[list, object]:
    """Two departments over Jan 2025 - Oct 2026 with five planted patterns:

    - ``Jumpco`` signs 2% of a month's business in 2025 and 30% in 2026 (its share jumps);
    - product line ``PL-Down`` signs 400,000 a month in 2025 and 100,000 in 2026 (decline);
    - ``Slowpay`` has 30-day terms and pays 70 days after signing (40 days late); everyone else pays on time;
    - ``Goneco`` signs every month until September 2025 and never again (lost);
    - department B's open pipeline is small against its remaining target (coverage < 1), A's is large.
    """
    rng = np.random.default_rng(7)
    contracts = {"A": [], "B": []}
    receipts = {"A": [], "B": []}
    for m in MONTHS:
        day = m.start_time + pd.Timedelta(days=4)
        deals = [("A", "Steadyco", "PL-Up", 500_000.0 + float(rng.integers(0, 50)) * 1000, 60),
                 ("B", "Otherco", "PL-Up", 450_000.0, 60),
                 ("A", "PL-Down buyer", "PL-Down", 400_000.0 if m.year == 2025 else 100_000.0, 60),
                 ("B", "Slowpay", "PL-Up", 200_000.0, 30),
                 ("A", "Jumpco", "PL-Up", 30_000.0 if m.year == 2025 else 600_000.0, 60)]
        if m <= pd.Period("2025-09", "M"):
            deals.append(("B", "Goneco", "PL-Up", 150_000.0, 60))
        for i, (dept, customer, line, amount, terms) in enumerate(deals):
            no = f"{dept}-{m}-{i}"
            contracts[dept].append({"contract_no": no, "sign_date": day, "customer": customer,
                                    "employee_id": f"E{dept}1", "product_line": line, "amount": amount,
                                    "status": "Completed", "delivered": amount, "payment_terms": terms})
            pay = day + pd.Timedelta(days=70 if customer == "Slowpay" else terms)
            if pay <= pd.Timestamp("2026-10-31"):
                receipts[dept].append({"receipt_no": f"R{no}", "receipt_date": pay, "contract_no": no,
                                       "amount": amount})
    opps = {
        "A": [{"opportunity_no": "OA1", "customer": "Newco", "product_line": "PL-Up", "route": "Bid",
               "stage": "Negotiation", "expected_amount": 20_000_000.0, "expected_close": "2026-11-01",
               "employee_id": "EA1"},
              {"opportunity_no": "OA2", "customer": "Steadyco", "product_line": "PL-Up", "route": "Direct",
               "stage": "Won", "expected_amount": 500_000.0, "expected_close": "2026-10-01", "employee_id": "EA1",
               "contract_no": "A-2026-10-0"},
              {"opportunity_no": "OA3", "customer": "Lateco", "product_line": "PL-Up", "route": "Direct",
               "stage": "Proposal", "expected_amount": 300_000.0, "expected_close": "2026-08-01",
               "employee_id": "EA1"}],
        "B": [{"opportunity_no": "OB1", "customer": "Smallco", "product_line": "PL-Up", "route": "Distributor",
               "stage": "Lead", "expected_amount": 1_000_000.0, "expected_close": "2026-12-01",
               "employee_id": "EB1"},
              {"opportunity_no": "OB2", "customer": "Lostco", "product_line": "PL-Up", "route": "Bid",
               "stage": "Lost", "expected_amount": 800_000.0, "expected_close": "2026-06-01", "employee_id": "EB1",
               "lost_reason": "Price"}],
    }
    plans = {"A": [plan_row("EA1", "Signing", [1_200_000.0] * 12)],
             "B": [plan_row("EB1", "Signing", [1_000_000.0] * 12)]}
    feedback = {"A": [{"date": "2026-10-20", "customer": "Slowpay", "product_line": "PL-Up", "type": "Complaint",
                       "content": "late invoice", "owner": "Ann", "status": "Open"},
                      {"date": "2026-06-15", "customer": "Steadyco", "product_line": "PL-Up", "type": "Complaint",
                       "content": "site left untidy", "owner": "Ann", "status": "In Progress"},
                      {"date": "2026-09-01", "customer": "Steadyco", "product_line": "PL-Down", "type": "Complaint",
                       "content": "settled", "owner": "Ann", "status": "Closed"},
                      {"date": "2026-09-02", "product_line": "PL-Down", "type": "Competitor", "content": "price cut"}],
                "B": []}
    books = [department_book(d, 2026, Contracts=contracts[d], Collections=receipts[d], Opportunities=opps[d],
                             Plan=plans[d], Feedback=feedback[d]) for d in ("A", "B")]
    std = standards_book(
        Roster=[{"employee_id": "EA1", "name": "Ann", "department": "A", "role": "Salesperson"},
                {"employee_id": "EB1", "name": "Bo", "department": "B", "role": "Salesperson"}],
        ProductLines=[{"product_line": "PL-Up", "royalty_factor": 1.0, "gross_margin": 0.3},
                      {"product_line": "PL-Down", "royalty_factor": 1.0, "gross_margin": 0.5}])
    return books, std


@pytest.fixture(scope="module")
def planted():
    books, std = _planted()
    return ledger(books, std)


def test_planted_patterns_are_in_the_tables(planted) -> None:
    a = compute_analysis(planted, PERIOD)
    cust = a.customers.set_index("customer")
    assert cust.loc["Jumpco", "share_change"] > 0.2 and cust.loc["Jumpco", "rank"] == 1
    lines = a.ytd[a.ytd["level"] == "product_line"].set_index("key")
    assert lines.loc["PL-Down", "yoy"] == pytest.approx(-0.75)
    pay = a.payment.set_index("customer")
    assert pay.loc["Slowpay", "terms"] == 30 and pay.loc["Slowpay", "days_late"] == pytest.approx(40)
    assert pay.index[0] == "Slowpay" and pay.loc["Steadyco", "days_late"] == 0
    status = a.customer_status.set_index("customer")["status"]
    assert status["Goneco"] == "lost" and status["Steadyco"] == "returning"
    cov = a.pipeline.coverage.set_index("key")["coverage"]
    # B: Lead 1,000,000 × 10% against 12,000,000 − 10 × 650,000 still to sign; A: Negotiation 20 M × 75%
    assert cov["B"] == pytest.approx(100_000 / (12_000_000 - 6_500_000))
    assert cov["A"] > 1
    assert list(a.pipeline.aged["opportunity_no"]) == ["OA3"]
    won = a.pipeline.won.set_index("opportunity_no")
    assert bool(won.loc["OA2", "linked"]) and won.loc["OA2", "contract_amount"] == pytest.approx(
        a.ytd.loc[0, "signing"] * 0 + float(planted.tables["Contracts"].set_index("contract_no")
                                           .loc["A-2026-10-0", "amount"]))
    wl = a.pipeline.win_loss.set_index("key")
    assert wl.loc["company", "win_rate"] == 0.5
    assert a.pipeline.lost_reasons["lost_reason"].tolist() == ["Price"]
    owners = a.complaint_owners.set_index("owner")
    assert owners.loc["Ann", "open"] == 2 and owners.loc["Ann", "0-30"] == 1 and owners.loc["Ann", "over_90"] == 1
    assert owners.loc["Ann", "oldest_days"] == 138  # 2026-06-15 to 2026-10-31
    fb = a.feedback.set_index(["month", "type", "product_line"])["count"]
    assert fb[("2026-09", "Competitor", "PL-Down")] == 1 and fb[("2026-09", "Complaint", "PL-Down")] == 1


@pytest.mark.parametrize("lang, words", [
    ("en", {"Jumpco": "share of signing rose", "PL-Down": "in decline", "Slowpay": "40 days late",
            "Goneco": "Lost customer", "B": "pipeline coverage 1.8%"}),
    ("zh", {"Jumpco": "签约占比", "PL-Down": "下滑", "Slowpay": "平均逾期 40 天", "Goneco": "流失客户",
            "B": "商机覆盖率 1.8%"}),
])
def test_planted_patterns_are_in_the_sentences(planted, lang, words) -> None:
    said = sentences(compute_analysis(planted, PERIOD), lang)
    for name, phrase in words.items():
        assert any(name in s and phrase in s for s in said), (name, phrase, said)
    assert not any(s.startswith("A:") or s.startswith("A：") for s in said)  # A's coverage is above 1


def test_forecasts_say_plainly_when_no_better_than_naive(planted) -> None:
    a = compute_analysis(planted, PERIOD)
    fc = a.forecasts.set_index(["series", "key"])
    assert set(fc.index) == {("collection", "company"), ("signing", "PL-Up"), ("signing", "PL-Down")}
    for (series, key), row in fc.iterrows():
        if row["better_than_naive"] is False:
            assert row["used"] == "naive"
            assert any(k == "forecast_naive" and p["key"] == key for k, p in a.sentences)
        assert row["mase"] is None or np.isfinite(row["mase"])
    # PL-Down stepped down in January: nothing beats carrying the last month forward
    assert fc.loc[("signing", "PL-Down"), "used"] == "naive"
    values = a.forecast_values[(a.forecast_values["key"] == "PL-Down")]["value"].tolist()
    assert values == [100_000.0] * 3
    assert a.forecast_check["actual"] is not None and a.forecast_check["month"] == PERIOD


def test_report_market_section_names_the_patterns(planted) -> None:
    ctx = build_context(planted, PERIOD, lang="en")
    said = " ".join(ctx["market"]["sentences"])
    for name in ("Jumpco", "PL-Down", "Slowpay", "Goneco", "B: pipeline coverage"):
        assert name in said
    assert ctx["tables"]["market_customers"]["customer"].iloc[0] == "Jumpco"
    assert ctx["market"]["forecast_check"]

    md = render_markdown(ctx)
    for phrase in ("Jumpco's share of signing rose", "PL-Down is in decline", "B: pipeline coverage",
                   "Last month's forecast"):
        assert phrase in md
    assert "Slowpay pays" not in md  # customer by customer only in the report and the workbook


# --- the sample against an independent computation ---------------------------------------------------------

@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("analysis")
    db = folder / "toolkit.db"
    consolidate(Source([SAMPLE], SAMPLE / "standards.xlsx", db), PERIOD, output=folder / "c.xlsx", jobs=1)
    out = folder / "out"
    res = CliRunner().invoke(cli, ["analysis", "--period", PERIOD, "--db", str(db), "-o", str(out)],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return db, json.loads((out / f"analysis-{PERIOD}.json").read_text(encoding="utf-8")), out


def test_sample_customers_match_sql_over_the_store(sample_store) -> None:
    db, payload, _ = sample_store
    conn = sqlite3.connect(db)
    # raw tables, not the views: the current snapshot of each department
    raw = pd.read_sql_query(
        "SELECT trim(c.customer) AS customer, sum(c.amount) AS signing FROM dept_Contracts c "
        "JOIN snapshots s ON s.id = c.snapshot_id WHERE s.is_current = 1 AND s.kind = 'department' "
        "AND c.sign_date BETWEEN '2026-01-01' AND '2026-10-31' GROUP BY trim(c.customer)", conn)
    raw = raw[raw["signing"] > 0].sort_values(["signing", "customer"], ascending=[False, True])
    share = raw["signing"] / raw["signing"].sum()
    ours = pd.DataFrame(payload["customers"])
    assert len(ours) == len(raw) > 100
    assert ours["customer"].tolist() == raw["customer"].tolist()
    assert [float(v) for v in ours["signing"]] == pytest.approx(raw["signing"].tolist())
    company = payload["concentration"][0]
    assert company["top10_share"] == pytest.approx(share.head(10).sum(), abs=1e-4)
    assert company["hhi"] == pytest.approx(((share * 100) ** 2).sum(), abs=1e-3)
    view = pd.read_sql_query("SELECT * FROM v_customer_pareto WHERE year = 2026 ORDER BY rank", conn)
    assert view["abc"].tolist() == ours["abc"].tolist()
    assert view["cum_share"].round(4).tolist() == ours["cum_share"].tolist()


def test_sample_product_lines_and_pipeline_match_sql(sample_store) -> None:
    db, payload, _ = sample_store
    conn = sqlite3.connect(db)
    lines = pd.read_sql_query("SELECT product_line, sum(signing) AS signing, sum(gross_margin) AS gm FROM "
                              "v_sales_by_product_line WHERE year = 2026 GROUP BY product_line", conn)
    ours = {r["key"]: r for r in payload["ytd"] if r["level"] == "product_line"}
    for r in lines.to_dict("records"):
        assert float(ours[r["product_line"]]["signing"]) == pytest.approx(r["signing"], abs=0.005)
        assert float(ours[r["product_line"]]["gross_margin"]) == pytest.approx(r["gm"], abs=0.01)
    grid = float(ours["HX-Grid"]["signing"]) / float(next(r for r in payload["ytd"] if r["level"] == "company")
                                                     ["signing"])
    by_line = lines.set_index("product_line")["signing"]
    assert grid == pytest.approx(by_line["HX-Grid"] / by_line.sum(), abs=1e-6) and 0.3 < grid < 0.45
    weighted = pd.read_sql_query(
        "SELECT department, sum(expected_amount * probability) AS w FROM v_pipeline WHERE is_open "
        "AND (expected_month IS NULL OR expected_month BETWEEN '2026-11' AND '2026-12') GROUP BY department", conn)
    cov = {r["key"]: r for r in payload["pipeline"]["coverage"]}
    for r in weighted.to_dict("records"):
        assert float(cov[r["department"]]["weighted_open"]) == pytest.approx(r["w"], abs=0.01)
    assert cov["西部"]["coverage"] < 1 < cov["East China"]["coverage"]


def test_sample_dso_and_days_to_pay_match_pandas_over_the_workbooks(sample_store) -> None:
    _, payload, _ = sample_store
    frames = []
    for name in ("dept-east.xlsx", "dept-south.xlsx", "dept-west.xlsx"):  # North China is rejected
        book = openpyxl.load_workbook(SAMPLE / name, data_only=True)
        names = {n: i for i, n in enumerate(book.sheetnames)}
        c = pd.DataFrame(list(book.worksheets[names.get("Contracts", names.get("合同"))].values))
        r = pd.DataFrame(list(book.worksheets[names.get("Collections", names.get("回款"))].values))
        frames.append((c.iloc[1:], r.iloc[1:]))  # columns by position: the headers are in either language
    c = pd.concat([f[0] for f in frames]).iloc[:, [0, 1, 2, 5, 7, 8]]
    c.columns = ["no", "sign", "customer", "amount", "delivered", "terms"]
    r = pd.concat([f[1] for f in frames]).iloc[:, [1, 2, 3]]
    r.columns = ["date", "no", "amount"]
    end = pd.Timestamp("2026-10-31")
    c["sign"], r["date"] = pd.to_datetime(c["sign"]), pd.to_datetime(r["date"])
    paid = r[r["date"] <= end].groupby("no")["amount"].sum()
    recv = (c["delivered"].astype(float) - c["no"].map(paid).fillna(0)).clip(lower=0).sum()
    recent = c[c["sign"] > end - pd.Timedelta(days=90)]["delivered"].astype(float).sum()
    company = payload["dso"][0]
    assert company["dso"] == pytest.approx(round(recv / recent * 90, 1))
    due = c["sign"] + pd.to_timedelta(c["terms"].astype(float), unit="D")
    owed = (c["delivered"].astype(float) - c["no"].map(paid).fillna(0)).clip(lower=0)
    assert float(company["overdue"]) == pytest.approx(owed[due < end].sum(), abs=0.01)
    assert float(company["overdue_90"]) == pytest.approx(owed[(end - due).dt.days > 90].sum(), abs=0.01)
    overdue, late = owed[due < end].sum(), owed[(end - due).dt.days > 90].sum()
    said = f"{overdue / recv:.1%} of the receivables overdue, {late / overdue:.1%} of the overdue by more than 90 days"
    assert any(said in s for s in payload["summary"]), said
    m = r[(r["date"] >= "2025-11-01") & (r["date"] <= end) & (r["amount"] > 0)].merge(c, on="no")
    m["days"] = (m["date"] - m["sign"]).dt.days
    one = m[m["customer"] == m.groupby("customer")["amount_x"].sum().idxmax()]
    expected = (one["amount_x"] * one["days"]).sum() / one["amount_x"].sum()
    ours = {r["customer"]: r for r in payload["days_to_pay"]}
    assert ours[one["customer"].iloc[0]]["days_to_pay"] == pytest.approx(round(expected, 1), abs=0.051)


def test_workbook_is_reproducible_and_in_both_languages(sample_store, tmp_path) -> None:
    db, payload, out = sample_store
    second = analyse(Source(db=str(db)), PERIOD, tmp_path, formats=["xlsx"])
    assert second.written[0].read_bytes() == (out / f"analysis-{PERIOD}.xlsx").read_bytes()
    zh = analyse(Source(db=str(db)), PERIOD, tmp_path, lang="zh", months=24, formats=["xlsx", "html"])
    book = openpyxl.load_workbook(zh.written[0])
    assert book.sheetnames[:3] == ["说明", "要点", "公司月度"] and "商机覆盖率" in book.sheetnames
    assert "应收周转天数" in str(book["说明"]["A12"].value) or any(
        "DSO" in str(c.value) for c in book["说明"]["A"])
    assert book["公司月度"].max_row == 25  # 24 months and the header
    with zipfile.ZipFile(zh.written[0]) as z:
        assert sum(n.startswith("xl/charts/chart") for n in z.namelist()) >= 5
    page = zh.written[1].read_text(encoding="utf-8")
    top10 = payload["concentration"][0]["top10_share"]  # checked against SQL over the store above
    assert "销售统计与市场分析" in page and f"前十大客户占签约额 {top10:.1%}" in page


def test_errors_are_for_people(tmp_path) -> None:
    with pytest.raises(ToolkitError) as exc:
        analyse(Source(db=str(tmp_path / "none.db")), PERIOD, tmp_path, months=6)
    assert "12 or 24" in exc.value.message("en")
    books, std = _planted()
    with pytest.raises(ToolkitError) as exc:
        analyse_ledger(ledger(books, std), PERIOD, tmp_path, formats=["pdf"])
    assert "pdf" in exc.value.message("zh")
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ToolkitError) as exc:
        analyse_ledger(ledger(books, std), PERIOD, tmp_path / "afile")
    assert "是文件" in exc.value.message("zh") and (tmp_path / "afile").read_text() == "x"
    res = CliRunner().invoke(cli, ["analysis", "--period", "2026-13", "--db", str(tmp_path / "x.db"), "-o",
                                   str(tmp_path)])
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_a_ledger_without_opportunities_says_the_pipeline_is_unknown() -> None:
    books, std = _planted()
    for b in books:
        del b.tables["Opportunities"]
    out = build(ledger(books, std), PERIOD, "en")
    assert out.payload["pipeline"] is None
    assert any("pipeline is not known" in s for s in out.sentences)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_opportunity_rules_flag_won_without_contract_and_lost_without_reason(tmp_path, lang) -> None:

    book = department_book("A", 2026, Contracts=[{"contract_no": "C1", "sign_date": "2026-01-05", "customer": "X",
                                                  "employee_id": "E1", "product_line": "P", "amount": 10.0,
                                                  "status": "Signed"}],
                           Opportunities=[{"opportunity_no": "O1", "customer": "X", "stage": "Won",
                                           "expected_amount": 10.0, "contract_no": "C9"},
                                          {"opportunity_no": "O2", "customer": "X", "stage": "Won",
                                           "expected_amount": 10.0, "contract_no": "C1"},
                                          {"opportunity_no": "O3", "customer": "X", "stage": "Lost",
                                           "expected_amount": 10.0},
                                          {"opportunity_no": "O4", "customer": "X", "stage": "Stuck",
                                           "expected_amount": 10.0}])
    path = write_workbook(tmp_path / "a.xlsx", DEPARTMENT, lang, frames=book.tables,
                          info={"department": "A", "year": 2026, "period": PERIOD})
    report = validate_file(path, period=PERIOD)
    found = [(f.code, f.cell) for f in report.findings if f.sheet in ("Opportunities", "商机")]
    assert found == [("opportunity-won-unlinked", "J2"), ("opportunity-lost-no-reason", "I4"),
                     ("enum-invalid", "E5")]
    assert report.data.tables["Opportunities"]["stage"].tolist()[:3] == ["Won", "Won", "Lost"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_ribbon_analysis_button_writes_and_opens_the_workbook(tmp_path, lang) -> None:

    folder = tmp_path / "month"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("*.md"))
    res = CliRunner().invoke(cli, ["--lang", lang, "macro", "analysis", "--book", str(folder / "dept-east.xlsx"),
                                   "--out", str(tmp_path / "e.xlsx"), "--standards", str(folder / "standards.xlsx"),
                                   "--answer", f"analysis-folder={folder}"])
    assert res.exit_code == 0, res.output
    made = folder / "analysis" / (f"analysis-{PERIOD}.xlsx" if lang == "en" else f"analysis-{PERIOD}-zh.xlsx")
    assert made.exists() and str(made) in res.output
    assert ("top 10 hold" if lang == "en" else "前十大客户") in res.output
    res = CliRunner().invoke(cli, ["macro", "analysis", "--book", str(folder / "dept-east.xlsx"), "--out",
                                   str(tmp_path / "e.xlsx"), "--standards", str(folder / "standards.xlsx"),
                                   "--answer", f"analysis-folder={tmp_path / 'nowhere'}"])
    assert res.exit_code == 2 and "is not a folder" in res.output


def test_the_contracts_view_takes_the_product_line_version_of_the_sign_month(sample_store, tmp_path) -> None:
    """Valid From on Product Lines (issue 23, store migration 11): a contract's margin is its line's version in force
    in its sign month; a version from July leaves the contracts signed before July at the old margin."""
    db = tmp_path / "v.db"
    shutil.copy(sample_store[0], db)
    conn = sqlite3.connect(db)
    std = conn.execute("SELECT max(id) FROM v_latest_snapshots WHERE kind = 'standards'").fetchone()[0]
    (old,) = conn.execute("SELECT gross_margin FROM std_ProductLines WHERE snapshot_id = ? AND product_line = "
                          "'HX-Grid'", (std,)).fetchone()
    conn.execute("INSERT INTO std_ProductLines (snapshot_id, _row, product_line, royalty_factor, gross_margin, "
                 "valid_from) VALUES (?, 99, 'HX-Grid', 1.0, 0.9, '2026-07-01')", (std,))
    rates = pd.read_sql_query("SELECT month, margin_rate, gross_margin, amount FROM v_contracts "
                              "WHERE product_line = 'HX-Grid' AND year = 2026", conn)
    before, after = rates[rates["month"] < "2026-07"], rates[rates["month"] >= "2026-07"]
    assert len(before) and len(after) and old != 0.9
    assert (before["margin_rate"] == old).all() and (after["margin_rate"] == 0.9).all()
    assert after["gross_margin"].to_numpy() == pytest.approx(after["amount"].to_numpy() * 0.9)


def test_docs_hold_every_definition_in_both_languages_and_every_view() -> None:

    text = (ROOT / "docs" / "analysis.md").read_text(encoding="utf-8")
    for (name_en, name_zh), (en, zh) in DEFINITIONS.values():
        assert f"| {name_en} | {en} | {name_zh} | {zh} |" in text, name_en
    for view in VIEWS:
        assert f"| `{view}` |" in text, view


def test_json_rows_follow_the_shared_conventions(planted) -> None:

    a = compute_analysis(planted, PERIOD, 24)
    for frame in (a.monthly, a.ytd, a.customers, a.customer_status, a.payment, a.forecasts, a.pipeline.won):
        cols = list(frame.columns)
        ratios = [c for c in cols if c not in MONEY and (c in PERCENT | NUMBER or frame[c].dtype == "float64")]
        assert _records(frame) == records(frame, cols, money_cols=[c for c in cols if c in MONEY], ratio_cols=ratios)
    levels = set(a.monthly["level"])
    assert levels == {"company", "department", "salesperson", "product_line", "customer"}
    goneco = a.monthly[(a.monthly["level"] == "customer") & (a.monthly["key"] == "Goneco")]
    # its last contract in September 2025, its last receipt (60-day terms) in November
    assert goneco.loc[goneco["signing"] > 0, "month"].max() == "2025-09" and goneco["month"].max() == "2025-11"
    assert len(a.monthly[a.monthly["level"] == "company"]) == 24


def _same_analysis(a, b) -> None:
    """Two analyses with the same frames (values, dtypes, order) and the same other fields."""
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y, check_exact=True)
        elif dataclasses.is_dataclass(x):
            _same_analysis(x, y)
        else:
            assert x == y, f.name


def test_the_analysis_is_computed_once_per_ledger_and_each_caller_gets_its_own(planted) -> None:
    """``compute_analysis`` memoised on the ledger gives what computing it afresh gives, per period and window,
    and what one caller changes in its copy the next one does not see."""
    planted.memo.clear()
    first = compute_analysis(planted, PERIOD)
    assert any(k[0] == "toolkit.core.analysis.compute_analysis" for k in planted.memo)
    first.ytd.loc[0, "signing"] = -1.0
    first.pipeline.coverage.loc[0, "coverage"] = -1.0
    first.sentences.append(("x", {}))
    for period, months in ((PERIOD, 12), (PERIOD, 12), (PERIOD, 24), ("2026-06", 12)):
        _same_analysis(compute_analysis(planted, period, months), analysis_of(planted, period, months))
    assert compute_analysis(planted, PERIOD, 24).months != compute_analysis(planted, PERIOD, 12).months
