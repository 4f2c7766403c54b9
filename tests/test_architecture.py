"""The layers import downwards only, without a cycle, and imports sit at module top (docs/architecture.md): checked on
every module's import statements, those inside functions included."""

from __future__ import annotations

import ast
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
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out |= _targets(path, node)
    return out


def _module(path: Path) -> str:
    """``path``'s dotted name below ``toolkit`` (a package is its ``__init__``)."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _function_imports(path: Path) -> list[tuple[int, str]]:
    """(line, statement) of every import inside a function of ``path`` that has no comment saying why: on its
    line(s) or on the line above."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []
    for func in ast.walk(ast.parse("\n".join(lines))):
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
    graph = {_module(p): {t for t in _imports(p) if t} for p in MODULES}
    assert not _cycles(graph)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_inside_functions_say_why(path: Path) -> None:
    """Imports sit at module top, so the graph is visible; one inside a function carries a comment giving the
    reason (a slow package only one path needs, an ImportError guard, a platform)."""
    assert not _function_imports(path), f"{path.relative_to(PACKAGE)}: move to the top or say why: {_function_imports(path)}"
