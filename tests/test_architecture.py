"""The layers import downwards only, without a cycle, and imports sit at module top (docs/architecture.md): checked on
every module's import statements, those inside functions included."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "toolkit"

#: Layer -> the toolkit packages it must never import (directly or inside a function).
FORBIDDEN: dict[str, set[str]] = {
    "core": {"io", "store", "operations", "outputs", "report", "excel", "cli", "sample"},
    "schema": {"core", "io", "store", "operations", "outputs", "report", "excel", "cli"},
    "io": {"store", "operations", "outputs", "report", "excel", "cli"},
    "store": {"operations", "outputs", "report", "excel", "cli", "io.writer"},
    "outputs": {"operations", "report", "excel", "cli"},
    "report": {"operations", "excel", "cli"},
    "operations": {"excel", "cli"},
    "excel": {"cli"},
    "sample": {"operations", "outputs", "report", "excel", "cli"},
}


def _parse(path: Path) -> tuple[str, ast.AST, list[ast.AST]]:
    """``path``'s text, syntax tree and its nodes in ``ast.walk`` order: parsed and walked once per process for each
    version of the file (the tests below look at every module six times)."""
    stat = path.stat()
    return _parsed(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=None)
def _parsed(path: Path, mtime_ns: int, size: int) -> tuple[str, ast.AST, list[ast.AST]]:
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    return text, tree, list(ast.walk(tree))


def _targets(path: Path, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The toolkit modules one import statement of ``path`` imports, as dotted names below ``toolkit`` (relative
    imports resolved; ``from package import name`` is the submodule when ``name`` is one, else the package)."""
    package = path.relative_to(PACKAGE.parent).parent.parts  # a module's package; an __init__'s own
    if isinstance(node, ast.Import):
        targets = [a.name for a in node.names]
    else:
        if node.level:
            name = ".".join(list(package[: len(package) - node.level + 1]) + ([node.module] if node.module else []))
        else:
            name = node.module or ""
        targets = []
        for a in node.names:
            sub = PACKAGE.parent.joinpath(*f"{name}.{a.name}".split("."))
            targets.append(f"{name}.{a.name}" if sub.with_suffix(".py").exists() or (sub / "__init__.py").exists()
                           else name)
    return {t.removeprefix("toolkit").lstrip(".") for t in targets if t == "toolkit" or t.startswith("toolkit.")}


def _imports(path: Path) -> set[str]:
    """The toolkit modules ``path`` imports anywhere (at its top or inside a function)."""
    out: set[str] = set()
    for node in _parse(path)[2]:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out |= _targets(path, node)
    return out


def _runtime_imports(path: Path) -> set[str]:
    """``_imports`` less those under ``if TYPE_CHECKING:`` (type hints only: they run nothing, so make no cycle)."""
    nodes = _parse(path)[2]
    typing_only = {id(n) for block in nodes if isinstance(block, ast.If)
                   and getattr(block.test, "id", getattr(block.test, "attr", None)) == "TYPE_CHECKING"
                   for n in ast.walk(block)}
    out: set[str] = set()
    for node in nodes:
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in typing_only:
            out |= _targets(path, node)
    return out


def _module(path: Path) -> str:
    """``path``'s dotted name below ``toolkit`` (a package is its ``__init__``)."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _function_imports(path: Path) -> list[tuple[int, str]]:
    """(line, statement) of every import inside a function of ``path`` that has no comment saying why: on its
    line(s) or on the line above."""
    text, _, nodes = _parse(path)
    lines = text.splitlines()
    out = []
    for func in nodes:
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(func):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                text = "\n".join(lines[node.lineno - 1: node.end_lineno])
                above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
                if "#" not in text and not above.startswith("#"):
                    out.append((node.lineno, text.strip()))
    return sorted(set(out))


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of ``graph`` (its strongly connected components of more than one module, or a module
    importing itself), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph.get(v, ()):
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def test_the_walk_sees_relative_and_absolute_imports() -> None:
    assert {"outputs", "store", "core.periods"} <= _imports(PACKAGE / "operations" / "close_month.py")
    assert {"operations.consolidate.results"} <= _imports(PACKAGE / "operations" / "consolidate" / "__init__.py")
    assert "cli.main" in _imports(PACKAGE / "cli" / "commands" / "compute.py")
    assert "store.connect" in _imports(PACKAGE / "store" / "ledger.py")


def test_the_walk_sees_imports_inside_functions(tmp_path: Path) -> None:
    """A function-level import counts for the layers and the cycles, and one without a comment is reported."""
    (tmp_path / "toolkit" / "core").mkdir(parents=True)
    module = tmp_path / "toolkit" / "core" / "x.py"
    module.write_text("import os\n\n\ndef f():\n    from ..report import render\n    import json  # why: none\n"
                      "    return render, json\n", encoding="utf-8")
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path / "toolkit"
    try:
        assert _imports(module) == {"report"}
        assert _function_imports(module) == [(5, "from ..report import render")]
    finally:
        PACKAGE = saved
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_layer_above_it(path: Path) -> None:
    if path.parent == PACKAGE:  # top-level modules: i18n, errors, money, __main__ (which starts the CLI)
        forbidden = {"io", "store", "operations", "outputs", "report", "excel"} | (
            set() if path.name == "__main__.py" else {"cli"})
    else:
        forbidden = FORBIDDEN.get(path.relative_to(PACKAGE).parts[0], set())
    bad = sorted(i for i in _imports(path) if any(i == f or i.startswith(f + ".") for f in forbidden))
    assert not bad, f"{path.relative_to(PACKAGE)} imports {bad}"


def test_no_import_cycle() -> None:
    """No module imports itself through others, counting the imports inside functions (a cycle works only by the
    order modules happen to be imported in)."""
    graph = {_module(p): {t for t in _runtime_imports(p) if t} for p in MODULES}
    assert not _cycles(graph)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_inside_functions_say_why(path: Path) -> None:
    """Imports sit at module top, so the graph is visible; one inside a function carries a comment giving the
    reason (a slow package only one path needs, an ImportError guard, a platform)."""
    assert not _function_imports(path), f"{path.relative_to(PACKAGE)}: move to the top or say why: {_function_imports(path)}"
# --------------------------------------------------------------------------- one way in (issue 21, item 1)

#: The one module that reads the standards workbook or opens the history store (DESIGN "One way in").
SOURCE_MODULE = PACKAGE / "operations" / "source.py"
#: What opens the store or loads a ledger from it: only the source module (and the store package) import these.
STORE_OPENERS = {"open_store", "load_ledger_from_store", "SQLiteStore"}
#: The faces: they build a Source and call operations; they never import the store.
FACES = ("cli", "excel")


def _nodes(path: Path) -> list[ast.AST]:
    return _parse(path)[2]


def _store_openers_imported(path: Path) -> set[str]:
    """The store-opening names ``path`` imports from ``toolkit.store`` (at any depth, relative or absolute)."""
    out: set[str] = set()
    for node in _nodes(path):
        if isinstance(node, ast.ImportFrom) and "store" in (node.module or "").split("."):
            out |= {a.name for a in node.names if a.name in STORE_OPENERS}
    return out


def _standards_reads(path: Path) -> list[int]:
    """Lines where ``path`` reads a workbook as the standards: ``read_file(x, "standards")`` or
    ``read_workbook(x, kind="standards")`` (or positional)."""
    lines = []
    for node in _nodes(path):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in ("read_file", "read_workbook"):
                continue
            args = [*node.args[1:2], *(k.value for k in node.keywords if k.arg == "kind")]
            if any(isinstance(a, ast.Constant) and a.value == "standards" for a in args):
                lines.append(node.lineno)
    return lines


def _option_declarations(path: Path, flag: str) -> list[int]:
    """Lines where ``path`` declares the click option ``flag`` (a ``click.option("--db", ...)`` call)."""
    lines = []
    for node in _nodes(path):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "option":
            if any(isinstance(a, ast.Constant) and a.value == flag for a in node.args):
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_source_module_opens_the_store_or_reads_the_standards(path: Path) -> None:
    rel = path.relative_to(PACKAGE)
    if path == SOURCE_MODULE or rel.parts[0] == "store":
        return
    assert not _store_openers_imported(path), f"{rel} opens the store: use operations.source.Source"
    assert not _standards_reads(path), f"{rel} reads the standards at lines {_standards_reads(path)}: use Source"


@pytest.mark.parametrize("path", [p for p in MODULES if p.relative_to(PACKAGE).parts[0] in FACES],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_faces_do_not_import_the_store(path: Path) -> None:
    bad = sorted(i for i in _imports(path) if i == "store" or i.startswith("store."))
    assert not bad, f"{path.relative_to(PACKAGE)} imports {bad}: a face builds a Source"


#: Options spelled like a source's that are not one: ``addin build --standards`` writes a path into the add-in's
#: settings sheet (for the user's machine; it is never read here).
NOT_A_SOURCE = {("--standards", "cli/commands/addin.py")}


def test_db_and_standards_are_declared_once() -> None:
    for flag in ("--db", "--standards"):
        where = {str(p.relative_to(PACKAGE)): _option_declarations(p, flag) for p in MODULES}
        declared = {p: lines for p, lines in where.items() if lines and (flag, p) not in NOT_A_SOURCE}
        assert set(declared) == {"cli/output.py"} and len(declared["cli/output.py"]) == 1, f"{flag}: {declared}"


def test_the_checks_see_what_they_forbid(tmp_path: Path) -> None:
    """The three detectors flag a store opened, a standards read and a --db option written anywhere else."""
    bad = tmp_path / "bad.py"
    bad.write_text("import click\nfrom ..store import open_store\nfrom .validate import read_file\n"
                   "def f(p):\n    return read_file(p, 'standards')\n"
                   "def g(p):\n    return read_workbook(p, kind='standards')\n"
                   "opt = click.option('--db', default=None)\n", encoding="utf-8")
    assert _store_openers_imported(bad) == {"open_store"}
    assert _standards_reads(bad) == [5, 7]
    assert _option_declarations(bad, "--db") == [8]
