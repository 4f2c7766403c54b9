"""The periodic appraisal's workbook (Ranking, Band Distribution, Findings) and text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..core import appraisal as A
from ..core.review import Review
from ..core.training import COMPANY, department_hours
from ..i18n import register, t
from ..io.writer import SheetFrame, write_frames
from ..schema import enums as E
from .labels import label
from .sheets import findings_sheets
from .text import percent_text, text_table

register({
    "output.sheet.ranking": ("Ranking", "排名"),
    "output.sheet.distribution": ("Band Distribution", "等级分布"),
    "output.sheet.training": ("Training", "培训"),
    "output.sheet.training_departments": ("Training by Department", "各部门培训"),
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
        # not-computed lines have no basis: blank, never the raw key "appraisal.None"
        "appraised_on": lines["basis"].map(lambda v: label(f"appraisal.{v}", lang) if isinstance(v, str) else ""),
        "score": lines["score"], "grade": lines["grade"], "coefficient": lines["coefficient"],
        "reason": lines["reason"].map(lambda v: A.reason_text(v, lang)),
    })[RANKING_COLUMNS]


def distribution_frame(rv: Review, lang: str) -> pd.DataFrame:
    """Band counts per department, the company row named in ``lang``."""
    d = rv.distribution.copy()
    d["department"] = d["department"].replace("*", label("company", lang))
    names = {"department": label("department", lang), "default": label("appraisal.default", lang),
             "total": label("total", lang), "": "—", "not-computed": label("not_computed_count", lang)}
    return d.rename(columns=names)


def training_frames(rv: Review, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training per person (people without training first) and per department, headers in ``lang``."""
    people = rv.training
    if not len(people):
        return pd.DataFrame(), pd.DataFrame()
    people = people.sort_values(["trained", "department", "employee_id"], kind="stable")
    per_person = pd.DataFrame({
        label("employee_id", lang): people["employee_id"], label("name", lang): people["name"],
        label("department", lang): people["department"], label("training.courses", lang): people["courses"],
        label("training.hours", lang): people["hours"],
        label("training.trained", lang): people["trained"].map(
            lambda v: label("training.yes", lang) if v else label("training.none", lang))})
    d = department_hours(rv.training)
    d["department"] = d["department"].replace(COMPANY, label("company", lang))
    per_dept = d.rename(columns={"department": label("department", lang), "people": label("training.people", lang),
                                 "trained": label("training.trained", lang),
                                 "untrained": label("training.untrained", lang),
                                 "hours": label("training.hours", lang),
                                 "hours_per_person": label("training.hours_per_person", lang)})
    return per_person, per_dept


def sheets(rv: Review, lang: str) -> list[SheetFrame]:
    """Ranking, Band Distribution, Training (per person and department) and the findings."""
    ranking = ranking_frame(rv, lang).rename(columns=lambda c: label(c, lang))
    fmts = {label("score", lang): "percent", label("coefficient", lang): "number",
            label("company_rank", lang): "integer", label("department_rank", lang): "integer"}
    return [SheetFrame(t("output.sheet.ranking", lang), ranking, fmts, table_name="Ranking"),
            SheetFrame(t("output.sheet.distribution", lang), distribution_frame(rv, lang), table_name="Distribution"),
            *_training_sheets(rv, lang), *findings_sheets(rv.findings, lang)]


def _training_sheets(rv: Review, lang: str) -> list[SheetFrame]:
    """The two training sheets, when training was computed."""
    per_person, per_dept = training_frames(rv, lang)
    if not len(per_person):
        return []
    hours = {label("training.hours", lang): "number", label("training.hours_per_person", lang): "number"}
    return [SheetFrame(t("output.sheet.training", lang), per_person, hours, table_name="Training"),
            SheetFrame(t("output.sheet.training_departments", lang), per_dept, hours, table_name="TrainingDepartments")]


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
