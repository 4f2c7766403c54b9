"""The rules' numpy screens and fast paths never change a finding: seeded random damage to the sample
workbooks' typed frames is validated with the screens on and off (``context.SCREENS``), and both runs
must report exactly the same findings. A screen that wrongly returns [] shows up as a missed finding."""

from __future__ import annotations

import copy
from collections import Counter
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest

from people_year import Company
from toolkit.core.validation import CODES, context
from toolkit.io.reader import read_workbook
from toolkit.operations.validate import check_data
from toolkit.schema import MONTH_KEYS

# The seeds of seeds 0-75 that reach, between them, every line and branch of toolkit/core/validation, and every
# (rule code, column) of a finding, that all 76 reach — a greedy cover found by the script at the end of this file
# (session 21; 75 is the first to reach advance-over-limit on the regenerated sample of issue 23). Lines and branches
# alone were not enough: a leave-days screen off by one day was caught by seeds 1, 60, 64 and 70 only, none of which
# the 12 seeds covering lines, branches and codes held. Rerun the script when a rule, a screen or the sample changes.
SEEDS = (0, 3, 5, 7, 11, 16, 19, 20, 23, 27, 28, 35, 39, 41, 43, 46, 47, 51, 56, 63, 65, 67, 70, 71, 75)
RATES = (0.003, 0.02, 0.06, 0.2)  # share of the cells of each column damaged
PERIODS = (None, "2026-10", "2026-03", "2027-01")
PEOPLE_PERIOD = "2026-10"
# the people cases: of seeds 0-11 (which reach every people code the test asserts), those reaching every line and
# branch of core/validation and every (code, column) of a finding the twelve reach (SEEDS' greedy cover on this
# test's cases, session 21)
PEOPLE_SEEDS = (1, 2, 3, 4, 6, 7, 8, 9)


@pytest.fixture(scope="module")
def books(sample_dir):
    depts = [read_workbook(p) for p in sorted(sample_dir.glob("dept-*.xlsx"))]
    return depts, read_workbook(sample_dir / "standards.xlsx", kind="standards")


@contextmanager
def _screens(on: bool):
    """Validation inside the block runs with the rules' screens on or off."""
    saved = context.SCREENS
    context.SCREENS = on
    try:
        yield
    finally:
        context.SCREENS = saved


def _damage_value(v, dtype, rng: np.random.Generator, op: int):
    """One cell's damaged value (op 0 blank and op 1 copy are done by the caller)."""
    if v is None or pd.isna(v):
        return v
    if pd.api.types.is_datetime64_any_dtype(dtype):
        days = int(rng.integers(-40, 41)) if rng.random() < 0.5 else int(rng.integers(-1200, 1201))
        return v + pd.Timedelta(days=days)
    if pd.api.types.is_bool_dtype(dtype):
        return not v
    if pd.api.types.is_numeric_dtype(dtype):
        v = [-v, v * 3, v + 0.004, v * 0.5, 0][op - 2]
        return round(v) if pd.api.types.is_integer_dtype(dtype) else v
    if isinstance(v, str):
        if rng.random() < 0.2:
            return "1001.0"  # an id written as a float
        return [v.upper() + " ", "  ", v + ".0", " " + v.lower(), v.strip()][op - 2]
    return v


_OPS = (0, 1, 1, 1, 2, 3, 4, 5, 6, 7)  # 0 blank, 1 copy from another row, 2-6 vary, 7 copy from another column


def _damage(frame: pd.DataFrame, rng: np.random.Generator, rate: float, only: set | None = None) -> pd.DataFrame:
    """A copy of ``frame`` with about ``rate`` of each column's cells (of the columns ``only``, default all)
    blanked, copied from another row (as is or varied) or from a like column of the row (an ``..._id`` from
    another ``..._id``), re-cased/padded ('1001.0'-style ids too), negated/scaled, or shifted in time; dtypes kept."""
    given, frame = frame, frame.copy()
    n = len(frame)
    original: dict[str, list] = {}  # a column's cells as given (before this call's damage), listed on first need
    dtypes = frame.dtypes  # one Series of the dtypes for the frame (the damage keeps every column's dtype)
    for col in frame.columns:
        if col == "_row" or n == 0 or (only is not None and col not in only):
            continue
        k = rng.binomial(n, rate) + int(rng.random() < 0.5)  # small tables (Forecast: 3 rows) get some too
        if k == 0:
            continue
        s = frame[col]
        vals = s.tolist()
        alike = [c for c in frame.columns if c not in (col, "_row") and dtypes[c] == s.dtype]
        alike = [c for c in alike if c.rsplit("_", 1)[-1] == col.rsplit("_", 1)[-1]] or alike
        for i in rng.choice(n, size=k, replace=True).tolist():
            op = _OPS[int(rng.integers(0, len(_OPS)))]  # rng.choice(_OPS)'s draw (the same numbers), 70x cheaper
            if op == 0:
                vals[i] = None
            elif op == 1:  # a copy, half the time varied (the same key in another case, '1001' as '1001.0'...)
                vals[i] = vals[int(rng.integers(0, n))]
                if rng.random() < 0.5:
                    vals[i] = _damage_value(vals[i], s.dtype, rng, int(rng.integers(2, 7)))
            elif op == 7:
                other = alike[int(rng.integers(0, len(alike)))] if alike else None
                if other is not None and other not in original:
                    original[other] = given[other].tolist()
                vals[i] = original[other][i] if other is not None else None
            else:
                vals[i] = _damage_value(vals[i], s.dtype, rng, op)
        new = pd.Series(vals, index=frame.index)
        frame[col] = pd.to_datetime(new).astype(s.dtype) if pd.api.types.is_datetime64_any_dtype(s.dtype) \
            else new.astype(s.dtype)
    return frame


def _case(books, seed: int):
    """(department, standards, period) of one seeded case: odd seeds damage every column, even
    ones a few columns only (so one kind of offence is not hidden behind another that opens the same screen)."""
    depts, std = books
    rng = np.random.default_rng(seed)
    data = copy.copy(depts[seed // 2 % len(depts)])
    # the Budget sheet (issue 28) is damaged on its own stream, so the other sheets' damage is what it was before
    budget, own = data.tables.get("Budget"), np.random.default_rng([seed, 28])
    tables = {k: v for k, v in data.tables.items() if k != "Budget"}
    if seed % 2:
        rate = RATES[seed // 2 % len(RATES)]
        data.tables = {k: _damage(v, rng, rate) for k, v in tables.items()}
    else:
        columns = [(k, c) for k, v in tables.items() for c in v.columns if c != "_row"]
        picked = {columns[i] for i in rng.choice(len(columns), size=int(rng.integers(1, 4)), replace=False)}
        rate = RATES[1 + seed // 2 % (len(RATES) - 1)]
        data.tables = {k: _damage(v, rng, rate, {c for t, c in picked if t == k}) for k, v in tables.items()}
    if budget is not None:
        only = None if seed % 2 else {str(own.choice([c for c in budget.columns if c != "_row"]))}
        data.tables["Budget"] = _damage(budget, own, rate, only) if seed % 2 or own.random() < 0.3 else budget
    if rng.random() < 0.2:
        data.info = {**data.info, "period": None}  # with no period argument either: period-missing
    other = None
    if rng.random() < 0.2:  # the Info department as people write it: a near miss, not a Roster department, or
        name = str(data.info.get("department") or "")  # its other-language name (issue 22)
        written = [f"{name} Region", "Head Office", f"{name} 别名"][int(rng.integers(0, 3))]
        other = (name, written) if written.endswith("别名") else None
        data.info = {**data.info, "department": written}
    standards = copy.copy(std)
    if rng.random() < 0.5:
        # the sample's blank Valid From columns (issue 23) are left alone: the damage reaches the cells it reached
        # before they existed, and so every rule below (tests/test_people.py breaks Valid From)
        # nor are its people over time (Start and Leave Dates, Roster Changes): tests/test_people.py breaks them
        standards.tables = {k: v if k in ("Thresholds", "RosterChanges") else
                            _damage(v, rng, 0.05, set(v.columns) - {"valid_from", "start_date", "leave_date"})
                            for k, v in std.tables.items()}
    if other is not None:
        roster = standards.tables["Roster"]
        standards.tables = {**standards.tables, "Roster": roster.assign(
            department_other=roster["department"].map({other[0]: other[1]}).astype("str"))}
    if rng.random() < 0.1:
        standards = None
    return data, standards, PERIODS[int(rng.integers(0, len(PERIODS)))]


def _findings(data, standards, period, screens: bool) -> list[tuple]:
    with _screens(screens):
        found = check_data(data, standards, period).findings
    return [(f.code, f.sheet, f.cell, f.row, f.column, f.value, f.severity,
             sorted((k, repr(v), type(v).__name__) for k, v in f.params.items())) for f in found]


def test_screens_are_active_on_the_sample(books):
    """The screens run at all on these frames (else the comparison below would compare pandas with pandas)."""
    depts, std = books
    ctx = context.Context.build(depts[0], std, None)
    assert ctx.text("Expenses", "employee_id") is not None
    assert ctx.text("Roster", "employee_id", std=True) is not None
    with _screens(False):
        assert ctx.text("Expenses", "employee_id") is None


def test_screens_give_the_findings_of_the_pandas_code(books):
    codes: Counter = Counter()
    for seed in SEEDS:
        data, standards, period = _case(books, seed)
        runs = [(data, standards, period)]
        if standards is not None and seed % 7 == 0:
            runs.append((standards, standards, period))  # the standards workbook itself (schema rules)
        for args in runs:
            fast, reference = _findings(*args, screens=True), _findings(*args, screens=False)
            missed = [f for f in reference if f not in fast]
            extra = [f for f in fast if f not in reference]
            assert fast == reference, f"seed {seed}: missed {missed[:3]}, extra {extra[:3]}"
            codes.update(f[0] for f in reference if f[0] in CODES)  # the rules' codes, not the reader's
    # The damage reaches every rule, so equal findings mean something: a screen that always returned []
    # would lose its rule's code. (A new rule needs damage that reaches it, or a seed that does.)
    # Not reached by damaging the sample, and screened by no fast path: the people rules (issue 23: the damage leaves
    # the sample's Roster Changes, Start and Leave Dates alone) and the adjustment of a closed period (raised at the
    # close, with the store); tests/test_people.py and tests/test_finance.py raise them.
    unscreened = {"adjustment-period-closed", "dated-after-leaving", "leave-before-start", "roster-change-conflict",
                  "roster-change-out-of-year", "roster-change-outside-employment", "target-after-leaving",
                  "target-before-start", "plan-not-in-force",
                  # Valid From (the sample's versions are all blank): tests/test_valid_from.py
                  "valid-from-out-of-year", "version-gap", "version-grade-renamed"}
    wanted = set(CODES) - unscreened
    assert len(codes) >= 25 and set(codes) >= wanted, f"never found: {sorted(wanted - set(codes))}"


def test_people_screens_give_the_findings_of_the_pandas_code(tmp_path):
    """The people rules' screens (rows dated after leaving, Plan targets outside employment) on people_year's
    company, whose Roster has Start and Leave Dates (the sample's damage above leaves those alone): its West
    department and standards with employee IDs, dates and Plan months damaged, validated with the screens on and
    off, must report the same findings — and the damage must reach every one of those rules."""
    folder = Company.build().write(tmp_path, PEOPLE_PERIOD)
    std = read_workbook(folder / "standards.xlsx", "standards")
    west = read_workbook(folder / "dept-west.xlsx", "department")
    dated = {"employee_id", "sign_date", "date", "start", *MONTH_KEYS}
    codes: Counter = Counter()
    for seed in PEOPLE_SEEDS:
        rng = np.random.default_rng(seed)
        data, standards = copy.copy(west), copy.copy(std)
        data.tables = {k: _damage(v, rng, 0.05, dated) for k, v in west.tables.items()}
        standards.tables = {**std.tables, "Roster": _damage(std.tables["Roster"], rng, 0.2,
                                                            {"employee_id", "start_date", "leave_date"})}
        fast, reference = (_findings(data, standards, PEOPLE_PERIOD, screens=s) for s in (True, False))
        assert fast == reference, f"seed {seed}: missed {[f for f in reference if f not in fast][:3]}"
        codes.update(f[0] for f in reference)
        # the standards themselves, their Roster Changes followed by a damaged copy (changes that may contradict)
        changes = std.tables["RosterChanges"]
        again = _damage(changes, rng, 0.3).assign(_row=changes["_row"] + len(changes))
        standards.tables = {**standards.tables, "RosterChanges": pd.concat([changes, again], ignore_index=True)}
        fast, reference = (_findings(standards, None, PEOPLE_PERIOD, screens=s) for s in (True, False))
        assert fast == reference, f"seed {seed}: missed {[f for f in reference if f not in fast][:3]}"
        codes.update(f[0] for f in reference)
    assert {"dated-after-leaving", "target-before-start", "target-after-leaving", "roster-change-conflict",
            "roster-change-outside-employment"} <= set(codes), codes


def test_thresholds_read_from_lists_are_the_pandas_ones(books):
    """``Context.build`` reads the Thresholds sheet from two lists with the screens on: the same thresholds as the
    pandas code on the sample's sheet and on damaged copies (blank names and values, names repeated)."""
    std = books[1]
    for seed in range(20):
        standards = copy.copy(std)
        if seed:
            th = std.tables["Thresholds"]
            standards.tables = {**std.tables, "Thresholds": _damage(th, np.random.default_rng(seed), 0.2)}
        got = context.Context.build(books[0][0], standards, "2026-10").thresholds
        with _screens(False):
            want = context.Context.build(books[0][0], standards, "2026-10").thresholds
        assert got == want and list(got) == list(want), seed
        assert all(type(v) is float for v in got.values())


# How SEEDS was picked (run from the checkout with coverage.py on the path; ~1 min of CPU). Each seed's reach: the
# lines and arcs of core/validation its runs (screens on and off) execute, and the (code, column) of each finding:
#
#   import coverage, sys; sys.path.insert(0, "tests"); from pathlib import Path
#   import test_validation_screens as t; from toolkit.io.reader import read_workbook
#   sample = Path("workbooks/sample")
#   books = [read_workbook(p) for p in sorted(sample.glob("dept-*.xlsx"))], \
#       read_workbook(sample / "standards.xlsx", kind="standards")
#   cov = coverage.Coverage(branch=True, source=["toolkit/core/validation"], data_file=None)
#   reach = {}
#   cov.start()
#   for seed in range(76):
#       cov.switch_context(f"s{seed}")
#       data, standards, period = t._case(books, seed)
#       runs = [(data, standards, period)] + ([(standards, standards, period)]
#                                              if standards is not None and seed % 7 == 0 else [])
#       reach[seed] = {("kind", f[0], f[4]) for args in runs for on in (True, False)
#                      for f in t._findings(*args, screens=on)}
#   cov.stop()
#   d = cov.get_data()
#   for fn in d.measured_files():
#       for s in reach:
#           d.set_query_contexts([f"^s{s}$"])
#           reach[s] |= {(fn, "L", n) for n in d.lines(fn) or []} | {(fn, "A", a) for a in d.arcs(fn) or []}
#   left, chosen = set().union(*reach.values()), []
#   while left:
#       best = max(sorted(reach), key=lambda s: len(reach[s] & left))
#       chosen.append(best)
#       left -= reach[best]
#   print(sorted(chosen))
#
# PEOPLE_SEEDS: the same on test_people_screens_give_the_findings_of_the_pandas_code's cases, seeds 0-11.
