"""The one catalog of findings (toolkit/core/catalog.py): every code any module raises resolves in a fresh process,
lists of codes are tag queries, docs/findings.md lists the catalog, and the report shows weekend and holiday spend."""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from toolkit.core import catalog
from toolkit.core.findings import CATALOG, Finding, codes
from toolkit.core.ledger import UNRELIABLE_CODES
from toolkit.core.validation import CODES
from toolkit.operations.source import Source
from toolkit.report import build_context
from toolkit.report.context import POLICY_CODES

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "toolkit"
SAMPLE = ROOT / "workbooks" / "sample"
KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")


def _branches(node: ast.AST) -> list[ast.AST]:
    """The values a (nested) conditional expression can take; the node itself otherwise."""
    if isinstance(node, ast.IfExp):
        return _branches(node.body) + _branches(node.orelse)
    return [node]


def emitted_codes() -> dict[str, str]:
    """Every finding code the source can raise, found by reading it (not a list kept by hand): the code argument of
    ``Finding(...)`` and of every function returning findings that takes a ``code`` (``ctx.emit``, the reader's
    ``_trace``...), a constant or a name assigned one; and the codes a function documented as giving "finding
    code"s puts first in its tuples (the reader's totals and notes rows). Code -> where it was found."""
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(PACKAGE.rglob("*.py"))
             if p != PACKAGE / "core" / "catalog.py"}
    funcs = {p: [f for f in ast.walk(t) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))]
             for p, t in trees.items()}
    takes_code = {"Finding": 0}
    constants: dict[str, str] = {}
    for p, tree in trees.items():
        for f in funcs[p]:
            names = [a.arg for a in f.args.posonlyargs + f.args.args]
            if "code" in names and "Finding" in (ast.unparse(f.returns) if f.returns is not None else ""):
                takes_code.setdefault(f.name, names.index("code") - (names[0] in ("self", "cls")))
        for n in tree.body:
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str):
                constants.update({t.id: n.value.value for t in n.targets if isinstance(t, ast.Name)})
    found: dict[str, str] = {}

    def add(value: object, where: str) -> None:
        if isinstance(value, str) and KEBAB.match(value):
            found.setdefault(value, where)

    for p, tree in trees.items():
        where = str(p.relative_to(ROOT))
        for f in funcs[p]:
            if "finding code" in (ast.get_docstring(f) or ""):
                for node in ast.walk(f):
                    if isinstance(node, ast.Tuple) and node.elts and isinstance(node.elts[0], ast.Constant):
                        add(node.elts[0].value, f"{where}:{node.lineno}")
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
            if name not in takes_code:
                continue
            i = takes_code[name]
            arg = call.args[i] if len(call.args) > i else next((k.value for k in call.keywords if k.arg == "code"), None)
            options = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
            for option in options:
                if isinstance(option, ast.Constant):
                    add(option.value, f"{where}:{call.lineno}")
                elif isinstance(option, ast.Name):
                    inside = [f for f in funcs[p] if f.lineno <= call.lineno <= (f.end_lineno or 0)]
                    assigned = [v.value for f in inside[-1:] for n in ast.walk(f) if isinstance(n, ast.Assign)
                                and any(isinstance(t, ast.Name) and t.id == option.id for t in n.targets)
                                for v in _branches(n.value) if isinstance(v, ast.Constant)]
                    for value in assigned or [constants.get(option.id)]:
                        add(value, f"{where}:{call.lineno}")
    return found


def test_a_fresh_process_resolves_every_code_the_source_raises() -> None:
    """The catalog loads whole: a process that imports only the finding record resolves, renders in both languages
    and knows the severity of every code any rule, the reader or a computation raises (no module imported first)."""
    emitted = emitted_codes()
    assert {"type-error", "total-row", "weekend-expense", "holiday-expense", "royalty-no-plan", "appraisal-default",
            "plan-new-hire", "approval-own-item", "backdated-into-closed-period", "file-unreadable"} <= set(emitted)
    script = ("import json, sys\nfrom toolkit.core.findings import Finding\nout = {}\n"
              "for code in json.load(sys.stdin):\n    f = Finding(code)\n"
              "    out[code] = [f.severity, f.message('en'), f.message('zh')]\nprint(json.dumps(out))\n")
    res = subprocess.run([sys.executable, "-c", script], input=json.dumps(sorted(emitted)), capture_output=True,
                         text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert res.returncode == 0, res.stderr[-2000:]
    resolved = json.loads(res.stdout)
    assert set(resolved) == set(emitted)
    assert all(sev in ("error", "warning", "info") and isinstance(en, str) and isinstance(zh, str)
               for sev, en, zh in resolved.values())
    assert set(CATALOG) == set(emitted), f"declared but never raised: {sorted(set(CATALOG) - set(emitted))}"


def test_the_scan_finds_a_code_missing_from_the_catalog(tmp_path: Path, monkeypatch) -> None:
    """The scan is not a list: a new ``ctx.emit("...")`` in a rule is found, and the catalog does not know it."""
    shutil.copytree(PACKAGE / "core" / "validation", tmp_path / "toolkit" / "core" / "validation")
    rule = tmp_path / "toolkit" / "core" / "validation" / "expenses.py"
    rule.write_text(rule.read_text(encoding="utf-8").replace('ctx.emit("holiday-expense"', 'ctx.emit("holiday-spend"'),
                    encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path / "toolkit")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = emitted_codes()
    assert "holiday-spend" in found and "holiday-spend" not in CATALOG and "holiday-expense" not in found


def test_lists_of_codes_are_tag_queries() -> None:
    assert set(POLICY_CODES) == set(codes("policy")) >= {"weekend-expense", "holiday-expense", "over-policy-limit"}
    assert set(POLICY_CODES) <= set(CATALOG) and set(UNRELIABLE_CODES) <= set(CATALOG)
    assert UNRELIABLE_CODES == set(codes("unreliable")) and "unknown-employee" in UNRELIABLE_CODES
    assert set(CODES) == set(codes("rule")) and "weekend-expense" in CODES and "type-error" not in CODES
    assert all(len(CATALOG[c].tags & set(catalog.ORIGINS)) == 1 for c in CATALOG)
    with pytest.raises(KeyError):
        codes("weekend-spend")


def test_docs_list_the_catalog() -> None:
    """docs/findings.md holds, per place a code is raised, the catalog's table (regenerate a table with
    ``toolkit.core.catalog.markdown_table(tag)``)."""
    text = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    for tag in catalog.ORIGINS:
        assert catalog.markdown_table(tag) in text, f"docs/findings.md: the {tag!r} table differs from the catalog"
    assert len(re.findall(r"^\| `[a-z0-9-]+`", text, re.M)) == len(CATALOG)


def test_the_report_lists_weekend_and_holiday_spend(tmp_path: Path) -> None:
    """An expense dated on a Saturday and one on an official holiday of the period reach the report's policy
    findings (they never did while the report asked for codes no rule raises)."""
    folder = tmp_path / "sample"
    folder.mkdir()
    for name in ("dept-east.xlsx", "standards.xlsx"):
        shutil.copy(SAMPLE / name, folder / name)
    std = openpyxl.load_workbook(folder / "standards.xlsx", read_only=True)
    days = {row[0].date(): row[1] for row in std["Holidays"].iter_rows(min_row=2, values_only=True) if row[0]}
    holiday = next(d for d, kind in sorted(days.items()) if kind == "Holiday" and d.strftime("%Y-%m") == "2026-10")
    saturday = next(d for d in (dt.date(2026, 10, day) for day in range(1, 32))
                    if d.weekday() == 5 and d not in days)
    wb = openpyxl.load_workbook(folder / "dept-east.xlsx")
    ws = wb["Expenses"]
    rows = [r for r in range(2, ws.max_row + 1) if isinstance(ws.cell(r, 2).value, dt.datetime)
            and ws.cell(r, 2).value.strftime("%Y-%m") == "2026-10"]
    ws.cell(rows[0], 2).value = dt.datetime.combine(saturday, dt.time())
    ws.cell(rows[1], 2).value = dt.datetime.combine(holiday, dt.time())
    wb.save(folder / "dept-east.xlsx")

    ledger = Source([folder / "dept-east.xlsx"], folder / "standards.xlsx", force=True).ledger("2026-10")
    policy = build_context(ledger, "2026-10", lang="en")["tables"]["policy_findings"]
    shown = dict(zip(policy["code"], policy["cell"]))
    assert shown.get("weekend-expense") == f"B{rows[0]}" and shown.get("holiday-expense") == f"B{rows[1]}"
    assert {"Weekend expense", "Holiday expense"} <= set(policy["title"])


def test_a_finding_of_an_unknown_code_is_refused() -> None:
    with pytest.raises(KeyError):
        Finding("weekend-spend")
