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
    ap.add_argument("--no-formats", action="store_true", help="skip the .xls/.ods and formula-engine measurements")
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
    if not args.no_formats:
        formats(folder, min(args.rows, 60_000), args.repeat)


def _read_rate(path: Path, repeat: int) -> tuple[float, int]:
    """(median seconds of ``read_workbook``, typed cells) of one file."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        data = read_workbook(path)
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), sum(len(f) * (f.shape[1] - 1) for f in data.tables.values())


def formats(folder: Path, rows: int, repeat: int) -> None:
    """Issue 14: the same department as .xlsx, .xls and .ods (saved by LibreOffice), read per cell; and the cost of
    computing formulas saved without values (the ``formulas`` engine) on a department-sized file."""
    import shutil
    import subprocess

    import openpyxl

    exe = shutil.which("soffice")
    if exe is None:
        print("formats: soffice not found, skipped")
        return
    xlsx = write_department(folder / "formats.xlsx", rows)
    for fmt in ("xls", "ods"):
        with tempfile.TemporaryDirectory() as profile:
            subprocess.run([exe, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
                            "--convert-to", fmt, "--outdir", str(folder), str(xlsx)], check=True, capture_output=True)
    base_s, cells = _read_rate(xlsx, repeat)
    print(f"formats ({rows:,} expense rows, {cells:,} cells): .xlsx {cells / base_s / 1e6:.2f} M cells/s")
    for fmt in ("xls", "ods"):
        secs, n = _read_rate(folder / f"formats.{fmt}", repeat)
        print(f"  .{fmt}: {n / secs / 1e6:.2f} M cells/s; time per cell .{fmt} / .xlsx: "
              f"{(secs / n) / (base_s / cells):.2f}  (aim for .xls <= 2)")
    small = write_department(folder / "formulas.xlsx", 2_000)
    plain_s, n = _read_rate(small, repeat)
    wb = openpyxl.load_workbook(small)
    ws = wb[DEPARTMENT.table("Expenses").sheet.en]
    amount = next(c.column for c in ws[1] if c.value == "Amount")
    letter = openpyxl.utils.get_column_letter(amount)
    for r in range(2, 202):  # 200 claims whose amount is a formula saved without its value
        ws.cell(r, amount).value = f"=ROUND({ws.cell(r, amount).value!r}*1,2)"
    wb.save(folder / "formulas-no-values.xlsx")
    eval_s, _ = _read_rate(folder / "formulas-no-values.xlsx", repeat)
    print(f"formulas without values ({n:,} cells, 200 formulas in column {letter}): read {plain_s:.3f} s without them, "
          f"{eval_s:.3f} s computing them (+{eval_s - plain_s:.3f} s, only for files that have them)")


if __name__ == "__main__":
    main()
