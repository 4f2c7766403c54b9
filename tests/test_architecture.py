"""The layers import downwards only (docs/architecture.md): checked on every module's import statements."""

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


def _imports(path: Path) -> set[str]:
    """The toolkit modules ``path`` imports, as dotted names below ``toolkit`` (relative imports resolved)."""
    package = path.relative_to(PACKAGE.parent).parent.parts  # a module's package; an __init__'s own
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("toolkit")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                name = ".".join(base + ([node.module] if node.module else []))
                targets = [name] if node.module else [f"{name}.{a.name}" for a in node.names]
            else:
                targets = [node.module or ""]
            out |= {t for t in targets if t.startswith("toolkit")}
    return {t.removeprefix("toolkit").lstrip(".") for t in out}


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def test_the_walk_sees_relative_and_absolute_imports() -> None:
    assert {"outputs", "store", "core.periods"} <= _imports(PACKAGE / "operations" / "close_month.py")
    assert {"operations.consolidate.results"} <= _imports(PACKAGE / "operations" / "consolidate" / "__init__.py")
    assert "cli.main" in _imports(PACKAGE / "cli" / "commands" / "compute.py")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_layer_above_it(path: Path) -> None:
    if path.parent == PACKAGE:  # top-level modules: i18n, errors, money, __main__ (which starts the CLI)
        forbidden = {"io", "store", "operations", "outputs", "report", "excel"} | (
            set() if path.name == "__main__.py" else {"cli"})
    else:
        forbidden = FORBIDDEN.get(path.relative_to(PACKAGE).parts[0], set())
    bad = sorted(i for i in _imports(path) if any(i == f or i.startswith(f + ".") for f in forbidden))
    assert not bad, f"{path.relative_to(PACKAGE)} imports {bad}"
