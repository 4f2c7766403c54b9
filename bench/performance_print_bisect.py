"""Chromium's print of one chunk of performance files, bisected (issue 24): its CPU per phase, per variant of the pages.

Builds the sample's first ``CHUNK`` people's performance pages (English and Chinese) as ``toolkit performance-file``
does, then prints them the way ``report.pdf_batch.print_chunk`` prints a chunk (one combined document, print media and
the printable width set before it loads, the width measure, one ``Page.printToPDF``) in one Chromium, once per
variant: a change to the pages' CSS or the charts' SVG, or another ``Page.printToPDF`` option. Variants alternate
(run after run) so the machine's load falls on all alike. Each print is preceded by a navigation to ``about:blank``,
measured apart: what the tab pays to tear down the chunk printed before. Chromium's CPU comes from its process tree
(``chromium_cpu.tree_cpu``, Linux /proc); the table lists each run's seconds and the median total (load + print).
docs/statements.md, "Chromium's print bisected within the tables and the charts", has the findings.

    python bench/performance_print_bisect.py                      # every variant, both languages, 3 runs
    python bench/performance_print_bisect.py --variants base,nosvg --langs zh --runs 5
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import statistics
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.outputs.labels import label  # noqa: E402
from toolkit.report import pdf_batch  # noqa: E402
from toolkit.report.browser import Browser  # noqa: E402
from toolkit.report.pdf import BASE_FLAGS, find_chromium  # noqa: E402
from toolkit.report.performance import page  # noqa: E402
from chromium_cpu import tree_cpu  # noqa: E402  (bench/: the script's folder)
from performance_pdf_bench import jobs  # noqa: E402

Change = Callable[[str], str]


def css(rule: str) -> Change:
    """The page with ``rule`` added at the end of its style sheet."""
    return lambda html: html.replace("</style>", rule + "\n</style>", 1)


def in_svg(pattern: str, repl: str) -> Change:
    """The page with ``pattern`` replaced inside every chart's ``<svg>`` only."""
    rx = re.compile(pattern, re.S)
    return lambda html: re.sub(r"<svg.*?</svg>", lambda m: rx.sub(repl, m.group(0)), html, flags=re.S)


def both(*changes: Change) -> Change:
    """The changes one after the other."""
    def run(html: str) -> str:
        for change in changes:
            html = change(html)
        return html
    return run


def same(html: str) -> str:
    """The page as it is."""
    return html


_NO_CLIP = in_svg(r' clip-path="url\(#[^)]*\)"', "")
_ROUNDED = in_svg(r"(\d+\.\d{2})\d+", r"\1")
_NO_IDS = in_svg(r'<g id="[^"]*">', "<g>")
_HAN = 'src: local("Noto Sans CJK SC Bold"), local("NotoSansCJKsc-Bold"); font-weight: 600 900;'

#: name: (the change to each person's page, extra ``Page.printToPDF`` options).
VARIANTS: dict[str, tuple[Change, dict[str, Any]]] = {
    "base": (same, {}),
    "nosvg": (lambda h: re.sub(r"<svg.*?</svg>", "", h, flags=re.S), {}),
    "notables": (lambda h: re.sub(r"<table.*?</table>", "", h, flags=re.S), {}),
    "separate": (css("table { border-collapse: separate; border-spacing: 0; }"), {}),
    "noborders": (css("th, td { border: 0 !important; } header, h2.year { border: 0; }"), {}),
    "nobackgrounds": (css("th { background: none !important; }"), {}),
    "nofeatures": (css("* { font-kerning: none; font-variant-ligatures: none; "
                       "font-feature-settings: 'kern' 0, 'liga' 0; }"), {}),
    "optimizespeed": (css("* { text-rendering: optimizeSpeed; }"), {}),
    "onefont": (css("body { font-family: 'Liberation Sans', sans-serif; } "
                    ":lang(zh-CN) { font-family: 'WenQuanYi Micro Hei'; }"), {}),
    "nobreakavoid": (css("tr { break-inside: auto; } h2 { break-after: auto; }"), {}),
    "nothead": (css("thead { display: table-row-group; }"), {}),
    "svgnoclip": (_NO_CLIP, {}),
    "svgrounded": (_ROUNDED, {}),
    "svgnoids": (_NO_IDS, {}),
    "svgall": (both(_NO_CLIP, _ROUNDED, _NO_IDS), {}),
    "svgnotext": (in_svg(r"<text[^>]*>.*?</text>", ""), {}),
    "parenswqy": (lambda h: h.replace("unicode-range: U+2E80-FF07, U+FF0A-FFEF", "unicode-range: U+2E80-FFEF"), {}),
    "nocjkbold": (lambda h: h.replace(_HAN, 'src: local("WenQuanYi Micro Hei"); font-weight: 600 900;').replace(
        "</style>", "th, h1, h2 { font-synthesis: none; }</style>", 1), {}),
    "nooutline": (same, {"generateDocumentOutline": False}),
    "stream": (same, {"transferMode": "ReturnAsStream"}),
}


def pages(work: Path, langs: list[str]) -> dict[str, list[pdf_batch.PdfJob]]:
    """The first ``CHUNK`` people's performance pages and footers, per language."""
    data, todo = jobs(pdf_batch.CHUNK, work)
    out: dict[str, list[pdf_batch.PdfJob]] = {}
    for lang in langs:
        out[lang] = [pdf_batch.PdfJob(page(data, emp, person, lang), work / f"{emp}.pdf", label(
            "st.footer", lang, title=label("pf.title", lang, year=str(data.year)), name=str(person.get("name") or ""),
            employee_id=emp, period=str(data.year), page="{page}", pages="{pages}"), lang, "performance")
            for emp, person, _folder in todo]
    return out


def _navigate(browser: Browser, session: str, url: str) -> None:
    loaded: Future[None] = Future()
    with browser._lock:  # as Browser.print_pdfs waits for the load
        browser._loads[session] = loaded
    browser.call("Page.navigate", {"url": url}, session=session)
    loaded.result(120)


def _pdf(browser: Browser, session: str, options: dict[str, Any]) -> bytes:
    answer = browser.call("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True, **pdf_batch.PRINT,
                                              **options}, session=session)
    if "stream" not in answer:
        return base64.b64decode(answer["data"])
    parts = []
    while True:
        chunk = browser.call("IO.read", {"handle": answer["stream"], "size": 1 << 22}, session=session)
        data = chunk["data"]
        parts.append(base64.b64decode(data) if chunk.get("base64Encoded") else data.encode("latin-1"))
        if chunk.get("eof"):
            browser.call("IO.close", {"handle": answer["stream"]}, session=session)
            return b"".join(parts)


def print_once(browser: Browser, chunk: list[pdf_batch.PdfJob], name: str,
               tmp: Path) -> tuple[float, float, float, int]:
    """One variant's chunk printed: Chromium's CPU for the teardown before, the load and measure, the print; bytes."""
    change, options = VARIANTS[name]
    doc = pdf_batch.combined([pdf_batch.PdfJob(change(j.html), j.out, j.footer, j.lang, j.group) for j in chunk])
    width = pdf_batch.printable_width(chunk[0].html) or 0
    url = tmp / f"{name}-{chunk[0].lang}.html"
    url.write_text(doc, encoding="utf-8")
    target, session = browser._tab()
    me = os.getpid()
    c0 = tree_cpu(me)
    _navigate(browser, session, "about:blank")
    c1 = tree_cpu(me)
    browser.call("Emulation.setEmulatedMedia", {"media": "print"}, session=session)
    browser.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": 1000, "deviceScaleFactor": 1,
                                                        "mobile": False}, session=session)
    _navigate(browser, session, url.as_uri())
    browser.call("Runtime.evaluate", {"expression": "document.fonts.ready.then(() => true)", "awaitPromise": True},
                 session=session)
    browser._evaluate(pdf_batch.MEASURE % width, session)
    c2 = tree_cpu(me)
    data = _pdf(browser, session, options)
    c3 = tree_cpu(me)
    browser.call("Emulation.clearDeviceMetricsOverride", session=session)
    browser.call("Emulation.setEmulatedMedia", {"media": ""}, session=session)
    with browser._lock:
        browser._idle.append((target, session))
    return c1 - c0, c2 - c1, c3 - c2, len(data)


def main() -> None:
    """Print every variant ``--runs`` times, alternating, and the table of Chromium's CPU."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--langs", default="en,zh")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    names, langs = args.variants.split(","), args.langs.split(",")
    exe = find_chromium()
    if exe is None:
        sys.exit("needs Chromium")
    results: dict[tuple[str, str], list[tuple[float, float, float, int]]] = {}
    with tempfile.TemporaryDirectory(prefix="toolkit-bisect-") as tmp:
        chunks = pages(Path(tmp), langs)
        browser = Browser(exe, BASE_FLAGS)
        try:
            for lang in langs:  # warm: fonts and caches, as any chunk after a session's first
                print_once(browser, chunks[lang], "base", Path(tmp))
            for _run in range(args.runs):
                for lang in langs:
                    for name in names:
                        results.setdefault((lang, name), []).append(print_once(browser, chunks[lang], name, Path(tmp)))
        finally:
            browser.close()
    print(f"Chromium's CPU seconds per chunk of {pdf_batch.CHUNK} (runs in order); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for (lang, name), rows in results.items():
        runs = " ".join(f"{t:.2f}/{lo:.2f}/{p:.2f}" for t, lo, p, _n in rows)
        total = statistics.median(lo + p for _t, lo, p, _n in rows)
        print(f"{lang} {name:14s} teardown/load/print {runs} | load+print median {total:.2f} | {rows[0][3] // 1024} kB")


if __name__ == "__main__":
    main()
