"""Issue 14's corpus (tests/habits_corpus.py): every workbook as people keep it reads to the same figures as the
clean workbook, or is stopped by an error-severity finding that names the place and says what to change —
never different figures with only warnings or nothing."""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from habits_corpus import (HABITS, QUIET, Case, _digits, _load, build_case, clean_workbooks, hidden_voided_rows,
                           names)
from xlsx_parts import _canonical as canonical_part
from toolkit.core.completion import compute_completion
from toolkit.core.departments import department_key
from toolkit.core.ledger import roster_departments
from toolkit.core.royalties import compute_royalties
from toolkit.core.tables import WorkbookData
from toolkit.core.ledger import Ledger
from toolkit.io.reader import read_workbook
from toolkit.schema import DEPARTMENT, SCHEMAS
from toolkit.operations.validate import check_data

PERIOD = "2026-10"


@pytest.fixture(scope="module")
def clean_paths(tmp_path_factory) -> dict[tuple[str, str], Path]:
    return clean_workbooks(tmp_path_factory.mktemp("clean"))


def _tables(data: WorkbookData, drop: dict[str, list[str]] | None = None) -> dict[str, pd.DataFrame]:
    """The schema columns of every table, without the row numbers (rows move when people add a title) and without
    the columns ``drop`` names (absent from the variant: not computable, compared nowhere)."""
    schema = SCHEMAS[data.kind]
    drop = drop or {}
    return {t.key: data.tables[t.key][[k for k in t.keys if k not in drop.get(t.key, ())]].reset_index(drop=True)
            for t in schema.tables}


def _missing(data: WorkbookData) -> dict[str, list[str]]:
    return {k: layout.missing for k, layout in data.layout.items() if layout.missing}


def _keyed(dept: WorkbookData, std: WorkbookData) -> WorkbookData:
    """The department under its one key (``department_key``), as the ledger loader and consolidation use it."""
    dept.info["department"] = department_key(dept.info.get("department"), roster_departments(std)).key
    return dept


def figures(dept: WorkbookData, std: WorkbookData, drop: dict[str, list[str]] | None = None) -> dict[str, pd.DataFrame]:
    """What the toolkit computes from one department: its typed tables, the royalties and the completion."""
    ledger = Ledger.from_workbooks([_keyed(dept, std)], std)
    royalties = compute_royalties(ledger, PERIOD).lines
    out = {f"table:{k}": v for k, v in _tables(dept, drop).items()}
    out["royalties"] = royalties[["employee_id", "department", "ytd_base", "ytd_royalty", "payment"]]
    out["completion"] = compute_completion(ledger, PERIOD)
    return out


def _same(got: dict[str, pd.DataFrame], want: dict[str, pd.DataFrame]) -> None:
    assert got.keys() == want.keys()
    for key in want:
        pd.testing.assert_frame_equal(got[key], want[key], check_exact=False, rtol=1e-12, obj=key)


_CLEAN_FIGURES: dict[tuple, dict[str, pd.DataFrame]] = {}


def _clean_figures(dept: WorkbookData, std: WorkbookData, drop: dict[str, list[str]]) -> dict[str, pd.DataFrame]:
    """``figures`` of a clean pair, computed once per pair and dropped columns."""
    key = (dept.path, std.path, tuple(sorted((k, tuple(v)) for k, v in drop.items())))
    if key not in _CLEAN_FIGURES:
        _CLEAN_FIGURES[key] = figures(copy.deepcopy(dept), std, drop)
    return _CLEAN_FIGURES[key]


def _outcome(case: Case, clean: dict[Path, WorkbookData], data: WorkbookData) -> tuple[list, dict, dict, set]:
    """(error findings, the case's figures, the clean figures, every finding's code) — figures only when nothing
    stops the file; ``data`` is the case's workbook as read (read once: its findings are checked again by the caller)."""
    if case.kind == "department":
        std = clean[Path(str(case.clean).replace("department", "standards"))]
        if case.standards is not None:  # a pair habit: its own standards, the clean figures with IDs as digits
            own = read_workbook(case.standards)
            found = check_data(data, own, PERIOD).findings  # read and checked once: the errors and every code
            errors = [f for f in found if f.severity == "error"]
            figured = figures(data, own, _missing(data)) if not errors else {}
            return errors, figured, _as_digits(_clean_figures(clean[case.clean], std, {})), {f.code for f in found}
        findings = check_data(data, std, PERIOD).findings
        errors = [f for f in findings if f.severity == "error"]
        drop = _missing(data)
        for key, cols in drop.items():  # an absent column a computation needs: flagged, warned, never zero
            assert not any(data.layout[key].computable(c) for c in cols)
            assert data.tables[key].attrs["missing_columns"] == tuple(cols)
            needed = [c for c in cols if DEPARTMENT.table(key).column(c).needed_for is not None]
            warned = {f.column for f in findings if f.code == "column-missing-needed"}
            assert {DEPARTMENT.table(key).column(c).header(data.lang) for c in needed} <= warned
        return (errors, (figures(data, std, drop) if not errors else {}), _clean_figures(clean[case.clean], std, drop),
                {f.code for f in findings})
    dept = copy.deepcopy(clean[Path(str(case.clean).replace("standards", "department"))])
    findings = check_data(data, None, PERIOD).findings
    errors = [f for f in findings if f.severity == "error"]
    got = {} if errors else {**figures(dept, data), **{f"std:{k}": v for k, v in _tables(data).items()}}
    want = {**_clean_figures(dept, clean[case.clean], {}), **{f"std:{k}": v for k, v in _tables(clean[case.clean]).items()}}
    return errors, got, want, {f.code for f in findings}


def _as_digits(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Royalties and completion with every employee ID written as its digits (a pair habit's Roster keeps numbers)."""
    out = {}
    for name in ("royalties", "completion"):
        frame = frames[name].copy()
        col = "employee_id" if name == "royalties" else "key"
        rows = slice(None) if name == "royalties" else frame["level"] == "employee"
        frame.loc[rows, col] = frame.loc[rows, col].map(_digits)
        out[name] = frame
    return out


CASES = names()


@pytest.fixture(scope="module")
def clean(clean_paths: dict) -> dict[Path, WorkbookData]:
    return {p: read_workbook(p) for p in clean_paths.values()}


def test_corpus_covers_every_habit_in_both_languages() -> None:
    assert {h for h, _ in CASES} >= set(HABITS) and len(CASES) == 2 * len({h for h, _ in CASES})


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_habit_edits_a_copy_that_saves_as_the_loaded_workbook(clean_paths: dict, lang: str, tmp_path: Path) -> None:
    """``build_case`` edits a copy of the clean workbook parsed once (``_load``): saved, it is the workbook that
    ``load_workbook`` would have given, part for part (its tables, hidden rows, styles), but for the save time."""
    base = clean_paths[("department", lang)]
    for name, wb in (("loaded", openpyxl.load_workbook(base)), ("copy", _load(base)), ("again", _load(base))):
        hidden_voided_rows(wb, lang)
        wb.save(tmp_path / f"{name}.xlsx")
    loaded, copy_, again = (_raw_parts(tmp_path / f"{n}.xlsx") for n in ("loaded", "copy", "again"))
    for parts in (loaded, copy_, again):
        parts.pop("docProps/core.xml")  # the time of saving
    assert any(name.startswith("xl/tables/") for name in loaded)  # the sheets not pasted keep their tables
    assert _same_parts(copy_, loaded) and _same_parts(again, loaded)  # the second copy is not the first, edited


def _raw_parts(path: Path) -> dict[str, bytes]:
    """Each part of the xlsx at ``path`` as stored."""
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in sorted(zf.namelist())}


def _same_parts(got: dict[str, bytes], want: dict[str, bytes]) -> bool:
    """The same parts, each the same bytes or (when the bytes differ) the same XML in canonical form
    (``xlsx_parts.zip_parts``' comparison; canonicalising only the parts that differ, since the three workbooks
    are written by one openpyxl, most parts are byte-equal and their canonical forms need not be computed)."""
    return got.keys() == want.keys() and all(
        got[name] == want[name] or canonical_part(name, got[name]) == canonical_part(name, want[name])
        for name in want)


@pytest.mark.parametrize("habit, lang", CASES, ids=[f"{h}-{lang}" for h, lang in CASES])
def test_habit_reads_the_same_or_is_stopped_with_what_to_change(clean_paths: dict, clean: dict, habit: str,
                                                                 lang: str, tmp_path: Path) -> None:
    case = build_case(habit, lang, clean_paths, tmp_path)
    if case is None:
        pytest.skip("LibreOffice (soffice) is needed to save the other formats")
    data = read_workbook(case.path)
    traces = list(data.findings)  # before the checks below add theirs
    errors, got, want, codes = _outcome(case, clean, data)
    for f in traces:  # every trace renders in both languages
        assert f.message("en") and f.message("zh")
    label = f"{case.habit} ({case.lang}): {case.path.name}"
    if case.expect == "same":
        assert not errors, f"{label}: {[f.message() for f in errors][:3]}"
        _same(got, want)
    elif case.expect.startswith("figures:"):  # the same figures, read with an info; keys stay as typed in the tables
        assert not errors, f"{label}: {[f.message() for f in errors][:3]}"
        assert case.expect.removeprefix("figures:") in codes, f"{label}: {sorted(codes)}"
        if case.standards is not None:
            got = {k: v for k, v in got.items() if k in want}
        _same({k: v for k, v in got.items() if ":" not in k}, {k: v for k, v in want.items() if ":" not in k})
    else:
        assert errors, f"{label} must be stopped"
        assert case.expect in {f.code for f in errors}, f"{label}: {[f.code for f in errors]}"
        if case.habit in QUIET:  # issue 22: one finding stops it, not one per cell
            assert len(errors) == 1, f"{label}: {[f.code for f in errors]}"
        for f in errors:  # every stop names its place, in both languages
            for text in (f.message("en"), f.message("zh")):
                assert (f.sheet or "") in text and (f.cell or "") in text, text
