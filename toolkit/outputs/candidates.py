"""The candidates workbook (``toolkit candidates -o FILE.xlsx``): one ranked sheet with the reasons in words."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..i18n import register, t
from ..io.writer import SheetFrame, write_frames
from ..schema import enums as E
from .labels import label
from .text import text_table

register({"output.sheet.candidates": ("Candidates", "候选人")})

_KEYS = {"rank": "cand.rank", "points": "cand.points", "mean_score": "cand.mean_score", "trend": "cand.trend",
         "sigma": "cand.sigma", "review": "cand.review", "hours": "training.hours",
         "tenure_months": "cand.tenure_months", "reasons": "cand.reasons"}


def frame(ranked: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The ranked candidates with headers and roles in ``lang``."""
    shown = ranked.assign(role=ranked["role"].map(lambda v: E.ROLE.label(v, lang), na_action="ignore"),
                          points=ranked["points"].round(1))
    return shown.rename(columns=lambda c: label(_KEYS.get(c, c), lang))


def write(ranked: pd.DataFrame, path: str, lang: str = "en") -> Path:
    """The candidates workbook at ``path`` (atomic)."""
    f = frame(ranked, lang)
    fmts = {label("cand.mean_score", lang): "percent", label("cand.trend", lang): "percent",
            label("cand.sigma", lang): "percent", label("cand.points", lang): "number",
            label("cand.review", lang): "number", label("training.hours", lang): "number"}
    return write_frames(path, [SheetFrame(t("output.sheet.candidates", lang), f, fmts, table_name="Candidates",
                                          wrap=[label("cand.reasons", lang)])], lang)


def text(ranked: pd.DataFrame, lang: str) -> str:
    """The ranking as a plain table."""
    f = frame(ranked[["rank", "employee_id", "name", "department", "role", "points", "reasons"]], lang)
    return text_table(f.astype(object).where(f.notna(), ""), lang=lang)
