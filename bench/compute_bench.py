"""Benchmark: computing everything vs reading the same data (issue 4, "Done when").

Builds a seeded synthetic company (500 employees in 10 departments, 200,000 ledger rows: contracts,
receipts and expense claims over two years), writes it once to department workbooks with
``toolkit.io.writer.write_frames``, reads them back with ``toolkit.io.reader.read_workbook`` and
times the computations on the ledger read. Aim: computing takes no longer than reading.

    /work/venv/bin/python bench/compute_bench.py [--employees 500] [--rows 200000] [--dir DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.core import completion, forecast, funds
from toolkit.core.tables import WorkbookData
from toolkit.core.ledger import Ledger
from toolkit.io.reader import read_workbook
from toolkit.io.writer import SheetFrame, write_frames
from toolkit.schema import DEPARTMENT, MONTH_KEYS, STANDARDS
from toolkit.schema import enums as E

YEAR, PERIOD = 2025, "2025-09"
DEPARTMENTS = 10
LINES = ["PL-A", "PL-B", "PL-C", "PL-D"]


def build(employees: int, rows: int, seed: int = 7) -> tuple[dict[str, dict[str, pd.DataFrame]], WorkbookData]:
    """Department frames (by department name, table key → frame of column keys) and the standards."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"E{i:04d}" for i in range(employees)])
    dept_of = np.array([f"D{i % DEPARTMENTS:02d}" for i in range(employees)])
    n_con, n_col = int(rows * 0.3), int(rows * 0.5)
    n_exp = rows - n_con - n_col
    start = pd.Timestamp(YEAR - 1, 1, 1)
    span = (pd.Timestamp(PERIOD) + pd.offsets.MonthEnd(0) - start).days

    owner = rng.integers(0, employees, n_con)
    split = rng.random(n_con) < 0.1
    partner = (owner + 1) % employees
    con = pd.DataFrame({
        "contract_no": [f"C{i:07d}" for i in range(n_con)],
        "sign_date": start + pd.to_timedelta(rng.integers(0, span, n_con), unit="D"),
        "customer": [f"Customer {i % 997}" for i in range(n_con)],
        "employee_id": ids[owner],
        "product_line": np.array(LINES)[rng.integers(0, len(LINES), n_con)],
        "amount": np.round(rng.uniform(1000, 100000, n_con), 2),
        "status": np.array(list(E.CONTRACT_STATUS.values))[rng.integers(0, 4, n_con)],
        "payment_terms": rng.choice([30, 60, 90], n_con),
        "split_employee_id": np.where(split, ids[partner], None),
        "split_share": np.where(split, 0.3, np.nan),
        "_dept": dept_of[owner],
    })
    con["delivered"] = np.round(con["amount"] * rng.uniform(0, 1, n_con), 2)
    pick = rng.integers(0, n_con, n_col)
    col = pd.DataFrame({
        "receipt_no": [f"R{i:07d}" for i in range(n_col)],
        "receipt_date": con["sign_date"].to_numpy()[pick] + pd.to_timedelta(rng.integers(0, 200, n_col), unit="D"),
        "contract_no": con["contract_no"].to_numpy()[pick],
        "amount": np.round(con["amount"].to_numpy()[pick] * rng.uniform(-0.05, 0.3, n_col), 2),
        "method": "Bank Transfer",
        "_dept": con["_dept"].to_numpy()[pick],
    })
    col["receipt_date"] = col["receipt_date"].clip(upper=pd.Timestamp(PERIOD) + pd.offsets.MonthEnd(0))
    claimant = rng.integers(0, employees, n_exp)
    exp = pd.DataFrame({
        "claim_no": [f"X{i:07d}" for i in range(n_exp)],
        "date": start + pd.to_timedelta(rng.integers(0, span, n_exp), unit="D"),
        "employee_id": ids[claimant],
        "category": np.array(list(E.EXPENSE_CATEGORY.values))[rng.integers(0, 8, n_exp)],
        "city": "Shanghai",
        "days": 1,
        "amount": np.round(rng.uniform(50, 3000, n_exp), 2),
        "approval": np.array(list(E.APPROVAL.values))[rng.integers(0, 3, n_exp)],
        "_dept": dept_of[claimant],
    })
    plan = pd.DataFrame({"employee_id": np.repeat(ids, 4), "indicator": np.tile(list(E.INDICATOR.values), employees),
                         "_dept": np.repeat(dept_of, 4)})
    base = np.tile([600000.0, 500000.0, 20000.0, 100000.0], employees)
    for k in MONTH_KEYS:
        plan[k] = base
    plan["annual"] = base * 12
    months = pd.period_range(pd.Period(PERIOD) + 1, periods=3, freq="M").to_timestamp()
    depts = sorted(set(dept_of))
    fc = pd.DataFrame({"month": np.tile(months, len(depts)), "expected_collections": 1e6,
                       "expected_spending": 2e5, "_dept": np.repeat(depts, len(months))})

    books = {d: {} for d in depts}
    for key, frame in (("Plan", plan), ("Contracts", con), ("Collections", col), ("Expenses", exp),
                       ("Forecast", fc)):
        for d, part in frame.groupby("_dept"):
            books[d][key] = part.drop(columns="_dept").reset_index(drop=True)

    roster = pd.DataFrame({"employee_id": ids, "name": [f"Name {i}" for i in range(employees)], "department": dept_of,
                           "role": "Salesperson", "grade": "G2", "royalty_plan": np.where(np.arange(employees) % 2,
                                                                                          "Marginal", "Retro")})
    standards = WorkbookData("standards.xlsx", "standards", tables={
        "Roster": roster,
        "RoyaltyPlans": pd.DataFrame({"plan": ["Marginal", "Retro"], "basis": ["Collected", "Signed"],
                                      "method": ["Marginal", "Retroactive"], "gate": [0.5, 0.0],
                                      "annual_cap": [200000.0, np.nan]}),
        "RoyaltyTiers": pd.DataFrame({"plan": ["Marginal"] * 2 + ["Retro"] * 2, "from_pct": [0, 1.0, 0, 1.0],
                                      "to_pct": [1.0, np.nan, 1.0, np.nan], "rate": [0.01, 0.02, 0.01, 0.015]}),
        "ProductLines": pd.DataFrame({"product_line": LINES, "royalty_factor": [1.0, 0.8, 1.2, 1.0],
                                      "gross_margin": [0.3, 0.25, 0.4, 0.2]}),
    })
    for key, frame in standards.tables.items():  # typed like the reader: every column present
        for c in STANDARDS.table(key).keys:
            if c not in frame:
                frame[c] = np.nan
    return books, standards


def write(books: dict[str, dict[str, pd.DataFrame]], folder: Path) -> list[Path]:
    """Each department's tables as one workbook (headers = English labels), via write_frames."""
    paths = []
    for dept, tables in books.items():
        info = pd.DataFrame({"Field": [f.label.en for f in DEPARTMENT.info],
                             "Value": [dept, str(YEAR), PERIOD, "bench", "1"]})
        sheets = [SheetFrame(DEPARTMENT.info_sheet.en, info, {"Value": "text"})]
        for key, frame in tables.items():
            table = DEPARTMENT.table(key)
            out = frame.reindex(columns=table.keys).rename(columns={c.key: c.label.en for c in table.columns})
            kinds = {c.label.en: c.type.value for c in table.columns}
            sheets.append(SheetFrame(table.sheet.en, out, kinds, table_name=table.key))
        paths.append(write_frames(folder / f"{dept}.xlsx", sheets))
    return paths


def compute_all(ledger: Ledger) -> dict[str, float]:
    """Run every computation once; seconds per step."""
    times = {}
    t0 = time.perf_counter()
    payments = completion.royalty_payments(ledger, PERIOD)
    times["royalties (Jan..p payments)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    completion.compute_completion(ledger, PERIOD, payments)
    times["completion"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    funds.compute_funds(ledger, PERIOD, payments)
    times["funds"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    forecast.compute_forecast(ledger, PERIOD)
    times["forecast"] = time.perf_counter() - t0
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=500)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--dir", type=Path, default=None, help="keep the workbooks here (default: a temp folder)")
    args = parser.parse_args()

    books, standards = build(args.employees, args.rows)
    n = sum(len(f) for t in books.values() for k, f in t.items() if k in ("Contracts", "Collections", "Expenses"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        paths = write(books, folder)
        print(f"wrote {len(paths)} workbooks, {n:,} ledger rows, {args.employees} employees "
              f"in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        read = [read_workbook(p, kind="department") for p in paths]
        read_s = time.perf_counter() - t0
    ledger = Ledger.from_workbooks(read, standards)
    rows = sum(len(ledger.tables[k]) for k in ("Contracts", "Collections", "Expenses"))
    assert rows == n, (rows, n)
    times = compute_all(ledger)
    compute_s = sum(times.values())
    print(f"read    {read_s:7.2f} s")
    for name, secs in times.items():
        print(f"  {name:<28} {secs:7.2f} s")
    print(f"compute {compute_s:7.2f} s  ({compute_s / read_s:.2f} x reading) -> "
          f"{'OK' if compute_s <= read_s else 'SLOWER THAN READING'}")


if __name__ == "__main__":
    main()
