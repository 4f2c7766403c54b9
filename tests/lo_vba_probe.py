"""Run by a Python that has LibreOffice's ``uno`` module (Debian: python3-uno), not by pytest.

Usage: python3 lo_vba_probe.py FILE.xlam  ->  JSON on stdout: {"libraries", "modules": {lib/name: source},
"sheets", "cells": {sheet: [[A, B], ...]}}. Opens FILE in a private headless LibreOffice through UNO.
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


def main(path):
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
        for _ in range(240):
            try:
                ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
                break
            except Exception:
                time.sleep(0.25)
        if ctx is None:
            raise SystemExit("LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        # .xlam is not among the extensions LibreOffice detects, so name the OOXML filter.
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(path)), "_blank", 0,
                                           (_pv("Hidden", True), _pv("MacroExecutionMode", 0),
                                            _pv("FilterName", "Calc MS Excel 2007 XML")))
        if doc is None:
            raise SystemExit("LibreOffice could not open " + path)
        out = {"libraries": list(doc.BasicLibraries.getElementNames()), "modules": {}, "cells": {}}
        for lib in out["libraries"]:
            doc.BasicLibraries.loadLibrary(lib)
            container = doc.BasicLibraries.getByName(lib)
            for name in container.getElementNames():
                out["modules"][lib + "/" + name] = container.getByName(name)
        out["sheets"] = list(doc.Sheets.getElementNames())
        for name in out["sheets"]:
            sheet = doc.Sheets.getByName(name)
            rows = []
            for r in range(1, 50):
                a = sheet.getCellRangeByName("A%d" % r).getString()
                if not a:
                    break
                rows.append([a, sheet.getCellRangeByName("B%d" % r).getString()])
            out["cells"][name] = rows
        doc.close(True)
        sys.stdout.write(json.dumps(out))
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


if __name__ == "__main__":
    main(sys.argv[1])
