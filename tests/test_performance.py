"""Performance files and the periodic appraisal (issue 13), from a store the sample was consolidated into."""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
from collections import OrderedDict
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import need
from report_fixtures import same_ids

from toolkit.cli.main import cli
from toolkit.core.appraisal import compute_appraisal
from toolkit.core.completion import compute_completion
from toolkit.core.royalties import compute_royalties, monthly_payments
from toolkit.errors import ToolkitError
from toolkit.operations.appraisal import appraisal_appendix, periodic_appraisal
from toolkit.operations.months import month_sources
from toolkit.operations.performance import write_performance_files
from toolkit.outputs.labels import label
from toolkit.report.pdf import find_chromium, pdf_session
from toolkit.report.pdf_batch import MEASURE, PdfJob, combined, printable_width
from toolkit.schema import enums as E
from toolkit.store import load_ledger_from_store
from toolkit.operations.source import Source

PERIOD = "2026-10"


@pytest.fixture(scope="module")
def store(sample_dir, tmp_path_factory) -> Path:
    from toolkit.operations.consolidate import consolidate

    db = tmp_path_factory.mktemp("store") / "toolkit.db"
    consolidate(Source([sample_dir], sample_dir / "standards.xlsx", db), PERIOD, jobs=1)
    return db


@pytest.fixture(scope="module")
def files(store, tmp_path_factory):
    out = tmp_path_factory.mktemp("performance")
    run = write_performance_files(Source(db=str(store)), 2026, out, employees=["E1002", "E3003", "E1008"],
                                  formats=["xlsx"])
    return run, out


def test_months_come_from_the_stored_month_that_covers_them(store):
    sources = month_sources(Source(db=str(store)), 2026)
    assert sources == [(f"2026-{m:02d}", PERIOD) for m in range(1, 11)]  # Nov and Dec are not known yet
    with pytest.raises(Exception, match="2025"):
        month_sources(Source(db=str(store)), 2025)


def test_performance_file_months_equal_what_the_store_gives(store, files):
    run, out = files
    assert not run.failures and sorted(run.files) == ["E1002", "E1008", "E3003"]
    ledger = load_ledger_from_store(str(store), PERIOD)
    for emp, paths in run.files.items():
        wb = openpyxl.load_workbook(paths[0], read_only=True)
        lang = "zh" if label("pf.sheet.months", "zh") in wb.sheetnames else "en"
        rows = list(wb[label("pf.sheet.months", lang)].iter_rows(values_only=True))
        head = {h: i for i, h in enumerate(rows[0])}
        pay = list(wb[label("pf.sheet.pay", lang)].iter_rows(values_only=True))
        phead = {h: i for i, h in enumerate(pay[0])}
        for month in (3, 7, 10):
            period = f"2026-{month:02d}"
            comp = compute_completion(ledger, period, monthly_payments(ledger, period))
            want = comp[(comp["level"] == "employee") & (comp["key"] == emp)]
            got = [r for r in rows[1:] if r[head[label("pf.period", lang)]] == period]
            assert len(got) == len(want) == 4
            for w, g in zip(want.to_dict("records"), got):
                assert g[head[label("indicator", lang)]] == E.INDICATOR.label(w["indicator"], lang)
                for col in ("month_target", "month_actual", "ytd_target", "ytd_actual"):
                    assert g[head[label(col, lang)]] == pytest.approx(w[col], abs=0.005)
                if pd.notna(w["ytd_completion"]):
                    assert g[head[label("ytd_completion", lang)]] == pytest.approx(w["ytd_completion"])
            roy = compute_royalties(ledger, period).lines.set_index("employee_id")
            sal = compute_appraisal(ledger, period, comp).lines.set_index("employee_id")
            prow = next(r for r in pay[1:] if r[phead[label("pf.period", lang)]] == period)
            assert prow[phead[label("st.floating_pay", lang)]] == pytest.approx(sal.loc[emp, "pay"])
            if emp in roy.index:
                assert prow[phead[label("pf.royalty_payment", lang)]] == pytest.approx(roy.loc[emp, "payment"])
        wb.close()


def test_performance_file_has_charts_findings_and_feedback(files):
    run, out = files
    path = run.files["E1002"][0]
    import zipfile

    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    # actual vs target, completion vs time progress; the score and the pay by quarter (issue 31)
    assert len(charts) == 4
    wb = openpyxl.load_workbook(path, read_only=True)
    feedback = list(wb[label("pf.sheet.feedback", "en")].iter_rows(values_only=True))
    assert len(feedback) > 1  # Ma Jie owns feedback in the sample (Owner = the name)
    findings = list(wb["Findings"].iter_rows(values_only=True))
    assert all(r[2] for r in findings[1:])  # each finding carries its code
    wb.close()


def test_performance_files_open_in_libreoffice(files, tmp_path):
    soffice = need("soffice")
    run, _ = files
    src = run.files["E3003"][0]
    res = subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
                          "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
                         capture_output=True, text=True, timeout=900)
    pdf = tmp_path / (src.stem + ".pdf")
    assert pdf.exists() and pdf.read_bytes()[:4] == b"%PDF", res.stderr
    # issue 24: every printed page names whom and what (the file's name in the page header: year, ID, name)
    for ws in openpyxl.load_workbook(src).worksheets:
        assert ws.print_title_rows == "$1:$1" and ws.oddHeader.center.text == "&F – &A", ws.title
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        pages = [p for p in text.split("\f") if p.strip()]
        assert len(pages) >= 5 and all("E3003" in p and "2026" in p for p in pages)
    if subprocess.run(["which", "pdftotext"], capture_output=True).returncode == 0:
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "何超" in text and label("pf.chart.targets", "zh") in text


def test_periodic_appraisal_ranks_everyone_with_the_band_distribution(store):
    rv = periodic_appraisal(Source(db=str(store)), 2026, 3)
    assert rv.months == (7, 9)
    lines = rv.lines
    scored = lines[lines["basis"].isin(["own", "department"])]
    assert scored["company_rank"].notna().all() and lines.loc[lines["basis"] == "default", "company_rank"].isna().all()
    # North China was rejected: its people are not computed, so unranked (never scored 0 or defaulted)
    gone = lines[lines["status"] == "not-computed"]
    assert len(gone) and set(gone["department"]) == {"North China"} and gone["company_rank"].isna().all()
    # ranks follow the score, per department and company
    for _, group in scored.groupby("department"):
        ordered = group.sort_values("department_rank")
        assert ordered["score"].is_monotonic_decreasing and ordered["department_rank"].iloc[0] == 1
    assert scored.sort_values("company_rank")["score"].is_monotonic_decreasing
    dist = rv.distribution.set_index("department")
    assert dist.loc["*", "total"] == len(lines) and dist.drop(index="*")["total"].sum() == len(lines)
    # the quarter is not the year: Q3 scores differ from the year so far
    year = periodic_appraisal(Source(db=str(store)), 2026, None)
    assert year.months == (1, 10)
    both = scored.set_index("employee_id")["score"].align(year.lines.set_index("employee_id")["score"], join="inner")
    assert (both[0] - both[1]).abs().max() > 0.01
    appendix = appraisal_appendix(load_ledger_from_store(str(store), PERIOD), PERIOD)
    assert appendix.months == (10, 10) and len(appendix.lines) == len(lines)


def test_cli_appraisal_and_performance_file(store, tmp_path):
    res = CliRunner().invoke(cli, ["appraisal", "--db", str(store), "--year", "2026", "--quarter", "3",
                                   "-o", str(tmp_path / "q3.xlsx")])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(tmp_path / "q3.xlsx", read_only=True)
    assert wb.sheetnames[:2] == ["Ranking", "Band Distribution"]
    res = CliRunner().invoke(cli, ["appraisal", "--db", str(store), "--year", "2026", "--quarter", "5"])
    assert res.exit_code == 2 and "--quarter" in res.output
    res = CliRunner().invoke(cli, ["performance-file", "--db", str(store), "--year", "2026", "--employee", "NOBODY",
                                   "-o", str(tmp_path)])
    assert res.exit_code == 2 and "NOBODY" in res.output and "Traceback" not in res.output


def test_each_persons_rows_are_theirs_in_order(files):
    """``Year.of`` takes positions grouped once for everyone: the same rows, in the same order, as a scan per
    person; nobody's rows for an unknown employee (the columns kept)."""
    year = files[0].year
    frames = {"months": year.months, "pay": year.pay, "findings": year.findings, "feedback": year.feedback,
              "history": year.history.windows, "reviews": year.history.reviews,
              "training": year.history.training}
    for emp in ["E1002", "E3003", "E1008", "nobody"]:
        mine = year.of(emp)
        assert set(mine) == set(frames)
        for name, frame in frames.items():
            expected = frame[frame["employee_id"].astype(str) == emp].reset_index(drop=True)
            pd.testing.assert_frame_equal(mine[name], expected)
    assert all(len(f) == 0 for f in year.of("nobody").values())
    assert len(year.of("E1002")["months"]) == 40  # ten months of four indicators


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_charts_are_drawn_at_a_fixed_size_with_their_words_as_text(files, lang):
    """The page's four charts keep their figure's whole size (a fixed layout drawn once, not a crop measured by a
    first draw), and their titles and legends are text in the page's language."""
    from toolkit.report.performance import page  # deferred: loads matplotlib, which the other tests here do not need

    year = files[0].year
    html = page(year, "E1002", {"name": "Ma Jie"}, lang)
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert len(svgs) == 4
    boxes = [tuple(float(v) for v in re.search(r'viewBox="([^"]+)"', s).group(1).split()) for s in svgs]
    # 6.4 in wide at 72 points an inch; 3.6 in high, or 3.9-4.0 with a legend's rows under the axes
    assert {b[2] for b in boxes} == {6.4 * 72}
    assert sorted(round(b[3] / 72, 1) for b in boxes) == [3.6, 3.9, 3.9, 4.0]
    text = " ".join(svgs)
    for key in ("pf.chart.targets", "pf.chart.completion", "pf.chart.score", "pf.chart.pay", "time_progress"):
        assert label(key, lang) in text
    assert label("pf.target", lang, indicator=E.INDICATOR.label("Signing", lang)) in text
    # their words in the person pages' TrueType CJK font first (the report's charts keep the report's fonts)
    families = set(re.findall(r"font-family: ([^;\"]+)", text))
    assert families and all(f.startswith("'WenQuanYi Micro Hei', ") and "Noto Sans CJK SC" in f for f in families)


def test_page_charts_lay_out_in_the_page_font_or_else_the_reports(monkeypatch):
    """The person pages' charts are laid out in WenQuanYi Micro Hei where it is installed (the font they print in);
    without it, in the report's CJK font."""
    from toolkit.report import charts  # deferred: loads matplotlib, which the other tests here do not need

    try:
        installed = bool(subprocess.run(["fc-list", charts.PAGE_FONT], capture_output=True, text=True).stdout)
    except FileNotFoundError:  # no fontconfig tools: matplotlib finds no such font either
        installed = False
    assert (charts.page_family()[0] == charts.PAGE_FONT) == installed
    monkeypatch.setattr(charts, "PAGE_FONT", "No Such Font")
    monkeypatch.setattr(charts, "PAGE_FILE", re.compile("no-such-font-file"))
    assert charts.page_family.__wrapped__() == charts.font_family()



@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_kept_figure_redrawn_for_another_person_equals_one_drawn_new(files, lang, monkeypatch):
    """The charts' figures are kept and their data updated from person to person: a page drawn after other people's
    equals the page drawn by a process that never drew any (bars, lines, limits and ticks all the person's own) —
    also for a person with no score (E1008: the quarters' places must not be the last person's) and after one."""
    from toolkit.report import charts  # deferred: loads matplotlib, which the other tests here do not need
    from toolkit.report.performance import page  # deferred: as above

    year = files[0].year
    for who, others in (("E1002", ("E3003", "E1008")), ("E1008", ("E3003", "E1002"))):
        monkeypatch.setattr(charts, "_kept", OrderedDict())
        fresh = same_ids(page(year, who, {"name": who}, lang))
        monkeypatch.setattr(charts, "_kept", OrderedDict())
        for other in others:  # other people's figures drawn first, then this person's in the same figures
            assert same_ids(page(year, other, {}, lang)) != fresh
        again = same_ids(page(year, who, {"name": who}, lang))
        assert len(charts._kept) == 4  # one figure per chart kind in this language, reused
        assert again == fresh, who


def test_pages_built_in_forked_processes_equal_pages_built_here(files, tmp_path):
    """``Pages`` writes the workbooks and builds the pages in two processes forked from this one; the HTML that
    comes back is the page built here, in each person's language, and the workbook the one written here (same
    bytes); a PDF-less run gets no page."""
    from toolkit.report.performance import Pages, build, page  # deferred: loads matplotlib, not needed by the others

    year = files[0].year
    wanted = [("E1002", "en"), ("E3003", "zh"), ("E1008", "en")]
    forked, here = tmp_path / "forked", tmp_path / "here"
    forked.mkdir(), here.mkdir()
    with Pages(year, people=len(wanted)) as pages:
        futures = [pages.submit(emp, {"name": emp}, lang, forked, ["xlsx", "pdf"]) for emp, lang in wanted]
        assert all(f is not None for f in futures)  # Linux: forked builders, not this process
        built = [f.result() for f in futures]
        assert pages.submit("E1002", {}, "en", forked, ["xlsx"]).result()[1] is None  # type: ignore[union-attr]
    for (emp, lang), (paths, html) in zip(wanted, built):
        assert same_ids(html) == same_ids(page(year, emp, {"name": emp}, lang))
        (mine,), _ = build(year, emp, {"name": emp}, here, ["xlsx"], lang)
        assert [p.parent for p in paths] == [forked] and paths[0].read_bytes() == mine.read_bytes()
    with Pages(year, people=1) as pages:  # one person: built by the caller, nothing forked
        assert pages.submit("E1002", {}, "en", forked, ["xlsx"]) is None


def test_a_page_failing_in_a_builder_process_fails_that_persons_files_only(files, tmp_path, monkeypatch):
    """A page that fails in a builder process raises the builder's error where the person's files are written,
    and their workbook (written in the builder before the page) is removed: written whole or not at all; the next
    person's files are still made."""
    from toolkit.report import performance  # deferred: loads matplotlib, which the other tests here do not need

    year = files[0].year
    real = performance.page

    def failing(data, employee_id, person, lang, frames=None):
        if employee_id == "E3003":
            raise ToolkitError("performance.nobody", wanted="E3003")
        return real(data, employee_id, person, lang, frames)

    monkeypatch.setattr(performance, "page", failing)  # before the fork: the builders inherit it
    with performance.Pages(year, people=2) as pages:
        (tmp_path / "bad").mkdir()
        bad = pages.submit("E3003", {}, "en", tmp_path / "bad", ["xlsx", "pdf"])
        good = pages.submit("E1002", {}, "en", tmp_path, ["xlsx", "pdf"])
        with pytest.raises(ToolkitError) as err:
            performance.write_performance_file(year, "E3003", {}, tmp_path / "bad", ["xlsx", "pdf"], "en", None, bad)
        assert err.value.key == "performance.nobody" and err.value.params == {"wanted": "E3003"}
        assert not list((tmp_path / "bad").iterdir())  # the workbook written before the page failed is gone
        paths, html = good.result()
        assert "E1002" in html and [p.suffix for p in paths] == [".xlsx"] and paths[0].exists()


def test_every_page_fits_the_sheet_so_it_prints_at_full_size_and_a_chunk_prints_once(files, tmp_path):
    """The tables of many columns (the months, the years) print in a smaller type and padding: every person's page
    fits the sheet's printable width in both languages, so no file is shrunk to fit and the people of a chunk print
    in one print (``pdf_batch``: one print per width). Without that rule the months table is wider than the sheet."""
    from toolkit.report.performance import page  # deferred: loads matplotlib, which the other tests here do not need

    if find_chromium() is None:
        pytest.skip("needs Chromium")
    year = files[0].year
    pages = [page(year, emp, {"name": emp}, lang) for emp in ("E1002", "E3003", "E1008") for lang in ("en", "zh")]
    width = printable_width(pages[0])

    def measured(docs: list[str]) -> list[str]:
        path = tmp_path / "chunk.html"
        path.write_text(combined([PdfJob(d, tmp_path / "x.pdf", "") for d in docs]), encoding="utf-8")
        seen: list[list[str]] = []
        with pdf_session() as browser:
            browser.print_pdfs(path.resolve().as_uri(), lambda m: seen.append(m) or [], MEASURE % width, width)
        return seen[0]

    assert measured(pages) == ["fit"] * len(pages)
    rule = ".many th, .many td { font-size: 11px; padding: 4px 3px; }"
    assert all(rule in p for p in pages)
    assert measured([p.replace(rule, "") for p in pages]) != ["fit"] * len(pages)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_shared_text_metrics_draw_the_same_charts_and_stay_inside_the_page(files, lang, monkeypatch):
    """The charts' text measured and laid out once for every person (``charts.shared_metrics``) gives the page
    matplotlib's own measuring and layout give, and matplotlib's are its own again after the page."""
    from matplotlib.text import Text  # deferred: matplotlib, which the other tests here do not need
    from matplotlib.textpath import TextToPath  # deferred: as above

    from toolkit.report import charts, performance  # deferred: as above

    year = files[0].year
    original, layout = TextToPath.get_text_width_height_descent, Text._get_layout
    charts._METRICS.clear()
    charts._LAYOUTS.clear()
    shared = [same_ids(performance.page(year, emp, {"name": emp}, lang)) for emp in ("E3003", "E1002")]
    assert charts._METRICS and charts._LAYOUTS  # filled by the pages' words
    assert TextToPath.get_text_width_height_descent is original and Text._get_layout is layout
    monkeypatch.setattr(charts, "shared_metrics", contextlib.nullcontext)  # ``_svg`` draws with it
    assert [same_ids(performance.page(year, emp, {"name": emp}, lang)) for emp in ("E3003", "E1002")] == shared
