"""CPU seconds of a PDF bench: this process's and Chromium's (its process tree, counted when a session closes).

Imported by ``statements_pdf_bench.py`` and ``performance_pdf_bench.py`` (Linux: reads /proc)."""

from __future__ import annotations

import os
from pathlib import Path

from toolkit.report.browser import Browser


def tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid``'s descendants still running and of the children they have waited for (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = fields
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0.0, list(children.get(pid, []))
    while todo:
        p = todo.pop()
        f = stats[p]
        total += sum(int(v) for v in f[11:15]) / ticks
        todo += children.get(p, [])
    return total


_chromium = [0.0]
_close = Browser.close


def _counted_close(self: Browser) -> None:
    """Browser.close, adding the browser's CPU (its process tree's) first: the bench counts Chromium's work."""
    _chromium[0] += tree_cpu(os.getpid())
    _close(self)


Browser.close = _counted_close


def cpu() -> float:
    """CPU seconds of this process and of the Chromium sessions closed so far."""
    t = os.times()
    return t.user + t.system + _chromium[0]
