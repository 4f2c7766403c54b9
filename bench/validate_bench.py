"""Benchmark: validation rules vs reading (issue 3, "Done when").

Writes a department workbook with 100,000 expense rows (plus the small clean sheets of the test
factory) and its standards, reads it with ``toolkit.io.reader.read_workbook`` and runs
``toolkit.core.validation.validate`` on what was read, in one run. Prints cells checked per second
and the ratio rule time / read time (aim: ≤ 1).

    /work/venv/bin/python bench/validate_bench.py [--rows 100000] [--repeat 3] [--dir DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import validation_factory as F  # noqa: E402

from toolkit.core.validation import validate  # noqa: E402
from toolkit.io.reader import read_workbook  # noqa: E402
from toolkit.io.writer import SheetFrame, write_frames  # noqa: E402
from toolkit.schema import DEPARTMENT  # noqa: E402
from toolkit.schema import enums as E  # noqa: E402


def expenses(rows: int, seed: int = 3) -> pd.DataFrame:
    """Seeded claims over Jan-Mar 2026 by the roster's East employees: a realistic share of problems
    (weekend dates, amounts over the policy, missing receipts, a few duplicates)."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 90, rows), unit="D")
    cats = np.array(list(E.EXPENSE_CATEGORY.values))
    frame = pd.DataFrame({
        "claim_no": [f"X{i:07d}" for i in range(rows)],
        "date": days,
        "employee_id": rng.choice(["E001", "E002", "E003"], rows),
        "category": rng.choice(cats, rows),
        "city": rng.choice(["Shanghai", "Hangzhou", "Yiwu"], rows),
        "days": rng.integers(1, 4, rows),
        "amount": np.round(rng.lognormal(5, 0.8, rows), 2),
        "receipt": rng.random(rows) < 0.9,
        "description": "bench",
        "approval": rng.choice(["Approved", "Pending", "Rejected"], rows, p=[0.8, 0.15, 0.05]),
        "approver": "E003",
    })
    dup = rng.choice(rows, rows // 1000, replace=False)
    frame.loc[dup[1:], ["employee_id", "date", "category", "amount"]] = frame.loc[dup[:-1], [
        "employee_id", "date", "category", "amount"]].to_numpy()
    return frame


def write_department(path: Path, rows: int) -> Path:
    info = pd.DataFrame({"Field": [f.label.en for f in DEPARTMENT.info],
                         "Value": [F.DEPT, str(F.YEAR), F.PERIOD, "bench", "1.0"]})
    sheets = [SheetFrame(DEPARTMENT.info_sheet.en, info, {"Value": "text"})]
    tables = {k: pd.DataFrame(v) for k, v in F.department_rows().items()}
    tables["Expenses"] = expenses(rows)
    for key, frame in tables.items():
        table = DEPARTMENT.table(key)
        out = frame.reindex(columns=table.keys).rename(columns={c.key: c.label.en for c in table.columns})
        sheets.append(SheetFrame(table.sheet.en, out, {c.label.en: c.type.value for c in table.columns},
                                 table_name=table.key))
    return write_frames(path, sheets)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs; the medians are reported")
    ap.add_argument("--dir", type=Path, default=None)
    args = ap.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="validate-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    dept_path = write_department(folder / "east.xlsx", args.rows)
    std_path = F.write_book(folder / "standards.xlsx", "standards", F.standards_rows(), {"template_version": "1.0"})
    print(f"wrote {dept_path} ({dept_path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s")
    standards = read_workbook(std_path)

    reads, rules = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        dept = read_workbook(dept_path)
        t1 = time.perf_counter()
        findings = validate(dept, standards)
        t2 = time.perf_counter()
        reads.append(t1 - t0)
        rules.append(t2 - t1)
    read_s, rule_s = float(np.median(reads)), float(np.median(rules))
    cells = sum(len(f) * (f.shape[1] - 1) for f in dept.tables.values())
    print(f"rows: {sum(len(f) for f in dept.tables.values()):,}  cells checked: {cells:,}")
    print(f"read:  {read_s:.3f} s  ({cells / read_s / 1e6:.2f} M cells/s)")
    print(f"rules: {rule_s:.3f} s  ({cells / rule_s / 1e6:.2f} M cells/s)")
    print(f"rule time / read time: {rule_s / read_s:.2f}  (aim <= 1)")
    print("findings:", dict(Counter(f.code for f in findings).most_common()))


if __name__ == "__main__":
    main()
