"""Benchmark of ``toolkit consolidate`` (issue 5, item 5) - a benchmark, not a timed test.

Generates N department workbooks (the East sample department scaled up, each with its own
department name), then times in one run:
  (a) bare read of the same files with the fast reader alone (python-calamine, every sheet),
  (b) bare write of the same consolidated tables with XlsxWriter in constant-memory mode,
  (c) a naive script: pandas read_excel(engine="openpyxl") + concat + to_excel,
  (d) toolkit consolidate end to end, split into its stages (read+validate+store, workbook),
and prints cells per second, the ratios the issue asks for, the read-stage gain from --jobs, and the
peak memory of (d) (parent + worker processes) at N/4 and N files: it must not grow with the files.

Full run (about 1,000,000 ledger rows):  python bench/consolidate_bench.py --files 200 --rows 5000
Quick run (< 1 minute):                   python bench/consolidate_bench.py --files 8 --rows 1500 --naive-files 2
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
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PERIOD = "2026-10"
LEDGER = ("Contracts", "Collections", "Expenses", "Advances", "Leave", "Feedback")
#: Tables tiled to reach the row count (leave and advances would overlap or pass limits if repeated).
TILED = ("Contracts", "Collections", "Expenses", "Feedback")


# --------------------------------------------------------------------------- generation


def _scaled_frames(rows: int):
    """The East sample department's tables, ledger tables tiled to about ``rows`` rows in all, keys renumbered."""
    import pandas as pd

    from toolkit.io.reader import read_workbook
    from toolkit.schema import DEPARTMENT

    sample = ROOT / "workbooks" / "sample"
    base = read_workbook(sample / "dept-east.xlsx")
    have = sum(len(base.tables[k]) for k in TILED)
    copies = max(1, round(rows / max(have, 1)))
    frames = {}
    for table in DEPARTMENT.tables:
        frame = base.tables[table.key].drop(columns=[c for c in base.tables[table.key].columns
                                                     if c == "_row" or c.startswith("extra:")])
        if table.key in TILED and copies > 1:
            parts = []
            for k in range(copies):
                part = frame.copy()
                for key in table.unique_key + (["contract_no"] if table.key == "Collections" else []):
                    part[key] = part[key] + (f"-{k}" if k else "")
                if table.key == "Expenses":  # not a duplicate claim of the original
                    part["amount"] = part["amount"] - 0.01 * k
                parts.append(part)
            frame = pd.concat(parts, ignore_index=True)
        frames[table.key] = frame
    return base.info, frames, sample / "standards.xlsx"


def _write_department(path: Path, info: dict, frames: dict) -> None:
    import xlsxwriter

    from toolkit.io.writer import NUMBER_FORMATS, cell_values
    from toolkit.schema import DEPARTMENT

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_numbers": False, "strings_to_urls": False})
    fmts = {k: wb.add_format({"num_format": v}) for k, v in NUMBER_FORMATS.items() if v not in ("General", "@")}
    ws = wb.add_worksheet(DEPARTMENT.info_sheet("en"))
    ws.write_row(0, 0, ["Field", "Value"])
    for r, field in enumerate(DEPARTMENT.info, start=1):
        ws.write_string(r, 0, field.label("en"))
        value = info.get(field.key)
        ws.write(r, 1, "" if value is None else value)
    for table in DEPARTMENT.tables:
        ws = wb.add_worksheet(table.sheet("en"))
        frame = frames[table.key]
        for c, col in enumerate(table.columns):
            ws.set_column(c, c, 14, fmts.get(col.type.value))
        ws.write_row(0, 0, [c.header("en") for c in table.columns])
        cols = [cell_values(frame[c.key], c.type.value, "en") for c in table.columns]
        for r, row in enumerate(zip(*cols), start=1):
            for c, v in enumerate(row):
                if v is not None:
                    ws.write(r, c, v)
    wb.close()


def _rename_department(src: Path, dest: Path, old: str, new: str, prefix: str) -> None:
    """A copy of ``src`` whose Info sheet names another department, whose contract numbers start with
    ``prefix`` instead of "EC" (in Contracts and Collections alike) and whose people are its own
    (``E1002`` becomes ``<prefix>-E1002``), as each department's would be."""
    import re

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet") or item.filename == "xl/sharedStrings.xml":
                data = data.replace(f">{old}<".encode(), f">{new}<".encode())
                data = data.replace(b">EC-HT", f">{prefix}-HT".encode())
                data = re.sub(rb">(E1\d{3})<", f">{prefix}-\\1<".encode(), data)
            zout.writestr(item, data)


def _bench_standards(sample: Path, dest: Path, files: int, east: str) -> None:
    """The sample standards with a Roster of every bench department: East's people, renamed per department
    as ``_rename_department`` renames them, so each department's people are paid and appraised."""
    import openpyxl

    wb = openpyxl.load_workbook(sample)
    ws = wb["Roster"]
    headers = [c.value for c in ws[1]]
    id_col, dept_col = headers.index("Employee ID"), headers.index("Department")
    east_rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2) if row[dept_col].value == east]
    for i in range(files):
        prefix, name = f"D{i:04d}", f"Bench Dept {i:04d}"
        for values in east_rows:
            row = list(values)
            row[id_col], row[dept_col] = f"{prefix}-{values[id_col]}", name
            ws.append(row)
    for table in ws.tables.values():
        first, _, last = table.ref.partition(":")
        col = "".join(ch for ch in last if ch.isalpha())
        table.ref = f"{first}:{col}{ws.max_row}"
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref
    wb.save(dest)


def generate(folder: Path, files: int, rows: int) -> tuple[int, int]:
    """``files`` department workbooks + the standards in ``folder``; returns (data rows, data cells) in all."""
    info, frames, standards = _scaled_frames(rows)
    folder.mkdir(parents=True, exist_ok=True)
    name = str(info["department"])
    _bench_standards(standards, folder / "standards.xlsx", files, name)
    base = folder / "dept-base.xlsx"
    _write_department(base, {**info, "department": "Bench Dept BASE"}, frames)
    for i in range(files):
        _rename_department(base, folder / f"dept-{i:04d}.xlsx", "Bench Dept BASE", f"Bench Dept {i:04d}", f"D{i:04d}")
    base.unlink()
    del name
    n_rows = sum(len(f) for f in frames.values()) * files
    n_cells = sum(len(f) * f.shape[1] for f in frames.values()) * files
    return n_rows, n_cells


# --------------------------------------------------------------------------- stages


def _read_one(path: str) -> int:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(path)
    return sum(len(wb.get_sheet_by_name(name).to_python()) for name in wb.sheet_names)


def bare_read(files: list[Path], jobs: int = 1) -> float:
    """Every sheet of every file read with python-calamine alone (in ``jobs`` processes)."""
    from concurrent.futures import ProcessPoolExecutor

    t0 = time.perf_counter()
    if jobs <= 1:
        for f in files:
            _read_one(str(f))
    else:
        with ProcessPoolExecutor(jobs) as pool:
            list(pool.map(_read_one, [str(f) for f in files], chunksize=4))
    return time.perf_counter() - t0


def bare_write(db: Path, ids: list[int], out: Path) -> float:
    """The consolidated tables (from the store, not timed) written with XlsxWriter constant_memory, write_row."""
    import xlsxwriter

    from toolkit.schema import DEPARTMENT
    from toolkit.store import open_store

    with open_store(db) as store:
        tables = {t.key: [f for f in store.iter_table(ids, t.key)] for t in DEPARTMENT.tables}
        rows = {k: [r for f in v for r in f.astype(object).where(f.notna(), None).itertuples(index=False, name=None)]
                for k, v in tables.items()}
    t0 = time.perf_counter()
    wb = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    for key, data in rows.items():
        ws = wb.add_worksheet(key)
        for r, row in enumerate(data):
            ws.write_row(r, 0, row)
    wb.close()
    return time.perf_counter() - t0


def naive(files: list[Path], out: Path) -> float:
    import pandas as pd

    t0 = time.perf_counter()
    stacked: dict[str, list] = {}
    for f in files:
        for name, frame in pd.read_excel(f, sheet_name=None, engine="openpyxl").items():
            stacked.setdefault(name, []).append(frame.assign(Source=str(f)))
    with pd.ExcelWriter(out) as writer:
        for name, parts in stacked.items():
            pd.concat(parts, ignore_index=True).to_excel(writer, sheet_name=name[:31], index=False)
    return time.perf_counter() - t0


def toolkit_run(folder: Path, db: Path, out: Path, jobs: int, cpus: int | None = None) -> dict:
    """``consolidate`` in a fresh process; its timings and peak memory (own + largest worker), in MB.

    ``cpus`` pins the run (workers included) to that many CPUs. The parent's peak is VmHWM (ru_maxrss of an
    exec'd child inherits the bench process's peak on Linux)."""
    pin = f"import os; os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:{cpus}]))\n" if cpus else ""
    code = pin + (
        "import json, resource, sys\n"
        "from toolkit.operations.consolidate import consolidate\n"
        "from toolkit.operations.source import Source\n"
        f"r = consolidate(Source([{str(folder)!r}], db={str(db)!r}), {PERIOD!r}, output={(str(out) if out else None)!r}, jobs={jobs})\n"
        "me = [int(l.split()[1]) / 1024 for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'timings': r.timings, 'ok': len(r.consolidated), 'failed': len(r.failed),"
        " 'ids': [f.snapshot_id for f in r.consolidated], 'peak_parent_mb': me, 'peak_worker_mb': kids}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--rows", type=int, default=5000, help="ledger rows per department workbook")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--naive-files", type=int, default=None,
                    help="run (c) on this many files only and scale linearly (it is very slow)")
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="consolidate-bench-"))
    folder = work / "in"
    t0 = time.perf_counter()
    if folder.exists():
        shutil.rmtree(folder)
    n_rows, n_cells = generate(folder, args.files, args.rows)
    files = sorted(folder.glob("dept-*.xlsx"))
    print(f"generated {len(files)} workbooks, {n_rows:,} rows, {n_cells:,} data cells in "
          f"{time.perf_counter() - t0:.1f} s ({work})")

    def rate(seconds: float, cells: int = n_cells) -> str:
        return f"{seconds:8.2f} s  {cells / seconds / 1e6:6.2f} M cells/s"

    for p in work.glob("*.db*"):
        p.unlink()
    d1 = toolkit_run(folder, work / "j1.db", work / "c1.xlsx", 1)
    d = toolkit_run(folder, work / "s.db", work / "c.xlsx", args.jobs)
    one_cpu = toolkit_run(folder, work / "p.db", None, args.jobs, cpus=1) if hasattr(os, "sched_setaffinity") else None
    a = bare_read(files)
    a_jobs = bare_read(files, args.jobs)
    b = bare_write(work / "s.db", d["ids"], work / "bare.xlsx")
    k = args.naive_files or len(files)
    c = naive(files[:k], work / "naive.xlsx") * len(files) / k
    quarter = max(1, len(files) // 4)
    qfolder = work / "quarter"
    if qfolder.exists():
        shutil.rmtree(qfolder)
    qfolder.mkdir()
    for f in [folder / "standards.xlsx", *files[:quarter]]:
        os.link(f, qfolder / f.name)
    dq = toolkit_run(qfolder, work / "q.db", work / "q.xlsx", args.jobs)

    rvs, wb = d["timings"]["read_validate_store"], d["timings"]["workbook"]
    total = d["timings"]["total"]
    print(f"cpu count {os.cpu_count()}, jobs {args.jobs}; departments consolidated {d['ok']}, rejected {d['failed']}")
    print(f"(a) bare read, python-calamine         {rate(a)}")
    print(f"    the same in {args.jobs} processes             {rate(a_jobs)}")
    print(f"(b) bare write, XlsxWriter const-mem   {rate(b)}")
    print(f"(c) naive pandas/openpyxl{' (scaled)' if k < len(files) else '         '}     {rate(c)}")
    print(f"(d) toolkit consolidate, end to end    {rate(total)}")
    print(f"    read+validate+store stage          {rate(rvs)}")
    print(f"    consolidated-workbook stage        {rate(wb)}")
    print(f"    read+validate+store, --jobs 1      {rate(d1['timings']['read_validate_store'])}")
    print(f"      of which read+validate in workers (sum over workers, --jobs 1) "
          f"{d1['timings']['worker_read_validate_sum']:.2f} s; store inserts {d1['timings']['store']:.2f} s")
    print(f"ratio read+validate+store / (a)   = {rvs / a:5.2f}   (aim <= 1.5; "
          f"{rvs / a_jobs:.2f} against the bare read in {args.jobs} processes)")
    print(f"ratio workbook stage / (b)        = {wb / b:5.2f}   (aim <= 1.2)")
    print(f"ratio (c) / (d)                   = {c / total:5.2f}   (aim >= 10)")
    print(f"read-stage gain --jobs {args.jobs} vs 1      = {d1['timings']['read_validate_store'] / rvs:5.2f}x"
          "   (--jobs 1 reads in the main process, each file in a forked child; workers read in-process)")
    if one_cpu:
        print(f"read-stage gain from the 2nd core = {one_cpu['timings']['read_validate_store'] / rvs:5.2f}x"
              f"   (--jobs {args.jobs} pinned to one CPU: {one_cpu['timings']['read_validate_store']:.2f} s)")
    print(f"peak memory, {len(files):4d} files: parent {d['peak_parent_mb']:7.1f} MB, largest worker "
          f"{d['peak_worker_mb']:7.1f} MB")
    print(f"peak memory, {quarter:4d} files: parent {dq['peak_parent_mb']:7.1f} MB, largest worker "
          f"{dq['peak_worker_mb']:7.1f} MB")


if __name__ == "__main__":
    main()
