"""Many people's PDFs in a few prints (issue 24): statements and performance files printed together, then split.

Chromium's print of one person's pages cost about half a second (more on a busy machine), much of it paid per
print, so 200 statements took minutes. Here the pages of up to ``CHUNK`` people of one kind are put in one HTML
document (each person's pages starting on a new sheet) and loaded once. Each person's width is measured there,
because Chromium shrinks a page wider than the sheet to fit, one scale for the whole print: people of one width
are printed together (one print per width, the others hidden), so everyone prints at the scale their page alone
would get, page for page the same. Each person's pages begin with an invisible link to ``tk-doc-<n>``; the
print's link annotations tell where each person starts, and pikepdf (qpdf) splits the print into one file per
person (the marks removed). Prints are not tagged (``PRINT``).

The footer ("Statement · name (ID) · period · page n of N") must count each person's own pages, which Chromium's
footer cannot (its page numbers run across the whole print). So the footers are printed once more, as a
document of just the footer lines, one page per page, and each footer page is laid over its content page (a
form XObject; the content itself is not rewritten). A print whose marks do not give one start per person is
printed person by person.

``PdfBatch`` prints chunks in two background threads (two tabs of the one Chromium session) while the caller
writes the next people's workbooks.
"""

from __future__ import annotations

import html as html_lib
import io
import json
import re
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ToolkitError
from ..io.writer import atomic_save
from .browser import Browser
from .pdf import pdf_session

#: People per print: large enough that the per-print cost is shared, small enough that the last chunk (printed
#: after the workbooks are written) is short.
CHUNK = 16
#: Prints at once (tabs of the one Chromium): the machine's two cores.
TABS = 2
#: The footer line: as Chromium's footer template drew it before (``pdf.page_footer``): 7.5 px, grey, right.
FOOTER_CSS = ("font-size:7.5px;color:#555;font-family:'DejaVu Sans',sans-serif;text-align:right;position:absolute;left:12mm;"
              "right:12mm;bottom:5.25mm;white-space:nowrap")


@dataclass(frozen=True)
class PdfJob:
    """One person's PDF: the page (a complete HTML document), the file, the footer text (``{page}`` and
    ``{pages}`` filled per page), its language, and the group (pages combine only within one group: the same
    template and no element repeated on every page, like a draft mark, that another person's pages would get)."""

    html: str
    out: Path
    footer: str
    lang: str = "en"
    group: str = ""


def _parts(doc: str) -> tuple[str, str, str]:
    """The document's head (up to and including ``<body>``), its body and its title."""
    head, rest = doc.split("<body>", 1)
    body = rest.rsplit("</body>", 1)[0]
    found = re.search(r"<title>(.*?)</title>", head, re.S)
    return head, body, html_lib.unescape(found.group(1).strip()) if found else ""


#: Each person's pages start with an empty link to ``tk-doc-<n>`` (out of the flow, 1 px, nothing drawn): the
#: print's link annotations tell on which page each person starts; the split removes them.
MARK = "tk-doc-"
MARK_CSS = "position:absolute;left:0;top:0;width:1px;height:1px;display:block"
_MARK_RE = re.compile(r"tk-doc-(\d+)$")


def combined(jobs: Sequence[PdfJob]) -> str:
    """One HTML document of the jobs' pages: the first job's head, then each body on a new sheet, in its language."""
    head = _parts(jobs[0].html)[0]
    bodies = []
    for i, job in enumerate(jobs):
        lang = "zh-CN" if job.lang == "zh" else "en"
        brk = ";break-before:page" if i else ""  # what SHOW sets when everyone prints together (then not run)
        bodies.append(f'<div class="tk-doc" lang="{lang}" style="position:relative{brk}">'
                      f'<a href="{MARK}{i}" style="{MARK_CSS}"></a>{_parts(job.html)[1]}</div>')
    return f"{head}<body>{''.join(bodies)}</body></html>"


#: No tagged PDF: Chromium's tags (the accessibility tree) took a third of the print's time and four fifths of its
#: bytes, and a person's pages split from a print could not keep them anyway.
PRINT = {"generateTaggedPDF": False}
_MM = 96 / 25.4  # CSS pixels per millimetre
_SIZES = {"a4": (210.0, 297.0), "a4 landscape": (297.0, 210.0)}


def printable_width(doc: str) -> int | None:
    """The width in CSS pixels between the left and right page margins of ``doc``'s ``@page`` rule (``size: A4``
    [landscape], ``margin`` in mm), or None when the rule says something else (such pages are printed one by one)."""
    rule = re.search(r"@page\s*\{([^}]*)\}", _parts(doc)[0])
    if rule is None:
        return None
    size = re.search(r"size:\s*([^;]+);", rule.group(1))
    margin = re.search(r"margin:\s*([^;]+);", rule.group(1))
    paper = _SIZES.get(size.group(1).strip().lower()) if size else None
    values = margin.group(1).split() if margin else []
    if paper is None or not values or not all(v.endswith("mm") for v in values):
        return None
    mm = [float(v[:-2]) for v in values]
    if len(mm) > 4:
        return None
    left, right = (mm[3], mm[1]) if len(mm) == 4 else (mm[min(1, len(mm) - 1)],) * 2
    return round((paper[0] - left - right) * _MM)


def footer_document(lines: Sequence[str], width: float, height: float) -> str:
    """An HTML document of ``len(lines)`` pages of ``width`` x ``height`` points, each only its footer line."""
    pages = "".join(f'<div class="p"><div class="f">{html_lib.escape(text)}</div></div>' for text in lines)
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>"
            f"@page {{ size: {width:.2f}pt {height:.2f}pt; margin: 0; }} body {{ margin: 0; }}"  # not money: points
            f".p {{ position: relative; height: {height:.2f}pt; overflow: hidden; break-after: page; }}"  # not money
            f".f {{ {FOOTER_CSS} }}</style></head><body>{pages}</body></html>")


#: Run on the combined page laid out for print at the printable width: per person, "fit" when their pages fit
#: the sheet's width, else how wide they are (Chromium shrinks a page wider than the sheet to fit, the whole
#: print at one scale: only people of one width print together, so each is shrunk as if printed alone).
MEASURE = """(() => {
  const c = %d;
  return [...document.querySelectorAll('body > div.tk-doc')].map(d => {
    const x = d.getBoundingClientRect().left;
    let right = 0;
    for (const e of d.querySelectorAll('*')) right = Math.max(right, e.getBoundingClientRect().right - x);
    return d.scrollWidth <= c && right <= c ? 'fit' : d.scrollWidth + ':' + right.toFixed(3);
  });
})()"""
#: Shows only the people listed (indexes), each after the first on a new sheet.
SHOW = """((keep) => {
  let first = true;
  [...document.querySelectorAll('body > div.tk-doc')].forEach((d, i) => {
    const on = keep.includes(i);
    d.style.display = on ? '' : 'none';
    d.style.breakBefore = on && !first ? 'page' : 'auto';
    if (on) first = false;
  });
  return true;
})(%s)"""


def _print_all(browser: Browser, doc: str, plan: Any, measure: str | None = None, width: int = 0) -> list[bytes]:
    with tempfile.TemporaryDirectory(prefix="toolkit-pdf-") as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(doc, encoding="utf-8")
        out = browser.print_pdfs(page.resolve().as_uri(), plan, measure, width)
    for data in out:
        if data[:4] != b"%PDF":
            raise ToolkitError("report.pdf.failed", file="", detail="not a PDF")
    return out


def _pikepdf() -> Any:
    """pikepdf (qpdf), which splits and stamps the prints."""
    import pikepdf  # deferred: a compiled package, absent under Pyodide (xlwings Lite), where PDF is never offered

    return pikepdf


def _starts(pdf: Any) -> dict[int, int]:
    """The page where each person's mark (``MARK``) is, by the person's place in the chunk; the marks are removed."""
    found: dict[int, int] = {}
    for n, page in enumerate(pdf.pages):
        annots = page.obj.get("/Annots")
        if annots is None:
            continue
        keep = []
        for annot in annots:
            uri = str(annot.get("/A", {}).get("/URI", "")) if "/A" in annot else ""
            mark = _MARK_RE.search(uri)
            if mark is None:
                keep.append(annot)
            else:
                found.setdefault(int(mark.group(1)), n)
        if len(keep) != len(annots):
            page.obj["/Annots"] = _pikepdf().Array(keep)
    return found


@dataclass
class _Part:
    job: PdfJob
    pdf: Any
    start: int
    end: int


def _split(jobs: Sequence[PdfJob], data: bytes, places: Sequence[int] = ()) -> list[_Part] | None:
    """Each job's pages in ``data`` (the jobs printed together, in order; ``places``: their places in the chunk,
    which their marks carry), or None when the marks do not tell them apart."""
    pdf = _pikepdf().open(io.BytesIO(data))
    if not places:
        return [_Part(jobs[0], pdf, 0, len(pdf.pages))]
    found = _starts(pdf)
    starts = [found.get(i, -1) for i in places]
    if starts[0] != 0 or any(b <= a for a, b in zip(starts, starts[1:])):
        return None
    ends = [*starts[1:], len(pdf.pages)]
    return [_Part(job, pdf, a, b) for job, a, b in zip(jobs, starts, ends)]


def print_chunk(browser: Browser, jobs: Sequence[PdfJob]) -> list[Path | Exception]:
    """Print ``jobs`` together, split, footers stamped; each job's file (written atomically) or its error."""
    width = printable_width(jobs[0].html) if len(jobs) > 1 else None
    parts: list[_Part] = []
    if width is None:  # one person, or pages whose printable width is not known: one print each
        for job in jobs:
            parts += _split([job], _print_all(browser, job.html, lambda _m: [(None, PRINT)])[0]) or []
    else:
        buckets: list[list[int]] = []

        def plan(keys: list[str]) -> list[tuple[str, dict[str, Any]]]:
            groups: dict[str, list[int]] = {}
            for i, key in enumerate(keys):
                groups.setdefault(key, []).append(i)
            buckets.extend(groups.values())
            if len(buckets) == 1:  # everyone at one width (the usual case): printed as laid out, no restyling
                return [(None, PRINT)]
            return [(SHOW % json.dumps(b), PRINT) for b in buckets]

        datas = _print_all(browser, combined(jobs), plan, MEASURE % width, width)
        for bucket, data in zip(buckets, datas):
            split = _split([jobs[i] for i in bucket], data, bucket)
            if split is None:  # no reliable start per person: one print each
                split = [p for i in bucket for p in _split([jobs[i]], _print_all(
                    browser, jobs[i].html, lambda _m: [(None, PRINT)])[0]) or []]
            parts += split
    lines = [part.job.footer.replace("{page}", str(n)).replace("{pages}", str(part.end - part.start))
             for part in parts for n in range(1, part.end - part.start + 1)]
    box = parts[0].pdf.pages[parts[0].start].mediabox
    feet_doc = footer_document(lines, float(box[2]) - float(box[0]), float(box[3]) - float(box[1]))
    feet = _pikepdf().open(io.BytesIO(_print_all(browser, feet_doc, lambda _m: [(None, PRINT)])[0]))
    if len(feet.pages) != len(lines):
        raise ToolkitError("report.pdf.failed", file=str(jobs[0].out), detail="footer pages do not match")
    results: dict[Path, Path | Exception] = {}
    at = 0
    for part in parts:
        try:
            results[part.job.out] = _write_part(part, feet, at)
        except Exception as exc:  # one person's file failing never stops the others
            results[part.job.out] = exc
        at += part.end - part.start
    return [results.get(job.out, ToolkitError("report.pdf.failed", file=str(job.out), detail="not printed"))
            for job in jobs]


def _write_part(part: _Part, feet: Any, at: int) -> Path:
    """The person's pages of ``part`` with their footers (pages ``at``… of ``feet``), written atomically."""
    out = _pikepdf().new()
    for n, i in enumerate(range(part.start, part.end)):
        out.pages.append(part.pdf.pages[i])
        page = out.pages[-1]
        if "/Annots" in page.obj and not len(page.obj["/Annots"]):
            del page.obj["/Annots"]
        page.add_overlay(feet.pages[at + n])
    title = _parts(part.job.html)[2]
    if title:
        out.docinfo["/Title"] = title

    def save(tmp: Path) -> None:  # object streams: the fonts' many small dictionaries compressed (files -40%)
        out.save(tmp, object_stream_mode=_pikepdf().ObjectStreamMode.generate)

    return atomic_save(Path(part.job.out), save)


def queue(job: PdfJob, pdfs: PdfBatch | None) -> Future[Path]:
    """``job`` queued in ``pdfs``; without a batch, printed now in one of its own (the future is then done)."""
    if pdfs is not None:
        return pdfs.add(job)
    with PdfBatch() as own:
        return own.add(job)


class PdfBatch:
    """Collects people's PDFs and prints them ``CHUNK`` at a time in the background (``add`` returns a future of
    the file); use as a ``with`` block: leaving it prints the rest and waits. Opens (or shares) the one Chromium
    session."""

    def __init__(self, chunk: int = CHUNK, tabs: int = TABS) -> None:
        self._chunk, self._tabs = max(1, chunk), max(1, tabs)
        self._pool = ThreadPoolExecutor(max_workers=self._tabs, thread_name_prefix="toolkit-pdf")
        self._pending: dict[str, list[tuple[PdfJob, Future[Path]]]] = {}
        self._lock = threading.Lock()
        self._session = pdf_session()
        self._browser: Browser | None = None

    def __enter__(self) -> PdfBatch:
        self._browser = self._session.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            for group in list(self._pending):  # the last people: split between the tabs, none waits for the other
                items = self._pending.pop(group)
                size = max(1, -(-len(items) // self._tabs))
                for at in range(0, len(items), size):
                    self._pool.submit(self._run, items[at:at + size])
            self._pool.shutdown(wait=True)
        finally:
            self._session.__exit__(*exc)

    def add(self, job: PdfJob) -> Future[Path]:
        """Queue ``job``; its file (or error) when its chunk has printed."""
        fut: Future[Path] = Future()
        with self._lock:
            self._pending.setdefault(job.group, []).append((job, fut))
            full = len(self._pending[job.group]) >= self._chunk
        if full:
            self._submit(job.group)
        return fut

    def _submit(self, group: str) -> None:
        with self._lock:
            items = self._pending.pop(group, [])
        if items:
            self._pool.submit(self._run, items)

    def _run(self, items: list[tuple[PdfJob, Future[Path]]]) -> None:
        try:
            if self._browser is None:
                raise ToolkitError("report.pdf.no-chromium")
            results = print_chunk(self._browser, [job for job, _ in items])
        except Exception as exc:  # the whole chunk failed: every person in it is told
            results = [exc] * len(items)
        for (job, fut), res in zip(items, results):
            if isinstance(res, Exception):
                if isinstance(res, ToolkitError) and res.key == "report.pdf.failed":
                    res = ToolkitError("report.pdf.failed", file=str(job.out), detail=str(res.params.get("detail", "")))
                fut.set_exception(res)
            else:
                fut.set_result(res)
