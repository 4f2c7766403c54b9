"""The report the general manager reads (issue 15): indicators that mean what they say, nothing hidden,
charts that render anywhere, workbooks and PDF fit to print."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal

import pandas as pd
import pytest
from openpyxl.utils import column_index_from_string
from output_books import book
from pdf_fonts import font_installed, page_fonts
from report_fixtures import PERIOD, SAMPLE, context, ledger

from toolkit.core import completion as C
from toolkit.report import build_context, render_report

pytestmark = pytest.mark.skipif(not (SAMPLE / "standards.xlsx").exists(), reason="sample workbooks missing")
RAW_FIELD = re.compile(r"^[a-z]+(?:[_-][a-z0-9]+)+$")  # expected_collections, seasonal-naive …


@pytest.fixture(scope="module")
def demo(fresh_demo):  # noqa: ANN001, ANN201
    """``toolkit demo`` in a fresh process with an empty matplotlib cache (conftest.fresh_demo, shared with
    tests/test_close_month.py): (output folder, stderr)."""
    out, res = fresh_demo
    return out, res.stderr


# --- 1. indicators ----------------------------------------------------------------------------------

def test_on_plan_is_green_and_under_budget_is_never_red_in_the_sample() -> None:
    rows = C.compute_completion(ledger(), PERIOD, C.royalty_payments(ledger(), PERIOD))
    rated = rows[rows["ytd_target"] > 0]
    expense = rated[rated["indicator"] == C.EXPENSE]
    under = expense[expense["ytd_actual"] <= expense["ytd_target"]]
    assert len(under) and (under["rag"] == "green").all()
    higher = rated[rated["indicator"] != C.EXPENSE]
    on_plan = higher[higher["ytd_actual"] >= higher["ytd_target"]]
    assert len(on_plan) and (on_plan["rag"] == "green").all()
    # both views are there, and pacing reads the annual one
    assert (rated["annual_completion"] - rated["ytd_actual"] / rated["annual_target"]).abs().max() < 1e-12
    assert (rated["pacing"] - rated["annual_completion"] / (10 / 12)).abs().max() < 1e-9


def test_udfs_agree_with_the_report(monkeypatch, tmp_path) -> None:  # noqa: ANN001
    pytest.importorskip("xlwings")
    from toolkit.excel import settings as S
    from toolkit.excel import udfs as U

    monkeypatch.setenv(S.STANDARDS_KEY, str(SAMPLE / "standards.xlsx"))
    rows = C.compute_completion(ledger(), PERIOD)
    rows = rows[rows["ytd_target"] > 0].head(200)
    comp = [[v] for v in rows["ytd_completion"]]
    lower = [[ind == C.EXPENSE] for ind in rows["indicator"]]
    assert [r[0] for r in U.TK_RAG(comp, PERIOD, lower)] == rows["rag"].tolist()
    annual = [[v] for v in rows["annual_completion"]]
    got = [r[0] for r in U.TK_PACING(annual, PERIOD)]
    assert got == pytest.approx(rows["pacing"].tolist())


# --- 2. nothing hidden ------------------------------------------------------------------------------

def test_demo_report_names_the_department_left_out_in_every_format(demo) -> None:  # noqa: ANN001
    out, _ = demo
    html = (out / f"monthly-report-{PERIOD}.html").read_text(encoding="utf-8")
    banner = re.search(r'<p class="banner" id="left-out">(.*?)</p>', html)
    assert banner and "North China" in banner.group(1) and "rejected" in banner.group(1)
    assert html.index('id="left-out"') < html.index('id="summary"')  # at the top
    md = (out / f"monthly-report-{PERIOD}.md").read_text(encoding="utf-8")
    assert "North China" in md.split("## ")[0]
    wb = book(out / f"monthly-report-{PERIOD}.xlsx")  # the demo's report, read once (tests/output_books.py)
    top = [wb.worksheets[0].cell(r, 1).value or "" for r in range(1, 6)]
    assert any("North China" in v for v in top)
    # its people are not computed and not in the pay totals
    assert "not computed" in html
    pay = wb[wb.sheetnames[4]]
    status_col = [c.column for c in pay[3] if c.value == "Status"]
    assert status_col


def test_pay_totals_leave_out_not_computed_people() -> None:
    from toolkit.core.findings import Finding
    from toolkit.report.completeness import LEFT_OUT

    gone = Finding(LEFT_OUT, file="dept-north.xlsx", value="North China",
                   params={"status": "rejected", "status_zh": "已拒收", "reason": "10 error(s)"})
    ctx = build_context(ledger(), PERIOD, lang="en", extra_findings=[gone])
    sal = ctx["tables"]["floating_salary"]
    body, total = sal[~sal["_total"]], sal[sal["_total"]].iloc[0]
    computed = body[body["department"] != "North China"]
    assert set(body.loc[body["department"] == "North China", "pay_status"]) == {
        "not computed"}
    assert Decimal(str(total["pay"])) == sum(Decimal(str(v)) for v in computed["pay"])
    assert ctx["headline"]["floating_pay"] == total["pay"] < body["pay"].sum()
    assert ctx["text"]["banner"].startswith("Not in these figures: North China (rejected; 10 error(s))")
    assert "8 employee(s)" in ctx["text"]["pay_excluded"]


def test_report_from_the_store_names_what_the_run_rejected(demo) -> None:  # noqa: ANN001
    from toolkit.report.completeness import store_left_out
    from toolkit.store import open_store
    from toolkit.store.ledger import load_ledger_from_store

    out, _ = demo
    with open_store(str(out / "toolkit.db")) as store:
        extra = store_left_out(store, PERIOD)
        led = load_ledger_from_store(store, PERIOD)
    assert [f.value for f in extra if f.code == "department-not-consolidated"] == ["North China"]
    # followed by the findings recorded with the rejected file (issue 24: errors and warnings)
    rest = [f for f in extra if f.code != "department-not-consolidated"]
    assert rest and {f.severity for f in rest} == {"error", "warning"}
    assert all(str(f.file).endswith("dept-north.xlsx") for f in rest)
    ctx = build_context(led, PERIOD, lang="zh", extra_findings=extra)
    assert "North China" in ctx["text"]["banner"] and "已拒收" in ctx["text"]["banner"]
    assert ctx["headline"]["errors"] >= 1  # not "0 error(s)"


def test_data_quality_counts_match_the_findings_listed() -> None:
    ctx = context("en")
    found = ctx["tables"]["findings"]
    files = found["file"].dropna().nunique()
    errors, warnings = (found["severity"] == "Error").sum(), (found["severity"] == "Warning").sum()
    assert ctx["text"]["quality_note"] == (f"{errors} error(s) and {warnings} warning(s) listed below, "
                                           f"from {files} file(s).")
    assert files == 4


def test_no_raw_field_name_in_any_report_output(demo) -> None:  # noqa: ANN001
    out, _ = demo
    for lang in ("en", "zh"):
        ctx = context(lang)
        for name, labels in ctx["labels"].items():
            assert not [lb for lb in labels if RAW_FIELD.match(lb)], (name, labels)
        assert not any(RAW_FIELD.match(str(v)) for v in ctx["tables"]["forecast"]["method"])
    wb = book(out / f"monthly-report-{PERIOD}.xlsx")  # the demo's report, read once (tests/output_books.py)
    raw = [f"{ws.title}!{c.coordinate}={c.value}" for ws in wb.worksheets if ws.sheet_state == "visible"
           for row in ws.iter_rows() for c in row if isinstance(c.value, str) and RAW_FIELD.match(c.value)]
    assert raw == []
    html = (out / f"monthly-report-{PERIOD}.html").read_text(encoding="utf-8")
    heads = re.findall(r"<th[^>]*>([^<]*)</th>", html)
    assert heads and not [h for h in heads if RAW_FIELD.match(h)]
    assert "Level" not in heads


# --- 3. charts that render anywhere -----------------------------------------------------------------

def test_demo_prints_no_warnings_on_a_fresh_font_cache(demo) -> None:  # noqa: ANN001
    _, err = demo
    noise = [ln for ln in err.splitlines() if re.search(r"warn|glyph|font|matplotlib", ln, re.I)]
    assert noise == []


def test_chinese_chart_text_survives_without_a_cjk_font_for_matplotlib(tmp_path, monkeypatch, recwarn) -> None:  # noqa: ANN001
    from toolkit.report import charts
    from toolkit.report.pdf import find_chromium, run_chromium

    if find_chromium() is None:
        pytest.skip("chromium not installed")
    monkeypatch.setattr(charts, "CJK_FONTS", ())  # matplotlib sees no CJK font, in its cache or on disk
    monkeypatch.setattr(charts, "CJK_FILES", re.compile(r"(?!)"))
    monkeypatch.setattr(charts, "PAGE_FONT", "No Such Font")  # nor the charts' first font, WenQuanYi Micro Hei
    monkeypatch.setattr(charts, "PAGE_FILE", re.compile(r"(?!)"))
    charts.font_family.cache_clear()
    charts.page_family.cache_clear()
    try:
        assert charts.page_family() == charts.font_family() == ["DejaVu Sans"]
        ctx = context("zh")
        page = render_report(ctx, ["html"], "zh", tmp_path)[0]
    finally:
        charts.font_family.cache_clear()
        charts.page_family.cache_clear()
    assert not [w for w in recwarn if "Glyph" in str(w.message) or "font" in str(w.message).lower()]
    dom = run_chromium(["--dump-dom", page.resolve().as_uri()]).stdout
    svg_text = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", dom))
    for words in (ctx["text"]["chart_completion"], ctx["text"]["chart_aging"], "签约", "回款", "华南"):
        assert words in svg_text, words
    assert "font-family: 'WenQuanYi Micro Hei', 'Microsoft YaHei', 'PingFang SC', 'Noto Sans CJK SC'" in dom


# --- 5. workbooks and PDF fit to print ----------------------------------------------------------------

def _shown(value: float, fmt: str) -> str:
    if "%" in fmt:
        return f"{value:+.1%}" if fmt.startswith("+") else f"{value:.1%}"
    if fmt in ("0", "#,##0"):
        return f"{value:,.0f}"
    if "0.00" in fmt:
        return f"{value:,.2f}"
    return f"{value:g}"


def _widths(ws) -> dict[int, float]:  # noqa: ANN001
    """Column index -> width, expanding the grouped <col min max> ranges openpyxl keeps under one letter."""
    out: dict[int, float] = {}
    for dim in ws.column_dimensions.values():
        if dim.width and dim.min:
            for i in range(dim.min, (dim.max or dim.min) + 1):
                out[i] = dim.width
    return out


def test_every_demo_workbook_is_wide_enough_and_prints_fitted(demo) -> None:  # noqa: ANN001
    out, _ = demo
    books = sorted(out.glob("*.xlsx"))
    assert len(books) >= 6
    for path in books:
        wb = book(path)  # the demo's workbooks, read once per content (tests/output_books.py)
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            where = f"{path.name}!{ws.title}"
            widths = _widths(ws)
            for row in ws.iter_rows(max_row=min(ws.max_row, 400)):
                for c in row:
                    if isinstance(c.value, (int, float)) and not isinstance(c.value, bool) \
                            and c.number_format not in ("General", "@") and c.coordinate not in ws.merged_cells:
                        width = widths.get(c.column, 8.43)
                        assert len(_shown(c.value, c.number_format)) + 1 <= width, (where, c.coordinate)
            ps = ws.page_setup
            total = sum(widths.get(i, 8.43) for i in range(1, ws.max_column + 1))
            if path.name.startswith("monthly-report"):
                # issue 24: the report prints at a set scale its columns fit at (10 points a character at most),
                # so its row breaks fall where they were placed in Excel and LibreOffice alike
                page = 841.9 if ps.orientation == "landscape" else 595.3
                cols = ws.print_area.rsplit("!", 1)[-1].split(":")[1].strip("$").rstrip("0123456789").strip("$")
                last = column_index_from_string(cols)
                drawn = sum(widths.get(i, 8.43) * 10 + 5 for i in range(1, last + 1)) * 0.75
                assert not ws.sheet_properties.pageSetUpPr.fitToPage and drawn * ps.scale / 100 <= page - 57, where
            elif ws.sheet_properties.pageSetUpPr.fitToPage:
                # fitToWidth defaults to 1 in OOXML (XlsxWriter leaves it out); fitToHeight 0 = as many pages
                assert (ps.fitToWidth or 1) == 1 and ps.fitToHeight == 0, where
            else:  # issue 24: too wide for one page at 60%, printed in column blocks, the key columns repeated
                assert ps.scale >= 60 and ws.print_title_cols, where
            assert ws.print_area and "&P" in (ws.oddFooter.center.text or ""), where
            # issue 24: every printed page names what it is about (the file, so its period, and the sheet)
            header = ws.oddHeader.center.text or ""
            assert "2026-10" in header or header.endswith("&F – &A"), (where, header)
            if not path.name.startswith("monthly-report"):  # the report's: test_report_xlsx
                assert ws.print_title_rows, where
            if total > 110:
                assert ps.orientation == "landscape", where


def test_pdf_pages_are_numbered_and_the_first_is_full(report_pdf) -> None:  # noqa: ANN001
    from toolkit.report.pdf import find_chromium

    if find_chromium() is None or not shutil.which("pdftotext"):
        pytest.skip("chromium or poppler-utils missing")
    for lang in ("en", "zh"):
        pdf = report_pdf(lang)  # the report printed once per session (conftest), shared with test_report_html
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        print(f"A4 pages of the {lang} PDF: {pages}")
        assert "(A4)" in info
        assert 5 <= pages <= 20
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout.split("\f")
        for i in range(pages):
            assert re.search(rf"\b{i + 1}\s*/\s*{pages}\b", text[i]), (lang, i + 1)
        first = text[0]
        assert context(lang)["text"]["summary"] in first and len(first.strip().splitlines()) > 15
        # numbers, contract codes and dates are never broken across lines
        for value in context(lang)["tables"]["overdue"]["contract_no"].dropna().head(5):
            assert value in "".join(text), value


def test_pdf_text_is_set_in_truetype_fonts_not_type3_glyphs(report_pdf) -> None:  # noqa: ANN001
    """The report's body text is embedded as TrueType subsets — Latin in a Latin font, Chinese in WenQuanYi Micro Hei
    (the person pages' fonts) — not as Type 3 glyphs: its template used to put Noto Sans CJK (a CFF font, which
    Chromium embeds as one path per glyph) first, for every letter of both languages."""
    from toolkit.report.pdf import find_chromium

    if find_chromium() is None:
        pytest.skip("chromium missing")
    if not font_installed("WenQuanYi Micro Hei") or not font_installed("Liberation Sans"):
        pytest.skip("WenQuanYi Micro Hei or Liberation Sans not installed (fonts-wqy-microhei, fonts-liberation)")
    for lang in ("en", "zh"):
        fonts = page_fonts(report_pdf(lang))
        words = set(context(lang)["text"]["rag_note"] + context(lang)["text"]["generated_from"]) - set(" ()（）·，。:：0123456789.,%-")
        truetype = set().union(*[c for _name, kind, c in fonts if kind == "TrueType"])
        assert words and words <= truetype, (lang, sorted(words - truetype))


def test_wan_yuan_option_scales_the_chinese_report_only(tmp_path) -> None:  # noqa: ANN001
    import copy

    led = copy.copy(ledger())
    std = copy.copy(led.standards)
    std.tables = {**std.tables, "Thresholds": pd.DataFrame({"name": ["Report in 10k Yuan"], "value": [1.0]})}
    led.standards = std
    zh = build_context(led, PERIOD, lang="zh")
    en = build_context(led, PERIOD, lang="en")
    assert zh["unit"] == {"key": "wan", "label": "万元"} and en["unit"]["key"] == "yuan"
    assert zh["text"]["unit_note"] == "金额单位：万元。" and zh["text"]["unit_note_book"] == "金额单位：元。"
    html = render_report(zh, ["html"], "zh", tmp_path)[0].read_text(encoding="utf-8")
    signing = zh["headline"]["signing"]
    assert f"{signing / 10000:,.2f}万元" in html and f"{signing / 10000:,.2f}</td>" in html
    assert any("万元" in line for line in zh["summary"])


def test_missing_cjk_font_is_said_once_in_one_line(monkeypatch, capsys) -> None:  # noqa: ANN001
    from toolkit.report import fonts

    if shutil.which("fc-list"):
        assert fonts.system_has_cjk_font()  # .ci/run installs fonts-noto-cjk
    monkeypatch.setattr(fonts, "_told", False)
    monkeypatch.setattr(fonts, "system_has_cjk_font", lambda: False)
    assert fonts.warn_if_no_cjk_font(context("zh"), "en") is True
    assert fonts.warn_if_no_cjk_font(context("zh"), "en") is False
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "fonts-noto-cjk" in err
    monkeypatch.setattr(fonts, "_told", False)
    monkeypatch.setattr(fonts, "system_has_cjk_font", lambda: True)
    assert fonts.warn_if_no_cjk_font(context("zh"), "en") is False


def test_month_on_month_changes_are_coloured_in_the_workbook(rendered_report) -> None:  # noqa: ANN001
    from report_fixtures import find_table

    ctx = context("en")
    wb = book(rendered_report("en")[0])  # this context's workbook, rendered once (conftest), read once (output_books)
    ws, head, col, rows = find_table(wb, ctx["labels"]["headline"])
    for i, r in enumerate(ctx["tables"]["headline"].to_dict("records")):
        cell = ws.cell(head + 1 + i, col + 3)
        good = (r["mom"] > 0) != r["_lower_better"]
        assert cell.font.color.rgb == ("FF1A7F37" if good else "FFC00000"), r["indicator"]


def test_report_workbook_is_the_same_bytes_for_the_same_month(demo, tmp_path) -> None:  # noqa: ANN001
    """The report's workbook carries no clock time (docProps and the zip's dates fixed, as every other output), so
    re-rendering a month gives the same bytes; it used to carry the minute it was saved."""
    import zipfile

    from toolkit.io.writer import FIXED_TIME

    out = demo[0] / f"monthly-report-{PERIOD}.xlsx"
    with zipfile.ZipFile(out) as zf:
        assert {info.date_time for info in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
    assert f">{FIXED_TIME.strftime('%Y-%m-%dT%H:%M:%SZ')}</dcterms:modified>" in core
    made = context("en")
    first = render_report(made, ("xlsx",), "en", tmp_path / "a")
    again = render_report(made, ("xlsx",), "en", tmp_path / "b")
    assert first[0].read_bytes() == again[0].read_bytes()
