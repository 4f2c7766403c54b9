"""Run by a Python that has LibreOffice's ``uno`` module (Debian: python3-uno), not by pytest.

Usage: python3 lo_basic_probe.py  < {"source": BASIC MODULE, "function": NAME, "calls": [[ARG, ...], ...]}
-> JSON list of results on stdout. Runs the module's function in a private headless LibreOffice (Basic with
``Option VBASupport 1``), an independent interpreter of the VBA the add-in ships.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def _pv(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main(request):
    profile = tempfile.mkdtemp(prefix="lo-basic-")
    pipe = "tkbasic%d" % os.getpid()
    proc = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
         "-env:UserInstallation=" + uno.systemPathToFileUrl(profile), "--accept=pipe,name=%s;urp;" % pipe],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    desktop = None
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        for _ in range(240):
            try:
                ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
                break
            except Exception:
                time.sleep(0.25)
        if ctx is None:
            raise SystemExit("LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, (_pv("Hidden", True),))
        libraries = doc.BasicLibraries
        if not libraries.hasByName("Probe"):
            libraries.createLibrary("Probe")
        libraries.loadLibrary("Probe")
        lib = libraries.getByName("Probe")
        lib.insertByName("Probe", request["source"])
        script = doc.getScriptProvider().getScript(
            "vnd.sun.star.script:Probe.Probe.%s?language=Basic&location=document" % request["function"])
        results = [script.invoke(tuple(args), (), ())[0] for args in request["calls"]]
        doc.close(True)
        print(json.dumps(results, ensure_ascii=False))
    finally:
        try:
            if desktop is not None:
                desktop.terminate()
        except Exception:
            pass
        proc.wait(timeout=60)


if __name__ == "__main__":
    main(json.load(sys.stdin))
