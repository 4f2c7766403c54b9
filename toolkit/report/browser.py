"""One headless Chromium for many PDFs: the DevTools protocol over a pipe (``--remote-debugging-pipe``).

Starting Chromium costs about a second per PDF; a batch of statements, performance files or the report's pages
prints in one browser instead (a tab per print, several at once from worker threads; ``report.pdf_batch`` puts
many people's pages in one print). Only the standard
library is used: the protocol is JSON messages separated by NUL bytes on file descriptors 3 (to Chromium) and
4 (from Chromium). ``browser_session()`` opens the session the PDF writers share (``report.pdf.html_to_pdf``
uses it when one is open, else a session of its own for the one page).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from ..errors import ToolkitError

#: Seconds to wait for one protocol answer (loading and printing a page included).
TIMEOUT = 120


class Browser:
    """A headless Chromium driven over the DevTools pipe; ``print_pdf`` is safe to call from several threads."""

    def __init__(self, exe: str, flags: tuple[str, ...]) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="toolkit-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def plumb() -> None:  # in the child: its fds 3 and 4 are the protocol pipes (moved high first: no clash)
            a = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        cmd = [exe, *flags, f"--user-data-dir={self._profile.name}", "--remote-debugging-pipe", "about:blank"]
        # No pass_fds=(3, 4): Popen marks those fds inheritable in the parent, which fails (EBADF) when the parent
        # has no fd 3 or 4 open (a second session in one process). The dup2 copies are inheritable and every other
        # fd Python opened is close-on-exec (PEP 446), so Chromium gets 0-2, 3 and 4 only.
        self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, preexec_fn=plumb, close_fds=False)
        os.close(to_child_r)
        os.close(from_child_w)
        self._lock = threading.Lock()
        self._next = 0
        self._pending: dict[int, Future[dict[str, Any]]] = {}
        self._loads: dict[str, Future[None]] = {}
        self._idle: list[tuple[str, str]] = []  # tabs done printing, ready for the next page
        self._reader = threading.Thread(target=self._read, name="chromium-devtools", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buf = b""
        with os.fdopen(self._from_child, "rb", buffering=0) as pipe:
            while True:
                chunk = pipe.read(1 << 16)
                if not chunk:
                    break
                buf += chunk
                while b"\0" in buf:
                    raw, buf = buf.split(b"\0", 1)
                    self._dispatch(json.loads(raw))
        with self._lock:  # Chromium went away: nobody waits for ever
            for fut in [*self._pending.values(), *self._loads.values()]:
                if not fut.done():
                    fut.set_exception(ToolkitError("report.pdf.failed", file="", detail="Chromium exited"))
            self._pending.clear()
            self._loads.clear()

    def _dispatch(self, msg: dict[str, Any]) -> None:
        with self._lock:
            if "id" in msg:
                fut = self._pending.pop(msg["id"], None)
            elif msg.get("method") == "Page.loadEventFired":
                load = self._loads.pop(msg.get("sessionId", ""), None)
                if load is not None and not load.done():
                    load.set_result(None)
                return
            else:
                return
        if fut is None:
            return
        if "error" in msg:
            fut.set_exception(ToolkitError("report.pdf.failed", file="", detail=str(msg["error"].get("message"))))
        else:
            fut.set_result(msg.get("result", {}))

    def _send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> Future:
        fut: Future[dict[str, Any]] = Future()
        with self._lock:
            self._next += 1
            msg: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
            if session:
                msg["sessionId"] = session
            self._pending[self._next] = fut
            data = json.dumps(msg).encode("utf-8") + b"\0"
            os.write(self._to_child, data)
        return fut

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        """Send one DevTools command and wait for its result."""
        return self._send(method, params, session).result(TIMEOUT)

    def _tab(self) -> tuple[str, str]:
        """An idle tab (target id, session id): one a finished print gave back, else a new one. Issue 24: a tab is
        reused for the next page, not opened and closed per PDF (a new tab starts a renderer)."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable", session=session)
        return target, session

    def print_pdf(self, url: str, options: dict[str, Any] | None = None) -> bytes:
        """Load ``url`` in a tab and print it (``Page.printToPDF`` with ``options``); the PDF bytes."""
        return self.print_pdfs(url, lambda _measured: [(None, options or {})])[0]

    def print_pdfs(self, url: str, plan: Callable[[Any], list[tuple[str | None, dict[str, Any]]]],
                   measure: str | None = None, width: int = 0) -> list[bytes]:
        """Load ``url`` in a tab once and print it several times: ``measure`` (a script) is run with the print
        styles on a window ``width`` CSS pixels wide (the page's printable width; set before the page loads, so it
        is laid out once for both), ``plan(its value)`` gives the
        prints as (a script to run first, ``Page.printToPDF`` options); one PDF per print. The tab is kept for
        the next page when all went well, closed otherwise."""
        target, session = self._tab()
        ok = False
        try:
            if measure:  # laid out once, for print at the printable width, before it loads: issue 24's bisection
                # found the screen layout, then a second one for the measure, a third of the print's CPU
                self.call("Emulation.setEmulatedMedia", {"media": "print"}, session=session)
                self.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": 1000,
                                                                 "deviceScaleFactor": 1, "mobile": False},
                          session=session)
            loaded: Future[None] = Future()
            with self._lock:
                self._loads[session] = loaded
            self.call("Page.navigate", {"url": url}, session=session)
            loaded.result(TIMEOUT)
            self.call("Runtime.evaluate", {"expression": "document.fonts.ready.then(() => true)",
                                           "awaitPromise": True}, session=session)
            measured = self._evaluate(measure, session) if measure else None
            out = []
            for script, options in plan(measured):
                if script:
                    self._evaluate(script, session)
                data = self.call("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True,
                                                     **options}, session=session)["data"]
                out.append(base64.b64decode(data))
            if measure:  # printed as measured (print media, printable width: no layout in between); tab reset
                self.call("Emulation.clearDeviceMetricsOverride", session=session)
                self.call("Emulation.setEmulatedMedia", {"media": ""}, session=session)
            ok = True
            return out
        finally:
            if ok:
                with self._lock:
                    self._idle.append((target, session))
            else:
                with self._lock:
                    self._loads.pop(session, None)
                with contextlib.suppress(Exception):
                    self.call("Target.closeTarget", {"targetId": target})

    def _evaluate(self, script: str, session: str) -> Any:
        answer = self.call("Runtime.evaluate", {"expression": script, "returnByValue": True}, session=session)
        if "exceptionDetails" in answer:
            raise ToolkitError("report.pdf.failed", file="", detail=str(answer["exceptionDetails"].get("text")))
        return answer.get("result", {}).get("value")

    def close(self) -> None:
        """Ask Chromium to quit, then make sure it has."""
        with contextlib.suppress(Exception):
            self._send("Browser.close").result(5)
        with contextlib.suppress(OSError):
            os.close(self._to_child)
        try:
            self._proc.wait(10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._profile.cleanup()


_current: Browser | None = None
_current_lock = threading.Lock()


def current() -> Browser | None:
    """The browser of the open ``browser_session``, if any."""
    return _current


@contextlib.contextmanager
def browser_session(exe: str | None, flags: tuple[str, ...]) -> Iterator[Browser | None]:
    """One Chromium for the PDFs printed inside the block (nested blocks share the outer one); ``exe`` None: no
    browser (the writers then raise their own "no Chromium" error when asked for a PDF)."""
    global _current
    with _current_lock:
        outer = _current is not None
        if not outer and exe is not None:
            _current = Browser(exe, flags)
        mine = _current
    try:
        yield mine
    finally:
        if not outer and mine is not None:
            with _current_lock:
                _current = None
            mine.close()


def write_pdf(browser: Browser, html: Path, options: dict[str, Any] | None = None) -> bytes:
    """Print the HTML file ``html`` with ``browser``."""
    return browser.print_pdf(Path(html).resolve().as_uri(), options)
