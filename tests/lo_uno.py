"""A private headless LibreOffice driven through UNO, for the probe scripts (run by a Python with ``uno``)."""

import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager

import uno
from com.sun.star.beans import PropertyValue

#: Seconds to wait for a LibreOffice that is still running but not yet accepting connections.
START_WATCHDOG = 600


def pv(name, value):
    """A UNO PropertyValue."""
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


@contextmanager
def office():
    """The Desktop of a LibreOffice started with its own profile; terminated (or killed) on exit, and its
    profile folder removed (every probe used to leave one in the temporary folder)."""
    profile = tempfile.mkdtemp(prefix="lo-probe-")
    pipe = "tkprobe%d" % os.getpid()
    proc = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
         "-env:UserInstallation=" + uno.systemPathToFileUrl(profile), "--accept=pipe,name=%s;urp;" % pipe],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    desktop = None
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        # wait as long as LibreOffice is alive (it starts slowly on a loaded machine); only a generous watchdog
        # against a hung start, so the outcome does not depend on the machine's speed
        deadline = time.monotonic() + START_WATCHDOG
        while ctx is None and proc.poll() is None and time.monotonic() < deadline:
            try:
                ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            except Exception:
                time.sleep(0.25)
        if ctx is None:
            raise SystemExit("LibreOffice did not start (exit status %s)" % proc.poll())
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        yield desktop
    finally:
        if desktop is not None:
            try:
                desktop.terminate()
            except Exception:
                pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
