"""Benchmark of ``toolkit close-month`` against ``toolkit consolidate`` on the same folder (issue 11, item 4).

Generates the consolidation benchmark's folder (``consolidate_bench.generate``: N department workbooks,
each the East sample department scaled to about ROWS ledger rows), then runs in one session, each in a
fresh process:
  (1) consolidate alone (store + consolidated workbook),
  (2) close-month end to end, split into its stages (consolidate, the ledger — the rows consolidation just
      wrote, handed over rather than read back from the store since issue 21 —, the results every output and the
      report share — royalties, completion, funds, forecast, appraisal —, then the outputs and the report in
      parallel processes: their wall time, and the compute / write / report times summed over the processes),
and prints the ratios the issue aims at: close-month ÷ consolidate (aim ≤ 1.5) and peak memory of
close-month ÷ consolidate's (aim ≤ 2), peak = the parent's VmHWM (workers are measured separately), and the
ratio of CPU seconds (the process and its workers), which a loaded machine distorts less than wall time.

Issue 11's folder (24 workbooks × 6,000 ledger rows): python bench/close_month_bench.py --files 24 --rows 6000
Issue 21's folder (24 workbooks × 2,000 ledger rows): python bench/close_month_bench.py --files 24 --rows 2000
Quick run:                                          python bench/close_month_bench.py --files 4 --rows 1500
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from consolidate_bench import PERIOD, generate  # noqa: E402

_PEAK = ("me = [int(l.split()[1]) / 1024 for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
         "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
         "cpu = sum(getattr(resource.getrusage(w), f) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)"
         " for f in ('ru_utime', 'ru_stime'))\n")


def _run(code: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def consolidate_run(folder: Path, work: Path, jobs: int) -> dict:
    """``consolidate`` alone in a fresh process: wall time, its timings, peak memory (MB)."""
    return _run(
        "import json, resource, time\n"
        "from toolkit.operations.consolidate import consolidate\n"
        "from toolkit.operations.source import Source\n"
        "t0 = time.perf_counter()\n"
        f"r = consolidate(Source([{str(folder)!r}], db={str(work / 'c.db')!r}), {PERIOD!r}, "
        f"output={str(work / 'c.xlsx')!r}, jobs={jobs})\n"
        "wall = time.perf_counter() - t0\n" + _PEAK +
        "print(json.dumps({'wall': wall, 'cpu': cpu, 'timings': r.timings, 'peak_parent_mb': me, 'peak_worker_mb': kids}))\n")


def close_run(folder: Path, work: Path, jobs: int) -> dict:
    """``close_month`` in a fresh process: wall time, its stage timings, peak memory (MB), output sizes."""
    out = work / "close"
    return _run(
        "import json, resource, time\n"
        "from toolkit.operations.close_month import close_month\n"
        "from toolkit.operations.source import Source\n"
        "t0 = time.perf_counter()\n"
        f"with Source([{str(folder)!r}], db={str(work / 'm.db')!r}) as source:\n"
        f"    r = close_month(source, {PERIOD!r}, {str(out)!r}, jobs={jobs})\n"
        "wall = time.perf_counter() - t0\n" + _PEAK +
        "sizes = {p.name: p.stat().st_size for ps in r.outputs.values() for p in ps}\n"
        "print(json.dumps({'wall': wall, 'cpu': cpu, 'timings': r.timings, 'peak_parent_mb': me, 'peak_worker_mb': kids,"
        " 'sizes': sizes}))\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=24)
    ap.add_argument("--rows", type=int, default=6000, help="ledger rows per department workbook")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="close-bench-"))
    folder = work / "in"
    if folder.exists():
        shutil.rmtree(folder)
    t0 = time.perf_counter()
    n_rows, n_cells = generate(folder, args.files, args.rows)
    print(f"generated {args.files} workbooks, {n_rows:,} rows, {n_cells:,} data cells in "
          f"{time.perf_counter() - t0:.1f} s ({work})")
    for p in list(work.glob("*.db*")):
        p.unlink()
    shutil.rmtree(work / "close", ignore_errors=True)
    cons = consolidate_run(folder, work, args.jobs)
    close = close_run(folder, work, args.jobs)
    t = close["timings"]
    print(f"(1) consolidate alone            {cons['wall']:7.2f} s   CPU {cons['cpu']:6.2f} s   "
          f"peak {cons['peak_parent_mb']:6.1f} MB (largest worker {cons['peak_worker_mb']:.1f} MB)")
    print(f"(2) close-month end to end       {close['wall']:7.2f} s   CPU {close['cpu']:6.2f} s   "
          f"peak {close['peak_parent_mb']:6.1f} MB (largest worker {close['peak_worker_mb']:.1f} MB)")
    stages = {"consolidate": "consolidate", "ledger": "ledger (handed over)", "royalties": "shared results",
              "outputs": "outputs + report (wall)", "compute": "  compute (sum)", "write": "  write (sum)",
              "report": "  report (its own time)"}
    for stage, name in stages.items():
        print(f"      {name:<26} {t.get(stage, 0.0):7.2f} s")
    big = sorted(close["sizes"].items(), key=lambda kv: -kv[1])[:6]
    print("    largest outputs: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in big))
    print(f"ratio close-month ÷ consolidate, time    {close['wall'] / cons['wall']:5.2f}  (aim ≤ 1.5)")
    print(f"ratio close-month ÷ consolidate, CPU     {close['cpu'] / cons['cpu']:5.2f}  (process and workers; "
          f"less inflated by a loaded machine than wall time; load average {os.getloadavg()[0]:.1f})")
    print(f"ratio close-month ÷ consolidate, memory  {close['peak_parent_mb'] / cons['peak_parent_mb']:5.2f}  (aim ≤ 2)")


if __name__ == "__main__":
    main()
