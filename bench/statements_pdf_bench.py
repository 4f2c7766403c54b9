"""Benchmark of pay statements with PDF (issue 24, item 7): N statements written as xlsx + html + pdf.

Closes the shipped sample month into a temporary store, builds its statements from the store, repeats them up to
N (each copy its own employee id, so its own files) and writes them the way ``toolkit statements`` does: one
Chromium for every PDF, the statements printed together in chunks and split per person (``report.pdf_batch``),
in the background while the workbooks are written. Prints the seconds (wall, and CPU of this process and its
children, Chromium included) for the xlsx + html alone and for xlsx + html + pdf, and the machine's load average.

    python bench/statements_pdf_bench.py            # 200 statements (the issue's aim: <= 30 s on 2 cores)
    python bench/statements_pdf_bench.py --n 40     # quick
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.operations.batch import each, pdf_done  # noqa: E402
from toolkit.operations.close_month import close_month  # noqa: E402
from toolkit.operations.source import Source  # noqa: E402
from toolkit.operations.statements import build_statements, recorded_payouts  # noqa: E402
from toolkit.report.pdf import html_to_pdf, pdf_session, run_chromium  # noqa: E402
from toolkit.report.pdf_batch import CHUNK, PdfBatch  # noqa: E402
from toolkit.report.statements import write_statement  # noqa: E402
from toolkit.store import load_ledger_from_store, open_store  # noqa: E402
from chromium_cpu import cpu  # noqa: E402  (bench/: the script's folder)

PERIOD = "2026-10"


def statements(n: int, work: Path) -> list:
    """N statements: the sample month's, repeated with distinct employee ids."""
    db = work / "bench.db"
    close_month(Source([ROOT / "workbooks" / "sample"], db=db), PERIOD, work / "close", jobs=1)
    with open_store(db) as store:
        payouts = recorded_payouts(store, PERIOD)
        ledger = load_ledger_from_store(store, PERIOD)
    base = build_statements(ledger, PERIOD, payouts=payouts).statements
    return [dataclasses.replace(base[i % len(base)], employee_id=f"{base[i % len(base)].employee_id}-{i:03d}")
            for i in range(n)]


def run(sts: list, out: Path, formats: tuple[str, ...], chunk: int = CHUNK) -> tuple[float, float]:
    """Wall and CPU seconds for writing ``sts`` in ``formats`` the way ``write_statements`` does."""
    out.mkdir(parents=True, exist_ok=True)
    t0, c0 = time.perf_counter(), cpu()
    with PdfBatch(chunk) if "pdf" in formats else contextlib.nullcontext() as pdfs:
        queued = list(each(sts, partial(write_statement, out_dir=out, formats=formats, pdfs=pdfs)))
    failed = [e for _s, _p, e in map(pdf_done, queued) if e is not None]
    assert not failed, failed[:3]
    return time.perf_counter() - t0, cpu() - c0


def side_by_side(html: Path, n: int, out: Path) -> tuple[float, float]:
    """Seconds for ``n`` PDFs of one page: one Chromium start per PDF (before issue 24) vs one session."""
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    for i in range(n):
        run_chromium(["--no-pdf-header-footer", f"--print-to-pdf={out / f'old{i}.pdf'}", html.resolve().as_uri()])
    old = time.perf_counter() - t0
    t0 = time.perf_counter()
    with pdf_session():
        list(each(range(n), lambda i: write_statement_pdf(html, out / f"new{i}.pdf"), 2))
    return old, time.perf_counter() - t0


def write_statement_pdf(html: Path, target: Path) -> Path:
    """One PDF in the open session."""
    return html_to_pdf(html, target)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--one-by-one", action="store_true", help="Also print one PDF per person, side by side.")
    ap.add_argument("--compare", type=int, default=0, help="Also N PDFs printed the old way and the new, side by side.")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="toolkit-bench-") as tmp:
        work = Path(tmp)
        sts = statements(args.n, work)
        plain, plain_cpu = run(sts, work / "plain", ("xlsx", "html"))
        full, full_cpu = run(sts, work / "pdf", ("xlsx", "html", "pdf"))
        if args.one_by_one:  # side by side in this run: one print per person (chunks of 1), as before the batches
            single, single_cpu = run(sts, work / "single", ("xlsx", "html", "pdf"), 1)
            print(f"one print per person: {single:.1f} s (CPU {single_cpu:.1f} s); in chunks of {CHUNK}: "
                  f"{full:.1f} s (CPU {full_cpu:.1f} s)")
        pdfs = len(list((work / "pdf").glob("*.pdf")))
        if args.compare:
            html = next((work / "plain").glob("*.html"))
            old, new = side_by_side(html, args.compare, work / "compare")
            print(f"{args.compare} PDFs of one statement: one Chromium each {old:.1f} s; one session {new:.1f} s")
    print(f"{args.n} statements: xlsx+html {plain:.1f} s (CPU {plain_cpu:.1f} s); xlsx+html+pdf {full:.1f} s "
          f"(CPU {full_cpu:.1f} s, Chromium included; {pdfs} PDFs); load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")


if __name__ == "__main__":
    main()
