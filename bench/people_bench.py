"""Benchmark of people over time (issue 23): the close's computations with 200 people and 50 changes against the
same without the changes.

The sample's four departments with the Roster grown to 200 people (the sample's 32 plus 168 more spread over
the departments); "with changes" adds Start and Leave Dates to 10 people and 50 Roster Changes (new bases,
grades, departments and, for 10, royalty plans from dates through the year) and new tiers of one plan from July
(Valid From): royalty by segment. Each round builds a fresh ledger and computes what a
close of December computes for every month: royalties and floating pay (``compute_royalties``,
``compute_appraisal``); the two cases alternate, and the ratio of the medians is printed (aim ≤ 1.1).

    python bench/people_bench.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.core.appraisal import compute_appraisal  # noqa: E402
from toolkit.core.ledger import Ledger  # noqa: E402
from toolkit.core.royalties import compute_royalties  # noqa: E402
from toolkit.io.reader import read_workbook  # noqa: E402

SAMPLE = ROOT / "workbooks" / "sample"


def _standards(changes: bool):
    std = read_workbook(SAMPLE / "standards.xlsx", "standards")
    # the sample's own Start Dates, leaver and Roster Changes out: "without changes" is a fixed roster
    roster = std.tables["Roster"].assign(start_date=pd.NaT, leave_date=pd.NaT)
    depts = sorted(set(roster["department"].dropna()))
    extra = pd.DataFrame({"employee_id": [f"X{i:04d}" for i in range(168)], "name": [f"Extra {i}" for i in range(168)],
                          "department": [depts[i % len(depts)] for i in range(168)], "role": "Staff", "grade": "G2",
                          "floating_base": 5000.0, "leave_days": 5.0})
    roster = pd.concat([roster, extra], ignore_index=True)
    tables = {k: v for k, v in std.tables.items() if k != "RosterChanges"} | {"Roster": roster}
    if changes:
        roster.loc[roster.index[-10:-5], "start_date"] = pd.Timestamp("2026-04-15")
        roster.loc[roster.index[-5:], "leave_date"] = pd.Timestamp("2026-09-16")
        ids = roster["employee_id"].tolist()
        plans = sorted(set(std.tables["RoyaltyPlans"]["plan"].dropna()))
        # royalty by segment: 10 plan changes above, and the first plan's tiers changed from July (Valid From)
        tiers = std.tables["RoyaltyTiers"]
        july = tiers[tiers["plan"] == plans[0]].assign(rate=lambda t: t["rate"] * 1.1,
                                                       valid_from=pd.Timestamp("2026-07-01"))
        tables["RoyaltyTiers"] = pd.concat([tiers, july], ignore_index=True)
        tables["RosterChanges"] = pd.DataFrame({
            "employee_id": [ids[i * 3 % len(ids)] for i in range(50)],
            "effective_from": [pd.Timestamp(2026, 1 + i % 12, 1 + (i % 3) * 9) for i in range(50)],
            "department": [depts[i % len(depts)] if i % 5 == 0 else None for i in range(50)],
            "role": None, "grade": [f"G{1 + i % 5}" if i % 2 else None for i in range(50)],
            "royalty_plan": [plans[i % len(plans)] if i % 5 == 1 else None for i in range(50)],
            "floating_base": [5000.0 + 100 * i if i % 2 == 0 else None for i in range(50)], "retroactive": "No",
            "_row": range(2, 52)})
    return dataclasses.replace(std, tables=tables)


def one_round(books, std) -> float:
    t0 = time.process_time()  # CPU time: the machine is shared, wall time follows the load
    ledger = Ledger.from_workbooks(books, std)
    for m in range(1, 13):
        compute_royalties(ledger, f"2026-{m:02d}")
        compute_appraisal(ledger, f"2026-{m:02d}")
    return time.process_time() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    books = [read_workbook(p, "department") for p in sorted(SAMPLE.glob("dept-*.xlsx"))]
    plain, changed = _standards(False), _standards(True)
    one_round(books, plain)  # warm-up
    times: dict[str, list[float]] = {"plain": [], "changes": []}
    for _ in range(args.rounds):
        times["plain"].append(one_round(books, plain))
        times["changes"].append(one_round(books, changed))
    a, b = statistics.median(times["plain"]), statistics.median(times["changes"])
    print(f"200 people, 12 months of royalties and floating pay: without changes {a:.3f} s, with 50 changes and "
          f"10 start/leave dates {b:.3f} s: ratio {b / a:.3f} (aim <= 1.1)")


if __name__ == "__main__":
    main()
