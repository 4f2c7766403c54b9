"""Run by a Python that has LibreOffice's ``uno`` module (Debian: python3-uno), not by pytest.

Usage: python3 lo_vba_probe.py FILE.xlam  ->  JSON on stdout: {"libraries", "modules": {lib/name: source},
"sheets", "cells": {sheet: [[A, B], ...]}}. Opens FILE in a private headless LibreOffice through UNO.
"""

import json
import os
import sys

import uno

from lo_uno import office, pv


def main(path):
    with office() as desktop:
        # .xlam is not among the extensions LibreOffice detects, so name the OOXML filter.
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(path)), "_blank", 0,
                                           (pv("Hidden", True), pv("MacroExecutionMode", 0),
                                            pv("FilterName", "Calc MS Excel 2007 XML")))
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


if __name__ == "__main__":
    main(sys.argv[1])
