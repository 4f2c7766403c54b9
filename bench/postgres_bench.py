"""Benchmark: the month close of the bench folder into SQLite and into PostgreSQL, side by side (issue 30).

Generates the consolidation benchmark's folder (``consolidate_bench.generate``: N department workbooks scaled to
about ROWS ledger rows each), starts a throwaway PostgreSQL cluster (``tests/pg_server.py``; or uses
``TOOLKIT_TEST_PG_URL``), then closes the month in fresh processes, alternating the two stores, and prints each
close's wall time and the ratio PostgreSQL ÷ SQLite (aim ≤ 1.5).

    python bench/postgres_bench.py --files 24 --rows 2000        # issue 21's bench folder
    python bench/postgres_bench.py --files 4 --rows 1500         # quick
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from consolidate_bench import PERIOD, generate  # noqa: E402
from pg_server import throwaway_server  # noqa: E402


def close_run(folder: Path, db: str, out: Path, jobs: int) -> float:
    """One month close of ``folder`` into the store ``db`` in a fresh process; its wall time (s)."""
    code = ("import json, time\n"
            "from toolkit.operations.close_month import close_month\n"
            "from toolkit.operations.source import Source\n"
            "t0 = time.perf_counter()\n"
            f"close_month(Source([{str(folder)!r}], db={db!r}), {PERIOD!r}, {str(out)!r}, jobs={jobs})\n"
            "print(json.dumps({'wall': time.perf_counter() - t0}))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr[-2000:])
    return float(json.loads(proc.stdout.strip().splitlines()[-1])["wall"])


def main() -> None:
    """Generate, close into both stores, print the times and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=24)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="Closes per store (alternating); the best is kept.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pg-bench-") as tmp, throwaway_server() as server:
        work = Path(tmp)
        rows, cells = generate(work / "in", args.files, args.rows)
        print(f"folder: {args.files} workbooks, {rows:,} rows, {cells:,} cells; jobs {args.jobs}")
        times: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
        for i in range(args.repeat):
            for name in ("sqlite", "postgresql"):
                db = str(work / f"s{i}.db") if name == "sqlite" else server.database()
                started = time.perf_counter()
                times[name].append(close_run(work / "in", db, work / f"out-{name}-{i}", args.jobs))
                print(f"  close into {name}: {times[name][-1]:.2f} s (process {time.perf_counter() - started:.2f} s)")
        best = {k: min(v) for k, v in times.items()}
        print(f"close-month into SQLite {best['sqlite']:.2f} s, into PostgreSQL {best['postgresql']:.2f} s: "
              f"ratio {best['postgresql'] / best['sqlite']:.2f} (aim <= 1.5)")


if __name__ == "__main__":
    main()
