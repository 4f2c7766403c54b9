"""The Excel template engine: expansion, styles, formulas, charts, template edits, errors, injection."""

from __future__ import annotations

import re
import shutil
import subprocess

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

from output_books import book
from report_fixtures import SAMPLE, context, fresh_context
from toolkit.errors import ToolkitError
from toolkit.io.print_setup import Block, keep_together
from toolkit.report.render import render_report
from toolkit.report.xlsx_render import render_xlsx, shift_formula
from toolkit.report.xlsx_template import HEADER_FILL, SECTION_FONT, build_template

pytestmark = pytest.mark.skipif(not (SAMPLE / "standards.xlsx").exists(), reason="sample workbooks missing")


def _render(tmp_path, wb: Workbook, ctx=None, name="out.xlsx"):  # noqa: ANN001, ANN202
    tpl = tmp_path / f"tpl-{name}"
    wb.save(tpl)
    out = render_xlsx(ctx or context("en"), tmp_path / name, tpl)
    return load_workbook(out)


def test_default_report_has_no_placeholders_and_charts_bind_expanded_ranges(rendered_report) -> None:  # noqa: ANN001
    ctx = context("en")
    wb = book(rendered_report("en")[0])  # ctx in the default template, rendered once (conftest), read once (output_books)
    left = [f"{ws.title}!{c.coordinate}" for ws in wb for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and ("{{" in c.value or "{%" in c.value)]
    assert left == []
    refs = {ws.title: [s.val.numRef.f for ch in ws._charts for s in ch.series] for ws in wb if ws._charts}
    n_dept = len(ctx["tables"]["aging"]) - 1
    aging = [f for f in refs["Funds"]]
    buckets = len(ctx["columns"]["aging"]) - 3  # key, then the buckets, total and overdue
    assert len(aging) == buckets == 7 and all(f.endswith(f"${3 + n_dept - 1}") for f in aging)  # no company row
    trend, market = refs["Market & Trend"][:3], refs["Market & Trend"][3:]
    rows = len(ctx["tables"]["trend"])
    # the market section: the top customers' signing, then the product lines' signing and margin (no total row)
    span = [int(f.split(":")[1].split("$")[-1]) - int(f.split(":")[0].split("$")[-1]) + 1 for f in market]
    assert span == [len(ctx["tables"]["market_customers"]), *[len(ctx["tables"]["market_lines"]) - 1] * 2]
    assert len(trend) == 3 and all(f.split(":")[1].endswith(str(int(f.split(":")[0].split("$")[-1]) + rows - 1))
                                   for f in trend)
    ws = wb["Completion"]
    first, last = (int(x.split("$")[-1]) for x in refs["Completion"][0].split(":"))
    assert ws.cell(first - 1, 2).value == ctx["labels"]["completion_matrix"][1]
    assert last - first + 1 == len(ctx["tables"]["completion_matrix"])  # the company is charted too
    assert ws.cell(last, 1).value == ctx["labels_company"]


def test_rows_inserted_move_content_and_adjust_formulas_styles_cf_merges(tmp_path) -> None:  # noqa: ANN001
    wb = Workbook()
    ws = wb.active
    ws.title = "R"
    ws["A1"] = "Intro"
    ws["A3"] = "{{ tables.expenses_by_category }}"
    ws["A3"].fill = PatternFill("solid", start_color="FF00FF00", end_color="FF00FF00")
    ws["C4"].font = Font(italic=True)
    ws.merge_cells("E4:F4")
    ws.conditional_formatting.add("C4:C4", __import__("openpyxl").formatting.rule.CellIsRule(
        operator="greaterThan", formula=["0"], fill=PatternFill("solid", start_color="FFFF0000")))
    ws["A5"] = "Total"
    ws["C5"] = "=SUM(C4:C4)"
    ws["A7"] = "Below"
    ws.merge_cells("A8:B8")
    other = wb.create_sheet("O")
    other["A1"] = "='R'!C5"
    out = _render(tmp_path, wb)
    r = out["R"]
    n = len(context("en")["tables"]["expenses_by_category"])
    assert r["A3"].value == context("en")["labels"]["expenses_by_category"][0]
    assert r["B3"].fill.start_color.rgb == "FF00FF00"  # header cells take the placeholder's style
    assert all(r.cell(4 + i, 3).font.italic for i in range(n))
    assert r.cell(4 + n, 1).value == "Total" and r.cell(4 + n, 3).value == f"=SUM(C4:C{3 + n})"
    assert out["O"]["A1"].value == f"='R'!C{4 + n}"
    assert r.cell(6 + n, 1).value == "Below"
    merges = {str(m) for m in r.merged_cells.ranges}
    assert f"A{7 + n}:B{7 + n}" in merges and all(f"E{4 + i}:F{4 + i}" in merges for i in range(n))
    assert [str(cf.sqref) for cf in r.conditional_formatting] == [f"C4:C{3 + n}"]


def test_rows_inserted_move_defined_names_print_area_and_excel_tables(tmp_path) -> None:  # noqa: ANN001
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.table import Table as XlTable

    wb = Workbook()
    ws = wb.active
    ws.title = "My R"
    ws["A1"] = "Intro"
    ws["A3"] = "{{ tables.expenses_by_category }}"
    ws["A5"] = "Total"
    ws["A9"], ws["B9"] = "Key", "Note"
    ws["A10"], ws["B10"] = "k", "n"
    ws.add_table(XlTable(displayName="Notes", ref="A9:B10"))
    ws.print_area = "A1:F12"
    ws.print_title_rows = "1:1"
    wb.defined_names["Totals"] = DefinedName("Totals", attr_text="'My R'!$A$5:$C$5")
    ws.defined_names["Body"] = DefinedName("Body", attr_text="'My R'!$A$3:$F$4")
    out = _render(tmp_path, wb)
    r = out["My R"]
    n = len(context("en")["tables"]["expenses_by_category"])
    moved = n - 1  # the placeholder's row holds the header and the first data row is the style row
    assert r.cell(4 + n, 1).value == "Total"
    assert out.defined_names["Totals"].attr_text == f"'My R'!$A${4 + n}:$C${4 + n}"
    assert r.defined_names["Body"].attr_text == f"'My R'!$A$3:$F${4 + moved}"
    assert r.print_area == f"'My R'!$A$1:$F${12 + moved}"
    assert r.print_title_rows == "$1:$1"
    assert r.tables["Notes"].ref == f"A{9 + moved}:B{10 + moved}"
    assert r.cell(9 + moved, 1).value == "Key"


def test_template_edits_change_the_output(tmp_path) -> None:  # noqa: ANN001
    base = build_template("en")
    default = _render(tmp_path, base, name="a.xlsx")
    edited = build_template("en")
    # move the aging table placeholder to a new sheet, with a line of text above it, and restyle it
    funds = edited["Funds"]
    funds["A2"] = None
    new = edited.create_sheet("Aging Only")
    new["A1"] = "Prepared for the GM"
    new["A2"] = "{{ tables.aging }}"
    new["A2"].font = Font(bold=True, color="FFFF0000", size=14)
    out = _render(tmp_path, edited, name="b.xlsx")
    labels = context("en")["labels"]["aging"]
    assert [c.value for c in default["Funds"][2][:len(labels)]] == labels
    assert [c.value for c in out["Aging Only"][2][:len(labels)]] == labels
    assert out["Aging Only"]["A1"].value == "Prepared for the GM"
    assert out["Aging Only"]["B2"].font.color.rgb == "FFFF0000" and out["Aging Only"]["B2"].font.size == 14
    assert default["Funds"]["B2"].font.color.rgb != "FFFF0000"
    assert out["Aging Only"].cell(2 + len(context("en")["tables"]["aging"]), 1).value == "Company"
    assert out["Funds"]["A2"].value is None
    # the aging chart follows its table to the new sheet
    assert all("'Aging Only'" in s.val.numRef.f for s in out["Funds"]._charts[0].series)


@pytest.mark.parametrize("text, where", [
    ("{{ tables.no_such_table }}", "Sheet X cell B4"),
    ("{{ headline.no_such_figure | money }}", "Sheet X cell B4"),
    ("Total {{ headline.collection | money }", "Sheet X cell B4"),
    ("{{ charts.pie }}", "Sheet X cell B4"),
])
def test_unknown_placeholder_or_bad_syntax_names_sheet_and_cell(tmp_path, text, where) -> None:  # noqa: ANN001
    wb = Workbook()
    wb.active.title = "Sheet X"
    wb.active["B4"] = text
    with pytest.raises(ToolkitError) as err:
        _render(tmp_path, wb)
    msg = err.value.message("en")
    assert "'Sheet X'" in msg and "B4" in msg


def test_invalid_template_file_is_a_toolkit_error(tmp_path) -> None:  # noqa: ANN001
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ToolkitError, match="bad.xlsx"):
        render_xlsx(context("en"), tmp_path / "o.xlsx", bad)
    assert not (tmp_path / "o.xlsx").exists()


def test_scalar_filters_write_numbers_with_formats(tmp_path) -> None:  # noqa: ANN001
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "{{ headline.collection | money }}"
    ws["A2"] = "{{ headline.collection_ytd_completion | percent }}"
    ws["A3"] = "Collection: {{ headline.collection | money }}"
    ws["A4"] = "{{ headline.collection_rag | rag }}"
    out = _render(tmp_path, wb).active
    h = context("en")["headline"]
    assert out["A1"].value == h["collection"] and out["A1"].number_format == "#,##0.00"
    assert out["A2"].value == pytest.approx(h["collection_ytd_completion"]) and "%" in out["A2"].number_format
    assert out["A3"].value == f"Collection: {h['collection']:,.2f}"
    assert out["A4"].value == h["collection_rag"].capitalize()


def test_formula_like_data_stays_text(tmp_path) -> None:  # noqa: ANN001
    ctx = fresh_context("en")
    fb = ctx["tables"]["feedback"]
    fb.loc[0, "customer"] = '=HYPERLINK("http://x","y")'
    fb.loc[0, "content"] = "<script>alert(1)</script>"
    wb = Workbook()
    wb.active["A1"] = "{{ tables.feedback }}"
    wb.active["A10"] = "{{ tables.feedback.customer[0] }}"
    tpl = tmp_path / "t.xlsx"
    wb.save(tpl)
    out = render_xlsx(ctx, tmp_path / "o.xlsx", tpl)
    ws = load_workbook(out).active
    cells = [c for row in ws.iter_rows() for c in row if c.value == '=HYPERLINK("http://x","y")']
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)
    assert any(c.value == "<script>alert(1)</script>" for row in ws.iter_rows() for c in row)


def test_shift_formula_handles_sheets_and_ranges() -> None:
    assert shift_formula("=SUM(B5:B5)+B9", "S", "S", 6, 3) == "=SUM(B5:B8)+B12"
    assert shift_formula("='My S'!A7*2", "T", "My S", 6, 2) == "='My S'!A9*2"
    assert shift_formula("=A7", "T", "My S", 6, 2) == "=A7"  # another sheet's own cell
    assert shift_formula("=SUM(A1:A3)", "S", "S", 6, 2) == "=SUM(A1:A3)"


def _headings(ws) -> dict[int, str]:  # noqa: ANN001
    """Row -> text of the section headings of a rendered report sheet (the template's bold 12-point titles)."""
    return {c.row: str(c.value) for c in ws["A"] if c.value and c.font.b and c.font.sz == SECTION_FONT.sz}


def _header_rows(ws) -> set[int]:  # noqa: ANN001
    """The rows holding a table's header (the template's header fill in column A)."""
    return {c.row for c in ws["A"] if c.fill.fgColor.rgb == HEADER_FILL.fgColor.rgb}


def test_the_report_prints_sections_whole_with_the_table_header_repeated(tmp_path) -> None:  # noqa: ANN001
    """Issue 24: no print title is the sheet's title row; row breaks fall only before a heading, a table or a chart;
    a table longer than a page repeats its header (the findings repeated 12 times to make one); every page header
    names the report, its period and the sheet; every sheet prints at a set scale its columns fit at."""
    ctx = fresh_context("en")
    ctx["tables"]["findings"] = pd.concat([ctx["tables"]["findings"]] * 12, ignore_index=True)
    wb = load_workbook(render_report(ctx, ["xlsx"], "en", tmp_path)[0])
    broken = 0
    for ws in (w for w in wb.worksheets if w.sheet_state == "visible"):
        headings, headers = _headings(ws), _header_rows(ws)
        charts = {c.anchor._from.row + 1 for c in ws._charts}
        assert ws.print_title_rows is None or int(ws.print_title_rows.split(":")[0].strip("$")) in headers, ws.title
        assert ws.print_title_rows != "$1:$1" and ctx["period"] in ws.oddHeader.center.text, ws.title
        assert "&A" in ws.oddHeader.center.text and "&P" in ws.oddFooter.center.text
        assert not ws.sheet_properties.pageSetUpPr.fitToPage and 10 <= ws.page_setup.scale <= 100
        for brk in ws.row_breaks.brk:
            row = brk.id + 1
            assert row in headings or row in headers or row in charts or ws.cell(row, 1).value, (ws.title, row)
            broken += 1
    assert broken >= 3
    quality = wb[wb.sheetnames[-1]] if wb.sheetnames[-1] != "_chart_data" else wb[wb.sheetnames[-2]]
    findings_header = max(_header_rows(quality))
    assert quality.print_title_rows == f"${findings_header}:${findings_header}"
    assert quality.max_row - findings_header >= 12 * len(fresh_context("en")["tables"]["findings"])


def test_libreoffice_prints_no_heading_at_the_foot_of_a_page(tmp_path) -> None:  # noqa: ANN001
    """The report workbook converted by LibreOffice, both languages: the PDF holds every section heading, and no
    page's last line (above the page footer) is one. The owners' table is made 14 rows longer: printed fitted to
    the page width without breaks, "Longest overdue receivables" then ended page 4 with its table on page 5."""
    soffice = shutil.which("soffice")
    if soffice is None or not shutil.which("pdftotext"):
        pytest.skip("LibreOffice (soffice) or poppler-utils is not installed")
    books = []
    for lang in ("en", "zh"):
        ctx = fresh_context(lang)
        owners = ctx["tables"]["overdue_by_owner"]
        ctx["tables"]["overdue_by_owner"] = pd.concat([owners.iloc[:-1], *[owners.iloc[:1]] * 14, owners.iloc[-1:]],
                                                      ignore_index=True)
        books.append(render_report(ctx, ["xlsx"], lang, tmp_path / lang)[0])
    res = subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
                          "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), *map(str, books)],
                         capture_output=True, text=True, timeout=900)
    for xlsx in books:
        pdf = tmp_path / "pdf" / (xlsx.stem + ".pdf")
        assert res.returncode == 0 and pdf.exists() and pdf.read_bytes()[:4] == b"%PDF", res.stderr
        wb = load_workbook(xlsx)
        headings = {h.strip() for ws in wb.worksheets if ws.sheet_state == "visible"
                    for h in _headings(ws).values()} - {""}
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        pages = text.split("\f")
        found = set()
        for page in pages:
            lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
            body = [ln for ln in lines if not re.match(r"^(Page \d+ of \d+|第 \d+ 页，共 \d+ 页)$", ln)]
            found |= {h for h in headings for ln in body if ln.startswith(h)}
            if body:
                assert not any(body[-1].startswith(h) for h in headings), (xlsx.name, body[-1])
        assert found == headings, headings - found


def test_every_default_report_template_is_installed_as_a_data_file() -> None:
    # outside a checkout the templates come from <prefix>/share/marketing-toolkit/templates (setup.cfg data_files)
    import configparser

    from toolkit.report.render import CHECKOUT_TEMPLATES, TEMPLATE_NAMES

    cfg = configparser.ConfigParser()
    cfg.read(CHECKOUT_TEMPLATES.parent / "setup.cfg")
    listed = cfg["options.data_files"]["share/marketing-toolkit/templates"].split()
    for name in set(TEMPLATE_NAMES.values()):
        assert f"templates/{name}" in listed and (CHECKOUT_TEMPLATES / name).is_file(), name


def test_installed_templates_are_found_and_a_missing_one_is_a_clear_message(tmp_path, monkeypatch) -> None:
    from toolkit.report import render

    monkeypatch.setattr(render, "CHECKOUT_TEMPLATES", tmp_path / "no-checkout")
    monkeypatch.setattr(render, "INSTALLED_TEMPLATES", tmp_path / "share")
    assert render.default_template("html", "en") is None
    with pytest.raises(ToolkitError) as info:
        render.render_report({"period": "2026-10", "lang": "en"}, ["html"], "en", tmp_path / "out")
    assert "monthly_report.html.j2 is not installed" in info.value.message("en")
    assert "未安装" in info.value.message("zh")
    (tmp_path / "share").mkdir()
    (tmp_path / "share" / "monthly_report.html.j2").write_text("x")
    assert render.default_template("html", "zh") == tmp_path / "share" / "monthly_report.html.j2"


def test_keep_together_moves_a_section_that_would_start_at_a_page_foot() -> None:
    """``keep_together`` on a plain portrait sheet of 15-point rows at 100%: the page holds (841.9 - 79.2) / 15 = 50
    rows; an 11-row section starting at row 45 moves to the next page whole, a 121-row one starting where its
    heading, header and first 3 rows fit stays and is reported as running over a page, and a short one starting 5
    rows from a page's foot moves."""
    wb = Workbook()
    ws = wb.active
    for c in range(1, 6):
        ws.column_dimensions[chr(64 + c)].width = 10  # 5 x (10 x 10 + 5) pixels: fits a portrait page at 100%
    ws.page_setup.orientation = "portrait"
    rows_per_page = int((841.9 - 79.2) / 15)
    assert rows_per_page == 50
    short = Block(45, 55, 49, 46)           # heading 45, header 46, rows to 55: would straddle 50/51
    long_ = Block(60, 180, 64, 61)          # 121 rows from row 60 (page 2 starts at 45): runs over pages
    late = Block(240, 250, 244, 241)        # pages run 45-94, 95-144, 145-194, 195-244: starts 5 rows from a foot
    running = keep_together(ws, [short, long_, late], 260, 5)
    assert [b.id for b in ws.row_breaks.brk] == [44, 239]
    assert running == [long_]
    assert ws.page_setup.scale == 100 and not ws.sheet_properties.pageSetUpPr.fitToPage


def _placeholder_by_rows(ws, pattern, first_row=1):  # noqa: ANN001, ANN202
    """The general path ``xlsx_render._find_placeholder`` stands for: openpyxl's row-by-row scan (which makes an
    empty cell at every place it passes)."""
    for row in ws.iter_rows(min_row=first_row):
        for cell in row:
            if isinstance(cell.value, str) and "{{" in cell.value:
                m = pattern.match(cell.value)
                if m:
                    return cell, m.group(1)
    return None


class _Measured:
    """The general path of ``xlsx_render._Widths``: every cell measured afresh."""

    def number(self, cell):  # noqa: ANN001, ANN201
        from toolkit.io.print_setup import number_width
        from toolkit.report.xlsx_render import _shown

        return number_width(len(_shown(cell.value, cell.number_format)))

    def text(self, value):  # noqa: ANN001, ANN201
        from toolkit.io.writer import display_width

        return display_width(value)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_report_workbook_is_the_same_bytes_without_its_fast_paths(lang, monkeypatch) -> None:  # noqa: ANN001
    """The report workbook's fast paths (a restyled cell taking the style its column's first such cell got, the
    placeholders found among the sheet's cells, widths measured once per value) write the bytes the general paths
    write: every zip part of the sample's report, in both languages."""
    from toolkit.io.writer import workbook_bytes
    from toolkit.report import xlsx_render as XR
    from toolkit.report.render import default_template

    def rendered() -> dict[str, bytes]:
        import io
        import zipfile

        data = workbook_bytes(XR.render_workbook(XR.open_template(default_template("xlsx", lang)), context(lang)))
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return {n: z.read(n) for n in z.namelist()}

    fast = rendered()
    monkeypatch.setattr(XR, "_restyle", lambda cell, op, apply, styles: apply(cell))
    monkeypatch.setattr(XR, "_find_placeholder", _placeholder_by_rows)
    monkeypatch.setattr(XR, "_Widths", _Measured)
    general = rendered()
    assert list(fast) == list(general)
    assert [n for n in fast if fast[n] != general[n]] == []


def test_placeholders_found_among_the_cells_are_those_the_row_scan_finds() -> None:
    """``_find_placeholder`` (the sheet's cells) against openpyxl's row scan, from every row of every sheet of the
    shipped templates, tables and charts alike."""
    from toolkit.report import xlsx_render as XR
    from toolkit.report.render import default_template

    for lang in ("en", "zh"):
        wb = XR.open_template(default_template("xlsx", lang))
        for ws in wb.worksheets:
            for pattern in (XR.TABLE_RE, XR.CHART_RE):
                for first in range(1, ws.max_row + 2):
                    found = XR._find_placeholder(ws, pattern, first)
                    scanned = _placeholder_by_rows(ws, pattern, first)
                    assert (found and (found[0].coordinate, found[1])) == (scanned and (scanned[0].coordinate,
                                                                                        scanned[1]))


def test_a_width_measured_once_per_value_tells_minus_zero_from_zero() -> None:
    """``_Widths`` keeps a number's width by its value and format, its sign included: -0.0 equals 0.0 but a
    percentage shows it as "-0.0%"."""
    from toolkit.report.xlsx_render import _Widths

    ws = Workbook().active
    cells = [ws.cell(1, c, v) for c, v in enumerate([0.0, -0.0, 0.0, -0.0, 12.5], start=1)]
    for cell in cells:
        cell.number_format = "0.0%"
    measure, general = _Widths(), _Measured()
    assert [measure.number(c) for c in cells] == [general.number(c) for c in cells]
    assert measure.number(cells[1]) > measure.number(cells[0])
    assert [measure.text(v) for v in ("abc", "中文", "abc")] == [general.text(v) for v in ("abc", "中文", "abc")]
