"""Run by a Python that has LibreOffice's ``uno`` module (Debian: python3-uno), not by pytest.

Usage: python3 lo_basic_probe.py  < {"source": BASIC MODULE, "function": NAME, "calls": [[ARG, ...], ...]}
-> JSON list of results on stdout. Runs the module's function in a private headless LibreOffice (Basic with
``Option VBASupport 1``), an independent interpreter of the VBA the add-in ships.
"""

import json
import sys

from lo_uno import office, pv


def main(request):
    with office() as desktop:
        doc = desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, (pv("Hidden", True),))
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


if __name__ == "__main__":
    main(json.load(sys.stdin))
