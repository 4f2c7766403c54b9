"""The candidates for promotion as one printable page (``templates/candidates.html.j2``) the director can send the
general manager: the top of the ranking with each person's points, figures and reasons, printed to PDF by the one
Chromium session (``report.pdf``)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pandas as pd

from ..core.candidates import FULL_HOURS, FULL_TENURE, POINTS
from ..outputs.labels import label
from ..outputs.text import percent_text
from ..schema import enums as E
from .pdf import html_to_pdf, page_footer

TEMPLATE = Path(__file__).resolve().parent / "templates" / "candidates.html.j2"
#: People on the page: the rest are in the workbook (one page to send).
TOP = 10
#: A page object of a PDF (Chromium writes them uncompressed).
_PAGE = re.compile(rb"/Type\s*/Page\b(?!s)")


def _number(v: object, digits: int = 0) -> str:
    """A figure that is not money (points, a review score, hours, months) as text; blank when missing."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    return f"{float(v):.{digits}f}"  # not money: points, scores, hours


def page(ranked: pd.DataFrame, year: int, role: str | None, lang: str, top: int = TOP) -> str:
    """The one-page HTML of the ranking's first ``top`` people."""
    import jinja2  # deferred: jinja2 is needed by the renderers only

    role_name = E.ROLE.label(role, lang) if role and role in E.ROLE.values else role
    title = label("cand.title", lang, year=year) + (f" · {role_name}" if role_name else "")
    keys = ["cand.rank", "name", "department", "role", "cand.points", "cand.mean_score", "cand.trend", "cand.review",
            "training.hours", "cand.tenure_months", "cand.reasons"]
    rows = []
    for r in ranked.head(top).to_dict("records"):
        rows.append([(str(r["rank"]), "n"), (f"{r['name'] or ''} ({r['employee_id']})", "who"),
                     (r["department"] or "", ""), (E.ROLE.label(r["role"], lang) if isinstance(r["role"], str) else "",
                                                   ""),
                     (_number(r["points"], 1), "n"), (percent_text(r["mean_score"]), "n"),
                     (_signed(r["trend"]), "n"), (_number(r["review"]), "n"),
                     (_number(r["hours"]), "n"), (_number(r["tenure_months"]), "n"), (r["reasons"], "why")])
    how = label("cand.how", lang, performance=fmt_points(POINTS["performance"]),
                reviews=fmt_points(POINTS["reviews"]), trend=fmt_points(POINTS["trend"]),
                consistency=fmt_points(POINTS["consistency"]), training=fmt_points(POINTS["training"]),
                hours=fmt_points(FULL_HOURS), tenure=fmt_points(POINTS["tenure"]), months=fmt_points(FULL_TENURE))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE.parent)), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    return env.get_template(TEMPLATE.name).render(
        lang=lang, title=title, subtitle=label("cand.subtitle", lang, count=len(ranked)),
        headers=[label(k, lang) for k in keys], rows=rows, how=how,
        shown=label("cand.shown", lang, shown=min(top, len(ranked)), count=len(ranked)))


def _signed(v: object) -> str:
    """A change of score as text with its sign: ``+12.5%``."""
    return "" if v is None or pd.isna(v) else f"{float(v):+.1%}"


def fmt_points(v: float) -> str:
    """A weight of the points rule (40, 16) as text."""
    return f"{v:g}"  # not money: points and hours


def write_pdf(ranked: pd.DataFrame, path: str | Path, year: int, role: str | None, lang: str,
              top: int = TOP) -> Path:
    """The page printed to ``path`` (atomic) with a footer naming it: one page, so when the first ``top`` people's
    reasons run over, fewer people are shown (the note says how many)."""
    with tempfile.TemporaryDirectory(prefix="toolkit-candidates-") as tmp:
        html = Path(tmp) / "candidates.html"
        footer = page_footer(label("cand.footer", lang, year=str(year), page="{page}", pages="{pages}"))
        while True:
            html.write_text(page(ranked, year, role, lang, top), encoding="utf-8")
            written = html_to_pdf(html, path, footer=footer)
            if top <= 1 or len(_PAGE.findall(written.read_bytes())) <= 1:
                return written
            top -= 1
