"""One label table for every output (toolkit/outputs/labels.py): no other module keeps its own."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from output_books import book
from toolkit.outputs import approval_queue as Q
from toolkit.outputs import labels as L
from toolkit.outputs import plan as P
from toolkit.report import context as C

PACKAGE = Path(__file__).resolve().parent.parent / "toolkit"


def _label_tables(path: Path) -> list[str]:
    """Module-level ``*LABELS`` dicts of ``path`` holding (English, Chinese) pairs: label tables (message tables such
    as the report's TEXT are i18n messages, not labels)."""
    out = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        target = node.targets[0] if isinstance(node, ast.Assign) else node.target if isinstance(node, ast.AnnAssign) \
            else None
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        pairs = [v for v in value.values if isinstance(v, ast.Tuple) and len(v.elts) == 2 and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in v.elts)] if isinstance(value, ast.Dict) \
            else []
        if isinstance(target, ast.Name) and target.id.endswith("LABELS") and len(pairs) >= 5:
            out.append(target.id)
    return out


def test_the_only_label_table_is_outputs_labels() -> None:
    found = {str(p.relative_to(PACKAGE)): _label_tables(p) for p in PACKAGE.rglob("*.py")}
    assert {k: v for k, v in found.items() if v} == {"outputs/labels.py": ["LABELS"]}


def test_every_face_reads_the_one_table() -> None:
    """The report, the plan and the approval queue take their words from it (the report's own words are keys of
    their own, so the other outputs keep theirs)."""
    assert C.label("month_actual", "en") == L.LABELS["this_month"][0] != L.label("month_actual", "en")
    assert C.label("mase", "zh") == L.LABELS["mase_explained"][1]
    assert C.label("capped", "en") == L.label("note.capped", "en")
    assert C.label("green", "en") == L.LABELS["rag.green"][0] == L.label("green", "en") == "Green"  # never raw
    assert P.label("level", "zh") == L.LABELS["plan.level"][1]
    assert Q.label("Forward", "en") == L.LABELS["queue.Forward"][0]
    assert L.label("value", "en") == Q.label("value", "en") == C.label("value", "en")


def test_a_label_resolves_in_a_fresh_process_whatever_was_imported_first() -> None:
    """Each module that asks for a ``label.*`` text imports the table that registers it, so a library caller that
    imports only that module (the plan draft, the report's filters) gets the word, not a KeyError."""
    code = ("import sys\nmod, calls = sys.argv[1], sys.argv[2:]\nimport importlib\nm = importlib.import_module(mod)\n"
            "for call in calls:\n    print(eval(call, vars(m)))\n")
    for mod, calls, expected in [  # one fresh process per module imported first, asked for each of its words
        ("toolkit.outputs.plan", ["label('sheet.company', 'en')", "label('sheet.company', 'zh')"],
         list(L.LABELS["plan.sheet.company"])),
        ("toolkit.report.filters", ["rag('green', 'zh')"], [L.LABELS["rag.green"][1]]),
    ]:
        done = subprocess.run([sys.executable, "-c", code, mod, *calls], capture_output=True, text=True,
                              cwd=PACKAGE.parent)
        assert done.returncode == 0, done.stderr[-500:]
        assert done.stdout.splitlines() == expected


def test_only_modules_importing_the_table_ask_for_label_keys() -> None:
    """``t("label.…")`` needs the label table registered: a module calling it without importing
    ``outputs.labels`` works only after some other module did (the plan draft raised KeyError in a fresh
    process)."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if ('t("label.' in text or 't(f"label.' in text) and path.name != "labels.py" and not any(
                s in text for s in ("from .labels import", "from ..outputs.labels import", "outputs import labels",
                                    "from ...outputs.labels import")):
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_no_output_workbook_of_the_close_has_a_raw_key_for_a_header(closed_sample) -> None:
    """Every table header of the close's workbooks is a label, never a field name (the appraisal terms' mean
    review score was headed ``review``)."""
    _res, folder = closed_sample
    raw = {}
    for path in sorted((folder / "out").glob("*.xlsx")):
        if "report" in path.name:  # the report's sheets start with a title block; its own test walks them
            continue
        wb = book(path)  # the close's outputs, read once per content (tests/output_books.py)
        for ws in wb:
            header = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
            found = [v for v in header if isinstance(v, str) and re.fullmatch(r"[a-z][a-z0-9_]*", v)]
            if found:
                raw[f"{path.name}:{ws.title}"] = found
    assert raw == {}
    wb = book(folder / "out" / "salary-2026-10.xlsx")
    terms = wb[wb.sheetnames[1]]
    col = [c.value for c in terms[1]].index(L.LABELS["cand.review"][0]) + 1
    assert {terms.cell(r, col).number_format for r in range(2, terms.max_row + 1)
            if isinstance(terms.cell(r, col).value, (int, float))} == {"0.00"}
    # a "ratio" column (the completion's pacing) is written as numbers, not as their text
    wb = book(folder / "out" / "completion-2026-10.xlsx")
    ws = wb[wb.sheetnames[0]]
    header = [c.value for c in ws[1]]
    col = next(i for i, h in enumerate(header, 1) if h and str(h).startswith(L.label("pacing", "en")))
    cells = [ws.cell(r, col) for r in range(2, ws.max_row + 1) if ws.cell(r, col).value is not None]
    assert cells and all(isinstance(c.value, (int, float)) and c.number_format == "0.00" for c in cells)
