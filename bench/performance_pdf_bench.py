"""Benchmark of performance files with PDF (issue 24): N performance files written as xlsx + pdf.

Closes the shipped sample month into a temporary store, gathers the year and the stored years once (``gather_year``,
``gather_history``: the years' tables and charts are on every page, as ``toolkit performance-file`` writes) and writes one
performance file per (person, copy) the way ``toolkit performance-file`` does: one Chromium for every PDF, the
files printed together in chunks and split per person (``report.pdf_batch``); each copy goes to its own
folder, so N files are N files. The workbooks and pages (charts included) are made in
``--workers`` forked processes (``report.performance.Pages``), as ``toolkit performance-file`` makes them. Prints
the seconds (wall, and CPU with Chromium's and the builders') for the xlsx alone (written by the builders too) and
for xlsx + pdf (the page's four matplotlib charts are drawn for the PDF only), and the machine's load average (the
issue's aim: 200 in <= 30 s on 2 cores, as for statements).

    python bench/performance_pdf_bench.py            # 200 performance files
    python bench/performance_pdf_bench.py --n 40     # quick
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.operations.batch import each, pdf_done  # noqa: E402
from toolkit.operations.close_month import close_month  # noqa: E402
from toolkit.operations.performance import gather_history, gather_year  # noqa: E402
from toolkit.operations.source import Source  # noqa: E402
from toolkit.report.pdf_batch import CHUNK, PdfBatch  # noqa: E402
from toolkit.report.performance import WORKERS  # noqa: E402
from toolkit.report.performance import Pages, write_performance_file  # noqa: E402
from chromium_cpu import cpu  # noqa: E402  (bench/: the script's folder)

PERIOD = "2026-10"


def jobs(n: int, work: Path) -> tuple[object, list[tuple[str, dict, Path]]]:
    """The sample year gathered from a closed store, and N (employee, person, folder) to write."""
    db = work / "bench.db"
    close_month(Source([ROOT / "workbooks" / "sample"], db=db), PERIOD, work / "close", jobs=1)
    ledgers: dict = {}
    data = gather_year(Source(db=db), int(PERIOD[:4]), ledgers)
    data.history = gather_history(Source(db=db), data, ledgers)
    ids = [e for e in dict.fromkeys(data.months["employee_id"])]
    people = data.people.set_index("employee_id")
    out = []
    for i in range(n):
        emp = ids[i % len(ids)]
        person = people.loc[emp].to_dict() if emp in people.index else {}
        out.append((emp, person, Path(f"copy-{i // len(ids):03d}")))
    return data, out


def run(data: object, todo: list, out: Path, formats: tuple[str, ...], chunk: int = CHUNK,
        workers: int = WORKERS) -> tuple[float, float]:
    """Wall and CPU seconds for the files of ``todo`` in ``formats``, the way ``write_performance_files`` does."""
    for _emp, _person, folder in todo:
        (out / folder).mkdir(parents=True, exist_ok=True)
    t0, c0, k0 = time.perf_counter(), cpu(), os.times()
    pdf = "pdf" in formats
    # the workbooks and pages made in forked processes (their CPU counted with Chromium's when the browser closes
    # while they are alive; without a PDF, as this process's children once they have ended)
    with Pages(data, workers=workers, people=len(todo)) as pages:
        built = [pages.submit(emp, person, person.get("lang") or "en", out / folder, formats)
                 for emp, person, folder in todo]
        with PdfBatch(chunk) if pdf else contextlib.nullcontext() as pdfs:

            def work(job: tuple) -> tuple:
                (emp, person, folder), page = job
                return write_performance_file(data, emp, person, out / folder, formats, person.get("lang") or "en",
                                              pdfs, page)

            queued = list(each(list(zip(todo, built)), work))
    failed = [e for _j, _p, e in map(pdf_done, queued) if e is not None]
    assert not failed, failed[:3]
    k1 = os.times()
    children = 0.0 if pdf else k1.children_user + k1.children_system - k0.children_user - k0.children_system
    return time.perf_counter() - t0, cpu() - c0 + children


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--one-by-one", action="store_true", help="Also print one PDF per person, side by side.")
    ap.add_argument("--workers", type=int, default=WORKERS,
                    help="Processes building the pages (0: in this process, one at a time, as before).")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="toolkit-bench-") as tmp:
        work = Path(tmp)
        data, todo = jobs(args.n, work)
        plain, plain_cpu = run(data, todo, work / "plain", ("xlsx",))
        full, full_cpu = run(data, todo, work / "pdf", ("xlsx", "pdf"), workers=args.workers)
        if args.one_by_one:  # side by side in this run: one print per person (chunks of 1), as before the batches
            single, single_cpu = run(data, todo, work / "single", ("xlsx", "pdf"), 1)
            print(f"one print per person: {single:.1f} s (CPU {single_cpu:.1f} s); in chunks of {CHUNK}: "
                  f"{full:.1f} s (CPU {full_cpu:.1f} s)")
        pdfs = len(list((work / "pdf").rglob("*.pdf")))
    print(f"{args.n} performance files: xlsx {plain:.1f} s (CPU {plain_cpu:.1f} s); xlsx+pdf {full:.1f} s "
          f"(CPU {full_cpu:.1f} s, Chromium's and the page builders' included; {pdfs} PDFs; "
          f"{args.workers} builders); load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")


if __name__ == "__main__":
    main()
