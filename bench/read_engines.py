"""Time the xlsx value readers on a department-like workbook of ~100k rows (issue 2, item 1).

Compares python-calamine, fastexcel and openpyxl ``read_only`` (reference), then the toolkit's own
``read_workbook`` with and without the isolated child process, so the safety overhead is measured.
Run: ``python bench/read_engines.py [ROWS]`` (about a minute on 2 cores).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import xlsxwriter

from toolkit.schema import DEPARTMENT

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


def build(path: Path, rows: int) -> int:
    """A department workbook whose Contracts sheet holds ``rows`` rows; returns the number of data cells."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    info = wb.add_worksheet(DEPARTMENT.info_sheet.en)
    for r, (field, value) in enumerate(zip(DEPARTMENT.info, ["Bench", 2026, "2026-10", "bench", "1"]), start=1):
        info.write_string(r, 0, field.label.en)
        info.write(r, 1, value)
    cells = 0
    for table in DEPARTMENT.tables:
        ws = wb.add_worksheet(table.sheet.en)
        for c, col in enumerate(table.columns):
            ws.write_string(0, c, col.header("en"))
        if table.key != "Contracts":
            continue
        statuses = ["Signed", "Executing", "Completed", "Terminated"]
        for r in range(1, rows + 1):
            ws.write_string(r, 0, f"C-{r:06d}")
            ws.write_datetime(r, 1, dt.datetime(2025, 1, 1) + dt.timedelta(days=r % 600), date_fmt)
            ws.write_string(r, 2, f"Customer {r % 997}")
            ws.write_string(r, 3, f"E{r % 24:03d}")
            ws.write_string(r, 4, ["Pumps", "Valves", "Service"][r % 3])
            ws.write_number(r, 5, 1000 + (r * 37) % 90000 + 0.25)
            ws.write_string(r, 6, statuses[r % 4])
            ws.write_number(r, 7, (r * 13) % 1000)
            ws.write_number(r, 8, 30 + r % 3 * 30)
            if r % 10 == 0:
                ws.write_string(r, 9, "E001")
                ws.write_number(r, 10, 0.3)
        cells = rows * 11
    wb.close()
    return cells


def timed(fn, repeat: int = 3) -> float:
    """Median wall time of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="toolkit-bench-"))
    path = folder / "department.xlsx"
    t0 = time.perf_counter()
    cells = build(path, ROWS)
    print(f"workbook: {ROWS} rows x 11 columns = {cells / 1e6:.2f} M cells, {path.stat().st_size / 1e6:.1f} MB, "
          f"written in {time.perf_counter() - t0:.1f} s")

    import fastexcel
    import openpyxl
    from python_calamine import CalamineWorkbook

    from toolkit.io import reader, safety

    def calamine() -> None:
        CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Contracts").to_python(skip_empty_area=False)

    def fastexcel_load() -> None:
        # load_sheet parses eagerly into an Arrow record batch (Rust side); handing it to Python as
        # pyarrow/pandas needs pyarrow, which the toolkit does not otherwise depend on.
        fastexcel.read_excel(str(path)).load_sheet_by_name("Contracts")

    slice_rows = min(ROWS, 20_000)  # openpyxl is ~10x slower: time a slice, rate it by its cells

    def openpyxl_ro() -> None:
        wb = openpyxl.load_workbook(str(path), read_only=True)
        for _ in wb["Contracts"].iter_rows(max_row=slice_rows + 1, values_only=True):
            pass
        wb.close()

    def toolkit(isolate: str) -> float:
        os.environ["TOOLKIT_READ_ISOLATION"] = isolate
        try:
            return timed(lambda: reader.read_workbook(path))
        finally:
            os.environ.pop("TOOLKIT_READ_ISOLATION", None)

    results = {
        "python-calamine to_python": timed(calamine),
        "fastexcel load_sheet (Arrow, Rust side)": timed(fastexcel_load),
        "openpyxl read_only": timed(openpyxl_ro, repeat=1),
        "safety.check_file (pre-checks)": timed(lambda: safety.check_file(path)),
        "toolkit read_workbook, in-process": toolkit("0"),
        "toolkit read_workbook, isolated child": toolkit("1"),
    }
    counts = {name: cells for name in results}
    counts["openpyxl read_only"] = slice_rows * 11
    rate = {name: counts[name] / secs / 1e6 for name, secs in results.items()}
    base = rate["python-calamine to_python"]
    print(f"{'reader':40} {'s':>7} {'M cells/s':>10} {'speed vs calamine':>18}")
    for name, secs in results.items():
        print(f"{name:40} {secs:7.3f} {rate[name]:10.2f} {rate[name] / base:17.2f}x")
    overhead = results["toolkit read_workbook, isolated child"] - results["toolkit read_workbook, in-process"]
    print(f"isolation overhead: {overhead:+.3f} s "
          f"({overhead / results['toolkit read_workbook, in-process'] * 100:+.0f}% of an in-process read)")
    path.unlink()
    folder.rmdir()


if __name__ == "__main__":
    main()
