"""Benchmark of ``toolkit approvals queue`` (issue 17) - a benchmark, not a timed test.

Makes N department workbooks from the four sample departments (round robin, each copy with its own
department name on the Info sheet, so the queue sees N departments of sample size: about 1,000 rows and
16 pending items each), then times in one run:
  (a) a bare read of every file with python-calamine alone (one process),
  (b) ``toolkit approvals queue`` end to end (read + validate every file in ``--jobs`` processes, the facts,
      the queue workbook), with ``--jobs 1`` and ``--jobs 2``,
and prints the seconds, items and the ratio of (b) to (a).

Full run:  python bench/approval_queue_bench.py --files 200
Quick run: python bench/approval_queue_bench.py --files 20
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAMPLES = ("dept-east.xlsx", "dept-north.xlsx", "dept-south.xlsx", "dept-west.xlsx")
NAMES = {"dept-east.xlsx": "East China", "dept-north.xlsx": "North China", "dept-south.xlsx": "华南",
         "dept-west.xlsx": "西部"}


def generate(folder: Path, files: int) -> None:
    """``files`` department workbooks and the standards in ``folder``."""
    sample = ROOT / "workbooks" / "sample"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(sample / "standards.xlsx", folder / "standards.xlsx")
    for i in range(files):
        src = sample / SAMPLES[i % len(SAMPLES)]
        old = NAMES[src.name]
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(folder / f"dept-{i:04d}.xlsx", "w",
                                                          zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = zin.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":  # the Info sheet
                    data = data.replace(f">{old}<".encode(), f">{old} {i:04d}<".encode())
                zout.writestr(item, data)


def bare_read(files: list[Path]) -> float:
    from python_calamine import CalamineWorkbook

    t0 = time.perf_counter()
    for path in files:
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()
    return time.perf_counter() - t0


def queue(folder: Path, out: Path, jobs: int) -> tuple[float, int, dict[str, float]]:
    """``toolkit approvals queue`` as the command runs it, timed by stage: read + validate, facts, workbook."""
    from toolkit.operations.approval_queue import assemble, read_sources
    from toolkit.operations.validate import read_file
    from toolkit.outputs.approval_queue import write_queue

    t0 = time.perf_counter()
    std = read_file(folder / "standards.xlsx", "standards")
    books, _, _ = read_sources([folder], std, None, jobs)
    t1 = time.perf_counter()
    q = assemble(books, std, "2026-10", "en", standards_path=folder / "standards.xlsx")
    t2 = time.perf_counter()
    write_queue(q, out, "en")
    t3 = time.perf_counter()
    return t3 - t0, q.count(), {"read+validate": t1 - t0, "facts and flags": t2 - t1, "queue workbook": t3 - t2}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "depts"
        generate(folder, args.files)
        files = sorted(folder.glob("dept-*.xlsx"))
        read = bare_read(files)
        print(f"{args.files} department workbooks")
        print(f"(a) bare python-calamine read, 1 process: {read:.2f} s")
        for jobs in (1, 2):
            seconds, items, stages = queue(folder, Path(tmp) / f"queue-{jobs}.xlsx", jobs)
            split = ", ".join(f"{k} {v:.2f} s" for k, v in stages.items())
            print(f"(b) approvals queue --jobs {jobs}: {seconds:.2f} s ({split}), {items} pending items, "
                  f"{seconds / read:.2f} x the bare read")


if __name__ == "__main__":
    main()
