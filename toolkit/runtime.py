"""Where the toolkit runs: an ordinary Python, or the browser's Pyodide under xlwings Lite.

The Lite mode (``sys.platform == "emscripten"``, or ``TOOLKIT_LITE=1`` to run the same way here) is a mode of
the operations, not a copy of them: no fork (reads are not isolated in a child), no process pool
(``jobs`` is 1), no subprocess and no Chromium (pdf is never offered; xlsx and html are), no ``resource``.
"""

from __future__ import annotations

import os
import sys

LITE_ENV = "TOOLKIT_LITE"


def lite() -> bool:
    """True under Pyodide (xlwings Lite) or when ``TOOLKIT_LITE=1``."""
    return sys.platform == "emscripten" or os.environ.get(LITE_ENV, "").strip() == "1"


def jobs(requested: int | None) -> int | None:
    """The worker processes to use: 1 in the Lite mode, else what was asked (None: the operation's default)."""
    return 1 if lite() else requested


def forks() -> bool:
    """Whether work may run in forked processes (read isolation, the close's output processes, the report's HTML
    process, the performance pages' builders): on Linux only, never in the Lite mode. macOS offers fork, but a
    process forked after its system libraries started (Accelerate, Core Foundation: numpy and matplotlib load
    them) can crash, which is why Python itself defaults to spawn there; Windows has no fork."""
    return not lite() and sys.platform.startswith("linux") and hasattr(os, "fork")
