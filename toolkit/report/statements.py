"""A statement as a page: the HTML (``templates/statement.html.j2``) printed to PDF by headless Chromium, and
writing one statement's files (xlsx from ``toolkit.outputs.statements``, html, pdf).

The page shows the rows ``toolkit.outputs.statements`` builds, so the page and the workbook carry the same lines.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype
# to_dict's own boxing of an object column's values: record_columns gives what it gives
from pandas.core.dtypes.cast import maybe_box_native

from ..core.statements import NOT_COMPUTED, Statement, cents
from ..io.writer import atomic_save, write_frames, written_whole
from ..outputs.labels import label
from ..outputs.statements import (
    compare_frame,
    completion_title,
    file_stem,
    floating_detail,
    pct_text,
    rate_text,
    royalty_rows,
    statement_frames,
    statement_sheets,
    summary_rows,
)
from ..outputs.text import percent_text
from .pdf_batch import PdfBatch, PdfJob, queue
from ..money import fmt_money

TEMPLATE = Path(__file__).resolve().parent / "templates" / "statement.html.j2"


def _html_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with their figures as text for the page."""
    out = []
    for r in rows:
        amount = r.get("amount")
        r = {"detail": None, "base": None, "factor": None, "rate": None, "total": False, **r}
        out.append({**r, "amount_text": fmt_money(amount, grouped=True, blank="") if amount is not None else "",
                    "base_text": fmt_money(r.get("base"), grouped=True, blank="") if r.get("base") is not None else "",
                    "rate_text": (pct_text(r["rate"], 2) if r.get("percent") else rate_text(r["rate"]))
                    if r.get("rate") is not None and not pd.isna(r["rate"]) else "",
                    "negative": amount is not None and not pd.isna(amount) and cents(amount) < 0})
    return out


def html_table(frame: pd.DataFrame, pct: Sequence[str] = (), money: Sequence[str] = ()) -> dict[str, Any]:
    """A localized frame as header + text cells for the page, with each column's class: ``num`` (right-aligned
    figures: money, percentages, numbers) or ``code`` (short IDs and dates, never broken at their hyphens)."""
    columns = list(frame.columns)
    if frame.columns.is_unique:  # the values column by column (``record_columns``), no dict per row
        values = record_columns(frame)
        names = [columns] * len(frame)
        rows_in = zip(names, zip(*values)) if values else ((columns, ()) for _ in range(len(frame)))
    else:  # a repeated header: its last column's values on each row, as to_dict gives them
        records = frame.to_dict("records")
        values = [[rec[c] for rec in records] for c in columns]
        rows_in = ((list(rec), list(rec.values())) for rec in records)
    rows = []
    for cols, row in rows_in:
        cells = []
        for col, v in zip(cols, row):
            if col in money:
                cells.append(fmt_money(v, grouped=True, blank=""))
            elif col in pct:
                cells.append(percent_text(v))
            elif isinstance(v, pd.Timestamp):
                cells.append(v.strftime("%Y-%m-%d"))
            elif isinstance(v, bool):
                cells.append("✓" if v else "")
            elif _missing(v):  # blank, not "nan" or "NaT"
                cells.append("")
            else:
                cells.append(f"{v:g}" if isinstance(v, float) else str(v))
        rows.append(cells)
    return {"headers": columns, "rows": rows,  # the classes from the cells' values: no pandas Series per column
            "classes": [_column_class(column, c in money or c in pct) for c, column in zip(columns, values)]}


def record_columns(frame: pd.DataFrame) -> list[list[Any]]:
    """Each column's values as ``frame.to_dict("records")`` gives them (Python scalars; an object or extension
    column's values boxed as it boxes them: numpy scalars as Python's, NA as None), taken column by column: a dict
    per row cost four fifths of a person page's tables (issue 24). The frame's columns must be unique (to_dict
    keeps one of a repeated name)."""
    return [[maybe_box_native(v) for v in column.tolist()]
            if column.dtype == np.dtype(object) or isinstance(column.dtype, ExtensionDtype) else column.tolist()
            for _, column in frame.items()]


def _missing(v: Any) -> bool:
    """Whether a cell's value is missing (None, NaN, NaT, NA): a blank cell, left out of a column's class."""
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)


def _column_class(values: Sequence[Any], figure: bool) -> str:
    """``num`` for a column of figures, ``code`` for one of short unbroken texts (IDs, dates), else ''; missing
    values (None, NaN, NaT, NA) left out."""
    kept = [v for v in values if not _missing(v)]
    if figure or (kept and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in kept)):
        return "num"
    if kept and all(isinstance(v, pd.Timestamp) or (isinstance(v, str) and len(v) <= 16 and not any(
            ch.isspace() for ch in v)) for v in kept):
        return "code"
    return ""


@functools.lru_cache(maxsize=None)
def page_template(path: str) -> Any:
    """The Jinja2 template of a person's page (statement, performance file), compiled once per process: compiling
    it cost as much as rendering it (issue 24's 200 statements)."""
    import jinja2  # deferred: jinja2 is needed by the renderers only

    folder, name = Path(path).parent, Path(path).name
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    return env.get_template(name)


def statement_html(st: Statement, frames: Mapping[str, pd.DataFrame] | None = None) -> str:
    """The statement page (self-contained HTML, A4 print CSS), in the statement's language (``frames``: the
    tables ``statement_frames`` built, when the caller has them)."""
    lang = st.lang
    frames = frames or statement_frames(st)
    L = {k: label(k, lang) for k in ("st.title", "st.section.summary", "st.section.tiers", "st.section.weighting",
                                     "st.section.contributions", "st.section.completion", "st.section.floating",
                                     "st.amount", "note", "ytd_base", "factor", "rate", "royalty", "item",
                                     "st.draft.mark", "st.section.compare")}
    lbl = {label(k, lang) for k in ("share",)}
    return page_template(str(TEMPLATE)).render(
        lang=lang, L=L, st=st, not_computed=st.status == NOT_COMPUTED, completion_title=completion_title(st),
        summary=_html_rows(summary_rows(st)), royalty=_html_rows(royalty_rows(st)), compare=html_table(compare_frame(st)),
        contributions=html_table(frames["contributions"], pct=lbl,
                             money=[label(k, lang) for k in ("amount", "credited", "weighted")]),
        completion=html_table(frames["completion"], pct=[label(k, lang) for k in ("month_completion", "ytd_completion", "time_progress")],
                          money=[label(k, lang) for k in ("month_target", "month_actual", "ytd_target",
                                                          "ytd_actual")]),
        terms=html_table(frames["terms"], pct=[label(k, lang) for k in ("weight", "completion", "term_value", "points")]),
        floating=floating_detail(st) if st.salary is not None and st.status != NOT_COMPUTED else None,
    )


def statement_footer(st: Statement) -> str:
    """The footer of every printed page: title, name, ID, period and page n of N (``{page}``, ``{pages}``); a draft's
    starts with the DRAFT mark, so every printed page says so (the page's own mark is on its first page only)."""
    text = label("st.footer", st.lang, title=label("st.title", st.lang), name=st.name or "",
                 employee_id=st.employee_id, period=st.period, page="{page}", pages="{pages}")
    return f"{label('st.draft.mark', st.lang)} · {text}" if st.draft else text


def write_statement(st: Statement, out_dir: Path, formats: Sequence[str], pdfs: PdfBatch | None = None
                    ) -> tuple[list[Path], Future[Path] | None]:
    """Write ``st`` as ``<stem>.xlsx|.html`` into ``out_dir`` and queue its ``.pdf`` in ``pdfs`` (printed at once
    when None); the files written and the PDF's future (``operations.batch.pdf_done`` waits for it)."""
    stem = file_stem(st)
    with written_whole([]) as written:
        frames = statement_frames(st)
        if "xlsx" in formats:
            written.append(write_frames(out_dir / f"{stem}.xlsx", statement_sheets(st, frames), st.lang))
        if "html" in formats or "pdf" in formats:
            text = statement_html(st, frames)
            if "html" in formats:
                written.append(atomic_save(out_dir / f"{stem}.html",
                                           lambda tmp: Path(tmp).write_text(text, encoding="utf-8")))
            if "pdf" in formats:
                return written, queue(PdfJob(text, out_dir / f"{stem}.pdf", statement_footer(st), st.lang,
                                             f"statement{'-draft' if st.draft else ''}"), pdfs)
    return written, None
