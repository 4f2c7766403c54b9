"""Benchmark: drafting next year's plan for 200 people × 12 months (issue 16, "Done when"; a print, not a test).

Uses ``bench/compute_bench.py``'s seeded synthetic company (here 200 salespeople in 10 departments,
21 months of contracts, receipts and claims), writes it to department workbooks once, then times
``toolkit plan draft``'s steps on it: reading the history, the draft itself (shares, seasonality,
rounding, Profit net of the royalties at 100%), the cost model (royalty and appraisal engines at
80/100/120%), and writing the ten department workbooks and the summary.

    python bench/plan_bench.py [--employees 200] [--rows 60000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compute_bench import build, write  # noqa: E402

from toolkit.core import planning as P  # noqa: E402
from toolkit.core.ledger import Ledger  # noqa: E402
from toolkit.io.reader import read_workbook  # noqa: E402
from toolkit.operations import plan as OP  # noqa: E402
from toolkit.operations import plan_cost as C  # noqa: E402

YEAR = 2026


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--employees", type=int, default=200)
    ap.add_argument("--rows", type=int, default=60_000)
    args = ap.parse_args()
    books, standards = build(args.employees, args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        paths = write(books, Path(tmp))
        t0 = time.perf_counter()
        data = [read_workbook(p) for p in paths]
        ledger = Ledger.from_workbooks(data, standards)
        inputs = OP.PlanInputs(ledger, standards, {}, {}, "bench")
        t_read = time.perf_counter() - t0

        led = ledger
        t0 = time.perf_counter()
        history = P.history_frame(led.tables["Contracts"], led.tables["Collections"], led.tables["Expenses"],
                                  led.standard("ProductLines"))
        rules = P.PlanRules(YEAR, growth={"Signing": 0.1, "Collection": 0.08})
        draft = P.draft_plan(history, led.standard("Roster"), rules)
        t_draft = time.perf_counter() - t0
        t0 = time.perf_counter()
        full, _, cost = OP.draft_from_inputs(inputs, rules)
        t_all = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = OP.write_plan(YEAR, inputs, full, cost, Path(tmp) / "out")
        t_write = time.perf_counter() - t0

    people = draft.rows["employee_id"].nunique()
    print(f"plan draft for {people} people x 12 months ({len(draft.rows)} plan rows, "
          f"{sum(len(b['Contracts']) + len(b['Collections']) + len(b['Expenses']) for b in books.values()):,} "
          f"history rows in {len(paths)} workbooks)")
    print(f"  read history          {t_read:6.2f} s")
    print(f"  allocation alone      {t_draft:6.2f} s")
    print(f"  draft + cost model    {t_all:6.2f} s  (allocation twice, royalties at 100% for Profit, "
          f"{len(C.DEFAULT_LEVELS)} levels costed)")
    print(f"  write {len(result.workbooks)} workbooks + summary {t_write:6.2f} s")
    print(f"  total                 {t_read + t_all + t_write:6.2f} s")


if __name__ == "__main__":
    main()
