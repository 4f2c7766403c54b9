"""Benchmark: ``toolkit analysis --months 24`` for 200 departments over 24 months (issue 27, "Done when": ≤ 10 s
on 2 cores).

Builds a seeded synthetic company in memory (200 departments × 6 salespeople, 10 contracts a month per
department over Nov 2024 - Oct 2026 with their receipts, 40 customers and 30 opportunities per department,
feedback), typed as the reader types it, and times the analysis end to end on the ledger: the computation
(``core.analysis``), then the statistics workbook, the HTML page and the JSON. Reading the workbooks or the
store is the consolidation's and the store's cost (their own benchmarks), not the analysis'.

    python bench/analysis_bench.py [--departments 200] [--months 24] [--dir DIR]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.core.analysis import compute_analysis
from toolkit.core.ledger import Ledger, empty_frame
from toolkit.core.tables import WorkbookData
from toolkit.operations.analysis import analyse_ledger
from toolkit.schema import DEPARTMENT, DTYPES, MONTH_KEYS, STANDARDS

PERIOD = "2026-10"
LINES = ["PL-A", "PL-B", "PL-C", "PL-D", "PL-E"]
STAGES = ["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]


def typed(key: str, frame: pd.DataFrame, kind: str = "department") -> pd.DataFrame:
    """``frame`` with the schema's columns and dtypes (missing columns blank), as the reader returns it."""
    schema = DEPARTMENT if kind == "department" else STANDARDS
    table = schema.table(key)
    out = empty_frame(table, ("department", "source") if kind == "department" else ()).iloc[0:0]
    cols = {}
    n = len(frame)
    for col in table.columns:
        values = frame[col.key] if col.key in frame else pd.Series([None] * n)
        cols[col.key] = pd.Series(values.to_numpy(), dtype=DTYPES[col.type]) if n else out[col.key]
    cols["_row"] = pd.Series(np.arange(2, n + 2), dtype="Int64")
    for extra in ("department", "source"):
        if extra in frame:
            cols[extra] = pd.Series(frame[extra].to_numpy(), dtype="str")
    return pd.DataFrame(cols)


def build(departments: int, months: int, seed: int = 27) -> Ledger:
    """The synthetic company as a Ledger."""
    rng = np.random.default_rng(seed)
    end = pd.Period(PERIOD, "M")
    first = end - (months - 1)
    per_dept = 10 * months
    n = departments * per_dept
    dept = np.repeat([f"D{i:03d}" for i in range(departments)], per_dept)
    month_start = pd.period_range(first, end, freq="M").to_timestamp().to_numpy()
    sign = pd.to_datetime(month_start[np.tile(np.repeat(np.arange(months), 10), departments)]) + \
        pd.to_timedelta(rng.integers(0, 28, n), unit="D")
    emp = np.char.add(np.char.add("E", np.char.mod("%03d", np.repeat(np.arange(departments), per_dept))),
                      rng.integers(1, 7, n).astype(str))
    amount = np.round(rng.uniform(50_000, 2_000_000, n), -2)
    terms = rng.choice([30, 60, 90], n)
    status = rng.choice(["Signed", "Executing", "Completed", "Terminated"], n, p=[0.1, 0.2, 0.66, 0.04])
    delivered = np.round(amount * np.where(status == "Completed", 1.0, rng.uniform(0, 0.8, n)), 2)
    customer = np.char.add(np.char.add(dept.astype(str), " customer "), rng.integers(0, 40, n).astype(str))
    con = pd.DataFrame({"contract_no": [f"C{i:07d}" for i in range(n)], "sign_date": sign, "customer": customer,
                        "employee_id": emp, "product_line": rng.choice(LINES, n), "amount": amount, "status": status,
                        "delivered": delivered, "payment_terms": terms, "department": dept, "source": dept})
    # receipts: an advance on half, the rest around the due date, 0-120 days late
    adv = rng.random(n) < 0.5
    rest_day = sign + pd.to_timedelta(terms + rng.integers(0, 120, n), unit="D")
    rc = pd.concat([
        pd.DataFrame({"contract_no": con["contract_no"][adv], "receipt_date": sign[adv], "amount": amount[adv] * 0.3,
                      "department": dept[adv]}),
        pd.DataFrame({"contract_no": con["contract_no"], "receipt_date": rest_day,
                      "amount": np.where(adv, delivered - amount * 0.3, delivered).clip(0), "department": dept}),
    ], ignore_index=True)
    rc = rc[rc["receipt_date"] <= end.end_time].reset_index(drop=True)
    rc["receipt_no"] = [f"R{i:08d}" for i in range(len(rc))]
    rc["source"] = rc["department"]
    k = departments * 30
    opp = pd.DataFrame({"opportunity_no": [f"O{i:06d}" for i in range(k)],
                        "customer": np.char.add("Prospect ", rng.integers(0, 5000, k).astype(str)),
                        "product_line": rng.choice(LINES, k), "route": rng.choice(["Direct", "Bid", "Distributor"], k),
                        "stage": rng.choice(STAGES, k), "expected_amount": np.round(rng.uniform(1e5, 3e6, k), -3),
                        "expected_close": pd.to_datetime([(end + int(x)).to_timestamp()
                                                          for x in rng.integers(-3, 6, k)]),
                        "employee_id": "E0001", "lost_reason": "Price",
                        "department": np.repeat([f"D{i:03d}" for i in range(departments)], 30)})
    opp["source"] = opp["department"]
    f = departments * 20
    fb = pd.DataFrame({"date": pd.to_datetime(month_start[rng.integers(0, months, f)]),
                       "customer": "X", "product_line": rng.choice(LINES, f),
                       "type": rng.choice(["Complaint", "Suggestion", "Competitor", "Market"], f),
                       "content": "text", "owner": "Someone", "status": rng.choice(["Open", "Closed"], f),
                       "department": np.repeat([f"D{i:03d}" for i in range(departments)], 20)})
    fb["source"] = fb["department"]
    people = [f"E{d:03d}{s}" for d in range(departments) for s in range(1, 7)]
    plan = pd.DataFrame({"employee_id": people, "indicator": "Signing",
                         **{m: 1_000_000.0 for m in MONTH_KEYS}, "annual": 12_000_000.0,
                         "department": [f"D{d:03d}" for d in range(departments) for _ in range(6)]})
    plan["source"] = plan["department"]
    tables = {"Contracts": typed("Contracts", con), "Collections": typed("Collections", rc),
              "Opportunities": typed("Opportunities", opp), "Feedback": typed("Feedback", fb),
              "Plan": typed("Plan", plan)}
    roster = pd.DataFrame({"employee_id": people, "name": people, "role": "Salesperson",
                           "department": [p[1:4] for p in people]})
    lines = pd.DataFrame({"product_line": LINES, "royalty_factor": 1.0, "gross_margin": [0.2, 0.3, 0.4, 0.5, 0.6]})
    std = WorkbookData(path="standards.xlsx", kind="standards",
                       tables={"Roster": typed("Roster", roster, "standards"),
                               "ProductLines": typed("ProductLines", lines, "standards")})
    return Ledger(tables, std)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--departments", type=int, default=200)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--dir", type=Path, default=None)
    args = ap.parse_args()
    t0 = time.perf_counter()
    ledger = build(args.departments, args.months)
    t1 = time.perf_counter()
    rows = sum(len(f) for f in ledger.tables.values())
    print(f"synthetic ledger: {args.departments} departments x {args.months} months, {rows:,} rows "
          f"({len(ledger.tables['Contracts']):,} contracts) built in {t1 - t0:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        out = args.dir or Path(tmp)
        t4, c4 = time.perf_counter(), time.process_time()
        done = analyse_ledger(ledger, PERIOD, out, months=args.months, formats=("xlsx", "html", "json"))
        t5, c5 = time.perf_counter(), time.process_time()
        sizes = ", ".join(f"{p.suffix} {p.stat().st_size / 1e6:.1f} MB" for p in done.written)
    print(f"analysis end to end, cold (statsmodels imported, compute, xlsx, html, json): {t5 - t4:.2f} s wall, "
          f"{c5 - c4:.2f} s CPU ({sizes}); aim <= 10 s; load average {os.getloadavg()[0]:.1f}")

    ledger.memo.clear()
    t2, c2 = time.perf_counter(), time.process_time()
    res = compute_analysis(ledger, PERIOD, args.months)
    t3, c3 = time.perf_counter(), time.process_time()
    print(f"compute_analysis again (warm): {t3 - t2:.2f} s wall, {c3 - c2:.2f} s CPU ({len(res.customers):,} "
          f"customers, {len(res.monthly):,} monthly rows)")


if __name__ == "__main__":
    main()
