"""Benchmark of performance files with PDF (issue 24): N performance files written as xlsx + pdf.

Closes the shipped sample month into a temporary store, gathers the year once (``gather_year``) and writes one
performance file per (person, copy) the way ``toolkit performance-file`` does: one Chromium for every PDF
(``report.pdf.pdf_session``), the batch's worker threads printing in their own tabs; each copy goes to its own
folder, so N files are N files. Prints the seconds for the xlsx alone and for xlsx + pdf (the page's two
matplotlib charts are drawn for the PDF only), and the machine's load average (the issue's aim: 200 in <= 30 s on 2 cores, as for statements).

    python bench/performance_pdf_bench.py            # 200 performance files
    python bench/performance_pdf_bench.py --n 40     # quick
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.operations.batch import PDF_JOBS, each  # noqa: E402
from toolkit.operations.close_month import close_month  # noqa: E402
from toolkit.operations.performance import gather_year  # noqa: E402
from toolkit.operations.source import Source  # noqa: E402
from toolkit.report.pdf import pdf_session  # noqa: E402
from toolkit.report.performance import write_performance_file  # noqa: E402

PERIOD = "2026-10"


def jobs(n: int, work: Path) -> tuple[object, list[tuple[str, dict, Path]]]:
    """The sample year gathered from a closed store, and N (employee, person, folder) to write."""
    db = work / "bench.db"
    close_month(Source([ROOT / "workbooks" / "sample"], db=db), PERIOD, work / "close", jobs=1)
    data = gather_year(Source(db=db), int(PERIOD[:4]))
    ids = [e for e in dict.fromkeys(data.months["employee_id"])]
    people = data.people.set_index("employee_id")
    out = []
    for i in range(n):
        emp = ids[i % len(ids)]
        person = people.loc[emp].to_dict() if emp in people.index else {}
        out.append((emp, person, Path(f"copy-{i // len(ids):03d}")))
    return data, out


def run(data: object, todo: list, out: Path, formats: tuple[str, ...]) -> float:
    for _emp, _person, folder in todo:
        (out / folder).mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()

    def work(job: tuple) -> list[Path]:
        emp, person, folder = job
        return write_performance_file(data, emp, person, out / folder, formats, person.get("lang") or "en")

    if "pdf" in formats:
        with pdf_session():
            failed = [e for _j, _p, e in each(todo, work, PDF_JOBS) if e is not None]
    else:
        failed = [e for _j, _p, e in each(todo, work, 1) if e is not None]
    assert not failed, failed[:3]
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="toolkit-bench-") as tmp:
        work = Path(tmp)
        data, todo = jobs(args.n, work)
        plain = run(data, todo, work / "plain", ("xlsx",))
        full = run(data, todo, work / "pdf", ("xlsx", "pdf"))
        pdfs = len(list((work / "pdf").rglob("*.pdf")))
    print(f"{args.n} performance files: xlsx {plain:.1f} s; xlsx+pdf {full:.1f} s ({pdfs} PDFs, "
          f"{PDF_JOBS} tabs at once, one Chromium); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
