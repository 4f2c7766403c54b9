"""Issue 24: PDFs from one browser session (Chromium over the DevTools pipe), page footers with page n of N."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from toolkit.report import browser as B
from toolkit.report.pdf import find_chromium, html_to_pdf, pdf_session

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="needs Chromium")

PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>@page {{ size: A4; margin: 15mm }}
.p {{ page-break-after: always }}</style></head><body>{body}</body></html>"""
FOOTER = ('<div style="font-size:8px;width:100%;text-align:center">Wang Peng · 2026-10 · page '
          '<span class="pageNumber"></span> of <span class="totalPages"></span></div>')


def _text(pdf) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_many_pdfs_one_chromium_and_a_footer_on_every_page(tmp_path, monkeypatch):
    """Three pages printed in one session start one browser; the footer names the page of the total."""
    started = []
    real = B.Browser.__init__

    def counting(self, *args, **kwargs):
        started.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(B.Browser, "__init__", counting)
    html = tmp_path / "s.html"
    html.write_text(PAGE.format(body='<div class="p">one 一</div><div class="p">two 二</div><div>three 三</div>'),
                    encoding="utf-8")
    with pdf_session():
        outs = [html_to_pdf(html, tmp_path / f"s{i}.pdf", footer=FOOTER) for i in range(3)]
    assert len(started) == 1
    assert B.current() is None  # the session is closed after the block
    for out in outs:
        assert out.read_bytes()[:4] == b"%PDF"
    if shutil.which("pdftotext"):
        text = _text(outs[0])
        assert "page 1 of 3" in text and "page 3 of 3" in text and "三" in text


def test_without_a_session_each_pdf_gets_its_own_browser_and_no_footer(tmp_path):
    html = tmp_path / "a.html"
    html.write_text(PAGE.format(body="<p>alone</p>"), encoding="utf-8")
    out = html_to_pdf(html, tmp_path / "a.pdf")
    assert out.read_bytes()[:4] == b"%PDF" and B.current() is None
    if shutil.which("pdftotext"):
        assert "page" not in _text(out) and "alone" in _text(out)
