"""CPU per person of the Python parts of a performance file (issue 24): the four charts (matplotlib's SVG writer
apart), the page's tables, the rest of the page, the workbook's frames and the workbook, in one process.

Closes the shipped sample month into a temporary store, gathers the year and the stored years once (their CPU
printed too: once a run), draws every person's page once to make the kept figures, then times each part over
``--n`` people with ``time.process_time``. Run it with ``PYTHONPATH`` set to another checkout to compare (a
checkout whose ``page`` takes no frames builds them itself, as it did).

    python bench/performance_parts.py --n 32
"""

from __future__ import annotations

import argparse
import inspect
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT))  # after PYTHONPATH: another checkout given there is the one measured

import toolkit.report.performance as P  # noqa: E402
from toolkit.io.writer import write_frames  # noqa: E402
from toolkit.operations.close_month import close_month  # noqa: E402
from toolkit.operations.performance import gather_history, gather_year  # noqa: E402
from toolkit.operations.source import Source  # noqa: E402
from toolkit.outputs.performance import sheets  # noqa: E402

PERIOD = "2026-10"
PARTS = ("targets chart", "completion chart", "score chart", "pay chart", "SVG writer", "html_table", "page rest",
         "sheets", "write_frames")


def timed(seconds: dict[str, float], part: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` adding its CPU seconds to ``seconds[part]``."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        c = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            seconds[part] += time.process_time() - c
    return wrapper


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=32)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="toolkit-parts-") as tmp:
        work = Path(tmp)
        db = work / "bench.db"
        close_month(Source([ROOT / "workbooks" / "sample"], db=db), PERIOD, work / "close", jobs=1)
        c = time.process_time()
        ledgers: dict = {}
        data = gather_year(Source(db=db), int(PERIOD[:4]), ledgers)
        year_cpu = time.process_time() - c
        data.history = gather_history(Source(db=db), data, ledgers)
        history_cpu = time.process_time() - c - year_cpu
        ids = list(dict.fromkeys(data.months["employee_id"]))
        people = data.people.set_index("employee_id")
        todo = [(ids[i % len(ids)], people.loc[ids[i % len(ids)]].to_dict()) for i in range(args.n)]
        seconds = dict.fromkeys(PARTS, 0.0)
        P._svg = timed(seconds, "SVG writer", P._svg)
        P.html_table = timed(seconds, "html_table", P.html_table)
        for name in ("targets", "completion", "score", "pay"):
            setattr(P, f"_{name}_chart", timed(seconds, f"{name} chart", getattr(P, f"_{name}_chart")))
        with_frames = "frames" in inspect.signature(P.page).parameters
        frames = {}
        for emp, person in todo:
            lang = person.get("lang") or "en"
            c = time.process_time()
            frames[emp] = sheets(data, emp, person, lang)
            seconds["sheets"] += time.process_time() - c
            write_frames(work / f"{emp}.xlsx", frames[emp], lang)  # warm-up: not timed
            P.page(data, emp, person, lang)  # the kept figures made: not timed
        seconds.update({k: 0.0 for k in PARTS if k != "sheets"})
        c = time.process_time()
        for emp, person in todo:
            lang = person.get("lang") or "en"
            P.page(data, emp, person, lang, frames[emp]) if with_frames else P.page(data, emp, person, lang)
        page = time.process_time() - c
        for emp, person in todo:
            lang = person.get("lang") or "en"
            c = time.process_time()
            write_frames(work / f"{emp}.xlsx", frames[emp], lang)
            seconds["write_frames"] += time.process_time() - c
        charts = sum(seconds[f"{k} chart"] for k in ("targets", "completion", "score", "pay"))
        seconds["page rest"] = page - charts - seconds["html_table"] - (0 if with_frames else seconds["sheets"])
    print(f"toolkit from {Path(P.__file__).parent.parent.parent}; load average {os.getloadavg()[0]:.1f}")
    print(f"gather_year {year_cpu:.2f} s, gather_history {history_cpu:.2f} s (once a run)")
    for part, s in seconds.items():
        print(f"{part:17s} {s / args.n * 1e3:6.1f} ms a person")
    print(f"charts {charts / args.n * 1e3:.1f} ms (SVG writer included); page {page / args.n * 1e3:.1f} ms "
          f"({'frames given' if with_frames else 'frames made by the page'})")


if __name__ == "__main__":
    main()
