"""The periodic appraisal's workbook (Ranking, Band Distribution, Findings) and text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..core import appraisal as A
from ..core.review import Review
from ..i18n import register, t
from ..io.writer import SheetFrame, write_frames
from ..schema import enums as E
from .labels import label
from .sheets import findings_sheets
from .text import percent_text, text_table

register({
    "output.sheet.ranking": ("Ranking", "排名"),
    "output.sheet.distribution": ("Band Distribution", "等级分布"),
    "output.title.review": ("Appraisal {label} (months {first}-{last}), ranked on the appraisal score",
                            "{label} 考核（{first}-{last} 月），按考核得分排名"),
})

RANKING_COLUMNS = ["company_rank", "department_rank", "employee_id", "name", "department", "role", "appraised_on",
                   "score", "grade", "coefficient", "reason"]


def ranking_frame(rv: Review, lang: str) -> pd.DataFrame:
    """The ranked lines with role, basis and reason in ``lang`` (headers still keys)."""
    lines = rv.lines
    return pd.DataFrame({
        "company_rank": lines["company_rank"], "department_rank": lines["department_rank"],
        "employee_id": lines["employee_id"], "name": lines["name"], "department": lines["department"],
        "role": lines["role"].map(lambda v: E.ROLE.label(v, lang), na_action="ignore"),
        "appraised_on": lines["basis"].map(lambda v: label(f"appraisal.{v}", lang)),
        "score": lines["score"], "grade": lines["grade"], "coefficient": lines["coefficient"],
        "reason": lines["reason"].map(lambda v: A.reason_text(v, lang)),
    })[RANKING_COLUMNS]


def distribution_frame(rv: Review, lang: str) -> pd.DataFrame:
    """Band counts per department, the company row named in ``lang``."""
    d = rv.distribution.copy()
    d["department"] = d["department"].replace("*", label("company", lang))
    names = {"department": label("department", lang), "default": label("appraisal.default", lang),
             "total": label("total", lang), "": "—"}
    return d.rename(columns=names)


def sheets(rv: Review, lang: str) -> list[SheetFrame]:
    """Ranking, Band Distribution and the findings."""
    ranking = ranking_frame(rv, lang).rename(columns=lambda c: label(c, lang))
    fmts = {label("score", lang): "percent", label("coefficient", lang): "number",
            label("company_rank", lang): "integer", label("department_rank", lang): "integer"}
    return [SheetFrame(t("output.sheet.ranking", lang), ranking, fmts, table_name="Ranking"),
            SheetFrame(t("output.sheet.distribution", lang), distribution_frame(rv, lang), table_name="Distribution"),
            *findings_sheets(rv.findings, lang)]


def write(rv: Review, path: str, lang: str = "en") -> Path:
    """The periodic appraisal workbook at ``path`` (atomic)."""
    return write_frames(path, sheets(rv, lang), lang)


def text(rv: Review, lang: str) -> str:
    """Title, the ranking and the band distribution as plain tables."""
    shown = ranking_frame(rv, lang).assign(score=lambda f: f["score"].map(percent_text),
                                           grade=lambda f: f["grade"].astype(object).where(f["grade"].notna(), ""))
    shown = shown.astype(object).where(shown.notna(), "")
    return "\n".join([
        t("output.title.review", lang, label=rv.label, first=rv.months[0], last=rv.months[1]),
        text_table(shown.rename(columns=lambda c: label(c, lang)), lang=lang), "",
        text_table(distribution_frame(rv, lang), lang=lang)])
