"""Prints the HTML report to PDF with headless Chromium (Debian's ``chromium``): real CSS paged media
(A4, page breaks, repeated table headers) and the same fonts as the screen, with no network access."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import ToolkitError
from ..i18n import register
from ..io.writer import atomic_save
from ..runtime import lite

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


def html_to_pdf(html: str | Path, out: str | Path) -> Path:
    """Print the HTML file ``html`` to ``out`` (atomically) with Chromium's print-to-PDF."""
    src = Path(html).resolve()

    def write(tmp: Path) -> None:
        res = run_chromium(["--no-pdf-header-footer", f"--print-to-pdf={tmp}", src.as_uri()])
        if not Path(tmp).exists() or Path(tmp).stat().st_size == 0 or not Path(tmp).read_bytes()[:4] == b"%PDF":
            raise ToolkitError("report.pdf.failed", file=str(src), detail=(res.stderr or "").strip()[-300:])

    return atomic_save(Path(out), write)
