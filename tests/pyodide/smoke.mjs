// Node + Pyodide smoke test (issue 29): the project's pure-Python modules import and compute under Pyodide.
// Usage: node tests/pyodide/smoke.mjs REPO_DIR   (needs `npm install pyodide` where Node finds it).
// numpy/pandas wheels are not loaded (not reachable here), so only modules without them are imported.
import { loadPyodide } from "pyodide";

const repo = process.argv[2];
const py = await loadPyodide();
py.FS.mkdir("/repo");
py.FS.mount(py.FS.filesystems.NODEFS, { root: repo }, "/repo");
const out = py.runPython(`
import sys, json
sys.path.insert(0, "/repo")
from toolkit.runtime import lite, jobs
from toolkit.i18n import t
from toolkit.errors import ToolkitError
from toolkit.core.catalog import CATALOG, codes
from toolkit.core.findings import Finding
from toolkit.schema import DEPARTMENT, STANDARDS
from toolkit.i18n import register
register({"smoke.hello": ("{n} rows", "{n} 行")})
first = sorted(codes())[0]
f = Finding(first, sheet="Contracts", cell="H2", value="x", params={})
res = {
    "platform": sys.platform, "lite": lite(), "jobs": jobs(8),
    "codes": len(list(codes())), "first": first, "severity": f.severity,
    "zh": t("smoke.hello", "zh", n=3),
    "error": ToolkitError("smoke.hello", n=2).message("en"),
    "tables": len(DEPARTMENT.tables) + len(STANDARDS.tables),
}
json.dumps(res, ensure_ascii=False)
`);
console.log(out);
