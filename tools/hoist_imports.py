"""Move function-level imports to module top (issue 21), for redoing the pure import commit after a merge.

Run from the repository root: ``python tools/hoist_imports.py . --apply`` (without --apply it only reports). It hoists
every import inside a function unless it already has a comment, is an ImportError guard, is a slow package
(HEAVY) the module does not already load, or would make a module load a slow package (SLOW) it did not load before
(the CLI starts without matplotlib, jinja2, xlwings); those get a comment saying why. It reports import cycles the
hoisting would create (break them by moving code, then run again). Check afterwards that every module imports on its
own and that tests/test_architecture.py passes.
"""
from __future__ import annotations
import ast, sys, re
from pathlib import Path

ROOT = Path(sys.argv[1]) if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else Path.cwd()
PKG = ROOT / "toolkit"
APPLY = "--apply" in sys.argv

HEAVY = {  # external packages slow to import and needed on one path only
    "xlwings": "xlwings is slow to import and needs Excel; only the live-Excel path uses it",
    "statsmodels": "statsmodels is slow to import; only this forecast method uses it",
    "matplotlib": "matplotlib is slow to import; only the charts need it",
    "formulas": "the formula engine is slow to import; only files with formulas saved without values need it",
    "schedula": "the formula engine is slow to import; only files with formulas saved without values need it",
    "msoffcrypto": "only encrypted files need it",
    "olefile": "only legacy OLE files need it",
    "jinja2": "jinja2 is needed by the renderers only",
    "tqdm": "only a terminal shows a progress bar",
    "resource": "Unix only",
}

GUARD = {"toolkit": "guarded import: completion works without the royalties module (no royalty cost in Profit)",
         "numpy": "guarded with the formula engine below: without it formulas stay uncomputed",
         "schedula": "deferred, guarded: the formula engine is slow to import; only formulas saved without values need it",
         "formulas": "deferred, guarded: the formula engine is slow to import; only formulas saved without values need it",
         "statsmodels": "deferred, guarded: statsmodels is slow to import; only this forecast method uses it"}

def modname(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)

def package_of(path: Path) -> list[str]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return parts[:-1]

def resolve(path: Path, node: ast.ImportFrom | ast.Import) -> list[str]:
    """Toolkit modules the statement imports (submodules resolved)."""
    out = []
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "toolkit"]
    if node.level:
        base = package_of(path)[: len(package_of(path)) - node.level + 1]
        mod = ".".join(base + ([node.module] if node.module else []))
    else:
        mod = node.module or ""
    if not mod.startswith("toolkit"):
        return []
    for a in node.names:
        sub = mod + "." + a.name
        p = ROOT / Path(*sub.split("."))
        if p.with_suffix(".py").exists() or (p / "__init__.py").exists():
            out.append(sub)
        else:
            out.append(mod)
    return out

def top_name(node) -> str:
    if isinstance(node, ast.Import):
        return node.names[0].name.split(".")[0]
    if node.level:
        return "toolkit"
    return (node.module or "").split(".")[0]

def inner_imports(tree):
    """(import node, function node, parent body, enclosing try?) for imports inside functions."""
    out = []
    def visit(node, func, in_try):
        for field, value in ast.iter_fields(node):
            if isinstance(value, list):
                for child in value:
                    if isinstance(child, ast.AST):
                        handle(child, func, in_try, value)
            elif isinstance(value, ast.AST):
                handle(value, func, in_try, None)
    def handle(child, func, in_try, body):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            visit(child, child, False)
        elif isinstance(child, (ast.Import, ast.ImportFrom)) and func is not None:
            out.append((child, func, body, in_try))
        else:
            visit(child, func, in_try or (isinstance(child, ast.Try) and any('ImportError' in ast.unparse(h.type or ast.Name('x')) for h in child.handlers)))
    visit(tree, None, False)
    return out

def bound(node) -> list[tuple[str, str]]:
    """(name bound, what it is) for an import statement."""
    res = []
    for a in node.names:
        if isinstance(node, ast.Import):
            res.append(((a.asname or a.name.split(".")[0]), a.name if a.asname else a.name.split(".")[0]))
        else:
            res.append((a.asname or a.name, f"{'.' * node.level}{node.module or ''}:{a.name}"))
    return res

def module_bindings(tree) -> dict[str, str]:
    names = {}
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for n, what in bound(node):
                names[n] = what
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            names[node.name] = "def"
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        names[n.id] = "assign"
        elif isinstance(node, ast.If):  # TYPE_CHECKING blocks
            for sub in node.body:
                if isinstance(sub, (ast.Import, ast.ImportFrom)):
                    for n, what in bound(sub):
                        names.setdefault(n, "tc:" + what)
    return names

files = sorted(PKG.rglob("*.py"))
plan = {}  # path -> list of (node, action, reason)
top_edges = {}
new_edges = {}
for p in files:
    src = p.read_text(encoding="utf-8")
    tree = ast.parse(src)
    lines = src.splitlines()
    m = modname(p)
    top_edges[m] = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            top_edges[m] |= set(resolve(p, node))
    names = module_bindings(tree)
    items = []
    for node, func, body, in_try in inner_imports(tree):
        line = lines[node.lineno - 1]
        prev = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
        commented = "#" in "".join(lines[node.lineno - 1: node.end_lineno]) or prev.startswith("#")
        tn = top_name(node)
        if commented:
            items.append((node, "keep", "commented")); continue
        if in_try:
            items.append((node, "comment", GUARD.get(tn, "guarded import: the caller copes without it"))); continue
        if tn in HEAVY:
            items.append((node, "heavy", HEAVY[tn])); continue
        conflict = []
        for n, what in bound(node):
            have = names.get(n)
            if have is not None and have != what and not have.startswith("tc:"):
                conflict.append(f"{n}: top {have} vs {what}")
        if conflict:
            items.append((node, "conflict", "; ".join(conflict))); continue
        items.append((node, "hoist", ""))
        new_edges.setdefault(m, set()).update(resolve(p, node))
    plan[p] = items

def sccs(graph):
    index, low, stack, on, out, i = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)
    def strong(v):
        index[v] = low[v] = i[0]; i[0] += 1; stack.append(v); on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strong(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1: out.append(comp)
    for v in list(graph):
        if v not in index: strong(v)
    return out

base_cycles = sccs(top_edges)
print("cycles among top-level imports today:", base_cycles)
print({k: len([i for i in v if i[1] == 'hoist']) for k, v in plan.items() if v})
for p, items in plan.items():
    for node, action, reason in items:
        if action in ("conflict", "keep"):
            print(action, p, node.lineno, reason)

graph = {m: set(e) for m, e in top_edges.items()}
for m, e in new_edges.items():
    graph[m] |= e
cyc = sccs(graph)
print("cycles after hoisting:", cyc)

PULLED = {}
SLOW = {'matplotlib', 'jinja2', 'xlwings', 'statsmodels', 'formulas', 'schedula'}
new_edges_removed = set()
# which modules already pull each heavy package at import time (static, after hoisting)
ext_top = {}
for p in files:
    tree = ast.parse(p.read_text(encoding="utf-8"))
    m = modname(p)
    ext_top[m] = {top_name(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)) and top_name(n) != "toolkit"}
def closure(m, seen=None):
    seen = seen if seen is not None else set()
    for w in graph.get(m, ()):
        if w not in seen:
            seen.add(w); closure(w, seen)
    # parent packages run too
    return seen
for m in sorted(ext_top):
    reach = closure(m) | {m}
    pulled = set().union(*(ext_top.get(r, set()) for r in reach))
    heavy = pulled & set(HEAVY)
    PULLED[m] = pulled

# ---- decide cycle-breaking: un-hoist new edges that lie in a cycle ----
cyc_nodes = {n for comp in cyc for n in comp}
def fmt_from(level, module, names, indent=""):
    head = f"from {'.' * level}{module or ''} import "
    parts = [a if not b else f"{a} as {b}" for a, b in names]
    line = head + ", ".join(parts)
    if len(line) <= 120:
        return [line]
    out, cur = [head + "("], "    "
    for i, p in enumerate(parts):
        piece = p + ("," if i < len(parts) - 1 else "")
        if len(cur) + len(piece) + 1 > 116:
            out.append(cur.rstrip()); cur = "    "
        cur += piece + " "
    out.append(cur.rstrip()); out.append(")")
    return out

def sort_lines(lines_):
    """Sort statements (a parenthesised one stays whole) by their text."""
    stmts, cur = [], []
    for ln in lines_:
        cur.append(ln)
        if not ln.endswith("(") and (ln == ")" or not cur[0].endswith("(")):
            stmts.append(cur); cur = []
    stmts.sort(key=lambda st: st[0].replace("from .", "from ~").lower())
    return [ln for st in stmts for ln in st]

def is_toolkit(node):
    return top_name(node) == "toolkit"

report = []
for p, items in plan.items():
    if not items:
        continue
    src = p.read_text(encoding="utf-8")
    tree = ast.parse(src)
    lines = src.splitlines()
    m = modname(p)
    remove = set()
    blank_after = set()
    comments = {}
    add_from: dict[tuple[int, str], list[tuple[str, str | None]]] = {}
    add_plain: list[str] = []
    for node, action, reason in items:
        if action == "hoist" and set(resolve(p, node)) & cyc_nodes and m in cyc_nodes:
            action, reason = "comment", "CYCLE"
        if action == "hoist" and is_toolkit(node):
            reach = set()
            for tgt in resolve(p, node):
                reach |= closure(tgt) | {tgt}
            slow = set().union(*(ext_top.get(r, set()) for r in reach)) & SLOW
            orig = set()
            for tgt in top_edges[m]:
                orig |= closure(tgt) | {tgt}
            slow -= set().union(*(ext_top.get(r, set()) for r in orig | {m}))
            if slow:
                action, reason = "comment", f"deferred: loads {', '.join(sorted(slow))} (slow to import); only this path needs it"
                new_edges_removed.add((m, node.lineno))
        if action == "heavy":
            action = "hoist" if top_name(node) in PULLED.get(m, ()) else "comment"
        if action == "hoist":
            remove.update(range(node.lineno, node.end_lineno + 1))
            nxt = node.end_lineno + 1
            while nxt in remove:
                nxt += 1
            if nxt <= len(lines) and not lines[nxt - 1].strip():
                blank_after.add(nxt)
            if isinstance(node, ast.ImportFrom):
                key = (node.level, node.module or "")
                for a in node.names:
                    if (a.name, a.asname) not in add_from.setdefault(key, []):
                        add_from[key].append((a.name, a.asname))
            else:
                s = ast.unparse(node)
                if s not in add_plain:
                    add_plain.append(s)
        elif action == "comment":
            comments[node.end_lineno] = reason
            report.append(f"comment {p}:{node.lineno} {reason}")
        elif action == "keep":
            report.append(f"keep {p}:{node.lineno} {reason}")
    for b in blank_after:
        # drop the blank line that separated a removed import from the code, unless the line before is blank too
        prev = b - 1
        while prev in remove:
            prev -= 1
        remove.add(b)
    # existing top-level imports
    tops = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    existing = {}
    for n in tops:
        if isinstance(n, ast.ImportFrom) and n.module != "__future__":
            existing.setdefault((n.level, n.module or ""), n)
    replace = {}  # lineno range start -> (end, new lines)
    new_ext, new_int = [], []
    for s in add_plain:
        if s in {ast.unparse(n) for n in tops}:
            continue
        (new_int if s.startswith("import toolkit") else new_ext).append(s)
    for key, names in add_from.items():
        have = existing.get(key)
        if have is not None:
            cur = [(a.name, a.asname) for a in have.names]
            merged = cur + [nm for nm in names if nm not in cur]
            if merged != cur:
                replace[have.lineno] = (have.end_lineno, fmt_from(key[0], key[1], merged))
        else:
            target = new_int if key[0] or key[1].startswith("toolkit") else new_ext
            target.extend(fmt_from(key[0], key[1], names))
    def sort_key(line):
        return line
    new_ext = sort_lines(new_ext)
    new_int = sort_lines(new_int)
    # where to insert
    first_def = next((n.lineno for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom, ast.Expr))), len(lines) + 1)
    before = [n for n in tops if n.lineno < first_def]
    ext_before = [n for n in before if not (isinstance(n, ast.ImportFrom) and (n.level or (n.module or "").startswith("toolkit"))) and not (isinstance(n, ast.Import) and n.names[0].name.startswith("toolkit"))]
    if before:
        int_after = before[-1].end_lineno
        ext_after = ext_before[-1].end_lineno if ext_before else int_after
    else:
        doc = tree.body[0] if tree.body and isinstance(tree.body[0], ast.Expr) else None
        int_after = ext_after = doc.end_lineno if doc else 0
    out = []
    i = 1
    while i <= len(lines):
        if i in replace:
            end, new = replace[i]
            out.extend(new)
            i = end + 1
            if i - 1 == ext_after: out.extend(new_ext)
            if i - 1 == int_after: out.extend(new_int)
            continue
        if i not in remove:
            line = lines[i - 1]
            if i in comments:
                line = line + "  # " + (comments[i] if comments[i].startswith(("deferred", "guarded")) else "deferred: " + comments[i])
            out.append(line)
        if i == ext_after:
            if ext_after == 0: pass
            out.extend(new_ext)
        if i == int_after and int_after != ext_after:
            out.extend(new_int)
        elif i == int_after:
            out.extend(new_int)
        i += 1
    if int_after == 0:
        out = new_ext + new_int + out
    text = "\n".join(out) + ("\n" if src.endswith("\n") else "")
    try:
        ast.parse(text)
    except SyntaxError as e:
        report.append(f"SYNTAX {p}: {e}")
        continue
    if APPLY:
        p.write_text(text, encoding="utf-8")
print("\n".join(report))

