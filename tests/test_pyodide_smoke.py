"""Node + Pyodide smoke test (issue 29): the project's pure-Python modules (runtime, i18n, errors, the findings
catalog, findings, the schema) import and compute under Pyodide, in the Lite mode.

Runs ``tests/pyodide/smoke.mjs`` with Node from the folder holding ``node_modules/pyodide``:
``TOOLKIT_PYODIDE_DIR``, else ``tests/pyodide`` (``cd tests/pyodide && npm install pyodide``). Skipped when
Node or that package is missing. numpy/pandas wheels are not loaded (not reachable here), so ``money`` and
``periods``, which import them, are not part of it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from toolkit.core.catalog import codes
from toolkit.schema import DEPARTMENT, STANDARDS

HERE = Path(__file__).parent / "pyodide"


def test_pure_modules_import_and_compute_under_pyodide(tmp_path):
    node = shutil.which("node")
    folder = Path(os.environ.get("TOOLKIT_PYODIDE_DIR", HERE))
    if node is None or not (folder / "node_modules" / "pyodide").is_dir():
        pytest.skip("needs Node and `npm install pyodide` in tests/pyodide (or TOOLKIT_PYODIDE_DIR)")
    script = folder / "smoke-run.mjs"
    shutil.copy(HERE / "smoke.mjs", script)
    try:
        done = subprocess.run([node, str(script), str(Path(__file__).parents[1])], capture_output=True, text=True,
                              timeout=600)
    finally:
        script.unlink()
    assert done.returncode == 0, done.stderr[-2000:]
    res = json.loads(done.stdout.strip().splitlines()[-1])
    assert res["platform"] == "emscripten" and res["lite"] is True and res["jobs"] == 1
    assert res["codes"] == len(list(codes())) and res["first"] == sorted(codes())[0]
    assert res["tables"] == len(DEPARTMENT.tables) + len(STANDARDS.tables)
    assert res["zh"] == "3 行" and res["error"] == "2 rows"
