"""Issue 24: people's PDFs printed together and split (report.pdf_batch): each file holds only its person's pages,
each page's footer names that person and counts that person's pages, and a page wider than the sheet prints at the
scale it gets alone."""

from __future__ import annotations

import re
import subprocess

import pikepdf
import pytest
from conftest import need
from report_fixtures import PERIOD, ledger

from toolkit.operations.batch import pdf_done
from toolkit.operations.statements import build_statements, write_statements
from toolkit.outputs.labels import label
from toolkit.report.pdf import find_chromium, pdf_session
from toolkit.report import pdf_batch as PB
from toolkit.report.pdf_batch import PdfBatch, PdfJob, printable_width
from toolkit.report.statements import statement_html

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="needs Chromium")


@pytest.fixture(scope="module", autouse=True)
def one_chromium():
    """Every batch of this module prints in one Chromium, as a run's batches share its ``pdf_session`` (a browser
    started per batch costs ≈ 0.7 s CPU and 2 s each, twelve times here; each batch still makes its own prints:
    a person printed "alone" is a print of its own, in a batch of its own)."""
    with pdf_session():
        yield


PAGE = """<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title><style>
@page {{ size: A4; margin: 14mm 12mm; }} body {{ font-family: sans-serif; margin: 0; }}
.sheet {{ break-after: page; }} .sheet:last-child {{ break-after: auto; }}
table {{ border-collapse: collapse; }} td {{ white-space: nowrap; padding: 2px 6px; }}
</style></head><body>{head}{body}</body></html>"""


def page(who: str, sheets: int, wide: int = 0, lang: str = "en") -> str:
    """A person's document: ``sheets`` pages saying ``<who> sheet k`` (the last with a link), and a table ``wide``
    cells wide."""
    body = "".join(f'<div class="sheet"><p>{who} sheet {k}</p></div>' for k in range(1, sheets))
    body += f'<div class="sheet"><p>{who} sheet {sheets} <a href="https://example.com/{len(who)}">link</a></p></div>'
    table = f"<table><tr>{''.join(f'<td>{who}-cell-{i:03d}</td>' for i in range(wide))}</tr></table>" if wide else ""
    return PAGE.format(lang=lang, title=f"Title of {who}", head=f"<h1>{who}</h1>",
                       body=table + body)


def pages_text(pdf) -> list[str]:
    """The text of each page (pdftotext), in order."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.rstrip("\f").split("\f")


def words(pdf) -> list[tuple[int, float, float, str]]:
    """Every word with its page and position (pdftotext -bbox), rounded to a tenth of a point."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    res, n = [], 0
    for line in out.splitlines():
        if "<page " in line:
            n += 1
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)".*>(.*)</word>', line)
        if m:
            res.append((n, round(float(m.group(1)), 1), round(float(m.group(2)), 1), m.group(3)))
    return res


def run_batch(jobs, chunk=16):
    with PdfBatch(chunk) as batch:
        futures = [batch.add(job) for job in jobs]
    return [f.result() for f in futures]


def test_each_person_gets_only_their_pages_with_their_own_footer(tmp_path):
    """Three people printed in one chunk (2, 1 and 3 pages; one in Chinese): each file has that person's pages
    only, each page's footer names them and counts their pages (page n of N), and the file's title is theirs."""
    need("pdftotext")
    people = [("Wang Peng", 2, "en"), ("李娜", 1, "zh"), ("Zhao Lei", 3, "en")]
    jobs = [PdfJob(page(who, n, lang=lang), tmp_path / f"{i}.pdf", f"Statement · {who} · 2026-10 · page {{page}} of "
                   f"{{pages}}", lang, "statement") for i, (who, n, lang) in enumerate(people)]
    outs = run_batch(jobs)
    for (who, n, _lang), out in zip(people, outs):
        texts = pages_text(out)
        assert len(texts) == n, who
        others = [o for o, _, _ in people if o != who]
        for k, text in enumerate(texts, 1):
            flat = re.sub(r"\s+", "", text)
            assert f"{who} sheet {k}" in text
            assert re.sub(r"\s+", "", f"Statement · {who} · 2026-10 · page {k} of {n}") in flat
            assert not any(o in text for o in others)
        info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
        assert f"Title of {who}" in info
        with pikepdf.open(out) as pdf:  # the page's own link is kept, the marks that split the print are not
            uris = [str(a.A.URI) for p in pdf.pages for a in p.obj.get("/Annots", [])]
        assert uris == [f"https://example.com/{len(who)}"], uris


def test_a_wide_page_prints_at_the_scale_it_gets_alone(tmp_path):
    """Chromium shrinks a page wider than the sheet to fit, one scale per print: a wide person printed with a
    narrow one and one of another width comes out word for word where it does alone."""
    need("pdftotext")
    docs = {"Narrow": page("Narrow", 1), "Wide": page("Wide", 2, wide=14), "Wider": page("Wider", 1, wide=20)}
    together = run_batch([PdfJob(doc, tmp_path / f"{who}.pdf", f"{who} {{page}}/{{pages}}") for who, doc in
                          docs.items()])
    for (who, doc), out in zip(docs.items(), together):
        alone = run_batch([PdfJob(doc, tmp_path / f"{who}-alone.pdf", f"{who} {{page}}/{{pages}}")], chunk=1)[0]
        assert words(out) == words(alone), who
    narrow, wide = words(together[0]), words(together[1])
    size = {w: y for _n, _x, y, w in narrow}
    assert [y for _n, _x, y, w in wide if w == "Wide"][0] < size["Narrow"]  # the wide page is shrunk, not cut


def test_people_of_one_width_print_together_word_for_word_as_alone(tmp_path):
    """Everyone in a chunk of one width prints as loaded (no restyling, print media kept from the measure): each
    person's words are where they are printed alone, and each person starts on a sheet of their own."""
    need("pdftotext")
    docs = {who: page(who, n) for who, n in (("Alpha", 2), ("李娜", 1), ("Gamma", 1))}
    together = run_batch([PdfJob(doc, tmp_path / f"{who}.pdf", f"{who} {{page}}/{{pages}}") for who, doc in
                          docs.items()])
    for (who, doc), out in zip(docs.items(), together):
        alone = run_batch([PdfJob(doc, tmp_path / f"{who}-alone.pdf", f"{who} {{page}}/{{pages}}")], chunk=1)[0]
        assert words(out) == words(alone), who
        assert words(out)[0][3] == who  # their own heading first, on their first page


def test_pages_whose_starts_are_not_found_print_one_by_one(tmp_path, monkeypatch):
    """When the marks do not tell where each person starts, each is printed alone, with the same footers."""
    need("pdftotext")
    monkeypatch.setattr(PB, "_starts", lambda pdf: {})
    jobs = [PdfJob(page(who, 2), tmp_path / f"{who}.pdf", f"{who} page {{page}} of {{pages}}")
            for who in ("Sun", "Moon")]
    for who, out in zip(("Sun", "Moon"), run_batch(jobs)):
        texts = pages_text(out)
        assert len(texts) == 2 and f"{who} page 2 of 2" in texts[1] and f"{who} sheet 2" in texts[1]
        assert "Sun" not in texts[0] or who == "Sun"


def test_a_failed_pdf_removes_the_persons_other_files(tmp_path):
    """A person's files are written whole or not at all: their workbook goes when their PDF fails."""
    xlsx = tmp_path / "a.xlsx"
    xlsx.write_bytes(b"x")
    with PdfBatch() as batch:
        bad = batch.add(PdfJob("<html><body><h1>x</h1></body></html>", tmp_path / "missing" / "a.pdf", "f"))
    item, paths, exc = pdf_done(("E1", ([xlsx], bad), None))
    assert item == "E1" and paths is None and exc is not None and not xlsx.exists()


def test_printable_width_reads_the_page_rule():
    assert printable_width(page("x", 1)) == round((210 - 24) * 96 / 25.4)
    assert printable_width(page("x", 1).replace("size: A4; margin: 14mm 12mm;", "size: Letter;")) is None
    assert printable_width(page("x", 1).replace("margin: 14mm 12mm;", "margin: 10mm 8mm 12mm 20mm;")) == \
        round((210 - 8 - 20) * 96 / 25.4)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_two_statements_each_with_its_person_in_every_footer(tmp_path, lang):
    """``write_statements`` for two people: each PDF's every page names its own person and counts its own pages."""
    need("pdftotext")
    roy = ledger().standard("Roster")
    people = roy.dropna(subset=["employee_id"]).head(2)
    ids = [str(e) for e in people["employee_id"]]
    run = write_statements(ledger(), PERIOD, tmp_path, formats=["pdf"], employees=ids, lang=lang)
    names = {str(r["employee_id"]): str(r["name"]) for r in people.to_dict("records")}
    assert sorted(run.files) == sorted(ids)
    for emp in ids:
        texts = pages_text(run.files[emp][0])
        other = next(e for e in ids if e != emp)
        for k, text in enumerate(texts, 1):
            want = label("st.footer", lang, title=label("st.title", lang), name=names[emp], employee_id=emp,
                         period=PERIOD, page=str(k), pages=str(len(texts)))
            flat = re.sub(r"\s+", "", text)
            assert re.sub(r"\s+", "", want) in flat
            assert other not in flat and names[other] not in flat


def test_every_sample_statement_fits_the_sheet_so_it_prints_at_full_size(tmp_path):
    """The statements' tables of many columns (completion against target, the receipts behind the base) print in a
    smaller type with headers that wrap: every sample statement fits the sheet's printable width in both
    languages, so none is shrunk to fit (every English one printed at about 74% before) and the people of a
    chunk print in one print. Without the rule they do not fit."""
    docs = [statement_html(st) for lang in ("en", "zh") for st in build_statements(ledger(), PERIOD, lang=lang)
            .statements]
    width = printable_width(docs[0])

    def measured(pages: list[str]) -> list[str]:
        path = tmp_path / "chunk.html"
        path.write_text(PB.combined([PdfJob(d, tmp_path / "x.pdf", "") for d in pages]), encoding="utf-8")
        seen: list[list[str]] = []
        with pdf_session() as browser:
            browser.print_pdfs(path.resolve().as_uri(), lambda m: seen.append(m) or [], PB.MEASURE % width, width)
        return seen[0]

    assert len(docs) >= 60 and measured(docs) == ["fit"] * len(docs)
    rule = ".many th, .many td { font-size: 11px; padding: 4px 3px; } .many th.num { white-space: normal; }"
    assert all(rule in d for d in docs)
    unfit = measured([d.replace(rule, "") for d in docs])
    assert unfit.count("fit") < len(docs) // 2, unfit
