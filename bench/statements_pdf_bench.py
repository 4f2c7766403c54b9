"""Benchmark of pay statements with PDF (issue 24, item 7): N statements written as xlsx + html + pdf.

Closes the shipped sample month into a temporary store, builds its statements from the store, repeats them up to
N (each copy its own employee id, so its own files) and writes them the way ``toolkit statements`` does: one
Chromium for every PDF (``report.pdf.pdf_session``), the batch's worker threads printing in their own tabs.
Prints the seconds for the xlsx + html alone and for xlsx + html + pdf, and the machine's load average.

    python bench/statements_pdf_bench.py            # 200 statements (the issue's aim: <= 30 s on 2 cores)
    python bench/statements_pdf_bench.py --n 40     # quick
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.operations.batch import PDF_JOBS, each  # noqa: E402
from toolkit.operations.close_month import close_month  # noqa: E402
from toolkit.operations.source import Source  # noqa: E402
from toolkit.operations.statements import build_statements, recorded_payouts  # noqa: E402
from toolkit.report.pdf import html_to_pdf, pdf_session, run_chromium  # noqa: E402
from toolkit.report.statements import write_statement  # noqa: E402
from toolkit.store import load_ledger_from_store, open_store  # noqa: E402

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


def run(sts: list, out: Path, formats: tuple[str, ...]) -> float:
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    work = partial(write_statement, out_dir=out, formats=formats)
    if "pdf" in formats:
        with pdf_session():
            failed = [e for _s, _p, e in each(sts, work, PDF_JOBS) if e is not None]
    else:
        failed = [e for _s, _p, e in each(sts, work, 1) if e is not None]
    assert not failed, failed[:3]
    return time.perf_counter() - t0


def side_by_side(html: Path, n: int, out: Path) -> tuple[float, float]:
    """Seconds for ``n`` PDFs of one page: one Chromium start per PDF (before issue 24) vs one session."""
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    for i in range(n):
        run_chromium(["--no-pdf-header-footer", f"--print-to-pdf={out / f'old{i}.pdf'}", html.resolve().as_uri()])
    old = time.perf_counter() - t0
    t0 = time.perf_counter()
    with pdf_session():
        list(each(range(n), lambda i: write_statement_pdf(html, out / f"new{i}.pdf"), PDF_JOBS))
    return old, time.perf_counter() - t0


def write_statement_pdf(html: Path, target: Path) -> Path:
    """One PDF in the open session."""
    return html_to_pdf(html, target)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--compare", type=int, default=0, help="Also N PDFs printed the old way and the new, side by side.")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="toolkit-bench-") as tmp:
        work = Path(tmp)
        sts = statements(args.n, work)
        plain = run(sts, work / "plain", ("xlsx", "html"))
        full = run(sts, work / "pdf", ("xlsx", "html", "pdf"))
        pdfs = len(list((work / "pdf").glob("*.pdf")))
        if args.compare:
            html = next((work / "plain").glob("*.html"))
            old, new = side_by_side(html, args.compare, work / "compare")
            print(f"{args.compare} PDFs of one statement: one Chromium each {old:.1f} s; one session {new:.1f} s")
    print(f"{args.n} statements: xlsx+html {plain:.1f} s; xlsx+html+pdf {full:.1f} s ({pdfs} PDFs, "
          f"{PDF_JOBS} tabs at once, one Chromium); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
