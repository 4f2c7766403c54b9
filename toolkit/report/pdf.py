"""Prints the HTML report to PDF with headless Chromium (Debian's ``chromium``): real CSS paged media
(A4, page breaks, repeated table headers) and the same fonts as the screen, with no network access."""

from __future__ import annotations

import contextlib
import html as html_lib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from ..errors import ToolkitError
from ..i18n import register
from ..io.writer import atomic_save
from ..runtime import lite
from .browser import Browser, browser_session, write_pdf

register(
    {
        "report.pdf.no-chromium": ("PDF needs Chromium (Debian package 'chromium'); it was not found.",
                                   "生成 PDF 需要 Chromium（Debian 软件包 chromium），未找到。"),
        "report.pdf.failed": ("Chromium could not print {file} to PDF: {detail}", "Chromium 无法将 {file} 打印为 PDF：{detail}"),
    }
)

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
BASE_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--disable-extensions", "--mute-audio")
TIMEOUT = 120


def find_chromium() -> str | None:
    """The Chromium executable (TOOLKIT_CHROMIUM, then PATH), or None."""
    if lite():  # no subprocess under Pyodide (xlwings Lite): pdf is not offered
        return None
    env = os.environ.get("TOOLKIT_CHROMIUM")
    if env and Path(env).exists():
        return env
    return next((p for p in map(shutil.which, CANDIDATES) if p), None)


def run_chromium(args: list[str], timeout: int = TIMEOUT) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with the base flags, a throw-away profile and ``args``."""
    exe = find_chromium()
    if exe is None:
        raise ToolkitError("report.pdf.no-chromium")
    with tempfile.TemporaryDirectory(prefix="toolkit-chromium-") as profile:
        cmd = [exe, *BASE_FLAGS, f"--user-data-dir={profile}", *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


def page_footer(text: str) -> str:
    """The HTML footer of every printed page: ``text`` (HTML-escaped) with ``{page}`` and ``{pages}`` filled by
    Chromium (page n of N)."""
    safe = html_lib.escape(text).replace("{page}", '<span class="pageNumber"></span>').replace(
        "{pages}", '<span class="totalPages"></span>')
    return (f'<div style="font-size:7.5px;width:100%;padding:0 12mm;color:#555;'
            f'font-family:sans-serif;text-align:right">{safe}</div>')


def pdf_session() -> contextlib.AbstractContextManager[Browser | None]:
    """One Chromium for every PDF printed inside the ``with`` block (statements, performance files, the report)."""
    return browser_session(find_chromium(), BASE_FLAGS)


def html_to_pdf(html: str | Path, out: str | Path, footer: str | None = None) -> Path:
    """Print the HTML file ``html`` to ``out`` (atomically) with Chromium's print-to-PDF: in the open
    ``pdf_session`` if there is one, else in a browser started for this page. ``footer``: an HTML footer printed
    on every page (Chromium fills ``<span class="pageNumber">`` and ``<span class="totalPages">``)."""
    src = Path(html).resolve()
    options: dict[str, Any] = {"displayHeaderFooter": False}
    if footer is not None:
        options = {"displayHeaderFooter": True, "headerTemplate": "<span></span>", "footerTemplate": footer}

    def write(tmp: Path) -> None:
        with pdf_session() as browser:
            if browser is None:
                raise ToolkitError("report.pdf.no-chromium")
            try:
                data = write_pdf(browser, src, options)
            except ToolkitError as exc:
                raise ToolkitError("report.pdf.failed", file=str(src), detail=str(exc.params.get("detail", ""))) from exc
        if data[:4] != b"%PDF":
            raise ToolkitError("report.pdf.failed", file=str(src), detail="not a PDF")
        Path(tmp).write_bytes(data)

    return atomic_save(Path(out), write)
