"""Statements (issue 13): every statement's lines add up, the index equals the outputs, PDFs say what they should."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import need
from pdf_fonts import font_installed, page_fonts
from report_fixtures import PERIOD, ledger

from toolkit.cli.main import cli
from toolkit.core.statements import (
    NOT_COMPUTED,
    Adjustment,
    Payout,
    build_statement,
    recomputed_payouts,
)
from toolkit.operations.statements import write_statements
from toolkit.outputs import build
from toolkit.outputs.labels import label
from toolkit.outputs.statements import file_stem, index_name, summary_rows
from toolkit.report.statements import statement_html
from toolkit.operations.source import Source


def D(x) -> Decimal:
    return Decimal(0) if x is None else Decimal(str(x)).quantize(Decimal("0.01"))


def read_statement(path: Path) -> dict:
    """Parse a statement workbook as a person reads it: its language, the summary and the royalty lines."""
    wb = openpyxl.load_workbook(path, read_only=True)
    lang = "zh" if label("st.title", "zh") in wb.sheetnames else "en"
    summary = {row[0]: row[1:] for row in wb[label("st.title", lang)].iter_rows(min_row=2, values_only=True)}
    royalty = list(wb[label("royalty", lang)].iter_rows(min_row=2, values_only=True))
    wb.close()
    return {"lang": lang, "summary": summary, "royalty": royalty}


def amount(st: dict, key: str) -> Decimal | None:
    row = st["summary"].get(label(key, st["lang"]))
    return None if row is None or row[0] is None else D(row[0])


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("statements")
    run = write_statements(ledger(), PERIOD, out, formats=["xlsx"])
    return run, out


def test_every_statement_adds_up_to_its_ytd_royalty_and_payment(written):
    run, out = written
    royalties = {r["employee_id"]: r for r in build("royalties", ledger(), PERIOD).payload["royalties"]}
    salary = {r["employee_id"]: r for r in build("salary", ledger(), PERIOD).payload["salaries"]}
    files = sorted(out.glob("statement-*.xlsx"))
    assert not run.failures and len(files) == len(run.statements) == len(set(royalties) | set(salary))
    langs = set()
    for path in files:
        emp = path.stem.split("-")[3]
        st = read_statement(path)
        langs.add(st["lang"])
        lines = st["royalty"]
        if emp in royalties:
            r = royalties[emp]
            t_row = next(i for i, row in enumerate(lines) if row[1] == label("st.t_of_b", st["lang"]))
            total_row = len(lines) - 1
            assert lines[total_row][1] == label("ytd_royalty", st["lang"])
            tiers = [D(row[5]) for row in lines[:t_row] if row[5] is not None]
            weighting = [D(row[5]) for row in lines[t_row + 1:total_row]]
            assert sum(tiers) == D(lines[t_row][5]), path.name  # the bands add up to T(B)
            assert sum(weighting) == D(lines[total_row][5]) == D(r["ytd_royalty"]), path.name
            earned, paid, payment = amount(st, "st.ytd_earned"), amount(st, "st.paid_to_date"), amount(st,
                                                                                                     "st.this_payment")
            assert earned == D(r["ytd_royalty"]) and payment == D(r["payment"])
            assert earned - paid == payment, path.name
        floating = amount(st, "st.floating_pay")
        assert floating == (D(salary[emp]["pay"]) if emp in salary else None)
        total = amount(st, "st.total")
        assert total == (payment if emp in royalties else 0) + (floating or 0)
    assert langs == {"en", "zh"}  # each employee's department workbook language


def test_retroactive_statement_shows_the_weighting_step(written):
    """The issue's example: the tier row is T(B) = B × rate, the YTD royalty is the weighted figure."""
    run, out = written
    line = next(r for r in build("royalties", ledger(), PERIOD).payload["royalties"]
                if r["method"] == "Retroactive" and r["ytd_royalty"] != "0.00"
                and float(r["ytd_royalty_uncapped"]) != float(r["ytd_base"]) * r["tier_rate"])
    st = read_statement(next(out.glob(f"statement-{PERIOD}-{line['employee_id']}-*.xlsx")))
    rows = {row[1]: row for row in st["royalty"]}
    t_of_b = D(Decimal(line["ytd_base"]) * Decimal(str(line["tier_rate"])))
    assert D(rows[label("st.t_of_b", st["lang"])][5]) == t_of_b != D(line["ytd_royalty"])
    assert D(rows[label("ytd_royalty", st["lang"])][5]) == D(line["ytd_royalty"])
    factors = [row for row in st["royalty"] if row[3] is not None and row[2] is not None and row[4] is not None
               and row[3] != 1 and "T(B)/B" in row[1]]
    assert factors  # a product line weighted by a factor other than 1


def test_index_totals_equal_the_royalty_and_salary_outputs(written):
    run, out = written
    wb = openpyxl.load_workbook(out / index_name(PERIOD), read_only=True)
    rows = list(wb[wb.sheetnames[0]].iter_rows(values_only=True))
    head, total = rows[0], rows[-1]
    col = {h: i for i, h in enumerate(head)}
    assert total[0] == label("total", "en")
    roy = build("royalties", ledger(), PERIOD).payload["totals"]
    sal = build("salary", ledger(), PERIOD).payload["totals"]
    assert D(total[col[label("st.ytd_earned", "en")]]) == D(roy["ytd_royalty"])
    assert D(total[col[label("st.paid_to_date", "en")]]) == D(roy["previous_ytd_royalty"])
    assert D(total[col[label("st.this_payment", "en")]]) == D(roy["payment"])
    assert D(total[col[label("st.floating_pay", "en")]]) == D(sal["pay"])
    assert D(total[col[label("st.total", "en")]]) == D(roy["payment"]) + D(sal["pay"])
    # and every row's total is its statement's: the column sums to the total row
    body = rows[1:-1]
    assert sum(D(r[col[label("st.this_payment", "en")]]) for r in body) == D(roy["payment"])
    assert len(body) == len(run.statements)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pdf_statement_text_in_each_language(tmp_path, lang):
    need("pdftotext")
    from toolkit.report.pdf import find_chromium

    if find_chromium() is None:
        pytest.skip("chromium is not installed (.ci/run installs it)")
    roy = build("royalties", ledger(), PERIOD).result.lines
    emp = roy[(roy["payment"] > 0) & (roy["previous_ytd_royalty"] > 0)].iloc[0]
    run = write_statements(ledger(), PERIOD, tmp_path, formats=["pdf"], employees=[emp["employee_id"]], lang=lang)
    pdf = run.files[emp["employee_id"]][0]
    assert pdf.suffix == ".pdf" and pdf.read_bytes()[:4] == b"%PDF"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert emp["name"] in text and emp["employee_id"] in text
    assert label("st.paid_to_date", lang) in text and label("st.this_payment", lang) in text
    assert f"{emp['payment']:,.2f}" in text and f"{emp['previous_ytd_royalty']:,.2f}" in text
    assert label("st.recomputed", lang) in text.replace("\n", "") or label("st.recomputed", lang)[:12] in text
    if lang == "zh":
        if not font_installed("WenQuanYi Micro Hei"):
            pytest.skip("WenQuanYi Micro Hei is not installed (fonts-wqy-microhei): the Chinese PDF's fonts not checked")
        # the Chinese body text is set in the TrueType font, embedded as a subset, not as Type 3 glyphs (Noto Sans
        # CJK's CFF outlines: a Chinese page printed about twice as dear); bold may still be Noto Sans CJK Bold
        fonts = page_fonts(pdf)
        body = set(label("st.this_payment", lang) + label("st.paid_to_date", lang)) - set("()（）·，")
        wqy = set().union(*[c for name, kind, c in fonts if "WenQuanYi" in name and kind == "TrueType"])
        assert body <= wqy, sorted(body - wqy)


def test_payout_ledger_figures_and_itemised_adjustments(tmp_path):
    lines = build("royalties", ledger(), PERIOD).result.lines
    emp = lines[lines["payment"] > 100].iloc[0]
    e = emp["employee_id"]
    paid = round(emp["previous_ytd_royalty"] - 50.0, 2)
    payouts = recomputed_payouts(lines)
    payouts[e] = Payout(e, emp["ytd_royalty"], paid, round(emp["ytd_royalty"] - paid, 2),
                        [Adjustment("March receipt corrected", 50.0, ["Collections row 12"], "2026-03")], None, True)
    run = write_statements(ledger(), PERIOD, tmp_path, formats=["xlsx"], employees=[e], payouts=payouts)
    st = read_statement(run.files[e][0])
    assert amount(st, "st.paid_to_date") == D(paid)
    assert st["summary"][label("st.paid_to_date", st["lang"])][1] is None  # recorded: no "recomputed" note
    adj = [v for k, v in st["summary"].items() if k.startswith(label("st.adjustment", st["lang"], text=""))]
    assert [D(a[0]) for a in adj] == [D(50)] and "Collections row 12" in adj[0][1]
    assert amount(st, "st.earned_this_month") + D(50) == amount(st, "st.this_payment")


def test_one_bad_payout_never_stops_the_others(tmp_path):
    lines = build("royalties", ledger(), PERIOD).result.lines
    payouts = recomputed_payouts(lines)
    bad = lines["employee_id"].iloc[0]
    payouts[bad] = Payout(bad, payouts[bad].ytd_earned, payouts[bad].paid_to_date, payouts[bad].this_payment + 1.0)
    wanted = list(lines["employee_id"].iloc[:3])
    run = write_statements(ledger(), PERIOD, tmp_path, formats=["xlsx"], employees=wanted, payouts=payouts)
    assert [f.employee_id for f in run.failures] == [bad] and run.exit_code == 1
    assert "YTD earned" in run.failures[0].message("en") and "累计应得" in run.failures[0].message("zh")
    assert sorted(run.files) == sorted(wanted[1:]) and not list(tmp_path.glob(f"statement-*-{bad}-*"))
    wb = openpyxl.load_workbook(tmp_path / index_name(PERIOD), read_only=True)
    rows = list(wb[wb.sheetnames[0]].iter_rows(values_only=True))
    failed = [r for r in rows if r[0] == bad]
    assert failed and failed[0][5] == label("st.status.failed", "en") and "YTD earned" in failed[0][-1]


def test_not_computed_lines_get_a_statement_saying_so_and_no_payment():
    line = build("royalties", ledger(), PERIOD).result.lines.iloc[0].to_dict()
    person = {"name": line["name"], "department": line["department"], "role": "Salesperson"}
    import pandas as pd

    st = build_statement(line["employee_id"], PERIOD, "zh", person=person, royalty={**line, "status": NOT_COMPUTED},
                         bands=pd.DataFrame(), contributions=pd.DataFrame(), payout=None, completion=pd.DataFrame(),
                         salary={"status": NOT_COMPUTED, "pay": 0.0}, terms=pd.DataFrame())
    assert st.status == NOT_COMPUTED and st.payout is None and st.total_payable is None
    rows = summary_rows(st)
    assert all(r.get("amount") is None for r in rows)
    assert label("st.not-computed", "zh") in statement_html(st)


def test_file_names_are_safe_on_windows():
    import pandas as pd

    from toolkit.core.statements import Statement

    for name in ('A/B:C*D?"E<F>|', "CON", "名字 with trailing dot."):
        stem = file_stem(Statement("E9", name, None, None, PERIOD, "en", contributions=pd.DataFrame()))
        assert not set('/\\:*?"<>|') & set(stem) and stem.startswith(f"statement-{PERIOD}-E9")
        assert not stem.endswith((".", " "))


def test_cli_statements_and_its_errors(tmp_path):
    db_less = ["statements", str(ledger().files[0]), "--standards", str(Path(ledger().files[0]).parent /
                                                                       "standards.xlsx"), "--period", PERIOD]
    res = CliRunner().invoke(cli, [*db_less, "--employee", "E1002", "--format", "xlsx", "-o", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert len(list(tmp_path.glob("statement-*-E1002-*.xlsx"))) == 1 and (tmp_path / index_name(PERIOD)).exists()
    res = CliRunner().invoke(cli, [*db_less, "--format", "docx", "-o", str(tmp_path)])
    assert res.exit_code == 2 and "docx" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(cli, [*db_less, "--employee", "NOBODY", "-o", str(tmp_path)])
    assert res.exit_code == 2 and "NOBODY" in res.output


def test_ribbon_statements_button_writes_beside_the_workbook(sample_dir, tmp_path):
    res = CliRunner().invoke(cli, ["macro", "statements", "--book", str(sample_dir / "dept-east.xlsx"), "--out",
                                   str(tmp_path / "east.xlsx"), "--standards", str(sample_dir / "standards.xlsx")])
    assert res.exit_code == 0, res.output
    folder = tmp_path / f"statements-{PERIOD}"
    index = folder / index_name(PERIOD)
    assert index.exists() and f"Opened: {index}" in res.output
    made = sorted(p.name.split("-")[3] for p in folder.glob("statement-*.xlsx"))
    roster = ledger().standard("Roster")
    assert made == sorted(roster.loc[roster["department"] == "East China", "employee_id"])  # the book's department


def test_status_not_computed_on_result_lines_is_honoured_end_to_end(tmp_path, monkeypatch):
    """Issue 12 will mark the lines of departments not consolidated; statements say so and pay nothing."""
    import toolkit.core.appraisal as A
    import toolkit.core.royalties as R

    real_roy, real_sal = R.compute_royalties, A.compute_appraisal

    def mark(lines):
        return lines.assign(status=lines["department"].map(lambda d: "not-computed" if d == "North China" else "ok"))

    def roy(ledger, period):
        res = real_roy(ledger, period)
        res.lines = mark(res.lines)
        return res

    def sal(ledger, period, completion=None):
        res = real_sal(ledger, period, completion)
        res.lines = mark(res.lines)
        return res

    import toolkit.operations.statements as S

    monkeypatch.setattr(S, "compute_royalties", roy)  # where the operation looks them up (imported at its top)
    monkeypatch.setattr(S, "compute_appraisal", sal)
    run = write_statements(ledger(), PERIOD, tmp_path, formats=["xlsx"])
    north = [s for s in run.statements if s.department == "North China"]
    assert north and all(s.status == NOT_COMPUTED and s.total_payable is None for s in north)
    st = read_statement(run.files[north[0].employee_id][0])
    assert st["summary"][label("st.status", st["lang"])][1] == label("st.not-computed", st["lang"])
    assert amount(st, "st.this_payment") is None and amount(st, "st.floating_pay") is None
    wb = openpyxl.load_workbook(tmp_path / index_name(PERIOD), read_only=True)
    rows = list(wb[wb.sheetnames[0]].iter_rows(values_only=True))
    col = {h: i for i, h in enumerate(rows[0])}
    sal_lines = real_sal(ledger(), PERIOD).lines
    computed = sal_lines.loc[sal_lines["department"] != "North China", "pay"].sum()
    assert D(rows[-1][col[label("st.floating_pay", "en")]]) == D(computed)


def test_statements_from_a_closed_period_show_what_the_ledger_recorded(closed_sample) -> None:
    """After a close, statements from the store carry the recorded payouts: paid to date, this payment."""
    import json

    from toolkit.core.statements import cents
    from toolkit.operations.statements import build_statements, recorded_payouts
    from toolkit.store import load_ledger_from_store, open_store

    res, folder = closed_sample  # the sample's close, shared with the other tests that only read it
    db = folder / "s.db"
    roy = json.loads(res.outputs["royalties"][0].read_text(encoding="utf-8"))
    with open_store(db) as store:
        assert recorded_payouts(store, "2026-09") is None  # never closed
        payouts = recorded_payouts(store, "2026-10")
        ledger = load_ledger_from_store(store, "2026-10")
    paid = {r["employee_id"]: r for r in roy["royalties"] if r.get("status") != "not-computed"}
    assert payouts and set(payouts) == set(paid)
    for emp, p in payouts.items():
        assert p.recorded and cents(p.this_payment) == cents(p.ytd_earned) - cents(p.paid_to_date)
        assert f"{p.this_payment:.2f}" == paid[emp]["payment"] and f"{p.paid_to_date:.2f}" == paid[emp]["paid_to_date"]
    sset = build_statements(ledger, "2026-10", payouts=payouts)
    assert not sset.failures
    assert all(st.payout.recorded for st in sset.statements if st.payout is not None)


def test_a_prior_year_adjustment_is_a_line_of_its_own_and_in_the_total(tmp_path):
    """January's prior-year adjustment is paid beside this year's payment: its own line, added to the total."""
    lines = build("royalties", ledger(), PERIOD).result.lines
    emp = lines[lines["payment"] > 100].iloc[0]
    e = emp["employee_id"]
    payouts = recomputed_payouts(lines)
    base = payouts[e]
    payouts[e] = Payout(e, base.ytd_earned, base.paid_to_date, base.this_payment, [], None, True, prior_year=-123.45)
    with_prior = write_statements(ledger(), PERIOD, tmp_path / "a", formats=["xlsx"], employees=[e], payouts=payouts)
    payouts[e] = base
    without = write_statements(ledger(), PERIOD, tmp_path / "b", formats=["xlsx"], employees=[e], payouts=payouts)
    (st,) = with_prior.statements
    (st0,) = without.statements
    assert round(st.total_payable - st0.total_payable, 2) == -123.45
    lang = st.lang
    text = read_statement(with_prior.files[e][0])
    prior = [v for k, v in text["summary"].items() if k == label("item.prior-year", lang, year=str(int(PERIOD[:4]) - 1))]
    assert prior and D(prior[0][0]) == D("-123.45")


def test_appraisal_terms_on_a_statement_are_percentages(tmp_path):
    """The completion counted in the score reads 103.2%, not 1.03232 (the terms share the salary's labels)."""
    from toolkit.outputs.statements import terms_frame

    run = write_statements(ledger(), PERIOD, tmp_path, formats=["html"], employees=["E1003"], lang="en")
    (st,) = run.statements
    frame = terms_frame(st)
    assert label("completion", "en") in frame.columns
    html = run.files["E1003"][0].read_text(encoding="utf-8")
    assert "1.03232" not in html and "103.2%" in html
