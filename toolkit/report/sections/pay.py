"""Royalties and floating salary payable, manual adjustments, the appraisal ranking appendix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ...core import appraisal as A
from ...core import royalties as R
from ...core.finance import manual_entries
from ...outputs.labels import LABELS
from ...core.ledger import Ledger
from ...schema import enums as E
from ..completeness import NOT_COMPUTED, pay_status
from ...core.review import review
from .words import COLUMNS, REPORT_WORDS, label, with_total


def appraisal_table(ledger: Ledger, p: pd.Period, royalties: pd.DataFrame | None, lang: str) -> pd.DataFrame:
    """The appendix: everyone ranked on the appraisal score over the quarter so far (``core.review``),
    per department and company; people on the default coefficient are listed unranked."""
    rv = review(ledger, p.year, (p.month - 1) // 3 + 1, p.month, royalties)
    lines = rv.lines.assign(reason=rv.lines["reason"].map(lambda v: A.reason_text(v, lang)))
    return lines[[c for c, _ in COLUMNS["appraisal"]]].reset_index(drop=True)


def manual_table(ledger: Ledger, period: str, lang: str) -> pd.DataFrame:
    """The period's manual adjustments (the standards' Adjustments, signed as the close pays them), with a total."""
    entries = manual_entries(ledger.standard("Adjustments"), period, ledger.standard("Roster"))
    cols = [c for c, _ in COLUMNS["manual_adjustments"]]
    if not len(entries):
        return pd.DataFrame(columns=cols)
    frame = entries.assign(adjustment_kind=entries["kind"].map(lambda v: E.ADJUSTMENT_KIND.label(v, lang)))[cols]
    return with_total(frame.reset_index(drop=True), "employee_id", label("total", lang), ["amount"])


def note(rec: dict[str, Any], lang: str) -> str:
    notes = [label(rec["reason"], lang)] if rec.get("reason") not in (None, "ok") else []
    if rec.get("clawback"):
        notes.append(label("clawback", lang))
    return ", ".join(notes)


def pay_lines(frame: pd.DataFrame, lines: pd.DataFrame, excluded: Sequence[str], first: str, money: list[str],
               lang: str) -> tuple[pd.DataFrame, pd.Series]:
    """A pay table with its status column and a total row over the computed lines only."""
    status = pay_status(lines, excluded).reset_index(drop=True)
    frame = frame.reset_index(drop=True).assign(
        pay_status=status.map(lambda v: label(v, lang) if REPORT_WORDS.get(v, v) in LABELS else v))
    return with_total(frame, first, label("total", lang), money, where=status != NOT_COMPUTED), status


def pay_tables(roy: R.RoyaltyResult, sal: A.AppraisalResult, excluded: Sequence[str],
               lang: str) -> tuple[dict[str, pd.DataFrame], pd.Series, pd.DataFrame]:
    """The royalties and floating salary tables (totals over the computed lines only), the royalty lines'
    status, and the people not computed."""
    excluded_names = list(excluded)
    out: dict[str, pd.DataFrame] = {}
    lines = roy.lines
    roy_frame = pd.DataFrame({
        "employee_id": lines["employee_id"], "name": lines["name"], "department": lines["department"],
        "plan": lines["plan"], "ytd_base": lines["ytd_base"], "completion": lines["completion"],
        "tier_rate": lines["tier_rate"], "ytd_royalty": lines["ytd_royalty"],
        "previous_ytd_royalty": lines["previous_ytd_royalty"], "payment": lines["payment"],
        "note": [note(r, lang) for r in lines.to_dict("records")],
    })
    out["royalties"], roy_status = pay_lines(roy_frame, lines, excluded_names, "employee_id",
                                                 ["ytd_base", "ytd_royalty", "previous_ytd_royalty", "payment"], lang)
    sal_frame = sal.lines[[c for c, _ in COLUMNS["floating_salary"] if c != "pay_status"]]
    out["floating_salary"], sal_status = pay_lines(sal_frame, sal.lines, excluded_names, "employee_id",
                                                       ["floating_base", "pay"], lang)
    not_computed = sal.lines.reset_index(drop=True)[sal_status.to_numpy() == NOT_COMPUTED]
    return out, roy_status, not_computed
